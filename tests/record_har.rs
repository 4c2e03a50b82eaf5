//! Records the import's HAR fixtures from the real browsers: each preset is
//! loaded in the release build served by the lab and run with "Run live"
//! (as tests/e2e_live.rs does), while the browser's network traffic is
//! recorded (tests/support/recorder.rs) and written as the HAR its Network
//! panel would export, into `engine/tests/data/import/recorded/`, with the
//! scenario the import rebuilds from it and what the live run showed
//! (`<browser>-<preset>.expected.json`). engine/tests/import_recorded.rs
//! then checks every fixture without a browser.
//!
//! Runs only with `CRUMBTRAIL_RECORD=1` (and a built `dist/`): the fixtures
//! are checked in, and recording them again changes ports and cookie names.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crumbtrail_engine::import;
use crumbtrail_engine::live::LabPorts;
use crumbtrail_engine::permalink::{encode, View};
use crumbtrail_engine::trace::Verdict;
use crumbtrail_engine::{presets, simulate, ProfileId};
use fantoccini::Locator;
use serde_json::{json, Value};
use support::recorder::{self, BidiRecorder, Cdp};
use support::{Browser, Session};

/// The presets recorded: every preset whose login fails (the import must
/// rebuild each failure from what the browser recorded), and the article's
/// working setups beside them. A preset that live mode refuses to run is
/// listed with its reason in tests/live_known_differences.toml and skipped.
fn recorded_presets() -> Vec<&'static str> {
    const WORKING: [&str; 2] = ["article-refined", "cross-site-samesite-none"];
    presets::all()
        .into_iter()
        .filter(|p| WORKING.contains(&p.id) || simulate(&p.scenario).verdict != Verdict::Ok)
        .map(|p| p.id)
        .collect()
}

const TABLE: &str = r#"
const panel = document.querySelector('.live-panel');
return {
  state: panel ? panel.dataset.liveState : null,
  verdict: (document.querySelector('[data-verdict]') || {}).dataset?.verdict || null,
  rows: [...document.querySelectorAll('.live-table tr[data-outcome]')].map(tr => ({
    request: Number(tr.dataset.request), outcome: tr.dataset.outcome,
    simulated: tr.dataset.simulated, observed: tr.dataset.observed, agree: tr.dataset.agree === 'true',
  })),
};
"#;

fn out_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("engine/tests/data/import/recorded")
}

