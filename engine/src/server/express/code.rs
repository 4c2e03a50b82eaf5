//! The generated `app.js`: the Express app the settings describe, runnable
//! as is (`node app.js`, `PORT` from the environment). The differential
//! suite runs exactly this file against the real packages.

use super::{
    CallbackRefusal, CorsMount, ExpressApp, ExpressVersion, Front, OptionsPath, OriginOption,
    ResCookie, SameSiteOption, SecureOption, SessionKind,
};
use crate::explain::codegen::{js_str, Generated, LeftOut};

fn origin_item(o: &str) -> String {
    if super::cors::regexp_of(o).is_some() {
        o.to_string()
    } else {
        js_str(o)
    }
}

fn list(items: &[String], item: impl Fn(&str) -> String) -> String {
    let parts: Vec<String> = items.iter().map(|s| item(s)).collect();
    format!("[{}]", parts.join(", "))
}

fn same_site(s: SameSiteOption) -> Option<&'static str> {
    match s {
        SameSiteOption::Unset => None,
        SameSiteOption::Lax => Some("'lax'"),
        SameSiteOption::Strict => Some("'strict'"),
        SameSiteOption::None => Some("'none'"),
        SameSiteOption::True => Some("true"),
    }
}

fn cors_options(app: &ExpressApp) -> Vec<String> {
    let c = &app.cors;
    let mut o = Vec::new();
    match &c.origin {
        OriginOption::Any => o.push("origin: '*'".to_string()),
        OriginOption::Reflect => o.push("origin: true".into()),
        OriginOption::Off => o.push("origin: false".into()),
        OriginOption::Exact(s) => o.push(format!("origin: {}", js_str(s))),
        OriginOption::List(l) => o.push(format!("origin: {}", list(l, origin_item))),
        OriginOption::Callback { refuse, .. } => {
            let no = match refuse {
                CallbackRefusal::False => "callback(null, false)",
                CallbackRefusal::Error => "callback(new Error('Not allowed by CORS'))",
            };
            o.push(format!(
                "origin: (origin, callback) => {{\n    if (allowlist.includes(origin)) callback(null, true);\n    else {no};\n  }}"
            ));
        }
    }
    if c.credentials {
        o.push("credentials: true".into());
    }
    if let Some(m) = &c.methods {
        o.push(format!("methods: {}", list(m, js_str)));
    }
    if let Some(h) = &c.allowed_headers {
        o.push(format!("allowedHeaders: {}", list(h, js_str)));
    }
    if !c.exposed_headers.is_empty() {
        o.push(format!(
            "exposedHeaders: {}",
            list(&c.exposed_headers, js_str)
        ));
    }
    if let Some(a) = c.max_age {
        o.push(format!("maxAge: {a}"));
    }
    if c.preflight_continue {
        o.push("preflightContinue: true".into());
    }
    if c.options_success_status != 204 {
        o.push(format!(
            "optionsSuccessStatus: {}",
            c.options_success_status
        ));
    }
    o
}

fn object(items: &[String], indent: &str) -> String {
    if items.is_empty() {
        return "{}".into();
    }
    let inner: Vec<String> = items.iter().map(|i| format!("{indent}  {i},")).collect();
    format!("{{\n{}\n{indent}}}", inner.join("\n"))
}

fn cookie_options(app: &ExpressApp, flat: bool) -> Vec<String> {
    let s = &app.session;
    let mut o = Vec::new();
    match s.secure {
        SecureOption::Unset => {}
        SecureOption::True => o.push("secure: true".to_string()),
        SecureOption::False => o.push("secure: false".into()),
        SecureOption::Auto => o.push("secure: 'auto'".into()),
    }
    if let Some(v) = same_site(s.same_site) {
        o.push(format!("sameSite: {v}"));
    }
    if let Some(d) = &s.domain {
        o.push(format!("domain: {}", js_str(d)));
    }
    if let Some(p) = &s.path {
        o.push(format!("path: {}", js_str(p)));
    }
    if !s.http_only {
        o.push("httpOnly: false".into());
    }
    if let Some(ms) = s.max_age_ms {
        o.push(format!("maxAge: {ms}"));
    }
    if s.partitioned {
        o.push("partitioned: true".into());
    }
    let _ = flat;
    o
}

fn res_cookie_call(c: &ResCookie) -> String {
    let mut o = Vec::new();
    if c.http_only {
        o.push("httpOnly: true".to_string());
    }
    if c.secure {
        o.push("secure: true".into());
    }
    if let Some(v) = same_site(c.same_site) {
        o.push(format!("sameSite: {v}"));
    }
    if let Some(d) = &c.domain {
        o.push(format!("domain: {}", js_str(d)));
    }
    if let Some(p) = &c.path {
        o.push(format!("path: {}", js_str(p)));
    }
    if let Some(ms) = c.max_age_ms {
        o.push(format!("maxAge: {ms}"));
    }
    if c.partitioned {
        o.push("partitioned: true".into());
    }
    format!(
        "  res.cookie({}, {}, {{ {} }});\n",
        js_str(&c.name),
        js_str(&c.value),
        o.join(", ")
    )
}

