//! `settings.py` both ways: [`write`] generates the project's settings
//! (plus `urls.py` and `views.py`, [`write_urls`], [`write_views`]) in
//! Python, and [`read`] reads the settings back from Python literal syntax
//! (strings, numbers, `True`/`False`/`None`, lists and tuples), reporting
//! each error with its setting and line. `read(&write(app))` gives `app`
//! back (its URLconf lives in `urls.py`).

use super::settings::*;

/// A Python literal value.
#[derive(Clone, Debug, PartialEq)]
pub enum Py {
    Str(String),
    Int(i64),
    Bool(bool),
    None,
    List(Vec<Py>),
    Tuple(Vec<Py>),
    /// Something the reader does not evaluate (a call, a dict, `BASE_DIR / …`).
    Other,
}

/// An error for one setting (shown next to its field).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SettingError {
    pub setting: String,
    /// 1-based line.
    pub line: usize,
    pub message: String,
}

// ----- Writing -----

/// A Python string literal (`repr`).
pub fn py_str(s: &str) -> String {
    super::hosts::py_repr(s)
}

fn py_bool(b: bool) -> &'static str {
    if b {
        "True"
    } else {
        "False"
    }
}

/// A list on one line (the form's fields and the permalink).
fn py_list(items: &[String]) -> String {
    format!(
        "[{}]",
        items
            .iter()
            .map(|i| py_str(i))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// A list one item per line, as `settings.py` lays out a long one.
fn py_list_lines(items: &[Py]) -> Option<String> {
    let mut s = String::from("[\n");
    for i in items {
        let Py::Str(t) = i else { return None };
        s.push_str(&format!("    {},\n", py_str(t)));
    }
    s.push(']');
    Some(s)
}

fn py_opt_str(v: &Option<String>) -> String {
    v.as_ref().map_or("None".into(), |s| py_str(s))
}

/// The middleware list, with `CorsMiddleware` where `position` puts it.
pub fn middleware(position: CorsPosition) -> Vec<&'static str> {
    let cors = "corsheaders.middleware.CorsMiddleware";
    let mut m = vec![
        "django.middleware.security.SecurityMiddleware",
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.common.CommonMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
    ];
    match position {
        CorsPosition::First => m.insert(0, cors),
        CorsPosition::AfterCommon => m.insert(3, cors),
        CorsPosition::Missing => {}
    }
    m
}

/// The settings the model reads, in the order `settings.py` lists them
/// (also the permalink's keys and the form's fields).
pub const SETTINGS: [&str; 41] = [
    "DEBUG",
    "ALLOWED_HOSTS",
    "MIDDLEWARE",
    "APPEND_SLASH",
    "SECURE_PROXY_SSL_HEADER",
    "CORS_ALLOWED_ORIGINS",
    "CORS_ALLOWED_ORIGIN_REGEXES",
    "CORS_ALLOW_ALL_ORIGINS",
    "CORS_URLS_REGEX",
    "CORS_ALLOW_METHODS",
    "CORS_ALLOW_HEADERS",
    "CORS_EXPOSE_HEADERS",
    "CORS_PREFLIGHT_MAX_AGE",
    "CORS_ALLOW_CREDENTIALS",
    "CORS_ALLOW_PRIVATE_NETWORK",
    "SESSION_ENGINE",
    "SESSION_COOKIE_NAME",
    "SESSION_COOKIE_AGE",
    "SESSION_COOKIE_DOMAIN",
    "SESSION_COOKIE_PATH",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "SESSION_SAVE_EVERY_REQUEST",
    "SESSION_EXPIRE_AT_BROWSER_CLOSE",
    "CSRF_COOKIE_NAME",
    "CSRF_COOKIE_AGE",
    "CSRF_COOKIE_DOMAIN",
    "CSRF_COOKIE_PATH",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SAMESITE",
    "CSRF_TRUSTED_ORIGINS",
    "CSRF_USE_SESSIONS",
    "CSRF_HEADER_NAME",
    // Written by every generated project, not read from a link.
    "SECRET_KEY",
    "INSTALLED_APPS",
    "ROOT_URLCONF",
    "DATABASES",
    "BASE_DIR",
    "SESSION_SERIALIZER",
];

/// The settings a link and the form carry: [`SETTINGS`] without the fixed ones.
pub fn editable() -> &'static [&'static str] {
    &SETTINGS[..35]
}

