//! The Rails session cookie: which middleware writes it, with which options,
//! and the exact `Set-Cookie` line Rack serializes.
//!
//! - The key: `_<app>_session` only when `session_store` is never called;
//!   `session_store :cookie_store` without `key:` gives `_session_id`.
//! - `domain:` as a string (sent as written), `:all` (+ `tld_length`) with
//!   Rails' own label arithmetic (no Public Suffix List; single-label hosts
//!   and IPs get no Domain; leading dot dropped from Rails 7.1), or a list.
//! - `same_site:` defaults from `load_defaults` (Lax from 6.1); an explicit
//!   `nil` falls back to that default before 7.1 and means "no attribute" from 7.1.
//! - Rack's `security_matches?`: a `secure: true` session cookie is never
//!   written on a request that is not SSL (in development too).
//! - Serialization by Rack generation: attribute order
//!   `domain, path, max-age, expires, secure, httponly, samesite` and the
//!   case of `HttpOnly`/`SameSite`.

use crate::headers::HeaderList;
use crate::http::WireRequest;
use crate::server::rails::{
    DomainOption, LoadDefaults, RailsApp, RailsVersion, SameSiteOption, SameSiteProtection,
    SessionMiddleware, StoreKind,
};

/// Rack generation that goes with a Rails version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum RackGen {
    /// Rack 2.2 (Rails 6.1, 7.0): `; secure; HttpOnly; SameSite=Lax`, names as written.
    V2_2,
    /// Rack 3.0 (Rails 7.1/7.2 as modelled): `; secure; httponly; SameSite=Lax`, lower-case names.
    V3_0,
    /// Rack 3.1+ (Rails 8): `; secure; httponly; samesite=lax`, lower-case names.
    V3_1,
}

impl RackGen {
    pub fn for_rails(v: RailsVersion) -> Self {
        match v {
            RailsVersion::V6_1 | RailsVersion::V7_0 => RackGen::V2_2,
            RailsVersion::V7_1 => RackGen::V3_0,
            RailsVersion::V8 => RackGen::V3_1,
        }
    }

    /// A response header name as the stack writes it: capitalized with
    /// Rack 2, lower-case with Rack 3 (`Rack::Headers`).
    pub fn name(self, capitalized: &str) -> String {
        if self == RackGen::V2_2 {
            capitalized.to_string()
        } else {
            capitalized.to_ascii_lowercase()
        }
    }
}

/// A resolved SameSite value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SameSite {
    Lax,
    Strict,
    None,
}

impl SameSite {
    pub fn as_str(self) -> &'static str {
        match self {
            SameSite::Lax => "Lax",
            SameSite::Strict => "Strict",
            SameSite::None => "None",
        }
    }
}

/// The attributes of one cookie, resolved for one request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CookieAttrs {
    pub domain: Option<String>,
    pub path: Option<String>,
    pub max_age: Option<i64>,
    /// Seconds since the Unix epoch.
    pub expires: Option<i64>,
    pub secure: bool,
    pub httponly: bool,
    pub same_site: Option<SameSite>,
}

