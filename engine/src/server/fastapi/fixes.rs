//! The single changes to `main.py` (and the uvicorn command line) the fix
//! search may try for a FastAPI API, one function per kind, in Starlette's
//! words, and the safety rules every candidate keeps: never
//! `allow_origins=["*"]` with `allow_credentials=True`, never a new or
//! wider `allow_origin_regex` (it would mirror origins nobody listed), never
//! dropping `httponly` or (over HTTPS) `secure`, never trusting every
//! address's `X-Forwarded-Proto`.

use super::literals::{shown, NAMES};
use super::proxy::is_trusted;
use super::settings::*;

/// What the search knows about the scenario around the app.
pub struct Context {
    /// The page's origin, `http://localhost:5173`.
    pub page_origin: Option<String>,
    /// Every request goes to an https URL.
    pub api_is_https: bool,
    /// The page and the API are on different sites.
    pub cross_site: bool,
    /// Header names the page's code sets (lower-case).
    pub custom_headers: Vec<String>,
    /// Methods the page uses (upper-case).
    pub methods: Vec<String>,
}

/// One change: the settings it touches (name, old literal, new literal).
pub struct Edit {
    pub title: String,
    pub reason: String,
    pub changes: Vec<(String, String, String)>,
    /// Lower is preferred between two fixes of the same size.
    pub rank: u8,
    pub apply: Box<dyn Fn(&mut FastApiApp)>,
}

fn edit(
    app: &FastApiApp,
    title: impl Into<String>,
    reason: impl Into<String>,
    rank: u8,
    apply: impl Fn(&mut FastApiApp) + 'static,
) -> Edit {
    let mut after = app.clone();
    apply(&mut after);
    let changes = NAMES
        .iter()
        .filter_map(|n| {
            let (a, b) = (shown(app, n)?, shown(&after, n)?);
            (a != b).then(|| (n.to_string(), a, b))
        })
        .collect();
    Edit {
        title: title.into(),
        reason: reason.into(),
        changes,
        rank,
        apply: Box::new(apply),
    }
}

/// Every kind of change worth trying, one list per kind, most preferred first.
pub fn edits(app: &FastApiApp, cx: &Context) -> Vec<Vec<Edit>> {
    vec![
        allow_origin(app, cx),
        credentials(app),
        allow_methods(app, cx),
        allow_headers(app, cx),
        session_same_site_none(app, cx),
        session_https_only_off_over_http(app, cx),
        set_cookie_same_site_none(app, cx),
        trust_the_proxy(app),
    ]
}

/// The page's origin in `allow_origins` (instead of `"*"`), with
/// CORSMiddleware added (outermost) when `main.py` has none.
fn allow_origin(app: &FastApiApp, cx: &Context) -> Vec<Edit> {
    let Some(o) = cx.page_origin.clone() else {
        return Vec::new();
    };
    let star = app.cors.allow_origins.iter().any(|x| x == "*");
    if app.cors.allow_origins.contains(&o) && !star && app.has(Middleware::Cors) {
        return Vec::new();
    }
    let reason = if star {
        "List the front end instead of `\"*\"`: with `allow_credentials=True` Starlette writes \
         back any Origin, so every site could read the API as the logged-in user (and without \
         the mirror `*` is refused for a credentialed request)."
    } else if !app.has(Middleware::Cors) {
        "main.py adds no CORSMiddleware, so no response carries `Access-Control-Allow-Origin` and \
         a preflight reaches the routes (405). Add it last, so it is the outermost middleware."
    } else {
        "CORSMiddleware writes back only an Origin that is exactly in `allow_origins` (scheme, \
         host and port, no trailing slash)."
    };
    vec![edit(
        app,
        format!("allow_origins=[\"{o}\"]"),
        reason,
        1,
        move |a| {
            a.cors.allow_origins.retain(|x| x != "*");
            if !a.cors.allow_origins.contains(&o) {
                a.cors.allow_origins.push(o.clone());
            }
            if !a.has(Middleware::Cors) {
                a.middleware.push(Middleware::Cors);
            }
        },
    )]
}

fn credentials(app: &FastApiApp) -> Vec<Edit> {
    if app.cors.allow_credentials {
        return Vec::new();
    }
    vec![edit(
        app,
        "allow_credentials=True",
        "A credentialed fetch (`credentials: 'include'`, `withCredentials`) can read the response \
         only with `Access-Control-Allow-Credentials: true`, which CORSMiddleware sends only with \
         `allow_credentials=True`.",
        1,
        |a| a.cors.allow_credentials = true,
    )]
}

