//! The Laravel setups of the presets menu: the well-known Sanctum SPA
//! failures, each a page, its requests and the app.

use crate::scenario::{BodyKind, Client, CredentialsMode, RedirectMode, RequestMode, RequestSpec};

use super::settings::LaravelApp;

pub struct LaravelPreset {
    pub id: &'static str,
    pub title: &'static str,
    pub summary: &'static str,
    pub page_url: String,
    pub requests: Vec<RequestSpec>,
    pub app: LaravelApp,
}

/// axios with `withCredentials: true` and `withXSRFToken: true`, as
/// Sanctum's documentation configures it for a front end on another origin.
pub const AXIOS: Client = Client::Axios {
    with_credentials: true,
    with_xsrf_token: true,
};

pub const FETCH: Client = Client::Fetch {
    mode: RequestMode::Cors,
    credentials: CredentialsMode::Include,
    redirect: RedirectMode::Follow,
};

/// `GET /sanctum/csrf-cookie`, `POST /login`, `GET /api/user`.
pub fn sanctum_login(api: &str, client: Client) -> Vec<RequestSpec> {
    let headers = match client {
        // fetch sends Accept: */*; the SPA asks for JSON as Sanctum's docs do.
        Client::Fetch { .. } => "Accept: application/json".to_string(),
        _ => String::new(),
    };
    let get = |path: &str, delay| RequestSpec {
        url: format!("{api}{path}"),
        method: "GET".into(),
        headers: headers.clone(),
        client,
        delay_secs: delay,
        ..RequestSpec::default()
    };
    vec![
        get("/sanctum/csrf-cookie", 0),
        RequestSpec {
            url: format!("{api}/login"),
            method: "POST".into(),
            headers: if headers.is_empty() {
                String::new()
            } else {
                format!("{headers}\nContent-Type: application/json")
            },
            body: BodyKind::Json,
            client,
            delay_secs: 1,
            ..RequestSpec::default()
        },
        get("/api/user", 1),
    ]
}

/// An app set up as Sanctum's SPA guide says for this front end: the origin
/// in `allowed_origins`, `supports_credentials`, `login`/`logout` in `paths`,
/// `statefulApi()`.
pub fn spa_app(front: &str, edit: impl FnOnce(&mut LaravelApp)) -> LaravelApp {
    let mut a = LaravelApp::default();
    a.cors.allowed_origins = vec![front.into()];
    a.cors.supports_credentials = true;
    a.cors
        .paths
        .extend(["login".to_string(), "logout".to_string()]);
    a.stateful_api = true;
    edit(&mut a);
    a
}

pub fn all() -> Vec<LaravelPreset> {
    vec![
        LaravelPreset {
            id: "laravel-stateful-domain-port",
            title: "Sanctum: stateful domain without the port (localhost vs localhost:3000)",
            summary: "SANCTUM_STATEFUL_DOMAINS=localhost, but the SPA runs on localhost:3000: \
                      Sanctum matches host and port, so /api/user starts no session and answers \
                      401 right after a login that worked.",
            page_url: "http://localhost:3000/".into(),
            requests: sanctum_login("http://localhost:8000", AXIOS),
            app: spa_app("http://localhost:3000", |a| {
                a.app_url = "http://localhost:8000".into();
                a.stateful_domains = Some("localhost".into());
            }),
        },
        LaravelPreset {
            id: "laravel-fetch-no-xsrf-token",
            title: "Sanctum: fetch and no X-XSRF-TOKEN (419)",
            summary: "CORS and the stateful domain are right, but fetch(), unlike axios, never \
                      copies the XSRF-TOKEN cookie into an X-XSRF-TOKEN header: the login is \
                      419 \"CSRF token mismatch.\"",
            page_url: "http://localhost:3000/".into(),
            requests: sanctum_login("http://localhost:8000", FETCH),
            app: spa_app("http://localhost:3000", |a| {
                a.app_url = "http://localhost:8000".into();
            }),
        },
        LaravelPreset {
            id: "laravel-session-domain-public-suffix",
            title: "Laravel: SESSION_DOMAIN set to a public suffix",
            summary: "SESSION_DOMAIN=.herokuapp.com to share the session between two Heroku \
                      apps: herokuapp.com is a public suffix, so the browser rejects both \
                      cookies and the login is 419.",
            page_url: "https://myapp-web.herokuapp.com/".into(),
            requests: sanctum_login("https://myapp-api.herokuapp.com", AXIOS),
            app: spa_app("https://myapp-web.herokuapp.com", |a| {
                a.app_url = "https://myapp-api.herokuapp.com".into();
                a.session.domain = Some(".herokuapp.com".into());
                a.stateful_domains = Some("myapp-web.herokuapp.com".into());
            }),
        },
        LaravelPreset {
            id: "laravel-test-domain-localhost-front",
            title: "Laravel on *.test with a front end on localhost",
            summary: "The API is served by Valet or Herd at http://myapp.test, the SPA by Vite \
                      at http://localhost:3000: two different sites, so the Lax session and \
                      XSRF-TOKEN cookies never work for the SPA, and axios cannot read a \
                      myapp.test cookie from localhost.",
            page_url: "http://localhost:3000/".into(),
            requests: sanctum_login("http://myapp.test", AXIOS),
            app: spa_app("http://localhost:3000", |a| {
                a.app_url = "http://myapp.test".into();
            }),
        },
    ]
}
