//! Sanctum's SPA authentication and the CSRF check it turns on.

use crate::http::WireRequest;

use super::support::{decrypt_cookie, str_is};

/// `EnsureFrontendRequestsAreStateful::fromFrontend` (laravel/sanctum
/// `v4.0.1`, the same in `v3.3.3`,
/// `src/Http/Middleware/EnsureFrontendRequestsAreStateful.php`): the
/// `Referer`, else the `Origin`; `https://` or `http://` removed once; a `/`
/// appended unless it ends with one; then `Str::is` against each stateful
/// entry followed by `/*`. The port is part of the text, so `localhost`
/// does not cover `localhost:3000`. Returns the text matched and the entry.
pub fn from_frontend(req: &WireRequest, stateful: &[String]) -> (Option<String>, Option<String>) {
    let Some(domain) = req
        .headers
        .get("referer")
        .filter(|r| !r.is_empty())
        .or_else(|| req.headers.get("origin").filter(|o| !o.is_empty()))
    else {
        return (None, None);
    };
    let domain = replace_first(&domain, "https://");
    let mut domain = replace_first(&domain, "http://");
    if !domain.ends_with('/') {
        domain.push('/');
    }
    let hit = stateful
        .iter()
        .find(|s| str_is(&format!("{}/*", s.trim()), &domain))
        .cloned();
    (Some(domain), hit)
}

/// `Str::replaceFirst`.
fn replace_first(s: &str, what: &str) -> String {
    match s.find(what) {
        Some(i) => format!("{}{}", &s[..i], &s[i + what.len()..]),
        None => s.to_string(),
    }
}

/// Where `VerifyCsrfToken::getTokenFromRequest` found a token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TokenSource {
    /// `X-CSRF-TOKEN`: the plain token (a `<meta name="csrf-token">`).
    CsrfHeader(String),
    /// `X-XSRF-TOKEN`, decrypted: the `XSRF-TOKEN` cookie's value.
    XsrfHeader(String),
    /// `X-XSRF-TOKEN` that does not decrypt (`DecryptException`: `''`).
    XsrfUndecryptable,
    None,
}

/// `VerifyCsrfToken::getTokenFromRequest` (laravel/framework `12.x`
/// `src/Illuminate/Foundation/Http/Middleware/VerifyCsrfToken.php`):
/// `_token` input (the model sends no form fields), else `X-CSRF-TOKEN`,
/// else `X-XSRF-TOKEN` decrypted.
pub fn token_from_request(req: &WireRequest) -> TokenSource {
    if let Some(t) = req.headers.get("x-csrf-token").filter(|t| !t.is_empty()) {
        return TokenSource::CsrfHeader(t);
    }
    match req.headers.get("x-xsrf-token").filter(|t| !t.is_empty()) {
        Some(h) => match decrypt_cookie(&h) {
            Some(t) => TokenSource::XsrfHeader(t),
            None => TokenSource::XsrfUndecryptable,
        },
        None => TokenSource::None,
    }
}

/// `VerifyCsrfToken::isReading`.
pub fn is_reading(method: &str) -> bool {
    matches!(method, "HEAD" | "GET" | "OPTIONS")
}

/// `VerifyCsrfToken::tokensMatch`: `hash_equals($request->session()->token(), $token)`.
pub fn tokens_match(session_token: &str, source: &TokenSource) -> bool {
    match source {
        TokenSource::CsrfHeader(t) | TokenSource::XsrfHeader(t) => t == session_token,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::headers::HeaderList;

    fn req(headers: &[(&str, &str)]) -> WireRequest {
        let mut h = HeaderList::new();
        for (n, v) in headers {
            h.push(*n, *v);
        }
        WireRequest {
            method: "POST".into(),
            url: "http://localhost:8000/login".into(),
            headers: h,
            is_preflight: false,
        }
    }

    fn list(s: &str) -> Vec<String> {
        s.split(',').map(String::from).collect()
    }

    #[test]
    fn stateful_matching_needs_the_port() {
        let default = list("localhost,localhost:3000,127.0.0.1,127.0.0.1:8000,::1,localhost");
        for (origin, stateful, hit) in [
            (
                "http://localhost:3000",
                default.clone(),
                Some("localhost:3000"),
            ),
            ("http://localhost:5173", default.clone(), None),
            ("http://localhost", default.clone(), Some("localhost")),
            ("http://localhost:5173", list("localhost"), None),
            (
                "http://localhost:5173",
                list("localhost:5173"),
                Some("localhost:5173"),
            ),
            (
                "https://spa.myapp.test",
                list("*.myapp.test"),
                Some("*.myapp.test"),
            ),
            (
                "https://app.example.com",
                list(" app.example.com"),
                Some(" app.example.com"),
            ),
            (
                "http://127.0.0.1:8000",
                default.clone(),
                Some("127.0.0.1:8000"),
            ),
        ] {
            let (_, got) = from_frontend(&req(&[("Origin", origin)]), &stateful);
            assert_eq!(got.as_deref(), hit, "{origin} in {stateful:?}");
        }
        // The Referer wins over the Origin, path and all.
        let (seen, hit) = from_frontend(
            &req(&[
                ("Referer", "http://localhost:3000/login"),
                ("Origin", "http://evil.test"),
            ]),
            &default,
        );
        assert_eq!(seen.as_deref(), Some("localhost:3000/login/"));
        assert_eq!(hit.as_deref(), Some("localhost:3000"));
        assert_eq!(from_frontend(&req(&[]), &default), (None, None));
    }

    #[test]
    fn the_token_comes_from_the_headers() {
        let enc = super::super::support::encrypt_cookie("XSRF-TOKEN", "tok");
        assert_eq!(
            token_from_request(&req(&[("X-XSRF-TOKEN", &enc)])),
            TokenSource::XsrfHeader("tok".into())
        );
        assert_eq!(
            token_from_request(&req(&[("X-XSRF-TOKEN", "tok")])),
            TokenSource::XsrfUndecryptable
        );
        assert_eq!(
            token_from_request(&req(&[("X-CSRF-TOKEN", "tok"), ("X-XSRF-TOKEN", "zz")])),
            TokenSource::CsrfHeader("tok".into())
        );
        assert!(tokens_match("tok", &TokenSource::XsrfHeader("tok".into())));
        assert!(!tokens_match("tok", &TokenSource::CsrfHeader(enc)));
        assert!(!tokens_match("tok", &TokenSource::None));
        assert!(is_reading("GET") && is_reading("OPTIONS") && !is_reading("POST"));
    }
}
