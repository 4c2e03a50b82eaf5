//! The FastAPI model against the real FastAPI: for each configuration and
//! each release (FastAPI 0.110.0 / Starlette 0.36.3 / uvicorn 0.29.0 and
//! FastAPI 0.165.0 / Starlette 1.10.0 / uvicorn 0.55.0, with itsdangerous),
//! the engine's own generator writes `main.py`, uvicorn serves it on
//! loopback with the generated command line options, and the same requests
//! go to the real server and to the model: preflights (allowed, refused
//! origin, method, headers, private network), the login POST, the follow-up
//! with the cookie, without it, from a foreign origin and without Origin, a
//! bad session signature, a wrong method, the trailing-slash redirect, a 404,
//! an unhandled exception, logout, and a TLS proxy's `X-Forwarded-Proto`.
//! Each status, `Access-Control-*` header, `Vary`, `Location` and
//! `Set-Cookie` line (name, every attribute, the value except a signed
//! session's) must agree.
//!
//! Runs when `CRUMBTRAIL_FASTAPI_VENVS` names the folder holding the
//! `fastapi-0.110` and `fastapi-0.165` virtual environments (`./dev test`
//! makes them); otherwise it says so loudly and passes.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crumbtrail_engine::cookie_date;
use crumbtrail_engine::headers::HeaderList;
use crumbtrail_engine::http::{ServerModel, WireRequest};
use crumbtrail_engine::server::fastapi::main_py;
use crumbtrail_engine::server::fastapi::{
    FastApiApp, FastApiModel, FastApiVersion, Front, Middleware, SameSite, SetCookieCall,
};

const FRONT: &str = "http://localhost:5173";
const EVIL: &str = "https://evil.example";
/// The host a TLS proxy configuration is reached at.
const PROXIED_HOST: &str = "api.example.test";

struct Config {
    name: &'static str,
    app: FastApiApp,
    /// Only these releases (a keyword argument the other one lacks).
    only: Option<FastApiVersion>,
}

fn base() -> FastApiApp {
    let mut app = FastApiApp::default();
    app.cors.allow_origins = vec![FRONT.into()];
    app.cors.allow_credentials = true;
    app.cors.allow_methods = vec!["GET".into(), "POST".into()];
    app.cors.allow_headers = vec!["content-type".into()];
    app
}

fn config(name: &'static str, edit: impl FnOnce(&mut FastApiApp)) -> Config {
    let mut app = base();
    edit(&mut app);
    Config {
        name,
        app,
        only: None,
    }
}

