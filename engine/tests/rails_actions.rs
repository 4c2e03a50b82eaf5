//! The app as users write it: routes, `reset_session`, plain `cookies[]` writes, a 404, a
//! raising action, `Vary`, and rack-cors added with `config.middleware.use` (at the end of the
//! stack). Each rule cites the Rails or rack-cors source it follows.

mod rails_common;
use rails_common::*;

use crumbtrail_engine::http::ServerReply;
use crumbtrail_engine::server::rails::*;
use crumbtrail_engine::trace::Reason;

const O: &str = "http://localhost:3000";
const API: &str = "http://localhost:3001";

/// An app with explicit CORS for the page, credentials, and the given routes.
fn routed(v: RailsVersion, routes: Vec<AppRoute>) -> RailsApp {
    let mut app = app61(cors(
        &[O],
        CorsResource {
            credentials: true,
            ..CorsResource::default()
        },
    ));
    app.version = v;
    app.load_defaults = v.max_load_defaults();
    app.session = SessionStoreConfig {
        key: Some("_k".into()),
        ..SessionStoreConfig::default()
    };
    app.routes = routes;
    app
}

fn routes() -> Vec<AppRoute> {
    let cookie = AppRoute::new("POST", "/prefs", AppAction::SetCookie);
    vec![
        AppRoute::new("POST", "/login", AppAction::Login),
        AppRoute::new("DELETE", "/logout", AppAction::Logout),
        AppRoute::new("GET", "/me", AppAction::Me),
        cookie,
        AppRoute::new("GET", "/boom", AppAction::Raise),
        AppRoute::new("GET", "sso/login", AppAction::Login),
        AppRoute::new("*", "/any", AppAction::Me),
    ]
}

fn call(app: &RailsApp, method: &str, path: &str, headers: &[(&str, &str)]) -> ServerReply {
    let mut h = vec![("Origin", O)];
    h.extend_from_slice(headers);
    respond(app, &req(method, &format!("{API}{path}"), &h))
}

// `actionpack/lib/action_dispatch/journey/router.rb`: the first route whose verb and path match;
// `get` also answers HEAD (`match_head_routes`); `(.:format)` is optional on every route; a
// trailing slash is ignored; `routes.rb` adds the leading slash; no route is a RoutingError that
// DebugExceptions raises from `X-Cascade: pass`, rendered as 404.
#[test]
fn the_router_picks_the_action() {
    let app = routed(RailsVersion::V8, routes());
    let table: &[(&str, &str, u16, Reason)] = &[
        ("POST", "/login", 200, Reason::SessionWritten),
        ("GET", "/login", 404, Reason::ServerNoRoute),
        ("GET", "/me", 401, Reason::SessionMissing),
        ("HEAD", "/me", 401, Reason::SessionMissing),
        ("GET", "/me/", 401, Reason::SessionMissing),
        ("GET", "/me.json", 401, Reason::SessionMissing),
        ("POST", "/me", 404, Reason::ServerNoRoute),
        ("GET", "/nope", 404, Reason::ServerNoRoute),
        ("GET", "/sso/login", 200, Reason::SessionWritten),
        ("PATCH", "/any", 401, Reason::SessionMissing),
        ("OPTIONS", "/me", 404, Reason::ServerNoRoute),
        ("GET", "/boom", 500, Reason::ActionRaised),
    ];
    for (method, path, status, reason) in table {
        let r = call(&app, method, path, &[]);
        assert_eq!(r.response.status, *status, "{method} {path}");
        assert!(has(&r, *reason), "{method} {path}: {:?}", reasons(&r));
        assert_eq!(
            has(&r, Reason::RouteMatched),
            *status != 404,
            "{method} {path}"
        );
    }
    // The 404 says a route exists for another verb.
    let r = call(&app, "GET", "/login", &[]);
    let step = r
        .steps
        .iter()
        .find(|s| s.reason == Reason::ServerNoRoute)
        .unwrap();
    assert!(step.title.contains("No route matches [GET] \"/login\""));
    assert!(step.explanation.contains("post \"/login\""));
    // `/me.json` carries its format.
    let r = call(&app, "GET", "/me.json", &[]);
    let routed = r
        .steps
        .iter()
        .find(|s| s.reason == Reason::RouteMatched)
        .unwrap();
    assert!(routed.values.iter().any(|v| v.value == "json"));
}

