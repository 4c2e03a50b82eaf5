//! The parts of the page that the first verdict does not need.
//!
//! The first load carries the permalink decoder, the simulation, the verdict
//! and the per-request outcomes. Everything else is a [`Part`]: in the release
//! build (Cargo feature `split`, turned on by `index.html`) each part's view is
//! built by a split point (`super::split`) that wasm-split moves into a chunk of its own,
//! fetched after the verdict is painted (the fix search, the generated code,
//! the importers, live mode, the gallery, the editors, one chunk per server
//! stack's editor). Without the feature (native and wasm tests) the same
//! functions are plain `async fn`s.
//!
//! Nothing the user sees moves when a part arrives: the verdict comes first
//! in the page (in the embed, the outcomes too; on the full page they follow
//! the answer, which carries the fix a stuck user looks for), and the parts are shown strictly in page
//! order, each one only once every part above it is shown, so a part is only
//! ever added below what is already on the screen. Until then a part is an
//! empty slot (`style/loading.css`). `data-complete="true"` on `<main>` says
//! that every part of the page is shown.
//!
//! A chunk that cannot be downloaded (the connection dropped) leaves its slot
//! saying so, with a "Try again" button (`data-loaded="failed"`); the parts
//! below it are shown all the same, and the page is not complete until the
//! part arrives (`super::split`).
//!
//! Adding a part: a variant in [`Part`], its key, and one arm in [`load`]
//! calling its split point. Adding a server stack's editor: one arm in
//! [`editor`] (the editor's own module stays in `src/ui/editors/`).

use crumbtrail_engine::server::stack::ServerKind;
use leptos::prelude::*;
use leptos::reactive::computed::ScopedFuture;
use leptos::task::spawn_local;

use super::split::{split_point, ChunkMissing};
use super::{diagram, editors, fixes, gallery, import_panel, live_panel, results};

/// A part of the page that is loaded after the verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    /// Why it fails and the best fix, under the verdict (the fix search).
    Answer,
    /// The outcome of each request (in the first load): under the answer,
    /// shown with it, so the fix is on the first screen and nothing moves.
    Requests,
    /// "Bring your own traffic" (the HAR, cURL, header-block importers).
    Import,
    /// Every setting: browser, client, server (the editors).
    Settings,
    /// The settings, read-only, in the embed view.
    ReadonlySettings,
    Diagram,
    Steps,
    Jar,
    /// Every suggested fix.
    Fixes,
    /// The settings as code (code generation and its readers).
    Code,
    /// Live mode and its HTTP client.
    Live,
    /// The examples gallery.
    Gallery,
    /// One server stack's editor, inside the settings.
    Editor(ServerKind),
}

impl Part {
    /// `data-deferred` on the part's slot (the styles and the tests read it).
    pub fn key(self) -> &'static str {
        match self {
            Part::Answer => "answer",
            Part::Requests => "requests",
            Part::Import => "import",
            Part::Settings => "settings",
            Part::ReadonlySettings => "readonly-settings",
            Part::Diagram => "diagram",
            Part::Steps => "steps",
            Part::Jar => "jar",
            Part::Fixes => "fixes",
            Part::Code => "code",
            Part::Live => "live",
            Part::Gallery => "gallery",
            Part::Editor(_) => "editor",
        }
    }

    /// What the part is, as its slot names it when it cannot be downloaded.
    fn title(self) -> &'static str {
        match self {
            Part::Answer => "The cause and its fix",
            Part::Requests => "The requests",
            Part::Import => "The importers",
            Part::Settings | Part::ReadonlySettings => "The settings",
            Part::Diagram => "The diagram",
            Part::Steps => "The step-by-step trace",
            Part::Jar => "The cookie jar",
            Part::Fixes => "The list of fixes",
            Part::Code => "The generated code",
            Part::Live => "Live mode",
            Part::Gallery => "The examples gallery",
            Part::Editor(_) => "This server's settings",
        }
    }
}

/// Builds a part's view, loading its chunk first (once it has arrived, the
/// chunk is not fetched again).
async fn load(part: Part) -> Result<AnyView, ChunkMissing> {
    match part {
        Part::Answer => answer().await,
        Part::Requests => Ok(view! { <results::Outcomes/> }.into_any()),
        Part::Import => import().await,
        Part::Settings => {
            first_editor().await;
            settings().await
        }
        Part::ReadonlySettings => {
            first_editor().await;
            readonly_settings().await
        }
        Part::Diagram => diagram_part().await,
        Part::Steps => steps().await,
        Part::Jar => jar().await,
        Part::Fixes => fixes_part().await,
        Part::Code => code().await,
        Part::Live => live().await,
        Part::Gallery => gallery_part().await,
        Part::Editor(kind) => editor(kind).await,
    }
}

/// The editor of the stack in the link comes with the settings, so that the
/// form is whole when it is shown (if its chunk cannot be downloaded, the
/// settings come without it and its own slot says so).
async fn first_editor() {
    let kind = super::ctx().scenario.with_untracked(|s| s.server.kind());
    if let Ok(first) = editor(kind).await {
        editors::keep_first_editor(kind, first);
    }
}

