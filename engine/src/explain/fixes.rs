//! The smallest change of settings that makes the scenario work.
//!
//! The goal: every response is readable by the page (or loaded, for
//! navigations), and when the scenario logs in, the session cookie is stored
//! and sent back on a later request. The search tries single setting changes
//! (see [`candidates`]), then pairs and triples of them, by simulating each
//! candidate scenario, and keeps the fixes no smaller fix is contained in.
//! It stops at a [`SearchBudget`] and says how far it got ([`SearchReport`]),
//! so any scenario gets an answer in bounded time. It never proposes
//! `origins '*'` with credentials (Rails would not boot anyway), never drops
//! `HttpOnly`, and never drops `Secure` for an API served over https.
//!
//! Where no setting can work (page and API on different sites under a
//! profile that blocks third-party cookies), [`architectural_advice`] says
//! so and names the changes of architecture that do.

use crate::origin::{parse_url, Origin};
use crate::profile::ThirdPartyCookies;
use crate::scenario::{Client, CredentialsMode, Scenario};
use crate::server::rails::{DomainOption, SameSiteOption};
use crate::trace::{JsResult, Trace};

mod candidates;
pub mod code_diff;
pub mod proxy_it;
pub(crate) mod raw_headers;
pub(crate) mod search;
pub mod url_mistakes;

pub use candidates::candidates;
pub use search::{
    search_fixes, search_fixes_from, simulation_work, suggest_fixes, FixSearch, FixSearchRun,
    SearchBudget, SearchReport,
};

/// One setting changed: a dotted path into the scenario (the editor's
/// `data-field`), the form's label for it, and its old and new value as the
/// framework writes them (`true`, `:lax`, `'http://localhost:3000'`).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct SettingChange {
    pub field: String,
    pub label: String,
    pub from: String,
    pub to: String,
}

/// A fix: what to change, why, and the scenario with the change applied.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Fix {
    pub title: String,
    pub reason: String,
    pub changes: Vec<SettingChange>,
    pub scenario: Scenario,
}

/// A candidate change the search combines.
pub struct Candidate {
    pub title: String,
    pub reason: String,
    pub changes: Vec<SettingChange>,
    /// Lower is preferred when two fixes are the same size.
    pub rank: u8,
    apply: Box<dyn Fn(&mut Scenario)>,
}

impl Candidate {
    pub(crate) fn new(
        title: impl Into<String>,
        reason: impl Into<String>,
        changes: Vec<SettingChange>,
        rank: u8,
        apply: impl Fn(&mut Scenario) + 'static,
    ) -> Self {
        Candidate {
            title: title.into(),
            reason: reason.into(),
            changes,
            rank,
            apply: Box::new(apply),
        }
    }

    /// Applies this change to a scenario.
    pub fn apply(&self, s: &mut Scenario) {
        (self.apply)(s)
    }
}

pub(crate) fn change(
    field: impl Into<String>,
    from: impl Into<String>,
    to: impl Into<String>,
) -> SettingChange {
    let field = field.into();
    SettingChange {
        label: crate::explain::summary::field_label(&field),
        field,
        from: from.into(),
        to: to.into(),
    }
}

/// A `secure:`/`httponly:` option as the form shows it.
pub(crate) fn tristate_label(v: Option<bool>) -> String {
    match v {
        None => "not given".into(),
        Some(b) => b.to_string(),
    }
}

/// A rack-cors list (`methods`, `headers`) as written in cors.rb.
pub(crate) fn symbols_label(l: &[String]) -> String {
    l.iter()
        .map(|m| format!(":{m}"))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) fn page_origin(s: &Scenario) -> Option<String> {
    parse_url(&s.page.url, None)
        .ok()
        .map(|u| Origin::of(&u).serialize())
}

/// The URLs of the requests, resolved against the page.
pub(crate) fn request_urls(s: &Scenario) -> Vec<url::Url> {
    let base = parse_url(&s.page.url, None).ok();
    s.requests
        .iter()
        .filter_map(|r| parse_url(&r.url, base.as_ref()).ok())
        .collect()
}

pub(crate) fn api_is_https(s: &Scenario) -> bool {
    let urls = request_urls(s);
    !urls.is_empty() && urls.iter().all(|u| u.scheme() == "https")
}

pub(crate) fn same_site_label(o: SameSiteOption) -> &'static str {
    match o {
        SameSiteOption::Unset => "not given",
        SameSiteOption::Lax => ":lax",
        SameSiteOption::Strict => ":strict",
        SameSiteOption::None => ":none",
        SameSiteOption::Nil => "nil",
    }
}

