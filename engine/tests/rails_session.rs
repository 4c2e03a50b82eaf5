//! The session cookie as Rails and Rack write it (domain notes §C.2, corrected by §F).

mod rails_common;
use rails_common::*;

use crumbtrail_engine::http::ServerModel;
use crumbtrail_engine::server::rails::*;
use crumbtrail_engine::server::session_store::{all_domain, cookie_domain, httpdate};
use crumbtrail_engine::trace::Reason;

const O: &str = "http://localhost:3000";
const API: &str = "http://localhost:3001";

fn login(app: &RailsApp, url: &str) -> crumbtrail_engine::http::ServerReply {
    respond(app, &req("POST", url, &[("Origin", O)]))
}

fn with_session(mut app: RailsApp, s: SessionStoreConfig) -> RailsApp {
    app.session = s;
    app
}

fn store(key: Option<&str>) -> SessionStoreConfig {
    SessionStoreConfig {
        store: StoreKind::CookieStore,
        key: key.map(str::to_string),
        ..SessionStoreConfig::default()
    }
}

fn versioned(v: RailsVersion) -> RailsApp {
    let mut app = app61(cors(
        &[O],
        CorsResource {
            credentials: true,
            ..CorsResource::default()
        },
    ));
    app.version = v;
    app.load_defaults = v.max_load_defaults();
    app
}

// §F "default Rails 6.1 session cookie": `_<app>_session=…; path=/; HttpOnly; SameSite=Lax`;
// load_defaults 6.0 or none → no SameSite.
#[test]
fn default_cookie_6_1() {
    let app = versioned(RailsVersion::V6_1);
    let r = login(&app, &format!("{API}/login"));
    assert_eq!(
        set_cookie(&r).as_deref(),
        Some("_oracle_app_session=sess-1; path=/; HttpOnly; SameSite=Lax")
    );
    assert!(has(&r, Reason::SessionWritten));
    for ld in [LoadDefaults::V6_0, LoadDefaults::None] {
        let mut app = versioned(RailsVersion::V6_1);
        app.load_defaults = ld;
        let r = login(&app, &format!("{API}/login"));
        assert_eq!(
            set_cookie(&r).as_deref(),
            Some("_oracle_app_session=sess-1; path=/; HttpOnly")
        );
    }
}

// §F "`session_store :cookie_store` with no key" → `_session_id`.
#[test]
fn cookie_store_without_key_is_session_id() {
    let app = with_session(versioned(RailsVersion::V6_1), store(None));
    let r = login(&app, &format!("{API}/login"));
    assert!(set_cookie(&r).unwrap().starts_with("_session_id=sess-1;"));
}

// §F "same_site": none → SameSite=None even without secure, over http; strict → Strict;
// explicit nil → app default before 7.1, no attribute from 7.1 (version table).
#[test]
fn same_site_values_and_nil_by_version() {
    let cookie = |v: RailsVersion, ss: SameSiteOption| {
        let app = with_session(
            versioned(v),
            SessionStoreConfig {
                same_site: ss,
                ..store(Some("_k"))
            },
        );
        set_cookie(&login(&app, &format!("{API}/login"))).unwrap()
    };
    assert_eq!(
        cookie(RailsVersion::V6_1, SameSiteOption::None),
        "_k=sess-1; path=/; HttpOnly; SameSite=None"
    );
    assert_eq!(
        cookie(RailsVersion::V6_1, SameSiteOption::Strict),
        "_k=sess-1; path=/; HttpOnly; SameSite=Strict"
    );
    assert_eq!(
        cookie(RailsVersion::V6_1, SameSiteOption::Nil),
        "_k=sess-1; path=/; HttpOnly; SameSite=Lax"
    );
    assert_eq!(
        cookie(RailsVersion::V7_0, SameSiteOption::Nil),
        "_k=sess-1; path=/; HttpOnly; SameSite=Lax"
    );
    assert_eq!(
        cookie(RailsVersion::V7_1, SameSiteOption::Nil),
        "_k=sess-1; path=/; httponly"
    );
    assert_eq!(
        cookie(RailsVersion::V8, SameSiteOption::Nil),
        "_k=sess-1; path=/; httponly"
    );
}

