//! What the engine said: the verdict, the outcome of each request, the root
//! causes, every step of the trace and the cookie jar. Read-only views of
//! the `Trace`; the wording is the engine's.

use crumbtrail_engine::explain::summary::field_label;
use crumbtrail_engine::trace::{
    CookieView, JsResult, PreflightOutcome, Reason, RequestOutcome, Step, Verdict,
};
use leptos::prelude::*;

use super::{ctx, glue};

/// `ok` / `warning` / `blocked` (the serde names).
pub fn verdict_key(v: Verdict) -> &'static str {
    match v {
        Verdict::Ok => "ok",
        Verdict::Warning => "warning",
        Verdict::Blocked => "blocked",
    }
}

/// Icon and word, so colour is never the only signal.
pub fn verdict_badge(v: Verdict) -> (&'static str, &'static str) {
    match v {
        Verdict::Ok => ("✓", "OK"),
        Verdict::Warning => ("!", "Warning"),
        Verdict::Blocked => ("✕", "Blocked"),
    }
}

pub fn preflight_key(p: PreflightOutcome) -> &'static str {
    match p {
        PreflightOutcome::NotNeeded => "not-needed",
        PreflightOutcome::Cached => "cached",
        PreflightOutcome::Passed => "passed",
        PreflightOutcome::Failed => "failed",
    }
}

pub fn js_key(j: JsResult) -> &'static str {
    match j {
        JsResult::Readable => "readable",
        JsResult::Opaque => "opaque",
        JsResult::NetworkError => "network-error",
        JsResult::Navigated => "navigated",
        JsResult::NotSent => "not-sent",
    }
}

