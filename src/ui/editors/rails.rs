//! Rails: config.* settings, rack-cors allow blocks, the session store and routes.

use crumbtrail_engine::permalink::MAX_ITEMS;
use crumbtrail_engine::scenario::ServerSetup;
use crumbtrail_engine::server::rails::{
    list_items, method_items, AllowBlock, AppAction, AppRoute, CorsResource, DomainOption,
    HeadersOption, MethodsOption, PlainCookie, RailsApp,
};
use leptos::prelude::*;

use super::*;
use crate::ui::ctx;

/// Reads the Rails app (when the server is Rails) and writes to it. Every
/// field reads one memo of the app, shared by the editor's parts (see
/// [`AppAccess::here`]): an edit elsewhere (a request's URL) leaves the app
/// equal, so none of the hundreds of fields of a large `cors.rb` runs again.
#[derive(Clone, Copy)]
struct AppAccess {
    scenario: RwSignal<crumbtrail_engine::Scenario>,
    app: Memo<Option<RailsApp>>,
}

impl AppAccess {
    /// The editor's accessor, made by the first part that asks and shared
    /// with the parts inside it.
    fn here() -> Self {
        if let Some(a) = use_context::<AppAccess>() {
            return a;
        }
        let scenario = ctx().scenario;
        let app = Memo::new(move |_| {
            scenario.with(|s| match &s.server {
                ServerSetup::Rails(a) => Some(a.clone()),
                _ => None,
            })
        });
        let a = AppAccess { scenario, app };
        provide_context(a);
        a
    }

    fn get<T: Default + Send + Sync + 'static>(
        self,
        f: impl Fn(&RailsApp) -> T + Send + Sync + 'static,
    ) -> Signal<T> {
        let app = self.app;
        Signal::derive(move || app.with(|a| a.as_ref().map(&f).unwrap_or_default()))
    }
    fn set<V: 'static>(self, f: impl Fn(&mut RailsApp, V) + Send + Sync + 'static) -> Callback<V> {
        let s = self.scenario;
        Callback::new(move |v: V| {
            s.update(|s| {
                if let ServerSetup::Rails(a) = &mut s.server {
                    f(a, v)
                }
            })
        })
    }
}

// The same keys as the permalink's (engine/src/server/rails/keys.rs).
use crumbtrail_engine::server::rails::keys::{
    ENVIRONMENTS as ENVS, LOAD_DEFAULTS as DEFAULTS, MIDDLEWARES as MIDDLEWARE, POSITIONS,
    PROTECTIONS, RAILS_VERSIONS as VERSIONS, SAME_SITES as SAME_SITE, STORES,
};
const ACTIONS: [(&str, AppAction); 5] = AppAction::ALL;
const METHODS: [(&str, &str); 6] = [
    ("GET", "GET"),
    ("POST", "POST"),
    ("PUT", "PUT"),
    ("PATCH", "PATCH"),
    ("DELETE", "DELETE"),
    ("*", "*"),
];
const TRISTATE: [(&str, Option<bool>); 3] = [
    ("unset", None),
    ("true", Some(true)),
    ("false", Some(false)),
];

fn sel<T: Copy + PartialEq + Send + Sync + 'static>(
    app: AppAccess,
    options: &'static [(&'static str, T)],
    f: fn(&RailsApp) -> T,
) -> Signal<&'static str> {
    app.get(move |a| key_of(options, f(a)))
}

