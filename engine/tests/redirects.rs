//! Redirects, one Fetch step at a time (Fetch §HTTP fetch step 8 and
//! §HTTP-redirect fetch; §Requests "redirect-taint"; §Cookie infrastructure
//! "determine the same-site mode"). The page is `http://localhost:3000`
//! unless a case says otherwise; raw routes answer each hop.

use crumbtrail_engine::http::WireRequest;
use crumbtrail_engine::profile::BrowserProfile;
use crumbtrail_engine::scenario::{
    BodyKind, Client, CredentialsMode, NavigationForm, Page, RawResponse, RawRoute, RawServer,
    RedirectMode, RequestMode, RequestSpec, Scenario, ServerSetup,
};
use crumbtrail_engine::simulate::{simulate_with_profile, MAX_REDIRECTS};
use crumbtrail_engine::trace::{JsResult, PreflightOutcome, Reason, Trace};
use crumbtrail_engine::{simulate, ProfileId};

const PAGE: &str = "http://localhost:3000/";
/// CORS headers that let the page read a credentialed response.
const OK: &str =
    "Access-Control-Allow-Origin: http://localhost:3000\nAccess-Control-Allow-Credentials: true";
/// The same, for a request whose Origin became `null` after a cross-origin redirect.
const OK_NULL: &str = "Access-Control-Allow-Origin: null\nAccess-Control-Allow-Credentials: true";
const PREFLIGHT_OK: &str = "Access-Control-Allow-Origin: http://localhost:3000\nAccess-Control-Allow-Credentials: true\nAccess-Control-Allow-Methods: PUT, POST, GET\nAccess-Control-Allow-Headers: content-type, authorization";

fn fetch(credentials: CredentialsMode, redirect: RedirectMode) -> Client {
    Client::Fetch {
        mode: RequestMode::Cors,
        credentials,
        redirect,
    }
}

fn include() -> Client {
    fetch(CredentialsMode::Include, RedirectMode::Follow)
}

/// A route answering `status` with `headers` (preflights get `PREFLIGHT_OK`).
fn route(method: &str, path: &str, status: u16, headers: &str) -> RawRoute {
    route_pre(method, path, status, headers, PREFLIGHT_OK)
}

fn route_pre(method: &str, path: &str, status: u16, headers: &str, pre: &str) -> RawRoute {
    RawRoute {
        method: method.into(),
        path: path.into(),
        preflight: RawResponse {
            status: 204,
            headers: pre.into(),
        },
        response: RawResponse {
            status,
            headers: headers.into(),
        },
        ..RawRoute::default()
    }
}

fn req(method: &str, url: &str, client: Client) -> RequestSpec {
    RequestSpec {
        url: url.into(),
        method: method.into(),
        headers: String::new(),
        body: BodyKind::None,
        client,
        delay_secs: 0,
        ..RequestSpec::default()
    }
}

fn scenario(page: &str, requests: Vec<RequestSpec>, routes: Vec<RawRoute>) -> Scenario {
    Scenario {
        page: Page {
            url: page.into(),
            top_level_url: None,
            local_network: Default::default(),
            storage_access: Default::default(),
        },
        profile: ProfileId::Chrome,
        profile_version: None,
        requests,
        server: ServerSetup::Raw(RawServer { routes }),
        proxy: None,
        jar_at_start: Vec::new(),
    }
}

fn has(t: &Trace, reason: Reason) -> bool {
    t.steps.iter().any(|s| s.reason == reason)
}

/// The non-preflight requests of request `i`, in order.
fn wire(t: &Trace, i: usize) -> Vec<&WireRequest> {
    t.requests[i]
        .exchanges
        .iter()
        .map(|e| &e.request)
        .filter(|r| !r.is_preflight)
        .collect()
}

fn preflights(t: &Trace, i: usize) -> Vec<&WireRequest> {
    t.requests[i]
        .exchanges
        .iter()
        .map(|e| &e.request)
        .filter(|r| r.is_preflight)
        .collect()
}

