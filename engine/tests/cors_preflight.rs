//! Fetch §CORS-preflight fetch: the OPTIONS request and every check on its
//! response. Cases cite the spec step or the Chromium 156 observation
//! (domain-notes §G) they pin.

use crumbtrail_engine::headers::HeaderList;
use crumbtrail_engine::http::WireResponse;
use crumbtrail_engine::preflight::{check_preflight_response, preflight_request, PreflightCheck};
use crumbtrail_engine::profile::BrowserProfile;
use crumbtrail_engine::{Phase, ProfileId, Reason, Verdict};

const ORIGIN: &str = "http://localhost:3000";

fn response(status: u16, pairs: &[(&str, &str)]) -> WireResponse {
    let mut headers = HeaderList::new();
    for (n, v) in pairs {
        headers.push(*n, *v);
    }
    WireResponse { status, headers }
}

fn names(n: &[&str]) -> Vec<String> {
    n.iter().map(|s| s.to_string()).collect()
}

fn run(
    status: u16,
    pairs: &[(&str, &str)],
    include: bool,
    method: &str,
    unsafe_names: &[&str],
    profile: ProfileId,
) -> PreflightCheck {
    check_preflight_response(
        &response(status, pairs),
        ORIGIN,
        include,
        method,
        &names(unsafe_names),
        &BrowserProfile::of(profile),
        1,
    )
}

/// The failing reason, or `PreflightOk`.
fn outcome(c: &PreflightCheck) -> Reason {
    let last = c
        .steps
        .iter()
        .rev()
        .find(|s| s.reason != Reason::PreflightCacheStored)
        .unwrap();
    if c.ok {
        assert!(c.steps.iter().all(|s| s.verdict != Verdict::Blocked));
        assert_eq!(last.reason, Reason::PreflightOk);
    } else {
        assert_eq!(last.verdict, Verdict::Blocked, "{:?}", last.reason);
        assert_eq!(c.max_age, 0);
    }
    for s in &c.steps {
        assert_eq!(s.phase, Phase::Preflight);
        assert_eq!(s.request, Some(1));
    }
    last.reason
}

/// (status, headers, method, unsafe names, text the explanation must contain).
type ConsoleCase<'a> = (
    u16,
    &'a [(&'a str, &'a str)],
    &'a str,
    &'a [&'a str],
    &'a str,
);

#[test]
fn the_preflight_request() {
    // Fetch §CORS-preflight fetch steps 1–5; §CORS protocol and credentials:
    // a preflight never includes credentials.
    let req = preflight_request(
        "http://localhost:3001/me",
        ORIGIN,
        "PATCH",
        &names(&["authorization", "content-type"]),
    );
    assert_eq!(req.method, "OPTIONS");
    assert!(req.is_preflight);
    assert_eq!(req.url, "http://localhost:3001/me");
    assert_eq!(
        req.headers.to_lines(),
        "Accept: */*\nAccess-Control-Request-Method: PATCH\nAccess-Control-Request-Headers: authorization,content-type\nOrigin: http://localhost:3000"
    );
    assert!(!req.headers.contains("Cookie"));

    // Step 5: no Access-Control-Request-Headers when there are no unsafe names.
    let req = preflight_request("http://localhost:3001/me", ORIGIN, "patch", &[]);
    assert!(!req.headers.contains("Access-Control-Request-Headers"));
    // Step 3: the method as the request has it (lower-case `patch` stays).
    assert_eq!(
        req.headers.get("Access-Control-Request-Method").as_deref(),
        Some("patch")
    );
}

const ACAO: &str = "Access-Control-Allow-Origin";
const ACAC: &str = "Access-Control-Allow-Credentials";
const ACAM: &str = "Access-Control-Allow-Methods";
const ACAH: &str = "Access-Control-Allow-Headers";

/// (status, headers, credentials included, method, unsafe names, profile, expected reason).
type PreflightCase<'a> = (
    u16,
    &'a [(&'a str, &'a str)],
    bool,
    &'a str,
    &'a [&'a str],
    ProfileId,
    Reason,
);

