//! The Express app answering one request: its middleware stack in the
//! order `app.js` (see [`super::code`]) mounts it:
//!
//! 1. `app.use(cors(options))` when mounted app-wide;
//! 2. the session middleware;
//! 3. `app.options(path, cors(options))` when given;
//! 4. the routes (`POST login`, `GET me`), each with `cors(options)` first
//!    when mounted per route;
//! 5. `app.use(cors(options))` when mounted after the routes;
//! 6. Express's own answers: the automatic `OPTIONS` reply (router
//!    `handle`: 200 with `Allow`), the 404, and the error handler's 500.
//!
//! The session cookie is decided when the headers go out ([`super::session`]).

use super::cors::{self, CorsOutcome};
use super::session::{self, RequestFacts, SessionCookie, SESSION_VALUE};
use super::{CorsMount, ExpressApp, ExpressVersion, Front, OptionsPath, SessionKind};
use crate::headers::HeaderList;
use crate::http::{ServerModel, ServerReply, WireRequest, WireResponse};
use crate::simulate::SIM_EPOCH;
use crate::spec;
use crate::trace::{Phase, Reason, Step, Verdict};

/// Which route a request reaches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Route {
    Login,
    Me,
}

/// Express's default path matching (both versions: case-insensitive, an
/// optional trailing slash, `strict: false`).
fn path_is(path: &str, route: &str) -> bool {
    let p = path
        .strip_suffix('/')
        .filter(|p| !p.is_empty())
        .unwrap_or(path);
    let r = route
        .strip_suffix('/')
        .filter(|r| !r.is_empty())
        .unwrap_or(route);
    p.eq_ignore_ascii_case(r)
}

/// Set-Cookie lines never pass through `cors`: they are appended last.
fn cookie_lines(h: &mut HeaderList, lines: Vec<String>) {
    for l in lines {
        h.push("Set-Cookie", l);
    }
}

impl ExpressApp {
    /// Why the app does not start: Express 5 refuses `app.options('*', …)`
    /// (path-to-regexp 8: `Missing parameter name at index 1: *`).
    pub fn boot_errors(&self) -> Vec<Step> {
        let mut out = Vec::new();
        if self.cors.enabled
            && self.cors.mount == CorsMount::PerRoute
            && self.cors.options_path == OptionsPath::Star
            && self.version == ExpressVersion::V5
        {
            out.push(
                Step::new(
                    None,
                    Phase::Setup,
                    Verdict::Blocked,
                    Reason::BootError,
                    "Express 5 does not start: `app.options('*', …)` is not a valid path",
                    "Express 5 reads paths with path-to-regexp 8, where a wildcard needs a name: \
                     `'*'` throws `TypeError: Missing parameter name at index 1: *` when the \
                     route is added, so `node app.js` exits. Write `app.options('/{*splat}', \
                     cors(corsOptions))` (Express 5's form of \"every path\").",
                    spec::EXPRESS_5_PATHS,
                )
                .with("path", "'*'"),
            );
        }
        out
    }

    fn route_of(&self, path: &str) -> Option<Route> {
        if path_is(path, &self.login_path) {
            Some(Route::Login)
        } else if path_is(path, &self.me_path) {
            Some(Route::Me)
        } else {
            None
        }
    }

    /// Does `app.options(path, …)` match this path?
    fn options_route_matches(&self, path: &str) -> bool {
        match self.cors.options_path {
            OptionsPath::None => false,
            // path-to-regexp 0.1: `*` is `(.*)`; Express 5 never gets here (boot error).
            OptionsPath::Star => true,
            // Express 5: `/{*splat}` is every path, `/` too. Express 4 reads
            // the braces literally: only the path `/{<anything>splat}` matches.
            OptionsPath::Splat => match self.version {
                ExpressVersion::V5 => true,
                ExpressVersion::V4 => path.starts_with("/{") && path.ends_with("splat}"),
            },
            OptionsPath::Routes => self.route_of(path).is_some(),
        }
    }

