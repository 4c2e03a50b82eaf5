//! Live mode end to end: every preset, loaded in the release build served by the lab (as
//! `./dev serve` does, with its HTTPS ports on), is run for real with the page's "Run live"
//! button in headless Chromium (fresh profile: third-party cookies blocked, profile
//! `chrome-no3pc`), Firefox ESR (profile `firefox`) and WebKitGTK's MiniBrowser on Xvfb
//! (profile `webkitgtk`). The comparison table must show that
//! it ran and that every observable agrees with the simulation, unless the disagreement is
//! listed with its reason in `tests/live_known_differences.toml` (case `preset/<id>`).
//! Two multi-page flows with visits (cases `flows/<id>`) run the same way.
//! Needs `CRUMBTRAIL_E2E` (see tests/support).
#![cfg(not(target_arch = "wasm32"))]

mod support;

use std::time::{Duration, Instant};

use crumbtrail_engine::live::LabPorts;
use crumbtrail_engine::permalink::{encode, View};
use crumbtrail_engine::scenario::{
    BodyKind, Client, CredentialsMode, NavigationForm, Page, RawResponse, RawRoute, RawServer,
    RedirectMode, RequestMode, RequestSpec, RunsFrom, ServerSetup,
};
use crumbtrail_engine::{presets, ProfileId, Scenario};
use fantoccini::Locator;
use serde_json::Value;
use support::{known, Browser, Session};

fn config_key(browser: Browser) -> &'static str {
    match browser {
        Browser::Chromium => "chromium-3pc-blocked",
        Browser::Firefox => "firefox",
        Browser::WebKitGtk => "webkitgtk",
    }
}

fn profile(browser: Browser) -> ProfileId {
    match browser {
        Browser::Chromium => ProfileId::ChromeNo3pc,
        Browser::Firefox => ProfileId::Firefox,
        Browser::WebKitGtk => ProfileId::WebKitGtk,
    }
}

