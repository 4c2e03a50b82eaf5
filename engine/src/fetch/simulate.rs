//! Runs a scenario end to end, the way the browser does, and writes the trace.
//!
//! Each request goes through the Fetch Standard's algorithms, one function
//! each, in the sibling modules:
//! - [`super::main_fetch`] — §Main fetch: the request's place relative to the
//!   page (HTML §Sites), mixed content, response tainting, and what the page
//!   finally sees;
//! - [`super::client_request`] — the client API's part (the `Request`
//!   constructor, XHR, axios, navigations): method, headers, body type, mode,
//!   credentials;
//! - [`super::http_fetch`] — §HTTP fetch, once per URL of a redirect chain,
//!   with the CORS check on every response (step 4.4);
//! - [`super::preflight_fetch`] — §CORS-preflight fetch and its cache;
//! - [`super::network_fetch`] — §HTTP-network-or-cache fetch (`Origin`,
//!   `Cookie`) and §HTTP-network fetch (the server's answer, `Set-Cookie`
//!   stored before the CORS check);
//! - [`super::redirect`] — §HTTP-redirect fetch.
//!
//! This module holds the run's state ([`Run`]), what one request carries
//! while it is fetched ([`InFlight`]), and how each request's outcome is
//! recorded.

use url::Url;

use crate::cookie_store::CookieJar;
use crate::explain::summary;
use crate::headers::HeaderList;
use crate::http::ServerModel;
use crate::origin::{parse_url, Origin};
use crate::profile::{BrowserProfile, Family};
use crate::scenario::{
    Client, CredentialsMode, NavigationForm, PermissionState, RedirectMode, RequestMode,
    RequestSpec, RunsFrom, Scenario,
};
use crate::site::site_of;
use crate::trace::{
    Exchange, FieldError, JsResult, Phase, PreflightOutcome, Reason, RejectedCookie,
    RequestOutcome, Step, Trace, Verdict,
};
use crate::{safelist, spec};

pub use super::redirect::MAX_REDIRECTS;

/// The simulated clock starts here (2026-01-01T00:00:00Z), so traces are the
/// same on every run. Each request's `delay_secs` moves it forward.
pub const SIM_EPOCH: i64 = 1_767_225_600;

/// Simulates every request of the scenario in order.
pub fn simulate(scenario: &Scenario) -> Trace {
    let mut trace = simulate_with_profile(scenario, scenario.browser_profile());
    crate::explain::versions::newer_version_note(scenario, &mut trace);
    trace
}

/// Like [`simulate`], with a browser profile of the caller's own instead of
/// the scenario's (e.g. Firefox with `cors_disabled`).
pub fn simulate_with_profile(scenario: &Scenario, profile: BrowserProfile) -> Trace {
    let mut run = Run {
        profile,
        steps: Vec::new(),
        outcomes: Vec::new(),
        field_errors: Vec::new(),
        jar: CookieJar::default(),
        preflight_cache: Vec::new(),
        now: SIM_EPOCH,
        top_site: String::new(),
        local_network: (String::new(), scenario.page.local_network),
        local_network_asked: Vec::new(),
        storage_access: None,
        storage_access_grant: None,
        storage_access_retried: Vec::new(),
    };

    // The page (and the top-level page when it is framed).
    let page = match parse_url(&scenario.page.url, None) {
        Ok(url) => {
            run.local_network.0 = Origin::of(&url).serialize();
            Some(url)
        }
        Err(message) => {
            run.field_error("page.url", message);
            None
        }
    };
    let top = match scenario.page.top_level_url.as_deref() {
        Some(t) if !t.trim().is_empty() => match parse_url(t, None) {
            Ok(url) => Some(url),
            Err(message) => {
                run.field_error("page.top_level_url", message);
                None
            }
        },
        _ => None,
    };

    // The server: boot it (a configuration error stops everything) and read raw headers.
    let prepared = crate::server::dev_proxy::behind_proxy(scenario, scenario.server.prepare());
    run.field_errors
        .extend(prepared.field_errors.iter().cloned());
    let server: &dyn ServerModel = prepared.model.as_ref();
    let booted = match server.boot() {
        Ok(()) => true,
        Err(steps) => {
            run.steps.extend(steps);
            false
        }
    };

    // The cookies the browser already holds (RFC 6265bis §5.7 records).
    let (jar_step, jar_errors) =
        crate::cookies::jar_at_start::preload(&mut run.jar, &scenario.jar_at_start, run.now);
    run.steps.extend(jar_step);
    run.field_errors.extend(jar_errors);

    if let Some(page) = &page {
        if let Some(top) = &top {
            run.steps
                .push(super::main_fetch::framed_page_step(page, top, &run.profile));
        }
        // A storage access grant the user gave this pair of sites before
        // (what `Sec-Fetch-Storage-Access: inactive` tells the server).
        if top.is_some() && scenario.page.storage_access.permission == PermissionState::Granted {
            run.storage_access_grant = Some(page.clone());
        }
        // The page's `document.requestStorageAccess()`, before its requests.
        if let Some((step, access)) = super::storage_access::request_storage_access(
            page,
            top.as_ref(),
            &scenario.page.storage_access,
            &run.profile,
        ) {
            run.steps.push(step);
            run.storage_access = access;
        }
        run.run_requests(scenario, (page, top.as_ref()), server, booted);
    } else {
        // Without a page there is no origin to send from: list the requests as not sent.
        for (index, spec) in scenario.requests.iter().enumerate() {
            run.not_sent(index, &spec.method, &spec.url, None);
        }
    }

    run.finish(scenario)
}

