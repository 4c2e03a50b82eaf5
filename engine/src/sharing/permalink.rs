//! The scenario as a short, human-readable query string.
//!
//! Only values that differ from [`Scenario::default`] are written, so a link
//! names exactly what the author changed. List items (requests, rack-cors
//! `allow` blocks, raw routes) are compared with the default item at the same
//! index; a count key (`requests=1`) says when the list is shorter or longer.
//! `v=1` is the format version: a later format keeps reading version 1.
//!
//! Decoding never fails: unknown keys and bad values become notices that
//! name them, and everything valid is kept.

use serde::Serialize;

use crate::profile::ProfileId;
use crate::scenario::{
    BodyKind, Client, CredentialsMode, FormEnctype, NavigationForm, RawResponse, RawRoute,
    RawServer, RedirectMode, RequestMode, RequestSpec, RunsFrom, Scenario, ServerSetup,
};
use crate::server::rails::{
    AllowBlock, CorsPosition, CorsResource, DomainOption, Environment, HeadersOption, LoadDefaults,
    MethodsOption, RailsApp, RailsVersion, SameSiteOption, SessionMiddleware, StoreKind,
};

/// The current format version.
pub const VERSION: &str = "1";

/// How the page shows the scenario (not part of the simulation).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct View {
    /// `embed=1`: compact view for iframes in documentation.
    pub embed: bool,
    /// `settings=1` with `embed=1`: show the settings, read-only.
    pub show_settings: bool,
}

/// A link read back: the scenario, the view, and what could not be read.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Decoded {
    pub scenario: Scenario,
    pub view: View,
    /// One sentence per unknown key or bad value.
    pub notices: Vec<String>,
}

// ---------------------------------------------------------------------------
// Encoding

