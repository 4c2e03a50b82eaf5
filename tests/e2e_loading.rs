//! The first load (issue #16), in headless Chromium and Firefox ESR, on the release build:
//! - the verdict renders from the first load alone: with every lazy chunk missing from the
//!   server it is there and right, the outcomes (in the first load) are shown, and every
//!   deferred part says in its place that it could not be downloaded, with "Try again";
//! - a chunk that fails to download never stops the page (no panic): a server model that
//!   cannot be fetched makes the verdict "incomplete" and say so, and once the file is back,
//!   "Try again" brings the model's verdict, and the part's "Try again" the part;
//! - with the whole build, no lazy chunk is requested before the verdict is in the page, every
//!   part arrives, and another stack's editor is fetched only when that stack is picked (and
//!   then works);
//! - nothing on the screen moves while the parts arrive: the cumulative layout shift of the
//!   load is 0 for the default page and every preset, at 1280×800 and on a 390×844 phone
//!   (Chromium: Firefox has no `layout-shift` entries).
//!
//! Needs `CRUMBTRAIL_E2E` and a `dist/` built by `trunk build --release` (see tests/support).
#![cfg(not(target_arch = "wasm32"))]

mod support;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crumbtrail_engine::permalink::{encode, View};
use crumbtrail_engine::presets;
use crumbtrail_engine::simulate;
use crumbtrail_engine::trace::Verdict;
use serde_json::Value;
use support::{Browser, E2e};

fn verdict_key(v: Verdict) -> &'static str {
    match v {
        Verdict::Ok => "ok",
        Verdict::Warning => "warning",
        Verdict::Blocked => "blocked",
    }
}

async fn run(e2e: &E2e, script: &str) -> Value {
    e2e.client
        .execute(script, vec![])
        .await
        .unwrap_or_else(|e| panic!("{:?}: {script}: {e}", e2e.browser))
}