impl Run {
    /// Every request in order, each from its document (HTML §Navigating
    /// across documents): the scenario's page, or the current document, which
    /// moves to the final URL of each top-level navigation or visit that
    /// loads one. Says when the document a request runs from changes.
    fn run_requests(
        &mut self,
        scenario: &Scenario,
        (page, top): (&Url, Option<&Url>),
        server: &dyn ServerModel,
        booted: bool,
    ) {
        // The current document, once a navigation loaded one, and the request that did.
        let mut current: Option<(Url, usize)> = None;
        // The document the previous request ran from.
        let mut last: (Url, Option<Url>) = (page.clone(), top.cloned());
        for (index, spec) in scenario.requests.iter().enumerate() {
            self.now += spec.delay_secs as i64;
            let ready = booted
                && self
                    .field_errors
                    .iter()
                    .all(|e| !e.field.starts_with("server."));
            let (doc, doc_top, landed_by) = match (&current, spec.runs_from) {
                (Some((url, by)), RunsFrom::Current) => (url, None, Some(*by)),
                _ => (page, top, None),
            };
            // A visit has no document: it starts from the browser itself.
            if spec.client != Client::Visit {
                if (doc, doc_top) != (&last.0, last.1.as_ref()) {
                    self.steps.push(document_changed_step(
                        index,
                        doc,
                        landed_by.map(|by| (by, &scenario.requests[by].client)),
                    ));
                }
                last = (doc.clone(), doc_top.cloned());
            }
            // The top-level site: the partition key of every non-navigation request.
            self.top_site = site_of(doc_top.unwrap_or(doc)).to_string();
            let place = Place {
                page: doc,
                top: doc_top,
                server,
            };
            self.main_fetch(index, spec, &place, ready);
            if spec.client.is_top_level_navigation() {
                let loaded = self
                    .outcomes
                    .iter()
                    .rev()
                    .find(|o| o.index == index)
                    .and_then(|o| o.document.as_ref())
                    .and_then(|d| Url::parse(&d.url).ok());
                if let Some(url) = loaded {
                    current = Some((url, index));
                }
            }
        }
    }
}

/// Setup step: the document the request runs from is not the one the
/// previous request ran from (`landed_by`: the navigation that loaded it;
/// `None`: the scenario's page).
fn document_changed_step(index: usize, doc: &Url, landed_by: Option<(usize, &Client)>) -> Step {
    let origin = Origin::of(doc).serialize();
    let site = site_of(doc);
    let text = match landed_by {
        Some((by, client)) => format!(
            "Request {} ({}) loaded this document, and this request runs from the current document, so it is made from here: {origin} is its origin (the `Origin` the browser sends), and {site} is the top-level site that decides SameSite and third-party cookies.",
            by + 1,
            navigation_kind(client)
        ),
        None => format!(
            "This request runs from the scenario's page, which stayed open while the navigation went to another window: its origin {origin} and its site {site} apply again."
        ),
    };
    Step::new(
        Some(index),
        Phase::Setup,
        Verdict::Ok,
        Reason::DocumentChanged,
        format!("The page is now {doc}"),
        text,
        spec::HTML_NAVIGATE,
    )
    .with("Page", doc.as_str())
}