// Without routes the app is the one of the first versions: POST to `login_path` logs in, every
// other method and path reads the session (old permalinks keep their trace).
#[test]
fn no_routes_keeps_the_two_action_app() {
    let app = routed(RailsVersion::V8, Vec::new());
    for (method, path, reason) in [
        ("POST", "/login", Reason::SessionWritten),
        ("GET", "/login", Reason::SessionMissing),
        ("DELETE", "/anything", Reason::SessionMissing),
    ] {
        let r = call(&app, method, path, &[]);
        assert!(has(&r, reason), "{method} {path}");
        assert!(!has(&r, Reason::RouteMatched));
    }
}

// `ActionDispatch::Request#reset_session` → `Request::Session#destroy`: clear, `delete_session`
// (`cookie_store.rb`: a new sid, `unsigned_session_cookie = { "session_id" => new }`), then
// `load_for_write!`; Rack's `commit_session` (rack-session `abstract/id.rb`) commits the loaded
// session: a NEW cookie holding only the session id, not a `max-age=0` deletion, with or without
// an old cookie on the request.
#[test]
fn reset_session_writes_a_new_empty_session() {
    let table: &[(RailsVersion, Option<&str>, &str)] = &[
        (
            RailsVersion::V6_1,
            Some("_k=sess-1"),
            "_k=reset-1; path=/; HttpOnly; SameSite=Lax",
        ),
        (
            RailsVersion::V7_1,
            Some("_k=sess-1"),
            "_k=reset-1; path=/; httponly; SameSite=Lax",
        ),
        (
            RailsVersion::V8,
            Some("_k=sess-1"),
            "_k=reset-1; path=/; httponly; samesite=lax",
        ),
        (
            RailsVersion::V8,
            None,
            "_k=reset-1; path=/; httponly; samesite=lax",
        ),
    ];
    for (v, cookie, line) in table {
        let app = routed(*v, routes());
        let h: Vec<(&str, &str)> = cookie.iter().map(|c| ("Cookie", *c)).collect();
        let r = call(&app, "DELETE", "/logout", &h);
        assert_eq!(r.response.status, 200);
        assert_eq!(set_cookie(&r).as_deref(), Some(*line), "{v:?}");
        assert!(has(&r, Reason::SessionReset));
        let step = r
            .steps
            .iter()
            .find(|s| s.reason == Reason::SessionReset)
            .unwrap();
        assert!(step.explanation.contains("no `max-age=0`"));
    }
}

// After the reset the cookie decrypts but the session has no `user_id`: `/me` is 401, and
// because reading loaded the session (`load_for_read!`: it exists), Rack commits it again.
#[test]
fn me_after_logout_is_401_and_recommits() {
    let app = routed(RailsVersion::V8, routes());
    let r = call(&app, "GET", "/me", &[("Cookie", "_k=reset-1")]);
    assert_eq!(r.response.status, 401);
    assert!(has(&r, Reason::SessionEmpty));
    assert!(!has(&r, Reason::SessionCookieUndecryptable));
    assert_eq!(
        set_cookie(&r).as_deref(),
        Some("_k=reset-1; path=/; httponly; samesite=lax")
    );
    // A login replaces the empty session with a user.
    let r = call(&app, "POST", "/login", &[("Cookie", "_k=reset-1")]);
    assert!(set_cookie(&r).unwrap().starts_with("_k=sess-1;"));
}

// reset_session where no session can be written: a disabled session (API-only, no middleware)
// clears nothing and raises nothing (`destroy` only acts `if enabled?`); a secure session over
// http is never committed (`security_matches?`); no ActionDispatch::Cookies → no Set-Cookie.
#[test]
fn reset_session_without_a_writable_session() {
    let mut disabled = routed(RailsVersion::V8, routes());
    disabled.api_only = true;
    disabled.session_middleware = SessionMiddleware::None;
    let mut insecure = routed(RailsVersion::V8, routes());
    insecure.session.secure = Some(true);
    let mut no_jar = routed(RailsVersion::V8, routes());
    no_jar.api_only = true;
    no_jar.session_middleware = SessionMiddleware::WithoutCookies;
    for (app, reason) in [
        (disabled, Reason::SessionMiddlewareMissing),
        (insecure, Reason::SessionNotWrittenInsecure),
        (no_jar, Reason::SessionMiddlewareMissing),
    ] {
        let r = call(&app, "DELETE", "/logout", &[("Cookie", "_k=sess-1")]);
        assert_eq!(r.response.status, 200);
        assert_eq!(set_cookie(&r), None);
        assert!(has(&r, reason), "{:?}", reasons(&r));
        assert!(!has(&r, Reason::SessionReset));
    }
}

