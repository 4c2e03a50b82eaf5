//! A Rails API as its settings describe it: `config/initializers/cors.rb`
//! (rack-cors), the session store, `config.api_only`, `load_defaults`,
//! `force_ssl`. The model answers each request with exactly the headers the
//! real stack would send.
//!
//! The app has two actions: the login path writes `session[:user_id]`, every
//! other path reads it (200 with the user when the session cookie arrived,
//! 401 otherwise).

use serde::{Deserialize, Serialize};

/// Rails (and with it Rack / rack-cors) generation. Where behaviour differs
/// between versions, the model asks this.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum RailsVersion {
    /// Rails 6.1, Rack 2.2, rack-cors 1.x.
    #[serde(rename = "6.1")]
    V6_1,
    /// Rails 7.0, Rack 2.2, rack-cors 2.x.
    #[serde(rename = "7.0")]
    V7_0,
    /// Rails 7.1 / 7.2, Rack 3, rack-cors 2.x.
    #[serde(rename = "7.1")]
    V7_1,
    /// Rails 8.x, Rack 3.1+, rack-cors 3.x.
    #[serde(rename = "8.0")]
    #[default]
    V8,
}

/// `config.load_defaults` (decides the default SameSite among other things).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum LoadDefaults {
    /// No `load_defaults` call (or one older than 6.0).
    #[serde(rename = "none")]
    None,
    #[serde(rename = "6.0")]
    V6_0,
    #[serde(rename = "6.1")]
    V6_1,
    #[serde(rename = "7.0")]
    V7_0,
    #[serde(rename = "7.1")]
    V7_1,
    #[serde(rename = "8.0")]
    #[default]
    V8_0,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Environment {
    #[default]
    Development,
    Production,
}

/// How the session middleware gets into an API-only app
/// (a full app always has it, unless the store is `:disabled`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SessionMiddleware {
    /// Not added: the API-only default. Session writes are lost.
    #[default]
    None,
    /// The guide's way, in `config/application.rb`:
    /// `config.session_store :cookie_store, ...` then
    /// `config.middleware.use ActionDispatch::Cookies` and
    /// `config.middleware.use config.session_store, config.session_options`.
    Documented,
    /// `config.middleware.use ActionDispatch::Session::CookieStore` with no
    /// options: the key falls back to `_session_id`, other options are ignored.
    WithoutOptions,
    /// `config.middleware.use config.session_store, config.session_options`
    /// before the store is set: boot error (`undefined method 'new' for nil`).
    BeforeStoreSet,
}

/// Where rack-cors sits in the middleware stack.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CorsPosition {
    /// `insert_before 0`: rack-cors sees every request first.
    #[default]
    First,
    /// After a middleware that answers some requests itself (Warden, a static
    /// file server, Rack::Attack…): those answers carry no CORS headers.
    AfterAnsweringMiddleware,
}

/// The `cors.rb` configuration: `allow` blocks in order.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CorsConfig {
    /// `Rails.application.config.middleware.insert_before 0, Rack::Cors` present at all.
    pub enabled: bool,
    pub allow: Vec<AllowBlock>,
    /// `debug: true`: adds `X-Rack-CORS` to actual responses.
    pub debug: bool,
}

/// One `allow do ... end` block.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AllowBlock {
    /// Entries of `origins`, as written: `http://localhost:3000` (exact, with
    /// scheme), `localhost:3000` (bare host, any scheme), `*`, or a Ruby
    /// regexp literal `/\Ahttps?:\/\/localhost(:\d+)?\z/`.
    pub origins: Vec<String>,
    pub resources: Vec<CorsResource>,
}

/// `resource 'path', headers:, methods:, credentials:, expose:, max_age:, vary:, if:`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CorsResource {
    /// Path pattern: `*`, `/api/*`, `/users/:id`.
    pub path: String,
    pub headers: HeadersOption,
    pub methods: MethodsOption,
    pub credentials: bool,
    /// `expose:`; empty = unset (rack-cors then sends an empty Expose-Headers).
    pub expose: Vec<String>,
    /// `max_age:`; `None` = the default 7200.
    pub max_age: Option<u64>,
    /// `vary:`; `None` = the default `Origin`.
    pub vary: Option<Vec<String>>,
    /// `if:` proc, as an on/off toggle: `false` means the proc returns false.
    pub if_condition: bool,
}

