//! The engine's answer: an ordered list of steps, each with an enumerated
//! reason, a verdict, the values that mattered, a plain explanation and the
//! spec section behind it; plus a per-request summary and the root causes.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::cookie_store::PartitionKey;

/// How a step went.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Ok,
    Warning,
    Blocked,
}

/// Which part of the journey a step belongs to (the diagram draws these).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Phase {
    /// Reading the scenario: URLs, origins, sites.
    Setup,
    /// Building the request: method, headers, mode, credentials.
    Request,
    /// The CORS preflight (`OPTIONS`) and its checks.
    Preflight,
    /// Which stored cookies go on the request.
    CookiesSent,
    /// What the server did (framework model).
    Server,
    /// Processing `Set-Cookie` on the response.
    SetCookie,
    /// The CORS check on the actual response (and on each redirect of a CORS request).
    CorsCheck,
    /// Following (or refusing) a redirect (Fetch §HTTP-redirect fetch).
    Redirect,
    /// What the page's code sees.
    Result,
}

/// The spec section (or documented behaviour) a step rests on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpecRef {
    /// Short label, e.g. `Fetch §4.10 CORS check` or `RFC 6265bis §5.7 step 18`.
    pub label: &'static str,
    /// Link to the section.
    pub url: &'static str,
}

