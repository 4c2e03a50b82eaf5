//! The cookie jar: storing cookies from `Set-Cookie` (RFC 6265bis §5.7) and
//! choosing the ones that go on a request (§5.8.3), with the differences
//! between browsers taken from [`BrowserProfile`] fields.
//!
//! Every decision becomes a [`Step`] with an enumerated [`Reason`] and a
//! plain explanation, so the trace can say why a cookie was not stored or
//! not sent, and what would change that.

use std::fmt;

use url::{Host, Url};

use crate::origin::{host_string, is_potentially_trustworthy};
use crate::profile::{BrowserProfile, Family, PartitionedWithoutSecure, ThirdPartyCookies};
use crate::set_cookie::{parse_set_cookie, ParsedSetCookie, SameSiteAttr};
use crate::site::is_public_suffix;
use crate::spec;
use crate::trace::{CookieView, Phase, Reason, SpecRef, Step, Verdict};

/// 6265bis §5.5: lifetimes are capped at 400 days.
pub const MAX_LIFETIME_SECS: i64 = 400 * 86_400;

/// The key of a cookie partition (CHIPS, Firefox Total Cookie Protection),
/// modelled on Chromium's `CookiePartitionKey`: the top-level site, and the
/// cross-site ancestor bit (`AncestorChainBit`). A partitioned cookie is
/// only sent under the key it was stored with.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PartitionKey {
    /// The top-level site, serialized: `https://a.example`.
    pub top_level_site: String,
    /// A frame between the top-level page and the request's document, or
    /// the request itself, is cross-site with the top-level site
    /// (Chromium's `kCrossSite`). Always false where the browser's key has
    /// no such bit ([`BrowserProfile::partition_key_ancestor_bit`]).
    pub cross_site_ancestor: bool,
}

impl PartitionKey {
    /// The key of a context with no cross-site ancestor: the top-level
    /// page, or a frame same-site with it.
    pub fn top_level(site: impl Into<String>) -> PartitionKey {
        PartitionKey {
            top_level_site: site.into(),
            cross_site_ancestor: false,
        }
    }

    /// The key a request is made under, built as Chromium's
    /// `CookiePartitionKey::FromNetworkIsolationKey` does: the top-level
    /// site (for a top-level navigation, the site it goes to), and the bit,
    /// clear on a top-level navigation and otherwise set when
    /// `cross_site_chain`: some frame between the top-level page and the
    /// request's document is cross-site with the top-level site (the site
    /// for cookies is then null), or the request's URL is.
    pub fn for_request(
        top_level_site: String,
        top_level_navigation: bool,
        cross_site_chain: bool,
        profile: &BrowserProfile,
    ) -> PartitionKey {
        PartitionKey {
            top_level_site,
            cross_site_ancestor: profile.partition_key_ancestor_bit
                && !top_level_navigation
                && cross_site_chain,
        }
    }
}

/// A top-level site alone is the key of a context with no cross-site ancestor.
impl From<&str> for PartitionKey {
    fn from(site: &str) -> PartitionKey {
        PartitionKey::top_level(site)
    }
}

impl From<String> for PartitionKey {
    fn from(site: String) -> PartitionKey {
        PartitionKey::top_level(site)
    }
}

impl fmt::Display for PartitionKey {
    /// `https://a.example`, or `https://a.example (cross-site ancestor)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.top_level_site)?;
        if self.cross_site_ancestor {
            f.write_str(" (cross-site ancestor)")?;
        }
        Ok(())
    }
}

/// One stored cookie (6265bis §5.7, plus the CHIPS / Firefox partition).
#[derive(Clone, Debug, PartialEq, Eq)]
struct Cookie {
    name: String,
    value: String,
    domain: String,
    host_only: bool,
    path: String,
    secure: bool,
    http_only: bool,
    same_site: SameSiteAttr,
    /// `None`: session cookie. `i64::MIN`: already expired (Max-Age ≤ 0).
    expires: Option<i64>,
    /// Simulated clock at creation (kept when a cookie is replaced).
    creation: i64,
    /// Tie-breaker for equal creation times: the order cookies were created.
    order: u64,
    /// The partition that holds the cookie, if any.
    partition: Option<PartitionKey>,
}

impl Cookie {
    /// 6265bis §5.7: "expired" = expiry date in the past. Like Chromium,
    /// a cookie expiring exactly now is expired.
    fn expired(&self, now: i64) -> bool {
        self.expires.is_some_and(|t| t <= now)
    }

    fn display_name(&self) -> String {
        display_name(&self.name)
    }

    fn domain_label(&self) -> String {
        if self.host_only {
            format!("{} (host-only)", self.domain)
        } else {
            format!(".{}", self.domain)
        }
    }
}

fn display_name(name: &str) -> String {
    if name.is_empty() {
        "(name-less cookie)".to_string()
    } else {
        name.to_string()
    }
}

/// A browser's cookie store for one simulation.
#[derive(Clone, Default, Debug)]
pub struct CookieJar {
    cookies: Vec<Cookie>,
    next_order: u64,
}

/// Where a `Set-Cookie` (or `document.cookie = …`) came from.
#[derive(Clone, Debug)]
pub struct SetContext<'a> {
    /// The URL of the response that carried Set-Cookie.
    pub url: &'a Url,
    /// False for a cross-site request that is not a top-level navigation
    /// (Fetch "determine the same-site mode"; 6265bis §5.7 step 18).
    pub same_site_strict_or_lax_allowed: bool,
    pub top_level_navigation: bool,
    /// True: Set-Cookie header; false: `document.cookie`.
    pub from_http: bool,
    /// The request is cross-site to the top-level site (third-party context).
    pub third_party: bool,
    /// The partition the response is received in: the top-level site, e.g.
    /// `http://localhost`, and the cross-site ancestor bit.
    pub partition_key: PartitionKey,
    /// The first party for cookies: the top-level document's URL (the
    /// request's own URL for a top-level navigation), as WebKit passes it to
    /// libsoup (`FrameLoader::updateRequestAndAddExtraFields`). `None`: no
    /// document (the jar is set up by hand).
    pub first_party: Option<&'a Url>,
    /// Simulated clock, Unix seconds.
    pub now: i64,
}

/// What happened to one `Set-Cookie` line.
#[derive(Clone, Debug, PartialEq)]
pub struct SetOutcome {
    /// The cookie's name; `(name-less cookie)` when it has none.
    pub name: String,
    /// The jar now holds this cookie (false when rejected or when the line
    /// deleted a cookie).
    pub stored: bool,
    pub rejected: Option<Reason>,
    pub steps: Vec<Step>,
}

/// The request cookies are retrieved for.
#[derive(Clone, Debug)]
pub struct GetContext<'a> {
    pub url: &'a Url,
    /// The request is same-site with the site for cookies (6265bis §5.2).
    pub same_site: bool,
    pub top_level_navigation: bool,
    /// GET, HEAD, OPTIONS or TRACE (RFC 9110 "safe").
    pub safe_method: bool,
    /// True: Cookie header; false: `document.cookie`.
    pub from_http: bool,
    pub third_party: bool,
    /// The partition the request is made in.
    pub partition_key: PartitionKey,
    pub now: i64,
}

/// The cookies on one request, and why each stored cookie was or was not sent.
#[derive(Clone, Debug, PartialEq)]
pub struct GetOutcome {
    /// `a=b; c=d` in 6265bis §5.8.3 order (longer paths first, then earlier
    /// creation); `None` when no cookie goes.
    pub cookie_header: Option<String>,
    /// Names of the cookies sent, in header order (`(name-less cookie)`
    /// for one without a name).
    pub sent: Vec<String>,
    pub steps: Vec<Step>,
}

/// How the URL counts for Secure cookies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Security {
    /// https (or wss).
    Cryptographic,
    /// `http://localhost`, loopback: trusted by this browser.
    TrustedLocal,
    Insecure,
}

fn security(url: &Url, profile: &BrowserProfile) -> Security {
    // 6265bis §5.8.3 note / "Changes": https, and potentially trustworthy
    // origins where the browser treats them so (Chrome, Firefox; not Safari).
    match url.scheme() {
        "https" | "wss" => Security::Cryptographic,
        _ if profile.localhost_is_secure_for_cookies && is_potentially_trustworthy(url) => {
            Security::TrustedLocal
        }
        _ => Security::Insecure,
    }
}

/// 6265bis §5.1.3: identical, or a suffix on a '.' boundary of a host name
/// (never of an IP address).
pub fn domain_match(string: &str, domain: &str) -> bool {
    if string == domain {
        return true;
    }
    string.len() > domain.len()
        && string.ends_with(domain)
        && string.as_bytes()[string.len() - domain.len() - 1] == b'.'
        && !is_ip_address(string)
}

fn is_ip_address(host: &str) -> bool {
    host.parse::<std::net::Ipv4Addr>().is_ok()
        || host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(host)
            .parse::<std::net::Ipv6Addr>()
            .is_ok()
}

/// 6265bis §5.1.4: the default-path of a request URI.
pub fn default_path(url: &Url) -> String {
    let path = url.path();
    // Step 2: empty or not starting with '/'.
    if !path.starts_with('/') {
        return "/".to_string();
    }
    // Steps 3–4: up to, not including, the right-most '/'.
    match path.rfind('/') {
        Some(0) | None => "/".to_string(),
        Some(i) => path[..i].to_string(),
    }
}

/// 6265bis §5.1.4: request-path path-matches cookie-path.
pub fn path_match(request_path: &str, cookie_path: &str) -> bool {
    request_path == cookie_path
        || (request_path.starts_with(cookie_path)
            && (cookie_path.ends_with('/')
                || request_path.as_bytes().get(cookie_path.len()) == Some(&b'/')))
}

