//! Mixed Content: https pages may not call plain http, except loopback
//! (observed in Chromium 156, domain-notes §G).

use crumbtrail_engine::mixed_content::check_mixed_content;
use crumbtrail_engine::{Phase, Reason, Verdict};
use url::Url;

/// (page URL, request URL, expected step).
type MixedCase<'a> = (&'a str, &'a str, Option<(Verdict, Reason)>);

#[test]
fn mixed_content_table() {
    let cases: &[MixedCase] = &[
        // Chromium 156: https page → http://api.other.test blocked.
        (
            "https://app.example.test/",
            "http://api.other.test/me",
            Some((Verdict::Blocked, Reason::MixedContentBlocked)),
        ),
        (
            "https://app.example.test/",
            "http://api.example.test/me",
            Some((Verdict::Blocked, Reason::MixedContentBlocked)),
        ),
        // Chromium 156: http://localhost and http://127.0.0.1 allowed (potentially trustworthy).
        (
            "https://app.example.test/",
            "http://localhost:3001/me",
            Some((Verdict::Ok, Reason::MixedContentLoopbackAllowed)),
        ),
        (
            "https://app.example.test/",
            "http://127.0.0.1:3001/me",
            Some((Verdict::Ok, Reason::MixedContentLoopbackAllowed)),
        ),
        (
            "https://app.example.test/",
            "http://127.8.9.10/",
            Some((Verdict::Ok, Reason::MixedContentLoopbackAllowed)),
        ),
        (
            "https://app.example.test/",
            "http://[::1]:3001/",
            Some((Verdict::Ok, Reason::MixedContentLoopbackAllowed)),
        ),
        (
            "https://app.example.test/",
            "http://api.localhost/",
            Some((Verdict::Ok, Reason::MixedContentLoopbackAllowed)),
        ),
        (
            "https://localhost:3000/",
            "http://localhost:3001/",
            Some((Verdict::Ok, Reason::MixedContentLoopbackAllowed)),
        ),
        // Not mixed content at all.
        ("https://app.example.test/", "https://api.other.test/", None),
        ("http://app.example.test/", "http://api.other.test/", None),
        ("http://localhost:3000/", "http://api.other.test/", None),
        ("http://localhost:3000/", "https://api.other.test/", None),
    ];
    for (page, req, want) in cases {
        let got = check_mixed_content(
            &Url::parse(page).unwrap(),
            &Url::parse(req).unwrap(),
            2,
            false,
            true,
        );
        assert_eq!(
            got.as_ref().map(|s| (s.verdict, s.reason)),
            *want,
            "{page} → {req}"
        );
        if let Some(step) = got {
            assert_eq!(step.request, Some(2));
            assert_eq!(step.phase, Phase::Request);
            assert!(step
                .values
                .iter()
                .any(|v| v.value == Url::parse(req).unwrap().as_str()));
        }
    }
}

#[test]
fn blocked_step_suggests_the_https_url() {
    let step = check_mixed_content(
        &Url::parse("https://app.example.test/").unwrap(),
        &Url::parse("http://api.other.test:80/me").unwrap(),
        0,
        false,
        true,
    )
    .unwrap();
    assert!(
        step.explanation.contains("`https://api.other.test/me`"),
        "{}",
        step.explanation
    );
    assert!(step.explanation.contains("Mixed Content"));
}

/// WebKit blocks http loopback from an https page (MixedContentChecker.cpp,
/// `isNonLocalHostPotentiallyTrustworthyURL`: "we currently deviate from the
/// mixed content spec"), seen in WebKitGTK 2.50.6; Chromium and Firefox allow it.
#[test]
fn webkit_blocks_http_loopback_from_an_https_page() {
    for req in [
        "http://localhost:3001/me",
        "http://127.0.0.1:3001/me",
        "http://[::1]:3001/",
    ] {
        let step = check_mixed_content(
            &Url::parse("https://app.example.com/").unwrap(),
            &Url::parse(req).unwrap(),
            0,
            false,
            false,
        )
        .unwrap();
        assert_eq!(step.verdict, Verdict::Blocked, "{req}");
        assert!(step.explanation.contains("WebKit"), "{}", step.explanation);
    }
    for p in crumbtrail_engine::profile::ProfileId::ALL {
        let profile = p.profile();
        let webkit = matches!(
            profile.family,
            crumbtrail_engine::profile::Family::Safari
                | crumbtrail_engine::profile::Family::WebKitGtk
        );
        assert_eq!(profile.mixed_content_trusts_loopback, !webkit, "{p:?}");
    }
}
