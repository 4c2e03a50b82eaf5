//! Secrets out, before anything reaches a permalink or the Markdown export.
//!
//! Cookie values (in the jar at the start and in every `Set-Cookie`), the
//! value of `Authorization` and of headers named like tokens, keys or
//! sessions, the values of query parameters named so, and passwords in URLs
//! are replaced by placeholders (`redacted1`, `redacted2`…). The same secret
//! gets the same placeholder everywhere, so routes still match their
//! requests. None of these values changes a CORS or cookie decision; where
//! a size does (a cookie over 4096 bytes, RFC 6265bis §5.6), the placeholder
//! keeps it. Request bodies are never imported at all.

use url::Url;

use crate::scenario::{Scenario, ServerSetup};

/// Header names whose value is a secret.
const SECRET_HEADERS: [&str; 4] = [
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
];
/// Parts of a header or parameter name that mark a secret.
const SECRET_PARTS: [&str; 11] = [
    "token",
    "secret",
    "password",
    "passwd",
    "session",
    "auth",
    "signature",
    "apikey",
    "api_key",
    "api-key",
    "jwt",
];
/// Query parameter names that are secrets when they are the whole name.
const SECRET_PARAMS: [&str; 9] = [
    "code", "key", "sid", "sig", "pwd", "pass", "otp", "state", "ticket",
];

fn secret_name(name: &str, whole: &[&str]) -> bool {
    let n = name.to_ascii_lowercase();
    SECRET_HEADERS.contains(&n.as_str())
        || whole.contains(&n.as_str())
        || SECRET_PARTS.iter().any(|p| n.contains(p))
        || n.contains("csrf")
        || n.contains("xsrf")
}

/// Hands out placeholders and notes what was replaced.
struct Redactor {
    seen: Vec<(String, String)>,
    notes: Vec<String>,
}

impl Redactor {
    fn placeholder(&mut self, original: &str, min_len: usize) -> String {
        if let Some((_, p)) = self.seen.iter().find(|(o, _)| o == original) {
            return p.clone();
        }
        let mut p = format!("redacted{}", self.seen.len() + 1);
        if p.len() < min_len {
            p.push_str(&"x".repeat(min_len - p.len()));
        }
        self.seen.push((original.to_string(), p.clone()));
        p
    }

    fn note(&mut self, what: String) {
        if !self.notes.contains(&what) {
            self.notes.push(what);
        }
    }

    /// A cookie value; `name` counts for the 4096-byte limit.
    fn cookie_value(&mut self, name: &str, value: &str, place: &str) -> String {
        if value.is_empty() || value.starts_with("redacted") {
            return value.to_string();
        }
        // Keep a pair over the limit over it (and one under it under it).
        let min = if name.len() + value.len() > 4096 {
            4097 - name.len().min(4096)
        } else {
            0
        };
        self.note(format!("the value of cookie `{name}` ({place})"));
        self.placeholder(value, min)
    }

    /// A `Set-Cookie` line with its value replaced; attributes stay.
    fn set_cookie(&mut self, line: &str, place: &str) -> String {
        let (pair, attrs) = match line.find(';') {
            Some(i) => (&line[..i], &line[i..]),
            None => (line, ""),
        };
        match pair.split_once('=') {
            Some((name, value)) => {
                let v = self.cookie_value(name.trim(), value.trim(), place);
                format!("{}={v}{attrs}", name.trim())
            }
            None => line.to_string(),
        }
    }