// §F version table "cookie attribute case": Rack 2.2 `; secure; HttpOnly; SameSite=Lax`,
// Rack 3.0 `; httponly` with `SameSite=Lax`, Rack 3.1 `; secure; httponly; samesite=lax`.
#[test]
fn attribute_case_by_rack_version() {
    let cookie = |v: RailsVersion| {
        let app = with_session(
            versioned(v),
            SessionStoreConfig {
                secure: Some(true),
                ..store(Some("_k"))
            },
        );
        set_cookie(&login(&app, "https://localhost:3001/login")).unwrap()
    };
    assert_eq!(
        cookie(RailsVersion::V6_1),
        "_k=sess-1; path=/; secure; HttpOnly; SameSite=Lax"
    );
    assert_eq!(
        cookie(RailsVersion::V7_0),
        "_k=sess-1; path=/; secure; HttpOnly; SameSite=Lax"
    );
    assert_eq!(
        cookie(RailsVersion::V7_1),
        "_k=sess-1; path=/; secure; httponly; SameSite=Lax"
    );
    assert_eq!(
        cookie(RailsVersion::V8),
        "_k=sess-1; path=/; secure; httponly; samesite=lax"
    );
}

// §F "secure: true over http": the session cookie is never written over http, in
// development or production; https writes it; assume_ssl / X-Forwarded-Proto change that.
#[test]
fn secure_session_never_written_over_http() {
    for env in [Environment::Development, Environment::Production] {
        let mut app = with_session(
            versioned(RailsVersion::V8),
            SessionStoreConfig {
                secure: Some(true),
                ..store(Some("_k"))
            },
        );
        app.environment = env;
        let r = login(&app, &format!("{API}/login"));
        assert_eq!(r.response.status, 200);
        assert_eq!(set_cookie(&r), None, "{env:?}");
        assert!(has(&r, Reason::SessionNotWrittenInsecure));
        assert!(!has(&r, Reason::SessionWritten));
    }
    let mut app = with_session(
        versioned(RailsVersion::V8),
        SessionStoreConfig {
            secure: Some(true),
            ..store(Some("_k"))
        },
    );
    let r = respond(
        &app,
        &req(
            "POST",
            &format!("{API}/login"),
            &[("Origin", O), ("X-Forwarded-Proto", "https")],
        ),
    );
    assert!(set_cookie(&r).unwrap().contains("; secure"));
    app.assume_ssl = true;
    let r = login(&app, &format!("{API}/login"));
    assert!(set_cookie(&r).unwrap().contains("; secure"));
}

// §F "force_ssl + session": full app → secure in the options (in place); explicit
// `secure: false` → the SSL middleware appends `; secure` at the END. HSTS on https.
#[test]
fn force_ssl_makes_the_session_secure() {
    let mut app = versioned(RailsVersion::V6_1);
    app.force_ssl = true;
    let r = login(&app, "https://localhost:3001/login");
    assert_eq!(
        set_cookie(&r).as_deref(),
        Some("_oracle_app_session=sess-1; path=/; secure; HttpOnly; SameSite=Lax")
    );
    assert_eq!(
        r.response
            .headers
            .get("Strict-Transport-Security")
            .as_deref(),
        Some("max-age=63072000; includeSubDomains")
    );
    let mut app = with_session(
        versioned(RailsVersion::V6_1),
        SessionStoreConfig {
            secure: Some(false),
            ..store(Some("_k"))
        },
    );
    app.force_ssl = true;
    let r = login(&app, "https://localhost:3001/login");
    assert_eq!(
        set_cookie(&r).as_deref(),
        Some("_k=sess-1; path=/; HttpOnly; SameSite=Lax; secure")
    );
}

// §F "API-only, documented way": force_ssl does NOT add secure to the options; the SSL
// middleware appends `; secure` on https.
#[test]
fn force_ssl_api_only_appends_secure() {
    let mut app = with_session(versioned(RailsVersion::V6_1), store(Some("_api_session")));
    app.api_only = true;
    app.session_middleware = SessionMiddleware::Documented;
    app.force_ssl = true;
    let r = login(&app, "https://localhost:3001/login");
    assert_eq!(
        set_cookie(&r).as_deref(),
        Some("_api_session=sess-1; path=/; HttpOnly; SameSite=Lax; secure")
    );
}

