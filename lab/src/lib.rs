//! Crumbtrail's lab server.
//!
//! Serves the built playground and answers live-mode requests exactly as the
//! scenario's server model (raw header lines or the Rails model) would, on
//! the real request the browser sent: real `Origin`, real `Cookie`, real
//! method and `Access-Control-Request-*` headers.
//!
//! - Binds loopback only (`127.0.0.1`, and `::1` when available).
//! - Listens on two HTTP ports (and optionally two HTTPS ports). Every
//!   loopback name works on every port, so `localhost:APP` → `localhost:API`
//!   is same-site cross-origin, and `127.0.0.1` / `api.localhost` are other
//!   sites, with no hosts file.
//! - `POST /__lab/runs` with a scenario (JSON) starts a run and returns its
//!   id. Requests carrying `?ct_run=<id>` are answered by that run's server
//!   model and logged; `GET /__lab/runs/<id>/log` returns the log. Runs
//!   expire; bodies and logs are bounded; every other path is a file of the
//!   playground or 404. Nothing is proxied.
//! - A run's response to a top-level navigation carries the live-mode agent
//!   as its body, and `GET /__lab/launch` stands in for a visit (see
//!   [`agent`]).
//!
//! Only the developer's own page can drive it:
//!
//! - every request needs a loopback `Host` (`localhost`, `*.localhost`,
//!   `127.0.0.0/8`, `[::1]`, any port), else `421`: a DNS-rebinding page
//!   sends its own name;
//! - a run is registered only on an app port, from the playground's own
//!   origin (`Origin` must be a loopback name on the app port, or on the
//!   HTTPS app port), as `Content-Type: application/json` with
//!   [`REGISTER_HEADER`]`: `[`REGISTER_VALUE`]. Both force a CORS preflight
//!   from any other origin, and the lab's CORS answers only the playground's
//!   origins, so a cross-origin form or `text/plain` post never starts one;
//!   the server checks all three itself (`403`, `415`, `400`);
//! - connections are limited in number and time (see [`conn`]), logs in
//!   bytes (see [`runs`]).

use std::hash::{BuildHasher, Hasher};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::uri::Authority;
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, Response, StatusCode, Uri};
use axum::{Extension, Router};
use crumbtrail_engine::http::{ServerReply, WireRequest, WireResponse};
use crumbtrail_engine::live::{
    is_safe_header_value, strip_run_params, validate_for_lab, LabLogEntry, LabPorts,
    MAX_SCENARIO_BYTES, REGISTER_HEADER, REGISTER_VALUE,
};
use crumbtrail_engine::origin::is_loopback_host;
use crumbtrail_engine::Scenario;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio_rustls::rustls;

pub mod agent;
pub mod conn;
pub mod real;
mod runs;

pub use conn::{LONG_TARGET_BYTES, LONG_URI_PARAM};
pub use runs::{MAX_LOG_ENTRIES, MAX_RUNS, RUN_TTL};

/// Largest request body the lab reads for a scenario request.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// How to start the lab. Port 0 picks a free port.
#[derive(Clone, Debug)]
pub struct LabConfig {
    /// The built playground (`dist/`), served on the app ports. `None`: lab only.
    pub dist: Option<PathBuf>,
    pub app_port: u16,
    pub api_port: u16,
    /// Start the two HTTPS ports too (self-signed certificate made at start).
    pub https: bool,
    pub https_app_port: u16,
    pub https_api_port: u16,
    /// A request head must arrive within this time of its first byte (the first
    /// request's: of the connection's start; HTTPS: the handshake too).
    pub header_read_timeout: Duration,
    /// A keep-alive connection silent this long between requests is closed.
    pub idle_timeout: Duration,
    /// A request body must arrive within this time once the head is read.
    pub body_read_timeout: Duration,
    /// Connections open at once, over all listeners; one more is refused at once.
    pub max_connections: usize,
    /// Bytes (of JSON) one run's log may hold.
    pub max_log_bytes_per_run: usize,
    /// Bytes (of JSON) all runs' logs may hold together.
    pub max_log_bytes_total: usize,
    /// Longest query of a playground page URL (a permalink) the lab opens.
    pub max_page_query_bytes: usize,
    /// Answer runs with the real framework where one is installed (Express,
    /// Django), instead of the model.
    pub real: Option<real::RealFrameworks>,
}

