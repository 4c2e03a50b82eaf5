//! From a [`Recording`] to the one [`Scenario`]: which exchanges matter,
//! the page, the requests in order (what the code set as opposed to what the
//! browser added, the body type, fetch / XHR / navigation, the credentials
//! mode), the server's answers as raw routes, the cookies already in the jar
//! and the browser profile. What the recording cannot show is filled in and
//! listed as an [`Assumption`] on the field it concerns.

use std::collections::BTreeSet;

use serde::Serialize;
use url::Url;

use super::{redact, Entry, Format, ImportError, RecordedCookie, Recording};
use crate::headers::HeaderList;
use crate::live::{detect_family, suggest_profile};
use crate::profile::{Family, ProfileId};
use crate::safelist::{cors_unsafe_request_header_names, is_forbidden_request_header};
use crate::scenario::{
    BodyKind, Client, CredentialsMode, FormEnctype, JarCookie, JarSameSite, NavigationForm, Page,
    RawServer, RedirectMode, RequestMode, RequestSpec, RunsFrom, Scenario, ServerSetup,
};
use crate::set_cookie::{parse_set_cookie, SameSiteAttr};
use crate::simulate::SIM_EPOCH;
use crate::trace::PreflightOutcome;

pub use super::compare::{compare, RecordedOutcome};

/// Requests a scenario holds at most (the permalink's list limit); routes
/// and cookies in the jar likewise.
pub const MAX_REQUESTS: usize = crate::permalink::MAX_ITEMS;

/// The longest wait between two requests a scenario holds (ten years).
const MAX_DELAY_SECS: u64 = 10 * 366 * 86_400;

/// A cookie lives at most 400 days from its creation (RFC 6265bis §5.5).
const MAX_LIFETIME: u64 = 400 * 86_400;

/// Why an exchange matters, or does not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Relevance {
    /// A CORS request or answer: cross-origin with `Origin`, or `Access-Control-*` headers.
    Cors,
    /// It carries or sets cookies.
    Cookies,
    /// A same-origin request with neither: the user decides.
    Unsure,
    /// The document that runs the code: it becomes the page.
    Page,
    /// A CORS preflight: imported with the request it precedes.
    Preflight,
    /// A static asset (script, style, image, font…) with no CORS or cookie relevance.
    Asset,
    /// Not http(s), or the hop of a redirect imported with its first request.
    Other,
}

/// One exchange of the recording, and whether it is imported by default.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Candidate {
    /// Index into [`Recording::entries`].
    pub entry: usize,
    pub method: String,
    pub url: String,
    pub status: u16,
    pub relevance: Relevance,
    /// A few words: why it matters, or why not.
    pub why: String,
    pub selected: bool,
}

/// A value the recording does not show, filled in by the import.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Assumption {
    /// Dotted path into the scenario (as [`crate::trace::FieldError::field`]).
    pub field: String,
    /// The value chosen, as shown.
    pub value: String,
    /// Why it is assumed, and what else it could be.
    pub why: String,
}

/// An import: the rebuilt scenario (already redacted) and everything the page
/// shows next to it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Imported {
    pub format: Format,
    pub scenario: Scenario,
    /// Every exchange of the recording, with its relevance.
    pub candidates: Vec<Candidate>,
    /// The entries imported as requests, in order.
    pub selected: Vec<usize>,
    pub assumptions: Vec<Assumption>,
    /// Per scenario request, what the recording shows of it.
    pub recorded: Vec<RecordedOutcome>,
    /// What was replaced by placeholders, one line each.
    pub redactions: Vec<String>,
    pub notices: Vec<String>,
}

impl Imported {
    /// True when the user should look at the list of requests: some were
    /// left for them to decide, or more than fit were relevant.
    pub fn unsure(&self) -> bool {
        self.candidates
            .iter()
            .any(|c| c.relevance == Relevance::Unsure)
            || self
                .candidates
                .iter()
                .filter(|c| matches!(c.relevance, Relevance::Cors | Relevance::Cookies))
                .count()
                > MAX_REQUESTS
    }
}

// ---------------------------------------------------------------------------
// Reading entries

fn lower(s: Option<&str>) -> String {
    s.unwrap_or_default().to_ascii_lowercase()
}

pub(super) fn origin_of(url: &str) -> Option<String> {
    let u = Url::parse(url).ok()?;
    matches!(u.scheme(), "http" | "https").then(|| u.origin().ascii_serialization())
}

/// A CORS-preflight request (Fetch §CORS-preflight fetch): `OPTIONS` with
/// `Access-Control-Request-Method`, or what Chrome labels so.
pub(super) fn is_preflight(e: &Entry) -> bool {
    e.method.eq_ignore_ascii_case("OPTIONS")
        && (e.header("access-control-request-method").is_some()
            || e.resource_type.as_deref() == Some("preflight")
            || e.initiator_type.as_deref() == Some("preflight"))
}

/// A navigation of a document (Fetch §Requests: destination `document`,
/// `iframe`, `frame`, or Chrome's resource type `document`).
fn destination(e: &Entry) -> String {
    lower(e.header("sec-fetch-dest"))
}

fn is_navigation(e: &Entry) -> bool {
    let dest = destination(e);
    e.resource_type.as_deref() == Some("document")
        || matches!(dest.as_str(), "document" | "iframe" | "frame")
        || lower(e.header("sec-fetch-mode")) == "navigate"
}

fn is_frame(e: &Entry) -> bool {
    matches!(destination(e).as_str(), "iframe" | "frame")
}

const ASSET_TYPES: [&str; 9] = [
    "script",
    "stylesheet",
    "image",
    "font",
    "media",
    "manifest",
    "texttrack",
    "style",
    "track",
];
const ASSET_EXTENSIONS: [&str; 16] = [
    ".js", ".mjs", ".css", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".ico", ".woff",
    ".woff2", ".ttf", ".map", ".wasm", ".avif",
];

fn is_asset(e: &Entry) -> bool {
    let rt = e.resource_type.as_deref().unwrap_or("");
    let dest = destination(e);
    if ASSET_TYPES.contains(&rt)
        || ASSET_TYPES.contains(&dest.as_str())
        || dest == "audio"
        || dest == "video"
    {
        return true;
    }
    let path = Url::parse(&e.url)
        .map(|u| u.path().to_ascii_lowercase())
        .unwrap_or_default();
    ASSET_EXTENSIONS.iter().any(|x| path.ends_with(x))
}

/// `Cookie` pairs the request carried (the header, else HAR `request.cookies`).
pub(super) fn sent_cookies(e: &Entry) -> Vec<(String, String)> {
    let header: Vec<(String, String)> = e
        .header_all("cookie")
        .iter()
        .flat_map(|h| h.split(';'))
        .filter_map(|p| {
            let p = p.trim();
            (!p.is_empty()).then(|| match p.split_once('=') {
                Some((n, v)) => (n.trim().to_string(), v.trim().to_string()),
                None => (String::new(), p.to_string()),
            })
        })
        .collect();
    if !header.is_empty() {
        return header;
    }
    e.cookies
        .iter()
        .map(|c| (c.name.clone(), c.value.clone()))
        .collect()
}

