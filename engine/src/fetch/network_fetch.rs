//! Fetch §HTTP-network-or-cache fetch and §HTTP-network fetch: the headers
//! the browser adds when the request goes out (`Origin`, and `Cookie` from
//! the cookie store, RFC 6265bis §5.8.3), the server's answer, and its
//! `Set-Cookie` stored while the response arrives — before any CORS check.

use super::http_fetch::chain_text;
use super::redirect::Taint;
use super::simulate::{client_name, credentials_fix, Built, Chain, InFlight, Run};
use crate::cookie_store::{GetContext, PartitionKey, SetContext};
use crate::headers::HeaderList;
use crate::http::{WireRequest, WireResponse};
use crate::origin::Origin;
use crate::scenario::{CredentialsMode, RequestSpec};
use crate::site::{same_site, site_of};
use crate::spec;
use crate::trace::{Exchange, Phase, Reason, RejectedCookie, Step, Verdict};
use url::Url;

/// What the network fetch hands back to HTTP fetch.
pub(super) struct NetworkResult {
    pub(super) status: u16,
    /// Names of the cookies this response stored.
    pub(super) stored: Vec<String>,
}

/// RFC 6265bis §5.2 and Fetch §Determine the same-site mode, for the
/// current URL of the chain.
struct CookieSite {
    /// Same-site for cookies, were it not for the redirect chain.
    untainted_same: bool,
    /// Same-site for cookies, the chain's detours included.
    same_site: bool,
    third_party: bool,
    /// The storage access grant is why the request is not third-party.
    storage_access_used: bool,
    /// Cross-site to the top-level site, whatever storage access says.
    cross_site_to_top: bool,
    partition_key: PartitionKey,
    /// The first party for cookies (WebKit's `firstPartyForCookies`): the
    /// top-level document's URL, or the request's for a top-level navigation.
    first_party: Url,
}

impl Run {
    /// Fetch §HTTP-network-or-cache fetch (steps 8–11: credentials, `Origin`,
    /// `Cookie`) and §HTTP-network fetch (the server answers; `Set-Cookie`
    /// goes to the cookie store). The exchange is recorded in the chain.
    pub(super) fn http_network_or_cache_fetch(
        &mut self,
        f: &mut InFlight,
        origin_value: &str,
        taint: Taint,
    ) -> NetworkResult {
        let site = self.site_for_cookies(f, taint);
        let mut headers = f.hop.headers.clone();
        if f.hop.send_origin {
            headers.push("Origin", origin_value);
        }
        if site.storage_access_used
            && self.profile.third_party_cookies != crate::profile::ThirdPartyCookies::Allow
            && !self
                .steps
                .iter()
                .any(|s| s.request == Some(f.index) && s.reason == Reason::StorageAccessUsed)
        {
            self.steps
                .push(super::storage_access::storage_access_used_step(
                    f.index,
                    &f.hop.url,
                    &self.top_site,
                ));
        }
        self.append_request_cookies(f, &site, &mut headers);
        let access_status = self.storage_access_status(f, &site);
        if let Some(status) = access_status {
            headers.push("Sec-Fetch-Storage-Access", status.key());
            // The server needs the origin to answer `allowed-origin`.
            if status == super::storage_access::StorageAccessStatus::Inactive && !f.hop.send_origin
            {
                headers.push("Origin", origin_value);
            }
        }

        // §HTTP-network fetch: the server answers.
        let wire = WireRequest {
            method: f.hop.method.clone(),
            url: f.hop.url.to_string(),
            headers,
            is_preflight: false,
        };
        let reply = f.server.respond(&wire, f.index);
        self.steps.extend(reply.steps);
        let response = reply.response;
        // Storage Access Headers: `Activate-Storage-Access: retry` on an
        // `inactive` request makes the browser send it again, with access.
        if let Some(step) = super::storage_access::activate_storage_access(
            f.index,
            access_status,
            &response.headers,
            origin_value,
        ) {
            let retry = step.reason == Reason::StorageAccessRetried;
            self.steps.push(step);
            if retry && !self.storage_access_retried.contains(&f.index) {
                self.storage_access_retried.push(f.index);
                return self.http_network_or_cache_fetch(f, origin_value, taint);
            }
        }
        let status = response.status;

        // Set-Cookie, only when credentials are included, on every response
        // of the chain, redirects too.
        let stored = self.store_cookies(
            f.index,
            f.spec,
            &f.hop,
            &response,
            site.same_site || f.top_nav,
            f.top_nav,
            site.third_party,
            site.partition_key,
            &site.first_party,
            &mut f.chain,
        );
        f.chain.exchanges.push(Exchange {
            request: wire,
            response: Some(response),
        });
        NetworkResult { status, stored }
    }

    /// Storage Access Headers §`Sec-Fetch-Storage-Access` (Chromium 133+,
    /// `CookieSettingsBase::GetStorageAccessStatus`): only on a credentialed
    /// request cross-site to the top-level site. `active`: its unpartitioned
    /// cookies go (third-party cookies allowed, or storage access covers it);
    /// `inactive`: a grant for the pair of sites exists but is not in use;
    /// `none` otherwise.
    fn storage_access_status(
        &self,
        f: &InFlight,
        site: &CookieSite,
    ) -> Option<super::storage_access::StorageAccessStatus> {
        use super::storage_access::StorageAccessStatus;
        if !self.profile.storage_access_headers || !f.hop.include_credentials {
            return None;
        }
        if !site.cross_site_to_top {
            return None;
        }
        if site.storage_access_used
            || self.profile.third_party_cookies == crate::profile::ThirdPartyCookies::Allow
        {
            return Some(StorageAccessStatus::Active);
        }
        let granted = self.storage_access_grant.as_ref().is_some_and(|frame| {
            f.top.is_some() && same_site(frame, &f.hop.url, self.profile.site_rules())
        });
        Some(if granted {
            StorageAccessStatus::Inactive
        } else {
            StorageAccessStatus::None
        })
    }

