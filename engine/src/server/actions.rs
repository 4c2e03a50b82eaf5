//! The actions of a Rails app with routes ([`crate::server::routes`]): the
//! router, then login, logout (`reset_session`), me, a plain cookie write,
//! or an action that raises; and what Rails' rendering adds to every
//! rendered answer (`Vary`).

use crate::http::{WireRequest, WireResponse};
use crate::server::rails::{
    csrf_rejected_step, no_cookies_middleware_step, no_session_cause, AppAnswer, CorsPosition,
    DomainOption, RailsApp, RailsVersion, SessionMiddleware, SIM_EPOCH,
};
use crate::server::routes::{route_for, AppAction, AppRoute, PlainCookie};
use crate::server::session_store::{
    cookie_domain, flag_secure, jar_writes_cookie, request_cookie, reset_session_value,
    same_site_in, set_cookie_line, CookieAttrs, NoSession, SessionMode,
};
use crate::spec;
use crate::trace::{Phase, Reason, Step, Verdict};

impl RailsApp {
    /// The app with routes: the router (404 for no route), forgery
    /// protection, then the route's action; a rendered answer gets its `Vary`.
    pub(crate) fn routed_call(
        &self,
        req: &WireRequest,
        path: &str,
        ri: Option<usize>,
        ssl: bool,
        mode: &SessionMode,
        steps: &mut Vec<Step>,
    ) -> AppAnswer {
        let Some(routed) = route_for(&self.routes, &req.method, path) else {
            steps.push(route_missing_step(ri, &req.method, path, &self.routes));
            return AppAnswer::raised(self.simple_response(404, self.error_content_type()));
        };
        let route = routed.route;
        steps.push(route_step(ri, route, routed.format.as_deref()));
        if self.csrf_rejects(req) {
            steps.push(csrf_rejected_step(ri, &req.method));
            return AppAnswer::raised(self.simple_response(422, self.error_content_type()));
        }
        let mut a = match route.action {
            AppAction::Login => self.login_action(req, ri, ssl, mode, steps),
            AppAction::Me => self.read_action(req, ri, ssl, mode, steps),
            AppAction::Logout => self.logout_action(req, ri, ssl, mode, steps),
            AppAction::SetCookie => self.set_cookie_action(req, ri, ssl, &route.cookie, steps),
            AppAction::Raise => {
                steps.push(self.raised_step(ri));
                AppAnswer::raised(self.simple_response(500, self.error_content_type()))
            }
        };
        if !a.raised && !a.before_cors {
            let vary = route.vary.as_deref().filter(|v| !v.trim().is_empty());
            self.render_vary(
                req,
                &mut a.response,
                vary,
                routed.format.as_deref(),
                ri,
                steps,
            );
        }
        a
    }

    /// The `Vary` of a rendered answer: the action's own
    /// `response.headers["Vary"] = ...` (set before `render`, so it sits
    /// ahead of Content-Type), else Rails' `Vary: Accept` when the format
    /// came from the Accept header (`_set_vary_header` in
    /// `actionpack/lib/action_controller/metal/rendering.rb`, from 6.1).
    fn render_vary(
        &self,
        req: &WireRequest,
        response: &mut WireResponse,
        own: Option<&str>,
        format: Option<&str>,
        ri: Option<usize>,
        steps: &mut Vec<Step>,
    ) {
        let name = self.rack().name("Vary");
        if let Some(v) = own {
            let at = response
                .headers
                .0
                .iter()
                .position(|(n, _)| n.eq_ignore_ascii_case("content-type"))
                .unwrap_or(response.headers.0.len());
            response.headers.0.insert(at, (name, v.trim().to_string()));
            return;
        }
        if vary_accept_applies(req, format) {
            response.headers.push(name, "Accept");
            steps.push(vary_accept_step(ri, req.headers.get("accept")));
        }
    }

    /// Whether ActionDispatch::SSL appends `; secure` to every cookie line:
    /// force_ssl, an SSL request, and `ssl_options[:secure_cookies]` not false.
    pub(crate) fn flags_cookies_secure(&self, ssl: bool) -> bool {
        self.force_ssl && ssl && self.ssl_secure_cookies
    }

    /// Whether ActionDispatch::Cookies is in the stack to serialize the
    /// cookie jar: always in a full app; in an API-only app only when
    /// `config.middleware.use ActionDispatch::Cookies` added it.
    pub(crate) fn has_cookies_middleware(&self) -> bool {
        !self.api_only
            || matches!(
                self.session_middleware,
                SessionMiddleware::Documented | SessionMiddleware::WithoutOptions
            )
    }

