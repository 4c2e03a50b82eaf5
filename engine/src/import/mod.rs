//! Bring your own traffic: what DevTools shows, turned into the one
//! [`Scenario`](crate::Scenario) and explained.
//!
//! Every format is first read into a [`Recording`] — the exchanges as the
//! browser showed them, with nothing decided yet:
//! - [`har`]: HAR 1.2 as Chrome, Firefox and Safari export it (Chrome's
//!   `_initiator`, `_resourceType`, `_fromCache`, `_error` where present);
//! - [`header_block`]: the raw request and response headers copied from the
//!   Network panel, HTTP/1.1 or HTTP/2 pseudo-header form;
//! - [`curl`]: "Copy as cURL", bash and cmd flavours;
//! - [`fetch_call`]: "Copy as fetch".
//!
//! [`reconstruct`] picks the exchanges that matter and rebuilds the scenario
//! (marking what the recording cannot show as assumed), [`redact`] replaces
//! secrets with placeholders before anything reaches a permalink, and
//! [`markdown`] writes the result up for an issue or a question. Nothing here
//! sends a request.

pub mod compare;
pub mod curl;
pub mod fetch_call;
pub mod har;
pub mod header_block;
pub mod markdown;
pub mod reconstruct;
pub mod redact;
pub mod routes;

use serde::Serialize;

pub use compare::{compare, RecordedOutcome};
pub use reconstruct::{
    candidates, default_selection, reconstruct, reconstruct_with, selection_of, Assumption,
    Candidate, Imported, Relevance,
};

/// The formats an import reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    Har,
    HeaderBlock,
    Curl,
    FetchCall,
}

impl Format {
    pub fn label(self) -> &'static str {
        match self {
            Format::Har => "HAR file",
            Format::HeaderBlock => "copied headers",
            Format::Curl => "Copy as cURL",
            Format::FetchCall => "Copy as fetch",
        }
    }
}

/// A cookie with what a HAR says of it (HAR 1.2 §cookies; Chrome adds
/// `sameSite`). Attributes a format does not give are `None`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RecordedCookie {
    pub name: String,
    pub value: String,
    pub path: Option<String>,
    pub domain: Option<String>,
    /// As written in the HAR (ISO 8601), if any.
    pub expires: Option<String>,
    pub http_only: Option<bool>,
    pub secure: Option<bool>,
    pub same_site: Option<String>,
}

/// The server's answer as recorded (HAR 1.2 §response).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RecordedResponse {
    /// 0 when the browser shows no status (a failed or blocked request).
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub cookies: Vec<RecordedCookie>,
}

impl RecordedResponse {
    pub fn header_all(&self, name: &str) -> Vec<&str> {
        all(&self.headers, name)
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.header_all(name).into_iter().next()
    }
}

/// One exchange as a recording shows it (HAR 1.2 §entries).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// Milliseconds since the Unix epoch (HAR `startedDateTime`), if known.
    pub started_ms: Option<i64>,
    pub method: String,
    /// Absolute URL.
    pub url: String,
    /// `HTTP/1.1`, `h2`, `HTTP/2.0`… as recorded.
    pub http_version: String,
    /// Request headers as recorded, pseudo-headers (`:authority`) included.
    pub headers: Vec<(String, String)>,
    /// HAR `request.cookies`, for a recording whose headers omit `Cookie`.
    pub cookies: Vec<RecordedCookie>,
    /// The body's MIME type (HAR `postData.mimeType`), when there is a body.
    pub body_mime: Option<String>,
    pub has_body: bool,
    pub response: Option<RecordedResponse>,
    /// Chrome's `_resourceType`: `fetch`, `xhr`, `document`, `preflight`, `script`…
    pub resource_type: Option<String>,
    /// Chrome's `_initiator.type` (`script`, `parser`, `preflight`, `other`).
    pub initiator_type: Option<String>,
    /// Chrome's `_initiator.url`, or the first script URL of its stack.
    pub initiator_url: Option<String>,
    /// Chrome's `_fromCache` (`memory`, `disk`), Safari's `_fetchType` cache kinds.
    pub from_cache: Option<String>,
    /// Chrome's `response._error` (`net::ERR_FAILED` for a CORS error).
    pub error: Option<String>,
    /// HAR `pageref`.
    pub page: Option<String>,
    /// The `mode` the code passed to `fetch()`, when the paste shows it
    /// ("Copy as fetch").
    pub fetch_mode: Option<String>,
    /// The `credentials` the code passed to `fetch()`, likewise.
    pub fetch_credentials: Option<String>,
}

impl Entry {
    /// Every value of a request header, in order.
    pub fn header_all(&self, name: &str) -> Vec<&str> {
        all(&self.headers, name)
    }

    /// The first value of a request header.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.header_all(name).into_iter().next()
    }
}

fn all<'a>(headers: &'a [(String, String)], name: &str) -> Vec<&'a str> {
    headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
        .collect()
}

