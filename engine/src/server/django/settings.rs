//! The settings a Django API's cookies and CORS depend on, as `settings.py`
//! holds them, with Django's defaults (`django/conf/global_settings.py`) and
//! django-cors-headers' (`corsheaders/conf.py`, `corsheaders/defaults.py`).

use serde::{Deserialize, Serialize};

/// Django release line. 4.2 and 5.2 are the LTS releases; where the
/// behaviour differs the model asks this.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub enum DjangoVersion {
    /// Django 4.2 LTS.
    #[serde(rename = "4.2")]
    V4_2,
    /// Django 5.2 LTS.
    #[serde(rename = "5.2")]
    #[default]
    V5_2,
}

impl DjangoVersion {
    pub fn as_str(self) -> &'static str {
        match self {
            DjangoVersion::V4_2 => "4.2",
            DjangoVersion::V5_2 => "5.2",
        }
    }
}

/// Where `"corsheaders.middleware.CorsMiddleware"` sits in `MIDDLEWARE`
/// (the rest is `startproject`'s list).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CorsPosition {
    /// First, as its README says ("as high as possible, especially before any
    /// middleware that can generate responses such as CommonMiddleware").
    #[default]
    First,
    /// Right after `CommonMiddleware`: a response CommonMiddleware makes
    /// itself (the 400 for a disallowed Host) carries no CORS headers.
    AfterCommon,
    /// Only in `INSTALLED_APPS`, not in `MIDDLEWARE`: no CORS headers at all.
    Missing,
}

/// A cookie's `SameSite` setting: `'Lax'`, `'Strict'`, `'None'` or `False`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SameSiteSetting {
    #[default]
    Lax,
    Strict,
    /// The string `'None'`: `SameSite=None`.
    None,
    /// `False`: no `SameSite` attribute.
    False,
}

impl SameSiteSetting {
    /// The attribute value Django writes, if any.
    pub fn attribute(self) -> Option<&'static str> {
        match self {
            SameSiteSetting::Lax => Some("Lax"),
            SameSiteSetting::Strict => Some("Strict"),
            SameSiteSetting::None => Some("None"),
            SameSiteSetting::False => None,
        }
    }

    /// As written in settings.py.
    pub fn python(self) -> &'static str {
        match self {
            SameSiteSetting::Lax => "'Lax'",
            SameSiteSetting::Strict => "'Strict'",
            SameSiteSetting::None => "'None'",
            SameSiteSetting::False => "False",
        }
    }
}

/// `SESSION_ENGINE`: where the session data lives. It decides what the
/// session cookie holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SessionEngine {
    /// `django.contrib.sessions.backends.db` (the default): the cookie holds
    /// a 32-character session key, the data is in the `django_session` table.
    #[default]
    Db,
    /// `django.contrib.sessions.backends.cache`: the key in the cookie, the
    /// data in the cache (`LocMemCache` by default: per process).
    Cache,
    /// `django.contrib.sessions.backends.signed_cookies`: the data itself,
    /// signed with `SECRET_KEY`, is the cookie's value.
    SignedCookies,
}

impl SessionEngine {
    pub fn module(self) -> &'static str {
        match self {
            SessionEngine::Db => "django.contrib.sessions.backends.db",
            SessionEngine::Cache => "django.contrib.sessions.backends.cache",
            SessionEngine::SignedCookies => "django.contrib.sessions.backends.signed_cookies",
        }
    }

    pub fn from_module(m: &str) -> Option<SessionEngine> {
        [
            SessionEngine::Db,
            SessionEngine::Cache,
            SessionEngine::SignedCookies,
        ]
        .into_iter()
        .find(|e| e.module() == m)
    }
}

/// django-cors-headers' settings (`corsheaders/conf.py`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CorsSettings {
    /// `CORS_ALLOWED_ORIGINS`: `scheme://host[:port]`, compared with the
    /// Origin's scheme and netloc; `'null'` matches `Origin: null`.
    pub allowed_origins: Vec<String>,
    /// `CORS_ALLOWED_ORIGIN_REGEXES`: Python regexps, `re.match` (anchored at
    /// the start only) against the whole Origin.
    pub allowed_origin_regexes: Vec<String>,
    /// `CORS_ALLOW_ALL_ORIGINS`.
    pub allow_all_origins: bool,
    /// `CORS_URLS_REGEX`, `re.match` against `request.path_info`.
    pub urls_regex: String,
    /// `CORS_ALLOW_METHODS`.
    pub allow_methods: Vec<String>,
    /// `CORS_ALLOW_HEADERS`.
    pub allow_headers: Vec<String>,
    /// `CORS_EXPOSE_HEADERS`.
    pub expose_headers: Vec<String>,
    /// `CORS_PREFLIGHT_MAX_AGE`; 0 sends no `Access-Control-Max-Age`.
    pub preflight_max_age: i64,
    /// `CORS_ALLOW_CREDENTIALS`.
    pub allow_credentials: bool,
    /// `CORS_ALLOW_PRIVATE_NETWORK`.
    pub allow_private_network: bool,
}

