//! A Rails API as its settings describe it: `config/initializers/cors.rb`
//! (rack-cors), the session store, `config.api_only`, `load_defaults`,
//! `force_ssl`. The model answers each request with exactly the headers the
//! real stack would send.
//!
//! Without routes the app has two actions: the login path writes
//! `session[:user_id]`, every other path reads it (200 with the user when a
//! session cookie this app issued arrived, 401 otherwise: no cookie, or one
//! that does not decrypt). With routes ([`crate::server::routes`]) each path
//! runs its own action: login, logout (`reset_session`), me, a plain
//! `cookies[:name] = {...}` write, or one that raises (500); any other path
//! is a 404.

use serde::{Deserialize, Serialize};

pub use crate::server::routes::{AppAction, AppRoute, PlainCookie};

/// Rails (and with it Rack / rack-cors) generation. Where behaviour differs
/// between versions, the model asks this.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
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
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
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
    /// The session middleware with its options, but no
    /// `config.middleware.use ActionDispatch::Cookies`: the session is
    /// written to a cookie jar nobody serializes, so no Set-Cookie is sent.
    WithoutCookies,
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
    /// `config.middleware.use Rack::Cors`: at the end of the stack, inside
    /// ShowExceptions/DebugExceptions, the cookie and session middleware and
    /// ActionDispatch::SSL. Exceptions (a 404 route miss, a 422 from
    /// forgery protection, a 500) are rendered outside it, without CORS
    /// headers; the redirect of force_ssl too.
    Last,
}

/// `config.action_dispatch.cookies_same_site_protection`: the SameSite of
/// every cookie that does not name its own (the session cookie included).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SameSiteProtection {
    /// Not set: `:lax` from `load_defaults "6.1"`, nil before.
    #[default]
    FromLoadDefaults,
    Lax,
    Strict,
    None,
    /// `= nil`: no SameSite attribute.
    Nil,
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
    /// The `resource` lines come before `origins` inside the block. rack-cors'
    /// DSL is order-sensitive: such a resource is not public even with
    /// `origins '*'`, so `credentials: true` raises nothing and every Origin
    /// is reflected with `Access-Control-Allow-Credentials: true`.
    pub resource_before_origins: bool,
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
    /// `vary:`; `None` (or an empty list, which rack-cors ignores) = the default `Origin`.
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

