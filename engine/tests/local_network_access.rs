//! Local Network Access (issue #17): a page on a public address calling
//! `localhost` or a private address. Sources, read for these rules:
//! Chromium's `services/network/public/cpp/ip_address_space_util.cc` (the
//! address spaces), `services/network/private_network_access_checker.cc`
//! (public → local or loopback is checked, local → loopback is not),
//! `local_network_access_url_loader_interceptor.cc` (the prompt; a refusal
//! is `ERR_BLOCKED_BY_LOCAL_NETWORK_ACCESS_CHECKS`, a page that is not a
//! secure context is refused without asking), `content/common/features.cc`
//! (main-frame navigations are not checked, subframes are),
//! `blink/renderer/core/loader/mixed_content_checker.cc` (the mixed-content
//! exemption), `blink/common/permissions/permission_utils.cc` (Chrome 145's
//! `local-network` and `loopback-network`); chromestatus 5152728072060928
//! (shipped in Chrome 142); Firefox's `StaticPrefList.yaml`
//! (`network.lna.blocking` is on in Nightly only).

use crumbtrail_engine::address_space::AddressSpace;
use crumbtrail_engine::profile::Version;
use crumbtrail_engine::scenario::{
    Client, CredentialsMode, NavigationForm, Page, PermissionState, RawResponse, RawRoute,
    RawServer, RedirectMode, RequestMode, RequestSpec, RunsFrom, Scenario, ServerSetup,
};
use crumbtrail_engine::trace::{JsResult, Trace};
use crumbtrail_engine::{permalink, simulate, ProfileId, Reason, Verdict};

const APP: &str = "https://app.example.com/";

fn cors_route(origin: &str) -> RawRoute {
    let allow =
        format!("Access-Control-Allow-Origin: {origin}\nAccess-Control-Allow-Credentials: true");
    RawRoute {
        method: "*".into(),
        path: "*".into(),
        preflight: RawResponse {
            status: 204,
            headers: format!("{allow}\nAccess-Control-Allow-Methods: GET, POST"),
        },
        response: RawResponse {
            status: 200,
            headers: format!("{allow}\nContent-Type: application/json"),
        },
        ..RawRoute::default()
    }
}

fn fetch(url: &str) -> RequestSpec {
    RequestSpec {
        url: url.into(),
        method: "GET".into(),
        client: Client::Fetch {
            mode: RequestMode::Cors,
            credentials: CredentialsMode::Include,
            redirect: RedirectMode::Follow,
        },
        ..RequestSpec::default()
    }
}

fn scenario(page: &str, request: RequestSpec, permission: PermissionState) -> Scenario {
    let origin = page.trim_end_matches('/').to_string();
    Scenario {
        page: Page {
            url: page.into(),
            top_level_url: None,
            local_network: permission,
            storage_access: Default::default(),
        },
        profile: ProfileId::Chrome,
        requests: vec![request],
        server: ServerSetup::Raw(RawServer {
            routes: vec![cors_route(&origin)],
        }),
        ..Scenario::default()
    }
}

/// The Local Network Access step of request 0, if any.
fn lna(t: &Trace) -> Option<(Verdict, Reason)> {
    t.steps
        .iter()
        .find(|s| {
            s.request == Some(0)
                && matches!(
                    s.reason,
                    Reason::LocalNetworkPermissionGranted
                        | Reason::LocalNetworkPermissionPrompt
                        | Reason::LocalNetworkPermissionDenied
                        | Reason::LocalNetworkInsecureContext
                        | Reason::LocalNetworkInconsistentSpace
                        | Reason::LocalNetworkNotEnforced
                )
        })
        .map(|s| (s.verdict, s.reason))
}

fn value<'a>(t: &'a Trace, reason: Reason, label: &str) -> Option<&'a str> {
    t.steps
        .iter()
        .find(|s| s.reason == reason)?
        .values
        .iter()
        .find(|v| v.label == label)
        .map(|v| v.value.as_str())
}