/// Every reason the engine can give. Like Chromium's `CookieInclusionStatus`
/// and Firefox's CORS error reasons, a step's reason is one of these, never a
/// free string. `explanation` text is written per step from the values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    // ----- Setup: URLs, origins, sites -----
    /// The scenario is read with the rules of an older browser version, and
    /// the newest version decides it the same.
    PinnedBrowserVersion,
    /// The scenario is read with the rules of an older browser version, and
    /// the newest version decides some request differently.
    NewerBrowserVersionDiffers,
    /// A URL field did not parse.
    InvalidUrl,
    /// The URL's scheme is not http(s).
    UnsupportedScheme,
    /// Request and page are same-origin.
    SameOrigin,
    /// Cross-origin but same-site (e.g. `localhost:3000` → `localhost:3001`).
    CrossOriginSameSite,
    /// Cross-site (different registrable domain, or different scheme).
    CrossSite,
    /// Same host and port but http vs https: cross-site under schemeful same-site.
    SchemeMismatchCrossSite,
    /// The page is in a cross-site iframe: its requests are third-party.
    ThirdPartyContext,
    /// An https page requested an http URL that is not loopback.
    MixedContentBlocked,
    /// An https page requested `http://localhost` / `127.0.0.1`: allowed.
    MixedContentLoopbackAllowed,
    /// An https page requested plain http on a private address, which Local
    /// Network Access lets through (its permission still decides).
    MixedContentLocalNetworkAllowed,
    /// Local Network Access: the page on a public address may reach the
    /// local or loopback one (the user allowed it).
    LocalNetworkPermissionGranted,
    /// Local Network Access: the browser asks the user; the request waits
    /// for the answer (simulated as if they allow).
    LocalNetworkPermissionPrompt,
    /// Local Network Access: the user blocked it (DevTools' CORS error
    /// `LocalNetworkAccessPermissionDenied`).
    LocalNetworkPermissionDenied,
    /// Local Network Access from a page that is not a secure context:
    /// blocked without asking (`InsecureLocalNetwork`).
    LocalNetworkInsecureContext,
    /// The `targetAddressSpace` option names another space than the URL's
    /// (`InvalidLocalNetworkAccess`).
    LocalNetworkInconsistentSpace,
    /// This browser does not ask for Local Network Access (Chrome would).
    LocalNetworkNotEnforced,
    /// Storage Access API: the page is top-level or same-site with the top,
    /// so the call changes nothing.
    StorageAccessNotNeeded,
    /// Storage Access API: third-party cookies are allowed, so the call
    /// resolves at once (Chrome's default).
    StorageAccessAlreadyAllowed,
    /// Storage Access API: a grant from before; resolves without a prompt.
    StorageAccessGranted,
    /// Storage Access API: granted on the click without a prompt (Firefox,
    /// after the user used the site top-level).
    StorageAccessAutoGranted,
    /// Storage Access API: the browser asks the user (simulated as if they allow).
    StorageAccessPrompt,
    /// Storage Access API: called without a user gesture, rejected.
    StorageAccessNeedsUserActivation,
    /// Storage Access API: the user never used the embedded site as a
    /// top-level site, rejected without a prompt (Chrome, Safari).
    StorageAccessNeedsTopLevelInteraction,
    /// Storage Access API: the user refused (now or before).
    StorageAccessDenied,
    /// Storage Access API: the browser's setting rejects every request
    /// (Firefox, all third-party cookies blocked).
    StorageAccessUnavailable,
    /// Storage Access API: the frame is not a secure context.
    StorageAccessInsecureContext,
    /// Storage Access API: resolves, but the cookie store's own policy still
    /// decides (WebKitGTK).
    StorageAccessNoEffect,
    /// A request whose cookies the storage access grant let through.
    StorageAccessUsed,
    /// `Activate-Storage-Access: retry` on an `inactive` request: sent again
    /// with storage access (Chrome 133+).
    StorageAccessRetried,
    /// An `Activate-Storage-Access` header the browser does not act on.
    StorageAccessHeaderIgnored,
    /// Cookies the browser already held before the first request
    /// (`Scenario::jar_at_start`).
    CookieInJarAtStart,
    /// A top-level navigation loaded another document: the next requests
    /// that run from the current document run from it.
    DocumentChanged,

    // ----- Request construction (Fetch §2.2, §4.1) -----
    /// Method was upper-cased (`get` → `GET`).
    MethodNormalized,
    /// Method is not one of the six that are normalised, so it stays as written (`patch`).
    MethodNotNormalized,
    /// CONNECT, TRACE or TRACK.
    ForbiddenMethod,
    /// A header line did not parse.
    InvalidHeader,
    /// Script tried to set a forbidden request header (`Cookie`, `Origin`, …): dropped.
    ForbiddenRequestHeader,
    /// Header is CORS-safelisted.
    SafelistedHeader,
    /// Header is not CORS-safelisted: needs a preflight.
    UnsafelistedHeader,
    /// Safelisted header whose value is longer than 128 bytes.
    HeaderValueTooLong,
    /// Safelisted headers together exceed 1024 bytes.
    SafelistedHeadersTooLong,
    /// Content-Type is not one of the three safelisted types.
    ContentTypeNotSafelisted,
    /// The browser (or axios) set a Content-Type from the body.
    ContentTypeFromBody,
    /// `no-cors` mode: only safelisted methods and headers are allowed.
    NoCorsMethodNotAllowed,
    /// `no-cors` mode dropped a non-safelisted header.
    NoCorsHeaderDropped,
    /// `same-origin` mode request to another origin.
    SameOriginModeCrossOrigin,
    /// Cross-origin `cors` request: the browser adds `Origin` and checks the answer.
    CorsRequest,
    /// Same-origin request: no CORS at all.
    NoCorsNeeded,
    /// `no-cors` request: the response will be opaque.
    OpaqueRequest,
    /// Top-level navigation or iframe: no CORS.
    NavigationRequest,
    /// A browser-initiated visit (typed URL, bookmark): no initiator, no
    /// `Origin`, same-site for cookies.
    BrowserInitiated,
    /// A GET form: its fields replace the action URL's query.
    FormFieldsInQuery,
    /// A preflight is needed (method not safelisted).
    PreflightNeededMethod,
    /// A preflight is needed (headers not safelisted).
    PreflightNeededHeaders,
    /// A preflight is needed (streaming body / upload listeners).
    PreflightNeededFlag,
    /// No preflight: method and headers are safelisted.
    PreflightNotNeeded,
    /// A valid preflight-cache entry covers this request.
    PreflightCached,
    /// Credentials (cookies) will be included.
    CredentialsIncluded,
    /// Credentials mode `omit`: no cookies sent, Set-Cookie ignored.
    CredentialsOmitted,
    /// Credentials mode `same-origin` on a cross-origin request: no cookies.
    CredentialsSameOriginCrossOrigin,

    // ----- Preflight (Fetch §4.8 CORS-preflight fetch) -----
    /// Preflight passed.
    PreflightOk,
    /// Server answered the preflight with a non-2xx status.
    PreflightStatusNotOk,
    /// Preflight got a redirect.
    PreflightRedirect,
    /// `Access-Control-Allow-Methods` could not be parsed.
    InvalidAllowMethods,
    /// `Access-Control-Allow-Headers` could not be parsed.
    InvalidAllowHeaders,
    /// The method is not in `Access-Control-Allow-Methods`.
    MethodNotAllowed,
    /// `*` in Allow-Methods does not count with credentials.
    MethodWildcardWithCredentials,
    /// A header is not in `Access-Control-Allow-Headers`.
    HeaderNotAllowed,
    /// `*` in Allow-Headers does not count with credentials.
    HeaderWildcardWithCredentials,
    /// `Authorization` must be listed explicitly; `*` does not cover it (spec).
    AuthorizationNotCoveredByWildcard,
    /// This browser still lets `*` cover `Authorization` (warning).
    AuthorizationWildcardTolerated,
    /// Preflight result cached for `Access-Control-Max-Age` seconds.
    PreflightCacheStored,
    /// Preflight requests never carry cookies.
    PreflightNoCookies,
    /// Set-Cookie on a preflight response is ignored.
    PreflightSetCookieIgnored,

    // ----- CORS check (Fetch §4.10) -----
    /// CORS check passed.
    CorsOk,
    /// No `Access-Control-Allow-Origin`.
    MissingAllowOrigin,
    /// ACAO does not equal the request's origin byte for byte.
    AllowOriginMismatch,
    /// ACAO is `*` but credentials are included.
    WildcardOriginWithCredentials,
    /// More than one ACAO value.
    MultipleAllowOrigin,
    /// ACAC is missing or not exactly `true` with credentials included.
    MissingAllowCredentials,

    /// Firefox with the `content.cors.disable` preference: every CORS response
    /// fails. No shipped profile sets it; only a custom [`crate::BrowserProfile`]
    /// with `cors_disabled` produces it (see [`crate::simulate::simulate_with_profile`]).
    CorsDisabled,

    // ----- Redirects (Fetch §HTTP fetch step 8, §HTTP-redirect fetch) -----
    /// A redirect was followed to its `Location`.
    RedirectFollowed,
    /// A redirect status without `Location`: the redirect is the final response.
    RedirectNoLocation,
    /// `Location` does not parse as a URL: network error.
    RedirectInvalidLocation,
    /// `Location` is not http(s): network error.
    RedirectNonHttpScheme,
    /// The 21st redirect: network error.
    RedirectLimit,
    /// A CORS request redirected to a URL with `user:password@`: network error.
    RedirectCredentialsInUrl,
    /// A ReadableStream body cannot be replayed on a non-303 redirect: network error.
    RedirectStreamBody,
    /// 301/302 after POST, or 303: the request becomes a GET without body.
    RedirectMethodRewritten,
    /// `Authorization` removed at a redirect to another origin.
    RedirectAuthorizationDropped,
    /// After a cross-origin redirect the `Origin` header is `null`.
    RedirectTaintedOrigin,
    /// `redirect: 'error'`: a redirect is a network error.
    RedirectModeError,
    /// `redirect: 'manual'`: script gets an opaque-redirect response.
    RedirectManual,
    /// `no-cors` with a redirect mode other than `follow`: network error.
    NoCorsRedirectNotFollow,

    // ----- Cookies on the request (RFC 6265bis §5.8.3 retrieval) -----
    /// Cookie included in the request.
    CookieIncluded,
    /// Cookie's domain does not match the request host.
    ExcludeDomainMismatch,
    /// Cookie's path does not match.
    ExcludeNotOnPath,
    /// Secure cookie, insecure request.
    ExcludeSecureOnly,
    /// SameSite=Strict, request not same-site.
    ExcludeSameSiteStrict,
    /// SameSite=Lax, request cross-site and not a top-level safe navigation.
    ExcludeSameSiteLax,
    /// No SameSite, treated as Lax (Chrome), request cross-site.
    ExcludeSameSiteUnspecifiedTreatedAsLax,
    /// SameSite=None without Secure.
    ExcludeSameSiteNoneInsecure,
    /// Third-party cookies blocked by the browser's settings.
    ExcludeUserPreferences,
    /// Partitioned cookie from another top-level site's partition.
    ExcludePartitionMismatch,
    /// Cookie expired before this request.
    ExcludeExpired,
    /// Credentials not included: no cookie goes on this request.
    ExcludeCredentialsNotIncluded,
    /// Sent only because of Chrome's 2-minute Lax-allowing-unsafe rule.
    WarnLaxAllowUnsafe,
    /// Secure cookie allowed over http because the host is localhost/loopback.
    WarnSecureAccessGrantedNonCryptographic,
    /// Cookie without SameSite sent cross-site (a browser without Lax-by-default).
    WarnSameSiteUnspecifiedCrossSite,
    /// Sent from a partitioned (per top-level site) cookie jar.
    PartitionedJar,
    /// A SameSite cookie left out only because the redirect chain went
    /// through another site (Fetch "determine the same-site mode").
    WarnCrossSiteRedirectDowngrade,

    // ----- Set-Cookie (RFC 6265bis §5.6 parsing, §5.7 storage) -----
    /// Cookie stored.
    CookieStored,
    /// Cookie replaced an existing one.
    CookieReplaced,
    /// Cookie deleted (expired date or Max-Age ≤ 0).
    CookieDeleted,
    /// A deletion (Max-Age ≤ 0) applied to one jar (a partition, or the
    /// unpartitioned one) while the cookie of that name lives in another.
    DeletionMissedOtherJar,
    /// Set-Cookie ignored because credentials were not included.
    SetCookieIgnoredNoCredentials,
    /// No `=` and an empty value, or empty name and value.
    ExcludeNoCookieContent,
    /// Parse failure.
    ExcludeFailureToStore,
    /// Control characters in name or value.
    ExcludeDisallowedCharacter,
    /// name + value longer than 4096 bytes.
    ExcludeNameValuePairExceedsMaxSize,
    /// Attribute value over 1024 bytes was ignored.
    WarnAttributeValueExceedsMaxSize,
    /// Domain attribute does not domain-match the host, or is a public suffix.
    ExcludeInvalidDomain,
    /// Domain attribute is a public suffix equal to the host: cookie becomes host-only.
    DomainPublicSuffixHostOnly,
    /// Domain attribute has non-ASCII characters.
    ExcludeDomainNonAscii,
    /// Secure cookie set from an insecure origin.
    ExcludeSecureFromInsecure,
    /// SameSite=None without Secure.
    ExcludeSameSiteNoneInsecureSet,
    /// SameSite Strict/Lax/unspecified cookie from a cross-site subresource response.
    ExcludeSameSiteCrossSiteSet,
    /// `__Secure-` / `__Host-` / `__Http-` prefix rules violated.
    ExcludeInvalidPrefix,
    /// Partitioned without Secure.
    ExcludeInvalidPartitioned,
    /// Would overwrite a Secure cookie from an insecure origin.
    ExcludeOverwriteSecure,
    /// HttpOnly set from script, or script overwriting an HttpOnly cookie.
    ExcludeHttpOnly,
    /// Third-party cookie blocked by browser settings.
    ExcludeThirdPartyBlocked,
    /// Stored in a per-top-level-site partition (Firefox TCP, CHIPS).
    StoredPartitioned,
    /// Cookie lifetime capped at 400 days.
    WarnLifetimeCapped,
    /// Cookie date could not be parsed: session cookie.
    WarnExpiresInvalid,
    /// Cookie without SameSite set in a browser with Lax-by-default.
    WarnSameSiteUnspecifiedLaxByDefault,

    // ----- What JS sees (Fetch §4.1 main fetch, XHR) -----
    /// Promise resolved and the response is readable.
    ResponseReadable,
    /// Opaque response (`no-cors`): status 0, body unreadable, no error.
    ResponseOpaque,
    /// `TypeError: Failed to fetch` / XHR error event with status 0.
    NetworkError,
    /// A response header is hidden from JS (not safelisted, not exposed).
    HeaderNotExposed,
    /// A navigation loaded the response as a document.
    NavigationLoaded,
    /// The request was never sent.
    RequestNotSent,

    // ----- Server models -----
    /// Server answered (raw route or framework model).
    ServerResponded,
    /// No raw route matched: 404.
    ServerNoRoute,
    /// A raw route answered the actual request with a 5xx status: the
    /// request failed on the server, whatever the browser does with it.
    ServerError,
    /// rack-cors matched an allow block and resource.
    RackCorsHit,
    /// rack-cors: Origin not in any allow block.
    RackCorsMissOrigin,
    /// An allowed origin is written almost as the page's origin (a trailing
    /// slash or path, `127.0.0.1` for `localhost`, another scheme), so it
    /// never matches: the cause behind the missing Allow-Origin.
    OriginWrittenWrong,
    /// rack-cors: path matched no resource.
    RackCorsMissPath,
    /// rack-cors preflight denied: method not allowed.
    RackCorsDenyMethod,
    /// rack-cors preflight denied: header not allowed.
    RackCorsDenyHeader,
    /// rack-cors answers a preflight whose path unescapes to an invalid
    /// string (`%00`, bytes that are not UTF-8) with 400 and no headers.
    RackCorsInvalidPath,
    /// rack-cors refuses `origins '*'` with `credentials: true`: Rails does not boot.
    RackCorsMisconfiguration,
    /// A middleware ahead of rack-cors answered first (no CORS headers).
    MiddlewareAnsweredFirst,
    /// The session cookie was written.
    SessionWritten,
    /// The request carried the session cookie: the app knows the user.
    SessionRead,
    /// No session cookie on the request: the app does not know the user.
    SessionMissing,
    /// The session cookie does not decrypt (another `secret_key_base`, or
    /// edited): Rails treats the session as empty.
    SessionCookieUndecryptable,
    /// Rack never writes a `secure: true` session cookie on a plain-http request.
    SessionNotWrittenInsecure,
    /// API-only app without session middleware: the session write is lost.
    SessionMiddlewareMissing,
    /// Rails 7+: writing to a disabled session raises `DisabledSessionError` (500).
    DisabledSessionError,
    /// Session middleware added without its options: the key falls back to `_session_id`.
    SessionOptionsIgnored,
    /// The app fails to boot (configuration error).
    BootError,
    /// force_ssl redirected a plain-http request.
    ForceSslRedirect,
    /// CSRF protection rejected the request (422).
    CsrfRejected,
    /// The router picked the route (and so the action) for the request.
    RouteMatched,
    /// `reset_session`: a new, empty session replaces the old one.
    SessionReset,
    /// The session cookie decrypts but holds no `user_id` (after `reset_session`): 401.
    SessionEmpty,
    /// A plain `cookies[:name] = {...}` write was serialized into Set-Cookie.
    CookieWritten,
    /// A plain cookie write produced no Set-Cookie (secure over http,
    /// unchanged value, or no ActionDispatch::Cookies to serialize the jar).
    CookieNotWritten,
    /// An API controller without `ActionController::Cookies` calls `cookies`: NameError, 500.
    CookiesUndefined,
    /// The action raised: the exceptions middleware renders 500.
    ActionRaised,
    /// `config.action_dispatch.tld_length` does not reach `domain: :all`.
    TldLengthIgnored,
    /// Rails' rendering added `Vary: Accept` (the response depends on the Accept header).
    VaryAcceptAdded,

    // ----- Django (django-cors-headers, sessions, CSRF, ALLOWED_HOSTS) -----
    /// A system check error (`corsheaders.E013`, `4_0.E001`…): runserver stops.
    DjangoSystemCheck,
    /// `CorsMiddleware` answered the preflight itself (200, no view runs).
    DjangoCorsPreflight,
    /// `CorsMiddleware` added `Access-Control-Allow-Origin`.
    DjangoCorsAllowed,
    /// The Origin is in none of `CORS_ALLOWED_ORIGINS`, `CORS_ALLOWED_ORIGIN_REGEXES`.
    DjangoCorsOriginNotAllowed,
    /// The path does not match `CORS_URLS_REGEX`: no CORS headers.
    DjangoCorsUrlNotMatched,
    /// `CorsMiddleware` is not in `MIDDLEWARE` (or sits after the middleware that answered).
    DjangoCorsMiddlewareMissing,
    /// `get_host()` raised `DisallowedHost`: 400.
    DjangoDisallowedHost,
    /// `CsrfViewMiddleware` rejected the request: 403 with Django's reason.
    DjangoCsrfRejected,
    /// The CSRF checks passed (Origin, Referer, token).
    DjangoCsrfAccepted,
    /// The CSRF cookie (`csrftoken`) was set.
    DjangoCsrfCookieSet,
    /// The session cookie was deleted (`flush()`, or an empty session).
    DjangoSessionDeleted,
    /// `APPEND_SLASH` redirected to the URL with a slash (or failed under `DEBUG`).
    DjangoAppendSlash,
    /// The view does not allow the method (`@require_POST`): 405.
    DjangoMethodNotAllowed,
    // ----- FastAPI / Starlette (CORSMiddleware, SessionMiddleware, uvicorn) -----
    /// `CORSMiddleware` answered the preflight itself: 200 `OK`.
    FastApiCorsPreflight,
    /// `CORSMiddleware` answered the preflight with 400 `Disallowed CORS …`.
    FastApiCorsPreflightRejected,
    /// `CORSMiddleware` added `Access-Control-Allow-Origin` (`*` or the Origin).
    FastApiCorsAllowed,
    /// The Origin is in neither `allow_origins` nor `allow_origin_regex`.
    FastApiCorsOriginRefused,
    /// An unhandled exception: `ServerErrorMiddleware`'s 500, outside CORS.
    FastApiServerError,
    /// `SessionMiddleware` sent `session=null` (the session was cleared).
    FastApiSessionCleared,
    /// The session cookie did not verify (`BadSignature`, `SignatureExpired`).
    FastApiSessionBadSignature,
    /// `HTTPSRedirectMiddleware` answered 307 to https.
    FastApiHttpsRedirect,
    /// The router's `redirect_slashes` answered 307 to the other spelling.
    FastApiRedirectSlashes,
    /// The path is a route, the method is not: 405.
    FastApiMethodNotAllowed,
    /// uvicorn did not take the scheme from `X-Forwarded-Proto`.
    FastApiProxySchemeIgnored,
    /// The route called `response.set_cookie(...)`.
    FastApiSetCookie,
    // ----- Laravel (HandleCors / php-cors, StartSession, VerifyCsrfToken, Sanctum) -----
    /// A Laravel setting the model cannot read (a bad pattern, a bad `.env` value).
    LaravelConfigError,
    /// The path matches no `paths` entry of `config/cors.php`: `HandleCors` does nothing.
    LaravelCorsPathNotMatched,
    /// `HandleCors` answered the preflight itself (204).
    LaravelCorsPreflight,
    /// php-cors sent `Access-Control-Allow-Origin`.
    LaravelCorsAllowed,
    /// php-cors sent no `Access-Control-Allow-Origin` (the Origin is not allowed).
    LaravelCorsOriginNotAllowed,
    /// Sanctum treated the request as coming from the SPA (stateful domain).
    LaravelSanctumStateful,
    /// Sanctum did not treat the request as the SPA's: no session, no CSRF check.
    LaravelSanctumNotStateful,
    /// `VerifyCsrfToken` threw `TokenMismatchException`: 419.
    LaravelCsrfMismatch,
    /// The CSRF token matched (or the method is a reading one).
    LaravelCsrfAccepted,
    /// `StartSession` set the session cookie.
    LaravelSessionCookie,
    /// `VerifyCsrfToken` set the `XSRF-TOKEN` cookie.
    LaravelXsrfCookie,
    /// `auth:sanctum` found no user: 401 (or a redirect to `login`).
    LaravelUnauthenticated,
    /// The route needs a session and none was started: 500.
    LaravelSessionStoreNotSet,
    /// No route for the path (404) or the method (405, or the router's 200 to an `OPTIONS`).
    LaravelRouteMiss,
    /// `TrustProxies` decided how Laravel sees the scheme.
    LaravelTrustProxies,
    /// The client library set `X-XSRF-TOKEN` from the `XSRF-TOKEN` cookie (axios).
    AxiosXsrfHeader,
    /// axios did not send `X-XSRF-TOKEN`: cross-origin without `withXSRFToken`, or no readable cookie.
    AxiosXsrfSkipped,
    /// Express `cors`: the Origin is not allowed, so no `Access-Control-Allow-Origin`.
    ExpressCorsOriginRefused,
    /// Express `cors`: the origin callback passed an error: Express answers 500.
    ExpressCorsCallbackError,
    /// Express answered an `OPTIONS` itself (200 with `Allow`): no `cors` ran for it.
    ExpressAutoOptions,
    /// The session did not change, so the session middleware sets no cookie.
    SessionNotChanged,
    // ----- A dev-server proxy in front of the server (server/dev_proxy) -----
    /// A setting of the proxy cannot be read (its target, its path prefix).
    ProxyConfigError,
    /// The proxy forwarded a request on the page's origin to the server.
    ProxyForwarded,
    /// A request on the page's origin outside the proxy's prefix: the dev
    /// server answered it itself and the API never saw it.
    ProxyNotForwarded,
    /// The proxy passed a `Set-Cookie` on with a `Domain` the page's host is
    /// not in: the browser rejects it.
    ProxyKeptCookieDomain,
    /// The proxy rewrote (or dropped) a `Set-Cookie`'s `Domain`.
    ProxyRewroteCookieDomain,
}

