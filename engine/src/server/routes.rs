//! The app as users write it: `config/routes.rb` lines, each running one
//! controller action, and the plain `cookies[:name] = { ... }` write.
//!
//! A scenario without routes keeps the app of the first versions: `POST`
//! to the login path writes `session[:user_id]`, every other request reads it.
//! With routes, the router picks the first route whose verb and path match
//! (`actionpack/lib/action_dispatch/journey/router.rb`); a `get` route also
//! answers `HEAD`; no route is a `RoutingError`, which the exceptions
//! middleware renders as 404.

use serde::{Deserialize, Serialize};

use crate::server::rails::{DomainOption, SameSiteOption};

/// What the controller action of a route does.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppAction {
    /// `session[:user_id] = user.id; render json: user`.
    #[default]
    Login,
    /// `reset_session; render json: {}`.
    Logout,
    /// `render json: current_user` when `session[:user_id]` is set, else
    /// `head :unauthorized` as JSON (401).
    Me,
    /// `cookies[:name] = { value: ..., ... }; render json: {}`.
    SetCookie,
    /// `raise "boom"`: an exception the exceptions middleware turns into 500.
    Raise,
}

impl AppAction {
    /// Every action with its permalink and editor key.
    pub const ALL: [(&'static str, AppAction); 5] = [
        ("login", AppAction::Login),
        ("logout", AppAction::Logout),
        ("me", AppAction::Me),
        ("set_cookie", AppAction::SetCookie),
        ("raise", AppAction::Raise),
    ];

    pub fn key(self) -> &'static str {
        AppAction::ALL
            .iter()
            .find(|(_, a)| *a == self)
            .map(|(k, _)| *k)
            .unwrap_or("me")
    }

    pub fn from_key(key: &str) -> Option<AppAction> {
        AppAction::ALL
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, a)| *a)
    }

    /// The action's body as a Rails developer writes it.
    pub fn ruby(self) -> &'static str {
        match self {
            AppAction::Login => "session[:user_id] = user.id; render json: user",
            AppAction::Logout => "reset_session; render json: {}",
            AppAction::Me => "render json: current_user (401 without session[:user_id])",
            AppAction::SetCookie => "cookies[:name] = { value: ..., ... }; render json: {}",
            AppAction::Raise => "raise \"boom\"",
        }
    }
}

/// `cookies[:name] = { value:, domain:, path:, secure:, httponly:, same_site:, expires: }`
/// (`actionpack/lib/action_dispatch/middleware/cookies.rb`). Options left
/// out are `None`/`Unset`: Rails then uses its defaults (path `/`, not secure,
/// not HttpOnly, the app-wide SameSite).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PlainCookie {
    pub name: String,
    pub value: String,
    pub domain: DomainOption,
    pub path: Option<String>,
    pub secure: Option<bool>,
    pub httponly: Option<bool>,
    pub same_site: SameSiteOption,
    /// `expires: N.seconds` (from now); `None` = a browser-session cookie.
    pub expires: Option<u64>,
}

impl Default for PlainCookie {
    fn default() -> Self {
        PlainCookie {
            name: "theme".into(),
            value: "dark".into(),
            domain: DomainOption::Unset,
            path: None,
            secure: None,
            httponly: None,
            same_site: SameSiteOption::Unset,
            expires: None,
        }
    }
}

/// One line of `config/routes.rb`: `post "/login", to: "sessions#create"`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AppRoute {
    /// `GET`, `POST`, `PUT`, `PATCH`, `DELETE`, or `*` (`match ..., via: :all`).
    pub method: String,
    /// The path as written (`/login`; a missing leading `/` is added, as
    /// `routes.rb` does).
    pub path: String,
    pub action: AppAction,
    /// The cookie a `set_cookie` action writes.
    pub cookie: PlainCookie,
    /// `response.headers["Vary"] = "..."` in the action; `None` = not set.
    pub vary: Option<String>,
}

impl Default for AppRoute {
    fn default() -> Self {
        AppRoute {
            method: "GET".into(),
            path: "/me".into(),
            action: AppAction::Me,
            cookie: PlainCookie::default(),
            vary: None,
        }
    }
}

