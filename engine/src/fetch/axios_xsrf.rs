//! axios' own XSRF header (axios `v1.7.9` `lib/helpers/resolveConfig.js`,
//! `lib/helpers/isURLSameOrigin.js`, `lib/helpers/cookies.js`): in a
//! browser, when `withXSRFToken` is true, or is not `false` and the URL is
//! same-origin (protocol and host:port), axios reads `xsrfCookieName`
//! (`XSRF-TOKEN`) from `document.cookie`, `decodeURIComponent`s it and sets
//! `xsrfHeaderName` (`X-XSRF-TOKEN`). Since axios 1.6.0 a cross-origin URL
//! gets it only with `withXSRFToken: true` (before, `withCredentials` was
//! enough). fetch and XHR never do this.

use url::Url;

use super::simulate::Run;
use crate::cookie_store::{GetContext, PartitionKey};
use crate::headers::HeaderList;
use crate::scenario::{Client, RequestSpec};
use crate::site::{same_site, site_of};
use crate::spec;
use crate::trace::{Phase, Reason, Step, Verdict};

/// axios' `xsrfCookieName` and `xsrfHeaderName` defaults (`lib/defaults/index.js`).
pub const XSRF_COOKIE: &str = "XSRF-TOKEN";
pub const XSRF_HEADER: &str = "X-XSRF-TOKEN";

impl Run {
    /// What `document.cookie` returns in this document (RFC 6265bis §5.8.3
    /// for a non-HTTP API: no HttpOnly cookies).
    pub(super) fn document_cookie(&self, page: &Url, top: Option<&Url>) -> String {
        let schemeful = self.profile.site_rules();
        let same = top.is_none_or(|t| same_site(t, page, schemeful));
        // The Storage Access API gives `document.cookie` the unpartitioned
        // cookies too (SameSite still applies).
        let granted = self
            .storage_access
            .as_ref()
            .is_some_and(|a| a.covers(page, std::slice::from_ref(page)));
        let ctx = GetContext {
            url: page,
            same_site: same,
            top_level_navigation: false,
            safe_method: true,
            from_http: false,
            third_party: !same && !granted,
            partition_key: PartitionKey::for_request(
                site_of(top.unwrap_or(page)).to_string(),
                false,
                !same,
                &self.profile,
            ),
            now: self.now,
        };
        self.jar
            .get(&ctx, &self.profile, usize::MAX)
            .cookie_header
            .unwrap_or_default()
    }

    /// Sets `X-XSRF-TOKEN` as axios does, with a step; says why not when a
    /// state-changing request goes without it while the jar holds the cookie.
    pub(super) fn axios_xsrf(
        &mut self,
        index: usize,
        spec: &RequestSpec,
        (page, top): (&Url, Option<&Url>),
        same_origin: bool,
        headers: &mut HeaderList,
    ) {
        let Client::Axios {
            with_xsrf_token, ..
        } = spec.client
        else {
            return;
        };
        let cookies = self.document_cookie(page, top);
        let value = read_cookie(&cookies, XSRF_COOKIE);
        let in_jar = self
            .jar
            .view(self.now)
            .into_iter()
            .find(|c| c.name == XSRF_COOKIE);
        let unsafe_method = !matches!(
            spec.method.trim().to_ascii_uppercase().as_str(),
            "GET" | "HEAD" | "OPTIONS"
        );
        if with_xsrf_token || same_origin {
            match value {
                Some(v) => {
                    self.steps.push(
                        Step::new(
                            Some(index),
                            Phase::Request,
                            Verdict::Ok,
                            Reason::AxiosXsrfHeader,
                            "axios sets X-XSRF-TOKEN from the XSRF-TOKEN cookie",
                            format!(
                                "axios reads `XSRF-TOKEN` from document.cookie and sends it, URL-decoded, as `X-XSRF-TOKEN` ({}).",
                                if same_origin {
                                    "the URL is same-origin with the page"
                                } else {
                                    "`withXSRFToken: true`"
                                }
                            ),
                            spec::AXIOS_XSRF,
                        )
                        .with(XSRF_HEADER, v.clone()),
                    );
                    headers.set(XSRF_HEADER, v);
                }
                None => {
                    if let (Some(c), true) = (in_jar, unsafe_method) {
                        let why = if c.http_only {
                            "it is HttpOnly, so document.cookie does not show it".to_string()
                        } else {
                            format!(
                                "it belongs to `{}` (path `{}`), which this page at {} is not covered by: document.cookie shows only the page's own host's cookies (or a Domain= cookie of its parent domain)",
                                c.domain,
                                c.path,
                                page.host_str().unwrap_or("")
                            )
                        };
                        self.steps.push(Step::new(
                            Some(index),
                            Phase::Request,
                            Verdict::Warning,
                            Reason::AxiosXsrfSkipped,
                            "axios cannot read the XSRF-TOKEN cookie",
                            format!(
                                "The browser holds `XSRF-TOKEN`, but {why}; axios finds no value and sends no `X-XSRF-TOKEN`. For a front end on another subdomain, set SESSION_DOMAIN to the parent domain (e.g. `.example.com`)."
                            ),
                            spec::AXIOS_XSRF,
                        ));
                    }
                }
            }
        } else if unsafe_method && (value.is_some() || in_jar.is_some()) {
            self.steps.push(Step::new(
                Some(index),
                Phase::Request,
                Verdict::Warning,
                Reason::AxiosXsrfSkipped,
                "axios does not send X-XSRF-TOKEN to another origin",
                "Since axios 1.6.0 the `XSRF-TOKEN` cookie is copied into `X-XSRF-TOKEN` only for same-origin URLs, unless the request says `withXSRFToken: true` (or `axios.defaults.withXSRFToken = true`). This URL is cross-origin, so the header is not sent.",
                spec::AXIOS_XSRF,
            ));
        }
    }
}

/// axios `cookies.read(name)`: the first `name=value` of document.cookie
/// (`(^|;\s*)(name)=([^;]*)`), `decodeURIComponent`ed.
pub fn read_cookie(document_cookie: &str, name: &str) -> Option<String> {
    document_cookie.split(';').find_map(|pair| {
        let (n, v) = pair.trim_start().split_once('=')?;
        (n == name).then(|| decode_uri_component(v))
    })
}

/// `decodeURIComponent`; a malformed escape is kept as written.
fn decode_uri_component(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Some(v) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_first_cookie_of_that_name_decoded() {
        assert_eq!(
            read_cookie("a=1; XSRF-TOKEN=eyJ%3D%3D; XSRF-TOKEN=2", "XSRF-TOKEN").as_deref(),
            Some("eyJ==")
        );
        assert_eq!(read_cookie("MY-XSRF-TOKEN=1", "XSRF-TOKEN"), None);
        assert_eq!(read_cookie("", "XSRF-TOKEN"), None);
        assert_eq!(
            read_cookie("XSRF-TOKEN=%zz", "XSRF-TOKEN").as_deref(),
            Some("%zz")
        );
    }
}
