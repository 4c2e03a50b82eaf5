//! Runs a scenario end to end, the way the browser does, and writes the trace.
//!
//! For each request, in order (Fetch §Main fetch and the steps it calls):
//! 1. read the URLs and place the request: same-origin, same-site, cross-site,
//!    third-party context, mixed content;
//! 2. build the request the way the client code does (method normalisation,
//!    forbidden headers, the `Content-Type` the body brings, the mode and
//!    credentials the client API maps to);
//! 3. decide on a CORS preflight and run it against the server model;
//! 4. pick the cookies that go on the request (RFC 6265bis §5.8.3);
//! 5. let the server model answer (with the real `Origin` and `Cookie`);
//! 6. store `Set-Cookie` when credentials are included — before the CORS check,
//!    so a response the page cannot read can still set cookies (Fetch
//!    §HTTP-network fetch);
//! 7. run the CORS check and say what the page's code sees.

use url::Url;

use crate::cookie_store::{CookieJar, GetContext, SetContext};
use crate::headers::HeaderList;
use crate::http::{ServerModel, WireRequest, WireResponse};
use crate::origin::{parse_url, Origin};
use crate::profile::{BrowserProfile, Family};
use crate::scenario::{
    BodyKind, Client, CredentialsMode, NavigationForm, RequestMode, RequestSpec, Scenario,
    ServerSetup,
};
use crate::server::raw::RawServerModel;
use crate::site::{same_site, site_of};
use crate::trace::{
    Exchange, FieldError, JsResult, Phase, PreflightOutcome, Reason, RejectedCookie,
    RequestOutcome, RootCause, Step, Trace, Verdict,
};
use crate::{cors_check, mixed_content, preflight, safelist, spec};

/// The simulated clock starts here (2026-01-01T00:00:00Z), so traces are the
/// same on every run. Each request's `delay_secs` moves it forward.
pub const SIM_EPOCH: i64 = 1_767_225_600;

