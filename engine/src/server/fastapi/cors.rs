//! Starlette's `CORSMiddleware` (`starlette/middleware/cors.py`, Starlette
//! 0.36.3 and 1.10.0): the headers `__init__` computes once, the preflight
//! answer it makes itself, and what `send` adds to every other response.

use crate::fetch::headers::HeaderList;
use crate::fetch::http::WireRequest;
use crate::server::django::pyregex::PyRegex;

use super::settings::{CorsOptions, FastApiVersion};

/// `ALL_METHODS`, what `"*"` in `allow_methods` becomes (1.x added `QUERY`).
const ALL_METHODS_0: [&str; 7] = ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"];
const ALL_METHODS_1: [&str; 8] = [
    "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "QUERY",
];
/// `SAFELISTED_HEADERS`, always allowed.
const SAFELISTED_HEADERS: [&str; 4] = [
    "Accept",
    "Accept-Language",
    "Content-Language",
    "Content-Type",
];
/// Starlette 1.x's `Vary` on every preflight answer.
const PREFLIGHT_VARY_1: &str = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers, Access-Control-Request-Private-Network";

/// The middleware as `__init__` leaves it.
#[derive(Clone, Debug)]
pub struct CorsMiddleware {
    version: FastApiVersion,
    pub allow_origins: Vec<String>,
    pub allow_methods: Vec<String>,
    /// Lower-cased, with the safelisted ones.
    allow_headers: Vec<String>,
    pub allow_all_origins: bool,
    allow_all_headers: bool,
    allow_credentials: bool,
    allow_private_network: bool,
    preflight_explicit_allow_origin: bool,
    regex: Option<PyRegex>,
    simple_headers: Vec<(&'static str, String)>,
    preflight_headers: Vec<(&'static str, String)>,
}

/// What the preflight path answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Preflight {
    pub status: u16,
    pub headers: HeaderList,
    /// `origin`, `method`, `headers`, `private-network`: the body says
    /// `Disallowed CORS ` and these.
    pub failures: Vec<&'static str>,
}

/// Which branch of `send` ran for a simple (non-preflight) response.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SimpleOutcome {
    /// No Origin header: 0.x passes the request through untouched; 1.x
    /// still adds `Vary: Origin`.
    NoOrigin,
    /// `["*"]` without the mirror: `Access-Control-Allow-Origin: *`.
    Wildcard,
    /// The Origin is written back (a listed origin, the regex, or `["*"]`
    /// with the mirror).
    Mirrored,
    /// The Origin is not allowed: no `Access-Control-Allow-Origin`.
    Refused,
}

