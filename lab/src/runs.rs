//! The runs the lab keeps, and their logs within caps.
//!
//! A log's size is the bytes of its JSON. A run's log stops at
//! `max_log_bytes_per_run` (or [`MAX_LOG_ENTRIES`] entries): the lab still
//! answers the run's requests, but logs one note saying so and nothing more.
//! All logs together stay under `max_log_bytes_total`: when a new entry would
//! pass it, the logs of the oldest other runs are dropped first (each is left
//! with a note saying why), and when that is not enough the entry is not
//! logged and the run gets a note.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use crumbtrail_engine::live::LabLogEntry;
use crumbtrail_engine::scenario::ServerSetup;

/// Log entries kept per run; later requests are answered but not logged.
pub const MAX_LOG_ENTRIES: usize = 256;
/// Runs kept at once (the oldest are dropped).
pub const MAX_RUNS: usize = 512;
/// How long a run lives.
pub const RUN_TTL: Duration = Duration::from_secs(15 * 60);

pub(crate) struct Run {
    pub server: ServerSetup,
    /// The page's URL and the dev-server proxy on its origin, if any.
    pub proxy: Option<(String, crumbtrail_engine::server::dev_proxy::DevProxy)>,
    /// The real framework answering this run (`None`: the model answers).
    pub real: Option<std::sync::Arc<crate::real::RealServer>>,
    /// What the server model remembers (a raw route's call counts), kept
    /// from one request of the run to the next.
    pub memory: crumbtrail_engine::http::ServerMemory,
    created: Instant,
    log: Vec<LabLogEntry>,
    log_bytes: usize,
    /// The log stopped (a note says why): nothing more is logged.
    full: bool,
}

pub(crate) struct Runs {
    map: HashMap<String, Run>,
    total_bytes: usize,
    per_run_cap: usize,
    total_cap: usize,
}

/// Bytes an entry adds to the JSON array of a log.
fn size(entry: &LabLogEntry) -> usize {
    serde_json::to_string(entry).map(|s| s.len()).unwrap_or(0) + 1
}

fn live(r: &Run) -> bool {
    r.created.elapsed() < RUN_TTL
}

impl Runs {
    pub fn new(per_run_cap: usize, total_cap: usize) -> Runs {
        Runs {
            map: HashMap::new(),
            total_bytes: 0,
            per_run_cap,
            total_cap,
        }
    }

    /// Bytes held by all logs (notes included).
    #[cfg(test)]
    pub fn total_log_bytes(&self) -> usize {
        self.total_bytes
    }

    fn remove(&mut self, id: &str) {
        if let Some(r) = self.map.remove(id) {
            self.total_bytes -= r.log_bytes;
        }
    }

    /// Drops expired runs.
    pub fn sweep(&mut self) {
        let expired: Vec<String> = self
            .map
            .iter()
            .filter(|(_, r)| !live(r))
            .map(|(k, _)| k.clone())
            .collect();
        for k in expired {
            self.remove(&k);
        }
    }

    pub fn insert(
        &mut self,
        id: String,
        server: ServerSetup,
        proxy: Option<(String, crumbtrail_engine::server::dev_proxy::DevProxy)>,
        real: Option<std::sync::Arc<crate::real::RealServer>>,
    ) {
        self.sweep();
        while self.map.len() >= MAX_RUNS {
            let oldest = self
                .map
                .iter()
                .min_by_key(|(_, r)| r.created)
                .map(|(k, _)| k.clone());
            match oldest {
                Some(k) => self.remove(&k),
                None => break,
            }
        }
        self.map.insert(
            id,
            Run {
                server,
                proxy,
                real,
                memory: Default::default(),
                created: Instant::now(),
                log: Vec::new(),
                log_bytes: 0,
                full: false,
            },
        );
    }

    /// The run, unless unknown or expired.
    pub fn get(&self, id: &str) -> Option<&Run> {
        self.map.get(id).filter(|r| live(r))
    }

    /// Keeps what the server model remembers for the run's next request.
    pub fn set_memory(&mut self, id: &str, memory: crumbtrail_engine::http::ServerMemory) {
        if let Some(r) = self.map.get_mut(id) {
            r.memory = memory;
        }
    }

    pub fn log_of(&self, id: &str) -> Option<&[LabLogEntry]> {
        self.get(id).map(|r| r.log.as_slice())
    }

    fn push(&mut self, id: &str, entry: LabLogEntry) {
        let n = size(&entry);
        if let Some(r) = self.map.get_mut(id) {
            r.log.push(entry);
            r.log_bytes += n;
            self.total_bytes += n;
        }
    }

    /// Ends a run's log with a note (once).
    fn stop(&mut self, id: &str, message: String) {
        let Some(r) = self.map.get_mut(id) else {
            return;
        };
        if r.full {
            return;
        }
        r.full = true;
        let seq = r.log.len();
        self.push(id, LabLogEntry::note(seq, message));
    }

