//! CHIPS partition keys across frames (Chromium's `CookiePartitionKey`:
//! the top-level site and the cross-site ancestor bit). A page framed under
//! a top-level page is `Page::top_level_url`; a top-level navigation is
//! keyed by the site it goes to, with the bit clear.

use crumbtrail_engine::scenario::{
    BodyKind, Client, CredentialsMode, NavigationForm, Page, RawResponse, RawRoute, RawServer,
    RedirectMode, RequestMode, RequestSpec, Scenario, ServerSetup,
};
use crumbtrail_engine::trace::{Reason, Trace};
use crumbtrail_engine::{simulate, ProfileId};

const A: &str = "https://a.example";
const CHIPS: &str = "Set-Cookie: p=1; Secure; Path=/; SameSite=None; Partitioned";

fn include() -> Client {
    Client::Fetch {
        mode: RequestMode::Cors,
        credentials: CredentialsMode::Include,
        redirect: RedirectMode::Follow,
    }
}

fn link() -> Client {
    Client::Navigation {
        form: NavigationForm::Link,
    }
}

fn req(url: &str, client: Client) -> RequestSpec {
    RequestSpec {
        url: url.into(),
        method: "GET".into(),
        headers: String::new(),
        body: BodyKind::None,
        client,
        delay_secs: 0,
        ..RequestSpec::default()
    }
}

/// `/set` sets the partitioned cookie, `/me` reads; both let `cors_origin` read them.
fn scenario(
    page: &str,
    top: Option<&str>,
    requests: Vec<RequestSpec>,
    cors_origin: &str,
) -> Scenario {
    let cors = format!(
        "Access-Control-Allow-Origin: {cors_origin}\nAccess-Control-Allow-Credentials: true"
    );
    let route = |path: &str, headers: String| RawRoute {
        method: "GET".into(),
        path: path.into(),
        preflight: RawResponse {
            status: 204,
            headers: cors.clone(),
        },
        response: RawResponse {
            status: 200,
            headers,
        },
        ..RawRoute::default()
    };
    Scenario {
        page: Page {
            url: page.into(),
            top_level_url: top.map(Into::into),
            local_network: Default::default(),
            storage_access: Default::default(),
        },
        profile: ProfileId::Chrome,
        profile_version: None,
        requests,
        server: ServerSetup::Raw(RawServer {
            routes: vec![
                route("/set", format!("{cors}\n{CHIPS}")),
                route("/me", cors.clone()),
            ],
        }),
        proxy: None,
        jar_at_start: Vec::new(),
    }
}

/// The partition of cookie `name` in the jar after request `i`, as the jar shows it.
fn partition(t: &Trace, i: usize, name: &str) -> Option<String> {
    t.requests[i]
        .jar_after
        .iter()
        .find(|c| c.name == name)
        .and_then(|c| c.partition.as_ref())
        .map(|p| p.to_string())
}

fn excluded(t: &Trace, i: usize, reason: Reason) -> bool {
    t.steps
        .iter()
        .any(|s| s.request == Some(i) && s.reason == reason)
}

// A → B → A: the A document framed inside B, itself inside top-level A, has
// a partition of its own, apart from top-level A's.
#[test]
fn a_frame_under_a_cross_site_frame_has_its_own_partition() {
    // The page is B, framed in top-level A; it calls A (the A → B → A request).
    let t = simulate(&scenario(
        "https://b.example/embed",
        Some("https://a.example/"),
        vec![
            // Top-level A sets the cookie: partition (A, same-site).
            req("https://a.example/set", link()),
            // From inside B: partition (A, cross-site ancestor).
            req("https://a.example/me", include()),
        ],
        "https://b.example",
    ));
    assert_eq!(partition(&t, 0, "p").as_deref(), Some(A));
    assert!(t.requests[1].cookies_sent.is_empty(), "{:#?}", t.steps);
    assert!(excluded(&t, 1, Reason::ExcludePartitionMismatch));

    // The other way round: set from inside B, not sent to top-level A.
    let t = simulate(&scenario(
        "https://b.example/embed",
        Some("https://a.example/"),
        vec![
            req("https://a.example/set", include()),
            req("https://a.example/me", link()),
            req("https://a.example/me", include()),
        ],
        "https://b.example",
    ));
    assert_eq!(t.requests[0].cookies_stored, vec!["p".to_string()]);
    assert_eq!(
        partition(&t, 0, "p").as_deref(),
        Some("https://a.example (cross-site ancestor)")
    );
    assert!(t.requests[1].cookies_sent.is_empty());
    assert!(excluded(&t, 1, Reason::ExcludePartitionMismatch));
    // Back inside B it is there again.
    assert_eq!(t.requests[2].cookies_sent, vec!["p".to_string()]);
}

// Top-level A and an A frame inside A share one partition.
#[test]
fn top_level_and_same_site_frame_share_the_partition() {
    let requests = || {
        vec![
            req("https://a.example/set", include()),
            req("https://a.example/me", include()),
            req("https://a.example/me", link()),
        ]
    };
    let top = simulate(&scenario("https://a.example/", None, requests(), A));
    let framed = simulate(&scenario(
        "https://a.example/frame",
        Some("https://a.example/"),
        requests(),
        A,
    ));
    for t in [&top, &framed] {
        assert_eq!(partition(t, 0, "p").as_deref(), Some(A));
        assert_eq!(t.requests[1].cookies_sent, vec!["p".to_string()]);
        assert_eq!(t.requests[2].cookies_sent, vec!["p".to_string()]);
    }
}

// Chromium's bit is also set when the request itself is cross-site with the
// top-level site, so a third party called from top-level A and the same
// third party framed in A share one partition.
#[test]
fn a_third_party_call_and_its_frame_share_the_partition() {
    let requests = || {
        vec![
            req("https://api.other.test/set", include()),
            req("https://api.other.test/me", include()),
        ]
    };
    let from_top = simulate(&scenario("https://a.example/", None, requests(), A));
    let framed = simulate(&scenario(
        "https://api.other.test/widget",
        Some("https://a.example/"),
        requests(),
        "https://api.other.test",
    ));
    for t in [&from_top, &framed] {
        assert_eq!(
            partition(t, 0, "p").as_deref(),
            Some("https://a.example (cross-site ancestor)"),
            "{:#?}",
            t.steps
        );
        assert_eq!(t.requests[1].cookies_sent, vec!["p".to_string()]);
    }
}