fn cookie_app(v: RailsVersion, c: PlainCookie) -> RailsApp {
    let mut app = routed(v, routes());
    app.routes[3].cookie = c;
    app
}

fn prefs(app: &RailsApp, url_base: &str, headers: &[(&str, &str)]) -> ServerReply {
    let mut h = vec![("Origin", O)];
    h.extend_from_slice(headers);
    respond(app, &req("POST", &format!("{url_base}/prefs"), &h))
}

// `cookies.rb` CookieJar#handle_options and Rack's `set_cookie_header` per Rack generation:
// path defaults to `/`; SameSite from `cookies_same_site_protection` unless given (an explicit
// nil falls back before 7.1, `options.key?(:same_site)` from 7.1); no HttpOnly unless asked;
// `domain: :all` by labels (leading dot before 7.1); `expires:` as an httpdate.
#[test]
fn plain_cookie_serialization() {
    let c = |f: fn(&mut PlainCookie)| {
        let mut c = PlainCookie::default();
        f(&mut c);
        c
    };
    let table: Vec<(RailsVersion, PlainCookie, &str, &str)> = vec![
        (
            RailsVersion::V6_1,
            c(|_| {}),
            API,
            "theme=dark; path=/; SameSite=Lax",
        ),
        (
            RailsVersion::V7_1,
            c(|_| {}),
            API,
            "theme=dark; path=/; SameSite=Lax",
        ),
        (
            RailsVersion::V8,
            c(|_| {}),
            API,
            "theme=dark; path=/; samesite=lax",
        ),
        (
            RailsVersion::V8,
            c(|c| {
                c.secure = Some(true);
                c.same_site = SameSiteOption::None;
            }),
            "https://localhost:3001",
            "theme=dark; path=/; secure; samesite=none",
        ),
        (
            RailsVersion::V6_1,
            c(|c| c.httponly = Some(true)),
            API,
            "theme=dark; path=/; HttpOnly; SameSite=Lax",
        ),
        (
            RailsVersion::V7_0,
            c(|c| c.same_site = SameSiteOption::Nil),
            API,
            "theme=dark; path=/; SameSite=Lax",
        ),
        (
            RailsVersion::V7_1,
            c(|c| c.same_site = SameSiteOption::Nil),
            API,
            "theme=dark; path=/",
        ),
        (
            RailsVersion::V7_0,
            c(|c| c.domain = DomainOption::All { tld_length: None }),
            "http://app.example.com",
            "theme=dark; domain=.example.com; path=/; SameSite=Lax",
        ),
        (
            RailsVersion::V8,
            c(|c| c.domain = DomainOption::All { tld_length: None }),
            "http://app.example.com",
            "theme=dark; domain=example.com; path=/; samesite=lax",
        ),
        (
            RailsVersion::V8,
            c(|c| c.domain = DomainOption::All { tld_length: None }),
            API,
            "theme=dark; path=/; samesite=lax",
        ),
        (
            RailsVersion::V8,
            c(|c| {
                c.path = Some("/app".into());
                c.expires = Some(3600);
                c.value = "a b".into();
            }),
            API,
            "theme=a+b; path=/app; expires=Thu, 01 Jan 2026 01:00:00 GMT; samesite=lax",
        ),
    ];
    for (v, cookie, base, line) in table {
        let app = cookie_app(v, cookie.clone());
        let r = prefs(&app, base, &[]);
        assert_eq!(r.response.status, 200);
        assert_eq!(set_cookie(&r).as_deref(), Some(line), "{v:?} {cookie:?}");
        assert!(has(&r, Reason::CookieWritten));
    }
}

// CookieJar#write_cookie?: `request.ssl? || !cookie[:secure] || always_write_cookie ||
// request.host.end_with?(".onion")` (the .onion clause from 7.0); always_write_cookie defaults to
// `Rails.env.development?` (`action_dispatch/railtie.rb`).
#[test]
fn secure_plain_cookie_over_http() {
    let secure = PlainCookie {
        secure: Some(true),
        ..PlainCookie::default()
    };
    let table: &[(RailsVersion, Environment, &str, bool)] = &[
        (RailsVersion::V8, Environment::Development, API, true),
        (RailsVersion::V8, Environment::Production, API, false),
        (
            RailsVersion::V8,
            Environment::Production,
            "https://localhost:3001",
            true,
        ),
        (
            RailsVersion::V7_0,
            Environment::Production,
            "http://shop.onion",
            true,
        ),
        (
            RailsVersion::V6_1,
            Environment::Production,
            "http://shop.onion",
            false,
        ),
    ];
    for (v, env, base, written) in table {
        let mut app = cookie_app(*v, secure.clone());
        app.environment = *env;
        let r = prefs(&app, base, &[]);
        assert_eq!(set_cookie(&r).is_some(), *written, "{v:?} {env:?} {base}");
        assert_eq!(has(&r, Reason::CookieNotWritten), !*written);
    }
}