    /// The request as Node sees it: TLS socket or not, `req.protocol`.
    fn facts(&self, req: &WireRequest) -> (bool, bool, Option<String>) {
        let https = req.scheme() == "https";
        let (encrypted, forwarded) = match self.front {
            Front::Direct => (https, req.headers.get("x-forwarded-proto")),
            Front::TlsProxy => (false, Some(req.scheme())),
            Front::TlsProxyNoHeader => (false, None),
        };
        let first = forwarded.map(|f| {
            f.split(',')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        });
        // `req.protocol`: the socket's, or X-Forwarded-Proto when `trust proxy` trusts the peer.
        let protocol_https = if self.trust_proxy {
            match &first {
                Some(p) if !p.is_empty() => p == "https",
                _ => encrypted,
            }
        } else {
            encrypted
        };
        (encrypted, protocol_https, first)
    }

    fn session_cookie_in(&self, req: &WireRequest) -> Option<String> {
        let name = self.session.cookie_name();
        let header = req.headers.get("cookie")?;
        header.split(';').find_map(|pair| {
            let (n, v) = pair.trim().split_once('=')?;
            (n == name).then(|| v.to_string())
        })
    }
}

/// Steps are collected while the stack runs.
struct Run<'a> {
    app: &'a ExpressApp,
    index: usize,
    steps: Vec<Step>,
}

impl Run<'_> {
    fn step(
        &mut self,
        verdict: Verdict,
        reason: Reason,
        title: String,
        why: String,
        s: crate::trace::SpecRef,
    ) {
        self.steps.push(Step::new(
            Some(self.index),
            Phase::Server,
            verdict,
            reason,
            title,
            why,
            s,
        ));
    }

    /// One call of `cors(options)`; `None` when it answered or failed (the reply is ready).
    fn cors(
        &mut self,
        req: &WireRequest,
        headers: HeaderList,
        where_: &str,
    ) -> Result<HeaderList, (u16, HeaderList)> {
        let origin = req.headers.get("origin");
        let acrh = req.headers.get("access-control-request-headers");
        match cors::run(
            &self.app.cors,
            &req.method,
            origin.as_deref(),
            acrh.as_deref(),
            headers.clone(),
        ) {
            CorsOutcome::Error => {
                self.step(
                    Verdict::Blocked,
                    Reason::ExpressCorsCallbackError,
                    format!("cors: the origin callback refused {} with an error (500)", origin.as_deref().unwrap_or("a request without Origin")),
                    "Your `origin` callback calls `callback(new Error('Not allowed by CORS'))` for an Origin that is not on its list, so `cors` passes the error to `next(err)` and Express's error handler answers 500 with no CORS headers. A request with no Origin at all (a same-origin request, a navigation, curl) is refused too. Call `callback(null, false)` to refuse without an error, and allow `!origin` if such requests should pass.".into(),
                    spec::EXPRESS_CORS,
                );
                Err((500, headers))
            }
            CorsOutcome::Skipped => {
                self.step(
                    Verdict::Warning,
                    Reason::ExpressCorsOriginRefused,
                    format!("cors ({where_}) sets no CORS headers for this Origin"),
                    "With `origin: false`, or an origin callback that answers `callback(null, false)`, `cors` calls `next()` without a single header: the route still runs, but the browser finds no `Access-Control-Allow-Origin`.".into(),
                    spec::EXPRESS_CORS,
                );
                Ok(headers)
            }
            CorsOutcome::Next(h) => {
                if h.get("access-control-allow-origin").is_none() {
                    self.step(
                        Verdict::Warning,
                        Reason::ExpressCorsOriginRefused,
                        format!("cors ({where_}): {} is not in `origin`", origin.as_deref().unwrap_or("no Origin")),
                        "`cors` reflects the Origin only when it equals a string (or matches a RegExp) of your `origin` list; otherwise it sends `Vary: Origin` and no `Access-Control-Allow-Origin`. Add the page's exact origin (scheme, host and port) to `origin`.".into(),
                        spec::EXPRESS_CORS,
                    );
                }
                Ok(h)
            }
            CorsOutcome::Answered(status, h) => {
                self.step(
                    Verdict::Ok,
                    Reason::ServerResponded,
                    format!("cors ({where_}) answers the preflight itself: {status}"),
                    format!("Every OPTIONS request reaching `cors` is a preflight to it: it sets the CORS headers and ends the response with `optionsSuccessStatus` ({status}) unless `preflightContinue: true`."),
                    spec::EXPRESS_CORS,
                );
                Err((status, h))
            }
        }
    }
}

