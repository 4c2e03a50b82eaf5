//! The one `Scenario` type: what the editors change, what the engine reads,
//! what the permalink encodes and what live mode replays.
//!
//! Everything here is plain data as the user typed it (URLs and header lines
//! are strings). Parsing happens in the engine, so a bad field becomes an
//! error next to that field instead of a lost scenario.

use serde::{Deserialize, Serialize};

use crate::profile::{BrowserProfile, ProfileId, Version};
use crate::server::django::DjangoApp;
use crate::server::rails::RailsApp;

/// A whole setup: the page, the browser, the requests the page makes, and the server.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Scenario {
    pub page: Page,
    pub profile: ProfileId,
    /// The browser version whose rules the scenario was made with
    /// (`browser=chrome@156`); `None`: [`ProfileId::unpinned`], what a link
    /// without a version was made with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile_version: Option<Version>,
    pub requests: Vec<RequestSpec>,
    pub server: ServerSetup,
    /// A dev-server proxy (Vite, webpack, Next.js, nginx) on the page's
    /// origin in front of the server; `None`: the page calls the server itself.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proxy: Option<crate::server::dev_proxy::DevProxy>,
    /// Cookies already in the browser's jar before the first request: a
    /// recording usually starts after the login.
    pub jar_at_start: Vec<JarCookie>,
}

/// A cookie the browser already holds when the scenario starts, with every
/// field of RFC 6265bis §5.7's cookie record (and the CHIPS partition).
/// It is put in the jar as it is, not through `Set-Cookie` processing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct JarCookie {
    pub name: String,
    pub value: String,
    /// The host (host-only) or the domain the cookie is scoped to, without a
    /// leading dot, e.g. `localhost` or `example.test`.
    pub domain: String,
    /// §5.7 host-only-flag: sent to exactly `domain`, not to its subdomains
    /// (the `Set-Cookie` had no `Domain` attribute).
    pub host_only: bool,
    pub path: String,
    pub secure: bool,
    pub http_only: bool,
    pub same_site: JarSameSite,
    /// Seconds after the start when the cookie expires; `None`: a session cookie.
    pub expires_in_secs: Option<u64>,
    /// How many seconds before the first request the cookie was created
    /// (§5.7 creation-time: the order of the `Cookie` header, and Chrome's
    /// two-minute Lax-allowing-unsafe window).
    pub age_secs: u64,
    /// CHIPS: the top-level site of the partition that holds the cookie,
    /// e.g. `https://app.example`; `None` for an unpartitioned cookie.
    pub partition: Option<String>,
    /// The partition key's cross-site ancestor bit (Chromium's `kCrossSite`).
    pub partition_cross_site_ancestor: bool,
}

impl Default for JarCookie {
    fn default() -> Self {
        JarCookie {
            name: String::new(),
            value: String::new(),
            domain: String::new(),
            host_only: true,
            path: "/".into(),
            secure: false,
            http_only: false,
            same_site: JarSameSite::Unspecified,
            expires_in_secs: None,
            age_secs: 0,
            partition: None,
            partition_cross_site_ancestor: false,
        }
    }
}

/// The `SameSite` a stored cookie carries (RFC 6265bis §5.7 step 17).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum JarSameSite {
    /// No `SameSite` attribute (Chrome treats it as Lax).
    #[default]
    Unspecified,
    Strict,
    Lax,
    None,
}

/// The document that runs the client code.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Page {
    /// URL of the document, e.g. `http://localhost:3000/login`.
    pub url: String,
    /// When the page sits in an iframe: the URL of the top-level document
    /// (third-party context). `None` means the page is the top-level document.
    pub top_level_url: Option<String>,
    /// What the user answered when the browser asked whether this page may
    /// reach devices on the local network (Chrome's Local Network Access
    /// permission): a page on a public address calling `localhost` or a
    /// private address needs it.
    #[serde(skip_serializing_if = "PermissionState::is_ask")]
    pub local_network: PermissionState,
    /// The Storage Access API, for a page in a cross-site iframe that needs
    /// its own (unpartitioned) cookies.
    #[serde(skip_serializing_if = "StorageAccessSetup::is_unused")]
    pub storage_access: StorageAccessSetup,
}