// CookieJar#[]=: `if @cookies[name] != value || options[:expires]` — the same value already on
// the request, without expires, is not written again.
#[test]
fn unchanged_plain_cookie_is_not_resent() {
    let app = cookie_app(RailsVersion::V8, PlainCookie::default());
    let r = prefs(&app, API, &[("Cookie", "theme=dark")]);
    assert_eq!(set_cookie(&r), None);
    assert!(has(&r, Reason::CookieNotWritten));
    let r = prefs(&app, API, &[("Cookie", "theme=light")]);
    assert!(set_cookie(&r).is_some());
    let app = cookie_app(
        RailsVersion::V8,
        PlainCookie {
            expires: Some(60),
            ..PlainCookie::default()
        },
    );
    let r = prefs(&app, API, &[("Cookie", "theme=dark")]);
    assert!(set_cookie(&r).is_some());
}

// `actionpack/lib/action_controller/api.rb`: ActionController::API::MODULES has no
// ActionController::Cookies, so `cookies` is a NameError (500) unless the controller includes it;
// with it, the jar is written only when ActionDispatch::Cookies is in the (API-only) stack.
#[test]
fn api_controller_cookies() {
    let table: &[(bool, SessionMiddleware, u16, Reason, bool)] = &[
        (
            false,
            SessionMiddleware::Documented,
            500,
            Reason::CookiesUndefined,
            false,
        ),
        (
            true,
            SessionMiddleware::Documented,
            200,
            Reason::CookieWritten,
            true,
        ),
        (
            true,
            SessionMiddleware::WithoutOptions,
            200,
            Reason::CookieWritten,
            true,
        ),
        (
            true,
            SessionMiddleware::None,
            200,
            Reason::CookieNotWritten,
            false,
        ),
        (
            true,
            SessionMiddleware::WithoutCookies,
            200,
            Reason::CookieNotWritten,
            false,
        ),
    ];
    for (include, mw, status, reason, cookie) in table {
        let mut app = cookie_app(RailsVersion::V8, PlainCookie::default());
        app.api_only = true;
        app.session_middleware = *mw;
        app.controller_cookies = *include;
        let r = prefs(&app, API, &[]);
        assert_eq!(r.response.status, *status, "{include} {mw:?}");
        assert!(has(&r, *reason), "{include} {mw:?}: {:?}", reasons(&r));
        assert_eq!(set_cookie(&r).is_some(), *cookie);
    }
    // A full app (ActionController::Base) always has `cookies`.
    let mut app = cookie_app(RailsVersion::V8, PlainCookie::default());
    app.controller_cookies = false;
    assert!(set_cookie(&prefs(&app, API, &[])).is_some());
}

/// The CORS header of a reply, by any case.
fn acao(r: &ServerReply) -> Option<String> {
    r.response.headers.get("access-control-allow-origin")
}

// Exceptions become responses in ShowExceptions/DebugExceptions, which sit after rack-cors at
// `insert_before 0` but before it with `config.middleware.use Rack::Cors`
// (`railties/lib/rails/application/default_middleware_stack.rb`). The 500 carries no Set-Cookie
// and none of Rails' default headers; the 404 from `X-Cascade: pass` and the 422 from
// InvalidAuthenticityToken are rendered the same way.
#[test]
fn rendered_exceptions_and_the_position_of_rack_cors() {
    let table: &[(&str, &str, u16)] = &[
        ("GET", "/boom", 500),
        ("GET", "/nope", 404),
        ("OPTIONS", "/me", 404),
        ("POST", "/login", 422),
    ];
    for (method, path, status) in table {
        for pos in [CorsPosition::First, CorsPosition::Last] {
            let mut app = routed(RailsVersion::V8, routes());
            app.csrf_protection = true;
            app.cors_position = pos;
            let r = call(&app, method, path, &[]);
            assert_eq!(r.response.status, *status);
            assert_eq!(set_cookie(&r), None);
            assert!(!r.response.headers.contains("x-frame-options"));
            let first = pos == CorsPosition::First;
            assert_eq!(acao(&r).is_some(), first, "{method} {path} {pos:?}");
            assert_eq!(r.response.headers.contains("vary"), first);
            assert_eq!(has(&r, Reason::MiddlewareAnsweredFirst), !first);
        }
    }
    // An ordinary answer still gets its CORS headers with rack-cors last.
    let mut app = routed(RailsVersion::V8, routes());
    app.cors_position = CorsPosition::Last;
    assert_eq!(acao(&call(&app, "GET", "/me", &[])).as_deref(), Some(O));
}

