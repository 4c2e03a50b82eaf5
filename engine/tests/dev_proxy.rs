//! A dev-server proxy in front of Rails, Express and Django (issue: "A
//! dev-server proxy as a server setup"): the page calls its own origin, the
//! proxy forwards under its prefix, and what it does to `Host`,
//! `X-Forwarded-*` and `Set-Cookie` decides whether the login works.

use crumbtrail_engine::permalink::{self, View};
use crumbtrail_engine::scenario::{
    BodyKind, Client, CredentialsMode, RedirectMode, RequestMode, ServerSetup,
};
use crumbtrail_engine::server::dev_proxy::{DevProxy, ProxyTool};
use crumbtrail_engine::server::django::presets::spa_login;
use crumbtrail_engine::server::express::ExpressApp;
use crumbtrail_engine::trace::JsResult;
use crumbtrail_engine::{simulate, Reason, Scenario, Trace};

const FRONT: &str = "http://localhost:5173";

fn same_origin() -> Client {
    Client::Fetch {
        mode: RequestMode::Cors,
        credentials: CredentialsMode::SameOrigin,
        redirect: RedirectMode::Follow,
    }
}

fn proxy(tool: ProxyTool, target: &str, edit: impl FnOnce(&mut DevProxy)) -> Option<DevProxy> {
    let mut p = tool.defaults();
    p.target = target.into();
    edit(&mut p);
    Some(p)
}

/// The article's Rails API on localhost:3001, called through the page's own origin.
fn rails_through(p: Option<DevProxy>) -> Scenario {
    let mut s = Scenario::default();
    s.page.url = format!("{FRONT}/");
    for r in &mut s.requests {
        let path = r
            .url
            .trim_start_matches("http://localhost:3001")
            .to_string();
        r.url = format!("{FRONT}/api{path}");
        r.client = same_origin();
    }
    s.proxy = p;
    s
}

fn has(t: &Trace, reason: Reason) -> bool {
    t.steps.iter().any(|s| s.reason == reason)
}

#[test]
fn proxying_the_article_makes_it_same_origin_and_the_cookie_flows() {
    let s = rails_through(proxy(ProxyTool::Vite, "http://localhost:3001", |p| {
        p.strip_prefix = true
    }));
    let t = simulate(&s);
    assert!(t.field_errors.is_empty(), "{:?}", t.field_errors);
    assert!(has(&t, Reason::ProxyForwarded), "{:#?}", t.steps);
    let login = &t.requests[0];
    assert_eq!(login.js_result, JsResult::Readable, "{:#?}", t.steps);
    assert!(!login.cookies_stored.is_empty(), "{login:#?}");
    let me = &t.requests[1];
    assert_eq!(me.cookies_sent, login.cookies_stored, "{me:#?}");
    // The browser never saw another origin: no preflight, no CORS check.
    assert!(
        t.requests.iter().all(|o| o.exchanges.len() == 1),
        "{:#?}",
        t.requests
    );
}

#[test]
fn without_the_rewrite_the_server_gets_the_prefix_and_answers_404() {
    // Rails routes `/login`; Vite forwards `/api/login` as it is.
    let t = simulate(&rails_through(proxy(
        ProxyTool::Vite,
        "http://localhost:3001",
        |_| {},
    )));
    let step = t
        .steps
        .iter()
        .find(|s| s.reason == Reason::ProxyForwarded)
        .expect("forwarded");
    assert!(
        step.values
            .iter()
            .any(|v| v.value == "http://localhost:5173/api/login"),
        "without changeOrigin the server sees the page's Host: {:?}",
        step.values
    );
    assert!(
        t.requests[0].cookies_stored.is_empty(),
        "{:#?}",
        t.requests[0]
    );
}

#[test]
fn a_path_outside_the_prefix_never_reaches_the_api() {
    let mut s = rails_through(proxy(ProxyTool::Vite, "http://localhost:3001", |p| {
        p.strip_prefix = true
    }));
    s.requests[0].url = format!("{FRONT}/login");
    let t = simulate(&s);
    assert!(has(&t, Reason::ProxyNotForwarded), "{:#?}", t.steps);
    assert_eq!(t.requests[0].status, Some(404));
    assert!(!has(&t, Reason::ProxyForwarded) || t.requests[1].cookies_sent.is_empty());
}