impl Default for LabConfig {
    fn default() -> Self {
        LabConfig {
            dist: None,
            app_port: 8080,
            api_port: 8081,
            https: false,
            https_app_port: 8443,
            https_api_port: 8444,
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(30),
            body_read_timeout: Duration::from_secs(10),
            max_connections: 256,
            max_log_bytes_per_run: 1024 * 1024,
            max_log_bytes_total: 16 * 1024 * 1024,
            max_page_query_bytes: 2 * 1024 * 1024,
            real: None,
        }
    }
}

struct Shared {
    dist: Option<PathBuf>,
    ports: LabPorts,
    runs: Mutex<runs::Runs>,
    counter: AtomicU64,
    hasher: std::collections::hash_map::RandomState,
    body_read_timeout: Duration,
    max_page_query_bytes: usize,
    real: Option<real::RealFrameworks>,
}

#[derive(Clone, Copy)]
struct Listener {
    https: bool,
    serves_app: bool,
}

/// A running lab. Dropping it stops the listeners.
pub struct Lab {
    pub ports: LabPorts,
    /// The self-signed certificate (PEM) when HTTPS is on.
    pub certificate_pem: Option<String>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Drop for Lab {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

impl Lab {
    /// The playground's URL.
    pub fn app_url(&self) -> String {
        format!("http://localhost:{}/", self.ports.app)
    }
}

async fn bind(port: u16) -> std::io::Result<(Vec<TcpListener>, u16)> {
    let v4 = TcpListener::bind(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port)).await?;
    let port = v4.local_addr()?.port();
    let mut listeners = vec![v4];
    // `localhost` may resolve to ::1 first; serve it there too when possible.
    if let Ok(v6) = TcpListener::bind(SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), port)).await
    {
        listeners.push(v6);
    }
    Ok((listeners, port))
}

fn tls_config(names: Vec<String>) -> Result<(Arc<rustls::ServerConfig>, String), String> {
    let cert = rcgen::generate_simple_self_signed(names).map_err(|e| e.to_string())?;
    let pem = cert.cert.pem();
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(cert.signing_key.serialize_der().into());
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| e.to_string())?
    .with_no_client_auth()
    .with_single_cert(vec![cert.cert.der().clone()], key)
    .map_err(|e| e.to_string())?;
    Ok((Arc::new(config), pem))
}