/// The page's methods in `allow_methods` (the default is only GET).
fn allow_methods(app: &FastApiApp, cx: &Context) -> Vec<Edit> {
    if app.cors.allow_methods.iter().any(|m| m == "*") {
        return Vec::new();
    }
    let missing: Vec<String> = cx
        .methods
        .iter()
        .filter(|m| !app.cors.allow_methods.contains(m))
        .cloned()
        .collect();
    if missing.is_empty() {
        return Vec::new();
    }
    let mut list = app.cors.allow_methods.clone();
    list.extend(missing);
    let title = format!(
        "allow_methods=[{}]",
        list.iter()
            .map(|m| format!("\"{m}\""))
            .collect::<Vec<_>>()
            .join(", ")
    );
    vec![edit(
        app,
        title,
        "`allow_methods` is `(\"GET\",)` by default, so CORSMiddleware answers the preflight of \
         any other method with 400 \"Disallowed CORS method\".",
        2,
        move |a| a.cors.allow_methods = list.clone(),
    )]
}

/// The page's own headers in `allow_headers`.
fn allow_headers(app: &FastApiApp, cx: &Context) -> Vec<Edit> {
    if app.cors.allow_headers.iter().any(|h| h == "*") {
        return Vec::new();
    }
    let safelisted = [
        "accept",
        "accept-language",
        "content-language",
        "content-type",
    ];
    let have: Vec<String> = app
        .cors
        .allow_headers
        .iter()
        .map(|h| h.to_lowercase())
        .collect();
    let missing: Vec<String> = cx
        .custom_headers
        .iter()
        .filter(|h| !safelisted.contains(&h.as_str()) && !have.contains(h))
        .cloned()
        .collect();
    if missing.is_empty() {
        return Vec::new();
    }
    let mut list = app.cors.allow_headers.clone();
    list.extend(missing);
    let title = format!(
        "allow_headers=[{}]",
        list.iter()
            .map(|m| format!("\"{m}\""))
            .collect::<Vec<_>>()
            .join(", ")
    );
    vec![edit(
        app,
        title,
        "Only Accept, Accept-Language, Content-Language and Content-Type pass a preflight by \
         default; any other header the page sets must be in `allow_headers`, or CORSMiddleware \
         answers 400 \"Disallowed CORS headers\".",
        2,
        move |a| a.cors.allow_headers = list.clone(),
    )]
}

/// `same_site="none", https_only=True` for a cross-site front end (HTTPS only).
fn session_same_site_none(app: &FastApiApp, cx: &Context) -> Vec<Edit> {
    let s = &app.session;
    if !app.has(Middleware::Session) || !cx.cross_site || !cx.api_is_https {
        return Vec::new();
    }
    if s.same_site == SameSite::None && s.https_only {
        return Vec::new();
    }
    vec![edit(
        app,
        "SessionMiddleware(same_site=\"none\", https_only=True)",
        "SessionMiddleware's `same_site` is `\"lax\"` by default: the browser does not send the \
         session cookie with a fetch from another site. `same_site=\"none\"` needs `secure`, \
         which `https_only=True` adds.",
        3,
        |a| {
            a.session.same_site = SameSite::None;
            a.session.https_only = true;
        },
    )]
}

/// `https_only=False` when the API is plain http (not localhost): a
/// `secure` cookie from an http response is dropped by the browser.
fn session_https_only_off_over_http(app: &FastApiApp, cx: &Context) -> Vec<Edit> {
    if !app.has(Middleware::Session) || !app.session.https_only || cx.api_is_https {
        return Vec::new();
    }
    vec![edit(
        app,
        "SessionMiddleware(https_only=False) for plain http",
        "`https_only=True` adds `secure`, and a browser ignores a `secure` cookie set by an http \
         response (localhost aside). Over plain http leave it off, and turn it on with HTTPS.",
        4,
        |a| a.session.https_only = false,
    )]
}

/// `samesite="none", secure=True` on the `set_cookie` call for a cross-site
/// front end over HTTPS.
fn set_cookie_same_site_none(app: &FastApiApp, cx: &Context) -> Vec<Edit> {
    let Some(c) = &app.set_cookie else {
        return Vec::new();
    };
    if !cx.api_is_https || !cx.cross_site {
        return Vec::new();
    }
    if c.samesite
        .as_deref()
        .is_some_and(|s| s.eq_ignore_ascii_case("none"))
        && c.secure
    {
        return Vec::new();
    }
    vec![edit(
        app,
        format!("response.set_cookie(\"{}\", …, samesite=\"none\", secure=True)", c.key),
        "`set_cookie`'s `samesite` is `\"lax\"` by default, so the cookie does not go with a fetch \
         from another site; `\"none\"` must come with `secure=True`.",
        3,
        |a| {
            if let Some(c) = &mut a.set_cookie {
                c.samesite = Some("none".into());
                c.secure = true;
            }
        },
    )]
}

/// `--forwarded-allow-ips=<the proxy's address>` behind a TLS proxy.
fn trust_the_proxy(app: &FastApiApp) -> Vec<Edit> {
    if app.front != Front::TlsProxy
        || (app.proxy_headers
            && is_trusted(
                app.version,
                &app.effective_forwarded_allow_ips(),
                &app.proxy_ip,
            ))
    {
        return Vec::new();
    }
    let ip = app.proxy_ip.clone();
    vec![edit(
        app,
        format!("uvicorn --proxy-headers --forwarded-allow-ips={ip}"),
        "uvicorn takes the scheme from `X-Forwarded-Proto` only from the addresses in \
         `--forwarded-allow-ips` (127.0.0.1 by default); the proxy connects from another one, so \
         every request looks like plain http to the app.",
        2,
        move |a| {
            a.proxy_headers = true;
            a.forwarded_allow_ips = Some(ip.clone());
        },
    )]
}

