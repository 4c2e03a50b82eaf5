//! Raw mode: the user types the response headers, per path and method.
//! The first route whose method and path match answers; a preflight gets the
//! route's preflight answer, any other request its actual answer.
//!
//! A route may answer only the Nth matching request (`call`), so one path can
//! answer differently on successive calls; this is the model's only state,
//! one counter per route, kept for one simulation. A route may reflect the
//! request's `Origin` (`reflect_origin`) and match the query (`match_query`).

use std::cell::RefCell;

use crate::headers::HeaderList;
use crate::http::{ServerModel, ServerReply, WireRequest, WireResponse};
use crate::scenario::{RawResponse, RawServer};
use crate::spec;
use crate::trace::{FieldError, Phase, Reason, Step, Verdict};

/// A raw server with its header lines already read.
pub struct RawServerModel {
    routes: Vec<ParsedRoute>,
    errors: Vec<FieldError>,
    /// Per route: the calls so far that matched its method and path,
    /// whichever route answered them (see [`RouteCalls`]).
    calls: RefCell<Vec<RouteCalls>>,
}

/// How a route counts calls. A call is an actual request, with the
/// preflight before it: a preflight opens a call that the next actual
/// request matching the route completes; a preflight that another preflight
/// follows first (the browser refused to send its request) counts as a call
/// of its own.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RouteCalls {
    /// Calls completed or abandoned so far.
    pub count: u32,
    /// A preflight opened a call whose actual request has not come yet.
    pub pending: bool,
}

struct ParsedRoute {
    method: String,
    path: String,
    preflight: WireResponse,
    response: WireResponse,
    call: u32,
    reflect_origin: bool,
    match_query: bool,
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
        if raw.routes.is_empty() {
            // `?server=raw` alone: without a route every request would get a
            // bare 404, and the headline would blame CORS instead.
            errors.push(FieldError {
                field: "server.routes".into(),
                message: "no routes yet: add one with the status and headers your server \
                          answers (with none, every request gets a 404 without headers)"
                    .into(),
            });
        }
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
                call: r.call,
                reflect_origin: r.reflect_origin,
                match_query: r.match_query,
            });
        }
        let calls = RefCell::new(vec![RouteCalls::default(); routes.len()]);
        RawServerModel {
            routes,
            errors,
            calls,
        }
    }

    /// A model that continues counting from `calls` (what [`Self::calls`]
    /// returned after the previous request), for a server that answers one
    /// request at a time, such as the lab's.
    pub fn with_calls(raw: &RawServer, calls: Vec<RouteCalls>) -> Self {
        let model = RawServerModel::new(raw);
        {
            let mut counts = model.calls.borrow_mut();
            for (slot, n) in counts.iter_mut().zip(calls) {
                *slot = n;
            }
        }
        model
    }

    /// Per route: the calls so far that matched its method and path.
    pub fn calls(&self) -> Vec<RouteCalls> {
        self.calls.borrow().clone()
    }

    /// Header lines or statuses that could not be read.
    pub fn field_errors(&self) -> &[FieldError] {
        &self.errors
    }

    /// The routes whose method and path match (ignoring `call`). A route
    /// path that starts with `http://` or `https://` is matched against the
    /// whole URL (`https://api.example.test/me`), so one raw server can answer
    /// several origins, e.g. both ends of a redirect. The query counts only
    /// for a route with `match_query`.
    fn matching(&self, method: &str, path: &str, url: &str) -> Vec<usize> {
        let url = &url[..url.find('#').unwrap_or(url.len())];
        let query = url.find('?').map(|i| &url[i..]).unwrap_or("");
        let bare_url = &url[..url.len() - query.len()];
        let path_query = format!("{path}{query}");
        (0..self.routes.len())
            .filter(|&i| {
                let r = &self.routes[i];
                let method_ok =
                    r.method.is_empty() || r.method == "*" || r.method.eq_ignore_ascii_case(method);
                let absolute = r.path.starts_with("http://") || r.path.starts_with("https://");
                let against = match (absolute, r.match_query) {
                    (true, true) => url,
                    (true, false) => bare_url,
                    (false, true) => path_query.as_str(),
                    (false, false) => path,
                };
                let path_ok = match r.path.strip_suffix('*') {
                    Some(prefix) => against.starts_with(prefix),
                    None => r.path.is_empty() || r.path == against,
                };
                method_ok && path_ok
            })
            .collect()
    }

    /// The route that answers: the first matching one whose `call` is 0 or
    /// the number this call has among those matching it (see [`RouteCalls`]).
    fn route(&self, method: &str, path: &str, url: &str, preflight: bool) -> Option<usize> {
        let matching = self.matching(method, path, url);
        let mut calls = self.calls.borrow_mut();
        for &i in &matching {
            let c = &mut calls[i];
            // A second preflight, or a preflight after an abandoned one: the
            // earlier call never got its request.
            if preflight && c.pending {
                c.count = c.count.saturating_add(1);
            }
            c.pending = preflight;
        }
        let chosen = matching.iter().copied().find(|&i| {
            let call = self.routes[i].call;
            call == 0 || calls[i].count.saturating_add(1) == call
        });
        if !preflight {
            for &i in &matching {
                calls[i].count = calls[i].count.saturating_add(1);
            }
        }
        chosen
    }
}

