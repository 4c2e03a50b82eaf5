//! One request through a Laravel app with Sanctum: the global middleware
//! (`TrustProxies`, `HandleCors`), the router, the route's group (`web`:
//! `EncryptCookies`, `StartSession`, `VerifyCsrfToken`; `api`: Sanctum's
//! `EnsureFrontendRequestsAreStateful`, which runs the same three for a
//! request from a stateful domain) and the SPA's routes:
//!
//! - `GET /sanctum/csrf-cookie` (`web`; laravel/sanctum
//!   `src/Http/Controllers/CsrfCookieController.php`: 204);
//! - `POST /login` (Breeze's `AuthenticatedSessionController@store`:
//!   `Auth::attempt`, `session()->regenerate()`, 204);
//! - `GET /api/user` (`auth:sanctum`: the user, or 401 `Unauthenticated.`);
//! - `POST /logout` (`session()->invalidate()`, `regenerateToken()`, 204).
//!
//! Exceptions are rendered where they are thrown (laravel/framework
//! `src/Illuminate/Routing/Pipeline.php` `handleException`), so the
//! middleware outside still run: a 419 still gets the session cookie and
//! the CORS headers.

use std::cell::{Cell, RefCell};

use crate::explain::spec;
use crate::headers::HeaderList;
use crate::http::{ServerModel, ServerReply, WireRequest, WireResponse};
use crate::simulate::SIM_EPOCH;
use crate::trace::{Phase, Reason, SpecRef, Step, Verdict};

use super::cors::{decoded_path, AllowedBy, Cors, OriginDecision};
use super::sanctum::{from_frontend, is_reading, token_from_request, tokens_match, TokenSource};
use super::session::{
    is_secure, session_cookie, set_cookie_line, start, xsrf_cookie, Forced, RequestSession, Store,
};
use super::settings::{Front, LaravelApp, LoginRoute, SessionDriver};
use super::support::decrypt_cookie;

/// A Laravel app with its session storage, answering requests in order.
pub struct LaravelModel {
    pub app: LaravelApp,
    cors: Result<Cors, (String, String)>,
    store: RefCell<Store>,
    now: Cell<i64>,
}

/// The routes of the SPA.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    CsrfCookie,
    Login,
    User,
    Logout,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Group {
    Web,
    Api,
}

/// The route list (`php artisan route:list`): uri, methods, group, action.
pub fn routes(app: &LaravelApp) -> Vec<(&'static str, &'static str, Group, Action)> {
    let g = match app.login_route {
        LoginRoute::Web => Group::Web,
        LoginRoute::Api => Group::Api,
    };
    vec![
        ("sanctum/csrf-cookie", "GET", Group::Web, Action::CsrfCookie),
        (
            app.login_path().trim_start_matches('/'),
            "POST",
            g,
            Action::Login,
        ),
        ("api/user", "GET", Group::Api, Action::User),
        (
            app.logout_path().trim_start_matches('/'),
            "POST",
            g,
            Action::Logout,
        ),
    ]
}

struct Ctx<'a> {
    req: &'a WireRequest,
    ri: Option<usize>,
    steps: Vec<Step>,
}

impl Ctx<'_> {
    fn step(&mut self, verdict: Verdict, reason: Reason, title: String, why: String, s: SpecRef) {
        self.steps.push(Step::new(
            self.ri,
            Phase::Server,
            verdict,
            reason,
            title,
            why,
            s,
        ));
    }
}

struct Resp {
    status: u16,
    headers: HeaderList,
    cookies: Vec<super::session::CookieSpec>,
}

impl Resp {
    fn new(status: u16) -> Resp {
        Resp {
            status,
            headers: HeaderList::new(),
            cookies: Vec::new(),
        }
    }
}

/// `$request->expectsJson()`: `ajax()` with an Accept of anything, or
/// `wantsJson()` (the first Accept type has `/json` or `+json`).
pub fn expects_json(req: &WireRequest) -> bool {
    let accept = req.headers.get("accept").unwrap_or_default();
    let first = accept
        .split(',')
        .next()
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let ajax = req
        .headers
        .get("x-requested-with")
        .is_some_and(|x| x == "XMLHttpRequest");
    let any = accept.trim().is_empty() || first == "*/*" || first == "*";
    (ajax && any) || first.contains("/json") || first.contains("+json")
}

