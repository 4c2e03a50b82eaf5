//! `./dev bench`: how much slower than a hello-world Leptos page the app shows its verdict, and
//! how long an edit takes to show the new verdict, in headless Chromium with DevTools
//! throttling (issues #16 and #12).
//!
//! ```text
//! crumbtrail-bench [--app dist] [--hello dist-hello] [--runs 7] [--edits 20] [--no-pages] [--list]
//! ```
//!
//! `--list` prints the pages and edits that would be measured, and exits. `--hostile` measures
//! only the hostile pages of #12 (the largest traces and fix searches a link can ask for): at
//! CPU ×4, the time to the verdict, to the whole page with its fixes, the longest task after
//! the verdict (how long a key press could wait), and `--edits` edits on each.
//!
//! Both dists are served from memory on loopback with `Content-Encoding: br`. For each
//! network/CPU profile the app and the hello-world page are loaded alternately (`--runs`
//! each, HTTP cache off, a fresh document each time) and the medians compared; then
//! `--edits` request-URL edits are typed into the default page. On Slow 4G + CPU ×4 a
//! permalink of every preset is measured the same way, and a page with the most requests a
//! scenario can hold is the edit worst case. Progress goes to stderr, the report to stdout;
//! `CRUMBTRAIL_BENCH_DEBUG=1` also prints every edit's raw measurement.

mod browser;
mod measure;
mod pages;
mod serve;

use std::path::PathBuf;
use std::sync::Arc;

use browser::{Browser, Network, Profile};
use measure::{Edit, Load};
use pages::{EditPlan, Page};
use serve::{Server, Site};

/// Slow 4G as issue #16 measures it, with the page's main thread four times slower.
const SLOW_4G_CPU4: Profile = Profile {
    name: "Slow 4G (1.6 Mb/s, 150 ms) + CPU x4",
    short: "Slow 4G, CPU x4",
    network: Some(Network {
        down_bits_per_s: 1_600_000,
        up_bits_per_s: 750_000,
        rtt_ms: 150,
    }),
    cpu: 4.0,
};
const NO_NET_CPU4: Profile = Profile {
    name: "no network throttling + CPU x4",
    short: "no network limit, CPU x4",
    network: None,
    cpu: 4.0,
};
const FAST_4G_CPU1: Profile = Profile {
    name: "Fast 4G (9 Mb/s, 40 ms) + CPU x1",
    short: "Fast 4G, CPU x1",
    network: Some(Network {
        down_bits_per_s: 9_000_000,
        up_bits_per_s: 1_500_000,
        rtt_ms: 40,
    }),
    cpu: 1.0,
};
const UNTHROTTLED: Profile = Profile {
    name: "no throttling",
    short: "no throttling",
    network: None,
    cpu: 1.0,
};
const PROFILES: [Profile; 3] = [SLOW_4G_CPU4, NO_NET_CPU4, FAST_4G_CPU1];

/// Issue #16's goals.
const GOAL_RATIO: f64 = 1.5;
const GOAL_EDIT_MS: f64 = 16.0;

struct Args {
    app: PathBuf,
    hello: PathBuf,
    runs: usize,
    edits: usize,
    pages: bool,
    list: bool,
    /// Only the hostile pages of #12.
    hostile_only: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        app: "dist".into(),
        hello: "dist-hello".into(),
        runs: 7,
        edits: 20,
        pages: true,
        list: false,
        hostile_only: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = |name: &str| it.next().ok_or(format!("{name} needs a value"));
        match a.as_str() {
            "--app" => args.app = value("--app")?.into(),
            "--hello" => args.hello = value("--hello")?.into(),
            "--runs" => args.runs = count(&value("--runs")?)?,
            "--edits" => args.edits = count(&value("--edits")?)?,
            "--no-pages" => args.pages = false,
            "--list" => args.list = true,
            "--hostile" => args.hostile_only = true,
            other => {
                return Err(format!(
                    "unknown argument {other:?} (see the source's header)"
                ))
            }
        }
    }
    Ok(args)
}

fn count(s: &str) -> Result<usize, String> {
    s.parse()
        .ok()
        .filter(|&n| n > 0)
        .ok_or(format!("{s:?} is not a positive whole number"))
}

#[tokio::main]
async fn main() {
    let result = match parse_args() {
        Ok(args) => run(args).await,
        Err(e) => Err(e),
    };
    if let Err(e) = result {
        eprintln!("\nerror: {e}");
        std::process::exit(1);
    }
}

/// Time to verdict of one page against the hello-world page, in one profile.
struct Pair {
    label: String,
    /// Part of #16's goal (the default page and the presets).
    in_goal: bool,
    app: Vec<Load>,
    hello: Vec<Load>,
}

