//! The lab server over plain HTTP (no browser): runs, the server model on the
//! real request, the log and its CORS, and the hardening rules: loopback
//! `Host` only, run registration only from the playground's own page,
//! timeouts, the connection limit, log caps, long page URLs. Every test runs
//! its own lab on free loopback ports and ends by itself.
#![cfg(not(target_arch = "wasm32"))]

use std::time::{Duration, Instant};

use crumbtrail_engine::live::LabLogEntry;
use crumbtrail_lab::LabConfig;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;

/// Sends one HTTP/1.1 request to 127.0.0.1:`port` with `Host: host` and returns
/// (status, header lines lower-cased by name, body).
async fn http(
    port: u16,
    host: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, Vec<(String, String)>, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let mut req =
        format!("{method} {path} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    s.write_all(req.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).await.unwrap();
    let text = String::from_utf8_lossy(&out).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    (status, headers, body.to_string())
}

fn get<'a>(headers: &'a [(String, String)], name: &str) -> Vec<&'a str> {
    headers
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .collect()
}

fn raw_scenario(page: &str, response_headers: &str) -> String {
    serde_json::json!({
        "page": { "url": format!("{page}/") },
        "requests": [],
        "server": { "kind": "raw", "routes": [{
            "method": "*", "path": "/login",
            "preflight": { "status": 204, "headers": format!("Access-Control-Allow-Origin: {page}\nAccess-Control-Allow-Methods: PUT") },
            "response": { "status": 201, "headers": response_headers }
        }]}
    })
    .to_string()
}

async fn start() -> crumbtrail_lab::Lab {
    start_with(|_| {}).await
}

async fn start_with(change: impl FnOnce(&mut LabConfig)) -> crumbtrail_lab::Lab {
    let mut config = LabConfig {
        dist: None,
        app_port: 0,
        api_port: 0,
        ..Default::default()
    };
    change(&mut config);
    crumbtrail_lab::start(config).await.expect("start the lab")
}

/// What the playground's page sends to register a run on the app port `app`.
fn register_headers(app: u16) -> [(&'static str, String); 3] {
    [
        ("Origin", format!("http://localhost:{app}")),
        ("Content-Type", "application/json".into()),
        ("X-Crumbtrail-Lab", "run".into()),
    ]
}

/// Registers `scenario` as the playground's page would: (status, body).
async fn register(app: u16, scenario: &str) -> (u16, String) {
    let headers = register_headers(app);
    let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, _, body) = http(app, "localhost", "POST", "/__lab/runs", &headers, scenario).await;
    (status, body)
}

async fn run_id(app: u16, scenario: &str) -> String {
    let (status, body) = register(app, scenario).await;
    assert_eq!(status, 201, "{body}");
    serde_json::from_str::<serde_json::Value>(&body).unwrap()["run"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Writes `request` (ignoring a refusal mid-way) while reading the answer; returns what
/// was read before the server closed (or 10 s passed).
async fn exchange(port: u16, request: Vec<u8>) -> String {
    let s = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let (mut r, mut w) = s.into_split();
    let writer = tokio::spawn(async move {
        let _ = w.write_all(&request).await;
        w
    });
    let mut out = Vec::new();
    let _ = timeout(Duration::from_secs(10), r.read_to_end(&mut out)).await;
    drop(writer);
    String::from_utf8_lossy(&out).into_owned()
}

fn status_of(response: &str) -> u16 {
    response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

/// Reads one response with a Content-Length from a kept-alive connection.
async fn read_response(s: &mut TcpStream) -> String {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let text = String::from_utf8_lossy(&buf).into_owned();
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let len = head
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().parse::<usize>().unwrap())
                })
                .unwrap_or(0);
            if body.len() >= len {
                return text;
            }
        }
        let n = timeout(Duration::from_secs(5), s.read(&mut chunk))
            .await
            .expect("a response within 5 s")
            .unwrap();
        assert!(n > 0, "closed before a whole response: {text}");
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// Waits until the server closes `s` (EOF or reset), reading and dropping anything sent.
async fn closed_within(s: &mut TcpStream, limit: Duration) -> Option<Duration> {
    let start = Instant::now();
    let mut chunk = [0u8; 1024];
    loop {
        let left = limit.checked_sub(start.elapsed())?;
        match timeout(left, s.read(&mut chunk)).await {
            Err(_) => return None,
            Ok(Ok(0)) | Ok(Err(_)) => return Some(start.elapsed()),
            Ok(Ok(_)) => {}
        }
    }
}

