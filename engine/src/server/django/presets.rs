//! The Django setups of the presets menu: the well-known failures, each a
//! page, its requests and the app.

use crate::scenario::{BodyKind, Client, CredentialsMode, RedirectMode, RequestMode, RequestSpec};

use super::settings::{DjangoApp, SameSiteSetting};

/// The first CSRF secret the model's csrf view issues (Django draws one at
/// random): the value of the `csrftoken` cookie that the page's code reads
/// from `document.cookie` and sends back in `X-CSRFToken`.
pub const FIRST_CSRF_TOKEN: &str = "ctcsrf00000000000000000000000001";

/// One preset: what the page is, what it does and the Django app behind it.
pub struct DjangoPreset {
    pub id: &'static str,
    pub title: &'static str,
    pub summary: &'static str,
    pub page_url: String,
    pub requests: Vec<RequestSpec>,
    pub app: DjangoApp,
}

const INCLUDE: Client = Client::Fetch {
    mode: RequestMode::Cors,
    credentials: CredentialsMode::Include,
    redirect: RedirectMode::Follow,
};

/// `GET /api/csrf/`, `POST /api/login/` with the token, `GET /api/me/`,
/// all with `credentials: 'include'`.
pub fn spa_login(api: &str) -> Vec<RequestSpec> {
    let get = |path: &str, delay| RequestSpec {
        url: format!("{api}{path}"),
        method: "GET".into(),
        client: INCLUDE,
        delay_secs: delay,
        ..RequestSpec::default()
    };
    vec![
        get("/api/csrf/", 0),
        RequestSpec {
            url: format!("{api}/api/login/"),
            method: "POST".into(),
            headers: format!("Content-Type: application/json\nX-CSRFToken: {FIRST_CSRF_TOKEN}"),
            body: BodyKind::Json,
            client: INCLUDE,
            delay_secs: 1,
            ..RequestSpec::default()
        },
        get("/api/me/", 1),
    ]
}

fn app(front: &str, api_host: &str, edit: impl FnOnce(&mut DjangoApp)) -> DjangoApp {
    let mut a = DjangoApp {
        allowed_hosts: vec![api_host.into()],
        ..DjangoApp::default()
    };
    a.cors.allowed_origins = vec![front.into()];
    a.cors.allow_credentials = true;
    a.csrf.trusted_origins = vec![front.into()];
    edit(&mut a);
    a
}

pub fn all() -> Vec<DjangoPreset> {
    vec![
        DjangoPreset {
            id: "django-lax-default-cross-site",
            title: "Django: the Lax default on a cross-site SPA",
            summary: "CORS and CSRF_TRUSTED_ORIGINS are right, but SESSION_COOKIE_SAMESITE and \
                      CSRF_COOKIE_SAMESITE are 'Lax' by default since Django 2.1: the SPA on \
                      another site never gets the cookies.",
            page_url: "https://app.example.com/".into(),
            requests: spa_login("https://api.example.org"),
            app: app("https://app.example.com", "api.example.org", |_| {}),
        },
        DjangoPreset {
            id: "django-cors-passes-csrf-fails",
            title: "Django: CORS passes, CSRF fails (403)",
            summary: "django-cors-headers allows the front end, but CSRF_TRUSTED_ORIGINS does not \
                      list it: every POST is 403 \"Origin checking failed\".",
            page_url: "http://localhost:5173/".into(),
            requests: spa_login("http://localhost:8000"),
            app: app("http://localhost:5173", "localhost", |a| {
                a.csrf.trusted_origins.clear();
            }),
        },
        DjangoPreset {
            id: "django-allow-all-with-credentials",
            title: "Django: CORS_ALLOW_ALL_ORIGINS with credentials",
            summary: "The login works, but with CORS_ALLOW_ALL_ORIGINS = True and \
                      CORS_ALLOW_CREDENTIALS = True django-cors-headers reflects every Origin \
                      with credentials: any other site can read the API as the logged-in user.",
            page_url: "https://app.example.com/".into(),
            requests: spa_login("https://api.example.org"),
            app: app("https://app.example.com", "api.example.org", |a| {
                a.cors.allowed_origins.clear();
                a.cors.allow_all_origins = true;
                a.session.cookie_samesite = SameSiteSetting::None;
                a.session.cookie_secure = true;
                a.csrf.cookie_samesite = SameSiteSetting::None;
                a.csrf.cookie_secure = true;
            }),
        },
    ]
}