/// A HAR page (HAR 1.2 §pages).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RecordedPage {
    pub id: String,
    /// Chrome writes the page's URL here, Firefox its document title.
    pub title: String,
}

/// What a paste or a file showed, before anything is decided.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Recording {
    pub format: Format,
    /// HAR `creator.name` (`WebInspector`, `Firefox`, `WebKit Web Inspector`).
    pub creator: Option<String>,
    /// HAR `browser.name`, when given.
    pub browser: Option<String>,
    pub pages: Vec<RecordedPage>,
    pub entries: Vec<Entry>,
    /// What was skipped or could not be read, one sentence each.
    pub notices: Vec<String>,
}

/// Why an import failed: one sentence for the page or the terminal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ImportError(pub String);

impl std::fmt::Display for ImportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Which format `text` looks like; `None` when it is none of them.
pub fn detect(text: &str) -> Option<Format> {
    let t = text.trim_start_matches('\u{feff}').trim_start();
    if t.is_empty() {
        return None;
    }
    if t.starts_with('{') || t.starts_with('[') {
        return Some(Format::Har);
    }
    let head: String = t.chars().take(16).collect::<String>().to_ascii_lowercase();
    let word = head.split_whitespace().next().unwrap_or("");
    if word == "curl" || word == "curl.exe" {
        return Some(Format::Curl);
    }
    let start = t.strip_prefix("await").map(str::trim_start).unwrap_or(t);
    if start.starts_with("fetch(") || start.starts_with("fetch (") {
        return Some(Format::FetchCall);
    }
    Some(Format::HeaderBlock)
}

/// The most text an import reads (a HAR of many thousand entries is far smaller).
pub const MAX_INPUT_BYTES: usize = 64 * 1024 * 1024;

/// Reads `text` in whichever format it is.
pub fn parse(text: &str) -> Result<Recording, ImportError> {
    if text.len() > MAX_INPUT_BYTES {
        return Err(ImportError(format!(
            "This is {} MB; Crumbtrail reads up to {} MB. Export only the requests that matter (filter the Network panel first).",
            text.len() / (1024 * 1024),
            MAX_INPUT_BYTES / (1024 * 1024)
        )));
    }
    match detect(text) {
        None => Err(ImportError(
            "Nothing to import: paste a HAR file, the request and response headers from the Network panel, or a request copied as cURL or as fetch.".into(),
        )),
        Some(Format::Har) => har::parse(text),
        Some(Format::Curl) => curl::parse(text),
        Some(Format::FetchCall) => fetch_call::parse(text),
        Some(Format::HeaderBlock) => header_block::parse(text),
    }
}

/// Parses `text`, picks the requests that matter and rebuilds the scenario,
/// redacted: the whole import in one call (the CLI's).
pub fn import(text: &str) -> Result<Imported, ImportError> {
    let recording = parse(text)?;
    let selection = reconstruct::default_selection(&recording);
    reconstruct(&recording, &selection)
}

/// The value of the scenario field an [`Assumption`] names (its dotted path),
/// as text to compare: the page shows the "assumed" mark only while the
/// field still holds what the import chose. `None` for a path no import writes.
pub fn field_text(s: &crate::Scenario, field: &str) -> Option<String> {
    use crate::scenario::ServerSetup;
    let parts: Vec<&str> = field.split('.').collect();
    let index = |i: usize| parts.get(i).and_then(|n| n.parse::<usize>().ok());
    match parts.as_slice() {
        ["page", "url"] => Some(s.page.url.clone()),
        ["profile"] => Some(s.profile.key().to_string()),
        ["requests", _, rest] => {
            let r = s.requests.get(index(1)?)?;
            Some(match *rest {
                "client" => format!("{:?}", r.client),
                "body" => format!("{:?}", r.body),
                "headers" => r.headers.clone(),
                "url" => r.url.clone(),
                "runs_from" => format!("{:?}", r.runs_from),
                _ => return None,
            })
        }
        ["server", "routes", _, which, what] => {
            let ServerSetup::Raw(raw) = &s.server else {
                return None;
            };
            let route = raw.routes.get(index(2)?)?;
            let resp = if *which == "preflight" {
                &route.preflight
            } else {
                &route.response
            };
            Some(match *what {
                "headers" => resp.headers.clone(),
                "status" => resp.status.to_string(),
                _ => return None,
            })
        }
        ["jar_at_start", _, what] => {
            let c = s.jar_at_start.get(index(1)?)?;
            Some(match *what {
                "same_site" => format!("{:?}", c.same_site),
                "age_secs" => c.age_secs.to_string(),
                "http_only" => c.http_only.to_string(),
                "host_only" => c.host_only.to_string(),
                "secure" => c.secure.to_string(),
                "expires_in_secs" => format!("{:?}", c.expires_in_secs),
                "domain" => c.domain.clone(),
                "path" => c.path.clone(),
                _ => return None,
            })
        }
        _ => None,
    }
}
