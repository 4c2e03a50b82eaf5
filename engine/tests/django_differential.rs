//! The Django model against the real Django: for each generated
//! configuration and each Django release (4.2 and 5.2, with
//! django-cors-headers), the settings the model reads are written as a
//! project (`settings.py`, `urls.py`, `views.py`, by the engine's own
//! generator), `manage.py runserver` serves it on loopback, and the same
//! requests go to the real server and to the model: the preflight, the csrf
//! view, a login POST with and without the token, the follow-up with the
//! cookie, a foreign origin, a foreign Host, a proxy's `X-Forwarded-Proto`,
//! a path without its slash, a stale session cookie, logout. Each status,
//! `Access-Control-*` header, `Vary` and `Set-Cookie` line (every attribute;
//! the value only where it is empty, `expires=` within a few seconds) must
//! agree. A configuration with system check errors must stop runserver with
//! the same error ids.
//!
//! Runs when `CRUMBTRAIL_DJANGO_VENVS` names the folder holding the
//! `django-4.2` and `django-5.2` virtual environments (`./dev test` makes
//! them); otherwise it says so loudly and passes.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crumbtrail_engine::cookie_date;
use crumbtrail_engine::headers::HeaderList;
use crumbtrail_engine::http::{ServerModel, WireRequest};
use crumbtrail_engine::server::django::settings_py;
use crumbtrail_engine::server::django::{
    checks, CorsPosition, DjangoApp, DjangoModel, DjangoRoute, DjangoVersion, DjangoView,
    SameSiteSetting, SessionEngine,
};

const FRONT: &str = "http://localhost:5173";
const EVIL: &str = "https://evil.example";

/// One configuration of the matrix.
struct Config {
    name: &'static str,
    app: DjangoApp,
}

fn base() -> DjangoApp {
    let mut app = DjangoApp::default();
    app.cors.allowed_origins = vec![FRONT.into()];
    app.cors.allow_credentials = true;
    app.csrf.trusted_origins = vec![FRONT.into()];
    app
}