#[test]
fn a_public_page_calling_localhost_needs_the_permission() {
    use PermissionState::*;
    for (permission, want, sent) in [
        (
            Ask,
            (Verdict::Warning, Reason::LocalNetworkPermissionPrompt),
            true,
        ),
        (
            Granted,
            (Verdict::Ok, Reason::LocalNetworkPermissionGranted),
            true,
        ),
        (
            Denied,
            (Verdict::Blocked, Reason::LocalNetworkPermissionDenied),
            false,
        ),
    ] {
        let t = simulate(&scenario(
            APP,
            fetch("http://localhost:3001/me"),
            permission,
        ));
        assert_eq!(lna(&t), Some(want), "{permission:?}: {}", t.headline);
        let r = &t.requests[0];
        assert_eq!(r.request_sent, sent, "{permission:?}");
        if sent {
            // The prompt holds the request; the rest is simulated as if allowed.
            assert_eq!(r.js_result, JsResult::Readable, "{}", t.headline);
        } else {
            assert_eq!(r.js_result, JsResult::NetworkError);
            assert_eq!(t.verdict, Verdict::Blocked);
            assert_eq!(
                t.root_causes[0].reason,
                Reason::LocalNetworkPermissionDenied
            );
        }
        // Chrome 145+: a loopback target asks for `loopback-network`.
        let step = t
            .steps
            .iter()
            .find(|s| s.reason == want.1)
            .expect("the step");
        assert!(step.title.contains("loopback-network"), "{}", step.title);
    }
    // A private address asks for `local-network`.
    let t = simulate(&scenario(
        "http://app.example.com/",
        fetch("http://192.168.1.20/api"),
        PermissionState::Granted,
    ));
    assert_eq!(
        lna(&t),
        Some((Verdict::Blocked, Reason::LocalNetworkInsecureContext)),
        "an http page on a public address is refused without asking"
    );
    let t = simulate(&scenario(
        APP,
        fetch("http://192.168.1.20/api"),
        PermissionState::Granted,
    ));
    let step = t
        .steps
        .iter()
        .find(|s| s.reason == Reason::LocalNetworkPermissionGranted)
        .expect("granted");
    assert!(step.title.contains("`local-network`"), "{}", step.title);
    assert_eq!(
        value(
            &t,
            Reason::LocalNetworkPermissionGranted,
            "Request's address space"
        ),
        Some("local")
    );
}

#[test]
fn only_public_to_private_is_checked() {
    for (page, url) in [
        // loopback → loopback: the everyday local setup.
        ("http://localhost:3000/", "http://localhost:3001/me"),
        // local → loopback is not checked (IsLessPublicAddressSpaceLNA).
        ("http://192.168.1.5:3000/", "http://localhost:3001/me"),
        // local → local.
        ("http://192.168.1.5:3000/", "http://192.168.1.5:3001/me"),
        // public → public.
        (APP, "https://api.example.com/me"),
    ] {
        let t = simulate(&scenario(page, fetch(url), PermissionState::Denied));
        assert_eq!(lna(&t), None, "{page} → {url}");
        assert!(t.requests[0].request_sent, "{page} → {url}");
    }
}

#[test]
fn navigations_are_not_checked_but_frames_are() {
    let mut form = fetch("http://localhost:3001/login");
    form.method = "POST".into();
    form.client = Client::Navigation {
        form: NavigationForm::FormPost,
    };
    let t = simulate(&scenario(APP, form, PermissionState::Denied));
    assert_eq!(lna(&t), None);
    assert!(t.requests[0].request_sent);

    let mut frame = fetch("http://localhost:3001/widget");
    frame.client = Client::Iframe;
    let t = simulate(&scenario(APP, frame, PermissionState::Denied));
    assert_eq!(
        lna(&t),
        Some((Verdict::Blocked, Reason::LocalNetworkPermissionDenied))
    );
}

