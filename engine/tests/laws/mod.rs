//! The laws each entry point keeps, shared by the property tests and the fuzz
//! example (`cargo run --release -p crumbtrail-engine --example fuzz`). Each
//! law returns `Err(why)` when it breaks; the caller catches panics.
//!
//! - permalink: `decode` → `simulate` → `encode` → `decode` gives the same
//!   scenario and view, with no notices, and `encode` is then stable;
//! - cookies: `Set-Cookie` lines through the parser and a jar keep the jar's
//!   own invariants; a cookie date written back as an HTTP date reads the same;
//! - URLs: an origin's serialization reads back as the same origin, a URL is
//!   same-site with itself, a site's host is a suffix of the URL's host;
//! - `cors.rb` / `session_store.rb`: what the reader accepts, written back by
//!   the generator, reads as the same settings;
//! - header lines: accepted lines written back read as the same list;
//! - `settings.py` (Django): what the reader accepts, written back, reads
//!   the same, and the model answers a login round.
#![allow(dead_code)]

pub mod django;
pub mod reachable;

use std::sync::OnceLock;

use crumbtrail_engine::codegen::{
    cors_rb, parse_cors_rb_with_position, parse_session_store_rb, session_store_initializer,
};
use crumbtrail_engine::cookie_date::parse_cookie_date;
use crumbtrail_engine::cookie_store::{CookieJar, GetContext, SetContext};
use crumbtrail_engine::headers::HeaderList;
use crumbtrail_engine::mixed_content::check_mixed_content;
use crumbtrail_engine::origin::{
    ascii_host, is_loopback_host, is_potentially_trustworthy, parse_url, Origin,
};
use crumbtrail_engine::permalink::{decode, encode, Decoded, View};
use crumbtrail_engine::scenario::{Client, RawResponse, RawRoute, RawServer, ServerSetup};
use crumbtrail_engine::server::rails::{
    CorsResource, DomainOption, HeadersOption, MethodsOption, RailsApp, SessionStoreConfig,
};
use crumbtrail_engine::server::session_store::httpdate;
use crumbtrail_engine::set_cookie::parse_set_cookie;
use crumbtrail_engine::site::{is_public_suffix, registrable_domain, same_site, site_of};
use crumbtrail_engine::{presets, simulate, ProfileId, Reason, Scenario};
use serde::Serialize;
use url::Url;

/// The first place two values differ, as `path: left != right` (JSON).
pub fn difference(a: &impl Serialize, b: &impl Serialize) -> String {
    fn walk(a: &serde_json::Value, b: &serde_json::Value, path: String) -> Option<String> {
        use serde_json::Value::{Array, Object};
        match (a, b) {
            (Object(x), Object(y)) => x.iter().find_map(|(k, v)| {
                walk(
                    v,
                    y.get(k).unwrap_or(&serde_json::Value::Null),
                    format!("{path}.{k}"),
                )
            }),
            (Array(x), Array(y)) if x.len() == y.len() => x
                .iter()
                .zip(y)
                .enumerate()
                .find_map(|(i, (v, w))| walk(v, w, format!("{path}[{i}]"))),
            _ if a == b => None,
            _ => Some(format!("{path}: {a} != {b}")),
        }
    }
    let (a, b) = (serde_json::to_value(a), serde_json::to_value(b));
    match (a, b) {
        (Ok(a), Ok(b)) => walk(&a, &b, String::new()).unwrap_or_else(|| "(equal)".into()),
        _ => "(not serializable)".into(),
    }
}

/// Permalink law: one pass of `decode` then `encode` reaches a fixed point.
pub fn permalink(input: &str) -> Result<(), String> {
    let first = decode(input);
    let trace = simulate(&first.scenario);
    if trace.requests.len() != first.scenario.requests.len() {
        return Err("the trace has a different number of requests".into());
    }
    let link = encode(&first.scenario, &first.view);
    let second = decode(&link);
    if !second.notices.is_empty() {
        return Err(format!("reads with notices {:?}: `{link}`", second.notices));
    }
    if second.scenario != first.scenario || second.view != first.view {
        let diff = difference(
            &(&first.scenario, &first.view),
            &(&second.scenario, &second.view),
        );
        return Err(format!("reads back differently: {diff}: `{link}`"));
    }
    let again = encode(&second.scenario, &second.view);
    if again != link {
        return Err(format!("encode is not stable: `{link}` then `{again}`"));
    }
    Ok(())
}

