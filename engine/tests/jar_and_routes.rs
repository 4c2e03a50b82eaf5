//! What imports need from the scenario model, one rule per test: cookies
//! already in the jar at the start (RFC 6265bis §5.7 records, with creation
//! time), raw routes that answer only their Nth call, that reflect the
//! request's `Origin`, and that match the query string; and their permalink
//! keys.

use crumbtrail_engine::permalink::{decode, encode, View};
use crumbtrail_engine::scenario::{
    BodyKind, Client, CredentialsMode, JarCookie, JarSameSite, NavigationForm, Page, RawResponse,
    RawRoute, RawServer, RedirectMode, RequestMode, RequestSpec, Scenario, ServerSetup,
};
use crumbtrail_engine::trace::{JsResult, Reason, Trace};
use crumbtrail_engine::{simulate, ProfileId};

const PAGE: &str = "http://localhost:3000/";
const OK: &str =
    "Access-Control-Allow-Origin: http://localhost:3000\nAccess-Control-Allow-Credentials: true";
const PREFLIGHT_OK: &str = "Access-Control-Allow-Origin: http://localhost:3000\nAccess-Control-Allow-Credentials: true\nAccess-Control-Allow-Methods: POST, GET\nAccess-Control-Allow-Headers: content-type";

fn include() -> Client {
    Client::Fetch {
        mode: RequestMode::Cors,
        credentials: CredentialsMode::Include,
        redirect: RedirectMode::Follow,
    }
}

fn req(method: &str, url: &str) -> RequestSpec {
    RequestSpec {
        url: url.into(),
        method: method.into(),
        headers: String::new(),
        body: BodyKind::None,
        client: include(),
        delay_secs: 0,
        ..RequestSpec::default()
    }
}

fn route(method: &str, path: &str, status: u16, headers: &str) -> RawRoute {
    RawRoute {
        method: method.into(),
        path: path.into(),
        preflight: RawResponse {
            status: 204,
            headers: PREFLIGHT_OK.into(),
        },
        response: RawResponse {
            status,
            headers: headers.into(),
        },
        ..RawRoute::default()
    }
}

fn scenario(requests: Vec<RequestSpec>, routes: Vec<RawRoute>, jar: Vec<JarCookie>) -> Scenario {
    Scenario {
        page: Page {
            url: PAGE.into(),
            top_level_url: None,
            local_network: Default::default(),
            storage_access: Default::default(),
        },
        profile: ProfileId::Chrome,
        profile_version: None,
        requests,
        server: ServerSetup::Raw(RawServer { routes }),
        proxy: None,
        jar_at_start: jar,
    }
}

fn cookie(name: &str, domain: &str) -> JarCookie {
    JarCookie {
        name: name.into(),
        value: "v".into(),
        domain: domain.into(),
        ..JarCookie::default()
    }
}

fn has(t: &Trace, reason: Reason) -> bool {
    t.steps.iter().any(|s| s.reason == reason)
}

fn status(t: &Trace, i: usize) -> Option<u16> {
    t.requests[i].status
}

// ---------------------------------------------------------------------------
// Jar at start

#[test]
fn a_cookie_in_the_jar_at_start_is_sent_like_a_stored_one() {
    let s = scenario(
        vec![req("GET", "http://localhost:3001/me")],
        vec![route("GET", "/me", 200, OK)],
        vec![JarCookie {
            same_site: JarSameSite::Lax,
            http_only: true,
            ..cookie("sid", "localhost")
        }],
    );
    let t = simulate(&s);
    assert!(t.field_errors.is_empty(), "{:?}", t.field_errors);
    assert!(has(&t, Reason::CookieInJarAtStart));
    assert_eq!(t.requests[0].cookies_sent, vec!["sid"]);
    let header = t.requests[0].exchanges[0].request.headers.get("cookie");
    assert_eq!(header.as_deref(), Some("sid=v"));
    assert!(t.requests[0].jar_after.iter().any(|c| c.name == "sid"));
}

