//! The session and its cookies: `StartSession`
//! (laravel/framework `10.x`–`12.x`
//! `src/Illuminate/Session/Middleware/StartSession.php`), the session
//! `Store` (`src/Illuminate/Session/Store.php`: a 40-character id, the
//! `_token` CSRF token, `regenerate()`, `invalidate()`), `TrustProxies`
//! (`src/Illuminate/Http/Middleware/TrustProxies.php`) deciding
//! `$request->isSecure()`, and Symfony's `Cookie::__toString` and
//! `Response::prepare` (symfony/http-foundation `7.1` `Cookie.php`,
//! `Response.php`) writing the `Set-Cookie` line.

use std::collections::HashMap;

use crate::http::WireRequest;
use crate::server::session_store::httpdate;

use super::settings::{Front, LaravelApp, LaravelVersion, SameSite, SessionDriver};
use super::support::rawurlencode;

/// What one session holds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SessionData {
    /// `_token`: the CSRF token.
    pub token: String,
    /// The logged-in user's id (`login_web_…` in the session).
    pub user: Option<u32>,
}

/// The session handler's storage, and the ids and tokens it hands out
/// (Laravel draws them with `Str::random(40)`; the model counts).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Store {
    sessions: HashMap<String, SessionData>,
    ids: u32,
    tokens: u32,
}

impl Store {
    /// `Store::generateSessionId()`.
    pub fn new_id(&mut self) -> String {
        self.ids += 1;
        format!("ls{:038}", self.ids)
    }

    /// `Store::regenerateToken()`.
    pub fn new_token(&mut self) -> String {
        self.tokens += 1;
        format!("xt{:038}", self.tokens)
    }

    pub fn load(&self, id: &str) -> Option<SessionData> {
        self.sessions.get(id).cloned()
    }

    pub fn save(&mut self, id: &str, data: SessionData) {
        self.sessions.insert(id.to_string(), data);
    }

    pub fn destroy(&mut self, id: &str) {
        self.sessions.remove(id);
    }
}

/// `Store::isValidId`: 40 alphanumeric characters.
pub fn is_valid_id(id: &str) -> bool {
    id.len() == 40 && id.chars().all(|c| c.is_ascii_alphanumeric())
}

/// The session for one request, after `StartSession::startSession`.
#[derive(Clone, Debug)]
pub struct RequestSession {
    pub id: String,
    pub data: SessionData,
    /// The cookie named a session the handler has.
    pub resumed: bool,
}

/// `StartSession::getSession` and `Store::start`: the id from the
/// (decrypted) session cookie when it is a valid id, else a new one; the
/// handler's data for it (the `array` driver keeps nothing between
/// requests); a new `_token` when the session has none.
pub fn start(store: &mut Store, driver: SessionDriver, cookie_id: Option<&str>) -> RequestSession {
    let (id, loaded) = match cookie_id.filter(|c| is_valid_id(c)) {
        Some(id) => {
            let loaded = if driver == SessionDriver::Array {
                None
            } else {
                store.load(id)
            };
            (id.to_string(), loaded)
        }
        None => (store.new_id(), None),
    };
    let resumed = loaded.is_some();
    let mut data = loaded.unwrap_or_default();
    if data.token.is_empty() {
        data.token = store.new_token();
    }
    RequestSession { id, data, resumed }
}

/// `TrustProxies` then Symfony's `Request::isSecure()`: the connection's
/// scheme, unless the proxy is trusted (`at: '*'`), then
/// `X-Forwarded-Proto`. Untrusted, `X-Forwarded-Proto` is ignored.
pub fn is_secure(app: &LaravelApp, req: &WireRequest) -> (bool, Option<String>) {
    let (connection_https, forwarded) = match app.front {
        Front::Direct => (
            req.scheme() == "https",
            req.headers.get("x-forwarded-proto"),
        ),
        Front::TlsProxy => (false, Some(req.scheme())),
    };
    let secure = match (&forwarded, app.trust_proxies) {
        (Some(f), true) => f
            .split(',')
            .next()
            .unwrap_or("")
            .trim()
            .eq_ignore_ascii_case("https"),
        _ => connection_https,
    };
    (secure, forwarded)
}

/// One cookie as Laravel builds it (`new Cookie(…)`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CookieSpec {
    pub name: String,
    /// The value as sent (already encrypted by `EncryptCookies`).
    pub value: String,
    /// Seconds from now; `None`: `0`, a session cookie.
    pub expires_in: Option<i64>,
    pub path: String,
    pub domain: Option<String>,
    /// `None`: Symfony's secure default (true when `isSecure()`).
    pub secure: Option<bool>,
    pub http_only: bool,
    pub same_site: SameSite,
    pub partitioned: bool,
}