/// A list typed as text (`a, b` or one item per line), as the editors and the
/// permalink read it: items trimmed, empty ones dropped. Reading the items
/// joined with `,` gives them back.
pub fn list_items(text: &str) -> Vec<String> {
    text.split([',', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// `methods:` items typed as text: like [`list_items`], without the `:` of a
/// Ruby symbol (`:get, :post`). Blanks after the colon go too, so each item
/// reads back as itself.
pub fn method_items(text: &str) -> Vec<String> {
    text.split([',', '\n'])
        .map(|s| s.trim_start_matches(|c: char| c == ':' || c.is_whitespace()))
        .map(str::trim_end)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
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

impl DomainOption {
    /// The option as written after `domain:` in the initializer, without the
    /// quotes: `.example.com`, `:all`, `:all, tld_length: 2`, `[a.test, b.test]`.
    pub fn to_ruby_text(&self) -> String {
        match self {
            DomainOption::Unset => String::new(),
            DomainOption::Exact(s) => s.clone(),
            DomainOption::All { tld_length: None } => ":all".into(),
            DomainOption::All {
                tld_length: Some(n),
            } => format!(":all, tld_length: {n}"),
            DomainOption::List(l) => format!("[{}]", l.join(", ")),
        }
    }

    /// Reads what [`DomainOption::to_ruby_text`] writes (quotes and brackets
    /// around strings are allowed). The error is a sentence for the field.
    pub fn from_ruby_text(text: &str) -> Result<DomainOption, String> {
        let unquote = |s: &str| s.trim().trim_matches(['\'', '"']).trim().to_string();
        let bracketed = text.trim_start().starts_with('[');
        let t = text
            .trim()
            .trim_start_matches('[')
            .trim_end_matches(']')
            .trim();
        if t.is_empty() || t == "nil" {
            return Ok(DomainOption::Unset);
        }
        if let Some(rest) = t.strip_prefix(":all") {
            let rest = rest.trim_start_matches([',', ' ']);
            if rest.is_empty() {
                return Ok(DomainOption::All { tld_length: None });
            }
            let n = rest.strip_prefix("tld_length:").ok_or_else(|| {
                format!("after `:all` only `, tld_length: N` may follow, not `{rest}`")
            })?;
            return match n.trim().parse::<u8>() {
                Ok(n) if (1..=10).contains(&n) => Ok(DomainOption::All {
                    tld_length: Some(n),
                }),
                _ => Err(format!(
                    "tld_length must be a whole number from 1 to 10, not `{}`",
                    n.trim()
                )),
            };
        }
        let items: Vec<String> = t
            .split(',')
            .map(unquote)
            .filter(|s| !s.is_empty())
            .collect();
        // A bracket or quote left inside an item (`'[`) is not a domain, and
        // would read back as another option.
        if let Some(bad) = items.iter().find(|s| {
            s.starts_with(':')
                || s.contains(char::is_whitespace)
                || s.contains(['[', ']', '\'', '"'])
        }) {
            return Err(format!(
                "`{bad}` is not a domain: write `.example.com`, `:all`, or a list of domains"
            ));
        }
        Ok(match items.len() {
            0 if !bracketed => DomainOption::Unset,
            1 if !bracketed && !t.contains(',') => {
                DomainOption::Exact(items.into_iter().next().unwrap_or_default())
            }
            _ => DomainOption::List(items),
        })
    }
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
    /// Path of the action that writes the session (`POST`), for an app
    /// without [`RailsApp::routes`].
    pub login_path: String,
    /// `config/routes.rb`. Empty: the default app (`POST` to `login_path`
    /// logs in, every other request reads the session).
    pub routes: Vec<AppRoute>,
    /// `config.action_dispatch.cookies_same_site_protection`.
    pub cookies_same_site_protection: SameSiteProtection,
    /// `config.ssl_options[:secure_cookies]` (true unless
    /// `config.ssl_options = { secure_cookies: false }`): with force_ssl, the
    /// session gets `secure` and ActionDispatch::SSL flags every cookie.
    pub ssl_secure_cookies: bool,
    /// `config.action_dispatch.always_write_cookie`; `None` = not set
    /// (`Rails.env.development?`).
    pub always_write_cookie: Option<bool>,
    /// `config.action_dispatch.tld_length` (1 when not set). It shapes
    /// `request.domain` and subdomains only, never a cookie's `domain: :all`.
    pub tld_length: u8,
    /// API-only apps: `ApplicationController` has
    /// `include ActionController::Cookies` (ActionController::API leaves it
    /// out, so `cookies` is undefined there; ActionController::Base has it).
    pub controller_cookies: bool,
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
                    resource_before_origins: false,
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
            routes: Vec::new(),
            cookies_same_site_protection: SameSiteProtection::FromLoadDefaults,
            ssl_secure_cookies: true,
            always_write_cookie: None,
            tld_length: 1,
            controller_cookies: false,
        }
    }
}

// ---------------------------------------------------------------------------
// The model: boot, then answer each request as the middleware stack would.
// ---------------------------------------------------------------------------

use crate::headers::HeaderList;
use crate::http::{ServerModel, ServerReply, WireRequest, WireResponse};
use crate::server::rack_cors::{
    evaluate_path, CorsConfigError, CorsOutcome, PassOn, RackCors, RackPath,
};
use crate::server::session_store::{
    cookie_attrs, flag_secure, issued_session_value, request_cookie, request_is_ssl,
    security_matches, session_mode, session_value_decrypts, session_value_has_user,
    set_cookie_line, NoSession, RackGen, SessionMode,
};
use crate::spec;
use crate::trace::{Phase, Reason, Step, Verdict};

/// The simulation clock's start (2026-01-01T00:00:00Z): the session
/// cookie's `expires=` is `SIM_EPOCH + expire_after`. The server model sees
/// only the request, so every response uses this instant.
pub use crate::simulate::SIM_EPOCH;

/// `Strict-Transport-Security` as `ActionDispatch::SSL` sends it by default.
pub const HSTS_VALUE: &str = "max-age=63072000; includeSubDomains";

impl RailsVersion {
    /// The newest `load_defaults` this version accepts.
    pub fn max_load_defaults(self) -> LoadDefaults {
        match self {
            RailsVersion::V6_1 => LoadDefaults::V6_1,
            RailsVersion::V7_0 => LoadDefaults::V7_0,
            RailsVersion::V7_1 => LoadDefaults::V7_1,
            RailsVersion::V8 => LoadDefaults::V8_0,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            RailsVersion::V6_1 => "6.1",
            RailsVersion::V7_0 => "7.0",
            RailsVersion::V7_1 => "7.1",
            RailsVersion::V8 => "8.0",
        }
    }
}

impl LoadDefaults {
    pub fn label(self) -> &'static str {
        match self {
            LoadDefaults::None => "none",
            LoadDefaults::V6_0 => "6.0",
            LoadDefaults::V6_1 => "6.1",
            LoadDefaults::V7_0 => "7.0",
            LoadDefaults::V7_1 => "7.1",
            LoadDefaults::V8_0 => "8.0",
        }
    }
}

/// What the app (behind rack-cors) answered.
pub(crate) struct AppAnswer {
    pub(crate) response: WireResponse,
    /// Answered by a middleware that sits in front of rack-cors: no CORS headers.
    pub(crate) before_cors: bool,
    /// An exception (a route miss, InvalidAuthenticityToken, an error in the
    /// action) that ShowExceptions/DebugExceptions render: it passes through
    /// rack-cors as a response only when rack-cors sits outside them.
    pub(crate) raised: bool,
}

impl AppAnswer {
    /// An answer from the app itself: it passes back through rack-cors.
    pub(crate) fn through_cors(response: WireResponse) -> AppAnswer {
        AppAnswer {
            response,
            before_cors: false,
            raised: false,
        }
    }

    /// A response the exceptions middleware rendered from an exception.
    pub(crate) fn raised(response: WireResponse) -> AppAnswer {
        AppAnswer {
            response,
            before_cors: false,
            raised: true,
        }
    }
}

/// The title and the cause of a session that cannot be written.
pub(crate) fn no_session_cause(why: NoSession) -> (&'static str, &'static str) {
    match why {
        NoSession::ApiOnlyNoMiddleware => (
            "API-only app: no session middleware",
            "`config.api_only = true` removes ActionDispatch::Cookies and the session \
             middleware, whatever the session store says",
        ),
        NoSession::StoreDisabled => (
            "session_store :disabled",
            "the session store is `:disabled`",
        ),
    }
}

/// The router has no OPTIONS route (`rack-cors lib/rack/cors.rb` answers
/// only preflights itself).
pub(crate) fn options_not_routed_step(ri: Option<usize>, path: &str) -> Step {
    Step::new(
        ri,
        Phase::Server,
        Verdict::Warning,
        Reason::ServerNoRoute,
        "OPTIONS reached Rails: 404",
        "rack-cors answers only preflights (OPTIONS with Origin and \
         Access-Control-Request-Method). Any other OPTIONS request goes to the router, \
         which has no OPTIONS route: 404.",
        spec::RACK_CORS,
    )
    .with("path", path.to_string())
}

pub(crate) fn csrf_rejected_step(ri: Option<usize>, method: &str) -> Step {
    Step::new(
        ri,
        Phase::Server,
        Verdict::Blocked,
        Reason::CsrfRejected,
        "CSRF protection: 422 InvalidAuthenticityToken",
        "A full Rails app (ActionController::Base) verifies an authenticity token on every \
         non-GET request. This request carries none (no X-CSRF-Token header, no \
         authenticity_token parameter), so Rails raises InvalidAuthenticityToken: 422, no \
         session written. Send the token from a `csrf_meta_tags` page or a token endpoint, \
         or skip forgery protection for JSON API controllers that authenticate otherwise. \
         (Released Rails, up to 8.1, checks only the token and the Origin: the header-only \
         `Sec-Fetch-Site` check, `protect_from_forgery using: :header_only`, exists only on \
         Rails main, 8.2.0.alpha.)",
        spec::RAILS_CSRF,
    )
    .with("method", method.to_string())
}

pub(crate) fn no_cookies_middleware_step(ri: Option<usize>) -> Step {
    Step::new(
        ri,
        Phase::Server,
        Verdict::Blocked,
        Reason::SessionMiddlewareMissing,
        "Session middleware without ActionDispatch::Cookies: no Set-Cookie",
        "The session middleware writes the session into the request's cookie jar, \
         but only ActionDispatch::Cookies turns that jar into Set-Cookie headers, and \
         it is not in this API-only stack. Add \
         `config.middleware.use ActionDispatch::Cookies` before the session middleware.",
        spec::RAILS_API_SESSIONS,
    )
}

pub(crate) fn session_read_step(ri: Option<usize>, key: &str) -> Step {
    Step::new(
        ri,
        Phase::Server,
        Verdict::Ok,
        Reason::SessionRead,
        "Session cookie received: the app knows the user (200)",
        format!(
            "The request carries `{key}`, so `session[:user_id]` is set and the action \
             answers 200. Reading the session loads it, and Rack commits a loaded \
             session again: the cookie is re-sent on this response."
        ),
        spec::RAILS_SESSION_STORE,
    )
    .with("cookie", key.to_string())
}

pub(crate) fn session_missing_step(
    ri: Option<usize>,
    key: Option<String>,
    cookies: Option<String>,
) -> Step {
    let mut step = Step::new(
        ri,
        Phase::Server,
        Verdict::Warning,
        Reason::SessionMissing,
        "No session cookie: the app does not know the user (401)",
        match &key {
            Some(k) => format!(
                "The request carries no `{k}` cookie, so `session[:user_id]` is nil and \
                 the action answers 401. Whether the browser sent the cookie is decided \
                 in the cookie steps above."
            ),
            None => "This app has no working session, so `session[:user_id]` is always \
                     nil: 401."
                .to_string(),
        },
        spec::RAILS_SESSION_STORE,
    );
    if let Some(k) = key {
        step = step.with("expected cookie", k);
    }
    step.with("Cookie header", cookies.unwrap_or_else(|| "(none)".into()))
}

/// The session cookie is there but does not decrypt: an empty session.
pub(crate) fn session_undecryptable_step(ri: Option<usize>, key: &str, value: &str) -> Step {
    Step::new(
        ri,
        Phase::Server,
        Verdict::Warning,
        Reason::SessionCookieUndecryptable,
        "Session cookie does not decrypt: the session is empty (401)",
        format!(
            "The request carries `{key}`, but Rails could not decrypt `{key}` (signed with another \
             secret_key_base, or edited), so the session is empty — you are logged out. The cookie \
             store reads the session through the encrypted cookie jar, and a value that fails to \
             decrypt or verify reads as nil: `session[:user_id]` is nil and the action answers 401. \
             This action only reads the session, so Rails sends no Set-Cookie and the browser keeps \
             the unreadable cookie until a login replaces it. Fix: log in again so this app writes \
             a session it can read (if another app with a different secret_key_base uses the same \
             cookie name, give this one its own `key:` in the session store)."
        ),
        spec::RAILS_COOKIE_STORE,
    )
    .with("cookie", key.to_string())
    .with("value", value.to_string())
}

/// A login with a session cookie that does not decrypt starts a new session.
fn login_replaces_undecryptable_step(ri: Option<usize>, key: &str, value: &str) -> Step {
    Step::new(
        ri,
        Phase::Server,
        Verdict::Ok,
        Reason::SessionCookieUndecryptable,
        "The old session cookie does not decrypt: the login starts a new session",
        format!(
            "The request carries `{key}`, but Rails could not decrypt `{key}` (signed with another \
             secret_key_base, or edited), so the session starts empty. The login writes \
             `session[:user_id]`, so the cookie store commits a new session, and its `{key}` cookie \
             replaces the unreadable one."
        ),
        spec::RAILS_COOKIE_STORE,
    )
    .with("cookie", key.to_string())
    .with("value", value.to_string())
}

fn unauthorized_ahead_of_cors_step(ri: Option<usize>) -> Step {
    Step::new(
        ri,
        Phase::Server,
        Verdict::Warning,
        Reason::MiddlewareAnsweredFirst,
        "The 401 comes from a middleware in front of rack-cors: no CORS headers",
        "rack-cors is inserted after a middleware that answers some requests \
         itself (here the authentication failure, as Warden does). Its 401 never \
         passes through rack-cors, so it has no Access-Control-Allow-Origin and \
         the page sees a network error instead of a 401. Insert rack-cors at \
         position 0 (`insert_before 0, Rack::Cors`).",
        spec::RACK_CORS,
    )
}

impl RailsApp {
    /// Changes the Rails version as an upgrade does: `rails new` writes
    /// `config.load_defaults <its version>` (railties' app generator), so a
    /// `load_defaults` that followed the old version follows the new one, and
    /// one newer than the new Rails allows (Rails refuses to boot) comes down to it.
    pub fn set_version(&mut self, version: RailsVersion) {
        let followed = self.load_defaults == self.version.max_load_defaults();
        self.version = version;
        if followed || self.load_defaults > version.max_load_defaults() {
            self.load_defaults = version.max_load_defaults();
        }
    }

    /// `config.action_dispatch.default_headers` for this `load_defaults`.
    fn default_headers(&self) -> Vec<(&'static str, &'static str)> {
        let mut h = vec![("X-Frame-Options", "SAMEORIGIN")];
        h.push((
            "X-XSS-Protection",
            if self.load_defaults >= LoadDefaults::V7_0 {
                "0"
            } else {
                "1; mode=block"
            },
        ));
        h.push(("X-Content-Type-Options", "nosniff"));
        if self.load_defaults < LoadDefaults::V7_1 {
            h.push(("X-Download-Options", "noopen"));
        }
        h.push(("X-Permitted-Cross-Domain-Policies", "none"));
        h.push(("Referrer-Policy", "strict-origin-when-cross-origin"));
        h
    }

    pub(crate) fn rack(&self) -> RackGen {
        RackGen::for_rails(self.version)
    }

    pub(crate) fn simple_response(&self, status: u16, content_type: &str) -> WireResponse {
        let mut h = HeaderList::new();
        h.push(self.rack().name("Content-Type"), content_type);
        WireResponse { status, headers: h }
    }

    pub(crate) fn json_response(&self, status: u16) -> WireResponse {
        let g = self.rack();
        let defaults = self.default_headers();
        // Room for the defaults, Content-Type, and what the app and rack-cors add.
        let mut h = HeaderList(Vec::with_capacity(defaults.len() + 8));
        for (n, v) in defaults {
            h.push(g.name(n), v);
        }
        h.push(g.name("Content-Type"), "application/json; charset=utf-8");
        WireResponse { status, headers: h }
    }

    pub(crate) fn error_content_type(&self) -> &'static str {
        if self.api_only && self.environment == Environment::Development {
            "application/json; charset=utf-8"
        } else {
            "text/html; charset=utf-8"
        }
    }

    /// The SSL middleware's redirect for a plain-http request.
    fn ssl_redirect(
        &self,
        req: &WireRequest,
        ri: Option<usize>,
        steps: &mut Vec<Step>,
    ) -> WireResponse {
        let status = if req.method == "GET" || req.method == "HEAD" {
            301
        } else if self.load_defaults >= LoadDefaults::V6_1 {
            308
        } else {
            307
        };
        let location = url::Url::parse(&req.url)
            .map(|u| {
                let host = u.host_str().unwrap_or("");
                let port = u.port_or_known_default().unwrap_or(80);
                let mut loc = format!("https://{host}");
                if port != 80 && port != 443 {
                    loc.push_str(&format!(":{port}"));
                }
                loc.push_str(u.path());
                if let Some(q) = u.query() {
                    loc.push('?');
                    loc.push_str(q);
                }
                loc
            })
            .unwrap_or_default();
        let g = self.rack();
        let mut h = HeaderList::new();
        h.push(
            g.name("Content-Type"),
            if self.version >= RailsVersion::V7_1 {
                "text/html; charset=utf-8"
            } else {
                "text/html"
            },
        );
        h.push(g.name("Location"), location.clone());
        steps.push(
            Step::new(
                ri,
                Phase::Server,
                Verdict::Warning,
                Reason::ForceSslRedirect,
                format!("force_ssl: {status} redirect to https"),
                format!(
                    "`config.force_ssl = true` puts ActionDispatch::SSL in the stack; a plain-http request \
                     is answered with a {status} redirect to the https URL and never reaches the action. \
                     (GET and HEAD get 301; other methods get {} with load_defaults {}.) A redirected CORS \
                     request must be followed by the browser, and a redirected preflight fails.",
                    if self.load_defaults >= LoadDefaults::V6_1 { "308" } else { "307" },
                    self.load_defaults.label()
                ),
                spec::RAILS_FORCE_SSL,
            )
            .with("Location", location),
        );
        WireResponse { status, headers: h }
    }

    /// The controller (and the session and cookies middleware around it):
    /// the router, forgery protection, then the action.
    fn app_call(
        &self,
        req: &WireRequest,
        path: &str,
        ri: Option<usize>,
        ssl: bool,
        mode: &SessionMode,
        steps: &mut Vec<Step>,
    ) -> AppAnswer {
        // The app without routes answers exactly as it always has (old
        // permalinks keep their trace): it does not model rendering's
        // `Vary: Accept`, which routed apps do.
        if self.routes.is_empty() {
            return self.default_app_call(req, path, ri, ssl, mode, steps);
        }
        self.routed_call(req, path, ri, ssl, mode, steps)
    }

    /// The app without routes: `POST` to the login path logs in, every other
    /// request reads the session (an `OPTIONS` request is not routed).
    fn default_app_call(
        &self,
        req: &WireRequest,
        path: &str,
        ri: Option<usize>,
        ssl: bool,
        mode: &SessionMode,
        steps: &mut Vec<Step>,
    ) -> AppAnswer {
        if req.method.eq_ignore_ascii_case("OPTIONS") {
            steps.push(options_not_routed_step(ri, path));
            return AppAnswer::raised(self.simple_response(404, self.error_content_type()));
        }
        if self.csrf_rejects(req) {
            steps.push(csrf_rejected_step(ri, &req.method));
            return AppAnswer::raised(self.simple_response(422, self.error_content_type()));
        }
        if req.method == "POST" && path == self.login_path {
            self.login_action(req, ri, ssl, mode, steps)
        } else {
            self.read_action(req, ri, ssl, mode, steps)
        }
    }

    /// `protect_from_forgery` (full apps only,
    /// `actionpack/lib/action_controller/metal/request_forgery_protection.rb`):
    /// a non-GET/HEAD request without a token is refused.
    pub(crate) fn csrf_rejects(&self, req: &WireRequest) -> bool {
        let unsafe_method = !(req.method == "GET" || req.method == "HEAD");
        !self.api_only
            && self.csrf_protection
            && unsafe_method
            && !req.headers.contains("x-csrf-token")
    }

    /// The login action: `session[:user_id] = ...`, as far as the session
    /// layer lets it be written.
    pub(crate) fn login_action(
        &self,
        req: &WireRequest,
        ri: Option<usize>,
        ssl: bool,
        mode: &SessionMode,
        steps: &mut Vec<Step>,
    ) -> AppAnswer {
        let set_cookie = match mode {
            SessionMode::Disabled(why) => {
                // `actionpack/lib/action_dispatch/request/session.rb`: 7.0 added
                // the disabled session that raises on write.
                if self.version >= RailsVersion::V7_0 {
                    steps.push(self.disabled_session_error_step(ri, *why));
                    return AppAnswer::raised(self.simple_response(500, self.error_content_type()));
                }
                steps.push(self.session_write_lost_step(ri, *why));
                None
            }
            SessionMode::NoCookiesMiddleware { .. } => {
                steps.push(no_cookies_middleware_step(ri));
                None
            }
            SessionMode::Enabled {
                options,
                options_ignored,
            } => {
                if *options_ignored {
                    steps.push(self.options_ignored_step(ri));
                }
                // A cookie that does not decrypt loads as an empty session;
                // the write below replaces it.
                if let Some(old) = request_cookie(&req.headers, &options.key) {
                    if !session_value_decrypts(&old) {
                        steps.push(login_replaces_undecryptable_step(ri, &options.key, &old));
                    }
                }
                let value = issued_session_value(ri.unwrap_or(0) + 1);
                self.write_session(options, &value, &req.host(), ssl, ri, steps, true)
            }
        };
        AppAnswer::through_cors(self.json_with_cookie(200, set_cookie))
    }

    /// Every other action: reads `session[:user_id]` and answers 200 with
    /// the user, or 401.
    pub(crate) fn read_action(
        &self,
        req: &WireRequest,
        ri: Option<usize>,
        ssl: bool,
        mode: &SessionMode,
        steps: &mut Vec<Step>,
    ) -> AppAnswer {
        let key = match mode {
            SessionMode::Enabled { options, .. } | SessionMode::NoCookiesMiddleware { options } => {
                Some(options.key.clone())
            }
            SessionMode::Disabled(_) => None,
        };
        let value = key.as_ref().and_then(|k| request_cookie(&req.headers, k));
        let (key, value) = match (key, value) {
            (Some(key), Some(value)) => (key, value),
            (key, _) => {
                steps.push(session_missing_step(ri, key, req.headers.get("cookie")));
                return self.unauthorized(ri, steps);
            }
        };
        // `cookie_store.rb`: the cookie is read through the encrypted jar; a
        // value that does not decrypt is no session at all, so nothing is
        // loaded and nothing is committed on a read.
        if !session_value_decrypts(&value) {
            steps.push(session_undecryptable_step(ri, &key, &value));
            return self.unauthorized(ri, steps);
        }
        if !session_value_has_user(&value) {
            return self.empty_session_read(req, ri, ssl, mode, &key, &value, steps);
        }
        steps.push(session_read_step(ri, &key));
        // Reading loads the session, and Rack commits a loaded session again.
        let set_cookie = match mode {
            SessionMode::Enabled { options, .. } => {
                self.write_session(options, &value, &req.host(), ssl, ri, steps, false)
            }
            _ => None,
        };
        AppAnswer::through_cors(self.json_with_cookie(200, set_cookie))
    }

    /// The read action without a user in the session: 401, or a 401 from a
    /// middleware in front of rack-cors (a Warden-like authentication failure).
    pub(crate) fn unauthorized(&self, ri: Option<usize>, steps: &mut Vec<Step>) -> AppAnswer {
        if self.cors_position == CorsPosition::AfterAnsweringMiddleware {
            steps.push(unauthorized_ahead_of_cors_step(ri));
            return AppAnswer {
                response: self.json_response(401),
                before_cors: true,
                raised: false,
            };
        }
        AppAnswer::through_cors(self.json_response(401))
    }

    /// The JSON answer with the session's `Set-Cookie`, if one was written.
    pub(crate) fn json_with_cookie(&self, status: u16, set_cookie: Option<String>) -> WireResponse {
        let mut resp = self.json_response(status);
        if let Some(line) = set_cookie {
            resp.headers.push(self.rack().name("Set-Cookie"), line);
        }
        resp
    }

    fn disabled_session_error_step(&self, ri: Option<usize>, why: NoSession) -> Step {
        let (title, cause) = no_session_cause(why);
        Step::new(
            ri,
            Phase::Server,
            Verdict::Blocked,
            Reason::DisabledSessionError,
            format!("{title}: DisabledSessionError, 500"),
            format!(
                "{cause}. From Rails 7.0, writing `session[:user_id]` then raises \
                 ActionDispatch::Request::Session::DisabledSessionError (\"Your \
                 application has sessions disabled. To write to the session you must \
                 first configure a session store\"): 500, no Set-Cookie. Add the session \
                 middleware back in config/application.rb (see the generated code)."
            ),
            spec::RAILS_API_SESSIONS,
        )
        .with("Rails", self.version.label())
    }

    fn session_write_lost_step(&self, ri: Option<usize>, why: NoSession) -> Step {
        let (title, cause) = no_session_cause(why);
        Step::new(
            ri,
            Phase::Server,
            Verdict::Blocked,
            Reason::SessionMiddlewareMissing,
            format!("{title}: the session write is silently lost"),
            format!(
                "{cause}. In Rails 6.1 `session[:user_id] = ...` goes into a plain Hash: no \
                 error, no Set-Cookie, and the next request knows nobody. Add the session \
                 middleware back in config/application.rb (see the generated code)."
            ),
            spec::RAILS_API_SESSIONS,
        )
        .with("Rails", self.version.label())
    }

    pub(crate) fn options_ignored_step(&self, ri: Option<usize>) -> Step {
        Step::new(
            ri,
            Phase::Server,
            Verdict::Warning,
            Reason::SessionOptionsIgnored,
            "Session middleware added without options: key `_session_id`, options ignored",
            "`config.middleware.use ActionDispatch::Session::CookieStore` builds the middleware with no \
             arguments, so the options from session_store.rb (key, domain, same_site, secure, \
             expire_after) are never passed to it: the cookie is `_session_id` with the defaults (path /, \
             HttpOnly, the app-wide SameSite). Use \
             `config.middleware.use config.session_store, config.session_options` after setting the store \
             in config/application.rb.",
            spec::RAILS_API_SESSIONS,
        )
    }

    /// Commits the session cookie (login write, or re-commit on read).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn write_session(
        &self,
        o: &crate::server::session_store::SessionOptions,
        value: &str,
        host: &str,
        ssl: bool,
        ri: Option<usize>,
        steps: &mut Vec<Step>,
        is_write: bool,
    ) -> Option<String> {
        if !security_matches(o.secure, ssl) {
            steps.push(
                Step::new(
                    ri,
                    Phase::Server,
                    Verdict::Blocked,
                    Reason::SessionNotWrittenInsecure,
                    "Rack never writes a secure session cookie over plain http",
                    format!(
                        "The session options say `secure: true`{}, and this request is not SSL (plain http, \
                         no `X-Forwarded-Proto: https`, no `config.assume_ssl`). Rack's session layer \
                         (`security_matches?`) then skips the commit: no Set-Cookie at all, in development \
                         too. The browser never gets to decide anything. Serve the API over https (or \
                         behind a TLS proxy with assume_ssl), or drop `secure: true` for plain-http \
                         development only.",
                        if o.secure_from_force_ssl { " (set by force_ssl)" } else { "" }
                    ),
                    spec::RACK_SESSION_SECURE,
                )
                .with("session key", o.key.clone()),
            );
            return None;
        }
        let attrs = cookie_attrs(o, host, self, SIM_EPOCH);
        if let Some(step) = self.tld_length_ignored_step(ri, &o.domain, &o.key) {
            steps.push(step);
        }
        let mut line = set_cookie_line(&o.key, value, &attrs, self.rack());
        if self.flags_cookies_secure(ssl) {
            line = flag_secure(&line);
        }
        if is_write {
            let mut step = Step::new(
                ri,
                Phase::Server,
                Verdict::Ok,
                Reason::SessionWritten,
                format!("Session written: Set-Cookie {}", o.key),
                format!(
                    "The action sets `session[:user_id]`; the cookie store serializes it into the `{}` \
                     cookie with the session options{}.",
                    o.key,
                    match (&o.domain, &attrs.domain) {
                        (DomainOption::Unset, _) => String::new(),
                        (_, Some(d)) => format!(" (Domain `{d}` for host `{host}`)"),
                        (_, None) => format!(
                            " (no Domain attribute: Rails computes none for host `{host}`)"
                        ),
                    }
                ),
                spec::RAILS_SESSION_STORE,
            )
            .with("Set-Cookie", line.clone());
            if self.api_only && self.force_ssl {
                step = step.with(
                    "note",
                    "force_ssl does not add `secure` to the session options of an API-only app; the SSL middleware appends `; secure` on https",
                );
            }
            steps.push(step);
        }
        Some(line)
    }

    /// Whether a request with this method and path runs the login action:
    /// `POST` to `login_path` without routes, else the route it reaches.
    pub fn logs_in(&self, method: &str, path: &str) -> bool {
        if self.routes.is_empty() {
            return method == "POST" && path == self.login_path;
        }
        crate::server::routes::route_for(&self.routes, method, path)
            .is_some_and(|r| r.route.action == AppAction::Login)
    }

    /// Checks that would stop `rails server` from starting.
    pub fn boot_errors(&self) -> Vec<Step> {
        let cors = self
            .cors
            .enabled
            .then(|| RackCors::new(&self.cors, self.version));
        self.boot_errors_with(cors.as_ref())
    }

    /// [`RailsApp::boot_errors`] with rack-cors already compiled (`None`
    /// when rack-cors is not enabled).
    fn boot_errors_with(&self, cors: Option<&Result<RackCors, CorsConfigError>>) -> Vec<Step> {
        let mut errs = Vec::new();
        if self.load_defaults > self.version.max_load_defaults() {
            errs.push(
                Step::new(
                    None,
                    Phase::Server,
                    Verdict::Blocked,
                    Reason::BootError,
                    "Rails does not boot: load_defaults is newer than Rails",
                    format!(
                        "`config.load_defaults {}` in a Rails {} app raises `Unknown version \"{}\"` when \
                         config/application.rb is read.",
                        self.load_defaults.label(),
                        self.version.label(),
                        self.load_defaults.label()
                    ),
                    spec::RAILS_SESSION_STORE,
                )
                .with("error", format!("Unknown version \"{}\"", self.load_defaults.label())),
            );
        }
        if let Some(Err(e)) = cors {
            errs.push(e.to_step().with("field", e.field()));
        }
        if let Err(e) = session_mode(self) {
            errs.push(
                Step::new(
                    None,
                    Phase::Server,
                    Verdict::Blocked,
                    Reason::BootError,
                    format!("Rails does not boot: {}", e.error),
                    e.explanation.clone(),
                    spec::RAILS_API_SESSIONS,
                )
                .with("error", e.error.clone())
                .with("field", e.field.clone()),
            );
        }
        errs
    }
}