/// The reason's serde name (snake_case), e.g. `wildcard_origin_with_credentials`.
pub fn reason_key(r: Reason) -> String {
    let name = format!("{r:?}");
    let mut out = String::with_capacity(name.len() + 8);
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// Text with `inline code` in backticks, rendered with `<code>` and no
/// backticks (the engine's sentences quote code that way).
pub fn rich(text: &str) -> impl IntoView {
    text.split('`')
        .enumerate()
        .filter(|(_, part)| !part.is_empty())
        .map(|(i, part)| {
            if i % 2 == 1 {
                view! { <code>{part.to_string()}</code> }.into_any()
            } else {
                part.to_string().into_any()
            }
        })
        .collect_view()
}

fn names(v: &[String]) -> String {
    v.join(",")
}

/// The one-sentence answer, first on the page, in a live region.
#[component]
pub fn Verdict() -> impl IntoView {
    let ctx = ctx();
    // A field that cannot be read makes the answer "incomplete" (neutral),
    // never OK: the requests behind it were not simulated.
    let state = Memo::new(move |_| {
        ctx.trace.with(|t| {
            if t.incomplete() {
                ("incomplete", ("…", "Incomplete"))
            } else {
                (verdict_key(t.verdict), verdict_badge(t.verdict))
            }
        })
    });
    let headline = Memo::new(move |_| ctx.trace.with(|t| t.headline.clone()));
    let waiting = Memo::new(move |_| ctx.trace.with(|t| t.field_errors.len()));
    // The server's model could not be downloaded: the one thing to do is to
    // fetch it again (`super::models`).
    let model_missing = Memo::new(move |_| {
        let kind = ctx.scenario.with(|s| s.server.kind());
        super::models::has_failed(kind).then_some(kind)
    });
    view! {
        <section id="verdict" class=move || format!("verdict v-{}", state.get().0)
            data-verdict=move || state.get().0 aria-live="polite" aria-atomic="true" tabindex="-1">
            <span class="badge" aria-hidden="true">{move || state.get().1 .0}</span>
            <div>
                <p class="verdict-label">{move || state.get().1 .1}</p>
                <p class="headline" data-headline="">{move || rich(&headline.get())}</p>
                <Show when=move || model_missing.get().is_some()>
                    <p class="waiting">
                        <button type="button" data-retry="model"
                            on:click=move |_| if let Some(kind) = model_missing.get_untracked() { super::models::retry(kind) }>
                            "Try again"
                        </button>
                    </p>
                </Show>
                <Show when=move || { waiting.get() > 0 && model_missing.get().is_none() }>
                    <p class="waiting" data-waiting=move || waiting.get()>
                        {move || match waiting.get() {
                            1 => "Fix the field marked below to see the full answer.".to_string(),
                            n => format!("Fix the {n} fields marked below to see the full answer."),
                        }}
                    </p>
                </Show>
            </div>
        </section>
    }
}

fn yes_no(ok: bool, yes: &'static str, no: &'static str) -> impl IntoView {
    let (icon, class) = if ok { ("✓", "ok") } else { ("✕", "bad") };
    view! { <span class=format!("pill {class}")><span aria-hidden="true">{icon}" "</span>{if ok { yes } else { no }}</span> }
}

fn preflight_pill(p: PreflightOutcome) -> impl IntoView {
    let (icon, class, text) = match p {
        PreflightOutcome::NotNeeded => ("–", "neutral", "no preflight"),
        PreflightOutcome::Cached => ("✓", "ok", "preflight cached"),
        PreflightOutcome::Passed => ("✓", "ok", "preflight passed"),
        PreflightOutcome::Failed => ("✕", "bad", "preflight failed"),
    };
    view! { <span class=format!("pill {class}")><span aria-hidden="true">{icon}" "</span>{text}</span> }
}

fn js_pill(j: JsResult) -> impl IntoView {
    let (icon, class, text) = match j {
        JsResult::Readable => ("✓", "ok", "readable by JS"),
        JsResult::Opaque => ("!", "warn", "opaque response"),
        JsResult::NetworkError => ("✕", "bad", "TypeError: Failed to fetch"),
        JsResult::Navigated => ("✓", "ok", "page loaded"),
        JsResult::NotSent => ("✕", "bad", "not sent"),
    };
    view! { <span class=format!("pill {class}")><span aria-hidden="true">{icon}" "</span>{text}</span> }
}

fn cookies_pill(label: &'static str, list: &[String]) -> impl IntoView {
    let (icon, class) = if list.is_empty() {
        ("–", "neutral")
    } else {
        ("✓", "ok")
    };
    let text = if list.is_empty() {
        format!("{label}: none")
    } else {
        format!("{label}: {}", named_list(list))
    };
    view! { <span class=format!("pill {class}")><span aria-hidden="true">{icon}" "</span>{text}</span> }
}

/// The fields the engine could not read, each a button that takes the user
/// to it: what the Fixes and Step-by-step panels say while the setup is
/// incomplete, instead of "nothing to fix" about requests never simulated.
#[component]
pub fn WaitingFields(
    /// The sentence before the list, e.g. "No fix to search for yet.".
    lead: &'static str,
) -> impl IntoView {
    let ctx = ctx();
    let errors = Memo::new(move |_| {
        ctx.trace.with(|t| {
            t.field_errors
                .iter()
                .map(|e| (e.field.clone(), field_label(&e.field), e.message.clone()))
                .collect::<Vec<_>>()
        })
    });
    view! {
        <Show when=move || errors.with(|e| !e.is_empty())>
            <div class="waiting-fields" data-waiting-fields=move || errors.with(Vec::len)>
                <p class="muted">{lead}" "{move || match errors.with(Vec::len) {
                    1 => "The requests that depend on this field were not simulated: fix it first.".to_string(),
                    n => format!("The requests that depend on these {n} fields were not simulated: fix them first."),
                }}</p>
                <ul>
                    {move || errors.get().into_iter().map(|(field, label, message)| {
                        let target = field.clone();
                        view! {
                            <li data-waiting-field=field>
                                <button type="button" class="link" on:click=move |_| glue::focus_field_path(&target)>{label}</button>
                                ": "{rich(&message)}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </div>
        </Show>
    }
}

/// A list whose rows re-render only when their own data changes: row `i`
/// reads item `i` of `items` through its own memo, so an edit that changes
/// one request leaves the DOM of every other row as it was (no re-layout of
/// the whole panel per keystroke).
pub fn rows<T, V, F>(items: Memo<Vec<T>>, render: F) -> impl IntoView
where
    T: Clone + PartialEq + Send + Sync + 'static,
    V: IntoView + 'static,
    F: Fn(usize, T) -> V + Clone + Send + Sync + 'static,
{
    let len = Memo::new(move |_| items.with(Vec::len));
    view! {
        <For each=move || 0..len.get() key=|i| *i children=move |i| {
            let row = Memo::new(move |_| items.with(|v| v.get(i).cloned()));
            let render = render.clone();
            move || row.get().map(|r| render(i, r))
        }/>
    }
}

/// The key outcome of each request.
#[component]
pub fn Outcomes() -> impl IntoView {
    let ctx = ctx();
    let requests = Memo::new(move |_| ctx.trace.with(|t| t.requests.clone()));
    view! {
        <section class="panel outcomes" aria-labelledby="outcomes-heading">
            <h2 id="outcomes-heading">"Requests"</h2>
            <ol class="outcome-list">{rows(requests, |_, r| outcome_row(&r))}</ol>
        </section>
    }
}

fn outcome_row(r: &RequestOutcome) -> impl IntoView {
    let rejected = r
        .cookies_rejected
        .iter()
        .map(|c| c.name.clone())
        .collect::<Vec<_>>();
    let rejected_view = (!rejected.is_empty()).then(|| {
        let text = format!("rejected: {}", named_list(&rejected));
        view! { <span class="pill bad"><span aria-hidden="true">"✕ "</span>{text}</span> }
    });
    let status = r.status.map(|s| format!("status {s}")).unwrap_or_default();
    let document = r.document.clone();
    let document_view = document.as_ref().map(|d| {
        let text = format!("{} ({})", d.url, d.status);
        view! { <p class="req-document">"Loaded " <code>{text}</code></p> }
    });
    view! {
        <li class="outcome" data-request-index=r.index
            data-preflight=preflight_key(r.preflight)
            data-sent=r.request_sent.to_string()
            data-readable=r.readable().to_string()
            data-js-result=js_key(r.js_result)
            data-status=r.status.map(|s| s.to_string()).unwrap_or_default()
            data-cookies-sent=names(&r.cookies_sent)
            data-cookies-stored=names(&r.cookies_stored)
            data-cookies-rejected=names(&rejected)
            data-blocked-by=r.blocked_by.map(reason_key).unwrap_or_default()
            data-document-url=document.as_ref().map(|d| d.url.clone()).unwrap_or_default()
            data-document-status=document.as_ref().map(|d| d.status.to_string()).unwrap_or_default()>
            <p class="req-line"><code>{r.method.clone()} " " {r.url.clone()}</code> " " <span class="muted">{status}</span></p>
            {document_view}
            <p class="pills">
                {preflight_pill(r.preflight)}
                {yes_no(r.request_sent, "request sent", "request not sent")}
                {js_pill(r.js_result)}
                {cookies_pill("cookies sent", &r.cookies_sent)}
                {cookies_pill("cookies stored", &r.cookies_stored)}
                {rejected_view}
            </p>
        </li>
    }
}

/// Every step, grouped by request; the failing ones by default.
#[component]
pub fn TraceSteps() -> impl IntoView {
    let ctx = ctx();
    let show_all = RwSignal::new(false);
    let embed = ctx.embed;
    let incomplete = Memo::new(move |_| ctx.late_trace.with(|t| t.incomplete()));
    let counts = Memo::new(move |_| {
        ctx.late_trace.with(|t| {
            (
                t.steps.len(),
                t.steps.iter().filter(|s| s.verdict != Verdict::Ok).count(),
            )
        })
    });
    // The groups shown (failing steps only, unless "Show all"), each with
    // its title and which steps start open; one memo per group below.
    let groups = Memo::new(move |_| {
        let all = show_all.get();
        ctx.late_trace.with(|t| {
            let mut groups: Vec<(Option<usize>, Vec<Step>)> = Vec::new();
            for s in t.steps.iter().filter(|s| all || s.verdict != Verdict::Ok) {
                match groups.last_mut() {
                    Some((r, v)) if *r == s.request => v.push(s.clone()),
                    _ => groups.push((s.request, vec![s.clone()])),
                }
            }
            groups
                .into_iter()
                .enumerate()
                .map(|(gi, (req, steps))| {
                    let title = match req {
                        Some(i) => t
                            .requests
                            .get(i)
                            .map(|r| format!("Request {}: {} {}", i + 1, r.method, r.url))
                            .unwrap_or_else(|| format!("Request {}", i + 1)),
                        None => "Setup".to_string(),
                    };
                    let steps = steps
                        .into_iter()
                        .enumerate()
                        .map(|(si, s)| {
                            // The embed is compact: only its first problem starts open.
                            let open = s.verdict != Verdict::Ok && (!embed || (gi == 0 && si == 0));
                            (s, open)
                        })
                        .collect::<Vec<_>>();
                    (title, steps)
                })
                .collect::<Vec<_>>()
        })
    });
    let list = rows(groups, |_, (title, steps): (String, Vec<(Step, bool)>)| {
        // A request with hundreds of steps (twenty redirects, thousands of
        // cookies) shows its first ones and a button for the rest.
        let all = RwSignal::new(false);
        let total = steps.len();
        let more = (total > GROUP_STEPS).then(|| {
            show_more(
                all,
                format!("Show the first {GROUP_STEPS} steps only"),
                format!(
                    "Show the other {} steps of this request",
                    grouped(total - GROUP_STEPS)
                ),
            )
        });
        let shown = move || {
            let limit = if all.get() { usize::MAX } else { GROUP_STEPS };
            steps
                .iter()
                .take(limit)
                .map(|(s, open)| step_view(s, *open))
                .collect_view()
        };
        view! {
            <li class="step-group">
                <h3>{title}</h3>
                <ol class="steps">{shown}</ol>
                {more}
            </li>
        }
    });
    view! {
        <section class="panel trace" aria-labelledby="trace-heading">
            <div class="panel-head">
                <h2 id="trace-heading">"Step by step"</h2>
                <button type="button" id="toggle-steps" aria-pressed=move || show_all.get().to_string()
                    hidden=move || counts.get().0 == 0
                    on:click=move |_| show_all.update(|v| *v = !*v)>
                    {move || {
                        let (all, failing) = counts.get();
                        if show_all.get() {
                            format!("Show only problems ({failing})")
                        } else {
                            match all {
                                1 => "Show the 1 step".to_string(),
                                n => format!("Show all {n} steps"),
                            }
                        }
                    }}
                </button>
            </div>
            <Show when=move || !show_all.get() && counts.get().1 == 0 && !incomplete.get()>
                <p class="muted">"No step failed or warned. Show all steps to see every decision."</p>
            </Show>
            <Show when=move || incomplete.get() && counts.get().0 == 0>
                <WaitingFields lead="No step to show yet." />
            </Show>
            <Show when=move || incomplete.get() && counts.get().0 != 0>
                <WaitingFields lead="The steps below are those of the requests that could be simulated." />
            </Show>
            <ol class="step-groups">{list}</ol>
        </section>
    }
}

fn step_view(s: &Step, open: bool) -> impl IntoView {
    let (icon, word) = verdict_badge(s.verdict);
    let values = (!s.values.is_empty()).then(|| {
        view! {
            <dl class="values">
                {s.values.iter().map(|v| view! { <dt>{v.label.clone()}</dt><dd><code>{v.value.clone()}</code></dd> }).collect_view()}
            </dl>
        }
    });
    view! {
        <li class=format!("step v-{}", verdict_key(s.verdict)) data-step-verdict=verdict_key(s.verdict) data-reason=reason_key(s.reason)>
            <details open=open>
                <summary>
                    <span class="badge small" aria-hidden="true">{icon}</span>
                    <span class="visually-hidden">{word}": "</span>
                    {rich(&s.title)}
                </summary>
                <p>{rich(&s.explanation)}</p>
                {values}
                <p class="spec"><a href=s.spec.url target="_blank" rel="noopener">{s.spec.label}" ↗"</a></p>
            </details>
        </li>
    }
}

fn cookie_row(c: &CookieView) -> impl IntoView {
    let mut attrs = vec![
        if c.host_only {
            format!("host-only {}", c.domain)
        } else {
            format!("Domain={}", c.domain)
        },
        format!("Path={}", c.path),
        format!("SameSite={}", c.same_site),
    ];
    if c.secure {
        attrs.push("Secure".into());
    }
    if c.http_only {
        attrs.push("HttpOnly".into());
    }
    attrs.push(match c.expires {
        Some(_) => "persistent".into(),
        None => "session cookie".into(),
    });
    if let Some(p) = &c.partition {
        attrs.push(format!("partition {p}"));
    }
    view! {
        <tr data-cookie=c.name.clone()>
            <th scope="row"><code>{c.name.clone()}</code></th>
            <td><code class="value">{c.value.clone()}</code></td>
            <td>{attrs.join(" · ")}</td>
        </tr>
    }
}

/// Rows of a request's jar (and of its refused cookies) shown before "Show all".
const JAR_ROWS: usize = 25;
/// Cookie names a request's pill shows before "and N more".
const PILL_NAMES: usize = 6;
/// Steps of one request shown before "Show the other N steps".
const GROUP_STEPS: usize = 50;

/// `12345` as `12,345`.
fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The button under a list shown short: toggles `all`, saying what a click does.
fn show_more(all: RwSignal<bool>, to_fewer: String, to_all: String) -> impl IntoView {
    view! {
        <button type="button" class="show-more" aria-pressed=move || all.get().to_string()
            on:click=move |_| all.update(|v| *v = !*v)>
            {move || if all.get() { to_fewer.clone() } else { to_all.clone() }}
        </button>
    }
}

/// Cookie names as a pill says them: the first [`PILL_NAMES`], then how many
/// more (the jar panel lists them all; `data-cookies-*` keep every name).
fn named_list(list: &[String]) -> String {
    let mut text = list
        .iter()
        .take(PILL_NAMES)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if list.len() > PILL_NAMES {
        text.push_str(&format!(" and {} more", grouped(list.len() - PILL_NAMES)));
    }
    text
}

/// One request's part of the cookie jar panel.
#[derive(Clone, PartialEq)]
struct JarSection {
    index: usize,
    /// `METHOD url`.
    line: String,
    jar: Vec<CookieView>,
    /// Name, reason key and why, of each cookie refused.
    rejected: Vec<(String, String, String)>,
}

/// What the browser holds after each request, and what it refused.
#[component]
pub fn CookieJar() -> impl IntoView {
    let ctx = ctx();
    // Per request: its line, the jar after it, and each refused cookie with
    // the title of the step that refused it.
    let sections = Memo::new(move |_| {
        ctx.late_trace.with(|t| {
            // The first step of each request and reason, found once (a
            // response can refuse thousands of cookies).
            let mut first_step = std::collections::HashMap::new();
            for s in &t.steps {
                first_step.entry((s.request, s.reason)).or_insert(s);
            }
            t.requests
                .iter()
                .map(|r| {
                    let rejected = r
                        .cookies_rejected
                        .iter()
                        .map(|c| {
                            let why = first_step
                                .get(&(Some(r.index), c.reason))
                                .map(|s| s.title.to_string())
                                .unwrap_or_else(|| reason_key(c.reason));
                            (c.name.clone(), reason_key(c.reason), why)
                        })
                        .collect::<Vec<_>>();
                    JarSection {
                        index: r.index,
                        line: format!("{} {}", r.method, r.url),
                        jar: r.jar_after.clone(),
                        rejected,
                    }
                })
                .collect::<Vec<_>>()
        })
    });
    let body = rows(sections, |_, j: JarSection| {
        // A long jar shows its first rows and a button for the rest: the
        // page stays quick on a response with thousands of cookies.
        let all = RwSignal::new(false);
        let (stored_n, refused_n) = (j.jar.len(), j.rejected.len());
        let longest = stored_n.max(refused_n);
        let more = (longest > JAR_ROWS).then(|| {
            show_more(
                all,
                format!("Show the first {JAR_ROWS} only"),
                format!(
                    "Show all {} cookies ({} stored, {} rejected)",
                    grouped(stored_n + refused_n),
                    grouped(stored_n),
                    grouped(refused_n)
                ),
            )
        });
        let limit = move || if all.get() { usize::MAX } else { JAR_ROWS };
        let jar = if j.jar.is_empty() {
            view! { <p class="muted">"The jar is empty."</p> }.into_any()
        } else {
            let cookies = j.jar.clone();
            view! {
                <table class="jar">
                    <thead><tr><th scope="col">"Cookie"</th><th scope="col">"Value"</th><th scope="col">"Attributes"</th></tr></thead>
                    <tbody>{move || cookies.iter().take(limit()).map(cookie_row).collect_view()}</tbody>
                </table>
            }
            .into_any()
        };
        let rejected = (!j.rejected.is_empty()).then(|| {
            let refused = j.rejected.clone();
            let items = move || {
                refused
                    .iter()
                    .take(limit())
                    .map(|(name, reason, why)| {
                        let shown = name.clone();
                        view! { <li data-rejected=name.clone() data-reason=reason.clone()><code>{shown}</code>" — "{rich(why)}</li> }
                    })
                    .collect_view()
            };
            view! { <p class="rejected-title">"Rejected:"</p><ul class="rejected">{items}</ul> }
        });
        view! {
            <div class="jar-after" data-jar-index=j.index data-jar-size=j.jar.len()>
                <h3>"After request " {j.index + 1} ": " <code>{j.line}</code></h3>
                {jar}
                {rejected}
                {more}
            </div>
        }
    });
    view! {
        <section class="panel cookie-jar" aria-labelledby="jar-heading">
            <h2 id="jar-heading">"Cookie jar"</h2>
            {body}
        </section>
    }
}
