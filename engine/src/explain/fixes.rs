//! The smallest change of settings that makes the scenario work.
//!
//! The goal: every response is readable by the page (or loaded, for
//! navigations), and when the scenario logs in, the session cookie is stored
//! and sent back on a later request. The search tries single setting changes,
//! then pairs and triples of them, by simulating each candidate scenario,
//! and keeps the fixes no smaller fix is contained in. It never proposes
//! `origins '*'` with credentials (Rails would not boot anyway), never drops
//! `HttpOnly`, and never drops `Secure` for an API served over https.
//!
//! Where no setting can work (page and API on different sites under a
//! profile that blocks third-party cookies), [`architectural_advice`] says
//! so and names the changes of architecture that do.

use crate::origin::{parse_url, Origin};
use crate::profile::{BrowserProfile, ThirdPartyCookies};
use crate::scenario::{Client, CredentialsMode, RequestMode, Scenario, ServerSetup};
use crate::server::rack_cors::RackCors;
use crate::server::rails::{
    AllowBlock, CorsConfig, CorsPosition, CorsResource, DomainOption, HeadersOption, MethodsOption,
    RailsApp, SameSiteOption, SessionMiddleware, StoreKind,
};
use crate::server::session_store::{effective_key, session_mode, SessionMode};
use crate::simulate::simulate;
use crate::trace::{JsResult, Trace};

/// One setting changed: a dotted path into the scenario and its old and new value.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct SettingChange {
    pub field: String,
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
    fn new(
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

fn change(
    field: impl Into<String>,
    from: impl Into<String>,
    to: impl Into<String>,
) -> SettingChange {
    SettingChange {
        field: field.into(),
        from: from.into(),
        to: to.into(),
    }
}

fn rails_mut(s: &mut Scenario) -> Option<&mut RailsApp> {
    match &mut s.server {
        ServerSetup::Rails(a) => Some(a),
        ServerSetup::Raw(_) => None,
    }
}

fn page_origin(s: &Scenario) -> Option<String> {
    parse_url(&s.page.url, None)
        .ok()
        .map(|u| Origin::of(&u).serialize())
}

/// The URLs of the requests, resolved against the page.
fn request_urls(s: &Scenario) -> Vec<url::Url> {
    let base = parse_url(&s.page.url, None).ok();
    s.requests
        .iter()
        .filter_map(|r| parse_url(&r.url, base.as_ref()).ok())
        .collect()
}

fn api_is_https(s: &Scenario) -> bool {
    let urls = request_urls(s);
    !urls.is_empty() && urls.iter().all(|u| u.scheme() == "https")
}

fn same_site_label(o: SameSiteOption) -> &'static str {
    match o {
        SameSiteOption::Unset => "(unset)",
        SameSiteOption::Lax => ":lax",
        SameSiteOption::Strict => ":strict",
        SameSiteOption::None => ":none",
        SameSiteOption::Nil => "nil",
    }
}

fn domain_label(d: &DomainOption) -> String {
    match d {
        DomainOption::Unset => "(unset)".into(),
        DomainOption::Exact(s) => format!("'{s}'"),
        DomainOption::All { tld_length: None } => ":all".into(),
        DomainOption::All {
            tld_length: Some(n),
        } => format!(":all, tld_length: {n}"),
        DomainOption::List(l) => format!("{l:?}"),
    }
}

