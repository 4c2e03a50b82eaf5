//! WebKitGTK's rules (issue #17): WebCore decides as in Safari, libsoup's
//! jar stores the cookies. Each rule cites the source read, and each was seen
//! in WebKitGTK 2.50.6 with libsoup 3.2 (Debian 12), the browser the e2e tests
//! and the live differential suite run.
//!
//! - libsoup `soup-cookie-jar.c`, `incoming_cookie_is_third_party`: with
//!   `SOUP_COOKIE_JAR_ACCEPT_NO_THIRD_PARTY` (WebKitGTK's default policy,
//!   `NetworkStorageSessionSoup.cpp`, `setCookieAcceptPolicy`), a cookie is
//!   stored when the base domain of its domain matches the first party's;
//!   the check runs before a deletion is applied, and never when sending.
//! - libsoup `soup-cookie.c`, `parse_one_cookie`: a Domain without an
//!   embedded dot is invalid; no SameSite means None (libsoup 3.2).
//! - libsoup `soup_cookie_jar_add_cookie_full`: a Secure cookie needs https.
//! - WebCore `RegistrableDomain` with libpsl without the star rule
//!   (`PublicSuffixSoup.cpp`): under an unlisted suffix, the host is the site.

use crumbtrail_engine::scenario::{
    Client, CredentialsMode, JarCookie, Page, RawResponse, RawRoute, RawServer, RedirectMode,
    RequestMode, RequestSpec, Scenario, ServerSetup,
};
use crumbtrail_engine::trace::{Reason, Trace};
use crumbtrail_engine::{simulate, ProfileId};

fn include() -> Client {
    Client::Fetch {
        mode: RequestMode::Cors,
        credentials: CredentialsMode::Include,
        redirect: RedirectMode::Follow,
    }
}

fn req(url: &str, client: Client) -> RequestSpec {
    RequestSpec {
        url: url.into(),
        method: "GET".into(),
        client,
        ..RequestSpec::default()
    }
}

/// A page, and an API whose `/set` answers with `set` (CORS open to the page).
fn scenario(profile: ProfileId, page: &str, set: &str, requests: Vec<RequestSpec>) -> Scenario {
    let origin = page.trim_end_matches('/');
    let cors =
        format!("Access-Control-Allow-Origin: {origin}\nAccess-Control-Allow-Credentials: true");
    let route = |path: &str, extra: &str| RawRoute {
        method: "*".into(),
        path: path.into(),
        preflight: RawResponse {
            status: 204,
            headers: cors.clone(),
        },
        response: RawResponse {
            status: 200,
            headers: if extra.is_empty() {
                cors.clone()
            } else {
                format!("{cors}\n{extra}")
            },
        },
        ..RawRoute::default()
    };
    Scenario {
        page: Page {
            url: page.into(),
            ..Page::default()
        },
        profile,
        requests,
        server: ServerSetup::Raw(RawServer {
            routes: vec![route("/set", &format!("Set-Cookie: {set}")), route("*", "")],
        }),
        ..Scenario::default()
    }
}

fn stored(t: &Trace, i: usize) -> Vec<String> {
    t.requests[i].cookies_stored.clone()
}

fn rejected_with(t: &Trace, i: usize, reason: Reason) -> bool {
    t.steps
        .iter()
        .any(|s| s.request == Some(i) && s.reason == reason)
}

