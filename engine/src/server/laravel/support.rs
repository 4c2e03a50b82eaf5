//! The few `Illuminate\Support` helpers the model runs: `Str::is`,
//! `Str::slug`, `env()`'s value conversion, the PCRE patterns of
//! `allowed_origins_patterns`, and the encrypted cookie values of
//! `EncryptCookies`.

use crate::server::rack_cors::regexp::{Regexp, RegexpError};

/// `Str::is($pattern, $value)` (laravel/framework `12.x`
/// `src/Illuminate/Support/Str.php`, the same in 10.x and 11.x): equal, or
/// `preg_quote`d with each `*` as `.*`, anchored `#^…\z#su`.
pub fn str_is(pattern: &str, value: &str) -> bool {
    if pattern == value {
        return true;
    }
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return false;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !value.starts_with(first) || value.len() < first.len() + last.len() {
        return false;
    }
    let mut rest = &value[first.len()..];
    for mid in &parts[1..parts.len() - 1] {
        match rest.find(mid) {
            Some(i) => rest = &rest[i + mid.len()..],
            None => return false,
        }
    }
    rest.ends_with(last)
}

/// `Str::slug($title, $separator)` (laravel/framework
/// `src/Illuminate/Support/Str.php`) for an ASCII title: the other dash
/// becomes the separator, `@` becomes `at`, what is not a letter, digit,
/// separator or space is dropped, runs of separators and spaces become one
/// separator, trimmed. A non-ASCII title goes through `Str::ascii`'s
/// transliteration tables first, which the model does not carry: `Err`.
pub fn try_str_slug(title: &str, sep: char) -> Result<String, String> {
    if !title.is_ascii() {
        return Err(format!(
            "`{title}`: Str::slug transliterates non-ASCII characters with Str::ascii, which \
             Crumbtrail does not model; set SESSION_COOKIE to the cookie name instead"
        ));
    }
    let flip = if sep == '-' { '_' } else { '-' };
    let mut t = String::new();
    for c in title.chars() {
        match c {
            c if c == flip => t.push(sep),
            '@' => {
                t.push(sep);
                t.push_str("at");
                t.push(sep);
            }
            c => t.push(c),
        }
    }
    let kept: String = t
        .to_ascii_lowercase()
        .chars()
        .filter(|c| *c == sep || c.is_ascii_alphanumeric() || c.is_ascii_whitespace())
        .collect();
    let mut out = String::new();
    let mut in_run = false;
    for c in kept.chars() {
        if c == sep || c.is_ascii_whitespace() {
            if !in_run {
                out.push(sep);
            }
            in_run = true;
        } else {
            out.push(c);
            in_run = false;
        }
    }
    Ok(out.trim_matches(sep).to_string())
}

/// [`try_str_slug`], with a non-ASCII title slugged by its ASCII characters
/// (the form shows the error from `try_str_slug`).
pub fn str_slug(title: &str, sep: char) -> String {
    try_str_slug(title, sep).unwrap_or_else(|_| {
        let ascii: String = title.chars().filter(char::is_ascii).collect();
        try_str_slug(&ascii, sep).unwrap_or_default()
    })
}

/// What `env('KEY')` returns (`src/Illuminate/Support/Env.php`): the
/// keywords `true`, `false`, `null`, `empty` (bare or in parentheses), or
/// the string with one pair of surrounding quotes removed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EnvValue {
    Bool(bool),
    Null,
    Str(String),
}

pub fn env_value(raw: &str) -> EnvValue {
    match raw.to_ascii_lowercase().as_str() {
        "true" | "(true)" => return EnvValue::Bool(true),
        "false" | "(false)" => return EnvValue::Bool(false),
        "null" | "(null)" => return EnvValue::Null,
        "empty" | "(empty)" => return EnvValue::Str(String::new()),
        _ => {}
    }
    // vlucas/phpdotenv (src/Parser/EntryParser.php, v5.6): a double-quoted
    // value reads `\"` as `"` and `\\` as `\`; a single-quoted one is literal.
    if let Some(inner) = raw
        .strip_prefix('"')
        .and_then(|r| r.strip_suffix('"'))
        .filter(|_| raw.len() > 1)
    {
        let mut out = String::with_capacity(inner.len());
        let mut chars = inner.chars();
        while let Some(c) = chars.next() {
            match (c, chars.clone().next()) {
                ('\\', Some(n @ ('"' | '\\'))) => {
                    out.push(n);
                    chars.next();
                }
                _ => out.push(c),
            }
        }
        return EnvValue::Str(out);
    }
    let unquoted = raw
        .strip_prefix('\'')
        .and_then(|r| r.strip_suffix('\''))
        .filter(|_| raw.len() > 1)
        .unwrap_or(raw);
    EnvValue::Str(unquoted.to_string())
}

