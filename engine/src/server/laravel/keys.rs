//! The Laravel app's settings by name — the `.env` keys
//! (`SESSION_SAME_SITE=none`) and the `config/cors.php` entries as PHP
//! literals (`cors.allowed_origins=['http://localhost:3000']`) — read and
//! written by one table, which the permalink, the generated `.env` and
//! `config/cors.php`, and their readers share. Only what differs from the
//! version's defaults goes into a link.

use super::settings::{Front, LaravelApp, LaravelVersion, LoginRoute, SameSite, SessionDriver};
use super::support::{env_value, EnvValue};

/// The `.env` keys, in the order the generated `.env` writes them.
pub const ENV_KEYS: [&str; 13] = [
    "APP_NAME",
    "APP_URL",
    "SESSION_DRIVER",
    "SESSION_LIFETIME",
    "SESSION_EXPIRE_ON_CLOSE",
    "SESSION_COOKIE",
    "SESSION_PATH",
    "SESSION_DOMAIN",
    "SESSION_SECURE_COOKIE",
    "SESSION_HTTP_ONLY",
    "SESSION_SAME_SITE",
    "SESSION_PARTITIONED_COOKIE",
    "SANCTUM_STATEFUL_DOMAINS",
];

/// The `config/cors.php` entries, in the file's order.
pub const CORS_KEYS: [&str; 8] = [
    "paths",
    "allowed_methods",
    "allowed_origins",
    "allowed_origins_patterns",
    "allowed_headers",
    "exposed_headers",
    "max_age",
    "supports_credentials",
];

/// `bootstrap/app.php` (or, for 10, `app/Http/Kernel.php` and `TrustProxies`)
/// and the deployment: `laravel.stateful_api=1`, `laravel.trust_proxies=1`,
/// `laravel.front=tls`, `laravel.login=api`.
pub const APP_KEYS: [&str; 4] = [
    "laravel.stateful_api",
    "laravel.trust_proxies",
    "laravel.front",
    "laravel.login",
];

/// An `.env` value as written: quoted when it has a space or `#`.
fn env_str(s: &str) -> String {
    if s.is_empty() || s.contains([' ', '#', '"', '\'', '\\']) {
        // Escaped as phpdotenv reads a double-quoted value (see `env_value`).
        format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
    } else {
        s.to_string()
    }
}

/// A key's value in `.env` syntax; `None` for a key that is not set (its default applies).
pub fn env_of(app: &LaravelApp, key: &str) -> Option<String> {
    let s = &app.session;
    let b = |v: bool| v.to_string();
    Some(match key {
        "APP_NAME" => env_str(&app.app_name),
        "APP_URL" => env_str(&app.app_url),
        "SESSION_DRIVER" => s.driver.as_str().into(),
        "SESSION_LIFETIME" => s.lifetime.to_string(),
        "SESSION_EXPIRE_ON_CLOSE" => b(s.expire_on_close),
        "SESSION_COOKIE" => env_str(s.cookie.as_ref()?),
        "SESSION_PATH" => env_str(&s.path),
        "SESSION_DOMAIN" => s.domain.as_deref().map_or("null".into(), env_str),
        "SESSION_SECURE_COOKIE" => s.secure.map_or("null".into(), b),
        "SESSION_HTTP_ONLY" => b(s.http_only),
        "SESSION_SAME_SITE" => s.same_site.as_str().into(),
        "SESSION_PARTITIONED_COOKIE" => b(s.partitioned),
        "SANCTUM_STATEFUL_DOMAINS" => env_str(app.stateful_domains.as_ref()?),
        _ => return None,
    })
}

fn env_bool(key: &str, raw: &str) -> Result<bool, String> {
    match env_value(raw) {
        EnvValue::Bool(b) => Ok(b),
        _ => Err(format!("{key}={raw}: write true or false")),
    }
}

fn env_string(raw: &str) -> Option<String> {
    match env_value(raw) {
        EnvValue::Str(s) => Some(s),
        EnvValue::Null => None,
        EnvValue::Bool(b) => Some(if b { "1".into() } else { String::new() }),
    }
}