#[test]
fn a_host_only_cookie_from_a_sibling_host_under_an_unlisted_suffix_is_not_stored() {
    // Page app.example.test, API api.example.test: `test` is not on the
    // Public Suffix List, so libsoup finds no base domain and compares
    // `api.example.test` with `app.example.test` (seen in WebKitGTK 2.50.6).
    let page = "https://app.example.test/";
    let api = "https://api.example.test/set";
    let host_only = scenario(
        ProfileId::WebKitGtk,
        page,
        "sid=1; Path=/; Secure",
        vec![req(api, include())],
    );
    let t = simulate(&host_only);
    assert!(stored(&t, 0).is_empty(), "{:#?}", t.steps);
    assert!(rejected_with(&t, 0, Reason::ExcludeThirdPartyBlocked));
    let step = t
        .steps
        .iter()
        .find(|s| s.reason == Reason::ExcludeThirdPartyBlocked)
        .unwrap();
    assert!(
        step.explanation.contains("Domain=example.test"),
        "{}",
        step.explanation
    );

    // The same response with Domain=example.test: `.example.test` matches.
    let domain = scenario(
        ProfileId::WebKitGtk,
        page,
        "sid=1; Path=/; Secure; Domain=example.test",
        vec![req(api, include())],
    );
    assert_eq!(stored(&simulate(&domain), 0), vec!["sid".to_string()]);

    // Chrome keeps both: the two hosts are one site (example.test).
    for s in [host_only, domain] {
        let mut s = s;
        s.profile = ProfileId::Chrome;
        assert_eq!(stored(&simulate(&s), 0), vec!["sid".to_string()]);
    }
}

#[test]
fn under_a_listed_suffix_a_sibling_host_is_first_party() {
    let t = simulate(&scenario(
        ProfileId::WebKitGtk,
        "https://app.example.com/",
        "sid=1; Path=/; Secure",
        vec![req("https://api.example.com/set", include())],
    ));
    assert_eq!(stored(&t, 0), vec!["sid".to_string()]);
}

#[test]
fn a_cross_site_cookie_is_not_stored_but_one_already_in_the_jar_is_sent() {
    // libsoup checks its policy only when storing (`add_cookie_full`), never
    // in `get_cookies`: a cookie the user got on the API's own site goes
    // with a cross-site fetch, SameSite permitting (no Lax by default).
    let mut s = scenario(
        ProfileId::WebKitGtk,
        "http://localhost:8080/",
        "sid=2; Path=/",
        vec![
            req("http://127.0.0.1:8081/set", include()),
            req("http://127.0.0.1:8081/me", include()),
        ],
    );
    s.jar_at_start.push(JarCookie {
        name: "old".into(),
        value: "1".into(),
        domain: "127.0.0.1".into(),
        host_only: true,
        path: "/".into(),
        ..JarCookie::default()
    });
    let t = simulate(&s);
    assert!(stored(&t, 0).is_empty(), "{:#?}", t.steps);
    assert!(rejected_with(&t, 0, Reason::ExcludeThirdPartyBlocked));
    assert_eq!(t.requests[1].cookies_sent, vec!["old".to_string()]);
    // Safari's ITP blocks both ways.
    s.profile = ProfileId::Safari;
    let t = simulate(&s);
    assert!(t.requests[1].cookies_sent.is_empty());
}

#[test]
fn a_cross_site_deletion_deletes_nothing() {
    let mut s = scenario(
        ProfileId::WebKitGtk,
        "http://localhost:8080/",
        "sid=; Max-Age=0; Path=/",
        vec![
            req("http://127.0.0.1:8081/set", include()),
            req("http://127.0.0.1:8081/me", include()),
        ],
    );
    s.jar_at_start.push(JarCookie {
        name: "sid".into(),
        value: "1".into(),
        domain: "127.0.0.1".into(),
        host_only: true,
        path: "/".into(),
        ..JarCookie::default()
    });
    let t = simulate(&s);
    assert!(rejected_with(&t, 0, Reason::ExcludeThirdPartyBlocked));
    assert!(!rejected_with(&t, 0, Reason::CookieDeleted));
    assert_eq!(t.requests[1].cookies_sent, vec!["sid".to_string()]);
    let step = t
        .steps
        .iter()
        .find(|s| s.reason == Reason::ExcludeThirdPartyBlocked)
        .unwrap();
    assert!(step.explanation.contains("deletion is refused"));
}