impl Pair {
    fn app_ms(&self) -> f64 {
        median(self.app.iter().map(|l| l.painted))
    }
    fn hello_ms(&self) -> f64 {
        median(self.hello.iter().map(|l| l.painted))
    }
    fn ratio(&self) -> f64 {
        self.app_ms() / self.hello_ms()
    }
}

struct ProfileResult {
    profile: Profile,
    default: Pair,
    cpu_measured: f64,
    edits: Vec<Edit>,
}

async fn run(args: Args) -> Result<(), String> {
    if args.hostile_only {
        return hostile(&args).await;
    }
    let load_before = loadavg();
    let default_page = pages::default_page();
    let default_plan = plan_for(&default_page)?;
    let worst_page = pages::worst_case_page();
    let worst_plan = plan_for(&worst_page)?;
    // Permalinks of the presets (the goal), then the worst case (extra), on Slow 4G + CPU x4.
    let other_pages = if args.pages {
        let mut v = pages::preset_pages();
        v.push(pages::worst_case_page());
        v
    } else {
        Vec::new()
    };
    if args.list {
        for page in std::iter::once(&default_page).chain(&other_pages) {
            println!("{}: {} {:?}", page.label, page.verdict, page.headline);
            println!("  /{}", page.query);
        }
        for (page, plan) in [(&default_page, &default_plan), (&worst_page, &worst_plan)] {
            println!(
                "edit on {}: {} = {:?} <-> {:?}\n  {:?}\n  {:?}",
                page.label,
                plan.field,
                plan.values[0],
                plan.values[1],
                plan.headlines[0],
                plan.headlines[1]
            );
        }
        return Ok(());
    }

    eprintln!(
        "Compressing {} and {} with brotli -q 11…",
        args.app.display(),
        args.hello.display()
    );
    let app_site = Arc::new(Site::load(&args.app)?);
    let hello_site = Arc::new(Site::load(&args.hello)?);
    let app_server = Server::start(app_site.clone()).await;
    let hello_server = Server::start(hello_site.clone()).await;
    let (app_url, hello_url) = (app_server.url(), hello_server.url());

    let b = Browser::start(measure::PROBE).await?;
    let chromium = b.version().await;
    let mut warnings = Vec::new();

    // One warm-up load of each page, not counted (it also gives the bytes transferred).
    b.throttle(&UNTHROTTLED).await?;
    let hello_sample = load(&b, &hello_url, "hello-world", None, &mut warnings).await?;
    let app_sample = load(&b, &app_url, "app", Some(&default_page), &mut warnings).await?;

    let mut results = Vec::new();
    let mut page_pairs = Vec::new();
    for profile in PROFILES {
        eprintln!("\n{}", profile.name);
        b.throttle(&profile).await?;
        let default = pair(
            &b,
            &app_url,
            &hello_url,
            &default_page,
            args.runs,
            &mut warnings,
        )
        .await?;
        let cpu_measured = measure::cpu_slowdown(&b, profile.cpu).await?;
        eprintln!("  CPU check: x{cpu_measured:.1} (asked x{})", profile.cpu);
        let edits = edit_series(
            &b,
            &app_url,
            &default_page,
            &default_plan,
            args.edits,
            &mut warnings,
        )
        .await?;
        if profile.name == SLOW_4G_CPU4.name {
            for page in &other_pages {
                eprintln!("  {}", page.label);
                page_pairs
                    .push(pair(&b, &app_url, &hello_url, page, args.runs, &mut warnings).await?);
            }
        }
        results.push(ProfileResult {
            profile,
            default,
            cpu_measured,
            edits,
        });
    }

    eprintln!("\n{}, {}", worst_page.label, NO_NET_CPU4.short);
    b.throttle(&NO_NET_CPU4).await?;
    let worst_edits = edit_series(
        &b,
        &app_url,
        &worst_page,
        &worst_plan,
        args.edits,
        &mut warnings,
    )
    .await?;
    let load_after = loadavg();

    for (name, site) in [("app", &app_site), ("hello-world", &hello_site)] {
        let n = site.uncompressed_responses();
        if n > 0 {
            warnings.push(format!("{n} {name} responses went out without brotli"));
        }
    }

    // ---- Report ----
    println!(
        "\nCrumbtrail bench: time to verdict against a hello-world Leptos page, and edit latency"
    );
    println!(
        "machine: {}; load average before {load_before}, after {load_after}",
        machine()
    );
    println!("browser: {chromium} headless; HTTP cache off; served from loopback with Content-Encoding: br");
    let (app_raw, app_br) = app_site.code_size();
    let (hello_raw, hello_br) = hello_site.code_size();
    println!(
        "wasm+JS+CSS (brotli): app {} ({} raw), hello-world {} ({} raw); \
         one load transfers app {} ({} decoded), hello-world {} ({} decoded)",
        kb(app_br),
        kb(app_raw),
        kb(hello_br),
        kb(hello_raw),
        kb(app_sample.transfer as usize),
        kb(app_sample.decoded as usize),
        kb(hello_sample.transfer as usize),
        kb(hello_sample.decoded as usize),
    );
    println!(
        "time to verdict: navigation start -> the frame that shows [data-verdict] with data-ready \
         (median of {} loads each, alternating app / hello-world)",
        args.runs
    );
    println!(
        "edit: one input event on {} -> the next frame after the new headline \
         (median / max of {} edits)\n",
        default_plan.field, args.edits
    );

    println!(
        "{:<38} {:>8} {:>8} {:>6} {:>7}  {:>18}  {:>16}",
        "profile", "hello", "app", "ratio", "CPU", "edit painted", "edit update"
    );
    for r in &results {
        println!(
            "{:<38} {:>8} {:>8} {:>6} {:>7}  {:>18}  {:>16}",
            r.profile.name,
            ms(r.default.hello_ms()),
            ms(r.default.app_ms()),
            format!("{:.2}", r.default.ratio()),
            format!("x{:.1}", r.cpu_measured),
            med_max(r.edits.iter().map(|e| e.painted)),
            med_max(r.edits.iter().map(|e| e.update)),
        );
    }

    let slow = &results[0];
    println!(
        "\nPer page, {} (goal: ratio <= {GOAL_RATIO}):",
        SLOW_4G_CPU4.name
    );
    println!(
        "{:<38} {:>8} {:>8} {:>6}  {:<8} verdict",
        "page", "hello", "app", "ratio", "goal"
    );
    let mut all_met = true;
    for p in std::iter::once(&slow.default).chain(&page_pairs) {
        let met = p.ratio() <= GOAL_RATIO;
        all_met &= met || !p.in_goal;
        let goal = match (p.in_goal, met) {
            (false, _) => "(extra)",
            (true, true) => "met",
            (true, false) => "NOT met",
        };
        println!(
            "{:<38} {:>8} {:>8} {:>6}  {:<8} {}",
            p.label,
            ms(p.hello_ms()),
            ms(p.app_ms()),
            format!("{:.2}", p.ratio()),
            goal,
            p.app.first().map(|l| l.verdict.as_str()).unwrap_or("")
        );
    }

    if let Some(n) = SLOW_4G_CPU4.network {
        let secs = |bytes: u64| bytes as f64 * 8.0 / n.down_bits_per_s as f64;
        println!(
            "(at {} Mb/s the bytes alone take {:.2} s for the app and {:.2} s for hello-world)",
            n.down_bits_per_s as f64 / 1e6,
            secs(app_sample.transfer),
            secs(hello_sample.transfer)
        );
    }

    println!("\nEdit -> painted verdict (goal: within one frame, {GOAL_EDIT_MS} ms, at CPU x4):");
    println!(
        "{:<50} {:<16} {:>18}  {:>16}  {:>6}  {:>18}",
        "page", "field", "painted", "update", "frame", "fixes shown"
    );
    let edit_rows = results
        .iter()
        .map(|r| (r.profile, &default_page, &default_plan, &r.edits))
        .chain([(NO_NET_CPU4, &worst_page, &worst_plan, &worst_edits)]);
    let mut edits_met = true;
    for (profile, page, plan, edits) in edit_rows {
        if profile.cpu >= 4.0 {
            edits_met &= edits.iter().all(|e| e.painted <= GOAL_EDIT_MS);
        }
        println!(
            "{:<50} {:<16} {:>18}  {:>16}  {:>6}  {:>18}",
            format!("{}, {}", page.label, profile.short),
            plan.field,
            med_max(edits.iter().map(|e| e.painted)),
            med_max(edits.iter().map(|e| e.update)),
            edits.iter().map(|e| e.frames).max().unwrap_or(0),
            med_max(edits.iter().filter_map(|e| e.fixes)),
        );
    }
    println!(
        "(median / max, ms; \"update\": the new headline in the DOM; \"frame\": the latest \
         animation frame after the input that first showed it, 1 = the next one; \"fixes shown\": \
         the fix search done)"
    );

    println!("\nGoals of #16:");
    println!(
        "  time to verdict <= {GOAL_RATIO}x hello-world on {} for the default page{}: {}",
        SLOW_4G_CPU4.name,
        if args.pages { " and every preset" } else { "" },
        if all_met { "met" } else { "NOT met" }
    );
    println!(
        "  every edit painted within {GOAL_EDIT_MS} ms at CPU x4: {}",
        if edits_met { "met" } else { "NOT met" }
    );
    if !warnings.is_empty() {
        println!("\nWarnings:");
        for w in &warnings {
            println!("  {w}");
        }
    }
    Ok(())
}

