//! HAR 1.2 (the HTTP Archive format, "HAR 1.2 Spec" by Jan Odvarko) as the
//! browsers export it: Chrome (`creator.name` `WebInspector`, with the
//! `_initiator`, `_resourceType`, `_fromCache`, `_priority` entry fields and
//! `response._error`), Firefox (`Firefox`) and Safari (`WebKit Web
//! Inspector`, with `_fetchType`).
//!
//! Reading is forgiving (see [`super::lenient`]): missing fields and fields of
//! the wrong type are left empty, entries without a URL are skipped and
//! counted in a notice; only JSON that does not parse, or a file with no
//! `log.entries`, is an error. Response bodies (`content.text`) are skipped
//! without being kept.

use serde::Deserialize;

use super::lenient;
use super::{
    Entry, Format, ImportError, RecordedCookie, RecordedPage, RecordedResponse, Recording,
};

#[derive(Deserialize, Default)]
#[serde(default)]
struct Har {
    #[serde(deserialize_with = "lenient::object")]
    log: Log,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Log {
    #[serde(deserialize_with = "lenient::object")]
    creator: NameVersion,
    #[serde(deserialize_with = "lenient::object")]
    browser: NameVersion,
    #[serde(deserialize_with = "lenient::list")]
    pages: Vec<Page>,
    #[serde(deserialize_with = "lenient::opt_list")]
    entries: Option<Vec<HarEntry>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NameVersion {
    #[serde(deserialize_with = "lenient::string")]
    name: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Page {
    #[serde(deserialize_with = "lenient::text")]
    id: String,
    #[serde(deserialize_with = "lenient::text")]
    title: String,
}

/// HAR 1.2 §entries, and the browsers' own `_` fields.
#[derive(Deserialize, Default)]
#[serde(default)]
struct HarEntry {
    #[serde(rename = "startedDateTime", deserialize_with = "lenient::text")]
    started: String,
    #[serde(deserialize_with = "lenient::object")]
    request: Request,
    #[serde(deserialize_with = "lenient::object")]
    response: Response,
    #[serde(deserialize_with = "lenient::string")]
    pageref: Option<String>,
    #[serde(rename = "_resourceType", deserialize_with = "lenient::string")]
    resource_type: Option<String>,
    #[serde(rename = "_initiator", deserialize_with = "lenient::object")]
    initiator: Initiator,
    #[serde(rename = "_fromCache", deserialize_with = "lenient::string")]
    from_cache: Option<String>,
    /// Safari: `Network Load`, `Memory Cache`, `Disk Cache`, `Service Worker`.
    #[serde(rename = "_fetchType", deserialize_with = "lenient::string")]
    fetch_type: Option<String>,
}

/// HAR 1.2 §request.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Request {
    #[serde(deserialize_with = "lenient::text")]
    method: String,
    #[serde(deserialize_with = "lenient::text")]
    url: String,
    #[serde(rename = "httpVersion", deserialize_with = "lenient::text")]
    http_version: String,
    #[serde(deserialize_with = "lenient::list")]
    headers: Vec<Header>,
    #[serde(deserialize_with = "lenient::list")]
    cookies: Vec<Cookie>,
    #[serde(rename = "postData", deserialize_with = "lenient::object")]
    post_data: PostData,
}

/// HAR 1.2 §postData: only whether there is one and its type are kept.
#[derive(Deserialize, Default)]
#[serde(default)]
struct PostData {
    #[serde(rename = "mimeType", deserialize_with = "lenient::string")]
    mime_type: Option<String>,
    #[serde(deserialize_with = "lenient::present")]
    text: bool,
    #[serde(deserialize_with = "lenient::present")]
    params: bool,
}

/// HAR 1.2 §response (`content` is skipped).
#[derive(Deserialize, Default)]
#[serde(default)]
struct Response {
    #[serde(deserialize_with = "lenient::number")]
    status: Option<f64>,
    #[serde(deserialize_with = "lenient::list")]
    headers: Vec<Header>,
    #[serde(deserialize_with = "lenient::list")]
    cookies: Vec<Cookie>,
    #[serde(rename = "_error", deserialize_with = "lenient::string")]
    error: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Header {
    #[serde(deserialize_with = "lenient::text")]
    name: String,
    #[serde(deserialize_with = "lenient::text")]
    value: String,
}

/// HAR 1.2 §cookies (Chrome adds `sameSite`).
#[derive(Deserialize, Default)]
#[serde(default)]
struct Cookie {
    #[serde(deserialize_with = "lenient::text")]
    name: String,
    #[serde(deserialize_with = "lenient::text")]
    value: String,
    #[serde(deserialize_with = "lenient::string")]
    path: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    domain: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    expires: Option<String>,
    #[serde(rename = "httpOnly", deserialize_with = "lenient::boolean")]
    http_only: Option<bool>,
    #[serde(deserialize_with = "lenient::boolean")]
    secure: Option<bool>,
    #[serde(rename = "sameSite", deserialize_with = "lenient::string")]
    same_site: Option<String>,
}

/// Chrome's `_initiator` (the DevTools protocol's `Network.Initiator`).
#[derive(Deserialize, Default)]
#[serde(default)]
struct Initiator {
    #[serde(rename = "type", deserialize_with = "lenient::string")]
    kind: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    url: Option<String>,
    #[serde(deserialize_with = "lenient::object")]
    stack: Stack,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Stack {
    #[serde(rename = "callFrames", deserialize_with = "lenient::list")]
    call_frames: Vec<Frame>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Frame {
    #[serde(deserialize_with = "lenient::string")]
    url: Option<String>,
}

fn cookie(c: Cookie) -> RecordedCookie {
    RecordedCookie {
        name: c.name,
        value: c.value,
        path: c.path.filter(|p| !p.is_empty()),
        domain: c.domain.filter(|d| !d.is_empty()),
        expires: c.expires.filter(|e| !e.is_empty()),
        http_only: c.http_only,
        secure: c.secure,
        same_site: c.same_site.filter(|s| !s.is_empty()),
    }
}

fn headers(list: Vec<Header>) -> Vec<(String, String)> {
    list.into_iter()
        .filter(|h| !h.name.is_empty())
        .map(|h| (h.name, h.value))
        .collect()
}

fn entry(e: HarEntry) -> Entry {
    let r = e.request;
    let resp = e.response;
    let status = resp.status.map(|s| s.clamp(0.0, 999.0) as u16).unwrap_or(0);
    let response = (status > 0 || !resp.headers.is_empty()).then(|| RecordedResponse {
        status,
        headers: headers(resp.headers),
        cookies: resp.cookies.into_iter().map(cookie).collect(),
    });
    let from_cache = e.from_cache.filter(|c| !c.is_empty()).or_else(|| {
        e.fetch_type
            .filter(|t| t.to_ascii_lowercase().contains("cache"))
            .map(|t| t.to_ascii_lowercase())
    });
    let initiator_url = e.initiator.url.filter(|u| !u.is_empty()).or_else(|| {
        e.initiator
            .stack
            .call_frames
            .into_iter()
            .find_map(|f| f.url.filter(|u| !u.is_empty()))
    });
    Entry {
        started_ms: iso_ms(&e.started),
        method: if r.method.is_empty() {
            "GET".into()
        } else {
            r.method
        },
        url: r.url,
        http_version: r.http_version,
        headers: headers(r.headers),
        cookies: r.cookies.into_iter().map(cookie).collect(),
        body_mime: r.post_data.mime_type.filter(|m| !m.is_empty()),
        has_body: r.post_data.text || r.post_data.params,
        response,
        resource_type: e.resource_type.map(|t| t.to_ascii_lowercase()),
        initiator_type: e.initiator.kind.map(|t| t.to_ascii_lowercase()),
        initiator_url,
        from_cache,
        error: resp.error.filter(|e| !e.is_empty()),
        page: e.pageref,
        ..Entry::default()
    }
}

/// Reads a HAR file.
pub fn parse(text: &str) -> Result<Recording, ImportError> {
    let text = text.trim_start_matches('\u{feff}');
    let mut de = serde_json::Deserializer::from_str(text);
    let har: Har = lenient::object(&mut de)
        .and_then(|h| de.end().map(|()| h))
        .map_err(|e| {
            ImportError(format!(
                "This is not a HAR file: its JSON does not read (line {}, column {}: {}).",
                e.line(),
                e.column(),
                short(&e.to_string())
            ))
        })?;
    let log = har.log;
    let Some(raw_entries) = log.entries else {
        return Err(ImportError(
            "This JSON is not a HAR file: it has no `log.entries` list (export it from the Network panel with \"Save all as HAR\" or \"Export HAR\").".into(),
        ));
    };
    let total = raw_entries.len();
    let entries: Vec<Entry> = raw_entries
        .into_iter()
        .map(entry)
        .filter(|e| !e.url.is_empty())
        .collect();
    let mut notices = Vec::new();
    if entries.len() < total {
        notices.push(format!(
            "{} of the HAR's {total} entries have no request URL and were skipped.",
            total - entries.len()
        ));
    }
    if entries.is_empty() {
        return Err(ImportError(
            "This HAR file has no requests in it: record the page with the Network panel open, then export again.".into(),
        ));
    }
    Ok(Recording {
        format: Format::Har,
        creator: log.creator.name,
        browser: log.browser.name,
        pages: log
            .pages
            .into_iter()
            .map(|p| RecordedPage {
                id: p.id,
                title: p.title,
            })
            .collect(),
        entries,
        notices,
    })
}

/// The start of an error message, without serde's position (reported apart).
fn short(message: &str) -> String {
    let m = message.split(" at line ").next().unwrap_or(message);
    m.chars().take(120).collect()
}

/// Milliseconds since the Unix epoch for an ISO 8601 date-time as HAR 1.2
/// writes `startedDateTime` (`2026-01-01T10:00:00.123Z`, `+02:00` offsets).
pub fn iso_ms(s: &str) -> Option<i64> {
    let s = s.trim();
    let b = s.as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let part = s.get(from..from + len)?;
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let (year, month, day) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    if b.get(4) != Some(&b'-')
        || b.get(7) != Some(&b'-')
        || !matches!(b.get(10), Some(b'T' | b't' | b' '))
    {
        return None;
    }
    let (hour, minute) = (num(11, 2)?, num(14, 2)?);
    let second = num(17, 2).unwrap_or(0);
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut i = 19;
    let mut millis = 0i64;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let mut scale = 100;
        while let Some(d) = b.get(i).filter(|c| c.is_ascii_digit()) {
            millis += i64::from(d - b'0') * scale;
            scale /= 10;
            i += 1;
        }
    }
    let offset_min = match b.get(i) {
        None | Some(b'Z' | b'z') => 0,
        Some(sign @ (b'+' | b'-')) => {
            let h = num(i + 1, 2)?;
            let m = num(i + 4, 2).or_else(|| num(i + 3, 2)).unwrap_or(0);
            let v = h * 60 + m;
            if *sign == b'-' {
                -v
            } else {
                v
            }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + hour * 3600 + minute * 60 + second - offset_min * 60;
    Some(secs * 1000 + millis)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates_read_as_har_writes_them() {
        assert_eq!(iso_ms("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(iso_ms("2026-01-01T00:00:00.000Z"), Some(1_767_225_600_000));
        assert_eq!(
            iso_ms("2026-01-01T02:00:00.250+02:00"),
            Some(1_767_225_600_250)
        );
        assert_eq!(iso_ms("2026-01-01T00:00:01.5Z"), Some(1_767_225_601_500));
        for bad in [
            "",
            "yesterday",
            "2026-13-01T00:00:00Z",
            "2026-01-01",
            "2026-01-01T00:00:00Q",
        ] {
            assert_eq!(iso_ms(bad), None, "{bad}");
        }
    }
}
