//! Ready-made scenarios for the playground's presets menu: the three setups
//! of the article that started Crumbtrail (its problematic `cors.rb`, the
//! refined one, the refined one with its session store, and its `fetch`
//! call), plus the setups people most often ask about.
//!
//! Presets are data: the page lists them and loads one; tests pin what the
//! engine says about each.

use crate::profile::ProfileId;
use crate::scenario::{
    BodyKind, Client, CredentialsMode, Page, RedirectMode, RequestMode, RequestSpec, Scenario,
    ServerSetup,
};
use crate::server::express::{
    ExpressApp, Front, OriginOption, SameSiteOption as ExpressSameSite, SecureOption,
};
use crate::server::rails::{DomainOption, RailsApp, SameSiteOption, SessionMiddleware};

/// One entry of the presets menu.
#[derive(Clone, Debug, PartialEq)]
pub struct Preset {
    /// Stable identifier (used by tests and as a DOM attribute).
    pub id: &'static str,
    /// Menu label.
    pub title: &'static str,
    /// One sentence: what the setup is and what to look at.
    pub summary: &'static str,
    pub scenario: Scenario,
}

const INCLUDE: Client = Client::Fetch {
    mode: RequestMode::Cors,
    credentials: CredentialsMode::Include,
    redirect: RedirectMode::Follow,
};

/// `POST <api>/login` with a JSON body, then `GET <api><follow_up>`, both with
/// `credentials: 'include'`.
fn login_then(api: &str, follow_up: &str) -> Vec<RequestSpec> {
    vec![
        RequestSpec {
            url: format!("{api}/login"),
            method: "POST".into(),
            headers: "Content-Type: application/json".into(),
            body: BodyKind::Json,
            client: INCLUDE,
            delay_secs: 0,
            ..RequestSpec::default()
        },
        RequestSpec {
            url: format!("{api}{follow_up}"),
            method: "GET".into(),
            headers: String::new(),
            body: BodyKind::None,
            client: INCLUDE,
            delay_secs: 1,
            ..RequestSpec::default()
        },
    ]
}

/// A Rails app (the default one) with the given edit applied.
fn rails(edit: impl FnOnce(&mut RailsApp)) -> ServerSetup {
    let mut app = RailsApp::default();
    edit(&mut app);
    ServerSetup::Rails(app)
}

/// An Express app (the default one: Express 5, cors app-wide for
/// localhost:3000 with credentials, express-session) with the edit applied.
fn express(edit: impl FnOnce(&mut ExpressApp)) -> ServerSetup {
    let mut app = ExpressApp::default();
    edit(&mut app);
    ServerSetup::Express(app)
}

/// The article's refined `cors.rb`: explicit origins and `credentials: true`.
fn refined_cors(app: &mut RailsApp, origins: &[&str]) {
    let block = &mut app.cors.allow[0];
    block.origins = origins.iter().map(|o| o.to_string()).collect();
    block.resources[0].credentials = true;
}

const ARTICLE_ORIGINS: [&str; 2] = ["http://localhost:3000", "https://your-frontend-domain.com"];

fn scenario(page: &str, requests: Vec<RequestSpec>, server: ServerSetup) -> Scenario {
    Scenario {
        page: Page {
            url: page.into(),
            top_level_url: None,
            local_network: Default::default(),
            storage_access: Default::default(),
        },
        profile: ProfileId::Chrome,
        profile_version: None,
        requests,
        server,
        proxy: None,
        jar_at_start: Vec::new(),
    }
}