impl LaravelModel {
    pub fn new(app: LaravelApp) -> LaravelModel {
        Self::with_store(app, Store::default())
    }

    /// The model continuing with the sessions an earlier one saved.
    pub fn with_store(app: LaravelApp, store: Store) -> LaravelModel {
        LaravelModel {
            cors: Cors::new(&app.cors),
            app,
            store: RefCell::new(store),
            now: Cell::new(SIM_EPOCH),
        }
    }

    /// Sets the server's clock (seconds since the Unix epoch).
    pub fn set_clock(&self, now: i64) {
        self.now.set(now);
    }

    /// The request through the whole app.
    pub fn answer(&self, req: &WireRequest, ri: Option<usize>) -> ServerReply {
        let mut cx = Ctx {
            req,
            ri,
            steps: Vec::new(),
        };
        let app = &self.app;
        let (secure, forwarded) = is_secure(app, req);
        if app.front == Front::TlsProxy {
            let why = if app.trust_proxies {
                "The proxy is trusted (`trustProxies(at: '*')`), so Laravel reads `X-Forwarded-Proto` and `$request->isSecure()` is what the browser used."
                    .to_string()
            } else {
                format!(
                    "PHP sees plain http from the TLS proxy; the proxy sends `X-Forwarded-Proto: {}`, but no proxy is trusted (`TrustProxies` has no `$proxies`), so Laravel ignores it: `$request->isSecure()` is false, URLs it generates are http, and cookies whose `secure` is left to the default are not Secure. Add `->withMiddleware(fn ($m) => $m->trustProxies(at: '*'))` in bootstrap/app.php.",
                    forwarded.clone().unwrap_or_default()
                )
            };
            let verdict = if secure == (req.scheme() == "https") {
                Verdict::Ok
            } else {
                Verdict::Warning
            };
            cx.step(
                verdict,
                Reason::LaravelTrustProxies,
                format!(
                    "Laravel sees {}",
                    if secure { "https" } else { "plain http" }
                ),
                why,
                spec::LARAVEL_TRUST_PROXIES,
            );
        }
        let cors = match &self.cors {
            Ok(c) => c,
            Err((field, message)) => {
                cx.step(
                    Verdict::Blocked,
                    Reason::LaravelConfigError,
                    format!("config/cors.php: {field} does not compile"),
                    format!("preg_match() warns and the pattern never matches: {message}"),
                    spec::LARAVEL_CORS,
                );
                return self.reply(cx, Resp::new(500));
            }
        };
        let cors_path = cors.has_matching_path(req);
        let decision = cors.decide(req);
        if cors_path && Cors::is_preflight(req) {
            let mut resp = Resp::new(204);
            resp.headers = cors.preflight_headers(req, &decision);
            cx.step(
                Verdict::Ok,
                Reason::LaravelCorsPreflight,
                "HandleCors answered the preflight (204)".into(),
                "The path matches `paths` in config/cors.php, so `HandleCors` answers the OPTIONS request with `Access-Control-Request-Method` itself, with 204 and no body, before any route, session or CSRF check runs."
                    .into(),
                spec::LARAVEL_CORS,
            );
            self.cors_step(&mut cx, cors, &decision);
            return self.reply(cx, resp);
        }
        let mut resp = self.route(&mut cx);
        if cors_path {
            cors.actual_headers(req, &decision, &mut resp.headers);
            self.cors_step(&mut cx, cors, &decision);
        } else if req.headers.contains("origin") {
            let path = decoded_path(&req.path());
            cx.step(
                Verdict::Warning,
                Reason::LaravelCorsPathNotMatched,
                format!("`{path}` is not in config/cors.php `paths`"),
                format!(
                    "`HandleCors` only handles paths matching `'paths' => {}` (with `Str::is`, `*` as a wildcard, without the leading slash), and `{path}` matches none: the response carries no `Access-Control-Allow-Origin`{}. Add `'{path}'` to `paths`.",
                    super::code::php_list(&cors.config.paths),
                    if Cors::is_preflight(req) {
                        ", and the preflight goes on to the router"
                    } else {
                        ""
                    }
                ),
                spec::LARAVEL_CORS,
            );
        }
        let mut out = self.reply_headers(resp, secure);
        out.steps = std::mem::take(&mut cx.steps);
        out.steps
            .push(self.responded_step(ri, req, out.response.status));
        out
    }