/// One setting's value as a Python literal (`None` for a name the model does not read).
pub fn literal_of(app: &DjangoApp, name: &str) -> Option<String> {
    let (c, s, x) = (&app.cors, &app.session, &app.csrf);
    Some(match name {
        "DEBUG" => py_bool(app.debug).into(),
        "ALLOWED_HOSTS" => py_list(&app.allowed_hosts),
        "MIDDLEWARE" => py_list(
            &middleware(app.cors_position)
                .into_iter()
                .map(str::to_string)
                .collect::<Vec<_>>(),
        ),
        "APPEND_SLASH" => py_bool(app.append_slash).into(),
        "SECURE_PROXY_SSL_HEADER" => match &app.secure_proxy_ssl_header {
            Some((h, v)) => format!("({}, {})", py_str(h), py_str(v)),
            None => "None".into(),
        },
        "CORS_ALLOWED_ORIGINS" => py_list(&c.allowed_origins),
        "CORS_ALLOWED_ORIGIN_REGEXES" => py_list(&c.allowed_origin_regexes),
        "CORS_ALLOW_ALL_ORIGINS" => py_bool(c.allow_all_origins).into(),
        "CORS_URLS_REGEX" => py_str(&c.urls_regex),
        "CORS_ALLOW_METHODS" => py_list(&c.allow_methods),
        "CORS_ALLOW_HEADERS" => py_list(&c.allow_headers),
        "CORS_EXPOSE_HEADERS" => py_list(&c.expose_headers),
        "CORS_PREFLIGHT_MAX_AGE" => c.preflight_max_age.to_string(),
        "CORS_ALLOW_CREDENTIALS" => py_bool(c.allow_credentials).into(),
        "CORS_ALLOW_PRIVATE_NETWORK" => py_bool(c.allow_private_network).into(),
        "SESSION_ENGINE" => py_str(s.engine.module()),
        "SESSION_COOKIE_NAME" => py_str(&s.cookie_name),
        "SESSION_COOKIE_AGE" => s.cookie_age.to_string(),
        "SESSION_COOKIE_DOMAIN" => py_opt_str(&s.cookie_domain),
        "SESSION_COOKIE_PATH" => py_str(&s.cookie_path),
        "SESSION_COOKIE_SECURE" => py_bool(s.cookie_secure).into(),
        "SESSION_COOKIE_HTTPONLY" => py_bool(s.cookie_httponly).into(),
        "SESSION_COOKIE_SAMESITE" => s.cookie_samesite.python().into(),
        "SESSION_SAVE_EVERY_REQUEST" => py_bool(s.save_every_request).into(),
        "SESSION_EXPIRE_AT_BROWSER_CLOSE" => py_bool(s.expire_at_browser_close).into(),
        "CSRF_COOKIE_NAME" => py_str(&x.cookie_name),
        "CSRF_COOKIE_AGE" => x.cookie_age.map_or("None".into(), |a| a.to_string()),
        "CSRF_COOKIE_DOMAIN" => py_opt_str(&x.cookie_domain),
        "CSRF_COOKIE_PATH" => py_str(&x.cookie_path),
        "CSRF_COOKIE_SECURE" => py_bool(x.cookie_secure).into(),
        "CSRF_COOKIE_HTTPONLY" => py_bool(x.cookie_httponly).into(),
        "CSRF_COOKIE_SAMESITE" => x.cookie_samesite.python().into(),
        "CSRF_TRUSTED_ORIGINS" => py_list(&x.trusted_origins),
        "CSRF_USE_SESSIONS" => py_bool(x.use_sessions).into(),
        "CSRF_HEADER_NAME" => py_str(&x.header_name),
        "SECRET_KEY" => "'django-insecure-crumbtrail-example-key-change-me'".into(),
        "INSTALLED_APPS" => "[\n    'django.contrib.sessions',\n    'corsheaders',\n]".into(),
        "ROOT_URLCONF" => "'urls'".into(),
        "DATABASES" => {
            "{'default': {'ENGINE': 'django.db.backends.sqlite3', 'NAME': BASE_DIR / 'db.sqlite3'}}"
                .into()
        }
        "BASE_DIR" => "Path(__file__).resolve().parent".into(),
        "SESSION_SERIALIZER" => "'django.contrib.sessions.serializers.JSONSerializer'".into(),
        _ => return None,
    })
}