/// Which name prefix a name carries (6265bis §5.4; layered cookies adds
/// `__Http-` and `__Host-Http-`), matched case-insensitively.
fn has_prefix(s: &str, prefix: &str) -> bool {
    s.len() >= prefix.len() && s.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

/// The steps of one `set` call: the cookie's name as shown, the values that
/// mattered, and the steps so far. Each step group of 6265bis §5.7 is a
/// method here; a group that ignores the cookie returns `Err` with the
/// finished [`SetOutcome`], so [`CookieJar::receive`] reads like the spec.
struct SetSteps<'a> {
    request: usize,
    name: String,
    values: Vec<(&'static str, String)>,
    steps: Vec<Step>,
    profile: &'a BrowserProfile,
}

/// A finished `set` call that stored nothing: the cookie was ignored.
type Ignored = SetOutcome;

impl SetSteps<'_> {
    fn step(
        &self,
        verdict: Verdict,
        reason: Reason,
        title: String,
        explanation: String,
        spec: SpecRef,
    ) -> Step {
        let mut step = Step::new(
            Some(self.request),
            Phase::SetCookie,
            verdict,
            reason,
            title,
            explanation,
            spec,
        )
        .with("Cookie", self.name.clone());
        for (label, value) in &self.values {
            step = step.with(*label, value.clone());
        }
        step
    }

    fn note(
        &mut self,
        verdict: Verdict,
        reason: Reason,
        title: String,
        text: String,
        spec: SpecRef,
    ) {
        let step = self.step(verdict, reason, title, text, spec);
        self.steps.push(step);
    }

    /// The outcome of the call, taking the steps collected so far.
    fn outcome(&mut self, stored: bool, rejected: Option<Reason>) -> SetOutcome {
        SetOutcome {
            name: self.name.clone(),
            stored,
            rejected,
            steps: std::mem::take(&mut self.steps),
        }
    }

    fn reject(&mut self, reason: Reason, title: &str, text: String, spec: SpecRef) -> Ignored {
        let title = format!("{} rejected: {title}", self.name);
        let step = self.step(Verdict::Blocked, reason, title, text, spec);
        self.steps.push(step);
        self.outcome(false, Some(reason))
    }

    /// 6265bis §5.6 (parsing the line) and §5.7 steps 2–4 (nothing to
    /// store, control characters, over 4096 bytes), which the parser checks.
    fn parse(&mut self, line: &str) -> Result<ParsedSetCookie, Ignored> {
        let c = match parse_set_cookie(line) {
            Ok(c) => c,
            Err(reason) => return Err(parse_rejection(self, reason, line)),
        };
        self.name = display_name(&c.name);
        for &w in &c.warnings {
            let (title, text, spec) = match w {
                Reason::WarnAttributeValueExceedsMaxSize => (
                    format!("{}: an attribute over 1024 bytes was ignored", self.name),
                    "An attribute value longer than 1024 bytes is ignored as if it were not there; the cookie itself is still processed. Shorten the attribute (usually Path or Domain) if you meant it to apply.".to_string(),
                    spec::COOKIE_SET_COOKIE,
                ),
                _ => (
                    format!("{}: Expires is not a date; session cookie", self.name),
                    "The Expires value could not be read as a cookie date, so it is ignored and, unless Max-Age is given, the cookie lasts only for the browser session. Write it like `Expires=Wed, 21 Oct 2026 07:28:00 GMT`, or use `Max-Age=<seconds>`.".to_string(),
                    spec::COOKIE_EXPIRES,
                ),
            };
            self.note(Verdict::Warning, w, title, text, spec);
        }
        Ok(c)
    }

    /// 6265bis §5.7 step 9.1–9.2: the canonicalized request-host, and
    /// whether it is an IP address.
    fn request_host(&mut self, url: &Url) -> Result<(String, bool), Ignored> {
        let Some(url_host) = url.host() else {
            return Err(self.reject(
                Reason::ExcludeFailureToStore,
                "the URL has no host",
                "Cookies are scoped to a host, and this URL has none, so the browser cannot store the cookie. Cookies only work on http(s) URLs with a host name.".into(),
                spec::COOKIE_STORAGE_MODEL,
            ));
        };
        Ok((host_string(&url_host), !matches!(url_host, Host::Domain(_))))
    }

    /// 6265bis §5.7 step 6: Max-Age beats Expires; §5.5: capped at 400 days.
    fn expiry_time(&mut self, c: &ParsedSetCookie, now: i64) -> Option<i64> {
        let cap = now.saturating_add(MAX_LIFETIME_SECS);
        let (expires, capped) = match (c.max_age, c.expires) {
            (Some(delta), _) if delta <= 0 => (Some(i64::MIN), false),
            (Some(delta), _) if delta > MAX_LIFETIME_SECS => (Some(cap), true),
            (Some(delta), _) => (Some(now.saturating_add(delta)), false),
            (None, Some(t)) if t > cap => (Some(cap), true),
            (None, Some(t)) => (Some(t), false),
            (None, None) => (None, false),
        };
        if capped {
            self.note(
                Verdict::Warning,
                Reason::WarnLifetimeCapped,
                format!("{}: lifetime capped at 400 days", self.name),
                "The cookie asked to live longer than 400 days; browsers shorten any Expires or Max-Age to at most 400 days from now. Nothing to fix unless you rely on a longer lifetime; refresh the cookie on later visits instead.".into(),
                spec::COOKIE_LIFETIME_LIMITS,
            );
        }
        expires
    }

    /// 6265bis §5.7 steps 7–10: the cookie's domain and host-only-flag.
    fn cookie_domain(
        &mut self,
        c: &ParsedSetCookie,
        host: &str,
        host_is_ip: bool,
    ) -> Result<(String, bool), Ignored> {
        // Step 7: the Domain attribute, or the empty string.
        let mut domain_attr = c.domain.clone().unwrap_or_default();
        // Step 8: a Domain with characters outside CHAR (non-ASCII) is ignored entirely.
        if !domain_attr.is_ascii() {
            self.values.push(("Domain", domain_attr.clone()));
            return Err(self.reject(
                Reason::ExcludeDomainNonAscii,
                "Domain has non-ASCII characters",
                format!("The Domain attribute `{domain_attr}` contains non-ASCII characters, and browsers ignore such a cookie entirely. Write the domain in its ASCII (punycode, `xn--…`) form, or drop Domain to make a host-only cookie."),
                spec::COOKIE_STORE_DOMAIN,
            ));
        }
        // libsoup (parse_one_cookie): a Domain with no dot inside it, once a
        // leading dot is dropped, makes the whole cookie invalid.
        if self.profile.domain_needs_embedded_dot
            && !domain_attr.is_empty()
            && !domain_attr.trim_start_matches('.').contains('.')
        {
            self.values.push(("Domain", domain_attr.clone()));
            return Err(self.reject(
                Reason::ExcludeInvalidDomain,
                &format!("Domain={domain_attr} has no dot: ignored"),
                format!("{} ignores a cookie whose `Domain` has no dot inside it, such as `localhost`, whatever the host (libsoup, its cookie store). Chrome and Firefox keep `Domain=localhost` from localhost as a host-only cookie. Drop the Domain attribute: a host-only cookie for {host} is what it meant.", self.profile.name),
                spec::LIBSOUP_COOKIE_DOMAIN,
            ));
        }
        // Chromium: on an IP-address host, a Domain equal to the host gives a
        // host-only cookie (6265bis gives the same result: an IP address only
        // domain-matches itself).
        if host_is_ip && !domain_attr.is_empty() && domain_attr == host {
            self.note(
                Verdict::Ok,
                Reason::DomainPublicSuffixHostOnly,
                format!("{}: Domain={} kept host-only", self.name, domain_attr),
                format!("The host is the IP address {host}, and an IP address only ever matches itself, so `Domain={domain_attr}` is stored as a host-only cookie for {host}. It will not be sent to any other host name, such as `localhost`."),
                spec::COOKIE_DOMAIN_MATCH,
            );
            domain_attr.clear();
        }
        // Step 9: a public suffix Domain is only allowed when it is the host itself.
        if !domain_attr.is_empty() && is_public_suffix(&domain_attr) {
            if domain_attr == host {
                self.note(
                    Verdict::Ok,
                    Reason::DomainPublicSuffixHostOnly,
                    format!("{}: Domain={} kept host-only", self.name, domain_attr),
                    format!("`{domain_attr}` is a public suffix (like `com` or `localhost`), so no cookie may cover all of its subdomains. Because it is exactly the host, the browser stores the cookie as host-only for {host} instead of rejecting it."),
                    spec::COOKIE_STORE_DOMAIN,
                );
                domain_attr.clear();
            } else {
                self.values.push(("Domain", domain_attr.clone()));
                self.values.push(("Host", host.to_string()));
                return Err(self.reject(
                    Reason::ExcludeInvalidDomain,
                    &format!("Domain={domain_attr} is a public suffix"),
                    format!("`{domain_attr}` is a public suffix (like `com`, `github.io` or `localhost`): a cookie for it would be sent to every site under it, so browsers refuse it when it comes from {host}. Drop the Domain attribute (a host-only cookie for {host}), or use a domain you own, such as the registrable domain of {host} if it has one."),
                    spec::COOKIE_STORE_DOMAIN,
                ));
            }
        }
        // Step 10: the host must domain-match the Domain attribute.
        if domain_attr.is_empty() {
            Ok((host.to_string(), true))
        } else if domain_match(host, &domain_attr) {
            Ok((domain_attr, false))
        } else {
            self.values.push(("Domain", domain_attr.clone()));
            self.values.push(("Host", host.to_string()));
            let why = if host_is_ip {
                format!("{host} is an IP address, and an IP address only matches itself.")
            } else {
                format!("A response may only set cookies for its own host or a parent domain of it, and `{domain_attr}` is neither for {host}.")
            };
            Err(self.reject(
                Reason::ExcludeInvalidDomain,
                &format!("Domain={domain_attr} does not match {host}"),
                format!("{why} The browser ignores the cookie entirely. Set the cookie from a host under `{domain_attr}`, or drop the Domain attribute to make it host-only for {host}."),
                spec::COOKIE_STORE_DOMAIN,
            ))
        }
    }

    /// 6265bis §5.7 step 13: a Secure cookie needs a secure origin.
    fn secure_needs_secure_origin(
        &mut self,
        c: &ParsedSetCookie,
        url: &Url,
        sec: Security,
    ) -> Result<(), Ignored> {
        if !(c.secure && sec == Security::Insecure) {
            return Ok(());
        }
        self.values.push(("URL", url.to_string()));
        let local = is_potentially_trustworthy(url);
        let text = if local {
            format!("The cookie has `Secure`, and {} does not treat `{}` as a secure origin for cookies, so the cookie is ignored. Chrome and Firefox accept Secure cookies over http://localhost; Safari does not. Serve the API over https (a local certificate), or drop `Secure` in development.", self.profile.name, url.origin().ascii_serialization())
        } else {
            format!("The cookie has `Secure`, but it came over plain http from `{}`, so the browser ignores it: only https origins (and, in Chrome and Firefox, http://localhost) may set Secure cookies. Serve the response over https, or use localhost in development; dropping `Secure` also works but then SameSite=None is refused.", url.origin().ascii_serialization())
        };
        Err(self.reject(
            Reason::ExcludeSecureFromInsecure,
            "Secure cookie from an insecure origin",
            text,
            spec::COOKIE_STORE_SECURE,
        ))
    }

    /// 6265bis §5.7 step 15: HttpOnly cookies cannot come from script.
    fn http_only_needs_http(
        &mut self,
        c: &ParsedSetCookie,
        from_http: bool,
    ) -> Result<(), Ignored> {
        if c.http_only && !from_http {
            return Err(self.reject(
                Reason::ExcludeHttpOnly,
                "HttpOnly cannot be set from script",
                "The page tried to create an HttpOnly cookie through document.cookie. HttpOnly means \"not visible to script\", so script may not create one either and the browser ignores it. Set the cookie from the server with a Set-Cookie header instead.".into(),
                spec::COOKIE_STORE_HTTP_ONLY,
            ));
        }
        Ok(())
    }

    /// 6265bis §5.7 step 18: SameSite cookies from cross-site subresource responses.
    fn same_site_from_cross_site(
        &mut self,
        c: &ParsedSetCookie,
        ctx: &SetContext,
    ) -> Result<(), Ignored> {
        if c.same_site == SameSiteAttr::None || ctx.same_site_strict_or_lax_allowed {
            return Ok(());
        }
        let profile = self.profile;
        if c.same_site == SameSiteAttr::Unspecified && !profile.lax_by_default {
            // Browsers without Lax-by-default treat a missing SameSite as None.
            self.note(
                Verdict::Warning,
                Reason::WarnSameSiteUnspecifiedCrossSite,
                format!("{}: no SameSite, set from a cross-site response", self.name),
                format!("The cookie has no SameSite attribute and came from a cross-site request. {} treats a missing SameSite as None and accepts it; Chrome treats it as Lax and would reject it. Add `SameSite=None; Secure` if the cookie is meant for cross-site use, or `SameSite=Lax` if not.", profile.name),
                spec::COOKIE_STORE_SAME_SITE,
            );
            return Ok(());
        }
        let (attr, reason_text) = match c.same_site {
            SameSiteAttr::Unspecified => ("no SameSite (treated as Lax)", format!("The cookie has no SameSite attribute, which {} treats as Lax (Firefox and Safari do not). ", profile.name)),
            SameSiteAttr::Strict => ("SameSite=Strict", "The cookie is SameSite=Strict. ".to_string()),
            _ => ("SameSite=Lax", "The cookie is SameSite=Lax. ".to_string()),
        };
        self.values
            .push(("SameSite", c.same_site.label().to_string()));
        Err(self.reject(
            Reason::ExcludeSameSiteCrossSiteSet,
            &format!("{attr} from a cross-site request"),
            format!("{reason_text}It came on the response to a cross-site request that is not a top-level navigation (a fetch, XHR, iframe or image), and such a response may only set SameSite=None cookies, so the browser ignores it. Add `SameSite=None; Secure` (and serve over https, or use localhost), or make the front end and API same-site."),
            spec::COOKIE_STORE_SAME_SITE,
        ))
    }

    /// 6265bis §5.7 step 19: SameSite=None requires Secure.
    fn none_needs_secure(&mut self, c: &ParsedSetCookie) -> Result<(), Ignored> {
        if c.same_site == SameSiteAttr::None && !c.secure && self.profile.none_requires_secure {
            return Err(self.reject(
                Reason::ExcludeSameSiteNoneInsecureSet,
                "SameSite=None needs Secure",
                "The cookie says `SameSite=None` but not `Secure`. Browsers only accept cross-site (None) cookies that are also Secure, so it is ignored, on same-site and cross-site responses alike. Add `Secure` (and serve over https, or use localhost, which Chrome and Firefox treat as secure).".into(),
                spec::COOKIE_STORE_NONE_SECURE,
            ));
        }
        Ok(())
    }

    /// 6265bis §5.7 steps 20–22 and layered cookies §Store a Cookie: name
    /// prefixes, matched case-insensitively (§5.4).
    fn name_prefixes(
        &mut self,
        c: &ParsedSetCookie,
        host_only: bool,
        path: &str,
    ) -> Result<(), Ignored> {
        let host_compatible = c.secure && host_only && c.path.is_some() && path == "/";
        let prefix_problem = if has_prefix(&c.name, "__Secure-") && !c.secure {
            Some((
                "`__Secure-`",
                "needs `Secure`".to_string(),
                spec::COOKIE_STORE_PREFIXES,
            ))
        } else if has_prefix(&c.name, "__Host-") && !host_compatible {
            let mut missing = Vec::new();
            if !c.secure {
                missing.push("`Secure`");
            }
            if !host_only {
                missing.push("no Domain attribute");
            }
            if c.path.is_none() || path != "/" {
                missing.push("`Path=/`");
            }
            Some((
                "`__Host-`",
                format!("needs {}", missing.join(", ")),
                spec::COOKIE_STORE_PREFIXES,
            ))
        } else if (has_prefix(&c.name, "__Http-") || has_prefix(&c.name, "__Host-Http-"))
            && !(c.secure && c.http_only)
        {
            Some((
                "`__Http-`",
                "needs `Secure` and `HttpOnly`".to_string(),
                spec::LAYERED_COOKIES_PREFIXES,
            ))
        } else if c.name.is_empty()
            && ["__Secure-", "__Host-", "__Http-"]
                .iter()
                .any(|p| has_prefix(&c.value, p))
        {
            Some((
                "a name-less cookie whose value looks like a prefix",
                "is never allowed".to_string(),
                spec::COOKIE_STORE_PREFIXES,
            ))
        } else {
            None
        };
        match prefix_problem {
            Some((prefix, need, spec)) => Err(self.reject(
                Reason::ExcludeInvalidPrefix,
                &format!("{prefix} {need}"),
                format!("A cookie named with {prefix} promises the server how it was set, so the browser checks that promise (case-insensitively: `__HOST-` counts too) and ignores the cookie when it is not kept: {prefix} {need}. Add the missing attributes, or rename the cookie."),
                spec,
            )),
            None => Ok(()),
        }
    }

    /// CHIPS: a `Partitioned` cookie must be `Secure`, and (Chromium) come
    /// from a secure URL. When this runs, and whether the browser says
    /// anything, is [`BrowserProfile::partitioned_without_secure`].
    fn partitioned_needs_secure(
        &mut self,
        c: &ParsedSetCookie,
        url: &Url,
        sec: Security,
    ) -> Result<(), Ignored> {
        if c.secure && sec != Security::Insecure {
            return Ok(());
        }
        let profile = self.profile;
        let (told, silently) = match profile.partitioned_without_secure {
            PartitionedWithoutSecure::SilentAtCreation if profile.family == Family::Chromium => (
                "drops it while creating the cookie, before any SameSite rule, and silently: DevTools lists no reason for it (the cookie is neither stored nor listed among the blocked cookies of the response)",
                " (dropped silently)",
            ),
            PartitionedWithoutSecure::SilentAtCreation => (
                "drops it while creating the cookie, before any SameSite rule, without a console message",
                " (dropped silently)",
            ),
            PartitionedWithoutSecure::LoggedAfterSameSiteNone => (
                "ignores it; the console says the cookie was rejected for having `Partitioned` without `secure`",
                "",
            ),
        };
        let (https, or_localhost) = if profile.localhost_is_secure_for_cookies {
            (
                "https (or localhost)",
                " (and serve over https, or use localhost)",
            )
        } else {
            ("https", " (and serve over https)")
        };
        let (title, text) = if c.secure {
            self.values.push(("URL", url.to_string()));
            (
                format!("Partitioned needs a secure origin{silently}"),
                format!("The cookie has `Partitioned` and `Secure`, but it came over plain http from `{}`, and a partitioned cookie must come from {https}. {} {told}. Serve the response over https.", url.origin().ascii_serialization(), profile.name),
            )
        } else {
            let none = if c.same_site == SameSiteAttr::None {
                " That also settles `SameSite=None`, which needs `Secure` as well."
            } else {
                ""
            };
            (
                format!("Partitioned needs Secure{silently}"),
                format!("The cookie has `Partitioned` but not `Secure`, and {} {told}. Add `Secure`{or_localhost}.{none}", profile.name),
            )
        };
        Err(self.reject(Reason::ExcludeInvalidPartitioned, &title, text, spec::CHIPS))
    }

    /// 6265bis §5.3 / §7.1: the browser's third-party cookie policy.
    fn third_party_policy(&mut self, ctx: &SetContext, partitioned: bool) -> Result<(), Ignored> {
        let profile = self.profile;
        if !(ctx.third_party
            && profile.third_party_cookies == ThirdPartyCookies::Block
            && (!partitioned || profile.block_covers_partitioned))
        {
            return Ok(());
        }
        self.values
            .push(("Top-level site", ctx.partition_key.top_level_site.clone()));
        let chips = if partitioned {
            " `Partitioned` does not help here: this setting refuses partitioned cookies from a third-party context too (Firefox's \"All third-party cookies\", cookieBehavior 1)."
        } else if profile.chips && !profile.block_covers_partitioned {
            " If the cookie only needs to work while embedded in this one top-level site, add `Partitioned; Secure` (CHIPS) and it will be stored in a jar for that site."
        } else {
            ""
        };
        Err(self.reject(
            Reason::ExcludeThirdPartyBlocked,
            "third-party cookies are blocked",
            format!("The response is cross-site to the top-level page ({}), and {} blocks third-party cookies, so it stores none, whatever SameSite says. Put the front end and API on the same site (e.g. app.example.com and api.example.com), or proxy the API through the front end's origin.{chips}", ctx.partition_key.top_level_site, profile.name),
            third_party_spec(profile),
        ))
    }
}

