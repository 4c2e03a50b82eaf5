//! The single changes to `settings.py` the fix search may try for a Django
//! API, one function per kind, in Django's words, and the safety rules a
//! combination must keep: never `CORS_ALLOW_ALL_ORIGINS` with
//! `CORS_ALLOW_CREDENTIALS`, never `'*'` in `ALLOWED_HOSTS`, never dropping
//! `SESSION_COOKIE_HTTPONLY`, never dropping `Secure` over HTTPS, never a
//! wildcard in `CSRF_TRUSTED_ORIGINS` the setup did not have.

use super::cors_headers::Cors;
use super::hosts::{effective_allowed_hosts, is_same_domain, split_domain_port};
use super::settings::{CorsPosition, DjangoApp, SameSiteSetting};
use super::settings_py::literal_of;

/// What the search knows about the scenario around the app.
pub struct Context {
    /// The page's origin, `http://localhost:5173`.
    pub page_origin: Option<String>,
    /// Every request goes to an https URL.
    pub api_is_https: bool,
    /// `host[:port]` of each request URL, with its path.
    pub requests: Vec<(String, String)>,
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
    pub apply: Box<dyn Fn(&mut DjangoApp)>,
}

fn edit(
    app: &DjangoApp,
    title: impl Into<String>,
    reason: impl Into<String>,
    rank: u8,
    apply: impl Fn(&mut DjangoApp) + 'static,
) -> Edit {
    let mut after = app.clone();
    apply(&mut after);
    let changes = super::settings_py::editable()
        .iter()
        .filter_map(|n| {
            let (a, b) = (literal_of(app, n)?, literal_of(&after, n)?);
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
pub fn edits(app: &DjangoApp, cx: &Context) -> Vec<Vec<Edit>> {
    vec![
        allowed_origin(app, cx),
        credentials(app),
        trusted_origin(app, cx),
        same_site_none(app),
        csrf_same_site_none(app),
        allowed_host(app, cx),
        cors_first(app),
        urls_regex(app, cx),
        allow_headers(app, cx),
        allow_methods(app, cx),
        secure_off_over_http(app, cx),
    ]
}

/// The page's origin in `CORS_ALLOWED_ORIGINS` (instead of
/// `CORS_ALLOW_ALL_ORIGINS` when that is on).
fn allowed_origin(app: &DjangoApp, cx: &Context) -> Vec<Edit> {
    let Some(o) = cx.page_origin.clone() else {
        return Vec::new();
    };
    if app.cors.allowed_origins.contains(&o) {
        return Vec::new();
    }
    let title = format!("CORS_ALLOWED_ORIGINS = ['{o}']");
    let reason = if app.cors.allow_all_origins {
        "List the front end instead of `CORS_ALLOW_ALL_ORIGINS = True`: with credentials that \
         reflects every origin, so any site could read the API as the logged-in user."
    } else {
        "django-cors-headers sends `Access-Control-Allow-Origin` only for an origin it finds in \
         `CORS_ALLOWED_ORIGINS` (scheme and host:port, no path)."
    };
    vec![edit(app, title, reason, 1, move |a| {
        a.cors.allow_all_origins = false;
        if !a.cors.allowed_origins.contains(&o) {
            a.cors.allowed_origins.push(o.clone());
        }
        if a.cors_position == CorsPosition::Missing {
            a.cors_position = CorsPosition::First;
        }
    })]
}

fn credentials(app: &DjangoApp) -> Vec<Edit> {
    if app.cors.allow_credentials {
        return Vec::new();
    }
    vec![edit(
        app,
        "CORS_ALLOW_CREDENTIALS = True",
        "A credentialed fetch (`credentials: 'include'`, `withCredentials`) can read the response \
         only with `Access-Control-Allow-Credentials: true`, which django-cors-headers sends only \
         with `CORS_ALLOW_CREDENTIALS = True`.",
        1,
        |a| a.cors.allow_credentials = true,
    )]
}

/// The page's origin in `CSRF_TRUSTED_ORIGINS` (with its scheme, Django 4.0+).
fn trusted_origin(app: &DjangoApp, cx: &Context) -> Vec<Edit> {
    let Some(o) = cx.page_origin.clone() else {
        return Vec::new();
    };
    if app.csrf.trusted_origins.contains(&o) {
        return Vec::new();
    }
    vec![edit(
        app,
        format!("CSRF_TRUSTED_ORIGINS = ['{o}']"),
        "Since Django 4.0 CsrfViewMiddleware checks the Origin header of every POST against the \
         API's own origin and `CSRF_TRUSTED_ORIGINS`; a front end on another origin must be listed \
         there, with its scheme.",
        2,
        move |a| {
            a.csrf.trusted_origins.retain(|t| t.contains("://"));
            a.csrf.trusted_origins.push(o.clone());
        },
    )]
}

fn same_site_none(app: &DjangoApp) -> Vec<Edit> {
    if app.session.cookie_samesite == SameSiteSetting::None && app.session.cookie_secure {
        return Vec::new();
    }
    vec![edit(
        app,
        "SESSION_COOKIE_SAMESITE = 'None', SESSION_COOKIE_SECURE = True",
        "`SESSION_COOKIE_SAMESITE` is `'Lax'` by default since Django 2.1, so the session cookie \
         is not sent on a fetch from another site. `'None'` sends it, and browsers accept \
         `SameSite=None` only with `Secure` (HTTPS; localhost counts as secure in Chrome and Firefox).",
        3,
        |a| {
            a.session.cookie_samesite = SameSiteSetting::None;
            a.session.cookie_secure = true;
        },
    )]
}

fn csrf_same_site_none(app: &DjangoApp) -> Vec<Edit> {
    if app.csrf.use_sessions
        || (app.csrf.cookie_samesite == SameSiteSetting::None && app.csrf.cookie_secure)
    {
        return Vec::new();
    }
    vec![edit(
        app,
        "CSRF_COOKIE_SAMESITE = 'None', CSRF_COOKIE_SECURE = True",
        "The csrftoken cookie must reach the API from the front end's site too, or every POST \
         fails with \"CSRF cookie not set.\"; `CSRF_COOKIE_SAMESITE` is `'Lax'` by default.",
        3,
        |a| {
            a.csrf.cookie_samesite = SameSiteSetting::None;
            a.csrf.cookie_secure = true;
        },
    )]
}

/// The API's host in `ALLOWED_HOSTS` (never `'*'`).
fn allowed_host(app: &DjangoApp, cx: &Context) -> Vec<Edit> {
    let allowed = effective_allowed_hosts(app);
    let mut out = Vec::new();
    for (host, _) in &cx.requests {
        let (domain, _) = split_domain_port(host);
        if domain.is_empty()
            || allowed
                .iter()
                .any(|p| p == "*" || is_same_domain(&domain, p))
        {
            continue;
        }
        let d = domain.clone();
        out.push(edit(
            app,
            format!("ALLOWED_HOSTS = ['{domain}']"),
            format!(
                "Django answers 400 (DisallowedHost) to a Host that is not in `ALLOWED_HOSTS`; add \
                 the API's name, {domain}."
            ),
            2,
            move |a| {
                if !a.allowed_hosts.contains(&d) {
                    a.allowed_hosts.push(d.clone());
                }
            },
        ));
        break;
    }
    out
}

fn cors_first(app: &DjangoApp) -> Vec<Edit> {
    if app.cors_position == CorsPosition::First {
        return Vec::new();
    }
    vec![edit(
        app,
        "\"corsheaders.middleware.CorsMiddleware\" first in MIDDLEWARE",
        "django-cors-headers' README: place CorsMiddleware as high as possible, before any \
         middleware that can generate responses such as CommonMiddleware; a response made before \
         it runs carries no CORS headers.",
        2,
        |a| a.cors_position = CorsPosition::First,
    )]
}

fn urls_regex(app: &DjangoApp, cx: &Context) -> Vec<Edit> {
    let cors = Cors::new(&app.cors);
    if cx.requests.iter().all(|(_, p)| cors.is_enabled(p)) {
        return Vec::new();
    }
    vec![edit(
        app,
        "CORS_URLS_REGEX = r'^.*$'",
        "`CORS_URLS_REGEX` does not match every path the page calls, and django-cors-headers \
         ignores the others; its default, `r'^.*$'`, handles every path.",
        4,
        |a| a.cors.urls_regex = r"^.*$".into(),
    )]
}

fn allow_headers(app: &DjangoApp, cx: &Context) -> Vec<Edit> {
    let missing: Vec<String> = cx
        .custom_headers
        .iter()
        .filter(|h| {
            !app.cors
                .allow_headers
                .iter()
                .any(|a| a.eq_ignore_ascii_case(h))
        })
        .cloned()
        .collect();
    if missing.is_empty() {
        return Vec::new();
    }
    let title = format!(
        "CORS_ALLOW_HEADERS = (*default_headers, {})",
        missing
            .iter()
            .map(|m| format!("'{m}'"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    vec![edit(
        app,
        title,
        "The preflight asks for headers `CORS_ALLOW_HEADERS` does not list; the browser then \
         refuses to send the request. Extend `corsheaders.defaults.default_headers`.",
        3,
        move |a| {
            for m in &missing {
                if !a
                    .cors
                    .allow_headers
                    .iter()
                    .any(|x| x.eq_ignore_ascii_case(m))
                {
                    a.cors.allow_headers.push(m.clone());
                }
            }
        },
    )]
}

fn allow_methods(app: &DjangoApp, cx: &Context) -> Vec<Edit> {
    let missing: Vec<String> = cx
        .methods
        .iter()
        .filter(|m| {
            !app.cors
                .allow_methods
                .iter()
                .any(|a| a.eq_ignore_ascii_case(m))
        })
        .cloned()
        .collect();
    if missing.is_empty() {
        return Vec::new();
    }
    vec![edit(
        app,
        format!("CORS_ALLOW_METHODS += {missing:?}"),
        "The preflight asks for a method `CORS_ALLOW_METHODS` does not list.",
        3,
        move |a| {
            for m in &missing {
                if !a
                    .cors
                    .allow_methods
                    .iter()
                    .any(|x| x.eq_ignore_ascii_case(m))
                {
                    a.cors.allow_methods.push(m.clone());
                }
            }
        },
    )]
}

/// `SESSION_COOKIE_SECURE = False` for a plain-http API outside localhost
/// (a browser stores no Secure cookie from plain http there).
fn secure_off_over_http(app: &DjangoApp, cx: &Context) -> Vec<Edit> {
    if cx.api_is_https || !app.session.cookie_secure {
        return Vec::new();
    }
    vec![edit(
        app,
        "SESSION_COOKIE_SECURE = False (plain-http development only)",
        "A `Secure` cookie set over plain http (other than localhost) is dropped by the browser; \
         serve the API over https in production instead.",
        5,
        |a| a.session.cookie_secure = false,
    )]
}

/// The safety rules for a candidate against the original.
pub fn is_safe(candidate: &DjangoApp, original: &DjangoApp, api_is_https: bool) -> bool {
    let all_with_credentials = candidate.cors.allow_all_origins && candidate.cors.allow_credentials;
    let any_host = candidate.allowed_hosts.iter().any(|h| h == "*")
        && !original.allowed_hosts.iter().any(|h| h == "*");
    let dropped_httponly = original.session.cookie_httponly && !candidate.session.cookie_httponly;
    let dropped_secure = api_is_https
        && ((original.session.cookie_secure && !candidate.session.cookie_secure)
            || (original.csrf.cookie_secure && !candidate.csrf.cookie_secure));
    let new_wildcard = candidate
        .csrf
        .trusted_origins
        .iter()
        .any(|t| t.contains('*') && !original.csrf.trusted_origins.contains(t));
    let new_exempt = candidate.urls.iter().filter(|r| r.csrf_exempt).count()
        > original.urls.iter().filter(|r| r.csrf_exempt).count();
    !all_with_credentials
        && !any_host
        && !dropped_httponly
        && !dropped_secure
        && !new_wildcard
        && !new_exempt
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cx() -> Context {
        Context {
            page_origin: Some("http://localhost:5173".into()),
            api_is_https: false,
            requests: vec![("api.example.test:8000".into(), "/api/login/".into())],
            custom_headers: vec!["x-csrftoken".into(), "x-client".into()],
            methods: vec!["POST".into()],
        }
    }

    #[test]
    fn edits_say_what_they_change_and_stay_safe() {
        let mut app = DjangoApp::default();
        app.cors.allow_all_origins = true;
        app.cors.allow_credentials = true;
        let all: Vec<Edit> = edits(&app, &cx()).into_iter().flatten().collect();
        let titles: Vec<&str> = all.iter().map(|e| e.title.as_str()).collect();
        assert!(titles.contains(&"CORS_ALLOWED_ORIGINS = ['http://localhost:5173']"));
        assert!(titles.contains(&"ALLOWED_HOSTS = ['api.example.test']"));
        assert!(titles.contains(&"CORS_ALLOW_HEADERS = (*default_headers, 'x-client')"));
        let origin = &all[0];
        assert!(origin.changes.contains(&(
            "CORS_ALLOW_ALL_ORIGINS".into(),
            "True".into(),
            "False".into()
        )));
        // The original is unsafe; the origin edit makes it safe.
        assert!(!is_safe(&app, &app, false));
        let mut fixed = app.clone();
        (origin.apply)(&mut fixed);
        assert!(is_safe(&fixed, &app, false));
        for e in &all {
            assert!(!e.changes.is_empty(), "{} changes nothing", e.title);
        }
    }

    #[test]
    fn unsafe_changes_are_refused() {
        let o = DjangoApp::default();
        let mut c = o.clone();
        c.allowed_hosts.push("*".into());
        assert!(!is_safe(&c, &o, false));
        let mut c = o.clone();
        c.session.cookie_httponly = false;
        assert!(!is_safe(&c, &o, false));
        let mut o2 = o.clone();
        o2.session.cookie_secure = true;
        let mut c = o2.clone();
        c.session.cookie_secure = false;
        assert!(!is_safe(&c, &o2, true));
        assert!(is_safe(&c, &o2, false));
        let mut c = o.clone();
        c.csrf.trusted_origins.push("https://*.example.com".into());
        assert!(!is_safe(&c, &o, false));
        let mut c = o.clone();
        c.urls[0].csrf_exempt = true;
        assert!(!is_safe(&c, &o, false));
    }
}
