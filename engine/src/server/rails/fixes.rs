//! The Rails settings the fix search tries: one function per kind of
//! change, each a list of candidates (config/initializers/cors.rb, the
//! session store, `load_defaults`, the middleware stack, CSRF).

use crate::explain::fixes::url_mistakes::origin_mistake;
use crate::explain::fixes::{
    api_is_https, change, domain_label, origins_label, page_origin, same_site_label, symbols_label,
    tristate_label, Candidate, SettingChange,
};
use crate::scenario::{Scenario, ServerSetup};
use crate::server::rack_cors::RackCors;
use crate::server::rails::{
    AllowBlock, CorsConfig, CorsPosition, CorsResource, DomainOption, HeadersOption, MethodsOption,
    RailsApp, SameSiteOption, SessionMiddleware, StoreKind,
};

/// The Rails app of a candidate scenario (a candidate only changes a Rails app).
fn rails_mut(s: &mut Scenario) -> Option<&mut RailsApp> {
    match &mut s.server {
        ServerSetup::Rails(a) => Some(a),
        _ => None,
    }
}

/// Every kind of Rails change worth trying, most preferred first.
pub(crate) fn candidates(s: &Scenario, app: &RailsApp) -> Vec<Vec<Candidate>> {
    let po = page_origin(s);
    let https = api_is_https(s);
    vec![
        load_defaults(app),
        add_rack_cors(app, po.as_deref()),
        origin_instead_of_wildcard(app, po.as_deref()),
        origin_with_credentials(app, po.as_deref()),
        add_page_origin(app, po.as_deref()),
        resource_credentials(app),
        resource_methods(s, app),
        resource_headers(app),
        cors_first(app),
        session_middleware(app),
        session_store(app),
        same_site_lax(app),
        same_site_none(app),
        secure_off_over_http(app, https),
        secure_on_over_https(app, https),
        host_only_cookie(app),
        plain_http_session(app, https),
        csrf_token(s, app),
    ]
}

/// `config.load_defaults` no newer than Rails itself.
fn load_defaults(app: &RailsApp) -> Vec<Candidate> {
    if app.load_defaults <= app.version.max_load_defaults() {
        return Vec::new();
    }
    let to = app.version.max_load_defaults();
    vec![Candidate::new(
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
    )]
}

/// rack-cors for the page's origin, where there is none.
fn add_rack_cors(app: &RailsApp, po: Option<&str>) -> Vec<Candidate> {
    let Some(po) = po.filter(|_| !app.cors.enabled) else {
        return Vec::new();
    };
    let po2 = po.to_string();
    vec![Candidate::new(
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
    )]
}

/// A block's origins with `'*'` replaced by the page's origin (once).
fn origins_without_wildcard(b: &AllowBlock, po: &str) -> Vec<String> {
    let mut dedup: Vec<String> = Vec::new();
    for o in &b.origins {
        let o = if o == "*" { po } else { o.as_str() };
        if !dedup.iter().any(|d| d == o) {
            dedup.push(o.to_string());
        }
    }
    dedup
}

/// The change of a block's origins from `'*'` to the page's origin.
fn wildcard_change(bi: usize, b: &AllowBlock, new: &[String]) -> SettingChange {
    change(
        format!("server.cors.allow.{bi}.origins"),
        origins_label(&b.origins),
        origins_label(new),
    )
}

/// The blocks with `origins '*'`, with their index.
fn wildcard_blocks(app: &RailsApp) -> impl Iterator<Item = (usize, &AllowBlock)> {
    app.cors
        .allow
        .iter()
        .enumerate()
        .filter(|(_, b)| b.origins.iter().any(|o| o == "*"))
}

