//! Header lists as they travel on the wire: ordered, names case-insensitive,
//! a name may repeat. Parsing of user-typed `Name: value` lines lives here.

use serde::{Deserialize, Serialize};

/// An ordered list of header lines.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeaderList(pub Vec<(String, String)>);

/// A header line that could not be read, with its 1-based line number.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeaderLineError {
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for HeaderLineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// RFC 9110 §5.6.2 `token` characters, the only ones allowed in a header name.
pub fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(
                    b,
                    b'!' | b'#'
                        | b'$'
                        | b'%'
                        | b'&'
                        | b'\''
                        | b'*'
                        | b'+'
                        | b'-'
                        | b'.'
                        | b'^'
                        | b'_'
                        | b'`'
                        | b'|'
                        | b'~'
                )
        })
}

/// A control character that RFC 9110 §5.5 does not allow in a field value: U+0000–U+001F
/// except HTAB, and DEL.
pub fn is_forbidden_control(c: char) -> bool {
    (c.is_ascii_control() && c != '\t') || c == '\u{7f}'
}

/// `U+000B (vertical tab)`, for messages.
pub fn describe_control(c: char) -> String {
    let name = match c {
        '\0' => " (NUL)",
        '\u{8}' => " (backspace)",
        '\n' => " (line feed)",
        '\u{b}' => " (vertical tab)",
        '\u{c}' => " (form feed)",
        '\r' => " (carriage return)",
        '\u{1b}' => " (escape, ESC)",
        '\u{7f}' => " (delete, DEL)",
        _ => "",
    };
    format!("U+{:04X}{name}", c as u32)
}

// Header-name comparisons made by lookups, counted in tests to check that
// the work grows with the number of header lines, not with its square.
#[cfg(test)]
thread_local! {
    static NAME_COMPARISONS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

#[inline]
fn count_comparisons(n: usize) {
    #[cfg(test)]
    NAME_COMPARISONS.with(|c| c.set(c.get() + n as u64));
    let _ = n;
}

/// Header-name comparisons made on this thread so far (tests only).
#[cfg(test)]
pub(crate) fn name_comparisons() -> u64 {
    NAME_COMPARISONS.with(|c| c.get())
}

/// A set of header names, case-insensitive, for asking many times whether a
/// name is in a long list (`Access-Control-Allow-Headers`, a preflight cache
/// entry) in logarithmic time.
#[derive(Clone, Debug, Default)]
pub struct NameSet(Vec<String>);

impl NameSet {
    pub fn new<'a>(names: impl IntoIterator<Item = &'a str>) -> Self {
        let mut v: Vec<String> = names.into_iter().map(str::to_ascii_lowercase).collect();
        v.sort_unstable();
        v.dedup();
        NameSet(v)
    }

    /// True if `name` (any case) is in the set.
    pub fn contains(&self, name: &str) -> bool {
        count_comparisons(self.0.len());
        count_comparisons(1 + self.0.len().max(1).ilog2() as usize);
        let found = if name.bytes().any(|b| b.is_ascii_uppercase()) {
            self.0.binary_search(&name.to_ascii_lowercase())
        } else {
            self.0.binary_search_by(|n| n.as_str().cmp(name))
        };
        found.is_ok()
    }
}

impl HeaderList {
    pub fn new() -> Self {
        HeaderList(Vec::new())
    }

    /// Reads `Name: value` lines. Blank lines are skipped. A line without a
    /// colon, with an invalid name, or with a NUL/CR/LF in the value is an error
    /// naming the line; the other lines are still returned in `Ok` only when
    /// there is no error at all.
    pub fn parse_lines(text: &str) -> Result<HeaderList, HeaderLineError> {
        Self::parse(text, false)
    }

    /// Reads `Name: value` lines a server sends: [`parse_lines`](Self::parse_lines), and
    /// also refuses any other control character in a value (VT, ESC, DEL…; HTAB is
    /// allowed). RFC 9110 §5.5 allows only visible characters, spaces and tabs in a field
    /// value, and an HTTP server cannot send anything else, so a simulated server must not
    /// send it either.
    pub fn parse_response_lines(text: &str) -> Result<HeaderList, HeaderLineError> {
        Self::parse(text, true)
    }

    fn parse(text: &str, server: bool) -> Result<HeaderList, HeaderLineError> {
        let mut list = HeaderList::new();
        for (i, raw) in text.split('\n').enumerate() {
            let line = raw.strip_suffix('\r').unwrap_or(raw);
            if line.trim().is_empty() {
                continue;
            }
            let Some((name, value)) = line.split_once(':') else {
                return Err(HeaderLineError {
                    line: i + 1,
                    message: format!("`{line}` has no `:` between the name and the value"),
                });
            };
            let name = name.trim();
            if !is_token(name) {
                return Err(HeaderLineError {
                    line: i + 1,
                    message: format!("`{name}` is not a valid header name"),
                });
            }
            // Fetch §2.2.1: a header value has no leading or trailing HTTP whitespace
            // and no NUL, CR or LF.
            let value = value.trim_matches([' ', '\t']);
            if value.bytes().any(|b| b == 0 || b == b'\r' || b == b'\n') {
                return Err(HeaderLineError {
                    line: i + 1,
                    message: format!("the value of `{name}` contains a NUL or line break"),
                });
            }
            if let Some(c) = value.chars().find(|&c| server && is_forbidden_control(c)) {
                return Err(HeaderLineError {
                    line: i + 1,
                    message: format!(
                        "the value of `{name}` contains the control character {}; an HTTP \
                         server cannot send it (RFC 9110 §5.5 allows only visible characters, \
                         spaces and tabs in a field value)",
                        describe_control(c)
                    ),
                });
            }
            list.push(name, value);
        }
        Ok(list)
    }