#[tokio::test]
async fn runs_answer_with_the_model_and_log_the_real_request() {
    let lab = start().await;
    let (app, api) = (lab.ports.app, lab.ports.api);
    let page = format!("http://localhost:{app}");
    let scenario = raw_scenario(
        &page,
        &format!(
            "Access-Control-Allow-Origin: {page}\nSet-Cookie: sid=1; SameSite=Lax\nSet-Cookie: b=2"
        ),
    );
    let run = run_id(app, &scenario).await;

    let origin = [("Origin", page.as_str())];
    let (status, headers, _) = http(
        api,
        "localhost",
        "OPTIONS",
        &format!("/login?ct_run={run}&ct_req=0"),
        &[("Origin", &page), ("Access-Control-Request-Method", "PUT")],
        "",
    )
    .await;
    assert_eq!(status, 204);
    assert_eq!(get(&headers, "access-control-allow-methods"), ["PUT"]);

    let (status, headers, _) = http(
        api,
        "api.localhost",
        "PUT",
        &format!("/login?ct_run={run}&ct_req=0"),
        &[origin[0], ("Cookie", "old=1")],
        "{}",
    )
    .await;
    assert_eq!(status, 201);
    // Exactly the model's lines, two Set-Cookie kept apart.
    assert_eq!(get(&headers, "set-cookie"), ["sid=1; SameSite=Lax", "b=2"]);
    assert_eq!(
        get(&headers, "access-control-allow-origin"),
        [page.as_str()]
    );

    // The log is readable from the playground's page on any loopback name (CORS), and
    // names both requests.
    let page_elsewhere = format!("http://127.0.0.1:{app}");
    let (status, headers, body) = http(
        app,
        "localhost",
        "GET",
        &format!("/__lab/runs/{run}/log"),
        &[("Origin", &page_elsewhere)],
        "",
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        get(&headers, "access-control-allow-origin"),
        [page_elsewhere.as_str()]
    );
    let log: Vec<LabLogEntry> = serde_json::from_str(&body).unwrap();
    assert_eq!(log.len(), 2);
    assert!(log[0].is_preflight && log[0].acr_method.as_deref() == Some("PUT"));
    assert_eq!(log[1].method, "PUT");
    assert_eq!(log[1].cookie.as_deref(), Some("old=1"));
    assert_eq!(log[1].origin.as_deref(), Some(page.as_str()));
    assert_eq!(log[1].origin_of_lab, format!("http://api.localhost:{api}"));
    assert_eq!(log[1].path, "/login");

    // A page elsewhere, even another local server on loopback, gets no CORS on the log.
    for other in [
        "https://evil.example",
        "http://localhost:3000",
        "http://127.0.0.1:9",
    ] {
        let (_, headers, _) = http(
            app,
            "localhost",
            "GET",
            &format!("/__lab/runs/{run}/log"),
            &[("Origin", other)],
            "",
        )
        .await;
        assert!(
            get(&headers, "access-control-allow-origin").is_empty(),
            "{other}"
        );
    }
}

