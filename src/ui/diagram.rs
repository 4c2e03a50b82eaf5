//! The sequence diagram: browser and server lifelines, one arrow per message
//! on the wire (preflight, request, response), the cookies that travel, and
//! a mark where it breaks. Drawn from the trace's exchanges and outcomes.

use crumbtrail_engine::trace::{JsResult, PreflightOutcome, RequestOutcome, Trace, Verdict};
use leptos::prelude::*;

use std::collections::HashSet;

use super::ctx;
use super::results::{reason_key, rows};

/// Most cookies named on a response arrow; more are counted (the jar panel lists them).
const ARROW_COOKIES: usize = 6;
/// A request with more exchanges (a long redirect chain) is drawn with its
/// first [`HEAD_EXCHANGES`] and last [`TAIL_EXCHANGES`], the rest summed up
/// in one line: the steps list every one.
const MAX_EXCHANGES: usize = 6;
const HEAD_EXCHANGES: usize = 3;
const TAIL_EXCHANGES: usize = 2;

const W: f64 = 480.0;
const LEFT: f64 = 70.0;
const RIGHT: f64 = 410.0;
const MID: f64 = (LEFT + RIGHT) / 2.0;
const ROW: f64 = 46.0;

/// One drawn element.
#[derive(Clone, PartialEq)]
enum Item {
    /// A group title (request N).
    Title(String),
    /// An arrow with a label (and a second, smaller line).
    Arrow {
        to_server: bool,
        label: String,
        detail: String,
        kind: &'static str,
        dashed: bool,
    },
    /// The place where the request breaks.
    Break { text: String },
    /// Exchanges not drawn (the middle of a long redirect chain).
    Gap(String),
}

fn short(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max - 1).collect();
        t.push('…');
        t
    }
}

fn path_of(url: &str) -> String {
    match url.find("://") {
        Some(i) => {
            let rest = &url[i + 3..];
            match rest.find('/') {
                Some(j) => rest[j..].to_string(),
                None => "/".into(),
            }
        }
        None => url.to_string(),
    }
}

/// The title of the step that decided a failure of request `r`.
fn break_text(t: &Trace, r: &RequestOutcome) -> String {
    t.steps
        .iter()
        .find(|s| {
            s.request == Some(r.index)
                && s.verdict == Verdict::Blocked
                && r.blocked_by.is_none_or(|b| b == s.reason)
        })
        .or_else(|| {
            t.steps
                .iter()
                .find(|s| s.request == Some(r.index) && s.verdict == Verdict::Blocked)
        })
        // SVG text has no <code>: the title without its backticks.
        .map(|s| s.title.replace('`', ""))
        .or_else(|| r.blocked_by.map(reason_key))
        // A field the engine could not read: nothing was decided yet.
        .unwrap_or_else(|| {
            if t.incomplete() {
                "not simulated: fix the marked field".into()
            } else {
                "blocked".into()
            }
        })
}

