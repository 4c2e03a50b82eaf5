//! The Express app's permalink keys (README, "Express server"): `express`
//! (the version) and `x.*`.

use super::{
    CallbackRefusal, CorsMount, ExpressApp, ExpressVersion, Front, OptionsPath, OriginOption,
    ResCookie, SameSiteOption, SecureOption, SessionKind,
};
use crate::permalink::{bool_str, list_str, literal, Reader, Writer};
use crate::scenario::ServerSetup;
use crate::server::rails::list_items;
use crate::server::stack::{ServerKind, StackKeys};

const VERSIONS: [(&str, ExpressVersion); 2] =
    [("4", ExpressVersion::V4), ("5", ExpressVersion::V5)];
const MOUNTS: [(&str, CorsMount); 3] = [
    ("app", CorsMount::AppWide),
    ("route", CorsMount::PerRoute),
    ("after", CorsMount::AfterRoutes),
];
const OPTIONS: [(&str, OptionsPath); 4] = [
    ("none", OptionsPath::None),
    ("star", OptionsPath::Star),
    ("splat", OptionsPath::Splat),
    ("routes", OptionsPath::Routes),
];
const REFUSALS: [(&str, CallbackRefusal); 2] = [
    ("false", CallbackRefusal::False),
    ("error", CallbackRefusal::Error),
];
const FRONTS: [(&str, Front); 3] = [
    ("direct", Front::Direct),
    ("tls", Front::TlsProxy),
    ("tls-no-header", Front::TlsProxyNoHeader),
];
const SESSIONS: [(&str, SessionKind); 3] = [
    ("express-session", SessionKind::ExpressSession),
    ("cookie-session", SessionKind::CookieSession),
    ("none", SessionKind::None),
];
const SECURES: [(&str, SecureOption); 4] = [
    ("unset", SecureOption::Unset),
    ("true", SecureOption::True),
    ("false", SecureOption::False),
    ("auto", SecureOption::Auto),
];
const SAME_SITES: [(&str, SameSiteOption); 5] = [
    ("unset", SameSiteOption::Unset),
    ("lax", SameSiteOption::Lax),
    ("strict", SameSiteOption::Strict),
    ("none", SameSiteOption::None),
    ("true", SameSiteOption::True),
];

/// `x.origin` values that are keywords, not an exact origin.
fn origin_keyword(v: &str) -> bool {
    matches!(v.trim(), "*" | "true" | "false")
}

fn opt_list(l: &Option<Vec<String>>) -> String {
    match l {
        None => "unset".into(),
        Some(l) => list_str(l, |t| t.trim() == "unset"),
    }
}

fn opt_text(o: &Option<String>) -> String {
    o.clone().unwrap_or_default()
}

