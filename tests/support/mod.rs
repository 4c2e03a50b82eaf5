//! End-to-end harness shared by every browser test file (`mod support;`).
//!
//! - [`StaticServer`] serves a built `dist/` on `127.0.0.1:<free port>`, optionally under a
//!   sub-path such as `/crumbtrail/` (nothing outside it is served).
//! - [`E2e`] starts a WebDriver (chromedriver, geckodriver or WebKitWebDriver) on a free port,
//!   opens a headless [`Browser`] session, and offers `open(path)`, `wait_ready()` and error
//!   checks. WebKitGTK has no headless mode: its MiniBrowser runs on an Xvfb display of its own.
//!
//! The tests run only when `CRUMBTRAIL_E2E` is set (`./dev test` sets it); otherwise they
//! print a loud notice and pass. `CRUMBTRAIL_DIST` / `CRUMBTRAIL_DIST_SUBPATH` name the dist
//! directories. Drivers and browsers can be overridden with `CHROMEDRIVER`, `GECKODRIVER`,
//! `WEBKITWEBDRIVER`, `CRUMBTRAIL_CHROMIUM`, `CRUMBTRAIL_FIREFOX` and
//! `CRUMBTRAIL_WEBKIT_MINIBROWSER`; `CRUMBTRAIL_E2E_VERBOSE=1` shows driver output.
#![allow(dead_code)] // each test file uses a different part of the harness

pub mod known;
pub mod recorder;

use std::net::{SocketAddr, TcpListener as StdListener, TcpStream as StdStream};
use std::path::{Component, Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// How long `wait_ready` waits for the wasm app to start.
pub const READY_TIMEOUT: Duration = Duration::from_secs(20);

/// The selector the app sets once it has mounted and every part of the page (the parts that
/// load after the verdict, src/ui/deferred.rs) is shown.
pub const READY_SELECTOR: &str = "[data-ready='true'][data-complete='true']";

// ---------------------------------------------------------------------------------------------
// Switches and paths

/// True when end-to-end tests should run. Otherwise prints why `test` is skipped.
pub fn enabled(test: &str) -> bool {
    if std::env::var_os("CRUMBTRAIL_E2E").is_some() {
        return true;
    }
    eprintln!(
        "\n!!!!! SKIPPED end-to-end test `{test}`: CRUMBTRAIL_E2E is not set.\n\
         !!!!! Run `./dev test` (it builds dist/ and sets it), or set CRUMBTRAIL_E2E=1 after\n\
         !!!!! `trunk build --release`.\n"
    );
    false
}

/// A built dist directory named by `env_var` (default `default`, relative to the repo root).
/// Panics with instructions when it has not been built.
pub fn dist_dir(env_var: &str, default: &str) -> PathBuf {
    let dir = std::env::var_os(env_var)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(default));
    let dir = if dir.is_absolute() {
        dir
    } else {
        Path::new(env!("CARGO_MANIFEST_DIR")).join(dir)
    };
    assert!(
        dir.join("index.html").is_file(),
        "{} has no index.html: build it first (`./dev test` does, with `trunk build --release`)",
        dir.display()
    );
    dir
}

/// `dist/` (or `$CRUMBTRAIL_DIST`).
pub fn dist() -> PathBuf {
    dist_dir("CRUMBTRAIL_DIST", "dist")
}

/// `dist-subpath/` (or `$CRUMBTRAIL_DIST_SUBPATH`), built with `--public-url /crumbtrail/`.
pub fn dist_subpath() -> PathBuf {
    dist_dir("CRUMBTRAIL_DIST_SUBPATH", "dist-subpath")
}

fn free_port() -> u16 {
    StdListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("no free loopback port")
        .port()
}

fn verbose() -> bool {
    std::env::var_os("CRUMBTRAIL_E2E_VERBOSE").is_some()
}

// ---------------------------------------------------------------------------------------------
// Static file server

/// A tiny static file server for a dist directory, on loopback. Stops when dropped.
pub struct StaticServer {
    addr: SocketAddr,
    mount: String,
    task: JoinHandle<()>,
}

impl StaticServer {
    /// Serves `dir` at `mount` (`"/"` or a sub-path like `"/crumbtrail/"`).
    pub async fn start(dir: &Path, mount: &str) -> StaticServer {
        assert!(
            mount.starts_with('/') && mount.ends_with('/'),
            "mount: {mount}"
        );
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (dir, prefix) = (dir.to_path_buf(), mount.to_string());
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (dir, prefix) = (dir.clone(), prefix.clone());
                tokio::spawn(async move {
                    let _ = serve_one(stream, &dir, &prefix).await;
                });
            }
        });
        StaticServer {
            addr,
            mount: mount.to_string(),
            task,
        }
    }

    /// `http://127.0.0.1:<port>` with no trailing slash.
    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The sub-path the app is served under (`"/"` at the root).
    pub fn mount(&self) -> &str {
        &self.mount
    }
}

