//! The browser profile, the page and the requests it makes.

use crumbtrail_engine::address_space::AddressSpace;
use crumbtrail_engine::permalink::{MAX_ITEMS, STORAGE_ACCESS_CALLS};
use crumbtrail_engine::scenario::{
    BodyKind, Client, CredentialsMode, FormEnctype, NavigationForm, PermissionState, RedirectMode,
    RequestMode, RequestSpec, RunsFrom,
};
use crumbtrail_engine::ProfileId;
use leptos::prelude::*;

use super::*;
use crate::ui::ctx;

#[component]
pub(super) fn ProfilePicker() -> impl IntoView {
    let ctx = ctx();
    let items = ProfileId::ALL
        .iter()
        .map(|&id| {
            let dom = format!("profile-{}", id.key());
            view! {
                <div class="radio">
                    <input type="radio" name="profile" id=dom.clone() value=id.key()
                        prop:checked=move || ctx.scenario.with(|s| s.profile == id)
                        on:change=move |_| ctx.scenario.update(|s| {
                            s.profile = id;
                            s.profile_version = id.pick();
                        })/>
                    <label for=dom><span data-profile=id.key()>{id.profile().name}</span></label>
                </div>
            }
        })
        .collect_view();
    view! {
        <div class="radios" role="radiogroup" aria-label="Browser profile" id="f-profile">
            <AssumedMark field="profile".to_string() target="f-profile".to_string()/>
            {items}
        </div>
    }
}

#[component]
pub(super) fn PageEditor() -> impl IntoView {
    let ctx = ctx();
    let s = ctx.scenario;
    view! {
        <TextField label="Page URL (the document that runs the code)" field="page.url".into()
            get=Signal::derive(move || s.with(|s| s.page.url.clone()))
            set=Callback::new(move |v| s.update(|s| s.page.url = v))/>
        <TextField label="Top-level page URL (only when the page sits in an iframe)" field="page.top_level_url".into()
            placeholder="empty: the page is the top-level document"
            get=Signal::derive(move || s.with(|s| s.page.top_level_url.clone().unwrap_or_default()))
            set=Callback::new(move |v: String| s.update(|s| s.page.top_level_url = (!v.trim().is_empty()).then_some(v)))/>
        // Shown once the trace meets Chrome's Local Network Access check (a
        // page on a public address calling a local one), or it was changed.
        <Show when=move || {
            ctx.trace.with(|t| t.steps.iter().any(|st| st.reason.is_local_network_access()))
                || s.with(|s| s.page.local_network != PermissionState::Ask)
        }>
            <SelectField label="Local network access (Chrome asks before a public page reaches localhost or a private address)" field="page.local_network".into()
                options=vec![("ask", "not answered yet: Chrome asks"), ("granted", "allowed"), ("denied", "blocked")]
                get=Signal::derive(move || s.with(|s| s.page.local_network.key()))
                set=Callback::new(move |k: String| s.update(|s| if let Some(p) = PermissionState::from_key(&k) { s.page.local_network = p; }))/>
        </Show>
        // The Storage Access API: for a page in an iframe.
        <Show when=move || s.with(|s| s.page.top_level_url.is_some() || !s.page.storage_access.is_unused())>
            <SelectField label="document.requestStorageAccess() in the frame" field="page.storage_access.call".into()
                options=vec![("none", "not called"), ("click", "on a click (with user activation)"), ("load", "as the page loads (no user gesture)")]
                get=Signal::derive(move || s.with(|s| key_of(&STORAGE_ACCESS_CALLS, s.page.storage_access.call)))
                set=Callback::new(move |k: String| s.update(|s| if let Some(c) = pick(&STORAGE_ACCESS_CALLS, &k) { s.page.storage_access.call = c; }))/>
            <CheckField label="The user has used the embedded site as a top-level site in the last 30 days" field="page.storage_access.interacted_top_level".into()
                get=Signal::derive(move || s.with(|s| s.page.storage_access.interacted_top_level))
                set=Callback::new(move |v: bool| s.update(|s| s.page.storage_access.interacted_top_level = v))/>
            <SelectField label="Storage access permission for this pair of sites" field="page.storage_access.permission".into()
                options=vec![("ask", "not asked yet"), ("granted", "granted before"), ("denied", "denied before")]
                get=Signal::derive(move || s.with(|s| s.page.storage_access.permission.key()))
                set=Callback::new(move |k: String| s.update(|s| if let Some(p) = PermissionState::from_key(&k) { s.page.storage_access.permission = p; }))/>
        </Show>
    }
}