impl ServerModel for ExpressApp {
    fn boot(&self) -> Result<(), Vec<Step>> {
        let errs = self.boot_errors();
        if errs.is_empty() {
            Ok(())
        } else {
            Err(errs)
        }
    }

    fn respond(&self, req: &WireRequest, request_index: usize) -> ServerReply {
        let mut run = Run {
            app: self,
            index: request_index,
            steps: Vec::new(),
        };
        let path = req.path();
        let method = req.method.to_ascii_uppercase();
        let (encrypted, req_secure, forwarded) = self.facts(req);
        let mut headers = HeaderList::new();
        let cors_on = self.cors.enabled;
        let mut modified = false;
        let mut extra_cookies = Vec::new();

        // The stack; `answer` holds (status, headers) once a layer responded.
        let mut answer: Option<(u16, HeaderList)> = None;
        let mut session_ran = false;
        if cors_on && self.cors.mount == CorsMount::AppWide {
            match run.cors(req, headers.clone(), "app.use") {
                Ok(h) => headers = h,
                Err(done) => answer = Some(done),
            }
        }
        if answer.is_none() {
            session_ran = true;
            if cors_on
                && self.cors.mount == CorsMount::PerRoute
                && method == "OPTIONS"
                && self.options_route_matches(&path)
            {
                match run.cors(req, headers.clone(), "app.options") {
                    Ok(h) => headers = h,
                    Err(done) => answer = Some(done),
                }
            }
        }
        let route = self.route_of(&path).filter(|r| match r {
            Route::Login => method == "POST",
            Route::Me => method == "GET" || method == "HEAD",
        });
        if answer.is_none() {
            if let Some(r) = route {
                if cors_on && self.cors.mount == CorsMount::PerRoute {
                    match run.cors(req, headers.clone(), "on the route") {
                        Ok(h) => headers = h,
                        Err(done) => answer = Some(done),
                    }
                }
                if answer.is_none() {
                    answer = Some(self.action(
                        &mut run,
                        r,
                        req,
                        &mut headers,
                        &mut modified,
                        &mut extra_cookies,
                    ));
                }
            }
        }
        if answer.is_none() && cors_on && self.cors.mount == CorsMount::AfterRoutes {
            match run.cors(req, headers.clone(), "app.use after the routes") {
                Ok(h) => headers = h,
                Err(done) => answer = Some(done),
            }
        }
        let (status, mut headers) = answer.unwrap_or_else(|| {
            if method == "OPTIONS" && self.route_of(&path).is_some() {
                let allow = match self.route_of(&path) {
                    Some(Route::Login) => "POST",
                    _ => "GET,HEAD",
                };
                run.step(
                    Verdict::Warning,
                    Reason::ExpressAutoOptions,
                    "Express answers the OPTIONS itself: 200, no CORS headers".into(),
                    "No `cors` answers this preflight (it is mounted on the routes only, and no `app.options(...)` covers this path), so Express's router replies to OPTIONS by itself with 200 and `Allow`, and no `Access-Control-Allow-Origin`. Add `app.options('/{*splat}', cors(corsOptions))` (Express 4: `app.options('*', cors(corsOptions))`) or mount `cors` with `app.use`.".into(),
                    spec::EXPRESS_ROUTING,
                );
                let mut h = headers.clone();
                h.push("Allow", allow);
                (200, h)
            } else {
                run.step(
                    Verdict::Warning,
                    Reason::ServerNoRoute,
                    format!("No route for {method} {path}: 404"),
                    "Express found no route for this method and path, so its final handler answers 404 (`Cannot GET …`); headers that middleware set before (such as CORS) stay.".into(),
                    spec::EXPRESS_ROUTING,
                );
                (404, headers.clone())
            }
        });

        // onHeaders: the session middleware decides its cookie as the headers go out.
        if session_ran && self.session.kind != SessionKind::None {
            let cookie = self.session_cookie_in(req);
            let known = cookie.as_deref().is_some_and(|v| self.issued(v));
            let facts = RequestFacts {
                encrypted,
                req_secure,
                forwarded_proto: forwarded.as_deref(),
                session_cookie: if known { cookie.as_deref() } else { None },
                modified,
                path: &path,
            };
            let decided = session::session_cookie(&self.session, &facts, SIM_EPOCH);
            self.explain_cookie(&mut run, &decided, &facts);
            // res.cookie appended during the route; the session's onHeaders comes after.
            cookie_lines(&mut headers, std::mem::take(&mut extra_cookies));
            if let SessionCookie::Written(lines) = decided {
                cookie_lines(&mut headers, lines);
            }
        }
        cookie_lines(&mut headers, extra_cookies);
        ServerReply {
            response: WireResponse { status, headers },
            steps: run.steps,
        }
    }
}

