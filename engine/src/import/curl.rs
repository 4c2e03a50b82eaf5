//! "Copy as cURL" from the Network panel, both flavours the browsers write:
//! - bash (POSIX shell): `'…'` single quotes, `$'…'` ANSI-C quotes, `"…"`,
//!   backslash escapes and `\` line continuations;
//! - cmd (Windows): `^` escapes the next character (`^"` is a quote, `^` at
//!   a line end continues it), then the C runtime's quoting rules
//!   (`"` toggles quoting, `\"` is a literal quote).
//!
//! Only the request side comes out: the method, URL, headers, cookies and
//! whether there is a body, with its type.

use super::{Entry, Format, ImportError, Recording};

/// Options that take a value and say nothing the import needs.
const SKIP_WITH_VALUE: [&str; 22] = [
    "-o",
    "--output",
    "-m",
    "--max-time",
    "--connect-timeout",
    "-x",
    "--proxy",
    "--resolve",
    "--cacert",
    "--cert",
    "--key",
    "-w",
    "--write-out",
    "-K",
    "--config",
    "--retry",
    "--limit-rate",
    "-c",
    "--cookie-jar",
    "--interface",
    "--max-redirs",
    "--proto",
];

/// Options without a value.
const FLAGS: [&str; 25] = [
    "--compressed",
    "-i",
    "--include",
    "-L",
    "--location",
    "-k",
    "--insecure",
    "-s",
    "--silent",
    "-S",
    "--show-error",
    "-v",
    "--verbose",
    "--http2",
    "--http1.1",
    "--http1.0",
    "--http3",
    "-g",
    "--globoff",
    "-4",
    "-6",
    "--ipv4",
    "--ipv6",
    "-f",
    "--fail",
];

/// Splits a POSIX shell command line into words (bash's quoting rules).
fn bash_words(text: &str) -> Result<Vec<String>, ImportError> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('\n') => {}
                Some('\r') if chars.peek() == Some(&'\n') => {
                    chars.next();
                }
                Some(n) => {
                    cur.push(n);
                    in_word = true;
                }
                None => {}
            },
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(ch) => cur.push(ch),
                        None => return Err(unclosed("'")),
                    }
                }
            }
            '$' if chars.peek() == Some(&'\'') => {
                chars.next();
                in_word = true;
                ansi_c(&mut chars, &mut cur)?;
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(n @ ('"' | '\\' | '$' | '`')) => cur.push(n),
                            Some('\n') => {}
                            Some(n) => {
                                cur.push('\\');
                                cur.push(n);
                            }
                            None => return Err(unclosed("\"")),
                        },
                        Some(ch) => cur.push(ch),
                        None => return Err(unclosed("\"")),
                    }
                }
            }
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            c => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    Ok(words)
}

fn unclosed(q: &str) -> ImportError {
    ImportError(format!(
        "This cURL command has an unclosed {q} quote: copy the whole command again."
    ))
}

/// bash `$'…'`: backslash escapes as in C (`\n`, `\t`, `\xHH`, `\uHHHH`, `\'`).
fn ansi_c(
    chars: &mut std::iter::Peekable<std::str::Chars>,
    cur: &mut String,
) -> Result<(), ImportError> {
    loop {
        match chars.next() {
            Some('\'') => return Ok(()),
            Some('\\') => {
                let Some(e) = chars.next() else {
                    return Err(unclosed("$'"));
                };
                match e {
                    'n' => cur.push('\n'),
                    't' => cur.push('\t'),
                    'r' => cur.push('\r'),
                    'x' | 'u' | 'U' => {
                        let max = match e {
                            'x' => 2,
                            'u' => 4,
                            _ => 8,
                        };
                        let mut hex = String::new();
                        while hex.len() < max && chars.peek().is_some_and(|c| c.is_ascii_hexdigit())
                        {
                            hex.extend(chars.next());
                        }
                        match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                            Some(ch) => cur.push(ch),
                            None => cur.push_str(&format!("\\{e}{hex}")),
                        }
                    }
                    other => cur.push(other),
                }
            }
            Some(ch) => cur.push(ch),
            None => return Err(unclosed("$'")),
        }
    }
}