/// fetch's `targetAddressSpace` option.
const TARGET_SPACES: [(&str, Option<AddressSpace>); 4] = [
    ("unset", None),
    ("local", Some(AddressSpace::Local)),
    ("loopback", Some(AddressSpace::Loopback)),
    ("public", Some(AddressSpace::Public)),
];

#[component]
pub(super) fn RequestsEditor() -> impl IntoView {
    let ctx = ctx();
    let count = Memo::new(move |_| ctx.scenario.with(|s| s.requests.len()));
    let add = move |_| {
        ctx.scenario.update(|s| {
            // A permalink holds at most MAX_ITEMS requests.
            if s.requests.len() < MAX_ITEMS {
                let next = s.requests.last().cloned().unwrap_or_default();
                s.requests.push(next);
            }
        })
    };
    view! {
        <div class="requests">
            {move || (0..count.get()).map(|i| view! { <RequestEditor index=i/> }).collect_view()}
            <button type="button" class="add" on:click=add prop:disabled={move || count.get() >= MAX_ITEMS}>"+ Add a request"</button>
        </div>
    }
}

const VIA: [(&str, &str); 8] = [
    ("fetch", "fetch()"),
    ("xhr", "XMLHttpRequest"),
    ("axios", "axios"),
    ("link", "Link (top-level GET navigation)"),
    ("form", "Form POST (top-level navigation)"),
    (
        "form-get",
        "Form GET (top-level navigation, fields in the query)",
    ),
    ("iframe", "iframe load"),
    ("visit", "Visit (typed URL or bookmark: no initiator)"),
];

const ENCTYPES: [(&str, FormEnctype); 3] = [
    ("urlencoded", FormEnctype::UrlEncoded),
    ("multipart", FormEnctype::Multipart),
    ("text", FormEnctype::TextPlain),
];

const RUNS_FROM: [(&str, RunsFrom); 2] = [("page", RunsFrom::Page), ("current", RunsFrom::Current)];

fn via_key(c: &Client) -> &'static str {
    match c {
        Client::Fetch { .. } => "fetch",
        Client::Xhr { .. } => "xhr",
        Client::Axios { .. } => "axios",
        Client::Navigation {
            form: NavigationForm::Link,
        } => "link",
        Client::Navigation {
            form: NavigationForm::FormPost,
        } => "form",
        Client::Navigation {
            form: NavigationForm::FormGet,
        } => "form-get",
        Client::Iframe => "iframe",
        Client::Visit => "visit",
    }
}

const MODES: [(&str, RequestMode); 3] = [
    ("cors", RequestMode::Cors),
    ("no-cors", RequestMode::NoCors),
    ("same-origin", RequestMode::SameOrigin),
];

const CREDS: [(&str, CredentialsMode); 3] = [
    ("omit", CredentialsMode::Omit),
    ("same-origin", CredentialsMode::SameOrigin),
    ("include", CredentialsMode::Include),
];

const REDIRECTS: [(&str, RedirectMode); 3] = [
    ("follow", RedirectMode::Follow),
    ("error", RedirectMode::Error),
    ("manual", RedirectMode::Manual),
];

const BODIES: [(&str, BodyKind); 6] = [
    ("none", BodyKind::None),
    ("json", BodyKind::Json),
    ("text", BodyKind::Text),
    ("urlencoded", BodyKind::UrlEncoded),
    ("formdata", BodyKind::FormData),
    ("stream", BodyKind::Stream),
];

