//! The server: a selector listing every stack, and that stack's editor.
//! Adding a stack adds its editor module and one line in [`StackEditor`].

use crumbtrail_engine::scenario::ServerSetup;
use crumbtrail_engine::server::stack::ServerKind;
use leptos::prelude::*;

use crate::ui::ctx;

#[component]
pub(super) fn ServerEditor() -> impl IntoView {
    let ctx = ctx();
    let s = ctx.scenario;
    // The other kinds' settings are kept while the user looks at one kind.
    let stash = StoredValue::new(Vec::<ServerSetup>::new());
    let kind = Memo::new(move |_| s.with(|s| s.server.kind()));
    let switch = move |to: ServerKind| {
        if to == kind.get_untracked() {
            return;
        }
        s.update(|s| {
            let next = stash
                .try_update_value(|kept| {
                    kept.iter()
                        .position(|k| k.kind() == to)
                        .map(|i| kept.remove(i))
                })
                .flatten()
                .unwrap_or_else(|| to.default_setup());
            let prev = std::mem::replace(&mut s.server, next);
            stash.update_value(|kept| kept.push(prev));
        });
    };
    view! {
        <div class="radios server-kind" role="radiogroup" aria-label="Server kind">
            {ServerKind::ALL.into_iter().map(|k| {
                let id = format!("server-{}", k.key());
                view! {
                    <div class="radio">
                        <input type="radio" name="server-kind" id=id.clone() prop:checked=move || kind.get() == k on:change=move |_| switch(k)/>
                        <label for=id>{k.label()}</label>
                    </div>
                }
            }).collect_view()}
        </div>
        {move || view! { <StackEditor kind=kind.get()/> }}
    }
}

/// The editor of one stack.
#[component]
fn StackEditor(kind: ServerKind) -> impl IntoView {
    match kind {
        ServerKind::Rails => view! { <super::rails::RailsEditor/> }.into_any(),
        ServerKind::Django => view! { <super::django::DjangoEditor/> }.into_any(),
        ServerKind::Express => view! { <super::express::ExpressEditor/> }.into_any(),
        ServerKind::Raw => view! { <super::raw::RawEditor/> }.into_any(),
        ServerKind::Laravel => view! { <super::laravel::LaravelEditor/> }.into_any(),
    }
}