/// Every `Set-Cookie` line of the response. Chrome sometimes joins several
/// in one header value with line breaks; a HAR with headers stripped keeps
/// them in `response.cookies`.
pub(super) fn set_cookie_lines(e: &Entry) -> Vec<String> {
    let Some(r) = &e.response else {
        return Vec::new();
    };
    let lines: Vec<String> = r
        .header_all("set-cookie")
        .iter()
        .flat_map(|v| v.split('\n'))
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
        .collect();
    if !lines.is_empty() {
        return lines;
    }
    r.cookies.iter().map(cookie_line).collect()
}

/// A `Set-Cookie` line from a HAR cookie's fields.
fn cookie_line(c: &RecordedCookie) -> String {
    let mut line = format!("{}={}", c.name, c.value);
    if let Some(d) = &c.domain {
        line += &format!("; Domain={d}");
    }
    if let Some(p) = &c.path {
        line += &format!("; Path={p}");
    }
    if let Some(ms) = c.expires.as_deref().and_then(super::har::iso_ms) {
        line += &format!("; Expires={}", imf_date(ms / 1000));
    }
    if c.secure == Some(true) {
        line += "; Secure";
    }
    if c.http_only == Some(true) {
        line += "; HttpOnly";
    }
    if let Some(s) = &c.same_site {
        line += &format!("; SameSite={s}");
    }
    line
}

/// The status of an exchange, 0 when none was recorded.
fn status(e: &Entry) -> u16 {
    e.response.as_ref().map_or(0, |r| r.status)
}

/// The server's answer is in the recording.
pub(super) fn answered(e: &Entry) -> bool {
    e.response
        .as_ref()
        .is_some_and(|r| r.status > 0 || !r.headers.is_empty())
}

// ---------------------------------------------------------------------------
// Picking the exchanges

/// Whether each exchange of the recording matters for CORS and cookies.
pub fn candidates(rec: &Recording) -> Vec<Candidate> {
    let page = page_entry(rec, rec.entries.len());
    let page_origin = page
        .and_then(|i| origin_of(&rec.entries[i].url))
        .or_else(|| {
            rec.entries.iter().find_map(|e| {
                e.header("origin")
                    .filter(|o| *o != "null")
                    .map(str::to_string)
            })
        });
    let hops = redirect_hops(rec);
    // Origins that set a cookie somewhere in the recording: their API calls
    // belong to the session being debugged, same-origin too (an API behind
    // the page's origin, through a dev-server proxy or the same server).
    let cookie_origins: BTreeSet<String> = rec
        .entries
        .iter()
        .filter(|e| sets_cookie(e))
        .filter_map(|e| origin_of(&e.url))
        .collect();
    rec.entries
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let (relevance, why) = if Some(i) == page {
                (
                    Relevance::Page,
                    "the document that runs the code".to_string(),
                )
            } else if hops.contains(&i) {
                (
                    Relevance::Other,
                    "a redirect hop, imported with its first request".to_string(),
                )
            } else {
                classify(e, page_origin.as_deref(), &cookie_origins)
            };
            Candidate {
                entry: i,
                method: e.method.clone(),
                url: e.url.clone(),
                status: status(e),
                selected: matches!(relevance, Relevance::Cors | Relevance::Cookies),
                relevance,
                why,
            }
        })
        .collect()
}

/// The answer sets a cookie (a `Set-Cookie` header, or HAR's cookie list).
fn sets_cookie(e: &Entry) -> bool {
    e.response.as_ref().is_some_and(|r| {
        r.headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("set-cookie"))
            || !r.cookies.is_empty()
    })
}

fn classify(
    e: &Entry,
    page_origin: Option<&str>,
    cookie_origins: &BTreeSet<String>,
) -> (Relevance, String) {
    let Some(origin) = origin_of(&e.url) else {
        return (Relevance::Other, "not an http(s) request".into());
    };
    if is_preflight(e) {
        return (Relevance::Preflight, "a CORS preflight".into());
    }
    let cross = page_origin.is_some_and(|p| p != origin);
    let sets = sets_cookie(e);
    let sends = e
        .headers
        .iter()
        .any(|(n, v)| n.eq_ignore_ascii_case("cookie") && !v.trim().is_empty())
        || !e.cookies.is_empty();
    let cors_headers = e.response.as_ref().is_some_and(|r| {
        r.headers
            .iter()
            .any(|(n, _)| n.to_ascii_lowercase().starts_with("access-control-"))
    });
    let cors_request =
        cross && e.header("origin").is_some() && lower(e.header("sec-fetch-mode")) != "navigate";
    if sets {
        return (Relevance::Cookies, "sets a cookie".into());
    }
    if sends && cross {
        return (
            Relevance::Cookies,
            "a credentialed cross-origin request".into(),
        );
    }
    if (cors_headers && cross) || cors_request {
        return (Relevance::Cors, "a cross-origin request with CORS".into());
    }
    // Chrome shows only "provisional" headers for a request it never sent
    // (its preflight failed): a cross-origin fetch or XHR is still one.
    let script = matches!(e.resource_type.as_deref(), Some("fetch" | "xhr"));
    if cross && script {
        return (Relevance::Cors, "a cross-origin fetch or XHR".into());
    }
    if is_asset(e) {
        return (Relevance::Asset, "a static asset".into());
    }
    // fetch or XHR by Chrome's resource type, or by `Sec-Fetch-Dest: empty`
    // (every browser sends it; Firefox's HAR has no resource type).
    let api_call = script || lower(e.header("sec-fetch-dest")) == "empty";
    if api_call && cookie_origins.contains(&origin) {
        return (
            Relevance::Cookies,
            "a same-origin API call where the recording sets a cookie".into(),
        );
    }
    if cross {
        return (
            Relevance::Asset,
            "a cross-origin request without CORS or cookies".into(),
        );
    }
    (
        Relevance::Unsure,
        if sends {
            "a same-origin request with cookies"
        } else {
            "a same-origin request without cookies"
        }
        .into(),
    )
}

/// The entries selected by default: CORS and cookie relevant ones, up to
/// [`MAX_REQUESTS`].
pub fn default_selection(rec: &Recording) -> Vec<usize> {
    selection_of(rec, &candidates(rec))
}

/// [`default_selection`] from candidates already computed.
pub fn selection_of(rec: &Recording, c: &[Candidate]) -> Vec<usize> {
    let mut picked: Vec<usize> = c.iter().filter(|c| c.selected).map(|c| c.entry).collect();
    if picked.is_empty() {
        // A paste of one request (cURL, fetch, headers) is always imported.
        picked = c
            .iter()
            .filter(|c| matches!(c.relevance, Relevance::Unsure | Relevance::Asset))
            .map(|c| c.entry)
            .collect();
        if rec.format == Format::Har {
            picked.clear();
        }
    }
    if picked.is_empty() && rec.format != Format::Har {
        picked = (0..rec.entries.len()).collect();
    }
    picked.truncate(MAX_REQUESTS);
    picked
}