fn labels<T>(options: &[(&'static str, T)]) -> Vec<(&'static str, &'static str)> {
    options.iter().map(|(k, _)| (*k, *k)).collect()
}

#[component]
pub(crate) fn RailsEditor() -> impl IntoView {
    let ctx = ctx();
    let app = AppAccess::here();
    let api_only = app.get(|a| a.api_only);
    let has_routes = app.get(|a| !a.routes.is_empty());
    let blocks = Memo::new(move |_| {
        ctx.scenario.with(|s| match &s.server {
            ServerSetup::Rails(a) => a.cors.allow.len(),
            _ => 0,
        })
    });
    let add_block = app.set(|a, ()| {
        if a.cors.allow.len() < MAX_ITEMS {
            a.cors.allow.push(AllowBlock {
                origins: vec!["http://localhost:3000".into()],
                resources: vec![CorsResource::default()],
                resource_before_origins: false,
            })
        }
    });
    view! {
        <div class="rails">
            <h3>"Application"</h3>
            <div class="row">
                <SelectField label="Rails version" field="server.version".into() options=labels(&VERSIONS)
                    get=sel(app, &VERSIONS, |a| a.version)
                    set=app.set(|a, k: String| if let Some(v) = pick(&VERSIONS, &k) { a.set_version(v) })/>
                <SelectField label="config.load_defaults" field="server.load_defaults".into() options=labels(&DEFAULTS)
                    get=sel(app, &DEFAULTS, |a| a.load_defaults)
                    set=app.set(|a, k: String| if let Some(v) = pick(&DEFAULTS, &k) { a.load_defaults = v })/>
                <SelectField label="Environment" field="server.environment".into() options=labels(&ENVS)
                    get=sel(app, &ENVS, |a| a.environment)
                    set=app.set(|a, k: String| if let Some(v) = pick(&ENVS, &k) { a.environment = v })/>
            </div>
            <div class="row">
                <TextField label="App module (for the default key)" field="server.app_name".into()
                    get=app.get(|a| a.app_name.clone()) set=app.set(|a, v: String| a.app_name = v)/>
                <Show when=move || !has_routes.get()>
                    <TextField label="Login path (writes the session)" field="server.login_path".into()
                        get=app.get(|a| a.login_path.clone()) set=app.set(|a, v: String| a.login_path = v)/>
                </Show>
            </div>
            <CheckField label="config.api_only = true" field="server.api_only".into()
                get=api_only set=app.set(|a, v: bool| a.api_only = v)/>
            <Show when=move || api_only.get()>
                <SelectField label="Session middleware in config/application.rb" field="server.session_middleware".into()
                    options=vec![
                        ("none", "not added (the API-only default)"),
                        ("documented", "ActionDispatch::Cookies + config.session_store, config.session_options"),
                        ("without-options", "ActionDispatch::Session::CookieStore without options"),
                        ("before-store-set", "added before config.session_store is set"),
                        ("without-cookies", "session middleware without ActionDispatch::Cookies"),
                    ]
                    get=sel(app, &MIDDLEWARE, |a| a.session_middleware)
                    set=app.set(|a, k: String| if let Some(v) = pick(&MIDDLEWARE, &k) { a.session_middleware = v })/>
            </Show>
            <Show when=move || !api_only.get()>
                <CheckField label="protect_from_forgery on the login action" field="server.csrf_protection".into()
                    get=app.get(|a| a.csrf_protection) set=app.set(|a, v: bool| a.csrf_protection = v)/>
            </Show>
            <div class="row">
                <CheckField label="config.force_ssl = true" field="server.force_ssl".into()
                    get=app.get(|a| a.force_ssl) set=app.set(|a, v: bool| a.force_ssl = v)/>
                <CheckField label="config.assume_ssl = true (TLS proxy)" field="server.assume_ssl".into()
                    get=app.get(|a| a.assume_ssl) set=app.set(|a, v: bool| a.assume_ssl = v)/>
            </div>
            <CookieSettings/>

            <h3>"config/routes.rb"</h3>
            <RoutesEditor/>

            <h3>"config/initializers/cors.rb (rack-cors)"</h3>
            <CheckField label="Rack::Cors is configured" field="server.cors.enabled".into()
                get=app.get(|a| a.cors.enabled) set=app.set(|a, v: bool| a.cors.enabled = v)/>
            <SelectField label="Position in the middleware stack" field="server.cors_position".into()
                options=vec![
                    ("first", "insert_before 0 (first)"),
                    ("after", "after a middleware that answers first"),
                    ("last", "config.middleware.use Rack::Cors (last)"),
                ]
                get=sel(app, &POSITIONS, |a| a.cors_position)
                set=app.set(|a, k: String| if let Some(v) = pick(&POSITIONS, &k) { a.cors_position = v })/>
            {move || (0..blocks.get()).map(|b| view! { <AllowBlockEditor block=b/> }).collect_view()}
            <button type="button" class="add" on:click=move |_| add_block.run(()) prop:disabled={move || blocks.get() >= MAX_ITEMS}>"+ Add an allow block"</button>

            <h3>"Session store"</h3>
            <SessionEditor/>
        </div>
    }
}

/// `config.action_dispatch` cookie settings, `ssl_options` and the API
/// controller's `include ActionController::Cookies`.
#[component]
fn CookieSettings() -> impl IntoView {
    let app = AppAccess::here();
    let api_only = app.get(|a| a.api_only);
    view! {
        <div class="row">
            <SelectField label="config.action_dispatch.cookies_same_site_protection" field="server.cookies_same_site_protection".into()
                options=vec![("default", "not set (load_defaults: :lax from 6.1)"), ("lax", ":lax"), ("strict", ":strict"), ("none", ":none"), ("nil", "nil")]
                get=sel(app, &PROTECTIONS, |a| a.cookies_same_site_protection)
                set=app.set(|a, k: String| if let Some(v) = pick(&PROTECTIONS, &k) { a.cookies_same_site_protection = v })/>
            <SelectField label="config.action_dispatch.always_write_cookie" field="server.always_write_cookie".into()
                options=vec![("unset", "not set (Rails.env.development?)"), ("true", "true"), ("false", "false")]
                get=sel(app, &TRISTATE, |a| a.always_write_cookie)
                set=app.set(|a, k: String| if let Some(v) = pick(&TRISTATE, &k) { a.always_write_cookie = v })/>
        </div>
        <div class="row">
            <NumberField label="config.action_dispatch.tld_length" field="server.tld_length".into() empty_means="1"
                max=10
                get=app.get(|a| Some(u64::from(a.tld_length)))
                set=app.set(|a, v: Option<u64>| a.tld_length = v.unwrap_or(1).clamp(1, 10) as u8)/>
            <CheckField label="config.ssl_options secure_cookies (off: { secure_cookies: false })" field="server.ssl_secure_cookies".into()
                get=app.get(|a| a.ssl_secure_cookies) set=app.set(|a, v: bool| a.ssl_secure_cookies = v)/>
        </div>
        <Show when=move || api_only.get()>
            <CheckField label="ApplicationController: include ActionController::Cookies" field="server.controller_cookies".into()
                hint="ActionController::API leaves it out: `cookies` is undefined (NameError) without it."
                get=app.get(|a| a.controller_cookies) set=app.set(|a, v: bool| a.controller_cookies = v)/>
        </Show>
    }
}

/// The app's routes; none means the two-action app.
#[component]
fn RoutesEditor() -> impl IntoView {
    let ctx = ctx();
    let app = AppAccess::here();
    let count = Memo::new(move |_| {
        ctx.scenario.with(|s| match &s.server {
            ServerSetup::Rails(a) => a.routes.len(),
            _ => 0,
        })
    });
    // The first route added spells out the app as it was: login, then me.
    let add = app.set(|a, ()| {
        if a.routes.is_empty() {
            a.routes.push(AppRoute::new(
                "POST",
                &a.login_path.clone(),
                AppAction::Login,
            ));
        }
        a.routes.push(AppRoute::default());
    });
    view! {
        <p class="hint">"No routes: POST to the login path logs in and every other request reads the session. With routes, each request runs the action of the first route whose verb and path match; any other path is a 404."</p>
        {move || (0..count.get()).map(|i| view! { <AppRouteEditor index=i/> }).collect_view()}
        <button type="button" class="add" on:click=move |_| add.run(())>"+ Add a route"</button>
    }
}

/// Reads and writes route `index` of the Rails app.
fn route_get<T: Default + Send + Sync + 'static>(
    app: AppAccess,
    index: usize,
    f: impl Fn(&AppRoute) -> T + Send + Sync + 'static,
) -> Signal<T> {
    app.get(move |a| a.routes.get(index).map(&f).unwrap_or_default())
}

fn route_set<V: 'static>(
    app: AppAccess,
    index: usize,
    f: impl Fn(&mut AppRoute, V) + Send + Sync + 'static,
) -> Callback<V> {
    app.set(move |a, v| {
        if let Some(r) = a.routes.get_mut(index) {
            f(r, v)
        }
    })
}

