//! Recording what a real browser sends and receives, as a HAR 1.2 file like
//! the browser's own Network panel exports it, for the import's fixtures
//! (tests/record_har.rs).
//!
//! - Chromium: the DevTools protocol's Network events from chromedriver's
//!   performance log (`goog:loggingPrefs: {performance: ALL}`):
//!   `requestWillBeSent`, `requestWillBeSentExtraInfo` (the headers really
//!   sent, `Cookie` included, and the cookies with their attributes),
//!   `responseReceived`, `responseReceivedExtraInfo` (`Set-Cookie`
//!   included), `loadingFailed`; written with DevTools' `_initiator`,
//!   `_resourceType`, `_fromCache` and `_error` fields.
//! - Firefox: headless Firefox has no Network panel to export from (the
//!   `devtools.netmonitor.har.enableAutoExportToFile` preference needs the
//!   toolbox open), so its WebDriver BiDi network events
//!   (`network.beforeRequestSent`, `responseCompleted`, `fetchError`) are
//!   read over the session's WebSocket, and written as Firefox's export.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::Client;
use serde_json::{json, Map, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::task::JoinHandle;

// ---------------------------------------------------------------------------------------------
// Chromium: the performance log

/// chromedriver's log of a type (`performance`), a command fantoccini does not wrap.
#[derive(Debug)]
struct Log(&'static str);

impl WebDriverCompatibleCommand for Log {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/se/log", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (
            http::Method::POST,
            Some(json!({ "type": self.0 }).to_string()),
        )
    }
}

/// A DevTools protocol command through chromedriver (`goog/cdp/execute`).
#[derive(Debug)]
pub struct Cdp(pub &'static str, pub Value);

impl WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!(
            "session/{}/goog/cdp/execute",
            session.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (
            http::Method::POST,
            Some(json!({ "cmd": self.0, "params": self.1 }).to_string()),
        )
    }
}

/// The capabilities that turn on Chromium's performance log with Network events.
pub fn chromium_caps(caps: &mut Map<String, Value>) {
    caps.insert(
        "goog:loggingPrefs".into(),
        json!({ "browser": "ALL", "performance": "ALL" }),
    );
    if let Some(Value::Object(opts)) = caps.get_mut("goog:chromeOptions") {
        opts.insert(
            "perfLoggingPrefs".into(),
            json!({ "enableNetwork": true, "enablePage": false }),
        );
    }
}

/// The Network events logged since the last call, in order.
pub async fn chromium_events(client: &Client) -> Vec<Value> {
    let Ok(Value::Array(entries)) = client.issue_cmd(Log("performance")).await else {
        return Vec::new();
    };
    entries
        .iter()
        .filter_map(|e| serde_json::from_str::<Value>(e["message"].as_str()?).ok())
        .map(|m| m["message"].clone())
        .filter(|m| {
            m["method"]
                .as_str()
                .is_some_and(|s| s.starts_with("Network."))
        })
        .collect()
}

fn header_list(obj: &Value) -> Vec<Value> {
    let mut out = Vec::new();
    if let Value::Object(map) = obj {
        for (name, value) in map {
            // DevTools joins repeated headers (Set-Cookie) with line breaks.
            for v in value.as_str().unwrap_or_default().split('\n') {
                out.push(json!({ "name": name, "value": v }));
            }
        }
    }
    out
}

fn iso(secs: f64) -> String {
    let ms = (secs * 1000.0).round() as i64;
    let days = ms.div_euclid(86_400_000);
    let rem = ms.rem_euclid(86_400_000);
    // Civil from days (H. Hinnant).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3_600_000,
        rem / 60_000 % 60,
        rem / 1000 % 60,
        rem % 1000
    )
}

/// One hop of one Chromium request.
#[derive(Default)]
struct Hop {
    started: f64,
    request: Value,
    kind: String,
    initiator: Value,
    extra_request: Option<Value>,
    response: Option<Value>,
    extra_response: Option<Value>,
    error: Option<String>,
}