pub(crate) fn encode_express(w: &mut Writer, app: &ExpressApp) {
    let d = ExpressApp::default();
    w.put("server", "express");
    w.pick("express", &app.version, &d.version, &VERSIONS);
    let (c, cd) = (&app.cors, &d.cors);
    w.diff("x.cors", &c.enabled, &cd.enabled, bool_str);
    w.pick("x.mount", &c.mount, &cd.mount, &MOUNTS);
    w.pick("x.options", &c.options_path, &cd.options_path, &OPTIONS);
    if c.origin != cd.origin {
        match &c.origin {
            OriginOption::Any => w.put("x.origin", "*"),
            OriginOption::Reflect => w.put("x.origin", "true"),
            OriginOption::Off => w.put("x.origin", "false"),
            OriginOption::Exact(s) => w.put("x.origin", literal(s, origin_keyword)),
            OriginOption::List(l) | OriginOption::Callback { allow: l, .. } => {
                if let OriginOption::Callback { refuse, .. } = &c.origin {
                    w.put(
                        "x.cb",
                        if *refuse == CallbackRefusal::Error {
                            "error"
                        } else {
                            "false"
                        },
                    );
                }
                if l.is_empty() {
                    w.put("x.origins", "");
                }
                for o in l {
                    w.put("x.origins", o.clone());
                }
            }
        }
    }
    w.diff("x.cred", &c.credentials, &cd.credentials, bool_str);
    w.diff("x.methods", &c.methods, &cd.methods, opt_list);
    w.diff(
        "x.headers",
        &c.allowed_headers,
        &cd.allowed_headers,
        opt_list,
    );
    w.diff("x.expose", &c.exposed_headers, &cd.exposed_headers, |l| {
        list_str(l, |_| false)
    });
    w.diff("x.max_age", &c.max_age, &cd.max_age, |m| {
        m.map(|n| n.to_string()).unwrap_or_else(|| "unset".into())
    });
    w.diff(
        "x.continue",
        &c.preflight_continue,
        &cd.preflight_continue,
        bool_str,
    );
    w.diff(
        "x.status",
        &c.options_success_status,
        &cd.options_success_status,
        u16::to_string,
    );
    w.diff("x.trust", &app.trust_proxy, &d.trust_proxy, bool_str);
    w.pick("x.front", &app.front, &d.front, &FRONTS);
    w.diff("x.login", &app.login_path, &d.login_path, String::clone);
    w.diff("x.me", &app.me_path, &d.me_path, String::clone);
    let (s, sd) = (&app.session, &d.session);
    w.pick("x.s", &s.kind, &sd.kind, &SESSIONS);
    w.diff("x.s.name", &s.name, &sd.name, opt_text);
    w.pick("x.s.secure", &s.secure, &sd.secure, &SECURES);
    w.pick("x.s.same_site", &s.same_site, &sd.same_site, &SAME_SITES);
    w.diff("x.s.domain", &s.domain, &sd.domain, opt_text);
    w.diff("x.s.path", &s.path, &sd.path, opt_text);
    w.diff("x.s.httponly", &s.http_only, &sd.http_only, bool_str);
    w.diff("x.s.max_age", &s.max_age_ms, &sd.max_age_ms, |m| {
        m.map(|n| n.to_string()).unwrap_or_default()
    });
    w.diff("x.s.partitioned", &s.partitioned, &sd.partitioned, bool_str);
    w.diff("x.s.proxy", &s.proxy, &sd.proxy, crate::permalink::opt_bool);
    w.diff(
        "x.s.save_uninitialized",
        &s.save_uninitialized,
        &sd.save_uninitialized,
        bool_str,
    );
    w.diff("x.s.resave", &s.resave, &sd.resave, bool_str);
    w.diff("x.s.rolling", &s.rolling, &sd.rolling, bool_str);
    if let Some(rc) = &app.res_cookie {
        let rd = ResCookie::default();
        w.put("x.c", format!("{}={}", rc.name, rc.value));
        w.diff("x.c.secure", &rc.secure, &rd.secure, bool_str);
        w.pick("x.c.same_site", &rc.same_site, &rd.same_site, &SAME_SITES);
        w.diff("x.c.domain", &rc.domain, &rd.domain, opt_text);
        w.diff("x.c.path", &rc.path, &rd.path, opt_text);
        w.diff("x.c.httponly", &rc.http_only, &rd.http_only, bool_str);
        w.diff("x.c.max_age", &rc.max_age_ms, &rd.max_age_ms, |m| {
            m.map(|n| n.to_string()).unwrap_or_default()
        });
        w.diff(
            "x.c.partitioned",
            &rc.partitioned,
            &rd.partitioned,
            bool_str,
        );
    }
}

/// Reads `express` and `x.*` keys.
#[derive(Default)]
pub struct ExpressKeys {
    app: ExpressApp,
    used: bool,
    origin: Option<OriginOption>,
    origins: Option<Vec<String>>,
    callback: Option<CallbackRefusal>,
    cookie: Vec<(String, String)>,
}

fn some_text(v: &str) -> Option<String> {
    (!v.is_empty()).then(|| v.to_string())
}

fn opt_list_of(v: &str) -> Option<Vec<String>> {
    (v.trim() != "unset").then(|| list_items(v))
}

impl ExpressKeys {
    fn read_cookie(r: &mut Reader, key: &str, value: &str, c: &mut ResCookie) -> bool {
        match key {
            "x.c" => match value.split_once('=') {
                Some((n, v)) if !n.trim().is_empty() => {
                    c.name = n.trim().to_string();
                    c.value = v.to_string();
                }
                _ => r.bad(key, value, "`name=value`"),
            },
            "x.c.secure" => r.bool(key, value, &mut c.secure),
            "x.c.same_site" => r.set(key, value, &SAME_SITES, &mut c.same_site),
            "x.c.domain" => c.domain = some_text(value),
            "x.c.path" => c.path = some_text(value),
            "x.c.httponly" => r.bool(key, value, &mut c.http_only),
            "x.c.max_age" => {
                c.max_age_ms = if value.is_empty() {
                    None
                } else {
                    r.num(key, value, 400 * 86_400_000)
                }
            }
            "x.c.partitioned" => r.bool(key, value, &mut c.partitioned),
            _ => return false,
        }
        true
    }
}

