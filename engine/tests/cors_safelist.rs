//! Fetch §2.2 methods and request headers: normalisation, forbidden
//! methods/headers, every CORS-safelist rule, and the CORS-unsafe names.
//! Each case cites the spec step or the observed Chromium 156 fact it pins.

use crumbtrail_engine::headers::HeaderList;
use crumbtrail_engine::safelist::*;
use crumbtrail_engine::Reason;

fn list(pairs: &[(&str, &str)]) -> HeaderList {
    let mut h = HeaderList::new();
    for (n, v) in pairs {
        h.push(*n, *v);
    }
    h
}

#[test]
fn method_normalisation() {
    // Fetch §Methods "normalize": only DELETE GET HEAD OPTIONS POST PUT are upper-cased.
    let cases = [
        ("get", "GET"),
        ("Get", "GET"),
        ("GET", "GET"),
        ("head", "HEAD"),
        ("post", "POST"),
        ("put", "PUT"), // Chromium 156: `put` is sent as `PUT`
        ("delete", "DELETE"),
        ("oPtIoNs", "OPTIONS"),
        ("patch", "patch"), // Chromium 156: `patch` is sent as `patch`
        ("Patch", "Patch"),
        ("PATCH", "PATCH"),
        ("connect", "connect"),
        ("CHICKEN", "CHICKEN"), // Fetch note: no restrictions on methods
        ("eGg", "eGg"),
        ("", ""),
        ("gets", "gets"),
    ];
    for (input, want) in cases {
        assert_eq!(normalize_method(input), want, "normalize({input:?})");
    }
}

#[test]
fn forbidden_and_safelisted_methods() {
    // Fetch §Methods: forbidden = CONNECT TRACE TRACK, byte-case-insensitive.
    for m in ["CONNECT", "connect", "Trace", "TRACK", "track"] {
        assert!(is_forbidden_method(m), "{m} is forbidden");
    }
    for m in ["GET", "PATCH", "TRACEX", "TRAC", "", "OPTIONS"] {
        assert!(!is_forbidden_method(m), "{m} is not forbidden");
    }
    // Fetch §CORS-safelisted method: GET HEAD POST, byte for byte.
    for m in ["GET", "HEAD", "POST"] {
        assert!(is_cors_safelisted_method(m), "{m} is safelisted");
    }
    for m in ["get", "Post", "PUT", "PATCH", "DELETE", "OPTIONS", ""] {
        assert!(!is_cors_safelisted_method(m), "{m} is not safelisted");
    }
}

#[test]
fn forbidden_request_headers() {
    // Fetch §forbidden request-header step 1: the fixed list, any case.
    let listed = [
        "Accept-Charset",
        "accept-encoding",
        "Access-Control-Request-Headers",
        "ACCESS-CONTROL-REQUEST-METHOD",
        "Connection",
        "Content-Length",
        "Cookie",
        "cookie2",
        "Date",
        "DNT",
        "Expect",
        "Host",
        "Keep-Alive",
        "Origin",
        "Referer",
        "Set-Cookie",
        "TE",
        "Trailer",
        "Transfer-Encoding",
        "Upgrade",
        "Via",
    ];
    for name in listed {
        assert!(is_forbidden_request_header(name, "x"), "{name}");
    }
    // Step 2: `proxy-` and `sec-` prefixes.
    for name in [
        "Proxy-Authorization",
        "proxy-x",
        "Sec-Fetch-Mode",
        "SEC-CH-UA",
        "sec-",
    ] {
        assert!(is_forbidden_request_header(name, "x"), "{name}");
    }
    // Step 3: method-override headers naming a forbidden method (get, decode, split).
    let overrides = [
        ("X-HTTP-Method-Override", "TRACE", true),
        ("x-http-method", "connect", true),
        ("X-Method-Override", "GET, track", true),
        ("X-Method-Override", " GET ,TRACK ", true),
        ("X-HTTP-Method-Override", "PATCH", false),
        ("X-HTTP-Method-Override", "\"TRACE\"", false), // quotes are kept: not a method
        ("X-HTTP-Method-Override", "", false),
        ("X-Override", "TRACE", false),
    ];
    for (name, value, want) in overrides {
        assert_eq!(
            is_forbidden_request_header(name, value),
            want,
            "{name}: {value}"
        );
    }
    // Not forbidden.
    for name in [
        "Authorization",
        "Content-Type",
        "Accept",
        "X-Requested-With",
        "Secret-Token", // starts with "sec" but not "sec-"
        "Proxy",        // no dash
        "Cookies",
        "Origin-Agent",
    ] {
        assert!(!is_forbidden_request_header(name, "x"), "{name}");
    }
}

