//! Parsing one `Set-Cookie` header value (RFC 6265bis §5.6). Parsing only:
//! whether the cookie may be stored is decided by [`crate::cookie_store`].

use serde::{Deserialize, Serialize};

use crate::cookie_date::parse_cookie_date;
use crate::trace::Reason;

/// 6265bis §5.6 step 5 / §5.7 step 4: name plus value may not exceed this.
pub const MAX_NAME_VALUE_BYTES: usize = 4096;
/// 6265bis §5.6 attribute step 6: longer attribute values are ignored.
pub const MAX_ATTRIBUTE_VALUE_BYTES: usize = 1024;

/// The `SameSite` attribute as written (6265bis §5.6.7). `Unspecified` is the
/// spec's "Default": no attribute, or a value other than the three below.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SameSiteAttr {
    #[default]
    Unspecified,
    Strict,
    Lax,
    None,
}

impl SameSiteAttr {
    /// `Strict`, `Lax`, `None` or `Unspecified`, as shown to users.
    pub fn label(self) -> &'static str {
        match self {
            SameSiteAttr::Unspecified => "Unspecified",
            SameSiteAttr::Strict => "Strict",
            SameSiteAttr::Lax => "Lax",
            SameSiteAttr::None => "None",
        }
    }
}

/// A parsed `Set-Cookie` line: the name, the value and the last occurrence
/// of each attribute ("last wins", 6265bis §5.7 steps 6–17).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParsedSetCookie {
    pub name: String,
    /// Kept as written: quotes are part of the value.
    pub value: String,
    /// Last valid `Expires`, seconds since the Unix epoch (not yet capped).
    pub expires: Option<i64>,
    /// Last valid `Max-Age`, in delta-seconds (not yet capped; ≤ 0 deletes).
    pub max_age: Option<i64>,
    /// Last `Domain`: lower-cased, one leading `.` removed; `Some("")` if empty.
    pub domain: Option<String>,
    /// Last `Path` value as written. Empty or not starting with `/` means
    /// "the default-path" (6265bis §5.6.4); the store resolves it.
    pub path: Option<String>,
    pub secure: bool,
    pub http_only: bool,
    pub same_site: SameSiteAttr,
    /// `Partitioned` (CHIPS).
    pub partitioned: bool,
    /// Attributes that were ignored, e.g. `WarnAttributeValueExceedsMaxSize`,
    /// `WarnExpiresInvalid`.
    pub warnings: Vec<Reason>,
}

/// 6265bis §5.6: WSP is space or horizontal tab.
fn trim_wsp(s: &str) -> &str {
    s.trim_matches([' ', '\t'])
}

/// CTL characters other than HTAB: `%x00-08 / %x0A-1F / %x7F`.
pub fn is_disallowed_ctl(c: char) -> bool {
    matches!(c, '\u{00}'..='\u{08}' | '\u{0A}'..='\u{1F}' | '\u{7F}')
}

