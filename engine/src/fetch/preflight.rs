//! Fetch §CORS-preflight fetch: the `OPTIONS` request the browser sends
//! before a request that is not "simple", and every check on its response.

use crate::cors_check::{cors_check, extract_token_list};
use crate::headers::HeaderList;
use crate::http::{WireRequest, WireResponse};
use crate::profile::BrowserProfile;
use crate::safelist::is_cors_safelisted_method;
use crate::spec;
use crate::trace::{Phase, Reason, SpecRef, Step, Verdict};

/// Fetch §CORS-preflight fetch steps 1–5: the preflight request. `method`
/// is the actual request's (normalised) method, `unsafe_names` its
/// CORS-unsafe request-header names (sorted, lower-case). A preflight never
/// carries cookies (§CORS protocol and credentials), so there is no `Cookie`.
pub fn preflight_request(
    url: &str,
    origin: &str,
    method: &str,
    unsafe_names: &[String],
) -> WireRequest {
    let mut headers = HeaderList::new();
    // Step 2: Accept: */*.
    headers.push("Accept", "*/*");
    // Step 3: Access-Control-Request-Method: the request's method, as is.
    headers.push("Access-Control-Request-Method", method);
    // Steps 4–5: Access-Control-Request-Headers when there are unsafe names,
    // joined with "," and no space (deliberately not "combine").
    if !unsafe_names.is_empty() {
        headers.push("Access-Control-Request-Headers", unsafe_names.join(","));
    }
    // Fetch §HTTP-network-or-cache fetch: the Origin header (mode is "cors").
    headers.push("Origin", origin);
    WireRequest {
        method: "OPTIONS".into(),
        url: url.into(),
        headers,
        is_preflight: true,
    }
}

/// What the preflight response allowed.
#[derive(Clone, Debug, PartialEq)]
pub struct PreflightCheck {
    /// Every check passed: the actual request will be sent.
    pub ok: bool,
    /// The checks in spec order, up to the first failure.
    pub steps: Vec<Step>,
    /// Seconds the result may be cached: `Access-Control-Max-Age` (5 when
    /// missing or invalid) capped by the profile; 0 when the preflight failed.
    pub max_age: u64,
    /// `Access-Control-Allow-Methods` items, as written (filled in when
    /// the preflight passed: only then is it cached).
    pub allowed_methods: Vec<String>,
    /// `Access-Control-Allow-Headers` items, lower-case (when passed).
    pub allowed_headers: Vec<String>,
}

fn is_redirect_status(status: u16) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
}

/// Fetch §CORS-preflight fetch steps 6–8: checks the preflight response for
/// a request from `origin` with `method` and `unsafe_names`.
/// `credentials_include` is the *actual* request's credentials mode.
pub fn check_preflight_response(
    response: &WireResponse,
    origin: &str,
    credentials_include: bool,
    method: &str,
    unsafe_names: &[String],
    profile: &BrowserProfile,
    request: usize,
) -> PreflightCheck {
    let cx = Preflight {
        response,
        headers: &response.headers,
        origin,
        credentials_include,
        method,
        unsafe_names,
        profile,
        request,
    };
    let mut steps = Vec::new();
    match cx.run_checks(&mut steps) {
        Ok(lists) => cx.passed(steps, lists),
        // Step 8: otherwise, a network error.
        Err(failed) => {
            steps.push(failed);
            PreflightCheck {
                ok: false,
                steps,
                max_age: 0,
                allowed_methods: Vec::new(),
                allowed_headers: Vec::new(),
            }
        }
    }
}

/// One preflight response and the request it was made for.
struct Preflight<'a> {
    response: &'a WireResponse,
    headers: &'a HeaderList,
    origin: &'a str,
    credentials_include: bool,
    method: &'a str,
    unsafe_names: &'a [String],
    profile: &'a BrowserProfile,
    request: usize,
}

/// Steps 7.1–7.3: the parsed `Access-Control-Allow-Methods` and
/// `Access-Control-Allow-Headers`, and their values as sent (for the steps).
struct AllowLists {
    methods: Vec<String>,
    header_names: Vec<String>,
    /// `header_names` for lookups in logarithmic time (many header lines
    /// must cost linear work, not quadratic).
    header_set: crate::headers::NameSet,
    acam: String,
    acah: String,
}

impl AllowLists {
    fn methods_star(&self) -> bool {
        self.methods.iter().any(|m| m == "*")
    }

    fn headers_star(&self) -> bool {
        self.header_names.iter().any(|h| h == "*")
    }

    fn lists_header(&self, name: &str) -> bool {
        self.header_set.contains(name)
    }
}