/// Simulates every request of the scenario in order.
pub fn simulate(scenario: &Scenario) -> Trace {
    let profile = scenario.profile.profile();
    let mut run = Run {
        profile,
        steps: Vec::new(),
        outcomes: Vec::new(),
        field_errors: Vec::new(),
        jar: CookieJar::default(),
        preflight_cache: Vec::new(),
        now: SIM_EPOCH,
    };

    // The page (and the top-level page when it is framed).
    let page = match parse_url(&scenario.page.url, None) {
        Ok(url) => Some(url),
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
    let raw_model;
    let rails_model;
    let server: &dyn ServerModel = match &scenario.server {
        ServerSetup::Raw(raw) => {
            raw_model = RawServerModel::new(raw);
            for e in raw_model.field_errors() {
                run.field_errors.push(e.clone());
            }
            &raw_model
        }
        ServerSetup::Rails(app) => {
            rails_model = app.prepare();
            &rails_model
        }
    };
    let booted = match server.boot() {
        Ok(()) => true,
        Err(steps) => {
            run.steps.extend(steps);
            false
        }
    };

    if let Some(page) = &page {
        if let Some(top) = &top {
            run.steps.push(framed_page_step(page, top, &run.profile));
        }
        for (index, spec) in scenario.requests.iter().enumerate() {
            run.now += spec.delay_secs as i64;
            let ready = booted
                && run
                    .field_errors
                    .iter()
                    .all(|e| !e.field.starts_with("server."));
            run.request(index, spec, page, top.as_ref(), server, ready);
        }
    } else {
        // Without a page there is no origin to send from: list the requests as not sent.
        for (index, spec) in scenario.requests.iter().enumerate() {
            run.not_sent(index, &spec.method, &spec.url, None);
        }
    }

    run.finish(scenario)
}

/// A cached preflight answer (Fetch §CORS-preflight cache), simplified to
/// URL + credentials with the methods and headers it allowed.
struct CacheEntry {
    url: String,
    credentials: bool,
    methods: Vec<String>,
    headers: Vec<String>,
    expires: i64,
}

struct Run {
    profile: BrowserProfile,
    steps: Vec<Step>,
    outcomes: Vec<RequestOutcome>,
    field_errors: Vec<FieldError>,
    jar: CookieJar,
    preflight_cache: Vec<CacheEntry>,
    now: i64,
}

/// What one request turned into while it was built.
struct Built {
    url: Url,
    method: String,
    headers: HeaderList,
    mode: RequestMode,
    credentials_mode: CredentialsMode,
    /// Fetch "response tainting" is cors: the CORS protocol applies.
    cors: bool,
    include_credentials: bool,
    use_preflight_flag: bool,
    send_origin: bool,
}

impl Run {
    fn field_error(&mut self, field: &str, message: String) {
        self.field_errors.push(FieldError {
            field: field.into(),
            message,
        });
    }

    fn not_sent(&mut self, index: usize, method: &str, url: &str, blocked_by: Option<Reason>) {
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
        });
    }

    fn request(
        &mut self,
        index: usize,
        spec: &RequestSpec,
        page: &Url,
        top: Option<&Url>,
        server: &dyn ServerModel,
        ready: bool,
    ) {
        // ----- 1. Read the fields of this request. -----
        let url = match parse_url(&spec.url, Some(page)) {
            Ok(u) => Some(u),
            Err(message) => {
                self.field_error(&format!("requests.{index}.url"), message);
                None
            }
        };
        let client_headers = match HeaderList::parse_lines(&spec.headers) {
            Ok(h) => Some(h),
            Err(e) => {
                self.field_error(&format!("requests.{index}.headers"), e.to_string());
                None
            }
        };
        let (Some(url), Some(client_headers), true) = (url, client_headers, ready) else {
            self.not_sent(index, &spec.method, &spec.url, None);
            return;
        };

        // ----- 2. Where the request goes, relative to the page. -----
        let top_level = top.unwrap_or(page);
        let page_origin = Origin::of(page);
        let req_origin = Origin::of(&url);
        let same_origin = page_origin.same_origin(&req_origin);
        self.steps
            .push(relationship_step(index, page, &url, &self.profile));

        // Mixed Content: an https page may not fetch http (loopback excepted).
        if spec.client.is_script() || matches!(spec.client, Client::Iframe) {
            if let Some(step) = mixed_content::check_mixed_content(page, &url, index) {
                let blocked = step.verdict == Verdict::Blocked;
                self.steps.push(step);
                if blocked {
                    self.result_not_sent(index, spec, &url, Reason::MixedContentBlocked);
                    return;
                }
            }
        }

        // ----- 3. Build the request as the client code does. -----
        let Some(built) = self.build(index, spec, &url, page, same_origin, client_headers) else {
            return;
        };

        // ----- 4. The preflight (Fetch §HTTP fetch step 4.1, §CORS-preflight fetch). -----
        let origin_value = page_origin.serialize();
        let mut exchanges = Vec::new();
        let mut preflight_outcome = PreflightOutcome::NotNeeded;
        if built.cors {
            let unsafe_names = safelist::cors_unsafe_request_header_names(&built.headers);
            let method_safe = safelist::is_cors_safelisted_method(&built.method);
            let needs = built.use_preflight_flag || !method_safe || !unsafe_names.names.is_empty();
            if !needs {
                self.steps.push(Step::new(
                    Some(index),
                    Phase::Preflight,
                    Verdict::Ok,
                    Reason::PreflightNotNeeded,
                    "No preflight: a \"simple\" request",
                    format!(
                        "{} is a CORS-safelisted method and every header is CORS-safelisted, so the browser sends the request straight away. The server still has to answer with the right Access-Control-Allow-* headers for the page to read the response.",
                        built.method
                    ),
                    spec::FETCH_HTTP_FETCH,
                ).with("Method", &built.method));
            } else if let Some(entry) = self.cached_preflight(&built, &unsafe_names.names) {
                preflight_outcome = PreflightOutcome::Cached;
                self.steps.push(Step::new(
                    Some(index),
                    Phase::Preflight,
                    Verdict::Ok,
                    Reason::PreflightCached,
                    "Preflight answer reused from the cache",
                    format!(
                        "An earlier preflight to this URL allowed {} and was cached for Access-Control-Max-Age, so no new OPTIONS request is sent.",
                        built.method
                    ),
                    spec::FETCH_CORS_PREFLIGHT_CACHE,
                ).with("Cached until (simulated seconds)", (entry - SIM_EPOCH).to_string()));
            } else {
                let (reason, why) = if built.use_preflight_flag {
                    (
                        Reason::PreflightNeededFlag,
                        "the body is a stream, which is always preflighted".to_string(),
                    )
                } else if !method_safe {
                    (
                        Reason::PreflightNeededMethod,
                        format!("{} is not one of GET, HEAD, POST", built.method),
                    )
                } else {
                    let details: Vec<String> = unsafe_names
                        .names
                        .iter()
                        .map(|n| {
                            let value = built.headers.get(n).unwrap_or_default();
                            safelist::describe_not_safelisted(n, &value)
                                .unwrap_or_else(|| format!("`{n}` is not CORS-safelisted"))
                        })
                        .collect();
                    (Reason::PreflightNeededHeaders, details.join("; "))
                };
                let mut step = Step::new(
                    Some(index),
                    Phase::Preflight,
                    Verdict::Ok,
                    reason,
                    "The browser sends a preflight (OPTIONS) first",
                    format!(
                        "Before the real request, the browser asks the server for permission with an OPTIONS request, because {why}. The preflight never carries cookies, and its answer must allow this origin, method and headers."
                    ),
                    spec::FETCH_CORS_PREFLIGHT,
                )
                .with("Method", &built.method);
                if let Some(v) = unsafe_names.request_headers_value() {
                    step = step.with("Access-Control-Request-Headers", v);
                }
                self.steps.push(step);

                let pre_req = preflight::preflight_request(
                    url.as_str(),
                    &origin_value,
                    &built.method,
                    &unsafe_names.names,
                );
                let reply = server.respond(&pre_req, index);
                self.steps.extend(reply.steps);
                let response = reply.response;
                if response.headers.contains("set-cookie") {
                    self.steps.push(Step::new(
                        Some(index),
                        Phase::Preflight,
                        Verdict::Ok,
                        Reason::PreflightSetCookieIgnored,
                        "Set-Cookie on the preflight answer is ignored",
                        "The OPTIONS answer carried Set-Cookie, but a preflight is made without credentials, so the browser does not store cookies from it. Set the session cookie on the real request's response instead.",
                        spec::FETCH_CORS_PREFLIGHT,
                    ));
                }
                let check = preflight::check_preflight_response(
                    &response,
                    &origin_value,
                    built.include_credentials,
                    &built.method,
                    &unsafe_names.names,
                    &self.profile,
                    index,
                );
                self.steps.extend(check.steps);
                exchanges.push(Exchange {
                    request: pre_req,
                    response: Some(response),
                });
                if !check.ok {
                    let blocked_by = self
                        .steps
                        .iter()
                        .rev()
                        .find(|s| s.request == Some(index) && s.verdict == Verdict::Blocked)
                        .map(|s| s.reason);
                    self.push_network_error(
                        index,
                        spec,
                        &built,
                        exchanges,
                        PreflightOutcome::Failed,
                        blocked_by,
                        false,
                    );
                    return;
                }
                preflight_outcome = PreflightOutcome::Passed;
                if check.max_age > 0 {
                    self.preflight_cache.push(CacheEntry {
                        url: url.to_string(),
                        credentials: built.include_credentials,
                        methods: check.allowed_methods.clone(),
                        headers: check.allowed_headers.clone(),
                        expires: self.now + check.max_age as i64,
                    });
                }
            }
        }

        // ----- 5. Cookies on the request (RFC 6265bis §5.8.3). -----
        let top_nav = matches!(spec.client, Client::Navigation { .. });
        let site_for_cookies_same = if top_nav {
            // A top-level navigation is same-site when its initiator (the page) is.
            same_site(page, &url, self.profile.schemeful_same_site) && top.is_none()
        } else {
            // 6265bis §5.2.1: the site for cookies is the top-level site, and
            // only when every frame in between is same-site with it.
            let frames_same =
                top.is_none_or(|t| same_site(t, page, self.profile.schemeful_same_site));
            frames_same && same_site(top_level, &url, self.profile.schemeful_same_site)
        };
        let third_party = !top_nav && !same_site(top_level, &url, self.profile.schemeful_same_site);
        let partition_key = if top_nav {
            site_of(&url).to_string()
        } else {
            site_of(top_level).to_string()
        };
        let safe_method = matches!(built.method.as_str(), "GET" | "HEAD" | "OPTIONS" | "TRACE");
        let get_ctx = GetContext {
            url: &url,
            same_site: site_for_cookies_same,
            top_level_navigation: top_nav,
            safe_method,
            from_http: true,
            third_party,
            partition_key: partition_key.clone(),
            now: self.now,
        };
        let got = self.jar.get(&get_ctx, &self.profile, index);
        let mut headers = built.headers.clone();
        if built.send_origin {
            headers.push("Origin", origin_value.clone());
        }
        let mut cookies_sent = Vec::new();
        if built.include_credentials {
            self.steps.extend(got.steps);
            if let Some(cookie) = &got.cookie_header {
                headers.push("Cookie", cookie.clone());
            }
            cookies_sent = got.sent.clone();
        } else if !got.sent.is_empty() {
            let (reason, why) = match built.credentials_mode {
                CredentialsMode::Omit => (
                    Reason::CredentialsOmitted,
                    "the request uses credentials: 'omit'".to_string(),
                ),
                _ => (
                    Reason::CredentialsSameOriginCrossOrigin,
                    format!(
                        "{} uses the default credentials mode, which only sends cookies to the page's own origin, and this request goes to another origin",
                        client_name(&spec.client)
                    ),
                ),
            };
            self.steps.push(
                Step::new(
                    Some(index),
                    Phase::CookiesSent,
                    Verdict::Blocked,
                    reason,
                    format!("No cookies sent: {}", got.sent.join(", ")),
                    format!(
                        "The browser holds cookies for this URL ({}), but none are sent because {why}. {}",
                        got.sent.join(", "),
                        credentials_fix(&spec.client)
                    ),
                    spec::FETCH_CREDENTIALS_MODE,
                )
                .with("Would have sent", got.sent.join(", ")),
            );
        }

        // ----- 6. The server answers. -----
        let wire = WireRequest {
            method: built.method.clone(),
            url: url.to_string(),
            headers,
            is_preflight: false,
        };
        let reply = server.respond(&wire, index);
        self.steps.extend(reply.steps);
        let response = reply.response;

        // ----- 7. Set-Cookie (Fetch §HTTP-network fetch: only when credentials are included). -----
        let set_cookies: Vec<String> = response
            .headers
            .get_all("set-cookie")
            .into_iter()
            .map(str::to_string)
            .collect();
        let mut stored = Vec::new();
        let mut rejected = Vec::new();
        if !set_cookies.is_empty() {
            if built.include_credentials {
                let ctx = SetContext {
                    url: &url,
                    same_site_strict_or_lax_allowed: site_for_cookies_same || top_nav,
                    top_level_navigation: top_nav,
                    from_http: true,
                    third_party,
                    partition_key: partition_key.clone(),
                    now: self.now,
                };
                for line in &set_cookies {
                    let out = self.jar.set(line, &ctx, &self.profile, index);
                    self.steps.extend(out.steps);
                    if out.stored {
                        stored.push(out.name);
                    } else if let Some(reason) = out.rejected {
                        rejected.push(RejectedCookie {
                            name: out.name,
                            reason,
                        });
                    }
                }
            } else {
                let names: Vec<String> = set_cookies
                    .iter()
                    .map(|l| l.split(['=', ';']).next().unwrap_or("").trim().to_string())
                    .collect();
                self.steps.push(
                    Step::new(
                        Some(index),
                        Phase::SetCookie,
                        Verdict::Blocked,
                        Reason::SetCookieIgnoredNoCredentials,
                        format!("Set-Cookie ignored: {}", names.join(", ")),
                        format!(
                            "The server sent Set-Cookie, but this request was made without credentials, so the browser throws the cookie away without a word. {}",
                            credentials_fix(&spec.client)
                        ),
                        spec::FETCH_HTTP_NETWORK,
                    )
                    .with("Set-Cookie", set_cookies.join(" | ")),
                );
                for name in names {
                    rejected.push(RejectedCookie {
                        name,
                        reason: Reason::SetCookieIgnoredNoCredentials,
                    });
                }
            }
        }

        exchanges.push(Exchange {
            request: wire,
            response: Some(response.clone()),
        });

        // ----- 8. The CORS check and what the page sees. -----
        let mut outcome = RequestOutcome {
            index,
            method: built.method.clone(),
            url: url.to_string(),
            preflight: preflight_outcome,
            request_sent: true,
            js_result: JsResult::Readable,
            status: None,
            readable_headers: Vec::new(),
            cookies_sent,
            cookies_stored: stored.clone(),
            cookies_rejected: rejected,
            exchanges,
            jar_after: Vec::new(),
            blocked_by: None,
        };

        match spec.client {
            Client::Navigation { .. } | Client::Iframe => {
                outcome.js_result = JsResult::Navigated;
                self.steps.push(Step::new(
                    Some(index),
                    Phase::Result,
                    Verdict::Ok,
                    Reason::NavigationLoaded,
                    format!("The browser shows the response ({})", response.status),
                    "Navigations and frames are not subject to CORS: the browser loads the response as a document. The page's script cannot read it.",
                    spec::FETCH_MAIN_FETCH,
                ));
            }
            _ if built.mode == RequestMode::NoCors && !same_origin => {
                outcome.js_result = JsResult::Opaque;
                self.steps.push(Step::new(
                    Some(index),
                    Phase::Result,
                    Verdict::Warning,
                    Reason::ResponseOpaque,
                    "The page gets an opaque response",
                    "With mode: 'no-cors' the request is sent, but the promise resolves with an opaque response: status 0, no headers, no body. Use mode: 'cors' (the default) and have the server send Access-Control-Allow-Origin to read it.",
                    spec::FETCH_OPAQUE_RESPONSE,
                ));
            }
            _ if built.cors => match cors_check::cors_check(
                &response.headers,
                &origin_value,
                built.include_credentials,
                index,
                Phase::CorsCheck,
            ) {
                Ok(step) => {
                    self.steps.push(step);
                    self.readable(index, spec, &response, &built, &mut outcome);
                }
                Err(step) => {
                    let reason = step.reason;
                    self.steps.push(step);
                    if !stored.is_empty() {
                        self.steps.push(Step::new(
                            Some(index),
                            Phase::CorsCheck,
                            Verdict::Warning,
                            Reason::CookieStored,
                            format!("…but the cookie was stored anyway: {}", stored.join(", ")),
                            "This surprises everyone: the browser stores Set-Cookie while it receives the response, before the CORS check. The page cannot read the response, yet the cookie is in the jar and will be sent on the next credentialed request.",
                            spec::FETCH_HTTP_NETWORK,
                        ));
                    }
                    outcome.js_result = JsResult::NetworkError;
                    outcome.blocked_by = Some(reason);
                    self.steps
                        .push(network_error_step(index, &spec.client, &self.profile));
                }
            },
            _ => self.readable(index, spec, &response, &built, &mut outcome),
        }
        outcome.jar_after = self.jar.view(self.now);
        self.outcomes.push(outcome);
    }

    fn readable(
        &mut self,
        index: usize,
        spec: &RequestSpec,
        response: &WireResponse,
        built: &Built,
        outcome: &mut RequestOutcome,
    ) {
        outcome.js_result = JsResult::Readable;
        outcome.status = Some(response.status);
        outcome.readable_headers = if built.cors {
            cors_check::readable_response_headers(&response.headers, built.include_credentials)
        } else {
            response
                .headers
                .iter()
                .filter(|(n, _)| !n.eq_ignore_ascii_case("set-cookie"))
                .map(|(n, _)| n.to_ascii_lowercase())
                .collect()
        };
        let ok = (200..300).contains(&response.status);
        let note = match (&spec.client, ok) {
            (_, true) => String::new(),
            (Client::Axios { .. }, false) => format!(
                " axios rejects the promise for status {} (\"Request failed with status code {}\"), but error.response is readable.",
                response.status, response.status
            ),
            _ => format!(
                " The promise resolves; response.ok is false because the status is {}.",
                response.status
            ),
        };
        self.steps.push(
            Step::new(
                Some(index),
                Phase::Result,
                if ok { Verdict::Ok } else { Verdict::Warning },
                Reason::ResponseReadable,
                format!("The page can read the response ({})", response.status),
                format!("The response reached the page's code.{note}"),
                spec::FETCH_MAIN_FETCH,
            )
            .with("Status", response.status.to_string()),
        );
    }

    /// A request that failed before its response could be read.
    #[allow(clippy::too_many_arguments)]
    fn push_network_error(
        &mut self,
        index: usize,
        spec: &RequestSpec,
        built: &Built,
        exchanges: Vec<Exchange>,
        preflight: PreflightOutcome,
        blocked_by: Option<Reason>,
        sent: bool,
    ) {
        self.steps.push(Step::new(
            Some(index),
            Phase::Result,
            Verdict::Blocked,
            Reason::RequestNotSent,
            format!("{} {} is never sent", built.method, built.url),
            "Because the preflight failed, the browser does not send the real request: the server never sees it, no cookie goes out and none comes back.",
            spec::FETCH_HTTP_FETCH,
        ));
        self.steps
            .push(network_error_step(index, &spec.client, &self.profile));
        self.outcomes.push(RequestOutcome {
            index,
            method: built.method.clone(),
            url: built.url.to_string(),
            preflight,
            request_sent: sent,
            js_result: JsResult::NetworkError,
            status: None,
            readable_headers: Vec::new(),
            cookies_sent: Vec::new(),
            cookies_stored: Vec::new(),
            cookies_rejected: Vec::new(),
            exchanges,
            jar_after: self.jar.view(self.now),
            blocked_by,
        });
    }

    /// A request the browser refused to make (mixed content, forbidden method,
    /// `same-origin` mode…): the promise rejects without any network traffic.
    fn result_not_sent(&mut self, index: usize, spec: &RequestSpec, url: &Url, reason: Reason) {
        self.steps
            .push(network_error_step(index, &spec.client, &self.profile));
        let mut method = safelist::normalize_method(&spec.method);
        if let Client::Navigation { form } = spec.client {
            method = navigation_method(form).into();
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
        });
    }

    fn cached_preflight(&self, built: &Built, unsafe_names: &[String]) -> Option<i64> {
        // Fetch §CORS-preflight cache: a credentialed entry also serves
        // uncredentialed requests, not the other way round.
        self.preflight_cache
            .iter()
            .rev()
            .find(|e| {
                e.url == built.url.as_str()
                    && e.expires > self.now
                    && (e.credentials || !built.include_credentials)
                    && (safelist::is_cors_safelisted_method(&built.method)
                        || e.methods.iter().any(|m| m == &built.method))
                    && unsafe_names
                        .iter()
                        .all(|h| e.headers.iter().any(|a| a.eq_ignore_ascii_case(h)))
                    && !built.use_preflight_flag
            })
            .map(|e| e.expires)
    }

    /// Fetch §Requests and the client APIs: method, headers, mode, credentials.
    fn build(
        &mut self,
        index: usize,
        spec: &RequestSpec,
        url: &Url,
        page: &Url,
        same_origin: bool,
        client_headers: HeaderList,
    ) -> Option<Built> {
        let client = spec.client;
        let page_origin = Origin::of(page).serialize();
        let mut mode = client.request_mode();
        let credentials_mode = client.credentials_mode();

        // Method: navigations use the form's method; script uses what it was given.
        let written = match client {
            Client::Navigation { form } => navigation_method(form).to_string(),
            Client::Iframe => "GET".to_string(),
            _ => spec.method.trim().to_string(),
        };
        if written.is_empty() || !crate::headers::is_token(&written) {
            self.field_error(
                &format!("requests.{index}.method"),
                format!("`{written}` is not a valid HTTP method"),
            );
            self.not_sent(index, &written, url.as_str(), None);
            return None;
        }
        // Fetch §Methods: forbidden methods throw a TypeError.
        if safelist::is_forbidden_method(&written) {
            self.steps.push(Step::new(
                Some(index),
                Phase::Request,
                Verdict::Blocked,
                Reason::ForbiddenMethod,
                format!("{written} cannot be sent from a web page"),
                "CONNECT, TRACE and TRACK are forbidden methods: fetch() and XHR throw before sending anything.",
                spec::FETCH_FORBIDDEN_METHOD,
            ));
            self.result_not_sent(index, spec, url, Reason::ForbiddenMethod);
            return None;
        }
        // Fetch §Methods: normalize upper-cases only the six well-known methods.
        let method = safelist::normalize_method(&written);
        if method != written {
            self.steps.push(
                Step::new(
                    Some(index),
                    Phase::Request,
                    Verdict::Ok,
                    Reason::MethodNormalized,
                    format!("`{written}` is sent as {method}"),
                    "The browser upper-cases DELETE, GET, HEAD, OPTIONS, POST and PUT, whatever case the code used.",
                    spec::FETCH_METHOD_NORMALIZE,
                )
                .with("Method", &method),
            );
        } else if method != method.to_ascii_uppercase() {
            self.steps.push(
                Step::new(
                    Some(index),
                    Phase::Request,
                    Verdict::Warning,
                    Reason::MethodNotNormalized,
                    format!("`{method}` is sent as written, in lower case"),
                    format!(
                        "Only DELETE, GET, HEAD, OPTIONS, POST and PUT are upper-cased by the browser. `{method}` is sent as is, and method names are case-sensitive: a server or preflight answer that allows `{}` does not match it. Write the method in upper case in your code.",
                        method.to_ascii_uppercase()
                    ),
                    spec::FETCH_METHOD_NORMALIZE,
                )
                .with("Method", &method),
            );
        }

        // Headers: navigations and frames cannot carry custom headers.
        let mut headers = HeaderList::new();
        if client.is_script() {
            for (name, value) in client_headers.iter() {
                // Fetch §Headers: script cannot set forbidden request-headers.
                if safelist::is_forbidden_request_header(name, value) {
                    let hint = if name.eq_ignore_ascii_case("cookie") {
                        " Cookies come from the browser's cookie jar only: let the server set the cookie with Set-Cookie and send the request with credentials included."
                    } else {
                        ""
                    };
                    self.steps.push(
                        Step::new(
                            Some(index),
                            Phase::Request,
                            Verdict::Warning,
                            Reason::ForbiddenRequestHeader,
                            format!("`{name}` is dropped: the browser owns that header"),
                            format!(
                                "`{name}` is a forbidden request header: the browser silently ignores it when script sets it.{hint}"
                            ),
                            spec::FETCH_FORBIDDEN_REQUEST_HEADER,
                        )
                        .with(name, value),
                    );
                    continue;
                }
                headers.push(name, value);
            }
            // Client libraries add their own headers.
            if let Client::Axios { .. } = client {
                if !headers.contains("accept") {
                    headers.push("Accept", "application/json, text/plain, */*");
                }
            }
            // The body decides Content-Type when the code set none.
            if !headers.contains("content-type") {
                if let Some(ct) = content_type_for(client, spec.body) {
                    let who = if matches!(client, Client::Axios { .. }) {
                        "axios"
                    } else {
                        "The browser"
                    };
                    self.steps.push(
                        Step::new(
                            Some(index),
                            Phase::Request,
                            Verdict::Ok,
                            Reason::ContentTypeFromBody,
                            format!("{who} sets Content-Type: {ct}"),
                            format!(
                                "The code sets no Content-Type, so {} picks one from the body ({}).{}",
                                who.to_lowercase(),
                                body_name(spec.body),
                                if ct.starts_with("application/json") {
                                    " application/json is not a CORS-safelisted type, so a cross-origin request needs a preflight."
                                } else {
                                    ""
                                }
                            ),
                            spec::FETCH_SAFELISTED_REQUEST_HEADER,
                        )
                        .with("Content-Type", ct),
                    );
                    headers.push("Content-Type", ct);
                }
            }
        }

        // Mode (Fetch §Main fetch step 12).
        let mut cors = false;
        let same_origin_request = same_origin;
        match client {
            Client::Navigation { .. } | Client::Iframe => {
                mode = RequestMode::Navigate;
                self.steps.push(Step::new(
                    Some(index),
                    Phase::Request,
                    Verdict::Ok,
                    Reason::NavigationRequest,
                    "A navigation: no CORS, cookies included",
                    "Links, form submissions and frames are navigations. The CORS protocol does not apply to them, and the browser includes cookies subject to SameSite.",
                    spec::FETCH_MAIN_FETCH,
                ));
            }
            _ if same_origin_request => {
                self.steps.push(Step::new(
                    Some(index),
                    Phase::Request,
                    Verdict::Ok,
                    Reason::NoCorsNeeded,
                    "Same-origin request: CORS does not apply",
                    "The request goes to the page's own origin, so there is no preflight and no CORS check, and the default credentials mode already sends cookies.",
                    spec::FETCH_MAIN_FETCH,
                ));
            }
            _ if mode == RequestMode::SameOrigin => {
                self.steps.push(Step::new(
                    Some(index),
                    Phase::Request,
                    Verdict::Blocked,
                    Reason::SameOriginModeCrossOrigin,
                    "mode: 'same-origin' forbids this cross-origin request",
                    "The request uses mode: 'same-origin' but goes to another origin, so fetch() rejects with a TypeError without sending anything. Use mode: 'cors' (the default).",
                    spec::FETCH_REQUEST_MODE,
                ));
                self.result_not_sent(index, spec, url, Reason::SameOriginModeCrossOrigin);
                return None;
            }
            _ if mode == RequestMode::NoCors => {
                // Fetch §Request constructor: no-cors allows only safelisted methods
                // and no-CORS-safelisted headers.
                if !safelist::is_cors_safelisted_method(&method) {
                    self.steps.push(Step::new(
                        Some(index),
                        Phase::Request,
                        Verdict::Blocked,
                        Reason::NoCorsMethodNotAllowed,
                        format!("mode: 'no-cors' cannot send {method}"),
                        "In no-cors mode only GET, HEAD and POST are allowed: fetch() throws a TypeError. Use mode: 'cors'.",
                        spec::FETCH_REQUEST_MODE,
                    ));
                    self.result_not_sent(index, spec, url, Reason::NoCorsMethodNotAllowed);
                    return None;
                }
                let before = headers.clone();
                headers
                    .0
                    .retain(|(n, v)| safelist::is_no_cors_safelisted_request_header(n, v));
                for (n, v) in before.iter() {
                    if !headers.contains(n) {
                        self.steps.push(
                            Step::new(
                                Some(index),
                                Phase::Request,
                                Verdict::Warning,
                                Reason::NoCorsHeaderDropped,
                                format!("mode: 'no-cors' drops `{n}`"),
                                "In no-cors mode the browser silently removes every header that is not no-CORS-safelisted.",
                                spec::FETCH_NO_CORS_SAFELISTED,
                            )
                            .with(n, v),
                        );
                    }
                }
                self.steps.push(Step::new(
                    Some(index),
                    Phase::Request,
                    Verdict::Warning,
                    Reason::OpaqueRequest,
                    "mode: 'no-cors': the request is sent, the response will be opaque",
                    "A no-cors request is sent without a preflight, but the page will get an opaque response it cannot read. It is only useful for fire-and-forget requests.",
                    spec::FETCH_REQUEST_MODE,
                ));
            }
            _ => {
                cors = true;
                self.steps.push(
                    Step::new(
                        Some(index),
                        Phase::Request,
                        Verdict::Ok,
                        Reason::CorsRequest,
                        "Cross-origin request: the CORS protocol applies",
                        format!(
                            "The request goes from {page_origin} to {}, another origin. The browser adds `Origin: {page_origin}`, and the page may read the response only if the server's answer passes the CORS check.",
                            Origin::of(url).serialize(),
                        ),
                        spec::FETCH_ORIGIN_HEADER,
                    )
                    .with("Origin", page_origin.clone()),
                );
            }
        }

        // Origin header (Fetch §Origin header): every CORS request, and
        // same-origin or navigation requests whose method is not GET/HEAD.
        // The browser adds it when the request is sent, after the preflight
        // decision (it is never one of the author's "unsafe" headers).
        let send_origin = cors || (method != "GET" && method != "HEAD");

        // Credentials (Fetch §HTTP-network-or-cache fetch step 8.4): include,
        // or same-origin mode on a same-origin ("basic") request.
        let include_credentials = match credentials_mode {
            CredentialsMode::Include => true,
            CredentialsMode::SameOrigin => same_origin_request,
            CredentialsMode::Omit => false,
        };
        if client.is_script() {
            let (verdict, reason, title, text) = match (include_credentials, credentials_mode) {
                (true, _) => (
                    Verdict::Ok,
                    Reason::CredentialsIncluded,
                    "Credentials included: cookies can go out and come back".to_string(),
                    format!(
                        "{} includes credentials on this request, so matching cookies are sent and Set-Cookie in the response is processed.",
                        client_name(&client)
                    ),
                ),
                (false, CredentialsMode::Omit) => (
                    Verdict::Warning,
                    Reason::CredentialsOmitted,
                    "credentials: 'omit': no cookies, Set-Cookie ignored".to_string(),
                    "With credentials: 'omit' the browser sends no cookies and ignores any Set-Cookie in the response.".to_string(),
                ),
                (false, _) => (
                    Verdict::Warning,
                    Reason::CredentialsSameOriginCrossOrigin,
                    "No credentials on a cross-origin request".to_string(),
                    format!(
                        "{} sends cookies only to the page's own origin by default. This request goes to another origin (even if it is the same site), so no cookie is sent and Set-Cookie in the response is ignored. {}",
                        client_name(&client),
                        credentials_fix(&client)
                    ),
                ),
            };
            self.steps.push(
                Step::new(
                    Some(index),
                    Phase::Request,
                    verdict,
                    reason,
                    title,
                    text,
                    spec::FETCH_CREDENTIALS_MODE,
                )
                .with("Credentials mode", credentials_label(credentials_mode)),
            );
        }

        Some(Built {
            url: url.clone(),
            method,
            headers,
            mode,
            credentials_mode,
            cors,
            include_credentials,
            send_origin,
            use_preflight_flag: cors
                && spec.body == BodyKind::Stream
                && matches!(client, Client::Fetch { .. }),
        })
    }

    fn finish(mut self, scenario: &Scenario) -> Trace {
        let root_causes = root_causes(&self.steps);
        let verdict = self
            .steps
            .iter()
            .map(|s| s.verdict)
            .max()
            .unwrap_or(Verdict::Ok);
        let headline = headline(
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

fn navigation_method(form: NavigationForm) -> &'static str {
    match form {
        NavigationForm::Link => "GET",
        NavigationForm::FormPost => "POST",
    }
}

/// The Content-Type a client adds for a body when the code set none.
fn content_type_for(client: Client, body: BodyKind) -> Option<&'static str> {
    let axios = matches!(client, Client::Axios { .. });
    match body {
        BodyKind::None | BodyKind::Stream => None,
        // axios serialises a plain object to JSON and says so.
        BodyKind::Json if axios => Some("application/json"),
        // fetch/XHR with a string body (JSON.stringify gives a string).
        BodyKind::Json | BodyKind::Text => Some("text/plain;charset=UTF-8"),
        BodyKind::UrlEncoded if axios => Some("application/x-www-form-urlencoded;charset=utf-8"),
        BodyKind::UrlEncoded => Some("application/x-www-form-urlencoded;charset=UTF-8"),
        BodyKind::FormData => {
            Some("multipart/form-data; boundary=----CrumbtrailFormBoundary7MA4YWxk")
        }
    }
}

