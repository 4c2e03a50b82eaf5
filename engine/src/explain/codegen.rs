//! The settings as code a user can paste: `config/initializers/cors.rb`, the
//! session store configuration (an initializer, or `config/application.rb`
//! lines for API-only apps), and the client call (fetch, axios, XHR, a
//! navigation). Readers for the `cors.rb` and `session_store.rb` subset turn
//! pasted code back into settings; generating then reading yields the same
//! settings.

use crate::headers::HeaderList;
use crate::scenario::{
    BodyKind, Client, CredentialsMode, NavigationForm, RedirectMode, RequestMode, Scenario,
};
use crate::server::rails::{
    AllowBlock, CorsConfig, CorsPosition, CorsResource, DomainOption, HeadersOption, MethodsOption,
    RailsApp, SameSiteOption, SessionMiddleware, SessionStoreConfig, StoreKind,
};

/// A Ruby single-quoted string literal.
pub fn ruby_str(s: &str) -> String {
    format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
}

/// An `origins` entry: regexp literals as written, strings quoted.
fn ruby_origin(s: &str) -> String {
    if crate::server::rack_cors::is_regexp_literal(s) {
        s.to_string()
    } else {
        ruby_str(s)
    }
}

fn ruby_str_list(items: &[String]) -> String {
    format!(
        "[{}]",
        items
            .iter()
            .map(|s| ruby_str(s))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

fn ruby_symbol(s: &str) -> String {
    let bare = s.trim_start_matches(':');
    if !bare.is_empty()
        && bare.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !bare.starts_with(|c: char| c.is_ascii_digit())
    {
        format!(":{bare}")
    } else {
        format!(":{}", ruby_str(bare))
    }
}

fn resource_lines(r: &CorsResource) -> String {
    let mut opts: Vec<String> = Vec::new();
    match &r.headers {
        HeadersOption::Unset => {}
        HeadersOption::Any => opts.push("headers: :any".into()),
        HeadersOption::List(l) => opts.push(format!("headers: {}", ruby_str_list(l))),
    }
    match &r.methods {
        MethodsOption::Unset => {}
        MethodsOption::Any => opts.push("methods: :any".into()),
        MethodsOption::List(l) => opts.push(format!(
            "methods: [{}]",
            l.iter()
                .map(|m| ruby_symbol(m))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
    if r.credentials {
        opts.push("credentials: true".into());
    }
    if !r.expose.is_empty() {
        opts.push(format!("expose: {}", ruby_str_list(&r.expose)));
    }
    if let Some(m) = r.max_age {
        opts.push(format!("max_age: {m}"));
    }
    if let Some(v) = &r.vary {
        opts.push(format!("vary: {}", ruby_str_list(v)));
    }
    if !r.if_condition {
        opts.push("if: proc { |env| false }".into());
    }
    let mut s = format!("    resource {}", ruby_str(&r.path));
    if !opts.is_empty() {
        s.push(',');
        for (i, o) in opts.iter().enumerate() {
            s.push_str("\n      ");
            s.push_str(o);
            if i + 1 < opts.len() {
                s.push(',');
            }
        }
    }
    s.push('\n');
    s
}

fn block_lines(b: &AllowBlock) -> String {
    let origins = format!(
        "    origins {}\n",
        b.origins
            .iter()
            .map(|o| ruby_origin(o))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let resources: Vec<String> = b.resources.iter().map(resource_lines).collect();
    let mut s = String::from("  allow do\n");
    if b.resource_before_origins {
        s.push_str(&resources.join("\n"));
        s.push('\n');
        s.push_str(&origins);
    } else {
        s.push_str(&origins);
        if !resources.is_empty() {
            s.push('\n');
            s.push_str(&resources.join("\n"));
        }
    }
    s.push_str("  end\n");
    s
}

/// `config/initializers/cors.rb`.
pub fn cors_rb(app: &RailsApp) -> String {
    let c = &app.cors;
    if !c.enabled {
        return "# config/initializers/cors.rb\n# (absent: rack-cors is not configured, so no response carries CORS headers)\n".into();
    }
    let mut s = String::from("# config/initializers/cors.rb\n");
    let head = match app.cors_position {
        CorsPosition::First => "Rails.application.config.middleware.insert_before 0, Rack::Cors",
        CorsPosition::AfterAnsweringMiddleware => {
            s.push_str("# rack-cors comes after a middleware that answers some requests itself:\n# those answers carry no CORS headers.\n");
            "Rails.application.config.middleware.use Rack::Cors"
        }
    };
    s.push_str(head);
    if c.debug {
        s.push_str(", debug: true");
    }
    s.push_str(" do\n");
    s.push_str(
        &c.allow
            .iter()
            .map(block_lines)
            .collect::<Vec<_>>()
            .join("\n"),
    );
    s.push_str("end\n");
    s
}

#[allow(clippy::manual_is_multiple_of)] // is_multiple_of needs Rust 1.87; the MSRV is 1.85
fn duration(secs: u64) -> String {
    if secs > 0 && secs % 86_400 == 0 {
        format!("{}.days", secs / 86_400)
    } else if secs > 0 && secs % 3600 == 0 {
        format!("{}.hours", secs / 3600)
    } else if secs > 0 && secs % 60 == 0 {
        format!("{}.minutes", secs / 60)
    } else {
        format!("{secs}")
    }
}

/// The options of a `session_store :cookie_store` call, in a fixed order.
fn session_options(s: &SessionStoreConfig) -> Vec<String> {
    let mut o = Vec::new();
    if let Some(k) = &s.key {
        o.push(format!("key: {}", ruby_str(k)));
    }
    match &s.domain {
        DomainOption::Unset => {}
        DomainOption::Exact(d) => o.push(format!("domain: {}", ruby_str(d))),
        DomainOption::All { tld_length: None } => o.push("domain: :all".into()),
        DomainOption::All {
            tld_length: Some(n),
        } => {
            o.push("domain: :all".into());
            o.push(format!("tld_length: {n}"));
        }
        DomainOption::List(l) => o.push(format!("domain: {}", ruby_str_list(l))),
    }
    if let Some(p) = &s.path {
        o.push(format!("path: {}", ruby_str(p)));
    }
    match s.same_site {
        SameSiteOption::Unset => {}
        SameSiteOption::Lax => o.push("same_site: :lax".into()),
        SameSiteOption::Strict => o.push("same_site: :strict".into()),
        SameSiteOption::None => o.push("same_site: :none".into()),
        SameSiteOption::Nil => o.push("same_site: nil".into()),
    }
    if let Some(b) = s.secure {
        o.push(format!("secure: {b}"));
    }
    if let Some(b) = s.httponly {
        o.push(format!("httponly: {b}"));
    }
    if let Some(e) = s.expire_after {
        o.push(format!("expire_after: {}", duration(e)));
    }
    o
}

/// `<receiver>.session_store ...` as one statement.
fn session_store_call(receiver: &str, s: &SessionStoreConfig, indent: &str) -> String {
    match s.store {
        StoreKind::NotCalled => String::new(),
        StoreKind::Disabled => format!("{indent}{receiver}.session_store :disabled\n"),
        StoreKind::CookieStore => {
            let opts = session_options(s);
            match opts.len() {
                0 => format!("{indent}{receiver}.session_store :cookie_store\n"),
                1 => format!(
                    "{indent}{receiver}.session_store :cookie_store, {}\n",
                    opts[0]
                ),
                _ => format!(
                    "{indent}{receiver}.session_store :cookie_store,\n{}\n",
                    opts.iter()
                        .map(|o| format!("{indent}  {o}"))
                        .collect::<Vec<_>>()
                        .join(",\n")
                ),
            }
        }
    }
}

fn initializer(s: &SessionStoreConfig, app_name: &str) -> String {
    match s.store {
        StoreKind::NotCalled => format!(
            "# config/initializers/session_store.rb\n# (absent: Rails uses the cookie store with key '_{app_name}_session')\n"
        ),
        _ => format!(
            "# config/initializers/session_store.rb\n{}",
            session_store_call("Rails.application.config", s, "")
        ),
    }
}

/// The session store configuration: `config/initializers/session_store.rb`
/// for a full app; for an API-only app, the `config/application.rb` lines
/// that add the session middleware back (and the initializer where the
/// store is set there).
pub fn session_store_rb(app: &RailsApp) -> String {
    let s = &app.session;
    if !app.api_only {
        return initializer(s, &app.app_name);
    }
    let mut out = String::from(
        "# config/application.rb (inside `class Application < Rails::Application`)\n    config.api_only = true\n",
    );
    match app.session_middleware {
        SessionMiddleware::None => {
            out.push_str(
                "    # No session middleware: API-only apps have no cookies and no session.\n",
            );
            if s.store != StoreKind::NotCalled {
                out.push('\n');
                out.push_str(&initializer(s, &app.app_name));
            }
        }
        SessionMiddleware::Documented => {
            out.push_str(&session_store_call("config", s, "    "));
            out.push_str("    config.middleware.use ActionDispatch::Cookies\n");
            out.push_str(
                "    config.middleware.use config.session_store, config.session_options\n",
            );
        }
        SessionMiddleware::WithoutCookies => {
            out.push_str(&session_store_call("config", s, "    "));
            out.push_str(
                "    config.middleware.use config.session_store, config.session_options\n",
            );
        }
        SessionMiddleware::WithoutOptions => {
            out.push_str("    config.middleware.use ActionDispatch::Cookies\n");
            out.push_str("    config.middleware.use ActionDispatch::Session::CookieStore\n");
            out.push('\n');
            out.push_str(&initializer(s, &app.app_name));
        }
        SessionMiddleware::BeforeStoreSet => {
            out.push_str("    config.middleware.use ActionDispatch::Cookies\n");
            out.push_str(
                "    config.middleware.use config.session_store, config.session_options\n",
            );
            out.push('\n');
            out.push_str(&initializer(s, &app.app_name));
        }
    }
    out
}

/// A JavaScript single-quoted string literal.
pub fn js_str(s: &str) -> String {
    let mut out = String::from("'");
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

fn js_headers_object(h: &HeaderList) -> String {
    let items: String = h
        .iter()
        .map(|(n, v)| format!("    {}: {},\n", js_str(n), js_str(v)))
        .collect();
    format!("{{\n{items}  }}")
}

/// The body expression and any statements needed before the call.
fn js_body(body: BodyKind, axios: bool) -> (String, Option<&'static str>) {
    match body {
        BodyKind::None => (String::new(), None),
        BodyKind::Json if axios => ("{ user: 'alice' }".into(), None),
        BodyKind::Json => ("JSON.stringify({ user: 'alice' })".into(), None),
        BodyKind::Text => ("'hello'".into(), None),
        BodyKind::UrlEncoded => ("new URLSearchParams({ user: 'alice' })".into(), None),
        BodyKind::FormData => (
            "form".into(),
            Some("const form = new FormData();\nform.append('user', 'alice');\n"),
        ),
        BodyKind::Stream => (
            "stream".into(),
            Some("const stream = new Blob(['hello']).stream();\n"),
        ),
    }
}

/// The client code that makes request `index` of the scenario.
pub fn client_code(scenario: &Scenario, index: usize) -> String {
    let Some(r) = scenario.requests.get(index) else {
        return String::new();
    };
    let (headers, bad_headers) = match HeaderList::parse_lines(&r.headers) {
        Ok(h) => (h, None),
        Err(e) => (HeaderList::new(), Some(e.to_string())),
    };
    let mut out = String::new();
    if let Some(e) = bad_headers {
        out.push_str(&format!("// Headers left out: {}\n", e.replace('\n', " ")));
    }
    let url = js_str(&r.url);
    match r.client {
        Client::Fetch {
            mode,
            credentials,
            redirect,
        } => {
            let (body, pre) = js_body(r.body, false);
            if let Some(p) = pre {
                out.push_str(p);
            }
            let mut opts = vec![format!("  method: {}", js_str(&r.method))];
            if mode != RequestMode::Cors {
                let m = match mode {
                    RequestMode::Cors => "cors",
                    RequestMode::NoCors => "no-cors",
                    RequestMode::SameOrigin => "same-origin",
                    RequestMode::Navigate => "navigate",
                };
                opts.push(format!("  mode: '{m}'"));
            }
            if !headers.is_empty() {
                opts.push(format!("  headers: {}", js_headers_object(&headers)));
            }
            if !body.is_empty() {
                opts.push(format!("  body: {body}"));
                if r.body == BodyKind::Stream {
                    opts.push("  duplex: 'half'".into());
                }
            }
            let c = match credentials {
                CredentialsMode::Omit => "omit",
                CredentialsMode::SameOrigin => "same-origin",
                CredentialsMode::Include => "include",
            };
            opts.push(format!("  credentials: '{c}'"));
            match redirect {
                RedirectMode::Follow => {}
                RedirectMode::Error => opts.push("  redirect: 'error'".into()),
                RedirectMode::Manual => opts.push("  redirect: 'manual'".into()),
            }
            out.push_str(&format!(
                "fetch({url}, {{\n{},\n}})\n  .then((response) => response.text())\n  .then((text) => console.log(text))\n  .catch((error) => console.error(error));\n",
                opts.join(",\n")
            ));
        }
        Client::Xhr { with_credentials } => {
            let (body, pre) = js_body(r.body, false);
            if let Some(p) = pre {
                out.push_str(p);
            }
            out.push_str("const xhr = new XMLHttpRequest();\n");
            out.push_str(&format!("xhr.open({}, {url});\n", js_str(&r.method)));
            if with_credentials {
                out.push_str("xhr.withCredentials = true;\n");
            }
            for (n, v) in headers.iter() {
                out.push_str(&format!(
                    "xhr.setRequestHeader({}, {});\n",
                    js_str(n),
                    js_str(v)
                ));
            }
            out.push_str("xhr.onload = () => console.log(xhr.status, xhr.responseText);\n");
            out.push_str("xhr.onerror = () => console.error('Network error');\n");
            if body.is_empty() {
                out.push_str("xhr.send();\n");
            } else {
                out.push_str(&format!("xhr.send({body});\n"));
            }
        }
        Client::Axios { with_credentials } => {
            let (body, pre) = js_body(r.body, true);
            if let Some(p) = pre {
                out.push_str(p);
            }
            let mut opts = vec![
                format!("  method: {}", js_str(&r.method)),
                format!("  url: {url}"),
            ];
            if !headers.is_empty() {
                opts.push(format!("  headers: {}", js_headers_object(&headers)));
            }
            if !body.is_empty() {
                opts.push(format!("  data: {body}"));
            }
            if with_credentials {
                opts.push("  withCredentials: true".into());
            }
            out.push_str(&format!(
                "axios({{\n{},\n}})\n  .then((response) => console.log(response.status, response.data))\n  .catch((error) => console.error(error.message));\n",
                opts.join(",\n")
            ));
        }
        Client::Navigation {
            form: NavigationForm::Link,
        } => {
            out.push_str(&format!("window.location.assign({url});\n"));
        }
        Client::Navigation {
            form: NavigationForm::FormPost,
        } => {
            out.push_str("const form = document.createElement('form');\n");
            out.push_str("form.method = 'POST';\n");
            out.push_str(&format!("form.action = {url};\n"));
            out.push_str("document.body.appendChild(form);\nform.submit();\n");
        }
        Client::Iframe => {
            out.push_str("const frame = document.createElement('iframe');\n");
            out.push_str(&format!("frame.src = {url};\n"));
            out.push_str("document.body.appendChild(frame);\n");
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Readers: cors.rb and session_store.rb (the DSL subset the generators write).
// ---------------------------------------------------------------------------

/// Code the reader does not understand, with its 1-based position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.message
        )
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Ident(String),
    Const(String),
    /// `:name` or `:'quoted'`
    Sym(String),
    /// `name:` (a hash key)
    Key(String),
    Str(String),
    Int(u64),
    Regexp(String),
    Punct(char),
    Newline,
}

#[derive(Clone, Debug)]
struct Token {
    tok: Tok,
    line: usize,
    col: usize,
}

fn lex(src: &str) -> Result<Vec<Token>, ParseError> {
    let chars: Vec<char> = src.chars().collect();
    let mut toks = Vec::new();
    let (mut i, mut line, mut col) = (0usize, 1usize, 1usize);
    let err = |line, col, m: &str| ParseError {
        line,
        column: col,
        message: m.to_string(),
    };
    // Whether a `/` here starts a regexp (after `origins`, `,`, `(`, `[`).
    let regexp_ok = |toks: &Vec<Token>| match toks.last().map(|t| &t.tok) {
        Some(Tok::Ident(s)) => s == "origins",
        Some(Tok::Punct(c)) => matches!(c, ',' | '(' | '['),
        Some(Tok::Key(_)) | Some(Tok::Newline) | None => true,
        _ => false,
    };
    while i < chars.len() {
        let c = chars[i];
        let (tl, tc) = (line, col);
        let adv = |n: usize, i: &mut usize, col: &mut usize| {
            *i += n;
            *col += n;
        };
        if c == '\n' {
            toks.push(Token {
                tok: Tok::Newline,
                line: tl,
                col: tc,
            });
            i += 1;
            line += 1;
            col = 1;
        } else if c == ' ' || c == '\t' || c == '\r' {
            adv(1, &mut i, &mut col);
        } else if c == '#' {
            while i < chars.len() && chars[i] != '\n' {
                adv(1, &mut i, &mut col);
            }
        } else if c == '\\' && chars.get(i + 1) == Some(&'\n') {
            i += 2;
            line += 1;
            col = 1;
        } else if c == '\'' || c == '"' {
            let mut s = String::new();
            adv(1, &mut i, &mut col);
            loop {
                let Some(&d) = chars.get(i) else {
                    return Err(err(tl, tc, "unterminated string"));
                };
                if d == '\n' {
                    return Err(err(tl, tc, "unterminated string"));
                }
                if d == c {
                    adv(1, &mut i, &mut col);
                    break;
                }
                if d == '\\' {
                    let Some(&e) = chars.get(i + 1) else {
                        return Err(err(tl, tc, "unterminated string"));
                    };
                    if c == '\'' {
                        if e == '\\' || e == '\'' {
                            s.push(e);
                        } else {
                            s.push('\\');
                            s.push(e);
                        }
                    } else {
                        match e {
                            'n' => s.push('\n'),
                            't' => s.push('\t'),
                            '\\' | '"' => s.push(e),
                            '#' => s.push('#'),
                            _ => {
                                return Err(err(
                                    line,
                                    col,
                                    "unsupported escape in a double-quoted string",
                                ))
                            }
                        }
                    }
                    adv(2, &mut i, &mut col);
                    continue;
                }
                if c == '"' && d == '#' && chars.get(i + 1) == Some(&'{') {
                    return Err(err(line, col, "string interpolation is not supported"));
                }
                s.push(d);
                adv(1, &mut i, &mut col);
            }
            toks.push(Token {
                tok: Tok::Str(s),
                line: tl,
                col: tc,
            });
        } else if c == '%'
            && matches!(chars.get(i + 1), Some('w') | Some('W') | Some('i'))
            && chars.get(i + 2) == Some(&'[')
        {
            let kind = chars[i + 1];
            adv(3, &mut i, &mut col);
            let mut words = Vec::new();
            let mut cur = String::new();
            loop {
                let Some(&d) = chars.get(i) else {
                    return Err(err(tl, tc, "unterminated %w[] list"));
                };
                if d == ']' {
                    adv(1, &mut i, &mut col);
                    break;
                }
                if d.is_whitespace() {
                    if d == '\n' {
                        line += 1;
                        col = 0;
                    }
                    if !cur.is_empty() {
                        words.push(std::mem::take(&mut cur));
                    }
                } else {
                    cur.push(d);
                }
                adv(1, &mut i, &mut col);
            }
            if !cur.is_empty() {
                words.push(cur);
            }
            toks.push(Token {
                tok: Tok::Punct('['),
                line: tl,
                col: tc,
            });
            for (k, w) in words.into_iter().enumerate() {
                if k > 0 {
                    toks.push(Token {
                        tok: Tok::Punct(','),
                        line: tl,
                        col: tc,
                    });
                }
                toks.push(Token {
                    tok: if kind == 'i' {
                        Tok::Sym(w)
                    } else {
                        Tok::Str(w)
                    },
                    line: tl,
                    col: tc,
                });
            }
            toks.push(Token {
                tok: Tok::Punct(']'),
                line: tl,
                col: tc,
            });
        } else if (c == '/' && regexp_ok(&toks)) || (c == '%' && chars.get(i + 1) == Some(&'r')) {
            // A regexp literal, kept as written.
            let start = i;
            let close = if c == '/' {
                adv(1, &mut i, &mut col);
                '/'
            } else {
                let open = chars.get(i + 2).copied().unwrap_or(' ');
                adv(3, &mut i, &mut col);
                match open {
                    '{' => '}',
                    '(' => ')',
                    '[' => ']',
                    '<' => '>',
                    o if o.is_ascii_punctuation() => o,
                    _ => return Err(err(tl, tc, "unknown type of %r literal")),
                }
            };
            loop {
                let Some(&d) = chars.get(i) else {
                    return Err(err(tl, tc, "unterminated regexp"));
                };
                if d == '\n' {
                    return Err(err(tl, tc, "unterminated regexp"));
                }
                if d == '\\' {
                    adv(2, &mut i, &mut col);
                    continue;
                }
                adv(1, &mut i, &mut col);
                if d == close {
                    break;
                }
            }
            while i < chars.len() && chars[i].is_ascii_lowercase() {
                adv(1, &mut i, &mut col);
            }
            let lit: String = chars[start..i.min(chars.len())].iter().collect();
            if let Err(e) = crate::server::rack_cors::Regexp::from_literal(&lit) {
                return Err(err(tl, tc, &format!("regexp: {e}")));
            }
            toks.push(Token {
                tok: Tok::Regexp(lit),
                line: tl,
                col: tc,
            });
        } else if c == ':' && chars.get(i + 1) == Some(&':') {
            toks.push(Token {
                tok: Tok::Punct('.'),
                line: tl,
                col: tc,
            });
            adv(2, &mut i, &mut col);
        } else if c == ':'
            && chars
                .get(i + 1)
                .is_some_and(|d| d.is_alphabetic() || *d == '_')
        {
            adv(1, &mut i, &mut col);
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                adv(1, &mut i, &mut col);
            }
            toks.push(Token {
                tok: Tok::Sym(chars[start..i].iter().collect()),
                line: tl,
                col: tc,
            });
        } else if c == ':' && matches!(chars.get(i + 1), Some('\'') | Some('"')) {
            adv(1, &mut i, &mut col);
            continue_quoted_symbol(&chars, &mut i, &mut col, &mut toks, tl, tc)?;
        } else if c.is_ascii_digit() {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '_') {
                adv(1, &mut i, &mut col);
            }
            let n: String = chars[start..i].iter().filter(|c| **c != '_').collect();
            let v = n
                .parse::<u64>()
                .map_err(|_| err(tl, tc, "number too large"))?;
            toks.push(Token {
                tok: Tok::Int(v),
                line: tl,
                col: tc,
            });
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len()
                && (chars[i].is_alphanumeric()
                    || chars[i] == '_'
                    || chars[i] == '?'
                    || chars[i] == '!')
            {
                adv(1, &mut i, &mut col);
            }
            let word: String = chars[start..i].iter().collect();
            if chars.get(i) == Some(&':') && chars.get(i + 1) != Some(&':') {
                adv(1, &mut i, &mut col);
                toks.push(Token {
                    tok: Tok::Key(word),
                    line: tl,
                    col: tc,
                });
            } else if word.starts_with(|c: char| c.is_ascii_uppercase()) {
                toks.push(Token {
                    tok: Tok::Const(word),
                    line: tl,
                    col: tc,
                });
            } else {
                toks.push(Token {
                    tok: Tok::Ident(word),
                    line: tl,
                    col: tc,
                });
            }
        } else if "{}[](),.|=>-".contains(c) {
            if c == '=' && chars.get(i + 1) == Some(&'>') {
                return Err(err(
                    tl,
                    tc,
                    "`key => value` hashes are not supported; write `key: value`",
                ));
            }
            toks.push(Token {
                tok: Tok::Punct(c),
                line: tl,
                col: tc,
            });
            adv(1, &mut i, &mut col);
        } else {
            return Err(err(tl, tc, &format!("unexpected character `{c}`")));
        }
    }
    Ok(toks)
}

fn continue_quoted_symbol(
    chars: &[char],
    i: &mut usize,
    col: &mut usize,
    toks: &mut Vec<Token>,
    tl: usize,
    tc: usize,
) -> Result<(), ParseError> {
    let q = chars[*i];
    *i += 1;
    *col += 1;
    let mut s = String::new();
    while let Some(&d) = chars.get(*i) {
        *i += 1;
        *col += 1;
        if d == q {
            toks.push(Token {
                tok: Tok::Sym(s),
                line: tl,
                col: tc,
            });
            return Ok(());
        }
        if d == '\n' {
            break;
        }
        s.push(d);
    }
    Err(ParseError {
        line: tl,
        column: tc,
        message: "unterminated symbol".into(),
    })
}

/// One `key: value` option and where it starts.
type Opt = (String, Val, (usize, usize));

struct P {
    toks: Vec<Token>,
    pos: usize,
    /// Position reported at the end of input.
    end: (usize, usize),
}

/// A Ruby value in the subset.
#[derive(Clone, Debug, PartialEq)]
enum Val {
    Str(String),
    Sym(String),
    Int(u64),
    Bool(bool),
    Nil,
    Regexp(String),
    List(Vec<Val>),
    /// `proc { |env| false }` / `-> (env) { false }`: the body's truth value.
    Proc(bool),
}

impl P {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|t| &t.tok)
    }

    fn here(&self) -> (usize, usize) {
        self.toks
            .get(self.pos)
            .map(|t| (t.line, t.col))
            .unwrap_or(self.end)
    }

    fn err<T>(&self, m: impl Into<String>) -> Result<T, ParseError> {
        let (line, column) = self.here();
        Err(ParseError {
            line,
            column,
            message: m.into(),
        })
    }

    fn skip_newlines(&mut self) {
        while self.peek() == Some(&Tok::Newline) {
            self.pos += 1;
        }
    }

    fn eat(&mut self, t: &Tok) -> bool {
        if self.peek() == Some(t) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, t: Tok, what: &str) -> Result<(), ParseError> {
        if self.eat(&t) {
            Ok(())
        } else {
            self.err(format!("expected {what}"))
        }
    }

    fn ident(&mut self, name: &str) -> bool {
        self.eat(&Tok::Ident(name.to_string()))
    }

    /// `Rails.application.config` or `config` (a dotted receiver), consumed up to the method name.
    fn dotted(&mut self) -> Vec<String> {
        let mut parts = Vec::new();
        while let Some(Tok::Ident(s) | Tok::Const(s)) = self.peek().cloned() {
            parts.push(s);
            self.pos += 1;
            if !self.eat(&Tok::Punct('.')) {
                break;
            }
        }
        parts
    }

    fn value(&mut self) -> Result<Val, ParseError> {
        self.skip_newlines();
        let Some(t) = self.peek().cloned() else {
            return self.err("expected a value");
        };
        self.pos += 1;
        let v = match t {
            Tok::Str(s) => Val::Str(s),
            Tok::Sym(s) => Val::Sym(s),
            Tok::Regexp(s) => Val::Regexp(s),
            Tok::Int(n) => {
                // `14.days`, `2.hours`, `30.minutes`, `10.seconds`
                if self.peek() == Some(&Tok::Punct('.')) {
                    self.pos += 1;
                    let unit = match self.peek().cloned() {
                        Some(Tok::Ident(u)) => u,
                        _ => return self.err("expected a duration unit after `.`"),
                    };
                    self.pos += 1;
                    let mult = match unit.as_str() {
                        "second" | "seconds" => 1,
                        "minute" | "minutes" => 60,
                        "hour" | "hours" => 3600,
                        "day" | "days" => 86_400,
                        "week" | "weeks" => 604_800,
                        _ => return self.err(format!("unknown duration unit `{unit}`")),
                    };
                    Val::Int(n.saturating_mul(mult))
                } else {
                    Val::Int(n)
                }
            }
            Tok::Ident(s) if s == "true" => Val::Bool(true),
            Tok::Ident(s) if s == "false" => Val::Bool(false),
            Tok::Ident(s) if s == "nil" => Val::Nil,
            Tok::Ident(s) if s == "proc" || s == "lambda" => self.proc_body()?,
            Tok::Punct('-') if self.eat(&Tok::Punct('>')) => {
                if self.eat(&Tok::Punct('(')) {
                    while !self.eat(&Tok::Punct(')')) {
                        if self.peek().is_none() {
                            return self.err("unterminated lambda parameters");
                        }
                        self.pos += 1;
                    }
                }
                self.proc_body()?
            }
            Tok::Punct('[') => {
                let mut items = Vec::new();
                loop {
                    self.skip_newlines();
                    if self.eat(&Tok::Punct(']')) {
                        break;
                    }
                    items.push(self.value()?);
                    self.skip_newlines();
                    if !self.eat(&Tok::Punct(',')) {
                        self.skip_newlines();
                        self.expect(Tok::Punct(']'), "`]`")?;
                        break;
                    }
                }
                Val::List(items)
            }
            _ => {
                self.pos -= 1;
                return self.err("this value is not supported (strings, symbols, numbers, true/false/nil, regexps, lists)");
            }
        };
        Ok(v)
    }

    fn proc_body(&mut self) -> Result<Val, ParseError> {
        self.expect(Tok::Punct('{'), "`{` after proc")?;
        if self.eat(&Tok::Punct('|')) {
            while !self.eat(&Tok::Punct('|')) {
                if self.peek().is_none() {
                    return self.err("unterminated block parameters");
                }
                self.pos += 1;
            }
        }
        self.skip_newlines();
        let v = match self.peek() {
            Some(Tok::Ident(s)) if s == "true" => true,
            Some(Tok::Ident(s)) if s == "false" => false,
            _ => {
                return self
                    .err("Crumbtrail reads only `proc { true }` / `proc { false }` for `if:`")
            }
        };
        self.pos += 1;
        self.skip_newlines();
        self.expect(Tok::Punct('}'), "`}`")?;
        Ok(Val::Proc(v))
    }

    /// `key: value, key: value` (after a comma, line breaks are allowed).
    fn options(&mut self) -> Result<Vec<Opt>, ParseError> {
        let mut out = Vec::new();
        loop {
            let at = self.here();
            match self.peek().cloned() {
                Some(Tok::Key(k)) => {
                    self.pos += 1;
                    let v = self.value()?;
                    out.push((k, v, at));
                }
                _ => return self.err("expected `option: value`"),
            }
            if !self.eat(&Tok::Punct(',')) {
                break;
            }
            self.skip_newlines();
        }
        Ok(out)
    }

    fn end_of_statement(&mut self) -> Result<(), ParseError> {
        match self.peek() {
            None | Some(Tok::Newline) => {
                self.skip_newlines();
                Ok(())
            }
            _ => self.err("unexpected code after the statement"),
        }
    }
}

fn parser(src: &str) -> Result<P, ParseError> {
    let toks = lex(src)?;
    let lines = src.split('\n').count();
    let last_col = src
        .rsplit('\n')
        .next()
        .map(|l| l.chars().count() + 1)
        .unwrap_or(1);
    Ok(P {
        toks,
        pos: 0,
        end: (lines, last_col),
    })
}

fn val_strings(v: &Val, what: &str, p: &P, at: (usize, usize)) -> Result<Vec<String>, ParseError> {
    let one = |v: &Val| match v {
        Val::Str(s) | Val::Sym(s) => Ok(s.clone()),
        _ => Err(ParseError {
            line: at.0,
            column: at.1,
            message: format!("`{what}` takes strings"),
        }),
    };
    let _ = p;
    match v {
        Val::List(items) => items.iter().map(one).collect(),
        v => Ok(vec![one(v)?]),
    }
}

fn perr<T>(at: (usize, usize), m: impl Into<String>) -> Result<T, ParseError> {
    Err(ParseError {
        line: at.0,
        column: at.1,
        message: m.into(),
    })
}

/// Reads a `cors.rb`. Also returns where rack-cors sits (`insert_before 0`
/// vs `use`), as [`CorsPosition`].
pub fn parse_cors_rb_with_position(src: &str) -> Result<(CorsConfig, CorsPosition), ParseError> {
    let mut p = parser(src)?;
    p.skip_newlines();
    let recv = p.dotted();
    let chain = recv.join(".");
    let (position, _) = match chain.as_str() {
        "Rails.application.config.middleware.insert_before" | "config.middleware.insert_before" => {
            let at = p.here();
            match p.peek().cloned() {
                Some(Tok::Int(0)) => p.pos += 1,
                Some(Tok::Str(_)) | Some(Tok::Const(_)) | Some(Tok::Int(_)) => {
                    return perr(at, "only `insert_before 0, Rack::Cors` is understood")
                }
                _ => return perr(at, "expected `0, Rack::Cors`"),
            }
            p.expect(Tok::Punct(','), "`,`")?;
            (CorsPosition::First, ())
        }
        "Rails.application.config.middleware.use" | "config.middleware.use" => {
            (CorsPosition::AfterAnsweringMiddleware, ())
        }
        _ => {
            return p.err(
                "expected `Rails.application.config.middleware.insert_before 0, Rack::Cors do`",
            )
        }
    };
    let at = p.here();
    let cls = p.dotted();
    if cls.join(".") != "Rack.Cors" {
        return perr(at, "expected `Rack::Cors`");
    }
    let mut cfg = CorsConfig {
        enabled: true,
        allow: Vec::new(),
        debug: false,
    };
    if p.eat(&Tok::Punct(',')) {
        for (k, v, at) in p.options()? {
            match (k.as_str(), v) {
                ("debug", Val::Bool(b)) => cfg.debug = b,
                ("logger", _) => {}
                (k, _) => return perr(at, format!("unsupported Rack::Cors option `{k}`")),
            }
        }
    }
    if !p.ident("do") {
        return p.err("expected `do`");
    }
    p.end_of_statement()?;
    loop {
        p.skip_newlines();
        if p.ident("end") {
            break;
        }
        if !p.ident("allow") {
            return p.err("expected `allow do` or `end`");
        }
        if !p.ident("do") {
            return p.err("expected `do` after `allow`");
        }
        p.end_of_statement()?;
        let mut block = AllowBlock::default();
        let mut seen_origins = false;
        loop {
            p.skip_newlines();
            if p.ident("end") {
                break;
            }
            let at = p.here();
            if p.ident("origins") {
                let mut origins = Vec::new();
                // `origins` alone is an empty list (rack-cors: `origins(*args)`),
                // which is what the generator writes for a block without origins.
                if !matches!(p.peek(), None | Some(Tok::Newline)) {
                    loop {
                        let vat = p.here();
                        match p.value()? {
                            Val::Str(s) | Val::Regexp(s) => origins.push(s),
                            Val::List(items) => {
                                for it in items {
                                    match it {
                                        Val::Str(s) | Val::Regexp(s) => origins.push(s),
                                        _ => return perr(vat, "origins takes strings and regexps"),
                                    }
                                }
                            }
                            _ => return perr(vat, "origins takes strings and regexps"),
                        }
                        if !p.eat(&Tok::Punct(',')) {
                            break;
                        }
                        p.skip_newlines();
                    }
                }
                if seen_origins {
                    return perr(at, "a second `origins` line replaces the first; write one");
                }
                seen_origins = true;
                block.origins = origins;
                p.end_of_statement()?;
            } else if p.ident("resource") {
                let path = match p.value()? {
                    Val::Str(s) => s,
                    _ => return perr(at, "resource takes a path string"),
                };
                let mut r = CorsResource {
                    path,
                    headers: HeadersOption::Unset,
                    methods: MethodsOption::Unset,
                    ..CorsResource::default()
                };
                if p.eat(&Tok::Punct(',')) {
                    p.skip_newlines();
                    for (k, v, at) in p.options()? {
                        apply_resource_option(&mut r, &k, v, at, &p)?;
                    }
                }
                if !seen_origins {
                    block.resource_before_origins = true;
                }
                block.resources.push(r);
                p.end_of_statement()?;
            } else {
                return p.err("expected `origins`, `resource` or `end`");
            }
        }
        p.end_of_statement()?;
        cfg.allow.push(block);
    }
    p.skip_newlines();
    if p.peek().is_some() {
        return p.err("unexpected code after the final `end`");
    }
    Ok((cfg, position))
}

/// Reads a `cors.rb` into settings.
pub fn parse_cors_rb(src: &str) -> Result<CorsConfig, ParseError> {
    parse_cors_rb_with_position(src).map(|(c, _)| c)
}

fn apply_resource_option(
    r: &mut CorsResource,
    k: &str,
    v: Val,
    at: (usize, usize),
    p: &P,
) -> Result<(), ParseError> {
    match k {
        "headers" => {
            r.headers = match v {
                Val::Sym(s) if s == "any" => HeadersOption::Any,
                Val::Nil => HeadersOption::Unset,
                v => HeadersOption::List(val_strings(&v, "headers", p, at)?),
            }
        }
        "methods" => {
            r.methods = match v {
                Val::Sym(s) if s == "any" => MethodsOption::Any,
                Val::Nil => MethodsOption::Unset,
                v => MethodsOption::List(
                    val_strings(&v, "methods", p, at)?
                        .into_iter()
                        .map(|m| m.to_ascii_lowercase())
                        .collect(),
                ),
            }
        }
        "credentials" => match v {
            Val::Bool(b) => r.credentials = b,
            _ => return perr(at, "credentials takes true or false"),
        },
        "expose" => r.expose = val_strings(&v, "expose", p, at)?,
        "max_age" => match v {
            Val::Int(n) => r.max_age = Some(n),
            _ => return perr(at, "max_age takes a number of seconds"),
        },
        "vary" => r.vary = Some(val_strings(&v, "vary", p, at)?),
        "if" => match v {
            Val::Proc(b) | Val::Bool(b) => r.if_condition = b,
            _ => return perr(at, "if: takes a proc"),
        },
        other => return perr(at, format!("unsupported resource option `{other}`")),
    }
    Ok(())
}

/// Reads `Rails.application.config.session_store ...` (an initializer) or
/// `config.session_store ...` (application.rb) into settings. An empty file
/// (comments only) means `session_store` is never called.
pub fn parse_session_store_rb(src: &str) -> Result<SessionStoreConfig, ParseError> {
    let mut p = parser(src)?;
    p.skip_newlines();
    if p.peek().is_none() {
        return Ok(SessionStoreConfig {
            store: StoreKind::NotCalled,
            ..SessionStoreConfig::default()
        });
    }
    let chain = p.dotted().join(".");
    if chain != "Rails.application.config.session_store" && chain != "config.session_store" {
        return p.err("expected `Rails.application.config.session_store :cookie_store, ...`");
    }
    let at = p.here();
    let mut s = SessionStoreConfig::default();
    match p.value()? {
        Val::Sym(k) if k == "cookie_store" => s.store = StoreKind::CookieStore,
        Val::Sym(k) if k == "disabled" => s.store = StoreKind::Disabled,
        Val::Sym(k) => {
            return perr(
                at,
                format!("the `{k}` store is not modelled (cookie_store and disabled are)"),
            )
        }
        _ => return perr(at, "expected a store name such as :cookie_store"),
    }
    let mut tld: Option<u8> = None;
    let mut all = false;
    if p.eat(&Tok::Punct(',')) {
        p.skip_newlines();
        for (k, v, at) in p.options()? {
            match (k.as_str(), v) {
                ("key", Val::Str(k)) => s.key = Some(k),
                ("domain", Val::Sym(d)) if d == "all" => all = true,
                ("domain", Val::Str(d)) => s.domain = DomainOption::Exact(d),
                ("domain", Val::List(items)) => {
                    s.domain = DomainOption::List(val_strings(&Val::List(items), "domain", &p, at)?)
                }
                ("domain", Val::Nil) => s.domain = DomainOption::Unset,
                ("tld_length", Val::Int(n)) => tld = Some(n.min(255) as u8),
                ("path", Val::Str(x)) => s.path = Some(x),
                ("same_site", Val::Sym(x)) => {
                    s.same_site = match x.to_ascii_lowercase().as_str() {
                        "lax" => SameSiteOption::Lax,
                        "strict" => SameSiteOption::Strict,
                        "none" => SameSiteOption::None,
                        _ => return perr(at, "same_site takes :lax, :strict, :none or nil"),
                    }
                }
                ("same_site", Val::Nil) => s.same_site = SameSiteOption::Nil,
                ("secure", Val::Bool(b)) => s.secure = Some(b),
                ("httponly", Val::Bool(b)) => s.httponly = Some(b),
                ("expire_after", Val::Int(n)) => s.expire_after = Some(n),
                ("expire_after", Val::Nil) => s.expire_after = None,
                (k, _) => return perr(at, format!("unsupported or mistyped session option `{k}`")),
            }
        }
    }
    if all {
        s.domain = DomainOption::All { tld_length: tld };
    }
    p.end_of_statement()?;
    if p.peek().is_some() {
        return p.err("only one session_store call is read");
    }
    Ok(s)
}

/// The `session_store` call alone (initializer form), for round trips.
pub fn session_store_initializer(s: &SessionStoreConfig) -> String {
    session_store_call("Rails.application.config", s, "")
}