/// Steps 7.8–7.10: `Access-Control-Max-Age` as sent, as parsed, and the
/// seconds kept after the browser's cap.
struct MaxAge {
    raw: Vec<String>,
    parsed: Option<u64>,
    seconds: u64,
}

// Each check fails with the `Step` that explains it, by design.
#[allow(clippy::result_large_err)]
impl Preflight<'_> {
    fn step(
        &self,
        verdict: Verdict,
        reason: Reason,
        title: String,
        explanation: String,
        spec: SpecRef,
    ) -> Step {
        Step::new(
            Some(self.request),
            Phase::Preflight,
            verdict,
            reason,
            title,
            explanation,
            spec,
        )
    }

    /// Steps 6–7.7 in order; `steps` gets the checks that passed and said
    /// something, the error is the first check that failed.
    fn run_checks(&self, steps: &mut Vec<Step>) -> Result<AllowLists, Step> {
        self.not_redirected()?;
        steps.push(self.cors_check()?);
        self.ok_status()?;
        let lists = self.allow_lists()?;
        self.method_allowed(&lists)?;
        if let Some(tolerated) = self.non_wildcard_header_allowed(&lists)? {
            steps.push(tolerated);
        }
        self.unsafe_headers_allowed(&lists)?;
        Ok(lists)
    }

    /// Step 6: the preflight goes through HTTP-network-or-cache fetch, which
    /// never follows redirects, so a 3xx is simply not an ok status;
    /// browsers report it as a redirect.
    fn not_redirected(&self) -> Result<(), Step> {
        let status = self.response.status;
        if !is_redirect_status(status) {
            return Ok(());
        }
        let location = self.headers.get("Location").unwrap_or_default();
        Err(self.step(
            Verdict::Blocked,
            Reason::PreflightRedirect,
            format!("Preflight answered with a redirect ({status})"),
            format!(
                "The server answered the `OPTIONS` preflight with {status}{}, and a preflight may not be redirected: the browser does not follow it and the actual request is never sent. Chrome's console says \"Response to preflight request doesn't pass access control check: Redirect is not allowed for a preflight request\"; Firefox refuses to follow any redirect of a preflight and says \"Reason: CORS request external redirect not allowed\" (CORSExternalRedirectNotAllowed). Fix it on the server: answer `OPTIONS` on the final URL with 200 or 204 before any redirect happens (an http→https or trailing-slash redirect, or a login redirect, are the usual causes), or call the final URL directly.",
                if location.is_empty() { String::new() } else { format!(" to `{location}`") }
            ),
            spec::FETCH_CORS_PREFLIGHT,
        )
        .with("Status", status.to_string())
        .with("Location", location))
    }

    /// Step 7: a CORS check for the *request* (its credentials mode, not the
    /// preflight's) ...
    fn cors_check(&self) -> Result<Step, Step> {
        cors_check(
            self.headers,
            self.origin,
            self.credentials_include,
            self.request,
            Phase::Preflight,
        )
    }

    /// ... and an ok status (200–299).
    fn ok_status(&self) -> Result<(), Step> {
        let status = self.response.status;
        if (200..=299).contains(&status) {
            return Ok(());
        }
        Err(self.step(
            Verdict::Blocked,
            Reason::PreflightStatusNotOk,
            format!("Preflight answered {status}, not a 2xx status"),
            format!(
                "The server answered the `OPTIONS` preflight with {status}. A preflight only succeeds with an ok status (200–299), whatever CORS headers it carries, so the actual request is never sent. Chrome's console says \"Response to preflight request doesn't pass access control check: It does not have HTTP ok status\"; Firefox says \"Reason: CORS preflight response did not succeed\" (CORSPreflightDidNotSucceed). Fix it on the server: make `OPTIONS` on this path return 200 or 204 with the CORS headers — usually the CORS middleware is missing for this route, or runs after something (routing, auth) that answers first."
            ),
            spec::FETCH_CORS_PREFLIGHT,
        )
        .with("Status", status.to_string()))
    }

    /// Steps 7.1–7.3: parse Access-Control-Allow-Methods and -Headers;
    /// either failing to parse is a network error. Step 7.4 (methods null +
    /// use-CORS-preflight flag → [method]) only feeds the cache; the flag's
    /// requests here use safelisted methods.
    fn allow_lists(&self) -> Result<AllowLists, Step> {
        let headers = self.headers;
        let methods = extract_token_list(headers, "Access-Control-Allow-Methods");
        let header_names = extract_token_list(headers, "Access-Control-Allow-Headers");
        let methods = match methods {
            Some(Err(bad)) => {
                return Err(invalid_list_step(self.request, "Methods", &bad, headers))
            }
            Some(Ok(m)) => m,
            None => Vec::new(),
        };
        let header_names = match header_names {
            Some(Err(bad)) => {
                return Err(invalid_list_step(self.request, "Headers", &bad, headers))
            }
            Some(Ok(h)) => h,
            None => Vec::new(),
        };
        Ok(AllowLists {
            methods,
            header_set: crate::headers::NameSet::new(header_names.iter().map(String::as_str)),
            header_names,
            acam: headers
                .get("Access-Control-Allow-Methods")
                .unwrap_or_default(),
            acah: headers
                .get("Access-Control-Allow-Headers")
                .unwrap_or_default(),
        })
    }

    /// Step 7.5: the method must be listed (byte for byte), or be safelisted,
    /// or `*` be listed and credentials not included.
    fn method_allowed(&self, lists: &AllowLists) -> Result<(), Step> {
        let (method, credentials_include) = (self.method, self.credentials_include);
        let methods_star = lists.methods_star();
        let method_listed = lists.methods.iter().any(|m| m == method);
        if method_listed
            || is_cors_safelisted_method(method)
            || (!credentials_include && methods_star)
        {
            return Ok(());
        }
        let acam = &lists.acam;
        let (reason, title, why) = if methods_star && credentials_include {
            (
                Reason::MethodWildcardWithCredentials,
                format!("Allow-Methods is `*`, but credentials are included: {method} is not allowed"),
                format!("The preflight lists `*` in `Access-Control-Allow-Methods`, but the request includes credentials, and then `*` is taken literally as a method named \"*\". Fix it on the server: list `{method}` explicitly."),
            )
        } else if let Some(close) = lists
            .methods
            .iter()
            .find(|m| m.eq_ignore_ascii_case(method))
        {
            (
                Reason::MethodNotAllowed,
                format!("Method `{method}` is not `{close}`: methods are case-sensitive"),
                format!("The preflight allows `{close}`, but the request's method is `{method}`, and methods are compared byte for byte. Browsers only upper-case DELETE, GET, HEAD, OPTIONS, POST and PUT, so `{method}` was sent as written. Fix it in the client code: write the method in upper case (`{}`).", method.to_ascii_uppercase()),
            )
        } else {
            (
                Reason::MethodNotAllowed,
                format!("Preflight denied: {method} is not in Access-Control-Allow-Methods"),
                format!("The request's method `{method}` is not a simple method (GET, HEAD, POST), so the server must list it in `Access-Control-Allow-Methods`, and the preflight's list is `{}`. Fix it on the server: add `{method}` to the allowed methods (in rack-cors, `methods: [..., :{}]`).", if acam.is_empty() { "(missing)".to_string() } else { acam.clone() }, method.to_ascii_lowercase()),
            )
        };
        Err(self.step(
            Verdict::Blocked,
            reason,
            title,
            format!("{why} Until then the actual request is never sent. Chrome's console says \"Method {method} is not allowed by Access-Control-Allow-Methods in preflight response\"; Firefox says \"Reason: Did not find method in CORS header 'Access-Control-Allow-Methods'\" (CORSMethodNotFound)."),
            spec::FETCH_CORS_PREFLIGHT,
        )
        .with("Method", method)
        .with("Access-Control-Allow-Methods", acam.clone())
        .with("Credentials mode", creds(credentials_include)))
    }

    /// Step 7.6: `Authorization` (the CORS non-wildcard request-header name)
    /// must be listed explicitly; `*` never covers it in the spec. `Ok(Some)`
    /// is the warning of a browser that still lets `*` cover it.
    fn non_wildcard_header_allowed(&self, lists: &AllowLists) -> Result<Option<Step>, Step> {
        let sends_authorization = self
            .unsafe_names
            .iter()
            .any(|n| n.eq_ignore_ascii_case("authorization"));
        if !sends_authorization || lists.lists_header("authorization") {
            return Ok(None);
        }
        let (profile, acah) = (self.profile, &lists.acah);
        if lists.headers_star()
            && !self.credentials_include
            && profile.wildcard_covers_authorization
        {
            // Chromium 156 (observed) and Firefox still let `*` cover it.
            return Ok(Some(self.step(
                Verdict::Warning,
                Reason::AuthorizationWildcardTolerated,
                "`*` in Allow-Headers covers Authorization here, but not by the spec".into(),
                format!("The request sends `Authorization` and the preflight answers `Access-Control-Allow-Headers: {acah}`. The Fetch standard says `*` never covers `Authorization`, but {} still accepts it, so this request goes through — in a browser that follows the spec it would fail. Firefox logs a warning that `Authorization` is not covered by `*`. Fix it on the server before browsers enforce it: list `Authorization` explicitly in `Access-Control-Allow-Headers`.", profile.name),
                spec::FETCH_CORS_NON_WILDCARD,
            )
            .with("Access-Control-Allow-Headers", acah.clone())
            .with("Browser", profile.name)));
        }
        Err(header_denied(
            self.request,
            "authorization",
            acah,
            lists.headers_star(),
            self.credentials_include,
            profile,
        ))
    }

    /// Step 7.7: every CORS-unsafe request-header name must be listed, or
    /// `*` be listed and credentials not included.
    fn unsafe_headers_allowed(&self, lists: &AllowLists) -> Result<(), Step> {
        let headers_star = lists.headers_star();
        let missing: Vec<&String> = self
            .unsafe_names
            .iter()
            .filter(|n| !n.eq_ignore_ascii_case("authorization"))
            .filter(|n| !lists.lists_header(n) && (self.credentials_include || !headers_star))
            .collect();
        let Some(first) = missing.first() else {
            return Ok(());
        };
        let mut s = header_denied(
            self.request,
            first,
            &lists.acah,
            headers_star,
            self.credentials_include,
            self.profile,
        );
        if missing.len() > 1 {
            s = s.with(
                "All missing",
                missing
                    .iter()
                    .map(|m| m.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            );
        }
        Err(s)
    }

    /// Steps 7.8–7.10: Access-Control-Max-Age, 5 when missing or invalid,
    /// capped by the browser.
    fn max_age(&self) -> MaxAge {
        let raw = self.headers.get_all("Access-Control-Max-Age");
        let parsed = match raw.as_slice() {
            // delta-seconds = 1*DIGIT; the ABNF allows one header only.
            [one] if !one.is_empty() && one.bytes().all(|b| b.is_ascii_digit()) => {
                Some(one.parse::<u64>().unwrap_or(u64::MAX))
            }
            _ => None,
        };
        MaxAge {
            raw: raw.into_iter().map(str::to_string).collect(),
            parsed,
            seconds: parsed.unwrap_or(5).min(self.profile.preflight_max_age_cap),
        }
    }

    /// Steps 7.11–7.16: the preflight passed, and its result goes into the
    /// CORS-preflight cache.
    fn passed(&self, mut steps: Vec<Step>, lists: AllowLists) -> PreflightCheck {
        let max_age = self.max_age();
        steps.push(self.passed_step(&lists));
        steps.push(self.cached_step(&max_age));
        PreflightCheck {
            ok: true,
            steps,
            max_age: max_age.seconds,
            // What the cache keeps (only a passed preflight is cached).
            allowed_methods: lists.methods,
            allowed_headers: lists
                .header_names
                .into_iter()
                .map(|mut h| {
                    h.make_ascii_lowercase();
                    h
                })
                .collect(),
        }
    }

    fn passed_step(&self, lists: &AllowLists) -> Step {
        let (method, status) = (self.method, self.response.status);
        let allowed_summary = if self.unsafe_names.is_empty() {
            format!("method `{method}`")
        } else {
            format!(
                "method `{method}` and headers `{}`",
                self.unsafe_names.join(", ")
            )
        };
        self.step(
            Verdict::Ok,
            Reason::PreflightOk,
            format!("Preflight passed: {method} allowed"),
            format!("The preflight answered {status} with CORS headers that allow this origin, {allowed_summary}, so the browser now sends the actual request. The preflight itself carried no cookies; cookies, if any, go on the actual request."),
            spec::FETCH_CORS_PREFLIGHT,
        )
        .with("Access-Control-Allow-Methods", lists.acam.clone())
        .with("Access-Control-Allow-Headers", lists.acah.clone())
        .with("Status", status.to_string())
    }

    fn cached_step(&self, m: &MaxAge) -> Step {
        let (raw, max_age) = (&m.raw, m.seconds);
        let cache_why = match (m.parsed, raw.is_empty()) {
            (None, true) => "There is no `Access-Control-Max-Age`, so the default of 5 seconds applies".to_string(),
            (None, false) => format!("`Access-Control-Max-Age: {}` is not a single number of seconds, so the default of 5 seconds applies", raw.join(", ")),
            (Some(n), _) if n > max_age => format!("`Access-Control-Max-Age: {n}` is capped at {max_age} seconds by {}", self.profile.name),
            (Some(n), _) => format!("`Access-Control-Max-Age: {n}` says to keep it {n} seconds"),
        };
        self.step(
            Verdict::Ok,
            Reason::PreflightCacheStored,
            format!("Preflight result cached for {max_age} s"),
            format!("{cache_why}. Until then, the same request from this origin to this URL skips the preflight; after that, the browser asks again. Raise `Access-Control-Max-Age` on the server to preflight less often."),
            spec::FETCH_CORS_PREFLIGHT_CACHE,
        )
        .with("Access-Control-Max-Age", if raw.is_empty() { "(missing)".to_string() } else { raw.join(", ") })
        .with("Cached seconds", max_age.to_string())
    }
}

