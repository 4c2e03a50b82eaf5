//! Importing a 10 MB HAR of thousands of entries (a long Chrome session):
//! reading it, picking the requests that matter, rebuilding the scenario,
//! and the whole import with its first simulation and comparison, as the
//! page runs it. Target: well under a second natively.

use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use crumbtrail_engine::import::{self, default_selection, parse, reconstruct};
use crumbtrail_engine::simulate;

#[path = "../tests/import_data/mod.rs"]
mod import_data;

fn bench(c: &mut Criterion) {
    let har = import_data::large_har(10 * 1024 * 1024);
    let rec = parse(&har).expect("the large HAR reads");
    println!(
        "large HAR: {:.1} MB, {} entries",
        har.len() as f64 / (1024.0 * 1024.0),
        rec.entries.len()
    );
    let mut g = c.benchmark_group("import 10 MB HAR");
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    g.bench_function("parse", |b| b.iter(|| parse(std::hint::black_box(&har))));
    g.bench_function("pick and rebuild", |b| {
        b.iter(|| {
            let sel = default_selection(&rec);
            reconstruct(&rec, &sel)
        })
    });
    g.bench_function("whole import, simulate, compare", |b| {
        b.iter(|| {
            let imported = import::import(std::hint::black_box(&har)).expect("imports");
            let trace = simulate(&imported.scenario);
            import::compare(&trace, &imported)
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
