//! The HAR files recorded from real browsers (Chromium through its DevTools
//! protocol, Firefox ESR through WebDriver BiDi) while each preset ran live
//! against the lab: tests/record_har.rs wrote them, with the scenario the
//! import must rebuild and what the live run showed. Every fixture must
//! import into that scenario, and the scenario must reproduce what the
//! browser really did: the verdict of the preset, and for every request the
//! preflight, whether it was sent, what the page got and the cookies it
//! carried, as the live run observed them.

use std::path::{Path, PathBuf};

use crumbtrail_engine::import;
use crumbtrail_engine::live::{map_scenario, LabPorts};
use crumbtrail_engine::trace::{JsResult, PreflightOutcome, Verdict};
use crumbtrail_engine::{presets, simulate, ProfileId, Scenario};
use serde_json::Value;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/import/recorded")
}

fn fixtures() -> Vec<(String, String, Value)> {
    let dir = dir();
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .expect("the recorded fixtures")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "har"))
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|p| {
            let name = p.file_stem().unwrap().to_string_lossy().into_owned();
            let har = std::fs::read_to_string(&p).unwrap();
            let expected =
                std::fs::read_to_string(dir.join(format!("{name}.expected.json"))).unwrap();
            (name, har, serde_json::from_str(&expected).unwrap())
        })
        .collect()
}

fn js_label(r: JsResult) -> &'static str {
    match r {
        JsResult::Readable => "readable",
        JsResult::Opaque => "opaque",
        JsResult::NetworkError | JsResult::NotSent => "network error",
        JsResult::Navigated => "navigated",
    }
}

#[test]
fn there_are_recordings_of_each_browser_and_the_failing_login() {
    let names: Vec<String> = fixtures().into_iter().map(|f| f.0).collect();
    for want in [
        "chromium-article-problematic",
        "firefox-article-problematic",
        "chromium-localhost-vs-127",
        "firefox-localhost-vs-127",
    ] {
        assert!(names.iter().any(|n| n == want), "{want} missing: {names:?}");
    }
    assert!(names.len() >= 10, "{names:?}");
}

/// Presets that live mode refuses to run (so no browser can record them):
/// the `run live` entries of the live suites' known differences, each with
/// its reason there.
fn refused_live() -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/live_known_differences.toml");
    let text = std::fs::read_to_string(path).expect("tests/live_known_differences.toml");
    text.split("[[difference]]")
        .filter(|block| block.contains("outcome = \"run live\""))
        .filter_map(|block| {
            let case = block.split("case = \"preset/").nth(1)?;
            Some(case.split('"').next()?.to_string())
        })
        .collect()
}

/// The preset as live mode runs it on the lab (every origin on loopback),
/// which is what a recording from the lab shows.
fn on_the_lab(scenario: &Scenario, profile: ProfileId) -> Scenario {
    let mut s = scenario.clone();
    s.profile = profile;
    let page = if s.page.url.starts_with("https:") {
        "https://localhost:8443"
    } else {
        "http://localhost:8080"
    };
    let ports = LabPorts {
        https_app: Some(8443),
        https_api: Some(8444),
        ..LabPorts::default()
    };
    map_scenario(&s, page, &ports).scenario
}

/// Whether the login fails or warns, and its causes, as the browser can
/// show them: a failure inside the server cannot be seen in traffic (what it
/// caused is, a 4xx or 5xx, no cookie set, which the rebuilt scenario shows
/// as a warning), nor can a warning about the server's settings (an
/// allow-list that lets every origin in looks like an exact one).
fn failure(
    t: &crumbtrail_engine::Trace,
) -> (bool, Vec<(crumbtrail_engine::Reason, Option<usize>)>) {
    use crumbtrail_engine::Phase;
    let server_side = |reason| {
        t.steps
            .iter()
            .any(|s| s.reason == reason && s.phase == Phase::Server)
    };
    let fails = t.verdict == Verdict::Blocked
        || t.steps
            .iter()
            .any(|s| s.verdict == Verdict::Warning && s.phase != Phase::Server);
    let causes = t
        .root_causes
        .iter()
        .filter(|c| !server_side(c.reason))
        .map(|c| (c.reason, c.request))
        .collect();
    (fails, causes)
}

/// Issue #13's promise: a HAR recorded from a real browser session of each
/// failing preset, of every stack, imports into a scenario that reproduces
/// its verdict (the tests below check each recording). A preset whose
/// failure needs hosts the lab does not have (a public page, a plain-http
/// host that is not loopback) fails differently on the lab, so no
/// recording from the lab can show it: those are left out, by that test.
#[test]
fn every_failing_preset_is_recorded_in_each_browser() {
    let names: Vec<String> = fixtures().into_iter().map(|f| f.0).collect();
    let refused = refused_live();
    let mut missing = vec![];
    for p in presets::all() {
        let want = failure(&simulate(&p.scenario));
        if !want.0 || refused.iter().any(|r| r == p.id) {
            continue;
        }
        let lab = failure(&simulate(&on_the_lab(&p.scenario, p.scenario.profile)));
        if lab != want {
            continue;
        }
        for browser in ["chromium", "firefox"] {
            let want = format!("{browser}-{}", p.id);
            if !names.contains(&want) {
                missing.push(want);
            }
        }
    }
    assert!(
        missing.is_empty(),
        "record them with CRUMBTRAIL_RECORD=1 (tests/record_har.rs): {missing:?}"
    );
}

