//! Live mode, the pure parts: mapping a scenario onto the lab server's
//! origins, what the page and the lab observe, and comparing that with the
//! engine's prediction.
//!
//! Nothing here touches the network. The page (and the differential tests)
//! run the mapped scenario for real, collect one [`Observation`] per request
//! and call [`compare`] with the trace of the **mapped** scenario, so the
//! comparison is always like for like; [`LiveMapping::notes`] says how the
//! mapped scenario differs from the one the user wrote.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use url::Url;

use crate::headers::{describe_control, is_forbidden_control, HeaderList};
use crate::origin::{is_loopback_host, is_potentially_trustworthy, parse_url};
use crate::profile::{Family, ProfileId};
use crate::scenario::{Client, RunsFrom, Scenario, ServerSetup};
use crate::site::site_of;
use crate::trace::{JsResult, PreflightOutcome, RequestOutcome, Trace};

/// Query parameter that tells the lab which run a request belongs to.
pub const RUN_PARAM: &str = "ct_run";
/// Query parameter with the index of the scenario request (for the lab log).
pub const REQ_PARAM: &str = "ct_req";
/// Path prefix of the lab's own endpoints.
pub const LAB_PREFIX: &str = "/__lab/";
/// Largest scenario (JSON bytes) the lab accepts.
pub const MAX_SCENARIO_BYTES: usize = 64 * 1024;
/// Header the page sends when it registers a run (`POST /__lab/runs`), with
/// [`REGISTER_VALUE`]. A custom header (like the JSON content type the lab
/// also requires) makes a browser send a CORS preflight first, which the lab
/// grants only to the playground's own origins: no other page can start a run.
pub const REGISTER_HEADER: &str = "x-crumbtrail-lab";
/// Value of [`REGISTER_HEADER`].
pub const REGISTER_VALUE: &str = "run";

/// The ports the lab listens on (every loopback host name works on each).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabPorts {
    /// Serves the playground; same-origin requests go here too.
    pub app: u16,
    /// A second port: same-site cross-origin (`localhost:app` → `localhost:api`).
    pub api: u16,
    /// HTTPS twins of `app` and `api`, when the lab was started with HTTPS.
    pub https_app: Option<u16>,
    pub https_api: Option<u16>,
}

impl Default for LabPorts {
    fn default() -> Self {
        LabPorts {
            app: 8080,
            api: 8081,
            https_app: None,
            https_api: None,
        }
    }
}

/// Loopback host names that are distinct sites from each other, in the order
/// they are handed out to the scenario's sites. All resolve to loopback
/// without a hosts file (`*.localhost` in Chromium and Firefox).
pub const LAB_HOSTS: [&str; 6] = [
    "localhost",
    "127.0.0.1",
    "api.localhost",
    "app.localhost",
    "b.localhost",
    "c.localhost",
];

/// One origin of the scenario and the lab origin standing in for it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OriginMap {
    pub scenario: String,
    pub lab: String,
}

/// How a scenario is run live.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LiveMapping {
    /// The scenario with every URL and origin replaced by its lab stand-in.
    pub scenario: Scenario,
    pub origins: Vec<OriginMap>,
    /// Where the mapped scenario is only an approximation of the original.
    pub notes: Vec<String>,
    /// Why the scenario cannot be run live at all (empty = it can).
    pub blockers: Vec<String>,
}

impl LiveMapping {
    pub fn runnable(&self) -> bool {
        self.blockers.is_empty()
    }
}

struct Slot {
    scenario_origin: Url,
    lab_origin: String,
}

pub(crate) fn origin_string(u: &Url) -> String {
    u.origin().ascii_serialization()
}

/// Maps `scenario` onto the lab. `page_origin` is where the playground really
/// runs (e.g. `http://localhost:8080`): the scenario's page becomes that
/// origin, and every other origin gets a lab origin with the same relation to
/// it — same origin, same site (another port of the same host), cross-site
/// (another loopback name), and the same scheme.
pub fn map_scenario(scenario: &Scenario, page_origin: &str, ports: &LabPorts) -> LiveMapping {
    let mut m = LiveMapping {
        scenario: scenario.clone(),
        origins: Vec::new(),
        notes: Vec::new(),
        blockers: Vec::new(),
    };
    let Some((real_page, page)) = read_page_urls(scenario, page_origin, &mut m.blockers) else {
        return m;
    };
    page_context_blockers(scenario, &page, &real_page, &mut m.blockers);
    let urls = scenario_urls(scenario, &page, &mut m.blockers);
    client_notes(scenario, &mut m.notes);
    local_network_notes(scenario, &page, &real_page, &mut m.notes);

    let mut lab = LabAllocator::new(&real_page, ports);
    for u in &urls {
        lab.assign(u, &page, &mut m.notes, &mut m.blockers);
    }
    m.origins = lab.origins(&real_page, &page);

    rewrite_request_urls(scenario, &page, &m.origins, &mut m.scenario, &mut m.notes);
    // Origins written in the server configuration (rack-cors origins, raw
    // Access-Control-Allow-Origin lines) follow their URLs.
    m.scenario.server = rewrite_server(&scenario.server, &m.origins);
    server_blockers(&m.scenario.server, &m.origins, &mut m.blockers);
    if scenario.server.stack().mentions_domain() {
        m.notes.push(
            "the server scopes a cookie with a Domain attribute; the lab's loopback names are \
             not subdomains of that domain, so the browser judges the Domain against the lab host"
                .into(),
        );
    }
    m
}

/// The playground's real address and the scenario's page URL; `None` (with
/// a blocker) when either cannot be read.
fn read_page_urls(
    scenario: &Scenario,
    page_origin: &str,
    blockers: &mut Vec<String>,
) -> Option<(Url, Url)> {
    let real_page = match Url::parse(page_origin) {
        Ok(u) => u,
        Err(e) => {
            blockers.push(format!(
                "the playground's own address `{page_origin}` is not a URL: {e}"
            ));
            return None;
        }
    };
    match parse_url(&scenario.page.url, None) {
        Ok(page) => Some((real_page, page)),
        Err(e) => {
            blockers.push(format!("the page URL cannot be read: {e}"));
            None
        }
    }
}

/// The page's context must be one the playground itself has: top-level,
/// and the same scheme.
fn page_context_blockers(
    scenario: &Scenario,
    page: &Url,
    real_page: &Url,
    blockers: &mut Vec<String>,
) {
    if scenario
        .page
        .top_level_url
        .as_deref()
        .is_some_and(|t| !t.trim().is_empty())
    {
        blockers.push(
            "the page sits in an iframe in this scenario; live mode runs the requests from the \
             playground itself, a top-level page, so the third-party context cannot be reproduced"
                .into(),
        );
    }
    if page.scheme() != real_page.scheme() {
        blockers.push(format!(
            "the scenario's page is {}:// but the playground is open over {}://; open the \
             playground on the lab's {} origin to run this scenario live",
            page.scheme(),
            real_page.scheme(),
            page.scheme()
        ));
    }
    if !scenario.jar_at_start.is_empty() {
        blockers.push(
            "the scenario starts with cookies already in the jar; live mode starts from your \
             browser's own cookies and cannot put those there (an HttpOnly cookie cannot be set \
             from the page), so the runs would differ"
                .into(),
        );
    }
}

