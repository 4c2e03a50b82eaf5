//! The Django model on its own: what the differential suite found in real
//! Django (the framework wins), the presets' server side, and the
//! differences between Django 4.2 and 5.2.

use crumbtrail_engine::headers::HeaderList;
use crumbtrail_engine::http::{ServerModel, ServerReply, WireRequest};
use crumbtrail_engine::server::django::presets::{self, FIRST_CSRF_TOKEN};
use crumbtrail_engine::server::django::{
    CorsPosition, DjangoApp, DjangoModel, DjangoVersion, SessionEngine,
};
use crumbtrail_engine::trace::{Reason, Verdict};

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

fn set_cookies(r: &ServerReply) -> Vec<String> {
    r.response
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|s| s.to_string())
        .collect()
}

fn preset(id: &str) -> presets::DjangoPreset {
    presets::all().into_iter().find(|p| p.id == id).unwrap()
}

#[test]
fn cors_passes_and_csrf_fails_in_djangos_words() {
    let p = preset("django-cors-passes-csrf-fails");
    let m = DjangoModel::new(p.app);
    let o = ("Origin", "http://localhost:5173");
    let csrf = m.respond(&req("GET", "http://localhost:8000/api/csrf/", &[o]), 0);
    assert_eq!(csrf.response.status, 200);
    assert!(set_cookies(&csrf)[0].starts_with(&format!("csrftoken={FIRST_CSRF_TOKEN};")));
    let cookie = format!("csrftoken={FIRST_CSRF_TOKEN}");
    let login = m.respond(
        &req(
            "POST",
            "http://localhost:8000/api/login/",
            &[o, ("Cookie", &cookie), ("X-CSRFToken", FIRST_CSRF_TOKEN)],
        ),
        1,
    );
    assert_eq!(login.response.status, 403);
    assert_eq!(
        login
            .response
            .headers
            .get("access-control-allow-origin")
            .as_deref(),
        Some("http://localhost:5173")
    );
    let step = login
        .steps
        .iter()
        .find(|s| s.reason == Reason::DjangoCsrfRejected)
        .unwrap();
    assert!(step.title.contains(
        "Origin checking failed - http://localhost:5173 does not match any trusted origins."
    ));
    assert!(step.explanation.contains("CSRF_TRUSTED_ORIGINS"));
}

#[test]
fn allow_all_origins_with_credentials_reflects_every_origin() {
    let p = preset("django-allow-all-with-credentials");
    let m = DjangoModel::new(p.app);
    for origin in ["https://any-site.example", "https://evil.example", "null"] {
        let r = m.respond(
            &req(
                "GET",
                "https://api.example.org/api/me/",
                &[("Origin", origin)],
            ),
            0,
        );
        assert_eq!(
            r.response
                .headers
                .get("access-control-allow-origin")
                .as_deref(),
            Some(origin)
        );
        assert_eq!(
            r.response
                .headers
                .get("access-control-allow-credentials")
                .as_deref(),
            Some("true")
        );
        let s = r
            .steps
            .iter()
            .find(|s| s.reason == Reason::DjangoCorsAllowed)
            .unwrap();
        assert_eq!(s.verdict, Verdict::Warning);
    }
}

#[test]
fn the_lax_default_is_explained_with_its_version() {
    let p = preset("django-lax-default-cross-site");
    let m = DjangoModel::new(p.app);
    let o = ("Origin", "https://app.example.com");
    let cookie = format!("csrftoken={FIRST_CSRF_TOKEN}");
    m.respond(&req("GET", "https://api.example.org/api/csrf/", &[o]), 0);
    let login = m.respond(
        &req(
            "POST",
            "https://api.example.org/api/login/",
            &[o, ("Cookie", &cookie), ("X-CSRFToken", FIRST_CSRF_TOKEN)],
        ),
        1,
    );
    assert_eq!(login.response.status, 200);
    let sc = set_cookies(&login);
    assert!(sc
        .iter()
        .any(|c| c.starts_with("sessionid=") && c.ends_with("SameSite=Lax")));
    let s = login
        .steps
        .iter()
        .find(|s| s.reason == Reason::SessionWritten)
        .unwrap();
    assert!(s
        .explanation
        .contains("`SESSION_COOKIE_SAMESITE` is `'Lax'` by default since Django 2.1"));
}

/// Found by the differential suite: Django's error views are
/// `@requires_csrf_token`, so a 400 for a bad Host reads the CSRF secret
/// (from the session with `CSRF_USE_SESSIONS`: `Vary: Cookie`) and replaces
/// a malformed csrftoken cookie, although CsrfViewMiddleware never ran;
/// under DEBUG the technical pages do not.
#[test]
fn error_views_run_the_csrf_steps_unless_debug() {
    let mut app = DjangoApp::default();
    app.csrf.use_sessions = true;
    let m = DjangoModel::new(app.clone());
    let r = m.respond(
        &req(
            "GET",
            "http://localhost:8000/api/me/",
            &[("Host", "evil.example")],
        ),
        0,
    );
    assert_eq!(r.response.status, 400);
    assert_eq!(
        r.response.headers.get("vary").as_deref(),
        Some("Cookie, origin")
    );

    let mut app = DjangoApp {
        cors_position: CorsPosition::Missing,
        ..DjangoApp::default()
    };
    for debug in [false, true] {
        app.debug = debug;
        let m = DjangoModel::new(app.clone());
        let r = m.respond(
            &req(
                "GET",
                "http://localhost:8000/api/me/",
                &[("Host", "evil.example"), ("Cookie", "csrftoken=bad")],
            ),
            0,
        );
        assert_eq!(r.response.status, 400);
        assert_eq!(
            set_cookies(&r).len(),
            usize::from(!debug),
            "DEBUG = {debug}"
        );
    }
}

