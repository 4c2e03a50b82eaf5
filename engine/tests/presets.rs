//! What the engine says about each preset: the outcomes its headline rests on
//! (preflight, request sent, readable by the page, cookies stored and sent),
//! checked against the observed behaviour in the domain notes (§F Rails,
//! §G Chromium). Every preset also survives a permalink round trip.

use crumbtrail_engine::permalink::{decode, encode, View};
use crumbtrail_engine::presets::{self, Preset};
use crumbtrail_engine::simulate;
use crumbtrail_engine::trace::{PreflightOutcome, Reason, Trace, Verdict};

const S: &str = "_your_app_session";

/// The outcome of one request, as the page shows it.
#[derive(Debug, PartialEq)]
struct Row {
    preflight: PreflightOutcome,
    sent: bool,
    readable: bool,
    status: Option<u16>,
    stored: Vec<String>,
    cookies_sent: Vec<String>,
}

fn row(
    preflight: PreflightOutcome,
    sent: bool,
    readable: bool,
    status: Option<u16>,
    stored: &[&str],
    cookies_sent: &[&str],
) -> Row {
    let owned = |v: &[&str]| v.iter().map(|s| s.to_string()).collect();
    Row {
        preflight,
        sent,
        readable,
        status,
        stored: owned(stored),
        cookies_sent: owned(cookies_sent),
    }
}

fn preset(id: &str) -> Preset {
    presets::by_id(id).unwrap_or_else(|| panic!("no preset `{id}`"))
}

fn run(id: &str) -> Trace {
    let t = simulate(&preset(id).scenario);
    assert!(t.field_errors.is_empty(), "{id}: {:?}", t.field_errors);
    t
}

fn check(id: &str, expected: &[Row]) -> Trace {
    let t = run(id);
    let got: Vec<Row> = t
        .requests
        .iter()
        .map(|r| Row {
            preflight: r.preflight,
            sent: r.request_sent,
            readable: r.readable(),
            status: r.status,
            stored: r.cookies_stored.clone(),
            cookies_sent: r.cookies_sent.clone(),
        })
        .collect();
    assert_eq!(got, expected, "{id}: {}", t.headline);
    t
}

fn first_cause(t: &Trace) -> Option<Reason> {
    t.root_causes.first().map(|c| c.reason)
}

use PreflightOutcome::{Failed, NotNeeded, Passed};

#[test]
fn ids_are_unique_and_the_article_setups_come_first() {
    let all = presets::all();
    let ids: Vec<&str> = all.iter().map(|p| p.id).collect();
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "{ids:?}");
    assert_eq!(
        &ids[..4],
        &[
            "article-problematic",
            "article-refined",
            "article-session-store",
            "article-fetch"
        ]
    );
    // 15 (the embedded widget is the 15th), the six FastAPI presets, the four
    // Laravel presets and three dev-server proxies.
    assert_eq!(all.len(), 15 + 6 + 4 + 3);
    for p in &all {
        assert!(!p.title.is_empty() && !p.summary.is_empty(), "{}", p.id);
    }
}

/// §G: `*` in Access-Control-Allow-Origin with credentials is taken literally,
/// so the JSON login's preflight fails and the login is never sent.
#[test]
fn article_problematic_fails_at_the_preflight() {
    let t = check(
        "article-problematic",
        &[
            row(Failed, false, false, None, &[], &[]),
            row(NotNeeded, true, false, None, &[], &[]),
        ],
    );
    assert_eq!(t.verdict, Verdict::Blocked);
    assert_eq!(first_cause(&t), Some(Reason::WildcardOriginWithCredentials));
}

/// §G: `localhost:A` → `localhost:B` is same-site, so the default Lax session
/// cookie is stored from the CORS response and sent back.
#[test]
fn article_refined_stores_and_sends_the_session() {
    let t = check(
        "article-refined",
        &[
            row(Passed, true, true, Some(200), &[S], &[]),
            row(NotNeeded, true, true, Some(200), &[S], &[S]),
        ],
    );
    assert!(t.root_causes.is_empty(), "{:?}", t.root_causes);
}

