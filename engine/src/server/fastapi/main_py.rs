//! `main.py` both ways: [`write`] generates the FastAPI app the settings
//! describe, runnable as is (`uvicorn main:app` with [`uvicorn_args`]; the
//! differential suite runs exactly this file), and [`read`] reads the
//! settings back from such a file: the `app.add_middleware(...)` calls and
//! their keyword arguments, `FastAPI(redirect_slashes=...)`, the login's
//! `response.set_cookie(...)`, and the uvicorn command line in the `# Run:`
//! comment. `read(&write(app))` gives `app` back.

use super::literals::{literal_of, set_literal};
use super::settings::*;

/// Each middleware's keyword arguments: (argument, setting name).
const CORS_ARGS: [(&str, &str); 8] = [
    ("allow_origins", "allow_origins"),
    ("allow_origin_regex", "allow_origin_regex"),
    ("allow_credentials", "allow_credentials"),
    ("allow_methods", "allow_methods"),
    ("allow_headers", "allow_headers"),
    ("expose_headers", "expose_headers"),
    ("max_age", "max_age"),
    ("allow_private_network", "allow_private_network"),
];
const SESSION_ARGS: [(&str, &str); 8] = [
    ("secret_key", "secret_key"),
    ("session_cookie", "session_cookie"),
    ("max_age", "session_max_age"),
    ("path", "path"),
    ("same_site", "same_site"),
    ("https_only", "https_only"),
    ("domain", "domain"),
    ("partitioned", "partitioned"),
];

fn args_of(m: Middleware) -> &'static [(&'static str, &'static str)] {
    match m {
        Middleware::Cors => &CORS_ARGS,
        Middleware::Session => &SESSION_ARGS,
        Middleware::HttpsRedirect => &[],
    }
}

/// The uvicorn options after `uvicorn main:app` that differ from its defaults.
pub fn uvicorn_args(app: &FastApiApp) -> Vec<String> {
    let mut out = Vec::new();
    if !app.proxy_headers {
        out.push("--no-proxy-headers".to_string());
    }
    if let Some(ips) = &app.forwarded_allow_ips {
        out.push(format!("--forwarded-allow-ips={ips}"));
    }
    out
}

/// The whole `main.py`.
pub fn write(app: &FastApiApp) -> String {
    let d = FastApiApp::default();
    let v = app.version;
    let mut s = String::new();
    s.push_str(&format!(
        "# FastAPI {} (Starlette {}), as Crumbtrail models it.\n",
        match v {
            FastApiVersion::V0_110 => "0.110.0",
            FastApiVersion::V0_165 => "0.165.0",
        },
        v.starlette()
    ));
    let mut run = vec!["uvicorn main:app".to_string()];
    run.extend(uvicorn_args(app));
    s.push_str(&format!("# Run: {}\n", run.join(" ")));
    if app.front != d.front || app.proxy_ip != d.proxy_ip {
        s.push_str(&format!(
            "# Behind: front={}, proxy_ip={}\n",
            literal_of(app, "front").unwrap_or_default(),
            literal_of(app, "proxy_ip").unwrap_or_default()
        ));
    }
    s.push_str("from fastapi import FastAPI, HTTPException, Request, Response\n");
    for m in &app.middleware {
        s.push_str(&format!("from {} import {}\n", m.module(), m.class()));
    }
    s.push('\n');
    if app.redirect_slashes {
        s.push_str("app = FastAPI()\n");
    } else {
        s.push_str("app = FastAPI(redirect_slashes=False)\n");
    }
    s.push_str("# The last middleware added is the outermost.\n");
    for m in &app.middleware {
        let args: Vec<String> = args_of(*m)
            .iter()
            .filter_map(|(arg, name)| {
                let lit = literal_of(app, name)?;
                (*name == "secret_key" || Some(&lit) != literal_of(&d, name).as_ref())
                    .then(|| format!("    {arg}={lit},\n"))
            })
            .collect();
        if args.is_empty() {
            s.push_str(&format!("app.add_middleware({})\n", m.class()));
        } else {
            s.push_str(&format!(
                "app.add_middleware(\n    {},\n{})\n",
                m.class(),
                args.concat()
            ));
        }
    }
    let session = app.has(Middleware::Session);
    s.push_str(&format!(
        "\n\n@app.post(\"{LOGIN_PATH}\")\ndef login(request: Request, response: Response):\n"
    ));
    if session {
        s.push_str("    request.session[\"user_id\"] = 1\n");
    }
    if let Some(c) = &app.set_cookie {
        s.push_str(&format!(
            "    response.set_cookie({})\n",
            super::literals::set_cookie_args(c)
        ));
    }
    s.push_str("    return {\"ok\": True}\n");
    s.push_str(&format!(
        "\n\n@app.get(\"{ME_PATH}\")\ndef me(request: Request):\n"
    ));
    if session {
        s.push_str("    user_id = request.session.get(\"user_id\")\n");
    } else if let Some(c) = &app.set_cookie {
        s.push_str(&format!(
            "    user_id = 1 if request.cookies.get({}) == {} else None\n",
            crate::server::django::settings_py::py_str(&c.key),
            crate::server::django::settings_py::py_str(&c.value)
        ));
    } else {
        s.push_str("    user_id = None\n");
    }
    s.push_str(
        "    if user_id is None:\n        raise HTTPException(status_code=401, detail=\"Not authenticated\")\n    return {\"user_id\": user_id}\n",
    );
    s.push_str(&format!(
        "\n\n@app.post(\"{LOGOUT_PATH}\")\ndef logout(request: Request):\n"
    ));
    if session {
        s.push_str("    request.session.clear()\n");
    }
    s.push_str("    return {\"ok\": True}\n");
    s.push_str(&format!(
        "\n\n@app.get(\"{BOOM_PATH}\")\ndef boom():\n    raise RuntimeError(\"boom\")\n"
    ));
    s
}