impl Default for CorsResource {
    fn default() -> Self {
        CorsResource {
            path: "*".into(),
            headers: HeadersOption::Any,
            methods: MethodsOption::List(vec![
                "get".into(),
                "post".into(),
                "put".into(),
                "patch".into(),
                "delete".into(),
                "options".into(),
                "head".into(),
            ]),
            credentials: false,
            expose: Vec::new(),
            max_age: None,
            vary: None,
            if_condition: true,
        }
    }
}

/// `headers:` of a resource.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HeadersOption {
    /// Omitted: only accept, accept-language, content-language, content-type.
    Unset,
    /// `:any`: every requested header is echoed back.
    Any,
    /// A list of names.
    List(Vec<String>),
}

/// `methods:` of a resource.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MethodsOption {
    /// Omitted: `[:get]`.
    Unset,
    /// `:any`: get, head, post, put, patch, delete, options.
    Any,
    /// A list, lower-case symbols as written (`:get`, `:post`).
    List(Vec<String>),
}

/// `Rails.application.config.session_store ...`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SessionStoreConfig {
    pub store: StoreKind,
    /// `key:`; `None` = not given (the default depends on whether
    /// `session_store` was called at all).
    pub key: Option<String>,
    pub domain: DomainOption,
    /// `path:`; `None` = `/`.
    pub path: Option<String>,
    pub same_site: SameSiteOption,
    /// `secure:`; `None` = not given (false, unless force_ssl).
    pub secure: Option<bool>,
    /// `httponly:`; `None` = not given (true).
    pub httponly: Option<bool>,
    /// `expire_after:` in seconds; `None` = a browser-session cookie.
    pub expire_after: Option<u64>,
}

impl Default for SessionStoreConfig {
    fn default() -> Self {
        SessionStoreConfig {
            store: StoreKind::CookieStore,
            key: None,
            domain: DomainOption::Unset,
            path: None,
            same_site: SameSiteOption::Unset,
            secure: None,
            httponly: None,
            expire_after: None,
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StoreKind {
    /// `session_store` never called: the default cookie store with key `_<app>_session`.
    NotCalled,
    /// `session_store :cookie_store, ...`.
    #[default]
    CookieStore,
    /// `session_store :disabled`.
    Disabled,
}

/// `domain:` of the session store.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DomainOption {
    #[default]
    Unset,
    /// A string, sent as written.
    Exact(String),
    /// `:all`, with an optional `tld_length:`.
    All { tld_length: Option<u8> },
    /// A list: the first entry that matches the request host is sent as written.
    List(Vec<String>),
}

/// `same_site:` of the session store.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SameSiteOption {
    /// Not given: `config.action_dispatch.cookies_same_site_protection`
    /// (Lax from load_defaults 6.1).
    #[default]
    Unset,
    Lax,
    Strict,
    None,
    /// `same_site: nil` written explicitly.
    Nil,
}

/// A Rails API app.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RailsApp {
    pub version: RailsVersion,
    pub load_defaults: LoadDefaults,
    pub environment: Environment,
    /// Module name underscored, for the default session key `_<app>_session`.
    pub app_name: String,
    /// `config.api_only = true`.
    pub api_only: bool,
    /// How the session middleware is added back (API-only apps).
    pub session_middleware: SessionMiddleware,
    pub cors: CorsConfig,
    pub cors_position: CorsPosition,
    pub session: SessionStoreConfig,
    /// `config.force_ssl = true`.
    pub force_ssl: bool,
    /// `config.assume_ssl = true` (or a TLS proxy sending `X-Forwarded-Proto: https`).
    pub assume_ssl: bool,
    /// Full apps: `protect_from_forgery` active on the login action.
    pub csrf_protection: bool,
    /// Path of the action that writes the session (`POST`).
    pub login_path: String,
}

impl Default for RailsApp {
    /// The article's starting point: an API-only Rails 8 app with the
    /// "problematic" `cors.rb` (origins `'*'`) and the one-line session store.
    fn default() -> Self {
        RailsApp {
            version: RailsVersion::V8,
            load_defaults: LoadDefaults::V8_0,
            environment: Environment::Development,
            app_name: "your_app".into(),
            api_only: true,
            session_middleware: SessionMiddleware::Documented,
            cors: CorsConfig {
                enabled: true,
                allow: vec![AllowBlock {
                    origins: vec!["*".into()],
                    resources: vec![CorsResource::default()],
                }],
                debug: false,
            },
            cors_position: CorsPosition::First,
            session: SessionStoreConfig {
                key: Some("_your_app_session".into()),
                ..SessionStoreConfig::default()
            },
            force_ssl: false,
            assume_ssl: false,
            csrf_protection: false,
            login_path: "/login".into(),
        }
    }
}
