//! The hello-world page `./dev bench` compares the app against: one Leptos component with a
//! verdict, mounted the way the app mounts, marking `<main>` ready once it is in the page.

use leptos::prelude::*;

#[component]
fn Hello() -> impl IntoView {
    let (ready, set_ready) = signal(false);
    // Effects run after the view is mounted (as in the app).
    Effect::new(move |_| set_ready.set(true));
    view! {
        <main id="app" data-ready=move || if ready.get() { "true" } else { "false" }>
            <p data-verdict="ok" data-headline="">"Hello, world."</p>
        </main>
    }
}

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(Hello);
}