/// Every preset, in menu order.
pub fn all() -> Vec<Preset> {
    let mut out = vec![
        Preset {
            id: "article-problematic",
            title: "Article: the problematic cors.rb (origins '*')",
            summary: "The SPA on localhost:3000 logs in to the Rails API on localhost:3001 with credentials: 'include', but cors.rb allows origins '*' without credentials: the preflight fails.",
            scenario: Scenario::default(),
        },
        Preset {
            id: "article-refined",
            title: "Article: the refined cors.rb (explicit origins, credentials: true)",
            summary: "The same app with the article's refined cors.rb. localhost:3000 and localhost:3001 are the same site, so the default SameSite=Lax session cookie is stored and sent back.",
            scenario: scenario(
                "http://localhost:3000/",
                login_then("http://localhost:3001", "/me"),
                rails(|app| refined_cors(app, &ARTICLE_ORIGINS)),
            ),
        },
        Preset {
            id: "article-session-store",
            title: "Article: refined cors.rb + its session store (SameSite=None, secure, domain)",
            summary: "The article's session_store.rb (same_site: :none, secure: true, domain: '.your-domain.com') on plain http://localhost:3001: Rack never writes a secure session cookie over http, and the domain does not match localhost anyway.",
            scenario: scenario(
                "http://localhost:3000/",
                login_then("http://localhost:3001", "/me"),
                rails(|app| {
                    refined_cors(app, &ARTICLE_ORIGINS);
                    app.session.domain = DomainOption::Exact(".your-domain.com".into());
                    app.session.same_site = SameSiteOption::None;
                    app.session.secure = Some(true);
                }),
            ),
        },
        Preset {
            id: "article-fetch",
            title: "Article: its fetch call with credentials: 'include'",
            summary: "The article's fetch('http://localhost:3001/some_api_endpoint', { credentials: 'include' }) after a login, against the refined cors.rb: the cookie goes out and the response is readable.",
            scenario: scenario(
                "http://localhost:3000/",
                login_then("http://localhost:3001", "/some_api_endpoint"),
                rails(|app| refined_cors(app, &ARTICLE_ORIGINS)),
            ),
        },
        Preset {
            id: "same-site-subdomains",
            title: "Same-site subdomains (app.example.test → api.example.test, https)",
            summary: "Front end and API on two subdomains of one registrable domain, over https: the requests are cross-origin but same-site, so a SameSite=Lax, Secure session cookie works.",
            scenario: scenario(
                "https://app.example.test/",
                login_then("https://api.example.test", "/me"),
                rails(|app| {
                    refined_cors(app, &["https://app.example.test"]);
                    app.session.secure = Some(true);
                }),
            ),
        },
        Preset {
            id: "cross-site-samesite-none",
            title: "Cross-site SPA with SameSite=None; Secure (https)",
            summary: "Front end and API on different sites over https, session cookie SameSite=None; Secure: Chrome with default settings stores and sends it.",
            scenario: scenario(
                "https://app.frontend.test/",
                login_then("https://api.backend.test", "/me"),
                rails(|app| {
                    refined_cors(app, &["https://app.frontend.test"]);
                    app.session.same_site = SameSiteOption::None;
                    app.session.secure = Some(true);
                }),
            ),
        },
        Preset {
            id: "api-only-no-session-middleware",
            title: "API-only Rails app missing its session middleware",
            summary: "config.api_only = true removes the cookie and session middleware: CORS is right, but the login's session write goes nowhere and no Set-Cookie is ever sent.",
            scenario: scenario(
                "http://localhost:3000/",
                login_then("http://localhost:3001", "/me"),
                rails(|app| {
                    refined_cors(app, &["http://localhost:3000"]);
                    app.session_middleware = SessionMiddleware::None;
                }),
            ),
        },
        Preset {
            id: "localhost-vs-127",
            title: "localhost vs 127.0.0.1",
            summary: "The page on http://localhost:3000 calls the API on http://127.0.0.1:3001: two different sites, so the default SameSite=Lax session cookie from a cross-site fetch is rejected.",
            scenario: scenario(
                "http://localhost:3000/",
                login_then("http://127.0.0.1:3001", "/me"),
                rails(|app| refined_cors(app, &["http://localhost:3000"])),
            ),
        },
        Preset {
            id: "safari-third-party",
            title: "Safari blocking third-party cookies",
            summary: "The cross-site SPA with SameSite=None; Secure, in Safari: it blocks every third-party cookie, so the session cookie is never stored. Only putting the API on the same site (or proxying it) helps.",
            scenario: Scenario {
                profile: ProfileId::Safari,
                profile_version: None,
                ..scenario(
                    "https://app.frontend.test/",
                    login_then("https://api.backend.test", "/me"),
                    rails(|app| {
                        refined_cors(app, &["https://app.frontend.test"]);
                        app.session.same_site = SameSiteOption::None;
                        app.session.secure = Some(true);
                    }),
                )
            },
        },
        Preset {
            id: "embedded-widget-needs-its-cookie",
            title: "Embedded widget needs its cookie (third-party iframe)",
            summary: "A comments widget on https://widget.example is embedded in an iframe on https://blog.example and logs in with its own Express API, same-origin to the frame, with a SameSite=None; Secure session. Where third-party cookies are blocked (Chrome Incognito, Safari, and partitioned in Firefox) the session cookie is never stored: the frame must ask with document.requestStorageAccess() from a click.",
            scenario: Scenario {
                page: Page {
                    url: "https://widget.example/embed".into(),
                    top_level_url: Some("https://blog.example/post".into()),
                    ..Page::default()
                },
                profile: ProfileId::ChromeNo3pc,
                ..scenario(
                    "https://widget.example/embed",
                    login_then("https://widget.example", "/me"),
                    express(|app| {
                        app.cors.origin = OriginOption::Exact("https://blog.example".into());
                        app.session.secure = SecureOption::True;
                        app.session.same_site = ExpressSameSite::None;
                    }),
                )
            },
        },
        Preset {
            id: "express-origin-wildcard-credentials",
            title: "Express: cors({ origin: '*', credentials: true })",
            summary: "An Express API with cors({ origin: '*', credentials: true }): cors sends Access-Control-Allow-Origin: * next to Allow-Credentials: true, which the browser refuses for a credentialed request, so the login's preflight fails.",
            scenario: scenario(
                "http://localhost:3000/",
                login_then("http://localhost:3001", "/me"),
                express(|app| app.cors.origin = OriginOption::Any),
            ),
        },
        Preset {
            id: "express-secure-behind-proxy",
            title: "Express: cookie.secure behind a TLS proxy without trust proxy",
            summary: "Express behind a TLS-terminating proxy with express-session cookie: { secure: true, sameSite: 'none' } but no app.set('trust proxy', 1): Node sees plain http, so express-session silently sends no Set-Cookie at all.",
            scenario: scenario(
                "https://app.example.com/",
                login_then("https://api.example.com", "/me"),
                express(|app| {
                    app.cors.origin = OriginOption::Exact("https://app.example.com".into());
                    app.front = Front::TlsProxy;
                    app.session.secure = SecureOption::True;
                    app.session.same_site = ExpressSameSite::None;
                }),
            ),
        },
    ];
    out.extend(
        crate::server::django::presets::all()
            .into_iter()
            .map(|p| Preset {
                id: p.id,
                title: p.title,
                summary: p.summary,
                scenario: Scenario {
                    page: Page {
                        url: p.page_url,
                        top_level_url: None,
                        local_network: Default::default(),
                        storage_access: Default::default(),
                    },
                    profile: ProfileId::Chrome,
                    requests: p.requests,
                    server: ServerSetup::Django(Box::new(p.app)),
                    ..Scenario::default()
                },
            }),
    );
    out.extend(
        crate::server::fastapi::presets::all()
            .into_iter()
            .map(|p| Preset {
                id: p.id,
                title: p.title,
                summary: p.summary,
                scenario: Scenario {
                    page: Page {
                        url: p.page_url,
                        top_level_url: None,
                        local_network: Default::default(),
                        storage_access: Default::default(),
                    },
                    profile: ProfileId::Chrome,
                    requests: p.requests,
                    server: ServerSetup::FastApi(Box::new(p.app)),
                    ..Scenario::default()
                },
            }),
    );
    out.extend(
        crate::server::laravel::presets::all()
            .into_iter()
            .map(|p| Preset {
                id: p.id,
                title: p.title,
                summary: p.summary,
                scenario: Scenario {
                    page: Page {
                        url: p.page_url,
                        top_level_url: None,
                        local_network: Default::default(),
                        storage_access: Default::default(),
                    },
                    profile: ProfileId::Chrome,
                    requests: p.requests,
                    server: ServerSetup::Laravel(Box::new(p.app)),
                    ..Scenario::default()
                },
            }),
    );
    out.extend(proxy_presets());
    out
}