fn chromium_cookie(c: &Value) -> Value {
    let c = &c["cookie"];
    let mut out = json!({
        "name": c["name"], "value": c["value"], "path": c["path"], "domain": c["domain"],
        "httpOnly": c["httpOnly"], "secure": c["secure"],
    });
    if let Some(exp) = c["expires"].as_f64().filter(|e| *e > 0.0) {
        out["expires"] = json!(iso(exp));
    }
    if let Some(s) = c["sameSite"].as_str() {
        out["sameSite"] = json!(s);
    }
    out
}

fn chromium_entry(h: &Hop) -> Value {
    let req = &h.request;
    let headers = match &h.extra_request {
        Some(x) => header_list(&x["headers"]),
        None => header_list(&req["headers"]),
    };
    // The cookies that went out (not the blocked ones), with their attributes.
    let cookies: Vec<Value> = h
        .extra_request
        .as_ref()
        .and_then(|x| x["associatedCookies"].as_array())
        .into_iter()
        .flatten()
        .filter(|c| c["blockedReasons"].as_array().is_none_or(|b| b.is_empty()))
        .map(chromium_cookie)
        .collect();
    let resp = h.response.clone().unwrap_or(Value::Null);
    let status = h
        .extra_response
        .as_ref()
        .and_then(|x| x["statusCode"].as_u64())
        .or_else(|| resp["status"].as_u64())
        .unwrap_or(0);
    let resp_headers = match &h.extra_response {
        Some(x) => header_list(&x["headers"]),
        None => header_list(&resp["headers"]),
    };
    let mut entry = json!({
        "_initiator": h.initiator,
        "_priority": req["initialPriority"],
        "_resourceType": h.kind.to_ascii_lowercase(),
        "cache": {},
        "pageref": "page_1",
        "startedDateTime": iso(h.started),
        "time": 0,
        "request": {
            "method": req["method"], "url": req["url"],
            "httpVersion": resp["protocol"].as_str().unwrap_or("http/1.1"),
            "headers": headers, "queryString": [], "cookies": cookies,
            "headersSize": -1, "bodySize": 0,
        },
        "response": {
            "status": status, "statusText": resp["statusText"].as_str().unwrap_or(""),
            "httpVersion": resp["protocol"].as_str().unwrap_or(""),
            "headers": resp_headers, "cookies": [],
            "content": { "size": 0, "mimeType": resp["mimeType"].as_str().unwrap_or("x-unknown") },
            "redirectURL": "", "headersSize": -1, "bodySize": -1,
            "_error": h.error,
        },
        "timings": { "blocked": -1, "dns": -1, "connect": -1, "send": 0, "wait": 0, "receive": 0, "ssl": -1 },
    });
    if req["hasPostData"] == true {
        let mime = req["headers"]
            .as_object()
            .and_then(|m| {
                m.iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
            })
            .and_then(|(_, v)| v.as_str())
            .unwrap_or("");
        entry["request"]["postData"] =
            json!({ "mimeType": mime, "text": req["postData"].as_str().unwrap_or("") });
    }
    if resp["fromDiskCache"] == true {
        entry["_fromCache"] = json!("disk");
    }
    entry
}