#[component]
fn AppRouteEditor(index: usize) -> impl IntoView {
    let app = AppAccess::here();
    let p = move |n: &str| format!("server.routes.{index}.{n}");
    let is_cookie = route_get(app, index, |r| r.action == AppAction::SetCookie);
    let remove = app.set(move |a, ()| {
        if index < a.routes.len() {
            a.routes.remove(index);
        }
    });
    let path_hint = route_get(app, index, |r| r.ruby_line());
    view! {
        <div class="route-editor" data-app-route=index>
            <div class="request-head">
                <h4>"Route " {index + 1}</h4>
                <button type="button" class="remove" on:click=move |_| remove.run(())
                    aria-label=format!("Remove route {}", index + 1)>"Remove"</button>
            </div>
            <div class="row">
                <SelectField label="Verb" field=p("method") options=METHODS.to_vec()
                    get=route_get(app, index, |r| METHODS.iter().find(|(k, _)| k.eq_ignore_ascii_case(r.method.trim())).map(|(k, _)| *k).unwrap_or("GET"))
                    set=route_set(app, index, |r, v: String| r.method = v)/>
                <TextField label="Path" field=p("path") placeholder="/me"
                    get=route_get(app, index, |r| r.path.clone()) set=route_set(app, index, |r, v: String| r.path = v)/>
                <SelectField label="Action" field=p("action")
                    options=vec![("login", "login: session[:user_id] = …"), ("logout", "logout: reset_session"), ("me", "me: reads session[:user_id]"), ("set_cookie", "set_cookie: cookies[:name] = {…}"), ("raise", "raise (500)")]
                    get=route_get(app, index, |r| r.action.key())
                    set=route_set(app, index, |r, k: String| if let Some(a) = pick(&ACTIONS, &k) { r.action = a })/>
            </div>
            <p class="hint">{move || path_hint.get()}</p>
            <TextField label="response.headers[\"Vary\"] in the action" field=p("vary") placeholder="not set"
                get=route_get(app, index, |r| r.vary.clone().unwrap_or_default())
                set=route_set(app, index, |r, v: String| r.vary = (!v.trim().is_empty()).then_some(v))/>
            <Show when=move || is_cookie.get()>
                <PlainCookieEditor index=index/>
            </Show>
        </div>
    }
}