/// Percent-encodes only what would break a query string, so URLs and header
/// lines stay readable: `%`, `&`, `#`, `+`, `=`, space, control characters and non-ASCII.
fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        match b {
            b' ' => out.push('+'),
            b'%' | b'&' | b'#' | b'+' | b'=' | b'"' | b'<' | b'>' | b'`' => {
                out.push_str(&format!("%{b:02X}"))
            }
            0x21..=0x7e => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

struct Writer(Vec<(String, String)>);

impl Writer {
    fn put(&mut self, key: impl Into<String>, value: impl Into<String>) {
        self.0.push((key.into(), value.into()));
    }
    fn diff<T: PartialEq>(
        &mut self,
        key: &str,
        value: &T,
        default: &T,
        show: impl Fn(&T) -> String,
    ) {
        if value != default {
            self.put(key, show(value));
        }
    }
}

fn bool_str(b: &bool) -> String {
    if *b { "1" } else { "0" }.into()
}

/// The query string (without `?`) for a scenario and a view.
pub fn encode(scenario: &Scenario, view: &View) -> String {
    let d = Scenario::default();
    let mut w = Writer(vec![("v".into(), VERSION.into())]);
    w.diff("page", &scenario.page.url, &d.page.url, |s| s.clone());
    w.diff(
        "top",
        &scenario.page.top_level_url,
        &d.page.top_level_url,
        |s| s.clone().unwrap_or_default(),
    );
    w.diff("browser", &scenario.profile, &d.profile, |p| p.key().into());

    // Requests.
    if scenario.requests.len() != d.requests.len() {
        w.put("requests", scenario.requests.len().to_string());
    }
    for (i, r) in scenario.requests.iter().enumerate() {
        let base = d.requests.get(i).cloned().unwrap_or_default();
        encode_request(&mut w, &format!("r{}", i + 1), r, &base);
    }

    // Server.
    match (&scenario.server, &d.server) {
        (ServerSetup::Rails(app), ServerSetup::Rails(base)) => encode_rails(&mut w, app, base),
        (ServerSetup::Raw(raw), _) => {
            w.put("server", "raw");
            encode_raw(&mut w, raw);
        }
        (ServerSetup::Rails(app), _) => {
            w.put("server", "rails");
            encode_rails(&mut w, app, &RailsApp::default());
        }
    }

    if view.embed {
        w.put("embed", "1");
        if view.show_settings {
            w.put("settings", "1");
        }
    }
    w.0.iter()
        .map(|(k, v)| format!("{k}={}", escape(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn client_keys(c: &Client) -> (&'static str, Option<&'static str>, Option<&'static str>) {
    // (via, mode, cred)
    match *c {
        Client::Fetch {
            mode, credentials, ..
        } => ("fetch", Some(mode_key(mode)), Some(cred_key(credentials))),
        Client::Xhr { with_credentials } => (
            "xhr",
            None,
            Some(if with_credentials {
                "include"
            } else {
                "same-origin"
            }),
        ),
        Client::Axios { with_credentials } => (
            "axios",
            None,
            Some(if with_credentials {
                "include"
            } else {
                "same-origin"
            }),
        ),
        Client::Navigation {
            form: NavigationForm::Link,
        } => ("link", None, None),
        Client::Navigation {
            form: NavigationForm::FormPost,
        } => ("form", None, None),
        Client::Navigation {
            form: NavigationForm::FormGet,
        } => ("form-get", None, None),
        Client::Iframe => ("iframe", None, None),
        Client::Visit => ("visit", None, None),
    }
}

fn mode_key(m: RequestMode) -> &'static str {
    match m {
        RequestMode::Cors => "cors",
        RequestMode::NoCors => "no-cors",
        RequestMode::SameOrigin => "same-origin",
        RequestMode::Navigate => "navigate",
    }
}

fn redirect_key(m: RedirectMode) -> &'static str {
    match m {
        RedirectMode::Follow => "follow",
        RedirectMode::Error => "error",
        RedirectMode::Manual => "manual",
    }
}

fn cred_key(c: CredentialsMode) -> &'static str {
    match c {
        CredentialsMode::Omit => "omit",
        CredentialsMode::SameOrigin => "same-origin",
        CredentialsMode::Include => "include",
    }
}

fn body_key(b: BodyKind) -> &'static str {
    match b {
        BodyKind::None => "none",
        BodyKind::Json => "json",
        BodyKind::Text => "text",
        BodyKind::UrlEncoded => "urlencoded",
        BodyKind::FormData => "formdata",
        BodyKind::Stream => "stream",
    }
}

const ENCTYPES: [(&str, FormEnctype); 3] = [
    ("urlencoded", FormEnctype::UrlEncoded),
    ("multipart", FormEnctype::Multipart),
    ("text", FormEnctype::TextPlain),
];

const RUNS_FROM: [(&str, RunsFrom); 2] = [("page", RunsFrom::Page), ("current", RunsFrom::Current)];

fn key_for<T: Copy + PartialEq>(options: &[(&'static str, T)], value: T) -> &'static str {
    options
        .iter()
        .find(|(_, v)| *v == value)
        .map(|(k, _)| *k)
        .unwrap_or_default()
}

fn encode_request(w: &mut Writer, k: &str, r: &RequestSpec, base: &RequestSpec) {
    if r.method != base.method || r.url != base.url {
        w.put(k, format!("{} {}", r.method, r.url));
    }
    let (via, mode, cred) = client_keys(&r.client);
    let (bvia, bmode, bcred) = client_keys(&base.client);
    if via != bvia {
        w.put(format!("{k}.via"), via);
    }
    if let Some(m) = mode {
        // Switching `.via` to fetch starts from mode `cors`.
        let implied = if via != bvia { Some("cors") } else { bmode };
        if Some(m) != implied {
            w.put(format!("{k}.mode"), m);
        }
    }
    if let Some(c) = cred {
        let implied = if via != bvia {
            Some("same-origin")
        } else {
            bcred
        };
        if Some(c) != implied {
            w.put(format!("{k}.cred"), c);
        }
    }
    // fetch's redirect mode: `follow` (the default) is never written.
    if let Client::Fetch { redirect, .. } = r.client {
        if redirect != RedirectMode::Follow {
            w.put(format!("{k}.redirect"), redirect_key(redirect));
        }
    }
    w.diff(&format!("{k}.h"), &r.headers, &base.headers, |s| s.clone());
    w.diff(&format!("{k}.body"), &r.body, &base.body, |b| {
        body_key(*b).into()
    });
    w.diff(&format!("{k}.wait"), &r.delay_secs, &base.delay_secs, |n| {
        n.to_string()
    });
    w.diff(&format!("{k}.fields"), &r.fields, &base.fields, |s| {
        s.clone()
    });
    w.diff(&format!("{k}.enctype"), &r.enctype, &base.enctype, |e| {
        key_for(&ENCTYPES, *e).into()
    });
    w.diff(&format!("{k}.from"), &r.runs_from, &base.runs_from, |f| {
        key_for(&RUNS_FROM, *f).into()
    });
}

fn version_key(v: RailsVersion) -> &'static str {
    match v {
        RailsVersion::V6_1 => "6.1",
        RailsVersion::V7_0 => "7.0",
        RailsVersion::V7_1 => "7.1",
        RailsVersion::V8 => "8.0",
    }
}

fn defaults_key(v: LoadDefaults) -> &'static str {
    match v {
        LoadDefaults::None => "none",
        LoadDefaults::V6_0 => "6.0",
        LoadDefaults::V6_1 => "6.1",
        LoadDefaults::V7_0 => "7.0",
        LoadDefaults::V7_1 => "7.1",
        LoadDefaults::V8_0 => "8.0",
    }
}

fn mw_key(m: SessionMiddleware) -> &'static str {
    match m {
        SessionMiddleware::None => "none",
        SessionMiddleware::Documented => "documented",
        SessionMiddleware::WithoutOptions => "without-options",
        SessionMiddleware::BeforeStoreSet => "before-store-set",
        SessionMiddleware::WithoutCookies => "without-cookies",
    }
}

fn same_site_key(s: SameSiteOption) -> &'static str {
    match s {
        SameSiteOption::Unset => "unset",
        SameSiteOption::Lax => "lax",
        SameSiteOption::Strict => "strict",
        SameSiteOption::None => "none",
        SameSiteOption::Nil => "nil",
    }
}