/// `origins` with the page's origin instead of `'*'`, per block.
fn origin_instead_of_wildcard(app: &RailsApp, po: Option<&str>) -> Vec<Candidate> {
    let Some(po) = po else {
        return Vec::new();
    };
    wildcard_blocks(app)
        .map(|(bi, b)| {
            let dedup = origins_without_wildcard(b, po);
            let ch = wildcard_change(bi, b, &dedup);
            Candidate::new(
                format!("origins '{po}' instead of '*'"),
                "With credentials the browser needs the exact Origin in Access-Control-Allow-Origin; `*` never works (and rack-cors refuses '*' with credentials).",
                vec![ch],
                1,
                move |s: &mut Scenario| {
                    if let Some(a) = rails_mut(s) {
                        if let Some(b) = a.cors.allow.get_mut(bi) {
                            b.origins = dedup.clone();
                        }
                    }
                },
            )
        })
        .collect()
}

/// The article's refined cors.rb in one step: the exact origin and
/// `credentials: true` on every resource of the block.
fn origin_with_credentials(app: &RailsApp, po: Option<&str>) -> Vec<Candidate> {
    let Some(po) = po else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (bi, b) in wildcard_blocks(app) {
        let creds: Vec<usize> = b
            .resources
            .iter()
            .enumerate()
            .filter(|(_, r)| !r.credentials)
            .map(|(i, _)| i)
            .collect();
        if creds.is_empty() {
            continue;
        }
        let dedup = origins_without_wildcard(b, po);
        let mut changes = vec![wildcard_change(bi, b, &dedup)];
        for ri in &creds {
            changes.push(change(
                format!("server.cors.allow.{bi}.resources.{ri}.credentials"),
                "false",
                "true",
            ));
        }
        out.push(Candidate::new(
            format!("origins '{po}' with credentials: true"),
            "A credentialed request needs the exact Origin reflected and Access-Control-Allow-Credentials: true.",
            changes,
            0,
            move |s: &mut Scenario| {
                if let Some(a) = rails_mut(s) {
                    if let Some(b) = a.cors.allow.get_mut(bi) {
                        b.origins = dedup.clone();
                        for r in &mut b.resources {
                            r.credentials = true;
                        }
                    }
                }
            },
        ));
    }
    out
}

/// The page's origin in `origins`, when no block allows it: an origin
/// written almost right (a trailing slash, 127.0.0.1 for localhost, the
/// other scheme) is replaced; otherwise the page's origin is added to the
/// first block.
fn add_page_origin(app: &RailsApp, po: Option<&str>) -> Vec<Candidate> {
    let Some(po) = po else {
        return Vec::new();
    };
    if !app.cors.enabled || app.cors.allow.is_empty() {
        return Vec::new();
    }
    let allowed = RackCors::new(&app.cors, app.version)
        .map(|c| c.allows_origin(po))
        .unwrap_or(true);
    if allowed {
        return Vec::new();
    }
    let near = app.cors.allow.iter().enumerate().find_map(|(bi, b)| {
        b.origins
            .iter()
            .position(|o| origin_mistake(o, po).is_some())
            .map(|oi| (bi, oi))
    });
    let (bi, replace) = match near {
        Some((bi, oi)) => (bi, Some(oi)),
        None => (0, None),
    };
    let old = app.cors.allow[bi].origins.clone();
    let mut new = old.clone();
    let (title, reason) = match replace {
        Some(oi) => {
            let what = origin_mistake(&old[oi], po).unwrap_or("a typo");
            new[oi] = po.to_string();
            (
                format!("origins '{po}' instead of '{}'", old[oi]),
                format!("The browser sends Origin: {po} and rack-cors compares it exactly: '{}' differs in {what}, so it never matches. Write the origin as the browser sends it (scheme, host and port, no path).", old[oi]),
            )
        }
        None => {
            new.push(po.to_string());
            (
                format!("Add '{po}' to origins"),
                "rack-cors adds CORS headers only for an Origin listed in `origins`.".to_string(),
            )
        }
    };
    let new2 = new.clone();
    vec![Candidate::new(
        title,
        reason,
        vec![change(
            format!("server.cors.allow.{bi}.origins"),
            origins_label(&old),
            origins_label(&new),
        )],
        if replace.is_some() { 0 } else { 1 },
        move |s: &mut Scenario| {
            if let Some(b) = rails_mut(s).and_then(|a| a.cors.allow.get_mut(bi)) {
                b.origins = new2.clone();
            }
        },
    )]
}