/// The `session.http_only` and `session.same_site` in force: Sanctum's
/// `EnsureFrontendRequestsAreStateful::configureSecureCookieSessions` sets
/// them to `true` and `lax` for every request through it (laravel/sanctum
/// `v4.0.1` `src/Http/Middleware/EnsureFrontendRequestsAreStateful.php`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Forced {
    pub by_sanctum: bool,
}

fn http_only_and_same_site(app: &LaravelApp, f: Forced) -> (bool, SameSite) {
    if f.by_sanctum {
        (true, SameSite::Lax)
    } else {
        (app.session.http_only, app.session.same_site)
    }
}

/// `StartSession::addCookieToResponse`: name, id, expiry (none with
/// `expire_on_close`), path, domain, `secure` (10.x: `$config['secure'] ??
/// false`; 11.x and 12.x pass `null` on, so Symfony's default applies),
/// `http_only`, `same_site`, `partitioned`.
pub fn session_cookie(app: &LaravelApp, id: &str, f: Forced) -> CookieSpec {
    let s = &app.session;
    let (http_only, same_site) = http_only_and_same_site(app, f);
    let secure = match app.version {
        LaravelVersion::V10 => Some(s.secure.unwrap_or(false)),
        _ => s.secure,
    };
    let name = app.session_cookie_name();
    CookieSpec {
        value: super::support::encrypt_cookie(&name, id),
        name,
        expires_in: (!s.expire_on_close).then_some(s.lifetime * 60),
        path: s.path.clone(),
        domain: s.domain.clone(),
        secure,
        http_only,
        same_site,
        partitioned: s.partitioned,
    }
}

/// The name `VerifyCsrfToken::newCookie` writes as a constant.
pub const XSRF_COOKIE: &str = "XSRF-TOKEN";

/// `VerifyCsrfToken::newCookie` (laravel/framework `10.x`–`12.x`
/// `src/Illuminate/Foundation/Http/Middleware/VerifyCsrfToken.php`):
/// `XSRF-TOKEN`, the session's token, `60 * lifetime` seconds (even with
/// `expire_on_close`), the session's path, domain and `secure` (passed on
/// as is in every version), **not** HttpOnly (`false`), the session's
/// `same_site` and `partitioned`.
pub fn xsrf_cookie(app: &LaravelApp, token: &str, f: Forced) -> CookieSpec {
    let s = &app.session;
    let (_, same_site) = http_only_and_same_site(app, f);
    CookieSpec {
        name: XSRF_COOKIE.into(),
        value: super::support::encrypt_cookie(XSRF_COOKIE, token),
        expires_in: Some(s.lifetime * 60),
        path: s.path.clone(),
        domain: s.domain.clone(),
        secure: s.secure,
        http_only: false,
        same_site,
        partitioned: s.partitioned,
    }
}

