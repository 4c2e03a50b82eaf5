//! The Express model against the real Express: every generated
//! configuration's `app.js` runs in Node (express 4 and 5, cors,
//! express-session, cookie-session as `./dev test` installs them) on
//! loopback, and each request's status, `Access-Control-*` headers, `Vary`
//! and every `Set-Cookie` attribute must equal the model's answer.
//!
//! `CRUMBTRAIL_EXPRESS_MODULES` names the directory holding `express-4/` and
//! `express-5/` (each with its `node_modules`); without it the suite says so
//! loudly and passes. `./dev test` sets it in a stage of its own, which fails
//! unless the suite printed its `express differential: N/N` line.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crumbtrail_engine::headers::HeaderList;
use crumbtrail_engine::http::{ServerModel, WireRequest};
use crumbtrail_engine::server::express::code::app_js;
use crumbtrail_engine::server::express::{
    CallbackRefusal, CorsMount, ExpressApp, ExpressVersion, Front, OptionsPath, OriginOption,
    ResCookie, SameSiteOption, SecureOption, SessionKind,
};

const PAGE: &str = "http://localhost:3000";
const EVIL: &str = "http://evil.example";

/// One request of the suite.
#[derive(Clone, Debug)]
struct Probe {
    name: &'static str,
    method: &'static str,
    path: String,
    headers: Vec<(&'static str, String)>,
    /// Send the session cookie the login answer set.
    with_cookie: bool,
    /// Sent through a TLS proxy: the model sees an https URL (and, for
    /// `Front::Direct`, the header), Node a plain request with `X-Forwarded-Proto: https`.
    proxied: bool,
}

fn probes(app: &ExpressApp) -> Vec<Probe> {
    let login = app.login_path.clone();
    let me = app.me_path.clone();
    let origin = |o: &str| ("Origin", o.to_string());
    let p = |name, method, path: &str, headers: Vec<(&'static str, String)>| Probe {
        name,
        method,
        path: path.to_string(),
        headers,
        with_cookie: false,
        proxied: false,
    };
    let mut v = vec![
        p(
            "preflight",
            "OPTIONS",
            &login,
            vec![
                origin(PAGE),
                ("Access-Control-Request-Method", "POST".into()),
                ("Access-Control-Request-Headers", "content-type".into()),
            ],
        ),
        p(
            "preflight without headers",
            "OPTIONS",
            &me,
            vec![
                origin(PAGE),
                ("Access-Control-Request-Method", "GET".into()),
            ],
        ),
        p(
            "login",
            "POST",
            &login,
            vec![origin(PAGE), ("Content-Type", "application/json".into())],
        ),
        Probe {
            with_cookie: true,
            ..p("follow-up with the cookie", "GET", &me, vec![origin(PAGE)])
        },
        p("follow-up without a cookie", "GET", &me, vec![origin(PAGE)]),
        p(
            "bad origin preflight",
            "OPTIONS",
            &login,
            vec![
                origin(EVIL),
                ("Access-Control-Request-Method", "POST".into()),
            ],
        ),
        p("bad origin login", "POST", &login, vec![origin(EVIL)]),
        p("no Origin", "GET", &me, vec![]),
        p("unknown path", "GET", "/nope", vec![origin(PAGE)]),
        Probe {
            proxied: true,
            ..p(
                "login through a TLS proxy",
                "POST",
                &login,
                vec![origin("https://app.example.com")],
            )
        },
    ];
    v.retain(|_| true);
    v
}

/// What is compared: status, `Access-Control-*`, `Vary`, and each
/// `Set-Cookie` as name, whether it has a value, and its attributes
/// (names lowercased; `Expires` compared by presence: it is a clock).
#[derive(Debug, PartialEq, Eq)]
struct Observed {
    status: u16,
    cors: Vec<(String, String)>,
    vary: Vec<String>,
    cookies: Vec<SetCookie>,
}

/// A `Set-Cookie`: its name, whether it has a value, its attributes.
type SetCookie = (String, bool, Vec<(String, String)>);

fn observe(status: u16, headers: &[(String, String)]) -> Observed {
    let mut cors: Vec<(String, String)> = headers
        .iter()
        .filter(|(n, _)| n.to_ascii_lowercase().starts_with("access-control-"))
        .map(|(n, v)| (n.to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    cors.sort();
    let vary = headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("vary"))
        .flat_map(|(_, v)| v.split(',').map(|x| x.trim().to_ascii_lowercase()))
        .filter(|x| !x.is_empty())
        .collect();
    let cookies = headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("set-cookie"))
        .map(|(_, v)| {
            let mut parts = v.split(';');
            let (name, value) = parts
                .next()
                .unwrap_or("")
                .split_once('=')
                .unwrap_or(("", ""));
            let mut attrs: Vec<(String, String)> = parts
                .map(|a| {
                    let (k, val) = a.split_once('=').unwrap_or((a, ""));
                    let k = k.trim().to_ascii_lowercase();
                    let val = if k == "expires" {
                        "(a date)".into()
                    } else {
                        val.trim().to_ascii_lowercase()
                    };
                    (k, val)
                })
                .collect();
            attrs.sort();
            (name.trim().to_string(), !value.is_empty(), attrs)
        })
        .collect();
    Observed {
        status,
        cors,
        vary,
        cookies,
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Node(Child);

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `app.js` under Node; `Err` with Node's stderr when it exits (a boot error).
fn start(dir: &Path, modules: &Path, js: &str) -> Result<(Node, u16), String> {
    let port = free_port();
    let file = dir.join(format!("app-{port}.js"));
    std::fs::write(&file, js).unwrap();
    let child = Command::new("node")
        .arg(&file)
        .env("PORT", port.to_string())
        .env("NODE_PATH", modules)
        .env("NODE_ENV", "development")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node runs");
    let mut node = Node(child);
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(15) {
        if let Ok(Some(_)) = node.0.try_wait() {
            let mut err = String::new();
            if let Some(mut e) = node.0.stderr.take() {
                let _ = e.read_to_string(&mut err);
            }
            return Err(err);
        }
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok((node, port));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Err("node did not listen within 15 s".into())
}

/// One HTTP/1.1 request over loopback; (status, headers in order).
fn send(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(String, String)],
) -> (u16, Vec<(String, String)>) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut req =
        format!("{method} {path} HTTP/1.1\r\nHost: localhost:{port}\r\nConnection: close\r\n");
    for (n, v) in headers {
        req += &format!("{n}: {v}\r\n");
    }
    let body = if method == "POST" { "{}" } else { "" };
    req += &format!("Content-Length: {}\r\n\r\n{body}", body.len());
    s.write_all(req.as_bytes()).unwrap();
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    let text = String::from_utf8_lossy(&buf);
    let head = text.split("\r\n\r\n").next().unwrap_or("");
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let hs = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    (status, hs)
}

fn cookie_pairs(headers: &[(String, String)]) -> String {
    headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("set-cookie"))
        .filter_map(|(_, v)| v.split(';').next().map(str::to_string))
        .collect::<Vec<_>>()
        .join("; ")
}

/// The generated configurations: each varies one thing from a base, over both versions.
fn configurations() -> Vec<(String, ExpressApp)> {
    let mut out: Vec<(String, ExpressApp)> = Vec::new();
    for version in [ExpressVersion::V4, ExpressVersion::V5] {
        let base = ExpressApp {
            version,
            ..ExpressApp::default()
        };
        let mut add = |name: &str, edit: &dyn Fn(&mut ExpressApp)| {
            let mut a = base.clone();
            edit(&mut a);
            out.push((format!("express {} / {name}", version.label()), a));
        };
        add("default", &|_| {});
        add("origin '*' with credentials", &|a| {
            a.cors.origin = OriginOption::Any
        });
        add("origin '*' without credentials", &|a| {
            a.cors.origin = OriginOption::Any;
            a.cors.credentials = false;
        });
        add("origin true (reflect)", &|a| {
            a.cors.origin = OriginOption::Reflect
        });
        add("origin false", &|a| a.cors.origin = OriginOption::Off);
        add("origin array with a RegExp", &|a| {
            a.cors.origin = OriginOption::List(vec![
                "http://other.test".into(),
                "/^http:\\/\\/localhost:\\d+$/".into(),
            ])
        });
        add("origin callback, Error", &|a| {
            a.cors.origin = OriginOption::Callback {
                allow: vec![PAGE.into(), "https://app.example.com".into()],
                refuse: CallbackRefusal::Error,
            }
        });
        add("origin callback, false", &|a| {
            a.cors.origin = OriginOption::Callback {
                allow: vec![PAGE.into()],
                refuse: CallbackRefusal::False,
            }
        });
        add("methods, allowedHeaders, exposedHeaders, maxAge", &|a| {
            a.cors.methods = Some(vec!["GET".into(), "POST".into()]);
            a.cors.allowed_headers = Some(vec!["Content-Type".into(), "X-Token".into()]);
            a.cors.exposed_headers = vec!["X-Total".into()];
            a.cors.max_age = Some(600);
        });
        add("optionsSuccessStatus 200", &|a| {
            a.cors.options_success_status = 200
        });
        add("preflightContinue", &|a| a.cors.preflight_continue = true);
        add("cors per route, no app.options", &|a| {
            a.cors.mount = CorsMount::PerRoute
        });
        add("cors per route, app.options on the routes", &|a| {
            a.cors.mount = CorsMount::PerRoute;
            a.cors.options_path = OptionsPath::Routes;
        });
        add("cors per route, app.options('*')", &|a| {
            a.cors.mount = CorsMount::PerRoute;
            a.cors.options_path = OptionsPath::Star;
        });
        add("cors per route, app.options('/{*splat}')", &|a| {
            a.cors.mount = CorsMount::PerRoute;
            a.cors.options_path = OptionsPath::Splat;
        });
        add("cors after the routes", &|a| {
            a.cors.mount = CorsMount::AfterRoutes
        });
        add("no cors", &|a| a.cors.enabled = false);
        add("session secure true, sameSite none, maxAge", &|a| {
            a.session.secure = SecureOption::True;
            a.session.same_site = SameSiteOption::None;
            a.session.max_age_ms = Some(3_600_000);
        });
        add("secure true behind a TLS proxy, no trust proxy", &|a| {
            a.session.secure = SecureOption::True;
            a.front = Front::TlsProxy;
        });
        add("secure true behind a TLS proxy, trust proxy", &|a| {
            a.session.secure = SecureOption::True;
            a.front = Front::TlsProxy;
            a.trust_proxy = true;
        });
        add("secure 'auto', proxy: true", &|a| {
            a.session.secure = SecureOption::Auto;
            a.session.proxy = Some(true);
            a.front = Front::TlsProxy;
        });
        add(
            "sameSite true, domain, path, httpOnly false, partitioned, name",
            &|a| {
                a.session.same_site = SameSiteOption::True;
                a.session.domain = Some("localhost".into());
                a.session.path = Some("/".into());
                a.session.http_only = false;
                a.session.partitioned = true;
                a.session.name = Some("sid".into());
            },
        );
        add("saveUninitialized, rolling, resave", &|a| {
            a.session.save_uninitialized = true;
            a.session.rolling = true;
            a.session.resave = true;
        });
        add("saveUninitialized with cors per route", &|a| {
            a.session.save_uninitialized = true;
            a.cors.mount = CorsMount::PerRoute;
        });
        add("cookie-session", &|a| {
            a.session.kind = SessionKind::CookieSession
        });
        add("cookie-session secure true over http", &|a| {
            a.session.kind = SessionKind::CookieSession;
            a.session.secure = SecureOption::True;
        });
        add("cookie-session behind a TLS proxy, trust proxy", &|a| {
            a.session.kind = SessionKind::CookieSession;
            a.front = Front::TlsProxy;
            a.trust_proxy = true;
            a.session.same_site = SameSiteOption::Lax;
            a.session.max_age_ms = Some(86_400_000);
        });
        add("no session middleware", &|a| {
            a.session.kind = SessionKind::None
        });
        add("res.cookie with options", &|a| {
            a.res_cookie = Some(ResCookie {
                secure: true,
                same_site: SameSiteOption::None,
                http_only: true,
                max_age_ms: Some(60_000),
                domain: Some("localhost".into()),
                ..ResCookie::default()
            })
        });
    }
    out
}

fn modules_dir() -> Option<PathBuf> {
    match std::env::var_os("CRUMBTRAIL_EXPRESS_MODULES") {
        Some(d) => Some(PathBuf::from(d)),
        None => {
            eprintln!(
                "\n!! express differential NOT RUN: set CRUMBTRAIL_EXPRESS_MODULES (./dev test does)\n"
            );
            None
        }
    }
}

#[test]
fn the_model_answers_as_the_real_express() {
    let Some(modules) = modules_dir() else { return };
    let dir = std::env::temp_dir().join(format!("crumbtrail-express-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (mut total, mut agree) = (0, 0);
    let mut failures = Vec::new();
    for (name, app) in configurations() {
        let nm = modules
            .join(format!("express-{}", app.version.label()))
            .join("node_modules");
        let js = app_js(&app).code;
        let booted = app.boot();
        let node = start(&dir, &nm, &js);
        total += 1;
        match (&booted, node) {
            (Err(_), Err(_)) => {
                agree += 1;
                continue;
            }
            (Ok(()), Ok((node, port))) => {
                total -= 1;
                let mut real_cookie = String::new();
                let mut model_cookie_line = String::new();
                for p in probes(&app) {
                    total += 1;
                    let mut real_headers: Vec<(String, String)> = p
                        .headers
                        .iter()
                        .map(|(n, v)| (n.to_string(), v.clone()))
                        .collect();
                    let mut model_headers = HeaderList::new();
                    for (n, v) in &p.headers {
                        model_headers.push(*n, v.clone());
                    }
                    if p.with_cookie && !real_cookie.is_empty() {
                        real_headers.push(("Cookie".into(), real_cookie.clone()));
                    }
                    if p.with_cookie && !model_cookie_line.is_empty() {
                        model_headers.push("Cookie", model_cookie_line.clone());
                    }
                    if p.proxied {
                        real_headers.push(("X-Forwarded-Proto".into(), "https".into()));
                        if app.front == Front::Direct {
                            model_headers.push("X-Forwarded-Proto", "https");
                        }
                    }
                    let scheme = if p.proxied && app.front != Front::Direct {
                        "https"
                    } else {
                        "http"
                    };
                    let wire = WireRequest {
                        method: p.method.into(),
                        url: format!("{scheme}://localhost:3001{}", p.path),
                        is_preflight: p.method == "OPTIONS"
                            && p.headers
                                .iter()
                                .any(|(n, _)| *n == "Access-Control-Request-Method"),
                        headers: model_headers,
                    };
                    let model = app.respond(&wire, 0).response;
                    let model_pairs: Vec<(String, String)> = model
                        .headers
                        .iter()
                        .map(|(n, v)| (n.to_string(), v.to_string()))
                        .collect();
                    let (status, real) = send(port, p.method, &p.path, &real_headers);
                    if p.name == "login" {
                        real_cookie = cookie_pairs(&real);
                        model_cookie_line = cookie_pairs(&model_pairs);
                    }
                    let (a, b) = (observe(status, &real), observe(model.status, &model_pairs));
                    if a == b {
                        agree += 1;
                    } else {
                        failures.push(format!(
                            "{name} / {}:\n  express: {a:?}\n  model:   {b:?}",
                            p.name
                        ));
                    }
                }
                drop(node);
            }
            (Ok(()), Err(e)) => {
                failures.push(format!("{name}: the model boots, Express does not:\n{e}"))
            }
            (Err(steps), Ok(_)) => failures.push(format!(
                "{name}: Express boots, the model does not: {}",
                steps
                    .iter()
                    .map(|s| s.title.to_string())
                    .collect::<Vec<_>>()
                    .join("; ")
            )),
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    println!("express differential: {agree}/{total}");
    assert!(
        failures.is_empty(),
        "{} disagreements:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
