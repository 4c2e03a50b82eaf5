//! The engine's suggested fixes (each with an "Apply" button) and the
//! settings as code to paste back: `cors.rb`, the session store, the client call.

use crumbtrail_engine::codegen;
use crumbtrail_engine::fixes::{architectural_advice, search_fixes_from, Fix, SearchBudget};
use leptos::prelude::*;

use super::{ctx, glue};

/// How long typing must pause before the fix search runs again.
const SEARCH_DEBOUNCE_MS: u32 = 120;

#[component]
pub fn Fixes() -> impl IntoView {
    let ctx = ctx();
    // The search runs after the verdict is painted and typing has paused; a
    // newer edit makes a pending search stale (the generation moved on). It
    // reuses the page's trace and stops at its budget, with a note saying so.
    let fixes = RwSignal::new(Vec::<Fix>::new());
    let note = RwSignal::new(None::<String>);
    let searching = RwSignal::new(true);
    let generation = StoredValue::new(0u64);
    Effect::new(move |_| {
        ctx.scenario.track();
        let current = generation.get_value().wrapping_add(1);
        generation.set_value(current);
        searching.set(true);
        glue::after_paint(SEARCH_DEBOUNCE_MS, move || {
            if generation.get_value() != current {
                return;
            }
            let found = ctx.scenario.with_untracked(|s| {
                ctx.trace
                    .with_untracked(|t| search_fixes_from(s, t, &SearchBudget::default()))
            });
            note.set(found.report.note());
            fixes.set(found.fixes);
            searching.set(false);
        });
    });
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
        <section class="panel fixes" aria-labelledby="fixes-heading" aria-busy=move || searching.get().to_string()
            data-fix-state=move || if searching.get() { "searching" } else { "done" }
            data-fix-count=move || fixes.with(Vec::len)>
            <h2 id="fixes-heading">"Fixes"</h2>
            <Show when=move || searching.get()>
                <p class="muted" data-fix-searching="">"Looking for the smallest change…"</p>
            </Show>
            <Show when=move || !searching.get() && fixes.with(Vec::is_empty)>
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

/// A code block with a copy button, and the settings the code leaves out.
#[component]
fn CodeBlock(
    title: String,
    #[prop(into)] code: Signal<String>,
    #[prop(optional, into)] left_out: Signal<Vec<String>>,
) -> impl IntoView {
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
            <Show when=move || left_out.with(|l| !l.is_empty())>
                <ul class="code-left-out">
                    {move || left_out.get().into_iter().map(|why| view! { <li>{why}</li> }).collect_view()}
                </ul>
            </Show>
        </div>
    }
}

#[component]
pub fn GeneratedCode() -> impl IntoView {
    let ctx = ctx();
    // The server stack's configuration files (none for raw headers).
    let files = Memo::new(move |_| {
        ctx.scenario.with(|s| {
            s.server
                .stack()
                .code()
                .into_iter()
                .map(|f| (f.title, f.generated.code.clone(), left_out(&f.generated)))
                .collect::<Vec<_>>()
        })
    });
    let count = Memo::new(move |_| ctx.scenario.with(|s| s.requests.len()));
    let titles = Memo::new(move |_| files.with(|f| f.iter().map(|p| p.0).collect::<Vec<_>>()));
    view! {
        <section class="panel code" aria-labelledby="code-heading">
            <h2 id="code-heading">"As code"</h2>
            {move || titles.get().into_iter().enumerate().map(|(i, title)| {
                let part = move || files.with(|f| f.get(i).cloned());
                view! {
                    <Show when=move || part().is_some_and(|(_, code, _)| !code.is_empty())>
                        <CodeBlock title=title.to_string()
                            code=Signal::derive(move || part().map(|p| p.1).unwrap_or_default())
                            left_out=Signal::derive(move || part().map(|p| p.2).unwrap_or_default())/>
                    </Show>
                }
            }).collect_view()}
            {move || (0..count.get()).map(|i| view! {
                <CodeBlock title=format!("Client code, request {}", i + 1)
                    code=Signal::derive(move || ctx.scenario.with(|s| if i < s.requests.len() { codegen::client_code(s, i) } else { String::new() }))/>
            }).collect_view()}
        </section>
    }
}

/// Why each setting missing from the generated code is missing.
fn left_out(g: &codegen::Generated) -> Vec<String> {
    g.left_out.iter().map(|l| l.why.clone()).collect()
}
