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
    BodyKind, Client, CredentialsMode, NavigationForm, RedirectMode, RequestMode, RequestSpec,
    Scenario, ServerSetup,
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
    simulate_with_profile(scenario, scenario.profile.profile())
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
        run.top_site = site_of(top.as_ref().unwrap_or(page)).to_string();
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
    /// The serialized request origin (`null` after a cross-origin redirect).
    origin: String,
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
    /// The top-level page's site, serialized: the partition key of every
    /// non-navigation request.
    top_site: String,
}

/// Fetch §HTTP-redirect fetch step 7: the most redirects one fetch follows.
pub const MAX_REDIRECTS: usize = 20;

/// Fetch §Requests: request-body header names, removed when a redirect
/// turns the request into a GET (§HTTP-redirect fetch step 12).
const REQUEST_BODY_HEADER_NAMES: [&str; 4] = [
    "Content-Encoding",
    "Content-Language",
    "Content-Location",
    "Content-Type",
];

/// Fetch §Statuses: a redirect status.
fn is_redirect_status(status: u16) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
}

/// Fetch §Requests, redirect-taint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Taint {
    SameOrigin,
    SameSite,
    CrossSite,
}

/// Fetch §Requests "compute the redirect-taint" of a URL list for a request
/// whose origin is the page's.
fn redirect_taint(url_list: &[Url], page: &Url, schemeful: bool) -> Taint {
    if url_list.len() < 2 {
        return Taint::SameOrigin;
    }
    let request_origin = Origin::of(page);
    let mut taint = Taint::SameOrigin;
    // Step 4: compare each URL with the one before it.
    for pair in url_list.windows(2) {
        let (last, url) = (&pair[0], &pair[1]);
        // Step 4.2: cross-site when neither the URL nor the request's origin
        // is same site with the last URL.
        if !same_site(url, last, schemeful) && !same_site(page, last, schemeful) {
            return Taint::CrossSite;
        }
        // Step 4.3: same-site when neither is same origin with the last URL.
        let last_origin = Origin::of(last);
        if !Origin::of(url).same_origin(&last_origin) && !request_origin.same_origin(&last_origin) {
            taint = Taint::SameSite;
        }
    }
    taint
}

/// `a → b → c`, for the trace.
fn chain_text(url_list: &[Url]) -> String {
    url_list
        .iter()
        .map(Url::as_str)
        .collect::<Vec<_>>()
        .join(" → ")
}

/// Firefox with `content.cors.disable` set: every CORS response fails.
fn cors_disabled_step(index: usize) -> Step {
    Step::new(
        Some(index),
        Phase::CorsCheck,
        Verdict::Blocked,
        Reason::CorsDisabled,
        "CORS is disabled in this browser",
        "This browser profile has CORS switched off (Firefox's `content.cors.disable` preference), so every cross-origin response is refused, whatever headers the server sends. Firefox says \"Reason: CORS disabled\" (CORSDisabled). Fix it in the browser, not the server: set `content.cors.disable` back to false in about:config.",
        spec::FETCH_CORS_CHECK,
    )
}

/// What one request carried along its redirect chain, for the summary.
struct Chain {
    exchanges: Vec<Exchange>,
    preflight: PreflightOutcome,
    cookies_sent: Vec<String>,
    stored: Vec<String>,
    rejected: Vec<RejectedCookie>,
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
        // Serialized once per request; every step below reuses them.
        let request_origin = page_origin.serialize();
        let url_origin = req_origin.serialize();
        self.steps.push(relationship_step(
            index,
            page,
            &url,
            &self.profile,
            (&request_origin, &url_origin),
            same_origin,
        ));

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
        let Some(built) = self.build(
            index,
            spec,
            &url,
            (&request_origin, &url_origin),
            same_origin,
            client_headers,
        ) else {
            return;
        };

        // ----- 4–8, once per URL of the redirect chain: Fetch §Main fetch →
        // §HTTP fetch → (on a redirect status) §HTTP-redirect fetch → §Main fetch. -----
        let top_nav = matches!(spec.client, Client::Navigation { .. });
        let redirect_mode = spec.client.redirect_mode();
        let mut chain = Chain::default();
        let mut hop = built;
        let original_method = hop.method.clone();
        // Fetch §Requests: the URL list; its last URL is the current URL.
        let mut url_list: Vec<Url> = vec![hop.url.clone()];
        // Fetch §Requests: redirect count.
        let mut redirect_count: usize = 0;
        // The body: null when there is none, or after a rewrite to GET.
        let mut body_null = spec.body == BodyKind::None;
        // Response tainting "opaque" (no-cors to another origin).
        let mut opaque = hop.mode == RequestMode::NoCors && !same_origin;

