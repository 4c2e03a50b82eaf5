//! Live mode in the page: runs a mapped scenario's requests for real, with
//! the browser's own fetch and XMLHttpRequest, against the lab server, and
//! collects what happened. No decisions here: the engine maps the scenario
//! (`crumbtrail_engine::live::map_scenario`) and compares (`compare`).

use crumbtrail_engine::live::{
    cookie_names, expire_fixed_cookies, lab_notes, run_url, LabLogEntry, LabPorts, LabSeen,
    Observation, REGISTER_HEADER, REGISTER_VALUE,
};
use crumbtrail_engine::scenario::{
    BodyKind, Client, CredentialsMode, RequestMode, RequestSpec, RunsFrom,
};
use crumbtrail_engine::Scenario;
use js_sys::{Array, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    Headers, HtmlDocument, HtmlIFrameElement, RequestCredentials, RequestInit, Response,
    ResponseType, Window, XmlHttpRequest,
};

mod popup;

use popup::{Popup, RunMarks};

/// Name of the popup window that live mode's navigations target.
pub const POPUP_NAME: &str = "crumbtrail-live";
/// How long a navigation or an iframe load may take before it counts as not loaded.
const LOAD_TIMEOUT_MS: f64 = 10000.0;

fn window() -> Result<web_sys::Window, String> {
    web_sys::window().ok_or_else(|| "no window".to_string())
}

/// The page's own origin, e.g. `http://localhost:8080`.
pub fn page_origin() -> String {
    web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default()
}

/// `navigator.userAgent`.
pub fn user_agent() -> String {
    web_sys::window()
        .and_then(|w| w.navigator().user_agent().ok())
        .unwrap_or_default()
}

fn js_err(e: JsValue) -> String {
    e.as_string()
        .or_else(|| {
            e.dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
        })
        .unwrap_or_else(|| format!("{e:?}"))
}

async fn fetch_text(url: &str, init: &RequestInit) -> Result<(u16, String), String> {
    let resp: Response = JsFuture::from(window()?.fetch_with_str_and_init(url, init))
        .await
        .map_err(js_err)?
        .dyn_into()
        .map_err(js_err)?;
    let text = JsFuture::from(resp.text().map_err(js_err)?)
        .await
        .map_err(js_err)?
        .as_string()
        .unwrap_or_default();
    Ok((resp.status(), text))
}

/// Asks the page's own origin whether it is the lab. `Err` = the page is a
/// static copy (or the lab is down): live mode is unavailable.
pub async fn lab_ports() -> Result<LabPorts, String> {
    let init = RequestInit::new();
    init.set_cache(web_sys::RequestCache::NoStore);
    let (status, text) = fetch_text("/__lab/health", &init).await?;
    if status != 200 {
        return Err(format!("the lab's health check answered {status}"));
    }
    #[derive(serde::Deserialize)]
    struct Health {
        ports: LabPorts,
    }
    serde_json::from_str::<Health>(&text)
        .map(|h| h.ports)
        .map_err(|e| format!("this server is not the Crumbtrail lab ({e})"))
}

fn body_value(kind: BodyKind) -> Result<Option<JsValue>, String> {
    Ok(match kind {
        BodyKind::None => None,
        BodyKind::Json => Some(JsValue::from_str(
            "{\"user\":\"ada\",\"password\":\"secret\"}",
        )),
        BodyKind::Text | BodyKind::Stream => Some(JsValue::from_str("hello")),
        BodyKind::UrlEncoded => Some(
            web_sys::UrlSearchParams::new_with_str("user=ada")
                .map_err(js_err)?
                .into(),
        ),
        BodyKind::FormData => {
            let f = web_sys::FormData::new().map_err(js_err)?;
            f.append_with_str("user", "ada").map_err(js_err)?;
            Some(f.into())
        }
    })
}

fn header_lines(spec: &RequestSpec) -> Vec<(String, String)> {
    spec.headers
        .lines()
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .filter(|(k, _)| !k.is_empty())
        .collect()
}