/// One row: a single request from `PAGE`, what it ends as, the reason that
/// blocked it (if any), a step that must be in the trace, and how many
/// actual requests went on the wire.
struct Row {
    name: &'static str,
    request: RequestSpec,
    routes: Vec<RawRoute>,
    js: JsResult,
    blocked_by: Option<Reason>,
    step: Reason,
    sent: usize,
}

#[test]
fn http_redirect_fetch_steps() {
    let rows = vec![
        // §HTTP-redirect fetch step 4: no Location → the 3xx is the final response.
        Row {
            name: "302 without Location is final",
            request: req("GET", "http://localhost:3001/a", include()),
            routes: vec![route("GET", "/a", 302, OK)],
            js: JsResult::Readable,
            blocked_by: None,
            step: Reason::RedirectNoLocation,
            sent: 1,
        },
        // Step 5: a Location that does not parse is a network error.
        Row {
            name: "unparsable Location",
            request: req("GET", "http://localhost:3001/a", include()),
            routes: vec![route(
                "GET",
                "/a",
                302,
                &format!("{OK}\nLocation: http://[::1"),
            )],
            js: JsResult::NetworkError,
            blocked_by: Some(Reason::RedirectInvalidLocation),
            step: Reason::RedirectInvalidLocation,
            sent: 1,
        },
        // Step 6: only HTTP(S) schemes.
        Row {
            name: "Location with another scheme",
            request: req("GET", "http://localhost:3001/a", include()),
            routes: vec![route(
                "GET",
                "/a",
                301,
                &format!("{OK}\nLocation: ftp://localhost:3001/a"),
            )],
            js: JsResult::NetworkError,
            blocked_by: Some(Reason::RedirectNonHttpScheme),
            step: Reason::RedirectNonHttpScheme,
            sent: 1,
        },
        // Step 7: a loop ends at the 21st redirect; 21 requests went out.
        Row {
            name: "redirect loop",
            request: req("GET", "http://localhost:3001/loop", include()),
            routes: vec![route(
                "GET",
                "/loop",
                302,
                &format!("{OK}\nLocation: /loop"),
            )],
            js: JsResult::NetworkError,
            blocked_by: Some(Reason::RedirectLimit),
            step: Reason::RedirectLimit,
            sent: MAX_REDIRECTS + 1,
        },
        // Step 9: a cors-mode request may not go to another origin's URL with credentials.
        Row {
            name: "credentials in a cross-origin Location",
            request: req("GET", "http://localhost:3001/a", include()),
            routes: vec![route(
                "GET",
                "/a",
                302,
                &format!("{OK}\nLocation: http://user:pw@localhost:3002/b"),
            )],
            js: JsResult::NetworkError,
            blocked_by: Some(Reason::RedirectCredentialsInUrl),
            step: Reason::RedirectCredentialsInUrl,
            sent: 1,
        },
        // Step 10: with cors tainting even a URL on the page's origin (this
        // is the cross-origin resource redirecting back to the page's origin).
        Row {
            name: "credentials in a Location back to the page's origin",
            request: req("GET", "http://localhost:3001/a", include()),
            routes: vec![route(
                "GET",
                "/a",
                302,
                &format!("{OK}\nLocation: http://user:pw@localhost:3000/b"),
            )],
            js: JsResult::NetworkError,
            blocked_by: Some(Reason::RedirectCredentialsInUrl),
            step: Reason::RedirectCredentialsInUrl,
            sent: 1,
        },
        // Steps 9–10 do not apply to a same-origin (basic) request.
        Row {
            name: "credentials in a same-origin Location of a same-origin request",
            request: req("GET", "http://localhost:3000/a", include()),
            routes: vec![
                route(
                    "GET",
                    "/a",
                    302,
                    "Location: http://user:pw@localhost:3000/b",
                ),
                route("GET", "/b", 200, ""),
            ],
            js: JsResult::Readable,
            blocked_by: None,
            step: Reason::RedirectFollowed,
            sent: 2,
        },
        // Step 11: a stream body cannot be replayed on a 307…
        Row {
            name: "stream body and 307",
            request: RequestSpec {
                body: BodyKind::Stream,
                ..req("POST", "http://localhost:3001/a", include())
            },
            routes: vec![route("POST", "/a", 307, &format!("{OK}\nLocation: /b"))],
            js: JsResult::NetworkError,
            blocked_by: Some(Reason::RedirectStreamBody),
            step: Reason::RedirectStreamBody,
            sent: 1,
        },
        // …but a 303 drops it (step 12) and is followed.
        Row {
            name: "stream body and 303",
            request: RequestSpec {
                body: BodyKind::Stream,
                ..req("POST", "http://localhost:3001/a", include())
            },
            routes: vec![
                route("POST", "/a", 303, &format!("{OK}\nLocation: /b")),
                route("GET", "/b", 200, OK),
            ],
            js: JsResult::Readable,
            blocked_by: None,
            step: Reason::RedirectMethodRewritten,
            sent: 2,
        },
        // §HTTP fetch step 4.4: the CORS check runs on the redirect itself.
        Row {
            name: "redirect without CORS headers",
            request: req("GET", "http://localhost:3001/a", include()),
            routes: vec![
                route("GET", "/a", 302, "Location: /b"),
                route("GET", "/b", 200, OK),
            ],
            js: JsResult::NetworkError,
            blocked_by: Some(Reason::MissingAllowOrigin),
            step: Reason::NetworkError,
            sent: 1,
        },
        // §HTTP fetch step 8, redirect mode "error".
        Row {
            name: "redirect: 'error'",
            request: req(
                "GET",
                "http://localhost:3001/a",
                fetch(CredentialsMode::Include, RedirectMode::Error),
            ),
            routes: vec![route("GET", "/a", 302, &format!("{OK}\nLocation: /b"))],
            js: JsResult::NetworkError,
            blocked_by: Some(Reason::RedirectModeError),
            step: Reason::RedirectModeError,
            sent: 1,
        },
        // Redirect mode "manual" (not a navigation): an opaque-redirect response.
        Row {
            name: "redirect: 'manual'",
            request: req(
                "GET",
                "http://localhost:3001/a",
                fetch(CredentialsMode::Include, RedirectMode::Manual),
            ),
            routes: vec![route("GET", "/a", 302, &format!("{OK}\nLocation: /b"))],
            js: JsResult::Opaque,
            blocked_by: None,
            step: Reason::RedirectManual,
            sent: 1,
        },
        // §Main fetch: no-cors must follow.
        Row {
            name: "no-cors with redirect: 'manual'",
            request: req(
                "GET",
                "http://localhost:3001/a",
                Client::Fetch {
                    mode: RequestMode::NoCors,
                    credentials: CredentialsMode::Include,
                    redirect: RedirectMode::Manual,
                },
            ),
            routes: vec![route("GET", "/a", 200, "")],
            js: JsResult::NetworkError,
            blocked_by: Some(Reason::NoCorsRedirectNotFollow),
            step: Reason::NoCorsRedirectNotFollow,
            sent: 0,
        },
        // §Main fetch again: mode same-origin cannot leave the origin.
        Row {
            name: "same-origin mode redirected to another origin",
            request: req(
                "GET",
                "http://localhost:3000/a",
                Client::Fetch {
                    mode: RequestMode::SameOrigin,
                    credentials: CredentialsMode::Include,
                    redirect: RedirectMode::Follow,
                },
            ),
            routes: vec![route("GET", "/a", 302, "Location: http://localhost:3001/b")],
            js: JsResult::NetworkError,
            blocked_by: Some(Reason::SameOriginModeCrossOrigin),
            step: Reason::SameOriginModeCrossOrigin,
            sent: 1,
        },
        // Redirects within the API's origin keep the page's Origin.
        Row {
            name: "same-origin redirect on the API",
            request: req("GET", "http://localhost:3001/a", include()),
            routes: vec![
                route("GET", "/a", 308, &format!("{OK}\nLocation: /b")),
                route("GET", "/b", 200, OK),
            ],
            js: JsResult::Readable,
            blocked_by: None,
            step: Reason::RedirectFollowed,
            sent: 2,
        },
    ];
    for row in rows {
        let t = simulate(&scenario(PAGE, vec![row.request], row.routes));
        let r = &t.requests[0];
        assert_eq!(r.js_result, row.js, "{}: {:#?}", row.name, t.steps);
        assert_eq!(r.blocked_by, row.blocked_by, "{}", row.name);
        assert!(has(&t, row.step), "{}: no {:?}", row.name, row.step);
        assert_eq!(wire(&t, 0).len(), row.sent, "{}", row.name);
        // Every step says why and cites a spec section.
        for s in &t.steps {
            assert!(
                !s.explanation.is_empty() && !s.spec.label.is_empty(),
                "{}",
                row.name
            );
        }
    }
}