/// Text that is usually fixed: a `&'static str` costs nothing, a text built
/// from the scenario's values is owned. Serializes as a plain string.
pub type Text = Cow<'static, str>;

/// A label and the value that mattered, e.g. ("Origin", "http://localhost:3000").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Value {
    pub label: Text,
    pub value: String,
}

/// One decision.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Step {
    /// Index into `Scenario::requests`; `None` for scenario-wide steps.
    pub request: Option<usize>,
    pub phase: Phase,
    pub verdict: Verdict,
    pub reason: Reason,
    /// Short title, e.g. "Preflight denied: PATCH is not allowed".
    pub title: Text,
    /// One plain paragraph: what happened, why, and what would change it.
    pub explanation: Text,
    pub values: Vec<Value>,
    pub spec: SpecRef,
}

impl Step {
    /// A step with no values yet; add them with [`Step::with`].
    pub fn new(
        request: Option<usize>,
        phase: Phase,
        verdict: Verdict,
        reason: Reason,
        title: impl Into<Text>,
        explanation: impl Into<Text>,
        spec: SpecRef,
    ) -> Self {
        Step {
            request,
            phase,
            verdict,
            reason,
            title: title.into(),
            explanation: explanation.into(),
            values: Vec::new(),
            spec,
        }
    }