impl SetSteps<'_> {
    /// libsoup's "no third-party cookies" policy (`soup-cookie-jar.c`,
    /// `incoming_cookie_is_third_party`): the cookie is stored only when the
    /// base domain of its domain matches the base domain of the first party
    /// (`soup_host_matches_host`). Base domains come from libpsl without the
    /// star rule; when there is none, the cookie's domain as stored (with its
    /// leading dot for a `Domain` cookie) and the first party's host are
    /// compared instead. The check comes before the jar looks at the expiry,
    /// so a refused `Max-Age=0` deletes nothing.
    fn libsoup_first_party_only(&mut self, ctx: &SetContext, c: &Cookie) -> Result<(), Ignored> {
        if self.profile.third_party_cookies != ThirdPartyCookies::RejectIncoming {
            return Ok(());
        }
        let Some(first_party) = ctx.first_party.and_then(Url::host_str) else {
            return Ok(());
        };
        let stored_domain = if c.host_only {
            c.domain.clone()
        } else {
            format!(".{}", c.domain)
        };
        let cookie_base = crate::site::listed_base_domain(&c.domain).unwrap_or(stored_domain);
        let first_base = crate::site::listed_base_domain(first_party)
            .unwrap_or_else(|| first_party.to_ascii_lowercase());
        if libsoup_host_matches_host(&cookie_base, &first_base) {
            return Ok(());
        }
        self.values.push(("Cookie domain", cookie_base.clone()));
        self.values.push(("Top-level page", first_base.clone()));
        let deleting = c.expires.is_some_and(|e| e <= ctx.now);
        let what = if deleting {
            "The line would delete the cookie, and the deletion is refused as well: the old cookie stays."
        } else {
            "The cookie is not stored."
        };
        let known_suffix = crate::site::listed_base_domain(first_party).is_some();
        let hint = if c.host_only && !known_suffix {
            format!(" `{}` is under a suffix the Public Suffix List does not name, so WebKitGTK compares whole host names: a host-only cookie from another host never counts as first-party here, while `Domain={}` would.", first_base, first_base.split_once('.').map_or(first_base.as_str(), |(_, rest)| rest))
        } else {
            String::new()
        };
        Err(self.reject(
            Reason::ExcludeThirdPartyBlocked,
            "not stored: a third-party cookie",
            format!("{} stores a cookie only when its domain is under the top-level page's domain (libsoup's \"no third-party cookies\" policy), and `{cookie_base}` is not under `{first_base}`. {what}{hint} Cookies already in the jar are still sent. Serve the API from the page's host (or set `Domain` to the page's parent domain), or proxy the API through the front end's origin.", self.profile.name),
            spec::LIBSOUP_NO_THIRD_PARTY,
        ))
    }
}

/// libsoup's `soup_host_matches_host`: equal, or `host` starts with a dot
/// and `compare_with` is it without the dot or ends with it.
fn libsoup_host_matches_host(host: &str, compare_with: &str) -> bool {
    let (host, compare_with) = (host.to_ascii_lowercase(), compare_with.to_ascii_lowercase());
    host == compare_with
        || host.starts_with('.') && (host[1..] == compare_with || compare_with.ends_with(&host))
}

impl CookieJar {
    pub fn new() -> CookieJar {
        CookieJar::default()
    }

    /// Processes one `Set-Cookie` value (or one `document.cookie = …`
    /// assignment) received from `ctx.url`: 6265bis §5.6 parsing, then the
    /// §5.7 storage model, then the browser's third-party cookie policy.
    pub fn set(
        &mut self,
        line: &str,
        ctx: &SetContext,
        profile: &BrowserProfile,
        request: usize,
    ) -> SetOutcome {
        let mut s = SetSteps {
            request,
            name: display_name(&guess_name(line)),
            values: vec![("Set-Cookie", line.to_string())],
            steps: Vec::new(),
            profile,
        };
        match self.receive(line, ctx, &mut s) {
            Ok(outcome) | Err(outcome) => outcome,
        }
    }

    /// 6265bis §5.7: the user agent "receives a cookie", one step group
    /// after the other in the order of the spec (the step numbers are on
    /// each [`SetSteps`] method). `Err`: the cookie was ignored.
    fn receive(
        &mut self,
        line: &str,
        ctx: &SetContext,
        s: &mut SetSteps,
    ) -> Result<SetOutcome, Ignored> {
        // §5.6 and steps 2–4: parse the line.
        let c = s.parse(line)?;
        let (host, host_is_ip) = s.request_host(ctx.url)?;
        let sec = security(ctx.url, s.profile);
        // Step 6.
        let expires = s.expiry_time(&c, ctx.now);
        // Steps 7–10.
        let (domain, host_only) = s.cookie_domain(&c, &host, host_is_ip)?;
        // Step 11: Path, or the default-path of the request URI.
        let path = match &c.path {
            Some(p) if p.starts_with('/') => p.clone(),
            _ => default_path(ctx.url),
        };
        // CHIPS where Chromium checks it: creating the cookie
        // (CanonicalCookie::Create) comes before steps 12–19 and checks the
        // Domain (above), the name prefixes (steps 20–22) and `Partitioned`
        // together. A prefix problem is the one DevTools shows, so it goes first.
        let partitioned = c.partitioned && s.profile.chips;
        let chips_at_creation = partitioned
            && s.profile.partitioned_without_secure == PartitionedWithoutSecure::SilentAtCreation;
        if chips_at_creation {
            s.name_prefixes(&c, host_only, &path)?;
            s.partitioned_needs_secure(&c, ctx.url, sec)?;
        }
        // Steps 12–15: Secure and HttpOnly.
        s.secure_needs_secure_origin(&c, ctx.url, sec)?;
        s.http_only_needs_http(&c, ctx.from_http)?;

        // Which partition would hold the cookie (CHIPS, Firefox TCP).
        let third_party_partition =
            ctx.third_party && s.profile.third_party_cookies == ThirdPartyCookies::Partition;
        let partition = (partitioned || third_party_partition).then(|| ctx.partition_key.clone());
        let cookie = Cookie {
            name: c.name.clone(),
            value: c.value.clone(),
            domain,
            host_only,
            path,
            secure: c.secure,
            http_only: c.http_only,
            same_site: c.same_site,
            expires,
            creation: ctx.now,
            order: self.next_order,
            partition,
        };

        // Step 16.
        self.leave_secure_alone(&cookie, sec, ctx.now, s)?;
        // Steps 17–19: SameSite.
        s.same_site_from_cross_site(&c, ctx)?;
        s.none_needs_secure(&c)?;
        // CHIPS where Firefox checks it (right after SameSite=None), then
        // steps 20–22; both already done above when Chromium checked at creation.
        if !chips_at_creation {
            if partitioned {
                s.partitioned_needs_secure(&c, ctx.url, sec)?;
            }
            s.name_prefixes(&c, cookie.host_only, &cookie.path)?;
        }
        // The third-party cookie policy.
        s.third_party_policy(ctx, partitioned)?;
        s.libsoup_first_party_only(ctx, &cookie)?;
        // Steps 23–24.
        Ok(self.insert(cookie, &c, ctx, s))
    }

    /// 6265bis §5.7 step 16: leave Secure cookies alone. A cookie without
    /// Secure from an insecure origin may not shadow a Secure one.
    fn leave_secure_alone(
        &self,
        new: &Cookie,
        sec: Security,
        now: i64,
        s: &mut SetSteps,
    ) -> Result<(), Ignored> {
        if new.secure || sec != Security::Insecure {
            return Ok(());
        }
        let shadowed = self.cookies.iter().any(|old| {
            old.name == new.name
                && old.secure
                && !old.expired(now)
                && old.partition == new.partition
                && (domain_match(&old.domain, &new.domain)
                    || domain_match(&new.domain, &old.domain))
                && path_match(&new.path, &old.path)
        });
        if shadowed {
            return Err(s.reject(
                Reason::ExcludeOverwriteSecure,
                "would overwrite a Secure cookie",
                format!("A Secure cookie named `{}` already exists for this domain and path, and a cookie arriving over plain http may not replace or shadow it. Send this Set-Cookie over https (with `Secure`), or give the cookie another name.", new.name),
                spec::COOKIE_STORE_LEAVE_SECURE_ALONE,
            ));
        }
        Ok(())
    }

    /// A live cookie with the same name, domain and path in another jar
    /// (another partition, or the unpartitioned one): what a deletion that
    /// lands in this jar leaves alone. Chromium keys the equivalence of step
    /// 23 by partition too (`CanonicalCookie::IsEquivalent` compares
    /// `PartitionKey`); Gecko keeps each partition in its own
    /// `OriginAttributes` (`partitionKey`), so a delete reaches one jar only.
    fn same_cookie_in_another_jar(&self, new: &Cookie, now: i64) -> Option<&Cookie> {
        self.cookies.iter().find(|old| {
            old.name == new.name
                && old.domain == new.domain
                && old.host_only == new.host_only
                && old.path == new.path
                && old.partition != new.partition
                && !old.expired(now)
        })
    }

    /// 6265bis §5.7 steps 23–24: replace an equivalent cookie or insert.
    fn insert(
        &mut self,
        mut cookie: Cookie,
        c: &ParsedSetCookie,
        ctx: &SetContext,
        s: &mut SetSteps,
    ) -> SetOutcome {
        let existing = self.cookies.iter().position(|old| {
            old.name == cookie.name
                && old.domain == cookie.domain
                && old.host_only == cookie.host_only
                && old.path == cookie.path
                && old.partition == cookie.partition
        });
        // Step 23.2: script may not overwrite an HttpOnly cookie.
        if let Some(i) = existing {
            let old = &self.cookies[i];
            if !ctx.from_http && old.http_only && !old.expired(ctx.now) {
                return s.reject(
                    Reason::ExcludeHttpOnly,
                    "would overwrite an HttpOnly cookie",
                    "An HttpOnly cookie with this name, domain and path already exists, and script (document.cookie) may not replace it. Change it from the server with Set-Cookie instead.".into(),
                    spec::COOKIE_STORE_REPLACE,
                );
            }
        }
        s.values.push(("Domain", cookie.domain_label()));
        s.values.push(("Path", cookie.path.clone()));
        let where_ = match &cookie.partition {
            Some(p) => format!(" in the partition {}", partition_phrase(p)),
            None => String::new(),
        };

        // Expired on arrival (Max-Age ≤ 0 or a past Expires): a deletion.
        if cookie.expired(ctx.now) {
            let removed = existing.map(|i| self.cookies.remove(i)).is_some();
            if !removed {
                if let Some(other) = self.same_cookie_in_another_jar(&cookie, ctx.now) {
                    let (title, text) = deletion_missed_text(&cookie, other, c, s.profile);
                    s.note(
                        Verdict::Warning,
                        Reason::DeletionMissedOtherJar,
                        title,
                        text,
                        if c.partitioned && s.profile.chips {
                            spec::CHIPS
                        } else {
                            spec::FIREFOX_TCP
                        },
                    );
                    return s.outcome(false, None);
                }
            }
            let text = if removed {
                format!("The cookie's Max-Age is 0 or less, or its Expires is in the past, so the browser deletes the existing `{}` cookie{where_} instead of storing a new one. This is how servers log users out.", c.name)
            } else {
                "The cookie's Max-Age is 0 or less, or its Expires is in the past, so it expires on arrival: nothing is stored (and there was no matching cookie to delete). If you meant to keep it, check the Expires date and the clock, or use Max-Age.".to_string()
            };
            s.note(
                Verdict::Ok,
                Reason::CookieDeleted,
                format!("{} deleted", s.name),
                text,
                spec::COOKIE_STORE_EXPIRY,
            );
            return s.outcome(false, None);
        }

        let lifetime = match cookie.expires {
            None => "a session cookie".to_string(),
            Some(t) => format!("expiring in {} s", t.saturating_sub(ctx.now)),
        };
        let same_site_note = match c.same_site {
            SameSiteAttr::Unspecified if s.profile.lax_by_default => " It has no SameSite attribute, so this browser treats it as Lax: it will not go on cross-site fetches (Firefox and Safari do not default to Lax).",
            _ => "",
        };
        let text =
            format!(
            "The browser stored `{}` for {} on path {}{where_}, {lifetime}{}{}.{same_site_note}",
            c.name,
            cookie.domain_label(),
            cookie.path,
            if cookie.secure { ", Secure" } else { "" },
            if cookie.http_only { ", HttpOnly (hidden from script)" } else { "" },
        );
        let partitioned = cookie.partition.is_some();
        let (reason, title) = match existing {
            Some(i) => {
                // Step 23.3: keep the creation time (and our creation order).
                let old = self.cookies.remove(i);
                cookie.creation = old.creation;
                cookie.order = old.order;
                self.cookies.insert(i, cookie);
                (Reason::CookieReplaced, format!("{} replaced", s.name))
            }
            None => {
                self.next_order += 1;
                self.cookies.push(cookie);
                (Reason::CookieStored, format!("{} stored", s.name))
            }
        };
        s.note(Verdict::Ok, reason, title, text, spec::COOKIE_STORE_REPLACE);
        if partitioned {
            let (text, spec) = if c.partitioned && s.profile.chips {
                (
                    chips_stored_text(&ctx.partition_key, s.profile),
                    spec::CHIPS,
                )
            } else {
                (format!("{} keeps third-party cookies in a separate jar per top-level site: this cookie is only sent to the API while the page on top is {}, and not when the API's own site is visited directly.", s.profile.name, ctx.partition_key.top_level_site), spec::FIREFOX_TCP)
            };
            s.note(
                Verdict::Ok,
                Reason::StoredPartitioned,
                format!("{} stored in the {} partition", s.name, ctx.partition_key),
                text,
                spec,
            );
        }
        s.outcome(true, None)
    }

