//! Profiles pinned to a browser version (`browser=firefox@140`), and
//! Firefox's cookie settings as profiles of their own (issue #17).
//!
//! Sources: CHIPS shipped in Chrome 114 and Safari 18.4 (Chrome's CHIPS page,
//! "Implementation status"); Firefox turned `network.cookie.CHIPS.enabled`
//! on in release in 141 (bug 1865198), and ESR 153 on this machine keeps a
//! first-party `Partitioned` cookie in the top-level site's partition (the
//! `tcp-*` flows of tests/live_differential.rs). Firefox's cookieBehavior 1
//! (`BEHAVIOR_REJECT_FOREIGN`, "All third-party cookies") refuses a foreign
//! cookie, `Partitioned` included, and 0 accepts all: as issue #17 reports
//! from Firefox ESR 153, and as the `firefox-no3pc` and `firefox-allow-all`
//! configurations of the differential suite check in the real browser.

use crumbtrail_engine::permalink::{decode, encode, View};
use crumbtrail_engine::profile::Version;
use crumbtrail_engine::scenario::{
    BodyKind, Client, CredentialsMode, Page, RawResponse, RawRoute, RawServer, RedirectMode,
    RequestMode, RequestSpec, Scenario, ServerSetup,
};
use crumbtrail_engine::trace::{Reason, Trace, Verdict};
use crumbtrail_engine::{simulate, ProfileId};

const API: &str = "https://api.other.test";

fn include() -> Client {
    Client::Fetch {
        mode: RequestMode::Cors,
        credentials: CredentialsMode::Include,
        redirect: RedirectMode::Follow,
    }
}

fn req(path: &str, client: Client) -> RequestSpec {
    RequestSpec {
        url: format!("{API}{path}"),
        method: "GET".into(),
        headers: String::new(),
        body: BodyKind::None,
        client,
        ..RequestSpec::default()
    }
}

fn scenario(
    profile: ProfileId,
    version: Option<Version>,
    set: &str,
    requests: Vec<RequestSpec>,
) -> Scenario {
    let cors =
        "Access-Control-Allow-Origin: https://app.example\nAccess-Control-Allow-Credentials: true";
    let route = |path: &str, extra: String| RawRoute {
        method: "*".into(),
        path: path.into(),
        preflight: RawResponse {
            status: 204,
            headers: cors.into(),
        },
        response: RawResponse {
            status: 200,
            headers: format!("{cors}\n{extra}"),
        },
        ..RawRoute::default()
    };
    Scenario {
        page: Page {
            url: "https://app.example/".into(),
            top_level_url: None,
            local_network: Default::default(),
            storage_access: Default::default(),
        },
        profile,
        profile_version: version,
        requests,
        server: ServerSetup::Raw(RawServer {
            routes: vec![
                route("/set", format!("Set-Cookie: {set}")),
                route("*", String::new()),
            ],
        }),
        proxy: None,
        jar_at_start: Vec::new(),
    }
}

fn has(t: &Trace, i: Option<usize>, reason: Reason) -> bool {
    t.steps.iter().any(|s| s.request == i && s.reason == reason)
}

fn partition(t: &Trace, i: usize, name: &str) -> Option<Option<String>> {
    t.requests[i]
        .jar_after
        .iter()
        .find(|c| c.name == name)
        .map(|c| c.partition.as_ref().map(|p| p.to_string()))
}

const CHIPS: &str = "p=1; Secure; Path=/; SameSite=None; Partitioned";

#[test]
fn a_link_names_its_version_and_keeps_its_meaning() {
    // Firefox 140: `Partitioned` ignored, a plain first-party cookie.
    let old = simulate(&scenario(
        ProfileId::Firefox,
        Some(Version::new(140, 0)),
        CHIPS,
        vec![req("/set", Client::Visit)],
    ));
    assert_eq!(partition(&old, 0, "p"), Some(None));
    // The page says Firefox 153 decides differently, and how.
    let step = &old.steps[0];
    assert_eq!(step.reason, Reason::NewerBrowserVersionDiffers);
    assert_eq!(step.verdict, Verdict::Warning);
    assert!(
        step.title.contains("Firefox 153") && step.title.contains("Firefox 140"),
        "{}",
        step.title
    );
    assert!(
        step.explanation.contains("from Firefox 141: CHIPS"),
        "{}",
        step.explanation
    );
    assert!(
        step.explanation.contains("partition"),
        "{}",
        step.explanation
    );

    // Without a version: the rules links were made with before they named one (153).
    let now = simulate(&scenario(
        ProfileId::Firefox,
        None,
        CHIPS,
        vec![req("/set", Client::Visit)],
    ));
    assert_eq!(
        partition(&now, 0, "p"),
        Some(Some("https://other.test".into()))
    );
    assert!(!has(&now, None, Reason::NewerBrowserVersionDiffers));
    assert!(!has(&now, None, Reason::PinnedBrowserVersion));

    // An old version that decides the same says so, without a warning.
    let same = simulate(&scenario(
        ProfileId::Firefox,
        Some(Version::new(140, 0)),
        "c=1; Secure; Path=/; SameSite=None",
        vec![req("/set", Client::Visit)],
    ));
    assert_eq!(same.steps[0].reason, Reason::PinnedBrowserVersion);
    assert_eq!(same.steps[0].verdict, Verdict::Ok);
}

