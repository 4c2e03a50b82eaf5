//! An Express app (4.x or 5.x) as its `app.js` describes it: the `cors`
//! middleware (npm `cors` 2.8, `lib/index.js`) and where it is mounted,
//! `express-session` 1.x or `cookie-session` 2.x, `app.set('trust proxy')`,
//! and two routes: `POST /login` writes `req.session.user` (and an optional
//! `res.cookie(...)`), `GET /me` reads it (200 or 401). Any other path is
//! Express's 404.
//!
//! - [`cors`]: the `cors` package's headers, option by option;
//! - [`session`]: when each session package writes its cookie, and how it
//!   serializes it (npm `cookie` 0.7 `serialize`, `cookies` 0.9 `toHeader`);
//! - [`model`]: the app's middleware stack answering one request;
//! - [`code`]: the generated `app.js`; [`keys`]: permalink keys;
//!   [`fixes`]: the setting changes the fix search tries.

use serde::{Deserialize, Serialize};

pub mod code;
pub mod cors;
mod fixes;
pub mod keys;
pub mod model;
pub mod session;
mod stack;

/// Express major version. Where behaviour differs, the model asks this.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ExpressVersion {
    /// Express 4.x (path-to-regexp 0.1: `'*'` matches every path).
    #[serde(rename = "4")]
    V4,
    /// Express 5.x (path-to-regexp 8: `'*'` is an error, `'/{*splat}'` matches every path).
    #[default]
    #[serde(rename = "5")]
    V5,
}

impl ExpressVersion {
    pub fn label(self) -> &'static str {
        match self {
            ExpressVersion::V4 => "4",
            ExpressVersion::V5 => "5",
        }
    }
}

/// `cors({ origin })`: the forms the option takes (`cors/lib/index.js`,
/// `configureOrigin` and `isOriginAllowed`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "kebab-case")]
pub enum OriginOption {
    /// Not given, or `'*'`: `Access-Control-Allow-Origin: *`.
    Any,
    /// `true`: reflect the request's Origin.
    Reflect,
    /// `false`: the middleware does nothing (no CORS headers).
    Off,
    /// A string: always sent as is (with `Vary: Origin`), whatever the Origin.
    Exact(String),
    /// An array of strings and `/regexps/`: the Origin is reflected when one matches.
    List(Vec<String>),
    /// `origin: (origin, callback) => …` with an allow-list: an allowed
    /// Origin is reflected; any other (also no Origin at all) is refused as
    /// the callback says.
    Callback {
        allow: Vec<String>,
        refuse: CallbackRefusal,
    },
}

/// What the origin callback does with an Origin not on its list.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CallbackRefusal {
    /// `callback(null, false)`: no CORS headers, the route still runs.
    #[default]
    False,
    /// `callback(new Error('Not allowed by CORS'))`: Express's error
    /// handler answers 500 (the cors README's example).
    Error,
}

/// Where `cors(...)` is mounted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CorsMount {
    /// `app.use(cors(options))` before everything else.
    #[default]
    AppWide,
    /// On each route (`app.post('/login', cors(options), …)`), and
    /// `app.options(path, cors(options))` for preflights when
    /// [`ExpressCors::options_path`] says so.
    PerRoute,
    /// `app.use(cors(options))` after the routes: the routes answer first.
    AfterRoutes,
}

/// The path of `app.options(path, cors(options))`, as written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OptionsPath {
    /// No `app.options(...)`: Express answers OPTIONS itself (200 with `Allow`).
    #[default]
    None,
    /// `app.options('*', …)`: every path in Express 4; Express 5 does not start.
    Star,
    /// `app.options('/{*splat}', …)`: every path in Express 5; in Express 4 a
    /// literal path that nothing matches.
    Splat,
    /// `app.options('/login', …)` and `app.options('/me', …)`: the routes' paths.
    Routes,
}

/// The `cors` middleware's options (`cors/lib/index.js`: `defaults`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExpressCors {
    /// `cors` is used at all.
    pub enabled: bool,
    pub mount: CorsMount,
    pub options_path: OptionsPath,
    pub origin: OriginOption,
    /// `credentials: true`.
    pub credentials: bool,
    /// `methods`; `None` = the default `'GET,HEAD,PUT,PATCH,POST,DELETE'`.
    pub methods: Option<Vec<String>>,
    /// `allowedHeaders`; `None` = reflect `Access-Control-Request-Headers`.
    pub allowed_headers: Option<Vec<String>>,
    /// `exposedHeaders`.
    pub exposed_headers: Vec<String>,
    /// `maxAge` in seconds; `None` = not sent.
    pub max_age: Option<u32>,
    /// `preflightContinue: true`: the preflight goes on to the next handler.
    pub preflight_continue: bool,
    /// `optionsSuccessStatus` (default 204).
    pub options_success_status: u16,
}