/// A Rails app with its configuration read once (boot errors, the compiled
/// rack-cors rules), to answer many requests without re-reading it.
pub struct PreparedRails<'a> {
    app: &'a RailsApp,
    boot_errors: Vec<Step>,
    cors: Option<RackCors>,
}

impl RailsApp {
    /// Reads the configuration once; see [`PreparedRails`].
    pub fn prepare(&self) -> PreparedRails<'_> {
        // rack-cors is compiled once, for the boot check and for the requests.
        let cors = self
            .cors
            .enabled
            .then(|| RackCors::new(&self.cors, self.version));
        PreparedRails {
            app: self,
            boot_errors: self.boot_errors_with(cors.as_ref()),
            cors: cors.and_then(Result::ok),
        }
    }
}

impl ServerModel for RailsApp {
    fn boot(&self) -> Result<(), Vec<Step>> {
        self.prepare().boot()
    }

    fn respond(&self, req: &WireRequest, request_index: usize) -> ServerReply {
        self.prepare().respond(req, request_index)
    }
}

impl ServerModel for PreparedRails<'_> {
    fn boot(&self) -> Result<(), Vec<Step>> {
        if self.boot_errors.is_empty() {
            Ok(())
        } else {
            Err(self.boot_errors.clone())
        }
    }

    /// Answers one request. Call [`ServerModel::boot`] first: an app that
    /// cannot boot answers nothing (status 0, no headers — the connection is
    /// refused), with the boot error as the step.
    fn respond(&self, req: &WireRequest, request_index: usize) -> ServerReply {
        let app = self.app;
        let ri = Some(request_index);
        if !self.boot_errors.is_empty() {
            return self.refused(ri);
        }
        let mut steps = Vec::new();
        let raw_path = req.path();
        // An invalid path (`%00`) is refused by rack-cors, and only on a
        // preflight; any other request reaches the app with it.
        let path = evaluate_path(&raw_path);
        let ssl = request_is_ssl(req, app);

        // rack-cors at position 0 runs before ActionDispatch::SSL; placed
        // later, the SSL redirect comes out without CORS headers.
        if app.cors_position != CorsPosition::First && app.force_ssl && !ssl {
            let response = app.ssl_redirect(req, ri, &mut steps);
            steps.push(redirect_ahead_of_cors_step(ri));
            return ServerReply { response, steps };
        }

        let pass = match self.rack_cors_before_app(req, &path, request_index, &mut steps) {
            Ok(pass) => pass,
            Err(mut response) => {
                // At the end of the stack, rack-cors' own answer still passes
                // out through ActionDispatch::SSL.
                if app.cors_position == CorsPosition::Last && app.force_ssl && ssl {
                    let name = app.rack().name("Strict-Transport-Security");
                    response.headers.push(name, HSTS_VALUE);
                }
                return ServerReply { response, steps };
            }
        };
        let answer = self.app_answer(req, &path.path, ri, ssl, &mut steps);
        let outside = answer.raised && app.cors_position == CorsPosition::Last;
        if outside && pass.is_some() {
            steps.push(exception_outside_cors_step(ri, answer.response.status));
        }
        let response = match (&self.cors, pass, answer.before_cors || outside) {
            (Some(c), Some(p), false) if app.cors_position == CorsPosition::Last => {
                finish_inside(c, p, answer.response)
            }
            (Some(c), Some(p), false) => c.finish(p, answer.response),
            _ => answer.response,
        };
        steps.push(responded_step(ri, req, &raw_path, response.status));
        ServerReply { response, steps }
    }
}

