//! The session cookie: when `express-session` 1.x (`index.js`:
//! `shouldSetCookie`, `issecure`, `setcookie`) and `cookie-session` 2.x
//! (`index.js` `setHeaders`, npm `cookies` 0.9 `Cookies.prototype.set`)
//! write it, and the exact `Set-Cookie` line each sends.

use super::{ExpressSessionConfig, ResCookie, SameSiteOption, SecureOption, SessionKind};

/// The simulated clock's date as `Date#toUTCString()` writes it.
fn utc_string(ms_from_now: u64, now_secs: i64) -> String {
    crate::server::session_store::httpdate(now_secs.saturating_add((ms_from_now / 1000) as i64))
}

/// What the request looks like to the session middleware.
#[derive(Clone, Copy, Debug)]
pub struct RequestFacts<'a> {
    /// The socket is TLS (the browser talks https to Node itself).
    pub encrypted: bool,
    /// Express's `req.protocol === 'https'` (`trust proxy` and `X-Forwarded-Proto`).
    pub req_secure: bool,
    /// The first value of `X-Forwarded-Proto`, lowercased.
    pub forwarded_proto: Option<&'a str>,
    /// The session cookie's value, if the request carried one this app issued.
    pub session_cookie: Option<&'a str>,
    /// The route changed the session (`req.session.user = …`).
    pub modified: bool,
    /// The request's path (express-session skips paths outside `cookie.path`).
    pub path: &'a str,
}

/// Why no cookie was written, or that one was.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SessionCookie {
    /// The cookie lines, in order.
    Written(Vec<String>),
    /// Nothing to write (a session that did not change, or none at all).
    Unchanged,
    /// express-session: `cookie.secure` and the request is not secure
    /// (`issecure`): the cookie is silently not set.
    NotSecure,
    /// cookie-session: `secure` over plain http throws "Cannot send secure
    /// cookie over unencrypted connection", caught: no cookie.
    SecureThrown,
    /// express-session skips a request outside `cookie.path`.
    OutsidePath,
}

/// `issecure(req, trustProxy)` (express-session `index.js`).
pub fn express_session_secure(cfg: &ExpressSessionConfig, f: &RequestFacts) -> bool {
    if f.encrypted {
        return true;
    }
    match cfg.proxy {
        Some(false) => false,
        None => f.req_secure,
        Some(true) => f.forwarded_proto == Some("https"),
    }
}

fn same_site_attr(s: SameSiteOption, lower: bool) -> Option<&'static str> {
    let v = match s {
        SameSiteOption::Unset => return None,
        SameSiteOption::Lax => ("Lax", "lax"),
        SameSiteOption::Strict | SameSiteOption::True => ("Strict", "strict"),
        SameSiteOption::None => ("None", "none"),
    };
    Some(if lower { v.1 } else { v.0 })
}

/// npm `cookie` 0.7 `serialize`: Max-Age, Domain, Path, Expires, HttpOnly,
/// Secure, Partitioned, SameSite.
#[allow(clippy::too_many_arguments)]
fn serialize(
    name_value: String,
    max_age_secs: Option<u64>,
    domain: Option<&str>,
    path: Option<&str>,
    expires: Option<String>,
    http_only: bool,
    secure: bool,
    partitioned: bool,
    same_site: SameSiteOption,
) -> String {
    let mut s = name_value;
    if let Some(m) = max_age_secs {
        s += &format!("; Max-Age={m}");
    }
    if let Some(d) = domain.filter(|d| !d.is_empty()) {
        s += &format!("; Domain={d}");
    }
    if let Some(p) = path.filter(|p| !p.is_empty()) {
        s += &format!("; Path={p}");
    }
    if let Some(e) = expires {
        s += &format!("; Expires={e}");
    }
    if http_only {
        s += "; HttpOnly";
    }
    if secure {
        s += "; Secure";
    }
    if partitioned {
        s += "; Partitioned";
    }
    if let Some(v) = same_site_attr(same_site, false) {
        s += &format!("; SameSite={v}");
    }
    s
}

/// The session id this model issues (`s:` + id + `.` + signature, URL-encoded).
pub const SESSION_VALUE: &str = "s%3Acrumbtrail-session.signed";
/// The cookie-session value (base64 of `{"user":"alice"}`) and its `.sig`.
pub const COOKIE_SESSION_VALUE: &str = "eyJ1c2VyIjoiYWxpY2UifQ==";
pub const COOKIE_SESSION_SIG: &str = "crumbtrail-signature";

