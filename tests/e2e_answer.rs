//! The answer where a stuck developer looks (issue #10), in headless Chromium
//! and Firefox: for every preset, at 1280×800 and on a 390×844 phone, the
//! verdict, the best fix and its Apply button are in the first viewport;
//! Apply keeps the verdict in view, moves focus to Undo and announces the
//! change; Undo and Back restore the previous permalink; a preset is a
//! history entry too; and no internal name (`Some(`, `None →`, `requests.0`,
//! literal backticks) appears in the rendered text of any preset.
//! Needs `CRUMBTRAIL_E2E` (see tests/support).
#![cfg(not(target_arch = "wasm32"))]

mod support;

use std::time::{Duration, Instant};

use crumbtrail_engine::fixes::suggest_fixes;
use crumbtrail_engine::permalink::{encode, View};
use crumbtrail_engine::presets;
use crumbtrail_engine::simulate;
use crumbtrail_engine::trace::Verdict;
use fantoccini::Locator;
use serde_json::{json, Value};
use support::{Browser, E2e};

fn verdict_key(v: Verdict) -> &'static str {
    match v {
        Verdict::Ok => "ok",
        Verdict::Warning => "warning",
        Verdict::Blocked => "blocked",
    }
}

/// Runs `script` until `done` accepts its value, or fails after 15 s.
async fn wait_for(e2e: &E2e, what: &str, script: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let v = e2e
            .client
            .execute(script, vec![])
            .await
            .unwrap_or(Value::Null);
        if done(&v) {
            return v;
        }
        if Instant::now() > deadline {
            panic!(
                "{:?}: timed out waiting for {what}; last value {v}",
                e2e.browser
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn run(e2e: &E2e, script: &str) -> Value {
    e2e.client
        .execute(script, vec![])
        .await
        .unwrap_or_else(|e| panic!("{:?}: {script}: {e}", e2e.browser))
}

/// Makes the layout viewport `w`×`h` CSS pixels: the window is resized
/// until `innerWidth`/`innerHeight` match. A browser whose window cannot be
/// that small (headless Firefox stops at 500 px wide) gets the app in an
/// iframe of exactly that size on a host page instead; [`open_ready`] then
/// loads it there and works inside the frame.
async fn set_viewport(e2e: &E2e, w: u32, h: u32) {
    FRAMED.with(|f| f.set(None));
    // The top-level document (a framed run leaves the frame current).
    let _ = e2e.client.enter_parent_frame().await;
    let (mut ww, mut wh) = (w, h);
    for _ in 0..4 {
        e2e.client.set_window_size(ww, wh).await.unwrap();
        let inner = run(e2e, "return [innerWidth, innerHeight];").await;
        let (iw, ih) = (
            inner[0].as_u64().unwrap() as i64,
            inner[1].as_u64().unwrap() as i64,
        );
        if iw == w as i64 && ih == h as i64 {
            return;
        }
        ww = (ww as i64 + w as i64 - iw).max(1) as u32;
        wh = (wh as i64 + h as i64 - ih).max(1) as u32;
    }
    e2e.client.set_window_size(w + 600, h + 300).await.unwrap();
    FRAMED.with(|f| f.set(Some((w, h))));
}

thread_local! {
    /// The frame size when the app runs in a host page's iframe.
    static FRAMED: std::cell::Cell<Option<(u32, u32)>> = const { std::cell::Cell::new(None) };
}

async fn open_ready(e2e: &E2e, query: &str) {
    match FRAMED.with(|f| f.get()) {
        None => e2e.open(&format!("?{query}")).await,
        Some((w, h)) => {
            let _ = e2e.client.enter_parent_frame().await;
            let host = host_page(w, h).await;
            let src = format!("{}{}?{query}", e2e.server.origin(), e2e.server.mount());
            e2e.client
                .goto(&format!("{}/#{}", host.origin(), src))
                .await
                .unwrap();
            std::mem::forget(host);
            let frame = e2e.client.find(Locator::Id("vp")).await.unwrap();
            frame.enter_frame().await.unwrap();
        }
    }
    e2e.wait_ready().await;
}

/// A host page whose iframe `#vp` (w×h) loads the URL after its `#`, as
/// written: decoding it would turn a permalink's `%26` or `%3D` into `&` or
/// `=` and load another scenario.
async fn host_page(w: u32, h: u32) -> support::StaticServer {
    let dir = std::env::temp_dir().join(format!(
        "crumbtrail-viewport-{}-{w}x{h}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("index.html"),
        format!("<!doctype html><meta charset=\"utf-8\"><title>phone</title><link rel=\"icon\" href=\"data:,\"><body style=\"margin:0\">\n<iframe id=\"vp\" title=\"app\" style=\"width:{w}px;height:{h}px;border:0;display:block\"></iframe>\n<script>document.getElementById('vp').src = location.hash.slice(1);</script>"),
    )
    .unwrap();
    support::StaticServer::start(&dir, "/").await
}

/// Where the verdict, the answer panel, the best fix and its Apply button are.
const READ_ANSWER: &str = r#"
const box = (sel) => { const e = document.querySelector(sel);
  if (!e || e.hidden || e.offsetParent === null) return null;
  const r = e.getBoundingClientRect(); return { top: r.top, bottom: r.bottom }; };
const a = document.querySelector('#answer');
return { state: a && a.dataset.fixState, verdict: document.querySelector('#verdict').dataset.verdict,
         height: innerHeight, scroll: scrollY,
         verdictBox: box('#verdict'), fix: box('[data-best-fix]'), apply: box('[data-apply-best]'),
         none: box('[data-no-best]'), changes: document.querySelectorAll('[data-best-fix] [data-change-field]').length };
"#;

fn within(v: &Value, key: &str) -> bool {
    let h = v["height"].as_f64().unwrap_or(0.0);
    v[key].is_object()
        && v[key]["top"].as_f64().unwrap_or(-1.0) >= 0.0
        && v[key]["bottom"].as_f64().unwrap_or(f64::MAX) <= h
}

/// Every preset: the best fix and Apply (or, where no setting works, the
/// note saying so) in the first viewport, at both sizes.
async fn answer_in_first_viewport(e2e: &E2e) {
    for (w, h) in [(1280, 800), (390, 844)] {
        set_viewport(e2e, w, h).await;
        for p in presets::all() {
            let query = encode(&p.scenario, &View::default());
            open_ready(e2e, &query).await;
            let v = wait_for(e2e, "the fix search", READ_ANSWER, |v| v["state"] == "done").await;
            let what = format!("{:?} {w}×{h} preset {}: {v}", e2e.browser, p.id);
            assert!(within(&v, "verdictBox"), "verdict in view: {what}");
            let fixes = suggest_fixes(&p.scenario);
            if simulate(&p.scenario).verdict == Verdict::Ok && fixes.is_empty() {
                assert!(v["fix"].is_null(), "nothing to fix: {what}");
                continue;
            }
            if fixes.is_empty() {
                assert!(within(&v, "none"), "the no-fix note in view: {what}");
            } else {
                assert!(within(&v, "apply"), "Apply in view: {what}");
                assert_eq!(v["changes"], json!(fixes[0].changes.len()), "{what}");
            }
        }
    }
}

const READ_STATE: &str = r#"
return { search: location.search, verdict: document.querySelector('#verdict').dataset.verdict,
         focus: document.activeElement && document.activeElement.id,
         announce: document.querySelector('[data-announce]').textContent,
         undo: !document.querySelector('#undo-fix').hidden, history: history.length };
"#;

/// Apply: the verdict changes in view, focus on Undo, the change announced,
/// a history entry; Undo and Back restore the previous permalink.
async fn apply_then_undo(e2e: &E2e, preset: &str, w: u32, h: u32) {
    set_viewport(e2e, w, h).await;
    let p = presets::by_id(preset).unwrap();
    let before = format!("?{}", encode(&p.scenario, &View::default()));
    open_ready(e2e, &before[1..]).await;
    wait_for(e2e, "the fix search", READ_ANSWER, |v| v["state"] == "done").await;
    let start = run(e2e, READ_STATE).await;
    let fix = suggest_fixes(&p.scenario).remove(0);
    let after = format!("?{}", encode(&fix.scenario, &View::default()));
    let want = verdict_key(simulate(&fix.scenario).verdict);
    for round in ["Undo", "Back"] {
        e2e.client
            .find(Locator::Css("[data-apply-best]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let s = wait_for(e2e, "the applied fix", READ_STATE, |v| {
            v["search"] == after.as_str() && v["verdict"] == want
        })
        .await;
        let what = format!("{:?} {w}×{h} {preset} ({round}): {s}", e2e.browser);
        assert_eq!(s["undo"], json!(true), "{what}");
        assert!(
            s["announce"].as_str().unwrap().starts_with("Applied: "),
            "{what}"
        );
        // Chromium and Firefox keep at most 50 entries per tab (Chromium's
        // kMaxSessionHistoryEntries, Firefox's browser.sessionhistory.max_entries):
        // once the session has loaded that many pages, a new entry drops the oldest.
        assert_eq!(
            s["history"].as_u64().unwrap(),
            (start["history"].as_u64().unwrap() + 1).min(max_history(e2e.browser)),
            "one entry per applied fix: {what}"
        );
        let focus = wait_for(
            e2e,
            "focus on Undo",
            "return document.activeElement.id;",
            |v| v == "undo-fix",
        )
        .await;
        assert_eq!(focus, json!("undo-fix"));
        let v = run(e2e, READ_ANSWER).await;
        assert!(
            within(&v, "verdictBox"),
            "the verdict stays in view: {what} {v}"
        );
        if round == "Undo" {
            e2e.client
                .find(Locator::Css("#undo-fix"))
                .await
                .unwrap()
                .click()
                .await
                .unwrap();
        } else {
            back(e2e).await;
        }
        let s = wait_for(e2e, "the previous setup", READ_STATE, |v| {
            v["search"] == before.as_str() && v["verdict"] == start["verdict"]
        })
        .await;
        assert!(s["announce"].as_str().unwrap().contains("previous"), "{s}");
        if round == "Undo" {
            let focus = wait_for(
                e2e,
                "focus on the verdict",
                "return document.activeElement.id;",
                |v| v == "verdict",
            )
            .await;
            assert_eq!(focus, json!("verdict"));
        }
        wait_for(e2e, "the fix search", READ_ANSWER, |v| v["state"] == "done").await;
    }
}

/// The browser's Back. WebKitWebDriver's Back waits for a page load, which a
/// pushState entry never brings (it times out after 300 s), so in WebKitGTK
/// the page's own `history.back()` makes the same traversal.
async fn back(e2e: &E2e) {
    if e2e.browser == Browser::WebKitGtk {
        run(e2e, "history.back(); return null;").await;
    } else {
        e2e.client.back().await.unwrap();
    }
}

/// Session history entries a browser keeps per tab: 50 in Chromium and
/// Firefox; WebKit's back-forward list keeps more (WebKitGTK 2.50.6 was seen
/// past 50 in this test; its list holds 100).
fn max_history(browser: Browser) -> u64 {
    match browser {
        Browser::WebKitGtk => 100,
        _ => 50,
    }
}

/// Picking a preset is a history entry: Back brings the previous setup.
async fn preset_is_a_history_entry(e2e: &E2e) {
    let first = presets::by_id("article-problematic").unwrap();
    let before = format!("?{}", encode(&first.scenario, &View::default()));
    open_ready(e2e, &before[1..]).await;
    let next = presets::by_id("localhost-vs-127").unwrap();
    e2e.client
        .find(Locator::Css("#preset"))
        .await
        .unwrap()
        .select_by_value(next.id)
        .await
        .unwrap();
    let next_q = format!("?{}", encode(&next.scenario, &View::default()));
    wait_for(e2e, "the preset", "return location.search;", |v| {
        v == next_q.as_str()
    })
    .await;
    back(e2e).await;
    wait_for(
        e2e,
        "the previous preset",
        "return [location.search, document.querySelector('#preset').dataset.currentPreset];",
        |v| v == &json!([before, first.id]),
    )
    .await;
}

/// The rendered text (outside code blocks and text boxes) of every preset,
/// with every step shown and the fixes found, has no Rust value, no 0-based
/// path and no literal backtick.
async fn no_internal_names(e2e: &E2e) {
    const TEXT: &str = r#"
const out = [];
const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, { acceptNode: (n) =>
  n.parentElement.closest('pre, textarea, script, style, [hidden]') ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT });
while (walk.nextNode()) out.push(walk.currentNode.textContent);
return out.join(' ');
"#;
    for p in presets::all() {
        open_ready(e2e, &encode(&p.scenario, &View::default())).await;
        e2e.client
            .find(Locator::Css("#toggle-steps"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        wait_for(e2e, "the fix search", READ_ANSWER, |v| v["state"] == "done").await;
        let text = run(e2e, TEXT).await;
        let text = text.as_str().unwrap();
        for bad in [
            "Some(",
            "None →",
            "requests.0",
            "allow.0",
            "resources.0",
            "`",
            "server.session.",
        ] {
            assert!(
                !text.contains(bad),
                "{:?} preset {}: rendered text has {bad:?}: …{}…",
                e2e.browser,
                p.id,
                text.find(bad)
                    .map(|i| &text[i.saturating_sub(80)..(i + 80).min(text.len())])
                    .unwrap_or("")
            );
        }
    }
}

async fn answer(browser: Browser) {
    let e2e = E2e::start(browser, &support::dist(), "/").await;
    answer_in_first_viewport(&e2e).await;
    apply_then_undo(&e2e, "article-problematic", 1280, 800).await;
    apply_then_undo(&e2e, "localhost-vs-127", 390, 844).await;
    set_viewport(&e2e, 1280, 800).await;
    preset_is_a_history_entry(&e2e).await;
    no_internal_names(&e2e).await;
    let errors: Vec<String> = e2e
        .page_errors()
        .await
        .into_iter()
        .filter(|e| !e.contains("/__lab/"))
        .collect();
    assert!(errors.is_empty(), "{browser:?} page errors: {errors:#?}");
    e2e.close().await;
}

#[tokio::test]
async fn chromium_answer() {
    if support::enabled("chromium_answer") {
        answer(Browser::Chromium).await;
    }
}

#[tokio::test]
async fn firefox_answer() {
    if support::enabled("firefox_answer") {
        answer(Browser::Firefox).await;
    }
}

#[tokio::test]
async fn webkitgtk_answer() {
    if support::enabled("webkitgtk_answer") {
        answer(Browser::WebKitGtk).await;
    }
}

/// The snippet of the current page (the Embed button's text box).
async fn snippet_of(e2e: &E2e, preset: &str) -> String {
    let p = presets::by_id(preset).unwrap();
    open_ready(e2e, &encode(&p.scenario, &View::default())).await;
    e2e.client
        .find(Locator::Css("#embed-button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let v = wait_for(
        e2e,
        "the snippet",
        "return document.querySelector('#embed-code').value;",
        |v| v.as_str().is_some_and(|s| s.contains("<iframe")),
    )
    .await;
    v.as_str().unwrap().to_string()
}

/// Two snippets pasted into one docs page (another origin): each frame gets
/// the height its own document reports, not the other's.
async fn two_embeds_each_get_their_height(e2e: &E2e) {
    let a = snippet_of(e2e, "article-problematic").await;
    let b = snippet_of(e2e, "safari-third-party").await;
    let id = |s: &str| {
        s.split("id=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_string()
    };
    let (ida, idb) = (id(&a), id(&b));
    assert_ne!(ida, idb, "a unique id per snippet");
    let dir = std::env::temp_dir().join(format!("crumbtrail-two-embeds-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("index.html"),
        format!("<!doctype html><meta charset=\"utf-8\"><title>docs</title><link rel=\"icon\" href=\"data:,\">\n<h1>Docs</h1>\n{a}\n<p>Between the two.</p>\n{b}\n"),
    )
    .unwrap();
    let parent = support::StaticServer::start(&dir, "/").await;
    e2e.client
        .goto(&format!("{}/", parent.origin()))
        .await
        .unwrap();
    let mut own = Vec::new();
    for fid in [&ida, &idb] {
        let frame = e2e.client.find(Locator::Id(fid)).await.unwrap();
        frame.enter_frame().await.unwrap();
        e2e.wait_ready().await;
        let h = wait_for(
            e2e,
            "the frame's height",
            "return Math.ceil(document.documentElement.getBoundingClientRect().height);",
            |v| v.as_f64().unwrap_or(0.0) > 100.0,
        )
        .await;
        own.push(h.as_u64().unwrap());
        e2e.client.enter_parent_frame().await.unwrap();
    }
    assert_ne!(own[0], own[1], "two embeds of different heights: {own:?}");
    let script = format!(
        "return [document.getElementById('{ida}').height, document.getElementById('{idb}').height].map(Number);"
    );
    let want = json!(own);
    wait_for(e2e, "each frame's own height", &script, |v| v == &want).await;
    let _ = std::fs::remove_dir_all(&dir);
}

/// Under a dark preference, `theme=light` renders light and `theme=auto` dark.
async fn theme_light_under_dark(browser: Browser) {
    let e2e = E2e::start_dark(browser, &support::dist(), "/").await;
    let p = presets::by_id("article-problematic").unwrap();
    const READ: &str = "return [matchMedia('(prefers-color-scheme: dark)').matches, getComputedStyle(document.body).backgroundColor];";
    for (theme, bg) in [
        (
            crumbtrail_engine::permalink::Theme::Light,
            "rgb(251, 251, 253)",
        ),
        (crumbtrail_engine::permalink::Theme::Auto, "rgb(20, 23, 29)"),
    ] {
        let view = View {
            embed: true,
            theme,
            ..View::default()
        };
        open_ready(&e2e, &encode(&p.scenario, &view)).await;
        let got = run(&e2e, READ).await;
        assert_eq!(got, json!([true, bg]), "{browser:?} theme {theme:?}");
    }
    e2e.close().await;
}

async fn embeds(browser: Browser) {
    let e2e = E2e::start(browser, &support::dist(), "/").await;
    set_viewport(&e2e, 1280, 800).await;
    two_embeds_each_get_their_height(&e2e).await;
    e2e.close().await;
    theme_light_under_dark(browser).await;
}

#[tokio::test]
async fn chromium_embeds() {
    if support::enabled("chromium_embeds") {
        embeds(Browser::Chromium).await;
    }
}

#[tokio::test]
async fn firefox_embeds() {
    if support::enabled("firefox_embeds") {
        embeds(Browser::Firefox).await;
    }
}

#[tokio::test]
async fn webkitgtk_embeds() {
    if support::enabled("webkitgtk_embeds") {
        embeds(Browser::WebKitGtk).await;
    }
}

/// axe-core (`$CRUMBTRAIL_AXE`, installed by `./dev test`) on the page, with
/// every violation's rule and first targets in the failure.
async fn axe_violations(e2e: &E2e, what: &str) -> Vec<String> {
    let path = std::env::var("CRUMBTRAIL_AXE").unwrap_or_else(|_| {
        format!(
            "{}/.cache/crumbtrail-tools/axe/node_modules/axe-core/axe.min.js",
            std::env::var("HOME").unwrap_or_default()
        )
    });
    let source = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("axe-core at {path} ({e}): `./dev test` installs it"));
    e2e.client.execute(&source, vec![]).await.unwrap();
    let result = e2e
        .client
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
               axe.run(document, { resultTypes: ['violations'] })
                 .then((r) => done(r.violations.map((v) => v.id + ': ' + v.help + ' at ' +
                   v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', '))))
                 .catch((e) => done(['axe failed: ' + e]));"#,
            vec![],
        )
        .await
        .unwrap_or_else(|e| panic!("{:?} {what}: axe.run: {e}", e2e.browser));
    serde_json::from_value(result).unwrap_or_default()
}

/// Zero axe-core violations on the main page (every step shown, after a fix
/// was applied) and on the embed view, for two presets.
async fn accessible(browser: Browser) {
    let e2e = E2e::start(browser, &support::dist(), "/").await;
    set_viewport(&e2e, 1280, 800).await;
    for id in ["article-problematic", "safari-third-party"] {
        let p = presets::by_id(id).unwrap();
        open_ready(&e2e, &encode(&p.scenario, &View::default())).await;
        wait_for(&e2e, "the fix search", READ_ANSWER, |v| {
            v["state"] == "done"
        })
        .await;
        e2e.client
            .find(Locator::Css("#toggle-steps"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        e2e.client
            .find(Locator::Css("#embed-button"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let v = axe_violations(&e2e, id).await;
        assert!(v.is_empty(), "{browser:?} main page, {id}: {v:#?}");
        let embed = View {
            embed: true,
            ..View::default()
        };
        open_ready(&e2e, &encode(&p.scenario, &embed)).await;
        let v = axe_violations(&e2e, id).await;
        assert!(v.is_empty(), "{browser:?} embed view, {id}: {v:#?}");
    }
    e2e.close().await;
}

#[tokio::test]
async fn chromium_accessible() {
    if support::enabled("chromium_accessible") {
        accessible(Browser::Chromium).await;
    }
}

#[tokio::test]
async fn firefox_accessible() {
    if support::enabled("firefox_accessible") {
        accessible(Browser::Firefox).await;
    }
}

#[tokio::test]
async fn webkitgtk_accessible() {
    if support::enabled("webkitgtk_accessible") {
        accessible(Browser::WebKitGtk).await;
    }
}

/// The examples gallery: a titled card per preset whose link opens that
/// preset (and the menu still names it).
async fn gallery(browser: Browser) {
    let e2e = E2e::start(browser, &support::dist(), "/").await;
    open_ready(&e2e, "v=1").await;
    let cards = run(
        &e2e,
        "return [...document.querySelectorAll('[data-gallery]')].map((c) => [c.dataset.gallery, c.querySelector('h3').textContent, c.querySelector('a').getAttribute('href')]);",
    )
    .await;
    let all = presets::all();
    assert_eq!(cards.as_array().unwrap().len(), all.len(), "{cards}");
    for (card, p) in cards.as_array().unwrap().iter().zip(&all) {
        assert_eq!(card[0], json!(p.id));
        assert_eq!(card[1], json!(p.title));
        let href = card[2].as_str().unwrap();
        assert!(
            href.ends_with(&format!("?{}", encode(&p.scenario, &View::default()))),
            "{href}"
        );
    }
    let last = all.last().unwrap();
    e2e.client
        .find(Locator::Css(&format!("[data-gallery='{}'] a", last.id)))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    e2e.wait_ready().await;
    wait_for(
        &e2e,
        "the card's preset",
        "return document.querySelector('#preset').dataset.currentPreset;",
        |v| v == last.id,
    )
    .await;
    e2e.close().await;
}

#[tokio::test]
async fn chromium_gallery() {
    if support::enabled("chromium_gallery") {
        gallery(Browser::Chromium).await;
    }
}

#[tokio::test]
async fn firefox_gallery() {
    if support::enabled("firefox_gallery") {
        gallery(Browser::Firefox).await;
    }
}

#[tokio::test]
async fn webkitgtk_gallery() {
    if support::enabled("webkitgtk_gallery") {
        gallery(Browser::WebKitGtk).await;
    }
}