// §HTTP-redirect fetch step 12: 301/302 turn POST into GET and drop the
// request-body headers; 307/308 keep method, body and headers.
#[test]
fn method_rewrite_by_status() {
    for (status, method_after, ct_kept) in [
        (301, "GET", false),
        (302, "GET", false),
        (303, "GET", false),
        (307, "POST", true),
        (308, "POST", true),
    ] {
        let request = RequestSpec {
            headers: "Content-Type: text/plain".into(),
            body: BodyKind::Text,
            ..req("POST", "http://localhost:3001/login", include())
        };
        let t = simulate(&scenario(
            PAGE,
            vec![request],
            vec![
                route("POST", "/login", status, &format!("{OK}\nLocation: /next")),
                route("*", "/next", 200, OK),
            ],
        ));
        let w = wire(&t, 0);
        assert_eq!(w.len(), 2, "{status}");
        assert_eq!(w[1].method, method_after, "{status}");
        assert_eq!(w[1].headers.contains("content-type"), ct_kept, "{status}");
        assert_eq!(
            has(&t, Reason::RedirectMethodRewritten),
            !ct_kept,
            "{status}"
        );
        assert!(t.requests[0].readable(), "{status}");
        assert_eq!(t.requests[0].status, Some(200));
    }
    // 303 keeps GET a GET and HEAD a HEAD (no rewrite step).
    let t = simulate(&scenario(
        PAGE,
        vec![req("GET", "http://localhost:3001/a", include())],
        vec![
            route("GET", "/a", 303, &format!("{OK}\nLocation: /b")),
            route("GET", "/b", 200, OK),
        ],
    ));
    assert!(!has(&t, Reason::RedirectMethodRewritten));
}

