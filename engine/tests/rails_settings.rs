//! App-wide settings that shape every cookie: `cookies_same_site_protection`,
//! `ssl_options = { secure_cookies: false }`, `always_write_cookie`, the app-wide `tld_length`,
//! and what released Rails' forgery protection looks at.

mod rails_common;
use rails_common::*;

use crumbtrail_engine::server::rails::*;
use crumbtrail_engine::trace::Reason;

const O: &str = "http://localhost:3000";
const API: &str = "http://localhost:3001";

fn app(v: RailsVersion) -> RailsApp {
    let mut app = app61(cors(
        &[O],
        CorsResource {
            credentials: true,
            ..CorsResource::default()
        },
    ));
    app.version = v;
    app.load_defaults = v.max_load_defaults();
    app.session = SessionStoreConfig {
        key: Some("_k".into()),
        ..SessionStoreConfig::default()
    };
    app.routes = vec![
        AppRoute::new("POST", "/login", AppAction::Login),
        AppRoute::new("POST", "/prefs", AppAction::SetCookie),
    ];
    app
}

fn post(app: &RailsApp, url: &str) -> Option<String> {
    set_cookie(&respond(app, &req("POST", url, &[("Origin", O)])))
}

// `railties/lib/rails/application.rb` puts `coerce_same_site_protection(config.action_dispatch.
// cookies_same_site_protection)` in the env; the session store's DEFAULT_SAME_SITE proc
// (`session/cookie_store.rb`) and CookieJar#handle_options both call it for a cookie that names
// no SameSite; `load_defaults "6.1"` sets it to :lax (`application/configuration.rb`).
#[test]
fn cookies_same_site_protection_is_the_default_for_both_cookies() {
    use SameSiteProtection as P;
    let table: &[(P, LoadDefaults, SameSiteOption, &str)] = &[
        (
            P::FromLoadDefaults,
            LoadDefaults::V8_0,
            SameSiteOption::Unset,
            "; samesite=lax",
        ),
        (
            P::FromLoadDefaults,
            LoadDefaults::V6_0,
            SameSiteOption::Unset,
            "",
        ),
        (
            P::None,
            LoadDefaults::V8_0,
            SameSiteOption::Unset,
            "; samesite=none",
        ),
        (
            P::Strict,
            LoadDefaults::V6_0,
            SameSiteOption::Unset,
            "; samesite=strict",
        ),
        (P::Nil, LoadDefaults::V8_0, SameSiteOption::Unset, ""),
        (
            P::None,
            LoadDefaults::V8_0,
            SameSiteOption::Lax,
            "; samesite=lax",
        ),
        // Rails 8: an explicit nil means no attribute, whatever the app-wide value.
        (P::Strict, LoadDefaults::V8_0, SameSiteOption::Nil, ""),
    ];
    for (prot, ld, own, tail) in table {
        let mut a = app(RailsVersion::V8);
        a.load_defaults = *ld;
        a.cookies_same_site_protection = *prot;
        a.session.same_site = *own;
        a.routes[1].cookie.same_site = *own;
        let session = post(&a, &format!("{API}/login")).unwrap();
        assert_eq!(
            session,
            format!("_k=sess-1; path=/; httponly{tail}"),
            "{prot:?} {ld:?} {own:?}"
        );
        let plain = post(&a, &format!("{API}/prefs")).unwrap();
        assert_eq!(
            plain,
            format!("theme=dark; path=/{tail}"),
            "{prot:?} {ld:?} {own:?}"
        );
    }
    // Before 7.1 an explicit nil falls back to the app-wide value (`||=`).
    let mut a = app(RailsVersion::V7_0);
    a.cookies_same_site_protection = P::Strict;
    a.session.same_site = SameSiteOption::Nil;
    let session = post(&a, &format!("{API}/login")).unwrap();
    assert_eq!(session, "_k=sess-1; path=/; HttpOnly; SameSite=Strict");
}

