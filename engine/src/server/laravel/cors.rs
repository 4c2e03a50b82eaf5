//! `config/cors.php` at work: Laravel's `HandleCors` middleware
//! (laravel/framework `12.x` `src/Illuminate/Http/Middleware/HandleCors.php`,
//! the same decisions in 10.x and 11.x) and the php-cors `CorsService` it
//! calls (fruitcake/php-cors `v1.3.0` `src/CorsService.php`; Laravel 10
//! requires `^1.2`, 11 and 12 `^1.3`, and they differ only in how an
//! existing multi-line `Vary` is joined, which no response here has).

use crate::headers::HeaderList;
use crate::http::WireRequest;

use super::settings::CorsConfig;
use super::support::{str_is, PcrePattern};

/// The options after `CorsService::normalizeOptions`.
pub struct Cors {
    pub config: CorsConfig,
    methods: Vec<String>,
    headers: Vec<String>,
    allow_all_origins: bool,
    allow_all_methods: bool,
    allow_all_headers: bool,
    /// `allowed_origins_patterns`, then one pattern per `allowed_origins`
    /// entry with a `*` (`convertWildcardToPattern`, the `Str::is` rule).
    patterns: Vec<Pattern>,
}

enum Pattern {
    Pcre(PcrePattern),
    Wildcard(String),
}

/// How `configureAllowedOrigin` decided.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OriginDecision {
    /// `allowed_origins` holds `*` and `supports_credentials` is false: `*`.
    Star,
    /// Exactly one origin and no pattern: that origin, whatever the request's
    /// Origin is, and no `Vary: Origin`.
    Single(String),
    /// The request's Origin, allowed by the list, a wildcard or a pattern
    /// (`Vary: Origin`).
    Reflected(AllowedBy),
    /// No `Access-Control-Allow-Origin` (`Vary: Origin` only).
    NotAllowed,
    /// No Origin header: no `Access-Control-Allow-Origin` (`Vary: Origin` only).
    NoOrigin,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AllowedBy {
    /// `'*'` in `allowed_origins` with `supports_credentials` true.
    StarWithCredentials,
    List,
    Pattern(String),
}

impl Cors {
    /// `CorsService::setOptions` and `normalizeOptions`. `Err`: the field
    /// and why (a pattern `preg_match` cannot compile warns and never matches).
    pub fn new(config: &CorsConfig) -> Result<Cors, (String, String)> {
        let mut patterns = Vec::new();
        for (i, p) in config.allowed_origins_patterns.iter().enumerate() {
            let re = PcrePattern::new(p)
                .map_err(|m| (format!("cors.allowed_origins_patterns.{i}"), m))?;
            patterns.push(Pattern::Pcre(re));
        }
        let allow_all_origins = config.allowed_origins.iter().any(|o| o == "*");
        if !allow_all_origins {
            for o in &config.allowed_origins {
                if o.contains('*') {
                    patterns.push(Pattern::Wildcard(o.clone()));
                }
            }
        }
        let headers: Vec<String> = config
            .allowed_headers
            .iter()
            .map(|h| h.to_ascii_lowercase())
            .collect();
        let methods: Vec<String> = config
            .allowed_methods
            .iter()
            .map(|m| m.to_ascii_uppercase())
            .collect();
        Ok(Cors {
            allow_all_headers: headers.iter().any(|h| h == "*"),
            allow_all_methods: methods.iter().any(|m| m == "*"),
            allow_all_origins,
            methods,
            headers,
            patterns,
            config: config.clone(),
        })
    }

    /// `HandleCors::hasMatchingPath`: each `paths` entry (trimmed of `/`
    /// unless it is `/`) against `$request->fullUrl()` and, with `Str::is`,
    /// `$request->decodedPath()` (the path without its slashes, `/` when empty).
    pub fn has_matching_path(&self, req: &WireRequest) -> bool {
        let decoded = decoded_path(&req.path());
        let full = full_url(&req.url);
        self.config.paths.iter().any(|p| {
            let p = if p == "/" {
                p.as_str()
            } else {
                p.trim_matches('/')
            };
            str_is(p, &full) || str_is(p, &decoded)
        })
    }

    /// `CorsService::isPreflightRequest`.
    pub fn is_preflight(req: &WireRequest) -> bool {
        req.method == "OPTIONS" && req.headers.contains("access-control-request-method")
    }

