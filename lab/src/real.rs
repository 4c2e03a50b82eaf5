//! Live mode against the real framework instead of the model (`./dev serve --real`):
//! for an Express scenario the lab starts the generated `app.js` under Node, with the
//! Express release the scenario names (the packages the differential suite installs),
//! on a free loopback port, and forwards the run's requests to it. What the browser then
//! does is compared with the simulation as usual, so a difference between the model and
//! the real Express shows in the live table.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crumbtrail_engine::headers::HeaderList;
use crumbtrail_engine::scenario::ServerSetup;
use crumbtrail_engine::server::express::code::app_js;
use crumbtrail_engine::server::express::ExpressVersion;

/// Where the real frameworks are installed.
#[derive(Clone, Debug)]
pub struct RealFrameworks {
    /// Holds `express-4/node_modules` and `express-5/node_modules`.
    pub express: PathBuf,
}

/// A framework server started for one run; stopped when the run is dropped.
pub struct RealServer {
    child: Child,
    pub port: u16,
    /// What answered, for the run's log ("the real Express 5 …").
    pub label: String,
    file: PathBuf,
}

impl Drop for RealServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.file);
    }
}

/// How long a framework may take to listen.
const START_TIMEOUT: Duration = Duration::from_secs(15);
/// How long one forwarded request may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// Starts the real framework for `server`; `None` when the lab has none for
/// this stack (the model answers), `Err` with the framework's own error output
/// when it does not start. Blocks until it listens.
pub fn start(real: &RealFrameworks, server: &ServerSetup) -> Option<Result<RealServer, String>> {
    let ServerSetup::Express(app) = server else {
        return None;
    };
    let major = match app.version {
        ExpressVersion::V4 => 4,
        ExpressVersion::V5 => 5,
    };
    let modules = real.express.join(format!("express-{major}/node_modules"));
    if !modules.join("express").is_dir() {
        return Some(Err(format!(
            "Express {major} is not installed under {}",
            real.express.display()
        )));
    }
    Some(start_node(&app_js(app).code, &modules, major))
}

fn free_port() -> Result<u16, String> {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("no free loopback port: {e}"))
}

fn start_node(js: &str, modules: &std::path::Path, major: u8) -> Result<RealServer, String> {
    let port = free_port()?;
    let file = std::env::temp_dir().join(format!("crumbtrail-lab-express-{port}.js"));
    // The generated app listens on `process.env.PORT`; bind it to loopback
    // only, and refuse to start an app whose listen line is not the one we bind.
    const LISTEN: &str = "app.listen(process.env.PORT || 3001);";
    if js.matches(LISTEN).count() != 1 {
        return Err("the generated app.js has no single listen line to bind to loopback".into());
    }
    let js = js.replace(LISTEN, "app.listen(process.env.PORT || 3001, '127.0.0.1');");
    std::fs::write(&file, js).map_err(|e| format!("cannot write app.js: {e}"))?;
    let child = Command::new("node")
        .arg(&file)
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
    let mut server = RealServer {
        child,
        port,
        label: format!("the real Express {version} (Node, the generated app.js)"),
        file,
    };
    let started = Instant::now();
    while started.elapsed() < START_TIMEOUT {
        if let Ok(Some(_)) = server.child.try_wait() {
            let mut err = String::new();
            if let Some(mut e) = server.child.stderr.take() {
                let _ = e.read_to_string(&mut err);
            }
            return Err(format!("Express exited: {}", err.trim()));
        }
        if TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_ok() {
            return Ok(server);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Err(format!(
        "Express did not listen within {} s",
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

/// One request to the framework over loopback, as the browser sent it to the
/// lab (same `Host`, cookies, `Origin`); the status and headers it answered.
pub fn forward(
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
