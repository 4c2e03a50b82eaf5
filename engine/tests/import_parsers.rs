//! The importers' readers, one table per format: HAR 1.2 (Chrome, Firefox,
//! Safari forms), copied header blocks (HTTP/1.1 and HTTP/2 pseudo-header
//! forms), "Copy as cURL" (bash and cmd) and "Copy as fetch". Each row is a
//! paste and what must come out of it; bad input gets one clear message.

use crumbtrail_engine::import::{detect, parse, Entry, Format, Recording};

fn read(text: &str) -> Recording {
    parse(text).unwrap_or_else(|e| panic!("{e}\n---\n{text}"))
}

fn one(text: &str) -> Entry {
    let r = read(text);
    assert_eq!(r.entries.len(), 1, "{:?}", r.entries);
    r.entries.into_iter().next().unwrap()
}

fn hdr<'a>(e: &'a Entry, name: &str) -> Option<&'a str> {
    e.header(name)
}

const CHROME_HAR: &str = include_str!("data/import/hand-chrome-h2.har");

#[test]
fn detects_each_format() {
    for (text, want) in [
        ("{\"log\":{}}", Some(Format::Har)),
        ("\u{feff}  {", Some(Format::Har)),
        ("curl 'http://a.test/'", Some(Format::Curl)),
        ("CURL.EXE ^\"http://a.test/^\"", Some(Format::Curl)),
        ("fetch(\"http://a.test/\")", Some(Format::FetchCall)),
        (
            "await fetch(\"http://a.test/\", {})",
            Some(Format::FetchCall),
        ),
        ("GET / HTTP/1.1\nHost: a.test", Some(Format::HeaderBlock)),
        ("   \n\t", None),
    ] {
        assert_eq!(detect(text), want, "{text:?}");
    }
}

// ---------------------------------------------------------------------------
// HAR

#[test]
fn chrome_har_fields_are_read() {
    let r = read(CHROME_HAR);
    assert_eq!(r.format, Format::Har);
    assert_eq!(r.creator.as_deref(), Some("WebInspector"));
    assert_eq!(r.pages[0].title, "https://app.example.test/dashboard");
    // The entry without a URL and the string are skipped and counted.
    assert_eq!(r.entries.len(), 5);
    assert!(
        r.notices[0].contains("2 of the HAR's 7 entries"),
        "{:?}",
        r.notices
    );
    let login = &r.entries[2];
    assert_eq!(login.method, "POST");
    assert_eq!(hdr(login, ":authority"), Some("api.example.test"));
    assert_eq!(login.resource_type.as_deref(), Some("fetch"));
    assert_eq!(login.body_mime.as_deref(), Some("application/json"));
    assert!(login.has_body);
    assert_eq!(login.started_ms, Some(1_748_772_001_000));
    let resp = login.response.as_ref().unwrap();
    assert_eq!(resp.status, 200);
    assert!(resp.header("set-cookie").unwrap().contains('\n'));
    let pre = &r.entries[3];
    assert_eq!(pre.initiator_type.as_deref(), Some("preflight"));
    let me = &r.entries[4];
    assert_eq!(me.error.as_deref(), Some("net::ERR_FAILED"));
    assert!(
        me.response.is_none(),
        "status 0 without headers is no answer"
    );
    assert_eq!(me.cookies[1].domain.as_deref(), Some(".example.test"));
    assert_eq!(me.cookies[1].same_site.as_deref(), Some("None"));
    assert_eq!(
        r.entries[1].initiator_url.as_deref(),
        Some("https://app.example.test/assets/app.js")
    );
}