pub(crate) fn domain_label(d: &DomainOption) -> String {
    match d {
        DomainOption::Unset => "not given".into(),
        DomainOption::Exact(s) => format!("'{s}'"),
        DomainOption::All { tld_length: None } => ":all".into(),
        DomainOption::All {
            tld_length: Some(n),
        } => format!(":all, tld_length: {n}"),
        DomainOption::List(l) => format!(
            "[{}]",
            l.iter()
                .map(|d| format!("'{d}'"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

pub(crate) fn origins_label(o: &[String]) -> String {
    o.iter()
        .map(|s| format!("'{s}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) fn credentials_label(c: &Client) -> String {
    match c {
        Client::Fetch { credentials, .. } => format!(
            "credentials: '{}'",
            match credentials {
                CredentialsMode::Omit => "omit",
                CredentialsMode::SameOrigin => "same-origin",
                CredentialsMode::Include => "include",
            }
        ),
        Client::Xhr { with_credentials }
        | Client::Axios {
            with_credentials, ..
        } => {
            format!("withCredentials: {with_credentials}")
        }
        Client::Navigation { .. } | Client::Iframe | Client::Visit => "(navigation)".into(),
    }
}

/// The session cookie the goal watches, if the server names one.
fn session_key(s: &Scenario) -> Option<String> {
    s.server.stack().session_key()
}

/// True when the scenario logs in (and so the session cookie must flow):
/// a request the server's stack calls a login, or, when the stack cannot
/// tell, any cookie stored or rejected in the baseline trace.
pub(crate) fn needs_session(s: &Scenario, baseline: &Trace) -> bool {
    let stack = s.server.stack();
    let verdicts: Vec<Option<bool>> = s
        .requests
        .iter()
        .filter_map(|r| {
            let url = url::Url::parse(&r.url)
                .or_else(|_| url::Url::parse(&s.page.url).and_then(|b| b.join(&r.url)));
            url.ok().map(|u| {
                let path = crate::server::dev_proxy::server_path(s, &u);
                stack.logs_in(&r.method, &path)
            })
        })
        .collect();
    verdicts.contains(&Some(true))
        || verdicts.contains(&None)
            && baseline
                .requests
                .iter()
                .any(|r| !r.cookies_stored.is_empty() || !r.cookies_rejected.is_empty())
}

/// Does the trace show the goal: every response readable (or loaded), and
/// the session cookie stored and then sent?
pub fn goal_holds(s: &Scenario, t: &Trace, need_session: bool) -> bool {
    if t.requests.len() != s.requests.len() || !t.field_errors.is_empty() {
        return false;
    }
    let all_ok = t
        .requests
        .iter()
        .all(|r| matches!(r.js_result, JsResult::Readable | JsResult::Navigated));
    if !all_ok || !s.server.stack().server_goal_holds(t) {
        return false;
    }
    if !need_session {
        return true;
    }
    let key = session_key(s);
    let matches = |names: &Vec<String>| match &key {
        Some(k) => names.iter().any(|n| n == k),
        None => !names.is_empty(),
    };
    let Some(first) = t.requests.iter().position(|r| matches(&r.cookies_stored)) else {
        return false;
    };
    if first + 1 == t.requests.len() {
        return true;
    }
    t.requests[first + 1..]
        .iter()
        .any(|r| matches(&r.cookies_sent))
}

/// The safety rules: never `origins '*'` with credentials, never drop
/// HttpOnly, never drop Secure when the API is served over https.
pub fn is_safe(candidate: &Scenario, original: &Scenario) -> bool {
    candidate
        .server
        .stack()
        .is_safe(&original.server, api_is_https(candidate))
}

fn host_of(u: &url::Url) -> String {
    u.host_str().unwrap_or("").to_string()
}

/// Facts about the setup's architecture, and the changes of architecture
/// that work where settings cannot.
pub fn architectural_advice(scenario: &Scenario) -> Vec<String> {
    let mut out = Vec::new();
    let Ok(page) = parse_url(&scenario.page.url, None) else {
        return out;
    };
    let profile = scenario.browser_profile();
    let page_o = Origin::of(&page);
    let mut seen = Vec::new();
    for api in request_urls(scenario) {
        let api_o = Origin::of(&api);
        if page_o.same_origin(&api_o) || seen.contains(&api_o.serialize()) {
            continue;
        }
        seen.push(api_o.serialize());
        let same = crate::site::same_site(&page, &api, profile.site_rules());
        if same {
            out.push(format!(
                "{} and {} are the same site (ports do not count, and {} is its own site): the session cookie is not a third-party cookie, so SameSite=Lax works and no browser's third-party blocking applies. Only CORS (the exact origin and credentials) and the credentials mode matter.",
                page_o.serialize(),
                api_o.serialize(),
                host_of(&api)
            ));
        } else {
            let blocked = match profile.third_party_cookies {
                ThirdPartyCookies::Block => format!(
                    " {} blocks third-party cookies, so no server or client setting can make this session cookie work there.",
                    profile.name
                ),
                ThirdPartyCookies::Partition => format!(
                    " {} keeps third-party cookies in a jar per top-level site: the cookie works only under this page's site.",
                    profile.name
                ),
                ThirdPartyCookies::RejectIncoming => format!(
                    " {} does not store a cookie from a response outside the page's domain, so the login's cookie is never stored; one the user already has from visiting the API's site is still sent.",
                    profile.name
                ),
                ThirdPartyCookies::Allow => " It then needs SameSite=None; Secure, over https, and it breaks wherever third-party cookies are blocked (Safari, Incognito, and more profiles every year).".to_string(),
            };
            out.push(format!(
                "{} and {} are different sites: the session cookie is a third-party cookie.{blocked}",
                page_o.serialize(),
                api_o.serialize()
            ));
            out.push(
                "Put the API on the page's site, e.g. api.example.com next to app.example.com: requests become same-site, a SameSite=Lax host-only cookie works, and third-party blocking no longer applies.".into(),
            );
            out.push(format!(
                "Or proxy the API through the page's origin (a dev-server proxy such as Vite's `server.proxy`, or a reverse-proxy path like {}/api): the requests become same-origin, with no CORS and no third-party cookie.",
                page_o.serialize()
            ));
        }
        if page.scheme() == "https"
            && api.scheme() == "http"
            && !crate::origin::is_loopback_host(&host_of(&api))
        {
            out.push(format!(
                "The page is https and the API {} is plain http: the browser blocks it as mixed content. Serve the API over https.",
                api_o.serialize()
            ));
        }
        // Local Network Access: a page on a public address calling this
        // machine or the local network (Chrome 142+ asks the user first).
        let page_space = crate::address_space::address_space_of_url(&page);
        let api_space = crate::address_space::address_space_of_url(&api);
        if !page_space.is_private()
            && api_space.is_private()
            && profile.local_network_access != crate::profile::LocalNetworkAccess::NotEnforced
        {
            out.push(format!(
                "The page is on a public address and {} is on {}: Chrome 142 and later only let the request through once the user allows this site to reach it (the site's settings, left of the address bar: Local network access). Every user of the hosted page meets that prompt; to avoid it, run the front end on this machine too (http://localhost), or give the API a public https address.",
                api_o.serialize(),
                if api_space == crate::address_space::AddressSpace::Loopback {
                    "this device (loopback)"
                } else {
                    "the local network"
                }
            ));
        }
        out.extend(scenario.server.stack().advice(&api));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::ServerSetup;
    use crate::server::rails::article;

    fn titles(s: &Scenario) -> Vec<String> {
        candidates(s).into_iter().map(|c| c.title).collect()
    }

    #[test]
    fn candidates_for_the_problematic_cors() {
        let s = Scenario {
            server: ServerSetup::Rails(article::app(
                article::problematic_cors(),
                article::simple_session(),
            )),
            ..Scenario::default()
        };
        let t = titles(&s);
        assert!(
            t.contains(&"origins 'http://localhost:3000' with credentials: true".to_string()),
            "{t:?}"
        );
        assert!(t.contains(&"origins 'http://localhost:3000' instead of '*'".to_string()));
        // The client already includes credentials.
        assert!(!t.contains(&"Send cookies with every request".to_string()));
    }

    #[test]
    fn never_drops_secure_on_https() {
        let mut s = Scenario::default();
        for r in &mut s.requests {
            r.url = r.url.replace("http://", "https://");
        }
        s.server = ServerSetup::Rails(article::app(article::refined_cors(), article::session()));
        let cands = candidates(&s);
        for c in &cands {
            let mut x = s.clone();
            c.apply(&mut x);
            if let ServerSetup::Rails(a) = &x.server {
                assert_eq!(a.session.secure, Some(true), "{}", c.title);
                assert_ne!(a.session.httponly, Some(false));
            }
        }
    }

    #[test]
    fn safety_rules() {
        let s = Scenario {
            server: ServerSetup::Rails(article::app(
                article::problematic_cors(),
                article::simple_session(),
            )),
            ..Scenario::default()
        };
        let mut bad = s.clone();
        if let ServerSetup::Rails(a) = &mut bad.server {
            a.cors.allow[0].resources[0].credentials = true;
        }
        assert!(!is_safe(&bad, &s));
        assert!(is_safe(&s, &s));
    }
}