fn configs() -> Vec<Config> {
    let mut out = vec![
        config("listed-origin-with-credentials", |_| {}),
        config("wildcard-with-credentials", |a| {
            a.cors.allow_origins = vec!["*".into()];
            a.cors.allow_methods = vec!["*".into()];
            a.cors.allow_headers = vec!["*".into()];
        }),
        config("wildcard-without-credentials", |a| {
            a.cors.allow_origins = vec!["*".into()];
            a.cors.allow_credentials = false;
            a.cors.expose_headers = vec!["X-Total".into(), "X-Page".into()];
        }),
        config("default-methods-and-headers", |a| {
            a.cors.allow_methods = vec!["GET".into()];
            a.cors.allow_headers.clear();
            a.cors.max_age = 0;
        }),
        config("regex-fullmatch-expose-max-age", |a| {
            a.cors.allow_origins.clear();
            a.cors.allow_origin_regex = Some(r"http://localhost:\d+".into());
            a.cors.allow_headers = vec!["X-CSRF-Token".into(), "content-type".into()];
            a.cors.expose_headers = vec!["X-Request-Id".into()];
            a.cors.max_age = 42;
        }),
        config("cors-added-first-session-outermost", |a| {
            a.middleware = vec![Middleware::Cors, Middleware::Session];
            a.session.session_cookie = "sid".into();
            a.session.path = "/api".into();
            a.session.max_age = None;
        }),
        config("no-cors-middleware-session-none-secure", |a| {
            a.middleware = vec![Middleware::Session];
            a.session.same_site = SameSite::None;
            a.session.https_only = true;
            a.session.domain = Some("localhost".into());
        }),
        config("session-max-age-zero-strict", |a| {
            a.session.max_age = Some(0);
            a.session.same_site = SameSite::Strict;
        }),
        config("set-cookie-without-sessions", |a| {
            a.middleware = vec![Middleware::Cors];
            a.set_cookie = Some(SetCookieCall {
                key: "token".into(),
                value: "tok en".into(),
                max_age: Some(3600),
                path: Some("/api".into()),
                domain: None,
                secure: true,
                httponly: true,
                samesite: Some("none".into()),
                ..SetCookieCall::default()
            });
        }),
        config("set-cookie-and-session-samesite-unset", |a| {
            a.set_cookie = Some(SetCookieCall {
                key: "csrftoken".into(),
                value: "ct-token-1".into(),
                samesite: None,
                path: None,
                expires: Some("Wed, 21 Oct 2037 07:28:00 GMT".into()),
                ..SetCookieCall::default()
            });
            a.redirect_slashes = false;
        }),
        config("tls-proxy-trusted-https-redirect", |a| {
            a.front = Front::TlsProxy;
            a.middleware = vec![
                Middleware::Session,
                Middleware::Cors,
                Middleware::HttpsRedirect,
            ];
            a.cors.allow_origins = vec!["https://app.example.test".into()];
            a.session.same_site = SameSite::None;
            a.session.https_only = true;
        }),
        config("tls-proxy-untrusted-https-redirect", |a| {
            a.front = Front::TlsProxy;
            a.forwarded_allow_ips = Some("10.0.0.1".into());
            a.middleware = vec![
                Middleware::HttpsRedirect,
                Middleware::Session,
                Middleware::Cors,
            ];
            a.cors.allow_origins = vec!["https://app.example.test".into()];
        }),
        config("tls-proxy-no-proxy-headers", |a| {
            a.front = Front::TlsProxy;
            a.proxy_headers = false;
            a.cors.allow_origins = vec!["https://app.example.test".into()];
        }),
        config("tls-proxy-network-trusted", |a| {
            a.front = Front::TlsProxy;
            a.forwarded_allow_ips = Some("10.0.0.0/8, 127.0.0.0/8".into());
            a.cors.allow_origins = vec!["https://app.example.test".into()];
        }),
    ];
    let mut pn = config("private-network-and-partitioned", |a| {
        a.cors.allow_private_network = true;
        a.session.partitioned = true;
        a.set_cookie = Some(SetCookieCall {
            partitioned: true,
            secure: true,
            samesite: Some("none".into()),
            ..SetCookieCall::default()
        });
    });
    pn.only = Some(FastApiVersion::V0_165);
    out.push(pn);
    out
}

/// One request of the script.
struct Req {
    label: &'static str,
    method: &'static str,
    path: &'static str,
    headers: Vec<(String, String)>,
    /// Send the jar's cookies.
    cookies: bool,
}