#[test]
fn firefox_and_safari_hars_are_read() {
    let firefox = r#"{"log":{"version":"1.2","creator":{"name":"Firefox","version":"128.0"},"browser":{"name":"Firefox","version":"128.0"},
      "pages":[{"id":"page_1","title":"My app","startedDateTime":"2025-06-01T12:00:00.000+02:00"}],
      "entries":[{"pageref":"page_1","startedDateTime":"2025-06-01T12:00:00.000+02:00",
        "request":{"bodySize":0,"method":"GET","url":"http://localhost:3001/me","httpVersion":"HTTP/1.1",
          "headers":[{"name":"Host","value":"localhost:3001"},{"name":"Origin","value":"http://localhost:3000"},{"name":"Cookie","value":"sid=1"}],
          "cookies":[{"name":"sid","value":"1"}],"queryString":[],"headersSize":300},
        "response":{"status":"401","statusText":"Unauthorized","httpVersion":"HTTP/1.1","headers":[{"name":"Access-Control-Allow-Origin","value":"http://localhost:3000"}],"cookies":[],"content":{"mimeType":"application/json","size":2,"text":"{}"},"redirectURL":"","headersSize":100,"bodySize":2},
        "cache":{},"timings":{"blocked":0}}]}}"#;
    let r = read(firefox);
    assert_eq!(r.creator.as_deref(), Some("Firefox"));
    let e = &r.entries[0];
    assert_eq!(e.started_ms, Some(1_748_772_000_000));
    assert_eq!(
        e.response.as_ref().unwrap().status,
        401,
        "a status written as a string"
    );
    assert_eq!(e.resource_type, None);
    let safari = r#"{"log":{"creator":{"name":"WebKit Web Inspector"},"entries":[{"startedDateTime":"2025-06-01T10:00:00Z","_fetchType":"Memory Cache","request":{"method":"GET","url":"https://a.test/x","headers":[]},"response":{"status":200,"headers":[]}}]}}"#;
    let e = &read(safari).entries[0];
    assert_eq!(e.from_cache.as_deref(), Some("memory cache"));
}

#[test]
fn har_fields_of_the_wrong_type_are_left_empty() {
    let odd = r#"{"log":{"creator":"me","pages":{},"entries":[
        {"request":{"method":null,"url":"http://a.test/","headers":{"name":"x"},"cookies":"none","postData":[]},"response":{"status":"abc","headers":[1,2,{"name":"X-A","value":7}]},"_initiator":"parser","_resourceType":5},
        {"request":{"url":"http://a.test/2","postData":{"mimeType":"text/plain","text":""}},"response":null}
    ]}}"#;
    let r = read(odd);
    assert_eq!(r.entries.len(), 2);
    let e = &r.entries[0];
    assert_eq!(e.method, "GET");
    assert!(e.headers.is_empty());
    let resp = e.response.as_ref().unwrap();
    assert_eq!(resp.status, 0);
    assert_eq!(resp.headers, vec![("X-A".to_string(), "7".to_string())]);
    assert_eq!(e.resource_type.as_deref(), Some("5"));
    assert!(!r.entries[1].has_body);
    assert_eq!(r.entries[1].body_mime.as_deref(), Some("text/plain"));
}

#[test]
fn bad_hars_get_one_clear_message() {
    for (text, says) in [
        ("{", "does not read"),
        ("{\"log\": [}", "does not read"),
        ("[1,2,3]", "no `log.entries`"),
        ("{\"log\":{}}", "no `log.entries`"),
        ("{\"log\":{\"entries\":[]}}", "no requests"),
        ("{\"log\":{\"entries\":[{\"request\":{}}]}}", "no requests"),
        ("{\"nope\":1}", "no `log.entries`"),
    ] {
        let e = parse(text).expect_err(text);
        assert!(e.0.contains(says), "{text}: {e}");
    }
}

// ---------------------------------------------------------------------------
// Header blocks

