//! The search: single changes, then pairs, then triples of them, generated
//! one at a time (never all at once) and simulated within a budget that
//! holds on any scenario, with a report of how far it got.

use super::candidates::candidates;
use super::{goal_holds, is_safe, needs_session, Candidate, Fix, SettingChange};
use crate::scenario::Scenario;
use crate::simulate::simulate;
use crate::trace::Trace;

/// Limits that keep the fix search short on any scenario. Every limit is a
/// count, so the same scenario always gets the same fixes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct SearchBudget {
    /// Most single changes combined; the others are not tried.
    pub candidates: usize,
    /// Most combinations simulated.
    pub simulations: usize,
    /// Most work for all the simulations together, in units of roughly one
    /// simulation of the article's scenario (see [`simulation_work`]).
    pub work: u64,
}

impl Default for SearchBudget {
    /// About 100 ms natively on the largest scenario a link can hold.
    fn default() -> Self {
        SearchBudget {
            candidates: 40,
            simulations: 1500,
            work: 5000,
        }
    }
}

/// How far the search got.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct SearchReport {
    /// Single changes worth trying.
    pub candidates: usize,
    /// Of those, how many were combined (the first ones, see [`SearchBudget::candidates`]).
    pub candidates_used: usize,
    /// Combinations of one, two or three of all the single changes.
    pub combinations: u64,
    /// Combinations decided: simulated, or ruled out without a simulation
    /// (two changes of one setting, a fix found already plus more, unsafe).
    pub checked: u64,
    /// Combinations simulated.
    pub simulated: usize,
    /// Work spent, in the units of [`SearchBudget::work`].
    pub work: u64,
    /// Fixes found (before keeping the best few).
    pub found: usize,
    /// The search ran out of budget before it decided every combination.
    pub stopped: bool,
}

impl SearchReport {
    /// What the page says when the search stopped early; `None` when it
    /// searched everything.
    pub fn note(&self) -> Option<String> {
        if !self.stopped {
            return None;
        }
        let found = if self.found == 0 {
            "None of them works"
        } else {
            "The fixes above are the smallest among them"
        };
        Some(format!(
            "Searched {} of {} combinations of up to three changes (from {} possible single changes), then stopped to keep the page responsive. {found}; a fix that needs other changes may exist.",
            grouped(self.checked),
            grouped(self.combinations),
            grouped(self.candidates as u64),
        ))
    }
}

/// `1234567` as `1,234,567`.
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let head = match digits.len() % 3 {
        0 => 3.min(digits.len()),
        short => short,
    };
    let mut out = digits[..head].to_string();
    for group in digits.as_bytes()[head..].chunks(3) {
        out.push(',');
        out.push_str(std::str::from_utf8(group).unwrap_or_default());
    }
    out
}

/// The fixes and how far the search went.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct FixSearch {
    pub fixes: Vec<Fix>,
    pub report: SearchReport,
}

/// Most fixes returned.
const MAX_FIXES: usize = 4;
/// Largest combination tried.
const MAX_SIZE: usize = 3;

/// Combinations of one, two or three of all `n` single changes.
fn combinations_up_to_three(n: usize) -> u64 {
    let n = n as u64;
    let pairs = n * n.saturating_sub(1) / 2;
    n + pairs + pairs * n.saturating_sub(2) / 3
}

/// Index sets of `n` items: every single, then every pair, then every
/// triple, each in lexicographic order, one at a time.
struct Combinations {
    n: usize,
    size: usize,
    idx: [usize; MAX_SIZE],
    started: bool,
}

impl Combinations {
    fn new(n: usize) -> Self {
        Combinations {
            n,
            size: 1,
            idx: [0; MAX_SIZE],
            started: false,
        }
    }

    /// The next set of the current size, if any.
    fn advance(&mut self) -> bool {
        let (n, k) = (self.n, self.size);
        let Some(i) = (0..k).rev().find(|&i| self.idx[i] < n - k + i) else {
            return false;
        };
        self.idx[i] += 1;
        for j in i + 1..k {
            self.idx[j] = self.idx[j - 1] + 1;
        }
        true
    }
}

impl Iterator for Combinations {
    type Item = ([usize; MAX_SIZE], usize);

