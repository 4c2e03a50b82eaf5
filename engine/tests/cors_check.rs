//! Fetch §CORS check and the readable response headers. Cases cite the
//! spec table or the Chromium 156 observation (domain-notes §G) they pin.

use crumbtrail_engine::cors_check::{cors_check, readable_response_headers};
use crumbtrail_engine::headers::HeaderList;
use crumbtrail_engine::{Phase, Reason, Verdict};

fn list(pairs: &[(&str, &str)]) -> HeaderList {
    let mut h = HeaderList::new();
    for (n, v) in pairs {
        h.push(*n, *v);
    }
    h
}

/// The reason a CORS check gives: `CorsOk` or the failure.
fn check(headers: &[(&str, &str)], origin: &str, include: bool) -> Reason {
    match cors_check(&list(headers), origin, include, 0, Phase::CorsCheck) {
        Ok(step) => {
            assert_eq!(step.verdict, Verdict::Ok);
            step.reason
        }
        Err(step) => {
            assert_eq!(step.verdict, Verdict::Blocked);
            assert_ne!(step.reason, Reason::CorsOk);
            step.reason
        }
    }
}

/// (response headers, credentials included, expected reason).
type CheckCase<'a> = (&'a [(&'a str, &'a str)], bool, Reason);

#[test]
fn fetch_cors_protocol_and_credentials_table() {
    // Fetch §CORS protocol and credentials: the legal/illegal table for
    // https://rabbit.invalid. (mode, ACAO, ACAC, shared?)
    let o = "https://rabbit.invalid";
    let rows: &[(bool, &str, Option<&str>, bool)] = &[
        (false, "*", None, true),
        (false, "*", Some("true"), true), // ACAC ignored without credentials
        (false, "https://rabbit.invalid/", None, false), // no trailing slash in an origin
        (false, "https://rabbit.invalid", None, true),
        (true, "*", Some("true"), false), // `*` cannot be used with include
        (true, "https://rabbit.invalid", Some("true"), true),
        (true, "https://rabbit.invalid", Some("True"), false), // `true` is case-sensitive
    ];
    for (include, acao, acac, shared) in rows {
        let mut h = vec![("Access-Control-Allow-Origin", *acao)];
        if let Some(v) = acac {
            h.push(("Access-Control-Allow-Credentials", v));
        }
        let got = check(&h, o, *include);
        assert_eq!(
            got == Reason::CorsOk,
            *shared,
            "include={include} ACAO={acao} ACAC={acac:?}: {got:?}"
        );
    }
}

#[test]
fn failure_reasons() {
    let o = "http://localhost:3000";
    let acao = "Access-Control-Allow-Origin";
    let acac = "Access-Control-Allow-Credentials";
    let cases: &[CheckCase] = &[
        // Fetch §CORS check step 2: no header at all.
        (&[], false, Reason::MissingAllowOrigin),
        (&[("Vary", "Origin")], true, Reason::MissingAllowOrigin),
        // Step 3: `*` without credentials.
        (&[(acao, "*")], false, Reason::CorsOk),
        // Step 4, and Chromium 156: `*` with include fails.
        (
            &[(acao, "*"), (acac, "true")],
            true,
            Reason::WildcardOriginWithCredentials,
        ),
        // Chromium 156: two ACAO lines fail ("get" joins them with ", ").
        (&[(acao, o), (acao, o)], false, Reason::MultipleAllowOrigin),
        (
            &[(acao, "*"), (acao, "*")],
            false,
            Reason::MultipleAllowOrigin,
        ),
        (
            &[(acao, "http://localhost:3000, http://localhost:3001")],
            false,
            Reason::MultipleAllowOrigin,
        ),
        // Chromium 156: trailing `/`, other case, missing port, `null` fail.
        (
            &[(acao, "http://localhost:3000/")],
            false,
            Reason::AllowOriginMismatch,
        ),
        (
            &[(acao, "HTTP://LOCALHOST:3000")],
            false,
            Reason::AllowOriginMismatch,
        ),
        (
            &[(acao, "http://Localhost:3000")],
            false,
            Reason::AllowOriginMismatch,
        ),
        (
            &[(acao, "http://localhost")],
            false,
            Reason::AllowOriginMismatch,
        ),
        (&[(acao, "null")], false, Reason::AllowOriginMismatch),
        (
            &[(acao, "http://127.0.0.1:3000")],
            false,
            Reason::AllowOriginMismatch,
        ),
        (
            &[(acao, "https://localhost:3000")],
            false,
            Reason::AllowOriginMismatch,
        ),
        (&[(acao, "")], false, Reason::AllowOriginMismatch),
        (
            &[(acao, " http://localhost:3000")],
            false,
            Reason::AllowOriginMismatch,
        ),
        // Step 5: matching origin, no credentials.
        (&[(acao, o)], false, Reason::CorsOk),
        // Steps 6–8: with credentials ACAC must be exactly `true`.
        (&[(acao, o)], true, Reason::MissingAllowCredentials),
        (
            &[(acao, o), (acac, "True")],
            true,
            Reason::MissingAllowCredentials,
        ),
        (
            &[(acao, o), (acac, "TRUE")],
            true,
            Reason::MissingAllowCredentials,
        ),
        (
            &[(acao, o), (acac, "1")],
            true,
            Reason::MissingAllowCredentials,
        ),
        (
            &[(acao, o), (acac, "true"), (acac, "true")],
            true,
            Reason::MissingAllowCredentials,
        ),
        (&[(acao, o), (acac, "true")], true, Reason::CorsOk),
        (
            &[
                ("access-control-allow-origin", o),
                ("ACCESS-CONTROL-ALLOW-CREDENTIALS", "true"),
            ],
            true,
            Reason::CorsOk,
        ),
    ];
    for (headers, include, want) in cases {
        assert_eq!(
            check(headers, o, *include),
            *want,
            "{headers:?} include={include}"
        );
    }
}

