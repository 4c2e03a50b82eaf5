//! One request through a FastAPI app as Starlette builds it
//! (`Starlette.build_middleware_stack`, `starlette/applications.py`):
//! uvicorn's `ProxyHeadersMiddleware`, then `ServerErrorMiddleware`, then
//! the `add_middleware` calls with the last one added outermost, then
//! `ExceptionMiddleware` and the router. An exception a route raises is
//! answered by `ServerErrorMiddleware`, outside every added middleware: its
//! 500 carries no CORS headers and no session cookie.

use std::cell::Cell;

use crate::explain::spec;
use crate::fetch::headers::HeaderList;
use crate::fetch::http::{ServerModel, ServerReply, WireRequest, WireResponse};
use crate::fetch::simulate::SIM_EPOCH;
use crate::trace::{Phase, Reason, SpecRef, Step, Verdict};

use super::cookies::{
    parse_cookies, session_clear_line, session_set_line, set_cookie_line, sign, unsign, Unsigned,
};
use super::cors::{add_vary_header, first, plain_text, CorsMiddleware, SimpleOutcome};
use super::literals::py_list;
use super::proxy::{client_ip, request_scheme};
use super::settings::*;

/// A FastAPI app answering requests in order.
pub struct FastApiModel {
    pub app: FastApiApp,
    cors: CorsMiddleware,
    /// The server's clock (seconds since the Unix epoch).
    now: Cell<i64>,
}

/// `scope["session"]` for one request.
#[derive(Default)]
struct Session {
    user_id: Option<String>,
    initial_empty: bool,
    accessed: bool,
    modified: bool,
}

struct Ctx<'a> {
    req: &'a WireRequest,
    ri: Option<usize>,
    path: String,
    scheme: String,
    session: Option<Session>,
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

/// A response on its way out, or the exception on its way to
/// `ServerErrorMiddleware`.
struct Resp {
    status: u16,
    headers: HeaderList,
}

type Outcome = Result<Resp, String>;

fn json(status: u16, body: &str) -> Resp {
    let mut headers = HeaderList::new();
    headers.push("content-length", body.len().to_string());
    headers.push("content-type", "application/json");
    Resp { status, headers }
}

impl FastApiModel {
    pub fn new(app: FastApiApp) -> FastApiModel {
        FastApiModel::with_clock(app, SIM_EPOCH)
    }

    pub fn with_clock(app: FastApiApp, now: i64) -> FastApiModel {
        FastApiModel {
            cors: CorsMiddleware::new(&app.cors, app.version),
            app,
            now: Cell::new(now),
        }
    }

    /// Sets the server's clock (the differential suite uses the real time).
    pub fn set_clock(&self, now: i64) {
        self.now.set(now);
    }

    /// The request through the whole stack.
    pub fn answer(&self, req: &WireRequest, ri: Option<usize>) -> ServerReply {
        let scheme = request_scheme(&self.app, req);
        let mut cx = Ctx {
            req,
            ri,
            path: req.path(),
            scheme: scheme.scheme.clone(),
            session: None,
            steps: Vec::new(),
        };
        if scheme.forwarded_ignored {
            self.proxy_step(&mut cx);
        }
        let outer: Vec<Middleware> = self.app.middleware.iter().rev().copied().collect();
        let resp = match self.layer(&outer, &mut cx) {
            Ok(r) => r,
            Err(exception) => self.server_error(&mut cx, &exception),
        };
        let v = self.app.version;
        cx.steps.push(
            Step::new(
                ri,
                Phase::Server,
                Verdict::Ok,
                Reason::ServerResponded,
                format!("FastAPI answered {}", resp.status),
                format!(
                    "{} answered {} {} with {}.",
                    v.label(),
                    req.method,
                    cx.path,
                    resp.status
                ),
                spec::STARLETTE_MIDDLEWARE,
            )
            .with("status", resp.status.to_string()),
        );
        ServerReply {
            response: WireResponse {
                status: resp.status,
                headers: resp.headers,
            },
            steps: cx.steps,
        }
    }