fn configs() -> Vec<Config> {
    let mut out = Vec::new();
    out.push(Config {
        name: "allowed-origin-with-credentials",
        app: base(),
    });
    let mut a = base();
    a.csrf.trusted_origins.clear();
    out.push(Config {
        name: "cors-passes-csrf-fails",
        app: a,
    });
    let mut a = base();
    a.cors.allowed_origins.clear();
    a.cors.allow_all_origins = true;
    out.push(Config {
        name: "allow-all-origins-with-credentials",
        app: a,
    });
    let mut a = base();
    a.cors.allowed_origins.clear();
    a.cors.allow_all_origins = true;
    a.cors.allow_credentials = false;
    a.session.cookie_samesite = SameSiteSetting::Strict;
    out.push(Config {
        name: "allow-all-origins-star",
        app: a,
    });
    let mut a = base();
    a.cors.allowed_origins = vec!["http://localhost:3000".into(), "null".into()];
    a.cors.allowed_origin_regexes = vec![r"^http://localhost:\d+$".into()];
    a.cors.urls_regex = r"^/api/(login|me)/$".into();
    a.cors.expose_headers = vec!["X-Total".into(), "X-Request-Id".into()];
    a.cors.preflight_max_age = 0;
    a.cors.allow_private_network = true;
    a.cors.allow_methods = vec!["GET".into(), "POST".into()];
    a.cors.allow_headers = vec!["content-type".into(), "x-csrftoken".into()];
    a.session.cookie_age = 3600;
    out.push(Config {
        name: "regexes-urls-regex-expose-private-network",
        app: a,
    });
    let mut a = base();
    a.cors.allowed_origins = vec!["https://app.example.test".into()];
    a.csrf.trusted_origins = vec!["https://*.example.test".into()];
    a.secure_proxy_ssl_header = Some(("HTTP_X_FORWARDED_PROTO".into(), "https".into()));
    a.session.cookie_samesite = SameSiteSetting::None;
    a.session.cookie_secure = true;
    a.csrf.cookie_samesite = SameSiteSetting::None;
    a.csrf.cookie_secure = true;
    a.allowed_hosts = vec![".localhost".into(), "api.example.test".into()];
    out.push(Config {
        name: "behind-an-https-proxy-samesite-none",
        app: a,
    });
    let mut a = base();
    a.csrf.use_sessions = true;
    a.session.engine = SessionEngine::SignedCookies;
    a.session.save_every_request = true;
    a.session.expire_at_browser_close = true;
    a.session.cookie_httponly = false;
    out.push(Config {
        name: "csrf-in-signed-cookie-sessions",
        app: a,
    });
    let mut a = base();
    a.session.engine = SessionEngine::Cache;
    a.cors_position = CorsPosition::AfterCommon;
    a.debug = true;
    a.allowed_hosts.clear();
    a.session.cookie_name = "api_session".into();
    a.session.cookie_path = "/api".into();
    a.session.cookie_domain = Some("localhost".into());
    a.session.cookie_samesite = SameSiteSetting::False;
    a.csrf.cookie_name = "XSRF-TOKEN".into();
    a.csrf.cookie_age = None;
    a.csrf.cookie_httponly = true;
    a.csrf.header_name = "HTTP_X_XSRF_TOKEN".into();
    a.csrf.cookie_samesite = SameSiteSetting::Strict;
    out.push(Config {
        name: "cache-sessions-cors-after-common-debug",
        app: a,
    });
    let mut a = base();
    a.cors_position = CorsPosition::Missing;
    a.append_slash = false;
    a.urls.push(DjangoRoute {
        route: "api/hook/".into(),
        view: DjangoView::Login,
        csrf_exempt: true,
    });
    out.push(Config {
        name: "no-cors-middleware-csrf-exempt",
        app: a,
    });
    let mut a = base();
    a.session.save_every_request = true;
    out.push(Config {
        name: "save-every-request",
        app: a,
    });
    let mut a = base();
    a.cors.allowed_origins = vec!["http://localhost:5173/".into(), "localhost:3000".into()];
    a.csrf.trusted_origins = vec!["localhost:5173".into()];
    a.cors.preflight_max_age = -1;
    out.push(Config {
        name: "system-check-errors",
        app: a,
    });
    let mut a = base();
    a.allowed_hosts.clear();
    out.push(Config {
        name: "empty-allowed-hosts",
        app: a,
    });
    out
}

/// One request of the script.
struct Req {
    label: &'static str,
    method: &'static str,
    path: &'static str,
    headers: Vec<(String, String)>,
    /// Send the side's cookies.
    cookies: bool,
    /// Send the side's CSRF token in the configured header.
    token: Token,
}

#[derive(Clone, Copy, PartialEq)]
enum Token {
    None,
    Right,
    Malformed,
    Wrong,
}