/// Parses a set-cookie-string (6265bis §5.6).
///
/// Errors: `ExcludeDisallowedCharacter` (control characters),
/// `ExcludeNameValuePairExceedsMaxSize` (over 4096 bytes),
/// `ExcludeNoCookieContent` (empty name and empty value).
pub fn parse_set_cookie(line: &str) -> Result<ParsedSetCookie, Reason> {
    // 6265bis §5.6 step 1: CTLs (except HTAB) anywhere reject the whole line.
    if line.chars().any(is_disallowed_ctl) {
        return Err(Reason::ExcludeDisallowedCharacter);
    }
    // Step 2: the name-value-pair ends at the first ';'.
    let (pair, mut attributes) = match line.find(';') {
        Some(i) => (&line[..i], &line[i..]),
        None => (line, ""),
    };
    // Step 3: no '=' means an empty name and the whole pair as the value.
    let (name, value) = match pair.find('=') {
        Some(i) => (&pair[..i], &pair[i + 1..]),
        None => ("", pair),
    };
    // Step 4: trim WSP around name and value (internal WSP stays).
    let (name, value) = (trim_wsp(name), trim_wsp(value));
    // Step 5: name + value over 4096 octets.
    if name.len() + value.len() > MAX_NAME_VALUE_BYTES {
        return Err(Reason::ExcludeNameValuePairExceedsMaxSize);
    }
    // §5.7 step 2: nothing to store.
    if name.is_empty() && value.is_empty() {
        return Err(Reason::ExcludeNoCookieContent);
    }

    let mut parsed = ParsedSetCookie {
        name: name.to_string(),
        value: value.to_string(),
        expires: None,
        max_age: None,
        domain: None,
        path: None,
        secure: false,
        http_only: false,
        same_site: SameSiteAttr::Unspecified,
        partitioned: false,
        warnings: Vec::new(),
    };

    // Attribute steps 1–8: one cookie-av per ';'.
    while !attributes.is_empty() {
        // Steps 2–3: drop the ';' and take up to the next one.
        let rest = &attributes[1..];
        let (av, remaining) = match rest.find(';') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        };
        attributes = remaining;
        // Steps 4–5: split on the first '=' and trim WSP.
        let (attr_name, attr_value) = match av.find('=') {
            Some(i) => (trim_wsp(&av[..i]), trim_wsp(&av[i + 1..])),
            None => (trim_wsp(av), ""),
        };
        // Step 6: attribute values over 1024 octets are ignored.
        if attr_value.len() > MAX_ATTRIBUTE_VALUE_BYTES {
            push_once(
                &mut parsed.warnings,
                Reason::WarnAttributeValueExceedsMaxSize,
            );
            continue;
        }
        // Step 7: attribute names are case-insensitive; unknown ones ignored.
        let lower = attr_name.to_ascii_lowercase();
        match lower.as_str() {
            // §5.6.1: Expires; an unparsable date is ignored.
            "expires" => match parse_cookie_date(attr_value) {
                Some(t) => parsed.expires = Some(t),
                None => push_once(&mut parsed.warnings, Reason::WarnExpiresInvalid),
            },
            // §5.6.2: Max-Age; anything but an optional '-' and digits is ignored.
            "max-age" => {
                if let Some(delta) = parse_max_age(attr_value) {
                    parsed.max_age = Some(delta);
                }
            }
            // §5.6.3: Domain; drop one leading '.', lower-case.
            "domain" => {
                let d = attr_value.strip_prefix('.').unwrap_or(attr_value);
                parsed.domain = Some(d.to_ascii_lowercase());
            }
            // §5.6.4: Path; resolved against the default-path by the store.
            "path" => parsed.path = Some(attr_value.to_string()),
            // §5.6.5: Secure (any value is ignored).
            "secure" => parsed.secure = true,
            // §5.6.6: HttpOnly.
            "httponly" => parsed.http_only = true,
            // §5.6.7: SameSite; an unknown value means "Default".
            "samesite" => {
                parsed.same_site = if attr_value.eq_ignore_ascii_case("none") {
                    SameSiteAttr::None
                } else if attr_value.eq_ignore_ascii_case("strict") {
                    SameSiteAttr::Strict
                } else if attr_value.eq_ignore_ascii_case("lax") {
                    SameSiteAttr::Lax
                } else {
                    SameSiteAttr::Unspecified
                }
            }
            // CHIPS: Partitioned (not in 6265bis).
            "partitioned" => parsed.partitioned = true,
            _ => {}
        }
    }
    Ok(parsed)
}

fn push_once(warnings: &mut Vec<Reason>, reason: Reason) {
    if !warnings.contains(&reason) {
        warnings.push(reason);
    }
}