/// The whole `settings.py`.
pub fn write(app: &DjangoApp) -> String {
    let mut o = format!(
        "# settings.py for Django {} with django-cors-headers\nfrom pathlib import Path\n\n",
        app.version.as_str()
    );
    let section = |name: &str| match name {
        "BASE_DIR" => Some(""),
        "CORS_ALLOWED_ORIGINS" => Some("# django-cors-headers"),
        "SESSION_ENGINE" => Some("# Sessions"),
        "CSRF_COOKIE_NAME" => Some("# CSRF"),
        _ => None,
    };
    // BASE_DIR first: DATABASES uses it.
    let order =
        std::iter::once("BASE_DIR").chain(SETTINGS.iter().copied().filter(|n| *n != "BASE_DIR"));
    for name in order {
        if let Some(title) = section(name) {
            if !title.is_empty() {
                o.push_str(&format!("\n{title}\n"));
            }
        }
        if let Some(mut v) = literal_of(app, name) {
            if v.len() > 60 {
                if let Ok(Py::List(items)) = parse_literal(&v) {
                    v = py_list_lines(&items).unwrap_or(v);
                }
            }
            o.push_str(&format!("{name} = {v}\n"));
        }
    }
    o
}

/// Reads one field of the form (or one permalink value): a Python literal.
pub fn parse_literal(text: &str) -> Result<Py, String> {
    let mut lx = Lexer {
        chars: text.chars().collect(),
        pos: 0,
        src: text,
    };
    let v = lx.value(1)?;
    lx.skip(true);
    if let Some(c) = lx.peek() {
        return Err(format!("unexpected '{c}' after the value"));
    }
    match v {
        Py::Other => {
            Err("not a Python literal (a string, number, True/False/None, list or tuple)".into())
        }
        v => Ok(v),
    }
}

/// One setting from its Python literal: `Err` is the message shown next to the field.
pub fn set_literal(app: &mut DjangoApp, name: &str, text: &str) -> Result<(), String> {
    if !editable().contains(&name) {
        return Err(format!("{name} is not a setting Crumbtrail models"));
    }
    let v = parse_literal(text)?;
    let mut next = app.clone();
    apply(&mut next, name, &v)?;
    *app = next;
    Ok(())
}

/// `urls.py` for the app's URLconf (`csrf_exempt(view)` for an exempt route).
pub fn write_urls(app: &DjangoApp) -> String {
    let mut o = String::from(
        "from django.urls import path\nfrom django.views.decorators.csrf import csrf_exempt\n\nimport views\n\nurlpatterns = [\n",
    );
    for r in &app.urls {
        let view = format!("views.{}", r.view.function());
        let view = if r.csrf_exempt {
            format!("csrf_exempt({view})")
        } else {
            view
        };
        o.push_str(&format!("    path({}, {view}),\n", py_str(&r.route)));
    }
    o.push_str("]\n");
    o
}

/// `views.py`: the views [`DjangoView`] models, as a project writes them
/// (the login view does what `django.contrib.auth.login` does to the
/// session and the CSRF token, without needing a user table).
pub fn write_views() -> String {
    "from django.http import JsonResponse\n\
     from django.middleware.csrf import get_token, rotate_token\n\
     from django.views.decorators.http import require_POST\n\
     \n\
     \n\
     @require_POST\n\
     def login_view(request):\n    \
         # What django.contrib.auth.login() does: a new session key, the user, a new CSRF token.\n    \
         request.session.cycle_key()\n    \
         request.session['user_id'] = '1'\n    \
         rotate_token(request)\n    \
         return JsonResponse({'ok': True})\n\
     \n\
     \n\
     def me_view(request):\n    \
         user_id = request.session.get('user_id')\n    \
         if user_id is None:\n        \
             return JsonResponse({'error': 'not logged in'}, status=401)\n    \
         return JsonResponse({'user_id': user_id})\n\
     \n\
     \n\
     def csrf_view(request):\n    \
         return JsonResponse({'csrfToken': get_token(request)})\n\
     \n\
     \n\
     def logout_view(request):\n    \
         request.session.flush()\n    \
         return JsonResponse({'ok': True})\n"
        .to_string()
}

// ----- Reading -----

struct Lexer<'a> {
    chars: Vec<char>,
    pos: usize,
    src: &'a str,
}