    /// Adds a value that mattered.
    pub fn with(mut self, label: impl Into<Text>, value: impl Into<String>) -> Self {
        self.values.push(Value {
            label: label.into(),
            value: value.into(),
        });
        self
    }
}

/// A cookie as the jar holds it, for display and comparison.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CookieView {
    pub name: String,
    pub value: String,
    /// The domain the cookie is scoped to (the host for host-only cookies).
    pub domain: String,
    pub host_only: bool,
    pub path: String,
    pub secure: bool,
    pub http_only: bool,
    /// `Strict`, `Lax`, `None`, or `Unspecified`.
    pub same_site: Text,
    /// Expiry as seconds since the simulation clock's epoch; `None` = session cookie.
    pub expires: Option<i64>,
    /// The partition the cookie lives in, if partitioned. Shown as
    /// `https://a.example` or `https://a.example (cross-site ancestor)`.
    /// Serialized as before the key had its bit: `partition` holds the
    /// top-level site (or null), and `partition_cross_site_ancestor: true`
    /// is added only when the bit is set.
    #[serde(flatten, with = "partition_fields")]
    pub partition: Option<PartitionKey>,
}

/// [`CookieView::partition`] as JSON fields, readable by what read the
/// earlier form (a plain top-level site string).
mod partition_fields {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use crate::cookie_store::PartitionKey;