// Multi-page flows and visits in live mode (lab/src/agent.rs): the document
// a navigation loads carries the agent, with the model's status and headers;
// redirects, 204s, frames and script requests are answered as they were; the
// launch page stands in for a visit and sends no Referer.
#[tokio::test]
async fn navigations_get_the_agent_and_visits_a_launch_page() {
    let lab = start().await;
    let (app, api) = (lab.ports.app, lab.ports.api);
    let page = format!("http://localhost:{app}");
    let scenario = raw_scenario(&page, "Content-Type: application/json\nSet-Cookie: sid=1");
    let run = run_id(app, &scenario).await;
    let login = format!("/login?ct_run={run}&ct_req=0");
    let nav = [("Sec-Fetch-Dest", "document"), ("Sec-Fetch-Site", "none")];
    let (status, headers, body) = http(api, "localhost", "GET", &login, &nav, "").await;
    assert_eq!(status, 201);
    assert_eq!(get(&headers, "set-cookie"), ["sid=1"]);
    assert_eq!(get(&headers, "content-type"), ["text/html; charset=utf-8"]);
    assert!(body.contains("window.opener"), "{body}");
    for dest in [
        &[("Sec-Fetch-Dest", "empty")][..],
        &[("Sec-Fetch-Dest", "iframe")],
        &[],
    ] {
        let (_, headers, body) = http(api, "localhost", "GET", &login, dest, "").await;
        assert_eq!(
            get(&headers, "content-type"),
            ["application/json"],
            "{dest:?}"
        );
        assert!(body.is_empty(), "{dest:?}");
    }
    let log_path = format!("/__lab/runs/{run}/log");
    let (_, _, log) = http(app, "localhost", "GET", &log_path, &[], "").await;
    let log = log_of(&log);
    assert_eq!(log[0].sec_fetch_site.as_deref(), Some("none"));
    assert_eq!(log[1].sec_fetch_site, None);

    let (status, headers, body) = http(api, "api.localhost", "GET", "/__lab/launch", &[], "").await;
    assert_eq!(status, 200);
    assert_eq!(get(&headers, "content-type"), ["text/html; charset=utf-8"]);
    assert!(body.contains("no-referrer") && body.contains("location.replace"));
}

#[tokio::test]
async fn hardening() {
    let lab = start().await;
    let app = lab.ports.app;
    // CR/LF in a header line: refused when the scenario is posted, with the field named.
    let bad = raw_scenario("http://localhost:1", "X-A: 1\r\nX-Injected: 2");
    let (status, body) = register(app, &bad).await;
    assert_eq!(status, 422);
    assert!(body.contains("server.routes.0.response.headers"), "{body}");
    // Not a scenario.
    let (status, _) = register(app, "nope").await;
    assert_eq!(status, 400);
    // Too large.
    let big = format!("{{\"x\":\"{}\"}}", "a".repeat(70 * 1024));
    let (status, _) = register(app, &big).await;
    assert_eq!(status, 413);
    // Unknown run, unknown paths, no dist: 404; nothing is proxied.
    let (status, _, _) = http(app, "localhost", "GET", "/x?ct_run=nope", &[], "").await;
    assert_eq!(status, 404);
    let (status, _, _) = http(app, "localhost", "GET", "/../../etc/passwd", &[], "").await;
    assert_eq!(status, 404);
    // An absolute target naming another host is refused like a foreign Host.
    let (status, _, _) = http(app, "localhost", "GET", "http://example.com/", &[], "").await;
    assert_eq!(status, 421);
    // A Rails app that does not boot is refused with the reason.
    let rails = serde_json::json!({
        "server": { "kind": "rails", "cors": { "enabled": true, "allow": [
            { "origins": ["*"], "resources": [{ "path": "*", "credentials": true }] }
        ]}}
    })
    .to_string();
    let (status, body) = register(app, &rails).await;
    assert_eq!(status, 422, "{body}");
}

