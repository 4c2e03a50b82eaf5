//! Prints the shape of a link's trace (steps by verdict, jar sizes, refused
//! cookies): `cargo run -p crumbtrail-engine --example trace_shape -- QUERY`.
fn main() {
    let link = std::env::args().nth(1).unwrap_or_default();
    let link = std::fs::read_to_string(&link).unwrap_or(link);
    let s = crumbtrail_engine::permalink::decode(link.trim()).scenario;
    let t = crumbtrail_engine::simulate(&s);
    let mut by = std::collections::BTreeMap::new();
    for st in &t.steps {
        *by.entry(format!("{:?}", st.verdict)).or_insert(0) += 1;
    }
    println!("verdict {:?}; {} steps {by:?}", t.verdict, t.steps.len());
    for r in &t.requests {
        println!(
            "request {}: {} exchanges, jar after {}, refused {}",
            r.index + 1,
            r.exchanges.len(),
            r.jar_after.len(),
            r.cookies_rejected.len()
        );
    }
}