async fn poll(s: &Session, script: &str, limit: Duration, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + limit;
    loop {
        let v = s
            .client
            .execute(script, vec![])
            .await
            .unwrap_or(Value::Null);
        if done(&v) || Instant::now() > deadline {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn version(s: &Session) -> String {
    let ua = s
        .client
        .execute("return navigator.userAgent", vec![])
        .await
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    ua.split(['/', ' '])
        .skip_while(|p| !p.ends_with("Chrome") && *p != "Firefox")
        .nth(1)
        .unwrap_or("?")
        .to_string()
}

/// Loads `id` on the lab, runs it live, and returns the page's table.
async fn run_live(s: &Session, id: &str, profile: ProfileId, ports: &LabPorts) -> Option<Value> {
    let mut scenario = presets::by_id(id).expect("preset").scenario;
    scenario.profile = profile;
    let origin = if scenario.page.url.starts_with("https:") {
        format!("https://localhost:{}", ports.https_app?)
    } else {
        format!("http://localhost:{}", ports.app)
    };
    let url = format!("{origin}/?{}", encode(&scenario, &View::default()));
    s.client.goto(&url).await.ok()?;
    let state = poll(
        s,
        "const p = document.querySelector('[data-ready=true] .live-panel'); return p ? p.dataset.liveState : null;",
        Duration::from_secs(20),
        |v| v.as_str().is_some_and(|s| s != "checking"),
    )
    .await;
    if state != "ready" {
        eprintln!("{id}: live mode is not ready ({state})");
        return None;
    }
    s.client
        .find(Locator::Css("[data-live-run]"))
        .await
        .ok()?
        .click()
        .await
        .ok()?;
    let t = poll(s, TABLE, Duration::from_secs(30), |v| {
        matches!(v["state"].as_str(), Some("done" | "failed"))
    })
    .await;
    // Let the last responses land in the log.
    tokio::time::sleep(Duration::from_millis(500)).await;
    (t["state"] == "done").then_some(t)
}

/// Leaves out what a user's export of their app's tab would not hold: the
/// live page's calls to the lab itself (`/__lab/…`: its health check, the
/// run's registration and log), which through a dev-server proxy would look
/// like the app's own same-origin API calls, and the browser's own pages
/// (`chrome://` of a fresh profile's new tab, which DevTools does not record).
fn without_lab_calls(har: &Value) -> Value {
    let mut har = har.clone();
    if let Some(entries) = har["log"]["entries"].as_array_mut() {
        entries.retain(|e| {
            let url = e["request"]["url"].as_str().unwrap_or_default();
            let lab = url::Url::parse(url).is_ok_and(|u| u.path().starts_with("/__lab/"));
            !lab && !url.starts_with("chrome://")
        });
    }
    har
}

fn write(browser: &str, id: &str, har: &Value, table: &Value) {
    let name = format!("{browser}-{id}");
    let text = serde_json::to_string_pretty(&without_lab_calls(har)).expect("HAR");
    let imported = import::import(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
    let trace = simulate(&imported.scenario);
    let expected = json!({
        "preset": id,
        "browser": browser,
        "live": table,
        "verdict": trace.verdict,
        "scenario": imported.scenario,
    });
    std::fs::create_dir_all(out_dir()).expect("fixture directory");
    std::fs::write(out_dir().join(format!("{name}.har")), text + "\n").expect("write HAR");
    std::fs::write(
        out_dir().join(format!("{name}.expected.json")),
        serde_json::to_string_pretty(&expected).expect("JSON") + "\n",
    )
    .expect("write expected");
    println!(
        "recorded {name}: verdict {:?}, {}",
        trace.verdict, trace.headline
    );
}

/// Why WebKitGTK records no fixtures: WebKitWebDriver offers neither Chromium's DevTools
/// protocol nor WebDriver BiDi's network events, the two recorders of tests/support/recorder.rs.
const NO_WEBKIT_RECORDER: &str =
    "WebKitWebDriver has no network log (no DevTools protocol, no WebDriver BiDi): no HAR to record";

/// A fresh browser with its recorder: each preset is recorded in a browser
/// of its own, so no cookie of an earlier preset (WebDriver's "delete all
/// cookies" leaves Firefox's partitioned ones) is in its recording.
async fn open(browser: Browser) -> (Session, Option<BidiRecorder>, String) {
    let s = match browser {
        Browser::Chromium => {
            Session::start_with(browser, |caps| {
                caps.insert("acceptInsecureCerts".into(), Value::Bool(true));
                recorder::chromium_caps(caps);
            })
            .await
        }
        Browser::Firefox => {
            Session::start_with(browser, |caps| {
                caps.insert("acceptInsecureCerts".into(), Value::Bool(true));
                caps.insert("webSocketUrl".into(), Value::Bool(true));
            })
            .await
        }
        Browser::WebKitGtk => unreachable!("{NO_WEBKIT_RECORDER}"),
    };
    let v = version(&s).await;
    let bidi = match browser {
        Browser::Firefox => Some(BidiRecorder::start(&s.client).await),
        Browser::Chromium => {
            // What DevTools' "Disable cache" does, so every answer comes from the lab.
            let _ = s.client.issue_cmd(Cdp("Network.enable", json!({}))).await;
            let _ = s
                .client
                .issue_cmd(Cdp(
                    "Network.setCacheDisabled",
                    json!({ "cacheDisabled": true }),
                ))
                .await;
            None
        }
        Browser::WebKitGtk => unreachable!("{NO_WEBKIT_RECORDER}"),
    };
    (s, bidi, v)
}

async fn record(browser: Browser, ports: LabPorts) {
    let (key, profile) = match browser {
        Browser::Chromium => ("chromium", ProfileId::ChromeNo3pc),
        Browser::Firefox => ("firefox", ProfileId::Firefox),
        Browser::WebKitGtk => unreachable!("{NO_WEBKIT_RECORDER}"),
    };
    // `CRUMBTRAIL_RECORD_ONLY=<preset id>` records that preset alone.
    let only = std::env::var("CRUMBTRAIL_RECORD_ONLY").ok();
    for id in recorded_presets() {
        if only.as_deref().is_some_and(|o| o != id) {
            continue;
        }
        let (s, bidi, v) = open(browser).await;
        let Some(table) = run_live(&s, id, profile, &ports).await else {
            eprintln!("{key} {id}: the live run did not finish; not recorded");
            drop(bidi);
            s.close().await;
            continue;
        };
        let page = s
            .client
            .current_url()
            .await
            .map(|u| u.to_string())
            .unwrap_or_default();
        let har = match &bidi {
            Some(b) => {
                let title = s.client.title().await.unwrap_or_default();
                recorder::firefox_har(&b.take(), &v, &title)
            }
            None => recorder::chromium_har(&recorder::chromium_events(&s.client).await, &v, &page),
        };
        write(key, id, &har, &table);
        drop(bidi);
        s.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn record_har_fixtures() {
    if std::env::var_os("CRUMBTRAIL_RECORD").is_none() {
        eprintln!("record_har_fixtures: set CRUMBTRAIL_RECORD=1 to record the import's HAR fixtures again");
        return;
    }
    let lab = crumbtrail_lab::start(crumbtrail_lab::LabConfig {
        dist: Some(support::dist()),
        app_port: 0,
        api_port: 0,
        https: true,
        https_app_port: 0,
        https_api_port: 0,
        ..Default::default()
    })
    .await
    .expect("start the lab");
    // Not WebKitGTK: see NO_WEBKIT_RECORDER.
    for browser in [Browser::Chromium, Browser::Firefox] {
        record(browser, lab.ports.clone()).await;
    }
}