        // Fetch §Main fetch, no-cors case: a no-cors request must follow redirects.
        if opaque && redirect_mode != RedirectMode::Follow {
            self.steps.push(Step::new(
                Some(index),
                Phase::Request,
                Verdict::Blocked,
                Reason::NoCorsRedirectNotFollow,
                "mode: 'no-cors' needs redirect: 'follow'",
                "A no-cors request to another origin must use redirect: 'follow' (the default): with 'error' or 'manual' the browser fails it as a network error before sending anything. Remove the redirect option, or use mode: 'cors'.",
                spec::FETCH_MAIN_FETCH,
            ));
            self.result_not_sent(index, spec, &url, Reason::NoCorsRedirectNotFollow);
            return;
        }

        loop {
            let taint = redirect_taint(&url_list, page, self.profile.schemeful_same_site);
            // Fetch §Serializing a request origin: `null` once the chain has
            // been to another origin (redirect-taint is not "same-origin").
            let origin_value: &str = if taint == Taint::SameOrigin {
                &request_origin
            } else {
                "null"
            };

            // ----- 4. The preflight (Fetch §HTTP fetch step 4.1, §CORS-preflight fetch),
            // again for each redirected request whose tainting is cors: after a
            // successful preflight the actual request may be redirected, and the
            // new URL gets its own preflight (cache permitting). Chromium and
            // Firefox both do this (Gecko decides on a preflight again for the
            // new channel at every redirect), so it is not a profile field;
            // what differs is only how a redirected *preflight* is reported. -----
            if hop.cors {
                match self.preflight(
                    index,
                    &hop,
                    origin_value,
                    server,
                    &mut chain.exchanges,
                    redirect_count == 0,
                ) {
                    Ok(outcome) => {
                        if outcome != PreflightOutcome::NotNeeded
                            && chain.preflight != PreflightOutcome::Passed
                        {
                            chain.preflight = outcome;
                        }
                    }
                    Err(blocked_by) => {
                        chain.preflight = PreflightOutcome::Failed;
                        self.push_network_error(
                            index,
                            spec,
                            &hop,
                            chain,
                            blocked_by,
                            redirect_count > 0,
                        );
                        return;
                    }
                }
            }

            // ----- 5. Cookies on the request (RFC 6265bis §5.8.3), for the current URL. -----
            let url = &hop.url;
            let untainted_same = if top_nav {
                // A top-level navigation is same-site when its initiator (the page) is.
                same_site(page, url, self.profile.schemeful_same_site) && top.is_none()
            } else {
                // 6265bis §5.2.1: the site for cookies is the top-level site, and
                // only when every frame in between is same-site with it.
                let frames_same =
                    top.is_none_or(|t| same_site(t, page, self.profile.schemeful_same_site));
                frames_same && same_site(top_level, url, self.profile.schemeful_same_site)
            };
            // Fetch §Determine the same-site mode: a redirect chain that went
            // through another site makes the request cross-site for SameSite,
            // even when its current URL is same-site again.
            let site_for_cookies_same = untainted_same && taint != Taint::CrossSite;
            let third_party =
                !top_nav && !same_site(top_level, url, self.profile.schemeful_same_site);
            let partition_key = if top_nav {
                site_of(url).to_string()
            } else {
                self.top_site.clone()
            };
            let safe_method = matches!(hop.method.as_str(), "GET" | "HEAD" | "OPTIONS" | "TRACE");
            let mut get_ctx = GetContext {
                url,
                same_site: site_for_cookies_same,
                top_level_navigation: top_nav,
                safe_method,
                from_http: true,
                third_party,
                partition_key,
                now: self.now,
            };
            let got = self.jar.get(&get_ctx, &self.profile, index);
            let mut headers = hop.headers.clone();
            if hop.send_origin {
                headers.push("Origin", origin_value);
            }
            if hop.include_credentials {
                if untainted_same && !site_for_cookies_same {
                    // What the same request would have carried without the detour.
                    get_ctx.same_site = true;
                    let without = self.jar.get(&get_ctx, &self.profile, index);
                    let lost: Vec<&String> = without
                        .sent
                        .iter()
                        .filter(|n| !got.sent.contains(n))
                        .collect();
                    if !lost.is_empty() {
                        let names = lost
                            .iter()
                            .map(|s| s.as_str())
                            .collect::<Vec<_>>()
                            .join(", ");
                        self.steps.push(
                            Step::new(
                                Some(index),
                                Phase::CookiesSent,
                                Verdict::Warning,
                                Reason::WarnCrossSiteRedirectDowngrade,
                                format!("The cross-site redirect keeps back: {names}"),
                                format!(
                                    "{} is same-site with the page, but the redirect chain passed through another site, so the browser treats this request as cross-site and leaves out SameSite=Lax/Strict cookies ({names}) that a direct request would carry. Fix: avoid the detour through the other site (redirect within the site), or call the final URL directly.",
                                    Origin::of(url).serialize()
                                ),
                                spec::FETCH_SAME_SITE_MODE,
                            )
                            .with("Redirect chain", chain_text(&url_list)),
                        );
                    }
                }
                self.steps.extend(got.steps);
                if let Some(cookie) = got.cookie_header {
                    headers.push("Cookie", cookie);
                }
                for name in got.sent {
                    if !chain.cookies_sent.contains(&name) {
                        chain.cookies_sent.push(name);
                    }
                }
            } else if !got.sent.is_empty() {
                let (reason, why) = match hop.credentials_mode {
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
                let names = got.sent.join(", ");
                self.steps.push(
                    Step::new(
                        Some(index),
                        Phase::CookiesSent,
                        Verdict::Blocked,
                        reason,
                        format!("No cookies sent: {names}"),
                        format!(
                            "The browser holds cookies for this URL ({names}), but none are sent because {why}. {}",
                            credentials_fix(&spec.client)
                        ),
                        spec::FETCH_CREDENTIALS_MODE,
                    )
                    .with("Would have sent", names),
                );
            }

            // ----- 6. The server answers. -----
            let wire = WireRequest {
                method: hop.method.clone(),
                url: url.to_string(),
                headers,
                is_preflight: false,
            };
            let reply = server.respond(&wire, index);
            self.steps.extend(reply.steps);
            let response = reply.response;
            let status = response.status;

            // ----- 7. Set-Cookie (Fetch §HTTP-network fetch: only when credentials
            // are included), on every response of the chain, redirects too. -----
            let hop_stored = self.store_cookies(
                index,
                spec,
                &hop,
                &response,
                site_for_cookies_same || top_nav,
                top_nav,
                third_party,
                get_ctx.partition_key,
                &mut chain,
            );

            chain.exchanges.push(Exchange {
                request: wire,
                response: Some(response),
            });
            let response = chain
                .exchanges
                .last()
                .and_then(|e| e.response.as_ref())
                .expect("just pushed");

            // ----- 8a. Fetch §HTTP fetch step 4.4: with response tainting cors,
            // the CORS check runs on every response, a redirect included. -----
            let redirect = is_redirect_status(status);
            if hop.cors {
                let check = if self.profile.cors_disabled {
                    Err(cors_disabled_step(index))
                } else {
                    cors_check::cors_check(
                        &response.headers,
                        origin_value,
                        hop.include_credentials,
                        index,
                        Phase::CorsCheck,
                    )
                };
                match check {
                    Ok(step) => self.steps.push(step),
                    Err(mut step) => {
                        let reason = step.reason;
                        if taint != Taint::SameOrigin {
                            // The `null` comes from the redirect chain, not from the page.
                            step.explanation.to_mut().push_str(&format!(
                                " Here the Origin is `null` only because the request was redirected through another origin ({}): the page itself has a normal origin. Rather than allowing `null`, avoid the cross-origin redirect — call {} directly from the page.",
                                chain_text(&url_list),
                                hop.url
                            ));
                        }
                        if redirect {
                            step.title = format!("On the {status} redirect: {}", step.title).into();
                            step.explanation.to_mut().push_str(&format!(
                                " This was the {status} redirect itself: for a CORS request the browser checks every response of the chain before it follows `Location`, so the redirect needs the same Access-Control-Allow-* headers as the final answer (or the code should call the final URL directly)."
                            ));
                        }
                        self.steps.push(step);
                        if !hop_stored.is_empty() {
                            self.steps.push(Step::new(
                                Some(index),
                                Phase::CorsCheck,
                                Verdict::Warning,
                                Reason::CookieStored,
                                format!("…but the cookie was stored anyway: {}", hop_stored.join(", ")),
                                "This surprises everyone: the browser stores Set-Cookie while it receives the response, before the CORS check. The page cannot read the response, yet the cookie is in the jar and will be sent on the next credentialed request.",
                                spec::FETCH_HTTP_NETWORK,
                            ));
                        }
                        self.network_error(
                            index,
                            &spec.client,
                            &original_method,
                            &url_list[0],
                            chain,
                            reason,
                        );
                        return;
                    }
                }
            }

            // ----- 8b. Fetch §HTTP fetch step 8: a redirect status, by redirect mode. -----
            if redirect {
                let location = response.headers.get("location");
                match redirect_mode {
                    RedirectMode::Error => {
                        self.steps.push(
                            Step::new(
                                Some(index),
                                Phase::Redirect,
                                Verdict::Blocked,
                                Reason::RedirectModeError,
                                format!("redirect: 'error' turns the {status} into a network error"),
                                format!(
                                    "The server answered {status}, and the request was made with redirect: 'error', so the browser does not follow it and fetch() rejects. Remove the option to follow the redirect, or call the URL it points to{} directly.",
                                    location.as_deref().map(|l| format!(" (`{l}`)")).unwrap_or_default()
                                ),
                                spec::FETCH_HTTP_FETCH,
                            )
                            .with("Status", status.to_string()),
                        );
                        self.network_error(
                            index,
                            &spec.client,
                            &original_method,
                            &url_list[0],
                            chain,
                            Reason::RedirectModeError,
                        );
                        return;
                    }
                    RedirectMode::Manual => {
                        self.steps.push(
                            Step::new(
                                Some(index),
                                Phase::Redirect,
                                Verdict::Warning,
                                Reason::RedirectManual,
                                format!("redirect: 'manual': the page gets an opaque redirect ({status} hidden)"),
                                "With redirect: 'manual' the browser stops at the redirect and resolves the promise with a response of type \"opaqueredirect\": status 0, no headers, no Location. The code can only see that a redirect happened. Use redirect: 'follow' (the default) to get the final response.",
                                spec::FETCH_HTTP_FETCH,
                            )
                            .with("Status", status.to_string()),
                        );
                        self.push_outcome(
                            index,
                            &original_method,
                            &url_list[0],
                            chain,
                            JsResult::Opaque,
                            None,
                        );
                        return;
                    }
                    RedirectMode::Follow => {}
                }
                // §HTTP-redirect fetch step 3: the location URL, parsed against
                // the current URL, keeping its fragment when it has none.
                if let Some(location) = location {
                    match self.redirect_target(
                        index,
                        &hop,
                        page,
                        status,
                        &location,
                        redirect_count,
                        spec.body == BodyKind::Stream && !body_null,
                    ) {
                        Ok(next) => {
                            // Step 8: increase the redirect count.
                            redirect_count += 1;
                            // Step 12: 301/302 turn POST into GET; 303 turns
                            // anything but GET/HEAD into GET. The body and its
                            // headers go.
                            let rewrite = (matches!(status, 301 | 302) && hop.method == "POST")
                                || (status == 303
                                    && !matches!(hop.method.as_str(), "GET" | "HEAD"));
                            if rewrite {
                                let from = std::mem::replace(&mut hop.method, "GET".to_string());
                                body_null = true;
                                let mut dropped = Vec::new();
                                for name in REQUEST_BODY_HEADER_NAMES {
                                    if hop.headers.contains(name) {
                                        dropped.push(name);
                                        hop.headers.remove(name);
                                    }
                                }
                                self.steps.push(
                                    Step::new(
                                        Some(index),
                                        Phase::Redirect,
                                        Verdict::Ok,
                                        Reason::RedirectMethodRewritten,
                                        format!("The {status} turns {from} into GET"),
                                        format!(
                                            "On a {} the browser repeats the request as GET without a body{}. This is how a login form works (POST → 302/303 → GET of the next page). If the server expected the {from} again, answer 307 or 308, which keep the method and body.",
                                            if status == 303 { "303 See Other (any method but GET/HEAD)".to_string() } else { format!("{status} after a POST") },
                                            if dropped.is_empty() { String::new() } else { format!(", and drops {}", dropped.join(", ")) }
                                        ),
                                        spec::FETCH_HTTP_REDIRECT,
                                    )
                                    .with("Method", "GET"),
                                );
                            }
                            // Step 13: a redirect to another origin removes Authorization.
                            let cross = !Origin::of(&hop.url).same_origin(&Origin::of(&next));
                            if cross && hop.headers.contains("authorization") {
                                hop.headers.remove("authorization");
                                self.steps.push(Step::new(
                                    Some(index),
                                    Phase::Redirect,
                                    Verdict::Warning,
                                    Reason::RedirectAuthorizationDropped,
                                    "Authorization is dropped at the cross-origin redirect",
                                    format!(
                                        "The redirect goes to another origin ({}), and the browser never forwards `Authorization` there: the next server gets no credentials from the code. Call the final URL directly with the header, or keep the redirect on the same origin.",
                                        Origin::of(&next).serialize()
                                    ),
                                    spec::FETCH_HTTP_REDIRECT,
                                ));
                            }
                            // Step 19: append the location URL to the URL list.
                            url_list.push(next.clone());
                            hop.url = next;
                            self.steps.push(
                                Step::new(
                                    Some(index),
                                    Phase::Redirect,
                                    Verdict::Ok,
                                    Reason::RedirectFollowed,
                                    format!("{status} → the browser follows to {}", hop.url),
                                    format!(
                                        "The server answered {status} with `Location: {location}`, so the browser sends {} {} next (redirect {redirect_count} of at most {MAX_REDIRECTS}). Cookies are chosen again for the new URL, and any Set-Cookie on the redirect was already processed.",
                                        hop.method, hop.url
                                    ),
                                    spec::FETCH_HTTP_REDIRECT,
                                )
                                .with("Location", location)
                                .with("Redirect chain", chain_text(&url_list)),
                            );
                            // §HTTP-redirect fetch step 23 → §Main fetch again.
                            if let Err(reason) = self.main_fetch_again(
                                index,
                                spec,
                                page,
                                &page_origin,
                                &mut hop,
                                &mut opaque,
                                &url_list,
                            ) {
                                self.steps.push(network_error_step(
                                    index,
                                    &spec.client,
                                    &self.profile,
                                ));
                                self.push_outcome(
                                    index,
                                    &original_method,
                                    &url_list[0],
                                    chain,
                                    JsResult::NetworkError,
                                    Some(reason),
                                );
                                return;
                            }
                            continue;
                        }
                        Err(reason) => {
                            self.network_error(
                                index,
                                &spec.client,
                                &original_method,
                                &url_list[0],
                                chain,
                                reason,
                            );
                            return;
                        }
                    }
                } else {
                    // Step 4: no Location: the redirect status is the final response.
                    self.steps.push(
                        Step::new(
                            Some(index),
                            Phase::Redirect,
                            Verdict::Warning,
                            Reason::RedirectNoLocation,
                            format!("{status} without Location: nothing to follow"),
                            format!(
                                "The server answered {status} but sent no `Location` header, so there is nowhere to go: the browser hands the {status} itself to the page as the final response. Send `Location` with the URL to go to, or answer 200."
                            ),
                            spec::FETCH_HTTP_REDIRECT,
                        )
                        .with("Status", status.to_string()),
                    );
                }
            }

            // ----- 8c. The final response: what the page sees. -----
            let mut outcome = RequestOutcome {
                index,
                method: original_method,
                url: url_list[0].to_string(),
                preflight: chain.preflight,
                request_sent: true,
                js_result: JsResult::Readable,
                status: None,
                readable_headers: Vec::new(),
                cookies_sent: chain.cookies_sent,
                cookies_stored: chain.stored,
                cookies_rejected: chain.rejected,
                // Moved in below, once the page's view of the response is written.
                exchanges: Vec::new(),
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
                _ if opaque => {
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
                _ => self.readable(index, spec, response, &hop, &mut outcome),
            }
            outcome.exchanges = chain.exchanges;
            outcome.jar_after = self.jar.view(self.now);
            self.outcomes.push(outcome);
            return;
        }
    }

    /// Fetch §HTTP-redirect fetch steps 3–11 for one redirect response with
    /// a `Location`: the URL to go to next, or the reason the fetch is a
    /// network error (its step already pushed).
    #[allow(clippy::too_many_arguments)]
    fn redirect_target(
        &mut self,
        index: usize,
        hop: &Built,
        page: &Url,
        status: u16,
        location: &str,
        redirect_count: usize,
        stream_body: bool,
    ) -> Result<Url, Reason> {
        let fail = |reason: Reason, title: String, text: String| {
            Step::new(
                Some(index),
                Phase::Redirect,
                Verdict::Blocked,
                reason,
                title,
                text,
                spec::FETCH_HTTP_REDIRECT,
            )
            .with("Status", status.to_string())
            .with("Location", location)
        };
        // Step 3 (§Responses, location URL): parse Location against the
        // current URL; a Location without fragment keeps the current one.
        let mut next = match hop.url.join(location) {
            Ok(u) => u,
            Err(e) => {
                // Step 5: failure is a network error.
                self.steps.push(fail(
                    Reason::RedirectInvalidLocation,
                    format!("The {status} has a Location that is not a URL"),
                    format!(
                        "`Location: {location}` does not parse as a URL ({e}), so the browser cannot follow the redirect and the fetch fails with a network error. Fix the server's Location header: an absolute URL such as `https://host/path`, or a path starting with `/`."
                    ),
                ));
                return Err(Reason::RedirectInvalidLocation);
            }
        };
        if next.fragment().is_none() {
            next.set_fragment(hop.url.fragment());
        }
        // Step 6: only http(s) may be redirected to.
        if !matches!(next.scheme(), "http" | "https") {
            self.steps.push(fail(
                Reason::RedirectNonHttpScheme,
                format!("The {status} points to a {}: URL", next.scheme()),
                format!(
                    "The redirect goes to `{next}`, whose scheme is not http or https. Fetch only follows redirects to HTTP(S) URLs, so the request fails with a network error. Redirect to an http(s) URL instead."
                ),
            ));
            return Err(Reason::RedirectNonHttpScheme);
        }
        // Step 7: the 21st redirect is a network error.
        if redirect_count == MAX_REDIRECTS {
            self.steps.push(fail(
                Reason::RedirectLimit,
                format!("Too many redirects: stopped after {MAX_REDIRECTS}"),
                format!(
                    "The browser has already followed {MAX_REDIRECTS} redirects for this request, the most Fetch allows, so this one ends the fetch with a network error (Chrome shows net::ERR_TOO_MANY_REDIRECTS). This is usually a redirect loop — for example http→https and back, or a login page redirecting to itself because the session cookie is not sent. Find the two URLs that point at each other in the chain."
                ),
            ));
            return Err(Reason::RedirectLimit);
        }
        let has_credentials = !next.username().is_empty() || next.password().is_some();
        // Step 9: a cors-mode request may not be redirected to another
        // origin's URL carrying credentials (`https://user:pass@host/`).
        let cors_mode = hop.mode == RequestMode::Cors;
        let to_other_origin = !Origin::of(page).same_origin(&Origin::of(&next));
        // Step 10: nor, once its tainting is cors, to any such URL.
        if has_credentials && ((cors_mode && to_other_origin) || hop.cors) {
            self.steps.push(fail(
                Reason::RedirectCredentialsInUrl,
                format!("The {status} points to a URL with a user name or password"),
                format!(
                    "`{next}` carries credentials in the URL (`user:password@`). A CORS request may not be redirected to such a URL, so the fetch fails with a network error. Redirect to the URL without `user:password@` and authenticate with a cookie or an Authorization header instead."
                ),
            ));
            return Err(Reason::RedirectCredentialsInUrl);
        }
        // Step 11: a body that cannot be sent twice (a ReadableStream) can
        // only survive a 303, which drops it.
        if status != 303 && stream_body {
            self.steps.push(fail(
                Reason::RedirectStreamBody,
                format!("A streamed body cannot follow a {status}"),
                format!(
                    "The request body is a ReadableStream, which the browser cannot replay, and a {status} redirect would have to send it again, so the fetch fails with a network error. Send a string, Blob or FormData body, or call the final URL directly."
                ),
            ));
            return Err(Reason::RedirectStreamBody);
        }
        Ok(next)
    }

    /// Fetch §Main fetch again for the redirected request (§HTTP-redirect
    /// fetch step 23): mixed content, response tainting, credentials and the
    /// `Origin` header for the new current URL.
    #[allow(clippy::too_many_arguments)]
    fn main_fetch_again(
        &mut self,
        index: usize,
        spec: &RequestSpec,
        page: &Url,
        page_origin: &Origin,
        hop: &mut Built,
        opaque: &mut bool,
        url_list: &[Url],
    ) -> Result<(), Reason> {
        // §Main fetch step 7 (Mixed Content) for the new URL.
        if spec.client.is_script() || matches!(spec.client, Client::Iframe) {
            if let Some(step) = mixed_content::check_mixed_content(page, &hop.url, index) {
                let blocked = step.verdict == Verdict::Blocked;
                self.steps.push(step);
                if blocked {
                    return Err(Reason::MixedContentBlocked);
                }
            }
        }
        let same_origin_now = page_origin.same_origin(&Origin::of(&hop.url));
        // §Main fetch step 12: basic while same-origin and never tainted;
        // navigations are always basic; otherwise by mode.
        if hop.mode == RequestMode::Navigate || (same_origin_now && !hop.cors && !*opaque) {
            // basic: nothing changes
        } else if hop.mode == RequestMode::SameOrigin {
            self.steps.push(Step::new(
                Some(index),
                Phase::Redirect,
                Verdict::Blocked,
                Reason::SameOriginModeCrossOrigin,
                "mode: 'same-origin' cannot follow a redirect to another origin",
                format!(
                    "The request uses mode: 'same-origin', and the redirect leads to {}, another origin, so fetch() rejects with a network error. Use mode: 'cors' (the default), or keep the redirect on the page's origin.",
                    Origin::of(&hop.url).serialize()
                ),
                spec::FETCH_MAIN_FETCH,
            ));
            return Err(Reason::SameOriginModeCrossOrigin);
        } else if hop.mode == RequestMode::NoCors {
            *opaque = true;
        } else if !hop.cors {
            hop.cors = true;
            self.steps.push(Step::new(
                Some(index),
                Phase::Redirect,
                Verdict::Ok,
                Reason::CorsRequest,
                "The redirect leaves the page's origin: the CORS protocol applies from here",
                format!(
                    "The request started on the page's own origin, but the redirect goes to {}, so from now on the browser sends `Origin`, may preflight, and lets the page read the answer only if it passes the CORS check.",
                    Origin::of(&hop.url).serialize()
                ),
                spec::FETCH_MAIN_FETCH,
            ));
        }
        // §HTTP-network-or-cache fetch: credentials for the new tainting.
        hop.include_credentials = match hop.credentials_mode {
            CredentialsMode::Include => true,
            CredentialsMode::SameOrigin => !hop.cors && !*opaque,
            CredentialsMode::Omit => false,
        };
        hop.send_origin = hop.cors || (hop.method != "GET" && hop.method != "HEAD");
        // §Requests, redirect-taint: the first hop to another origin makes
        // every later `Origin` header `null`.
        let before = redirect_taint(
            &url_list[..url_list.len() - 1],
            page,
            self.profile.schemeful_same_site,
        );
        let now = redirect_taint(url_list, page, self.profile.schemeful_same_site);
        if hop.cors && before == Taint::SameOrigin && now != Taint::SameOrigin {
            let hint = if hop.include_credentials {
                "`Access-Control-Allow-Origin: null` together with `Access-Control-Allow-Credentials: true`"
            } else {
                "`Access-Control-Allow-Origin: *` (or `null`)"
            };
            self.steps.push(
                Step::new(
                    Some(index),
                    Phase::Redirect,
                    Verdict::Warning,
                    Reason::RedirectTaintedOrigin,
                    "After this cross-origin redirect the Origin header is `null`",
                    format!(
                        "The chain has now been through an origin other than the page's, so the browser no longer vouches for where the request comes from: it sends `Origin: null`, and the next answers pass the CORS check only with {hint}. Allowing `null` lets any sandboxed page in, so the real fix is to avoid the cross-origin redirect: call {} directly from the page.",
                        hop.url
                    ),
                    spec::FETCH_REDIRECT_TAINT,
                )
                .with("Origin", "null")
                .with("Redirect chain", chain_text(url_list)),
            );
        }
        Ok(())
    }

    /// Step 4 of `request` for one URL of the chain: decide on a preflight
    /// and run it. `Err` holds the reason of the failed check.
    fn preflight(
        &mut self,
        index: usize,
        hop: &Built,
        origin_value: &str,
        server: &dyn ServerModel,
        exchanges: &mut Vec<Exchange>,
        first_hop: bool,
    ) -> Result<PreflightOutcome, Option<Reason>> {
        let unsafe_names = safelist::cors_unsafe_request_header_names(&hop.headers);
        let method_safe = safelist::is_cors_safelisted_method(&hop.method);
        let needs = hop.use_preflight_flag || !method_safe || !unsafe_names.names.is_empty();
        if !needs {
            if !first_hop {
                // Said once for the chain, not again for each redirect.
                return Ok(PreflightOutcome::NotNeeded);
            }
            self.steps.push(Step::new(
                    Some(index),
                    Phase::Preflight,
                    Verdict::Ok,
                    Reason::PreflightNotNeeded,
                    "No preflight: a \"simple\" request",
                    format!(
                        "{} is a CORS-safelisted method and every header is CORS-safelisted, so the browser sends the request straight away. The server still has to answer with the right Access-Control-Allow-* headers for the page to read the response.",
                        hop.method
                    ),
                    spec::FETCH_HTTP_FETCH,
                ).with("Method", &hop.method));
            return Ok(PreflightOutcome::NotNeeded);
        }
        if let Some(entry) = self.cached_preflight(hop, origin_value, &unsafe_names.names) {
            self.steps.push(Step::new(
                    Some(index),
                    Phase::Preflight,
                    Verdict::Ok,
                    Reason::PreflightCached,
                    "Preflight answer reused from the cache",
                    format!(
                        "An earlier preflight to this URL allowed {} and was cached for Access-Control-Max-Age, so no new OPTIONS request is sent.",
                        hop.method
                    ),
                    spec::FETCH_CORS_PREFLIGHT_CACHE,
                ).with("Cached until (simulated seconds)", (entry - SIM_EPOCH).to_string()));
            return Ok(PreflightOutcome::Cached);
        }
        {
            let (reason, why) = if hop.use_preflight_flag {
                (
                    Reason::PreflightNeededFlag,
                    "the body is a stream, which is always preflighted".to_string(),
                )
            } else if !method_safe {
                (
                    Reason::PreflightNeededMethod,
                    format!("{} is not one of GET, HEAD, POST", hop.method),
                )
            } else {
                (
                    Reason::PreflightNeededHeaders,
                    safelist::describe_unsafe_names(&unsafe_names, &hop.headers),
                )
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
                .with("Method", &hop.method);
            if let Some(v) = unsafe_names.request_headers_value() {
                step = step.with("Access-Control-Request-Headers", v);
            }
            self.steps.push(step);

            let pre_req = preflight::preflight_request(
                hop.url.as_str(),
                origin_value,
                &hop.method,
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
                origin_value,
                hop.include_credentials,
                &hop.method,
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
                return Err(blocked_by);
            }

            if check.max_age > 0 {
                self.preflight_cache.push(CacheEntry {
                    url: hop.url.to_string(),
                    origin: origin_value.to_string(),
                    credentials: hop.include_credentials,
                    methods: check.allowed_methods,
                    headers: check.allowed_headers,
                    expires: self.now + check.max_age as i64,
                });
            }
        }
        Ok(PreflightOutcome::Passed)
    }

    /// Step 7 for one response: store its `Set-Cookie` lines when
    /// credentials are included, or say they were ignored. Returns the names stored.
    #[allow(clippy::too_many_arguments)]
    fn store_cookies(
        &mut self,
        index: usize,
        spec: &RequestSpec,
        hop: &Built,
        response: &WireResponse,
        same_site_strict_or_lax_allowed: bool,
        top_nav: bool,
        third_party: bool,
        partition_key: String,
        chain: &mut Chain,
    ) -> Vec<String> {
        let mut stored = Vec::new();
        if !response.headers.contains("set-cookie") {
            return stored;
        }
        if hop.include_credentials {
            let ctx = SetContext {
                url: &hop.url,
                same_site_strict_or_lax_allowed,
                top_level_navigation: top_nav,
                from_http: true,
                third_party,
                partition_key,
                now: self.now,
            };
            for line in response.headers.get_all("set-cookie") {
                let out = self.jar.set(line, &ctx, &self.profile, index);
                self.steps.extend(out.steps);
                if out.stored {
                    stored.push(out.name.clone());
                    chain.stored.push(out.name);
                } else if let Some(reason) = out.rejected {
                    chain.rejected.push(RejectedCookie {
                        name: out.name,
                        reason,
                    });
                }
            }
        } else {
            let set_cookies = response.headers.get_all("set-cookie");
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
                chain.rejected.push(RejectedCookie {
                    name,
                    reason: Reason::SetCookieIgnoredNoCredentials,
                });
            }
        }
        stored
    }

    /// Records a request that ended after it was sent (network error,
    /// opaque redirect).
    #[allow(clippy::too_many_arguments)]
    /// The request ends in a network error: what the page's code sees, then
    /// the outcome (reported under the request as first written).
    fn network_error(
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

    fn push_outcome(
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
        });
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

    /// A request whose preflight failed: the actual (or redirected) request
    /// is never sent.
    fn push_network_error(
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

    fn cached_preflight(
        &self,
        built: &Built,
        origin: &str,
        unsafe_names: &[String],
    ) -> Option<i64> {
        // Fetch §CORS-preflight cache: a credentialed entry also serves
        // uncredentialed requests, not the other way round.
        self.preflight_cache
            .iter()
            .rev()
            .find(|e| {
                e.url == built.url.as_str()
                    && e.origin == origin
                    && e.expires > self.now
                    && (e.credentials || !built.include_credentials)
                    && (safelist::is_cors_safelisted_method(&built.method)
                        || e.methods.iter().any(|m| m == &built.method))
                    && !built.use_preflight_flag
                    && {
                        let allowed =
                            crate::headers::NameSet::new(e.headers.iter().map(String::as_str));
                        unsafe_names.iter().all(|h| allowed.contains(h))
                    }
            })
            .map(|e| e.expires)
    }

    /// Fetch §Requests and the client APIs: method, headers, mode, credentials.
    fn build(
        &mut self,
        index: usize,
        spec: &RequestSpec,
        url: &Url,
        (page_origin, url_origin): (&str, &str),
        same_origin: bool,
        client_headers: HeaderList,
    ) -> Option<Built> {
        let client = spec.client;
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
                        .with(name.to_string(), value),
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
                            .with(n.to_string(), v),
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
                            "The request goes from {page_origin} to {url_origin}, another origin. The browser adds `Origin: {page_origin}`, and the page may read the response only if the server's answer passes the CORS check.",
                        ),
                        spec::FETCH_ORIGIN_HEADER,
                    )
                    .with("Origin", page_origin),
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
fn relationship_step(
    index: usize,
    page: &Url,
    url: &Url,
    profile: &BrowserProfile,
    (po, ro): (&str, &str),
    same_origin: bool,
) -> Step {
    let ps = site_of(page);
    let rs = site_of(url);
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
                summary: step.title.to_string(),
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
