//! Headers copied from the Network panel, as text.
//!
//! Reads what the browsers put on the clipboard:
//! - the raw form (RFC 9112 §3 request line, §4 status line): `POST /login
//!   HTTP/1.1` (Firefox also writes `HTTP/2`), then `Name: value` lines;
//! - the HTTP/2 pseudo-header form (RFC 9113 §8.3): `:method: POST`,
//!   `:authority:`, `:scheme:`, `:path:`, and `:status: 200` for a response;
//! - Chrome's "General" section (`Request URL:`, `Request Method:`,
//!   `Status Code:`) and section titles (`Response Headers`);
//! - `Name:` on one line and its value on the next, and tab-separated
//!   `Name<TAB>value`, as a selection of the headers grid copies.
//!
//! Blocks are separated by blank lines, in any order: a request block and a
//! response block make one exchange (Chrome lists the response first).
//! Several exchanges can follow one another.

use super::{Entry, Format, ImportError, RecordedResponse, Recording};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Request,
    Response,
    General,
    Unknown,
}

#[derive(Default, Debug)]
struct Block {
    /// From the request line or pseudo-headers.
    method: Option<String>,
    target: Option<String>,
    version: Option<String>,
    status: Option<u16>,
    /// From the General section.
    url: Option<String>,
    headers: Vec<(String, String)>,
}

const SECTION_TITLES: [&str; 6] = [
    "general",
    "request headers",
    "response headers",
    "response headers (raw)",
    "request headers (raw)",
    "query string parameters",
];

/// `Name: value` pairs of one block; `Name:` alone takes the next line as
/// its value.
fn pairs(lines: &[&str]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i].trim_end();
        i += 1;
        let (pseudo, rest) = match line.strip_prefix(':') {
            Some(r) => (true, r),
            None => (false, line),
        };
        let split = rest.split_once(':').or_else(|| rest.split_once('\t'));
        let Some((name, value)) = split else { continue };
        let name = name.trim();
        if name.is_empty() || (name.contains(' ') && !is_general_key(name)) {
            continue;
        }
        let mut value = value.trim().to_string();
        if value.is_empty() && i < lines.len() && !looks_like_header(lines[i]) {
            value = lines[i].trim().to_string();
            i += 1;
        }
        let name = if pseudo {
            format!(":{}", name.to_ascii_lowercase())
        } else {
            name.to_string()
        };
        out.push((name, value));
    }
    out
}

/// `name:` or `name: value` (not `http://…`, a value that wrapped).
fn looks_like_header(line: &str) -> bool {
    let l = line.trim().strip_prefix(':').unwrap_or(line.trim());
    match l.split_once(':') {
        Some((name, rest)) => {
            !name.is_empty()
                && (!name.contains(' ') || is_general_key(name))
                && (rest.is_empty() || rest.starts_with([' ', '\t']))
        }
        None => false,
    }
}

fn is_general_key(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    matches!(
        n.as_str(),
        "request url" | "request method" | "status code" | "remote address" | "referrer policy"
    )
}

/// RFC 9112 §3: `method SP request-target SP HTTP-version`.
fn request_line(line: &str) -> Option<(String, String, String)> {
    let mut parts = line.split_whitespace();
    let (m, t, v) = (parts.next()?, parts.next()?, parts.next()?);
    let ok = parts.next().is_none()
        && m.bytes().all(|b| b.is_ascii_alphabetic())
        && v.to_ascii_uppercase().starts_with("HTTP/");
    ok.then(|| (m.to_string(), t.to_string(), v.to_string()))
}

/// RFC 9112 §4: `HTTP-version SP status-code SP [reason-phrase]`.
fn status_line(line: &str) -> Option<(String, u16)> {
    let mut parts = line.split_whitespace();
    let v = parts.next()?;
    if !v.to_ascii_uppercase().starts_with("HTTP/") {
        return None;
    }
    let code = parts.next()?.parse::<u16>().ok()?;
    (100..=999).contains(&code).then(|| (v.to_string(), code))
}