/// Starts the lab on loopback.
pub async fn start(config: LabConfig) -> std::io::Result<Lab> {
    let (app, app_port) = bind(config.app_port).await?;
    let (api, api_port) = bind(config.api_port).await?;
    let mut ports = LabPorts {
        app: app_port,
        api: api_port,
        https_app: None,
        https_api: None,
    };
    let mut https_listeners = Vec::new();
    if config.https {
        let (a, ap) = bind(config.https_app_port).await?;
        let (b, bp) = bind(config.https_api_port).await?;
        ports.https_app = Some(ap);
        ports.https_api = Some(bp);
        https_listeners.push((a, true));
        https_listeners.push((b, false));
    }
    let shared = Arc::new(Shared {
        dist: config.dist,
        ports: ports.clone(),
        runs: Mutex::new(runs::Runs::new(
            config.max_log_bytes_per_run,
            config.max_log_bytes_total,
        )),
        counter: AtomicU64::new(1),
        hasher: Default::default(),
        body_read_timeout: config.body_read_timeout,
        max_page_query_bytes: config.max_page_query_bytes,
        real: config.real,
    });
    let rules = Arc::new(conn::ConnRules {
        header_read_timeout: config.header_read_timeout,
        idle_timeout: config.idle_timeout,
        max_connections: config.max_connections,
        slots: Arc::new(Semaphore::new(config.max_connections)),
    });

    let mut tasks = Vec::new();
    for (group, serves_app) in [(app, true), (api, false)] {
        for l in group {
            let router = router(
                shared.clone(),
                Listener {
                    https: false,
                    serves_app,
                },
            );
            tasks.push(tokio::spawn(conn::serve(l, router, None, rules.clone())));
        }
    }
    let mut certificate_pem = None;
    if !https_listeners.is_empty() {
        let mut names: Vec<String> = crumbtrail_engine::live::LAB_HOSTS
            .iter()
            .map(|s| s.to_string())
            .collect();
        names.push("::1".into());
        let (tls, pem) = tls_config(names).map_err(std::io::Error::other)?;
        certificate_pem = Some(pem);
        for (group, serves_app) in https_listeners {
            for l in group {
                let router = router(
                    shared.clone(),
                    Listener {
                        https: true,
                        serves_app,
                    },
                );
                tasks.push(tokio::spawn(conn::serve(
                    l,
                    router,
                    Some(tls.clone()),
                    rules.clone(),
                )));
            }
        }
    }
    // Expire runs.
    let sweeper = shared.clone();
    tasks.push(tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_secs(30)).await;
            sweeper.runs.lock().unwrap().sweep();
        }
    }));
    Ok(Lab {
        ports,
        certificate_pem,
        tasks,
    })
}

fn router(shared: Arc<Shared>, listener: Listener) -> Router {
    Router::new()
        .fallback(handle)
        .with_state(shared)
        .layer(Extension(listener))
}

fn text(status: StatusCode, body: impl Into<String>) -> Response<Body> {
    let mut r = Response::new(Body::from(body.into()));
    *r.status_mut() = status;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r
}

fn json(status: StatusCode, value: serde_json::Value) -> Response<Body> {
    let mut r = Response::new(Body::from(value.to_string()));
    *r.status_mut() = status;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}

/// True for an origin of the playground's own page: a loopback name on the app
/// port (http) or the HTTPS app port.
fn is_app_origin(ports: &LabPorts, origin: &str) -> bool {
    let Ok(u) = url::Url::parse(origin) else {
        return false;
    };
    let port = u.port_or_known_default();
    let port_ok = match u.scheme() {
        "http" => port == Some(ports.app),
        "https" => port.is_some() && port == ports.https_app,
        _ => false,
    };
    port_ok
        && u.origin().ascii_serialization() == origin
        && u.host_str().is_some_and(is_loopback_host)
}

/// The origins [`is_app_origin`] allows, for messages.
fn app_origins_text(ports: &LabPorts) -> String {
    let mut text = format!("http://localhost:{}", ports.app);
    if let Some(p) = ports.https_app {
        text.push_str(&format!(" or https://localhost:{p}"));
    }
    text.push_str(" (or another loopback name on that port)");
    text
}

/// CORS for the lab's own endpoints: only the playground's own page may read them.
fn lab_cors(ports: &LabPorts, headers: &HeaderMap, mut resp: Response<Body>) -> Response<Body> {
    let origin = headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .filter(|o| is_app_origin(ports, o));
    let h = resp.headers_mut();
    h.insert(header::VARY, HeaderValue::from_static("Origin"));
    if let Some(o) = origin.and_then(|o| HeaderValue::from_str(o).ok()) {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, o);
        h.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("GET, POST"),
        );
        h.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static("Content-Type, X-Crumbtrail-Lab"),
        );
        h.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("600"),
        );
    }
    resp
}