fn h(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

fn script(app: &DjangoApp) -> Vec<Req> {
    let front = app
        .cors
        .allowed_origins
        .first()
        .filter(|o| o.starts_with("http"))
        .cloned()
        .unwrap_or_else(|| FRONT.into());
    let front = Box::leak(front.into_boxed_str()) as &str;
    let https = front.starts_with("https");
    let mut base = vec![("Origin", front)];
    if https {
        base.push(("X-Forwarded-Proto", "https"));
    }
    let with = |extra: &[(&'static str, &'static str)]| {
        let mut v = base.clone();
        v.extend_from_slice(extra);
        h(&v)
    };
    let mut out = vec![
        Req {
            label: "preflight",
            method: "OPTIONS",
            path: "/api/login/",
            headers: with(&[
                ("Access-Control-Request-Method", "POST"),
                ("Access-Control-Request-Headers", "content-type,x-csrftoken"),
                ("Access-Control-Request-Private-Network", "true"),
            ]),
            cookies: false,
            token: Token::None,
        },
        Req {
            label: "csrf view",
            method: "GET",
            path: "/api/csrf/",
            headers: with(&[]),
            cookies: true,
            token: Token::None,
        },
        Req {
            label: "login without token",
            method: "POST",
            path: "/api/login/",
            headers: with(&[("Content-Type", "application/json")]),
            cookies: true,
            token: Token::None,
        },
        Req {
            label: "login with a malformed token",
            method: "POST",
            path: "/api/login/",
            headers: with(&[]),
            cookies: true,
            token: Token::Malformed,
        },
        Req {
            label: "login with a wrong token",
            method: "POST",
            path: "/api/login/",
            headers: with(&[]),
            cookies: true,
            token: Token::Wrong,
        },
        Req {
            label: "login with the token",
            method: "POST",
            path: "/api/login/",
            headers: with(&[("Content-Type", "application/json")]),
            cookies: true,
            token: Token::Right,
        },
        Req {
            label: "me with the cookie",
            method: "GET",
            path: "/api/me/",
            headers: with(&[]),
            cookies: true,
            token: Token::None,
        },
        Req {
            label: "me without cookies",
            method: "GET",
            path: "/api/me/",
            headers: with(&[]),
            cookies: false,
            token: Token::None,
        },
        Req {
            label: "GET login (require_POST)",
            method: "GET",
            path: "/api/login/",
            headers: with(&[]),
            cookies: true,
            token: Token::None,
        },
        Req {
            label: "preflight from a foreign origin",
            method: "OPTIONS",
            path: "/api/me/",
            headers: h(&[("Origin", EVIL), ("Access-Control-Request-Method", "GET")]),
            cookies: false,
            token: Token::None,
        },
        Req {
            label: "GET from a foreign origin",
            method: "GET",
            path: "/api/me/",
            headers: h(&[("Origin", EVIL)]),
            cookies: true,
            token: Token::None,
        },
        Req {
            label: "POST from a foreign origin with the token",
            method: "POST",
            path: "/api/login/",
            headers: h(&[("Origin", EVIL)]),
            cookies: true,
            token: Token::Right,
        },
        Req {
            label: "Origin null",
            method: "GET",
            path: "/api/me/",
            headers: h(&[("Origin", "null")]),
            cookies: false,
            token: Token::None,
        },
        Req {
            label: "foreign Host",
            method: "GET",
            path: "/api/me/",
            headers: with(&[("Host", "evil.example")]),
            cookies: true,
            token: Token::None,
        },
        Req {
            label: "foreign Host preflight",
            method: "OPTIONS",
            path: "/api/me/",
            headers: with(&[
                ("Host", "evil.example:8000"),
                ("Access-Control-Request-Method", "GET"),
            ]),
            cookies: false,
            token: Token::None,
        },
        Req {
            label: "proxy says https, Origin http",
            method: "POST",
            path: "/api/login/",
            headers: h(&[("Origin", FRONT), ("X-Forwarded-Proto", "https")]),
            cookies: true,
            token: Token::Right,
        },
        Req {
            label: "https without Origin or Referer",
            method: "POST",
            path: "/api/login/",
            headers: h(&[("X-Forwarded-Proto", "https")]),
            cookies: true,
            token: Token::Right,
        },
        Req {
            label: "https with a trusted Referer",
            method: "POST",
            path: "/api/login/",
            headers: h(&[
                ("X-Forwarded-Proto", "https"),
                ("Referer", "https://app.example.test/login"),
            ]),
            cookies: true,
            token: Token::Right,
        },
        Req {
            label: "GET without the slash",
            method: "GET",
            path: "/api/me",
            headers: with(&[]),
            cookies: true,
            token: Token::None,
        },
        Req {
            label: "POST without the slash",
            method: "POST",
            path: "/api/login",
            headers: with(&[]),
            cookies: true,
            token: Token::Right,
        },
        Req {
            label: "csrf-exempt hook",
            method: "POST",
            path: "/api/hook/",
            headers: h(&[("Origin", EVIL)]),
            cookies: false,
            token: Token::None,
        },
        Req {
            label: "a path no route has",
            method: "GET",
            path: "/nothing/",
            headers: with(&[]),
            cookies: true,
            token: Token::None,
        },
        Req {
            label: "logout",
            method: "POST",
            path: "/api/logout/",
            headers: with(&[]),
            cookies: true,
            token: Token::Right,
        },
        Req {
            label: "me after logout",
            method: "GET",
            path: "/api/me/",
            headers: with(&[]),
            cookies: true,
            token: Token::None,
        },
    ];
    out.push(Req {
        label: "stale session cookie",
        method: "GET",
        path: "/api/me/",
        headers: with(&[(
            "Cookie",
            Box::leak(
                format!(
                    "{}=staleunknownsessionkey0000000000",
                    app.session.cookie_name
                )
                .into_boxed_str(),
            ),
        )]),
        cookies: false,
        token: Token::None,
    });
    out.push(Req {
        label: "foreign Host with a malformed CSRF cookie",
        method: "GET",
        path: "/api/me/",
        headers: with(&[
            ("Host", "evil.example"),
            (
                "Cookie",
                Box::leak(format!("{}=bad", app.csrf.cookie_name).into_boxed_str()),
            ),
        ]),
        cookies: false,
        token: Token::None,
    });
    out.push(Req {
        label: "short session cookie",
        method: "GET",
        path: "/api/csrf/",
        headers: with(&[(
            "Cookie",
            Box::leak(format!("{}=short", app.session.cookie_name).into_boxed_str()),
        )]),
        cookies: false,
        token: Token::None,
    });
    out
}

/// A browser-like jar: name → value, `Max-Age=0` removes.
#[derive(Default)]
struct Jar(BTreeMap<String, String>);

impl Jar {
    fn take(&mut self, set_cookies: &[String]) {
        for line in set_cookies {
            let (nv, attrs) = line.split_once(';').unwrap_or((line, ""));
            let (n, v) = nv.split_once('=').unwrap_or((nv, ""));
            if attrs.to_ascii_lowercase().contains("max-age=0") {
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
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect to runserver");
    s.set_read_timeout(Some(Duration::from_secs(20))).ok();
    let mut req = format!("{method} {path} HTTP/1.1\r\n");
    if !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("host")) {
        req.push_str(&format!("Host: localhost:{port}\r\n"));
    }
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

/// A Set-Cookie line as the comparison sees it: the name, whether the value
/// is empty, every attribute (lower-cased name → value), `expires` as a time.
fn cookie_shape(line: &str) -> (String, bool, BTreeMap<String, String>, Option<i64>) {
    let mut parts = line.split(';');
    let nv = parts.next().unwrap_or("");
    let (n, v) = nv.split_once('=').unwrap_or((nv, ""));
    let v = v.trim();
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
    (
        n.trim().to_string(),
        v.is_empty() || v == "\"\"",
        attrs,
        expires,
    )
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

fn project(dir: &Path, app: &DjangoApp) {
    std::fs::create_dir_all(dir).expect("project dir");
    std::fs::write(dir.join("settings.py"), settings_py::write(app)).expect("settings.py");
    std::fs::write(dir.join("urls.py"), settings_py::write_urls(app)).expect("urls.py");
    std::fs::write(dir.join("views.py"), settings_py::write_views()).expect("views.py");
}

fn django(python: &Path, dir: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(python);
    c.current_dir(dir)
        .env("PYTHONPATH", dir)
        .env("DJANGO_SETTINGS_MODULE", "settings")
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .arg("-m")
        .arg("django")
        .args(args);
    c
}

/// Starts runserver; `Err` holds its output when it stops before serving.
fn start(python: &Path, dir: &Path, app: &DjangoApp) -> Result<Server, String> {
    if app.session.engine == SessionEngine::Db {
        let out = django(
            python,
            dir,
            &["migrate", "sessions", "-v", "0", "--skip-checks"],
        )
        .output()
        .expect("migrate");
        assert!(
            out.status.success(),
            "migrate failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let port = free_port();
    let log = dir.join("runserver.log");
    let file = std::fs::File::create(&log).expect("log file");
    let child = django(
        python,
        dir,
        &["runserver", "--noreload", &format!("127.0.0.1:{port}")],
    )
    .stdout(Stdio::from(file.try_clone().expect("log")))
    .stderr(Stdio::from(file))
    .spawn()
    .expect("runserver");
    let mut server = Server { child, port };
    let started = Instant::now();
    loop {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(server);
        }
        if let Ok(Some(_)) = server.child.try_wait() {
            return Err(std::fs::read_to_string(&log).unwrap_or_default());
        }
        if started.elapsed() > Duration::from_secs(60) {
            panic!(
                "runserver did not start in 60 s: {}",
                std::fs::read_to_string(&log).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Compares one response; pushes a line per disagreement, returns (agreeing, total).
fn compare(
    what: &str,
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
        .filter(|n| n.starts_with("access-control-") || n == "vary")
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
    let count = mc.len().max(rc.len());
    for i in 0..count {
        total += 1;
        let m = mc.get(i).map(|l| cookie_shape(l));
        let r = rc.get(i).map(|l| cookie_shape(l));
        let ok = match (&m, &r) {
            (Some(m), Some(r)) => {
                let exp_ok = match (m.3, r.3) {
                    (None, None) => true,
                    (Some(a), Some(b)) => {
                        // Both relative to their own clock, or the same fixed date.
                        a == b || ((a - model_now) - (b - real_now)).abs() <= 3
                    }
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
    version: DjangoVersion,
    cfg: &Config,
    root: &Path,
    bad: &mut Vec<String>,
) -> (usize, usize) {
    let mut app = cfg.app.clone();
    app.version = version;
    let dir = root.join(format!("{}-{}", cfg.name, version.as_str()));
    project(&dir, &app);
    let model = DjangoModel::new(app.clone());
    let expected: Vec<&str> = checks::run(&app).iter().map(|e| e.id).collect();
    let server = match start(python, &dir, &app) {
        Ok(s) => s,
        Err(log) => {
            // runserver stopped: the model must not boot either, with the same errors.
            let what = format!("{} on Django {}", cfg.name, version.as_str());
            let booted = model.boot().is_ok();
            let mut total = 1;
            let mut agree = usize::from(!booted);
            if booted {
                bad.push(format!(
                    "{what}: runserver stopped but the model boots: {log}"
                ));
            }
            for id in &expected {
                total += 1;
                let shown = if *id == "runserver" {
                    "You must set settings.ALLOWED_HOSTS if DEBUG is False."
                } else {
                    id
                };
                if log.contains(shown) {
                    agree += 1;
                } else {
                    bad.push(format!(
                        "{what}: the model reports {id}, runserver does not: {log}"
                    ));
                }
            }
            return (agree, total);
        }
    };
    if !expected.is_empty() {
        bad.push(format!(
            "{} on Django {}: runserver started, but the model reports {expected:?}",
            cfg.name,
            version.as_str()
        ));
        return (0, 1);
    }
    let (mut agree, mut total) = (0, 0);
    let (mut mjar, mut rjar) = (Jar::default(), Jar::default());
    for (i, r) in script(&app).iter().enumerate() {
        let side_headers = |jar: &Jar, token: Option<String>| {
            let mut hs = r.headers.clone();
            if r.cookies && !jar.0.is_empty() {
                hs.push(("Cookie".into(), jar.header()));
            }
            let header = app
                .csrf
                .header_name
                .trim_start_matches("HTTP_")
                .replace('_', "-");
            match r.token {
                Token::None => {}
                Token::Right => {
                    if let Some(t) = token {
                        hs.push((header, t));
                    }
                }
                Token::Malformed => hs.push((header, "not-a-token".into())),
                Token::Wrong => hs.push((header, "abcdefghijklmnopqrstuvwxyzABCDEF".into())),
            }
            hs
        };
        // The real token: the csrf view's JSON body (`get_token`), fetched with the jar.
        let real_token = if r.token == Token::Right {
            let mut hs = h(&[]);
            if !rjar.0.is_empty() {
                hs.push(("Cookie".into(), rjar.header()));
            }
            let resp = send_body(server.port, "/api/csrf/", &hs);
            let t = resp
                .1
                .split("\"csrfToken\": \"")
                .nth(1)
                .and_then(|s| s.split('"').next())
                .map(str::to_string);
            rjar.take(&resp.0.all("set-cookie"));
            t
        } else {
            None
        };
        let model_token = if r.token == Token::Right {
            // The same csrf view call on the model.
            let mut hs = HeaderList::new();
            hs.push("Host", format!("localhost:{}", server.port));
            if !mjar.0.is_empty() {
                hs.push("Cookie", mjar.header());
            }
            let wr = WireRequest {
                method: "GET".into(),
                url: format!("http://localhost:{}/api/csrf/", server.port),
                headers: hs,
                is_preflight: false,
            };
            model.set_clock(now());
            let rep = model.respond(&wr, i);
            let sc: Vec<String> = rep
                .response
                .headers
                .get_all("set-cookie")
                .iter()
                .map(|s| s.to_string())
                .collect();
            mjar.take(&sc);
            model.csrf_token(&mjar.header())
        } else {
            None
        };
        let rh = side_headers(&rjar, real_token);
        let mh = side_headers(&mjar, model_token);
        let real_now = now();
        let real = send(server.port, r.method, r.path, &rh);
        let mut hl = HeaderList::new();
        if !mh.iter().any(|(n, _)| n.eq_ignore_ascii_case("host")) {
            hl.push("Host", format!("localhost:{}", server.port));
        }
        for (n, v) in &mh {
            hl.push(n.clone(), v.clone());
        }
        let wr = WireRequest {
            method: r.method.into(),
            url: format!("http://localhost:{}{}", server.port, r.path),
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
        let what = format!("{} on Django {}, {}", cfg.name, version.as_str(), r.label);
        let (a, t) = compare(&what, &m, &real, model_now, real_now, bad);
        agree += a;
        total += t;
        mjar.take(&m.all("set-cookie"));
        rjar.take(&real.all("set-cookie"));
    }
    (agree, total)
}

/// GET with the body (the csrf view's JSON).
fn send_body(port: u16, path: &str, headers: &[(String, String)]) -> (Response, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(20))).ok();
    let mut req = format!("GET {path} HTTP/1.1\r\nHost: localhost:{port}\r\n");
    for (n, v) in headers {
        req.push_str(&format!("{n}: {v}\r\n"));
    }
    req.push_str("Connection: close\r\n\r\n");
    s.write_all(req.as_bytes()).expect("send");
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    let text = String::from_utf8_lossy(&buf).to_string();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
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
    (Response { status, headers }, body.to_string())
}

#[test]
fn the_model_agrees_with_real_django() {
    let Some(venvs) = std::env::var_os("CRUMBTRAIL_DJANGO_VENVS").map(PathBuf::from) else {
        eprintln!(
            "\n!! django differential NOT RUN: set CRUMBTRAIL_DJANGO_VENVS to the folder with the \
             django-4.2 and django-5.2 virtual environments (./dev test does)\n"
        );
        return;
    };
    let root = std::env::temp_dir().join(format!("crumbtrail-django-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let mut bad = Vec::new();
    let (mut agree, mut total) = (0, 0);
    let started = Instant::now();
    for version in [DjangoVersion::V4_2, DjangoVersion::V5_2] {
        let python = venvs
            .join(format!("django-{}", version.as_str()))
            .join("bin/python");
        assert!(python.exists(), "{} is missing", python.display());
        let (mut va, mut vt) = (0, 0);
        for cfg in configs() {
            let (a, t) = run_config(&python, version, &cfg, &root, &mut bad);
            va += a;
            vt += t;
        }
        println!(
            "django differential, Django {}: {va}/{vt}",
            version.as_str()
        );
        agree += va;
        total += vt;
    }
    let _ = std::fs::remove_dir_all(&root);
    println!(
        "django differential: {agree}/{total} ({} configurations × 2 releases, {:.0} s)",
        configs().len(),
        started.elapsed().as_secs_f64()
    );
    assert!(
        bad.is_empty(),
        "{} disagreements with real Django:\n{}",
        bad.len(),
        bad.join("\n")
    );
    assert!(total > 500, "the suite compared only {total} observables");
}
