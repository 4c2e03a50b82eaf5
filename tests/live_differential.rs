//! The differential suite: the product's proof of truth.
//!
//! A generated matrix of scenarios (site relationship × credentials mode × CORS
//! headers × Set-Cookie attributes × request kind) is run for real against the
//! lab server in headless browsers, and every observable is compared with the
//! engine's prediction for the matching profile:
//!
//! - Chromium with third-party cookies blocked (a fresh profile's default) — `chrome-no3pc`;
//! - Chromium with third-party cookies allowed (set in the profile before launch) — `chrome`;
//! - Firefox ESR (standard tracking protection) — `firefox`;
//! - WebKitGTK's MiniBrowser (Debian's `webkit2gtk-driver`, its default cookie policy "no
//!   third-party") on an Xvfb display of its own — `webkitgtk`.
//!
//! One browser session per configuration loads a blank lab page and runs the
//! whole batch with `fetch`/`XMLHttpRequest` from it. Agreement is printed per
//! browser; any disagreement not listed in `tests/live_known_differences.toml`
//! fails the test. Runs only when `CRUMBTRAIL_E2E` is set (`./dev test`).
#![cfg(not(target_arch = "wasm32"))]

use std::net::TcpListener as StdListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crumbtrail_engine::form::form_entries;
use crumbtrail_engine::live::{
    compare, run_url, tag_cookie_names, LabLogEntry, LabSeen, Observation,
};
use crumbtrail_engine::scenario::{
    BodyKind, Client, CredentialsMode, NavigationForm, Page, RawResponse, RawRoute, RawServer,
    RedirectMode, RequestMode, RequestSpec, RunsFrom, ServerSetup,
};
use crumbtrail_engine::server::rails::{DomainOption, RailsApp, SameSiteOption, SessionMiddleware};
use crumbtrail_engine::{simulate, ProfileId, Scenario};
use fantoccini::{Client as WdClient, ClientBuilder};
use serde_json::{json, Value};

#[path = "support/known.rs"]
mod known;

// ---------------------------------------------------------------------------------------------
// The matrix

#[derive(Clone, Copy, Debug)]
enum Rel {
    SameOrigin,
    SameSite,
    CrossSiteIp,
    CrossSiteName,
}

#[derive(Clone, Copy, Debug)]
enum Cors {
    ExactWithCredentials,
    ExactNoCredentials,
    Wildcard,
    None,
}

#[derive(Clone, Copy, Debug)]
enum Kind {
    FetchGet,
    FetchPostJson,
    FetchPut,
    NoCorsGet,
    Xhr,
}

const RELS: [(Rel, &str); 4] = [
    (Rel::SameOrigin, "same-origin"),
    (Rel::SameSite, "same-site"),
    (Rel::CrossSiteIp, "cross-site-ip"),
    (Rel::CrossSiteName, "cross-site-name"),
];
const CREDS: [(CredentialsMode, &str); 3] = [
    (CredentialsMode::Omit, "omit"),
    (CredentialsMode::SameOrigin, "same-origin"),
    (CredentialsMode::Include, "include"),
];
const CORS: [(Cors, &str); 4] = [
    (Cors::ExactWithCredentials, "acao-exact-acac"),
    (Cors::ExactNoCredentials, "acao-exact"),
    (Cors::Wildcard, "acao-star"),
    (Cors::None, "no-cors-headers"),
];
const COOKIES: [(&str, &str); 5] = [
    ("", "unspecified"),
    ("; SameSite=Lax", "lax"),
    ("; SameSite=Strict", "strict"),
    ("; SameSite=None; Secure", "none-secure"),
    ("; SameSite=None; Secure; Partitioned", "partitioned"),
];
const KINDS: [(Kind, &str); 5] = [
    (Kind::FetchGet, "fetch-get"),
    (Kind::FetchPostJson, "fetch-post-json"),
    (Kind::FetchPut, "fetch-put"),
    (Kind::NoCorsGet, "no-cors-get"),
    (Kind::Xhr, "xhr"),
];

struct Case {
    /// Which part of the matrix: script requests to a raw server, navigations and
    /// iframe loads, or the Rails model.
    group: &'static str,
    name: String,
    scenario: Scenario,
}

fn matrix(app: u16, api: u16) -> Vec<Case> {
    let page = format!("http://localhost:{app}");
    let mut cases = Vec::new();
    let mut n = 0usize;
    let mut block = 0usize;
    for (rel, rel_name) in RELS {
        let target = match rel {
            Rel::SameOrigin => format!("http://localhost:{app}"),
            Rel::SameSite => format!("http://localhost:{api}"),
            Rel::CrossSiteIp => format!("http://127.0.0.1:{api}"),
            Rel::CrossSiteName => format!("http://api.localhost:{api}"),
        };
        for (creds, creds_name) in CREDS {
            for (cors, cors_name) in CORS {
                block += 1;
                for (ci, (attrs, cookie_name)) in COOKIES.iter().enumerate() {
                    // Request kinds rotate (per block of cookie attributes, shifted per
                    // relationship) so every kind meets every other dimension.
                    let (kind, kind_name) = KINDS[(block + ci) % KINDS.len()];
                    n += 1;
                    let cookie = format!("c{n}");
                    let mut acao = Vec::new();
                    match cors {
                        Cors::ExactWithCredentials => {
                            acao.push(format!("Access-Control-Allow-Origin: {page}"));
                            acao.push("Access-Control-Allow-Credentials: true".into());
                        }
                        Cors::ExactNoCredentials => {
                            acao.push(format!("Access-Control-Allow-Origin: {page}"))
                        }
                        Cors::Wildcard => acao.push("Access-Control-Allow-Origin: *".into()),
                        Cors::None => {}
                    }
                    let mut preflight = acao.clone();
                    preflight.push("Access-Control-Allow-Methods: GET, POST, PUT".into());
                    preflight.push("Access-Control-Allow-Headers: Content-Type".into());
                    let mut set = acao.clone();
                    set.push(format!("Set-Cookie: {cookie}=1{attrs}"));
                    set.push("X-Lab-Secret: 1".into());
                    set.push("Access-Control-Expose-Headers: X-Lab-Secret".into());
                    set.push("Content-Language: en".into());
                    let mut use_ = acao.clone();
                    use_.push("X-Lab-Secret: 2".into());
                    let route = |path: &str, resp: &[String]| RawRoute {
                        method: "*".into(),
                        path: path.into(),
                        preflight: RawResponse {
                            status: 204,
                            headers: preflight.join("\n"),
                        },
                        response: RawResponse {
                            status: 200,
                            headers: resp.join("\n"),
                        },
                        ..RawRoute::default()
                    };
                    let client = match kind {
                        Kind::NoCorsGet => Client::Fetch {
                            mode: RequestMode::NoCors,
                            credentials: creds,
                            redirect: RedirectMode::Follow,
                        },
                        Kind::Xhr => Client::Xhr {
                            with_credentials: creds == CredentialsMode::Include,
                        },
                        _ => Client::Fetch {
                            mode: RequestMode::Cors,
                            credentials: creds,
                            redirect: RedirectMode::Follow,
                        },
                    };
                    let (method, headers, body) = match kind {
                        Kind::FetchPostJson => (
                            "POST",
                            "Content-Type: application/json".to_string(),
                            BodyKind::Json,
                        ),
                        Kind::FetchPut => ("PUT", String::new(), BodyKind::Text),
                        _ => ("GET", String::new(), BodyKind::None),
                    };
                    let use_client = match kind {
                        Kind::Xhr => client,
                        _ => Client::Fetch {
                            mode: RequestMode::Cors,
                            credentials: creds,
                            redirect: RedirectMode::Follow,
                        },
                    };
                    let scenario = Scenario {
                        page: Page {
                            url: format!("{page}/__lab/blank"),
                            top_level_url: None,
                            local_network: Default::default(),
                            storage_access: Default::default(),
                        },
                        profile: ProfileId::Chrome,
                        profile_version: None,
                        requests: vec![
                            RequestSpec {
                                url: format!("{target}/set"),
                                method: method.into(),
                                headers,
                                body,
                                client,
                                delay_secs: 0,
                                ..RequestSpec::default()
                            },
                            RequestSpec {
                                url: format!("{target}/use"),
                                method: "GET".into(),
                                headers: String::new(),
                                body: BodyKind::None,
                                client: use_client,
                                delay_secs: 0,
                                ..RequestSpec::default()
                            },
                            // The follow-up probe: a credentialed request shows the lab
                            // which cookies the browser stored (and may send).
                            RequestSpec {
                                url: format!("{target}/use"),
                                method: "GET".into(),
                                headers: String::new(),
                                body: BodyKind::None,
                                client: Client::Fetch {
                                    mode: RequestMode::NoCors,
                                    credentials: CredentialsMode::Include,
                                    redirect: RedirectMode::Follow,
                                },
                                delay_secs: 0,
                                ..RequestSpec::default()
                            },
                        ],
                        server: ServerSetup::Raw(RawServer {
                            routes: vec![route("/set", &set), route("/use", &use_)],
                        }),
                        proxy: None,
                        jar_at_start: Vec::new(),
                    };
                    cases.push(Case {
                        group: "script requests, raw server",
                        name: format!(
                            "{rel_name}/{creds_name}/{cors_name}/{cookie_name}/{kind_name}"
                        ),
                        scenario,
                    });
                }
            }
        }
    }
    cases
}