#[tokio::test]
async fn only_loopback_host_names_are_answered() {
    let lab = start().await;
    let (app, api) = (lab.ports.app, lab.ports.api);
    // Every loopback name, with or without a port, in any case.
    for host in [
        "localhost",
        "api.localhost",
        "LOCALHOST",
        "localhost.",
        "127.0.0.1",
        "127.1.2.3",
        "[::1]",
    ] {
        let (status, _, body) = http(app, host, "GET", "/__lab/health", &[], "").await;
        assert_eq!(status, 200, "{host}: {body}");
    }
    // A DNS-rebinding page sends its own name: refused, on every port and path.
    let scenario = raw_scenario(&format!("http://localhost:{app}"), "Set-Cookie: planted=1");
    let run = run_id(app, &scenario).await;
    for host in [
        "evil.example",
        "localhost.evil.example",
        "127.0.0.1.nip.io",
        "10.0.0.1",
        "[::2]",
        "user@localhost",
    ] {
        for (port, path) in [
            (app, "/__lab/health".to_string()),
            (app, "/".to_string()),
            (api, format!("/x?ct_run={run}&ct_req=0")),
        ] {
            let (status, headers, body) = http(port, host, "GET", &path, &[], "").await;
            assert_eq!(status, 421, "{host} {path}: {body}");
            assert!(
                body.contains("loopback host names") && body.contains(host),
                "{body}"
            );
            assert!(get(&headers, "set-cookie").is_empty());
        }
    }
    // The refused scenario requests were never answered by the model, so never logged.
    let (_, _, body) = http(
        app,
        "localhost",
        "GET",
        &format!("/__lab/runs/{run}/log"),
        &[],
        "",
    )
    .await;
    assert_eq!(body, "[]");
    // No Host at all (HTTP/1.0 style) is refused too.
    let answer = exchange(app, b"GET /__lab/health HTTP/1.0\r\n\r\n".to_vec()).await;
    assert_eq!(status_of(&answer), 400, "{answer}");
}

#[tokio::test]
async fn only_the_playgrounds_own_page_registers_runs() {
    let lab = start().await;
    let (app, api) = (lab.ports.app, lab.ports.api);
    let scenario = raw_scenario(&format!("http://localhost:{app}"), "Set-Cookie: planted=1");
    let own = format!("http://localhost:{app}");
    let json = ("Content-Type", "application/json");
    let custom = ("X-Crumbtrail-Lab", "run");

    // What a hostile page can send without a preflight: a text/plain (or form) POST.
    let (status, _, body) = http(
        app,
        "localhost",
        "POST",
        "/__lab/runs",
        &[
            ("Origin", "https://evil.example"),
            ("Content-Type", "text/plain"),
        ],
        &scenario,
    )
    .await;
    assert_eq!(status, 403, "{body}");
    assert!(
        body.contains("`Origin: https://evil.example` is not allowed"),
        "{body}"
    );
    assert!(
        body.contains(&own),
        "the message names the allowed origin: {body}"
    );
    // Other loopback pages are not the playground either: another dev server, the API port.
    for origin in [
        "http://localhost:3000".to_string(),
        format!("http://localhost:{api}"),
        "null".into(),
    ] {
        let (status, _, body) = http(
            app,
            "localhost",
            "POST",
            "/__lab/runs",
            &[("Origin", origin.as_str()), json, custom],
            &scenario,
        )
        .await;
        assert_eq!(status, 403, "{origin}: {body}");
    }
    // No Origin (not a browser, or a browser that hides it) is refused, saying why.
    let (status, _, body) = http(
        app,
        "localhost",
        "POST",
        "/__lab/runs",
        &[json, custom],
        &scenario,
    )
    .await;
    assert_eq!(status, 403);
    assert!(body.contains("needs an Origin header"), "{body}");
    // The right origin, but a body type that needs no preflight: 415, saying why.
    for ct in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
    ] {
        let (status, _, body) = http(
            app,
            "localhost",
            "POST",
            "/__lab/runs",
            &[("Origin", own.as_str()), ("Content-Type", ct), custom],
            &scenario,
        )
        .await;
        assert_eq!(status, 415, "{ct}: {body}");
        assert!(
            body.contains("application/json") && body.contains("preflight"),
            "{body}"
        );
    }
    // JSON without the custom header: 400, naming it.
    let (status, _, body) = http(
        app,
        "localhost",
        "POST",
        "/__lab/runs",
        &[("Origin", own.as_str()), json],
        &scenario,
    )
    .await;
    assert_eq!(status, 400);
    assert!(body.contains("X-Crumbtrail-Lab: run"), "{body}");
    // Everything right, but on the API port: runs are registered on the app port.
    let (status, _, body) = http(
        api,
        "localhost",
        "POST",
        "/__lab/runs",
        &[("Origin", own.as_str()), json, custom],
        &scenario,
    )
    .await;
    assert_eq!(status, 403, "{body}");
    // The playground's page: on localhost, or opened on another loopback name.
    let (status, body) = register(app, &scenario).await;
    assert_eq!(status, 201, "{body}");
    assert!(body.contains("\"run\""));
    let (status, _, body) = http(
        app,
        "127.0.0.1",
        "POST",
        "/__lab/runs",
        &[
            ("Origin", format!("http://127.0.0.1:{app}").as_str()),
            json,
            custom,
        ],
        &scenario,
    )
    .await;
    assert_eq!(status, 201, "{body}");
    // The preflight a hostile page's JSON request needs is not granted…
    let (status, headers, _) = http(
        app,
        "localhost",
        "OPTIONS",
        "/__lab/runs",
        &[
            ("Origin", "https://evil.example"),
            ("Access-Control-Request-Method", "POST"),
            (
                "Access-Control-Request-Headers",
                "content-type,x-crumbtrail-lab",
            ),
        ],
        "",
    )
    .await;
    assert_eq!(status, 204);
    assert!(get(&headers, "access-control-allow-origin").is_empty());
    // …while the playground's page (on another loopback name) would get it.
    let (_, headers, _) = http(
        app,
        "localhost",
        "OPTIONS",
        "/__lab/runs",
        &[
            ("Origin", format!("http://app.localhost:{app}").as_str()),
            ("Access-Control-Request-Method", "POST"),
        ],
        "",
    )
    .await;
    assert_eq!(
        get(&headers, "access-control-allow-origin"),
        [format!("http://app.localhost:{app}").as_str()]
    );
    assert!(get(&headers, "access-control-allow-headers")[0].contains("X-Crumbtrail-Lab"));
}

