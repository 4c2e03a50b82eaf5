//! The server models the simulation runs, each loaded when a scenario of
//! its kind is first simulated (the engine's `server::models`, feature
//! `models-on-demand`, on in the WebAssembly build).
//!
//! In the release build (feature `split`) each model but the default
//! server's (Rails, in the first load) is a chunk of its own (`super::split`), and
//! `crate::mount` fetches the one the link needs before the page is built
//! (index.html preloads its files). A chunk is a module and the shared
//! chunks it depends on (8 to 27 in all): for the default page that costs
//! more than it saves (README, "Code splitting"). Another kind's model is fetched
//! when the user picks that server, a preset or an import needs it; until
//! it is here, the engine's verdict for it is "Incomplete" (never OK), and
//! [`track`] re-runs the simulation once it is. A model that could not be
//! downloaded (the connection dropped) makes the verdict say so, with a
//! "Try again" button that fetches it again ([`retry`]). Natively every
//! model is linked in and this module does nothing.

use crumbtrail_engine::server::stack::ServerKind;
use leptos::prelude::*;

pub use super::split::ChunkMissing;

/// Loads the model of `kind` (once) and registers it with the engine. When
/// its chunk cannot be downloaded the engine is told so (the verdict says
/// it, [`has_failed`] is true), and a later call tries again.
pub async fn ensure(kind: ServerKind) -> Result<(), ChunkMissing> {
    #[cfg(target_arch = "wasm32")]
    {
        use crumbtrail_engine::server::models;
        if models::is_registered(kind) {
            return Ok(());
        }
        let preparer = match kind {
            ServerKind::Rails => Ok(engine_models::rails as Preparer),
            ServerKind::Django => django_model().await,
            ServerKind::Express => express_model().await,
            ServerKind::FastApi => fastapi_model().await,
            ServerKind::Laravel => laravel_model().await,
            ServerKind::Raw => raw_model().await,
        };
        let result = match preparer {
            Ok(preparer) => {
                models::register(kind, preparer);
                Ok(())
            }
            Err(missing) => {
                models::mark_failed(kind);
                Err(missing)
            }
        };
        // Either way the simulation runs again: with the model, or saying
        // that it could not be downloaded.
        REGISTERED.with(|n| n.update(|n| *n += 1));
        result
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = kind;
        Ok(())
    }
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

/// Did the last download of the model of `kind` fail (and it has not
/// arrived since)? Tracks the models' arrivals.
pub fn has_failed(kind: ServerKind) -> bool {
    track();
    #[cfg(target_arch = "wasm32")]
    {
        crumbtrail_engine::server::models::has_failed(kind)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = kind;
        false
    }
}

/// "Try again": fetches the model of `kind` again (wasm_split runs one
/// download at a time for a chunk, so a second click waits for the first).
pub fn retry(kind: ServerKind) {
    leptos::task::spawn_local(async move {
        let _ = ensure(kind).await;
    });
}

thread_local! {
    /// Counts the models registered or failed (a signal without an owner: it
    /// lives as long as the page, and [`ensure`] runs outside the component
    /// tree too).
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
            leptos::task::spawn_local(async move {
                let _ = ensure(kind).await;
            });
        }
    });
}

// The split points: one per model but the default server's (Rails, in the
// first load: most links, and the page without one, are Rails). Each
// returns the engine's preparer for its stack, whose code comes with the
// chunk. `build/split-wasm` finds them by their `_model` names.

use super::split::split_point;
#[cfg(target_arch = "wasm32")]
use crumbtrail_engine::server::models::{self as engine_models, Preparer};

split_point! {
    #[cfg(target_arch = "wasm32")]
    async fn django_model() -> Preparer {
        engine_models::django as Preparer
    }
}

split_point! {
    #[cfg(target_arch = "wasm32")]
    async fn express_model() -> Preparer {
        engine_models::express as Preparer
    }
}

split_point! {
    #[cfg(target_arch = "wasm32")]
    async fn fastapi_model() -> Preparer {
        engine_models::fastapi as Preparer
    }
}

split_point! {
    #[cfg(target_arch = "wasm32")]
    async fn laravel_model() -> Preparer {
        engine_models::laravel as Preparer
    }
}

split_point! {
    #[cfg(target_arch = "wasm32")]
    async fn raw_model() -> Preparer {
        engine_models::raw as Preparer
    }
}