/// §F: Rack never writes a `secure: true` session cookie on plain http.
#[test]
fn article_session_store_is_never_written_over_http() {
    let t = check(
        "article-session-store",
        &[
            row(Passed, true, true, Some(200), &[], &[]),
            row(NotNeeded, true, true, Some(401), &[], &[]),
        ],
    );
    assert_eq!(first_cause(&t), Some(Reason::SessionNotWrittenInsecure));
}

#[test]
fn article_fetch_sends_the_cookie_to_the_endpoint() {
    let t = check(
        "article-fetch",
        &[
            row(Passed, true, true, Some(200), &[S], &[]),
            row(NotNeeded, true, true, Some(200), &[S], &[S]),
        ],
    );
    assert!(t.requests[1].url.ends_with("/some_api_endpoint"));
}

/// §G: `app.example.test` → `api.example.test` is same-site.
#[test]
fn same_site_subdomains_work_with_lax() {
    check(
        "same-site-subdomains",
        &[
            row(Passed, true, true, Some(200), &[S], &[]),
            row(NotNeeded, true, true, Some(200), &[S], &[S]),
        ],
    );
}

/// Chrome's default settings allow third-party cookies with SameSite=None; Secure.
#[test]
fn cross_site_with_samesite_none_works_in_default_chrome() {
    check(
        "cross-site-samesite-none",
        &[
            row(Passed, true, true, Some(200), &[S], &[]),
            row(NotNeeded, true, true, Some(200), &[S], &[S]),
        ],
    );
}

/// §F: API-only without the session middleware: no Set-Cookie (Rails ≥ 7.0
/// raises DisabledSessionError on the write).
#[test]
fn api_only_without_session_middleware_sets_no_cookie() {
    let t = check(
        "api-only-no-session-middleware",
        &[
            row(Passed, true, true, Some(500), &[], &[]),
            row(NotNeeded, true, true, Some(401), &[], &[]),
        ],
    );
    assert_eq!(first_cause(&t), Some(Reason::DisabledSessionError));
}

/// §G: `localhost` → `127.0.0.1` is cross-site; a cross-site CORS response
/// setting a Lax cookie is rejected.
#[test]
fn localhost_vs_127_rejects_the_lax_cookie() {
    let t = check(
        "localhost-vs-127",
        &[
            row(Passed, true, true, Some(200), &[], &[]),
            row(NotNeeded, true, true, Some(401), &[], &[]),
        ],
    );
    assert_eq!(
        t.requests[0]
            .cookies_rejected
            .iter()
            .map(|c| (c.name.as_str(), c.reason))
            .collect::<Vec<_>>(),
        vec![(S, Reason::ExcludeSameSiteCrossSiteSet)]
    );
}

/// Safari blocks every third-party cookie, SameSite=None; Secure or not.
#[test]
fn safari_blocks_the_third_party_session_cookie() {
    let t = check(
        "safari-third-party",
        &[
            row(Passed, true, true, Some(200), &[], &[]),
            row(NotNeeded, true, true, Some(401), &[], &[]),
        ],
    );
    assert_eq!(
        t.requests[0]
            .cookies_rejected
            .iter()
            .map(|c| (c.name.as_str(), c.reason))
            .collect::<Vec<_>>(),
        vec![(S, Reason::ExcludeThirdPartyBlocked)]
    );
}

#[test]
fn every_preset_round_trips_through_its_permalink() {
    for p in presets::all() {
        let q = encode(&p.scenario, &View::default());
        let back = decode(&q);
        assert!(back.notices.is_empty(), "{}: {:?}", p.id, back.notices);
        assert_eq!(back.scenario, p.scenario, "{}: {q}", p.id);
    }
    let refined = encode(&preset("article-refined").scenario, &View::default());
    assert!(refined.len() < 150, "{} chars: {refined}", refined.len());
}