impl Lexer<'_> {
    fn line(&self) -> usize {
        self.chars[..self.pos.min(self.chars.len())]
            .iter()
            .filter(|&&c| c == '\n')
            .count()
            + 1
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    /// Skips spaces, and inside brackets also newlines and comments.
    fn skip(&mut self, newlines: bool) {
        while let Some(c) = self.peek() {
            if c == ' ' || c == '\t' || c == '\r' || (newlines && c == '\n') {
                self.pos += 1;
            } else if c == '\\' && self.chars.get(self.pos + 1) == Some(&'\n') {
                self.pos += 2;
            } else if c == '#' && newlines {
                while self.peek().is_some_and(|c| c != '\n') {
                    self.pos += 1;
                }
            } else {
                break;
            }
        }
    }

    fn ident(&mut self) -> String {
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            self.pos += 1;
        }
        self.chars[start..self.pos].iter().collect()
    }

    fn string(&mut self, raw: bool) -> Result<String, String> {
        let q = self.peek().unwrap_or('\'');
        let triple =
            self.chars.get(self.pos + 1) == Some(&q) && self.chars.get(self.pos + 2) == Some(&q);
        self.pos += if triple { 3 } else { 1 };
        let mut out = String::new();
        loop {
            let Some(c) = self.peek() else {
                return Err("unterminated string literal".into());
            };
            if c == q
                && (!triple
                    || (self.chars.get(self.pos + 1) == Some(&q)
                        && self.chars.get(self.pos + 2) == Some(&q)))
            {
                self.pos += if triple { 3 } else { 1 };
                return Ok(out);
            }
            if c == '\n' && !triple {
                return Err("unterminated string literal".into());
            }
            if c == '\\' {
                let n = self.chars.get(self.pos + 1).copied().unwrap_or('\\');
                self.pos += 2;
                if raw {
                    out.push('\\');
                    out.push(n);
                    continue;
                }
                match n {
                    'n' => out.push('\n'),
                    't' => out.push('\t'),
                    'r' => out.push('\r'),
                    'a' => out.push('\x07'),
                    'b' => out.push('\x08'),
                    'f' => out.push('\x0c'),
                    'v' => out.push('\x0b'),
                    '\\' | '\'' | '"' => out.push(n),
                    '\n' => {}
                    'x' | 'u' | 'U' => {
                        let len = match n {
                            'x' => 2,
                            'u' => 4,
                            _ => 8,
                        };
                        let hex: String = self.chars[self.pos.min(self.chars.len())..]
                            .iter()
                            .take(len)
                            .collect();
                        let c = (hex.len() == len && hex.chars().all(|c| c.is_ascii_hexdigit()))
                            .then(|| u32::from_str_radix(&hex, 16).ok())
                            .flatten()
                            .and_then(char::from_u32)
                            .ok_or_else(|| format!("truncated or invalid \\{n} escape"))?;
                        out.push(c);
                        self.pos += len;
                    }
                    '0'..='7' => {
                        let mut v = n.to_digit(8).unwrap_or(0);
                        for _ in 0..2 {
                            match self.peek().and_then(|c| c.to_digit(8)) {
                                Some(d) => {
                                    v = v * 8 + d;
                                    self.pos += 1;
                                }
                                None => break,
                            }
                        }
                        out.push(char::from_u32(v).unwrap_or('\0'));
                    }
                    other => {
                        out.push('\\');
                        out.push(other);
                    }
                }
                continue;
            }
            out.push(c);
            self.pos += 1;
        }
    }

    /// One literal (or, for what it does not evaluate, [`Py::Other`] with
    /// brackets balanced).
    fn value(&mut self, depth: usize) -> Result<Py, String> {
        self.skip(depth > 0);
        let Some(c) = self.peek() else {
            return Err("a value is missing".into());
        };
        let v = match c {
            '\'' | '"' => Py::Str(self.string(false)?),
            '[' | '(' => {
                let close = if c == '[' { ']' } else { ')' };
                self.pos += 1;
                let mut items = Vec::new();
                let mut trailing_comma = false;
                loop {
                    self.skip(true);
                    if self.peek() == Some(close) {
                        self.pos += 1;
                        break;
                    }
                    items.push(self.value(depth + 1)?);
                    self.skip(true);
                    trailing_comma = false;
                    match self.peek() {
                        Some(',') => {
                            self.pos += 1;
                            trailing_comma = true;
                        }
                        Some(x) if x == close => {}
                        Some(x) => return Err(format!("expected ',' or '{close}', found '{x}'")),
                        None => return Err(format!("'{c}' was never closed")),
                    }
                }
                if c == '[' {
                    Py::List(items)
                } else if items.len() == 1 && !trailing_comma {
                    items.pop().unwrap_or(Py::None)
                } else {
                    Py::Tuple(items)
                }
            }
            '{' => {
                self.balanced()?;
                Py::Other
            }
            c if c.is_ascii_digit() || c == '-' => {
                let start = self.pos;
                self.pos += 1;
                while self
                    .peek()
                    .is_some_and(|c| c.is_ascii_digit() || c == '_' || c == ' ' || c == '*')
                {
                    self.pos += 1;
                }
                let text: String = self.chars[start..self.pos].iter().collect();
                eval_int(text.trim())
                    .map(Py::Int)
                    .ok_or_else(|| format!("not an integer: {}", text.trim()))?
            }
            c if c.is_ascii_alphabetic() || c == '_' => {
                let start = self.pos;
                let word = self.ident();
                if (word == "r" || word == "R") && matches!(self.peek(), Some('\'') | Some('"')) {
                    Py::Str(self.string(true)?)
                } else {
                    match word.as_str() {
                        "True" => Py::Bool(true),
                        "False" => Py::Bool(false),
                        "None" => Py::None,
                        _ => {
                            self.pos = start;
                            self.rest_of_expression(depth)?;
                            Py::Other
                        }
                    }
                }
            }
            other => return Err(format!("unexpected character '{other}'")),
        };
        Ok(v)
    }

    fn balanced(&mut self) -> Result<(), String> {
        let mut depth = 0i32;
        while let Some(c) = self.peek() {
            match c {
                '\'' | '"' => {
                    self.string(false)?;
                    continue;
                }
                '(' | '[' | '{' => depth += 1,
                ')' | ']' | '}' => {
                    depth -= 1;
                    if depth == 0 {
                        self.pos += 1;
                        return Ok(());
                    }
                }
                _ => {}
            }
            self.pos += 1;
        }
        Err("a bracket was never closed".into())
    }

    /// Skips an expression the reader does not evaluate, to the end of its
    /// line (or to the next `,`/closing bracket inside brackets).
    fn rest_of_expression(&mut self, depth: usize) -> Result<(), String> {
        while let Some(c) = self.peek() {
            match c {
                '\n' if depth == 0 => return Ok(()),
                ',' | ')' | ']' if depth > 0 => return Ok(()),
                '(' | '[' | '{' => self.balanced()?,
                '\'' | '"' => {
                    self.string(false)?;
                }
                '#' if depth == 0 => return Ok(()),
                _ => self.pos += 1,
            }
        }
        let _ = self.src;
        Ok(())
    }
}

