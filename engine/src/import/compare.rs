//! Recorded vs simulated: for each imported request, what the recording
//! shows next to what the engine predicts, in the rows of live mode's
//! comparison table ([`crate::live::Comparison`]), each difference explained.
//! A row is only made for what the recording really shows: Firefox and
//! Safari record a response the browser then hid from the page as if it
//! were readable, so only a Chrome HAR (with its `_error` field) tells the
//! result.

use std::collections::BTreeSet;

use serde::Serialize;

use super::reconstruct::{answered, origin_of, sent_cookies, set_cookie_lines, Imported};
use super::{Format, Recording};
use crate::live::{Comparison, Outcome};
use crate::scenario::{Client, RequestMode};
use crate::set_cookie::parse_set_cookie;
use crate::trace::{JsResult, PreflightOutcome, Trace};

/// What the recording shows of one imported request; `None` where it does
/// not say.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RecordedOutcome {
    /// Index of the scenario request.
    pub request: usize,
    /// The recording's entries behind it: its hops, then their preflights.
    pub entries: Vec<usize>,
    pub preflight: Option<bool>,
    pub sent: Option<bool>,
    /// `readable`, `opaque`, `network error` or `navigated`.
    pub result: Option<String>,
    pub status: Option<u16>,
    pub cookies_sent: Option<Vec<String>>,
    /// Names the server's `Set-Cookie` lines set (deletions left out).
    pub cookies_set: Option<Vec<String>>,
    /// Of those, the ones a later request of the recording carried: the
    /// browser kept them.
    pub kept: Vec<String>,
    /// An answer came from the browser's cache (`_fromCache`, `_fetchType`).
    pub from_cache: bool,
    /// Chrome's `_error` (`net::ERR_FAILED`).
    pub error: Option<String>,
    /// For a navigation or frame: the document it loaded, as `URL (status)`
    /// (`(none)` for a 204 or 205, which loads none), when the recording has
    /// the answer that ended its redirect chain.
    pub document: Option<String>,
}

/// Chrome's `_error` says the request failed: any error but a cancelled body
/// load (`net::ERR_ABORTED`) after the answer arrived, which the page read.
pub(super) fn failed(e: &super::Entry) -> bool {
    e.error
        .as_deref()
        .is_some_and(|err| !(err.contains("ERR_ABORTED") && answered(e)))
}

/// The preflight of `entry` failed, so the browser never sent it (Fetch
/// §CORS-preflight fetch): it has no 2xx answer, or it has one but the
/// request after it has no answer at all (a passing preflight is followed by
/// the request, whose answer the recording would show).
pub(super) fn preflight_failed(rec: &Recording, entry: usize, pre: Option<usize>) -> bool {
    pre.is_some_and(|p| {
        let p = &rec.entries[p];
        !answered(p)
            || !(200..300).contains(&p.response.as_ref().map_or(0, |r| r.status))
            || !answered(&rec.entries[entry])
    })
}

fn chrome_like(rec: &Recording) -> bool {
    rec.creator
        .as_deref()
        .is_some_and(|c| c.to_ascii_lowercase().contains("webinspector"))
        || rec.entries.iter().any(|e| e.resource_type.is_some())
}

/// What the recording shows of scenario request `request`, made of the hops
/// `hops` (entry, preflight entry).
pub(super) fn recorded(
    rec: &Recording,
    request: usize,
    hops: &[(usize, Option<usize>)],
    client: &Client,
    page_origin: &str,
) -> RecordedOutcome {
    let har = rec.format == Format::Har;
    let (first, pre) = hops[0];
    let last = hops[hops.len() - 1].0;
    let e = &rec.entries[first];
    let end = &rec.entries[last];
    let pre_failed = preflight_failed(rec, first, pre);
    let sent = if !har {
        None
    } else if answered(e) {
        Some(true)
    } else if pre_failed {
        Some(false)
    } else {
        None
    };
    // No answer recorded at all: the page got an error (Firefox writes a
    // blocked or failed request with status 0 and nothing else).
    let unanswered = har && !answered(end) && end.from_cache.is_none();
    let result = if failed(end) || sent == Some(false) || unanswered {
        har.then(|| "network error".to_string())
    } else if answered(end) && chrome_like(rec) {
        let cross = origin_of(&end.url).as_deref() != Some(page_origin);
        Some(
            match client {
                Client::Navigation { .. } | Client::Iframe | Client::Visit => "navigated",
                Client::Fetch {
                    mode: RequestMode::NoCors,
                    ..
                } if cross => "opaque",
                _ => "readable",
            }
            .to_string(),
        )
    } else {
        None
    };
    let fetch_copy = rec.format == Format::FetchCall && e.header("cookie").is_none();
    let cookies_sent = (!fetch_copy && (sent == Some(true) || !har))
        .then(|| sent_cookies(e).into_iter().map(|(n, _)| n).collect());
    let set: Vec<String> = hops
        .iter()
        .flat_map(|&(h, _)| set_cookie_lines(&rec.entries[h]))
        .filter_map(|l| parse_set_cookie(&l).ok())
        .filter(|p| p.max_age.is_none_or(|m| m > 0))
        .map(|p| p.name)
        .collect();
    let any_answer = hops.iter().any(|&(h, _)| answered(&rec.entries[h]));
    let later: BTreeSet<String> = rec.entries[last + 1..]
        .iter()
        .flat_map(|e| sent_cookies(e).into_iter().map(|(n, _)| n))
        .collect();
    let mut entries: Vec<usize> = hops.iter().map(|h| h.0).collect();
    entries.extend(hops.iter().filter_map(|h| h.1));
    let document = match (client, &end.response) {
        (Client::Navigation { .. } | Client::Iframe | Client::Visit, Some(resp))
            if har && answered(end) && !failed(end) =>
        {
            loaded_document(&end.url, resp.status, resp.header("location").is_some())
        }
        _ => None,
    };
    RecordedOutcome {
        request,
        entries,
        preflight: har.then_some(pre.is_some()),
        sent,
        status: (result.as_deref() == Some("readable"))
            .then(|| end.response.as_ref().map_or(0, |r| r.status)),
        result,
        cookies_sent,
        kept: set.iter().filter(|n| later.contains(*n)).cloned().collect(),
        cookies_set: any_answer.then_some(set),
        from_cache: hops
            .iter()
            .any(|&(h, _)| rec.entries[h].from_cache.is_some()),
        error: end.error.clone(),
        document,
    }
}

