//! Settings editors: server (one module per stack, chosen with the
//! server-kind selector in [`server`]), client (page and requests, in
//! [`client`]) and browser profile. This module holds the shared field
//! components. Each field writes straight into the
//! scenario; the engine's field errors are shown next to the field they name
//! (`FieldError.field` is a dotted path, matched here by prefix).

use std::cell::Cell;

use leptos::prelude::*;

use super::import_panel::AssumedMark;
use super::results::rich;
use super::{ctx, glue};

mod client;
mod django;
mod express;
mod fastapi;
mod laravel;
mod proxy;
mod rails;
mod raw;
mod server;

use client::{PageEditor, ProfilePicker, RequestsEditor};
pub(crate) use server::keep_first_editor;
use server::ServerEditor;

/// An update (simulation and re-render) longer than this is a long task
/// (the browser's 50 ms): the next key is then painted before it runs.
const SLOW_UPDATE_MS: f64 = 50.0;

thread_local! {
    /// How long the last typed update took, from the key to the next frame.
    static LAST_UPDATE_MS: Cell<f64> = const { Cell::new(0.0) };
}
// Each stack's editor is built by its own split point (`crate::ui::deferred::editor`).
pub(crate) use django::DjangoEditor;
pub(crate) use express::ExpressEditor;
pub(crate) use fastapi::FastApiEditor;
pub(crate) use laravel::LaravelEditor;
pub(crate) use rails::RailsEditor;
pub(crate) use raw::RawEditor;

pub(super) fn dom_id(field: &str) -> String {
    format!("f-{}", field.replace('.', "-"))
}

/// The engine's messages for `field` and everything below it.
fn errors_for(field: &str) -> Signal<Vec<String>> {
    let ctx = ctx();
    let field = field.to_string();
    let prefix = format!("{field}.");
    Signal::derive(move || {
        ctx.field_errors.with(|errors| {
            errors
                .iter()
                .filter(|e| e.field == field || e.field.starts_with(&prefix))
                .map(|e| e.message.clone())
                .collect()
        })
    })
}

/// Error text under a field (empty when the field is fine).
#[component]
fn FieldErrors(field: String, #[prop(into)] local: Signal<Option<String>>) -> impl IntoView {
    let errs = errors_for(&field);
    let id = format!("{}-error", dom_id(&field));
    view! {
        <p class="field-error" id=id data-field-error=field.clone() hidden=move || errs.with(Vec::is_empty) && local.with(Option::is_none)>
            {move || {
                let mut all = errs.get();
                if let Some(l) = local.get() {
                    all.insert(0, l);
                }
                all.into_iter().map(|m| view! { <span>"✕ " {rich(&m)}</span> }).collect_view()
            }}
        </p>
    }
}

/// A text input (or textarea) bound to one scenario string.
#[component]
pub(crate) fn TextField(
    label: &'static str,
    field: String,
    #[prop(into)] get: Signal<String>,
    set: Callback<String>,
    #[prop(optional)] multiline: bool,
    #[prop(optional)] hint: &'static str,
    #[prop(optional)] placeholder: &'static str,
    /// A message from reading the text in the page (kept next to the field).
    #[prop(optional)]
    error: Option<RwSignal<Option<String>>>,
) -> impl IntoView {
    let id = dom_id(&field);
    let err_id = format!("{id}-error");
    let errs = errors_for(&field);
    let local = error.unwrap_or_else(|| RwSignal::new(None));
    let invalid =
        move || (errs.with(|e| !e.is_empty()) || local.with(Option::is_some)).then_some("true");
    // The box keeps what was typed (a trailing newline, comma or space) while
    // the scenario holds the value read from it; outside changes (presets,
    // fixes) replace the text.
    let text = RwSignal::new(get.get_untracked());
    let echo = StoredValue::new(get.get_untracked());
    Effect::new(move |_| {
        let v = get.get();
        if v != echo.get_value() {
            echo.set_value(v.clone());
            text.set(v);
            local.set(None);
        }
    });
    // Typing is written to the scenario at most once per frame: a key is
    // simulated at once, and the keys that arrive before the next frame (a
    // slow phone still building the last one) make one simulation together
    // at that frame instead of one each. The box shows every key at once.
    // Where an update takes longer than a long task (a setup with thousands
    // of cookies or redirects, see [`SLOW_UPDATE_MS`]), the key is painted
    // first and the simulation runs in the task after it.
    let apply = move |raw: String| {
        let started = glue::now_ms();
        set.run(raw);
        echo.set_value(get.get_untracked());
        // The frame's callbacks run after the update (its effects included).
        glue::before_next_paint(move || {
            LAST_UPDATE_MS.with(|last| last.set(glue::now_ms() - started));
        });
    };
    let pending = StoredValue::new(None::<String>);
    let applied_this_frame = StoredValue::new(false);
    let apply_pending = move || {
        applied_this_frame.set_value(false);
        if let Some(raw) = pending.try_update_value(Option::take).flatten() {
            apply(raw);
        }
    };
    let on_input = move |ev| {
        let raw = event_target_value(&ev);
        text.set(raw.clone());
        if applied_this_frame.get_value() {
            pending.set_value(Some(raw));
            return;
        }
        applied_this_frame.set_value(true);
        if LAST_UPDATE_MS.with(Cell::get) > SLOW_UPDATE_MS {
            pending.set_value(Some(raw));
            glue::after_paint(0, apply_pending);
        } else {
            apply(raw);
            glue::before_next_paint(apply_pending);
        }
    };
    let input = if multiline {
        view! {
            // Sized to its content (3 to 12 rows), so no header line is cut off.
            <textarea id=id.clone() rows=move || text.with(|t| t.lines().count().clamp(2, 11) + 1) spellcheck="false" placeholder=placeholder
                aria-invalid=invalid aria-describedby=err_id.clone() data-field=field.clone()
                prop:value=move || text.get() on:input=on_input></textarea>
        }
        .into_any()
    } else {
        view! {
            <input id=id.clone() type="text" spellcheck="false" autocomplete="off" placeholder=placeholder
                aria-invalid=invalid aria-describedby=err_id.clone() data-field=field.clone()
                prop:value=move || text.get() on:input=on_input/>
        }
        .into_any()
    };
    view! {
        <div class="field" class:invalid=move || invalid().is_some()>
            <label for=id.clone()>{label}</label>
            <AssumedMark field=field.clone() target=id.clone()/>
            {input}
            {(!hint.is_empty()).then(|| view! { <p class="hint">{rich(hint)}</p> })}
            <FieldErrors field=field.clone() local=local/>
        </div>
    }
}

