//! Fetch §CORS check (on the actual response, and on the preflight response
//! with the original request's credentials mode) and what script may read
//! of a CORS response (§CORS-safelisted response-header name,
//! `Access-Control-Expose-Headers`).

use crate::headers::{is_token, HeaderList};
use crate::spec;
use crate::trace::{Phase, Reason, Step, Verdict};

/// How the browser console words it, prefixed for the preflight.
fn chrome_prefix(phase: Phase) -> &'static str {
    if phase == Phase::Preflight {
        "Response to preflight request doesn't pass access control check: "
    } else {
        ""
    }
}

/// Fetch §CORS check for a response to a request from `origin` (the
/// byte-serialized request origin, `null` when opaque). `Ok` holds a
/// `CorsOk` step, `Err` the step naming the first rule that failed.
/// `phase` is `Preflight` when checking a preflight response.
// Both sides are a `Step` by design: the caller pushes whichever it gets.
#[allow(clippy::result_large_err)]
pub fn cors_check(
    headers: &HeaderList,
    origin: &str,
    credentials_include: bool,
    request: usize,
    phase: Phase,
) -> Result<Step, Step> {
    let cx = CorsCheck {
        origin,
        credentials_include,
        request,
        phase,
    };
    // Step 1: *get* Access-Control-Allow-Origin; repeated headers are
    // combined with ", ", so two lines can never match.
    let lines = headers.get_all("Access-Control-Allow-Origin");
    let acao = match lines.as_slice() {
        [] => None,
        [one] => Some((*one).to_string()),
        many => Some(many.join(", ")),
    };
    // Step 2: null (no header at all; the value `null` is something else) is failure.
    let Some(acao) = acao else {
        return Err(cx.missing_allow_origin());
    };
    // Step 3: without credentials, `*` shares with everyone.
    if !credentials_include && acao == "*" {
        return Ok(cx.wildcard_shared(&acao));
    }
    // Step 4: byte-compare the serialized request origin with the value.
    if acao != origin {
        return Err(cx.origin_mismatch(&acao, lines.len()));
    }
    // Step 5: without credentials, a matching origin is enough.
    if !credentials_include {
        return Ok(cx.origin_matches(&acao));
    }
    // Steps 6–8: with credentials, Access-Control-Allow-Credentials must be
    // exactly `true`.
    cx.allow_credentials(&acao, headers.get("Access-Control-Allow-Credentials"))
}

/// The request a CORS check is made for.
struct CorsCheck<'a> {
    origin: &'a str,
    credentials_include: bool,
    request: usize,
    phase: Phase,
}