impl ExpressApp {
    /// A session cookie value this app issued.
    fn issued(&self, v: &str) -> bool {
        match self.session.kind {
            SessionKind::ExpressSession => v == SESSION_VALUE,
            SessionKind::CookieSession => v == session::COOKIE_SESSION_VALUE,
            SessionKind::None => false,
        }
    }

    fn action(
        &self,
        run: &mut Run,
        route: Route,
        req: &WireRequest,
        headers: &mut HeaderList,
        modified: &mut bool,
        extra: &mut Vec<String>,
    ) -> (u16, HeaderList) {
        if self.session.kind == SessionKind::None {
            run.step(
                Verdict::Blocked,
                Reason::SessionMiddlewareMissing,
                "No session middleware: `req.session` is undefined (500)".into(),
                "The route uses `req.session`, but neither `express-session` nor `cookie-session` is mounted, so `req.session.user` throws `TypeError: Cannot set properties of undefined` and Express answers 500. Add `app.use(session({ … }))` before the routes.".into(),
                spec::EXPRESS_SESSION,
            );
            return (500, headers.clone());
        }
        match route {
            Route::Login => {
                *modified = true;
                if let Some(c) = &self.res_cookie {
                    extra.push(session::res_cookie(c, SIM_EPOCH));
                    run.step(
                        Verdict::Ok,
                        Reason::CookieWritten,
                        format!("res.cookie('{}', …) adds its Set-Cookie", c.name),
                        "`res.cookie` serializes the cookie with the options given (`maxAge` in milliseconds becomes `Max-Age` in seconds and `Expires`; `path` defaults to `/`). Unlike the session middleware it never checks whether the request is secure.".into(),
                        spec::EXPRESS_RES_COOKIE,
                    );
                }
                run.step(
                    Verdict::Ok,
                    Reason::RouteMatched,
                    format!("POST {} sets req.session.user: 200", self.login_path),
                    "The login route writes the session, so the session middleware sets its cookie when the response goes out (if it may).".into(),
                    spec::EXPRESS_ROUTING,
                );
                (200, headers.clone())
            }
            Route::Me => {
                let known = self.session_cookie_in(req).is_some_and(|v| self.issued(&v));
                if known {
                    run.step(
                        Verdict::Ok,
                        Reason::SessionRead,
                        format!(
                            "Session cookie `{}` received: the app knows the user (200)",
                            self.session.cookie_name()
                        ),
                        "The request carried the session cookie, so `req.session.user` is set."
                            .into(),
                        spec::EXPRESS_SESSION,
                    );
                    (200, headers.clone())
                } else {
                    run.step(
                        Verdict::Blocked,
                        Reason::SessionMissing,
                        format!("No session cookie `{}`: the app does not know the user (401)", self.session.cookie_name()),
                        "The request arrived without the session cookie, so `req.session.user` is undefined and the route answers 401.".into(),
                        spec::EXPRESS_SESSION,
                    );
                    (401, headers.clone())
                }
            }
        }
    }