impl Drop for StaticServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve_one(mut stream: TcpStream, dir: &Path, prefix: &str) -> std::io::Result<()> {
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut buf).await?;
        if n == 0 || head.len() > 16 * 1024 {
            return Ok(());
        }
        head.extend_from_slice(&buf[..n]);
    }
    let head = String::from_utf8_lossy(&head);
    let mut parts = head.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let path = target.split(['?', '#']).next().unwrap_or("");

    let file = match (method, path.strip_prefix(prefix)) {
        ("GET" | "HEAD", Some(rest)) => resolve(dir, rest),
        _ => None,
    };
    let (status, mime, body) = match file {
        Some(file) => match tokio::fs::read(&file).await {
            Ok(body) => ("200 OK", mime_type(&file), body),
            Err(_) => ("404 Not Found", "text/plain", b"not found".to_vec()),
        },
        None => ("404 Not Found", "text/plain", b"not found".to_vec()),
    };
    let header = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {mime}\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(header.as_bytes()).await?;
    if method != "HEAD" {
        stream.write_all(&body).await?;
    }
    stream.shutdown().await
}

/// Maps a URL path below the mount to a file in `dir`; directories give their index.html.
fn resolve(dir: &Path, rest: &str) -> Option<PathBuf> {
    let rel = Path::new(rest);
    if !rel.components().all(|c| matches!(c, Component::Normal(_))) {
        return None; // no `..`, no absolute paths
    }
    let path = dir.join(rel);
    let path = if path.is_dir() {
        path.join("index.html")
    } else {
        path
    };
    path.is_file().then_some(path)
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

// ---------------------------------------------------------------------------------------------
// Browsers and drivers

/// A headless browser driven over WebDriver.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Browser {
    /// Debian's Chromium with chromedriver (`chromium-driver`).
    Chromium,
    /// Firefox ESR with geckodriver (`cargo install geckodriver`).
    Firefox,
    /// WebKitGTK's MiniBrowser with WebKitWebDriver (Debian's `webkit2gtk-driver`), on an
    /// Xvfb display (`xvfb`). One session per driver process.
    WebKitGtk,
}

/// Debian's MiniBrowser, shipped with libwebkit2gtk-4.1-0 (a dependency of webkit2gtk-driver).
pub const MINIBROWSER: &str = "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser";

impl Browser {
    pub const ALL: [Browser; 3] = [Browser::Chromium, Browser::Firefox, Browser::WebKitGtk];

    fn driver_command(self, port: u16) -> Command {
        let (var, default) = match self {
            Browser::Chromium => ("CHROMEDRIVER", "chromedriver"),
            Browser::Firefox => ("GECKODRIVER", "geckodriver"),
            Browser::WebKitGtk => ("WEBKITWEBDRIVER", "WebKitWebDriver"),
        };
        let program = std::env::var_os(var).unwrap_or_else(|| default.into());
        let mut cmd = Command::new(program);
        match self {
            Browser::Chromium | Browser::WebKitGtk => cmd.arg(format!("--port={port}")),
            Browser::Firefox => cmd.args(["--host", "127.0.0.1", "--port", &port.to_string()]),
        };
        cmd
    }

    fn capabilities(self, profile_dir: &Path) -> serde_json::Map<String, Value> {
        let caps = match self {
            Browser::Chromium => {
                let binary =
                    std::env::var("CRUMBTRAIL_CHROMIUM").unwrap_or("/usr/bin/chromium".into());
                json!({
                    "browserName": "chrome",
                    "goog:loggingPrefs": { "browser": "ALL" },
                    "goog:chromeOptions": {
                        "binary": binary,
                        "args": [
                            "--headless=new", "--no-sandbox", "--disable-gpu",
                            "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
                            "--disable-background-networking", "--disable-component-update",
                            "--disable-sync", "--window-size=1200,800",
                            format!("--user-data-dir={}", profile_dir.display()),
                        ]
                    }
                })
            }
            Browser::Firefox => {
                let binary =
                    std::env::var("CRUMBTRAIL_FIREFOX").unwrap_or("/usr/bin/firefox-esr".into());
                json!({
                    "browserName": "firefox",
                    "moz:firefoxOptions": { "binary": binary, "args": ["-headless"] }
                })
            }
            Browser::WebKitGtk => {
                let binary =
                    std::env::var("CRUMBTRAIL_WEBKIT_MINIBROWSER").unwrap_or(MINIBROWSER.into());
                // Popups are allowed, as chromedriver and geckodriver allow them (live mode
                // opens its navigations in a popup window).
                json!({
                    "browserName": "MiniBrowser",
                    "webkitgtk:browserOptions": {
                        "binary": binary,
                        "args": ["--automation", "--javascript-can-open-windows-automatically=true"]
                    }
                })
            }
        };
        match caps {
            Value::Object(map) => map,
            _ => unreachable!(),
        }
    }
}

