//! Permalinks round-trip exactly (issue #12): the issue's cases one by one,
//! then the two laws as properties:
//!
//! 1. `decode(encode(s)) == s`, with no notices, for every reachable scenario;
//! 2. `encode(decode(x))` is a fixed point for any text `x`, and nothing panics.

mod laws;

use laws::reachable::{key_soup, mutated_link, reachable_with_view, text};
use proptest::prelude::*;

use crumbtrail_engine::permalink::decode;

#[test]
fn every_issue_case_reads_as_written_and_round_trips() {
    let mut failures = Vec::new();
    for (link, check) in laws::ISSUE_CASES {
        let d = decode(link);
        if let Err(e) = check(&d) {
            failures.push(format!("{link}: {e} (notices {:?})", d.notices));
        }
        if let Err(e) = laws::permalink(link) {
            failures.push(format!("{link}: {e}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_issue_scenario_round_trips() {
    let mut failures = Vec::new();
    for (name, s, view) in laws::issue_scenarios() {
        if let Err(e) = laws::scenario_round_trip(&s, &view) {
            failures.push(format!("{name}: {e}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn huge_and_zero_indices_are_refused_without_growing_lists() {
    for link in [
        "v=1&r999999.method=GET",
        "v=1&r21=GET+/x",
        "v=1&b21.origins=*",
        "v=1&b1.r21.path=/x",
        "v=1&server=raw&raw21=GET+/x",
        "v=1&r0.h=x",
        "v=1&r99999999999999999999999=x",
    ] {
        let d = decode(link);
        assert_eq!(d.notices.len(), 1, "{link}: {:?}", d.notices);
        assert_eq!(d.scenario.requests.len(), 2, "{link}");
        laws::permalink(link).unwrap();
    }
}

#[test]
fn a_link_reads_from_a_url_a_query_or_a_bare_query() {
    let want = decode("v=1&r1=GET+/x?y=1&r2.wait=7");
    assert!(want.notices.is_empty(), "{:?}", want.notices);
    for input in [
        "?v=1&r1=GET+/x?y=1&r2.wait=7",
        "http://localhost:8080/?v=1&r1=GET+/x?y=1&r2.wait=7",
        "https://docs.example/crumbtrail/?v=1&r1=GET+/x?y=1&r2.wait=7#top",
        "file:///tmp/dist/index.html?v=1&r1=GET+/x?y=1&r2.wait=7",
        "docs.example/crumbtrail/?v=1&r1=GET+/x?y=1&r2.wait=7",
        "v=1&r1=GET+/x?y=1&r2.wait=7#top",
    ] {
        let d = decode(input);
        assert_eq!(d, want, "{input}");
    }
    assert_eq!(want.scenario.requests[0].url, "/x?y=1");
}

// ---------------------------------------------------------------------------
// Law 1: every reachable scenario comes back from its link.

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn every_reachable_scenario_comes_back_from_its_link((s, view) in reachable_with_view()) {
        if let Err(e) = laws::scenario_round_trip(&s, &view) {
            return Err(TestCaseError::fail(e));
        }
    }
}

// ---------------------------------------------------------------------------
// Law 2: any text reaches a fixed point after one pass.

proptest! {
    #![proptest_config(ProptestConfig::with_cases(600))]

    #[test]
    fn any_text_reaches_a_fixed_point(x in prop_oneof![text(), "\\PC{0,200}", mutated_link(), key_soup()]) {
        if let Err(e) = laws::permalink(&x) {
            return Err(TestCaseError::fail(e));
        }
    }
}