#[test]
fn header_blocks_in_every_form() {
    struct Row {
        name: &'static str,
        text: &'static str,
        method: &'static str,
        url: &'static str,
        status: Option<u16>,
        header: (&'static str, &'static str),
    }
    let rows = [
        Row {
            name: "HTTP/1.1 request then response",
            text: "POST /login HTTP/1.1\nHost: localhost:3001\nOrigin: http://localhost:3000\nContent-Type: application/json\n\nHTTP/1.1 200 OK\nAccess-Control-Allow-Origin: http://localhost:3000\nSet-Cookie: sid=1; Path=/",
            method: "POST",
            url: "http://localhost:3001/login",
            status: Some(200),
            header: ("origin", "http://localhost:3000"),
        },
        Row {
            name: "HTTP/2 pseudo-headers, response first (Chrome's order)",
            text: ":status: 403\naccess-control-allow-origin: *\n\n:authority: api.example.test\n:method: PUT\n:path: /items/1?x=1\n:scheme: https\naccept: */*\norigin: https://app.example.test",
            method: "PUT",
            url: "https://api.example.test/items/1?x=1",
            status: Some(403),
            header: ("host", "api.example.test"),
        },
        Row {
            name: "Chrome's General section and section titles, CRLF",
            text: "General\r\nRequest URL: https://api.example.test/me\r\nRequest Method: GET\r\nStatus Code: 204 No Content\r\nReferrer Policy: strict-origin-when-cross-origin\r\n\r\nResponse Headers\r\nvary: Origin\r\n\r\nRequest Headers\r\ncookie: a=b\r\norigin: https://app.example.test",
            method: "GET",
            url: "https://api.example.test/me",
            status: Some(204),
            header: ("cookie", "a=b"),
        },
        Row {
            name: "name and value on separate lines",
            text: "Request URL:\nhttps://api.example.test/a\nRequest Method:\nDELETE\n\norigin:\nhttps://app.example.test\nx-token:\nabc",
            method: "DELETE",
            url: "https://api.example.test/a",
            status: None,
            header: ("x-token", "abc"),
        },
        Row {
            name: "Firefox's HTTP/2 request line, https assumed for a public host",
            text: "GET /feed HTTP/2\nHost: news.example\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
            method: "GET",
            url: "https://news.example/feed",
            status: None,
            header: ("host", "news.example"),
        },
    ];
    for row in rows {
        let r = read(row.text);
        assert_eq!(r.format, Format::HeaderBlock, "{}", row.name);
        let e = &r.entries[0];
        assert_eq!(e.method, row.method, "{}", row.name);
        assert_eq!(e.url, row.url, "{}", row.name);
        assert_eq!(
            e.response.as_ref().map(|r| r.status),
            row.status,
            "{}",
            row.name
        );
        assert_eq!(
            hdr(e, row.header.0),
            Some(row.header.1),
            "{}: {:?}",
            row.name,
            e.headers
        );
    }
}

#[test]
fn several_exchanges_follow_one_another() {
    let text = "OPTIONS /a HTTP/1.1\nHost: localhost:3001\nAccess-Control-Request-Method: PUT\n\nHTTP/1.1 204 No Content\n\nPUT /a HTTP/1.1\nHost: localhost:3001\n\nHTTP/1.1 200 OK\nVary: Origin";
    let r = read(text);
    assert_eq!(r.entries.len(), 2);
    assert_eq!(r.entries[0].method, "OPTIONS");
    assert_eq!(r.entries[1].response.as_ref().unwrap().status, 200);
}

#[test]
fn header_blocks_without_a_request_url_are_refused() {
    for text in [
        "HTTP/1.1 200 OK\nSet-Cookie: a=b",
        "foo bar baz",
        "Accept: */*\nOrigin: http://a.test",
    ] {
        let e = parse(text).expect_err(text);
        assert!(
            e.0.contains("URL") || e.0.contains("No request headers"),
            "{text}: {e}"
        );
    }
}

// ---------------------------------------------------------------------------
// cURL

#[test]
fn curl_in_both_flavours() {
    let chrome_bash = "curl 'http://localhost:3001/login' \\\n  -H 'Accept: */*' \\\n  -H 'Content-Type: application/json' \\\n  -b 'sid=abc; theme=dark' \\\n  -H 'Origin: http://localhost:3000' \\\n  --data-raw $'{\"name\":\"O\\'Brien\"}'";
    let e = one(chrome_bash);
    assert_eq!(
        (e.method.as_str(), e.url.as_str()),
        ("POST", "http://localhost:3001/login")
    );
    assert_eq!(hdr(&e, "cookie"), Some("sid=abc; theme=dark"));
    assert_eq!(e.body_mime.as_deref(), Some("application/json"));

    let firefox = "curl 'https://api.example.test/items/1' -X 'PATCH' -H 'Origin: https://app.example.test' -H 'Authorization: Bearer t' --compressed";
    let e = one(firefox);
    assert_eq!(e.method, "PATCH");
    assert!(!e.has_body);

    let chrome_cmd = "curl ^\"https://api.example.test/login^\" ^\n  -H ^\"content-type: application/json^\" ^\n  -H ^\"origin: https://app.example.test^\" ^\n  --data-raw ^\"^{^\\^\"a^\\^\":1^}^\"";
    let e = one(chrome_cmd);
    assert_eq!(e.method, "POST");
    assert_eq!(e.url, "https://api.example.test/login");
    assert_eq!(hdr(&e, "origin"), Some("https://app.example.test"));

    let get_form = "curl -G --data-urlencode 'q=a b' -u ada:pw -XGET http://a.test/s";
    let e = one(get_form);
    assert_eq!(e.method, "GET");
    assert!(hdr(&e, "authorization").is_some());
}