/// A running WebDriver process. Dropping it kills the driver and the browser it started
/// (they share a process group, with WebKitGTK's Xvfb), even when a test panics.
struct Driver {
    child: Child,
    /// WebKitGTK's Xvfb, the leader of the process group the driver joined.
    display: Option<Child>,
    profile_dir: PathBuf,
}

/// Starts an Xvfb on a display it picks itself (`-displayfd`: no race between tests that
/// start one at the same time) in a new process group; returns it and the display (`:N`).
pub fn start_xvfb() -> (Child, String) {
    use std::io::BufRead;
    let mut cmd = Command::new(std::env::var_os("CRUMBTRAIL_XVFB").unwrap_or("Xvfb".into()));
    cmd.args([
        "-displayfd",
        "1",
        "-screen",
        "0",
        "1280x1024x24",
        "-nolisten",
        "tcp",
    ])
    .stdout(Stdio::piped());
    if !verbose() {
        cmd.stderr(Stdio::null());
    }
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    let mut child = cmd.spawn().unwrap_or_else(|e| {
        panic!("cannot start Xvfb for WebKitGTK: {e}. `./dev test` installs it (Debian: xvfb)")
    });
    let mut line = String::new();
    let read =
        std::io::BufReader::new(child.stdout.take().expect("Xvfb stdout")).read_line(&mut line);
    let display = line.trim();
    if read.is_err() || display.is_empty() {
        let _ = child.kill();
        let _ = child.wait();
        panic!("Xvfb did not report its display ({read:?})");
    }
    let display = format!(":{display}");
    (child, display)
}

impl Driver {
    fn start(browser: Browser) -> (Driver, u16) {
        static COUNT: AtomicU32 = AtomicU32::new(0);
        let profile_dir = std::env::temp_dir().join(format!(
            "crumbtrail-e2e-{}-{}",
            std::process::id(),
            COUNT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&profile_dir).expect("profile dir");

        let port = free_port();
        let mut cmd = browser.driver_command(port);
        if !verbose() {
            cmd.stdout(Stdio::null()).stderr(Stdio::null());
        }
        let display = match browser {
            Browser::WebKitGtk => {
                let (xvfb, display) = start_xvfb();
                cmd.env("DISPLAY", display);
                std::os::unix::process::CommandExt::process_group(&mut cmd, xvfb.id() as i32);
                Some(xvfb)
            }
            _ => {
                std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
                None
            }
        };
        let child = match cmd.spawn() {
            Ok(child) => child,
            Err(e) => {
                if let Some(mut xvfb) = display {
                    let _ = xvfb.kill();
                    let _ = xvfb.wait();
                }
                panic!(
                    "cannot start the {browser:?} WebDriver ({:?}): {e}. `./dev test` installs it.",
                    cmd.get_program()
                )
            }
        };
        let driver = Driver {
            child,
            display,
            profile_dir,
        };

        let deadline = Instant::now() + Duration::from_secs(15);
        while StdStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "{browser:?} WebDriver did not listen on {port}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        (driver, port)
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // Kill the whole process group: the driver and the browser it launched (and the Xvfb
        // that leads WebKitGTK's group).
        let leader = self.display.as_ref().unwrap_or(&self.child).id();
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{leader}")])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(xvfb) = self.display.as_mut() {
            let _ = xvfb.kill();
            let _ = xvfb.wait();
        }
        let _ = std::fs::remove_dir_all(&self.profile_dir);
    }
}

/// Starts a driver and opens a session on it. A driver that listens but drops the
/// new-session request (seen once in CI with geckodriver on a loaded machine) is replaced by a
/// fresh one, up to three times; a session that opens is never retried, so page and browser
/// errors still fail the test.
async fn connect(
    browser: Browser,
    tweak: impl Fn(&mut serde_json::Map<String, Value>),
) -> (Client, Driver) {
    let mut last = String::new();
    for attempt in 1..=3 {
        let (driver, port) = Driver::start(browser);
        let mut caps = browser.capabilities(&driver.profile_dir);
        tweak(&mut caps);
        match ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(client) => return (client, driver),
            Err(e) => {
                last = e.to_string();
                eprintln!("{browser:?}: WebDriver session attempt {attempt} failed: {e}");
                drop(driver);
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        }
    }
    panic!("{browser:?}: cannot open a WebDriver session: {last}")
}

