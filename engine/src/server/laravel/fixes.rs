//! The single changes to `config/cors.php`, `.env` and `bootstrap/app.php`
//! the fix search may try for a Laravel API, one function per kind, in
//! Laravel's words, and the safety rules every combination keeps: never
//! `'allowed_origins' => ['*']` with `'supports_credentials' => true`,
//! never a public suffix (or a domain the API is not under) in
//! SESSION_DOMAIN, never a new wildcard in SANCTUM_STATEFUL_DOMAINS or
//! `allowed_origins`, never dropping SESSION_HTTP_ONLY, never dropping
//! Secure when the API is served over https.

use super::cors::decoded_path;
use super::keys::{cors_of, env_of, CORS_KEYS, ENV_KEYS};
use super::settings::{Front, LaravelApp, SameSite, SessionDriver};

/// What the search knows about the scenario around the app.
pub struct Context {
    /// The page's origin, `http://localhost:3000`.
    pub page_origin: Option<String>,
    /// The page's `host[:port]` as Sanctum compares it.
    pub page_host_port: Option<String>,
    pub api_is_https: bool,
    /// The API's host names.
    pub api_hosts: Vec<String>,
    /// The request paths (`/login`).
    pub paths: Vec<String>,
}

/// One change: the settings it touches (name, old, new).
pub struct Edit {
    pub title: String,
    pub reason: String,
    pub changes: Vec<(String, String, String)>,
    pub rank: u8,
    pub apply: Box<dyn Fn(&mut LaravelApp)>,
}

/// The settings as the form names them, with their written values.
fn settings(app: &LaravelApp) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for k in ENV_KEYS {
        out.push((
            k.to_string(),
            env_of(app, k).unwrap_or_else(|| "(not set)".into()),
        ));
    }
    for k in CORS_KEYS {
        out.push((format!("cors.{k}"), cors_of(app, k).unwrap_or_default()));
    }
    out.push(("laravel.stateful_api".into(), app.stateful_api.to_string()));
    out.push((
        "laravel.trust_proxies".into(),
        app.trust_proxies.to_string(),
    ));
    out
}

