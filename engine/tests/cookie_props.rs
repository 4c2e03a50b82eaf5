//! No input makes the cookie code panic: arbitrary strings through the
//! date parser, the Set-Cookie parser and the jar (store, then retrieve).

use crumbtrail_engine::cookie_date::parse_cookie_date;
use crumbtrail_engine::cookie_store::{CookieJar, GetContext, SetContext};
use crumbtrail_engine::profile::ProfileId;
use crumbtrail_engine::set_cookie::parse_set_cookie;
use proptest::prelude::*;
use url::Url;

/// Set-Cookie-like strings: a name=value pair and attributes drawn from
/// the ones that matter, with arbitrary values, plus fully random text.
fn set_cookie_line() -> impl Strategy<Value = String> {
    let attr = prop_oneof![
        Just("Secure".to_string()),
        Just("HttpOnly".to_string()),
        Just("Partitioned".to_string()),
        "[ -~]{0,12}".prop_map(|v| format!("Domain={v}")),
        "[ -~]{0,12}".prop_map(|v| format!("Path={v}")),
        "-?[0-9]{0,25}".prop_map(|v| format!("Max-Age={v}")),
        "[ -~]{0,40}".prop_map(|v| format!("Expires={v}")),
        "(?i)(none|lax|strict|x)".prop_map(|v| format!("SameSite={v}")),
        any::<String>(),
    ];
    prop_oneof![
        any::<String>(),
        (
            "(?i)(__host-|__secure-|__http-|__host-http-)?[a-z]{0,4}",
            any::<String>(),
            prop::collection::vec(attr, 0..6)
        )
            .prop_map(|(n, v, attrs)| {
                let mut s = format!("{n}={v}");
                for a in attrs {
                    s.push_str("; ");
                    s.push_str(&a);
                }
                s
            }),
    ]
}

fn urls() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "http://localhost:3001/api/login",
        "https://api.example.test/",
        "http://127.0.0.1/",
        "http://[::1]:8080/x/y",
        "http://app.localhost/",
        "https://co.uk/",
        "http://xn--exmple-cua.test/",
        "file:///etc/passwd",
        "data:text/plain,hi",
    ])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn cookie_dates_never_panic(s in any::<String>()) {
        let _ = parse_cookie_date(&s);
    }

    #[test]
    fn date_like_strings_never_panic(s in "[0-9A-Za-z :,-]{0,40}") {
        let _ = parse_cookie_date(&s);
    }

    #[test]
    fn set_cookie_parser_never_panics(line in set_cookie_line()) {
        let _ = parse_set_cookie(&line);
    }

    #[test]
    fn jar_never_panics(
        lines in prop::collection::vec(set_cookie_line(), 1..5),
        set_url in urls(),
        get_url in urls(),
        flags in any::<[bool; 8]>(),
        profile in prop::sample::select(ProfileId::ALL.to_vec()),
        now in prop_oneof![Just(0i64), Just(1_800_000_000i64), Just(i64::MAX), Just(i64::MIN), any::<i64>()],
        later in any::<i64>(),
    ) {
        let p = profile.profile();
        let su = Url::parse(set_url).unwrap();
        let gu = Url::parse(get_url).unwrap();
        let mut jar = CookieJar::default();
        for line in &lines {
            let out = jar.set(line, &SetContext {
                url: &su,
                same_site_strict_or_lax_allowed: flags[0],
                top_level_navigation: flags[1],
                from_http: flags[2],
                third_party: flags[3],
                partition_key: "http://localhost".into(),
                first_party: None,
                now,
            }, &p, 0);
            prop_assert!(!out.steps.is_empty());
            // A deletion stores nothing: whether it reached a cookie or missed it in another jar.
            let deletion = |r| matches!(r, crumbtrail_engine::Reason::CookieDeleted | crumbtrail_engine::Reason::DeletionMissedOtherJar);
            prop_assert_eq!(out.stored, out.rejected.is_none() && out.steps.iter().all(|s| !deletion(s.reason)));
        }
        let got = jar.get(&GetContext {
            url: &gu,
            same_site: flags[4],
            top_level_navigation: flags[5],
            safe_method: flags[6],
            from_http: flags[7],
            third_party: flags[3],
            partition_key: "http://localhost".into(),
            now: now.saturating_add(later % 1_000_000),
        }, &p, 1);
        prop_assert_eq!(got.cookie_header.is_some(), !got.sent.is_empty());
        let _ = jar.view(now);
    }
}