async fn run_fetch(
    url: &str,
    spec: &RequestSpec,
    mode: RequestMode,
    credentials: CredentialsMode,
    obs: &mut Observation,
) -> Result<(), String> {
    let init = RequestInit::new();
    init.set_method(&spec.method);
    init.set_mode(match mode {
        RequestMode::NoCors => web_sys::RequestMode::NoCors,
        RequestMode::SameOrigin => web_sys::RequestMode::SameOrigin,
        _ => web_sys::RequestMode::Cors,
    });
    init.set_credentials(match credentials {
        CredentialsMode::Omit => RequestCredentials::Omit,
        CredentialsMode::SameOrigin => RequestCredentials::SameOrigin,
        CredentialsMode::Include => RequestCredentials::Include,
    });
    let headers = Headers::new().map_err(js_err)?;
    for (k, v) in header_lines(spec) {
        // Forbidden names (Cookie…) are dropped by the browser itself, as the engine says.
        let _ = headers.append(&k, &v);
    }
    init.set_headers(&headers);
    if let Some(body) = body_value(spec.body)? {
        init.set_body(&body);
    }
    match JsFuture::from(window()?.fetch_with_str_and_init(url, &init)).await {
        Ok(resp) => {
            let resp: Response = resp.dyn_into().map_err(js_err)?;
            obs.resolved = true;
            obs.opaque = resp.type_() == ResponseType::Opaque;
            obs.status = resp.status();
            if let Ok(Some(iter)) = js_sys::try_iter(&resp.headers()) {
                for entry in iter.flatten() {
                    let pair: Array = entry.unchecked_into();
                    if let Some(name) = pair.get(0).as_string() {
                        obs.readable_headers.push(name.to_ascii_lowercase());
                    }
                }
            }
        }
        Err(e) => obs.error = Some(js_err(e)),
    }
    Ok(())
}

async fn run_xhr(
    url: &str,
    spec: &RequestSpec,
    with_credentials: bool,
    // axios, with its `withXSRFToken`; `None` for XHR.
    axios_xsrf: Option<bool>,
    obs: &mut Observation,
) -> Result<(), String> {
    let axios = axios_xsrf.is_some();
    let xhr = XmlHttpRequest::new().map_err(js_err)?;
    xhr.open(&spec.method, url).map_err(js_err)?;
    xhr.set_with_credentials(with_credentials);
    let mut has_type = false;
    for (k, v) in header_lines(spec) {
        has_type |= k.eq_ignore_ascii_case("content-type");
        let _ = xhr.set_request_header(&k, &v);
    }
    // axios copies XSRF-TOKEN into X-XSRF-TOKEN: same-origin URLs, or any
    // with withXSRFToken (axios lib/helpers/resolveConfig.js).
    if axios_xsrf == Some(true) || (axios && same_origin_as_page(url)) {
        use crumbtrail_engine::fetch::axios_xsrf::{read_cookie, XSRF_COOKIE, XSRF_HEADER};
        if let Some(v) = document_cookie().and_then(|c| read_cookie(&c, XSRF_COOKIE)) {
            let _ = xhr.set_request_header(XSRF_HEADER, &v);
        }
    }
    // axios' own Accept, unless the code set one (the engine adds the same).
    let has_accept = header_lines(spec)
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("accept"));
    if axios && !has_accept {
        let _ = xhr.set_request_header("Accept", crumbtrail_engine::fetch::AXIOS_ACCEPT);
    }
    // axios sends a plain object as JSON with its own Content-Type.
    if axios && spec.body == BodyKind::Json && !has_type {
        let _ = xhr.set_request_header("Content-Type", "application/json");
    }
    let done = Promise::new(&mut |resolve, _reject| {
        let r2 = resolve.clone();
        let onload = Closure::once_into_js(move || {
            let _ = resolve.call1(&JsValue::NULL, &JsValue::TRUE);
        });
        let onerror = Closure::once_into_js(move || {
            let _ = r2.call1(&JsValue::NULL, &JsValue::FALSE);
        });
        xhr.set_onload(Some(onload.unchecked_ref()));
        xhr.set_onerror(Some(onerror.unchecked_ref()));
    });
    match body_value(spec.body)? {
        Some(b) => {
            if let Some(s) = b.as_string() {
                xhr.send_with_opt_str(Some(&s)).map_err(js_err)?
            } else if let Some(f) = b.dyn_ref::<web_sys::FormData>() {
                xhr.send_with_opt_form_data(Some(f)).map_err(js_err)?
            } else if let Some(p) = b.dyn_ref::<web_sys::UrlSearchParams>() {
                xhr.send_with_opt_url_search_params(Some(p))
                    .map_err(js_err)?
            }
        }
        None => xhr.send().map_err(js_err)?,
    }
    let loaded = JsFuture::from(done).await.map_err(js_err)?;
    if loaded.is_truthy() {
        obs.resolved = true;
        obs.status = xhr.status().unwrap_or(0);
        let all = xhr.get_all_response_headers().unwrap_or_default();
        obs.readable_headers = all
            .lines()
            .filter_map(|l| l.split_once(':'))
            .map(|(k, _)| k.trim().to_ascii_lowercase())
            .collect();
    } else {
        obs.error = Some("XMLHttpRequest error event (status 0)".into());
    }
    Ok(())
}