/// Splits a Windows cmd command line: `^` escapes first, then the C runtime's
/// argument rules.
fn cmd_words(text: &str) -> Vec<String> {
    // cmd: `^x` is x; `^` before a line break continues the line.
    let mut unescaped = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '^' {
            match chars.next() {
                Some('\r') if chars.peek() == Some(&'\n') => {
                    chars.next();
                }
                Some('\n') => {}
                Some(n) => unescaped.push(n),
                None => {}
            }
        } else {
            unescaped.push(c);
        }
    }
    // The C runtime: 2n backslashes + `"` → n backslashes and a quote toggle,
    // 2n+1 → n backslashes and a literal quote.
    let mut words = Vec::new();
    let mut cur = String::new();
    let (mut in_word, mut quoted) = (false, false);
    let mut chars = unescaped.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let mut n = 1;
                while chars.peek() == Some(&'\\') {
                    chars.next();
                    n += 1;
                }
                if chars.peek() == Some(&'"') {
                    cur.push_str(&"\\".repeat(n / 2));
                    if n % 2 == 1 {
                        chars.next();
                        cur.push('"');
                    }
                } else {
                    cur.push_str(&"\\".repeat(n));
                }
                in_word = true;
            }
            '"' => {
                quoted = !quoted;
                in_word = true;
            }
            c if c.is_whitespace() && !quoted => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            c => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    words
}

/// True for Chrome's and Firefox's cmd flavour (`^"` quoting, `^` continuations).
fn is_cmd(text: &str) -> bool {
    text.contains("^\"") || text.lines().any(|l| l.trim_end().ends_with(" ^"))
}

/// What the options said.
#[derive(Default)]
struct Parsed {
    url: Option<String>,
    method: Option<String>,
    headers: Vec<(String, String)>,
    data: Vec<String>,
    form: bool,
    get: bool,
    head: bool,
    upload: bool,
    ignored: Vec<String>,
}

fn header(value: &str) -> Option<(String, String)> {
    let (n, v) = value.split_once(':')?;
    let n = n.trim();
    (!n.is_empty()).then(|| (n.to_string(), v.trim().to_string()))
}

fn option(p: &mut Parsed, opt: &str, value: Option<String>) -> bool {
    let Some(v) = value else { return false };
    match opt {
        "-X" | "--request" => p.method = Some(v),
        "-H" | "--header" => {
            if !v.starts_with('@') {
                p.headers.extend(header(&v));
            }
        }
        "-b" | "--cookie" => {
            if v.contains('=') {
                p.headers.push(("Cookie".into(), v));
            }
        }
        "-A" | "--user-agent" => p.headers.push(("User-Agent".into(), v)),
        "-e" | "--referer" => p.headers.push(("Referer".into(), v)),
        "-u" | "--user" => p
            .headers
            .push(("Authorization".into(), "Basic (from -u)".into())),
        "-r" | "--range" => p.headers.push(("Range".into(), format!("bytes={v}"))),
        "--url" => p.url = Some(v),
        "-d" | "--data" | "--data-raw" | "--data-binary" | "--data-ascii" | "--data-urlencode"
        | "--json" => {
            if opt == "--json" {
                p.headers
                    .push(("Content-Type".into(), "application/json".into()));
            }
            p.data.push(v);
        }
        "-F" | "--form" | "--form-string" => p.form = true,
        "-T" | "--upload-file" => p.upload = true,
        _ => return false,
    }
    true
}