#[test]
fn preflight_checks_table() {
    use ProfileId::*;
    use Reason::*;
    let good: &[(&str, &str)] = &[
        (ACAO, ORIGIN),
        (ACAC, "true"),
        (ACAM, "GET, POST, PATCH, DELETE"),
        (ACAH, "Content-Type, X-CSRF-Token"),
    ];
    // (status, headers, include, method, unsafe names, profile, expected)
    let cases: &[PreflightCase] = &[
        (
            204,
            good,
            true,
            "PATCH",
            &["content-type"],
            Chrome,
            PreflightOk,
        ),
        (
            200,
            good,
            true,
            "DELETE",
            &["content-type", "x-csrf-token"],
            Chrome,
            PreflightOk,
        ),
        (299, good, true, "PATCH", &[], Chrome, PreflightOk),
        // Step 7 ok status; Chromium 156: 404, 500 and 302 fail.
        (404, good, true, "PATCH", &[], Chrome, PreflightStatusNotOk),
        (500, good, true, "PATCH", &[], Chrome, PreflightStatusNotOk),
        (
            302,
            &[(ACAO, ORIGIN), ("Location", "https://localhost:3001/me")],
            false,
            "PATCH",
            &[],
            Chrome,
            PreflightRedirect,
        ),
        (301, good, true, "PATCH", &[], Chrome, PreflightRedirect),
        (307, good, true, "PATCH", &[], Chrome, PreflightRedirect),
        (304, good, true, "PATCH", &[], Chrome, PreflightStatusNotOk),
        (300, good, true, "PATCH", &[], Chrome, PreflightStatusNotOk),
        (199, good, true, "PATCH", &[], Chrome, PreflightStatusNotOk),
        // Step 7: the CORS check runs first, with the request's credentials mode.
        (404, &[], false, "PUT", &[], Chrome, MissingAllowOrigin),
        (204, &[], false, "PUT", &[], Chrome, MissingAllowOrigin),
        (
            204,
            &[(ACAO, "*"), (ACAM, "PUT")],
            true,
            "PUT",
            &[],
            Chrome,
            WildcardOriginWithCredentials,
        ),
        (
            204,
            &[(ACAO, "*"), (ACAM, "PUT")],
            false,
            "PUT",
            &[],
            Chrome,
            PreflightOk,
        ),
        (
            204,
            &[(ACAO, ORIGIN), (ACAM, "PUT")],
            true,
            "PUT",
            &[],
            Chrome,
            MissingAllowCredentials,
        ),
        (
            204,
            &[(ACAO, ORIGIN), (ACAO, ORIGIN), (ACAM, "PUT")],
            false,
            "PUT",
            &[],
            Chrome,
            MultipleAllowOrigin,
        ),
        // Steps 7.1–7.3: unparsable lists are network errors.
        (
            204,
            &[(ACAO, ORIGIN), (ACAM, "GET; POST")],
            false,
            "PUT",
            &[],
            Chrome,
            InvalidAllowMethods,
        ),
        (
            204,
            &[(ACAO, ORIGIN), (ACAM, "PUT"), (ACAH, "X Foo")],
            false,
            "PUT",
            &[],
            Chrome,
            InvalidAllowHeaders,
        ),
        (
            204,
            &[(ACAO, ORIGIN), (ACAM, "PUT"), (ACAH, "x-foo, \"x-bar\"")],
            false,
            "PUT",
            &["x-foo"],
            Chrome,
            InvalidAllowHeaders,
        ),
        // Empty lists and empty items are allowed (rack-cors sends `Allow-Headers: `).
        (
            200,
            &[(ACAO, ORIGIN), (ACAM, "PUT,,"), (ACAH, "")],
            false,
            "PUT",
            &[],
            Chrome,
            PreflightOk,
        ),
        (
            200,
            &[(ACAO, ORIGIN), (ACAM, " , PUT ,")],
            false,
            "PUT",
            &[],
            Chrome,
            PreflightOk,
        ),
        // Step 7.5: the method must be listed byte for byte, or be safelisted.
        (
            204,
            &[(ACAO, ORIGIN)],
            false,
            "PUT",
            &[],
            Chrome,
            MethodNotAllowed,
        ),
        (
            204,
            &[(ACAO, ORIGIN), (ACAM, "GET, POST")],
            false,
            "DELETE",
            &[],
            Chrome,
            MethodNotAllowed,
        ),
        (
            204,
            &[(ACAO, ORIGIN), (ACAH, "x-foo")],
            false,
            "POST",
            &["x-foo"],
            Chrome,
            PreflightOk,
        ),
        (
            204,
            &[(ACAO, ORIGIN), (ACAH, "x-foo")],
            false,
            "GET",
            &["x-foo"],
            Chrome,
            PreflightOk,
        ),
        // Chromium 156: lower-case `patch` is not matched by `PATCH`.
        (
            204,
            &[(ACAO, ORIGIN), (ACAM, "PATCH")],
            false,
            "patch",
            &[],
            Chrome,
            MethodNotAllowed,
        ),
        (
            204,
            &[(ACAO, ORIGIN), (ACAM, "patch")],
            false,
            "patch",
            &[],
            Chrome,
            PreflightOk,
        ),
        (
            204,
            &[(ACAO, ORIGIN), (ACAM, "patch")],
            false,
            "PATCH",
            &[],
            Chrome,
            MethodNotAllowed,
        ),
        // `*` counts only without credentials (Chromium 156: taken literally).
        (
            204,
            &[(ACAO, ORIGIN), (ACAM, "*")],
            false,
            "PATCH",
            &[],
            Chrome,
            PreflightOk,
        ),
        (
            204,
            &[(ACAO, ORIGIN), (ACAC, "true"), (ACAM, "*")],
            true,
            "PATCH",
            &[],
            Chrome,
            MethodWildcardWithCredentials,
        ),
        (
            204,
            &[(ACAO, ORIGIN), (ACAC, "true"), (ACAM, "*, PATCH")],
            true,
            "PATCH",
            &[],
            Chrome,
            PreflightOk,
        ),
        // Step 7.7: every unsafe header listed (case-insensitively), or `*` without credentials.
        (
            204,
            &[(ACAO, ORIGIN), (ACAM, "PUT"), (ACAH, "Content-Type")],
            false,
            "PUT",
            &["content-type", "x-foo"],
            Chrome,
            HeaderNotAllowed,
        ),
        (
            204,
            &[
                (ACAO, ORIGIN),
                (ACAM, "PUT"),
                (ACAH, "CONTENT-TYPE"),
                (ACAH, "X-Foo"),
            ],
            false,
            "PUT",
            &["content-type", "x-foo"],
            Chrome,
            PreflightOk,
        ),
        (
            204,
            &[(ACAO, ORIGIN), (ACAM, "PUT")],
            false,
            "PUT",
            &["content-type"],
            Chrome,
            HeaderNotAllowed,
        ),
        (
            204,
            &[(ACAO, ORIGIN), (ACAM, "PUT"), (ACAH, "*")],
            false,
            "PUT",
            &["content-type", "x-foo"],
            Chrome,
            PreflightOk,
        ),
        (
            204,
            &[(ACAO, ORIGIN), (ACAC, "true"), (ACAM, "PUT"), (ACAH, "*")],
            true,
            "PUT",
            &["x-foo"],
            Chrome,
            HeaderWildcardWithCredentials,
        ),
        // Step 7.6: Authorization is never covered by `*` in the spec (see
        // `the_spec_keeps_authorization_out_of_the_wildcard`), but WebKit lets
        // `*` cover every header without credentials (WebCore's
        // CrossOriginPreflightResultCache.cpp, `validateCrossOriginHeaders`;
        // seen in WebKitGTK 2.50.6)...
        (
            204,
            &[(ACAO, ORIGIN), (ACAM, "PUT"), (ACAH, "*")],
            false,
            "PUT",
            &["authorization"],
            Safari,
            PreflightOk,
        ),
        (
            204,
            &[(ACAO, ORIGIN), (ACAM, "PUT"), (ACAH, "*")],
            false,
            "PUT",
            &["authorization"],
            WebKitGtk,
            PreflightOk,
        ),
        // ...and so does Chromium 156 (with a warning).
        (
            204,
            &[(ACAO, ORIGIN), (ACAM, "PUT"), (ACAH, "*")],
            false,
            "PUT",
            &["authorization"],
            Chrome,
            PreflightOk,
        ),
        (
            204,
            &[(ACAO, ORIGIN), (ACAM, "PUT"), (ACAH, "*")],
            false,
            "PUT",
            &["authorization"],
            Firefox,
            PreflightOk,
        ),
        // With credentials `*` is literal for every header, Authorization included.
        (
            204,
            &[(ACAO, ORIGIN), (ACAC, "true"), (ACAM, "PUT"), (ACAH, "*")],
            true,
            "PUT",
            &["authorization"],
            Chrome,
            HeaderWildcardWithCredentials,
        ),
        (
            204,
            &[(ACAO, ORIGIN), (ACAC, "true"), (ACAH, "Authorization")],
            true,
            "GET",
            &["authorization"],
            Safari,
            PreflightOk,
        ),
        (
            204,
            &[(ACAO, ORIGIN), (ACAH, "authorization, *")],
            false,
            "GET",
            &["authorization", "x-foo"],
            Safari,
            PreflightOk,
        ),
        (
            204,
            &[(ACAO, ORIGIN), (ACAH, "content-type")],
            false,
            "GET",
            &["authorization", "content-type"],
            Chrome,
            HeaderNotAllowed,
        ),
    ];
    for (i, (status, headers, include, method, unsafe_names, profile, want)) in
        cases.iter().enumerate()
    {
        let c = run(*status, headers, *include, method, unsafe_names, *profile);
        assert_eq!(
            outcome(&c),
            *want,
            "case {i}: {status} {headers:?} include={include} {method} {unsafe_names:?} {profile:?}\nsteps: {:#?}",
            c.steps.iter().map(|s| (&s.reason, &s.title)).collect::<Vec<_>>()
        );
    }
}