/// An `allowed_origins_patterns` entry, as `preg_match` runs it: a PCRE
/// pattern between delimiters (`#…#`, `/…/`, `~…~`, or a bracket pair)
/// with trailing modifiers.
#[derive(Clone, Debug)]
pub struct PcrePattern {
    re: Regexp,
}

impl PcrePattern {
    pub fn new(pattern: &str) -> Result<PcrePattern, String> {
        let mut chars = pattern.chars();
        let open = chars
            .next()
            .ok_or("an empty pattern: preg_match() warns \"Empty regular expression\"")?;
        if open.is_ascii_alphanumeric() || open == '\\' || open.is_whitespace() {
            return Err(format!(
                "`{pattern}`: preg_match() needs a delimiter around the pattern, e.g. `#^https://.*\\.example\\.com$#`"
            ));
        }
        let close = match open {
            '(' => ')',
            '[' => ']',
            '{' => '}',
            '<' => '>',
            c => c,
        };
        let body = &pattern[open.len_utf8()..];
        let end = body
            .rfind(close)
            .ok_or_else(|| format!("`{pattern}`: no ending delimiter `{close}`"))?;
        let (source, flags) = (&body[..end], &body[end + close.len_utf8()..]);
        let mut ruby_flags = String::new();
        for f in flags.chars() {
            match f {
                'i' => ruby_flags.push('i'),
                // UTF-8 mode: the model's matcher runs on chars already.
                'u' => {}
                _ => {
                    return Err(format!(
                        "`{pattern}`: the modifier `{f}` is not one Crumbtrail models (i, u)"
                    ))
                }
            }
        }
        let ruby = pcre_to_ruby(source).map_err(|e| format!("`{pattern}`: {}", e.message))?;
        let re =
            Regexp::new(&ruby, &ruby_flags).map_err(|e| format!("`{pattern}`: {}", e.message))?;
        Ok(PcrePattern { re })
    }

    /// `preg_match($pattern, $origin)` finds a match anywhere (unanchored).
    pub fn is_match(&self, text: &str) -> bool {
        self.re.is_match(text)
    }
}

/// PCRE (no multiline) to the engine's Ruby-syntax matcher: `^` is `\A`, `$`
/// is `\Z` (the end, or before a final newline), `\z`/`\Z`/`\A` are the same.
fn pcre_to_ruby(p: &str) -> Result<String, RegexpError> {
    let mut out = String::new();
    let chars: Vec<char> = p.chars().collect();
    let mut i = 0;
    let mut in_class = false;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' => {
                let n = chars.get(i + 1).copied().ok_or(RegexpError {
                    at: i,
                    message: "a trailing backslash".into(),
                })?;
                out.push('\\');
                out.push(n);
                i += 2;
                continue;
            }
            '[' if !in_class => {
                in_class = true;
                out.push('[');
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
            c => out.push(c),
        }
        i += 1;
    }
    Ok(out)
}

/// `EncryptCookies` encrypts every cookie value it sends with `APP_KEY`
/// (`Crypt::encrypt(CookieValuePrefix::create($name, $key).$value)`,
/// `src/Illuminate/Cookie/Middleware/EncryptCookies.php`): an opaque base64
/// JSON payload (`eyJpdiI6…`) the page cannot read into, and which decrypts
/// only with the same key. The model writes a stand-in that is just as
/// opaque to the page and decrypts back (its own inverse), with the cookie
/// name as the prefix.
pub fn encrypt_cookie(name: &str, value: &str) -> String {
    let plain = format!("{name}|{value}");
    let hex: String = plain.bytes().map(|b| format!("{b:02x}")).collect();
    format!("eyJpdiI6{hex}")
}

