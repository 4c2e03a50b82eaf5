//! The Rails app's permalink keys (README, "Rails server" and "Rails
//! routes"): scalar settings (`rails`, `defaults`, `s.*`, …), rack-cors
//! `allow` blocks (`blocks`, `bN.*`, `bN.rM.*`) and routes (`routeN.*`).

use crate::permalink::{
    apply_count, bool_str, domain_keyword, edit_item, grow_to, indexed, list_keyword, list_str,
    literal, opt_bool, quoted, Reader, Writer, MAX_EXPIRE, MAX_ITEMS,
};
use crate::scenario::ServerSetup;
use crate::server::rails::{
    list_items, method_items, AllowBlock, AppAction, AppRoute, CorsPosition, CorsResource,
    DomainOption, Environment, HeadersOption, LoadDefaults, MethodsOption, RailsApp, RailsVersion,
    SameSiteOption, SameSiteProtection, SessionMiddleware, StoreKind,
};
use crate::server::routes::ROUTE_METHODS;
use crate::server::stack::{ServerKind, StackKeys};

/// The permalink keys of each Rails setting's values; the settings form
/// lists the same keys.
pub const RAILS_VERSIONS: [(&str, RailsVersion); 4] = [
    ("6.1", RailsVersion::V6_1),
    ("7.0", RailsVersion::V7_0),
    ("7.1", RailsVersion::V7_1),
    ("8.0", RailsVersion::V8),
];
pub const LOAD_DEFAULTS: [(&str, LoadDefaults); 6] = [
    ("none", LoadDefaults::None),
    ("6.0", LoadDefaults::V6_0),
    ("6.1", LoadDefaults::V6_1),
    ("7.0", LoadDefaults::V7_0),
    ("7.1", LoadDefaults::V7_1),
    ("8.0", LoadDefaults::V8_0),
];
pub const ENVIRONMENTS: [(&str, Environment); 2] = [
    ("development", Environment::Development),
    ("production", Environment::Production),
];
pub const MIDDLEWARES: [(&str, SessionMiddleware); 5] = [
    ("none", SessionMiddleware::None),
    ("documented", SessionMiddleware::Documented),
    ("without-options", SessionMiddleware::WithoutOptions),
    ("before-store-set", SessionMiddleware::BeforeStoreSet),
    ("without-cookies", SessionMiddleware::WithoutCookies),
];
pub const POSITIONS: [(&str, CorsPosition); 3] = [
    ("first", CorsPosition::First),
    ("after", CorsPosition::AfterAnsweringMiddleware),
    ("last", CorsPosition::Last),
];
/// `same_site_protection`: `config.action_dispatch.cookies_same_site_protection`.
pub const PROTECTIONS: [(&str, SameSiteProtection); 5] = [
    ("default", SameSiteProtection::FromLoadDefaults),
    ("lax", SameSiteProtection::Lax),
    ("strict", SameSiteProtection::Strict),
    ("none", SameSiteProtection::None),
    ("nil", SameSiteProtection::Nil),
];
pub const STORES: [(&str, StoreKind); 3] = [
    ("cookie", StoreKind::CookieStore),
    ("disabled", StoreKind::Disabled),
    ("not-called", StoreKind::NotCalled),
];
pub const SAME_SITES: [(&str, SameSiteOption); 5] = [
    ("unset", SameSiteOption::Unset),
    ("lax", SameSiteOption::Lax),
    ("strict", SameSiteOption::Strict),
    ("none", SameSiteOption::None),
    ("nil", SameSiteOption::Nil),
];
/// `bN.order`: whether `origins` or the `resource` lines come first in the
/// block (rack-cors' DSL is order-sensitive).
const BLOCK_ORDERS: [(&str, bool); 2] = [("origins-first", false), ("resource-first", true)];
fn default_block(d: &RailsApp, i: usize) -> AllowBlock {
    d.cors.allow.get(i).cloned().unwrap_or_default()
}
fn headers_str(h: &HeadersOption) -> String {
    match h {
        HeadersOption::Unset => "unset".into(),
        HeadersOption::Any => ":any".into(),
        HeadersOption::List(l) => list_str(l, list_keyword),
    }
}

fn methods_str(m: &MethodsOption) -> String {
    match m {
        MethodsOption::Unset => "unset".into(),
        MethodsOption::Any => ":any".into(),
        MethodsOption::List(l) => list_str(l, list_keyword),
    }
}