    /// 6265bis §5.8.3: the cookies for a request, with one step per cookie
    /// considered (sent, or the reason it was not).
    pub fn get(&self, ctx: &GetContext, profile: &BrowserProfile, request: usize) -> GetOutcome {
        // §5.8.3 steps 1–2: the canonical host of the URL.
        let Some(host) = ctx.url.host().map(|h| host_string(&h)) else {
            return GetOutcome {
                cookie_header: None,
                sent: Vec::new(),
                steps: Vec::new(),
            };
        };
        let r = Retrieval {
            ctx,
            profile,
            request,
            sec: security(ctx.url, profile),
            host,
        };
        let mut steps = Vec::new();
        let mut included: Vec<&Cookie> = Vec::new();
        // §5.8.3 step 3: the cookie-list.
        for c in &self.cookies {
            let mut notes = Vec::new();
            match r.decide(c, &mut notes) {
                Decision::Included => {
                    steps.extend(r.included(c, notes));
                    included.push(c);
                }
                Decision::Excluded(step) => steps.push(step),
                Decision::Skipped => {}
            }
        }
        sort_cookie_list(&mut included);
        GetOutcome {
            cookie_header: cookie_string(&included),
            sent: included.iter().map(|c| c.display_name()).collect(),
            steps,
        }
    }

    /// The unexpired cookies, in the order they were first created.
    pub fn view(&self, now: i64) -> Vec<CookieView> {
        self.cookies
            .iter()
            .filter(|c| !c.expired(now))
            .map(|c| CookieView {
                name: c.name.clone(),
                value: c.value.clone(),
                domain: c.domain.clone(),
                host_only: c.host_only,
                path: c.path.clone(),
                secure: c.secure,
                http_only: c.http_only,
                same_site: c.same_site.label().into(),
                expires: c.expires,
                partition: c.partition.clone(),
            })
            .collect()
    }
}

impl CookieJar {
    /// Puts a cookie in the jar as it is, without the §5.7 storage model: the
    /// state the browser was in before the scenario's first request. `view`
    /// holds the §5.7 cookie record (its `expires` is absolute, on the
    /// simulated clock; `same_site` one of the [`SameSiteAttr`] labels),
    /// `creation` its creation-time. Cookies preloaded one after the other
    /// keep that order as their creation order.
    pub fn preload(&mut self, view: &CookieView, creation: i64) {
        let same_site = match view.same_site.as_ref() {
            "Strict" => SameSiteAttr::Strict,
            "Lax" => SameSiteAttr::Lax,
            "None" => SameSiteAttr::None,
            _ => SameSiteAttr::Unspecified,
        };
        let cookie = Cookie {
            name: view.name.clone(),
            value: view.value.clone(),
            domain: view.domain.trim_start_matches('.').to_ascii_lowercase(),
            host_only: view.host_only,
            path: view.path.clone(),
            secure: view.secure,
            http_only: view.http_only,
            same_site,
            expires: view.expires,
            creation,
            order: self.next_order,
            partition: view.partition.clone(),
        };
        // §5.7 step 23: an equivalent cookie is replaced.
        self.cookies.retain(|old| {
            !(old.name == cookie.name
                && old.domain == cookie.domain
                && old.host_only == cookie.host_only
                && old.path == cookie.path
                && old.partition == cookie.partition)
        });
        self.next_order += 1;
        self.cookies.push(cookie);
    }
}

/// What §5.8.3 step 3 decided for one cookie.
enum Decision {
    /// In the cookie-list: the cookie is sent.
    Included,
    /// Not sent, and the step that says why.
    Excluded(Step),
    /// Not sent, without a word: expired, and would not have matched anyway.
    Skipped,
}

/// A step that did not decide by itself: a warning, or a note on an
/// included cookie (reason, title, explanation, spec section).
type Note = (Reason, String, String, SpecRef);

/// One retrieval (6265bis §5.8.3): the request, and what the algorithm
/// needs of it. Each requirement of step 3 is a method here.
struct Retrieval<'a> {
    ctx: &'a GetContext<'a>,
    profile: &'a BrowserProfile,
    request: usize,
    /// §5.8.3 step 1: retrieval-host-canonical.
    host: String,
    sec: Security,
}

impl Retrieval<'_> {
    fn step(
        &self,
        c: &Cookie,
        verdict: Verdict,
        reason: Reason,
        title: String,
        text: String,
        spec: SpecRef,
    ) -> Step {
        Step::new(
            Some(self.request),
            Phase::CookiesSent,
            verdict,
            reason,
            title,
            text,
            spec,
        )
        .with("Cookie", c.display_name())
        .with("Domain", c.domain_label())
        .with("Path", c.path.clone())
        .with("Request URL", self.ctx.url.to_string())
    }

    /// 6265bis §5.8.3 step 3: is the cookie in the cookie-list? Warnings
    /// for an included cookie go to `notes`.
    fn decide(&self, c: &Cookie, notes: &mut Vec<Note>) -> Decision {
        // §5.7: expired cookies are evicted; explain only the ones that would have matched.
        if c.expired(self.ctx.now) {
            return if self.domain_ok(c) && path_match(self.ctx.url.path(), &c.path) {
                Decision::Excluded(self.step(c, Verdict::Blocked, Reason::ExcludeExpired,
                    format!("{} not sent: expired", c.display_name()),
                    "The cookie's Expires or Max-Age has passed, so the browser dropped it. The server must set it again (log in again), or give it a longer Max-Age.".into(),
                    spec::COOKIE_STORE_EXPIRY))
            } else {
                Decision::Skipped
            };
        }
        let excluded = self
            .domain_and_path(c)
            .or_else(|| self.partition(c))
            .or_else(|| self.secure_and_http_only(c))
            .or_else(|| self.same_site(c, notes))
            .or_else(|| self.third_party_policy(c));
        match excluded {
            Some(step) => Decision::Excluded(step),
            None => Decision::Included,
        }
    }

    /// 6265bis §5.8.3 step 3: the host is the cookie's domain (host-only),
    /// or domain-matches it.
    fn domain_ok(&self, c: &Cookie) -> bool {
        if c.host_only {
            self.host == c.domain
        } else {
            domain_match(&self.host, &c.domain)
        }
    }

    /// 6265bis §5.8.3 step 3, first two requirements: the domain and the
    /// path. `Some`: the step that keeps the cookie out.
    fn domain_and_path(&self, c: &Cookie) -> Option<Step> {
        let (ctx, host) = (self.ctx, &self.host);
        let path = ctx.url.path();
        let name = c.display_name();
        if !self.domain_ok(c) {
            let text = if c.host_only {
                format!("The cookie is host-only for `{}` (it was set without a Domain attribute), and this request goes to `{host}`. Cookies ignore ports but not host names: `localhost` and `127.0.0.1` are different hosts. Use the same host name for both, or set `Domain=` to a parent domain both share (not possible for localhost or IP addresses).", c.domain)
            } else {
                format!("The cookie is for `.{}` and its subdomains, and `{host}` is not one of them. Set the cookie with a Domain both hosts share, or call the host the cookie belongs to.", c.domain)
            };
            return Some(self.step(
                c,
                Verdict::Blocked,
                Reason::ExcludeDomainMismatch,
                format!("{name} not sent: domain {} does not match {host}", c.domain),
                text,
                spec::COOKIE_DOMAIN_MATCH,
            ));
        }
        if !path_match(path, &c.path) {
            return Some(self.step(c, Verdict::Blocked, Reason::ExcludeNotOnPath,
                format!("{name} not sent: path {} does not match {path}", c.path),
                format!("The cookie's Path is `{}`, and the request path `{path}` is not under it, so it stays home. A cookie without a Path attribute gets the directory of the URL that set it (e.g. `/api/auth` for `/api/auth/login`); set `Path=/` to send it everywhere on the host.", c.path),
                spec::COOKIE_PATH_MATCH));
        }
        None
    }

    /// Partitions (CHIPS, Firefox Total Cookie Protection): a partitioned
    /// cookie goes only under its own key, and under Firefox a third-party
    /// request sees only its partition.
    fn partition(&self, c: &Cookie) -> Option<Step> {
        let (ctx, profile) = (self.ctx, self.profile);
        let name = c.display_name();
        match &c.partition {
            Some(p) if *p != ctx.partition_key => {
                Some(self.step(c, Verdict::Blocked, Reason::ExcludePartitionMismatch,
                    format!("{name} not sent: it lives in the {p} partition"),
                    partition_mismatch_text(p, &ctx.partition_key),
                    if profile.chips { spec::CHIPS } else { spec::FIREFOX_TCP })
                    .with("Request partition", ctx.partition_key.to_string()))
            }
            None if ctx.third_party
                && profile.third_party_cookies == ThirdPartyCookies::Partition =>
            {
                Some(self.step(c, Verdict::Blocked, Reason::ExcludePartitionMismatch,
                    format!("{name} not sent: not in the {} partition", ctx.partition_key),
                    format!("The request is third-party (cross-site to the top-level page {}), and {} gives third-party requests a separate cookie jar per top-level site. This cookie was stored first-party, outside that jar, so it is not sent here. Make the front end and API same-site, or set the cookie from a request made under this top-level page.", ctx.partition_key.top_level_site, profile.name),
                    spec::FIREFOX_TCP))
            }
            _ => None,
        }
    }

    /// 6265bis §5.8.3 step 3: Secure cookies need a secure request, and
    /// HttpOnly cookies are hidden from non-HTTP APIs.
    fn secure_and_http_only(&self, c: &Cookie) -> Option<Step> {
        let ctx = self.ctx;
        let (name, host) = (c.display_name(), &self.host);
        if c.secure && self.sec == Security::Insecure {
            return Some(self.step(c, Verdict::Blocked, Reason::ExcludeSecureOnly,
                format!("{name} not sent: Secure cookie over http"),
                format!("The cookie is Secure and this request goes over plain http to `{host}`, so it is not sent. Use https for the API{}.", if is_potentially_trustworthy(ctx.url) { " (Safari does not treat http://localhost as secure; Chrome and Firefox do)" } else { ", or localhost in development" }),
                spec::COOKIE_RETRIEVAL));
        }
        if c.http_only && !ctx.from_http {
            return Some(self.step(c, Verdict::Blocked, Reason::ExcludeHttpOnly,
                format!("{name} hidden from document.cookie: HttpOnly"),
                "The cookie is HttpOnly, so document.cookie does not show it. It is still sent on requests; read it on the server, not in the page.".into(),
                spec::COOKIE_NON_HTTP));
        }
        None
    }

    /// 6265bis §5.8.3 step 3, last requirement: a cookie whose SameSite is
    /// not None goes on a cross-site request only as Lax allows (with the
    /// browser's default for a missing SameSite, and Chrome's
    /// Lax-allowing-unsafe, §5.6.7.2).
    fn same_site(&self, c: &Cookie, notes: &mut Vec<Note>) -> Option<Step> {
        let (ctx, profile) = (self.ctx, self.profile);
        if ctx.same_site {
            return None;
        }
        let name = c.display_name();
        let lax_ok = ctx.from_http && ctx.top_level_navigation && ctx.safe_method;
        let cross = "This request is cross-site to the page's site";
        let excluded = match c.same_site {
            SameSiteAttr::None if !c.secure && profile.none_requires_secure => Some((
                Reason::ExcludeSameSiteNoneInsecure,
                format!("{name} not sent: SameSite=None without Secure"),
                "The cookie is SameSite=None but not Secure; browsers only send cross-site cookies that are both. Set it again with `SameSite=None; Secure`.".to_string(),
                spec::COOKIE_STORE_NONE_SECURE,
            )),
            SameSiteAttr::None => None,
            SameSiteAttr::Strict => Some((
                Reason::ExcludeSameSiteStrict,
                format!("{name} not sent: SameSite=Strict, cross-site request"),
                format!("{cross}, and a SameSite=Strict cookie is only sent on same-site requests, not even on links from another site. Use `SameSite=None; Secure` if the cookie must go cross-site, or make the front end and API same-site."),
                spec::COOKIE_RETRIEVAL,
            )),
            SameSiteAttr::Lax if lax_ok => None,
            SameSiteAttr::Lax => Some((
                Reason::ExcludeSameSiteLax,
                format!("{name} not sent: SameSite=Lax, cross-site request"),
                format!("{cross}, and a SameSite=Lax cookie only goes cross-site on a top-level navigation with a safe method (a link, a GET form), never on fetch/XHR or a POST. Use `SameSite=None; Secure` for a cross-site API, or make the front end and API same-site (e.g. app.example.com and api.example.com)."),
                spec::COOKIE_RETRIEVAL,
            )),
            SameSiteAttr::Unspecified if !profile.lax_by_default => {
                notes.push((
                    Reason::WarnSameSiteUnspecifiedCrossSite,
                    format!("{name}: no SameSite, sent cross-site"),
                    format!("The cookie has no SameSite attribute and {} treats that as None, so it is sent on this cross-site request. Chrome treats it as Lax and would not send it here: set `SameSite=None; Secure` explicitly so every browser agrees.", profile.name),
                    spec::COOKIE_SAMESITE,
                ));
                None
            }
            SameSiteAttr::Unspecified if lax_ok => None,
            SameSiteAttr::Unspecified => self.lax_allowing_unsafe(c, notes),
        };
        excluded.map(|(reason, title, text, spec)| {
            self.step(c, Verdict::Blocked, reason, title, text, spec)
                .with("SameSite", c.same_site.label())
        })
    }

    /// 6265bis §5.6.7.2 Lax-allowing-unsafe: a cookie without SameSite,
    /// treated as Lax, that is young enough still goes on a cross-site
    /// top-level POST. `Some`: the cookie is excluded, and why.
    fn lax_allowing_unsafe(&self, c: &Cookie, notes: &mut Vec<Note>) -> Option<Note> {
        let (ctx, profile) = (self.ctx, self.profile);
        let name = c.display_name();
        let cross = "This request is cross-site to the page's site";
        let age = ctx.now.saturating_sub(c.creation);
        let unsafe_ok = ctx.from_http
            && ctx.top_level_navigation
            && profile
                .lax_allowing_unsafe_secs
                .is_some_and(|limit| age >= 0 && age as u64 <= limit);
        if unsafe_ok {
            notes.push((
                Reason::WarnLaxAllowUnsafe,
                format!("{name}: sent only because it is {age} s old (Lax+POST)"),
                format!("The cookie has no SameSite attribute, so {} treats it as Lax, which would keep it off this cross-site POST navigation. It is sent anyway because it was created less than {} seconds ago (Chrome's temporary \"Lax-allowing-unsafe\" rule). After that it will not be: set `SameSite=None; Secure` if it must go on cross-site POSTs.", profile.name, profile.lax_allowing_unsafe_secs.unwrap_or(0)),
                spec::COOKIE_LAX_ALLOWING_UNSAFE,
            ));
            None
        } else {
            Some((
                Reason::ExcludeSameSiteUnspecifiedTreatedAsLax,
                format!("{name} not sent: no SameSite, treated as Lax"),
                format!("{cross}. The cookie has no SameSite attribute, and {} treats that as SameSite=Lax, which only goes cross-site on top-level GET navigations, not on fetch/XHR. Firefox and Safari do not default to Lax. Set `SameSite=None; Secure` on the cookie (and serve over https, or use localhost), or make the front end and API same-site.", profile.name),
                spec::CHROME_LAX_DEFAULT,
            ))
        }
    }

    /// 6265bis §7.1: third-party cookie blocking (partitioned cookies are
    /// exempt unless [`BrowserProfile::block_covers_partitioned`]).
    fn third_party_policy(&self, c: &Cookie) -> Option<Step> {
        let (ctx, profile) = (self.ctx, self.profile);
        if ctx.third_party
            && profile.third_party_cookies == ThirdPartyCookies::Block
            && (c.partition.is_none() || profile.block_covers_partitioned)
        {
            let name = c.display_name();
            return Some(self.step(c, Verdict::Blocked, Reason::ExcludeUserPreferences,
                format!("{name} not sent: third-party cookies are blocked"),
                format!("The request is cross-site to the top-level page ({}), and {} blocks third-party cookies, so no unpartitioned cookie goes, whatever its SameSite. Put the front end and API on the same site, or proxy the API through the front end's origin.", ctx.partition_key.top_level_site, profile.name),
                third_party_spec(profile)));
        }
        None
    }

    /// The steps for a cookie in the cookie-list: "sent", then its notes.
    fn included(&self, c: &Cookie, mut notes: Vec<Note>) -> Vec<Step> {
        let (profile, host) = (self.profile, &self.host);
        let name = c.display_name();
        let mut text = "The cookie matches the host, the path and the request's security and SameSite rules, so it goes in the Cookie header.".to_string();
        if c.secure && self.sec == Security::TrustedLocal {
            notes.push((
                Reason::WarnSecureAccessGrantedNonCryptographic,
                format!("{name}: Secure cookie sent over http://{host}"),
                format!("The cookie is Secure and the request is plain http, but {} treats `{host}` as a secure origin, so it is sent. Safari does not: there, Secure cookies need real https even on localhost.", profile.name),
                spec::SECURE_CONTEXTS_TRUSTWORTHY,
            ));
        }
        if let Some(p) = &c.partition {
            text.push_str(&format!(
                " It comes from the partitioned jar {}.",
                partition_phrase(p)
            ));
            let only = if !profile.partition_key_ancestor_bit {
                "that site"
            } else if p.cross_site_ancestor {
                "that site and the request comes, as here, from a context cross-site to it"
            } else {
                "that site and no cross-site frame is in between"
            };
            notes.push((
                Reason::PartitionedJar,
                format!("{name}: from the {p} partition"),
                format!("This cookie lives in the jar {}; it is sent only while the page on top is {only}.", partition_phrase(p)),
                if profile.chips && c.partition.is_some() && profile.third_party_cookies != ThirdPartyCookies::Partition { spec::CHIPS } else { spec::FIREFOX_TCP },
            ));
        }
        let mut steps = vec![self.step(
            c,
            Verdict::Ok,
            Reason::CookieIncluded,
            format!("{name} sent"),
            text,
            spec::COOKIE_RETRIEVAL,
        )];
        for (reason, title, text, spec) in notes {
            let verdict = if reason == Reason::PartitionedJar {
                Verdict::Ok
            } else {
                Verdict::Warning
            };
            steps.push(self.step(c, verdict, reason, title, text, spec));
        }
        steps
    }
}