    fn next(&mut self) -> Option<Self::Item> {
        while self.size <= MAX_SIZE.min(self.n) {
            if !self.started {
                self.started = true;
                for (i, x) in self.idx.iter_mut().enumerate() {
                    *x = i;
                }
                return Some((self.idx, self.size));
            }
            if self.advance() {
                return Some((self.idx, self.size));
            }
            self.size += 1;
            self.started = false;
        }
        None
    }
}

/// The settings each candidate changes, as sorted ids, and which pairs of
/// candidates change a setting in common.
struct Fields {
    ids: Vec<Vec<u32>>,
    /// A candidate that names one setting twice.
    repeats: Vec<bool>,
    /// `n × n`: the two candidates change a setting in common.
    clash: Vec<bool>,
}

impl Fields {
    fn new(cands: &[Candidate]) -> Self {
        let mut names: Vec<&str> = cands
            .iter()
            .flat_map(|c| c.changes.iter().map(|ch| ch.field.as_str()))
            .collect();
        names.sort_unstable();
        names.dedup();
        let mut ids = Vec::with_capacity(cands.len());
        let mut repeats = Vec::with_capacity(cands.len());
        for c in cands {
            let mut v: Vec<u32> = c
                .changes
                .iter()
                .map(|ch| names.binary_search(&ch.field.as_str()).unwrap_or(0) as u32)
                .collect();
            v.sort_unstable();
            v.dedup();
            repeats.push(v.len() != c.changes.len());
            ids.push(v);
        }
        let n = cands.len();
        let mut clash = vec![false; n * n];
        for a in 0..n {
            for b in a + 1..n {
                let x = intersects(&ids[a], &ids[b]);
                clash[a * n + b] = x;
                clash[b * n + a] = x;
            }
        }
        Fields {
            ids,
            repeats,
            clash,
        }
    }

    /// Two candidates of the set change the same setting.
    fn conflict(&self, set: &[usize]) -> bool {
        let n = self.ids.len();
        set.iter().any(|&a| self.repeats[a])
            || set
                .iter()
                .enumerate()
                .any(|(i, &a)| set[i + 1..].iter().any(|&b| self.clash[a * n + b]))
    }

    /// The settings the set changes, sorted.
    fn union(&self, set: &[usize]) -> Vec<u32> {
        let mut f: Vec<u32> = set.iter().flat_map(|&i| self.ids[i].clone()).collect();
        f.sort_unstable();
        f.dedup();
        f
    }
}

fn intersects(a: &[u32], b: &[u32]) -> bool {
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => return true,
        }
    }
    false
}

/// Every item of `small` is in `big` (both sorted).
fn is_subset(small: &[u32], big: &[u32]) -> bool {
    let mut j = 0;
    small.iter().all(|x| {
        while j < big.len() && big[j] < *x {
            j += 1;
        }
        j < big.len() && big[j] == *x
    })
}

/// Bytes of a trace (step texts, headers on the wire, cookie jars) that
/// make one unit of work.
const TRACE_BYTES_PER_UNIT: usize = 1000;
/// Trace steps that make one unit (on top of their bytes).
const STEPS_PER_UNIT: usize = 4;
/// Bytes of a scenario (cloned and changed for every combination) that make one unit.
const SCENARIO_BYTES_PER_UNIT: usize = 3000;
/// rack-cors origins and resources compiled, per unit.
pub(crate) const CORS_ITEMS_PER_UNIT: usize = 2;
/// Regexp steps per unit.
pub(crate) const REGEXP_STEPS_PER_UNIT: u64 = 400;

/// What the search pays per combination, whatever its trace. One unit is
/// about one simulation of the article's scenario.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Costs {
    /// Copying the scenario and applying the changes.
    apply: u64,
    /// Booting the server model: compiling rack-cors and running its
    /// regexps (measured once, on the page's Origin and the request paths).
    boot: u64,
}

impl Costs {
    fn of(s: &Scenario) -> Self {
        let requests: usize = s
            .requests
            .iter()
            .map(|r| r.url.len() + r.headers.len() + 64)
            .sum();
        let cost = s.server.stack().search_cost(s);
        let (server, boot) = (cost.bytes, cost.boot_units);
        Costs {
            apply: 1 + ((requests + server) / SCENARIO_BYTES_PER_UNIT) as u64,
            boot,
        }
    }
}

