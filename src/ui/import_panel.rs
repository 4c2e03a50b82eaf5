//! "Bring your own traffic": a drop zone (the whole page takes a dropped
//! file), a file picker and a paste box. The text is read in the page and
//! handed to the engine (`crumbtrail_engine::import`), which rebuilds the
//! scenario — already redacted — and compares it with the recording. No
//! request is sent and nothing leaves the page. A file that cannot be read
//! gets one message and the scenario stays as it was.

use crumbtrail_engine::import::{self, Candidate, Imported, Recording, Relevance};
use crumbtrail_engine::live::Comparison;
use leptos::prelude::*;

use super::comparison::ComparisonTable;
use super::{ctx, glue};

/// JSON read between two paints.
const SLICE_BYTES: usize = 1 << 20;

/// Where an import is.
#[derive(Clone, Debug, PartialEq)]
pub enum Status {
    Idle,
    /// Reading (and parsing) the named input.
    Reading(String),
    Done {
        parse_ms: f64,
        rebuild_ms: f64,
        bytes: usize,
    },
    Failed(String),
}

impl Status {
    fn key(&self) -> &'static str {
        match self {
            Status::Idle => "idle",
            Status::Reading(_) => "reading",
            Status::Done { .. } => "done",
            Status::Failed(_) => "failed",
        }
    }
}

/// The import, for the panel and for the editors' "assumed" marks.
#[derive(Clone, Copy)]
pub struct ImportCtx {
    pub status: RwSignal<Status>,
    pub imported: RwSignal<Option<Imported>>,
    /// The scenario as the import left it: a mark stays while the field
    /// still holds the assumed value.
    at_import: StoredValue<Option<crumbtrail_engine::Scenario>>,
    recording: StoredValue<Option<Recording>>,
    /// The recording's exchanges, classified once.
    candidates: StoredValue<Vec<Candidate>>,
    /// The longest stretch the import held the page, and which part it was.
    pub longest: RwSignal<(f64, &'static str)>,
    /// The page's scenario (kept here: the import finishes in a callback,
    /// outside any component).
    page: super::Ctx,
}

impl ImportCtx {
    pub fn new() -> Self {
        ImportCtx {
            status: RwSignal::new(Status::Idle),
            imported: RwSignal::new(None),
            at_import: StoredValue::new(None),
            recording: StoredValue::new(None),
            candidates: StoredValue::new(Vec::new()),
            longest: RwSignal::new((0.0, "")),
            page: ctx(),
        }
    }

    /// Why `field` is assumed, while it still holds the value the import chose.
    pub fn assumed(&self, field: &str) -> Option<String> {
        let why = self.imported.with(|i| {
            i.as_ref()?
                .assumptions
                .iter()
                .filter(|a| a.field == field)
                .map(|a| a.why.clone())
                .reduce(|a, b| format!("{a}; {b}"))
        })?;
        let then = self
            .at_import
            .with_value(|s| s.as_ref().and_then(|s| import::field_text(s, field)));
        let now = self.page.scenario.with(|s| import::field_text(s, field));
        (then == now).then_some(why)
    }

    /// Runs `work`, keeping the longest time any part of the import held the page.
    fn timed<T>(&self, part: &'static str, work: impl FnOnce() -> T) -> T {
        let started = glue::now_ms();
        glue::mark(&format!("crumbtrail-import-{part}"));
        let out = work();
        let took = glue::now_ms() - started;
        if took > self.longest.get_untracked().0 {
            self.longest.set((took, part));
        }
        out
    }

    /// Rebuilds the scenario from the recording with the entries `selection`.
    fn rebuild(&self, selection: &[usize]) -> Result<(), String> {
        let started = glue::now_ms();
        let candidates = self.candidates.get_value();
        let result = self.recording.with_value(|r| match r {
            Some(rec) => import::reconstruct_with(rec, selection, candidates).map_err(|e| e.0),
            None => Err("Nothing was imported yet.".into()),
        });
        let imported = result?;
        self.at_import.set_value(Some(imported.scenario.clone()));
        self.page.scenario.set(imported.scenario.clone());
        self.imported.set(Some(imported));
        let rebuild_ms = glue::now_ms() - started;
        self.status.update(|s| {
            if let Status::Done { rebuild_ms: r, .. } = s {
                *r = rebuild_ms;
            }
        });
        Ok(())
    }