#[test]
fn host_only_and_domain_cookies_at_start_follow_domain_match() {
    let mut s = scenario(
        vec![req("GET", "https://api.example.test/me")],
        vec![route("GET", "/me", 200, OK)],
        vec![
            JarCookie {
                secure: true,
                same_site: JarSameSite::None,
                ..cookie("host", "example.test")
            },
            JarCookie {
                host_only: false,
                secure: true,
                same_site: JarSameSite::None,
                ..cookie("domain", "example.test")
            },
            cookie("other", "other.test"),
        ],
    );
    s.page.url = "https://app.example.test/".into();
    let t = simulate(&s);
    assert!(t.field_errors.is_empty(), "{:?}", t.field_errors);
    assert_eq!(t.requests[0].cookies_sent, vec!["domain"]);
    assert!(has(&t, Reason::ExcludeDomainMismatch));
}

#[test]
fn creation_time_orders_the_cookie_header() {
    // §5.8.3 step 4: equal paths, earlier creation first. `young` is listed
    // first but was created later.
    let s = scenario(
        vec![req("GET", "http://localhost:3001/me")],
        vec![route("GET", "/me", 200, OK)],
        vec![
            JarCookie {
                age_secs: 10,
                ..cookie("young", "localhost")
            },
            JarCookie {
                age_secs: 1000,
                ..cookie("old", "localhost")
            },
        ],
    );
    let t = simulate(&s);
    assert_eq!(t.requests[0].cookies_sent, vec!["old", "young"]);
}

#[test]
fn age_decides_chromes_lax_allowing_unsafe_window() {
    // A cross-site top-level POST carries an unspecified-SameSite cookie only
    // while it is under two minutes old (Chrome).
    let run = |age| {
        let mut s = scenario(
            vec![RequestSpec {
                client: Client::Navigation {
                    form: NavigationForm::FormPost,
                },
                body: BodyKind::UrlEncoded,
                ..req("POST", "http://127.0.0.1:3001/login")
            }],
            vec![route("POST", "/login", 200, "")],
            vec![JarCookie {
                age_secs: age,
                ..cookie("sid", "127.0.0.1")
            }],
        );
        s.profile = ProfileId::Chrome;
        simulate(&s)
    };
    let young = run(60);
    assert_eq!(young.requests[0].cookies_sent, vec!["sid"]);
    assert!(has(&young, Reason::WarnLaxAllowUnsafe));
    let old = run(600);
    assert!(old.requests[0].cookies_sent.is_empty());
}

#[test]
fn expiry_counts_from_the_start() {
    let mut second = req("GET", "http://localhost:3001/me");
    second.delay_secs = 30;
    let s = scenario(
        vec![req("GET", "http://localhost:3001/me"), second],
        vec![route("GET", "/me", 200, OK)],
        vec![JarCookie {
            expires_in_secs: Some(10),
            ..cookie("short", "localhost")
        }],
    );
    let t = simulate(&s);
    assert_eq!(t.requests[0].cookies_sent, vec!["short"]);
    assert!(t.requests[1].cookies_sent.is_empty());
}

#[test]
fn a_partitioned_cookie_at_start_goes_only_under_its_top_level_site() {
    let run = |top: &str| {
        let mut s = scenario(
            vec![req("GET", "https://api.backend.test/me")],
            vec![route(
                "GET",
                "/me",
                200,
                "Access-Control-Allow-Origin: https://widget.test\nAccess-Control-Allow-Credentials: true",
            )],
            vec![JarCookie {
                secure: true,
                same_site: JarSameSite::None,
                partition: Some("https://a.test".into()),
                partition_cross_site_ancestor: true,
                ..cookie("chip", "api.backend.test")
            }],
        );
        s.page.url = "https://widget.test/".into();
        s.page.top_level_url = Some(top.into());
        simulate(&s)
    };
    let home = run("https://a.test/");
    assert!(home.field_errors.is_empty(), "{:?}", home.field_errors);
    assert_eq!(home.requests[0].cookies_sent, vec!["chip"]);
    let elsewhere = run("https://b.test/");
    assert!(elsewhere.requests[0].cookies_sent.is_empty());
}