    fn reply(&self, mut cx: Ctx, resp: Resp) -> ServerReply {
        let mut out = self.reply_headers(resp, false);
        out.steps = std::mem::take(&mut cx.steps);
        out.steps
            .push(self.responded_step(cx.ri, cx.req, out.response.status));
        out
    }

    fn reply_headers(&self, resp: Resp, secure: bool) -> ServerReply {
        let mut headers = resp.headers;
        for c in &resp.cookies {
            headers.push("Set-Cookie", set_cookie_line(c, self.now.get(), secure));
        }
        ServerReply {
            response: WireResponse {
                status: resp.status,
                headers,
            },
            steps: Vec::new(),
        }
    }

    fn responded_step(&self, ri: Option<usize>, req: &WireRequest, status: u16) -> Step {
        Step::new(
            ri,
            Phase::Server,
            Verdict::Ok,
            Reason::ServerResponded,
            format!("Laravel answered {status}"),
            format!(
                "Laravel {} answered {} {} with {status}.",
                self.app.version.as_str(),
                req.method,
                req.path()
            ),
            spec::LARAVEL_ROUTING,
        )
        .with("status", status.to_string())
    }

    fn cors_step(&self, cx: &mut Ctx, cors: &Cors, d: &OriginDecision) {
        let origin = cx.req.headers.get("origin").unwrap_or_default();
        let c = &cors.config;
        let creds = if c.supports_credentials {
            "`Access-Control-Allow-Credentials: true` is sent (`'supports_credentials' => true`)"
        } else {
            "no `Access-Control-Allow-Credentials` (`'supports_credentials' => false`), so a request with credentials cannot read it"
        };
        match d {
            OriginDecision::NoOrigin => {}
            OriginDecision::Star => cx.step(
                Verdict::Ok,
                Reason::LaravelCorsAllowed,
                "php-cors sent Access-Control-Allow-Origin: *".into(),
                format!(
                    "`'allowed_origins' => ['*']` with `'supports_credentials' => false`: php-cors sends `*`, which the browser accepts only for requests without credentials; {creds}. To send cookies, list the front end in `allowed_origins` and set `supports_credentials` to true."
                ),
                spec::LARAVEL_CORS,
            ),
            OriginDecision::Single(o) => {
                let (verdict, why) = if *o == origin {
                    (Verdict::Ok, format!("`'allowed_origins' => ['{o}']` is one origin and no pattern, so php-cors sends it on every response; {creds}."))
                } else {
                    (Verdict::Blocked, format!("`'allowed_origins' => ['{o}']` is one origin and no pattern, so php-cors sends `{o}` on every response whatever the Origin; the page's origin is `{origin}`, so the browser refuses it. Put `'{origin}'` in `allowed_origins`."))
                };
                cx.step(
                    verdict,
                    if verdict == Verdict::Ok {
                        Reason::LaravelCorsAllowed
                    } else {
                        Reason::LaravelCorsOriginNotAllowed
                    },
                    format!("php-cors sent Access-Control-Allow-Origin: {o}"),
                    why,
                    spec::LARAVEL_CORS,
                )
            }
            OriginDecision::Reflected(by) => {
                let (verdict, by) = match by {
                    AllowedBy::StarWithCredentials => (
                        Verdict::Warning,
                        "`'allowed_origins' => ['*']` with `'supports_credentials' => true`: php-cors echoes every Origin with credentials, so any site can read this API with the user's cookies. List the front end in `allowed_origins` instead".to_string(),
                    ),
                    AllowedBy::List => (Verdict::Ok, format!("`'{origin}'` in `allowed_origins`")),
                    AllowedBy::Pattern(p) => (Verdict::Ok, format!("the pattern `'{p}'`")),
                };
                cx.step(
                    verdict,
                    Reason::LaravelCorsAllowed,
                    format!("php-cors allowed {origin}"),
                    format!("Allowed by {by}; it echoes the Origin with `Vary: Origin`; {creds}."),
                    spec::LARAVEL_CORS,
                )
            }
            OriginDecision::NotAllowed => cx.step(
                Verdict::Blocked,
                Reason::LaravelCorsOriginNotAllowed,
                format!("{origin} is not in allowed_origins"),
                format!(
                    "php-cors compares the Origin exactly with each entry of `'allowed_origins' => {}` and runs `'allowed_origins_patterns' => {}`; none matches, so the response gets only `Vary: Origin` and no `Access-Control-Allow-Origin`. Add `'{origin}'` to `allowed_origins` (scheme, host and port, no trailing slash).",
                    super::code::php_list(&c.allowed_origins),
                    super::code::php_list(&c.allowed_origins_patterns)
                ),
                spec::LARAVEL_CORS,
            ),
        }
    }

