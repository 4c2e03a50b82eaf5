//! The engine's suggested fixes (each with an "Apply" button) and the
//! settings as code to paste back: `cors.rb`, the session store, the client call.

use crumbtrail_engine::codegen;
use crumbtrail_engine::fixes::code_diff::{code_changes, FileDiff, LineChange};
use crumbtrail_engine::fixes::{architectural_advice, Fix, FixSearchRun, SearchBudget};
use crumbtrail_engine::permalink::{self, View};
use crumbtrail_engine::Scenario;
use leptos::prelude::*;

use super::results::{reason_key, rich, WaitingFields};
use super::{ctx, glue, Ctx};

/// How long typing must pause before the fix search runs again.
const SEARCH_DEBOUNCE_MS: u32 = 120;
/// The longest the fix search holds the page at a time: it pauses after
/// the simulation that passes this, lets the browser handle what is
/// waiting (typing, a frame), and goes on unless the setup changed.
const SEARCH_SLICE_MS: f64 = 6.0;

/// The fix search's latest answer, shared by the answer under the verdict
/// and the full list of fixes.
#[derive(Clone, Copy)]
pub struct FixSearchState {
    pub fixes: RwSignal<Vec<Fix>>,
    /// The scenario the fixes were found for (their code diffs start from it).
    pub found_for: StoredValue<Scenario>,
    pub note: RwSignal<Option<String>>,
    pub searching: RwSignal<bool>,
    /// The search runs (see [`first_search`]).
    started: StoredValue<bool>,
    /// Counts the setups searched: a slice of an older search stops.
    generation: StoredValue<u64>,
    /// The page's owner: the search outlives the part that started it.
    owner: StoredValue<Option<Owner>>,
}

/// Searches the fixes of the setup on the screen now, then again after every
/// edit (once the verdict is painted and typing has paused; a newer edit
/// makes a pending search stale). The parts that show fixes call it when
/// they are built, so that the fix is there when the part is shown; the first
/// call does the work.
pub fn first_search() {
    let Some(state) = use_context::<FixSearchState>() else {
        return;
    };
    if state.started.get_value() {
        return;
    }
    state.started.set_value(true);
    let ctx = ctx();
    // The first search runs to its end at once: the part that shows the fix
    // is built with it, so nothing below moves when it arrives.
    search_now(ctx, state, Slices::No);
    let watch = move || {
        Effect::new(move |first: Option<()>| {
            ctx.scenario.track();
            if first.is_none() {
                // The setup on the screen was searched just now.
                return;
            }
            let current = state.generation.get_value().wrapping_add(1);
            state.generation.set_value(current);
            state.searching.set(true);
            glue::after_paint(SEARCH_DEBOUNCE_MS, move || {
                if state.generation.get_value() == current {
                    search_now(ctx, state, Slices::Yes);
                }
            });
        });
    };
    match state.owner.get_value() {
        Some(owner) => owner.with(watch),
        None => watch(),
    }
}

/// Whether a search pauses between slices (after an edit) or runs to its end.
#[derive(Clone, Copy, PartialEq)]
enum Slices {
    Yes,
    No,
}

/// Starts the search of the setup on the screen and runs its first slice
/// (or all of it).
fn search_now(ctx: Ctx, state: FixSearchState, slices: Slices) {
    let run = ctx.scenario.with_untracked(|s| {
        ctx.trace
            .with_untracked(|t| FixSearchRun::start(s, t, &SearchBudget::default()))
    });
    let scenario = ctx.scenario.get_untracked();
    let mine = state.generation.get_value();
    search_slice(state, mine, Box::new(run), scenario, slices);
}

/// Runs the search for up to [`SEARCH_SLICE_MS`], then queues the next slice
/// behind what the browser has waiting; drops it once the setup changed.
fn search_slice(
    state: FixSearchState,
    mine: u64,
    mut run: Box<FixSearchRun>,
    scenario: Scenario,
    slices: Slices,
) {
    if state.generation.try_get_value() != Some(mine) {
        return;
    }
    let until = glue::now_ms() + SEARCH_SLICE_MS;
    if !run.advance(&mut || slices == Slices::No || glue::now_ms() < until) {
        glue::after_waiting_tasks(move || search_slice(state, mine, run, scenario, slices));
        return;
    }
    let found = run.finish();
    state.found_for.set_value(scenario);
    state.note.set(found.report.note());
    state.fixes.set(found.fixes);
    state.searching.set(false);
}

