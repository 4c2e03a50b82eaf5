//! Reconstruction: from what a recording shows to the one `Scenario`, and
//! the recorded-vs-simulated table. Each test builds a small HAR (or a
//! paste) with one rule in it and checks the scenario it turns into.

use crumbtrail_engine::import::{self, candidates, parse, reconstruct, Imported, Relevance};
use crumbtrail_engine::live::Outcome;
use crumbtrail_engine::scenario::{
    BodyKind, Client, CredentialsMode, FormEnctype, JarSameSite, NavigationForm, RawRoute,
    RequestMode, RunsFrom, ServerSetup,
};
use crumbtrail_engine::trace::JsResult;
use crumbtrail_engine::{simulate, ProfileId};
use serde_json::{json, Value};

const CHROME_UA: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36";
const FIREFOX_UA: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";

fn headers(list: &[(&str, &str)]) -> Value {
    Value::Array(
        list.iter()
            .map(|(n, v)| json!({ "name": n, "value": v }))
            .collect(),
    )
}

/// One HAR entry: method, URL, request headers, status, response headers,
/// and Chrome's resource type.
fn entry(
    t: u32,
    method: &str,
    url: &str,
    req: &[(&str, &str)],
    status: u16,
    resp: &[(&str, &str)],
    rt: &str,
) -> Value {
    let mut e = json!({
        "startedDateTime": format!("2025-06-01T10:00:{:02}.000Z", t),
        "request": { "method": method, "url": url, "httpVersion": "HTTP/1.1", "headers": headers(req), "cookies": [] },
        "response": { "status": status, "headers": headers(resp), "cookies": [], "content": { "mimeType": "text/plain" } },
    });
    if !rt.is_empty() {
        e["_resourceType"] = json!(rt);
    }
    e
}

fn har(creator: &str, entries: Vec<Value>) -> String {
    json!({ "log": { "version": "1.2", "creator": { "name": creator }, "entries": entries } })
        .to_string()
}

fn page(t: u32, url: &str) -> Value {
    entry(
        t,
        "GET",
        url,
        &[
            ("Sec-Fetch-Dest", "document"),
            ("Sec-Fetch-Mode", "navigate"),
            ("User-Agent", CHROME_UA),
        ],
        200,
        &[("Content-Type", "text/html")],
        "document",
    )
}

fn import_text(text: &str) -> Imported {
    import::import(text).unwrap_or_else(|e| panic!("{e}"))
}

fn routes(i: &Imported) -> &Vec<RawRoute> {
    match &i.scenario.server {
        ServerSetup::Raw(r) => &r.routes,
        _ => panic!("not raw"),
    }
}

fn assumed(i: &Imported, field: &str) -> bool {
    i.assumptions.iter().any(|a| a.field == field)
}

const ORIGIN: (&str, &str) = ("Origin", "http://localhost:3000");
const ACAO: (&str, &str) = ("Access-Control-Allow-Origin", "http://localhost:3000");
const ACAC: (&str, &str) = ("Access-Control-Allow-Credentials", "true");

