//! A proxy in front of the server, on the page's own origin: Vite's
//! `server.proxy` and webpack-dev-server's `proxy` (both http-proxy), Next.js
//! `rewrites()` to an external URL, or nginx's `proxy_pass`. The page then
//! calls its own origin (`fetch('/api/login')`): same-origin, so no CORS and
//! first-party cookies. The proxy forwards each request under its prefix to
//! the server and hands the answer back, `Set-Cookie` included, changing only
//! what it is told to. It wraps any server model.
//!
//! Sources:
//! - http-proxy 1.18 `lib/http-proxy/common.js` `setupOutgoing`: `changeOrigin`
//!   sets `Host` to the target's host (and port unless the default); the
//!   target's path is joined in front of the request's (`urlJoin`);
//!   `passes/web-incoming.js` `XHeaders`: `xfwd` appends `X-Forwarded-For`,
//!   `-Port`, `-Proto` and sets `X-Forwarded-Host` from `Host`;
//!   `passes/web-outgoing.js` `writeHeaders`: `cookieDomainRewrite` (a string,
//!   or `{ "old": "new", "*": "" }`) replaces each `Set-Cookie`'s `Domain`,
//!   an empty value drops the attribute. `Origin` and `Cookie` pass unchanged.
//! - Vite `server.proxy`: http-proxy's options plus `rewrite(path)`;
//!   `changeOrigin` is false unless set. webpack-dev-server: the same options
//!   through http-proxy-middleware (`pathRewrite`).
//! - Next.js `packages/next/src/server/lib/router-utils/proxy-request.ts`:
//!   `new HttpProxy({ target, changeOrigin: true, ignorePath: true, xfwd: true })`
//!   and no cookie rewriting.
//! - nginx `ngx_http_proxy_module`: `Host` is `$proxy_host` (the upstream's)
//!   unless `proxy_set_header Host $host`; no `X-Forwarded-*` unless set;
//!   `proxy_cookie_domain` is off; `proxy_pass http://api/;` with a URI
//!   replaces the `location` prefix.

use serde::{Deserialize, Serialize};
use url::Url;

use crate::cookie_store::domain_match;
use crate::explain::codegen::Generated;
use crate::headers::HeaderList;
use crate::http::{ServerMemory, ServerModel, ServerReply, WireRequest, WireResponse};
use crate::permalink::{bool_str, Reader, Writer};
use crate::scenario::Scenario;
use crate::server::stack::{CodeFile, Prepared};
use crate::spec;
use crate::trace::{FieldError, Phase, Reason, SpecRef, Step, Verdict};

/// Which tool proxies.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProxyTool {
    /// Vite `server.proxy` (`vite.config.js`).
    #[default]
    Vite,
    /// webpack-dev-server `devServer.proxy` (`webpack.config.js`).
    Webpack,
    /// Next.js `rewrites()` to an external URL (`next.config.js`).
    Next,
    /// nginx `location /api/ { proxy_pass … }`.
    Nginx,
}

impl ProxyTool {
    pub const ALL: [ProxyTool; 4] = [
        ProxyTool::Vite,
        ProxyTool::Webpack,
        ProxyTool::Next,
        ProxyTool::Nginx,
    ];

    /// The permalink value of `proxy=`.
    pub fn key(self) -> &'static str {
        match self {
            ProxyTool::Vite => "vite",
            ProxyTool::Webpack => "webpack",
            ProxyTool::Next => "next",
            ProxyTool::Nginx => "nginx",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ProxyTool::Vite => "Vite server.proxy",
            ProxyTool::Webpack => "webpack-dev-server proxy",
            ProxyTool::Next => "Next.js rewrites",
            ProxyTool::Nginx => "nginx proxy_pass",
        }
    }

    fn from_key(key: &str) -> Option<ProxyTool> {
        ProxyTool::ALL.into_iter().find(|t| t.key() == key)
    }

    /// Next.js always sets `Host` to the target's and adds `X-Forwarded-*`;
    /// it has no setting for either, nor for the cookie `Domain`.
    pub fn fixed_options(self) -> bool {
        self == ProxyTool::Next
    }

    fn spec(self) -> SpecRef {
        match self {
            ProxyTool::Vite | ProxyTool::Webpack => spec::VITE_SERVER_PROXY,
            ProxyTool::Next => spec::NEXT_REWRITES,
            ProxyTool::Nginx => spec::NGINX_PROXY_PASS,
        }
    }

    /// The proxy with this tool's own defaults.
    pub fn defaults(self) -> DevProxy {
        let (change_origin, xfwd) = match self {
            ProxyTool::Vite | ProxyTool::Webpack => (false, false),
            ProxyTool::Next => (true, true),
            ProxyTool::Nginx => (true, false),
        };
        DevProxy {
            tool: self,
            prefix: "/api".into(),
            target: "http://localhost:3001".into(),
            change_origin,
            strip_prefix: false,
            xfwd,
            cookie_domain_rewrite: None,
        }
    }
}