    /// `CorsService::isOriginAllowed`.
    fn origin_allowed(&self, origin: &str) -> Option<AllowedBy> {
        if self.allow_all_origins {
            return Some(AllowedBy::StarWithCredentials);
        }
        if self.config.allowed_origins.iter().any(|o| o == origin) {
            return Some(AllowedBy::List);
        }
        self.patterns.iter().find_map(|p| match p {
            Pattern::Pcre(re) => re
                .is_match(origin)
                .then(|| AllowedBy::Pattern(String::new())),
            Pattern::Wildcard(w) => str_is(w, origin).then(|| AllowedBy::Pattern(w.clone())),
        })
    }

    /// `configureAllowedOrigin`, as a decision.
    pub fn decide(&self, req: &WireRequest) -> OriginDecision {
        if self.allow_all_origins && !self.config.supports_credentials {
            return OriginDecision::Star;
        }
        // isSingleOriginAllowed: not all origins, no pattern, one entry.
        if !self.allow_all_origins
            && self.patterns.is_empty()
            && self.config.allowed_origins.len() == 1
        {
            return OriginDecision::Single(self.config.allowed_origins[0].clone());
        }
        let Some(origin) = req.headers.get("origin") else {
            return OriginDecision::NoOrigin;
        };
        match self.origin_allowed(&origin) {
            Some(AllowedBy::Pattern(w)) if w.is_empty() => {
                // Name the PCRE pattern that matched.
                let p = self
                    .config
                    .allowed_origins_patterns
                    .iter()
                    .find(|p| PcrePattern::new(p).is_ok_and(|re| re.is_match(&origin)))
                    .cloned()
                    .unwrap_or_default();
                OriginDecision::Reflected(AllowedBy::Pattern(p))
            }
            Some(by) => OriginDecision::Reflected(by),
            None => OriginDecision::NotAllowed,
        }
    }

    fn allowed_origin(&self, req: &WireRequest, d: &OriginDecision, h: &mut HeaderList) {
        match d {
            OriginDecision::Star => h.set("Access-Control-Allow-Origin", "*"),
            OriginDecision::Single(o) => h.set("Access-Control-Allow-Origin", o.clone()),
            OriginDecision::Reflected(_) => {
                h.set(
                    "Access-Control-Allow-Origin",
                    req.headers.get("origin").unwrap_or_default(),
                );
                vary(h, "Origin");
            }
            OriginDecision::NotAllowed | OriginDecision::NoOrigin => vary(h, "Origin"),
        }
    }

    /// `handlePreflightRequest` (204) with `addPreflightRequestHeaders`, and
    /// `HandleCors`' `Vary: Access-Control-Request-Method`.
    pub fn preflight_headers(&self, req: &WireRequest, d: &OriginDecision) -> HeaderList {
        let mut h = HeaderList::new();
        self.allowed_origin(req, d, &mut h);
        if h.contains("access-control-allow-origin") {
            if self.config.supports_credentials {
                h.set("Access-Control-Allow-Credentials", "true");
            }
            if self.allow_all_methods {
                let m = req
                    .headers
                    .get("access-control-request-method")
                    .unwrap_or_default()
                    .to_ascii_uppercase();
                vary(&mut h, "Access-Control-Request-Method");
                h.set("Access-Control-Allow-Methods", m);
            } else {
                h.set("Access-Control-Allow-Methods", self.methods.join(", "));
            }
            if self.allow_all_headers {
                let a = req
                    .headers
                    .get("access-control-request-headers")
                    .unwrap_or_default();
                vary(&mut h, "Access-Control-Request-Headers");
                h.set("Access-Control-Allow-Headers", a);
            } else {
                h.set("Access-Control-Allow-Headers", self.headers.join(", "));
            }
            if let Some(m) = self.config.max_age {
                h.set("Access-Control-Max-Age", m.to_string());
            }
        }
        vary(&mut h, "Access-Control-Request-Method");
        h
    }

    /// `addActualRequestHeaders` (after the app answered), with `HandleCors`'
    /// `Vary: Access-Control-Request-Method` for a plain `OPTIONS`.
    pub fn actual_headers(&self, req: &WireRequest, d: &OriginDecision, h: &mut HeaderList) {
        if req.method == "OPTIONS" {
            vary(h, "Access-Control-Request-Method");
        }
        self.allowed_origin(req, d, h);
        if h.contains("access-control-allow-origin") {
            if self.config.supports_credentials {
                h.set("Access-Control-Allow-Credentials", "true");
            }
            if !self.config.exposed_headers.is_empty() {
                h.set(
                    "Access-Control-Expose-Headers",
                    self.config.exposed_headers.join(", "),
                );
            }
        }
    }
}

