//! The server models the simulation runs, each loaded when a scenario of
//! its kind is first simulated (the engine's `server::models`, feature
//! `models-on-demand`, on in the WebAssembly build).
//!
//! In the release build (feature `split`) each model but the default
//! server's (Rails, in the first load) is a `#[lazy]` chunk, and
//! `crate::mount` fetches the one the link needs before the page is built
//! (index.html preloads its files). A chunk is a module and the shared
//! chunks it depends on (8 to 27 in all): for the default page that costs
//! more than it saves (README, "Code splitting"). Another kind's model is fetched
//! when the user picks that server, a preset or an import needs it; until
//! it is here, the engine's verdict for it is "Incomplete" (never OK), and
//! [`track`] re-runs the simulation once it is. Natively every model is
//! linked in and this module does nothing.

use crumbtrail_engine::server::stack::ServerKind;
use leptos::prelude::*;

/// Loads the model of `kind` (once) and registers it with the engine.
pub async fn ensure(kind: ServerKind) {
    #[cfg(target_arch = "wasm32")]
    {
        use crumbtrail_engine::server::models;
        if models::is_registered(kind) {
            return;
        }
        let preparer = match kind {
            ServerKind::Rails => rails_model().await,
            ServerKind::Django => django_model().await,
            ServerKind::Express => express_model().await,
            ServerKind::FastApi => fastapi_model().await,
            ServerKind::Laravel => laravel_model().await,
            ServerKind::Raw => raw_model().await,
        };
        models::register(kind, preparer);
        REGISTERED.with(|n| n.update(|n| *n += 1));
    }
    #[cfg(not(target_arch = "wasm32"))]
    let _ = kind;
}

/// Is the model of `kind` ready to simulate?
pub fn is_ready(kind: ServerKind) -> bool {
    #[cfg(target_arch = "wasm32")]
    {
        crumbtrail_engine::server::models::is_registered(kind)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = kind;
        true
    }
}

thread_local! {
    /// Counts the models registered (a signal without an owner: it lives as
    /// long as the page, and [`ensure`] runs outside the component tree too).
    static REGISTERED: ArcRwSignal<u32> = ArcRwSignal::new(0);
}

/// Subscribes the caller (the trace) to the models' arrival, so that a
/// simulation that found a model missing runs again once it is here.
pub fn track() {
    REGISTERED.with(|n| n.track());
}

/// Fetches the model of every kind the scenario takes on (a preset, an
/// import, Back to another server).
pub fn provide(scenario: RwSignal<crumbtrail_engine::Scenario>) {
    let kind = Memo::new(move |_| scenario.with(|s| s.server.kind()));
    Effect::new(move |_| {
        let kind = kind.get();
        if !is_ready(kind) {
            leptos::task::spawn_local(ensure(kind));
        }
    });
}

// The split points: one per model. Each returns the engine's preparer for
// its stack, whose code comes with the chunk.

#[cfg(target_arch = "wasm32")]
use crumbtrail_engine::server::models::{self as engine_models, Preparer};

/// The default server's model is in the first load (most links, and the
/// page without one, are Rails): no chunk to wait for.
#[cfg(target_arch = "wasm32")]
async fn rails_model() -> Preparer {
    engine_models::rails as Preparer
}

#[cfg(target_arch = "wasm32")]
#[cfg_attr(feature = "split", leptos::lazy)]
async fn django_model() -> Preparer {
    engine_models::django as Preparer
}

#[cfg(target_arch = "wasm32")]
#[cfg_attr(feature = "split", leptos::lazy)]
async fn express_model() -> Preparer {
    engine_models::express as Preparer
}

#[cfg(target_arch = "wasm32")]
#[cfg_attr(feature = "split", leptos::lazy)]
async fn fastapi_model() -> Preparer {
    engine_models::fastapi as Preparer
}

#[cfg(target_arch = "wasm32")]
#[cfg_attr(feature = "split", leptos::lazy)]
async fn laravel_model() -> Preparer {
    engine_models::laravel as Preparer
}

#[cfg(target_arch = "wasm32")]
#[cfg_attr(feature = "split", leptos::lazy)]
async fn raw_model() -> Preparer {
    engine_models::raw as Preparer
}
