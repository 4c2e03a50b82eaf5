//! Live mode's popup window. Top-level navigations and visits run there, and
//! so do the requests that run from the document a navigation loaded: the
//! lab gives each such document its agent (`lab/src/agent.rs`), which says
//! it is shown (`ready`, with its URL) and makes a request when this page
//! asks (`run`), answering with what it saw (`done`).

use std::cell::RefCell;
use std::rc::Rc;

use crumbtrail_engine::form::form_entries;
use crumbtrail_engine::live::{Observation, REQ_PARAM, RUN_PARAM};
use crumbtrail_engine::origin::parse_url;
use crumbtrail_engine::scenario::{Client, FormEnctype, NavigationForm, RequestSpec};
use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{HtmlAnchorElement, HtmlFormElement, HtmlInputElement, Window};

use super::{create, document, js_err, sleep, window, LOAD_TIMEOUT_MS, POPUP_NAME};

/// The run's markers, for the URLs a request goes to (a GET form's fields
/// replace the URL's query, so they go in as fields too).
pub struct RunMarks {
    pub run: String,
    pub index: usize,
}

/// The popup window and the messages its documents sent this page.
pub struct Popup {
    window: Window,
    inbox: Rc<RefCell<Vec<JsValue>>>,
    listener: Closure<dyn FnMut(JsValue)>,
    /// The URL of the document the popup shows, once its agent said so.
    pub current: Option<String>,
    next_id: u32,
}

impl Drop for Popup {
    fn drop(&mut self) {
        if let Some(w) = web_sys::window() {
            let _ = w.remove_event_listener_with_callback(
                "message",
                self.listener.as_ref().unchecked_ref(),
            );
        }
    }
}

fn field(value: &JsValue, name: &str) -> JsValue {
    Reflect::get(value, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

/// A JSON text as a JavaScript value.
fn from_json(text: &str) -> Result<JsValue, String> {
    js_sys::JSON::parse(text).map_err(js_err)
}

impl Popup {
    /// Starts listening to the documents of `popup` (the window from `open_popup`).
    pub fn new(popup: &Window) -> Result<Popup, String> {
        let inbox = Rc::new(RefCell::new(Vec::new()));
        let (source, sink) = (popup.clone(), inbox.clone());
        let listener = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
            let from_popup = Object::is(&field(&event, "source"), source.as_ref());
            let data = field(&event, "data");
            if from_popup && field(&data, "crumbtrail").as_string().as_deref() == Some("lab-agent")
            {
                sink.borrow_mut().push(data);
            }
        });
        window()?
            .add_event_listener_with_callback("message", listener.as_ref().unchecked_ref())
            .map_err(js_err)?;
        Ok(Popup {
            window: popup.clone(),
            inbox,
            listener,
            current: None,
            next_id: 0,
        })
    }

    fn check_open(&self) -> Result<(), String> {
        if self.window.closed().unwrap_or(true) {
            return Err("the live-mode popup window was closed during the run".into());
        }
        Ok(())
    }

    /// Drops what the previous documents said: the next `ready` is news.
    fn forget(&self) {
        self.inbox.borrow_mut().clear();
    }

    /// The first message `op` (with `id`, for an answer), within the load timeout.
    async fn wait_for(&self, op: &str, id: Option<u32>) -> Option<JsValue> {
        let start = js_sys::Date::now();
        loop {
            {
                let mut inbox = self.inbox.borrow_mut();
                let found = inbox.iter().position(|m| {
                    field(m, "op").as_string().as_deref() == Some(op)
                        && id.is_none_or(|id| field(m, "id").as_f64() == Some(id as f64))
                });
                if let Some(i) = found {
                    return Some(inbox.remove(i));
                }
            }
            if js_sys::Date::now() - start > LOAD_TIMEOUT_MS {
                return None;
            }
            sleep(20).await;
        }
    }

    /// Waits until the popup shows the document the navigation loaded.
    async fn landed(&mut self, obs: &mut Observation) {
        match self.wait_for("ready", None).await {
            Some(m) => {
                let href = field(&m, "href").as_string().unwrap_or_default();
                obs.navigated = true;
                obs.document_url = Some(href.clone());
                self.current = Some(href);
            }
            None => obs.error = Some("the popup did not load the response".into()),
        }
    }

    /// A real top-level navigation from this page into the popup: a link
    /// click or a form submission targeting it by name.
    pub async fn navigate_from_page(
        &mut self,
        url: &str,
        spec: &RequestSpec,
        marks: &RunMarks,
        obs: &mut Observation,
    ) -> Result<(), String> {
        self.check_open()?;
        self.forget();
        let body = document()?.body().ok_or("no body")?;
        if let Client::Navigation {
            form: NavigationForm::Link,
        } = spec.client
        {
            let a: HtmlAnchorElement = create("a")?;
            a.set_href(url);
            a.set_target(POPUP_NAME);
            a.set_hidden(true);
            body.append_child(&a).map_err(js_err)?;
            a.click();
            a.remove();
        } else {
            let f = form_element(url, spec, marks)?;
            f.set_target(POPUP_NAME);
            body.append_child(&f).map_err(js_err)?;
            f.submit().map_err(js_err)?;
            f.remove();
        }
        self.landed(obs).await;
        Ok(())
    }

    /// A browser-initiated visit, as close as a page can come: the popup
    /// loads the lab's launch page on the visited origin, which navigates to
    /// the URL with no `Referer` (see `crumbtrail_engine::live::VISIT_NOTE`).
    pub async fn visit(&mut self, url: &str, obs: &mut Observation) -> Result<(), String> {
        self.check_open()?;
        let origin = parse_url(url, None)?.origin().ascii_serialization();
        let launch = format!(
            "{origin}/__lab/launch#{}",
            String::from(js_sys::encode_uri_component(url))
        );
        self.forget();
        self.window.location().set_href(&launch).map_err(js_err)?;
        self.landed(obs).await;
        Ok(())
    }

    /// A request made by the document the popup shows (its agent). A
    /// navigation from there waits for the next document instead of an answer.
    pub async fn request(
        &mut self,
        url: &str,
        spec: &RequestSpec,
        marks: &RunMarks,
        obs: &mut Observation,
    ) -> Result<(), String> {
        self.check_open()?;
        let Some(current) = self.current.clone() else {
            return Err("the popup shows no page of the scenario".into());
        };
        let target = parse_url(&current, None)?.origin().ascii_serialization();
        self.next_id += 1;
        let id = self.next_id;
        let message = Object::new();
        let fields =
            serde_json::to_string(&form_fields(spec, marks)?).map_err(|e| e.to_string())?;
        let spec_json = serde_json::to_string(spec).map_err(|e| e.to_string())?;
        for (name, value) in [
            ("crumbtrail", JsValue::from_str("lab-page")),
            ("op", JsValue::from_str("run")),
            ("id", JsValue::from(id)),
            ("url", JsValue::from_str(url)),
            ("spec", from_json(&spec_json)?),
            ("fields", from_json(&fields)?),
        ] {
            Reflect::set(&message, &JsValue::from_str(name), &value).map_err(js_err)?;
        }
        obs.page_url = current;
        self.forget();
        self.window
            .post_message(&message, &target)
            .map_err(js_err)?;
        if spec.client.is_top_level_navigation() {
            self.landed(obs).await;
            return Ok(());
        }
        let Some(answer) = self.wait_for("done", Some(id)).await else {
            obs.error = Some("the page in the popup window did not answer".into());
            return Ok(());
        };
        let seen = field(&answer, "obs");
        if seen.is_null() || seen.is_undefined() {
            obs.error = field(&answer, "error").as_string();
            return Ok(());
        }
        let flag = |name: &str| field(&seen, name).is_truthy();
        obs.resolved = flag("resolved");
        obs.opaque = flag("opaque");
        obs.navigated = flag("navigated");
        obs.status = field(&seen, "status").as_f64().unwrap_or(0.0) as u16;
        obs.readable_headers = js_sys::Array::from(&field(&seen, "readable_headers"))
            .iter()
            .filter_map(|h| h.as_string())
            .map(|h| h.to_ascii_lowercase())
            .collect();
        obs.error = field(&seen, "error").as_string();
        obs.page_url = field(&seen, "page_url").as_string().unwrap_or_default();
        obs.document_cookie = field(&seen, "document_cookie").as_string();
        Ok(())
    }
}