#[test]
fn safelist_value_length_128_bytes() {
    // Fetch §CORS-safelisted request-header step 1; Chromium 156: an Accept of
    // 128 bytes is sent without preflight, 129 bytes is preflighted.
    let v128 = "a".repeat(128);
    let v129 = "a".repeat(129);
    assert_eq!(
        check_cors_safelisted_request_header("Accept", &v128),
        Ok(())
    );
    assert_eq!(
        check_cors_safelisted_request_header("Accept", &v129),
        Err(Reason::HeaderValueTooLong)
    );
    assert!(cors_unsafe_request_header_names(&list(&[("Accept", &v128)])).is_empty());
    assert_eq!(
        cors_unsafe_request_header_names(&list(&[("Accept", &v129)])).names,
        vec!["accept"]
    );
    // Length is in bytes, not characters: 64 two-byte characters are 128 bytes.
    // (`é` is not allowed in Accept-Language anyway; Accept allows it.)
    assert_eq!(
        check_cors_safelisted_request_header("Accept", &"é".repeat(64)),
        Ok(())
    );
    assert_eq!(
        check_cors_safelisted_request_header("Accept", &"é".repeat(65)),
        Err(Reason::HeaderValueTooLong)
    );
    // Content-Type parameters count toward the 128 bytes (domain-notes §B.1.2).
    let ct = format!("text/plain; a={}", "x".repeat(128 - 14));
    assert_eq!(ct.len(), 128);
    assert_eq!(
        check_cors_safelisted_request_header("Content-Type", &ct),
        Ok(())
    );
    let ct = format!("{ct}x");
    assert_eq!(
        check_cors_safelisted_request_header("Content-Type", &ct),
        Err(Reason::HeaderValueTooLong)
    );
}

#[test]
fn safelist_accept() {
    // Fetch §CORS-safelisted request-header `accept`: no CORS-unsafe request-header byte.
    let cases: &[(&str, bool)] = &[
        ("*/*", true),
        ("application/json", true),
        (
            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            true,
        ),
        ("a\tb", true), // HT is allowed
        ("", true),
        ("\"", false),
        ("a(b", false),
        ("a)b", false),
        ("a:b", false),
        ("<", false),
        (">", false),
        ("?", false),
        ("@", false),
        ("[", false),
        ("\\", false),
        ("]", false),
        ("{", false),
        ("}", false),
        ("\u{7f}", false),
        ("\u{1}", false),
        ("\u{1f}", false),
    ];
    for (value, ok) in cases {
        assert_eq!(
            check_cors_safelisted_request_header("Accept", value).is_ok(),
            *ok,
            "Accept: {value:?}"
        );
    }
}

#[test]
fn safelist_languages() {
    // Fetch §CORS-safelisted request-header `accept-language`/`content-language`:
    // only 0-9 A-Z a-z SP * , - . ; =
    let cases: &[(&str, bool)] = &[
        ("en-US,en;q=0.9", true),
        ("de-DE", true),
        ("*", true),
        ("", true),
        ("fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5", true),
        ("en_US", false),
        ("@", false),
        ("\u{1}", false),
        ("en\tUS", false), // HT is not in the set (unlike Accept)
        ("e\"n", false),
        ("é", false),
        ("en/US", false),
    ];
    for name in ["Accept-Language", "content-language"] {
        for (value, ok) in cases {
            let got = check_cors_safelisted_request_header(name, value);
            assert_eq!(got.is_ok(), *ok, "{name}: {value:?}");
            if !ok {
                assert_eq!(got, Err(Reason::UnsafelistedHeader));
            }
        }
    }
}

