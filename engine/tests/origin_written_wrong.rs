//! An allowed origin written almost as the page's origin is named as the
//! cause, in the words of the config the user wrote (issue: a trailing slash
//! in `origins` was never named, and the sentence around it ran together).

use crumbtrail_engine::{permalink, simulate, Reason};

#[test]
fn a_near_miss_in_rack_cors_origins_is_the_root_cause() {
    let cases = [
        // (origins written, what the step says is wrong)
        ("http://localhost:3000/", "a path or trailing slash"),
        ("http://localhost:3000/app", "a path or trailing slash"),
        ("http://127.0.0.1:3000", "127.0.0.1 vs localhost"),
        ("https://localhost:3000", "the scheme"),
    ];
    for (written, mistake) in cases {
        let link = format!("v=1&b1.origins={written}&b1.r1.cred=1");
        let t = simulate(&permalink::decode(&link).scenario);
        let first = t.root_causes.first().expect("a cause");
        assert_eq!(
            first.reason,
            Reason::OriginWrittenWrong,
            "{written}: {:?}",
            t.root_causes
        );
        assert_eq!(first.request, Some(0), "{written}");
        assert!(
            first.summary.contains(&format!("'{written}'")) && first.summary.contains(mistake),
            "{written}: {}",
            first.summary
        );
        assert!(
            t.headline.contains(&format!("'{written}'")),
            "{}",
            t.headline
        );
        let step = t
            .steps
            .iter()
            .find(|s| s.reason == Reason::OriginWrittenWrong)
            .unwrap();
        assert!(
            step.explanation
                .contains("Write `'http://localhost:3000'` instead."),
            "{}",
            step.explanation
        );
    }
}

#[test]
fn a_plain_miss_keeps_its_reason_and_ends_its_sentence() {
    let t =
        simulate(&permalink::decode("v=1&b1.origins=https://example.com&b1.r1.cred=1").scenario);
    let miss = t
        .steps
        .iter()
        .find(|s| s.reason == Reason::RackCorsMissOrigin)
        .expect("a rack-cors miss");
    assert!(
        miss.explanation
            .starts_with("The Origin `http://localhost:3000` matches no `origins` entry. "),
        "{}",
        miss.explanation
    );
    assert!(t
        .root_causes
        .iter()
        .all(|c| c.reason != Reason::OriginWrittenWrong));
}