/// The proxy, in the words of the tool's options.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DevProxy {
    pub tool: ProxyTool,
    /// The path prefix it proxies (`'/api'`): every request on the page's
    /// origin whose path starts with it (a plain prefix, as Vite matches).
    pub prefix: String,
    /// Where it forwards (`target:`, `destination:`, `proxy_pass`).
    pub target: String,
    /// `changeOrigin: true` (nginx: the default `Host $proxy_host`): the
    /// server gets `Host:` of the target instead of the page's.
    pub change_origin: bool,
    /// `rewrite: (p) => p.replace(/^\/api/, '')` (nginx: `proxy_pass` with a
    /// URI; Next.js: a destination without the prefix).
    pub strip_prefix: bool,
    /// `xfwd: true` (nginx: `proxy_set_header X-Forwarded-Proto $scheme` and
    /// the others): the server learns the browser's scheme and host.
    pub xfwd: bool,
    /// `cookieDomainRewrite` (nginx: `proxy_cookie_domain`): `None` is
    /// `false` (cookies keep their `Domain`), `Some("")` drops the
    /// attribute (a host-only cookie of the page's host), `Some(d)` writes `d`.
    pub cookie_domain_rewrite: Option<String>,
}

impl Default for DevProxy {
    fn default() -> Self {
        ProxyTool::Vite.defaults()
    }
}

impl DevProxy {
    /// The options in effect: Next.js has no setting for what it fixes.
    fn effective(&self) -> DevProxy {
        let mut p = self.clone();
        if self.tool.fixed_options() {
            p.change_origin = true;
            p.xfwd = true;
            p.cookie_domain_rewrite = None;
        }
        p
    }