#[test]
fn the_failing_login_rebuilds_with_its_verdict() {
    // The article's problematic setup as Chrome records it: the preflight
    // answers `*`, and the login fails without an answer Chrome shows.
    let mut login = entry(
        2,
        "POST",
        "http://localhost:3001/login",
        &[
            ORIGIN,
            ("Content-Type", "application/json"),
            ("Sec-Fetch-Mode", "cors"),
            ("User-Agent", CHROME_UA),
        ],
        0,
        &[],
        "fetch",
    );
    login["response"]["_error"] = json!("net::ERR_FAILED");
    let text = har(
        "WebInspector",
        vec![
            page(0, "http://localhost:3000/login"),
            entry(
                1,
                "GET",
                "http://localhost:3000/app.js",
                &[],
                200,
                &[],
                "script",
            ),
            login,
            entry(
                2,
                "OPTIONS",
                "http://localhost:3001/login",
                &[
                    ORIGIN,
                    ("Access-Control-Request-Method", "POST"),
                    ("Access-Control-Request-Headers", "content-type"),
                ],
                200,
                &[
                    ("Access-Control-Allow-Origin", "*"),
                    ("Access-Control-Allow-Methods", "GET, POST"),
                    ("Access-Control-Allow-Headers", "content-type"),
                ],
                "preflight",
            ),
        ],
    );
    let i = import_text(&text);
    let s = &i.scenario;
    assert_eq!(s.page.url, "http://localhost:3000/login");
    assert_eq!(s.profile, ProfileId::Chrome);
    assert_eq!(
        s.requests.len(),
        1,
        "the script and the preflight are not requests"
    );
    let r = &s.requests[0];
    assert_eq!(
        (r.method.as_str(), r.url.as_str()),
        ("POST", "http://localhost:3001/login")
    );
    assert_eq!(r.headers, "Content-Type: application/json");
    assert_eq!(r.body, BodyKind::Json);
    // No cookie went out, so the credentials mode is not recorded; the
    // preflight was answered and the login never sent: only `include` fails
    // a `*` preflight, so it is the one assumed.
    assert_eq!(
        r.client,
        Client::Fetch {
            mode: RequestMode::Cors,
            credentials: CredentialsMode::Include,
            redirect: Default::default()
        }
    );
    assert!(assumed(&i, "requests.0.client"));
    let route = &routes(&i)[0];
    assert_eq!(
        (route.method.as_str(), route.path.as_str()),
        ("POST", "/login")
    );
    assert!(route
        .preflight
        .headers
        .contains("Access-Control-Allow-Origin: *"));
    // The login was never sent, so its missing answer is not an assumption.
    assert!(!assumed(&i, "server.routes.0.response.headers"));
    let t = simulate(s);
    assert_eq!(t.requests[0].js_result, JsResult::NetworkError);
    assert!(!t.requests[0].request_sent);
    assert!(t.headline.contains("preflight"), "{}", t.headline);
    let rows = import::compare(&t, &i);
    let result = rows.iter().find(|r| r.outcome == Outcome::Result).unwrap();
    assert_eq!(result.observed, "network error");
}

#[test]
fn code_headers_are_told_from_browser_headers() {
    let text = har(
        "WebInspector",
        vec![
            page(0, "https://app.test/"),
            entry(
                1,
                "PUT",
                "https://api.test/items/1",
                &[
                    ("Origin", "https://app.test"),
                    ("User-Agent", CHROME_UA),
                    ("Accept", "*/*"),
                    ("Accept-Language", "en"),
                    ("Accept-Encoding", "gzip"),
                    ("Sec-Fetch-Mode", "cors"),
                    ("sec-ch-ua", "\"Chromium\""),
                    ("Cache-Control", "no-cache"),
                    ("Pragma", "no-cache"),
                    ("X-Request-Id", "42"),
                    ("Content-Type", "text/plain;charset=UTF-8"),
                    ("Referer", "https://app.test/"),
                ],
                200,
                &[("Access-Control-Allow-Origin", "https://app.test")],
                "fetch",
            ),
            entry(
                1,
                "OPTIONS",
                "https://api.test/items/1",
                &[
                    ("Access-Control-Request-Method", "PUT"),
                    (
                        "Access-Control-Request-Headers",
                        "cache-control,x-request-id",
                    ),
                ],
                204,
                &[
                    ("Access-Control-Allow-Origin", "https://app.test"),
                    ("Access-Control-Allow-Methods", "PUT"),
                    (
                        "Access-Control-Allow-Headers",
                        "cache-control, x-request-id",
                    ),
                ],
                "preflight",
            ),
        ],
    );
    let i = import_text(&text);
    let r = &i.scenario.requests[0];
    // Cache-Control is the code's: the preflight asked for it. Pragma is DevTools'.
    assert_eq!(r.headers, "Cache-Control: no-cache\nX-Request-Id: 42");
    assert_eq!(
        r.body,
        BodyKind::Text,
        "text/plain;charset=UTF-8 is what a string body gets"
    );
    let t = simulate(&i.scenario);
    assert_eq!(
        t.requests[0].js_result,
        JsResult::Readable,
        "{}",
        t.headline
    );
    let rows = import::compare(&t, &i);
    assert!(rows.iter().all(|r| r.agree), "{rows:#?}");
}