#[test]
fn safelist_content_type() {
    // Fetch §CORS-safelisted request-header `content-type`: no unsafe byte,
    // strict MIME parse, essence one of three.
    let cases: &[(&str, bool)] = &[
        ("text/plain", true),
        ("text/plain;charset=UTF-8", true), // what fetch sends for a string body
        ("TEXT/Plain; Charset=utf-8", true),
        ("application/x-www-form-urlencoded;charset=UTF-8", true),
        (
            "multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW",
            true,
        ),
        ("text/plain;", true),
        ("text/plain; =x; y", true), // bad parameters are skipped, not failures
        ("text/plain ", true),
        ("application/json", false),
        ("application/json;charset=UTF-8", false),
        ("text/html", false),
        ("application/csp-report", false), // §CORS protocol exceptions: not for script
        ("text/plain; x=\"a:b\"", false),  // `"` and `:` are CORS-unsafe bytes
        ("text/plain; charset=\"utf-8\"", false), // quotes are unsafe bytes
        ("text/plain, application/json", false), // not a MIME type: `,` in the subtype
        ("text /plain", false),
        ("text/", false),
        ("/plain", false),
        ("text", false),
        ("", false),
        ("text/plain\u{7f}", false),
        ("text/plain(x)", false),
    ];
    for (value, ok) in cases {
        let got = check_cors_safelisted_request_header("Content-Type", value);
        assert_eq!(got.is_ok(), *ok, "Content-Type: {value:?}");
        if !ok {
            assert_eq!(got, Err(Reason::ContentTypeNotSafelisted), "{value:?}");
        }
    }
    // Fetch §CORS-safelisted request-header note: two Content-Type headers
    // are checked one by one, so `application/json` still needs a preflight.
    let names = cors_unsafe_request_header_names(&list(&[
        ("Content-Type", "application/json"),
        ("Content-Type", "text/plain"),
    ]));
    assert_eq!(names.names, vec!["content-type"]);
}

#[test]
fn safelist_range() {
    // Fetch §CORS-safelisted request-header `range`: parse a single range
    // header value without whitespace; the start must be present.
    let cases: &[(&str, bool)] = &[
        ("bytes=0-", true),
        ("bytes=0-499", true),
        ("bytes=1-1", true),
        ("bytes=99999999999999999999999999-", true),
        ("bytes=-500", false), // suffix ranges are not safelisted
        ("bytes 0-", false),   // WPT not-cors-safelisted
        ("bytes=500-100", false),
        ("bytes=0-1,3-4", false),
        ("bytes = 0-", false),
        ("bytes=0 -1", false),
        ("Bytes=0-", false),
        ("bytes=-", false),
        ("bytes=", false),
        ("bytes=a-", false),
        ("bytes=0-1 ", false),
        ("", false),
    ];
    for (value, ok) in cases {
        assert_eq!(
            check_cors_safelisted_request_header("Range", value).is_ok(),
            *ok,
            "Range: {value:?}"
        );
    }
    // Range is CORS-safelisted but not no-CORS-safelisted.
    assert!(!is_no_cors_safelisted_request_header("Range", "bytes=0-"));
}

#[test]
fn other_names_are_not_safelisted() {
    // Fetch §CORS-safelisted request-header step 2 "Otherwise": return false.
    for name in [
        "Authorization",
        "X-Requested-With",
        "Last-Event-ID",
        "DPR",
        "Save-Data",
        "test",
    ] {
        assert_eq!(
            check_cors_safelisted_request_header(name, "1"),
            Err(Reason::UnsafelistedHeader),
            "{name}"
        );
    }
}

#[test]
fn wpt_not_cors_safelisted() {
    // web-platform-tests fetch/api/cors/resources/not-cors-safelisted.json:
    // each of these alone must make the request need a preflight.
    let long = "012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678";
    assert_eq!(long.len(), 129);
    let ct_long = "text/plain; long=0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901";
    assert_eq!(ct_long.len(), 129);
    let cases = [
        ("accept", "\""),
        ("accept", long),
        ("accept-language", "\u{1}"),
        ("accept-language", "@"),
        ("authorization", "basics"),
        ("content-language", "\u{1}"),
        ("content-language", "@"),
        ("content-type", "text/html"),
        ("content-type", ct_long),
        ("last-event-id", "\""),
        ("last-event-id", long),
        ("range", "bytes 0-"),
        ("test", "hi"),
    ];
    for (name, value) in cases {
        let got = cors_unsafe_request_header_names(&list(&[(name, value)]));
        assert_eq!(got.names, vec![name.to_string()], "{name}: {value:?}");
        assert!(describe_not_safelisted(name, value).is_some());
    }
}