const NAV_KINDS: [(&str, &str); 3] = [
    ("link", "link"),
    ("form-post", "form"),
    ("iframe", "iframe"),
];

fn nav_client(kind: &str) -> (Client, &'static str, BodyKind) {
    match kind {
        "link" => (
            Client::Navigation {
                form: NavigationForm::Link,
            },
            "GET",
            BodyKind::None,
        ),
        "form" => (
            Client::Navigation {
                form: NavigationForm::FormPost,
            },
            "POST",
            BodyKind::UrlEncoded,
        ),
        _ => (Client::Iframe, "GET", BodyKind::None),
    }
}

/// Top-level navigations (link GET, form POST, in a popup window) and iframe loads: the
/// kind sets a cookie, the same kind comes back, and a link navigation shows what is stored.
fn navigation_matrix(app: u16, api: u16) -> Vec<Case> {
    let page = format!("http://localhost:{app}");
    let mut cases = Vec::new();
    for (rel, rel_name) in RELS {
        let target = target_origin(rel, app, api);
        for (attrs, cookie_name) in COOKIES {
            for (kind_name, kind) in NAV_KINDS {
                let n = cases.len();
                let (client, method, body) = nav_client(kind);
                let spec = |path: &str, client: Client, method: &str, body: BodyKind| RequestSpec {
                    url: format!("{target}{path}"),
                    method: method.into(),
                    headers: String::new(),
                    body,
                    client,
                    delay_secs: 0,
                    ..RequestSpec::default()
                };
                let (link, _, _) = nav_client("link");
                let route = |path: &str, headers: String| RawRoute {
                    method: "*".into(),
                    path: path.into(),
                    preflight: RawResponse {
                        status: 204,
                        headers: String::new(),
                    },
                    response: RawResponse {
                        status: 200,
                        headers,
                    },
                    ..RawRoute::default()
                };
                cases.push(Case {
                    group: "navigations and iframes, raw server",
                    name: format!("{rel_name}/navigate/-/{cookie_name}/{kind_name}"),
                    scenario: Scenario {
                        page: Page {
                            url: format!("{page}/__lab/blank"),
                            top_level_url: None,
                            local_network: Default::default(),
                            storage_access: Default::default(),
                        },
                        profile: ProfileId::Chrome,
                        profile_version: None,
                        requests: vec![
                            spec("/set", client, method, body),
                            spec("/use", client, method, body),
                            spec("/use", link, "GET", BodyKind::None),
                        ],
                        server: ServerSetup::Raw(RawServer {
                            routes: vec![
                                route(
                                    "/set",
                                    format!("Content-Type: text/html\nSet-Cookie: n{n}=1{attrs}"),
                                ),
                                route("/use", "Content-Type: text/html".into()),
                            ],
                        }),
                        proxy: None,
                        jar_at_start: Vec::new(),
                    },
                });
            }
        }
    }
    cases
}

/// The group of [`flow_matrix`]: run in the WebDriver window itself, one scenario at a time.
const FLOWS: &str = "multi-page flows and visits (the browser window moves)";

/// Multi-page flows and browser-initiated visits. The page is a lab page on the app
/// origin; request 1 reaches a document on site S (a visit, a link from the page, or a GET
/// form from the page) whose response sets a cookie, request 2 goes there again the same
/// way (which cookies a visit sends, and which a navigation from the page sends), then from
/// the document it loaded: a credentialed fetch to S's other port (its `Origin` is S's, so
/// only a request made there passes the CORS check) and a link to S again. A visit is
/// WebDriver's own navigation, which the browser makes as a browser-initiated one
/// (`Sec-Fetch-Site: none`, checked in the lab's log).
fn flow_matrix(app: u16, api: u16) -> Vec<Case> {
    let page = format!("http://localhost:{app}");
    let sites = [
        ("localhost", "same-site"),
        ("127.0.0.1", "cross-site-ip"),
        ("api.localhost", "cross-site-name"),
    ];
    let arrivals = [
        (Client::Visit, "visit"),
        (
            Client::Navigation {
                form: NavigationForm::Link,
            },
            "link",
        ),
        (
            Client::Navigation {
                form: NavigationForm::FormGet,
            },
            "form-get",
        ),
    ];
    let mut cases = Vec::new();
    for (host, site_name) in sites {
        let s = format!("http://{host}:{api}");
        let other = format!("http://{host}:{app}");
        for (attrs, cookie_name) in COOKIES {
            for (arrive, arrive_name) in arrivals {
                let n = cases.len();
                let get = |url: String, client: Client, runs_from: RunsFrom| RequestSpec {
                    url,
                    method: "GET".into(),
                    client,
                    runs_from,
                    fields: "q=1".into(),
                    ..RequestSpec::default()
                };
                let route = |path: &str, headers: String| RawRoute {
                    method: "*".into(),
                    path: path.into(),
                    preflight: RawResponse {
                        status: 204,
                        headers: String::new(),
                    },
                    response: RawResponse {
                        status: 200,
                        headers,
                    },
                    ..RawRoute::default()
                };
                let link = Client::Navigation {
                    form: NavigationForm::Link,
                };
                let include = Client::Fetch {
                    mode: RequestMode::Cors,
                    credentials: CredentialsMode::Include,
                    redirect: RedirectMode::Follow,
                };
                cases.push(Case {
                    group: FLOWS,
                    name: format!("flow-{site_name}/{arrive_name}/-/{cookie_name}/flow"),
                    scenario: Scenario {
                        page: Page {
                            url: format!("{page}/__lab/blank"),
                            top_level_url: None,
                            local_network: Default::default(),
                            storage_access: Default::default(),
                        },
                        profile: ProfileId::Chrome,
                        profile_version: None,
                        requests: vec![
                            get(format!("{s}/set"), arrive, RunsFrom::Page),
                            get(format!("{s}/land"), arrive, RunsFrom::Page),
                            get(format!("{other}/api"), include, RunsFrom::Current),
                            get(format!("{s}/again"), link, RunsFrom::Current),
                        ],
                        server: ServerSetup::Raw(RawServer {
                            routes: vec![
                                route("/set", format!("Set-Cookie: f{n}=1{attrs}")),
                                route(
                                    "/api",
                                    format!("Access-Control-Allow-Origin: {s}\nAccess-Control-Allow-Credentials: true"),
                                ),
                                route("*", String::new()),
                            ],
                        }),
                        proxy: None,
                        jar_at_start: Vec::new(),
                    },
                });
            }
        }
    }
    cases
}