// §HTTP-redirect fetch step 13: Authorization goes only to the same origin.
#[test]
fn authorization_dropped_on_cross_origin_redirect() {
    let with_auth = || RequestSpec {
        headers: "Authorization: Bearer t".into(),
        ..req("GET", "http://localhost:3001/a", include())
    };
    // Same origin: kept.
    let t = simulate(&scenario(
        PAGE,
        vec![with_auth()],
        vec![
            route("GET", "/a", 302, &format!("{OK}\nLocation: /b")),
            route("GET", "/b", 200, OK),
        ],
    ));
    assert!(wire(&t, 0)[1].headers.contains("authorization"));
    assert!(!has(&t, Reason::RedirectAuthorizationDropped));
    // Another origin: dropped, explained.
    let t = simulate(&scenario(
        PAGE,
        vec![with_auth()],
        vec![
            route(
                "GET",
                "http://localhost:3001/a",
                302,
                &format!("{OK}\nLocation: http://localhost:3002/b"),
            ),
            route_pre("GET", "http://localhost:3002/b", 200, OK_NULL, OK_NULL),
        ],
    ));
    let w = wire(&t, 0);
    assert_eq!(w.len(), 2, "{:#?}", t.steps);
    assert!(!w[1].headers.contains("authorization"));
    assert!(has(&t, Reason::RedirectAuthorizationDropped));
}