impl StackKeys for ExpressKeys {
    fn read(&mut self, r: &mut Reader, key: &str, value: &str) -> bool {
        if key != "express" && !key.starts_with("x.") {
            return false;
        }
        self.used = true;
        let app = &mut self.app;
        let (c, s) = (&mut app.cors, &mut app.session);
        match key {
            "express" => r.set(key, value, &VERSIONS, &mut app.version),
            "x.cors" => r.bool(key, value, &mut c.enabled),
            "x.mount" => r.set(key, value, &MOUNTS, &mut c.mount),
            "x.options" => r.set(key, value, &OPTIONS, &mut c.options_path),
            "x.origin" => {
                self.origin = Some(match crate::permalink::quoted(value) {
                    Some(q) => OriginOption::Exact(q.to_string()),
                    None => match value.trim() {
                        "*" => OriginOption::Any,
                        "true" => OriginOption::Reflect,
                        "false" => OriginOption::Off,
                        _ => OriginOption::Exact(value.to_string()),
                    },
                })
            }
            "x.origins" => {
                let l = self.origins.get_or_insert_with(Vec::new);
                if !value.is_empty() {
                    l.push(value.to_string());
                }
            }
            "x.cb" => {
                if let Some(v) = r.pick(key, value, &REFUSALS) {
                    self.callback = Some(v);
                }
            }
            "x.cred" => r.bool(key, value, &mut c.credentials),
            "x.methods" => c.methods = opt_list_of(value),
            "x.headers" => c.allowed_headers = opt_list_of(value),
            "x.expose" => c.exposed_headers = list_items(value),
            "x.max_age" => {
                c.max_age = if value == "unset" {
                    None
                } else {
                    r.num(key, value, u32::MAX as u64).or(c.max_age)
                }
            }
            "x.continue" => r.bool(key, value, &mut c.preflight_continue),
            "x.status" => match value.parse::<u16>() {
                Ok(n) if (200..=599).contains(&n) => c.options_success_status = n,
                _ => r.bad(key, value, "an HTTP status from 200 to 599"),
            },
            "x.trust" => r.bool(key, value, &mut app.trust_proxy),
            "x.front" => r.set(key, value, &FRONTS, &mut app.front),
            "x.login" => app.login_path = value.to_string(),
            "x.me" => app.me_path = value.to_string(),
            "x.s" => r.set(key, value, &SESSIONS, &mut s.kind),
            "x.s.name" => s.name = some_text(value),
            "x.s.secure" => r.set(key, value, &SECURES, &mut s.secure),
            "x.s.same_site" => r.set(key, value, &SAME_SITES, &mut s.same_site),
            "x.s.domain" => s.domain = some_text(value),
            "x.s.path" => s.path = some_text(value),
            "x.s.httponly" => r.bool(key, value, &mut s.http_only),
            "x.s.max_age" => {
                s.max_age_ms = if value.is_empty() {
                    None
                } else {
                    r.num(key, value, 400 * 86_400_000).or(s.max_age_ms)
                }
            }
            "x.s.partitioned" => r.bool(key, value, &mut s.partitioned),
            "x.s.proxy" => r.opt_bool(key, value, &mut s.proxy),
            "x.s.save_uninitialized" => r.bool(key, value, &mut s.save_uninitialized),
            "x.s.resave" => r.bool(key, value, &mut s.resave),
            "x.s.rolling" => r.bool(key, value, &mut s.rolling),
            _ if key.starts_with("x.c") => self.cookie.push((key.into(), value.into())),
            _ => r.unknown(key),
        }
        true
    }

    fn used(&self) -> bool {
        self.used
    }

    fn finish(mut self: Box<Self>, r: &mut Reader) -> ServerSetup {
        // `x.c` first, then its options, in any order.
        let cookie = std::mem::take(&mut self.cookie);
        if !cookie.is_empty() {
            let mut rc = ResCookie::default();
            let mut named = false;
            for (k, v) in &cookie {
                if k == "x.c" {
                    named = true;
                }
                if !ExpressKeys::read_cookie(r, k, v, &mut rc) {
                    r.unknown(k);
                }
            }
            if named {
                self.app.res_cookie = Some(rc);
            } else {
                r.notices
                    .push("`x.c.*` keys were ignored: `x.c=name=value` names the cookie.".into());
            }
        }
        let origins = self.origins.take();
        let origin = match (self.callback, origins, self.origin.take()) {
            (Some(refuse), list, _) => Some(OriginOption::Callback {
                allow: list.unwrap_or_default(),
                refuse,
            }),
            (None, Some(list), _) => Some(OriginOption::List(list)),
            (None, None, o) => o,
        };
        if let Some(o) = origin {
            self.app.cors.origin = o;
        }
        ServerSetup::Express(self.app)
    }

    fn ignored(&self, chosen: ServerKind) -> String {
        format!(
            "Express keys were ignored: the link says `server={}`.",
            chosen.key()
        )
    }
}