// §F "force_ssl": rack-cors answers an http preflight (200 + CORS); http GET → 301,
// POST → 308 (6.1 defaults), both with CORS headers and Location.
#[test]
fn force_ssl_redirects_after_rack_cors() {
    let mut app = versioned(RailsVersion::V6_1);
    app.force_ssl = true;
    let r = respond(&app, &preflight(&format!("{API}/login"), O, "POST", None));
    assert_eq!(r.response.status, 200);
    assert!(r.response.headers.contains("Access-Control-Allow-Origin"));
    let r = respond(
        &app,
        &req("GET", &format!("{API}/me?x=1"), &[("Origin", O)]),
    );
    assert_eq!(r.response.status, 301);
    assert_eq!(
        r.response.headers.get("Location").as_deref(),
        Some("https://localhost:3001/me?x=1")
    );
    assert_eq!(
        r.response
            .headers
            .get("Access-Control-Allow-Origin")
            .as_deref(),
        Some(O)
    );
    assert!(has(&r, Reason::ForceSslRedirect));
    let r = login(&app, &format!("{API}/login"));
    assert_eq!(r.response.status, 308);
    assert_eq!(set_cookie(&r), None);
    app.load_defaults = LoadDefaults::V6_0;
    assert_eq!(login(&app, &format!("{API}/login")).response.status, 307);
}

// §F "domain :all (no tld_length)" and "+ tld_length"; leading dot dropped from 7.1 (version table).
#[test]
fn domain_all_table() {
    let v = RailsVersion::V6_1;
    let cases = [
        ("localhost", None),
        ("127.0.0.1", None),
        ("[::1]", None),
        ("app.example.com", Some(".example.com")),
        ("a.b.example.com", Some(".example.com")),
        ("x.y.z.example.com", Some(".example.com")),
        ("example.com", Some(".example.com")),
        ("foo.co.uk", Some(".foo.co.uk")),
        ("www.foo.co.uk", Some(".foo.co.uk")),
        ("foo.github.io", Some(".github.io")),
        ("myapp.herokuapp.com", Some(".herokuapp.com")),
        ("user1.lvh.me", Some(".user1.lvh.me")),
    ];
    for (host, want) in cases {
        assert_eq!(all_domain(host, None, v).as_deref(), want, "{host}");
    }
    let tld = [
        (1, "app.example.com", Some(".com")),
        (1, "foo.co.uk", Some(".uk")),
        (2, "app.example.com", Some(".example.com")),
        (2, "foo.co.uk", Some(".co.uk")),
        (2, "foo.github.io", Some(".github.io")),
        (3, "app.example.com", Some(".app.example.com")),
        (3, "foo.github.io", Some(".foo.github.io")),
        (3, "example.com", None),
    ];
    for (n, host, want) in tld {
        assert_eq!(all_domain(host, Some(n), v).as_deref(), want, "{n} {host}");
    }
    assert_eq!(
        all_domain("app.example.com", None, RailsVersion::V7_1).as_deref(),
        Some("example.com")
    );
    assert_eq!(all_domain("localhost", None, RailsVersion::V8), None);
    // The string "all" behaves like :all.
    assert_eq!(
        cookie_domain(&DomainOption::Exact("all".into()), "a.example.com", v).as_deref(),
        Some(".example.com")
    );
}

