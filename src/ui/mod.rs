//! The playground page.
//!
//! One `Scenario` signal holds everything the user edits; the engine's
//! `Trace` is a memo of it, re-simulated on every edit. Components only read
//! these two (and the engine's presets, fixes and generated code): every
//! decision and every verdict sentence comes from the engine.

mod comparison;
pub mod deferred;
mod diagram;
mod editors;
mod fixes;
mod gallery;
mod glue;
mod import_panel;
mod jar_editor;
mod live_panel;
pub mod models;
mod results;
mod split;

use crumbtrail_engine::permalink::{self, Theme, View};
use crumbtrail_engine::presets;
use crumbtrail_engine::trace::{FieldError, Trace};
use crumbtrail_engine::{simulate, Scenario};
use leptos::prelude::*;

use deferred::{Deferred, Part, Reveal};

/// What every component reads: the scenario being edited and its trace.
#[derive(Clone, Copy)]
pub struct Ctx {
    pub scenario: RwSignal<Scenario>,
    pub trace: Memo<Trace>,
    /// The same trace, one frame later: what the long panels below the
    /// first screen read (the diagram, the steps, the jar). An edit paints
    /// the new verdict and outcomes first; these follow after that paint,
    /// so the frame that shows the verdict does not wait for them.
    pub late_trace: Memo<Trace>,
    /// The trace's field errors alone: what every form field reads, so that
    /// an edit which leaves them as they were wakes none of the fields.
    pub field_errors: Memo<Vec<FieldError>>,
    /// Embed view: compact and read-only.
    pub embed: bool,
}

pub fn ctx() -> Ctx {
    expect_context::<Ctx>()
}

thread_local! {
    /// The link as `crate::mount` decoded it (to know which server model to
    /// load first), for [`App`] to take instead of decoding it again.
    static DECODED: std::cell::RefCell<Option<permalink::Decoded>> = const { std::cell::RefCell::new(None) };
}

/// Hands the decoded link to the [`App`] about to be mounted.
pub fn keep_decoded(decoded: permalink::Decoded) {
    DECODED.with(|d| *d.borrow_mut() = Some(decoded));
}

/// `trace`, caught up once the frame after each change is painted and the
/// tasks that frame queued have run (edits in the same frame catch up
/// together). The first value is the trace itself: the page is built whole.
/// The effect's first run catches up too, in case the trace changed before
/// it ran (an equal trace wakes nothing).
fn late(trace: Memo<Trace>) -> Memo<Trace> {
    let caught_up = RwSignal::new(0u32);
    let pending = StoredValue::new(false);
    Effect::new(move |_| {
        trace.track();
        if !pending.get_value() {
            pending.set_value(true);
            glue::after_frame_tasks(move || {
                pending.set_value(false);
                caught_up.update(|n| *n = n.wrapping_add(1));
            });
        }
    });
    Memo::new(move |_| {
        caught_up.track();
        trace.get_untracked()
    })
}

/// `location.search`.
pub fn location_search() -> String {
    glue::location_search()
}

