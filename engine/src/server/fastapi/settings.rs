//! The settings a FastAPI app's CORS and cookies depend on, as `main.py`
//! passes them: the `app.add_middleware(...)` calls and their keyword
//! arguments (Starlette's `CORSMiddleware`, `SessionMiddleware`,
//! `HTTPSRedirectMiddleware`), the `response.set_cookie(...)` call of the
//! login route and the `uvicorn` command line (`--proxy-headers`,
//! `--forwarded-allow-ips`), with each release's defaults
//! (`starlette/middleware/cors.py`, `starlette/middleware/sessions.py`,
//! `uvicorn/config.py`).

use serde::{Deserialize, Serialize};

/// The releases the model follows, each checked against the real packages
/// by the differential suite. Where their behaviour differs the model asks
/// this.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub enum FastApiVersion {
    /// FastAPI 0.110.0 with Starlette 0.36.3 and uvicorn 0.29.0 (early 2024).
    #[serde(rename = "0.110")]
    V0_110,
    /// FastAPI 0.165.0 with Starlette 1.10.0 and uvicorn 0.55.0.
    #[serde(rename = "0.165")]
    #[default]
    V0_165,
}

impl FastApiVersion {
    pub const ALL: [FastApiVersion; 2] = [FastApiVersion::V0_110, FastApiVersion::V0_165];

    /// The permalink value, `fastapi=0.110`.
    pub fn key(self) -> &'static str {
        match self {
            FastApiVersion::V0_110 => "0.110",
            FastApiVersion::V0_165 => "0.165",
        }
    }

    pub fn from_key(k: &str) -> Option<FastApiVersion> {
        FastApiVersion::ALL.into_iter().find(|v| v.key() == k)
    }

    /// The releases as the form and the explanations name them.
    pub fn label(self) -> &'static str {
        match self {
            FastApiVersion::V0_110 => "FastAPI 0.110 (Starlette 0.36, uvicorn 0.29)",
            FastApiVersion::V0_165 => "FastAPI 0.165 (Starlette 1.10, uvicorn 0.55)",
        }
    }

    pub fn starlette(self) -> &'static str {
        match self {
            FastApiVersion::V0_110 => "0.36.3",
            FastApiVersion::V0_165 => "1.10.0",
        }
    }

    /// Starlette 1.x: `CORSMiddleware` mirrors the Origin for `["*"]` with
    /// `allow_credentials=True` (0.x did only when the request had a
    /// `Cookie` header) and always adds `Vary: Origin`; `SessionMiddleware`
    /// writes the cookie only when the session was modified and adds
    /// `Vary: Cookie` when it was read.
    pub fn starlette_1(self) -> bool {
        self >= FastApiVersion::V0_165
    }

    /// uvicorn's default `--forwarded-allow-ips` (`$FORWARDED_ALLOW_IPS` unset).
    pub fn default_forwarded_allow_ips(self) -> &'static str {
        match self {
            FastApiVersion::V0_110 => "127.0.0.1",
            FastApiVersion::V0_165 => "127.0.0.1,::1",
        }
    }
}

/// The middleware `main.py` adds, in the order of its `app.add_middleware`
/// calls. Starlette wraps the app in reverse: the last one added is the
/// outermost and sees the request first and the response last.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Middleware {
    Cors,
    Session,
    HttpsRedirect,
}

impl Middleware {
    pub const ALL: [Middleware; 3] = [
        Middleware::Cors,
        Middleware::Session,
        Middleware::HttpsRedirect,
    ];

    /// The class name `add_middleware` is called with.
    pub fn class(self) -> &'static str {
        match self {
            Middleware::Cors => "CORSMiddleware",
            Middleware::Session => "SessionMiddleware",
            Middleware::HttpsRedirect => "HTTPSRedirectMiddleware",
        }
    }

    pub fn from_class(c: &str) -> Option<Middleware> {
        Middleware::ALL.into_iter().find(|m| m.class() == c)
    }

    /// The module `main.py` imports it from.
    pub fn module(self) -> &'static str {
        match self {
            Middleware::Cors => "fastapi.middleware.cors",
            Middleware::Session => "starlette.middleware.sessions",
            Middleware::HttpsRedirect => "fastapi.middleware.httpsredirect",
        }
    }
}

