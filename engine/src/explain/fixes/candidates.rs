//! The single changes the fix search combines: one function per kind of
//! setting it proposes (the client's here, each server stack's in its own
//! module, through `Stack::fix_candidates`). [`candidates`] takes them round by round (the first
//! of each kind, then the second of each kind, …), so a setup with many
//! allow blocks or resources cannot push the other kinds out of a bounded
//! search.

use super::url_mistakes::url_candidates;
use super::{change, credentials_label, Candidate, SettingChange};
use crate::scenario::{Client, CredentialsMode, RequestMode, Scenario};

/// Every single change worth trying for this scenario, most preferred first.
pub fn candidates(s: &Scenario) -> Vec<Candidate> {
    let mut kinds = vec![send_credentials(s), cors_mode(s), url_candidates(s)];
    kinds.extend(s.server.stack().fix_candidates(s));
    round_robin(kinds)
}

/// The first item of every list, then the second of every list, and so on.
fn round_robin(lists: Vec<Vec<Candidate>>) -> Vec<Candidate> {
    let total = lists.iter().map(Vec::len).sum();
    let mut iters: Vec<_> = lists.into_iter().map(Vec::into_iter).collect();
    let mut out = Vec::with_capacity(total);
    while out.len() < total {
        out.extend(iters.iter_mut().filter_map(Iterator::next));
    }
    out
}

/// fetch `credentials: 'include'`, XHR/axios `withCredentials: true`.
fn send_credentials(s: &Scenario) -> Vec<Candidate> {
    let mut cred_changes = Vec::new();
    for (i, r) in s.requests.iter().enumerate() {
        let needs = match r.client {
            Client::Fetch { credentials, .. } => credentials != CredentialsMode::Include,
            Client::Xhr { with_credentials }
            | Client::Axios {
                with_credentials, ..
            } => !with_credentials,
            _ => false,
        };
        if needs {
            let to = match r.client {
                Client::Fetch { .. } => "credentials: 'include'",
                _ => "withCredentials: true",
            };
            cred_changes.push(change(
                format!("requests.{i}.client.credentials"),
                credentials_label(&r.client),
                to,
            ));
        }
    }
    if cred_changes.is_empty() {
        return Vec::new();
    }
    vec![Candidate::new(
        "Send cookies with every request",
        "Cross-origin requests carry and accept cookies only with credentials included (fetch `credentials: 'include'`, XHR/axios `withCredentials: true`).",
        cred_changes,
        0,
        |s: &mut Scenario| {
            for r in &mut s.requests {
                match &mut r.client {
                    Client::Fetch { credentials, .. } => *credentials = CredentialsMode::Include,
                    Client::Xhr { with_credentials } | Client::Axios { with_credentials, .. } => {
                        *with_credentials = true
                    }
                    _ => {}
                }
            }
        },
    )]
}

/// fetch `mode: 'cors'`.
fn cors_mode(s: &Scenario) -> Vec<Candidate> {
    let mode_changes: Vec<SettingChange> = s
        .requests
        .iter()
        .enumerate()
        .filter_map(|(i, r)| match r.client {
            Client::Fetch { mode, .. } if mode != RequestMode::Cors => Some(change(
                format!("requests.{i}.client.mode"),
                format!(
                    "mode: '{}'",
                    match mode {
                        RequestMode::NoCors => "no-cors",
                        RequestMode::SameOrigin => "same-origin",
                        _ => "navigate",
                    }
                ),
                "mode: 'cors'",
            )),
            _ => None,
        })
        .collect();
    if mode_changes.is_empty() {
        return Vec::new();
    }
    vec![Candidate::new(
        "Use mode: 'cors'",
        "A `no-cors` response is opaque and a `same-origin` request to another origin fails; only `cors` lets the page read the answer.",
        mode_changes,
        1,
        |s: &mut Scenario| {
            for r in &mut s.requests {
                if let Client::Fetch { mode, .. } = &mut r.client {
                    *mode = RequestMode::Cors;
                }
            }
        },
    )]
}
