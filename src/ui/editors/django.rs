//! Django: `settings.py` one setting at a time, each typed as a Python
//! literal (what the engine cannot read stays in the box with Django's
//! message next to it), the version and `urls.py`.

use crumbtrail_engine::scenario::ServerSetup;
use crumbtrail_engine::server::django::keys::{parse_urls, urls_str};
use crumbtrail_engine::server::django::settings_py::{editable, literal_of, set_literal};
use crumbtrail_engine::server::django::{default_note, DjangoApp, DjangoVersion};
use leptos::prelude::*;

use super::*;
use crate::ui::ctx;

const VERSIONS: [(&str, DjangoVersion); 2] =
    [("4.2", DjangoVersion::V4_2), ("5.2", DjangoVersion::V5_2)];

fn read<T: Default>(s: &crumbtrail_engine::Scenario, f: impl Fn(&DjangoApp) -> T) -> T {
    match &s.server {
        ServerSetup::Django(a) => f(a),
        _ => T::default(),
    }
}

#[component]
pub(crate) fn DjangoEditor() -> impl IntoView {
    let s = ctx().scenario;
    let version = Signal::derive(move || s.with(|s| read(s, |a| key_of(&VERSIONS, a.version))));
    let set_version = Callback::new(move |k: String| {
        if let Some(v) = pick(&VERSIONS, &k) {
            s.update(|s| {
                if let ServerSetup::Django(a) = &mut s.server {
                    a.version = v;
                }
            })
        }
    });
    let urls_error = RwSignal::new(None::<String>);
    let urls = Signal::derive(move || s.with(|s| read(s, |a| urls_str(&a.urls))));
    let set_urls = Callback::new(move |text: String| match parse_urls(&text) {
        Ok(u) => {
            urls_error.set(None);
            s.update(|s| {
                if let ServerSetup::Django(a) = &mut s.server {
                    a.urls = u;
                }
            })
        }
        Err(e) => urls_error.set(Some(e)),
    });
    view! {
        <div class="django">
            <SelectField label="Django" field="server.django".into()
                options=VERSIONS.iter().map(|(k, _)| (*k, *k)).collect() get=version set=set_version
                hint="The LTS releases; django-cors-headers 4.9."/>
            <p class="hint">"Each setting as in settings.py, a Python literal: ['http://localhost:5173'], True, 'None', None, 60 * 60."</p>
            {editable().iter().map(|name| view! { <SettingField name=name/> }).collect_view()}
            <TextField label="urls.py" field="server.urls".into() get=urls set=set_urls error=urls_error
                hint="route view, ; between entries: login_view (@require_POST), me_view, csrf_view, logout_view; add exempt for csrf_exempt(view)."/>
        </div>
    }
}

/// One setting: its Python literal, Django's default note as a hint.
#[component]
fn SettingField(name: &'static str) -> impl IntoView {
    let s = ctx().scenario;
    let error = RwSignal::new(None::<String>);
    let get =
        Signal::derive(move || s.with(|s| read(s, |a| literal_of(a, name).unwrap_or_default())));
    let set = Callback::new(move |text: String| {
        let mut result = Ok(());
        s.update(|s| {
            if let ServerSetup::Django(a) = &mut s.server {
                result = set_literal(a, name, &text);
            }
        });
        error.set(result.err());
    });
    let multiline = matches!(
        name,
        "MIDDLEWARE" | "CORS_ALLOW_HEADERS" | "CORS_ALLOW_METHODS"
    );
    view! {
        <TextField label=name field=format!("server.{name}") get=get set=set error=error
            multiline=multiline hint=default_note(name).unwrap_or("")/>
    }
}