    /// The added middleware, outermost first, then the router.
    fn layer(&self, stack: &[Middleware], cx: &mut Ctx) -> Outcome {
        let Some((m, inner)) = stack.split_first() else {
            return self.route(cx);
        };
        match m {
            Middleware::Cors => self.cors_layer(inner, cx),
            Middleware::Session => self.session_layer(inner, cx),
            Middleware::HttpsRedirect => self.https_redirect_layer(inner, cx),
        }
    }

    fn proxy_step(&self, cx: &mut Ctx) {
        let allow = self.app.effective_forwarded_allow_ips();
        let ip = client_ip(&self.app, cx.req);
        let why = if !self.app.proxy_headers {
            "uvicorn runs with `--no-proxy-headers`, so it ignores `X-Forwarded-Proto`".to_string()
        } else {
            format!(
                "uvicorn reads `X-Forwarded-Proto` only from an address in `--forwarded-allow-ips` \
                 (`{allow}`{}), and the proxy connects from {ip}",
                if self.app.forwarded_allow_ips.is_none() {
                    ", uvicorn's default"
                } else {
                    ""
                }
            )
        };
        cx.step(
            Verdict::Warning,
            Reason::FastApiProxySchemeIgnored,
            "request.url.scheme is http behind the TLS proxy".into(),
            format!(
                "{why}: `request.url.scheme` stays `http`, so `url_for()`, the trailing-slash \
                 redirect and `HTTPSRedirectMiddleware` all work with http URLs. Start uvicorn with \
                 `--forwarded-allow-ips={ip}` (the proxy's address)."
            ),
            spec::UVICORN_PROXY_HEADERS,
        );
    }

    /// `ServerErrorMiddleware.error_response`: 500 `Internal Server Error`.
    fn server_error(&self, cx: &mut Ctx, exception: &str) -> Resp {
        let cors = self.app.has(Middleware::Cors);
        cx.step(
            Verdict::Blocked,
            Reason::FastApiServerError,
            "500 Internal Server Error (no CORS headers)".into(),
            format!(
                "The route raised `{exception}`. Starlette answers an unhandled exception in \
                 `ServerErrorMiddleware`, which sits outside every `add_middleware` layer{}: the \
                 500 carries no `Access-Control-Allow-Origin`, so the browser reports a CORS error \
                 instead of the server error. Fix the exception (see uvicorn's log), or raise \
                 `HTTPException` for errors the page should read.",
                if cors {
                    ", CORSMiddleware included"
                } else {
                    ""
                }
            ),
            spec::STARLETTE_ERRORS,
        );
        let mut headers = HeaderList::new();
        plain_text(&mut headers, "Internal Server Error");
        Resp {
            status: 500,
            headers,
        }
    }

