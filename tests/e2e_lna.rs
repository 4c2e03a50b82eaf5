//! Local Network Access in the real Chromium, against the engine (issue
//! #17). Everything stays on loopback: Chromium's
//! `--ip-address-space-overrides=127.0.0.1:<port>=public` makes the lab's
//! page port count as a public address, so a call from that page to
//! `localhost:<api port>` is a public → loopback request. The page is
//! `http://127.0.0.1:<port>`, a secure context (loopback), as an https page
//! on a public host would be. What the page's `fetch` does is compared with
//! the simulation of the same setup on a public host
//! (`https://app.example.com` → `http://localhost:3001`), for each state
//! of the permission, set through the DevTools protocol
//! (`Browser.setPermission`, permission `loopback-network`, Chrome 145+).
#![cfg(not(target_arch = "wasm32"))]

mod support;

use std::time::Duration;

use crumbtrail_engine::scenario::{
    Client, CredentialsMode, Page, PermissionState, RawResponse, RawRoute, RawServer, RedirectMode,
    RequestMode, RequestSpec, Scenario, ServerSetup,
};
use crumbtrail_engine::trace::JsResult;
use crumbtrail_engine::{simulate, ProfileId, Reason};
use serde_json::{json, Value};
use support::recorder::Cdp;
use support::{Browser, Session};

/// Fetches `url` (no-cors: only whether it reaches the network matters) and
/// says `sent`, `network error`, or `pending` when nothing settles in 4 s
/// (a prompt that holds the request).
const FETCH: &str = r#"
const [url, done] = arguments;
const timer = new Promise(r => setTimeout(() => r('pending'), 4000));
const call = fetch(url, { mode: 'no-cors', cache: 'no-store' })
  .then(() => 'sent', e => 'network error: ' + e.name);
Promise.race([call, timer]).then(done);
"#;

/// What the engine predicts for the same setup on a public host.
fn simulated(permission: Option<PermissionState>) -> String {
    let (page, permission) = match permission {
        Some(p) => ("https://app.example.com/", p),
        // The control: a page on loopback, which is never checked.
        None => ("http://localhost:3000/", PermissionState::Denied),
    };
    let s = Scenario {
        page: Page {
            url: page.into(),
            top_level_url: None,
            local_network: permission,
            storage_access: Default::default(),
        },
        profile: ProfileId::Chrome,
        requests: vec![RequestSpec {
            url: "http://localhost:3001/ping".into(),
            method: "GET".into(),
            client: Client::Fetch {
                mode: RequestMode::NoCors,
                credentials: CredentialsMode::Include,
                redirect: RedirectMode::Follow,
            },
            ..RequestSpec::default()
        }],
        server: ServerSetup::Raw(RawServer {
            routes: vec![RawRoute {
                method: "*".into(),
                path: "*".into(),
                preflight: RawResponse {
                    status: 204,
                    headers: String::new(),
                },
                response: RawResponse {
                    status: 200,
                    headers: String::new(),
                },
                ..RawRoute::default()
            }],
        }),
        ..Scenario::default()
    };
    let t = simulate(&s);
    let prompt = t
        .steps
        .iter()
        .any(|s| s.reason == Reason::LocalNetworkPermissionPrompt);
    let r = &t.requests[0];
    if prompt {
        "pending".into()
    } else if r.request_sent && r.js_result != JsResult::NetworkError {
        "sent".into()
    } else {
        "network error: TypeError".into()
    }
}

async fn run(s: &Session, url: &str) -> String {
    s.client
        .execute_async(FETCH, vec![json!(url)])
        .await
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| "script failed".into())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn local_network_access_in_chromium_matches_the_engine() {
    if !support::enabled("e2e_lna") {
        return;
    }
    let lab = crumbtrail_lab::start(crumbtrail_lab::LabConfig {
        app_port: 0,
        api_port: 0,
        ..Default::default()
    })
    .await
    .expect("start the lab");
    let (app, api) = (lab.ports.app, lab.ports.api);
    let page_origin = format!("http://127.0.0.1:{app}");
    let page = format!("{page_origin}/__lab/blank");
    let target = format!("http://localhost:{api}/ping");
    let mut rows = vec![];

    // The control: without the override the page is on loopback.
    let s = Session::start_with(Browser::Chromium, |_| {}).await;
    s.client.goto(&page).await.expect("open the lab page");
    rows.push(("page on loopback", run(&s, &target).await, simulated(None)));
    s.close().await;

    // A prompt that no one answers: headless Chromium 156 fails the request at
    // once, as if the user blocked it (an interactive Chrome holds it while
    // the prompt is open, which the engine's `ask` describes; its text says
    // automated browsers fail).
    for (label, setting, permission) in [
        ("not answered", None, PermissionState::Denied),
        ("granted", Some("granted"), PermissionState::Granted),
        ("denied", Some("denied"), PermissionState::Denied),
    ] {
        let overrides = format!("--ip-address-space-overrides=127.0.0.1:{app}=public");
        let s = Session::start_with(Browser::Chromium, |caps| {
            if let Some(args) = caps
                .get_mut("goog:chromeOptions")
                .and_then(|o| o.get_mut("args"))
                .and_then(Value::as_array_mut)
            {
                args.push(json!(overrides));
            }
        })
        .await;
        s.client.goto(&page).await.expect("open the lab page");
        if let Some(setting) = setting {
            let set = s
                .client
                .issue_cmd(Cdp(
                    "Browser.setPermission",
                    json!({
                        "permission": { "name": "loopback-network" },
                        "setting": setting,
                        "origin": page_origin,
                    }),
                ))
                .await;
            assert!(set.is_ok(), "Browser.setPermission: {set:?}");
        }
        rows.push((label, run(&s, &target).await, simulated(Some(permission))));
        s.close().await;
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    let agree = rows.iter().filter(|(_, real, sim)| real == sim).count();
    for (label, real, sim) in &rows {
        println!("lna {label:<16} chromium: {real:<28} engine: {sim}");
    }
    println!(
        "Local Network Access: {agree}/{} agree in Chromium",
        rows.len()
    );
    assert_eq!(agree, rows.len(), "{rows:#?}");
}
