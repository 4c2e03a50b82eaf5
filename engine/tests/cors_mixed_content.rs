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
    )
    .unwrap();
    assert!(
        step.explanation.contains("`https://api.other.test/me`"),
        "{}",
        step.explanation
    );
    assert!(step.explanation.contains("Mixed Content"));
}