#[test]
fn set_cookie_replaces_a_cookie_at_start() {
    let s = scenario(
        vec![
            req("POST", "http://localhost:3001/login"),
            req("GET", "http://localhost:3001/me"),
        ],
        vec![
            route(
                "POST",
                "/login",
                200,
                &format!("{OK}\nSet-Cookie: sid=new; Path=/"),
            ),
            route("GET", "/me", 200, OK),
        ],
        vec![cookie("sid", "localhost")],
    );
    let t = simulate(&s);
    assert!(has(&t, Reason::CookieReplaced));
    let jar = &t.requests[1].jar_after;
    assert_eq!(jar.iter().filter(|c| c.name == "sid").count(), 1);
    assert_eq!(jar[0].value, "new");
}

#[test]
fn cookies_no_browser_could_hold_are_field_errors() {
    let rows: Vec<(&str, JarCookie, &str)> = vec![
        (
            "no name, no value",
            JarCookie {
                value: String::new(),
                ..cookie("", "localhost")
            },
            "name",
        ),
        ("`;` in the name", cookie("a;b", "localhost"), "name"),
        (
            "control in the value",
            JarCookie {
                value: "a\u{1}".into(),
                ..cookie("a", "localhost")
            },
            "value",
        ),
        (
            "over 4096 bytes",
            JarCookie {
                value: "x".repeat(4096),
                ..cookie("a", "localhost")
            },
            "value",
        ),
        ("no domain", cookie("a", ""), "domain"),
        ("not a host", cookie("a", "a b"), "domain"),
        (
            "domain cookie for a public suffix",
            JarCookie {
                host_only: false,
                ..cookie("a", "com")
            },
            "host_only",
        ),
        (
            "domain cookie for an IP",
            JarCookie {
                host_only: false,
                ..cookie("a", "127.0.0.1")
            },
            "host_only",
        ),
        (
            "relative path",
            JarCookie {
                path: "api".into(),
                ..cookie("a", "localhost")
            },
            "path",
        ),
        (
            "__Secure- without Secure",
            cookie("__Secure-a", "localhost"),
            "secure",
        ),
        (
            "__Host- with a path",
            JarCookie {
                secure: true,
                path: "/api".into(),
                ..cookie("__Host-a", "localhost")
            },
            "host_only",
        ),
        (
            "partitioned without Secure",
            JarCookie {
                partition: Some("https://a.test".into()),
                ..cookie("a", "localhost")
            },
            "secure",
        ),
        (
            "partition not a site",
            JarCookie {
                secure: true,
                partition: Some("a.test".into()),
                ..cookie("a", "localhost")
            },
            "partition",
        ),
        (
            "expired at the start",
            JarCookie {
                expires_in_secs: Some(0),
                ..cookie("a", "localhost")
            },
            "expires_in_secs",
        ),
        (
            "over 400 days",
            JarCookie {
                expires_in_secs: Some(400 * 86_400),
                age_secs: 1,
                ..cookie("a", "localhost")
            },
            "expires_in_secs",
        ),
    ];
    for (name, c, field) in rows {
        let s = scenario(
            vec![req("GET", "http://localhost:3001/me")],
            vec![route("GET", "/me", 200, OK)],
            vec![c],
        );
        let t = simulate(&s);
        let want = format!("jar_at_start.0.{field}");
        assert!(
            t.field_errors.iter().any(|e| e.field == want),
            "{name}: expected an error on {want}, got {:?}",
            t.field_errors
        );
        assert!(!has(&t, Reason::CookieInJarAtStart), "{name}");
        // The request still runs, without the cookie.
        assert_eq!(t.requests[0].js_result, JsResult::Readable, "{name}");
        assert!(t.requests[0].cookies_sent.is_empty(), "{name}");
    }
}

// ---------------------------------------------------------------------------
// Routes that answer their Nth call

#[test]
fn a_route_can_answer_only_its_nth_call() {
    let login = |call, status| RawRoute {
        call,
        ..route("POST", "/login", status, OK)
    };
    let s = scenario(
        vec![
            req("POST", "http://localhost:3001/login"),
            req("POST", "http://localhost:3001/login"),
            req("POST", "http://localhost:3001/login"),
        ],
        vec![login(1, 401), login(2, 200)],
        vec![],
    );
    let t = simulate(&s);
    assert_eq!(status(&t, 0), Some(401));
    assert_eq!(status(&t, 1), Some(200));
    // The third call matches no route: 404 without headers, so CORS fails.
    assert!(has(&t, Reason::ServerNoRoute));
    assert_eq!(t.requests[2].js_result, JsResult::NetworkError);
    let step = t
        .steps
        .iter()
        .find(|s| s.request == Some(1) && s.reason == Reason::ServerResponded)
        .expect("server step");
    assert!(step.values.iter().any(|v| v.label == "Call"), "{step:?}");
}

