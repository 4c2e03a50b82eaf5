//! The FastAPI presets through the whole simulation, their permalinks, and
//! the fix search over FastAPI settings.

use crumbtrail_engine::fixes::{goal_holds, suggest_fixes};
use crumbtrail_engine::permalink::{decode, encode, View};
use crumbtrail_engine::scenario::ServerSetup;
use crumbtrail_engine::server::fastapi::FastApiVersion;
use crumbtrail_engine::trace::{JsResult, Reason, Verdict};
use crumbtrail_engine::{presets, simulate, Scenario};

fn preset(id: &str) -> Scenario {
    presets::by_id(id).unwrap().scenario
}

fn has(t: &crumbtrail_engine::Trace, reason: Reason, text: &str) -> bool {
    t.steps
        .iter()
        .any(|s| s.reason == reason && (s.title.contains(text) || s.explanation.contains(text)))
}

fn with_version(mut s: Scenario, v: FastApiVersion) -> Scenario {
    if let ServerSetup::FastApi(a) = &mut s.server {
        a.version = v;
    }
    s
}

#[test]
fn wildcard_with_credentials_by_release() {
    // Starlette 1.10 writes back every Origin: it all works, and it is flagged.
    let t = simulate(&preset("fastapi-wildcard-with-credentials"));
    assert!(t.requests.iter().all(|r| r.js_result == JsResult::Readable));
    assert_eq!(t.requests[1].status, Some(200));
    assert!(t
        .steps
        .iter()
        .any(|s| s.reason == Reason::FastApiCorsAllowed && s.verdict == Verdict::Warning));
    // Starlette 0.36 sends `*` to the login (no Cookie header yet): the
    // browser refuses it for a credentialed fetch.
    let t = simulate(&with_version(
        preset("fastapi-wildcard-with-credentials"),
        FastApiVersion::V0_110,
    ));
    assert_eq!(t.requests[0].js_result, JsResult::NetworkError);
    assert!(has(
        &t,
        Reason::FastApiCorsAllowed,
        "only when the request carries a `Cookie`"
    ));
}

#[test]
fn https_only_over_plain_http_loses_the_session() {
    let t = simulate(&preset("starlette-session-https-only-over-http"));
    assert_eq!(t.requests[0].status, Some(200));
    assert!(t.requests[0].cookies_stored.is_empty());
    assert_eq!(t.requests[0].cookies_rejected.len(), 1);
    assert_eq!(t.requests[1].status, Some(401));
}

#[test]
fn the_default_allow_methods_refuses_the_login_preflight() {
    let t = simulate(&preset("fastapi-default-allow-methods"));
    assert_eq!(t.requests[0].js_result, JsResult::NetworkError);
    assert!(has(
        &t,
        Reason::FastApiCorsPreflightRejected,
        "Disallowed CORS method"
    ));
}

#[test]
fn an_untrusted_proxy_makes_https_redirect_loop() {
    let t = simulate(&preset("fastapi-https-redirect-behind-proxy"));
    assert_eq!(t.requests[0].js_result, JsResult::NetworkError);
    assert!(has(
        &t,
        Reason::FastApiProxySchemeIgnored,
        "--forwarded-allow-ips=172.18.0.2"
    ));
    assert!(has(&t, Reason::FastApiHttpsRedirect, "307"));
}

#[test]
fn an_exception_has_no_cors_headers() {
    let t = simulate(&preset("fastapi-500-without-cors-headers"));
    assert_eq!(t.requests[0].js_result, JsResult::Readable);
    assert_eq!(t.requests[1].js_result, JsResult::NetworkError);
    assert!(has(&t, Reason::FastApiServerError, "ServerErrorMiddleware"));
}

#[test]
fn presets_round_trip_through_their_permalinks() {
    let mut n = 0;
    for p in presets::all()
        .into_iter()
        .filter(|p| matches!(p.scenario.server, ServerSetup::FastApi(_)))
    {
        n += 1;
        for v in FastApiVersion::ALL {
            let s = with_version(p.scenario.clone(), v);
            let link = encode(&s, &View::default());
            assert!(link.contains("server=fastapi"), "{link}");
            let back = decode(&link);
            assert!(back.notices.is_empty(), "{}: {:?}", p.id, back.notices);
            assert_eq!(back.scenario, s, "{}: {link}", p.id);
        }
    }
    assert_eq!(n, 6);
}

#[test]
fn the_fix_search_fixes_fastapi_settings_safely() {
    for (id, first_fields) in [
        (
            "fastapi-wildcard-with-credentials",
            vec!["server.fa.allow_origins"],
        ),
        (
            "starlette-session-https-only-over-http",
            vec!["server.fa.https_only"],
        ),
        (
            "fastapi-default-allow-methods",
            vec!["server.fa.allow_methods"],
        ),
        (
            "fastapi-https-redirect-behind-proxy",
            vec!["server.fa.forwarded_allow_ips"],
        ),
    ] {
        for v in FastApiVersion::ALL {
            if id == "fastapi-wildcard-with-credentials" && v == FastApiVersion::V0_165 {
                // Starlette 1.10 mirrors every Origin: the login works, so
                // there is nothing to search (the trace flags it instead).
                continue;
            }
            let s = with_version(preset(id), v);
            let fixes = suggest_fixes(&s);
            assert!(!fixes.is_empty(), "{id} {v:?}: no fix");
            for f in &fixes {
                assert!(
                    goal_holds(&f.scenario, &simulate(&f.scenario), true),
                    "{id}: {}",
                    f.title
                );
                let ServerSetup::FastApi(a) = &f.scenario.server else {
                    panic!("{id}: the fix left FastAPI");
                };
                assert!(
                    !(a.cors.allow_origins.iter().any(|o| o == "*") && a.cors.allow_credentials)
                );
                assert!(a.cors.allow_origin_regex.is_none());
                assert_ne!(a.forwarded_allow_ips.as_deref(), Some("*"));
            }
            let fields: Vec<&str> = fixes[0].changes.iter().map(|c| c.field.as_str()).collect();
            assert_eq!(fields, first_fields, "{id} {v:?}: {}", fixes[0].title);
        }
    }
}
