//! The Express settings the fix search tries, one function per kind of
//! change. None is unsafe: `origin` never becomes `true` (reflect every
//! Origin) or `'*'` with credentials, `httpOnly` is never dropped, and
//! `secure` is never dropped for an https API ([`is_safe`]).

use super::{
    CallbackRefusal, CorsMount, ExpressApp, ExpressVersion, Front, OptionsPath, OriginOption,
    SameSiteOption, SecureOption, SessionKind,
};
use crate::explain::fixes::{api_is_https, change, page_origin, request_urls, Candidate};
use crate::scenario::{Scenario, ServerSetup};

fn express_mut(s: &mut Scenario) -> Option<&mut ExpressApp> {
    match &mut s.server {
        ServerSetup::Express(a) => Some(a),
        _ => None,
    }
}

fn one(
    title: &str,
    reason: &str,
    field: &str,
    from: String,
    to: &str,
    rank: u8,
    apply: impl Fn(&mut ExpressApp) + 'static,
) -> Vec<Candidate> {
    vec![Candidate::new(
        title,
        reason,
        vec![change(field, from, to)],
        rank,
        move |s: &mut Scenario| {
            if let Some(a) = express_mut(s) {
                apply(a)
            }
        },
    )]
}

fn origin_label(o: &OriginOption) -> String {
    match o {
        OriginOption::Any => "'*'".into(),
        OriginOption::Reflect => "true".into(),
        OriginOption::Off => "false".into(),
        OriginOption::Exact(s) => format!("'{s}'"),
        OriginOption::List(l) => format!("{l:?}"),
        OriginOption::Callback { allow, .. } => format!("callback allowing {allow:?}"),
    }
}

/// `origin: '<the page's origin>'` instead of what does not name it.
fn origin_for_page(app: &ExpressApp, po: Option<&str>) -> Vec<Candidate> {
    let Some(po) = po else { return Vec::new() };
    let names_page = match &app.cors.origin {
        OriginOption::Exact(s) => s == po,
        OriginOption::List(l) | OriginOption::Callback { allow: l, .. } => {
            l.iter().any(|o| o == po)
        }
        OriginOption::Reflect => true,
        OriginOption::Any | OriginOption::Off => false,
    };
    if names_page {
        return Vec::new();
    }
    let po = po.to_string();
    match &app.cors.origin {
        OriginOption::List(_) | OriginOption::Callback { .. } => one(
            "Add the page's origin to the allow-list",
            "`cors` reflects an Origin only when it is exactly on the list (scheme, host and port).",
            "server.cors.origin",
            origin_label(&app.cors.origin),
            &format!("… + '{po}'"),
            0,
            move |a| match &mut a.cors.origin {
                OriginOption::List(l) | OriginOption::Callback { allow: l, .. } => l.push(po.clone()),
                _ => {}
            },
        ),
        _ => one(
            &format!("Set `origin: '{po}'`"),
            "With credentials the browser needs the exact origin in Access-Control-Allow-Origin, never `*`; a fixed string is safe (cors sends it with `Vary: Origin`).",
            "server.cors.origin",
            origin_label(&app.cors.origin),
            &format!("'{po}'"),
            0,
            move |a| a.cors.origin = OriginOption::Exact(po.clone()),
        ),
    }
}

fn credentials(app: &ExpressApp) -> Vec<Candidate> {
    if app.cors.credentials {
        return Vec::new();
    }
    one(
        "Set `credentials: true` in corsOptions",
        "Without it cors sends no `Access-Control-Allow-Credentials: true`, so the browser hides credentialed responses and drops their cookies.",
        "server.cors.credentials",
        "false".into(),
        "true",
        0,
        |a| a.cors.credentials = true,
    )
}

fn enable_cors(app: &ExpressApp) -> Vec<Candidate> {
    if app.cors.enabled {
        return Vec::new();
    }
    one(
        "Add `app.use(cors(corsOptions))`",
        "Without the cors middleware no response carries CORS headers.",
        "server.cors.enabled",
        "false".into(),
        "true",
        0,
        |a| a.cors.enabled = true,
    )
}

/// Mount cors before the routes, or answer preflights with `app.options`.
fn mount(app: &ExpressApp) -> Vec<Candidate> {
    let c = &app.cors;
    if !c.enabled {
        return Vec::new();
    }
    let every = match app.version {
        ExpressVersion::V4 => OptionsPath::Star,
        ExpressVersion::V5 => OptionsPath::Splat,
    };
    let every_text = match app.version {
        ExpressVersion::V4 => "app.options('*', cors(corsOptions))",
        ExpressVersion::V5 => "app.options('/{*splat}', cors(corsOptions))",
    };
    match c.mount {
        CorsMount::AfterRoutes => one(
            "Mount cors before the routes",
            "Middleware runs in the order of `app.use`: after the routes, cors never runs for a request a route answers.",
            "server.cors.mount",
            "after the routes".into(),
            "app.use(cors(corsOptions)) first",
            1,
            |a| a.cors.mount = CorsMount::AppWide,
        ),
        CorsMount::PerRoute if c.options_path != every => one(
            &format!("Answer preflights with `{every_text}`"),
            "cors on a route runs only for that route's method; the OPTIONS preflight needs its own `app.options(...)` (in Express 5 `'*'` must be written `'/{*splat}'`).",
            "server.cors.options_path",
            format!("{:?}", c.options_path),
            every_text,
            1,
            move |a| a.cors.options_path = every,
        ),
        _ => Vec::new(),
    }
}

