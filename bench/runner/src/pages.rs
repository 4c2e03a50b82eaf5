//! The pages measured (the default page, a permalink of each preset, a worst case) and the
//! edits typed into them, chosen with the engine so that every edit changes the headline.

use crumbtrail_engine::permalink::{self, View};
use crumbtrail_engine::{presets, simulate, Scenario};

/// A headline as the page shows it: the engine quotes code in backticks and
/// the page renders those parts as `<code>` (so `textContent` has no backticks).
fn as_rendered(headline: &str) -> String {
    headline.replace('`', "").trim().to_string()
}

/// The most requests a scenario (and a permalink) can hold.
pub const MAX_REQUESTS: usize = 20;

/// One page of the app: a query string and what the engine says about it.
pub struct Page {
    pub label: String,
    /// `""` for the default page, else `?…` from `permalink::encode`.
    pub query: String,
    pub scenario: Scenario,
    pub verdict: String,
    pub headline: String,
    /// Part of #16's goal: the default page and the presets' permalinks.
    pub in_goal: bool,
}

impl Page {
    /// A permalink of `scenario` (`link`), or the page without a query.
    fn new(label: String, scenario: Scenario, link: bool) -> Page {
        let query = if link {
            format!("?{}", permalink::encode(&scenario, &View::default()))
        } else {
            String::new()
        };
        let decoded = permalink::decode(&query);
        assert!(
            decoded.scenario == scenario && decoded.notices.is_empty(),
            "{label}: the permalink does not read back ({:?})",
            decoded.notices
        );
        let trace = simulate(&scenario);
        let verdict = serde_json::to_value(trace.verdict)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        Page {
            label,
            query,
            scenario,
            verdict,
            headline: as_rendered(&trace.headline),
            in_goal: true,
        }
    }
}

/// The default page (no query).
pub fn default_page() -> Page {
    Page::new("default page".into(), Scenario::default(), false)
}

/// A permalink of each preset.
pub fn preset_pages() -> Vec<Page> {
    presets::all()
        .into_iter()
        .map(|p| Page::new(format!("preset {}", p.id), p.scenario, true))
        .collect()
}

/// The default setup with its last request repeated up to [`MAX_REQUESTS`] requests, as
/// "+ Add a request" does.
pub fn worst_case_page() -> Page {
    let mut s = Scenario::default();
    while s.requests.len() < MAX_REQUESTS {
        let next = s.requests.last().cloned().unwrap_or_default();
        s.requests.push(next);
    }
    Page {
        in_goal: false,
        ..Page::new(format!("worst case: {MAX_REQUESTS} requests"), s, true)
    }
}

#[path = "../../../engine/tests/worst_cases/mod.rs"]
mod worst_cases;

/// The links built to freeze the page (issue #12), as the page reads them:
/// the largest traces and the costliest fix searches a link can ask for.
pub fn hostile_pages() -> Vec<Page> {
    const CASES: [&str; 7] = [
        "set-cookie-1000",
        "set-cookie-3000",
        "redirects-20x20",
        "headers-5000",
        "evil-origins-1000",
        "evil-paths-400",
        "blocks-every-setting",
    ];
    worst_cases::all()
        .into_iter()
        .filter(|(name, _)| CASES.contains(name))
        .filter(|(name, _)| {
            std::env::var("CRUMBTRAIL_BENCH_ONLY").map_or(true, |only| name.contains(&only))
        })
        .map(|(name, link)| {
            let scenario = permalink::decode(&link).scenario;
            Page {
                in_goal: false,
                ..Page::new(format!("hostile {name}"), scenario, true)
            }
        })
        .collect()
}

/// An edit typed back and forth: the field's original value and another one, with the
/// headline the engine gives for each.
pub struct EditPlan {
    /// CSS selector of the input.
    pub selector: String,
    /// What the field shows, e.g. `requests.19.url`.
    pub field: String,
    pub values: [String; 2],
    pub headlines: [String; 2],
}

/// A request URL edit that changes `page`'s headline (tried on the last request, then the
/// first): what a user does most.
pub fn edit_plan(page: &Page) -> Option<EditPlan> {
    let s = &page.scenario;
    let last = s.requests.len().checked_sub(1)?;
    for index in [last, 0] {
        let original = s.requests[index].url.clone();
        let candidates = [
            s.page.url.clone(),
            "https://api.example.com/session".to_string(),
            "http://localhost:3000/me".to_string(),
            "https://example.org/".to_string(),
        ];
        for candidate in candidates {
            if candidate == original {
                continue;
            }
            let mut edited = s.clone();
            edited.requests[index].url = candidate.clone();
            let headline = as_rendered(&simulate(&edited).headline);
            if headline != page.headline {
                let field = format!("requests.{index}.url");
                return Some(EditPlan {
                    selector: format!("input[data-field='{field}']"),
                    field,
                    values: [original, candidate],
                    headlines: [page.headline.clone(), headline],
                });
            }
        }
    }
    None
}
