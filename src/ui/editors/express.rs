//! Express: `cors` options and where it is mounted, the session middleware,
//! `trust proxy`, `res.cookie`.

use crumbtrail_engine::scenario::ServerSetup;
use crumbtrail_engine::server::express::{
    CallbackRefusal, CorsMount, ExpressApp, ExpressVersion, Front, OptionsPath, OriginOption,
    ResCookie, SameSiteOption, SecureOption, SessionKind,
};
use crumbtrail_engine::server::rails::list_items;
use leptos::prelude::*;

use super::*;
use crate::ui::ctx;

/// Reads the Express app (when the server is Express) and writes to it.
#[derive(Clone, Copy)]
struct Access(RwSignal<crumbtrail_engine::Scenario>);

impl Access {
    fn get<T: Default + Send + Sync + 'static>(
        self,
        f: impl Fn(&ExpressApp) -> T + Send + Sync + 'static,
    ) -> Signal<T> {
        let s = self.0;
        Signal::derive(move || {
            s.with(|s| match &s.server {
                ServerSetup::Express(a) => f(a),
                _ => T::default(),
            })
        })
    }
    fn set<V: 'static>(
        self,
        f: impl Fn(&mut ExpressApp, V) + Send + Sync + 'static,
    ) -> Callback<V> {
        let s = self.0;
        Callback::new(move |v: V| {
            s.update(|s| {
                if let ServerSetup::Express(a) = &mut s.server {
                    f(a, v)
                }
            })
        })
    }
    fn sel<T: Copy + PartialEq + Send + Sync + 'static>(
        self,
        options: &'static [(&'static str, T)],
        f: fn(&ExpressApp) -> T,
    ) -> Signal<&'static str> {
        self.get(move |a| key_of(options, f(a)))
    }
}