/// `60 * 60 * 24 * 14`, `1_209_600`, `-1`.
fn eval_int(text: &str) -> Option<i64> {
    let mut total: i64 = 1;
    for part in text.split('*') {
        let p = part.trim().replace('_', "");
        if p.is_empty() {
            return None;
        }
        total = total.checked_mul(p.parse::<i64>().ok()?)?;
    }
    Some(total)
}

/// Every top-level `NAME = value` of the file, with its line; statements
/// that are not assignments (imports, `if`) are skipped.
pub fn assignments(text: &str) -> Vec<(String, usize, Result<Py, String>)> {
    let mut lx = Lexer {
        chars: text.chars().collect(),
        pos: 0,
        src: text,
    };
    let mut out = Vec::new();
    while lx.pos < lx.chars.len() {
        lx.skip(false);
        let line = lx.line();
        let c = lx.peek();
        let name = if c.is_some_and(|c| c.is_ascii_uppercase() || c == '_') {
            lx.ident()
        } else {
            String::new()
        };
        lx.skip(false);
        if !name.is_empty() && lx.peek() == Some('=') && lx.chars.get(lx.pos + 1) != Some(&'=') {
            lx.pos += 1;
            let v = lx.value(0);
            lx.skip(false);
            let v = match (v, lx.peek()) {
                (Ok(v), None | Some('\n') | Some('#')) => Ok(v),
                (Ok(_), Some(_)) => {
                    let _ = lx.rest_of_expression(0);
                    Ok(Py::Other)
                }
                (Err(e), _) => Err(e),
            };
            out.push((name, line, v));
        }
        // To the end of this line (the value's own lines are consumed).
        while lx.peek().is_some_and(|c| c != '\n') {
            if matches!(lx.peek(), Some('\'') | Some('"')) {
                if lx.string(false).is_err() {
                    break;
                }
            } else {
                lx.pos += 1;
            }
        }
        lx.pos += 1;
    }
    out
}

fn want_str(v: &Py) -> Result<String, String> {
    match v {
        Py::Str(s) => Ok(s.clone()),
        _ => Err("should be a string".into()),
    }
}

fn want_bool(v: &Py) -> Result<bool, String> {
    match v {
        Py::Bool(b) => Ok(*b),
        _ => Err("should be True or False".into()),
    }
}