#[test]
fn clients_come_from_sec_fetch_and_resource_type() {
    let mk = |req: &[(&str, &str)], rt: &str, method: &str| {
        let text = har(
            "WebInspector",
            vec![
                page(0, "http://localhost:3000/"),
                entry(1, method, "http://localhost:3001/x", req, 200, &[ACAO], rt),
            ],
        );
        let rec = parse(&text).unwrap();
        reconstruct(&rec, &[1]).unwrap().scenario.requests[0].client
    };
    assert_eq!(
        mk(&[ORIGIN, ("Cookie", "a=1")], "xhr", "GET"),
        Client::Xhr {
            with_credentials: true
        }
    );
    assert_eq!(
        mk(&[("Sec-Fetch-Mode", "no-cors")], "fetch", "GET"),
        Client::Fetch {
            mode: RequestMode::NoCors,
            credentials: CredentialsMode::SameOrigin,
            redirect: Default::default()
        }
    );
    assert_eq!(
        mk(
            &[
                ("Sec-Fetch-Mode", "navigate"),
                ("Sec-Fetch-Dest", "document")
            ],
            "document",
            "POST"
        ),
        Client::Navigation {
            form: NavigationForm::FormPost
        }
    );
    assert_eq!(
        mk(
            &[("Sec-Fetch-Mode", "navigate"), ("Sec-Fetch-Dest", "iframe")],
            "document",
            "GET"
        ),
        Client::Iframe
    );
    assert_eq!(
        mk(&[ORIGIN, ("X-Requested-With", "XMLHttpRequest")], "", "GET"),
        Client::Xhr {
            with_credentials: false
        }
    );
}

#[test]
fn successive_answers_become_numbered_routes() {
    // A login that fails (401), then succeeds: the same method and path answer differently.
    let login = |t, status, extra: &[(&str, &str)]| {
        let mut resp = vec![ACAO, ACAC];
        resp.extend_from_slice(extra);
        entry(
            t,
            "POST",
            "http://localhost:3001/login",
            &[ORIGIN, ("Sec-Fetch-Mode", "cors")],
            status,
            &resp,
            "fetch",
        )
    };
    let text = har(
        "WebInspector",
        vec![
            page(0, "http://localhost:3000/"),
            login(1, 401, &[]),
            login(5, 200, &[("Set-Cookie", "sid=abc; Path=/; HttpOnly")]),
        ],
    );
    let i = import_text(&text);
    let r = routes(&i);
    assert_eq!(r.len(), 2, "{r:#?}");
    assert_eq!((r[0].call, r[0].response.status), (1, 401));
    assert_eq!((r[1].call, r[1].response.status), (2, 200));
    assert_eq!(i.scenario.requests[1].delay_secs, 4);
    let t = simulate(&i.scenario);
    assert_eq!(t.requests[0].status, Some(401));
    assert_eq!(t.requests[1].status, Some(200));
    assert_eq!(t.requests[1].cookies_stored, vec!["sid"]);
}

#[test]
fn the_query_explains_different_answers_when_it_can() {
    let get = |t, q: &str, status| {
        entry(
            t,
            "GET",
            &format!("http://localhost:3001/search?q={q}"),
            &[ORIGIN],
            status,
            &[ACAO],
            "fetch",
        )
    };
    let text = har(
        "WebInspector",
        vec![
            page(0, "http://localhost:3000/"),
            get(1, "a", 200),
            get(2, "b", 404),
            get(3, "a", 200),
        ],
    );
    let i = import_text(&text);
    let r = routes(&i);
    assert_eq!(r.len(), 2, "{r:#?}");
    assert!(r.iter().all(|r| r.match_query && r.call == 0));
    assert_eq!(r[0].path, "/search?q=a");
    let t = simulate(&i.scenario);
    let statuses: Vec<_> = t.requests.iter().map(|r| r.status).collect();
    assert_eq!(statuses, vec![Some(200), Some(404), Some(200)]);
}

