//! Which jar a cookie goes to, and which jar a deletion reaches, per browser
//! (issue #17, both seen in a real Firefox ESR 153 and re-checked by the flows
//! `tcp/…` of tests/live_differential.rs).
//!
//! - Gecko: "CHIPS - If the partitioned attribute is set, store cookie in
//!   partitioned cookie jar independent of context"
//!   (`netwerk/cookie/CookieCommons.cpp`, `CreateCookieFromDocument`; the
//!   same in `CookieService.cpp` for Set-Cookie), CHIPS on in release since
//!   Firefox 141. A first-party `Partitioned` cookie is keyed to the top-level
//!   site, as in Chromium (`CookiePartitionKey`).
//! - A partition is its own jar: Gecko keeps it in the `OriginAttributes`
//!   (`partitionKey`), Chromium compares the partition key in
//!   `CanonicalCookie::IsEquivalent`. So a `Max-Age=0` reaches only the jar
//!   the response lands in: a cross-site one under Total Cookie Protection
//!   lands in the partition and leaves the first-party cookie alone.

use crumbtrail_engine::scenario::{
    BodyKind, Client, CredentialsMode, Page, RawResponse, RawRoute, RawServer, RedirectMode,
    RequestMode, RequestSpec, Scenario, ServerSetup,
};
use crumbtrail_engine::trace::{Reason, Trace, Verdict};
use crumbtrail_engine::{simulate, ProfileId};

const PAGE: &str = "https://app.example/";
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
        delay_secs: 0,
        ..RequestSpec::default()
    }
}

/// `/set` and `/del` answer with the given Set-Cookie lines, CORS open to the page.
fn scenario(profile: ProfileId, set: &str, del: &str, requests: Vec<RequestSpec>) -> Scenario {
    let cors =
        "Access-Control-Allow-Origin: https://app.example\nAccess-Control-Allow-Credentials: true";
    let route = |path: &str, extra: &str| RawRoute {
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
            url: PAGE.into(),
            top_level_url: None,
            local_network: Default::default(),
            storage_access: Default::default(),
        },
        profile,
        profile_version: None,
        requests,
        server: ServerSetup::Raw(RawServer {
            routes: vec![
                route("/set", &format!("Set-Cookie: {set}")),
                route("/del", &format!("Set-Cookie: {del}")),
                route("*", ""),
            ],
        }),
        proxy: None,
        jar_at_start: Vec::new(),
    }
}

fn partition_of(t: &Trace, i: usize, name: &str) -> Option<Option<String>> {
    t.requests[i]
        .jar_after
        .iter()
        .find(|c| c.name == name)
        .map(|c| c.partition.as_ref().map(|p| p.to_string()))
}

fn has_step(t: &Trace, i: usize, reason: Reason) -> bool {
    t.steps
        .iter()
        .any(|s| s.request == Some(i) && s.reason == reason)
}

#[test]
fn a_first_party_partitioned_cookie_is_keyed_to_the_top_level_site_in_firefox_too() {
    for profile in [ProfileId::Firefox, ProfileId::Chrome] {
        // A visit to the API's site: first-party, top-level site https://other.test.
        let t = simulate(&scenario(
            profile,
            "p=1; Secure; Path=/; SameSite=None; Partitioned",
            "p=; Max-Age=0; Secure; Path=/; SameSite=None",
            vec![req("/set", Client::Visit)],
        ));
        assert_eq!(t.requests[0].cookies_stored, vec!["p".to_string()]);
        assert_eq!(
            partition_of(&t, 0, "p"),
            Some(Some("https://other.test".to_string())),
            "{profile:?}: {:#?}",
            t.steps
        );
        assert!(has_step(&t, 0, Reason::StoredPartitioned), "{profile:?}");
    }
}

#[test]
fn a_deletion_without_partitioned_leaves_the_partitioned_cookie_alone() {
    for profile in [ProfileId::Firefox, ProfileId::Chrome] {
        let t = simulate(&scenario(
            profile,
            "p=1; Secure; Path=/; SameSite=None; Partitioned",
            "p=; Max-Age=0; Secure; Path=/; SameSite=None",
            vec![
                req("/set", Client::Visit),
                req("/del", Client::Visit),
                req("/me", Client::Visit),
            ],
        ));
        assert!(
            has_step(&t, 1, Reason::DeletionMissedOtherJar),
            "{profile:?}"
        );
        assert!(!has_step(&t, 1, Reason::CookieDeleted), "{profile:?}");
        assert_eq!(
            t.requests[2].cookies_sent,
            vec!["p".to_string()],
            "{profile:?}"
        );
        let step = t
            .steps
            .iter()
            .find(|s| s.reason == Reason::DeletionMissedOtherJar)
            .unwrap();
        assert_eq!(step.verdict, Verdict::Warning);
        assert!(
            step.explanation.contains("Add `Partitioned`"),
            "{}",
            step.explanation
        );

        // With `Partitioned` the deletion reaches it.
        let t = simulate(&scenario(
            profile,
            "p=1; Secure; Path=/; SameSite=None; Partitioned",
            "p=; Max-Age=0; Secure; Path=/; SameSite=None; Partitioned",
            vec![
                req("/set", Client::Visit),
                req("/del", Client::Visit),
                req("/me", Client::Visit),
            ],
        ));
        assert!(has_step(&t, 1, Reason::CookieDeleted), "{profile:?}");
        assert!(t.requests[2].cookies_sent.is_empty(), "{profile:?}");
    }
}

#[test]
fn a_cross_site_deletion_lands_in_the_partition_under_total_cookie_protection() {
    let requests = || {
        vec![
            req("/set", Client::Visit),
            // From the page on app.example: third-party.
            req("/del", include()),
            req("/me", Client::Visit),
        ]
    };
    let set = "c=1; Secure; Path=/; SameSite=None";
    let del = "c=; Max-Age=0; Secure; Path=/; SameSite=None";

    let t = simulate(&scenario(ProfileId::Firefox, set, del, requests()));
    assert!(
        has_step(&t, 1, Reason::DeletionMissedOtherJar),
        "{:#?}",
        t.steps
    );
    assert!(!has_step(&t, 1, Reason::CookieDeleted));
    assert_eq!(t.requests[2].cookies_sent, vec!["c".to_string()]);
    let step = t
        .steps
        .iter()
        .find(|s| s.reason == Reason::DeletionMissedOtherJar)
        .unwrap();
    assert!(step.title.contains("https://app.example"), "{}", step.title);
    assert!(step.explanation.contains("first-party request"));

    // Chrome with third-party cookies allowed: one jar, the cookie is deleted.
    let t = simulate(&scenario(ProfileId::Chrome, set, del, requests()));
    assert!(has_step(&t, 1, Reason::CookieDeleted), "{:#?}", t.steps);
    assert!(t.requests[2].cookies_sent.is_empty());

    // Chrome blocking third-party cookies: the deletion is refused, the cookie stays.
    let t = simulate(&scenario(ProfileId::ChromeNo3pc, set, del, requests()));
    assert!(
        has_step(&t, 1, Reason::ExcludeThirdPartyBlocked),
        "{:#?}",
        t.steps
    );
    assert_eq!(t.requests[2].cookies_sent, vec!["c".to_string()]);
}
