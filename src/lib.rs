//! Crumbtrail's web app: a Leptos (client-side rendered) page on top of the engine.
//!
//! `mount()` is what the wasm binary calls; the page itself lives in [`ui`].

pub mod live;
pub mod ui;

/// Mounts the app into `<body>` and keeps it there for the page's lifetime,
/// once the server model the link needs has arrived (see [`ui::models`]), so
/// that the first verdict is the link's answer.
///
/// Panics are printed to the browser console (the end-to-end tests watch it).
pub fn mount() {
    console_error_panic_hook::set_once();
    let decoded = crumbtrail_engine::permalink::decode(&ui::location_search());
    let kind = decoded.scenario.server.kind();
    // Leptos' executor starts with the mount: this future runs on the browser's own.
    wasm_bindgen_futures::spawn_local(async move {
        // A model that cannot be downloaded still gets the page, whose
        // verdict says so and offers to try again.
        let _ = ui::models::ensure(kind).await;
        ui::keep_decoded(decoded);
        leptos::mount::mount_to_body(ui::App);
    });
}