/// Entries that are later hops of a redirect chain (HAR: one entry per hop,
/// the 3xx answer's `Location` is the next entry's URL).
fn redirect_hops(rec: &Recording) -> BTreeSet<usize> {
    let mut hops = BTreeSet::new();
    for i in 0..rec.entries.len() {
        if let Some(j) = next_hop(rec, i, &hops) {
            hops.insert(j);
        }
    }
    hops
}

/// The entry a 3xx answer of entry `i` redirected to.
fn next_hop(rec: &Recording, i: usize, taken: &BTreeSet<usize>) -> Option<usize> {
    let e = &rec.entries[i];
    let r = e.response.as_ref()?;
    if !matches!(r.status, 301 | 302 | 303 | 307 | 308) {
        return None;
    }
    let base = Url::parse(&e.url).ok()?;
    let target = base.join(r.header("location")?).ok()?;
    let mut target_s = target.to_string();
    if let Some(h) = target_s.find('#') {
        target_s.truncate(h);
    }
    (i + 1..rec.entries.len().min(i + 64)).find(|&j| {
        let n = &rec.entries[j];
        !taken.contains(&j)
            && !is_preflight(n)
            && n.url.split('#').next() == Some(target_s.as_str())
    })
}

// ---------------------------------------------------------------------------
// The page

/// The last document loaded (not in a frame, not redirected away) before
/// entry `before`.
fn page_entry(rec: &Recording, before: usize) -> Option<usize> {
    (0..before.min(rec.entries.len())).rev().find(|&i| {
        let e = &rec.entries[i];
        is_navigation(e)
            && !is_frame(e)
            && !matches!(status(e), 300..=399)
            && origin_of(&e.url).is_some()
    })
}

/// The page's URL, and why it is assumed when the recording does not show it.
fn page_url(rec: &Recording, first: usize) -> (String, Option<String>) {
    let e = &rec.entries[first];
    if let Some(i) = page_entry(rec, first) {
        return (rec.entries[i].url.clone(), None);
    }
    if let Some(page) = e
        .page
        .as_ref()
        .and_then(|id| rec.pages.iter().find(|p| &p.id == id))
        .filter(|p| origin_of(&p.title).is_some())
    {
        return (page.title.clone(), None);
    }
    if let Some(r) = e.header("referer").filter(|r| origin_of(r).is_some()) {
        let path = Url::parse(r)
            .map(|u| u.path().to_string())
            .unwrap_or_default();
        if path != "/" {
            return (r.to_string(), None);
        }
        return (
            r.to_string(),
            Some("the recording shows only the page's origin (the Referer header is cut to it by the referrer policy); the path is assumed".into()),
        );
    }
    if let Some(o) = e.header("origin").filter(|o| origin_of(o).is_some()) {
        return (
            format!("{o}/"),
            Some(
                "taken from the request's Origin header: the page's path is not in the recording"
                    .into(),
            ),
        );
    }
    if let Some(o) = e.initiator_url.as_deref().and_then(origin_of) {
        return (
            format!("{o}/"),
            Some("taken from the origin of the script that made the request".into()),
        );
    }
    let o = origin_of(&e.url).unwrap_or_else(|| "http://localhost".into());
    (
        format!("{o}/"),
        Some("the recording does not show the page: assumed on the request's own origin (a same-origin request)".into()),
    )
}

// ---------------------------------------------------------------------------
// Requests

/// Headers the browser adds on its own (or DevTools does, with "Disable
/// cache"), not the code: never imported unless a preflight's
/// `Access-Control-Request-Headers` names them.
const BROWSER_HEADERS: [&str; 20] = [
    "user-agent",
    "accept-language",
    "cache-control",
    "pragma",
    "priority",
    "upgrade-insecure-requests",
    "x-client-data",
    "purpose",
    "save-data",
    "device-memory",
    "dpr",
    "viewport-width",
    "rtt",
    "downlink",
    "ect",
    "if-none-match",
    "if-modified-since",
    "if-range",
    "x-crumbtrail-lab",
    "content-length",
];