fn body_name(body: BodyKind) -> &'static str {
    match body {
        BodyKind::None => "no body",
        BodyKind::Json => "JSON",
        BodyKind::Text => "a string",
        BodyKind::UrlEncoded => "URLSearchParams",
        BodyKind::FormData => "FormData",
        BodyKind::Stream => "a ReadableStream",
    }
}

fn client_name(client: &Client) -> &'static str {
    match client {
        Client::Fetch { .. } => "fetch()",
        Client::Xhr { .. } => "XMLHttpRequest",
        Client::Axios { .. } => "axios",
        Client::Navigation { .. } => "The navigation",
        Client::Iframe => "The iframe",
    }
}

fn credentials_label(mode: CredentialsMode) -> &'static str {
    match mode {
        CredentialsMode::Omit => "omit",
        CredentialsMode::SameOrigin => "same-origin",
        CredentialsMode::Include => "include",
    }
}

/// The one change on the client that includes credentials.
fn credentials_fix(client: &Client) -> &'static str {
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
fn network_error_step(index: usize, client: &Client, profile: &BrowserProfile) -> Step {
    let fetch_error = match profile.family {
        Family::Chromium => "TypeError: Failed to fetch",
        Family::Firefox => "TypeError: NetworkError when attempting to fetch resource.",
        Family::Safari => "TypeError: Load failed",
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

/// Setup step: how the request relates to the page.
fn relationship_step(index: usize, page: &Url, url: &Url, profile: &BrowserProfile) -> Step {
    let po = Origin::of(page).serialize();
    let ro = Origin::of(url).serialize();
    let ps = site_of(page);
    let rs = site_of(url);
    let same_origin = Origin::of(page).same_origin(&Origin::of(url));
    let schemeless_same = ps.host == rs.host;
    let (reason, title, text) = if same_origin {
        (
            Reason::SameOrigin,
            "Same origin".to_string(),
            format!("{ro} is the page's own origin: scheme, host and port are all equal."),
        )
    } else if same_site(page, url, profile.schemeful_same_site) {
        (
            Reason::CrossOriginSameSite,
            "Cross-origin, but same-site".to_string(),
            format!(
                "{po} and {ro} are different origins, so CORS applies. They are the same site ({ps}): ports and subdomains do not matter for sites, so SameSite cookies and third-party cookie blocking are not a problem here."
            ),
        )
    } else if schemeless_same {
        (
            Reason::SchemeMismatchCrossSite,
            "Cross-site: http and https differ".to_string(),
            format!(
                "{po} and {ro} share a host but not a scheme. With schemeful same-site ({}) they are different sites, so SameSite=Lax/Strict cookies are not sent.",
                profile.name
            ),
        )
    } else {
        (
            Reason::CrossSite,
            "Cross-site".to_string(),
            format!(
                "{po} (site {ps}) and {ro} (site {rs}) are different sites. Cookies for the API are third-party cookies here: only SameSite=None; Secure cookies can travel, and only if the browser allows third-party cookies."
            ),
        )
    };
    Step::new(
        Some(index),
        Phase::Setup,
        Verdict::Ok,
        reason,
        title,
        text,
        spec::HTML_SITE,
    )
    .with("Page origin", po)
    .with("Request origin", ro)
    .with("Page site", ps.to_string())
    .with("Request site", rs.to_string())
}

fn framed_page_step(page: &Url, top: &Url, profile: &BrowserProfile) -> Step {
    let cross = !same_site(page, top, profile.schemeful_same_site);
    let (verdict, reason, title, text) = if cross {
        (
            Verdict::Warning,
            Reason::ThirdPartyContext,
            "The page is in a cross-site iframe".to_string(),
            format!(
                "The page runs inside an iframe on {}, another site. Every cookie it uses is a third-party cookie, and SameSite=Lax/Strict cookies are never sent from it.",
                site_of(top)
            ),
        )
    } else {
        (
            Verdict::Ok,
            Reason::CrossOriginSameSite,
            "The page is in a same-site iframe".to_string(),
            format!(
                "The page runs inside an iframe on {}, the same site.",
                site_of(top)
            ),
        )
    };
    Step::new(
        None,
        Phase::Setup,
        verdict,
        reason,
        title,
        text,
        spec::COOKIE_SAME_SITE_REQUESTS,
    )
    .with("Top-level page", top.as_str())
}

/// Ranking for root causes: what to fix first.
fn priority(reason: Reason) -> u8 {
    use Reason::*;
    match reason {
        BootError | RackCorsMisconfiguration => 0,
        MixedContentBlocked
        | ForbiddenMethod
        | SameOriginModeCrossOrigin
        | NoCorsMethodNotAllowed => 1,
        PreflightStatusNotOk
        | PreflightRedirect
        | InvalidAllowMethods
        | InvalidAllowHeaders
        | MethodNotAllowed
        | MethodWildcardWithCredentials
        | HeaderNotAllowed
        | HeaderWildcardWithCredentials
        | AuthorizationNotCoveredByWildcard => 2,
        MissingAllowOrigin
        | AllowOriginMismatch
        | WildcardOriginWithCredentials
        | MultipleAllowOrigin
        | MissingAllowCredentials => 3,
        CredentialsOmitted | CredentialsSameOriginCrossOrigin | SetCookieIgnoredNoCredentials => 4,
        SessionMiddlewareMissing
        | DisabledSessionError
        | SessionNotWrittenInsecure
        | SessionOptionsIgnored
        | CsrfRejected
        | MiddlewareAnsweredFirst
        | ForceSslRedirect => 5,
        NetworkError | RequestNotSent => 9,
        _ => 6,
    }
}

fn root_causes(steps: &[Step]) -> Vec<RootCause> {
    let mut causes: Vec<(u8, usize, RootCause)> = Vec::new();
    for (order, step) in steps.iter().enumerate() {
        if step.verdict != Verdict::Blocked {
            continue;
        }
        let p = priority(step.reason);
        if p == 9 {
            continue; // consequences, not causes
        }
        if causes.iter().any(|(_, _, c)| c.reason == step.reason) {
            continue;
        }
        causes.push((
            p,
            order,
            RootCause {
                reason: step.reason,
                request: step.request,
                summary: step.title.clone(),
            },
        ));
    }
    causes.sort_by_key(|(p, order, _)| (*p, *order));
    causes.into_iter().map(|(_, _, c)| c).collect()
}

fn describe_request(scenario: &Scenario, outcome: &RequestOutcome) -> String {
    let path = Url::parse(&outcome.url)
        .map(|u| u.path().to_string())
        .unwrap_or_else(|_| scenario.requests[outcome.index].url.clone());
    format!("{} {}", outcome.method, path)
}

/// The one sentence at the top of the page.
fn headline(
    scenario: &Scenario,
    steps: &[Step],
    outcomes: &[RequestOutcome],
    field_errors: &[FieldError],
    causes: &[RootCause],
) -> String {
    if let Some(boot) = steps
        .iter()
        .find(|s| s.reason == Reason::BootError || s.reason == Reason::RackCorsMisconfiguration)
    {
        return format!("The server never starts: {}", boot.title);
    }
    if let Some(e) = field_errors.first() {
        return format!("Waiting for {}: {}", e.field, e.message);
    }
    if scenario.requests.is_empty() {
        return "Add a request to see what the browser does.".into();
    }
    let stored_any: Vec<&String> = outcomes
        .iter()
        .flat_map(|o| o.cookies_stored.iter())
        .collect();
    if let Some(cause) = causes.first() {
        let which = cause
            .request
            .and_then(|i| outcomes.iter().find(|o| o.index == i))
            .map(|o| {
                format!(
                    "{} (request {})",
                    describe_request(scenario, o),
                    o.index + 1
                )
            })
            .unwrap_or_default();
        let step_phase = steps
            .iter()
            .find(|s| s.reason == cause.reason && s.request == cause.request)
            .map(|s| s.phase);
        return match step_phase {
            Some(Phase::CookiesSent) if !stored_any.is_empty() => format!(
                "The cookie is stored but not sent back on {which}: {}",
                cause.summary
            ),
            Some(Phase::CookiesSent) => format!("No cookie is sent on {which}: {}", cause.summary),
            Some(Phase::SetCookie) => {
                format!("The cookie is never stored ({which}): {}", cause.summary)
            }
            Some(Phase::Preflight) => format!("{which} fails at the preflight: {}", cause.summary),
            Some(Phase::CorsCheck) => {
                let stored_here = cause
                    .request
                    .and_then(|i| outcomes.iter().find(|o| o.index == i))
                    .map(|o| !o.cookies_stored.is_empty())
                    .unwrap_or(false);
                if stored_here {
                    format!(
                        "The page cannot read {which}, although its cookie was stored: {}",
                        cause.summary
                    )
                } else {
                    format!("The page cannot read {which}: {}", cause.summary)
                }
            }
            Some(Phase::Server) => {
                format!("The server side breaks it on {which}: {}", cause.summary)
            }
            _ => format!("{which}: {}", cause.summary),
        };
    }
    let sent_later = outcomes.iter().skip(1).any(|o| !o.cookies_sent.is_empty());
    let all_readable = outcomes
        .iter()
        .all(|o| o.readable() || o.js_result == JsResult::Navigated);
    match (stored_any.first(), sent_later, all_readable) {
        (Some(name), true, true) => format!(
            "It works: `{name}` is stored and sent back, and the page can read every response."
        ),
        (Some(name), false, _) if outcomes.len() > 1 => {
            format!("`{name}` is stored, but no later request carries it.")
        }
        (None, _, true) => "Every response is readable, but no cookie is set.".into(),
        _ => "Done: see the steps below.".into(),
    }
}