/// `cookies[:name] = { value:, domain:, path:, secure:, httponly:, same_site:, expires: }`.
#[component]
fn PlainCookieEditor(index: usize) -> impl IntoView {
    let app = AppAccess::here();
    let p = move |n: &str| format!("server.routes.{index}.cookie.{n}");
    let c = move |f: fn(&PlainCookie) -> String| route_get(app, index, move |r| f(&r.cookie));
    let set_c = move |f: fn(&mut PlainCookie, String)| {
        route_set(app, index, move |r, v: String| f(&mut r.cookie, v))
    };
    let name_error = RwSignal::new(None::<String>);
    let set_name_value = set_c(|c, v| c.name = v);
    let set_name = Callback::new(move |v: String| {
        if v.trim().is_empty() {
            name_error.set(Some("a cookie needs a name: cookies[:name]".into()));
        } else {
            name_error.set(None);
            set_name_value.run(v.trim().to_string());
        }
    });
    let domain_error = RwSignal::new(None::<String>);
    let set_domain_value = route_set(app, index, |r, d: DomainOption| r.cookie.domain = d);
    let set_domain = Callback::new(move |v: String| match DomainOption::from_ruby_text(&v) {
        Ok(d) => {
            domain_error.set(None);
            set_domain_value.run(d);
        }
        Err(e) => domain_error.set(Some(e)),
    });
    view! {
        <div class="row">
            <TextField label="cookies[:name]" field=p("name") get=c(|c| c.name.clone()) set=set_name error=name_error/>
            <TextField label="value:" field=p("value") get=c(|c| c.value.clone()) set=set_c(|c, v| c.value = v)/>
            <TextField label="domain: ('.example.com', :all, ':all, tld_length: 2', or a list)" field=p("domain")
                placeholder="not given" get=c(|c| c.domain.to_ruby_text()) set=set_domain error=domain_error/>
            <TextField label="path:" field=p("path") placeholder="/"
                get=c(|c| c.path.clone().unwrap_or_default())
                set=set_c(|c, v| c.path = (!v.trim().is_empty()).then_some(v))/>
        </div>
        <div class="row">
            <SelectField label="same_site:" field=p("same_site")
                options=vec![("unset", "not given"), ("lax", ":lax"), ("strict", ":strict"), ("none", ":none"), ("nil", "nil")]
                get=route_get(app, index, |r| key_of(&SAME_SITE, r.cookie.same_site))
                set=route_set(app, index, |r, k: String| if let Some(v) = pick(&SAME_SITE, &k) { r.cookie.same_site = v })/>
            <SelectField label="secure:" field=p("secure")
                options=vec![("unset", "not given"), ("true", "true"), ("false", "false")]
                get=route_get(app, index, |r| key_of(&TRISTATE, r.cookie.secure))
                set=route_set(app, index, |r, k: String| if let Some(v) = pick(&TRISTATE, &k) { r.cookie.secure = v })/>
            <SelectField label="httponly:" field=p("httponly")
                options=vec![("unset", "not given (false)"), ("true", "true"), ("false", "false")]
                get=route_get(app, index, |r| key_of(&TRISTATE, r.cookie.httponly))
                set=route_set(app, index, |r, k: String| if let Some(v) = pick(&TRISTATE, &k) { r.cookie.httponly = v })/>
        </div>
        <NumberField label="expires: (seconds from now)" field=p("expires") empty_means="a browser-session cookie"
            max=400 * 86_400
            get=route_get(app, index, |r| r.cookie.expires)
            set=route_set(app, index, |r, v: Option<u64>| r.cookie.expires = v)/>
    }
}