/// The request's `Host` when it is a loopback name (and so is the target's
/// authority, for an absolute-form target); otherwise the refusal.
#[allow(clippy::result_large_err)] // a refusal is a whole response, made once
fn loopback_host(req: &Request) -> Result<String, Response<Body>> {
    let mut hosts = req.headers().get_all(header::HOST).iter();
    let (Some(value), None) = (hosts.next(), hosts.next()) else {
        return Err(text(
            StatusCode::BAD_REQUEST,
            "this is Crumbtrail's lab: a request needs exactly one Host header\n",
        ));
    };
    let shown = String::from_utf8_lossy(value.as_bytes()).into_owned();
    let loopback = |a: &str| {
        !a.contains('@')
            && a.parse::<Authority>()
                .is_ok_and(|a| is_loopback_host(a.host()))
    };
    let target_ok = req.uri().authority().is_none_or(|a| loopback(a.as_str()));
    if value.to_str().is_ok_and(loopback) && target_ok {
        return Ok(shown);
    }
    let what = if target_ok {
        format!("`Host: {shown}`")
    } else {
        format!("the target `{}`", req.uri())
    };
    Err(text(
        StatusCode::MISDIRECTED_REQUEST,
        format!(
            "this is Crumbtrail's lab, which answers only loopback host names (localhost, \
             *.localhost, 127.0.0.0/8, [::1]); {what} is refused, as a page reached through \
             DNS rebinding would send it\n"
        ),
    ))
}

/// Why a `POST /__lab/runs` is refused, if it is: it must come from the playground's own
/// page, on an app port, in a form that forces a CORS preflight from anywhere else.
fn registration_refused(
    ports: &LabPorts,
    listener: Listener,
    headers: &HeaderMap,
) -> Option<Response<Body>> {
    let allowed = app_origins_text(ports);
    if !listener.serves_app {
        return Some(text(
            StatusCode::FORBIDDEN,
            format!("runs are registered on the playground's own port: {allowed}\n"),
        ));
    }
    match headers.get(header::ORIGIN).map(|o| o.to_str()) {
        None => {
            return Some(text(
                StatusCode::FORBIDDEN,
                format!(
                    "registering a run needs an Origin header (browsers send one with every \
                     POST); runs are registered only by the playground's own page, {allowed}\n"
                ),
            ))
        }
        Some(o) if !o.as_ref().is_ok_and(|o| is_app_origin(ports, o)) => {
            let shown = headers
                .get(header::ORIGIN)
                .map(|o| String::from_utf8_lossy(o.as_bytes()).into_owned())
                .unwrap_or_default();
            return Some(text(
                StatusCode::FORBIDDEN,
                format!(
                    "runs are registered only by the playground's own page: `Origin: {shown}` \
                     is not allowed; the allowed origin is {allowed}\n"
                ),
            ));
        }
        Some(_) => {}
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let essence = content_type
        .as_deref()
        .and_then(|t| t.split(';').next())
        .map(|t| t.trim().to_ascii_lowercase());
    if essence.as_deref() != Some("application/json") {
        return Some(text(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!(
                "register a run with `Content-Type: application/json` (this request: {}): from \
                 any other origin that needs a CORS preflight, which the lab grants only to the \
                 playground's own page, so a form or text/plain post from elsewhere cannot start \
                 a run\n",
                content_type.map_or("no Content-Type".into(), |t| format!("`{t}`"))
            ),
        ));
    }
    let custom = headers
        .get(REGISTER_HEADER)
        .is_some_and(|v| v.as_bytes() == REGISTER_VALUE.as_bytes());
    if !custom {
        return Some(text(
            StatusCode::BAD_REQUEST,
            format!(
                "register a run with the header `X-Crumbtrail-Lab: {REGISTER_VALUE}`: a custom \
                 header forces a CORS preflight from any other origin, which the lab grants only \
                 to the playground's own page\n"
            ),
        ));
    }
    None
}

/// Reads a body within `limit` bytes and the lab's body timeout.
async fn read_body(
    shared: &Shared,
    body: Body,
    limit: usize,
    what: &str,
) -> Result<Bytes, Response<Body>> {
    let closing = |mut r: Response<Body>| {
        // Part of the body may still be on its way: do not read it, close.
        r.headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
        r
    };
    match tokio::time::timeout(shared.body_read_timeout, axum::body::to_bytes(body, limit)).await {
        Ok(Ok(b)) => Ok(b),
        Ok(Err(_)) => Err(closing(text(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("{what} is larger than {limit} bytes\n"),
        ))),
        Err(_) => Err(closing(text(
            StatusCode::REQUEST_TIMEOUT,
            format!(
                "{what} did not arrive within {} ms\n",
                shared.body_read_timeout.as_millis()
            ),
        ))),
    }
}

/// `Some(bytes)` when the connection layer replaced a long query (see [`conn`]).
fn long_query(uri: &Uri) -> Option<usize> {
    uri.query()?
        .strip_prefix(LONG_URI_PARAM)?
        .strip_prefix('=')?
        .parse()
        .ok()
}

fn new_run_id(shared: &Shared) -> String {
    let n = shared.counter.fetch_add(1, Ordering::Relaxed);
    let mut h = shared.hasher.build_hasher();
    h.write_u64(n);
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default(),
    );
    format!("{:016x}{:x}", h.finish(), n)
}

