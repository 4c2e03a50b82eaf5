//! The few browser calls the page needs (URL, history, clipboard, the
//! embed's height message), as small JavaScript functions. Keeping them here
//! avoids pulling in web-sys features for a handful of calls.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(inline_js = r#"
export function location_search() { return location.search; }
export function page_base() { return location.origin + location.pathname; }
export function replace_query(q) {
  try { history.replaceState(history.state, "", "?" + q); } catch (e) {}
}
function fallbackCopy(text) {
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.style.position = "fixed";
  area.style.opacity = "0";
  document.body.appendChild(area);
  area.select();
  let ok = false;
  try { ok = document.execCommand("copy"); } catch (e) {}
  area.remove();
  return ok;
}
export function copy_text(text, done) {
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text).then(() => done(true), () => done(fallbackCopy(text)));
  } else {
    done(fallbackCopy(text));
  }
}
export function report_height() {
  if (window.parent === window) return;
  let last = -1;
  const send = () => {
    const h = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (h !== last) {
      last = h;
      // The frame's name (the snippet sets it to its unique id) says which embed this is.
      window.parent.postMessage({ type: "crumbtrail:height", height: h, frame: window.name }, "*");
    }
  };
  if (window.ResizeObserver) new ResizeObserver(send).observe(document.documentElement);
  // A frame out of view is not rendered, so its ResizeObserver stays silent while
  // the deferred parts arrive; mutations are delivered anyway (the height is read
  // by forcing layout).
  new MutationObserver(send).observe(document.documentElement, { subtree: true, childList: true });
  addEventListener("load", send);
  send();
}
export function push_query(q, depth) {
  try { history.pushState({ crumbtrail: depth }, "", "?" + q); } catch (e) {}
}
export function history_depth() {
  const s = history.state;
  return s && typeof s.crumbtrail === "number" ? s.crumbtrail : 0;
}
export function history_back() { history.back(); }
export function on_popstate(cb) {
  addEventListener("popstate", () => cb(location.search));
}
export function focus_id(id) {
  requestAnimationFrame(() => {
    const el = document.getElementById(id);
    if (el) el.focus();
  });
}
export function set_theme(t) {
  if (t === "auto") delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = t;
}
export function remove_id(id) {
  const el = document.getElementById(id);
  if (el) el.remove();
}
export function random_id() { return Math.random().toString(36).slice(2, 8); }
export function in_iframe() { return window.parent !== window; }
export function after_paint_then(ms, cb) {
  requestAnimationFrame(() => setTimeout(cb, ms));
}
// After the frame is painted and after the tasks that frame queued (a
// timer queued while the frame ran goes first: its callbacks see the paint).
// A page that gets no frames (hidden, or an embed off the screen): 100 ms.
export function after_frame_tasks_then(cb) {
  let done = false;
  const go = () => { if (!done) { done = true; setTimeout(cb, 0); } };
  requestAnimationFrame(() => setTimeout(go, 0));
  setTimeout(go, 100);
}
export function next_frame(cb) { requestAnimationFrame(() => cb()); }
// A task of its own, after the input and rendering the browser has waiting
// (a MessageChannel message: setTimeout's nesting clamp would add 4 ms a slice).
const yieldChannel = new MessageChannel();
const yieldQueue = [];
yieldChannel.port1.onmessage = () => { const cb = yieldQueue.shift(); if (cb) cb(); };
export function yield_then(cb) { yieldQueue.push(cb); yieldChannel.port2.postMessage(0); }
export function after_first_paint_then(cb) {
  // A frame that is not on the screen (an embed below the fold) gets no animation frames.
  let done = false;
  const go = () => { if (!done) { done = true; setTimeout(cb, 0); } };
  requestAnimationFrame(go);
  setTimeout(go, 100);
}
export function now_ms() { return performance.now(); }
export function mark(name) { try { performance.mark(name); } catch (e) {} }
export function has_files(ev) {
  const dt = ev.dataTransfer;
  return !!(dt && dt.types && Array.prototype.indexOf.call(dt.types, "Files") >= 0);
}
export function read_event_file(ev, done) {
  const dt = ev.dataTransfer;
  const input = ev.target && ev.target.type === "file" ? ev.target : null;
  const files = dt && dt.files && dt.files.length ? dt.files : input ? input.files : null;
  if (!files || !files.length) {
    const text = dt ? dt.getData("text") : "";
    done(text ? text : null, "");
    return;
  }
  const f = files[0];
  const name = f.name || "";
  const reset = () => { if (input) { try { input.value = ""; } catch (e) {} } };
  f.text().then((t) => { reset(); done(t, name); }, () => { reset(); done(null, name); });
}
export function focus_field(id) {
  const el = document.getElementById(id);
  if (el) { el.scrollIntoView({ block: "center" }); el.focus(); }
}
export function focus_field_path(path) {
  // The deepest form control (or its error line) named by the dotted path.
  const parts = path.split(".");
  while (parts.length) {
    const id = "f-" + parts.join("-");
    const el = document.getElementById(id) || document.getElementById(id + "-error");
    if (el) { el.scrollIntoView({ block: "center" }); el.focus({ preventScroll: true }); return; }
    parts.pop();
  }
}
"#)]
extern "C" {
    /// `location.search`, with its `?`.
    pub fn location_search() -> String;
    /// `location.origin + location.pathname`: the page's address without the query.
    pub fn page_base() -> String;
    /// `history.replaceState` to `?<query>` (the path stays, so sub-paths work).
    pub fn replace_query(query: &str);
    /// `history.pushState` to `?<query>`, remembering how many entries the app pushed.
    pub fn push_query(query: &str, depth: u32);
    /// How many entries the app pushed before the current one (0 on a fresh load).
    pub fn history_depth() -> u32;
    /// `history.back()`.
    pub fn history_back();
    /// Calls `cb(location.search)` on every `popstate`.
    fn on_popstate(cb: JsValue);
    /// `data-theme` on `<html>`: "light", "dark", or "auto" (none).
    pub fn set_theme(theme: &str);
    /// Removes the element with this id (the loading placeholder).
    pub fn remove_id(id: &str);
    /// Six random letters and digits (a snippet's frame id).
    pub fn random_id() -> String;
    /// Focuses the element with this id after the next frame.
    pub fn focus_id(id: &str);
    /// Copies `text`; calls `done(ok)` when finished.
    pub fn copy_text(text: &str, done: JsValue);
    /// Calls `cb` `ms` milliseconds after the next frame is painted.
    fn after_paint_then(ms: u32, cb: JsValue);
    /// Calls `cb` after the next frame and the tasks it queued.
    fn after_frame_tasks_then(cb: JsValue);
    /// Calls `cb` at the start of the next frame (`requestAnimationFrame`).
    fn next_frame(cb: JsValue);
    /// Calls `cb` in a task of its own, queued after what is waiting now.
    fn yield_then(cb: JsValue);
    /// Calls `cb` after the next frame is painted, or after 100 ms in a document that
    /// paints no frames (an iframe out of view).
    fn after_first_paint_then(cb: JsValue);
    /// In an iframe: posts `{type: "crumbtrail:height", height, frame}` (frame: the
    /// iframe's name) to the parent now and on every resize.
    pub fn report_height();
    /// `performance.now()`, in milliseconds.
    pub fn now_ms() -> f64;
    /// `performance.mark(name)`: a point on the browser's performance timeline.
    pub fn mark(name: &str);
    /// A drag carries files (not text or a link).
    pub fn has_files(ev: &JsValue) -> bool;
    fn read_event_file(ev: &JsValue, done: JsValue);
    /// Scrolls to the element with this id and focuses it.
    pub fn focus_field(id: &str);
    /// Scrolls to and focuses the form control a field error names
    /// (`requests.0.url`), or the nearest one above it in the path.
    pub fn focus_field_path(path: &str);
}