/// `Rack::Utils.escape` (`URI.encode_www_form_component`).
pub fn rack_escape(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// `Rack::Utils.set_cookie_header` / `add_cookie_to_header`, per Rack generation.
pub fn set_cookie_line(name: &str, value: &str, a: &CookieAttrs, gen: RackGen) -> String {
    let mut s = format!("{}={}", rack_escape(name), rack_escape(value));
    if let Some(d) = &a.domain {
        s.push_str(&format!("; domain={d}"));
    }
    if let Some(p) = &a.path {
        s.push_str(&format!("; path={p}"));
    }
    if let Some(m) = a.max_age {
        s.push_str(&format!("; max-age={m}"));
    }
    if let Some(e) = a.expires {
        s.push_str(&format!("; expires={}", httpdate(e)));
    }
    if a.secure {
        s.push_str("; secure");
    }
    if a.httponly {
        s.push_str(if gen == RackGen::V2_2 {
            "; HttpOnly"
        } else {
            "; httponly"
        });
    }
    if let Some(ss) = a.same_site {
        if gen == RackGen::V3_1 {
            s.push_str(&format!("; samesite={}", ss.as_str().to_ascii_lowercase()));
        } else {
            s.push_str(&format!("; SameSite={}", ss.as_str()));
        }
    }
    s
}

/// Ruby `Time#httpdate`: `Thu, 01 Jan 2026 00:00:00 GMT`.
pub fn httpdate(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    const WD: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MO: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!(
        "{}, {:02} {} {:04} {:02}:{:02}:{:02} GMT",
        WD[days.rem_euclid(7) as usize],
        d,
        MO[(m - 1) as usize],
        y,
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 → (year, month, day), proleptic Gregorian.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// `config.action_dispatch.cookies_same_site_protection`: `:lax` from
/// `load_defaults "6.1"` on, otherwise nil (no attribute).
pub fn app_default_same_site(ld: LoadDefaults) -> Option<SameSite> {
    if ld >= LoadDefaults::V6_1 {
        Some(SameSite::Lax)
    } else {
        None
    }
}

/// The app-wide SameSite: `config.action_dispatch.cookies_same_site_protection`
/// when set (`railties/lib/rails/application.rb` wraps it in a proc that
/// `request.cookies_same_site_protection` calls), else the `load_defaults` one.
pub fn app_same_site(app: &RailsApp) -> Option<SameSite> {
    match app.cookies_same_site_protection {
        SameSiteProtection::FromLoadDefaults => app_default_same_site(app.load_defaults),
        SameSiteProtection::Lax => Some(SameSite::Lax),
        SameSiteProtection::Strict => Some(SameSite::Strict),
        SameSiteProtection::None => Some(SameSite::None),
        SameSiteProtection::Nil => None,
    }
}

/// The SameSite a cookie gets from its `same_site:` option in this app: the
/// session store's `DEFAULT_SAME_SITE` and the cookie jar's `handle_options`
/// both fall back to [`app_same_site`]; an explicit `nil` falls back too
/// before 7.1 (`||=`) and means no attribute from 7.1 (`key?`).
pub fn same_site_in(opt: SameSiteOption, app: &RailsApp) -> Option<SameSite> {
    match opt {
        SameSiteOption::Unset => app_same_site(app),
        SameSiteOption::Nil if app.version < RailsVersion::V7_1 => app_same_site(app),
        SameSiteOption::Nil => None,
        other => resolve_same_site(other, app.version, app.load_defaults),
    }
}

/// The SameSite the session cookie gets from its `same_site:` option.
pub fn resolve_same_site(
    opt: SameSiteOption,
    version: RailsVersion,
    ld: LoadDefaults,
) -> Option<SameSite> {
    match opt {
        SameSiteOption::Unset => app_default_same_site(ld),
        SameSiteOption::Lax => Some(SameSite::Lax),
        SameSiteOption::Strict => Some(SameSite::Strict),
        SameSiteOption::None => Some(SameSite::None),
        // Before 7.1: `options[:same_site] ||= default`; from 7.1:
        // `unless options.key?(:same_site)`, so an explicit nil stays nil.
        SameSiteOption::Nil => {
            if version >= RailsVersion::V7_1 {
                None
            } else {
                app_default_same_site(ld)
            }
        }
    }
}

/// `domain: :all` as `ActionDispatch::Cookies::CookieJar#handle_options`
/// computes it (no Public Suffix List).
pub fn all_domain(host: &str, tld_length: Option<u8>, version: RailsVersion) -> Option<String> {
    let labels: Vec<&str> = host.split('.').collect();
    let ipv4_like = !host.is_empty() && host.chars().all(|c| c.is_ascii_digit() || c == '.');
    if ipv4_like || labels.contains(&"") || labels.len() == 1 {
        return None;
    }
    let keep = match tld_length {
        Some(n) => {
            let n = n as usize;
            if labels.len() >= n {
                n
            } else {
                0
            }
        }
        None => {
            if co_uk_like(host) {
                3
            } else {
                2
            }
        }
    };
    let keep = keep.min(labels.len());
    let domain = labels[labels.len() - keep..].join(".");
    if domain.is_empty() {
        return None;
    }
    Some(if version >= RailsVersion::V7_1 {
        domain
    } else {
        format!(".{domain}")
    })
}

/// `/\.[^.]{2,3}\.[^.]{2}\z/`: a second-level label of 2–3 characters and a
/// 2-character TLD (`.co.uk`, but also `.lvh.me`).
fn co_uk_like(host: &str) -> bool {
    let labels: Vec<&str> = host.split('.').collect();
    if labels.len() < 3 {
        return false;
    }
    let tld = labels[labels.len() - 1];
    let sld = labels[labels.len() - 2];
    tld.chars().count() == 2 && (2..=3).contains(&sld.chars().count())
}

/// The Domain attribute the session cookie gets on a request to `host`.
pub fn cookie_domain(opt: &DomainOption, host: &str, version: RailsVersion) -> Option<String> {
    match opt {
        DomainOption::Unset => None,
        DomainOption::Exact(d) if d == "all" => all_domain(host, None, version),
        DomainOption::Exact(d) => Some(d.clone()),
        DomainOption::All { tld_length } => all_domain(host, *tld_length, version),
        DomainOption::List(list) => list
            .iter()
            .find(|d| {
                let d = d.strip_prefix('.').unwrap_or(d);
                host == d || host.ends_with(&format!(".{d}"))
            })
            .cloned(),
    }
}

/// Rack's `security_matches?`: a secure session is committed only on an SSL request.
pub fn security_matches(secure: bool, ssl: bool) -> bool {
    !secure || ssl
}

/// `request.ssl?`: https, `X-Forwarded-Proto: https`, or `config.assume_ssl`.
pub fn request_is_ssl(req: &WireRequest, app: &RailsApp) -> bool {
    req.scheme() == "https"
        || app.assume_ssl
        || req
            .headers
            .get("x-forwarded-proto")
            .is_some_and(|v| v.split(',').next().unwrap_or("").trim() == "https")
}

/// The value of cookie `key` in the request's `Cookie` header (first wins, as Rack parses).
pub fn request_cookie(headers: &HeaderList, key: &str) -> Option<String> {
    for line in headers.get_all("cookie") {
        for pair in line.split(';') {
            let pair = pair.trim();
            let (n, v) = pair.split_once('=').unwrap_or((pair, ""));
            if n.trim() == key {
                return Some(v.trim().to_string());
            }
        }
    }
    None
}

/// The session cookie value the model writes on request `n` (1-based).
/// ActionDispatch's CookieStore writes the session encrypted and
/// authenticated with `secret_key_base` (`<data>--<iv>--<auth tag>`); the
/// model writes a readable stand-in, and only values of that form decrypt.
pub fn issued_session_value(n: usize) -> String {
    format!("sess-{n}")
}

/// Whether the cookie store can decrypt `value`: true only for values the
/// model issued ([`issued_session_value`]). Anything else stands for a
/// cookie signed with another `secret_key_base`, or edited, which the
/// encrypted cookie jar reads as nil
/// (`actionpack/lib/action_dispatch/middleware/session/cookie_store.rb`
/// `get_cookie` → `unpacked_cookie_data` gives `{}`): an empty session.
pub fn session_value_decrypts(value: &str) -> bool {
    value
        .strip_prefix("sess-")
        .or_else(|| value.strip_prefix("reset-"))
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// The session options the middleware ends up with.
#[derive(Clone, Debug, PartialEq)]
pub struct SessionOptions {
    pub key: String,
    pub domain: DomainOption,
    pub path: String,
    pub same_site: SameSiteOption,
    pub secure: bool,
    pub httponly: bool,
    pub expire_after: Option<u64>,
    /// `secure` was forced by `config.force_ssl` (full apps).
    pub secure_from_force_ssl: bool,
}

/// Why the session cannot be written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoSession {
    /// API-only app with no session middleware added back.
    ApiOnlyNoMiddleware,
    /// `session_store :disabled`.
    StoreDisabled,
}

/// What the session layer does in this app.
#[derive(Clone, Debug, PartialEq)]
pub enum SessionMode {
    /// A working cookie store.
    Enabled {
        options: SessionOptions,
        /// Added with `config.middleware.use ActionDispatch::Session::CookieStore`
        /// without options: the configured options were ignored.
        options_ignored: bool,
    },
    /// The session is a disabled/plain one: writes are lost (6.1) or raise (7.0+).
    Disabled(NoSession),
    /// The session middleware runs but `ActionDispatch::Cookies` does not:
    /// the cookie jar is never written to the response.
    NoCookiesMiddleware { options: SessionOptions },
}

/// A configuration that stops Rails from booting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionBootError {
    pub field: String,
    pub error: String,
    pub explanation: String,
}

/// The default key: `_<app>_session` only when `session_store` is never called.
pub fn effective_key(app: &RailsApp) -> String {
    match app.session.store {
        StoreKind::NotCalled => format!("_{}_session", app.app_name),
        _ => app
            .session
            .key
            .clone()
            .unwrap_or_else(|| "_session_id".into()),
    }
}

fn configured_options(app: &RailsApp) -> SessionOptions {
    let s = &app.session;
    let called = s.store != StoreKind::NotCalled;
    let mut o = SessionOptions {
        key: effective_key(app),
        domain: if called {
            s.domain.clone()
        } else {
            DomainOption::Unset
        },
        path: if called {
            s.path.clone().unwrap_or_else(|| "/".into())
        } else {
            "/".into()
        },
        same_site: if called {
            s.same_site
        } else {
            SameSiteOption::Unset
        },
        secure: called && s.secure == Some(true),
        httponly: if called {
            s.httponly.unwrap_or(true)
        } else {
            true
        },
        expire_after: if called { s.expire_after } else { None },
        secure_from_force_ssl: false,
    };
    // Full apps: force_ssl sets session_options[:secure] unless given, or
    // unless `ssl_options[:secure_cookies]` is false
    // (`railties/lib/rails/application/default_middleware_stack.rb`).
    if app.force_ssl && app.ssl_secure_cookies && !app.api_only && (!called || s.secure.is_none()) {
        o.secure = true;
        o.secure_from_force_ssl = true;
    }
    o
}

/// The options of `ActionDispatch::Session::CookieStore` added with no arguments.
fn bare_options() -> SessionOptions {
    SessionOptions {
        key: "_session_id".into(),
        domain: DomainOption::Unset,
        path: "/".into(),
        same_site: SameSiteOption::Unset,
        secure: false,
        httponly: true,
        expire_after: None,
        secure_from_force_ssl: false,
    }
}

/// True when the user configured something the bare middleware ignores.
fn has_custom_options(app: &RailsApp) -> bool {
    let s = &app.session;
    s.store == StoreKind::CookieStore
        && (s.key.as_deref().is_some_and(|k| k != "_session_id")
            || s.domain != DomainOption::Unset
            || s.path.as_deref().is_some_and(|p| p != "/")
            || !matches!(s.same_site, SameSiteOption::Unset)
            || s.secure == Some(true)
            || s.httponly == Some(false)
            || s.expire_after.is_some())
}

fn nil_new_error(app: &RailsApp, why: &str) -> SessionBootError {
    let msg = if app.version >= RailsVersion::V7_1 {
        "NoMethodError: undefined method 'new' for nil"
    } else {
        "NoMethodError: undefined method `new' for nil:NilClass"
    };
    SessionBootError {
        field: "server.session_middleware".into(),
        error: msg.into(),
        explanation: format!(
            "`config.middleware.use config.session_store, config.session_options` runs while \
             `config/application.rb` is read, and {why}, so `config.session_store` is nil and building the \
             middleware stack raises {msg} (in ActionDispatch::MiddlewareStack::Middleware#build). Call \
             `config.session_store :cookie_store, key: ...` in config/application.rb before those lines."
        ),
    }
}

/// Decides which session layer the app runs.
pub fn session_mode(app: &RailsApp) -> Result<SessionMode, SessionBootError> {
    if !app.api_only {
        return Ok(if app.session.store == StoreKind::Disabled {
            SessionMode::Disabled(NoSession::StoreDisabled)
        } else {
            SessionMode::Enabled {
                options: configured_options(app),
                options_ignored: false,
            }
        });
    }
    let store_ready = app.session.store == StoreKind::CookieStore;
    let why = match app.session.store {
        StoreKind::Disabled => "the store is `:disabled`",
        _ => "`session_store` has not been called yet (an initializer such as session_store.rb runs later)",
    };
    match app.session_middleware {
        SessionMiddleware::None => Ok(SessionMode::Disabled(NoSession::ApiOnlyNoMiddleware)),
        SessionMiddleware::BeforeStoreSet => Err(nil_new_error(app, why)),
        SessionMiddleware::Documented if !store_ready => Err(nil_new_error(app, why)),
        SessionMiddleware::WithoutCookies if !store_ready => Err(nil_new_error(app, why)),
        SessionMiddleware::Documented => Ok(SessionMode::Enabled {
            options: configured_options(app),
            options_ignored: false,
        }),
        SessionMiddleware::WithoutCookies => Ok(SessionMode::NoCookiesMiddleware {
            options: configured_options(app),
        }),
        SessionMiddleware::WithoutOptions => Ok(SessionMode::Enabled {
            options: bare_options(),
            options_ignored: has_custom_options(app),
        }),
    }
}

/// The cookie attributes for a request to `host`.
pub fn cookie_attrs(o: &SessionOptions, host: &str, app: &RailsApp, now: i64) -> CookieAttrs {
    CookieAttrs {
        domain: cookie_domain(&o.domain, host, app.version),
        path: Some(o.path.clone()),
        max_age: None,
        expires: o.expire_after.map(|s| now.saturating_add(s as i64)),
        secure: o.secure,
        httponly: o.httponly,
        same_site: same_site_in(o.same_site, app),
    }
}

/// `ActionDispatch::SSL#flag_cookies_as_secure!`: appends `; secure` to
/// every cookie line that lacks it.
pub fn flag_secure(line: &str) -> String {
    let has = line
        .split(';')
        .skip(1)
        .any(|a| a.trim().eq_ignore_ascii_case("secure"));
    if has {
        line.to_string()
    } else {
        format!("{line}; secure")
    }
}

/// `ActionDispatch::Cookies::CookieJar.always_write_cookie`: the setting, or
/// `Rails.env.development?` when it is not set
/// (`actionpack/lib/action_dispatch/railtie.rb`).
pub fn always_write_cookie(app: &RailsApp) -> bool {
    app.always_write_cookie
        .unwrap_or(app.environment == crate::server::rails::Environment::Development)
}

/// `CookieJar#write_cookie?`: a plain cookie is serialized when the request
/// is SSL, the cookie is not `secure`, `always_write_cookie` is on, or (from
/// Rails 7.0) the host ends in `.onion`. The session cookie never gets this
/// far over http: Rack's `security_matches?` skips its commit first.
pub fn jar_writes_cookie(secure: bool, ssl: bool, host: &str, app: &RailsApp) -> bool {
    ssl || !secure
        || always_write_cookie(app)
        || (app.version >= RailsVersion::V7_0 && host.ends_with(".onion"))
}

/// A session value after `reset_session`: a new, empty session (it holds
/// only its new `session_id`). It decrypts, but has no `user_id`.
pub fn reset_session_value(n: usize) -> String {
    format!("reset-{n}")
}

/// Whether a session that decrypts holds `session[:user_id]`: every issued
/// value but the empty one [`reset_session_value`] writes.
pub fn session_value_has_user(value: &str) -> bool {
    value.starts_with("sess-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn httpdate_matches_ruby() {
        assert_eq!(httpdate(0), "Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(httpdate(1_767_225_600), "Thu, 01 Jan 2026 00:00:00 GMT");
        assert_eq!(
            httpdate(1_767_225_600 + 86_400 * 59 + 3661),
            "Sun, 01 Mar 2026 01:01:01 GMT"
        );
    }

    #[test]
    fn escape_like_rack() {
        assert_eq!(rack_escape("a b/c=d"), "a+b%2Fc%3Dd");
        assert_eq!(rack_escape("_x_session"), "_x_session");
    }
}