    /// The router, then the route's group and action.
    fn route(&self, cx: &mut Ctx) -> Resp {
        let req = cx.req;
        let path = decoded_path(&req.path());
        let table = routes(&self.app);
        let here: Vec<_> = table.iter().filter(|r| r.0 == path).collect();
        let method = req.method.as_str();
        let hit = here
            .iter()
            .find(|r| r.1 == method || (r.1 == "GET" && method == "HEAD"));
        let Some(&&(_, _, group, action)) = hit else {
            if here.is_empty() {
                cx.step(
                    Verdict::Warning,
                    Reason::LaravelRouteMiss,
                    format!("No route for /{path}: 404"),
                    format!("No route matches `/{path}` (`php artisan route:list`), so Laravel answers 404 Not Found."),
                    spec::LARAVEL_ROUTING,
                );
                return Resp::new(404);
            }
            let mut allow: Vec<&str> = Vec::new();
            for r in &here {
                allow.push(r.1);
                if r.1 == "GET" {
                    allow.push("HEAD");
                }
            }
            if method == "OPTIONS" {
                // AbstractRouteCollection::getRouteForMethods.
                cx.step(
                    Verdict::Warning,
                    Reason::LaravelRouteMiss,
                    format!("The router answered OPTIONS /{path} (200)"),
                    format!("No route takes OPTIONS for `/{path}`, but routes for {} do, so the router answers 200 with `Allow: {}` and nothing else.", allow.join(", "), allow.join(",")),
                    spec::LARAVEL_ROUTING,
                );
                let mut r = Resp::new(200);
                r.headers.push("Allow", allow.join(","));
                return r;
            }
            cx.step(
                Verdict::Warning,
                Reason::LaravelRouteMiss,
                format!("{method} is not allowed on /{path}: 405"),
                format!(
                    "`/{path}` has routes for {} only: `MethodNotAllowedHttpException`, 405.",
                    allow.join(", ")
                ),
                spec::LARAVEL_ROUTING,
            );
            let mut r = Resp::new(405);
            r.headers.push("Allow", allow.join(", "));
            return r;
        };
        let app = &self.app;
        // The group's session middleware: web always, api through Sanctum.
        let (stateful, forced) = match group {
            Group::Web => (true, Forced { by_sanctum: false }),
            Group::Api if !app.stateful_api => {
                cx.step(
                    Verdict::Warning,
                    Reason::LaravelSanctumNotStateful,
                    format!("/{path} runs without a session"),
                    format!(
                        "`/{path}` is in the `api` group, and the `api` group has no `EnsureFrontendRequestsAreStateful` ({}), so no session starts, the session cookie is not read and `auth:sanctum` only looks for a Bearer token.",
                        match app.version {
                            super::settings::LaravelVersion::V10 => "its line in app/Http/Kernel.php is commented out",
                            _ => "bootstrap/app.php does not call `$middleware->statefulApi()`",
                        }
                    ),
                    spec::LARAVEL_SANCTUM_SPA,
                );
                (false, Forced { by_sanctum: false })
            }
            Group::Api => {
                let stateful = app.stateful();
                let (seen, hit) = from_frontend(req, &stateful);
                let list = stateful.join(",");
                match (&seen, &hit) {
                    (Some(seen), Some(entry)) => cx.step(
                        Verdict::Ok,
                        Reason::LaravelSanctumStateful,
                        format!("Sanctum: {} is a stateful domain", seen.trim_end_matches('/')),
                        format!(
                            "`EnsureFrontendRequestsAreStateful` takes the Referer (else the Origin) without its scheme, `{seen}`, and it matches `{entry}/*` of `SANCTUM_STATEFUL_DOMAINS` ({list}): the request gets the session, cookie encryption and CSRF verification. Sanctum also forces `session.http_only = true` and `session.same_site = 'lax'` for it."
                        ),
                        spec::LARAVEL_SANCTUM_SPA,
                    ),
                    _ => {
                        let why = match &seen {
                            None => "The request has neither a Referer nor an Origin header, so Sanctum cannot tell it comes from the SPA.".to_string(),
                            Some(seen) => {
                                let host_only = seen.trim_end_matches('/').split('/').next().unwrap_or("").to_string();
                                let port_hint = if let Some((h, _)) = host_only.rsplit_once(':') {
                                    if stateful.iter().any(|s| s.trim() == h) {
                                        format!(" `{h}` is listed, but the port is part of the match: `{h}` does not cover `{host_only}`.")
                                    } else {
                                        String::new()
                                    }
                                } else {
                                    String::new()
                                };
                                format!(
                                    "`EnsureFrontendRequestsAreStateful` takes the Referer (else the Origin) without its scheme, `{seen}`, and matches it against each entry of `SANCTUM_STATEFUL_DOMAINS` followed by `/*` ({list}); none matches.{port_hint} Add `{host_only}` (host and port) to SANCTUM_STATEFUL_DOMAINS in .env."
                                )
                            }
                        };
                        cx.step(
                            Verdict::Warning,
                            Reason::LaravelSanctumNotStateful,
                            "Sanctum did not treat the request as the SPA's".into(),
                            format!("{why} Without it no session starts, so `auth:sanctum` finds no logged-in user."),
                            spec::LARAVEL_SANCTUM_SPA,
                        )
                    }
                }
                (hit.is_some(), Forced { by_sanctum: true })
            }
        };
        if !stateful {
            return self.stateless_action(cx, action, &path);
        }
        self.stateful_action(cx, action, forced)
    }