#[tokio::test]
async fn control_characters_in_header_values_are_refused_at_registration() {
    let lab = start().await;
    let app = lab.ports.app;
    let page = format!("http://localhost:{app}");
    for (bad, named) in [
        ("\u{b}", "U+000B"),
        ("\u{7f}", "U+007F"),
        ("\u{1b}[31m", "U+001B"),
    ] {
        let scenario = raw_scenario(&page, &format!("X-Ok: 1\nX-Odd: a{bad}b"));
        let (status, body) = register(app, &scenario).await;
        assert_eq!(status, 422, "{body}");
        assert!(
            body.contains("server.routes.0.response.headers")
                && body.contains("`X-Odd`")
                && body.contains(named),
            "{body}"
        );
    }
    // In a request header (the browser would send it; the lab could not read it).
    let mut scenario: serde_json::Value =
        serde_json::from_str(&raw_scenario(&page, "X-Ok: 1")).unwrap();
    scenario["requests"] =
        serde_json::json!([{ "url": format!("{page}/login"), "headers": "X-Req: \u{b}" }]);
    let (status, body) = register(app, &scenario.to_string()).await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body.contains("requests.0.headers") && body.contains("`X-Req`"),
        "{body}"
    );
    // A tab is a valid character, and is sent as it is.
    let run = run_id(app, &raw_scenario(&page, "X-Tab: a\tb")).await;
    let (status, headers, _) = http(
        lab.ports.api,
        "localhost",
        "GET",
        &format!("/login?ct_run={run}"),
        &[],
        "",
    )
    .await;
    assert_eq!(status, 201);
    assert_eq!(get(&headers, "x-tab"), ["a\tb"]);
}