/// Django behind the proxy: `changeOrigin: true` makes `Host` the API's, so
/// the CSRF Origin check sees `Origin: http://localhost:5173` as another
/// origin and the login is a 403, unless CSRF_TRUSTED_ORIGINS lists it.
#[test]
fn change_origin_turns_the_django_csrf_origin_check_against_the_proxy() {
    let django = |change_origin: bool, trusted: bool| {
        let mut s = Scenario::default();
        s.page.url = format!("{FRONT}/");
        s.requests = spa_login(FRONT);
        for r in &mut s.requests {
            r.client = same_origin();
        }
        let mut app = Box::<crumbtrail_engine::server::django::DjangoApp>::default();
        app.debug = true;
        app.allowed_hosts = vec!["localhost".into()];
        if trusted {
            app.csrf.trusted_origins = vec![FRONT.into()];
        }
        s.server = ServerSetup::Django(app);
        s.proxy = proxy(ProxyTool::Vite, "http://localhost:8000", |p| {
            p.prefix = "/api".into();
            p.change_origin = change_origin;
        });
        simulate(&s)
    };
    for (change_origin, trusted, login_status) in
        [(false, false, 200), (true, false, 403), (true, true, 200)]
    {
        let t = django(change_origin, trusted);
        assert_eq!(
            t.requests[1].status,
            Some(login_status),
            "changeOrigin {change_origin}, trusted {trusted}: {:#?}",
            t.steps
        );
        assert_eq!(
            t.requests[1].js_result,
            JsResult::Readable,
            "same-origin: the page reads even the 403"
        );
        if login_status == 200 {
            assert!(
                !t.requests[2].cookies_sent.is_empty(),
                "{:#?}",
                t.requests[2]
            );
        }
    }
}

/// Express's session cookie scoped to the API's domain: passed on as it is
/// (Next.js rewrites always; Vite by default) the browser rejects it on
/// localhost; `cookieDomainRewrite: ''` makes it a host-only cookie of the page.
#[test]
fn an_upstream_cookie_domain_is_kept_unless_the_proxy_rewrites_it() {
    let express = |tool: ProxyTool, rewrite: Option<&str>| {
        let mut s = rails_through(proxy(tool, "http://api.localhost:3001", |p| {
            p.strip_prefix = true;
            p.cookie_domain_rewrite = rewrite.map(str::to_string);
        }));
        let mut app = ExpressApp::default();
        app.session.domain = Some("api.localhost".into());
        s.server = ServerSetup::Express(app);
        simulate(&s)
    };
    for tool in [ProxyTool::Vite, ProxyTool::Next] {
        let t = express(tool, None);
        assert!(
            has(&t, Reason::ProxyKeptCookieDomain),
            "{tool:?}: {:#?}",
            t.steps
        );
        assert!(t.requests[0].cookies_stored.is_empty(), "{tool:?}");
        assert!(!t.requests[0].cookies_rejected.is_empty(), "{tool:?}");
    }
    let t = express(ProxyTool::Vite, Some(""));
    assert!(has(&t, Reason::ProxyRewroteCookieDomain), "{:#?}", t.steps);
    assert!(!t.requests[0].cookies_stored.is_empty(), "{:#?}", t.steps);
    assert!(!t.requests[1].cookies_sent.is_empty());
    // Next.js has no such option: the same setting changes nothing there.
    let t = express(ProxyTool::Next, Some(""));
    assert!(t.requests[0].cookies_stored.is_empty(), "{:#?}", t.steps);
}

/// `cookie: { secure: true }` behind a proxy on https: express-session sets
/// the cookie only when it trusts the proxy's `X-Forwarded-Proto` — which
/// Vite sends only with `xfwd: true` and Next.js always sends.
#[test]
fn express_secure_cookies_need_xfwd_and_trust_proxy() {
    let run = |tool: ProxyTool, xfwd: bool, trust_proxy: bool| {
        let mut s = rails_through(proxy(tool, "http://localhost:3001", |p| {
            p.strip_prefix = true;
            p.xfwd = xfwd;
        }));
        s.page.url = "https://localhost:5173/".into();
        for r in &mut s.requests {
            r.url = r.url.replace("http://", "https://");
        }
        let mut app = ExpressApp::default();
        app.session.secure = crumbtrail_engine::server::express::SecureOption::True;
        app.trust_proxy = trust_proxy;
        s.server = ServerSetup::Express(app);
        !simulate(&s).requests[0].cookies_stored.is_empty()
    };
    assert!(!run(ProxyTool::Vite, false, true));
    assert!(!run(ProxyTool::Vite, true, false));
    assert!(run(ProxyTool::Vite, true, true));
    assert!(
        run(ProxyTool::Next, false, true),
        "Next.js sets xfwd itself"
    );
}

