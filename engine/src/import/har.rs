//! HAR 1.2 (the HTTP Archive format, "HAR 1.2 Spec" by Jan Odvarko) as the
//! browsers export it: Chrome (`creator.name` `WebInspector`, with the
//! `_initiator`, `_resourceType`, `_fromCache`, `_priority` entry fields and
//! `response._error`), Firefox (`Firefox`) and Safari (`WebKit Web
//! Inspector`, with `_fetchType`).
//!
//! Reading is forgiving: missing fields and fields of the wrong type are
//! left empty, entries without a URL are skipped and counted in a notice;
//! only JSON that does not parse, or a file with no `log.entries`, is an
//! error. Response bodies (`content.text`) are read with the JSON and dropped
//! with it; only the headers and a few fields are kept.

use serde_json::{json, Value};

use super::{
    Entry, Format, ImportError, RecordedCookie, RecordedPage, RecordedResponse, Recording,
};

/// A field as text: a string as it is, a number or a boolean written out,
/// anything else (missing, `null`, an object) `None`.
fn text(v: &Value, key: &str) -> Option<String> {
    match v.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A field as text, `None` when empty.
fn some_text(v: &Value, key: &str) -> Option<String> {
    text(v, key).filter(|s| !s.is_empty())
}

/// A number, or a string that reads as one.
fn number(v: &Value, key: &str) -> Option<f64> {
    match v.get(key)? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .filter(|n: &f64| n.is_finite())
}

fn boolean(v: &Value, key: &str) -> Option<bool> {
    match v.get(key)? {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

/// The objects of a list field; anything that is not an object is left out.
fn objects<'a>(v: &'a Value, key: &str) -> impl Iterator<Item = &'a Value> {
    v.get(key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|x| x.is_object())
}

/// An object field, or `Null` (whose fields all read as missing).
fn object<'a>(v: &'a Value, key: &str) -> &'a Value {
    v.get(key).filter(|x| x.is_object()).unwrap_or(&Value::Null)
}

/// True when a field holds something (a non-empty string, list or object).
fn present(v: &Value, key: &str) -> bool {
    match v.get(key) {
        None | Some(Value::Null) => false,
        Some(Value::String(s)) => !s.is_empty(),
        Some(Value::Array(a)) => !a.is_empty(),
        Some(Value::Object(o)) => !o.is_empty(),
        Some(_) => true,
    }
}

/// HAR 1.2 §headers: `{name, value}` pairs (a header without a name is left out).
fn headers(v: &Value, key: &str) -> Vec<(String, String)> {
    objects(v, key)
        .filter_map(|h| {
            let name = some_text(h, "name")?;
            Some((name, text(h, "value").unwrap_or_default()))
        })
        .collect()
}

/// HAR 1.2 §cookies (Chrome adds `sameSite`).
fn cookies(v: &Value, key: &str) -> Vec<RecordedCookie> {
    objects(v, key)
        .map(|c| RecordedCookie {
            name: text(c, "name").unwrap_or_default(),
            value: text(c, "value").unwrap_or_default(),
            path: some_text(c, "path"),
            domain: some_text(c, "domain"),
            expires: some_text(c, "expires"),
            http_only: boolean(c, "httpOnly"),
            secure: boolean(c, "secure"),
            same_site: some_text(c, "sameSite"),
        })
        .collect()
}

/// One HAR 1.2 §entries item, with the browsers' own `_` fields.
fn entry(e: &Value) -> Entry {
    let r = object(e, "request");
    let resp = object(e, "response");
    let post = object(r, "postData");
    let status = number(resp, "status").map_or(0, |s| s.clamp(0.0, 999.0) as u16);
    let resp_headers = headers(resp, "headers");
    let response = (status > 0 || !resp_headers.is_empty()).then(|| RecordedResponse {
        status,
        headers: resp_headers,
        cookies: cookies(resp, "cookies"),
    });
    // Safari: `_fetchType` is `Network Load`, `Memory Cache`, `Disk Cache`…
    let from_cache = some_text(e, "_fromCache").or_else(|| {
        some_text(e, "_fetchType")
            .map(|t| t.to_ascii_lowercase())
            .filter(|t| t.contains("cache"))
    });
    // Chrome's `_initiator` is the DevTools protocol's `Network.Initiator`.
    let initiator = object(e, "_initiator");
    let initiator_url = some_text(initiator, "url").or_else(|| {
        objects(object(initiator, "stack"), "callFrames").find_map(|f| some_text(f, "url"))
    });
    Entry {
        started_ms: text(e, "startedDateTime").and_then(|t| iso_ms(&t)),
        method: some_text(r, "method").unwrap_or_else(|| "GET".into()),
        url: text(r, "url").unwrap_or_default(),
        http_version: text(r, "httpVersion").unwrap_or_default(),
        headers: headers(r, "headers"),
        cookies: cookies(r, "cookies"),
        body_mime: some_text(post, "mimeType"),
        has_body: present(post, "text") || present(post, "params"),
        response,
        resource_type: text(e, "_resourceType").map(|t| t.to_ascii_lowercase()),
        initiator_type: text(initiator, "type").map(|t| t.to_ascii_lowercase()),
        initiator_url,
        from_cache,
        error: some_text(resp, "_error"),
        page: text(e, "pageref"),
        ..Entry::default()
    }
}