fn creds(include: bool) -> &'static str {
    if include {
        "include"
    } else {
        "omit or same-origin"
    }
}

/// Step for a header the preflight did not allow.
fn header_denied(
    request: usize,
    name: &str,
    acah: &str,
    headers_star: bool,
    credentials_include: bool,
    profile: &BrowserProfile,
) -> Step {
    let is_auth = name.eq_ignore_ascii_case("authorization");
    let (reason, title, why) = if headers_star && credentials_include {
        (
            Reason::HeaderWildcardWithCredentials,
            format!("Allow-Headers is `*`, but credentials are included: `{name}` is not allowed"),
            format!("The preflight answers `Access-Control-Allow-Headers: *`, but the request includes credentials, and then `*` is taken literally as a header named \"*\". Fix it on the server: list `{name}` explicitly."),
        )
    } else if headers_star && is_auth {
        (
            Reason::AuthorizationNotCoveredByWildcard,
            "`*` in Allow-Headers does not cover Authorization".to_string(),
            format!("The request sends `Authorization`, and the preflight answers `Access-Control-Allow-Headers: *`. `Authorization` is the one header `*` never covers, and {} enforces that. Fix it on the server: list `Authorization` explicitly.", profile.name),
        )
    } else {
        (
            Reason::HeaderNotAllowed,
            format!("Preflight denied: `{name}` is not in Access-Control-Allow-Headers"),
            format!("The request sets `{name}`, which is not a CORS-safelisted header, so the server must list it in `Access-Control-Allow-Headers`, and the preflight's list is `{}`. Fix it on the server: allow `{name}` (in rack-cors, `headers: [..., '{name}']`), or stop sending the header from the client.", if acah.is_empty() { "(missing)" } else { acah }),
        )
    };
    Step::new(
        Some(request),
        Phase::Preflight,
        Verdict::Blocked,
        reason,
        title,
        format!("{why} Until then the actual request is never sent. Chrome's console says \"Request header field {name} is not allowed by Access-Control-Allow-Headers in preflight response\"; Firefox says \"Reason: missing token '{name}' in CORS header 'Access-Control-Allow-Headers' from CORS preflight channel\" (CORSMissingAllowHeaderFromPreflight)."),
        if is_auth { spec::FETCH_CORS_NON_WILDCARD } else { spec::FETCH_CORS_PREFLIGHT },
    )
    .with("Header", name)
    .with("Access-Control-Allow-Headers", if acah.is_empty() { "(missing)" } else { acah })
    .with("Credentials mode", creds(credentials_include))
}