    /// `CORSMiddleware.__call__`.
    fn cors_layer(&self, inner: &[Middleware], cx: &mut Ctx) -> Outcome {
        let o = &self.app.cors;
        if CorsMiddleware::is_preflight(cx.req) {
            let p = self.cors.preflight_response(cx.req);
            let origin = first(&cx.req.headers, "origin").unwrap_or_default();
            if p.failures.is_empty() {
                cx.step(
                    Verdict::Ok,
                    Reason::FastApiCorsPreflight,
                    "CORSMiddleware answered the preflight: 200 OK".into(),
                    format!(
                        "CORSMiddleware answers an OPTIONS request with `Origin` and \
                         `Access-Control-Request-Method` itself, before any route runs: {origin} is \
                         allowed, the method is in `allow_methods` ({}) and every requested header \
                         is allowed.",
                        py_list(&o.allow_methods)
                    ),
                    spec::STARLETTE_CORS,
                );
            } else {
                let mut fixes = Vec::new();
                for f in &p.failures {
                    fixes.push(match *f {
                        "origin" => format!(
                            "{origin} is not in `allow_origins` ({}){}: add \"{origin}\"",
                            py_list(&o.allow_origins),
                            o.allow_origin_regex
                                .as_deref()
                                .map(|r| format!(" and `allow_origin_regex=r\"{r}\"` does not fullmatch it"))
                                .unwrap_or_default()
                        ),
                        "method" => format!(
                            "{} is not in `allow_methods` ({}; the default is `(\"GET\",)`): add it",
                            first(&cx.req.headers, "access-control-request-method").unwrap_or_default(),
                            py_list(&o.allow_methods)
                        ),
                        "headers" => format!(
                            "a requested header ({}) is not in `allow_headers` ({}, plus the four \
                             safelisted ones): add it",
                            first(&cx.req.headers, "access-control-request-headers").unwrap_or_default(),
                            py_list(&o.allow_headers)
                        ),
                        _ => "the request asks for private network access and \
                              `allow_private_network` is `False`"
                            .to_string(),
                    });
                }
                cx.step(
                    Verdict::Blocked,
                    Reason::FastApiCorsPreflightRejected,
                    format!("400 Disallowed CORS {}", p.failures.join(", ")),
                    format!(
                        "CORSMiddleware answered the preflight itself with 400 and the text \
                         \"Disallowed CORS {}\": {}.",
                        p.failures.join(", "),
                        fixes.join("; ")
                    ),
                    spec::STARLETTE_CORS,
                );
            }
            return Ok(Resp {
                status: p.status,
                headers: p.headers,
            });
        }
        let mut resp = self.layer(inner, cx)?;
        let outcome = self.cors.simple_headers(cx.req, &mut resp.headers);
        let origin = first(&cx.req.headers, "origin").unwrap_or_default();
        match outcome {
            SimpleOutcome::NoOrigin => {}
            SimpleOutcome::Refused => cx.step(
                Verdict::Blocked,
                Reason::FastApiCorsOriginRefused,
                format!("{origin} is not in allow_origins"),
                format!(
                    "CORSMiddleware compares the whole Origin with each entry of `allow_origins` \
                     ({}){} and none matches, so the response has no `Access-Control-Allow-Origin`. \
                     Add \"{origin}\" to `allow_origins` (scheme, host and port, no trailing slash).",
                    py_list(&o.allow_origins),
                    o.allow_origin_regex
                        .as_deref()
                        .map(|r| format!(" and `allow_origin_regex=r\"{r}\"` must match all of it"))
                        .unwrap_or_default()
                ),
                spec::STARLETTE_CORS,
            ),
            SimpleOutcome::Wildcard => cx.step(
                if o.allow_credentials {
                    Verdict::Warning
                } else {
                    Verdict::Ok
                },
                Reason::FastApiCorsAllowed,
                "CORSMiddleware sent Access-Control-Allow-Origin: *".into(),
                if o.allow_credentials {
                    format!(
                        "`allow_origins=[\"*\"]` with `allow_credentials=True`: Starlette {} mirrors \
                         the Origin only when the request carries a `Cookie` header, and this one \
                         has none, so it sent `*` next to `Access-Control-Allow-Credentials: true`, \
                         which the browser refuses for a credentialed request. List the front end \
                         in `allow_origins` instead.",
                        self.app.version.starlette()
                    )
                } else {
                    "`allow_origins=[\"*\"]`: any origin may read the response, without \
                     credentials."
                        .to_string()
                },
                spec::STARLETTE_CORS,
            ),
            SimpleOutcome::Mirrored => {
                let wildcard = self.cors.allow_all_origins;
                cx.step(
                    if wildcard {
                        Verdict::Warning
                    } else {
                        Verdict::Ok
                    },
                    Reason::FastApiCorsAllowed,
                    format!("CORSMiddleware allowed {origin}"),
                    if wildcard {
                        format!(
                            "`allow_origins=[\"*\"]` with `allow_credentials=True`: Starlette {} \
                             writes the request's Origin back{} with credentials, so any site can \
                             read this API as the logged-in user. List the front end in \
                             `allow_origins` instead.",
                            self.app.version.starlette(),
                            if self.app.version.starlette_1() {
                                ""
                            } else {
                                " (for a request with a `Cookie` header)"
                            }
                        )
                    } else {
                        format!(
                            "The Origin is allowed, so CORSMiddleware wrote it back in \
                             `Access-Control-Allow-Origin` with `Vary: Origin`; \
                             `Access-Control-Allow-Credentials: true` {}.",
                            if o.allow_credentials {
                                "is sent (`allow_credentials=True`)"
                            } else {
                                "is not sent (`allow_credentials` is `False` by default), so a \
                                 credentialed request's response stays unreadable"
                            }
                        )
                    },
                    spec::STARLETTE_CORS,
                )
            }
        }
        Ok(resp)
    }