/// The request headers the code set: Fetch §forbidden request-headers,
/// pseudo-headers and what the browser adds by itself are left out; a
/// preflight's `Access-Control-Request-Headers` names the unsafe ones for sure.
fn code_headers(e: &Entry, preflight: Option<&Entry>) -> Vec<(String, String)> {
    let asked: Vec<String> = preflight
        .and_then(|p| p.header("access-control-request-headers"))
        .map(|v| {
            v.split(',')
                .map(|s| s.trim().to_ascii_lowercase())
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let mut out: Vec<(String, String)> = Vec::new();
    for (name, value) in &e.headers {
        let n = name.to_ascii_lowercase();
        let named = asked.contains(&n);
        let skip = name.starts_with(':')
            || is_forbidden_request_header(name, value)
            || (BROWSER_HEADERS.contains(&n.as_str()) && !named)
            || n == "content-type"
            || (n == "accept" && !named && (value == "*/*" || value.contains("text/html")));
        if !skip && !out.iter().any(|(o, _)| o.eq_ignore_ascii_case(name)) {
            out.push((name.clone(), value.clone()));
        }
    }
    // A header the preflight asked about that the recording does not show
    // (Chrome's provisional headers): keep its name.
    for n in asked {
        let present = out.iter().any(|(o, _)| o.eq_ignore_ascii_case(&n)) || n == "content-type";
        if !present && !is_forbidden_request_header(&n, "") {
            out.push((n, "x".into()));
        }
    }
    out
}

/// The body type whose `Content-Type` the browser would add itself (Fetch
/// §BodyInit extract), or the code's `Content-Type` header.
fn body_of(e: &Entry, navigation: bool) -> (BodyKind, Option<String>) {
    let ct = e
        .header("content-type")
        .map(str::to_string)
        .or_else(|| e.body_mime.clone());
    if !e.has_body && ct.is_none() {
        return (BodyKind::None, None);
    }
    if navigation {
        return (BodyKind::UrlEncoded, None);
    }
    let Some(ct) = ct else {
        return (BodyKind::Text, None);
    };
    let l = ct.to_ascii_lowercase().replace(' ', "");
    if l == "text/plain;charset=utf-8" {
        (BodyKind::Text, None)
    } else if l == "application/x-www-form-urlencoded;charset=utf-8" {
        (BodyKind::UrlEncoded, None)
    } else if l.starts_with("multipart/form-data;boundary=") {
        (BodyKind::FormData, None)
    } else if l.starts_with("application/json") {
        (BodyKind::Json, Some(ct))
    } else {
        (BodyKind::Text, Some(ct))
    }
}

/// A form POST's `enctype` from the `Content-Type` its body went with
/// (HTML §Form submission, "submit as entity body").
fn enctype_of(e: &Entry) -> FormEnctype {
    let ct = lower(e.header("content-type").or(e.body_mime.as_deref()));
    if ct.starts_with("multipart/form-data") {
        FormEnctype::Multipart
    } else if ct.starts_with("text/plain") {
        FormEnctype::TextPlain
    } else {
        FormEnctype::UrlEncoded
    }
}

/// The document a request ran from, as the import tracks it: the page, or
/// the one a top-level navigation of the import loaded (its final URL).
struct Document {
    origin: String,
    /// The request that loaded it, and its URL.
    by: usize,
    url: String,
}

/// HTML §Navigating across documents: which document request `e` ran from,
/// once an imported navigation loaded another one. The request's `Origin`
/// (else its `Referer`) names it; without either, a recording of one tab
/// says the document that tab shows, the one loaded last. Returns the
/// origin the request was made from, and why it is assumed.
fn runs_from(
    e: &Entry,
    page_origin: &str,
    doc: Option<&Document>,
) -> (RunsFrom, String, Option<String>) {
    let Some(doc) = doc else {
        return (RunsFrom::Page, page_origin.to_string(), None);
    };
    let evidence = e
        .header("origin")
        .filter(|o| *o != "null")
        .and_then(origin_of)
        .or_else(|| e.header("referer").and_then(origin_of));
    match evidence {
        Some(o) if o == page_origin && o != doc.origin => {
            (RunsFrom::Page, page_origin.to_string(), None)
        }
        Some(_) => (RunsFrom::Current, doc.origin.clone(), None),
        None => (
            RunsFrom::Current,
            doc.origin.clone(),
            Some(format!(
                "the recording shows no Origin or Referer for this request; request {} loaded {} in the recorded tab before it, so it is assumed to run from that document",
                doc.by + 1,
                doc.url
            )),
        ),
    }
}

/// The document a top-level navigation chain loaded: its last hop, when
/// that was answered with something other than a redirect or a 204/205
/// (HTML §Navigating across documents: those load no document).
fn loaded_document(rec: &Recording, chain: &Chain, by: usize) -> Option<Document> {
    let e = &rec.entries[chain.hops.last()?.entry];
    let ok = answered(e) && !matches!(status(e), 204 | 205 | 300..=399) && e.error.is_none();
    let origin = origin_of(&e.url).filter(|_| ok)?;
    Some(Document {
        origin,
        by,
        url: e.url.clone(),
    })
}

/// What one scenario request was built from.
struct Built {
    spec: RequestSpec,
    assumptions: Vec<Assumption>,
    /// A cross-origin script request that carried no cookie: its credentials
    /// mode is settled against the recording afterwards.
    credentials_unknown: bool,
    /// The origin of the document it ran from.
    from_origin: String,
}

fn credentials(e: &Entry, cross: bool, ctx: &Ctx) -> (CredentialsMode, Option<String>) {
    if let Some(c) = e.fetch_credentials.as_deref() {
        return match c {
            "include" => (CredentialsMode::Include, None),
            "omit" => (CredentialsMode::Omit, None),
            _ => (CredentialsMode::SameOrigin, None),
        };
    }
    let sent = !sent_cookies(e).is_empty();
    let allows = e
        .response
        .as_ref()
        .and_then(|r| r.header("access-control-allow-credentials"))
        .is_some_and(|v| v.trim() == "true");
    match (cross, sent) {
        (true, true) => (CredentialsMode::Include, None),
        (false, true) => (
            CredentialsMode::SameOrigin,
            Some("cookies went to the page's own origin, which `same-origin` and `include` both do".into()),
        ),
        (true, false) if allows => (
            CredentialsMode::Include,
            Some(format!("no cookie went with this cross-origin request{}, so the recording cannot tell `include` from `same-origin`; the server answers Access-Control-Allow-Credentials: true, so it expects credentials", ctx.cookie_caveat())),
        ),
        (true, false) => (
            CredentialsMode::SameOrigin,
            Some(format!("no cookie went with this cross-origin request{}, so the recording cannot tell `include` from the default `same-origin`", ctx.cookie_caveat())),
        ),
        (false, false) => (
            CredentialsMode::SameOrigin,
            Some("no cookie went with this request; `same-origin` is the default".into()),
        ),
    }
}

/// fetch, XHR or a navigation, from `Sec-Fetch-Mode` / `Sec-Fetch-Dest`
/// (Fetch §Sec-Fetch headers) and Chrome's resource type.
fn client(e: &Entry, cross: bool, ctx: &Ctx) -> (Client, Vec<String>) {
    let mut why = Vec::new();
    if is_navigation(e) {
        if is_frame(e) {
            return (Client::Iframe, why);
        }
        // Fetch §Sec-Fetch-Site: `none` is a navigation the user started
        // (address bar, bookmark), not one a page made.
        if lower(e.header("sec-fetch-site")) == "none" {
            return (Client::Visit, why);
        }
        // HTML §Form submission: a top-level POST is a form's; a GET form
        // and a link send the same request, so a GET is a link.
        let form = if e.method.eq_ignore_ascii_case("POST") {
            NavigationForm::FormPost
        } else {
            NavigationForm::Link
        };
        return (Client::Navigation { form }, why);
    }
    let (cred, cred_why) = credentials(e, cross, ctx);
    why.extend(cred_why);
    let rt = e.resource_type.as_deref().unwrap_or("");
    let mode = match e
        .fetch_mode
        .as_deref()
        .unwrap_or(&lower(e.header("sec-fetch-mode")))
    {
        "no-cors" => RequestMode::NoCors,
        "same-origin" => RequestMode::SameOrigin,
        _ => RequestMode::Cors,
    };
    let xhr = rt == "xhr"
        || e.header("x-requested-with")
            .is_some_and(|v| v.eq_ignore_ascii_case("xmlhttprequest"));
    if xhr {
        return (
            Client::Xhr {
                with_credentials: cred == CredentialsMode::Include,
            },
            why,
        );
    }
    if rt != "fetch" {
        why.insert(
            0,
            "the recording does not tell fetch() from XMLHttpRequest: fetch() is assumed".into(),
        );
    }
    (
        Client::Fetch {
            mode,
            credentials: cred,
            redirect: RedirectMode::Follow,
        },
        why,
    )
}

/// Everything the request builders read.
struct Ctx<'a> {
    rec: &'a Recording,
    page: Url,
    page_origin: String,
    /// The HAR has no cookie at all (Chrome's sanitized export).
    sanitized: bool,
    /// Milliseconds of the first imported request.
    start_ms: Option<i64>,
}

impl Ctx<'_> {
    fn cookie_caveat(&self) -> &'static str {
        if self.sanitized {
            " (this HAR has no cookies at all)"
        } else {
            ""
        }
    }
}