/// A jar flow: its name, three requests (path and client), the Set-Cookie of `/set` and of `/del`.
type JarFlow = (&'static str, [(&'static str, Client); 3], String, String);

/// Which jar a cookie and its deletion reach (issue #17), as flows: `S` is the API's
/// site, reached by visits (first-party) and from the page on `localhost` (third-party).
/// - `tcp/first-party-partitioned`: a visit sets a `Partitioned` cookie, a visit deletes it
///   without `Partitioned`, a visit shows whether it is still there (it is, when the first
///   visit stored it in S's partition);
/// - `tcp/cross-site-delete`: a visit sets a cookie, a credentialed fetch from the page
///   deletes it (a third-party `Max-Age=0`), a visit shows whether it is still there;
/// - `tcp/third-party-partitioned-first-party-delete`: the page's fetch sets a
///   `Partitioned` cookie, a visit deletes it, the page's fetch shows it again.
fn partition_flow_matrix(app: u16, api: u16) -> Vec<Case> {
    let page = format!("http://localhost:{app}");
    let secure = "; Secure; Path=/; SameSite=None";
    let include = Client::Fetch {
        mode: RequestMode::Cors,
        credentials: CredentialsMode::Include,
        redirect: RedirectMode::Follow,
    };
    let mut cases = Vec::new();
    for host in ["127.0.0.1", "api.localhost"] {
        let s = format!("http://{host}:{api}");
        let get = |path: &str, client: Client| RequestSpec {
            url: format!("{s}{path}"),
            method: "GET".into(),
            client,
            ..RequestSpec::default()
        };
        let cors =
            format!("Access-Control-Allow-Origin: {page}\nAccess-Control-Allow-Credentials: true");
        let route = |path: &str, set: String| RawRoute {
            method: "*".into(),
            path: path.into(),
            preflight: RawResponse {
                status: 204,
                headers: cors.clone(),
            },
            response: RawResponse {
                status: 200,
                headers: if set.is_empty() {
                    cors.clone()
                } else {
                    format!("{cors}\nSet-Cookie: {set}")
                },
            },
            ..RawRoute::default()
        };
        let flows: [JarFlow; 3] = [
            (
                "first-party-partitioned",
                [
                    ("/set", Client::Visit),
                    ("/del", Client::Visit),
                    ("/again", Client::Visit),
                ],
                format!("p=1{secure}; Partitioned"),
                format!("p=; Max-Age=0{secure}"),
            ),
            (
                "cross-site-delete",
                [
                    ("/set", Client::Visit),
                    ("/del", include),
                    ("/again", Client::Visit),
                ],
                format!("d=1{secure}"),
                format!("d=; Max-Age=0{secure}"),
            ),
            (
                "third-party-partitioned-first-party-delete",
                [
                    ("/set", include),
                    ("/del", Client::Visit),
                    ("/again", include),
                ],
                format!("q=1{secure}; Partitioned"),
                format!("q=; Max-Age=0{secure}; Partitioned"),
            ),
        ];
        for (name, steps, set, del) in flows {
            cases.push(Case {
                group: FLOWS,
                name: format!("tcp-{host}/{name}/-/-/flow"),
                scenario: Scenario {
                    page: Page {
                        url: format!("{page}/__lab/blank"),
                        top_level_url: None,
                        local_network: Default::default(),
                        storage_access: Default::default(),
                    },
                    profile: ProfileId::Chrome,
                    profile_version: None,
                    proxy: None,
                    jar_at_start: Vec::new(),
                    requests: steps
                        .iter()
                        .map(|(path, client)| get(path, *client))
                        .collect(),
                    server: ServerSetup::Raw(RawServer {
                        routes: vec![
                            route("/set", set),
                            route("/del", del),
                            route("*", String::new()),
                        ],
                    }),
                },
            });
        }
    }
    cases
}

fn target_origin(rel: Rel, app: u16, api: u16) -> String {
    match rel {
        Rel::SameOrigin => format!("http://localhost:{app}"),
        Rel::SameSite => format!("http://localhost:{api}"),
        Rel::CrossSiteIp => format!("http://127.0.0.1:{api}"),
        Rel::CrossSiteName => format!("http://api.localhost:{api}"),
    }
}

