//! The server: a selector listing every stack, and that stack's editor.
//! Adding a stack adds its editor module, its re-export in `editors/mod.rs`
//! and one arm (with its `split_point!`) in `crate::ui::deferred::editor`:
//! each stack's editor is a chunk of its own in the release build.

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
    let switch_now = move |to: ServerKind| {
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
    let switch = move |to: ServerKind| {
        if to == kind.get_untracked() {
            return;
        }
        // The new server's model first (a chunk of its own in the release
        // build), so the verdict goes straight to the new server's answer;
        // if it cannot be downloaded, the verdict says so and offers to try
        // again.
        leptos::task::spawn_local(async move {
            let _ = crate::ui::models::ensure(to).await;
            switch_now(to);
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

/// The editor of the stack in the link, built with the settings (see
/// `crate::ui::deferred`): shown at once; another stack's editor loads when
/// it is picked.
#[derive(Clone, Copy)]
struct FirstEditor(StoredValue<Option<(ServerKind, AnyView)>, LocalStorage>);

pub(crate) fn keep_first_editor(kind: ServerKind, view: AnyView) {
    match use_context::<FirstEditor>() {
        Some(first) => first.0.set_value(Some((kind, view))),
        None => provide_context(FirstEditor(StoredValue::new_local(Some((kind, view))))),
    }
}

/// The editor of one stack.
#[component]
fn StackEditor(kind: ServerKind) -> impl IntoView {
    let first = use_context::<FirstEditor>().and_then(|f| {
        f.0.try_update_value(|kept| match kept.take() {
            Some((k, v)) if k == kind => Some(v),
            other => {
                *kept = other;
                None
            }
        })
        .flatten()
    });
    match first {
        Some(view) => view,
        None => view! { <crate::ui::deferred::DeferredInside part=crate::ui::deferred::Part::Editor(kind)/> }.into_any(),
    }
}