/// `Crypt::decrypt` then `CookieValuePrefix::remove` (drops `<prefix>|`);
/// `None` for a value this app did not encrypt (a `DecryptException`).
pub fn decrypt_cookie(value: &str) -> Option<String> {
    let hex = value.strip_prefix("eyJpdiI6")?;
    if hex.len() % 2 != 0 {
        return None;
    }
    let bytes: Option<Vec<u8>> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect();
    let plain = String::from_utf8(bytes?).ok()?;
    plain.split_once('|').map(|(_, v)| v.to_string())
}

/// `rawurlencode` (RFC 3986 unreserved characters kept), as Symfony's
/// `Cookie::__toString` writes a value that is not raw.
pub fn rawurlencode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn str_is_is_a_full_match_with_star_wildcards() {
        for (p, v, want) in [
            ("api/*", "api/user", true),
            ("api/*", "api", false),
            ("api/*", "api/", true),
            ("sanctum/csrf-cookie", "sanctum/csrf-cookie", true),
            ("sanctum/csrf-cookie", "sanctum/csrf-cookie/x", false),
            ("*", "login", true),
            ("localhost/*", "localhost:3000/", false),
            ("localhost:3000/*", "localhost:3000/", true),
            ("localhost:3000/*", "localhost:3000/login/", true),
            ("*.myapp.test/*", "spa.myapp.test/", true),
            ("a*b*c", "abbc", true),
            ("a*b*c", "acb", false),
            ("login", "Login", false),
        ] {
            assert_eq!(str_is(p, v), want, "Str::is({p:?}, {v:?})");
        }
    }

    #[test]
    fn slug_names_the_session_cookie_as_laravel_does() {
        for (name, want) in [
            ("Laravel", "laravel"),
            ("My App", "my_app"),
            ("my-app", "my_app"),
            ("Acme API", "acme_api"),
            ("  Spaced   Out ", "spaced_out"),
            ("a@b", "a_at_b"),
            ("R&D Portal!", "rd_portal"),
        ] {
            assert_eq!(try_str_slug(name, '_').unwrap(), want, "{name}");
        }
        assert!(try_str_slug("Café", '_').is_err());
    }

    #[test]
    fn env_values_convert_as_env_does() {
        assert_eq!(env_value("true"), EnvValue::Bool(true));
        assert_eq!(env_value("(false)"), EnvValue::Bool(false));
        assert_eq!(env_value("null"), EnvValue::Null);
        assert_eq!(env_value("empty"), EnvValue::Str(String::new()));
        assert_eq!(env_value("\"My App\""), EnvValue::Str("My App".into()));
        assert_eq!(env_value("'x'"), EnvValue::Str("x".into()));
        assert_eq!(env_value("lax"), EnvValue::Str("lax".into()));
        // Double quotes take `\"` and `\\` escapes; single quotes are literal.
        assert_eq!(
            env_value(r#""a \"b\" c\\d""#),
            EnvValue::Str(r#"a "b" c\d"#.into())
        );
        assert_eq!(env_value(r"'a\b'"), EnvValue::Str(r"a\b".into()));
    }

    #[test]
    fn pcre_patterns_need_delimiters_and_match_unanchored() {
        let p = PcrePattern::new(r"#^https://(.+\.)?example\.com$#").unwrap();
        assert!(p.is_match("https://app.example.com"));
        assert!(p.is_match("https://example.com"));
        assert!(!p.is_match("https://example.com.evil.net"));
        let q = PcrePattern::new(r"/localhost:\d+/").unwrap();
        assert!(q.is_match("http://localhost:5173"));
        assert!(PcrePattern::new(r"#^HTTP://LOCALHOST#i")
            .unwrap()
            .is_match("http://localhost:3000"));
        assert!(PcrePattern::new("^https://x$").is_err());
        assert!(PcrePattern::new("#abc").is_err());
        assert!(PcrePattern::new("#abc#m").is_err());
    }

    #[test]
    fn encrypted_values_round_trip_and_foreign_values_do_not_decrypt() {
        let v = encrypt_cookie("XSRF-TOKEN", "tok");
        assert!(v.starts_with("eyJpdiI6"));
        assert_eq!(decrypt_cookie(&v).as_deref(), Some("tok"));
        assert_eq!(decrypt_cookie("tok"), None);
        assert_eq!(decrypt_cookie("eyJpdiI6zz"), None);
        assert_eq!(rawurlencode("a=b c"), "a%3Db%20c");
    }
}