    /// RFC 6265bis §5.2 (the site for cookies and same-site requests) for
    /// the current URL, and the cookie partition (CHIPS).
    fn site_for_cookies(&self, f: &InFlight, taint: Taint) -> CookieSite {
        let url = &f.hop.url;
        let schemeful = self.profile.site_rules();
        // The Storage Access API: a grant makes the frame's own requests
        // first-party for the cookie policy (SameSite still applies).
        let lifted = !f.top_nav
            && f.top.is_some()
            && (self
                .storage_access
                .as_ref()
                .is_some_and(|a| a.covers(f.page, &f.url_list))
                || self.storage_access_retried.contains(&f.index));
        let top_level = f.top.unwrap_or(f.page);
        let untainted_same = if f.browser_initiated {
            // RFC 6265bis §5.2: a request with no client (a visit) is same-site.
            true
        } else if f.top_nav {
            // A top-level navigation is same-site when its initiator (the page) is.
            same_site(f.page, url, schemeful) && f.top.is_none()
        } else {
            // §5.2.1: the site for cookies is the top-level site, and only
            // when every frame in between is same-site with it.
            let frames_same = f.top.is_none_or(|t| same_site(t, f.page, schemeful));
            frames_same && same_site(top_level, url, schemeful)
        };
        CookieSite {
            untainted_same,
            // Fetch §Determine the same-site mode: a redirect chain that went
            // through another site makes the request cross-site for SameSite,
            // even when its current URL is same-site again.
            same_site: untainted_same && taint != Taint::CrossSite,
            third_party: !f.top_nav && !same_site(top_level, url, schemeful) && !lifted,
            cross_site_to_top: !f.top_nav && !same_site(top_level, url, schemeful),
            storage_access_used: lifted,
            first_party: if f.top_nav {
                url.clone()
            } else {
                top_level.clone()
            },
            // CHIPS: the top-level site, with Chromium's cross-site-ancestor
            // bit when the request is not same-site with it.
            partition_key: PartitionKey::for_request(
                if f.top_nav {
                    site_of(url).to_string()
                } else {
                    self.top_site.clone()
                },
                f.top_nav,
                !untainted_same,
                &self.profile,
            ),
        }
    }

    /// §HTTP-network-or-cache fetch step 11 (append the `Cookie` header when
    /// credentials are included), with the cookies RFC 6265bis §5.8.3 picks;
    /// or say which cookies the credentials mode keeps back.
    fn append_request_cookies(
        &mut self,
        f: &mut InFlight,
        site: &CookieSite,
        headers: &mut HeaderList,
    ) {
        let index = f.index;
        let mut get_ctx = GetContext {
            url: &f.hop.url,
            same_site: site.same_site,
            top_level_navigation: f.top_nav,
            safe_method: matches!(f.hop.method.as_str(), "GET" | "HEAD" | "OPTIONS" | "TRACE"),
            from_http: true,
            third_party: site.third_party,
            partition_key: site.partition_key.clone(),
            now: self.now,
        };
        let got = self.jar.get(&get_ctx, &self.profile, index);
        if !f.hop.include_credentials {
            if !got.sent.is_empty() {
                self.cookies_kept_back(index, f.spec, f.hop.credentials_mode, &got.sent);
            }
            return;
        }
        if site.untainted_same && !site.same_site {
            // What the same request would have carried without the detour.
            get_ctx.same_site = true;
            let without = self.jar.get(&get_ctx, &self.profile, index);
            let lost: Vec<&str> = without
                .sent
                .iter()
                .filter(|n| !got.sent.contains(n))
                .map(String::as_str)
                .collect();
            if !lost.is_empty() {
                self.steps.push(redirect_downgrade_step(
                    index,
                    &f.hop.url,
                    &lost,
                    &f.url_list,
                ));
            }
        }
        self.steps.extend(got.steps);
        if let Some(cookie) = got.cookie_header {
            headers.push("Cookie", cookie);
        }
        for name in got.sent {
            if !f.chain.cookies_sent.contains(&name) {
                f.chain.cookies_sent.push(name);
            }
        }
    }

    /// The jar holds cookies for the URL, but the credentials mode keeps
    /// them off the request (Fetch §HTTP-network-or-cache fetch step 8.4).
    fn cookies_kept_back(
        &mut self,
        index: usize,
        spec: &RequestSpec,
        credentials_mode: CredentialsMode,
        sent: &[String],
    ) {
        let (reason, why) = match credentials_mode {
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
        let names = sent.join(", ");
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

    /// §HTTP-network fetch: store the response's `Set-Cookie` lines when
    /// credentials are included (the "include credentials" check before
    /// "set-cookie-string" is handed to the cookie store), or say they were
    /// ignored. Returns the names stored.
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
        partition_key: PartitionKey,
        first_party: &Url,
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
                first_party: Some(first_party),
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
}

/// Chromium's `WARN_CROSS_SITE_REDIRECT_DOWNGRADE_CHANGES_INCLUSION`: the
/// cookies a cross-site detour in the redirect chain kept back.
fn redirect_downgrade_step(
    index: usize,
    url: &url::Url,
    lost: &[&str],
    url_list: &[url::Url],
) -> Step {
    let names = lost.join(", ");
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
    .with("Redirect chain", chain_text(url_list))
}
