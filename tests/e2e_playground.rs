//! End-to-end tests of the playground page in headless Chromium and Firefox:
//! every preset's permalink renders the engine's verdict and outcomes; an edit
//! changes the verdict; copy link → reload keeps the state; the embed view
//! renders and posts its height to a parent page on another origin; a garbage
//! link shows a notice and the defaults. Needs `CRUMBTRAIL_E2E` (see tests/support).
#![cfg(not(target_arch = "wasm32"))]

mod support;

use std::time::{Duration, Instant};

use crumbtrail_engine::permalink::{encode, View};
use crumbtrail_engine::presets;
use crumbtrail_engine::trace::{JsResult, PreflightOutcome, Trace, Verdict};
use crumbtrail_engine::{simulate, Scenario};
use fantoccini::Locator;
use serde_json::{json, Value};
use support::{Browser, E2e, StaticServer};

fn verdict_key(v: Verdict) -> &'static str {
    match v {
        Verdict::Ok => "ok",
        Verdict::Warning => "warning",
        Verdict::Blocked => "blocked",
    }
}

fn preflight_key(p: PreflightOutcome) -> &'static str {
    match p {
        PreflightOutcome::NotNeeded => "not-needed",
        PreflightOutcome::Cached => "cached",
        PreflightOutcome::Passed => "passed",
        PreflightOutcome::Failed => "failed",
    }
}

