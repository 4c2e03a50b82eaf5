//! Crumbtrail's decision engine.
//!
//! Takes one [`Scenario`] (page, browser profile, requests, server) and
//! returns a [`Trace`]: every decision the browser makes, in order, each with
//! an enumerated [`Reason`], a [`Verdict`], a plain explanation and the spec
//! section behind it. Pure Rust: no web APIs, so it runs natively and in wasm.
//!
//! The folders show the parts:
//! - [`urls`]: URLs, origins, sites (real Public Suffix List), mixed content.
//! - [`fetch`]: the Fetch Standard — safelists, CORS-preflight fetch, the CORS
//!   check, and [`fetch::simulate`], which runs every request end to end.
//! - [`cookies`]: RFC 6265bis — `Set-Cookie` parsing, dates, the cookie store.
//! - [`profile`]: what differs between browsers.
//! - [`server`]: server models behind one interface (raw headers, Rails).
//! - [`explain`]: the trace, its reason codes and spec sections, fixes, code.
//! - [`sharing`]: permalinks, presets, live mode's pure parts.
//! - [`import`]: HAR files, copied headers, cURL and fetch calls turned into
//!   a scenario, compared with what was recorded, redacted, written up.
//!
//! Every module is also re-exported at the crate root under its own name
//! (`crumbtrail_engine::preflight`), so a path names what it decides.

pub mod cookies;
pub mod explain;
pub mod fetch;
pub mod import;
pub mod profile;
pub mod scenario;
pub mod server;
pub mod sharing;
pub mod urls;

pub use cookies::{cookie_date, cookie_store, set_cookie};
pub use explain::{codegen, fixes, spec, trace};
pub use fetch::{
    cors_check, form, headers, http, local_network_access, preflight, safelist, simulate,
    storage_access,
};
pub use sharing::{live, permalink, presets};
pub use urls::{address_space, mixed_content, origin, site};

pub use profile::{BrowserProfile, ProfileId};
pub use scenario::Scenario;
pub use simulate::simulate;
pub use trace::{Phase, Reason, Step, Trace, Verdict};