/// A HAR from Chromium's Network events, as DevTools exports it.
pub fn chromium_har(events: &[Value], version: &str, page: &str) -> Value {
    let mut hops: BTreeMap<String, Vec<Hop>> = BTreeMap::new();
    let mut order: Vec<(String, usize)> = Vec::new();
    let mut early_extra: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    let mut early_resp_extra: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for ev in events {
        let p = &ev["params"];
        let id = p["requestId"].as_str().unwrap_or_default().to_string();
        match ev["method"].as_str().unwrap_or_default() {
            "Network.requestWillBeSent" => {
                let list = hops.entry(id.clone()).or_default();
                if let (Some(last), false) = (list.last_mut(), p["redirectResponse"].is_null()) {
                    last.response = Some(p["redirectResponse"].clone());
                }
                list.push(Hop {
                    started: p["wallTime"].as_f64().unwrap_or(0.0),
                    request: p["request"].clone(),
                    kind: p["type"].as_str().unwrap_or("Other").to_string(),
                    initiator: p["initiator"].clone(),
                    ..Hop::default()
                });
                let n = list.len() - 1;
                if let Some(x) = early_extra.get_mut(&id).filter(|q| !q.is_empty()) {
                    list[n].extra_request = Some(x.remove(0));
                }
                if let Some(x) = early_resp_extra.get_mut(&id).filter(|q| !q.is_empty()) {
                    list[n].extra_response = Some(x.remove(0));
                }
                order.push((id, n));
            }
            "Network.requestWillBeSentExtraInfo" => {
                match hops
                    .get_mut(&id)
                    .and_then(|l| l.iter_mut().find(|h| h.extra_request.is_none()))
                {
                    Some(h) => h.extra_request = Some(p.clone()),
                    None => early_extra.entry(id).or_default().push(p.clone()),
                }
            }
            "Network.responseReceived" => {
                if let Some(h) = hops.get_mut(&id).and_then(|l| l.last_mut()) {
                    h.response = Some(p["response"].clone());
                }
            }
            "Network.responseReceivedExtraInfo" => {
                match hops
                    .get_mut(&id)
                    .and_then(|l| l.iter_mut().find(|h| h.extra_response.is_none()))
                {
                    Some(h) => h.extra_response = Some(p.clone()),
                    None => early_resp_extra.entry(id).or_default().push(p.clone()),
                }
            }
            "Network.loadingFailed" => {
                if let Some(h) = hops.get_mut(&id).and_then(|l| l.last_mut()) {
                    h.error = p["errorText"].as_str().map(str::to_string);
                }
            }
            _ => {}
        }
    }
    let mut entries: Vec<(f64, Value)> = order
        .iter()
        .filter_map(|(id, n)| hops.get(id)?.get(*n))
        .map(|h| (h.started, chromium_entry(h)))
        .collect();
    entries.sort_by(|a, b| a.0.total_cmp(&b.0));
    let started = entries.first().map_or(0.0, |e| e.0);
    json!({ "log": {
        "version": "1.2",
        "creator": { "name": "WebInspector", "version": "537.36" },
        "browser": { "name": "Chromium", "version": version },
        "pages": [{ "startedDateTime": iso(started), "id": "page_1", "title": page, "pageTimings": {} }],
        "entries": entries.into_iter().map(|e| e.1).collect::<Vec<_>>(),
    }})
}

// ---------------------------------------------------------------------------------------------
// Firefox: WebDriver BiDi over a WebSocket

/// A WebSocket client (RFC 6455), enough for WebDriver BiDi: text frames,
/// masked from the client, fragments joined, pings answered.
pub struct Ws {
    stream: TcpStream,
}

