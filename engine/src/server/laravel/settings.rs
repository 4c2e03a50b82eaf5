//! The settings a Laravel API's CORS, session and Sanctum SPA authentication
//! depend on, with each version's defaults:
//!
//! - `config/cors.php` — laravel/laravel `10.x` `config/cors.php`, and since
//!   Laravel 11 laravel/framework `11.x`/`12.x` `config/cors.php` (the same
//!   values in all three);
//! - `config/session.php` and its `.env` keys — laravel/laravel `10.x`
//!   `config/session.php` (`'driver' => env('SESSION_DRIVER', 'file')`,
//!   `same_site`, `http_only`, `expire_on_close` not read from `.env`) and
//!   laravel/framework `11.x`/`12.x` `config/session.php` (`'database'`,
//!   every key from `.env`);
//! - `config/sanctum.php` — laravel/sanctum `v3.3.3` (Laravel 10) and
//!   `v4.0.1` (11, 12): the default `stateful` list;
//! - `bootstrap/app.php` (11, 12: `->statefulApi()`, `->trustProxies(at: '*')`)
//!   or `app/Http/Kernel.php` and `app/Http/Middleware/TrustProxies.php` (10).

use serde::{Deserialize, Serialize};

/// The Laravel major version. Where the behaviour differs the model asks this.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub enum LaravelVersion {
    #[serde(rename = "10")]
    V10,
    #[serde(rename = "11")]
    V11,
    #[serde(rename = "12")]
    #[default]
    V12,
}

impl LaravelVersion {
    pub const ALL: [LaravelVersion; 3] = [
        LaravelVersion::V10,
        LaravelVersion::V11,
        LaravelVersion::V12,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LaravelVersion::V10 => "10",
            LaravelVersion::V11 => "11",
            LaravelVersion::V12 => "12",
        }
    }

    pub fn from_key(s: &str) -> Option<LaravelVersion> {
        LaravelVersion::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// Sanctum's major version the `laravel new` skeleton of this release requires.
    pub fn sanctum(self) -> &'static str {
        match self {
            LaravelVersion::V10 => "3.x",
            _ => "4.x",
        }
    }
}

/// `config/cors.php`, as php-cors' `CorsService::setOptions` reads it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CorsConfig {
    /// `paths`: `Str::is` patterns matched against the path without its
    /// leading slash (`api/*`) or the full URL.
    pub paths: Vec<String>,
    pub allowed_methods: Vec<String>,
    /// `allowed_origins`: exact origins; an entry with `*` becomes a pattern.
    pub allowed_origins: Vec<String>,
    /// `allowed_origins_patterns`: PCRE patterns with their delimiters (`#^https://.*\.example\.com$#`).
    pub allowed_origins_patterns: Vec<String>,
    pub allowed_headers: Vec<String>,
    pub exposed_headers: Vec<String>,
    /// `max_age`; `None` is PHP `null` (no `Access-Control-Max-Age`).
    pub max_age: Option<i64>,
    pub supports_credentials: bool,
}

impl Default for CorsConfig {
    fn default() -> Self {
        let s = |v: &[&str]| v.iter().map(|s| s.to_string()).collect();
        CorsConfig {
            paths: s(&["api/*", "sanctum/csrf-cookie"]),
            allowed_methods: s(&["*"]),
            allowed_origins: s(&["*"]),
            allowed_origins_patterns: Vec::new(),
            allowed_headers: s(&["*"]),
            exposed_headers: Vec::new(),
            max_age: Some(0),
            supports_credentials: false,
        }
    }
}

/// `SESSION_DRIVER`: where the session lives.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SessionDriver {
    /// `file` (Laravel 10's default): `storage/framework/sessions`.
    File,
    /// `database` (11 and 12): the `sessions` table.
    #[default]
    Database,
    /// `redis`.
    Redis,
    /// `array`: kept in memory for one request only, as the tests use it.
    Array,
}

impl SessionDriver {
    pub const ALL: [SessionDriver; 4] = [
        SessionDriver::File,
        SessionDriver::Database,
        SessionDriver::Redis,
        SessionDriver::Array,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SessionDriver::File => "file",
            SessionDriver::Database => "database",
            SessionDriver::Redis => "redis",
            SessionDriver::Array => "array",
        }
    }

    pub fn from_key(s: &str) -> Option<SessionDriver> {
        SessionDriver::ALL.into_iter().find(|d| d.as_str() == s)
    }
}

/// `'same_site'` (`SESSION_SAME_SITE`): what Symfony's `Cookie` accepts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SameSite {
    #[default]
    Lax,
    Strict,
    None,
    /// PHP `null`: no `samesite` attribute.
    Null,
}

impl SameSite {
    pub const ALL: [SameSite; 4] = [
        SameSite::Lax,
        SameSite::Strict,
        SameSite::None,
        SameSite::Null,
    ];