/// Permalink law for a reachable scenario: `decode(encode(s)) == s`, no notices.
pub fn scenario_round_trip(s: &Scenario, view: &View) -> Result<(), String> {
    let link = encode(s, view);
    let back = decode(&link);
    if !back.notices.is_empty() {
        return Err(format!("reads with notices {:?}: `{link}`", back.notices));
    }
    if back.scenario != *s || back.view != *view {
        let diff = difference(&(s, view), &(&back.scenario, &back.view));
        return Err(format!("reads back differently: {diff}: `{link}`"));
    }
    Ok(())
}

fn url_of(s: &str) -> Url {
    Url::parse(s).expect("a fixed URL")
}

fn fixed_urls() -> &'static [Url; 3] {
    static URLS: OnceLock<[Url; 3]> = OnceLock::new();
    URLS.get_or_init(|| {
        [
            url_of("http://home.example.org:8888/cookie-parser"),
            url_of("https://api.example.test/a/b"),
            url_of("http://localhost:3000/"),
        ]
    })
}

/// A small deterministic number from the input, to vary contexts.
fn pick(input: &str) -> usize {
    input
        .bytes()
        .fold(17usize, |h, b| h.wrapping_mul(31) ^ b as usize)
}

/// Cookie law: the jar's outcomes agree with themselves for a `Set-Cookie` line.
pub fn set_cookie(line: &str) -> Result<(), String> {
    let _ = parse_set_cookie(line);
    let h = pick(line);
    let urls = fixed_urls();
    let url = &urls[h % 2];
    let profile = ProfileId::ALL[h % ProfileId::ALL.len()].profile();
    let mut jar = CookieJar::default();
    let flags = |bit: usize| h >> bit & 1 == 1;
    let now = 1_767_225_600;
    let out = jar.set(
        line,
        &SetContext {
            url,
            same_site_strict_or_lax_allowed: flags(3),
            top_level_navigation: flags(4),
            from_http: !flags(5),
            third_party: flags(6),
            partition_key: "http://localhost".into(),
            first_party: flags(7).then_some(&urls[(h + 1) % 2]),
            now,
        },
        &profile,
        0,
    );
    if out.steps.is_empty() {
        return Err("a Set-Cookie line left no step".into());
    }
    let deleted = out.steps.iter().any(|s| s.reason == Reason::CookieDeleted);
    if out.stored != (out.rejected.is_none() && !deleted) {
        return Err(format!(
            "stored = {} but rejected = {:?}, deleted = {deleted}",
            out.stored, out.rejected
        ));
    }
    let got = jar.get(
        &GetContext {
            url,
            same_site: flags(7),
            top_level_navigation: flags(8),
            safe_method: flags(9),
            from_http: !flags(5),
            third_party: flags(6),
            partition_key: "http://localhost".into(),
            now: now + 1,
        },
        &profile,
        1,
    );
    if got.cookie_header.is_some() == got.sent.is_empty() {
        return Err("a Cookie header without cookies (or the other way round)".into());
    }
    let _ = jar.view(now);
    Ok(())
}

/// Cookie date law: a date read, written as an HTTP date, reads the same.
pub fn cookie_date(text: &str) -> Result<(), String> {
    let Some(t) = parse_cookie_date(text) else {
        return Ok(());
    };
    let written = httpdate(t);
    match parse_cookie_date(&written) {
        Some(back) if back == t => Ok(()),
        back => Err(format!("{t} written as `{written}` reads as {back:?}")),
    }
}