/// The scenario's URLs in order of appearance, the page first.
fn scenario_urls(scenario: &Scenario, page: &Url, blockers: &mut Vec<String>) -> Vec<Url> {
    let mut urls = vec![page.clone()];
    for (i, (r, base)) in scenario
        .requests
        .iter()
        .zip(request_bases(scenario, page))
        .enumerate()
    {
        match parse_url(&r.url, Some(&base)) {
            Ok(u) => urls.push(u),
            Err(e) => blockers.push(format!("request {}: the URL cannot be read: {e}", i + 1)),
        }
    }
    // The proxy's target gets a lab origin too: the server model behind the
    // proxy sees it as its Host.
    if let Some(target) = scenario
        .proxy
        .as_ref()
        .and_then(|p| Url::parse(p.target.trim()).ok())
    {
        urls.push(target);
    }
    urls
}

/// The URL each request's own URL is read against: the document it runs
/// from. A request from the current document after a top-level navigation
/// reads against that navigation's URL (live mode runs no redirects, so the
/// document is where the navigation went).
fn request_bases(scenario: &Scenario, page: &Url) -> Vec<Url> {
    let mut current = page.clone();
    let mut bases = Vec::new();
    for r in &scenario.requests {
        let base = match r.runs_from {
            RunsFrom::Current => current.clone(),
            RunsFrom::Page => page.clone(),
        };
        if r.client.is_top_level_navigation() {
            if let Ok(u) = parse_url(&r.url, Some(&base)) {
                current = u;
            }
        }
        bases.push(base);
    }
    bases
}

/// What Local Network Access changes in a live run: every lab origin is on
/// loopback, so the scenario's own public-to-local calls are not asked for
/// there; and a playground opened from a public host reaches the lab on
/// this machine only after Chrome's prompt.
fn local_network_notes(scenario: &Scenario, page: &Url, real_page: &Url, notes: &mut Vec<String>) {
    use crate::address_space::{address_space_of_url, AddressSpace};
    let public = |u: &Url| {
        matches!(
            address_space_of_url(u),
            AddressSpace::Public | AddressSpace::Unknown
        )
    };
    let calls_local = scenario.requests.iter().any(|r| {
        (r.client.is_script() || r.client == Client::Iframe)
            && parse_url(&r.url, Some(page)).is_ok_and(|u| {
                address_space_of_url(&u).is_private()
                    || r.target_address_space.is_some_and(AddressSpace::is_private)
            })
    });
    if public(page) && calls_local {
        notes.push(
            "the scenario's page is on a public address and calls a local one, which Chrome 142 \
             and later only allow after asking the user (Local Network Access); the lab serves \
             every origin on this machine, where Chrome does not ask, so the live run shows the \
             requests as if the user allowed it"
                .into(),
        );
    }
    if public(real_page) {
        notes.push(format!(
            "this page is open from {}, a public address, and the lab runs on this machine: \
             Chrome 142 and later ask you to allow this site to access apps on your device (the \
             loopback-network permission) before the first request reaches the lab, and block \
             it if you refuse; run Crumbtrail from the lab (`./dev serve`) to avoid the prompt",
            origin_string(real_page)
        ));
    }
}

/// How navigations and iframe loads are run live.
fn client_notes(scenario: &Scenario, notes: &mut Vec<String>) {
    if scenario
        .requests
        .iter()
        .any(|r| matches!(r.client, Client::Navigation { .. }))
    {
        notes.push(
            "navigations (links, form posts) are run in a small popup window that \"Run live\" \
             opens: a real top-level navigation from this page, with the same SameSite context; \
             what arrived (method, Cookie header) is read from the lab's log"
                .into(),
        );
    }
    if scenario.requests.iter().any(|r| r.client == Client::Iframe) {
        notes.push(
            "iframe loads are run in a hidden iframe of this page; what arrived (Cookie header) \
             is read from the lab's log"
                .into(),
        );
    }
    if scenario.requests.iter().any(|r| r.client == Client::Visit) {
        notes.push(VISIT_NOTE.into());
    }
    let mut navigated = false;
    let mut from_document = false;
    for r in &scenario.requests {
        from_document |= navigated && r.runs_from == RunsFrom::Current && r.client != Client::Visit;
        navigated |= r.client.is_top_level_navigation();
    }
    if from_document {
        notes.push(
            "requests that run from the current document are made in the popup window, by the \
             document the last navigation loaded there: the lab adds a small script to each \
             page it serves for a navigation, which makes the request when this page asks and \
             reports what it saw (the response the server model chose is otherwise unchanged; \
             its body becomes that script, as text/html)"
                .into(),
        );
    }
}

/// How a visit is run live, and what differs from a real one.
pub const VISIT_NOTE: &str = "a browser-initiated visit (typed URL, bookmark) cannot be made by a \
     page's script: every navigation a script starts has that page as its initiator. The closest \
     live mode can do: the popup first loads a lab page on the visited origin itself (with the \
     no-referrer policy), which then navigates to the URL. The request has no Origin and no Referer and \
     is same-site, so it carries and may set the same cookies (SameSite=Strict included) as a \
     visit; what differs is that the browser sends Sec-Fetch-Site: same-origin instead of none, \
     that the visit is not user-initiated (no Sec-Fetch-User), and that through a redirect to \
     another site the chain starts from a real origin, not an opaque one (live mode refuses \
     redirects anyway)";

/// Hands out lab origins: sites get lab hosts; within a site, hosts share
/// the lab host and origins get distinct ports.
struct LabAllocator<'a> {
    ports: &'a LabPorts,
    free_hosts: Vec<String>,
    /// (scenario site host, lab host)
    site_hosts: Vec<(String, String)>,
    /// (site host, scenario host)
    site_members: Vec<(String, String)>,
    slots: Vec<Slot>,
}

impl<'a> LabAllocator<'a> {
    fn new(real_page: &Url, ports: &'a LabPorts) -> Self {
        let real_host = real_page.host_str().unwrap_or("localhost").to_string();
        let free_hosts = std::iter::once(real_host.clone())
            .chain(
                LAB_HOSTS
                    .iter()
                    .map(|h| h.to_string())
                    .filter(|h| *h != real_host),
            )
            .collect();
        LabAllocator {
            ports,
            free_hosts,
            site_hosts: Vec::new(),
            site_members: Vec::new(),
            slots: Vec::new(),
        }
    }

    /// Gives the origin of `u` a lab origin, unless it has one already.
    fn assign(&mut self, u: &Url, page: &Url, notes: &mut Vec<String>, blockers: &mut Vec<String>) {
        let origin = origin_string(u);
        if self
            .slots
            .iter()
            .any(|s| origin_string(&s.scenario_origin) == origin)
        {
            return;
        }
        let site = site_of(u).host;
        let Some(lab_host) = self.lab_host(&site, blockers) else {
            return;
        };
        self.note_shared_site(&site, u, &lab_host, notes);
        let Some(port) = self.free_port(u, &origin, &site, &lab_host, blockers) else {
            return;
        };
        if u.scheme() == "http" && !is_potentially_trustworthy(u) {
            notes.push(format!(
                "{origin} is not a secure context, but its lab stand-in on loopback is: cookies \
                 marked Secure are accepted there"
            ));
            if page.scheme() == "https" {
                blockers.push(format!(
                    "an https page calling {origin} is blocked as mixed content, but a call to a \
                     loopback stand-in is allowed; this cannot be reproduced on the lab"
                ));
            }
        }
        self.slots.push(Slot {
            scenario_origin: u.clone(),
            lab_origin: format!("{}://{}:{}", u.scheme(), lab_host, port),
        });
    }