    #[derive(Serialize, Deserialize)]
    struct Fields {
        partition: Option<String>,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        partition_cross_site_ancestor: bool,
    }

    pub fn serialize<S: Serializer>(key: &Option<PartitionKey>, s: S) -> Result<S::Ok, S::Error> {
        Fields {
            partition: key.as_ref().map(|k| k.top_level_site.clone()),
            partition_cross_site_ancestor: key.as_ref().is_some_and(|k| k.cross_site_ancestor),
        }
        .serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<PartitionKey>, D::Error> {
        let f = Fields::deserialize(d)?;
        Ok(f.partition.map(|top_level_site| PartitionKey {
            top_level_site,
            cross_site_ancestor: f.partition_cross_site_ancestor,
        }))
    }
}

/// A cookie that was not stored, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RejectedCookie {
    pub name: String,
    pub reason: Reason,
}

/// Did a preflight happen, and how did it go.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PreflightOutcome {
    NotNeeded,
    Cached,
    Passed,
    Failed,
}

/// What the page's code sees for a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum JsResult {
    /// The promise resolves (or XHR `load`) and the response can be read.
    Readable,
    /// `no-cors`: resolves with an opaque response (status 0, nothing readable).
    Opaque,
    /// `TypeError: Failed to fetch` / XHR `error` with status 0 / axios "Network Error".
    NetworkError,
    /// A navigation or iframe: the browser shows the response; no script result.
    Navigated,
    /// The request was not made (bad input or a blocked step before sending).
    NotSent,
}

