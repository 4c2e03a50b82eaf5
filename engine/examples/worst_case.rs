//! Times the worst-case inputs of "hold under bad input and hostile pages"
//! natively: `cargo run --release -p crumbtrail-engine --example worst_case
//! [NAME]`. Each line gives the link's length, one simulation (the fastest
//! of three), and one fix search with the default budget and how far it got.
//! `presets` instead searches every preset without limits, and `random`
//! 2 000 random links of ordinary settings, to show what an ordinary
//! scenario needs. `sim NAME` (ten simulations) and `fix NAME` (one fix
//! search) run one case alone, to measure with outside tools
//! (`perf stat -e task-clock` counts CPU time, whatever else runs).

use std::time::{Duration, Instant};

use crumbtrail_engine::fixes::{search_fixes, search_fixes_from, SearchBudget};
use crumbtrail_engine::{permalink, presets, simulate};

#[path = "../tests/worst_cases/mod.rs"]
mod worst_cases;

fn main() {
    let only = std::env::args().nth(1);
    match only.as_deref() {
        Some("presets") => return ordinary(),
        Some("random") => return random(),
        Some(what @ ("sim" | "fix")) => {
            return once(what, &std::env::args().nth(2).unwrap_or_default())
        }
        _ => {}
    }
    for (name, link) in worst_cases::all() {
        if only.as_deref().is_some_and(|o| !name.contains(o)) {
            continue;
        }
        let s = permalink::decode(&link).scenario;
        let mut sim = Duration::MAX;
        let mut steps = 0;
        for _ in 0..3 {
            let t = Instant::now();
            steps = simulate(&s).steps.len();
            sim = sim.min(t.elapsed());
        }
        let baseline = simulate(&s);
        let t = Instant::now();
        let f = search_fixes_from(&s, &baseline, &SearchBudget::default());
        let fix = t.elapsed();
        let r = &f.report;
        println!(
            "{name}: {} bytes; simulate {sim:?} ({steps} steps); fix search {fix:?}: {} fixes, {} simulated, {} of {} checked, work {} ({:.0} µs/unit){}",
            link.len(),
            f.fixes.len(),
            r.simulated,
            r.checked,
            r.combinations,
            r.work,
            fix.as_secs_f64() * 1e6 / r.work.max(1) as f64,
            if r.stopped { ", stopped" } else { "" }
        );
    }
}

fn ordinary() {
    let unlimited = SearchBudget {
        candidates: usize::MAX,
        simulations: usize::MAX,
        work: u64::MAX,
    };
    for p in presets::all() {
        search_fixes(&p.scenario, &unlimited);
        let t = Instant::now();
        let f = search_fixes(&p.scenario, &unlimited);
        let r = &f.report;
        println!(
            "{}: {:?}: {} candidates, {} simulated, work {}, {} fixes",
            p.id,
            t.elapsed(),
            r.candidates,
            r.simulated,
            r.work,
            f.fixes.len()
        );
    }
}

/// Random links made of ordinary settings, searched without limits: how much
/// work does a scenario people write need?
fn random() {
    const KEYS: &[&str] = &[
        "b1.origins=http://localhost:3000",
        "b1.origins=/localhost/",
        "b1.origins=localhost:3000",
        "b1.r1.cred=1",
        "b1.r1.methods=get",
        "b1.r1.methods=get,post",
        "b1.r1.headers=unset",
        "b1.r1.headers=content-type",
        "b1.r1.path=/api/*",
        "blocks=2",
        "b2.origins=http://localhost:3000",
        "b2.r1.cred=1",
        "b1.resources=3",
        "s.same_site=none",
        "s.same_site=strict",
        "s.secure=1",
        "s.domain=localhost",
        "s.domain=:all",
        "s.store=disabled",
        "api=0",
        "csrf=1",
        "mw=none",
        "mw=without-cookies",
        "cors=0",
        "cors.pos=after",
        "ssl=1",
        "defaults=7.0",
        "rails=7.0",
        "r1.cred=omit",
        "r2.cred=same-origin",
        "r1.mode=no-cors",
        "r2.via=xhr",
        "r2.via=axios",
        "r1.h=Authorization:+Bearer+x",
        "r2.h=X-Token:+1",
        "r1=PUT+http://localhost:3001/login",
        "r2=DELETE+http://localhost:3001/me",
        "page=https://app.example.com/",
        "page=http://127.0.0.1:3000/",
        "r1=POST+https://api.example.com/login",
        "r2=GET+https://api.example.com/me",
        "browser=safari",
        "browser=firefox",
        "requests=3",
    ];
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let unlimited = SearchBudget {
        candidates: usize::MAX,
        simulations: usize::MAX,
        work: u64::MAX,
    };
    let mut works = Vec::new();
    let mut slowest = (Duration::ZERO, String::new(), 0);
    for _ in 0..2000 {
        let n = 1 + next() % 8;
        let mut link = String::from("v=1");
        for _ in 0..n {
            link.push('&');
            link.push_str(KEYS[(next() % KEYS.len() as u64) as usize]);
        }
        let s = permalink::decode(&link).scenario;
        let t = Instant::now();
        let f = search_fixes(&s, &unlimited);
        let e = t.elapsed();
        works.push((f.report.work, f.report.simulated));
        if e > slowest.0 {
            slowest = (e, link, f.report.simulated);
        }
    }
    works.sort();
    let at = |q: f64| works[((works.len() - 1) as f64 * q) as usize];
    println!(
        "work (units, simulations) at 50%: {:?}, 90%: {:?}, 99%: {:?}, max: {:?}",
        at(0.5),
        at(0.9),
        at(0.99),
        works.last()
    );
    println!(
        "slowest: {:?} ({} simulations): {}",
        slowest.0, slowest.2, slowest.1
    );
}

/// One case alone: ten simulations, or one fix search.
fn once(what: &str, name: &str) {
    let Some((_, link)) = worst_cases::all().into_iter().find(|(n, _)| *n == name) else {
        eprintln!("no case named {name:?}");
        std::process::exit(2);
    };
    let s = permalink::decode(&link).scenario;
    if what == "sim" {
        for _ in 0..10 {
            std::hint::black_box(simulate(&s));
        }
    } else {
        std::hint::black_box(search_fixes(&s, &SearchBudget::default()));
    }
}