/// The work of one simulation past booting, in units of
/// [`SearchBudget::work`]: the size of what it produced (steps, the
/// exchanges on the wire, the cookie jar after each request). Counted, not
/// timed, so it is the same on every machine.
pub fn simulation_work(trace: &Trace) -> u64 {
    let steps: usize = trace
        .steps
        .iter()
        .map(|s| {
            s.title.len()
                + s.explanation.len()
                + s.values
                    .iter()
                    .map(|v| v.label.len() + v.value.len())
                    .sum::<usize>()
        })
        .sum();
    let headers = |h: &crate::headers::HeaderList| -> usize {
        h.iter().map(|(n, v)| n.len() + v.len() + 4).sum()
    };
    let requests: usize = trace
        .requests
        .iter()
        .map(|r| {
            let wire: usize = r
                .exchanges
                .iter()
                .map(|e| {
                    headers(&e.request.headers)
                        + e.response.as_ref().map_or(0, |x| headers(&x.headers))
                })
                .sum();
            let jar: usize = r
                .jar_after
                .iter()
                .map(|c| c.name.len() + c.value.len() + c.domain.len() + c.path.len() + 64)
                .sum();
            wire + jar
        })
        .sum();
    ((steps + requests) / TRACE_BYTES_PER_UNIT + trace.steps.len() / STEPS_PER_UNIT) as u64
}

/// The smallest sets of setting changes that make the goal hold, smallest
/// first, with the default [`SearchBudget`]. Empty when the scenario
/// already works, or when no combination of up to three candidate changes
/// does (see [`super::architectural_advice`]).
pub fn suggest_fixes(scenario: &Scenario) -> Vec<Fix> {
    search_fixes(scenario, &SearchBudget::default()).fixes
}

/// [`suggest_fixes`] within `budget`, with a report of how far it got.
pub fn search_fixes(scenario: &Scenario, budget: &SearchBudget) -> FixSearch {
    search_fixes_from(scenario, &simulate(scenario), budget)
}

/// [`search_fixes`] for a scenario already simulated: `baseline` is its trace.
pub fn search_fixes_from(
    scenario: &Scenario,
    baseline: &Trace,
    budget: &SearchBudget,
) -> FixSearch {
    let mut run = FixSearchRun::start(scenario, baseline, budget);
    while !run.advance(&mut || true) {}
    run.finish()
}

/// A fix search that can pause between two simulations, so that a page can
/// run it in slices between frames and drop it when the setup changes. The
/// slices decide only *when* it pauses: the budget is counted, so the fixes
/// and the report are the same as [`search_fixes_from`]'s however it is cut.
pub struct FixSearchRun {
    scenario: Scenario,
    budget: SearchBudget,
    need: bool,
    cands: Vec<Candidate>,
    fields: Fields,
    costs: Costs,
    /// What a combination is expected to cost (about what the scenario did).
    expected: u64,
    combinations: Combinations,
    found: Vec<([usize; MAX_SIZE], usize, Vec<u32>, Scenario)>,
    report: SearchReport,
    done: bool,
}

impl FixSearchRun {
    /// Prepares the search (its single changes); simulates nothing yet.
    pub fn start(scenario: &Scenario, baseline: &Trace, budget: &SearchBudget) -> Self {
        let need = needs_session(scenario, baseline);
        let works = goal_holds(scenario, baseline, need);
        let mut cands = if works {
            Vec::new()
        } else {
            candidates(scenario)
        };
        let mut report = SearchReport {
            candidates: cands.len(),
            combinations: combinations_up_to_three(cands.len()),
            ..SearchReport::default()
        };
        cands.truncate(budget.candidates);
        report.candidates_used = cands.len();
        let fields = Fields::new(&cands);
        let costs = Costs::of(scenario);
        // A combination costs about what the scenario itself did: start one
        // only if that still fits.
        let expected = costs.apply + costs.boot + simulation_work(baseline);
        FixSearchRun {
            scenario: scenario.clone(),
            budget: *budget,
            need,
            combinations: Combinations::new(cands.len()),
            cands,
            fields,
            costs,
            expected,
            found: Vec::new(),
            report,
            done: works,
        }
    }

    /// Decides combinations until the search is over (`true`) or
    /// `keep_going` says to pause (`false`); `keep_going` is asked after
    /// every simulation.
    pub fn advance(&mut self, keep_going: &mut dyn FnMut() -> bool) -> bool {
        while !self.done {
            let Some((idx, len)) = self.combinations.next() else {
                self.done = true;
                break;
            };
            if self.decide(idx, len) && !keep_going() {
                break;
            }
        }
        self.done
    }

