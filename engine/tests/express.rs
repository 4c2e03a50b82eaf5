//! The Express stack through the whole engine: its presets, the fix
//! search over Express options, permalink keys, field errors and app.js.

use crumbtrail_engine::fixes::{is_safe, suggest_fixes};
use crumbtrail_engine::permalink::{decode, encode, View};
use crumbtrail_engine::presets;
use crumbtrail_engine::scenario::ServerSetup;
use crumbtrail_engine::server::express::code::app_js;
use crumbtrail_engine::server::express::{
    CallbackRefusal, CorsMount, ExpressApp, ExpressVersion, Front, OptionsPath, OriginOption,
    ResCookie, SameSiteOption, SecureOption, SessionKind,
};
use crumbtrail_engine::trace::JsResult;
use crumbtrail_engine::{simulate, Reason, Scenario};

fn express(s: &Scenario) -> &ExpressApp {
    match &s.server {
        ServerSetup::Express(a) => a,
        _ => panic!("an Express server"),
    }
}

fn with(edit: impl Fn(&mut ExpressApp)) -> Scenario {
    let mut s = Scenario::default();
    let mut app = ExpressApp::default();
    edit(&mut app);
    s.server = ServerSetup::Express(app);
    s
}

fn reasons(s: &Scenario) -> Vec<Reason> {
    simulate(s).steps.iter().map(|st| st.reason).collect()
}

#[test]
fn the_default_express_app_logs_in_and_reads_the_session() {
    let t = simulate(&with(|_| {}));
    assert!(t.field_errors.is_empty(), "{:?}", t.field_errors);
    assert_eq!(t.requests[0].js_result, JsResult::Readable);
    assert_eq!(
        t.requests[0].cookies_stored,
        vec!["connect.sid".to_string()]
    );
    assert_eq!(t.requests[1].cookies_sent, vec!["connect.sid".to_string()]);
    assert_eq!(t.requests[1].js_result, JsResult::Readable);
}

#[test]
fn wildcard_origin_with_credentials_fails_and_the_fix_names_the_page_origin() {
    let p = presets::by_id("express-origin-wildcard-credentials").unwrap();
    assert!(reasons(&p.scenario).contains(&Reason::WildcardOriginWithCredentials));
    let fixes = suggest_fixes(&p.scenario);
    let first = fixes.first().expect("a fix");
    assert_eq!(
        express(&first.scenario).cors.origin,
        OriginOption::Exact("http://localhost:3000".into()),
        "{:?}",
        fixes.iter().map(|f| &f.title).collect::<Vec<_>>()
    );
    let t = simulate(&first.scenario);
    assert_eq!(t.requests[1].js_result, JsResult::Readable);
    for f in &fixes {
        let o = &express(&f.scenario).cors.origin;
        assert!(
            !matches!(o, OriginOption::Reflect | OriginOption::Any),
            "an unsafe fix: {}",
            f.title
        );
    }
}

#[test]
fn secure_cookie_behind_a_proxy_without_trust_proxy_sets_no_cookie_until_trusted() {
    let p = presets::by_id("express-secure-behind-proxy").unwrap();
    let t = simulate(&p.scenario);
    assert!(t.requests[0].cookies_stored.is_empty());
    assert!(t
        .steps
        .iter()
        .any(|s| s.reason == Reason::SessionNotWrittenInsecure
            && s.explanation.contains("trust proxy")));
    let fixes = suggest_fixes(&p.scenario);
    assert!(
        fixes.iter().any(|f| express(&f.scenario).trust_proxy),
        "{:?}",
        fixes.iter().map(|f| &f.title).collect::<Vec<_>>()
    );
    let mut trusted = p.scenario.clone();
    if let ServerSetup::Express(a) = &mut trusted.server {
        a.trust_proxy = true;
    }
    let t = simulate(&trusted);
    assert_eq!(
        t.requests[0].cookies_stored,
        vec!["connect.sid".to_string()]
    );
    assert_eq!(t.requests[1].cookies_sent, vec!["connect.sid".to_string()]);
}

#[test]
fn never_proposes_reflecting_every_origin_with_credentials() {
    let original = with(|a| a.cors.origin = OriginOption::Exact("http://other.test".into()));
    let reflect = with(|a| a.cors.origin = OriginOption::Reflect);
    assert!(!is_safe(&reflect, &original));
    let dropped = with(|a| a.session.http_only = false);
    assert!(!is_safe(&dropped, &with(|_| {})));
}

#[test]
fn express_5_refuses_app_options_star_and_4_takes_it() {
    let star = |v| {
        with(move |a| {
            a.version = v;
            a.cors.mount = CorsMount::PerRoute;
            a.cors.options_path = OptionsPath::Star;
        })
    };
    assert!(reasons(&star(ExpressVersion::V5)).contains(&Reason::BootError));
    assert!(!reasons(&star(ExpressVersion::V4)).contains(&Reason::BootError));
    let t = simulate(&star(ExpressVersion::V4));
    assert_eq!(t.requests[1].js_result, JsResult::Readable);
}