#[test]
fn unsafe_names_sorted_lowercase_set() {
    // Fetch §CORS-unsafe request-header names step 6: sorted-lowercase set;
    // §CORS-preflight fetch step 5: joined with "," and no space.
    let got = cors_unsafe_request_header_names(&list(&[
        ("X-Requested-With", "XMLHttpRequest"),
        ("Content-Type", "application/json"),
        ("Accept", "*/*"),
        ("Authorization", "Bearer abc"),
        ("x-requested-with", "again"),
    ]));
    assert_eq!(
        got.names,
        vec!["authorization", "content-type", "x-requested-with"]
    );
    assert_eq!(
        got.request_headers_value().as_deref(),
        Some("authorization,content-type,x-requested-with")
    );
    assert_eq!(
        got.reason_for("Content-Type"),
        Some(Reason::ContentTypeNotSafelisted)
    );
    assert_eq!(
        got.reason_for("authorization"),
        Some(Reason::UnsafelistedHeader)
    );
    assert_eq!(got.reason_for("accept"), None);
    assert!(!got.over_total_limit);
    assert_eq!(
        cors_unsafe_request_header_names(&HeaderList::new()).request_headers_value(),
        None
    );
}

#[test]
fn unsafe_names_1024_byte_total() {
    // Fetch §CORS-unsafe request-header names step 5: more than 1024 bytes of
    // safelisted values make all of them unsafe. Exactly 1024 is fine.
    let v = "a".repeat(128);
    let eight: Vec<(&str, &str)> = (0..8).map(|_| ("Accept", v.as_str())).collect();
    let got = cors_unsafe_request_header_names(&list(&eight));
    assert!(got.is_empty(), "8 x 128 = 1024 bytes is not over the limit");
    assert!(!got.over_total_limit);

    let mut nine = eight.clone();
    nine.push(("Content-Language", "a"));
    nine.push(("X-Foo", "unsafe anyway"));
    let got = cors_unsafe_request_header_names(&list(&nine));
    assert!(got.over_total_limit, "1025 bytes");
    assert_eq!(got.names, vec!["accept", "content-language", "x-foo"]);
    assert_eq!(
        got.reason_for("accept"),
        Some(Reason::SafelistedHeadersTooLong)
    );
    assert_eq!(got.reason_for("x-foo"), Some(Reason::UnsafelistedHeader));
    // Unsafe values do not count toward the total.
    let mut with_unsafe = eight.clone();
    let big = "b".repeat(500);
    with_unsafe.push(("X-Big", big.as_str()));
    let got = cors_unsafe_request_header_names(&list(&with_unsafe));
    assert!(!got.over_total_limit);
    assert_eq!(got.names, vec!["x-big"]);
}

#[test]
fn no_cors_safelist() {
    // Fetch §no-CORS-safelisted request-header: Accept, Accept-Language,
    // Content-Language, Content-Type, and CORS-safelisted.
    let cases = [
        ("Accept", "*/*", true),
        ("Accept-Language", "en", true),
        ("Content-Language", "en", true),
        ("Content-Type", "text/plain;charset=UTF-8", true),
        ("Content-Type", "application/json", false),
        ("Range", "bytes=0-", false),
        ("Authorization", "Bearer x", false),
        ("X-Requested-With", "XMLHttpRequest", false),
        ("Accept", &"a".repeat(129), false),
    ];
    for (name, value, want) in cases {
        assert_eq!(
            is_no_cors_safelisted_request_header(name, value),
            want,
            "{name}: {value}"
        );
    }
}

#[test]
fn descriptions_name_the_rule() {
    assert_eq!(describe_not_safelisted("Accept", "*/*"), None);
    let d = describe_not_safelisted("Accept", &"a".repeat(129)).unwrap();
    assert!(d.contains("129 bytes") && d.contains("128"), "{d}");
    let d = describe_not_safelisted("Content-Type", "application/json").unwrap();
    assert!(d.contains("`application/json`"), "{d}");
    let d = describe_not_safelisted("Content-Type", "text/plain; x=\"a:b\"").unwrap();
    assert!(d.contains("`\"`"), "{d}");
    let d = describe_not_safelisted("Range", "bytes=-500").unwrap();
    assert!(d.contains("bytes=N-"), "{d}");
    let d = describe_not_safelisted("X-Foo", "1").unwrap();
    assert!(d.contains("not one of"), "{d}");
}