/// Sets a key from its `.env` value, as `env()` converts it.
pub fn set_env(app: &mut LaravelApp, key: &str, raw: &str) -> Result<(), String> {
    let s = &mut app.session;
    match key {
        "APP_NAME" => {
            let name = env_string(raw).unwrap_or_else(|| "laravel".into());
            super::support::try_str_slug(&name, '_')?;
            app.app_name = name;
        }
        "APP_URL" => app.app_url = env_string(raw).unwrap_or_default(),
        "SESSION_DRIVER" => {
            let v = env_string(raw).unwrap_or_default();
            s.driver = SessionDriver::from_key(&v).ok_or_else(|| {
                format!(
                    "SESSION_DRIVER={raw}: Crumbtrail models file, database, redis and array \
                     (cookie, memcached and dynamodb are not modelled)"
                )
            })?;
        }
        "SESSION_LIFETIME" => {
            let v = env_string(raw).unwrap_or_default();
            s.lifetime = v
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|m| (0..=60 * 24 * 365 * 10).contains(m))
                .ok_or_else(|| format!("SESSION_LIFETIME={raw}: write the minutes, e.g. 120"))?;
        }
        "SESSION_EXPIRE_ON_CLOSE" => s.expire_on_close = env_bool(key, raw)?,
        "SESSION_COOKIE" => {
            let v = env_string(raw).filter(|v| !v.is_empty());
            if let Some(v) = &v {
                if v.contains(['=', ',', ';', ' ', '\t', '\r', '\n']) {
                    return Err(format!(
                        "SESSION_COOKIE={raw}: Symfony refuses a cookie name with = , ; or spaces \
                         (\"The cookie name contains invalid characters\")"
                    ));
                }
            }
            s.cookie = v;
        }
        "SESSION_PATH" => s.path = env_string(raw).unwrap_or_default(),
        "SESSION_DOMAIN" => s.domain = env_string(raw).filter(|d| !d.is_empty()),
        "SESSION_SECURE_COOKIE" => {
            s.secure = match env_value(raw) {
                EnvValue::Bool(b) => Some(b),
                EnvValue::Null => None,
                EnvValue::Str(_) => {
                    return Err(format!(
                        "SESSION_SECURE_COOKIE={raw}: write true, false or null"
                    ))
                }
            }
        }
        "SESSION_HTTP_ONLY" => s.http_only = env_bool(key, raw)?,
        "SESSION_SAME_SITE" => {
            s.same_site = SameSite::from_env(raw.trim_matches(['"', '\''])).ok_or_else(|| {
                format!(
                    "SESSION_SAME_SITE={raw}: Symfony accepts lax, strict, none or null \
                     (\"The \"sameSite\" parameter value is not valid.\")"
                )
            })?
        }
        "SESSION_PARTITIONED_COOKIE" => s.partitioned = env_bool(key, raw)?,
        "SANCTUM_STATEFUL_DOMAINS" => {
            app.stateful_domains = Some(env_string(raw).unwrap_or_default());
        }
        _ => return Err(format!("{key} is not a setting Crumbtrail reads")),
    }
    Ok(())
}

/// A PHP single-quoted string.
pub fn php_str(s: &str) -> String {
    format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
}

