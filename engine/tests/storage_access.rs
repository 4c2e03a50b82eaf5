//! The Storage Access API per browser (issue #17), on the preset "Embedded
//! widget needs its cookie": a frame on https://widget.example inside
//! https://blog.example logs in with its own (same-origin) API.
//!
//! Sources, read: privacycg/storage-access `storage-access.bs`
//! (requestStorageAccess() steps: secure context, previous decision, user
//! activation; "user agents will still follow applicable SameSite
//! restrictions"); Chromium `storage_access_grant_permission_context.cc`
//! (`DecidePermission`: third-party cookies allowed → granted at once; no
//! gesture → denied; no top-level interaction in 30 days → denied; else a
//! prompt); Gecko `dom/base/Document.cpp` (`RequestStorageAccess`,
//! `AutomaticStorageAccessPermissionCanBeGranted`, and
//! `CheckBrowserSettingsDecidesStorageAccessAPI`: cookieBehavior 1 → false);
//! WebKit `ResourceLoadStatisticsDatabaseStore::requestStorageAccess`
//! (no first-party interaction → `CannotRequest`, no prompt) and, without
//! ITP, `NetworkConnectionToWebProcess::requestStorageAccess` (granted).

use crumbtrail_engine::presets;
use crumbtrail_engine::scenario::{
    JarCookie, JarSameSite, PermissionState, Scenario, StorageAccessCall,
};
use crumbtrail_engine::trace::{Reason, Trace, Verdict};
use crumbtrail_engine::{permalink, simulate, ProfileId};

fn widget() -> Scenario {
    presets::all()
        .into_iter()
        .find(|p| p.id == "embedded-widget-needs-its-cookie")
        .expect("the preset")
        .scenario
}

fn with(
    profile: ProfileId,
    call: StorageAccessCall,
    visited: bool,
    p: PermissionState,
) -> Scenario {
    let mut s = widget();
    s.profile = profile;
    s.page.storage_access.call = call;
    s.page.storage_access.interacted_top_level = visited;
    s.page.storage_access.permission = p;
    s
}

fn saa(t: &Trace) -> Option<(Verdict, Reason)> {
    t.steps
        .iter()
        .find(|s| s.spec.label.starts_with("Storage Access API"))
        .map(|s| (s.verdict, s.reason))
}

/// The login's session cookie was stored and went on `/me`.
fn logged_in(t: &Trace) -> bool {
    !t.requests[0].cookies_stored.is_empty() && !t.requests[1].cookies_sent.is_empty()
}

#[test]
fn the_widget_fails_where_third_party_cookies_are_blocked() {
    for p in [
        ProfileId::ChromeNo3pc,
        ProfileId::Safari,
        ProfileId::FirefoxNo3pc,
    ] {
        let t = simulate(&with(
            p,
            StorageAccessCall::None,
            false,
            PermissionState::Ask,
        ));
        assert!(!logged_in(&t), "{p:?}");
        assert_eq!(saa(&t), None);
    }
    // Chrome's default allows them: it works, and the call would change nothing.
    let t = simulate(&with(
        ProfileId::Chrome,
        StorageAccessCall::None,
        false,
        PermissionState::Ask,
    ));
    assert!(logged_in(&t));
    let t = simulate(&with(
        ProfileId::Chrome,
        StorageAccessCall::OnLoad,
        false,
        PermissionState::Ask,
    ));
    assert!(logged_in(&t));
    assert_eq!(
        saa(&t),
        Some((Verdict::Ok, Reason::StorageAccessAlreadyAllowed))
    );
}