#[component]
fn RequestEditor(index: usize) -> impl IntoView {
    let ctx = ctx();
    let s = ctx.scenario;
    let get = move |f: fn(&RequestSpec) -> String| {
        Signal::derive(move || s.with(|s| s.requests.get(index).map(f).unwrap_or_default()))
    };
    let upd = move |f: Box<dyn FnOnce(&mut RequestSpec)>| {
        s.update(|s| {
            if let Some(r) = s.requests.get_mut(index) {
                f(r)
            }
        })
    };
    let client =
        Memo::new(move |_| s.with(|s| s.requests.get(index).map(|r| r.client).unwrap_or_default()));
    let p = move |name: &str| format!("requests.{index}.{name}");
    let remove = move |_| {
        s.update(|s| {
            if index < s.requests.len() {
                s.requests.remove(index);
            }
        })
    };
    let set_via = Callback::new(move |k: String| {
        upd(Box::new(move |r| {
            let include = r.client.credentials_mode() == CredentialsMode::Include;
            r.client = match k.as_str() {
                "fetch" => Client::Fetch {
                    mode: RequestMode::Cors,
                    credentials: if include {
                        CredentialsMode::Include
                    } else {
                        CredentialsMode::SameOrigin
                    },
                    redirect: RedirectMode::Follow,
                },
                "xhr" => Client::Xhr {
                    with_credentials: include,
                },
                "axios" => Client::Axios {
                    with_credentials: include,
                    with_xsrf_token: false,
                },
                "link" => Client::Navigation {
                    form: NavigationForm::Link,
                },
                "form" => Client::Navigation {
                    form: NavigationForm::FormPost,
                },
                "form-get" => Client::Navigation {
                    form: NavigationForm::FormGet,
                },
                "visit" => Client::Visit,
                _ => Client::Iframe,
            }
        }))
    });
    let client_options = move || {
        match client.get() {
        Client::Fetch {
            mode, credentials, redirect,
        } => view! {
            <div class="row">
                <SelectField label="mode" field=p("client.mode") options=MODES.iter().map(|(k, _)| (*k, *k)).collect()
                    get=Signal::derive(move || key_of(&MODES, mode))
                    set=Callback::new(move |k: String| upd(Box::new(move |r| {
                        if let (Client::Fetch { mode, .. }, Some(m)) = (&mut r.client, pick(&MODES, &k)) { *mode = m; }
                    })))/>
                <SelectField label="credentials" field=p("client.credentials") options=CREDS.iter().map(|(k, _)| (*k, *k)).collect()
                    get=Signal::derive(move || key_of(&CREDS, credentials))
                    set=Callback::new(move |k: String| upd(Box::new(move |r| {
                        if let (Client::Fetch { credentials, .. }, Some(c)) = (&mut r.client, pick(&CREDS, &k)) { *credentials = c; }
                    })))/>
                <SelectField label="redirect" field=p("client.redirect") options=REDIRECTS.iter().map(|(k, _)| (*k, *k)).collect()
                    get=Signal::derive(move || key_of(&REDIRECTS, redirect))
                    set=Callback::new(move |k: String| upd(Box::new(move |r| {
                        if let (Client::Fetch { redirect, .. }, Some(m)) = (&mut r.client, pick(&REDIRECTS, &k)) { *redirect = m; }
                    })))/>
                <SelectField label="targetAddressSpace" field=p("target_address_space") options=TARGET_SPACES.iter().map(|(k, _)| (*k, *k)).collect()
                    get=Signal::derive(move || s.with(|s| s.requests.get(index).map(|r| key_of(&TARGET_SPACES, r.target_address_space)).unwrap_or("unset")))
                    set=Callback::new(move |k: String| upd(Box::new(move |r| {
                        if let Some(t) = pick(&TARGET_SPACES, &k) { r.target_address_space = t; }
                    })))/>
            </div>
        }
        .into_any(),
        Client::Axios { with_credentials, with_xsrf_token } => view! {
            <div class="row">
                <CheckField label="withCredentials: true" field=p("client.with_credentials")
                    get=Signal::derive(move || with_credentials)
                    set=Callback::new(move |on: bool| upd(Box::new(move |r| {
                        if let Client::Axios { with_credentials, .. } = &mut r.client { *with_credentials = on; }
                    })))/>
                <CheckField label="withXSRFToken: true" field=p("client.with_xsrf_token")
                    get=Signal::derive(move || with_xsrf_token)
                    hint="Copy the XSRF-TOKEN cookie into X-XSRF-TOKEN for another origin too (axios 1.6+ does it for same-origin URLs only)."
                    set=Callback::new(move |on: bool| upd(Box::new(move |r| {
                        if let Client::Axios { with_xsrf_token, .. } = &mut r.client { *with_xsrf_token = on; }
                    })))/>
            </div>
        }
        .into_any(),
        Client::Xhr { with_credentials } => view! {
            <CheckField label="withCredentials = true" field=p("client.with_credentials")
                get=Signal::derive(move || with_credentials)
                set=Callback::new(move |on: bool| upd(Box::new(move |r| {
                    if let Client::Xhr { with_credentials } = &mut r.client { *with_credentials = on; }
                })))/>
        }
        .into_any(),
        _ => ().into_any(),
    }
    };
    let is_script = move || client.get().is_script();
    view! {
        <div class="request-editor" data-request-editor=index>
            <div class="request-head">
                <h3>"Request " {index + 1}</h3>
                <button type="button" class="remove" on:click=remove aria-label=format!("Remove request {}", index + 1)>"Remove"</button>
            </div>
            <SelectField label="Made with" field=p("client") options=VIA.to_vec()
                get=Signal::derive(move || via_key(&client.get())) set=set_via/>
            {client_options}
            <div class="row method-url">
                <Show when=is_script>
                    <TextField label="Method" field=p("method") get=get(|r| r.method.clone())
                        set=Callback::new(move |v| upd(Box::new(move |r| r.method = v)))/>
                </Show>
                <TextField label="URL" field=p("url") get=get(|r| r.url.clone())
                    set=Callback::new(move |v| upd(Box::new(move |r| r.url = v)))/>
            </div>
            <Show when=is_script>
                <TextField label="Request headers (one Name: value per line)" field=p("headers") multiline=true
                    get=get(|r| r.headers.clone())
                    set=Callback::new(move |v| upd(Box::new(move |r| r.headers = v)))/>
                <SelectField label="Body" field=p("body") options=vec![
                        ("none", "none"), ("json", "JSON.stringify(…) (axios: an object)"), ("text", "a string"),
                        ("urlencoded", "URLSearchParams"), ("formdata", "FormData"), ("stream", "ReadableStream")]
                    get=Signal::derive(move || s.with(|s| s.requests.get(index).map(|r| key_of(&BODIES, r.body)).unwrap_or("none")))
                    set=Callback::new(move |k: String| upd(Box::new(move |r| if let Some(b) = pick(&BODIES, &k) { r.body = b; })))/>
            </Show>
            <NavigationFields index=index/>
            <NumberField label="Seconds before this request" field=p("delay_secs") max=10 * 366 * 86_400
                get=Signal::derive(move || s.with(|s| s.requests.get(index).map(|r| r.delay_secs)))
                set=Callback::new(move |v: Option<u64>| upd(Box::new(move |r| r.delay_secs = v.unwrap_or(0))))/>
        </div>
    }
}