/// Applied fixes and presets as browser history entries: each pushes one,
/// Undo (or Back) goes to the previous one; `announce` is read out.
#[derive(Clone, Copy)]
pub struct Changes {
    /// How many entries the app pushed before the current one.
    pub depth: RwSignal<u32>,
    pub announce: RwSignal<String>,
    /// Undo was clicked: move focus once the previous setup is back.
    undoing: StoredValue<bool>,
}

/// Provides the fix search's state (empty until a part that shows fixes
/// starts the search, see [`first_search`]) and listens to Back and Forward.
/// Called once by the page.
pub fn provide(ctx: Ctx) {
    let state = FixSearchState {
        fixes: RwSignal::new(Vec::new()),
        found_for: StoredValue::new(Scenario::default()),
        note: RwSignal::new(None),
        searching: RwSignal::new(true),
        started: StoredValue::new(false),
        generation: StoredValue::new(0),
        owner: StoredValue::new(Owner::current()),
    };
    provide_context(state);

    let changes = Changes {
        depth: RwSignal::new(glue::history_depth()),
        announce: RwSignal::new(String::new()),
        undoing: StoredValue::new(false),
    };
    glue::popstate(move |search| {
        let decoded = permalink::decode(&search);
        ctx.scenario.set(decoded.scenario);
        changes.depth.set(glue::history_depth());
        changes.announce.set("Back to the previous setup.".into());
        if changes.undoing.get_value() {
            changes.undoing.set_value(false);
            glue::focus_id("verdict");
        }
    });
    provide_context(changes);
}

/// Replaces the setup with `next` as a new history entry and announces it.
pub fn apply_setup(next: Scenario, message: String) {
    let ctx = ctx();
    let changes = expect_context::<Changes>();
    let depth = changes.depth.get_untracked() + 1;
    glue::push_query(&permalink::encode(&next, &View::default()), depth);
    changes.depth.set(depth);
    ctx.scenario.set(next);
    changes.announce.set(message);
}

fn undo() {
    let changes = expect_context::<Changes>();
    changes.undoing.set_value(true);
    glue::history_back();
}

/// Directly under the verdict: why it fails, the best fix in the form's
/// words with the code lines it changes, Apply, and Undo.
#[component]
pub fn Answer() -> impl IntoView {
    let ctx = ctx();
    let st = expect_context::<FixSearchState>();
    let changes = expect_context::<Changes>();
    let causes = Memo::new(move |_| {
        ctx.trace.with(|t| {
            t.root_causes
                .iter()
                .map(|c| (c.request, reason_key(c.reason), c.summary.clone()))
                .collect::<Vec<_>>()
        })
    });
    let incomplete = Memo::new(move |_| ctx.trace.with(|t| t.incomplete()));
    // Every cause waits for the user's permission (Local Network Access).
    let user_choice = Memo::new(move |_| {
        ctx.trace.with(|t| {
            !t.root_causes.is_empty() && t.root_causes.iter().all(|c| c.reason.is_user_choice())
        })
    });
    // Every request works but a step warns (a setup that is unsafe rather
    // than broken): nothing to fix for the login, and the panel says so.
    let warning_only = Memo::new(move |_| {
        ctx.trace
            .with(|t| t.verdict == crumbtrail_engine::Verdict::Warning && t.root_causes.is_empty())
    });
    let best = Memo::new(move |_| {
        if st.searching.get() {
            None
        } else {
            st.fixes.with(|f| f.first().cloned())
        }
    });
    let more = Memo::new(move |_| st.fixes.with(Vec::len).saturating_sub(1));
    let shown = move || {
        !incomplete.get()
            && (causes.with(|c| !c.is_empty()) || best.with(Option::is_some) || warning_only.get())
    };
    let fix = move || {
        best.get().map(|f| {
            let diff = st.found_for.with_value(|s| code_changes(s, &f.scenario));
            best_fix_view(f, diff, more.get())
        })
    };
    view! {
        <section id="answer" class="panel answer" aria-labelledby="answer-heading"
            hidden=move || !shown() && changes.depth.get() == 0
            data-fix-state=move || if st.searching.get() { "searching" } else { "done" }>
            <h2 id="answer-heading" class="visually-hidden">"Why, and the fix"</h2>
            <Show when=move || !incomplete.get() && causes.with(|c| !c.is_empty())>
                <div class="why">
                    <h3>"Why"</h3>
                    <ol>
                        {move || causes.get().into_iter().map(|(req, reason, summary)| view! {
                            <li data-reason=reason>
                                {req.map(|i| view! { <span class="req-tag">"Request " {i + 1}": "</span> })}
                                {rich(&summary)}
                            </li>
                        }).collect_view()}
                    </ol>
                </div>
            </Show>
            <Show when=move || !incomplete.get() && st.searching.get() && causes.with(|c| !c.is_empty())>
                <p class="muted" data-best-searching="">"Looking for the smallest change…"</p>
            </Show>
            <Show when=move || !incomplete.get() && !st.searching.get() && best.with(Option::is_none) && causes.with(|c| !c.is_empty()) && !user_choice.get()>
                <p class="muted" data-no-best="">"No change of settings makes every request work: see “About this setup” below."</p>
            </Show>
            <Show when=move || !incomplete.get() && !st.searching.get() && best.with(Option::is_none) && user_choice.get()>
                <p class="muted" data-no-best="" data-user-choice="">"No server or client setting changes this: the browser asks the user, and only the user's answer does. "
                    {move || ctx.trace.with(|t| t.steps.iter().find(|s| s.reason.is_user_choice()).map(|s| rich(&s.title)))}"."</p>
            </Show>
            <Show when=move || !incomplete.get() && !st.searching.get() && best.with(Option::is_none) && warning_only.get()>
                <p class="muted" data-no-best="">{move || {
                    // A prompt the user answers comes first: it is what the login waits for.
                    let (prompt, title) = ctx.trace.with(|t| {
                        let warnings = || t.steps.iter().filter(|s| s.verdict == crumbtrail_engine::Verdict::Warning);
                        match warnings().find(|s| s.reason.is_user_choice()) {
                            Some(s) => (true, s.title.clone()),
                            None => (false, warnings().next().map(|s| s.title.clone()).unwrap_or_default()),
                        }
                    });
                    if prompt {
                        view! { "Every request works once the user says yes to the browser's prompt, and no setting can answer it for them. The step below says what they see: “" {rich(&title)} "”." }.into_any()
                    } else {
                        view! { "Every request works, so no setting has to change for the login. Read the warning in the steps below before you rely on it: " {rich(&title)} "." }.into_any()
                    }
                }}</p>
            </Show>
            {fix}
            <div class="change-row">
                <button type="button" id="undo-fix" class="undo" hidden=move || changes.depth.get() == 0
                    on:click=move |_| undo()>"↶ Undo"</button>
                <p class="announce" role="status" aria-live="polite" data-announce="">{move || changes.announce.get()}</p>
            </div>
        </section>
    }
}