    /// The lab host of a site: the one it already has, or the next free one.
    fn lab_host(&mut self, site: &str, blockers: &mut Vec<String>) -> Option<String> {
        if let Some((_, h)) = self.site_hosts.iter().find(|(s, _)| s == site) {
            return Some(h.clone());
        }
        if self.free_hosts.is_empty() {
            blockers.push(format!(
                "the scenario uses more sites than the lab has loopback names ({})",
                LAB_HOSTS.len()
            ));
            return None;
        }
        let h = self.free_hosts.remove(0);
        self.site_hosts.push((site.to_string(), h.clone()));
        Some(h)
    }

    /// Two hosts of one site share one lab host: say what that changes.
    fn note_shared_site(&mut self, site: &str, u: &Url, lab_host: &str, notes: &mut Vec<String>) {
        let host = u.host_str().unwrap_or_default().to_string();
        if self
            .site_members
            .iter()
            .any(|(s, h)| s == site && *h == host)
        {
            return;
        }
        if let Some((_, other)) = self.site_members.iter().find(|(s, _)| s == site) {
            notes.push(format!(
                "{other} and {host} are different hosts of one site; the lab uses one host \
                 per site ({lab_host}, on different ports), so the relation stays same-site \
                 cross-origin, but a host-only cookie of one is also sent to the other"
            ));
        }
        self.site_members.push((site.to_string(), host));
    }

    /// A lab port of the right scheme not yet used on `lab_host`.
    fn free_port(
        &self,
        u: &Url,
        origin: &str,
        site: &str,
        lab_host: &str,
        blockers: &mut Vec<String>,
    ) -> Option<u16> {
        let ports = self.ports;
        let pool: Vec<u16> = if u.scheme() == "https" {
            [ports.https_app, ports.https_api]
                .into_iter()
                .flatten()
                .collect()
        } else {
            vec![ports.app, ports.api]
        };
        if pool.is_empty() {
            let why = format!(
                "{origin} is https but the lab runs without HTTPS: restart it with `CRUMBTRAIL_HTTPS=1 ./dev serve`"
            );
            // One line per origin, however many requests use it.
            if !blockers.contains(&why) {
                blockers.push(why);
            }
            return None;
        }
        let used: Vec<u16> = self
            .slots
            .iter()
            .filter_map(|s| {
                let lab = Url::parse(&s.lab_origin).ok()?;
                (lab.host_str() == Some(lab_host) && lab.scheme() == u.scheme())
                    .then(|| lab.port_or_known_default())
                    .flatten()
            })
            .collect();
        let port = pool.iter().copied().find(|p| !used.contains(p));
        if port.is_none() {
            blockers.push(format!(
                "more than {} origins of the site {} over {}://; the lab has only that many ports",
                pool.len(),
                site,
                u.scheme()
            ));
        }
        port
    }

    /// The origin map; the page is where the playground really is.
    fn origins(mut self, real_page: &Url, page: &Url) -> Vec<OriginMap> {
        if let Some(first) = self.slots.first_mut() {
            let real = origin_string(real_page);
            if first.lab_origin != real && page.scheme() == real_page.scheme() {
                first.lab_origin = real;
            }
        }
        self.slots
            .iter()
            .map(|s| OriginMap {
                scenario: origin_string(&s.scenario_origin),
                lab: s.lab_origin.clone(),
            })
            .collect()
    }
}

/// The page and request URLs moved onto their lab origins; delays dropped.
fn rewrite_request_urls(
    scenario: &Scenario,
    page: &Url,
    origins: &[OriginMap],
    mapped: &mut Scenario,
    notes: &mut Vec<String>,
) {
    let rewrite_url = |input: &str, base: &Url| -> Option<String> {
        let u = parse_url(input, Some(base)).ok()?;
        let o = origin_string(&u);
        let m = origins.iter().find(|m| m.scenario == o)?;
        let mut lab = Url::parse(&m.lab).ok()?;
        lab.set_path(u.path());
        lab.set_query(u.query());
        Some(lab.to_string())
    };
    if let Some(p) = rewrite_url(&scenario.page.url, page) {
        mapped.page.url = p;
    }
    if let Some(proxy) = &mut mapped.proxy {
        if let Some(t) = rewrite_url(&proxy.target, page) {
            proxy.target = t.trim_end_matches('/').to_string();
        }
    }
    let bases = request_bases(scenario, page);
    for (r, base) in mapped.requests.iter_mut().zip(&bases) {
        if let Some(u) = rewrite_url(&r.url, base) {
            r.url = u;
        }
        if r.delay_secs > 0 {
            r.delay_secs = 0;
        }
    }
    if scenario.requests.iter().any(|r| r.delay_secs > 0) {
        notes.push(
            "the delays between requests are not waited for live: every request follows the \
             previous one at once (the comparison uses the same timing)"
                .into(),
        );
    }
}

/// Servers the lab cannot run faithfully: redirect chains, and what the
/// server's stack names (absolute routes or redirects to an origin with no
/// lab stand-in).
fn server_blockers(server: &ServerSetup, origins: &[OriginMap], blockers: &mut Vec<String>) {
    // Redirects are simulated hop by hop, but a live run only tags (and so
    // only logs) the first hop of each request: refuse rather than compare
    // half of the chain.
    let stack = server.stack();
    if stack.answers_with_redirects() {
        blockers.push(
            "the server answers with a redirect; the simulation follows it hop by hop, but \
             live mode does not run redirect chains yet"
                .into(),
        );
    }
    let lab: Vec<String> = origins.iter().map(|m| m.lab.clone()).collect();
    stack.live_blockers(&lab, blockers);
}

