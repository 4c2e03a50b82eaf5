//! django-cors-headers' `CorsMiddleware` (`corsheaders/middleware.py`):
//! `is_enabled`, `check_preflight`, `add_response_headers` and the origin
//! allow-lists.

use crate::headers::HeaderList;
use crate::http::WireRequest;

use super::pyregex::PyRegex;
use super::settings::CorsSettings;

/// Python's `urllib.parse.urlsplit`, the parts the middleware compares:
/// the lower-cased scheme and the netloc as written. `Err` for what
/// `urlsplit` rejects (`ValueError`: an unbalanced `[` in the netloc).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Split {
    pub scheme: String,
    pub netloc: String,
    pub path: String,
    pub query: String,
    pub fragment: String,
}

pub fn urlsplit(url: &str) -> Result<Split, String> {
    let mut rest = url;
    let mut out = Split::default();
    if let Some(i) = url.find(':') {
        let s = &url[..i];
        if !s.is_empty()
            && s.starts_with(|c: char| c.is_ascii_alphabetic())
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        {
            out.scheme = s.to_ascii_lowercase();
            rest = &url[i + 1..];
        }
    }
    if let Some(r) = rest.strip_prefix("//") {
        let end = r.find(['/', '?', '#']).unwrap_or(r.len());
        out.netloc = r[..end].to_string();
        rest = &r[end..];
        if out.netloc.contains('[') != out.netloc.contains(']') {
            return Err("Invalid IPv6 URL".into());
        }
    }
    if let Some(i) = rest.find('#') {
        out.fragment = rest[i + 1..].to_string();
        rest = &rest[..i];
    }
    if let Some(i) = rest.find('?') {
        out.query = rest[i + 1..].to_string();
        rest = &rest[..i];
    }
    out.path = rest.to_string();
    Ok(out)
}

/// The compiled settings: regexps compiled once.
#[derive(Clone, Debug)]
pub struct Cors {
    pub settings: CorsSettings,
    urls_regex: Option<PyRegex>,
    origin_regexes: Vec<PyRegex>,
}

/// What the middleware decided about the Origin, for the trace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OriginDecision {
    /// The path does not match `CORS_URLS_REGEX`: the middleware does nothing.
    PathNotEnabled,
    /// No `Origin` header (or one `urlsplit` rejects): only `Vary: origin`.
    NoOrigin,
    /// Allowed: by `CORS_ALLOW_ALL_ORIGINS`, the list, or a regexp.
    Allowed(AllowedBy),
    /// In no list: only `Vary: origin`, no `Access-Control-Allow-Origin`.
    NotAllowed,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AllowedBy {
    AllowAll,
    List(String),
    Regex(String),
}

impl Cors {
    /// Compiles the regexps; the checks ([`super::checks`]) report those that
    /// do not compile, which then never match here.
    pub fn new(settings: &CorsSettings) -> Cors {
        Cors {
            settings: settings.clone(),
            urls_regex: PyRegex::new(&settings.urls_regex).ok(),
            origin_regexes: settings
                .allowed_origin_regexes
                .iter()
                .filter_map(|r| PyRegex::new(r).ok())
                .collect(),
        }
    }

    /// `is_enabled`: `re.match(CORS_URLS_REGEX, request.path_info)`.
    pub fn is_enabled(&self, path: &str) -> bool {
        self.urls_regex.as_ref().is_some_and(|r| r.matches(path))
    }

    /// `check_preflight`: an enabled `OPTIONS` with
    /// `Access-Control-Request-Method` is answered here, 200, empty body,
    /// before any view runs.
    pub fn is_preflight(&self, req: &WireRequest, enabled: bool) -> bool {
        enabled && req.method == "OPTIONS" && req.headers.contains("access-control-request-method")
    }