    /// `SessionMiddleware.__call__` and its `send_wrapper`.
    fn session_layer(&self, inner: &[Middleware], cx: &mut Ctx) -> Outcome {
        let s = &self.app.session;
        let v = self.app.version;
        let cookies = cx
            .req
            .headers
            .get("cookie")
            .map(|c| parse_cookies(&c))
            .unwrap_or_default();
        let mut session = Session {
            initial_empty: true,
            ..Session::default()
        };
        if let Some((_, value)) = cookies.iter().find(|(n, _)| *n == s.session_cookie) {
            match unsign(value, s.max_age, self.now.get()) {
                Ok(id) => {
                    session.user_id = Some(id);
                    session.initial_empty = false;
                }
                Err(why) => cx.step(
                    Verdict::Warning,
                    Reason::FastApiSessionBadSignature,
                    format!(
                        "The {} cookie does not verify: an empty session",
                        s.session_cookie
                    ),
                    match why {
                        Unsigned::Expired => format!(
                            "The cookie is older than SessionMiddleware's `max_age` ({} s): \
                             itsdangerous raises `SignatureExpired` and the session starts empty.",
                            s.max_age.unwrap_or_default()
                        ),
                        Unsigned::BadSignature => "The cookie was not signed with this app's \
                             `secret_key` (another key, a restart with a random key, or another \
                             app's cookie of the same name): `BadSignature`, so the session starts \
                             empty."
                            .into(),
                    },
                    spec::STARLETTE_SESSIONS,
                ),
            }
        }
        cx.session = Some(session);
        let mut resp = self.layer(inner, cx)?;
        let session = cx.session.take().unwrap_or_default();
        let name = &s.session_cookie;
        if v.starlette_1() && session.accessed {
            add_vary_header(&mut resp.headers, "Cookie");
        }
        let has_data = session.user_id.is_some();
        let write = if v.starlette_1() {
            session.modified && has_data
        } else {
            has_data
        };
        let clear = if v.starlette_1() {
            session.modified && !has_data && !session.initial_empty
        } else {
            !has_data && !session.initial_empty
        };
        if write {
            let data = sign(session.user_id.as_deref().unwrap_or("1"), self.now.get());
            resp.headers
                .push("set-cookie", session_set_line(s, v, &data));
            cx.steps.push(
                Step::new(
                    cx.ri,
                    Phase::Server,
                    Verdict::Ok,
                    Reason::SessionWritten,
                    format!("SessionMiddleware set the {name} cookie"),
                    session_explanation(&self.app, session.modified),
                    spec::STARLETTE_SESSIONS,
                )
                .with("same_site", s.same_site.as_str())
                .with("https_only", if s.https_only { "True" } else { "False" }),
            );
        } else if clear {
            resp.headers.push("set-cookie", session_clear_line(s, v));
            cx.step(
                Verdict::Ok,
                Reason::FastApiSessionCleared,
                format!("SessionMiddleware cleared the {name} cookie"),
                format!(
                    "The session is empty now (`request.session.clear()`), so SessionMiddleware \
                     sends `{name}=null` with a 1970 `expires`: the browser deletes the cookie."
                ),
                spec::STARLETTE_SESSIONS,
            );
        } else if has_data {
            cx.step(
                Verdict::Ok,
                Reason::SessionNotChanged,
                format!("The {name} cookie is not sent again"),
                format!(
                    "Starlette {} writes the session cookie only when the route changed the \
                     session; this one only read it.",
                    v.starlette()
                ),
                spec::STARLETTE_SESSIONS,
            );
        }
        Ok(resp)
    }