// §F "explicit domain / list": sent as written whatever the host; a list sends the first
// entry that host-matches, as written; no match → no Domain.
#[test]
fn explicit_and_list_domains() {
    let v = RailsVersion::V6_1;
    let exact = DomainOption::Exact(".example.com".into());
    assert_eq!(
        cookie_domain(&exact, "localhost", v).as_deref(),
        Some(".example.com")
    );
    let list = DomainOption::List(vec![".example.com".into(), "foo.co.uk".into()]);
    assert_eq!(
        cookie_domain(&list, "www.foo.co.uk", v).as_deref(),
        Some("foo.co.uk")
    );
    assert_eq!(
        cookie_domain(&list, "api.example.com", v).as_deref(),
        Some(".example.com")
    );
    assert_eq!(cookie_domain(&list, "localhost", v), None);
    // And on the wire, in place.
    let app = with_session(
        versioned(v),
        SessionStoreConfig {
            domain: exact,
            ..store(Some("_k"))
        },
    );
    let r = login(&app, &format!("{API}/login"));
    assert_eq!(
        set_cookie(&r).as_deref(),
        Some("_k=sess-1; domain=.example.com; path=/; HttpOnly; SameSite=Lax")
    );
}

// §F "expire_after": `expires=<httpdate>` (no Max-Age), from the simulation clock.
#[test]
fn expire_after_gives_expires() {
    let app = with_session(
        versioned(RailsVersion::V6_1),
        SessionStoreConfig {
            expire_after: Some(14 * 86_400),
            path: Some("/api".into()),
            ..store(Some("_k"))
        },
    );
    let r = login(&app, &format!("{API}/login"));
    assert_eq!(
        set_cookie(&r).as_deref(),
        Some("_k=sess-1; path=/api; expires=Thu, 15 Jan 2026 00:00:00 GMT; HttpOnly; SameSite=Lax")
    );
    assert_eq!(httpdate(SIM_EPOCH), "Thu, 01 Jan 2026 00:00:00 GMT");
}

// `httponly: false` drops the attribute (the model does what is configured).
#[test]
fn httponly_false() {
    let app = with_session(
        versioned(RailsVersion::V8),
        SessionStoreConfig {
            httponly: Some(false),
            ..store(Some("_k"))
        },
    );
    assert_eq!(
        set_cookie(&login(&app, &format!("{API}/login"))).as_deref(),
        Some("_k=sess-1; path=/; samesite=lax")
    );
}

// §F "default Rails 6.1 session cookie": re-sent on every request that reads the session;
// GET /me without a cookie sets nothing (401).
#[test]
fn read_path_resends_and_missing_is_401() {
    let app = versioned(RailsVersion::V6_1);
    let r = respond(
        &app,
        &req(
            "GET",
            &format!("{API}/me"),
            &[("Origin", O), ("Cookie", "_oracle_app_session=sess-1")],
        ),
    );
    assert_eq!(r.response.status, 200);
    assert_eq!(
        set_cookie(&r).as_deref(),
        Some("_oracle_app_session=sess-1; path=/; HttpOnly; SameSite=Lax")
    );
    assert!(has(&r, Reason::SessionRead));
    let r = respond(
        &app,
        &req(
            "GET",
            &format!("{API}/me"),
            &[("Origin", O), ("Cookie", "other=1")],
        ),
    );
    assert_eq!(r.response.status, 401);
    assert_eq!(set_cookie(&r), None);
    assert!(has(&r, Reason::SessionMissing));
}

// §F "API-only, no middleware": 6.1 silently loses the write (200, no Set-Cookie);
// 7.0+ raises DisabledSessionError → 500 (version table). Full app + :disabled the same.
#[test]
fn api_only_without_session_middleware() {
    for (v, status, reason) in [
        (RailsVersion::V6_1, 200, Reason::SessionMiddlewareMissing),
        (RailsVersion::V7_0, 500, Reason::DisabledSessionError),
        (RailsVersion::V8, 500, Reason::DisabledSessionError),
    ] {
        let mut app = with_session(versioned(v), store(Some("_api_session")));
        app.api_only = true;
        app.session_middleware = SessionMiddleware::None;
        let r = login(&app, &format!("{API}/login"));
        assert_eq!(r.response.status, status, "{v:?}");
        assert_eq!(set_cookie(&r), None);
        assert!(has(&r, reason), "{v:?}");
        let mut full = with_session(
            versioned(v),
            SessionStoreConfig {
                store: StoreKind::Disabled,
                ..store(None)
            },
        );
        full.api_only = false;
        let r = login(&full, &format!("{API}/login"));
        assert_eq!(r.response.status, status, "full app {v:?}");
        assert!(has(&r, reason));
    }
}

