//! "Copy as Markdown": the setup, the verdict, the failing step with its
//! spec section, and the permalink, ready to paste into a GitHub issue or a
//! Stack Overflow question. Written from the scenario and its trace only;
//! an imported scenario is already redacted ([`super::redact`]), and what was
//! replaced is listed at the end.

use crate::codegen::{cors_rb, session_store_rb};
use crate::scenario::{JarSameSite, Scenario, ServerSetup};
use crate::trace::{JsResult, PreflightOutcome, Step, Trace, Verdict};

/// Text inside a Markdown code span: backticks get a longer fence.
fn code(s: &str) -> String {
    let s = s.replace(['\n', '\r'], " ");
    if s.trim().is_empty() {
        return "(empty)".into();
    }
    let longest = s.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    if longest == 0 && !s.contains('`') {
        return format!("`{s}`");
    }
    let fence = "`".repeat(longest + 1);
    format!("{fence} {s} {fence}")
}

/// Text in a table cell: no line breaks, `|` escaped.
fn cell(s: &str) -> String {
    s.replace(['\n', '\r'], " ").replace('|', "\\|")
}

/// A fenced code block whose fence is longer than any backtick run inside.
fn block(lang: &str, body: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in body.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest.max(2) + 1);
    format!("{fence}{lang}\n{}\n{fence}\n", body.trim_end())
}

fn verdict_word(v: Verdict) -> &'static str {
    match v {
        Verdict::Ok => "works",
        Verdict::Warning => "works, with warnings",
        Verdict::Blocked => "fails",
    }
}

fn setup(s: &Scenario) -> String {
    let mut out = String::from("**Setup**\n\n");
    out += &format!("- Page: {}", code(&s.page.url));
    if let Some(top) = s
        .page
        .top_level_url
        .as_deref()
        .filter(|t| !t.trim().is_empty())
    {
        out += &format!(", inside an iframe on {}", code(top));
    }
    out += &format!("\n- Browser: {}\n", s.profile.profile().name);
    match &s.server {
        ServerSetup::Raw(raw) => {
            out += &format!(
                "- Server: raw response headers, {} route(s)\n",
                raw.routes.len()
            );
        }
        ServerSetup::Rails(app) => {
            out += &format!(
                "- Server: Rails {:?}, `load_defaults` {:?}, {}{}\n",
                app.version,
                app.load_defaults,
                if app.api_only { "API-only" } else { "full app" },
                if app.force_ssl { ", `force_ssl`" } else { "" }
            );
        }
        other => out += &format!("- Server: {}\n", other.kind().label()),
    }
    if !s.jar_at_start.is_empty() {
        let list: Vec<String> = s
            .jar_at_start
            .iter()
            .map(|c| {
                let same_site = match c.same_site {
                    JarSameSite::Unspecified => "no SameSite",
                    JarSameSite::Strict => "SameSite=Strict",
                    JarSameSite::Lax => "SameSite=Lax",
                    JarSameSite::None => "SameSite=None",
                };
                format!(
                    "{} for {}{}{}, {same_site}",
                    code(&c.name),
                    code(&c.domain),
                    if c.secure { ", Secure" } else { "" },
                    if c.http_only { ", HttpOnly" } else { "" }
                )
            })
            .collect();
        out += &format!("- Cookies already in the jar: {}\n", list.join("; "));
    }
    out
}

fn requests(s: &Scenario, t: &Trace) -> String {
    let mut out = String::from(
        "\n**Requests**\n\n| # | Request | Client | Preflight | Page sees | Cookies sent | Cookies stored |\n|---|---|---|---|---|---|---|\n",
    );
    for (i, r) in s.requests.iter().enumerate() {
        let o = t.requests.iter().find(|o| o.index == i);
        let preflight = o.map_or("—", |o| match o.preflight {
            PreflightOutcome::NotNeeded => "not needed",
            PreflightOutcome::Cached => "cached",
            PreflightOutcome::Passed => "passed",
            PreflightOutcome::Failed => "**failed**",
        });
        let seen = o.map_or("—".to_string(), |o| match o.js_result {
            JsResult::Readable => format!(
                "readable{}",
                o.status.map(|s| format!(" ({s})")).unwrap_or_default()
            ),
            JsResult::Opaque => "opaque".into(),
            JsResult::NetworkError => "**network error**".into(),
            JsResult::Navigated => "navigated".into(),
            JsResult::NotSent => "not sent".into(),
        });
        let list = |v: &[String]| {
            if v.is_empty() {
                "—".to_string()
            } else {
                v.iter().map(|n| code(n)).collect::<Vec<_>>().join(", ")
            }
        };
        out += &format!(
            "| {} | {} | {} | {preflight} | {seen} | {} | {} |\n",
            i + 1,
            cell(&code(&format!("{} {}", r.method, r.url))),
            cell(&super::reconstruct::client_label(&r.client)),
            cell(&o.map(|o| list(&o.cookies_sent)).unwrap_or_default()),
            cell(&o.map(|o| list(&o.cookies_stored)).unwrap_or_default()),
        );
        if !r.headers.trim().is_empty() {
            out += &format!(
                "|   | headers: {} | | | | | |\n",
                cell(&code(&r.headers.replace('\n', "; ")))
            );
        }
    }
    out
}

