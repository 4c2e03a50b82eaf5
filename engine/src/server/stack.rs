//! The server interface: one [`Stack`] per server kind (Rails, raw headers, …).
//!
//! Everything that depends on which server the scenario describes goes
//! through this trait: the simulation (the [`ServerModel`] that answers each
//! request), the fix search (the stack's own setting changes, its goal and
//! its safety rules), code generation, the permalink (the stack's keys), live
//! mode's mapping and the lab (which answers with the same model).
//!
//! Adding a stack: a module under `server/<stack>/` that implements [`Stack`]
//! and [`StackKeys`], one [`ServerKind`] variant with its entries in the
//! tables below, one variant of [`ServerSetup`] with its dispatch line in
//! [`ServerSetup::stack`] / [`ServerSetup::stack_mut`] /
//! [`ServerSetup::encode_keys`] / [`ServerSetup::kind`], and its preparer in
//! `server/models.rs`. No decision code elsewhere changes.

use url::Url;

use crate::explain::codegen::Generated;
use crate::explain::fixes::Candidate;
use crate::http::ServerModel;
use crate::permalink::{Reader, Writer};
use crate::scenario::{Scenario, ServerSetup};
use crate::trace::FieldError;

/// The server kinds, in the order the server-kind selector lists them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ServerKind {
    Rails,
    Django,
    Express,
    Raw,
    FastApi,
    Laravel,
}

impl ServerKind {
    /// Every kind, in the selector's order.
    pub const ALL: [ServerKind; 6] = [
        ServerKind::Rails,
        ServerKind::Express,
        ServerKind::Django,
        ServerKind::FastApi,
        ServerKind::Laravel,
        ServerKind::Raw,
    ];

    /// The permalink value of `server=`.
    pub fn key(self) -> &'static str {
        match self {
            ServerKind::Rails => "rails",
            ServerKind::Django => "django",
            ServerKind::Express => "express",
            ServerKind::Raw => "raw",
            ServerKind::FastApi => "fastapi",
            ServerKind::Laravel => "laravel",
        }
    }

    /// The name the selector shows.
    pub fn label(self) -> &'static str {
        match self {
            ServerKind::Rails => "Rails (settings)",
            ServerKind::Django => "Django (settings.py)",
            ServerKind::Express => "Express (app.js)",
            ServerKind::Raw => "Any server (raw response headers)",
            ServerKind::FastApi => "FastAPI (main.py)",
            ServerKind::Laravel => "Laravel + Sanctum (config/cors.php, .env)",
        }
    }

    /// Reads `server=` values.
    pub fn from_key(key: &str) -> Option<ServerKind> {
        ServerKind::ALL.into_iter().find(|k| k.key() == key)
    }

    /// A new server of this kind, with the framework's defaults.
    pub fn default_setup(self) -> ServerSetup {
        match self {
            ServerKind::Rails => ServerSetup::Rails(Default::default()),
            ServerKind::Django => ServerSetup::Django(Box::default()),
            ServerKind::Express => ServerSetup::Express(Default::default()),
            ServerKind::Raw => ServerSetup::Raw(crate::server::raw::default_server()),
            ServerKind::FastApi => ServerSetup::FastApi(Box::default()),
            ServerKind::Laravel => ServerSetup::Laravel(Box::default()),
        }
    }

    /// A reader of this kind's permalink keys.
    pub fn key_reader(self) -> Box<dyn StackKeys> {
        match self {
            ServerKind::Rails => Box::new(crate::server::rails::keys::RailsKeys::new()),
            ServerKind::Django => Box::new(crate::server::django::keys::DjangoKeys::default()),
            ServerKind::Express => Box::new(crate::server::express::keys::ExpressKeys::default()),
            ServerKind::Raw => Box::new(crate::server::raw::keys::RawKeys::default()),
            ServerKind::FastApi => Box::new(crate::server::fastapi::keys::FastApiKeys::default()),
            ServerKind::Laravel => Box::new(crate::server::laravel::keys::LaravelKeys::default()),
        }
    }

    /// `server=` values as a notice lists them: `rails or raw`.
    pub fn keys_listed() -> String {
        let keys: Vec<&str> = ServerKind::ALL.iter().map(|k| k.key()).collect();
        match keys.split_last() {
            Some((last, [])) => last.to_string(),
            Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
            None => String::new(),
        }
    }
}