    /// Reads `text` a slice at a time, painting between slices (a HAR of
    /// many megabytes never holds the page for long), then rebuilds the
    /// scenario after one more paint.
    pub fn start(self, text: String, what: String) {
        self.status.set(Status::Reading(what.clone()));
        let bytes = text.len();
        glue::after_paint(0, move || {
            let started = glue::now_ms();
            if import::detect(&text) != Some(import::Format::Har) {
                let parsed = self.timed("read", || import::parse(&text));
                self.parsed(parsed, glue::now_ms() - started, bytes);
                return;
            }
            match self.timed("scan", || import::har::Reader::new(text)) {
                Ok(reader) => self.read_slices(reader, what, started, bytes),
                Err(e) => self.status.set(Status::Failed(e.0)),
            }
        });
    }

    /// One slice of a HAR (about 1 MB of JSON), then the next after a paint.
    fn read_slices(
        self,
        mut reader: import::har::Reader,
        what: String,
        started: f64,
        bytes: usize,
    ) {
        match self.timed("slice", || reader.step(SLICE_BYTES)) {
            Some(done) => self.parsed(done, glue::now_ms() - started, bytes),
            None => {
                let (read, total) = reader.progress();
                self.status.set(Status::Reading(format!(
                    "{what} ({read} of {total} entries)"
                )));
                glue::after_paint(0, move || self.read_slices(reader, what, started, bytes));
            }
        }
    }

    fn parsed(self, parsed: Result<Recording, import::ImportError>, parse_ms: f64, bytes: usize) {
        match parsed {
            Err(e) => self.status.set(Status::Failed(e.0)),
            Ok(rec) => {
                let (candidates, selection) = self.timed("pick", || {
                    let c = import::candidates(&rec);
                    let sel = import::selection_of(&rec, &c);
                    (c, sel)
                });
                self.candidates.set_value(candidates);
                self.recording.set_value(Some(rec));
                glue::after_paint(0, move || {
                    self.status.set(Status::Done {
                        parse_ms,
                        rebuild_ms: 0.0,
                        bytes,
                    });
                    if let Err(e) = self.timed("rebuild", || self.rebuild(&selection)) {
                        self.status.set(Status::Failed(e));
                    }
                });
            }
        }
    }

    /// A file arrived from the drop or the picker.
    pub(crate) fn received(self, text: glue::JsText, name: String) {
        self.longest.set((0.0, ""));
        match self.timed("copy", || text.get()) {
            Some(t) => self.start(t, name),
            None => self.status.set(Status::Failed(format!(
                "The file {name} cannot be read as text."
            ))),
        }
    }

