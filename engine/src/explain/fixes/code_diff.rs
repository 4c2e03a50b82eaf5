//! The lines of generated code a fix changes: the settings as code
//! (cors.rb, the session store, the app, each client call, a raw server's
//! header lines) before and after, compared line by line (a longest common
//! subsequence), so the fix shows the exact lines to edit in the user's files.

use crate::codegen;
use crate::scenario::{Scenario, ServerSetup};

/// One line of a change: removed, added, or unchanged context before a change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum LineChange {
    Removed,
    Added,
    Context,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct DiffLine {
    pub change: LineChange,
    pub text: String,
}

/// The changed lines of one file (named as the "As code" panel names it).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct FileDiff {
    pub file: String,
    pub lines: Vec<DiffLine>,
}

/// Above this many lines per side a file is not compared (shown whole instead).
const MAX_LINES: usize = 400;

/// Every file whose generated code differs between `before` and `after`.
pub fn code_changes(before: &Scenario, after: &Scenario) -> Vec<FileDiff> {
    let a = files(before);
    let b = files(after);
    let mut out = Vec::new();
    for (name, new) in &b {
        let old = a
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, c)| c.as_str())
            .unwrap_or("");
        if old != new {
            out.push(FileDiff {
                file: name.clone(),
                lines: diff_lines(old, new),
            });
        }
    }
    out
}

/// The scenario's settings as named code files.
fn files(s: &Scenario) -> Vec<(String, String)> {
    let mut out = Vec::new();
    match &s.server {
        ServerSetup::Raw(raw) => {
            for (i, r) in raw.routes.iter().enumerate() {
                out.push((
                    format!("Route {} preflight headers", i + 1),
                    r.preflight.headers.clone(),
                ));
                out.push((
                    format!("Route {} response headers", i + 1),
                    r.response.headers.clone(),
                ));
            }
        }
        // Any framework: the files its stack generates (cors.rb, app.js, settings.py…).
        other => {
            for f in other.stack().code() {
                out.push((f.title.to_string(), f.generated.code));
            }
        }
    }
    for i in 0..s.requests.len() {
        out.push((
            format!("Client code, request {}", i + 1),
            codegen::client_code(s, i),
        ));
    }
    out
}

/// Removed and added lines, each run of changes after one line of context.
pub fn diff_lines(old: &str, new: &str) -> Vec<DiffLine> {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    let line = |change, text: &str| DiffLine {
        change,
        text: text.to_string(),
    };
    if a.len() > MAX_LINES || b.len() > MAX_LINES {
        let mut out: Vec<DiffLine> = a.iter().map(|t| line(LineChange::Removed, t)).collect();
        out.extend(b.iter().map(|t| line(LineChange::Added, t)));
        return out;
    }
    // lcs[i][j]: length of the longest common subsequence of a[i..] and b[j..].
    let mut lcs = vec![vec![0u16; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut out = Vec::new();
    let (mut i, mut j) = (0, 0);
    let mut last_same: Option<&str> = None;
    let mut context_shown = false;
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            last_same = Some(a[i]);
            context_shown = false;
            i += 1;
            j += 1;
            continue;
        }
        if !context_shown {
            if let Some(c) = last_same.filter(|c| !c.trim().is_empty()) {
                out.push(line(LineChange::Context, c));
            }
            context_shown = true;
        }
        if i < a.len() && (j == b.len() || lcs[i + 1][j] >= lcs[i][j + 1]) {
            out.push(line(LineChange::Removed, a[i]));
            i += 1;
        } else {
            out.push(line(LineChange::Added, b[j]));
            j += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_changed_lines_with_one_line_of_context() {
        let d = diff_lines("a\nb\nc\nd", "a\nb\nX\nd");
        let got: Vec<(LineChange, &str)> = d.iter().map(|l| (l.change, l.text.as_str())).collect();
        assert_eq!(
            got,
            vec![
                (LineChange::Context, "b"),
                (LineChange::Removed, "c"),
                (LineChange::Added, "X"),
            ]
        );
        assert!(diff_lines("same\n", "same\n").is_empty());
        let added = diff_lines("", "x");
        assert_eq!(
            added,
            vec![DiffLine {
                change: LineChange::Added,
                text: "x".into()
            }]
        );
    }
}
