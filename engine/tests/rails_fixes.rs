//! The smallest settings change for the article's presets, and architectural
//! advice where no setting can work (issue: "Fixes").

use crumbtrail_engine::fixes::{architectural_advice, goal_holds, suggest_fixes};
use crumbtrail_engine::profile::ProfileId;
use crumbtrail_engine::scenario::{
    Client, CredentialsMode, RedirectMode, RequestMode, ServerSetup,
};
use crumbtrail_engine::server::rails::*;
use crumbtrail_engine::{simulate, Scenario};

fn scenario(app: RailsApp) -> Scenario {
    Scenario {
        server: ServerSetup::Rails(app),
        ..Scenario::default()
    }
}

fn fields(f: &crumbtrail_engine::fixes::Fix) -> Vec<&str> {
    f.changes.iter().map(|c| c.field.as_str()).collect()
}

fn assert_fix_works(f: &crumbtrail_engine::fixes::Fix) {
    let t = simulate(&f.scenario);
    assert!(
        goal_holds(&f.scenario, &t, true),
        "{}: {}",
        f.title,
        t.headline
    );
    if let ServerSetup::Rails(a) = &f.scenario.server {
        for b in &a.cors.allow {
            assert!(
                !(b.origins.iter().any(|o| o == "*") && b.resources.iter().any(|r| r.credentials))
            );
        }
        assert_ne!(a.session.httponly, Some(false));
    }
}

// The article's problematic cors.rb (origins '*', no credentials) with fetch include:
// the fix is its refined cors.rb — the exact origin and credentials: true, two changes.
#[test]
fn problematic_cors_fix_is_exact_origin_with_credentials() {
    let s = scenario(article::app(
        article::problematic_cors(),
        article::simple_session(),
    ));
    let fixes = suggest_fixes(&s);
    assert!(!fixes.is_empty());
    let best = &fixes[0];
    assert_eq!(
        fields(best),
        vec![
            "server.cors.allow.0.origins",
            "server.cors.allow.0.resources.0.credentials"
        ]
    );
    assert_eq!(best.changes[0].to, "'http://localhost:3000'");
    assert_eq!(best.changes[1].to, "true");
    for f in &fixes {
        assert_fix_works(f);
        assert!(f.changes.len() <= 2, "{}", f.title);
    }
}

// The refined cors.rb works as is: nothing to fix.
#[test]
fn refined_cors_needs_nothing() {
    let s = scenario(article::app(
        article::refined_cors(),
        article::simple_session(),
    ));
    assert!(suggest_fixes(&s).is_empty());
}

// The article's session store on http://localhost:3001: Rack never writes the secure cookie,
// SameSite=None needs Secure, and `.your-domain.com` does not cover localhost. The smallest fix
// changes all three (host-only, non-Secure, Lax) — never Secure dropped on https.
#[test]
fn article_session_store_on_http_localhost() {
    let s = scenario(article::app(article::refined_cors(), article::session()));
    let fixes = suggest_fixes(&s);
    assert!(!fixes.is_empty());
    let mut f = fields(&fixes[0]);
    f.sort();
    assert_eq!(
        f,
        vec![
            "server.session.domain",
            "server.session.same_site",
            "server.session.secure"
        ]
    );
    for x in &fixes {
        assert_fix_works(x);
    }
    let advice = architectural_advice(&s).join("\n");
    assert!(advice.contains("same site"), "{advice}");
    assert!(
        advice.contains("`domain: '.your-domain.com'` does not cover the API's host `localhost`"),
        "{advice}"
    );
    assert!(advice.contains("Rack never writes"), "{advice}");
}

// Over https the same store is fixed without touching `secure`.
#[test]
fn article_session_store_on_https_keeps_secure() {
    let mut s = scenario(article::app(article::refined_cors(), article::session()));
    s.page.url = "https://localhost:3000/".into();
    for r in &mut s.requests {
        r.url = r
            .url
            .replace("http://localhost:3001", "https://localhost:3001");
    }
    if let ServerSetup::Rails(a) = &mut s.server {
        a.cors.allow[0].origins = vec!["https://localhost:3000".into()];
    }
    let fixes = suggest_fixes(&s);
    assert!(!fixes.is_empty());
    assert_eq!(fields(&fixes[0]), vec!["server.session.domain"]);
    for f in &fixes {
        assert!(!fields(f).contains(&"server.session.secure"), "{}", f.title);
        assert_fix_works(f);
    }
}

// fetch without credentials (the article's question, case d): the client change.
#[test]
fn fetch_without_credentials() {
    let mut s = scenario(article::app(
        article::refined_cors(),
        article::simple_session(),
    ));
    for r in &mut s.requests {
        r.client = Client::Fetch {
            mode: RequestMode::Cors,
            credentials: CredentialsMode::SameOrigin,
            redirect: RedirectMode::Follow,
        };
    }
    let fixes = suggest_fixes(&s);
    assert_eq!(fixes[0].title, "Send cookies with every request");
    assert_eq!(
        fields(&fixes[0]),
        vec![
            "requests.0.client.credentials",
            "requests.1.client.credentials"
        ]
    );
    assert_fix_works(&fixes[0]);
}

// API-only without the session middleware (Rails 8: DisabledSessionError): add it back.
#[test]
fn api_only_without_middleware() {
    let mut app = article::app(article::refined_cors(), article::simple_session());
    app.session_middleware = SessionMiddleware::None;
    let fixes = suggest_fixes(&scenario(app));
    assert_eq!(fields(&fixes[0]), vec!["server.session_middleware"]);
    assert_fix_works(&fixes[0]);
}

// Page and API on different sites, in a profile that blocks third-party cookies: no
// setting works; the advice says so and names the architectural fixes.
#[test]
fn cross_site_with_third_party_cookies_blocked() {
    let mut app = article::app(article::refined_cors(), article::simple_session());
    app.cors.allow[0].origins = vec!["https://app.example.com".into()];
    app.session.same_site = SameSiteOption::None;
    app.session.secure = Some(true);
    let mut s = scenario(app);
    s.page.url = "https://app.example.com/".into();
    s.profile = ProfileId::ChromeNo3pc;
    for r in &mut s.requests {
        r.url = r
            .url
            .replace("http://localhost:3001", "https://api.other.test");
    }
    assert!(suggest_fixes(&s).is_empty());
    let advice = architectural_advice(&s).join("\n");
    assert!(advice.contains("different sites"), "{advice}");
    assert!(advice.contains("no server or client setting"), "{advice}");
    assert!(advice.contains("proxy"), "{advice}");
    assert!(advice.contains("api.example.com"), "{advice}");
}