fn list_text(l: &[String]) -> String {
    l.join(", ")
}

/// The engine's list reader, so every list typed here has a permalink.
fn parse_list(v: &str) -> Vec<String> {
    list_items(v)
}

#[component]
fn AllowBlockEditor(block: usize) -> impl IntoView {
    let ctx = ctx();
    let app = AppAccess::here();
    let resources = Memo::new(move |_| {
        ctx.scenario.with(|s| match &s.server {
            ServerSetup::Rails(a) => a.cors.allow.get(block).map_or(0, |b| b.resources.len()),
            _ => 0,
        })
    });
    let p = move |n: &str| format!("server.cors.allow.{block}.{n}");
    let remove = app.set(move |a, ()| {
        if block < a.cors.allow.len() {
            a.cors.allow.remove(block);
        }
    });
    let add_res = app.set(move |a, ()| {
        if let Some(b) = a
            .cors
            .allow
            .get_mut(block)
            .filter(|b| b.resources.len() < MAX_ITEMS)
        {
            b.resources.push(CorsResource::default())
        }
    });
    view! {
        <div class="block-editor" data-allow-block=block>
            <div class="request-head">
                <h4>"allow block " {block + 1}</h4>
                <button type="button" class="remove" on:click=move |_| remove.run(()) aria-label=format!("Remove allow block {}", block + 1)>"Remove"</button>
            </div>
            <TextField label="origins (one per line: 'http://localhost:3000', 'localhost:3000', '*', /regexp/)" field=p("origins") multiline=true
                get=app.get(move |a| a.cors.allow.get(block).map(|b| b.origins.join("\n")).unwrap_or_default())
                set=app.set(move |a, v: String| if let Some(b) = a.cors.allow.get_mut(block) {
                    b.origins = v.lines().map(|l| l.trim().trim_matches(|c| c == '\'' || c == '"').to_string()).filter(|l| !l.is_empty()).collect();
                })/>
            <CheckField label="resource lines written before origins" field=p("resource_before_origins")
                hint="rack-cors reads the block in order: resources declared before origins are never public, so '*' with credentials: true boots and reflects every Origin"
                get=app.get(move |a| a.cors.allow.get(block).is_some_and(|b| b.resource_before_origins))
                set=app.set(move |a, v: bool| if let Some(b) = a.cors.allow.get_mut(block) { b.resource_before_origins = v })/>
            {move || (0..resources.get()).map(|r| view! { <ResourceEditor block=block res=r/> }).collect_view()}
            <button type="button" class="add" on:click=move |_| add_res.run(()) prop:disabled={move || resources.get() >= MAX_ITEMS}>"+ Add a resource"</button>
        </div>
    }
}

