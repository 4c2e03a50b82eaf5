//! The single changes the fix search combines: one function per kind of
//! setting it proposes (the client's here, each server stack's in its own
//! module, through `Stack::fix_candidates`). [`candidates`] takes them round by round (the first
//! of each kind, then the second of each kind, …), so a setup with many
//! allow blocks or resources cannot push the other kinds out of a bounded
//! search.

use super::url_mistakes::url_candidates;
use super::{change, credentials_label, Candidate, SettingChange};
use crate::profile::StorageAccessRules;
use crate::scenario::{Client, CredentialsMode, RequestMode, Scenario, StorageAccessCall};

/// Every single change worth trying for this scenario, most preferred first.
pub fn candidates(s: &Scenario) -> Vec<Candidate> {
    let mut kinds = vec![
        send_credentials(s),
        cors_mode(s),
        url_candidates(s),
        axios_xsrf_token(s),
        storage_access_call(s),
    ];
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

/// axios `withXSRFToken: true` on the requests to another origin (axios
/// ≥ 1.6 copies `XSRF-TOKEN` into `X-XSRF-TOKEN` for same-origin URLs
/// only): per request, so the token never goes to a third-party host the
/// page also calls.
fn axios_xsrf_token(s: &Scenario) -> Vec<Candidate> {
    let page = super::page_origin(s);
    let urls: Vec<Option<String>> = {
        let base = crate::origin::parse_url(&s.page.url, None).ok();
        s.requests
            .iter()
            .map(|r| {
                crate::origin::parse_url(&r.url, base.as_ref())
                    .ok()
                    .map(|u| crate::origin::Origin::of(&u).serialize())
            })
            .collect()
    };
    let targets: Vec<usize> = s
        .requests
        .iter()
        .enumerate()
        .filter(|(i, r)| {
            matches!(
                r.client,
                Client::Axios {
                    with_xsrf_token: false,
                    ..
                }
            ) && urls[*i].is_some()
                && urls[*i] != page
        })
        .map(|(i, _)| i)
        .collect();
    if targets.is_empty() {
        return Vec::new();
    }
    let changes = targets
        .iter()
        .map(|i| {
            change(
                format!("requests.{i}.client.with_xsrf_token"),
                "not set",
                "withXSRFToken: true",
            )
        })
        .collect();
    vec![Candidate::new(
        "Pass withXSRFToken: true to axios",
        "Since axios 1.6.0 the XSRF-TOKEN cookie is copied into the X-XSRF-TOKEN header only for same-origin URLs; a request to an API on another origin needs `withXSRFToken: true` (Laravel Sanctum, Angular-style CSRF).",
        changes,
        1,
        move |s: &mut Scenario| {
            for i in &targets {
                if let Some(Client::Axios { with_xsrf_token, .. }) =
                    s.requests.get_mut(*i).map(|r| &mut r.client)
                {
                    *with_xsrf_token = true;
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

/// A page in a cross-site frame asks for its own cookies: the Storage
/// Access API from a click (and, where the browser asks only for a site the
/// user has used top-level, that visit first).
fn storage_access_call(s: &Scenario) -> Vec<Candidate> {
    let Some(top) = s.page.top_level_url.as_deref() else {
        return Vec::new();
    };
    let (Ok(page), Ok(top)) = (
        crate::origin::parse_url(&s.page.url, None),
        crate::origin::parse_url(top, None),
    ) else {
        return Vec::new();
    };
    let profile = s.browser_profile();
    let saa = s.page.storage_access;
    if crate::site::same_site(&top, &page, profile.site_rules())
        || saa.call == StorageAccessCall::OnClick && saa.interacted_top_level
    {
        return Vec::new();
    }
    let call_label = |c: StorageAccessCall| match c {
        StorageAccessCall::None => "not called",
        StorageAccessCall::OnClick => "on a click",
        StorageAccessCall::OnLoad => "as the page loads",
    };
    let mut changes = Vec::new();
    if saa.call != StorageAccessCall::OnClick {
        changes.push(change(
            "page.storage_access.call",
            call_label(saa.call),
            call_label(StorageAccessCall::OnClick),
        ));
    }
    let needs_visit = matches!(
        profile.storage_access,
        StorageAccessRules::Chromium | StorageAccessRules::WebKitItp | StorageAccessRules::Gecko
    ) && !saa.interacted_top_level;
    if needs_visit {
        changes.push(change(
            "page.storage_access.interacted_top_level",
            "no",
            "yes",
        ));
    }
    let site = crate::site::site_of(&page);
    vec![Candidate::new(
        "Ask for storage access from a click in the frame",
        format!("A page in a cross-site iframe gets its own cookies back with `document.requestStorageAccess()`, called from a click (Storage Access API). Chrome with third-party cookies blocked and Safari grant it only for a site the user has used as a top-level site, and Firefox then grants it without a prompt: link the frame's \"Sign in\" to {site} in a top-level window first. The cookies still need `SameSite=None; Secure`."),
        changes,
        1,
        move |s: &mut Scenario| {
            s.page.storage_access.call = StorageAccessCall::OnClick;
            if needs_visit {
                s.page.storage_access.interacted_top_level = true;
            }
        },
    )]
}
