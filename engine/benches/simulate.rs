//! One full simulation of the article's scenario (Rails model, preflight,
//! session cookie stored then sent). Target: under 50 µs natively.

use criterion::{criterion_group, criterion_main, Criterion};
use crumbtrail_engine::{permalink, simulate};

fn bench(c: &mut Criterion) {
    let refined = permalink::decode("v=1&b1.origins=http://localhost:3000&b1.r1.cred=1").scenario;
    let problematic = permalink::decode("v=1").scenario;
    c.bench_function("simulate article refined (works)", |b| {
        b.iter(|| simulate(std::hint::black_box(&refined)))
    });
    c.bench_function("simulate article problematic (fails)", |b| {
        b.iter(|| simulate(std::hint::black_box(&problematic)))
    });
    c.bench_function("permalink decode+encode", |b| {
        b.iter(|| {
            let d = permalink::decode(std::hint::black_box(
                "v=1&b1.origins=http://localhost:3000&b1.r1.cred=1",
            ));
            permalink::encode(&d.scenario, &d.view)
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
