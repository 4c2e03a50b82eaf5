//! Live mode against the real framework instead of the model (`./dev serve --real`).
//! For an Express scenario the lab starts the generated `app.js` under Node with the
//! Express release the scenario names; for a Django scenario it writes the generated
//! `settings.py`, `urls.py` and `views.py` as a project and starts `manage.py runserver`
//! with the Django release the scenario names. Both are the packages the differential
//! suites install, started on a free loopback port; the lab forwards the run's requests
//! to them. What the browser then does is compared with the simulation as usual, so a
//! difference between the model and the real framework shows in the live table.
//!
//! The lab terminates TLS for its HTTPS ports, as a TLS-terminating server in front of
//! a Node or WSGI app would. It tells the framework the connection's origin in one
//! header ([`LAB_ORIGIN_HEADER`]); a small shim in front of the app (a Node preload, a
//! WSGI wrapper) removes it and marks the request secure, so `req.secure` and
//! `request.is_secure()` see the connection the browser made, not the loopback hop.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crumbtrail_engine::headers::HeaderList;
use crumbtrail_engine::scenario::ServerSetup;
use crumbtrail_engine::server::django::presets::FIRST_CSRF_TOKEN;
use crumbtrail_engine::server::django::settings_py;
use crumbtrail_engine::server::django::{DjangoApp, SessionEngine};
use crumbtrail_engine::server::express::code::app_js;
use crumbtrail_engine::server::express::ExpressVersion;

/// Where the real frameworks are installed: the folder the test command fills
/// (`express-4/node_modules`, `express-5/node_modules`, and the virtual
/// environments `django-4.2/`, `django-5.2/`).
#[derive(Clone, Debug)]
pub struct RealFrameworks {
    pub dir: PathBuf,
}

/// The header that carries the origin the browser connected to (scheme, host,
/// port) from the lab to the framework; the shims remove it before the app runs,
/// and the lab drops it from what the browser sent.
pub const LAB_ORIGIN_HEADER: &str = "x-crumbtrail-lab-origin";

/// How the connection the browser made reaches the framework: the lab plays
/// the front the scenario describes (Express's `front` setting).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Front {
    /// The framework's socket is the browser's connection (TLS on the lab's
    /// HTTPS ports): the shim marks it encrypted.
    Direct,
    /// A TLS-terminating proxy: plain http, `X-Forwarded-Proto` set to the
    /// browser's scheme (Express `front: tls-proxy`).
    TlsProxy,
    /// A TLS-terminating proxy that sends no `X-Forwarded-Proto`.
    TlsProxyNoHeader,
}

/// A framework server started for one run; stopped when the run is dropped.
pub struct RealServer {
    child: Child,
    pub port: u16,
    front: Front,
    /// What answered, for the run's log ("the real Express 5 …").
    pub label: String,
    /// The files written for it (a file or a project folder), removed with it.
    scratch: PathBuf,
    /// Django's `CSRF_COOKIE_NAME`: the presets send the model's fixed CSRF
    /// token in `X-CSRFToken` (the model's secrets are deterministic). A real
    /// Django makes a random secret, which a real SPA reads from its csrf
    /// endpoint's answer; the lab puts the value of the CSRF cookie the
    /// request carries in its place, so the real Django judges what the model
    /// does: whether the cookie came back with the token. Without the cookie
    /// the placeholder stays, and both refuse it.
    csrf_cookie: Option<String>,
}

impl Drop for RealServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if self.scratch.is_dir() {
            let _ = std::fs::remove_dir_all(&self.scratch);
        } else {
            let _ = std::fs::remove_file(&self.scratch);
        }
    }
}