fn store_key(s: StoreKind) -> &'static str {
    match s {
        StoreKind::NotCalled => "not-called",
        StoreKind::CookieStore => "cookie",
        StoreKind::Disabled => "disabled",
    }
}

fn domain_str(d: &DomainOption) -> String {
    match d {
        DomainOption::Unset => String::new(),
        DomainOption::Exact(s) => s.clone(),
        DomainOption::All { tld_length: None } => ":all".into(),
        DomainOption::All {
            tld_length: Some(n),
        } => format!(":all/{n}"),
        DomainOption::List(l) => l.join(","),
    }
}

fn opt_bool(b: &Option<bool>) -> String {
    match b {
        None => "unset".into(),
        Some(true) => "1".into(),
        Some(false) => "0".into(),
    }
}

fn headers_str(h: &HeadersOption) -> String {
    match h {
        HeadersOption::Unset => "unset".into(),
        HeadersOption::Any => ":any".into(),
        HeadersOption::List(l) => l.join(","),
    }
}

fn methods_str(m: &MethodsOption) -> String {
    match m {
        MethodsOption::Unset => "unset".into(),
        MethodsOption::Any => ":any".into(),
        MethodsOption::List(l) => l.join(","),
    }
}

fn encode_rails(w: &mut Writer, app: &RailsApp, d: &RailsApp) {
    w.diff("rails", &app.version, &d.version, |v| {
        version_key(*v).into()
    });
    w.diff("defaults", &app.load_defaults, &d.load_defaults, |v| {
        defaults_key(*v).into()
    });
    w.diff("env", &app.environment, &d.environment, |e| {
        match e {
            Environment::Development => "development",
            Environment::Production => "production",
        }
        .into()
    });
    w.diff("app", &app.app_name, &d.app_name, |s| s.clone());
    w.diff("api", &app.api_only, &d.api_only, bool_str);
    w.diff("mw", &app.session_middleware, &d.session_middleware, |m| {
        mw_key(*m).into()
    });
    w.diff("cors", &app.cors.enabled, &d.cors.enabled, bool_str);
    w.diff("cors.debug", &app.cors.debug, &d.cors.debug, bool_str);
    w.diff("cors.pos", &app.cors_position, &d.cors_position, |p| {
        match p {
            CorsPosition::First => "first",
            CorsPosition::AfterAnsweringMiddleware => "after",
        }
        .into()
    });
    if app.cors.allow.len() != d.cors.allow.len() {
        w.put("blocks", app.cors.allow.len().to_string());
    }
    for (i, b) in app.cors.allow.iter().enumerate() {
        let base = d.cors.allow.get(i).cloned().unwrap_or_default();
        let k = format!("b{}", i + 1);
        if b.origins != base.origins {
            for o in &b.origins {
                w.put(format!("{k}.origins"), o.clone());
            }
            if b.origins.is_empty() {
                w.put(format!("{k}.origins"), "");
            }
        }
        if b.resource_before_origins != base.resource_before_origins {
            w.put(
                format!("{k}.order"),
                block_order_str(b.resource_before_origins),
            );
        }
        if b.resources.len() != base.resources.len() {
            w.put(format!("{k}.resources"), b.resources.len().to_string());
        }
        for (j, r) in b.resources.iter().enumerate() {
            let rb = base.resources.get(j).cloned().unwrap_or_default();
            let k = format!("{k}.r{}", j + 1);
            w.diff(&format!("{k}.path"), &r.path, &rb.path, |s| s.clone());
            w.diff(
                &format!("{k}.headers"),
                &r.headers,
                &rb.headers,
                headers_str,
            );
            w.diff(
                &format!("{k}.methods"),
                &r.methods,
                &rb.methods,
                methods_str,
            );
            w.diff(
                &format!("{k}.cred"),
                &r.credentials,
                &rb.credentials,
                bool_str,
            );
            w.diff(&format!("{k}.expose"), &r.expose, &rb.expose, |l| {
                l.join(",")
            });
            w.diff(&format!("{k}.max_age"), &r.max_age, &rb.max_age, |m| {
                m.map(|n| n.to_string()).unwrap_or_else(|| "unset".into())
            });
            w.diff(&format!("{k}.vary"), &r.vary, &rb.vary, |v| {
                v.as_ref()
                    .map(|l| l.join(","))
                    .unwrap_or_else(|| "unset".into())
            });
            w.diff(
                &format!("{k}.if"),
                &r.if_condition,
                &rb.if_condition,
                bool_str,
            );
        }
    }
    let (s, sd) = (&app.session, &d.session);
    w.diff("s.store", &s.store, &sd.store, |k| store_key(*k).into());
    w.diff("s.key", &s.key, &sd.key, |k| {
        k.clone().unwrap_or_else(|| "unset".into())
    });
    w.diff("s.domain", &s.domain, &sd.domain, domain_str);
    w.diff("s.path", &s.path, &sd.path, |p| {
        p.clone().unwrap_or_default()
    });
    w.diff("s.same_site", &s.same_site, &sd.same_site, |v| {
        same_site_key(*v).into()
    });
    w.diff("s.secure", &s.secure, &sd.secure, opt_bool);
    w.diff("s.httponly", &s.httponly, &sd.httponly, opt_bool);
    w.diff("s.expire", &s.expire_after, &sd.expire_after, |e| {
        e.map(|n| n.to_string()).unwrap_or_default()
    });
    w.diff("ssl", &app.force_ssl, &d.force_ssl, bool_str);
    w.diff("assume_ssl", &app.assume_ssl, &d.assume_ssl, bool_str);
    w.diff("csrf", &app.csrf_protection, &d.csrf_protection, bool_str);
    w.diff("login", &app.login_path, &d.login_path, |s| s.clone());
}