/// URL law: origins, sites and the checks on one URL, absolute and relative.
pub fn url(input: &str) -> Result<(), String> {
    let _ = ascii_host(input);
    let _ = registrable_domain(input);
    let _ = is_public_suffix(input);
    let _ = is_loopback_host(input);
    let base = &fixed_urls()[2];
    for parsed in [parse_url(input, None), parse_url(input, Some(base))] {
        let Ok(u) = parsed else { continue };
        let origin = Origin::of(&u);
        let serialized = origin.serialize();
        let again = parse_url(&serialized, None).map(|v| Origin::of(&v));
        if again.as_ref() != Ok(&origin) {
            return Err(format!("origin `{serialized}` reads back as {again:?}"));
        }
        if !same_site(&u, &u, crumbtrail_engine::site::SiteRules::HTML) {
            return Err(format!("`{u}` is not same-site with itself"));
        }
        let host = u.host_str().unwrap_or("");
        let site = site_of(&u);
        if !host.trim_end_matches('.').ends_with(&site.host) && site.host != host {
            return Err(format!("site host `{}` is not part of `{host}`", site.host));
        }
        let _ = check_mixed_content(base, &u, 0, false, true);
        let _ = check_mixed_content(base, &u, 0, false, false);
        let webkitgtk = crumbtrail_engine::profile::ProfileId::WebKitGtk.profile();
        if !same_site(&u, &u, webkitgtk.site_rules()) {
            return Err(format!("`{u}` is not same-site with itself in WebKitGTK"));
        }
        let _ = is_potentially_trustworthy(&u);
    }
    Ok(())
}

/// `cors.rb` law: accepted text, generated again, reads as the same settings.
pub fn cors_rb_text(src: &str) -> Result<(), String> {
    let Ok((cors, position)) = parse_cors_rb_with_position(src) else {
        return Ok(());
    };
    let app = RailsApp {
        cors: cors.clone(),
        cors_position: position,
        ..RailsApp::default()
    };
    let text = cors_rb(&app);
    match parse_cors_rb_with_position(&text) {
        Ok(back) if back == (cors.clone(), position) => Ok(()),
        Ok(back) => Err(format!(
            "the generated text reads differently: {}\n{text}",
            difference(&(cors, position), &back)
        )),
        Err(e) => Err(format!("the generated text does not read: {e}\n{text}")),
    }
}

/// `session_store.rb` law: accepted text, generated again, reads the same.
pub fn session_store_text(src: &str) -> Result<(), String> {
    let Ok(s) = parse_session_store_rb(src) else {
        return Ok(());
    };
    let text = session_store_initializer(&s);
    match parse_session_store_rb(&text) {
        Ok(back) if back == s => Ok(()),
        Ok(back) => Err(format!(
            "the generated text reads differently: {}\n{text}",
            difference(&s, &back)
        )),
        Err(e) => Err(format!("the generated text does not read: {e}\n{text}")),
    }
}

/// Header lines law: accepted lines, written back, read as the same list.
pub fn header_lines(text: &str) -> Result<(), String> {
    let Ok(list) = HeaderList::parse_lines(text) else {
        return Ok(());
    };
    let lines = list.to_lines();
    match HeaderList::parse_lines(&lines) {
        Ok(back) if back == list => Ok(()),
        back => Err(format!("`{lines}` reads back as {back:?}")),
    }
}

/// What a case checks beyond the law: how the link reads.
pub type Check = fn(&Decoded) -> Result<(), String>;

fn expect(ok: bool, what: &str) -> Result<(), String> {
    if ok {
        Ok(())
    } else {
        Err(format!("expected {what}"))
    }
}

fn rails(d: &Decoded) -> &RailsApp {
    match &d.scenario.server {
        ServerSetup::Rails(app) => app,
        _ => panic!("a Rails server"),
    }
}

