//! Privacy and sharing: secrets never reach a permalink or the Markdown
//! export, the page is told what was replaced, redaction changes no
//! decision, the Markdown export holds what a question needs, and the CLI
//! prints the permalink first.

use std::io::Write;
use std::process::{Command, Stdio};

use crumbtrail_engine::import::{self, markdown, redact};
use crumbtrail_engine::permalink::{decode, encode, View};
use crumbtrail_engine::scenario::{JarCookie, RawRoute, ServerSetup};
use crumbtrail_engine::{presets, simulate};

const FIXTURE: &str = include_str!("data/import/hand-chrome-h2.har");

/// Every secret in the fixture, and the ones the test adds.
const SECRETS: [&str; 6] = [
    "s3cr3t",
    "eyJhbGciOiJIUzI1NiJ9",
    "abc123",
    "hunter2",
    "old1",
    "dark",
];

fn with_more_secrets() -> String {
    FIXTURE
        .replace(
            "{ \"name\": \"x-requested-with\", \"value\": \"XMLHttpRequest\" }",
            "{ \"name\": \"x-requested-with\", \"value\": \"XMLHttpRequest\" }, { \"name\": \"X-CSRF-Token\", \"value\": \"csrf-secret-9\" }",
        )
        .replace("https://api.example.test/me?token=abc123", "https://ada:pa55word@api.example.test/me?token=abc123&page=2")
}

#[test]
fn no_secret_reaches_the_permalink_or_the_markdown() {
    let text = with_more_secrets();
    let imported = import::import(&text).unwrap();
    let q = encode(&imported.scenario, &View::default());
    let trace = simulate(&imported.scenario);
    let md = markdown::export(
        &imported.scenario,
        &trace,
        &format!("http://localhost:8080/?{q}"),
        &imported.redactions,
    );
    let json = serde_json::to_string(&imported.scenario).unwrap();
    for secret in SECRETS.iter().chain(&["csrf-secret-9", "pa55word"]) {
        assert!(text.contains(secret), "the fixture holds {secret}");
        for (what, out) in [("permalink", &q), ("markdown", &md), ("scenario", &json)] {
            assert!(
                !out.contains(secret),
                "{secret} leaked into the {what}:\n{out}"
            );
        }
    }
    // Non-secret parts stay: cookie names, the header names, other parameters.
    assert!(q.contains("page%3D2") || q.contains("page=2"), "{q}");
    for kept in [
        "session",
        "prefs",
        "tracking",
        "authorization",
        "X-CSRF-Token",
    ] {
        assert!(q.contains(kept), "{kept} missing from {q}");
    }
    // The page says what it replaced.
    let said = imported.redactions.join("\n");
    for what in [
        "`authorization`",
        "`X-CSRF-Token`",
        "cookie `session`",
        "cookie `tracking`",
        "`token` query parameter",
        "password in the URL",
        "bodies",
    ] {
        assert!(said.contains(what), "{what} not listed in:\n{said}");
    }
    assert!(md.contains("Replaced by placeholders"), "{md}");
}

#[test]
fn the_same_secret_gets_the_same_placeholder_and_no_decision_changes() {
    for preset in presets::all() {
        let mut s = preset.scenario.clone();
        // Put secrets everywhere a scenario holds them.
        s.requests[0].headers = format!(
            "{}\nAuthorization: Bearer tok-1\nX-Api-Key: k-2",
            s.requests[0].headers
        );
        s.requests[1].url = format!("{}?access_token=tok-1&x=1", s.requests[1].url);
        s.jar_at_start.push(JarCookie {
            name: "pre".into(),
            value: "v-3".into(),
            domain: "localhost".into(),
            ..JarCookie::default()
        });
        let before = simulate(&s);
        let mut redacted = s.clone();
        let notes = redact::redact(&mut redacted);
        assert!(notes.len() >= 3, "{notes:?}");
        let q = encode(&redacted, &View::default());
        for secret in ["tok-1", "k-2", "v-3"] {
            assert!(!q.contains(secret), "{}: {secret} in {q}", preset.id);
        }
        // tok-1 is in a header and in a URL: one placeholder for both.
        let h = &redacted.requests[0].headers;
        let placeholder = h
            .split("Bearer ")
            .nth(1)
            .and_then(|r| r.split('\n').next())
            .unwrap_or_default();
        assert!(placeholder.starts_with("redacted"), "{h}");
        assert!(
            redacted.requests[1]
                .url
                .contains(&format!("access_token={placeholder}&x=1")),
            "{}",
            redacted.requests[1].url
        );
        let after = simulate(&redacted);
        assert_eq!(before.verdict, after.verdict, "{}", preset.id);
        for (a, b) in before.requests.iter().zip(&after.requests) {
            assert_eq!(
                (a.js_result, a.preflight, a.status),
                (b.js_result, b.preflight, b.status),
                "{}",
                preset.id
            );
            assert_eq!(a.cookies_sent, b.cookies_sent, "{}", preset.id);
            assert_eq!(a.cookies_stored, b.cookies_stored, "{}", preset.id);
        }
    }
}