fn want_int(v: &Py) -> Result<i64, String> {
    match v {
        Py::Int(i) => Ok(*i),
        _ => Err("should be an integer".into()),
    }
}

fn want_strs(v: &Py) -> Result<Vec<String>, String> {
    match v {
        Py::List(items) | Py::Tuple(items) => items.iter().map(want_str).collect(),
        Py::Str(_) => Err(
            "should be a list of strings, not one string (Python would iterate its characters)"
                .into(),
        ),
        _ => Err("should be a list of strings".into()),
    }
}

fn want_opt_str(v: &Py) -> Result<Option<String>, String> {
    match v {
        Py::None => Ok(None),
        _ => want_str(v).map(Some),
    }
}

fn want_samesite(v: &Py) -> Result<SameSiteSetting, String> {
    match v {
        Py::Bool(false) | Py::None => Ok(SameSiteSetting::False),
        Py::Str(s) => match s.to_ascii_lowercase().as_str() {
            "lax" => Ok(SameSiteSetting::Lax),
            "strict" => Ok(SameSiteSetting::Strict),
            "none" => Ok(SameSiteSetting::None),
            _ => Err(format!(
                "must be 'Lax', 'Strict', 'None' or False (set_cookie raises ValueError: samesite must be \"lax\", \"none\", or \"strict\"; got {})",
                py_str(s)
            )),
        },
        _ => Err("must be 'Lax', 'Strict', 'None' or False".into()),
    }
}

/// Reads `settings.py` onto `base` (what the file does not set keeps its
/// value: pass `DjangoApp::default()` for Django's defaults).
pub fn read_onto(text: &str, base: DjangoApp) -> (DjangoApp, Vec<SettingError>) {
    let mut app = base;
    let mut errors = Vec::new();
    for (name, line, value) in assignments(text) {
        let value = match value {
            Ok(v) => v,
            Err(message) => {
                errors.push(SettingError {
                    setting: name,
                    line,
                    message,
                });
                continue;
            }
        };
        if let Err(message) = apply(&mut app, &name, &value) {
            errors.push(SettingError {
                setting: name,
                line,
                message,
            });
        }
    }
    (app, errors)
}

/// Reads `settings.py` over Django's defaults.
pub fn read(text: &str) -> Result<DjangoApp, Vec<SettingError>> {
    let (app, errors) = read_onto(text, DjangoApp::default());
    if errors.is_empty() {
        Ok(app)
    } else {
        Err(errors)
    }
}