/// One stack's editor, each in a chunk of its own: a new stack adds one arm
/// here and its split point below.
pub async fn editor(kind: ServerKind) -> Result<AnyView, ChunkMissing> {
    match kind {
        ServerKind::Rails => rails_editor().await,
        ServerKind::Django => django_editor().await,
        ServerKind::Express => express_editor().await,
        ServerKind::FastApi => fastapi_editor().await,
        ServerKind::Laravel => laravel_editor().await,
        ServerKind::Raw => raw_editor().await,
    }
}

// The split points (`super::split`). Each is a plain `async fn` without the
// `split` feature.

split_point! {
    async fn answer() -> AnyView {
        fixes::first_search();
        view! { <fixes::Answer/> }.into_any()
    }
}

split_point! {
    async fn import() -> AnyView {
        view! { <import_panel::ImportPanel/> }.into_any()
    }
}

split_point! {
    async fn settings() -> AnyView {
        view! {
            <h2 id="settings-heading">"Settings"</h2>
            <editors::Settings/>
        }
        .into_any()
    }
}

split_point! {
    async fn readonly_settings() -> AnyView {
        view! {
            <details class="panel readonly-settings">
                <summary>"Settings (read-only)"</summary>
                <fieldset disabled class="plain">
                    <editors::Settings/>
                </fieldset>
            </details>
        }
        .into_any()
    }
}

split_point! {
    async fn diagram_part() -> AnyView {
        view! { <diagram::Diagram/> }.into_any()
    }
}

split_point! {
    async fn steps() -> AnyView {
        view! { <results::TraceSteps/> }.into_any()
    }
}

split_point! {
    async fn jar() -> AnyView {
        view! { <results::CookieJar/> }.into_any()
    }
}

split_point! {
    async fn fixes_part() -> AnyView {
        fixes::first_search();
        view! { <fixes::Fixes/> }.into_any()
    }
}

split_point! {
    async fn code() -> AnyView {
        view! { <fixes::GeneratedCode/> }.into_any()
    }
}

split_point! {
    async fn live() -> AnyView {
        view! {
            <section class="live" id="live" data-slot="live">
                <live_panel::LivePanel/>
            </section>
        }
        .into_any()
    }
}

split_point! {
    async fn gallery_part() -> AnyView {
        view! {
            <gallery::Gallery/>
            <footer class="foot">
                <p>
                    "Crumbtrail simulates the browser; nothing is sent anywhere. "
                    "Every step cites the spec section it follows."
                </p>
            </footer>
        }
        .into_any()
    }
}

split_point! {
    async fn rails_editor() -> AnyView {
        view! { <editors::RailsEditor/> }.into_any()
    }
}

split_point! {
    async fn django_editor() -> AnyView {
        view! { <editors::DjangoEditor/> }.into_any()
    }
}

split_point! {
    async fn express_editor() -> AnyView {
        view! { <editors::ExpressEditor/> }.into_any()
    }
}

split_point! {
    async fn fastapi_editor() -> AnyView {
        view! { <editors::FastApiEditor/> }.into_any()
    }
}

split_point! {
    async fn laravel_editor() -> AnyView {
        view! { <editors::LaravelEditor/> }.into_any()
    }
}

split_point! {
    async fn raw_editor() -> AnyView {
        view! { <editors::RawEditor/> }.into_any()
    }
}

impl Part {
    /// Where the part is on the screen, top to bottom, at every width: on a
    /// phone the results come before the settings, on a wide screen they are
    /// side by side (a settings form that grows moves nothing in the results).
    fn rank(self) -> u8 {
        match self {
            Part::Answer => 0,
            Part::Requests => 1,
            Part::Import => 2,
            Part::Diagram => 3,
            Part::Steps => 4,
            Part::Jar => 5,
            Part::Fixes => 6,
            Part::Code => 7,
            Part::Live => 8,
            Part::Settings => 9,
            Part::ReadonlySettings => 10,
            Part::Gallery => 11,
            Part::Editor(_) => 12,
        }
    }
}

split_point! {
    /// "Copy as Markdown": the setup, the verdict, the failing step with its spec
    /// section and the link, without what the import redacted.
    pub async fn markdown(
        ctx: super::Ctx,
        imports: Option<import_panel::ImportCtx>,
        link: String,
    ) -> String {
        let redactions = imports
            .and_then(|i| {
                i.imported
                    .with_untracked(|i| i.as_ref().map(|i| i.redactions.clone()))
            })
            .unwrap_or_default();
        ctx.scenario.with_untracked(|s| {
            ctx.trace.with_untracked(|t| {
                crumbtrail_engine::import::markdown::export(s, t, &link, &redactions)
            })
        })
    }
}

split_point! {
    /// A file dropped anywhere on the page, read by the importers.
    pub async fn import_received(
        ictx: import_panel::ImportCtx,
        text: super::glue::JsText,
        name: String,
    ) -> () {
        ictx.received(text, name);
    }
}