    /// The `.env` value.
    pub fn as_str(self) -> &'static str {
        match self {
            SameSite::Lax => "lax",
            SameSite::Strict => "strict",
            SameSite::None => "none",
            SameSite::Null => "null",
        }
    }

    /// Symfony `Cookie::withSameSite` lower-cases the value and accepts only
    /// `lax`, `strict`, `none` or null (symfony/http-foundation `Cookie.php`);
    /// `env()` turns `null`/`(null)` into null and `empty` into `''`, which
    /// Symfony also reads as null.
    pub fn from_env(s: &str) -> Option<SameSite> {
        match s.to_ascii_lowercase().as_str() {
            "lax" => Some(SameSite::Lax),
            "strict" => Some(SameSite::Strict),
            "none" => Some(SameSite::None),
            "null" | "(null)" | "empty" | "(empty)" | "" => Some(SameSite::Null),
            _ => None,
        }
    }
}

/// `config/session.php`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SessionConfig {
    pub driver: SessionDriver,
    /// `lifetime` in minutes (`SESSION_LIFETIME`, 120).
    pub lifetime: i64,
    /// `expire_on_close`: no `expires` on the session cookie.
    pub expire_on_close: bool,
    /// `SESSION_COOKIE`; `None`: `Str::slug(APP_NAME, '_').'_session'`.
    pub cookie: Option<String>,
    /// `path` (`SESSION_PATH`, `/`).
    pub path: String,
    /// `domain` (`SESSION_DOMAIN`, null: a host-only cookie).
    pub domain: Option<String>,
    /// `secure` (`SESSION_SECURE_COOKIE`, null).
    pub secure: Option<bool>,
    /// `http_only` (`SESSION_HTTP_ONLY`, true).
    pub http_only: bool,
    /// `same_site` (`SESSION_SAME_SITE`, `lax`).
    pub same_site: SameSite,
    /// `partitioned` (`SESSION_PARTITIONED_COOKIE`, false).
    pub partitioned: bool,
}

impl Default for SessionConfig {
    fn default() -> Self {
        SessionConfig {
            driver: SessionDriver::Database,
            lifetime: 120,
            expire_on_close: false,
            cookie: None,
            path: "/".into(),
            domain: None,
            secure: None,
            http_only: true,
            same_site: SameSite::Lax,
            partitioned: false,
        }
    }
}

/// Where the browser's connection ends.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Front {
    /// `php artisan serve`, or PHP-FPM behind a server on the same scheme.
    #[default]
    Direct,
    /// A TLS-terminating proxy (a load balancer, Forge's nginx, a PaaS
    /// router): PHP sees plain http with `X-Forwarded-Proto: https`.
    TlsProxy,
}

/// Which routes file holds the SPA's `POST /login` (Breeze's API stack
/// puts it in `routes/auth.php`, loaded by `routes/web.php`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LoginRoute {
    /// `POST /login` and `POST /logout` in the `web` group.
    #[default]
    Web,
    /// `POST /api/login` and `POST /api/logout` in the `api` group.
    Api,
}

/// The whole Laravel app: its config files, `.env` and `bootstrap/app.php`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LaravelApp {
    pub version: LaravelVersion,
    /// `APP_NAME` (`Laravel`): names the session cookie.
    pub app_name: String,
    /// `APP_URL` (`http://localhost`): joins Sanctum's default stateful list.
    pub app_url: String,
    pub cors: CorsConfig,
    pub session: SessionConfig,
    /// `SANCTUM_STATEFUL_DOMAINS`, comma-separated; `None`: not set (the default list).
    pub stateful_domains: Option<String>,
    /// `->statefulApi()` (11, 12) or the uncommented
    /// `EnsureFrontendRequestsAreStateful` line of the `api` group (10).
    pub stateful_api: bool,
    /// `->trustProxies(at: '*')` (11, 12) or `protected $proxies = '*'` (10).
    pub trust_proxies: bool,
    pub front: Front,
    pub login_route: LoginRoute,
}

impl Default for LaravelApp {
    fn default() -> Self {
        LaravelApp {
            version: LaravelVersion::default(),
            app_name: "Laravel".into(),
            app_url: "http://localhost".into(),
            cors: CorsConfig::default(),
            session: SessionConfig::default(),
            stateful_domains: None,
            stateful_api: false,
            trust_proxies: false,
            front: Front::Direct,
            login_route: LoginRoute::Web,
        }
    }
}

impl LaravelApp {
    /// A new app of this version, with that version's defaults.
    pub fn new(version: LaravelVersion) -> LaravelApp {
        let mut app = LaravelApp {
            version,
            ..LaravelApp::default()
        };
        if version == LaravelVersion::V10 {
            app.session.driver = SessionDriver::File;
        }
        app
    }