#[component]
fn ResourceEditor(block: usize, res: usize) -> impl IntoView {
    let app = AppAccess::here();
    let p = move |n: &str| format!("server.cors.allow.{block}.resources.{res}.{n}");
    fn with_res<T: Default>(a: &RailsApp, b: usize, r: usize, f: impl Fn(&CorsResource) -> T) -> T {
        a.cors
            .allow
            .get(b)
            .and_then(|bl| bl.resources.get(r))
            .map(f)
            .unwrap_or_default()
    }
    let set_res = move |f: fn(&mut CorsResource, String)| {
        app.set(move |a: &mut RailsApp, v: String| {
            if let Some(r) = a
                .cors
                .allow
                .get_mut(block)
                .and_then(|b| b.resources.get_mut(res))
            {
                f(r, v)
            }
        })
    };
    let remove = app.set(move |a, ()| {
        if let Some(b) = a.cors.allow.get_mut(block) {
            if res < b.resources.len() {
                b.resources.remove(res);
            }
        }
    });
    view! {
        <div class="resource-editor">
            <div class="request-head">
                <h5>"resource " {res + 1}</h5>
                <button type="button" class="remove" on:click=move |_| remove.run(()) aria-label=format!("Remove resource {} of block {}", res + 1, block + 1)>"Remove"</button>
            </div>
            <div class="row">
                <TextField label="path" field=p("path")
                    get=app.get(move |a| with_res(a, block, res, |r| r.path.clone()))
                    set=set_res(|r, v| r.path = v)/>
                <TextField label="headers (:any, a list, or empty)" field=p("headers")
                    get=app.get(move |a| with_res(a, block, res, |r| match &r.headers {
                        HeadersOption::Unset => String::new(),
                        HeadersOption::Any => ":any".into(),
                        HeadersOption::List(l) => list_text(l),
                    }))
                    set=set_res(|r, v| r.headers = match v.trim() {
                        "" => HeadersOption::Unset,
                        ":any" | "any" => HeadersOption::Any,
                        t => HeadersOption::List(parse_list(t)),
                    })/>
            </div>
            <TextField label="methods (:any, a list like get, post, or empty for [:get])" field=p("methods")
                get=app.get(move |a| with_res(a, block, res, |r| match &r.methods {
                    MethodsOption::Unset => String::new(),
                    MethodsOption::Any => ":any".into(),
                    MethodsOption::List(l) => list_text(l),
                }))
                set=set_res(|r, v| r.methods = match v.trim() {
                    "" => MethodsOption::Unset,
                    ":any" | "any" => MethodsOption::Any,
                    t => MethodsOption::List(method_items(t)),
                })/>
            <div class="row">
                <CheckField label="credentials: true" field=p("credentials")
                    get=app.get(move |a| with_res(a, block, res, |r| r.credentials))
                    set=app.set(move |a: &mut RailsApp, v: bool| if let Some(r) = a.cors.allow.get_mut(block).and_then(|b| b.resources.get_mut(res)) { r.credentials = v })/>
                <CheckField label="if: proc returns true" field=p("if_condition")
                    get=app.get(move |a| with_res(a, block, res, |r| r.if_condition))
                    set=app.set(move |a: &mut RailsApp, v: bool| if let Some(r) = a.cors.allow.get_mut(block).and_then(|b| b.resources.get_mut(res)) { r.if_condition = v })/>
            </div>
            <div class="row">
                <TextField label="expose (a list)" field=p("expose")
                    get=app.get(move |a| with_res(a, block, res, |r| list_text(&r.expose)))
                    set=set_res(|r, v| r.expose = parse_list(&v))/>
                <NumberField label="max_age" field=p("max_age") empty_means="7200 (default)" max=u32::MAX as u64
                    get=app.get(move |a| with_res(a, block, res, |r| r.max_age))
                    set=app.set(move |a: &mut RailsApp, v: Option<u64>| if let Some(r) = a.cors.allow.get_mut(block).and_then(|b| b.resources.get_mut(res)) { r.max_age = v })/>
            </div>
        </div>
    }
}