fn replace_origin_text(text: &str, from: &str, to: &str) -> String {
    // Replace `from` only where it is not followed by more port digits.
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(pos) = rest.find(from) {
        let after = &rest[pos + from.len()..];
        out.push_str(&rest[..pos]);
        if after.starts_with(|c: char| c.is_ascii_digit() || c == ':') {
            out.push_str(from);
        } else {
            out.push_str(to);
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

fn rewrite_server(server: &ServerSetup, origins: &[OriginMap]) -> ServerSetup {
    let Ok(mut json) = serde_json::to_string(server) else {
        return server.clone();
    };
    // Longest first, so `http://localhost:3000` is not rewritten by a shorter origin.
    let mut pairs: Vec<(String, String)> = Vec::new();
    for m in origins {
        pairs.push((m.scenario.clone(), m.lab.clone()));
        // rack-cors also accepts a bare `host:port`.
        let strip = |s: &str| s.split_once("://").map(|(_, h)| h.to_string());
        if let (Some(a), Some(b)) = (strip(&m.scenario), strip(&m.lab)) {
            if a.contains(':') {
                pairs.push((format!("\"{a}\""), format!("\"{b}\"")));
            }
        }
    }
    pairs.sort_by_key(|(a, _)| std::cmp::Reverse(a.len()));
    // Two passes through placeholders, so a replacement is never replaced again.
    for (i, (from, _)) in pairs.iter().enumerate() {
        json = replace_origin_text(&json, from, &format!("\u{1}{i}\u{1}"));
    }
    for (i, (_, to)) in pairs.iter().enumerate() {
        json = json.replace(&format!("\u{1}{i}\u{1}"), to);
    }
    let mut out: ServerSetup = serde_json::from_str(&json).unwrap_or_else(|_| server.clone());
    // Django's ALLOWED_HOSTS names hosts, not origins: a lab host stands in
    // for every scenario host an entry allows (else every request is a 400).
    if let ServerSetup::Django(app) = &mut out {
        use crate::server::django::hosts::is_same_domain;
        let host = |o: &str| {
            Url::parse(o)
                .ok()
                .and_then(|u| u.host_str().map(str::to_string))
        };
        for m in origins {
            let (Some(from), Some(to)) = (host(&m.scenario), host(&m.lab)) else {
                continue;
            };
            let allowed = |h: &str| {
                app.allowed_hosts
                    .iter()
                    .any(|p| p == "*" || is_same_domain(h, p))
            };
            if allowed(&from) && !allowed(&to) {
                app.allowed_hosts.push(to);
            }
        }
    }
    out
}

/// Gives every cookie the scenario's server sets a name ending in `tag`, so a
/// run starts with none of its cookies in the browser: cookies left by earlier
/// runs (of this or another scenario, on the same lab origins) have other names
/// and are not counted (observed cookie lists keep only the scenario's names).
/// Run and simulate the tagged scenario. Raw servers: every `Set-Cookie` line;
/// Rails: the session key (the app name when `session_store` is never called).
/// A Rails session middleware added without options always uses `_session_id`,
/// which cannot be renamed: that case keeps the name.
pub fn tag_cookie_names(scenario: &Scenario, tag: &str) -> Scenario {
    let mut tagged = scenario.clone();
    tagged.server.stack_mut().tag_cookie_names(tag);
    tagged
}

/// `document.cookie` assignments that expire, in the document at `page`,
/// every cookie in `fixed` (name, path) that an earlier run may have left
/// in the browser: the names [`Stack::fixed_cookie_names`] says a run
/// cannot tag. A cookie is only replaced by one with the same name, domain,
/// host-only flag and path (RFC 6265bis, "Storage Model" step 23), so one
/// line per `Domain` the page's host may name (none, for a host-only
/// cookie, then the host and each parent) and per path (the server's, then
/// `/`), each also with `Secure` (steps 13 and 16: only a secure page may
/// set or overwrite a Secure cookie) and with `Secure; Partitioned` (CHIPS keeps a
/// partitioned cookie apart from the unpartitioned one).
///
/// [`Stack::fixed_cookie_names`]: crate::server::stack::Stack::fixed_cookie_names
pub fn expire_fixed_cookies(page: &Url, fixed: &[(String, String)]) -> Vec<String> {
    let host = page.host_str().unwrap_or_default();
    let mut domains = vec![None];
    if matches!(page.host(), Some(url::Host::Domain(_))) {
        let mut rest = host;
        loop {
            domains.push(Some(rest.to_string()));
            match rest.split_once('.') {
                Some((_, parent)) if !parent.is_empty() => rest = parent,
                _ => break,
            }
        }
    }
    let mut lines = Vec::new();
    for (name, path) in fixed {
        let mut paths = vec![path.clone(), "/".to_string()];
        paths.dedup();
        for domain in &domains {
            for path in &paths {
                let domain = domain
                    .as_ref()
                    .map(|d| format!("; Domain={d}"))
                    .unwrap_or_default();
                let base = format!("{name}=; Max-Age=0; Path={path}{domain}");
                lines.push(base.clone());
                lines.push(format!("{base}; Secure"));
                lines.push(format!("{base}; Secure; SameSite=None; Partitioned"));
            }
        }
    }
    lines
}

/// Checks a scenario before the lab accepts it: every header the lab could
/// emit must be one an HTTP server can send (no CR, LF or other control
/// character except HTAB: a raw header line cannot smuggle a second header,
/// and the lab never drops a header the simulation keeps), every request
/// header must be one the lab can read, and the server must be one the engine
/// reads. The error names the field.
pub fn validate_for_lab(scenario: &Scenario) -> Result<(), String> {
    for (i, r) in scenario.requests.iter().enumerate() {
        // Browsers send VT or ESC in a header value (Fetch allows it); the lab's HTTP
        // parser refuses such a request, so the run could only disagree.
        let field = format!("requests.{i}.headers");
        let headers = HeaderList::parse_lines(&r.headers).map_err(|e| format!("{field}: {e}"))?;
        for (name, value) in headers.iter() {
            if let Some(c) = value.chars().find(|&c| is_forbidden_control(c)) {
                return Err(format!(
                    "{field}: the value of `{name}` contains the control character {}; the \
                     browser would send it, but the lab's HTTP parser refuses such a request, \
                     so this request cannot be run live",
                    describe_control(c)
                ));
            }
        }
    }
    scenario.server.stack().check_for_lab()
}

/// The first control character (other than HTAB) in a string of `value`; `path` ends
/// as the dotted path of that string.
pub(crate) fn find_control(value: &serde_json::Value, path: &mut String) -> Option<char> {
    match value {
        serde_json::Value::String(s) => s.chars().find(|&c| is_forbidden_control(c)),
        serde_json::Value::Array(items) => items.iter().enumerate().find_map(|(i, v)| {
            let len = path.len();
            path.push_str(&format!(".{i}"));
            let found = find_control(v, path);
            if found.is_none() {
                path.truncate(len);
            }
            found
        }),
        serde_json::Value::Object(map) => map.iter().find_map(|(k, v)| {
            let len = path.len();
            path.push('.');
            path.push_str(k);
            let found = find_control(v, path);
            if found.is_none() {
                path.truncate(len);
            }
            found
        }),
        _ => None,
    }
}

/// True when a header value may be emitted by the lab: no control character other
/// than HTAB (RFC 9110 §5.5), so no CR, LF or NUL either.
pub fn is_safe_header_value(v: &str) -> bool {
    !v.chars().any(is_forbidden_control)
}

/// One request as the lab received it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabLogEntry {
    /// Order of arrival within the run.
    pub seq: usize,
    /// Index of the scenario request (`ct_req`), when the URL carried it.
    pub req: Option<usize>,
    pub method: String,
    /// Scheme, host and port the request came in on, e.g. `http://api.localhost:8081`.
    pub origin_of_lab: String,
    pub path: String,
    pub origin: Option<String>,
    pub cookie: Option<String>,
    pub acr_method: Option<String>,
    pub acr_headers: Option<String>,
    pub is_preflight: bool,
    /// Status the lab answered with.
    pub status: u16,
    /// Set on an entry that is a message from the lab rather than a request
    /// (its other fields are empty): e.g. the run's log reached its cap and
    /// later requests were answered but not logged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The `Sec-Fetch-Site` header (Fetch Metadata): `none` for a
    /// browser-initiated visit, else the initiator's relation to the URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sec_fetch_site: Option<String>,
}

impl LabLogEntry {
    /// An entry that only carries a message from the lab.
    pub fn note(seq: usize, message: impl Into<String>) -> LabLogEntry {
        LabLogEntry {
            seq,
            note: Some(message.into()),
            ..LabLogEntry::default()
        }
    }
}

/// The lab's messages in a run's log (see [`LabLogEntry::note`]), in order.
pub fn lab_notes(log: &[LabLogEntry]) -> Vec<String> {
    log.iter().filter_map(|e| e.note.clone()).collect()
}

/// What the lab saw of one scenario request.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabSeen {
    pub preflight_seen: bool,
    pub request_seen: bool,
    /// The `Cookie` header of the actual request, as received.
    pub cookie_header: Option<String>,
    /// The status the lab answered the actual request with.
    #[serde(default)]
    pub status: Option<u16>,
}

impl LabSeen {
    /// Reads the entries of the lab log that belong to request `index`.
    pub fn from_log(log: &[LabLogEntry], index: usize) -> LabSeen {
        let mut seen = LabSeen::default();
        for e in log
            .iter()
            .filter(|e| e.req == Some(index) && e.note.is_none())
        {
            if e.is_preflight {
                seen.preflight_seen = true;
            } else {
                seen.request_seen = true;
                seen.cookie_header = e.cookie.clone();
                seen.status = Some(e.status);
            }
        }
        seen
    }
}

/// What really happened to one request, seen from the page and from the lab.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Observation {
    pub index: usize,
    /// URL of the document that ran the code.
    pub page_url: String,
    /// Script requests: did the promise resolve (XHR: `load` rather than `error`)?
    pub resolved: bool,
    /// The response was opaque (`no-cors`).
    pub opaque: bool,
    /// Status as the script read it (0 for opaque responses and errors).
    pub status: u16,
    /// Names of the response headers the script could read, lower-case.
    pub readable_headers: Vec<String>,
    /// `document.cookie` after the request, when the page read it.
    pub document_cookie: Option<String>,
    pub lab: LabSeen,
    /// The error message, when the promise was rejected.
    pub error: Option<String>,
    /// Navigations and iframe loads: the browser loaded the response as a
    /// document (the popup or frame committed it).
    #[serde(default)]
    pub navigated: bool,
    /// Top-level navigations and visits: the URL of the document the browser
    /// shows afterwards, when the runner could read it.
    #[serde(default)]
    pub document_url: Option<String>,
}