    fn stateless_action(&self, cx: &mut Ctx, action: Action, path: &str) -> Resp {
        match action {
            Action::User => self.unauthenticated(cx),
            Action::Login | Action::Logout => {
                cx.step(
                    Verdict::Blocked,
                    Reason::LaravelSessionStoreNotSet,
                    "RuntimeException: Session store not set on request. (500)".into(),
                    format!("The controller of `/{path}` calls `$request->session()`, but no `StartSession` ran for this request, so Laravel throws `RuntimeException` and answers 500. Put the route in routes/web.php, or make the request stateful (Sanctum's stateful domains)."),
                    spec::LARAVEL_SESSION,
                );
                Resp::new(500)
            }
            Action::CsrfCookie => Resp::new(204),
        }
    }

    fn unauthenticated(&self, cx: &mut Ctx) -> Resp {
        let json = expects_json(cx.req);
        if json {
            cx.step(
                Verdict::Warning,
                Reason::LaravelUnauthenticated,
                "auth:sanctum: Unauthenticated. (401)".into(),
                "`auth:sanctum` found no user in the session (the `web` guard) and no Bearer token, so Laravel answers 401 `{\"message\":\"Unauthenticated.\"}`.".into(),
                spec::LARAVEL_SANCTUM_SPA,
            );
            return Resp::new(401);
        }
        match self.app.login_route {
            LoginRoute::Web => {
                let url = format!(
                    "{}://{}/login",
                    cx.req.scheme(),
                    cx.req
                        .url
                        .split("://")
                        .nth(1)
                        .and_then(|r| r.split('/').next())
                        .unwrap_or("")
                );
                cx.step(
                    Verdict::Warning,
                    Reason::LaravelUnauthenticated,
                    "auth:sanctum: redirect to the login route (302)".into(),
                    format!("`auth:sanctum` found no user, and the request does not expect JSON (no `Accept: application/json`), so the exception handler redirects to `route('login')`, {url}. Send `Accept: application/json` to get a 401 instead."),
                    spec::LARAVEL_SANCTUM_SPA,
                );
                let mut r = Resp::new(302);
                r.headers.push("Location", url);
                r
            }
            LoginRoute::Api => {
                cx.step(
                    Verdict::Blocked,
                    Reason::LaravelUnauthenticated,
                    "Route [login] not defined. (500)".into(),
                    "`auth:sanctum` found no user, the request does not expect JSON, and the exception handler redirects to `route('login')`, which no route is named: `RouteNotFoundException`, 500. Send `Accept: application/json` to get a 401.".into(),
                    spec::LARAVEL_SANCTUM_SPA,
                );
                Resp::new(500)
            }
        }
    }