// §F "API-only, documented way": works, with the options.
#[test]
fn api_only_documented_way() {
    let mut app = with_session(versioned(RailsVersion::V6_1), store(Some("_api_session")));
    app.api_only = true;
    app.session_middleware = SessionMiddleware::Documented;
    let r = login(&app, &format!("{API}/login"));
    assert_eq!(
        set_cookie(&r).as_deref(),
        Some("_api_session=sess-1; path=/; HttpOnly; SameSite=Lax")
    );
}

// §F "API-only, wrong ways": without options → `_session_id`, key/domain/same_site/secure
// ignored (only the app-wide SameSite applies); before the store is set → NoMethodError at
// boot; :disabled + documented lines → the same; no ActionDispatch::Cookies → no Set-Cookie.
#[test]
fn api_only_wrong_ways() {
    let custom = SessionStoreConfig {
        domain: DomainOption::Exact(".example.com".into()),
        same_site: SameSiteOption::None,
        secure: Some(true),
        ..store(Some("_api_session"))
    };
    let mut app = with_session(versioned(RailsVersion::V6_1), custom.clone());
    app.api_only = true;
    app.session_middleware = SessionMiddleware::WithoutOptions;
    let r = login(&app, &format!("{API}/login"));
    assert_eq!(
        set_cookie(&r).as_deref(),
        Some("_session_id=sess-1; path=/; HttpOnly; SameSite=Lax")
    );
    assert!(has(&r, Reason::SessionOptionsIgnored));

    app.session_middleware = SessionMiddleware::BeforeStoreSet;
    let err = app.boot().unwrap_err();
    assert_eq!(err[0].reason, Reason::BootError);
    assert!(
        err[0]
            .title
            .contains("undefined method `new' for nil:NilClass"),
        "{}",
        err[0].title
    );
    app.version = RailsVersion::V8;
    app.load_defaults = LoadDefaults::V8_0;
    assert!(app.boot().unwrap_err()[0]
        .title
        .contains("undefined method 'new' for nil"));

    let mut app = with_session(
        versioned(RailsVersion::V6_1),
        SessionStoreConfig {
            store: StoreKind::Disabled,
            ..store(None)
        },
    );
    app.api_only = true;
    app.session_middleware = SessionMiddleware::Documented;
    assert_eq!(app.boot().unwrap_err()[0].reason, Reason::BootError);

    let mut app = with_session(versioned(RailsVersion::V6_1), custom);
    app.api_only = true;
    app.session_middleware = SessionMiddleware::WithoutCookies;
    let r = login(&app, "https://localhost:3001/login");
    assert_eq!(set_cookie(&r), None);
    assert!(has(&r, Reason::SessionMiddlewareMissing));
}

// §F "CSRF (full app, default protection)": cross-origin POST /login without a token →
// 422 with CORS headers and no Set-Cookie. API-only apps have no forgery protection.
#[test]
fn csrf_on_full_apps() {
    let mut app = versioned(RailsVersion::V6_1);
    app.csrf_protection = true;
    let r = login(&app, &format!("{API}/login"));
    assert_eq!(r.response.status, 422);
    assert_eq!(set_cookie(&r), None);
    assert_eq!(
        r.response
            .headers
            .get("Access-Control-Allow-Origin")
            .as_deref(),
        Some(O)
    );
    assert!(has(&r, Reason::CsrfRejected));
    let r = respond(
        &app,
        &req(
            "POST",
            &format!("{API}/login"),
            &[("Origin", O), ("X-CSRF-Token", "t")],
        ),
    );
    assert_eq!(r.response.status, 200);
    app.api_only = true;
    app.session_middleware = SessionMiddleware::Documented;
    app.session = store(Some("_k"));
    assert_eq!(login(&app, &format!("{API}/login")).response.status, 200);
}

