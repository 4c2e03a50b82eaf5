//! Fetch §CORS-preflight fetch and §CORS-preflight cache, as HTTP fetch
//! step 4.1 runs them for each URL of the chain.

use super::simulate::{Built, Run, SIM_EPOCH};
use crate::http::ServerModel;
use crate::trace::{Exchange, Phase, PreflightOutcome, Reason, Step, Verdict};
use crate::{preflight, safelist, spec};

/// A cached preflight answer (Fetch §CORS-preflight cache), simplified to
/// URL + credentials with the methods and headers it allowed.
pub(super) struct CacheEntry {
    pub(super) url: String,
    /// The serialized request origin (`null` after a cross-origin redirect).
    pub(super) origin: String,
    pub(super) credentials: bool,
    pub(super) methods: Vec<String>,
    pub(super) headers: Vec<String>,
    pub(super) expires: i64,
}

impl Run {
    /// Fetch §HTTP fetch step 4.1 and §CORS-preflight fetch for one URL of
    /// the chain: decide on a preflight, reuse the cache (§CORS-preflight
    /// cache) or send the OPTIONS request and check its answer. `Err` holds
    /// the reason of the failed check.
    pub(super) fn cors_preflight_fetch(
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
            let (reason, why) = preflight_reason(hop, method_safe, &unsafe_names);
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
}

/// Why the request needs a preflight (§CORS-preflight fetch is used when
/// the use-CORS-preflight flag is set, the method is not safelisted, or a
/// header is CORS-unsafe), for the trace.
fn preflight_reason(
    hop: &Built,
    method_safe: bool,
    unsafe_names: &safelist::UnsafeHeaderNames,
) -> (Reason, String) {
    if hop.use_preflight_flag {
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
        // One pass over the header list, not one per name (linear work).
        (
            Reason::PreflightNeededHeaders,
            safelist::describe_unsafe_names(unsafe_names, &hop.headers),
        )
    }
}