#[test]
fn redirect_hops_stay_one_request_with_absolute_routes() {
    let text = har(
        "WebInspector",
        vec![
            page(0, "http://localhost:3000/"),
            entry(
                1,
                "GET",
                "http://localhost:3001/old",
                &[ORIGIN],
                302,
                &[("Location", "http://127.0.0.1:3002/new"), ACAO],
                "fetch",
            ),
            entry(
                1,
                "GET",
                "http://127.0.0.1:3002/new",
                &[("Origin", "null")],
                200,
                &[("Access-Control-Allow-Origin", "*")],
                "fetch",
            ),
        ],
    );
    let i = import_text(&text);
    assert_eq!(i.scenario.requests.len(), 1);
    let r = routes(&i);
    assert_eq!(r[0].path, "http://localhost:3001/old");
    assert_eq!(r[1].path, "http://127.0.0.1:3002/new");
    let c = candidates(&parse(&text).unwrap());
    assert_eq!(c[2].relevance, Relevance::Other);
    let t = simulate(&i.scenario);
    assert_eq!(
        t.requests[0].js_result,
        JsResult::Readable,
        "{}",
        t.headline
    );
}

#[test]
fn cookies_from_before_the_recording_go_in_the_jar_at_start() {
    // `sid` was set by an exchange that is not imported (the page itself);
    // `old` is older than the recording; `new` comes from an imported response.
    let mut doc = page(0, "http://localhost:3001/");
    doc["response"]["headers"] = headers(&[(
        "Set-Cookie",
        "sid=1; Path=/; HttpOnly; SameSite=Strict; Max-Age=7200",
    )]);
    let text = har(
        "WebInspector",
        vec![
            doc,
            entry(
                10,
                "GET",
                "http://localhost:3001/a",
                &[("Cookie", "sid=1; old=2"), ("Sec-Fetch-Mode", "cors")],
                200,
                &[("Set-Cookie", "new=3")],
                "fetch",
            ),
            entry(
                11,
                "GET",
                "http://localhost:3001/b",
                &[
                    ("Cookie", "sid=1; old=2; new=3"),
                    ("Sec-Fetch-Mode", "cors"),
                ],
                200,
                &[],
                "fetch",
            ),
        ],
    );
    let rec = parse(&text).unwrap();
    let i = reconstruct(&rec, &[1, 2]).unwrap();
    let jar = &i.scenario.jar_at_start;
    let names: Vec<&str> = jar.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, vec!["sid", "old"]);
    let sid = &jar[0];
    assert!(sid.http_only && sid.host_only);
    assert_eq!(sid.same_site, JarSameSite::Strict);
    assert_eq!(sid.age_secs, 10);
    assert_eq!(sid.expires_in_secs, Some(7190));
    assert!(!assumed(&i, "jar_at_start.0.same_site"));
    assert!(
        assumed(&i, "jar_at_start.1.same_site"),
        "{:#?}",
        i.assumptions
    );
    assert!(jar.iter().all(|c| c.value.starts_with("redacted")));
    let t = simulate(&i.scenario);
    let rows = import::compare(&t, &i);
    assert!(rows.iter().all(|r| r.agree), "{rows:#?}");
}