fn domain_str(d: &DomainOption) -> String {
    match d {
        DomainOption::Unset => String::new(),
        DomainOption::Exact(s) => literal(s, domain_keyword),
        DomainOption::All { tld_length: None } => ":all".into(),
        DomainOption::All {
            tld_length: Some(n),
        } => format!(":all/{n}"),
        // A comma keeps the list form; a list that looks quoted gets one too.
        DomainOption::List(l) => list_str(l, |t| !t.contains(',') || quoted(t).is_some()),
    }
}

pub(crate) fn encode_rails(w: &mut Writer, app: &RailsApp, d: &RailsApp) {
    w.pick("rails", &app.version, &d.version, &RAILS_VERSIONS);
    w.pick(
        "defaults",
        &app.load_defaults,
        &d.load_defaults,
        &LOAD_DEFAULTS,
    );
    w.pick("env", &app.environment, &d.environment, &ENVIRONMENTS);
    w.diff("app", &app.app_name, &d.app_name, String::clone);
    w.diff("api", &app.api_only, &d.api_only, bool_str);
    w.pick(
        "mw",
        &app.session_middleware,
        &d.session_middleware,
        &MIDDLEWARES,
    );
    w.diff("cors", &app.cors.enabled, &d.cors.enabled, bool_str);
    w.diff("cors.debug", &app.cors.debug, &d.cors.debug, bool_str);
    w.pick("cors.pos", &app.cors_position, &d.cors_position, &POSITIONS);
    if app.cors.allow.len() != d.cors.allow.len() {
        w.put("blocks", app.cors.allow.len().to_string());
    }
    for (i, b) in app.cors.allow.iter().enumerate() {
        encode_block(w, &format!("b{}", i + 1), b, &default_block(d, i));
    }
    let (s, sd) = (&app.session, &d.session);
    w.pick("s.store", &s.store, &sd.store, &STORES);
    w.diff("s.key", &s.key, &sd.key, |k| match k {
        Some(k) => literal(k, |t| t.trim() == "unset"),
        None => "unset".into(),
    });
    w.diff("s.domain", &s.domain, &sd.domain, domain_str);
    w.diff("s.path", &s.path, &sd.path, |p| {
        p.clone().unwrap_or_default()
    });
    w.pick("s.same_site", &s.same_site, &sd.same_site, &SAME_SITES);
    w.diff("s.secure", &s.secure, &sd.secure, opt_bool);
    w.diff("s.httponly", &s.httponly, &sd.httponly, opt_bool);
    w.diff("s.expire", &s.expire_after, &sd.expire_after, |e| {
        e.map(|n| n.to_string()).unwrap_or_default()
    });
    w.diff("ssl", &app.force_ssl, &d.force_ssl, bool_str);
    w.diff("assume_ssl", &app.assume_ssl, &d.assume_ssl, bool_str);
    w.diff("csrf", &app.csrf_protection, &d.csrf_protection, bool_str);
    w.diff("login", &app.login_path, &d.login_path, String::clone);
    encode_app_settings(w, app, d);
    for (i, route) in app.routes.iter().enumerate() {
        encode_route(w, &format!("route{}", i + 1), route);
    }
}

/// `config.action_dispatch.*`, `ssl_options` and the controller's modules.
fn encode_app_settings(w: &mut Writer, app: &RailsApp, d: &RailsApp) {
    w.pick(
        "same_site_protection",
        &app.cookies_same_site_protection,
        &d.cookies_same_site_protection,
        &PROTECTIONS,
    );
    w.diff(
        "secure_cookies",
        &app.ssl_secure_cookies,
        &d.ssl_secure_cookies,
        bool_str,
    );
    w.diff(
        "always_write",
        &app.always_write_cookie,
        &d.always_write_cookie,
        opt_bool,
    );
    w.diff("tld_length", &app.tld_length, &d.tld_length, u8::to_string);
    w.diff(
        "controller_cookies",
        &app.controller_cookies,
        &d.controller_cookies,
        bool_str,
    );
}

/// `routeN=METHOD PATH ACTION` and the options that differ from a new route.
fn encode_route(w: &mut Writer, k: &str, r: &AppRoute) {
    let d = AppRoute::default();
    w.put(k, format!("{} {} {}", r.method, r.path, r.action.key()));
    w.diff(&format!("{k}.vary"), &r.vary, &d.vary, |v| match v {
        Some(v) => literal(v, |t| t.trim() == "unset"),
        None => "unset".into(),
    });
    let (c, cd) = (&r.cookie, &d.cookie);
    if (&c.name, &c.value) != (&cd.name, &cd.value) {
        w.put(format!("{k}.cookie"), format!("{}={}", c.name, c.value));
    }
    w.diff(&format!("{k}.domain"), &c.domain, &cd.domain, domain_str);
    w.diff(&format!("{k}.path"), &c.path, &cd.path, |p| {
        p.clone().unwrap_or_default()
    });
    w.pick(
        &format!("{k}.same_site"),
        &c.same_site,
        &cd.same_site,
        &SAME_SITES,
    );
    w.diff(&format!("{k}.secure"), &c.secure, &cd.secure, opt_bool);
    w.diff(
        &format!("{k}.httponly"),
        &c.httponly,
        &cd.httponly,
        opt_bool,
    );
    w.diff(&format!("{k}.expires"), &c.expires, &cd.expires, |e| {
        e.map(|n| n.to_string()).unwrap_or_default()
    });
}