    /// Logs a request of run `id` (its `seq` is set here), within the caps.
    pub fn log(&mut self, id: &str, mut entry: LabLogEntry) {
        let (per_run, total) = (self.per_run_cap, self.total_cap);
        let Some(r) = self.map.get(id) else { return };
        if r.full {
            return;
        }
        let logged = r.log.len();
        entry.seq = logged;
        let n = size(&entry);
        if logged >= MAX_LOG_ENTRIES {
            return self.stop(
                id,
                format!(
                    "the lab stopped logging this run after {MAX_LOG_ENTRIES} requests (its limit \
                     per run); later requests were answered but are not in this log"
                ),
            );
        }
        if r.log_bytes + n > per_run {
            return self.stop(
                id,
                format!(
                    "the lab stopped logging this run: its log would pass {per_run} bytes (its \
                     limit per run) with a request of {n} bytes (large Cookie or \
                     Access-Control-Request-Headers headers?), so that request and the later \
                     ones were answered but are not in this log"
                ),
            );
        }
        // Room across runs: the oldest other logs go first.
        while self.total_bytes + n > total {
            let oldest = self
                .map
                .iter()
                .filter(|(k, r)| k.as_str() != id && !r.log.is_empty() && r.log_bytes > 0)
                .filter(|(_, r)| !(r.log.len() == 1 && r.log[0].note.is_some()))
                .min_by_key(|(_, r)| r.created)
                .map(|(k, _)| k.clone());
            let Some(old) = oldest else { break };
            let r = self.map.get_mut(&old).expect("listed above");
            let dropped = r.log.len();
            self.total_bytes -= r.log_bytes;
            r.log.clear();
            r.log_bytes = 0;
            r.full = false;
            self.stop(
                &old,
                format!(
                    "the lab dropped this run's log ({dropped} entries) to keep the logs of all \
                     runs under {total} bytes (its limit); newer runs needed the room"
                ),
            );
        }
        if self.total_bytes + n > total {
            return self.stop(
                id,
                format!(
                    "the lab stopped logging this run: the logs of all runs together would pass \
                     {total} bytes (its limit) with a request of {n} bytes; later requests were \
                     answered but are not in this log"
                ),
            );
        }
        self.push(id, entry);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(cookie_bytes: usize) -> LabLogEntry {
        LabLogEntry {
            req: Some(0),
            method: "GET".into(),
            cookie: Some("a".repeat(cookie_bytes)),
            ..LabLogEntry::default()
        }
    }

    fn json_len(log: &[LabLogEntry]) -> usize {
        serde_json::to_string(log).unwrap().len()
    }

    #[test]
    fn a_run_stops_at_its_cap_with_a_note() {
        let mut runs = Runs::new(10_000, 1_000_000);
        runs.insert("a".into(), ServerSetup::default(), None, None);
        for _ in 0..100 {
            runs.log("a", entry(1000));
        }
        let log = runs.log_of("a").unwrap();
        let notes: Vec<_> = log.iter().filter(|e| e.note.is_some()).collect();
        assert_eq!(notes.len(), 1);
        assert!(notes[0].note.as_ref().unwrap().contains("10000 bytes"));
        assert!(log.last().unwrap().note.is_some());
        // Bytes counted are the JSON's (within the cap plus one note).
        assert!(json_len(log) <= 10_000 + 600, "{}", json_len(log));
        // The JSON array adds its brackets and drops one comma.
        assert_eq!(runs.total_log_bytes() + 1, json_len(log));
    }

    #[test]
    fn entries_are_capped_too() {
        let mut runs = Runs::new(usize::MAX, usize::MAX);
        runs.insert("a".into(), ServerSetup::default(), None, None);
        for _ in 0..MAX_LOG_ENTRIES + 10 {
            runs.log("a", entry(1));
        }
        let log = runs.log_of("a").unwrap();
        assert_eq!(log.len(), MAX_LOG_ENTRIES + 1);
        assert_eq!(log[5].seq, 5);
        assert!(log[MAX_LOG_ENTRIES].note.is_some());
    }

    #[test]
    fn the_total_cap_drops_the_oldest_logs_first() {
        let mut runs = Runs::new(5_000, 12_000);
        for id in ["a", "b", "c"] {
            runs.insert(id.into(), ServerSetup::default(), None, None);
            std::thread::sleep(Duration::from_millis(2));
            for _ in 0..4 {
                runs.log(id, entry(1000));
            }
        }
        assert!(runs.total_log_bytes() <= 12_000);
        let a = runs.log_of("a").unwrap();
        assert_eq!(a.len(), 1);
        assert!(a[0]
            .note
            .as_ref()
            .unwrap()
            .contains("dropped this run's log"));
        assert_eq!(runs.log_of("c").unwrap().len(), 4);
        assert_eq!(runs.log_of("b").unwrap().len(), 4);
        // Removing runs gives their bytes back.
        runs.remove("a");
        runs.remove("b");
        runs.remove("c");
        assert_eq!(runs.total_log_bytes(), 0);
    }
}
