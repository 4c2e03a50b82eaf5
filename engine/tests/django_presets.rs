//! The Django presets through the whole simulation, their permalinks, and
//! the fix search over Django settings.

use crumbtrail_engine::fixes::{goal_holds, suggest_fixes};
use crumbtrail_engine::permalink::{decode, encode, View};
use crumbtrail_engine::scenario::ServerSetup;
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

#[test]
fn the_lax_default_keeps_the_cookies_away_from_a_cross_site_spa() {
    let t = simulate(&preset("django-lax-default-cross-site"));
    // The csrf view's cookie is SameSite=Lax on a cross-site response: not stored.
    assert!(t.requests[0].cookies_stored.is_empty());
    assert!(!t.requests[0].cookies_rejected.is_empty());
    // So the login POST carries no csrftoken: Django's 403 says so.
    assert_eq!(t.requests[1].status, Some(403));
    assert!(has(&t, Reason::DjangoCsrfRejected, "CSRF cookie not set."));
    assert_eq!(t.requests[2].status, Some(401));
}

#[test]
fn cors_passes_and_csrf_fails() {
    let t = simulate(&preset("django-cors-passes-csrf-fails"));
    assert_eq!(t.requests[0].cookies_stored, ["csrftoken"]);
    let login = &t.requests[1];
    assert_eq!(login.js_result, JsResult::Readable);
    assert_eq!(login.status, Some(403));
    assert!(has(
        &t,
        Reason::DjangoCsrfRejected,
        "Origin checking failed - http://localhost:5173 does not match any trusted origins."
    ));
}

#[test]
fn allow_all_origins_with_credentials_lets_any_site_read_the_api() {
    let t = simulate(&preset("django-allow-all-with-credentials"));
    assert!(t.requests.iter().all(|r| r.js_result == JsResult::Readable));
    assert_eq!(t.requests[2].status, Some(200));
    assert!(t
        .steps
        .iter()
        .any(|s| s.reason == Reason::DjangoCorsAllowed && s.verdict == Verdict::Warning));
}

#[test]
fn presets_round_trip_through_their_permalinks() {
    for p in presets::all()
        .into_iter()
        .filter(|p| matches!(p.scenario.server, ServerSetup::Django(_)))
    {
        let link = encode(&p.scenario, &View::default());
        assert!(link.contains("server=django"), "{link}");
        let back = decode(&link);
        assert!(back.notices.is_empty(), "{}: {:?}", p.id, back.notices);
        assert_eq!(back.scenario, p.scenario, "{}: {link}", p.id);
    }
}

#[test]
fn the_fix_search_fixes_django_settings_safely() {
    for id in [
        "django-lax-default-cross-site",
        "django-cors-passes-csrf-fails",
    ] {
        let s = preset(id);
        let fixes = suggest_fixes(&s);
        assert!(!fixes.is_empty(), "{id}: no fix");
        for f in &fixes {
            assert!(
                goal_holds(&f.scenario, &simulate(&f.scenario), true),
                "{id}: {}",
                f.title
            );
            let ServerSetup::Django(a) = &f.scenario.server else {
                panic!("{id}: the fix left Django");
            };
            assert!(!(a.cors.allow_all_origins && a.cors.allow_credentials));
            assert!(a.session.cookie_httponly);
        }
        let fields: Vec<&str> = fixes[0].changes.iter().map(|c| c.field.as_str()).collect();
        match id {
            "django-cors-passes-csrf-fails" => {
                assert_eq!(fields, ["server.CSRF_TRUSTED_ORIGINS"], "{id}")
            }
            _ => assert!(
                fields.contains(&"server.SESSION_COOKIE_SAMESITE")
                    && fields.contains(&"server.CSRF_COOKIE_SAMESITE"),
                "{id}: {fields:?}"
            ),
        }
    }
}

/// Live mode runs a Django preset on the lab's loopback hosts: its
/// `ALLOWED_HOSTS` must allow the lab host that stands in for the API's, or
/// Django answers every request with 400 (`DisallowedHost`) and the live run
/// shows nothing of the preset. Each preset, live, fails or works as the
/// preset does.
#[test]
fn live_mode_keeps_allowed_hosts_working_on_the_lab() {
    use crumbtrail_engine::live::{map_scenario, LabPorts};
    let ports = LabPorts {
        https_app: Some(8443),
        https_api: Some(8444),
        ..LabPorts::default()
    };
    for p in presets::all() {
        let ServerSetup::Django(_) = &p.scenario.server else {
            continue;
        };
        let page = if p.scenario.page.url.starts_with("https:") {
            "https://localhost:8443"
        } else {
            "http://localhost:8080"
        };
        let m = map_scenario(&p.scenario, page, &ports);
        assert!(m.runnable(), "{}: {:?}", p.id, m.blockers);
        let ServerSetup::Django(app) = &m.scenario.server else {
            unreachable!()
        };
        let t = simulate(&m.scenario);
        assert!(
            !t.steps
                .iter()
                .any(|s| s.title.contains("DisallowedHost")
                    || s.explanation.contains("DisallowedHost")),
            "{}: ALLOWED_HOSTS {:?}, {}",
            p.id,
            app.allowed_hosts,
            t.headline
        );
        let want = simulate(&p.scenario);
        assert_eq!(
            t.verdict == Verdict::Blocked,
            want.verdict == Verdict::Blocked,
            "{}: live {} / {}",
            p.id,
            t.headline,
            want.headline
        );
    }
}