fn encode_block(w: &mut Writer, k: &str, b: &AllowBlock, base: &AllowBlock) {
    if b.origins != base.origins {
        for o in &b.origins {
            w.put(format!("{k}.origins"), o.clone());
        }
        if b.origins.is_empty() {
            w.put(format!("{k}.origins"), "");
        }
    }
    w.pick(
        &format!("{k}.order"),
        &b.resource_before_origins,
        &base.resource_before_origins,
        &BLOCK_ORDERS,
    );
    if b.resources.len() != base.resources.len() {
        w.put(format!("{k}.resources"), b.resources.len().to_string());
    }
    for (j, r) in b.resources.iter().enumerate() {
        let rb = base.resources.get(j).cloned().unwrap_or_default();
        let k = format!("{k}.r{}", j + 1);
        w.diff(&format!("{k}.path"), &r.path, &rb.path, String::clone);
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
            list_str(l, |_| false)
        });
        w.diff(&format!("{k}.max_age"), &r.max_age, &rb.max_age, |m| {
            m.map_or_else(|| "unset".into(), |n| n.to_string())
        });
        w.diff(&format!("{k}.vary"), &r.vary, &rb.vary, |v| match v {
            Some(l) => list_str(l, |t| t.trim() == "unset"),
            None => "unset".into(),
        });
        w.diff(
            &format!("{k}.if"),
            &r.if_condition,
            &rb.if_condition,
            bool_str,
        );
    }
}

/// Reads the Rails keys of a link into the default app.
pub struct RailsKeys {
    default_rails: RailsApp,
    rails: RailsApp,
    /// A Rails key was read (ignored, with a notice, under another `server=`).
    used: bool,
    block_count: Option<usize>,
    resource_counts: Vec<Option<usize>>,
    origins_seen: Vec<usize>,
}

impl RailsKeys {
    pub fn new() -> Self {
        let default_rails = match crate::Scenario::default().server {
            ServerSetup::Rails(a) => a,
            _ => RailsApp::default(),
        };
        RailsKeys {
            rails: default_rails.clone(),
            default_rails,
            used: false,
            block_count: None,
            resource_counts: Vec::new(),
            origins_seen: Vec::new(),
        }
    }

    fn read_block(&mut self, r: &mut Reader, i: usize, key: &str, field: &str, value: &str) {
        if i >= MAX_ITEMS {
            let max = format!("at most {MAX_ITEMS} allow blocks");
            return r.bad(key, value, &max);
        }
        self.used = true;
        let RailsKeys {
            default_rails,
            rails,
            origins_seen,
            resource_counts,
            ..
        } = self;
        let blocks = &mut rails.cors.allow;
        let fill = |j| default_block(default_rails, j);
        match field {
            // The first `bN.origins` replaces the default list; more add to it.
            ".origins" => {
                edit_item(r, blocks, i, fill, |_, b| {
                    if !origins_seen.contains(&i) {
                        origins_seen.push(i);
                        b.origins.clear();
                    }
                    if !value.is_empty() {
                        b.origins.push(value.to_string());
                    }
                });
            }
            ".order" => {
                edit_item(r, blocks, i, fill, |r, b| {
                    r.set(key, value, &BLOCK_ORDERS, &mut b.resource_before_origins)
                });
            }
            ".resources" => {
                if let Some(n) = r.num::<usize>(key, value, MAX_ITEMS as u64) {
                    edit_item(r, blocks, i, fill, |_, _| {});
                    grow_to(resource_counts, i + 1, |_| None);
                    resource_counts[i] = Some(n);
                }
            }
            _ => match indexed(field, ".r") {
                Some((j, _)) if j >= MAX_ITEMS => {
                    r.bad(key, value, &format!("at most {MAX_ITEMS} resources"))
                }
                Some((j, rest)) => {
                    edit_item(r, blocks, i, fill, |r, b| {
                        edit_item(
                            r,
                            &mut b.resources,
                            j,
                            |_| CorsResource::default(),
                            |r, res| decode_resource(r, key, rest, value, res),
                        );
                    });
                }
                None => r.unknown(key),
            },
        }
    }