fn h(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

fn script(app: &FastApiApp) -> Vec<Req> {
    let front = app
        .cors
        .allow_origins
        .iter()
        .find(|o| o.starts_with("http"))
        .cloned()
        .unwrap_or_else(|| FRONT.into());
    let front: &'static str = Box::leak(front.into_boxed_str());
    let req = |label, method, path, extra: &[(&str, &str)], cookies| {
        let mut hs = vec![("Origin", front)];
        hs.extend_from_slice(extra);
        Req {
            label,
            method,
            path,
            headers: h(&hs),
            cookies,
        }
    };
    let foreign = |label, method, path, extra: &[(&str, &str)], cookies| {
        let mut hs = vec![("Origin", EVIL)];
        hs.extend_from_slice(extra);
        Req {
            label,
            method,
            path,
            headers: h(&hs),
            cookies,
        }
    };
    let session = app.session.session_cookie.clone();
    let bad_cookie: &'static str =
        Box::leak(format!("{session}=eyJ1c2VyX2lkIjogMX0=.ZZZ.forged").into_boxed_str());
    vec![
        req(
            "preflight",
            "OPTIONS",
            "/api/login",
            &[
                ("Access-Control-Request-Method", "POST"),
                ("Access-Control-Request-Headers", "content-type"),
            ],
            false,
        ),
        req(
            "preflight with a custom header",
            "OPTIONS",
            "/api/login",
            &[
                ("Access-Control-Request-Method", "POST"),
                (
                    "Access-Control-Request-Headers",
                    "content-type,x-csrf-token",
                ),
            ],
            false,
        ),
        req(
            "preflight for PUT",
            "OPTIONS",
            "/api/me",
            &[("Access-Control-Request-Method", "PUT")],
            false,
        ),
        req(
            "preflight for private network",
            "OPTIONS",
            "/api/me",
            &[
                ("Access-Control-Request-Method", "GET"),
                ("Access-Control-Request-Private-Network", "true"),
            ],
            false,
        ),
        foreign(
            "preflight from a foreign origin",
            "OPTIONS",
            "/api/login",
            &[("Access-Control-Request-Method", "POST")],
            false,
        ),
        req("me before login", "GET", "/api/me", &[], true),
        req(
            "login",
            "POST",
            "/api/login",
            &[("Content-Type", "application/json")],
            true,
        ),
        req("me with the cookie", "GET", "/api/me", &[], true),
        req("me without cookies", "GET", "/api/me", &[], false),
        foreign("me from a foreign origin", "GET", "/api/me", &[], true),
        foreign(
            "me from a foreign origin without cookies",
            "GET",
            "/api/me",
            &[],
            false,
        ),
        Req {
            label: "me without Origin",
            method: "GET",
            path: "/api/me",
            headers: Vec::new(),
            cookies: true,
        },
        req(
            "me with a forged session",
            "GET",
            "/api/me",
            &[("Cookie", bad_cookie)],
            false,
        ),
        req("GET on the login route", "GET", "/api/login", &[], true),
        req(
            "OPTIONS without a request method",
            "OPTIONS",
            "/api/me",
            &[],
            false,
        ),
        req("me with a trailing slash", "GET", "/api/me/", &[], true),
        req("a path no route has", "GET", "/nothing", &[], true),
        req("an unhandled exception", "GET", "/api/boom", &[], true),
        req(
            "a direct request claiming https",
            "GET",
            "/api/me",
            &[("X-Forwarded-Proto", "https")],
            true,
        ),
        req("logout", "POST", "/api/logout", &[], true),
        req("me after logout", "GET", "/api/me", &[], true),
    ]
}

/// A browser-like jar: name → value; `Max-Age=0`, a 1970 `expires` or the
/// session's `null` removes.
#[derive(Default)]
struct Jar(BTreeMap<String, String>);

impl Jar {
    fn take(&mut self, set_cookies: &[String]) {
        for line in set_cookies {
            let (nv, attrs) = line.split_once(';').unwrap_or((line, ""));
            let (n, v) = nv.split_once('=').unwrap_or((nv, ""));
            let attrs = attrs.to_ascii_lowercase();
            if attrs.contains("max-age=0") || attrs.contains("1970") || v == "null" {
                self.0.remove(n.trim());
            } else {
                self.0.insert(n.trim().to_string(), v.trim().to_string());
            }
        }
    }

    fn header(&self) -> String {
        self.0
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

struct Response {
    status: u16,
    headers: Vec<(String, String)>,
}

impl Response {
    fn all(&self, name: &str) -> Vec<String> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
            .collect()
    }
}

fn send(port: u16, method: &str, path: &str, headers: &[(String, String)]) -> Response {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect to uvicorn");
    s.set_read_timeout(Some(Duration::from_secs(20))).ok();
    let mut req = format!("{method} {path} HTTP/1.1\r\n");
    for (n, v) in headers {
        req.push_str(&format!("{n}: {v}\r\n"));
    }
    req.push_str("Connection: close\r\nContent-Length: 0\r\n\r\n");
    s.write_all(req.as_bytes()).expect("send");
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    let text = String::from_utf8_lossy(&buf);
    let head = text.split("\r\n\r\n").next().unwrap_or("");
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    Response { status, headers }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// A Set-Cookie line as the comparison sees it: the name, the value (a
/// signed session value as `<signed>`), every attribute (lower-cased name →
/// value), `expires` as a time.
type Shape = (String, String, BTreeMap<String, String>, Option<i64>);

fn cookie_shape(line: &str, session: &str) -> Shape {
    let mut parts = line.split(';');
    let nv = parts.next().unwrap_or("");
    let (n, v) = nv.split_once('=').unwrap_or((nv, ""));
    let (n, v) = (n.trim(), v.trim());
    let v = if n == session && v != "null" {
        "<signed>".to_string()
    } else {
        v.to_string()
    };
    let mut attrs = BTreeMap::new();
    let mut expires = None;
    for p in parts {
        let (k, val) = p.split_once('=').unwrap_or((p, ""));
        let k = k.trim().to_ascii_lowercase();
        if k == "expires" {
            expires = cookie_date::parse_cookie_date(val.trim());
        } else {
            attrs.insert(k, val.trim().to_string());
        }
    }
    (n.to_string(), v, attrs, expires)
}

struct Server {
    child: Child,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Writes `main.py` and starts uvicorn with the generated options.
fn start(python: &Path, dir: &Path, app: &FastApiApp) -> Server {
    std::fs::create_dir_all(dir).expect("app dir");
    std::fs::write(dir.join("main.py"), main_py::write(app)).expect("main.py");
    let port = free_port();
    let log = dir.join("uvicorn.log");
    let file = std::fs::File::create(&log).expect("log file");
    let child = Command::new(python)
        .current_dir(dir)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env_remove("FORWARDED_ALLOW_IPS")
        .args(["-m", "uvicorn", "main:app", "--host", "127.0.0.1"])
        .arg(format!("--port={port}"))
        .args(["--log-level", "warning"])
        .args(main_py::uvicorn_args(app))
        .stdout(Stdio::from(file.try_clone().expect("log")))
        .stderr(Stdio::from(file))
        .spawn()
        .expect("uvicorn");
    let mut server = Server { child, port };
    let started = Instant::now();
    loop {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return server;
        }
        if let Ok(Some(_)) = server.child.try_wait() {
            panic!(
                "uvicorn stopped: {}",
                std::fs::read_to_string(&log).unwrap_or_default()
            );
        }
        if started.elapsed() > Duration::from_secs(60) {
            panic!(
                "uvicorn did not start in 60 s: {}",
                std::fs::read_to_string(&log).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Compares one response; pushes a line per disagreement, returns (agreeing, total).
fn compare(
    what: &str,
    session: &str,
    model: &Response,
    real: &Response,
    model_now: i64,
    real_now: i64,
    bad: &mut Vec<String>,
) -> (usize, usize) {
    let mut agree = 0;
    let mut total = 1;
    if model.status == real.status {
        agree += 1;
    } else {
        bad.push(format!(
            "{what}: status model {} real {}",
            model.status, real.status
        ));
    }
    let mut names: Vec<String> = model
        .headers
        .iter()
        .chain(real.headers.iter())
        .map(|(n, _)| n.to_ascii_lowercase())
        .filter(|n| n.starts_with("access-control-") || n == "vary" || n == "location")
        .collect();
    names.sort();
    names.dedup();
    for n in names {
        total += 1;
        let (m, r) = (model.all(&n), real.all(&n));
        if m == r {
            agree += 1;
        } else {
            bad.push(format!("{what}: {n} model {m:?} real {r:?}"));
        }
    }
    let (mc, rc) = (model.all("set-cookie"), real.all("set-cookie"));
    for i in 0..mc.len().max(rc.len()) {
        total += 1;
        let m = mc.get(i).map(|l| cookie_shape(l, session));
        let r = rc.get(i).map(|l| cookie_shape(l, session));
        let ok = match (&m, &r) {
            (Some(m), Some(r)) => {
                let exp_ok = match (m.3, r.3) {
                    (None, None) => true,
                    (Some(a), Some(b)) => a == b || ((a - model_now) - (b - real_now)).abs() <= 3,
                    _ => false,
                };
                m.0 == r.0 && m.1 == r.1 && m.2 == r.2 && exp_ok
            }
            _ => false,
        };
        if ok {
            agree += 1;
        } else {
            bad.push(format!(
                "{what}: Set-Cookie #{i} model {:?} real {:?}",
                mc.get(i),
                rc.get(i)
            ));
        }
    }
    (agree, total)
}

fn run_config(
    python: &Path,
    version: FastApiVersion,
    cfg: &Config,
    root: &Path,
    bad: &mut Vec<String>,
) -> (usize, usize) {
    let mut app = cfg.app.clone();
    app.version = version;
    let dir = root.join(format!("{}-{}", cfg.name, version.key()));
    let server = start(python, &dir, &app);
    let model = FastApiModel::new(app.clone());
    let proxied = app.front == Front::TlsProxy;
    // Through the proxy the browser's URL is https://api.example.test; the
    // proxy keeps the Host and adds X-Forwarded-Proto.
    let (url_base, host) = if proxied {
        (format!("https://{PROXIED_HOST}"), PROXIED_HOST.to_string())
    } else {
        (
            format!("http://localhost:{}", server.port),
            format!("localhost:{}", server.port),
        )
    };
    let (mut agree, mut total) = (0, 0);
    let (mut mjar, mut rjar) = (Jar::default(), Jar::default());
    for (i, r) in script(&app).iter().enumerate() {
        let side = |jar: &Jar| {
            let mut hs = vec![("Host".to_string(), host.clone())];
            hs.extend(r.headers.iter().cloned());
            if r.cookies && !jar.0.is_empty() {
                hs.push(("Cookie".into(), jar.header()));
            }
            hs
        };
        let mut rh = side(&rjar);
        if proxied {
            rh.retain(|(n, _)| !n.eq_ignore_ascii_case("x-forwarded-proto"));
            rh.push(("X-Forwarded-Proto".into(), "https".into()));
            rh.push(("X-Forwarded-For".into(), "203.0.113.7".into()));
        }
        let real_now = now();
        let real = send(server.port, r.method, r.path, &rh);
        let mut hl = HeaderList::new();
        for (n, v) in side(&mjar) {
            hl.push(n, v);
        }
        let wr = WireRequest {
            method: r.method.into(),
            url: format!("{url_base}{}", r.path),
            is_preflight: r.method == "OPTIONS" && hl.contains("access-control-request-method"),
            headers: hl,
        };
        let model_now = now();
        model.set_clock(model_now);
        let reply = model.respond(&wr, i);
        let m = Response {
            status: reply.response.status,
            headers: reply
                .response
                .headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
        };
        let what = format!("{} on {}, {}", cfg.name, version.label(), r.label);
        let (a, t) = compare(
            &what,
            &app.session.session_cookie,
            &m,
            &real,
            model_now,
            real_now,
            bad,
        );
        agree += a;
        total += t;
        mjar.take(&m.all("set-cookie"));
        rjar.take(&real.all("set-cookie"));
    }
    (agree, total)
}

#[test]
fn the_model_agrees_with_real_fastapi() {
    let Some(venvs) = std::env::var_os("CRUMBTRAIL_FASTAPI_VENVS").map(PathBuf::from) else {
        eprintln!(
            "\n!! fastapi differential NOT RUN: set CRUMBTRAIL_FASTAPI_VENVS to the folder with the \
             fastapi-0.110 and fastapi-0.165 virtual environments (./dev test does)\n"
        );
        return;
    };
    let root = std::env::temp_dir().join(format!("crumbtrail-fastapi-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let mut bad = Vec::new();
    let (mut agree, mut total) = (0, 0);
    let started = Instant::now();
    let mut runs = 0;
    for version in FastApiVersion::ALL {
        let python = venvs
            .join(format!("fastapi-{}", version.key()))
            .join("bin/python");
        assert!(python.exists(), "{} is missing", python.display());
        let (mut va, mut vt) = (0, 0);
        for cfg in configs() {
            if cfg.only.is_some_and(|v| v != version) {
                continue;
            }
            runs += 1;
            let (a, t) = run_config(&python, version, &cfg, &root, &mut bad);
            va += a;
            vt += t;
        }
        println!("fastapi differential, {}: {va}/{vt}", version.label());
        agree += va;
        total += vt;
    }
    let _ = std::fs::remove_dir_all(&root);
    println!(
        "fastapi differential: {agree}/{total} ({runs} configurations and releases, {:.0} s)",
        started.elapsed().as_secs_f64()
    );
    assert!(
        bad.is_empty(),
        "{} disagreements with real FastAPI:\n{}",
        bad.len(),
        bad.join("\n")
    );
    assert!(total > 500, "the suite compared only {total} observables");
}