/// `['a', 'b']`.
pub fn php_list(items: &[String]) -> String {
    format!(
        "[{}]",
        items
            .iter()
            .map(|s| php_str(s))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// Reads a PHP array literal of strings: `['a', "b"]` (a trailing comma
/// allowed), or `array('a')`.
pub fn parse_php_list(text: &str) -> Result<Vec<String>, String> {
    let t = text.trim();
    let inner = t
        .strip_prefix('[')
        .and_then(|r| r.strip_suffix(']'))
        .or_else(|| t.strip_prefix("array(").and_then(|r| r.strip_suffix(')')))
        .ok_or_else(|| {
            format!("`{t}`: write a PHP array of strings, e.g. ['http://localhost:3000']")
        })?;
    let chars: Vec<char> = inner.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    loop {
        while i < chars.len() && chars[i].is_whitespace() {
            i += 1;
        }
        if i >= chars.len() {
            break;
        }
        let q = chars[i];
        if q != '\'' && q != '"' {
            return Err(format!("`{t}`: each entry is a quoted string"));
        }
        i += 1;
        let mut s = String::new();
        loop {
            let Some(&c) = chars.get(i) else {
                return Err(format!("`{t}`: a string is not closed"));
            };
            i += 1;
            if c == '\\' {
                match chars.get(i) {
                    Some(&n) if n == q || n == '\\' => {
                        s.push(n);
                        i += 1;
                    }
                    _ => s.push('\\'),
                }
            } else if c == q {
                break;
            } else {
                s.push(c);
            }
        }
        out.push(s);
        while i < chars.len() && chars[i].is_whitespace() {
            i += 1;
        }
        match chars.get(i) {
            Some(',') => i += 1,
            None => break,
            Some(_) => return Err(format!("`{t}`: put a comma between the entries")),
        }
    }
    Ok(out)
}

/// A `config/cors.php` entry as PHP writes it.
pub fn cors_of(app: &LaravelApp, key: &str) -> Option<String> {
    let c = &app.cors;
    Some(match key {
        "paths" => php_list(&c.paths),
        "allowed_methods" => php_list(&c.allowed_methods),
        "allowed_origins" => php_list(&c.allowed_origins),
        "allowed_origins_patterns" => php_list(&c.allowed_origins_patterns),
        "allowed_headers" => php_list(&c.allowed_headers),
        "exposed_headers" => php_list(&c.exposed_headers),
        "max_age" => c.max_age.map_or("null".into(), |m| m.to_string()),
        "supports_credentials" => c.supports_credentials.to_string(),
        _ => return None,
    })
}

pub fn set_cors(app: &mut LaravelApp, key: &str, text: &str) -> Result<(), String> {
    let c = &mut app.cors;
    let t = text.trim();
    match key {
        "paths" => c.paths = parse_php_list(t)?,
        "allowed_methods" => c.allowed_methods = parse_php_list(t)?,
        "allowed_origins" => c.allowed_origins = parse_php_list(t)?,
        "allowed_origins_patterns" => {
            let list = parse_php_list(t)?;
            for p in &list {
                super::support::PcrePattern::new(p)?;
            }
            c.allowed_origins_patterns = list
        }
        "allowed_headers" => c.allowed_headers = parse_php_list(t)?,
        "exposed_headers" => c.exposed_headers = parse_php_list(t)?,
        "max_age" => {
            c.max_age =
                match t.to_ascii_lowercase().as_str() {
                    "null" => None,
                    // (int) casts: true is 1, false is 0.
                    "true" => Some(1),
                    "false" => Some(0),
                    n => Some(n.parse::<i64>().map_err(|_| {
                        format!("max_age: `{t}` is not a number of seconds or null")
                    })?),
                }
        }
        "supports_credentials" => {
            c.supports_credentials = match t.to_ascii_lowercase().as_str() {
                "true" => true,
                "false" => false,
                _ => return Err(format!("supports_credentials: `{t}`: write true or false")),
            }
        }
        _ => {
            return Err(format!(
                "'{key}' is not a config/cors.php entry Crumbtrail reads"
            ))
        }
    }
    Ok(())
}

fn app_of(app: &LaravelApp, key: &str) -> Option<String> {
    let b = |v: bool| if v { "1" } else { "0" }.to_string();
    Some(match key {
        "laravel.stateful_api" => b(app.stateful_api),
        "laravel.trust_proxies" => b(app.trust_proxies),
        "laravel.front" => match app.front {
            Front::Direct => "direct".into(),
            Front::TlsProxy => "tls".into(),
        },
        "laravel.login" => match app.login_route {
            LoginRoute::Web => "web".into(),
            LoginRoute::Api => "api".into(),
        },
        _ => return None,
    })
}

fn set_app(app: &mut LaravelApp, key: &str, v: &str) -> Result<(), String> {
    let flag = |v: &str| match v {
        "1" => Ok(true),
        "0" => Ok(false),
        _ => Err(format!("{key}={v}: write 1 or 0")),
    };
    match key {
        "laravel.stateful_api" => app.stateful_api = flag(v)?,
        "laravel.trust_proxies" => app.trust_proxies = flag(v)?,
        "laravel.front" => {
            app.front = match v {
                "direct" => Front::Direct,
                "tls" => Front::TlsProxy,
                _ => return Err(format!("{key}={v}: write direct or tls")),
            }
        }
        "laravel.login" => {
            app.login_route = match v {
                "web" => LoginRoute::Web,
                "api" => LoginRoute::Api,
                _ => return Err(format!("{key}={v}: write web or api")),
            }
        }
        _ => return Err(format!("{key} is not a Laravel key")),
    }
    Ok(())
}

/// The keys that differ from the version's defaults.
pub fn encode(app: &LaravelApp) -> Vec<(String, String)> {
    let d = LaravelApp::new(app.version);
    let mut out = Vec::new();
    if app.version != LaravelVersion::default() {
        out.push(("laravel".into(), app.version.as_str().into()));
    }
    for k in ENV_KEYS {
        let v = env_of(app, k);
        if v != env_of(&d, k) {
            // A key set back to "not set" (SESSION_COOKIE, the stateful list)
            // cannot differ from a default that is not set.
            if let Some(v) = v {
                out.push((k.to_string(), v));
            }
        }
    }
    for k in CORS_KEYS {
        let v = cors_of(app, k);
        if v != cors_of(&d, k) {
            if let Some(v) = v {
                out.push((format!("cors.{k}"), v));
            }
        }
    }
    for k in APP_KEYS {
        let v = app_of(app, k);
        if v != app_of(&d, k) {
            if let Some(v) = v {
                out.push((k.to_string(), v));
            }
        }
    }
    out
}

/// Reads one key: `Ok(false)` when it is not a Laravel key.
pub fn decode(app: &mut LaravelApp, key: &str, value: &str) -> Result<bool, String> {
    if key == "laravel" {
        let v = LaravelVersion::from_key(value)
            .ok_or_else(|| format!("laravel={value}: Crumbtrail models Laravel 10, 11 and 12"))?;
        // The version's defaults, then the keys read so far on top: only
        // SESSION_DRIVER's default differs, and it is written when it differs.
        if app.session.driver == LaravelApp::new(app.version).session.driver {
            app.session.driver = LaravelApp::new(v).session.driver;
        }
        app.version = v;
        return Ok(true);
    }
    if ENV_KEYS.contains(&key) {
        return set_env(app, key, value).map(|_| true);
    }
    if let Some(k) = key.strip_prefix("cors.") {
        if CORS_KEYS.contains(&k) {
            return set_cors(app, k, value).map(|_| true);
        }
    }
    if APP_KEYS.contains(&key) {
        return set_app(app, key, value).map(|_| true);
    }
    Ok(false)
}

/// Writes `server=laravel` and the keys that differ from the defaults.
pub(crate) fn encode_laravel(w: &mut crate::permalink::Writer, app: &LaravelApp) {
    w.put("server", "laravel");
    for (k, v) in encode(app) {
        w.put(k, v);
    }
}

/// Reads the Laravel keys of a link.
#[derive(Default)]
pub struct LaravelKeys {
    app: LaravelApp,
    used: bool,
}

impl crate::server::stack::StackKeys for LaravelKeys {
    fn read(&mut self, r: &mut crate::permalink::Reader, key: &str, value: &str) -> bool {
        match decode(&mut self.app, key, value) {
            Ok(mine) => {
                self.used |= mine;
                mine
            }
            Err(message) => {
                self.used = true;
                r.bad(key, value, &message);
                true
            }
        }
    }

    fn used(&self) -> bool {
        self.used
    }

    fn finish(self: Box<Self>, _r: &mut crate::permalink::Reader) -> crate::scenario::ServerSetup {
        crate::scenario::ServerSetup::Laravel(Box::new(self.app))
    }

    fn ignored(&self, _chosen: crate::server::stack::ServerKind) -> String {
        "Laravel settings keys were ignored: add `server=laravel` to use the Laravel app.".into()
    }
}

/// Sets a `.env` key back to "not set": the version's default.
pub fn unset_env(app: &mut LaravelApp, key: &str) {
    let d = LaravelApp::new(app.version);
    match key {
        "SESSION_COOKIE" => app.session.cookie = None,
        "SANCTUM_STATEFUL_DOMAINS" => app.stateful_domains = None,
        k => {
            if let Some(v) = env_of(&d, k) {
                // The default's own text always reads back.
                let _ = set_env(app, k, &v);
            }
        }
    }
}

/// The form's hint for a setting: its default, and where the version reads it.
pub fn hint(key: &str) -> &'static str {
    match key {
        "paths" => "Str::is patterns without the leading slash; the default is ['api/*', 'sanctum/csrf-cookie'], so /login and /logout get no CORS headers.",
        "allowed_origins" => "Exact origins (scheme, host, port); an entry with * is a wildcard. ['*'] is the default.",
        "allowed_origins_patterns" => "PCRE patterns with delimiters, e.g. ['#^https://.*\\.example\\.com$#'].",
        "max_age" => "Seconds, or null for no Access-Control-Max-Age; the default 0 is sent as 0.",
        "supports_credentials" => "true sends Access-Control-Allow-Credentials: true (needed for the session cookie).",
        "APP_NAME" => "Names the session cookie: Str::slug(APP_NAME, '_').'_session', laravel_session by default.",
        "APP_URL" => "Its host (and port) joins Sanctum's default stateful list.",
        "SESSION_DRIVER" => "file (Laravel 10), database (11, 12), redis, or array (forgets after each request).",
        "SESSION_LIFETIME" => "Minutes; 120 by default. XSRF-TOKEN lasts as long.",
        "SESSION_EXPIRE_ON_CLOSE" => "true: a session cookie without expires. Laravel 10 reads it from config/session.php, not .env.",
        "SESSION_COOKIE" => "Empty: from APP_NAME.",
        "SESSION_PATH" => "/ by default. Laravel 10 reads it from config/session.php.",
        "SESSION_DOMAIN" => "null (a host-only cookie) by default; .example.com to share with subdomains. Never a public suffix.",
        "SESSION_SECURE_COOKIE" => "null by default: 11 and 12 then mark the cookies secure over https, 10 never for the session cookie.",
        "SESSION_HTTP_ONLY" => "true by default; Sanctum forces it on the requests it makes stateful. Laravel 10 reads it from config/session.php.",
        "SESSION_SAME_SITE" => "lax, strict, none or null; lax by default, and Sanctum forces lax on the requests it makes stateful. Laravel 10 reads it from config/session.php.",
        "SESSION_PARTITIONED_COOKIE" => "true adds partitioned (CHIPS). Laravel 10 reads it from config/session.php.",
        "SANCTUM_STATEFUL_DOMAINS" => "Comma-separated host[:port] entries, ports included. Empty: localhost,localhost:3000,127.0.0.1,127.0.0.1:8000,::1 and APP_URL's host.",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_and_backslashes_in_env_values_round_trip() {
        // Found by the fuzzer: `"` was escaped on the way out but not read back.
        for url in [
            r#"http:/x"/localhost:8000"#,
            r"http://a\b",
            r#"\""#,
            "a b#c",
        ] {
            let mut app = LaravelApp::new(LaravelVersion::default());
            app.app_url = url.into();
            let raw = env_of(&app, "APP_URL").unwrap();
            let mut back = LaravelApp::new(LaravelVersion::default());
            set_env(&mut back, "APP_URL", &raw).unwrap();
            assert_eq!(back.app_url, url, "{raw}");
        }
    }

    #[test]
    fn defaults_write_nothing_and_keys_round_trip() {
        for v in LaravelVersion::ALL {
            let keys = encode(&LaravelApp::new(v));
            let want: Vec<(String, String)> = if v == LaravelVersion::default() {
                vec![]
            } else {
                vec![("laravel".into(), v.as_str().into())]
            };
            assert_eq!(keys, want, "{v:?}");
        }
        let mut app = LaravelApp::new(LaravelVersion::V10);
        app.app_name = "My App".into();
        app.session.domain = Some(".myapp.test".into());
        app.session.secure = Some(true);
        app.session.same_site = SameSite::None;
        app.session.driver = SessionDriver::Redis;
        app.stateful_domains = Some("localhost:5173,app.test".into());
        app.cors.allowed_origins = vec!["http://localhost:5173".into()];
        app.cors.supports_credentials = true;
        app.cors.max_age = None;
        app.cors.allowed_origins_patterns = vec![r"#^https://.*\.app\.test$#".into()];
        app.stateful_api = true;
        app.front = Front::TlsProxy;
        app.login_route = LoginRoute::Api;
        let keys = encode(&app);
        assert!(keys.contains(&("APP_NAME".into(), "\"My App\"".into())));
        assert!(keys.contains(&("cors.supports_credentials".into(), "true".into())));
        assert!(keys.contains(&("cors.max_age".into(), "null".into())));
        let mut back = LaravelApp::default();
        for (k, v) in &keys {
            assert_eq!(decode(&mut back, k, v), Ok(true), "{k}={v}");
        }
        assert_eq!(back, app);
        assert_eq!(decode(&mut back, "page", "x"), Ok(false));
        assert_eq!(decode(&mut back, "SESSION_COOKIE_NAME", "x"), Ok(false));
    }

    #[test]
    fn bad_values_say_why() {
        let mut a = LaravelApp::default();
        for (k, v) in [
            ("laravel", "9"),
            ("SESSION_SAME_SITE", "no_restriction"),
            ("SESSION_SECURE_COOKIE", "yes"),
            ("SESSION_DRIVER", "cookie"),
            ("SESSION_LIFETIME", "two hours"),
            ("SESSION_COOKIE", "my session"),
            ("APP_NAME", "Café"),
            ("cors.allowed_origins", "'http://x'"),
            ("cors.allowed_origins", "['http://x' 'http://y']"),
            ("cors.allowed_origins_patterns", "['^http://x$']"),
            ("cors.supports_credentials", "yes"),
            ("cors.max_age", "a day"),
            ("laravel.front", "proxy"),
        ] {
            assert!(decode(&mut a, k, v).is_err(), "{k}={v}");
        }
        assert_eq!(a, LaravelApp::default());
    }

    #[test]
    fn php_lists_read_as_php_writes_them() {
        assert_eq!(
            parse_php_list("['api/*', \"sanctum/csrf-cookie\", ]").unwrap(),
            ["api/*", "sanctum/csrf-cookie"]
        );
        assert_eq!(parse_php_list("[]").unwrap(), Vec::<String>::new());
        assert_eq!(parse_php_list("array('a')").unwrap(), ["a"]);
        assert_eq!(parse_php_list(r"['it\'s']").unwrap(), ["it's"]);
        let l = vec!["it's".to_string(), r"a\b".to_string()];
        assert_eq!(parse_php_list(&php_list(&l)).unwrap(), l);
    }

    #[test]
    fn version_key_keeps_a_driver_read_before_it() {
        let mut a = LaravelApp::default();
        decode(&mut a, "laravel", "10").unwrap();
        assert_eq!(a.session.driver, SessionDriver::File);
        let mut b = LaravelApp::default();
        decode(&mut b, "SESSION_DRIVER", "redis").unwrap();
        decode(&mut b, "laravel", "10").unwrap();
        assert_eq!(b.session.driver, SessionDriver::Redis);
    }
}
