//! rack-cors as observed in a real Rails 6.1 app (domain notes §F) and as
//! rack-cors 2.x/3.x differ (§F "How current versions differ").

mod rails_common;
use rails_common::*;

use crumbtrail_engine::http::ServerModel;
use crumbtrail_engine::server::rack_cors::{MISCONFIGURATION_CLASS, MISCONFIGURATION_MESSAGE};
use crumbtrail_engine::server::rails::*;
use crumbtrail_engine::trace::Reason;

const O: &str = "http://localhost:3000";
const API: &str = "http://localhost:3001";

fn creds_resource() -> CorsResource {
    CorsResource {
        credentials: true,
        ..CorsResource::default()
    }
}

// §F "'*' + credentials: true": raised at boot, verbatim message, also when '*' is one entry.
#[test]
fn wildcard_with_credentials_does_not_boot() {
    for origins in [&["*"][..], &["http://localhost:3000", "*"][..]] {
        let app = app61(cors(origins, creds_resource()));
        let err = app.boot().unwrap_err();
        assert_eq!(err.len(), 1);
        assert_eq!(err[0].reason, Reason::RackCorsMisconfiguration);
        assert!(err[0].explanation.contains(MISCONFIGURATION_MESSAGE));
        assert!(err[0].explanation.contains(MISCONFIGURATION_CLASS));
        // A server that never started answers nothing.
        let r = app.respond(&req("GET", &format!("{API}/me"), &[("Origin", O)]), 0);
        assert_eq!(r.response.status, 0);
    }
    assert_eq!(
        MISCONFIGURATION_MESSAGE,
        "Allowing credentials for wildcard origins is insecure. Please specify more restrictive origins or set 'credentials' to false in your CORS configuration."
    );
}

// §F "…but the DSL is order-sensitive": resource before origins '*' → reflected + credentials.
#[test]
fn resource_before_wildcard_reflects_any_origin_with_credentials() {
    let mut c = cors(&["*"], creds_resource());
    c.allow[0].resource_before_origins = true;
    let app = app61(c);
    let r = respond(
        &app,
        &req(
            "GET",
            &format!("{API}/me"),
            &[("Origin", "http://evil.test")],
        ),
    );
    let h = &r.response.headers;
    assert_eq!(
        h.get("Access-Control-Allow-Origin").as_deref(),
        Some("http://evil.test")
    );
    assert_eq!(
        h.get("Access-Control-Allow-Credentials").as_deref(),
        Some("true")
    );
}

// §F "preflight hit": 200, header order, ACAH echoed verbatim, no Vary, no Content-Type.
#[test]
fn preflight_hit_exact_headers_6_1() {
    let app = app61(cors(&[O], creds_resource()));
    let r = respond(
        &app,
        &preflight(&format!("{API}/login"), O, "POST", Some("X-Foo,X-Bar")),
    );
    assert_eq!(r.response.status, 200);
    assert_eq!(
        lines(&r),
        "Access-Control-Allow-Origin: http://localhost:3000
Access-Control-Allow-Methods: GET, POST, PUT, PATCH, DELETE, OPTIONS, HEAD
Access-Control-Expose-Headers: 
Access-Control-Max-Age: 7200
Access-Control-Allow-Credentials: true
Access-Control-Allow-Headers: X-Foo,X-Bar"
    );
    assert!(has(&r, Reason::RackCorsHit));
    // No ACRH → no Allow-Headers.
    let r = respond(&app, &preflight(&format!("{API}/login"), O, "POST", None));
    assert!(!r.response.headers.contains("Access-Control-Allow-Headers"));
    assert!(!r.response.headers.contains("Vary"));
}