impl Default for ExpressCors {
    fn default() -> Self {
        ExpressCors {
            enabled: true,
            mount: CorsMount::AppWide,
            options_path: OptionsPath::None,
            origin: OriginOption::Exact("http://localhost:3000".into()),
            credentials: true,
            methods: None,
            allowed_headers: None,
            exposed_headers: Vec::new(),
            max_age: None,
            preflight_continue: false,
            options_success_status: 204,
        }
    }
}

/// Which session middleware the app uses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SessionKind {
    /// No session middleware: `req.session` is undefined and the login
    /// route throws (500).
    None,
    /// `express-session` (a signed session id; the data in a store).
    #[default]
    ExpressSession,
    /// `cookie-session` (the data in the cookie, and a `.sig` cookie).
    CookieSession,
}

/// `cookie.secure` (express-session) / `secure` (cookie-session).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SecureOption {
    /// Not given: express-session `false`; cookie-session secure when the
    /// request is https (`cookies`: `opts.secure` undefined takes `req.protocol`).
    #[default]
    Unset,
    True,
    False,
    /// `'auto'` (express-session): secure when the request is (as `proxy` and
    /// `trust proxy` decide).
    Auto,
}

/// `sameSite`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SameSiteOption {
    /// Not given: no attribute (the browser's default applies).
    #[default]
    Unset,
    Lax,
    Strict,
    None,
    /// `true`: `SameSite=Strict` (`cookie.serialize`).
    True,
}

/// The session middleware's options (express-session `cookie: {…}` and
/// top-level options; cookie-session's flat options).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExpressSessionConfig {
    pub kind: SessionKind,
    /// `name`; `None` = `connect.sid` (express-session) / `session` (cookie-session).
    pub name: Option<String>,
    pub secure: SecureOption,
    pub same_site: SameSiteOption,
    pub domain: Option<String>,
    pub path: Option<String>,
    /// `httpOnly` (both default to true).
    pub http_only: bool,
    /// `maxAge` in milliseconds; `None` = a browser-session cookie.
    pub max_age_ms: Option<u64>,
    pub partitioned: bool,
    /// express-session `proxy`: `None` (follow `trust proxy`), `Some(true)`
    /// (read `X-Forwarded-Proto`), `Some(false)` (only a TLS socket is secure).
    pub proxy: Option<bool>,
    pub save_uninitialized: bool,
    pub resave: bool,
    pub rolling: bool,
}

impl Default for ExpressSessionConfig {
    fn default() -> Self {
        ExpressSessionConfig {
            kind: SessionKind::ExpressSession,
            name: None,
            secure: SecureOption::Unset,
            same_site: SameSiteOption::Unset,
            domain: None,
            path: None,
            http_only: true,
            max_age_ms: None,
            partitioned: false,
            proxy: None,
            save_uninitialized: false,
            resave: false,
            rolling: false,
        }
    }
}

impl ExpressSessionConfig {
    /// The cookie name the middleware uses.
    pub fn cookie_name(&self) -> &str {
        match (&self.name, self.kind) {
            (Some(n), _) if !n.is_empty() => n,
            (_, SessionKind::CookieSession) => "session",
            _ => "connect.sid",
        }
    }
}

/// `res.cookie(name, value, options)` in the login route.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ResCookie {
    pub name: String,
    pub value: String,
    pub secure: bool,
    pub same_site: SameSiteOption,
    pub domain: Option<String>,
    pub path: Option<String>,
    pub http_only: bool,
    pub max_age_ms: Option<u64>,
    pub partitioned: bool,
}

impl Default for ResCookie {
    fn default() -> Self {
        ResCookie {
            name: "theme".into(),
            value: "dark".into(),
            secure: false,
            same_site: SameSiteOption::Unset,
            domain: None,
            path: None,
            http_only: false,
            max_age_ms: None,
            partitioned: false,
        }
    }
}

/// How requests reach the app.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Front {
    /// The browser talks to Node directly (https only if Node serves TLS).
    #[default]
    Direct,
    /// A TLS-terminating proxy (nginx, a load balancer, a PaaS router) in
    /// front: Node sees plain http, with `X-Forwarded-Proto` set to the
    /// browser's scheme.
    TlsProxy,
    /// A TLS proxy that does not send `X-Forwarded-Proto`.
    TlsProxyNoHeader,
}

/// The whole Express app.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExpressApp {
    pub version: ExpressVersion,
    pub cors: ExpressCors,
    pub session: ExpressSessionConfig,
    /// `app.set('trust proxy', 1)`.
    pub trust_proxy: bool,
    pub front: Front,
    /// The path of the login route (`app.post(login_path, …)`).
    pub login_path: String,
    /// The path of the route that reads the session (`app.get(me_path, …)`).
    pub me_path: String,
    /// `res.cookie(...)` in the login route.
    pub res_cookie: Option<ResCookie>,
}

impl Default for ExpressApp {
    fn default() -> Self {
        ExpressApp {
            version: ExpressVersion::V5,
            cors: ExpressCors::default(),
            session: ExpressSessionConfig::default(),
            trust_proxy: false,
            front: Front::Direct,
            login_path: "/login".into(),
            me_path: "/me".into(),
            res_cookie: None,
        }
    }
}
