//! A small deterministic mutation fuzzer over every parser and entry point
//! of the engine, checking the laws in `tests/laws` (the property tests state
//! the same laws). Run it with `./dev fuzz [N]`, or
//!
//! ```sh
//! cargo run --profile fuzz -p crumbtrail-engine --example fuzz -- [N] [--seed S] [--only a,b]
//! ```
//!
//! N inputs per entry point (default 1,000,000). Inputs are real ones (presets,
//! the issue's links, the http-state test vectors, generated code) changed by
//! 1–4 stacked mutations: bit flips, special bytes, inserts, deletes, splices
//! from other inputs, a duplicated `key=value` (or line, or attribute),
//! numeric extremes, tokens of the format, percent-encoding. The `scenario`
//! entry point instead generates reachable scenarios (law 1). A panic (caught
//! per input) or a broken law is a failure; the exit status is 1 if any.

#[path = "../tests/laws/mod.rs"]
mod laws;

use std::cell::RefCell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::{Duration, Instant};

use crumbtrail_engine::codegen::{cors_rb, session_store_initializer, session_store_rb};
use crumbtrail_engine::permalink::encode;
use crumbtrail_engine::presets;
use crumbtrail_engine::scenario::ServerSetup;
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

/// xorshift64*: small, fast, and the same sequence everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Bytes that matter to one parser or another.
const SPECIAL: &[u8] =
    b"%&=?#+ ,;:'\"\\/.*-_()[]{}<>`@!$~^|\n\r\t\0\x01\x0b\x1f\x7f\x80\xc2\xa0\xe3\x80\x80\xff";

/// Numbers at the edges of every limit the readers have.
const NUMBERS: &[&str] = &[
    "0",
    "1",
    "9",
    "10",
    "11",
    "19",
    "20",
    "21",
    "99",
    "255",
    "256",
    "599",
    "600",
    "999",
    "1000",
    "1601",
    "9999",
    "65535",
    "65536",
    "34560000",
    "34560001",
    "4294967295",
    "4294967296",
    "18446744073709551615",
    "18446744073709551616",
    "99999999999999999999999",
    "-1",
    "+1",
    "00",
    "1e3",
];

/// Inputs longer than this are cut (every reader is linear or close to it).
const MAX_LEN: usize = 4096;

/// What the fuzzer knows about one entry point.
struct Target {
    name: &'static str,
    seeds: Vec<String>,
    /// Tokens of the input's format, inserted by one mutation.
    dictionary: &'static [&'static str],
    /// Separates the units a mutation duplicates (`&`, a line, `;`).
    separator: u8,
    law: fn(&str) -> Result<(), String>,
}

/// One stacked change of an input.
fn mutate(rng: &mut Rng, input: &mut Vec<u8>, target: &Target, pool: &[String]) {
    let at = rng.below(input.len() + 1);
    match rng.below(10) {
        0 if !input.is_empty() => {
            let i = rng.below(input.len());
            input[i] ^= 1 << rng.below(8);
        }
        1 if !input.is_empty() => {
            let i = rng.below(input.len());
            input[i] = *rng.pick(SPECIAL);
        }
        2 => {
            let n = 1 + rng.below(4);
            let bytes: Vec<u8> = (0..n)
                .map(|_| {
                    if rng.below(2) == 0 {
                        *rng.pick(SPECIAL)
                    } else {
                        rng.next() as u8
                    }
                })
                .collect();
            input.splice(at..at, bytes);
        }
        3 => {
            let end = (at + 1 + rng.below(8)).min(input.len());
            input.drain(at.min(end)..end);
        }
        4 => {
            // Splice: a piece of another input, inserted or replacing the tail.
            let other = rng.pick(pool).as_bytes();
            let from = rng.below(other.len() + 1);
            let to = (from + rng.below(64)).min(other.len());
            if rng.below(2) == 0 {
                input.truncate(at);
            }
            input.splice(at..at, other[from..to].iter().copied());
        }
        5 => duplicate_unit(rng, input, target.separator),
        6 => replace_number(rng, input),
        7 => {
            let token = rng.pick(target.dictionary).as_bytes();
            input.splice(at..at, token.iter().copied());
        }
        8 if !input.is_empty() => {
            // Percent-encode one byte (or decode-like noise where it is not).
            let i = rng.below(input.len());
            let hex = format!("%{:02X}", input[i]);
            input.splice(i..=i, hex.bytes());
        }
        _ => input.truncate(at),
    }
}

