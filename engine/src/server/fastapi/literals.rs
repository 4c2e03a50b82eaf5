//! The app's settings one at a time, each as the Python literal `main.py`
//! passes (the form's fields and the permalink's `fa.*` values): what the
//! engine cannot read is an error for that field, never a panic.

use crate::server::django::settings_py::{parse_literal, py_str, Py};

use super::settings::*;

/// The settings, in `main.py` order. Each is the keyword argument's name;
/// `session_max_age` is SessionMiddleware's `max_age` (CORSMiddleware has
/// one too).
pub const NAMES: [&str; 23] = [
    "middleware",
    "allow_origins",
    "allow_origin_regex",
    "allow_credentials",
    "allow_methods",
    "allow_headers",
    "expose_headers",
    "max_age",
    "allow_private_network",
    "secret_key",
    "session_cookie",
    "session_max_age",
    "path",
    "same_site",
    "https_only",
    "domain",
    "partitioned",
    "set_cookie",
    "redirect_slashes",
    "proxy_headers",
    "forwarded_allow_ips",
    "front",
    "proxy_ip",
];

/// How the form, the fixes and the field errors name a setting, in the
/// words of `main.py` and the uvicorn command line.
pub fn label(name: &str) -> &'static str {
    match name {
        "middleware" => "app.add_middleware order",
        "allow_origins" => "CORSMiddleware allow_origins",
        "allow_origin_regex" => "CORSMiddleware allow_origin_regex",
        "allow_credentials" => "CORSMiddleware allow_credentials",
        "allow_methods" => "CORSMiddleware allow_methods",
        "allow_headers" => "CORSMiddleware allow_headers",
        "expose_headers" => "CORSMiddleware expose_headers",
        "max_age" => "CORSMiddleware max_age",
        "allow_private_network" => "CORSMiddleware allow_private_network",
        "secret_key" => "SessionMiddleware secret_key",
        "session_cookie" => "SessionMiddleware session_cookie",
        "session_max_age" => "SessionMiddleware max_age",
        "path" => "SessionMiddleware path",
        "same_site" => "SessionMiddleware same_site",
        "https_only" => "SessionMiddleware https_only",
        "domain" => "SessionMiddleware domain",
        "partitioned" => "SessionMiddleware partitioned",
        "set_cookie" => "response.set_cookie(...) in the login",
        "redirect_slashes" => "FastAPI(redirect_slashes=...)",
        "proxy_headers" => "uvicorn --proxy-headers",
        "forwarded_allow_ips" => "uvicorn --forwarded-allow-ips",
        "front" => "In front of uvicorn",
        "proxy_ip" => "The proxy's address",
        _ => "FastAPI setting",
    }
}

/// A setting's value as a fix shows it: the literal, with `None` said in
/// words (uvicorn's default for `--forwarded-allow-ips`).
pub fn shown(app: &FastApiApp, name: &str) -> Option<String> {
    let lit = literal_of(app, name)?;
    Some(match (name, lit.as_str()) {
        ("forwarded_allow_ips", "None") => format!(
            "unset (uvicorn's default, {})",
            py_str(app.version.default_forwarded_allow_ips())
        ),
        (_, "None") => "unset".into(),
        _ => lit,
    })
}

fn py_bool(b: bool) -> String {
    if b { "True" } else { "False" }.into()
}

