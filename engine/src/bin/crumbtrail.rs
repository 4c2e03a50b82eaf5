//! `crumbtrail explain <permalink URL | query | scenario.json> [--json]`
//! `crumbtrail import <FILE | -> [--json]`
//!
//! `explain` prints the engine's trace for a scenario: as readable text, or
//! as JSON with `--json`. Docs authors use it to check their example links.
//!
//! `import` reads a HAR file, copied request/response headers, or a request
//! copied as cURL or as fetch (`-`: standard input), rebuilds the scenario
//! (secrets replaced by placeholders) and prints its permalink on the first
//! line, then the explanation: what was assumed, the recording next to the
//! simulation, and the trace. The link's base is `$CRUMBTRAIL_BASE`, by
//! default `http://localhost:8080/` (`./dev serve`). Nothing is sent anywhere.

use std::io::Read;
use std::process::ExitCode;

use crumbtrail_engine::import::{self, Imported};
use crumbtrail_engine::live::Comparison;
use crumbtrail_engine::permalink::{self, View};
use crumbtrail_engine::trace::{Trace, Verdict};
use crumbtrail_engine::{simulate, Scenario};

const USAGE: &str = "usage: crumbtrail explain <permalink URL | query string | scenario.json> [--json]\n       crumbtrail import <HAR, headers, cURL or fetch file | -> [--json]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let json = args.iter().any(|a| a == "--json");
    let rest: Vec<&String> = args.iter().filter(|a| *a != "--json").collect();
    let input = match rest.as_slice() {
        [cmd, input] if cmd.as_str() == "explain" => input.as_str(),
        [cmd, input] if cmd.as_str() == "import" => return run_import(input, json),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let scenario = match load(input) {
        Ok(s) => s,
        Err(message) => {
            eprintln!("crumbtrail: {message}");
            return ExitCode::from(2);
        }
    };
    let trace = simulate(&scenario);
    if json {
        match serde_json::to_string_pretty(&trace) {
            Ok(text) => println!("{text}"),
            Err(e) => {
                eprintln!("crumbtrail: could not write JSON: {e}");
                return ExitCode::from(1);
            }
        }
    } else {
        print!("{}", render(&trace));
    }
    if trace.field_errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        for e in &trace.field_errors {
            eprintln!("crumbtrail: field `{}`: {}", e.field, e.message);
        }
        ExitCode::from(1)
    }
}

/// A file (JSON scenario) when it exists, otherwise a permalink.
fn load(input: &str) -> Result<Scenario, String> {
    if input.ends_with(".json") || std::path::Path::new(input).is_file() {
        let text =
            std::fs::read_to_string(input).map_err(|e| format!("cannot read {input}: {e}"))?;
        return serde_json::from_str(&text)
            .map_err(|e| format!("{input}: line {}, column {}: {e}", e.line(), e.column()));
    }
    let decoded = permalink::decode(input);
    if !decoded.notices.is_empty() {
        return Err(format!(
            "the link has problems:\n  {}",
            decoded.notices.join("\n  ")
        ));
    }
    Ok(decoded.scenario)
}

fn mark(v: Verdict) -> &'static str {
    match v {
        Verdict::Ok => "ok     ",
        Verdict::Warning => "warning",
        Verdict::Blocked => "BLOCKED",
    }
}

fn render(trace: &Trace) -> String {
    let mut out = format!("{}\n\n", trace.headline);
    for r in &trace.requests {
        out += &format!(
            "Request {}: {} {}\n  preflight: {:?}, sent: {}, page sees: {:?}{}\n  cookies sent: [{}]  stored: [{}]  rejected: [{}]\n",
            r.index + 1,
            r.method,
            r.url,
            r.preflight,
            r.request_sent,
            r.js_result,
            r.status.map(|s| format!(" ({s})")).unwrap_or_default(),
            r.cookies_sent.join(", "),
            r.cookies_stored.join(", "),
            r.cookies_rejected
                .iter()
                .map(|c| format!("{} ({:?})", c.name, c.reason))
                .collect::<Vec<_>>()
                .join(", "),
        );
    }
    if !trace.root_causes.is_empty() {
        out += "\nFix first:\n";
        for (i, c) in trace.root_causes.iter().enumerate() {
            out += &format!("  {}. {}\n", i + 1, c.summary);
        }
    }
    out += "\nSteps:\n";
    for s in &trace.steps {
        let req = s
            .request
            .map(|i| format!("#{}", i + 1))
            .unwrap_or_else(|| "  ".into());
        out += &format!("[{}] {req} {:?}: {}\n", mark(s.verdict), s.reason, s.title);
        out += &format!("          {}\n", s.explanation);
        for v in &s.values {
            out += &format!("          {}: {}\n", v.label, v.value);
        }
        out += &format!("          ({} — {})\n", s.spec.label, s.spec.url);
    }
    out
}

/// `crumbtrail import`: the permalink, then the explanation.
fn run_import(input: &str, json: bool) -> ExitCode {
    let text = if input == "-" {
        let mut buf = String::new();
        if let Err(e) = std::io::stdin().read_to_string(&mut buf) {
            eprintln!("crumbtrail: cannot read standard input: {e}");
            return ExitCode::from(2);
        }
        buf
    } else {
        match std::fs::read(input) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(e) => {
                eprintln!("crumbtrail: cannot read {input}: {e}");
                return ExitCode::from(2);
            }
        }
    };
    let imported = match import::import(&text) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("crumbtrail: {e}");
            return ExitCode::from(2);
        }
    };
    let base = std::env::var("CRUMBTRAIL_BASE").unwrap_or_else(|_| "http://localhost:8080/".into());
    println!(
        "{base}?{}",
        permalink::encode(&imported.scenario, &View::default())
    );
    let trace = simulate(&imported.scenario);
    let rows = import::compare(&trace, &imported);
    if json {
        let out = serde_json::json!({ "import": &imported, "comparison": &rows, "trace": &trace });
        match serde_json::to_string_pretty(&out) {
            Ok(text) => println!("{text}"),
            Err(e) => {
                eprintln!("crumbtrail: could not write JSON: {e}");
                return ExitCode::from(1);
            }
        }
    } else {
        print!("{}", render_import(&imported, &rows));
        print!("{}", render(&trace));
    }
    ExitCode::SUCCESS
}

fn render_import(imported: &Imported, rows: &[Comparison]) -> String {
    let mut out = format!(
        "\nImported from {}: {} of {} requests.\n",
        imported.format.label(),
        imported.selected.len(),
        imported.candidates.len()
    );
    for n in &imported.notices {
        out += &format!("  note: {n}\n");
    }
    if !imported.assumptions.is_empty() {
        out += "\nAssumed (the recording does not show it):\n";
        for a in &imported.assumptions {
            out += &format!("  {} = {}: {}\n", a.field, a.value, a.why);
        }
    }
    if !rows.is_empty() {
        let agree = rows.iter().filter(|r| r.agree).count();
        out += &format!("\nRecorded vs simulated: {agree} of {} agree\n", rows.len());
        for r in rows {
            out += &format!(
                "  {} request {} {}: simulated {}, recorded {}\n",
                if r.agree { "ok  " } else { "DIFF" },
                r.request + 1,
                r.outcome.label(),
                r.simulated,
                r.observed
            );
            if let Some(e) = r.explanation.as_ref().filter(|_| !r.agree) {
                out += &format!("         {e}\n");
            }
        }
    }
    out += &format!("\nRedacted: {}.\n\n", imported.redactions.join("; "));
    out
}