#[test]
fn cors_after_common_middleware_loses_the_headers_of_its_answers() {
    for (pos, expect) in [
        (CorsPosition::First, true),
        (CorsPosition::AfterCommon, false),
    ] {
        let mut app = DjangoApp::default();
        app.cors.allowed_origins = vec!["http://localhost:5173".into()];
        app.cors_position = pos;
        let m = DjangoModel::new(app);
        let o = ("Origin", "http://localhost:5173");
        let bad_host = m.respond(
            &req(
                "GET",
                "http://localhost:8000/api/me/",
                &[o, ("Host", "evil.example")],
            ),
            0,
        );
        assert_eq!(bad_host.response.status, 400);
        assert_eq!(
            bad_host
                .response
                .headers
                .contains("access-control-allow-origin"),
            expect,
            "{pos:?}"
        );
        let no_slash = m.respond(&req("GET", "http://localhost:8000/api/me", &[o]), 1);
        assert_eq!(no_slash.response.status, 301);
        assert_eq!(
            no_slash
                .response
                .headers
                .contains("access-control-allow-origin"),
            expect
        );
    }
}

/// Django 5.0 sends `Vary: Cookie` whenever the session cookie is set;
/// 4.2 only when the session was read.
#[test]
fn vary_cookie_differs_between_4_2_and_5_2() {
    for (version, vary) in [
        (DjangoVersion::V4_2, None),
        (DjangoVersion::V5_2, Some("Cookie")),
    ] {
        let mut app = DjangoApp {
            version,
            ..DjangoApp::default()
        };
        app.debug = true;
        app.session.save_every_request = true;
        app.session.engine = SessionEngine::SignedCookies;
        app.cors_position = CorsPosition::Missing;
        app.urls[0].csrf_exempt = true;
        let m = DjangoModel::new(app);
        let login = m.respond(&req("POST", "http://localhost:8000/api/login/", &[]), 0);
        let cookie = set_cookies(&login)
            .into_iter()
            .find(|c| c.starts_with("sessionid="))
            .unwrap();
        let value = cookie.split(';').next().unwrap().to_string();
        let r = m.respond(
            &req(
                "GET",
                "http://localhost:8000/nothing/",
                &[("Cookie", &value)],
            ),
            1,
        );
        assert_eq!(r.response.status, 404);
        assert_eq!(set_cookies(&r).len(), 1);
        assert_eq!(
            r.response.headers.get("vary").as_deref(),
            vary,
            "{version:?}"
        );
    }
}

#[test]
fn system_check_errors_stop_the_app() {
    let mut app = DjangoApp::default();
    app.cors.allowed_origins = vec!["http://localhost:5173/".into()];
    app.csrf.trusted_origins = vec!["localhost:5173".into()];
    let steps = DjangoModel::new(app).boot().unwrap_err();
    let titles: Vec<&str> = steps.iter().map(|s| s.title.as_ref()).collect();
    assert_eq!(
        titles,
        [
            "System check error corsheaders.E014",
            "System check error 4_0.E001"
        ]
    );
    assert!(steps[0].explanation.contains("should not have path"));
    assert!(DjangoModel::new(DjangoApp::default()).boot().is_ok());
}

#[test]
fn the_token_header_must_match_the_cookie() {
    let app = DjangoApp {
        cors_position: CorsPosition::Missing,
        ..DjangoApp::default()
    };
    let m = DjangoModel::new(app);
    let cookie = format!("csrftoken={FIRST_CSRF_TOKEN}");
    let cases = [
        (None, "CSRF token missing."),
        (
            Some("short"),
            "CSRF token from the 'X-Csrftoken' HTTP header has incorrect length.",
        ),
        (
            Some("abcdefghijklmnopqrstuvwxyzABCDEF"),
            "CSRF token from the 'X-Csrftoken' HTTP header incorrect.",
        ),
    ];
    for (token, reason) in cases {
        let mut h = vec![("Cookie", cookie.as_str())];
        if let Some(t) = token {
            h.push(("X-CSRFToken", t));
        }
        let r = m.respond(&req("POST", "http://localhost:8000/api/login/", &h), 0);
        assert_eq!(r.response.status, 403);
        assert!(r.steps.iter().any(|s| s.title.contains(reason)), "{reason}");
    }
    let r = m.respond(
        &req(
            "POST",
            "http://localhost:8000/api/login/",
            &[("Cookie", &cookie), ("X-CSRFToken", FIRST_CSRF_TOKEN)],
        ),
        0,
    );
    assert_eq!(r.response.status, 200);
}