/// Key duplication: one `key=value` (or line, attribute) once more, elsewhere.
fn duplicate_unit(rng: &mut Rng, input: &mut Vec<u8>, sep: u8) {
    let units: Vec<&[u8]> = input.split(|b| *b == sep).collect();
    if units.is_empty() {
        return;
    }
    let unit = rng.pick(&units).to_vec();
    let bounds: Vec<usize> = std::iter::once(0)
        .chain(
            input
                .iter()
                .enumerate()
                .filter(|(_, b)| **b == sep)
                .map(|(i, _)| i),
        )
        .collect();
    let at = *rng.pick(&bounds);
    let mut piece = vec![sep];
    piece.extend(unit);
    input.splice(at..at, piece);
}

/// A run of digits becomes an extreme number.
fn replace_number(rng: &mut Rng, input: &mut Vec<u8>) {
    let runs: Vec<(usize, usize)> = {
        let mut runs = Vec::new();
        let mut i = 0;
        while i < input.len() {
            if input[i].is_ascii_digit() {
                let start = i;
                while i < input.len() && input[i].is_ascii_digit() {
                    i += 1;
                }
                runs.push((start, i));
            } else {
                i += 1;
            }
        }
        runs
    };
    let number = rng.pick(NUMBERS).as_bytes();
    match runs.is_empty() {
        true => input.extend_from_slice(number),
        false => {
            let (start, end) = *rng.pick(&runs);
            input.splice(start..end, number.iter().copied());
        }
    }
}

/// Counts, the slowest input and every failure (the first few kept in full).
#[derive(Default)]
struct Report {
    inputs: u64,
    elapsed: Duration,
    /// CPU time of the run, generating and mutating included.
    cpu: Duration,
    /// Best of 4 more runs, in CPU time: one timing is noisy.
    slowest: (Duration, String),
    failures: u64,
    examples: Vec<(String, String)>,
}

impl Report {
    /// Records one input; one that looks slower than the slowest so far is
    /// run 4 more times and counts with its best CPU time.
    fn record(
        &mut self,
        input: &str,
        (took, outcome): (Duration, Result<(), String>),
        again: impl Fn(),
    ) {
        self.inputs += 1;
        if took > self.slowest.0 {
            let best = (0..4).map(|_| time(&again)).min().unwrap_or(took);
            if best > self.slowest.0 {
                self.slowest = (best, input.to_string());
            }
        }
        if let Err(why) = outcome {
            self.failures += 1;
            if self.examples.len() < 5 {
                self.examples.push((input.to_string(), why));
            }
        }
    }
}