/// Every resource, with its block and resource index.
fn resources(app: &RailsApp) -> impl Iterator<Item = (usize, usize, &CorsResource)> {
    app.cors.allow.iter().enumerate().flat_map(|(bi, b)| {
        b.resources
            .iter()
            .enumerate()
            .map(move |(ri, r)| (bi, ri, r))
    })
}

/// Applies `f` to resource `ri` of block `bi`, if the scenario has it.
fn with_resource(s: &mut Scenario, bi: usize, ri: usize, f: impl FnOnce(&mut CorsResource)) {
    if let Some(r) = rails_mut(s)
        .and_then(|a| a.cors.allow.get_mut(bi))
        .and_then(|b| b.resources.get_mut(ri))
    {
        f(r);
    }
}

/// `credentials: true`, per resource.
fn resource_credentials(app: &RailsApp) -> Vec<Candidate> {
    resources(app)
        .filter(|(_, _, r)| !r.credentials)
        .map(|(bi, ri, _)| {
            Candidate::new(
                "credentials: true",
                "Without Access-Control-Allow-Credentials: true the browser hides a credentialed response from the page.",
                vec![change(format!("server.cors.allow.{bi}.resources.{ri}.credentials"), "false", "true")],
                1,
                move |s: &mut Scenario| with_resource(s, bi, ri, |r| r.credentials = true),
            )
        })
        .collect()
}

/// The methods the page uses added to `methods`, per resource.
fn resource_methods(s: &Scenario, app: &RailsApp) -> Vec<Candidate> {
    let needed: Vec<String> = s
        .requests
        .iter()
        // Only tokens (as simulate reads them): any other method fails
        // before a preflight (Fetch §Methods: a method is a token).
        .map(|q| q.method.trim())
        .filter(|m| crate::headers::is_token(m))
        .map(str::to_ascii_lowercase)
        .collect();
    let mut out = Vec::new();
    for (bi, ri, r) in resources(app) {
        let have: Vec<String> = match &r.methods {
            MethodsOption::Any => continue,
            MethodsOption::Unset => vec!["get".into()],
            MethodsOption::List(l) => l.clone(),
        };
        if needed.iter().all(|m| have.contains(m)) {
            continue;
        }
        let mut list = have.clone();
        for m in &needed {
            if !list.contains(m) {
                list.push(m.clone());
            }
        }
        let ch = change(
            format!("server.cors.allow.{bi}.resources.{ri}.methods"),
            symbols_label(&have),
            symbols_label(&list),
        );
        out.push(Candidate::new(
            "Allow the methods the page uses",
            "rack-cors answers a preflight for a method outside `methods` with no CORS headers.",
            vec![ch],
            2,
            move |s: &mut Scenario| {
                with_resource(s, bi, ri, |r| r.methods = MethodsOption::List(list.clone()))
            },
        ));
    }
    out
}

/// `headers: :any`, per resource.
fn resource_headers(app: &RailsApp) -> Vec<Candidate> {
    resources(app)
        .filter(|(_, _, r)| !matches!(r.headers, HeadersOption::Any))
        .map(|(bi, ri, r)| {
            Candidate::new(
                "headers: :any",
                "rack-cors answers a preflight asking for a header outside `headers` with no CORS headers.",
                vec![change(format!("server.cors.allow.{bi}.resources.{ri}.headers"), headers_label(&r.headers), ":any")],
                2,
                move |s: &mut Scenario| with_resource(s, bi, ri, |r| r.headers = HeadersOption::Any),
            )
        })
        .collect()
}