/// The document a navigation's last answer loads (HTML §Navigate): none for
/// a 204 or 205; `None` when that answer is a redirect the recording did not
/// follow, so its end is not known.
fn loaded_document(url: &str, status: u16, has_location: bool) -> Option<String> {
    if (300..400).contains(&status) && has_location {
        return None;
    }
    Some(if matches!(status, 204 | 205) {
        "(none)".into()
    } else {
        document_label(url, status)
    })
}

/// `URL (status)`, with the URL serialized as the engine does.
fn document_label(url: &str, status: u16) -> String {
    let url = url::Url::parse(url)
        .map(|u| u.to_string())
        .unwrap_or_else(|_| url.to_string());
    format!("{url} ({status})")
}

fn names(list: &[String]) -> BTreeSet<String> {
    list.iter().cloned().collect()
}

fn show(names: &BTreeSet<String>) -> String {
    if names.is_empty() {
        "(none)".into()
    } else {
        names.iter().cloned().collect::<Vec<_>>().join(", ")
    }
}

fn yes_no(b: bool) -> String {
    if b { "yes" } else { "no" }.into()
}

fn js_label(r: JsResult) -> &'static str {
    match r {
        JsResult::Readable => "readable",
        JsResult::Opaque => "opaque",
        JsResult::NetworkError | JsResult::NotSent => "network error",
        JsResult::Navigated => "navigated",
    }
}

/// Every row the recording can fill, for every imported request.
pub fn compare(trace: &Trace, imported: &Imported) -> Vec<Comparison> {
    let mut out = Vec::new();
    for r in &imported.recorded {
        let Some(pred) = trace.requests.get(r.request) else {
            continue;
        };
        let i = r.request;
        let mut push = |outcome: Outcome,
                        simulated: String,
                        observed: String,
                        agree: Option<bool>,
                        note: Option<String>| {
            let agree = agree.unwrap_or(simulated == observed);
            let explanation = if agree {
                note
            } else {
                Some(explain(trace, imported, r, outcome, &simulated, &observed))
            };
            out.push(Comparison {
                request: i,
                outcome,
                simulated,
                observed,
                agree,
                explanation,
            });
        };
        if let Some(p) = r.preflight {
            let sim = matches!(
                pred.preflight,
                PreflightOutcome::Passed | PreflightOutcome::Failed
            );
            push(Outcome::Preflight, yes_no(sim), yes_no(p), None, None);
        }
        if let Some(sent) = r.sent {
            push(
                Outcome::Request,
                yes_no(pred.request_sent),
                yes_no(sent),
                None,
                None,
            );
        }
        if let Some(res) = &r.result {
            push(
                Outcome::Result,
                js_label(pred.js_result).into(),
                res.clone(),
                None,
                None,
            );
        }
        if let (Some(s), true) = (r.status, pred.readable()) {
            push(
                Outcome::Status,
                pred.status.map(|s| s.to_string()).unwrap_or_default(),
                s.to_string(),
                None,
                None,
            );
        }
        if let (Some(sent), true) = (&r.cookies_sent, pred.request_sent) {
            push(
                Outcome::CookiesSent,
                show(&names(&pred.cookies_sent)),
                show(&names(sent)),
                None,
                None,
            );
        }
        if let Some(seen) = &r.document {
            let sim = pred
                .document
                .as_ref()
                .map(|d| document_label(&d.url, d.status))
                .unwrap_or_else(|| "(none)".into());
            push(Outcome::Document, sim, seen.clone(), None, None);
        }
        if let (Some(set), true) = (&r.cookies_set, pred.request_sent) {
            let stored = names(&pred.cookies_stored);
            let (agree, note) = cookies_set_agree(trace, i, &stored, set, &r.kept);
            push(
                Outcome::CookiesSet,
                show(&stored),
                show(&names(set)),
                Some(agree),
                note,
            );
        }
    }
    out
}

