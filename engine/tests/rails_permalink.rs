//! Permalink keys of the Rails app as users write it: `routeN…`, the app-wide cookie settings
//! and `cors.pos=last`; old links (no such keys) decode to the app they always showed.

use crumbtrail_engine::permalink::{decode, encode, View};
use crumbtrail_engine::scenario::{Scenario, ServerSetup};
use crumbtrail_engine::server::rails::*;
use crumbtrail_engine::simulate;

fn rails(s: &Scenario) -> &RailsApp {
    match &s.server {
        ServerSetup::Rails(a) => a,
        _ => panic!("rails expected"),
    }
}

fn with_app(f: impl Fn(&mut RailsApp)) -> Scenario {
    let mut s = Scenario::default();
    if let ServerSetup::Rails(a) = &mut s.server {
        f(a);
    }
    s
}

#[test]
fn every_new_key_round_trips() {
    let s = with_app(|a| {
        a.cors_position = CorsPosition::Last;
        a.cookies_same_site_protection = SameSiteProtection::None;
        a.ssl_secure_cookies = false;
        a.always_write_cookie = Some(false);
        a.tld_length = 2;
        a.controller_cookies = true;
        let mut cookie = AppRoute::new("POST", "/prefs", AppAction::SetCookie);
        cookie.cookie = PlainCookie {
            name: "cart id".into(),
            value: "a=b&c".into(),
            domain: DomainOption::All {
                tld_length: Some(2),
            },
            path: Some("/shop".into()),
            secure: Some(true),
            httponly: Some(false),
            same_site: SameSiteOption::Nil,
            expires: Some(3600),
        };
        cookie.vary = Some("Accept-Encoding".into());
        a.routes = vec![
            AppRoute::new("GET", "/login", AppAction::Login),
            AppRoute::new("delete", "/logout", AppAction::Logout),
            AppRoute::new("*", "/api/me", AppAction::Me),
            cookie,
            AppRoute::new("GET", "", AppAction::Raise),
        ];
    });
    let link = encode(&s, &View::default());
    for key in [
        "cors.pos=last",
        "same_site_protection=none",
        "secure_cookies=0",
        "always_write=0",
        "tld_length=2",
        "controller_cookies=1",
        "route1=GET+/login+login",
        "route2=delete+/logout+logout",
        "route4.cookie=cart+id%3Da%3Db%26c",
        "route4.domain=:all/2",
        "route4.same_site=nil",
        "route4.vary=Accept-Encoding",
    ] {
        assert!(link.contains(key), "{key} in {link}");
    }
    let back = decode(&link);
    assert!(back.notices.is_empty(), "{:?}", back.notices);
    assert_eq!(back.scenario, s);
}

// Links written before routes existed have none of these keys: they decode to the two-action
// app with today's defaults, and simulate exactly as that app.
#[test]
fn old_links_keep_the_default_app() {
    for link in [
        "?v=1",
        "?v=1&b1.origins=http://localhost:3000&b1.r1.cred=1",
        "?v=1&cors.pos=after&login=/session",
    ] {
        let d = decode(link);
        assert!(d.notices.is_empty(), "{link}: {:?}", d.notices);
        let app = rails(&d.scenario);
        assert!(app.routes.is_empty());
        assert_eq!(
            app.cookies_same_site_protection,
            SameSiteProtection::FromLoadDefaults
        );
        assert!(app.ssl_secure_cookies);
        assert_eq!(app.always_write_cookie, None);
        assert_eq!(app.tld_length, 1);
        assert_eq!(
            encode(&d.scenario, &View::default()),
            link.trim_start_matches('?')
        );
        let t = simulate(&d.scenario);
        assert!(t
            .steps
            .iter()
            .all(|s| s.reason != crumbtrail_engine::Reason::RouteMatched));
    }
    assert_eq!(
        rails(&decode("?v=1&cors.pos=after").scenario).cors_position,
        CorsPosition::AfterAnsweringMiddleware
    );
}

#[test]
fn bad_values_are_notices() {
    for (link, fragment) in [
        ("?v=1&route1=GET+/x+dance", "route1=GET /x dance"),
        ("?v=1&route1=FETCH+/x+me", "route1=FETCH /x me"),
        ("?v=1&route1.cookie=novalue", "route1.cookie=novalue"),
        ("?v=1&tld_length=0", "tld_length=0"),
        (
            "?v=1&same_site_protection=loose",
            "same_site_protection=loose",
        ),
        ("?v=1&route21=GET+/x+me", "route21"),
    ] {
        let d = decode(link);
        assert!(
            d.notices.iter().any(|n| n.contains(fragment)),
            "{link}: {:?}",
            d.notices
        );
    }
}