    fn forget(&self) {
        self.imported.set(None);
        self.recording.set_value(None);
        self.candidates.set_value(Vec::new());
        self.at_import.set_value(None);
        self.status.set(Status::Idle);
    }
}

/// The "assumed" mark next to a field: why, and a click focuses the field.
#[component]
pub fn AssumedMark(field: String, target: String) -> impl IntoView {
    let Some(ictx) = use_context::<ImportCtx>() else {
        return ().into_any();
    };
    let why = Memo::new(move |_| ictx.assumed(&field));
    view! {
        <Show when=move || why.with(Option::is_some)>
            <button type="button" class="assumed" data-assumed="true"
                title=move || why.get().unwrap_or_default()
                on:click={
                    let target = target.clone();
                    move |_| glue::focus_field(&target)
                }>
                "assumed"
            </button>
        </Show>
    }
    .into_any()
}

/// Takes a file dropped anywhere on the page.
pub fn on_page_drop(ev: leptos::ev::DragEvent) {
    let Some(ictx) = use_context::<ImportCtx>() else {
        return;
    };
    if !glue::has_files(ev.as_ref()) {
        return;
    }
    ev.prevent_default();
    ictx.status.set(Status::Reading("the file".into()));
    // The importers are in their own chunk (`super::deferred`).
    glue::read_file(ev.as_ref(), move |text, name| {
        leptos::task::spawn_local(async move {
            if super::deferred::import_received(ictx, text, name)
                .await
                .is_err()
            {
                ictx.status.set(Status::Failed(
                    "The importers could not be downloaded (the connection may have dropped): drop the file again."
                        .into(),
                ));
            }
        })
    });
}

/// Lets a file be dropped (the browser would otherwise open it).
pub fn on_page_dragover(ev: leptos::ev::DragEvent) {
    if glue::has_files(ev.as_ref()) {
        ev.prevent_default();
    }
}

fn status_text(s: &Status) -> String {
    match s {
        Status::Idle => String::new(),
        Status::Reading(what) => format!("Reading {what}…"),
        Status::Done {
            parse_ms,
            rebuild_ms,
            bytes,
        } => format!(
            "Read {:.1} MB in {:.0} ms (a slice at a time), rebuilt in {:.0} ms. Nothing was sent anywhere.",
            *bytes as f64 / 1_048_576.0,
            parse_ms,
            rebuild_ms
        ),
        Status::Failed(_) => String::new(),
    }
}

#[component]
pub fn ImportPanel() -> impl IntoView {
    let ictx = expect_context::<ImportCtx>();
    let paste = RwSignal::new(String::new());
    let import_paste = move |_| {
        let text = paste.get_untracked();
        ictx.longest.set((0.0, ""));
        ictx.start(text, "the paste".into());
    };
    let on_file = move |ev: leptos::ev::Event| {
        ictx.status.set(Status::Reading("the file".into()));
        glue::read_file(ev.as_ref(), move |text, name| ictx.received(text, name));
    };
    let open =
        move || ictx.imported.with(Option::is_some) || !matches!(ictx.status.get(), Status::Idle);
    let timing = move || match ictx.status.get() {
        Status::Done {
            parse_ms,
            rebuild_ms,
            bytes,
        } => (
            format!("{parse_ms:.0}"),
            format!("{rebuild_ms:.0}"),
            bytes.to_string(),
        ),
        _ => (String::new(), String::new(), String::new()),
    };
    view! {
        <details class="panel import-panel" id="import" prop:open=open
            data-import-state=move || ictx.status.with(|s| s.key())
            data-import-parse-ms=move || timing().0 data-import-rebuild-ms=move || timing().1
            data-import-bytes=move || timing().2
            data-import-longest-ms=move || format!("{:.0}", ictx.longest.get().0)
            data-import-longest-part=move || ictx.longest.get().1>
            <summary>
                <strong>"Bring your own traffic"</strong>
                " — import a HAR file, copied headers, or a request copied as cURL or fetch"
            </summary>
            <p class="hint">
                "Drop a HAR file anywhere on this page (Network panel → Export HAR, or Save all as HAR), "
                "or choose it, or paste the request and response headers, a “Copy as cURL” or a “Copy as fetch”. "
                "It is read here: nothing is uploaded and no request is sent. Cookie values, Authorization, "
                "tokens and bodies are replaced by placeholders before anything reaches the link."
            </p>
            <div class="drop-zone" data-drop-zone="true">
                <label for="import-file">"Choose a file"</label>
                <input id="import-file" type="file" accept=".har,.json,.txt,.sh,.js,application/json,text/plain" on:change=on_file/>
                <span class="small">" or drop it anywhere on the page"</span>
            </div>
            <label for="import-paste" class="visually-hidden">"Paste headers, cURL or fetch"</label>
            <textarea id="import-paste" rows="4" spellcheck="false"
                placeholder="…or paste here: POST /login HTTP/1.1 …, curl '…', fetch(\"…\", {…})"
                prop:value=move || paste.get() on:input=move |ev| paste.set(event_target_value(&ev))></textarea>
            <button type="button" id="import-paste-button" on:click=import_paste
                disabled=move || paste.with(|p| p.trim().is_empty())>"Import the paste"</button>
            <p class="status" role="status" aria-live="polite" data-import-status="">{move || status_text(&ictx.status.get())}</p>
            {move || match ictx.status.get() {
                Status::Failed(e) => view! {
                    <p class="error" role="alert" data-import-error="">{e} " The setup on the page is unchanged."</p>
                }.into_any(),
                _ => ().into_any(),
            }}
            <Show when=move || ictx.imported.with(Option::is_some)>
                <ImportResult/>
                <button type="button" class="small" on:click=move |_| ictx.forget()>"Forget the import"</button>
            </Show>
        </details>
    }
}

/// What the import made: the requests it picked (and the choice), what it
/// assumed, what it redacted, and the recording next to the simulation.
#[component]
fn ImportResult() -> impl IntoView {
    let ictx = expect_context::<ImportCtx>();
    let ctx = ctx();
    let imported = move || ictx.imported.get();
    let rows: Memo<Vec<Comparison>> = Memo::new(move |_| {
        ictx.imported.with(|i| match i {
            Some(i) => ctx.trace.with(|t| import::compare(t, i)),
            None => Vec::new(),
        })
    });
    let agree = move || rows.with(|r| r.iter().filter(|c| c.agree).count());
    let total = move || rows.with(Vec::len);
    view! {
        {move || imported().map(|i| view! {
            <p data-import-format=format!("{:?}", i.format).to_lowercase()>
                "Imported " {i.selected.len()} " of " {i.candidates.len()} " requests from a " {i.format.label()} "."
            </p>
            <ul class="notes">
                {i.notices.iter().map(|n| view! { <li data-import-notice="">{n.clone()}</li> }).collect_view()}
            </ul>
            <Chooser/>
            <Assumptions/>
            <p class="small redactions" data-import-redacted=i.redactions.len()>
                "Replaced by placeholders before anything reaches the link or the Markdown: "
                {i.redactions.join("; ")} "."
            </p>
        })}
        <h3>"Recorded vs simulated"</h3>
        <p role="status" data-import-agree=agree data-import-total=total>
            {move || if agree() == total() { "✓ " } else { "✗ " }}
            {agree} " of " {total} " things the recording shows agree with the simulation."
        </p>
        <ComparisonTable rows=rows observed="Recorded" class="import-table"/>
    }
}

/// The list of assumptions, each a link to its field.
#[component]
fn Assumptions() -> impl IntoView {
    let ictx = expect_context::<ImportCtx>();
    let list = move || {
        ictx.imported.with(|i| {
            i.as_ref()
                .map(|i| i.assumptions.clone())
                .unwrap_or_default()
        })
    };
    view! {
        <Show when=move || !list().is_empty()>
            <h3>"Assumed: the recording does not show these"</h3>
            <ul class="assumptions">
                {move || list().into_iter().map(|a| {
                    let id = format!("f-{}", a.field.replace('.', "-"));
                    view! {
                        <li data-assumption=a.field.clone()>
                            <button type="button" class="link" on:click=move |_| glue::focus_field(&id)>
                                <code>{a.field.clone()}</code>
                            </button>
                            {(!a.value.is_empty()).then(|| view! { " = " <code>{a.value.clone()}</code> })}
                            ": " {a.why.clone()}
                        </li>
                    }
                }).collect_view()}
            </ul>
        </Show>
    }
}

/// Which requests were imported; the user picks when the import was unsure.
#[component]
fn Chooser() -> impl IntoView {
    let ictx = expect_context::<ImportCtx>();
    let chosen: RwSignal<Vec<usize>> = RwSignal::new(
        ictx.imported
            .with_untracked(|i| i.as_ref().map(|i| i.selected.clone()).unwrap_or_default()),
    );
    let (error, set_error) = signal(None::<String>);
    let unsure = ictx
        .imported
        .with_untracked(|i| i.as_ref().is_some_and(Imported::unsure));
    let shown = ictx.imported.with_untracked(|i| {
        i.as_ref()
            .map(|i| {
                i.candidates
                    .iter()
                    .filter(|c| {
                        matches!(
                            c.relevance,
                            Relevance::Cors | Relevance::Cookies | Relevance::Unsure
                        )
                    })
                    .take(100)
                    .cloned()
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    });
    let hidden = ictx
        .imported
        .with_untracked(|i| i.as_ref().map_or(0, |i| i.candidates.len()))
        .saturating_sub(shown.len());
    let apply = move |_| {
        let sel = chosen.get_untracked();
        set_error.set(ictx.rebuild(&sel).err());
    };
    view! {
        <details class="chooser" prop:open=unsure data-import-unsure=unsure>
            <summary>{if unsure { "Choose the requests to import (some may or may not matter)" } else { "Requests imported" }}</summary>
            <table class="small">
                <thead><tr><th scope="col">"Import"</th><th scope="col">"Request"</th><th scope="col">"Status"</th><th scope="col">"Why"</th></tr></thead>
                <tbody>
                    {shown.into_iter().map(|c| {
                        let entry = c.entry;
                        view! {
                            <tr data-candidate=entry data-relevance=format!("{:?}", c.relevance).to_lowercase()>
                                <td><input type="checkbox" aria-label=format!("Import {} {}", c.method, c.url)
                                    prop:checked=move || chosen.with(|v| v.contains(&entry))
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        chosen.update(|v| {
                                            v.retain(|&e| e != entry);
                                            if on { v.push(entry); v.sort_unstable(); }
                                        });
                                    }/></td>
                                <td><code>{c.method.clone()} " " {c.url.clone()}</code></td>
                                <td>{c.status}</td>
                                <td>{c.why.clone()}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            {(hidden > 0).then(|| view! {
                <p class="small">{hidden} " static assets, preflights (imported with their request) and redirect hops are not listed."</p>
            })}
            <button type="button" data-import-apply="" on:click=apply>"Import these"</button>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
        </details>
    }
}