/// Root component. Sets `data-ready="true"` on `<main id="app">` once it is
/// mounted, so end-to-end tests can tell that the wasm started.
#[component]
pub fn App() -> impl IntoView {
    let decoded = DECODED
        .with(|d| d.borrow_mut().take())
        .unwrap_or_else(|| permalink::decode(&glue::location_search()));
    let view_opts = decoded.view.clone();
    let scenario = RwSignal::new(decoded.scenario);
    models::provide(scenario);
    let trace = Memo::new(move |_| {
        // Again once a server model the last run found missing has arrived.
        models::track();
        scenario.with(simulate)
    });
    let field_errors = Memo::new(move |_| trace.with(|t| t.field_errors.clone()));
    let late_trace = late(trace);
    let ctx = Ctx {
        scenario,
        trace,
        late_trace,
        field_errors,
        embed: view_opts.embed,
    };
    provide_context(ctx);
    let imports = import_panel::ImportCtx::new();
    provide_context(imports);
    let notices = RwSignal::new(decoded.notices);
    if !ctx.embed {
        fixes::provide(ctx);
    }

    // The whole state lives in the URL: rewrite it after every edit, once
    // the frame that shows the edit's verdict is painted (`replaceState`
    // costs a few milliseconds a call; the keys of one frame share one).
    let url_view = StoredValue::new(view_opts.clone());
    let url_pending = StoredValue::new(false);
    Effect::new(move |_| {
        scenario.track();
        if url_pending.get_value() {
            return;
        }
        url_pending.set_value(true);
        glue::after_frame_tasks(move || {
            url_pending.set_value(false);
            let query =
                url_view.with_value(|v| scenario.with_untracked(|s| permalink::encode(s, v)));
            glue::replace_query(&query);
        });
    });

    let (ready, set_ready) = signal(false);
    // Effects run after the view is mounted.
    let theme = view_opts.theme;
    Effect::new(move |_| {
        glue::set_theme(theme.key());
        // The placeholder index.html shows until the app runs.
        glue::remove_id("loading");
        set_ready.set(true);
        if view_opts.embed {
            glue::report_height();
        }
    });
    let ready_attr = move || if ready.get() { "true" } else { "false" };
    // Every part of the page is shown (see `deferred`).
    let reveal = Reveal::provide();
    let complete = reveal.complete();
    let model_ready = move || {
        models::track();
        scenario.with(|s| models::is_ready(s.server.kind()))
    };
    let complete_attr = move || {
        if ready.get() && complete.get() && model_ready() {
            "true"
        } else {
            "false"
        }
    };

    if ctx.embed {
        let show_settings = decoded.view.show_settings;
        view! {
            <main id="app" class="embed" data-ready=ready_attr data-complete=complete_attr data-embed="true">
                <EmbedHeader/>
                <Notices notices/>
                <results::Verdict/>
                <results::Outcomes/>
                <Deferred part=Part::Diagram/>
                <Deferred part=Part::Steps/>
                {show_settings.then(|| view! { <Deferred part=Part::ReadonlySettings/> })}
            </main>
        }
        .into_any()
    } else {
        view! {
            <main id="app" data-ready=ready_attr data-complete=complete_attr
                on:dragover=import_panel::on_page_dragover on:drop=import_panel::on_page_drop>
                <header class="top">
                    <div class="brand">
                        <h1>"Crumbtrail"</h1>
                        <p class="tagline">
                            "Why isn't my session cookie sent between my front end and my API? "
                            "Every CORS and cookie decision the browser makes, step by step."
                        </p>
                    </div>
                    <Toolbar/>
                </header>
                <Notices notices/>
                <results::Verdict/>
                // First the verdict (in the first load), then the parts that load after
                // it, in page order (see `deferred`): the answer with its fix, then the
                // outcomes, which are in the first load but shown with the answer.
                <Deferred part=Part::Answer/>
                <Deferred part=Part::Requests/>
                // Below the answer: a stuck user's first screen is the verdict and its fix.
                <Deferred part=Part::Import/>
                <div class="layout">
                    <section class="settings" aria-labelledby="settings-heading">
                        <Deferred part=Part::Settings/>
                    </section>
                    <section class="results" aria-labelledby="results-heading">
                        <h2 id="results-heading" class="visually-hidden">"Results"</h2>
                        <Deferred part=Part::Diagram/>
                        <Deferred part=Part::Steps/>
                        <Deferred part=Part::Jar/>
                        <Deferred part=Part::Fixes/>
                        <Deferred part=Part::Code/>
                        <Deferred part=Part::Live/>
                    </section>
                </div>
                // The gallery and the footer.
                <Deferred part=Part::Gallery/>
            </main>
        }
        .into_any()
    }
}