fn resource(d: &Decoded, b: usize, r: usize) -> &CorsResource {
    &rails(d).cors.allow[b].resources[r]
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn one_notice(d: &Decoded) -> bool {
    d.notices.len() == 1
}

/// The permalink cases of issue #12, with how each must read. Each read back
/// differently, grew the scenario, or dropped a key silently before the
/// format was made exact.
pub const ISSUE_CASES: &[(&str, Check)] = &[
    ("v=1&r1.cred=omit&r1.via=xhr", |d| {
        expect(
            d.scenario.requests[0].client
                == Client::Xhr {
                    with_credentials: false,
                },
            "XHR without credentials",
        )
    }),
    ("v=1&r2.cred=omit&r2.via=axios", |d| {
        expect(
            d.scenario.requests[1].client
                == Client::Axios {
                    with_credentials: false,
                    with_xsrf_token: false,
                },
            "axios without credentials",
        )
    }),
    ("v=1&b1.r15.headers=,", |d| {
        expect(
            rails(d).cors.allow[0].resources.len() == 15
                && resource(d, 0, 14).headers == HeadersOption::List(vec![]),
            "headers: []",
        )
    }),
    ("v=1&b2.r1.methods=,", |d| {
        expect(
            resource(d, 1, 0).methods == MethodsOption::List(vec![]),
            "methods: []",
        )
    }),
    ("v=1&s.domain=,", |d| {
        expect(
            rails(d).session.domain == DomainOption::List(vec![]),
            "domain: []",
        )
    }),
    ("v=1&s.domain=a,", |d| {
        expect(
            rails(d).session.domain == DomainOption::List(strings(&["a"])),
            "domain: ['a']",
        )
    }),
    ("v=1&s.domain=+a.test+,", |d| {
        expect(
            rails(d).session.domain == DomainOption::List(strings(&["a.test"])),
            "domain: ['a.test']",
        )
    }),
    ("v=1&b1.r1.vary=+unset", |d| {
        expect(
            resource(d, 0, 0).vary.is_none() && d.notices.is_empty(),
            "vary unset",
        )
    }),
    ("v=1&b1.r1.vary=unset,", |d| {
        expect(
            resource(d, 0, 0).vary == Some(strings(&["unset"])),
            "vary: ['unset']",
        )
    }),
    ("v=1&b1.r1.headers=unset,", |d| {
        expect(
            resource(d, 0, 0).headers == HeadersOption::List(strings(&["unset"])),
            "headers: ['unset']",
        )
    }),
    ("v=1&b1.r1.headers=any,", |d| {
        expect(
            resource(d, 0, 0).headers == HeadersOption::List(strings(&["any"])),
            "headers: ['any']",
        )
    }),
    ("v=1&b1.r1.headers=%3Aany,", |d| {
        expect(
            resource(d, 0, 0).headers == HeadersOption::List(strings(&[":any"])),
            "headers: [':any']",
        )
    }),
    ("v=1&b1.r1.methods=any,", |d| {
        expect(
            resource(d, 0, 0).methods == MethodsOption::List(strings(&["any"])),
            "methods: [:any] as a list",
        )
    }),
    ("v=1&b1.r1.methods=%3Aany,", |d| {
        expect(
            resource(d, 0, 0).methods == MethodsOption::List(strings(&["any"])),
            "methods: [:any] as a list",
        )
    }),
    ("v=1&b1.r1.methods=unset,", |d| {
        expect(
            resource(d, 0, 0).methods == MethodsOption::List(strings(&["unset"])),
            "methods: [:unset]",
        )
    }),
    ("v=1&settings=1", |d| {
        expect(
            d.view
                == View {
                    embed: false,
                    show_settings: true,
                    ..View::default()
                },
            "settings kept",
        )
    }),
    ("v=1&settings=1&embed=0", |d| {
        expect(d.view.show_settings && !d.view.embed, "settings kept")
    }),
    ("v=1&b1.r1.methods=%3A%0Bget", |d| {
        expect(
            resource(d, 0, 0).methods == MethodsOption::List(strings(&["get"])),
            "methods: [:get]",
        )
    }),
    ("v=1&b1.r1.methods=%3A+%3Aget,post", |d| {
        expect(
            resource(d, 0, 0).methods == MethodsOption::List(strings(&["get", "post"])),
            "methods: [:get, :post]",
        )
    }),
    ("v=1&b1.r1.methods=%3A", |d| {
        expect(
            resource(d, 0, 0).methods == MethodsOption::List(vec![]),
            "methods: []",
        )
    }),
    ("v=1&b1.r1.methods=get,%3A", |d| {
        expect(
            resource(d, 0, 0).methods == MethodsOption::List(strings(&["get"])),
            "methods: [:get]",
        )
    }),
    ("v=1&b1.r1.methods=%3A%C2%A0put", |d| {
        expect(
            resource(d, 0, 0).methods == MethodsOption::List(strings(&["put"])),
            "methods: [:put]",
        )
    }),
    ("?v=1&top=a?b", |d| {
        expect(
            d.scenario.page.top_level_url.as_deref() == Some("a?b"),
            "top `a?b`",
        )
    }),
    ("?v=1&page=what?", |d| {
        expect(d.scenario.page.url == "what?", "page `what?`")
    }),
    ("?v=1&page=/login?next=/", |d| {
        expect(
            d.scenario.page.url == "/login?next=/",
            "page `/login?next=/`",
        )
    }),
    (
        "http://localhost:8080/?v=1&r1=GET+http://localhost:3001/me?id=1",
        |d| {
            let r = &d.scenario.requests[0];
            expect(
                r.method == "GET"
                    && r.url == "http://localhost:3001/me?id=1"
                    && d.notices.is_empty(),
                "r1 = GET …/me?id=1",
            )
        },
    ),
    ("v=1&r1=GET+http://localhost:3001/me?id=1&r2.wait=5", |d| {
        let r = &d.scenario.requests[0];
        expect(
            r.url == "http://localhost:3001/me?id=1"
                && d.scenario.requests[1].delay_secs == 5
                && d.notices.is_empty(),
            "every key kept",
        )
    }),
    ("v=1&r20.bogus=1", |d| {
        expect(
            d.scenario.requests.len() == 2 && one_notice(d),
            "2 requests and a notice",
        )
    }),
    ("v=1&b5", |d| {
        expect(
            rails(d).cors.allow.len() == 1 && one_notice(d),
            "1 allow block and a notice",
        )
    }),
    ("v=1&b1.r5", |d| {
        expect(
            rails(d).cors.allow[0].resources.len() == 1 && one_notice(d),
            "1 resource and a notice",
        )
    }),
    ("v=1&r5.body=weird", |d| {
        expect(
            d.scenario.requests.len() == 2 && one_notice(d),
            "2 requests and a notice",
        )
    }),
    ("v=1&r5.cred=maybe", |d| {
        expect(
            d.scenario.requests.len() == 2 && one_notice(d),
            "2 requests and a notice",
        )
    }),
    ("v=1&b3.order=sideways", |d| {
        expect(
            rails(d).cors.allow.len() == 1 && one_notice(d),
            "1 allow block and a notice",
        )
    }),
    ("v=1&server=raw&raw3.bogus=1", |d| {
        expect(
            matches!(&d.scenario.server, ServerSetup::Raw(r) if r.routes.is_empty())
                && one_notice(d),
            "no routes and a notice",
        )
    }),
    ("v=1&b1.r1.max_age=5&b1.r1.max_age=soon", |d| {
        expect(
            resource(d, 0, 0).max_age == Some(5) && one_notice(d),
            "max_age 5 kept",
        )
    }),
    ("v=1&s.expire=5&s.expire=later", |d| {
        expect(
            rails(d).session.expire_after == Some(5) && one_notice(d),
            "expire_after 5 kept",
        )
    }),
    ("v=1&requests=1&r2.h=X-A:+1", |d| {
        expect(
            d.scenario.requests.len() == 1 && one_notice(d),
            "1 request and a notice",
        )
    }),
    ("v=1&blocks=0&b1.origins=http://a.test", |d| {
        expect(
            rails(d).cors.allow.is_empty() && one_notice(d),
            "no block and a notice",
        )
    }),
    ("v=1&b1.resources=0&b1.r1.path=/x", |d| {
        expect(
            rails(d).cors.allow[0].resources.is_empty() && one_notice(d),
            "no resource and a notice",
        )
    }),
    ("v=1&server=raw&rails=7.0", |d| {
        expect(
            matches!(d.scenario.server, ServerSetup::Raw(_)) && one_notice(d),
            "a raw server and a notice",
        )
    }),
    ("v=1&r3.mode=no-cors&r3.via=xhr", |d| {
        expect(
            d.scenario.requests[2].client
                == Client::Xhr {
                    with_credentials: false,
                }
                && one_notice(d),
            "XHR and a notice for the mode",
        )
    }),
    ("v=1&r1.via=xhr&r1.via=fetch", |d| {
        expect(
            d.scenario.requests[0].client == Scenario::default().requests[0].client,
            "the last .via wins",
        )
    }),
];

fn session(s: &mut Scenario) -> &mut SessionStoreConfig {
    match &mut s.server {
        ServerSetup::Rails(app) => &mut app.session,
        _ => unreachable!("the default server is Rails"),
    }
}

/// Scenarios the editors reach that did not come back from their link.
pub fn issue_scenarios() -> Vec<(&'static str, Scenario, View)> {
    let mut out = Vec::new();
    let mut add = |name, edit: &dyn Fn(&mut Scenario)| {
        let mut s = Scenario::default();
        edit(&mut s);
        out.push((name, s, View::default()));
    };
    add("key: 'unset'", &|s| session(s).key = Some("unset".into()));
    add("domain: 'unset'", &|s| {
        session(s).domain = DomainOption::Exact("unset".into())
    });
    add("domain: 'all'", &|s| {
        session(s).domain = DomainOption::Exact("all".into())
    });
    add("a method with a space", &|s| {
        s.requests[0].method = "GE T".into()
    });
    add("an empty method", &|s| s.requests[0].method = String::new());
    add("a padded URL", &|s| s.requests[1].url = " /me ".into());
    add("an empty URL", &|s| s.requests[1].url = String::new());
    add("XHR without credentials", &|s| {
        s.requests[0].client = Client::Xhr {
            with_credentials: false,
        }
    });
    let raw = |method: &str, path: &str, status: u16| {
        ServerSetup::Raw(RawServer {
            routes: vec![RawRoute {
                method: method.into(),
                path: path.into(),
                preflight: RawResponse {
                    status: 204,
                    headers: String::new(),
                },
                response: RawResponse {
                    status,
                    headers: String::new(),
                },
                ..RawRoute::default()
            }],
        })
    };
    add("a raw route without a method", &|s| {
        s.server = raw("", "/x", 200)
    });
    add("a raw route with a padded path", &|s| {
        s.server = raw("GET", " /x", 200)
    });
    add("a raw status of 700", &|s| s.server = raw("*", "*", 700));
    out
}

/// The article's `cors.rb`, as pasted (4-space indents, comments).
pub const ARTICLE_CORS_RB: &str =
    "Rails.application.config.middleware.insert_before 0, Rack::Cors do
    allow do
      origins 'http://localhost:3000', 'https://your-frontend-domain.com' # <-- Specific origin(s)

      resource '*',
        headers: :any,
        methods: [:get, :post, :put, :patch, :delete, :options, :head],
        credentials: true # <-- This is crucial
    end
  end
";

/// The article's session store, as pasted.
pub const ARTICLE_SESSION_RB: &str = "Rails.application.config.session_store :cookie_store,
                                       key: '_your_app_session',
                                       domain: '.your-domain.com', # <-- Ensure domain matches cookie origin
                                       same_site: :none, # <-- crucial for cross-origin
                                       secure: true # <-- always true when `same_site: :none` is set
";

/// The README's example links.
pub const README_LINKS: &[&str] = &[
    "?v=1&b1.origins=http://localhost:3000&b1.origins=https://your-frontend-domain.com&b1.r1.cred=1",
    "https://example.test/?v=1&embed=1",
];

/// Real links to start from: the presets, the README's and the issue's.
pub fn permalink_seeds() -> Vec<String> {
    let mut out: Vec<String> = presets::all()
        .iter()
        .map(|p| encode(&p.scenario, &View::default()))
        .collect();
    out.extend(ISSUE_CASES.iter().map(|(link, _)| link.to_string()));
    out.extend(README_LINKS.iter().map(|s| s.to_string()));
    out.extend(issue_scenarios().iter().map(|(_, s, v)| encode(s, v)));
    out
}

/// Import law, for any pasted text: reading it never panics; an import that
/// succeeds gives a reachable scenario (law 1 holds for it), which simulates,
/// compares with the recording and writes Markdown, and whose permalink and
/// Markdown hold no placeholder-less cookie value from the input.
pub fn import_text(input: &str) -> Result<(), String> {
    use crumbtrail_engine::import;
    let Ok(rec) = import::parse(input) else {
        return Ok(());
    };
    let Ok(imported) = import::reconstruct(&rec, &import::default_selection(&rec)) else {
        return Ok(());
    };
    let s = &imported.scenario;
    let trace = simulate(s);
    if trace.requests.len() != s.requests.len() {
        return Err("the trace has a different number of requests".into());
    }
    let _ = import::compare(&trace, &imported);
    let link = encode(s, &View::default());
    let _ = import::markdown::export(s, &trace, &link, &imported.redactions);
    scenario_round_trip(s, &View::default())?;
    if let Some(c) = s
        .jar_at_start
        .iter()
        .find(|c| !c.value.is_empty() && !c.value.starts_with("redacted"))
    {
        return Err(format!("the jar cookie `{}` kept its value", c.name));
    }
    Ok(())
}

/// Seeds for the importers: the fixtures, and a paste of each kind.
pub fn import_seeds() -> Vec<String> {
    vec![
        include_str!("../data/import/hand-chrome-h2.har").to_string(),
        // Small enough for the fuzzer's input limit.
        r#"{"log":{"creator":{"name":"WebInspector"},"entries":[{"_resourceType":"document","startedDateTime":"2025-06-01T10:00:00Z","request":{"method":"GET","url":"http://localhost:3000/","headers":[{"name":"Sec-Fetch-Mode","value":"navigate"}]},"response":{"status":200,"headers":[]}},{"_resourceType":"fetch","startedDateTime":"2025-06-01T10:00:01Z","request":{"method":"POST","url":"http://localhost:3001/login","headers":[{"name":"Origin","value":"http://localhost:3000"},{"name":"Content-Type","value":"application/json"},{"name":"Cookie","value":"a=1"}],"cookies":[{"name":"a","value":"1","domain":".localhost","sameSite":"Lax"}],"postData":{"mimeType":"application/json","text":"{}"}},"response":{"status":200,"headers":[{"name":"Access-Control-Allow-Origin","value":"http://localhost:3000"},{"name":"Set-Cookie","value":"sid=2; Path=/; Expires=Sun, 01 Jun 2025 11:00:00 GMT\nb=3"}]}},{"_resourceType":"preflight","startedDateTime":"2025-06-01T10:00:01Z","request":{"method":"OPTIONS","url":"http://localhost:3001/login","headers":[{"name":"Access-Control-Request-Method","value":"POST"},{"name":"Access-Control-Request-Headers","value":"content-type"}]},"response":{"status":204,"headers":[{"name":"Access-Control-Allow-Origin","value":"*"}]}},{"_resourceType":"xhr","startedDateTime":"2025-06-01T10:00:05Z","request":{"method":"GET","url":"http://localhost:3001/me?token=x","headers":[{"name":"Cookie","value":"sid=2; b=3"}]},"response":{"status":0,"headers":[],"_error":"net::ERR_FAILED"}},{"startedDateTime":"2025-06-01T10:00:06Z","request":{"method":"GET","url":"http://localhost:3001/old"},"response":{"status":302,"headers":[{"name":"Location","value":"/new"}]}},{"startedDateTime":"2025-06-01T10:00:06Z","request":{"method":"GET","url":"http://localhost:3001/new"},"response":{"status":200,"headers":[]}}]}}"#.to_string(),
        "curl 'http://localhost:3001/login' -H 'Origin: http://localhost:3000' -H 'Content-Type: application/json' -b 'sid=1' --data-raw $'{\"a\":\"b\\'c\"}'".into(),
        "curl ^\"https://api.test/x^\" ^\n  -H ^\"origin: https://app.test^\" ^\n  --data-raw ^\"^{^\\^\"a^\\^\":1^}^\"".into(),
        "fetch(\"http://localhost:3001/me\", {\"headers\": {\"accept\": \"*/*\"}, \"referrer\": \"http://localhost:3000/\", \"body\": null, \"method\": \"GET\", \"mode\": \"cors\", \"credentials\": \"include\"});".into(),
        "POST /login HTTP/1.1\nHost: localhost:3001\nOrigin: http://localhost:3000\nCookie: a=1\n\nHTTP/1.1 200 OK\nAccess-Control-Allow-Origin: http://localhost:3000\nSet-Cookie: sid=2; Max-Age=60".into(),
        ":status: 204\nvary: Origin\n\n:authority: api.test\n:method: PUT\n:path: /a?q=1\n:scheme: https".into(),
    ]
}