/// The outcomes compared per request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// A preflight reached the server.
    Preflight,
    /// The actual request reached the server.
    Request,
    /// What the script got: readable, opaque, or a network error.
    Result,
    /// The status the script read.
    Status,
    /// The response headers the script could read.
    ReadableHeaders,
    /// Cookies on the actual request.
    CookiesSent,
    /// Cookies visible to the page's `document.cookie` afterwards.
    DocumentCookie,
    /// Cookies the response set that the browser kept (imports compare it
    /// with what the recording shows; live mode reads it from the next
    /// requests instead).
    CookiesSet,
    /// The document a top-level navigation loaded: its URL and status.
    Document,
}

impl Outcome {
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Preflight => "preflight",
            Outcome::Request => "request",
            Outcome::Result => "result",
            Outcome::Status => "status",
            Outcome::ReadableHeaders => "readable headers",
            Outcome::CookiesSent => "cookies sent",
            Outcome::DocumentCookie => "document.cookie",
            Outcome::CookiesSet => "cookies set",
            Outcome::Document => "document",
        }
    }
}

/// One outcome of one request: predicted vs observed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comparison {
    pub request: usize,
    pub outcome: Outcome,
    pub simulated: String,
    pub observed: String,
    pub agree: bool,
    /// Why they may differ, for mismatches.
    pub explanation: Option<String>,
}

fn yes_no(b: bool) -> String {
    if b { "yes" } else { "no" }.into()
}

fn list(names: &BTreeSet<String>) -> String {
    if names.is_empty() {
        "(none)".into()
    } else {
        names.iter().cloned().collect::<Vec<_>>().join(", ")
    }
}

/// Names in a `Cookie` header or a `document.cookie` string.
pub fn cookie_names(header: &str) -> BTreeSet<String> {
    header
        .split(';')
        .filter_map(|p| {
            let p = p.trim();
            if p.is_empty() {
                return None;
            }
            Some(
                p.split_once('=')
                    .map(|(n, _)| n)
                    .unwrap_or("")
                    .trim()
                    .to_string(),
            )
        })
        .collect()
}

/// The cookie names a scenario deals with: every name its responses set.
/// Observed cookie lists are filtered to these, so cookies left over from
/// other runs in the same browser do not count.
pub fn scenario_cookie_names(trace: &Trace) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for r in &trace.requests {
        for ex in &r.exchanges {
            if let Some(resp) = &ex.response {
                for sc in resp.headers.get_all("set-cookie") {
                    let pair = sc.split(';').next().unwrap_or("");
                    let name = pair.split_once('=').map(|(n, _)| n).unwrap_or("").trim();
                    names.insert(name.to_string());
                }
            }
        }
        names.extend(r.cookies_sent.iter().cloned());
        names.extend(r.jar_after.iter().map(|c| c.name.clone()));
    }
    names
}

fn domain_matches(host: &str, domain: &str, host_only: bool) -> bool {
    let (host, domain) = (host.to_ascii_lowercase(), domain.to_ascii_lowercase());
    let domain = domain.trim_start_matches('.');
    if host_only {
        return host == domain;
    }
    host == domain || host.ends_with(&format!(".{domain}"))
}

fn path_matches(path: &str, cookie_path: &str) -> bool {
    path == cookie_path
        || (path.starts_with(cookie_path)
            && (cookie_path.ends_with('/') || path[cookie_path.len()..].starts_with('/')))
}

/// Cookies script on `page_url` can read after request `index` (RFC 6265bis
/// §5.8.3 for a "non-HTTP" API on the page's own URL).
pub fn predicted_document_cookie(trace: &Trace, index: usize, page_url: &str) -> BTreeSet<String> {
    let Ok(page) = Url::parse(page_url) else {
        return BTreeSet::new();
    };
    let host = page.host_str().unwrap_or_default();
    let secure = is_potentially_trustworthy(&page) || is_loopback_host(host);
    let site = site_of(&page).to_string();
    let Some(outcome) = trace.requests.get(index) else {
        return BTreeSet::new();
    };
    outcome
        .jar_after
        .iter()
        .filter(|c| {
            !c.http_only
                && domain_matches(host, &c.domain, c.host_only)
                && path_matches(page.path(), &c.path)
                && (!c.secure || secure)
                && c.partition.as_ref().is_none_or(|p| {
                    // The page is the top-level document: its key has no cross-site ancestor.
                    !p.cross_site_ancestor
                        && p.top_level_site.trim_end_matches('/') == site.trim_end_matches('/')
                })
        })
        .map(|c| c.name.clone())
        .collect()
}

fn header_names_emitted(trace: &Trace, index: usize) -> BTreeSet<String> {
    trace
        .requests
        .get(index)
        .and_then(|r| r.exchanges.iter().rev().find(|e| !e.request.is_preflight))
        .and_then(|e| e.response.as_ref())
        .map(|resp| {
            resp.headers
                .0
                .iter()
                .map(|(n, _)| n.to_ascii_lowercase())
                .collect()
        })
        .unwrap_or_default()
}

