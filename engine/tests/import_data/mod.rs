//! A large HAR, as Chrome exports a long session: the page, thousands of
//! static assets with their bodies, same-origin API calls, and a few
//! credentialed cross-origin calls with their preflights. Shared by the
//! import benchmark, the engine's tests and the end-to-end drop test.
#![allow(dead_code)]

use std::fmt::Write;

const UA: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36";

fn headers(out: &mut String, list: &[(&str, &str)]) {
    out.push('[');
    for (i, (n, v)) in list.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let _ = write!(out, "{{\"name\":\"{n}\",\"value\":\"{v}\"}}");
    }
    out.push(']');
}

#[allow(clippy::too_many_arguments)]
fn entry(
    out: &mut String,
    ms: u64,
    rt: &str,
    method: &str,
    url: &str,
    req: &[(&str, &str)],
    status: u16,
    resp: &[(&str, &str)],
    body: &str,
) {
    let _ = write!(
        out,
        "{{\"_initiator\":{{\"type\":\"script\",\"stack\":{{\"callFrames\":[{{\"functionName\":\"load\",\"url\":\"http://localhost:3000/assets/app.js\",\"lineNumber\":10,\"columnNumber\":4}}]}}}},\"_priority\":\"High\",\"_resourceType\":\"{rt}\",\"cache\":{{}},\"connection\":\"1234\",\"pageref\":\"page_1\",\"startedDateTime\":\"2025-06-01T10:{:02}:{:02}.{:03}Z\",\"time\":12.5,",
        ms / 60_000 % 60,
        ms / 1000 % 60,
        ms % 1000
    );
    let _ = write!(out, "\"request\":{{\"method\":\"{method}\",\"url\":\"{url}\",\"httpVersion\":\"HTTP/1.1\",\"headers\":");
    headers(out, req);
    out.push_str(",\"queryString\":[],\"cookies\":[],\"headersSize\":-1,\"bodySize\":0},");
    let _ = write!(out, "\"response\":{{\"status\":{status},\"statusText\":\"OK\",\"httpVersion\":\"HTTP/1.1\",\"headers\":");
    headers(out, resp);
    let _ = write!(
        out,
        ",\"cookies\":[],\"content\":{{\"size\":{},\"mimeType\":\"application/javascript\",\"text\":\"{body}\"}},\"redirectURL\":\"\",\"headersSize\":-1,\"bodySize\":-1,\"_transferSize\":100,\"_error\":null}},",
        body.len()
    );
    out.push_str("\"serverIPAddress\":\"127.0.0.1\",\"timings\":{\"blocked\":0.5,\"dns\":-1,\"ssl\":-1,\"connect\":-1,\"send\":0.1,\"wait\":10,\"receive\":1.9}}");
}

/// A HAR of about `bytes` bytes. Its API calls are a login and a `/me`,
/// repeated; everything else is noise the import must skip.
pub fn large_har(bytes: usize) -> String {
    let body: String = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0NTY3ODkw".repeat(48);
    let mut out = String::with_capacity(bytes + 16 * 1024);
    out.push_str("{\"log\":{\"version\":\"1.2\",\"creator\":{\"name\":\"WebInspector\",\"version\":\"537.36\"},\"pages\":[{\"startedDateTime\":\"2025-06-01T10:00:00.000Z\",\"id\":\"page_1\",\"title\":\"http://localhost:3000/\",\"pageTimings\":{\"onContentLoad\":100,\"onLoad\":200}}],\"entries\":[");
    entry(
        &mut out,
        0,
        "document",
        "GET",
        "http://localhost:3000/",
        &[
            ("Accept", "text/html"),
            ("Sec-Fetch-Dest", "document"),
            ("Sec-Fetch-Mode", "navigate"),
            ("User-Agent", UA),
        ],
        200,
        &[("Content-Type", "text/html")],
        "",
    );
    let mut i: u64 = 0;
    while out.len() < bytes {
        i += 1;
        let ms = i * 37;
        out.push(',');
        match i % 10 {
            0 => {
                // The session is older than the recording: every call carries it.
                let req = vec![
                    ("Origin", "http://localhost:3000"),
                    ("Content-Type", "application/json"),
                    ("Sec-Fetch-Mode", "cors"),
                    ("User-Agent", UA),
                    ("Cookie", "_session=abc"),
                ];
                entry(
                    &mut out,
                    ms,
                    "fetch",
                    "POST",
                    "http://localhost:3001/login",
                    &req,
                    200,
                    &[
                        ("Access-Control-Allow-Origin", "http://localhost:3000"),
                        ("Access-Control-Allow-Credentials", "true"),
                        ("Set-Cookie", "_session=abc; Path=/; HttpOnly; SameSite=Lax"),
                    ],
                    "{}",
                );
                out.push(',');
                entry(
                    &mut out,
                    ms + 1,
                    "preflight",
                    "OPTIONS",
                    "http://localhost:3001/login",
                    &[
                        ("Origin", "http://localhost:3000"),
                        ("Access-Control-Request-Method", "POST"),
                        ("Access-Control-Request-Headers", "content-type"),
                    ],
                    204,
                    &[
                        ("Access-Control-Allow-Origin", "http://localhost:3000"),
                        ("Access-Control-Allow-Credentials", "true"),
                        ("Access-Control-Allow-Methods", "POST"),
                        ("Access-Control-Allow-Headers", "content-type"),
                        ("Access-Control-Max-Age", "0"),
                    ],
                    "",
                );
            }
            5 => entry(
                &mut out,
                ms,
                "fetch",
                "GET",
                "http://localhost:3001/me",
                &[
                    ("Origin", "http://localhost:3000"),
                    ("Cookie", "_session=abc"),
                    ("Sec-Fetch-Mode", "cors"),
                    ("User-Agent", UA),
                ],
                200,
                &[
                    ("Access-Control-Allow-Origin", "http://localhost:3000"),
                    ("Access-Control-Allow-Credentials", "true"),
                ],
                "{}",
            ),
            3 | 7 => entry(
                &mut out,
                ms,
                "xhr",
                "GET",
                &format!("http://localhost:3000/api/items/{i}"),
                &[
                    ("Accept", "application/json"),
                    ("Sec-Fetch-Mode", "cors"),
                    ("User-Agent", UA),
                ],
                200,
                &[("Content-Type", "application/json")],
                "[]",
            ),
            _ => entry(
                &mut out,
                ms,
                "script",
                "GET",
                &format!("http://localhost:3000/assets/chunk-{i}.js"),
                &[
                    ("Accept", "*/*"),
                    ("Sec-Fetch-Dest", "script"),
                    ("Sec-Fetch-Mode", "no-cors"),
                    ("User-Agent", UA),
                ],
                200,
                &[
                    ("Content-Type", "application/javascript"),
                    ("Cache-Control", "max-age=31536000"),
                ],
                &body,
            ),
        }
    }
    out.push_str("]}}");
    out
}