/// Reads a HAR file.
pub fn parse(text: &str) -> Result<Recording, ImportError> {
    let mut reader = Reader::new(text.to_string())?;
    loop {
        if let Some(done) = reader.step(usize::MAX) {
            return done;
        }
    }
}

/// A HAR read a slice at a time, so a page can paint between slices: the
/// structure is scanned first (where `log.entries` and each entry are), then
/// each [`Reader::step`] reads entries worth about `budget` bytes of JSON.
pub struct Reader {
    text: String,
    /// Byte ranges of the entries, in order.
    spans: Vec<(usize, usize)>,
    next: usize,
    entries: Vec<Entry>,
    total: usize,
    creator: Option<String>,
    browser: Option<String>,
    pages: Vec<RecordedPage>,
}

impl Reader {
    /// Scans `text`; an error here is the JSON's structure or a missing
    /// `log.entries`.
    pub fn new(input: String) -> Result<Reader, ImportError> {
        let text = input;
        let skip = text.len() - text.trim_start_matches('\u{feff}').len();
        let outline = scan::outline(&text, skip)
            .map_err(|at| bad_json(&text, at, "it is cut off or not JSON"))?;
        let meta = |span: Option<(usize, usize)>| -> Result<Value, ImportError> {
            match span {
                Some((a, b)) => value(&text, a, b),
                None => Ok(Value::Null),
            }
        };
        let creator = meta(outline.creator)?;
        let browser = meta(outline.browser)?;
        let pages = meta(outline.pages)?;
        let Some(spans) = outline.entries else {
            return Err(ImportError(
                "This JSON is not a HAR file: it has no `log.entries` list (export it from the Network panel with \"Save all as HAR\" or \"Export HAR\").".into(),
            ));
        };
        let wrapped = json!({ "p": pages });
        Ok(Reader {
            total: spans.len(),
            entries: Vec::with_capacity(spans.len()),
            creator: some_text(&creator, "name"),
            browser: some_text(&browser, "name"),
            pages: objects(&wrapped, "p")
                .map(|p| RecordedPage {
                    id: self::text(p, "id").unwrap_or_default(),
                    title: self::text(p, "title").unwrap_or_default(),
                })
                .collect(),
            spans,
            next: 0,
            text,
        })
    }

    /// How far the reading is: (entries read, entries in the file).
    pub fn progress(&self) -> (usize, usize) {
        (self.next, self.total)
    }

    /// Reads entries worth about `budget` bytes; `Some` once the file is read.
    pub fn step(&mut self, budget: usize) -> Option<Result<Recording, ImportError>> {
        let mut used = 0;
        while self.next < self.spans.len() && used < budget {
            let (a, b) = self.spans[self.next];
            self.next += 1;
            used += b - a;
            match value(&self.text, a, b) {
                Ok(v) if v.is_object() => {
                    let e = entry(&v);
                    if !e.url.is_empty() {
                        self.entries.push(e);
                    }
                }
                Ok(_) => {}
                Err(e) => return Some(Err(e)),
            }
        }
        (self.next >= self.spans.len()).then(|| self.finish())
    }

    fn finish(&mut self) -> Result<Recording, ImportError> {
        let entries = std::mem::take(&mut self.entries);
        let mut notices = Vec::new();
        if entries.len() < self.total {
            notices.push(format!(
                "{} of the HAR's {} entries have no request URL and were skipped.",
                self.total - entries.len(),
                self.total
            ));
        }
        if entries.is_empty() {
            return Err(ImportError(
                "This HAR file has no requests in it: record the page with the Network panel open, then export again.".into(),
            ));
        }
        Ok(Recording {
            format: Format::Har,
            creator: self.creator.take(),
            browser: self.browser.take(),
            pages: std::mem::take(&mut self.pages),
            entries,
            notices,
        })
    }
}

/// The JSON value in `text[a..b]`.
fn value(text: &str, a: usize, b: usize) -> Result<Value, ImportError> {
    serde_json::from_str(&text[a..b]).map_err(|e| {
        // serde's position is within the slice: count it from the file's start.
        let line_start = text[a..b]
            .split('\n')
            .take(e.line().saturating_sub(1))
            .map(|l| l.len() + 1)
            .sum::<usize>();
        bad_json(
            text,
            a + line_start + e.column().saturating_sub(1),
            &short(&e.to_string()),
        )
    })
}