// §F "preflight miss": 200 with NO headers, for each miss reason.
#[test]
fn preflight_miss_is_200_with_no_headers() {
    let res = CorsResource {
        path: "/api/*".into(),
        methods: MethodsOption::List(vec!["get".into(), "post".into()]),
        headers: HeadersOption::List(vec!["X-Token".into()]),
        ..CorsResource::default()
    };
    let app = app61(cors(&[O], res));
    let cases = [
        (
            preflight(&format!("{API}/api/x"), "http://other.test", "GET", None),
            Reason::RackCorsMissOrigin,
        ),
        (
            preflight(&format!("{API}/login"), O, "GET", None),
            Reason::RackCorsMissPath,
        ),
        (
            preflight(&format!("{API}/api/x"), O, "DELETE", None),
            Reason::RackCorsDenyMethod,
        ),
        (
            preflight(&format!("{API}/api/x"), O, "POST", Some("x-other")),
            Reason::RackCorsDenyHeader,
        ),
    ];
    for (rq, reason) in cases {
        let r = respond(&app, &rq);
        assert_eq!(r.response.status, 200, "{reason:?}");
        assert!(r.response.headers.is_empty(), "{reason:?}: {}", lines(&r));
        assert!(has(&r, reason), "{reason:?}: {:?}", reasons(&r));
    }
}

// §F "method check": ACRM.downcase; default methods = [:get] only.
#[test]
fn method_check_is_case_insensitive_and_defaults_to_get() {
    let app = app61(cors(&[O], bare_resource("*")));
    assert!(
        !respond(&app, &preflight(&format!("{API}/x"), O, "GET", None))
            .response
            .headers
            .is_empty()
    );
    assert!(
        !respond(&app, &preflight(&format!("{API}/x"), O, "get", None))
            .response
            .headers
            .is_empty()
    );
    let r = respond(&app, &preflight(&format!("{API}/x"), O, "POST", None));
    assert!(r.response.headers.is_empty());
    let any = CorsResource {
        methods: MethodsOption::Any,
        ..bare_resource("*")
    };
    let app = app61(cors(&[O], any));
    let r = respond(&app, &preflight(&format!("{API}/x"), O, "patch", None));
    assert_eq!(
        r.response
            .headers
            .get("Access-Control-Allow-Methods")
            .as_deref(),
        Some("GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS")
    );
}

// §F "header check": nil allows the 4 simple names (any value); a list adds to them, case-insensitively.
#[test]
fn header_check_simple_list_and_any() {
    let app = app61(cors(&[O], bare_resource("*")));
    let ok = |app: &RailsApp, h: &str| {
        !respond(app, &preflight(&format!("{API}/x"), O, "GET", Some(h)))
            .response
            .headers
            .is_empty()
    };
    assert!(ok(&app, "content-type,accept"));
    assert!(ok(&app, "Accept-Language, Content-Language"));
    assert!(!ok(&app, "content-type,x-csrf-token"));
    let list = CorsResource {
        headers: HeadersOption::List(vec!["X-CSRF-Token".into()]),
        ..bare_resource("*")
    };
    let app = app61(cors(&[O], list));
    assert!(ok(&app, "content-type,x-csrf-token"));
    assert!(!ok(&app, "authorization"));
    let any = CorsResource {
        headers: HeadersOption::Any,
        ..bare_resource("*")
    };
    assert!(ok(&app61(cors(&[O], any)), "authorization,x-whatever"));
}

// §F "actual (non-preflight) hit": same set minus Allow-Headers, first; then Rails headers; Vary last.
#[test]
fn actual_hit_puts_cors_headers_first_then_rails_then_vary() {
    let app = app61(cors(&[O], creds_resource()));
    let r = respond(&app, &req("GET", &format!("{API}/me"), &[("Origin", O)]));
    assert_eq!(r.response.status, 401);
    assert_eq!(
        lines(&r),
        format!(
            "Access-Control-Allow-Origin: http://localhost:3000
Access-Control-Allow-Methods: GET, POST, PUT, PATCH, DELETE, OPTIONS, HEAD
Access-Control-Expose-Headers: 
Access-Control-Max-Age: 7200
Access-Control-Allow-Credentials: true
{RAILS61_JSON}
Vary: Origin"
        )
    );
}