/// Compares every observable of every request with the trace of the mapped
/// scenario. Requests without an observation are not compared.
pub fn compare(trace: &Trace, observations: &[Observation]) -> Vec<Comparison> {
    let known = scenario_cookie_names(trace);
    let mut out = Vec::new();
    for obs in observations {
        let Some(pred) = trace.requests.get(obs.index) else {
            continue;
        };
        let i = obs.index;
        let mut push = |outcome: Outcome, simulated: String, observed: String| {
            let agree = simulated == observed;
            out.push(Comparison {
                request: i,
                outcome,
                agree,
                explanation: (!agree).then(|| explain(trace, i, outcome, &simulated, &observed)),
                simulated,
                observed,
            });
        };
        let pf = matches!(
            pred.preflight,
            PreflightOutcome::Passed | PreflightOutcome::Failed
        );
        push(
            Outcome::Preflight,
            yes_no(pf),
            yes_no(obs.lab.preflight_seen),
        );
        push(
            Outcome::Request,
            yes_no(pred.request_sent),
            yes_no(obs.lab.request_seen),
        );
        let sim_result = match pred.js_result {
            JsResult::Readable => "readable",
            JsResult::Opaque => "opaque",
            JsResult::NetworkError | JsResult::NotSent => "network error",
            JsResult::Navigated => "navigated",
        };
        let obs_result = match (obs.navigated, obs.resolved, obs.opaque) {
            (true, _, _) => "navigated",
            (false, true, false) => "readable",
            (false, true, true) => "opaque",
            (false, false, _) => "network error",
        };
        push(Outcome::Result, sim_result.into(), obs_result.into());
        if pred.js_result == JsResult::Readable && obs.resolved && !obs.opaque {
            push(
                Outcome::Status,
                pred.status.map(|s| s.to_string()).unwrap_or_default(),
                obs.status.to_string(),
            );
            // Only headers the server model emitted count (the lab's HTTP
            // stack adds Content-Length and Date of its own).
            let emitted = header_names_emitted(trace, i);
            let sim: BTreeSet<String> = pred
                .readable_headers
                .iter()
                .map(|h| h.to_ascii_lowercase())
                .filter(|h| emitted.contains(h))
                .collect();
            let seen: BTreeSet<String> = obs
                .readable_headers
                .iter()
                .map(|h| h.to_ascii_lowercase())
                .filter(|h| emitted.contains(h))
                .collect();
            push(Outcome::ReadableHeaders, list(&sim), list(&seen));
        }
        if pred.request_sent && obs.lab.request_seen {
            let sim: BTreeSet<String> = pred
                .cookies_sent
                .iter()
                .filter(|n| known.contains(*n))
                .cloned()
                .collect();
            let seen: BTreeSet<String> =
                cookie_names(obs.lab.cookie_header.as_deref().unwrap_or(""))
                    .into_iter()
                    .filter(|n| known.contains(n))
                    .collect();
            push(Outcome::CookiesSent, list(&sim), list(&seen));
        }
        if let Some((sim, seen)) = compare_document(pred, obs) {
            push(Outcome::Document, sim, seen);
        }
        if let Some(dc) = &obs.document_cookie {
            let sim = predicted_document_cookie(trace, i, &obs.page_url);
            let seen: BTreeSet<String> = cookie_names(dc)
                .into_iter()
                .filter(|n| known.contains(n))
                .collect();
            push(Outcome::DocumentCookie, list(&sim), list(&seen));
        }
    }
    out
}

/// The document a top-level navigation loaded, predicted and seen, as
/// `URL (status)` without the run markers; `None` when the runner did not
/// read the browser's document.
fn compare_document(pred: &RequestOutcome, obs: &Observation) -> Option<(String, String)> {
    let seen_url = obs.document_url.as_deref()?;
    let show = |url: &str, status: Option<u16>| {
        let url = match Url::parse(url) {
            Ok(u) => {
                let (mut clean, _, _) = strip_run_params(&u);
                if clean.query() == Some("") {
                    clean.set_query(None);
                }
                clean.to_string()
            }
            Err(_) => url.to_string(),
        };
        match status {
            Some(s) => format!("{url} ({s})"),
            None => url,
        }
    };
    let sim = pred
        .document
        .as_ref()
        .map(|d| show(&d.url, Some(d.status)))
        .unwrap_or_else(|| "(none)".into());
    Some((sim, show(seen_url, obs.lab.status)))
}

fn explain(
    trace: &Trace,
    index: usize,
    outcome: Outcome,
    simulated: &str,
    observed: &str,
) -> String {
    let pred = &trace.requests[index];
    let base = format!(
        "The engine predicted {simulated} for the {} of request {}, the browser did {observed}.",
        outcome.label(),
        index + 1
    );
    let hint = match outcome {
        Outcome::CookiesSent | Outcome::DocumentCookie
            if observed == "(none)" || observed.len() < simulated.len() =>
        {
            " Fewer cookies than predicted usually means the browser blocks third-party \
             cookies (a fresh Chromium profile, Incognito, Safari) or keeps them in a \
             per-site partition (Firefox): pick the profile that matches your browser's settings."
        }
        Outcome::CookiesSent | Outcome::DocumentCookie => {
            " More cookies than predicted usually means the browser allows third-party \
             cookies that the chosen profile blocks: pick the profile that matches your \
             browser's settings."
        }
        Outcome::Preflight if pred.preflight == PreflightOutcome::Cached => {
            " The engine thought a cached preflight covered the request; the browser's \
             preflight cache may have been cleared or keyed differently."
        }
        _ => {
            " If the chosen profile matches your browser, this is a difference between the \
             engine and the browser: please report it with the permalink."
        }
    };
    format!("{base}{hint}")
}

/// The browser family from a `navigator.userAgent` string.
pub fn detect_family(user_agent: &str) -> Option<Family> {
    let ua = user_agent;
    if ua.contains("Firefox/") {
        Some(Family::Firefox)
    } else if ua.contains("Chrome/") || ua.contains("Chromium/") || ua.contains("Edg/") {
        Some(Family::Chromium)
    } else if ua.contains("Safari/") && ua.contains("Version/") && ua.contains("Linux") {
        // WebKitGTK (GNOME Web, MiniBrowser): "X11; Linux x86_64 … Safari/605.1.15".
        Some(Family::WebKitGtk)
    } else if ua.contains("Safari/") && ua.contains("Version/") {
        Some(Family::Safari)
    } else {
        None
    }
}

/// The profile to try for a browser family, given what the comparison showed.
/// For Chromium: when cookies were sent or readable less than predicted under
/// `Chrome`, the browser blocks third-party cookies (and the reverse).
pub fn suggest_profile(
    family: Family,
    current: ProfileId,
    comparisons: &[Comparison],
) -> Option<ProfileId> {
    let cookie_mismatch = |fewer: bool| {
        comparisons.iter().any(|c| {
            !c.agree
                && matches!(c.outcome, Outcome::CookiesSent | Outcome::DocumentCookie)
                && ((c.observed.len() < c.simulated.len() || c.observed == "(none)") == fewer)
        })
    };
    let suggestion = match family {
        Family::Firefox => ProfileId::Firefox,
        Family::Safari => ProfileId::Safari,
        Family::WebKitGtk => ProfileId::WebKitGtk,
        Family::Chromium => match current {
            ProfileId::Chrome if cookie_mismatch(true) => ProfileId::ChromeNo3pc,
            ProfileId::ChromeNo3pc if cookie_mismatch(false) => ProfileId::Chrome,
            ProfileId::Chrome | ProfileId::ChromeNo3pc => current,
            _ => ProfileId::Chrome,
        },
    };
    (suggestion != current).then_some(suggestion)
}