/// Step for an Allow-Methods / Allow-Headers value that is not a token list.
fn invalid_list_step(request: usize, which: &str, bad: &str, headers: &HeaderList) -> Step {
    let header = format!("Access-Control-Allow-{which}");
    let value = headers.get(&header).unwrap_or_default();
    let reason = if which == "Methods" {
        Reason::InvalidAllowMethods
    } else {
        Reason::InvalidAllowHeaders
    };
    let firefox = if which == "Methods" {
        "CORSInvalidAllowMethod"
    } else {
        "CORSInvalidAllowHeader"
    };
    Step::new(
        Some(request),
        Phase::Preflight,
        Verdict::Blocked,
        reason,
        format!("{header} has an invalid item `{bad}`"),
        format!("`{header}: {value}` must be a comma-separated list of names, and `{bad}` is not a valid name (only letters, digits and `!#$%&'*+-.^_`|~`; no spaces, quotes or slashes inside an item). The preflight fails and the actual request is never sent. Chrome's console says \"Cannot parse {header} response header field in preflight response\"; Firefox says \"Reason: invalid token '{bad}' in CORS header '{header}'\" ({firefox}). Fix it on the server: send names separated by commas, e.g. `{header}: {}`.", if which == "Methods" { "GET, POST, PATCH" } else { "Content-Type, Authorization" }),
        spec::FETCH_CORS_PREFLIGHT,
    )
    .with(header, value)
    .with("Invalid item", bad)
}
