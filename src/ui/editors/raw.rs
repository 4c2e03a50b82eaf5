//! Raw server: routes with the preflight answer and the actual answer, typed as header lines.

use crumbtrail_engine::permalink::MAX_ITEMS;
use crumbtrail_engine::scenario::{RawRoute, ServerSetup};
use leptos::prelude::*;

use super::*;
use crate::ui::ctx;

/// A new route: the first route of a new raw server.
fn default_route() -> RawRoute {
    crumbtrail_engine::server::raw::default_server()
        .routes
        .remove(0)
}

/// A value of raw route `index`.
fn route_signal<T: Default + Send + Sync + 'static>(
    s: RwSignal<crumbtrail_engine::Scenario>,
    index: usize,
    f: impl Fn(&RawRoute) -> T + Send + Sync + 'static,
) -> Signal<T> {
    Signal::derive(move || {
        s.with(|s| match &s.server {
            ServerSetup::Raw(r) => r.routes.get(index).map(&f).unwrap_or_default(),
            _ => T::default(),
        })
    })
}

/// Writes a value of raw route `index`.
fn route_callback<V: 'static>(
    s: RwSignal<crumbtrail_engine::Scenario>,
    index: usize,
    f: impl Fn(&mut RawRoute, V) + Send + Sync + 'static,
) -> Callback<V> {
    Callback::new(move |v: V| {
        s.update(|s| {
            if let ServerSetup::Raw(r) = &mut s.server {
                if let Some(route) = r.routes.get_mut(index) {
                    f(route, v)
                }
            }
        })
    })
}

// ---------------------------------------------------------------------------
// Raw server

#[component]
pub(crate) fn RawEditor() -> impl IntoView {
    let ctx = ctx();
    let s = ctx.scenario;
    let count = Memo::new(move |_| {
        s.with(|s| match &s.server {
            ServerSetup::Raw(r) => r.routes.len(),
            _ => 0,
        })
    });
    let add = move |_| {
        s.update(|s| {
            if let ServerSetup::Raw(r) = &mut s.server {
                if r.routes.len() < MAX_ITEMS {
                    r.routes.push(default_route())
                }
            }
        })
    };
    // The engine's error for the list itself (no routes); each route's own
    // errors stay under its fields.
    let trace = ctx.trace;
    let no_routes = Signal::derive(move || {
        trace.with(|t| {
            t.field_errors
                .iter()
                .find(|e| e.field == "server.routes")
                .map(|e| e.message.clone())
        })
    });
    view! {
        <div class="raw">
            <p class="hint">"For each request the first route whose method (or *) and path (exact, or a prefix ending in *) match answers."</p>
            <p class="field-error" id=format!("{}-error", dom_id("server.routes")) data-field-error="server.routes" hidden=move || no_routes.with(Option::is_none)>
                {move || no_routes.get().map(|m| view! { <span>"✕ " {rich(&m)}</span> })}
            </p>
            {move || (0..count.get()).map(|i| view! { <RouteEditor index=i/> }).collect_view()}
            <button type="button" class="add" on:click=add prop:disabled={move || count.get() >= MAX_ITEMS}>"+ Add a route"</button>
        </div>
    }
}

#[component]
fn RouteEditor(index: usize) -> impl IntoView {
    let ctx = ctx();
    let s = ctx.scenario;
    let get = move |f: fn(&RawRoute) -> String| {
        Signal::derive(move || {
            s.with(|s| match &s.server {
                ServerSetup::Raw(r) => r.routes.get(index).map(f).unwrap_or_default(),
                _ => String::new(),
            })
        })
    };
    let set = move |f: fn(&mut RawRoute, String)| {
        Callback::new(move |v: String| {
            s.update(|s| {
                if let ServerSetup::Raw(r) = &mut s.server {
                    if let Some(route) = r.routes.get_mut(index) {
                        f(route, v)
                    }
                }
            })
        })
    };
    let status = move |pre: bool| {
        Signal::derive(move || {
            s.with(|s| match &s.server {
                ServerSetup::Raw(r) => r.routes.get(index).map(|rt| {
                    u64::from(if pre {
                        rt.preflight.status
                    } else {
                        rt.response.status
                    })
                }),
                _ => None,
            })
        })
    };
    let set_status = move |pre: bool| {
        Callback::new(move |v: Option<u64>| {
            s.update(|s| {
                if let ServerSetup::Raw(r) = &mut s.server {
                    if let Some(rt) = r.routes.get_mut(index) {
                        let n = v.unwrap_or(200) as u16;
                        if pre {
                            rt.preflight.status = n
                        } else {
                            rt.response.status = n
                        }
                    }
                }
            })
        })
    };
    let remove = move |_| {
        s.update(|s| {
            if let ServerSetup::Raw(r) = &mut s.server {
                if index < r.routes.len() {
                    r.routes.remove(index);
                }
            }
        })
    };
    let p = move |n: &str| format!("server.routes.{index}.{n}");
    view! {
        <div class="route-editor" data-route=index>
            <div class="request-head">
                <h3>"Route " {index + 1}</h3>
                <button type="button" class="remove" on:click=remove aria-label=format!("Remove route {}", index + 1)>"Remove"</button>
            </div>
            <div class="row">
                <TextField label="Method (or *)" field=p("method") get=get(|r| r.method.clone()) set=set(|r, v| r.method = v)/>
                <TextField label="Path" field=p("path") get=get(|r| r.path.clone()) set=set(|r, v| r.path = v)/>
            </div>
            <NumberField label="Preflight (OPTIONS) status" field=p("preflight.status") max=999 get=status(true) set=set_status(true)/>
            <TextField label="Preflight response headers" field=p("preflight.headers") multiline=true
                get=get(|r| r.preflight.headers.clone()) set=set(|r, v| r.preflight.headers = v)/>
            <NumberField label="Response status" field=p("response.status") max=999 get=status(false) set=set_status(false)/>
            <TextField label="Response headers (Set-Cookie may repeat)" field=p("response.headers") multiline=true
                get=get(|r| r.response.headers.clone()) set=set(|r, v| r.response.headers = v)/>
            <NumberField label="Answers only call number (empty: every call)" field=p("call") max=1000
                empty_means="every call"
                get=route_signal(s, index, |r| (r.call > 0).then_some(u64::from(r.call)))
                set=route_callback(s, index, |r, v: Option<u64>| r.call = v.unwrap_or(0) as u32)/>
            <CheckField label="Reflect the request's Origin (Access-Control-Allow-Origin = Origin, and Vary: Origin)" field=p("reflect_origin")
                get=route_signal(s, index, |r| r.reflect_origin) set=route_callback(s, index, |r, v: bool| r.reflect_origin = v)/>
            <CheckField label="Match the query string too (the path includes ?…)" field=p("match_query")
                get=route_signal(s, index, |r| r.match_query) set=route_callback(s, index, |r, v: bool| r.match_query = v)/>
        </div>
    }
}