#[test]
fn chrome_with_third_party_cookies_blocked() {
    let p = ProfileId::ChromeNo3pc;
    let cases = [
        // (call, visited top-level, permission) → (step, logged in)
        (
            StorageAccessCall::OnLoad,
            true,
            PermissionState::Ask,
            Reason::StorageAccessNeedsUserActivation,
            false,
        ),
        (
            StorageAccessCall::OnClick,
            false,
            PermissionState::Ask,
            Reason::StorageAccessNeedsTopLevelInteraction,
            false,
        ),
        (
            StorageAccessCall::OnClick,
            true,
            PermissionState::Ask,
            Reason::StorageAccessPrompt,
            true,
        ),
        (
            StorageAccessCall::OnLoad,
            false,
            PermissionState::Granted,
            Reason::StorageAccessGranted,
            true,
        ),
        (
            StorageAccessCall::OnClick,
            true,
            PermissionState::Denied,
            Reason::StorageAccessDenied,
            false,
        ),
    ];
    for (call, visited, perm, reason, works) in cases {
        let t = simulate(&with(p, call, visited, perm));
        assert_eq!(
            saa(&t).map(|s| s.1),
            Some(reason),
            "{call:?} {visited} {perm:?}"
        );
        assert_eq!(
            logged_in(&t),
            works,
            "{call:?} {visited} {perm:?}: {:#?}",
            t.steps
        );
        if works {
            assert!(t
                .steps
                .iter()
                .any(|s| s.reason == Reason::StorageAccessUsed));
        }
    }
    // A prompt: the headline says it waits for the user.
    let t = simulate(&with(
        p,
        StorageAccessCall::OnClick,
        true,
        PermissionState::Ask,
    ));
    assert!(t.headline.contains("storage access"), "{}", t.headline);
}

#[test]
fn firefox_grants_after_a_top_level_interaction_and_asks_otherwise() {
    let t = simulate(&with(
        ProfileId::Firefox,
        StorageAccessCall::OnClick,
        true,
        PermissionState::Ask,
    ));
    assert_eq!(
        saa(&t),
        Some((Verdict::Ok, Reason::StorageAccessAutoGranted))
    );
    assert!(logged_in(&t));
    // Stored unpartitioned, not in the blog's partition.
    assert!(t.requests[0]
        .jar_after
        .iter()
        .all(|c| c.partition.is_none()));
    let t = simulate(&with(
        ProfileId::Firefox,
        StorageAccessCall::OnClick,
        false,
        PermissionState::Ask,
    ));
    assert_eq!(saa(&t).map(|s| s.1), Some(Reason::StorageAccessPrompt));
    let t = simulate(&with(
        ProfileId::Firefox,
        StorageAccessCall::OnLoad,
        true,
        PermissionState::Ask,
    ));
    assert_eq!(
        saa(&t).map(|s| s.1),
        Some(Reason::StorageAccessNeedsUserActivation)
    );
    // Without the call, Total Cookie Protection keeps the login in the
    // blog's partition: it works there, and only there.
    let t = simulate(&with(
        ProfileId::Firefox,
        StorageAccessCall::None,
        false,
        PermissionState::Ask,
    ));
    assert!(logged_in(&t));
    assert!(t.requests[0]
        .jar_after
        .iter()
        .all(|c| c.partition.is_some()));
    // "All third-party cookies blocked": never.
    let t = simulate(&with(
        ProfileId::FirefoxNo3pc,
        StorageAccessCall::OnClick,
        true,
        PermissionState::Ask,
    ));
    assert_eq!(
        saa(&t),
        Some((Verdict::Blocked, Reason::StorageAccessUnavailable))
    );
    assert!(!logged_in(&t));
}

#[test]
fn safari_needs_a_first_party_interaction_then_prompts() {
    let t = simulate(&with(
        ProfileId::Safari,
        StorageAccessCall::OnClick,
        false,
        PermissionState::Ask,
    ));
    assert_eq!(
        saa(&t),
        Some((
            Verdict::Blocked,
            Reason::StorageAccessNeedsTopLevelInteraction
        ))
    );
    assert!(!logged_in(&t));
    let t = simulate(&with(
        ProfileId::Safari,
        StorageAccessCall::OnClick,
        true,
        PermissionState::Ask,
    ));
    assert_eq!(saa(&t).map(|s| s.1), Some(Reason::StorageAccessPrompt));
    assert!(logged_in(&t));
}