/// CPU time of this thread (POSIX `CLOCK_THREAD_CPUTIME_ID`, Linux), so
/// time the machine gives to other work does not count.
#[cfg(target_os = "linux")]
fn cpu_time() -> Option<Duration> {
    #[repr(C)]
    struct Timespec {
        tv_sec: i64,
        tv_nsec: i64,
    }
    extern "C" {
        fn clock_gettime(clock: i32, ts: *mut Timespec) -> i32;
    }
    const CLOCK_THREAD_CPUTIME_ID: i32 = 3;
    let mut ts = Timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec for the call.
    let rc = unsafe { clock_gettime(CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    (rc == 0).then(|| Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32))
}

#[cfg(not(target_os = "linux"))]
fn cpu_time() -> Option<Duration> {
    None
}

/// One run's CPU time (wall time where the system does not say).
fn time(run: impl Fn()) -> Duration {
    let (start, cpu) = (Instant::now(), cpu_time());
    let _ = catch_unwind(AssertUnwindSafe(run));
    match (cpu, cpu_time()) {
        (Some(a), Some(b)) => b.saturating_sub(a),
        _ => start.elapsed(),
    }
}

impl Report {
    fn finish(&mut self, start: Instant, cpu: Option<Duration>) {
        self.elapsed = start.elapsed();
        self.cpu = match (cpu, cpu_time()) {
            (Some(a), Some(b)) => b.saturating_sub(a),
            _ => self.elapsed,
        };
    }
}

thread_local! {
    static PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Runs a law on one input; a panic becomes a failure with its message.
fn check(law: impl FnOnce() -> Result<(), String>) -> (Duration, Result<(), String>) {
    let start = Instant::now();
    let outcome = catch_unwind(AssertUnwindSafe(law));
    let took = start.elapsed();
    let outcome = outcome.unwrap_or_else(|_| {
        let message = PANIC.with(|p| p.borrow_mut().take());
        Err(format!("panic: {}", message.unwrap_or_default()))
    });
    (took, outcome)
}

fn fuzz_target(target: &Target, n: u64, rng: &mut Rng) -> Report {
    let mut pool = target.seeds.clone();
    let mut report = Report::default();
    let (start, cpu) = (Instant::now(), cpu_time());
    for _ in 0..n {
        let mut input = rng.pick(&pool).clone().into_bytes();
        for _ in 0..1 + rng.below(4) {
            mutate(rng, &mut input, target, &pool);
        }
        input.truncate(MAX_LEN);
        let input = String::from_utf8_lossy(&input).into_owned();
        let outcome = check(|| (target.law)(&input));
        report.record(&input, outcome, || {
            let _ = (target.law)(&input);
        });
        // Keep some inputs to mutate further; the seeds stay.
        if rng.below(16) == 0 {
            if pool.len() < target.seeds.len() + 512 {
                pool.push(input);
            } else {
                let i = target.seeds.len() + rng.below(512);
                pool[i] = input;
            }
        }
    }
    report.finish(start, cpu);
    report
}

/// Law 1 over generated reachable scenarios (the property tests' strategy).
fn fuzz_scenarios(n: u64, rng: &mut Rng) -> Report {
    let mut seed = [0u8; 32];
    for chunk in seed.chunks_mut(8) {
        chunk.copy_from_slice(&rng.next().to_le_bytes());
    }
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &seed);
    let mut runner = TestRunner::new_with_rng(Config::default(), rng);
    let strategy = laws::reachable::reachable_with_view();
    let mut report = Report::default();
    let (start, cpu) = (Instant::now(), cpu_time());
    for _ in 0..n {
        let (scenario, view) = match strategy.new_tree(&mut runner) {
            Ok(tree) => tree.current(),
            Err(e) => {
                let failed = (Duration::ZERO, Err(e.to_string()));
                report.record("(generation)", failed, || {});
                continue;
            }
        };
        let link = encode(&scenario, &view);
        let law = || {
            laws::scenario_round_trip(&scenario, &view)?;
            laws::permalink(&link)
        };
        report.record(&link, check(law), || {
            let _ = law();
        });
    }
    report.finish(start, cpu);
    report
}

fn rails_apps() -> Vec<crumbtrail_engine::server::rails::RailsApp> {
    presets::all()
        .into_iter()
        .filter_map(|p| match p.scenario.server {
            ServerSetup::Rails(app) => Some(app),
            _ => None,
        })
        .collect()
}

fn json_strings(text: &str, field: &str) -> Vec<String> {
    let text: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    let cases: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap_or_default();
    let mut out = Vec::new();
    for case in cases {
        match &case[field] {
            serde_json::Value::String(s) => out.push(s.clone()),
            serde_json::Value::Array(items) => {
                out.extend(items.iter().filter_map(|v| v.as_str().map(String::from)))
            }
            _ => {}
        }
    }
    out
}

fn header_texts() -> Vec<String> {
    let mut out = vec![
        "Access-Control-Allow-Origin: http://localhost:3000\nAccess-Control-Allow-Credentials: true".to_string(),
        "Set-Cookie: a=b; Path=/; HttpOnly; SameSite=Lax\r\nSet-Cookie: c=d\nVary: Origin".to_string(),
        "Location: /next\n\n X-Odd :  spaced value \t".to_string(),
    ];
    for p in presets::all() {
        out.extend(p.scenario.requests.iter().map(|r| r.headers.clone()));
        if let ServerSetup::Raw(raw) = &p.scenario.server {
            for r in &raw.routes {
                out.push(r.preflight.headers.clone());
                out.push(r.response.headers.clone());
            }
        }
    }
    out.retain(|s| !s.is_empty());
    out
}

/// Tokens of each format, for the dictionary mutation.
const PERMALINK_TOKENS: &[&str] = &[
    "&",
    "=",
    "?",
    "#",
    "%",
    "+",
    ",",
    "'",
    "v=1&",
    "&requests=20",
    "&browser=firefox@140",
    "&browser=safari@18.3",
    "@",
    "&blocks=0",
    "&r1=GET+/x",
    "&r3.via=xhr",
    "&r1.cred=omit",
    "&r2.mode=no-cors",
    "&r1.redirect=manual",
    "&r1.via=visit",
    "&r2.via=form-get",
    "&r2.fields=a%3D1%0A%3Db",
    "&r1.enctype=multipart",
    "&r2.from=current",
    "&r1.method=",
    "&r1.url=",
    "&b2.r3.methods=:any,",
    "&b1.r1.headers=unset,",
    "&b1.origins=",
    "&b1.resources=0",
    "&s.domain=",
    "&s.key='unset'",
    ":all/3",
    "&server=raw",
    "&raw1=*+*",
    "&raw2.status=999",
    "&raw1.call=2",
    "&raw2.reflect=1",
    "&raw1.query=1",
    "&j1=sid%3D1",
    "&j1.domain=localhost",
    "&j2.same_site=none",
    "&j1.age=200",
    "&j1.partition=https://a.test",
    "&embed=1",
    "&settings=1",
    "&theme=light",
    "http://localhost:8080/?",
];

const COOKIE_TOKENS: &[&str] = &[
    "; ",
    "=",
    "Secure",
    "HttpOnly",
    "Partitioned",
    "Domain=",
    "Path=/",
    "Max-Age=",
    "Expires=",
    "SameSite=None",
    "SameSite=Lax",
    "__Host-",
    "__Secure-",
    "\"",
];

const DATE_TOKENS: &[&str] = &[
    "Jan", "feb", "Dec", "GMT", " ", "-", ":", "00:00:00", "23:59:59", "29", "31", "1601", "1969",
    "70", "2038", "9999",
];

const URL_TOKENS: &[&str] = &[
    "http://",
    "https://",
    "//",
    "[::1]",
    "xn--",
    "%2e",
    "@",
    ":",
    ".",
    "..",
    "localhost",
    "127.0.0.1",
    "co.uk",
    "github.io",
    "\u{3002}",
    "\u{ff0e}",
    "\\",
];

const CORS_RB_TOKENS: &[&str] = &[
    "origins ",
    "resource ",
    "'*'",
    "headers: :any",
    "methods: [:get, :post]",
    "credentials: true",
    "max_age: 600",
    "vary: ['Accept']",
    "expose: ['ETag']",
    "if: proc { false }",
    "allow do\n",
    "end\n",
    "/\\Ahttps?:\\/\\/a\\z/",
    "%r{a}",
    "\"",
    "'",
    "#",
    ", ",
    ":sym",
    "nil",
    "\\'",
];

const SESSION_RB_TOKENS: &[&str] = &[
    ":cookie_store",
    ":disabled",
    "key: '_k'",
    "domain: :all",
    "tld_length: 2",
    "domain: ['a.test', 'b.test']",
    "same_site: :none",
    "same_site: nil",
    "secure: true",
    "httponly: false",
    "expire_after: 14.days",
    "path: '/'",
    ", ",
    "\"",
    "'",
    "#",
    "nil",
];

/// Tokens of the formats the importers read: HAR JSON, cURL, fetch, headers.
const IMPORT_TOKENS: &[&str] = &[
    "{\"log\":{\"entries\":[",
    "\"request\":{",
    "\"response\":{",
    "\"headers\":[{\"name\":\"set-cookie\",\"value\":\"a=b\"}]",
    "\"status\":0",
    "\"_error\":\"net::ERR_FAILED\"",
    "\"_resourceType\":\"preflight\"",
    "\"method\":\"OPTIONS\"",
    "\"startedDateTime\":\"2025-06-01T10:00:00Z\"",
    "\\n",
    "\\u0000",
    " -H 'Cookie: a=1'",
    " --data-raw '",
    " ^\n",
    "$'\\x41'",
    "\"credentials\": \"include\"",
    ":method: ",
    "HTTP/1.1 302 Found\nLocation: /x\n",
    "Set-Cookie: a=1; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
    "\n\n",
];

const SETTINGS_PY_TOKENS: &[&str] = &[
    "CORS_ALLOWED_ORIGINS = ",
    "CORS_ALLOWED_ORIGIN_REGEXES = ",
    "CORS_URLS_REGEX = ",
    "SESSION_COOKIE_SAMESITE = ",
    "CSRF_TRUSTED_ORIGINS = ",
    "MIDDLEWARE = ",
    "SECURE_PROXY_SSL_HEADER = ",
    "[",
    "]",
    "(",
    ")",
    "'",
    "\"",
    "r'",
    "'''",
    ",",
    "#",
    "\\",
    "True",
    "None",
    " * ",
    "'None'",
    "'https://*.example.com'",
    r"r'^https?://(?P<h>[a-z]+)\.test$'",
];

const HEADER_TOKENS: &[&str] = &[
    "Set-Cookie: ",
    "Access-Control-Allow-Origin: ",
    "Vary: ",
    ":",
    "\r\n",
    "\n",
    "\t",
    " ",
    "\0",
];

/// URLs to start from: loopback, IPv6, suffixes, international names, odd forms.
const URL_SEEDS: &[&str] = &[
    "http://localhost:3001/login",
    "https://api.example.test:8443/a?b#c",
    "http://[::1]:8080/x",
    "http://127.0.0.1/",
    "http://app.localhost/",
    "https://co.uk/",
    "http://bücher.example/",
    "https://a.b.github.io/",
    "/relative?x=1",
    "//other.test/p",
    "file:///etc/hosts",
    "data:text/plain,hi",
    "http://user:pass@host.test/",
    "http://EXAMPLE.com./",
    "http://0x7f.1/",
    "https://xn--bcher-kva.example/",
];

fn targets() -> Vec<Target> {
    let apps = rails_apps();
    let mut cors: Vec<String> = apps.iter().map(cors_rb).collect();
    cors.push(laws::ARTICLE_CORS_RB.to_string());
    let mut sessions: Vec<String> = apps.iter().map(session_store_rb).collect();
    sessions.extend(apps.iter().map(|a| session_store_initializer(&a.session)));
    sessions.push(laws::ARTICLE_SESSION_RB.to_string());
    let mut cookies = json_strings(
        include_str!("../tests/data/http-state-parser.json"),
        "received",
    );
    cookies.push("__Host-id=1; Secure; Path=/; SameSite=None; Partitioned".into());
    let mut dates = json_strings(include_str!("../tests/data/http-state-dates.json"), "test");
    dates.extend(json_strings(
        include_str!("../tests/data/http-state-dates-bsd.json"),
        "test",
    ));
    vec![
        Target {
            name: "permalink",
            seeds: laws::permalink_seeds(),
            dictionary: PERMALINK_TOKENS,
            separator: b'&',
            law: laws::permalink,
        },
        Target {
            name: "set-cookie",
            seeds: cookies,
            dictionary: COOKIE_TOKENS,
            separator: b';',
            law: laws::set_cookie,
        },
        Target {
            name: "cookie-date",
            seeds: dates,
            dictionary: DATE_TOKENS,
            separator: b' ',
            law: laws::cookie_date,
        },
        Target {
            name: "url",
            seeds: URL_SEEDS.iter().map(|s| s.to_string()).collect(),
            dictionary: URL_TOKENS,
            separator: b'/',
            law: laws::url,
        },
        Target {
            name: "cors.rb",
            seeds: cors,
            dictionary: CORS_RB_TOKENS,
            separator: b'\n',
            law: laws::cors_rb_text,
        },
        Target {
            name: "session_store.rb",
            seeds: sessions,
            dictionary: SESSION_RB_TOKENS,
            separator: b',',
            law: laws::session_store_text,
        },
        Target {
            name: "import",
            seeds: laws::import_seeds(),
            dictionary: IMPORT_TOKENS,
            separator: b'\n',
            law: laws::import_text,
        },
        Target {
            name: "settings.py",
            seeds: laws::django::seeds(),
            dictionary: SETTINGS_PY_TOKENS,
            separator: b'\n',
            law: laws::django::settings_py_text,
        },
        Target {
            name: "header-lines",
            seeds: header_texts(),
            dictionary: HEADER_TOKENS,
            separator: b'\n',
            law: laws::header_lines,
        },
    ]
}

/// An input for a report line: escaped and cut.
fn preview(s: &str, max: usize) -> String {
    let escaped: String = s.escape_debug().collect();
    if escaped.chars().count() <= max {
        escaped
    } else {
        format!("{}…", escaped.chars().take(max).collect::<String>())
    }
}

struct Args {
    n: u64,
    seed: u64,
    only: Option<Vec<String>>,
}

fn args() -> Result<Args, String> {
    let mut out = Args {
        n: 1_000_000,
        seed: 1,
        only: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--seed" => out.seed = it.next().and_then(|v| v.parse().ok()).ok_or("--seed N")?,
            "--only" => {
                let names = it.next().ok_or("--only name,name")?;
                out.only = Some(names.split(',').map(String::from).collect());
            }
            n => {
                out.n = n
                    .replace('_', "")
                    .parse()
                    .map_err(|_| format!("bad count `{n}`"))?
            }
        }
    }
    Ok(out)
}