fn items(t: &Trace) -> Vec<Item> {
    let mut out = Vec::new();
    for r in &t.requests {
        out.push(Item::Title(format!(
            "Request {}: {} {}",
            r.index + 1,
            r.method,
            r.url
        )));
        let mut drew_actual = false;
        let n = r.exchanges.len();
        for (k, e) in r.exchanges.iter().enumerate() {
            if n > MAX_EXCHANGES && k >= HEAD_EXCHANGES && k < n - TAIL_EXCHANGES {
                if k == HEAD_EXCHANGES {
                    let hidden = n - HEAD_EXCHANGES - TAIL_EXCHANGES;
                    out.push(Item::Gap(format!(
                        "⋮ {hidden} more exchanges (redirects), in the steps below"
                    )));
                }
                drew_actual |= !e.request.is_preflight;
                continue;
            }
            let pre = e.request.is_preflight;
            let path = path_of(&e.request.url);
            let cookie = e.request.headers.get("cookie");
            out.push(Item::Arrow {
                to_server: true,
                label: if pre {
                    format!("OPTIONS {path} (preflight)")
                } else {
                    format!("{} {path}", e.request.method)
                },
                detail: if pre {
                    match e.request.headers.get("access-control-request-headers") {
                        Some(h) => format!("no cookies · asks for {h}"),
                        None => "no cookies".into(),
                    }
                } else {
                    match &cookie {
                        Some(c) => format!("Cookie: {c}"),
                        None => "no Cookie header".into(),
                    }
                },
                kind: if pre { "preflight" } else { "request" },
                dashed: pre,
            });
            if !pre {
                drew_actual = true;
            }
            if let Some(resp) = &e.response {
                let acao = resp.headers.get("access-control-allow-origin");
                let mut detail = match &acao {
                    Some(a) => format!("Allow-Origin: {a}"),
                    None => "no Access-Control-Allow-Origin".into(),
                };
                if !pre {
                    let set: Vec<String> = resp
                        .headers
                        .get_all("set-cookie")
                        .iter()
                        .map(|l| l.split('=').next().unwrap_or("").trim().to_string())
                        .collect();
                    if !set.is_empty() {
                        // Sets, not lists: a response can carry thousands of cookies.
                        let stored: HashSet<&str> =
                            r.cookies_stored.iter().map(String::as_str).collect();
                        let rejected: HashSet<&str> =
                            r.cookies_rejected.iter().map(|c| c.name.as_str()).collect();
                        let mark = |n: &str| {
                            if stored.contains(n) {
                                '✓'
                            } else if rejected.contains(n) {
                                '✕'
                            } else {
                                '–'
                            }
                        };
                        let marks: Vec<String> = if set.len() <= ARROW_COOKIES {
                            set.iter()
                                .map(|n| {
                                    let word = match mark(n) {
                                        '✓' => "stored",
                                        '✕' => "rejected",
                                        _ => "ignored",
                                    };
                                    format!("{} {n} {word}", mark(n))
                                })
                                .collect()
                        } else {
                            // Counted, not named: the jar panel lists them.
                            let of = |m: char| set.iter().filter(|n| mark(n) == m).count();
                            let mut parts = vec![format!("{} cookies", set.len())];
                            for (m, word) in [('✓', "stored"), ('✕', "rejected"), ('–', "ignored")]
                            {
                                let k = of(m);
                                if k > 0 {
                                    parts.push(format!("{m} {k} {word}"));
                                }
                            }
                            parts
                        };
                        detail = format!("Set-Cookie: {} · {detail}", marks.join(", "));
                    }
                }
                out.push(Item::Arrow {
                    to_server: false,
                    label: format!("{} response", resp.status),
                    detail,
                    kind: if pre {
                        "preflight-response"
                    } else {
                        "response"
                    },
                    dashed: pre,
                });
            }
            if pre && r.preflight == PreflightOutcome::Failed {
                out.push(Item::Break {
                    text: format!("✕ {}", break_text(t, r)),
                });
            }
        }
        if !r.request_sent && !drew_actual {
            if r.preflight != PreflightOutcome::Failed {
                out.push(Item::Break {
                    text: format!("✕ {}", break_text(t, r)),
                });
            }
            out.push(Item::Arrow {
                to_server: true,
                label: format!("{} {} — never sent", r.method, path_of(&r.url)),
                detail: String::new(),
                kind: "not-sent",
                dashed: true,
            });
        } else if r.request_sent && r.js_result == JsResult::NetworkError {
            out.push(Item::Break {
                text: format!("✕ page can't read it: {}", break_text(t, r)),
            });
        }
    }
    out
}

/// Where each item sits: its top `y` in the drawing, and the drawing's height.
fn layout(list: Vec<Item>) -> (Vec<(f64, Item)>, f64) {
    let mut y = 56.0;
    let mut placed = Vec::with_capacity(list.len());
    for it in list {
        let (before, height) = match &it {
            Item::Title(_) => (10.0, 22.0),
            Item::Arrow { .. } => (0.0, ROW),
            Item::Break { .. } => (0.0, 32.0),
            Item::Gap(_) => (0.0, 28.0),
        };
        y += before;
        placed.push((y, it));
        y += height;
    }
    (placed, y + 16.0)
}