impl ServerSetup {
    /// The one dispatch from a setup to its stack.
    pub fn stack(&self) -> &dyn Stack {
        match self {
            ServerSetup::Rails(app) => app,
            ServerSetup::Django(app) => app.as_ref(),
            ServerSetup::Express(app) => app,
            ServerSetup::Raw(raw) => raw,
            ServerSetup::FastApi(app) => app.as_ref(),
            ServerSetup::Laravel(app) => app.as_ref(),
        }
    }

    /// The one dispatch from a setup to its stack, to change it.
    pub fn stack_mut(&mut self) -> &mut dyn Stack {
        match self {
            ServerSetup::Rails(app) => app,
            ServerSetup::Django(app) => app.as_mut(),
            ServerSetup::Express(app) => app,
            ServerSetup::Raw(raw) => raw,
            ServerSetup::FastApi(app) => app.as_mut(),
            ServerSetup::Laravel(app) => app.as_mut(),
        }
    }

    /// The model that answers the requests (see [`super::models`]: the
    /// simulation reaches a stack only through it).
    pub fn prepare(&self) -> Prepared<'_> {
        super::models::prepare(self)
    }

    /// Writes the stack's permalink keys. A direct call per stack, not
    /// through [`Stack`]'s vtable, so that writing a link does not carry
    /// every stack's fix search, code generation and model along.
    pub fn encode_keys(&self, w: &mut Writer) {
        match self {
            ServerSetup::Rails(app) => Stack::encode_keys(app, w),
            ServerSetup::Django(app) => Stack::encode_keys(app.as_ref(), w),
            ServerSetup::Express(app) => Stack::encode_keys(app, w),
            ServerSetup::FastApi(app) => Stack::encode_keys(app.as_ref(), w),
            ServerSetup::Laravel(app) => Stack::encode_keys(app.as_ref(), w),
            ServerSetup::Raw(raw) => Stack::encode_keys(raw, w),
        }
    }

    pub fn kind(&self) -> ServerKind {
        match self {
            ServerSetup::Rails(_) => ServerKind::Rails,
            ServerSetup::Django(_) => ServerKind::Django,
            ServerSetup::Express(_) => ServerKind::Express,
            ServerSetup::FastApi(_) => ServerKind::FastApi,
            ServerSetup::Laravel(_) => ServerKind::Laravel,
            ServerSetup::Raw(_) => ServerKind::Raw,
        }
    }
}

/// The server model ready to answer requests, and the settings it could not read.
pub struct Prepared<'a> {
    pub model: Box<dyn ServerModel + 'a>,
    pub field_errors: Vec<FieldError>,
}

/// One file of generated configuration, titled as the user would find it
/// (`config/initializers/cors.rb`, `app.js`).
pub struct CodeFile {
    pub title: &'static str,
    pub generated: Generated,
}

/// What the fix search costs per candidate for this server, in the units of
/// `fixes::search` (bytes copied and applied; boot work units).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SearchCost {
    pub bytes: usize,
    pub boot_units: u64,
}

/// One server stack. Implemented by each `server/<stack>` module.
pub trait Stack {
    fn kind(&self) -> ServerKind;

    /// Reads the settings once into the model that answers the requests.
    fn prepare(&self) -> Prepared<'_>;

