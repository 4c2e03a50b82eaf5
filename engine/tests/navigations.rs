//! Top-level navigations as a scenario can say them, one spec step at a
//! time: browser-initiated visits (RFC 6265bis §5.2, a request with no
//! client; Fetch §Requests, redirect-taint of an opaque origin), multi-page
//! flows (HTML §Navigating across documents: the document a request runs
//! from), forms (HTML §Form submission: enctype, GET forms), the document
//! each navigation loads, and the permalink keys for all of it.

use crumbtrail_engine::http::WireRequest;
use crumbtrail_engine::scenario::{
    BodyKind, Client, CredentialsMode, FormEnctype, NavigationForm, Page, RawResponse, RawRoute,
    RawServer, RedirectMode, RequestMode, RequestSpec, RunsFrom, Scenario, ServerSetup,
};
use crumbtrail_engine::trace::{JsResult, LoadedDocument, Reason, Trace};
use crumbtrail_engine::{permalink, simulate, ProfileId};

const APP: &str = "https://app.example.com";
const ACAO_APP: &str =
    "Access-Control-Allow-Origin: https://app.example.com\nAccess-Control-Allow-Credentials: true";
/// One cookie of each SameSite kind, all Secure.
const FOUR_COOKIES: &str = "Set-Cookie: strict=1; Secure; SameSite=Strict\nSet-Cookie: lax=1; Secure; SameSite=Lax\nSet-Cookie: none=1; Secure; SameSite=None\nSet-Cookie: unset=1; Secure";

fn route(method: &str, path: &str, status: u16, headers: &str) -> RawRoute {
    RawRoute {
        method: method.into(),
        path: path.into(),
        preflight: RawResponse {
            status: 204,
            headers: format!("{ACAO_APP}\nAccess-Control-Allow-Methods: GET, POST\nAccess-Control-Allow-Headers: content-type"),
        },
        response: RawResponse {
            status,
            headers: headers.into(),
        },
        ..RawRoute::default()
    }
}

fn nav(form: NavigationForm) -> Client {
    Client::Navigation { form }
}

fn include() -> Client {
    Client::Fetch {
        mode: RequestMode::Cors,
        credentials: CredentialsMode::Include,
        redirect: RedirectMode::Follow,
    }
}

fn req(client: Client, url: &str) -> RequestSpec {
    RequestSpec {
        url: url.into(),
        method: if matches!(
            client,
            Client::Navigation {
                form: NavigationForm::FormPost
            }
        ) {
            "POST".into()
        } else {
            "GET".into()
        },
        headers: String::new(),
        body: BodyKind::None,
        client,
        ..RequestSpec::default()
    }
}

