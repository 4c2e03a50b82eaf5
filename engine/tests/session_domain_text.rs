//! The session store's `domain:` as typed in the playground's field (the Ruby
//! literal without quotes): every form reads back, and bad input is an error
//! for the field, never a panic.

use crumbtrail_engine::server::rails::DomainOption;
use proptest::prelude::*;

#[test]
fn forms_read_and_write_back() {
    let cases = [
        ("", DomainOption::Unset),
        ("nil", DomainOption::Unset),
        (".example.com", DomainOption::Exact(".example.com".into())),
        ("'.example.com'", DomainOption::Exact(".example.com".into())),
        (":all", DomainOption::All { tld_length: None }),
        (
            ":all, tld_length: 2",
            DomainOption::All {
                tld_length: Some(2),
            },
        ),
        (
            "['a.test', \"b.test\"]",
            DomainOption::List(vec!["a.test".into(), "b.test".into()]),
        ),
        (
            "a.test, b.test",
            DomainOption::List(vec!["a.test".into(), "b.test".into()]),
        ),
    ];
    for (text, want) in cases {
        let got = DomainOption::from_ruby_text(text);
        assert_eq!(got.as_ref(), Ok(&want), "{text}");
        assert_eq!(
            DomainOption::from_ruby_text(&want.to_ruby_text()),
            Ok(want),
            "{text}"
        );
    }
}

#[test]
fn bad_forms_are_field_errors() {
    for text in [
        ":all, tld_length: x",
        ":all, tld_length: 0",
        ":all, tld_length: 11",
        ":all 2",
        ":none",
        "a b.test",
        "a.test, :all",
        "'[",
        "\"[a.test]\"",
    ] {
        let err = DomainOption::from_ruby_text(text).unwrap_err();
        assert!(!err.is_empty(), "{text}");
    }
}

proptest! {
    #[test]
    fn any_text_reads_without_panicking(text in "\\PC{0,40}") {
        if let Ok(d) = DomainOption::from_ruby_text(&text) {
            prop_assert_eq!(DomainOption::from_ruby_text(&d.to_ruby_text()), Ok(d));
        }
    }
}