/// With `CRUMBTRAIL_BLESS=1` (after a deliberate change to the import) the
/// expected files are written with what the import rebuilds now, keeping
/// what the live run showed; the other tests still check them.
#[test]
fn every_recording_rebuilds_its_scenario() {
    let bless = std::env::var_os("CRUMBTRAIL_BLESS").is_some();
    for (name, har, mut expected) in fixtures() {
        let imported = import::import(&har).unwrap_or_else(|e| panic!("{name}: {e}"));
        let trace = simulate(&imported.scenario);
        if bless {
            expected["verdict"] = serde_json::to_value(trace.verdict).unwrap();
            expected["scenario"] = serde_json::to_value(&imported.scenario).unwrap();
            let text = serde_json::to_string_pretty(&expected).unwrap() + "\n";
            std::fs::write(dir().join(format!("{name}.expected.json")), text).unwrap();
            continue;
        }
        let want: Scenario = serde_json::from_value(expected["scenario"].clone()).unwrap();
        assert_eq!(imported.scenario, want, "{name}");
        let verdict: Verdict = serde_json::from_value(expected["verdict"].clone()).unwrap();
        assert_eq!(trace.verdict, verdict, "{name}: {}", trace.headline);
    }
}

/// The rebuilt scenario does what the browser did in the live run.
#[test]
fn every_rebuilt_scenario_reproduces_the_live_run() {
    // Every fixture is checked; the failures are listed together.
    let mut failures = vec![];
    for (name, har, expected) in fixtures() {
        let imported = import::import(&har).unwrap();
        let trace = simulate(&imported.scenario);
        let preset = presets::by_id(expected["preset"].as_str().unwrap()).unwrap();
        if imported.scenario.requests.len() != preset.scenario.requests.len() {
            failures.push(format!(
                "{name}: {} requests imported, the preset has {}: the preset's requests, and only them, are imported",
                imported.scenario.requests.len(),
                preset.scenario.requests.len()
            ));
            continue;
        }
        for row in expected["live"]["rows"].as_array().unwrap() {
            let i = row["request"].as_u64().unwrap() as usize;
            let r = &trace.requests[i];
            let observed = row["observed"].as_str().unwrap();
            let got = match row["outcome"].as_str().unwrap() {
                "preflight" => {
                    let yes = matches!(
                        r.preflight,
                        PreflightOutcome::Passed | PreflightOutcome::Failed
                    );
                    (if yes { "yes" } else { "no" }).to_string()
                }
                "request" => (if r.request_sent { "yes" } else { "no" }).to_string(),
                "result" => js_label(r.js_result).to_string(),
                "status" => r.status.map(|s| s.to_string()).unwrap_or_default(),
                "cookies sent" => {
                    if r.cookies_sent.is_empty() {
                        "(none)".to_string()
                    } else {
                        let mut c = r.cookies_sent.clone();
                        c.sort();
                        c.join(", ")
                    }
                }
                _ => continue,
            };
            if got != observed {
                failures.push(format!(
                    "{name}: request {} {}: the rebuilt scenario gives {got}, the browser did {observed} ({})",
                    i + 1,
                    row["outcome"],
                    trace.headline
                ));
            }
        }
        // The recording agrees with the simulation of the rebuilt scenario.
        let rows = import::compare(&trace, &imported);
        for r in rows.iter().filter(|r| !r.agree) {
            failures.push(format!(
                "{name}: request {} {}: simulated {}, recorded {}",
                r.request + 1,
                r.outcome.label(),
                r.simulated,
                r.observed
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The failing login is the preset's failure as the lab ran it: the same
/// verdict (failing or not) and the same causes the browser can show. Where
/// the lab reproduces the preset (every required recording), that is the
/// preset's own failure.
#[test]
fn the_failing_login_fails_for_the_presets_reason() {
    let mut failures = vec![];
    for (name, har, expected) in fixtures() {
        let preset = presets::by_id(expected["preset"].as_str().unwrap()).unwrap();
        let imported = import::import(&har).unwrap();
        let want = simulate(&on_the_lab(&preset.scenario, imported.scenario.profile));
        let got = simulate(&imported.scenario);
        if failure(&got) != failure(&want) {
            failures.push(format!(
                "{name}: {:?} {:?}, the preset on the lab {:?} {:?}: {} / {}",
                got.verdict,
                failure(&got).1,
                want.verdict,
                failure(&want).1,
                got.headline,
                want.headline
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