/// The session middleware's cookie for one response.
pub fn session_cookie(cfg: &ExpressSessionConfig, f: &RequestFacts, now: i64) -> SessionCookie {
    match cfg.kind {
        SessionKind::None => SessionCookie::Unchanged,
        SessionKind::ExpressSession => express_session(cfg, f, now),
        SessionKind::CookieSession => cookie_session(cfg, f, now),
    }
}

fn express_session(cfg: &ExpressSessionConfig, f: &RequestFacts, now: i64) -> SessionCookie {
    // `originalPath.indexOf(cookie.path || '/') !== 0`: the middleware is skipped.
    let path = cfg.path.as_deref().filter(|p| !p.is_empty()).unwrap_or("/");
    if !f.path.starts_with(path) {
        return SessionCookie::OutsidePath;
    }
    let is_secure = express_session_secure(cfg, f);
    // store.generate: `secure: 'auto'` takes the request's security.
    let secure = match cfg.secure {
        SecureOption::True => true,
        SecureOption::Auto => is_secure,
        SecureOption::False | SecureOption::Unset => false,
    };
    // shouldSetCookie: a new id needs saveUninitialized or a change; a known
    // id needs rolling, or an expiring cookie and a change.
    let known = f.session_cookie.is_some();
    let should = if known {
        cfg.rolling || cfg.max_age_ms.is_some() && f.modified
    } else {
        cfg.save_uninitialized || f.modified
    };
    if !should {
        return SessionCookie::Unchanged;
    }
    if secure && !is_secure {
        return SessionCookie::NotSecure;
    }
    let line = serialize(
        format!("{}={SESSION_VALUE}", cfg.cookie_name()),
        None,
        cfg.domain.as_deref(),
        Some(path),
        cfg.max_age_ms.map(|ms| utc_string(ms, now)),
        cfg.http_only,
        secure,
        cfg.partitioned,
        cfg.same_site,
    );
    SessionCookie::Written(vec![line])
}

fn cookie_session(cfg: &ExpressSessionConfig, f: &RequestFacts, now: i64) -> SessionCookie {
    // `(!sess.isNew || sess.isPopulated) && sess.isChanged`: only a change writes.
    if !f.modified {
        return SessionCookie::Unchanged;
    }
    // `cookies`: secure = req.protocol === 'https' || socket encrypted.
    let request_secure = f.req_secure || f.encrypted;
    let secure_opt = match cfg.secure {
        SecureOption::Unset => None,
        SecureOption::False => Some(false),
        SecureOption::True | SecureOption::Auto => Some(true),
    };
    if secure_opt == Some(true) && !request_secure {
        return SessionCookie::SecureThrown;
    }
    let secure = secure_opt.unwrap_or(request_secure);
    let name = cfg.cookie_name();
    let line = |n: &str, v: &str| {
        // `Cookie.prototype.toHeader`: path, expires, domain, priority,
        // samesite, secure, httponly, partitioned — lowercase names.
        let mut s = format!("{n}={v}");
        let path = cfg.path.as_deref().filter(|p| !p.is_empty()).unwrap_or("/");
        s += &format!("; path={path}");
        if let Some(ms) = cfg.max_age_ms.filter(|&ms| ms > 0) {
            s += &format!("; expires={}", utc_string(ms, now));
        }
        if let Some(d) = cfg.domain.as_deref().filter(|d| !d.is_empty()) {
            s += &format!("; domain={d}");
        }
        if let Some(v) = same_site_attr(cfg.same_site, true) {
            s += &format!("; samesite={v}");
        }
        if secure {
            s += "; secure";
        }
        if cfg.http_only {
            s += "; httponly";
        }
        if cfg.partitioned {
            s += "; partitioned";
        }
        s
    };
    SessionCookie::Written(vec![
        line(name, COOKIE_SESSION_VALUE),
        line(&format!("{name}.sig"), COOKIE_SESSION_SIG),
    ])
}

/// `res.cookie(name, value, options)` (express `lib/response.js`): `maxAge`
/// in ms gives `Max-Age` in seconds and `Expires`; `path` defaults to `/`.
pub fn res_cookie(c: &ResCookie, now: i64) -> String {
    serialize(
        format!("{}={}", c.name, encode_uri_component(&c.value)),
        c.max_age_ms.map(|ms| ms / 1000),
        c.domain.as_deref(),
        Some(c.path.as_deref().filter(|p| !p.is_empty()).unwrap_or("/")),
        c.max_age_ms.map(|ms| utc_string(ms, now)),
        c.http_only,
        c.secure,
        c.partitioned,
        c.same_site,
    )
}

/// JavaScript's `encodeURIComponent` (the `cookie` package's default encoder).
pub fn encode_uri_component(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b) {
            out.push(b as char);
        } else {
            out += &format!("%{b:02X}");
        }
    }
    out
}