impl PreparedRails<'_> {
    /// An app that did not boot: no answer, the boot errors as the steps.
    fn refused(&self, ri: Option<usize>) -> ServerReply {
        let steps = self
            .boot_errors
            .iter()
            .cloned()
            .map(|mut s| {
                s.request = ri;
                s
            })
            .collect();
        ServerReply {
            response: WireResponse {
                status: 0,
                headers: HeaderList::new(),
            },
            steps,
        }
    }

    /// rack-cors on the way in (`rack-cors lib/rack/cors.rb` `call`): `Err`
    /// with its own answer to a preflight, `Ok` with what it will add to the
    /// app's response (`None` without rack-cors).
    fn rack_cors_before_app(
        &self,
        req: &WireRequest,
        path: &RackPath,
        request_index: usize,
        steps: &mut Vec<Step>,
    ) -> Result<Option<PassOn>, WireResponse> {
        let Some(c) = &self.cors else {
            if req.headers.contains("origin") {
                steps.push(no_rack_cors_step(Some(request_index)));
            }
            return Ok(None);
        };
        let call = c.call_on(req, path, request_index);
        steps.extend(call.steps);
        match call.outcome {
            CorsOutcome::Answered(response) => Err(response),
            CorsOutcome::PassOn(p) => Ok(Some(p)),
        }
    }

    /// The rest of the stack behind rack-cors: ActionDispatch::SSL, then the
    /// session middleware and the controller.
    fn app_answer(
        &self,
        req: &WireRequest,
        path: &str,
        ri: Option<usize>,
        ssl: bool,
        steps: &mut Vec<Step>,
    ) -> AppAnswer {
        let app = self.app;
        if app.force_ssl && !ssl {
            return AppAnswer::through_cors(app.ssl_redirect(req, ri, steps));
        }
        let Ok(mode) = session_mode(app) else {
            return AppAnswer::through_cors(app.simple_response(500, app.error_content_type()));
        };
        let mut a = app.app_call(req, path, ri, ssl, &mode, steps);
        if app.force_ssl && ssl {
            let name = app.rack().name("Strict-Transport-Security");
            a.response.headers.push(name, HSTS_VALUE);
        }
        a
    }
}