/// One HTTP exchange on the wire (for the diagram and for live-mode comparison).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Exchange {
    pub request: crate::http::WireRequest,
    pub response: Option<crate::http::WireResponse>,
}

/// Summary of one request.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RequestOutcome {
    pub index: usize,
    pub method: String,
    pub url: String,
    pub preflight: PreflightOutcome,
    /// The actual request reached the server.
    pub request_sent: bool,
    pub js_result: JsResult,
    /// Status the page can read (`None` when unreadable or not sent).
    pub status: Option<u16>,
    /// Response headers script can read.
    pub readable_headers: Vec<String>,
    /// Names of the cookies on the actual request.
    pub cookies_sent: Vec<String>,
    /// Names of the cookies stored from the response.
    pub cookies_stored: Vec<String>,
    pub cookies_rejected: Vec<RejectedCookie>,
    /// Preflight (if any) then the actual request.
    pub exchanges: Vec<Exchange>,
    /// The whole jar after this request.
    pub jar_after: Vec<CookieView>,
    /// The step that decided a failure, if the request failed.
    pub blocked_by: Option<Reason>,
    /// Top-level navigations, visits and iframe loads: the document the
    /// browser loaded (`None` when none was: a network error, or a 204/205).
    pub document: Option<LoadedDocument>,
}