#[test]
fn webkitgtk_resolves_but_libsoup_still_refuses_the_cookie() {
    let t = simulate(&with(
        ProfileId::WebKitGtk,
        StorageAccessCall::OnClick,
        true,
        PermissionState::Ask,
    ));
    assert_eq!(
        saa(&t),
        Some((Verdict::Warning, Reason::StorageAccessNoEffect))
    );
    assert!(t.requests[0].cookies_stored.is_empty());
}

#[test]
fn a_grant_does_not_lift_samesite() {
    // A Lax cookie the user got on widget.example itself stays home.
    let mut s = with(
        ProfileId::ChromeNo3pc,
        StorageAccessCall::OnLoad,
        false,
        PermissionState::Granted,
    );
    s.jar_at_start.push(JarCookie {
        name: "lax".into(),
        value: "1".into(),
        domain: "widget.example".into(),
        host_only: true,
        path: "/".into(),
        secure: true,
        same_site: JarSameSite::Lax,
        ..JarCookie::default()
    });
    let t = simulate(&s);
    assert!(!t.requests[1].cookies_sent.contains(&"lax".to_string()));
    assert!(t
        .steps
        .iter()
        .any(|st| st.reason == Reason::ExcludeSameSiteLax));
}

#[test]
fn an_insecure_frame_cannot_ask() {
    let mut s = with(
        ProfileId::ChromeNo3pc,
        StorageAccessCall::OnClick,
        true,
        PermissionState::Ask,
    );
    s.page.url = "http://widget.example/embed".into();
    let t = simulate(&s);
    assert_eq!(
        saa(&t),
        Some((Verdict::Blocked, Reason::StorageAccessInsecureContext))
    );
}

#[test]
fn the_fix_search_proposes_the_call() {
    let s = with(
        ProfileId::ChromeNo3pc,
        StorageAccessCall::None,
        false,
        PermissionState::Ask,
    );
    let t = simulate(&s);
    let found = crumbtrail_engine::fixes::search_fixes_from(
        &s,
        &t,
        &crumbtrail_engine::fixes::SearchBudget::default(),
    );
    let fix = found
        .fixes
        .iter()
        .find(|f| f.title.contains("storage access"))
        .unwrap_or_else(|| {
            panic!(
                "{:?}",
                found.fixes.iter().map(|f| &f.title).collect::<Vec<_>>()
            )
        });
    assert_eq!(
        fix.scenario.page.storage_access.call,
        StorageAccessCall::OnClick
    );
    assert!(fix.scenario.page.storage_access.interacted_top_level);
}

#[test]
fn the_permalink_keeps_the_storage_access_setup() {
    let s = with(
        ProfileId::Safari,
        StorageAccessCall::OnClick,
        true,
        PermissionState::Denied,
    );
    let link = permalink::encode(&s, &permalink::View::default());
    assert!(link.contains("saa=click"), "{link}");
    assert!(link.contains("saa.visited=1"), "{link}");
    assert!(link.contains("saa.permission=denied"), "{link}");
    assert_eq!(permalink::decode(&link).scenario, s);
}

/// What the user's own console says (Firefox's necko.properties, as MDN's
/// Storage Access Policy errors quote it): the step carries the message.
#[test]
fn firefox_steps_carry_the_console_message() {
    let console = |t: &Trace, reason: Reason| {
        t.steps
            .iter()
            .filter(|s| s.reason == reason)
            .flat_map(|s| s.values.iter())
            .find(|v| v.label == "Firefox console")
            .map(|v| v.value.clone())
    };
    let t = simulate(&with(
        ProfileId::FirefoxNo3pc,
        StorageAccessCall::None,
        false,
        PermissionState::Ask,
    ));
    let m = console(&t, Reason::ExcludeThirdPartyBlocked).expect("a console message");
    assert!(m.starts_with("CookieBlockedForeign: "), "{m}");
    let t = simulate(&with(
        ProfileId::Firefox,
        StorageAccessCall::None,
        false,
        PermissionState::Ask,
    ));
    let m = console(&t, Reason::StoredPartitioned).expect("a console message");
    assert!(m.starts_with("CookiePartitionedForeign2: "), "{m}");
    // Chrome's steps carry DevTools' name instead.
    let t = simulate(&with(
        ProfileId::ChromeNo3pc,
        StorageAccessCall::None,
        false,
        PermissionState::Ask,
    ));
    assert_eq!(console(&t, Reason::ExcludeThirdPartyBlocked), None);
}

