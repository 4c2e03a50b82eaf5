//! The examples gallery: every preset as a titled card with its one
//! sentence and its permalink (the menu in the toolbar stays for quick
//! switching). Opening a card is an ordinary link, so Back returns.

use crumbtrail_engine::permalink::{self, View};
use crumbtrail_engine::presets;
use leptos::prelude::*;

use super::glue;

#[component]
pub fn Gallery() -> impl IntoView {
    let base = glue::page_base();
    let cards = presets::all()
        .into_iter()
        .map(|p| {
            let href = format!(
                "{base}?{}",
                permalink::encode(&p.scenario, &View::default())
            );
            view! {
                <li class="card" data-gallery=p.id>
                    <h3><a href=href>{p.title}</a></h3>
                    <p>{p.summary}</p>
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="panel gallery" aria-labelledby="gallery-heading">
            <h2 id="gallery-heading">"Examples: the common failures"</h2>
            <ul class="cards">{cards}</ul>
        </section>
    }
}
