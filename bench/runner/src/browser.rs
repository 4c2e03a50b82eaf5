//! Headless Chromium through chromedriver, with the Chrome DevTools Protocol for throttling
//! (chromedriver's `POST /session/{id}/goog/cdp/execute`).
//!
//! The flags are those of the end-to-end tests (tests/support/mod.rs): this machine has no
//! internet, so background connections are turned off.

use std::net::{TcpListener as StdListener, TcpStream as StdStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::wd::{TimeoutConfiguration, WebDriverCompatibleCommand};
use fantoccini::{Client, ClientBuilder};
use serde_json::{json, Value};

/// Network conditions as Chromium emulates them: a delay per request and a throughput cap.
#[derive(Clone, Copy, Debug)]
pub struct Network {
    pub down_bits_per_s: u64,
    pub up_bits_per_s: u64,
    pub rtt_ms: u64,
}

/// One network and CPU profile.
#[derive(Clone, Copy, Debug)]
pub struct Profile {
    pub name: &'static str,
    /// The name in a few words, for table rows.
    pub short: &'static str,
    /// `None`: no network throttling.
    pub network: Option<Network>,
    /// Chromium's CPU slowdown of the page's main thread (1 = none).
    pub cpu: f64,
}

/// A running chromedriver; dropping it kills the driver and the browser it started (they
/// share a process group).
struct Driver {
    child: Child,
    profile_dir: PathBuf,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.child.id())])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.profile_dir);
    }
}

fn free_port() -> u16 {
    StdListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("no free loopback port")
        .port()
}

fn start_driver() -> Result<(Driver, u16), String> {
    let profile_dir = std::env::temp_dir().join(format!("crumbtrail-bench-{}", std::process::id()));
    std::fs::create_dir_all(&profile_dir).map_err(|e| format!("profile dir: {e}"))?;
    let port = free_port();
    let program = std::env::var_os("CHROMEDRIVER").unwrap_or_else(|| "chromedriver".into());
    let mut cmd = Command::new(&program);
    cmd.arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    let child = cmd
        .spawn()
        .map_err(|e| format!("cannot start chromedriver ({program:?}): {e}"))?;
    let driver = Driver { child, profile_dir };
    let deadline = Instant::now() + Duration::from_secs(20);
    while StdStream::connect(("127.0.0.1", port)).is_err() {
        if Instant::now() > deadline {
            return Err(format!("chromedriver did not listen on {port}"));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok((driver, port))
}

fn capabilities(profile_dir: &std::path::Path) -> serde_json::Map<String, Value> {
    let binary = std::env::var("CRUMBTRAIL_CHROMIUM").unwrap_or("/usr/bin/chromium".into());
    let caps = json!({
        "browserName": "chrome",
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
    });
    match caps {
        Value::Object(map) => map,
        _ => unreachable!(),
    }
}

/// A DevTools command through chromedriver.
#[derive(Debug)]
struct Cdp {
    cmd: String,
    params: Value,
}

impl WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!(
            "session/{}/goog/cdp/execute",
            session.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let body = json!({ "cmd": self.cmd, "params": self.params });
        (http::Method::POST, Some(body.to_string()))
    }
}

/// One headless Chromium session.
pub struct Browser {
    pub client: Client,
    _driver: Driver,
}

impl Browser {
    /// Starts chromedriver and Chromium; `probe` runs at the start of every document.
    pub async fn start(probe: &str) -> Result<Browser, String> {
        let mut last = String::new();
        // A driver that drops the new-session request on a loaded machine is replaced.
        for attempt in 1..=3 {
            let (driver, port) = start_driver()?;
            let caps = capabilities(&driver.profile_dir);
            match ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                .capabilities(caps)
                .connect(&format!("http://127.0.0.1:{port}"))
                .await
            {
                Ok(client) => {
                    let browser = Browser {
                        client,
                        _driver: driver,
                    };
                    browser.setup(probe).await?;
                    return Ok(browser);
                }
                Err(e) => {
                    last = e.to_string();
                    eprintln!("WebDriver session attempt {attempt} failed: {e}");
                }
            }
        }
        Err(format!("cannot open a Chromium session: {last}"))
    }

    async fn setup(&self, probe: &str) -> Result<(), String> {
        self.client
            .update_timeouts(TimeoutConfiguration::new(
                Some(Duration::from_secs(120)),
                Some(Duration::from_secs(120)),
                Some(Duration::from_secs(0)),
            ))
            .await
            .map_err(|e| format!("timeouts: {e}"))?;
        self.cdp("Page.enable", json!({})).await?;
        self.cdp(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({ "source": probe }),
        )
        .await?;
        self.cdp("Network.enable", json!({})).await?;
        self.cdp("Network.setCacheDisabled", json!({ "cacheDisabled": true }))
            .await?;
        Ok(())
    }

    /// Runs one DevTools command on the session's page.
    pub async fn cdp(&self, cmd: &str, params: Value) -> Result<Value, String> {
        self.client
            .issue_cmd(Cdp {
                cmd: cmd.into(),
                params,
            })
            .await
            .map_err(|e| format!("{cmd}: {e}"))
    }

    /// Applies `profile`'s network and CPU throttling to the page (kept across navigations).
    pub async fn throttle(&self, profile: &Profile) -> Result<(), String> {
        let params = match profile.network {
            Some(n) => json!({
                "offline": false,
                "latency": n.rtt_ms,
                "downloadThroughput": n.down_bits_per_s as f64 / 8.0,
                "uploadThroughput": n.up_bits_per_s as f64 / 8.0,
            }),
            None => json!({
                "offline": false, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1,
            }),
        };
        self.cdp("Network.emulateNetworkConditions", params).await?;
        self.cpu_rate(profile.cpu).await
    }

    /// Sets the CPU slowdown only.
    pub async fn cpu_rate(&self, rate: f64) -> Result<(), String> {
        self.cdp("Emulation.setCPUThrottlingRate", json!({ "rate": rate }))
            .await
            .map(|_| ())
    }

    /// The browser's version string, e.g. `Chrome/156.0…`.
    pub async fn version(&self) -> String {
        self.cdp("Browser.getVersion", json!({}))
            .await
            .ok()
            .and_then(|v| v["product"].as_str().map(str::to_string))
            .unwrap_or_else(|| "unknown".into())
    }
}