/// A number input; what does not parse stays in the box with a message and
/// leaves the scenario as it was.
#[component]
pub(crate) fn NumberField(
    label: &'static str,
    field: String,
    #[prop(into)] get: Signal<Option<u64>>,
    set: Callback<Option<u64>>,
    #[prop(optional)] empty_means: &'static str,
    max: u64,
) -> impl IntoView {
    let id = dom_id(&field);
    let err_id = format!("{id}-error");
    let text = RwSignal::new(
        get.get_untracked()
            .map(|n| n.to_string())
            .unwrap_or_default(),
    );
    let local = RwSignal::new(None::<String>);
    // Follow outside changes (presets, fixes) unless the box holds the same number.
    Effect::new(move |_| {
        let v = get.get();
        let shown = text.get_untracked().trim().parse::<u64>().ok();
        if shown != v && local.get_untracked().is_none() {
            text.set(v.map(|n| n.to_string()).unwrap_or_default());
        }
    });
    let on_input = move |ev| {
        let raw = event_target_value(&ev);
        text.set(raw.clone());
        let t = raw.trim();
        if t.is_empty() && !empty_means.is_empty() {
            local.set(None);
            set.run(None);
        } else {
            match t.parse::<u64>() {
                Ok(n) if n <= max => {
                    local.set(None);
                    set.run(Some(n));
                }
                _ => local.set(Some(format!("`{t}` is not a whole number from 0 to {max}"))),
            }
        }
    };
    view! {
        <div class="field" class:invalid=move || local.with(Option::is_some)>
            <label for=id.clone()>{label}</label>
            <AssumedMark field=field.clone() target=id.clone()/>
            <input id=id.clone() type="text" inputmode="numeric" autocomplete="off" placeholder=empty_means
                aria-invalid=move || local.with(|l| l.is_some().then_some("true"))
                aria-describedby=err_id data-field=field.clone()
                prop:value=move || text.get() on:input=on_input/>
            <FieldErrors field=field local=local/>
        </div>
    }
}

/// A `<select>` over string keys.
#[component]
pub(crate) fn SelectField(
    label: &'static str,
    field: String,
    options: Vec<(&'static str, &'static str)>,
    #[prop(into)] get: Signal<&'static str>,
    set: Callback<String>,
    #[prop(optional)] hint: &'static str,
) -> impl IntoView {
    let id = dom_id(&field);
    let opts = options
        .into_iter()
        .map(|(k, l)| view! { <option value=k>{l}</option> })
        .collect_view();
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <AssumedMark field=field.clone() target=id.clone()/>
            <select id=id data-field=field.clone() prop:value=move || get.get() on:change=move |ev| set.run(event_target_value(&ev))>
                {opts}
            </select>
            {(!hint.is_empty()).then(|| view! { <p class="hint">{rich(hint)}</p> })}
            <FieldErrors field=field local=Signal::derive(|| None::<String>)/>
        </div>
    }
}

/// A checkbox.
#[component]
pub(crate) fn CheckField(
    label: &'static str,
    field: String,
    #[prop(into)] get: Signal<bool>,
    set: Callback<bool>,
    #[prop(optional)] hint: &'static str,
) -> impl IntoView {
    let id = dom_id(&field);
    view! {
        <div class="field check">
            <input id=id.clone() type="checkbox" data-field=field.clone() prop:checked=move || get.get()
                on:change=move |ev| set.run(event_target_checked(&ev))/>
            <label for=id.clone()>{label}</label>
            <AssumedMark field=field.clone() target=id/>
            {(!hint.is_empty()).then(|| view! { <p class="hint">{rich(hint)}</p> })}
            <FieldErrors field=field local=Signal::derive(|| None::<String>)/>
        </div>
    }
}

fn pick<T: Copy>(options: &[(&'static str, T)], key: &str) -> Option<T> {
    options.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
}

fn key_of<T: Copy + PartialEq>(options: &[(&'static str, T)], value: T) -> &'static str {
    options
        .iter()
        .find(|(_, v)| *v == value)
        .map(|(k, _)| *k)
        .unwrap_or("")
}

// ---------------------------------------------------------------------------

/// Every editor: browser, page and requests, server.
#[component]
pub fn Settings() -> impl IntoView {
    view! {
        <div class="settings-body">
            <fieldset class="panel">
                <legend>"Browser"</legend>
                <ProfilePicker/>
                <super::jar_editor::JarEditor/>
            </fieldset>
            <fieldset class="panel">
                <legend>"Client: page and requests"</legend>
                <PageEditor/>
                <RequestsEditor/>
            </fieldset>
            <fieldset class="panel">
                <legend>"Server"</legend>
                <ServerEditor/>
                <proxy::ProxyEditor/>
            </fieldset>
        </div>
    }
}