// rack-cors last finishes the controller's response before the session/cookie middleware append
// Set-Cookie and ActionDispatch::SSL appends HSTS (and flags cookies secure); its own preflight
// answer also passes out through ActionDispatch::SSL.
#[test]
fn rack_cors_last_header_order() {
    let mut app = routed(RailsVersion::V8, routes());
    app.force_ssl = true;
    let https = "https://localhost:3001";
    let order = |app: &RailsApp| -> Vec<String> {
        let r = respond(
            app,
            &req("POST", &format!("{https}/login"), &[("Origin", O)]),
        );
        r.response
            .headers
            .0
            .iter()
            .map(|(n, _)| n.clone())
            .filter(|n| ["vary", "set-cookie", "strict-transport-security"].contains(&n.as_str()))
            .collect()
    };
    assert_eq!(
        order(&app),
        ["set-cookie", "strict-transport-security", "vary"]
    );
    app.cors_position = CorsPosition::Last;
    assert_eq!(
        order(&app),
        ["vary", "set-cookie", "strict-transport-security"]
    );
    let pre = respond(&app, &preflight(&format!("{https}/login"), O, "POST", None));
    assert!(pre.response.headers.contains("strict-transport-security"));
    app.cors_position = CorsPosition::First;
    let pre = respond(&app, &preflight(&format!("{https}/login"), O, "POST", None));
    assert!(!pre.response.headers.contains("strict-transport-security"));
}

// `_set_vary_header` (`action_controller/metal/rendering.rb`, Rails 6.1+): `Vary: Accept` when
// the Vary is blank and `should_apply_vary_header?` (no format parameter, and an Accept that is
// not browser-like `/,\s*\*\/\*|\*\/\*\s*,/`, or an XHR with Accept or a body type); an action's
// own `response.headers["Vary"]` wins. rack-cors then splits, appends `Origin` and de-duplicates.
#[test]
fn vary_merging() {
    type Row<'a> = (&'a str, Option<&'a str>, &'a [(&'a str, &'a str)], &'a str);
    let table: &[Row] = &[
        ("/me", None, &[], "Origin"),
        (
            "/me",
            None,
            &[("Accept", "application/json")],
            "Accept, Origin",
        ),
        ("/me", None, &[("Accept", "*/*")], "Accept, Origin"),
        (
            "/me",
            None,
            &[("Accept", "application/json, text/plain, */*")],
            "Origin",
        ),
        (
            "/me.json",
            None,
            &[("Accept", "application/json")],
            "Origin",
        ),
        (
            "/me?format=json",
            None,
            &[("Accept", "application/json")],
            "Origin",
        ),
        (
            "/me",
            None,
            &[
                ("X-Requested-With", "XMLHttpRequest"),
                ("Content-Type", "application/json"),
            ],
            "Accept, Origin",
        ),
        (
            "/me",
            Some("Accept-Encoding"),
            &[],
            "Accept-Encoding, Origin",
        ),
        (
            "/me",
            Some("Origin"),
            &[("Accept", "application/json")],
            "Origin",
        ),
        (
            "/me",
            Some("Accept-Encoding, Accept"),
            &[("Accept", "application/json")],
            "Accept-Encoding, Accept, Origin",
        ),
    ];
    for (path, own, headers, vary) in table {
        let mut rs = routes();
        rs[2].vary = own.map(str::to_string);
        let app = routed(RailsVersion::V8, rs);
        let r = call(&app, "GET", path, headers);
        assert_eq!(
            r.response.headers.get("vary").as_deref(),
            Some(*vary),
            "{path} {own:?} {headers:?}"
        );
        assert_eq!(
            has(&r, Reason::VaryAcceptAdded),
            own.is_none() && vary.starts_with("Accept,")
        );
    }
    // The rendered exception pages do not set Vary: Accept.
    let app = routed(RailsVersion::V8, routes());
    let r = call(&app, "GET", "/boom", &[("Accept", "application/json")]);
    assert_eq!(r.response.headers.get("vary").as_deref(), Some("Origin"));
}