// `default_middleware_stack.rb`: `if config.force_ssl && config.ssl_options.fetch(:secure_cookies,
// true) && !config.session_options.key?(:secure)` → session `secure: true` (full apps);
// `ActionDispatch::SSL#call`: `flag_cookies_as_secure! headers if @secure_cookies` on SSL requests.
#[test]
fn ssl_options_secure_cookies_false() {
    let https = "https://localhost:3001";
    let table: &[(bool, bool, &str, &str)] = &[
        (
            false,
            true,
            "_k=sess-1; path=/; secure; httponly; samesite=lax",
            "theme=dark; path=/; samesite=lax; secure",
        ),
        (
            false,
            false,
            "_k=sess-1; path=/; httponly; samesite=lax",
            "theme=dark; path=/; samesite=lax",
        ),
        // API-only: the session options get no `secure`; the SSL middleware appends it.
        (
            true,
            true,
            "_k=sess-1; path=/; httponly; samesite=lax; secure",
            "theme=dark; path=/; samesite=lax; secure",
        ),
        (
            true,
            false,
            "_k=sess-1; path=/; httponly; samesite=lax",
            "theme=dark; path=/; samesite=lax",
        ),
    ];
    for (api, secure_cookies, session, plain) in table {
        let mut a = app(RailsVersion::V8);
        a.force_ssl = true;
        a.api_only = *api;
        a.controller_cookies = true;
        a.ssl_secure_cookies = *secure_cookies;
        assert_eq!(
            post(&a, &format!("{https}/login")).as_deref(),
            Some(*session),
            "{api} {secure_cookies}"
        );
        assert_eq!(
            post(&a, &format!("{https}/prefs")).as_deref(),
            Some(*plain),
            "{api} {secure_cookies}"
        );
    }
}

// `config.action_dispatch.always_write_cookie` (default `Rails.env.development?`,
// `action_dispatch/railtie.rb`) lets a plain `secure: true` cookie out over http; it never helps
// the session cookie, whose commit Rack's `security_matches?` skips first.
#[test]
fn always_write_cookie() {
    let table: &[(Environment, Option<bool>, bool)] = &[
        (Environment::Development, None, true),
        (Environment::Production, None, false),
        (Environment::Production, Some(true), true),
        (Environment::Development, Some(false), false),
    ];
    for (env, setting, written) in table {
        let mut a = app(RailsVersion::V8);
        a.environment = *env;
        a.always_write_cookie = *setting;
        a.session.secure = Some(true);
        a.routes[1].cookie.secure = Some(true);
        assert_eq!(
            post(&a, &format!("{API}/prefs")).is_some(),
            *written,
            "{env:?} {setting:?}"
        );
        let r = respond(&a, &req("POST", &format!("{API}/login"), &[("Origin", O)]));
        assert_eq!(set_cookie(&r), None);
        assert!(has(&r, Reason::SessionNotWrittenInsecure));
    }
}

// `cookies.rb` handle_options computes `domain: :all` from `options[:tld_length]` only; the
// app-wide `config.action_dispatch.tld_length` shapes `request.domain`/subdomains, not cookies
// (also seen in a real 6.1 app, domain notes §F).
#[test]
fn app_wide_tld_length_does_not_reach_cookies() {
    let url = "http://app.example.com";
    let table: &[(u8, Option<u8>, &str, bool)] = &[
        (1, None, "domain=example.com", false),
        (3, None, "domain=example.com", true),
        (3, Some(3), "domain=app.example.com", false),
    ];
    for (app_wide, own, domain, warned) in table {
        let mut a = app(RailsVersion::V8);
        a.tld_length = *app_wide;
        a.session.domain = DomainOption::All { tld_length: *own };
        a.routes[1].cookie.domain = DomainOption::All { tld_length: *own };
        for path in ["/login", "/prefs"] {
            let r = respond(&a, &req("POST", &format!("{url}{path}"), &[("Origin", O)]));
            assert!(
                set_cookie(&r).unwrap().contains(domain),
                "{app_wide} {own:?} {path}"
            );
            assert_eq!(
                has(&r, Reason::TldLengthIgnored),
                *warned,
                "{app_wide} {own:?} {path}"
            );
        }
    }
}

// Header-based CSRF (`protect_from_forgery using: :header_only`, `Sec-Fetch-Site`) is not in any
// released Rails: actionpack's request_forgery_protection.rb has it only on main (8.2.0.alpha);
// v8.1.3.1's `verified_request?` is `get? || head? || !protect_against_forgery? ||
// (valid_request_origin? && any_authenticity_token_valid?)`. So a same-origin browser POST
// without a token is still refused, whatever `Sec-Fetch-Site` says.
#[test]
fn released_rails_ignores_sec_fetch_site() {
    let mut a = app(RailsVersion::V8);
    a.csrf_protection = true;
    for site in ["same-origin", "same-site", "cross-site"] {
        let r = respond(
            &a,
            &req(
                "POST",
                &format!("{API}/login"),
                &[("Origin", O), ("Sec-Fetch-Site", site)],
            ),
        );
        assert_eq!(r.response.status, 422, "{site}");
        assert!(has(&r, Reason::CsrfRejected));
    }
    // A same-origin POST with the token passes (the model takes any token as valid).
    let r = respond(
        &a,
        &req(
            "POST",
            &format!("{API}/login"),
            &[
                ("Origin", API),
                ("Sec-Fetch-Site", "same-origin"),
                ("X-CSRF-Token", "t"),
            ],
        ),
    );
    assert_eq!(r.response.status, 200);
}