#[test]
fn chrome_lists_the_attributes_of_the_cookies_it_sent() {
    let mut e = entry(
        1,
        "GET",
        "https://api.test/me",
        &[("Origin", "https://app.test"), ("Cookie", "s=1")],
        200,
        &[("Access-Control-Allow-Origin", "https://app.test"), ACAC],
        "fetch",
    );
    e["request"]["cookies"] = json!([{ "name": "s", "value": "1", "domain": ".api.test", "path": "/me", "secure": true, "httpOnly": true, "sameSite": "None", "expires": "2025-06-01T11:00:01.000Z" }]);
    let text = har("WebInspector", vec![page(0, "https://app.test/"), e]);
    let i = import_text(&text);
    let c = &i.scenario.jar_at_start[0];
    assert!(!c.host_only && c.secure && c.http_only);
    assert_eq!((c.domain.as_str(), c.path.as_str()), ("api.test", "/me"));
    assert_eq!(c.same_site, JarSameSite::None);
    assert_eq!(c.expires_in_secs, Some(3600));
}

#[test]
fn set_cookie_dates_move_onto_the_simulated_clock() {
    // Recorded in 2025 with an Expires one hour later: still alive in the simulation (2026).
    let text = har(
        "WebInspector",
        vec![
            page(0, "http://localhost:3001/"),
            entry(
                1,
                "POST",
                "http://localhost:3001/login",
                &[("Sec-Fetch-Mode", "cors")],
                200,
                &[("Set-Cookie", "sid=1; Expires=Sun, 01 Jun 2025 11:00:01 GMT")],
                "fetch",
            ),
            entry(
                2,
                "GET",
                "http://localhost:3001/me",
                &[("Cookie", "sid=1"), ("Sec-Fetch-Mode", "cors")],
                200,
                &[],
                "fetch",
            ),
        ],
    );
    let i = reconstruct(&parse(&text).unwrap(), &[1, 2]).unwrap();
    assert!(
        routes(&i)[0]
            .response
            .headers
            .contains("Expires=Thu, 01 Jan 2026 01:00:00 GMT"),
        "{:?}",
        routes(&i)[0]
    );
    let t = simulate(&i.scenario);
    assert_eq!(t.requests[1].cookies_sent, vec!["sid"]);
}

#[test]
fn the_profile_comes_from_the_user_agent_and_the_cookies() {
    let text = |ua: &str| {
        har(
            "x",
            vec![entry(
                1,
                "GET",
                "http://localhost:3001/a",
                &[ORIGIN, ("User-Agent", ua)],
                200,
                &[ACAO],
                "",
            )],
        )
    };
    assert_eq!(
        import_text(&text(FIREFOX_UA)).scenario.profile,
        ProfileId::Firefox
    );
    assert_eq!(
        import_text(&text(CHROME_UA)).scenario.profile,
        ProfileId::Chrome
    );
    // Chromium with third-party cookies blocked: the cross-site cookie is set, never sent back.
    let cross = har(
        "WebInspector",
        vec![
            page(0, "https://app.frontend.test/"),
            entry(
                1,
                "POST",
                "https://api.backend.test/login",
                &[
                    ("Origin", "https://app.frontend.test"),
                    ("Sec-Fetch-Mode", "cors"),
                ],
                200,
                &[
                    ("Access-Control-Allow-Origin", "https://app.frontend.test"),
                    ACAC,
                    ("Set-Cookie", "sid=1; SameSite=None; Secure"),
                ],
                "fetch",
            ),
            entry(
                2,
                "GET",
                "https://api.backend.test/me",
                &[
                    ("Origin", "https://app.frontend.test"),
                    ("Sec-Fetch-Mode", "cors"),
                ],
                200,
                &[
                    ("Access-Control-Allow-Origin", "https://app.frontend.test"),
                    ACAC,
                ],
                "fetch",
            ),
        ],
    );
    let i = import_text(&cross);
    assert_eq!(
        i.scenario.profile,
        ProfileId::ChromeNo3pc,
        "{:#?}",
        i.assumptions
    );
    let t = simulate(&i.scenario);
    assert!(import::compare(&t, &i).iter().all(|r| r.agree));
}