    /// `changeOrigin`, in the tool's words.
    pub fn host_option(&self) -> &'static str {
        match (self.tool, self.change_origin) {
            (ProxyTool::Nginx, true) => "`Host $proxy_host` (nginx's default)",
            (ProxyTool::Nginx, false) => "`proxy_set_header Host $host`",
            (ProxyTool::Next, _) => "Next.js' `changeOrigin: true`",
            (_, true) => "`changeOrigin: true`",
            (_, false) => "no `changeOrigin` (false by default)",
        }
    }

    fn cookie_option(&self) -> &'static str {
        match self.tool {
            ProxyTool::Nginx => "proxy_cookie_domain",
            ProxyTool::Next => "cookieDomainRewrite (which Next.js rewrites do not offer)",
            _ => "cookieDomainRewrite",
        }
    }

    /// The target and the prefix, read; field errors for what cannot be.
    fn read(&self) -> (Option<Url>, Vec<FieldError>) {
        let mut errors = Vec::new();
        let target = match Url::parse(self.target.trim()) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => Some(u),
            Ok(u) => {
                errors.push(FieldError {
                    field: "proxy.target".into(),
                    message: format!(
                        "`{}` is not an http(s) URL; the proxy's target is where the API runs, like `http://localhost:3001`",
                        u.as_str()
                    ),
                });
                None
            }
            Err(e) => {
                errors.push(FieldError {
                    field: "proxy.target".into(),
                    message: format!(
                        "`{}` is not a URL ({e}); write where the API runs, like `http://localhost:3001`",
                        self.target
                    ),
                });
                None
            }
        };
        if !self.prefix.starts_with('/') {
            errors.push(FieldError {
                field: "proxy.prefix".into(),
                message: format!(
                    "`{}` must start with `/`, like `/api`: the proxy matches the request's path",
                    self.prefix
                ),
            });
        }
        (target, errors)
    }

    // --- Generated configuration ------------------------------------------

    /// The proxy's configuration in the tool's own file.
    pub fn code(&self) -> CodeFile {
        let p = self.effective();
        let prefix = p.prefix.trim_end_matches('/');
        let target = p.target.trim_end_matches('/');
        let quoted = |s: &str| format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"));
        let regex_prefix = prefix.replace('/', "\\/");
        let cookie = p.cookie_domain_rewrite.as_deref();
        let (title, code) = match p.tool {
            ProxyTool::Vite => {
                let mut o = vec![format!("target: {}", quoted(target))];
                if p.change_origin {
                    o.push("changeOrigin: true".into());
                }
                if p.xfwd {
                    o.push("xfwd: true".into());
                }
                if let Some(d) = cookie {
                    o.push(format!("cookieDomainRewrite: {}", quoted(d)));
                }
                if p.strip_prefix {
                    o.push(format!(
                        "rewrite: (path) => path.replace(/^{regex_prefix}/, '')"
                    ));
                }
                (
                    "vite.config.js",
                    format!(
                        "import {{ defineConfig }} from 'vite'\n\nexport default defineConfig({{\n  server: {{\n    proxy: {{\n      {}: {{\n{}      }},\n    }},\n  }},\n}})\n",
                        quoted(prefix),
                        o.iter().map(|l| format!("        {l},\n")).collect::<String>()
                    ),
                )
            }
            ProxyTool::Webpack => {
                let mut o = vec![
                    format!("context: [{}]", quoted(prefix)),
                    format!("target: {}", quoted(target)),
                ];
                if p.change_origin {
                    o.push("changeOrigin: true".into());
                }
                if p.xfwd {
                    o.push("xfwd: true".into());
                }
                if let Some(d) = cookie {
                    o.push(format!("cookieDomainRewrite: {}", quoted(d)));
                }
                if p.strip_prefix {
                    o.push(format!(
                        "pathRewrite: {{ {}: '' }}",
                        quoted(&format!("^{prefix}"))
                    ));
                }
                (
                    "webpack.config.js",
                    format!(
                        "module.exports = {{\n  devServer: {{\n    proxy: [\n      {{\n{}      }},\n    ],\n  }},\n}};\n",
                        o.iter().map(|l| format!("        {l},\n")).collect::<String>()
                    ),
                )
            }
            ProxyTool::Next => {
                let destination = if p.strip_prefix {
                    format!("{target}/:path*")
                } else {
                    format!("{target}{prefix}/:path*")
                };
                (
                    "next.config.js",
                    format!(
                        "module.exports = {{\n  async rewrites() {{\n    return [\n      {{ source: {}, destination: {} }},\n    ]\n  }},\n}}\n",
                        quoted(&format!("{prefix}/:path*")),
                        quoted(&destination)
                    ),
                )
            }
            ProxyTool::Nginx => {
                let mut lines = vec![if p.strip_prefix {
                    format!("proxy_pass {target}/;")
                } else {
                    format!("proxy_pass {target};")
                }];
                if !p.change_origin {
                    lines.push("proxy_set_header Host $host;".into());
                }
                if p.xfwd {
                    lines.push("proxy_set_header X-Forwarded-Proto $scheme;".into());
                    lines.push("proxy_set_header X-Forwarded-Host $host;".into());
                    lines.push(
                        "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;".into(),
                    );
                }
                match cookie {
                    Some("") => lines.push("proxy_cookie_domain ~.+ $host;".into()),
                    Some(d) => lines.push(format!("proxy_cookie_domain ~.+ {d};")),
                    None => {}
                }
                (
                    "nginx.conf",
                    format!(
                        "location {prefix}/ {{\n{}}}\n",
                        lines
                            .iter()
                            .map(|l| format!("    {l}\n"))
                            .collect::<String>()
                    ),
                )
            }
        };
        CodeFile {
            title,
            generated: Generated {
                code,
                left_out: Vec::new(),
            },
        }
    }

    // --- Permalink: `proxy=vite&proxy.prefix=/api&proxy.target=…` ---------

    /// Writes `proxy=` and the options that differ from the tool's defaults.
    pub fn encode_keys(&self, w: &mut Writer) {
        let d = self.tool.defaults();
        w.put("proxy", self.tool.key());
        w.diff("proxy.prefix", &self.prefix, &d.prefix, String::clone);
        w.diff("proxy.target", &self.target, &d.target, String::clone);
        w.diff("proxy.strip", &self.strip_prefix, &d.strip_prefix, bool_str);
        if !self.tool.fixed_options() {
            w.diff(
                "proxy.change_origin",
                &self.change_origin,
                &d.change_origin,
                bool_str,
            );
            w.diff("proxy.xfwd", &self.xfwd, &d.xfwd, bool_str);
            if let Some(domain) = &self.cookie_domain_rewrite {
                w.put("proxy.cookie_domain", domain.clone());
            }
        }
    }

    /// Reads one `proxy…` key into `slot` (created with the tool's defaults
    /// by `proxy=`, or by the first option key); false when the key is not
    /// the proxy's.
    pub fn read_key(slot: &mut Option<DevProxy>, r: &mut Reader, key: &str, value: &str) -> bool {
        if key == "proxy" {
            match value {
                "" | "none" => *slot = None,
                _ => match ProxyTool::from_key(value) {
                    // The tool's defaults under the options read so far.
                    Some(tool) => {
                        let mut p = tool.defaults();
                        if let Some(old) = slot.take() {
                            p.prefix = old.prefix;
                            p.target = old.target;
                            p.strip_prefix = old.strip_prefix;
                            p.cookie_domain_rewrite = old.cookie_domain_rewrite;
                        }
                        *slot = Some(p);
                    }
                    None => r.bad(key, value, "vite, webpack, next, nginx or none"),
                },
            }
            return true;
        }
        let Some(field) = key.strip_prefix("proxy.") else {
            return false;
        };
        let p = slot.get_or_insert_with(DevProxy::default);
        match field {
            "prefix" => p.prefix = value.to_string(),
            "target" => p.target = value.to_string(),
            "strip" => r.bool(key, value, &mut p.strip_prefix),
            "change_origin" => r.bool(key, value, &mut p.change_origin),
            "xfwd" => r.bool(key, value, &mut p.xfwd),
            "cookie_domain" => p.cookie_domain_rewrite = Some(value.to_string()),
            _ => r.unknown(key),
        }
        true
    }
}