/// How long a framework may take to listen (Django may first create its
/// session table).
const START_TIMEOUT: Duration = Duration::from_secs(30);
/// How long one forwarded request may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// Starts the real framework for `server`; `None` when the lab has none for
/// this stack (the model answers), `Err` with the framework's own error output
/// when it does not start. Blocks until it listens.
pub fn start(real: &RealFrameworks, server: &ServerSetup) -> Option<Result<RealServer, String>> {
    match server {
        ServerSetup::Express(app) => {
            let major = match app.version {
                ExpressVersion::V4 => 4,
                ExpressVersion::V5 => 5,
            };
            let modules = real.dir.join(format!("express-{major}/node_modules"));
            if !modules.join("express").is_dir() {
                return Some(Err(format!(
                    "Express {major} is not installed under {}",
                    real.dir.display()
                )));
            }
            let front = match app.front {
                crumbtrail_engine::server::express::Front::Direct => Front::Direct,
                crumbtrail_engine::server::express::Front::TlsProxy => Front::TlsProxy,
                crumbtrail_engine::server::express::Front::TlsProxyNoHeader => {
                    Front::TlsProxyNoHeader
                }
            };
            Some(start_node(&app_js(app).code, &modules, major, front))
        }
        ServerSetup::Django(app) => {
            let python = real
                .dir
                .join(format!("django-{}/bin/python", app.version.as_str()));
            if !python.is_file() {
                return Some(Err(format!(
                    "Django {} is not installed under {}",
                    app.version.as_str(),
                    real.dir.display()
                )));
            }
            Some(start_django(&python, app))
        }
        _ => None,
    }
}

fn free_port() -> Result<u16, String> {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("no free loopback port: {e}"))
}

/// Node preload in front of the generated app: takes the lab's origin header
/// off each request and marks the socket encrypted when the browser used
/// HTTPS, which is what Node's `https` server does (`req.socket.encrypted`,
/// read by Express's `req.protocol` and express-session's `issecure`).
const NODE_TLS_SHIM: &str = r#"// crumbtrail lab: the connection's origin, as the browser made it.
const http = require('http');
const NAME = 'x-crumbtrail-lab-origin';
const emit = http.Server.prototype.emit;
http.Server.prototype.emit = function (event, req) {
  if (event === 'request') {
    const origin = req.headers[NAME];
    delete req.headers[NAME];
    for (let i = req.rawHeaders.length - 2; i >= 0; i -= 2) {
      if (req.rawHeaders[i].toLowerCase() === NAME) req.rawHeaders.splice(i, 2);
    }
    if (typeof origin === 'string' && origin.startsWith('https://')) req.socket.encrypted = true;
  }
  return emit.apply(this, arguments);
};
"#;

fn start_node(js: &str, modules: &Path, major: u8, front: Front) -> Result<RealServer, String> {
    let port = free_port()?;
    let dir = std::env::temp_dir().join(format!("crumbtrail-lab-express-{port}"));
    // The generated app listens on `process.env.PORT`; bind it to loopback
    // only, and refuse to start an app whose listen line is not the one we bind.
    const LISTEN: &str = "app.listen(process.env.PORT || 3001);";
    if js.matches(LISTEN).count() != 1 {
        return Err("the generated app.js has no single listen line to bind to loopback".into());
    }
    let js = js.replace(LISTEN, "app.listen(process.env.PORT || 3001, '127.0.0.1');");
    write_files(&dir, &[("app.js", &js), ("lab_tls.js", NODE_TLS_SHIM)])?;
    let child = Command::new("node")
        .arg("--require")
        .arg(dir.join("lab_tls.js"))
        .arg(dir.join("app.js"))
        .env("PORT", port.to_string())
        .env("NODE_PATH", modules)
        .env("NODE_ENV", "development")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run node: {e}"))?;
    let version = std::fs::read_to_string(modules.join("express/package.json"))
        .ok()
        .and_then(|p| {
            let v: serde_json::Value = serde_json::from_str(&p).ok()?;
            v["version"].as_str().map(str::to_string)
        })
        .unwrap_or_else(|| major.to_string());
    let server = RealServer {
        child,
        port,
        front,
        label: format!("the real Express {version} (Node, the generated app.js)"),
        scratch: dir,
        csrf_cookie: None,
    };
    wait_listening(server, "Express", None)
}

/// WSGI wrapper in front of the Django project: takes the lab's origin header
/// off each request and sets `wsgi.url_scheme` and `SERVER_PORT` to the
/// connection the browser made, as a TLS-terminating WSGI server does.
const WSGI_TLS_SHIM: &str = "# crumbtrail lab: the connection's origin, as the browser made it.
from django.core.wsgi import get_wsgi_application

