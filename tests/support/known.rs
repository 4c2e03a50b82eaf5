//! The known-differences file (`tests/live_known_differences.toml`), shared by the live
//! differential suite and the live-mode end-to-end test of the presets.
//!
//! A tiny reader for `[[difference]]` tables of `key = "value"` lines: `browser`, `case`
//! (`*` matches one segment, `prefix*` a segment starting with prefix), optional `request`,
//! `outcome` and a mandatory `reason`.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::PathBuf;

pub struct Known {
    pub browser: String,
    pub case: String,
    pub request: Option<usize>,
    pub outcome: String,
    pub reason: String,
}

/// Every entry of `tests/live_known_differences.toml`; panics on an entry without a reason.
pub fn known_differences() -> Vec<Known> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/live_known_differences.toml");
    let text = std::fs::read_to_string(&path).expect("tests/live_known_differences.toml");
    parse(&text).unwrap_or_else(|e| panic!("tests/live_known_differences.toml: {e}"))
}

pub fn parse(text: &str) -> Result<Vec<Known>, String> {
    let mut out = Vec::new();
    let mut cur: Option<BTreeMap<String, String>> = None;
    let flush =
        |cur: &mut Option<BTreeMap<String, String>>, out: &mut Vec<Known>| -> Result<(), String> {
            if let Some(m) = cur.take() {
                let get = |k: &str| m.get(k).cloned().unwrap_or_default();
                if get("reason").is_empty() {
                    return Err(format!("every known difference needs a reason: {m:?}"));
                }
                out.push(Known {
                    browser: get("browser"),
                    case: get("case"),
                    request: m.get("request").and_then(|r| r.parse().ok()),
                    outcome: get("outcome"),
                    reason: get("reason"),
                });
            }
            Ok(())
        };
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        if line == "[[difference]]" {
            flush(&mut cur, &mut out)?;
            cur = Some(BTreeMap::new());
            continue;
        }
        if let (Some(m), Some((k, v))) = (cur.as_mut(), line.split_once('=')) {
            let v = v.trim();
            let v = v
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .unwrap_or(v);
            m.insert(k.trim().to_string(), v.to_string());
        }
    }
    flush(&mut cur, &mut out)?;
    Ok(out)
}

pub fn glob(pattern: &str, name: &str) -> bool {
    let p: Vec<&str> = pattern.split('/').collect();
    let n: Vec<&str> = name.split('/').collect();
    p.len() == n.len()
        && p.iter().zip(&n).all(|(p, n)| {
            *p == "*" || *p == *n || p.strip_suffix('*').is_some_and(|pre| n.starts_with(pre))
        })
}

impl Known {
    /// True when this entry explains a disagreement of `outcome` (its label) on request
    /// `request` of case `case` in browser configuration `browser`.
    pub fn covers(&self, browser: &str, case: &str, request: usize, outcome: &str) -> bool {
        (self.browser == browser || self.browser == "*")
            && glob(&self.case, case)
            && self.request.is_none_or(|r| r == request)
            && (self.outcome == outcome || self.outcome == "*")
    }
}

#[test]
fn entries_need_a_reason_and_match_by_segment() {
    let k = parse(
        "[[difference]]\nbrowser = \"firefox\"\ncase = \"preset/local*\"\noutcome = \"*\"\nreason = \"r\"\n",
    )
    .unwrap();
    assert_eq!(k.len(), 1);
    assert!(k[0].covers("firefox", "preset/localhost-vs-127", 0, "cookies sent"));
    assert!(!k[0].covers(
        "chromium-3pc-blocked",
        "preset/localhost-vs-127",
        0,
        "status"
    ));
    assert!(!k[0].covers("firefox", "preset/article-fetch", 1, "status"));
    assert!(!k[0].covers("firefox", "preset/localhost-vs-127/x", 1, "status"));
    assert!(parse("[[difference]]\ncase = \"*\"\n").is_err());
}