/// The path the server sees for a request to `url`: without the proxy's
/// prefix when the proxy strips it (the fix search asks the stack whether
/// that path logs in).
pub fn server_path(scenario: &Scenario, url: &Url) -> String {
    let path = url.path();
    let Some(p) = &scenario.proxy else {
        return path.to_string();
    };
    let on_front =
        Url::parse(scenario.page.url.trim()).is_ok_and(|page| page.origin() == url.origin());
    match path.strip_prefix(p.prefix.as_str()) {
        Some(rest) if on_front && p.strip_prefix => {
            let base = Url::parse(p.target.trim())
                .map(|t| t.path().trim_end_matches('/').to_string())
                .unwrap_or_default();
            format!("{base}/{}", rest.trim_start_matches('/'))
        }
        _ => path.to_string(),
    }
}

/// The scenario's server model, behind its proxy when it has one: what the
/// simulation answers with.
pub fn behind_proxy<'a>(scenario: &Scenario, prepared: Prepared<'a>) -> Prepared<'a> {
    behind(&scenario.page.url, scenario.proxy.as_ref(), prepared)
}

/// The server model behind `proxy` listening on the origin of `page_url`
/// (the lab keeps the two with each run and answers with this too).
pub fn behind<'a>(
    page_url: &str,
    proxy: Option<&DevProxy>,
    mut prepared: Prepared<'a>,
) -> Prepared<'a> {
    let Some(proxy) = proxy else {
        return prepared;
    };
    let (target, errors) = proxy.read();
    prepared.field_errors.extend(errors);
    let front = Url::parse(page_url.trim())
        .ok()
        .map(|u| u.origin().ascii_serialization());
    Prepared {
        model: Box::new(ProxyModel {
            proxy: proxy.effective(),
            front,
            target,
            inner: prepared.model,
        }),
        field_errors: prepared.field_errors,
    }
}

/// The proxy in front of a server model.
struct ProxyModel<'a> {
    proxy: DevProxy,
    /// The page's origin, where the proxy listens.
    front: Option<String>,
    target: Option<Url>,
    inner: Box<dyn ServerModel + 'a>,
}