fn encode_raw(w: &mut Writer, raw: &RawServer) {
    for (i, r) in raw.routes.iter().enumerate() {
        let k = format!("raw{}", i + 1);
        w.put(&k, format!("{} {}", r.method, r.path));
        w.put(format!("{k}.pre"), r.preflight.status.to_string());
        if !r.preflight.headers.is_empty() {
            w.put(format!("{k}.preh"), r.preflight.headers.clone());
        }
        w.put(format!("{k}.status"), r.response.status.to_string());
        if !r.response.headers.is_empty() {
            w.put(format!("{k}.h"), r.response.headers.clone());
        }
    }
}

// ---------------------------------------------------------------------------
// Decoding

struct Reader {
    notices: Vec<String>,
}

impl Reader {
    fn bad(&mut self, key: &str, value: &str, expected: &str) {
        self.notices
            .push(format!("`{key}={value}` was ignored: expected {expected}."));
    }

    fn bool(&mut self, key: &str, value: &str, slot: &mut bool) {
        match value {
            "1" | "true" | "yes" => *slot = true,
            "0" | "false" | "no" => *slot = false,
            _ => self.bad(key, value, "1 or 0"),
        }
    }

    fn opt_bool(&mut self, key: &str, value: &str, slot: &mut Option<bool>) {
        match value {
            "unset" | "" => *slot = None,
            "1" | "true" => *slot = Some(true),
            "0" | "false" => *slot = Some(false),
            _ => self.bad(key, value, "1, 0 or unset"),
        }
    }

    fn num<T: std::str::FromStr>(&mut self, key: &str, value: &str, max: u64) -> Option<T> {
        match value.parse::<u64>() {
            Ok(n) if n <= max => value.parse().ok(),
            _ => {
                self.bad(key, value, &format!("a whole number up to {max}"));
                None
            }
        }
    }

    fn pick<T: Copy>(&mut self, key: &str, value: &str, options: &[(&str, T)]) -> Option<T> {
        match options.iter().find(|(k, _)| *k == value) {
            Some((_, v)) => Some(*v),
            None => {
                let names: Vec<&str> = options.iter().map(|(k, _)| *k).collect();
                self.bad(key, value, &format!("one of {}", names.join(", ")));
                None
            }
        }
    }
}

/// Limits that keep a hand-edited link from building a huge scenario.
const MAX_ITEMS: usize = 20;

/// Parses `rN` / `bN` / `rawN` style keys: (index from 0, rest after the number).
fn indexed<'a>(key: &'a str, prefix: &str) -> Option<(usize, &'a str)> {
    let rest = key.strip_prefix(prefix)?;
    let digits = rest.bytes().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 {
        return None;
    }
    let n: usize = rest[..digits].parse().ok()?;
    if n == 0 {
        return None;
    }
    Some((n - 1, &rest[digits..]))
}

fn grow<T: Clone>(list: &mut Vec<T>, index: usize, fill: impl Fn(usize) -> T) {
    while list.len() <= index {
        let i = list.len();
        list.push(fill(i));
    }
}

