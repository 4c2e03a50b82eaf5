//! Crumbtrail's decision engine.
//!
//! Takes one [`Scenario`] (page, browser profile, requests, server) and
//! returns a [`Trace`]: every decision the browser makes, in order, each with
//! an enumerated [`Reason`], a [`Verdict`], a plain explanation and the spec
//! section behind it. Pure Rust: no web APIs, so it runs natively and in wasm.
//!
//! Modules are named after what they decide:
//! - [`origin`], [`site`], [`mixed_content`]: URLs, origins, sites, secure contexts.
//! - [`safelist`]: methods and request headers (Fetch §2.2), when a preflight is needed.
//! - [`preflight`], [`cors_check`]: the CORS protocol (Fetch §4.8, §4.10).
//! - [`cookie_date`], [`set_cookie`], [`cookie_store`]: cookies (RFC 6265bis §5).
//! - [`profile`]: what differs between browsers.
//! - [`server`]: server models (raw headers, Rails: rack-cors and the session store).
//! - [`simulate`]: runs a scenario end to end and writes the trace.
//! - [`permalink`]: the scenario as a short, human-readable query string.

pub mod codegen;
pub mod cookie_date;
pub mod cookie_store;
pub mod cors_check;
pub mod fixes;
pub mod headers;
pub mod http;
pub mod live;
pub mod mixed_content;
pub mod origin;
pub mod permalink;
pub mod preflight;
pub mod presets;
pub mod profile;
pub mod safelist;
pub mod scenario;
pub mod server;
pub mod set_cookie;
pub mod simulate;
pub mod site;
pub mod spec;
pub mod trace;

pub use profile::{BrowserProfile, ProfileId};
pub use scenario::Scenario;
pub use simulate::simulate;
pub use trace::{Phase, Reason, Step, Trace, Verdict};
