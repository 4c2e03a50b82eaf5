//! The Laravel model answering single requests, each case what the cited
//! source does (laravel/framework 10.x–12.x, laravel/sanctum v4.0.1,
//! fruitcake/php-cors v1.3.0, symfony/http-foundation 7.1).

use crumbtrail_engine::headers::HeaderList;
use crumbtrail_engine::http::{ServerReply, WireRequest};
use crumbtrail_engine::server::laravel::presets::spa_app;
use crumbtrail_engine::server::laravel::support::encrypt_cookie;
use crumbtrail_engine::server::laravel::{
    Front, LaravelApp, LaravelModel, LaravelVersion, SameSite,
};
use crumbtrail_engine::trace::Reason;

fn req(method: &str, url: &str, headers: &[(&str, &str)]) -> WireRequest {
    let mut h = HeaderList::new();
    for (n, v) in headers {
        h.push(*n, *v);
    }
    WireRequest {
        method: method.into(),
        url: url.into(),
        is_preflight: method == "OPTIONS" && h.contains("access-control-request-method"),
        headers: h,
    }
}

fn cookies(r: &ServerReply) -> Vec<String> {
    r.response
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|s| s.to_string())
        .collect()
}

const ORIGIN: (&str, &str) = ("Origin", "http://localhost:3000");
const JSON: (&str, &str) = ("Accept", "application/json");

fn app() -> LaravelApp {
    spa_app("http://localhost:3000", |_| {})
}

#[test]
fn a_preflight_outside_paths_reaches_the_router() {
    // The default paths do not hold `login`: the router answers the OPTIONS
    // with 200 and Allow (AbstractRouteCollection::getRouteForMethods), no CORS.
    let m = LaravelModel::new(LaravelApp::default());
    let r = m.answer(
        &req(
            "OPTIONS",
            "http://localhost:8000/login",
            &[ORIGIN, ("Access-Control-Request-Method", "POST")],
        ),
        Some(0),
    );
    assert_eq!(r.response.status, 200);
    assert_eq!(r.response.headers.to_lines(), "Allow: POST");
    assert!(r
        .steps
        .iter()
        .any(|s| s.reason == Reason::LaravelCorsPathNotMatched));
    // In paths: HandleCors answers 204 itself.
    let m = LaravelModel::new(app());
    let r = m.answer(
        &req(
            "OPTIONS",
            "http://localhost:8000/login",
            &[ORIGIN, ("Access-Control-Request-Method", "POST")],
        ),
        Some(0),
    );
    assert_eq!(r.response.status, 204);
    assert_eq!(
        r.response
            .headers
            .get("access-control-allow-origin")
            .as_deref(),
        Some("http://localhost:3000")
    );
}

#[test]
fn a_419_keeps_the_session_cookie_and_the_cors_headers() {
    let m = LaravelModel::new(app());
    let r = m.answer(
        &req("POST", "http://localhost:8000/login", &[ORIGIN, JSON]),
        Some(0),
    );
    assert_eq!(r.response.status, 419);
    let c = cookies(&r);
    assert_eq!(c.len(), 1, "{c:?}");
    assert!(c[0].starts_with("laravel_session="), "{c:?}");
    assert_eq!(
        r.response
            .headers
            .get("access-control-allow-credentials")
            .as_deref(),
        Some("true")
    );
}

#[test]
fn the_csrf_cookie_flow_logs_in() {
    let m = LaravelModel::new(spa_app("http://localhost:3000", |a| {
        a.session.same_site = SameSite::None;
    }));
    let first = m.answer(
        &req(
            "GET",
            "http://localhost:8000/sanctum/csrf-cookie",
            &[ORIGIN, JSON],
        ),
        Some(0),
    );
    assert_eq!(first.response.status, 204);
    let c = cookies(&first);
    assert!(
        c[0].starts_with("XSRF-TOKEN=") && !c[0].contains("httponly"),
        "{c:?}"
    );
    assert!(
        c[1].starts_with("laravel_session=") && c[1].ends_with("; httponly; samesite=none"),
        "{c:?}"
    );
    let value = |line: &str| {
        line.split(';')
            .next()
            .unwrap()
            .split_once('=')
            .unwrap()
            .1
            .to_string()
    };
    let (xsrf, session) = (value(&c[0]), value(&c[1]));
    let cookie = format!("XSRF-TOKEN={xsrf}; laravel_session={session}");
    let login = m.answer(
        &req(
            "POST",
            "http://localhost:8000/login",
            &[ORIGIN, JSON, ("Cookie", &cookie), ("X-XSRF-TOKEN", &xsrf)],
        ),
        Some(1),
    );
    assert_eq!(login.response.status, 204);
    // regenerate(): a new session id and a new token.
    let c2 = cookies(&login);
    assert_ne!(value(&c2[1]), session);
    assert_ne!(value(&c2[0]), xsrf);
    // The old token no longer matches.
    let cookie2 = format!(
        "XSRF-TOKEN={}; laravel_session={}",
        value(&c2[0]),
        value(&c2[1])
    );
    let stale = m.answer(
        &req(
            "POST",
            "http://localhost:8000/logout",
            &[ORIGIN, JSON, ("Cookie", &cookie2), ("X-XSRF-TOKEN", &xsrf)],
        ),
        Some(2),
    );
    assert_eq!(stale.response.status, 419);
    // The plain token in X-CSRF-TOKEN is not the encrypted cookie value.
    let wrong = m.answer(
        &req(
            "POST",
            "http://localhost:8000/logout",
            &[
                ORIGIN,
                JSON,
                ("Cookie", &cookie2),
                ("X-CSRF-TOKEN", &value(&c2[0])),
            ],
        ),
        Some(3),
    );
    assert_eq!(wrong.response.status, 419);
    assert!(
        wrong
            .steps
            .iter()
            .any(|s| s.reason == Reason::LaravelCsrfMismatch
                && s.explanation.contains("X-CSRF-TOKEN"))
    );
    let user = m.answer(
        &req(
            "GET",
            "http://localhost:8000/api/user",
            &[ORIGIN, JSON, ("Cookie", &cookie2)],
        ),
        Some(4),
    );
    assert_eq!(user.response.status, 200);
    // Sanctum forces lax on the api request even with SESSION_SAME_SITE=none.
    assert!(cookies(&user)[1].ends_with("; httponly; samesite=lax"));
}

