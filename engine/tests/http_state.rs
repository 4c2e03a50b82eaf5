//! The IETF http-state test vectors (abarth/http-state, 2017; the corpus
//! behind WPT `cookies/http-state` and tough-cookie's IETF tests), run
//! through the engine's cookie jar with the Chrome profile.
//!
//! Every case must pass, or be listed in a `KNOWN_DIFFERENCES` table with
//! the reason: the vectors were written for RFC 6265 (2011), and where
//! RFC 6265bis or real Chromium decided otherwise, those win. A listed case
//! that starts passing fails the test too, so the lists stay honest.

use crumbtrail_engine::cookie_date::parse_cookie_date;
use crumbtrail_engine::cookie_store::{CookieJar, GetContext, SetContext};
use crumbtrail_engine::profile::ProfileId;
use serde_json::Value;
use url::Url;

/// 2017-08-09 00:00:00 UTC, the date of the vectors. Their expectations
/// treat "Expires=… 2019" as the future and "… 2007" as the past.
const NOW: i64 = 1_502_236_800;

/// Parser cases whose 2011 expectation 6265bis or Chromium overrides.
const KNOWN_DIFFERENCES: &[(&str, &str)] = &[
    // Name-less cookies. RFC 6265 ignored a pair without '=' or with an
    // empty name; 6265bis §5.6 step 3 makes the name empty and keeps the
    // value ("foo" → name "", value "foo"), and §5.8.3 step 6 sends it as
    // the bare value. Chromium does the same.
    ("0004", "6265bis §5.6 step 3: `foo` is a name-less cookie with value `foo`"),
    ("0021", "6265bis §5.6 step 3: `=x` is a name-less cookie with value `x`"),
    ("0023", "6265bis §5.6 step 3: `foo` is a name-less cookie; the empty line is ignored (§5.7 step 2)"),
    ("0024", "6265bis §5.6 step 3: `foo` is a name-less cookie; `=` is ignored (§5.7 step 2)"),
    ("0025", "6265bis §5.6 step 3: `foo` is a name-less cookie; `; bar` is ignored (§5.7 step 2)"),
    ("0026", "6265bis §5.6 step 3: `foo` is a name-less cookie; whitespace is ignored (§5.7 step 2)"),
    ("0027", "6265bis §5.6 step 3: `foo` then `bar` are name-less cookies; the second replaces the first (§5.7 step 23)"),
    ("0028", "6265bis §5.6 step 3: `foo` is a name-less cookie; a lone tab is ignored (§5.7 step 2)"),
    ("CHROMIUM0009", "6265bis §5.6 step 3: `BLAHHH` is a name-less cookie"),
    ("CHROMIUM0010", "6265bis §5.6 step 3: `\"BLA\\\"HHH\"` is a name-less cookie"),
    ("CHROMIUM0012", "6265bis §5.6 step 3: `=ABC` is a name-less cookie with value `ABC`"),
    ("MOZILLA0012", "6265bis §5.6 step 3: `five` is a name-less cookie (its Max-Age `2.63,` is ignored, §5.6.2)"),
    ("MOZILLA0014", "6265bis §5.6 step 3: `six` is a name-less cookie"),
    ("MOZILLA0015", "6265bis §5.6 step 3: `six` then `seven`: name-less, the second replaces the first"),
    ("MOZILLA0016", "6265bis §5.6 step 3: ` =eight` is a name-less cookie that replaces `seven`"),
    ("MOZILLA0017", "6265bis §5.6 step 3: the name-less `eight` is sent before `test=six`"),
    ("NAME0017", "6265bis §5.6 step 3: `=a=bar` is a name-less cookie with value `a=bar`"),
    ("NAME0023", "6265bis §5.6 step 3: `foo;bar=baz` is a name-less cookie `foo` with an unknown attribute"),
    ("NAME0025", "6265bis §5.6 step 3: `===a=bar` is a name-less cookie with value `==a=bar`"),
    ("NAME0028", "6265bis §5.6 step 3: `=a` is a name-less cookie with value `a`"),
    ("NAME0031", "6265bis §5.6 step 3: `\"foo;bar\"=baz` is a name-less cookie `\"foo`"),
    ("NAME0032", "6265bis §5.6 step 3: `\"foo\\\"bar;baz\"=qux` is a name-less cookie `\"foo\\\"bar`"),
    ("NAME0033", "6265bis §5.6 step 3: `=foo=bar` then `aaa` are name-less cookies; the second replaces the first"),
    // Control characters: RFC 6265 truncated at them; 6265bis §5.6 step 1
    // ignores the whole line (Chromium: EXCLUDE_DISALLOWED_CHARACTER).
    ("DISABLED_CHROMIUM0022", "6265bis §5.6 step 1: a NUL rejects the whole line"),
    ("DISABLED_CHROMIUM0023", "6265bis §5.6 step 1: a CR rejects the whole line"),
    // Percent-encoding in the request path: the WHATWG URL parser keeps
    // `%6F` as written (so `/f%6Fo/bar` does not path-match `/foo/bar`);
    // Chromium's own URL canonicalizer decodes unreserved characters and
    // sends the cookie. The case was disabled upstream because browsers
    // disagree; 6265bis §5.1.4 compares the paths as strings.
    ("DISABLED_PATH0029", "WHATWG URL keeps `%6F`; 6265bis §5.1.4 compares paths as strings"),
    // An empty Domain attribute: RFC 6265 §5.2.3 said to ignore it, so the
    // earlier `domain=foo.example.org` won and the cookie was rejected.
    // 6265bis §5.6.3 keeps it as an empty cookie-domain, §5.7 step 7 takes
    // the last Domain attribute, and an empty one gives a host-only cookie
    // (step 10), which is sent back to home.example.org.
    ("OPTIONAL_DOMAIN0042", "6265bis §5.6.3 + §5.7 steps 7/10: the last, empty Domain makes a host-only cookie"),
];