    fn read_route(&mut self, r: &mut Reader, i: usize, key: &str, field: &str, value: &str) {
        if i >= MAX_ITEMS {
            return r.bad(key, value, &format!("at most {MAX_ITEMS} routes"));
        }
        self.used = true;
        edit_item(
            r,
            &mut self.rails.routes,
            i,
            |_| AppRoute::default(),
            |r, route| decode_route(r, key, field, value, route),
        );
    }
}

impl Default for RailsKeys {
    fn default() -> Self {
        RailsKeys::new()
    }
}

impl StackKeys for RailsKeys {
    fn read(&mut self, r: &mut Reader, key: &str, value: &str) -> bool {
        if key == "blocks" {
            self.used = true;
            if let Some(n) = r.num(key, value, MAX_ITEMS as u64) {
                self.block_count = Some(n);
            }
        } else if let Some((i, field)) = indexed(key, "route") {
            self.read_route(r, i, key, field, value);
        } else if let Some((i, field)) = indexed(key, "b") {
            self.read_block(r, i, key, field, value);
        } else if decode_rails_key(r, key, value, &mut self.rails) {
            self.used = true;
        } else {
            return false;
        }
        true
    }

    fn used(&self) -> bool {
        self.used
    }

    fn finish(mut self: Box<Self>, r: &mut Reader) -> ServerSetup {
        let blocks = &mut self.rails.cors.allow;
        for (i, count) in self.resource_counts.iter().enumerate() {
            if let Some(b) = blocks.get_mut(i) {
                let key = format!("b{}.resources", i + 1);
                apply_count(r, &mut b.resources, *count, &key, |_| {
                    CorsResource::default()
                });
            }
        }
        let default_rails = &self.default_rails;
        apply_count(r, blocks, self.block_count, "blocks", |j| {
            default_block(default_rails, j)
        });
        ServerSetup::Rails(self.rails)
    }

    fn ignored(&self, chosen: ServerKind) -> String {
        format!(
            "Rails keys were ignored: the link says `server={}`.",
            chosen.key()
        )
    }
}

fn decode_resource(r: &mut Reader, key: &str, field: &str, value: &str, res: &mut CorsResource) {
    match field {
        ".path" => res.path = value.to_string(),
        ".headers" => {
            res.headers = match value.trim() {
                "unset" | "" => HeadersOption::Unset,
                ":any" | "any" => HeadersOption::Any,
                _ => HeadersOption::List(list_items(value)),
            }
        }
        ".methods" => {
            res.methods = match value.trim() {
                "unset" | "" => MethodsOption::Unset,
                ":any" | "any" => MethodsOption::Any,
                _ => MethodsOption::List(method_items(value)),
            }
        }
        ".cred" => r.bool(key, value, &mut res.credentials),
        ".expose" => res.expose = list_items(value),
        ".max_age" => {
            if value == "unset" {
                res.max_age = None;
            } else if let Some(n) = r.num(key, value, u32::MAX as u64) {
                res.max_age = Some(n);
            }
        }
        ".vary" => {
            res.vary = (value.trim() != "unset").then(|| list_items(value));
        }
        ".if" => r.bool(key, value, &mut res.if_condition),
        _ => r.unknown(key),
    }
}

/// `s.domain`: `'…'` is an exact domain as written; otherwise a keyword, a
/// comma list, or an exact domain.
fn read_domain(r: &mut Reader, key: &str, value: &str) -> Option<DomainOption> {
    if let Some(exact) = quoted(value) {
        return Some(DomainOption::Exact(exact.to_string()));
    }
    let t = value.trim();
    Some(match t {
        "" | "unset" => DomainOption::Unset,
        ":all" | "all" => DomainOption::All { tld_length: None },
        _ if value.contains(',') => DomainOption::List(list_items(value)),
        _ if t.starts_with(":all/") => match t[":all/".len()..].parse::<u8>() {
            Ok(n) if (1..=10).contains(&n) => DomainOption::All {
                tld_length: Some(n),
            },
            _ => {
                r.bad(key, value, ":all/N with N from 1 to 10");
                return None;
            }
        },
        _ => DomainOption::Exact(value.to_string()),
    })
}