/// `SameSite` as Starlette takes it: `"lax"`, `"strict"` or `"none"`
/// (`set_cookie` also takes `None`: no attribute).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SameSite {
    #[default]
    Lax,
    Strict,
    None,
}

impl SameSite {
    pub fn as_str(self) -> &'static str {
        match self {
            SameSite::Lax => "lax",
            SameSite::Strict => "strict",
            SameSite::None => "none",
        }
    }

    /// `samesite.lower() in ["strict", "lax", "none"]`, the assertion of
    /// `Response.set_cookie`; `SessionMiddleware` does not check its
    /// `same_site` and writes what it is given (the form asks for one of the
    /// three).
    pub fn parse(s: &str) -> Option<SameSite> {
        match s.to_ascii_lowercase().as_str() {
            "lax" => Some(SameSite::Lax),
            "strict" => Some(SameSite::Strict),
            "none" => Some(SameSite::None),
            _ => None,
        }
    }
}

/// `CORSMiddleware`'s keyword arguments (`starlette/middleware/cors.py`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CorsOptions {
    /// `allow_origins`; `"*"` in it allows every origin.
    pub allow_origins: Vec<String>,
    /// `allow_origin_regex`: `re.compile(...).fullmatch(origin)`.
    pub allow_origin_regex: Option<String>,
    pub allow_credentials: bool,
    /// `allow_methods` (`("GET",)` by default; `"*"` is every method).
    pub allow_methods: Vec<String>,
    /// `allow_headers`; the four CORS-safelisted ones are always added.
    pub allow_headers: Vec<String>,
    pub expose_headers: Vec<String>,
    /// `max_age` (600).
    pub max_age: i64,
    /// `allow_private_network` (Starlette 1.x only).
    pub allow_private_network: bool,
}

impl Default for CorsOptions {
    fn default() -> Self {
        CorsOptions {
            allow_origins: Vec::new(),
            allow_origin_regex: None,
            allow_credentials: false,
            allow_methods: vec!["GET".into()],
            allow_headers: Vec::new(),
            expose_headers: Vec::new(),
            max_age: 600,
            allow_private_network: false,
        }
    }
}

/// `SessionMiddleware`'s keyword arguments (`starlette/middleware/sessions.py`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SessionOptions {
    pub secret_key: String,
    /// `session_cookie` (`"session"`).
    pub session_cookie: String,
    /// `max_age` in seconds (14 days); `None`: a browser-session cookie.
    pub max_age: Option<i64>,
    pub path: String,
    /// `same_site` (`"lax"`).
    pub same_site: SameSite,
    /// `https_only`: adds `secure`.
    pub https_only: bool,
    pub domain: Option<String>,
    /// `partitioned` (Starlette 1.x only).
    pub partitioned: bool,
}

impl Default for SessionOptions {
    fn default() -> Self {
        SessionOptions {
            secret_key: "change-me".into(),
            session_cookie: "session".into(),
            max_age: Some(14 * 24 * 60 * 60),
            path: "/".into(),
            same_site: SameSite::Lax,
            https_only: false,
            domain: None,
            partitioned: false,
        }
    }
}

/// One `response.set_cookie(...)` call (`starlette/responses.py`), with
/// Starlette's defaults.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SetCookieCall {
    pub key: String,
    pub value: String,
    pub max_age: Option<i64>,
    /// `expires` as a string (Starlette passes a string through as is).
    pub expires: Option<String>,
    /// `path` (`"/"`; `None` writes no `Path`).
    pub path: Option<String>,
    pub domain: Option<String>,
    pub secure: bool,
    pub httponly: bool,
    /// `samesite` (`"lax"`; `None` writes no `SameSite`). Kept as typed:
    /// Starlette writes it as given once it passes its assertion.
    pub samesite: Option<String>,
    /// `partitioned` (Starlette 1.x, Python 3.14+).
    pub partitioned: bool,
}

impl Default for SetCookieCall {
    fn default() -> Self {
        SetCookieCall {
            key: "token".into(),
            value: "ct-token-1".into(),
            max_age: None,
            expires: None,
            path: Some("/".into()),
            domain: None,
            secure: false,
            httponly: false,
            samesite: Some("lax".into()),
            partitioned: false,
        }
    }
}

