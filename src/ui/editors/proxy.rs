//! The dev-server proxy in front of the server (the engine's
//! `server::dev_proxy`): which tool, its prefix and target, and the options
//! that decide what the server sees and what happens to `Set-Cookie`.

use crumbtrail_engine::server::dev_proxy::{DevProxy, ProxyTool};
use crumbtrail_engine::Scenario;
use leptos::prelude::*;

use super::*;
use crate::ui::ctx;

const TOOLS: [(&str, ProxyTool); 4] = [
    ("vite", ProxyTool::Vite),
    ("webpack", ProxyTool::Webpack),
    ("next", ProxyTool::Next),
    ("nginx", ProxyTool::Nginx),
];

const COOKIE: [(&str, &str); 3] = [
    ("keep", "Passed on as the server wrote it (the default)"),
    (
        "drop",
        "cookieDomainRewrite: '' (drops Domain: a cookie of the page's host)",
    ),
    ("rewrite", "cookieDomainRewrite: 'a domain'"),
];

fn read<T: Default>(s: &Scenario, f: impl Fn(&DevProxy) -> T) -> T {
    s.proxy.as_ref().map(f).unwrap_or_default()
}

#[component]
pub(crate) fn ProxyEditor() -> impl IntoView {
    let s = ctx().scenario;
    let on = Signal::derive(move || s.with(|s| s.proxy.is_some()));
    let set_on = Callback::new(move |on: bool| {
        s.update(|s| {
            if !on {
                s.proxy = None;
                return;
            }
            // The engine's proxied setup (the requests moved to the page's
            // origin), else a proxy with Vite's defaults.
            match crumbtrail_engine::fixes::proxy_it::proxy_alternative(s) {
                Some(t) => *s = t.fix.scenario,
                None => s.proxy = Some(DevProxy::default()),
            }
        })
    });
    let edit = move |f: Box<dyn Fn(&mut DevProxy)>| {
        s.update(|s| {
            if let Some(p) = &mut s.proxy {
                f(p)
            }
        })
    };
    let tool = Signal::derive(move || s.with(|s| read(s, |p| key_of(&TOOLS, p.tool))));
    let set_tool = Callback::new(move |k: String| {
        if let Some(t) = pick(&TOOLS, &k) {
            edit(Box::new(move |p| {
                // The tool's own defaults, keeping where it listens and forwards.
                let d = t.defaults();
                p.tool = t;
                p.change_origin = d.change_origin;
                p.xfwd = d.xfwd;
            }))
        }
    });
    let fixed = Signal::derive(move || s.with(|s| read(s, |p| p.tool.fixed_options())));
    let text = |get: fn(&DevProxy) -> String, set: fn(&mut DevProxy, String)| {
        (
            Signal::derive(move || s.with(|s| read(s, get))),
            Callback::new(move |v: String| edit(Box::new(move |p| set(p, v.clone())))),
        )
    };
    let flag = |get: fn(&DevProxy) -> bool, set: fn(&mut DevProxy, bool)| {
        (
            Signal::derive(move || s.with(|s| read(s, get))),
            Callback::new(move |v: bool| edit(Box::new(move |p| set(p, v)))),
        )
    };
    let (prefix, set_prefix) = text(|p| p.prefix.clone(), |p, v| p.prefix = v);
    let (target, set_target) = text(|p| p.target.clone(), |p, v| p.target = v);
    let (strip, set_strip) = flag(|p| p.strip_prefix, |p, v| p.strip_prefix = v);
    let (change_origin, set_change_origin) = flag(|p| p.change_origin, |p, v| p.change_origin = v);
    let (xfwd, set_xfwd) = flag(|p| p.xfwd, |p, v| p.xfwd = v);
    let cookie = Signal::derive(move || {
        s.with(|s| {
            read(s, |p| match p.cookie_domain_rewrite.as_deref() {
                None => "keep",
                Some("") => "drop",
                Some(_) => "rewrite",
            })
        })
    });
    let set_cookie = Callback::new(move |k: String| {
        edit(Box::new(move |p| {
            p.cookie_domain_rewrite = match k.as_str() {
                "drop" => Some(String::new()),
                "rewrite" => Some(
                    p.cookie_domain_rewrite
                        .clone()
                        .filter(|d| !d.is_empty())
                        .unwrap_or_else(|| "localhost".into()),
                ),
                _ => None,
            }
        }))
    });
    let (domain, set_domain) = text(
        |p| p.cookie_domain_rewrite.clone().unwrap_or_default(),
        |p, v| p.cookie_domain_rewrite = Some(v),
    );
    view! {
        <div class="proxy">
            <CheckField label="A dev-server proxy on the page's origin forwards to the server" field="proxy".into()
                get=on set=set_on
                hint="The page then calls its own origin (`/api/login`) and the proxy forwards: Vite `server.proxy`, webpack-dev-server, Next.js rewrites, nginx."/>
            <Show when=move || on.get()>
                <SelectField label="Proxy" field="proxy.tool".into()
                    options=TOOLS.iter().map(|(k, t)| (*k, t.label())).collect() get=tool set=set_tool/>
                <TextField label="Path prefix it proxies" field="proxy.prefix".into() get=prefix set=set_prefix
                    placeholder="/api"/>
                <TextField label="Target (where the API runs)" field="proxy.target".into() get=target set=set_target
                    placeholder="http://localhost:3001"/>
                <CheckField label="Strip the prefix (Vite rewrite, webpack pathRewrite, nginx proxy_pass with /, a Next.js destination without it)"
                    field="proxy.strip_prefix".into() get=strip set=set_strip/>
                <Show when=move || !fixed.get() fallback=|| view! {
                    <p class="hint">"Next.js rewrites always send the target's Host and X-Forwarded-* headers, and pass Set-Cookie on unchanged: they have no option for either."</p>
                }>
                    <CheckField label="changeOrigin: true (nginx: Host is the upstream's, its default)" field="proxy.change_origin".into()
                        get=change_origin set=set_change_origin
                        hint="The server sees `Host:` of the target instead of the page's. Origin is passed on unchanged either way."/>
                    <CheckField label="xfwd: true (nginx: proxy_set_header X-Forwarded-Proto $scheme …)" field="proxy.xfwd".into()
                        get=xfwd set=set_xfwd/>
                    <SelectField label="The Domain of each Set-Cookie" field="proxy.cookie_domain_rewrite".into()
                        options=COOKIE.to_vec() get=cookie set=set_cookie/>
                    <Show when=move || cookie.get() == "rewrite">
                        <TextField label="cookieDomainRewrite" field="proxy.cookie_domain".into() get=domain set=set_domain
                            placeholder="localhost"/>
                    </Show>
                </Show>
            </Show>
        </div>
    }
}
