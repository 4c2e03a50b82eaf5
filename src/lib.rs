//! Crumbtrail's web app: a Leptos (client-side rendered) page on top of the engine.
//!
//! `mount()` is what the wasm binary calls; the page itself lives in [`ui`].

pub mod live;
pub mod ui;

/// Mounts the app into `<body>` and keeps it there for the page's lifetime.
///
/// Panics are printed to the browser console (the end-to-end tests watch it).
pub fn mount() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(ui::App);
}