// §Requests redirect-taint + §Serializing a request origin: after a hop to
// another origin the Origin is `null`, so the final ACAO must be `null`.
#[test]
fn tainted_origin_needs_null() {
    let chain = |final_headers: &str| {
        scenario(
            PAGE,
            vec![req("GET", "http://localhost:3001/a", include())],
            vec![
                route(
                    "GET",
                    "http://localhost:3001/a",
                    302,
                    &format!("{OK}\nLocation: http://localhost:3002/b"),
                ),
                route("GET", "http://localhost:3002/b", 200, final_headers),
            ],
        )
    };
    let t = simulate(&chain(OK));
    let w = wire(&t, 0);
    assert_eq!(
        w[0].headers.get("origin").as_deref(),
        Some("http://localhost:3000")
    );
    assert_eq!(w[1].headers.get("origin").as_deref(), Some("null"));
    assert!(has(&t, Reason::RedirectTaintedOrigin));
    assert_eq!(t.requests[0].blocked_by, Some(Reason::AllowOriginMismatch));
    // The explanation says where the `null` comes from.
    let failed = t
        .steps
        .iter()
        .find(|s| s.reason == Reason::AllowOriginMismatch)
        .expect("mismatch step");
    assert!(failed
        .explanation
        .contains("redirected through another origin"));
    let t = simulate(&chain(OK_NULL));
    assert!(t.requests[0].readable(), "{:#?}", t.steps);
    // Without credentials `*` is enough.
    let mut s = chain("Access-Control-Allow-Origin: *");
    s.requests[0].client = fetch(CredentialsMode::Omit, RedirectMode::Follow);
    if let ServerSetup::Raw(raw) = &mut s.server {
        raw.routes[0].response.headers =
            "Access-Control-Allow-Origin: *\nLocation: http://localhost:3002/b".into();
    }
    assert!(simulate(&s).requests[0].readable());
}

// Redirect-taint is "same-origin" again only if no hop left the origin:
// the first cross-origin hop from the page's own origin keeps the Origin.
#[test]
fn same_origin_request_redirected_to_the_api() {
    let t = simulate(&scenario(
        PAGE,
        vec![req(
            "GET",
            "http://localhost:3000/a",
            fetch(CredentialsMode::SameOrigin, RedirectMode::Follow),
        )],
        vec![
            route(
                "GET",
                "http://localhost:3000/a",
                302,
                "Location: http://localhost:3001/b",
            ),
            route("GET", "http://localhost:3001/b", 200, OK),
        ],
    ));
    let w = wire(&t, 0);
    assert!(!w[0].headers.contains("origin"));
    // §Main fetch: cors tainting from the second hop; credentials
    // `same-origin` no longer include cookies, and Origin is the page's.
    assert_eq!(
        w[1].headers.get("origin").as_deref(),
        Some("http://localhost:3000")
    );
    assert!(!has(&t, Reason::RedirectTaintedOrigin));
    assert!(has(&t, Reason::CorsRequest));
    // The check runs with credentials not included: ACAO alone is enough.
    assert!(t.requests[0].readable(), "{:#?}", t.steps);
}