/// The server set `set`; the engine stored `stored`. They agree when every
/// cookie is either stored by the engine, or refused by it and never sent
/// again in the recording.
fn cookies_set_agree(
    trace: &Trace,
    i: usize,
    stored: &BTreeSet<String>,
    set: &[String],
    kept: &[String],
) -> (bool, Option<String>) {
    let refused: Vec<&String> = set.iter().filter(|n| !stored.contains(*n)).collect();
    if refused.is_empty() {
        return (stored.iter().all(|n| set.contains(n)), None);
    }
    let contradicted = refused.iter().any(|n| kept.contains(n));
    let why: Vec<String> = refused
        .iter()
        .map(|n| {
            let reason = trace.requests[i]
                .cookies_rejected
                .iter()
                .find(|c| &c.name == *n)
                .and_then(|c| {
                    trace
                        .steps
                        .iter()
                        .find(|s| s.request == Some(i) && s.reason == c.reason)
                })
                .map(|s| s.title.to_string())
                .unwrap_or_else(|| "not stored".into());
            format!("`{n}` ({reason})")
        })
        .collect();
    let text = if contradicted {
        format!("The engine predicts the browser refuses {}, but a later request in the recording carries it, so the browser kept it. If the profile matches your browser, please report this with the permalink.", why.join(", "))
    } else {
        format!("The server set {}; the engine predicts the browser refuses it, and no later request in the recording carries it.", why.join(", "))
    };
    (!contradicted, Some(text))
}

fn explain(
    trace: &Trace,
    imported: &Imported,
    r: &RecordedOutcome,
    outcome: Outcome,
    simulated: &str,
    observed: &str,
) -> String {
    let base = format!(
        "The engine predicts {simulated} for the {} of request {}; the recording shows {observed}.",
        outcome.label(),
        r.request + 1
    );
    let cache = r.from_cache;
    let hint = match outcome {
        Outcome::CookiesSent => cookie_hint(trace, imported, r, simulated, observed),
        Outcome::Preflight if observed == "no" => " The browser most likely used a preflight it had cached before the recording started (Access-Control-Max-Age), or the Network panel did not list it (Chrome shows preflights as their own rows only in recent versions).".into(),
        Outcome::Preflight => " The request carried a header the import took for one the browser adds itself (DevTools' \"Disable cache\" adds Cache-Control and Pragma; an extension can add headers): add it to the request's headers.".into(),
        Outcome::Result | Outcome::Status | Outcome::Request if cache => " The answer came from the browser's cache (a cache hit), not from the server at that moment.".into(),
        Outcome::Result if observed == "network error" => " Something outside CORS stopped it: an extension (ad or privacy blocker), the network, or the page navigating away; or a failure the import could not see in the recording (its answer is assumed on the route).".into(),
        Outcome::Status => " The route replays the recorded answer, so the request reached another route: check the route's call number and whether it matches the query.".into(),
        Outcome::Document if cache => " The document came from the browser's cache (a cache hit), not from the server at that moment.".into(),
        Outcome::Document => " The navigation ended on another document than the simulated redirect chain: check the routes' Location headers and status codes, and whether each hop's answer matches the recording.".into(),
        _ => " If the profile matches the browser that recorded this, it is a difference between the engine and the browser: please report it with the permalink.".into(),
    };
    format!("{base}{hint}")
}

fn cookie_hint(
    trace: &Trace,
    imported: &Imported,
    r: &RecordedOutcome,
    simulated: &str,
    observed: &str,
) -> String {
    let split = |s: &str| -> BTreeSet<String> {
        s.split(", ")
            .filter(|n| *n != "(none)")
            .map(str::to_string)
            .collect()
    };
    let (sim, obs) = (split(simulated), split(observed));
    let extra: Vec<&String> = obs.difference(&sim).collect();
    let missing: Vec<&String> = sim.difference(&obs).collect();
    let mut hint = String::new();
    if !extra.is_empty() {
        let list = extra
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ");
        hint += &format!(" {list} went out although the engine did not expect it: a cookie older than the recording with other attributes than the import assumed (check it in the jar at the start), one the page's script set with document.cookie, or a browser that allows third-party cookies the profile blocks.");
    }
    if !missing.is_empty() {
        let list = missing
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let no3pc =
            trace.requests.get(r.request).is_some() && imported.scenario.profile.key() == "chrome";
        hint += &format!(
            " {list} stayed home although the engine expected it: a browser setting (third-party cookies blocked{}), an extension that strips cookies, or a cookie that had expired or been deleted in the browser.",
            if no3pc { ": try the profile chrome-no3pc" } else { "" }
        );
    }
    hint
}
