//! What the client API puts on the request before Fetch takes over (Fetch
//! §Request class steps 32–37; HTML §Form submission): the header guard of
//! no-cors requests and the body's `Content-Type`, checked on the request
//! the server receives. Each case names the rule it pins.

use crumbtrail_engine::scenario::{
    BodyKind, Client, CredentialsMode, NavigationForm, Page, RawResponse, RawRoute, RawServer,
    RedirectMode, RequestMode, RequestSpec, Scenario, ServerSetup,
};
use crumbtrail_engine::{simulate, ProfileId};

/// A preflight answer that lets the credentialed JSON POST through.
const ALLOW: &str = "Access-Control-Allow-Origin: http://localhost:3000\nAccess-Control-Allow-Credentials: true\nAccess-Control-Allow-Methods: POST\nAccess-Control-Allow-Headers: content-type";

fn scenario(request: RequestSpec) -> Scenario {
    Scenario {
        page: Page {
            url: "http://localhost:3000/".into(),
            top_level_url: None,
            local_network: Default::default(),
            storage_access: Default::default(),
        },
        profile: ProfileId::Chrome,
        profile_version: None,
        requests: vec![request],
        server: ServerSetup::Raw(RawServer {
            routes: vec![RawRoute {
                method: "*".into(),
                path: "/*".into(),
                preflight: RawResponse {
                    status: 204,
                    headers: ALLOW.into(),
                },
                response: RawResponse {
                    status: 200,
                    headers: String::new(),
                },
                ..RawRoute::default()
            }],
        }),
        proxy: None,
        jar_at_start: Vec::new(),
    }
}

/// The `Content-Type` values on the (non-preflight) request the server got.
fn sent_content_type(request: RequestSpec) -> Vec<String> {
    let trace = simulate(&scenario(request));
    let exchange = trace.requests[0]
        .exchanges
        .iter()
        .find(|e| !e.request.is_preflight)
        .expect("the request was sent");
    exchange
        .request
        .headers
        .get_all("content-type")
        .iter()
        .map(|v| v.to_string())
        .collect()
}

fn request(client: Client, method: &str, headers: &str, body: BodyKind) -> RequestSpec {
    RequestSpec {
        url: "http://localhost:3001/login".into(),
        method: method.into(),
        headers: headers.into(),
        body,
        client,
        delay_secs: 0,
        ..RequestSpec::default()
    }
}

fn fetch(mode: RequestMode) -> Client {
    Client::Fetch {
        mode,
        credentials: CredentialsMode::Include,
        redirect: RedirectMode::Follow,
    }
}

#[test]
fn no_cors_drops_the_json_type_then_the_string_body_brings_text_plain() {
    // Fetch §Request class: step 32 fills the headers through the
    // "request-no-cors" guard, which drops `Content-Type: application/json`;
    // step 37 then appends the body's type, `text/plain;charset=UTF-8`, since
    // the list has no Content-Type any more. Chromium 156 sends exactly that.
    let cases = [
        (
            "Content-Type: application/json",
            BodyKind::Json,
            vec!["text/plain;charset=UTF-8"],
        ),
        (
            "Content-Type: application/json",
            BodyKind::UrlEncoded,
            vec!["application/x-www-form-urlencoded;charset=UTF-8"],
        ),
        // A safelisted type the code set survives the guard and wins.
        (
            "Content-Type: text/plain",
            BodyKind::Json,
            vec!["text/plain"],
        ),
        // No body, no type.
        ("Content-Type: application/json", BodyKind::None, vec![]),
    ];
    for (headers, body, want) in cases {
        let got = sent_content_type(request(fetch(RequestMode::NoCors), "POST", headers, body));
        assert_eq!(got, want, "no-cors with `{headers}` and {body:?}");
    }
}

#[test]
fn cors_mode_keeps_the_type_the_code_set() {
    let got = sent_content_type(request(
        fetch(RequestMode::Cors),
        "POST",
        "Content-Type: application/json",
        BodyKind::Json,
    ));
    assert_eq!(got, vec!["application/json"]);
}

#[test]
fn a_form_post_sends_the_form_encoding_type() {
    // HTML §Form submission: a POST form's entry list is encoded per its
    // enctype; the default is application/x-www-form-urlencoded, and the
    // browser sends that as the request's Content-Type.
    let nav = Client::Navigation {
        form: NavigationForm::FormPost,
    };
    let got = sent_content_type(request(nav, "POST", "", BodyKind::None));
    assert_eq!(got, vec!["application/x-www-form-urlencoded"]);
    // A link sends no body and no Content-Type.
    let link = Client::Navigation {
        form: NavigationForm::Link,
    };
    assert!(sent_content_type(request(link, "GET", "", BodyKind::None)).is_empty());
}