/// `routeN` (`METHOD PATH ACTION`: the method first, the action last, the
/// path as typed in between) and its options.
fn decode_route(r: &mut Reader, key: &str, field: &str, value: &str, route: &mut AppRoute) {
    let c = &mut route.cookie;
    match field {
        "" => {
            let parts = value.trim().split_once(' ').and_then(|(m, rest)| {
                let (p, a) = rest.rsplit_once(' ')?;
                Some((m, p.trim(), AppAction::from_key(a)?))
            });
            match parts {
                Some((m, p, a)) if ROUTE_METHODS.iter().any(|x| x.eq_ignore_ascii_case(m)) => {
                    route.method = m.to_string();
                    route.path = p.to_string();
                    route.action = a;
                }
                _ => r.bad(
                    key,
                    value,
                    "`METHOD PATH ACTION` with METHOD one of GET, POST, PUT, PATCH, DELETE or *, and ACTION one of login, logout, me, set_cookie, raise",
                ),
            }
        }
        ".vary" => {
            route.vary = match quoted(value) {
                Some(v) => Some(v.to_string()),
                None => (value.trim() != "unset").then(|| value.to_string()),
            }
        }
        ".cookie" => match value.split_once('=') {
            Some((n, v)) if !n.trim().is_empty() => {
                c.name = n.trim().to_string();
                c.value = v.to_string();
            }
            _ => r.bad(key, value, "`name=value`"),
        },
        ".domain" => {
            if let Some(d) = read_domain(r, key, value) {
                c.domain = d;
            }
        }
        ".path" => c.path = (!value.is_empty()).then(|| value.to_string()),
        ".same_site" => r.set(key, value, &SAME_SITES, &mut c.same_site),
        ".secure" => r.opt_bool(key, value, &mut c.secure),
        ".httponly" => r.opt_bool(key, value, &mut c.httponly),
        ".expires" => {
            if value.is_empty() {
                c.expires = None;
            } else if let Some(n) = r.num(key, value, MAX_EXPIRE) {
                c.expires = Some(n);
            }
        }
        _ => r.unknown(key),
    }
}

/// Scalar Rails keys. Returns false for an unknown key.
fn decode_rails_key(r: &mut Reader, key: &str, value: &str, app: &mut RailsApp) -> bool {
    let session = &mut app.session;
    match key {
        "rails" => r.set(key, value, &RAILS_VERSIONS, &mut app.version),
        "defaults" => r.set(key, value, &LOAD_DEFAULTS, &mut app.load_defaults),
        "env" => r.set(key, value, &ENVIRONMENTS, &mut app.environment),
        "app" => app.app_name = value.to_string(),
        "api" => r.bool(key, value, &mut app.api_only),
        "mw" => r.set(key, value, &MIDDLEWARES, &mut app.session_middleware),
        "cors" => r.bool(key, value, &mut app.cors.enabled),
        "cors.debug" => r.bool(key, value, &mut app.cors.debug),
        "cors.pos" => r.set(key, value, &POSITIONS, &mut app.cors_position),
        "s.store" => r.set(key, value, &STORES, &mut session.store),
        // `'unset'` is the key named unset; `unset` is no key.
        "s.key" => {
            session.key = match quoted(value) {
                Some(k) => Some(k.to_string()),
                None => (value.trim() != "unset").then(|| value.to_string()),
            }
        }
        "s.domain" => {
            if let Some(d) = read_domain(r, key, value) {
                session.domain = d;
            }
        }
        "s.path" => session.path = (!value.is_empty()).then(|| value.to_string()),
        "s.same_site" => r.set(key, value, &SAME_SITES, &mut session.same_site),
        "s.secure" => r.opt_bool(key, value, &mut session.secure),
        "s.httponly" => r.opt_bool(key, value, &mut session.httponly),
        "s.expire" => {
            if value.is_empty() {
                session.expire_after = None;
            } else if let Some(n) = r.num(key, value, MAX_EXPIRE) {
                session.expire_after = Some(n);
            }
        }
        "ssl" => r.bool(key, value, &mut app.force_ssl),
        "assume_ssl" => r.bool(key, value, &mut app.assume_ssl),
        "csrf" => r.bool(key, value, &mut app.csrf_protection),
        "login" => app.login_path = value.to_string(),
        "same_site_protection" => r.set(
            key,
            value,
            &PROTECTIONS,
            &mut app.cookies_same_site_protection,
        ),
        "secure_cookies" => r.bool(key, value, &mut app.ssl_secure_cookies),
        "always_write" => r.opt_bool(key, value, &mut app.always_write_cookie),
        "tld_length" => match value.parse::<u8>() {
            Ok(n) if (1..=10).contains(&n) => app.tld_length = n,
            _ => r.bad(key, value, "a whole number from 1 to 10"),
        },
        "controller_cookies" => r.bool(key, value, &mut app.controller_cookies),
        _ => return false,
    }
    true
}