    /// A URL with secret query values and any password replaced.
    fn url(&mut self, input: &str, place: &str) -> String {
        let (absolute, parsed) = match Url::parse(input) {
            Ok(u) => (true, u),
            Err(_) => match Url::parse("http://relative.invalid/").and_then(|b| b.join(input)) {
                Ok(u) => (false, u),
                Err(_) => return input.to_string(),
            },
        };
        let mut u = parsed.clone();
        let mut changed = false;
        if u.password().is_some_and(|p| !p.is_empty()) {
            let p = self.placeholder(u.password().unwrap_or_default(), 0);
            let _ = u.set_password(Some(&p));
            self.note(format!("the password in the URL of {place}"));
            changed = true;
        }
        let pairs: Vec<(String, String)> = parsed
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        if pairs.iter().any(|(k, v)| {
            secret_name(k, &SECRET_PARAMS) && !v.is_empty() && !v.starts_with("redacted")
        }) {
            let mut out = Vec::new();
            for (k, v) in &pairs {
                if secret_name(k, &SECRET_PARAMS) && !v.is_empty() && !v.starts_with("redacted") {
                    out.push((k.clone(), self.placeholder(v, 0)));
                    self.note(format!("the `{k}` query parameter of {place}"));
                } else {
                    out.push((k.clone(), v.clone()));
                }
            }
            u.query_pairs_mut().clear().extend_pairs(out);
            changed = true;
        }
        if !changed {
            return input.to_string();
        }
        if absolute {
            u.to_string()
        } else {
            let q = u.query().map(|q| format!("?{q}")).unwrap_or_default();
            format!("{}{q}", u.path())
        }
    }

    /// Header lines with secret values replaced.
    fn headers(&mut self, text: &str, place: &str) -> String {
        text.lines()
            .map(|line| {
                let Some((name, value)) = line.split_once(':') else {
                    return line.to_string();
                };
                let (n, v) = (name.trim(), value.trim());
                let lower = n.to_ascii_lowercase();
                if lower == "set-cookie" {
                    return format!("{n}: {}", self.set_cookie(v, place));
                }
                if lower == "location" {
                    return format!("{n}: {}", self.url(v, place));
                }
                if !secret_name(n, &[]) || v.is_empty() || v.contains("redacted") {
                    return line.to_string();
                }
                self.note(format!("the value of `{n}` ({place})"));
                // Keep the scheme of an Authorization value (`Bearer`, `Basic`).
                match v.split_once(' ') {
                    Some((scheme, rest)) if lower.ends_with("authorization") => {
                        format!("{n}: {scheme} {}", self.placeholder(rest, 0))
                    }
                    _ => format!("{n}: {}", self.placeholder(v, 0)),
                }
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// Replaces every secret of `s` by a placeholder; returns what was replaced,
/// one line each (the last one says bodies were never imported).
pub fn redact(s: &mut Scenario) -> Vec<String> {
    let mut r = Redactor {
        seen: Vec::new(),
        notes: Vec::new(),
    };
    s.page.url = r.url(&s.page.url, "the page");
    for c in s.jar_at_start.iter_mut() {
        c.value = r.cookie_value(&c.name, &c.value, "in the jar at the start");
    }
    for (i, req) in s.requests.iter_mut().enumerate() {
        let place = format!("request {}", i + 1);
        req.url = r.url(&req.url, &place);
        req.headers = r.headers(&req.headers, &place);
    }
    if let ServerSetup::Raw(raw) = &mut s.server {
        for (i, route) in raw.routes.iter_mut().enumerate() {
            let place = format!("route {}", i + 1);
            if route.path.contains('?') {
                route.path = r.url(&route.path, &place);
            }
            route.preflight.headers = r.headers(&route.preflight.headers, &place);
            route.response.headers = r.headers(&route.response.headers, &place);
        }
    }
    let mut notes = r.notes;
    notes.push("request bodies: they are never imported, only their type".into());
    notes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_secret_gets_the_same_placeholder() {
        let mut r = Redactor {
            seen: Vec::new(),
            notes: Vec::new(),
        };
        let a = r.url("https://api.test/cb?code=abc&x=1", "a");
        let b = r.url("/cb?code=abc&x=1", "b");
        assert_eq!(a, "https://api.test/cb?code=redacted1&x=1");
        assert_eq!(b, "/cb?code=redacted1&x=1");
        let long = "v".repeat(5000);
        let p = r.cookie_value("big", &long, "x");
        assert!(
            p.len() + 3 > 4096 && p.starts_with("redacted"),
            "{}",
            p.len()
        );
    }
}
