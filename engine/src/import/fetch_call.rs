//! "Copy as fetch" (and "Copy as fetch (Node.js)") from the Network panel:
//! `fetch("url", { "headers": {…}, "body": …, "method": "POST", "mode":
//! "cors", "credentials": "include", "referrer": … })`, with or without
//! `await`.
//!
//! The options are read with a small reader for JavaScript literals —
//! strings in any of the three quotes, numbers, `true`/`false`/`null`,
//! objects with quoted or bare keys, arrays — which is all the browsers
//! write. A value that is code (`JSON.stringify(x)`) is kept as "some body".
//! Unlike the other formats this one says the fetch options themselves
//! (Fetch §Requests: mode and credentials mode), so they are not assumed.

use super::{Entry, Format, ImportError, Recording};

/// A JavaScript literal.
#[derive(Clone, Debug, PartialEq)]
pub enum Js {
    Str(String),
    Num(f64),
    Bool(bool),
    Null,
    Obj(Vec<(String, Js)>),
    Arr(Vec<Js>),
    /// An expression that is not a literal (kept as written, shortened).
    Code(String),
}

impl Js {
    fn get(&self, key: &str) -> Option<&Js> {
        match self {
            Js::Obj(fields) => fields.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    fn str(&self) -> Option<&str> {
        match self {
            Js::Str(s) => Some(s),
            _ => None,
        }
    }
}

/// Deepest nesting read (deeper input is an error, not a stack overflow).
const MAX_DEPTH: usize = 32;

struct Reader<'a> {
    s: &'a [u8],
    text: &'a str,
    i: usize,
}

impl Reader<'_> {
    fn err(&self, what: &str) -> ImportError {
        ImportError(format!(
            "This \"Copy as fetch\" text cannot be read at character {}: {what}.",
            self.i + 1
        ))
    }

    fn skip_space(&mut self) {
        loop {
            while self.s.get(self.i).is_some_and(|c| c.is_ascii_whitespace()) {
                self.i += 1;
            }
            if self.s[self.i.min(self.s.len())..].starts_with(b"//") {
                while self.s.get(self.i).is_some_and(|&c| c != b'\n') {
                    self.i += 1;
                }
            } else if self.s[self.i.min(self.s.len())..].starts_with(b"/*") {
                match self.text[self.i + 2..].find("*/") {
                    Some(end) => self.i += end + 4,
                    None => self.i = self.s.len(),
                }
            } else {
                return;
            }
        }
    }

