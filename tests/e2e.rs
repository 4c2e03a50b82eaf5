//! End-to-end: the release build in `dist/` starts in real headless Chromium and Firefox ESR
//! and renders what the engine computes. Needs `CRUMBTRAIL_E2E` (see tests/support).
#![cfg(not(target_arch = "wasm32"))]

mod support;

use std::path::Path;

use crumbtrail_engine::ProfileId;
use support::{Browser, E2e};

/// Loads the app at `mount`, waits for wasm to start and checks the rendered page.
async fn renders_the_app(browser: Browser, dist: &Path, mount: &str) {
    let e2e = E2e::start(browser, dist, mount).await;
    e2e.open("").await;
    e2e.wait_ready().await;

    assert_eq!(e2e.text("h1").await, "Crumbtrail");
    assert!(e2e.text(".tagline").await.contains("session cookie"));
    let profiles = e2e.texts("[data-profile]").await;
    let expected: Vec<String> = ProfileId::ALL
        .iter()
        .map(|id| id.profile().name.to_string())
        .collect();
    assert_eq!(profiles, expected, "{browser:?}: engine profiles rendered");

    e2e.assert_no_errors().await;
    e2e.close().await;
}

#[tokio::test]
async fn chromium_renders_the_app() {
    if support::enabled("chromium_renders_the_app") {
        renders_the_app(Browser::Chromium, &support::dist(), "/").await;
    }
}

#[tokio::test]
async fn firefox_renders_the_app() {
    if support::enabled("firefox_renders_the_app") {
        renders_the_app(Browser::Firefox, &support::dist(), "/").await;
    }
}

#[tokio::test]
async fn webkitgtk_renders_the_app() {
    if support::enabled("webkitgtk_renders_the_app") {
        renders_the_app(Browser::WebKitGtk, &support::dist(), "/").await;
    }
}

/// `trunk build --release --public-url /crumbtrail/` works on a static host under a sub-path
/// (the server answers nothing outside `/crumbtrail/`).
#[tokio::test]
async fn chromium_renders_the_app_under_a_sub_path() {
    if support::enabled("chromium_renders_the_app_under_a_sub_path") {
        renders_the_app(Browser::Chromium, &support::dist_subpath(), "/crumbtrail/").await;
    }
}

#[tokio::test]
async fn firefox_renders_the_app_under_a_sub_path() {
    if support::enabled("firefox_renders_the_app_under_a_sub_path") {
        renders_the_app(Browser::Firefox, &support::dist_subpath(), "/crumbtrail/").await;
    }
}

#[tokio::test]
async fn webkitgtk_renders_the_app_under_a_sub_path() {
    if support::enabled("webkitgtk_renders_the_app_under_a_sub_path") {
        renders_the_app(Browser::WebKitGtk, &support::dist_subpath(), "/crumbtrail/").await;
    }
}