#[test]
fn bad_curl_commands_get_one_clear_message() {
    for (text, says) in [
        ("curl", "no URL"),
        ("curl 'http://a.test", "unclosed"),
        ("curl \"http://a.test", "unclosed"),
        ("curl $'abc", "unclosed"),
    ] {
        let e = parse(text).expect_err(text);
        assert!(e.0.contains(says), "{text}: {e}");
    }
}

// ---------------------------------------------------------------------------
// fetch

#[test]
fn copy_as_fetch_from_each_browser() {
    let chrome = r#"fetch("http://localhost:3001/login", {
  "headers": {
    "accept": "*/*",
    "content-type": "application/json",
    "sec-ch-ua-mobile": "?0"
  },
  "referrer": "http://localhost:3000/",
  "referrerPolicy": "strict-origin-when-cross-origin",
  "body": "{\"user\":\"ada\"}",
  "method": "POST",
  "mode": "cors",
  "credentials": "include"
});"#;
    let e = one(chrome);
    assert_eq!(e.method, "POST");
    assert_eq!(e.fetch_mode.as_deref(), Some("cors"));
    assert_eq!(e.fetch_credentials.as_deref(), Some("include"));
    assert_eq!(hdr(&e, "referer"), Some("http://localhost:3000/"));
    assert_eq!(e.body_mime.as_deref(), Some("application/json"));

    let firefox = "await fetch(\"https://api.example.test/me\", {\n    \"credentials\": \"omit\",\n    \"headers\": {\n        \"Accept\": \"application/json\",\n    },\n    \"method\": \"GET\",\n    \"mode\": \"cors\"\n});";
    let e = one(firefox);
    assert_eq!(e.method, "GET");
    assert_eq!(e.fetch_credentials.as_deref(), Some("omit"));
    assert!(!e.has_body);

    let node = "fetch('https://api.example.test/x', { headers: { cookie: 'sid=1', 'X-A': `b` }, body: JSON.stringify({a: [1, {b: 2}]}), method: 'PUT' })";
    let e = one(node);
    assert_eq!(e.method, "PUT");
    assert_eq!(hdr(&e, "cookie"), Some("sid=1"));
    assert_eq!(hdr(&e, "x-a"), Some("b"));
    assert!(e.has_body);

    let bare = "fetch(\"https://a.test/\")";
    assert_eq!(one(bare).method, "GET");
}

#[test]
fn bad_fetch_calls_get_one_clear_message() {
    for (text, says) in [
        ("fetch(", "ends too early"),
        ("fetch(url)", "not a URL string"),
        ("fetch(\"http://a.test/\", {\"a\" 1})", "`:` is expected"),
        ("fetch(\"http://a.test/", "not closed"),
        ("fetch(\"x\", {a: 1 b: 2})", "`,` or `}`"),
    ] {
        let e = parse(text).expect_err(text);
        assert!(e.0.contains(says), "{text}: {e}");
    }
    let deep = format!(
        "fetch(\"http://a.test/\", {}{})",
        "[".repeat(200),
        "]".repeat(200)
    );
    assert!(parse(&deep).unwrap_err().0.contains("nested too deeply"));
}

#[test]
fn a_har_read_in_slices_is_the_same_as_read_at_once() {
    use crumbtrail_engine::import::har::Reader;
    let mut reader = Reader::new(CHROME_HAR.to_string()).unwrap();
    let mut steps = 0;
    let rec = loop {
        steps += 1;
        if let Some(done) = reader.step(500) {
            break done.unwrap();
        }
    };
    assert!(steps >= 3, "{steps}");
    assert_eq!(rec, read(CHROME_HAR));
    assert_eq!(reader.progress(), (7, 7));
    // An error inside an entry names its line in the file.
    let e = parse(
        "{\"log\":{\"entries\":[{\"request\":{\"url\":\"http://a.test/\"}},\n  {\"a\": tru}]}}",
    )
    .unwrap_err();
    assert!(e.0.contains("line 2"), "{e}");
    let e = parse("{\"log\":{\"entries\":[{}] } } trailing").unwrap_err();
    assert!(e.0.contains("column 28"), "{e}");
}