// §F "Access-Control-Expose-Headers": list joined with ", "; max_age 0 → "0".
#[test]
fn expose_and_max_age() {
    let res = CorsResource {
        expose: vec!["X-Total".into(), "ETag".into()],
        max_age: Some(0),
        ..bare_resource("*")
    };
    let app = app61(cors(&[O], res));
    let r = respond(&app, &req("GET", &format!("{API}/me"), &[("Origin", O)]));
    assert_eq!(
        r.response
            .headers
            .get("Access-Control-Expose-Headers")
            .as_deref(),
        Some("X-Total, ETag")
    );
    assert_eq!(
        r.response.headers.get("Access-Control-Max-Age").as_deref(),
        Some("0")
    );
    assert!(!r
        .response
        .headers
        .contains("Access-Control-Allow-Credentials"));
}

// §F "Vary": on any path match whatever the Origin (even none), not on preflights, not without
// a path match; `vary:` replaces Origin.
#[test]
fn vary_rules() {
    let app = app61(cors(&[O], bare_resource("/api/*")));
    let vary = |rq| respond(&app, &rq).response.headers.get("Vary");
    assert_eq!(
        vary(req("GET", &format!("{API}/api/x"), &[])).as_deref(),
        Some("Origin")
    );
    assert_eq!(
        vary(req(
            "GET",
            &format!("{API}/api/x"),
            &[("Origin", "http://x.test")]
        ))
        .as_deref(),
        Some("Origin")
    );
    assert_eq!(
        vary(req("GET", &format!("{API}/me"), &[("Origin", O)])),
        None
    );
    assert_eq!(
        vary(preflight(&format!("{API}/api/x"), O, "GET", None)),
        None
    );
    let res = CorsResource {
        vary: Some(vec!["Accept".into()]),
        ..bare_resource("*")
    };
    let app = app61(cors(&[O], res));
    let r = respond(&app, &req("GET", &format!("{API}/me"), &[("Origin", O)]));
    assert_eq!(r.response.headers.get("Vary").as_deref(), Some("Accept"));
}

// §F "origin forms".
#[test]
fn origin_forms() {
    let hit = |origins: &[&str], origin: &str| {
        let app = app61(cors(origins, bare_resource("*")));
        respond(
            &app,
            &req("GET", &format!("{API}/me"), &[("Origin", origin)]),
        )
        .response
        .headers
        .contains("Access-Control-Allow-Origin")
    };
    // Exact: equality only.
    assert!(hit(&[O], O));
    assert!(!hit(&[O], "http://localhost:3000/"));
    assert!(!hit(&[O], "HTTP://localhost:3000"));
    assert!(!hit(&["http://localhost:3000/"], O));
    // Bare host: any scheme, exact host:port.
    for o in [
        "http://localhost:3000",
        "https://localhost:3000",
        "ws://localhost:3000",
        "chrome-extension://localhost:3000",
    ] {
        assert!(hit(&["localhost:3000"], o), "{o}");
    }
    assert!(!hit(&["localhost:3000"], "http://localhost:30001"));
    assert!(!hit(&["localhost:3000"], "http://localhost"));
    // Regexp: unanchored matches a substring; ^ $ are line anchors.
    assert!(hit(
        &[r"/https:\/\/example\.com/"],
        "https://example.com.evil.test"
    ));
    assert!(hit(
        &[r"/^https:\/\/example\.com$/"],
        "https://evil.test\nhttps://example.com"
    ));
    assert!(!hit(
        &[r"/\Ahttps:\/\/example\.com\z/"],
        "https://example.com.evil.test"
    ));
    // 'null' is a bare host: it does not match Origin: null, it matches http://null.
    assert!(!hit(&["null"], "null"));
    assert!(hit(&["null"], "http://null"));
    // '' is ignored; 'file://' matches literally.
    assert!(!hit(&[""], "http://x"));
    assert!(hit(&["file://"], "file://"));
}

// §F "origin forms": X-Origin is used when Origin is absent.
#[test]
fn x_origin_stands_in_for_origin() {
    let app = app61(cors(&[O], bare_resource("*")));
    let r = respond(&app, &req("GET", &format!("{API}/me"), &[("X-Origin", O)]));
    assert_eq!(
        r.response
            .headers
            .get("Access-Control-Allow-Origin")
            .as_deref(),
        Some(O)
    );
}