/// A top-level navigation, in words.
pub(super) fn navigation_kind(client: &Client) -> &'static str {
    match client {
        Client::Navigation {
            form: NavigationForm::Link,
        } => "a link",
        Client::Navigation {
            form: NavigationForm::FormPost,
        } => "a form POST",
        Client::Navigation {
            form: NavigationForm::FormGet,
        } => "a GET form",
        Client::Visit => "a visit",
        _ => "a navigation",
    }
}

/// The state of one simulation: the browser (profile, cookie jar, preflight
/// cache, clock) and the trace written so far.
pub(super) struct Run {
    pub(super) profile: BrowserProfile,
    pub(super) steps: Vec<Step>,
    pub(super) outcomes: Vec<RequestOutcome>,
    pub(super) field_errors: Vec<FieldError>,
    pub(super) jar: CookieJar,
    pub(super) preflight_cache: Vec<super::preflight_fetch::CacheEntry>,
    pub(super) now: i64,
    /// The top-level page's site, serialized: the partition key of every
    /// non-navigation request.
    pub(super) top_site: String,
    /// The scenario page's origin and its Local Network Access permission
    /// (another document, after a navigation, has not been asked).
    pub(super) local_network: (String, PermissionState),
    /// Origins whose Local Network Access prompt was shown: the trace goes
    /// on as if the user allowed it, so it is not asked again.
    pub(super) local_network_asked: Vec<String>,
    /// The framed page's storage access, once `requestStorageAccess()`
    /// granted it.
    pub(super) storage_access: Option<super::storage_access::StorageAccess>,
    /// The framed page, when the user granted its site storage access under
    /// the top-level site before.
    pub(super) storage_access_grant: Option<Url>,
    /// Requests the server asked to send again with storage access
    /// (`Activate-Storage-Access: retry`).
    pub(super) storage_access_retried: Vec<usize>,
}

/// Where every request of the scenario starts from: the page (and the
/// top-level page around it when it is framed) and the server it talks to.
pub(super) struct Place<'a> {
    pub(super) page: &'a Url,
    pub(super) top: Option<&'a Url>,
    pub(super) server: &'a dyn ServerModel,
}

/// What one request carried along its redirect chain, for the summary.
pub(super) struct Chain {
    pub(super) exchanges: Vec<Exchange>,
    pub(super) preflight: PreflightOutcome,
    pub(super) cookies_sent: Vec<String>,
    pub(super) stored: Vec<String>,
    pub(super) rejected: Vec<RejectedCookie>,
}

impl Default for Chain {
    fn default() -> Self {
        Chain {
            exchanges: Vec::new(),
            preflight: PreflightOutcome::NotNeeded,
            cookies_sent: Vec::new(),
            stored: Vec::new(),
            rejected: Vec::new(),
        }
    }
}

/// What one request turned into while the client API built it (Fetch
/// §Requests: the fields the later algorithms read).
pub(super) struct Built {
    pub(super) url: Url,
    pub(super) method: String,
    pub(super) headers: HeaderList,
    pub(super) mode: RequestMode,
    pub(super) credentials_mode: CredentialsMode,
    /// Fetch "response tainting" is cors: the CORS protocol applies.
    pub(super) cors: bool,
    pub(super) include_credentials: bool,
    pub(super) use_preflight_flag: bool,
    pub(super) send_origin: bool,
}

/// One request while it is fetched (Fetch §Fetching: the fetch params and
/// the request they hold): the request as it is now, its URL list and
/// redirect count, and what the chain has carried so far.
pub(super) struct InFlight<'a> {
    pub(super) index: usize,
    pub(super) spec: &'a RequestSpec,
    pub(super) page: &'a Url,
    pub(super) top: Option<&'a Url>,
    pub(super) server: &'a dyn ServerModel,
    pub(super) page_origin: Origin,
    /// The page's origin, serialized: the request's origin.
    pub(super) request_origin: String,
    /// A top-level navigation (a link, a form, a visit), not a frame.
    pub(super) top_nav: bool,
    /// A browser-initiated visit: no document started it, so the request's
    /// origin is opaque (no initiator) and the request is same-site.
    pub(super) browser_initiated: bool,
    pub(super) redirect_mode: RedirectMode,
    /// The method as first built, reported in the outcome.
    pub(super) original_method: String,
    /// The current request; its URL is the last one of `url_list`.
    pub(super) hop: Built,
    /// Fetch §Requests: the URL list.
    pub(super) url_list: Vec<Url>,
    /// Fetch §Requests: the redirect count.
    pub(super) redirect_count: usize,
    /// The body is null: there is none, or a redirect rewrote it away.
    pub(super) body_null: bool,
    /// Response tainting "opaque" (no-cors to another origin).
    pub(super) opaque: bool,
    pub(super) chain: Chain,
}

