//! The Fetch Standard as the browser runs it for one scenario: the request's
//! headers and the CORS-safelist (§2.2), the CORS-preflight fetch (§4.8), the
//! CORS check (§4.10), what crosses the wire, and [`simulate`], which runs
//! every request through main fetch, HTTP fetch, the CORS-preflight fetch,
//! HTTP-network-or-cache fetch and HTTP-redirect fetch — one module each.

pub mod axios_xsrf;
pub mod cors_check;
pub mod form;
pub mod headers;
pub mod http;
pub mod local_network_access;
pub mod preflight;
pub mod safelist;
pub mod simulate;
pub mod storage_access;

// The algorithms `simulate` runs, one module per Fetch section.
mod client_request;
pub use client_request::AXIOS_ACCEPT;
mod http_fetch;
mod main_fetch;
mod network_fetch;
mod preflight_fetch;
mod redirect;
