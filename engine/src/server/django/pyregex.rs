//! Python's `re.match(pattern, text)` for the patterns people put in
//! `CORS_ALLOWED_ORIGIN_REGEXES` and `CORS_URLS_REGEX`, run by the engine's
//! backtracking matcher (the one rack-cors' Ruby regexps use). Python and
//! Ruby agree on the syntax of that subset except for anchors and named
//! groups, which are rewritten: `^` is `\A` (no MULTILINE), `$` is `\Z`
//! (the end, or before a final newline), Python's `\Z` is Ruby's `\z`, and
//! `(?P<name>` is `(?<name>`. `re.match` anchors at the start only.

use crate::server::rack_cors::regexp::{Regexp, RegexpError};

/// A compiled Python pattern, anchored as `re.match` anchors it.
#[derive(Clone, Debug)]
pub struct PyRegex {
    re: Regexp,
    pub source: String,
}

impl PyRegex {
    pub fn new(pattern: &str) -> Result<PyRegex, RegexpError> {
        let mut out = String::from(r"\A(?:");
        let chars: Vec<char> = pattern.chars().collect();
        let mut i = 0;
        let mut in_class = false;
        while i < chars.len() {
            let c = chars[i];
            match c {
                '\\' => {
                    let next = chars.get(i + 1).copied();
                    match next {
                        Some('Z') if !in_class => out.push_str(r"\z"),
                        Some(n) => {
                            out.push('\\');
                            out.push(n);
                        }
                        None => {
                            return Err(RegexpError {
                                at: i,
                                message: "bad escape (end of pattern)".into(),
                            })
                        }
                    }
                    i += 2;
                    continue;
                }
                '[' if !in_class => {
                    in_class = true;
                    out.push('[');
                    // `[]` and `[^]` start with a literal `]` in Python.
                    if chars.get(i + 1) == Some(&'^') {
                        out.push('^');
                        i += 1;
                    }
                    if chars.get(i + 1) == Some(&']') {
                        out.push_str(r"\]");
                        i += 1;
                    }
                }
                ']' if in_class => {
                    in_class = false;
                    out.push(']');
                }
                '^' if !in_class => out.push_str(r"\A"),
                '$' if !in_class => out.push_str(r"\Z"),
                '(' if !in_class && chars.get(i + 1) == Some(&'?') => {
                    if chars.get(i + 2) == Some(&'P') && chars.get(i + 3) == Some(&'<') {
                        out.push_str("(?<");
                        i += 4;
                        continue;
                    }
                    match chars.get(i + 2) {
                        Some(':') | Some('<') => out.push('('),
                        _ => {
                            return Err(RegexpError {
                                at: i,
                                message:
                                    "only (?:…) and (?P<name>…) groups are supported by Crumbtrail"
                                        .into(),
                            })
                        }
                    }
                }
                c => out.push(c),
            }
            i += 1;
        }
        out.push(')');
        Ok(PyRegex {
            re: Regexp::new(&out, "")?,
            source: pattern.to_string(),
        })
    }

    /// `re.match(pattern, text)` is truthy (a pattern that runs out of the
    /// matcher's step budget counts as no match).
    pub fn matches(&self, text: &str) -> bool {
        self.re.is_match(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, t: &str) -> bool {
        PyRegex::new(p).unwrap().matches(t)
    }

    #[test]
    fn match_is_anchored_at_the_start_only() {
        assert!(m(
            r"https://\w+\.example\.com",
            "https://app.example.com.evil.net"
        ));
        assert!(!m(r"example\.com", "https://example.com"));
        assert!(m(r"^https://\w+\.example\.com$", "https://app.example.com"));
        assert!(!m(
            r"^https://\w+\.example\.com$",
            "https://app.example.com.evil.net"
        ));
        assert!(m(r"^/api/.*$", "/api/login/"));
        assert!(!m(r"^/api/.*$", "/admin/"));
        assert!(m(r"^.*$", "/"));
    }

    #[test]
    fn dollar_allows_a_final_newline_and_backslash_z_does_not() {
        assert!(m(r"a$", "a\n"));
        assert!(!m(r"a\Z", "a\n"));
        assert!(m(r"a\Z", "a"));
    }

    #[test]
    fn named_groups_and_classes() {
        assert!(m(
            r"^http://(?P<h>localhost|127\.0\.0\.1):\d+$",
            "http://localhost:5173"
        ));
        assert!(m(r"^[]a]+$", "]a"));
        assert!(m(r"^[$^]+$", "$^"));
        assert!(PyRegex::new(r"(?i)abc").is_err());
        assert!(PyRegex::new(r"(abc").is_err());
    }
}