/// 6265bis §5.6.2 steps 1–4: `-?DIGIT+`, saturating on overflow.
fn parse_max_age(v: &str) -> Option<i64> {
    let (negative, digits) = match v.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, v),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut n: i64 = 0;
    for b in digits.bytes() {
        n = n.saturating_mul(10).saturating_add(i64::from(b - b'0'));
    }
    Some(if negative { -n } else { n })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(line: &str) -> ParsedSetCookie {
        parse_set_cookie(line).unwrap_or_else(|e| panic!("{line:?} rejected: {e:?}"))
    }

    #[test]
    fn name_and_value() {
        // (line, name, value, what it pins)
        let cases: &[(&str, &str, &str, &str)] = &[
            ("a=b", "a", "b", "§5.6 step 3"),
            (
                "  a  =  b c  ; Path=/",
                "a",
                "b c",
                "§5.6 step 4: trim WSP, keep inner",
            ),
            (
                "\ta\t=\tb\t",
                "a",
                "b",
                "§5.6 step 4: HTAB is WSP, not a CTL",
            ),
            ("a==b=", "a", "=b=", "§5.6 step 3: split on the first '='"),
            (
                "a=\"b;c\"",
                "a",
                "\"b",
                "§5.6 step 2: ';' ends the pair even inside quotes",
            ),
            ("a=\" b \"", "a", "\" b \"", "quoted values are kept as is"),
            (
                "foo",
                "",
                "foo",
                "§5.6 step 3: no '=' → empty name (name-less cookie)",
            ),
            ("=foo", "", "foo", "§5.6 step 3: empty name"),
            ("foo=", "foo", "", "§5.6 step 3: empty value"),
            ("a=b, c=d", "a", "b, c=d", "commas do not split cookies"),
            ("春=节", "春", "节", "non-ASCII octets are allowed"),
        ];
        for (line, name, value, why) in cases {
            let p = ok(line);
            assert_eq!(
                (p.name.as_str(), p.value.as_str()),
                (*name, *value),
                "{line:?}: {why}"
            );
        }
    }

    #[test]
    fn rejected_lines() {
        let long = format!("a={}", "x".repeat(4096));
        let just_fits = format!("a={}", "x".repeat(4095));
        assert!(
            parse_set_cookie(&just_fits).is_ok(),
            "§5.6 step 5: 4096 octets is allowed"
        );
        let cases: &[(&str, Reason, &str)] = &[
            ("", Reason::ExcludeNoCookieContent, "§5.7 step 2"),
            (
                "   ",
                Reason::ExcludeNoCookieContent,
                "§5.7 step 2 after trimming",
            ),
            ("=", Reason::ExcludeNoCookieContent, "§5.7 step 2"),
            ("; Path=/", Reason::ExcludeNoCookieContent, "§5.7 step 2"),
            (
                "a=b\u{0}c",
                Reason::ExcludeDisallowedCharacter,
                "§5.6 step 1: NUL",
            ),
            (
                "a=b\rc",
                Reason::ExcludeDisallowedCharacter,
                "§5.6 step 1: CR",
            ),
            (
                "a=b; Path=/\u{7f}",
                Reason::ExcludeDisallowedCharacter,
                "§5.6 step 1: CTL in an attribute",
            ),
            (
                &long,
                Reason::ExcludeNameValuePairExceedsMaxSize,
                "§5.6 step 5: 4097 octets",
            ),
        ];
        for (line, reason, why) in cases {
            assert_eq!(
                parse_set_cookie(line),
                Err(*reason),
                "{:?}: {why}",
                &line[..line.len().min(40)]
            );
        }
    }

    #[test]
    fn attributes() {
        // Case-insensitive names, last wins (§5.6 step 7, §5.7 steps 6–17).
        let p = ok("a=b; SECURE; hTTpOnLy; sAmEsItE=lAx; PATH=/x; path=/y; DOMAIN=.Example.COM; Partitioned");
        assert!(p.secure && p.http_only && p.partitioned);
        assert_eq!(p.same_site, SameSiteAttr::Lax);
        assert_eq!(p.path.as_deref(), Some("/y"));
        assert_eq!(
            p.domain.as_deref(),
            Some("example.com"),
            "§5.6.3: one leading '.' dropped, lower-cased"
        );

        assert_eq!(
            ok("a=b; Domain=").domain.as_deref(),
            Some(""),
            "§5.6.3: empty Domain is kept as empty"
        );
        assert_eq!(
            ok("a=b; Domain=..x.com").domain.as_deref(),
            Some(".x.com"),
            "§5.6.3: only one '.' dropped"
        );
        assert_eq!(
            ok("a=b; SameSite=Strict; SameSite=bogus").same_site,
            SameSiteAttr::Unspecified,
            "§5.6.7: unknown value is Default, last wins"
        );
        assert_eq!(ok("a=b; SameSite=None").same_site, SameSiteAttr::None);
        assert!(
            ok("a=b; Secure=no").secure,
            "§5.6.5: Secure ignores its value"
        );
        assert!(
            !ok("a=b; \"Secure\"").secure,
            "a quoted attribute name is unknown"
        );
        assert!(
            !ok("a=b; Secure qux").secure,
            "'Secure qux' is an unknown attribute"
        );
    }

    #[test]
    fn max_age_and_expires() {
        let cases: &[(&str, Option<i64>, &str)] = &[
            ("a=b; Max-Age=60", Some(60), "§5.6.2"),
            ("a=b; Max-Age=-1", Some(-1), "§5.6.2 step 2: '-' DIGIT"),
            ("a=b; Max-Age=0", Some(0), "§5.6.2"),
            ("a=b; Max-Age=", None, "§5.6.2 step 1: empty ignored"),
            ("a=b; Max-Age=1.5", None, "§5.6.2 step 3: non-digit ignored"),
            ("a=b; Max-Age=+5", None, "§5.6.2 step 2: '+' ignored"),
            ("a=b; Max-Age=-", None, "§5.6.2 step 2: '-' needs a DIGIT"),
            ("a=b; Max-Age=50,399", None, "§5.6.2 step 3: comma ignored"),
            (
                "a=b; Max-Age=60; Max-Age=x",
                Some(60),
                "ignored attribute does not reset an earlier one",
            ),
            (
                "a=b; Max-Age=99999999999999999999999",
                Some(i64::MAX),
                "saturates; capped later (§5.5)",
            ),
        ];
        for (line, expected, why) in cases {
            assert_eq!(ok(line).max_age, *expected, "{line:?}: {why}");
        }
        let p = ok("a=b; Expires=Thu, 01 Jan 1970 00:00:10 GMT");
        assert_eq!(p.expires, Some(10));
        let p = ok("a=b; Expires=not a date");
        assert_eq!(p.expires, None, "§5.6.1 step 2: ignored");
        assert_eq!(p.warnings, vec![Reason::WarnExpiresInvalid]);
    }

    #[test]
    fn oversized_attribute_values_are_ignored() {
        // §5.6 attribute step 6: >1024 octets ignored, ≤1024 kept.
        let line = format!("a=b; Path=/{}; Domain=x.com", "p".repeat(1024));
        let p = ok(&line);
        assert_eq!(p.path, None);
        assert_eq!(p.domain.as_deref(), Some("x.com"));
        assert_eq!(p.warnings, vec![Reason::WarnAttributeValueExceedsMaxSize]);
        let line = format!("a=b; Path=/{}", "p".repeat(1023));
        assert_eq!(ok(&line).path.map(|p| p.len()), Some(1024));
        // The earlier valid Domain is kept when a later one is too long (§5.7 step 7).
        let line = format!("a=b; Domain=x.com; Domain={}", "d".repeat(1025));
        assert_eq!(ok(&line).domain.as_deref(), Some("x.com"));
    }
}