fn best_fix_view(f: Fix, diff: Vec<FileDiff>, more: usize) -> impl IntoView {
    let title = f.title.clone();
    let scenario = StoredValue::new(f.scenario.clone());
    let apply = move |_| {
        apply_setup(
            scenario.get_value(),
            format!("Applied: {title}. Undo brings the previous setup back."),
        );
        glue::focus_id("undo-fix");
    };
    let files = diff
        .into_iter()
        .map(|d| {
            let lines = d
                .lines
                .into_iter()
                .map(|l| {
                    let (class, mark) = match l.change {
                        LineChange::Removed => ("del", "- "),
                        LineChange::Added => ("ins", "+ "),
                        LineChange::Context => ("ctx", "  "),
                    };
                    view! { <span class=format!("line {class}")><span aria-hidden="true">{mark}</span>{l.text}"\n"</span> }
                })
                .collect_view();
            view! {
                <div class="diff-file">
                    <p class="diff-name">{d.file}</p>
                    // Scrolls when a line is long: focusable, so the keyboard can scroll it.
                    <pre tabindex="0"><code>{lines}</code></pre>
                </div>
            }
        })
        .collect_view();
    view! {
        <div class="best-fix" data-best-fix="">
            <div class="best-text">
                <h3>"Fix: " {rich(&f.title)}</h3>
                // Apply right under the fix's title, so it is on the first screen of a
                // phone even when the fix changes several settings.
                <div class="apply-row">
                    <button type="button" id="apply-best" class="apply" data-apply-best="" on:click=apply>"Apply this fix"</button>
                    {(more > 0).then(|| view! {
                        <a href="#fixes-heading" class="more-fixes">{match more { 1 => "1 other fix".to_string(), n => format!("{n} other fixes") }}" below"</a>
                    })}
                </div>
                <ul class="changes">{changes_view(&f)}</ul>
                <p class="fix-reason">{rich(&f.reason)}</p>
            </div>
            <div class="code-lines" aria-label="The code lines this fix changes">{files}</div>
        </div>
    }
}

/// A fix's changes as the form labels its fields, with the values as code.
fn changes_view(f: &Fix) -> impl IntoView {
    f.changes
        .iter()
        .map(|c| {
            view! {
                <li data-change-field=c.field.clone()>
                    <span class="change-label">{c.label.clone()}</span>": "
                    <del><code>{c.from.clone()}</code></del>" → "<ins><code>{c.to.clone()}</code></ins>
                </li>
            }
        })
        .collect_view()
}

