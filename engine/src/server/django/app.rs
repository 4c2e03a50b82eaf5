//! One request through the Django stack: `MIDDLEWARE` is `startproject`'s
//! list (`SecurityMiddleware`, `SessionMiddleware`, `CommonMiddleware`,
//! `CsrfViewMiddleware`, `XFrameOptionsMiddleware`) with `CorsMiddleware`
//! where the settings put it. Requests go in through each middleware's
//! `process_request`, the URL resolver and `process_view`, then the view;
//! the response comes back out through each `process_response` in reverse
//! (`django/core/handlers/base.py`). An exception inside a middleware
//! becomes a response at that layer (`convert_exception_to_response`), which
//! the outer middleware still see.

use std::cell::{Cell, RefCell};

use crate::explain::spec;
use crate::headers::HeaderList;
use crate::http::{ServerModel, ServerReply, WireRequest, WireResponse};
use crate::simulate::SIM_EPOCH;
use crate::trace::{Phase, Reason, Step, Verdict};

use super::checks;
use super::cors_headers::{patch_vary, AllowedBy, Cors, OriginDecision};
use super::csrf;
use super::hosts::get_host;
use super::sessions::{
    delete_cookie_call, parse_cookie, set_cookie_line, CookieCall, RequestSession, Store,
};
use super::settings::{CorsPosition, DjangoApp, DjangoVersion, DjangoView};
use super::views::{resolve, should_redirect_with_slash};

/// A Django app with its server-side state (the session table or cache),
/// answering requests in order.
pub struct DjangoModel {
    pub app: DjangoApp,
    cors: Cors,
    store: RefCell<Store>,
    /// The server's clock (seconds since the Unix epoch) for `expires=`.
    now: Cell<i64>,
}

/// A response on its way out: `response.cookies` is part of the response
/// object, so a middleware that replaces the response drops them.
#[derive(Clone, Debug)]
struct Resp {
    status: u16,
    headers: HeaderList,
    /// `response.cookies`, in insertion order (one per name).
    cookies: Vec<(String, String)>,
}

impl Resp {
    fn new(status: u16) -> Resp {
        Resp {
            status,
            headers: HeaderList::new(),
            cookies: Vec::new(),
        }
    }

    fn set_cookie(&mut self, call: &CookieCall, now: i64) {
        let line = set_cookie_line(call, now);
        match self.cookies.iter_mut().find(|(n, _)| *n == call.name) {
            Some(c) => c.1 = line,
            None => self.cookies.push((call.name.clone(), line)),
        }
    }
}

/// What the model answered, with the steps that explain it.
pub type DjangoReply = ServerReply;

/// The state of one request inside the stack.
struct Ctx<'a> {
    req: &'a WireRequest,
    ri: Option<usize>,
    path: String,
    cookies: Vec<(String, String)>,
    session: RequestSession,
    /// `request.META["CSRF_COOKIE"]`: the secret for this request.
    csrf_secret: Option<String>,
    /// `request.META["CSRF_COOKIE_NEEDS_UPDATE"]`.
    csrf_needs_update: bool,
    steps: Vec<Step>,
}