/// 6265bis §5.8.3 step 4: longer paths first, then earlier creation.
fn sort_cookie_list(included: &mut [&Cookie]) {
    included.sort_by(|a, b| {
        b.path
            .len()
            .cmp(&a.path.len())
            .then(a.creation.cmp(&b.creation))
            .then(a.order.cmp(&b.order))
    });
}

/// 6265bis §5.8.3 step 6: serialize the cookie-list; a name-less cookie is
/// just its value. `None` when the list is empty (no Cookie header).
fn cookie_string(included: &[&Cookie]) -> Option<String> {
    if included.is_empty() {
        return None;
    }
    let pairs: Vec<String> = included
        .iter()
        .map(|c| {
            if c.name.is_empty() {
                c.value.clone()
            } else {
                format!("{}={}", c.name, c.value)
            }
        })
        .collect();
    Some(pairs.join("; "))
}

/// "for top-level site X" and, when set, what the cross-site ancestor bit means.
fn partition_phrase(p: &PartitionKey) -> String {
    if p.cross_site_ancestor {
        format!(
            "for top-level site {} with a cross-site ancestor",
            p.top_level_site
        )
    } else {
        format!("for top-level site {}", p.top_level_site)
    }
}

/// What a stored CHIPS cookie's partition means for when it is sent.
fn chips_stored_text(key: &PartitionKey, profile: &BrowserProfile) -> String {
    let site = &key.top_level_site;
    if !profile.partition_key_ancestor_bit {
        format!("The cookie has `Partitioned` (CHIPS), so it lives in a separate jar keyed by the top-level site, {site}, and is only sent when the page on top is that same site.")
    } else if key.cross_site_ancestor {
        format!("The cookie has `Partitioned` (CHIPS), so it lives in a separate jar keyed by the top-level site, {site}, and by Chrome's cross-site ancestor bit, set because this response came to a context cross-site to {site} (a cross-site request, or a frame under a cross-site frame). It is only sent while the page on top is {site} and the request again comes from such a context.")
    } else {
        format!("The cookie has `Partitioned` (CHIPS), so it lives in a separate jar keyed by the top-level site, {site}, and is only sent when the page on top is that same site and no cross-site frame is in between.")
    }
}

/// Why a partitioned cookie stays home: another top-level site, or the
/// same one reached with the other cross-site ancestor bit.
fn partition_mismatch_text(stored: &PartitionKey, request: &PartitionKey) -> String {
    if stored.top_level_site != request.top_level_site {
        return format!("The cookie was stored in the partition for top-level site {}, and the page on top now is {}. Partitioned cookies are only sent under the top-level site they were set under; log in again from this top-level site.", stored.top_level_site, request.top_level_site);
    }
    let site = &stored.top_level_site;
    let (set_in, sent_from) = if stored.cross_site_ancestor {
        ("a context cross-site to it (a cross-site request, or a frame under a cross-site frame)", "a context with no cross-site frame in between")
    } else {
        (
            "a context with no cross-site frame in between",
            "a context cross-site to it (here, a frame under a cross-site frame, A → B → A)",
        )
    };
    format!("The top-level site is {site} both times, but the cookie was set from {set_in}, and this request comes from {sent_from}. Chrome's partition key also holds this cross-site ancestor bit, so the two have separate jars. Set the cookie from the same kind of context that needs it.")
}

/// Why a `Max-Age=0` left a cookie of the same name alone: it was applied
/// to the jar the response arrived in, and the cookie lives in another one.
fn deletion_missed_text(
    new: &Cookie,
    other: &Cookie,
    c: &ParsedSetCookie,
    profile: &BrowserProfile,
) -> (String, String) {
    let jar = |p: &Option<PartitionKey>| match p {
        Some(p) => format!("the partition {}", partition_phrase(p)),
        None => "the unpartitioned (first-party) jar".to_string(),
    };
    let name = &c.name;
    let title = format!(
        "{name} not deleted: the deletion went to {}, the cookie is in {}",
        jar(&new.partition),
        jar(&other.partition)
    );
    let why = match (&new.partition, c.partitioned && profile.chips) {
        (Some(_), true) => "The deleting Set-Cookie has `Partitioned`, so it only reaches the partition of this top-level site.".to_string(),
        (Some(p), false) => format!("This response is third-party (cross-site to the top-level page {}), and {} keeps third-party cookies in a separate jar per top-level site, so the deletion only reaches that jar.", p.top_level_site, profile.name),
        (None, _) => "The deleting Set-Cookie has no `Partitioned` and comes first-party, so it only reaches the unpartitioned jar.".to_string(),
    };
    let fix = match (&other.partition, &new.partition) {
        (Some(_), _) if !c.partitioned => "Add `Partitioned` (with `Secure`) to the deleting Set-Cookie, and send it under the same top-level site that set the cookie.",
        (Some(_), _) => "Send the deleting Set-Cookie under the top-level site the cookie was set under (the jars are keyed by it).",
        (None, Some(_)) => "Delete it from a first-party request: a top-level navigation to the API's site (e.g. a logout link or form that lands on the API and redirects back), or a request from a page on the API's own site.",
        (None, None) => "Send the deleting Set-Cookie the same way the cookie was set.",
    };
    let text = format!(
        "The server sent `{name}` with Max-Age 0 (or a past Expires) to delete it. {why} A `{name}` cookie for {} on path {} is stored in {}, outside it, so it is not deleted and still goes on the requests it went on before: the user stays logged in. {fix}",
        other.domain_label(),
        other.path,
        jar(&other.partition),
    );
    (title, text)
}

fn third_party_spec(profile: &BrowserProfile) -> SpecRef {
    match profile.family {
        Family::Safari => spec::SAFARI_ITP,
        _ => spec::COOKIE_THIRD_PARTY,
    }
}

/// The name as far as it can be read from a line that did not parse.
fn guess_name(line: &str) -> String {
    let pair = line.split(';').next().unwrap_or("");
    match pair.find('=') {
        Some(i) => pair[..i]
            .trim_matches([' ', '\t'])
            .chars()
            .take(64)
            .collect(),
        None => String::new(),
    }
}