/// Adds the run and request markers to a mapped request URL.
pub fn run_url(url: &str, run: &str, index: usize) -> String {
    match Url::parse(url) {
        Ok(mut u) => {
            u.query_pairs_mut()
                .append_pair(RUN_PARAM, run)
                .append_pair(REQ_PARAM, &index.to_string());
            u.to_string()
        }
        Err(_) => url.to_string(),
    }
}

/// Removes the run and request markers: the URL the server model sees.
/// Returns (url without markers, run id, request index).
pub fn strip_run_params(url: &Url) -> (Url, Option<String>, Option<usize>) {
    let mut run = None;
    let mut req = None;
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter_map(|(k, v)| {
            if k == RUN_PARAM {
                run = Some(v.into_owned());
                None
            } else if k == REQ_PARAM {
                req = v.parse().ok();
                None
            } else {
                Some((k.into_owned(), v.into_owned()))
            }
        })
        .collect();
    let mut clean = url.clone();
    if kept.is_empty() {
        clean.set_query(None);
    } else {
        clean.query_pairs_mut().clear().extend_pairs(kept);
    }
    (clean, run, req)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{RawResponse, RawRoute, RawServer};

    fn ports() -> LabPorts {
        LabPorts::default()
    }

    #[test]
    fn fixed_cookies_are_expired_for_every_domain_and_path_they_could_have() {
        let page = Url::parse("http://app.localhost:8080/").unwrap();
        let lines = expire_fixed_cookies(&page, &[("XSRF-TOKEN".into(), "/app".into())]);
        // host-only, app.localhost, localhost; /app and /; plain, Secure, Partitioned.
        assert_eq!(lines.len(), 3 * 2 * 3, "{lines:#?}");
        assert!(lines.contains(&"XSRF-TOKEN=; Max-Age=0; Path=/app".to_string()));
        assert!(
            lines.contains(&"XSRF-TOKEN=; Max-Age=0; Path=/; Domain=localhost; Secure".to_string())
        );
        let ip = Url::parse("http://127.0.0.1:8080/").unwrap();
        let lines = expire_fixed_cookies(&ip, &[("XSRF-TOKEN".into(), "/".into())]);
        assert_eq!(lines.len(), 3, "an IP address takes no Domain: {lines:#?}");
        assert!(expire_fixed_cookies(&page, &[]).is_empty());
    }

    #[test]
    fn article_setup_maps_to_two_ports_of_localhost() {
        let m = map_scenario(&Scenario::default(), "http://localhost:8080", &ports());
        assert!(m.runnable(), "{:?}", m.blockers);
        assert_eq!(m.scenario.page.url, "http://localhost:8080/");
        assert_eq!(m.scenario.requests[0].url, "http://localhost:8081/login");
        assert_eq!(m.origins.len(), 2);
    }

    #[test]
    fn cross_site_gets_another_loopback_name_and_server_origins_follow() {
        let mut s = Scenario::default();
        s.page.url = "http://app.example.com/".into();
        s.requests[0].url = "http://api.other.org/login".into();
        s.requests[1].url = "http://app.example.com/me".into();
        s.server = ServerSetup::Raw(RawServer {
            routes: vec![RawRoute {
                method: "*".into(),
                path: "*".into(),
                preflight: RawResponse::default(),
                response: RawResponse {
                    status: 200,
                    headers: "Access-Control-Allow-Origin: http://app.example.com".into(),
                },
                ..RawRoute::default()
            }],
        });
        let m = map_scenario(&s, "http://localhost:8080", &ports());
        assert!(m.runnable(), "{:?}", m.blockers);
        assert_eq!(m.scenario.requests[0].url, "http://127.0.0.1:8080/login");
        assert_eq!(m.scenario.requests[1].url, "http://localhost:8080/me");
        let ServerSetup::Raw(raw) = &m.scenario.server else {
            panic!()
        };
        assert_eq!(
            raw.routes[0].response.headers,
            "Access-Control-Allow-Origin: http://localhost:8080"
        );
        assert!(m.notes.iter().any(|n| n.contains("not a secure context")));
    }

    #[test]
    fn redirects_follow_the_mapping_or_block() {
        let mut s = Scenario::default();
        let route = |location: &str| RawRoute {
            method: "*".into(),
            path: "/login".into(),
            preflight: RawResponse::default(),
            response: RawResponse {
                status: 302,
                headers: format!("Location: {location}"),
            },
            ..RawRoute::default()
        };
        s.server = ServerSetup::Raw(RawServer {
            routes: vec![route("http://localhost:3000/welcome")],
        });
        let m = map_scenario(&s, "http://localhost:8080", &ports());
        let ServerSetup::Raw(raw) = &m.scenario.server else {
            panic!()
        };
        assert_eq!(
            raw.routes[0].response.headers,
            "Location: http://localhost:8080/welcome"
        );
        assert_eq!(m.blockers.len(), 1, "{:?}", m.blockers);
        assert!(
            m.blockers[0].contains("redirect chains"),
            "{:?}",
            m.blockers
        );

        s.server = ServerSetup::Raw(RawServer {
            routes: vec![route("http://elsewhere.example/welcome")],
        });
        let m = map_scenario(&s, "http://localhost:8080", &ports());
        assert!(
            m.blockers.iter().any(|b| b.contains("elsewhere.example")),
            "{:?}",
            m.blockers
        );
    }

    #[test]
    fn https_without_lab_https_is_a_blocker() {
        let mut s = Scenario::default();
        s.requests[0].url = "https://localhost:3001/login".into();
        let m = map_scenario(&s, "http://localhost:8080", &ports());
        assert!(!m.runnable());
    }

    #[test]
    fn origin_rewrite_keeps_longer_ports() {
        assert_eq!(
            replace_origin_text("a http://x:3000 b http://x:30001", "http://x:3000", "L"),
            "a L b http://x:30001"
        );
    }

    #[test]
    fn run_params_round_trip() {
        let u = run_url("http://localhost:8081/me?a=1", "abc", 2);
        let (clean, run, req) = strip_run_params(&Url::parse(&u).unwrap());
        assert_eq!(clean.as_str(), "http://localhost:8081/me?a=1");
        assert_eq!(run.as_deref(), Some("abc"));
        assert_eq!(req, Some(2));
    }

    #[test]
    fn cookie_names_get_the_run_tag() {
        let mut s = Scenario::default();
        let tagged = tag_cookie_names(&s, "_t1");
        let ServerSetup::Rails(app) = &tagged.server else {
            panic!()
        };
        assert_eq!(app.session.key.as_deref(), Some("_your_app_session_t1"));
        s.server = ServerSetup::Raw(RawServer {
            routes: vec![RawRoute {
                response: RawResponse {
                    status: 200,
                    headers: "X-A: a=b\nset-cookie: sid=1; SameSite=Lax\nSet-Cookie: novalue"
                        .into(),
                },
                ..RawRoute::default()
            }],
        });
        let ServerSetup::Raw(raw) = tag_cookie_names(&s, "_t2").server else {
            panic!()
        };
        assert_eq!(
            raw.routes[0].response.headers,
            "X-A: a=b\nset-cookie: sid_t2=1; SameSite=Lax\nSet-Cookie: novalue"
        );
        let trace = crate::simulate(&tag_cookie_names(&s, "_t2"));
        assert!(scenario_cookie_names(&trace).contains("sid_t2"));
    }

    #[test]
    fn navigations_and_iframes_run_live_and_say_how() {
        let mut s = Scenario::default();
        s.requests[0].client = Client::Navigation {
            form: crate::scenario::NavigationForm::FormPost,
        };
        s.requests[1].client = Client::Iframe;
        let m = map_scenario(&s, "http://localhost:8080", &ports());
        assert!(m.runnable(), "{:?}", m.blockers);
        assert!(m.notes.iter().any(|n| n.contains("popup window")));
        assert!(m.notes.iter().any(|n| n.contains("hidden iframe")));
        // A page that is itself framed cannot be reproduced: said, not run.
        s.page.top_level_url = Some("http://docs.example.org/".into());
        let m = map_scenario(&s, "http://localhost:8080", &ports());
        assert!(!m.runnable());
    }

    #[test]
    fn visits_and_flows_run_live_and_say_how() {
        use crate::scenario::{NavigationForm, RequestSpec};
        let mut s = Scenario::default();
        s.page.url = "http://app.example.com/".into();
        s.requests = vec![
            RequestSpec {
                url: "http://app.example.com/home".into(),
                client: Client::Visit,
                ..RequestSpec::default()
            },
            RequestSpec {
                url: "http://auth.example.org/login".into(),
                client: Client::Navigation {
                    form: NavigationForm::Link,
                },
                runs_from: RunsFrom::Current,
                ..RequestSpec::default()
            },
            // Relative to the login page: the document it runs from.
            RequestSpec {
                url: "/session".into(),
                runs_from: RunsFrom::Current,
                ..RequestSpec::default()
            },
        ];
        let m = map_scenario(&s, "http://localhost:8080", &ports());
        assert!(m.runnable(), "{:?}", m.blockers);
        assert!(m.notes.iter().any(|n| n == VISIT_NOTE));
        assert!(m.notes.iter().any(|n| n.contains("current document")));
        assert_eq!(m.scenario.requests[0].url, "http://localhost:8080/home");
        assert_eq!(m.scenario.requests[1].url, "http://127.0.0.1:8080/login");
        assert_eq!(m.scenario.requests[2].url, "http://127.0.0.1:8080/session");
    }

    #[test]
    fn the_document_is_compared_without_the_run_markers() {
        let mut s = Scenario::default();
        s.requests.truncate(1);
        s.requests[0].client = Client::Navigation {
            form: crate::scenario::NavigationForm::FormGet,
        };
        s.requests[0].url = "http://localhost:3001/search".into();
        let trace = crate::simulate(&s);
        let obs = Observation {
            index: 0,
            navigated: true,
            document_url: Some(run_url("http://localhost:3001/search", "r1", 0)),
            lab: LabSeen {
                request_seen: true,
                // The Rails model answers an unknown path with 401.
                status: Some(401),
                ..LabSeen::default()
            },
            ..Observation::default()
        };
        let doc = compare(&trace, &[obs])
            .into_iter()
            .find(|c| c.outcome == Outcome::Document)
            .expect("the document is compared");
        assert!(doc.agree, "{doc:?}");
        assert_eq!(doc.observed, "http://localhost:3001/search (401)");
    }

    #[test]
    fn crlf_is_rejected() {
        let s = Scenario {
            server: ServerSetup::Raw(RawServer {
                routes: vec![RawRoute {
                    response: RawResponse {
                        status: 200,
                        headers: "X-A: 1\r\nX-B: 2".into(),
                    },
                    ..RawRoute::default()
                }],
            }),
            ..Scenario::default()
        };
        assert!(validate_for_lab(&s).is_err());
    }

    #[test]
    fn control_characters_are_rejected_with_the_field_named() {
        let raw = |headers: &str| Scenario {
            server: ServerSetup::Raw(RawServer {
                routes: vec![RawRoute {
                    response: RawResponse {
                        status: 200,
                        headers: headers.into(),
                    },
                    ..RawRoute::default()
                }],
            }),
            ..Scenario::default()
        };
        for bad in ["X-A: a\u{b}b", "X-A: \u{1b}[0m", "X-A: a\u{7f}"] {
            let e = validate_for_lab(&raw(bad)).unwrap_err();
            assert!(e.starts_with("server.routes.0.response.headers"), "{e}");
            assert!(e.contains("`X-A`"), "{e}");
            assert!(!is_safe_header_value(&bad[5..]));
        }
        assert!(validate_for_lab(&raw("X-A: a\tb")).is_ok());
        assert!(is_safe_header_value("a\tb"));

        let mut s = raw("X-A: 1");
        s.requests[0].headers = "X-Req: \u{b}".into();
        let e = validate_for_lab(&s).unwrap_err();
        assert!(e.starts_with("requests.0.headers"), "{e}");
        assert!(e.contains("U+000B (vertical tab)"), "{e}");

        let mut app = crate::server::rails::RailsApp::default();
        app.cors.enabled = true;
        app.cors.allow.push(Default::default());
        app.cors.allow[0].origins = vec!["http://a".into(), "http://b\u{1b}".into()];
        let s = Scenario {
            server: ServerSetup::Rails(app),
            ..Scenario::default()
        };
        let e = validate_for_lab(&s).unwrap_err();
        assert!(e.contains("server.cors.allow.0.origins.1"), "{e}");
    }

    #[test]
    fn lab_notes_are_not_requests() {
        let log = vec![
            LabLogEntry {
                req: Some(0),
                cookie: Some("a=1".into()),
                ..LabLogEntry::default()
            },
            LabLogEntry::note(1, "the log is full"),
        ];
        assert_eq!(lab_notes(&log), ["the log is full"]);
        assert!(LabSeen::from_log(&log, 0).request_seen);
        let json = serde_json::to_string(&log[0]).unwrap();
        assert!(!json.contains("note"), "{json}");
        let back: Vec<LabLogEntry> =
            serde_json::from_str(&serde_json::to_string(&log).unwrap()).unwrap();
        assert_eq!(back, log);
    }

    #[test]
    fn compare_flags_missing_cookies_and_suggests_no3pc() {
        let s = Scenario::default();
        let m = map_scenario(&s, "http://localhost:8080", &ports());
        let trace = crate::simulate(&m.scenario);
        let obs: Vec<Observation> = trace
            .requests
            .iter()
            .map(|r| Observation {
                index: r.index,
                page_url: m.scenario.page.url.clone(),
                resolved: r.js_result != JsResult::NetworkError,
                opaque: r.js_result == JsResult::Opaque,
                status: r.status.unwrap_or(0),
                readable_headers: r.readable_headers.clone(),
                document_cookie: None,
                lab: LabSeen {
                    preflight_seen: matches!(
                        r.preflight,
                        PreflightOutcome::Passed | PreflightOutcome::Failed
                    ),
                    request_seen: r.request_sent,
                    cookie_header: None,
                    status: None,
                },
                error: None,
                navigated: r.js_result == JsResult::Navigated,
                document_url: None,
            })
            .collect();
        let cmp = compare(&trace, &obs);
        let sent_any = trace.requests.iter().any(|r| !r.cookies_sent.is_empty());
        assert_eq!(cmp.iter().all(|c| c.agree), !sent_any);
        assert_eq!(
            detect_family("Mozilla/5.0 Firefox/153.0"),
            Some(Family::Firefox)
        );
    }
}
