//! The page. For now a placeholder that proves the engine runs in the browser;
//! the playground replaces it.

use crumbtrail_engine::ProfileId;
use leptos::prelude::*;

/// Root component. Sets `data-ready="true"` on `<main id="app">` once it is
/// mounted, so end-to-end tests can tell that the wasm started.
#[component]
pub fn App() -> impl IntoView {
    let (ready, set_ready) = signal(false);
    // Effects run after the view is mounted.
    Effect::new(move || set_ready.set(true));

    let profiles = ProfileId::ALL
        .iter()
        .map(|id| view! { <li data-profile=id.key()>{id.profile().name}</li> })
        .collect_view();

    view! {
        <main id="app" data-ready=move || if ready.get() { "true" } else { "false" }>
            <h1>"Crumbtrail"</h1>
            <p class="tagline">
                "See why your session cookie is (or is not) sent between your front end and your API: "
                "every CORS and cookie decision the browser makes, step by step."
            </p>
            <section aria-labelledby="profiles-heading">
                <h2 id="profiles-heading">"Browsers the engine models"</h2>
                <ul class="profiles">{profiles}</ul>
            </section>
        </main>
    }
}