impl CorsMiddleware {
    /// `CORSMiddleware.__init__`.
    pub fn new(o: &CorsOptions, version: FastApiVersion) -> CorsMiddleware {
        let allow_methods: Vec<String> = if o.allow_methods.iter().any(|m| m == "*") {
            let all: &[&str] = if version.starlette_1() {
                &ALL_METHODS_1
            } else {
                &ALL_METHODS_0
            };
            all.iter().map(|m| m.to_string()).collect()
        } else {
            o.allow_methods.clone()
        };
        // `re.compile(allow_origin_regex)`, used with `fullmatch`. The form
        // refuses a pattern the engine cannot compile; one that slips
        // through matches nothing.
        let regex = o
            .allow_origin_regex
            .as_deref()
            .and_then(|r| PyRegex::new(&format!("(?:{r})\\Z")).ok());
        let allow_all_origins = o.allow_origins.iter().any(|x| x == "*");
        let allow_all_headers = o.allow_headers.iter().any(|x| x == "*");
        let preflight_explicit_allow_origin = !allow_all_origins || o.allow_credentials;

        let mut simple_headers = Vec::new();
        if allow_all_origins {
            simple_headers.push(("Access-Control-Allow-Origin", "*".to_string()));
        }
        if o.allow_credentials {
            simple_headers.push(("Access-Control-Allow-Credentials", "true".to_string()));
        }
        if !o.expose_headers.is_empty() {
            simple_headers.push(("Access-Control-Expose-Headers", o.expose_headers.join(", ")));
        }

        let mut preflight_headers = Vec::new();
        if version.starlette_1() {
            preflight_headers.push(("Vary", PREFLIGHT_VARY_1.to_string()));
            if !preflight_explicit_allow_origin {
                preflight_headers.push(("Access-Control-Allow-Origin", "*".to_string()));
            }
        } else if preflight_explicit_allow_origin {
            preflight_headers.push(("Vary", "Origin".to_string()));
        } else {
            preflight_headers.push(("Access-Control-Allow-Origin", "*".to_string()));
        }
        preflight_headers.push(("Access-Control-Allow-Methods", allow_methods.join(", ")));
        preflight_headers.push(("Access-Control-Max-Age", o.max_age.to_string()));
        // `sorted(SAFELISTED_HEADERS | set(allow_headers))`: a set, sorted by
        // code point (upper case first).
        let mut allow_headers: Vec<String> = SAFELISTED_HEADERS
            .iter()
            .map(|h| h.to_string())
            .chain(o.allow_headers.iter().cloned())
            .collect();
        allow_headers.sort();
        allow_headers.dedup();
        if !allow_all_headers {
            preflight_headers.push(("Access-Control-Allow-Headers", allow_headers.join(", ")));
        }
        if o.allow_credentials {
            preflight_headers.push(("Access-Control-Allow-Credentials", "true".to_string()));
        }
        CorsMiddleware {
            version,
            allow_origins: o.allow_origins.clone(),
            allow_methods,
            allow_headers: allow_headers.iter().map(|h| h.to_lowercase()).collect(),
            allow_all_origins,
            allow_all_headers,
            allow_credentials: o.allow_credentials,
            allow_private_network: o.allow_private_network,
            preflight_explicit_allow_origin,
            regex,
            simple_headers,
            preflight_headers,
        }
    }

    /// `__call__`: an `OPTIONS` with `Origin` and
    /// `Access-Control-Request-Method` is answered here, never routed.
    pub fn is_preflight(req: &WireRequest) -> bool {
        req.method == "OPTIONS"
            && first(&req.headers, "origin").is_some()
            && req.headers.contains("access-control-request-method")
    }

    /// `is_allowed_origin`: `"*"`, the regex's `fullmatch`, or the exact string.
    pub fn is_allowed_origin(&self, origin: &str) -> bool {
        if self.allow_all_origins {
            return true;
        }
        if self.regex.as_ref().is_some_and(|r| r.matches(origin)) {
            return true;
        }
        self.allow_origins.iter().any(|o| o == origin)
    }

    /// `preflight_response`: 200 `OK`, or 400 `Disallowed CORS …` with the
    /// same headers (`PlainTextResponse`).
    pub fn preflight_response(&self, req: &WireRequest) -> Preflight {
        let origin = first(&req.headers, "origin").unwrap_or_default();
        let method = first(&req.headers, "access-control-request-method").unwrap_or_default();
        let requested_headers = first(&req.headers, "access-control-request-headers");
        let mut headers = HeaderList::new();
        for (n, v) in &self.preflight_headers {
            headers.push(*n, v.clone());
        }
        let mut failures = Vec::new();
        if self.is_allowed_origin(&origin) {
            if self.preflight_explicit_allow_origin {
                headers.set("Access-Control-Allow-Origin", origin.clone());
            }
        } else {
            failures.push("origin");
        }
        if !self.allow_methods.contains(&method) {
            failures.push("method");
        }
        match &requested_headers {
            Some(h) if self.allow_all_headers => {
                headers.set("Access-Control-Allow-Headers", h.clone());
            }
            Some(h)
                if h.split(',').any(|x| {
                    !self
                        .allow_headers
                        .contains(&x.to_lowercase().trim().to_string())
                }) =>
            {
                failures.push("headers");
            }
            _ => {}
        }
        if self.version.starlette_1()
            && first(&req.headers, "access-control-request-private-network").is_some()
        {
            if self.allow_private_network {
                headers.set("Access-Control-Allow-Private-Network", "true");
            } else {
                failures.push("private-network");
            }
        }
        let (status, body) = if failures.is_empty() {
            (200, "OK".to_string())
        } else {
            (400, format!("Disallowed CORS {}", failures.join(", ")))
        };
        plain_text(&mut headers, &body);
        Preflight {
            status,
            headers,
            failures,
        }
    }