#[test]
fn domain_localhost_is_refused_and_domain_dot_ip_is_kept() {
    let t = simulate(&scenario(
        ProfileId::WebKitGtk,
        "http://localhost:8080/",
        "sid=1; Path=/; Domain=localhost",
        vec![req("http://localhost:8081/set", include())],
    ));
    assert!(stored(&t, 0).is_empty());
    let step = t
        .steps
        .iter()
        .find(|s| s.reason == Reason::ExcludeInvalidDomain)
        .expect("refused for its Domain");
    assert!(step.title.contains("has no dot"), "{}", step.title);
    // Chrome keeps it, host-only.
    let mut chrome = scenario(
        ProfileId::Chrome,
        "http://localhost:8080/",
        "sid=1; Path=/; Domain=localhost",
        vec![req("http://localhost:8081/set", include())],
    );
    assert_eq!(stored(&simulate(&chrome), 0), vec!["sid".to_string()]);

    chrome.profile = ProfileId::WebKitGtk;
    chrome.page.url = "http://127.0.0.1:8080/".into();
    chrome.requests[0].url = "http://127.0.0.1:8081/set".into();
    chrome.server = scenario(
        ProfileId::WebKitGtk,
        "http://127.0.0.1:8080/",
        "sid=1; Path=/; Domain=.127.0.0.1",
        vec![],
    )
    .server;
    assert_eq!(stored(&simulate(&chrome), 0), vec!["sid".to_string()]);
}

#[test]
fn secure_needs_https_even_on_localhost() {
    for host in ["localhost", "127.0.0.1", "app.localhost"] {
        let t = simulate(&scenario(
            ProfileId::WebKitGtk,
            &format!("http://{host}:8080/"),
            "sid=1; Path=/; Secure",
            vec![req(&format!("http://{host}:8080/set"), include())],
        ));
        assert!(stored(&t, 0).is_empty(), "{host}");
    }
}

#[test]
fn no_samesite_means_none_and_samesite_none_needs_no_secure() {
    // libsoup 3.2: no Lax by default, and `SameSite=None` without `Secure`
    // is kept (libsoup 3.6 changed both).
    let t = simulate(&scenario(
        ProfileId::WebKitGtk,
        "http://localhost:8080/",
        "a=1; Path=/; SameSite=None",
        vec![req("http://localhost:8081/set", include())],
    ));
    assert_eq!(stored(&t, 0), vec!["a".to_string()]);
    let p = ProfileId::WebKitGtk.profile();
    assert!(!p.lax_by_default && !p.none_requires_secure);
}

#[test]
fn same_site_ignores_the_scheme() {
    // WebCore's same-site test compares registrable domains only: an http
    // page's Lax cookie goes with a fetch to https on the same site.
    let mut s = scenario(
        ProfileId::WebKitGtk,
        "http://localhost:8080/",
        "",
        vec![req("https://localhost:8443/me", include())],
    );
    s.jar_at_start.push(JarCookie {
        name: "lax".into(),
        value: "1".into(),
        domain: "localhost".into(),
        host_only: true,
        path: "/".into(),
        same_site: crumbtrail_engine::scenario::JarSameSite::Lax,
        ..JarCookie::default()
    });
    assert_eq!(
        simulate(&s).requests[0].cookies_sent,
        vec!["lax".to_string()]
    );
    s.profile = ProfileId::Chrome;
    assert!(simulate(&s).requests[0].cookies_sent.is_empty());
}

#[test]
fn partitioned_is_ignored_and_the_cookie_stored_unpartitioned() {
    let t = simulate(&scenario(
        ProfileId::WebKitGtk,
        "https://localhost:8443/",
        "p=1; Path=/; Secure; SameSite=None; Partitioned",
        vec![req("https://localhost:8444/set", include())],
    ));
    assert_eq!(stored(&t, 0), vec!["p".to_string()]);
    let jar = &t.requests[0].jar_after;
    assert!(jar.iter().all(|c| c.partition.is_none()), "{jar:?}");
}