_django = get_wsgi_application()


def application(environ, start_response):
    origin = environ.pop('HTTP_X_CRUMBTRAIL_LAB_ORIGIN', '')
    scheme, _, authority = origin.partition('://')
    if scheme in ('http', 'https') and authority:
        environ['wsgi.url_scheme'] = scheme
        port = authority.rpartition(':')[2]
        if ':' not in authority or not port.isdigit():
            port = '443' if scheme == 'https' else '80'
        environ['SERVER_PORT'] = port
    return _django(environ, start_response)
";

/// The project's settings with the wrapper as its WSGI application.
const LAB_SETTINGS: &str = "from settings import *  # noqa: F401,F403\n\
WSGI_APPLICATION = 'lab_wsgi.application'\n";

fn start_django(python: &Path, app: &DjangoApp) -> Result<RealServer, String> {
    let port = free_port()?;
    let dir = std::env::temp_dir().join(format!("crumbtrail-lab-django-{port}"));
    write_files(
        &dir,
        &[
            ("settings.py", &settings_py::write(app)),
            ("urls.py", &settings_py::write_urls(app)),
            ("views.py", &settings_py::write_views()),
            ("lab_settings.py", LAB_SETTINGS),
            ("lab_wsgi.py", WSGI_TLS_SHIM),
        ],
    )?;
    let django = |args: &[&str]| {
        let mut c = Command::new(python);
        c.current_dir(&dir)
            .env("PYTHONPATH", &dir)
            .env("DJANGO_SETTINGS_MODULE", "lab_settings")
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .arg("-m")
            .arg("django")
            .args(args);
        c
    };
    let version = django(&["--version"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|| app.version.as_str().to_string());
    // The database session engine needs its table (`migrate sessions`).
    if app.session.engine == SessionEngine::Db {
        let out = django(&["migrate", "sessions", "-v", "0", "--skip-checks"])
            .output()
            .map_err(|e| format!("cannot run Django: {e}"))?;
        if !out.status.success() {
            let _ = std::fs::remove_dir_all(&dir);
            return Err(format!(
                "migrate failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
    }
    let log = dir.join("runserver.log");
    let file = std::fs::File::create(&log).map_err(|e| format!("cannot write a log: {e}"))?;
    let err = file
        .try_clone()
        .map_err(|e| format!("cannot write a log: {e}"))?;
    let child = django(&["runserver", "--noreload", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::from(file))
        .stderr(Stdio::from(err))
        .spawn()
        .map_err(|e| format!("cannot run Django: {e}"))?;
    let server = RealServer {
        child,
        port,
        // Django's model reads the connection's scheme, or SECURE_PROXY_SSL_HEADER.
        front: Front::Direct,
        label: format!("the real Django {version} (runserver, the generated settings.py)"),
        scratch: dir,
        csrf_cookie: (!app.csrf.use_sessions).then(|| app.csrf.cookie_name.clone()),
    };
    wait_listening(server, "Django", Some(log))
}

fn write_files(dir: &Path, files: &[(&str, &str)]) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    for (name, text) in files {
        std::fs::write(dir.join(name), text).map_err(|e| format!("cannot write {name}: {e}"))?;
    }
    Ok(())
}

/// Waits until the framework accepts connections; its error output (stderr,
/// or `log`) when it exits first.
fn wait_listening(
    mut server: RealServer,
    name: &str,
    log: Option<PathBuf>,
) -> Result<RealServer, String> {
    let started = Instant::now();
    while started.elapsed() < START_TIMEOUT {
        if let Ok(Some(_)) = server.child.try_wait() {
            let mut err = String::new();
            if let Some(mut e) = server.child.stderr.take() {
                let _ = e.read_to_string(&mut err);
            }
            if let Some(log) = &log {
                err.push_str(&std::fs::read_to_string(log).unwrap_or_default());
            }
            return Err(format!("{name} exited: {}", err.trim()));
        }
        if TcpStream::connect((Ipv4Addr::LOCALHOST, server.port)).is_ok() {
            return Ok(server);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Err(format!(
        "{name} did not listen within {} s",
        START_TIMEOUT.as_secs()
    ))
}

/// Hop-by-hop headers (RFC 9110 §7.6.1) and the framing the lab redoes.
fn hop_by_hop(name: &str) -> bool {
    matches!(
        name.to_ascii_lowercase().as_str(),
        "connection"
            | "keep-alive"
            | "proxy-connection"
            | "transfer-encoding"
            | "te"
            | "trailer"
            | "upgrade"
            | "content-length"
    )
}

impl RealServer {
    /// One request to the framework over loopback, as the browser sent it to
    /// the lab (same `Host`, cookies, `Origin`) through the scenario's front;
    /// the status and headers it answered. `origin` is the lab origin the
    /// browser connected to.
    pub fn forward(
        &self,
        method: &str,
        target: &str,
        origin: &url::Url,
        headers: &HeaderList,
        body: &[u8],
    ) -> Result<(u16, HeaderList), String> {
        let scheme = origin.scheme();
        let mut headers = headers.clone();
        headers.remove(LAB_ORIGIN_HEADER);
        if let Some(name) = &self.csrf_cookie {
            let placeholder = headers
                .get("x-csrftoken")
                .is_some_and(|v| v == FIRST_CSRF_TOKEN);
            let cookie = headers.get("cookie").and_then(|c| {
                c.split(';').find_map(|pair| {
                    let (n, v) = pair.trim().split_once('=')?;
                    (n == name).then(|| v.to_string())
                })
            });
            if let (true, Some(token)) = (placeholder, cookie) {
                headers.set("X-CSRFToken", token);
            }
        }
        let socket = match self.front {
            Front::Direct => origin.origin().ascii_serialization(),
            Front::TlsProxy | Front::TlsProxyNoHeader => {
                headers.remove("x-forwarded-proto");
                if self.front == Front::TlsProxy {
                    headers.push("X-Forwarded-Proto", scheme);
                }
                let mut plain = origin.clone();
                let _ = plain.set_scheme("http");
                plain.origin().ascii_serialization()
            }
        };
        headers.push(LAB_ORIGIN_HEADER, socket);
        send(self.port, method, target, &headers, body)
    }
}

fn send(
    port: u16,
    method: &str,
    target: &str,
    headers: &HeaderList,
    body: &[u8],
) -> Result<(u16, HeaderList), String> {
    let mut s = TcpStream::connect((Ipv4Addr::LOCALHOST, port))
        .map_err(|e| format!("the framework is not listening: {e}"))?;
    s.set_read_timeout(Some(REQUEST_TIMEOUT)).ok();
    s.set_write_timeout(Some(REQUEST_TIMEOUT)).ok();
    let mut head = format!("{method} {target} HTTP/1.1\r\n");
    for (n, v) in headers.iter() {
        if !hop_by_hop(n) {
            head.push_str(&format!("{n}: {v}\r\n"));
        }
    }
    head.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    ));
    s.write_all(head.as_bytes())
        .and_then(|_| s.write_all(body))
        .map_err(|e| format!("cannot send to the framework: {e}"))?;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    // The head is all the page and the comparison use; stop reading after it.
    loop {
        match s.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => {
                buf.extend_from_slice(&chunk[..n]);
                if buf.windows(4).any(|w| w == b"\r\n\r\n") || buf.len() > 256 * 1024 {
                    break;
                }
            }
            Err(e) => return Err(format!("no answer from the framework: {e}")),
        }
    }
    let text = String::from_utf8_lossy(&buf);
    let head = text.split("\r\n\r\n").next().unwrap_or("");
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|c| c.parse::<u16>().ok())
        .ok_or_else(|| "the framework's answer has no status line".to_string())?;
    let mut out = HeaderList::new();
    for line in lines {
        if let Some((n, v)) = line.split_once(':') {
            if !hop_by_hop(n.trim()) && !n.trim().eq_ignore_ascii_case("date") {
                out.push(n.trim(), v.trim());
            }
        }
    }
    Ok((status, out))
}