/// The document a navigation landed on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoadedDocument {
    /// The final URL, after redirects (the document's URL).
    pub url: String,
    /// The status of the response the browser shows.
    pub status: u16,
}

impl RequestOutcome {
    pub fn readable(&self) -> bool {
        self.js_result == JsResult::Readable
    }
}

/// A thing to fix, ordered by what to fix first.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RootCause {
    pub reason: Reason,
    pub request: Option<usize>,
    /// One sentence: what is wrong and the change that fixes it.
    pub summary: String,
}

/// An input field that could not be read. `field` is a dotted path into the
/// scenario (`page.url`, `requests.1.headers`, `server.routes.0.response.headers`,
/// `server.cors.0.origins`), the same path the UI uses to place the error.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// The engine's whole answer for a scenario.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Trace {
    /// One sentence for the top of the page.
    pub headline: String,
    /// The worst verdict of any step.
    pub verdict: Verdict,
    pub steps: Vec<Step>,
    pub requests: Vec<RequestOutcome>,
    pub root_causes: Vec<RootCause>,
    /// Fields that could not be read; the requests depending on them were not simulated.
    pub field_errors: Vec<FieldError>,
}

impl Trace {
    /// A field could not be read, so some requests were not simulated: the
    /// page must say "incomplete", never OK, while anything is waiting.
    pub fn incomplete(&self) -> bool {
        !self.field_errors.is_empty()
    }
}

impl Reason {
    /// A step of Chrome's Local Network Access check (a page on a public
    /// address calling a local one), which a page on loopback never meets.
    /// The browser waits for, or was refused, the user's permission: no
    /// server or client setting changes the outcome, only the user can.
    pub fn is_user_choice(self) -> bool {
        matches!(
            self,
            Reason::LocalNetworkPermissionPrompt
                | Reason::LocalNetworkPermissionDenied
                | Reason::StorageAccessPrompt
                | Reason::StorageAccessDenied
        )
    }

    pub fn is_local_network_access(self) -> bool {
        use Reason::*;
        matches!(
            self,
            LocalNetworkPermissionGranted
                | LocalNetworkPermissionPrompt
                | LocalNetworkPermissionDenied
                | LocalNetworkInsecureContext
                | LocalNetworkInconsistentSpace
                | LocalNetworkNotEnforced
        )
    }

