//! The FastAPI setups of the presets menu: the well-known failures, each a
//! page, its requests and the app.

use crate::scenario::{BodyKind, Client, CredentialsMode, RedirectMode, RequestMode, RequestSpec};

use super::settings::*;

/// One preset: what the page is, what it does and the app behind it.
pub struct FastApiPreset {
    pub id: &'static str,
    pub title: &'static str,
    pub summary: &'static str,
    pub page_url: String,
    pub requests: Vec<RequestSpec>,
    pub app: FastApiApp,
}

const INCLUDE: Client = Client::Fetch {
    mode: RequestMode::Cors,
    credentials: CredentialsMode::Include,
    redirect: RedirectMode::Follow,
};

fn get(url: String, delay: u64) -> RequestSpec {
    RequestSpec {
        url,
        method: "GET".into(),
        client: INCLUDE,
        delay_secs: delay,
        ..RequestSpec::default()
    }
}

/// `POST /api/login` (JSON) then `GET /api/me`, with `credentials: 'include'`.
pub fn spa_login(api: &str) -> Vec<RequestSpec> {
    vec![
        RequestSpec {
            url: format!("{api}{LOGIN_PATH}"),
            method: "POST".into(),
            headers: "Content-Type: application/json".into(),
            body: BodyKind::Json,
            client: INCLUDE,
            delay_secs: 0,
            ..RequestSpec::default()
        },
        get(format!("{api}{ME_PATH}"), 1),
    ]
}

/// An app that allows `front` with credentials and the login's POST.
fn app(front: &str, edit: impl FnOnce(&mut FastApiApp)) -> FastApiApp {
    let mut a = FastApiApp::default();
    a.cors.allow_origins = vec![front.into()];
    a.cors.allow_credentials = true;
    a.cors.allow_methods = vec!["GET".into(), "POST".into()];
    edit(&mut a);
    a
}

pub fn all() -> Vec<FastApiPreset> {
    vec![
        FastApiPreset {
            id: "fastapi-wildcard-with-credentials",
            title: "FastAPI: allow_origins=[\"*\"] with allow_credentials=True",
            summary: "The CORSMiddleware settings copied from everywhere: allow_origins=[\"*\"], \
                      allow_credentials=True, allow_methods=[\"*\"], allow_headers=[\"*\"]. \
                      Starlette 1.x writes back every Origin with credentials (any site can read \
                      the API as the user); Starlette 0.x sent * to a request without cookies, \
                      which the browser refuses.",
            page_url: "http://localhost:5173/".into(),
            requests: spa_login("http://localhost:8000"),
            app: app("*", |a| {
                a.cors.allow_methods = vec!["*".into()];
                a.cors.allow_headers = vec!["*".into()];
            }),
        },
        FastApiPreset {
            id: "starlette-session-https-only-over-http",
            title: "Starlette: SessionMiddleware(https_only=True) over plain http",
            summary: "CORS is right, but SessionMiddleware(https_only=True) marks the session \
                      cookie secure and the API is plain http on a LAN name: the browser drops \
                      the cookie, and /api/me answers 401.",
            page_url: "http://app.example.test:5173/".into(),
            requests: spa_login("http://api.example.test:8000"),
            app: app("http://app.example.test:5173", |a| {
                a.session.https_only = true
            }),
        },
        FastApiPreset {
            id: "hosted-front-end-localhost-api",
            title: "Hosted front end calls my localhost API (Chrome asks first)",
            summary: "The front end is deployed on https://app.example.com and calls the FastAPI \
                      dev server on http://localhost:8000, with CORS and a SameSite=None; Secure \
                      session right. Chrome 142+ holds the login until the user allows the site \
                      to reach this device (Local Network Access): blocked, or in a headless \
                      test, it fails with TypeError: Failed to fetch.",
            page_url: "https://app.example.com/".into(),
            requests: spa_login("http://localhost:8000"),
            app: app("https://app.example.com", |a| {
                a.session.same_site = SameSite::None;
                a.session.https_only = true;
            }),
        },
        FastApiPreset {
            id: "fastapi-default-allow-methods",
            title: "FastAPI: allow_methods left at its default (\"GET\",)",
            summary: "allow_origins and allow_credentials are right, but allow_methods is \
                      (\"GET\",) by default: CORSMiddleware answers the login's preflight with \
                      400 \"Disallowed CORS method\".",
            page_url: "http://localhost:5173/".into(),
            requests: spa_login("http://localhost:8000"),
            app: app("http://localhost:5173", |a| {
                a.cors.allow_methods = vec!["GET".into()]
            }),
        },
        FastApiPreset {
            id: "fastapi-https-redirect-behind-proxy",
            title: "FastAPI: HTTPSRedirectMiddleware behind a proxy uvicorn does not trust",
            summary: "A TLS proxy on another container (172.18.0.2) in front of uvicorn, whose \
                      --forwarded-allow-ips is 127.0.0.1 by default: the app sees http, and \
                      HTTPSRedirectMiddleware redirects even the https preflight to itself.",
            page_url: "https://app.example.com/".into(),
            requests: spa_login("https://api.example.com"),
            app: app("https://app.example.com", |a| {
                a.middleware = vec![
                    Middleware::Session,
                    Middleware::Cors,
                    Middleware::HttpsRedirect,
                ];
                a.front = Front::TlsProxy;
                a.proxy_ip = "172.18.0.2".into();
                a.session.same_site = SameSite::None;
                a.session.https_only = true;
            }),
        },
        FastApiPreset {
            id: "fastapi-500-without-cors-headers",
            title: "FastAPI: an unhandled exception looks like a CORS error",
            summary:
                "The login works, then a route raises: ServerErrorMiddleware answers 500 outside \
                      CORSMiddleware, so the response has no Access-Control-Allow-Origin and the \
                      browser reports a CORS error instead of the server error.",
            page_url: "http://localhost:5173/".into(),
            requests: {
                let mut r = spa_login("http://localhost:8000");
                r[1] = get(format!("http://localhost:8000{BOOM_PATH}"), 1);
                r
            },
            app: app("http://localhost:5173", |_| {}),
        },
    ]
}