/// One message for JSON that does not read, with its line and column.
fn bad_json(text: &str, at: usize, why: &str) -> ImportError {
    let at = at.min(text.len());
    let before = &text.as_bytes()[..at];
    let line = before.iter().filter(|&&c| c == b'\n').count() + 1;
    let column = at
        - before
            .iter()
            .rposition(|&c| c == b'\n')
            .map_or(0, |i| i + 1)
        + 1;
    ImportError(format!(
        "This is not a HAR file: its JSON does not read (line {line}, column {column}: {why})."
    ))
}

/// Finding `log.entries` and each entry without reading them (RFC 8259
/// grammar, strings skipped with their escapes); what is inside an entry is
/// then read, and checked, by serde_json.
mod scan {
    /// Where the parts of a HAR are.
    #[derive(Default)]
    pub struct Outline {
        pub entries: Option<Vec<(usize, usize)>>,
        pub creator: Option<(usize, usize)>,
        pub browser: Option<(usize, usize)>,
        pub pages: Option<(usize, usize)>,
    }

    fn ws(b: &[u8], mut i: usize) -> usize {
        while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\n' | b'\r') {
            i += 1;
        }
        i
    }

    fn string(b: &[u8], mut i: usize) -> Result<usize, usize> {
        i += 1;
        while i < b.len() {
            match b[i] {
                b'\\' => i += 2,
                b'"' => return Ok(i + 1),
                _ => i += 1,
            }
        }
        Err(b.len())
    }

    /// The end of the value starting at `i` (after white space).
    pub fn value(b: &[u8], i: usize) -> Result<usize, usize> {
        let mut i = ws(b, i);
        match b.get(i) {
            Some(b'"') => string(b, i),
            Some(b'{' | b'[') => {
                let mut depth = 0usize;
                while i < b.len() {
                    match b[i] {
                        b'"' => {
                            i = string(b, i)?;
                            continue;
                        }
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth -= 1;
                            if depth == 0 {
                                return Ok(i + 1);
                            }
                        }
                        _ => {}
                    }
                    i += 1;
                }
                Err(b.len())
            }
            Some(_) => {
                let start = i;
                while i < b.len()
                    && !matches!(b[i], b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')
                {
                    i += 1;
                }
                if i == start {
                    Err(i)
                } else {
                    Ok(i)
                }
            }
            None => Err(i),
        }
    }

    /// Calls `each(key, value start, value end)` for the members of the
    /// object at `i`; returns its end.
    fn members(
        text: &str,
        i: usize,
        mut each: impl FnMut(&str, usize, usize) -> Result<(), usize>,
    ) -> Result<usize, usize> {
        let b = text.as_bytes();
        let mut i = ws(b, i) + 1;
        loop {
            i = ws(b, i);
            match b.get(i) {
                Some(b'}') => return Ok(i + 1),
                Some(b'"') => {}
                _ => return Err(i),
            }
            let key_end = string(b, i)?;
            let key = &text[i + 1..key_end - 1];
            i = ws(b, key_end);
            if b.get(i) != Some(&b':') {
                return Err(i);
            }
            let start = ws(b, i + 1);
            let end = value(b, start)?;
            each(key, start, end)?;
            i = ws(b, end);
            match b.get(i) {
                Some(b',') => i += 1,
                Some(b'}') => return Ok(i + 1),
                _ => return Err(i),
            }
        }
    }

    /// The elements of the array at `i`.
    fn elements(b: &[u8], i: usize) -> Result<Vec<(usize, usize)>, usize> {
        let mut out = Vec::new();
        let mut i = ws(b, i) + 1;
        if b.get(ws(b, i)) == Some(&b']') {
            return Ok(out);
        }
        loop {
            let start = ws(b, i);
            let end = value(b, start)?;
            out.push((start, end));
            i = ws(b, end);
            match b.get(i) {
                Some(b',') => i += 1,
                Some(b']') => return Ok(out),
                _ => return Err(i),
            }
        }
    }

    /// Finds `log` and, in it, `entries`, `creator`, `browser` and `pages`.
    pub fn outline(text: &str, from: usize) -> Result<Outline, usize> {
        let b = text.as_bytes();
        let start = ws(b, from);
        let mut out = Outline::default();
        if b.get(start) != Some(&b'{') {
            // Any other JSON value: it must still read, but it is no HAR.
            let end = value(b, start)?;
            return if ws(b, end) == b.len() {
                Ok(out)
            } else {
                Err(ws(b, end))
            };
        }
        let end = members(text, start, |key, a, _| {
            if key == "log" && b.get(a) == Some(&b'{') {
                members(text, a, |k, x, y| {
                    match k {
                        "entries" if b.get(x) == Some(&b'[') => out.entries = Some(elements(b, x)?),
                        "entries" => out.entries = Some(Vec::new()),
                        "creator" => out.creator = Some((x, y)),
                        "browser" => out.browser = Some((x, y)),
                        "pages" => out.pages = Some((x, y)),
                        _ => {}
                    }
                    Ok(())
                })?;
            }
            Ok(())
        })?;
        if ws(b, end) != b.len() {
            return Err(ws(b, end));
        }
        Ok(out)
    }
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