#[test]
fn a_cookie_too_large_stays_too_large() {
    let mut s = presets::by_id("article-refined").unwrap().scenario;
    s.server = ServerSetup::Raw(Default::default());
    if let ServerSetup::Raw(raw) = &mut s.server {
        raw.routes.push(RawRoute {
            method: "*".into(),
            path: "*".into(),
            preflight: crumbtrail_engine::scenario::RawResponse {
                status: 204,
                headers: "Access-Control-Allow-Origin: http://localhost:3000\nAccess-Control-Allow-Credentials: true\nAccess-Control-Allow-Headers: content-type".into(),
            },
            response: crumbtrail_engine::scenario::RawResponse {
                status: 200,
                headers: format!(
                    "Access-Control-Allow-Origin: http://localhost:3000\nAccess-Control-Allow-Credentials: true\nSet-Cookie: big={}\nSet-Cookie: small=1",
                    "x".repeat(4094)
                ),
            },
            ..RawRoute::default()
        });
    }
    let before = simulate(&s);
    let mut r = s.clone();
    redact::redact(&mut r);
    let after = simulate(&r);
    assert_eq!(before.requests[0].cookies_stored, vec!["small"]);
    assert_eq!(after.requests[0].cookies_stored, vec!["small"]);
    assert_eq!(
        after.requests[0].cookies_rejected,
        before.requests[0].cookies_rejected
    );
}

#[test]
fn markdown_holds_what_a_question_needs() {
    let p = presets::by_id("article-problematic").unwrap();
    let trace = simulate(&p.scenario);
    let link = format!(
        "http://localhost:8080/?{}",
        encode(&p.scenario, &View::default())
    );
    let md = markdown::export(&p.scenario, &trace, &link, &[]);
    assert!(md.starts_with("### "), "{md}");
    for part in [
        "**Setup**",
        "- Page: `http://localhost:3000/`",
        "| 1 | `POST http://localhost:3001/login` |",
        "**Verdict:** the setup fails.",
        "**Failing step (request 1):**",
        "Spec: [Fetch",
        "https://fetch.spec.whatwg.org/",
        "**Fix first**",
        "config/initializers/cors.rb",
        "origins '*'",
        &format!("[Open this setup in Crumbtrail]({link})"),
    ] {
        assert!(md.contains(part), "{part:?} missing from:\n{md}");
    }
    assert!(!md.contains("Replaced by placeholders"));

    // Imported: a raw server, and the list of what was replaced.
    let imported = import::import(FIXTURE).unwrap();
    let t = simulate(&imported.scenario);
    let md = markdown::export(&imported.scenario, &t, "http://x/", &imported.redactions);
    assert!(md.contains("<summary>Server answers</summary>"), "{md}");
    assert!(md.contains("POST /login"), "{md}");
    assert!(
        md.contains("Cookies already in the jar: `tracking`"),
        "{md}"
    );
    // Backticks inside values do not break code spans.
    let mut s = p.scenario.clone();
    s.requests[0].url = "http://localhost:3001/a`b".into();
    let md = markdown::export(&s, &simulate(&s), "http://x/", &[]);
    assert!(md.contains("`` POST http://localhost:3001/a`b ``"), "{md}");
}

#[test]
fn the_cli_prints_the_permalink_first() {
    let bin = env!("CARGO_BIN_EXE_crumbtrail");
    let file = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/import/hand-chrome-h2.har"
    );
    let out = Command::new(bin).args(["import", file]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let first = text.lines().next().unwrap();
    assert!(first.starts_with("http://localhost:8080/?v=1&"), "{first}");
    let d = decode(first);
    assert!(d.notices.is_empty(), "{:?}", d.notices);
    assert_eq!(d.scenario, import::import(FIXTURE).unwrap().scenario);
    assert!(text.contains("Recorded vs simulated"), "{text}");
    assert!(text.contains("Assumed"), "{text}");

    // `-` reads standard input; --json puts JSON after the link.
    let mut child = Command::new(bin)
        .args(["import", "-", "--json"])
        .env("CRUMBTRAIL_BASE", "https://example.test/ct/")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"curl 'http://localhost:3001/me' -H 'Origin: http://localhost:3000'")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let (link, json) = text.split_once('\n').unwrap();
    assert!(link.starts_with("https://example.test/ct/?v=1&"), "{link}");
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    assert_eq!(v["import"]["format"], "curl");
    assert!(v["trace"]["headline"].is_string());

    // A bad file: one message, exit code 2, nothing on standard output.
    let mut child = Command::new(bin)
        .args(["import", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"{ not json")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("not a HAR file"), "{err}");
}
