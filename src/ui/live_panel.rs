//! Live mode's panel: runs the scenario for real in this browser against the
//! local lab server and shows, per request and outcome, what the engine
//! predicted and what the browser did. Mapping, comparison and the profile
//! suggestion all come from the engine (`crumbtrail_engine::live`).

use crumbtrail_engine::live::{
    compare, detect_family, map_scenario, suggest_profile, tag_cookie_names, Comparison, LabPorts,
};
use crumbtrail_engine::profile::Family;
use crumbtrail_engine::{simulate, ProfileId};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::comparison::ComparisonTable;
use super::ctx;
use crate::live;

#[derive(Clone, Debug, PartialEq)]
enum State {
    Checking,
    NoLab(String),
    Ready,
    Running(usize, usize),
    Done {
        comparisons: Vec<Comparison>,
        suggestion: Option<ProfileId>,
        tag: String,
        /// What the lab said about the run (its log was cut…).
        lab_notes: Vec<String>,
    },
    Failed(String),
}

impl State {
    fn key(&self) -> &'static str {
        match self {
            State::Checking => "checking",
            State::NoLab(_) => "no-lab",
            State::Ready => "ready",
            State::Running(..) => "running",
            State::Done { .. } => "done",
            State::Failed(_) => "failed",
        }
    }
}

fn family_name(f: Option<Family>) -> &'static str {
    match f {
        Some(Family::Chromium) => "Chromium-based (Chrome, Edge, Chromium)",
        Some(Family::Firefox) => "Firefox",
        Some(Family::Safari) => "Safari",
        Some(Family::WebKitGtk) => "WebKitGTK (GNOME Web)",
        None => "not recognised",
    }
}

#[component]
pub fn LivePanel() -> impl IntoView {
    let ctx = ctx();
    let state = RwSignal::new(State::Checking);
    let ports: RwSignal<Option<LabPorts>> = RwSignal::new(None);
    let family = detect_family(&live::user_agent());

    Effect::new(move |_| {
        spawn_local(async move {
            match live::lab_ports().await {
                Ok(p) => {
                    ports.set(Some(p));
                    state.set(State::Ready);
                }
                Err(e) => state.set(State::NoLab(e)),
            }
        });
    });

    let mapping = Memo::new(move |_| {
        let p = ports.get().unwrap_or_default();
        ctx.scenario
            .with(|s| map_scenario(s, &live::page_origin(), &p))
    });

    let run = move |_| {
        let m = mapping.get_untracked();
        if !m.runnable() {
            return;
        }
        let profile = ctx.scenario.with_untracked(|s| s.profile);
        // Opened now, while the click's user activation lasts: navigations target it.
        let popup = if live::needs_popup(&m.scenario) {
            live::open_popup()
        } else {
            None
        };
        // This run's cookie names carry a suffix: cookies left by earlier runs do not count.
        let tag = live::run_tag();
        let tagged = tag_cookie_names(&m.scenario, &tag);
        state.set(State::Running(0, tagged.requests.len()));
        spawn_local(async move {
            let result = live::run(&tagged, popup.as_ref(), |done, total| {
                state.set(State::Running(done, total))
            })
            .await;
            if let Some(p) = popup {
                let _ = p.close();
            }
            match result {
                Ok(live::LiveRun {
                    observations,
                    lab_notes,
                }) => {
                    let trace = simulate(&tagged);
                    let comparisons = compare(&trace, &observations);
                    let suggestion = family.and_then(|f| suggest_profile(f, profile, &comparisons));
                    state.set(State::Done {
                        comparisons,
                        suggestion,
                        tag,
                        lab_notes,
                    });
                }
                Err(e) => state.set(State::Failed(e)),
            }
        });
    };

    let use_profile = move |p: ProfileId| {
        ctx.scenario.update(|s| s.profile = p);
        state.set(State::Ready);
    };

    view! {
        <div class="panel live-panel" data-live-state=move || state.with(|s| s.key())>
            <h2>"Live mode"</h2>
            <p class="hint">
                "Runs these requests for real from this page, against Crumbtrail's local lab server, "
                "which answers exactly as the simulated server would. Then compares."
            </p>
            <p class="browser" data-browser-family=move || format!("{family:?}").to_lowercase()>
                "Your browser: " {family_name(family)}
            </p>
            {move || match state.get() {
                State::Checking => view! { <p>"Looking for the lab server…"</p> }.into_any(),
                State::NoLab(why) => view! {
                    <div class="notice" data-live-no-lab="true">
                        <p>
                            "Live mode needs the lab server, which runs on your machine. In a clone of "
                            "Crumbtrail, run " <code>"./dev serve"</code> " and open "
                            <code>"http://localhost:8080/"</code> " (loopback only; "
                            <code>"CRUMBTRAIL_HTTPS=1 ./dev serve"</code> " adds HTTPS ports with a "
                            "self-signed certificate)."
                        </p>
                        <p class="small">"(" {why} ")"</p>
                    </div>
                }.into_any(),
                _ => view! {
                    <div>
                        <MappingView mapping/>
                        <button type="button" class="primary" data-live-run="true"
                            disabled=move || !mapping.with(|m| m.runnable())
                                || matches!(state.get(), State::Running(..))
                            on:click=run>
                            "Run live"
                        </button>
                        {move || match state.get() {
                            State::Running(done, total) => view! {
                                <p role="status" aria-live="polite">
                                    <progress max=total value=done></progress>
                                    " Running request " {done.min(total.saturating_sub(1)) + 1} " of " {total} "…"
                                </p>
                            }.into_any(),
                            State::Failed(e) => view! {
                                <p class="error" role="alert">"Live run failed: " {e}</p>
                            }.into_any(),
                            State::Done { comparisons, suggestion, tag, lab_notes } => view! {
                                <Results comparisons suggestion tag lab_notes use_profile/>
                            }.into_any(),
                            _ => ().into_any(),
                        }}
                    </div>
                }.into_any(),
            }}
        </div>
    }
}