impl Ctx<'_> {
    fn step(
        &mut self,
        verdict: Verdict,
        reason: Reason,
        title: String,
        why: String,
        s: crate::trace::SpecRef,
    ) {
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

    fn cookie(&self, name: &str) -> Option<&str> {
        self.cookies
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

impl DjangoModel {
    pub fn new(app: DjangoApp) -> DjangoModel {
        DjangoModel::with_clock(app, SIM_EPOCH)
    }

    pub fn with_clock(app: DjangoApp, now: i64) -> DjangoModel {
        Self::with_store(app, now, Store::default())
    }

    /// The model continuing with the sessions an earlier one saved.
    pub fn with_store(app: DjangoApp, now: i64, store: Store) -> DjangoModel {
        DjangoModel {
            cors: Cors::new(&app.cors),
            app,
            store: RefCell::new(store),
            now: Cell::new(now),
        }
    }

    /// Sets the server's clock (the differential suite uses the real time).
    pub fn set_clock(&self, now: i64) {
        self.now.set(now);
    }

    /// What the csrf view's JSON body carries (`get_token()` returns the
    /// secret masked; the unmasked secret is as good) for a request with
    /// these cookies: the secret in the session with `CSRF_USE_SESSIONS`,
    /// else the CSRF cookie's.
    pub fn csrf_token(&self, cookie_header: &str) -> Option<String> {
        let cookies = parse_cookie(cookie_header);
        let get = |name: &str| {
            cookies
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
        };
        if self.app.csrf.use_sessions {
            let key = get(&self.app.session.cookie_name);
            let mut s = RequestSession::new(self.app.session.engine, key.as_deref());
            s.csrf_secret(&mut self.store.borrow_mut())
        } else {
            get(&self.app.csrf.cookie_name)
        }
    }

    /// The request through the whole stack.
    pub fn answer(&self, req: &WireRequest, ri: Option<usize>) -> ServerReply {
        let app = &self.app;
        let cookies = req
            .headers
            .get("cookie")
            .map(|c| parse_cookie(&c))
            .unwrap_or_default();
        let session_cookie = cookies
            .iter()
            .find(|(n, _)| *n == app.session.cookie_name)
            .map(|(_, v)| v.clone());
        let mut cx = Ctx {
            req,
            ri,
            path: req.path(),
            cookies,
            session: RequestSession::new(app.session.engine, session_cookie.as_deref()),
            csrf_secret: None,
            csrf_needs_update: false,
            steps: Vec::new(),
        };
        let enabled = self.cors.is_enabled(&cx.path);
        let decision = self.cors.decide(req, enabled);
        let resp = match app.cors_position {
            CorsPosition::First => {
                let mut resp = if self.cors.is_preflight(req, enabled) {
                    self.preflight_step(&mut cx);
                    Resp::new(200)
                } else {
                    self.session_layer(&mut cx, |m, cx| {
                        m.common_layer(cx, |m, cx| m.csrf_and_view(cx))
                    })
                };
                self.cors_headers(&mut cx, &decision, &mut resp);
                resp
            }
            CorsPosition::AfterCommon => self.session_layer(&mut cx, |m, cx| {
                m.common_layer(cx, |m, cx| {
                    let mut resp = if m.cors.is_preflight(cx.req, enabled) {
                        m.preflight_step(cx);
                        Resp::new(200)
                    } else {
                        m.csrf_and_view(cx)
                    };
                    m.cors_headers(cx, &decision, &mut resp);
                    resp
                })
            }),
            CorsPosition::Missing => {
                cx.step(
                    Verdict::Warning,
                    Reason::DjangoCorsMiddlewareMissing,
                    "CorsMiddleware is not in MIDDLEWARE".into(),
                    "`corsheaders` is in `INSTALLED_APPS`, but `\"corsheaders.middleware.CorsMiddleware\"` \
                     is not in `MIDDLEWARE`, so no response carries an `Access-Control-Allow-Origin` \
                     header and a preflight reaches the view. Add it at the top of `MIDDLEWARE`."
                        .into(),
                    spec::DJANGO_CORS_HEADERS,
                );
                self.session_layer(&mut cx, |m, cx| {
                    m.common_layer(cx, |m, cx| m.csrf_and_view(cx))
                })
            }
        };
        let mut headers = resp.headers;
        for (_, line) in &resp.cookies {
            headers.push("Set-Cookie", line.clone());
        }
        cx.steps.push(
            Step::new(
                ri,
                Phase::Server,
                Verdict::Ok,
                Reason::ServerResponded,
                format!("Django answered {}", resp.status),
                format!(
                    "Django {} answered {} {} with {}.",
                    app.version.as_str(),
                    req.method,
                    cx.path,
                    resp.status
                ),
                spec::DJANGO_URLS,
            )
            .with("status", resp.status.to_string()),
        );
        ServerReply {
            response: WireResponse {
                status: resp.status,
                headers,
            },
            steps: cx.steps,
        }
    }

    fn preflight_step(&self, cx: &mut Ctx) {
        cx.step(
            Verdict::Ok,
            Reason::DjangoCorsPreflight,
            "CorsMiddleware answered the preflight".into(),
            "django-cors-headers answers an OPTIONS request with `Access-Control-Request-Method` \
             itself (200, empty body) before any view, CSRF check or URL resolution runs."
                .into(),
            spec::DJANGO_CORS_HEADERS,
        );
    }

    /// `CorsMiddleware.add_response_headers`, with its step.
    fn cors_headers(&self, cx: &mut Ctx, decision: &OriginDecision, resp: &mut Resp) {
        self.cors
            .add_response_headers(cx.req, decision, &mut resp.headers);
        let origin = cx.req.headers.get("origin").unwrap_or_default();
        let s = &self.app.cors;
        match decision {
            OriginDecision::PathNotEnabled => cx.step(
                Verdict::Warning,
                Reason::DjangoCorsUrlNotMatched,
                format!("{} does not match CORS_URLS_REGEX", cx.path),
                format!(
                    "django-cors-headers only handles paths that `re.match(CORS_URLS_REGEX, \
                     request.path_info)` accepts, and `CORS_URLS_REGEX = r'{}'` does not accept {}: \
                     no CORS headers, and a preflight goes on to the view.",
                    s.urls_regex, cx.path
                ),
                spec::DJANGO_CORS_HEADERS,
            ),
            OriginDecision::NoOrigin => {}
            OriginDecision::NotAllowed => cx.step(
                Verdict::Blocked,
                Reason::DjangoCorsOriginNotAllowed,
                format!("{origin} is not in CORS_ALLOWED_ORIGINS"),
                format!(
                    "django-cors-headers compares the Origin's scheme and host:port with each entry of \
                     `CORS_ALLOWED_ORIGINS` ({}) and `re.match`es it against \
                     `CORS_ALLOWED_ORIGIN_REGEXES` ({}); none matches, so the response gets only \
                     `Vary: origin` and no `Access-Control-Allow-Origin`. Add \"{origin}\" to \
                     `CORS_ALLOWED_ORIGINS`.",
                    py_list(&s.allowed_origins),
                    py_list(&s.allowed_origin_regexes)
                ),
                spec::DJANGO_CORS_HEADERS,
            ),
            OriginDecision::Allowed(by) => {
                let by = match by {
                    AllowedBy::AllowAll if s.allow_credentials => {
                        "`CORS_ALLOW_ALL_ORIGINS = True` with `CORS_ALLOW_CREDENTIALS = True`: \
                         django-cors-headers reflects every Origin, with credentials, so any site \
                         can read this API with the user's cookies. List the front end in \
                         `CORS_ALLOWED_ORIGINS` instead"
                            .to_string()
                    }
                    AllowedBy::AllowAll => "`CORS_ALLOW_ALL_ORIGINS = True`: `*`".to_string(),
                    AllowedBy::List(o) => format!("\"{o}\" in `CORS_ALLOWED_ORIGINS`"),
                    AllowedBy::Regex(r) => format!("r\"{r}\" in `CORS_ALLOWED_ORIGIN_REGEXES`"),
                };
                let verdict = if s.allow_all_origins && s.allow_credentials {
                    Verdict::Warning
                } else {
                    Verdict::Ok
                };
                cx.step(
                    verdict,
                    Reason::DjangoCorsAllowed,
                    format!("CorsMiddleware allowed {origin}"),
                    format!(
                        "Allowed by {by}; `Access-Control-Allow-Credentials: true` {}.",
                        if s.allow_credentials {
                            "is sent (`CORS_ALLOW_CREDENTIALS = True`)"
                        } else {
                            "is not sent (`CORS_ALLOW_CREDENTIALS` is `False` by default), so a \
                             credentialed request's response stays unreadable"
                        }
                    ),
                    spec::DJANGO_CORS_HEADERS,
                )
            }
        }
    }

    /// `SessionMiddleware`: `process_request` makes `request.session`,
    /// `process_response` saves it and sets or deletes the cookie.
    fn session_layer(&self, cx: &mut Ctx, inner: impl FnOnce(&Self, &mut Ctx) -> Resp) -> Resp {
        let mut resp = inner(self, cx);
        let s = &self.app.session;
        let mut store = self.store.borrow_mut();
        let empty = cx.session.is_empty();
        let had_cookie = cx.cookie(&s.cookie_name).is_some();
        let mut vary;
        if had_cookie && empty {
            let call = delete_cookie_call(
                &s.cookie_name,
                &s.cookie_path,
                s.cookie_domain.as_deref(),
                s.cookie_samesite,
            );
            resp.set_cookie(&call, self.now.get());
            vary = true;
            cx.step(
                Verdict::Ok,
                Reason::DjangoSessionDeleted,
                format!("The {} cookie is deleted", s.cookie_name),
                if cx.session.unknown_cookie {
                    format!(
                        "The `{}` cookie names a session this server does not have (expired, \
                         flushed, or from another database), so the session is empty and \
                         SessionMiddleware deletes the cookie (`Max-Age=0`).",
                        s.cookie_name
                    )
                } else {
                    format!(
                        "The session is empty (flushed by `logout()`, or a cookie value shorter \
                         than 8 characters), so SessionMiddleware deletes the `{}` cookie.",
                        s.cookie_name
                    )
                },
                spec::DJANGO_SESSIONS,
            );
        } else {
            vary = cx.session.accessed;
            if (cx.session.modified || s.save_every_request) && !empty && resp.status < 500 {
                let key = cx.session.save(&mut store);
                let max_age = (!s.expire_at_browser_close).then_some(s.cookie_age);
                let call = CookieCall {
                    name: s.cookie_name.clone(),
                    value: key,
                    max_age,
                    expires: None,
                    path: s.cookie_path.clone(),
                    domain: s.cookie_domain.clone(),
                    secure: s.cookie_secure,
                    httponly: s.cookie_httponly,
                    samesite: s.cookie_samesite,
                };
                resp.set_cookie(&call, self.now.get());
                // Django 5.0 added `Vary: Cookie` whenever the cookie is set.
                if self.app.version >= DjangoVersion::V5_2 {
                    vary = true;
                }
                cx.steps.push(
                    Step::new(
                        cx.ri,
                        Phase::Server,
                        Verdict::Ok,
                        Reason::SessionWritten,
                        format!("SessionMiddleware set the {} cookie", s.cookie_name),
                        session_cookie_explanation(&self.app),
                        spec::DJANGO_SESSIONS,
                    )
                    .with("SESSION_COOKIE_SAMESITE", s.cookie_samesite.python())
                    .with(
                        "SESSION_COOKIE_SECURE",
                        if s.cookie_secure { "True" } else { "False" },
                    ),
                );
            }
        }
        if vary {
            patch_vary(&mut resp.headers, "Cookie");
        }
        resp
    }

    /// `CommonMiddleware`: `get_host()` (`DisallowedHost`: 400) on the way
    /// in, `APPEND_SLASH` on a 404 on the way out.
    fn common_layer(&self, cx: &mut Ctx, inner: impl FnOnce(&Self, &mut Ctx) -> Resp) -> Resp {
        if let Err(e) = get_host(self.app_ref(), cx.req) {
            cx.step(
                Verdict::Blocked,
                Reason::DjangoDisallowedHost,
                "DisallowedHost: 400 Bad Request".into(),
                format!(
                    "{} CommonMiddleware calls `request.get_host()`, which checks the Host header \
                     against `ALLOWED_HOSTS` ({}), and Django answers 400 before any view runs.",
                    e.message,
                    py_list(&super::hosts::effective_allowed_hosts(self.app_ref()))
                ),
                spec::DJANGO_ALLOWED_HOSTS,
            );
            let mut resp = Resp::new(400);
            self.error_view(cx, &mut resp);
            return resp;
        }
        let resp = inner(self, cx);
        if resp.status == 404 && should_redirect_with_slash(self.app_ref(), &cx.path) {
            let unsafe_method =
                ["DELETE", "POST", "PUT", "PATCH"].contains(&cx.req.method.as_str());
            if self.app.debug && unsafe_method {
                cx.step(
                    Verdict::Blocked,
                    Reason::DjangoAppendSlash,
                    "APPEND_SLASH: RuntimeError (500)".into(),
                    format!(
                        "You called this URL via {}, but the URL doesn't end in a slash and you \
                         have APPEND_SLASH set. Django can't redirect to the slash URL while \
                         maintaining {} data. Call {}/ (with the slash).",
                        cx.req.method, cx.req.method, cx.path
                    ),
                    spec::DJANGO_COMMON_MIDDLEWARE,
                );
                return Resp::new(500);
            }
            cx.step(
                Verdict::Warning,
                Reason::DjangoAppendSlash,
                format!("APPEND_SLASH: 301 to {}/", cx.path),
                format!(
                    "{} is not in the URLconf but {}/ is, so CommonMiddleware answers 301 Moved \
                     Permanently to the URL with a slash{}.",
                    cx.path,
                    cx.path,
                    if unsafe_method {
                        " (the browser follows it with GET: the body is lost)"
                    } else {
                        ""
                    }
                ),
                spec::DJANGO_COMMON_MIDDLEWARE,
            );
            let mut r = Resp::new(301);
            let query = cx.req.url.split_once('?').map(|(_, q)| q).unwrap_or("");
            let query = query.split('#').next().unwrap_or("");
            let loc = if query.is_empty() {
                format!("{}/", cx.path)
            } else {
                format!("{}/?{query}", cx.path)
            };
            r.headers.set("Location", loc);
            return r;
        }
        resp
    }

    fn app_ref(&self) -> &DjangoApp {
        &self.app
    }

    /// `CsrfViewMiddleware.process_request`, the resolver,
    /// `process_view`, the view and `process_response`.
    fn csrf_and_view(&self, cx: &mut Ctx) -> Resp {
        self.csrf_process_request(cx);
        let mut resp = self.resolve_and_run(cx);
        self.csrf_process_response(cx, &mut resp);
        resp
    }

    /// Django's error views (`bad_request`, `page_not_found` in
    /// `django/views/defaults.py`, used when `DEBUG` is off) are
    /// `@requires_csrf_token`: they run CsrfViewMiddleware's request and
    /// response steps themselves, so even a 400 for a bad Host reads the
    /// CSRF secret (from the session with `CSRF_USE_SESSIONS`) and may set
    /// the cookie.
    fn error_view(&self, cx: &mut Ctx, resp: &mut Resp) {
        if !self.app.debug {
            self.csrf_process_request(cx);
            self.csrf_process_response(cx, resp);
        }
    }

    /// `CsrfViewMiddleware.process_request`: `_get_secret`.
    fn csrf_process_request(&self, cx: &mut Ctx) {
        let app = &self.app;
        let mut store = self.store.borrow_mut();
        if app.csrf.use_sessions {
            cx.csrf_secret = cx
                .session
                .csrf_secret(&mut store)
                .map(|s| csrf::secret_of(&s));
        } else if let Some(c) = cx.cookie(&app.csrf.cookie_name).map(str::to_string) {
            match csrf::check_token_format(&c) {
                Ok(()) => cx.csrf_secret = Some(csrf::secret_of(&c)),
                Err(_) => {
                    // `_add_new_csrf_cookie`: a malformed cookie is replaced.
                    cx.csrf_secret = Some(store.new_csrf_secret());
                    cx.csrf_needs_update = true;
                }
            }
        }
    }

    /// `CsrfViewMiddleware.process_response`: `_set_csrf_cookie` when needed.
    fn csrf_process_response(&self, cx: &mut Ctx, resp: &mut Resp) {
        let app = &self.app;
        if cx.csrf_needs_update {
            cx.csrf_needs_update = false;
            let secret = cx.csrf_secret.clone().unwrap_or_default();
            let mut store = self.store.borrow_mut();
            if app.csrf.use_sessions {
                if cx.session.csrf_secret(&mut store).as_deref() != Some(secret.as_str()) {
                    cx.session.set_csrf_secret(&mut store, &secret);
                }
            } else {
                let c = &app.csrf;
                resp.set_cookie(
                    &CookieCall {
                        name: c.cookie_name.clone(),
                        value: secret,
                        max_age: c.cookie_age,
                        expires: None,
                        path: c.cookie_path.clone(),
                        domain: c.cookie_domain.clone(),
                        secure: c.cookie_secure,
                        httponly: c.cookie_httponly,
                        samesite: c.cookie_samesite,
                    },
                    self.now.get(),
                );
                patch_vary(&mut resp.headers, "Cookie");
                cx.steps.push(
                    Step::new(
                        cx.ri,
                        Phase::Server,
                        Verdict::Ok,
                        Reason::DjangoCsrfCookieSet,
                        format!("CsrfViewMiddleware set the {} cookie", c.cookie_name),
                        format!(
                            "`get_token()` (or `rotate_token()` in `login()`) marked the CSRF cookie \
                             for sending. The page must send its value back in the `{}` header on \
                             every unsafe request. {}; {}.",
                            csrf::header_display_name(&c.header_name),
                            super::settings::default_note("CSRF_COOKIE_SAMESITE").unwrap_or(""),
                            super::settings::default_note("CSRF_COOKIE_HTTPONLY").unwrap_or("")
                        ),
                        spec::DJANGO_CSRF,
                    )
                    .with("CSRF_COOKIE_SAMESITE", c.cookie_samesite.python()),
                );
            }
        }
    }

    fn resolve_and_run(&self, cx: &mut Ctx) -> Resp {
        let app = &self.app;
        let Some(route) = resolve(app, &cx.path).cloned() else {
            cx.step(
                Verdict::Warning,
                Reason::ServerNoRoute,
                format!("{} is not in urls.py: 404", cx.path),
                format!(
                    "No `path()` in `urlpatterns` matches {} ({}).",
                    cx.path,
                    app.urls
                        .iter()
                        .map(|r| format!("\"{}\"", r.route))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                spec::DJANGO_URLS,
            );
            let mut resp = Resp::new(404);
            self.error_view(cx, &mut resp);
            return resp;
        };
        // process_view.
        let method = cx.req.method.as_str();
        let safe = ["GET", "HEAD", "OPTIONS", "TRACE"].contains(&method);
        if !route.csrf_exempt && !safe {
            if let Err(reason) = self.csrf_checks(cx) {
                cx.steps.push(
                    Step::new(
                        cx.ri,
                        Phase::Server,
                        Verdict::Blocked,
                        Reason::DjangoCsrfRejected,
                        format!("Forbidden (403): {reason}"),
                        csrf_failure_explanation(app, &reason),
                        spec::DJANGO_CSRF,
                    )
                    .with("reason", reason.clone()),
                );
                return Resp::new(403);
            }
            cx.step(
                Verdict::Ok,
                Reason::DjangoCsrfAccepted,
                "CSRF checks passed".into(),
                format!(
                    "The Origin is trusted and the `{}` header holds the token of the `{}` {}.",
                    csrf::header_display_name(&app.csrf.header_name),
                    app.csrf.cookie_name,
                    if app.csrf.use_sessions {
                        "secret in the session"
                    } else {
                        "cookie"
                    }
                ),
                spec::DJANGO_CSRF,
            );
        }
        let mut store = self.store.borrow_mut();
        let status = match route.view {
            DjangoView::Login => {
                if method != "POST" {
                    drop(store);
                    cx.step(
                        Verdict::Warning,
                        Reason::DjangoMethodNotAllowed,
                        format!("{method} {}: 405 (login_view is @require_POST)", cx.path),
                        "The login view only accepts POST.".into(),
                        spec::DJANGO_URLS,
                    );
                    let mut r = Resp::new(405);
                    r.headers.set("Allow", "POST");
                    return r;
                }
                // `login()`: `cycle_key()`, the user in the session, `rotate_token()`.
                cx.session.cycle_key(&mut store);
                cx.session.set_user_id(&mut store, "1");
                cx.csrf_secret = Some(store.new_csrf_secret());
                cx.csrf_needs_update = true;
                200
            }
            DjangoView::Me => {
                let user = cx.session.user_id(&mut store);
                drop(store);
                let name = &app.session.cookie_name;
                match user {
                    Some(u) => {
                        cx.steps.push(
                            Step::new(
                                cx.ri,
                                Phase::Server,
                                Verdict::Ok,
                                Reason::SessionRead,
                                "The session knows the user",
                                format!(
                                    "The `{name}` cookie arrived and its session holds the user."
                                ),
                                spec::DJANGO_SESSIONS,
                            )
                            .with("user_id", u),
                        );
                        200
                    }
                    None => {
                        let had = cx.cookie(name).is_some();
                        cx.step(
                            Verdict::Blocked,
                            Reason::SessionMissing,
                            "No user in the session: 401".into(),
                            if had {
                                format!(
                                    "The `{name}` cookie arrived, but its session holds no user."
                                )
                            } else {
                                format!(
                                    "No `{name}` cookie arrived, so `request.session` is a new, \
                                     empty session and the view answers 401."
                                )
                            },
                            spec::DJANGO_SESSIONS,
                        );
                        401
                    }
                }
            }
            DjangoView::Csrf => {
                // `get_token()`.
                if cx.csrf_secret.is_none() {
                    cx.csrf_secret = Some(store.new_csrf_secret());
                }
                cx.csrf_needs_update = true;
                200
            }
            DjangoView::Logout => {
                cx.session.flush(&mut store);
                200
            }
        };
        Resp::new(status)
    }

    /// `process_view`'s checks for an unsafe method: Origin, then (HTTPS,
    /// no Origin) Referer, then the token.
    fn csrf_checks(&self, cx: &mut Ctx) -> Result<(), String> {
        let app = &self.app;
        if let Some(origin) = cx.req.headers.get("origin") {
            if !csrf::origin_verified(app, cx.req, &origin) {
                return Err(format!(
                    "Origin checking failed - {origin} does not match any trusted origins."
                ));
            }
        } else if super::hosts::is_secure(app, cx.req) {
            csrf::check_referer(app, cx.req)?;
        }
        csrf::check_token(app, cx.req, cx.csrf_secret.as_deref())
    }
}

impl ServerModel for DjangoModel {
    fn boot(&self) -> Result<(), Vec<Step>> {
        let steps = checks::boot_steps(&self.app);
        if steps.is_empty() {
            Ok(())
        } else {
            Err(steps)
        }
    }

    fn respond(&self, request: &WireRequest, request_index: usize) -> ServerReply {
        self.answer(request, Some(request_index))
    }

    /// The sessions and CSRF secrets so far: the lab resumes the next
    /// request's model with them.
    fn memory(&self) -> crate::http::ServerMemory {
        crate::http::ServerMemory {
            django_sessions: Some(self.store.borrow().clone()),
            ..Default::default()
        }
    }
}

/// A Python list literal of strings.
fn py_list(items: &[String]) -> String {
    format!(
        "[{}]",
        items
            .iter()
            .map(|s| super::hosts::py_repr(s))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

fn session_cookie_explanation(app: &DjangoApp) -> String {
    let s = &app.session;
    let mut out = format!(
        "The session was modified, so SessionMiddleware saved it ({}) and set `{}`",
        s.engine.module(),
        s.cookie_name
    );
    match s.cookie_samesite {
        super::settings::SameSiteSetting::Lax => out.push_str(
            ". `SESSION_COOKIE_SAMESITE` is `'Lax'` by default since Django 2.1, so the browser \
             sends this cookie only to requests from the same site and top-level GET navigations: \
             a fetch from a front end on another site goes without it. For a cross-site SPA set \
             `SESSION_COOKIE_SAMESITE = 'None'` and `SESSION_COOKIE_SECURE = True` (HTTPS)",
        ),
        super::settings::SameSiteSetting::None if !s.cookie_secure => out.push_str(
            " with `SameSite=None` but without `Secure`: browsers reject such a cookie. Set \
             `SESSION_COOKIE_SECURE = True`",
        ),
        _ => {}
    }
    out.push('.');
    out
}

fn csrf_failure_explanation(app: &DjangoApp, reason: &str) -> String {
    let fix = if reason.starts_with("Origin checking failed") {
        "Add the front end's origin, with its scheme, to `CSRF_TRUSTED_ORIGINS` (since Django 4.0 \
         the Origin header is checked against it): `CSRF_TRUSTED_ORIGINS = ['https://app.example.com']`."
            .to_string()
    } else if reason.starts_with("Referer checking failed") {
        "Over HTTPS a request without Origin needs a Referer from a trusted origin; add the \
         front end to `CSRF_TRUSTED_ORIGINS`."
            .to_string()
    } else if reason == "CSRF cookie not set." {
        format!(
            "The request carried no `{}` cookie: fetch the csrf view first (with credentials) and \
             make sure the browser keeps and sends the cookie (`CSRF_COOKIE_SAMESITE`, \
             `credentials: 'include'`).",
            app.csrf.cookie_name
        )
    } else {
        format!(
            "Send the `{}` cookie's value in the `{}` header (`CSRF_HEADER_NAME = '{}'`).",
            app.csrf.cookie_name,
            csrf::header_display_name(&app.csrf.header_name),
            app.csrf.header_name
        )
    };
    format!(
        "Forbidden (403) CSRF verification failed. Request aborted. Reason given for failure: \
         {reason} CsrfViewMiddleware checks every POST, PUT, PATCH and DELETE before the view runs, \
         so the session is not touched. {fix}"
    )
}