    /// `send`: the headers added to the response of any other request
    /// (the app's own headers are in `headers` already).
    pub fn simple_headers(&self, req: &WireRequest, headers: &mut HeaderList) -> SimpleOutcome {
        let origin = first(&req.headers, "origin");
        if self.version.starlette_1() {
            let Some(origin) = origin else {
                append_vary(headers, "Origin");
                return SimpleOutcome::NoOrigin;
            };
            for (n, v) in &self.simple_headers {
                headers.set(n, v.clone());
            }
            // The mirror for `["*"]` with credentials, or an allowed origin.
            let mirror = if self.allow_all_origins {
                self.allow_credentials
            } else {
                self.is_allowed_origin(&origin)
            };
            if mirror {
                headers.set("Access-Control-Allow-Origin", origin);
                append_vary(headers, "Origin");
                SimpleOutcome::Mirrored
            } else {
                append_vary(headers, "Origin");
                if self.allow_all_origins {
                    SimpleOutcome::Wildcard
                } else {
                    SimpleOutcome::Refused
                }
            }
        } else {
            let Some(origin) = origin else {
                return SimpleOutcome::NoOrigin;
            };
            for (n, v) in &self.simple_headers {
                headers.set(n, v.clone());
            }
            let has_cookie = req.headers.contains("cookie");
            // "If request includes any cookie headers, then we must respond
            // with the specific origin instead of '*'."
            let mirror = if self.allow_all_origins {
                has_cookie
            } else {
                self.is_allowed_origin(&origin)
            };
            if mirror {
                headers.set("Access-Control-Allow-Origin", origin);
                add_vary_header(headers, "Origin");
                SimpleOutcome::Mirrored
            } else if self.allow_all_origins {
                SimpleOutcome::Wildcard
            } else {
                SimpleOutcome::Refused
            }
        }
    }
}

/// Starlette's `Headers.get`: the first value of a header.
pub fn first(h: &HeaderList, name: &str) -> Option<String> {
    h.get_all(name).first().map(|v| v.to_string())
}

/// `MutableHeaders.add_vary_header` (`starlette/datastructures.py`): the
/// existing value, `, `, the new one.
pub fn add_vary_header(headers: &mut HeaderList, vary: &str) {
    let v = match first(headers, "vary") {
        Some(existing) => format!("{existing}, {vary}"),
        None => vary.to_string(),
    };
    headers.set("vary", v);
}

/// Starlette 1.x's `headers["Vary"] = ", ".join([*headers.getlist("Vary"), "Origin"])`.
pub fn append_vary(headers: &mut HeaderList, vary: &str) {
    let mut all: Vec<String> = headers
        .get_all("vary")
        .iter()
        .map(|s| s.to_string())
        .collect();
    all.push(vary.to_string());
    headers.set("Vary", all.join(", "));
}

