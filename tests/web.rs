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

#[path = "../engine/tests/worst_cases/mod.rs"]
mod worst_cases;

/// Mounts the app on `?query` (restoring the test page's address after).
async fn mount_at(query: &str) -> (HtmlElement, impl Drop) {
    let history = web_sys::window().unwrap().history().unwrap();
    let before = web_sys::window().unwrap().location().href().unwrap();
    history
        .replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&format!("?{query}")))
        .unwrap();
    let root = test_root();
    let handle = leptos::mount::mount_to(root.clone(), crumbtrail_app::ui::App);
    until_complete(&root).await;
    history
        .replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&before))
        .unwrap();
    (root, handle)
}

fn count(root: &HtmlElement, selector: &str) -> u32 {
    root.query_selector_all(selector).unwrap().length()
}

/// A response with 250 cookies: the jar shows the first 25 and a button
/// for the rest, and the diagram's arrow counts them.
#[wasm_bindgen_test]
async fn a_jar_of_hundreds_of_cookies_shows_its_first_rows() {
    let (root, _handle) = mount_at(&worst_cases::set_cookies(250)).await;
    let full = ".jar-after[data-jar-size='250']";
    assert_eq!(count(&root, &format!("{full} tbody tr")), 25);
    let button: HtmlElement = root
        .query_selector(&format!("{full} button.show-more"))
        .unwrap()
        .expect("a Show all button")
        .unchecked_into();
    assert!(
        button
            .text_content()
            .unwrap_or_default()
            .contains("Show all 250 cookies"),
        "{:?}",
        button.text_content()
    );
    button.click();
    leptos::task::tick().await;
    sleep(50).await;
    assert_eq!(count(&root, &format!("{full} tbody tr")), 250);
    let text = root.text_content().unwrap_or_default();
    assert!(
        text.contains("Set-Cookie: 250 cookies, ✓ 250 stored"),
        "the arrow counts them"
    );
    // The request's pill names six and counts the rest; its data keeps all.
    assert!(
        text.contains("cookies stored: c0, c1, c2, c3, c4, c5 and 244 more"),
        "the pill counts them"
    );
    let stored = root
        .query_selector(".outcome[data-request-index='1']")
        .unwrap()
        .expect("request 2's outcome")
        .get_attribute("data-cookies-stored")
        .unwrap_or_default();
    assert_eq!(stored.split(',').count(), 250, "{stored}");
}

/// Twenty requests redirected twenty times: each request's chain is drawn
/// with its first and last exchanges and one line for the rest.
#[wasm_bindgen_test]
async fn a_long_redirect_chain_is_drawn_short() {
    let (root, _handle) = mount_at(&worst_cases::redirects()).await;
    // 19 of the 20 requests follow the whole chain (the first is refused).
    let gaps = count(&root, "[data-gap]");
    assert!(gaps >= 19, "{gaps} gaps");
    assert!(
        count(&root, "[data-message]") <= 20 * 12,
        "the drawing stays short"
    );
}

/// A link to a server whose model is not loaded yet: the page fetches it and
/// the verdict is the server's answer, not "still loading".
#[wasm_bindgen_test]
async fn a_link_to_another_server_loads_its_model() {
    let (root, _handle) = mount_at("v=1&server=laravel").await;
    let headline = root
        .query_selector("[data-headline]")
        .unwrap()
        .expect("the headline")
        .text_content()
        .unwrap_or_default();
    assert!(!headline.contains("still loading"), "{headline}");
    assert!(!headline.starts_with("Incomplete"), "{headline}");
}
