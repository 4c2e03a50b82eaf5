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
    /// The serialized URL split at `://`: (scheme, rest). `url` always holds
    /// a URL serialized by the URL parser, so plain slicing is exact and
    /// avoids parsing it again for every question a server model asks.
    fn split(&self) -> (&str, &str) {
        self.url.split_once("://").unwrap_or(("", &self.url))
    }

    /// Path of the URL (no query), e.g. `/login`.
    pub fn path(&self) -> String {
        let rest = self.split().1;
        let path = match rest.find('/') {
            Some(i) => &rest[i..],
            None => "/",
        };
        let end = path.find(['?', '#']).unwrap_or(path.len());
        path[..end].to_string()
    }

    /// Scheme of the URL (`http` or `https`).
    pub fn scheme(&self) -> String {
        self.split().0.to_string()
    }

    /// Host of the URL, without port (IPv6 in brackets).
    pub fn host(&self) -> String {
        let rest = self.split().1;
        let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
        let authority = authority.rsplit('@').next().unwrap_or(authority);
        if authority.starts_with('[') {
            return match authority.find(']') {
                Some(i) => authority[..=i].to_string(),
                None => authority.to_string(),
            };
        }
        authority.split(':').next().unwrap_or("").to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_parts_match_the_url_parser() {
        for u in [
            "http://localhost:3001/login",
            "https://api.example.test/a/b?x=1#f",
            "http://[::1]:8080/",
            "http://127.0.0.1/",
            "https://example.com",
        ] {
            let parsed = url::Url::parse(u).unwrap();
            let req = WireRequest {
                method: "GET".into(),
                url: parsed.to_string(),
                headers: HeaderList::new(),
                is_preflight: false,
            };
            assert_eq!(req.path(), parsed.path(), "{u}");
            assert_eq!(req.scheme(), parsed.scheme(), "{u}");
            assert_eq!(req.host(), parsed.host_str().unwrap(), "{u}");
        }
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

    /// What the model remembers after the requests it has answered (see
    /// [`ServerMemory`]); nothing for a model that answers each request alike.
    fn memory(&self) -> ServerMemory {
        ServerMemory::default()
    }
}

/// What a server model carries from one request to the next: a raw route
/// that answers only its Nth call counts the calls. The simulation keeps one
/// model for a whole run; a server that answers one request at a time (the
/// lab) keeps this between requests and resumes the model from it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ServerMemory {
    pub raw_calls: Vec<crate::server::raw::RouteCalls>,
    /// A Laravel app's session handler (the database, file or cache store):
    /// the sessions the earlier requests saved, and the ids handed out.
    pub laravel_sessions: Option<crate::server::laravel::session::Store>,
    /// A Django app's sessions and the CSRF secrets it issued.
    pub django_sessions: Option<crate::server::django::sessions::Store>,
}