/// Reads a query string (with or without a leading `?`, or a whole URL).
pub fn decode(input: &str) -> Decoded {
    let query = match input.find('?') {
        Some(i) => &input[i + 1..],
        None => input,
    };
    let query = query.split('#').next().unwrap_or("");
    let d = Scenario::default();
    let mut s = Scenario::default();
    let mut view = View::default();
    let mut r = Reader {
        notices: Vec::new(),
    };
    let mut request_count: Option<usize> = None;
    let mut block_count: Option<usize> = None;
    let mut origins_seen: Vec<usize> = Vec::new();
    let mut raw_routes: Vec<RawRoute> = Vec::new();
    let mut server_kind: Option<&str> = None;
    let mut rails = match &d.server {
        ServerSetup::Rails(a) => a.clone(),
        ServerSetup::Raw(_) => RailsApp::default(),
    };
    let default_rails = rails.clone();

    for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
        let (key, value) = (key.as_ref(), value.as_ref());
        match key {
            "" => {}
            "v" => {
                if value != VERSION {
                    r.notices.push(format!(
                        "This link says format version {value}; this Crumbtrail reads version {VERSION}, so some settings may be read differently."
                    ));
                }
            }
            "page" => s.page.url = value.to_string(),
            "top" => s.page.top_level_url = (!value.is_empty()).then(|| value.to_string()),
            "browser" => match ProfileId::from_key(value) {
                Some(p) => s.profile = p,
                None => r.bad(key, value, "chrome, chrome-no3pc, firefox or safari"),
            },
            "embed" => r.bool(key, value, &mut view.embed),
            "settings" => r.bool(key, value, &mut view.show_settings),
            "requests" => request_count = r.num(key, value, MAX_ITEMS as u64),
            "server" => match value {
                "rails" | "raw" => {
                    server_kind = Some(if value == "rails" { "rails" } else { "raw" })
                }
                _ => r.bad(key, value, "rails or raw"),
            },
            "blocks" => block_count = r.num(key, value, MAX_ITEMS as u64),
            _ => {
                if let Some((i, rest)) = indexed(key, "raw") {
                    if i >= MAX_ITEMS {
                        r.bad(key, value, &format!("at most {MAX_ITEMS} routes"));
                        continue;
                    }
                    grow(&mut raw_routes, i, |_| RawRoute {
                        method: "*".into(),
                        path: "*".into(),
                        preflight: RawResponse {
                            status: 204,
                            headers: String::new(),
                        },
                        response: RawResponse {
                            status: 200,
                            headers: String::new(),
                        },
                    });
                    decode_raw(&mut r, key, rest, value, &mut raw_routes[i]);
                } else if let Some((i, rest)) = indexed(key, "r") {
                    if i >= MAX_ITEMS {
                        r.bad(key, value, &format!("at most {MAX_ITEMS} requests"));
                        continue;
                    }
                    grow(&mut s.requests, i, |j| {
                        d.requests.get(j).cloned().unwrap_or_default()
                    });
                    decode_request(&mut r, key, rest, value, &mut s.requests[i]);
                } else if let Some((i, rest)) = indexed(key, "b") {
                    if i >= MAX_ITEMS {
                        r.bad(key, value, &format!("at most {MAX_ITEMS} allow blocks"));
                        continue;
                    }
                    grow(&mut rails.cors.allow, i, |j| {
                        default_rails.cors.allow.get(j).cloned().unwrap_or_default()
                    });
                    let block = &mut rails.cors.allow[i];
                    if rest == ".origins" {
                        if !origins_seen.contains(&i) {
                            origins_seen.push(i);
                            block.origins.clear();
                        }
                        if !value.is_empty() {
                            block.origins.push(value.to_string());
                        }
                    } else if rest == ".order" {
                        if let Some(v) = r.pick(key, value, &BLOCK_ORDERS) {
                            block.resource_before_origins = v;
                        }
                    } else if rest == ".resources" {
                        if let Some(n) = r.num::<usize>(key, value, MAX_ITEMS as u64) {
                            block.resources.resize(n, CorsResource::default());
                        }
                    } else if let Some((j, field)) = indexed(rest, ".r") {
                        if j >= MAX_ITEMS {
                            r.bad(key, value, &format!("at most {MAX_ITEMS} resources"));
                            continue;
                        }
                        grow(&mut block.resources, j, |_| CorsResource::default());
                        decode_resource(&mut r, key, field, value, &mut block.resources[j]);
                    } else {
                        r.notices.push(format!("Unknown key `{key}` was ignored."));
                    }
                } else if !decode_rails_key(&mut r, key, value, &mut rails) {
                    r.notices.push(format!("Unknown key `{key}` was ignored."));
                }
            }
        }
    }

    if let Some(n) = request_count {
        s.requests.truncate(n);
        grow_to(&mut s.requests, n, |j| {
            d.requests.get(j).cloned().unwrap_or_default()
        });
    }
    if let Some(n) = block_count {
        rails.cors.allow.truncate(n);
        grow_to(&mut rails.cors.allow, n, |_| AllowBlock::default());
    }
    s.server = match server_kind {
        Some("raw") => ServerSetup::Raw(RawServer { routes: raw_routes }),
        _ => {
            if !raw_routes.is_empty() {
                r.notices
                    .push("`rawN` keys were ignored: add `server=raw` to use raw headers.".into());
            }
            ServerSetup::Rails(rails)
        }
    };
    Decoded {
        scenario: s,
        view,
        notices: r.notices,
    }
}

/// `bN.order`: whether `origins` or the `resource` lines come first in the
/// block (rack-cors' DSL is order-sensitive).
const BLOCK_ORDERS: [(&str, bool); 2] = [("origins-first", false), ("resource-first", true)];

fn block_order_str(resource_first: bool) -> String {
    let (name, _) = BLOCK_ORDERS[usize::from(resource_first)];
    name.into()
}

fn grow_to<T: Clone>(list: &mut Vec<T>, n: usize, fill: impl Fn(usize) -> T) {
    while list.len() < n {
        let i = list.len();
        list.push(fill(i));
    }
}