impl Ws {
    pub async fn connect(url: &str) -> std::io::Result<Ws> {
        let u = url::Url::parse(url).map_err(std::io::Error::other)?;
        let host = format!(
            "{}:{}",
            u.host_str().unwrap_or("127.0.0.1"),
            u.port().unwrap_or(80)
        );
        let mut stream = TcpStream::connect(&host).await?;
        let request = format!(
            "GET {} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Key: Y3J1bWJ0cmFpbC1yZWNvcmQ=\r\nSec-WebSocket-Version: 13\r\n\r\n",
            u.path()
        );
        stream.write_all(request.as_bytes()).await?;
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") {
            if stream.read(&mut byte).await? == 0 {
                return Err(std::io::Error::other(
                    "the WebSocket closed during its handshake",
                ));
            }
            head.push(byte[0]);
        }
        if !head.starts_with(b"HTTP/1.1 101") {
            return Err(std::io::Error::other(
                String::from_utf8_lossy(&head).into_owned(),
            ));
        }
        Ok(Ws { stream })
    }

    async fn frame(&mut self, opcode: u8, payload: &[u8]) -> std::io::Result<()> {
        let mut out = vec![0x80 | opcode];
        match payload.len() {
            n if n < 126 => out.push(0x80 | n as u8),
            n if n < 65_536 => {
                out.push(0x80 | 126);
                out.extend_from_slice(&(n as u16).to_be_bytes());
            }
            n => {
                out.push(0x80 | 127);
                out.extend_from_slice(&(n as u64).to_be_bytes());
            }
        }
        let mask = [0x37, 0xfa, 0x21, 0x3d];
        out.extend_from_slice(&mask);
        out.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
        self.stream.write_all(&out).await
    }

    pub async fn send(&mut self, text: &str) -> std::io::Result<()> {
        self.frame(0x1, text.as_bytes()).await
    }

    /// The next text message.
    pub async fn recv(&mut self) -> std::io::Result<String> {
        let mut message = Vec::new();
        loop {
            let mut h = [0u8; 2];
            self.stream.read_exact(&mut h).await?;
            let (fin, opcode) = (h[0] & 0x80 != 0, h[0] & 0x0f);
            let mut len = u64::from(h[1] & 0x7f);
            if len == 126 {
                let mut b = [0u8; 2];
                self.stream.read_exact(&mut b).await?;
                len = u64::from(u16::from_be_bytes(b));
            } else if len == 127 {
                let mut b = [0u8; 8];
                self.stream.read_exact(&mut b).await?;
                len = u64::from_be_bytes(b);
            }
            let mut mask = [0u8; 4];
            if h[1] & 0x80 != 0 {
                self.stream.read_exact(&mut mask).await?;
            }
            let mut payload = vec![0u8; len as usize];
            self.stream.read_exact(&mut payload).await?;
            if h[1] & 0x80 != 0 {
                for (i, b) in payload.iter_mut().enumerate() {
                    *b ^= mask[i % 4];
                }
            }
            match opcode {
                0x9 => self.frame(0xA, &payload).await?,
                0x8 => return Err(std::io::Error::other("the WebSocket was closed")),
                0x0..=0x2 => {
                    message.extend_from_slice(&payload);
                    if fin {
                        return Ok(String::from_utf8_lossy(&message).into_owned());
                    }
                }
                _ => {}
            }
        }
    }
}

/// Firefox's network events, collected in the background.
pub struct BidiRecorder {
    pub events: Arc<Mutex<Vec<Value>>>,
    task: JoinHandle<()>,
}

impl BidiRecorder {
    /// Subscribes to the network events of the session's BiDi socket.
    pub async fn start(client: &Client) -> BidiRecorder {
        let url = client
            .capabilities()
            .and_then(|c| c.get("webSocketUrl"))
            .and_then(Value::as_str)
            .expect("the session has a webSocketUrl (ask for `webSocketUrl: true`)")
            .to_string();
        let mut ws = Ws::connect(&url).await.expect("the BiDi WebSocket");
        let subscribe = json!({ "id": 1, "method": "session.subscribe", "params": { "events": [
            "network.beforeRequestSent", "network.responseStarted",
            "network.responseCompleted", "network.fetchError",
        ]}});
        ws.send(&subscribe.to_string()).await.expect("subscribe");
        let events = Arc::new(Mutex::new(Vec::new()));
        let sink = events.clone();
        let task = tokio::spawn(async move {
            while let Ok(text) = ws.recv().await {
                if let Ok(v) = serde_json::from_str::<Value>(&text) {
                    if v["type"] == "event" {
                        sink.lock().unwrap().push(v);
                    }
                }
            }
        });
        BidiRecorder { events, task }
    }

    /// The events so far, and forget them.
    pub fn take(&self) -> Vec<Value> {
        std::mem::take(&mut *self.events.lock().unwrap())
    }
}