fn callback_no_error(app: &ExpressApp) -> Vec<Candidate> {
    let OriginOption::Callback {
        refuse: CallbackRefusal::Error,
        ..
    } = &app.cors.origin
    else {
        return Vec::new();
    };
    one(
        "Refuse with `callback(null, false)` instead of an Error",
        "An Error from the origin callback makes Express answer 500, also for requests without an Origin; `false` just leaves out the CORS headers.",
        "server.cors.origin",
        "callback(new Error(…))".into(),
        "callback(null, false)",
        2,
        |a| {
            if let OriginOption::Callback { refuse, .. } = &mut a.cors.origin {
                *refuse = CallbackRefusal::False;
            }
        },
    )
}

fn trust_proxy(app: &ExpressApp) -> Vec<Candidate> {
    if app.trust_proxy || app.front != Front::TlsProxy {
        return Vec::new();
    }
    one(
        "Add `app.set('trust proxy', 1)`",
        "Behind a TLS proxy Node sees plain http; trusting the first proxy makes Express read X-Forwarded-Proto, so `req.secure` is true and secure session cookies are set.",
        "server.trust_proxy",
        "false".into(),
        "1",
        0,
        |a| a.trust_proxy = true,
    )
}

fn session_middleware(app: &ExpressApp) -> Vec<Candidate> {
    if app.session.kind != SessionKind::None {
        return Vec::new();
    }
    one(
        "Add `app.use(session({ … }))`",
        "The routes use `req.session`; without a session middleware it is undefined.",
        "server.session.kind",
        "none".into(),
        "express-session",
        0,
        |a| a.session.kind = SessionKind::ExpressSession,
    )
}

fn secure_auto(app: &ExpressApp, https: bool) -> Vec<Candidate> {
    if https
        || app.session.secure != SecureOption::True
        || app.session.kind != SessionKind::ExpressSession
    {
        return Vec::new();
    }
    one(
        "Use `cookie: { secure: 'auto' }`",
        "`secure: true` over plain http means no Set-Cookie at all; `'auto'` sets Secure exactly when the request is https.",
        "server.session.secure",
        "true".into(),
        "'auto'",
        2,
        |a| a.session.secure = SecureOption::Auto,
    )
}

/// Cross-site page and API need `sameSite: 'none'` with `secure`; same-site `'lax'` works.
fn same_site(s: &Scenario, app: &ExpressApp, https: bool) -> Vec<Candidate> {
    let Ok(page) = crate::origin::parse_url(&s.page.url, None) else {
        return Vec::new();
    };
    let cross = request_urls(s)
        .iter()
        .any(|u| !crate::site::same_site(&page, u, crate::site::SiteRules::HTML));
    let cur = app.session.same_site;
    if cross && https && cur != SameSiteOption::None {
        let secure = app.session.secure;
        return one(
            "Use `sameSite: 'none', secure: true` for the session cookie",
            "The page and the API are different sites: only a SameSite=None; Secure cookie is sent on cross-site fetches (where third-party cookies are allowed).",
            "server.session.same_site",
            format!("{cur:?}"),
            "'none' (with secure: true)",
            3,
            move |a| {
                a.session.same_site = SameSiteOption::None;
                if secure != SecureOption::Auto {
                    a.session.secure = SecureOption::True;
                }
            },
        );
    }
    if !cross && matches!(cur, SameSiteOption::None) && !https {
        return one(
            "Use `sameSite: 'lax'`",
            "Page and API are the same site, so Lax works; SameSite=None without Secure is rejected by the browser.",
            "server.session.same_site",
            "'none'".into(),
            "'lax'",
            3,
            |a| a.session.same_site = SameSiteOption::Lax,
        );
    }
    Vec::new()
}

fn host_only(app: &ExpressApp) -> Vec<Candidate> {
    let Some(d) = app.session.domain.clone() else {
        return Vec::new();
    };
    one(
        "Leave out the session cookie's `domain`",
        "A domain that does not cover the API's host makes the browser reject the cookie; without it the cookie is host-only.",
        "server.session.domain",
        format!("'{d}'"),
        "(unset)",
        3,
        |a| a.session.domain = None,
    )
}

pub(crate) fn candidates(s: &Scenario, app: &ExpressApp) -> Vec<Vec<Candidate>> {
    let po = page_origin(s);
    let https = api_is_https(s);
    vec![
        enable_cors(app),
        origin_for_page(app, po.as_deref()),
        credentials(app),
        mount(app),
        callback_no_error(app),
        trust_proxy(app),
        session_middleware(app),
        secure_auto(app, https),
        same_site(s, app, https),
        host_only(app),
    ]
}

/// Never an Origin reflected (or `*`) with credentials, never HttpOnly
/// dropped, never Secure dropped for an https API.
pub(crate) fn is_safe(candidate: &ExpressApp, original: &ServerSetup, https: bool) -> bool {
    let c = &candidate.cors;
    let reflects_any = matches!(c.origin, OriginOption::Reflect | OriginOption::Any);
    let unsafe_origin = c.credentials
        && reflects_any
        && {
            // Already in the original: not a change the search proposes.
            !matches!(original, ServerSetup::Express(o) if o.cors.origin == c.origin && o.cors.credentials)
        };
    let ServerSetup::Express(o) = original else {
        return !unsafe_origin;
    };
    let dropped_httponly = o.session.http_only && !candidate.session.http_only;
    let secure = |s: SecureOption| matches!(s, SecureOption::True | SecureOption::Auto);
    let dropped_secure = https && secure(o.session.secure) && !secure(candidate.session.secure);
    !unsafe_origin && !dropped_httponly && !dropped_secure
}