#[test]
fn cors_only_on_routes_leaves_the_preflight_to_express() {
    let s = with(|a| a.cors.mount = CorsMount::PerRoute);
    assert!(reasons(&s).contains(&Reason::ExpressAutoOptions));
    let fixes = suggest_fixes(&s);
    assert!(fixes
        .iter()
        .any(|f| express(&f.scenario).cors.options_path == OptionsPath::Splat));
}

#[test]
fn a_callback_error_is_a_500_for_requests_without_origin() {
    let s = with(|a| {
        a.cors.origin = OriginOption::Callback {
            allow: vec!["http://other.test".into()],
            refuse: CallbackRefusal::Error,
        }
    });
    assert!(reasons(&s).contains(&Reason::ExpressCorsCallbackError));
}

fn reachable() -> Vec<Scenario> {
    let mut out: Vec<Scenario> = presets::all()
        .into_iter()
        .map(|p| p.scenario)
        .filter(|s| matches!(s.server, ServerSetup::Express(_)))
        .collect();
    out.push(with(|_| {}));
    out.push(with(|a| {
        a.version = ExpressVersion::V4;
        a.cors.origin =
            OriginOption::List(vec!["http://a.test".into(), "/^https?:\\/\\/x$/".into()]);
        a.cors.methods = Some(vec!["GET".into()]);
        a.cors.allowed_headers = Some(vec![]);
        a.cors.exposed_headers = vec!["X-A".into(), "X-B".into()];
        a.cors.max_age = Some(0);
        a.cors.preflight_continue = true;
        a.cors.options_success_status = 200;
        a.cors.mount = CorsMount::PerRoute;
        a.cors.options_path = OptionsPath::Routes;
        a.trust_proxy = true;
        a.front = Front::TlsProxyNoHeader;
        a.login_path = "/api/login".into();
        a.session.kind = SessionKind::CookieSession;
        a.session.name = Some("sess".into());
        a.session.secure = SecureOption::False;
        a.session.same_site = SameSiteOption::True;
        a.session.domain = Some("example.com".into());
        a.session.path = Some("/api".into());
        a.session.http_only = false;
        a.session.max_age_ms = Some(1000);
        a.session.partitioned = true;
        a.session.proxy = Some(false);
        a.session.save_uninitialized = true;
        a.session.resave = true;
        a.session.rolling = true;
        a.res_cookie = Some(ResCookie {
            secure: true,
            same_site: SameSiteOption::Lax,
            max_age_ms: Some(5000),
            path: Some("/x".into()),
            ..ResCookie::default()
        });
    }));
    for o in [
        OriginOption::Any,
        OriginOption::Reflect,
        OriginOption::Off,
        OriginOption::Exact("*".into()),
        OriginOption::Exact("true".into()),
        OriginOption::List(vec![]),
        OriginOption::Callback {
            allow: vec![],
            refuse: CallbackRefusal::False,
        },
        OriginOption::Callback {
            allow: vec!["http://a.test".into()],
            refuse: CallbackRefusal::Error,
        },
    ] {
        out.push(with(move |a| a.cors.origin = o.clone()));
    }
    out
}

#[test]
fn express_scenarios_round_trip_through_their_permalink() {
    for s in reachable() {
        let link = encode(&s, &View::default());
        assert!(link.contains("server=express"), "{link}");
        let back = decode(&link);
        assert!(back.notices.is_empty(), "{link}: {:?}", back.notices);
        assert_eq!(back.scenario, s, "{link}");
    }
}

#[test]
fn express_keys_under_another_server_are_reported() {
    let d = decode("?v=1&x.trust=1");
    assert!(
        d.notices
            .iter()
            .any(|n| n.contains("Express keys were ignored")),
        "{:?}",
        d.notices
    );
    let d = decode("?v=1&server=express&x.s.secure=maybe");
    assert_eq!(d.notices.len(), 1, "{:?}", d.notices);
}

#[test]
fn bad_settings_are_field_errors_next_to_their_field() {
    let s = with(|a| {
        a.cors.origin = OriginOption::List(vec!["http://localhost:3000/".into()]);
        a.session.name = Some("a b".into());
    });
    let fields: Vec<String> = simulate(&s)
        .field_errors
        .into_iter()
        .map(|e| e.field)
        .collect();
    assert!(
        fields.contains(&"server.cors.origin.0".to_string()),
        "{fields:?}"
    );
    assert!(
        fields.contains(&"server.session.name".to_string()),
        "{fields:?}"
    );
}

#[test]
fn app_js_names_every_setting_in_express_words() {
    let all = reachable();
    let s = all
        .iter()
        .find(|s| express(s).login_path == "/api/login")
        .unwrap();
    let js = app_js(express(s)).code;
    for needle in [
        "app.set('trust proxy', 1)",
        "cookieSession(",
        "sameSite: true",
        "app.options('/api/login', cors(corsOptions))",
        "optionsSuccessStatus: 200",
        "res.cookie('theme', 'dark'",
        "exposedHeaders: ['X-A', 'X-B']",
    ] {
        assert!(js.contains(needle), "{needle} missing in\n{js}");
    }
}