/// The same request, run from the current document.
fn from_current(mut r: RequestSpec) -> RequestSpec {
    r.runs_from = RunsFrom::Current;
    r
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

fn has(t: &Trace, i: usize, reason: Reason) -> bool {
    t.steps
        .iter()
        .any(|s| s.request == Some(i) && s.reason == reason)
}

/// The last request of request `i` that went on the wire.
fn last_wire(t: &Trace, i: usize) -> &WireRequest {
    t.requests[i]
        .exchanges
        .iter()
        .rev()
        .map(|e| &e.request)
        .find(|r| !r.is_preflight)
        .expect("the request was sent")
}

fn sorted(names: &[String]) -> Vec<&str> {
    let mut v: Vec<&str> = names.iter().map(String::as_str).collect();
    v.sort_unstable();
    v
}

// ---------------------------------------------------------------------------
// Browser-initiated visits

// RFC 6265bis §5.2: a request with no client is same-site, so a visit sends
// SameSite=Strict cookies that a link from another site holds back; it has
// no initiator, so no `Origin` either (a GET navigation).
#[test]
fn a_visit_is_same_site_for_cookies() {
    let cases: [(&str, Client, &str, Vec<&str>); 4] = [
        (
            "visit",
            Client::Visit,
            "https://evil.example/",
            vec!["lax", "none", "strict", "unset"],
        ),
        (
            "cross-site link",
            nav(NavigationForm::Link),
            "https://evil.example/",
            vec!["lax", "none", "unset"],
        ),
        (
            "cross-site GET form",
            nav(NavigationForm::FormGet),
            "https://evil.example/",
            vec!["lax", "none", "unset"],
        ),
        // From the site itself a link is same-site too: the same cookies as a visit.
        (
            "same-site link",
            nav(NavigationForm::Link),
            "https://www.example.com/",
            vec!["lax", "none", "strict", "unset"],
        ),
    ];
    for (name, client, page, want) in cases {
        let t = simulate(&scenario(
            page,
            vec![
                req(Client::Visit, "https://app.example.com/set"),
                req(client, "https://app.example.com/home"),
            ],
            vec![
                route("GET", "/set", 200, FOUR_COOKIES),
                route("GET", "/home", 200, ""),
            ],
        ));
        // A visit's response may set every kind of cookie (a same-site top-level navigation).
        assert_eq!(
            sorted(&t.requests[0].cookies_stored),
            ["lax", "none", "strict", "unset"],
            "{name}"
        );
        assert_eq!(sorted(&t.requests[1].cookies_sent), want, "{name}");
        assert!(last_wire(&t, 1).headers.get("origin").is_none(), "{name}");
    }
}

// Fetch §Main fetch: a visit has no page, so the trace places it nowhere
// (no "same origin / cross-site" step) and says it has no initiator.
#[test]
fn a_visit_has_no_initiator() {
    let t = simulate(&scenario(
        "http://localhost:3000/",
        vec![req(Client::Visit, "https://app.example.com/")],
        vec![route("GET", "/", 200, "")],
    ));
    assert!(has(&t, 0, Reason::BrowserInitiated));
    for placed in [
        Reason::SameOrigin,
        Reason::CrossOriginSameSite,
        Reason::CrossSite,
    ] {
        assert!(!has(&t, 0, placed), "{placed:?}");
    }
    let r = &t.requests[0];
    assert_eq!(
        (r.method.as_str(), r.js_result),
        ("GET", JsResult::Navigated)
    );
    assert_eq!(r.exchanges[0].request.headers.get("origin"), None);
}

// Fetch §Requests, redirect-taint: a visit's origin is opaque, so a detour
// through another site taints the chain cross-site and the hop back loses
// its Strict cookie; a redirect within the site keeps it.
#[test]
fn a_visit_redirected_through_another_site_loses_strict() {
    let cases = [
        (
            "https://sso.other.example/bounce",
            vec!["lax", "none", "unset"],
        ),
        (
            "https://app.example.com/bounce",
            vec!["lax", "none", "strict", "unset"],
        ),
    ];
    for (via, want) in cases {
        let t = simulate(&scenario(
            "http://localhost:3000/",
            vec![
                req(Client::Visit, "https://app.example.com/set"),
                req(Client::Visit, via),
            ],
            vec![
                route("GET", "https://app.example.com/set", 200, FOUR_COOKIES),
                route(
                    "GET",
                    "https://sso.other.example/bounce",
                    302,
                    "Location: https://app.example.com/home",
                ),
                route(
                    "GET",
                    "https://app.example.com/bounce",
                    302,
                    "Location: /home",
                ),
                route("GET", "*", 200, ""),
            ],
        ));
        assert_eq!(sorted(&t.requests[1].cookies_sent), want, "via {via}");
        let doc = t.requests[1].document.as_ref().expect("a document");
        assert_eq!(doc.url, "https://app.example.com/home", "via {via}");
    }
}

// ---------------------------------------------------------------------------
// Multi-page flows

/// Login on another site, back to the app, then the SPA calls its API.
fn login_flow(third_runs_from: RunsFrom) -> Scenario {
    let mut token = req(include(), "https://api.example.com/token");
    token.method = "POST".into();
    token.runs_from = third_runs_from;
    scenario(
        "https://app.example.com/",
        vec![
            req(nav(NavigationForm::Link), "https://auth.example.org/login"),
            from_current(req(nav(NavigationForm::FormPost), "/session")),
            token,
            from_current(req(include(), "https://api.example.com/me")),
        ],
        vec![
            route("GET", "https://auth.example.org/login", 200, ""),
            route(
                "POST",
                "https://auth.example.org/session",
                302,
                "Location: https://app.example.com/callback?code=1\nSet-Cookie: auth=1; Secure; SameSite=Strict",
            ),
            route("GET", "https://app.example.com/callback", 200, ""),
            route(
                "POST",
                "https://api.example.com/token",
                200,
                &format!("{ACAO_APP}\nSet-Cookie: sid=1; Secure; SameSite=Strict"),
            ),
            route("GET", "https://api.example.com/me", 200, ACAO_APP),
        ],
    )
}

// HTML §Navigating across documents: a request that runs from the current
// document runs from the final URL of the latest top-level navigation (a
// relative URL resolves against it too), and the trace says so.
#[test]
fn the_current_document_moves_with_top_level_navigations() {
    let t = simulate(&login_flow(RunsFrom::Current));
    assert!(t.field_errors.is_empty(), "{:?}", t.field_errors);
    // Request 2: `/session` resolves against the login page, and the form is same-origin there.
    assert_eq!(
        last_wire(&t, 1).url,
        "https://app.example.com/callback?code=1"
    );
    assert_eq!(
        t.requests[1].exchanges[0].request.url,
        "https://auth.example.org/session"
    );
    assert_eq!(
        t.requests[1].exchanges[0]
            .request
            .headers
            .get("origin")
            .as_deref(),
        Some("https://auth.example.org")
    );
    let changed: Vec<(Option<usize>, String)> = t
        .steps
        .iter()
        .filter(|s| s.reason == Reason::DocumentChanged)
        .map(|s| (s.request, s.title.to_string()))
        .collect();
    assert_eq!(
        changed,
        [
            (
                Some(1),
                "The page is now https://auth.example.org/login".to_string()
            ),
            (
                Some(2),
                "The page is now https://app.example.com/callback?code=1".to_string()
            ),
        ]
    );
    // Requests 3 and 4 come from the callback page: its origin, its site.
    assert_eq!(last_wire(&t, 2).headers.get("origin").as_deref(), Some(APP));
    assert_eq!(t.requests[2].cookies_stored, ["sid"]);
    assert_eq!(t.requests[3].cookies_sent, ["sid"]);
    assert!(t.requests[3].readable());
}

// The default: a request runs from the scenario's page, which stays open
// whatever navigations happened (today's behaviour); coming back to it after
// a request that ran elsewhere is a change the trace names.
#[test]
fn a_request_from_the_page_ignores_the_navigations() {
    let mut s = login_flow(RunsFrom::Page);
    s.page.url = "https://docs.example.net/".into();
    let t = simulate(&s);
    // Request 3 runs from docs.example.net: another origin, another site.
    assert_eq!(
        last_wire(&t, 2).headers.get("origin").as_deref(),
        Some("https://docs.example.net")
    );
    assert!(has(&t, 2, Reason::DocumentChanged));
    assert!(!t.requests[2].readable());
    // Request 4 runs from the callback page again: the trace says so.
    assert!(has(&t, 3, Reason::DocumentChanged));
    // With every request from the page, nothing changes and nothing is said.
    for r in s.requests.iter_mut() {
        r.runs_from = RunsFrom::Page;
    }
    let t = simulate(&s);
    assert!(!t.steps.iter().any(|s| s.reason == Reason::DocumentChanged));
}

// HTML §Navigate: what a navigation loads becomes the document, after
// redirects; a 204 (or 205) loads nothing and a network error neither, so
// the current document stays where it was.
#[test]
fn only_a_loaded_document_becomes_the_current_one() {
    // (case, status, headers, the document loaded, the origin of the next request)
    type Row<'a> = (&'a str, u16, &'a str, Option<(&'a str, u16)>, &'a str);
    let cases: [Row; 4] = [
        (
            "200",
            200,
            "",
            Some(("https://b.example/next", 200)),
            "https://b.example",
        ),
        (
            "302 then 200",
            302,
            "Location: https://c.example/landed",
            Some(("https://c.example/landed", 200)),
            "https://c.example",
        ),
        (
            "404 is still a document",
            404,
            "",
            Some(("https://b.example/next", 404)),
            "https://b.example",
        ),
        ("204 keeps the page", 204, "", None, APP),
    ];
    for (name, status, headers, document, origin) in cases {
        let t = simulate(&scenario(
            "https://app.example.com/",
            vec![
                req(nav(NavigationForm::Link), "https://b.example/next"),
                from_current(req(include(), "https://api.example.com/me")),
            ],
            vec![
                route("GET", "https://b.example/next", status, headers),
                route("GET", "*", 200, ""),
            ],
        ));
        let want = document.map(|(url, status)| LoadedDocument {
            url: url.into(),
            status,
        });
        assert_eq!(t.requests[0].document, want, "{name}");
        assert_eq!(
            last_wire(&t, 1).headers.get("origin").as_deref(),
            Some(origin),
            "{name}"
        );
    }
    // A redirect loop ends in a network error: no document.
    let t = simulate(&scenario(
        "https://app.example.com/",
        vec![req(nav(NavigationForm::Link), "https://b.example/loop")],
        vec![route("GET", "*", 302, "Location: /loop")],
    ));
    assert_eq!(t.requests[0].document, None);
}