/// `app.js` for the settings.
pub fn app_js(app: &ExpressApp) -> Generated {
    let mut left_out = Vec::new();
    let mut js = String::new();
    js += &format!(
        "// Express {}.x: npm install express@{} cors {}\n",
        app.version.label(),
        app.version.label(),
        match app.session.kind {
            SessionKind::ExpressSession => "express-session",
            SessionKind::CookieSession => "cookie-session",
            SessionKind::None => "",
        }
    );
    js += "const express = require('express');\n";
    if app.cors.enabled {
        js += "const cors = require('cors');\n";
    }
    match app.session.kind {
        SessionKind::ExpressSession => js += "const session = require('express-session');\n",
        SessionKind::CookieSession => js += "const cookieSession = require('cookie-session');\n",
        SessionKind::None => {}
    }
    js += "\nconst app = express();\n";
    if app.trust_proxy {
        js += "app.set('trust proxy', 1); // the first proxy in front of Node is trusted\n";
    }
    match app.front {
        Front::Direct => {}
        Front::TlsProxy => js += "// Runs behind a TLS proxy that sets X-Forwarded-Proto.\n",
        Front::TlsProxyNoHeader => {
            js += "// Runs behind a TLS proxy that does not set X-Forwarded-Proto.\n"
        }
    }
    let c = &app.cors;
    if c.enabled {
        if let OriginOption::Callback { allow, .. } = &c.origin {
            js += &format!("\nconst allowlist = {};\n", list(allow, origin_item));
        }
        js += &format!(
            "\nconst corsOptions = {};\n",
            object(&cors_options(app), "")
        );
        if c.mount == CorsMount::AppWide {
            js += "app.use(cors(corsOptions));\n";
        }
    }
    match app.session.kind {
        SessionKind::ExpressSession => {
            let s = &app.session;
            let mut o = vec!["secret: process.env.SESSION_SECRET || 'change me'".to_string()];
            if let Some(n) = &s.name {
                o.push(format!("name: {}", js_str(n)));
            }
            if let Some(p) = s.proxy {
                o.push(format!("proxy: {p}"));
            }
            o.push(format!("resave: {}", s.resave));
            o.push(format!("saveUninitialized: {}", s.save_uninitialized));
            if s.rolling {
                o.push("rolling: true".into());
            }
            let cookie = cookie_options(app, false);
            if !cookie.is_empty() {
                o.push(format!("cookie: {}", object(&cookie, "  ")));
            }
            js += &format!("app.use(session({}));\n", object(&o, ""));
        }
        SessionKind::CookieSession => {
            let s = &app.session;
            let mut o = Vec::new();
            if let Some(n) = &s.name {
                o.push(format!("name: {}", js_str(n)));
            }
            o.push("keys: [process.env.SESSION_SECRET || 'change me']".into());
            o.extend(cookie_options(app, true));
            for (set, what) in [
                (s.proxy.is_some(), "proxy"),
                (s.save_uninitialized, "saveUninitialized"),
                (s.resave, "resave"),
                (s.rolling, "rolling"),
            ] {
                if set {
                    left_out.push(LeftOut {
                        field: format!("server.session.{what}"),
                        why: format!(
                            "cookie-session has no `{what}` option (it is express-session's)."
                        ),
                    });
                }
            }
            js += &format!("app.use(cookieSession({}));\n", object(&o, ""));
        }
        SessionKind::None => {}
    }
    let per_route = c.enabled && c.mount == CorsMount::PerRoute;
    if per_route {
        let paths: Vec<String> = match c.options_path {
            OptionsPath::None => Vec::new(),
            OptionsPath::Star => vec!["'*'".into()],
            OptionsPath::Splat => vec!["'/{*splat}'".into()],
            OptionsPath::Routes => vec![js_str(&app.login_path), js_str(&app.me_path)],
        };
        for p in paths {
            js += &format!("app.options({p}, cors(corsOptions));\n");
        }
    }
    let mw = if per_route { "cors(corsOptions), " } else { "" };
    js += &format!(
        "\napp.post({}, {mw}(req, res) => {{\n",
        js_str(&app.login_path)
    );
    js += "  req.session.user = 'alice';\n";
    if let Some(rc) = &app.res_cookie {
        js += &res_cookie_call(rc);
    }
    js += "  res.json({ ok: true });\n});\n";
    js += &format!("\napp.get({}, {mw}(req, res) => {{\n", js_str(&app.me_path));
    js += "  if (!req.session.user) return res.status(401).json({ error: 'not logged in' });\n";
    js += "  res.json({ user: req.session.user });\n});\n";
    if c.enabled && c.mount == CorsMount::AfterRoutes {
        js += "\napp.use(cors(corsOptions)); // after the routes: they answer first\n";
    }
    js += "\napp.listen(process.env.PORT || 3001);\n";
    if app.version == ExpressVersion::V4 && per_route && c.options_path == OptionsPath::Splat {
        js = js.replace(
            "app.options('/{*splat}'",
            "app.options('/{*splat}' /* Express 5 syntax: in Express 4 a literal path */",
        );
    }
    Generated { code: js, left_out }
}
