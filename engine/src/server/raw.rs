//! Raw mode: the user types the response headers, per path and method.
//! The first route whose method and path match answers; a preflight gets the
//! route's preflight answer, any other request its actual answer.

use crate::headers::HeaderList;
use crate::http::{ServerModel, ServerReply, WireRequest, WireResponse};
use crate::scenario::{RawResponse, RawServer};
use crate::spec;
use crate::trace::{FieldError, Phase, Reason, Step, Verdict};

/// A raw server with its header lines already read.
pub struct RawServerModel {
    routes: Vec<ParsedRoute>,
    errors: Vec<FieldError>,
}

struct ParsedRoute {
    method: String,
    path: String,
    preflight: WireResponse,
    response: WireResponse,
}

fn read(resp: &RawResponse, field: String, errors: &mut Vec<FieldError>) -> WireResponse {
    let headers = match HeaderList::parse_response_lines(&resp.headers) {
        Ok(h) => h,
        Err(e) => {
            errors.push(FieldError {
                field,
                message: e.to_string(),
            });
            HeaderList::new()
        }
    };
    WireResponse {
        status: if resp.status == 0 { 200 } else { resp.status },
        headers,
    }
}

impl RawServerModel {
    pub fn new(raw: &RawServer) -> Self {
        let mut errors = Vec::new();
        let mut routes = Vec::new();
        for (i, r) in raw.routes.iter().enumerate() {
            let status_ok = |s: u16| s == 0 || (100..=599).contains(&s);
            for (which, resp) in [("preflight", &r.preflight), ("response", &r.response)] {
                if !status_ok(resp.status) {
                    errors.push(FieldError {
                        field: format!("server.routes.{i}.{which}.status"),
                        message: format!("{} is not an HTTP status (100–599)", resp.status),
                    });
                }
            }
            routes.push(ParsedRoute {
                method: r.method.trim().to_string(),
                path: r.path.trim().to_string(),
                preflight: read(
                    &r.preflight,
                    format!("server.routes.{i}.preflight.headers"),
                    &mut errors,
                ),
                response: read(
                    &r.response,
                    format!("server.routes.{i}.response.headers"),
                    &mut errors,
                ),
            });
        }
        RawServerModel { routes, errors }
    }

    /// Header lines or statuses that could not be read.
    pub fn field_errors(&self) -> &[FieldError] {
        &self.errors
    }

    /// The first route for `method` whose path matches. A route path that
    /// starts with `http://` or `https://` is matched against the whole URL
    /// without query (`https://api.example.test/me`), so one raw server can
    /// answer several origins, e.g. both ends of a redirect.
    fn route(&self, method: &str, path: &str, url: &str) -> Option<&ParsedRoute> {
        let url = &url[..url.find(['?', '#']).unwrap_or(url.len())];
        self.routes.iter().find(|r| {
            let method_ok =
                r.method.is_empty() || r.method == "*" || r.method.eq_ignore_ascii_case(method);
            let against = if r.path.starts_with("http://") || r.path.starts_with("https://") {
                url
            } else {
                path
            };
            let path_ok = match r.path.strip_suffix('*') {
                Some(prefix) => against.starts_with(prefix),
                None => r.path.is_empty() || r.path == against,
            };
            method_ok && path_ok
        })
    }
}

impl ServerModel for RawServerModel {
    fn boot(&self) -> Result<(), Vec<Step>> {
        Ok(())
    }

    fn respond(&self, request: &WireRequest, request_index: usize) -> ServerReply {
        let path = request.path();
        // A preflight is routed by the method it asks about.
        let method = if request.is_preflight {
            request
                .headers
                .get("access-control-request-method")
                .unwrap_or_else(|| request.method.clone())
        } else {
            request.method.clone()
        };
        match self.route(&method, &path, &request.url) {
            Some(route) => {
                let response = if request.is_preflight {
                    route.preflight.clone()
                } else {
                    route.response.clone()
                };
                ServerReply {
                    steps: vec![Step::new(
                        Some(request_index),
                        Phase::Server,
                        Verdict::Ok,
                        Reason::ServerResponded,
                        format!(
                            "The server answers the {} with {}",
                            if request.is_preflight { "preflight" } else { "request" },
                            response.status
                        ),
                        "In raw mode the server sends exactly the header lines you typed for this route.",
                        spec::FETCH_HTTP_NETWORK,
                    )
                    .with("Route", format!("{} {}", route.method, route.path))],
                    response,
                }
            }
            None => ServerReply {
                response: WireResponse {
                    status: 404,
                    headers: HeaderList::new(),
                },
                steps: vec![Step::new(
                    Some(request_index),
                    Phase::Server,
                    Verdict::Warning,
                    Reason::ServerNoRoute,
                    format!("No route for {method} {path}: 404 without headers"),
                    "No raw route matches this method and path, so the simulated server answers 404 with no headers at all. Add a route for it.",
                    spec::FETCH_HTTP_NETWORK,
                )],
            },
        }
    }
}

pub mod keys;
mod stack;

/// A new raw server: one route answering every path, with the headers a
/// credentialed CORS API on `localhost:3001` sends to `localhost:3000`.
pub fn default_server() -> RawServer {
    RawServer {
        routes: vec![crate::scenario::RawRoute {
            method: "*".into(),
            path: "*".into(),
            preflight: RawResponse {
                status: 204,
                headers: "Access-Control-Allow-Origin: http://localhost:3000\nAccess-Control-Allow-Credentials: true\nAccess-Control-Allow-Methods: GET, POST\nAccess-Control-Allow-Headers: Content-Type".into(),
            },
            response: RawResponse {
                status: 200,
                headers: "Access-Control-Allow-Origin: http://localhost:3000\nAccess-Control-Allow-Credentials: true\nSet-Cookie: session=abc; Path=/; HttpOnly; SameSite=Lax".into(),
            },
        }],
    }
}