#[test]
fn relevance_of_each_kind_of_exchange() {
    let text = har(
        "WebInspector",
        vec![
            page(0, "http://localhost:3000/"),
            entry(
                1,
                "GET",
                "http://localhost:3000/style.css",
                &[],
                200,
                &[],
                "stylesheet",
            ),
            entry(
                1,
                "GET",
                "https://cdn.test/font.woff2",
                &[],
                200,
                &[],
                "font",
            ),
            entry(
                1,
                "GET",
                "http://localhost:3000/api/health",
                &[],
                200,
                &[],
                "fetch",
            ),
            entry(
                1,
                "GET",
                "http://localhost:3001/api",
                &[ORIGIN],
                200,
                &[ACAO],
                "fetch",
            ),
            entry(
                1,
                "GET",
                "http://localhost:3000/me",
                &[("Cookie", "a=1")],
                200,
                &[],
                "xhr",
            ),
            entry(
                1,
                "OPTIONS",
                "http://localhost:3001/api",
                &[("Access-Control-Request-Method", "PUT")],
                204,
                &[],
                "preflight",
            ),
            entry(1, "GET", "data:image/png;base64,xx", &[], 200, &[], "image"),
        ],
    );
    let c = candidates(&parse(&text).unwrap());
    let got: Vec<Relevance> = c.iter().map(|c| c.relevance).collect();
    use Relevance::*;
    assert_eq!(
        got,
        vec![Page, Asset, Asset, Unsure, Cors, Unsure, Preflight, Other]
    );
    // A same-origin request with cookies is the user's call too: its cookies
    // go out whatever CORS says.
    let selected: Vec<usize> = c.iter().filter(|c| c.selected).map(|c| c.entry).collect();
    assert_eq!(selected, vec![4]);
    let i = import_text(&text);
    assert!(i.unsure(), "the health check is left to the user");
}

#[test]
fn a_har_without_cookies_says_it_may_be_sanitized() {
    let text = har(
        "WebInspector",
        vec![
            page(0, "http://localhost:3000/"),
            entry(
                1,
                "GET",
                "http://localhost:3001/a",
                &[ORIGIN],
                200,
                &[ACAO, ACAC],
                "fetch",
            ),
        ],
    );
    let i = import_text(&text);
    assert!(
        i.notices.iter().any(|n| n.contains("sanitized")),
        "{:?}",
        i.notices
    );
    // Still compared: no cookie went out, and none is expected to.
    assert_eq!(i.recorded[0].cookies_sent, Some(Vec::new()));
}

#[test]
fn pastes_of_the_request_side_assume_the_answer() {
    let curl = "curl 'http://localhost:3001/login' -H 'Origin: http://localhost:3000' -H 'Content-Type: application/json' -b 'sid=1' --data-raw '{}'";
    let i = import_text(curl);
    let s = &i.scenario;
    assert_eq!(
        s.requests[0].client.credentials_mode(),
        CredentialsMode::Include
    );
    assert!(
        assumed(&i, "server.routes.0.response.headers"),
        "{:#?}",
        i.assumptions
    );
    assert!(assumed(&i, "page.url"));
    assert_eq!(s.page.url, "http://localhost:3000/");
    assert_eq!(s.jar_at_start[0].name, "sid");

    let fetch = "fetch(\"https://api.test/me\", {\"headers\": {\"x-a\": \"1\"}, \"referrer\": \"https://app.test/page\", \"method\": \"GET\", \"mode\": \"cors\", \"credentials\": \"include\"});";
    let i = import_text(fetch);
    assert_eq!(i.scenario.page.url, "https://app.test/page");
    assert!(!assumed(&i, "page.url"));
    assert!(
        !assumed(&i, "requests.0.client"),
        "Copy as fetch says mode and credentials"
    );
    assert_eq!(i.scenario.requests[0].headers, "x-a: 1");

    let headers = "GET /me HTTP/1.1\nHost: localhost:3001\nOrigin: http://localhost:3000\nCookie: sid=1\n\nHTTP/1.1 200 OK\nAccess-Control-Allow-Origin: http://localhost:3000\nAccess-Control-Allow-Credentials: true";
    let i = import_text(headers);
    let t = simulate(&i.scenario);
    assert_eq!(
        t.requests[0].js_result,
        JsResult::Readable,
        "{}",
        t.headline
    );
    assert_eq!(t.requests[0].cookies_sent, vec!["sid"]);
}