#[test]
fn opaque_origin_is_null() {
    // Fetch §CORS check step 4 with an opaque request origin: serialized as `null`.
    let h = [("Access-Control-Allow-Origin", "null")];
    assert_eq!(check(&h, "null", false), Reason::CorsOk);
    let h = [("Access-Control-Allow-Origin", "http://localhost:3000")];
    assert_eq!(check(&h, "null", false), Reason::AllowOriginMismatch);
}

#[test]
fn steps_carry_the_values_and_explain() {
    let h = list(&[("Access-Control-Allow-Origin", "http://localhost:3000/")]);
    let step = cors_check(&h, "http://localhost:3000", false, 3, Phase::CorsCheck).unwrap_err();
    assert_eq!(step.request, Some(3));
    assert_eq!(step.phase, Phase::CorsCheck);
    let value = |label: &str| {
        step.values
            .iter()
            .find(|v| v.label == label)
            .map(|v| v.value.clone())
    };
    assert_eq!(value("Origin").as_deref(), Some("http://localhost:3000"));
    assert_eq!(
        value("Access-Control-Allow-Origin").as_deref(),
        Some("http://localhost:3000/")
    );
    assert!(
        step.explanation.contains("trailing slash"),
        "{}",
        step.explanation
    );
    assert!(step
        .explanation
        .contains("CORSAllowOriginNotMatchingOrigin"));
    assert_eq!(step.spec.label, "Fetch §CORS check");

    let hint = |acao: &str| {
        cors_check(
            &list(&[("Access-Control-Allow-Origin", acao)]),
            "http://localhost:3000",
            false,
            0,
            Phase::CorsCheck,
        )
        .unwrap_err()
        .explanation
    };
    assert!(hint("http://LOCALHOST:3000").contains("case"));
    assert!(hint("http://localhost").contains("port `:3000` is missing"));
    assert!(hint("null").contains("opaque"));
    assert!(hint("http://localhost:3000/app").contains("path"));
    assert!(hint("https://localhost:3000").contains("scheme differs"));

    // Preflight wording in Chrome's console.
    let step = cors_check(
        &HeaderList::new(),
        "http://a.test",
        false,
        0,
        Phase::Preflight,
    )
    .unwrap_err();
    assert_eq!(step.phase, Phase::Preflight);
    assert!(step
        .explanation
        .contains("Response to preflight request doesn't pass access control check"));
}

#[test]
fn every_failure_names_chrome_and_firefox_wording() {
    let o = "http://localhost:3000";
    let failing: &[(&[(&str, &str)], bool)] = &[
        (&[], false),
        (&[("Access-Control-Allow-Origin", "*")], true),
        (
            &[
                ("Access-Control-Allow-Origin", o),
                ("Access-Control-Allow-Origin", o),
            ],
            false,
        ),
        (&[("Access-Control-Allow-Origin", "http://x.test")], false),
        (&[("Access-Control-Allow-Origin", o)], true),
    ];
    for (h, include) in failing {
        let step = cors_check(&list(h), o, *include, 0, Phase::CorsCheck).unwrap_err();
        assert!(step.explanation.contains("Chrome"), "{:?}", step.reason);
        assert!(step.explanation.contains("Reason: "), "{:?}", step.reason);
        assert!(step.explanation.contains("Fix it"), "{:?}", step.reason);
        assert!(
            !step.title.is_empty() && step.title.len() < 90,
            "{}",
            step.title
        );
    }
}

#[test]
fn readable_headers() {
    // Fetch §CORS-safelisted response-header name + Access-Control-Expose-Headers.
    let response = list(&[
        ("Content-Type", "application/json"),
        ("X-Request-Id", "abc"),
        ("Set-Cookie", "a=b"),
        ("Cache-Control", "no-store"),
        ("ETag", "\"1\""),
        ("content-type", "dup"),
    ]);
    assert_eq!(
        readable_response_headers(&response, false),
        vec!["content-type", "cache-control"]
    );

    let mut exposed = response.clone();
    exposed.push("Access-Control-Expose-Headers", "X-Request-Id, Set-Cookie");
    // Set-Cookie is a forbidden response-header name: never exposed.
    assert_eq!(
        readable_response_headers(&exposed, true),
        vec!["content-type", "x-request-id", "cache-control"]
    );

    // `*` exposes everything, but only without credentials (Fetch §main fetch).
    let mut star = response.clone();
    star.push("Access-Control-Expose-Headers", "*");
    assert_eq!(
        readable_response_headers(&star, false),
        vec![
            "content-type",
            "x-request-id",
            "cache-control",
            "etag",
            "access-control-expose-headers"
        ]
    );
    assert_eq!(
        readable_response_headers(&star, true),
        vec!["content-type", "cache-control"]
    );

    // rack-cors sends an empty Expose-Headers: an empty list, not an error.
    let mut empty = response.clone();
    empty.push("Access-Control-Expose-Headers", "");
    assert_eq!(
        readable_response_headers(&empty, false),
        vec!["content-type", "cache-control"]
    );

    // An unparsable list exposes nothing extra.
    let mut bad = response.clone();
    bad.push("Access-Control-Expose-Headers", "X Request Id");
    assert_eq!(
        readable_response_headers(&bad, false),
        vec!["content-type", "cache-control"]
    );

    // Two lines are one list; case-insensitive names.
    let mut two = response;
    two.push("Access-Control-Expose-Headers", "etag");
    two.push("Access-Control-Expose-Headers", "x-request-id");
    assert_eq!(
        readable_response_headers(&two, true),
        vec!["content-type", "x-request-id", "cache-control", "etag"]
    );
}
