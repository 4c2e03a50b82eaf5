//! What is measured in the page, with `performance.now()`:
//!
//! - time to verdict: from the start of the navigation until the first task after the
//!   animation frame in which `[data-verdict]` is in the page and `data-ready="true"` is set
//!   (a MutationObserver installed at document start sees both; the rAF + task marks the paint);
//! - edit latency: from dispatching an `input` event on a field until the first task after the
//!   animation frame that follows the change of `[data-headline]`'s text.

use serde_json::{json, Value};

use crate::browser::Browser;

/// Installed with `Page.addScriptToEvaluateOnNewDocument`: runs before any page script.
pub const PROBE: &str = r#"(() => {
  const B = window.__bench = {
    verdictAt: null, frameAt: null, paintedAt: null, fcp: null,
    verdict: null, headline: null, errors: [], onPainted: null, longTasks: [],
  };
  // Tasks over 50 ms (the Long Tasks API): the page could not answer a key
  // press for that long.
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) B.longTasks.push([e.startTime, e.duration]);
    }).observe({ type: "longtask", buffered: true });
  } catch (e) {}
  addEventListener("error", (e) => B.errors.push(String(e.message || e)));
  addEventListener("unhandledrejection", (e) => B.errors.push(String(e.reason)));
  const check = () => {
    if (B.verdictAt !== null) return;
    const v = document.querySelector("[data-verdict]");
    if (!v || !document.querySelector("[data-ready='true']")) return;
    B.verdictAt = performance.now();
    B.verdict = v.getAttribute("data-verdict");
    const h = document.querySelector("[data-headline]");
    B.headline = (h || v).textContent;
    observer.disconnect();
    requestAnimationFrame(() => {
      B.frameAt = performance.now();
      setTimeout(() => {
        B.paintedAt = performance.now();
        if (B.onPainted) B.onPainted();
      }, 0);
    });
  };
  const observer = new MutationObserver(check);
  observer.observe(document, { subtree: true, childList: true, attributes: true,
    attributeFilter: ["data-ready", "data-verdict"] });
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) if (e.name === "first-contentful-paint") B.fcp = e.startTime;
    }).observe({ type: "paint", buffered: true });
  } catch (e) {}
})();"#;

/// Waits (asynchronously, without polling the page) until the probe saw the painted verdict.
const WAIT_PAINTED: &str = r#"
const done = arguments[arguments.length - 1];
const B = window.__bench;
if (!B) { done({ error: "the probe script did not run" }); return; }
const finish = () => {
  let transfer = 0, decoded = 0;
  for (const e of [...performance.getEntriesByType("navigation"),
                   ...performance.getEntriesByType("resource")]) {
    transfer += e.transferSize; decoded += e.decodedBodySize;
  }
  done({ verdictAt: B.verdictAt, frameAt: B.frameAt, paintedAt: B.paintedAt, fcp: B.fcp,
         verdict: B.verdict, headline: B.headline, transfer, decoded, errors: B.errors });
};
// First contentful paint is reported a little after the paint: wait for it up to 0.5 s.
const settle = () => {
  const until = performance.now() + 500;
  const poll = () => (B.fcp !== null || performance.now() > until) ? finish() : setTimeout(poll, 20);
  poll();
};
if (B.paintedAt !== null) settle(); else B.onPainted = settle;
"#;

