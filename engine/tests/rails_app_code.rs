//! The app as code: `config/application.rb` lines for the app-wide cookie settings,
//! `config/routes.rb` and the controller its routes run, and cors.rb's `use Rack::Cors`.

use crumbtrail_engine::codegen::{app_code, cors_rb, parse_cors_rb_with_position};
use crumbtrail_engine::server::rails::*;

#[test]
fn application_rb_and_routes() {
    let mut app = RailsApp {
        cookies_same_site_protection: SameSiteProtection::None,
        ssl_secure_cookies: false,
        always_write_cookie: Some(true),
        tld_length: 2,
        controller_cookies: true,
        ..RailsApp::default()
    };
    let mut theme = AppRoute::new("POST", "/prefs", AppAction::SetCookie);
    theme.cookie.secure = Some(true);
    theme.cookie.same_site = SameSiteOption::None;
    theme.cookie.domain = DomainOption::All {
        tld_length: Some(2),
    };
    let mut other_theme = AppRoute::new("PUT", "/prefs", AppAction::SetCookie);
    other_theme.cookie.value = "light".into();
    let mut me = AppRoute::new("GET", "me", AppAction::Me);
    me.vary = Some("Accept-Encoding".into());
    app.routes = vec![
        AppRoute::new("GET", "/login", AppAction::Login),
        AppRoute::new("DELETE", "/logout", AppAction::Logout),
        me,
        theme,
        other_theme,
        AppRoute::new("*", "/boom", AppAction::Raise),
    ];
    let code = app_code(&app).code;
    let expected = r#"# config/application.rb (inside `class Application < Rails::Application`)
    config.action_dispatch.cookies_same_site_protection = :none
    config.ssl_options = { secure_cookies: false }
    config.action_dispatch.always_write_cookie = true
    config.action_dispatch.tld_length = 2

# config/routes.rb
Rails.application.routes.draw do
  get "/login", to: "app#login"
  delete "/logout", to: "app#logout"
  get "/me", to: "app#me"
  post "/prefs", to: "app#set_theme"
  put "/prefs", to: "app#set_theme_5"
  match "/boom", to: "app#boom", via: :all
end

# app/controllers/application_controller.rb
class ApplicationController < ActionController::API
  include ActionController::Cookies
end

# app/controllers/app_controller.rb
class AppController < ApplicationController
  def login
    session[:user_id] = 1
    render json: { user_id: 1 }
  end
  def logout
    reset_session
    render json: {}
  end
  def me
    response.headers["Vary"] = 'Accept-Encoding'
    if session[:user_id]
      render json: { user_id: session[:user_id] }
    else
      render json: { error: "unauthorized" }, status: :unauthorized
    end
  end
  def set_theme
    cookies['theme'] = { value: 'dark', domain: :all, tld_length: 2, secure: true, same_site: :none }
    render json: {}
  end
  def set_theme_5
    cookies['theme'] = { value: 'light' }
    render json: {}
  end
  def boom
    raise "boom"
  end
end
"#;
    assert_eq!(code, expected);
    // The default app needs none of it.
    assert_eq!(app_code(&RailsApp::default()).code, "");
}

// `config.middleware.use Rack::Cors` (rack-cors last) and `insert_after X, Rack::Cors` (behind a
// middleware that answers first) both read back to their position.
#[test]
fn cors_rb_position_reads_back() {
    for pos in [
        CorsPosition::First,
        CorsPosition::AfterAnsweringMiddleware,
        CorsPosition::Last,
    ] {
        let app = RailsApp {
            cors_position: pos,
            ..RailsApp::default()
        };
        let text = cors_rb(&app);
        let (cfg, back) = parse_cors_rb_with_position(&text).unwrap();
        assert_eq!(back, pos, "{text}");
        assert_eq!(cfg, app.cors);
    }
    let (_, pos) = parse_cors_rb_with_position(
        "Rails.application.config.middleware.use Rack::Cors do\n  allow do\n    origins '*'\n    resource '*'\n  end\nend\n",
    )
    .unwrap();
    assert_eq!(pos, CorsPosition::Last);
}