/// The rules every candidate keeps.
pub fn is_safe(candidate: &FastApiApp, original: &FastApiApp, api_is_https: bool) -> bool {
    let c = &candidate.cors;
    let all_with_credentials = candidate.has(Middleware::Cors)
        && c.allow_origins.iter().any(|o| o == "*")
        && c.allow_credentials;
    let new_regex =
        c.allow_origin_regex.is_some() && c.allow_origin_regex != original.cors.allow_origin_regex;
    let dropped_httponly = match (&original.set_cookie, &candidate.set_cookie) {
        (Some(o), Some(n)) => o.httponly && !n.httponly,
        _ => false,
    };
    let dropped_secure = api_is_https
        && ((original.session.https_only && !candidate.session.https_only)
            || matches!((&original.set_cookie, &candidate.set_cookie), (Some(o), Some(n)) if o.secure && !n.secure));
    let trust_all = candidate
        .effective_forwarded_allow_ips()
        .split(',')
        .any(|x| x.trim() == "*")
        && !original
            .effective_forwarded_allow_ips()
            .split(',')
            .any(|x| x.trim() == "*");
    !all_with_credentials && !new_regex && !dropped_httponly && !dropped_secure && !trust_all
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cx() -> Context {
        Context {
            page_origin: Some("https://app.example.com".into()),
            api_is_https: true,
            cross_site: true,
            custom_headers: vec!["content-type".into(), "x-client".into()],
            methods: vec!["GET".into(), "POST".into()],
        }
    }

    #[test]
    fn edits_say_what_they_change_and_stay_safe() {
        let mut app = FastApiApp::default();
        app.cors.allow_origins = vec!["*".into()];
        app.cors.allow_credentials = true;
        app.front = Front::TlsProxy;
        app.proxy_ip = "172.18.0.2".into();
        let all: Vec<Edit> = edits(&app, &cx()).into_iter().flatten().collect();
        let titles: Vec<&str> = all.iter().map(|e| e.title.as_str()).collect();
        assert_eq!(
            titles,
            [
                "allow_origins=[\"https://app.example.com\"]",
                "allow_methods=[\"GET\", \"POST\"]",
                "allow_headers=[\"x-client\"]",
                "SessionMiddleware(same_site=\"none\", https_only=True)",
                "uvicorn --proxy-headers --forwarded-allow-ips=172.18.0.2",
            ]
        );
        assert!(all[0].changes.contains(&(
            "allow_origins".into(),
            "['*']".into(),
            "['https://app.example.com']".into()
        )));
        // The original is unsafe; the origin edit makes it safe.
        assert!(!is_safe(&app, &app, true));
        let mut fixed = app.clone();
        (all[0].apply)(&mut fixed);
        assert!(is_safe(&fixed, &app, true));
        for e in &all {
            assert!(!e.changes.is_empty(), "{} changes nothing", e.title);
            let mut after = fixed.clone();
            (e.apply)(&mut after);
            assert!(is_safe(&after, &fixed, true), "{}", e.title);
        }
    }

    #[test]
    fn unsafe_candidates_are_refused() {
        let mut base = FastApiApp::default();
        base.cors.allow_origins = vec!["https://app.example.com".into()];
        base.cors.allow_credentials = true;
        base.session.https_only = true;
        base.set_cookie = Some(SetCookieCall {
            httponly: true,
            secure: true,
            ..SetCookieCall::default()
        });
        type Edit = Box<dyn Fn(&mut FastApiApp)>;
        let bad: Vec<(&str, Edit)> = vec![
            (
                "star",
                Box::new(|a| a.cors.allow_origins = vec!["*".into()]),
            ),
            (
                "regex",
                Box::new(|a| a.cors.allow_origin_regex = Some(".*".into())),
            ),
            (
                "httponly",
                Box::new(|a| a.set_cookie.as_mut().unwrap().httponly = false),
            ),
            (
                "secure",
                Box::new(|a| a.set_cookie.as_mut().unwrap().secure = false),
            ),
            ("https_only", Box::new(|a| a.session.https_only = false)),
            (
                "trust all",
                Box::new(|a| a.forwarded_allow_ips = Some("*".into())),
            ),
        ];
        assert!(is_safe(&base, &base, true));
        for (what, f) in bad {
            let mut c = base.clone();
            f(&mut c);
            assert!(!is_safe(&c, &base, true), "{what}");
        }
        // Over plain http dropping secure is no loss (the browser drops the cookie anyway).
        let mut c = base.clone();
        c.session.https_only = false;
        assert!(is_safe(&c, &base, false));
    }
}