    /// The name Chromium gives this decision, where it has one: a
    /// `CookieInclusionStatus` exclusion/warning reason (DevTools shows the
    /// same as "This cookie was blocked because…").
    pub fn chromium_name(self) -> Option<&'static str> {
        use Reason::*;
        Some(match self {
            ExcludeHttpOnly => "EXCLUDE_HTTP_ONLY",
            ExcludeSecureOnly | ExcludeSecureFromInsecure => "EXCLUDE_SECURE_ONLY",
            ExcludeDomainMismatch => "EXCLUDE_DOMAIN_MISMATCH",
            ExcludeNotOnPath => "EXCLUDE_NOT_ON_PATH",
            ExcludeSameSiteStrict => "EXCLUDE_SAMESITE_STRICT",
            ExcludeSameSiteLax => "EXCLUDE_SAMESITE_LAX",
            ExcludeSameSiteUnspecifiedTreatedAsLax => "EXCLUDE_SAMESITE_UNSPECIFIED_TREATED_AS_LAX",
            ExcludeSameSiteNoneInsecure | ExcludeSameSiteNoneInsecureSet => {
                "EXCLUDE_SAMESITE_NONE_INSECURE"
            }
            ExcludeUserPreferences | ExcludeThirdPartyBlocked => "EXCLUDE_USER_PREFERENCES",
            ExcludeFailureToStore => "EXCLUDE_FAILURE_TO_STORE",
            UnsupportedScheme => "EXCLUDE_NONCOOKIEABLE_SCHEME",
            ExcludeOverwriteSecure => "EXCLUDE_OVERWRITE_SECURE",
            ExcludeInvalidDomain => "EXCLUDE_INVALID_DOMAIN",
            ExcludeInvalidPrefix => "EXCLUDE_INVALID_PREFIX",
            ExcludeInvalidPartitioned => "EXCLUDE_INVALID_PARTITIONED",
            ExcludeNameValuePairExceedsMaxSize => "EXCLUDE_NAME_VALUE_PAIR_EXCEEDS_MAX_SIZE",
            ExcludeDomainNonAscii => "EXCLUDE_DOMAIN_NON_ASCII",
            ExcludeDisallowedCharacter => "EXCLUDE_DISALLOWED_CHARACTER",
            ExcludeNoCookieContent => "EXCLUDE_NO_COOKIE_CONTENT",
            // A cross-site subresource response may not set a SameSite≠None cookie:
            // Chromium reports the SameSite reason of the cookie's own value.
            ExcludeSameSiteCrossSiteSet => {
                "EXCLUDE_SAMESITE_LAX / _STRICT / _UNSPECIFIED_TREATED_AS_LAX"
            }
            WarnLaxAllowUnsafe => "WARN_SAMESITE_UNSPECIFIED_LAX_ALLOW_UNSAFE",
            WarnSecureAccessGrantedNonCryptographic => {
                "WARN_SECURE_ACCESS_GRANTED_NON_CRYPTOGRAPHIC"
            }
            WarnSameSiteUnspecifiedCrossSite => "WARN_SAMESITE_UNSPECIFIED_CROSS_SITE_CONTEXT",
            WarnAttributeValueExceedsMaxSize => "WARN_ATTRIBUTE_VALUE_EXCEEDS_MAX_SIZE",
            WarnCrossSiteRedirectDowngrade => {
                "WARN_CROSS_SITE_REDIRECT_DOWNGRADE_CHANGES_INCLUSION"
            }
            _ => return None,
        })
    }

    /// The reason Firefox's console gives ("Cross-Origin Request Blocked: …
    /// (Reason: …)"), named as on MDN's CORS error pages. Gecko logs these
    /// only for a request that has gone cross-origin (its CORS listener).
    ///
    /// Of the 15 MDN reasons, one is never produced: `CORSOriginHeaderNotAdded`
    /// is logged only when the requesting principal is an *expanded* principal
    /// (an extension content script with access to several origins), so
    /// Gecko cannot pick one Origin. A page, which is all a scenario can
    /// describe, always has a single origin. `CORSDisabled` needs the
    /// `content.cors.disable` preference, which no shipped profile sets.
    pub fn firefox_cors_reason(self) -> Option<&'static str> {
        use Reason::*;
        Some(match self {
            UnsupportedScheme => "CORSRequestNotHttp",
            MissingAllowOrigin => "CORSMissingAllowOrigin",
            AllowOriginMismatch => "CORSAllowOriginNotMatchingOrigin",
            WildcardOriginWithCredentials => "CORSNotSupportingCredentials",
            MethodNotAllowed | MethodWildcardWithCredentials => "CORSMethodNotFound",
            MissingAllowCredentials => "CORSMIssingAllowCredentials",
            PreflightStatusNotOk => "CORSPreflightDidNotSucceed",
            // Gecko's preflight listener refuses every real (not internal)
            // redirect of the OPTIONS request with this reason
            // (nsCORSPreflightListener::AsyncOnChannelRedirect). It is the
            // only place Firefox uses it: a redirect of the actual request
            // after a successful preflight is followed.
            PreflightRedirect => "CORSExternalRedirectNotAllowed",
            InvalidAllowMethods => "CORSInvalidAllowMethod",
            InvalidAllowHeaders => "CORSInvalidAllowHeader",
            HeaderNotAllowed
            | HeaderWildcardWithCredentials
            | AuthorizationNotCoveredByWildcard => "CORSMissingAllowHeaderFromPreflight",
            AuthorizationWildcardTolerated => "CORSAllowHeaderFromPreflightDeprecation",
            MultipleAllowOrigin => "CORSMultipleAllowOriginNotAllowed",
            CorsDisabled => "CORSDisabled",
            // The channel itself failed (Gecko checks the channel status
            // before any header): a redirect loop, an unusable Location, or a
            // redirect Gecko cancels for carrying credentials.
            RedirectLimit | RedirectInvalidLocation | RedirectCredentialsInUrl => {
                "CORSDidNotSucceed"
            }
            // Gecko's CORS listener refuses a non-HTTP channel.
            RedirectNonHttpScheme => "CORSRequestNotHttp",
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(partition: Option<PartitionKey>) -> CookieView {
        CookieView {
            name: "p".into(),
            value: "1".into(),
            domain: "api.other.test".into(),
            host_only: true,
            path: "/".into(),
            secure: true,
            http_only: false,
            same_site: "None".into(),
            expires: None,
            partition,
        }
    }

    // The JSON of a jar cookie keeps the form it had when the partition was
    // a plain top-level site; the cross-site ancestor bit is an added field.
    #[test]
    fn cookie_view_partition_json_is_backward_compatible() {
        let old_form = r#"{"name":"p","value":"1","domain":"api.other.test","host_only":true,"path":"/","secure":true,"http_only":false,"same_site":"None","expires":null,"partition":"https://a.example"}"#;
        let same_site = view(Some(PartitionKey::top_level("https://a.example")));
        assert_eq!(serde_json::to_string(&same_site).unwrap(), old_form);
        assert_eq!(
            serde_json::from_str::<CookieView>(old_form).unwrap(),
            same_site
        );
        let none = view(None);
        let json = serde_json::to_string(&none).unwrap();
        assert!(json.ends_with(r#""partition":null}"#), "{json}");
        assert_eq!(serde_json::from_str::<CookieView>(&json).unwrap(), none);

        let cross = view(Some(PartitionKey {
            top_level_site: "https://a.example".into(),
            cross_site_ancestor: true,
        }));
        let json = serde_json::to_string(&cross).unwrap();
        assert!(
            json.ends_with(
                r#""partition":"https://a.example","partition_cross_site_ancestor":true}"#
            ),
            "{json}"
        );
        assert_eq!(serde_json::from_str::<CookieView>(&json).unwrap(), cross);
    }
}