/// A form navigation's fields (HTML §Form submission); a GET form's carry
/// the run markers, since its fields replace the action URL's query.
fn form_fields(spec: &RequestSpec, marks: &RunMarks) -> Result<Vec<(String, String)>, String> {
    let Client::Navigation { form } = spec.client else {
        return Ok(Vec::new());
    };
    let mut fields = match form {
        NavigationForm::Link => Vec::new(),
        _ => form_entries(&spec.fields)?,
    };
    if form == NavigationForm::FormGet {
        fields.push((RUN_PARAM.into(), marks.run.clone()));
        fields.push((REQ_PARAM.into(), marks.index.to_string()));
    }
    Ok(fields)
}

/// A hidden form for a form navigation from this page: method, enctype,
/// the scenario's fields.
fn form_element(
    url: &str,
    spec: &RequestSpec,
    marks: &RunMarks,
) -> Result<HtmlFormElement, String> {
    let f: HtmlFormElement = create("form")?;
    let get = matches!(
        spec.client,
        Client::Navigation {
            form: NavigationForm::FormGet
        }
    );
    f.set_method(if get { "get" } else { "post" });
    f.set_enctype(match spec.enctype {
        FormEnctype::UrlEncoded => "application/x-www-form-urlencoded",
        FormEnctype::Multipart => "multipart/form-data",
        FormEnctype::TextPlain => "text/plain",
    });
    f.set_action(url);
    f.set_hidden(true);
    for (name, value) in form_fields(spec, marks)? {
        let input: HtmlInputElement = create("input")?;
        input.set_type("hidden");
        input.set_name(&name);
        input.set_value(&value);
        f.append_child(&input).map_err(js_err)?;
    }
    Ok(f)
}
