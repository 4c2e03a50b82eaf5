//! The Laravel presets through the whole simulation (the browser, axios,
//! fetch and the Laravel model), their permalinks, and the fix search over
//! Laravel settings.

use crumbtrail_engine::fixes::{goal_holds, suggest_fixes};
use crumbtrail_engine::permalink::{decode, encode, View};
use crumbtrail_engine::scenario::ServerSetup;
use crumbtrail_engine::server::laravel::presets::{sanctum_login, spa_app};
use crumbtrail_engine::trace::{JsResult, Reason};
use crumbtrail_engine::{presets, simulate, Scenario, Trace};

fn preset(id: &str) -> Scenario {
    presets::by_id(id).unwrap().scenario
}

fn has(t: &Trace, reason: Reason, text: &str) -> bool {
    t.steps
        .iter()
        .any(|s| s.reason == reason && (s.title.contains(text) || s.explanation.contains(text)))
}

fn dump(t: &Trace) -> String {
    t.steps
        .iter()
        .map(|s| {
            format!(
                "{:?} {:?} {:?}: {}",
                s.request, s.verdict, s.reason, s.title
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn statuses(t: &Trace) -> Vec<Option<u16>> {
    t.requests.iter().map(|r| r.status).collect()
}

#[test]
fn the_stateful_domain_needs_the_port() {
    let t = simulate(&preset("laravel-stateful-domain-port"));
    let d = dump(&t);
    assert_eq!(statuses(&t), [Some(204), Some(204), Some(401)], "{d}");
    assert_eq!(
        t.requests[0].cookies_stored,
        ["XSRF-TOKEN", "laravel_session"],
        "{d}"
    );
    // axios copied the cookie into X-XSRF-TOKEN (withXSRFToken: true), so
    // the login passed VerifyCsrfToken.
    assert!(has(&t, Reason::AxiosXsrfHeader, "X-XSRF-TOKEN"), "{d}");
    assert!(has(&t, Reason::LaravelCsrfAccepted, "X-XSRF-TOKEN"), "{d}");
    assert!(
        has(
            &t,
            Reason::LaravelSanctumNotStateful,
            "`localhost` does not cover `localhost:3000`"
        ),
        "{d}"
    );
    assert!(t.requests.iter().all(|r| r.js_result == JsResult::Readable));
}

#[test]
fn with_the_port_listed_the_login_holds() {
    let mut s = preset("laravel-stateful-domain-port");
    let ServerSetup::Laravel(a) = &mut s.server else {
        panic!()
    };
    a.stateful_domains = Some("localhost,localhost:3000".into());
    let t = simulate(&s);
    assert_eq!(
        statuses(&t),
        [Some(204), Some(204), Some(200)],
        "{}",
        dump(&t)
    );
    assert!(goal_holds(&s, &t, true));
}

#[test]
fn fetch_sends_no_x_xsrf_token_and_gets_419() {
    let t = simulate(&preset("laravel-fetch-no-xsrf-token"));
    let d = dump(&t);
    assert_eq!(statuses(&t)[..2], [Some(204), Some(419)], "{d}");
    // The 419 is readable: HandleCors decorates the rendered exception.
    assert_eq!(t.requests[1].js_result, JsResult::Readable, "{d}");
    assert!(
        has(&t, Reason::LaravelCsrfMismatch, "fetch never does"),
        "{d}"
    );
    assert!(!has(&t, Reason::AxiosXsrfHeader, ""));
}

#[test]
fn axios_without_with_xsrf_token_sends_nothing_cross_origin() {
    // axios >= 1.6: withCredentials alone no longer sends X-XSRF-TOKEN to
    // another origin.
    let client = crumbtrail_engine::scenario::Client::Axios {
        with_credentials: true,
        with_xsrf_token: false,
    };
    let s = Scenario {
        requests: sanctum_login("http://localhost:8000", client),
        server: ServerSetup::Laravel(Box::new(spa_app("http://localhost:3000", |_| {}))),
        ..preset("laravel-stateful-domain-port")
    };
    let t = simulate(&s);
    assert_eq!(statuses(&t)[..2], [Some(204), Some(419)], "{}", dump(&t));
    assert!(has(&t, Reason::AxiosXsrfSkipped, "Since axios 1.6.0"));
    let fixes = suggest_fixes(&s);
    assert_eq!(
        fixes.first().map(|f| f.title.as_str()),
        Some("Pass withXSRFToken: true to axios"),
        "{:?}",
        fixes.iter().map(|f| &f.title).collect::<Vec<_>>()
    );
}

#[test]
fn a_public_suffix_session_domain_loses_both_cookies() {
    let t = simulate(&preset("laravel-session-domain-public-suffix"));
    let d = dump(&t);
    assert!(t.requests[0].cookies_stored.is_empty(), "{d}");
    assert_eq!(t.requests[0].cookies_rejected.len(), 2, "{d}");
    assert_eq!(t.requests[1].status, Some(419), "{d}");
}

#[test]
fn a_test_domain_api_and_a_localhost_front_are_two_sites() {
    let t = simulate(&preset("laravel-test-domain-localhost-front"));
    let d = dump(&t);
    assert!(t.requests[0].cookies_stored.is_empty(), "{d}");
    assert_eq!(t.requests[1].status, Some(419), "{d}");
}

#[test]
fn presets_round_trip_through_their_permalinks() {
    let mut n = 0;
    for p in presets::all()
        .into_iter()
        .filter(|p| matches!(p.scenario.server, ServerSetup::Laravel(_)))
    {
        n += 1;
        let link = encode(&p.scenario, &View::default());
        assert!(link.contains("server=laravel"), "{link}");
        let back = decode(&link);
        assert!(back.notices.is_empty(), "{}: {:?}", p.id, back.notices);
        assert_eq!(back.scenario, p.scenario, "{}: {link}", p.id);
    }
    assert_eq!(n, 4);
}

#[test]
fn the_fix_search_proposes_laravel_settings_and_nothing_unsafe() {
    for id in [
        "laravel-stateful-domain-port",
        "laravel-fetch-no-xsrf-token",
        "laravel-session-domain-public-suffix",
        "laravel-test-domain-localhost-front",
    ] {
        let s = preset(id);
        let fixes = suggest_fixes(&s);
        for f in &fixes {
            assert!(
                goal_holds(&f.scenario, &simulate(&f.scenario), true),
                "{id}: {}",
                f.title
            );
            let ServerSetup::Laravel(a) = &f.scenario.server else {
                panic!("{id}: the fix left Laravel");
            };
            assert!(!(a.cors.allowed_origins.contains(&"*".into()) && a.cors.supports_credentials));
            assert!(a.session.http_only);
            if let Some(d) = &a.session.domain {
                assert!(!crumbtrail_engine::site::is_public_suffix(
                    d.trim_start_matches('.')
                ));
            }
        }
        let titles: Vec<&str> = fixes.iter().map(|f| f.title.as_str()).collect();
        match id {
            "laravel-stateful-domain-port" => {
                assert!(!fixes.is_empty(), "{id}");
                let fields: Vec<&str> = fixes[0].changes.iter().map(|c| c.field.as_str()).collect();
                assert_eq!(
                    fields,
                    ["server.SANCTUM_STATEFUL_DOMAINS"],
                    "{id}: {titles:?}"
                );
            }
            // No Laravel setting makes fetch send the header, nor makes two
            // sites share a Lax cookie: the search proposes none.
            _ => assert!(fixes.is_empty(), "{id}: {titles:?}"),
        }
    }
}