/// Runs `script` until `done` accepts its value, or fails after 20 s.
async fn wait_for(e2e: &E2e, what: &str, script: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let v = e2e
            .client
            .execute(script, vec![])
            .await
            .unwrap_or(Value::Null);
        if done(&v) {
            return v;
        }
        assert!(
            Instant::now() < deadline,
            "{:?}: timed out waiting for {what}; last value {v}",
            e2e.browser
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The lazy chunks of a build, as build/split-wasm listed them.
fn lazy_chunks(dist: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(dist.join("split.json"))
        .expect("dist/split.json: build with `trunk build --release` (build/split-wasm)");
    let v: Value = serde_json::from_str(&text).expect("split.json");
    let lazy: Vec<String> = v["lazy"]
        .as_array()
        .expect("split.json: lazy")
        .iter()
        .map(|c| c.as_str().expect("a chunk name").to_string())
        .collect();
    assert!(
        lazy.len() > 10,
        "the build has only {} lazy chunks: was it split?",
        lazy.len()
    );
    lazy
}

/// A copy of `dist` without its lazy chunks.
fn first_load_only(dist: &Path, browser: Browser) -> PathBuf {
    let lazy = lazy_chunks(dist);
    let out = std::env::temp_dir().join(format!(
        "crumbtrail-first-load-{browser:?}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&out);
    copy_dir(dist, &out, &|name| {
        !lazy.iter().any(|c| {
            name == c
                || name
                    .strip_prefix(c.as_str())
                    .is_some_and(|rest| rest.starts_with('.'))
        })
    });
    out
}

fn copy_dir(from: &Path, to: &Path, keep: &dyn Fn(&str) -> bool) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        if path.is_dir() {
            copy_dir(&path, &to.join(&name), keep);
        } else if keep(&name) {
            std::fs::copy(&path, to.join(&name)).unwrap();
        }
    }
}

/// The chunk files the page fetched so far.
const FETCHED_CHUNKS: &str = "return performance.getEntriesByType('resource')\
    .map(e => e.name.split('/').pop())\
    .filter(n => /^(split|chunk)_.*\\.wasm$/.test(n));";

async fn verdict_without_the_lazy_chunks(browser: Browser) {
    let dir = first_load_only(&support::dist(), browser);
    let e2e = E2e::start(browser, &dir, "/").await;
    for p in presets::all().into_iter().take(3) {
        let trace = simulate(&p.scenario);
        e2e.open(&format!("?{}", encode(&p.scenario, &View::default())))
            .await;
        let seen = wait_for(
            &e2e,
            "the verdict",
            "const v = document.querySelector('[data-ready=\"true\"] [data-verdict]'); \
             return v ? [v.getAttribute('data-verdict'), document.querySelectorAll('.outcome-list > li').length] : null;",
            |v| v.is_array(),
        )
        .await;
        assert_eq!(
            seen[0].as_str(),
            Some(verdict_key(trace.verdict)),
            "{browser:?} {}: the verdict from the first load alone",
            p.id
        );
        // Each part whose chunk is missing says so in its place, with "Try
        // again", and the page is not complete; the outcomes, in the first
        // load, are shown under the answer's slot.
        let state = wait_for(
            &e2e,
            "every part's slot to settle",
            "const slots = [...document.querySelectorAll('[data-deferred]')];              if (slots.some(s => s.getAttribute('data-loaded') === 'false')) return null;              return [document.querySelector('#app').getAttribute('data-complete'),                slots.filter(s => s.getAttribute('data-loaded') === 'failed' && s.querySelector('button[data-retry]')).map(s => s.getAttribute('data-deferred')),                slots.filter(s => s.getAttribute('data-loaded') === 'true').map(s => s.getAttribute('data-deferred')),                document.querySelectorAll('.outcome-list > li').length,                !!document.querySelector('#answer, .settings-body, #live')];",
            |v| v.is_array(),
        )
        .await;
        assert_eq!(
            state[0].as_str(),
            Some("false"),
            "{browser:?} {}: {state}",
            p.id
        );
        let failed: Vec<&str> = state[1]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .collect();
        for part in ["answer", "steps", "fixes", "code", "live", "settings"] {
            assert!(
                failed.contains(&part),
                "{browser:?} {}: {part} does not say it could not be downloaded: {state}",
                p.id
            );
        }
        assert_eq!(
            state[2],
            serde_json::json!(["requests"]),
            "{browser:?} {}: {state}",
            p.id
        );
        assert_eq!(
            state[3].as_u64(),
            Some(trace.requests.len() as u64),
            "{browser:?} {}: the outcomes (first load) under the answer's slot",
            p.id
        );
        assert_eq!(
            state[4],
            Value::Bool(false),
            "{browser:?} {}: {state}",
            p.id
        );
    }
    assert_no_panic(&e2e).await;
    e2e.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}

/// Fails the test if the wasm panicked or aborted (a chunk that fails to download must not
/// do either; the failed fetches themselves are logged as errors, which is expected here).
async fn assert_no_panic(e2e: &E2e) {
    let errors = e2e.page_errors().await;
    assert!(
        !errors
            .iter()
            .any(|e| e.contains("panicked") || e.contains("unreachable")),
        "{:?}: the page panicked: {errors:#?}",
        e2e.browser
    );
}

/// The files of the build named `file`: the file and its precompressed siblings.
fn is_file_or_sibling(name: &str, file: &str) -> bool {
    name == file
        || name
            .strip_prefix(file)
            .is_some_and(|rest| rest.starts_with('.'))
}

/// The files a server model's split point fetches, its own module first (split.json).
fn model_files(dist: &Path, kind: &str) -> Vec<String> {
    let text = std::fs::read_to_string(dist.join("split.json")).expect("dist/split.json");
    let v: Value = serde_json::from_str(&text).expect("split.json");
    v["models"][kind]
        .as_array()
        .unwrap_or_else(|| panic!("split.json: no model {kind}"))
        .iter()
        .map(|f| f.as_str().expect("a file name").to_string())
        .collect()
}

/// The chunk of the part whose split point is `name` (`split_<name>-<hash>.wasm`).
fn part_chunk(dist: &Path, name: &str) -> String {
    let prefix = format!("split_{name}-");
    lazy_chunks(dist)
        .into_iter()
        .find(|c| c.starts_with(&prefix) && c.ends_with(".wasm"))
        .unwrap_or_else(|| panic!("no chunk {prefix}*.wasm in split.json"))
}

async fn a_chunk_that_fails_to_download_can_be_fetched_again(browser: Browser) {
    let dist = support::dist();
    let preset = presets::all()
        .into_iter()
        .find(|p| p.scenario.server.kind() == crumbtrail_engine::server::stack::ServerKind::Django)
        .expect("a Django preset");
    let expected = simulate(&preset.scenario);
    // The Django model's own module and the answer's chunk are missing from the server.
    let missing = [
        model_files(&dist, "django")[0].clone(),
        part_chunk(&dist, "answer"),
    ];
    let dir = std::env::temp_dir().join(format!(
        "crumbtrail-missing-chunks-{browser:?}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(&dist, &dir, &|name| {
        !missing.iter().any(|f| is_file_or_sibling(name, f))
    });
    let e2e = E2e::start(browser, &dir, "/").await;
    e2e.open(&format!("?{}", encode(&preset.scenario, &View::default())))
        .await;
    let seen = wait_for(
        &e2e,
        "the verdict saying the model could not be downloaded, and the answer's slot saying so",
        "const v = document.querySelector('[data-ready=\"true\"] [data-verdict]');          const a = document.querySelector('[data-deferred=\"answer\"]');          const steps = document.querySelector('[data-deferred=\"steps\"]');          if (!v || !a || a.getAttribute('data-loaded') !== 'failed' || steps.getAttribute('data-loaded') !== 'true') return null;          return [v.getAttribute('data-verdict'), document.querySelector('[data-headline]').textContent,            !!v.querySelector('button[data-retry=\"model\"]'), !!a.querySelector('button[data-retry=\"answer\"]'),            document.querySelector('#app').getAttribute('data-complete')];",
        |v| v.is_array(),
    )
    .await;
    assert_eq!(seen[0].as_str(), Some("incomplete"), "{browser:?}: {seen}");
    let headline = seen[1].as_str().unwrap_or("");
    assert!(
        headline.contains("Django model could not be downloaded") && headline.contains("Try again"),
        "{browser:?}: {headline}"
    );
    assert_eq!(
        seen[2],
        Value::Bool(true),
        "{browser:?}: the verdict's Try again: {seen}"
    );
    assert_eq!(
        seen[3],
        Value::Bool(true),
        "{browser:?}: the answer's Try again: {seen}"
    );
    // The parts below the answer are shown, but the page is not complete.
    assert_eq!(seen[4].as_str(), Some("false"), "{browser:?}: {seen}");

    // The connection is back: both files are served again.
    for entry in std::fs::read_dir(&dist).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if missing.iter().any(|f| is_file_or_sibling(&name, f)) {
            std::fs::copy(dist.join(&name), dir.join(&name)).unwrap();
        }
    }
    run(
        &e2e,
        "document.querySelector('button[data-retry=\"model\"]').click(); return true;",
    )
    .await;
    let verdict = wait_for(
        &e2e,
        "the Django model's verdict after Try again",
        "const v = document.querySelector('[data-verdict]');          return v && v.getAttribute('data-verdict') !== 'incomplete' ? [v.getAttribute('data-verdict'), document.querySelector('[data-headline]').textContent] : null;",
        |v| v.is_array(),
    )
    .await;
    assert_eq!(
        verdict[0].as_str(),
        Some(verdict_key(expected.verdict)),
        "{browser:?} {}: {verdict}",
        preset.id
    );
    assert_eq!(
        verdict[1].as_str().map(str::trim),
        Some(expected.headline.replace('`', "").trim()),
        "{browser:?} {}",
        preset.id
    );
    run(
        &e2e,
        "document.querySelector('button[data-retry=\"answer\"]').click(); return true;",
    )
    .await;
    wait_for(
        &e2e,
        "the answer after its Try again, and the page complete",
        "return document.querySelector('#app').getAttribute('data-complete') === 'true' && !!document.querySelector('#answer');",
        |v| v == &Value::Bool(true),
    )
    .await;
    assert_no_panic(&e2e).await;
    e2e.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn chromium_a_chunk_that_fails_to_download_can_be_fetched_again() {
    if support::enabled("chromium_a_chunk_that_fails_to_download_can_be_fetched_again") {
        a_chunk_that_fails_to_download_can_be_fetched_again(Browser::Chromium).await;
    }
}

#[tokio::test]
async fn firefox_a_chunk_that_fails_to_download_can_be_fetched_again() {
    if support::enabled("firefox_a_chunk_that_fails_to_download_can_be_fetched_again") {
        a_chunk_that_fails_to_download_can_be_fetched_again(Browser::Firefox).await;
    }
}

#[tokio::test]
async fn webkitgtk_a_chunk_that_fails_to_download_can_be_fetched_again() {
    if support::enabled("webkitgtk_a_chunk_that_fails_to_download_can_be_fetched_again") {
        a_chunk_that_fails_to_download_can_be_fetched_again(Browser::WebKitGtk).await;
    }
}

#[tokio::test]
async fn chromium_verdict_without_the_lazy_chunks() {
    if support::enabled("chromium_verdict_without_the_lazy_chunks") {
        verdict_without_the_lazy_chunks(Browser::Chromium).await;
    }
}

#[tokio::test]
async fn firefox_verdict_without_the_lazy_chunks() {
    if support::enabled("firefox_verdict_without_the_lazy_chunks") {
        verdict_without_the_lazy_chunks(Browser::Firefox).await;
    }
}

#[tokio::test]
async fn webkitgtk_verdict_without_the_lazy_chunks() {
    if support::enabled("webkitgtk_verdict_without_the_lazy_chunks") {
        verdict_without_the_lazy_chunks(Browser::WebKitGtk).await;
    }
}

async fn parts_load_after_the_verdict_and_on_use(browser: Browser) {
    let e2e = E2e::start(browser, &support::dist(), "/").await;
    // index.html notes when the verdict is first in the page (`__crumbtrailVerdictAt`).
    e2e.open("?v=1").await;
    e2e.wait_ready().await;
    let early = run(
        &e2e,
        "const at = window.__crumbtrailVerdictAt; if (typeof at !== 'number') return null; \
         return performance.getEntriesByType('resource') \
           .filter(e => /\\/(split|chunk)_[^/]*\\.wasm$/.test(e.name) && e.startTime < at) \
           .map(e => e.name.split('/').pop());",
    )
    .await;
    assert_eq!(
        early,
        Value::Array(vec![]),
        "{browser:?}: chunks fetched before the verdict was in the page (null: no time noted)"
    );
    let fetched = run(&e2e, FETCHED_CHUNKS).await;
    let fetched: Vec<&str> = fetched
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        fetched.iter().any(|c| c.starts_with("split_answer-")),
        "{browser:?}: the answer's chunk: {fetched:?}"
    );
    assert!(
        !fetched
            .iter()
            .any(|c| c.starts_with("split_express_editor-")),
        "{browser:?}: the Express editor before Express is picked: {fetched:?}"
    );
    // Every part is there: the fix, the code, live mode, the settings.
    for css in [
        "#answer",
        ".settings-body",
        "#live",
        "[data-server-kind], .server-kind",
    ] {
        assert!(
            e2e.client.find(fantoccini::Locator::Css(css)).await.is_ok(),
            "{browser:?}: {css} is missing once the page is complete"
        );
    }
    // On use: picking Express fetches its editor, which then edits the scenario.
    run(
        &e2e,
        "document.getElementById('server-express').click(); return true;",
    )
    .await;
    wait_for(
        &e2e,
        "the Express editor",
        "return !!document.querySelector('[data-deferred=\"editor\"][data-loaded=\"true\"] input, [data-deferred=\"editor\"][data-loaded=\"true\"] select');",
        |v| v == &Value::Bool(true),
    )
    .await;
    let fetched = run(&e2e, FETCHED_CHUNKS).await;
    assert!(
        fetched.as_array().unwrap().iter().any(|c| c
            .as_str()
            .is_some_and(|c| c.starts_with("split_express_editor-"))),
        "{browser:?}: the Express editor's chunk after picking Express: {fetched}"
    );
    wait_for(
        &e2e,
        "server=express in the link",
        "return location.search;",
        |v| v.as_str().is_some_and(|q| q.contains("server=express")),
    )
    .await;
    e2e.assert_no_errors().await;
    e2e.close().await;
}

#[tokio::test]
async fn chromium_parts_load_after_the_verdict_and_on_use() {
    if support::enabled("chromium_parts_load_after_the_verdict_and_on_use") {
        parts_load_after_the_verdict_and_on_use(Browser::Chromium).await;
    }
}

#[tokio::test]
async fn firefox_parts_load_after_the_verdict_and_on_use() {
    if support::enabled("firefox_parts_load_after_the_verdict_and_on_use") {
        parts_load_after_the_verdict_and_on_use(Browser::Firefox).await;
    }
}

#[tokio::test]
async fn webkitgtk_parts_load_after_the_verdict_and_on_use() {
    if support::enabled("webkitgtk_parts_load_after_the_verdict_and_on_use") {
        parts_load_after_the_verdict_and_on_use(Browser::WebKitGtk).await;
    }
}

/// The layout shifts of the load so far (not the ones right after an input), summed.
const LAYOUT_SHIFT: &str = "return new Promise((done) => {\
    if (!PerformanceObserver.supportedEntryTypes.includes('layout-shift')) { done(null); return; }\
    const seen = [];\
    const o = new PerformanceObserver((l) => seen.push(...l.getEntries()));\
    o.observe({ type: 'layout-shift', buffered: true });\
    setTimeout(() => { o.disconnect();\
      const shifts = seen.filter((e) => !e.hadRecentInput);\
      done({ sum: shifts.reduce((s, e) => s + e.value, 0),\
             nodes: shifts.flatMap((e) => (e.sources || []).map((s) => s.node ? (s.node.id || s.node.className || s.node.nodeName) : '?')) });\
    }, 300);\
  });";

async fn no_layout_shift(browser: Browser) {
    let e2e = E2e::start(browser, &support::dist(), "/").await;
    let mut pages = vec![("default".to_string(), "?v=1".to_string())];
    for p in presets::all() {
        pages.push((
            p.id.to_string(),
            format!("?{}", encode(&p.scenario, &View::default())),
        ));
    }
    for (w, h) in [(1280, 800), (390, 844)] {
        e2e.client.set_window_size(w, h).await.unwrap();
        for (label, query) in &pages {
            e2e.open(query).await;
            e2e.wait_ready().await;
            let shift = run(&e2e, LAYOUT_SHIFT).await;
            if shift.is_null() {
                eprintln!("{browser:?}: no layout-shift entries in this browser; not measured");
                e2e.close().await;
                return;
            }
            let sum = shift["sum"].as_f64().unwrap();
            assert!(
                sum == 0.0,
                "{browser:?} {w}×{h} {label}: cumulative layout shift {sum} (moved: {})",
                shift["nodes"]
            );
        }
    }
    e2e.assert_no_errors().await;
    e2e.close().await;
}

#[tokio::test]
async fn chromium_no_layout_shift() {
    if support::enabled("chromium_no_layout_shift") {
        no_layout_shift(Browser::Chromium).await;
    }
}

#[tokio::test]
async fn firefox_no_layout_shift() {
    if support::enabled("firefox_no_layout_shift") {
        no_layout_shift(Browser::Firefox).await;
    }
}

#[tokio::test]
async fn webkitgtk_no_layout_shift() {
    if support::enabled("webkitgtk_no_layout_shift") {
        no_layout_shift(Browser::WebKitGtk).await;
    }
}
