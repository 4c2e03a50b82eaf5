//! FastAPI: `main.py`'s middleware and their keyword arguments one at a
//! time, each typed as a Python literal (what the engine cannot read stays
//! in the box with Starlette's message next to it), the release, and the
//! uvicorn command line.

use crumbtrail_engine::scenario::ServerSetup;
use crumbtrail_engine::server::fastapi::literals::{label, literal_of, set_literal, NAMES};
use crumbtrail_engine::server::fastapi::{default_note, FastApiApp, FastApiVersion};
use leptos::prelude::*;

use super::*;
use crate::ui::ctx;

const VERSIONS: [(&str, FastApiVersion); 2] = [
    ("0.110", FastApiVersion::V0_110),
    ("0.165", FastApiVersion::V0_165),
];

fn read<T: Default>(s: &crumbtrail_engine::Scenario, f: impl Fn(&FastApiApp) -> T) -> T {
    match &s.server {
        ServerSetup::FastApi(a) => f(a),
        _ => T::default(),
    }
}

#[component]
pub(crate) fn FastApiEditor() -> impl IntoView {
    let s = ctx().scenario;
    let version = Signal::derive(move || s.with(|s| read(s, |a| key_of(&VERSIONS, a.version))));
    let set_version = Callback::new(move |k: String| {
        if let Some(v) = pick(&VERSIONS, &k) {
            s.update(|s| {
                if let ServerSetup::FastApi(a) = &mut s.server {
                    a.version = v;
                }
            })
        }
    });
    view! {
        <div class="fastapi">
            <SelectField label="FastAPI" field="server.fa.version".into()
                options=VERSIONS.iter().map(|(k, v)| (*k, v.label())).collect() get=version set=set_version
                hint="The releases the differential suite runs; Starlette and uvicorn come with them."/>
            <p class="hint">"Each keyword argument as in main.py, a Python literal: ['http://localhost:5173'], True, \"none\", None, 60 * 60. The login is POST /api/login, then GET /api/me, POST /api/logout, GET /api/boom (raises)."</p>
            {NAMES.iter().map(|name| view! { <SettingField name=name/> }).collect_view()}
        </div>
    }
}

/// One setting: its Python literal, Starlette's default note as a hint.
#[component]
fn SettingField(name: &'static str) -> impl IntoView {
    let s = ctx().scenario;
    let error = RwSignal::new(None::<String>);
    let get =
        Signal::derive(move || s.with(|s| read(s, |a| literal_of(a, name).unwrap_or_default())));
    let set = Callback::new(move |text: String| {
        let mut result = Ok(());
        s.update(|s| {
            if let ServerSetup::FastApi(a) = &mut s.server {
                result = set_literal(a, name, &text);
            }
        });
        error.set(result.err());
    });
    let multiline = matches!(name, "set_cookie" | "allow_headers" | "allow_methods");
    view! {
        <TextField label=label(name) field=format!("server.fa.{name}") get=get set=set error=error
            multiline=multiline hint=default_note(name).unwrap_or("")/>
    }
}