/// rack-cors first in the middleware stack.
fn cors_first(app: &RailsApp) -> Vec<Candidate> {
    if app.cors_position == CorsPosition::First {
        return Vec::new();
    }
    vec![Candidate::new(
        "insert_before 0, Rack::Cors",
        "Answers from middleware in front of rack-cors carry no CORS headers; rack-cors must come first.",
        vec![change(
            "server.cors_position",
            match app.cors_position {
                CorsPosition::Last => "config.middleware.use Rack::Cors (last)",
                _ => "after a middleware that answers first",
            },
            "insert_before 0 (first)",
        )],
        1,
        |s: &mut Scenario| {
            if let Some(a) = rails_mut(s) {
                a.cors_position = CorsPosition::First;
            }
        },
    )]
}

/// The guide's session middleware lines in an API-only app.
fn session_middleware(app: &RailsApp) -> Vec<Candidate> {
    if !app.api_only || app.session_middleware == SessionMiddleware::Documented {
        return Vec::new();
    }
    let from = middleware_label(app.session_middleware);
    vec![Candidate::new(
        "Add the session middleware back (the guide's way)",
        "API-only apps have no cookies and no session; the guide's lines in config/application.rb add them back with the session options.",
        vec![change("server.session_middleware", from, middleware_label(SessionMiddleware::Documented))],
        0,
        |s: &mut Scenario| {
            if let Some(a) = rails_mut(s) {
                a.session_middleware = SessionMiddleware::Documented;
                if a.session.store != StoreKind::CookieStore {
                    a.session.store = StoreKind::CookieStore;
                }
            }
        },
    )]
}

/// `session_store :cookie_store` instead of `:disabled`.
fn session_store(app: &RailsApp) -> Vec<Candidate> {
    if app.session.store != StoreKind::Disabled {
        return Vec::new();
    }
    vec![Candidate::new(
        "session_store :cookie_store",
        "A disabled session store cannot keep anyone logged in.",
        vec![change("server.session.store", ":disabled", ":cookie_store")],
        0,
        |s: &mut Scenario| {
            if let Some(a) = rails_mut(s) {
                a.session.store = StoreKind::CookieStore;
            }
        },
    )]
}

/// `same_site: :lax`.
fn same_site_lax(app: &RailsApp) -> Vec<Candidate> {
    let ss = app.session.same_site;
    if matches!(ss, SameSiteOption::Lax | SameSiteOption::Unset) {
        return Vec::new();
    }
    vec![Candidate::new(
        "same_site: :lax",
        "Lax cookies flow on same-site requests (ports do not count), need no Secure, and are what browsers default to.",
        vec![change("server.session.same_site", same_site_label(ss), ":lax")],
        1,
        |s: &mut Scenario| {
            if let Some(a) = rails_mut(s) {
                a.session.same_site = SameSiteOption::Lax;
            }
        },
    )]
}

/// `same_site: :none, secure: true`.
fn same_site_none(app: &RailsApp) -> Vec<Candidate> {
    let ss = app.session.same_site;
    if ss == SameSiteOption::None {
        return Vec::new();
    }
    let sec = app.session.secure;
    let mut changes = vec![change(
        "server.session.same_site",
        same_site_label(ss),
        ":none",
    )];
    if sec != Some(true) {
        changes.push(change("server.session.secure", tristate_label(sec), "true"));
    }
    vec![Candidate::new(
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
    )]
}

/// `secure: false` for a plain-http API.
fn secure_off_over_http(app: &RailsApp, https: bool) -> Vec<Candidate> {
    if app.session.secure != Some(true) || https {
        return Vec::new();
    }
    vec![Candidate::new(
        "secure: false (plain-http development only)",
        "Rack never writes a secure session cookie on a plain-http request; over http in development the cookie cannot be Secure. Keep secure: true in production over https.",
        vec![change("server.session.secure", "true", "false")],
        2,
        |s: &mut Scenario| {
            if let Some(a) = rails_mut(s) {
                a.session.secure = Some(false);
            }
        },
    )]
}