// The classic login: POST /login → 302 + Set-Cookie → GET /me. The cookie is
// stored from the redirect even when the redirected request then fails CORS.
#[test]
fn set_cookie_on_a_redirect_is_stored() {
    let cookie = "Set-Cookie: sid=1; Path=/; SameSite=Lax";
    let login = || req("POST", "http://localhost:3001/login", include());
    let t = simulate(&scenario(
        PAGE,
        vec![login(), req("GET", "http://localhost:3001/me", include())],
        vec![
            route(
                "POST",
                "/login",
                302,
                &format!("{OK}\n{cookie}\nLocation: /me"),
            ),
            // /me forgot the CORS headers.
            route("GET", "/me", 200, ""),
        ],
    ));
    let r = &t.requests[0];
    assert_eq!(r.cookies_stored, vec!["sid".to_string()]);
    assert_eq!(r.blocked_by, Some(Reason::MissingAllowOrigin));
    // The redirected GET already carried it, and so does the next request.
    assert_eq!(
        wire(&t, 0)[1].headers.get("cookie").as_deref(),
        Some("sid=1")
    );
    assert_eq!(t.requests[1].cookies_sent, vec!["sid".to_string()]);
    // Without credentials the redirect's Set-Cookie is ignored like any other.
    let t = simulate(&scenario(
        PAGE,
        vec![req(
            "POST",
            "http://localhost:3001/login",
            fetch(CredentialsMode::SameOrigin, RedirectMode::Follow),
        )],
        vec![
            route(
                "POST",
                "/login",
                302,
                &format!("Access-Control-Allow-Origin: *\n{cookie}\nLocation: /me"),
            ),
            route("GET", "/me", 200, "Access-Control-Allow-Origin: *"),
        ],
    ));
    assert!(t.requests[0].cookies_stored.is_empty());
    assert!(has(&t, Reason::SetCookieIgnoredNoCredentials));
    assert!(t.requests[0].readable());
}

// Navigations follow redirects too: a form POST → 302 → GET, as logins work.
#[test]
fn form_post_login_redirects_to_a_page_with_the_cookie() {
    let t = simulate(&scenario(
        "http://localhost:3000/login",
        vec![req(
            "POST",
            "http://localhost:3000/session",
            Client::Navigation {
                form: NavigationForm::FormPost,
            },
        )],
        vec![
            route(
                "POST",
                "/session",
                302,
                "Set-Cookie: sid=1; Path=/; HttpOnly; SameSite=Strict\nLocation: /dashboard",
            ),
            route("GET", "/dashboard", 200, ""),
        ],
    ));
    let r = &t.requests[0];
    assert_eq!(r.js_result, JsResult::Navigated);
    let w = wire(&t, 0);
    assert_eq!(w.len(), 2);
    assert_eq!(w[1].method, "GET");
    assert_eq!(w[1].url, "http://localhost:3000/dashboard");
    assert_eq!(w[1].headers.get("cookie").as_deref(), Some("sid=1"));
    // Script cannot read a navigation's status; the document shown is the 200.
    assert_eq!(r.status, None);
    assert_eq!(
        r.exchanges
            .last()
            .and_then(|e| e.response.as_ref())
            .map(|r| r.status),
        Some(200)
    );
}