/// A form's fields and enctype, and the document a request runs from (once
/// an earlier request is a top-level navigation; a visit has no document).
#[component]
fn NavigationFields(index: usize) -> impl IntoView {
    let s = ctx().scenario;
    let p = move |name: &str| format!("requests.{index}.{name}");
    let get = move |f: fn(&RequestSpec) -> String| {
        Signal::derive(move || s.with(|s| s.requests.get(index).map(f).unwrap_or_default()))
    };
    let upd = move |f: Box<dyn FnOnce(&mut RequestSpec)>| {
        s.update(|s| {
            if let Some(r) = s.requests.get_mut(index) {
                f(r)
            }
        })
    };
    let form = move || {
        s.with(|s| match s.requests.get(index).map(|r| r.client) {
            Some(Client::Navigation { form }) if form != NavigationForm::Link => Some(form),
            _ => None,
        })
    };
    let after_navigation = Memo::new(move |_| {
        s.with(|s| {
            s.requests
                .iter()
                .take(index)
                .any(|r| r.client.is_top_level_navigation())
                && s.requests
                    .get(index)
                    .is_some_and(|r| r.client != Client::Visit)
        })
    });
    view! {
        <Show when=move || form().is_some()>
            <TextField label="Form fields (one name=value per line)" field=p("fields") multiline=true
                placeholder="user=ada"
                get=get(|r| r.fields.clone())
                set=Callback::new(move |v| upd(Box::new(move |r| r.fields = v)))/>
        </Show>
        <Show when=move || form() == Some(NavigationForm::FormPost)>
            <SelectField label="enctype" field=p("enctype") options=vec![
                    ("urlencoded", "application/x-www-form-urlencoded"), ("multipart", "multipart/form-data"), ("text", "text/plain")]
                get=Signal::derive(move || s.with(|s| s.requests.get(index).map(|r| key_of(&ENCTYPES, r.enctype)).unwrap_or("urlencoded")))
                set=Callback::new(move |k: String| upd(Box::new(move |r| if let Some(e) = pick(&ENCTYPES, &k) { r.enctype = e; })))/>
        </Show>
        <Show when=move || after_navigation.get()>
            <SelectField label="Runs from" field=p("runs_from") options=vec![
                    ("page", "the page above (it stays open)"), ("current", "the current document (where the last navigation landed)")]
                get=Signal::derive(move || s.with(|s| s.requests.get(index).map(|r| key_of(&RUNS_FROM, r.runs_from)).unwrap_or("page")))
                set=Callback::new(move |k: String| upd(Box::new(move |r| if let Some(f) = pick(&RUNS_FROM, &k) { r.runs_from = f; })))/>
        </Show>
    }
}
