//! A cookie Chrome blocks carries the name Chrome's DevTools gives it: the
//! DevTools Protocol's `Network.CookieBlockedReason` (not sent) and
//! `Network.SetCookieBlockedReason` (not stored), from
//! `third_party/blink/public/devtools_protocol/browser_protocol.pdl`
//! (`UserPreferences` for third-party cookies blocked by the setting,
//! `SameSiteLax`, `SecureOnly`, …). Other browsers' steps carry none.

use crumbtrail_engine::scenario::{
    BodyKind, Client, CredentialsMode, Page, RawResponse, RawRoute, RawServer, RedirectMode,
    RequestMode, RequestSpec, Scenario, ServerSetup,
};
use crumbtrail_engine::trace::{Reason, Trace};
use crumbtrail_engine::{simulate, ProfileId};

fn scenario(profile: ProfileId, set: &str) -> Scenario {
    let cors =
        "Access-Control-Allow-Origin: https://app.example\nAccess-Control-Allow-Credentials: true";
    let include = Client::Fetch {
        mode: RequestMode::Cors,
        credentials: CredentialsMode::Include,
        redirect: RedirectMode::Follow,
    };
    let req = |path: &str| RequestSpec {
        url: format!("https://api.other.test{path}"),
        method: "GET".into(),
        headers: String::new(),
        body: BodyKind::None,
        client: include,
        ..RequestSpec::default()
    };
    Scenario {
        page: Page {
            url: "https://app.example/".into(),
            top_level_url: None,
            local_network: Default::default(),
            storage_access: Default::default(),
        },
        profile,
        profile_version: None,
        // A visit stores the cookie first-party; the page's fetches are third-party.
        requests: vec![
            RequestSpec {
                client: Client::Visit,
                ..req("/set")
            },
            req("/me"),
            req("/set"),
        ],
        server: ServerSetup::Raw(RawServer {
            routes: vec![RawRoute {
                method: "*".into(),
                path: "*".into(),
                preflight: RawResponse {
                    status: 204,
                    headers: cors.into(),
                },
                response: RawResponse {
                    status: 200,
                    headers: format!("{cors}\nSet-Cookie: {set}"),
                },
                ..RawRoute::default()
            }],
        }),
        proxy: None,
        jar_at_start: Vec::new(),
    }
}

fn devtools(t: &Trace, reason: Reason) -> Option<String> {
    let step = t.steps.iter().find(|s| s.reason == reason)?;
    step.values
        .iter()
        .find(|v| v.label == "Chrome DevTools")
        .map(|v| v.value.clone())
}

#[test]
fn blocked_cookies_carry_the_devtools_reason() {
    let t = simulate(&scenario(
        ProfileId::ChromeNo3pc,
        "c=1; Secure; Path=/; SameSite=None",
    ));
    assert_eq!(
        devtools(&t, Reason::ExcludeUserPreferences).as_deref(),
        Some("UserPreferences")
    );
    assert_eq!(
        devtools(&t, Reason::ExcludeThirdPartyBlocked).as_deref(),
        Some("UserPreferences")
    );

    let t = simulate(&scenario(
        ProfileId::Chrome,
        "c=1; Secure; Path=/; SameSite=Lax",
    ));
    assert_eq!(
        devtools(&t, Reason::ExcludeSameSiteLax).as_deref(),
        Some("SameSiteLax")
    );

    let t = simulate(&scenario(ProfileId::Chrome, "c=1; Path=/"));
    assert_eq!(
        devtools(&t, Reason::ExcludeSameSiteUnspecifiedTreatedAsLax).as_deref(),
        Some("SameSiteUnspecifiedTreatedAsLax")
    );

    // Firefox blocks the same cookie, but DevTools names are Chrome's.
    let t = simulate(&scenario(
        ProfileId::FirefoxNo3pc,
        "c=1; Secure; Path=/; SameSite=None",
    ));
    assert!(t
        .steps
        .iter()
        .any(|s| s.reason == Reason::ExcludeUserPreferences));
    assert_eq!(devtools(&t, Reason::ExcludeUserPreferences), None);
}
