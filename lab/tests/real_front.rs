//! The lab in front of a real framework (`./dev serve --real`) must hand the
//! framework the connection the scenario describes: a TLS socket when the
//! browser used the lab's HTTPS port and the app is served directly, plain http
//! with `X-Forwarded-Proto` behind a TLS proxy. Each case sends one request to
//! the real framework through the lab's front and to the model, and both must
//! answer alike (status and the names of the cookies set). A header the browser
//! sends cannot choose the scheme.
//!
//! Needs `CRUMBTRAIL_REAL_FRAMEWORKS` (the folder with `express-4/`, `express-5/`,
//! `django-4.2/` and `django-5.2/`; `./dev test` sets it); without it the test
//! says so and passes.

use std::collections::BTreeSet;
use std::path::PathBuf;

use crumbtrail_engine::headers::HeaderList;
use crumbtrail_engine::http::WireRequest;
use crumbtrail_engine::scenario::ServerSetup;
use crumbtrail_engine::server::django::DjangoApp;
use crumbtrail_engine::server::express::{ExpressApp, Front, SecureOption};
use crumbtrail_lab::real::{self, RealFrameworks};

fn frameworks() -> Option<RealFrameworks> {
    match std::env::var_os("CRUMBTRAIL_REAL_FRAMEWORKS") {
        Some(dir) => Some(RealFrameworks {
            dir: PathBuf::from(dir),
        }),
        None => {
            eprintln!(
                "\n!! real_front NOT RUN: set CRUMBTRAIL_REAL_FRAMEWORKS (./dev test does)\n"
            );
            None
        }
    }
}

struct Case {
    what: &'static str,
    origin: &'static str,
    method: &'static str,
    path: &'static str,
    headers: Vec<(&'static str, &'static str)>,
    /// What both must answer: the status and whether a cookie is set.
    status: u16,
    sets_cookie: bool,
}

fn cookie_names(h: &HeaderList) -> BTreeSet<String> {
    h.get_all("set-cookie")
        .iter()
        .filter_map(|l| l.split('=').next())
        .map(|n| n.trim().to_string())
        .collect()
}

fn run(frameworks: &RealFrameworks, server: &ServerSetup, cases: &[Case]) {
    let real = real::start(frameworks, server)
        .expect("the lab has this framework")
        .expect("the framework starts");
    for c in cases {
        let origin = url::Url::parse(c.origin).unwrap();
        let mut headers = HeaderList::new();
        headers.push(
            "Host",
            origin.host_str().unwrap().to_string()
                + &format!(":{}", origin.port_or_known_default().unwrap()),
        );
        for (n, v) in &c.headers {
            headers.push(*n, *v);
        }
        let (status, answered) = real
            .forward(c.method, c.path, &origin, &headers, b"")
            .unwrap_or_else(|e| panic!("{}: {e}", c.what));
        let wire = WireRequest {
            method: c.method.into(),
            url: origin.join(c.path).unwrap().to_string(),
            headers: headers.clone(),
            is_preflight: false,
        };
        let model = server.stack().prepare().model.respond(&wire, 0).response;
        let (real_cookies, model_cookies) = (cookie_names(&answered), cookie_names(&model.headers));
        assert_eq!(
            (status, real_cookies.clone()),
            (model.status, model_cookies),
            "{}: the real framework and the model disagree",
            c.what
        );
        assert_eq!(
            (status, !real_cookies.is_empty()),
            (c.status, c.sets_cookie),
            "{}: {}",
            c.what,
            answered.to_lines()
        );
    }
}

