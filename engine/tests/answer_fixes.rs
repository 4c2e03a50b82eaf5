//! Fixes for raw-header servers and for URL mistakes (issue #10): the fix
//! search proposes header lines that replace the wrong ones, names an origin
//! written with a trailing slash or the wrong loopback name as the cause, and
//! every change is worded as the form and the framework write it.

use crumbtrail_engine::fixes::code_diff::{code_changes, LineChange};
use crumbtrail_engine::fixes::{goal_holds, suggest_fixes, Fix};
use crumbtrail_engine::permalink::decode;
use crumbtrail_engine::presets;
use crumbtrail_engine::scenario::ServerSetup;
use crumbtrail_engine::server::rails::article;
use crumbtrail_engine::{simulate, Scenario};

fn works(f: &Fix) -> bool {
    let t = simulate(&f.scenario);
    goal_holds(&f.scenario, &t, false)
}

/// An Express-style `Access-Control-Allow-Origin: *` answer to a fetch with
/// `credentials: 'include'`: the fix replaces `*` by the page's origin and
/// adds `Access-Control-Allow-Credentials: true`, on both answers.
#[test]
fn raw_wildcard_with_credentials_gets_a_header_fix() {
    let s = decode(
        "v=1&page=http://localhost:3000/&r1=GET+http://localhost:3001/me&r1.cred=include\
         &server=raw&raw1=*+/me&raw1.h=Access-Control-Allow-Origin:+*%0AContent-Type:+application/json",
    )
    .scenario;
    assert!(matches!(s.server, ServerSetup::Raw(_)));
    assert_ne!(simulate(&s).verdict, crumbtrail_engine::Verdict::Ok);
    let fixes = suggest_fixes(&s);
    let best = fixes.first().expect("a header fix");
    assert!(works(best), "{}", best.title);
    let ServerSetup::Raw(raw) = &best.scenario.server else {
        panic!()
    };
    let h = &raw.routes[0].response.headers;
    assert!(
        h.contains("Access-Control-Allow-Origin: http://localhost:3000"),
        "{h}"
    );
    assert!(h.contains("Access-Control-Allow-Credentials: true"), "{h}");
    assert!(!h.contains("Allow-Origin: *"), "replaced, not added: {h}");
    assert!(
        h.contains("Content-Type: application/json"),
        "other lines kept: {h}"
    );
    let c = &best.changes[0];
    assert_eq!(c.label, "Route 1 preflight headers");
    assert!(best
        .changes
        .iter()
        .any(|c| c.from == "Access-Control-Allow-Origin: *"));
    // The code lines it changes: the `*` line out, the origin line in.
    let diff = code_changes(&s, &best.scenario);
    let resp = diff
        .iter()
        .find(|d| d.file == "Route 1 response headers")
        .unwrap();
    assert!(resp
        .lines
        .iter()
        .any(|l| l.change == LineChange::Removed && l.text == "Access-Control-Allow-Origin: *"));
}

/// A raw server that asks for a preflight (PUT with a JSON body) gets the
/// methods and headers it needs in the preflight answer.
#[test]
fn raw_preflight_lists_methods_and_headers() {
    let s = decode(
        "v=1&page=http://localhost:3000/&r1=PUT+http://localhost:3001/me&r1.h=X-Token:+1\
         &server=raw&raw1=*+/me&raw1.h=Access-Control-Allow-Origin:+http://localhost:3000\
         &raw1.preh=Access-Control-Allow-Origin:+http://localhost:3000",
    )
    .scenario;
    let fixes = suggest_fixes(&s);
    let best = fixes.first().expect("a preflight fix");
    assert!(works(best), "{}", best.title);
    let ServerSetup::Raw(raw) = &best.scenario.server else {
        panic!()
    };
    let p = raw.routes[0].preflight.headers.to_ascii_lowercase();
    assert!(p.contains("access-control-allow-methods: put"), "{p}");
    assert!(p.contains("access-control-allow-headers: x-token"), "{p}");
}

/// `origins 'http://localhost:3000/'` (a trailing slash): the fix replaces
/// that origin and says why; it never keeps the wrong one beside the right one.
#[test]
fn trailing_slash_origin_is_replaced_and_named() {
    let mut cors = article::refined_cors();
    cors.allow[0].origins = vec!["http://localhost:3000/".into()];
    let s = Scenario {
        server: ServerSetup::Rails(article::app(cors, article::simple_session())),
        ..Scenario::default()
    };
    let fixes = suggest_fixes(&s);
    let best = fixes.first().expect("a fix");
    assert_eq!(best.changes.len(), 1, "{best:?}");
    assert_eq!(best.changes[0].label, "Allow block 1 origins");
    assert_eq!(best.changes[0].from, "'http://localhost:3000/'");
    assert_eq!(best.changes[0].to, "'http://localhost:3000'");
    assert!(best.reason.contains("trailing slash"), "{}", best.reason);
}

/// The localhost-vs-127 preset: the first fix calls the API by the page's name.
#[test]
fn loopback_names_fixed_by_replacing_the_request_url() {
    let p = presets::by_id("localhost-vs-127").unwrap();
    let fixes = suggest_fixes(&p.scenario);
    let url_fix = fixes
        .iter()
        .find(|f| f.changes.iter().any(|c| c.field.ends_with(".url")))
        .unwrap_or_else(|| panic!("{:#?}", fixes.iter().map(|f| &f.title).collect::<Vec<_>>()));
    let c = url_fix
        .changes
        .iter()
        .find(|c| c.field.ends_with(".url"))
        .unwrap();
    assert!(
        c.label.starts_with("Request ") && c.label.ends_with(" URL"),
        "{}",
        c.label
    );
    let page_host = url::Url::parse(&p.scenario.page.url).unwrap();
    assert!(c.to.contains(page_host.host_str().unwrap()), "{c:?}");
}

/// No change, for any preset, shows a Rust value or a 0-based path.
#[test]
fn changes_are_in_the_forms_words() {
    for p in presets::all() {
        for f in suggest_fixes(&p.scenario) {
            for c in &f.changes {
                for bad in ["requests.", "server.", "Some(", "None"] {
                    assert!(!c.label.contains(bad), "{}: {}: {c:?}", p.id, f.title);
                }
                for text in [&c.from, &c.to] {
                    // `'None'` is a value Django writes (SESSION_COOKIE_SAMESITE);
                    // a bare None is Rust's.
                    let bare = text.replace("'None'", "");
                    for bad in ["Some(", "None", "[\""] {
                        assert!(!bare.contains(bad), "{}: {}: {c:?}", p.id, f.title);
                    }
                }
            }
        }
    }
}

/// Choosing an older Rails brings `load_defaults` along (the app "never
/// started" before); a `load_defaults` set apart from the version stays.
#[test]
fn rails_version_change_adjusts_load_defaults() {
    use crumbtrail_engine::server::rails::{LoadDefaults, RailsVersion};
    let mut app = article::app(article::refined_cors(), article::simple_session());
    app.version = RailsVersion::V8;
    app.load_defaults = LoadDefaults::V8_0;
    app.set_version(RailsVersion::V7_1);
    assert_eq!(app.load_defaults, LoadDefaults::V7_1);
    let s = Scenario {
        server: ServerSetup::Rails(app.clone()),
        ..Scenario::default()
    };
    assert!(
        simulate(&s).requests.iter().all(|r| r.request_sent),
        "it boots"
    );
    app.load_defaults = LoadDefaults::V6_1;
    app.set_version(RailsVersion::V8);
    assert_eq!(
        app.load_defaults,
        LoadDefaults::V6_1,
        "an older load_defaults stays"
    );
}
