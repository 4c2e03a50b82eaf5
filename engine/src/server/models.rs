//! Which server model answers the simulation's requests: the one dispatch
//! from a [`ServerSetup`] to its stack's [`Stack::prepare`].
//!
//! Every build but one links each stack's model in: [`prepare`] calls it
//! directly. The web app loads a model only when a scenario of its kind is
//! first simulated (Cargo feature `models-on-demand`, which the app turns on
//! for its WebAssembly build): its first load then carries the model of the
//! link's server alone. There, [`prepare`] calls the [`Preparer`] that the
//! app [`register`]ed for the kind once the model's code arrived, and says
//! that the model is still loading (a field error on `server.model`, so the verdict
//! is "Incomplete", never OK) until then, or, once the app [`mark_failed`] its
//! download, that it could not be downloaded.

use super::stack::{Prepared, ServerKind, Stack};
use crate::fetch::http::{ServerMemory, ServerModel, ServerReply, WireRequest, WireResponse};
use crate::scenario::ServerSetup;
use crate::trace::{FieldError, Step};

/// A stack's `prepare`, reached without its `Stack` vtable (which would
/// carry its fix search and code generation along).
pub type Preparer = for<'a> fn(&'a ServerSetup) -> Prepared<'a>;

/// The model that answers for `setup` (the simulation's only way to a stack).
pub fn prepare(setup: &ServerSetup) -> Prepared<'_> {
    #[cfg(not(feature = "models-on-demand"))]
    {
        preparer_linked(setup.kind())(setup)
    }
    #[cfg(feature = "models-on-demand")]
    {
        match on_demand::registered(setup.kind()) {
            Some(preparer) => preparer(setup),
            None if on_demand::has_failed(setup.kind()) => not_downloaded(setup.kind()),
            None => still_loading(setup.kind()),
        }
    }
}

/// Every stack's preparer, linked in.
#[cfg(not(feature = "models-on-demand"))]
fn preparer_linked(kind: ServerKind) -> Preparer {
    match kind {
        ServerKind::Rails => rails,
        ServerKind::Django => django,
        ServerKind::Express => express,
        ServerKind::Raw => raw,
        ServerKind::FastApi => fastapi,
        ServerKind::Laravel => laravel,
    }
}

#[cfg(feature = "models-on-demand")]
pub use on_demand::{has_failed, is_registered, mark_failed, register};

#[cfg(feature = "models-on-demand")]
mod on_demand {
    use super::{Preparer, ServerKind};
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::OnceLock;

    static MODELS: [OnceLock<Preparer>; ServerKind::ALL.len()] =
        [const { OnceLock::new() }; ServerKind::ALL.len()];
    /// The kinds whose last download failed (and that have not arrived since).
    static FAILED: [AtomicBool; ServerKind::ALL.len()] =
        [const { AtomicBool::new(false) }; ServerKind::ALL.len()];

    fn index(kind: ServerKind) -> usize {
        ServerKind::ALL
            .iter()
            .position(|k| *k == kind)
            .unwrap_or_default()
    }

    fn slot(kind: ServerKind) -> &'static OnceLock<Preparer> {
        &MODELS[index(kind)]
    }

    /// The app calls this once the model of `kind` has arrived.
    pub fn register(kind: ServerKind, preparer: Preparer) {
        let _ = slot(kind).set(preparer);
        FAILED[index(kind)].store(false, Ordering::Relaxed);
    }

    /// The app calls this when the download of the model of `kind` failed
    /// (it may try again: a later [`register`] clears it).
    pub fn mark_failed(kind: ServerKind) {
        if slot(kind).get().is_none() {
            FAILED[index(kind)].store(true, Ordering::Relaxed);
        }
    }

    pub fn has_failed(kind: ServerKind) -> bool {
        FAILED[index(kind)].load(Ordering::Relaxed)
    }

    pub fn is_registered(kind: ServerKind) -> bool {
        slot(kind).get().is_some()
    }

    pub(super) fn registered(kind: ServerKind) -> Option<Preparer> {
        slot(kind).get().copied()
    }
}

// One preparer per stack: each names its own stack's `prepare` only, so a
// build that splits its code finds each model behind its own function.

pub fn rails(setup: &ServerSetup) -> Prepared<'_> {
    match setup {
        ServerSetup::Rails(app) => Stack::prepare(app),
        other => still_loading(other.kind()),
    }
}

pub fn django(setup: &ServerSetup) -> Prepared<'_> {
    match setup {
        ServerSetup::Django(app) => Stack::prepare(app.as_ref()),
        other => still_loading(other.kind()),
    }
}

pub fn express(setup: &ServerSetup) -> Prepared<'_> {
    match setup {
        ServerSetup::Express(app) => Stack::prepare(app),
        other => still_loading(other.kind()),
    }
}

pub fn raw(setup: &ServerSetup) -> Prepared<'_> {
    match setup {
        ServerSetup::Raw(server) => Stack::prepare(server),
        other => still_loading(other.kind()),
    }
}

pub fn fastapi(setup: &ServerSetup) -> Prepared<'_> {
    match setup {
        ServerSetup::FastApi(app) => Stack::prepare(app.as_ref()),
        other => still_loading(other.kind()),
    }
}

