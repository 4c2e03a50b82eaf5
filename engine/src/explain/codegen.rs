//! The settings as code a user can paste: `config/initializers/cors.rb`, the
//! session store configuration (an initializer, or `config/application.rb`
//! lines for API-only apps), and the client call (fetch, axios, XHR, a
//! navigation). Readers for the `cors.rb` and `session_store.rb` subset turn
//! pasted code back into settings.
//!
//! The law between them: reading generated code back gives the settings,
//! except exactly the settings the generator reports in
//! [`Generated::left_out`] (each with why, and a comment in the code where
//! the item would be).

use crate::headers::HeaderList;
use crate::scenario::{
    BodyKind, Client, CredentialsMode, FormEnctype, NavigationForm, RedirectMode, RequestMode,
    RequestSpec, Scenario,
};
use crate::server::rack_cors::regexp::starts_interpolation;
use crate::server::rack_cors::{is_regexp_literal, Regexp};
use crate::server::rails::{
    AllowBlock, CorsConfig, CorsPosition, CorsResource, DomainOption, HeadersOption, MethodsOption,
    RailsApp, SameSiteOption, SessionMiddleware, SessionStoreConfig, StoreKind,
};

pub use crate::explain::app_code::{app_code, application_rb_lines};

/// Generated code, and the settings it does not contain.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Generated {
    pub code: String,
    /// Settings the code leaves out, in the order they appear. Reading
    /// [`Generated::code`] back gives the settings without exactly these.
    pub left_out: Vec<LeftOut>,
}

/// One setting the generated code cannot say, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeftOut {
    /// Dotted path of the setting, as field errors name it:
    /// `server.cors.allow.0.origins.1`, `server.session.same_site`.
    pub field: String,
    /// One sentence for the user.
    pub why: String,
}

impl Generated {
    fn leave_out(&mut self, field: String, why: String) {
        self.left_out.push(LeftOut { field, why });
    }
}

