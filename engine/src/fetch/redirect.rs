//! Fetch §HTTP-redirect fetch: what the browser does with a redirect
//! status — by the request's redirect mode, the location URL and its checks
//! (steps 3–11), the method rewrite (step 12), `Authorization` dropped on a
//! cross-origin hop (step 13), the URL list (step 19), and main fetch again
//! (step 23). Also the request's redirect-taint (Fetch §Requests), which
//! decides the `Origin` and the same-site mode of every later hop.

use url::Url;

use super::http_fetch::chain_text;
use super::simulate::{network_error_step, Built, InFlight, Run};
use crate::origin::Origin;
use crate::scenario::{BodyKind, RedirectMode, RequestMode};
use crate::site::{same_site, SiteRules};
use crate::spec;
use crate::trace::{JsResult, Phase, Reason, Step, Verdict};

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
pub(super) fn is_redirect_status(status: u16) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
}

/// Fetch §Requests, redirect-taint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Taint {
    SameOrigin,
    SameSite,
    CrossSite,
}

/// Fetch §Requests "compute the redirect-taint" of a URL list for a request
/// whose origin is the page's (`page`), or opaque (`None`: a visit, which no
/// page started; an opaque origin is neither same site nor same origin with
/// anything).
pub(super) fn redirect_taint(url_list: &[Url], page: Option<&Url>, schemeful: SiteRules) -> Taint {
    if url_list.len() < 2 {
        return Taint::SameOrigin;
    }
    let request_origin = page.map(Origin::of);
    let mut taint = Taint::SameOrigin;
    // Step 4: compare each URL with the one before it.
    for pair in url_list.windows(2) {
        let (last, url) = (&pair[0], &pair[1]);
        // Step 4.2: cross-site when neither the URL nor the request's origin
        // is same site with the last URL.
        if !same_site(url, last, schemeful) && !page.is_some_and(|p| same_site(p, last, schemeful))
        {
            return Taint::CrossSite;
        }
        // Step 4.3: same-site when neither is same origin with the last URL.
        let last_origin = Origin::of(last);
        if !Origin::of(url).same_origin(&last_origin)
            && !request_origin
                .as_ref()
                .is_some_and(|o| o.same_origin(&last_origin))
        {
            taint = Taint::SameSite;
        }
    }
    taint
}

/// How a redirect status ends for the HTTP fetch loop.
pub(super) enum RedirectEnd {
    /// The request goes on to the next URL.
    Follow,
    /// The fetch ended here (network error or opaque redirect), outcome recorded.
    Ended,
    /// No `Location`: the redirect response is the final response.
    Final,
}