/// One setting onto the app.
pub fn apply(app: &mut DjangoApp, name: &str, v: &Py) -> Result<(), String> {
    match name {
        "DEBUG" => app.debug = want_bool(v)?,
        "ALLOWED_HOSTS" => app.allowed_hosts = want_strs(v)?,
        "APPEND_SLASH" => app.append_slash = want_bool(v)?,
        "SECURE_PROXY_SSL_HEADER" => {
            app.secure_proxy_ssl_header = match v {
                Py::None => None,
                Py::Tuple(items) | Py::List(items) if items.len() == 2 => {
                    Some((want_str(&items[0])?, want_str(&items[1])?))
                }
                _ => return Err(
                    "The SECURE_PROXY_SSL_HEADER setting must be a tuple containing two values."
                        .into(),
                ),
            }
        }
        "MIDDLEWARE" => {
            let m = want_strs(v)?;
            let cors = m
                .iter()
                .position(|x| x == "corsheaders.middleware.CorsMiddleware");
            let common = m
                .iter()
                .position(|x| x == "django.middleware.common.CommonMiddleware");
            app.cors_position = match (cors, common) {
                (None, _) => CorsPosition::Missing,
                (Some(c), Some(k)) if c > k => CorsPosition::AfterCommon,
                _ => CorsPosition::First,
            };
        }
        "CORS_ALLOWED_ORIGINS" | "CORS_ORIGIN_WHITELIST" => {
            app.cors.allowed_origins = want_strs(v)?
        }
        "CORS_ALLOWED_ORIGIN_REGEXES" | "CORS_ORIGIN_REGEX_WHITELIST" => {
            app.cors.allowed_origin_regexes = want_strs(v)?
        }
        "CORS_ALLOW_ALL_ORIGINS" | "CORS_ORIGIN_ALLOW_ALL" => {
            app.cors.allow_all_origins =
                want_bool(v).map_err(|_| format!("{name} should be a bool. (corsheaders.E005)"))?
        }
        "CORS_URLS_REGEX" => app.cors.urls_regex = want_str(v)?,
        "CORS_ALLOW_METHODS" => {
            app.cors.allow_methods = want_strs(v).map_err(|_| {
                "CORS_ALLOW_METHODS should be a sequence of strings. (corsheaders.E002)".to_string()
            })?
        }
        "CORS_ALLOW_HEADERS" => {
            app.cors.allow_headers = want_strs(v).map_err(|_| {
                "CORS_ALLOW_HEADERS should be a sequence of strings. (corsheaders.E001)".to_string()
            })?
        }
        "CORS_EXPOSE_HEADERS" => {
            app.cors.expose_headers = want_strs(v).map_err(|_| {
                "CORS_EXPOSE_HEADERS should be a sequence. (corsheaders.E008)".to_string()
            })?
        }
        "CORS_PREFLIGHT_MAX_AGE" => app.cors.preflight_max_age = want_int(v)?,
        "CORS_ALLOW_CREDENTIALS" => {
            app.cors.allow_credentials = want_bool(v).map_err(|_| {
                "CORS_ALLOW_CREDENTIALS should be a bool. (corsheaders.E003)".to_string()
            })?
        }
        "CORS_ALLOW_PRIVATE_NETWORK" => {
            app.cors.allow_private_network = want_bool(v).map_err(|_| {
                "CORS_ALLOW_PRIVATE_NETWORK should be a bool. (corsheaders.E015)".to_string()
            })?
        }
        "SESSION_ENGINE" => {
            let m = want_str(v)?;
            app.session.engine = SessionEngine::from_module(&m).ok_or_else(|| {
                format!(
                    "Crumbtrail models django.contrib.sessions.backends.db, .cache and \
                     .signed_cookies, not {}",
                    py_str(&m)
                )
            })?
        }
        "SESSION_COOKIE_NAME" => app.session.cookie_name = want_str(v)?,
        "SESSION_COOKIE_AGE" => app.session.cookie_age = want_int(v)?,
        "SESSION_COOKIE_DOMAIN" => app.session.cookie_domain = want_opt_str(v)?,
        "SESSION_COOKIE_PATH" => app.session.cookie_path = want_str(v)?,
        "SESSION_COOKIE_SECURE" => app.session.cookie_secure = want_bool(v)?,
        "SESSION_COOKIE_HTTPONLY" => app.session.cookie_httponly = want_bool(v)?,
        "SESSION_COOKIE_SAMESITE" => app.session.cookie_samesite = want_samesite(v)?,
        "SESSION_SAVE_EVERY_REQUEST" => app.session.save_every_request = want_bool(v)?,
        "SESSION_EXPIRE_AT_BROWSER_CLOSE" => app.session.expire_at_browser_close = want_bool(v)?,
        "CSRF_COOKIE_NAME" => app.csrf.cookie_name = want_str(v)?,
        "CSRF_COOKIE_AGE" => {
            app.csrf.cookie_age = match v {
                Py::None => None,
                _ => Some(want_int(v)?),
            }
        }
        "CSRF_COOKIE_DOMAIN" => app.csrf.cookie_domain = want_opt_str(v)?,
        "CSRF_COOKIE_PATH" => app.csrf.cookie_path = want_str(v)?,
        "CSRF_COOKIE_SECURE" => app.csrf.cookie_secure = want_bool(v)?,
        "CSRF_COOKIE_HTTPONLY" => app.csrf.cookie_httponly = want_bool(v)?,
        "CSRF_COOKIE_SAMESITE" => app.csrf.cookie_samesite = want_samesite(v)?,
        "CSRF_TRUSTED_ORIGINS" => app.csrf.trusted_origins = want_strs(v)?,
        "CSRF_USE_SESSIONS" => app.csrf.use_sessions = want_bool(v)?,
        "CSRF_HEADER_NAME" => {
            let h = want_str(v)?;
            if !h.starts_with("HTTP_") {
                return Err(format!(
                    "is a request.META key: write 'HTTP_X_CSRFTOKEN' for the X-CSRFToken header, not {}",
                    py_str(&h)
                ));
            }
            app.csrf.header_name = h
        }
        // Settings this model does not read (SECRET_KEY, DATABASES…).
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals() {
        let a = assignments(
            "X = ['a', \"b\",\n  # comment\n  r'^\\d+$',]\nY = ('h', 'v')\nZ = 60 * 60\nW = ('one')\nimport os\nV = os.environ.get('A', 'b')\n",
        );
        assert_eq!(
            a[0].2,
            Ok(Py::List(vec![
                Py::Str("a".into()),
                Py::Str("b".into()),
                Py::Str("^\\d+$".into())
            ]))
        );
        assert_eq!(
            a[1].2,
            Ok(Py::Tuple(vec![Py::Str("h".into()), Py::Str("v".into())]))
        );
        assert_eq!(a[2].2, Ok(Py::Int(3600)));
        assert_eq!(a[3].2, Ok(Py::Str("one".into())));
        assert_eq!(a[4].0, "V");
        assert_eq!(a[4].2, Ok(Py::Other));
        let e = assignments("A = 'a\\x7fb\\u00e9\\0c'\nB = '\\x4'\n");
        assert_eq!(e[0].2, Ok(Py::Str("a\u{7f}b\u{e9}\u{0}c".into())));
        assert!(e[1].2.is_err());
    }

    #[test]
    fn errors_name_the_setting_and_line() {
        let e = read("DEBUG = True\nSESSION_COOKIE_SAMESITE = 'Relaxed'\nCORS_ALLOWED_ORIGINS = 'http://a.test'\nCSRF_TRUSTED_ORIGINS = ['x',\n").unwrap_err();
        assert_eq!(e[0].setting, "SESSION_COOKIE_SAMESITE");
        assert_eq!(e[0].line, 2);
        assert!(e[0].message.contains("ValueError"));
        assert_eq!(e[1].setting, "CORS_ALLOWED_ORIGINS");
        assert_eq!(e[2].setting, "CSRF_TRUSTED_ORIGINS");
        assert_eq!(e[2].line, 4);
    }

    #[test]
    fn fields_take_python_literals() {
        let mut app = DjangoApp::default();
        set_literal(
            &mut app,
            "CORS_ALLOWED_ORIGINS",
            "['http://localhost:5173', ]",
        )
        .unwrap();
        assert_eq!(app.cors.allowed_origins, ["http://localhost:5173"]);
        set_literal(&mut app, "SESSION_COOKIE_AGE", "60 * 60").unwrap();
        assert_eq!(app.session.cookie_age, 3600);
        let before = app.clone();
        assert!(set_literal(&mut app, "CORS_ALLOW_CREDENTIALS", "true").is_err());
        assert!(set_literal(&mut app, "CORS_ALLOWED_ORIGINS", "['a',").is_err());
        assert!(set_literal(&mut app, "SESSION_COOKIE_SAMESITE", "'Lax' x").is_err());
        assert!(set_literal(&mut app, "SECRET_KEY", "'x'").is_err());
        assert_eq!(app, before);
        for name in editable() {
            let lit = literal_of(&app, name).unwrap();
            let mut back = DjangoApp::default();
            set_literal(&mut back, name, &lit).unwrap_or_else(|e| panic!("{name} = {lit}: {e}"));
            assert_eq!(literal_of(&back, name).unwrap(), lit, "{name}");
        }
    }

    #[test]
    fn written_settings_read_back() {
        let mut app = DjangoApp::default();
        assert_eq!(read(&write(&app)).unwrap(), app);
        app.version = DjangoVersion::V5_2;
        app.debug = true;
        app.allowed_hosts = vec![".example.com".into(), "it's".into()];
        app.secure_proxy_ssl_header = Some(("HTTP_X_FORWARDED_PROTO".into(), "https".into()));
        app.cors_position = CorsPosition::AfterCommon;
        app.cors.allowed_origins = vec!["https://app.example.com".into()];
        app.cors.allowed_origin_regexes = vec![r"^https://\w+\.example\.com$".into()];
        app.cors.allow_credentials = true;
        app.cors.preflight_max_age = 0;
        app.cors.expose_headers = vec!["X-Total".into()];
        app.session.engine = SessionEngine::SignedCookies;
        app.session.cookie_samesite = SameSiteSetting::None;
        app.session.cookie_secure = true;
        app.session.cookie_domain = Some(".example.com".into());
        app.csrf.cookie_samesite = SameSiteSetting::False;
        app.csrf.cookie_age = None;
        app.csrf.trusted_origins = vec!["https://*.example.com".into()];
        app.csrf.use_sessions = true;
        let back = read(&write(&app)).unwrap();
        // The version is not in settings.py; the URLconf is in urls.py.
        assert_eq!(
            DjangoApp {
                version: app.version,
                ..back
            },
            app
        );
        app.cors_position = CorsPosition::Missing;
        assert_eq!(
            read(&write(&app)).unwrap().cors_position,
            CorsPosition::Missing
        );
    }
}