/// The hostile pages of #12 at CPU ×4 without network limits: each loaded
/// `--runs` times, then `--edits` edits.
async fn hostile(args: &Args) -> Result<(), String> {
    let load_before = loadavg();
    let pages = pages::hostile_pages();
    let app_site = Arc::new(Site::load(&args.app)?);
    let app_server = Server::start(app_site).await;
    let app_url = app_server.url();
    let b = Browser::start(measure::PROBE).await?;
    let chromium = b.version().await;
    let mut warnings = Vec::new();
    b.throttle(&NO_NET_CPU4).await?;
    let cpu = measure::cpu_slowdown(&b, NO_NET_CPU4.cpu).await?;
    struct Row {
        label: String,
        bytes: usize,
        verdict: Vec<f64>,
        settled: Vec<f64>,
        longest: Vec<f64>,
        field: String,
        edits: Vec<Edit>,
    }
    let mut rows = Vec::new();
    for page in &pages {
        eprintln!("{}", page.label);
        let url = format!("{app_url}{}", page.query);
        let mut row = Row {
            label: page.label.clone(),
            bytes: page.query.len(),
            verdict: vec![],
            settled: vec![],
            longest: vec![],
            field: String::new(),
            edits: vec![],
        };
        for _ in 0..args.runs {
            let l = load(&b, &url, &page.label, Some(page), &mut warnings).await?;
            let (settled, longest) = measure::settled(&b).await?;
            eprintln!(
                "  verdict {}, page and fixes {}, longest task after the verdict {}",
                ms(l.painted),
                ms(settled),
                ms(longest)
            );
            row.verdict.push(l.painted);
            row.settled.push(settled);
            row.longest.push(longest);
        }
        if let Some(plan) = pages::edit_plan(page) {
            row.field = plan.field.clone();
            row.edits = edit_series(&b, &app_url, page, &plan, args.edits, &mut warnings).await?;
        }
        rows.push(row);
    }
    let load_after = loadavg();
    println!(
        "\nCrumbtrail bench: the hostile pages of #12, {}",
        NO_NET_CPU4.name
    );
    println!(
        "machine: {}; load average before {load_before}, after {load_after}; {chromium}; CPU x{cpu:.1} measured",
        machine()
    );
    println!(
        "{:<32} {:>7} {:>10} {:>14} {:>13}  {:<16} {:>18} {:>18} {:>18}",
        "page",
        "link",
        "verdict",
        "page + fixes",
        "longest task",
        "edit field",
        "edit painted",
        "edit fixes shown",
        "longest after edit"
    );
    for r in &rows {
        println!(
            "{:<32} {:>7} {:>10} {:>14} {:>13}  {:<16} {:>18} {:>18} {:>18}",
            r.label,
            kb(r.bytes),
            ms(median(r.verdict.iter().copied())),
            ms(median(r.settled.iter().copied())),
            ms(median(r.longest.iter().copied())),
            r.field,
            med_max(r.edits.iter().map(|e| e.painted)),
            med_max(r.edits.iter().filter_map(|e| e.fixes)),
            med_max(r.edits.iter().map(|e| e.longest_after_paint)),
        );
    }
    println!(
        "(median of {} loads and median / max of {} edits, ms; \"longest task\": the longest \
         task after the verdict was painted, 0 when none took over 50 ms)",
        args.runs, args.edits
    );
    if !warnings.is_empty() {
        println!("\nWarnings:");
        for w in &warnings {
            println!("  {w}");
        }
    }
    Ok(())
}