/// `corsheaders/defaults.py`: `default_methods`.
pub const DEFAULT_METHODS: [&str; 6] = ["DELETE", "GET", "OPTIONS", "PATCH", "POST", "PUT"];
/// `corsheaders/defaults.py`: `default_headers`.
pub const DEFAULT_HEADERS: [&str; 6] = [
    "accept",
    "authorization",
    "content-type",
    "user-agent",
    "x-csrftoken",
    "x-requested-with",
];

impl Default for CorsSettings {
    fn default() -> Self {
        CorsSettings {
            allowed_origins: Vec::new(),
            allowed_origin_regexes: Vec::new(),
            allow_all_origins: false,
            urls_regex: r"^.*$".into(),
            allow_methods: DEFAULT_METHODS.iter().map(|s| s.to_string()).collect(),
            allow_headers: DEFAULT_HEADERS.iter().map(|s| s.to_string()).collect(),
            expose_headers: Vec::new(),
            preflight_max_age: 86400,
            allow_credentials: false,
            allow_private_network: false,
        }
    }
}

/// The session framework's settings (`SESSION_*`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SessionSettings {
    pub engine: SessionEngine,
    /// `SESSION_COOKIE_NAME` (`'sessionid'`).
    pub cookie_name: String,
    /// `SESSION_COOKIE_AGE` in seconds (two weeks).
    pub cookie_age: i64,
    /// `SESSION_COOKIE_DOMAIN` (`None`: host-only).
    pub cookie_domain: Option<String>,
    /// `SESSION_COOKIE_PATH`.
    pub cookie_path: String,
    /// `SESSION_COOKIE_SECURE`.
    pub cookie_secure: bool,
    /// `SESSION_COOKIE_HTTPONLY` (`True`).
    pub cookie_httponly: bool,
    /// `SESSION_COOKIE_SAMESITE` (`'Lax'` since Django 2.1).
    pub cookie_samesite: SameSiteSetting,
    /// `SESSION_SAVE_EVERY_REQUEST`.
    pub save_every_request: bool,
    /// `SESSION_EXPIRE_AT_BROWSER_CLOSE`: no `Max-Age`/`expires`.
    pub expire_at_browser_close: bool,
}

impl Default for SessionSettings {
    fn default() -> Self {
        SessionSettings {
            engine: SessionEngine::Db,
            cookie_name: "sessionid".into(),
            cookie_age: 60 * 60 * 24 * 7 * 2,
            cookie_domain: None,
            cookie_path: "/".into(),
            cookie_secure: false,
            cookie_httponly: true,
            cookie_samesite: SameSiteSetting::Lax,
            save_every_request: false,
            expire_at_browser_close: false,
        }
    }
}

/// CSRF protection's settings (`CSRF_*`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CsrfSettings {
    /// `CSRF_COOKIE_NAME` (`'csrftoken'`).
    pub cookie_name: String,
    /// `CSRF_COOKIE_AGE` (one year; `None`: a session cookie).
    pub cookie_age: Option<i64>,
    pub cookie_domain: Option<String>,
    pub cookie_path: String,
    pub cookie_secure: bool,
    /// `CSRF_COOKIE_HTTPONLY` (`False`: the SPA reads the token from `document.cookie`).
    pub cookie_httponly: bool,
    pub cookie_samesite: SameSiteSetting,
    /// `CSRF_TRUSTED_ORIGINS`: `scheme://host[:port]`, or `scheme://*.domain`.
    pub trusted_origins: Vec<String>,
    /// `CSRF_USE_SESSIONS`: the secret lives in the session, no csrftoken cookie.
    pub use_sessions: bool,
    /// `CSRF_HEADER_NAME` as a `request.META` key (`'HTTP_X_CSRFTOKEN'`).
    pub header_name: String,
}

impl Default for CsrfSettings {
    fn default() -> Self {
        CsrfSettings {
            cookie_name: "csrftoken".into(),
            cookie_age: Some(60 * 60 * 24 * 7 * 52),
            cookie_domain: None,
            cookie_path: "/".into(),
            cookie_secure: false,
            cookie_httponly: false,
            cookie_samesite: SameSiteSetting::Lax,
            trusted_origins: Vec::new(),
            use_sessions: false,
            header_name: "HTTP_X_CSRFTOKEN".into(),
        }
    }
}