/// How the requests reach uvicorn.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Front {
    /// The browser talks to uvicorn itself (https only with `--ssl-keyfile`).
    #[default]
    Direct,
    /// A TLS-terminating proxy (nginx, Traefik, a load balancer) connects
    /// from `proxy_ip` over plain http and sets `X-Forwarded-Proto` and
    /// `X-Forwarded-For`.
    TlsProxy,
}

/// The whole app: `main.py` and the `uvicorn main:app` command line.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FastApiApp {
    pub version: FastApiVersion,
    /// The `app.add_middleware(...)` calls, in order (the last is outermost).
    pub middleware: Vec<Middleware>,
    pub cors: CorsOptions,
    pub session: SessionOptions,
    /// `response.set_cookie(...)` in the login route, if it sets a cookie itself.
    pub set_cookie: Option<SetCookieCall>,
    /// `FastAPI(redirect_slashes=True)`, Starlette's router default.
    pub redirect_slashes: bool,
    /// `--proxy-headers` (on by default; `--no-proxy-headers`).
    pub proxy_headers: bool,
    /// `--forwarded-allow-ips`; `None`: uvicorn's default for the version.
    pub forwarded_allow_ips: Option<String>,
    pub front: Front,
    /// The address the proxy connects to uvicorn from.
    pub proxy_ip: String,
}

impl Default for FastApiApp {
    fn default() -> Self {
        FastApiApp {
            version: FastApiVersion::default(),
            middleware: vec![Middleware::Session, Middleware::Cors],
            cors: CorsOptions::default(),
            session: SessionOptions::default(),
            set_cookie: None,
            redirect_slashes: true,
            proxy_headers: true,
            forwarded_allow_ips: None,
            front: Front::Direct,
            proxy_ip: "127.0.0.1".into(),
        }
    }
}

impl FastApiApp {
    pub fn has(&self, m: Middleware) -> bool {
        self.middleware.contains(&m)
    }

    /// `--forwarded-allow-ips` as uvicorn reads it.
    pub fn effective_forwarded_allow_ips(&self) -> String {
        self.forwarded_allow_ips
            .clone()
            .unwrap_or_else(|| self.version.default_forwarded_allow_ips().to_string())
    }
}

/// The routes of the generated `main.py`: the login sets the session (and
/// the `set_cookie` call), `me` reads it, `logout` clears it, `boom`
/// raises an unhandled exception.
pub const LOGIN_PATH: &str = "/api/login";
pub const ME_PATH: &str = "/api/me";
pub const LOGOUT_PATH: &str = "/api/logout";
pub const BOOM_PATH: &str = "/api/boom";

/// The routes: (method, path).
pub const ROUTES: [(&str, &str); 4] = [
    ("POST", LOGIN_PATH),
    ("GET", ME_PATH),
    ("POST", LOGOUT_PATH),
    ("GET", BOOM_PATH),
];

/// A default that changed with a release or surprises people, said in
/// Starlette's words for the hints and explanations.
pub fn default_note(name: &str) -> Option<&'static str> {
    Some(match name {
        "allow_methods" => {
            "`allow_methods` is `(\"GET\",)` by default: a preflight for POST, PUT or DELETE gets \
             400 \"Disallowed CORS method\" until you list them (or `[\"*\"]`)"
        }
        "allow_headers" => {
            "`allow_headers` is empty by default: only Accept, Accept-Language, Content-Language and \
             Content-Type pass a preflight"
        }
        "allow_credentials" => "`allow_credentials` is `False` by default",
        "max_age" => "`max_age` is 600 seconds by default",
        "allow_origin_regex" => "`allow_origin_regex` must match the whole Origin (`fullmatch`)",
        "same_site" => "SessionMiddleware's `same_site` is `\"lax\"` by default",
        "https_only" => "`https_only` is `False` by default; `True` adds `secure` to the cookie",
        "session_max_age" => "SessionMiddleware's `max_age` is 14 days; `None` makes a browser-session cookie",
        "forwarded_allow_ips" => {
            "uvicorn trusts X-Forwarded-Proto only from these addresses: `127.0.0.1` by default in \
             uvicorn 0.29, `127.0.0.1,::1` in uvicorn 0.55"
        }
        "middleware" => {
            "`app.add_middleware` calls in order: the last one added is the outermost"
        }
        _ => return None,
    })
}