#[test]
fn browsers_and_versions_that_do_not_ask() {
    let base = scenario(
        APP,
        fetch("http://localhost:3001/me"),
        PermissionState::Denied,
    );
    for profile in [ProfileId::Firefox, ProfileId::FirefoxNo3pc] {
        let mut s = base.clone();
        s.profile = profile;
        let t = simulate(&s);
        assert_eq!(
            lna(&t),
            Some((Verdict::Ok, Reason::LocalNetworkNotEnforced)),
            "{profile:?}"
        );
        assert!(t.requests[0].request_sent);
    }
    // WebKit never gets that far: http://localhost from an https page is
    // mixed content there (MixedContentChecker.cpp; seen in WebKitGTK 2.50.6).
    for profile in [ProfileId::Safari, ProfileId::WebKitGtk] {
        let mut s = base.clone();
        s.profile = profile;
        let t = simulate(&s);
        assert!(!t.requests[0].request_sent, "{profile:?}");
        assert!(
            t.steps
                .iter()
                .any(|st| st.reason == Reason::MixedContentBlocked),
            "{profile:?}"
        );
    }
    // Chrome 141: before Local Network Access shipped.
    let mut s = base.clone();
    s.profile_version = Some(Version::new(141, 0));
    let t = simulate(&s);
    assert_eq!(
        lna(&t),
        Some((Verdict::Ok, Reason::LocalNetworkNotEnforced))
    );
    // Chrome 142 to 144: one permission for both spaces.
    s.profile_version = Some(Version::new(144, 0));
    let t = simulate(&s);
    let step = t
        .steps
        .iter()
        .find(|s| s.reason == Reason::LocalNetworkPermissionDenied)
        .expect("denied in Chrome 144");
    assert!(
        step.title.contains("`local-network-access`"),
        "{}",
        step.title
    );
}

#[test]
fn mixed_content_exemption_and_target_address_space() {
    // An https page calling plain http on a private IP: Chrome lets it through
    // to the permission; Firefox blocks it as mixed content.
    let s = scenario(
        APP,
        fetch("http://192.168.1.20/api"),
        PermissionState::Granted,
    );
    let t = simulate(&s);
    assert!(t
        .steps
        .iter()
        .any(|s| s.reason == Reason::MixedContentLocalNetworkAllowed));
    assert!(t.requests[0].request_sent, "{}", t.headline);
    let mut firefox = s.clone();
    firefox.profile = ProfileId::Firefox;
    let t = simulate(&firefox);
    assert_eq!(t.root_causes[0].reason, Reason::MixedContentBlocked);

    // A host name only DNS can place: blocked as mixed content, unless the
    // code says `targetAddressSpace: 'local'`, which the check then trusts.
    let mut s = scenario(APP, fetch("http://nas.internal/api"), PermissionState::Ask);
    let t = simulate(&s);
    assert_eq!(t.root_causes[0].reason, Reason::MixedContentBlocked);
    s.requests[0].target_address_space = Some(AddressSpace::Local);
    let t = simulate(&s);
    assert_eq!(
        lna(&t),
        Some((Verdict::Warning, Reason::LocalNetworkPermissionPrompt)),
        "{}",
        t.headline
    );
    let text = &t
        .steps
        .iter()
        .find(|s| s.reason == Reason::LocalNetworkPermissionPrompt)
        .unwrap()
        .explanation;
    assert!(text.contains("`nas.internal` is a host name"), "{text}");

    // The option naming another space than the address's fails the request.
    let mut s = scenario(
        APP,
        fetch("http://localhost:3001/me"),
        PermissionState::Granted,
    );
    s.requests[0].target_address_space = Some(AddressSpace::Local);
    let t = simulate(&s);
    assert_eq!(
        lna(&t),
        Some((Verdict::Blocked, Reason::LocalNetworkInconsistentSpace))
    );
    assert!(!t.requests[0].request_sent);
}