    /// A `domain: :all` cookie without its own `tld_length:` in an app that
    /// sets `config.action_dispatch.tld_length`: the setting is not used.
    pub(crate) fn tld_length_ignored_step(
        &self,
        ri: Option<usize>,
        domain: &DomainOption,
        cookie: &str,
    ) -> Option<Step> {
        let all = matches!(domain, DomainOption::All { tld_length: None })
            || matches!(domain, DomainOption::Exact(d) if d == "all");
        (all && self.tld_length != 1).then(|| tld_length_step(ri, self.tld_length, cookie))
    }

    /// The read action found a session that decrypts but holds no
    /// `user_id` (it was reset): 401. Reading loaded the session, so Rack
    /// commits it again and the cookie is re-sent.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn empty_session_read(
        &self,
        req: &WireRequest,
        ri: Option<usize>,
        ssl: bool,
        mode: &SessionMode,
        key: &str,
        value: &str,
        steps: &mut Vec<Step>,
    ) -> AppAnswer {
        steps.push(session_empty_step(ri, key, value));
        let mut a = self.unauthorized(ri, steps);
        if let (false, SessionMode::Enabled { options, .. }) = (a.before_cors, mode) {
            if let Some(line) =
                self.write_session(options, value, &req.host(), ssl, ri, steps, false)
            {
                a.response
                    .headers
                    .push(self.rack().name("Set-Cookie"), line);
            }
        }
        a
    }

    /// `reset_session; render json: {}` (`ActionDispatch::Request#reset_session`
    /// → `Session#destroy`): the cookie store starts a new, empty session
    /// with a fresh id and commits it.
    fn logout_action(
        &self,
        req: &WireRequest,
        ri: Option<usize>,
        ssl: bool,
        mode: &SessionMode,
        steps: &mut Vec<Step>,
    ) -> AppAnswer {
        let set_cookie = match mode {
            SessionMode::Disabled(why) => {
                steps.push(self.reset_without_session_step(ri, *why));
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
                let value = reset_session_value(ri.unwrap_or(0) + 1);
                let had = request_cookie(&req.headers, &options.key);
                let line = self.write_session(options, &value, &req.host(), ssl, ri, steps, false);
                if let Some(l) = &line {
                    steps.push(session_reset_step(ri, &options.key, had.is_some(), l));
                }
                line
            }
        };
        AppAnswer::through_cors(self.json_with_cookie(200, set_cookie))
    }

    /// `cookies[:name] = { value:, ... }; render json: {}`: the cookie jar's
    /// `[]=` and `handle_options`, then ActionDispatch::Cookies' `write`
    /// (`actionpack/lib/action_dispatch/middleware/cookies.rb`).
    fn set_cookie_action(
        &self,
        req: &WireRequest,
        ri: Option<usize>,
        ssl: bool,
        c: &PlainCookie,
        steps: &mut Vec<Step>,
    ) -> AppAnswer {
        if self.api_only && !self.controller_cookies {
            steps.push(cookies_undefined_step(ri, &c.name));
            return AppAnswer::raised(self.simple_response(500, self.error_content_type()));
        }
        let host = req.host();
        let attrs = self.plain_cookie_attrs(c, &host);
        if let Some(step) = self.tld_length_ignored_step(ri, &c.domain, &c.name) {
            steps.push(step);
        }
        let mut line = set_cookie_line(&c.name, &c.value, &attrs, self.rack());
        if self.flags_cookies_secure(ssl) {
            line = flag_secure(&line);
        }
        let not_written = if request_cookie(&req.headers, &c.name).as_deref() == Some(&c.value)
            && c.expires.is_none()
        {
            Some(NotWritten::Unchanged)
        } else if !self.has_cookies_middleware() {
            Some(NotWritten::NoMiddleware)
        } else if !jar_writes_cookie(attrs.secure, ssl, &host, self) {
            Some(NotWritten::SecureOverHttp)
        } else {
            None
        };
        if let Some(why) = not_written {
            steps.push(cookie_not_written_step(ri, &c.name, why, &line));
            return AppAnswer::through_cors(self.json_with_cookie(200, None));
        }
        steps.push(cookie_written_step(ri, c, &attrs, &host, &line));
        AppAnswer::through_cors(self.json_with_cookie(200, Some(line)))
    }

    /// The attributes `handle_options` gives a plain cookie: path `/`, the
    /// app-wide SameSite unless given, `domain:` resolved for the host.
    pub fn plain_cookie_attrs(&self, c: &PlainCookie, host: &str) -> CookieAttrs {
        CookieAttrs {
            domain: cookie_domain(&c.domain, host, self.version),
            path: Some(c.path.clone().unwrap_or_else(|| "/".into())),
            max_age: None,
            expires: c.expires.map(|s| SIM_EPOCH.saturating_add(s as i64)),
            secure: c.secure == Some(true),
            httponly: c.httponly == Some(true),
            same_site: same_site_in(c.same_site, self),
        }
    }

    fn reset_without_session_step(&self, ri: Option<usize>, why: NoSession) -> Step {
        let (title, cause) = no_session_cause(why);
        Step::new(
            ri,
            Phase::Server,
            Verdict::Warning,
            Reason::SessionMiddlewareMissing,
            format!("{title}: reset_session has nothing to reset"),
            format!(
                "{cause}, so `reset_session` clears a session that was never stored{}: no error, \
                 no Set-Cookie. If the browser still holds a session cookie from elsewhere, it keeps it. \
                 Add the session middleware back in config/application.rb (see the generated code).",
                if self.version >= RailsVersion::V7_0 {
                    " (a disabled session raises only on writes)"
                } else {
                    ""
                }
            ),
            spec::RAILS_API_SESSIONS,
        )
        .with("Rails", self.version.label())
    }

    fn raised_step(&self, ri: Option<usize>) -> Step {
        let renderer = match self.environment {
            crate::server::rails::Environment::Development => {
                "ActionDispatch::DebugExceptions renders it (the debug page"
            }
            crate::server::rails::Environment::Production => {
                "ActionDispatch::ShowExceptions renders it (public/500.html"
            }
        };
        let cors = match self.cors_position {
            CorsPosition::Last => {
                "rack-cors, added with `config.middleware.use`, sits inside the exceptions \
                 middleware, so this 500 never passes through it"
            }
            _ => {
                "rack-cors sits outside the exceptions middleware, so the rendered 500 still gets \
                 its CORS headers and the page can read the status"
            }
        };
        Step::new(
            ri,
            Phase::Server,
            Verdict::Warning,
            Reason::ActionRaised,
            "The action raises: 500 Internal Server Error",
            format!(
                "The exception leaves the controller and passes up through the session and cookie \
                 middleware, which commit nothing on the way: no Set-Cookie, whatever the action wrote \
                 before it raised. {renderer}, {}) as a 500 without Rails' default headers. {cors}. Fix \
                 the error in the action (the log has its backtrace).",
                self.error_content_type()
            ),
            spec::RAILS_SHOW_EXCEPTIONS,
        )
    }
}