/// One edit: sets `arguments[0]`'s value to `arguments[1]`, dispatches `input`, and reports
/// when the headline changed, when the next frame ran and when the fix search was done. Only
/// the headline and the fix panel's state are observed, to add as little work as possible.
const EDIT: &str = r#"
const [selector, value, done] = arguments;
const field = document.querySelector(selector);
const head = document.querySelector("[data-headline]");
const fixes = document.querySelector("[data-fix-state]");
if (!field || !head) { done({ error: "no field " + selector + " or no headline" }); return; }
const before = head.textContent;
const r = { update: null, frame: null, painted: null, fixes: null, headline: null, frames: null };
// Every animation frame from the input on: which one first showed the new headline.
const frameTimes = [];
const countFrames = () => { frameTimes.push(performance.now() - t0); if (!painted) requestAnimationFrame(countFrames); };
let sawSearching = false, painted = false, finished = false;
const finish = (error) => {
  if (finished) return;
  finished = true;
  onHead.disconnect();
  onFixes.disconnect();
  r.headline = head.textContent;
  if (error) r.error = error;
  // Let the Long Tasks observer deliver the last entries first.
  setTimeout(() => {
    const after = t0 + (r.painted || 0);
    r.longestAfterPaint = 0;
    for (const [start, d] of (window.__bench ? window.__bench.longTasks : []))
      if (start >= after) r.longestAfterPaint = Math.max(r.longestAfterPaint, d);
    done(r);
  }, 100);
};
const checkFixes = () => {
  const s = fixes ? fixes.getAttribute("data-fix-state") : null;
  if (s === "searching") sawSearching = true;
  if (painted && (s === null || (sawSearching && s === "done"))) {
    if (s !== null) r.fixes = performance.now() - t0;
    finish();
  }
};
const onHead = new MutationObserver(() => {
  if (r.update !== null || head.textContent === before) return;
  r.update = performance.now() - t0;
  onHead.disconnect();
  requestAnimationFrame(() => {
    r.frame = performance.now() - t0;
    setTimeout(() => {
      r.painted = performance.now() - t0;
      r.frames = frameTimes.filter((t) => t <= r.frame).length;
      r.frameTimes = frameTimes.slice();
      painted = true;
      checkFixes();
    }, 0);
  });
});
onHead.observe(head, { subtree: true, childList: true, characterData: true });
const onFixes = new MutationObserver(checkFixes);
if (fixes) onFixes.observe(fixes, { attributes: true, attributeFilter: ["data-fix-state"] });
setTimeout(() => finish(r.update === null ? "the headline did not change" : "the fix search did not finish"), 60000);
const t0 = performance.now();
requestAnimationFrame(countFrames);
field.value = value;
field.dispatchEvent(new Event("input", { bubbles: true }));
"#;

/// Waits until every part of the page is shown and the fix panel (if any) is not searching.
/// After a load: when the page is complete and the fix search done, and the
/// longest task after the verdict was painted.
const SETTLED: &str = r#"
const done = arguments[arguments.length - 1];
const B = window.__bench;
const idle = () => {
  if (!document.querySelector("[data-complete='true']")) return false;
  const f = document.querySelector("[data-fix-state]");
  return !f || f.getAttribute("data-fix-state") === "done";
};
const finish = () => setTimeout(() => {
  let longest = 0;
  for (const [start, d] of B.longTasks) if (start >= B.paintedAt) longest = Math.max(longest, d);
  done({ settled: performance.now(), longest });
}, 100);
const poll = () => idle() ? finish() : setTimeout(poll, 10);
poll();
"#;

const WAIT_FIXES: &str = r#"
const done = arguments[arguments.length - 1];
// Every part of the page is shown (data-complete: the parts that load after the verdict).
const idle = () => {
  if (!document.querySelector("[data-complete='true']")) return false;
  const f = document.querySelector("[data-fix-state]");
  return !f || f.getAttribute("data-fix-state") === "done";
};
if (idle()) { done(true); return; }
const observer = new MutationObserver(() => { if (idle()) { observer.disconnect(); done(true); } });
observer.observe(document, { subtree: true, attributes: true, attributeFilter: ["data-fix-state", "data-complete"] });
"#;

/// A fixed piece of JavaScript work (about 20 ms unthrottled on a free core), timed in the
/// page: the median of three rounds after a warm-up.
const CPU_LOOP: &str = r#"
const times = [];
let x = 0;
for (let round = 0; round < 4; round++) {
  const t = performance.now();
  for (let i = 0; i < 4000000; i++) x += Math.sqrt(i) % 7;
  if (round > 0) times.push(performance.now() - t);
}
times.sort((a, b) => a - b);
return [times[1], x];
"#;

/// One page load.
#[derive(Clone, Debug)]
pub struct Load {
    /// Navigation start → the task after the frame with the verdict (ms).
    pub painted: f64,
    /// Navigation start → the verdict and `data-ready` in the DOM (ms).
    pub dom: f64,
    pub fcp: Option<f64>,
    pub verdict: String,
    pub headline: String,
    /// Bytes over the wire (bodies as sent plus headers) and after decoding.
    pub transfer: u64,
    pub decoded: u64,
}

/// One edit.
#[derive(Clone, Debug)]
pub struct Edit {
    /// Input event → the headline's new text in the DOM (ms).
    pub update: f64,
    /// Input event → the task after the next animation frame (ms): the verdict is painted.
    pub painted: f64,
    /// Input event → the fix panel done searching (ms), when the page has one.
    pub fixes: Option<f64>,
    /// Which animation frame after the input showed the new headline (1: the first).
    pub frames: u64,
    pub headline: String,
    /// The longest task after the new verdict was painted (the fix search):
    /// how long a key press could wait.
    pub longest_after_paint: f64,
}

fn num(v: &Value, key: &str) -> Option<f64> {
    v[key].as_f64()
}