#[test]
fn a_bad_target_or_prefix_is_an_error_next_to_its_field() {
    let t = simulate(&rails_through(proxy(
        ProxyTool::Vite,
        "localhost:3001",
        |p| p.prefix = "api".into(),
    )));
    let fields: Vec<&str> = t.field_errors.iter().map(|e| e.field.as_str()).collect();
    assert!(fields.contains(&"proxy.target"), "{fields:?}");
    assert!(fields.contains(&"proxy.prefix"), "{fields:?}");
}

#[test]
fn the_proxy_round_trips_through_the_permalink() {
    for tool in ProxyTool::ALL {
        let mut s = rails_through(proxy(tool, "http://localhost:8000/v1", |p| {
            p.strip_prefix = true;
            p.prefix = "/backend".into();
            if !tool.fixed_options() {
                p.change_origin = !p.change_origin;
                p.xfwd = true;
                p.cookie_domain_rewrite = Some(String::new());
            }
        }));
        s.requests[1].body = BodyKind::None;
        let link = permalink::encode(&s, &View::default());
        assert!(link.contains(&format!("proxy={}", tool.key())), "{link}");
        let back = permalink::decode(&link);
        assert!(back.notices.is_empty(), "{link}: {:?}", back.notices);
        assert_eq!(back.scenario.proxy, s.proxy, "{link}");
    }
    // Option keys before `proxy=` keep their values; `proxy=none` drops it.
    let back = permalink::decode("v=1&proxy.prefix=/b&proxy=nginx");
    let p = back.scenario.proxy.expect("a proxy");
    assert_eq!(
        (p.tool, p.prefix.as_str(), p.change_origin),
        (ProxyTool::Nginx, "/b", true)
    );
    assert!(permalink::decode("v=1&proxy=vite&proxy=none")
        .scenario
        .proxy
        .is_none());
    let bad = permalink::decode("v=1&proxy=caddy&proxy.strip=maybe&proxy.zzz=1");
    assert_eq!(bad.notices.len(), 3, "{:?}", bad.notices);
}

/// The three proxy presets say what their titles say.
#[test]
fn the_proxy_presets_work_or_break_as_titled() {
    use crumbtrail_engine::presets;
    let run = |id: &str| simulate(&presets::by_id(id).expect(id).scenario);
    let t = run("proxy-vite-article");
    assert!(
        t.requests.iter().all(|r| r.js_result == JsResult::Readable),
        "{}",
        t.headline
    );
    assert!(
        !t.requests[1].cookies_sent.is_empty(),
        "{:#?}",
        t.requests[1]
    );

    let t = run("proxy-django-change-origin-csrf");
    assert_eq!(t.requests[1].status, Some(403), "{:#?}", t.steps);
    let why = t
        .steps
        .iter()
        .map(|s| s.explanation.to_string())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(why.contains("Origin checking failed"), "{why}");

    let t = run("proxy-next-keeps-cookie-domain");
    assert!(has(&t, Reason::ProxyKeptCookieDomain), "{:#?}", t.steps);
    assert!(t.requests[0].cookies_stored.is_empty());
    assert!(t.requests[1].cookies_sent.is_empty());
}

/// Live mode: the requests stay on the page's (lab) origin, the proxy's
/// target gets a lab origin of its own with the same relation to the page.
#[test]
fn live_mode_maps_the_proxy_target_to_a_lab_origin() {
    use crumbtrail_engine::live::{map_scenario, LabPorts};
    let s = crumbtrail_engine::presets::by_id("proxy-vite-article")
        .unwrap()
        .scenario;
    let m = map_scenario(&s, "http://localhost:8080", &LabPorts::default());
    assert!(m.runnable(), "{:?}", m.blockers);
    assert_eq!(
        m.scenario.requests[0].url,
        "http://localhost:8080/api/login"
    );
    assert_eq!(
        m.scenario.proxy.as_ref().unwrap().target,
        "http://localhost:8081"
    );
    // The mapped setup behaves as the original.
    let t = simulate(&m.scenario);
    assert!(!t.requests[1].cookies_sent.is_empty(), "{:#?}", t.steps);
}

/// The fix search knows the login behind a prefix-stripping proxy, and
/// finds the server-side fix for a cookie Domain Next.js cannot rewrite.
#[test]
fn the_fix_search_sees_through_the_proxy() {
    let s = crumbtrail_engine::presets::by_id("proxy-next-keeps-cookie-domain")
        .unwrap()
        .scenario;
    let fixes = crumbtrail_engine::fixes::suggest_fixes(&s);
    let first = fixes.first().expect("a fix");
    assert!(
        first
            .changes
            .iter()
            .any(|c| c.field == "server.session.domain"),
        "{:#?}",
        first.changes
    );
    assert!(!simulate(&first.scenario).requests[1]
        .cookies_sent
        .is_empty());
}
