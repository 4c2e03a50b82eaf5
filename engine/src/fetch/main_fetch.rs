//! Fetch §Main fetch: where the request goes relative to the page (HTML
//! §Sites), mixed content (step 7), the response tainting (step 12), main
//! fetch again after a redirect (§HTTP-redirect fetch step 23), and what
//! the page finally sees of the response (steps 14–22).

use url::Url;

use super::http_fetch::chain_text;
use super::redirect::redirect_taint;
use super::simulate::{Built, InFlight, Place, Run};
use crate::cors_check;
use crate::headers::HeaderList;
use crate::http::WireResponse;
use crate::local_network_access;
use crate::mixed_content;
use crate::origin::{parse_url, Origin};
use crate::profile::BrowserProfile;
use crate::scenario::{
    BodyKind, Client, CredentialsMode, PermissionState, RedirectMode, RequestMode, RequestSpec,
};
use crate::site::{same_site, site_of};
use crate::spec;
use crate::trace::{JsResult, LoadedDocument, Phase, Reason, RequestOutcome, Step, Verdict};

use super::redirect::Taint;

impl Run {
    /// Fetch §Main fetch for one request of the scenario: read its fields,
    /// place it relative to the page, block mixed content (step 7), build it
    /// the way the client API does, then hand it to HTTP fetch.
    pub(super) fn main_fetch(
        &mut self,
        index: usize,
        spec: &RequestSpec,
        place: &Place,
        ready: bool,
    ) {
        let page = place.page;
        // The fields of this request, as typed.
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
        let url = url.and_then(|u| self.form_action_url(index, spec, u));
        let (Some(url), Some(client_headers), true) = (url, client_headers, ready) else {
            self.not_sent(index, &spec.method, &spec.url, None);
            return;
        };

        // Where the request goes, relative to the page. A visit has no page:
        // its origin is opaque.
        let browser_initiated = spec.client == Client::Visit;
        let page_origin = Origin::of(page);
        let req_origin = Origin::of(&url);
        let same_origin = !browser_initiated && page_origin.same_origin(&req_origin);
        // Serialized once per request; every step below reuses them.
        let request_origin = if browser_initiated {
            "null".to_string()
        } else {
            page_origin.serialize()
        };
        let url_origin = req_origin.serialize();
        if !browser_initiated {
            self.steps.push(relationship_step(
                index,
                page,
                &url,
                &self.profile,
                (&request_origin, &url_origin),
                same_origin,
            ));
        }

        // Step 7, Mixed Content: an https page may not fetch http (loopback excepted).
        if spec.client.is_script() || matches!(spec.client, Client::Iframe) {
            let lna_exempt = local_network_access::exempts_mixed_content(
                &url,
                spec.target_address_space,
                &self.profile,
            );
            if let Some(step) = mixed_content::check_mixed_content(
                page,
                &url,
                index,
                lna_exempt,
                self.profile.mixed_content_trusts_loopback,
            ) {
                let blocked = step.verdict == Verdict::Blocked;
                self.steps.push(step);
                if blocked {
                    self.result_not_sent(index, spec, &url, Reason::MixedContentBlocked);
                    return;
                }
            }
        }
        // Local Network Access, when the connection is made (before the
        // preflight, which goes to the same address).
        if let Err(reason) =
            self.local_network_access(index, spec, place, &url, spec.target_address_space)
        {
            self.result_not_sent(index, spec, &url, reason);
            return;
        }

        // axios copies the XSRF-TOKEN cookie into X-XSRF-TOKEN.
        let mut client_headers = client_headers;
        self.axios_xsrf(
            index,
            spec,
            (page, place.top),
            same_origin,
            &mut client_headers,
        );

        // The request as the client code builds it.
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

        let opaque = built.mode == RequestMode::NoCors && !same_origin;
        let mut fetch = InFlight {
            index,
            spec,
            page,
            top: place.top,
            server: place.server,
            page_origin,
            request_origin,
            top_nav: spec.client.is_top_level_navigation(),
            browser_initiated,
            redirect_mode: spec.client.redirect_mode(),
            original_method: built.method.clone(),
            url_list: vec![built.url.clone()],
            hop: built,
            redirect_count: 0,
            body_null: spec.body == BodyKind::None,
            opaque,
            chain: Default::default(),
        };

        // Step 12, no-cors case: a no-cors request must follow redirects.
        if fetch.opaque && fetch.redirect_mode != RedirectMode::Follow {
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

        self.http_fetch(&mut fetch);
    }

    /// Local Network Access for the connection to `url`: the step, and the
    /// reason when it stops the request.
    fn local_network_access(
        &mut self,
        index: usize,
        spec: &RequestSpec,
        place: &Place,
        url: &Url,
        target_address_space: Option<crate::address_space::AddressSpace>,
    ) -> Result<(), Reason> {
        // The permission belongs to the scenario page's origin; a document
        // a navigation loaded has not been asked.
        let (origin, granted) = &self.local_network;
        let page_origin = Origin::of(place.page).serialize();
        let permission = if self.local_network_asked.contains(&page_origin) {
            PermissionState::Granted
        } else if page_origin == *origin {
            *granted
        } else {
            PermissionState::Ask
        };
        let check = local_network_access::LnaRequest {
            index,
            client: &spec.client,
            page: place.page,
            top: place.top,
            url,
            target_address_space,
            permission,
        };
        let Some(step) = local_network_access::local_network_access_check(&check, &self.profile)
        else {
            return Ok(());
        };
        let (verdict, reason) = (step.verdict, step.reason);
        if reason == Reason::LocalNetworkPermissionPrompt {
            self.local_network_asked.push(page_origin);
        }
        self.steps.push(step);
        if verdict == Verdict::Blocked {
            return Err(reason);
        }
        Ok(())
    }

    /// Fetch §Main fetch steps 14–22 for the final response of the chain:
    /// a navigation loads it as a document, an opaque response hides it, a
    /// basic or CORS response reaches the page's code. Records the outcome.
    pub(super) fn main_fetch_response(&mut self, f: &mut InFlight) {
        let index = f.index;
        let chain = f.take_chain();
        let response = chain
            .exchanges
            .last()
            .and_then(|e| e.response.as_ref())
            .expect("the network fetch recorded the response");
        let mut outcome = RequestOutcome {
            index,
            method: f.original_method.clone(),
            url: f.url_list[0].to_string(),
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
            document: None,
        };
        match f.spec.client {
            Client::Navigation { .. } | Client::Iframe | Client::Visit => {
                outcome.js_result = JsResult::Navigated;
                let text = if f.browser_initiated {
                    "A visit is not subject to CORS: the browser loads the response as the document of the tab."
                } else {
                    "Navigations and frames are not subject to CORS: the browser loads the response as a document. The page's script cannot read it."
                };
                self.steps.push(Step::new(
                    Some(index),
                    Phase::Result,
                    Verdict::Ok,
                    Reason::NavigationLoaded,
                    format!("The browser shows the response ({})", response.status),
                    text,
                    spec::FETCH_MAIN_FETCH,
                ));
                // HTML §Navigate: a 204 or 205 loads no document; the old one stays.
                if !matches!(response.status, 204 | 205) {
                    outcome.document = Some(LoadedDocument {
                        url: f.hop.url.to_string(),
                        status: response.status,
                    });
                }
            }
            _ if f.opaque => {
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
            _ => self.readable(index, f.spec, response, &f.hop, &mut outcome),
        }
        outcome.exchanges = chain.exchanges;
        outcome.jar_after = self.jar.view(self.now);
        self.outcomes.push(outcome);
    }

    /// Fetch §Main fetch again for the redirected request (§HTTP-redirect
    /// fetch step 23): mixed content, response tainting, credentials and the
    /// `Origin` header for the new current URL.
    pub(super) fn main_fetch_after_redirect(&mut self, f: &mut InFlight) -> Result<(), Reason> {
        let index = f.index;
        // §Main fetch step 7 (Mixed Content) for the new URL; a redirect
        // clears `targetAddressSpace`.
        if f.spec.client.is_script() || matches!(f.spec.client, Client::Iframe) {
            let lna_exempt =
                local_network_access::exempts_mixed_content(&f.hop.url, None, &self.profile);
            if let Some(step) = mixed_content::check_mixed_content(
                f.page,
                &f.hop.url,
                index,
                lna_exempt,
                self.profile.mixed_content_trusts_loopback,
            ) {
                let blocked = step.verdict == Verdict::Blocked;
                self.steps.push(step);
                if blocked {
                    return Err(Reason::MixedContentBlocked);
                }
            }
        }
        let place = Place {
            page: f.page,
            top: f.top,
            server: f.server,
        };
        let url = f.hop.url.clone();
        self.local_network_access(index, f.spec, &place, &url, None)?;
        let same_origin_now = f.page_origin.same_origin(&Origin::of(&f.hop.url));
        // §Main fetch step 12: basic while same-origin and never tainted;
        // navigations are always basic; otherwise by mode.
        if f.hop.mode == RequestMode::Navigate || (same_origin_now && !f.hop.cors && !f.opaque) {
            // basic: nothing changes
        } else if f.hop.mode == RequestMode::SameOrigin {
            self.steps.push(Step::new(
                Some(index),
                Phase::Redirect,
                Verdict::Blocked,
                Reason::SameOriginModeCrossOrigin,
                "mode: 'same-origin' cannot follow a redirect to another origin",
                format!(
                    "The request uses mode: 'same-origin', and the redirect leads to {}, another origin, so fetch() rejects with a network error. Use mode: 'cors' (the default), or keep the redirect on the page's origin.",
                    Origin::of(&f.hop.url).serialize()
                ),
                spec::FETCH_MAIN_FETCH,
            ));
            return Err(Reason::SameOriginModeCrossOrigin);
        } else if f.hop.mode == RequestMode::NoCors {
            f.opaque = true;
        } else if !f.hop.cors {
            f.hop.cors = true;
            self.steps.push(Step::new(
                Some(index),
                Phase::Redirect,
                Verdict::Ok,
                Reason::CorsRequest,
                "The redirect leaves the page's origin: the CORS protocol applies from here",
                format!(
                    "The request started on the page's own origin, but the redirect goes to {}, so from now on the browser sends `Origin`, may preflight, and lets the page read the answer only if it passes the CORS check.",
                    Origin::of(&f.hop.url).serialize()
                ),
                spec::FETCH_MAIN_FETCH,
            ));
        }
        // §HTTP-network-or-cache fetch: credentials for the new tainting.
        f.hop.include_credentials = match f.hop.credentials_mode {
            CredentialsMode::Include => true,
            CredentialsMode::SameOrigin => !f.hop.cors && !f.opaque,
            CredentialsMode::Omit => false,
        };
        f.hop.send_origin = f.hop.cors || (f.hop.method != "GET" && f.hop.method != "HEAD");
        // §Requests, redirect-taint: the first hop to another origin makes
        // every later `Origin` header `null`.
        let before = redirect_taint(
            &f.url_list[..f.url_list.len() - 1],
            f.initiator(),
            self.profile.site_rules(),
        );
        let now = redirect_taint(&f.url_list, f.initiator(), self.profile.site_rules());
        if f.hop.cors && before == Taint::SameOrigin && now != Taint::SameOrigin {
            let hint = if f.hop.include_credentials {
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
                        f.hop.url
                    ),
                    spec::FETCH_REDIRECT_TAINT,
                )
                .with("Origin", "null")
                .with("Redirect chain", chain_text(&f.url_list)),
            );
        }
        Ok(())
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
    } else if same_site(page, url, profile.site_rules()) {
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

pub(super) fn framed_page_step(page: &Url, top: &Url, profile: &BrowserProfile) -> Step {
    let cross = !same_site(top, page, profile.site_rules());
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