fn read_block(lines: &[&str], hint: &str) -> (Kind, Block) {
    let mut b = Block::default();
    let first = lines
        .first()
        .map(|l| l.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let title = if SECTION_TITLES.contains(&first.as_str()) {
        first
    } else {
        hint.to_string()
    };
    let mut lines: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|l| !SECTION_TITLES.contains(&l.trim().to_ascii_lowercase().as_str()))
        .collect();
    let mut kind = Kind::Unknown;
    if let Some(first) = lines.first().map(|l| l.trim()) {
        if let Some((m, t, v)) = request_line(first) {
            (b.method, b.target, b.version) = (Some(m), Some(t), Some(v));
            kind = Kind::Request;
            lines.remove(0);
        } else if let Some((v, code)) = status_line(first) {
            (b.version, b.status) = (Some(v), Some(code));
            kind = Kind::Response;
            lines.remove(0);
        }
    }
    let mut authority = None;
    let mut scheme = None;
    for (name, value) in pairs(&lines) {
        match name.to_ascii_lowercase().as_str() {
            ":method" => b.method = Some(value),
            ":path" => b.target = Some(value),
            ":authority" => authority = Some(value),
            ":scheme" => scheme = Some(value),
            ":status" => b.status = value.split_whitespace().next().and_then(|s| s.parse().ok()),
            n if n.starts_with(':') => {}
            "request url" => b.url = Some(value),
            "request method" => b.method = Some(value),
            "status code" => {
                b.status = value.split_whitespace().next().and_then(|s| s.parse().ok())
            }
            "remote address" | "referrer policy" => {}
            _ => b.headers.push((name, value)),
        }
    }
    if let (Some(a), Some(t)) = (&authority, &b.target) {
        if t.starts_with('/') {
            let s = scheme.as_deref().unwrap_or("https");
            b.url = Some(format!("{s}://{a}{t}"));
        }
    }
    if authority.is_some()
        && !b
            .headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("host"))
    {
        b.headers
            .insert(0, ("Host".into(), authority.unwrap_or_default()));
    }
    if kind == Kind::Unknown {
        kind = if title.starts_with("response headers") {
            Kind::Response
        } else if title.starts_with("request headers") {
            Kind::Request
        } else {
            guess_kind(&b)
        };
    }
    (kind, b)
}

/// A block with no start line: General keys, pseudo-headers, or names that
/// only a request (or only a response) carries.
fn guess_kind(b: &Block) -> Kind {
    if b.method.is_some() || b.target.is_some() {
        return if b.url.is_some() && b.headers.is_empty() {
            Kind::General
        } else {
            Kind::Request
        };
    }
    if b.url.is_some() {
        return Kind::General;
    }
    if b.status.is_some() {
        return Kind::Response;
    }
    let has = |names: &[&str]| {
        b.headers.iter().any(|(n, _)| {
            names.iter().any(|x| n.eq_ignore_ascii_case(x))
                || n.to_ascii_lowercase().starts_with("sec-fetch-")
        })
    };
    if has(&[
        "host",
        "origin",
        "referer",
        "cookie",
        "user-agent",
        "accept",
        "access-control-request-method",
    ]) {
        Kind::Request
    } else if has(&[
        "set-cookie",
        "access-control-allow-origin",
        "access-control-allow-credentials",
        "server",
        "location",
    ]) {
        Kind::Response
    } else {
        Kind::Unknown
    }
}

/// One exchange being assembled.
#[derive(Default)]
struct Pending {
    general: Option<Block>,
    request: Option<Block>,
    response: Option<Block>,
}

impl Pending {
    fn is_empty(&self) -> bool {
        self.general.is_none() && self.request.is_none() && self.response.is_none()
    }
}

fn url_of(
    general: Option<&Block>,
    req: Option<&Block>,
    notices: &mut Vec<String>,
) -> Option<String> {
    if let Some(u) = general
        .and_then(|g| g.url.clone())
        .or_else(|| req.and_then(|r| r.url.clone()))
    {
        return Some(u);
    }
    let r = req?;
    let target = r.target.as_deref()?;
    if target.starts_with("http://") || target.starts_with("https://") {
        return Some(target.to_string());
    }
    let host = r
        .headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("host"))?
        .1
        .clone();
    // The raw form does not say the scheme: loopback is usually plain http.
    let local =
        host.starts_with("localhost") || host.starts_with("127.") || host.starts_with("[::1]");
    let scheme = if local { "http" } else { "https" };
    notices.push(format!(
        "The paste does not say whether {host} was reached over http or https; {scheme} was assumed (edit the request URL if it was the other)."
    ));
    Some(format!("{scheme}://{host}{target}"))
}