fn plan_for(page: &Page) -> Result<EditPlan, String> {
    pages::edit_plan(page).ok_or(format!(
        "{}: no request URL edit changes the headline",
        page.label
    ))
}

/// One load, tried a second time if it fails (a loaded machine drops a session now and then);
/// `expect` checks the verdict against the engine's.
async fn load(
    b: &Browser,
    url: &str,
    what: &str,
    expect: Option<&Page>,
    warnings: &mut Vec<String>,
) -> Result<Load, String> {
    let l = match measure::load(b, url).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("  {what}: {e}; trying once more");
            warnings.push(format!("{what}: one load failed and was repeated: {e}"));
            measure::load(b, url).await?
        }
    };
    if let Some(page) = expect {
        if l.verdict != page.verdict || l.headline != page.headline {
            let w = format!(
                "{}: the page shows {} {:?}, the engine says {} {:?}",
                page.label, l.verdict, l.headline, page.verdict, page.headline
            );
            if !warnings.contains(&w) {
                warnings.push(w);
            }
        }
    }
    Ok(l)
}

async fn pair(
    b: &Browser,
    app_url: &str,
    hello_url: &str,
    page: &Page,
    runs: usize,
    warnings: &mut Vec<String>,
) -> Result<Pair, String> {
    let url = format!("{app_url}{}", page.query);
    let mut p = Pair {
        label: page.label.clone(),
        in_goal: page.in_goal,
        app: Vec::new(),
        hello: Vec::new(),
    };
    for i in 0..runs {
        let a = load(b, &url, &page.label, Some(page), warnings).await?;
        let h = load(b, hello_url, "hello-world", None, warnings).await?;
        eprintln!(
            "    run {}/{runs}: app {} (DOM {}, FCP {}), hello-world {} (DOM {}, FCP {})",
            i + 1,
            ms(a.painted),
            ms(a.dom),
            ms(a.fcp.unwrap_or(f64::NAN)),
            ms(h.painted),
            ms(h.dom),
            ms(h.fcp.unwrap_or(f64::NAN)),
        );
        p.app.push(a);
        p.hello.push(h);
    }
    eprintln!(
        "    median: app {}, hello-world {}, ratio {:.2}",
        ms(p.app_ms()),
        ms(p.hello_ms()),
        p.ratio()
    );
    Ok(p)
}