fn parse_rejection(s: &mut SetSteps, reason: Reason, line: &str) -> Ignored {
    let (title, text, spec) = match reason {
        Reason::ExcludeDisallowedCharacter => (
            "control character in the header",
            "The Set-Cookie value contains a control character (such as NUL, CR or LF; tab is allowed). Browsers ignore such a line entirely. Encode the value (e.g. Base64 or percent-encoding) before putting it in a cookie.".to_string(),
            spec::COOKIE_SET_COOKIE,
        ),
        Reason::ExcludeNameValuePairExceedsMaxSize => (
            "name and value over 4096 bytes",
            format!("The cookie's name and value together are longer than 4096 bytes, so the browser ignores it. Store less in the cookie (keep a session id in it and the data on the server); this line is {} bytes.", line.len()),
            spec::COOKIE_SET_COOKIE,
        ),
        _ => (
            "nothing to store",
            "The Set-Cookie value has neither a name nor a value (it is empty, or starts with `;` or `=`), so there is no cookie to store. Send `name=value`.".to_string(),
            spec::COOKIE_STORAGE_MODEL,
        ),
    };
    s.reject(reason, title, text.to_string(), spec)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::ProfileId;

    const T0: i64 = 1_800_000_000;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    /// How the response that carries Set-Cookie was requested.
    #[derive(Clone, Copy)]
    enum Via {
        /// Same-site fetch (or same-site navigation).
        SameSite,
        /// Cross-site fetch/XHR from a first-party page: third-party context.
        CrossSiteFetch,
        /// Cross-site top-level navigation (link or form).
        CrossSiteNavigation,
        /// document.cookie on a same-site page.
        Script,
    }

    fn set_ctx<'a>(u: &'a Url, from: Via, top: &str, now: i64) -> SetContext<'a> {
        let (strict_ok, nav, http, third) = match from {
            Via::SameSite => (true, false, true, false),
            Via::CrossSiteFetch => (false, false, true, true),
            Via::CrossSiteNavigation => (true, true, true, false),
            Via::Script => (true, false, false, false),
        };
        SetContext {
            url: u,
            same_site_strict_or_lax_allowed: strict_ok,
            top_level_navigation: nav,
            from_http: http,
            third_party: third,
            partition_key: PartitionKey::top_level(top),
            first_party: None,
            now,
        }
    }

    fn set_in(
        jar: &mut CookieJar,
        p: ProfileId,
        line: &str,
        at: &str,
        from: Via,
        now: i64,
    ) -> SetOutcome {
        let u = url(at);
        let top = site_key(&u);
        jar.set(line, &set_ctx(&u, from, &top, now), &p.profile(), 0)
    }

    fn site_key(u: &Url) -> String {
        crate::site::site_of(u).to_string()
    }

    /// (profile, Set-Cookie, response URL, how requested, Ok(()) = stored or Err(reason), what it pins)
    type StoreCase = (
        ProfileId,
        &'static str,
        &'static str,
        Via,
        Result<(), Reason>,
        &'static str,
    );
    /// (Set-Cookie, URL, domain, host_only, path, partition, what it pins)
    type FieldsCase = (
        &'static str,
        &'static str,
        &'static str,
        bool,
        &'static str,
        Option<&'static str>,
        &'static str,
    );

    #[test]
    fn storage_rules() {
        use ProfileId::*;
        use Reason::*;
        use Via::*;
        // (profile, Set-Cookie, response URL, how requested, Ok(()) = stored or Err(reason), what it pins)
        let cases: &[StoreCase] = &[
            (
                Chrome,
                "a=b",
                "http://localhost:3001/login",
                SameSite,
                Ok(()),
                "§5.7: plain cookie",
            ),
            (
                Chrome,
                "a=b; Secure",
                "http://app.example.test/",
                SameSite,
                Err(ExcludeSecureFromInsecure),
                "§5.7 step 13; Chromium 156: rejected over http://app.example.test",
            ),
            (
                Chrome,
                "a=b; Secure",
                "http://localhost:3001/",
                SameSite,
                Ok(()),
                "Chromium 156: Secure accepted over http://localhost",
            ),
            (
                Chrome,
                "a=b; Secure",
                "http://127.0.0.1:3001/",
                SameSite,
                Ok(()),
                "Chromium 156: Secure accepted over http://127.0.0.1",
            ),
            (
                Chrome,
                "a=b; Secure",
                "http://app.localhost/",
                SameSite,
                Ok(()),
                "Chromium 156: Secure accepted over http://app.localhost",
            ),
            (
                Firefox,
                "a=b; Secure",
                "http://localhost:3001/",
                SameSite,
                Ok(()),
                "Firefox allows Secure on http://localhost (profile)",
            ),
            (
                Safari,
                "a=b; Secure",
                "http://localhost:3001/",
                SameSite,
                Err(ExcludeSecureFromInsecure),
                "Safari refuses Secure over http://localhost (profile)",
            ),
            (
                Chrome,
                "a=b; SameSite=None",
                "https://api.example.test/",
                SameSite,
                Err(ExcludeSameSiteNoneInsecureSet),
                "§5.7 step 19; Chromium 156: rejected same-site too",
            ),
            (
                Chrome,
                "a=b; SameSite=None; Secure",
                "https://api.other.test/",
                CrossSiteFetch,
                Ok(()),
                "§5.7 step 18: None may come from a cross-site fetch",
            ),
            (
                Chrome,
                "a=b",
                "https://api.other.test/",
                CrossSiteFetch,
                Err(ExcludeSameSiteCrossSiteSet),
                "§5.7 step 18; Chromium 156: no-SameSite rejected from a cross-site CORS response",
            ),
            (
                Chrome,
                "a=b; SameSite=Lax",
                "https://api.other.test/",
                CrossSiteFetch,
                Err(ExcludeSameSiteCrossSiteSet),
                "§5.7 step 18; Chromium 156",
            ),
            (
                Chrome,
                "a=b; SameSite=Strict",
                "https://api.other.test/",
                CrossSiteFetch,
                Err(ExcludeSameSiteCrossSiteSet),
                "§5.7 step 18; Chromium 156",
            ),
            (
                Chrome,
                "a=b; SameSite=Strict; Partitioned; Secure",
                "https://api.other.test/",
                CrossSiteFetch,
                Err(ExcludeSameSiteCrossSiteSet),
                "Chromium 156: Partitioned + Secure without None is rejected cross-site",
            ),
            (
                Firefox,
                "a=b; SameSite=Lax",
                "https://api.other.test/",
                CrossSiteFetch,
                Err(ExcludeSameSiteCrossSiteSet),
                "§5.7 step 18 applies in every browser",
            ),
            (
                Firefox,
                "a=b",
                "https://api.other.test/",
                CrossSiteFetch,
                Ok(()),
                "Firefox: no Lax-by-default, a missing SameSite acts as None",
            ),
            (
                Chrome,
                "a=b; SameSite=Strict",
                "http://api.other.test/",
                CrossSiteNavigation,
                Ok(()),
                "§5.7 step 18.3; Chromium 156: top-level navigations set any SameSite",
            ),
            (
                Chrome,
                "a=b",
                "http://api.other.test/",
                CrossSiteNavigation,
                Ok(()),
                "§5.7 step 18.3; Chromium 156",
            ),
            (
                Chrome,
                "a=b; Domain=example.test",
                "http://api.example.test/",
                SameSite,
                Ok(()),
                "§5.7 step 10; Chromium 156: parent domain accepted",
            ),
            (
                Chrome,
                "a=b; Domain=.EXAMPLE.test",
                "http://api.example.test/",
                SameSite,
                Ok(()),
                "§5.6.3: leading dot dropped, lower-cased",
            ),
            (
                Chrome,
                "a=b; Domain=other.test",
                "http://api.example.test/",
                SameSite,
                Err(ExcludeInvalidDomain),
                "§5.7 step 10; Chromium 156",
            ),
            (
                Chrome,
                "a=b; Domain=app.example.test",
                "http://api.example.test/",
                SameSite,
                Err(ExcludeInvalidDomain),
                "§5.7 step 10; Chromium 156: sibling rejected",
            ),
            (
                Chrome,
                "a=b; Domain=test",
                "http://api.example.test/",
                SameSite,
                Err(ExcludeInvalidDomain),
                "§5.7 step 9; Chromium 156: public suffix rejected",
            ),
            (
                Chrome,
                "a=b; Domain=co.uk",
                "http://shop.co.uk/",
                SameSite,
                Err(ExcludeInvalidDomain),
                "§5.7 step 9: public suffix",
            ),
            (
                Chrome,
                "a=b; Domain=localhost",
                "http://localhost:3001/",
                SameSite,
                Ok(()),
                "§5.7 step 9.3; Chromium 156: host-only",
            ),
            (
                Chrome,
                "a=b; Domain=localhost",
                "http://api.localhost/",
                SameSite,
                Err(ExcludeInvalidDomain),
                "§5.7 step 9; Chromium 156",
            ),
            (
                Chrome,
                "a=b; Domain=127.0.0.1",
                "http://127.0.0.1:3001/",
                SameSite,
                Ok(()),
                "Chromium 156: Domain equal to the IP host is host-only",
            ),
            (
                Chrome,
                "a=b; Domain=0.0.1",
                "http://127.0.0.1/",
                SameSite,
                Err(ExcludeInvalidDomain),
                "§5.1.3: an IP address only matches itself",
            ),
            (
                Chrome,
                "a=b; Domain=exämple.test",
                "http://api.example.test/",
                SameSite,
                Err(ExcludeDomainNonAscii),
                "§5.7 step 8",
            ),
            (
                Chrome,
                "__Host-a=b; Secure; Path=/",
                "http://localhost:3001/",
                SameSite,
                Ok(()),
                "Chromium 156: __Host- works over http://localhost",
            ),
            (
                Chrome,
                "__Host-a=b; Secure; Path=/; Domain=example.test",
                "https://api.example.test/",
                SameSite,
                Err(ExcludeInvalidPrefix),
                "§5.7 step 21.2; Chromium 156",
            ),
            (
                Chrome,
                "__Host-a=b; Secure; Path=/x",
                "https://api.example.test/x/y",
                SameSite,
                Err(ExcludeInvalidPrefix),
                "§5.7 step 21.3; Chromium 156",
            ),
            (
                Chrome,
                "__HOST-a=b; Secure",
                "https://api.example.test/",
                SameSite,
                Err(ExcludeInvalidPrefix),
                "§5.4 case-insensitive; §5.7 step 21.3: explicit Path=/ needed",
            ),
            (
                Chrome,
                "__host-a=b; Path=/",
                "https://api.example.test/",
                SameSite,
                Err(ExcludeInvalidPrefix),
                "§5.7 step 21.1; Chromium 156",
            ),
            (
                Chrome,
                "__Secure-a=b",
                "https://api.example.test/",
                SameSite,
                Err(ExcludeInvalidPrefix),
                "§5.7 step 20; Chromium 156",
            ),
            (
                Chrome,
                "__sEcUrE-a=b; Secure; Domain=example.test",
                "https://api.example.test/",
                SameSite,
                Ok(()),
                "§5.4 example: accepted from a secure origin",
            ),
            (
                Chrome,
                "__Http-a=b; Secure",
                "https://api.example.test/",
                SameSite,
                Err(ExcludeInvalidPrefix),
                "layered cookies: __Http- needs HttpOnly",
            ),
            (
                Chrome,
                "__Http-a=b; Secure; HttpOnly",
                "https://api.example.test/",
                SameSite,
                Ok(()),
                "layered cookies: __Http- with Secure and HttpOnly",
            ),
            (
                Chrome,
                "__Host-Http-a=b; Secure; Path=/",
                "https://api.example.test/",
                SameSite,
                Err(ExcludeInvalidPrefix),
                "layered cookies: __Host-Http- needs HttpOnly",
            ),
            (
                Chrome,
                "__host-http-a=b; Secure; HttpOnly; Path=/",
                "https://api.example.test/",
                SameSite,
                Ok(()),
                "layered cookies: byte-lowercased prefix",
            ),
            (
                Chrome,
                "__Host-Http-a=b; Secure; HttpOnly; Path=/; Domain=example.test",
                "https://api.example.test/",
                SameSite,
                Err(ExcludeInvalidPrefix),
                "layered cookies: __Host-Http- is also Host-prefix",
            ),
            (
                Chrome,
                "=__Secure-x",
                "https://api.example.test/",
                SameSite,
                Err(ExcludeInvalidPrefix),
                "§5.7 step 22",
            ),
            (
                Chrome,
                "__host-x",
                "https://api.example.test/",
                SameSite,
                Err(ExcludeInvalidPrefix),
                "§5.7 step 22: name-less value",
            ),
            (
                Chrome,
                "a=b; Partitioned",
                "https://api.example.test/",
                SameSite,
                Err(ExcludeInvalidPartitioned),
                "Chromium 156: Partitioned without Secure is dropped",
            ),
            (
                Chrome,
                "a=b; Partitioned; Secure",
                "https://api.example.test/",
                SameSite,
                Ok(()),
                "CHIPS",
            ),
            (
                Chrome,
                "a=b; HttpOnly",
                "http://localhost:3000/",
                Script,
                Err(ExcludeHttpOnly),
                "§5.7 step 15",
            ),
            (
                Chrome,
                "a=b",
                "http://localhost:3000/",
                Script,
                Ok(()),
                "§5.8.2: document.cookie",
            ),
            (
                ChromeNo3pc,
                "a=b; SameSite=None; Secure",
                "https://api.other.test/",
                CrossSiteFetch,
                Err(ExcludeThirdPartyBlocked),
                "Chromium 156, third-party cookies blocked: not stored",
            ),
            (
                ChromeNo3pc,
                "a=b; SameSite=None; Secure; Partitioned",
                "https://api.other.test/",
                CrossSiteFetch,
                Ok(()),
                "Chromium 156: Partitioned still works with third-party cookies blocked",
            ),
            (
                ChromeNo3pc,
                "a=b; SameSite=Lax",
                "http://api.other.test/",
                CrossSiteNavigation,
                Ok(()),
                "Chromium 156: top-level navigations unaffected by blocking",
            ),
            (
                Safari,
                "a=b; SameSite=None; Secure",
                "https://api.other.test/",
                CrossSiteFetch,
                Err(ExcludeThirdPartyBlocked),
                "Safari ITP blocks third-party cookies",
            ),
            (
                Firefox,
                "a=b; SameSite=None; Secure",
                "https://api.other.test/",
                CrossSiteFetch,
                Ok(()),
                "Firefox TCP: stored in a partition",
            ),
        ];
        for (profile, line, at, from, expected, why) in cases {
            let mut jar = CookieJar::default();
            let out = set_in(&mut jar, *profile, line, at, *from, T0);
            let got = match out.rejected {
                Some(r) => Err(r),
                None => Ok(()),
            };
            assert_eq!(got, *expected, "{profile:?} {line:?} from {at}: {why}");
            assert_eq!(out.stored, expected.is_ok(), "{line:?}: {why}");
            assert_eq!(
                jar.view(T0).len(),
                usize::from(expected.is_ok()),
                "{line:?}: {why}"
            );
            let last = out.steps.last().expect("a step");
            match expected {
                Err(r) => {
                    assert_eq!((last.reason, last.verdict), (*r, Verdict::Blocked));
                    assert!(last.title.contains("rejected"), "{}", last.title);
                }
                Ok(()) => assert_ne!(last.verdict, Verdict::Blocked),
            }
        }
    }

    #[test]
    fn stored_fields() {
        let mut jar = CookieJar::default();
        let p = ProfileId::Chrome;
        // (Set-Cookie, URL, domain, host_only, path, partition, what it pins)
        let cases: &[FieldsCase] = &[
            (
                "a=1",
                "http://api.example.test/v1/login",
                "api.example.test",
                true,
                "/v1",
                None,
                "§5.7 steps 10–11: host-only, default-path",
            ),
            (
                "b=1; Path=relative",
                "http://api.example.test/v1/login",
                "api.example.test",
                true,
                "/v1",
                None,
                "§5.6.4: a Path not starting with / is the default-path",
            ),
            (
                "c=1; Path=/x; Path=",
                "http://api.example.test/v1/login",
                "api.example.test",
                true,
                "/v1",
                None,
                "§5.7 step 11: last Path wins, empty → default-path",
            ),
            (
                "d=1; Domain=example.test; Path=/",
                "http://api.example.test/",
                "example.test",
                false,
                "/",
                None,
                "§5.7 step 10",
            ),
            (
                "e=1; Domain=localhost",
                "http://localhost:3001/",
                "localhost",
                true,
                "/",
                None,
                "§5.7 step 9.3: public suffix equal to host → host-only",
            ),
            (
                "f=1; Domain=127.0.0.1",
                "http://127.0.0.1:3001/",
                "127.0.0.1",
                true,
                "/",
                None,
                "Chromium 156: host-only on an IP",
            ),
            (
                "g=1; Partitioned; Secure",
                "https://api.example.test/",
                "api.example.test",
                true,
                "/",
                Some("https://example.test"),
                "CHIPS: keyed by the top-level site",
            ),
        ];
        for (line, at, domain, host_only, path, partition, why) in cases {
            let out = set_in(&mut jar, p, line, at, Via::SameSite, T0);
            assert!(out.stored, "{line}: {why}");
            let view = jar.view(T0);
            let v = view.iter().find(|v| v.name == out.name).unwrap();
            assert_eq!(
                (
                    v.domain.as_str(),
                    v.host_only,
                    v.path.as_str(),
                    v.partition.as_ref().map(|p| p.top_level_site.as_str())
                ),
                (*domain, *host_only, *path, *partition),
                "{line}: {why}"
            );
        }
    }

    #[test]
    fn lifetimes() {
        let p = ProfileId::Chrome;
        let past = "Thu, 01 Jan 2015 00:00:00 GMT";
        let far = "Fri, 01 Jan 2100 00:00:00 GMT";
        // (Set-Cookie, expected expiry relative to T0 or None for session / Some(MIN) for not stored, what it pins)
        let cases: Vec<(String, Option<Option<i64>>, &str)> = vec![
            ("a=b".into(), Some(None), "§5.7 step 6: session cookie"),
            ("a=b; Max-Age=60".into(), Some(Some(60)), "§5.6.2"),
            (
                format!("a=b; Max-Age=60; Expires={past}"),
                Some(Some(60)),
                "§5.7 step 6: Max-Age beats Expires",
            ),
            (
                format!("a=b; Expires={past}; Max-Age=60"),
                Some(Some(60)),
                "§5.7 step 6: Max-Age beats Expires in any order",
            ),
            (
                format!("a=b; Max-Age=0; Expires={far}"),
                None,
                "§5.6.2 step 7: Max-Age 0 deletes",
            ),
            ("a=b; Max-Age=-5".into(), None, "§5.6.2 step 7"),
            (
                format!("a=b; Expires={past}"),
                None,
                "§5.7: a past Expires is expired on arrival",
            ),
            (
                format!("a=b; Expires={far}"),
                Some(Some(MAX_LIFETIME_SECS)),
                "§5.5: capped at 400 days",
            ),
            (
                "a=b; Max-Age=999999999".into(),
                Some(Some(MAX_LIFETIME_SECS)),
                "§5.5: capped at 400 days",
            ),
            (
                "a=b; Max-Age=34560000".into(),
                Some(Some(MAX_LIFETIME_SECS)),
                "§5.5: exactly 400 days",
            ),
            (
                "a=b; Max-Age=60; Max-Age=bogus".into(),
                Some(Some(60)),
                "§5.6.2: an invalid Max-Age is ignored",
            ),
            (
                "a=b; Expires=bogus".into(),
                Some(None),
                "§5.6.1 step 2: an invalid Expires is ignored",
            ),
        ];
        for (line, expected, why) in cases {
            let mut jar = CookieJar::default();
            let out = set_in(&mut jar, p, &line, "http://localhost/", Via::SameSite, T0);
            assert_eq!(out.rejected, None, "{line}: {why}");
            match expected {
                None => {
                    assert!(!out.stored, "{line}: {why}");
                    assert!(jar.view(T0).is_empty());
                    assert_eq!(out.steps.last().unwrap().reason, Reason::CookieDeleted);
                }
                Some(exp) => {
                    assert!(out.stored, "{line}: {why}");
                    assert_eq!(
                        jar.view(T0)[0].expires,
                        exp.map(|d| T0 + d),
                        "{line}: {why}"
                    );
                }
            }
        }
        // The cap warns.
        let mut jar = CookieJar::default();
        let out = set_in(
            &mut jar,
            p,
            "a=b; Max-Age=999999999",
            "http://localhost/",
            Via::SameSite,
            T0,
        );
        assert!(out
            .steps
            .iter()
            .any(|s| s.reason == Reason::WarnLifetimeCapped));
    }

    #[test]
    fn replacement_deletion_and_overwrite_rules() {
        let p = ProfileId::Chrome;
        let mut jar = CookieJar::default();
        set_in(&mut jar, p, "a=1", "http://localhost/", Via::SameSite, T0);
        let out = set_in(
            &mut jar,
            p,
            "a=2",
            "http://localhost/",
            Via::SameSite,
            T0 + 5,
        );
        assert_eq!(
            out.steps.last().unwrap().reason,
            Reason::CookieReplaced,
            "§5.7 step 23"
        );
        assert_eq!(jar.view(T0).len(), 1);
        assert_eq!(jar.view(T0)[0].value, "2");
        let out = set_in(
            &mut jar,
            p,
            "a=x; Max-Age=0",
            "http://localhost/",
            Via::SameSite,
            T0 + 6,
        );
        assert_eq!(
            out.steps.last().unwrap().reason,
            Reason::CookieDeleted,
            "§5.6.2 step 7 + §5.7 step 23"
        );
        assert!(jar.view(T0 + 6).is_empty());

        // §5.7 step 23.2: script may not overwrite an HttpOnly cookie.
        set_in(
            &mut jar,
            p,
            "h=1; HttpOnly",
            "http://localhost/",
            Via::SameSite,
            T0,
        );
        let out = set_in(&mut jar, p, "h=2", "http://localhost/", Via::Script, T0);
        assert_eq!(out.rejected, Some(Reason::ExcludeHttpOnly));

        // §5.7 step 16: leave Secure cookies alone.
        let mut jar = CookieJar::default();
        set_in(
            &mut jar,
            p,
            "s=1; Secure; Path=/login",
            "https://app.example.test/",
            Via::SameSite,
            T0,
        );
        let cases: &[(&str, Option<Reason>, &str)] = &[
            (
                "s=2; Path=/login",
                Some(Reason::ExcludeOverwriteSecure),
                "same path",
            ),
            (
                "s=2; Path=/login/en",
                Some(Reason::ExcludeOverwriteSecure),
                "path under the Secure cookie's path",
            ),
            (
                "s=2; Domain=example.test; Path=/login",
                Some(Reason::ExcludeOverwriteSecure),
                "domain-matches either way",
            ),
            (
                "s=2; Path=/",
                None,
                "§5.7 step 16 note: a shorter path is allowed",
            ),
            (
                "s=2; Path=/foo",
                None,
                "§5.7 step 16 note: another path is allowed",
            ),
            ("t=2; Path=/login", None, "another name"),
        ];
        for (line, expected, why) in cases {
            let mut j = jar.clone();
            let out = set_in(
                &mut j,
                p,
                line,
                "http://app.example.test/",
                Via::SameSite,
                T0,
            );
            assert_eq!(out.rejected, *expected, "{line}: {why}");
        }
        // Over http://localhost Chrome counts as secure, so the rule does not apply.
        let mut jar = CookieJar::default();
        set_in(
            &mut jar,
            p,
            "s=1; Secure",
            "http://localhost/",
            Via::SameSite,
            T0,
        );
        let out = set_in(&mut jar, p, "s=2", "http://localhost/", Via::SameSite, T0);
        assert_eq!(out.rejected, None);
    }

    /// Retrieval: set one cookie, then ask for a request; Ok(warnings) when
    /// sent, Err(reason) when not.
    #[derive(Clone, Copy)]
    enum Req {
        SameSiteFetch,
        CrossSiteFetch,
        CrossSiteGetNavigation,
        CrossSitePostNavigation,
        Script,
    }

    fn get_in(
        jar: &CookieJar,
        p: ProfileId,
        at: &str,
        req: Req,
        top: &str,
        now: i64,
    ) -> GetOutcome {
        let u = url(at);
        let (same_site, nav, safe, http, third) = match req {
            Req::SameSiteFetch => (true, false, true, true, false),
            Req::CrossSiteFetch => (false, false, true, true, true),
            Req::CrossSiteGetNavigation => (false, true, true, true, false),
            Req::CrossSitePostNavigation => (false, true, false, true, false),
            Req::Script => (true, false, true, false, false),
        };
        jar.get(
            &GetContext {
                url: &u,
                same_site,
                top_level_navigation: nav,
                safe_method: safe,
                from_http: http,
                third_party: third,
                partition_key: PartitionKey::top_level(top),
                now,
            },
            &p.profile(),
            1,
        )
    }

    #[test]
    fn retrieval_rules() {
        use ProfileId::*;
        use Reason::*;
        use Req::*;
        // (profile, Set-Cookie, set on, request URL, request kind, age in seconds, expected, what it pins)
        type Case<'a> = (
            ProfileId,
            &'a str,
            &'a str,
            &'a str,
            Req,
            i64,
            Result<&'a [Reason], Reason>,
            &'a str,
        );
        let none: &[Reason] = &[];
        let cases: &[Case] = &[
            (Chrome, "a=b", "http://localhost:3001/login", "http://localhost:3001/me", SameSiteFetch, 1, Ok(none), "ports do not matter; Chromium 156: localhost:A → localhost:B is same-site"),
            (Chrome, "a=b", "http://localhost:3001/", "http://127.0.0.1:3001/", SameSiteFetch, 1, Err(ExcludeDomainMismatch), "§5.8.3: host-only cookie, other host"),
            (Chrome, "a=b", "http://api.example.test/", "http://app.example.test/", SameSiteFetch, 1, Err(ExcludeDomainMismatch), "§5.8.3: host-only"),
            (Chrome, "a=b; Domain=example.test", "http://api.example.test/", "http://app.example.test/", SameSiteFetch, 1, Ok(none), "§5.1.3; Chromium 156: sent to app.example.test"),
            (Chrome, "a=b; Path=/api", "http://localhost/api/login", "http://localhost/me", SameSiteFetch, 1, Err(ExcludeNotOnPath), "§5.1.4"),
            (Chrome, "a=b; Path=/api", "http://localhost/api/login", "http://localhost/api/me", SameSiteFetch, 1, Ok(none), "§5.1.4"),
            (Chrome, "a=b; Path=/api", "http://localhost/api/login", "http://localhost/apix", SameSiteFetch, 1, Err(ExcludeNotOnPath), "§5.1.4: prefix must end at a /"),
            (Chrome, "a=b; Max-Age=60", "http://localhost/", "http://localhost/", SameSiteFetch, 61, Err(ExcludeExpired), "§5.7: expired"),
            (Chrome, "a=b; Secure", "https://app.example.test/", "http://app.example.test/", SameSiteFetch, 1, Err(ExcludeSecureOnly), "§5.8.3: Secure needs a secure request"),
            (Chrome, "a=b; Secure", "http://localhost/", "http://localhost/", SameSiteFetch, 1, Ok(&[WarnSecureAccessGrantedNonCryptographic]), "Chromium: Secure over http://localhost, with a warning"),
            (Chrome, "a=b; HttpOnly", "http://localhost/", "http://localhost/", Script, 1, Err(ExcludeHttpOnly), "§5.8.3: HttpOnly hidden from script"),
            (Chrome, "a=b; SameSite=Strict", "http://api.other.test/", "http://api.other.test/", CrossSiteGetNavigation, 1, Err(ExcludeSameSiteStrict), "§5.8.3; Chromium 156: Strict not sent on a cross-site GET navigation"),
            (Chrome, "a=b; SameSite=Lax", "http://api.other.test/", "http://api.other.test/", CrossSiteGetNavigation, 1, Ok(none), "§5.8.3; Chromium 156: Lax sent on a cross-site GET navigation"),
            (Chrome, "a=b", "http://api.other.test/", "http://api.other.test/", CrossSiteGetNavigation, 1, Ok(none), "Chromium 156: no-SameSite sent on a cross-site GET navigation"),
            (Chrome, "a=b; SameSite=None; Secure", "https://api.other.test/", "https://api.other.test/", CrossSiteFetch, 1, Ok(none), "§5.8.3: None goes cross-site (Chrome allows third-party cookies)"),
            (Chrome, "a=b; SameSite=Lax", "http://api.other.test/", "http://api.other.test/", CrossSiteFetch, 1, Err(ExcludeSameSiteLax), "§5.8.3: Lax not on cross-site fetch"),
            (Chrome, "a=b", "http://api.other.test/", "http://api.other.test/", CrossSiteFetch, 1, Err(ExcludeSameSiteUnspecifiedTreatedAsLax), "Chrome Lax-by-default"),
            (Chrome, "a=b", "http://api.other.test/", "http://api.other.test/", CrossSitePostNavigation, 60, Ok(&[WarnLaxAllowUnsafe]), "§5.6.7.2; Chromium 156: no-SameSite cookie under 2 minutes old is sent on a cross-site POST"),
            (Chrome, "a=b", "http://api.other.test/", "http://api.other.test/", CrossSitePostNavigation, 120, Ok(&[WarnLaxAllowUnsafe]), "§5.6.7.2: 'at most' 2 minutes"),
            (Chrome, "a=b", "http://api.other.test/", "http://api.other.test/", CrossSitePostNavigation, 121, Err(ExcludeSameSiteUnspecifiedTreatedAsLax), "Chromium 156: not after 2 minutes"),
            (Chrome, "a=b; SameSite=Lax", "http://api.other.test/", "http://api.other.test/", CrossSitePostNavigation, 1, Err(ExcludeSameSiteLax), "§5.6.7.2; Chromium 156: explicit Lax never gets Lax+POST"),
            (Firefox, "a=b", "http://api.other.test/", "http://api.other.test/", CrossSitePostNavigation, 600, Ok(&[WarnSameSiteUnspecifiedCrossSite]), "Firefox never shipped Lax-by-default"),
            (Safari, "a=b", "http://api.other.test/", "http://api.other.test/", CrossSitePostNavigation, 600, Ok(&[WarnSameSiteUnspecifiedCrossSite]), "Safari did not ship Lax-by-default"),
            (Firefox, "a=b; SameSite=Lax", "http://api.other.test/", "http://api.other.test/", CrossSitePostNavigation, 1, Err(ExcludeSameSiteLax), "§5.8.3: explicit Lax in every browser"),
            (ChromeNo3pc, "a=b; SameSite=None; Secure", "https://api.other.test/", "https://api.other.test/", CrossSiteFetch, 1, Err(ExcludeUserPreferences), "Chromium 156, third-party cookies blocked: existing None cookies not sent"),
            (ChromeNo3pc, "a=b; SameSite=None; Secure", "https://api.other.test/", "https://api.other.test/", CrossSiteGetNavigation, 1, Ok(none), "Chromium 156: top-level navigations unaffected"),
            (Safari, "a=b; SameSite=None; Secure", "https://api.other.test/", "https://api.other.test/", CrossSiteFetch, 1, Err(ExcludeUserPreferences), "Safari ITP"),
            (Firefox, "a=b; SameSite=None; Secure", "https://api.other.test/", "https://api.other.test/", CrossSiteFetch, 1, Err(ExcludePartitionMismatch), "Firefox TCP: a first-party cookie is not in the third-party jar"),
        ];
        for (profile, line, set_on, at, req, age, expected, why) in cases {
            let mut jar = CookieJar::default();
            // Set first-party on its own site (same-site fetch, its own top-level site).
            let out = set_in(&mut jar, *profile, line, set_on, Via::SameSite, T0);
            assert!(out.stored, "setup {line}: {why}");
            let got = get_in(
                &jar,
                *profile,
                at,
                *req,
                "http://app.example.test",
                T0 + age,
            );
            let considered: Vec<&Step> = got
                .steps
                .iter()
                .filter(|s| s.verdict != Verdict::Warning)
                .collect();
            assert_eq!(
                considered.len(),
                1,
                "{line}: one step per cookie: {:?}",
                got.steps
            );
            match expected {
                Ok(warnings) => {
                    assert_eq!(
                        got.cookie_header.as_deref(),
                        Some("a=b"),
                        "{profile:?} {line:?} → {at}: {why}\n{:?}",
                        got.steps
                    );
                    assert_eq!(considered[0].reason, CookieIncluded);
                    let warned: Vec<Reason> = got
                        .steps
                        .iter()
                        .filter(|s| s.verdict == Verdict::Warning)
                        .map(|s| s.reason)
                        .collect();
                    assert_eq!(&warned[..], *warnings, "{line}: {why}");
                }
                Err(reason) => {
                    assert_eq!(
                        got.cookie_header, None,
                        "{profile:?} {line:?} → {at}: {why}"
                    );
                    assert_eq!(
                        (considered[0].reason, considered[0].verdict),
                        (*reason, Verdict::Blocked),
                        "{profile:?} {line:?} → {at}: {why}"
                    );
                }
            }
        }
    }

    #[test]
    fn partitions() {
        let top_a = "https://a.example";
        let top_b = "https://b.example";
        let api = "https://api.other.test/";
        let set3p = |jar: &mut CookieJar, p: ProfileId, line: &str, top: &str| {
            let u = url(api);
            jar.set(
                line,
                &set_ctx(&u, Via::CrossSiteFetch, top, T0),
                &p.profile(),
                0,
            )
        };
        // CHIPS (Chrome, third-party cookies blocked or not): keyed by the top-level site.
        for p in [ProfileId::Chrome, ProfileId::ChromeNo3pc, ProfileId::Safari] {
            let mut jar = CookieJar::default();
            let out = set3p(
                &mut jar,
                p,
                "__Host-p=1; Secure; Path=/; SameSite=None; Partitioned",
                top_a,
            );
            assert!(out.stored, "{p:?}: CHIPS");
            assert!(out
                .steps
                .iter()
                .any(|s| s.reason == Reason::StoredPartitioned));
            let under_a = get_in(&jar, p, api, Req::CrossSiteFetch, top_a, T0 + 1);
            assert_eq!(
                under_a.cookie_header.as_deref(),
                Some("__Host-p=1"),
                "{p:?}: same top-level site"
            );
            assert!(under_a
                .steps
                .iter()
                .any(|s| s.reason == Reason::PartitionedJar));
            let under_b = get_in(&jar, p, api, Req::CrossSiteFetch, top_b, T0 + 1);
            assert_eq!(under_b.cookie_header, None, "{p:?}: other top-level site");
            assert_eq!(under_b.steps[0].reason, Reason::ExcludePartitionMismatch);
        }
        // Firefox: every third-party cookie goes to the top-level site's jar.
        let p = ProfileId::Firefox;
        let mut jar = CookieJar::default();
        let out = set3p(&mut jar, p, "s=1; SameSite=None; Secure", top_a);
        assert!(out.stored);
        assert_eq!(
            jar.view(T0)[0].partition,
            Some(PartitionKey::top_level(top_a))
        );
        assert_eq!(
            get_in(&jar, p, api, Req::CrossSiteFetch, top_a, T0)
                .cookie_header
                .as_deref(),
            Some("s=1")
        );
        assert_eq!(
            get_in(&jar, p, api, Req::CrossSiteFetch, top_b, T0).cookie_header,
            None
        );
        // Visiting the API's own site first-party: its own (unpartitioned) jar.
        assert_eq!(
            get_in(&jar, p, api, Req::SameSiteFetch, "https://other.test", T0).cookie_header,
            None
        );
        // Partitioned cookies have their own Secure rule in Chrome.
        let mut jar = CookieJar::default();
        let out = set3p(
            &mut jar,
            ProfileId::Firefox,
            "q=1; Partitioned; SameSite=None",
            top_a,
        );
        assert_eq!(out.rejected, Some(Reason::ExcludeSameSiteNoneInsecureSet));
    }

    #[test]
    fn partitioned_without_secure_is_dropped_at_creation() {
        use Reason::*;
        use Via::*;
        // Chromium checks `Partitioned` while it creates the cookie
        // (CanonicalCookie::Create), before the Secure-origin, HttpOnly and
        // SameSite steps; only Domain and prefix problems come first, and
        // those are the ones DevTools shows.
        // (Set-Cookie, response URL, how requested, Ok(()) = stored or Err(reason), what it pins)
        type Case = (
            &'static str,
            &'static str,
            Via,
            Result<(), Reason>,
            &'static str,
        );
        let cases: &[Case] = &[
            (
                "a=b; Partitioned; SameSite=None",
                "https://api.example.test/",
                SameSite,
                Err(ExcludeInvalidPartitioned),
                "not the SameSite=None-needs-Secure reason",
            ),
            (
                "a=b; Partitioned; SameSite=None",
                "https://api.other.test/",
                CrossSiteFetch,
                Err(ExcludeInvalidPartitioned),
                "the same, cross-site",
            ),
            (
                "a=b; Partitioned",
                "https://api.other.test/",
                CrossSiteFetch,
                Err(ExcludeInvalidPartitioned),
                "not Lax-by-default from a cross-site response",
            ),
            (
                "a=b; Partitioned; HttpOnly",
                "https://api.example.test/",
                Script,
                Err(ExcludeInvalidPartitioned),
                "not HttpOnly-from-script",
            ),
            (
                "a=b; Partitioned; Secure; SameSite=None",
                "http://api.example.test/",
                SameSite,
                Err(ExcludeInvalidPartitioned),
                "IsCookiePartitionedValid also wants a secure URL",
            ),
            (
                "a=b; Partitioned; Secure; SameSite=None",
                "http://localhost/",
                SameSite,
                Ok(()),
                "localhost is trustworthy",
            ),
            (
                "__Host-a=b; Partitioned; Path=/",
                "https://api.example.test/",
                SameSite,
                Err(ExcludeInvalidPrefix),
                "a prefix problem is what DevTools shows",
            ),
            (
                "a=b; Partitioned; Domain=other.test",
                "https://api.example.test/",
                SameSite,
                Err(ExcludeInvalidDomain),
                "so is a Domain problem",
            ),
        ];
        for p in [ProfileId::Chrome, ProfileId::ChromeNo3pc] {
            for (line, at, via, expected, why) in cases {
                let mut jar = CookieJar::default();
                let out = set_in(&mut jar, p, line, at, *via, T0);
                match expected {
                    Ok(()) => assert!(out.stored, "{p:?} {line} from {at}: {why}\n{:?}", out.steps),
                    Err(reason) => assert_eq!(
                        out.rejected,
                        Some(*reason),
                        "{p:?} {line} from {at}: {why}\n{:?}",
                        out.steps
                    ),
                }
            }
        }
        // The explanation says DevTools is silent, and gives the one fix.
        let mut jar = CookieJar::default();
        let out = set_in(
            &mut jar,
            ProfileId::Chrome,
            "sid=1; Partitioned; SameSite=None",
            "https://api.other.test/",
            CrossSiteFetch,
            T0,
        );
        let step = out.steps.last().unwrap();
        assert_eq!(step.reason, ExcludeInvalidPartitioned);
        assert!(step
            .title
            .starts_with("sid rejected: Partitioned needs Secure"));
        assert!(!step.explanation.contains('\n'));
        assert!(
            step.explanation.contains("DevTools lists no reason"),
            "{}",
            step.explanation
        );
        assert!(
            step.explanation.contains("Add `Secure`"),
            "{}",
            step.explanation
        );
        let out = set_in(
            &mut jar,
            ProfileId::Chrome,
            "sid=1; Partitioned; Secure",
            "http://api.example.test/",
            SameSite,
            T0,
        );
        let text = &out.steps.last().unwrap().explanation;
        assert!(
            text.contains("DevTools lists no reason") && text.contains("https"),
            "{text}"
        );

        // Firefox (CHIPS on since 141) keeps a first-party `Partitioned; Secure`
        // cookie in the partition of the top-level site.
        let out = set_in(
            &mut jar,
            ProfileId::Firefox,
            "f=1; Partitioned; Secure",
            "https://api.example.test/",
            SameSite,
            T0,
        );
        assert!(out.stored);
        assert!(jar.view(T0).last().unwrap().partition.is_some());
        // Firefox checks SameSite=None first, then Partitioned, and says so in
        // the console.
        let firefox_chips = ProfileId::Firefox.profile();
        let u = url("https://api.example.test/");
        let ctx = set_ctx(&u, SameSite, &site_key(&u), T0);
        let out = jar.set("g=1; Partitioned; SameSite=None", &ctx, &firefox_chips, 0);
        assert_eq!(out.rejected, Some(ExcludeSameSiteNoneInsecureSet));
        let out = jar.set("g=1; Partitioned", &ctx, &firefox_chips, 0);
        assert_eq!(out.rejected, Some(ExcludeInvalidPartitioned));
        let text = &out.steps.last().unwrap().explanation;
        assert!(
            text.contains("console") && !text.contains("DevTools"),
            "{text}"
        );
    }

    #[test]
    fn partition_key_carries_the_cross_site_ancestor_bit() {
        let top = "https://a.example";
        let chrome = ProfileId::Chrome.profile();
        let key = |nav, chain, p: &BrowserProfile| {
            PartitionKey::for_request(top.to_string(), nav, chain, p).cross_site_ancestor
        };
        // Chromium: clear on a top-level navigation, else set by a
        // cross-site frame or request.
        assert!(!key(true, true, &chrome));
        assert!(key(false, true, &chrome));
        assert!(!key(false, false, &chrome));
        // Browsers whose key is the top-level site alone.
        for p in [ProfileId::Firefox, ProfileId::Safari] {
            assert!(!key(false, true, &p.profile()), "{p:?}");
        }
        let cross = PartitionKey::for_request(top.into(), false, true, &chrome);
        assert_eq!(cross.to_string(), "https://a.example (cross-site ancestor)");
        assert_eq!(PartitionKey::top_level(top).to_string(), top);

        // One key's cookies are not sent under the other, and the two coexist.
        let u = url("https://a.example/");
        let line = "p=1; Secure; Path=/; SameSite=None; Partitioned";
        let mut jar = CookieJar::default();
        let mut ctx = set_ctx(&u, Via::SameSite, top, T0);
        assert!(jar.set(line, &ctx, &chrome, 0).stored);
        ctx.partition_key = cross.clone();
        ctx.same_site_strict_or_lax_allowed = false;
        let out = jar.set(
            "p=2; Secure; Path=/; SameSite=None; Partitioned",
            &ctx,
            &chrome,
            0,
        );
        assert!(out.stored);
        assert!(out
            .steps
            .iter()
            .any(|s| s.reason == Reason::CookieStored && s.title == "p stored"));
        let partitions: Vec<String> = jar
            .view(T0)
            .iter()
            .filter_map(|c| c.partition.as_ref().map(|p| p.to_string()))
            .collect();
        assert_eq!(partitions, [top, "https://a.example (cross-site ancestor)"]);
        let get = |key: &PartitionKey, same_site: bool| {
            jar.get(
                &GetContext {
                    url: &u,
                    same_site,
                    top_level_navigation: false,
                    safe_method: true,
                    from_http: true,
                    third_party: false,
                    partition_key: key.clone(),
                    now: T0 + 1,
                },
                &chrome,
                1,
            )
        };
        let top_key = PartitionKey::top_level(top);
        assert_eq!(get(&top_key, true).cookie_header.as_deref(), Some("p=1"));
        let framed = get(&cross, false);
        assert_eq!(framed.cookie_header.as_deref(), Some("p=2"));
        let mismatch = framed
            .steps
            .iter()
            .find(|s| s.reason == Reason::ExcludePartitionMismatch)
            .unwrap();
        assert_eq!(
            mismatch.title,
            "p not sent: it lives in the https://a.example partition"
        );
        assert!(mismatch.explanation.contains("cross-site ancestor bit"));
        assert!(mismatch
            .explanation
            .contains("Set the cookie from the same kind of context"));
    }

    #[test]
    fn order_and_serialization() {
        let p = ProfileId::Chrome;
        let mut jar = CookieJar::default();
        set_in(
            &mut jar,
            p,
            "late=1; Path=/",
            "http://localhost/",
            Via::SameSite,
            T0 + 10,
        );
        set_in(
            &mut jar,
            p,
            "deep=1; Path=/a/b",
            "http://localhost/",
            Via::SameSite,
            T0 + 20,
        );
        set_in(
            &mut jar,
            p,
            "early=1; Path=/",
            "http://localhost/",
            Via::SameSite,
            T0,
        );
        set_in(
            &mut jar,
            p,
            "mid=1; Path=/a",
            "http://localhost/",
            Via::SameSite,
            T0 + 30,
        );
        set_in(
            &mut jar,
            p,
            "nameless",
            "http://localhost/",
            Via::SameSite,
            T0 + 40,
        );
        set_in(
            &mut jar,
            p,
            "empty=",
            "http://localhost/",
            Via::SameSite,
            T0 + 50,
        );
        // Replacing keeps the creation time (§5.7 step 23.3): `late` stays after `early`.
        set_in(
            &mut jar,
            p,
            "late=2; Path=/",
            "http://localhost/",
            Via::SameSite,
            T0 + 60,
        );
        let got = get_in(
            &jar,
            p,
            "http://localhost/a/b/c",
            Req::SameSiteFetch,
            "http://localhost",
            T0 + 70,
        );
        // §5.8.3 step 4: longer paths first, then earlier creation; step 6: a name-less cookie is its value.
        assert_eq!(
            got.cookie_header.as_deref(),
            Some("deep=1; mid=1; early=1; late=2; nameless; empty=")
        );
        assert_eq!(
            got.sent,
            vec![
                "deep",
                "mid",
                "early",
                "late",
                "(name-less cookie)",
                "empty"
            ]
        );
        // view(): creation order, unexpired only.
        let names: Vec<String> = jar.view(T0).into_iter().map(|v| v.name).collect();
        assert_eq!(names, vec!["late", "deep", "early", "mid", "", "empty"]);
    }

    #[test]
    fn lax_allowing_unsafe_counts_from_first_creation() {
        // §5.7 step 23.3: a replaced cookie keeps its creation time, so
        // re-setting it does not restart Chrome's 2-minute window.
        let p = ProfileId::Chrome;
        let mut jar = CookieJar::default();
        set_in(
            &mut jar,
            p,
            "a=b",
            "http://api.other.test/",
            Via::SameSite,
            T0,
        );
        set_in(
            &mut jar,
            p,
            "a=b",
            "http://api.other.test/",
            Via::SameSite,
            T0 + 100,
        );
        let got = get_in(
            &jar,
            p,
            "http://api.other.test/",
            Req::CrossSitePostNavigation,
            "http://app.example.test",
            T0 + 150,
        );
        assert_eq!(got.cookie_header, None);
    }

    #[test]
    fn helpers() {
        // §5.1.4 default-path.
        for (u, d) in [
            ("http://h/", "/"),
            ("http://h/login", "/"),
            ("http://h/api/login", "/api"),
            ("http://h/api/v1/", "/api/v1"),
            ("http://h/cookie-parser?x", "/"),
        ] {
            assert_eq!(default_path(&url(u)), d, "{u}");
        }
        // §5.1.3 domain-match.
        assert!(domain_match("api.example.test", "example.test"));
        assert!(!domain_match("api.example.test", "xample.test"));
        assert!(!domain_match("example.test", "api.example.test"));
        assert!(domain_match("127.0.0.1", "127.0.0.1"));
        assert!(!domain_match("127.0.0.1", "0.0.1"));
        // §5.1.4 path-match.
        assert!(path_match("/api", "/api"));
        assert!(path_match("/api/x", "/api"));
        assert!(path_match("/api/x", "/api/"));
        assert!(!path_match("/apix", "/api"));
        assert!(!path_match("/", "/api"));
    }

    #[test]
    fn explanations_are_one_paragraph_with_a_fix() {
        let mut jar = CookieJar::default();
        let u = url("https://api.other.test/");
        let out = jar.set(
            "_your_app_session=x; SameSite=None",
            &set_ctx(&u, Via::CrossSiteFetch, "http://localhost", T0),
            &ProfileId::Chrome.profile(),
            0,
        );
        let step = out.steps.last().unwrap();
        assert_eq!(
            step.title,
            "_your_app_session rejected: SameSite=None needs Secure"
        );
        assert!(!step.explanation.contains('\n'));
        assert!(step.explanation.contains("Add `Secure`"));
        assert_eq!(step.phase, Phase::SetCookie);
        assert_eq!(step.request, Some(0));
        assert!(step
            .values
            .iter()
            .any(|v| v.label == "Cookie" && v.value == "_your_app_session"));
    }
}