    pub fn push(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.0.push((name.into(), value.into()));
    }

    /// True if a header with this name (case-insensitive) is present.
    pub fn contains(&self, name: &str) -> bool {
        count_comparisons(self.0.len());
        self.0.iter().any(|(n, _)| n.eq_ignore_ascii_case(name))
    }

    /// All values of `name`, in order.
    pub fn get_all(&self, name: &str) -> Vec<&str> {
        count_comparisons(self.0.len());
        self.0
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// Fetch §2.2.2 "get": the values of `name` combined with `, `, or `None`.
    pub fn get(&self, name: &str) -> Option<String> {
        let all = self.get_all(name);
        if all.is_empty() {
            None
        } else {
            Some(all.join(", "))
        }
    }

    /// Removes every header named `name`.
    pub fn remove(&mut self, name: &str) {
        count_comparisons(self.0.len());
        self.0.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
    }

    /// Replaces every header named `name` with one line.
    pub fn set(&mut self, name: &str, value: impl Into<String>) {
        count_comparisons(self.0.len());
        let value = value.into();
        if let Some(pos) = self
            .0
            .iter()
            .position(|(n, _)| n.eq_ignore_ascii_case(name))
        {
            self.0[pos].1 = value;
            let mut i = 0;
            self.0.retain(|(n, _)| {
                i += 1;
                i - 1 == pos || !n.eq_ignore_ascii_case(name)
            });
        } else {
            self.push(name, value);
        }
    }

    /// Back to `Name: value` lines.
    pub fn to_lines(&self) -> String {
        self.0
            .iter()
            .map(|(n, v)| format!("{n}: {v}"))
            .collect::<Vec<_>>()
            .join("\n")
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_lines_and_combines_repeats() {
        let h = HeaderList::parse_lines(
            "Access-Control-Allow-Origin: *\r\naccess-control-allow-origin: http://a\n\nVary: Origin",
        )
        .unwrap();
        assert_eq!(
            h.get("ACCESS-CONTROL-ALLOW-ORIGIN").as_deref(),
            Some("*, http://a")
        );
        assert_eq!(h.get_all("vary"), vec!["Origin"]);
        assert_eq!(h.get("x"), None);
    }

    #[test]
    fn reports_the_bad_line() {
        let e = HeaderList::parse_lines("A: b\nno colon here").unwrap_err();
        assert_eq!(e.line, 2);
        let e = HeaderList::parse_lines("Bad Name: x").unwrap_err();
        assert_eq!(e.line, 1);
    }

    /// A request with n custom header lines (each needs a preflight, and the
    /// second request is checked against the preflight cache) costs a number
    /// of header-name comparisons that grows like n log n, not n².
    #[test]
    fn many_header_lines_cost_near_linear_work() {
        let comparisons = |n: usize| {
            let lines: Vec<String> = (0..n).map(|i| format!("X-H{i}: v")).collect();
            let h = lines.join("%0A");
            let s = crate::permalink::decode(&format!("v=1&r1.h={h}&r2.h={h}")).scenario;
            let before = name_comparisons();
            let t = crate::simulate(&s);
            assert_eq!(t.requests.len(), 2);
            name_comparisons() - before
        };
        let (small, large) = (comparisons(500), comparisons(2000));
        assert!(
            large <= 6 * small,
            "4x the header lines cost {large} name comparisons against {small}"
        );
    }

    #[test]
    fn name_set_is_case_insensitive() {
        let set = NameSet::new(["X-Token", "accept"]);
        assert!(set.contains("x-token"));
        assert!(set.contains("ACCEPT"));
        assert!(!set.contains("x-other"));
        assert!(!NameSet::default().contains("a"));
    }

    #[test]
    fn a_server_cannot_send_control_characters() {
        // A browser may send VT in a request header (Fetch allows it); a server line may not.
        for (text, named) in [
            ("A: 1\nX-Vt: a\u{b}b", "U+000B (vertical tab)"),
            ("X-Esc: \u{1b}[31m", "U+001B (escape, ESC)"),
            ("X-Del: a\u{7f}", "U+007F (delete, DEL)"),
            ("X-Bell: \u{7}", "U+0007"),
        ] {
            assert!(HeaderList::parse_lines(text).is_ok(), "{text:?}");
            let e = HeaderList::parse_response_lines(text).unwrap_err();
            assert!(e.message.contains(named), "{e}");
            assert!(e.message.contains("`X-"), "{e}");
        }
        assert_eq!(
            HeaderList::parse_response_lines("A: 1\nX-Vt: a\u{b}b")
                .unwrap_err()
                .line,
            2
        );
        // HTAB, spaces and obs-text stay allowed.
        let h = HeaderList::parse_response_lines("X-Tab: a\tb c\nX-Utf8: caf\u{e9}").unwrap();
        assert_eq!(h.get("x-tab").as_deref(), Some("a\tb c"));
    }

    #[test]
    fn set_replaces_all() {
        let mut h = HeaderList::parse_lines("A: 1\nB: 2\na: 3").unwrap();
        h.set("a", "9");
        assert_eq!(h.to_lines(), "A: 9\nB: 2");
    }
}