fn build_request(
    ctx: &Ctx,
    chain: &Chain,
    index: usize,
    prev_ms: Option<i64>,
    doc: Option<&Document>,
) -> Built {
    let e = &ctx.rec.entries[chain.hops[0].entry];
    let pre = chain.hops[0].preflight.map(|p| &ctx.rec.entries[p]);
    let (runs_from, from_origin, runs_why) = runs_from(e, &ctx.page_origin, doc);
    let cross = origin_of(&e.url).as_deref() != Some(from_origin.as_str());
    let (client, client_why) = client(e, cross, ctx);
    // A visit starts from the browser, not from a document.
    let runs_from = if client == Client::Visit {
        RunsFrom::Page
    } else {
        runs_from
    };
    let enctype = match client {
        Client::Navigation {
            form: NavigationForm::FormPost,
        } => enctype_of(e),
        _ => FormEnctype::UrlEncoded,
    };
    let navigation = !client.is_script();
    let credentials_unknown =
        cross && !navigation && e.fetch_credentials.is_none() && sent_cookies(e).is_empty();
    let (body, content_type) = body_of(e, navigation);
    let mut headers = if navigation {
        Vec::new()
    } else {
        code_headers(e, pre)
    };
    if let Some(ct) = content_type {
        headers.push(("Content-Type".into(), ct));
    }
    let delay_secs = match (prev_ms, e.started_ms) {
        (Some(a), Some(b)) if b > a => (b.saturating_sub(a).saturating_add(500) / 1000) as u64,
        _ => 0,
    }
    .min(MAX_DELAY_SECS);
    let mut assumptions = Vec::new();
    if !client_why.is_empty() {
        assumptions.push(Assumption {
            field: format!("requests.{index}.client"),
            value: client_label(&client),
            why: client_why.join("; "),
        });
    }
    if let Some(why) = runs_why.filter(|_| client != Client::Visit) {
        assumptions.push(Assumption {
            field: format!("requests.{index}.runs_from"),
            value: "the current document".into(),
            why,
        });
    }
    if e.has_body && ctx.rec.format != Format::Har && e.body_mime.is_none() {
        assumptions.push(Assumption {
            field: format!("requests.{index}.body"),
            value: "text".into(),
            why: "the request has a body of unknown type".into(),
        });
    }
    Built {
        spec: RequestSpec {
            url: e.url.clone(),
            method: e.method.clone(),
            headers: headers
                .iter()
                .map(|(n, v)| format!("{n}: {v}"))
                .collect::<Vec<_>>()
                .join("\n"),
            body,
            client,
            delay_secs,
            // Bodies are never imported (only their type), a form's fields neither.
            fields: String::new(),
            enctype,
            runs_from,
            // fetch's targetAddressSpace option leaves no trace in a recording.
            target_address_space: None,
        },
        assumptions,
        credentials_unknown,
        from_origin,
    }
}

pub(super) fn client_label(c: &Client) -> String {
    match c {
        Client::Fetch {
            mode, credentials, ..
        } => format!(
            "fetch(), mode {}, credentials {}",
            match mode {
                RequestMode::Cors => "cors",
                RequestMode::NoCors => "no-cors",
                RequestMode::SameOrigin => "same-origin",
                RequestMode::Navigate => "navigate",
            },
            match credentials {
                CredentialsMode::Omit => "omit",
                CredentialsMode::SameOrigin => "same-origin",
                CredentialsMode::Include => "include",
            }
        ),
        Client::Xhr { with_credentials } => {
            format!("XMLHttpRequest, withCredentials {with_credentials}")
        }
        Client::Axios {
            with_credentials, ..
        } => format!("axios, withCredentials {with_credentials}"),
        Client::Navigation {
            form: NavigationForm::Link,
        } => "a link (top-level GET)".into(),
        Client::Navigation {
            form: NavigationForm::FormPost,
        } => "a form POST".into(),
        Client::Navigation {
            form: NavigationForm::FormGet,
        } => "a GET form".into(),
        Client::Iframe => "an iframe load".into(),
        Client::Visit => "a visit (typed URL or bookmark)".into(),
    }
}

// ---------------------------------------------------------------------------
// Chains: a request, its redirect hops, and each hop's preflight

struct Hop {
    entry: usize,
    preflight: Option<usize>,
}

struct Chain {
    hops: Vec<Hop>,
}

/// The preflight of entry `i`: an `OPTIONS` for the same URL asking for its
/// method, near it (Chrome records it just after the request it precedes).
fn find_preflight(rec: &Recording, i: usize, used: &BTreeSet<usize>) -> Option<usize> {
    let e = &rec.entries[i];
    let lo = i.saturating_sub(64);
    let hi = (i + 64).min(rec.entries.len());
    let mut near: Vec<usize> = (lo..hi).filter(|&j| j != i && !used.contains(&j)).collect();
    near.sort_by_key(|&j| (j as i64 - i as i64).abs() * 2 + i64::from(j > i));
    near.into_iter().find(|&j| {
        let p = &rec.entries[j];
        is_preflight(p)
            && p.url == e.url
            && p.header("access-control-request-method")
                .is_none_or(|m| m.eq_ignore_ascii_case(&e.method))
    })
}

fn chains(rec: &Recording, chosen: &[usize]) -> Vec<Chain> {
    let mut used: BTreeSet<usize> = BTreeSet::new();
    let mut out = Vec::new();
    for &first in chosen {
        if used.contains(&first) {
            continue;
        }
        let mut hops = Vec::new();
        let mut cur = Some(first);
        while let Some(i) = cur {
            used.insert(i);
            let preflight = find_preflight(rec, i, &used);
            used.extend(preflight);
            hops.push(Hop {
                entry: i,
                preflight,
            });
            cur = next_hop(rec, i, &used);
            if hops.len() > 20 {
                break;
            }
        }
        out.push(Chain { hops });
    }
    out
}

// ---------------------------------------------------------------------------
// The import

/// Rebuilds the scenario from the entries `selection` names (see
/// [`candidates`]; preflights and redirect hops come with their request).
pub fn reconstruct(rec: &Recording, selection: &[usize]) -> Result<Imported, ImportError> {
    reconstruct_with(rec, selection, candidates(rec))
}