/// What the framed page does with the Storage Access API, and what the
/// browser knows of the user (Storage Access API §requestStorageAccess()).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default)]
pub struct StorageAccessSetup {
    /// Whether, and how, the page calls `document.requestStorageAccess()`
    /// before its requests.
    pub call: StorageAccessCall,
    /// The user has visited the embedded site as a top-level page and clicked
    /// or typed there within the last 30 days (Chrome and Safari require it;
    /// Firefox grants without a prompt with it).
    pub interacted_top_level: bool,
    /// The permission for this pair of sites: not asked yet (the browser
    /// prompts, where it does), granted earlier, or denied earlier.
    pub permission: PermissionState,
}

impl StorageAccessSetup {
    pub fn is_unused(&self) -> bool {
        *self == StorageAccessSetup::default()
    }
}

/// How the page calls `document.requestStorageAccess()`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StorageAccessCall {
    /// Not called.
    #[default]
    None,
    /// From a click handler: with transient user activation.
    OnClick,
    /// As the page loads, without a user gesture.
    OnLoad,
}

/// The state of a permission the user answers: Local Network Access
/// (`local-network` / `loopback-network` in Chrome 145+), Storage Access.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PermissionState {
    /// Not answered yet: the browser asks when the first request needs it,
    /// and the request waits for the answer.
    #[default]
    Ask,
    /// "Allow".
    Granted,
    /// "Block", or a prompt the user dismissed.
    Denied,
}

impl PermissionState {
    fn is_ask(&self) -> bool {
        *self == PermissionState::Ask
    }

    pub fn key(self) -> &'static str {
        match self {
            PermissionState::Ask => "ask",
            PermissionState::Granted => "granted",
            PermissionState::Denied => "denied",
        }
    }

    pub fn from_key(key: &str) -> Option<PermissionState> {
        [
            PermissionState::Ask,
            PermissionState::Granted,
            PermissionState::Denied,
        ]
        .into_iter()
        .find(|p| p.key() == key)
    }
}

/// One request the page makes, in order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RequestSpec {
    /// Absolute URL, or a path/relative URL resolved against the page URL.
    pub url: String,
    /// Method as written in the client code (`patch` stays `patch`).
    pub method: String,
    /// Extra request headers set by the client code, one `Name: value` per line.
    pub headers: String,
    pub body: BodyKind,
    pub client: Client,
    /// Seconds that pass before this request is made (after the previous one).
    /// Matters for cookie expiry and Chrome's 2-minute Lax-allowing-unsafe rule.
    pub delay_secs: u64,
    /// Form navigations: the form's fields, one `name=value` per line. A GET
    /// form puts them in the URL's query (HTML §Form submission, "mutate
    /// action URL"); a POST form sends them as its body.
    pub fields: String,
    /// A POST form's `enctype`: it decides the body's `Content-Type`.
    pub enctype: FormEnctype,
    /// The document that makes this request.
    pub runs_from: RunsFrom,
    /// fetch's `targetAddressSpace` option (Local Network Access): the
    /// address space the code expects the URL to be in (`local`,
    /// `loopback`). It lets an https page call a plain-http local address,
    /// and the request fails if the address is in another space.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_address_space: Option<crate::address_space::AddressSpace>,
}

/// HTML §Form submission: a form's `enctype` attribute.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FormEnctype {
    /// `application/x-www-form-urlencoded` (the default).
    #[default]
    UrlEncoded,
    /// `multipart/form-data; boundary=…`.
    Multipart,
    /// `text/plain`.
    TextPlain,
}

/// Which document a request runs from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RunsFrom {
    /// The scenario's page, whatever navigations came before: it stays open
    /// (the navigations happen in other windows).
    #[default]
    Page,
    /// The current document: the page until a top-level navigation or a
    /// visit loads a document, then that document (its final URL, after
    /// redirects).
    Current,
}

/// What the client code passes as the body. It decides the `Content-Type`
/// the browser (or axios) adds when the code sets none.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BodyKind {
    #[default]
    None,
    /// `JSON.stringify(obj)` for fetch/XHR (a string: `text/plain;charset=UTF-8`),
    /// a plain object for axios (axios sets `application/json`).
    Json,
    /// A plain string.
    Text,
    /// `new URLSearchParams(...)`: `application/x-www-form-urlencoded;charset=UTF-8`.
    UrlEncoded,
    /// `new FormData()`: `multipart/form-data; boundary=...`.
    FormData,
    /// A `ReadableStream` (fetch only): always preflighted.
    Stream,
}