impl InFlight<'_> {
    /// The chain so far, taken out to be recorded in the outcome.
    pub(super) fn take_chain(&mut self) -> Chain {
        std::mem::take(&mut self.chain)
    }

    /// The document that started the request; `None` for a visit, whose
    /// origin is opaque (Fetch §Requests: redirect-taint, origin).
    pub(super) fn initiator(&self) -> Option<&Url> {
        (!self.browser_initiated).then_some(self.page)
    }
}

impl Run {
    pub(super) fn field_error(&mut self, field: &str, message: String) {
        self.field_errors.push(FieldError {
            field: field.into(),
            message,
        });
    }

    pub(super) fn not_sent(
        &mut self,
        index: usize,
        method: &str,
        url: &str,
        blocked_by: Option<Reason>,
    ) {
        self.outcomes.push(RequestOutcome {
            index,
            method: method.to_string(),
            url: url.to_string(),
            preflight: PreflightOutcome::NotNeeded,
            request_sent: false,
            js_result: JsResult::NotSent,
            status: None,
            readable_headers: Vec::new(),
            cookies_sent: Vec::new(),
            cookies_stored: Vec::new(),
            cookies_rejected: Vec::new(),
            exchanges: Vec::new(),
            jar_after: self.jar.view(self.now),
            blocked_by,
            document: None,
        });
    }

    /// The request ends in a network error: what the page's code sees, then
    /// the outcome (reported under the request as first written).
    pub(super) fn network_error(
        &mut self,
        index: usize,
        client: &Client,
        method: &str,
        url: &Url,
        chain: Chain,
        reason: Reason,
    ) {
        self.steps
            .push(network_error_step(index, client, &self.profile));
        self.push_outcome(
            index,
            method,
            url,
            chain,
            JsResult::NetworkError,
            Some(reason),
        );
    }

    /// Records a request that ended after it was sent (network error,
    /// opaque redirect).
    pub(super) fn push_outcome(
        &mut self,
        index: usize,
        method: &str,
        url: &Url,
        chain: Chain,
        js_result: JsResult,
        blocked_by: Option<Reason>,
    ) {
        self.outcomes.push(RequestOutcome {
            index,
            method: method.to_string(),
            url: url.to_string(),
            preflight: chain.preflight,
            request_sent: true,
            js_result,
            status: None,
            readable_headers: Vec::new(),
            cookies_sent: chain.cookies_sent,
            cookies_stored: chain.stored,
            cookies_rejected: chain.rejected,
            exchanges: chain.exchanges,
            jar_after: self.jar.view(self.now),
            blocked_by,
            document: None,
        });
    }

    /// A request whose preflight failed: the actual (or redirected) request
    /// is never sent.
    pub(super) fn push_network_error(
        &mut self,
        index: usize,
        spec: &RequestSpec,
        hop: &Built,
        chain: Chain,
        blocked_by: Option<Reason>,
        sent: bool,
    ) {
        let text = if sent {
            "Because the preflight for the redirected request failed, the browser does not follow the redirect: the new URL never sees the request. Cookies set by the earlier responses of the chain stay stored."
        } else {
            "Because the preflight failed, the browser does not send the real request: the server never sees it, no cookie goes out and none comes back."
        };
        self.steps.push(Step::new(
            Some(index),
            Phase::Result,
            Verdict::Blocked,
            Reason::RequestNotSent,
            format!("{} {} is never sent", hop.method, hop.url),
            text,
            spec::FETCH_HTTP_FETCH,
        ));
        self.steps
            .push(network_error_step(index, &spec.client, &self.profile));
        let url = chain
            .exchanges
            .iter()
            .find(|e| !e.request.is_preflight)
            .map(|e| e.request.url.clone())
            .unwrap_or_else(|| hop.url.to_string());
        let method = chain
            .exchanges
            .iter()
            .find(|e| !e.request.is_preflight)
            .map(|e| e.request.method.clone())
            .unwrap_or_else(|| hop.method.clone());
        self.outcomes.push(RequestOutcome {
            index,
            method,
            url,
            preflight: chain.preflight,
            request_sent: sent,
            js_result: JsResult::NetworkError,
            status: None,
            readable_headers: Vec::new(),
            cookies_sent: chain.cookies_sent,
            cookies_stored: chain.stored,
            cookies_rejected: chain.rejected,
            exchanges: chain.exchanges,
            jar_after: self.jar.view(self.now),
            blocked_by,
            document: None,
        });
    }