/// Why a plain cookie write produced no Set-Cookie.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum NotWritten {
    /// The request already carries the same value and no `expires:` is given.
    Unchanged,
    /// No ActionDispatch::Cookies to serialize the jar (API-only stack).
    NoMiddleware,
    /// `secure: true` on a request that is not SSL, `always_write_cookie` off.
    SecureOverHttp,
}

/// `_set_vary_header`'s condition (`should_apply_vary_header?` in
/// `actionpack/lib/action_dispatch/http/mime_negotiation.rb`): no format in
/// the path or the query, and a usable Accept header (not a browser's list
/// ending in `*/*`), or an XHR with Accept or a body type.
pub fn vary_accept_applies(req: &WireRequest, format: Option<&str>) -> bool {
    let query_format = url::Url::parse(&req.url)
        .ok()
        .is_some_and(|u| u.query_pairs().any(|(k, _)| k == "format"));
    if format.is_some() || query_format {
        return false;
    }
    let accept = req.headers.get("accept").unwrap_or_default();
    let accept_present = !accept.trim().is_empty();
    let xhr = req
        .headers
        .get("x-requested-with")
        .is_some_and(|v| v.to_ascii_lowercase().contains("xmlhttprequest"));
    let body_type = req.headers.contains("content-type");
    (xhr && (accept_present || body_type)) || (accept_present && !browser_like_accept(&accept))
}

/// `BROWSER_LIKE_ACCEPTS = /,\s*\*\/\*|\*\/\*\s*,/`: a list with `*/*` in it.
fn browser_like_accept(accept: &str) -> bool {
    let compact: String = accept.chars().filter(|c| !c.is_whitespace()).collect();
    compact.contains(",*/*") || compact.contains("*/*,")
}