    fn eat(&mut self, c: u8) -> bool {
        self.skip_space();
        if self.s.get(self.i) == Some(&c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn value(&mut self, depth: usize) -> Result<Js, ImportError> {
        if depth > MAX_DEPTH {
            return Err(self.err("it is nested too deeply"));
        }
        self.skip_space();
        match self.s.get(self.i) {
            Some(b'"' | b'\'' | b'`') => self.string().map(Js::Str),
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(c) if c.is_ascii_digit() || *c == b'-' => Ok(self.number()),
            Some(_) => Ok(self.word()),
            None => Err(self.err("it ends too early")),
        }
    }

    fn string(&mut self) -> Result<String, ImportError> {
        let quote = self.s[self.i];
        self.i += 1;
        let mut out = String::new();
        let rest = &self.text[self.i..];
        let mut chars = rest.char_indices();
        while let Some((at, c)) = chars.next() {
            match c {
                c if c as u32 == quote as u32 => {
                    self.i += at + 1;
                    return Ok(out);
                }
                '\\' => {
                    let Some((_, e)) = chars.next() else { break };
                    match e {
                        'n' => out.push('\n'),
                        't' => out.push('\t'),
                        'r' => out.push('\r'),
                        'b' => out.push('\u{8}'),
                        'f' => out.push('\u{c}'),
                        '0' => out.push('\0'),
                        '\n' => {}
                        'x' | 'u' => {
                            let len = if e == 'x' { 2 } else { 4 };
                            let hex: String = chars.clone().take(len).map(|(_, c)| c).collect();
                            match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                                Some(ch) if hex.len() == len => {
                                    out.push(ch);
                                    for _ in 0..len {
                                        chars.next();
                                    }
                                }
                                _ => out.push(e),
                            }
                        }
                        other => out.push(other),
                    }
                }
                c => out.push(c),
            }
        }
        self.i = self.s.len();
        Err(self.err("a string is not closed"))
    }

    fn number(&mut self) -> Js {
        let start = self.i;
        while self
            .s
            .get(self.i)
            .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b'+'))
        {
            self.i += 1;
        }
        let t = &self.text[start..self.i];
        t.parse()
            .map(Js::Num)
            .unwrap_or_else(|_| Js::Code(t.into()))
    }

    /// `true`, `false`, `null`, `undefined`, or code up to the next `,` / `}`
    /// / `]` / `)` outside brackets.
    fn word(&mut self) -> Js {
        let start = self.i;
        let mut depth = 0i32;
        while let Some(&c) = self.s.get(self.i) {
            match c {
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' | b'}' if depth == 0 => break,
                b')' | b']' | b'}' => depth -= 1,
                b',' if depth == 0 => break,
                b'"' | b'\'' | b'`' => {
                    if self.string().is_err() {
                        break;
                    }
                    continue;
                }
                _ => {}
            }
            self.i += 1;
        }
        let t = self.text[start..self.i].trim();
        match t {
            "true" => Js::Bool(true),
            "false" => Js::Bool(false),
            "null" | "undefined" => Js::Null,
            _ => Js::Code(t.chars().take(80).collect()),
        }
    }

    fn key(&mut self) -> Result<String, ImportError> {
        self.skip_space();
        match self.s.get(self.i) {
            Some(b'"' | b'\'' | b'`') => self.string(),
            Some(_) => {
                let start = self.i;
                while self
                    .s
                    .get(self.i)
                    .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'$' | b'-'))
                {
                    self.i += 1;
                }
                if start == self.i {
                    return Err(self.err("an object key is expected"));
                }
                Ok(self.text[start..self.i].to_string())
            }
            None => Err(self.err("it ends inside an object")),
        }
    }

    fn object(&mut self, depth: usize) -> Result<Js, ImportError> {
        self.i += 1;
        let mut fields = Vec::new();
        loop {
            if self.eat(b'}') {
                return Ok(Js::Obj(fields));
            }
            let k = self.key()?;
            if !self.eat(b':') {
                return Err(self.err("`:` is expected after an object key"));
            }
            fields.push((k, self.value(depth + 1)?));
            if self.eat(b'}') {
                return Ok(Js::Obj(fields));
            }
            if !self.eat(b',') {
                return Err(self.err("`,` or `}` is expected"));
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Js, ImportError> {
        self.i += 1;
        let mut items = Vec::new();
        loop {
            if self.eat(b']') {
                return Ok(Js::Arr(items));
            }
            items.push(self.value(depth + 1)?);
            if self.eat(b']') {
                return Ok(Js::Arr(items));
            }
            if !self.eat(b',') {
                return Err(self.err("`,` or `]` is expected"));
            }
        }
    }
}

/// The request side of one `fetch(…)` call.
pub fn parse(text: &str) -> Result<Recording, ImportError> {
    let Some(at) = text.find("fetch") else {
        return Err(ImportError("This does not contain a fetch(…) call.".into()));
    };
    let mut r = Reader {
        s: text.as_bytes(),
        text,
        i: at + "fetch".len(),
    };
    if !r.eat(b'(') {
        return Err(r.err("`(` is expected after fetch"));
    }
    let url = match r.value(0)? {
        Js::Str(u) => u,
        _ => return Err(r.err("the first argument is not a URL string")),
    };
    let options = if r.eat(b',') {
        r.value(0)?
    } else {
        Js::Obj(Vec::new())
    };
    Ok(Recording {
        format: Format::FetchCall,
        creator: None,
        browser: None,
        pages: Vec::new(),
        entries: vec![entry(url, &options)],
        notices: Vec::new(),
    })
}

fn entry(url: String, options: &Js) -> Entry {
    let mut headers: Vec<(String, String)> = match options.get("headers") {
        Some(Js::Obj(fields)) => fields
            .iter()
            .map(|(k, v)| {
                let v = match v {
                    Js::Str(s) => s.clone(),
                    Js::Num(n) => n.to_string(),
                    Js::Bool(b) => b.to_string(),
                    Js::Code(c) => c.clone(),
                    _ => String::new(),
                };
                (k.clone(), v)
            })
            .collect(),
        Some(Js::Arr(pairs)) => pairs
            .iter()
            .filter_map(|p| match p {
                Js::Arr(kv) => Some((
                    kv.first()?.str()?.to_string(),
                    kv.get(1)?.str()?.to_string(),
                )),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    // Fetch §Requests: the referrer the browser would send (Chrome writes it).
    if let Some(referrer) = options
        .get("referrer")
        .and_then(Js::str)
        .filter(|r| !r.is_empty())
    {
        headers.push(("Referer".into(), referrer.to_string()));
    }
    let body = options.get("body");
    let has_body = !matches!(body, None | Some(Js::Null));
    let method = options
        .get("method")
        .and_then(Js::str)
        .unwrap_or(if has_body { "POST" } else { "GET" })
        .to_string();
    let content_type = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-type"))
        .map(|(_, v)| v.clone());
    let body_mime =
        has_body.then(|| content_type.unwrap_or_else(|| "text/plain;charset=UTF-8".into()));
    Entry {
        fetch_mode: options.get("mode").and_then(Js::str).map(str::to_string),
        fetch_credentials: options
            .get("credentials")
            .and_then(Js::str)
            .map(str::to_string),
        method,
        url,
        has_body,
        body_mime,
        headers,
        resource_type: Some("fetch".into()),
        ..Entry::default()
    }
}