    fn explain_cookie(&self, run: &mut Run, c: &SessionCookie, f: &RequestFacts) {
        let name = self.session.cookie_name().to_string();
        let pkg = match self.session.kind {
            SessionKind::CookieSession => "cookie-session",
            _ => "express-session",
        };
        let spec = match self.session.kind {
            SessionKind::CookieSession => spec::COOKIE_SESSION,
            _ => spec::EXPRESS_SESSION,
        };
        match c {
            SessionCookie::Written(_) => run.step(
                Verdict::Ok,
                Reason::SessionWritten,
                format!("{pkg} sets the session cookie `{name}`"),
                "The session is new and changed (or `saveUninitialized`/`rolling` asks for it), so the middleware appends its Set-Cookie as the headers go out.".into(),
                spec,
            ),
            SessionCookie::Unchanged => {
                if f.modified || f.session_cookie.is_none() {
                    run.step(
                        Verdict::Ok,
                        Reason::SessionNotChanged,
                        format!("{pkg}: the session did not change, no Set-Cookie"),
                        "Nothing was stored in the session on this request and `saveUninitialized` is false, so no cookie is set.".into(),
                        spec,
                    );
                }
            }
            SessionCookie::NotSecure => run.step(
                Verdict::Blocked,
                Reason::SessionNotWrittenInsecure,
                format!("express-session does not set `{name}`: `cookie.secure` on a request it does not see as https"),
                if matches!(self.front, Front::TlsProxy | Front::TlsProxyNoHeader) && !self.trust_proxy && self.session.proxy != Some(true) {
                    "The browser talks https to your proxy, but Node sees plain http: without `app.set('trust proxy', 1)` Express ignores `X-Forwarded-Proto`, `req.secure` is false, and express-session silently sends no Set-Cookie at all (no error, no warning). Add `app.set('trust proxy', 1)` (or the session option `proxy: true`).".into()
                } else {
                    "With `cookie: { secure: true }` express-session only sets the cookie on a request it sees as secure (a TLS socket, or `X-Forwarded-Proto: https` from a trusted proxy). Over plain http it silently sends no Set-Cookie. Serve the API over https, or use `secure: 'auto'` (secure over https, not over http).".into()
                },
                spec::EXPRESS_TRUST_PROXY,
            ),
            SessionCookie::SecureThrown => run.step(
                Verdict::Blocked,
                Reason::SessionNotWrittenInsecure,
                format!("cookie-session does not set `{name}`: `secure: true` over plain http"),
                "cookie-session's `cookies` module throws `Cannot send secure cookie over unencrypted connection` when `secure: true` and `req.protocol` is not https; cookie-session catches it and sends no cookie. Behind a TLS proxy add `app.set('trust proxy', 1)`; in plain-http development leave `secure` unset (it then follows the request).".into(),
                spec::COOKIE_SESSION,
            ),
            SessionCookie::OutsidePath => run.step(
                Verdict::Warning,
                Reason::SessionNotChanged,
                "express-session skips this path (outside `cookie.path`)".to_string(),
                "express-session runs only for request paths that start with `cookie.path`.".into(),
                spec::EXPRESS_SESSION,
            ),
        }
    }
}