/// Storage Access Headers (Chrome 133+; privacycg/storage-access-headers,
/// Chromium `CookieSettingsBase::GetStorageAccessStatus` and
/// `URLRequestHttpJob::NeedsRetryWithStorageAccess`): a request from the
/// frame says `inactive` when the user granted the pair of sites before, and
/// the server's `Activate-Storage-Access: retry` sends it again with access.
#[test]
fn storage_access_headers_retry_an_inactive_request() {
    use crumbtrail_engine::scenario::{RawResponse, RawRoute, RawServer, ServerSetup};
    let widget_server = |activate: &str| {
        ServerSetup::Raw(RawServer {
            routes: vec![RawRoute {
                method: "*".into(),
                path: "*".into(),
                response: RawResponse {
                    status: 200,
                    headers: format!("Vary: Sec-Fetch-Storage-Access\n{activate}"),
                },
                ..RawRoute::default()
            }],
        })
    };
    let mut s = with(
        ProfileId::ChromeNo3pc,
        StorageAccessCall::None,
        false,
        PermissionState::Granted,
    );
    s.requests.truncate(1);
    s.requests[0].url = "https://widget.example/me".into();
    s.requests[0].method = "GET".into();
    s.jar_at_start.push(JarCookie {
        name: "sid".into(),
        value: "1".into(),
        domain: "widget.example".into(),
        host_only: true,
        path: "/".into(),
        secure: true,
        same_site: JarSameSite::None,
        ..JarCookie::default()
    });
    s.server =
        widget_server("Activate-Storage-Access: retry; allowed-origin=\"https://widget.example\"");
    let t = simulate(&s);
    let header = |t: &Trace, n: usize| -> Vec<String> {
        t.requests[0].exchanges[n]
            .request
            .headers
            .get_all("sec-fetch-storage-access")
            .into_iter()
            .map(|v| v.to_string())
            .collect()
    };
    // The first answer is dropped (the retry replaces it); its step says
    // what went out.
    let retried = t
        .steps
        .iter()
        .find(|st| st.reason == Reason::StorageAccessRetried)
        .expect("a retry");
    assert!(retried
        .values
        .iter()
        .any(|v| v.label == "Sec-Fetch-Storage-Access" && v.value == "inactive"));
    assert_eq!(t.requests[0].exchanges.len(), 1);
    assert_eq!(header(&t, 0), vec!["active".to_string()]);
    assert_eq!(t.requests[0].cookies_sent, vec!["sid".to_string()]);

    // The wrong allowed-origin: no retry, no cookie.
    s.server =
        widget_server("Activate-Storage-Access: retry; allowed-origin=\"https://blog.example\"");
    let t = simulate(&s);
    assert!(t.requests[0].cookies_sent.is_empty());
    assert!(t
        .steps
        .iter()
        .any(|st| st.reason == Reason::StorageAccessHeaderIgnored));

    // No grant before: `none`, and the retry is not honoured.
    s.page.storage_access.permission = PermissionState::Ask;
    s.server = widget_server("Activate-Storage-Access: retry; allowed-origin=*");
    let t = simulate(&s);
    assert_eq!(header(&t, 0), vec!["none".to_string()]);
    assert!(t.requests[0].cookies_sent.is_empty());

    // Firefox and Safari send no such header; neither did Chrome 132.
    for (p, v) in [
        (ProfileId::Firefox, None),
        (ProfileId::Safari, None),
        (ProfileId::ChromeNo3pc, Some("132")),
    ] {
        let mut s = s.clone();
        s.profile = p;
        s.profile_version = v.and_then(crumbtrail_engine::profile::Version::parse);
        let t = simulate(&s);
        assert!(header(&t, 0).is_empty(), "{p:?} {v:?}");
    }
}