#[test]
fn express_sees_the_connection_the_scenario_describes() {
    let Some(frameworks) = frameworks() else {
        return;
    };
    let login = |what, origin, headers: Vec<(&'static str, &'static str)>, sets_cookie| Case {
        what,
        origin,
        method: "POST",
        path: "/login",
        headers,
        status: 200,
        sets_cookie,
    };
    let mut direct = ExpressApp::default();
    direct.session.secure = SecureOption::True;
    run(
        &frameworks,
        &ServerSetup::Express(direct.clone()),
        &[
            login(
                "direct, https: a TLS socket",
                "https://localhost:8444",
                vec![],
                true,
            ),
            login("direct, http", "http://localhost:8081", vec![], false),
            login(
                "direct, http, the browser claims https",
                "http://localhost:8081",
                vec![
                    (real::LAB_ORIGIN_HEADER, "https://localhost:8444"),
                    ("X-Forwarded-Proto", "https"),
                ],
                false,
            ),
        ],
    );
    let mut proxied = direct.clone();
    proxied.front = Front::TlsProxy;
    run(
        &frameworks,
        &ServerSetup::Express(proxied.clone()),
        &[login(
            "TLS proxy without trust proxy: Node sees http",
            "https://localhost:8444",
            vec![],
            false,
        )],
    );
    proxied.trust_proxy = true;
    run(
        &frameworks,
        &ServerSetup::Express(proxied.clone()),
        &[login(
            "TLS proxy with trust proxy: X-Forwarded-Proto from the proxy, not the browser",
            "https://localhost:8444",
            vec![("X-Forwarded-Proto", "http")],
            true,
        )],
    );
    proxied.front = Front::TlsProxyNoHeader;
    run(
        &frameworks,
        &ServerSetup::Express(proxied),
        &[login(
            "TLS proxy without X-Forwarded-Proto: the browser's header is dropped",
            "https://localhost:8444",
            vec![("X-Forwarded-Proto", "https")],
            false,
        )],
    );
}

#[test]
fn django_sees_the_scheme_the_browser_used() {
    let Some(frameworks) = frameworks() else {
        return;
    };
    // A same-origin login with the CSRF cookie and header: `_origin_verified`
    // compares the Origin with the request's own scheme and host.
    const TOKEN: &str = "abcdefghijklmnopqrstuvwxyzABCDEF";
    let login = |what, origin, sent_origin, status, sets_cookie| Case {
        what,
        origin,
        method: "POST",
        path: "/api/login/",
        headers: vec![
            ("Origin", sent_origin),
            ("Cookie", "csrftoken=abcdefghijklmnopqrstuvwxyzABCDEF"),
            ("X-CSRFToken", TOKEN),
        ],
        status,
        sets_cookie,
    };
    let app = DjangoApp {
        debug: true,
        allowed_hosts: vec!["api.localhost".into()],
        ..Default::default()
    };
    run(
        &frameworks,
        &ServerSetup::Django(Box::new(app)),
        &[
            login(
                "https, Origin of the same https origin",
                "https://api.localhost:8444",
                "https://api.localhost:8444",
                200,
                true,
            ),
            login(
                "http, Origin https: not this origin",
                "http://api.localhost:8081",
                "https://api.localhost:8081",
                403,
                false,
            ),
        ],
    );
}

/// The presets send the model's fixed token in `X-CSRFToken`; a real Django's
/// secret is random, and a real SPA sends the one its csrf endpoint gave it.
/// The lab puts the request's own CSRF cookie in its place, so the real
/// Django accepts exactly when the cookie came back (found in a live run of
/// `django-allow-all-with-credentials` in Firefox, where the model said 200
/// and the real Django 403 "CSRF token incorrect").
#[test]
fn django_gets_the_csrf_token_the_cookie_carries() {
    use crumbtrail_engine::server::django::presets::FIRST_CSRF_TOKEN;
    let Some(frameworks) = frameworks() else {
        return;
    };
    let app = DjangoApp {
        debug: true,
        allowed_hosts: vec!["api.localhost".into()],
        ..Default::default()
    };
    let real = real::start(&frameworks, &ServerSetup::Django(Box::new(app)))
        .expect("the lab has Django")
        .expect("Django starts");
    let origin = url::Url::parse("https://api.localhost:8444").unwrap();
    let login = |cookie: Option<&str>| {
        let mut headers = HeaderList::new();
        headers.push("Host", "api.localhost:8444");
        headers.push("Origin", "https://api.localhost:8444");
        headers.push("X-CSRFToken", FIRST_CSRF_TOKEN);
        if let Some(c) = cookie {
            headers.push("Cookie", c);
        }
        real.forward("POST", "/api/login/", &origin, &headers, b"")
            .expect("Django answers")
            .0
    };
    // A secret the real Django could have made, not the model's placeholder.
    assert_eq!(
        login(Some("csrftoken=Zq8RkT2vLmN4pXw7YbC1dF6gH9jK3sA5")),
        200
    );
    assert_eq!(login(None), 403, "no cookie: CSRF cookie not set");
}