pub fn py_list(items: &[String]) -> String {
    format!(
        "[{}]",
        items
            .iter()
            .map(|i| py_str(i))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

fn py_opt_str(v: &Option<String>) -> String {
    v.as_deref().map(py_str).unwrap_or_else(|| "None".into())
}

fn py_opt_int(v: Option<i64>) -> String {
    v.map(|i| i.to_string()).unwrap_or_else(|| "None".into())
}

fn front_str(f: Front) -> &'static str {
    match f {
        Front::Direct => "direct",
        Front::TlsProxy => "tls-proxy",
    }
}

/// The keyword arguments of a `set_cookie` call that differ from
/// Starlette's defaults (`key` and `value` always).
pub fn set_cookie_args(c: &SetCookieCall) -> String {
    let d = SetCookieCall::default();
    let mut out = vec![
        format!("key={}", py_str(&c.key)),
        format!("value={}", py_str(&c.value)),
    ];
    if c.max_age.is_some() {
        out.push(format!("max_age={}", py_opt_int(c.max_age)));
    }
    if c.expires.is_some() {
        out.push(format!("expires={}", py_opt_str(&c.expires)));
    }
    if c.path != d.path {
        out.push(format!("path={}", py_opt_str(&c.path)));
    }
    if c.domain.is_some() {
        out.push(format!("domain={}", py_opt_str(&c.domain)));
    }
    if c.secure {
        out.push("secure=True".into());
    }
    if c.httponly {
        out.push("httponly=True".into());
    }
    if c.samesite != d.samesite {
        out.push(format!("samesite={}", py_opt_str(&c.samesite)));
    }
    if c.partitioned {
        out.push("partitioned=True".into());
    }
    out.join(", ")
}

/// The literal of one setting; `None` for a name that is not one.
pub fn literal_of(app: &FastApiApp, name: &str) -> Option<String> {
    let c = &app.cors;
    let s = &app.session;
    Some(match name {
        "middleware" => format!(
            "[{}]",
            app.middleware
                .iter()
                .map(|m| py_str(m.class()))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        "allow_origins" => py_list(&c.allow_origins),
        "allow_origin_regex" => py_opt_str(&c.allow_origin_regex),
        "allow_credentials" => py_bool(c.allow_credentials),
        "allow_methods" => py_list(&c.allow_methods),
        "allow_headers" => py_list(&c.allow_headers),
        "expose_headers" => py_list(&c.expose_headers),
        "max_age" => c.max_age.to_string(),
        "allow_private_network" => py_bool(c.allow_private_network),
        "secret_key" => py_str(&s.secret_key),
        "session_cookie" => py_str(&s.session_cookie),
        "session_max_age" => py_opt_int(s.max_age),
        "path" => py_str(&s.path),
        "same_site" => py_str(s.same_site.as_str()),
        "https_only" => py_bool(s.https_only),
        "domain" => py_opt_str(&s.domain),
        "partitioned" => py_bool(s.partitioned),
        "set_cookie" => match &app.set_cookie {
            Some(call) => set_cookie_args(call),
            None => "None".into(),
        },
        "redirect_slashes" => py_bool(app.redirect_slashes),
        "proxy_headers" => py_bool(app.proxy_headers),
        "forwarded_allow_ips" => py_opt_str(&app.forwarded_allow_ips),
        "front" => py_str(front_str(app.front)),
        "proxy_ip" => py_str(&app.proxy_ip),
        _ => return None,
    })
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

fn want_opt_int(v: &Py) -> Result<Option<i64>, String> {
    match v {
        Py::None => Ok(None),
        _ => want_int(v).map(Some),
    }
}

fn want_opt_str(v: &Py) -> Result<Option<String>, String> {
    match v {
        Py::None => Ok(None),
        _ => want_str(v).map(Some),
    }
}

fn want_strs(v: &Py) -> Result<Vec<String>, String> {
    match v {
        Py::List(items) | Py::Tuple(items) => items.iter().map(want_str).collect(),
        Py::Str(_) => Err(
            "should be a list of strings, not one string (Starlette would iterate its characters)"
                .into(),
        ),
        _ => Err("should be a list of strings".into()),
    }
}

/// Splits `a=1, b=[2, 3]` at the commas outside brackets and strings.
fn split_args(text: &str) -> Result<Vec<(String, String)>, String> {
    let mut parts = Vec::new();
    let (mut depth, mut quote, mut start) = (0i32, None::<char>, 0usize);
    let mut escaped = false;
    for (i, ch) in text.char_indices() {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if ch == '\\' {
                escaped = true;
            } else if ch == q {
                quote = None;
            }
            continue;
        }
        match ch {
            '\'' | '"' => quote = Some(ch),
            '[' | '(' | '{' => depth += 1,
            ']' | ')' | '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if quote.is_some() {
        return Err("a string is not closed".into());
    }
    parts.push(&text[start..]);
    let mut out = Vec::new();
    for p in parts.into_iter().map(str::trim).filter(|p| !p.is_empty()) {
        let Some((name, value)) = p.split_once('=') else {
            return Err(format!("`{p}`: write keyword arguments, `name=value`"));
        };
        out.push((name.trim().to_string(), value.trim().to_string()));
    }
    Ok(out)
}

/// Reads the arguments of `response.set_cookie(...)`, checking what
/// Starlette checks (`samesite` must be lax, strict or none).
pub fn parse_set_cookie(text: &str, version: FastApiVersion) -> Result<SetCookieCall, String> {
    let mut c = SetCookieCall::default();
    let mut has_key = false;
    for (name, value) in split_args(text)? {
        let v = parse_literal(&value).map_err(|e| format!("{name}: {e}"))?;
        let r: Result<(), String> = (|| {
            match name.as_str() {
                "key" => {
                    c.key = want_str(&v)?;
                    has_key = true;
                }
                "value" => c.value = want_str(&v)?,
                "max_age" => c.max_age = want_opt_int(&v)?,
                "expires" => {
                    c.expires = match &v {
                        Py::Int(i) => Some(i.to_string()),
                        _ => want_opt_str(&v)?,
                    }
                }
                "path" => c.path = want_opt_str(&v)?,
                "domain" => c.domain = want_opt_str(&v)?,
                "secure" => c.secure = want_bool(&v)?,
                "httponly" => c.httponly = want_bool(&v)?,
                "samesite" => {
                    let s = want_opt_str(&v)?;
                    if let Some(s) = &s {
                        if SameSite::parse(s).is_none() {
                            return Err(format!(
                                "AssertionError: samesite must be either 'strict', 'lax' or 'none' (got {})",
                                py_str(s)
                            ));
                        }
                    }
                    c.samesite = s;
                }
                "partitioned" => {
                    if !version.starlette_1() {
                        return Err(format!(
                            "TypeError: set_cookie() got an unexpected keyword argument 'partitioned' \
                             (Starlette {} has no partitioned cookies)",
                            version.starlette()
                        ));
                    }
                    c.partitioned = want_bool(&v)?
                }
                other => {
                    return Err(format!(
                        "TypeError: set_cookie() got an unexpected keyword argument '{other}'"
                    ))
                }
            }
            Ok(())
        })();
        r.map_err(|e| format!("{name}: {e}"))?;
    }
    if !has_key {
        return Err("set_cookie() needs key='…'".into());
    }
    if c.key.is_empty() || c.key.contains([';', '=', ' ', ',', '"']) {
        return Err(format!(
            "key={}: http.cookies raises CookieError: Illegal key",
            py_str(&c.key)
        ));
    }
    Ok(c)
}

fn parse_middleware(v: &Py) -> Result<Vec<Middleware>, String> {
    let names = want_strs(v)?;
    let mut out = Vec::new();
    for n in names {
        let m = Middleware::from_class(&n).ok_or_else(|| {
            format!("`{n}`: the model knows CORSMiddleware, SessionMiddleware and HTTPSRedirectMiddleware")
        })?;
        if out.contains(&m) {
            return Err(format!(
                "{n} is added twice: each one wraps the app again (add it once)"
            ));
        }
        out.push(m);
    }
    Ok(out)
}

/// One setting from its Python literal: `Err` is the message shown next to
/// its field, and the app is left unchanged.
pub fn set_literal(app: &mut FastApiApp, name: &str, text: &str) -> Result<(), String> {
    let mut next = app.clone();
    if name == "set_cookie" {
        next.set_cookie = if text.trim() == "None" || text.trim().is_empty() {
            None
        } else {
            Some(parse_set_cookie(text, app.version)?)
        };
        *app = next;
        return Ok(());
    }
    let v = parse_literal(text)?;
    let c = &mut next.cors;
    let s = &mut next.session;
    match name {
        "middleware" => next.middleware = parse_middleware(&v)?,
        "allow_origins" => {
            let list = want_strs(&v)?;
            if let Some(o) = list.iter().find(|o| o.ends_with('/') && o.contains("://")) {
                return Err(format!(
                    "`{o}` ends with `/`: an Origin never does, so Starlette never matches it \
                     (`origin in self.allow_origins` compares the whole string)"
                ));
            }
            c.allow_origins = list;
        }
        "allow_origin_regex" => {
            let r = want_opt_str(&v)?;
            if let Some(r) = &r {
                crate::server::django::pyregex::PyRegex::new(r)
                    .map_err(|e| format!("re.error: {}", e.message))?;
            }
            c.allow_origin_regex = r;
        }
        "allow_credentials" => c.allow_credentials = want_bool(&v)?,
        "allow_methods" => c.allow_methods = want_strs(&v)?,
        "allow_headers" => c.allow_headers = want_strs(&v)?,
        "expose_headers" => c.expose_headers = want_strs(&v)?,
        "max_age" => c.max_age = want_int(&v)?,
        "allow_private_network" => {
            let b = want_bool(&v)?;
            if b && !app.version.starlette_1() {
                return Err(format!(
                    "TypeError: CORSMiddleware got an unexpected keyword argument \
                     'allow_private_network' (Starlette {})",
                    app.version.starlette()
                ));
            }
            c.allow_private_network = b;
        }
        "secret_key" => {
            s.secret_key = want_str(&v)?;
        }
        "session_cookie" => {
            let n = want_str(&v)?;
            if n.is_empty() || n.contains([';', '=', ' ', ',']) {
                return Err(format!(
                    "`{n}` is not a cookie name (no `;`, `=`, `,` or space)"
                ));
            }
            s.session_cookie = n;
        }
        "session_max_age" => s.max_age = want_opt_int(&v)?,
        "path" => s.path = want_str(&v)?,
        "same_site" => {
            let t = want_str(&v)?;
            s.same_site = SameSite::parse(&t)
                .filter(|_| t == t.to_ascii_lowercase())
                .ok_or_else(|| {
                    format!(
                    "same_site is Literal[\"lax\", \"strict\", \"none\"] (lower case: Starlette \
                     writes it as given); got {}",
                    py_str(&t)
                )
                })?;
        }
        "https_only" => s.https_only = want_bool(&v)?,
        "domain" => s.domain = want_opt_str(&v)?,
        "partitioned" => {
            let b = want_bool(&v)?;
            if b && !app.version.starlette_1() {
                return Err(format!(
                    "TypeError: SessionMiddleware got an unexpected keyword argument 'partitioned' \
                     (Starlette {})",
                    app.version.starlette()
                ));
            }
            s.partitioned = b;
        }
        "redirect_slashes" => next.redirect_slashes = want_bool(&v)?,
        "proxy_headers" => next.proxy_headers = want_bool(&v)?,
        "forwarded_allow_ips" => next.forwarded_allow_ips = want_opt_str(&v)?,
        "front" => {
            next.front = match want_str(&v)?.as_str() {
                "direct" => Front::Direct,
                "tls-proxy" => Front::TlsProxy,
                other => {
                    return Err(format!(
                        "`{other}`: 'direct' (the browser reaches uvicorn) or 'tls-proxy' (a TLS \
                         proxy in front)"
                    ))
                }
            }
        }
        "proxy_ip" => {
            let ip = want_str(&v)?;
            if ip.parse::<std::net::IpAddr>().is_err() {
                return Err(format!("`{ip}` is not an IP address"));
            }
            next.proxy_ip = ip;
        }
        _ => return Err(format!("{name} is not a setting Crumbtrail models")),
    }
    *app = next;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_literal_reads_back_to_the_same_app() {
        let mut app = FastApiApp {
            version: FastApiVersion::V0_165,
            ..FastApiApp::default()
        };
        app.cors.allow_origins = vec!["http://localhost:5173".into()];
        app.cors.allow_origin_regex = Some(r"https://.*\.example\.com".into());
        app.session.max_age = None;
        app.session.domain = Some("example.com".into());
        app.set_cookie = Some(SetCookieCall {
            samesite: Some("none".into()),
            secure: true,
            max_age: Some(60),
            path: None,
            ..SetCookieCall::default()
        });
        app.front = Front::TlsProxy;
        app.forwarded_allow_ips = Some("*".into());
        let mut back = FastApiApp::default();
        for n in NAMES {
            let lit = literal_of(&app, n).unwrap();
            assert_eq!(set_literal(&mut back, n, &lit), Ok(()), "{n}={lit}");
        }
        assert_eq!(back, app);
        assert_eq!(literal_of(&app, "nope"), None);
    }

    #[test]
    fn bad_values_are_field_errors_and_change_nothing() {
        let mut app = FastApiApp {
            version: FastApiVersion::V0_110,
            ..FastApiApp::default()
        };
        let before = app.clone();
        for (name, text, says) in [
            ("allow_origins", "'http://a.test'", "not one string"),
            ("allow_origins", "['http://a.test/']", "ends with `/`"),
            ("allow_origin_regex", "'(abc'", "re.error"),
            ("middleware", "['GZipMiddleware']", "knows CORSMiddleware"),
            (
                "middleware",
                "['CORSMiddleware', 'CORSMiddleware']",
                "twice",
            ),
            ("same_site", "'Lax'", "lower case"),
            ("set_cookie", "key='a', samesite='nope'", "AssertionError"),
            (
                "set_cookie",
                "key='a', partitioned=True",
                "unexpected keyword",
            ),
            ("set_cookie", "value='x'", "needs key"),
            ("set_cookie", "key='a b'", "Illegal key"),
            ("partitioned", "True", "Starlette 0.36.3"),
            ("proxy_ip", "'nginx'", "not an IP"),
            ("max_age", "'600'", "integer"),
            ("front", "'cdn'", "tls-proxy"),
            ("nope", "1", "not a setting"),
        ] {
            let e = set_literal(&mut app, name, text).unwrap_err();
            assert!(e.contains(says), "{name}={text}: {e}");
            assert_eq!(app, before);
        }
    }
}