/// Reads the first file of a drop or of a file input's `change` (or the text
/// of a drop without files) and calls `done(text, file name)`; `None` when it
/// cannot be read. Nothing is sent anywhere: the file is read in the page.
pub fn read_file(ev: &JsValue, done: impl FnOnce(JsText, String) + 'static) {
    let cb = move |text: JsValue, name: String| done(JsText(text), name);
    read_event_file(ev, Closure::once_into_js(cb));
}

/// A file's text, still a JavaScript string: [`JsText::get`] copies it into
/// the wasm memory (`None` when the file could not be read).
pub struct JsText(JsValue);

impl JsText {
    pub fn get(self) -> Option<String> {
        self.0.as_string()
    }
}

/// Copies `text` and calls `done` with whether it worked.
pub fn copy(text: &str, done: impl FnOnce(bool) + 'static) {
    copy_text(text, Closure::once_into_js(done));
}

/// Runs `work` once the current frame is painted and `ms` more milliseconds
/// have passed: slow work (the fix search) never delays the verdict.
pub fn after_paint(ms: u32, work: impl FnOnce() + 'static) {
    after_paint_then(ms, Closure::once_into_js(work));
}

/// Runs `work` once the next frame is painted and the tasks queued while it
/// ran (timers of its animation-frame callbacks) are done: what a frame shows
/// first is not held up by work that can wait one task more.
pub fn after_frame_tasks(work: impl FnOnce() + 'static) {
    after_frame_tasks_then(Closure::once_into_js(work));
}

/// Runs `work` at the start of the next frame, before it is painted.
pub fn before_next_paint(work: impl FnOnce() + 'static) {
    next_frame(Closure::once_into_js(work));
}

/// Runs `work` in a later task, so that the input, timers and frames the
/// browser has waiting go first (one slice of long work after another).
pub fn after_waiting_tasks(work: impl FnOnce() + 'static) {
    yield_then(Closure::once_into_js(work));
}

/// Runs `work` once the first frame is painted (or soon, where no frame is).
pub fn after_first_paint(work: impl FnOnce() + 'static) {
    after_first_paint_then(Closure::once_into_js(work));
}

/// Calls `f` with the new `location.search` whenever Back or Forward moves
/// within the app's history entries.
pub fn popstate(f: impl Fn(String) + 'static) {
    let cb = Closure::<dyn Fn(String)>::new(f);
    on_popstate(cb.into_js_value());
}