/// The Rails model (rack-cors + session store) behind a login and a follow-up, both with
/// `credentials: 'include'`: rack-cors origins × `credentials:` × the session store's
/// `same_site:`, with `secure:`, `domain:` and API-only variants rotating, on a same-site
/// and on a cross-site API.
fn rails_matrix(app: u16, api: u16) -> Vec<Case> {
    let page = format!("http://localhost:{app}");
    let origins: [(Vec<String>, &str); 3] = [
        (vec![page.clone()], "origins-page"),
        (vec!["*".into()], "origins-star"),
        (vec!["http://localhost:1".into()], "origins-other"),
    ];
    let same_sites = [
        (SameSiteOption::Unset, "ss-default"),
        (SameSiteOption::None, "ss-none"),
        (SameSiteOption::Strict, "ss-strict"),
        (SameSiteOption::Nil, "ss-nil"),
    ];
    let secures = [(None, "secure-unset"), (Some(true), "secure")];
    let domains = [
        (DomainOption::Unset, "domain-unset"),
        (DomainOption::All { tld_length: None }, "domain-all"),
        (DomainOption::Exact("localhost".into()), "domain-localhost"),
    ];
    let apis = [
        (true, SessionMiddleware::Documented, "api-only-session"),
        (true, SessionMiddleware::None, "api-only-no-session"),
        (false, SessionMiddleware::None, "full-app"),
    ];
    let rels = [
        [
            (Rel::SameSite, "same-site"),
            (Rel::CrossSiteIp, "cross-site-ip"),
        ],
        [
            (Rel::SameOrigin, "same-origin"),
            (Rel::CrossSiteName, "cross-site-name"),
        ],
    ];
    let include = Client::Fetch {
        mode: RequestMode::Cors,
        credentials: CredentialsMode::Include,
        redirect: RedirectMode::Follow,
    };
    let mut cases = Vec::new();
    for (oi, (origins, origins_name)) in origins.iter().enumerate() {
        for credentials in [true, false] {
            for (si, (same_site, ss_name)) in same_sites.iter().enumerate() {
                for (rel, rel_name) in rels[(oi + si) % 2] {
                    // rack-cors refuses `'*'` with `credentials: true` at boot: a list instead.
                    let (origins, origins_name) = if credentials && origins[0] == "*" {
                        (
                            &vec!["http://localhost:1".to_string(), page.clone()],
                            "origins-list",
                        )
                    } else {
                        (origins, *origins_name)
                    };
                    let n = cases.len();
                    let (secure, secure_name) = secures[n % 2];
                    let (domain, domain_name) = domains[(n / 2) % 3].clone();
                    let (api_only, middleware, api_name) = apis[(n / 3) % 3];
                    let mut rails = RailsApp {
                        api_only,
                        session_middleware: middleware,
                        ..RailsApp::default()
                    };
                    rails.cors.allow[0].origins = origins.clone();
                    rails.cors.allow[0].resources[0].credentials = credentials;
                    rails.session.same_site = *same_site;
                    rails.session.secure = secure;
                    rails.session.domain = domain;
                    let target = target_origin(rel, app, api);
                    let get = |path: &str, client: Client| RequestSpec {
                        url: format!("{target}{path}"),
                        method: "GET".into(),
                        headers: String::new(),
                        body: BodyKind::None,
                        client,
                        delay_secs: 0,
                        ..RequestSpec::default()
                    };
                    let scenario = Scenario {
                        page: Page {
                            url: format!("{page}/__lab/blank"),
                            top_level_url: None,
                            local_network: Default::default(),
                            storage_access: Default::default(),
                        },
                        profile: ProfileId::Chrome,
                        profile_version: None,
                        requests: vec![
                            RequestSpec {
                                url: format!("{target}/login"),
                                method: "POST".into(),
                                headers: "Content-Type: application/json".into(),
                                body: BodyKind::Json,
                                client: include,
                                delay_secs: 0,
                                ..RequestSpec::default()
                            },
                            get("/me", include),
                            // What the browser stored: a no-cors credentialed probe.
                            get(
                                "/me",
                                Client::Fetch {
                                    mode: RequestMode::NoCors,
                                    credentials: CredentialsMode::Include,
                                    redirect: RedirectMode::Follow,
                                },
                            ),
                        ],
                        server: ServerSetup::Rails(rails),
                        proxy: None,
                        jar_at_start: Vec::new(),
                    };
                    cases.push(Case {
                        group: "Rails model (rack-cors + session store)",
                        name: format!(
                            "rails-{rel_name}/{}/{origins_name}/{ss_name}-{secure_name}-{domain_name}/{api_name}",
                            if credentials { "credentials" } else { "no-credentials" }
                        ),
                        scenario,
                    });
                }
            }
        }
    }
    cases
}

// ---------------------------------------------------------------------------------------------
// The page-side runner: runs a batch of scenarios with real fetch/XHR and returns what it saw.