/// `PlainTextResponse`: `content-length` and `content-type`.
pub fn plain_text(headers: &mut HeaderList, body: &str) {
    headers.push("content-length", body.len().to_string());
    headers.push("content-type", "text/plain; charset=utf-8");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(method: &str, headers: &[(&str, &str)]) -> WireRequest {
        let mut h = HeaderList::new();
        for (n, v) in headers {
            h.push(*n, *v);
        }
        WireRequest {
            method: method.into(),
            url: "http://localhost:8000/api/login".into(),
            headers: h,
            is_preflight: method == "OPTIONS",
        }
    }

    fn opts(edit: impl FnOnce(&mut CorsOptions)) -> CorsOptions {
        let mut o = CorsOptions::default();
        edit(&mut o);
        o
    }

    /// (options, version, extra request headers, status, failures, ACAO, ACAH)
    type Case = (
        CorsOptions,
        FastApiVersion,
        Vec<(&'static str, &'static str)>,
        u16,
        Vec<&'static str>,
        Option<&'static str>,
        Option<&'static str>,
    );

    #[test]
    fn preflights_table() {
        let pre = |extra: &[(&str, &str)]| {
            let mut h = vec![
                ("origin", "http://localhost:5173"),
                ("access-control-request-method", "POST"),
            ];
            h.extend_from_slice(extra);
            req("OPTIONS", &h)
        };
        let listed = |o: &mut CorsOptions| o.allow_origins = vec!["http://localhost:5173".into()];
        // (options, version, extra request headers, status, body failures, ACAO, ACAH)
        let cases: Vec<Case> = vec![
            // The default allow_methods is ("GET",): POST is refused.
            (
                opts(listed),
                FastApiVersion::V0_165,
                vec![],
                400,
                vec!["method"],
                Some("http://localhost:5173"),
                Some("Accept, Accept-Language, Content-Language, Content-Type"),
            ),
            (
                opts(|o| {
                    listed(o);
                    o.allow_methods = vec!["*".into()]
                }),
                FastApiVersion::V0_165,
                vec![],
                200,
                vec![],
                Some("http://localhost:5173"),
                Some("Accept, Accept-Language, Content-Language, Content-Type"),
            ),
            (
                opts(|o| o.allow_methods = vec!["POST".into()]),
                FastApiVersion::V0_110,
                vec![],
                400,
                vec!["origin"],
                None,
                Some("Accept, Accept-Language, Content-Language, Content-Type"),
            ),
            (
                opts(|o| {
                    listed(o);
                    o.allow_methods = vec!["POST".into()]
                }),
                FastApiVersion::V0_110,
                vec![(
                    "access-control-request-headers",
                    "content-type,x-csrf-token",
                )],
                400,
                vec!["headers"],
                Some("http://localhost:5173"),
                Some("Accept, Accept-Language, Content-Language, Content-Type"),
            ),
            (
                opts(|o| {
                    listed(o);
                    o.allow_methods = vec!["POST".into()];
                    o.allow_headers = vec!["x-csrf-token".into()]
                }),
                FastApiVersion::V0_110,
                vec![(
                    "access-control-request-headers",
                    "content-type, X-CSRF-Token",
                )],
                200,
                vec![],
                Some("http://localhost:5173"),
                Some("Accept, Accept-Language, Content-Language, Content-Type, x-csrf-token"),
            ),
            // allow_headers=["*"] mirrors the requested headers verbatim.
            (
                opts(|o| {
                    listed(o);
                    o.allow_methods = vec!["POST".into()];
                    o.allow_headers = vec!["*".into()]
                }),
                FastApiVersion::V0_165,
                vec![("access-control-request-headers", "x-a,x-b")],
                200,
                vec![],
                Some("http://localhost:5173"),
                Some("x-a,x-b"),
            ),
            // ["*"] without credentials: "*" in the preflight.
            (
                opts(|o| {
                    o.allow_origins = vec!["*".into()];
                    o.allow_methods = vec!["POST".into()]
                }),
                FastApiVersion::V0_110,
                vec![],
                200,
                vec![],
                Some("*"),
                Some("Accept, Accept-Language, Content-Language, Content-Type"),
            ),
            // ["*"] with credentials: the Origin is mirrored.
            (
                opts(|o| {
                    o.allow_origins = vec!["*".into()];
                    o.allow_credentials = true;
                    o.allow_methods = vec!["POST".into()]
                }),
                FastApiVersion::V0_110,
                vec![],
                200,
                vec![],
                Some("http://localhost:5173"),
                Some("Accept, Accept-Language, Content-Language, Content-Type"),
            ),
            // fullmatch: a regex that matches a prefix only is not enough.
            (
                opts(|o| {
                    o.allow_origin_regex = Some(r"http://localhost".into());
                    o.allow_methods = vec!["POST".into()]
                }),
                FastApiVersion::V0_165,
                vec![],
                400,
                vec!["origin"],
                None,
                Some("Accept, Accept-Language, Content-Language, Content-Type"),
            ),
            (
                opts(|o| {
                    o.allow_origin_regex = Some(r"http://localhost:\d+".into());
                    o.allow_methods = vec!["POST".into()]
                }),
                FastApiVersion::V0_165,
                vec![],
                200,
                vec![],
                Some("http://localhost:5173"),
                Some("Accept, Accept-Language, Content-Language, Content-Type"),
            ),
            (
                opts(|o| {
                    listed(o);
                    o.allow_methods = vec!["POST".into()]
                }),
                FastApiVersion::V0_165,
                vec![("access-control-request-private-network", "true")],
                400,
                vec!["private-network"],
                Some("http://localhost:5173"),
                Some("Accept, Accept-Language, Content-Language, Content-Type"),
            ),
        ];
        for (i, (o, v, extra, status, failures, acao, acah)) in cases.into_iter().enumerate() {
            let p = CorsMiddleware::new(&o, v).preflight_response(&pre(&extra));
            assert_eq!(p.status, status, "case {i}");
            assert_eq!(p.failures, failures, "case {i}");
            assert_eq!(
                p.headers.get("access-control-allow-origin").as_deref(),
                acao,
                "case {i}"
            );
            assert_eq!(
                p.headers.get("access-control-allow-headers").as_deref(),
                acah,
                "case {i}"
            );
        }
    }

    #[test]
    fn wildcard_with_credentials_changed_between_releases() {
        let o = opts(|o| {
            o.allow_origins = vec!["*".into()];
            o.allow_credentials = true;
        });
        let no_cookie = req("POST", &[("origin", "https://evil.test")]);
        let cookie = req(
            "POST",
            &[("origin", "https://evil.test"), ("cookie", "session=x")],
        );
        // (version, request, ACAO, Vary)
        for (v, r, acao, vary) in [
            (FastApiVersion::V0_110, &no_cookie, "*", None),
            (
                FastApiVersion::V0_110,
                &cookie,
                "https://evil.test",
                Some("Origin"),
            ),
            (
                FastApiVersion::V0_165,
                &no_cookie,
                "https://evil.test",
                Some("Origin"),
            ),
            (
                FastApiVersion::V0_165,
                &cookie,
                "https://evil.test",
                Some("Origin"),
            ),
        ] {
            let mut h = HeaderList::new();
            CorsMiddleware::new(&o, v).simple_headers(r, &mut h);
            assert_eq!(
                h.get("access-control-allow-origin").as_deref(),
                Some(acao),
                "{v:?}"
            );
            assert_eq!(
                h.get("access-control-allow-credentials").as_deref(),
                Some("true")
            );
            assert_eq!(h.get("vary").as_deref(), vary, "{v:?}");
        }
    }

    #[test]
    fn refused_and_absent_origins() {
        let o = opts(|o| {
            o.allow_origins = vec!["http://localhost:5173".into()];
            o.expose_headers = vec!["X-Total".into()];
        });
        for (v, r, outcome, vary, aceh) in [
            (
                FastApiVersion::V0_110,
                req("GET", &[("origin", "http://x.test")]),
                SimpleOutcome::Refused,
                None,
                Some("X-Total"),
            ),
            (
                FastApiVersion::V0_165,
                req("GET", &[("origin", "http://x.test")]),
                SimpleOutcome::Refused,
                Some("Origin"),
                Some("X-Total"),
            ),
            (
                FastApiVersion::V0_110,
                req("GET", &[]),
                SimpleOutcome::NoOrigin,
                None,
                None,
            ),
            (
                FastApiVersion::V0_165,
                req("GET", &[]),
                SimpleOutcome::NoOrigin,
                Some("Origin"),
                None,
            ),
        ] {
            let mut h = HeaderList::new();
            assert_eq!(
                CorsMiddleware::new(&o, v).simple_headers(&r, &mut h),
                outcome
            );
            assert_eq!(h.get("access-control-allow-origin"), None);
            assert_eq!(h.get("vary").as_deref(), vary, "{v:?}");
            assert_eq!(h.get("access-control-expose-headers").as_deref(), aceh);
        }
    }
}