#[component]
fn MappingView(mapping: Memo<crumbtrail_engine::live::LiveMapping>) -> impl IntoView {
    view! {
        <div class="live-mapping">
            <table class="small" hidden=move || mapping.with(|m| m.origins.is_empty())>
                <caption>"Origins used live"</caption>
                <thead><tr><th scope="col">"Scenario"</th><th scope="col">"Lab"</th></tr></thead>
                <tbody>
                    {move || mapping.with(|m| m.origins.iter().map(|o| view! {
                        <tr><td><code>{o.scenario.clone()}</code></td><td><code>{o.lab.clone()}</code></td></tr>
                    }).collect_view())}
                </tbody>
            </table>
            <ul class="notes">
                {move || mapping.with(|m| m.notes.iter().map(|n| view! {
                    <li>"⚠ Approximation: " {n.clone()}</li>
                }).collect_view())}
                {move || mapping.with(|m| m.blockers.iter().map(|b| view! {
                    <li class="error" data-live-blocker="true">"✗ Cannot run live: " {super::results::rich(b)}</li>
                }).collect_view())}
            </ul>
        </div>
    }
}

#[component]
fn Results(
    comparisons: Vec<Comparison>,
    suggestion: Option<ProfileId>,
    tag: String,
    lab_notes: Vec<String>,
    use_profile: impl Fn(ProfileId) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let total = comparisons.len();
    let agree = comparisons.iter().filter(|c| c.agree).count();
    view! {
        <div class="live-results">
            <p role="status" data-live-agree=agree data-live-total=total>
                {if agree == total { "✓ " } else { "✗ " }}
                {agree} " of " {total} " observables agree with the simulation."
            </p>
            {lab_notes.into_iter().map(|n| view! {
                <p class="error" role="alert" data-live-lab-note="true">
                    "⚠ The lab's log is incomplete, so what the lab saw may be missing below: " {n}
                </p>
            }).collect_view()}
            <p class="small" data-live-tag=tag.clone()>
                "This run's cookie names end in " <code>{tag.clone()}</code>
                ", so cookies left in your browser by earlier runs do not count."
            </p>
            {suggestion.map(|p| view! {
                <p class="suggestion" data-live-suggest=p.key()>
                    "Your browser behaves like the profile “" {p.profile().name} "”. "
                    <button type="button" on:click=move |_| use_profile(p)>"Use this profile"</button>
                </p>
            })}
            <ComparisonTable rows=Signal::stored(comparisons) observed="Observed" class="live-table"/>
        </div>
    }
}
