//! A static server for a built dist on loopback that answers with brotli (`Content-Encoding:
//! br`), as a production host would. Every file is compressed once at start with the `brotli`
//! command (quality 11) and served from memory.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

struct File {
    mime: &'static str,
    raw: Vec<u8>,
    br: Vec<u8>,
}

/// A dist directory held in memory, raw and compressed.
pub struct Site {
    files: HashMap<String, File>,
    /// Responses sent without brotli because the browser did not ask for it.
    uncompressed: AtomicUsize,
}

impl Site {
    /// Reads and compresses every file below `dir`.
    pub fn load(dir: &Path) -> Result<Site, String> {
        if !dir.join("index.html").is_file() {
            return Err(format!("{} has no index.html", dir.display()));
        }
        let mut paths = Vec::new();
        walk(dir, &mut paths).map_err(|e| format!("reading {}: {e}", dir.display()))?;
        let mut files = HashMap::new();
        for path in paths {
            let raw = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            let br = brotli(&path)?;
            let rel = path
                .strip_prefix(dir)
                .expect("below dir")
                .to_string_lossy()
                .replace('\\', "/");
            let mime = mime_type(&path);
            files.insert(rel, File { mime, raw, br });
        }
        Ok(Site {
            files,
            uncompressed: AtomicUsize::new(0),
        })
    }

    /// Bytes of the wasm, JS and CSS (raw, brotli), as `./dev size` counts them.
    pub fn code_size(&self) -> (usize, usize) {
        self.files
            .iter()
            .filter(|(p, _)| [".wasm", ".js", ".css"].iter().any(|e| p.ends_with(e)))
            .fold((0, 0), |(r, b), (_, f)| (r + f.raw.len(), b + f.br.len()))
    }

    /// How many responses went out uncompressed.
    pub fn uncompressed_responses(&self) -> usize {
        self.uncompressed.load(Ordering::Relaxed)
    }
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            walk(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

fn brotli(path: &Path) -> Result<Vec<u8>, String> {
    let out = Command::new("brotli")
        .args(["-q", "11", "-c"])
        .arg(path)
        .output()
        .map_err(|e| format!("cannot run `brotli` (apt-get install brotli): {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "brotli failed on {}: {}",
            path.display(),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(out.stdout)
}

fn mime_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "wasm" => "application/wasm",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        _ => "application/octet-stream",
    }
}

/// A running server; stops when dropped.
pub struct Server {
    addr: SocketAddr,
    task: JoinHandle<()>,
}

impl Server {
    pub async fn start(site: Arc<Site>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let site = site.clone();
                tokio::spawn(async move {
                    let _ = answer(stream, &site).await;
                });
            }
        });
        Server { addr, task }
    }

    /// `http://127.0.0.1:<port>/`.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn answer(mut stream: TcpStream, site: &Site) -> std::io::Result<()> {
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut buf).await?;
        // A permalink can be up to 1 MiB (the lab opens those too).
        if n == 0 || head.len() > 2 * 1024 * 1024 {
            return Ok(());
        }
        head.extend_from_slice(&buf[..n]);
    }
    let head = String::from_utf8_lossy(&head);
    let mut lines = head.split("\r\n");
    let mut parts = lines.next().unwrap_or("").split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let accepts_br = lines.any(|l| {
        let l = l.to_ascii_lowercase();
        l.starts_with("accept-encoding:") && l.contains("br")
    });
    let path = target.split(['?', '#']).next().unwrap_or("");
    let rel = path.trim_start_matches('/');
    let rel = if rel.is_empty() { "index.html" } else { rel };

    let found = match method {
        "GET" | "HEAD" => site.files.get(rel),
        _ => None,
    };
    let (status, mime, encoding, body): (_, _, _, &[u8]) = match found {
        Some(f) if accepts_br => ("200 OK", f.mime, "Content-Encoding: br\r\n", &f.br),
        Some(f) => {
            site.uncompressed.fetch_add(1, Ordering::Relaxed);
            ("200 OK", f.mime, "", &f.raw)
        }
        None => ("404 Not Found", "text/plain", "", b"not found"),
    };
    let header = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {mime}\r\n{encoding}Content-Length: {}\r\n\
         Vary: Accept-Encoding\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(header.as_bytes()).await?;
    if method != "HEAD" {
        stream.write_all(body).await?;
    }
    stream.shutdown().await
}