/// Runs `script` (which returns a value) until `done` accepts it, or fails after 10 s.
async fn wait_for(e2e: &E2e, what: &str, script: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(10);
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

/// The rendered verdict and the data attributes of every request row.
const READ_OUTCOMES: &str = r#"
const v = document.querySelector('#verdict');
const rows = [...document.querySelectorAll('[data-request-index]')].map((r) => ({
  index: Number(r.dataset.requestIndex),
  preflight: r.dataset.preflight,
  sent: r.dataset.sent,
  readable: r.dataset.readable,
  js: r.dataset.jsResult,
  stored: r.dataset.cookiesStored,
  cookies_sent: r.dataset.cookiesSent,
}));
return { verdict: v && v.dataset.verdict, headline: v && v.querySelector('[data-headline]').textContent, rows };
"#;

fn expected(trace: &Trace) -> Value {
    json!({
        "verdict": verdict_key(trace.verdict),
        // Inline code is rendered as <code>, without its backticks.
        "headline": trace.headline.replace('`', ""),
        "rows": trace.requests.iter().map(|r| json!({
            "index": r.index,
            "preflight": preflight_key(r.preflight),
            "sent": r.request_sent.to_string(),
            "readable": (r.js_result == JsResult::Readable).to_string(),
            "js": match r.js_result {
                JsResult::Readable => "readable",
                JsResult::Opaque => "opaque",
                JsResult::NetworkError => "network-error",
                JsResult::Navigated => "navigated",
                JsResult::NotSent => "not-sent",
            },
            "stored": r.cookies_stored.join(","),
            "cookies_sent": r.cookies_sent.join(","),
        })).collect::<Vec<_>>(),
    })
}

async fn open_ready(e2e: &E2e, query: &str) {
    e2e.open(&format!("?{query}")).await;
    e2e.wait_ready().await;
}

/// Every preset, loaded from its permalink, shows what the engine computes.
async fn presets_render_their_outcomes(e2e: &E2e) {
    for p in presets::all() {
        let query = encode(&p.scenario, &View::default());
        open_ready(e2e, &query).await;
        let want = expected(&simulate(&p.scenario));
        let got = wait_for(e2e, p.id, READ_OUTCOMES, |v| v == &want).await;
        assert_eq!(got, want, "{:?}: preset {}", e2e.browser, p.id);
        let current = e2e
            .client
            .execute(
                "return document.querySelector('#preset').dataset.currentPreset;",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(
            current,
            json!(p.id),
            "{:?}: the menu names the preset",
            e2e.browser
        );
    }
}

async fn verdict(e2e: &E2e) -> String {
    let v = e2e
        .client
        .execute(
            "return document.querySelector('#verdict').dataset.verdict;",
            vec![],
        )
        .await
        .unwrap();
    v.as_str().unwrap_or_default().to_string()
}

async fn wait_verdict(e2e: &E2e, want: &str) {
    let script = "return document.querySelector('#verdict').dataset.verdict;";
    wait_for(e2e, &format!("verdict {want}"), script, |v| v == want).await;
}

/// Typing into fields re-simulates; a bad value shows its error next to the
/// field and keeps everything else; copy link → reload restores the edit.
async fn edits_and_round_trip(e2e: &E2e) {
    let refined = presets::by_id("article-refined").unwrap().scenario;
    open_ready(e2e, &encode(&refined, &View::default())).await;
    wait_verdict(e2e, "ok").await;

    // Untick `credentials: true`: the credentialed preflight now fails.
    let cred = e2e
        .client
        .find(Locator::Css(
            "[data-field='server.cors.allow.0.resources.0.credentials']",
        ))
        .await
        .unwrap();
    cred.click().await.unwrap();
    wait_verdict(e2e, "blocked").await;
    cred.click().await.unwrap();
    wait_verdict(e2e, "ok").await;

    // Type a broken page URL: the error shows next to the field, the other fields stay.
    let page = e2e
        .client
        .find(Locator::Css("[data-field='page.url']"))
        .await
        .unwrap();
    page.clear().await.unwrap();
    page.send_keys("localhost:3000").await.unwrap();
    wait_for(
        e2e,
        "the page URL's error",
        "const e = document.querySelector(\"[data-field-error='page.url']\"); return !!e && !e.hidden && e.textContent.length > 0;",
        |v| v == &json!(true),
    )
    .await;
    // Never OK while a field is waiting: the banner is "incomplete", names
    // the field by its label and says how to write it.
    wait_verdict(e2e, "incomplete").await;
    wait_for(
        e2e,
        "the headline naming Page URL and its correction",
        "return document.querySelector('[data-headline]').textContent;",
        |v| {
            v.as_str()
                .is_some_and(|h| h.contains("Page URL") && h.contains("http://localhost:3000"))
        },
    )
    .await;
    // The diagram does not draw the waiting requests as blocked.
    wait_for(
        e2e,
        "the diagram's breaks saying not simulated",
        "return [...document.querySelectorAll('[data-break]')].map(b => b.textContent);",
        |v| {
            v.as_array().is_some_and(|a| {
                !a.is_empty()
                    && a.iter().all(|t| {
                        t.as_str()
                            .is_some_and(|t| t.contains("not simulated") && !t.contains("blocked"))
                    })
            })
        },
    )
    .await;
    // Fixes and Step by step point to the field instead of saying there is
    // nothing to fix; the button takes the user to it.
    wait_for(
        e2e,
        "Fixes and Step by step naming the waiting field",
        "return ['.fixes', '.trace'].map(p => { const w = document.querySelector(p + ' [data-waiting-fields]'); \
         return w ? [...w.querySelectorAll('[data-waiting-field]')].map(li => li.dataset.waitingField + '|' + li.textContent.includes('Page URL')) : null; }) \
         .concat([document.querySelector('.fixes').textContent.includes('No settings change to suggest')]);",
        |v| v == &json!([["page.url|true"], ["page.url|true"], false]),
    )
    .await;
    e2e.client
        .find(Locator::Css(
            ".fixes [data-waiting-field='page.url'] button",
        ))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for(
        e2e,
        "the page URL field focused",
        "return document.activeElement && document.activeElement.dataset.field;",
        |v| v == &json!("page.url"),
    )
    .await;
    let origins = e2e
        .client
        .execute(
            "return document.querySelector(\"[data-field='server.cors.allow.0.origins']\").value;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        origins,
        json!("http://localhost:3000\nhttps://your-frontend-domain.com"),
        "{:?}: other fields kept",
        e2e.browser
    );

    // A valid page on another site: rack-cors does not know that origin.
    page.clear().await.unwrap();
    page.send_keys("http://127.0.0.1:3000/").await.unwrap();
    wait_verdict(e2e, "blocked").await;
    let mut edited: Scenario = refined.clone();
    edited.page.url = "http://127.0.0.1:3000/".into();
    let want = expected(&simulate(&edited));
    wait_for(e2e, "the edited outcomes", READ_OUTCOMES, |v| v == &want).await;

    // The URL follows every edit (history.replaceState), and "Copy link" gives the same link.
    let query = encode(&edited, &View::default());
    let href = wait_for(e2e, "the address bar", "return location.search;", |v| {
        v.as_str() == Some(&format!("?{query}"))
    })
    .await;
    assert_eq!(href, json!(format!("?{query}")));
    e2e.client
        .find(Locator::Css("#copy-link"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for(
        e2e,
        "the copy status",
        "return document.querySelector('[data-copy-status]').dataset.copyStatus;",
        |v| v.as_str().is_some_and(|s| !s.is_empty()),
    )
    .await;
    let link = e2e
        .client
        .execute("return document.querySelector('#permalink').value;", vec![])
        .await
        .unwrap();
    let link = link.as_str().unwrap().to_string();
    assert!(link.ends_with(&format!("?{query}")), "{link}");

    // Reload, then open the copied link: the same state.
    e2e.client.refresh().await.unwrap();
    e2e.wait_ready().await;
    wait_for(e2e, "the outcomes after reload", READ_OUTCOMES, |v| {
        v == &want
    })
    .await;
    e2e.client.goto(&link).await.unwrap();
    e2e.wait_ready().await;
    wait_for(e2e, "the outcomes from the link", READ_OUTCOMES, |v| {
        v == &want
    })
    .await;
    let page_value = e2e
        .client
        .execute(
            "return document.querySelector(\"[data-field='page.url']\").value;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(page_value, json!("http://127.0.0.1:3000/"));
}

/// The documents of the request rows (`data-document-url`), and the verdict.
const READ_DOCUMENTS: &str = r#"
const v = document.querySelector('#verdict');
return { verdict: v && v.dataset.verdict,
         documents: [...document.querySelectorAll('[data-request-index]')].map((r) => r.dataset.documentUrl) };
"#;

fn expected_documents(trace: &Trace) -> Value {
    json!({
        "verdict": verdict_key(trace.verdict),
        "documents": trace.requests.iter()
            .map(|r| r.document.as_ref().map(|d| d.url.clone()).unwrap_or_default())
            .collect::<Vec<_>>(),
    })
}

/// Picks `value` in the select of `field`.
async fn choose(e2e: &E2e, field: &str, value: &str) {
    let css = format!("[data-field='{field}']");
    e2e.client
        .find(Locator::Css(&css))
        .await
        .unwrap_or_else(|e| panic!("{:?}: no {css}: {e}", e2e.browser))
        .select_by_value(value)
        .await
        .unwrap();
}

/// A multi-page flow from its permalink: each navigation's document is shown; the GET
/// form's fields, "Runs from" and "Made with" (a visit) edit the scenario.
async fn flow_editors(e2e: &E2e) {
    let query = "v=1&page=https://docs.example.net/&requests=3\
        &r1=GET+https://auth.example.org/login&r1.via=link\
        &r2=GET+https://app.example.com/callback&r2.via=form-get&r2.fields=code%3D1&r2.from=current\
        &r3=GET+https://api.example.com/me&r3.from=current&r3.cred=include\
        &server=raw&raw1=*+/me&raw1.h=Access-Control-Allow-Origin:+https://app.example.com%0AAccess-Control-Allow-Credentials:+true\
        &raw2=*+*";
    let mut s = crumbtrail_engine::permalink::decode(query).scenario;
    open_ready(e2e, query).await;
    let want = expected_documents(&simulate(&s));
    assert_eq!(
        want["verdict"], "ok",
        "the flow reads the API from the callback page"
    );
    wait_for(e2e, "the flow's documents", READ_DOCUMENTS, |v| v == &want).await;

    // Another field of the GET form: the callback URL's query follows.
    let fields = e2e
        .client
        .find(Locator::Css("[data-field='requests.1.fields']"))
        .await
        .unwrap();
    // WebKitWebDriver drops a "\n" in the text it types; the Enter key
    // (WebDriver's U+E007) makes the same line break in a textarea.
    let keys = match e2e.browser {
        Browser::WebKitGtk => "\u{E007}state=x",
        _ => "\nstate=x",
    };
    fields.send_keys(keys).await.unwrap();
    s.requests[1].fields = "code=1\nstate=x".into();
    let want = expected_documents(&simulate(&s));
    wait_for(e2e, "the GET form's new query", READ_DOCUMENTS, |v| {
        v == &want
    })
    .await;

    // Request 3 from the page (docs.example.net): its Origin no longer passes.
    choose(e2e, "requests.2.runs_from", "page").await;
    s.requests[2].runs_from = crumbtrail_engine::scenario::RunsFrom::Page;
    wait_verdict(e2e, "blocked").await;

    // Request 1 as a visit: the document is the same, the trace says there is no initiator.
    choose(e2e, "requests.0.client", "visit").await;
    s.requests[0].client = crumbtrail_engine::scenario::Client::Visit;
    let want = expected_documents(&simulate(&s));
    wait_for(e2e, "the flow with a visit", READ_DOCUMENTS, |v| v == &want).await;
    let link = encode(&s, &View::default());
    assert!(link.contains("r1.via=visit"), "{link}");
    wait_for(e2e, "the address bar", "return location.search;", |v| {
        v.as_str() == Some(&format!("?{link}"))
    })
    .await;
}

/// A hand-broken link: a notice names what was ignored, the valid part is kept,
/// and a link of pure garbage shows the default scenario.
async fn garbage_link_shows_a_notice(e2e: &E2e) {
    open_ready(e2e, "v=1&browser=netscape&zzz=1&page=http://a.test/").await;
    let notice = wait_for(
        e2e,
        "the notice",
        "const n = document.querySelector('[data-notice]'); return n ? n.textContent : null;",
        |v| v.is_string(),
    )
    .await;
    let notice = notice.as_str().unwrap();
    assert!(
        notice.contains("netscape") && notice.contains("zzz"),
        "{notice}"
    );
    let kept = e2e
        .client
        .execute(
            "return [document.querySelector(\"[data-field='page.url']\").value, document.querySelector('#profile-chrome').checked];",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(kept, json!(["http://a.test/", true]));

    open_ready(e2e, "%ZZ&&&=&r1.cred=maybe&blocks=x").await;
    wait_for(
        e2e,
        "the notice",
        "return !!document.querySelector('[data-notice]');",
        |v| v == &json!(true),
    )
    .await;
    let want = expected(&simulate(&Scenario::default()));
    wait_for(e2e, "the default outcomes", READ_OUTCOMES, |v| v == &want).await;
    assert_eq!(verdict(e2e).await, "blocked");
}

/// The embed view inside an iframe on another origin: compact, no settings,
/// an "Open in Crumbtrail" link, and `crumbtrail:height` messages.
async fn embed_posts_its_height(e2e: &E2e) {
    let scenario = presets::by_id("localhost-vs-127").unwrap().scenario;
    let embed = encode(
        &scenario,
        &View {
            embed: true,
            ..View::default()
        },
    );
    let src = format!("{}{}?{}", e2e.server.origin(), e2e.server.mount(), embed);
    let dir = std::env::temp_dir().join(format!("crumbtrail-parent-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("index.html"),
        format!(
            r#"<!doctype html><meta charset="utf-8"><title>host</title><link rel="icon" href="data:,">
<script>
window.heights = [];
addEventListener("message", (e) => {{
  if (e.data && e.data.type === "crumbtrail:height") {{
    window.heights.push(e.data.height);
    document.getElementById("frame").height = e.data.height;
  }}
}});
</script>
<h1>Docs page</h1>
<iframe id="frame" src="{src}" style="width:100%;border:0" height="300" title="Crumbtrail"></iframe>"#
        ),
    )
    .unwrap();
    let parent = StaticServer::start(&dir, "/").await;
    e2e.client
        .goto(&format!("{}/", parent.origin()))
        .await
        .unwrap();
    let heights = wait_for(e2e, "a height message", "return window.heights;", |v| {
        v.as_array()
            .is_some_and(|a| a.iter().any(|h| h.as_f64().unwrap_or(0.0) > 200.0))
    })
    .await;
    assert!(!heights.as_array().unwrap().is_empty(), "{heights}");

    let frame = e2e.client.find(Locator::Css("#frame")).await.unwrap();
    frame.enter_frame().await.unwrap();
    e2e.wait_ready().await;
    let seen = e2e
        .client
        .execute(
            r#"return {
                embed: document.querySelector('#app').dataset.embed,
                verdict: document.querySelector('#verdict').dataset.verdict,
                diagram: !!document.querySelector('svg.diagram'),
                steps: document.querySelectorAll('[data-step-verdict]').length,
                settings: !!document.querySelector('[data-field]'),
                open: document.querySelector('[data-open-link]').getAttribute('href'),
                h1: !!document.querySelector('h1'),
            };"#,
            vec![],
        )
        .await
        .unwrap();
    let trace = simulate(&scenario);
    assert_eq!(seen["embed"], json!("true"));
    assert_eq!(seen["verdict"], json!(verdict_key(trace.verdict)));
    assert_eq!(seen["diagram"], json!(true));
    assert!(seen["steps"].as_u64().unwrap() > 0, "{seen}");
    assert_eq!(
        seen["settings"],
        json!(false),
        "no settings without settings=1"
    );
    assert_eq!(seen["h1"], json!(true), "the embed has its h1");
    let open = seen["open"].as_str().unwrap();
    assert!(
        open.ends_with(&format!("?{}", encode(&scenario, &View::default()))),
        "{open}"
    );
    e2e.client.enter_parent_frame().await.unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}

async fn playground(browser: Browser) {
    let e2e = E2e::start(browser, &support::dist(), "/").await;
    presets_render_their_outcomes(&e2e).await;
    edits_and_round_trip(&e2e).await;
    garbage_link_shows_a_notice(&e2e).await;
    flow_editors(&e2e).await;
    // Live mode probes the lab at `/__lab/health`; a plain static host answers 404, which
    // Chromium logs. Anything else the page reports is a failure.
    let errors: Vec<String> = e2e
        .page_errors()
        .await
        .into_iter()
        .filter(|e| !e.contains("/__lab/"))
        .collect();
    assert!(errors.is_empty(), "{browser:?} page errors: {errors:#?}");
    embed_posts_its_height(&e2e).await;
    e2e.close().await;
}

#[tokio::test]
async fn chromium_playground() {
    if support::enabled("chromium_playground") {
        playground(Browser::Chromium).await;
    }
}

#[tokio::test]
async fn firefox_playground() {
    if support::enabled("firefox_playground") {
        playground(Browser::Firefox).await;
    }
}

#[tokio::test]
async fn webkitgtk_playground() {
    if support::enabled("webkitgtk_playground") {
        playground(Browser::WebKitGtk).await;
    }
}