fn edit(
    app: &LaravelApp,
    title: impl Into<String>,
    reason: impl Into<String>,
    rank: u8,
    apply: impl Fn(&mut LaravelApp) + 'static,
) -> Edit {
    let mut after = app.clone();
    apply(&mut after);
    let changes = settings(app)
        .into_iter()
        .zip(settings(&after))
        .filter(|((_, a), (_, b))| a != b)
        .map(|((n, a), (_, b))| (n, a, b))
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
pub fn edits(app: &LaravelApp, cx: &Context) -> Vec<Vec<Edit>> {
    vec![
        allowed_origin(app, cx),
        supports_credentials(app),
        cors_paths(app, cx),
        stateful_domain(app, cx),
        stateful_api(app),
        session_domain(app, cx),
        trust_proxies(app),
        session_driver(app),
        same_site_none(app, cx),
    ]
}

fn allowed_origin(app: &LaravelApp, cx: &Context) -> Vec<Edit> {
    let Some(o) = cx.page_origin.clone() else {
        return Vec::new();
    };
    let c = &app.cors;
    if c.allowed_origins.contains(&o) && !c.allowed_origins.iter().any(|x| x == "*") {
        return Vec::new();
    }
    let reason = if c.allowed_origins.iter().any(|x| x == "*") {
        "`'allowed_origins' => ['*']` sends `Access-Control-Allow-Origin: *`, which no request with cookies may read (and with `supports_credentials` it would echo every site). List the front end's origin instead."
    } else {
        "php-cors sends `Access-Control-Allow-Origin` only for an origin it finds in `allowed_origins` (scheme, host and port, exactly), or for the single origin listed."
    };
    vec![edit(
        app,
        format!("'allowed_origins' => ['{o}']"),
        reason,
        1,
        move |a| {
            a.cors.allowed_origins.retain(|x| x != "*");
            if !a.cors.allowed_origins.contains(&o) {
                a.cors.allowed_origins.push(o.clone());
            }
        },
    )]
}

fn supports_credentials(app: &LaravelApp) -> Vec<Edit> {
    if app.cors.supports_credentials {
        return Vec::new();
    }
    vec![edit(
        app,
        "'supports_credentials' => true",
        "Sanctum's SPA authentication sends the session cookie on every request (`withCredentials: true`, `credentials: 'include'`), and the browser lets the page read such a response only with `Access-Control-Allow-Credentials: true`, which php-cors sends with `'supports_credentials' => true` in config/cors.php.",
        1,
        |a| a.cors.supports_credentials = true,
    )]
}

/// The request paths `HandleCors` skips, added to `paths`.
fn cors_paths(app: &LaravelApp, cx: &Context) -> Vec<Edit> {
    let cors = match super::cors::Cors::new(&app.cors) {
        Ok(c) => c,
        Err(_) => return Vec::new(),
    };
    let mut missing = Vec::new();
    for p in &cx.paths {
        let req = crate::http::WireRequest {
            method: "GET".into(),
            url: format!("http://h{p}"),
            headers: crate::headers::HeaderList::new(),
            is_preflight: false,
        };
        let d = decoded_path(p);
        if !cors.has_matching_path(&req) && !missing.contains(&d) {
            missing.push(d);
        }
    }
    if missing.is_empty() {
        return Vec::new();
    }
    let list = missing
        .iter()
        .map(|m| format!("'{m}'"))
        .collect::<Vec<_>>()
        .join(", ");
    vec![edit(
        app,
        format!("Add {list} to 'paths' in config/cors.php"),
        "`HandleCors` answers preflights and adds CORS headers only for paths matching `paths`; the SPA's login and logout routes live outside `api/*` and must be listed too.",
        2,
        move |a| {
            for m in &missing {
                if !a.cors.paths.contains(m) {
                    a.cors.paths.push(m.clone());
                }
            }
        },
    )]
}

fn stateful_domain(app: &LaravelApp, cx: &Context) -> Vec<Edit> {
    let Some(hp) = cx.page_host_port.clone() else {
        return Vec::new();
    };
    let list = app.stateful();
    if list.iter().any(|s| s.trim() == hp) {
        return Vec::new();
    }
    let mut new = list.clone();
    new.push(hp.clone());
    let value = new.join(",");
    vec![edit(
        app,
        format!("SANCTUM_STATEFUL_DOMAINS={value}"),
        format!(
            "Sanctum starts the session for a request only when its Referer or Origin, without the scheme, matches an entry of SANCTUM_STATEFUL_DOMAINS — host and port: `{hp}` must be listed as such."
        ),
        1,
        move |a| a.stateful_domains = Some(value.clone()),
    )]
}

fn stateful_api(app: &LaravelApp) -> Vec<Edit> {
    if app.stateful_api {
        return Vec::new();
    }
    let title = match app.version {
        super::settings::LaravelVersion::V10 => {
            "Uncomment EnsureFrontendRequestsAreStateful in the 'api' group of app/Http/Kernel.php"
        }
        _ => "$middleware->statefulApi() in bootstrap/app.php",
    };
    vec![edit(
        app,
        title,
        "Without `EnsureFrontendRequestsAreStateful` in the `api` group, `/api/*` routes start no session, so `auth:sanctum` never sees the user the SPA logged in.",
        1,
        |a| a.stateful_api = true,
    )]
}

fn session_domain(app: &LaravelApp, cx: &Context) -> Vec<Edit> {
    let Some(d) = app.session.domain.clone() else {
        return Vec::new();
    };
    let bare = d.trim_start_matches('.').to_ascii_lowercase();
    let covers = cx
        .api_hosts
        .iter()
        .all(|h| *h == bare || h.ends_with(&format!(".{bare}")));
    if covers && !crate::site::is_public_suffix(&bare) {
        return Vec::new();
    }
    vec![edit(
        app,
        "SESSION_DOMAIN=null",
        format!(
            "The browser rejects a cookie whose Domain is {} (SESSION_DOMAIN={d}); leave SESSION_DOMAIN null for a host-only cookie on the API's own host.",
            if covers { "a public suffix, which anyone may register under" } else { "not the API's host or a parent of it" }
        ),
        1,
        |a| a.session.domain = None,
    )]
}

fn trust_proxies(app: &LaravelApp) -> Vec<Edit> {
    if app.trust_proxies || app.front != Front::TlsProxy {
        return Vec::new();
    }
    vec![edit(
        app,
        "$middleware->trustProxies(at: '*')",
        "Behind a TLS proxy PHP sees plain http; trusting the proxy makes Laravel read `X-Forwarded-Proto`, so `$request->isSecure()` is true and cookies left to the default secure setting get `secure`.",
        2,
        |a| a.trust_proxies = true,
    )]
}

fn session_driver(app: &LaravelApp) -> Vec<Edit> {
    if app.session.driver != SessionDriver::Array {
        return Vec::new();
    }
    vec![edit(
        app,
        "SESSION_DRIVER=database",
        "The `array` driver forgets the session after each request, so the CSRF token and the login never reach the next request.",
        1,
        |a| a.session.driver = SessionDriver::Database,
    )]
}

/// `SESSION_SAME_SITE=none` with `SESSION_SECURE_COOKIE=true`, over https
/// only (a `SameSite=None` cookie must be Secure).
fn same_site_none(app: &LaravelApp, cx: &Context) -> Vec<Edit> {
    if !cx.api_is_https || app.session.same_site == SameSite::None {
        return Vec::new();
    }
    vec![edit(
        app,
        "SESSION_SAME_SITE=none and SESSION_SECURE_COOKIE=true",
        "A front end on another site gets the cookies only with `SameSite=None; Secure`. Sanctum still forces `lax` on the `/api/*` requests it makes stateful, so this helps only the `web` routes (csrf-cookie, login).",
        3,
        |a| {
            a.session.same_site = SameSite::None;
            a.session.secure = Some(true);
        },
    )]
}

/// The safety rules.
pub fn is_safe(candidate: &LaravelApp, original: &LaravelApp, api_is_https: bool) -> bool {
    let c = &candidate.cors;
    let star_with_credentials =
        c.allowed_origins.iter().any(|o| o == "*") && c.supports_credentials;
    let public_domain = candidate.session.domain.as_ref().is_some_and(|d| {
        crate::site::is_public_suffix(&d.trim_start_matches('.').to_ascii_lowercase())
    }) && candidate.session.domain != original.session.domain;
    let new_wildcard_origin = c
        .allowed_origins
        .iter()
        .any(|o| o.contains('*') && !original.cors.allowed_origins.contains(o));
    let new_pattern = c
        .allowed_origins_patterns
        .iter()
        .any(|p| !original.cors.allowed_origins_patterns.contains(p));
    let new_wildcard_stateful = candidate
        .stateful()
        .iter()
        .any(|s| s.contains('*') && !original.stateful().contains(s));
    let dropped_httponly = original.session.http_only && !candidate.session.http_only;
    let secure = |a: &LaravelApp| a.session.secure != Some(false);
    let dropped_secure = api_is_https && secure(original) && !secure(candidate);
    !star_with_credentials
        && !public_domain
        && !new_wildcard_origin
        && !new_pattern
        && !new_wildcard_stateful
        && !dropped_httponly
        && !dropped_secure
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cx() -> Context {
        Context {
            page_origin: Some("http://localhost:5173".into()),
            page_host_port: Some("localhost:5173".into()),
            api_is_https: false,
            api_hosts: vec!["localhost".into()],
            paths: vec![
                "/sanctum/csrf-cookie".into(),
                "/login".into(),
                "/api/user".into(),
            ],
        }
    }

    #[test]
    fn edits_name_laravel_settings_and_stay_safe() {
        let mut app = LaravelApp::default();
        app.session.domain = Some("github.io".into());
        app.session.driver = SessionDriver::Array;
        let all: Vec<Edit> = edits(&app, &cx()).into_iter().flatten().collect();
        // `supports_credentials` alone on the default `['*']` would echo
        // every origin: the search may only combine it with the origin.
        let credentials = all
            .iter()
            .find(|e| e.title.starts_with("'supports"))
            .unwrap();
        let mut alone = app.clone();
        (credentials.apply)(&mut alone);
        assert!(!is_safe(&alone, &app, false));
        app.cors.allowed_origins = vec!["http://localhost:3000".into()];
        let all: Vec<Edit> = edits(&app, &cx()).into_iter().flatten().collect();
        let titles: Vec<&str> = all.iter().map(|e| e.title.as_str()).collect();
        for want in [
            "'allowed_origins' => ['http://localhost:5173']",
            "'supports_credentials' => true",
            "Add 'login' to 'paths' in config/cors.php",
            "SANCTUM_STATEFUL_DOMAINS=localhost,localhost:3000,127.0.0.1,127.0.0.1:8000,::1,localhost,localhost:5173",
            "$middleware->statefulApi() in bootstrap/app.php",
            "SESSION_DOMAIN=null",
            "SESSION_DRIVER=database",
        ] {
            assert!(titles.contains(&want), "{want} in {titles:?}");
        }
        for e in &all {
            assert!(!e.changes.is_empty(), "{} changes nothing", e.title);
            let mut a = app.clone();
            (e.apply)(&mut a);
            assert!(is_safe(&a, &app, false), "{} is unsafe", e.title);
        }
        // Every edit applied together is still safe.
        let mut a = app.clone();
        for e in &all {
            (e.apply)(&mut a);
        }
        assert!(is_safe(&a, &app, false));
        assert!(!a.cors.allowed_origins.contains(&"*".to_string()));
    }

    #[test]
    fn the_unsafe_settings_are_refused() {
        let o = LaravelApp::default();
        let mut star = o.clone();
        star.cors.supports_credentials = true;
        assert!(
            !is_safe(&star, &o, false),
            "['*'] with supports_credentials"
        );
        let mut psl = o.clone();
        psl.session.domain = Some(".herokuapp.com".into());
        assert!(!is_safe(&psl, &o, false), "a public-suffix SESSION_DOMAIN");
        let mut wild = o.clone();
        wild.stateful_domains = Some("*".into());
        assert!(!is_safe(&wild, &o, false));
        let mut ho = o.clone();
        ho.session.http_only = false;
        assert!(!is_safe(&ho, &o, false));
        let mut insecure = o.clone();
        insecure.session.secure = Some(false);
        assert!(!is_safe(&insecure, &o, true));
        assert!(is_safe(&insecure, &o, false));
        let mut pat = o.clone();
        pat.cors.allowed_origins_patterns = vec!["#.*#".into()];
        assert!(!is_safe(&pat, &o, false));
    }
}