// §F "'*'": ACAO *, never reflected, no ACAC, Origin: null gets * too.
#[test]
fn wildcard_answers_star() {
    let app = app61(cors(&["*"], bare_resource("*")));
    for o in [O, "null"] {
        let r = respond(&app, &req("GET", &format!("{API}/me"), &[("Origin", o)]));
        assert_eq!(
            r.response
                .headers
                .get("Access-Control-Allow-Origin")
                .as_deref(),
            Some("*")
        );
        assert!(!r
            .response
            .headers
            .contains("Access-Control-Allow-Credentials"));
    }
}

// §F "multiple allow blocks": first block with origin AND path match wins; a denied
// preflight does not fall through.
#[test]
fn first_matching_block_wins_and_denial_does_not_fall_through() {
    let c = CorsConfig {
        enabled: true,
        allow: vec![
            AllowBlock {
                origins: vec![O.into()],
                resources: vec![CorsResource {
                    expose: vec!["X-First".into()],
                    ..bare_resource("/api/*")
                }],
                resource_before_origins: false,
            },
            AllowBlock {
                origins: vec![O.into()],
                resources: vec![CorsResource {
                    expose: vec!["X-Second".into()],
                    methods: MethodsOption::Any,
                    ..bare_resource("*")
                }],
                resource_before_origins: false,
            },
        ],
        debug: false,
    };
    let app = app61(c);
    let get = |path: &str| {
        respond(&app, &req("GET", &format!("{API}{path}"), &[("Origin", O)]))
            .response
            .headers
            .get("Access-Control-Expose-Headers")
    };
    assert_eq!(get("/api/x").as_deref(), Some("X-First"));
    assert_eq!(get("/me").as_deref(), Some("X-Second"));
    // Block 1 matches /api/x but allows only GET: denied, and block 2 (:any) is not tried.
    let r = respond(&app, &preflight(&format!("{API}/api/x"), O, "DELETE", None));
    assert!(r.response.headers.is_empty());
    assert!(has(&r, Reason::RackCorsDenyMethod));
    let r = respond(&app, &preflight(&format!("{API}/me"), O, "DELETE", None));
    assert!(!r.response.headers.is_empty());
}

// §F "path patterns".
#[test]
fn path_patterns() {
    let matches = |pattern: &str, path: &str| {
        let app = app61(cors(&[O], bare_resource(pattern)));
        respond(&app, &req("GET", &format!("{API}{path}"), &[("Origin", O)]))
            .response
            .headers
            .contains("Access-Control-Allow-Origin")
    };
    for p in [
        "/api",
        "/api/",
        "/api/x/y",
        "/apix",
        "/other/../api/items",
        "/%61pi/items",
    ] {
        assert!(matches("/api/*", p), "{p}");
    }
    assert!(!matches("/api/*", "/API/x"));
    assert!(!matches("/api/*", "/v1/api"));
    assert!(matches("/users/:id", "/users/42"));
    assert!(!matches("/users/:id", "/users/42/posts"));
    assert!(matches("/a.json", "/a.json"));
    assert!(!matches("/a.json", "/axjson"));
    assert!(matches("*", "/anything/at/all"));
}

// §F "path patterns" / rack-cors 3.0 escapes `$` too (the 1.x pattern `^/a$$` cannot match).
#[test]
fn dollar_in_path_by_generation() {
    let matches = |v: RailsVersion| {
        let mut app = app61(cors(&[O], bare_resource("/price$")));
        app.version = v;
        respond(
            &app,
            &req("GET", &format!("{API}/price$"), &[("Origin", O)]),
        )
        .response
        .headers
        .contains("access-control-allow-origin")
    };
    assert!(!matches(RailsVersion::V6_1));
    assert!(matches(RailsVersion::V8));
}

// §F "rack-cors origin parsing": 1.x reads `chrome-extension://…` as a bare host; ≥ 2.0 as exact.
#[test]
fn custom_scheme_origin_by_generation() {
    let hit = |v: RailsVersion| {
        let mut app = app61(cors(&["chrome-extension://abc"], bare_resource("*")));
        app.version = v;
        respond(
            &app,
            &req(
                "GET",
                &format!("{API}/me"),
                &[("Origin", "chrome-extension://abc")],
            ),
        )
        .response
        .headers
        .contains("access-control-allow-origin")
    };
    assert!(!hit(RailsVersion::V6_1));
    assert!(hit(RailsVersion::V7_0));
    assert!(hit(RailsVersion::V8));
}