/// `reflect_origin`: `Access-Control-Allow-Origin` becomes the request's
/// `Origin` (Fetch §CORS protocol: the value the CORS check compares), and
/// `Vary: Origin` is added so caches keep one answer per origin.
fn reflect(response: &mut WireResponse, origin: Option<&str>) {
    response.headers.remove("access-control-allow-origin");
    if let Some(origin) = origin {
        response.headers.push("Access-Control-Allow-Origin", origin);
    }
    let varies = response.headers.get_all("vary").iter().any(|v| {
        v.split(',')
            .any(|t| t.trim().eq_ignore_ascii_case("origin") || t.trim() == "*")
    });
    if !varies {
        response.headers.push("Vary", "Origin");
    }
}

impl ServerModel for RawServerModel {
    fn memory(&self) -> crate::http::ServerMemory {
        crate::http::ServerMemory {
            raw_calls: self.calls(),
            ..Default::default()
        }
    }

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
        match self.route(&method, &path, &request.url, request.is_preflight) {
            Some(i) => {
                let route = &self.routes[i];
                let mut response = if request.is_preflight {
                    route.preflight.clone()
                } else {
                    route.response.clone()
                };
                let origin = request.headers.get("origin");
                if route.reflect_origin {
                    reflect(&mut response, origin.as_deref());
                }
                let mut step = Step::new(
                    Some(request_index),
                    Phase::Server,
                    Verdict::Ok,
                    Reason::ServerResponded,
                    format!(
                        "The server answers the {} with {}",
                        if request.is_preflight { "preflight" } else { "request" },
                        response.status
                    ),
                    explanation(route, origin.is_some()),
                    spec::FETCH_HTTP_NETWORK,
                )
                .with("Route", format!("{} {}", route.method, route.path));
                if route.call > 0 {
                    step = step.with("Call", format!("{} of {} {}", route.call, route.method, route.path));
                }
                if route.reflect_origin {
                    step = step.with(
                        "Access-Control-Allow-Origin",
                        origin.unwrap_or_else(|| "(none: the request has no Origin)".into()),
                    );
                }
                let mut steps = vec![step];
                if !request.is_preflight && response.status >= 500 {
                    steps.push(Step::new(
                        Some(request_index),
                        Phase::Server,
                        Verdict::Blocked,
                        Reason::ServerError,
                        format!("The server failed: {}", response.status),
                        "The server answered with a 5xx status: the request reached it and failed there (an exception, a missing middleware, a crash), so whatever the browser does with the answer, the login or the action did not happen. The server's log says why.",
                        spec::HTTP_SERVER_ERROR,
                    ));
                }
                ServerReply { steps, response }
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
                    "No raw route matches this method and path (and, for a route that answers only its Nth call, this call number), so the simulated server answers 404 with no headers at all. Add a route for it.",
                    spec::FETCH_HTTP_NETWORK,
                )],
            },
        }
    }
}

/// The server step's text: what raw mode sends for this route.
fn explanation(route: &ParsedRoute, has_origin: bool) -> String {
    let mut text =
        "In raw mode the server sends exactly the header lines you typed for this route."
            .to_string();
    if route.call > 0 {
        text += &format!(
            " This route answers only call {} of this method and path, so earlier and later calls can get other answers.",
            route.call
        );
    }
    if route.reflect_origin {
        text += if has_origin {
            " It reflects the request's Origin into Access-Control-Allow-Origin (and adds Vary: Origin), as Express' cors({ origin: true }) does: every origin is allowed, with credentials too when Access-Control-Allow-Credentials: true is sent."
        } else {
            " It reflects the request's Origin, but this request has none, so no Access-Control-Allow-Origin is sent."
        };
    }
    text
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
            ..Default::default()
        }],
    }
}