/// The verbs a route may name (`*` is `via: :all`).
pub const ROUTE_METHODS: [&str; 6] = ["GET", "POST", "PUT", "PATCH", "DELETE", "*"];

impl AppRoute {
    pub fn new(method: &str, path: &str, action: AppAction) -> AppRoute {
        AppRoute {
            method: method.into(),
            path: path.into(),
            action,
            ..AppRoute::default()
        }
    }

    /// The path as the router compiles it: a leading `/`, no trailing `/`.
    pub fn normalized_path(&self) -> String {
        normalize_path(&self.path)
    }

    /// The `routes.rb` line, e.g. `post "/login", to: "app#login"`.
    pub fn ruby_line(&self) -> String {
        self.ruby_line_to(&self.controller_method())
    }

    /// The `routes.rb` line for a given controller method.
    pub fn ruby_line_to(&self, method: &str) -> String {
        let path = self.normalized_path();
        match self.method.trim().to_ascii_uppercase().as_str() {
            "*" | "" => format!("match \"{path}\", to: \"app#{method}\", via: :all"),
            m => format!(
                "{} \"{path}\", to: \"app#{method}\"",
                m.to_ascii_lowercase()
            ),
        }
    }

    /// The controller method the route runs (`raise` is Kernel#raise, so
    /// that action is `boom`; a cookie write is named after its cookie).
    pub fn controller_method(&self) -> String {
        match self.action {
            AppAction::Login => "login".into(),
            AppAction::Logout => "logout".into(),
            AppAction::Me => "me".into(),
            AppAction::Raise => "boom".into(),
            AppAction::SetCookie => {
                let name: String = self
                    .cookie
                    .name
                    .chars()
                    .map(|c| {
                        if c.is_ascii_alphanumeric() {
                            c.to_ascii_lowercase()
                        } else {
                            '_'
                        }
                    })
                    .collect();
                format!("set_{}", name.trim_matches('_'))
            }
        }
    }
}

/// `Journey::Router::Utils.normalize_path`, as far as a path typed in a
/// route or sent by a browser needs: one leading `/`, no trailing `/`.
pub fn normalize_path(path: &str) -> String {
    let p = path.trim();
    let mut out = String::with_capacity(p.len() + 1);
    if !p.starts_with('/') {
        out.push('/');
    }
    out.push_str(p);
    while out.len() > 1 && out.ends_with('/') {
        out.pop();
    }
    out
}

/// What the router found for a request.
#[derive(Clone, Debug, PartialEq)]
pub struct Routed<'a> {
    pub route: &'a AppRoute,
    /// The `(.:format)` suffix the path carried (`/me.json` → `json`).
    pub format: Option<String>,
}

/// Whether a route's verb answers a request method: `get` also answers
/// `HEAD` (`match_head_routes`), `via: :all` answers everything.
fn verb_matches(route_method: &str, method: &str) -> bool {
    let rm = route_method.trim();
    rm.is_empty()
        || rm == "*"
        || rm.eq_ignore_ascii_case(method)
        || (rm.eq_ignore_ascii_case("GET") && method.eq_ignore_ascii_case("HEAD"))
}

/// The first route for `method` and `path` (already unescaped by the
/// caller). Every route has Rails' optional `(.:format)` segment, so
/// `/me.json` reaches `get "/me"` with format `json`.
pub fn route_for<'a>(routes: &'a [AppRoute], method: &str, path: &str) -> Option<Routed<'a>> {
    let path = normalize_path(path);
    let (stem, format) = match path.rsplit_once('.') {
        Some((stem, ext))
            if !ext.is_empty()
                && !ext.contains('/')
                && !stem.is_empty()
                && !stem.ends_with('/') =>
        {
            (Some(stem.to_string()), Some(ext.to_string()))
        }
        _ => (None, None),
    };
    routes
        .iter()
        .filter(|r| verb_matches(&r.method, method))
        .find_map(|r| {
            let rp = r.normalized_path();
            if rp == path {
                Some(Routed {
                    route: r,
                    format: None,
                })
            } else if stem.as_deref() == Some(rp.as_str()) {
                Some(Routed {
                    route: r,
                    format: format.clone(),
                })
            } else {
                None
            }
        })
}
