//! The app around cors.rb and the session store, as code: the
//! `config/application.rb` lines of the app-wide cookie settings, and for an
//! app with routes, `config/routes.rb` with the controller its routes run.
//! (Only cors.rb and the session store are read back; these are for reading.)

use crate::explain::codegen::{ruby_str, Generated};
use crate::server::rails::{
    AppAction, AppRoute, DomainOption, PlainCookie, RailsApp, SameSiteOption, SameSiteProtection,
};

/// `config/application.rb` lines for the settings that differ from Rails'
/// defaults; empty when none do.
pub fn application_rb_lines(app: &RailsApp) -> Vec<String> {
    let mut l = Vec::new();
    let protection = match app.cookies_same_site_protection {
        SameSiteProtection::FromLoadDefaults => None,
        SameSiteProtection::Lax => Some(":lax"),
        SameSiteProtection::Strict => Some(":strict"),
        SameSiteProtection::None => Some(":none"),
        SameSiteProtection::Nil => Some("nil"),
    };
    if let Some(p) = protection {
        l.push(format!(
            "config.action_dispatch.cookies_same_site_protection = {p}"
        ));
    }
    if !app.ssl_secure_cookies {
        l.push("config.ssl_options = { secure_cookies: false }".into());
    }
    if let Some(b) = app.always_write_cookie {
        l.push(format!("config.action_dispatch.always_write_cookie = {b}"));
    }
    if app.tld_length != 1 {
        l.push(format!(
            "config.action_dispatch.tld_length = {}",
            app.tld_length
        ));
    }
    l
}

/// `cookies[:name] = { ... }` as Ruby.
fn cookie_write(c: &PlainCookie) -> String {
    let mut o = vec![format!("value: {}", ruby_str(&c.value))];
    match &c.domain {
        DomainOption::Unset => {}
        DomainOption::Exact(d) => o.push(format!("domain: {}", ruby_str(d))),
        DomainOption::All { tld_length } => {
            o.push("domain: :all".into());
            if let Some(n) = tld_length {
                o.push(format!("tld_length: {n}"));
            }
        }
        DomainOption::List(l) => {
            let items: Vec<String> = l.iter().map(|d| ruby_str(d)).collect();
            o.push(format!("domain: [{}]", items.join(", ")));
        }
    }
    if let Some(p) = &c.path {
        o.push(format!("path: {}", ruby_str(p)));
    }
    if let Some(b) = c.secure {
        o.push(format!("secure: {b}"));
    }
    if let Some(b) = c.httponly {
        o.push(format!("httponly: {b}"));
    }
    match c.same_site {
        SameSiteOption::Unset => {}
        SameSiteOption::Lax => o.push("same_site: :lax".into()),
        SameSiteOption::Strict => o.push("same_site: :strict".into()),
        SameSiteOption::None => o.push("same_site: :none".into()),
        SameSiteOption::Nil => o.push("same_site: nil".into()),
    }
    if let Some(s) = c.expires {
        o.push(format!("expires: {s}.seconds"));
    }
    format!("cookies[{}] = {{ {} }}", ruby_str(&c.name), o.join(", "))
}

/// The body of one action, indented for the controller.
fn action_body(route: &AppRoute) -> Vec<String> {
    let mut b = Vec::new();
    if let Some(v) = route.vary.as_deref().filter(|v| !v.trim().is_empty()) {
        b.push(format!(
            "response.headers[\"Vary\"] = {}",
            ruby_str(v.trim())
        ));
    }
    match route.action {
        AppAction::Login => {
            b.push("session[:user_id] = 1".into());
            b.push("render json: { user_id: 1 }".into());
        }
        AppAction::Logout => {
            b.push("reset_session".into());
            b.push("render json: {}".into());
        }
        AppAction::Me => {
            b.push("if session[:user_id]".into());
            b.push("  render json: { user_id: session[:user_id] }".into());
            b.push("else".into());
            b.push("  render json: { error: \"unauthorized\" }, status: :unauthorized".into());
            b.push("end".into());
        }
        AppAction::SetCookie => {
            b.push(cookie_write(&route.cookie));
            b.push("render json: {}".into());
        }
        AppAction::Raise => b.push("raise \"boom\"".into()),
    }
    b
}

/// The controller method of each route: routes whose actions do the same
/// share one; another action under a taken name gets the route's number.
fn method_names(routes: &[AppRoute]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for (i, r) in routes.iter().enumerate() {
        let m = r.controller_method();
        let same = routes[..i]
            .iter()
            .zip(&names)
            .find(|(_, n)| **n == m)
            .map(|(prev, _)| action_body(prev) == action_body(r));
        names.push(match same {
            Some(false) => format!("{m}_{}", i + 1),
            _ => m,
        });
    }
    names
}

/// `config/routes.rb` and `app/controllers/app_controller.rb` for the routes.
fn routes_and_controller(app: &RailsApp) -> String {
    let names = method_names(&app.routes);
    let mut s = String::from("# config/routes.rb\nRails.application.routes.draw do\n");
    for (r, m) in app.routes.iter().zip(&names) {
        s.push_str(&format!("  {}\n", r.ruby_line_to(m)));
    }
    s.push_str("end\n\n");
    if app.api_only {
        s.push_str("# app/controllers/application_controller.rb\nclass ApplicationController < ActionController::API\n");
        if app.controller_cookies {
            s.push_str("  include ActionController::Cookies\n");
        }
        s.push_str("end\n\n");
    }
    s.push_str(
        "# app/controllers/app_controller.rb\nclass AppController < ApplicationController\n",
    );
    let mut seen: Vec<&String> = Vec::new();
    for (r, m) in app.routes.iter().zip(&names) {
        if seen.contains(&m) {
            continue;
        }
        s.push_str(&format!("  def {m}\n"));
        for line in action_body(r) {
            s.push_str(&format!("    {line}\n"));
        }
        s.push_str("  end\n");
        seen.push(m);
    }
    s.push_str("end\n");
    s
}

/// The app-wide settings and, with routes, the routes and controller.
/// Empty code when the app uses neither.
pub fn app_code(app: &RailsApp) -> Generated {
    let mut code = String::new();
    let lines = application_rb_lines(app);
    if !lines.is_empty() {
        code.push_str(
            "# config/application.rb (inside `class Application < Rails::Application`)\n",
        );
        for l in lines {
            code.push_str(&format!("    {l}\n"));
        }
    }
    if !app.routes.is_empty() {
        if !code.is_empty() {
            code.push('\n');
        }
        code.push_str(&routes_and_controller(app));
    }
    Generated {
        code,
        left_out: Vec::new(),
    }
}