/// The dev-server proxy in front of Rails, Django and Express: the fix that
/// works, and the two ways it still breaks.
fn proxy_presets() -> Vec<Preset> {
    use crate::server::dev_proxy::ProxyTool;
    let through = |front: &str, paths: &[(&str, &str)]| -> Vec<RequestSpec> {
        let client = Client::Fetch {
            mode: RequestMode::Cors,
            credentials: CredentialsMode::SameOrigin,
            redirect: RedirectMode::Follow,
        };
        paths
            .iter()
            .enumerate()
            .map(|(i, (method, path))| RequestSpec {
                url: format!("{front}{path}"),
                method: method.to_string(),
                headers: if *method == "POST" {
                    "Content-Type: application/json".into()
                } else {
                    String::new()
                },
                body: if *method == "POST" {
                    BodyKind::Json
                } else {
                    BodyKind::None
                },
                client,
                delay_secs: i.min(1) as u64,
                ..RequestSpec::default()
            })
            .collect()
    };
    let mut vite = ProxyTool::Vite.defaults();
    vite.change_origin = true;
    vite.strip_prefix = true;
    let mut django_vite = ProxyTool::Vite.defaults();
    django_vite.change_origin = true;
    django_vite.target = "http://localhost:8000".into();
    let mut next = ProxyTool::Next.defaults();
    next.target = "http://api.localhost:3001".into();
    next.strip_prefix = true;
    let mut django = Box::<crate::server::django::DjangoApp>::default();
    django.debug = true;
    let mut django_requests = crate::server::django::presets::spa_login("http://localhost:5173");
    for r in &mut django_requests {
        r.client = Client::Fetch {
            mode: RequestMode::Cors,
            credentials: CredentialsMode::SameOrigin,
            redirect: RedirectMode::Follow,
        };
    }
    vec![
        Preset {
            id: "proxy-vite-article",
            title: "Proxy: the article behind Vite's server.proxy (works)",
            summary: "The page calls /api/login on its own origin, localhost:3000, and Vite forwards it to the Rails API on localhost:3001 (rewrite strips /api): same-origin, so no CORS, no credentials: 'include', and the default Lax session cookie is first-party. cors.rb is never consulted.",
            scenario: Scenario {
                page: Page {
                    url: "http://localhost:3000/".into(),
                    top_level_url: None,
                    local_network: Default::default(),
                    storage_access: Default::default(),
                },
                profile: ProfileId::Chrome,
                requests: through("http://localhost:3000", &[("POST", "/api/login"), ("GET", "/api/me")]),
                proxy: Some(vite),
                ..Scenario::default()
            },
        },
        Preset {
            id: "proxy-django-change-origin-csrf",
            title: "Proxy: Django behind Vite with changeOrigin: true (CSRF 403)",
            summary: "Vite forwards /api to Django on localhost:8000 with changeOrigin: true, so Django sees Host: localhost:8000 while the browser's Origin is http://localhost:5173: the CSRF Origin check fails (\"Origin checking failed\") unless CSRF_TRUSTED_ORIGINS lists the front end, or changeOrigin is left false.",
            scenario: Scenario {
                page: Page {
                    url: "http://localhost:5173/".into(),
                    top_level_url: None,
                    local_network: Default::default(),
                    storage_access: Default::default(),
                },
                profile: ProfileId::Chrome,
                requests: django_requests,
                server: ServerSetup::Django(django),
                proxy: Some(django_vite),
                ..Scenario::default()
            },
        },
        Preset {
            id: "proxy-next-keeps-cookie-domain",
            title: "Proxy: Next.js rewrites keep the API's cookie Domain",
            summary: "next.config.js rewrites /api/:path* to the Express API on api.localhost:3001, whose express-session sets cookie.domain: 'api.localhost'. Next.js passes Set-Cookie on unchanged and cannot rewrite it, so the browser on localhost:3000 rejects the cookie: drop the cookie domain on the server.",
            scenario: Scenario {
                page: Page {
                    url: "http://localhost:3000/".into(),
                    top_level_url: None,
                    local_network: Default::default(),
                    storage_access: Default::default(),
                },
                profile: ProfileId::Chrome,
                requests: through("http://localhost:3000", &[("POST", "/api/login"), ("GET", "/api/me")]),
                server: express(|app| app.session.domain = Some("api.localhost".into())),
                proxy: Some(next),
                ..Scenario::default()
            },
        },
    ]
}

/// The preset with this id.
pub fn by_id(id: &str) -> Option<Preset> {
    all().into_iter().find(|p| p.id == id)
}