/// What a view does.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DjangoView {
    /// `login(request, user)` (`django/contrib/auth/__init__.py`): a new
    /// session key (`cycle_key()`), the user id in the session, and a new
    /// CSRF secret (`rotate_token()`). Any method.
    #[default]
    Login,
    /// Reads `request.session["user_id"]`: 200 with it, 401 without.
    Me,
    /// `@ensure_csrf_cookie`, returns `get_token(request)`: sets the CSRF cookie.
    Csrf,
    /// `logout(request)`: `request.session.flush()` (the cookie is deleted).
    Logout,
}

impl DjangoView {
    pub fn function(self) -> &'static str {
        match self {
            DjangoView::Login => "login_view",
            DjangoView::Me => "me_view",
            DjangoView::Csrf => "csrf_view",
            DjangoView::Logout => "logout_view",
        }
    }

    pub fn from_function(f: &str) -> Option<DjangoView> {
        [
            DjangoView::Login,
            DjangoView::Me,
            DjangoView::Csrf,
            DjangoView::Logout,
        ]
        .into_iter()
        .find(|v| v.function() == f)
    }
}

/// One `path("route", view)` line of `urls.py`: the route without the leading slash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DjangoRoute {
    pub route: String,
    pub view: DjangoView,
    /// `@csrf_exempt` on the view.
    #[serde(default)]
    pub csrf_exempt: bool,
}

/// The whole Django app.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DjangoApp {
    pub version: DjangoVersion,
    /// `DEBUG`.
    pub debug: bool,
    /// `ALLOWED_HOSTS`.
    pub allowed_hosts: Vec<String>,
    /// `SECURE_PROXY_SSL_HEADER`: `("HTTP_X_FORWARDED_PROTO", "https")`.
    pub secure_proxy_ssl_header: Option<(String, String)>,
    /// `APPEND_SLASH` (`True`).
    pub append_slash: bool,
    pub cors_position: CorsPosition,
    pub cors: CorsSettings,
    pub session: SessionSettings,
    pub csrf: CsrfSettings,
    /// `urls.py`.
    pub urls: Vec<DjangoRoute>,
}

impl Default for DjangoApp {
    fn default() -> Self {
        DjangoApp {
            version: DjangoVersion::default(),
            debug: false,
            allowed_hosts: vec!["localhost".into(), "127.0.0.1".into()],
            secure_proxy_ssl_header: None,
            append_slash: true,
            cors_position: CorsPosition::First,
            cors: CorsSettings::default(),
            session: SessionSettings::default(),
            csrf: CsrfSettings::default(),
            urls: default_urls(),
        }
    }
}

/// The URLconf the presets and the generated project use.
pub fn default_urls() -> Vec<DjangoRoute> {
    [
        ("api/login/", DjangoView::Login),
        ("api/me/", DjangoView::Me),
        ("api/csrf/", DjangoView::Csrf),
        ("api/logout/", DjangoView::Logout),
    ]
    .into_iter()
    .map(|(route, view)| DjangoRoute {
        route: route.into(),
        view,
        csrf_exempt: false,
    })
    .collect()
}

/// A default that changed with a release, said in Django's words for the
/// explanations ("`SESSION_COOKIE_SAMESITE` is `'Lax'` by default since
/// Django 2.1, so…").
pub fn default_note(setting: &str) -> Option<&'static str> {
    Some(match setting {
        "SESSION_COOKIE_SAMESITE" => "`SESSION_COOKIE_SAMESITE` is `'Lax'` by default since Django 2.1",
        "CSRF_COOKIE_SAMESITE" => "`CSRF_COOKIE_SAMESITE` is `'Lax'` by default since Django 2.1",
        "CSRF_TRUSTED_ORIGINS" => {
            "since Django 4.0 `CSRF_TRUSTED_ORIGINS` entries need a scheme (`https://app.example.com`), \
             and the `Origin` header is checked against them on every unsafe request"
        }
        "SESSION_COOKIE_HTTPONLY" => "`SESSION_COOKIE_HTTPONLY` is `True` by default",
        "CSRF_COOKIE_HTTPONLY" => {
            "`CSRF_COOKIE_HTTPONLY` is `False` by default, so the page's JavaScript can read the token"
        }
        "SESSION_COOKIE_SECURE" => "`SESSION_COOKIE_SECURE` is `False` by default",
        _ => return None,
    })
}