/// rack-cors at the end of the stack (`config.middleware.use Rack::Cors`)
/// finishes the controller's response before the middleware outside it add
/// theirs: the session and cookie middleware append `Set-Cookie`, and
/// ActionDispatch::SSL `Strict-Transport-Security`, after rack-cors' `Vary`.
fn finish_inside(c: &RackCors, pass: PassOn, mut response: WireResponse) -> WireResponse {
    let outer = |n: &str| {
        n.eq_ignore_ascii_case("set-cookie") || n.eq_ignore_ascii_case("strict-transport-security")
    };
    let (added, inner): (Vec<_>, Vec<_>) =
        response.headers.0.drain(..).partition(|(n, _)| outer(n));
    response.headers = HeaderList(inner);
    let mut done = c.finish(pass, response);
    done.headers.0.extend(added);
    done
}

/// An exception rendered outside rack-cors (`config.middleware.use Rack::Cors`).
fn exception_outside_cors_step(ri: Option<usize>, status: u16) -> Step {
    Step::new(
        ri,
        Phase::Server,
        Verdict::Warning,
        Reason::MiddlewareAnsweredFirst,
        format!("The {status} is rendered outside rack-cors: no CORS headers"),
        format!(
            "`config.middleware.use Rack::Cors` puts rack-cors at the end of the middleware stack, \
             inside ActionDispatch::ShowExceptions and DebugExceptions. The exception behind this \
             {status} passes up through rack-cors, which never gets a response to add its headers to, \
             and the exceptions middleware renders the {status} outside it: no \
             Access-Control-Allow-Origin, so the page sees a CORS error instead of a {status}. Insert \
             rack-cors first instead: `config.middleware.insert_before 0, Rack::Cors`."
        ),
        spec::RACK_CORS,
    )
    .with("status", status.to_string())
}