/// [`reconstruct`] with the recording's [`candidates`] already computed (a
/// long recording need not be classified twice).
pub fn reconstruct_with(
    rec: &Recording,
    selection: &[usize],
    candidates: Vec<Candidate>,
) -> Result<Imported, ImportError> {
    let mut notices = rec.notices.clone();
    let mut chosen: Vec<usize> = selection
        .iter()
        .copied()
        .filter(|&i| {
            i < rec.entries.len()
                && !is_preflight(&rec.entries[i])
                && origin_of(&rec.entries[i].url).is_some()
        })
        .collect();
    chosen.sort_unstable();
    chosen.dedup();
    if chosen.is_empty() {
        return Err(ImportError(
            "None of these requests is a CORS or cookie request: pick the ones to import from the list.".into(),
        ));
    }
    if chosen.len() > MAX_REQUESTS {
        notices.push(format!(
            "{} requests were picked; a scenario holds {MAX_REQUESTS}, so only the first {MAX_REQUESTS} are imported.",
            chosen.len()
        ));
        chosen.truncate(MAX_REQUESTS);
    }
    let (page, page_why) = page_url(rec, chosen[0]);
    let page_url = Url::parse(&page)
        .map_err(|e| ImportError(format!("The page URL `{page}` does not read: {e}")))?;
    let sanitized = rec.format == Format::Har
        && rec
            .entries
            .iter()
            .all(|e| sent_cookies(e).is_empty() && set_cookie_lines(e).is_empty());
    if sanitized {
        notices.push("This HAR has no cookies at all: none went out or came back, or it is Chrome's \"Export HAR (sanitized)\", which leaves out Cookie and Set-Cookie. If cookies matter and you exported it sanitized, export it \"with sensitive data\" (Crumbtrail replaces every value before anything leaves this page).".into());
    }
    let chains = chains(rec, &chosen);
    let ctx = Ctx {
        rec,
        page_origin: page_url.origin().ascii_serialization(),
        page: page_url,
        sanitized,
        start_ms: rec.entries[chains[0].hops[0].entry].started_ms,
    };
    let mut assumptions = Vec::new();
    if let Some(why) = page_why {
        assumptions.push(Assumption {
            field: "page.url".into(),
            value: page.clone(),
            why,
        });
    }
    let mut requests = Vec::new();
    let mut prev_ms = None;
    let mut unknown_credentials = Vec::new();
    // The document the recorded tab shows, once an imported navigation loaded one.
    let mut doc: Option<Document> = None;
    let mut from_origins = Vec::new();
    for (index, chain) in chains.iter().enumerate() {
        let built = build_request(&ctx, chain, index, prev_ms, doc.as_ref());
        prev_ms = rec.entries[chain.hops[0].entry].started_ms.or(prev_ms);
        if built.spec.client.is_top_level_navigation() {
            doc = loaded_document(rec, chain, index).or(doc);
        }
        from_origins.push(built.from_origin);
        requests.push(built.spec);
        assumptions.extend(built.assumptions);
        if built.credentials_unknown {
            unknown_credentials.push(index);
        }
    }
    let mut routes = super::routes::build(
        rec,
        &chains_view(&chains),
        &requests,
        &ctx.page_origin,
        ctx.start_ms,
        &mut assumptions,
    );
    if routes.routes.len() > MAX_REQUESTS {
        notices.push(format!(
            "The answers need {} routes; a scenario holds {MAX_REQUESTS}, so the last ones are left out (their requests get 404): import fewer requests.",
            routes.routes.len()
        ));
        routes.routes.truncate(MAX_REQUESTS);
    }
    let (mut jar, jar_assumptions) = jar_at_start(&ctx, &chains);
    if jar.len() > MAX_REQUESTS {
        notices.push(format!(
            "{} cookies were in the jar before the recording; a scenario holds {MAX_REQUESTS}, so the last ones are left out.",
            jar.len()
        ));
        jar.truncate(MAX_REQUESTS);
    }
    let jar_assumptions: Vec<Assumption> = jar_assumptions
        .into_iter()
        .filter(|a| field_index(&a.field).is_some_and(|i| i < jar.len()))
        .collect();
    assumptions.extend(jar_assumptions);
    let (profile, profile_why) = profile_of(rec, &chosen);
    if let Some(why) = profile_why {
        assumptions.push(Assumption {
            field: "profile".into(),
            value: profile.key().into(),
            why,
        });
    }
    let mut scenario = Scenario {
        page: Page {
            url: page,
            top_level_url: None,
            local_network: Default::default(),
            storage_access: Default::default(),
        },
        profile,
        requests,
        server: ServerSetup::Raw(RawServer {
            routes: routes.routes,
        }),
        proxy: None,
        jar_at_start: jar,
        // The rules as Crumbtrail has them today; the recording's browser
        // version is not pinned.
        profile_version: None,
    };
    let recorded: Vec<RecordedOutcome> = chains
        .iter()
        .enumerate()
        .map(|(i, c)| {
            super::compare::recorded(
                rec,
                i,
                &hop_entries(c),
                &scenario.requests[i].client,
                &from_origins[i],
            )
        })
        .collect();
    let redactions = redact::redact(&mut scenario);
    let mut imported = Imported {
        format: rec.format,
        scenario,
        candidates,
        selected: chosen,
        assumptions,
        recorded,
        redactions,
        notices,
    };
    for c in imported.candidates.iter_mut() {
        c.selected = imported.selected.contains(&c.entry);
    }
    // The profile first: third-party cookie blocking explains a cookie that
    // is never sent back as well as a credentials mode does, and the
    // server's `Access-Control-Allow-Credentials: true` already said which.
    settle_profile(&mut imported);
    settle_credentials(&mut imported, &unknown_credentials);
    mark_guessed_preflights(&mut imported, &routes.guessed_preflight);
    Ok(imported)
}

fn hop_entries(c: &Chain) -> Vec<(usize, Option<usize>)> {
    c.hops.iter().map(|h| (h.entry, h.preflight)).collect()
}

fn chains_view(chains: &[Chain]) -> Vec<Vec<(usize, Option<usize>)>> {
    chains.iter().map(hop_entries).collect()
}

/// The browser profile from the `User-Agent` (and the HAR's creator).
fn profile_of(rec: &Recording, chosen: &[usize]) -> (ProfileId, Option<String>) {
    let ua = chosen
        .iter()
        .copied()
        .chain(0..rec.entries.len())
        .find_map(|i| rec.entries.get(i)?.header("user-agent"))
        .unwrap_or("");
    let creator = lower(rec.creator.as_deref().or(rec.browser.as_deref()));
    let family = detect_family(ua).or(if creator.contains("firefox") {
        Some(Family::Firefox)
    } else if creator.contains("webkit") || creator.contains("safari") {
        Some(Family::Safari)
    } else if creator.contains("webinspector") || creator.contains("chrome") {
        Some(Family::Chromium)
    } else {
        None
    });
    match family {
        Some(Family::Firefox) => (ProfileId::Firefox, None),
        Some(Family::Safari) => (ProfileId::Safari, None),
        Some(Family::WebKitGtk) => (ProfileId::WebKitGtk, None),
        Some(Family::Chromium) => (
            ProfileId::Chrome,
            Some("a Chromium browser; the recording does not say whether it blocks third-party cookies (Chrome's default allows them; Incognito and a fresh Chromium profile block them: chrome-no3pc)".into()),
        ),
        None => (
            ProfileId::Chrome,
            Some("the recording does not say which browser made it".into()),
        ),
    }
}

/// `client` with credentials included or not (fetch `credentials`, XHR and
/// axios `withCredentials`).
fn with_credentials(client: Client, include: bool) -> Client {
    match client {
        Client::Fetch { mode, redirect, .. } => Client::Fetch {
            mode,
            credentials: if include {
                CredentialsMode::Include
            } else {
                CredentialsMode::SameOrigin
            },
            redirect,
        },
        Client::Xhr { .. } => Client::Xhr {
            with_credentials: include,
        },
        Client::Axios {
            with_xsrf_token, ..
        } => Client::Axios {
            with_credentials: include,
            with_xsrf_token,
        },
        other => other,
    }
}