/// One placed item as SVG.
fn item_view(y: f64, it: Item) -> AnyView {
    match it {
        Item::Title(text) => view! {
            <text x=MID y=y + 8.0 class="d-title" text-anchor="middle">{short(&text, 64)}<title>{text.clone()}</title></text>
        }
        .into_any(),
        Item::Arrow {
            to_server,
            label,
            detail,
            kind,
            dashed,
        } => {
            let (x1, x2) = if to_server { (LEFT, RIGHT) } else { (RIGHT, LEFT) };
            let ay = y + 22.0;
            let end = if to_server { x2 - 2.0 } else { x2 + 2.0 };
            let marker = if kind == "not-sent" { "url(#d-x)" } else { "url(#d-arrow)" };
            view! {
                <g class=format!("d-msg d-{kind}") data-message=kind>
                    <text x=MID y=y + 14.0 text-anchor="middle" class="d-label">{short(&label, 52)}<title>{label.clone()}</title></text>
                    <line x1=x1 y1=ay x2=end y2=ay class="d-line" stroke-dasharray=if dashed { "5 4" } else { "" } marker-end=marker/>
                    <text x=MID y=ay + 15.0 text-anchor="middle" class="d-detail">{short(&detail, 62)}<title>{detail.clone()}</title></text>
                </g>
            }
            .into_any()
        }
        Item::Gap(text) => view! {
            <text x=MID y=y + 18.0 text-anchor="middle" class="d-detail d-gap" data-gap="true">{text}</text>
        }
        .into_any(),
        Item::Break { text } => view! {
            <g class="d-break" data-break="true">
                <rect x=LEFT + 6.0 y=y + 2.0 width=RIGHT - LEFT - 12.0 height=24 rx=4/>
                <text x=MID y=y + 18.0 text-anchor="middle">{short(&text, 50)}<title>{text.clone()}</title></text>
            </g>
        }
        .into_any(),
    }
}

/// The SVG sequence diagram. Each placed item has its own memo (see
/// [`rows`]), so an edit redraws only the items whose text or place changed.
#[component]
pub fn Diagram() -> impl IntoView {
    let ctx = ctx();
    let drawing = Memo::new(move |_| ctx.late_trace.with(|t| layout(items(t))));
    let placed = Memo::new(move |_| drawing.with(|d| d.0.clone()));
    let h = Memo::new(move |_| drawing.with(|d| d.1));
    let counts = Memo::new(move |_| {
        drawing.with(|d| {
            let of = |f: fn(&Item) -> bool| d.0.iter().filter(|(_, i)| f(i)).count();
            (
                of(|i| matches!(i, Item::Arrow { .. })),
                of(|i| matches!(i, Item::Break { .. })),
            )
        })
    });
    let desc = move || {
        let (arrows, breaks) = counts.get();
        format!("{arrows} messages between the browser and the server; {breaks} break(s).")
    };
    view! {
        <section class="panel diagram-panel" aria-labelledby="diagram-heading">
            <h2 id="diagram-heading">"On the wire"</h2>
            <div class="diagram-scroll" tabindex="0">
                <svg class="diagram" viewBox=move || format!("0 0 {W} {}", h.get()) role="img" aria-labelledby="diagram-desc"
                    data-breaks=move || counts.get().1 preserveAspectRatio="xMidYMin meet">
                    <desc id="diagram-desc">{desc}</desc>
                    <defs>
                        <marker id="d-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                            <path d="M0,0 L10,5 L0,10 z" class="d-head"/>
                        </marker>
                        <marker id="d-x" viewBox="0 0 10 10" refX="5" refY="5" markerWidth="9" markerHeight="9">
                            <path d="M1,1 L9,9 M9,1 L1,9" class="d-xmark"/>
                        </marker>
                    </defs>
                    <rect x=LEFT - 55.0 y=8 width=110 height=28 rx=6 class="d-actor"/>
                    <text x=LEFT y=27 text-anchor="middle" class="d-actor-label">"Browser"</text>
                    <rect x=RIGHT - 55.0 y=8 width=110 height=28 rx=6 class="d-actor"/>
                    <text x=RIGHT y=27 text-anchor="middle" class="d-actor-label">"Server"</text>
                    <line x1=LEFT y1=36 x2=LEFT y2=move || h.get() - 6.0 class="d-life"/>
                    <line x1=RIGHT y1=36 x2=RIGHT y2=move || h.get() - 6.0 class="d-life"/>
                    {rows(placed, |_, (y, it)| item_view(y, it))}
                </svg>
            </div>
        </section>
    }
}