/// Runs `script` until `done` accepts its value; `None` after `limit`.
async fn poll(s: &Session, script: &str, limit: Duration, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + limit;
    loop {
        let v = s
            .client
            .execute(script, vec![])
            .await
            .unwrap_or(Value::Null);
        if done(&v) || Instant::now() > deadline {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

const READ_TABLE: &str = r#"
const panel = document.querySelector('.live-panel');
const summary = document.querySelector('[data-live-total]');
return {
  state: panel ? panel.dataset.liveState : null,
  agree: summary ? Number(summary.dataset.liveAgree) : null,
  total: summary ? Number(summary.dataset.liveTotal) : null,
  error: (document.querySelector('.live-panel [role=alert]') || {}).textContent || null,
  rows: [...document.querySelectorAll('.live-table tr[data-outcome]')].map(tr => ({
    request: Number(tr.dataset.request),
    outcome: tr.dataset.outcome,
    agree: tr.dataset.agree === 'true',
    simulated: tr.dataset.simulated,
    observed: tr.dataset.observed,
  })),
  errors: window.__crumbtrailErrors || ['page script did not run'],
};
"#;

/// Every preset, and two with navigations and an iframe load in place of the script
/// requests (the popup window and the hidden iframe of the app).
fn cases() -> Vec<(String, Scenario)> {
    let mut out: Vec<(String, Scenario)> = presets::all()
        .into_iter()
        .map(|p| (format!("preset/{}", p.id), p.scenario))
        .collect();
    for id in ["article-refined", "localhost-vs-127"] {
        let mut s = presets::by_id(id).expect("preset").scenario;
        s.requests[0].client = Client::Navigation {
            form: NavigationForm::FormPost,
        };
        s.requests[0].headers.clear();
        s.requests[0].body = BodyKind::UrlEncoded;
        s.requests[1].client = Client::Navigation {
            form: NavigationForm::Link,
        };
        let mut frame = s.requests[1].clone();
        frame.client = Client::Iframe;
        s.requests.push(frame);
        out.push((format!("navigations/{id}"), s));
    }
    out.extend(flow_cases());
    // `CRUMBTRAIL_LIVE_CASES=laravel` runs only the cases whose name contains it.
    if let Ok(only) = std::env::var("CRUMBTRAIL_LIVE_CASES") {
        out.retain(|(case, _)| case.contains(only.as_str()));
    }
    out
}

/// Multi-page flows and visits, run by the app's live mode: visits through the lab's
/// launch page, requests from the current document by the document in the popup window.
fn flow_cases() -> Vec<(String, Scenario)> {
    let route = |path: &str, headers: &str| RawRoute {
        method: "*".into(),
        path: path.into(),
        preflight: RawResponse::default(),
        response: RawResponse {
            status: 200,
            headers: headers.into(),
        },
        ..RawRoute::default()
    };
    let req = |url: &str, client: Client, runs_from: RunsFrom| RequestSpec {
        url: url.into(),
        method: "GET".into(),
        client,
        runs_from,
        ..RequestSpec::default()
    };
    let link = Client::Navigation {
        form: NavigationForm::Link,
    };
    let page = |url: &str| Page {
        url: url.into(),
        top_level_url: None,
        local_network: Default::default(),
        storage_access: Default::default(),
    };
    // A visit sends the Strict cookie a link from another site holds back.
    let visit = Scenario {
        page: page("http://localhost:3000/"),
        requests: vec![
            req("http://127.0.0.1:3001/set", Client::Visit, RunsFrom::Page),
            req("http://127.0.0.1:3001/use", link, RunsFrom::Page),
            req("http://127.0.0.1:3001/use", Client::Visit, RunsFrom::Page),
        ],
        server: ServerSetup::Raw(RawServer {
            routes: vec![
                route(
                    "/set",
                    "Set-Cookie: vs=1; SameSite=Strict\nSet-Cookie: vl=1; SameSite=Lax",
                ),
                route("*", ""),
            ],
        }),
        ..Scenario::default()
    };
    // Sign in on another site, come back with a GET form, then the SPA calls its API.
    let mut post = req("http://auth.other.test/session", link, RunsFrom::Current);
    post.client = Client::Navigation {
        form: NavigationForm::FormPost,
    };
    post.method = "POST".into();
    post.fields = "user=ada".into();
    let mut back = req("http://app.example.test/callback", link, RunsFrom::Current);
    back.client = Client::Navigation {
        form: NavigationForm::FormGet,
    };
    back.fields = "code=xyz".into();
    let include = Client::Fetch {
        mode: RequestMode::Cors,
        credentials: CredentialsMode::Include,
        redirect: RedirectMode::Follow,
    };
    let sso = Scenario {
        page: page("http://app.example.test/"),
        requests: vec![
            req("http://app.example.test/home", Client::Visit, RunsFrom::Page),
            req("http://auth.other.test/login", link, RunsFrom::Current),
            post,
            back,
            req("http://api.example.test/me", include, RunsFrom::Current),
        ],
        server: ServerSetup::Raw(RawServer {
            routes: vec![
                route("/home", "Set-Cookie: pref=1; SameSite=Strict"),
                route("/session", "Set-Cookie: auth=1; SameSite=Lax"),
                route(
                    "/me",
                    "Access-Control-Allow-Origin: http://app.example.test\nAccess-Control-Allow-Credentials: true",
                ),
                route("*", ""),
            ],
        }),
        ..Scenario::default()
    };
    vec![("flows/visit".into(), visit), ("flows/sso".into(), sso)]
}

/// Every navigation and visit reported the document it loaded in the popup window: a
/// failure otherwise. Prints the rows with `CRUMBTRAIL_LIVE_VERBOSE`.
fn documents_compared(case: &str, scenario: &Scenario, rows: &[Value]) -> Option<String> {
    if std::env::var_os("CRUMBTRAIL_LIVE_VERBOSE").is_some() {
        for r in rows {
            println!(
                "    [{case}] request {} {}: {} / {}",
                r["request"], r["outcome"], r["simulated"], r["observed"]
            );
        }
    }
    let documents = rows.iter().filter(|r| r["outcome"] == "document").count();
    let navigations = scenario
        .requests
        .iter()
        .filter(|r| r.client.is_top_level_navigation())
        .count();
    (documents != navigations)
        .then(|| format!("{case}: {documents} documents compared for {navigations} navigations"))
}

struct Report {
    label: String,
    presets: usize,
    agree: usize,
    total: usize,
    known: Vec<String>,
    failures: Vec<String>,
    /// Runs whose page says a real framework answered (not the model).
    real_answers: usize,
}

async fn run_presets(browser: Browser, ports: LabPorts, only: &'static str) -> Report {
    let s = Session::start(browser, true).await;
    let known = known::known_differences();
    let ua = s
        .client
        .execute("return navigator.userAgent", vec![])
        .await
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    let version = ua
        .split(['/', ' '])
        .skip_while(|p| !p.ends_with("Chrome") && *p != "Firefox")
        .nth(1)
        .and_then(|v| v.split('.').next())
        .unwrap_or("?")
        .to_string();
    let label = match browser {
        Browser::Chromium => {
            format!("Chromium {version} (third-party cookies blocked, profile chrome-no3pc)")
        }
        Browser::Firefox => format!("Firefox {version} ESR (profile firefox)"),
        Browser::WebKitGtk => "WebKitGTK MiniBrowser (profile webkitgtk)".to_string(),
    };
    let mut report = Report {
        label,
        presets: 0,
        agree: 0,
        total: 0,
        known: Vec::new(),
        failures: Vec::new(),
        real_answers: 0,
    };
    for (case, scenario) in cases().into_iter().filter(|(c, _)| c.starts_with(only)) {
        let mut scenario = scenario;
        scenario.profile = profile(browser);
        let origin = if scenario.page.url.starts_with("https:") {
            format!(
                "https://localhost:{}",
                ports.https_app.expect("lab HTTPS port")
            )
        } else {
            format!("http://localhost:{}", ports.app)
        };
        let url = format!("{origin}/?{}", encode(&scenario, &View::default()));
        s.client
            .goto(&url)
            .await
            .unwrap_or_else(|e| panic!("{browser:?}: cannot load {url}: {e}"));
        let state = poll(
            &s,
            "const p = document.querySelector('[data-ready=true] .live-panel'); return p ? p.dataset.liveState : null;",
            Duration::from_secs(20),
            |v| v.as_str().is_some_and(|s| s != "checking"),
        )
        .await;
        if state != "ready" {
            report
                .failures
                .push(format!("{case}: live mode is not ready (state {state})"));
            continue;
        }
        let blockers = s
            .client
            .execute(
                "return [...document.querySelectorAll('[data-live-blocker]')].map(e => e.textContent);",
                vec![],
            )
            .await
            .unwrap_or(Value::Null);
        if blockers.as_array().is_some_and(|b| !b.is_empty()) {
            // A refusal the known-differences file lists (outcome `run live`) is
            // reported with its reason; any other is a failure.
            let line = format!("{case}: the page refuses to run it live: {blockers}");
            match known.iter().find(|k| {
                k.outcome == "run live" && k.covers(config_key(browser), &case, 0, "run live")
            }) {
                Some(k) => report.known.push(format!("{line} — known: {}", k.reason)),
                None => report.failures.push(line),
            }
            continue;
        }
        s.client
            .find(Locator::Css("[data-live-run]"))
            .await
            .expect("the Run live button")
            .click()
            .await
            .expect("click Run live");
        let t = poll(&s, READ_TABLE, Duration::from_secs(30), |v| {
            matches!(v["state"].as_str(), Some("done" | "failed"))
        })
        .await;
        if t["state"] != "done" {
            report.failures.push(format!(
                "{case}: the run did not finish (state {}, {})",
                t["state"], t["error"]
            ));
            continue;
        }
        if std::env::var_os("CRUMBTRAIL_LIVE_DEBUG").is_some() {
            eprintln!("{case}: {t:#}");
        }
        let rows = t["rows"].as_array().cloned().unwrap_or_default();
        let total = t["total"].as_u64().unwrap_or(0) as usize;
        if rows.is_empty() || rows.len() != total {
            report.failures.push(format!(
                "{case}: the comparison table has {} rows for a total of {total}",
                rows.len()
            ));
            continue;
        }
        // It ran: the lab saw at least one of the scenario's requests.
        let seen = rows
            .iter()
            .any(|r| r["outcome"] == "request" && r["observed"] == "yes");
        // WebKitGTK blocks http://localhost from an https page as mixed content (Chromium and
        // Firefox count localhost as potentially trustworthy), so a preset such as
        // hosted-front-end-localhost-api reaches no server there: when the simulation also
        // says no request is sent, the agreeing rows are the proof that it ran.
        let none_predicted = browser == Browser::WebKitGtk
            && rows
                .iter()
                .filter(|r| r["outcome"] == "request")
                .all(|r| r["simulated"] == "no" && r["agree"] == true);
        if !seen && !none_predicted {
            report
                .failures
                .push(format!("{case}: the lab saw none of the requests"));
        }
        report
            .failures
            .extend(documents_compared(&case, &scenario, &rows));
        if let Some(errors) = t["errors"].as_array().filter(|e| !e.is_empty()) {
            report
                .failures
                .push(format!("{case}: page errors {errors:?}"));
        }
        report.presets += 1;
        let real = s
            .client
            .execute(
                "return document.querySelector('.live-panel').textContent.includes('answered by the real');",
                vec![],
            )
            .await
            .unwrap_or(Value::Bool(false));
        if real == Value::Bool(true) {
            report.real_answers += 1;
        }
        for r in rows {
            report.total += 1;
            if r["agree"] == true {
                report.agree += 1;
                continue;
            }
            let request = r["request"].as_u64().unwrap_or(u64::MAX) as usize;
            let outcome = r["outcome"].as_str().unwrap_or_default();
            let line = format!(
                "{case} request {request} {outcome}: simulated {}, observed {}",
                r["simulated"], r["observed"]
            );
            match known
                .iter()
                .find(|k| k.covers(config_key(browser), &case, request, outcome))
            {
                Some(k) => report.known.push(format!("{line} — known: {}", k.reason)),
                None => report.failures.push(format!("MISMATCH {line}")),
            }
        }
    }
    s.close().await;
    report
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_live_works_for_every_preset() {
    if !support::enabled("run_live_works_for_every_preset") {
        return;
    }
    let lab = crumbtrail_lab::start(crumbtrail_lab::LabConfig {
        dist: Some(support::dist()),
        app_port: 0,
        api_port: 0,
        https: true,
        https_app_port: 0,
        https_api_port: 0,
        ..Default::default()
    })
    .await
    .expect("start the lab");
    let started = Instant::now();
    let tasks: Vec<_> = Browser::ALL
        .into_iter()
        .map(|b| tokio::spawn(run_presets(b, lab.ports.clone(), "")))
        .collect();
    let mut failed = Vec::new();
    println!();
    for t in tasks {
        let r = t.await.expect("browser task");
        println!(
            "Run live, {}: {} presets and variants, {}/{} observables agree ({} known differences)",
            r.label,
            r.presets,
            r.agree,
            r.total,
            r.known.len()
        );
        for k in &r.known {
            println!("    known   {k}");
        }
        for f in &r.failures {
            println!("    FAILED  {f}");
        }
        failed.extend(r.failures);
    }
    println!("(live presets: {:.1}s)", started.elapsed().as_secs_f64());
    assert!(
        failed.is_empty(),
        "Run live failed or disagreed for some presets: {failed:#?}"
    );
}

/// `./dev serve --real`: the Express and Django presets run live against the
/// real framework (the generated `app.js` under Node, the generated Django
/// project under runserver) instead of the model; the browser's outcome must
/// still agree with the simulation.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_live_against_the_real_frameworks() {
    if !support::enabled("run_live_against_the_real_frameworks") {
        return;
    }
    let Some(dir) = std::env::var_os("CRUMBTRAIL_REAL_FRAMEWORKS") else {
        panic!("set CRUMBTRAIL_REAL_FRAMEWORKS to the directory holding express-4/, express-5/, django-4.2/ and django-5.2/ (./dev test does)");
    };
    let lab = crumbtrail_lab::start(crumbtrail_lab::LabConfig {
        dist: Some(support::dist()),
        app_port: 0,
        api_port: 0,
        https: true,
        https_app_port: 0,
        https_api_port: 0,
        real: Some(crumbtrail_lab::real::RealFrameworks { dir: dir.into() }),
        ..Default::default()
    })
    .await
    .expect("start the lab");
    let mut failed = Vec::new();
    println!();
    for (framework, prefix) in [("Express", "preset/express"), ("Django", "preset/django")] {
        for b in Browser::ALL {
            let r = run_presets(b, lab.ports.clone(), prefix).await;
            assert!(
                r.presets >= 2,
                "{}: only {} {framework} presets ran",
                r.label,
                r.presets
            );
            assert_eq!(
                r.real_answers, r.presets,
                "{}: every run says the real {framework} answered",
                r.label
            );
            println!(
                "Run live against the real {framework}, {}: {} presets, {}/{} observables agree ({} known differences)",
                r.label,
                r.presets,
                r.agree,
                r.total,
                r.known.len()
            );
            for f in &r.failures {
                println!("    FAILED  {f}");
            }
            failed.extend(r.failures);
        }
    }
    assert!(
        failed.is_empty(),
        "the real framework disagreed: {failed:#?}"
    );
}
