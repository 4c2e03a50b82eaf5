//! "Cookies already in the browser": the jar at the start of the scenario
//! (`Scenario::jar_at_start`), one form per cookie with every attribute of
//! its RFC 6265bis §5.7 record and its creation time. The engine checks them
//! (`cookies::jar_at_start`) and its field errors show next to the fields.

use crumbtrail_engine::scenario::{JarCookie, JarSameSite};
use crumbtrail_engine::Scenario;
use leptos::prelude::*;

use super::ctx;
use super::editors::{CheckField, NumberField, SelectField, TextField};

const SAME_SITES: [(&str, JarSameSite); 4] = [
    ("unspecified", JarSameSite::Unspecified),
    ("lax", JarSameSite::Lax),
    ("strict", JarSameSite::Strict),
    ("none", JarSameSite::None),
];

fn cookie_signal<T: Default + Send + Sync + 'static>(
    s: RwSignal<Scenario>,
    index: usize,
    f: impl Fn(&JarCookie) -> T + Send + Sync + 'static,
) -> Signal<T> {
    Signal::derive(move || s.with(|s| s.jar_at_start.get(index).map(&f).unwrap_or_default()))
}

fn cookie_callback<V: 'static>(
    s: RwSignal<Scenario>,
    index: usize,
    f: impl Fn(&mut JarCookie, V) + Send + Sync + 'static,
) -> Callback<V> {
    Callback::new(move |v: V| {
        s.update(|s| {
            if let Some(c) = s.jar_at_start.get_mut(index) {
                f(c, v)
            }
        })
    })
}

#[component]
pub fn JarEditor() -> impl IntoView {
    let ctx = ctx();
    let s = ctx.scenario;
    let count = Memo::new(move |_| s.with(|s| s.jar_at_start.len()));
    let add = move |_| {
        s.update(|s| {
            let host = crumbtrail_engine::origin::parse_url(&s.page.url, None)
                .ok()
                .and_then(|u| u.host_str().map(str::to_string))
                .unwrap_or_else(|| "localhost".into());
            s.jar_at_start.push(JarCookie {
                name: "session".into(),
                value: "abc".into(),
                domain: host,
                ..JarCookie::default()
            });
        })
    };
    view! {
        <div class="jar-editor" data-jar-editor="true">
            <h3>"Cookies already in the browser"</h3>
            <p class="hint">"Cookies the browser holds before the first request (a recording usually starts after the login)."</p>
            {move || (0..count.get()).map(|i| view! { <JarCookieEditor index=i/> }).collect_view()}
            <button type="button" class="add" on:click=add
                disabled={move || count.get() >= crumbtrail_engine::permalink::MAX_ITEMS}>"+ Add a cookie"</button>
        </div>
    }
}

#[component]
fn JarCookieEditor(index: usize) -> impl IntoView {
    let s = ctx().scenario;
    let p = move |n: &str| format!("jar_at_start.{index}.{n}");
    let remove = move |_| {
        s.update(|s| {
            if index < s.jar_at_start.len() {
                s.jar_at_start.remove(index);
            }
        })
    };
    let same_site = Signal::derive(move || {
        s.with(|s| {
            s.jar_at_start
                .get(index)
                .and_then(|c| SAME_SITES.iter().find(|(_, v)| *v == c.same_site))
                .map_or("unspecified", |(k, _)| *k)
        })
    });
    view! {
        <div class="cookie-editor" data-jar-cookie=index>
            <div class="request-head">
                <h4>"Cookie " {index + 1}</h4>
                <button type="button" class="remove" on:click=remove aria-label=format!("Remove cookie {}", index + 1)>"Remove"</button>
            </div>
            <div class="row">
                <TextField label="Name" field=p("name") get=cookie_signal(s, index, |c| c.name.clone())
                    set=cookie_callback(s, index, |c, v: String| c.name = v)/>
                <TextField label="Value" field=p("value") get=cookie_signal(s, index, |c| c.value.clone())
                    set=cookie_callback(s, index, |c, v: String| c.value = v)/>
            </div>
            <div class="row">
                <TextField label="Host or domain" field=p("domain") placeholder="localhost"
                    get=cookie_signal(s, index, |c| c.domain.clone())
                    set=cookie_callback(s, index, |c, v: String| c.domain = v)/>
                <TextField label="Path" field=p("path") get=cookie_signal(s, index, |c| c.path.clone())
                    set=cookie_callback(s, index, |c, v: String| c.path = v)/>
            </div>
            <CheckField label="Host-only (set without a Domain attribute)" field=p("host_only")
                get=cookie_signal(s, index, |c| c.host_only) set=cookie_callback(s, index, |c, v: bool| c.host_only = v)/>
            <div class="row">
                <CheckField label="Secure" field=p("secure")
                    get=cookie_signal(s, index, |c| c.secure) set=cookie_callback(s, index, |c, v: bool| c.secure = v)/>
                <CheckField label="HttpOnly" field=p("http_only")
                    get=cookie_signal(s, index, |c| c.http_only) set=cookie_callback(s, index, |c, v: bool| c.http_only = v)/>
            </div>
            <SelectField label="SameSite" field=p("same_site")
                options=SAME_SITES.iter().map(|(k, _)| (*k, *k)).collect()
                get=same_site
                set=cookie_callback(s, index, |c, k: String| {
                    if let Some((_, v)) = SAME_SITES.iter().find(|(n, _)| *n == k) {
                        c.same_site = *v;
                    }
                })/>
            <div class="row">
                <NumberField label="Expires, seconds after the start" field=p("expires_in_secs") max=400 * 86_400
                    empty_means="a session cookie"
                    get=cookie_signal(s, index, |c| c.expires_in_secs)
                    set=cookie_callback(s, index, |c, v: Option<u64>| c.expires_in_secs = v)/>
                <NumberField label="Created, seconds before the first request" field=p("age_secs") max=400 * 86_400
                    get=cookie_signal(s, index, |c| Some(c.age_secs))
                    set=cookie_callback(s, index, |c, v: Option<u64>| c.age_secs = v.unwrap_or(0))/>
            </div>
            <TextField label="Partition (CHIPS): top-level site" field=p("partition") placeholder="empty: not partitioned"
                get=cookie_signal(s, index, |c| c.partition.clone().unwrap_or_default())
                set=cookie_callback(s, index, |c, v: String| c.partition = (!v.trim().is_empty()).then_some(v))/>
            <CheckField label="Partition key's cross-site ancestor bit" field=p("partition_cross_site_ancestor")
                get=cookie_signal(s, index, |c| c.partition_cross_site_ancestor)
                set=cookie_callback(s, index, |c, v: bool| c.partition_cross_site_ancestor = v)/>
        </div>
    }
}
