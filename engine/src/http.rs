//! What crosses the wire between the simulated browser and the simulated
//! server, and the interface every server model implements.

use serde::{Deserialize, Serialize};

use crate::headers::HeaderList;
use crate::trace::Step;

/// A request as the browser sends it (after the browser added `Origin`,
/// `Cookie`, `Access-Control-Request-*` and dropped forbidden headers).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WireRequest {
    pub method: String,
    /// Absolute URL, serialized.
    pub url: String,
    pub headers: HeaderList,
    /// True for a CORS preflight (`OPTIONS` with `Access-Control-Request-Method`).
    pub is_preflight: bool,
}

impl WireRequest {
    /// Path of the URL (no query), e.g. `/login`.
    pub fn path(&self) -> String {
        url::Url::parse(&self.url)
            .map(|u| u.path().to_string())
            .unwrap_or_else(|_| "/".into())
    }

    /// Scheme of the URL (`http` or `https`).
    pub fn scheme(&self) -> String {
        url::Url::parse(&self.url)
            .map(|u| u.scheme().to_string())
            .unwrap_or_default()
    }

    /// Host of the URL, without port.
    pub fn host(&self) -> String {
        url::Url::parse(&self.url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_default()
    }
}

/// A response as the server sends it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WireResponse {
    pub status: u16,
    pub headers: HeaderList,
}

/// What a server model did with one request: the response (if any), and
/// steps explaining server-side decisions (rack-cors miss, session not written…).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ServerReply {
    pub response: WireResponse,
    pub steps: Vec<Step>,
}

/// Anything that answers requests: raw header lines, or a framework model.
pub trait ServerModel {
    /// Checks the configuration before any request; `Err` holds the steps
    /// explaining why the server cannot start (e.g. rack-cors refusing
    /// `origins '*'` with `credentials: true`).
    fn boot(&self) -> Result<(), Vec<Step>>;

    /// Answers one request. `request_index` is used for the steps it returns.
    fn respond(&self, request: &WireRequest, request_index: usize) -> ServerReply;
}