const RUNNER_JS: &str = r#"
const [batch, done] = arguments;
const POPUP = 'crumbtrail-live';
let popup = null;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const href = (w) => { try { return w.location.href; } catch (e) { return null; } };
async function until(cond, ms) {
  const t0 = Date.now();
  while (!cond()) { if (Date.now() - t0 > ms) return false; await sleep(20); }
  return true;
}
// A real top-level navigation from this page into a named popup window (link click or form
// submission), as the app does; true once the popup committed the response.
// The reset goes to a blank page with a fragment of its own, and waits for exactly that
// page: a plain `about:blank` would match the popup's first document at once and race the
// still-pending reset against the navigation under test.
let resets = 0;
async function navigate(q, url) {
  // A popup that does not reset in time (a loaded machine) is closed and opened anew,
  // once: the reset only clears the window, it is not what the case observes.
  let reset = false;
  let blank = null;
  for (let attempt = 0; attempt < 2 && !reset; attempt++) {
    if (attempt > 0 && popup) { try { popup.close(); } catch (e) {} await sleep(200); }
    if (!popup || popup.closed) popup = window.open('about:blank', POPUP, 'popup,width=480,height=360');
    if (!popup) throw new Error('the popup window was blocked');
    blank = 'about:blank#ct' + (++resets);
    popup.location.href = blank;
    reset = await until(() => href(popup) === blank && popup.document.readyState === 'complete', 10000);
  }
  if (!reset) throw new Error('popup did not reset');
  if (q.nav === 'link') {
    const a = document.createElement('a'); a.href = url; a.target = POPUP; a.hidden = true;
    document.body.appendChild(a); a.click(); a.remove();
  } else {
    const f = document.createElement('form'); f.method = 'post'; f.action = url; f.target = POPUP; f.hidden = true;
    const i = document.createElement('input'); i.type = 'hidden'; i.name = 'user'; i.value = 'ada'; f.appendChild(i);
    document.body.appendChild(f); f.submit(); f.remove();
  }
  return until(() => { const h = href(popup); return h === null || (h !== blank && popup.document.readyState === 'complete'); }, 10000);
}
function frame(url) {
  return new Promise((resolve) => {
    const f = document.createElement('iframe'); f.hidden = true;
    const end = (ok) => { f.remove(); resolve(ok); };
    f.onload = () => end(true);
    setTimeout(() => end(false), 10000);
    f.src = url; document.body.appendChild(f);
  });
}
(async () => {
  const results = [];
  for (const item of batch) {
    const out = { name: item.name, observations: [], error: null };
    try {
      const r = await fetch('/__lab/runs', { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Crumbtrail-Lab': 'run' }, body: item.scenario });
      if (!r.ok) throw new Error('lab refused the scenario: ' + await r.text());
      const run = (await r.json()).run;
      for (let i = 0; i < item.requests.length; i++) {
        const q = item.requests[i];
        const u = new URL(q.url);
        u.searchParams.append('ct_run', run);
        u.searchParams.append('ct_req', String(i));
        const o = { index: i, page_url: location.href, resolved: false, opaque: false, status: 0,
                    readable_headers: [], document_cookie: null, error: null, lab: {}, navigated: false };
        const headers = {};
        for (const line of q.headers) { const k = line.indexOf(':'); headers[line.slice(0, k).trim()] = line.slice(k + 1).trim(); }
        try {
          if (q.nav) {
            o.navigated = await navigate(q, u.toString());
          } else if (q.iframe) {
            o.navigated = await frame(u.toString());
          } else if (q.xhr) {
            await new Promise((resolve) => {
              const x = new XMLHttpRequest();
              x.open(q.method, u.toString());
              x.withCredentials = q.with_credentials;
              for (const k in headers) x.setRequestHeader(k, headers[k]);
              x.onload = () => {
                o.resolved = true; o.status = x.status;
                o.readable_headers = x.getAllResponseHeaders().trim().split(/\r?\n/).filter(l => l).map(l => l.split(':')[0].trim().toLowerCase());
                resolve();
              };
              x.onerror = () => { o.error = 'xhr error'; resolve(); };
              x.send(q.body);
            });
          } else {
            const resp = await fetch(u.toString(), { method: q.method, mode: q.mode, credentials: q.credentials, headers, body: q.body });
            o.resolved = true;
            o.opaque = resp.type === 'opaque';
            o.status = resp.status;
            o.readable_headers = [...resp.headers.keys()];
          }
        } catch (e) { o.error = String(e); }
        o.document_cookie = document.cookie;
        out.observations.push(o);
      }
      const log = await fetch('/__lab/runs/' + run + '/log');
      out.log = await log.json();
    } catch (e) { out.error = String(e); }
    results.push(out);
  }
  return results;
})().then(done, (e) => done([{ error: String(e) }]));
"#;

// ---------------------------------------------------------------------------------------------
// The flow runner: one scenario at a time in the WebDriver window, each request from the
// document the window shows (a visit is WebDriver's own navigation).

/// Registers a run from the lab page on the app origin; returns its id.
const REGISTER_JS: &str = r#"
const [scenario, done] = arguments;
fetch('/__lab/runs', { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Crumbtrail-Lab': 'run' }, body: scenario })
  .then(async (r) => done(r.ok ? (await r.json()).run : 'error: ' + await r.text()), (e) => done('error: ' + e));
"#;

/// A script request from the current document.
const STEP_JS: &str = r#"
const [q, url, done] = arguments;
(async () => {
  const o = { index: 0, page_url: location.href, resolved: false, opaque: false, status: 0,
              readable_headers: [], document_cookie: null, error: null, lab: {}, navigated: false };
  const headers = {};
  for (const line of q.headers) { const k = line.indexOf(':'); headers[line.slice(0, k).trim()] = line.slice(k + 1).trim(); }
  try {
    const resp = await fetch(url, { method: q.method, mode: q.mode, credentials: q.credentials, headers, body: q.body });
    o.resolved = true; o.opaque = resp.type === 'opaque'; o.status = resp.status;
    o.readable_headers = [...resp.headers.keys()];
  } catch (e) { o.error = String(e); }
  o.document_cookie = document.cookie;
  return o;
})().then(done, (e) => done({ error: String(e) }));
"#;

/// Starts a navigation of this window (a link or a form), once the script has returned.
const NAVIGATE_JS: &str = r#"
const [kind, url, fields] = arguments;
window.__ctLeaving = true;
setTimeout(() => {
  if (kind === 'link') {
    const a = document.createElement('a'); a.href = url; document.body.appendChild(a); a.click();
    return;
  }
  const f = document.createElement('form'); f.method = kind === 'form-get' ? 'get' : 'post'; f.action = url;
  for (const [n, v] of fields) { const i = document.createElement('input'); i.type = 'hidden'; i.name = n; i.value = v; f.appendChild(i); }
  document.body.appendChild(f); f.submit();
}, 0);
return true;
"#;

/// The URL of the document the window shows once a navigation left the previous one.
async fn next_document(client: &WdClient) -> Option<String> {
    // Firefox shows an initial about:blank for a moment when the window moves to another
    // origin: only an http(s) document is the one the navigation loaded.
    let script = "return window.__ctLeaving === true || document.readyState !== 'complete' || !location.protocol.startsWith('http') ? null : location.href;";
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if let Ok(Value::String(href)) = client.execute(script, vec![]).await {
            return Some(href);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    None
}

/// Runs one flow; returns the observations and the lab's log.
async fn run_flow(
    client: &WdClient,
    case: &Case,
) -> Result<(Vec<Observation>, Vec<LabLogEntry>), String> {
    let page = &case.scenario.page.url;
    client.goto(page).await.map_err(|e| e.to_string())?;
    let scenario = serde_json::to_string(&case.scenario).unwrap();
    let run = client
        .execute_async(REGISTER_JS, vec![json!(scenario)])
        .await
        .map_err(|e| e.to_string())?;
    let run = run
        .as_str()
        .filter(|r| !r.starts_with("error"))
        .ok_or(format!("{run}"))?
        .to_string();
    let mut on_page = true;
    let mut observations = Vec::new();
    for (i, spec) in case.scenario.requests.iter().enumerate() {
        if spec.runs_from == RunsFrom::Page && !on_page {
            client.goto(page).await.map_err(|e| e.to_string())?;
            on_page = true;
        }
        let url = run_url(&spec.url, &run, i);
        let mut obs = Observation {
            index: i,
            page_url: client
                .current_url()
                .await
                .map_err(|e| e.to_string())?
                .to_string(),
            ..Observation::default()
        };
        let kind = match spec.client {
            Client::Visit => Some("visit"),
            Client::Navigation {
                form: NavigationForm::Link,
            } => Some("link"),
            Client::Navigation {
                form: NavigationForm::FormGet,
            } => Some("form-get"),
            Client::Navigation {
                form: NavigationForm::FormPost,
            } => Some("form"),
            _ => None,
        };
        match kind {
            Some("visit") => {
                client.goto(&url).await.map_err(|e| e.to_string())?;
                obs.document_url = Some(
                    client
                        .current_url()
                        .await
                        .map_err(|e| e.to_string())?
                        .to_string(),
                );
            }
            Some(kind) => {
                let mut fields = form_entries(&spec.fields)?;
                if kind == "form-get" {
                    fields.push(("ct_run".into(), run.clone()));
                    fields.push(("ct_req".into(), i.to_string()));
                }
                client
                    .execute(NAVIGATE_JS, vec![json!(kind), json!(url), json!(fields)])
                    .await
                    .map_err(|e| e.to_string())?;
                obs.document_url = next_document(client).await;
            }
            None => {
                let o = client
                    .execute_async(STEP_JS, vec![request_for_js(spec), json!(url)])
                    .await
                    .map_err(|e| e.to_string())?;
                let mut o = o;
                o["lab"] = serde_json::to_value(LabSeen::default()).unwrap();
                let mut seen: Observation = serde_json::from_value(o).map_err(|e| e.to_string())?;
                seen.index = i;
                obs = seen;
            }
        }
        if kind.is_some() {
            obs.navigated = obs.document_url.is_some();
            on_page = false;
        }
        observations.push(obs);
    }
    client.goto(page).await.map_err(|e| e.to_string())?;
    let log = client
        .execute_async(
            "const [run, done] = arguments; fetch('/__lab/runs/' + run + '/log').then((r) => r.json()).then(done, (e) => done(String(e)));",
            vec![json!(run)],
        )
        .await
        .map_err(|e| e.to_string())?;
    let log: Vec<LabLogEntry> = serde_json::from_value(log).map_err(|e| e.to_string())?;
    for o in observations.iter_mut() {
        o.lab = LabSeen::from_log(&log, o.index);
    }
    Ok((observations, log))
}

/// Every flow case, in the window of `client`; a visit that the browser did not make as
/// browser-initiated (`Sec-Fetch-Site: none`) is a failure of the runner, not a difference.
async fn run_flows(
    client: &WdClient,
    config: Config,
    cases: &[&Case],
    app: u16,
    report: &mut Report,
    known: &[known::Known],
) {
    for case in cases.iter().copied().filter(|c| c.group == FLOWS) {
        let (observations, log) = match run_flow(client, case).await {
            Ok(r) => r,
            Err(e) => {
                report
                    .unknown
                    .push(format!("{}: the flow did not run: {e}", case.name));
                continue;
            }
        };
        for (i, spec) in case.scenario.requests.iter().enumerate() {
            let site = log.iter().find(|e| e.req == Some(i) && !e.is_preflight);
            let site = site.and_then(|e| e.sec_fetch_site.as_deref());
            if spec.client == Client::Visit && site != Some("none") {
                report.unknown.push(format!(
                    "{} request {i}: the visit came with Sec-Fetch-Site {site:?}, not none",
                    case.name
                ));
            }
        }
        record(report, config, case, &observations, known);
        // The same observations against two wrong models: every request from the page
        // (the documents do not move), and every visit as a link from the page.
        let mismatches = |edit: fn(&mut RequestSpec)| {
            let mut wrong = case.scenario.clone();
            wrong.profile = config.profile();
            wrong.requests.iter_mut().for_each(edit);
            compare(&simulate(&wrong), &observations)
                .iter()
                .filter(|c| !c.agree)
                .count()
        };
        report.flow_contrast.0 += mismatches(|r| r.runs_from = RunsFrom::Page);
        report.flow_contrast.1 += mismatches(|r| {
            if r.client == Client::Visit {
                r.client = Client::Navigation {
                    form: NavigationForm::Link,
                };
            }
        });
    }
    let _ = client
        .goto(&format!("http://localhost:{app}/__lab/blank"))
        .await;
}

fn request_for_js(spec: &RequestSpec) -> Value {
    let headers: Vec<&str> = spec
        .headers
        .lines()
        .filter(|l| !l.trim().is_empty())
        .collect();
    let body = match spec.body {
        BodyKind::None => Value::Null,
        BodyKind::Json => json!("{\"user\":\"ada\"}"),
        _ => json!("hello"),
    };
    let (nav, iframe) = match spec.client {
        Client::Navigation {
            form: NavigationForm::Link,
        } => (json!("link"), false),
        Client::Navigation {
            form: NavigationForm::FormPost,
        } => (json!("form"), false),
        Client::Iframe => (Value::Null, true),
        _ => (Value::Null, false),
    };
    let (xhr, with_credentials, mode, credentials) = match spec.client {
        Client::Xhr { with_credentials } => (true, with_credentials, "cors", "same-origin"),
        Client::Fetch {
            mode, credentials, ..
        } => (
            false,
            false,
            match mode {
                RequestMode::NoCors => "no-cors",
                RequestMode::SameOrigin => "same-origin",
                _ => "cors",
            },
            match credentials {
                CredentialsMode::Omit => "omit",
                CredentialsMode::SameOrigin => "same-origin",
                CredentialsMode::Include => "include",
            },
        ),
        Client::Navigation { .. } | Client::Iframe => (false, false, "navigate", "include"),
        other => panic!("the runner does not run {other:?}"),
    };
    json!({ "url": spec.url, "method": spec.method, "headers": headers, "body": body,
            "xhr": xhr, "with_credentials": with_credentials, "mode": mode, "credentials": credentials,
            "nav": nav, "iframe": iframe })
}

// ---------------------------------------------------------------------------------------------
// Browsers

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Config {
    ChromiumNo3pc,
    Chromium3pc,
    Firefox,
    /// Firefox with `network.cookie.cookieBehavior` 1: all third-party cookies blocked.
    FirefoxNo3pc,
    /// Firefox with `network.cookie.cookieBehavior` 0: cookie blocking off.
    FirefoxAllowAll,
    /// WebKitGTK's MiniBrowser with WebKitWebDriver, under Xvfb.
    WebKitGtk,
}

impl Config {
    fn key(self) -> &'static str {
        match self {
            Config::ChromiumNo3pc => "chromium-3pc-blocked",
            Config::Chromium3pc => "chromium-3pc-allowed",
            Config::Firefox => "firefox",
            Config::FirefoxNo3pc => "firefox-no3pc",
            Config::FirefoxAllowAll => "firefox-allow-all",
            Config::WebKitGtk => "webkitgtk",
        }
    }
    /// The settings profiles run the cases where the third-party cookie policy can
    /// show: a cross-site request with a `SameSite=None; Secure` cookie (plain or
    /// `Partitioned`), and the jar flows.
    fn runs(self, case: &Case) -> bool {
        match self {
            Config::FirefoxNo3pc | Config::FirefoxAllowAll => {
                case.name.starts_with("tcp-")
                    || case.name.starts_with("cross-site")
                        && (case.name.contains("/none-secure/")
                            || case.name.contains("/partitioned/"))
            }
            _ => true,
        }
    }
    /// `network.cookie.cookieBehavior` for the Firefox configurations.
    fn cookie_behavior(self) -> u8 {
        match self {
            Config::FirefoxNo3pc => 1,
            Config::FirefoxAllowAll => 0,
            _ => 5,
        }
    }
    /// The profile this browser must NOT match: the suite proves it tells them apart.
    fn contrast(self) -> ProfileId {
        match self {
            Config::ChromiumNo3pc => ProfileId::Chrome,
            Config::Chromium3pc => ProfileId::ChromeNo3pc,
            Config::Firefox => ProfileId::Chrome,
            Config::FirefoxNo3pc | Config::FirefoxAllowAll => ProfileId::Firefox,
            // Its sibling: the same WebCore, another cookie store (CFNetwork) and policy (ITP).
            Config::WebKitGtk => ProfileId::Safari,
        }
    }
    fn profile(self) -> ProfileId {
        match self {
            Config::ChromiumNo3pc => ProfileId::ChromeNo3pc,
            Config::Chromium3pc => ProfileId::Chrome,
            Config::Firefox => ProfileId::Firefox,
            Config::FirefoxNo3pc => ProfileId::FirefoxNo3pc,
            Config::FirefoxAllowAll => ProfileId::FirefoxAllowAll,
            Config::WebKitGtk => ProfileId::WebKitGtk,
        }
    }
}

fn free_port() -> u16 {
    StdListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

struct Driver {
    child: Child,
    /// WebKitGTK's Xvfb, the leader of the process group the driver joined.
    display: Option<Child>,
    dir: PathBuf,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let leader = self.display.as_ref().unwrap_or(&self.child).id();
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{leader}")])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(xvfb) = self.display.as_mut() {
            let _ = xvfb.kill();
            let _ = xvfb.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// An Xvfb on a display it picks itself (`-displayfd`), in a process group of its own, for
/// WebKitGTK (which has no headless mode); returns it and the display (`:N`).
fn start_xvfb() -> Result<(Child, String), String> {
    use std::io::BufRead;
    let mut cmd = Command::new(std::env::var_os("CRUMBTRAIL_XVFB").unwrap_or("Xvfb".into()));
    cmd.args([
        "-displayfd",
        "1",
        "-screen",
        "0",
        "1280x1024x24",
        "-nolisten",
        "tcp",
    ])
    .stdout(Stdio::piped());
    if std::env::var_os("CRUMBTRAIL_E2E_VERBOSE").is_none() {
        cmd.stderr(Stdio::null());
    }
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot start Xvfb: {e} (`./dev test` installs it)"))?;
    let mut line = String::new();
    let stdout = child.stdout.take().expect("Xvfb stdout");
    let read = std::io::BufReader::new(stdout).read_line(&mut line);
    if read.is_err() || line.trim().is_empty() {
        let _ = child.kill();
        let _ = child.wait();
        return Err(format!("Xvfb did not report its display ({read:?})"));
    }
    let display = format!(":{}", line.trim());
    Ok((child, display))
}

/// Opens a browser session; a driver that listens but drops the new-session request (seen
/// once in CI on a loaded machine) is replaced by a fresh one, up to three times.
async fn open_browser(config: Config) -> (Driver, WdClient) {
    let mut last = String::new();
    for attempt in 1..=3 {
        match open_browser_once(config).await {
            Ok(opened) => return opened,
            Err(e) => {
                eprintln!("{config:?}: WebDriver session attempt {attempt} failed: {e}");
                last = e;
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        }
    }
    panic!("{config:?}: cannot open a WebDriver session: {last}")
}

async fn open_browser_once(config: Config) -> Result<(Driver, WdClient), String> {
    let dir = std::env::temp_dir().join(format!(
        "crumbtrail-live-{}-{}",
        std::process::id(),
        config.key()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("Default")).expect("profile dir");
    let port = free_port();
    let (program, caps) = match config {
        Config::ChromiumNo3pc | Config::Chromium3pc => {
            if config == Config::Chromium3pc {
                // The cookie controls of chrome://settings/cookies: 0 = allow third-party cookies.
                std::fs::write(
                    dir.join("Default/Preferences"),
                    r#"{"profile":{"cookie_controls_mode":0,"block_third_party_cookies":false}}"#,
                )
                .expect("write Preferences");
            }
            let binary = std::env::var("CRUMBTRAIL_CHROMIUM").unwrap_or("/usr/bin/chromium".into());
            let mut cmd =
                Command::new(std::env::var_os("CHROMEDRIVER").unwrap_or("chromedriver".into()));
            cmd.arg(format!("--port={port}"));
            (
                cmd,
                json!({
                    "browserName": "chrome",
                    "goog:chromeOptions": {
                        "binary": binary,
                        "args": [
                            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                            "--disable-quic", "--no-first-run", "--disable-background-networking",
                            "--disable-component-update", "--disable-sync",
                            format!("--user-data-dir={}", dir.display()),
                        ]
                    }
                }),
            )
        }
        Config::Firefox | Config::FirefoxNo3pc | Config::FirefoxAllowAll => {
            let binary =
                std::env::var("CRUMBTRAIL_FIREFOX").unwrap_or("/usr/bin/firefox-esr".into());
            let mut cmd =
                Command::new(std::env::var_os("GECKODRIVER").unwrap_or("geckodriver".into()));
            cmd.args(["--host", "127.0.0.1", "--port", &port.to_string()]);
            (
                cmd,
                json!({
                    "browserName": "firefox",
                    "moz:firefoxOptions": {
                        "binary": binary,
                        "args": ["-headless"],
                        "prefs": {
                            // No network outside loopback on this kind of machine.
                            "network.captive-portal-service.enabled": false,
                            "app.update.enabled": false,
                            "network.cookie.cookieBehavior": config.cookie_behavior()
                        }
                    }
                }),
            )
        }
        Config::WebKitGtk => {
            let binary = std::env::var("CRUMBTRAIL_WEBKIT_MINIBROWSER")
                .unwrap_or("/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser".into());
            let mut cmd = Command::new(
                std::env::var_os("WEBKITWEBDRIVER").unwrap_or("WebKitWebDriver".into()),
            );
            cmd.arg(format!("--port={port}"));
            (
                cmd,
                json!({
                    "browserName": "MiniBrowser",
                    // MiniBrowser's own defaults otherwise: cookie policy "no third-party",
                    // no Intelligent Tracking Prevention, an ephemeral automation session.
                    // Popups are allowed, as chromedriver and geckodriver allow them: the
                    // runner's navigations go to a popup window opened from a script.
                    "webkitgtk:browserOptions": {
                        "binary": binary,
                        "args": ["--automation", "--javascript-can-open-windows-automatically=true"]
                    }
                }),
            )
        }
    };
    let mut program = program;
    if std::env::var_os("CRUMBTRAIL_E2E_VERBOSE").is_none() {
        program.stdout(Stdio::null()).stderr(Stdio::null());
    }
    let display = match config {
        Config::WebKitGtk => {
            let (xvfb, display) = start_xvfb()?;
            program.env("DISPLAY", display);
            std::os::unix::process::CommandExt::process_group(&mut program, xvfb.id() as i32);
            Some(xvfb)
        }
        _ => {
            std::os::unix::process::CommandExt::process_group(&mut program, 0);
            None
        }
    };
    let child = match program.spawn() {
        Ok(child) => child,
        Err(e) => {
            if let Some(mut xvfb) = display {
                let _ = xvfb.kill();
                let _ = xvfb.wait();
            }
            panic!("{config:?}: cannot start the WebDriver: {e} (`./dev test` installs it)")
        }
    };
    let driver = Driver {
        child,
        display,
        dir,
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "{config:?}: WebDriver did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let caps = match caps {
        Value::Object(m) => m,
        _ => unreachable!(),
    };
    let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .map_err(|e| e.to_string())?;
    Ok((driver, client))
}

// ---------------------------------------------------------------------------------------------
struct Report {
    label: String,
    /// How many scenarios this configuration ran.
    scenarios: usize,
    /// Per part of the matrix: (scenarios, observables that agree, observables).
    groups: std::collections::BTreeMap<&'static str, (usize, usize, usize)>,
    agree: usize,
    total: usize,
    /// Observables that would disagree under the contrasting profile.
    contrast_mismatches: usize,
    /// Flow observables that would disagree if every request ran from the page, and if
    /// every visit were a link from the page.
    flow_contrast: (usize, usize),
    known: Vec<String>,
    unknown: Vec<String>,
}

async fn run_config(config: Config, cases: std::sync::Arc<Vec<Case>>, app: u16) -> Report {
    let (driver, client) = open_browser(config).await;
    client
        .update_timeouts(fantoccini::wd::TimeoutConfiguration::new(
            Some(Duration::from_secs(120)),
            Some(Duration::from_secs(30)),
            None,
        ))
        .await
        .expect("timeouts");
    client
        .goto(&format!("http://localhost:{app}/__lab/blank"))
        .await
        .expect("open the lab page");
    let ua = client
        .execute("return navigator.userAgent", vec![])
        .await
        .expect("user agent");
    let ua = ua.as_str().unwrap_or_default().to_string();
    let version = ua
        .split(['/', ' '])
        .skip_while(|p| !p.ends_with("Chrome") && *p != "Firefox")
        .nth(1)
        .and_then(|v| v.split('.').next())
        .unwrap_or("?")
        .to_string();
    let label = match config {
        Config::ChromiumNo3pc => {
            format!("Chromium {version} (third-party cookies blocked, profile chrome-no3pc)")
        }
        Config::Chromium3pc => {
            format!("Chromium {version} (third-party cookies allowed, profile chrome)")
        }
        Config::Firefox => format!("Firefox {version} ESR (profile firefox)"),
        Config::FirefoxNo3pc => {
            format!("Firefox {version} ESR, cookieBehavior 1 (profile firefox-no3pc)")
        }
        Config::FirefoxAllowAll => {
            format!("Firefox {version} ESR, cookieBehavior 0 (profile firefox-allow-all)")
        }
        Config::WebKitGtk => {
            // The user agent names Safari's frozen WebKit version; the session names the
            // WebKitGTK release.
            let release = client
                .capabilities()
                .and_then(|c| c.get("browserVersion"))
                .and_then(Value::as_str)
                .unwrap_or("?");
            format!("WebKitGTK {release} MiniBrowser (profile webkitgtk)")
        }
    };
    // The browser's own version against the newest rules the profile has.
    let label = format!(
        "{label}, rules of {}@{}",
        config.profile().key(),
        config.profile().latest()
    );
    let cases: Vec<&Case> = cases.iter().filter(|c| config.runs(c)).collect();
    let known = known::known_differences();

    let mut report = Report {
        label,
        scenarios: cases.len(),
        groups: Default::default(),
        agree: 0,
        total: 0,
        contrast_mismatches: 0,
        flow_contrast: (0, 0),
        known: Vec::new(),
        unknown: Vec::new(),
    };
    let batched: Vec<&Case> = cases.iter().copied().filter(|c| c.group != FLOWS).collect();
    for chunk in batched.chunks(40) {
        let batch: Vec<Value> = chunk
            .iter()
            .map(|c| {
                json!({
                    "name": c.name,
                    "scenario": serde_json::to_string(&c.scenario).unwrap(),
                    "requests": c.scenario.requests.iter().map(request_for_js).collect::<Vec<_>>(),
                })
            })
            .collect();
        let results = client
            .execute_async(RUNNER_JS, vec![Value::Array(batch)])
            .await
            .unwrap_or_else(|e| panic!("{config:?}: the runner failed: {e}"));
        let results = results.as_array().cloned().unwrap_or_default();
        assert_eq!(
            results.len(),
            chunk.len(),
            "{config:?}: runner returned {results:?}"
        );
        for (case, result) in chunk.iter().zip(results) {
            assert!(
                result["error"].is_null(),
                "{config:?} {}: {}",
                case.name,
                result["error"]
            );
            let log: Vec<LabLogEntry> =
                serde_json::from_value(result["log"].clone()).expect("lab log");
            let mut observations: Vec<Observation> = Vec::new();
            for o in result["observations"].as_array().unwrap() {
                let mut o = o.clone();
                let index = o["index"].as_u64().unwrap() as usize;
                o["lab"] = serde_json::to_value(LabSeen::from_log(&log, index)).unwrap();
                observations.push(serde_json::from_value(o).expect("observation"));
            }
            record(&mut report, config, case, &observations, &known);
        }
    }
    run_flows(&client, config, &cases, app, &mut report, &known).await;
    drop(client);
    drop(driver);
    report
}

/// Compares one scenario's observations with the engine (and with the contrasting
/// profile, which must disagree somewhere over the suite) and adds them to the report.
fn record(
    report: &mut Report,
    config: Config,
    case: &Case,
    observations: &[Observation],
    known: &[known::Known],
) {
    let mut scenario = case.scenario.clone();
    scenario.profile = config.profile();
    let trace = simulate(&scenario);
    scenario.profile = config.contrast();
    for c in compare(&simulate(&scenario), observations) {
        if !c.agree {
            report.contrast_mismatches += 1;
            if std::env::var_os("CRUMBTRAIL_LIVE_VERBOSE").is_some() {
                println!(
                    "    [{}] contrast: {} request {} {}: {:?} vs {:?}",
                    config.key(),
                    case.name,
                    c.request,
                    c.outcome.label(),
                    c.simulated,
                    c.observed
                );
            }
        }
    }
    report.groups.entry(case.group).or_default().0 += 1;
    for c in compare(&trace, observations) {
        report.total += 1;
        let g = report.groups.entry(case.group).or_default();
        g.2 += 1;
        if c.agree {
            report.agree += 1;
            g.1 += 1;
            continue;
        }
        let line = format!(
            "{} request {} {}: engine {:?}, browser {:?}",
            case.name,
            c.request,
            c.outcome.label(),
            c.simulated,
            c.observed
        );
        match known
            .iter()
            .find(|k| k.covers(config.key(), &case.name, c.request, c.outcome.label()))
        {
            Some(k) => report.known.push(format!("{line} — known: {}", k.reason)),
            None => {
                let err = observations
                    .get(c.request)
                    .and_then(|o| o.error.clone())
                    .unwrap_or_default();
                report.unknown.push(format!("{line} {err}"))
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_differential_matrix() {
    if std::env::var_os("CRUMBTRAIL_E2E").is_none() {
        eprintln!("\n!!!!! SKIPPED live differential suite: CRUMBTRAIL_E2E is not set (./dev test sets it).\n");
        return;
    }
    let lab = crumbtrail_lab::start(crumbtrail_lab::LabConfig {
        dist: None,
        app_port: 0,
        api_port: 0,
        ..Default::default()
    })
    .await
    .expect("start the lab");
    let (app, api) = (lab.ports.app, lab.ports.api);
    let script = matrix(app, api);
    let navigations = navigation_matrix(app, api);
    let rails = rails_matrix(app, api);
    let flows: Vec<Case> = flow_matrix(app, api)
        .into_iter()
        .chain(partition_flow_matrix(app, api))
        .collect();
    assert!(
        script.len() >= 150 && navigations.len() >= 48 && rails.len() >= 36 && flows.len() >= 45,
        "the matrix has {} + {} + {} + {} scenarios",
        script.len(),
        navigations.len(),
        rails.len(),
        flows.len()
    );
    let only_cases = std::env::var("CRUMBTRAIL_LIVE_CASES").unwrap_or_default();
    // Every scenario's cookie names get its own suffix, as live mode does per run: cookies of
    // one scenario (the Rails session cookie is the same in each) never leak into another.
    let cases: Vec<Case> = script
        .into_iter()
        .chain(navigations)
        .chain(rails)
        .chain(flows)
        .enumerate()
        .map(|(i, c)| Case {
            scenario: tag_cookie_names(&c.scenario, &format!("_s{i}")),
            ..c
        })
        // A developer's shortcut: CRUMBTRAIL_LIVE_CASES=tcp- runs only the cases whose
        // name contains one of the comma-separated parts (the totals are then not checked).
        .filter(|c| only_cases.is_empty() || only_cases.split(',').any(|o| c.name.contains(o)))
        .collect();
    let cases = std::sync::Arc::new(cases);
    let only = std::env::var("CRUMBTRAIL_LIVE_BROWSERS").unwrap_or_default();
    let configs: Vec<Config> = [
        Config::ChromiumNo3pc,
        Config::Chromium3pc,
        Config::Firefox,
        Config::FirefoxNo3pc,
        Config::FirefoxAllowAll,
        Config::WebKitGtk,
    ]
    .into_iter()
    .filter(|c| only.is_empty() || only.split(',').any(|o| c.key().starts_with(o)))
    .collect();
    let started = Instant::now();
    let reports = futures_join(
        configs
            .iter()
            .map(|c| run_config(*c, cases.clone(), lab.ports.app)),
    )
    .await;
    println!(
        "\nLive differential suite: {} scenarios, {:.1}s",
        cases.len(),
        started.elapsed().as_secs_f64()
    );
    let mut failed = false;
    for (config, r) in configs.iter().zip(&reports) {
        // The settings profiles run a subset without the multi-page flows, so only the
        // configurations that run every case must show the flows' contrast.
        let runs_all = cases.iter().all(|case| config.runs(case));
        println!(
            "{}: {} scenarios, {}/{} observables agree ({} known differences, {} unexplained)",
            r.label,
            r.scenarios,
            r.agree,
            r.total,
            r.known.len(),
            r.unknown.len()
        );
        for (group, (n, agree, total)) in &r.groups {
            println!("    {group}: {n} scenarios, {agree}/{total} observables agree");
        }
        for k in &r.known {
            println!("    known   {k}");
        }
        for u in &r.unknown {
            println!("    MISMATCH {u}");
        }
        println!(
            "    (the same observations disagree with {} observables of the contrasting profile)",
            r.contrast_mismatches
        );
        println!(
            "    (flows: with every request from the page they would disagree with {} observables, with visits as links with {})",
            r.flow_contrast.0, r.flow_contrast.1
        );
        failed |= !r.unknown.is_empty()
            || only_cases.is_empty()
                && (r.contrast_mismatches == 0
                    || runs_all && (r.flow_contrast.0 == 0 || r.flow_contrast.1 == 0));
    }
    assert!(
        !failed,
        "the browsers disagree with the engine where no known difference explains it (see MISMATCH lines)"
    );
}

/// Runs the browser configurations concurrently (one session each).
async fn futures_join<F: std::future::Future<Output = Report> + Send + 'static>(
    futures: impl Iterator<Item = F>,
) -> Vec<Report> {
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.expect("browser task"));
    }
    out
}