impl ServerModel for ProxyModel<'_> {
    fn boot(&self) -> Result<(), Vec<Step>> {
        self.inner.boot()
    }

    fn respond(&self, request: &WireRequest, index: usize) -> ServerReply {
        let Ok(url) = Url::parse(&request.url) else {
            return self.inner.respond(request, index);
        };
        if self.front.as_deref() != Some(url.origin().ascii_serialization().as_str()) {
            // Not on the page's origin: the browser called the server itself.
            return self.inner.respond(request, index);
        }
        let Some(target) = &self.target else {
            return self.unreadable(index);
        };
        if !url.path().starts_with(self.proxy.prefix.as_str()) {
            return self.not_forwarded(request, &url, index);
        }
        self.forward(request, &url, target, index)
    }

    fn memory(&self) -> ServerMemory {
        self.inner.memory()
    }
}

/// `host[:port]` as a `Host` header writes it (no default port).
fn authority(u: &Url) -> String {
    let host = u.host_str().unwrap_or_default();
    match u.port() {
        Some(p) => format!("{host}:{p}"),
        None => host.to_string(),
    }
}

impl ProxyModel<'_> {
    fn tool(&self) -> &'static str {
        self.proxy.tool.label()
    }

    fn unreadable(&self, index: usize) -> ServerReply {
        ServerReply {
            response: WireResponse {
                status: 502,
                headers: HeaderList::new(),
            },
            steps: vec![Step::new(
                Some(index),
                Phase::Server,
                Verdict::Blocked,
                Reason::ProxyConfigError,
                format!("{}: the target cannot be read", self.tool()),
                format!(
                    "The proxy's target `{}` is not a URL, so it forwards nothing (the dev server answers 502 Bad Gateway). Write where the API runs, like `http://localhost:3001`.",
                    self.proxy.target
                ),
                self.proxy.tool.spec(),
            )],
        }
    }

    /// A path outside the prefix: the dev server's own answer (its
    /// `index.html` for a GET, as an SPA's dev server falls back; 404 otherwise).
    fn not_forwarded(&self, request: &WireRequest, url: &Url, index: usize) -> ServerReply {
        let page = matches!(request.method.as_str(), "GET" | "HEAD");
        let mut headers = HeaderList::new();
        headers.push(
            "Content-Type",
            if page { "text/html" } else { "text/plain" },
        );
        let prefix = &self.proxy.prefix;
        ServerReply {
            response: WireResponse {
                status: if page { 200 } else { 404 },
                headers,
            },
            steps: vec![Step::new(
                Some(index),
                Phase::Server,
                Verdict::Warning,
                Reason::ProxyNotForwarded,
                format!("`{}` is not under the proxy's `{prefix}`", url.path()),
                format!(
                    "The request went to the page's own origin, but its path `{}` does not start with `{prefix}`, so {} did not forward it: the dev server answered it itself ({}) and the API never saw it. Call `{prefix}{}` from the page, or proxy this path too.",
                    url.path(),
                    self.tool(),
                    if page { "its index.html, 200" } else { "404 Not Found" },
                    url.path(),
                ),
                self.proxy.tool.spec(),
            )
            .with("Path", url.path())
            .with("Proxy prefix", prefix.clone())],
        }
    }

    fn forward(&self, request: &WireRequest, url: &Url, target: &Url, index: usize) -> ServerReply {
        let p = &self.proxy;
        // The path the server gets: the request's, without the prefix when
        // rewritten, joined after the target's own path (http-proxy urlJoin).
        let mut path = url.path().to_string();
        if p.strip_prefix {
            path = path[p.prefix.len()..].to_string();
        }
        if !path.starts_with('/') {
            path.insert(0, '/');
        }
        let base = target.path().trim_end_matches('/');
        let query = url.query().map(|q| format!("?{q}")).unwrap_or_default();
        let front_host = authority(url);
        let host = if p.change_origin {
            authority(target)
        } else {
            front_host.clone()
        };
        let upstream = format!("{}://{host}{base}{path}{query}", target.scheme());
        let mut headers = request.headers.clone();
        headers.set("host", host.clone());
        if p.xfwd {
            let port = url.port_or_known_default().unwrap_or(80).to_string();
            for (name, value) in [
                ("x-forwarded-for", "127.0.0.1"),
                ("x-forwarded-port", port.as_str()),
                ("x-forwarded-proto", url.scheme()),
            ] {
                let joined = match headers.get(name) {
                    Some(before) => format!("{before},{value}"),
                    None => value.to_string(),
                };
                headers.set(name, joined);
            }
            if !headers.contains("x-forwarded-host") {
                headers.set("x-forwarded-host", front_host.clone());
            }
        }
        let forwarded = WireRequest {
            method: request.method.clone(),
            url: upstream.clone(),
            headers,
            is_preflight: request.is_preflight,
        };
        let origin = request.headers.get("origin");
        let mut explanation = format!(
            "The page called its own origin, so for the browser this is a same-origin request: no CORS, and its cookies are first-party. {} forwarded it to `{upstream}` with `Host: {host}` ({}).",
            self.tool(),
            p.host_option(),
        );
        if let Some(origin) = &origin {
            explanation.push_str(&format!(
                " `Origin: {origin}` goes on unchanged, so a server that compares Origin with Host (Django's CSRF check, Rails' forgery protection) {}.",
                if p.change_origin {
                    "sees a cross-origin request unless it trusts that origin"
                } else {
                    "sees them agree"
                }
            ));
        }
        explanation.push_str(if p.xfwd {
            " It adds `X-Forwarded-Proto`, `-Host`, `-Port` and `-For`: a server that trusts its proxy reads the browser's scheme and host from them."
        } else {
            " It adds no `X-Forwarded-*` header: the server sees the scheme of the proxy's own connection."
        });
        let mut steps = vec![Step::new(
            Some(index),
            Phase::Server,
            Verdict::Ok,
            Reason::ProxyForwarded,
            format!(
                "{} forwarded {} {}",
                self.tool(),
                request.method,
                url.path()
            ),
            explanation,
            spec::HTTP_PROXY_OUTGOING,
        )
        .with("Forwarded to", upstream)
        .with("Host", host)];
        let mut reply = self.inner.respond(&forwarded, index);
        steps.append(&mut reply.steps);
        let headers = self.rewrite_cookies(&reply.response.headers, url, index, &mut steps);
        ServerReply {
            response: WireResponse {
                status: reply.response.status,
                headers,
            },
            steps,
        }
    }

    /// Each `Set-Cookie` as the proxy passes it on (`cookieDomainRewrite`).
    fn rewrite_cookies(
        &self,
        headers: &HeaderList,
        front: &Url,
        index: usize,
        steps: &mut Vec<Step>,
    ) -> HeaderList {
        let host = front.host_str().unwrap_or_default();
        let mut out = HeaderList::new();
        for (name, value) in headers.iter() {
            if !name.eq_ignore_ascii_case("set-cookie") {
                out.push(name, value);
                continue;
            }
            let Some((domain, start, end)) = domain_attribute(value) else {
                out.push(name, value);
                continue;
            };
            let cookie = value.split(['=', ';']).next().unwrap_or_default().trim();
            match &self.proxy.cookie_domain_rewrite {
                Some(new) => {
                    // nginx cannot drop the attribute: `proxy_cookie_domain ~.+ $host`.
                    let new = if new.is_empty() && self.proxy.tool == ProxyTool::Nginx {
                        host.to_string()
                    } else {
                        new.clone()
                    };
                    let line = if new.is_empty() {
                        format!("{}{}", &value[..start], &value[end..])
                    } else {
                        format!("{}; Domain={new}{}", &value[..start], &value[end..])
                    };
                    steps.push(
                        Step::new(
                            Some(index),
                            Phase::Server,
                            Verdict::Ok,
                            Reason::ProxyRewroteCookieDomain,
                            format!("The proxy rewrote `{cookie}`'s Domain"),
                            if new.is_empty() {
                                format!("The server set `{cookie}` with `Domain={domain}`; `{}: ''` drops the attribute, so the browser stores a host-only cookie of `{host}`, the page's host.", self.proxy.cookie_option())
                            } else {
                                format!("The server set `{cookie}` with `Domain={domain}`; `{}` makes it `Domain={new}`.", self.proxy.cookie_option())
                            },
                            spec::HTTP_PROXY_COOKIES,
                        )
                        .with("Set-Cookie", line.clone()),
                    );
                    out.push(name, line);
                }
                None => {
                    let d = domain.trim_start_matches('.').to_ascii_lowercase();
                    if !domain_match(&host.to_ascii_lowercase(), &d) {
                        steps.push(
                            Step::new(
                                Some(index),
                                Phase::Server,
                                Verdict::Warning,
                                Reason::ProxyKeptCookieDomain,
                                format!("The proxy passed `{cookie}` on with `Domain={domain}`"),
                                format!(
                                    "The server scoped `{cookie}` to `{domain}`, and {} passes `Set-Cookie` on as it is. The browser receives it from the page's host `{host}`, which is not in `{domain}`, so it rejects the cookie. {}",
                                    self.tool(),
                                    if self.proxy.tool == ProxyTool::Next {
                                        "Next.js rewrites cannot change it: drop the server's cookie domain setting (a host-only cookie then belongs to the page's host)."
                                    } else {
                                        "Add `cookieDomainRewrite: ''` (nginx: `proxy_cookie_domain`) so the proxy drops the attribute, or drop the server's cookie domain setting."
                                    }
                                ),
                                spec::HTTP_PROXY_COOKIES,
                            )
                            .with("Domain", domain.to_string())
                            .with("Page host", host.to_string()),
                        );
                    }
                    out.push(name, value);
                }
            }
        }
        out
    }
}

