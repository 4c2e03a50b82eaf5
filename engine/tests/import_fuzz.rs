//! Fuzz tests of every importer: no input makes them panic. Random text,
//! text that starts like each format, random JSON in the shape of a HAR, and
//! the fixtures cut and mutated. Whatever imports also simulates, compares,
//! writes Markdown and survives a permalink round trip.

use crumbtrail_engine::import::{self, markdown, parse, reconstruct};
use crumbtrail_engine::permalink::{decode, encode, View};
use crumbtrail_engine::simulate;
use proptest::prelude::*;
use serde_json::{json, Value};

const FIXTURE: &str = include_str!("data/import/hand-chrome-h2.har");

/// The whole pipeline, as the page runs it.
fn pipeline(text: &str) {
    let Ok(rec) = parse(text) else { return };
    let selections = [
        import::default_selection(&rec),
        (0..rec.entries.len().min(30)).collect::<Vec<_>>(),
        vec![usize::MAX, 0, 0],
    ];
    for sel in selections {
        let Ok(imported) = reconstruct(&rec, &sel) else {
            continue;
        };
        let trace = simulate(&imported.scenario);
        let _ = import::compare(&trace, &imported);
        let q = encode(&imported.scenario, &View::default());
        let _ = markdown::export(
            &imported.scenario,
            &trace,
            &format!("http://localhost:8080/?{q}"),
            &imported.redactions,
        );
        let _ = decode(&q);
    }
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|n| json!(n)),
        "[ -~]{0,12}".prop_map(Value::String),
        prop_oneof![
            Just("http://localhost:3001/login"),
            Just("https://api.test/me?token=x"),
            Just("OPTIONS"),
            Just("POST"),
            Just("set-cookie"),
            Just("cookie"),
            Just("origin"),
            Just("a=b; Path=/; SameSite=None; Secure\nc=d"),
            Just("Access-Control-Allow-Origin"),
            Just("2025-06-01T10:00:00.000Z"),
            Just("net::ERR_FAILED"),
            Just("preflight"),
            Just("document"),
        ]
        .prop_map(|s| Value::String(s.into())),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop_oneof![
                        Just("request".to_string()),
                        Just("response".to_string()),
                        Just("headers".to_string()),
                        Just("name".to_string()),
                        Just("value".to_string()),
                        Just("url".to_string()),
                        Just("method".to_string()),
                        Just("status".to_string()),
                        Just("cookies".to_string()),
                        Just("startedDateTime".to_string()),
                        Just("_resourceType".to_string()),
                        Just("_initiator".to_string()),
                        Just("postData".to_string()),
                        "[a-z]{1,6}",
                    ],
                    inner
                ),
                0..6
            )
            .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// A HAR entry whose fields are random but in the right places.
fn har_entry() -> impl Strategy<Value = Value> {
    (
        prop_oneof![Just("GET"), Just("POST"), Just("OPTIONS"), Just("PUT"), Just("patch")],
        prop_oneof![
            Just("http://localhost:3001/login"),
            Just("http://localhost:3000/"),
            Just("https://api.test/a?q=1"),
            Just("http://127.0.0.1:3002/x"),
            Just("not a url"),
        ],
        prop::collection::vec((prop_oneof![Just("Origin"), Just("Cookie"), Just("Access-Control-Request-Method"), Just("Sec-Fetch-Mode"), Just("Content-Type"), Just("Sec-Fetch-Dest"), Just(":authority")], "[ -~]{0,20}"), 0..5),
        0u16..700,
        prop::collection::vec((prop_oneof![Just("Set-Cookie"), Just("Access-Control-Allow-Origin"), Just("Access-Control-Allow-Credentials"), Just("Location"), Just("Vary")], "[ -~]{0,30}"), 0..5),
        prop_oneof![Just("fetch"), Just("xhr"), Just("document"), Just("preflight"), Just("script"), Just("")],
        0u32..59,
        json_value(),
    )
        .prop_map(|(m, u, req, status, resp, rt, t, extra)| {
            let h = |l: Vec<(&str, String)>| Value::Array(l.into_iter().map(|(n, v)| json!({"name": n, "value": v})).collect());
            json!({
                "startedDateTime": format!("2025-06-01T10:00:{t:02}.000Z"),
                "_resourceType": rt,
                "request": {"method": m, "url": u, "headers": h(req), "cookies": extra},
                "response": {"status": status, "headers": h(resp), "cookies": [], "_error": if status == 0 { json!("net::ERR_FAILED") } else { json!(null) }},
            })
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn any_text_is_handled(text in "\\PC{0,400}") {
        pipeline(&text);
    }

    #[test]
    fn text_that_starts_like_a_format_is_handled(
        start in prop_oneof![Just("curl "), Just("curl ^\""), Just("fetch("), Just("await fetch(\"http://a.test/\", "), Just("{\"log\":{\"entries\":["), Just("GET / HTTP/1.1\n"), Just(":method: "), Just("HTTP/1.1 200 OK\n")],
        rest in "[ -~\n\t'\"\\\\^$`{}\\[\\]:,]{0,200}",
    ) {
        pipeline(&format!("{start}{rest}"));
    }

    #[test]
    fn random_json_in_a_har_is_handled(v in json_value()) {
        pipeline(&json!({"log": {"entries": [v.clone()], "pages": v.clone()}}).to_string());
        pipeline(&json!({"log": v}).to_string());
    }

    #[test]
    fn random_hars_import_and_explain(entries in prop::collection::vec(har_entry(), 0..12)) {
        pipeline(&json!({"log": {"creator": {"name": "WebInspector"}, "entries": entries}}).to_string());
    }

    #[test]
    fn cut_and_mutated_fixtures_are_handled(cut in 0usize..6000, at in 0usize..6000, c in any::<char>()) {
        let chars: Vec<char> = FIXTURE.chars().collect();
        let cut_text: String = chars[..cut.min(chars.len())].iter().collect();
        pipeline(&cut_text);
        let mut mutated = chars.clone();
        if !mutated.is_empty() {
            let i = at % mutated.len();
            mutated[i] = c;
        }
        pipeline(&mutated.into_iter().collect::<String>());
    }
}