/// The credentials mode of a cross-origin request that carried no cookie is
/// not in the recording (Fetch §Requests: `include` and `same-origin` send
/// the same thing when the jar has no cookie for the URL). It is chosen so
/// the simulation shows what the recording shows (an `Access-Control-Allow-
/// Origin: *` answer the page could not read says `include`); a request the
/// recording cannot decide takes the mode of a decided request to the same
/// origin (code uses one fetch wrapper per API).
fn settle_credentials(imported: &mut Imported, unknown: &[usize]) {
    let agreeing = |s: &Scenario, im: &Imported, i: usize| {
        let t = crate::simulate(s);
        compare(&t, im)
            .iter()
            .filter(|r| r.request == i && r.agree)
            .count()
    };
    let mut decided: Vec<(usize, bool)> = Vec::new();
    for &i in unknown {
        let mut scores = [0usize; 2];
        for (k, include) in [false, true].into_iter().enumerate() {
            let mut s = imported.scenario.clone();
            s.requests[i].client = with_credentials(s.requests[i].client, include);
            scores[k] = agreeing(&s, imported, i);
        }
        if scores[0] != scores[1] {
            let include = scores[1] > scores[0];
            let c = &mut imported.scenario.requests[i].client;
            *c = with_credentials(*c, include);
            decided.push((i, include));
            note_credentials(
                imported,
                i,
                include,
                "so that the simulation shows what the recording shows",
            );
        }
    }
    for &i in unknown {
        if decided.iter().any(|(d, _)| *d == i) {
            continue;
        }
        let origin = origin_of(&imported.scenario.requests[i].url);
        let like = decided
            .iter()
            .find(|(d, _)| origin_of(&imported.scenario.requests[*d].url) == origin)
            .or(decided.first());
        if let Some(&(d, include)) = like {
            let c = &mut imported.scenario.requests[i].client;
            *c = with_credentials(*c, include);
            let why = format!("like request {}, whose recording decides it", d + 1);
            note_credentials(imported, i, include, &why);
        }
    }
}

fn note_credentials(imported: &mut Imported, i: usize, include: bool, why: &str) {
    let field = format!("requests.{i}.client");
    let value = client_label(&imported.scenario.requests[i].client);
    let text = format!(
        "no cookie went with this cross-origin request, so the recording cannot show its credentials mode; {} is assumed, {why}",
        if include { "include" } else { "same-origin" }
    );
    match imported.assumptions.iter_mut().find(|a| a.field == field) {
        Some(a) => {
            a.value = value;
            a.why = text;
        }
        None => imported.assumptions.push(Assumption {
            field,
            value,
            why: text,
        }),
    }
}

/// A Chromium recording whose cookies say third-party cookies were blocked
/// gets the `chrome-no3pc` profile (live mode's suggestion, on the recording).
fn settle_profile(imported: &mut Imported) {
    if imported.scenario.profile != ProfileId::Chrome {
        return;
    }
    let agree = |s: &Scenario, im: &Imported| {
        let t = crate::simulate(s);
        let rows = compare(&t, im);
        (rows.iter().filter(|r| r.agree).count(), rows)
    };
    let (base, rows) = agree(&imported.scenario, imported);
    let Some(p) = suggest_profile(Family::Chromium, ProfileId::Chrome, &rows) else {
        return;
    };
    let mut other = imported.scenario.clone();
    other.profile = p;
    if agree(&other, imported).0 > base {
        imported.scenario.profile = p;
        if let Some(a) = imported
            .assumptions
            .iter_mut()
            .find(|a| a.field == "profile")
        {
            a.value = p.key().into();
            a.why = "a Chromium browser whose cookies show that it blocks third-party cookies (Incognito, a fresh Chromium profile, or the user's setting)".into();
        }
    }
}

/// Routes whose preflight answer was made up (none was recorded) are
/// assumptions only when the simulation sends a preflight there.
fn mark_guessed_preflights(imported: &mut Imported, guessed: &[(usize, usize)]) {
    if guessed.is_empty() {
        return;
    }
    let t = crate::simulate(&imported.scenario);
    for &(request, route) in guessed {
        let used = t.requests.get(request).is_some_and(|r| {
            matches!(
                r.preflight,
                PreflightOutcome::Passed | PreflightOutcome::Failed
            )
        });
        let field = format!("server.routes.{route}.preflight.headers");
        if used && !imported.assumptions.iter().any(|a| a.field == field) {
            imported.assumptions.push(Assumption {
                field,
                value: "204 allowing this request".into(),
                why: format!("request {} needs a preflight, but none was recorded (the browser may have had one cached from before the recording): this answer lets it through", request + 1),
            });
        }
    }
}

// ---------------------------------------------------------------------------
// Cookies in the jar at the start

/// A cookie the first request that sends it did not get from an imported
/// response: it was in the jar before (RFC 6265bis §5.7 records).
fn jar_at_start(ctx: &Ctx, chains: &[Chain]) -> (Vec<JarCookie>, Vec<Assumption>) {
    let rec = ctx.rec;
    let mut jar: Vec<JarCookie> = Vec::new();
    let mut assumptions = Vec::new();
    let mut set_so_far: BTreeSet<String> = BTreeSet::new();
    for hop in chains.iter().flat_map(|c| c.hops.iter()) {
        let e = &rec.entries[hop.entry];
        for (name, value) in sent_cookies(e) {
            if set_so_far.contains(&name) || jar.iter().any(|c| c.name == name) {
                continue;
            }
            let index = jar.len();
            let (cookie, why) = jar_cookie(ctx, hop.entry, &name, &value);
            for (field, text) in why {
                assumptions.push(Assumption {
                    field: format!("jar_at_start.{index}.{field}"),
                    value: String::new(),
                    why: text,
                });
            }
            jar.push(capped(cookie));
        }
        for line in set_cookie_lines(e) {
            if let Ok(p) = parse_set_cookie(&line) {
                set_so_far.insert(p.name);
            }
        }
    }
    for a in assumptions.iter_mut() {
        a.value = assumed_value(&jar, &a.field);
    }
    (jar, assumptions)
}

/// N in `jar_at_start.N.field`.
fn field_index(field: &str) -> Option<usize> {
    field.split('.').nth(1)?.parse().ok()
}

fn assumed_value(jar: &[JarCookie], field: &str) -> String {
    let mut parts = field.split('.').skip(1);
    let (Some(i), Some(f)) = (
        parts.next().and_then(|i| i.parse::<usize>().ok()),
        parts.next(),
    ) else {
        return String::new();
    };
    let Some(c) = jar.get(i) else {
        return String::new();
    };
    match f {
        "same_site" => format!("{:?}", c.same_site).to_ascii_lowercase(),
        "age_secs" => format!("{} s", c.age_secs),
        "http_only" => c.http_only.to_string(),
        "host_only" => c.host_only.to_string(),
        "secure" => c.secure.to_string(),
        "expires_in_secs" => c
            .expires_in_secs
            .map(|n| format!("{n} s"))
            .unwrap_or_else(|| "session".into()),
        "domain" => c.domain.clone(),
        "path" => c.path.clone(),
        _ => String::new(),
    }
}

/// Seconds from the first imported request to `ms`, at least 1.
fn secs_after(ctx: &Ctx, ms: i64) -> Option<u64> {
    let start = ctx.start_ms?;
    let d = (ms - start) / 1000;
    (d > 0).then_some(d as u64)
}

fn same_site(s: Option<&str>) -> Option<JarSameSite> {
    match lower(s).as_str() {
        "strict" => Some(JarSameSite::Strict),
        "lax" => Some(JarSameSite::Lax),
        "none" | "no_restriction" => Some(JarSameSite::None),
        "" | "unspecified" => None,
        _ => None,
    }
}