fn redirect_ahead_of_cors_step(ri: Option<usize>) -> Step {
    Step::new(
        ri,
        Phase::Server,
        Verdict::Warning,
        Reason::MiddlewareAnsweredFirst,
        "The redirect comes from a middleware in front of rack-cors: no CORS headers",
        "ActionDispatch::SSL sits ahead of rack-cors in this stack, so its redirect (preflights \
         included) carries no CORS headers. Insert rack-cors at position 0.",
        spec::RACK_CORS,
    )
}

fn no_rack_cors_step(ri: Option<usize>) -> Step {
    Step::new(
        ri,
        Phase::Server,
        Verdict::Warning,
        Reason::RackCorsMissOrigin,
        "No rack-cors in the app: no CORS headers",
        "cors.rb is absent (or rack-cors is not in the Gemfile), so nothing adds CORS \
         headers and a preflight reaches the router (404).",
        spec::RACK_CORS,
    )
}

fn responded_step(ri: Option<usize>, req: &WireRequest, raw_path: &str, status: u16) -> Step {
    Step::new(
        ri,
        Phase::Server,
        Verdict::Ok,
        Reason::ServerResponded,
        format!("Rails answered {} {}: {}", req.method, raw_path, status),
        "The response as the Rails middleware stack sends it, header names and order included.",
        spec::RAILS_SESSION_STORE,
    )
    .with("status", status.to_string())
}