async fn handle(
    State(shared): State<Arc<Shared>>,
    Extension(listener): Extension<Listener>,
    req: Request,
) -> Response<Body> {
    let host = match loopback_host(&req) {
        Ok(h) => h,
        Err(refused) => return refused,
    };
    let path = req.uri().path().to_string();
    if let Some(bytes) = long_query(req.uri()) {
        let page = listener.serves_app
            && matches!(*req.method(), Method::GET | Method::HEAD)
            && !path.starts_with("/__lab/");
        return match &shared.dist {
            Some(dist) if page && bytes <= shared.max_page_query_bytes => {
                static_file(dist, &path).await
            }
            _ if page => text(
                StatusCode::URI_TOO_LONG,
                format!(
                    "this URL's query is {bytes} bytes; the lab opens playground URLs with a query \
                     of up to {} bytes\n",
                    shared.max_page_query_bytes
                ),
            ),
            _ => text(
                StatusCode::URI_TOO_LONG,
                format!(
                    "this URL is longer than {LONG_TARGET_BYTES} bytes; only the playground's own \
                     page may have a longer one (its query is read by the page)\n"
                ),
            ),
        };
    }
    if let Some(rest) = path.strip_prefix("/__lab/") {
        let headers = req.headers().clone();
        let resp = lab_endpoint(&shared, listener, rest, req).await;
        return lab_cors(&shared.ports, &headers, resp);
    }
    let scheme = if listener.https { "https" } else { "http" };
    let full = format!(
        "{scheme}://{host}{}",
        req.uri()
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/")
    );
    if let Ok(url) = url::Url::parse(&full) {
        let (clean, run, index) = strip_run_params(&url);
        if let Some(run) = run {
            return scenario_request(&shared, &run, index, clean, url, req).await;
        }
    }
    if listener.serves_app && matches!(*req.method(), Method::GET | Method::HEAD) {
        if let Some(dist) = &shared.dist {
            return static_file(dist, &path).await;
        }
    }
    text(StatusCode::NOT_FOUND, "not found\n")
}

async fn lab_endpoint(
    shared: &Shared,
    listener: Listener,
    rest: &str,
    req: Request,
) -> Response<Body> {
    let method = req.method().clone();
    if method == Method::OPTIONS {
        return text(StatusCode::NO_CONTENT, "");
    }
    match (method, rest.split('/').collect::<Vec<_>>().as_slice()) {
        (Method::GET, ["health"]) => json(
            StatusCode::OK,
            serde_json::json!({ "lab": "crumbtrail", "version": env!("CARGO_PKG_VERSION"), "ports": shared.ports }),
        ),
        (Method::GET, ["launch"]) => agent::html(agent::LAUNCH_PAGE),
        (Method::GET, ["blank"]) => {
            let mut r = Response::new(Body::from(
                "<!doctype html><html><head><meta charset=\"utf-8\"><title>Crumbtrail lab</title></head><body>lab</body></html>",
            ));
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            r
        }
        (Method::POST, ["runs"]) => {
            if let Some(refused) = registration_refused(&shared.ports, listener, req.headers()) {
                return refused;
            }
            let body = req.into_body();
            match read_body(shared, body, MAX_SCENARIO_BYTES, "the scenario").await {
                Ok(body) => create_run(shared, &body).await,
                Err(refused) => refused,
            }
        }
        (Method::GET, ["runs", id, "log"]) => {
            let runs = shared.runs.lock().unwrap();
            match runs.log_of(id) {
                Some(log) => json(
                    StatusCode::OK,
                    serde_json::to_value(log).unwrap_or_default(),
                ),
                None => text(StatusCode::NOT_FOUND, "unknown or expired run\n"),
            }
        }
        _ => text(StatusCode::NOT_FOUND, "not found\n"),
    }
}