fn finish(p: Pending, notices: &mut Vec<String>) -> Result<Option<Entry>, ImportError> {
    if p.is_empty() {
        return Ok(None);
    }
    let Some(url) = url_of(p.general.as_ref(), p.request.as_ref(), notices) else {
        return Err(ImportError(
            "The request's URL is not in the paste: copy the request headers with their first line (`POST /login HTTP/1.1` and `Host:`), the `:authority` and `:path` lines, or the General section's Request URL.".into(),
        ));
    };
    let method = p
        .request
        .as_ref()
        .and_then(|r| r.method.clone())
        .or_else(|| p.general.as_ref().and_then(|g| g.method.clone()))
        .unwrap_or_else(|| "GET".into());
    let status = p
        .response
        .as_ref()
        .and_then(|r| r.status)
        .or_else(|| p.general.as_ref().and_then(|g| g.status));
    let response = match (p.response, status) {
        (Some(r), _) => Some(RecordedResponse {
            status: status.unwrap_or(0),
            headers: r.headers,
            cookies: Vec::new(),
        }),
        (None, Some(s)) => Some(RecordedResponse {
            status: s,
            ..RecordedResponse::default()
        }),
        (None, None) => None,
    };
    let request = p.request.unwrap_or_default();
    let body_mime = request
        .headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-type"))
        .map(|(_, v)| v.clone());
    Ok(Some(Entry {
        method,
        url,
        http_version: request.version.unwrap_or_default(),
        has_body: body_mime.is_some(),
        body_mime,
        headers: request.headers,
        response,
        ..Entry::default()
    }))
}

/// Reads one or more exchanges of copied headers.
pub fn parse(text: &str) -> Result<Recording, ImportError> {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut blocks: Vec<Vec<&str>> = vec![Vec::new()];
    for line in text.lines() {
        if line.trim().is_empty() {
            blocks.push(Vec::new());
        } else if let Some(last) = blocks.last_mut() {
            last.push(line);
        }
    }
    let mut notices = Vec::new();
    let mut entries = Vec::new();
    let mut p = Pending::default();
    let mut read_any = false;
    let mut hint = String::new();
    for lines in blocks.iter().filter(|b| !b.is_empty()) {
        let only_titles = lines
            .iter()
            .all(|l| SECTION_TITLES.contains(&l.trim().to_ascii_lowercase().as_str()));
        if only_titles {
            hint = lines[lines.len() - 1].trim().to_ascii_lowercase();
            continue;
        }
        let (kind, block) = read_block(lines, &hint);
        hint.clear();
        let slot = match kind {
            Kind::Request => &mut p.request,
            Kind::Response => &mut p.response,
            Kind::General => &mut p.general,
            Kind::Unknown => {
                notices.push(format!(
                    "A block starting `{}` is neither request nor response headers and was skipped.",
                    lines[0].chars().take(40).collect::<String>()
                ));
                continue;
            }
        };
        read_any = true;
        if slot.is_some()
            || (kind == Kind::General && (p.request.is_some() || p.response.is_some()))
        {
            entries.extend(finish(std::mem::take(&mut p), &mut notices)?);
        }
        let slot = match kind {
            Kind::Request => &mut p.request,
            Kind::Response => &mut p.response,
            _ => &mut p.general,
        };
        *slot = Some(block);
    }
    entries.extend(finish(p, &mut notices)?);
    if !read_any || entries.is_empty() {
        return Err(ImportError(
            "No request headers found in the paste: copy them from the Network panel (a request's Headers tab, \"Raw\" or \"view source\") and paste them here.".into(),
        ));
    }
    Ok(Recording {
        format: Format::HeaderBlock,
        creator: None,
        browser: None,
        pages: Vec::new(),
        entries,
        notices,
    })
}