#[test]
fn a_route_without_a_call_number_answers_the_other_calls() {
    let s = scenario(
        vec![
            req("GET", "http://localhost:3001/me"),
            req("GET", "http://localhost:3001/me"),
        ],
        vec![
            RawRoute {
                call: 1,
                ..route("GET", "/me", 401, OK)
            },
            route("GET", "/me", 200, OK),
        ],
        vec![],
    );
    let t = simulate(&s);
    assert_eq!(status(&t, 0), Some(401));
    assert_eq!(status(&t, 1), Some(200));
}

#[test]
fn the_preflight_belongs_to_the_call_it_precedes() {
    // The second call's route denies the preflight: only the second request fails.
    let mut denied = route("POST", "/items", 200, OK);
    denied.call = 2;
    denied.preflight.headers = "Access-Control-Allow-Origin: http://localhost:3000".into();
    let mut first = route("POST", "/items", 200, OK);
    first.call = 1;
    first.preflight.headers = format!("{PREFLIGHT_OK}\nAccess-Control-Max-Age: 0");
    let json = |r: RequestSpec| RequestSpec {
        headers: "Content-Type: application/json".into(),
        body: BodyKind::Json,
        ..r
    };
    let s = scenario(
        vec![
            json(req("POST", "http://localhost:3001/items")),
            json(req("POST", "http://localhost:3001/items")),
        ],
        vec![first, denied],
        vec![],
    );
    let t = simulate(&s);
    assert_eq!(t.requests[0].js_result, JsResult::Readable);
    assert_eq!(t.requests[1].js_result, JsResult::NetworkError);
    assert!(!t.requests[1].request_sent);
}

// ---------------------------------------------------------------------------
// Reflecting the Origin

#[test]
fn a_reflecting_route_allows_any_origin_with_credentials() {
    let mut r = route(
        "*",
        "*",
        200,
        "Access-Control-Allow-Origin: https://wrong.test\nAccess-Control-Allow-Credentials: true",
    );
    r.reflect_origin = true;
    r.preflight.headers = "Access-Control-Allow-Credentials: true\nAccess-Control-Allow-Methods: POST\nAccess-Control-Allow-Headers: content-type".into();
    let mut post = req("POST", "http://localhost:3001/login");
    post.headers = "Content-Type: application/json".into();
    let s = scenario(vec![post], vec![r], vec![]);
    let t = simulate(&s);
    assert_eq!(
        t.requests[0].js_result,
        JsResult::Readable,
        "{}",
        t.headline
    );
    for ex in &t.requests[0].exchanges {
        let resp = ex.response.as_ref().expect("a response");
        assert_eq!(
            resp.headers.get_all("access-control-allow-origin"),
            vec!["http://localhost:3000"]
        );
        assert_eq!(resp.headers.get("vary").as_deref(), Some("Origin"));
    }
}

#[test]
fn a_reflecting_route_sends_no_allow_origin_without_an_origin() {
    // A same-origin GET carries no Origin header (Fetch §Origin header).
    let mut r = route(
        "GET",
        "/me",
        200,
        "Access-Control-Allow-Origin: *\nVary: Accept",
    );
    r.reflect_origin = true;
    let s = scenario(
        vec![req("GET", "http://localhost:3000/me")],
        vec![r],
        vec![],
    );
    let t = simulate(&s);
    let resp = t.requests[0].exchanges[0].response.as_ref().unwrap();
    assert!(!resp.headers.contains("access-control-allow-origin"));
    assert_eq!(resp.headers.get_all("vary"), vec!["Accept", "Origin"]);
}

// ---------------------------------------------------------------------------
// Matching the query

