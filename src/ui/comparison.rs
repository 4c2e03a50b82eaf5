//! The comparison table that live mode and imports share: per request and
//! outcome, what the engine predicted and what the browser (or the
//! recording) showed, each difference with the engine's explanation. Rows
//! carry `data-request`, `data-outcome`, `data-simulated`, `data-observed`
//! and `data-agree` for the end-to-end tests.

use crumbtrail_engine::live::Comparison;
use leptos::prelude::*;

#[component]
pub fn ComparisonTable(
    #[prop(into)] rows: Signal<Vec<Comparison>>,
    /// The heading of the second column ("Observed", "Recorded").
    observed: &'static str,
    /// The table's class (`live-table` for live mode).
    class: &'static str,
) -> impl IntoView {
    view! {
        <table class=format!("comparison-table {class}")>
            <thead>
                <tr>
                    <th scope="col">"Request"</th>
                    <th scope="col">"Outcome"</th>
                    <th scope="col">"Simulated"</th>
                    <th scope="col">{observed}</th>
                    <th scope="col">"Match"</th>
                </tr>
            </thead>
            <tbody>
                {move || rows.get().into_iter().map(|c| {
                    let agree = c.agree;
                    view! {
                        <tr class:mismatch=!agree data-agree=if agree { "true" } else { "false" }
                            data-outcome=c.outcome.label() data-request=c.request
                            data-simulated=c.simulated.clone() data-observed=c.observed.clone()>
                            <td>{c.request + 1}</td>
                            <td>{c.outcome.label()}</td>
                            <td>{c.simulated.clone()}</td>
                            <td>{c.observed.clone()}</td>
                            <td>
                                {if agree { "✓ agree" } else { "✗ differs" }}
                                {c.explanation.clone().map(|e| view! { <p class="small">{e}</p> })}
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}
