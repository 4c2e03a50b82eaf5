//! The question that started Crumbtrail, in raw-header form: an SPA on
//! `http://localhost:3000` logs in to an API on `http://localhost:3001`
//! (`POST /login` sets the session cookie, `GET /me` needs it).
//!
//! The article says the browser "simply won't send or accept the cookie" with
//! `origins '*'`. On localhost:3000 → localhost:3001 (same site) that is not
//! what happens: the cookie is stored and sent; only the page cannot read
//! the responses. These tests pin what the browser really does.

use crumbtrail_engine::scenario::{
    BodyKind, Client, CredentialsMode, RawResponse, RawRoute, RawServer, RedirectMode, RequestMode,
    RequestSpec, Scenario, ServerSetup,
};
use crumbtrail_engine::trace::{JsResult, PreflightOutcome, Reason, Trace};
use crumbtrail_engine::{simulate, ProfileId};

const COOKIE: &str = "Set-Cookie: _your_app_session=abc; path=/; HttpOnly; SameSite=Lax";

fn scenario(cors_headers: &str, credentials: CredentialsMode) -> Scenario {
    let client = Client::Fetch {
        mode: RequestMode::Cors,
        credentials,
        redirect: RedirectMode::Follow,
    };
    let route = |method: &str, path: &str, extra: &str| RawRoute {
        method: method.into(),
        path: path.into(),
        preflight: RawResponse {
            status: 204,
            headers: cors_headers.into(),
        },
        response: RawResponse {
            status: 200,
            headers: if extra.is_empty() {
                cors_headers.to_string()
            } else {
                format!("{cors_headers}\n{extra}")
            },
        },
        ..RawRoute::default()
    };
    Scenario {
        profile: ProfileId::Chrome,
        profile_version: None,
        requests: vec![
            RequestSpec {
                url: "http://localhost:3001/login".into(),
                method: "POST".into(),
                headers: String::new(),
                body: BodyKind::UrlEncoded,
                client,
                delay_secs: 0,
                ..RequestSpec::default()
            },
            RequestSpec {
                url: "http://localhost:3001/me".into(),
                method: "GET".into(),
                headers: String::new(),
                body: BodyKind::None,
                client,
                delay_secs: 1,
                ..RequestSpec::default()
            },
        ],
        server: ServerSetup::Raw(RawServer {
            routes: vec![route("POST", "/login", COOKIE), route("GET", "/me", "")],
        }),
        ..Scenario::default()
    }
}

fn outcome(t: &Trace, i: usize) -> (&[String], &[String], JsResult) {
    let r = &t.requests[i];
    (&r.cookies_stored, &r.cookies_sent, r.js_result)
}

#[test]
fn a_wildcard_origin_with_credentials_include() {
    // Fetch §CORS check step 2: `*` only counts when credentials are not included.
    // Fetch §HTTP-network fetch: Set-Cookie is stored before the CORS check (Chromium §G).
    let t = simulate(&scenario(
        "Access-Control-Allow-Origin: *",
        CredentialsMode::Include,
    ));
    assert!(t.field_errors.is_empty(), "{:?}", t.field_errors);
    let (stored, sent, js) = outcome(&t, 0);
    assert_eq!(stored, ["_your_app_session"]);
    assert!(sent.is_empty());
    assert_eq!(js, JsResult::NetworkError);
    assert_eq!(
        t.requests[0].blocked_by,
        Some(Reason::WildcardOriginWithCredentials)
    );
    // The cookie IS sent on the follow-up (same site: localhost), the response is still unreadable.
    let (_, sent, js) = outcome(&t, 1);
    assert_eq!(sent, ["_your_app_session"]);
    assert_eq!(js, JsResult::NetworkError);
    assert_eq!(
        t.root_causes[0].reason,
        Reason::WildcardOriginWithCredentials
    );
    assert!(t.headline.contains("cookie was stored"), "{}", t.headline);
}

#[test]
fn b_exact_origin_without_allow_credentials() {
    // Fetch §CORS check step 5: with credentials, ACAC must be exactly `true`.
    let t = simulate(&scenario(
        "Access-Control-Allow-Origin: http://localhost:3000",
        CredentialsMode::Include,
    ));
    let (stored, _, js) = outcome(&t, 0);
    assert_eq!(stored, ["_your_app_session"]);
    assert_eq!(js, JsResult::NetworkError);
    assert_eq!(
        t.requests[0].blocked_by,
        Some(Reason::MissingAllowCredentials)
    );
    let (_, sent, js) = outcome(&t, 1);
    assert_eq!(sent, ["_your_app_session"]);
    assert_eq!(js, JsResult::NetworkError);
}

#[test]
fn c_exact_origin_and_allow_credentials_works() {
    let t = simulate(&scenario(
        "Access-Control-Allow-Origin: http://localhost:3000\nAccess-Control-Allow-Credentials: true",
        CredentialsMode::Include,
    ));
    let (stored, _, js) = outcome(&t, 0);
    assert_eq!(stored, ["_your_app_session"]);
    assert_eq!(js, JsResult::Readable);
    let (_, sent, js) = outcome(&t, 1);
    assert_eq!(sent, ["_your_app_session"]);
    assert_eq!(js, JsResult::Readable);
    assert_eq!(t.requests[1].status, Some(200));
    assert!(t.root_causes.is_empty(), "{:?}", t.root_causes);
    assert_eq!(t.requests[0].preflight, PreflightOutcome::NotNeeded);
    assert!(t.headline.starts_with("It works"), "{}", t.headline);
}