// §Determine the same-site mode / 6265bis "site for cookies": cookies are
// chosen per hop, and a chain that went through another site is cross-site
// even when it comes back (redirect-taint "cross-site").
#[test]
fn cookies_per_hop_and_cross_site_taint() {
    let page = "http://app.example.test/";
    let ok_app = "Access-Control-Allow-Origin: http://app.example.test\nAccess-Control-Allow-Credentials: true";
    let set = route(
        "POST",
        "http://api.example.test/login",
        200,
        &format!("{ok_app}\nSet-Cookie: sid=1; Domain=example.test; Path=/; SameSite=Lax"),
    );
    let t = simulate(&scenario(
        page,
        vec![
            req("POST", "http://api.example.test/login", include()),
            req("GET", "http://api.example.test/a", include()),
        ],
        vec![
            set,
            route(
                "GET",
                "http://api.example.test/a",
                302,
                &format!("{ok_app}\nLocation: http://other.test/b"),
            ),
            route(
                "GET",
                "http://other.test/b",
                302,
                &format!("{OK_NULL}\nLocation: http://api.example.test/c"),
            ),
            route("GET", "http://api.example.test/c", 200, OK_NULL),
        ],
    ));
    assert_eq!(t.requests[0].cookies_stored, vec!["sid".to_string()]);
    let w = wire(&t, 1);
    assert_eq!(w.len(), 3, "{:#?}", t.steps);
    // Hop 1 is same-site: the Lax cookie goes. Hop 2 is another site's
    // domain: nothing matches. Hop 3 is back on the site, but the chain is
    // cross-site now: the Lax cookie stays home, and the trace says why.
    assert_eq!(w[0].headers.get("cookie").as_deref(), Some("sid=1"));
    assert!(!w[1].headers.contains("cookie"));
    assert!(!w[2].headers.contains("cookie"), "{:?}", w[2].headers);
    let warn = t
        .steps
        .iter()
        .find(|s| s.reason == Reason::WarnCrossSiteRedirectDowngrade)
        .expect("downgrade warning");
    assert_eq!(
        warn.reason.chromium_name(),
        Some("WARN_CROSS_SITE_REDIRECT_DOWNGRADE_CHANGES_INCLUSION")
    );
    assert!(t.requests[1].readable(), "{:#?}", t.steps);
    // A chain that stays on the site keeps the cookie on every hop.
    let t = simulate(&scenario(
        page,
        vec![
            req("POST", "http://api.example.test/login", include()),
            req("GET", "http://api.example.test/a", include()),
        ],
        vec![
            route(
                "POST",
                "http://api.example.test/login",
                200,
                &format!("{ok_app}\nSet-Cookie: sid=1; Domain=example.test; Path=/; SameSite=Lax"),
            ),
            route(
                "GET",
                "http://api.example.test/a",
                302,
                &format!("{ok_app}\nLocation: http://api.example.test/c"),
            ),
            route("GET", "http://api.example.test/c", 200, ok_app),
        ],
    ));
    let w = wire(&t, 1);
    assert_eq!(w[1].headers.get("cookie").as_deref(), Some("sid=1"));
    assert!(!has(&t, Reason::WarnCrossSiteRedirectDowngrade));
}

// Fetch: after a successful preflight the actual request may be redirected;
// the redirected request is preflighted again at the new URL (§Main fetch
// → §HTTP fetch with makeCORSPreflight), now with `Origin: null`.
#[test]
fn preflighted_request_redirected() {
    let put = || RequestSpec {
        headers: "Content-Type: application/json".into(),
        body: BodyKind::Json,
        ..req("PUT", "http://localhost:3001/a", include())
    };
    let routes = |second_pre: &str| {
        vec![
            route(
                "PUT",
                "http://localhost:3001/a",
                307,
                &format!("{OK}\nLocation: http://localhost:3002/b"),
            ),
            route_pre("PUT", "http://localhost:3002/b", 200, OK_NULL, second_pre),
        ]
    };
    let pre_null = "Access-Control-Allow-Origin: null\nAccess-Control-Allow-Credentials: true\nAccess-Control-Allow-Methods: PUT\nAccess-Control-Allow-Headers: content-type";
    let t = simulate(&scenario(PAGE, vec![put()], routes(pre_null)));
    let p = preflights(&t, 0);
    assert_eq!(p.len(), 2, "{:#?}", t.steps);
    assert_eq!(
        p[0].headers.get("origin").as_deref(),
        Some("http://localhost:3000")
    );
    assert_eq!(p[1].headers.get("origin").as_deref(), Some("null"));
    assert_eq!(p[1].url, "http://localhost:3002/b");
    assert!(t.requests[0].readable(), "{:#?}", t.steps);
    assert_eq!(wire(&t, 0)[1].method, "PUT");
    // The second preflight answers for the page's origin, not `null`: fails,
    // and the redirected PUT is never sent.
    let t = simulate(&scenario(PAGE, vec![put()], routes(PREFLIGHT_OK)));
    let r = &t.requests[0];
    assert_eq!(r.preflight, PreflightOutcome::Failed);
    assert!(r.request_sent, "the first PUT went out");
    assert_eq!(wire(&t, 0).len(), 1);
    assert_eq!(r.blocked_by, Some(Reason::AllowOriginMismatch));
}