    /// The model, continuing from what an earlier one remembered
    /// ([`crate::http::ServerModel::memory`]); the lab answers a run's
    /// requests one at a time with it.
    fn resume(&self, _memory: &crate::http::ServerMemory) -> Prepared<'_> {
        self.prepare()
    }

    // --- Fix search (explain/fixes) --------------------------------------

    /// The name of the session cookie the fix goal watches; `None` when any
    /// cookie will do.
    fn session_key(&self) -> Option<String>;

    /// Does a request with this method and path log in (so the session
    /// cookie must be stored, then sent)? `None`: the stack cannot tell, and
    /// the search decides from the trace (any cookie stored or rejected).
    fn logs_in(&self, method: &str, path: &str) -> Option<bool>;

    /// Beyond every response being readable and the session cookie
    /// flowing: did the server do what the requests asked? A stack that
    /// sets its session cookie on every response, failed ones too
    /// (Laravel), says no for a 419 or a 401 here. Default: yes.
    fn server_goal_holds(&self, _trace: &crate::trace::Trace) -> bool {
        true
    }

    /// The stack's own setting changes, one list per kind of change, most
    /// preferred first (the search takes them round by round).
    fn fix_candidates(&self, scenario: &Scenario) -> Vec<Vec<Candidate>>;

    /// The stack's safety rules for a candidate (`self`) against the
    /// original setup: never an unsafe change (a wildcard origin with
    /// credentials, dropping HttpOnly, dropping Secure over https).
    fn is_safe(&self, original: &ServerSetup, api_is_https: bool) -> bool;

    /// How much one candidate of this setup costs the search.
    fn search_cost(&self, scenario: &Scenario) -> SearchCost;

    /// Facts about this server's settings for a request to `api` that no
    /// single setting change can state (shown with the architecture advice).
    fn advice(&self, api: &Url) -> Vec<String>;

    // --- Generated configuration (explain/codegen) -----------------------

    /// The configuration files in the framework's own language.
    fn code(&self) -> Vec<CodeFile>;

    // --- Permalink (sharing/permalink) -----------------------------------

    /// Writes the keys that differ from this stack's defaults (and
    /// `server=` when this is not the default stack).
    fn encode_keys(&self, w: &mut Writer);

    // --- Live mode (sharing/live) and the lab ----------------------------

    /// True when the server answers with redirects, which live mode does
    /// not run yet.
    fn answers_with_redirects(&self) -> bool;

    /// Why the lab cannot stand in for this server, given the lab origins
    /// the requests map to (e.g. an absolute route on another origin).
    fn live_blockers(&self, lab_origins: &[String], blockers: &mut Vec<String>);

    /// True when a cookie may carry a `Domain` attribute.
    fn mentions_domain(&self) -> bool;

    /// Gives every cookie the server sets a name ending in `tag`.
    fn tag_cookie_names(&mut self, tag: &str);

    /// Names of cookies the server sets that [`Self::tag_cookie_names`]
    /// cannot change (the framework writes them as constants), with the
    /// `Path` it gives them. A live run expires any such cookie an earlier
    /// run left in the browser before it starts, so the browser starts as
    /// empty as the simulated jar.
    fn fixed_cookie_names(&self) -> Vec<(String, String)> {
        Vec::new()
    }

    /// Every header the lab would send must be one a server can send.
    fn check_for_lab(&self) -> Result<(), String>;
}

/// Reads one stack's permalink keys. The link's `server=` chooses which
/// reader's setup is kept; the others' keys are reported as ignored.
pub trait StackKeys {
    /// Reads a key of this stack; false when the key is not this stack's.
    fn read(&mut self, r: &mut Reader, key: &str, value: &str) -> bool;

    /// True once a key of this stack was read.
    fn used(&self) -> bool;

    /// The setup the keys describe (count keys applied now).
    fn finish(self: Box<Self>, r: &mut Reader) -> ServerSetup;

    /// The notice when this stack's keys were read but the link chose `chosen`.
    fn ignored(&self, chosen: ServerKind) -> String;
}