/// An error for one line of the file (shown next to the reader's box).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadError {
    /// 1-based line.
    pub line: usize,
    pub message: String,
}

/// The text of a call's parentheses starting at `open` (the index of `(`),
/// and the index after its `)`.
fn call_args(text: &str, open: usize) -> Option<(&str, usize)> {
    let mut depth = 0;
    let mut quote = None::<char>;
    let mut escaped = false;
    for (i, c) in text[open..].char_indices() {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '\'' | '"' => quote = Some(c),
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => {
                depth -= 1;
                if depth == 0 {
                    return Some((&text[open + 1..open + i], open + i + 1));
                }
            }
            _ => {}
        }
    }
    None
}

/// Splits call arguments at the top-level commas (comments dropped).
fn split_top(args: &str) -> Vec<String> {
    let cleaned: String = args
        .lines()
        .map(|l| {
            // A `#` outside a string starts a comment.
            let mut quote = None;
            let mut end = l.len();
            for (i, c) in l.char_indices() {
                match (quote, c) {
                    (None, '\'' | '"') => quote = Some(c),
                    (Some(q), c) if c == q => quote = None,
                    (None, '#') => {
                        end = i;
                        break;
                    }
                    _ => {}
                }
            }
            &l[..end]
        })
        .collect::<Vec<_>>()
        .join(" ");
    let mut out = Vec::new();
    let (mut depth, mut quote, mut cur) = (0i32, None::<char>, String::new());
    for c in cleaned.chars() {
        if let Some(q) = quote {
            if c == q {
                quote = None;
            }
            cur.push(c);
            continue;
        }
        match c {
            '\'' | '"' => quote = Some(c),
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            ',' if depth == 0 => {
                out.push(std::mem::take(&mut cur).trim().to_string());
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    if !cur.trim().is_empty() {
        out.push(cur.trim().to_string());
    }
    out.retain(|a| !a.is_empty());
    out
}

fn line_of(text: &str, at: usize) -> usize {
    text[..at].matches('\n').count() + 1
}

/// Reads `main.py`: the app, or every error with its line.
pub fn read(text: &str) -> Result<FastApiApp, Vec<ReadError>> {
    let mut app = FastApiApp {
        middleware: Vec::new(),
        ..FastApiApp::default()
    };
    let mut errors = Vec::new();
    let mut err = |at: usize, message: String| {
        errors.push(ReadError {
            line: line_of(text, at),
            message,
        })
    };
    if text.contains("(Starlette 0.36") {
        app.version = FastApiVersion::V0_110;
    }
    // `# Run: uvicorn main:app --no-proxy-headers --forwarded-allow-ips=...`
    if let Some(at) = text.find("# Run: uvicorn main:app") {
        let line = text[at..].lines().next().unwrap_or("");
        for opt in line.split_whitespace().skip(4) {
            if opt == "--no-proxy-headers" {
                app.proxy_headers = false;
            } else if opt == "--proxy-headers" {
                app.proxy_headers = true;
            } else if let Some(ips) = opt.strip_prefix("--forwarded-allow-ips=") {
                app.forwarded_allow_ips = Some(ips.trim_matches(['\'', '"']).to_string());
            } else {
                err(
                    at,
                    format!("uvicorn option `{opt}` is not one Crumbtrail models"),
                );
            }
        }
    }
    if let Some(at) = text.find("# Behind: ") {
        let line = text[at + "# Behind: ".len()..].lines().next().unwrap_or("");
        for part in line.split(", ") {
            if let Some((k, v)) = part.split_once('=') {
                if let Err(e) = set_literal(&mut app, k.trim(), v.trim()) {
                    err(at, format!("{k}: {e}"));
                }
            }
        }
    }
    if let Some(at) = text.find("FastAPI(") {
        if let Some((args, _)) = call_args(text, at + "FastAPI".len()) {
            for a in split_top(args) {
                match a.split_once('=') {
                    Some(("redirect_slashes", v)) => {
                        if let Err(e) = set_literal(&mut app, "redirect_slashes", v.trim()) {
                            err(at, format!("redirect_slashes: {e}"));
                        }
                    }
                    _ => err(
                        at,
                        format!("FastAPI({a}): not an argument Crumbtrail models"),
                    ),
                }
            }
        }
    }
    let mut from = 0;
    while let Some(rel) = text[from..].find("app.add_middleware(") {
        let at = from + rel;
        let open = at + "app.add_middleware".len();
        let Some((args, end)) = call_args(text, open) else {
            err(at, "add_middleware( is not closed".into());
            break;
        };
        from = end;
        let parts = split_top(args);
        let Some(class) = parts.first() else {
            err(at, "add_middleware() needs the middleware class".into());
            continue;
        };
        let Some(m) = Middleware::from_class(class) else {
            err(at, format!("`{class}`: the model knows CORSMiddleware, SessionMiddleware and HTTPSRedirectMiddleware"));
            continue;
        };
        if app.middleware.contains(&m) {
            err(at, format!("{class} is added twice"));
            continue;
        }
        app.middleware.push(m);
        for a in &parts[1..] {
            let Some((k, v)) = a.split_once('=') else {
                err(at, format!("`{a}`: pass the options as keyword arguments"));
                continue;
            };
            let k = k.trim();
            let Some((_, name)) = args_of(m).iter().find(|(arg, _)| *arg == k) else {
                err(
                    at,
                    format!("{class}() got an unexpected keyword argument '{k}'"),
                );
                continue;
            };
            if let Err(e) = set_literal(&mut app, name, v.trim()) {
                err(at, format!("{k}: {e}"));
            }
        }
    }
    if let Some(at) = text.find("response.set_cookie(") {
        if let Some((args, _)) = call_args(text, at + "response.set_cookie".len()) {
            if let Err(e) = set_literal(&mut app, "set_cookie", &split_top(args).join(", ")) {
                err(at, format!("set_cookie: {e}"));
            }
        }
    }
    if errors.is_empty() {
        Ok(app)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_main_py_reads_back() {
        let mut apps = vec![FastApiApp::default()];
        let mut a = FastApiApp {
            version: FastApiVersion::V0_110,
            middleware: vec![Middleware::HttpsRedirect, Middleware::Cors],
            redirect_slashes: false,
            proxy_headers: false,
            forwarded_allow_ips: Some("10.0.0.0/8,127.0.0.1".into()),
            front: Front::TlsProxy,
            proxy_ip: "10.1.2.3".into(),
            ..FastApiApp::default()
        };
        a.cors.allow_origins = vec!["https://app.example.com".into()];
        a.cors.allow_origin_regex = Some(r"https://.*\.example\.com".into());
        a.cors.expose_headers = vec!["X-Total, X-Page".into()];
        a.set_cookie = Some(SetCookieCall {
            key: "token".into(),
            value: "a,b".into(),
            samesite: None,
            secure: true,
            ..SetCookieCall::default()
        });
        apps.push(a);
        let mut b = FastApiApp::default();
        b.session.max_age = None;
        b.session.domain = Some("example.com".into());
        b.session.partitioned = true;
        b.cors.allow_methods = vec!["*".into()];
        apps.push(b);
        for app in apps {
            let code = write(&app);
            assert_eq!(read(&code), Ok(app.clone()), "{code}");
        }
    }

    #[test]
    fn errors_name_their_line() {
        let text = "from fastapi import FastAPI\napp = FastAPI()\n\napp.add_middleware(\n    CORSMiddleware,\n    allow_origin=['x'],\n)\napp.add_middleware(GZipMiddleware)\n";
        let e = read(text).unwrap_err();
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].line, 4);
        assert!(e[0]
            .message
            .contains("unexpected keyword argument 'allow_origin'"));
        assert!(e[1].message.contains("GZipMiddleware"));
    }
}
