//! The fix search stays bounded on links built to make it explode (issue
//! "Hold under bad input and hostile pages"), and says where it stopped.

mod worst_cases;

use crumbtrail_engine::fixes::{search_fixes, SearchBudget};
use crumbtrail_engine::{permalink, presets};

fn search(link: &str) -> crumbtrail_engine::fixes::FixSearch {
    let d = permalink::decode(link);
    assert!(d.notices.is_empty(), "{:?}", d.notices);
    search_fixes(&d.scenario, &SearchBudget::default())
}

#[test]
fn the_344_byte_link_stops_at_the_budget_and_says_so() {
    let link = worst_cases::blocks();
    assert_eq!(link.len(), 344);
    let f = search(&link);
    let r = &f.report;
    let budget = SearchBudget::default();
    // 400 × `credentials: true`, two ways to replace `'*'`, SameSite=None.
    assert_eq!(r.candidates, 403);
    assert_eq!(r.candidates_used, budget.candidates);
    assert_eq!(r.combinations, 403 + 81_003 + 10_827_401);
    assert!(r.stopped);
    assert!(r.simulated <= 40, "{r:?}");
    assert!(r.checked < 100, "{r:?}");
    assert!(r.work <= budget.work, "{r:?}");
    // The article's fix is still among the first changes tried.
    assert!(
        f.fixes
            .iter()
            .any(|x| x.title == "origins 'http://localhost:3000' with credentials: true"),
        "{:?}",
        f.fixes.iter().map(|x| &x.title).collect::<Vec<_>>()
    );
    let note = r.note().expect("a note when the search stopped");
    assert!(
        note.starts_with(&format!(
            "Searched {} of 10,908,807 combinations of up to three changes (from 403 possible single changes), then stopped",
            r.checked
        )),
        "{note}"
    );
}

#[test]
fn links_with_hundreds_of_changes_stay_within_the_budget() {
    let budget = SearchBudget::default();
    for link in [
        worst_cases::blocks_purge(),
        worst_cases::blocks_every_setting(),
        worst_cases::evil_paths(),
    ] {
        let r = search(&link).report;
        assert!(r.stopped, "{r:?}");
        assert!(r.simulated <= 40 && r.work <= budget.work, "{r:?}");
    }
    // 1 200 changes: the combinations would not even fit in memory.
    let r = search(&worst_cases::blocks_every_setting()).report;
    assert!(r.candidates > 1200, "{r:?}");
    assert!(r.combinations > 280_000_000, "{r:?}");
}

#[test]
fn expensive_simulations_mean_fewer_of_them() {
    let budget = SearchBudget::default();
    for link in [
        worst_cases::evil_origins(1000),
        worst_cases::header_lines(5000),
        worst_cases::redirects(),
    ] {
        let r = search(&link).report;
        assert!(r.work <= budget.work, "{r:?}");
        assert!(r.simulated <= 10, "{r:?}");
    }
}

#[test]
fn smaller_budgets_stop_sooner_and_the_same_way_every_time() {
    let s = presets::by_id("article-session-store").unwrap().scenario;
    let full = search_fixes(&s, &SearchBudget::default());
    assert!(!full.report.stopped);
    assert_eq!(full.report.note(), None);
    let tight = SearchBudget {
        simulations: 2,
        ..SearchBudget::default()
    };
    let a = search_fixes(&s, &tight);
    assert_eq!(a.report.simulated, 2);
    assert!(a.report.stopped);
    assert!(a.report.note().is_some());
    assert_eq!(a, search_fixes(&s, &tight));
    let none = SearchBudget {
        candidates: 0,
        ..SearchBudget::default()
    };
    let n = search_fixes(&s, &none);
    assert!(n.fixes.is_empty() && n.report.stopped && n.report.simulated == 0);
    assert!(n.report.note().unwrap().contains("None of them works"));
}

#[test]
fn ordinary_scenarios_are_searched_to_the_end() {
    for p in presets::all() {
        let r = search_fixes(&p.scenario, &SearchBudget::default()).report;
        assert!(!r.stopped, "{}: {r:?}", p.id);
        assert_eq!(r.checked, r.combinations, "{}", p.id);
    }
}

/// The search cut into slices of one simulation (as the page runs it
/// between frames) finds the same fixes and reports the same counts as the
/// search run in one go, on every preset and every worst case.
#[test]
fn a_search_in_slices_finds_what_the_whole_search_finds() {
    use crumbtrail_engine::fixes::{search_fixes_from, FixSearchRun};
    use crumbtrail_engine::simulate;
    let mut scenarios: Vec<(String, crumbtrail_engine::Scenario)> = presets::all()
        .into_iter()
        .map(|p| (p.id.to_string(), p.scenario))
        .collect();
    for (name, link) in worst_cases::all() {
        scenarios.push((name.to_string(), permalink::decode(&link).scenario));
    }
    let budget = SearchBudget::default();
    let mut paused = 0;
    for (name, s) in scenarios {
        let t = simulate(&s);
        let whole = search_fixes_from(&s, &t, &budget);
        let mut run = FixSearchRun::start(&s, &t, &budget);
        let mut slices = 0;
        let mut before = run.simulated();
        while !run.advance(&mut || false) {
            slices += 1;
            // Each slice simulated exactly one combination.
            assert_eq!(run.simulated(), before + 1, "{name}");
            before = run.simulated();
        }
        paused += slices;
        let sliced = run.finish();
        assert_eq!(sliced, whole, "{name}: cut in {slices} slices");
    }
    assert!(paused > 50, "the searches paused {paused} times in all");
}

/// A search dropped halfway (the setup changed) reports that it stopped.
#[test]
fn a_search_dropped_halfway_says_it_stopped() {
    use crumbtrail_engine::fixes::FixSearchRun;
    let s = presets::all()
        .into_iter()
        .find(|p| p.id == "article-problematic")
        .expect("preset")
        .scenario;
    let t = crumbtrail_engine::simulate(&s);
    let mut run = FixSearchRun::start(&s, &t, &SearchBudget::default());
    assert!(!run.advance(&mut || false));
    let f = run.finish();
    assert!(f.report.stopped, "{:?}", f.report);
    assert_eq!(f.report.simulated, 1);
}
