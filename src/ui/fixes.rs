//! The engine's suggested fixes (each with an "Apply" button) and the
//! settings as code to paste back: `cors.rb`, the session store, the client call.

use crumbtrail_engine::codegen;
use crumbtrail_engine::fixes::{architectural_advice, search_fixes_from, Fix, SearchBudget};
use crumbtrail_engine::scenario::ServerSetup;
use leptos::prelude::*;

use super::{ctx, glue};

#[component]
pub fn Fixes() -> impl IntoView {
    let ctx = ctx();
    // The search reuses the page's trace of the scenario, and stops at its
    // budget (with a note saying so) however large the scenario is.
    let search = Memo::new(move |_| {
        ctx.scenario.with(|s| {
            ctx.trace
                .with(|t| search_fixes_from(s, t, &SearchBudget::default()))
        })
    });
    let fixes = Memo::new(move |_| search.with(|f| f.fixes.clone()));
    let note = Memo::new(move |_| search.with(|f| f.report.note()));
    let advice = Memo::new(move |_| ctx.scenario.with(architectural_advice));
    let list = move || {
        fixes
            .get()
            .into_iter()
            .enumerate()
            .map(|(i, f)| fix_view(i, f))
            .collect_view()
    };
    view! {
        <section class="panel fixes" aria-labelledby="fixes-heading" data-fix-count=move || fixes.with(Vec::len)>
            <h2 id="fixes-heading">"Fixes"</h2>
            <Show when=move || fixes.with(Vec::is_empty)>
                <p class="muted">"No settings change to suggest: either it already works, or see the notes below."</p>
            </Show>
            <ol class="fix-list">{list}</ol>
            <Show when=move || note.with(Option::is_some)>
                <p class="muted search-note" data-search-stopped="true">{move || note.get().unwrap_or_default()}</p>
            </Show>
            <Show when=move || advice.with(|a| !a.is_empty())>
                <h3>"About this setup"</h3>
                <ul class="advice">
                    {move || advice.get().into_iter().map(|a| view! { <li>{a}</li> }).collect_view()}
                </ul>
            </Show>
        </section>
    }
}

fn fix_view(i: usize, f: Fix) -> impl IntoView {
    let ctx = ctx();
    let scenario = StoredValue::new(f.scenario.clone());
    let changes = f
        .changes
        .iter()
        .map(|c| {
            view! {
                <li><code>{c.field.clone()}</code>": "<del>{c.from.clone()}</del>" → "<ins>{c.to.clone()}</ins></li>
            }
        })
        .collect_view();
    view! {
        <li class="fix" data-fix-index=i>
            <p class="fix-title"><strong>{f.title.clone()}</strong></p>
            <p>{f.reason.clone()}</p>
            <ul class="changes">{changes}</ul>
            <button type="button" class="apply" data-apply-fix=i on:click=move |_| ctx.scenario.set(scenario.get_value())>
                "Apply this fix"
            </button>
        </li>
    }
}

/// A code block with a copy button.
#[component]
fn CodeBlock(title: String, #[prop(into)] code: Signal<String>) -> impl IntoView {
    let (status, set_status) = signal(String::new());
    let copy = move |_| {
        glue::copy(&code.get_untracked(), move |ok| {
            set_status.set(if ok { "Copied." } else { "Could not copy." }.into())
        })
    };
    let label = format!("Copy {title}");
    view! {
        <div class="code-block">
            <div class="panel-head">
                <h3>{title.clone()}</h3>
                <button type="button" on:click=copy aria-label=label>"Copy"</button>
                <span class="status" role="status" aria-live="polite">{move || status.get()}</span>
            </div>
            <pre><code>{move || code.get()}</code></pre>
        </div>
    }
}

#[component]
pub fn GeneratedCode() -> impl IntoView {
    let ctx = ctx();
    let rails = Memo::new(move |_| {
        ctx.scenario.with(|s| match &s.server {
            ServerSetup::Rails(a) => Some((codegen::cors_rb(a), codegen::session_store_rb(a))),
            ServerSetup::Raw(_) => None,
        })
    });
    let count = Memo::new(move |_| ctx.scenario.with(|s| s.requests.len()));
    view! {
        <section class="panel code" aria-labelledby="code-heading">
            <h2 id="code-heading">"As code"</h2>
            <Show when=move || rails.with(Option::is_some)>
                <CodeBlock title="config/initializers/cors.rb".into()
                    code=Signal::derive(move || rails.with(|r| r.as_ref().map(|r| r.0.clone()).unwrap_or_default()))/>
                <CodeBlock title="Session store".into()
                    code=Signal::derive(move || rails.with(|r| r.as_ref().map(|r| r.1.clone()).unwrap_or_default()))/>
            </Show>
            {move || (0..count.get()).map(|i| view! {
                <CodeBlock title=format!("Client code, request {}", i + 1)
                    code=Signal::derive(move || ctx.scenario.with(|s| if i < s.requests.len() { codegen::client_code(s, i) } else { String::new() }))/>
            }).collect_view()}
        </section>
    }
}