/// A headless browser session with no server of its own, for pages served elsewhere (the
/// live-mode lab). `insecure_certs` accepts the lab's self-signed HTTPS certificate.
pub struct Session {
    pub browser: Browser,
    pub client: Client,
    driver: Driver,
}

impl Session {
    pub async fn start(browser: Browser, insecure_certs: bool) -> Session {
        let (client, driver) = connect(browser, |caps| {
            if insecure_certs {
                caps.insert("acceptInsecureCerts".into(), Value::Bool(true));
            }
        })
        .await;
        Session {
            browser,
            client,
            driver,
        }
    }

    /// A session with capabilities of the caller's own added (performance
    /// logging, a WebDriver BiDi socket).
    pub async fn start_with(
        browser: Browser,
        tweak: impl Fn(&mut serde_json::Map<String, Value>),
    ) -> Session {
        let (client, driver) = connect(browser, tweak).await;
        Session {
            browser,
            client,
            driver,
        }
    }

    /// Ends the session cleanly (the driver is killed on drop in any case).
    pub async fn close(self) {
        let Session { client, driver, .. } = self;
        let _ = client.close().await;
        drop(driver);
    }
}

/// Chromium's console log (`goog:loggingPrefs`), a command fantoccini does not wrap.
#[derive(Debug)]
struct ChromiumLog;

impl WebDriverCompatibleCommand for ChromiumLog {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/se/log", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(r#"{"type":"browser"}"#.into()))
    }
}

// ---------------------------------------------------------------------------------------------
// A browser session on a served dist

/// One headless browser session pointed at a [`StaticServer`].
pub struct E2e {
    pub browser: Browser,
    pub client: Client,
    pub server: StaticServer,
    driver: Driver,
}

impl E2e {
    /// Serves `dist` at `mount` and opens a fresh `browser` session.
    pub async fn start(browser: Browser, dist: &Path, mount: &str) -> E2e {
        let server = StaticServer::start(dist, mount).await;
        let (client, driver) = connect(browser, |_| {}).await;
        E2e {
            browser,
            client,
            server,
            driver,
        }
    }

    /// [`E2e::start`] in a browser whose reader prefers dark colours
    /// (`prefers-color-scheme: dark`).
    pub async fn start_dark(browser: Browser, dist: &Path, mount: &str) -> E2e {
        let server = StaticServer::start(dist, mount).await;
        let (client, driver) = connect(browser, |caps| match browser {
            Browser::Chromium => {
                if let Some(args) = caps
                    .get_mut("goog:chromeOptions")
                    .and_then(|o| o.get_mut("args"))
                    .and_then(Value::as_array_mut)
                {
                    // Blink's PreferredColorScheme: 0 is dark.
                    args.push(json!("--blink-settings=preferredColorScheme=0"));
                    args.push(json!("--force-dark-mode"));
                }
            }
            Browser::Firefox => {
                if let Some(o) = caps
                    .get_mut("moz:firefoxOptions")
                    .and_then(Value::as_object_mut)
                {
                    // 0: dark, 1: light, 2: the system's.
                    o.insert(
                        "prefs".into(),
                        json!({ "layout.css.prefers-color-scheme.content-override": 0 }),
                    );
                }
            }
            Browser::WebKitGtk => {
                if let Some(args) = caps
                    .get_mut("webkitgtk:browserOptions")
                    .and_then(|o| o.get_mut("args"))
                    .and_then(Value::as_array_mut)
                {
                    // MiniBrowser's dark GTK theme, which WebKitGTK reports as a dark preference.
                    args.push(json!("--dark-mode"));
                }
            }
        })
        .await;
        E2e {
            browser,
            client,
            server,
            driver,
        }
    }

    /// Loads `path` relative to the mount, e.g. `""` or `"?profile=firefox"`.
    pub async fn open(&self, path: &str) {
        let url = format!("{}{}{}", self.server.origin(), self.server.mount(), path);
        self.client
            .goto(&url)
            .await
            .unwrap_or_else(|e| panic!("{:?}: cannot load {url}: {e}", self.browser));
    }