#[component]
fn SessionEditor() -> impl IntoView {
    let app = AppAccess::here();
    // What does not parse stays in the box with its message; the scenario keeps
    // the last good value.
    let domain_error = RwSignal::new(None::<String>);
    let set_domain_value = app.set(|a, d: DomainOption| a.session.domain = d);
    let set_domain = Callback::new(move |v: String| match DomainOption::from_ruby_text(&v) {
        Ok(d) => {
            domain_error.set(None);
            set_domain_value.run(d);
        }
        Err(e) => domain_error.set(Some(e)),
    });
    view! {
        <div class="row">
            <SelectField label="session_store" field="server.session.store".into()
                options=vec![("cookie", ":cookie_store"), ("disabled", ":disabled"), ("not-called", "not called")]
                get=sel(app, &STORES, |a| a.session.store)
                set=app.set(|a, k: String| if let Some(v) = pick(&STORES, &k) { a.session.store = v })/>
            <TextField label="key:" field="server.session.key".into() placeholder="not given"
                get=app.get(|a| a.session.key.clone().unwrap_or_default())
                set=app.set(|a, v: String| a.session.key = (!v.trim().is_empty()).then(|| v.trim().to_string()))/>
        </div>
        <div class="row">
            <TextField label="domain: ('.example.com', :all, ':all, tld_length: 2', or a list)" field="server.session.domain".into()
                placeholder="not given"
                get=app.get(|a| a.session.domain.to_ruby_text())
                set=set_domain error=domain_error/>
            <TextField label="path:" field="server.session.path".into() placeholder="/"
                get=app.get(|a| a.session.path.clone().unwrap_or_default())
                set=app.set(|a, v: String| a.session.path = (!v.trim().is_empty()).then_some(v))/>
        </div>
        <div class="row">
            <SelectField label="same_site:" field="server.session.same_site".into()
                options=vec![("unset", "not given"), ("lax", ":lax"), ("strict", ":strict"), ("none", ":none"), ("nil", "nil")]
                get=sel(app, &SAME_SITE, |a| a.session.same_site)
                set=app.set(|a, k: String| if let Some(v) = pick(&SAME_SITE, &k) { a.session.same_site = v })/>
            <SelectField label="secure:" field="server.session.secure".into()
                options=vec![("unset", "not given"), ("true", "true"), ("false", "false")]
                get=sel(app, &TRISTATE, |a| a.session.secure)
                set=app.set(|a, k: String| if let Some(v) = pick(&TRISTATE, &k) { a.session.secure = v })/>
            <SelectField label="httponly:" field="server.session.httponly".into()
                options=vec![("unset", "not given"), ("true", "true"), ("false", "false")]
                get=sel(app, &TRISTATE, |a| a.session.httponly)
                set=app.set(|a, k: String| if let Some(v) = pick(&TRISTATE, &k) { a.session.httponly = v })/>
        </div>
        <NumberField label="expire_after: (seconds)" field="server.session.expire_after".into() empty_means="a browser-session cookie"
            max=400 * 86_400
            get=app.get(|a| a.session.expire_after)
            set=app.set(|a, v: Option<u64>| a.session.expire_after = v)/>
    }
}