fn labels<T>(options: &[(&'static str, T)]) -> Vec<(&'static str, &'static str)> {
    options.iter().map(|(k, _)| (*k, *k)).collect()
}

const VERSIONS: [(&str, ExpressVersion); 2] =
    [("4", ExpressVersion::V4), ("5", ExpressVersion::V5)];
const MOUNTS: [(&str, CorsMount); 3] = [
    ("app.use(cors(corsOptions)) first", CorsMount::AppWide),
    ("cors(corsOptions) on each route", CorsMount::PerRoute),
    (
        "app.use(cors(corsOptions)) after the routes",
        CorsMount::AfterRoutes,
    ),
];
const OPTIONS: [(&str, OptionsPath); 4] = [
    ("none", OptionsPath::None),
    ("app.options('*', …)", OptionsPath::Star),
    ("app.options('/{*splat}', …)", OptionsPath::Splat),
    ("app.options on the routes' paths", OptionsPath::Routes),
];
const ORIGIN_KINDS: [(&str, &str); 6] = [
    ("'*'", "any"),
    ("true (reflect)", "reflect"),
    ("false", "off"),
    ("a string", "exact"),
    ("an array", "list"),
    ("a callback with an allow-list", "callback"),
];
const REFUSALS: [(&str, CallbackRefusal); 2] = [
    ("callback(null, false)", CallbackRefusal::False),
    (
        "callback(new Error('Not allowed by CORS'))",
        CallbackRefusal::Error,
    ),
];
const FRONTS: [(&str, Front); 3] = [
    ("the browser talks to Node", Front::Direct),
    ("a TLS proxy that sets X-Forwarded-Proto", Front::TlsProxy),
    (
        "a TLS proxy without X-Forwarded-Proto",
        Front::TlsProxyNoHeader,
    ),
];
const SESSIONS: [(&str, SessionKind); 3] = [
    ("express-session", SessionKind::ExpressSession),
    ("cookie-session", SessionKind::CookieSession),
    ("none", SessionKind::None),
];
const SECURES: [(&str, SecureOption); 4] = [
    ("not given", SecureOption::Unset),
    ("true", SecureOption::True),
    ("false", SecureOption::False),
    ("'auto'", SecureOption::Auto),
];
const SAME_SITES: [(&str, SameSiteOption); 5] = [
    ("not given", SameSiteOption::Unset),
    ("'lax'", SameSiteOption::Lax),
    ("'strict'", SameSiteOption::Strict),
    ("'none'", SameSiteOption::None),
    ("true", SameSiteOption::True),
];
const PROXIES: [(&str, Option<bool>); 3] = [
    ("not given (trust proxy decides)", None),
    ("true", Some(true)),
    ("false", Some(false)),
];

fn origin_kind(o: &OriginOption) -> &'static str {
    match o {
        OriginOption::Any => "any",
        OriginOption::Reflect => "reflect",
        OriginOption::Off => "off",
        OriginOption::Exact(_) => "exact",
        OriginOption::List(_) => "list",
        OriginOption::Callback { .. } => "callback",
    }
}

fn origin_text(o: &OriginOption) -> String {
    match o {
        OriginOption::Exact(s) => s.clone(),
        OriginOption::List(l) | OriginOption::Callback { allow: l, .. } => l.join(", "),
        _ => String::new(),
    }
}

fn opt_text(o: &Option<String>) -> String {
    o.clone().unwrap_or_default()
}

fn some(v: String) -> Option<String> {
    (!v.trim().is_empty()).then_some(v)
}

#[component]
pub(crate) fn ExpressEditor() -> impl IntoView {
    let a = Access(ctx().scenario);
    let cors_on = a.get(|x| x.cors.enabled);
    let per_route = a.get(|x| x.cors.mount == CorsMount::PerRoute);
    let kind = a.get(|x| origin_kind(&x.cors.origin));
    let has_list = Signal::derive(move || matches!(kind.get(), "exact" | "list" | "callback"));
    let is_callback = Signal::derive(move || kind.get() == "callback");
    let session_on = a.get(|x| x.session.kind != SessionKind::None);
    let is_express_session = a.get(|x| x.session.kind == SessionKind::ExpressSession);
    let has_cookie = a.get(|x| x.res_cookie.is_some());
    view! {
        <div class="express">
            <SelectField label="Express" field="server.version".into() options=labels(&VERSIONS)
                get=a.sel(&VERSIONS, |x| x.version)
                set=a.set(|x, k: String| if let Some(v) = pick(&VERSIONS, &k) { x.version = v })/>
            <SelectField label="How requests reach Node" field="server.front".into() options=labels(&FRONTS)
                get=a.sel(&FRONTS, |x| x.front)
                set=a.set(|x, k: String| if let Some(v) = pick(&FRONTS, &k) { x.front = v })/>
            <CheckField label="app.set('trust proxy', 1)" field="server.trust_proxy".into()
                get=a.get(|x| x.trust_proxy) set=a.set(|x, v| x.trust_proxy = v)/>
            <fieldset class="sub">
                <legend>"cors"</legend>
                <CheckField label="use the cors middleware" field="server.cors.enabled".into()
                    get=cors_on set=a.set(|x, v| x.cors.enabled = v)/>
                <Show when=move || cors_on.get()>
                    <SelectField label="Mounted" field="server.cors.mount".into() options=labels(&MOUNTS)
                        get=a.sel(&MOUNTS, |x| x.cors.mount)
                        set=a.set(|x, k: String| if let Some(v) = pick(&MOUNTS, &k) { x.cors.mount = v })/>
                    <Show when=move || per_route.get()>
                        <SelectField label="Preflights" field="server.cors.options_path".into() options=labels(&OPTIONS)
                            get=a.sel(&OPTIONS, |x| x.cors.options_path)
                            set=a.set(|x, k: String| if let Some(v) = pick(&OPTIONS, &k) { x.cors.options_path = v })/>
                    </Show>
                    <SelectField label="origin" field="server.cors.origin.kind".into()
                        options=ORIGIN_KINDS.iter().map(|(l, k)| (*k, *l)).collect()
                        get=kind
                        set=a.set(|x, k: String| {
                            let text = origin_text(&x.cors.origin);
                            let items = list_items(&text);
                            x.cors.origin = match k.as_str() {
                                "any" => OriginOption::Any,
                                "reflect" => OriginOption::Reflect,
                                "off" => OriginOption::Off,
                                "exact" => OriginOption::Exact(items.first().cloned().unwrap_or_default()),
                                "list" => OriginOption::List(items),
                                _ => OriginOption::Callback { allow: items, refuse: CallbackRefusal::Error },
                            };
                        })/>
                    <Show when=move || has_list.get()>
                        <TextField label="Origins (comma-separated; /regexp/ allowed in lists)" field="server.cors.origin".into()
                            get=a.get(|x| origin_text(&x.cors.origin))
                            set=a.set(|x, v: String| match &mut x.cors.origin {
                                OriginOption::Exact(s) => *s = v,
                                OriginOption::List(l) | OriginOption::Callback { allow: l, .. } => *l = list_items(&v),
                                _ => {}
                            })/>
                    </Show>
                    <Show when=move || is_callback.get()>
                        <SelectField label="Other origins" field="server.cors.origin.refuse".into() options=labels(&REFUSALS)
                            get=a.get(|x| match &x.cors.origin { OriginOption::Callback { refuse, .. } => key_of(&REFUSALS, *refuse), _ => "" })
                            set=a.set(|x, k: String| if let (Some(v), OriginOption::Callback { refuse, .. }) = (pick(&REFUSALS, &k), &mut x.cors.origin) { *refuse = v })/>
                    </Show>
                    <CheckField label="credentials: true" field="server.cors.credentials".into()
                        get=a.get(|x| x.cors.credentials) set=a.set(|x, v| x.cors.credentials = v)/>
                    <TextField label="methods (empty: GET,HEAD,PUT,PATCH,POST,DELETE)" field="server.cors.methods".into()
                        get=a.get(|x| x.cors.methods.as_ref().map(|m| m.join(",")).unwrap_or_default())
                        set=a.set(|x, v: String| x.cors.methods = some(v).map(|v| list_items(&v)))/>
                    <TextField label="allowedHeaders (empty: reflect the requested headers)" field="server.cors.allowed_headers".into()
                        get=a.get(|x| x.cors.allowed_headers.as_ref().map(|m| m.join(",")).unwrap_or_default())
                        set=a.set(|x, v: String| x.cors.allowed_headers = some(v).map(|v| list_items(&v)))/>
                    <TextField label="exposedHeaders" field="server.cors.exposed_headers".into()
                        get=a.get(|x| x.cors.exposed_headers.join(","))
                        set=a.set(|x, v: String| x.cors.exposed_headers = list_items(&v))/>
                    <NumberField label="maxAge (seconds)" field="server.cors.max_age".into() empty_means="not sent" max=u32::MAX as u64
                        get=a.get(|x| x.cors.max_age.map(u64::from))
                        set=a.set(|x, v: Option<u64>| x.cors.max_age = v.map(|n| n as u32))/>
                    <CheckField label="preflightContinue: true" field="server.cors.preflight_continue".into()
                        get=a.get(|x| x.cors.preflight_continue) set=a.set(|x, v| x.cors.preflight_continue = v)/>
                    <NumberField label="optionsSuccessStatus" field="server.cors.options_success_status".into() max=999
                        get=a.get(|x| Some(u64::from(x.cors.options_success_status)))
                        set=a.set(|x, v: Option<u64>| x.cors.options_success_status = v.unwrap_or(204) as u16)/>
                </Show>
            </fieldset>
            <fieldset class="sub">
                <legend>"Session"</legend>
                <SelectField label="Middleware" field="server.session.kind".into() options=labels(&SESSIONS)
                    get=a.sel(&SESSIONS, |x| x.session.kind)
                    set=a.set(|x, k: String| if let Some(v) = pick(&SESSIONS, &k) { x.session.kind = v })/>
                <Show when=move || session_on.get()>
                    <TextField label="name" field="server.session.name".into() placeholder="connect.sid / session"
                        get=a.get(|x| opt_text(&x.session.name)) set=a.set(|x, v: String| x.session.name = some(v))/>
                    <SelectField label="secure" field="server.session.secure".into() options=labels(&SECURES)
                        get=a.sel(&SECURES, |x| x.session.secure)
                        set=a.set(|x, k: String| if let Some(v) = pick(&SECURES, &k) { x.session.secure = v })/>
                    <SelectField label="sameSite" field="server.session.same_site".into() options=labels(&SAME_SITES)
                        get=a.sel(&SAME_SITES, |x| x.session.same_site)
                        set=a.set(|x, k: String| if let Some(v) = pick(&SAME_SITES, &k) { x.session.same_site = v })/>
                    <TextField label="domain" field="server.session.domain".into()
                        get=a.get(|x| opt_text(&x.session.domain)) set=a.set(|x, v: String| x.session.domain = some(v))/>
                    <TextField label="path" field="server.session.path".into() placeholder="/"
                        get=a.get(|x| opt_text(&x.session.path)) set=a.set(|x, v: String| x.session.path = some(v))/>
                    <CheckField label="httpOnly" field="server.session.http_only".into()
                        get=a.get(|x| x.session.http_only) set=a.set(|x, v| x.session.http_only = v)/>
                    <NumberField label="maxAge (ms)" field="server.session.max_age_ms".into() empty_means="a browser-session cookie" max=400 * 86_400_000
                        get=a.get(|x| x.session.max_age_ms) set=a.set(|x, v| x.session.max_age_ms = v)/>
                    <CheckField label="partitioned" field="server.session.partitioned".into()
                        get=a.get(|x| x.session.partitioned) set=a.set(|x, v| x.session.partitioned = v)/>
                    <Show when=move || is_express_session.get()>
                        <SelectField label="proxy" field="server.session.proxy".into() options=labels(&PROXIES)
                            get=a.sel(&PROXIES, |x| x.session.proxy)
                            set=a.set(|x, k: String| if let Some(v) = pick(&PROXIES, &k) { x.session.proxy = v })/>
                        <CheckField label="saveUninitialized" field="server.session.save_uninitialized".into()
                            get=a.get(|x| x.session.save_uninitialized) set=a.set(|x, v| x.session.save_uninitialized = v)/>
                        <CheckField label="resave" field="server.session.resave".into()
                            get=a.get(|x| x.session.resave) set=a.set(|x, v| x.session.resave = v)/>
                        <CheckField label="rolling" field="server.session.rolling".into()
                            get=a.get(|x| x.session.rolling) set=a.set(|x, v| x.session.rolling = v)/>
                    </Show>
                </Show>
            </fieldset>
            <fieldset class="sub">
                <legend>"Routes"</legend>
                <TextField label="Login route (app.post)" field="server.login_path".into()
                    get=a.get(|x| x.login_path.clone()) set=a.set(|x, v: String| x.login_path = v)/>
                <TextField label="Session route (app.get)" field="server.me_path".into()
                    get=a.get(|x| x.me_path.clone()) set=a.set(|x, v: String| x.me_path = v)/>
                <CheckField label="res.cookie(...) in the login route" field="server.res_cookie".into()
                    get=has_cookie set=a.set(|x, v: bool| x.res_cookie = v.then(ResCookie::default))/>
                <Show when=move || has_cookie.get()>
                    <TextField label="name=value" field="server.res_cookie.name".into()
                        get=a.get(|x| x.res_cookie.as_ref().map(|c| format!("{}={}", c.name, c.value)).unwrap_or_default())
                        set=a.set(|x, v: String| if let (Some(c), Some((n, val))) = (&mut x.res_cookie, v.split_once('=')) { c.name = n.trim().into(); c.value = val.into(); })/>
                    <CheckField label="secure" field="server.res_cookie.secure".into()
                        get=a.get(|x| x.res_cookie.as_ref().is_some_and(|c| c.secure))
                        set=a.set(|x, v| if let Some(c) = &mut x.res_cookie { c.secure = v })/>
                    <CheckField label="httpOnly" field="server.res_cookie.http_only".into()
                        get=a.get(|x| x.res_cookie.as_ref().is_some_and(|c| c.http_only))
                        set=a.set(|x, v| if let Some(c) = &mut x.res_cookie { c.http_only = v })/>
                    <SelectField label="sameSite" field="server.res_cookie.same_site".into() options=labels(&SAME_SITES)
                        get=a.get(|x| x.res_cookie.as_ref().map(|c| key_of(&SAME_SITES, c.same_site)).unwrap_or(""))
                        set=a.set(|x, k: String| if let (Some(v), Some(c)) = (pick(&SAME_SITES, &k), &mut x.res_cookie) { c.same_site = v })/>
                </Show>
            </fieldset>
        </div>
    }
}