// Iframe loads are navigations too (their document is reported), but not
// top-level: the current document stays the page.
#[test]
fn an_iframe_reports_its_document_but_does_not_replace_the_page() {
    let t = simulate(&scenario(
        "https://app.example.com/",
        vec![
            req(Client::Iframe, "https://widget.example/frame"),
            from_current(req(include(), "https://api.example.com/me")),
        ],
        vec![route("GET", "*", 200, ACAO_APP)],
    ));
    assert_eq!(
        t.requests[0].document.as_ref().map(|d| d.url.as_str()),
        Some("https://widget.example/frame")
    );
    assert_eq!(last_wire(&t, 1).headers.get("origin").as_deref(), Some(APP));
    assert!(!t.steps.iter().any(|s| s.reason == Reason::DocumentChanged));
    // Script requests load no document.
    assert_eq!(t.requests[1].document, None);
}

// ---------------------------------------------------------------------------
// Forms

// HTML §Form submission, "submit as entity body": a POST form's enctype
// brings its Content-Type.
#[test]
fn a_post_form_sends_its_enctype() {
    let cases = [
        (FormEnctype::UrlEncoded, "application/x-www-form-urlencoded"),
        (
            FormEnctype::Multipart,
            "multipart/form-data; boundary=----CrumbtrailFormBoundary7MA4YWxk",
        ),
        (FormEnctype::TextPlain, "text/plain"),
    ];
    for (enctype, want) in cases {
        let mut r = req(
            nav(NavigationForm::FormPost),
            "https://app.example.com/login",
        );
        r.enctype = enctype;
        r.fields = "user=ada\npassword=secret".into();
        let t = simulate(&scenario(APP, vec![r], vec![route("*", "*", 200, "")]));
        let w = last_wire(&t, 0);
        assert_eq!(
            (w.method.as_str(), w.url.as_str()),
            ("POST", "https://app.example.com/login")
        );
        assert_eq!(w.headers.get_all("content-type"), [want], "{enctype:?}");
    }
}