async fn create_run(shared: &Shared, body: &Bytes) -> Response<Body> {
    let scenario: Scenario = match serde_json::from_slice(body) {
        Ok(s) => s,
        Err(e) => {
            return text(
                StatusCode::BAD_REQUEST,
                format!("the body is not a scenario: {e}\n"),
            )
        }
    };
    if let Err(e) = validate_for_lab(&scenario) {
        return text(StatusCode::UNPROCESSABLE_ENTITY, format!("{e}\n"));
    }
    let proxy = scenario
        .proxy
        .clone()
        .map(|p| (scenario.page.url.clone(), p));
    let boot = scenario.server.stack().prepare().model.boot();
    if let Err(steps) = boot {
        let why: Vec<String> = steps.iter().map(|s| s.title.to_string()).collect();
        return text(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("the server does not start: {}\n", why.join("; ")),
        );
    }
    // The real framework, when the lab has it for this stack (not behind a
    // modelled proxy: the proxy wraps the model).
    let real = match (&shared.real, &proxy) {
        (Some(frameworks), None) => {
            let (frameworks, server) = (frameworks.clone(), scenario.server.clone());
            match tokio::task::spawn_blocking(move || real::start(&frameworks, &server)).await {
                Ok(Some(Ok(server))) => Some(Arc::new(server)),
                Ok(Some(Err(e))) => {
                    return text(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        format!("the real framework does not start: {e}\n"),
                    )
                }
                Ok(None) => None,
                Err(e) => return text(StatusCode::INTERNAL_SERVER_ERROR, format!("{e}\n")),
            }
        }
        _ => None,
    };
    let id = new_run_id(shared);
    let mut runs = shared.runs.lock().unwrap();
    let label = real.as_ref().map(|r| r.label.clone());
    runs.insert(id.clone(), scenario.server, proxy, real);
    if let Some(label) = label {
        runs.log(
            &id,
            LabLogEntry::note(0, format!("answered by {label}, not by the model")),
        );
    }
    drop(runs);
    json(
        StatusCode::CREATED,
        serde_json::json!({ "run": id, "expires_in_secs": RUN_TTL.as_secs() }),
    )
}

fn header_str(headers: &HeaderMap, name: &str) -> Option<String> {
    let values: Vec<String> = headers
        .get_all(name)
        .iter()
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .collect();
    (!values.is_empty()).then(|| values.join(if name == "cookie" { "; " } else { ", " }))
}