fn route_step(ri: Option<usize>, route: &AppRoute, format: Option<&str>) -> Step {
    let mut step = Step::new(
        ri,
        Phase::Server,
        Verdict::Ok,
        Reason::RouteMatched,
        format!("Routed: {}", route.ruby_line()),
        format!(
            "config/routes.rb sends this request to the `{}` action: `{}`.",
            route.action.key(),
            route.action.ruby()
        ),
        spec::RAILS_ROUTING,
    )
    .with("route", route.ruby_line());
    if let Some(f) = format {
        step = step.with("format", f.to_string());
    }
    step
}

fn route_missing_step(ri: Option<usize>, method: &str, path: &str, routes: &[AppRoute]) -> Step {
    let same_path: Vec<String> = routes
        .iter()
        .filter(|r| r.normalized_path() == crate::server::routes::normalize_path(path))
        .map(AppRoute::ruby_line)
        .collect();
    let hint = if same_path.is_empty() {
        format!(
            "Add a route for it in config/routes.rb, e.g. `{} \"{path}\", to: \"app#me\"`.",
            method.to_ascii_lowercase()
        )
    } else {
        format!(
            "The path has a route only for another verb (`{}`): send that method, or add a `{}` route.",
            same_path.join("`, `"),
            method.to_ascii_lowercase()
        )
    };
    Step::new(
        ri,
        Phase::Server,
        Verdict::Warning,
        Reason::ServerNoRoute,
        format!("No route matches [{method}] \"{path}\": 404"),
        format!(
            "No line of config/routes.rb matches this verb and path. The router answers with \
             `X-Cascade: pass`, ActionDispatch::DebugExceptions raises ActionController::RoutingError \
             (\"No route matches [{method}] \\\"{path}\\\"\"), and the exceptions middleware renders it \
             as 404; no action runs and no Set-Cookie is sent. {hint}"
        ),
        spec::RAILS_ROUTING,
    )
    .with("path", path.to_string())
}

fn session_reset_step(ri: Option<usize>, key: &str, had_cookie: bool, line: &str) -> Step {
    Step::new(
        ri,
        Phase::Server,
        Verdict::Ok,
        Reason::SessionReset,
        format!("reset_session: a new, empty session replaces {key}"),
        format!(
            "`reset_session` (ActionDispatch::Request#reset_session → Session#destroy) clears the \
             session and gives it a new session id. The cookie store keeps nothing on the server, so \
             it does not delete the cookie (no `max-age=0`): it commits the new session, which holds \
             only its session_id, as a new `{key}` cookie with the usual session options. The browser \
             replaces the old cookie with it, and the next request has no `session[:user_id]`.{} To \
             drop the cookie itself instead, add `cookies.delete(:{key})` after reset_session.",
            if had_cookie {
                ""
            } else {
                " Rails writes it even though this request carried no session cookie."
            }
        ),
        spec::RAILS_SESSION_STORE,
    )
    .with("Set-Cookie", line.to_string())
}

fn session_empty_step(ri: Option<usize>, key: &str, value: &str) -> Step {
    Step::new(
        ri,
        Phase::Server,
        Verdict::Warning,
        Reason::SessionEmpty,
        "The session has no user: 401",
        format!(
            "The request carries `{key}` and it decrypts, but the session it holds has no \
             `session[:user_id]` (it was reset by a logout), so the action answers 401. Reading the \
             session loaded it, so Rack commits it again and the cookie is re-sent. Log in to put a \
             user in the session."
        ),
        spec::RAILS_SESSION_STORE,
    )
    .with("cookie", key.to_string())
    .with("value", value.to_string())
}

fn cookies_undefined_step(ri: Option<usize>, name: &str) -> Step {
    Step::new(
        ri,
        Phase::Server,
        Verdict::Blocked,
        Reason::CookiesUndefined,
        "NameError: `cookies` is undefined in an ActionController::API controller (500)",
        format!(
            "ActionController::API leaves out ActionController::Cookies (see \
             `ActionController::API::MODULES` in actionpack/lib/action_controller/api.rb), so \
             `cookies[:{name}] = ...` raises NameError (undefined local variable or method `cookies`) \
             and the action ends in a 500: no Set-Cookie. Add `include ActionController::Cookies` to \
             ApplicationController, and `config.middleware.use ActionDispatch::Cookies` to \
             config/application.rb so the cookie jar is written to the response."
        ),
        spec::RAILS_API_SESSIONS,
    )
}