    /// `HTTPSRedirectMiddleware`: a request whose scheme is `http` gets a
    /// 307 to the same URL with `https` (the port dropped when it is 80 or 443).
    fn https_redirect_layer(&self, inner: &[Middleware], cx: &mut Ctx) -> Outcome {
        if cx.scheme != "http" {
            return self.layer(inner, cx);
        }
        let host = authority(cx.req);
        let host = match host.rsplit_once(':') {
            Some((h, "80" | "443")) if !h.ends_with(']') || host.starts_with('[') => h.to_string(),
            _ => host,
        };
        let location = format!("https://{host}{}", path_and_query(cx.req));
        let behind_proxy = self.app.front == Front::TlsProxy;
        cx.step(
            Verdict::Blocked,
            Reason::FastApiHttpsRedirect,
            format!("HTTPSRedirectMiddleware: 307 to {location}"),
            if behind_proxy {
                format!(
                    "HTTPSRedirectMiddleware redirects every request whose `request.url.scheme` is \
                     `http`. Behind the TLS proxy uvicorn sees http and did not take the scheme from \
                     `X-Forwarded-Proto`, so even the https request is sent to {location} again: a \
                     redirect loop, and a preflight that is redirected fails. Make uvicorn trust \
                     the proxy (`--forwarded-allow-ips`), or let the proxy do the redirect."
                )
            } else {
                format!(
                    "HTTPSRedirectMiddleware answers every plain-http request with 307 to {location}; \
                     a preflight that is redirected fails."
                )
            },
            spec::STARLETTE_HTTPS_REDIRECT,
        );
        let mut headers = HeaderList::new();
        headers.push("content-length", "0");
        headers.push("location", location);
        Ok(Resp {
            status: 307,
            headers,
        })
    }