#[test]
fn the_permalink_carries_the_version() {
    for (link, profile, version) in [
        (
            "v=1&browser=firefox@140",
            ProfileId::Firefox,
            Some(Version::new(140, 0)),
        ),
        (
            "v=1&browser=chrome@113",
            ProfileId::Chrome,
            Some(Version::new(113, 0)),
        ),
        (
            "v=1&browser=safari@18.3",
            ProfileId::Safari,
            Some(Version::new(18, 3)),
        ),
        ("v=1&browser=firefox-no3pc", ProfileId::FirefoxNo3pc, None),
        (
            "v=1&browser=firefox-allow-all@153",
            ProfileId::FirefoxAllowAll,
            Some(Version::new(153, 0)),
        ),
    ] {
        let d = decode(link);
        assert!(d.notices.is_empty(), "{link}: {:?}", d.notices);
        assert_eq!(
            (d.scenario.profile, d.scenario.profile_version),
            (profile, version),
            "{link}"
        );
        assert_eq!(encode(&d.scenario, &View::default()), link, "{link}");
    }
    // Out of range: read as the nearest version modelled, and said so.
    let d = decode("v=1&browser=chrome@999");
    assert_eq!(d.scenario.profile_version, Some(Version::new(156, 0)));
    assert!(
        d.notices[0].contains("Chrome 113 to 156"),
        "{:?}",
        d.notices
    );
    let d = decode("v=1&browser=safari@17");
    assert_eq!(d.scenario.profile_version, Some(Version::new(18, 3)));
    // Not a version: the key is ignored, with a notice naming it.
    let d = decode("v=1&browser=chrome@latest");
    assert_eq!(d.scenario.profile, ProfileId::Chrome);
    assert_eq!(d.scenario.profile_version, None);
    assert!(
        d.notices[0].contains("browser=chrome@latest"),
        "{:?}",
        d.notices
    );
    let d = decode("v=1&browser=netscape@4");
    assert!(
        d.notices[0].contains("firefox-allow-all"),
        "{:?}",
        d.notices
    );
}

#[test]
fn chips_arrives_in_chrome_114_and_safari_18_4() {
    let third_party = || vec![req("/set", include())];
    for (profile, old, new) in [
        (
            ProfileId::Chrome,
            Version::new(113, 0),
            Version::new(114, 0),
        ),
        (ProfileId::Safari, Version::new(18, 3), Version::new(18, 4)),
    ] {
        let before = simulate(&scenario(profile, Some(old), CHIPS, third_party()));
        let after = simulate(&scenario(profile, Some(new), CHIPS, third_party()));
        assert!(
            has(&after, Some(0), Reason::StoredPartitioned),
            "{profile:?} {new}"
        );
        assert!(
            !has(&before, Some(0), Reason::StoredPartitioned),
            "{profile:?} {old}"
        );
    }
    // Safari before 18.4 blocks it as any third-party cookie.
    let t = simulate(&scenario(
        ProfileId::Safari,
        Some(Version::new(18, 3)),
        CHIPS,
        third_party(),
    ));
    assert!(has(&t, Some(0), Reason::ExcludeThirdPartyBlocked));
}

#[test]
fn firefox_cookie_settings_are_profiles_of_their_own() {
    // A third-party `Partitioned` cookie, then a visit to the API's site.
    let requests = || {
        vec![
            req("/set", include()),
            req("/me", include()),
            req("/me", Client::Visit),
        ]
    };
    let plain = "c=1; Secure; Path=/; SameSite=None";

    // cookieBehavior 1 refuses it, `Partitioned` or not; Chrome's setting keeps CHIPS.
    for set in [CHIPS, plain] {
        let t = simulate(&scenario(ProfileId::FirefoxNo3pc, None, set, requests()));
        assert!(
            has(&t, Some(0), Reason::ExcludeThirdPartyBlocked),
            "{set}: {:#?}",
            t.steps
        );
        assert!(t.requests[0].cookies_stored.is_empty());
    }
    let t = simulate(&scenario(ProfileId::FirefoxNo3pc, None, CHIPS, requests()));
    let step = t
        .steps
        .iter()
        .find(|s| s.reason == Reason::ExcludeThirdPartyBlocked)
        .unwrap();
    assert!(
        step.explanation
            .contains("`Partitioned` does not help here"),
        "{}",
        step.explanation
    );
    let t = simulate(&scenario(ProfileId::ChromeNo3pc, None, CHIPS, requests()));
    assert!(has(&t, Some(0), Reason::StoredPartitioned));
    assert_eq!(t.requests[1].cookies_sent, vec!["p".to_string()]);

    // cookieBehavior 0: one jar, the third-party cookie goes on the visit too.
    let t = simulate(&scenario(
        ProfileId::FirefoxAllowAll,
        None,
        plain,
        requests(),
    ));
    assert_eq!(partition(&t, 0, "c"), Some(None));
    assert_eq!(t.requests[1].cookies_sent, vec!["c".to_string()]);
    assert_eq!(t.requests[2].cookies_sent, vec!["c".to_string()]);
    // cookieBehavior 5 (the default): the partition, not sent on the visit.
    let t = simulate(&scenario(ProfileId::Firefox, None, plain, requests()));
    assert_eq!(
        partition(&t, 0, "c"),
        Some(Some("https://app.example".into()))
    );
    assert_eq!(t.requests[1].cookies_sent, vec!["c".to_string()]);
    assert!(t.requests[2].cookies_sent.is_empty());
    // A partitioned cookie under cookieBehavior 0 still keeps to its partition.
    let t = simulate(&scenario(
        ProfileId::FirefoxAllowAll,
        None,
        CHIPS,
        requests(),
    ));
    assert!(has(&t, Some(0), Reason::StoredPartitioned));
    assert!(t.requests[2].cookies_sent.is_empty());
}