/// Loads `url` in a fresh document (via about:blank) and waits for the painted verdict.
/// `url` short enough for a message (a hostile link is 65 KB).
fn short(url: &str) -> String {
    match url.char_indices().nth(100) {
        Some((i, _)) => format!("{}… ({} bytes)", &url[..i], url.len()),
        None => url.to_string(),
    }
}

pub async fn load(b: &Browser, url: &str) -> Result<Load, String> {
    let full = url;
    let url = &short(full);
    b.client
        .goto("about:blank")
        .await
        .map_err(|e| format!("about:blank: {e}"))?;
    b.client
        .goto(full)
        .await
        .map_err(|e| format!("cannot load {url}: {e}"))?;
    let v = match b.client.execute_async(WAIT_PAINTED, vec![]).await {
        Ok(v) => v,
        Err(e) => {
            let state = b
                .client
                .execute("return JSON.stringify(window.__bench || null);", vec![])
                .await
                .unwrap_or_default();
            return Err(format!("no verdict on {url}: {e}; page state: {state}"));
        }
    };
    if let Some(e) = v["error"].as_str() {
        return Err(format!("{url}: {e}"));
    }
    if let Some(errors) = v["errors"].as_array().filter(|e| !e.is_empty()) {
        return Err(format!("{url}: the page reported errors: {errors:?}"));
    }
    Ok(Load {
        painted: num(&v, "paintedAt").ok_or("no paint time")?,
        dom: num(&v, "verdictAt").ok_or("no verdict time")?,
        fcp: num(&v, "fcp"),
        verdict: v["verdict"].as_str().unwrap_or_default().to_string(),
        headline: v["headline"]
            .as_str()
            .unwrap_or_default()
            .trim()
            .to_string(),
        transfer: v["transfer"].as_u64().unwrap_or(0),
        decoded: v["decoded"].as_u64().unwrap_or(0),
    })
}

/// Waits until the page's fix search (if any) is done.
/// When the whole page was complete and the fix search done (ms from
/// navigation start), and the longest task after the verdict's paint.
pub async fn settled(b: &Browser) -> Result<(f64, f64), String> {
    let v = b
        .client
        .execute_async(SETTLED, vec![])
        .await
        .map_err(|e| format!("the page did not settle: {e}"))?;
    Ok((
        num(&v, "settled").ok_or("no settle time")?,
        num(&v, "longest").unwrap_or(0.0),
    ))
}

pub async fn wait_fixes(b: &Browser) -> Result<(), String> {
    b.client
        .execute_async(WAIT_FIXES, vec![])
        .await
        .map(|_| ())
        .map_err(|e| format!("the fix search did not finish: {e}"))
}

/// Types `value` into the field `selector` (one input event) and times the new verdict.
pub async fn edit(b: &Browser, selector: &str, value: &str) -> Result<Edit, String> {
    let v = b
        .client
        .execute_async(EDIT, vec![json!(selector), json!(value)])
        .await
        .map_err(|e| format!("edit {selector}: {e}"))?;
    if let Some(e) = v["error"].as_str() {
        return Err(format!(
            "edit {selector} = {value:?}: {e} (headline {})",
            v["headline"]
        ));
    }
    if std::env::var_os("CRUMBTRAIL_BENCH_DEBUG").is_some() {
        eprintln!("      edit: {v}");
    }
    Ok(Edit {
        update: num(&v, "update").ok_or("no update time")?,
        painted: num(&v, "painted").ok_or("no paint time")?,
        fixes: num(&v, "fixes"),
        frames: v["frames"].as_u64().unwrap_or(0),
        longest_after_paint: num(&v, "longestAfterPaint").unwrap_or(0.0),
        headline: v["headline"]
            .as_str()
            .unwrap_or_default()
            .trim()
            .to_string(),
    })
}

async fn cpu_loop(b: &Browser) -> Result<f64, String> {
    let v = b
        .client
        .execute(CPU_LOOP, vec![])
        .await
        .map_err(|e| format!("cpu loop: {e}"))?;
    v[0].as_f64().ok_or_else(|| "cpu loop: no time".into())
}

/// How much slower the page's main thread runs at `rate` than unthrottled, measured now in
/// the current page (the median of three back-to-back comparisons; on a loaded machine the
/// other processes make this noisy). Leaves the rate at `rate`.
pub async fn cpu_slowdown(b: &Browser, rate: f64) -> Result<f64, String> {
    let mut ratios = Vec::new();
    for _ in 0..3 {
        b.cpu_rate(1.0).await?;
        let free = cpu_loop(b).await?;
        b.cpu_rate(rate).await?;
        let slowed = cpu_loop(b).await?;
        ratios.push(slowed / free);
    }
    ratios.sort_by(f64::total_cmp);
    Ok(ratios[1])
}