#[test]
fn a_document_a_navigation_loaded_has_not_been_asked() {
    // The permission is the scenario page's origin's: after the tab visits
    // another site, a call from that document meets a fresh prompt.
    let mut visit = fetch("https://other.example.com/");
    visit.client = Client::Visit;
    let mut call = fetch("http://localhost:3001/me");
    call.runs_from = RunsFrom::Current;
    let mut s = scenario(APP, visit, PermissionState::Denied);
    s.requests.push(call.clone());
    let t = simulate(&s);
    let step = t
        .steps
        .iter()
        .find(|s| s.request == Some(1) && s.reason == Reason::LocalNetworkPermissionPrompt);
    assert!(step.is_some(), "{:#?}", t.steps);
    // From the scenario's page itself, the refusal holds.
    call.runs_from = RunsFrom::Page;
    s.requests[1] = call;
    let t = simulate(&s);
    assert!(t
        .steps
        .iter()
        .any(|s| s.request == Some(1) && s.reason == Reason::LocalNetworkPermissionDenied));
}

#[test]
fn permalink_keys_round_trip() {
    let mut s = scenario(APP, fetch("http://nas.local/api"), PermissionState::Denied);
    s.requests[0].target_address_space = Some(AddressSpace::Local);
    let link = permalink::encode(&s, &Default::default());
    assert!(link.contains("lna=denied"), "{link}");
    assert!(link.contains("r1.target_space=local"), "{link}");
    let back = permalink::decode(&link);
    assert_eq!(back.scenario, s);
    // The default (not asked yet) is not written.
    let s = scenario(APP, fetch("http://localhost:3001/"), PermissionState::Ask);
    assert!(!permalink::encode(&s, &Default::default()).contains("lna="));
    // A bad value is a notice, and the rest is kept.
    let back = permalink::decode("v=1&lna=maybe&page=https://app.example.com/");
    assert_eq!(back.scenario.page.url, APP);
    assert!(!back.notices.is_empty());
}

#[test]
fn live_mode_says_what_loopback_cannot_show() {
    use crumbtrail_engine::live::{map_scenario, LabPorts};
    let ports = LabPorts {
        https_app: Some(8443),
        https_api: Some(8444),
        ..LabPorts::default()
    };
    let preset = crumbtrail_engine::presets::by_id("hosted-front-end-localhost-api").unwrap();
    // From the lab: the scenario's prompt cannot happen on loopback.
    let m = map_scenario(&preset.scenario, "https://localhost:8443", &ports);
    assert!(
        m.notes.iter().any(|n| n.contains("Local Network Access")),
        "{:?}",
        m.notes
    );
    assert!(!m
        .notes
        .iter()
        .any(|n| n.contains("a public address, and the lab")));
    // From a public host: the user meets the prompt before the lab answers.
    let m = map_scenario(&preset.scenario, "https://crumbtrail.example.org", &ports);
    assert!(
        m.notes
            .iter()
            .any(|n| n.contains("https://crumbtrail.example.org, a public address")),
        "{:?}",
        m.notes
    );
    // The everyday local setup gets neither note.
    let m = map_scenario(
        &crumbtrail_engine::Scenario::default(),
        "http://localhost:8080",
        &LabPorts::default(),
    );
    assert!(!m.notes.iter().any(|n| n.contains("Local Network Access")));
}

#[test]
fn about_this_setup_says_how_to_get_past_the_prompt() {
    let s = scenario(
        APP,
        fetch("http://localhost:3001/me"),
        PermissionState::Denied,
    );
    let advice = crumbtrail_engine::fixes::architectural_advice(&s);
    assert!(
        advice.iter().any(|a| a.contains("Local network access")),
        "{advice:?}"
    );
    // Firefox does not ask: no such advice.
    let mut firefox = s.clone();
    firefox.profile = ProfileId::Firefox;
    let advice = crumbtrail_engine::fixes::architectural_advice(&firefox);
    assert!(!advice.iter().any(|a| a.contains("Local network access")));
}