    /// `origin_found_in_white_lists` (and `CORS_ALLOW_ALL_ORIGINS`).
    pub fn decide(&self, req: &WireRequest, enabled: bool) -> OriginDecision {
        if !enabled {
            return OriginDecision::PathNotEnabled;
        }
        let origin = match req.headers.get("origin") {
            Some(o) if !o.is_empty() => o,
            _ => return OriginDecision::NoOrigin,
        };
        let Ok(url) = urlsplit(&origin) else {
            return OriginDecision::NoOrigin;
        };
        if self.settings.allow_all_origins {
            return OriginDecision::Allowed(AllowedBy::AllowAll);
        }
        if origin == "null" && self.settings.allowed_origins.iter().any(|o| o == "null") {
            return OriginDecision::Allowed(AllowedBy::List("null".into()));
        }
        // `_url_in_whitelist`: scheme and netloc equal (the netloc as written,
        // so `http://LOCALHOST:3000` is not `http://localhost:3000`).
        for o in &self.settings.allowed_origins {
            if let Ok(a) = urlsplit(o) {
                if a.scheme == url.scheme && a.netloc == url.netloc {
                    return OriginDecision::Allowed(AllowedBy::List(o.clone()));
                }
            }
        }
        for r in &self.origin_regexes {
            if r.matches(&origin) {
                return OriginDecision::Allowed(AllowedBy::Regex(r.source.clone()));
            }
        }
        OriginDecision::NotAllowed
    }

    /// `add_response_headers`.
    pub fn add_response_headers(
        &self,
        req: &WireRequest,
        decision: &OriginDecision,
        headers: &mut HeaderList,
    ) {
        if *decision == OriginDecision::PathNotEnabled {
            return;
        }
        patch_vary(headers, "origin");
        if !matches!(decision, OriginDecision::Allowed(_)) {
            return;
        }
        let s = &self.settings;
        let origin = req.headers.get("origin").unwrap_or_default();
        if s.allow_all_origins && !s.allow_credentials {
            headers.set("access-control-allow-origin", "*");
        } else {
            headers.set("access-control-allow-origin", origin);
        }
        if s.allow_credentials {
            headers.set("access-control-allow-credentials", "true");
        }
        if !s.expose_headers.is_empty() {
            headers.set("access-control-expose-headers", s.expose_headers.join(", "));
        }
        if req.method == "OPTIONS" {
            headers.set("access-control-allow-headers", s.allow_headers.join(", "));
            headers.set("access-control-allow-methods", s.allow_methods.join(", "));
            if s.preflight_max_age != 0 {
                headers.set("access-control-max-age", s.preflight_max_age.to_string());
            }
        }
        if s.allow_private_network
            && req
                .headers
                .get("access-control-request-private-network")
                .as_deref()
                == Some("true")
        {
            headers.set("access-control-allow-private-network", "true");
        }
    }
}

/// `django.utils.cache.patch_vary_headers`: appends the header to `Vary`
/// unless it is there already (case-insensitively) or `Vary` is `*`.
pub fn patch_vary(headers: &mut HeaderList, name: &str) {
    let current = headers.get("vary").unwrap_or_default();
    let mut items: Vec<String> = current
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    if items.iter().any(|v| v == "*") {
        return;
    }
    if !items.iter().any(|v| v.eq_ignore_ascii_case(name)) {
        items.push(name.to_string());
    }
    headers.set("vary", items.join(", "));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urlsplit_like_python() {
        let s = urlsplit("http://localhost:3000").unwrap();
        assert_eq!(
            (s.scheme.as_str(), s.netloc.as_str()),
            ("http", "localhost:3000")
        );
        let s = urlsplit("localhost:3000").unwrap();
        assert_eq!(
            (s.scheme.as_str(), s.netloc.as_str(), s.path.as_str()),
            ("localhost", "", "3000")
        );
        let s = urlsplit("https://a.com/app?x#y").unwrap();
        assert_eq!(
            (s.path.as_str(), s.query.as_str(), s.fragment.as_str()),
            ("/app", "x", "y")
        );
        assert!(urlsplit("http://[::1").is_err());
        assert_eq!(urlsplit("null").unwrap().scheme, "");
    }

    #[test]
    fn vary_is_appended_once() {
        let mut h = HeaderList::new();
        patch_vary(&mut h, "Cookie");
        patch_vary(&mut h, "origin");
        patch_vary(&mut h, "cookie");
        assert_eq!(h.get("vary").unwrap(), "Cookie, origin");
    }
}