#[test]
fn d_fetch_without_credentials_drops_the_cookie_silently() {
    // Fetch §HTTP-network-or-cache fetch: the default `same-origin` mode does not
    // include credentials cross-origin, and §HTTP-network fetch then ignores Set-Cookie.
    let t = simulate(&scenario(
        "Access-Control-Allow-Origin: http://localhost:3000\nAccess-Control-Allow-Credentials: true",
        CredentialsMode::SameOrigin,
    ));
    let (stored, sent, js) = outcome(&t, 0);
    assert!(stored.is_empty());
    assert!(sent.is_empty());
    assert_eq!(js, JsResult::Readable);
    assert_eq!(
        t.requests[0].cookies_rejected[0].reason,
        Reason::SetCookieIgnoredNoCredentials
    );
    let (_, sent, _) = outcome(&t, 1);
    assert!(sent.is_empty());
    assert_eq!(
        t.root_causes[0].reason,
        Reason::SetCookieIgnoredNoCredentials
    );
}

#[test]
fn json_body_makes_a_preflight_that_the_wildcard_fails() {
    // A JSON Content-Type is not safelisted: preflight; the preflight's CORS check
    // uses the request's credentials mode, so `*` fails it and nothing is sent.
    let mut s = scenario("Access-Control-Allow-Origin: *", CredentialsMode::Include);
    s.requests[0].headers = "Content-Type: application/json".into();
    let t = simulate(&s);
    let r = &t.requests[0];
    assert_eq!(r.preflight, PreflightOutcome::Failed);
    assert!(!r.request_sent);
    assert!(r.cookies_stored.is_empty());
}

#[test]
fn cross_site_127_0_0_1_blocks_the_lax_cookie() {
    // localhost and 127.0.0.1 are different sites (HTML §Sites, Chromium §G):
    // a SameSite=Lax cookie from a cross-site fetch response is rejected (6265bis §5.7 step 18).
    let mut s = scenario(
        "Access-Control-Allow-Origin: http://localhost:3000\nAccess-Control-Allow-Credentials: true",
        CredentialsMode::Include,
    );
    for r in &mut s.requests {
        r.url = r.url.replace("localhost:3001", "127.0.0.1:3001");
    }
    let t = simulate(&s);
    assert!(t.requests[0].cookies_stored.is_empty());
    assert_eq!(
        t.requests[0].cookies_rejected[0].reason,
        Reason::ExcludeSameSiteCrossSiteSet
    );
    assert_eq!(t.requests[0].js_result, JsResult::Readable);
}

#[test]
fn bad_fields_are_reported_and_others_still_run() {
    let mut s = scenario("Access-Control-Allow-Origin: *", CredentialsMode::Include);
    s.requests[0].url = "http://exa mple.com/".into();
    s.requests[1].headers = "no colon".into();
    let t = simulate(&s);
    let fields: Vec<&str> = t.field_errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["requests.0.url", "requests.1.headers"]);
    assert!(
        t.headline.starts_with("Incomplete — Request 1 URL: ")
            && t.headline.ends_with("(and 1 more field)"),
        "{}",
        t.headline
    );
    assert_eq!(t.requests.len(), 2);
    assert!(t.incomplete());
}

#[test]
fn a_url_without_scheme_is_named_with_its_correction() {
    let mut s = scenario("Access-Control-Allow-Origin: *", CredentialsMode::Include);
    s.page.url = "localhost:3000".into();
    let t = simulate(&s);
    assert!(t.incomplete());
    assert!(
        t.headline.starts_with("Incomplete — Page URL: ")
            && t.headline.contains("write `http://localhost:3000`"),
        "{}",
        t.headline
    );
    s.page.url = "app.example.test:8443/login".into();
    let t = simulate(&s);
    assert!(
        t.headline
            .contains("write `https://app.example.test:8443/login`"),
        "{}",
        t.headline
    );
}

#[test]
fn a_control_character_in_a_server_header_is_a_field_error() {
    // The lab cannot send VT, ESC or DEL in a header (RFC 9110 §5.5); neither may the
    // simulated server, so live and simulated runs never differ silently.
    for bad in ["a\u{b}b", "\u{1b}[1m", "x\u{7f}"] {
        let s = scenario(
            &format!("Access-Control-Allow-Origin: http://localhost:3000\nX-Bad: {bad}"),
            CredentialsMode::Include,
        );
        let t = simulate(&s);
        let fields: Vec<&str> = t.field_errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "server.routes.0.preflight.headers",
                "server.routes.0.response.headers",
                "server.routes.1.preflight.headers",
                "server.routes.1.response.headers"
            ]
        );
        assert!(
            t.field_errors[0].message.contains("`X-Bad`"),
            "{:?}",
            t.field_errors
        );
        assert!(t.requests.iter().all(|r| !r.request_sent));
    }
    // A tab stays a valid character.
    let s = scenario(
        "Access-Control-Allow-Origin: http://localhost:3000\nX-Tab: a\tb",
        CredentialsMode::Include,
    );
    assert!(simulate(&s).field_errors.is_empty());
}
