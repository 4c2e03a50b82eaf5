//! The worst cases of "hold under bad input and hostile pages", natively:
//! the fix search on links built to make it explode, origins regexps that
//! backtrack exponentially, thousands of header and `Set-Cookie` lines, and
//! twenty requests redirected twenty times. Target: every fix search under
//! 100 ms (its budget), every simulation well under that.

use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use crumbtrail_engine::fixes::suggest_fixes;
use crumbtrail_engine::{permalink, simulate, Scenario};

#[path = "../tests/worst_cases/mod.rs"]
mod worst_cases;

fn scenario(link: &str) -> Scenario {
    permalink::decode(link).scenario
}

fn fix_search(c: &mut Criterion) {
    let mut g = c.benchmark_group("fix search");
    g.sample_size(10).measurement_time(Duration::from_secs(3));
    for (name, link) in [
        (
            "344-byte link (20 blocks x 20 resources)",
            worst_cases::blocks(),
        ),
        ("the same with a PURGE request", worst_cases::blocks_purge()),
        (
            "1 200 single changes (17 KB link)",
            worst_cases::blocks_every_setting(),
        ),
        ("100 evil origins regexps", worst_cases::evil_origins(100)),
        ("400 evil resource paths", worst_cases::evil_paths()),
        ("5 000 header lines", worst_cases::header_lines(5000)),
    ] {
        let s = scenario(&link);
        g.bench_function(name, |b| b.iter(|| suggest_fixes(std::hint::black_box(&s))));
    }
    g.finish();
}

fn simulation(c: &mut Criterion) {
    let mut g = c.benchmark_group("simulate");
    g.sample_size(10).measurement_time(Duration::from_secs(3));
    for (name, link) in [
        ("100 evil origins regexps", worst_cases::evil_origins(100)),
        (
            "1 000 evil origins regexps",
            worst_cases::evil_origins(1000),
        ),
        ("1 000 header lines", worst_cases::header_lines(1000)),
        ("5 000 header lines", worst_cases::header_lines(5000)),
        ("20 requests x 20 redirects", worst_cases::redirects()),
        ("3 000 Set-Cookie lines", worst_cases::set_cookies(3000)),
    ] {
        let s = scenario(&link);
        g.bench_function(name, |b| b.iter(|| simulate(std::hint::black_box(&s))));
    }
    g.finish();
}

criterion_group!(benches, fix_search, simulation);
criterion_main!(benches);
