//! Profiles pinned to a browser version: which rules a link was made with,
//! and whether the newest rules Crumbtrail has decide the scenario differently.

use crate::fetch::simulate::simulate_with_profile;
use crate::scenario::Scenario;
use crate::trace::{Phase, Reason, RequestOutcome, SpecRef, Step, Trace, Verdict};

/// A scenario pinned to an older version than [`crate::ProfileId::latest`]:
/// one step naming the rules that changed since, and whether the newest
/// version decides any request differently (what is sent, stored, seen).
pub fn newer_version_note(scenario: &Scenario, trace: &mut Trace) {
    let (id, pinned) = (scenario.profile, scenario.browser_version());
    let latest = id.latest();
    if pinned >= latest {
        return;
    }
    let changes: Vec<_> = id
        .changes()
        .iter()
        .filter(|c| c.since > pinned && c.since <= latest)
        .collect();
    let Some(first) = changes.first() else {
        return;
    };
    let newer = simulate_with_profile(scenario, id.profile());
    let browser = id.browser_name();
    let what: Vec<String> = changes
        .iter()
        .map(|c| format!("from {browser} {}: {}", c.since, c.what))
        .collect();
    let differences: Vec<String> = trace
        .requests
        .iter()
        .zip(&newer.requests)
        .filter_map(|(old, new)| difference(old, new))
        .collect();
    let spec = SpecRef {
        label: first.what,
        url: first.source,
    };
    let step = if differences.is_empty() {
        Step::new(
            None,
            Phase::Setup,
            Verdict::Ok,
            Reason::PinnedBrowserVersion,
            format!("Rules of {browser} {pinned}; {browser} {latest} decides the same here"),
            format!(
                "This link was made with the rules of {browser} {pinned}, and is read with them. Since then: {}. For this scenario {browser} {latest} gives the same answer. Pick the profile again to use the newest rules.",
                what.join("; ")
            ),
            spec,
        )
    } else {
        Step::new(
            None,
            Phase::Setup,
            Verdict::Warning,
            Reason::NewerBrowserVersionDiffers,
            format!("{browser} {latest} decides differently than {browser} {pinned}"),
            format!(
                "This link was made with the rules of {browser} {pinned}, and is read with them. Since then: {}. With {browser} {latest}: {}. Pick the profile again to use the newest rules.",
                what.join("; "),
                differences.join("; ")
            ),
            spec,
        )
    }
    .with("Rules", format!("{browser} {pinned}"))
    .with("Newest rules", format!("{browser} {latest}"));
    trace.verdict = trace.verdict.max(step.verdict);
    trace.steps.insert(0, step);
}

/// What a user would notice about one request: cookies sent and stored,
/// what the page sees.
fn difference(old: &RequestOutcome, new: &RequestOutcome) -> Option<String> {
    let n = old.index + 1;
    let list = |v: &[String]| {
        if v.is_empty() {
            "none".to_string()
        } else {
            v.join(", ")
        }
    };
    let mut parts = Vec::new();
    if old.cookies_sent != new.cookies_sent {
        parts.push(format!(
            "cookies sent {} (here {})",
            list(&new.cookies_sent),
            list(&old.cookies_sent)
        ));
    }
    if old.cookies_stored != new.cookies_stored {
        parts.push(format!(
            "cookies stored {} (here {})",
            list(&new.cookies_stored),
            list(&old.cookies_stored)
        ));
    }
    let partitions = |r: &RequestOutcome| -> Vec<String> {
        r.jar_after
            .iter()
            .map(|c| match &c.partition {
                Some(p) => format!("{} in the {p} partition", c.name),
                None => format!("{} unpartitioned", c.name),
            })
            .collect()
    };
    if parts.is_empty() && partitions(old) != partitions(new) {
        parts.push(format!(
            "the jar holds {} (here {})",
            list(&partitions(new)),
            list(&partitions(old))
        ));
    }
    if old.js_result != new.js_result || old.status != new.status {
        parts.push(format!(
            "the page sees {:?} (here {:?})",
            new.js_result, old.js_result
        ));
    }
    (!parts.is_empty()).then(|| format!("request {n}: {}", parts.join(", ")))
}