// rack-cors `if:` proc false: the resource does not match (no-path), but Vary still applies.
#[test]
fn if_condition_false() {
    let res = CorsResource {
        if_condition: false,
        ..bare_resource("*")
    };
    let app = app61(cors(&[O], res));
    let r = respond(&app, &req("GET", &format!("{API}/me"), &[("Origin", O)]));
    assert!(!r.response.headers.contains("Access-Control-Allow-Origin"));
    assert_eq!(r.response.headers.get("Vary").as_deref(), Some("Origin"));
    assert!(has(&r, Reason::RackCorsMissPath));
}

// §F "debug: true": X-Rack-CORS on actual responses, never on preflights.
#[test]
fn debug_header() {
    let mut c = cors(&[O], bare_resource("/api/*"));
    c.debug = true;
    let app = app61(c);
    let dbg = |rq| respond(&app, &rq).response.headers.get("X-Rack-CORS");
    assert_eq!(
        dbg(req("GET", &format!("{API}/api/x"), &[("Origin", O)])).as_deref(),
        Some("hit")
    );
    assert_eq!(
        dbg(req("GET", &format!("{API}/api/x"), &[])).as_deref(),
        Some("miss; no-origin")
    );
    assert_eq!(
        dbg(req("GET", &format!("{API}/me"), &[("Origin", O)])).as_deref(),
        Some("miss; no-path")
    );
    assert_eq!(
        dbg(req(
            "GET",
            &format!("{API}/api/x"),
            &[("Origin", "http://x.test")]
        ))
        .as_deref(),
        Some("miss; no-origin")
    );
    assert_eq!(
        dbg(preflight(&format!("{API}/api/x"), O, "GET", None)),
        None
    );
    assert_eq!(dbg(preflight(&format!("{API}/me"), O, "GET", None)), None);
}

// §F "what counts as a preflight": OPTIONS without ACRM goes to the app (404) and still gets CORS headers.
#[test]
fn options_without_acrm_reaches_the_app() {
    let app = app61(cors(&[O], creds_resource()));
    let r = respond(
        &app,
        &req("OPTIONS", &format!("{API}/me"), &[("Origin", O)]),
    );
    assert_eq!(r.response.status, 404);
    assert_eq!(
        r.response
            .headers
            .get("Access-Control-Allow-Origin")
            .as_deref(),
        Some(O)
    );
    assert_eq!(r.response.headers.get("Vary").as_deref(), Some("Origin"));
}

// §F "header name casing" and the version table: 6.1 capitalized; 7.0 (rack-cors 2, Rack 2.2)
// lower-case CORS headers with capitalized Rails headers; 7.1+ everything lower-case.
#[test]
fn header_name_case_by_version() {
    let names = |v: RailsVersion| {
        let mut app = app61(cors(&[O], creds_resource()));
        app.version = v;
        app.load_defaults = v.max_load_defaults();
        let r = respond(
            &app,
            &req("POST", &format!("{API}/login"), &[("Origin", O)]),
        );
        r.response
            .headers
            .iter()
            .map(|(n, _)| n.to_string())
            .collect::<Vec<_>>()
    };
    let n61 = names(RailsVersion::V6_1);
    assert!(n61.contains(&"Access-Control-Allow-Origin".to_string()));
    assert!(n61.contains(&"Set-Cookie".to_string()));
    assert!(n61.contains(&"Vary".to_string()));
    let n70 = names(RailsVersion::V7_0);
    assert!(n70.contains(&"access-control-allow-origin".to_string()));
    assert!(n70.contains(&"vary".to_string()));
    assert!(n70.contains(&"Set-Cookie".to_string()));
    for v in [RailsVersion::V7_1, RailsVersion::V8] {
        assert!(
            names(v).iter().all(|n| *n == n.to_ascii_lowercase()),
            "{v:?}"
        );
    }
}