fn jar_cookie(
    ctx: &Ctx,
    entry: usize,
    name: &str,
    value: &str,
) -> (JarCookie, Vec<(&'static str, String)>) {
    let rec = ctx.rec;
    let e = &rec.entries[entry];
    let url = Url::parse(&e.url).ok();
    let host = url
        .as_ref()
        .and_then(|u| u.host_str())
        .unwrap_or("localhost")
        .to_string();
    let https = url.as_ref().is_some_and(|u| u.scheme() == "https");
    let mut c = JarCookie {
        name: name.into(),
        value: value.into(),
        domain: host.clone(),
        secure: https,
        age_secs: 600,
        ..JarCookie::default()
    };
    let mut why = Vec::new();
    let before = "it was in the browser before the recording began";
    // Chrome's HAR lists the cookies it sent with their attributes.
    if let Some(rc) = e
        .cookies
        .iter()
        .find(|rc| rc.name == name && rc.domain.is_some())
    {
        let d = rc.domain.clone().unwrap_or_default();
        c.host_only = !d.starts_with('.');
        c.domain = d.trim_start_matches('.').to_string();
        c.path = rc.path.clone().unwrap_or_else(|| "/".into());
        c.secure = rc.secure.unwrap_or(c.secure);
        c.http_only = rc.http_only.unwrap_or(false);
        c.same_site = same_site(rc.same_site.as_deref()).unwrap_or(JarSameSite::Unspecified);
        c.expires_in_secs = rc
            .expires
            .as_deref()
            .and_then(super::har::iso_ms)
            .and_then(|ms| secs_after(ctx, ms));
        why.push((
            "age_secs",
            format!("{before}; when it was created is not recorded"),
        ));
        return (c, why);
    }
    // A response of the recording that was not imported set it.
    let earlier = (0..entry).rev().find_map(|j| {
        set_cookie_lines(&rec.entries[j])
            .into_iter()
            .filter_map(|l| parse_set_cookie(&l).ok())
            .find(|p| p.name == name)
            .map(|p| (j, p))
    });
    if let Some((j, p)) = earlier {
        let src = &rec.entries[j];
        if let Some(d) = p.domain.filter(|d| !d.is_empty()) {
            c.domain = d;
            c.host_only = false;
        } else if let Some(h) = Url::parse(&src.url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
        {
            c.domain = h;
        }
        c.path = p
            .path
            .filter(|p| p.starts_with('/'))
            .unwrap_or_else(|| "/".into());
        c.secure = p.secure;
        c.http_only = p.http_only;
        c.same_site = match p.same_site {
            SameSiteAttr::Strict => JarSameSite::Strict,
            SameSiteAttr::Lax => JarSameSite::Lax,
            SameSiteAttr::None => JarSameSite::None,
            SameSiteAttr::Unspecified => JarSameSite::Unspecified,
        };
        if let (Some(set_ms), Some(start)) = (src.started_ms, ctx.start_ms) {
            c.age_secs = (start.saturating_sub(set_ms) / 1000).max(0) as u64;
        }
        c.expires_in_secs = match (p.max_age, p.expires) {
            (Some(n), _) if n > 0 => Some((n as u64).saturating_sub(c.age_secs).max(1)),
            (None, Some(t)) => secs_after(ctx, t * 1000),
            _ => None,
        };
        return (c, why);
    }
    // Nothing in the recording: the attributes are assumed.
    let cross = origin_of(&e.url).as_deref() != Some(ctx.page_origin.as_str());
    let cross_site = cross && !same_site_urls(&ctx.page, url.as_ref());
    if cross_site && !is_navigation(e) {
        c.same_site = JarSameSite::None;
        c.secure = true;
        why.push((
            "same_site",
            "it went on a cross-site request, which only a SameSite=None cookie does".into(),
        ));
    } else {
        why.push((
            "same_site",
            format!("{before}; its SameSite is not recorded (no SameSite: Lax in Chrome)"),
        ));
    }
    why.push((
        "domain",
        "the request's host, host-only: its Domain is not recorded".into(),
    ));
    why.push((
        "http_only",
        "not recorded: only document.cookie would see the difference".into(),
    ));
    why.push(("expires_in_secs", "not recorded: a session cookie".into()));
    why.push((
        "age_secs",
        format!("{before}; assumed 10 minutes before the first request"),
    ));
    (c, why)
}

/// Age and lifetime within what a browser keeps (400 days from creation);
/// a cookie for a public suffix or an IP address is host-only (RFC 6265bis
/// §5.7 step 9, §5.1.3), as the browser stored it.
fn capped(mut c: JarCookie) -> JarCookie {
    let ip = url::Host::parse(&c.domain).is_ok_and(|h| !matches!(h, url::Host::Domain(_)));
    if !c.host_only && (ip || crate::site::is_public_suffix(&c.domain)) {
        c.host_only = true;
    }
    c.age_secs = c.age_secs.min(MAX_LIFETIME - 1);
    c.expires_in_secs = c
        .expires_in_secs
        .map(|n| n.clamp(1, MAX_LIFETIME - c.age_secs));
    c
}

fn same_site_urls(a: &Url, b: Option<&Url>) -> bool {
    b.is_some_and(|b| crate::site::same_site(a, b, crate::site::SiteRules::HTML))
}

// ---------------------------------------------------------------------------
// Dates

/// IMF-fixdate (RFC 9110 §5.6.7) for Unix seconds, as `Expires` writes it.
pub(super) fn imf_date(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][days.rem_euclid(7) as usize];
    let month = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ][(m - 1) as usize];
    format!(
        "{weekday}, {d:02} {month} {y:04} {:02}:{:02}:{:02} GMT",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// (year, month, day) of a day count since 1970-01-01 (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Seconds to add to a recorded date to put it on the simulated clock, which
/// starts at [`SIM_EPOCH`] when the first imported request is made.
pub(super) fn clock_shift(start_ms: Option<i64>) -> Option<i64> {
    start_ms.map(|ms| SIM_EPOCH - ms.div_euclid(1000))
}

/// The code-set headers plus the body's Content-Type, as the browser checks
/// them for a preflight (Fetch §CORS-unsafe request-header names).
pub(super) fn unsafe_names(spec: &RequestSpec) -> Vec<String> {
    let mut h = HeaderList::parse_lines(&spec.headers).unwrap_or_default();
    if !h.contains("content-type") {
        let ct = match spec.body {
            BodyKind::None => None,
            BodyKind::Json if matches!(spec.client, Client::Axios { .. }) => {
                Some("application/json")
            }
            BodyKind::Json | BodyKind::Text | BodyKind::Stream => Some("text/plain;charset=UTF-8"),
            BodyKind::UrlEncoded => Some("application/x-www-form-urlencoded;charset=UTF-8"),
            BodyKind::FormData => Some("multipart/form-data; boundary=x"),
        };
        if let Some(ct) = ct {
            h.push("Content-Type", ct);
        }
    }
    cors_unsafe_request_header_names(&h).names
}
