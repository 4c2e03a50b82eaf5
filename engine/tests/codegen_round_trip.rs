//! The law of the Rails code generators (issue #12): generated code is
//! always readable back by the project's own readers, and reading it back
//! gives the settings, minus exactly the items the generator reports in
//! `left_out` (each of which also has a comment in the code).
//!
//! A table of the cases that broke it, then a property test over arbitrary
//! settings. `PROPTEST_CASES` sets the number of generated settings (2,000
//! by default).

use crumbtrail_engine::codegen::*;
use crumbtrail_engine::server::rack_cors::{is_regexp_literal, Regexp};
use crumbtrail_engine::server::rails::*;
use proptest::prelude::*;

// ---------------------------------------------------------------------------
// The law
// ---------------------------------------------------------------------------

/// What the readers give back from the generated code.
#[derive(Debug, PartialEq)]
struct ReadBack {
    cors: CorsConfig,
    position: CorsPosition,
    session: SessionStoreConfig,
}

/// The fields the generator must report, worked out independently of it.
fn must_leave_out(app: &RailsApp) -> Vec<String> {
    let mut out = Vec::new();
    let c = &app.cors;
    if !c.enabled {
        if !c.allow.is_empty() {
            out.push("server.cors.allow".to_string());
        }
        if c.debug {
            out.push("server.cors.debug".into());
        }
        if app.cors_position != CorsPosition::First {
            out.push("server.cors_position".into());
        }
    } else {
        for (bi, b) in c.allow.iter().enumerate() {
            for (oi, o) in b.origins.iter().enumerate() {
                if is_regexp_literal(o) && Regexp::from_literal(o).is_err() {
                    out.push(format!("server.cors.allow.{bi}.origins.{oi}"));
                }
            }
            if b.resource_before_origins && b.resources.is_empty() {
                out.push(format!("server.cors.allow.{bi}.resource_before_origins"));
            }
        }
    }
    let s = &app.session;
    if s.store == StoreKind::NotCalled {
        for (name, set) in [
            ("key", s.key.is_some()),
            ("domain", s.domain != DomainOption::Unset),
            ("path", s.path.is_some()),
            ("same_site", s.same_site != SameSiteOption::Unset),
            ("secure", s.secure.is_some()),
            ("httponly", s.httponly.is_some()),
            ("expire_after", s.expire_after.is_some()),
        ] {
            if set {
                out.push(format!("server.session.{name}"));
            }
        }
    }
    out
}

/// The settings without the items left out.
fn expected(app: &RailsApp, left_out: &[LeftOut]) -> ReadBack {
    let mut cors = app.cors.clone();
    let mut position = app.cors_position;
    let mut session = app.session.clone();
    let mut origins = Vec::new();
    for l in left_out {
        let parts: Vec<&str> = l.field.split('.').collect();
        let n = |s: &str| s.parse::<usize>().unwrap();
        match parts.as_slice() {
            ["server", "cors", "allow"] => cors.allow.clear(),
            ["server", "cors", "debug"] => cors.debug = false,
            ["server", "cors_position"] => position = CorsPosition::First,
            ["server", "cors", "allow", b, "origins", o] => origins.push((n(b), n(o))),
            ["server", "cors", "allow", b, "resource_before_origins"] => {
                cors.allow[n(b)].resource_before_origins = false
            }
            ["server", "session", "key"] => session.key = None,
            ["server", "session", "domain"] => session.domain = DomainOption::Unset,
            ["server", "session", "path"] => session.path = None,
            ["server", "session", "same_site"] => session.same_site = SameSiteOption::Unset,
            ["server", "session", "secure"] => session.secure = None,
            ["server", "session", "httponly"] => session.httponly = None,
            ["server", "session", "expire_after"] => session.expire_after = None,
            _ => panic!("left out an unknown field {}", l.field),
        }
    }
    origins.sort_unstable();
    for (b, o) in origins.into_iter().rev() {
        cors.allow[b].origins.remove(o);
    }
    ReadBack {
        cors,
        position,
        session,
    }
}