/// Date vectors whose expectation 6265bis §5.1.1 overrides.
const KNOWN_DATE_DIFFERENCES: &[(&str, &str)] = &[];

fn data(name: &str) -> String {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn is_known(list: &[(&str, &str)], id: &str) -> bool {
    list.iter().any(|(known, _)| *known == id)
}

/// What the browser sends, as the vectors spell it: `name=value` pairs, a
/// name-less cookie as its bare value (6265bis §5.8.3 step 6).
fn cookie_string(pairs: &[(String, String)]) -> Option<String> {
    if pairs.is_empty() {
        return None;
    }
    let parts: Vec<String> = pairs
        .iter()
        .map(|(n, v)| {
            if n.is_empty() {
                v.clone()
            } else {
                format!("{n}={v}")
            }
        })
        .collect();
    Some(parts.join("; "))
}

fn run_case(case: &Value) -> (Option<String>, Option<String>) {
    let id = case["test"].as_str().expect("test id");
    let profile = ProfileId::Chrome.profile();
    let set_url = Url::parse(&format!("http://home.example.org:8888/cookie-parser?{id}")).unwrap();
    let mut jar = CookieJar::default();
    let set_ctx = SetContext {
        url: &set_url,
        same_site_strict_or_lax_allowed: true,
        top_level_navigation: false,
        from_http: true,
        third_party: false,
        partition_key: "http://example.org".into(),
        first_party: None,
        now: NOW,
    };
    for line in case["received"].as_array().expect("received") {
        jar.set(line.as_str().expect("line"), &set_ctx, &profile, 0);
    }
    let get_url = match case.get("sent-to").and_then(Value::as_str) {
        Some(to) => set_url.join(to).unwrap(),
        None => Url::parse(&format!(
            "http://home.example.org:8888/cookie-parser-result?{id}"
        ))
        .unwrap(),
    };
    // A same-site fetch-like request (not a navigation), as the harness made.
    let got = jar.get(
        &GetContext {
            url: &get_url,
            same_site: true,
            top_level_navigation: false,
            safe_method: true,
            from_http: true,
            third_party: false,
            partition_key: "http://example.org".into(),
            now: NOW,
        },
        &profile,
        1,
    );
    let expected: Vec<(String, String)> = case["sent"]
        .as_array()
        .expect("sent")
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_string(),
                c["value"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    (got.cookie_header, cookie_string(&expected))
}

#[test]
fn http_state_parser_vectors() {
    let cases: Vec<Value> = serde_json::from_str(&data("http-state-parser.json")).unwrap();
    assert_eq!(cases.len(), 222, "the corpus has 222 cases");
    let mut unexpected = Vec::new();
    let mut now_passing = Vec::new();
    let mut passed = 0;
    for case in &cases {
        let id = case["test"].as_str().unwrap();
        let (got, expected) = run_case(case);
        let known = is_known(KNOWN_DIFFERENCES, id);
        match (got == expected, known) {
            (true, false) => passed += 1,
            (true, true) => now_passing.push(id.to_string()),
            (false, false) => unexpected.push(format!(
                "{id}: received {:?}\n    expected Cookie: {expected:?}\n    got      Cookie: {got:?}",
                case["received"]
            )),
            (false, true) => {}
        }
    }
    assert!(
        unexpected.is_empty(),
        "{} http-state cases fail ({passed} pass):\n{}",
        unexpected.len(),
        unexpected.join("\n")
    );
    assert!(
        now_passing.is_empty(),
        "listed as known differences but now pass; remove them from the list: {now_passing:?}"
    );
    assert_eq!(passed + KNOWN_DIFFERENCES.len(), cases.len());
}

#[test]
fn known_differences_name_real_cases() {
    let cases: Vec<Value> = serde_json::from_str(&data("http-state-parser.json")).unwrap();
    for (id, reason) in KNOWN_DIFFERENCES {
        assert!(!reason.is_empty());
        assert!(
            cases.iter().any(|c| c["test"] == *id),
            "{id} is not a case in the corpus"
        );
    }
}

/// Reads the vectors' expected form, `Mon, 10 Dec 2007 17:02:24 GMT`.
fn rfc1123(s: &str) -> i64 {
    let parts: Vec<&str> = s.split_whitespace().collect();
    assert_eq!(parts.len(), 6, "{s}");
    let day: i64 = parts[1].parse().unwrap();
    let month = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ]
    .iter()
    .position(|m| *m == parts[2])
    .unwrap() as i64
        + 1;
    let year: i64 = parts[3].parse().unwrap();
    let hms: Vec<i64> = parts[4].split(':').map(|x| x.parse().unwrap()).collect();
    // Days from civil (proleptic Gregorian), independent of the engine's.
    let (y, m) = if month <= 2 {
        (year - 1, month + 12)
    } else {
        (year, month)
    };
    let days = 365 * y + y.div_euclid(4) - y.div_euclid(100)
        + y.div_euclid(400)
        + (153 * (m - 3) + 2) / 5
        + day
        - 719_469;
    days * 86_400 + hms[0] * 3600 + hms[1] * 60 + hms[2]
}

fn run_dates(file: &str) -> (usize, Vec<String>, Vec<String>) {
    // The BSD file starts with a license comment: drop `//` lines.
    let text: String = data(file)
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    let cases: Vec<Value> = serde_json::from_str(&text).unwrap();
    let mut passed = 0;
    let mut unexpected = Vec::new();
    let mut now_passing = Vec::new();
    for case in &cases {
        let input = case["test"].as_str().unwrap();
        let expected = case["expected"].as_str().map(rfc1123);
        let got = parse_cookie_date(input);
        let known = is_known(KNOWN_DATE_DIFFERENCES, input);
        match (got == expected, known) {
            (true, false) => passed += 1,
            (true, true) => now_passing.push(input.to_string()),
            (false, false) => {
                unexpected.push(format!("{input:?}: expected {expected:?}, got {got:?}"))
            }
            (false, true) => {}
        }
    }
    (passed, unexpected, now_passing)
}

#[test]
fn rfc1123_helper_is_right() {
    assert_eq!(rfc1123("Thu, 01 Jan 1970 00:00:00 GMT"), 0);
    assert_eq!(rfc1123("Sun, 29 Feb 2004 00:00:00 GMT"), 1_078_012_800);
    assert_eq!(rfc1123("Wed, 09 Jun 2021 10:18:14 GMT"), 1_623_233_894);
}

#[test]
fn http_state_date_vectors() {
    for file in ["http-state-dates.json", "http-state-dates-bsd.json"] {
        let (passed, unexpected, now_passing) = run_dates(file);
        assert!(
            unexpected.is_empty(),
            "{file}: {} fail ({passed} pass):\n{}",
            unexpected.len(),
            unexpected.join("\n")
        );
        assert!(
            now_passing.is_empty(),
            "{file}: listed but now pass: {now_passing:?}"
        );
    }
}