async fn scenario_request(
    shared: &Shared,
    run: &str,
    index: Option<usize>,
    clean: url::Url,
    full: url::Url,
    req: Request,
) -> Response<Body> {
    let (server, proxy, memory, real) = {
        let runs = shared.runs.lock().unwrap();
        match runs.get(run) {
            Some(r) => (
                r.server.clone(),
                r.proxy.clone(),
                r.memory.clone(),
                r.real.clone(),
            ),
            None => return text(StatusCode::NOT_FOUND, "unknown or expired run\n"),
        }
    };
    let (parts, body) = req.into_parts();
    // Bounded: the body is read (so the connection stays usable) but never kept.
    let body = match read_body(shared, body, MAX_BODY_BYTES, "the request body").await {
        Ok(body) => body,
        Err(refused) => return refused,
    };
    let mut headers = crumbtrail_engine::headers::HeaderList::new();
    for (name, value) in parts.headers.iter() {
        headers.push(
            name.as_str(),
            String::from_utf8_lossy(value.as_bytes()).into_owned(),
        );
    }
    let method = parts.method.as_str().to_string();
    let is_preflight = parts.method == Method::OPTIONS
        && parts.headers.contains_key("access-control-request-method");
    let wire = WireRequest {
        method: method.clone(),
        url: clean.to_string(),
        headers,
        is_preflight,
    };
    // The real framework, when the run has one; else the lab answers as the
    // simulation's server model does (the server interface), continuing from
    // what the run's earlier requests left (a raw route's call count, sessions).
    let reply = match real {
        Some(real) => {
            let target = match clean.query() {
                Some(q) => format!("{}?{q}", clean.path()),
                None => clean.path().to_string(),
            };
            let (method, headers) = (wire.method.clone(), wire.headers.clone());
            let origin = clean.clone();
            let answered = tokio::task::spawn_blocking(move || {
                real.forward(&method, &target, &origin, &headers, &body)
            })
            .await
            .map_err(|e| e.to_string())
            .and_then(|r| r);
            match answered {
                Ok((status, headers)) => ServerReply {
                    response: WireResponse { status, headers },
                    steps: Vec::new(),
                },
                Err(e) => return text(StatusCode::BAD_GATEWAY, format!("{e}\n")),
            }
        }
        None => {
            let resumed = server.stack().resume(&memory);
            let model = match &proxy {
                Some((page, p)) => {
                    crumbtrail_engine::server::dev_proxy::behind(page, Some(p), resumed)
                }
                None => resumed,
            }
            .model;
            let reply = model.respond(&wire, index.unwrap_or(0));
            shared.runs.lock().unwrap().set_memory(run, model.memory());
            reply
        }
    };
    let status = reply.response.status;
    let mut resp = Response::new(Body::empty());
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    for (name, value) in &reply.response.headers.0 {
        // Validated when the run was created; checked again, never emitted unsafe.
        if !is_safe_header_value(value) {
            continue;
        }
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            resp.headers_mut().append(n, v);
        }
    }
    // A navigation's document gets the agent (multi-page flows in live mode).
    if agent::shows_document(&parts.headers, &method, status) {
        agent::into_document(&mut resp);
    }
    let origin_of_lab = full.origin().ascii_serialization();
    let entry_headers = &parts.headers;
    let entry = LabLogEntry {
        seq: 0,
        req: index,
        method,
        origin_of_lab,
        path: clean.path().to_string(),
        origin: header_str(entry_headers, "origin"),
        cookie: header_str(entry_headers, "cookie"),
        acr_method: header_str(entry_headers, "access-control-request-method"),
        acr_headers: header_str(entry_headers, "access-control-request-headers"),
        is_preflight,
        status,
        note: None,
        sec_fetch_site: header_str(entry_headers, "sec-fetch-site"),
    };
    shared.runs.lock().unwrap().log(run, entry);
    resp
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" => "text/javascript",
        "wasm" => "application/wasm",
        "css" => "text/css",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

async fn static_file(dist: &Path, path: &str) -> Response<Body> {
    let rel = path.trim_start_matches('/');
    let rel = if rel.is_empty() { "index.html" } else { rel };
    let rel_path = Path::new(rel);
    if rel_path
        .components()
        .any(|c| !matches!(c, Component::Normal(_)))
    {
        return text(StatusCode::NOT_FOUND, "not found\n");
    }
    let file = dist.join(rel_path);
    match tokio::fs::read(&file).await {
        Ok(bytes) if file.is_file() => {
            let mut r = Response::new(Body::from(bytes));
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(content_type(&file)),
            );
            r.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
            r
        }
        _ => text(StatusCode::NOT_FOUND, "not found\n"),
    }
}