fn read_options(words: &[String]) -> Parsed {
    let mut p = Parsed::default();
    let mut i = 1; // words[0] is `curl`
    while i < words.len() {
        let w = words[i].as_str();
        i += 1;
        if !w.starts_with('-') || w == "-" {
            if p.url.is_none() {
                p.url = Some(w.to_string());
            }
            continue;
        }
        if FLAGS.contains(&w) {
            continue;
        }
        match w {
            "-G" | "--get" => p.get = true,
            "-I" | "--head" => p.head = true,
            _ => {}
        }
        if matches!(w, "-G" | "--get" | "-I" | "--head") {
            continue;
        }
        if SKIP_WITH_VALUE.contains(&w) {
            i += 1;
            continue;
        }
        // `--opt=value`, `-XPOST`, or `--opt value`.
        let (opt, attached) = match w.split_once('=').filter(|_| w.starts_with("--")) {
            Some((o, v)) => (o.to_string(), Some(v.to_string())),
            None if !w.starts_with("--") && w.chars().count() > 2 => {
                let cut = w.char_indices().nth(2).map(|(i, _)| i).unwrap_or(w.len());
                (w[..cut].to_string(), Some(w[cut..].to_string()))
            }
            None => (w.to_string(), None),
        };
        let value = attached.or_else(|| {
            let v = words.get(i).cloned();
            if v.is_some() {
                i += 1;
            }
            v
        });
        if !option(&mut p, &opt, value) {
            p.ignored.push(opt);
        }
    }
    p
}

/// Reads one `curl …` command.
pub fn parse(text: &str) -> Result<Recording, ImportError> {
    let text = text.trim();
    let words = if is_cmd(text) {
        cmd_words(text)
    } else {
        bash_words(text)?
    };
    let first = words
        .first()
        .map(|w| w.to_ascii_lowercase())
        .unwrap_or_default();
    if first != "curl" && first != "curl.exe" {
        return Err(ImportError("This does not start with `curl`.".into()));
    }
    let p = read_options(&words);
    let Some(mut url) = p.url.clone() else {
        return Err(ImportError("This cURL command has no URL.".into()));
    };
    if !url.contains("://") {
        url = format!("http://{url}");
    }
    let has_body = !p.data.is_empty() || p.form || p.upload;
    let method = match (&p.method, p.head, p.get, has_body) {
        (Some(m), ..) => m.clone(),
        (None, true, ..) => "HEAD".into(),
        (None, _, true, _) => "GET".into(),
        (None, _, _, true) if p.upload => "PUT".into(),
        (None, _, _, true) => "POST".into(),
        _ => "GET".into(),
    };
    let mut notices = Vec::new();
    if !p.ignored.is_empty() {
        notices.push(format!(
            "These cURL options do not change what a browser does and were ignored: {}.",
            p.ignored.join(", ")
        ));
    }
    let content_type = p
        .headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-type"))
        .map(|(_, v)| v.clone());
    let body_mime = match (has_body && !p.get, content_type) {
        (false, _) => None,
        (true, Some(ct)) => Some(ct),
        (true, None) if p.form => Some("multipart/form-data".into()),
        (true, None) => Some("application/x-www-form-urlencoded".into()),
    };
    Ok(Recording {
        format: Format::Curl,
        creator: None,
        browser: None,
        pages: Vec::new(),
        entries: vec![Entry {
            method,
            url,
            has_body: body_mime.is_some(),
            body_mime,
            headers: p.headers,
            ..Entry::default()
        }],
        notices,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bash_quoting() {
        let w = bash_words("curl 'a b' $'c\\'d\\x41' \"e\\\"f\" g\\ h \\\n  i").unwrap();
        assert_eq!(w, vec!["curl", "a b", "c'dA", "e\"f", "g h", "i"]);
    }

    #[test]
    fn cmd_quoting() {
        // Chrome's cmd flavour of --data-raw '{"a":"b c"}'.
        let w = cmd_words(
            "curl ^\"http://x/^\" ^\n  --data-raw ^\"^{^\\^\"a^\\^\":^\\^\"b c^\\^\"^}^\"",
        );
        assert_eq!(
            w,
            vec!["curl", "http://x/", "--data-raw", "{\"a\":\"b c\"}"]
        );
    }
}