impl Run {
    /// Fetch §HTTP fetch step 8 and §HTTP-redirect fetch for the redirect
    /// response just received.
    pub(super) fn http_redirect_fetch(&mut self, f: &mut InFlight, status: u16) -> RedirectEnd {
        let location = f
            .chain
            .exchanges
            .last()
            .and_then(|e| e.response.as_ref())
            .and_then(|r| r.headers.get("location"));
        if self.redirect_mode_stops(f, status, location.as_deref()) {
            return RedirectEnd::Ended;
        }
        let Some(location) = location else {
            // Step 4: no Location: the redirect status is the final response.
            self.steps.push(
                Step::new(
                    Some(f.index),
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
            return RedirectEnd::Final;
        };
        // Step 3: the location URL, parsed against the current URL.
        let stream_body = f.spec.body == BodyKind::Stream && !f.body_null;
        let next = match self.redirect_target(
            f.index,
            &f.hop,
            f.page,
            status,
            &location,
            f.redirect_count,
            stream_body,
        ) {
            Ok(next) => next,
            Err(reason) => {
                let chain = f.take_chain();
                self.network_error(
                    f.index,
                    &f.spec.client,
                    &f.original_method,
                    &f.url_list[0],
                    chain,
                    reason,
                );
                return RedirectEnd::Ended;
            }
        };
        // Step 8: increase the redirect count.
        f.redirect_count += 1;
        self.rewrite_method_to_get(f, status);
        self.drop_authorization_cross_origin(f, &next);
        // Step 19: append the location URL to the URL list.
        f.url_list.push(next.clone());
        f.hop.url = next;
        self.steps.push(
            Step::new(
                Some(f.index),
                Phase::Redirect,
                Verdict::Ok,
                Reason::RedirectFollowed,
                format!("{status} → the browser follows to {}", f.hop.url),
                format!(
                    "The server answered {status} with `Location: {location}`, so the browser sends {} {} next (redirect {} of at most {MAX_REDIRECTS}). Cookies are chosen again for the new URL, and any Set-Cookie on the redirect was already processed.",
                    f.hop.method, f.hop.url, f.redirect_count
                ),
                spec::FETCH_HTTP_REDIRECT,
            )
            .with("Location", location)
            .with("Redirect chain", chain_text(&f.url_list)),
        );
        // Step 23: main fetch again for the new URL.
        if let Err(reason) = self.main_fetch_after_redirect(f) {
            self.steps
                .push(network_error_step(f.index, &f.spec.client, &self.profile));
            let chain = f.take_chain();
            self.push_outcome(
                f.index,
                &f.original_method,
                &f.url_list[0],
                chain,
                JsResult::NetworkError,
                Some(reason),
            );
            return RedirectEnd::Ended;
        }
        RedirectEnd::Follow
    }

    /// Fetch §HTTP fetch step 8: with redirect mode "error" the fetch is a
    /// network error, with "manual" the page gets an opaque-redirect
    /// response. `true` when the fetch ended here (outcome recorded).
    fn redirect_mode_stops(
        &mut self,
        f: &mut InFlight,
        status: u16,
        location: Option<&str>,
    ) -> bool {
        let index = f.index;
        match f.redirect_mode {
            RedirectMode::Follow => false,
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
                            location.map(|l| format!(" (`{l}`)")).unwrap_or_default()
                        ),
                        spec::FETCH_HTTP_FETCH,
                    )
                    .with("Status", status.to_string()),
                );
                let chain = f.take_chain();
                self.network_error(
                    index,
                    &f.spec.client,
                    &f.original_method,
                    &f.url_list[0],
                    chain,
                    Reason::RedirectModeError,
                );
                true
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
                let chain = f.take_chain();
                self.push_outcome(
                    index,
                    &f.original_method,
                    &f.url_list[0],
                    chain,
                    JsResult::Opaque,
                    None,
                );
                true
            }
        }
    }

    /// §HTTP-redirect fetch step 12: 301/302 turn POST into GET; 303 turns
    /// anything but GET/HEAD into GET. The body and its headers go.
    fn rewrite_method_to_get(&mut self, f: &mut InFlight, status: u16) {
        let hop = &mut f.hop;
        let rewrite = (matches!(status, 301 | 302) && hop.method == "POST")
            || (status == 303 && !matches!(hop.method.as_str(), "GET" | "HEAD"));
        if !rewrite {
            return;
        }
        let from = std::mem::replace(&mut hop.method, "GET".to_string());
        f.body_null = true;
        let mut dropped = Vec::new();
        for name in REQUEST_BODY_HEADER_NAMES {
            if hop.headers.contains(name) {
                dropped.push(name);
                hop.headers.remove(name);
            }
        }
        self.steps.push(
            Step::new(
                Some(f.index),
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

    /// §HTTP-redirect fetch step 13: a redirect to another origin removes
    /// `Authorization`.
    fn drop_authorization_cross_origin(&mut self, f: &mut InFlight, next: &Url) {
        let cross = !Origin::of(&f.hop.url).same_origin(&Origin::of(next));
        if !cross || !f.hop.headers.contains("authorization") {
            return;
        }
        f.hop.headers.remove("authorization");
        self.steps.push(Step::new(
            Some(f.index),
            Phase::Redirect,
            Verdict::Warning,
            Reason::RedirectAuthorizationDropped,
            "Authorization is dropped at the cross-origin redirect",
            format!(
                "The redirect goes to another origin ({}), and the browser never forwards `Authorization` there: the next server gets no credentials from the code. Call the final URL directly with the header, or keep the redirect on the same origin.",
                Origin::of(next).serialize()
            ),
            spec::FETCH_HTTP_REDIRECT,
        ));
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
}