fn decode_request(r: &mut Reader, key: &str, field: &str, value: &str, req: &mut RequestSpec) {
    match field {
        "" => match value.trim().split_once(' ') {
            Some((method, url)) => {
                req.method = method.to_string();
                req.url = url.trim().to_string();
            }
            None => r.bad(
                key,
                value,
                "a method and a URL, e.g. `GET http://localhost:3001/me`",
            ),
        },
        ".via" => {
            let cred = req.client.credentials_mode();
            let via = r.pick(
                key,
                value,
                &[
                    ("fetch", 0),
                    ("xhr", 1),
                    ("axios", 2),
                    ("link", 3),
                    ("form", 4),
                    ("iframe", 5),
                    ("visit", 6),
                    ("form-get", 7),
                ],
            );
            let include = cred == CredentialsMode::Include;
            req.client = match via {
                Some(0) => Client::Fetch {
                    mode: RequestMode::Cors,
                    credentials: CredentialsMode::SameOrigin,
                    redirect: RedirectMode::Follow,
                },
                Some(1) => Client::Xhr {
                    with_credentials: include,
                },
                Some(2) => Client::Axios {
                    with_credentials: include,
                },
                Some(3) => Client::Navigation {
                    form: NavigationForm::Link,
                },
                Some(4) => Client::Navigation {
                    form: NavigationForm::FormPost,
                },
                Some(5) => Client::Iframe,
                Some(6) => Client::Visit,
                Some(7) => Client::Navigation {
                    form: NavigationForm::FormGet,
                },
                _ => req.client,
            };
        }
        ".mode" => {
            let mode = r.pick(
                key,
                value,
                &[
                    ("cors", RequestMode::Cors),
                    ("no-cors", RequestMode::NoCors),
                    ("same-origin", RequestMode::SameOrigin),
                ],
            );
            match (&mut req.client, mode) {
                (Client::Fetch { mode: m, .. }, Some(v)) => *m = v,
                (_, Some(_)) => r.bad(key, value, "a mode only for fetch (set .via=fetch first)"),
                _ => {}
            }
        }
        ".cred" => {
            let cred = r.pick(
                key,
                value,
                &[
                    ("include", CredentialsMode::Include),
                    ("same-origin", CredentialsMode::SameOrigin),
                    ("omit", CredentialsMode::Omit),
                ],
            );
            match (&mut req.client, cred) {
                (Client::Fetch { credentials, .. }, Some(c)) => *credentials = c,
                (
                    Client::Xhr { with_credentials } | Client::Axios { with_credentials },
                    Some(c),
                ) => *with_credentials = c == CredentialsMode::Include,
                (_, Some(_)) => r.bad(
                    key,
                    value,
                    "no credentials setting for navigations and iframes",
                ),
                _ => {}
            }
        }
        ".redirect" => {
            let mode = r.pick(
                key,
                value,
                &[
                    ("follow", RedirectMode::Follow),
                    ("error", RedirectMode::Error),
                    ("manual", RedirectMode::Manual),
                ],
            );
            match (&mut req.client, mode) {
                (Client::Fetch { redirect, .. }, Some(v)) => *redirect = v,
                (_, Some(_)) => r.bad(
                    key,
                    value,
                    "a redirect mode only for fetch (set .via=fetch first)",
                ),
                _ => {}
            }
        }
        ".h" => req.headers = value.to_string(),
        ".body" => {
            if let Some(b) = r.pick(
                key,
                value,
                &[
                    ("none", BodyKind::None),
                    ("json", BodyKind::Json),
                    ("text", BodyKind::Text),
                    ("urlencoded", BodyKind::UrlEncoded),
                    ("formdata", BodyKind::FormData),
                    ("stream", BodyKind::Stream),
                ],
            ) {
                req.body = b;
            }
        }
        ".wait" => {
            if let Some(n) = r.num(key, value, 10 * 366 * 86_400) {
                req.delay_secs = n;
            }
        }
        ".fields" => req.fields = value.to_string(),
        ".enctype" => req.enctype = r.pick(key, value, &ENCTYPES).unwrap_or(req.enctype),
        ".from" => req.runs_from = r.pick(key, value, &RUNS_FROM).unwrap_or(req.runs_from),
        _ => r.notices.push(format!("Unknown key `{key}` was ignored.")),
    }
}

fn decode_raw(r: &mut Reader, key: &str, field: &str, value: &str, route: &mut RawRoute) {
    match field {
        "" => match value.trim().split_once(' ') {
            Some((m, p)) => {
                route.method = m.to_string();
                route.path = p.trim().to_string();
            }
            None => r.bad(key, value, "a method (or *) and a path, e.g. `POST /login`"),
        },
        ".pre" => {
            if let Some(n) = r.num(key, value, 599) {
                route.preflight.status = n;
            }
        }
        ".preh" => route.preflight.headers = value.to_string(),
        ".status" => {
            if let Some(n) = r.num(key, value, 599) {
                route.response.status = n;
            }
        }
        ".h" => route.response.headers = value.to_string(),
        _ => r.notices.push(format!("Unknown key `{key}` was ignored.")),
    }
}