fn main() {
    let args = match args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("usage: fuzz [N] [--seed S] [--only permalink,scenario,...]: {e}");
            std::process::exit(2);
        }
    };
    std::panic::set_hook(Box::new(|info| {
        PANIC.with(|p| *p.borrow_mut() = Some(info.to_string()));
    }));
    let wanted = |name: &str| {
        args.only
            .as_ref()
            .is_none_or(|o| o.iter().any(|x| x == name))
    };
    println!(
        "crumbtrail fuzz: {} inputs per entry point, seed {}",
        args.n, args.seed
    );
    println!(
        "{:<17} {:>10} {:>8} {:>8} {:>11} {:>11}  slowest input",
        "entry point", "inputs", "wall s", "CPU s", "inputs/s", "slowest"
    );
    let mut rng = Rng(args.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut reports: Vec<(&str, Report)> = Vec::new();
    if wanted("scenario") {
        reports.push(("scenario", fuzz_scenarios(args.n, &mut rng)));
        print_line(reports.last());
    }
    for target in targets() {
        if wanted(target.name) {
            reports.push((target.name, fuzz_target(&target, args.n, &mut rng)));
            print_line(reports.last());
        }
    }
    println!("(inputs/s: per CPU second, generating and mutating included; slowest: CPU time, best of 4 more runs)");
    for (name, r) in &reports {
        println!("slowest {name}: `{}`", preview(&r.slowest.1, 300));
    }
    let failed: u64 = reports.iter().map(|(_, r)| r.failures).sum();
    for (name, r) in &reports {
        for (input, why) in &r.examples {
            println!(
                "\nFAIL {name}: {}\n  input: `{}`",
                preview(why, 400),
                preview(input, 400)
            );
        }
    }
    if failed > 0 {
        println!("\n{failed} failures");
        std::process::exit(1);
    }
    println!("\nno failures");
}

fn print_line(entry: Option<&(&str, Report)>) {
    let Some((name, r)) = entry else { return };
    let cpu = r.cpu.as_secs_f64();
    println!(
        "{:<17} {:>10} {:>8.1} {:>8.1} {:>11.0} {:>8.0} µs  `{}`{}",
        name,
        r.inputs,
        r.elapsed.as_secs_f64(),
        cpu,
        r.inputs as f64 / cpu.max(1e-9),
        r.slowest.0.as_secs_f64() * 1e6,
        preview(&r.slowest.1, 60),
        if r.failures > 0 {
            format!("  {} FAILURES", r.failures)
        } else {
            String::new()
        }
    );
}