    /// Waits until the app has mounted (`data-ready="true"`). Fails as soon as the page reports
    /// an error (for example a wasm that does not compile), or after [`READY_TIMEOUT`], with
    /// the page's errors and text.
    ///
    /// WebKitGTK's MiniBrowser sometimes crashes while a page starts, with no fault of the page
    /// (seen on 2026-12-04 in about one of three runs of the preset suites, with the build of
    /// the day before too): its web process dies ("cannot read the page's errors": WebDriver
    /// loses the page) or its wasm faults in a closure ("Out of bounds memory access"). Such a
    /// page is loaded again, at most twice; any other error, or a third crash, fails.
    pub async fn wait_ready(&self) {
        let mut deadline = Instant::now() + READY_TIMEOUT;
        let mut reloads = 0;
        loop {
            if self.client.find(Locator::Css(READY_SELECTOR)).await.is_ok() {
                return;
            }
            let recorded = self.recorded_errors().await;
            let failed = !recorded.is_empty();
            let crashed = self.browser == Browser::WebKitGtk
                && recorded.iter().all(|e| {
                    e.starts_with("cannot read the page's errors")
                        || e.contains("Out of bounds memory access")
                });
            if failed && crashed && reloads < 2 {
                reloads += 1;
                eprintln!(
                    "{:?}: the page crashed at start ({recorded:?}); loading it again",
                    self.browser
                );
                if let Ok(url) = self.client.current_url().await {
                    let _ = self.client.goto(url.as_str()).await;
                }
                deadline = Instant::now() + READY_TIMEOUT;
                continue;
            }
            if failed || Instant::now() >= deadline {
                let errors = self.page_errors().await;
                let body = self.text("body").await;
                let why = if failed {
                    "it reported errors"
                } else {
                    "timed out"
                };
                panic!(
                    "{:?}: the app did not become ready ({why}, limit {READY_TIMEOUT:?}).\n\
                     page errors: {errors:#?}\npage text: {body:?}",
                    self.browser
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The visible text of the first element matching `css` (empty when there is none).
    pub async fn text(&self, css: &str) -> String {
        match self.client.find(Locator::Css(css)).await {
            Ok(el) => el.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        }
    }

    /// The visible texts of every element matching `css`.
    pub async fn texts(&self, css: &str) -> Vec<String> {
        let mut out = Vec::new();
        for el in self
            .client
            .find_all(Locator::Css(css))
            .await
            .unwrap_or_default()
        {
            out.push(el.text().await.unwrap_or_default());
        }
        out
    }

    /// Errors the page recorded itself: uncaught errors, rejected promises and `console.error`
    /// calls (see the script in index.html).
    pub async fn recorded_errors(&self) -> Vec<String> {
        let recorded = self
            .client
            .execute(
                "return window.__crumbtrailErrors || ['page script did not run'];",
                vec![],
            )
            .await;
        match recorded {
            Ok(Value::Array(items)) => items
                .iter()
                .map(|v| match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect(),
            Ok(other) => vec![format!("unexpected error list: {other}")],
            Err(e) => vec![format!("cannot read the page's errors: {e}")],
        }
    }

    /// [`recorded_errors`](Self::recorded_errors) plus, in Chromium, SEVERE console entries
    /// since the last call (such as failed loads).
    pub async fn page_errors(&self) -> Vec<String> {
        let mut errors = self.recorded_errors().await;
        if self.browser == Browser::Chromium {
            match self.client.issue_cmd(ChromiumLog).await {
                Ok(Value::Array(entries)) => errors.extend(
                    entries
                        .iter()
                        .filter(|e| e["level"] == "SEVERE")
                        // Live mode asks the page's own origin for `/__lab/health`; on a
                        // plain static host that is a 404, which Chromium logs as an error.
                        .filter(|e| {
                            !e["message"]
                                .as_str()
                                .unwrap_or("")
                                .contains("/__lab/health")
                        })
                        .map(|e| format!("console: {}", e["message"].as_str().unwrap_or(""))),
                ),
                Ok(other) => errors.push(format!("unexpected browser log: {other}")),
                Err(e) => errors.push(format!("cannot read the browser log: {e}")),
            }
        }
        errors
    }

    /// Fails the test when the page reported any error.
    pub async fn assert_no_errors(&self) {
        let errors = self.page_errors().await;
        assert!(
            errors.is_empty(),
            "{:?} page errors: {errors:#?}",
            self.browser
        );
    }

    /// Ends the session cleanly (the driver is killed on drop in any case).
    pub async fn close(self) {
        let E2e { client, driver, .. } = self;
        let _ = client.close().await;
        drop(driver);
    }
}