// HTML §Form submission, "mutate action URL": a GET form replaces the
// action's query with its fields and sends no body (enctype is ignored).
#[test]
fn a_get_form_puts_its_fields_in_the_query() {
    let cases = [
        (
            "q=cookies & cors\nlang=en",
            "https://app.example.com/search?q=cookies+%26+cors&lang=en",
        ),
        ("", "https://app.example.com/search?"),
        ("flag", "https://app.example.com/search?flag="),
    ];
    for (fields, want) in cases {
        let mut r = req(nav(NavigationForm::FormGet), "/search?old=1");
        r.fields = fields.into();
        r.enctype = FormEnctype::Multipart;
        let t = simulate(&scenario(APP, vec![r], vec![route("*", "*", 200, "")]));
        let w = last_wire(&t, 0);
        assert_eq!(
            (w.method.as_str(), w.url.as_str()),
            ("GET", want),
            "{fields:?}"
        );
        assert!(w.headers.get("content-type").is_none());
        assert!(has(&t, 0, Reason::FormFieldsInQuery));
        assert_eq!(t.requests[0].document.as_ref().unwrap().url, want);
    }
}

// HTML §Constructing the entry list skips a field without a name: the
// scenario says it as a field error rather than drop it silently.
#[test]
fn a_field_without_a_name_is_a_field_error() {
    for form in [NavigationForm::FormPost, NavigationForm::FormGet] {
        let mut r = req(nav(form), "https://app.example.com/login");
        r.fields = "user=ada\n=secret".into();
        let t = simulate(&scenario(APP, vec![r], vec![route("*", "*", 200, "")]));
        assert_eq!(t.field_errors.len(), 1, "{form:?}");
        assert_eq!(t.field_errors[0].field, "requests.0.fields");
        assert!(!t.requests[0].request_sent);
    }
    // A link has no fields: whatever the field holds is not read.
    let mut r = req(nav(NavigationForm::Link), "https://app.example.com/");
    r.fields = "=x".into();
    let t = simulate(&scenario(APP, vec![r], vec![route("*", "*", 200, "")]));
    assert!(t.field_errors.is_empty());
}