impl Drop for BidiRecorder {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn bidi_headers(list: &Value) -> Vec<Value> {
    list.as_array()
        .into_iter()
        .flatten()
        .map(|h| json!({ "name": h["name"], "value": h["value"]["value"] }))
        .collect()
}

fn bidi_entry(request: &Value, started: f64, response: Option<&Value>, failed: bool) -> Value {
    let resp = response.cloned().unwrap_or(Value::Null);
    let cookies: Vec<Value> = request["cookies"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| json!({ "name": c["name"], "value": c["value"]["value"] }))
        .collect();
    let headers = bidi_headers(&request["headers"]);
    let mut entry = json!({
        "pageref": "page_1",
        "startedDateTime": iso(started / 1000.0),
        "time": 0,
        "request": {
            "bodySize": 0, "method": request["method"], "url": request["url"],
            "httpVersion": resp["protocol"].as_str().map(|p| p.to_ascii_uppercase()).unwrap_or_else(|| "HTTP/1.1".into()),
            "headers": headers, "cookies": cookies, "queryString": [], "headersSize": -1,
        },
        "response": {
            "status": if failed && resp.is_null() { json!(0) } else { resp["status"].clone() },
            "statusText": resp["statusText"].as_str().unwrap_or(""),
            "httpVersion": resp["protocol"].as_str().unwrap_or(""),
            "headers": bidi_headers(&resp["headers"]), "cookies": [],
            "content": { "mimeType": resp["mimeType"].as_str().unwrap_or(""), "size": 0 },
            "redirectURL": "", "headersSize": -1, "bodySize": -1,
        },
        "cache": {}, "timings": { "blocked": -1, "dns": -1, "connect": -1, "send": 0, "wait": 0, "receive": 0 },
    });
    let mime = request["headers"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|h| {
            h["name"]
                .as_str()
                .is_some_and(|n| n.eq_ignore_ascii_case("content-type"))
        })
        .and_then(|h| h["value"]["value"].as_str());
    if request["bodySize"].as_u64().is_some_and(|n| n > 0) || mime.is_some() {
        entry["request"]["postData"] =
            json!({ "mimeType": mime.unwrap_or(""), "text": "", "params": [] });
    }
    entry
}

/// One Firefox request as its BiDi events tell it.
struct BidiExchange {
    /// The request id and its redirect count: one entry per hop.
    key: (String, u64),
    started: f64,
    request: Value,
    response: Option<Value>,
    failed: bool,
}

/// A HAR from Firefox's BiDi network events, as Firefox exports one.
pub fn firefox_har(events: &[Value], version: &str, page: &str) -> Value {
    let mut entries: Vec<BidiExchange> = Vec::new();
    for ev in events {
        let p = &ev["params"];
        let key = (
            p["request"]["request"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            p["redirectCount"].as_u64().unwrap_or(0),
        );
        match ev["method"].as_str().unwrap_or_default() {
            "network.beforeRequestSent" => entries.push(BidiExchange {
                key,
                started: p["timestamp"].as_f64().unwrap_or(0.0),
                request: p["request"].clone(),
                response: None,
                failed: false,
            }),
            "network.responseCompleted" | "network.responseStarted" => {
                if let Some(e) = entries.iter_mut().rev().find(|e| e.key == key) {
                    e.response = Some(p["response"].clone());
                    // The request as it finally went out (its Cookie header).
                    e.request = p["request"].clone();
                }
            }
            "network.fetchError" => {
                if let Some(e) = entries.iter_mut().rev().find(|e| e.key == key) {
                    e.failed = true;
                }
            }
            _ => {}
        }
    }
    entries.sort_by(|a, b| a.started.total_cmp(&b.started));
    let started = entries.first().map_or(0.0, |e| e.started);
    json!({ "log": {
        "version": "1.2",
        "creator": { "name": "Firefox", "version": version },
        "browser": { "name": "Firefox", "version": version },
        "pages": [{ "startedDateTime": iso(started / 1000.0), "id": "page_1", "title": page, "pageTimings": {} }],
        "entries": entries.iter().map(|e| bidi_entry(&e.request, e.started, e.response.as_ref(), e.failed)).collect::<Vec<_>>(),
    }})
}