/// `secure: true` for an https API.
fn secure_on_over_https(app: &RailsApp, https: bool) -> Vec<Candidate> {
    if app.session.secure == Some(true) || !https {
        return Vec::new();
    }
    vec![Candidate::new(
        "secure: true",
        "Over https the session cookie should be Secure (and SameSite=None requires it).",
        vec![change(
            "server.session.secure",
            tristate_label(app.session.secure),
            "true",
        )],
        2,
        |s: &mut Scenario| {
            if let Some(a) = rails_mut(s) {
                a.session.secure = Some(true);
            }
        },
    )]
}

/// No `domain:` (a host-only cookie).
fn host_only_cookie(app: &RailsApp) -> Vec<Candidate> {
    if app.session.domain == DomainOption::Unset {
        return Vec::new();
    }
    vec![Candidate::new(
        "No domain (a host-only cookie)",
        "A Domain attribute that does not cover the API's host (or that is a public suffix) makes the browser reject the cookie; without one the cookie belongs to the API's host.",
        vec![change("server.session.domain", domain_label(&app.session.domain), "not given")],
        1,
        |s: &mut Scenario| {
            if let Some(a) = rails_mut(s) {
                a.session.domain = DomainOption::Unset;
            }
        },
    )]
}

/// Host-only, non-Secure, SameSite=Lax: the cookie plain http allows.
fn plain_http_session(app: &RailsApp, https: bool) -> Vec<Candidate> {
    let needs = app.session.secure == Some(true)
        || app.session.domain != DomainOption::Unset
        || app.session.same_site == SameSiteOption::None;
    if https || !needs {
        return Vec::new();
    }
    let old = app.session.clone();
    vec![Candidate::new(
        "A session cookie for plain-http development",
        "Over plain http the session cookie can only work as a host-only, non-Secure, SameSite=Lax cookie.",
        vec![
            change("server.session.secure", tristate_label(old.secure), "false"),
            change("server.session.same_site", same_site_label(old.same_site), ":lax"),
            change("server.session.domain", domain_label(&old.domain), "not given"),
        ],
        2,
        |s: &mut Scenario| {
            if let Some(a) = rails_mut(s) {
                a.session.secure = Some(false);
                a.session.same_site = SameSiteOption::Lax;
                a.session.domain = DomainOption::Unset;
            }
        },
    )]
}

/// `X-CSRF-Token` on the non-GET requests of a full Rails app.
fn csrf_token(s: &Scenario, app: &RailsApp) -> Vec<Candidate> {
    if app.api_only || !app.csrf_protection {
        return Vec::new();
    }
    let unsafe_reqs: Vec<usize> = s
        .requests
        .iter()
        .enumerate()
        .filter(|(_, r)| !matches!(r.method.to_ascii_uppercase().as_str(), "GET" | "HEAD"))
        .map(|(i, _)| i)
        .collect();
    if unsafe_reqs.is_empty() {
        return Vec::new();
    }
    let changes = unsafe_reqs
        .iter()
        .map(|i| change(format!("requests.{i}.headers"), "", "X-CSRF-Token: <token>"))
        .collect();
    vec![Candidate::new(
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
    )]
}

/// A resource's `headers:` as written in cors.rb.
fn headers_label(h: &HeadersOption) -> String {
    match h {
        HeadersOption::Unset => "not given".into(),
        HeadersOption::Any => ":any".into(),
        HeadersOption::List(l) => symbols_label(l),
    }
}

/// The session middleware choice as the form words it.
fn middleware_label(m: SessionMiddleware) -> String {
    match m {
        SessionMiddleware::None => "not added",
        SessionMiddleware::Documented => {
            "ActionDispatch::Cookies + config.session_store, config.session_options"
        }
        SessionMiddleware::WithoutOptions => "ActionDispatch::Session::CookieStore without options",
        SessionMiddleware::BeforeStoreSet => "added before config.session_store is set",
        SessionMiddleware::WithoutCookies => "session middleware without ActionDispatch::Cookies",
    }
    .into()
}