// ---------------------------------------------------------------------------
// Permalinks

// Every new capability has its keys; what was written reads back the same,
// and an unknown value is a notice.
#[test]
fn the_new_keys_round_trip() {
    let link = "v=1&requests=3&r1=GET+https://app.example.com/&r1.via=visit\
        &r2=POST+/login&r2.via=form&r2.fields=user%3Dada%0Apass%3Dx&r2.enctype=multipart&r2.from=current\
        &r3=GET+/search&r3.via=form-get&r3.fields=q%3D1&r3.from=current";
    let d = permalink::decode(link);
    assert!(d.notices.is_empty(), "{:?}", d.notices);
    let r = &d.scenario.requests;
    assert_eq!(r[0].client, Client::Visit);
    assert_eq!(r[1].fields, "user=ada\npass=x");
    assert_eq!(r[1].enctype, FormEnctype::Multipart);
    assert_eq!(r[1].runs_from, RunsFrom::Current);
    assert_eq!(r[2].client, nav(NavigationForm::FormGet));
    assert_eq!(r[0].runs_from, RunsFrom::Page);
    let again = permalink::encode(&d.scenario, &d.view);
    assert_eq!(permalink::decode(&again).scenario, d.scenario);
    for key in [
        "r1.via=visit",
        "r2.enctype=multipart",
        "r2.from=current",
        "r3.via=form-get",
    ] {
        assert!(again.contains(key), "{key} in {again}");
    }
    // Defaults are never written.
    let plain = permalink::encode(&Scenario::default(), &Default::default());
    assert!(!plain.contains(".from") && !plain.contains(".enctype") && !plain.contains(".fields"));
    let bad = permalink::decode("v=1&r1.from=elsewhere&r1.enctype=json");
    assert_eq!(bad.notices.len(), 2, "{:?}", bad.notices);
}

// ---------------------------------------------------------------------------
// Generated client code

// The code panel writes the form as HTML §Form submission reads it: method,
// enctype when not the default, one input per field; a visit has no code.
#[test]
fn the_client_code_of_forms_and_visits() {
    use crumbtrail_engine::codegen::client_code;
    let mut s = scenario(APP, vec![], vec![]);
    let mut post = req(nav(NavigationForm::FormPost), "/login");
    post.enctype = FormEnctype::Multipart;
    post.fields = "user=ada".into();
    let mut get = req(nav(NavigationForm::FormGet), "/search");
    get.fields = "q=it's".into();
    s.requests = vec![post, get, req(Client::Visit, "https://app.example.com/")];
    assert_eq!(
        client_code(&s, 0),
        "const form = document.createElement('form');
form.method = 'POST';
form.enctype = 'multipart/form-data';
form.action = '/login';
form.append(Object.assign(document.createElement('input'), { type: 'hidden', name: 'user', value: 'ada' }));
document.body.appendChild(form);
form.submit();
"
    );
    assert!(client_code(&s, 1).contains("form.method = 'GET';\n"));
    assert!(client_code(&s, 1).contains("value: 'it\\'s'"));
    assert_eq!(
        client_code(&s, 2),
        "// No code: the user opens 'https://app.example.com/' from the address bar or a bookmark.\n"
    );
}