/// Fetch §CORS-preflight fetch step 7.6: a profile that follows the spec
/// (none of the shipped browsers does, as of 2026) refuses it.
#[test]
fn the_spec_keeps_authorization_out_of_the_wildcard() {
    let spec = BrowserProfile {
        wildcard_covers_authorization: false,
        ..BrowserProfile::of(ProfileId::Chrome)
    };
    let c = check_preflight_response(
        &response(204, &[(ACAO, ORIGIN), (ACAM, "PUT"), (ACAH, "*")]),
        ORIGIN,
        false,
        "PUT",
        &names(&["authorization"]),
        &spec,
        1,
    );
    assert_eq!(outcome(&c), Reason::AuthorizationNotCoveredByWildcard);
}

#[test]
fn authorization_wildcard_warning_per_profile() {
    let h = [(ACAO, ORIGIN), (ACAM, "PUT"), (ACAH, "*")];
    // Chromium 156 tolerates it: the check passes with a warning step.
    let c = run(
        204,
        &h,
        false,
        "PUT",
        &["authorization", "x-foo"],
        ProfileId::Chrome,
    );
    assert!(c.ok);
    let warn = c
        .steps
        .iter()
        .find(|s| s.reason == Reason::AuthorizationWildcardTolerated)
        .unwrap();
    assert_eq!(warn.verdict, Verdict::Warning);
    assert!(warn.explanation.contains("list `Authorization` explicitly"));
    // Listed explicitly: no warning.
    let h = [(ACAO, ORIGIN), (ACAM, "PUT"), (ACAH, "Authorization, *")];
    let c = run(
        204,
        &h,
        false,
        "PUT",
        &["authorization", "x-foo"],
        ProfileId::Chrome,
    );
    assert!(c.ok);
    assert!(c.steps.iter().all(|s| s.verdict == Verdict::Ok));
}