// Mixed content is checked again for the redirected URL (§Main fetch step 7).
#[test]
fn redirect_to_http_from_an_https_page() {
    let ok = "Access-Control-Allow-Origin: https://app.example.test\nAccess-Control-Allow-Credentials: true";
    let t = simulate(&scenario(
        "https://app.example.test/",
        vec![req("GET", "https://api.example.test/a", include())],
        vec![route(
            "GET",
            "/a",
            301,
            &format!("{ok}\nLocation: http://api.example.test/a"),
        )],
    ));
    assert_eq!(t.requests[0].blocked_by, Some(Reason::MixedContentBlocked));
    assert_eq!(wire(&t, 0).len(), 1);
}

// Firefox console reasons for redirects (Gecko's CORS listener):
// - a redirected preflight: CORSExternalRedirectNotAllowed;
// - a channel that fails (loop, bad Location): CORSDidNotSucceed;
// - the `content.cors.disable` preference: CORSDisabled.
#[test]
fn firefox_reasons() {
    let put = RequestSpec {
        headers: "Content-Type: application/json".into(),
        body: BodyKind::Json,
        ..req("PUT", "http://localhost:3001/a", include())
    };
    let mut s = scenario(
        PAGE,
        vec![put],
        vec![RawRoute {
            method: "PUT".into(),
            path: "/a".into(),
            preflight: RawResponse {
                status: 301,
                headers: format!("{PREFLIGHT_OK}\nLocation: https://localhost:3001/a"),
            },
            response: RawResponse {
                status: 200,
                headers: OK.into(),
            },
            ..RawRoute::default()
        }],
    );
    s.profile = ProfileId::Firefox;
    let t = simulate(&s);
    let reason = t.requests[0].blocked_by.expect("blocked");
    assert_eq!(reason, Reason::PreflightRedirect);
    assert_eq!(
        reason.firefox_cors_reason(),
        Some("CORSExternalRedirectNotAllowed")
    );

    let mut s = scenario(
        PAGE,
        vec![req("GET", "http://localhost:3001/loop", include())],
        vec![route(
            "GET",
            "/loop",
            302,
            &format!("{OK}\nLocation: /loop"),
        )],
    );
    s.profile = ProfileId::Firefox;
    let reason = simulate(&s).requests[0].blocked_by.expect("blocked");
    assert_eq!(reason.firefox_cors_reason(), Some("CORSDidNotSucceed"));

    // No shipped profile disables CORS; a custom one does.
    let plain = scenario(
        PAGE,
        vec![req("GET", "http://localhost:3001/a", include())],
        vec![route("GET", "/a", 200, OK)],
    );
    for id in ProfileId::ALL {
        assert!(!id.profile().cors_disabled);
    }
    assert!(simulate(&plain).requests[0].readable());
    let disabled = BrowserProfile {
        cors_disabled: true,
        ..ProfileId::Firefox.profile()
    };
    let t = simulate_with_profile(&plain, disabled);
    let reason = t.requests[0].blocked_by.expect("blocked");
    assert_eq!(reason, Reason::CorsDisabled);
    assert_eq!(reason.firefox_cors_reason(), Some("CORSDisabled"));
    // Same-origin requests do not use CORS, so the preference does not matter.
    let same = scenario(
        PAGE,
        vec![req("GET", "http://localhost:3000/a", include())],
        vec![route("GET", "/a", 200, "")],
    );
    let disabled = BrowserProfile {
        cors_disabled: true,
        ..ProfileId::Firefox.profile()
    };
    assert!(simulate_with_profile(&same, disabled).requests[0].readable());
}

// XHR and axios follow redirects like fetch's default.
#[test]
fn xhr_follows() {
    let t = simulate(&scenario(
        PAGE,
        vec![req(
            "GET",
            "http://localhost:3001/a",
            Client::Xhr {
                with_credentials: true,
            },
        )],
        vec![
            route("GET", "/a", 302, &format!("{OK}\nLocation: /b")),
            route("GET", "/b", 200, OK),
        ],
    ));
    assert!(t.requests[0].readable());
    assert_eq!(wire(&t, 0).len(), 2);
}