fn origins_label(o: &[String]) -> String {
    o.iter()
        .map(|s| format!("'{s}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn credentials_label(c: &Client) -> String {
    match c {
        Client::Fetch { credentials, .. } => format!(
            "credentials: '{}'",
            match credentials {
                CredentialsMode::Omit => "omit",
                CredentialsMode::SameOrigin => "same-origin",
                CredentialsMode::Include => "include",
            }
        ),
        Client::Xhr { with_credentials } | Client::Axios { with_credentials } => {
            format!("withCredentials: {with_credentials}")
        }
        Client::Navigation { .. } | Client::Iframe | Client::Visit => "(navigation)".into(),
    }
}

/// Every single change worth trying for this scenario, most preferred first.
pub fn candidates(s: &Scenario) -> Vec<Candidate> {
    let mut out = Vec::new();
    let po = page_origin(s);
    let https = api_is_https(s);

    // ----- Client: credentials and mode -----
    let mut cred_changes = Vec::new();
    for (i, r) in s.requests.iter().enumerate() {
        let needs = match r.client {
            Client::Fetch { credentials, .. } => credentials != CredentialsMode::Include,
            Client::Xhr { with_credentials } | Client::Axios { with_credentials } => {
                !with_credentials
            }
            _ => false,
        };
        if needs {
            let to = match r.client {
                Client::Fetch { .. } => "credentials: 'include'",
                _ => "withCredentials: true",
            };
            cred_changes.push(change(
                format!("requests.{i}.client.credentials"),
                credentials_label(&r.client),
                to,
            ));
        }
    }
    if !cred_changes.is_empty() {
        out.push(Candidate::new(
            "Send cookies with every request",
            "Cross-origin requests carry and accept cookies only with credentials included (fetch `credentials: 'include'`, XHR/axios `withCredentials: true`).",
            cred_changes,
            0,
            |s: &mut Scenario| {
                for r in &mut s.requests {
                    match &mut r.client {
                        Client::Fetch { credentials, .. } => *credentials = CredentialsMode::Include,
                        Client::Xhr { with_credentials } | Client::Axios { with_credentials } => {
                            *with_credentials = true
                        }
                        _ => {}
                    }
                }
            },
        ));
    }
    let mode_changes: Vec<SettingChange> = s
        .requests
        .iter()
        .enumerate()
        .filter_map(|(i, r)| match r.client {
            Client::Fetch { mode, .. } if mode != RequestMode::Cors => Some(change(
                format!("requests.{i}.client.mode"),
                format!("{mode:?}"),
                "cors",
            )),
            _ => None,
        })
        .collect();
    if !mode_changes.is_empty() {
        out.push(Candidate::new(
            "Use mode: 'cors'",
            "A `no-cors` response is opaque and a `same-origin` request to another origin fails; only `cors` lets the page read the answer.",
            mode_changes,
            1,
            |s: &mut Scenario| {
                for r in &mut s.requests {
                    if let Client::Fetch { mode, .. } = &mut r.client {
                        *mode = RequestMode::Cors;
                    }
                }
            },
        ));
    }

    let ServerSetup::Rails(app) = &s.server else {
        return out;
    };

    // ----- Boot: load_defaults -----
    if app.load_defaults > app.version.max_load_defaults() {
        let to = app.version.max_load_defaults();
        out.push(Candidate::new(
            format!("config.load_defaults {}", to.label()),
            "Rails refuses a load_defaults newer than itself and does not boot.",
            vec![change(
                "server.load_defaults",
                app.load_defaults.label(),
                to.label(),
            )],
            0,
            move |s: &mut Scenario| {
                if let Some(a) = rails_mut(s) {
                    a.load_defaults = to;
                }
            },
        ));
    }

    // ----- rack-cors -----
    if let Some(po) = po.clone() {
        if !app.cors.enabled {
            let po2 = po.clone();
            out.push(Candidate::new(
                "Add rack-cors for the page's origin, with credentials",
                "Without rack-cors no response carries CORS headers, so the browser hides every cross-origin answer.",
                vec![
                    change("server.cors.enabled", "false", "true"),
                    change("server.cors.allow.0.origins", "", format!("'{po}'")),
                    change("server.cors.allow.0.resources.0.credentials", "false", "true"),
                ],
                1,
                move |s: &mut Scenario| {
                    if let Some(a) = rails_mut(s) {
                        a.cors = CorsConfig {
                            enabled: true,
                            allow: vec![AllowBlock {
                                origins: vec![po2.clone()],
                                resources: vec![CorsResource {
                                    credentials: true,
                                    ..CorsResource::default()
                                }],
                                resource_before_origins: false,
                            }],
                            debug: false,
                        };
                    }
                },
            ));
        }
        for (bi, b) in app.cors.allow.iter().enumerate() {
            if b.origins.iter().any(|o| o == "*") {
                let new: Vec<String> = b
                    .origins
                    .iter()
                    .map(|o| if o == "*" { po.clone() } else { o.clone() })
                    .collect();
                let mut dedup: Vec<String> = Vec::new();
                for o in new {
                    if !dedup.contains(&o) {
                        dedup.push(o);
                    }
                }
                let field = format!("server.cors.allow.{bi}.origins");
                let ch = change(field, origins_label(&b.origins), origins_label(&dedup));
                let d2 = dedup.clone();
                out.push(Candidate::new(
                    format!("origins '{po}' instead of '*'"),
                    "With credentials the browser needs the exact Origin in Access-Control-Allow-Origin; `*` never works (and rack-cors refuses '*' with credentials).",
                    vec![ch.clone()],
                    1,
                    move |s: &mut Scenario| {
                        if let Some(a) = rails_mut(s) {
                            if let Some(b) = a.cors.allow.get_mut(bi) {
                                b.origins = d2.clone();
                            }
                        }
                    },
                ));
                // The article's refined cors.rb in one step.
                let creds: Vec<usize> = b
                    .resources
                    .iter()
                    .enumerate()
                    .filter(|(_, r)| !r.credentials)
                    .map(|(i, _)| i)
                    .collect();
                if !creds.is_empty() {
                    let mut changes = vec![ch];
                    for ri in &creds {
                        changes.push(change(
                            format!("server.cors.allow.{bi}.resources.{ri}.credentials"),
                            "false",
                            "true",
                        ));
                    }
                    let d3 = dedup.clone();
                    out.push(Candidate::new(
                        format!("origins '{po}' with credentials: true"),
                        "A credentialed request needs the exact Origin reflected and Access-Control-Allow-Credentials: true.",
                        changes,
                        0,
                        move |s: &mut Scenario| {
                            if let Some(a) = rails_mut(s) {
                                if let Some(b) = a.cors.allow.get_mut(bi) {
                                    b.origins = d3.clone();
                                    for r in &mut b.resources {
                                        r.credentials = true;
                                    }
                                }
                            }
                        },
                    ));
                }
            }
        }
        if app.cors.enabled && !app.cors.allow.is_empty() {
            let allowed = RackCors::new(&app.cors, app.version)
                .map(|c| c.allows_origin(&po))
                .unwrap_or(true);
            if !allowed {
                let old = app.cors.allow[0].origins.clone();
                let mut new = old.clone();
                new.push(po.clone());
                let po3 = po.clone();
                out.push(Candidate::new(
                    format!("Add '{po}' to origins"),
                    "rack-cors adds CORS headers only for an Origin listed in `origins`.",
                    vec![change(
                        "server.cors.allow.0.origins",
                        origins_label(&old),
                        origins_label(&new),
                    )],
                    1,
                    move |s: &mut Scenario| {
                        if let Some(a) = rails_mut(s) {
                            if let Some(b) = a.cors.allow.get_mut(0) {
                                b.origins.push(po3.clone());
                            }
                        }
                    },
                ));
            }
        }
    }
    for (bi, b) in app.cors.allow.iter().enumerate() {
        for (ri, r) in b.resources.iter().enumerate() {
            if !r.credentials {
                out.push(Candidate::new(
                    "credentials: true",
                    "Without Access-Control-Allow-Credentials: true the browser hides a credentialed response from the page.",
                    vec![change(format!("server.cors.allow.{bi}.resources.{ri}.credentials"), "false", "true")],
                    1,
                    move |s: &mut Scenario| {
                        if let Some(a) = rails_mut(s) {
                            if let Some(r) = a.cors.allow.get_mut(bi).and_then(|b| b.resources.get_mut(ri)) {
                                r.credentials = true;
                            }
                        }
                    },
                ));
            }
            let needed: Vec<String> = s
                .requests
                .iter()
                .map(|q| q.method.to_ascii_lowercase())
                .collect();
            let have: Vec<String> = match &r.methods {
                MethodsOption::Any => Vec::new(),
                MethodsOption::Unset => vec!["get".into()],
                MethodsOption::List(l) => l.clone(),
            };
            if !matches!(r.methods, MethodsOption::Any) && needed.iter().any(|m| !have.contains(m))
            {
                let mut list = have.clone();
                for m in &needed {
                    if !list.contains(m) {
                        list.push(m.clone());
                    }
                }
                let l2 = list.clone();
                out.push(Candidate::new(
                    "Allow the methods the page uses",
                    "rack-cors answers a preflight for a method outside `methods` with no CORS headers.",
                    vec![change(
                        format!("server.cors.allow.{bi}.resources.{ri}.methods"),
                        format!("{have:?}"),
                        format!("{list:?}"),
                    )],
                    2,
                    move |s: &mut Scenario| {
                        if let Some(a) = rails_mut(s) {
                            if let Some(r) = a.cors.allow.get_mut(bi).and_then(|b| b.resources.get_mut(ri)) {
                                r.methods = MethodsOption::List(l2.clone());
                            }
                        }
                    },
                ));
            }
            if !matches!(r.headers, HeadersOption::Any) {
                out.push(Candidate::new(
                    "headers: :any",
                    "rack-cors answers a preflight asking for a header outside `headers` with no CORS headers.",
                    vec![change(format!("server.cors.allow.{bi}.resources.{ri}.headers"), format!("{:?}", r.headers), ":any")],
                    2,
                    move |s: &mut Scenario| {
                        if let Some(a) = rails_mut(s) {
                            if let Some(r) = a.cors.allow.get_mut(bi).and_then(|b| b.resources.get_mut(ri)) {
                                r.headers = HeadersOption::Any;
                            }
                        }
                    },
                ));
            }
        }
    }
    if app.cors_position != CorsPosition::First {
        out.push(Candidate::new(
            "insert_before 0, Rack::Cors",
            "Answers from middleware in front of rack-cors carry no CORS headers; rack-cors must come first.",
            vec![change("server.cors_position", "after-answering-middleware", "first")],
            1,
            |s: &mut Scenario| {
                if let Some(a) = rails_mut(s) {
                    a.cors_position = CorsPosition::First;
                }
            },
        ));
    }

    // ----- Session store and middleware -----
    if app.api_only && app.session_middleware != SessionMiddleware::Documented {
        let from = format!("{:?}", app.session_middleware);
        out.push(Candidate::new(
            "Add the session middleware back (the guide's way)",
            "API-only apps have no cookies and no session; the guide's lines in config/application.rb add them back with the session options.",
            vec![change("server.session_middleware", from, "Documented")],
            0,
            |s: &mut Scenario| {
                if let Some(a) = rails_mut(s) {
                    a.session_middleware = SessionMiddleware::Documented;
                    if a.session.store != StoreKind::CookieStore {
                        a.session.store = StoreKind::CookieStore;
                    }
                }
            },
        ));
    }
    if app.session.store == StoreKind::Disabled {
        out.push(Candidate::new(
            "session_store :cookie_store",
            "A disabled session store cannot keep anyone logged in.",
            vec![change("server.session.store", ":disabled", ":cookie_store")],
            0,
            |s: &mut Scenario| {
                if let Some(a) = rails_mut(s) {
                    a.session.store = StoreKind::CookieStore;
                }
            },
        ));
    }
    let ss = app.session.same_site;
    if !matches!(ss, SameSiteOption::Lax | SameSiteOption::Unset) {
        out.push(Candidate::new(
            "same_site: :lax",
            "Lax cookies flow on same-site requests (ports do not count), need no Secure, and are what browsers default to.",
            vec![change("server.session.same_site", same_site_label(ss), ":lax")],
            1,
            |s: &mut Scenario| {
                if let Some(a) = rails_mut(s) {
                    a.session.same_site = SameSiteOption::Lax;
                }
            },
        ));
    }
    if ss != SameSiteOption::None {
        let sec = app.session.secure;
        let mut changes = vec![change(
            "server.session.same_site",
            same_site_label(ss),
            ":none",
        )];
        if sec != Some(true) {
            changes.push(change("server.session.secure", format!("{sec:?}"), "true"));
        }
        out.push(Candidate::new(
            "same_site: :none, secure: true",
            "A cookie for cross-site requests must be SameSite=None, and browsers accept None only with Secure.",
            changes,
            3,
            |s: &mut Scenario| {
                if let Some(a) = rails_mut(s) {
                    a.session.same_site = SameSiteOption::None;
                    a.session.secure = Some(true);
                }
            },
        ));
    }
    if app.session.secure == Some(true) && !https {
        out.push(Candidate::new(
            "secure: false (plain-http development only)",
            "Rack never writes a secure session cookie on a plain-http request; over http in development the cookie cannot be Secure. Keep secure: true in production over https.",
            vec![change("server.session.secure", "true", "false")],
            2,
            |s: &mut Scenario| {
                if let Some(a) = rails_mut(s) {
                    a.session.secure = Some(false);
                }
            },
        ));
    }
    if app.session.secure != Some(true) && https {
        out.push(Candidate::new(
            "secure: true",
            "Over https the session cookie should be Secure (and SameSite=None requires it).",
            vec![change(
                "server.session.secure",
                format!("{:?}", app.session.secure),
                "true",
            )],
            2,
            |s: &mut Scenario| {
                if let Some(a) = rails_mut(s) {
                    a.session.secure = Some(true);
                }
            },
        ));
    }
    if app.session.domain != DomainOption::Unset {
        out.push(Candidate::new(
            "No domain (a host-only cookie)",
            "A Domain attribute that does not cover the API's host (or that is a public suffix) makes the browser reject the cookie; without one the cookie belongs to the API's host.",
            vec![change("server.session.domain", domain_label(&app.session.domain), "(unset)")],
            1,
            |s: &mut Scenario| {
                if let Some(a) = rails_mut(s) {
                    a.session.domain = DomainOption::Unset;
                }
            },
        ));
    }
    if !https
        && (app.session.secure == Some(true)
            || app.session.domain != DomainOption::Unset
            || app.session.same_site == SameSiteOption::None)
    {
        let old = app.session.clone();
        out.push(Candidate::new(
            "A session cookie for plain-http development",
            "Over plain http the session cookie can only work as a host-only, non-Secure, SameSite=Lax cookie.",
            vec![
                change("server.session.secure", format!("{:?}", old.secure), "false"),
                change("server.session.same_site", same_site_label(old.same_site), ":lax"),
                change("server.session.domain", domain_label(&old.domain), "(unset)"),
            ],
            2,
            |s: &mut Scenario| {
                if let Some(a) = rails_mut(s) {
                    a.session.secure = Some(false);
                    a.session.same_site = SameSiteOption::Lax;
                    a.session.domain = DomainOption::Unset;
                }
            },
        ));
    }
    if !app.api_only && app.csrf_protection {
        let unsafe_reqs: Vec<usize> = s
            .requests
            .iter()
            .enumerate()
            .filter(|(_, r)| !matches!(r.method.to_ascii_uppercase().as_str(), "GET" | "HEAD"))
            .map(|(i, _)| i)
            .collect();
        if !unsafe_reqs.is_empty() {
            let changes = unsafe_reqs
                .iter()
                .map(|i| change(format!("requests.{i}.headers"), "", "X-CSRF-Token: <token>"))
                .collect();
            out.push(Candidate::new(
                "Send the CSRF token",
                "A full Rails app rejects non-GET requests without an authenticity token (422); send it in X-CSRF-Token.",
                changes,
                2,
                move |s: &mut Scenario| {
                    for i in &unsafe_reqs {
                        if let Some(r) = s.requests.get_mut(*i) {
                            if !r.headers.to_ascii_lowercase().contains("x-csrf-token") {
                                if !r.headers.trim().is_empty() {
                                    r.headers.push('\n');
                                }
                                r.headers.push_str("X-CSRF-Token: token-from-csrf-meta-tags");
                            }
                        }
                    }
                },
            ));
        }
    }
    out
}

/// The session key the goal watches (Rails), if any.
fn session_key(s: &Scenario) -> Option<String> {
    match &s.server {
        ServerSetup::Rails(app) => Some(match session_mode(app) {
            Ok(SessionMode::Enabled { options, .. })
            | Ok(SessionMode::NoCookiesMiddleware { options }) => options.key,
            _ => effective_key(app),
        }),
        ServerSetup::Raw(_) => None,
    }
}

/// True when the scenario logs in (and so the session cookie must flow).
fn needs_session(s: &Scenario, baseline: &Trace) -> bool {
    match &s.server {
        ServerSetup::Rails(app) => s.requests.iter().any(|r| {
            r.method == "POST"
                && url::Url::parse(&r.url)
                    .or_else(|_| url::Url::parse(&s.page.url).and_then(|b| b.join(&r.url)))
                    .map(|u| u.path() == app.login_path)
                    .unwrap_or(false)
        }),
        ServerSetup::Raw(_) => baseline
            .requests
            .iter()
            .any(|r| !r.cookies_stored.is_empty() || !r.cookies_rejected.is_empty()),
    }
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
    if !all_ok {
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

/// Most combinations tried.
const MAX_SIMULATIONS: usize = 3000;
/// Most fixes returned.
const MAX_FIXES: usize = 4;

/// The smallest sets of setting changes that make the goal hold, smallest
/// first. Empty when the scenario already works, or when no combination of
/// up to three candidate changes does (see [`architectural_advice`]).
pub fn suggest_fixes(scenario: &Scenario) -> Vec<Fix> {
    let baseline = simulate(scenario);
    let need = needs_session(scenario, &baseline);
    if goal_holds(scenario, &baseline, need) {
        return Vec::new();
    }
    let cands = candidates(scenario);
    let n = cands.len();
    let mut found: Vec<(Vec<usize>, Scenario)> = Vec::new();
    let mut budget = MAX_SIMULATIONS;
    let fields = |set: &[usize]| -> Vec<String> {
        let mut f: Vec<String> = set
            .iter()
            .flat_map(|i| cands[*i].changes.iter().map(|c| c.field.clone()))
            .collect();
        f.sort();
        f.dedup();
        f
    };
    let mut combos: Vec<Vec<usize>> = Vec::new();
    for a in 0..n {
        combos.push(vec![a]);
    }
    for a in 0..n {
        for b in a + 1..n {
            combos.push(vec![a, b]);
        }
    }
    for a in 0..n {
        for b in a + 1..n {
            for c in b + 1..n {
                combos.push(vec![a, b, c]);
            }
        }
    }
    for set in combos {
        // Two candidates that change the same field conflict.
        let total: usize = set.iter().map(|i| cands[*i].changes.len()).sum();
        let f = fields(&set);
        if f.len() != total {
            continue;
        }
        // A superset of a fix already found is not minimal.
        if found.iter().any(|(fs, _)| {
            let ff = fields(fs);
            ff.iter().all(|x| f.contains(x))
        }) {
            continue;
        }
        if budget == 0 {
            break;
        }
        budget -= 1;
        let mut cand = scenario.clone();
        for i in &set {
            cands[*i].apply(&mut cand);
        }
        if !is_safe(&cand, scenario) {
            continue;
        }
        let t = simulate(&cand);
        if goal_holds(&cand, &t, need) {
            found.push((set, cand));
        }
    }
    let mut fixes: Vec<(usize, u32, Fix)> = found
        .into_iter()
        .map(|(set, sc)| {
            let changes: Vec<SettingChange> =
                set.iter().flat_map(|i| cands[*i].changes.clone()).collect();
            let rank: u32 = set.iter().map(|i| cands[*i].rank as u32).sum();
            let fix = Fix {
                title: set
                    .iter()
                    .map(|i| cands[*i].title.clone())
                    .collect::<Vec<_>>()
                    .join(" + "),
                reason: set
                    .iter()
                    .map(|i| cands[*i].reason.clone())
                    .collect::<Vec<_>>()
                    .join(" "),
                changes,
                scenario: sc,
            };
            (fix.changes.len(), rank, fix)
        })
        .collect();
    fixes.sort_by_key(|f| (f.0, f.1));
    fixes
        .into_iter()
        .take(MAX_FIXES)
        .map(|(_, _, f)| f)
        .collect()
}

/// The safety rules: never `origins '*'` with credentials, never drop
/// HttpOnly, never drop Secure when the API is served over https.
pub fn is_safe(candidate: &Scenario, original: &Scenario) -> bool {
    let (ServerSetup::Rails(a), ServerSetup::Rails(o)) = (&candidate.server, &original.server)
    else {
        return true;
    };
    let wildcard_creds =
        a.cors.allow.iter().any(|b| {
            b.origins.iter().any(|x| x == "*") && b.resources.iter().any(|r| r.credentials)
        });
    let dropped_httponly = a.session.httponly == Some(false) && o.session.httponly != Some(false);
    let dropped_secure =
        api_is_https(candidate) && o.session.secure == Some(true) && a.session.secure != Some(true);
    !wildcard_creds && !dropped_httponly && !dropped_secure
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
    let profile = BrowserProfile::of(scenario.profile);
    let page_o = Origin::of(&page);
    let mut seen = Vec::new();
    for api in request_urls(scenario) {
        let api_o = Origin::of(&api);
        if page_o.same_origin(&api_o) || seen.contains(&api_o.serialize()) {
            continue;
        }
        seen.push(api_o.serialize());
        let same = crate::site::same_site(&page, &api, profile.schemeful_same_site);
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
        if let ServerSetup::Rails(app) = &scenario.server {
            if let DomainOption::Exact(d) = &app.session.domain {
                let host = host_of(&api);
                let bare = d.trim_start_matches('.');
                if !(host == bare || host.ends_with(&format!(".{bare}"))) {
                    out.push(format!(
                        "The session store's `domain: '{d}'` does not cover the API's host `{host}`, so the browser rejects the cookie. A Domain attribute is for sharing a cookie across subdomains of one real domain; in development leave it out (a host-only cookie)."
                    ));
                }
            }
            if app.session.secure == Some(true) && api.scheme() == "http" {
                out.push(
                    "`secure: true` on a plain-http API: Rack never writes the session cookie. Serve the API over https (a local certificate, or a TLS proxy with `config.assume_ssl = true`) or use secure: false for plain-http development only.".into(),
                );
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
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
