//! Laravel + Sanctum: `config/cors.php` entry by entry as PHP literals, the
//! `.env` keys, and `bootstrap/app.php`'s `statefulApi()` and
//! `trustProxies()`. What the engine cannot read stays in the box with the
//! reason next to it.

use crumbtrail_engine::scenario::ServerSetup;
use crumbtrail_engine::server::laravel::keys::{
    cors_of, env_of, hint, set_cors, set_env, unset_env, CORS_KEYS, ENV_KEYS,
};
use crumbtrail_engine::server::laravel::{Front, LaravelApp, LaravelVersion, LoginRoute};
use leptos::prelude::*;

use super::*;
use crate::ui::ctx;

const VERSIONS: [(&str, LaravelVersion); 3] = [
    ("10", LaravelVersion::V10),
    ("11", LaravelVersion::V11),
    ("12", LaravelVersion::V12),
];
const FRONTS: [(&str, Front); 2] = [("direct", Front::Direct), ("tls", Front::TlsProxy)];
const LOGINS: [(&str, LoginRoute); 2] = [("web", LoginRoute::Web), ("api", LoginRoute::Api)];

fn read<T: Default>(s: &crumbtrail_engine::Scenario, f: impl Fn(&LaravelApp) -> T) -> T {
    match &s.server {
        ServerSetup::Laravel(a) => f(a),
        _ => T::default(),
    }
}

fn write(s: RwSignal<crumbtrail_engine::Scenario>, f: impl FnOnce(&mut LaravelApp)) {
    s.update(|s| {
        if let ServerSetup::Laravel(a) = &mut s.server {
            f(a);
        }
    });
}

#[component]
pub(crate) fn LaravelEditor() -> impl IntoView {
    let s = ctx().scenario;
    let version = Signal::derive(move || s.with(|s| read(s, |a| key_of(&VERSIONS, a.version))));
    let set_version = Callback::new(move |k: String| {
        if let Some(v) = pick(&VERSIONS, &k) {
            write(s, |a| a.version = v);
        }
    });
    let front = Signal::derive(move || s.with(|s| read(s, |a| key_of(&FRONTS, a.front))));
    let set_front = Callback::new(move |k: String| {
        if let Some(v) = pick(&FRONTS, &k) {
            write(s, |a| a.front = v);
        }
    });
    let login = Signal::derive(move || s.with(|s| read(s, |a| key_of(&LOGINS, a.login_route))));
    let set_login = Callback::new(move |k: String| {
        if let Some(v) = pick(&LOGINS, &k) {
            write(s, |a| a.login_route = v);
        }
    });
    let stateful = Signal::derive(move || s.with(|s| read(s, |a| a.stateful_api)));
    let set_stateful = Callback::new(move |on: bool| write(s, |a| a.stateful_api = on));
    let proxies = Signal::derive(move || s.with(|s| read(s, |a| a.trust_proxies)));
    let set_proxies = Callback::new(move |on: bool| write(s, |a| a.trust_proxies = on));
    view! {
        <div class="laravel">
            <SelectField label="Laravel" field="server.laravel".into()
                options=VERSIONS.iter().map(|(k, _)| (*k, *k)).collect() get=version set=set_version
                hint="With Sanctum 3.x (10) or 4.x (11, 12) and fruitcake/php-cors."/>
            <h4>"bootstrap/app.php"</h4>
            <CheckField label="$middleware->statefulApi()" field="server.laravel.stateful_api".into()
                get=stateful set=set_stateful
                hint="Sanctum's EnsureFrontendRequestsAreStateful in the api group (Laravel 10: its line in app/Http/Kernel.php)."/>
            <CheckField label="$middleware->trustProxies(at: '*')" field="server.laravel.trust_proxies".into()
                get=proxies set=set_proxies
                hint="Read X-Forwarded-Proto from the proxy (Laravel 10: protected $proxies = '*' in TrustProxies)."/>
            <SelectField label="In front of PHP" field="server.laravel.front".into()
                options=vec![("direct", "the browser talks to PHP (php artisan serve)"), ("tls", "a TLS-terminating proxy (PHP sees http)")]
                get=front set=set_front/>
            <SelectField label="POST /login lives in" field="server.laravel.login".into()
                options=vec![("web", "routes/web.php (/login, /logout)"), ("api", "routes/api.php (/api/login, /api/logout)")]
                get=login set=set_login/>
            <h4>"config/cors.php"</h4>
            <p class="hint">"Each entry as a PHP literal: ['http://localhost:3000'], true, null, 0."</p>
            {CORS_KEYS.iter().map(|k| view! { <CorsField name=k/> }).collect_view()}
            <h4>".env"</h4>
            <p class="hint">"As in .env: true, false, null; an empty box leaves the key unset."</p>
            {ENV_KEYS.iter().map(|k| view! { <EnvField name=k/> }).collect_view()}
        </div>
    }
}

/// One `config/cors.php` entry.
#[component]
fn CorsField(name: &'static str) -> impl IntoView {
    let s = ctx().scenario;
    let error = RwSignal::new(None::<String>);
    let get = Signal::derive(move || s.with(|s| read(s, |a| cors_of(a, name).unwrap_or_default())));
    let set = Callback::new(move |text: String| {
        let mut result = Ok(());
        write(s, |a| result = set_cors(a, name, &text));
        error.set(result.err());
    });
    view! {
        <TextField label=name field=format!("server.cors.{name}") get=get set=set error=error hint=hint(name)/>
    }
}

/// One `.env` key.
#[component]
fn EnvField(name: &'static str) -> impl IntoView {
    let s = ctx().scenario;
    let error = RwSignal::new(None::<String>);
    let get = Signal::derive(move || s.with(|s| read(s, |a| env_of(a, name).unwrap_or_default())));
    let set = Callback::new(move |text: String| {
        let mut result = Ok(());
        write(s, |a| {
            if text.trim().is_empty() {
                unset_env(a, name);
            } else {
                result = set_env(a, name, text.trim());
            }
        });
        error.set(result.err());
    });
    view! {
        <TextField label=name field=format!("server.{name}") get=get set=set error=error hint=hint(name)/>
    }
}