#[test]
fn unauthenticated_answers_by_accept_and_login_route() {
    let m = LaravelModel::new(app());
    for (headers, status) in [(vec![ORIGIN, JSON], 401), (vec![ORIGIN], 302)] {
        let r = m.answer(
            &req("GET", "http://localhost:8000/api/user", &headers),
            Some(0),
        );
        assert_eq!(r.response.status, status, "{headers:?}");
    }
    let r = m.answer(
        &req("GET", "http://localhost:8000/api/user", &[ORIGIN]),
        Some(0),
    );
    assert_eq!(
        r.response.headers.get("location").as_deref(),
        Some("http://localhost:8000/login")
    );
    // Without statefulApi the api group starts no session: a login route in
    // routes/api.php throws "Session store not set on request."
    let mut a = app();
    a.stateful_api = false;
    a.login_route = crumbtrail_engine::server::laravel::LoginRoute::Api;
    a.cors.paths.push("api/login".into());
    let r = LaravelModel::new(a).answer(
        &req("POST", "http://localhost:8000/api/login", &[ORIGIN, JSON]),
        Some(0),
    );
    assert_eq!(r.response.status, 500);
    assert!(r
        .steps
        .iter()
        .any(|s| s.reason == Reason::LaravelSessionStoreNotSet));
}

#[test]
fn secure_cookies_by_version_and_trusted_proxy() {
    // SESSION_SECURE_COOKIE unset, SESSION_SAME_SITE=none, over https.
    for (v, front, trusted, session_secure, xsrf_secure) in [
        (LaravelVersion::V10, Front::Direct, false, false, true),
        (LaravelVersion::V11, Front::Direct, false, true, true),
        (LaravelVersion::V12, Front::Direct, false, true, true),
        (LaravelVersion::V12, Front::TlsProxy, false, false, false),
        (LaravelVersion::V12, Front::TlsProxy, true, true, true),
    ] {
        let mut a = spa_app("https://app.example.com", |a| {
            a.session.same_site = SameSite::None;
            a.front = front;
            a.trust_proxies = trusted;
        });
        a.version = v;
        let m = LaravelModel::new(a);
        let r = m.answer(
            &req(
                "GET",
                "https://api.example.com/sanctum/csrf-cookie",
                &[("Origin", "https://app.example.com"), JSON],
            ),
            Some(0),
        );
        let c = cookies(&r);
        assert_eq!(
            c[0].contains("; secure"),
            xsrf_secure,
            "{v:?} {front:?} {trusted}: {c:?}"
        );
        assert_eq!(
            c[1].contains("; secure"),
            session_secure,
            "{v:?} {front:?} {trusted}: {c:?}"
        );
        assert!(c[1].ends_with("samesite=none"), "{c:?}");
    }
}

#[test]
fn an_undecryptable_or_foreign_session_cookie_starts_a_new_session() {
    let m = LaravelModel::new(app());
    for (cookie, why) in [
        (
            "laravel_session=plain".to_string(),
            "no session cookie Laravel can decrypt",
        ),
        (
            format!(
                "laravel_session={}",
                encrypt_cookie("laravel_session", "short")
            ),
            "names no session",
        ),
    ] {
        let r = m.answer(
            &req(
                "POST",
                "http://localhost:8000/login",
                &[ORIGIN, JSON, ("Cookie", &cookie)],
            ),
            Some(0),
        );
        assert_eq!(r.response.status, 419, "{cookie}");
        assert!(r
            .steps
            .iter()
            .any(|s| s.reason == Reason::LaravelCsrfMismatch && s.explanation.contains(why)));
    }
}