    /// `config('session.cookie')`: `SESSION_COOKIE`, else
    /// `Str::slug(env('APP_NAME', 'laravel'), '_').'_session'`.
    pub fn session_cookie_name(&self) -> String {
        match &self.session.cookie {
            Some(c) => c.clone(),
            None => format!("{}_session", super::support::str_slug(&self.app_name, '_')),
        }
    }

    /// The `login` and `logout` paths.
    pub fn login_path(&self) -> &'static str {
        match self.login_route {
            LoginRoute::Web => "/login",
            LoginRoute::Api => "/api/login",
        }
    }

    pub fn logout_path(&self) -> &'static str {
        match self.login_route {
            LoginRoute::Web => "/logout",
            LoginRoute::Api => "/api/logout",
        }
    }
}

/// The default `sanctum.stateful` list of `config/sanctum.php` (v3.3.3 and
/// v4.0.1 alike): `localhost,localhost:3000,127.0.0.1,127.0.0.1:8000,::1`
/// and `Sanctum::currentApplicationUrlWithPort()` (`src/Sanctum.php`):
/// `APP_URL`'s host, with `:port` when the URL has one.
pub fn default_stateful(app_url: &str) -> String {
    let mut s = String::from("localhost,localhost:3000,127.0.0.1,127.0.0.1:8000,::1");
    if let Ok(u) = url::Url::parse(app_url) {
        if let Some(h) = u.host_str() {
            s.push(',');
            s.push_str(h);
            // parse_url() returns the port only when the URL writes one; the
            // URL parser drops a default port, as PHP keeps it: `http://a:80`
            // gives `a:80` in PHP. Read it from the text.
            if let Some(p) = explicit_port(app_url) {
                s.push(':');
                s.push_str(&p);
            }
        }
    }
    s
}

fn explicit_port(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    let hostport = authority.rsplit('@').next()?;
    let after = match hostport.rfind(']') {
        Some(i) => &hostport[i + 1..],
        None => hostport,
    };
    let p = after.rsplit_once(':')?.1;
    (!p.is_empty() && p.chars().all(|c| c.is_ascii_digit())).then(|| p.to_string())
}

impl LaravelApp {
    /// `config('sanctum.stateful')`: `explode(',', …)` then Sanctum's
    /// `array_filter` drops the empty entries.
    pub fn stateful(&self) -> Vec<String> {
        let raw = match &self.stateful_domains {
            Some(s) => s.clone(),
            None => default_stateful(&self.app_url),
        };
        raw.split(',')
            .filter(|s| !s.is_empty())
            .map(|s| s.to_string())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_by_version() {
        // laravel/laravel 10.x config/session.php: env('SESSION_DRIVER', 'file');
        // laravel/framework 11.x/12.x config/session.php: 'database'.
        for (v, driver) in [
            (LaravelVersion::V10, SessionDriver::File),
            (LaravelVersion::V11, SessionDriver::Database),
            (LaravelVersion::V12, SessionDriver::Database),
        ] {
            let a = LaravelApp::new(v);
            assert_eq!(a.session.driver, driver, "{v:?}");
            assert_eq!(a.cors.paths, ["api/*", "sanctum/csrf-cookie"]);
            assert_eq!(a.cors.allowed_origins, ["*"]);
            assert_eq!(a.cors.max_age, Some(0));
            assert!(!a.cors.supports_credentials);
            assert_eq!(a.session_cookie_name(), "laravel_session");
        }
    }

    #[test]
    fn default_stateful_list_takes_app_url_with_its_port() {
        for (url, tail) in [
            ("http://localhost", ",localhost"),
            ("http://api.myapp.test", ",api.myapp.test"),
            ("http://localhost:8000", ",localhost:8000"),
            ("https://api.example.com:443", ",api.example.com:443"),
            ("", ""),
        ] {
            assert_eq!(
                default_stateful(url),
                format!("localhost,localhost:3000,127.0.0.1,127.0.0.1:8000,::1{tail}"),
                "{url}"
            );
        }
        let a = LaravelApp {
            stateful_domains: Some("localhost:5173,,app.test".into()),
            ..LaravelApp::default()
        };
        assert_eq!(a.stateful(), ["localhost:5173", "app.test"]);
    }

    #[test]
    fn same_site_reads_as_symfony_accepts_it() {
        for (s, want) in [
            ("lax", Some(SameSite::Lax)),
            ("None", Some(SameSite::None)),
            ("STRICT", Some(SameSite::Strict)),
            ("null", Some(SameSite::Null)),
            ("", Some(SameSite::Null)),
            ("no_restriction", None),
        ] {
            assert_eq!(SameSite::from_env(s), want, "{s}");
        }
    }
}