#[test]
fn max_age() {
    // Fetch §CORS-preflight fetch steps 7.8–7.10: default 5, capped by the browser.
    let ok = |extra: &[(&str, &str)], profile| {
        let mut h = vec![(ACAO, ORIGIN), (ACAM, "PUT")];
        h.extend_from_slice(extra);
        let c = run(204, &h, false, "PUT", &[], profile);
        assert!(c.ok);
        c.max_age
    };
    use ProfileId::*;
    let m = "Access-Control-Max-Age";
    assert_eq!(ok(&[], Chrome), 5);
    assert_eq!(ok(&[(m, "600")], Chrome), 600);
    assert_eq!(ok(&[(m, "0")], Chrome), 0);
    assert_eq!(ok(&[(m, "86400")], Chrome), 7200);
    assert_eq!(ok(&[(m, "86400")], Firefox), 86400);
    assert_eq!(ok(&[(m, "86400")], Safari), 600);
    assert_eq!(ok(&[(m, "99999999999999999999999999")], Chrome), 7200);
    assert_eq!(ok(&[(m, "abc")], Chrome), 5);
    assert_eq!(ok(&[(m, "-1")], Chrome), 5);
    assert_eq!(ok(&[(m, "1.5")], Chrome), 5);
    assert_eq!(ok(&[(m, "")], Chrome), 5);
    // delta-seconds allows one header only: two lines are a failure, so 5.
    assert_eq!(ok(&[(m, "600"), (m, "600")], Chrome), 5);
}