fn server_code(s: &Scenario) -> String {
    match &s.server {
        ServerSetup::Raw(raw) => {
            let mut text = String::new();
            for r in &raw.routes {
                text += &format!("{} {}", r.method, r.path);
                if r.call > 0 {
                    text += &format!("  (call {} only)", r.call);
                }
                if r.reflect_origin {
                    text += "  (reflects Origin)";
                }
                if r.match_query {
                    text += "  (matches the query)";
                }
                text += &format!("\n  preflight → {}\n", r.preflight.status);
                for l in r.preflight.headers.lines() {
                    text += &format!("    {l}\n");
                }
                text += &format!("  request → {}\n", r.response.status);
                for l in r.response.headers.lines() {
                    text += &format!("    {l}\n");
                }
            }
            format!("\n<details><summary>Server answers</summary>\n\n{}\n</details>\n", block("text", &text))
        }
        ServerSetup::Rails(app) => format!(
            "\n<details><summary>config/initializers/cors.rb and session_store.rb</summary>\n\n{}\n{}\n</details>\n",
            block("ruby", &cors_rb(app)),
            block("ruby", &session_store_rb(app))
        ),
        // Any other stack: the configuration files it generates.
        other => {
            let files = other.stack().code();
            let titles: Vec<&str> = files.iter().map(|f| f.title).collect();
            let blocks: Vec<String> = files
                .iter()
                .map(|f| block(code_language(f.title), &f.generated.code))
                .collect();
            format!(
                "\n<details><summary>{}</summary>\n\n{}\n</details>\n",
                titles.join(" and "),
                blocks.join("\n")
            )
        }
    }
}

/// The fence language of a generated file, from its name.
fn code_language(title: &str) -> &'static str {
    match title.rsplit('.').next() {
        Some("py") => "python",
        Some("js") => "javascript",
        Some("rb") => "ruby",
        _ => "text",
    }
}

/// The step to show: the first one the top root cause names, else the first
/// blocked (or warning) step.
fn failing_step(t: &Trace) -> Option<&Step> {
    if let Some(c) = t.root_causes.first() {
        if let Some(s) = t
            .steps
            .iter()
            .find(|s| s.reason == c.reason && s.request == c.request)
        {
            return Some(s);
        }
    }
    t.steps
        .iter()
        .find(|s| s.verdict == Verdict::Blocked)
        .or_else(|| t.steps.iter().find(|s| s.verdict == Verdict::Warning))
}

fn step_text(s: &Step) -> String {
    let which = s
        .request
        .map(|i| format!(" (request {})", i + 1))
        .unwrap_or_default();
    let mut out = format!("\n**Failing step{which}:** {}\n\n", s.title);
    for line in s.explanation.lines() {
        out += &format!("> {line}\n");
    }
    if !s.values.is_empty() {
        out += "\n";
        for v in &s.values {
            out += &format!("- {}: {}\n", v.label, code(&v.value));
        }
    }
    out += &format!("\nSpec: [{}]({})\n", s.spec.label, s.spec.url);
    out
}

/// The whole write-up. `permalink` is the full link to the setup;
/// `redactions` lists what an import replaced by placeholders.
pub fn export(s: &Scenario, t: &Trace, permalink: &str, redactions: &[String]) -> String {
    let mut out = format!("### {}\n\n", t.headline.trim());
    out += &setup(s);
    out += &requests(s, t);
    out += &server_code(s);
    out += &format!(
        "\n**Verdict:** the setup {}. {}\n",
        verdict_word(t.verdict),
        t.headline.trim()
    );
    if let Some(step) = failing_step(t) {
        out += &step_text(step);
    }
    if !t.root_causes.is_empty() {
        out += "\n**Fix first**\n\n";
        for (i, c) in t.root_causes.iter().enumerate() {
            out += &format!("{}. {}\n", i + 1, c.summary);
        }
    }
    out += &format!("\n[Open this setup in Crumbtrail]({permalink}) — every step, with the spec section behind it.\n");
    if !redactions.is_empty() {
        out += &format!(
            "\n<sub>Replaced by placeholders before sharing: {}.</sub>\n",
            redactions.join("; ")
        );
    }
    out
}