#[test]
fn a_route_matches_the_query_only_when_asked_to() {
    let mut exact = route("GET", "/search?q=1", 200, OK);
    exact.match_query = true;
    let mut prefix = route("GET", "/search?q=*", 202, OK);
    prefix.match_query = true;
    let plain = route("GET", "/search", 203, OK);
    let s = scenario(
        vec![
            req("GET", "http://localhost:3001/search?q=1"),
            req("GET", "http://localhost:3001/search?q=2"),
            req("GET", "http://localhost:3001/search?other=1"),
            req("GET", "http://localhost:3001/search"),
        ],
        vec![exact, prefix, plain],
        vec![],
    );
    let t = simulate(&s);
    assert_eq!(status(&t, 0), Some(200));
    assert_eq!(status(&t, 1), Some(202));
    assert_eq!(status(&t, 2), Some(203));
    assert_eq!(status(&t, 3), Some(203));
}

#[test]
fn an_absolute_route_matches_the_whole_url_with_its_query() {
    let mut r = route("GET", "http://localhost:3001/a?x=1", 200, OK);
    r.match_query = true;
    let s = scenario(
        vec![
            req("GET", "http://localhost:3001/a?x=1"),
            req("GET", "http://localhost:3001/a?x=2"),
        ],
        vec![r],
        vec![],
    );
    let t = simulate(&s);
    assert_eq!(status(&t, 0), Some(200));
    assert!(has(&t, Reason::ServerNoRoute));
}

// ---------------------------------------------------------------------------
// Permalink keys

#[test]
fn the_new_fields_round_trip_through_the_permalink() {
    let mut login = route("POST", "/login", 401, OK);
    login.call = 2;
    login.reflect_origin = true;
    login.match_query = true;
    let s = scenario(
        vec![req("POST", "http://localhost:3001/login")],
        vec![login],
        vec![
            JarCookie {
                host_only: false,
                path: "/api".into(),
                secure: true,
                http_only: true,
                same_site: JarSameSite::None,
                expires_in_secs: Some(3600),
                age_secs: 90,
                partition: Some("https://a.test".into()),
                partition_cross_site_ancestor: true,
                ..cookie("sid", "example.test")
            },
            JarCookie {
                value: "a=b&c".into(),
                ..cookie("csrf", "localhost")
            },
        ],
    );
    let q = encode(&s, &View::default());
    for key in [
        "raw1.call=2",
        "raw1.reflect=1",
        "raw1.query=1",
        "j1=sid%3Dv",
        "j1.domain=example.test",
        "j1.host_only=0",
        "j1.path=/api",
        "j1.secure=1",
        "j1.httponly=1",
        "j1.same_site=none",
        "j1.expires=3600",
        "j1.age=90",
        "j1.partition=https://a.test",
        "j1.ancestor=1",
        "j2=csrf%3Da%3Db%26c",
    ] {
        assert!(q.contains(key), "{key} missing from {q}");
    }
    let back = decode(&q);
    assert!(back.notices.is_empty(), "{:?}", back.notices);
    assert_eq!(back.scenario, s);
}

#[test]
fn bad_values_of_the_new_keys_are_notices() {
    let d = decode("v=1&server=raw&raw1=GET+/&raw1.call=x&raw1.reflect=maybe&j1=noequals&j1.same_site=loose&j1.age=-1&j99=a%3Db&j1.zzz=1");
    assert_eq!(d.notices.len(), 7, "{:?}", d.notices);
    // An ignored key adds no cookie.
    assert!(d.scenario.jar_at_start.is_empty());
}

/// `?server=raw` with no `rawN` keys: the list itself is the field to fill,
/// named in the headline, not a CORS failure of a bare 404.
#[test]
fn a_raw_server_without_routes_is_incomplete_and_says_so() {
    let empty = scenario(vec![req("GET", "http://localhost:3001/me")], vec![], vec![]);
    let t = simulate(&empty);
    let errors: Vec<&str> = t.field_errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(errors, ["server.routes"]);
    assert!(
        t.headline.starts_with("Incomplete — Routes: no routes yet"),
        "{}",
        t.headline
    );

    let one = scenario(
        vec![req("GET", "http://localhost:3001/me")],
        vec![route("GET", "/me", 200, OK)],
        vec![],
    );
    assert!(simulate(&one).field_errors.is_empty());

    let decoded = decode("?v=1&server=raw");
    assert!(decoded.notices.is_empty(), "{:?}", decoded.notices);
    assert!(simulate(&decoded.scenario)
        .field_errors
        .iter()
        .any(|e| e.field == "server.routes"));
}