/// The `Domain` attribute of a `Set-Cookie` line: its value, and the byte
/// range of `; Domain=value` in the line (case-insensitive, as http-proxy's
/// `/(;\s*domain=)([^;]+)/i`).
fn domain_attribute(line: &str) -> Option<(&str, usize, usize)> {
    let lower = line.to_ascii_lowercase();
    let mut from = 0;
    while let Some(pos) = lower[from..].find(';') {
        let start = from + pos;
        let rest = &lower[start + 1..];
        let trimmed = rest.trim_start();
        if let Some(after) = trimmed.strip_prefix("domain=") {
            let value_start = start + 1 + (rest.len() - trimmed.len()) + "domain=".len();
            let len = after.find(';').unwrap_or(after.len());
            if len > 0 {
                let end = value_start + len;
                return Some((line[value_start..end].trim(), start, end));
            }
        }
        from = start + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_domain_attribute_is_found_case_insensitively() {
        let line = "s=1; path=/; DOMAIN=api.example.com; HttpOnly";
        let (d, start, end) = domain_attribute(line).unwrap();
        assert_eq!(d, "api.example.com");
        assert_eq!(
            format!("{}{}", &line[..start], &line[end..]),
            "s=1; path=/; HttpOnly"
        );
        assert!(domain_attribute("s=1; Path=/").is_none());
        assert!(domain_attribute("s=1; Domain=").is_none());
    }

    #[test]
    fn each_tool_writes_its_own_file() {
        let mut p = ProxyTool::Vite.defaults();
        p.strip_prefix = true;
        p.change_origin = true;
        p.cookie_domain_rewrite = Some(String::new());
        let vite = p.code().generated.code;
        assert!(vite.contains("'/api': {"), "{vite}");
        assert!(
            vite.contains("rewrite: (path) => path.replace(/^\\/api/, '')"),
            "{vite}"
        );
        assert!(vite.contains("cookieDomainRewrite: ''"), "{vite}");
        p.tool = ProxyTool::Next;
        let next = p.code();
        assert_eq!(next.title, "next.config.js");
        assert!(next
            .generated
            .code
            .contains("destination: 'http://localhost:3001/:path*'"));
        p.tool = ProxyTool::Nginx;
        p.change_origin = false;
        let nginx = p.code().generated.code;
        assert!(nginx.contains("location /api/ {"), "{nginx}");
        assert!(
            nginx.contains("proxy_pass http://localhost:3001/;"),
            "{nginx}"
        );
        assert!(nginx.contains("proxy_set_header Host $host;"), "{nginx}");
        p.tool = ProxyTool::Webpack;
        let webpack = p.code().generated.code;
        assert!(
            webpack.contains("pathRewrite: { '^/api': '' }"),
            "{webpack}"
        );
    }

    #[test]
    fn each_tool_has_its_own_defaults() {
        assert!(!ProxyTool::Vite.defaults().change_origin);
        assert!(ProxyTool::Next.defaults().change_origin && ProxyTool::Next.defaults().xfwd);
        assert!(ProxyTool::Nginx.defaults().change_origin && !ProxyTool::Nginx.defaults().xfwd);
    }
}