// Middleware order: rack-cors after a middleware that answers first (Warden-like 401,
// ActionDispatch::SSL redirect): those answers carry no CORS headers (rack-cors README).
#[test]
fn rack_cors_after_an_answering_middleware() {
    let mut app = versioned(RailsVersion::V8);
    app.cors_position = CorsPosition::AfterAnsweringMiddleware;
    let r = respond(&app, &req("GET", &format!("{API}/me"), &[("Origin", O)]));
    assert_eq!(r.response.status, 401);
    assert!(!r.response.headers.contains("access-control-allow-origin"));
    assert!(!r.response.headers.contains("vary"));
    assert!(has(&r, Reason::MiddlewareAnsweredFirst));
    // Preflights still reach rack-cors.
    let r = respond(&app, &preflight(&format!("{API}/me"), O, "GET", None));
    assert!(r.response.headers.contains("access-control-allow-origin"));
    // force_ssl ahead of rack-cors: the redirect (even of a preflight) has no CORS headers.
    app.force_ssl = true;
    let r = respond(&app, &preflight(&format!("{API}/me"), O, "GET", None));
    assert_eq!(r.response.status, 308);
    assert!(!r.response.headers.contains("access-control-allow-origin"));
}

// Rails refuses a load_defaults newer than itself.
#[test]
fn load_defaults_newer_than_rails() {
    let mut app = versioned(RailsVersion::V6_1);
    app.load_defaults = LoadDefaults::V8_0;
    let err = app.boot().unwrap_err();
    assert_eq!(err[0].reason, Reason::BootError);
    assert!(err[0].explanation.contains("Unknown version \"8.0\""));
}

// §F "default headers": X-XSS-Protection 0 from load_defaults 7.0; no X-Download-Options from 7.1.
#[test]
fn default_headers_by_load_defaults() {
    let h = |v: RailsVersion| {
        let app = versioned(v);
        respond(&app, &req("GET", &format!("{API}/me"), &[]))
            .response
            .headers
    };
    assert_eq!(
        h(RailsVersion::V6_1).get("X-XSS-Protection").as_deref(),
        Some("1; mode=block")
    );
    assert_eq!(
        h(RailsVersion::V7_0).get("X-XSS-Protection").as_deref(),
        Some("0")
    );
    assert!(h(RailsVersion::V7_0).contains("X-Download-Options"));
    assert!(!h(RailsVersion::V7_1).contains("x-download-options"));
}

// actionpack `middleware/session/cookie_store.rb`: the session is read through the encrypted
// cookie jar, and a value that does not decrypt (another secret_key_base, or edited) reads as
// nil: an empty session. A read-only action then writes nothing back; a login writes a new one.
#[test]
fn undecryptable_session_cookie_is_an_empty_session() {
    let app = versioned(RailsVersion::V6_1);
    let garbage = [
        ("Origin", O),
        ("Cookie", "_oracle_app_session=garbage--garbage"),
    ];
    let r = respond(&app, &req("GET", &format!("{API}/me"), &garbage));
    assert_eq!(r.response.status, 401);
    assert_eq!(set_cookie(&r), None);
    assert!(!has(&r, Reason::SessionRead));
    let step = r
        .steps
        .iter()
        .find(|s| s.reason == Reason::SessionCookieUndecryptable)
        .expect("a step saying the cookie did not decrypt");
    assert!(
        step.explanation
            .contains("Rails could not decrypt `_oracle_app_session`"),
        "{}",
        step.explanation
    );
    assert!(step.explanation.contains("you are logged out"));
    // The login action writes the session, so Rails sends a fresh cookie.
    let r = respond(&app, &req("POST", &format!("{API}/login"), &garbage));
    assert_eq!(r.response.status, 200);
    assert_eq!(
        set_cookie(&r).as_deref(),
        Some("_oracle_app_session=sess-1; path=/; HttpOnly; SameSite=Lax")
    );
    assert!(has(&r, Reason::SessionCookieUndecryptable));
    assert!(has(&r, Reason::SessionWritten));
    // A value the app wrote itself still reads.
    let r = respond(
        &app,
        &req(
            "GET",
            &format!("{API}/me"),
            &[("Origin", O), ("Cookie", "_oracle_app_session=sess-7")],
        ),
    );
    assert_eq!(r.response.status, 200);
    assert!(!has(&r, Reason::SessionCookieUndecryptable));
}