async fn edit_series(
    b: &Browser,
    app_url: &str,
    page: &Page,
    plan: &EditPlan,
    n: usize,
    warnings: &mut Vec<String>,
) -> Result<Vec<Edit>, String> {
    let url = format!("{app_url}{}", page.query);
    load(b, &url, &page.label, Some(page), warnings).await?;
    measure::wait_fixes(b).await?;
    let mut out = Vec::new();
    // `CRUMBTRAIL_BENCH_PROFILE=FILE`: a DevTools CPU profile of the last edit, to find
    // where its time goes (open it in DevTools' Performance panel).
    let profile_to = std::env::var("CRUMBTRAIL_BENCH_PROFILE").ok();
    for i in 0..n {
        let to = (i + 1) % 2;
        let profiling = profile_to.is_some() && i + 1 == n;
        if profiling {
            b.cdp("Profiler.enable", serde_json::json!({})).await?;
            b.cdp(
                "Profiler.setSamplingInterval",
                serde_json::json!({ "interval": 200 }),
            )
            .await?;
            b.cdp("Profiler.start", serde_json::json!({})).await?;
        }
        let e = measure::edit(b, &plan.selector, &plan.values[to]).await?;
        if let (true, Some(path)) = (profiling, &profile_to) {
            let p = b.cdp("Profiler.stop", serde_json::json!({})).await?;
            std::fs::write(path, p["profile"].to_string()).map_err(|e| format!("{path}: {e}"))?;
            eprintln!("  CPU profile of the last edit written to {path}");
        }
        if e.headline != plan.headlines[to] {
            warnings.push(format!(
                "{} edit {}: the page shows {:?}, the engine says {:?}",
                page.label,
                i + 1,
                e.headline,
                plan.headlines[to]
            ));
        }
        out.push(e);
    }
    eprintln!(
        "  edits on {} ({}): painted {}, update {}, fixes shown {}",
        page.label,
        plan.field,
        med_max(out.iter().map(|e| e.painted)),
        med_max(out.iter().map(|e| e.update)),
        med_max(out.iter().filter_map(|e| e.fixes)),
    );
    Ok(out)
}

fn median(values: impl Iterator<Item = f64>) -> f64 {
    let mut v: Vec<f64> = values.collect();
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn med_max(values: impl Iterator<Item = f64>) -> String {
    let v: Vec<f64> = values.collect();
    if v.is_empty() {
        return "-".into();
    }
    let max = v.iter().copied().fold(f64::MIN, f64::max);
    format!("{} / {}", ms(median(v.into_iter())), ms(max))
}

fn ms(v: f64) -> String {
    if v.is_nan() {
        "-".into()
    } else if v < 100.0 {
        format!("{v:.1} ms")
    } else {
        format!("{v:.0} ms")
    }
}

fn kb(bytes: usize) -> String {
    format!("{:.1} KB", bytes as f64 / 1000.0)
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

fn machine() -> String {
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    format!("{cores} cores, {model}")
}