    fn stateful_action(&self, cx: &mut Ctx, action: Action, forced: Forced) -> Resp {
        let app = &self.app;
        let name = app.session_cookie_name();
        let cookies = cx
            .req
            .headers
            .get("cookie")
            .map(|c| parse_cookie(&c))
            .unwrap_or_default();
        // EncryptCookies decrypts the incoming cookies; one that does not
        // decrypt is dropped.
        let session_id = cookies
            .iter()
            .find(|(n, _)| *n == name)
            .and_then(|(_, v)| decrypt_cookie(v));
        let mut store = self.store.borrow_mut();
        let mut session: RequestSession =
            start(&mut store, app.session.driver, session_id.as_deref());
        let mut resp = Resp::new(204);
        let method = cx.req.method.as_str();
        let mut csrf_ok = true;
        if !is_reading(method) {
            let source = token_from_request(cx.req);
            if tokens_match(&session.data.token, &source) {
                cx.step(
                    Verdict::Ok,
                    Reason::LaravelCsrfAccepted,
                    "VerifyCsrfToken: the token matches".into(),
                    match source {
                        TokenSource::XsrfHeader(_) => "`X-XSRF-TOKEN` decrypts to the session's `_token`: the CSRF check passes.",
                        _ => "`X-CSRF-TOKEN` is the session's `_token`: the CSRF check passes.",
                    }
                    .into(),
                    spec::LARAVEL_CSRF,
                );
            } else {
                csrf_ok = false;
                let why = match (&source, session.resumed) {
                    (_, false) if session_id.is_none() => "The request carries no session cookie Laravel can decrypt, so `StartSession` started a new session with a new `_token`, which no header can match. The browser must first get the cookies from `GET /sanctum/csrf-cookie` and send them back (credentials included, the session cookie stored).".to_string(),
                    (_, false) if app.session.driver == SessionDriver::Array => "`SESSION_DRIVER=array` keeps the session only for one request: every request starts a new session with a new `_token`. Use `database`, `file` or `redis`.".to_string(),
                    (_, false) => "The session cookie names no session the handler has, so a new session with a new `_token` started.".to_string(),
                    (TokenSource::None, true) => "The request has no `X-XSRF-TOKEN` (nor `X-CSRF-TOKEN`, nor a `_token` field). axios copies the `XSRF-TOKEN` cookie into `X-XSRF-TOKEN` by itself (for a cross-origin URL only with `withXSRFToken: true`); fetch never does: read the cookie and send it, `headers: { 'X-XSRF-TOKEN': decodeURIComponent(xsrfCookie) }`.".to_string(),
                    (TokenSource::XsrfUndecryptable, true) => "`X-XSRF-TOKEN` does not decrypt: it must be the `XSRF-TOKEN` cookie's value exactly as the cookie holds it (URL-decoded), encrypted by Laravel.".to_string(),
                    (TokenSource::CsrfHeader(t), true) if t.starts_with("eyJpdiI6") => "`X-CSRF-TOKEN` holds the encrypted `XSRF-TOKEN` cookie value; that header takes the plain token. Send the cookie's value in `X-XSRF-TOKEN` instead.".to_string(),
                    (_, true) => "The token sent is not the session's `_token` (a token from an older session, or from another user).".to_string(),
                };
                cx.step(
                    Verdict::Blocked,
                    Reason::LaravelCsrfMismatch,
                    "419: CSRF token mismatch.".into(),
                    format!("`VerifyCsrfToken` checks every {method}: {why} It throws `TokenMismatchException`, which Laravel answers with 419 \"CSRF token mismatch.\""),
                    spec::LARAVEL_CSRF,
                );
                resp.status = 419;
            }
        }
        if csrf_ok {
            match action {
                Action::CsrfCookie => {}
                Action::Login => {
                    // Auth::attempt, then session()->regenerate(): migrate(false)
                    // (a new id) and regenerateToken().
                    session.data.user = Some(1);
                    session.id = store.new_id();
                    session.data.token = store.new_token();
                }
                Action::Logout => {
                    // session()->invalidate() then regenerateToken().
                    store.destroy(&session.id);
                    session.data = Default::default();
                    session.id = store.new_id();
                    session.data.token = store.new_token();
                }
                Action::User => {
                    if session.data.user.is_some() {
                        resp.status = 200;
                    } else {
                        let r = self.unauthenticated(cx);
                        resp.status = r.status;
                        resp.headers = r.headers;
                    }
                }
            }
            // VerifyCsrfToken adds XSRF-TOKEN to every response it lets through.
            let x = xsrf_cookie(app, &session.data.token, forced);
            cx.step(
                Verdict::Ok,
                Reason::LaravelXsrfCookie,
                "VerifyCsrfToken set the XSRF-TOKEN cookie".into(),
                "Every response through `VerifyCsrfToken` carries `XSRF-TOKEN`: the session's CSRF token, encrypted, not HttpOnly so the page's JavaScript (axios) can read it, with the session's path, domain, secure and same_site.".into(),
                spec::LARAVEL_CSRF,
            );
            resp.cookies.push(x);
        }
        // StartSession: save, then add the session cookie (any response).
        if app.session.driver != SessionDriver::Array {
            store.save(&session.id, session.data.clone());
        }
        let c = session_cookie(app, &session.id, forced);
        cx.step(
            Verdict::Ok,
            Reason::LaravelSessionCookie,
            format!("StartSession set {}", c.name),
            format!(
                "`StartSession` adds the session cookie `{}` (`Str::slug(APP_NAME, '_').'_session'` unless SESSION_COOKIE is set) to every response, encrypted by `EncryptCookies`: SESSION_LIFETIME={} minutes{}, SESSION_DOMAIN={}, SESSION_SECURE_COOKIE={}, http_only {}, same_site {}{}.",
                c.name,
                app.session.lifetime,
                if app.session.expire_on_close { " but expire_on_close (no expiry)" } else { "" },
                app.session.domain.as_deref().unwrap_or("null"),
                match app.session.secure { Some(b) => b.to_string(), None => "null".into() },
                c.http_only,
                c.same_site.as_str(),
                if forced.by_sanctum { " (Sanctum forces http_only and lax on the requests it makes stateful)" } else { "" }
            ),
            spec::LARAVEL_SESSION,
        );
        resp.cookies.push(c);
        resp
    }
}

/// The `Cookie` header's pairs.
fn parse_cookie(header: &str) -> Vec<(String, String)> {
    header
        .split(';')
        .filter_map(|p| {
            let (n, v) = p.split_once('=')?;
            Some((n.trim().to_string(), v.trim().to_string()))
        })
        .collect()
}

impl ServerModel for LaravelModel {
    fn boot(&self) -> Result<(), Vec<Step>> {
        Ok(())
    }

    fn respond(&self, request: &WireRequest, request_index: usize) -> ServerReply {
        self.answer(request, Some(request_index))
    }

    /// The session handler's storage: the lab answers a run one request at
    /// a time, each from a model resumed with what the previous one saved.
    fn memory(&self) -> crate::http::ServerMemory {
        crate::http::ServerMemory {
            laravel_sessions: Some(self.store.borrow().clone()),
            ..Default::default()
        }
    }
}