    /// Decides one combination; `true` when it was simulated.
    fn decide(&mut self, idx: [usize; MAX_SIZE], len: usize) -> bool {
        let report = &mut self.report;
        let set = &idx[..len];
        let f = self.fields.union(set);
        if self.fields.conflict(set) || self.found.iter().any(|(.., ff, _)| is_subset(ff, &f)) {
            report.checked += 1;
            return false;
        }
        if report.simulated >= self.budget.simulations
            || report.work.saturating_add(self.expected) > self.budget.work
        {
            report.stopped = true;
            self.done = true;
            return false;
        }
        report.checked += 1;
        report.work += self.costs.apply;
        let mut cand = self.scenario.clone();
        for i in set {
            self.cands[*i].apply(&mut cand);
        }
        if !is_safe(&cand, &self.scenario) {
            return false;
        }
        let t = simulate(&cand);
        report.simulated += 1;
        report.work += self.costs.boot + simulation_work(&t);
        if goal_holds(&cand, &t, self.need) {
            self.found.push((idx, len, f, cand));
        }
        true
    }

    /// Combinations simulated so far.
    pub fn simulated(&self) -> usize {
        self.report.simulated
    }

    /// The fixes found and the report; a search not advanced to its end
    /// reports that it stopped.
    pub fn finish(self) -> FixSearch {
        let mut report = self.report;
        report.stopped |= report.checked < report.combinations;
        report.found = self.found.len();
        let cands = self.cands;
        let fixes = self
            .found
            .into_iter()
            .map(|(idx, len, _, sc)| fix_of(&cands, &idx[..len], sc))
            .collect();
        FixSearch {
            fixes: best(fixes),
            report,
        }
    }
}

/// The fix made of these candidates, with its sort key: (changes, rank).
fn fix_of(cands: &[Candidate], set: &[usize], scenario: Scenario) -> (usize, u32, Fix) {
    let changes: Vec<SettingChange> = set.iter().flat_map(|i| cands[*i].changes.clone()).collect();
    let rank: u32 = set.iter().map(|i| cands[*i].rank as u32).sum();
    let join = |part: &dyn Fn(&Candidate) -> &str, sep: &str| {
        set.iter()
            .map(|i| part(&cands[*i]))
            .collect::<Vec<_>>()
            .join(sep)
    };
    let fix = Fix {
        title: join(&|c| c.title.as_str(), " + "),
        reason: join(&|c| c.reason.as_str(), " "),
        changes,
        scenario,
    };
    (fix.changes.len(), rank, fix)
}

/// The [`MAX_FIXES`] smallest fixes: fewest changes, then lowest rank, then
/// in the order found.
fn best(mut fixes: Vec<(usize, u32, Fix)>) -> Vec<Fix> {
    fixes.sort_by_key(|f| (f.0, f.1));
    fixes
        .into_iter()
        .take(MAX_FIXES)
        .map(|(_, _, f)| f)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn combinations_come_by_size_then_in_order() {
        let all: Vec<Vec<usize>> = Combinations::new(4)
            .map(|(idx, len)| idx[..len].to_vec())
            .collect();
        assert_eq!(all.len() as u64, combinations_up_to_three(4));
        assert_eq!(&all[..5], &[vec![0], vec![1], vec![2], vec![3], vec![0, 1]]);
        assert_eq!(all[10], vec![0, 1, 2]);
        assert_eq!(all.last(), Some(&vec![1, 2, 3]));
        assert_eq!(Combinations::new(2).count(), 3);
        assert_eq!(Combinations::new(0).count(), 0);
        assert_eq!(combinations_up_to_three(405), 405 + 81_810 + 10_989_810);
    }

    #[test]
    fn numbers_are_grouped() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1000), "1,000");
        assert_eq!(grouped(11_071_620), "11,071,620");
    }

    #[test]
    fn subsets_and_intersections() {
        assert!(is_subset(&[1, 3], &[0, 1, 2, 3]));
        assert!(!is_subset(&[1, 4], &[0, 1, 2, 3]));
        assert!(is_subset(&[], &[1]));
        assert!(intersects(&[1, 5], &[2, 5]));
        assert!(!intersects(&[1, 5], &[2, 6]));
    }
}