#[test]
fn allowed_lists_are_reported() {
    let c = run(
        204,
        &[
            (ACAO, ORIGIN),
            (ACAM, "GET, patch"),
            (ACAH, "X-Foo, Content-Type"),
        ],
        false,
        "patch",
        &["x-foo"],
        ProfileId::Chrome,
    );
    assert!(c.ok);
    assert_eq!(c.allowed_methods, vec!["GET", "patch"]);
    assert_eq!(c.allowed_headers, vec!["x-foo", "content-type"]);
    // The first step is the passed CORS check, then PreflightOk, then the cache.
    let reasons: Vec<Reason> = c.steps.iter().map(|s| s.reason).collect();
    assert_eq!(
        reasons,
        vec![
            Reason::CorsOk,
            Reason::PreflightOk,
            Reason::PreflightCacheStored
        ]
    );
}

#[test]
fn failures_explain_with_console_wording() {
    let cases: &[ConsoleCase] = &[
        (
            404,
            &[(ACAO, ORIGIN)],
            "PUT",
            &[],
            "It does not have HTTP ok status",
        ),
        (
            302,
            &[],
            "PUT",
            &[],
            "Redirect is not allowed for a preflight request",
        ),
        (
            204,
            &[(ACAO, ORIGIN), (ACAM, "PATCH")],
            "patch",
            &[],
            "methods are compared byte for byte",
        ),
        (
            204,
            &[(ACAO, ORIGIN), (ACAM, "GET")],
            "PUT",
            &[],
            "Method PUT is not allowed by Access-Control-Allow-Methods",
        ),
        (
            204,
            &[(ACAO, ORIGIN), (ACAM, "PUT")],
            "PUT",
            &["x-foo"],
            "Request header field x-foo is not allowed",
        ),
        (
            204,
            &[(ACAO, ORIGIN), (ACAM, "GET; PUT")],
            "PUT",
            &[],
            "invalid token 'GET; PUT'",
        ),
    ];
    for (status, h, method, unsafe_names, needle) in cases {
        let c = run(*status, h, false, method, unsafe_names, ProfileId::Chrome);
        assert!(!c.ok);
        let last = c.steps.last().unwrap();
        assert!(
            last.explanation.contains(needle),
            "{needle:?} not in {}",
            last.explanation
        );
        assert!(last.explanation.contains("Firefox"), "{}", last.explanation);
    }
}