/// The order in which the parts of the page are shown (see the module
/// header): a part is shown once every part of the page above it is.
#[derive(Clone, Copy)]
pub struct Reveal {
    /// The ranks of the page's slots.
    slots: StoredValue<Vec<u8>>,
    /// The ranks of the slots that show their part, or that their part could
    /// not be downloaded.
    shown: RwSignal<Vec<u8>>,
    /// The ranks of the slots whose part could not be downloaded (yet).
    failed: RwSignal<Vec<u8>>,
}

impl Reveal {
    /// Provides the order of the page's parts; the page's root calls it.
    pub fn provide() -> Reveal {
        let r = Reveal {
            slots: StoredValue::new(Vec::new()),
            shown: RwSignal::new(Vec::new()),
            failed: RwSignal::new(Vec::new()),
        };
        provide_context(r);
        r
    }

    /// Every slot of the page shows its part.
    pub fn complete(self) -> Signal<bool> {
        Signal::derive(move || {
            self.failed.with(Vec::is_empty)
                && self.shown.with(|shown| {
                    self.slots
                        .with_value(|slots| slots.iter().all(|r| shown.contains(r)))
                })
        })
    }

    /// Every slot above `rank` shows its part (or says it could not).
    fn may_show(self, rank: u8) -> bool {
        self.shown.with(|shown| {
            self.slots.with_value(|slots| {
                slots
                    .iter()
                    .filter(|r| **r < rank)
                    .all(|r| shown.contains(r))
            })
        })
    }
}

/// A slot for `part`, filled once the part's chunk is loaded and every part
/// above it is shown. Its chunk starts loading after the verdict is painted.
#[component]
pub fn Deferred(part: Part) -> impl IntoView {
    let reveal = expect_context::<Reveal>();
    reveal.slots.update_value(|s| s.push(part.rank()));
    slot(part, Some(reveal))
}

/// A slot inside a part that is already shown (a stack's editor after the
/// user picks another stack): filled as soon as its chunk is loaded.
#[component]
pub fn DeferredInside(part: Part) -> impl IntoView {
    slot(part, None)
}

/// Where a slot's part is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Load {
    Waiting,
    Loaded,
    /// Its chunk could not be downloaded.
    Failed,
    /// "Try again" is downloading it.
    Retrying,
}

fn slot(part: Part, order: Option<Reveal>) -> impl IntoView {
    let load_state = RwSignal::new(Load::Waiting);
    let view_slot = StoredValue::new_local(None::<AnyView>);
    // The part's components find the page's context: its future runs in the
    // slot's owner, also when "Try again" starts it from a click.
    let owner = StoredValue::new_local(Owner::current());
    let start = move || {
        let future = owner.with_value(|owner| match owner {
            Some(owner) => owner.with(|| ScopedFuture::new_untracked(load(part))),
            None => ScopedFuture::new_untracked(load(part)),
        });
        spawn_local(async move {
            match future.await {
                Ok(v) => {
                    view_slot.set_value(Some(v));
                    load_state.set(Load::Loaded);
                }
                Err(_) => load_state.set(Load::Failed),
            }
        })
    };
    if order.is_some() {
        // After the verdict's frame: the chunks never delay the first paint.
        super::glue::after_first_paint(start);
    } else {
        start();
    }
    // A part that could not be downloaded takes its place in the order, so
    // that the parts below it are shown.
    let shown = Memo::new(move |_| {
        let state = load_state.get();
        (state != Load::Waiting && order.is_none_or(|reveal| reveal.may_show(part.rank())))
            .then_some(state)
    });
    if let Some(reveal) = order {
        Effect::new(move |_| {
            let rank = part.rank();
            if let Some(state) = shown.get() {
                reveal.shown.update(|s| {
                    if !s.contains(&rank) {
                        s.push(rank)
                    }
                });
                let failed = state != Load::Loaded;
                if reveal.failed.with_untracked(|f| f.contains(&rank)) != failed {
                    reveal.failed.update(|f| {
                        f.retain(|r| *r != rank);
                        if failed {
                            f.push(rank);
                        }
                    });
                }
            }
        });
    }
    let retry = move |_| {
        load_state.set(Load::Retrying);
        start();
    };
    view! {
        <div class="deferred" data-deferred=part.key()
            data-loaded=move || match shown.get() {
                Some(Load::Loaded) => "true",
                Some(Load::Failed) => "failed",
                Some(Load::Retrying) => "retrying",
                _ => "false",
            }>
            {move || match shown.get() {
                Some(Load::Loaded) => view_slot.try_update_value(Option::take).flatten(),
                Some(Load::Failed) => Some(view! {
                    <p class="chunk-failed" role="status">
                        {part.title()}" could not be downloaded (the connection may have dropped). "
                        <button type="button" data-retry=part.key() on:click=retry>"Try again"</button>
                    </p>
                }.into_any()),
                Some(Load::Retrying) => Some(view! {
                    <p class="chunk-failed" role="status">{part.title()}": downloading again…"</p>
                }.into_any()),
                _ => None,
            }}
        </div>
    }
}
