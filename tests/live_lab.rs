//! The lab server over plain HTTP (no browser): runs, the server model on the
//! real request, the log and its CORS, and the hardening rules.
#![cfg(not(target_arch = "wasm32"))]

use crumbtrail_engine::live::LabLogEntry;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

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
    crumbtrail_lab::start(crumbtrail_lab::LabConfig {
        dist: None,
        app_port: 0,
        api_port: 0,
        ..Default::default()
    })
    .await
    .expect("start the lab")
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
    let (status, _, body) = http(app, "localhost", "POST", "/__lab/runs", &[], &scenario).await;
    assert_eq!(status, 201, "{body}");
    let run = serde_json::from_str::<serde_json::Value>(&body).unwrap()["run"]
        .as_str()
        .unwrap()
        .to_string();

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

    // The log is readable from a loopback page (CORS), and names both requests.
    let (status, headers, body) = http(
        app,
        "localhost",
        "GET",
        &format!("/__lab/runs/{run}/log"),
        &[("Origin", "http://127.0.0.1:9")],
        "",
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        get(&headers, "access-control-allow-origin"),
        ["http://127.0.0.1:9"]
    );
    let log: Vec<LabLogEntry> = serde_json::from_str(&body).unwrap();
    assert_eq!(log.len(), 2);
    assert!(log[0].is_preflight && log[0].acr_method.as_deref() == Some("PUT"));
    assert_eq!(log[1].method, "PUT");
    assert_eq!(log[1].cookie.as_deref(), Some("old=1"));
    assert_eq!(log[1].origin.as_deref(), Some(page.as_str()));
    assert_eq!(log[1].origin_of_lab, format!("http://api.localhost:{api}"));
    assert_eq!(log[1].path, "/login");

    // A page elsewhere gets no CORS on the log.
    let (_, headers, _) = http(
        app,
        "localhost",
        "GET",
        &format!("/__lab/runs/{run}/log"),
        &[("Origin", "https://evil.example")],
        "",
    )
    .await;
    assert!(get(&headers, "access-control-allow-origin").is_empty());
}

#[tokio::test]
async fn hardening() {
    let lab = start().await;
    let app = lab.ports.app;
    // CR/LF in a header line: refused when the scenario is posted, with the field named.
    let bad = raw_scenario("http://localhost:1", "X-A: 1\r\nX-Injected: 2");
    let (status, _, body) = http(app, "localhost", "POST", "/__lab/runs", &[], &bad).await;
    assert_eq!(status, 422);
    assert!(body.contains("server.routes.0.response.headers"), "{body}");
    // Not a scenario.
    let (status, _, _) = http(app, "localhost", "POST", "/__lab/runs", &[], "nope").await;
    assert_eq!(status, 400);
    // Too large.
    let big = format!("{{\"x\":\"{}\"}}", "a".repeat(70 * 1024));
    let (status, _, _) = http(app, "localhost", "POST", "/__lab/runs", &[], &big).await;
    assert_eq!(status, 413);
    // Unknown run, unknown paths, no dist: 404; nothing is proxied.
    let (status, _, _) = http(app, "localhost", "GET", "/x?ct_run=nope", &[], "").await;
    assert_eq!(status, 404);
    let (status, _, _) = http(app, "localhost", "GET", "/../../etc/passwd", &[], "").await;
    assert_eq!(status, 404);
    let (status, _, _) = http(app, "localhost", "GET", "http://example.com/", &[], "").await;
    assert_eq!(status, 404);
    // A Rails app that does not boot is refused with the reason.
    let rails = serde_json::json!({
        "server": { "kind": "rails", "cors": { "enabled": true, "allow": [
            { "origins": ["*"], "resources": [{ "path": "*", "credentials": true }] }
        ]}}
    })
    .to_string();
    let (status, _, body) = http(app, "localhost", "POST", "/__lab/runs", &[], &rails).await;
    assert_eq!(status, 422, "{body}");
}
