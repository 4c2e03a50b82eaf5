//! The lab answers a live run one request at a time, each with a model
//! resumed from what the previous one remembered (`Stack::resume`,
//! `ServerModel::memory`). For every preset, and for each preset with its
//! best fix applied (a login that works, so sessions must carry over), that
//! must give exactly the responses of the one model the simulation keeps.

use crumbtrail_engine::fixes::suggest_fixes;
use crumbtrail_engine::{presets, simulate, Scenario};

fn replayed_like_the_simulation(name: &str, s: &Scenario) {
    let t = simulate(s);
    let mut memory = Default::default();
    for (i, r) in t.requests.iter().enumerate() {
        for e in &r.exchanges {
            let Some(expected) = &e.response else {
                continue;
            };
            let model = s.server.stack().resume(&memory).model;
            let reply = model.respond(&e.request, i);
            memory = model.memory();
            assert_eq!(
                (&reply.response.status, &reply.response.headers),
                (&expected.status, &expected.headers),
                "{name}: request {i} {} {}",
                e.request.method,
                e.request.url
            );
        }
    }
}

#[test]
fn every_preset_and_its_fix_replay_one_request_at_a_time() {
    for p in presets::all() {
        if p.scenario.proxy.is_some() {
            continue; // the proxy wraps the same models; the live e2e runs those presets
        }
        replayed_like_the_simulation(p.id, &p.scenario);
        if let Some(fix) = suggest_fixes(&p.scenario).into_iter().next() {
            replayed_like_the_simulation(&format!("{} (fixed)", p.id), &fix.scenario);
        }
    }
}
