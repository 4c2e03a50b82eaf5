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

/// Waits `ms` milliseconds.
async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |done, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&done, ms)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

/// Waits until every part of the page is shown (`data-complete`, src/ui/deferred.rs).
async fn until_complete(root: &HtmlElement) {
    for _ in 0..500 {
        let complete = root
            .query_selector("main#app[data-complete='true']")
            .unwrap()
            .is_some();
        if complete {
            return;
        }
        sleep(10).await;
    }
    panic!("the page's parts did not all arrive");
}

#[wasm_bindgen_test]
async fn renders_title_and_every_engine_profile() {
    let root = test_root();
    let _handle = leptos::mount::mount_to(root.clone(), crumbtrail_app::ui::App);
    until_complete(&root).await;

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

#[wasm_bindgen_test]
async fn shows_the_verdict_before_the_other_parts() {
    let root = test_root();
    let _handle = leptos::mount::mount_to(root.clone(), crumbtrail_app::ui::App);

    // Mounted: the verdict is there, the deferred parts are empty slots (the
    // outcomes too: they are shown with the answer, under it).
    assert!(root.query_selector("[data-verdict]").unwrap().is_some());
    assert!(root.query_selector(".outcome-list").unwrap().is_none());
    assert!(root.query_selector("[data-profile]").unwrap().is_none());
    let waiting = root.inner_html().matches("data-loaded=\"false\"").count();
    assert!(waiting >= 10, "{waiting} parts waiting");
    until_complete(&root).await;
    assert!(root.query_selector("[data-profile]").unwrap().is_some());
    assert!(root.query_selector("#answer").unwrap().is_some());
    assert!(root.query_selector(".outcome-list").unwrap().is_some());
}
