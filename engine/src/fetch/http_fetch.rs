//! Fetch §HTTP fetch, once per URL of a redirect chain: the
//! CORS-preflight fetch (step 4.1), HTTP-network-or-cache fetch (step 4.3),
//! the CORS check on every response (step 4.4), and on a redirect status
//! HTTP-redirect fetch (step 8), which goes through main fetch again and
//! comes back here for the next URL.

use url::Url;

use super::redirect::{is_redirect_status, redirect_taint, RedirectEnd, Taint};
use super::simulate::{InFlight, Run};
use crate::cors_check;
use crate::spec;
use crate::trace::{Phase, PreflightOutcome, Reason, Step, Verdict};

impl Run {
    /// Fetch §HTTP fetch for the request and every redirect it follows.
    /// Ends by recording the request's outcome.
    pub(super) fn http_fetch(&mut self, f: &mut InFlight) {
        loop {
            let taint = redirect_taint(&f.url_list, f.initiator(), self.profile.site_rules());
            // Fetch §Serializing a request origin: `null` once the chain has
            // been to another origin (redirect-taint is not "same-origin").
            let origin_value = if taint == Taint::SameOrigin {
                f.request_origin.clone()
            } else {
                "null".to_string()
            };

            // Step 4.1: the preflight, again for each redirected request whose
            // tainting is cors: after a successful preflight the actual request
            // may be redirected, and the new URL gets its own preflight (cache
            // permitting). Chromium and Firefox both do this (Gecko decides on
            // a preflight again for the new channel at every redirect), so it
            // is not a profile field; what differs is only how a redirected
            // *preflight* is reported.
            if f.hop.cors && !self.preflight_if_needed(f, &origin_value) {
                return;
            }

            // Step 4.3: the request goes out and the server answers.
            let network = self.http_network_or_cache_fetch(f, &origin_value, taint);
            let redirect = is_redirect_status(network.status);

            // Step 4.4: with response tainting cors, the CORS check runs on
            // every response, a redirect included.
            if f.hop.cors && !self.cors_check_response(f, &origin_value, taint, &network.stored) {
                return;
            }

            // Step 8: a redirect status, by redirect mode.
            if redirect {
                match self.http_redirect_fetch(f, network.status) {
                    RedirectEnd::Follow => continue,
                    RedirectEnd::Ended => return,
                    RedirectEnd::Final => {}
                }
            }
            self.main_fetch_response(f);
            return;
        }
    }

    /// Step 4.1: run the CORS-preflight fetch when the request needs one.
    /// `false` when it failed: the request is never sent and its outcome is
    /// recorded.
    fn preflight_if_needed(&mut self, f: &mut InFlight, origin_value: &str) -> bool {
        let first_hop = f.redirect_count == 0;
        let result = self.cors_preflight_fetch(
            f.index,
            &f.hop,
            origin_value,
            f.server,
            &mut f.chain.exchanges,
            first_hop,
        );
        match result {
            Ok(outcome) => {
                if outcome != PreflightOutcome::NotNeeded
                    && f.chain.preflight != PreflightOutcome::Passed
                {
                    f.chain.preflight = outcome;
                }
                true
            }
            Err(blocked_by) => {
                f.chain.preflight = PreflightOutcome::Failed;
                let chain = f.take_chain();
                self.push_network_error(f.index, f.spec, &f.hop, chain, blocked_by, !first_hop);
                false
            }
        }
    }

    /// Step 4.4: the CORS check (Fetch §CORS check) on the response just
    /// received. `false` when it failed: the fetch is a network error, and
    /// its outcome is recorded.
    fn cors_check_response(
        &mut self,
        f: &mut InFlight,
        origin_value: &str,
        taint: Taint,
        stored: &[String],
    ) -> bool {
        let index = f.index;
        let response = f
            .chain
            .exchanges
            .last()
            .and_then(|e| e.response.as_ref())
            .expect("the network fetch recorded the response");
        let status = response.status;
        let check = if self.profile.cors_disabled {
            Err(cors_disabled_step(index))
        } else {
            cors_check::cors_check(
                &response.headers,
                origin_value,
                f.hop.include_credentials,
                index,
                Phase::CorsCheck,
            )
        };
        let mut step = match check {
            Ok(step) => {
                self.steps.push(step);
                return true;
            }
            Err(step) => step,
        };
        let reason = step.reason;
        if taint != Taint::SameOrigin {
            // The `null` comes from the redirect chain, not from the page.
            step.explanation.to_mut().push_str(&format!(
                " Here the Origin is `null` only because the request was redirected through another origin ({}): the page itself has a normal origin. Rather than allowing `null`, avoid the cross-origin redirect — call {} directly from the page.",
                chain_text(&f.url_list),
                f.hop.url
            ));
        }
        if is_redirect_status(status) {
            step.title = format!("On the {status} redirect: {}", step.title).into();
            step.explanation.to_mut().push_str(&format!(
                " This was the {status} redirect itself: for a CORS request the browser checks every response of the chain before it follows `Location`, so the redirect needs the same Access-Control-Allow-* headers as the final answer (or the code should call the final URL directly)."
            ));
        }
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
        let chain = f.take_chain();
        self.network_error(
            index,
            &f.spec.client,
            &f.original_method,
            &f.url_list[0],
            chain,
            reason,
        );
        false
    }
}

/// `a → b → c`, for the trace.
pub(super) fn chain_text(url_list: &[Url]) -> String {
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