// §F "CORS is not access control": a non-matching origin still runs the action.
#[test]
fn cors_is_not_access_control() {
    let app = app61(cors(&[O], creds_resource()));
    let r = respond(
        &app,
        &req(
            "POST",
            &format!("{API}/login"),
            &[("Origin", "http://evil.test")],
        ),
    );
    assert_eq!(r.response.status, 200);
    assert!(set_cookie(&r).is_some());
    assert!(!r.response.headers.contains("Access-Control-Allow-Origin"));
    assert!(has(&r, Reason::RackCorsMissOrigin));
}

// §F "errors": 404/500 responses carry the full CORS set plus Vary (here a 500 from DisabledSessionError).
#[test]
fn error_responses_carry_cors_headers() {
    let mut app = app61(cors(&[O], creds_resource()));
    app.version = RailsVersion::V7_0;
    app.load_defaults = LoadDefaults::V7_0;
    app.api_only = true;
    app.session_middleware = SessionMiddleware::None;
    let r = respond(
        &app,
        &req("POST", &format!("{API}/login"), &[("Origin", O)]),
    );
    assert_eq!(r.response.status, 500);
    assert_eq!(
        r.response
            .headers
            .get("access-control-allow-origin")
            .as_deref(),
        Some(O)
    );
    assert_eq!(r.response.headers.get("vary").as_deref(), Some("Origin"));
}

// A bad origin regexp stops the boot with a field path, and never panics.
#[test]
fn bad_regexp_is_a_boot_error() {
    let app = app61(cors(&["/(unclosed/"], bare_resource("*")));
    let err = app.boot().unwrap_err();
    assert_eq!(err[0].reason, Reason::BootError);
    assert!(err[0]
        .values
        .iter()
        .any(|v| v.value == "server.cors.allow.0.origins.0"));
}

// rack-cors `lib/rack/cors.rb`: `vary_resource.vary_headers&.any?`, so `vary: []` falls back to
// the default `Origin` instead of writing an empty Vary (1.x: `vary_headers && ….any?`).
#[test]
fn empty_vary_list_falls_back_to_origin() {
    for version in [RailsVersion::V6_1, RailsVersion::V8] {
        let res = CorsResource {
            vary: Some(Vec::new()),
            ..bare_resource("*")
        };
        let mut app = app61(cors(&[O], res));
        app.version = version;
        app.load_defaults = version.max_load_defaults();
        let r = respond(&app, &req("GET", &format!("{API}/me"), &[("Origin", O)]));
        assert_eq!(
            r.response.headers.get("Vary").as_deref(),
            Some("Origin"),
            "{version:?}"
        );
    }
}

// §F "preflight miss": an invalid path (`%00`) gives 400 with no headers — to a preflight only
// (`lib/rack/cors.rb` checks `valid_path?` inside the preflight branch). An actual request with
// such a path is matched on its unescaped (uncleaned) path, gets the CORS headers and reaches
// the app; so does a request without an Origin.
#[test]
fn invalid_path_is_400_only_for_preflights() {
    let app = app61(cors(&[O], bare_resource("/api/*")));
    let r = respond(&app, &preflight(&format!("{API}/api/x%00"), O, "GET", None));
    assert_eq!(r.response.status, 400);
    assert!(r.response.headers.is_empty());

    let r = respond(
        &app,
        &req("GET", &format!("{API}/api/x%00"), &[("Origin", O)]),
    );
    assert_ne!(r.response.status, 400);
    let h = &r.response.headers;
    assert_eq!(h.get("Access-Control-Allow-Origin").as_deref(), Some(O));
    assert_eq!(h.get("Vary").as_deref(), Some("Origin"));
    assert!(has(&r, Reason::RackCorsHit));
    // The app ran: its read action answered.
    assert!(has(&r, Reason::SessionMissing));

    let r = respond(&app, &req("GET", &format!("{API}/api/x%00"), &[]));
    assert_ne!(r.response.status, 400);
    assert_eq!(r.response.headers.get("Vary").as_deref(), Some("Origin"));
    assert!(has(&r, Reason::SessionMissing));
}