    /// A request the browser refused to make (mixed content, forbidden method,
    /// `same-origin` mode…): the promise rejects without any network traffic.
    pub(super) fn result_not_sent(
        &mut self,
        index: usize,
        spec: &RequestSpec,
        url: &Url,
        reason: Reason,
    ) {
        self.steps
            .push(network_error_step(index, &spec.client, &self.profile));
        let mut method = safelist::normalize_method(&spec.method);
        if let Client::Navigation { form } = spec.client {
            method = navigation_method(form).into();
        } else if spec.client == Client::Visit {
            method = "GET".into();
        }
        self.outcomes.push(RequestOutcome {
            index,
            method,
            url: url.to_string(),
            preflight: PreflightOutcome::NotNeeded,
            request_sent: false,
            js_result: if spec.client.is_script() {
                JsResult::NetworkError
            } else {
                JsResult::NotSent
            },
            status: None,
            readable_headers: Vec::new(),
            cookies_sent: Vec::new(),
            cookies_stored: Vec::new(),
            cookies_rejected: Vec::new(),
            exchanges: Vec::new(),
            jar_after: self.jar.view(self.now),
            blocked_by: Some(reason),
            document: None,
        });
    }

    /// The trace: every step, each request's outcome, the root causes and
    /// the headline.
    fn finish(mut self, scenario: &Scenario) -> Trace {
        crate::explain::devtools::annotate(&mut self.steps, &self.profile);
        let root_causes = summary::root_causes(&self.steps);
        let verdict = self
            .steps
            .iter()
            .map(|s| s.verdict)
            .max()
            .unwrap_or(Verdict::Ok);
        let headline = summary::headline(
            scenario,
            &self.steps,
            &self.outcomes,
            &self.field_errors,
            &root_causes,
        );
        self.outcomes.sort_by_key(|o| o.index);
        Trace {
            headline,
            verdict,
            steps: self.steps,
            requests: self.outcomes,
            root_causes,
            field_errors: self.field_errors,
        }
    }
}

pub(super) fn navigation_method(form: NavigationForm) -> &'static str {
    match form {
        NavigationForm::Link | NavigationForm::FormGet => "GET",
        NavigationForm::FormPost => "POST",
    }
}

pub(super) fn client_name(client: &Client) -> &'static str {
    match client {
        Client::Fetch { .. } => "fetch()",
        Client::Xhr { .. } => "XMLHttpRequest",
        Client::Axios { .. } => "axios",
        Client::Navigation { .. } => "The navigation",
        Client::Iframe => "The iframe",
        Client::Visit => "The visit",
    }
}

pub(super) fn credentials_label(mode: CredentialsMode) -> &'static str {
    match mode {
        CredentialsMode::Omit => "omit",
        CredentialsMode::SameOrigin => "same-origin",
        CredentialsMode::Include => "include",
    }
}

/// The one change on the client that includes credentials.
pub(super) fn credentials_fix(client: &Client) -> &'static str {
    match client {
        Client::Fetch { .. } => "Add credentials: 'include' to the fetch() options.",
        Client::Xhr { .. } => "Set xhr.withCredentials = true before send().",
        Client::Axios { .. } => {
            "Pass withCredentials: true to axios (or set axios.defaults.withCredentials = true)."
        }
        _ => "",
    }
}

/// What the page's code sees when the browser hides the response.
pub(super) fn network_error_step(index: usize, client: &Client, profile: &BrowserProfile) -> Step {
    let fetch_error = match profile.family {
        Family::Chromium => "TypeError: Failed to fetch",
        Family::Firefox => "TypeError: NetworkError when attempting to fetch resource.",
        Family::Safari | Family::WebKitGtk => "TypeError: Load failed",
    };
    let seen = match client {
        Client::Fetch { .. } => format!("the promise rejects with `{fetch_error}`"),
        Client::Xhr { .. } => "the XHR fires `error`, and status is 0".to_string(),
        Client::Axios { .. } => "axios rejects with `AxiosError: Network Error` (code ERR_NETWORK) and no error.response".to_string(),
        _ => "nothing is loaded".to_string(),
    };
    Step::new(
        Some(index),
        Phase::Result,
        Verdict::Blocked,
        Reason::NetworkError,
        "The page's code gets a network error",
        format!(
            "The browser hides why: {seen}. The real reason is only in the browser console (and in the steps above). The status code the server sent is not visible to the code."
        ),
        spec::FETCH_NETWORK_ERROR,
    )
}
