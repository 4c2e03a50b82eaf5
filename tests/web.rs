//! In-browser tests: mount the app into a test `<div>` and read what it renders.
//! Run with `CHROMEDRIVER=<path to chromedriver> cargo test --target wasm32-unknown-unknown`.
#![cfg(target_arch = "wasm32")]

use crumbtrail_engine::ProfileId;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::HtmlElement;

wasm_bindgen_test_configure!(run_in_browser);

/// A fresh `<div>` attached to the test page's body.
fn test_root() -> HtmlElement {
    let document = web_sys::window().unwrap().document().unwrap();
    let div: HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&div).unwrap();
    div
}

#[wasm_bindgen_test]
async fn renders_title_and_every_engine_profile() {
    let root = test_root();
    let _handle = leptos::mount::mount_to(root.clone(), crumbtrail_app::ui::App);

    let text = root.text_content().unwrap_or_default();
    assert!(text.contains("Crumbtrail"), "rendered: {text}");
    for id in ProfileId::ALL {
        let name = id.profile().name;
        assert!(text.contains(name), "profile {name:?} missing from: {text}");
        let selector = format!("[data-profile='{}']", id.key());
        assert!(
            root.query_selector(&selector).unwrap().is_some(),
            "{selector}"
        );
    }
}

#[wasm_bindgen_test]
async fn marks_itself_ready_after_mount() {
    let root = test_root();
    let _handle = leptos::mount::mount_to(root.clone(), crumbtrail_app::ui::App);

    // The readiness effect runs on the next tick of the task queue.
    leptos::task::tick().await;
    let main = root.query_selector("main#app").unwrap().expect("main#app");
    assert_eq!(main.get_attribute("data-ready").as_deref(), Some("true"));
}