/// Symfony `Cookie::__toString`, after `Response::prepare` set the secure
/// default from `$request->isSecure()`: `name=value; expires=…; Max-Age=…;
/// path=…; domain=…; secure; httponly; samesite=…; partitioned`.
pub fn set_cookie_line(c: &CookieSpec, now: i64, request_secure: bool) -> String {
    let mut s = format!("{}={}", c.name, rawurlencode(&c.value));
    if let Some(secs) = c.expires_in {
        s.push_str(&format!(
            "; expires={}; Max-Age={}",
            httpdate(now + secs),
            secs.max(0)
        ));
    }
    if !c.path.is_empty() {
        s.push_str(&format!("; path={}", c.path));
    }
    if let Some(d) = c.domain.as_deref().filter(|d| !d.is_empty()) {
        s.push_str(&format!("; domain={d}"));
    }
    if c.secure.unwrap_or(request_secure) {
        s.push_str("; secure");
    }
    if c.http_only {
        s.push_str("; httponly");
    }
    if c.same_site != SameSite::Null {
        s.push_str(&format!("; samesite={}", c.same_site.as_str()));
    }
    if c.partitioned {
        s.push_str("; partitioned");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::headers::HeaderList;

    const NOW: i64 = 1_767_225_600; // Thu, 01 Jan 2026 00:00:00 GMT

    fn app(v: LaravelVersion) -> LaravelApp {
        LaravelApp::new(v)
    }

    #[test]
    fn default_cookie_lines_by_version() {
        let id = "ls".to_string() + &"0".repeat(37) + "1";
        let enc = super::super::support::encrypt_cookie("laravel_session", &id);
        let no = Forced { by_sanctum: false };
        for (v, secure_over_https) in [
            (LaravelVersion::V10, false),
            (LaravelVersion::V11, true),
            (LaravelVersion::V12, true),
        ] {
            let a = app(v);
            let c = session_cookie(&a, &id, no);
            assert_eq!(
                set_cookie_line(&c, NOW, false),
                format!(
                    "laravel_session={enc}; expires=Thu, 01 Jan 2026 02:00:00 GMT; Max-Age=7200; \
                     path=/; httponly; samesite=lax"
                ),
                "{v:?}"
            );
            assert_eq!(
                set_cookie_line(&c, NOW, true).contains("; secure"),
                secure_over_https,
                "{v:?}: SESSION_SECURE_COOKIE unset over https"
            );
            // XSRF-TOKEN passes `secure` on as is in every version.
            let x = xsrf_cookie(&a, "xt1", no);
            let line = set_cookie_line(&x, NOW, true);
            assert!(line.starts_with("XSRF-TOKEN=eyJpdiI6"), "{line}");
            assert!(line.ends_with("; path=/; secure; samesite=lax"), "{line}");
            assert!(!line.contains("httponly"));
        }
    }

    #[test]
    fn session_settings_reach_the_line() {
        let mut a = app(LaravelVersion::V12);
        a.app_name = "My App".into();
        a.session.domain = Some(".myapp.test".into());
        a.session.secure = Some(true);
        a.session.same_site = SameSite::None;
        a.session.expire_on_close = true;
        a.session.partitioned = true;
        let no = Forced { by_sanctum: false };
        let line = set_cookie_line(&session_cookie(&a, "x", no), NOW, false);
        assert!(line.starts_with("my_app_session=eyJpdiI6"), "{line}");
        assert!(
            line.ends_with(
                "; path=/; domain=.myapp.test; secure; httponly; samesite=none; partitioned"
            ),
            "{line}"
        );
        assert!(!line.contains("expires"));
        // Sanctum forces http_only and lax on the requests it handles.
        a.session.http_only = false;
        let forced = set_cookie_line(
            &session_cookie(&a, "x", Forced { by_sanctum: true }),
            NOW,
            false,
        );
        assert!(forced.contains("; httponly; samesite=lax"), "{forced}");
        let x = set_cookie_line(
            &xsrf_cookie(&a, "t", Forced { by_sanctum: true }),
            NOW,
            false,
        );
        assert!(
            x.contains("expires=Thu, 01 Jan 2026 02:00:00 GMT; Max-Age=7200"),
            "{x}"
        );
        assert!(x.ends_with("samesite=lax; partitioned"), "{x}");
        a.session.same_site = SameSite::Null;
        let n = set_cookie_line(&session_cookie(&a, "x", no), NOW, false);
        assert!(!n.contains("samesite"), "{n}");
    }

    #[test]
    fn trust_proxies_decides_is_secure() {
        let req = |url: &str, xfp: Option<&str>| {
            let mut h = HeaderList::new();
            if let Some(x) = xfp {
                h.push("X-Forwarded-Proto", x);
            }
            WireRequest {
                method: "GET".into(),
                url: url.into(),
                headers: h,
                is_preflight: false,
            }
        };
        let mut a = app(LaravelVersion::V12);
        assert!(is_secure(&a, &req("https://api.example.com/", None)).0);
        assert!(!is_secure(&a, &req("http://api.example.com/", Some("https"))).0);
        a.front = Front::TlsProxy;
        assert!(!is_secure(&a, &req("https://api.example.com/", None)).0);
        a.trust_proxies = true;
        assert!(is_secure(&a, &req("https://api.example.com/", None)).0);
        assert!(!is_secure(&a, &req("http://api.example.com/", None)).0);
    }

    #[test]
    fn sessions_start_resume_and_the_array_driver_forgets() {
        let mut s = Store::default();
        let first = start(&mut s, SessionDriver::Database, None);
        assert!(is_valid_id(&first.id) && !first.resumed);
        assert_eq!(first.data.token.len(), 40);
        s.save(&first.id, first.data.clone());
        let again = start(&mut s, SessionDriver::Database, Some(&first.id));
        assert!(again.resumed);
        assert_eq!(again.data.token, first.data.token);
        let arr = start(&mut s, SessionDriver::Array, Some(&first.id));
        assert!(!arr.resumed);
        assert_ne!(arr.data.token, first.data.token);
        let bad = start(&mut s, SessionDriver::Database, Some("short"));
        assert_ne!(bad.id, "short");
    }
}