#[test]
fn picking_nothing_is_one_clear_message() {
    let text = har("WebInspector", vec![page(0, "http://localhost:3000/")]);
    let rec = parse(&text).unwrap();
    let e = reconstruct(&rec, &[]).unwrap_err();
    assert!(e.0.contains("pick"), "{e}");
    assert!(import::import(&text).is_err());
}

#[path = "import_data/mod.rs"]
mod import_data;

#[test]
fn a_long_session_imports_its_api_calls_only() {
    let har = import_data::large_har(1024 * 1024);
    let rec = parse(&har).unwrap();
    assert!(rec.entries.len() > 400, "{}", rec.entries.len());
    let i = reconstruct(&rec, &import::default_selection(&rec)).unwrap();
    assert_eq!(i.scenario.requests.len(), 20, "the first 20 API calls");
    assert!(i
        .scenario
        .requests
        .iter()
        .all(|r| r.url.starts_with("http://localhost:3001/")));
    assert!(
        i.unsure(),
        "more relevant requests than fit: the user chooses"
    );
    let t = simulate(&i.scenario);
    let rows = import::compare(&t, &i);
    assert!(rows.iter().all(|r| r.agree), "{rows:#?}");
}

#[test]
fn a_multi_page_flow_rebuilds_its_form_visit_and_documents() {
    // The SPA posts a sign-in form to another site, whose document then
    // calls its own API; the user types the SPA's address again, and its
    // document calls the other site with credentials.
    const APP: &str = "https://app.example.test";
    const AUTH: &str = "https://auth.other.test";
    let nav = |site: &'static str| {
        [
            ("Sec-Fetch-Mode", "navigate"),
            ("Sec-Fetch-Dest", "document"),
            ("Sec-Fetch-Site", site),
            ("User-Agent", CHROME_UA),
        ]
    };
    let mut form = nav("cross-site").to_vec();
    form.extend([
        ("Origin", APP),
        (
            "Content-Type",
            "multipart/form-data; boundary=----WebKitFormBoundaryq1w2e3",
        ),
    ]);
    let text = har(
        "WebInspector",
        vec![
            page(0, &format!("{APP}/")),
            entry(
                1,
                "POST",
                &format!("{AUTH}/session"),
                &form,
                200,
                &[
                    ("Content-Type", "text/html"),
                    ("Set-Cookie", "auth=1; Secure; SameSite=None; Path=/"),
                ],
                "document",
            ),
            entry(
                2,
                "GET",
                &format!("{AUTH}/me"),
                &[
                    ("Referer", "https://auth.other.test/session"),
                    ("Cookie", "auth=1"),
                    ("Sec-Fetch-Mode", "cors"),
                    ("Sec-Fetch-Site", "same-origin"),
                    ("User-Agent", CHROME_UA),
                ],
                200,
                &[("Content-Type", "application/json")],
                "fetch",
            ),
            entry(
                3,
                "GET",
                &format!("{APP}/account"),
                &nav("none"),
                200,
                &[("Content-Type", "text/html")],
                "document",
            ),
            entry(
                4,
                "GET",
                &format!("{AUTH}/me"),
                &[
                    ("Origin", APP),
                    ("Cookie", "auth=1"),
                    ("Sec-Fetch-Mode", "cors"),
                    ("Sec-Fetch-Site", "cross-site"),
                    ("User-Agent", CHROME_UA),
                ],
                200,
                &[
                    ("Access-Control-Allow-Origin", APP),
                    ("Access-Control-Allow-Credentials", "true"),
                    ("Content-Type", "application/json"),
                ],
                "fetch",
            ),
        ],
    );
    let rec = parse(&text).unwrap();
    let i = reconstruct(&rec, &[1, 2, 3, 4]).unwrap();
    let s = &i.scenario;
    assert_eq!(s.page.url, format!("{APP}/"));
    // A top-level POST is a form's; its body's Content-Type is its enctype.
    assert_eq!(
        s.requests[0].client,
        Client::Navigation {
            form: NavigationForm::FormPost
        }
    );
    assert_eq!(s.requests[0].enctype, FormEnctype::Multipart);
    assert!(s.requests[0].fields.is_empty(), "bodies are never imported");
    // The other site's document made the same-origin call: its Referer says so.
    assert_eq!(s.requests[1].runs_from, RunsFrom::Current);
    assert_eq!(
        s.requests[1].client,
        Client::Fetch {
            mode: RequestMode::Cors,
            credentials: CredentialsMode::SameOrigin,
            redirect: Default::default()
        }
    );
    // `Sec-Fetch-Site: none`: the user typed the address.
    assert_eq!(s.requests[2].client, Client::Visit);
    assert_eq!(s.requests[3].runs_from, RunsFrom::Current);
    assert!(!assumed(&i, "requests.1.runs_from"));
    let t = simulate(s);
    let r = &t.requests[1];
    assert_eq!(r.js_result, JsResult::Readable, "{}", t.headline);
    assert_eq!(r.cookies_sent, vec!["auth".to_string()]);
    assert_eq!(t.requests[3].js_result, JsResult::Readable);
    assert_eq!(t.requests[3].cookies_sent, vec!["auth".to_string()]);
    let differ: Vec<_> = import::compare(&t, &i)
        .into_iter()
        .filter(|r| !r.agree)
        .collect();
    assert!(differ.is_empty(), "{differ:#?}");
    // The form's and the visit's documents are compared too.
    let rows = import::compare(&t, &i);
    let documents: Vec<_> = rows
        .iter()
        .filter(|r| r.outcome == Outcome::Document)
        .map(|r| (r.request, r.observed.as_str()))
        .collect();
    assert_eq!(
        documents,
        vec![
            (0, "https://auth.other.test/session (200)"),
            (2, "https://app.example.test/account (200)")
        ]
    );
    // A route that answers the visit with a redirect ends it on another
    // document than the recording's: that row disagrees and says where to look.
    let mut moved = s.clone();
    let ServerSetup::Raw(raw) = &mut moved.server else {
        panic!("an import is a raw server")
    };
    let route = raw
        .routes
        .iter_mut()
        .find(|r| r.path.ends_with("/account"))
        .expect("a route for the visit");
    route.response.status = 302;
    route.response.headers = "Location: https://app.example.test/login".into();
    let rows = import::compare(&simulate(&moved), &i);
    let row = rows
        .iter()
        .find(|r| r.outcome == Outcome::Document && r.request == 2)
        .expect("the visit's document row");
    assert!(!row.agree, "{row:#?}");
    assert_eq!(row.observed, "https://app.example.test/account (200)");
    assert!(
        row.explanation
            .as_deref()
            .unwrap_or_default()
            .contains("redirect chain"),
        "{row:#?}"
    );
    // From the scenario's page instead, the call would be cross-origin and
    // the answer, without CORS headers, unreadable: the document matters.
    let mut from_page = s.clone();
    from_page.requests[1].runs_from = RunsFrom::Page;
    assert_ne!(
        simulate(&from_page).requests[1].js_result,
        JsResult::Readable
    );

    // Without Origin or Referer, a recording of one tab says the request ran
    // from the document it showed: assumed, and marked.
    let text = text.replace("\"Referer\"", "\"X-Referer-Removed\"");
    let i = reconstruct(&parse(&text).unwrap(), &[1, 2, 3, 4]).unwrap();
    assert_eq!(i.scenario.requests[1].runs_from, RunsFrom::Current);
    assert!(assumed(&i, "requests.1.runs_from"));
}