pub fn laravel(setup: &ServerSetup) -> Prepared<'_> {
    match setup {
        ServerSetup::Laravel(app) => Stack::prepare(app.as_ref()),
        other => still_loading(other.kind()),
    }
}

/// The stack as the messages about its model name it.
fn model_name(kind: ServerKind) -> &'static str {
    match kind {
        ServerKind::Rails => "Rails",
        ServerKind::Django => "Django",
        ServerKind::Express => "Express",
        ServerKind::FastApi => "FastAPI",
        ServerKind::Laravel => "Laravel",
        ServerKind::Raw => "raw-header server",
    }
}

/// A model whose code has not arrived (or a preparer given a setup of
/// another kind): the server is not ready, and the field error says why.
fn still_loading(kind: ServerKind) -> Prepared<'static> {
    Prepared {
        model: Box::new(NotLoaded),
        field_errors: vec![FieldError {
            field: "server.model".into(),
            message: format!(
                "the {} model is still loading; the verdict follows as soon as it is here",
                model_name(kind)
            ),
        }],
    }
}

/// A model whose download failed: the verdict stays "Incomplete" and says
/// what to do, instead of waiting for code that is not coming.
#[cfg(feature = "models-on-demand")]
fn not_downloaded(kind: ServerKind) -> Prepared<'static> {
    Prepared {
        model: Box::new(NotLoaded),
        field_errors: vec![FieldError {
            field: "server.model".into(),
            message: format!(
                "the {} model could not be downloaded; check your connection and choose Try again",
                model_name(kind)
            ),
        }],
    }
}

/// Answers nothing: the simulation does not send a request to a server with
/// a field error (`simulate::run_requests`), so `respond` is never reached.
struct NotLoaded;

impl ServerModel for NotLoaded {
    fn boot(&self) -> Result<(), Vec<Step>> {
        Ok(())
    }

    fn respond(&self, _request: &WireRequest, _request_index: usize) -> ServerReply {
        // 503: had it been sent, nothing would have answered it.
        ServerReply {
            response: WireResponse {
                status: 503,
                headers: Default::default(),
            },
            steps: Vec::new(),
        }
    }

    fn memory(&self) -> ServerMemory {
        ServerMemory::default()
    }
}

#[cfg(all(test, not(feature = "models-on-demand")))]
mod tests {
    use super::*;

    #[test]
    fn each_preparer_answers_for_its_own_kind_only() {
        let preparers: [(ServerKind, Preparer); 6] = [
            (ServerKind::Rails, rails),
            (ServerKind::Django, django),
            (ServerKind::Express, express),
            (ServerKind::Raw, raw),
            (ServerKind::FastApi, fastapi),
            (ServerKind::Laravel, laravel),
        ];
        for (kind, preparer) in preparers {
            for other in ServerKind::ALL {
                let setup = other.default_setup();
                let loading = preparer(&setup)
                    .field_errors
                    .iter()
                    .any(|e| e.field == "server.model" && e.message.contains("still loading"));
                assert_eq!(loading, kind != other, "{kind:?} given {other:?}");
            }
        }
    }
}

/// The build that loads models on demand (`cargo test -p crumbtrail-engine
/// --features models-on-demand --lib server::models`, in `./dev test`).
#[cfg(all(test, feature = "models-on-demand"))]
mod on_demand_tests {
    use super::*;
    use crate::explain::summary::field_label;
    use crate::Scenario;

    #[test]
    fn a_missing_model_makes_the_verdict_incomplete_until_it_is_registered() {
        let scenario = Scenario::default();
        let kind = scenario.server.kind();
        assert!(!is_registered(kind));
        let waiting = crate::simulate(&scenario);
        let error = &waiting.field_errors[0];
        assert_eq!(error.field, "server.model");
        assert_eq!(field_label(&error.field), "Server");
        assert!(
            waiting.headline.starts_with("Incomplete"),
            "{}",
            waiting.headline
        );
        assert!(
            waiting.requests.iter().all(|o| !o.readable()),
            "nothing answered while the model is missing"
        );

        register(kind, rails);
        assert!(is_registered(kind));
        let answered = crate::simulate(&scenario);
        assert!(
            answered.field_errors.is_empty(),
            "{:?}",
            answered.field_errors
        );
        assert!(!answered.headline.starts_with("Incomplete"));
    }

    #[test]
    fn a_failed_download_says_so_until_the_model_arrives() {
        let scenario = Scenario {
            server: ServerKind::Express.default_setup(),
            ..Default::default()
        };
        assert!(!has_failed(ServerKind::Express));
        mark_failed(ServerKind::Express);
        assert!(has_failed(ServerKind::Express));
        let failed = crate::simulate(&scenario);
        assert!(
            failed.headline.starts_with("Incomplete")
                && failed.headline.contains("could not be downloaded")
                && failed.headline.contains("Try again"),
            "{}",
            failed.headline
        );
        // Another kind is not affected.
        assert!(!has_failed(ServerKind::Django));

        register(ServerKind::Express, express);
        assert!(!has_failed(ServerKind::Express));
        let answered = crate::simulate(&scenario);
        assert!(
            answered.field_errors.is_empty(),
            "{:?}",
            answered.field_errors
        );
        // A failure reported after the model arrived changes nothing.
        mark_failed(ServerKind::Express);
        assert!(!has_failed(ServerKind::Express));
    }
}