#[tokio::test]
async fn trickling_and_idle_connections_are_closed() {
    let lab = start_with(|c| {
        c.header_read_timeout = Duration::from_millis(300);
        c.idle_timeout = Duration::from_millis(1500);
        c.body_read_timeout = Duration::from_millis(300);
    })
    .await;
    let app = lab.ports.app;

    // Slow loris: a head sent one byte every 50 ms never completes; cut at 300 ms.
    let mut s = TcpStream::connect(("127.0.0.1", app)).await.unwrap();
    s.write_all(b"GET /__lab/health HTTP/1.1\r\nHost: localhost\r\n")
        .await
        .unwrap();
    let start = Instant::now();
    let mut cut = None;
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        if s.write_all(b"X").await.is_err() {
            cut = Some(start.elapsed());
            break;
        }
        let mut b = [0u8; 64];
        if let Ok(Ok(0) | Err(_)) = timeout(Duration::from_millis(1), s.read(&mut b)).await {
            cut = Some(start.elapsed());
            break;
        }
    }
    let cut = cut.expect("a trickling head is cut off within 5 s");
    println!(
        "trickling head cut after {} ms (header timeout 300 ms)",
        cut.as_millis()
    );
    assert!(
        cut >= Duration::from_millis(250) && cut < Duration::from_secs(2),
        "{cut:?}"
    );

    // A connection that never sends anything: closed after the header timeout.
    let mut s = TcpStream::connect(("127.0.0.1", app)).await.unwrap();
    let silent = closed_within(&mut s, Duration::from_secs(5))
        .await
        .expect("a silent connection is closed");
    println!("silent connection closed after {} ms", silent.as_millis());
    assert!(silent >= Duration::from_millis(250), "{silent:?}");

    // Keep-alive: after an answer, silence is allowed for the idle timeout (longer than the
    // header timeout), then the connection is closed.
    let mut s = TcpStream::connect(("127.0.0.1", app)).await.unwrap();
    s.write_all(b"GET /__lab/health HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await
        .unwrap();
    assert_eq!(status_of(&read_response(&mut s).await), 200);
    assert_eq!(
        closed_within(&mut s, Duration::from_millis(700)).await,
        None,
        "still open after 700 ms"
    );
    // And still usable: a second request on it.
    s.write_all(b"GET /__lab/health HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await
        .unwrap();
    assert_eq!(status_of(&read_response(&mut s).await), 200);
    let idle = closed_within(&mut s, Duration::from_secs(6))
        .await
        .expect("an idle keep-alive is closed");
    println!(
        "idle keep-alive closed after {} ms (idle timeout 1500 ms)",
        idle.as_millis()
    );
    assert!(idle >= Duration::from_millis(1400), "{idle:?}");

    // A body that trickles: 408 after the body timeout, and the connection is closed.
    let mut s = TcpStream::connect(("127.0.0.1", app)).await.unwrap();
    let head = format!(
        "POST /__lab/runs HTTP/1.1\r\nHost: localhost\r\nOrigin: http://localhost:{app}\r\n\
         Content-Type: application/json\r\nX-Crumbtrail-Lab: run\r\nContent-Length: 1000\r\n\r\n{{"
    );
    s.write_all(head.as_bytes()).await.unwrap();
    let start = Instant::now();
    let mut answer = Vec::new();
    let _ = timeout(Duration::from_secs(5), s.read_to_end(&mut answer)).await;
    let answer = String::from_utf8_lossy(&answer);
    println!(
        "trickling body answered after {} ms",
        start.elapsed().as_millis()
    );
    assert_eq!(status_of(&answer), 408, "{answer}");
    assert!(answer.contains("did not arrive within 300 ms"), "{answer}");
}

#[tokio::test]
async fn connections_over_the_limit_are_refused_at_once() {
    let lab = start_with(|c| c.max_connections = 4).await;
    let app = lab.ports.app;
    // Four kept-alive connections, each answered once: the limit is reached.
    let mut held = Vec::new();
    for _ in 0..4 {
        let mut s = TcpStream::connect(("127.0.0.1", app)).await.unwrap();
        s.write_all(b"GET /__lab/health HTTP/1.1\r\nHost: localhost\r\n\r\n")
            .await
            .unwrap();
        assert_eq!(status_of(&read_response(&mut s).await), 200);
        held.push(s);
    }
    // The fifth (on any port of the lab) is answered 503 and closed at once.
    for port in [app, lab.ports.api] {
        let start = Instant::now();
        let answer = exchange(
            port,
            b"GET /__lab/health HTTP/1.1\r\nHost: localhost\r\n\r\n".to_vec(),
        )
        .await;
        let took = start.elapsed();
        println!(
            "connection over the limit refused in {} ms",
            took.as_millis()
        );
        assert_eq!(status_of(&answer), 503, "{answer}");
        assert!(answer.contains("4 connections open"), "{answer}");
        assert!(took < Duration::from_secs(1), "{took:?}");
    }
    // One closes: a new connection is served again.
    drop(held.pop());
    let start = Instant::now();
    loop {
        let (status, _, _) = http(app, "localhost", "GET", "/__lab/health", &[], "").await;
        if status == 200 {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(3),
            "the slot was never given back"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    println!(
        "slot reused {} ms after a connection closed",
        start.elapsed().as_millis()
    );
}

fn log_of(body: &str) -> Vec<LabLogEntry> {
    serde_json::from_str(body).unwrap()
}

#[tokio::test]
async fn logs_are_capped_per_run_and_in_total() {
    // The case with the default caps: 300 KiB Cookie headers, many requests.
    let lab = start().await;
    let (app, api) = (lab.ports.app, lab.ports.api);
    let page = format!("http://localhost:{app}");
    let run = run_id(app, &raw_scenario(&page, "X-A: 1")).await;
    let cookie = format!("big={}", "c".repeat(300 * 1024));
    for _ in 0..8 {
        let (status, _, _) = http(
            api,
            "localhost",
            "GET",
            &format!("/login?ct_run={run}&ct_req=0"),
            &[("Cookie", cookie.as_str())],
            "",
        )
        .await;
        assert_eq!(status, 201, "answered even when not logged");
    }
    let (_, _, body) = http(
        app,
        "localhost",
        "GET",
        &format!("/__lab/runs/{run}/log"),
        &[],
        "",
    )
    .await;
    println!(
        "log of 8 requests with 300 KiB cookies: {} bytes of JSON",
        body.len()
    );
    assert!(body.len() <= 1024 * 1024 + 1024, "{}", body.len());
    let log = log_of(&body);
    assert_eq!(log.len(), 4, "three entries and the note");
    let note = log
        .last()
        .unwrap()
        .note
        .clone()
        .expect("a note ends the log");
    assert!(
        note.contains("stopped logging this run") && note.contains("1048576 bytes"),
        "{note}"
    );
    drop(lab);

    // Small caps: per run, then across runs (the oldest other log goes first).
    let lab = start_with(|c| {
        c.max_log_bytes_per_run = 4096;
        c.max_log_bytes_total = 10_000;
    })
    .await;
    let (app, api) = (lab.ports.app, lab.ports.api);
    let page = format!("http://localhost:{app}");
    let cookie = format!("c={}", "x".repeat(1000));
    let mut runs = Vec::new();
    for _ in 0..3 {
        let run = run_id(app, &raw_scenario(&page, "X-A: 1")).await;
        for i in 0..6 {
            http(
                api,
                "localhost",
                "GET",
                &format!("/login?ct_run={run}&ct_req={i}"),
                &[("Cookie", cookie.as_str())],
                "",
            )
            .await;
        }
        runs.push(run);
    }
    let mut sizes = Vec::new();
    let mut logs = Vec::new();
    for run in &runs {
        let (_, _, body) = http(
            app,
            "localhost",
            "GET",
            &format!("/__lab/runs/{run}/log"),
            &[],
            "",
        )
        .await;
        sizes.push(body.len());
        logs.push(log_of(&body));
    }
    println!("log sizes with caps 4096/run, 10000 total: {sizes:?}");
    assert!(sizes.iter().sum::<usize>() <= 10_000 + 3 * 3, "{sizes:?}");
    // The newest run: three requests, then the per-run note.
    let newest = &logs[2];
    assert!(
        newest.len() < 6
            && newest
                .last()
                .unwrap()
                .note
                .as_deref()
                .unwrap()
                .contains("4096 bytes")
    );
    assert!(newest[..newest.len() - 1]
        .iter()
        .all(|e| e.note.is_none() && e.cookie.as_deref() == Some(cookie.as_str())));
    // The oldest: dropped for the newer runs, with a note that says so.
    let oldest = &logs[0];
    assert_eq!(oldest.len(), 1);
    assert!(
        oldest[0]
            .note
            .as_deref()
            .unwrap()
            .contains("dropped this run's log"),
        "{oldest:?}"
    );
}

#[tokio::test]
async fn a_long_permalink_opens_and_header_limits_stay() {
    let dist = std::env::temp_dir().join(format!("crumbtrail-lab-test-{}", std::process::id()));
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(
        dist.join("index.html"),
        "<!doctype html><title>playground</title>",
    )
    .unwrap();
    let lab = start_with(|c| c.dist = Some(dist.clone())).await;
    let (app, api) = (lab.ports.app, lab.ports.api);

    // A permalink with a 1 MiB query (the http crate alone refuses 64 KiB).
    let query = format!("s={}", "a".repeat(1024 * 1024));
    let request =
        format!("GET /?{query} HTTP/1.1\r\nHost: localhost:{app}\r\nConnection: close\r\n\r\n");
    let start = Instant::now();
    let answer = exchange(app, request.into_bytes()).await;
    println!(
        "1 MiB permalink served in {} ms",
        start.elapsed().as_millis()
    );
    assert_eq!(
        status_of(&answer),
        200,
        "{}",
        &answer[..answer.len().min(300)]
    );
    assert!(answer.ends_with("<title>playground</title>"));
    // Past the page limit (2 MiB), or not the playground's page: 414 with the reason.
    let too_long = format!(
        "GET /?s={} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
        "a".repeat(2 * 1024 * 1024 + 1)
    );
    let answer = exchange(app, too_long.into_bytes()).await;
    assert_eq!(status_of(&answer), 414);
    assert!(answer.contains("up to 2097152 bytes"), "{answer}");
    let on_api = format!("GET /x?{query} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    let answer = exchange(api, on_api.into_bytes()).await;
    assert_eq!(status_of(&answer), 414);
    assert!(
        answer.contains("only the playground's own page"),
        "{answer}"
    );
    // A short query is untouched: a live request still reaches its run.
    let run = run_id(
        app,
        &raw_scenario(&format!("http://localhost:{app}"), "X-A: 1"),
    )
    .await;
    let (status, _, _) = http(
        api,
        "localhost",
        "GET",
        &format!("/login?q={}&ct_run={run}&ct_req=0", "b".repeat(40 * 1024)),
        &[],
        "",
    )
    .await;
    assert_eq!(status, 201);
    // Headers keep hyper's limit (about 400 KB): a 1 MiB header is not served.
    let huge = format!(
        "GET / HTTP/1.1\r\nHost: localhost\r\nX-Big: {}\r\nConnection: close\r\n\r\n",
        "h".repeat(1024 * 1024)
    );
    let answer = exchange(app, huge.into_bytes()).await;
    assert_ne!(
        status_of(&answer),
        200,
        "{}",
        &answer[..answer.len().min(200)]
    );
    println!("1 MiB header answered: {:?}", answer.lines().next());
    drop(lab);
    let _ = std::fs::remove_dir_all(&dist);
}