/// A Ruby string literal that Ruby reads back as `s`.
///
/// Single quotes when they are enough: inside them only `\\` and `\'` are
/// escapes. A control character needs double quotes (Ruby turns a raw CR LF
/// in source into LF, and the readers take a string on one line), where
/// `\n`, `\t`, `\r` and `\u{…}` spell them, and `\#` keeps a `#` from
/// starting interpolation.
pub fn ruby_str(s: &str) -> String {
    if !s.chars().any(char::is_control) {
        return format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"));
    }
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '#' => out.push_str("\\#"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Text from the settings inside a `#` comment: control characters spelled
/// out, so a line break cannot end the comment and turn the rest into code.
fn comment_text(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// An `origins` entry: a regexp literal as written (Ruby reads `/…/` and
/// `%r{…}` as the regexp itself), a string quoted. A regexp literal the model
/// does not compile is not written (the reader refuses what the model
/// refuses): the error says why.
fn ruby_origin(s: &str) -> Result<String, String> {
    if !is_regexp_literal(s) {
        return Ok(ruby_str(s));
    }
    match Regexp::from_literal(s) {
        Ok(_) => Ok(s.to_string()),
        Err(e) => Err(e.to_string()),
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

/// A symbol named exactly `s`: `:get`, or `:'it\'s'` when `s` is not a plain
/// identifier (Ruby's `:"…"` / `:'…'` take any string).
fn ruby_symbol(s: &str) -> String {
    let plain = s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if plain {
        format!(":{s}")
    } else {
        format!(":{}", ruby_str(s))
    }
}

fn resource_options(r: &CorsResource) -> Vec<String> {
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
    opts
}

fn resource_lines(r: &CorsResource) -> String {
    let opts = resource_options(r);
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

/// The `origins` line of block `bi`, after a comment for each entry left out.
fn origins_lines(bi: usize, origins: &[String], out: &mut Generated) -> String {
    let mut s = String::new();
    let mut written = Vec::new();
    for (oi, o) in origins.iter().enumerate() {
        match ruby_origin(o) {
            Ok(code) => written.push(code),
            Err(why) => {
                s.push_str(&format!(
                    "    # origin {} left out: {why}\n",
                    comment_text(o)
                ));
                out.leave_out(
                    format!("server.cors.allow.{bi}.origins.{oi}"),
                    format!(
                        "Origin {} of allow block {} is left out of cors.rb, as a comment: {why}.",
                        comment_text(o),
                        bi + 1
                    ),
                );
            }
        }
    }
    if written.is_empty() {
        // `origins` with no arguments leaves rack-cors' list empty: no Origin
        // matches the block (`Resources#origins` keeps `args.flatten`).
        s.push_str("    # No origins: no Origin matches this block.\n    origins\n");
    } else if written[0].starts_with('/') && written[0][1..].starts_with([' ', '\t', '=']) {
        // After `origins `, Ruby reads `/ ` as division and `/=` as an
        // assignment, not as a regexp; inside `[` a `/` always starts one.
        s.push_str(&format!("    origins [{}]\n", written.join(", ")));
    } else {
        s.push_str(&format!("    origins {}\n", written.join(", ")));
    }
    s
}

fn block_lines(bi: usize, b: &AllowBlock, out: &mut Generated) -> String {
    let origins = origins_lines(bi, &b.origins, out);
    let resources: Vec<String> = b.resources.iter().map(resource_lines).collect();
    let mut s = String::from("  allow do\n");
    if b.resource_before_origins && !resources.is_empty() {
        s.push_str(&resources.join("\n"));
        s.push('\n');
        s.push_str(&origins);
    } else {
        if b.resource_before_origins {
            out.leave_out(
                format!("server.cors.allow.{bi}.resource_before_origins"),
                format!(
                    "\"Resource lines written before origins\" is left out of allow block {}: the block has \
                     no resource line to write there.",
                    bi + 1
                ),
            );
        }
        s.push_str(&origins);
        if !resources.is_empty() {
            s.push('\n');
            s.push_str(&resources.join("\n"));
        }
    }
    s.push_str("  end\n");
    s
}

const CORS_ABSENT: &str = "# config/initializers/cors.rb\n# (absent: rack-cors is not configured, so no response carries CORS headers)\n";

/// What the absent `cors.rb` cannot say: settings kept for when rack-cors is
/// turned back on.
fn absent_cors_left_out(app: &RailsApp, out: &mut Generated) {
    let c = &app.cors;
    let off = "rack-cors is not configured, so cors.rb is not written";
    if !c.allow.is_empty() {
        out.leave_out(
            "server.cors.allow".into(),
            format!("The {} allow block(s) are left out: {off}.", c.allow.len()),
        );
    }
    if c.debug {
        out.leave_out(
            "server.cors.debug".into(),
            format!("`debug: true` is left out: {off}."),
        );
    }
    if app.cors_position != CorsPosition::First {
        out.leave_out(
            "server.cors_position".into(),
            format!("The position in the middleware stack is left out: {off}."),
        );
    }
}

/// `config/initializers/cors.rb`, with the settings it cannot say.
pub fn cors_rb_code(app: &RailsApp) -> Generated {
    let mut out = Generated::default();
    let c = &app.cors;
    if !c.enabled {
        absent_cors_left_out(app, &mut out);
        out.code = CORS_ABSENT.into();
        return out;
    }
    let mut s = String::from("# config/initializers/cors.rb\n");
    let head = match app.cors_position {
        CorsPosition::First => "Rails.application.config.middleware.insert_before 0, Rack::Cors",
        CorsPosition::AfterAnsweringMiddleware => {
            s.push_str("# rack-cors comes after a middleware that answers some requests itself:\n# those answers carry no CORS headers.\n");
            "Rails.application.config.middleware.insert_after Warden::Manager, Rack::Cors"
        }
        CorsPosition::Last => {
            s.push_str("# `use` adds rack-cors at the end of the stack: errors rendered by the\n# exceptions middleware (404, 422, 500) and the force_ssl redirect carry no CORS headers.\n");
            "Rails.application.config.middleware.use Rack::Cors"
        }
    };
    s.push_str(head);
    if c.debug {
        s.push_str(", debug: true");
    }
    s.push_str(" do\n");
    let blocks: Vec<String> = c
        .allow
        .iter()
        .enumerate()
        .map(|(bi, b)| block_lines(bi, b, &mut out))
        .collect();
    s.push_str(&blocks.join("\n"));
    s.push_str("end\n");
    out.code = s;
    out
}

/// `config/initializers/cors.rb` (see [`cors_rb_code`] for what it leaves out).
pub fn cors_rb(app: &RailsApp) -> String {
    cors_rb_code(app).code
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

/// The options of a `session_store` call, in a fixed order.
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

/// `<receiver>.session_store :store, options` as one statement.
fn store_call(receiver: &str, store: &str, opts: &[String], indent: &str) -> String {
    match opts {
        [] => format!("{indent}{receiver}.session_store {store}\n"),
        [one] => format!("{indent}{receiver}.session_store {store}, {one}\n"),
        _ => format!(
            "{indent}{receiver}.session_store {store},\n{}\n",
            opts.iter()
                .map(|o| format!("{indent}  {o}"))
                .collect::<Vec<_>>()
                .join(",\n")
        ),
    }
}

/// `<receiver>.session_store ...`, with a comment where the options do nothing.
fn session_store_call(receiver: &str, s: &SessionStoreConfig, indent: &str) -> String {
    let opts = session_options(s);
    match s.store {
        StoreKind::NotCalled => String::new(),
        StoreKind::CookieStore => store_call(receiver, ":cookie_store", &opts, indent),
        // `session_store :disabled, **options` keeps the options in
        // `config.session_options`, but no session middleware is added
        // (`config.session_store` is then nil): no session cookie carries them.
        StoreKind::Disabled if opts.is_empty() => store_call(receiver, ":disabled", &opts, indent),
        StoreKind::Disabled => format!(
            "{indent}# With :disabled Rails adds no session middleware, so no session cookie:\n\
             {indent}# these options are kept in config.session_options and have no effect.\n{}",
            store_call(receiver, ":disabled", &opts, indent)
        ),
    }
}

/// The options that a never-called `session_store` cannot carry.
fn not_called_left_out(s: &SessionStoreConfig, out: &mut Generated) {
    let set = [
        ("key", s.key.is_some()),
        ("domain", s.domain != DomainOption::Unset),
        ("path", s.path.is_some()),
        ("same_site", s.same_site != SameSiteOption::Unset),
        ("secure", s.secure.is_some()),
        ("httponly", s.httponly.is_some()),
        ("expire_after", s.expire_after.is_some()),
    ];
    for (name, _) in set.iter().filter(|(_, on)| *on) {
        out.leave_out(
            format!("server.session.{name}"),
            format!(
                "`{name}:` is left out: session_store is never called, so no session option is written \
                 (Rails uses its defaults)."
            ),
        );
    }
}

fn initializer(s: &SessionStoreConfig, app_name: &str) -> String {
    match s.store {
        StoreKind::NotCalled => format!(
            "# config/initializers/session_store.rb\n# (absent: Rails uses the cookie store with key {})\n",
            ruby_str(&format!("_{app_name}_session"))
        ),
        _ => format!(
            "# config/initializers/session_store.rb\n{}",
            session_store_call("Rails.application.config", s, "")
        ),
    }
}

/// `config/application.rb` lines of an API-only app, then the initializer
/// where the store is set there.
fn api_only_lines(app: &RailsApp) -> String {
    let s = &app.session;
    let mut out = String::from(
        "# config/application.rb (inside `class Application < Rails::Application`)\n    config.api_only = true\n",
    );
    let cookies = "    config.middleware.use ActionDispatch::Cookies\n";
    let session = "    config.middleware.use config.session_store, config.session_options\n";
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
            out.push_str(cookies);
            out.push_str(session);
        }
        SessionMiddleware::WithoutCookies => {
            out.push_str(&session_store_call("config", s, "    "));
            out.push_str(session);
        }
        SessionMiddleware::WithoutOptions => {
            out.push_str(cookies);
            out.push_str("    config.middleware.use ActionDispatch::Session::CookieStore\n");
            out.push('\n');
            out.push_str(&initializer(s, &app.app_name));
        }
        SessionMiddleware::BeforeStoreSet => {
            out.push_str(cookies);
            out.push_str(session);
            out.push('\n');
            out.push_str(&initializer(s, &app.app_name));
        }
    }
    out
}

/// The session store configuration: `config/initializers/session_store.rb`
/// for a full app; for an API-only app, the `config/application.rb` lines
/// that add the session middleware back (and the initializer where the
/// store is set there). With the settings it cannot say.
pub fn session_store_code(app: &RailsApp) -> Generated {
    let mut out = Generated::default();
    if app.session.store == StoreKind::NotCalled {
        not_called_left_out(&app.session, &mut out);
    }
    out.code = if app.api_only {
        api_only_lines(app)
    } else {
        initializer(&app.session, &app.app_name)
    };
    out
}

/// The session store configuration (see [`session_store_code`]).
pub fn session_store_rb(app: &RailsApp) -> String {
    session_store_code(app).code
}

/// A JavaScript single-quoted string literal.
/// A form navigation (HTML §Form submission): method, enctype when not the
/// default, one hidden input per field, then submit.
fn form_code(out: &mut String, r: &RequestSpec, form: NavigationForm, url: &str) {
    out.push_str("const form = document.createElement('form');\n");
    let post = form == NavigationForm::FormPost;
    out.push_str(if post {
        "form.method = 'POST';\n"
    } else {
        "form.method = 'GET';\n"
    });
    if post && r.enctype != FormEnctype::UrlEncoded {
        let enctype = match r.enctype {
            FormEnctype::Multipart => "multipart/form-data",
            _ => "text/plain",
        };
        out.push_str(&format!("form.enctype = '{enctype}';\n"));
    }
    out.push_str(&format!("form.action = {url};\n"));
    for (name, value) in crate::fetch::form::form_entries(&r.fields).unwrap_or_default() {
        out.push_str(&format!(
            "form.append(Object.assign(document.createElement('input'), {{ type: 'hidden', name: {}, value: {} }}));\n",
            js_str(&name),
            js_str(&value)
        ));
    }
    out.push_str("document.body.appendChild(form);\nform.submit();\n");
}

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
        Client::Axios {
            with_credentials,
            with_xsrf_token,
        } => {
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
            if with_xsrf_token {
                opts.push("  withXSRFToken: true".into());
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
            form: form @ (NavigationForm::FormPost | NavigationForm::FormGet),
        } => form_code(&mut out, r, form, &url),
        Client::Iframe => {
            out.push_str("const frame = document.createElement('iframe');\n");
            out.push_str(&format!("frame.src = {url};\n"));
            out.push_str("document.body.appendChild(frame);\n");
        }
        Client::Visit => {
            out.push_str(&format!(
                "// No code: the user opens {url} from the address bar or a bookmark.\n"
            ));
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

/// A 1-based (line, column).
type Pos = (usize, usize);

fn perr<T>(at: Pos, m: impl Into<String>) -> Result<T, ParseError> {
    Err(ParseError {
        line: at.0,
        column: at.1,
        message: m.into(),
    })
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

/// Lists inside lists deeper than this are refused: the reader reads a list
/// by calling itself, so the bound keeps its stack small.
const MAX_NESTING: usize = 16;

/// Splits source into tokens, one construct at a time, keeping positions.
struct Lexer {
    chars: Vec<char>,
    i: usize,
    line: usize,
    col: usize,
    toks: Vec<Token>,
}

fn lex(src: &str) -> Result<Vec<Token>, ParseError> {
    let mut lx = Lexer {
        chars: src.chars().collect(),
        i: 0,
        line: 1,
        col: 1,
        toks: Vec::new(),
    };
    while lx.i < lx.chars.len() {
        lx.token()?;
    }
    Ok(lx.toks)
}

impl Lexer {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.i).copied()
    }

    fn peek_at(&self, k: usize) -> Option<char> {
        self.chars.get(self.i + k).copied()
    }

    /// Consumes one character, keeping line and column.
    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.i += 1;
        if c == '\n' {
            self.line += 1;
            self.col = 1;
        } else {
            self.col += 1;
        }
        Some(c)
    }

    fn here(&self) -> Pos {
        (self.line, self.col)
    }

    fn push(&mut self, tok: Tok, at: Pos) {
        self.toks.push(Token {
            tok,
            line: at.0,
            col: at.1,
        });
    }

    /// Whether a `/` here starts a regexp (after `origins`, `,`, `(`, `[`, a
    /// hash key, or at the start of a line).
    fn regexp_ok(&self) -> bool {
        match self.toks.last().map(|t| &t.tok) {
            Some(Tok::Ident(s)) => s == "origins",
            Some(Tok::Punct(c)) => matches!(c, ',' | '(' | '['),
            Some(Tok::Key(_)) | Some(Tok::Newline) | None => true,
            _ => false,
        }
    }

    /// Reads the construct that starts here.
    fn token(&mut self) -> Result<(), ParseError> {
        let at = self.here();
        let (Some(c), next) = (self.peek(), self.peek_at(1)) else {
            return Ok(());
        };
        match c {
            '\n' => {
                self.bump();
                self.push(Tok::Newline, at);
            }
            ' ' | '\t' | '\r' => {
                self.bump();
            }
            '#' => {
                while self.peek().is_some_and(|c| c != '\n') {
                    self.bump();
                }
            }
            // A line continuation.
            '\\' if next == Some('\n') => {
                self.bump();
                self.bump();
            }
            '\'' | '"' => {
                let s = self.quoted()?;
                self.push(Tok::Str(s), at);
            }
            '%' if matches!(next, Some('w' | 'W' | 'i')) && self.peek_at(2) == Some('[') => {
                self.percent_words(at)?
            }
            '%' if next == Some('r') => self.regexp(at)?,
            '/' if self.regexp_ok() => self.regexp(at)?,
            ':' => self.colon(at, next)?,
            c if c.is_ascii_digit() => self.number(at)?,
            c if c.is_alphabetic() || c == '_' => self.word(at),
            '=' if next == Some('>') => {
                return perr(
                    at,
                    "`key => value` hashes are not supported; write `key: value`",
                )
            }
            c if "{}[](),.|=>-".contains(c) => {
                self.bump();
                self.push(Tok::Punct(c), at);
            }
            c => return perr(at, format!("unexpected character `{c}`")),
        }
        Ok(())
    }

    /// `::` (read as `.`), `:name`, `:'quoted'` / `:"quoted"`.
    fn colon(&mut self, at: Pos, next: Option<char>) -> Result<(), ParseError> {
        match next {
            Some(':') => {
                self.bump();
                self.bump();
                self.push(Tok::Punct('.'), at);
            }
            Some(d) if d.is_alphabetic() || d == '_' => {
                self.bump();
                let start = self.i;
                while self.peek().is_some_and(|c| c.is_alphanumeric() || c == '_') {
                    self.bump();
                }
                let name = self.chars[start..self.i].iter().collect();
                self.push(Tok::Sym(name), at);
            }
            Some('\'' | '"') => {
                self.bump();
                let name = self.quoted()?;
                self.push(Tok::Sym(name), at);
            }
            _ => return perr(at, "unexpected character `:`"),
        }
        Ok(())
    }

    /// A `'…'` or `"…"` string from its opening quote, on one line.
    fn quoted(&mut self) -> Result<String, ParseError> {
        let start = self.here();
        let q = self.bump().unwrap_or('\'');
        let mut s = String::new();
        loop {
            let at = self.here();
            match self.peek() {
                None | Some('\n') => return perr(start, "unterminated string"),
                Some(c) if c == q => {
                    self.bump();
                    return Ok(s);
                }
                Some('\\') if q == '\'' => self.single_quoted_escape(&mut s, start)?,
                Some('\\') => self.double_quoted_escape(&mut s, start)?,
                Some('#')
                    if q == '"'
                        && starts_interpolation(self.chars[self.i + 1..].iter().copied()) =>
                {
                    return perr(at, "string interpolation is not supported")
                }
                Some(c) => {
                    self.bump();
                    s.push(c);
                }
            }
        }
    }

    /// In single quotes only `\\` and `\'` are escapes; any other backslash
    /// stays as written.
    fn single_quoted_escape(&mut self, s: &mut String, start: Pos) -> Result<(), ParseError> {
        self.bump();
        match self.peek() {
            None => return perr(start, "unterminated string"),
            Some(e @ ('\\' | '\'')) => {
                self.bump();
                s.push(e);
            }
            Some(_) => s.push('\\'),
        }
        Ok(())
    }

    /// The escapes of a Ruby double-quoted string: `\n \t \r \s \e \a \b \f
    /// \v \0`, `\u{…}` / `\uXXXX`, a line continuation, and a backslash
    /// before any other non-alphanumeric character, which stands for itself.
    fn double_quoted_escape(&mut self, s: &mut String, start: Pos) -> Result<(), ParseError> {
        let at = self.here();
        self.bump();
        let Some(e) = self.bump() else {
            return perr(start, "unterminated string");
        };
        let octal_follows = self.peek().is_some_and(|c| ('0'..='7').contains(&c));
        let c = match e {
            'n' => '\n',
            't' => '\t',
            'r' => '\r',
            's' => ' ',
            'e' => '\x1b',
            'a' => '\x07',
            'b' => '\x08',
            'f' => '\x0c',
            'v' => '\x0b',
            '0' if !octal_follows => '\0',
            '\n' => return Ok(()),
            'u' => return self.unicode_escape(s, at),
            c if c.is_ascii_alphanumeric() => {
                return perr(at, "unsupported escape in a double-quoted string")
            }
            c => c,
        };
        s.push(c);
        Ok(())
    }

    /// After `\u`: `XXXX` (four hex digits) or `{X …}` (code points of one
    /// to six hex digits, separated by spaces).
    fn unicode_escape(&mut self, s: &mut String, at: Pos) -> Result<(), ParseError> {
        let bad = || ParseError {
            line: at.0,
            column: at.1,
            message: "invalid Unicode escape".into(),
        };
        let code_point = |hex: &str| u32::from_str_radix(hex, 16).ok().and_then(char::from_u32);
        if self.peek() != Some('{') {
            let hex: String = (0..4).filter_map(|k| self.peek_at(k)).collect();
            if hex.len() != 4 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
                return Err(bad());
            }
            s.push(code_point(&hex).ok_or_else(bad)?);
            for _ in 0..4 {
                self.bump();
            }
            return Ok(());
        }
        self.bump();
        let mut count = 0;
        loop {
            while matches!(self.peek(), Some(' ' | '\t')) {
                self.bump();
            }
            if self.peek() == Some('}') && count > 0 {
                self.bump();
                return Ok(());
            }
            let start = self.i;
            while self.i - start < 6 && self.peek().is_some_and(|c| c.is_ascii_hexdigit()) {
                self.bump();
            }
            let hex: String = self.chars[start..self.i].iter().collect();
            s.push(code_point(&hex).ok_or_else(bad)?);
            count += 1;
            if !matches!(self.peek(), Some(' ' | '\t' | '}')) {
                return Err(bad());
            }
        }
    }

    /// `%w[a b]`, `%W[a b]` (strings) and `%i[a b]` (symbols), read as a list.
    fn percent_words(&mut self, at: Pos) -> Result<(), ParseError> {
        self.bump();
        let kind = self.bump().unwrap_or('w');
        self.bump();
        let mut words = Vec::new();
        let mut cur = String::new();
        loop {
            match self.bump() {
                None => return perr(at, "unterminated %w[] list"),
                Some(']') => break,
                Some(d) if d.is_whitespace() => {
                    if !cur.is_empty() {
                        words.push(std::mem::take(&mut cur));
                    }
                }
                Some(d) => cur.push(d),
            }
        }
        if !cur.is_empty() {
            words.push(cur);
        }
        self.push(Tok::Punct('['), at);
        for (k, w) in words.into_iter().enumerate() {
            if k > 0 {
                self.push(Tok::Punct(','), at);
            }
            let tok = if kind == 'i' {
                Tok::Sym(w)
            } else {
                Tok::Str(w)
            };
            self.push(tok, at);
        }
        self.push(Tok::Punct(']'), at);
        Ok(())
    }

    /// A regexp literal `/…/flags` or `%r{…}flags`, kept as written. Ruby
    /// lets it span lines. It must compile the way the model compiles
    /// origins, so the reader accepts exactly the regexps the model does.
    fn regexp(&mut self, at: Pos) -> Result<(), ParseError> {
        let start = self.i;
        let close = if self.peek() == Some('/') {
            self.bump();
            '/'
        } else {
            let close = match self.peek_at(2).unwrap_or(' ') {
                '{' => '}',
                '(' => ')',
                '[' => ']',
                '<' => '>',
                o if o.is_ascii_punctuation() => o,
                _ => return perr(at, "unknown type of %r literal"),
            };
            for _ in 0..3 {
                self.bump();
            }
            close
        };
        loop {
            match self.bump() {
                None => return perr(at, "unterminated regexp"),
                Some('\\') if self.bump().is_none() => return perr(at, "unterminated regexp"),
                Some(d) if d == close => break,
                Some(_) => {}
            }
        }
        while self.peek().is_some_and(|c| c.is_ascii_lowercase()) {
            self.bump();
        }
        let lit: String = self.chars[start..self.i].iter().collect();
        if let Err(e) = Regexp::from_literal(&lit) {
            return perr(at, format!("regexp: {e}"));
        }
        self.push(Tok::Regexp(lit), at);
        Ok(())
    }

    /// `123` or `1_000`.
    fn number(&mut self, at: Pos) -> Result<(), ParseError> {
        let start = self.i;
        while self.peek().is_some_and(|c| c.is_ascii_digit() || c == '_') {
            self.bump();
        }
        let n: String = self.chars[start..self.i]
            .iter()
            .filter(|c| **c != '_')
            .collect();
        let v = n.parse::<u64>().map_err(|_| ParseError {
            line: at.0,
            column: at.1,
            message: "number too large".into(),
        })?;
        self.push(Tok::Int(v), at);
        Ok(())
    }

    /// An identifier, a constant, or a hash key `name:`.
    fn word(&mut self, at: Pos) {
        let start = self.i;
        while self
            .peek()
            .is_some_and(|c| c.is_alphanumeric() || matches!(c, '_' | '?' | '!'))
        {
            self.bump();
        }
        let word: String = self.chars[start..self.i].iter().collect();
        let tok = if self.peek() == Some(':') && self.peek_at(1) != Some(':') {
            self.bump();
            Tok::Key(word)
        } else if word.starts_with(|c: char| c.is_ascii_uppercase()) {
            Tok::Const(word)
        } else {
            Tok::Ident(word)
        };
        self.push(tok, at);
    }
}

/// One `key: value` option and where it starts.
type Opt = (String, Val, Pos);

struct P {
    toks: Vec<Token>,
    pos: usize,
    /// Position reported at the end of input.
    end: Pos,
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

    fn here(&self) -> Pos {
        self.toks
            .get(self.pos)
            .map(|t| (t.line, t.col))
            .unwrap_or(self.end)
    }

    fn err<T>(&self, m: impl Into<String>) -> Result<T, ParseError> {
        perr(self.here(), m)
    }

    fn skip_newlines(&mut self) {
        while self.peek() == Some(&Tok::Newline) {
            self.pos += 1;
        }
    }

    fn at_line_end(&self) -> bool {
        matches!(self.peek(), None | Some(Tok::Newline))
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
        self.value_at(0)
    }

    /// A value inside `depth` lists.
    fn value_at(&mut self, depth: usize) -> Result<Val, ParseError> {
        self.skip_newlines();
        let Some(t) = self.peek().cloned() else {
            return self.err("expected a value");
        };
        self.pos += 1;
        Ok(match t {
            Tok::Str(s) => Val::Str(s),
            Tok::Sym(s) => Val::Sym(s),
            Tok::Regexp(s) => Val::Regexp(s),
            Tok::Int(n) => self.int_or_duration(n)?,
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
            Tok::Punct('[') => self.list(depth)?,
            _ => {
                self.pos -= 1;
                return self.err("this value is not supported (strings, symbols, numbers, true/false/nil, regexps, lists)");
            }
        })
    }

    /// `14.days`, `2.hours`, `30.minutes`, `10.seconds`, or the number alone.
    fn int_or_duration(&mut self, n: u64) -> Result<Val, ParseError> {
        if !self.eat(&Tok::Punct('.')) {
            return Ok(Val::Int(n));
        }
        let unit = match self.peek().cloned() {
            Some(Tok::Ident(u)) => u,
            _ => return self.err("expected a duration unit after `.`"),
        };
        let mult = match unit.as_str() {
            "second" | "seconds" => 1,
            "minute" | "minutes" => 60,
            "hour" | "hours" => 3600,
            "day" | "days" => 86_400,
            "week" | "weeks" => 604_800,
            _ => return self.err(format!("unknown duration unit `{unit}`")),
        };
        self.pos += 1;
        Ok(Val::Int(n.saturating_mul(mult)))
    }

    /// The rest of a list after `[`, at list depth `depth`.
    fn list(&mut self, depth: usize) -> Result<Val, ParseError> {
        if depth >= MAX_NESTING {
            self.pos -= 1;
            return self.err(format!(
                "nesting deeper than {MAX_NESTING} lists is not read"
            ));
        }
        let mut items = Vec::new();
        loop {
            self.skip_newlines();
            if self.eat(&Tok::Punct(']')) {
                break;
            }
            items.push(self.value_at(depth + 1)?);
            self.skip_newlines();
            if !self.eat(&Tok::Punct(',')) {
                self.skip_newlines();
                self.expect(Tok::Punct(']'), "`]`")?;
                break;
            }
        }
        Ok(Val::List(items))
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
        if self.at_line_end() {
            self.skip_newlines();
            Ok(())
        } else {
            self.err("unexpected code after the statement")
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

fn val_strings(v: &Val, what: &str, at: Pos) -> Result<Vec<String>, ParseError> {
    let one = |v: &Val| match v {
        Val::Str(s) | Val::Sym(s) => Ok(s.clone()),
        _ => perr(at, format!("`{what}` takes strings")),
    };
    match v {
        Val::List(items) => items.iter().map(one).collect(),
        v => Ok(vec![one(v)?]),
    }
}

/// `Rails.application.config.middleware.insert_before 0, Rack::Cors` (or
/// `insert_after X, Rack::Cors`, `.use Rack::Cors`): where rack-cors sits.
fn cors_head(p: &mut P) -> Result<CorsPosition, ParseError> {
    let chain = p.dotted().join(".");
    let position = match chain.as_str() {
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
            CorsPosition::First
        }
        "Rails.application.config.middleware.insert_after" | "config.middleware.insert_after" => {
            let at = p.here();
            if p.dotted().is_empty() {
                return perr(
                    at,
                    "expected a middleware class, e.g. `Warden::Manager, Rack::Cors`",
                );
            }
            p.expect(Tok::Punct(','), "`,`")?;
            CorsPosition::AfterAnsweringMiddleware
        }
        "Rails.application.config.middleware.use" | "config.middleware.use" => CorsPosition::Last,
        _ => {
            return p.err(
                "expected `Rails.application.config.middleware.insert_before 0, Rack::Cors do`",
            )
        }
    };
    let at = p.here();
    if p.dotted().join(".") != "Rack.Cors" {
        return perr(at, "expected `Rack::Cors`");
    }
    Ok(position)
}

/// The arguments of `origins`: strings and regexps, or lists of them. A bare
/// `origins` sets an empty list (no Origin matches the block).
fn origins_args(p: &mut P) -> Result<Vec<String>, ParseError> {
    let mut origins = Vec::new();
    if p.at_line_end() {
        return Ok(origins);
    }
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
    Ok(origins)
}

/// `resource 'path', options` after the word `resource`.
fn resource_args(p: &mut P, at: Pos) -> Result<CorsResource, ParseError> {
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
            apply_resource_option(&mut r, &k, v, at)?;
        }
    }
    Ok(r)
}

/// `allow do … end`, from the word `allow`.
fn allow_block(p: &mut P) -> Result<AllowBlock, ParseError> {
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
            let origins = origins_args(p)?;
            // rack-cors: a second `origins` call replaces the first list.
            if seen_origins {
                return perr(at, "a second `origins` line replaces the first; write one");
            }
            seen_origins = true;
            block.origins = origins;
        } else if p.ident("resource") {
            block.resources.push(resource_args(p, at)?);
            if !seen_origins {
                block.resource_before_origins = true;
            }
        } else {
            return p.err("expected `origins`, `resource` or `end`");
        }
        p.end_of_statement()?;
    }
    p.end_of_statement()?;
    Ok(block)
}

/// Reads a `cors.rb`. Also returns where rack-cors sits (`insert_before 0`
/// vs `use`), as [`CorsPosition`]. A file of comments only means rack-cors
/// is not configured.
pub fn parse_cors_rb_with_position(src: &str) -> Result<(CorsConfig, CorsPosition), ParseError> {
    let mut p = parser(src)?;
    p.skip_newlines();
    if p.peek().is_none() {
        return Ok((CorsConfig::default(), CorsPosition::First));
    }
    let position = cors_head(&mut p)?;
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
        cfg.allow.push(allow_block(&mut p)?);
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

fn apply_resource_option(r: &mut CorsResource, k: &str, v: Val, at: Pos) -> Result<(), ParseError> {
    match k {
        "headers" => {
            r.headers = match v {
                Val::Sym(s) if s == "any" => HeadersOption::Any,
                Val::Nil => HeadersOption::Unset,
                v => HeadersOption::List(val_strings(&v, "headers", at)?),
            }
        }
        // Names as written: rack-cors keeps `m.to_s` and compares it with the
        // lower-cased request method.
        "methods" => {
            r.methods = match v {
                Val::Sym(s) if s == "any" => MethodsOption::Any,
                Val::Nil => MethodsOption::Unset,
                v => MethodsOption::List(val_strings(&v, "methods", at)?),
            }
        }
        "credentials" => match v {
            Val::Bool(b) => r.credentials = b,
            _ => return perr(at, "credentials takes true or false"),
        },
        "expose" => r.expose = val_strings(&v, "expose", at)?,
        "max_age" => match v {
            Val::Int(n) => r.max_age = Some(n),
            _ => return perr(at, "max_age takes a number of seconds"),
        },
        "vary" => r.vary = Some(val_strings(&v, "vary", at)?),
        "if" => match v {
            Val::Proc(b) | Val::Bool(b) => r.if_condition = b,
            _ => return perr(at, "if: takes a proc"),
        },
        other => return perr(at, format!("unsupported resource option `{other}`")),
    }
    Ok(())
}

/// One `session_store` option into `s` (`tld_length` and `domain: :all`
/// are combined by the caller).
fn apply_session_option(
    s: &mut SessionStoreConfig,
    all: &mut bool,
    tld: &mut Option<u8>,
    (k, v, at): Opt,
) -> Result<(), ParseError> {
    match (k.as_str(), v) {
        ("key", Val::Str(k)) => s.key = Some(k),
        ("domain", Val::Sym(d)) if d == "all" => *all = true,
        ("domain", Val::Str(d)) => s.domain = DomainOption::Exact(d),
        ("domain", Val::List(items)) => {
            s.domain = DomainOption::List(val_strings(&Val::List(items), "domain", at)?)
        }
        ("domain", Val::Nil) => s.domain = DomainOption::Unset,
        ("tld_length", Val::Int(n)) => *tld = Some(n.min(255) as u8),
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
    let (mut all, mut tld) = (false, None);
    if p.eat(&Tok::Punct(',')) {
        p.skip_newlines();
        for opt in p.options()? {
            apply_session_option(&mut s, &mut all, &mut tld, opt)?;
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