    /// `Router.app` (`starlette/routing.py`) and the routes of `main.py`.
    fn route(&self, cx: &mut Ctx) -> Outcome {
        let method = cx.req.method.as_str();
        let path = cx.path.clone();
        let allows = |m: &str, route_method: &str| {
            m == route_method || (route_method == "GET" && m == "HEAD")
        };
        let full = ROUTES
            .iter()
            .find(|(m, p)| *p == path && allows(method, m))
            .map(|(_, p)| *p);
        let partial = ROUTES.iter().find(|(_, p)| *p == path);
        let Some(route) = full else {
            if let Some((m, _)) = partial {
                cx.step(
                    Verdict::Warning,
                    Reason::FastApiMethodNotAllowed,
                    format!("{method} {path}: 405 Method Not Allowed"),
                    format!(
                        "{path} is declared with `@app.{}` only, so the router answers {method} with \
                         405 `{{\"detail\":\"Method Not Allowed\"}}`{}.",
                        m.to_ascii_lowercase(),
                        if method == "OPTIONS" {
                            " (an OPTIONS that is not a CORS preflight, or one no CORSMiddleware \
                             answered, reaches the routes)"
                        } else {
                            ""
                        }
                    ),
                    spec::STARLETTE_ROUTING,
                );
                let mut r = json(405, "{\"detail\":\"Method Not Allowed\"}");
                r.headers
                    .push("allow", if *m == "GET" { "GET, HEAD" } else { *m });
                return Ok(r);
            }
            if self.app.redirect_slashes && path != "/" {
                let other = match path.strip_suffix('/') {
                    Some(p) => p.trim_end_matches('/').to_string(),
                    None => format!("{path}/"),
                };
                if ROUTES.iter().any(|(_, p)| *p == other) {
                    let query = path_and_query(cx.req)
                        .split_once('?')
                        .map(|(_, q)| format!("?{q}"))
                        .unwrap_or_default();
                    let location = format!("{}://{}{other}{query}", cx.scheme, authority(cx.req));
                    let mixed = cx.scheme == "http" && cx.req.scheme() == "https";
                    cx.step(
                        Verdict::Warning,
                        Reason::FastApiRedirectSlashes,
                        format!("redirect_slashes: 307 to {location}"),
                        format!(
                            "{path} is not a route but {other} is, so Starlette's router answers 307 \
                             Temporary Redirect to {location} (`redirect_slashes=True` by default){}.",
                            if mixed {
                                ": an http URL, because uvicorn did not take the scheme from \
                                 `X-Forwarded-Proto`; the browser blocks it as mixed content or \
                                 the cross-origin redirect fails. Call the exact path, and let \
                                 uvicorn trust the proxy (`--forwarded-allow-ips`)"
                            } else {
                                ". A preflight is answered by CORSMiddleware first, but the actual \
                                 request is redirected; call the path exactly as declared"
                            }
                        ),
                        spec::STARLETTE_ROUTING,
                    );
                    let mut headers = HeaderList::new();
                    headers.push("content-length", "0");
                    headers.push("location", location);
                    return Ok(Resp {
                        status: 307,
                        headers,
                    });
                }
            }
            cx.step(
                Verdict::Warning,
                Reason::ServerNoRoute,
                format!("{path} is not a route: 404"),
                format!(
                    "No route of main.py matches {path} ({}), so FastAPI answers 404 \
                     `{{\"detail\":\"Not Found\"}}`.",
                    ROUTES
                        .iter()
                        .map(|(m, p)| format!("{m} {p}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                spec::STARLETTE_ROUTING,
            );
            return Ok(json(404, "{\"detail\":\"Not Found\"}"));
        };
        let has_session = cx.session.is_some();
        match route {
            LOGIN_PATH => {
                if let Some(s) = cx.session.as_mut() {
                    // `request.session["user_id"] = 1`.
                    s.accessed = true;
                    s.modified = true;
                    s.user_id = Some("1".into());
                }
                let mut r = json(200, "{\"ok\":true}");
                if let Some(call) = &self.app.set_cookie {
                    if call.partitioned {
                        return Err(
                            "ValueError: Partitioned cookies are only supported in Python \
                                    3.14 and above."
                                .into(),
                        );
                    }
                    r.headers
                        .push("set-cookie", set_cookie_line(call, self.now.get()));
                    cx.steps.push(
                        Step::new(
                            cx.ri,
                            Phase::Server,
                            Verdict::Ok,
                            Reason::FastApiSetCookie,
                            format!("response.set_cookie(\"{}\")", call.key),
                            set_cookie_explanation(call),
                            spec::STARLETTE_SET_COOKIE,
                        )
                        .with(
                            "samesite",
                            call.samesite.clone().unwrap_or_else(|| "None".into()),
                        )
                        .with("secure", if call.secure { "True" } else { "False" }),
                    );
                }
                if !has_session && self.app.set_cookie.is_none() {
                    cx.step(
                        Verdict::Warning,
                        Reason::SessionMissing,
                        "The login sets no cookie".into(),
                        "main.py has neither SessionMiddleware nor a `response.set_cookie(...)` \
                         call, so the login leaves nothing for the next request."
                            .into(),
                        spec::STARLETTE_SESSIONS,
                    );
                }
                Ok(r)
            }
            ME_PATH => {
                let user = match cx.session.as_mut() {
                    Some(s) => {
                        s.accessed = true;
                        s.user_id.clone()
                    }
                    None => self.app.set_cookie.as_ref().and_then(|c| {
                        cx.req
                            .headers
                            .get("cookie")
                            .map(|h| parse_cookies(&h))
                            .unwrap_or_default()
                            .into_iter()
                            .find(|(n, v)| *n == c.key && *v == c.value)
                            .map(|_| "1".to_string())
                    }),
                };
                let name = if has_session {
                    self.app.session.session_cookie.clone()
                } else {
                    self.app
                        .set_cookie
                        .as_ref()
                        .map(|c| c.key.clone())
                        .unwrap_or_else(|| "session".into())
                };
                match user {
                    Some(u) => {
                        cx.steps.push(
                            Step::new(
                                cx.ri,
                                Phase::Server,
                                Verdict::Ok,
                                Reason::SessionRead,
                                "The session knows the user",
                                format!("The `{name}` cookie arrived and names the user."),
                                spec::STARLETTE_SESSIONS,
                            )
                            .with("user_id", u),
                        );
                        Ok(json(200, "{\"user_id\":1}"))
                    }
                    None => {
                        cx.step(
                            Verdict::Blocked,
                            Reason::SessionMissing,
                            "No user: 401".into(),
                            format!(
                                "No valid `{name}` cookie arrived, so the route raises \
                                 `HTTPException(401)`."
                            ),
                            spec::STARLETTE_SESSIONS,
                        );
                        Ok(json(401, "{\"detail\":\"Not authenticated\"}"))
                    }
                }
            }
            LOGOUT_PATH => {
                if let Some(s) = cx.session.as_mut() {
                    // `request.session.clear()`.
                    s.accessed = true;
                    s.modified = true;
                    s.user_id = None;
                }
                Ok(json(200, "{\"ok\":true}"))
            }
            _ => Err("RuntimeError: boom".into()),
        }
    }
}

/// `host[:port]` as the Host header carries it (the URL's authority).
fn authority(req: &WireRequest) -> String {
    let rest = req
        .url
        .split_once("://")
        .map(|(_, r)| r)
        .unwrap_or(&req.url);
    rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())].to_string()
}

fn path_and_query(req: &WireRequest) -> String {
    let rest = req
        .url
        .split_once("://")
        .map(|(_, r)| r)
        .unwrap_or(&req.url);
    let p = match rest.find('/') {
        Some(i) => &rest[i..],
        None => "/",
    };
    p.split('#').next().unwrap_or(p).to_string()
}

fn session_explanation(app: &FastApiApp, modified: bool) -> String {
    let s = &app.session;
    let mut out = if modified || !app.version.starlette_1() {
        format!(
            "The route wrote `request.session`, so SessionMiddleware signed it with `secret_key` \
             and set the `{}` cookie (`httponly; samesite={}`{})",
            s.session_cookie,
            s.same_site.as_str(),
            if s.https_only { "; secure" } else { "" }
        )
    } else {
        String::new()
    };
    if !app.version.starlette_1() {
        out.push_str(&format!(
            "; Starlette {} sends it again on every response while the session has data",
            app.version.starlette()
        ));
    }
    match s.same_site {
        SameSite::Lax => out.push_str(
            ". SessionMiddleware's `same_site` is `\"lax\"` by default, so the browser sends this \
             cookie only to requests from the same site and top-level GET navigations: a fetch \
             from a front end on another site goes without it. For a cross-site front end pass \
             `same_site=\"none\"` and `https_only=True` (HTTPS)",
        ),
        SameSite::None if !s.https_only => out.push_str(
            " with `samesite=none` but without `secure`: browsers reject such a cookie. Pass \
             `https_only=True`",
        ),
        _ => {}
    }
    if s.https_only {
        out.push_str(
            ". `https_only=True` marks it `secure`: a browser keeps it only from an https \
             response (localhost excepted in Chromium and Firefox) and sends it only over https",
        );
    }
    out.push('.');
    out
}

fn set_cookie_explanation(c: &SetCookieCall) -> String {
    let mut out = format!(
        "The login route called `response.set_cookie(key=\"{}\", …)`; Starlette's default \
         `samesite` is `\"lax\"` and `httponly` is `False`",
        c.key
    );
    if c.samesite
        .as_deref()
        .is_some_and(|s| s.eq_ignore_ascii_case("none"))
        && !c.secure
    {
        out.push_str(
            ". `samesite=\"none\"` without `secure=True`: browsers reject this cookie. Pass \
             `secure=True`",
        );
    }
    if !c.httponly {
        out.push_str(". Pass `httponly=True` unless the page's JavaScript must read it");
    }
    out.push('.');
    out
}

impl ServerModel for FastApiModel {
    fn boot(&self) -> Result<(), Vec<Step>> {
        Ok(())
    }

    fn respond(&self, request: &WireRequest, request_index: usize) -> ServerReply {
        self.answer(request, Some(request_index))
    }
}

/// The `Vary` value 1.x writes (exposed for the tests of the order).
pub fn vary_of(h: &HeaderList) -> Option<String> {
    let all = h.get_all("vary");
    (!all.is_empty()).then(|| all.join(", "))
}