/// The article's snippets as settings (`original-article.md`).
pub mod article {
    use super::*;

    /// The page's origin in the article.
    pub const PAGE_ORIGIN: &str = "http://localhost:3000";

    /// The article's `resource '*'` line (headers :any, seven methods).
    pub fn resource(credentials: bool) -> CorsResource {
        CorsResource {
            credentials,
            ..CorsResource::default()
        }
    }

    /// The "problematic" `cors.rb`: `origins '*'`, no credentials.
    pub fn problematic_cors() -> CorsConfig {
        CorsConfig {
            enabled: true,
            allow: vec![AllowBlock {
                origins: vec!["*".into()],
                resources: vec![resource(false)],
                resource_before_origins: false,
            }],
            debug: false,
        }
    }

    /// The refined `cors.rb`: explicit origins and `credentials: true`.
    pub fn refined_cors() -> CorsConfig {
        CorsConfig {
            enabled: true,
            allow: vec![AllowBlock {
                origins: vec![
                    "http://localhost:3000".into(),
                    "https://your-frontend-domain.com".into(),
                ],
                resources: vec![resource(true)],
                resource_before_origins: false,
            }],
            debug: false,
        }
    }

    /// The one-line session store: `key: '_your_app_session'`.
    pub fn simple_session() -> SessionStoreConfig {
        SessionStoreConfig {
            key: Some("_your_app_session".into()),
            ..SessionStoreConfig::default()
        }
    }

    /// The "more secure" session store: `.your-domain.com`, `same_site: :none`, `secure: true`.
    pub fn session() -> SessionStoreConfig {
        SessionStoreConfig {
            key: Some("_your_app_session".into()),
            domain: DomainOption::Exact(".your-domain.com".into()),
            same_site: SameSiteOption::None,
            secure: Some(true),
            ..SessionStoreConfig::default()
        }
    }

    /// An API-only Rails 8 app with the session middleware added the
    /// documented way, the given `cors.rb` and session store.
    pub fn app(cors: CorsConfig, session: SessionStoreConfig) -> RailsApp {
        RailsApp {
            cors,
            session,
            ..RailsApp::default()
        }
    }
}

mod fixes;
pub mod keys;
mod stack;
