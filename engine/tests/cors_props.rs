//! Property tests: no header name, value or response makes the CORS code
//! panic, and the invariants the spec states hold for any input.

use crumbtrail_engine::cors_check::{cors_check, readable_response_headers};
use crumbtrail_engine::headers::HeaderList;
use crumbtrail_engine::http::WireResponse;
use crumbtrail_engine::mixed_content::check_mixed_content;
use crumbtrail_engine::preflight::{check_preflight_response, preflight_request};
use crumbtrail_engine::profile::BrowserProfile;
use crumbtrail_engine::safelist::*;
use crumbtrail_engine::{Phase, ProfileId, Reason, Verdict};
use proptest::prelude::*;

/// Header names: mostly the ones that matter, sometimes anything.
fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "Accept",
            "Accept-Language",
            "Content-Language",
            "Content-Type",
            "Range",
            "Authorization",
            "X-Foo",
            "Cookie",
            "Sec-Fetch-Mode",
            "X-HTTP-Method-Override",
            "Access-Control-Allow-Origin",
            "Access-Control-Allow-Credentials",
            "Access-Control-Allow-Methods",
            "Access-Control-Allow-Headers",
            "Access-Control-Max-Age",
            "Access-Control-Expose-Headers",
            "Set-Cookie",
            "Location",
        ])
        .prop_map(str::to_string),
        any::<String>(),
    ]
}

/// Values: near-miss shapes plus arbitrary strings (including non-ASCII and control bytes).
fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "*",
            "true",
            "True",
            "http://localhost:3000",
            "http://localhost:3000/",
            "null",
            "text/plain;charset=UTF-8",
            "application/json",
            "bytes=0-",
            "bytes=-5",
            "GET, POST",
            "*, PATCH",
            "x-foo,,",
            "\"",
            "TRACE",
            "600",
            "-1",
            "",
        ])
        .prop_map(str::to_string),
        "[ -~]{0,200}",
        any::<String>(),
    ]
}

fn header_list() -> impl Strategy<Value = HeaderList> {
    prop::collection::vec((name(), value()), 0..12).prop_map(HeaderList)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn methods_never_panic(m in any::<String>()) {
        let n = normalize_method(&m);
        // Normalising twice changes nothing; only ASCII case changes.
        prop_assert_eq!(normalize_method(&n), n.clone());
        prop_assert!(n.eq_ignore_ascii_case(&m));
        let _ = is_forbidden_method(&m);
        let _ = is_cors_safelisted_method(&n);
    }

    #[test]
    fn request_headers_never_panic(n in name(), v in value()) {
        let _ = is_forbidden_request_header(&n, &v);
        let safelisted = check_cors_safelisted_request_header(&n, &v);
        // Fetch §CORS-safelisted request-header step 1.
        if safelisted.is_ok() {
            prop_assert!(v.len() <= 128);
        }
        prop_assert_eq!(describe_not_safelisted(&n, &v).is_none(), safelisted.is_ok());
        if is_no_cors_safelisted_request_header(&n, &v) {
            prop_assert!(safelisted.is_ok());
        }
        let _ = parse_mime_type(v.as_bytes());
        let _ = parse_single_range(v.as_bytes());
    }

    #[test]
    fn unsafe_names_are_a_sorted_lowercase_set(h in header_list()) {
        let u = cors_unsafe_request_header_names(&h);
        let mut sorted = u.names.clone();
        sorted.sort();
        sorted.dedup();
        prop_assert_eq!(&sorted, &u.names);
        for n in &u.names {
            prop_assert_eq!(n.to_ascii_lowercase(), n.clone());
            prop_assert!(u.reason_for(n).is_some());
        }
        prop_assert_eq!(u.names.len(), u.why.len());
    }

    #[test]
    fn cors_check_never_panics(h in header_list(), origin in value(), include in any::<bool>()) {
        match cors_check(&h, &origin, include, 0, Phase::CorsCheck) {
            Ok(step) => {
                prop_assert_eq!(step.reason, Reason::CorsOk);
                // Fetch §CORS check: with credentials the value must be the origin
                // and Allow-Credentials exactly `true`.
                if include {
                    prop_assert_eq!(h.get("Access-Control-Allow-Origin"), Some(origin.clone()));
                    prop_assert_eq!(h.get("Access-Control-Allow-Credentials"), Some("true".to_string()));
                }
            }
            Err(step) => prop_assert_eq!(step.verdict, Verdict::Blocked),
        }
        let readable = readable_response_headers(&h, include);
        prop_assert!(!readable.iter().any(|n| n == "set-cookie" || n == "set-cookie2"));
    }

    #[test]
    fn preflight_never_panics(
        h in header_list(),
        status in any::<u16>(),
        origin in value(),
        include in any::<bool>(),
        method in prop_oneof![value(), Just("PATCH".to_string())],
        unsafe_names in prop::collection::vec(name(), 0..4),
        profile in prop::sample::select(ProfileId::ALL.to_vec()),
    ) {
        let profile = BrowserProfile::of(profile);
        let r = WireResponse { status, headers: h };
        let c = check_preflight_response(&r, &origin, include, &method, &unsafe_names, &profile, 0);
        prop_assert!(c.max_age <= profile.preflight_max_age_cap);
        prop_assert!(!c.steps.is_empty());
        if c.ok {
            prop_assert!((200..=299).contains(&status));
        } else {
            prop_assert_eq!(c.steps.last().unwrap().verdict, Verdict::Blocked);
        }
        let req = preflight_request("http://x.test/", &origin, &method, &unsafe_names);
        prop_assert!(!req.headers.contains("Cookie"));
    }

    #[test]
    fn mixed_content_never_panics(a in "[a-z0-9.:/\\[\\]-]{0,40}", b in "[a-z0-9.:/\\[\\]-]{0,40}") {
        for (pa, pb) in [("https://", "http://"), ("http://", "http://"), ("https://", "https://")] {
            if let (Ok(p), Ok(r)) = (url::Url::parse(&format!("{pa}{a}")), url::Url::parse(&format!("{pb}{b}"))) {
                let _ = check_mixed_content(&p, &r, 0, false, true);
                let _ = check_mixed_content(&p, &r, 0, false, false);
            }
        }
    }
}