/// True when running `scenario` needs the popup window (it has a top-level
/// navigation or a visit).
pub fn needs_popup(scenario: &Scenario) -> bool {
    scenario
        .requests
        .iter()
        .any(|r| r.client.is_top_level_navigation())
}

/// Opens the (blank) popup window that navigations will target. Call it from the click
/// handler itself, while the click's user activation lasts; `None` when the browser
/// blocked it.
pub fn open_popup() -> Option<Window> {
    web_sys::window()?
        .open_with_url_and_target_and_features(
            "about:blank",
            POPUP_NAME,
            "popup,width=480,height=360",
        )
        .ok()
        .flatten()
}

/// A suffix for this run's cookie names (see `crumbtrail_engine::live::tag_cookie_names`).
pub fn run_tag() -> String {
    format!("_r{:x}", (js_sys::Date::now() as u64) % 0x100_0000)
}

async fn sleep(ms: i32) {
    let p = Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = JsFuture::from(p).await;
}

fn document() -> Result<web_sys::Document, String> {
    window()?
        .document()
        .ok_or_else(|| "no document".to_string())
}

fn create<T: JsCast>(tag: &str) -> Result<T, String> {
    document()?
        .create_element(tag)
        .map_err(js_err)?
        .dyn_into::<T>()
        .map_err(|_| format!("<{tag}> is not what it should be"))
}

/// An `<iframe src>` load in a hidden iframe of this page; waits for its load event.
async fn run_iframe(url: &str, obs: &mut Observation) -> Result<(), String> {
    let frame: HtmlIFrameElement = create("iframe")?;
    frame.set_hidden(true);
    frame.set_title("Crumbtrail live mode");
    let loaded = Promise::new(&mut |resolve, _| {
        let r2 = resolve.clone();
        let onload = Closure::once_into_js(move || {
            let _ = resolve.call1(&JsValue::NULL, &JsValue::TRUE);
        });
        frame.set_onload(Some(onload.unchecked_ref()));
        let timeout = Closure::once_into_js(move || {
            let _ = r2.call1(&JsValue::NULL, &JsValue::FALSE);
        });
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(
                timeout.unchecked_ref(),
                LOAD_TIMEOUT_MS as i32,
            );
        }
    });
    frame.set_src(url);
    document()?
        .body()
        .ok_or("no body")?
        .append_child(&frame)
        .map_err(js_err)?;
    let ok = JsFuture::from(loaded).await.map_err(js_err)?;
    obs.navigated = ok.is_truthy();
    if !obs.navigated {
        obs.error = Some("the iframe did not load".into());
    }
    frame.remove();
    Ok(())
}

/// axios `isURLSameOrigin`: the URL's protocol and host against the page's.
fn same_origin_as_page(url: &str) -> bool {
    let Some(href) = web_sys::window().and_then(|w| w.location().href().ok()) else {
        return false;
    };
    use crumbtrail_engine::origin::{parse_url, Origin};
    let Ok(page) = parse_url(&href, None) else {
        return false;
    };
    parse_url(url, Some(&page)).is_ok_and(|u| Origin::of(&u).same_origin(&Origin::of(&page)))
}

fn document_cookie() -> Option<String> {
    web_sys::window()?
        .document()?
        .dyn_into::<HtmlDocument>()
        .ok()?
        .cookie()
        .ok()
}

/// Expires the cookies an earlier run left under a name the run cannot tag
/// (Laravel's `XSRF-TOKEN`), as the engine lists the lines; says which are
/// still there (on another host, or HttpOnly).
fn expire_leftovers(scenario: &Scenario, page_url: &str) -> Vec<String> {
    let fixed = scenario.server.stack().fixed_cookie_names();
    let (Some(doc), Ok(page)) = (
        web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.dyn_into::<HtmlDocument>().ok()),
        crumbtrail_engine::origin::parse_url(page_url, None),
    ) else {
        return Vec::new();
    };
    let left = |doc: &HtmlDocument| cookie_names(&doc.cookie().unwrap_or_default());
    let before = left(&doc);
    if !fixed.iter().any(|(name, _)| before.contains(name)) {
        return Vec::new();
    }
    for line in expire_fixed_cookies(&page, &fixed) {
        let _ = doc.set_cookie(&line);
    }
    let after = left(&doc);
    fixed
        .iter()
        .filter(|(name, _)| after.contains(name))
        .map(|(name, _)| {
            format!(
                "the browser still holds the cookie {name} from an earlier run (its name is \
                 fixed by the framework, so runs cannot rename it, and this page could not \
                 expire it); the run starts with it, the simulation without"
            )
        })
        .collect()
}

