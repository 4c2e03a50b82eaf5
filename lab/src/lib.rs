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
//!   model and logged; `GET /__lab/runs/<id>/log` returns the log (with CORS
//!   for loopback pages). Runs expire; bodies and logs are bounded; every
//!   other path is a file of the playground or 404. Nothing is proxied.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, Response, StatusCode};
use axum::{Extension, Router};
use crumbtrail_engine::http::{ServerModel, WireRequest};
use crumbtrail_engine::live::{
    is_safe_header_value, strip_run_params, validate_for_lab, LabLogEntry, LabPorts,
    MAX_SCENARIO_BYTES,
};
use crumbtrail_engine::origin::is_loopback_host;
use crumbtrail_engine::scenario::ServerSetup;
use crumbtrail_engine::server::raw::RawServerModel;
use crumbtrail_engine::Scenario;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio_rustls::rustls;

/// Largest request body the lab reads for a scenario request.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// Log entries kept per run (the oldest are dropped).
pub const MAX_LOG_ENTRIES: usize = 256;
/// Runs kept at once (the oldest are dropped).
pub const MAX_RUNS: usize = 512;
/// How long a run lives.
pub const RUN_TTL: Duration = Duration::from_secs(15 * 60);

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
        }
    }
}

struct Run {
    server: ServerSetup,
    created: Instant,
    log: Vec<LabLogEntry>,
}

struct Shared {
    dist: Option<PathBuf>,
    ports: LabPorts,
    runs: Mutex<HashMap<String, Run>>,
    counter: AtomicU64,
    hasher: std::collections::hash_map::RandomState,
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
        runs: Mutex::new(HashMap::new()),
        counter: AtomicU64::new(1),
        hasher: Default::default(),
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
            tasks.push(tokio::spawn(serve(l, router, None)));
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
                tasks.push(tokio::spawn(serve(l, router, Some(tls.clone()))));
            }
        }
    }
    // Expire runs.
    let sweeper = shared.clone();
    tasks.push(tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_secs(30)).await;
            sweeper
                .runs
                .lock()
                .unwrap()
                .retain(|_, r| r.created.elapsed() < RUN_TTL);
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

async fn serve(listener: TcpListener, router: Router, tls: Option<Arc<rustls::ServerConfig>>) {
    let acceptor = tls.map(tokio_rustls::TlsAcceptor::from);
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        let service = TowerToHyperService::new(router.clone());
        let acceptor = acceptor.clone();
        tokio::spawn(async move {
            let builder = hyper::server::conn::http1::Builder::new();
            match acceptor {
                Some(acceptor) => {
                    if let Ok(Ok(tls)) =
                        tokio::time::timeout(Duration::from_secs(10), acceptor.accept(stream)).await
                    {
                        let _ = builder.serve_connection(TokioIo::new(tls), service).await;
                    }
                }
                None => {
                    let _ = builder
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                }
            }
        });
    }
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

/// CORS for the lab's own endpoints: any page on a loopback origin may read them.
fn lab_cors(headers: &HeaderMap, mut resp: Response<Body>) -> Response<Body> {
    let origin = headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .filter(|o| {
            url::Url::parse(o)
                .ok()
                .and_then(|u| u.host_str().map(is_loopback_host))
                .unwrap_or(false)
        });
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
            HeaderValue::from_static("Content-Type"),
        );
        h.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("600"),
        );
    }
    resp
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
    let path = req.uri().path().to_string();
    if let Some(rest) = path.strip_prefix("/__lab/") {
        let headers = req.headers().clone();
        let resp = lab_endpoint(&shared, rest, req).await;
        return lab_cors(&headers, resp);
    }
    let scheme = if listener.https { "https" } else { "http" };
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost")
        .to_string();
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

async fn lab_endpoint(shared: &Shared, rest: &str, req: Request) -> Response<Body> {
    let method = req.method().clone();
    if method == Method::OPTIONS {
        return text(StatusCode::NO_CONTENT, "");
    }
    match (method, rest.split('/').collect::<Vec<_>>().as_slice()) {
        (Method::GET, ["health"]) => json(
            StatusCode::OK,
            serde_json::json!({ "lab": "crumbtrail", "version": env!("CARGO_PKG_VERSION"), "ports": shared.ports }),
        ),
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
            let body = match axum::body::to_bytes(req.into_body(), MAX_SCENARIO_BYTES).await {
                Ok(b) => b,
                Err(_) => {
                    return text(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        format!("the scenario is larger than {MAX_SCENARIO_BYTES} bytes\n"),
                    )
                }
            };
            create_run(shared, &body)
        }
        (Method::GET, ["runs", id, "log"]) => {
            let runs = shared.runs.lock().unwrap();
            match runs.get(*id).filter(|r| r.created.elapsed() < RUN_TTL) {
                Some(run) => json(
                    StatusCode::OK,
                    serde_json::to_value(&run.log).unwrap_or_default(),
                ),
                None => text(StatusCode::NOT_FOUND, "unknown or expired run\n"),
            }
        }
        _ => text(StatusCode::NOT_FOUND, "not found\n"),
    }
}

fn create_run(shared: &Shared, body: &Bytes) -> Response<Body> {
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
    let boot = match &scenario.server {
        ServerSetup::Raw(raw) => RawServerModel::new(raw).boot(),
        ServerSetup::Rails(app) => app.boot(),
    };
    if let Err(steps) = boot {
        let why: Vec<String> = steps.iter().map(|s| s.title.to_string()).collect();
        return text(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("the server does not start: {}\n", why.join("; ")),
        );
    }
    let id = new_run_id(shared);
    let mut runs = shared.runs.lock().unwrap();
    runs.retain(|_, r| r.created.elapsed() < RUN_TTL);
    while runs.len() >= MAX_RUNS {
        let oldest = runs
            .iter()
            .min_by_key(|(_, r)| r.created)
            .map(|(k, _)| k.clone());
        match oldest {
            Some(k) => runs.remove(&k),
            None => break,
        };
    }
    runs.insert(
        id.clone(),
        Run {
            server: scenario.server,
            created: Instant::now(),
            log: Vec::new(),
        },
    );
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
    let server = {
        let runs = shared.runs.lock().unwrap();
        match runs.get(run).filter(|r| r.created.elapsed() < RUN_TTL) {
            Some(r) => r.server.clone(),
            None => return text(StatusCode::NOT_FOUND, "unknown or expired run\n"),
        }
    };
    let (parts, body) = req.into_parts();
    // Bounded: the body is read (so the connection stays usable) but never kept.
    if axum::body::to_bytes(body, MAX_BODY_BYTES).await.is_err() {
        return text(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("request bodies are limited to {MAX_BODY_BYTES} bytes\n"),
        );
    }
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
    let reply = match &server {
        ServerSetup::Raw(raw) => RawServerModel::new(raw).respond(&wire, index.unwrap_or(0)),
        ServerSetup::Rails(app) => app.respond(&wire, index.unwrap_or(0)),
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
    let origin_of_lab = full.origin().ascii_serialization();
    let entry_headers = &parts.headers;
    let mut runs = shared.runs.lock().unwrap();
    if let Some(r) = runs.get_mut(run) {
        if r.log.len() >= MAX_LOG_ENTRIES {
            r.log.remove(0);
        }
        let seq = r.log.last().map(|e| e.seq + 1).unwrap_or(0);
        r.log.push(LabLogEntry {
            seq,
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
        });
    }
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