fn list(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

fn decode_resource(r: &mut Reader, key: &str, field: &str, value: &str, res: &mut CorsResource) {
    match field {
        ".path" => res.path = value.to_string(),
        ".headers" => {
            res.headers = match value {
                "unset" | "" => HeadersOption::Unset,
                ":any" | "any" => HeadersOption::Any,
                _ => HeadersOption::List(list(value)),
            }
        }
        ".methods" => {
            res.methods = match value {
                "unset" | "" => MethodsOption::Unset,
                ":any" | "any" => MethodsOption::Any,
                _ => MethodsOption::List(
                    list(value)
                        .into_iter()
                        .map(|m| m.trim_start_matches(':').to_string())
                        .collect(),
                ),
            }
        }
        ".cred" => r.bool(key, value, &mut res.credentials),
        ".expose" => res.expose = list(value),
        ".max_age" => {
            res.max_age = if value == "unset" {
                None
            } else {
                r.num(key, value, u32::MAX as u64)
            }
        }
        ".vary" => {
            res.vary = if value == "unset" {
                None
            } else {
                Some(list(value))
            }
        }
        ".if" => r.bool(key, value, &mut res.if_condition),
        _ => r.notices.push(format!("Unknown key `{key}` was ignored.")),
    }
}

/// Scalar Rails keys. Returns false for an unknown key.
fn decode_rails_key(r: &mut Reader, key: &str, value: &str, app: &mut RailsApp) -> bool {
    match key {
        "rails" => {
            if let Some(v) = r.pick(
                key,
                value,
                &[
                    ("6.1", RailsVersion::V6_1),
                    ("7.0", RailsVersion::V7_0),
                    ("7.1", RailsVersion::V7_1),
                    ("8.0", RailsVersion::V8),
                ],
            ) {
                app.version = v;
            }
        }
        "defaults" => {
            if let Some(v) = r.pick(
                key,
                value,
                &[
                    ("none", LoadDefaults::None),
                    ("6.0", LoadDefaults::V6_0),
                    ("6.1", LoadDefaults::V6_1),
                    ("7.0", LoadDefaults::V7_0),
                    ("7.1", LoadDefaults::V7_1),
                    ("8.0", LoadDefaults::V8_0),
                ],
            ) {
                app.load_defaults = v;
            }
        }
        "env" => {
            if let Some(v) = r.pick(
                key,
                value,
                &[
                    ("development", Environment::Development),
                    ("production", Environment::Production),
                ],
            ) {
                app.environment = v;
            }
        }
        "app" => app.app_name = value.to_string(),
        "api" => r.bool(key, value, &mut app.api_only),
        "mw" => {
            if let Some(v) = r.pick(
                key,
                value,
                &[
                    ("none", SessionMiddleware::None),
                    ("documented", SessionMiddleware::Documented),
                    ("without-options", SessionMiddleware::WithoutOptions),
                    ("before-store-set", SessionMiddleware::BeforeStoreSet),
                    ("without-cookies", SessionMiddleware::WithoutCookies),
                ],
            ) {
                app.session_middleware = v;
            }
        }
        "cors" => r.bool(key, value, &mut app.cors.enabled),
        "cors.debug" => r.bool(key, value, &mut app.cors.debug),
        "cors.pos" => {
            if let Some(v) = r.pick(
                key,
                value,
                &[
                    ("first", CorsPosition::First),
                    ("after", CorsPosition::AfterAnsweringMiddleware),
                ],
            ) {
                app.cors_position = v;
            }
        }
        "s.store" => {
            if let Some(v) = r.pick(
                key,
                value,
                &[
                    ("cookie", StoreKind::CookieStore),
                    ("disabled", StoreKind::Disabled),
                    ("not-called", StoreKind::NotCalled),
                ],
            ) {
                app.session.store = v;
            }
        }
        "s.key" => app.session.key = (value != "unset").then(|| value.to_string()),
        "s.domain" => {
            app.session.domain = if value.is_empty() || value == "unset" {
                DomainOption::Unset
            } else if value == ":all" || value == "all" {
                DomainOption::All { tld_length: None }
            } else if let Some(n) = value.strip_prefix(":all/") {
                match n.parse::<u8>() {
                    Ok(n) if (1..=10).contains(&n) => DomainOption::All {
                        tld_length: Some(n),
                    },
                    _ => {
                        r.bad(key, value, ":all/N with N from 1 to 10");
                        return true;
                    }
                }
            } else if value.contains(',') {
                DomainOption::List(list(value))
            } else {
                DomainOption::Exact(value.to_string())
            }
        }
        "s.path" => app.session.path = (!value.is_empty()).then(|| value.to_string()),
        "s.same_site" => {
            if let Some(v) = r.pick(
                key,
                value,
                &[
                    ("unset", SameSiteOption::Unset),
                    ("lax", SameSiteOption::Lax),
                    ("strict", SameSiteOption::Strict),
                    ("none", SameSiteOption::None),
                    ("nil", SameSiteOption::Nil),
                ],
            ) {
                app.session.same_site = v;
            }
        }
        "s.secure" => r.opt_bool(key, value, &mut app.session.secure),
        "s.httponly" => r.opt_bool(key, value, &mut app.session.httponly),
        "s.expire" => {
            app.session.expire_after = if value.is_empty() {
                None
            } else {
                r.num(key, value, 400 * 86_400)
            }
        }
        "ssl" => r.bool(key, value, &mut app.force_ssl),
        "assume_ssl" => r.bool(key, value, &mut app.assume_ssl),
        "csrf" => r.bool(key, value, &mut app.csrf_protection),
        "login" => app.login_path = value.to_string(),
        _ => return false,
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_scenario_is_just_the_version() {
        assert_eq!(encode(&Scenario::default(), &View::default()), "v=1");
        let back = decode("?v=1");
        assert_eq!(back.scenario, Scenario::default());
        assert!(back.notices.is_empty());
    }

    #[test]
    fn refined_article_setup_is_short_and_round_trips() {
        let mut s = Scenario::default();
        if let ServerSetup::Rails(app) = &mut s.server {
            app.cors.allow[0].origins = vec![
                "http://localhost:3000".into(),
                "https://your-frontend-domain.com".into(),
            ];
            app.cors.allow[0].resources[0].credentials = true;
        }
        let q = encode(&s, &View::default());
        assert_eq!(
            q,
            "v=1&b1.origins=http://localhost:3000&b1.origins=https://your-frontend-domain.com&b1.r1.cred=1"
        );
        assert!(q.len() < 150, "{} chars", q.len());
        assert_eq!(decode(&q).scenario, s);
    }

    #[test]
    fn requests_and_raw_routes_round_trip() {
        let mut s = Scenario {
            profile: ProfileId::Safari,
            ..Scenario::default()
        };
        s.page.top_level_url = Some("https://blog.example/post".into());
        s.requests[0].client = Client::Axios {
            with_credentials: true,
        };
        s.requests[1].client = Client::Fetch {
            mode: RequestMode::NoCors,
            credentials: CredentialsMode::Omit,
            redirect: RedirectMode::Follow,
        };
        s.requests[1].headers = "X-Token: a&b=c #1\nAccept: */*".into();
        s.requests.push(RequestSpec {
            url: "/x".into(),
            method: "patch".into(),
            client: Client::Navigation {
                form: NavigationForm::FormPost,
            },
            delay_secs: 130,
            ..RequestSpec::default()
        });
        s.server = ServerSetup::Raw(RawServer {
            routes: vec![RawRoute {
                method: "*".into(),
                path: "/api/*".into(),
                preflight: RawResponse {
                    status: 204,
                    headers: "Access-Control-Allow-Origin: *".into(),
                },
                response: RawResponse {
                    status: 200,
                    headers: "Set-Cookie: a=b; SameSite=None; Secure".into(),
                },
            }],
        });
        let view = View {
            embed: true,
            show_settings: true,
        };
        let q = encode(&s, &view);
        let back = decode(&q);
        assert!(back.notices.is_empty(), "{:?}", back.notices);
        assert_eq!(back.scenario, s, "{q}");
        assert_eq!(back.view, view);
    }

    #[test]
    fn redirect_mode_round_trips_and_follow_is_omitted() {
        let d = decode("v=1&r1.redirect=manual");
        assert!(matches!(
            d.scenario.requests[0].client,
            Client::Fetch {
                redirect: RedirectMode::Manual,
                ..
            }
        ));
        let link = encode(&d.scenario, &d.view);
        assert!(link.contains("r1.redirect=manual"), "{link}");
        assert_eq!(decode(&link).scenario, d.scenario);
        let plain = decode("v=1");
        assert!(!encode(&plain.scenario, &plain.view).contains("redirect"));
        // Only fetch has a redirect option.
        let bad = decode("v=1&r1.via=xhr&r1.redirect=error");
        assert_eq!(bad.notices.len(), 1, "{:?}", bad.notices);
        assert_eq!(
            bad.scenario.requests[0].client.redirect_mode(),
            RedirectMode::Follow
        );
    }

    #[test]
    fn garbage_is_reported_and_the_rest_kept() {
        let back = decode("v=1&browser=netscape&r2.cred=maybe&zzz=1&page=http://a.test/&r99999999999999999999=x&s.domain=:all/0");
        assert_eq!(back.scenario.page.url, "http://a.test/");
        assert_eq!(back.notices.len(), 5, "{:?}", back.notices);
        assert!(back.notices[0].contains("browser=netscape"));
        assert!(back.notices.iter().any(|n| n.contains("zzz")));
    }

    #[test]
    fn never_panics_on_odd_input() {
        for q in [
            "",
            "?",
            "&&&",
            "=",
            "r0=x",
            "r1",
            "b1.r0.path=x",
            "%ZZ",
            "r1=GET",
            "raw1.pre=70000",
            "blocks=999",
            "requests=-1",
            "b1.r1.max_age=99999999999999999999",
        ] {
            let _ = decode(q);
        }
    }

    #[test]
    fn block_order_round_trips() {
        let mut app = RailsApp::default();
        app.cors.allow[0].resource_before_origins = true;
        let s = Scenario {
            server: ServerSetup::Rails(app),
            ..Scenario::default()
        };
        let q = encode(&s, &View::default());
        assert!(q.contains("b1.order=resource-first"), "{q}");
        let back = decode(&q);
        assert!(back.notices.is_empty(), "{:?}", back.notices);
        assert_eq!(back.scenario, s);
        let bad = decode("v=1&b1.order=sideways");
        assert_eq!(bad.notices.len(), 1, "{:?}", bad.notices);
    }
}