/// One request, from the document it runs from: this page, or (a request
/// from the current document once a navigation loaded one in the popup)
/// the popup's document. Navigations and visits go to the popup.
async fn run_request(
    spec: &RequestSpec,
    url: &str,
    marks: &RunMarks,
    popup: Option<&mut Popup>,
    obs: &mut Observation,
) -> Result<(), String> {
    let from_popup = spec.runs_from == RunsFrom::Current
        && spec.client != Client::Visit
        && popup.as_ref().is_some_and(|p| p.current.is_some());
    match (spec.client, popup) {
        (_, Some(p)) if from_popup => return p.request(url, spec, marks, obs).await,
        (
            Client::Fetch {
                mode, credentials, ..
            },
            _,
        ) => run_fetch(url, spec, mode, credentials, obs).await?,
        (Client::Xhr { with_credentials }, _) => {
            run_xhr(url, spec, with_credentials, None, obs).await?
        }
        (
            Client::Axios {
                with_credentials,
                with_xsrf_token,
            },
            _,
        ) => run_xhr(url, spec, with_credentials, Some(with_xsrf_token), obs).await?,
        (Client::Iframe, _) => run_iframe(url, obs).await?,
        (Client::Navigation { .. }, Some(p)) => p.navigate_from_page(url, spec, marks, obs).await?,
        (Client::Visit, Some(p)) => p.visit(url, obs).await?,
        (Client::Navigation { .. } | Client::Visit, None) => {
            return Err("no popup window for the navigation".into())
        }
    }
    // WebKit's GLib ports keep a document's `document.cookie` until a
    // zero-delay timer expires it, and a response's load event (an IPC task)
    // can run first: read in that task, `document.cookie` may not yet hold the
    // response's Set-Cookie (WebKit bug 324464). The simulation models the
    // cookie store, so the run reads it, and starts the next request, one
    // timer task later.
    sleep(0).await;
    obs.document_cookie = document_cookie();
    Ok(())
}

/// What a live run gives back.
pub struct LiveRun {
    /// One per request.
    pub observations: Vec<Observation>,
    /// Messages the lab left in the run's log (e.g. its log reached its cap).
    pub lab_notes: Vec<String>,
}

/// Runs a mapped (lab) scenario for real. `popup` is the window from [`open_popup`]
/// (needed when the scenario has navigations). `progress(done, total)` is called
/// after each request.
pub async fn run(
    scenario: &Scenario,
    popup: Option<&Window>,
    progress: impl Fn(usize, usize),
) -> Result<LiveRun, String> {
    if needs_popup(scenario) && popup.is_none() {
        return Err(
            "the browser blocked the popup window that live mode opens for \
                    navigations; allow popups for this page and run again"
                .into(),
        );
    }
    let page_url = window()?.location().href().unwrap_or_default();
    // The simulated jar starts empty; so must the browser.
    let leftovers = expire_leftovers(scenario, &page_url);
    let body = serde_json::to_string(scenario).map_err(|e| e.to_string())?;
    let init = RequestInit::new();
    init.set_method("POST");
    // The lab registers runs only from this page, sent in a form (JSON, a custom header)
    // that no other origin can send without a CORS preflight.
    let headers = Headers::new().map_err(js_err)?;
    headers.append("Content-Type", "application/json").ok();
    headers.append(REGISTER_HEADER, REGISTER_VALUE).ok();
    init.set_headers(&headers);
    init.set_body(&JsValue::from_str(&body));
    let (status, text) = fetch_text("/__lab/runs", &init).await?;
    if status != 201 {
        return Err(format!("the lab refused the scenario: {}", text.trim()));
    }
    #[derive(serde::Deserialize)]
    struct Created {
        run: String,
    }
    let run = serde_json::from_str::<Created>(&text)
        .map_err(|e| e.to_string())?
        .run;

    let mut popup = popup.map(Popup::new).transpose()?;
    let total = scenario.requests.len();
    let mut observations = Vec::new();
    for (i, spec) in scenario.requests.iter().enumerate() {
        let url = run_url(&spec.url, &run, i);
        let mut obs = Observation {
            index: i,
            page_url: page_url.clone(),
            ..Observation::default()
        };
        let marks = RunMarks {
            run: run.clone(),
            index: i,
        };
        run_request(spec, &url, &marks, popup.as_mut(), &mut obs).await?;
        observations.push(obs);
        progress(i + 1, total);
    }

    let (status, text) = fetch_text(&format!("/__lab/runs/{run}/log"), &RequestInit::new()).await?;
    if status != 200 {
        return Err(format!("the lab's log answered {status}"));
    }
    let log: Vec<LabLogEntry> = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    for o in observations.iter_mut() {
        o.lab = LabSeen::from_log(&log, o.index);
    }
    let mut notes = leftovers;
    notes.extend(lab_notes(&log));
    Ok(LiveRun {
        observations,
        lab_notes: notes,
    })
}