#[component]
pub fn Fixes() -> impl IntoView {
    let ctx = ctx();
    let st = expect_context::<FixSearchState>();
    let (fixes, note, searching) = (st.fixes, st.note, st.searching);
    let advice = Memo::new(move |_| ctx.scenario.with(architectural_advice));
    let incomplete = Memo::new(move |_| ctx.trace.with(|t| t.incomplete()));
    let list = move || {
        if searching.get() {
            return Vec::new();
        }
        fixes
            .get()
            .into_iter()
            .enumerate()
            .map(|(i, f)| fix_view(i, f))
            .collect::<Vec<_>>()
    };
    view! {
        <section class="panel fixes" aria-labelledby="fixes-heading" aria-busy=move || searching.get().to_string()
            data-fix-state=move || if searching.get() { "searching" } else { "done" }
            data-fix-count=move || fixes.with(Vec::len)>
            <h2 id="fixes-heading">"Fixes"</h2>
            <Show when=move || searching.get() && !incomplete.get()>
                <p class="muted" data-fix-searching="">"Looking for the smallest change…"</p>
            </Show>
            <Show when=move || !searching.get() && fixes.with(Vec::is_empty) && !incomplete.get()>
                <p class="muted">"No settings change to suggest: either it already works, or see the notes below."</p>
            </Show>
            <Show when=move || incomplete.get()>
                <WaitingFields lead="No fix to search for yet." />
            </Show>
            <ol class="fix-list">{list}</ol>
            <Show when=move || note.with(Option::is_some)>
                <p class="muted search-note" data-search-stopped="true">{move || note.get().unwrap_or_default()}</p>
            </Show>
            <Show when=move || advice.with(|a| !a.is_empty())>
                <h3>"About this setup"</h3>
                <ul class="advice">
                    {move || advice.get().into_iter().map(|a| view! { <li>{rich(&a)}</li> }).collect_view()}
                </ul>
            </Show>
            <ProxyTry/>
        </section>
    }
}

/// The proxy alternative, simulated: whether the login works with the API
/// behind the dev server's proxy, and a button that sets it up.
#[component]
fn ProxyTry() -> impl IntoView {
    let ctx = ctx();
    // Computed only when the search is not running (two simulations).
    let tried = Memo::new(move |_| {
        ctx.scenario
            .with(crumbtrail_engine::fixes::proxy_it::proxy_alternative)
    });
    move || {
        tried.get().map(|t| {
            let works = t.works;
            let title = t.fix.title.clone();
            let scenario = StoredValue::new(t.fix.scenario.clone());
            let apply = move |_| {
                apply_setup(
                    scenario.get_value(),
                    format!("Applied: {title}. Undo brings the previous setup back."),
                );
                glue::focus_id("undo-fix");
            };
            view! {
                <div class="proxy-try" data-proxy-works=works.to_string()>
                    <h3>"Or change the architecture: a dev-server proxy"</h3>
                    <p>{rich(&t.fix.reason)}" "
                        {if works {
                            "Simulated: with it, every request is readable and the session cookie is stored and sent."
                        } else {
                            "Simulated: it does not make this setup work on its own; apply it to see why."
                        }}
                    </p>
                    <ul class="changes">{changes_view(&t.fix)}</ul>
                    <button type="button" class="secondary" data-proxy-apply="" on:click=apply>
                        "Try it: proxy the API"
                    </button>
                </div>
            }
        })
    }
}

fn fix_view(i: usize, f: Fix) -> impl IntoView {
    let scenario = StoredValue::new(f.scenario.clone());
    let title = f.title.clone();
    let apply = move |_| {
        apply_setup(
            scenario.get_value(),
            format!("Applied: {title}. Undo brings the previous setup back."),
        );
        glue::focus_id("undo-fix");
    };
    view! {
        <li class="fix" data-fix-index=i>
            <p class="fix-title"><strong>{rich(&f.title)}</strong></p>
            <p>{rich(&f.reason)}</p>
            <ul class="changes">{changes_view(&f)}</ul>
            <button type="button" class="apply" data-apply-fix=i on:click=apply>
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
            <pre tabindex="0"><code>{move || code.get()}</code></pre>
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
    // The server stack's configuration files (none for raw headers), and the proxy's.
    // Generated again only when the server or the proxy changes, not on
    // every edit of a request.
    let setup = Memo::new(move |_| ctx.scenario.with(|s| (s.server.clone(), s.proxy.clone())));
    let files = Memo::new(move |_| {
        setup.with(|(server, proxy)| {
            server
                .stack()
                .code()
                .into_iter()
                .chain(proxy.as_ref().map(|p| p.code()))
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