/// Presets menu, "Copy link" and "Embed".
#[component]
fn Toolbar() -> impl IntoView {
    let ctx = ctx();
    let all = presets::all();
    let options = all
        .iter()
        .map(|p| view! { <option value=p.id data-preset=p.id>{p.title}</option> })
        .collect_view();
    let presets_for_change = StoredValue::new(all);
    let current = Memo::new(move |_| {
        ctx.scenario.with(|s| {
            presets_for_change.with_value(|all| {
                all.iter()
                    .find(|p| &p.scenario == s)
                    .map(|p| p.id)
                    .unwrap_or("")
            })
        })
    });
    let on_preset = move |ev| {
        let id = event_target_value(&ev);
        if let Some(p) =
            presets_for_change.with_value(|all| all.iter().find(|p| p.id == id).cloned())
        {
            fixes::apply_setup(p.scenario, format!("Preset: {}.", p.title));
        }
    };
    let summary = move || {
        let id = current.get();
        presets_for_change.with_value(|all| {
            all.iter()
                .find(|p| p.id == id)
                .map(|p| p.summary)
                .unwrap_or("")
        })
    };

    let link = move || {
        let q = ctx
            .scenario
            .with(|s| permalink::encode(s, &View::default()));
        format!("{}?{}", glue::page_base(), q)
    };
    let theme = RwSignal::new(Theme::Auto);
    let embed_link = move || {
        let view = View {
            embed: true,
            theme: theme.get(),
            ..View::default()
        };
        let q = ctx.scenario.with(|s| permalink::encode(s, &view));
        format!("{}?{}", glue::page_base(), q)
    };
    // One id per snippet, so two embeds on one page each get their height.
    let frame_id = StoredValue::new(format!("crumbtrail-{}", glue::random_id()));
    let (status, set_status) = signal(String::new());
    let copy_link = move |_| {
        glue::copy(&link(), move |ok| {
            set_status.set(if ok {
                "Link copied.".into()
            } else {
                "Could not copy: select the link and copy it.".into()
            })
        })
    };
    let (markdown, set_markdown) = signal(String::new());
    let (md_status, set_md_status) = signal(String::new());
    let copy_markdown = move |_| {
        let imports = use_context::<import_panel::ImportCtx>();
        let link = link();
        // The exporter is in a chunk of its own (`deferred::markdown`).
        leptos::task::spawn_local(async move {
            let Ok(text) = deferred::markdown(ctx, imports, link).await else {
                set_md_status.set(
                    "Could not download the Markdown exporter (the connection may have dropped): try again."
                        .into(),
                );
                return;
            };
            set_markdown.set(text.clone());
            glue::copy(&text, move |ok| {
                set_md_status.set(if ok {
                    "Markdown copied: paste it into an issue or a question.".into()
                } else {
                    "Could not copy: select the Markdown below and copy it.".into()
                })
            })
        });
    };
    let (show_embed, set_show_embed) = signal(false);
    let snippet = move || {
        let id = frame_id.get_value();
        format!(
            "<iframe id=\"{id}\" name=\"{id}\" src=\"{}\" title=\"Crumbtrail: why the session cookie is or is not sent\" style=\"width:100%;border:0\" height=\"640\" loading=\"lazy\"></iframe>\n<script>\naddEventListener(\"message\", (e) => {{\n  const f = document.getElementById(\"{id}\");\n  if (f && e.source === f.contentWindow && e.data && e.data.type === \"crumbtrail:height\" && e.data.frame === \"{id}\") f.height = e.data.height;\n}});\n</script>",
            embed_link().replace('&', "&amp;")
        )
    };
    let on_theme = move |ev| {
        theme.set(match event_target_value(&ev).as_str() {
            "light" => Theme::Light,
            "dark" => Theme::Dark,
            _ => Theme::Auto,
        })
    };
    let (snippet_status, set_snippet_status) = signal(String::new());
    let copy_snippet = move |_| {
        glue::copy(&snippet(), move |ok| {
            set_snippet_status.set(if ok {
                "Snippet copied.".into()
            } else {
                "Could not copy: select the snippet and copy it.".into()
            })
        })
    };

    view! {
        <div class="toolbar">
            <div class="field preset-field">
                <label for="preset">"Preset"</label>
                <select id="preset" on:change=on_preset prop:value=move || current.get() data-current-preset=move || current.get()>
                    <option value="" disabled>"— your own setup —"</option>
                    {options}
                </select>
                <p class="hint preset-summary">{summary}</p>
            </div>
            <div class="share">
                <label for="permalink" class="visually-hidden">"Link to this setup"</label>
                <input id="permalink" class="permalink" type="text" readonly prop:value=link data-permalink=link/>
                <button type="button" id="copy-link" on:click=copy_link>"Copy link"</button>
                <button type="button" id="embed-button" aria-expanded=move || show_embed.get().to_string()
                    aria-controls="embed-snippet" on:click=move |_| set_show_embed.update(|v| *v = !*v)>
                    "Embed"
                </button>
                <span class="status" role="status" aria-live="polite" data-copy-status=move || status.get()>{move || status.get()}</span>
                <button type="button" id="copy-markdown" on:click=copy_markdown
                    title="Setup, verdict, the failing step with its spec section, and the link: for a GitHub issue or a Stack Overflow question">
                    "Copy as Markdown"
                </button>
                <span class="status" role="status" aria-live="polite" data-markdown-status=move || md_status.get()>{move || md_status.get()}</span>
            </div>
            <div class="markdown-export" hidden=move || markdown.with(String::is_empty)>
                <label for="markdown-export">"Markdown for an issue or a question"</label>
                <textarea id="markdown-export" readonly rows="8" prop:value=move || markdown.get()></textarea>
            </div>
            <div id="embed-snippet" class="embed-snippet" hidden=move || !show_embed.get()>
                <label for="embed-code">"Paste this into your docs. The iframe reports its height with postMessage."</label>
                <div class="field embed-theme">
                    <label for="embed-theme">"Colours"</label>
                    <select id="embed-theme" on:change=on_theme>
                        <option value="auto">"The reader's preference (auto)"</option>
                        <option value="light">"Light"</option>
                        <option value="dark">"Dark"</option>
                    </select>
                </div>
                <textarea id="embed-code" readonly rows="8" prop:value=snippet></textarea>
                <button type="button" on:click=copy_snippet>"Copy snippet"</button>
                <span class="status" role="status" aria-live="polite">{move || snippet_status.get()}</span>
            </div>
        </div>
    }
}

/// Compact header of the embed view: name and a link to the full page.
#[component]
fn EmbedHeader() -> impl IntoView {
    let ctx = ctx();
    let open = move || {
        let q = ctx
            .scenario
            .with(|s| permalink::encode(s, &View::default()));
        format!("{}?{}", glue::page_base(), q)
    };
    view! {
        <header class="embed-top">
            <h1 class="embed-brand">"Crumbtrail"</h1>
            <a class="open-full" href=open target="_blank" rel="noopener" data-open-link="">
                "Open in Crumbtrail ↗"
            </a>
        </header>
    }
}

/// What a link could not be read: unknown keys, bad values.
#[component]
fn Notices(notices: RwSignal<Vec<String>>) -> impl IntoView {
    view! {
        <Show when=move || notices.with(|n| !n.is_empty())>
            <div class="notices" role="alert" data-notice="true">
                <p><strong>"⚠ Parts of this link could not be read. "</strong>"Everything else was kept."</p>
                <ul>
                    {move || notices.get().into_iter().map(|n| view! { <li data-notice-item="">{results::rich(&n)}</li> }).collect_view()}
                </ul>
                <button type="button" on:click=move |_| notices.set(Vec::new())>"Dismiss"</button>
            </div>
        </Show>
    }
}