#[allow(clippy::result_large_err)]
impl CorsCheck<'_> {
    fn what(&self) -> &'static str {
        if self.phase == Phase::Preflight {
            "the preflight response"
        } else {
            "the response"
        }
    }

    fn creds(&self) -> &'static str {
        if self.credentials_include {
            "include"
        } else {
            "omit or same-origin"
        }
    }

    /// A step about the Access-Control-Allow-Origin value `acao`.
    fn step(
        &self,
        acao: &str,
        verdict: Verdict,
        reason: Reason,
        title: String,
        explanation: String,
    ) -> Step {
        Step::new(
            Some(self.request),
            self.phase,
            verdict,
            reason,
            title,
            explanation,
            spec::FETCH_CORS_CHECK,
        )
        .with("Origin", self.origin)
        .with("Access-Control-Allow-Origin", acao.to_string())
    }

    /// Step 2: no Access-Control-Allow-Origin.
    fn missing_allow_origin(&self) -> Step {
        let (what, chrome, origin) = (self.what(), chrome_prefix(self.phase), self.origin);
        Step::new(
            Some(self.request),
            self.phase,
            Verdict::Blocked,
            Reason::MissingAllowOrigin,
            format!("No Access-Control-Allow-Origin on {what}"),
            format!(
                "The server answered, but {what} has no `Access-Control-Allow-Origin` header, so the browser will not let the page read it: the request is cross-origin, and without that header the server has not agreed to share. Chrome's console says \"{chrome}No 'Access-Control-Allow-Origin' header is present on the requested resource\"; Firefox says \"Reason: CORS header 'Access-Control-Allow-Origin' missing\" (CORSMissingAllowOrigin). Fix it on the server: send `Access-Control-Allow-Origin: {origin}` on {what}{}. Check that the CORS middleware runs for this path and method, and before anything that can answer first (errors, redirects, auth).",
                if self.credentials_include { " together with `Access-Control-Allow-Credentials: true`" } else { "" }
            ),
            spec::FETCH_CORS_CHECK,
        )
        .with("Origin", origin)
        .with("Credentials mode", self.creds())
    }

    /// Step 3: `*` without credentials.
    fn wildcard_shared(&self, acao: &str) -> Step {
        self.step(
            acao,
            Verdict::Ok,
            Reason::CorsOk,
            "Access-Control-Allow-Origin is `*` and no credentials: readable".into(),
            format!(
                "{} has `Access-Control-Allow-Origin: *` and the request does not include credentials, so any origin may read it. This would stop working if the request were made with credentials (`credentials: 'include'`, `withCredentials: true`): then the server must name the origin exactly and add `Access-Control-Allow-Credentials: true`.",
                capitalize(self.what())
            ),
        )
        .with("Credentials mode", self.creds())
    }

    /// Step 4 failed: the value is not the request's origin. `lines` is the
    /// number of Access-Control-Allow-Origin lines.
    fn origin_mismatch(&self, acao: &str, lines: usize) -> Step {
        let (what, chrome, origin) = (self.what(), chrome_prefix(self.phase), self.origin);
        if acao == "*" {
            // Only reachable with credentials: `*` is then taken literally.
            return self.step(
                acao,
                Verdict::Blocked,
                Reason::WildcardOriginWithCredentials,
                "Access-Control-Allow-Origin is `*`, but credentials are included".into(),
                format!(
                    "The request includes credentials (cookies), and with credentials the browser takes `*` literally: it is not a wildcard and does not equal `{origin}`, so the page cannot read {what}. Chrome's console says \"{chrome}The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'\"; Firefox says \"Reason: Credential is not supported if the CORS header 'Access-Control-Allow-Origin' is '*'\" (CORSNotSupportingCredentials). Fix it on the server: answer with the exact origin, `Access-Control-Allow-Origin: {origin}`, plus `Access-Control-Allow-Credentials: true` (and `Vary: Origin` if you reflect it from a list)."
                ),
            )
            .with("Credentials mode", self.creds());
        }
        if lines > 1 || acao.contains(',') {
            return self.step(
                acao,
                Verdict::Blocked,
                Reason::MultipleAllowOrigin,
                "Access-Control-Allow-Origin has more than one value".into(),
                format!(
                    "{} carries {} (`{acao}`), but the header must hold exactly one origin: the browser combines repeated headers with \", \" and compares the result byte for byte with `{origin}`, which can never match. Chrome's console says \"{chrome}The 'Access-Control-Allow-Origin' header contains multiple values '{acao}', but only one is allowed\"; Firefox says \"Reason: Multiple CORS header 'Access-Control-Allow-Origin' not allowed\" (CORSMultipleAllowOriginNotAllowed). Fix it on the server: send one `Access-Control-Allow-Origin` line with the requesting origin; this usually means two layers (a proxy and the app, or two middlewares) both add the header, so remove one.",
                    capitalize(what),
                    if lines > 1 { format!("{lines} Access-Control-Allow-Origin lines") } else { "a list of origins".to_string() }
                ),
            )
            .with("Lines", lines.to_string());
        }
        let hint = mismatch_hint(acao, origin);
        self.step(
            acao,
            Verdict::Blocked,
            Reason::AllowOriginMismatch,
            format!("Access-Control-Allow-Origin `{acao}` is not the page's origin"),
            format!(
                "The browser compares `Access-Control-Allow-Origin` with the page's origin `{origin}` byte for byte, and `{acao}` is different{hint}. Chrome's console says \"{chrome}The 'Access-Control-Allow-Origin' header has a value '{acao}' that is not equal to the supplied origin\"; Firefox says \"Reason: CORS header 'Access-Control-Allow-Origin' does not match '{acao}'\" (CORSAllowOriginNotMatchingOrigin). Fix it on the server: allow exactly `{origin}` — scheme, host and port as the browser sends them in the `Origin` header, with no path and no trailing slash."
            ),
        )
    }

    /// Step 5: the origin matches and no credentials are included.
    fn origin_matches(&self, acao: &str) -> Step {
        let origin = self.origin;
        self.step(
            acao,
            Verdict::Ok,
            Reason::CorsOk,
            "Access-Control-Allow-Origin matches the page's origin".into(),
            format!(
                "{} names `{origin}` in `Access-Control-Allow-Origin`, exactly the origin the browser sent, and the request has no credentials, so the page may read it.",
                capitalize(self.what())
            ),
        )
        .with("Credentials mode", self.creds())
    }

    /// Steps 6–8: Access-Control-Allow-Credentials must be exactly `true`
    /// (byte case-sensitive, one value); anything else is failure.
    fn allow_credentials(&self, acao: &str, acac: Option<String>) -> Result<Step, Step> {
        let (what, chrome, origin) = (self.what(), chrome_prefix(self.phase), self.origin);
        if acac.as_deref() == Some("true") {
            return Ok(self
                .step(
                    acao,
                    Verdict::Ok,
                    Reason::CorsOk,
                    "Origin matches and Access-Control-Allow-Credentials is `true`".into(),
                    format!(
                        "{} names `{origin}` exactly and says `Access-Control-Allow-Credentials: true`, which is what a request with credentials needs: the page may read it.",
                        capitalize(what)
                    ),
                )
                .with("Access-Control-Allow-Credentials", "true")
                .with("Credentials mode", self.creds()));
        }
        let shown = acac.clone().unwrap_or_default();
        let problem = match acac.as_deref() {
            None => "has no `Access-Control-Allow-Credentials` header".to_string(),
            Some(v) if v.eq_ignore_ascii_case("true") => format!(
                "has `Access-Control-Allow-Credentials: {v}`, and only the exact lower-case `true` counts"
            ),
            Some(v) if v.contains(',') => format!(
                "has `Access-Control-Allow-Credentials` more than once (`{v}`), and only a single `true` counts"
            ),
            Some(v) => format!("has `Access-Control-Allow-Credentials: {v}`, not `true`"),
        };
        Err(self.step(
            acao,
            Verdict::Blocked,
            Reason::MissingAllowCredentials,
            "Credentials included, but Access-Control-Allow-Credentials is not `true`".into(),
            format!(
                "The origin matches, but the request includes credentials (cookies) and {what} {problem}, so the browser will not let the page read it. Chrome's console says \"{chrome}The value of the 'Access-Control-Allow-Credentials' header in the response is '{shown}' which must be 'true' when the request's credentials mode is 'include'\"; Firefox says \"Reason: expected 'true' in CORS header 'Access-Control-Allow-Credentials'\" (CORSMIssingAllowCredentials). Fix it on the server: add `Access-Control-Allow-Credentials: true` (in rack-cors, `credentials: true` on the resource)."
            ),
        )
        .with("Access-Control-Allow-Credentials", acac.unwrap_or_else(|| "(missing)".into()))
        .with("Credentials mode", self.creds()))
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// Why an ACAO value that is not the origin looks so close to it.
fn mismatch_hint(acao: &str, origin: &str) -> String {
    if acao == "null" {
        return ": `null` only matches an opaque origin (a sandboxed iframe or a `file:` page), never a real one, and allowing it lets any sandboxed page in".into();
    }
    if origin == "null" {
        return ": the page's origin is opaque (`null`), which only `null` or `*` (without credentials) would match".into();
    }
    if acao.trim_end_matches('/') == origin && acao.len() > origin.len() {
        return ": it has a trailing slash, and a serialized origin never has one".into();
    }
    if acao.eq_ignore_ascii_case(origin) {
        return ": only the letter case differs, and the comparison is case-sensitive (browsers send the host in lower case)".into();
    }
    if let (Ok(a), Ok(o)) = (url::Url::parse(acao), url::Url::parse(origin)) {
        if a.path() != "/" || a.query().is_some() {
            return ": it has a path, and an origin is only scheme, host and port".into();
        }
        if a.origin() == o.origin() {
            // Same origin once parsed: the text differs, e.g. `:80` spelled out.
            return ": it names the same server but is written differently (a default port spelled out?), and the comparison is on the text".into();
        }
        if a.scheme() != o.scheme() && a.host_str() == o.host_str() {
            return format!(
                ": the scheme differs (`{}` vs `{}`)",
                a.scheme(),
                o.scheme()
            );
        }
        if a.host_str() == o.host_str() {
            return match (a.port(), o.port()) {
                (None, Some(p)) => format!(": the port `:{p}` is missing"),
                _ => ": the port differs".into(),
            };
        }
        if a.port_or_known_default() == o.port_or_known_default() {
            return ": the host differs (`localhost` and `127.0.0.1` are different origins too)"
                .into();
        }
    }
    String::new()
}

/// Fetch §CORS-safelisted response-header name: the fixed list.
const SAFELISTED_RESPONSE_HEADERS: [&str; 7] = [
    "cache-control",
    "content-language",
    "content-length",
    "content-type",
    "expires",
    "last-modified",
    "pragma",
];

/// Fetch §forbidden response-header name.
fn is_forbidden_response_header_name(name: &str) -> bool {
    name.eq_ignore_ascii_case("set-cookie") || name.eq_ignore_ascii_case("set-cookie2")
}

/// Fetch §extract header list values for a `#field-name` / `#method` list
/// header: `None` when absent, `Some(Err(item))` when an item is not a token
/// (the first bad item), else every non-empty item of every line, in order.
pub fn extract_token_list(headers: &HeaderList, name: &str) -> Option<Result<Vec<String>, String>> {
    let lines = headers.get_all(name);
    if lines.is_empty() {
        return None;
    }
    let mut items = Vec::new();
    for line in lines {
        // RFC 9110 §5.6.1: `#rule` lists are comma-separated, with optional
        // whitespace, and empty elements are allowed.
        for item in line.split(',') {
            let item = item.trim_matches([' ', '\t']);
            if item.is_empty() {
                continue;
            }
            if !is_token(item) {
                return Some(Err(item.to_string()));
            }
            items.push(item.to_string());
        }
    }
    Some(Ok(items))
}

/// The response headers script can read from a CORS response (lower-case,
/// each once, in response order): Fetch §main fetch sets the CORS-exposed
/// header-name list from `Access-Control-Expose-Headers` (`*` only without
/// credentials), and the CORS filtered response keeps the
/// CORS-safelisted response-header names given that list. `Set-Cookie` never.
pub fn readable_response_headers(headers: &HeaderList, credentials_include: bool) -> Vec<String> {
    // Fetch §main fetch: headerNames = extract header list values of
    // Access-Control-Expose-Headers; failure exposes nothing extra.
    let exposed: Vec<String> = match extract_token_list(headers, "Access-Control-Expose-Headers") {
        Some(Ok(items)) => items,
        _ => Vec::new(),
    };
    // `*` exposes every name, but only when credentials mode is not "include".
    let star = !credentials_include && exposed.iter().any(|n| n == "*");
    let mut out: Vec<String> = Vec::new();
    for (name, _) in headers.iter() {
        if is_forbidden_response_header_name(name)
            || out.iter().any(|o| o.eq_ignore_ascii_case(name))
        {
            continue;
        }
        // Fetch §CORS-safelisted response-header name: the fixed list, or an
        // item of the exposed list that is not a forbidden response-header name.
        let readable = SAFELISTED_RESPONSE_HEADERS
            .iter()
            .any(|h| h.eq_ignore_ascii_case(name))
            || star
            || exposed.iter().any(|e| e.eq_ignore_ascii_case(name));
        if readable {
            out.push(name.to_ascii_lowercase());
        }
    }
    out
}