/// Checks the law for one app; the error says what broke, with the code.
fn check_law(app: &RailsApp) -> Result<(), String> {
    let cors = cors_rb_code(app);
    let session = session_store_code(app);
    let mut left_out = cors.left_out.clone();
    left_out.extend(session.left_out.iter().cloned());
    let fields: Vec<String> = left_out.iter().map(|l| l.field.clone()).collect();
    let must = must_leave_out(app);
    if fields != must {
        return Err(format!(
            "left out {fields:?}, should be {must:?}\n{}",
            cors.code
        ));
    }
    if let Some(l) = left_out.iter().find(|l| l.why.is_empty()) {
        return Err(format!("no reason given for {}", l.field));
    }
    let (cors_back, position) =
        parse_cors_rb_with_position(&cors.code).map_err(|e| format!("{e}\n{}", cors.code))?;
    let initializer = session_store_initializer(&app.session);
    let session_back =
        parse_session_store_rb(&initializer).map_err(|e| format!("{e}\n{initializer}"))?;
    let back = ReadBack {
        cors: cors_back,
        position,
        session: session_back,
    };
    let want = expected(app, &left_out);
    if back != want {
        return Err(format!(
            "read back {back:?}\nexpected {want:?}\n{}\n{initializer}",
            cors.code
        ));
    }
    // The file as shown: a full app's initializer, or the initializer part
    // of an API-only app's text.
    let shown = session
        .code
        .find("# config/initializers/session_store.rb\n")
        .map(|at| &session.code[at..]);
    if !app.api_only || shown.is_some() {
        let shown = shown.unwrap_or(&session.code);
        let s = parse_session_store_rb(shown).map_err(|e| format!("{e}\n{shown}"))?;
        if s != want.session {
            return Err(format!("session file reads back {s:?}\n{shown}"));
        }
    }
    // Each item left out of cors.rb has its comment in the code.
    let comments = cors.code.matches(" left out: ").count();
    let origins_left = fields.iter().filter(|f| f.contains(".origins.")).count();
    if comments != origins_left {
        return Err(format!(
            "{comments} comments for {origins_left} origins left out\n{}",
            cors.code
        ));
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// The table
// ---------------------------------------------------------------------------

fn app_with(f: impl FnOnce(&mut RailsApp)) -> RailsApp {
    let mut app = RailsApp::default();
    f(&mut app);
    app
}

fn origins(list: &[&str]) -> RailsApp {
    app_with(|a| a.cors.allow[0].origins = list.iter().map(|s| s.to_string()).collect())
}

fn origin(o: &str) -> RailsApp {
    origins(&["http://localhost:3000", o])
}

fn resource(f: impl FnOnce(&mut CorsResource)) -> RailsApp {
    app_with(|a| f(&mut a.cors.allow[0].resources[0]))
}

fn method(m: &str) -> RailsApp {
    resource(|r| r.methods = MethodsOption::List(vec!["get".into(), m.into()]))
}

fn session(f: impl FnOnce(&mut SessionStoreConfig)) -> RailsApp {
    app_with(|a| {
        a.api_only = false;
        f(&mut a.session)
    })
}

fn disabled_with(f: impl FnOnce(&mut SessionStoreConfig)) -> RailsApp {
    session(|s| {
        s.store = StoreKind::Disabled;
        f(s)
    })
}

const O1: &str = "server.cors.allow.0.origins.1";

/// Each case: a name, the settings, the fields the generator must leave out.
fn cases() -> Vec<(&'static str, RailsApp, Vec<&'static str>)> {
    let deep = format!("/{}a{}/", "(".repeat(201), ")".repeat(201));
    vec![
        // Origin regexps the model (and so the reader) refuses.
        ("unmatched open parenthesis", origin("/(a/"), vec![O1]),
        ("unmatched close parenthesis", origin("/a)/"), vec![O1]),
        ("groups nested 201 deep", origin(&deep), vec![O1]),
        ("look-ahead", origin("/(?=a)/"), vec![O1]),
        ("negative look-ahead", origin("/(?!a)/"), vec![O1]),
        ("look-behind", origin("/(?<=a)b/"), vec![O1]),
        ("negative look-behind", origin("/(?<!a)b/"), vec![O1]),
        ("inline options", origin("%r{(?i)a}"), vec![O1]),
        ("nested quantifier", origin("/a**/"), vec![O1]),
        ("nested quantifier after lazy", origin("/a+?+/"), vec![O1]),
        ("possessive quantifier", origin("/a++/"), vec![O1]),
        ("possessive after a count", origin("/a{2}+/"), vec![O1]),
        ("nothing to repeat", origin("/*a/"), vec![O1]),
        ("repeated anchor", origin("/^*/"), vec![O1]),
        ("nested character class", origin("/[[a]]/"), vec![O1]),
        ("class intersection", origin("/[a&&b]/"), vec![O1]),
        ("unterminated class", origin("/[a/"), vec![O1]),
        ("empty range", origin("/[z-a]/"), vec![O1]),
        ("bounds the wrong way", origin("/a{3,2}/"), vec![O1]),
        ("property escape", origin(r"/\p{L}/"), vec![O1]),
        ("back-reference", origin(r"/(a)\1/"), vec![O1]),
        ("extended flag", origin("/a/x"), vec![O1]),
        ("unknown flag", origin("/a/q"), vec![O1]),
        ("interpolation in a regexp", origin("/a#{b}/"), vec![O1]),
        (
            "instance variable in a regexp",
            origin("/#@host/"),
            vec![O1],
        ),
        (
            "one bad regexp among good origins",
            origins(&["http://a.test", "/(?=x)/", r"/\Ahttps:\/\/b\.test\z/"]),
            vec![O1],
        ),
        (
            "every origin of the block left out",
            origins(&["/(a/", "/a)/"]),
            vec![
                "server.cors.allow.0.origins.0",
                "server.cors.allow.0.origins.1",
            ],
        ),
        // Regexps the model reads, written as they are.
        ("regexp over two lines", origin("/a\nb/"), vec![]),
        ("regexp line continuation", origin("/a\\\nb/"), vec![]),
        ("regexp with a hash sign", origin(r"/a#b\#{c}/"), vec![]),
        (
            "regexp in %r<>",
            origin(r"%r<\Ahttps://a\.test\z>i"),
            vec![],
        ),
        (
            "first regexp starts with a space",
            origins(&["/ a/", "b"]),
            vec![],
        ),
        ("first regexp starts with =", origins(&["/=a/"]), vec![]),
        // Strings with quotes, backslashes, line breaks, unicode.
        (
            "newline in an origin",
            origin("http://a.test\nhttp://b.test"),
            vec![],
        ),
        ("tab in an origin", origin("a\tb"), vec![]),
        ("carriage return in an origin", origin("a\r\nb"), vec![]),
        ("NUL in an origin", origin("a\0b"), vec![]),
        (
            "C1 control and line separator",
            origin("a\u{85}\u{2028}b"),
            vec![],
        ),
        ("quote in an origin", origin("it's"), vec![]),
        ("trailing backslash", origin("a\\"), vec![]),
        ("interpolation text in a string", origin("#{host}"), vec![]),
        (
            "quotes, hash and newline together",
            origin("a\"#{x}\\'\n"),
            vec![],
        ),
        ("unicode", origin("https://bücher.example 😀"), vec![]),
        ("empty origin", origin(""), vec![]),
        ("slashes that are not a regexp", origin("/a/b/"), vec![]),
        ("quote in a method", method("it's"), vec![]),
        ("newline in a method", method("a\nb"), vec![]),
        ("space in a method", method("a b"), vec![]),
        ("empty method", method(""), vec![]),
        ("method written with a colon", method(":get"), vec![]),
        ("upper-case method", method("GET"), vec![]),
        ("double quote in a method", method("a\"b"), vec![]),
        ("method starting with a digit", method("9a"), vec![]),
        (
            "newline in a header",
            resource(|r| r.headers = HeadersOption::List(vec!["X-A\nB".into()])),
            vec![],
        ),
        (
            "quote and backslash in expose",
            resource(|r| r.expose = vec!["it's \\".into()]),
            vec![],
        ),
        (
            "interpolation and newline in vary",
            resource(|r| r.vary = Some(vec!["#{a}\n".into(), String::new()])),
            vec![],
        ),
        (
            "newline in a path",
            resource(|r| r.path = "/a\nb".into()),
            vec![],
        ),
        (
            "empty header list",
            resource(|r| r.headers = HeadersOption::List(vec![])),
            vec![],
        ),
        // Blocks.
        (
            "blocks=2, the second without origins",
            app_with(|a| a.cors.allow.push(AllowBlock::default())),
            vec![],
        ),
        (
            "no origins, resources after",
            app_with(|a| a.cors.allow[0].origins.clear()),
            vec![],
        ),
        (
            "no origins, resources before",
            app_with(|a| {
                a.cors.allow[0].origins.clear();
                a.cors.allow[0].resource_before_origins = true;
            }),
            vec![],
        ),
        (
            "resources before origins, but no resource",
            app_with(|a| {
                a.cors.allow[0].resources.clear();
                a.cors.allow[0].resource_before_origins = true;
            }),
            vec!["server.cors.allow.0.resource_before_origins"],
        ),
        ("no allow block", app_with(|a| a.cors.allow.clear()), vec![]),
        (
            "rack-cors off, blocks kept",
            app_with(|a| {
                a.cors.enabled = false;
                a.cors.debug = true;
                a.cors_position = CorsPosition::AfterAnsweringMiddleware;
            }),
            vec![
                "server.cors.allow",
                "server.cors.debug",
                "server.cors_position",
            ],
        ),
        (
            "rack-cors off, nothing else",
            app_with(|a| {
                a.cors.enabled = false;
                a.cors.allow.clear();
            }),
            vec![],
        ),
        // The session store.
        (
            "same_site with the store disabled",
            disabled_with(|s| s.same_site = SameSiteOption::Lax),
            vec![],
        ),
        (
            "same_site: nil with the store disabled",
            disabled_with(|s| s.same_site = SameSiteOption::Nil),
            vec![],
        ),
        (
            "every option with the store disabled",
            disabled_with(|s| {
                s.key = Some("_k".into());
                s.domain = DomainOption::All {
                    tld_length: Some(2),
                };
                s.path = Some("/p".into());
                s.same_site = SameSiteOption::Strict;
                s.secure = Some(true);
                s.httponly = Some(false);
                s.expire_after = Some(3600);
            }),
            vec![],
        ),
        (
            "options while session_store is never called",
            session(|s| {
                s.store = StoreKind::NotCalled;
                s.key = Some("_k".into());
                s.same_site = SameSiteOption::None;
            }),
            vec!["server.session.key", "server.session.same_site"],
        ),
        (
            "newline in the key",
            session(|s| s.key = Some("_a\nb".into())),
            vec![],
        ),
        (
            "quote and newline in a domain list",
            session(|s| s.domain = DomainOption::List(vec!["it's".into(), "a\nb".into()])),
            vec![],
        ),
        (
            "backslash in the path",
            session(|s| s.path = Some("\\".into())),
            vec![],
        ),
        (
            "odd expire_after",
            session(|s| s.expire_after = Some(u64::MAX)),
            vec![],
        ),
        (
            "code in the app name stays in its comment",
            app_with(|a| {
                a.api_only = false;
                a.session.store = StoreKind::NotCalled;
                a.session.key = None;
                a.app_name = "x\nRails.application.config.session_store :disabled".into();
            }),
            vec![],
        ),
    ]
}

#[test]
fn every_case_reads_back() {
    let mut failures = Vec::new();
    let cases = cases();
    for (name, app, left_out) in &cases {
        let got: Vec<String> = cors_rb_code(app)
            .left_out
            .into_iter()
            .chain(session_store_code(app).left_out)
            .map(|l| l.field)
            .collect();
        if &got != left_out {
            failures.push(format!("{name}: left out {got:?}, want {left_out:?}"));
        }
        if let Err(e) = check_law(app) {
            failures.push(format!("{name}: {e}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases fail:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

#[test]
fn left_out_origin_is_a_comment_with_the_reason() {
    let code = cors_rb(&origin("/(?=x)/"));
    assert!(
        code.contains("    # origin /(?=x)/ left out: look-around"),
        "{code}"
    );
    let code = cors_rb(&origin("/(?=\n)/"));
    assert!(code.contains(r"# origin /(?=\n)/ left out"), "{code}");
}

#[test]
fn disabled_store_keeps_its_options_in_code() {
    let app = disabled_with(|s| {
        s.key = None;
        s.same_site = SameSiteOption::Lax;
    });
    assert_eq!(
        session_store_rb(&app),
        "# config/initializers/session_store.rb
# With :disabled Rails adds no session middleware, so no session cookie:
# these options are kept in config.session_options and have no effect.
Rails.application.config.session_store :disabled, same_site: :lax
"
    );
}

#[test]
fn strings_are_quoted_the_way_ruby_reads_them() {
    assert_eq!(ruby_str("it's \\"), r"'it\'s \\'");
    assert_eq!(ruby_str("#{a}"), "'#{a}'");
    assert_eq!(ruby_str("a\n\"#{b}\\\u{1}"), r#""a\n\"\#{b}\\\u{1}""#);
    let code = cors_rb(&method("it's"));
    assert!(code.contains(r"methods: [:get, :'it\'s']"), "{code}");
}

#[test]
fn a_regexp_ruby_would_read_as_division_goes_in_a_list() {
    let code = cors_rb(&origins(&["/ a/", "b"]));
    assert!(code.contains("    origins [/ a/, 'b']\n"), "{code}");
    let code = cors_rb(&origins(&["b", "/ a/"]));
    assert!(code.contains("    origins 'b', / a/\n"), "{code}");
}

#[test]
fn empty_origins_is_a_bare_origins_call() {
    let app = app_with(|a| a.cors.allow.push(AllowBlock::default()));
    let code = cors_rb(&app);
    assert!(
        code.ends_with(
            "  allow do\n    # No origins: no Origin matches this block.\n    origins\n  end\nend\n"
        ),
        "{code}"
    );
}

// ---------------------------------------------------------------------------
// The readers on hostile input: errors, never a stack overflow.
// ---------------------------------------------------------------------------

const HEAD: &str =
    "Rails.application.config.middleware.insert_before 0, Rack::Cors do\n  allow do\n";

#[test]
fn deep_lists_are_an_error_not_a_stack_overflow() {
    let src = format!(
        "{HEAD}    origins {}'a'{}\n  end\nend\n",
        "[".repeat(40_000),
        "]".repeat(40_000)
    );
    let e = parse_cors_rb(&src).unwrap_err();
    assert!(e.message.contains("nesting deeper than 16"), "{e}");
    assert_eq!(e.line, 3);
    let src = format!(
        "Rails.application.config.session_store :cookie_store, domain: {}",
        "[".repeat(40_000)
    );
    let e = parse_session_store_rb(&src).unwrap_err();
    assert!(e.message.contains("nesting deeper than 16"), "{e}");
    // Sixteen levels are read (origins then takes strings only); seventeen are not.
    let nested = |n: usize| {
        format!(
            "{HEAD}    origins {}'a'{}\n  end\nend\n",
            "[".repeat(n),
            "]".repeat(n)
        )
    };
    let e = parse_cors_rb(&nested(16)).unwrap_err();
    assert!(e.message.contains("origins takes strings"), "{e}");
    let e = parse_cors_rb(&nested(17)).unwrap_err();
    assert!(e.message.contains("nesting deeper than 16"), "{e}");
    assert_eq!(
        parse_cors_rb(&nested(1)).unwrap().allow[0].origins,
        vec!["a"]
    );
}

#[test]
fn deep_regexp_groups_are_an_error() {
    let src = format!(
        "{HEAD}    origins /{}a{}/\n  end\nend\n",
        "(".repeat(40_000),
        ")".repeat(40_000)
    );
    let e = parse_cors_rb(&src).unwrap_err();
    assert!(e.message.contains("nested too deeply"), "{e}");
}

#[test]
fn many_blocks_read_without_recursion() {
    let app = app_with(|a| {
        let block = a.cors.allow[0].clone();
        a.cors.allow = vec![block; 5_000];
    });
    assert_eq!(check_law(&app), Ok(()));
}

#[test]
fn double_quoted_escapes_read_as_ruby_does() {
    let read = |s: &str| {
        parse_session_store_rb(&format!(
            "Rails.application.config.session_store :cookie_store, key: {s}"
        ))
        .map(|c| c.key.unwrap_or_default())
    };
    assert_eq!(read(r#""a\u{62 63}\u0064\s\e\!""#).unwrap(), "abcd \u{1b}!");
    assert_eq!(read(r#"'a\b\'c'"#).unwrap(), "a\\b'c");
    assert!(read(r#""\u{d800}""#).is_err());
    assert!(read(r#""\x41""#).is_err());
    assert!(read(r#""\012""#).is_err());
    assert!(read(r##""#@x""##)
        .unwrap_err()
        .message
        .contains("interpolation"));
    assert_eq!(read(r##""#@ #$ #""##).unwrap(), "#@ #$ #");
    assert_eq!(
        parse_cors_rb(&format!(
            "{HEAD}    resource '*', methods: [:\"it's\", :'a\\'b']\n  end\nend\n"
        ))
        .unwrap()
        .allow[0]
            .resources[0]
            .methods,
        MethodsOption::List(vec!["it's".into(), "a'b".into()])
    );
}

// ---------------------------------------------------------------------------
// The property: arbitrary settings
// ---------------------------------------------------------------------------

/// Characters that break naive quoting.
fn odd_char() -> impl Strategy<Value = char> {
    prop_oneof![
        Just('\''),
        Just('"'),
        Just('\\'),
        Just('\n'),
        Just('\r'),
        Just('\t'),
        Just('\0'),
        Just('#'),
        Just('{'),
        Just('}'),
        Just('$'),
        Just('@'),
        Just('/'),
        Just(':'),
        Just('%'),
        Just('r'),
        Just('['),
        Just(' '),
        Just('a'),
        Just('é'),
        Just('😀'),
        Just('\u{85}'),
        Just('\u{2028}'),
        Just('\u{7f}'),
    ]
}

fn odd_string() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[a-z:/.0-9*-]{0,12}",
        2 => "[ -~]{0,12}",
        3 => proptest::collection::vec(odd_char(), 0..10).prop_map(|v| v.into_iter().collect()),
        1 => any::<String>(),
        1 => Just("#{host}".to_string()),
    ]
}

/// Regexp literals, most of them valid, some not (and some not regexps).
fn regexp_literal() -> impl Strategy<Value = String> {
    let part = prop_oneof![
        4 => "[a-z.]{1,3}",
        1 => Just(r"\A".to_string()),
        1 => Just(r"\z".to_string()),
        1 => Just(r"\/".to_string()),
        1 => Just(r"\d+".to_string()),
        1 => Just("(".to_string()),
        1 => Just(")".to_string()),
        1 => Just("(?:".to_string()),
        1 => Just("(?=".to_string()),
        1 => Just("[a-z]".to_string()),
        1 => Just("*".to_string()),
        1 => Just("+".to_string()),
        1 => Just("?".to_string()),
        1 => Just("{2}".to_string()),
        1 => Just("|".to_string()),
        1 => Just("#{x}".to_string()),
        1 => Just("#".to_string()),
        1 => Just("\n".to_string()),
        1 => Just("\\\n".to_string()),
        1 => Just("\\".to_string()),
        1 => Just("/".to_string()),
        1 => Just("}".to_string()),
        1 => Just(" ".to_string()),
        1 => Just("=".to_string()),
    ];
    (
        proptest::collection::vec(part, 0..8),
        0..3usize,
        "[imxoq]{0,2}",
    )
        .prop_map(|(parts, delim, flags)| {
            let body = parts.concat();
            match delim {
                0 | 1 => format!("/{body}/{flags}"),
                _ => format!("%r{{{body}}}{flags}"),
            }
        })
}

fn origin_entry() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => regexp_literal(),
        2 => odd_string(),
        1 => Just("*".to_string()),
        2 => "https?://[a-z]{1,5}\\.test(:[0-9]{2,4})?",
    ]
}

fn string_list() -> impl Strategy<Value = Vec<String>> {
    proptest::collection::vec(odd_string(), 0..3)
}

fn method_name() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop_oneof![Just("get"), Just("post"), Just("options"), Just("GET"), Just(":get")]
            .prop_map(String::from),
        1 => odd_string(),
    ]
}

fn cors_resource() -> impl Strategy<Value = CorsResource> {
    (
        prop_oneof![
            Just("*".to_string()),
            Just("/api/*".to_string()),
            odd_string()
        ],
        prop_oneof![
            Just(HeadersOption::Unset),
            Just(HeadersOption::Any),
            string_list().prop_map(HeadersOption::List),
        ],
        prop_oneof![
            Just(MethodsOption::Unset),
            Just(MethodsOption::Any),
            proptest::collection::vec(method_name(), 0..4).prop_map(MethodsOption::List),
        ],
        any::<bool>(),
        string_list(),
        proptest::option::of(any::<u64>()),
        proptest::option::of(string_list()),
        any::<bool>(),
    )
        .prop_map(
            |(path, headers, methods, credentials, expose, max_age, vary, if_condition)| {
                CorsResource {
                    path,
                    headers,
                    methods,
                    credentials,
                    expose,
                    max_age,
                    vary,
                    if_condition,
                }
            },
        )
}

fn allow_block() -> impl Strategy<Value = AllowBlock> {
    (
        proptest::collection::vec(origin_entry(), 0..4),
        proptest::collection::vec(cors_resource(), 0..3),
        any::<bool>(),
    )
        .prop_map(|(origins, resources, resource_before_origins)| AllowBlock {
            origins,
            resources,
            resource_before_origins,
        })
}

fn duration_secs() -> impl Strategy<Value = u64> {
    prop_oneof![
        any::<u64>(),
        (0..1000u64).prop_map(|n| n * 60),
        (0..1000u64).prop_map(|n| n * 3600),
        (0..1000u64).prop_map(|n| n * 86_400),
    ]
}

fn session_config() -> impl Strategy<Value = SessionStoreConfig> {
    (
        prop_oneof![
            Just(StoreKind::NotCalled),
            Just(StoreKind::CookieStore),
            Just(StoreKind::Disabled),
        ],
        proptest::option::of(odd_string()),
        prop_oneof![
            Just(DomainOption::Unset),
            odd_string().prop_map(DomainOption::Exact),
            proptest::option::of(any::<u8>())
                .prop_map(|tld_length| DomainOption::All { tld_length }),
            string_list().prop_map(DomainOption::List),
        ],
        proptest::option::of(odd_string()),
        prop_oneof![
            Just(SameSiteOption::Unset),
            Just(SameSiteOption::Lax),
            Just(SameSiteOption::Strict),
            Just(SameSiteOption::None),
            Just(SameSiteOption::Nil),
        ],
        proptest::option::of(any::<bool>()),
        proptest::option::of(any::<bool>()),
        proptest::option::of(duration_secs()),
    )
        .prop_map(
            |(store, key, domain, path, same_site, secure, httponly, expire_after)| {
                SessionStoreConfig {
                    store,
                    key,
                    domain,
                    path,
                    same_site,
                    secure,
                    httponly,
                    expire_after,
                }
            },
        )
}

fn rails_app() -> impl Strategy<Value = RailsApp> {
    (
        prop_oneof![4 => Just(true), 1 => Just(false)],
        proptest::collection::vec(allow_block(), 0..6),
        any::<bool>(),
        prop_oneof![
            Just(CorsPosition::First),
            Just(CorsPosition::AfterAnsweringMiddleware)
        ],
        session_config(),
        any::<bool>(),
        prop_oneof![
            Just(SessionMiddleware::None),
            Just(SessionMiddleware::Documented),
            Just(SessionMiddleware::WithoutOptions),
            Just(SessionMiddleware::BeforeStoreSet),
            Just(SessionMiddleware::WithoutCookies),
        ],
        odd_string(),
    )
        .prop_map(
            |(
                enabled,
                allow,
                debug,
                cors_position,
                session,
                api_only,
                session_middleware,
                app_name,
            )| {
                RailsApp {
                    cors: CorsConfig {
                        enabled,
                        allow,
                        debug,
                    },
                    cors_position,
                    session,
                    api_only,
                    session_middleware,
                    app_name,
                    ..RailsApp::default()
                }
            },
        )
}

/// `PROPTEST_CASES`, or 2,000.
fn cases_from_env() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2_000)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases_from_env(), ..ProptestConfig::default() })]

    #[test]
    fn generated_code_reads_back(app in rails_app()) {
        let r = check_law(&app);
        prop_assert!(r.is_ok(), "{}", r.unwrap_err());
    }
}