/// `CorsService::varyHeader`: set, or append `, Name` when not listed.
pub fn vary(h: &mut HeaderList, name: &str) {
    match h.get("vary") {
        None => h.set("Vary", name),
        Some(v) => {
            if !v.split(',').any(|x| x.trim() == name) {
                h.set("Vary", format!("{v}, {name}"));
            }
        }
    }
}

/// `Request::decodedPath()`: `rawurldecode(trim(pathInfo, '/'))`, `/` when empty.
pub fn decoded_path(path: &str) -> String {
    let t = path.trim_matches('/');
    if t.is_empty() {
        return "/".into();
    }
    let b = t.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Ok(v) = u8::from_str_radix(&t[i + 1..i + 3], 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `Request::fullUrl()`: `url()` (no query, no trailing slash) and the query.
fn full_url(url: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q.split('#').next().unwrap_or(""))),
        None => (url.split('#').next().unwrap_or(url), None),
    };
    let base = base.trim_end_matches('/');
    match query {
        Some(q) if !q.is_empty() => format!("{base}?{q}"),
        _ => base.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(method: &str, url: &str, headers: &[(&str, &str)]) -> WireRequest {
        let mut h = HeaderList::new();
        for (n, v) in headers {
            h.push(*n, *v);
        }
        WireRequest {
            method: method.into(),
            url: url.into(),
            is_preflight: method == "OPTIONS",
            headers: h,
        }
    }

    fn cfg(edit: impl FnOnce(&mut CorsConfig)) -> Cors {
        let mut c = CorsConfig::default();
        edit(&mut c);
        Cors::new(&c).unwrap()
    }

    #[test]
    fn paths_match_like_handle_cors() {
        let c = cfg(|_| {});
        for (url, want) in [
            ("http://localhost:8000/api/user", true),
            ("http://localhost:8000/api/", false),
            ("http://localhost:8000/api", false),
            ("http://localhost:8000/sanctum/csrf-cookie", true),
            ("http://localhost:8000/login", false),
            ("http://localhost:8000/", false),
        ] {
            assert_eq!(c.has_matching_path(&req("GET", url, &[])), want, "{url}");
        }
        let star = cfg(|c| c.paths = vec!["*".into()]);
        assert!(star.has_matching_path(&req("GET", "http://x/login", &[])));
        let slash = cfg(|c| c.paths = vec!["/".into()]);
        assert!(slash.has_matching_path(&req("GET", "http://x/", &[])));
        assert!(!slash.has_matching_path(&req("GET", "http://x/a", &[])));
        let full = cfg(|c| c.paths = vec!["http://x/api/*".into()]);
        assert!(full.has_matching_path(&req("GET", "http://x/api/user", &[])));
        assert_eq!(decoded_path("/api/a%20b/"), "api/a b");
    }

    const O: (&str, &str) = ("Origin", "http://localhost:3000");

    #[test]
    fn the_default_config_answers_star() {
        let c = cfg(|_| {});
        let r = req("GET", "http://localhost:8000/api/user", &[O]);
        let d = c.decide(&r);
        assert_eq!(d, OriginDecision::Star);
        let mut h = HeaderList::new();
        c.actual_headers(&r, &d, &mut h);
        assert_eq!(h.to_lines(), "Access-Control-Allow-Origin: *");
    }

    #[test]
    fn star_with_credentials_reflects_the_origin() {
        let c = cfg(|c| c.supports_credentials = true);
        let r = req(
            "GET",
            "http://localhost:8000/api/user",
            &[("Origin", "https://evil.example")],
        );
        let d = c.decide(&r);
        assert_eq!(d, OriginDecision::Reflected(AllowedBy::StarWithCredentials));
        let mut h = HeaderList::new();
        c.actual_headers(&r, &d, &mut h);
        assert_eq!(
            h.to_lines(),
            "Access-Control-Allow-Origin: https://evil.example\nVary: Origin\nAccess-Control-Allow-Credentials: true"
        );
    }

    #[test]
    fn a_single_origin_is_sent_whatever_the_request_origin() {
        let c = cfg(|c| c.allowed_origins = vec!["http://localhost:3000".into()]);
        let r = req(
            "GET",
            "http://localhost:8000/api/user",
            &[("Origin", "http://localhost:5173")],
        );
        let d = c.decide(&r);
        assert_eq!(d, OriginDecision::Single("http://localhost:3000".into()));
        let mut h = HeaderList::new();
        c.actual_headers(&r, &d, &mut h);
        assert_eq!(
            h.to_lines(),
            "Access-Control-Allow-Origin: http://localhost:3000"
        );
        // Even without an Origin.
        let d = c.decide(&req("GET", "http://localhost:8000/api/user", &[]));
        assert_eq!(d, OriginDecision::Single("http://localhost:3000".into()));
    }

    #[test]
    fn two_origins_reflect_or_vary_only() {
        let c = cfg(|c| {
            c.allowed_origins = vec![
                "http://localhost:3000".into(),
                "https://*.example.com".into(),
            ]
        });
        let ok = req("GET", "http://a/api/x", &[O]);
        assert_eq!(c.decide(&ok), OriginDecision::Reflected(AllowedBy::List));
        let wild = req(
            "GET",
            "http://a/api/x",
            &[("Origin", "https://app.example.com")],
        );
        assert_eq!(
            c.decide(&wild),
            OriginDecision::Reflected(AllowedBy::Pattern("https://*.example.com".into()))
        );
        let no = req(
            "GET",
            "http://a/api/x",
            &[("Origin", "http://localhost:5173")],
        );
        let d = c.decide(&no);
        assert_eq!(d, OriginDecision::NotAllowed);
        let mut h = HeaderList::new();
        c.actual_headers(&no, &d, &mut h);
        assert_eq!(h.to_lines(), "Vary: Origin");
        let p = cfg(|c| {
            c.allowed_origins = vec![];
            c.allowed_origins_patterns = vec![r"#^http://localhost:\d+$#".into()];
        });
        assert_eq!(
            p.decide(&no),
            OriginDecision::Reflected(AllowedBy::Pattern(r"#^http://localhost:\d+$#".into()))
        );
    }

    #[test]
    fn preflight_echoes_method_and_headers_and_sends_max_age_zero() {
        let c = cfg(|c| {
            c.allowed_origins = vec!["http://localhost:3000".into()];
            c.supports_credentials = true;
        });
        let r = req(
            "OPTIONS",
            "http://localhost:8000/api/user",
            &[
                O,
                ("Access-Control-Request-Method", "post"),
                (
                    "Access-Control-Request-Headers",
                    "content-type,x-xsrf-token",
                ),
            ],
        );
        let d = c.decide(&r);
        assert_eq!(
            c.preflight_headers(&r, &d).to_lines(),
            "Access-Control-Allow-Origin: http://localhost:3000\n\
             Access-Control-Allow-Credentials: true\n\
             Vary: Access-Control-Request-Method, Access-Control-Request-Headers\n\
             Access-Control-Allow-Methods: POST\n\
             Access-Control-Allow-Headers: content-type,x-xsrf-token\n\
             Access-Control-Max-Age: 0"
        );
        let listed = cfg(|c| {
            c.allowed_methods = vec!["get".into(), "post".into()];
            c.allowed_headers = vec!["Content-Type".into()];
            c.max_age = None;
        });
        let h = listed.preflight_headers(&r, &listed.decide(&r));
        assert_eq!(
            h.to_lines(),
            "Access-Control-Allow-Origin: *\nAccess-Control-Allow-Methods: GET, POST\n\
             Access-Control-Allow-Headers: content-type\nVary: Access-Control-Request-Method"
        );
        // Not allowed: only the Vary lines.
        let two = cfg(|c| c.allowed_origins = vec!["http://a".into(), "http://b".into()]);
        assert_eq!(
            two.preflight_headers(&r, &two.decide(&r)).to_lines(),
            "Vary: Origin, Access-Control-Request-Method"
        );
    }

    #[test]
    fn a_bad_pattern_is_a_field_error() {
        let c = CorsConfig {
            allowed_origins_patterns: vec!["^http://x$".into()],
            ..CorsConfig::default()
        };
        let e = Cors::new(&c).err().unwrap();
        assert_eq!(e.0, "cors.allowed_origins_patterns.0");
    }
}