fn cookie_not_written_step(ri: Option<usize>, name: &str, why: NotWritten, line: &str) -> Step {
    let (title, text) = match why {
        NotWritten::Unchanged => (
            format!("cookies[:{name}]: the value is unchanged, no Set-Cookie"),
            format!(
                "The request already carries `{name}` with this value, and no `expires:` is given. \
                 CookieJar#[]= records a cookie for the response only when its value changes or \
                 `expires:` is set, so nothing is sent. Give the cookie an `expires:` to refresh it \
                 on every request."
            ),
        ),
        NotWritten::NoMiddleware => (
            format!("cookies[:{name}] goes into a jar nobody writes: no Set-Cookie"),
            format!(
                "`cookies[:{name}] = ...` stores the cookie in the request's cookie jar, but only the \
                 ActionDispatch::Cookies middleware turns the jar into Set-Cookie headers, and this \
                 API-only stack does not have it. Add `config.middleware.use ActionDispatch::Cookies` \
                 to config/application.rb."
            ),
        ),
        NotWritten::SecureOverHttp => (
            format!("cookies[:{name}] is secure and the request is plain http: not sent"),
            format!(
                "CookieJar#write_cookie? writes a `secure: true` cookie only on an SSL request (or \
                 when `config.action_dispatch.always_write_cookie` is on, which it is by default only \
                 in development). This request is plain http (no `X-Forwarded-Proto: https`, no \
                 `config.assume_ssl`), so Rails silently leaves `{name}` out. Serve the app over \
                 https (behind a proxy: `config.assume_ssl = true`)."
            ),
        ),
    };
    Step::new(
        ri,
        Phase::Server,
        Verdict::Warning,
        Reason::CookieNotWritten,
        title,
        text,
        spec::RAILS_COOKIES,
    )
    .with("would be", line.to_string())
}

fn cookie_written_step(
    ri: Option<usize>,
    c: &PlainCookie,
    attrs: &CookieAttrs,
    host: &str,
    line: &str,
) -> Step {
    let mut notes = Vec::new();
    if c.path.is_none() {
        notes.push("path `/` (the jar's default)".to_string());
    }
    if c.same_site == crate::server::rails::SameSiteOption::Unset {
        notes.push(match attrs.same_site {
            Some(s) => format!("SameSite {} from cookies_same_site_protection", s.as_str()),
            None => "no SameSite: cookies_same_site_protection is nil".to_string(),
        });
    }
    if c.httponly.is_none() {
        notes.push("not HttpOnly (plain cookies default to httponly: false)".to_string());
    }
    if c.domain != DomainOption::Unset {
        notes.push(match &attrs.domain {
            Some(d) => format!("Domain `{d}` for host `{host}`"),
            None => format!("no Domain attribute: Rails computes none for host `{host}`"),
        });
    }
    Step::new(
        ri,
        Phase::Server,
        Verdict::Ok,
        Reason::CookieWritten,
        format!("cookies[:{}] written: Set-Cookie {}", c.name, c.name),
        format!(
            "The action sets `cookies[:{}]`; ActionDispatch::Cookies writes it to the response with \
             the options given{}.",
            c.name,
            if notes.is_empty() {
                String::new()
            } else {
                format!(" and Rails' defaults: {}", notes.join("; "))
            }
        ),
        spec::RAILS_COOKIES,
    )
    .with("Set-Cookie", line.to_string())
}

fn tld_length_step(ri: Option<usize>, n: u8, cookie: &str) -> Step {
    Step::new(
        ri,
        Phase::Server,
        Verdict::Warning,
        Reason::TldLengthIgnored,
        "config.action_dispatch.tld_length does not apply to domain: :all",
        format!(
            "The app sets `config.action_dispatch.tld_length = {n}`, but that setting only shapes \
             `request.domain` and `request.subdomains`. The cookie jar computes `domain: :all` from \
             the cookie's own `tld_length:` option, and without one it keeps the last two labels of \
             the host (three for `co.uk`-like hosts). To share `{cookie}` across subdomains under a \
             longer suffix, pass `tld_length: {n}` next to `domain: :all`."
        ),
        spec::RAILS_COOKIES,
    )
    .with("tld_length", n.to_string())
}

fn vary_accept_step(ri: Option<usize>, accept: Option<String>) -> Step {
    Step::new(
        ri,
        Phase::Server,
        Verdict::Ok,
        Reason::VaryAcceptAdded,
        "Rails adds Vary: Accept",
        "The response format was chosen from the request's Accept header (no `.json` in the path, \
         no `format` parameter, and not a browser's `…, */*` list), so rendering sets \
         `Vary: Accept` for caches; rack-cors then appends its own values to it.",
        spec::RAILS_RENDERING,
    )
    .with("Accept", accept.unwrap_or_else(|| "(none)".into()))
}
