//! The change of architecture that settings cannot make: put the API behind
//! a dev-server proxy on the page's origin (`server/dev_proxy`), so every
//! request is same-origin. Offered beside the fixes, tried for real: the
//! proxied setup is simulated, and it is said whether the login then works
//! (a proxy that keeps the server's cookie `Domain`, or a server that checks
//! `Origin` against `Host`, can still break it).

use url::Url;

use super::{change, goal_holds, needs_session, Fix};
use crate::origin::{parse_url, Origin};
use crate::scenario::Scenario;
use crate::server::dev_proxy::{DevProxy, ProxyTool};
use crate::simulate::simulate;

/// The proxied setup and whether the goal then holds.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ProxyTry {
    pub fix: Fix,
    /// Every response readable and the session cookie stored then sent.
    pub works: bool,
}

/// The scenario with its API behind Vite's `server.proxy` on the page's
/// origin; `None` when there is nothing to proxy (already same-origin, a
/// proxy already, requests to more than one other origin, navigations).
pub fn proxy_alternative(scenario: &Scenario) -> Option<ProxyTry> {
    if scenario.proxy.is_some() {
        return None;
    }
    let page = parse_url(&scenario.page.url, None).ok()?;
    let front = Origin::of(&page);
    let mut api: Option<Url> = None;
    let mut urls = Vec::new();
    for r in &scenario.requests {
        if r.client.is_top_level_navigation() {
            return None;
        }
        let u = parse_url(&r.url, Some(&page)).ok()?;
        let o = Origin::of(&u);
        if !o.same_origin(&front) {
            match &api {
                Some(a) if !Origin::of(a).same_origin(&o) => return None,
                _ => api = Some(u.clone()),
            }
        }
        urls.push(u);
    }
    let api = api?;
    let api_origin = Origin::of(&api);
    // The API's paths start with `/api` already: proxy them as they are;
    // otherwise add `/api` in front and strip it on the way (Vite's `rewrite`).
    let under_api = |u: &Url| u.path() == "/api" || u.path().starts_with("/api/");
    let strip = !urls
        .iter()
        .filter(|u| Origin::of(u).same_origin(&api_origin))
        .all(under_api);
    let mut proxy = DevProxy {
        target: api_origin.serialize(),
        strip_prefix: strip,
        ..ProxyTool::Vite.defaults()
    };
    // `changeOrigin: true`, as Vite's own example writes it: the server then
    // sees its own Host (name-based virtual hosts, ALLOWED_HOSTS).
    proxy.change_origin = true;

    let mut proxied = scenario.clone();
    let mut changes = vec![change(
        "proxy",
        "none",
        format!(
            "'{}': {{ target: '{}', changeOrigin: true{} }}",
            proxy.prefix,
            proxy.target,
            if strip {
                ", rewrite: (p) => p.replace(/^\\/api/, '')"
            } else {
                ""
            }
        ),
    )];
    for (i, (r, u)) in proxied.requests.iter_mut().zip(&urls).enumerate() {
        if !Origin::of(u).same_origin(&api_origin) {
            continue;
        }
        let path = if strip {
            format!("/api{}", u.path())
        } else {
            u.path().to_string()
        };
        let query = u.query().map(|q| format!("?{q}")).unwrap_or_default();
        let to = format!("{}{path}{query}", front.serialize());
        changes.push(change(
            format!("requests.{i}.url"),
            r.url.clone(),
            to.clone(),
        ));
        r.url = to;
    }
    proxied.proxy = Some(proxy);
    let works = goal_holds(
        &proxied,
        &simulate(&proxied),
        needs_session(scenario, &simulate(scenario)),
    );
    Some(ProxyTry {
        fix: Fix {
            title: "Proxy the API through the page's origin (Vite server.proxy)".into(),
            reason: format!(
                "The page calls {}/api… and Vite forwards it to {}: every request is same-origin, so no CORS and a first-party cookie.",
                front.serialize(),
                api_origin.serialize()
            ),
            changes,
            scenario: proxied,
        },
        works,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_article_works_behind_the_proxy() {
        let t = proxy_alternative(&Scenario::default()).expect("a proxy to try");
        assert!(t.works, "{:#?}", t.fix);
        let p = t.fix.scenario.proxy.as_ref().unwrap();
        assert!(
            p.strip_prefix,
            "Rails routes /login: the prefix is stripped"
        );
        assert_eq!(
            t.fix.scenario.requests[0].url,
            "http://localhost:3000/api/login"
        );
        assert!(
            proxy_alternative(&t.fix.scenario).is_none(),
            "already proxied"
        );
    }
}
