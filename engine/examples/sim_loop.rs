//! Runs one simulation of the article's refined Rails scenario many times, for
//! instruction-count profiling: `cargo build --release --example sim_loop`,
//! then run the binary under a cache/instruction simulator with the iteration
//! count as the only argument (default 1000) and divide by it.

use crumbtrail_engine::{permalink, simulate};

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1000);
    let refined = permalink::decode("v=1&b1.origins=http://localhost:3000&b1.r1.cred=1").scenario;
    let mut steps = 0;
    for _ in 0..n {
        steps += simulate(std::hint::black_box(&refined)).steps.len();
    }
    println!("{n} simulations, {steps} steps");
}
