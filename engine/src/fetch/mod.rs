//! The Fetch Standard as the browser runs it for one scenario: the request's
//! headers and the CORS-safelist (§2.2), the CORS-preflight fetch (§4.8), the
//! CORS check (§4.10), what crosses the wire, and [`simulate`], which runs
//! main fetch, HTTP fetch and HTTP-redirect fetch for every request.

pub mod cors_check;
pub mod headers;
pub mod http;
pub mod preflight;
pub mod safelist;
pub mod simulate;