/// How the request is made.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Client {
    Fetch {
        mode: RequestMode,
        credentials: CredentialsMode,
        /// `redirect:` option of `fetch()`; `follow` when not written.
        #[serde(default)]
        redirect: RedirectMode,
    },
    Xhr {
        with_credentials: bool,
    },
    Axios {
        with_credentials: bool,
        /// axios' `withXSRFToken: true`: copy the `XSRF-TOKEN` cookie into
        /// `X-XSRF-TOKEN` for a cross-origin URL too (axios ≥ 1.6 does it
        /// for same-origin URLs only by default).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        with_xsrf_token: bool,
    },
    /// A top-level navigation: a link (GET) or a form submission.
    Navigation {
        form: NavigationForm,
    },
    /// An `<iframe src=...>` load.
    Iframe,
    /// A browser-initiated top-level visit: a typed URL or a bookmark. No
    /// page starts it, so it has no initiator: no `Origin`, and it is a
    /// same-site request for cookies (RFC 6265bis §5.2: no client).
    Visit,
}

impl Default for Client {
    fn default() -> Self {
        Client::Fetch {
            mode: RequestMode::Cors,
            credentials: CredentialsMode::SameOrigin,
            redirect: RedirectMode::Follow,
        }
    }
}

/// Fetch §"Requests": request mode.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RequestMode {
    #[default]
    Cors,
    NoCors,
    SameOrigin,
    Navigate,
}

/// Fetch §"Requests": redirect mode (`fetch(url, { redirect })`). XHR, axios
/// and navigations always follow.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RedirectMode {
    /// Follow up to 20 redirects (Fetch §HTTP-redirect fetch).
    #[default]
    Follow,
    /// A redirect is a network error.
    Error,
    /// Script gets an opaque-redirect response (type `opaqueredirect`, status 0).
    Manual,
}

/// Fetch §"Requests": credentials mode.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CredentialsMode {
    Omit,
    #[default]
    SameOrigin,
    Include,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NavigationForm {
    /// `<a href>`.
    #[default]
    Link,
    /// `<form method=post>`.
    FormPost,
    /// `<form method=get>`: the fields replace the action URL's query.
    FormGet,
}

/// The server: a framework model, or response headers typed by hand.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum ServerSetup {
    Raw(RawServer),
    Rails(RailsApp),
    Django(Box<DjangoApp>),
    Express(crate::server::express::ExpressApp),
    FastApi(Box<crate::server::fastapi::FastApiApp>),
    Laravel(Box<crate::server::laravel::LaravelApp>),
}

impl Default for ServerSetup {
    fn default() -> Self {
        ServerSetup::Rails(RailsApp::default())
    }
}

/// Raw mode: per path and method, the preflight answer and the actual answer.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RawServer {
    pub routes: Vec<RawRoute>,
}

/// One route of a raw server. The first route whose method and path match answers.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RawRoute {
    /// Method to match, or `*` for any.
    pub method: String,
    /// Path to match exactly, or a prefix ending in `*`.
    pub path: String,
    /// The answer to an `OPTIONS` preflight for this path.
    pub preflight: RawResponse,
    /// The answer to the actual request.
    pub response: RawResponse,
    /// Only the Nth request (1 = the first) that matches this route's method
    /// and path is answered by it, with the preflight before that request;
    /// 0 = every request. Lets one path answer differently on successive
    /// calls (a login that fails, then succeeds).
    pub call: u32,
    /// Both answers carry `Access-Control-Allow-Origin` set to the request's
    /// `Origin` (replacing any typed one) and `Vary: Origin`, as Express'
    /// `cors({ origin: true })` or django-cors-headers' allow-all-origins do.
    /// A request without `Origin` gets no `Access-Control-Allow-Origin`.
    pub reflect_origin: bool,
    /// The path includes the query string (`/search?q=*`) and is matched
    /// against the request's path and query; otherwise the query is ignored.
    pub match_query: bool,
}

/// A status and raw header lines, exactly as the server would send them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RawResponse {
    pub status: u16,
    /// One `Name: value` per line; a name may repeat (two `Set-Cookie` lines).
    pub headers: String,
}

impl Default for Page {
    fn default() -> Self {
        Page {
            url: "http://localhost:3000/".into(),
            top_level_url: None,
            local_network: PermissionState::Ask,
            storage_access: Default::default(),
        }
    }
}

impl Default for RequestSpec {
    fn default() -> Self {
        RequestSpec {
            url: "http://localhost:3001/login".into(),
            method: "POST".into(),
            headers: String::new(),
            body: BodyKind::None,
            client: Client::default(),
            delay_secs: 0,
            fields: String::new(),
            enctype: FormEnctype::UrlEncoded,
            runs_from: RunsFrom::Page,
            target_address_space: None,
        }
    }
}

impl Scenario {
    /// The version whose rules decide: the pinned one, else the one links
    /// without a version were made with.
    pub fn browser_version(&self) -> Version {
        self.profile_version
            .unwrap_or(self.profile.unpinned())
            .clamp(self.profile.oldest(), self.profile.latest())
    }

    /// The browser's rules in [`Scenario::browser_version`].
    pub fn browser_profile(&self) -> BrowserProfile {
        self.profile.at(self.browser_version())
    }
}

impl Default for Scenario {
    /// The article's question: an SPA on `localhost:3000` logs in to a Rails
    /// API on `localhost:3001`, then asks who is logged in.
    fn default() -> Self {
        let include = Client::Fetch {
            mode: RequestMode::Cors,
            credentials: CredentialsMode::Include,
            redirect: RedirectMode::Follow,
        };
        Scenario {
            page: Page::default(),
            profile: ProfileId::default(),
            profile_version: None,
            requests: vec![
                RequestSpec {
                    url: "http://localhost:3001/login".into(),
                    method: "POST".into(),
                    headers: "Content-Type: application/json".into(),
                    body: BodyKind::Json,
                    client: include,
                    delay_secs: 0,
                    ..RequestSpec::default()
                },
                RequestSpec {
                    url: "http://localhost:3001/me".into(),
                    method: "GET".into(),
                    headers: String::new(),
                    body: BodyKind::None,
                    client: include,
                    delay_secs: 1,
                    ..RequestSpec::default()
                },
            ],
            server: ServerSetup::default(),
            proxy: None,
            jar_at_start: Vec::new(),
        }
    }
}

impl Client {
    /// Fetch §"Requests": the credentials mode this client ends up using.
    /// XHR `withCredentials` and axios `withCredentials` map to `include`,
    /// otherwise to `same-origin` (XHR's and axios' default). Navigations and
    /// iframe loads always include credentials.
    pub fn credentials_mode(&self) -> CredentialsMode {
        match *self {
            Client::Fetch { credentials, .. } => credentials,
            Client::Xhr { with_credentials }
            | Client::Axios {
                with_credentials, ..
            } => {
                if with_credentials {
                    CredentialsMode::Include
                } else {
                    CredentialsMode::SameOrigin
                }
            }
            Client::Navigation { .. } | Client::Iframe | Client::Visit => CredentialsMode::Include,
        }
    }

    /// Fetch §"Requests": the request mode this client ends up using.
    pub fn request_mode(&self) -> RequestMode {
        match *self {
            Client::Fetch { mode, .. } => mode,
            Client::Xhr { .. } | Client::Axios { .. } => RequestMode::Cors,
            Client::Navigation { .. } | Client::Iframe | Client::Visit => RequestMode::Navigate,
        }
    }

    /// Fetch §Requests: the redirect mode this client ends up using. Only
    /// `fetch()` can choose; XHR, axios, links, forms and frames follow.
    pub fn redirect_mode(&self) -> RedirectMode {
        match *self {
            Client::Fetch { redirect, .. } => redirect,
            _ => RedirectMode::Follow,
        }
    }

    /// True for a top-level navigation (a link, a form, a visit): the
    /// document it loads replaces the current one.
    pub fn is_top_level_navigation(&self) -> bool {
        matches!(self, Client::Navigation { .. } | Client::Visit)
    }

    /// True for requests made from script (fetch, XHR, axios), whose result
    /// the page can read or not.
    pub fn is_script(&self) -> bool {
        matches!(
            self,
            Client::Fetch { .. } | Client::Xhr { .. } | Client::Axios { .. }
        )
    }
}
