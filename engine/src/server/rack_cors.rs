//! rack-cors as the gem does it (`cyu/rack-cors`; 3.x semantics, with the
//! differences of 1.x and 2.x where the Rails version implies them).
//!
//! - Origins: `'*'`, exact `scheme://host[:port]` strings, bare hosts
//!   (`'localhost:3000'`, any scheme), Ruby regexp literals (unanchored unless
//!   the user anchors them; `^`/`$` are line anchors).
//! - Resources: path patterns compiled the way rack-cors compiles them
//!   (`/api/*` → `^\/api\/?(.*?)$`, so it also matches `/apix`), first
//!   matching block and resource wins.
//! - Preflight (`OPTIONS` + `Origin` + `Access-Control-Request-Method`):
//!   answered by rack-cors itself, 200 with the CORS headers on a hit, 200
//!   with **no** headers on a miss; a denied preflight does not fall through
//!   to later blocks. A preflight on an invalid path (`%00`) gets 400; other
//!   requests on such a path are matched on the decoded path and go on.
//! - Actual responses: Allow-Origin, Allow-Methods, Expose-Headers (empty when
//!   unset), Max-Age, Allow-Credentials, merged in front of the app's headers;
//!   `Vary: Origin` (or the non-empty `vary:` list) whenever the path matches
//!   any resource.
//! - `origins '*'` with `credentials: true`: `CorsMisconfigurationError` when
//!   the app boots.

use std::cell::{Cell, RefCell};

use crate::explain::fixes::url_mistakes::origin_mistake;
use crate::headers::HeaderList;
use crate::http::{WireRequest, WireResponse};
use crate::server::rails::{
    AllowBlock, CorsConfig, CorsResource, HeadersOption, MethodsOption, RailsVersion,
};
use crate::spec;
use crate::trace::{Phase, Reason, Step, Verdict};

pub use regexp::{Limited, Regexp, RegexpError};

/// rack-cors' error message for `'*'` with `credentials: true`, verbatim.
pub const MISCONFIGURATION_MESSAGE: &str = "Allowing credentials for wildcard origins is insecure. Please specify more restrictive origins or set 'credentials' to false in your CORS configuration.";
/// The error class rack-cors raises.
pub const MISCONFIGURATION_CLASS: &str = "Rack::Cors::Resource::CorsMisconfigurationError";

/// The headers `headers: nil` still lets through a preflight
/// (`Rack::Cors::Resource::CORS_SIMPLE_HEADERS`).
pub const SIMPLE_HEADERS: [&str; 4] = [
    "accept",
    "accept-language",
    "content-language",
    "content-type",
];
/// `methods: :any`.
pub const ANY_METHODS: [&str; 7] = ["get", "head", "post", "put", "patch", "delete", "options"];
/// `max_age:` when omitted.
pub const DEFAULT_MAX_AGE: u64 = 7200;

/// rack-cors generation that goes with a Rails version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum RackCorsGen {
    /// 1.x (Rails 6.1 era): capitalized header names; exact origins only
    /// with `http://`, `https://` or `file://`; paths escape `. + ( )`.
    V1,
    /// 2.x: lower-case header names; any `scheme://` string is exact.
    V2,
    /// 3.x: as 2.x, and `$` is escaped in paths too.
    V3,
}

impl RackCorsGen {
    pub fn for_rails(v: RailsVersion) -> Self {
        match v {
            RailsVersion::V6_1 => RackCorsGen::V1,
            RailsVersion::V7_0 | RailsVersion::V7_1 => RackCorsGen::V2,
            RailsVersion::V8 => RackCorsGen::V3,
        }
    }

    /// A header name as this generation writes it.
    pub fn name(self, capitalized: &str) -> String {
        if self == RackCorsGen::V1 {
            capitalized.to_string()
        } else {
            capitalized.to_ascii_lowercase()
        }
    }
}

/// Why rack-cors did not add headers (the `X-Rack-CORS` vocabulary).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Miss {
    NoOrigin,
    NoPath,
    DenyMethod,
    DenyHeader,
}

impl Miss {
    pub fn as_str(self) -> &'static str {
        match self {
            Miss::NoOrigin => "no-origin",
            Miss::NoPath => "no-path",
            Miss::DenyMethod => "deny-method",
            Miss::DenyHeader => "deny-header",
        }
    }

    pub fn reason(self) -> Reason {
        match self {
            Miss::NoOrigin => Reason::RackCorsMissOrigin,
            Miss::NoPath => Reason::RackCorsMissPath,
            Miss::DenyMethod => Reason::RackCorsDenyMethod,
            Miss::DenyHeader => Reason::RackCorsDenyHeader,
        }
    }
}

/// A configuration rack-cors (or Ruby) refuses when the app boots.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CorsConfigError {
    /// `origins '*'` and then a resource with `credentials: true`.
    Misconfiguration { block: usize, resource: usize },
    /// An origin regexp that does not compile (or that Crumbtrail cannot read).
    BadOrigin {
        block: usize,
        origin: usize,
        message: String,
    },
    /// A path pattern that does not compile as a regexp.
    BadPath {
        block: usize,
        resource: usize,
        message: String,
    },
}

impl CorsConfigError {
    /// Dotted path of the field at fault, as the UI places errors.
    pub fn field(&self) -> String {
        match self {
            CorsConfigError::Misconfiguration { block, resource } => {
                format!("server.cors.allow.{block}.resources.{resource}.credentials")
            }
            CorsConfigError::BadOrigin { block, origin, .. } => {
                format!("server.cors.allow.{block}.origins.{origin}")
            }
            CorsConfigError::BadPath {
                block, resource, ..
            } => format!("server.cors.allow.{block}.resources.{resource}.path"),
        }
    }

    /// The step that explains why Rails did not start.
    pub fn to_step(&self) -> Step {
        match self {
            CorsConfigError::Misconfiguration { block, resource } => Step::new(
                None,
                Phase::Server,
                Verdict::Blocked,
                Reason::RackCorsMisconfiguration,
                "Rails does not boot: rack-cors refuses origins '*' with credentials: true",
                format!(
                    "When Rails builds its middleware stack, rack-cors evaluates the allow block and \
                     raises {MISCONFIGURATION_CLASS}: \"{MISCONFIGURATION_MESSAGE}\" The server never \
                     starts, so every request fails to connect. A browser would refuse `Access-Control-Allow-Origin: *` \
                     on a credentialed request anyway; list the page's origin explicitly instead of '*'."
                ),
                spec::RACK_CORS,
            )
            .with("error", MISCONFIGURATION_CLASS)
            .with("message", MISCONFIGURATION_MESSAGE)
            .with("allow block", (block + 1).to_string())
            .with("resource", (resource + 1).to_string()),
            CorsConfigError::BadOrigin {
                block,
                origin,
                message,
            } => Step::new(
                None,
                Phase::Server,
                Verdict::Blocked,
                Reason::BootError,
                "The origin regexp in cors.rb cannot be read",
                format!(
                    "Origin {} of allow block {} is not a regexp this simulator can evaluate: {message}. \
                     Ruby would raise a SyntaxError for an invalid regexp literal; for a valid one that uses a \
                     feature outside Crumbtrail's subset (anchors, classes, groups, alternation, quantifiers, \
                     escapes), rewrite it with those.",
                    origin + 1,
                    block + 1
                ),
                spec::RACK_CORS,
            )
            .with("problem", message.clone()),
            CorsConfigError::BadPath {
                block,
                resource,
                message,
            } => Step::new(
                None,
                Phase::Server,
                Verdict::Blocked,
                Reason::BootError,
                "A resource path in cors.rb does not compile",
                format!(
                    "rack-cors compiles resource {} of allow block {} into a regexp, and it does not compile: \
                     {message}. Characters such as `?`, `[` or `{{` keep their regexp meaning in resource paths.",
                    resource + 1,
                    block + 1
                ),
                spec::RACK_CORS,
            )
            .with("problem", message.clone()),
        }
    }
}

#[derive(Clone, Debug)]
enum OriginMatcher {
    Public,
    Exact(String),
    Pattern(Regexp),
}

#[derive(Clone, Debug)]
struct CompiledResource {
    index: usize,
    /// Position among all resources of all blocks (for [`RegexpWork`]).
    slot: usize,
    /// The path pattern as written.
    pattern: String,
    path: Regexp,
    /// Public (`'*'` was given before this resource was declared).
    public: bool,
    credentials: bool,
    /// Lower-case method names, in the order written.
    methods: Vec<String>,
    headers: HeadersOption,
    vary: Vec<String>,
    if_condition: bool,
    /// The values rack-cors sends, built once at compile time:
    /// Allow-Methods (upper-cased, `", "`-joined), Expose-Headers, Max-Age.
    methods_value: String,
    expose_value: String,
    max_age_value: String,
}

/// Most regexp steps one compiled `cors.rb` spends in all: its `origins`
/// regexps and resource paths, over every request it answers (one
/// simulation). Each regexp also stops at [`regexp::STEP_BUDGET`]. A regexp
/// stopped either way counts as not matching, and the miss says so.
pub const TOTAL_STEP_BUDGET: u64 = 400_000;

/// What a regexp (or a block's `origins`) said about a text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Answer {
    Yes,
    No,
    /// Out of steps: counted as no.
    GaveUp,
}

/// Distinct texts remembered per kind: a simulation sees few Origins and paths.
const REMEMBERED_TEXTS: usize = 16;

/// Answers remembered per text, one slot per block (origins) or resource (paths).
#[derive(Clone, Debug, Default)]
struct Answers(RefCell<Vec<(String, Vec<Option<Answer>>)>>);

impl Answers {
    fn get(&self, text: &str, slot: usize) -> Option<Answer> {
        let memo = self.0.borrow();
        let (_, slots) = memo.iter().find(|(t, _)| t == text)?;
        slots.get(slot).copied().flatten()
    }

    fn put(&self, text: &str, slot: usize, slots: usize, answer: Answer) {
        let mut memo = self.0.borrow_mut();
        let at = match memo.iter().position(|(t, _)| t == text) {
            Some(at) => at,
            None if memo.len() < REMEMBERED_TEXTS => {
                memo.push((text.to_string(), vec![None; slots]));
                memo.len() - 1
            }
            None => return,
        };
        if let Some(s) = memo[at].1.get_mut(slot) {
            *s = Some(answer);
        }
    }

    fn gave_up_on(&self, text: &str) -> bool {
        self.0
            .borrow()
            .iter()
            .any(|(t, slots)| t == text && slots.contains(&Some(Answer::GaveUp)))
    }
}

/// The regexp work of one compiled `cors.rb`: steps spent against
/// [`TOTAL_STEP_BUDGET`], and the answers already known, so a second request
/// with the same Origin or path costs nothing.
#[derive(Clone, Debug, Default)]
struct RegexpWork {
    steps: Cell<u64>,
    origins: Answers,
    paths: Answers,
}

#[derive(Clone, Debug)]
struct CompiledBlock {
    index: usize,
    public: bool,
    origins: Vec<OriginMatcher>,
    resources: Vec<CompiledResource>,
}

/// A `cors.rb` ready to answer requests.
#[derive(Clone, Debug)]
pub struct RackCors {
    pub gen: RackCorsGen,
    debug: bool,
    blocks: Vec<CompiledBlock>,
    work: RegexpWork,
    /// Resources in all blocks.
    resource_count: usize,
}

/// What rack-cors did with a request.
#[derive(Clone, Debug, PartialEq)]
pub enum CorsOutcome {
    /// A preflight: rack-cors answered it without calling the app.
    Answered(WireResponse),
    /// Everything else goes on to the app; [`RackCors::finish`] adds the headers.
    PassOn(PassOn),
}

/// What rack-cors adds to the app's response.
#[derive(Clone, Debug, PartialEq)]
pub struct PassOn {
    /// CORS headers to merge in front of the app's (hit), or `None` (miss).
    pub add_headers: Option<Vec<(String, String)>>,
    /// Values to append to `Vary`, when the path matches any resource.
    pub vary: Option<Vec<String>>,
    /// `X-Rack-CORS` value in debug mode.
    pub debug: Option<String>,
}

/// The result of running rack-cors on one request.
#[derive(Clone, Debug, PartialEq)]
pub struct CorsCall {
    pub outcome: CorsOutcome,
    pub steps: Vec<Step>,
}

/// A request path as rack-cors evaluates it (`lib/rack/cors.rb` `evaluate_path`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RackPath {
    /// Percent-decoded (`Rack::Utils.unescape_path`), then cleaned of
    /// `.`/`..` segments (`clean_path_info`) only when valid. Bytes that are
    /// not UTF-8 show as U+FFFD.
    pub path: String,
    /// `Rack::Utils.valid_path?`: the decoded path is UTF-8 and has no NUL
    /// byte. rack-cors answers a preflight on an invalid path with 400; any
    /// other request is matched on the decoded path and goes on to the app.
    pub valid: bool,
}

/// `evaluate_path`: percent-decodes the path and, when the result is a
/// valid path, cleans it.
pub fn evaluate_path(raw_path: &str) -> RackPath {
    let bytes = raw_path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    let decoded = match String::from_utf8(out) {
        Ok(d) if !d.contains('\0') => d,
        Ok(d) => {
            return RackPath {
                path: d,
                valid: false,
            }
        }
        Err(e) => {
            return RackPath {
                path: String::from_utf8_lossy(e.as_bytes()).into_owned(),
                valid: false,
            }
        }
    };
    // clean_path_info: drop `.` and empty segments, pop on `..`.
    let mut parts: Vec<&str> = Vec::new();
    for seg in decoded.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    let mut cleaned = String::from("/");
    cleaned.push_str(&parts.join("/"));
    if decoded.ends_with('/') && cleaned != "/" {
        cleaned.push('/');
    }
    RackPath {
        path: cleaned,
        valid: true,
    }
}

/// rack-cors `Resource#compile`: the regexp source for a path pattern.
pub fn compile_path_source(path: &str, gen: RackCorsGen) -> String {
    let special: &[char] = if gen == RackCorsGen::V3 {
        &['.', '+', '(', ')', '$']
    } else {
        &['.', '+', '(', ')']
    };
    let chars: Vec<char> = path.chars().collect();
    let mut out = String::from("^");
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '/' && chars.get(i + 1) == Some(&'*') {
            out.push_str("\\/?(.*?)");
            i += 2;
        } else if c == '*' {
            out.push_str("(.*?)");
            i += 1;
        } else if special.contains(&c) {
            out.push('\\');
            out.push(c);
            i += 1;
        } else if c == ':'
            && chars
                .get(i + 1)
                .is_some_and(|n| n.is_alphanumeric() || *n == '_')
        {
            i += 1;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push_str("([^/?&#]+)");
        } else {
            out.push(c);
            i += 1;
        }
    }
    out.push('$');
    out
}

/// How an `origins` entry is read by this rack-cors generation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OriginForm {
    /// `''`: ignored.
    Ignored,
    /// `'*'`.
    Wildcard,
    /// Compared byte for byte with the Origin header.
    Exact,
    /// A host without scheme: matches that host:port with any scheme.
    BareHost,
    /// A Ruby regexp literal.
    Regexp,
}

/// Classifies an `origins` entry as written in the settings.
pub fn origin_form(entry: &str, gen: RackCorsGen) -> OriginForm {
    if entry.is_empty() {
        return OriginForm::Ignored;
    }
    if is_regexp_literal(entry) {
        return OriginForm::Regexp;
    }
    let exact = match gen {
        RackCorsGen::V1 => {
            entry.starts_with("http://") || entry.starts_with("https://") || entry == "file://"
        }
        _ => has_scheme_prefix(entry),
    };
    if exact {
        OriginForm::Exact
    } else if entry == "*" {
        OriginForm::Wildcard
    } else {
        OriginForm::BareHost
    }
}

/// `/…/flags` or `%r{…}flags`: delimiters well formed, only flag letters after the end.
pub fn is_regexp_literal(entry: &str) -> bool {
    let flags_only = |rest: &str| rest.chars().all(|c| c.is_ascii_lowercase());
    if let Some(rest) = entry.strip_prefix('/') {
        return regexp::find_unescaped(rest, '/').is_some_and(|end| flags_only(&rest[end + 1..]));
    }
    if let Some(rest) = entry.strip_prefix("%r") {
        let Some(open) = rest.chars().next() else {
            return false;
        };
        let close = match open {
            '{' => '}',
            '(' => ')',
            '[' => ']',
            '<' => '>',
            c if c.is_ascii_punctuation() => c,
            _ => return false,
        };
        let inner = &rest[open.len_utf8()..];
        return regexp::find_unescaped(inner, close)
            .is_some_and(|end| flags_only(&inner[end + close.len_utf8()..]));
    }
    false
}

/// `^[a-z][a-z0-9.+-]*://` (the first line only, as Ruby's `^` would allow).
fn has_scheme_prefix(s: &str) -> bool {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if c.is_ascii_lowercase() => {}
        _ => return false,
    }
    let rest = &s[1..];
    let end = rest
        .find(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit() || "+.-".contains(c)))
        .unwrap_or(rest.len());
    rest[end..].starts_with("://")
}

/// Regexp-quote (Ruby `Regexp.quote`).
fn regexp_quote(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        match c {
            '.' | '*' | '?' | '+' | '^' | '$' | '|' | '(' | ')' | '[' | ']' | '{' | '}' | '\\'
            | '/' | '-' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            ' ' => out.push_str("\\ "),
            _ => out.push(c),
        }
    }
    out
}

fn methods_of(r: &CorsResource) -> Vec<String> {
    match &r.methods {
        MethodsOption::Unset => vec!["get".into()],
        MethodsOption::Any => ANY_METHODS.iter().map(|s| s.to_string()).collect(),
        MethodsOption::List(l) => l
            .iter()
            .map(|m| m.trim_start_matches(':').to_ascii_lowercase())
            .collect(),
    }
}

impl RackCors {
    /// Builds the middleware as Rails does at boot. `resource_before_origins`
    /// on a block reproduces the order-sensitive DSL (§F): a resource declared
    /// before `origins '*'` is not public, so no error is raised and every
    /// Origin is reflected.
    pub fn new(config: &CorsConfig, version: RailsVersion) -> Result<RackCors, CorsConfigError> {
        let gen = RackCorsGen::for_rails(version);
        let mut blocks = Vec::new();
        let mut slot = 0;
        for (bi, block) in config.allow.iter().enumerate() {
            let mut b = Self::compile_block(bi, block, gen)?;
            for r in &mut b.resources {
                r.slot = slot;
                slot += 1;
            }
            blocks.push(b);
        }
        Ok(RackCors {
            gen,
            debug: config.debug,
            blocks,
            work: RegexpWork::default(),
            resource_count: slot,
        })
    }

    fn compile_block(
        bi: usize,
        block: &AllowBlock,
        gen: RackCorsGen,
    ) -> Result<CompiledBlock, CorsConfigError> {
        let mut public = false;
        let mut origins = Vec::new();
        for (oi, o) in block.origins.iter().enumerate() {
            match origin_form(o, gen) {
                OriginForm::Ignored => {}
                OriginForm::Wildcard => {
                    public = true;
                    origins.push(OriginMatcher::Public);
                }
                OriginForm::Exact => origins.push(OriginMatcher::Exact(o.clone())),
                OriginForm::BareHost => {
                    let src = format!("^[a-z][a-z0-9.+-]*:\\/\\/{}$", regexp_quote(o));
                    let re = Regexp::new(&src, "").map_err(|e| CorsConfigError::BadOrigin {
                        block: bi,
                        origin: oi,
                        message: e.to_string(),
                    })?;
                    origins.push(OriginMatcher::Pattern(re));
                }
                OriginForm::Regexp => {
                    let re = Regexp::from_literal(o).map_err(|e| CorsConfigError::BadOrigin {
                        block: bi,
                        origin: oi,
                        message: e.to_string(),
                    })?;
                    origins.push(OriginMatcher::Pattern(re));
                }
            }
        }
        let mut resources = Vec::new();
        for (ri, r) in block.resources.iter().enumerate() {
            let resource_public = public && !block.resource_before_origins;
            if resource_public && r.credentials {
                return Err(CorsConfigError::Misconfiguration {
                    block: bi,
                    resource: ri,
                });
            }
            let src = compile_path_source(&r.path, gen);
            let path = Regexp::new(&src, "").map_err(|e| CorsConfigError::BadPath {
                block: bi,
                resource: ri,
                message: e.to_string(),
            })?;
            let methods = methods_of(r);
            let max_age = r.max_age.unwrap_or(DEFAULT_MAX_AGE);
            resources.push(CompiledResource {
                index: ri,
                slot: 0,
                pattern: r.path.clone(),
                path,
                public: resource_public,
                // "For public resources, credentials is forced to false."
                credentials: r.credentials && !resource_public,
                methods_value: methods
                    .iter()
                    .map(|m| m.to_ascii_uppercase())
                    .collect::<Vec<_>>()
                    .join(", "),
                expose_value: r.expose.join(", "),
                max_age_value: max_age.to_string(),
                methods,
                headers: r.headers.clone(),
                // `lib/rack/cors.rb`: `vary_headers&.any?` or else
                // `DEFAULT_VARY_HEADERS`, so `vary: []` still sends Origin.
                vary: r
                    .vary
                    .clone()
                    .filter(|v| !v.is_empty())
                    .unwrap_or_else(|| vec!["Origin".into()]),
                if_condition: r.if_condition,
            });
        }
        Ok(CompiledBlock {
            index: bi,
            public,
            origins,
            resources,
        })
    }

    /// Runs one regexp within what is left of [`TOTAL_STEP_BUDGET`].
    fn run(&self, re: &Regexp, text: &str) -> Answer {
        let spent = self.work.steps.get();
        let left = TOTAL_STEP_BUDGET.saturating_sub(spent);
        if left == 0 {
            return Answer::GaveUp;
        }
        let l = re.match_within(text, left.min(regexp::STEP_BUDGET));
        self.work.steps.set(spent + l.steps);
        match l.matched {
            Some(true) => Answer::Yes,
            Some(false) => Answer::No,
            None => Answer::GaveUp,
        }
    }

    /// `origins.any?`: the exact strings first (the answer does not depend
    /// on the order, and they cost nothing), then the regexps.
    fn origin_answer(&self, block: &CompiledBlock, origin: &str) -> Answer {
        if let Some(a) = self.work.origins.get(origin, block.index) {
            return a;
        }
        let cheap = block.origins.iter().any(|m| match m {
            OriginMatcher::Public => true,
            OriginMatcher::Exact(s) => s == origin,
            OriginMatcher::Pattern(_) => false,
        });
        let mut answer = if cheap { Answer::Yes } else { Answer::No };
        for m in &block.origins {
            if answer == Answer::Yes {
                break;
            }
            if let OriginMatcher::Pattern(re) = m {
                match self.run(re, origin) {
                    Answer::No => {}
                    a => answer = a,
                }
            }
        }
        self.work
            .origins
            .put(origin, block.index, self.blocks.len(), answer);
        answer
    }

    fn allow_origin(&self, block: &CompiledBlock, origin: &str) -> bool {
        block.public || self.origin_answer(block, origin) == Answer::Yes
    }

    /// `resource '*'` compiles to `^(.*?)$`, which matches every path
    /// without a line break: answer that without running the matcher.
    fn resource_matches(&self, r: &CompiledResource, path: &str) -> bool {
        if r.pattern == "*" && !path.contains('\n') {
            return true;
        }
        let answer = match self.work.paths.get(path, r.slot) {
            Some(a) => a,
            None => {
                let a = self.run(&r.path, path);
                self.work.paths.put(path, r.slot, self.resource_count, a);
                a
            }
        };
        answer == Answer::Yes
    }

    /// Regexp steps spent so far by this `cors.rb` (origins and resource
    /// paths, all requests), at most [`TOTAL_STEP_BUDGET`].
    pub fn regexp_steps(&self) -> u64 {
        self.work.steps.get()
    }

    /// Runs every `origins` entry on `origin` and every resource path on each
    /// of `paths`, as answering requests from that Origin to those paths
    /// would, and returns the regexp steps spent so far (at most
    /// [`TOTAL_STEP_BUDGET`]): a measure of a simulation's regexp work.
    pub fn regexp_work(&self, origin: &str, paths: &[String]) -> u64 {
        for b in &self.blocks {
            self.allow_origin(b, origin);
        }
        for p in paths {
            for r in self.blocks.iter().flat_map(|b| &b.resources) {
                self.resource_matches(r, p);
            }
        }
        self.regexp_steps()
    }

    /// A regexp ran out of steps on this Origin or path, and counted as not matching.
    fn gave_up_on(&self, origin: &str, path: &str) -> bool {
        self.work.origins.gave_up_on(origin) || self.work.paths.gave_up_on(path)
    }

    /// `match_resource`: the first block whose origin matches and that has a
    /// resource matching the path (and whose `if:` holds).
    fn match_resource(
        &self,
        path: &str,
        origin: &str,
    ) -> Result<(&CompiledBlock, &CompiledResource), Miss> {
        let mut origin_matched = false;
        for b in &self.blocks {
            if !self.allow_origin(b, origin) {
                continue;
            }
            origin_matched = true;
            if let Some(r) = b
                .resources
                .iter()
                .find(|r| self.resource_matches(r, path) && r.if_condition)
            {
                return Ok((b, r));
            }
        }
        Err(if origin_matched {
            Miss::NoPath
        } else {
            Miss::NoOrigin
        })
    }

    /// True when some allow block accepts this Origin.
    pub fn allows_origin(&self, origin: &str) -> bool {
        self.blocks.iter().any(|b| self.allow_origin(b, origin))
    }

    /// `resource_for_path`: the first resource whose path matches, whatever
    /// the Origin and the `if:` (decides `Vary`).
    fn resource_for_path(&self, path: &str) -> Option<&CompiledResource> {
        self.blocks
            .iter()
            .flat_map(|b| b.resources.iter())
            .find(|r| self.resource_matches(r, path))
    }

    fn to_headers(&self, r: &CompiledResource, origin: &str) -> Vec<(String, String)> {
        let g = self.gen;
        let mut h = vec![
            (
                g.name("Access-Control-Allow-Origin"),
                if r.public { "*".into() } else { origin.into() },
            ),
            (
                g.name("Access-Control-Allow-Methods"),
                r.methods_value.clone(),
            ),
            (
                g.name("Access-Control-Expose-Headers"),
                r.expose_value.clone(),
            ),
            (g.name("Access-Control-Max-Age"), r.max_age_value.clone()),
        ];
        if r.credentials {
            h.push((g.name("Access-Control-Allow-Credentials"), "true".into()));
        }
        h
    }

    fn allow_headers(r: &CompiledResource, requested: &str) -> bool {
        let allowed: Vec<String> = match &r.headers {
            HeadersOption::Any => return true,
            HeadersOption::Unset => Vec::new(),
            HeadersOption::List(l) => l.iter().map(|s| s.to_ascii_lowercase()).collect(),
        };
        split_header_list(requested).into_iter().all(|h| {
            let h = h.to_ascii_lowercase();
            SIMPLE_HEADERS.contains(&h.as_str()) || allowed.contains(&h)
        })
    }

    /// Runs rack-cors on one request (before the app).
    pub fn call(&self, req: &WireRequest, request_index: usize) -> CorsCall {
        self.call_on(req, &evaluate_path(&req.path()), request_index)
    }

    /// [`RackCors::call`] with the request path already evaluated by
    /// [`evaluate_path`]. `rack-cors lib/rack/cors.rb` `call`: no Origin → a
    /// miss; a preflight → answered here (400 on an invalid path); anything
    /// else → `process_cors`, and the app is called.
    pub fn call_on(&self, req: &WireRequest, path: &RackPath, request_index: usize) -> CorsCall {
        let ri = Some(request_index);
        let (path, valid) = (path.path.as_str(), path.valid);
        let origin = req
            .headers
            .get("origin")
            .or_else(|| req.headers.get("x-origin"));
        // `resource_for_path` decides Vary before the app runs.
        let vary = self.resource_for_path(path).map(|r| r.vary.clone());
        let Some(origin) = origin else {
            return self.no_origin(ri, path, vary);
        };
        let acrm = req.headers.get("access-control-request-method");
        match acrm {
            Some(_) if req.method == "OPTIONS" && !valid => CorsCall {
                outcome: CorsOutcome::Answered(WireResponse {
                    status: 400,
                    headers: HeaderList::new(),
                }),
                steps: vec![invalid_path_step(ri, req, path)],
            },
            Some(acrm) if req.method == "OPTIONS" => {
                let acrh = req.headers.get("access-control-request-headers");
                let (headers, step) = self.process_preflight(ri, path, &origin, &acrm, acrh);
                CorsCall {
                    outcome: CorsOutcome::Answered(WireResponse {
                        status: 200,
                        headers,
                    }),
                    steps: vec![step],
                }
            }
            _ => self.process_cors(ri, path, &origin, vary),
        }
    }

    /// No `Origin` (nor `X-Origin`): `Result::MISS_NO_ORIGIN`, but Vary still applies.
    fn no_origin(&self, ri: Option<usize>, path: &str, vary: Option<Vec<String>>) -> CorsCall {
        let step = Step::new(
            ri,
            Phase::Server,
            Verdict::Ok,
            Reason::RackCorsMissOrigin,
            "rack-cors: no Origin header, no CORS headers",
            "The request carries no Origin header (same-origin, or a navigation the browser \
             sends without one), so rack-cors adds no CORS headers. It still adds `Vary: Origin` \
             when the path matches a resource.",
            spec::RACK_CORS,
        )
        .with("path", path.to_string());
        CorsCall {
            outcome: CorsOutcome::PassOn(PassOn {
                add_headers: None,
                vary,
                debug: self.debug.then(|| "miss; no-origin".to_string()),
            }),
            steps: vec![step],
        }
    }

    /// `process_preflight` (`lib/rack/cors.rb`): the headers of the 200 rack-cors
    /// answers with (none on a miss), and the step that explains them.
    fn process_preflight(
        &self,
        ri: Option<usize>,
        path: &str,
        origin: &str,
        acrm: &str,
        acrh: Option<String>,
    ) -> (HeaderList, Step) {
        match self.match_resource(path, origin) {
            Err(miss) => (
                HeaderList::new(),
                self.miss_step(ri, miss, true, origin, path),
            ),
            Ok((b, r)) => match Self::preflight_denial(r, acrm, acrh.as_deref()) {
                Some(miss) => (
                    HeaderList::new(),
                    self.preflight_denied_step(ri, miss, r, origin, path, acrm, acrh),
                ),
                None => self.preflight_hit(ri, b, r, origin, path, acrh),
            },
        }
    }

    /// `Resource#process_preflight` (`lib/rack/cors/resource.rb`): the
    /// method, then the requested headers, must be allowed.
    fn preflight_denial(r: &CompiledResource, acrm: &str, acrh: Option<&str>) -> Option<Miss> {
        if !r.methods.contains(&acrm.to_ascii_lowercase()) {
            Some(Miss::DenyMethod)
        } else if acrh.is_some_and(|h| !Self::allow_headers(r, h)) {
            Some(Miss::DenyHeader)
        } else {
            None
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn preflight_denied_step(
        &self,
        ri: Option<usize>,
        miss: Miss,
        r: &CompiledResource,
        origin: &str,
        path: &str,
        acrm: &str,
        acrh: Option<String>,
    ) -> Step {
        let step = self.miss_step(ri, miss, true, origin, path);
        if miss == Miss::DenyMethod {
            step.with("Access-Control-Request-Method", acrm.to_string())
                .with(
                    "methods allowed",
                    r.methods
                        .iter()
                        .map(|m| m.to_ascii_uppercase())
                        .collect::<Vec<_>>()
                        .join(", "),
                )
        } else {
            step.with("Access-Control-Request-Headers", acrh.unwrap_or_default())
                .with("headers allowed", headers_label(&r.headers))
        }
    }

    /// `Resource#to_preflight_headers`: the actual-response set plus the
    /// requested headers echoed back.
    fn preflight_hit(
        &self,
        ri: Option<usize>,
        b: &CompiledBlock,
        r: &CompiledResource,
        origin: &str,
        path: &str,
        acrh: Option<String>,
    ) -> (HeaderList, Step) {
        let mut h = HeaderList(self.to_headers(r, origin));
        if let Some(acrh) = acrh {
            h.push(self.gen.name("Access-Control-Allow-Headers"), acrh);
        }
        let step = Step::new(
            ri,
            Phase::Server,
            Verdict::Ok,
            Reason::RackCorsHit,
            "rack-cors answered the preflight: 200 with CORS headers",
            format!(
                "The Origin matches allow block {} and the path matches resource `{}`; the \
                 requested method and headers are allowed. rack-cors answers the OPTIONS \
                 request itself (the app never sees it): 200, the Origin {}, the resource's \
                 methods, Max-Age, and the requested headers echoed back.",
                b.index + 1,
                self.resource_path(b.index, r.index),
                if r.public {
                    "answered with `*`"
                } else {
                    "reflected"
                }
            ),
            spec::RACK_CORS,
        )
        .with("Origin", origin.to_string())
        .with("path", path.to_string());
        (h, step)
    }

    /// `process_cors` (`lib/rack/cors.rb`): on a hit, the headers to put in
    /// front of the app's; on a miss, none. The method and headers of a
    /// non-preflight request are not checked.
    fn process_cors(
        &self,
        ri: Option<usize>,
        path: &str,
        origin: &str,
        vary: Option<Vec<String>>,
    ) -> CorsCall {
        let (add_headers, step, debug) = match self.match_resource(path, origin) {
            Ok((b, r)) => (
                Some(self.to_headers(r, origin)),
                self.actual_hit_step(ri, b, r, origin, path),
                "hit".to_string(),
            ),
            Err(miss) => (
                None,
                self.miss_step(ri, miss, false, origin, path),
                format!("miss; {}", miss.as_str()),
            ),
        };
        CorsCall {
            outcome: CorsOutcome::PassOn(PassOn {
                add_headers,
                vary,
                debug: self.debug.then_some(debug),
            }),
            steps: vec![step],
        }
    }

    fn actual_hit_step(
        &self,
        ri: Option<usize>,
        b: &CompiledBlock,
        r: &CompiledResource,
        origin: &str,
        path: &str,
    ) -> Step {
        Step::new(
            ri,
            Phase::Server,
            Verdict::Ok,
            Reason::RackCorsHit,
            "rack-cors: hit, CORS headers added",
            format!(
                "The Origin matches allow block {} and the path matches resource `{}`. rack-cors \
                 puts its headers in front of the app's: Allow-Origin ({}), Allow-Methods, \
                 Expose-Headers (empty when `expose` is unset), Max-Age{}. It does not check the \
                 method or headers of a non-preflight request.",
                b.index + 1,
                self.resource_path(b.index, r.index),
                if r.public {
                    "`*`"
                } else {
                    "the request's Origin, reflected"
                },
                if r.credentials {
                    " and Allow-Credentials: true"
                } else {
                    "; no Allow-Credentials, because the resource has no `credentials: true`"
                }
            ),
            spec::RACK_CORS,
        )
        .with("Origin", origin.to_string())
        .with("path", path.to_string())
        .with("credentials", r.credentials.to_string())
    }

    fn resource_path(&self, block: usize, resource: usize) -> &str {
        self.blocks
            .get(block)
            .and_then(|b| b.resources.iter().find(|r| r.index == resource))
            .map_or("", |r| r.pattern.as_str())
    }

    /// An exact `origins` entry written for `origin` but not equal to it (a
    /// trailing slash or path, `127.0.0.1` for `localhost`, the scheme):
    /// rack-cors compares exact strings (`Resources#allow_origin?`, lib/rack/cors/resources.rb).
    fn near_miss(&self, origin: &str) -> Option<(String, &'static str)> {
        self.blocks
            .iter()
            .flat_map(|b| &b.origins)
            .find_map(|m| match m {
                OriginMatcher::Exact(w) => {
                    origin_mistake(w, origin).map(|mistake| (w.clone(), mistake))
                }
                _ => None,
            })
    }

    fn miss_step(
        &self,
        ri: Option<usize>,
        miss: Miss,
        preflight: bool,
        origin: &str,
        path: &str,
    ) -> Step {
        let what = match miss {
            Miss::NoOrigin => match self.near_miss(origin) {
                Some((written, mistake)) => format!(
                    "the Origin `{origin}` matches no `origins` entry: `'{written}'` is meant for it, but rack-cors compares the whole string and {}. Write `'{origin}'` instead.",
                    match mistake {
                        "a path or trailing slash" => "that one has a path or a trailing slash, which an Origin header never has",
                        "127.0.0.1 vs localhost" => "`localhost` and `127.0.0.1` are different hosts (and different sites)",
                        _ => "the scheme differs",
                    }
                ),
                None => format!("the Origin `{origin}` matches no `origins` entry."),
            },
            Miss::NoPath => format!(
                "the Origin is allowed, but the path `{path}` matches no resource of the blocks that allow it (or its `if:` is false)."
            ),
            Miss::DenyMethod => "the requested method is not in the resource's `methods`.".into(),
            Miss::DenyHeader => {
                "a requested header is not in the resource's `headers` (nor one of accept, accept-language, content-language, content-type).".into()
            }
        };
        let gave_up = self.gave_up_on(origin, path);
        let near_miss = match miss {
            Miss::NoOrigin => self.near_miss(origin),
            _ => None,
        };
        let (title, tail) = if preflight {
            (
                format!("rack-cors: preflight miss ({}), 200 with no CORS headers", miss.as_str()),
                " rack-cors still answers the OPTIONS request itself, with 200 and no headers at all, so the \
                 browser's preflight fails. A block that matched but denied the method or headers does not fall \
                 through to later blocks.",
            )
        } else {
            (
                format!("rack-cors: miss ({}), no CORS headers", miss.as_str()),
                " The request still reaches the app and runs (CORS is not access control); the response just \
                 carries no CORS headers, so the browser will not let the page read it.",
            )
        };
        let title = if gave_up {
            title.replacen(
                "), ",
                "; a regexp was too expensive and counts as not matching), ",
                1,
            )
        } else {
            title
        };
        let (reason, title) = match &near_miss {
            Some((written, mistake)) => (
                Reason::OriginWrittenWrong,
                format!("`origins '{written}'` never matches the Origin `{origin}` ({mistake})"),
            ),
            None => (miss.reason(), title),
        };
        let step = Step::new(
            ri,
            Phase::Server,
            Verdict::Warning,
            reason,
            title,
            format!("{}{}", capitalize(&what), tail),
            spec::RACK_CORS,
        )
        .with("Origin", origin)
        .with("path", path);
        if !gave_up {
            return step;
        }
        step.with(
            "regexps",
            format!(
                "Crumbtrail stopped a regexp in cors.rb (an `origins` entry or a resource path) that took too many \
                 steps, and counts it as not matching. This app's regexps spent {} steps in this simulation; the \
                 limit is {TOTAL_STEP_BUDGET} in all and {} per regexp. Ruby may still match it, or take as long. \
                 Nested repetition such as `(.*)*` backtracks exponentially: write the pattern without it.",
                self.regexp_steps(),
                regexp::STEP_BUDGET
            ),
        )
    }

    /// Adds rack-cors' headers to the app's response: `add_headers.merge(app)`
    /// (the app's value wins on a clash, at rack-cors' position), then `Vary`,
    /// then `X-Rack-CORS` in debug mode.
    pub fn finish(&self, pass: PassOn, app: WireResponse) -> WireResponse {
        let mut app_headers = app.headers.0;
        let mut headers: Vec<(String, String)> = Vec::with_capacity(
            app_headers.len() + pass.add_headers.as_ref().map_or(0, Vec::len) + 2,
        );
        if let Some(add) = pass.add_headers {
            for (n, v) in add {
                if let Some(pos) = app_headers
                    .iter()
                    .position(|(an, _)| an.eq_ignore_ascii_case(&n))
                {
                    let (an, av) = app_headers.remove(pos);
                    headers.push((an, av));
                } else {
                    headers.push((n, v));
                }
            }
        }
        headers.extend(app_headers);
        if let Some(vary) = pass.vary {
            let mut values: Vec<String> = Vec::new();
            let pos = headers
                .iter()
                .position(|(n, _)| n.eq_ignore_ascii_case("vary"));
            if let Some(p) = pos {
                for v in split_header_list(&headers[p].1) {
                    values.push(v.to_string());
                }
            }
            values.extend(vary);
            let mut uniq: Vec<String> = Vec::new();
            for v in values {
                if !uniq.contains(&v) {
                    uniq.push(v);
                }
            }
            let joined = uniq.join(", ");
            match pos {
                Some(p) => headers[p].1 = joined,
                None => headers.push((self.gen.name("Vary"), joined)),
            }
        }
        if let Some(d) = pass.debug {
            headers.push((self.gen.name("X-Rack-CORS"), d));
        }
        WireResponse {
            status: app.status,
            headers: HeaderList(headers),
        }
    }
}

/// `return [400, {}, []] unless Rack::Utils.valid_path?(path)` in the
/// preflight branch of `lib/rack/cors.rb` `call`.
fn invalid_path_step(ri: Option<usize>, req: &WireRequest, decoded: &str) -> Step {
    Step::new(
        ri,
        Phase::Server,
        Verdict::Warning,
        Reason::RackCorsInvalidPath,
        "rack-cors: invalid path, the preflight gets 400 with no headers",
        "The path of this preflight unescapes to a string that is not a valid path (it contains a \
         NUL byte, `%00`, or bytes that are not UTF-8), so rack-cors answers the OPTIONS request \
         itself with 400, no CORS headers and an empty body, and the browser's preflight fails. \
         Only preflights are refused: the same path on a GET or POST gets its CORS headers and \
         reaches the app. Fix: send the path without `%00` (put binary data in the query string or \
         the body, percent-encoded as UTF-8).",
        spec::RACK_CORS,
    )
    .with("path", req.path())
    .with("unescaped", decoded.escape_debug().to_string())
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

fn headers_label(h: &HeadersOption) -> String {
    match h {
        HeadersOption::Unset => {
            "(unset: accept, accept-language, content-language, content-type)".into()
        }
        HeadersOption::Any => ":any".into(),
        HeadersOption::List(l) => l.join(", "),
    }
}

/// Ruby `split(/,\s*/)`: empty trailing fields dropped.
fn split_header_list(s: &str) -> Vec<&str> {
    let mut out: Vec<&str> = s
        .split(',')
        .map(|p| p.trim_start_matches([' ', '\t', '\n', '\r', '\x0c', '\x0b']))
        .collect();
    while out.last().is_some_and(|p| p.is_empty()) {
        out.pop();
    }
    out
}

/// A small Ruby (Onigmo) regexp engine for the subset people write in
/// `cors.rb`: anchors `\A \z \Z ^ $ \b \B`, `.`, classes (`[a-z0-9.-]`,
/// negated, `\d \w \s \h` and their negations), groups (capturing,
/// `(?:…)`, `(?<name>…)`), alternation, `? * + {n} {n,} {n,m}` (greedy and
/// lazy), escapes, and the `i` and `m` flags. Ruby semantics: `^`/`$` are
/// line anchors, `.` does not match `\n` without `m`.
///
/// A backtracking matcher with a step budget: a pattern that would take too
/// long is reported as not matching instead of hanging the page.
pub mod regexp {
    use std::cell::Cell;

    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct RegexpError {
        /// 0-based character offset in the pattern.
        pub at: usize,
        pub message: String,
    }

    impl std::fmt::Display for RegexpError {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "{} (at character {})", self.message, self.at + 1)
        }
    }

    #[derive(Clone, Debug)]
    enum ClassItem {
        Char(char),
        Range(char, char),
        Digit(bool),
        Word(bool),
        Space(bool),
        Hex(bool),
    }

    #[derive(Clone, Debug)]
    enum Node {
        Char(char),
        Any,
        Class(Vec<ClassItem>, bool),
        LineStart,
        LineEnd,
        TextStart,
        TextEnd,
        TextEndNewline,
        WordBoundary(bool),
        Concat(Vec<Node>),
        Alt(Vec<Node>),
        Repeat {
            node: Box<Node>,
            min: u32,
            max: Option<u32>,
            greedy: bool,
        },
    }

    /// A compiled pattern.
    #[derive(Clone, Debug)]
    pub struct Regexp {
        node: Node,
        ignore_case: bool,
        multiline: bool,
        /// The pattern as given.
        pub source: String,
    }

    /// Most steps one match may take before it counts as no match.
    pub const STEP_BUDGET: u64 = 200_000;
    const MAX_DEPTH: u32 = 600;

    struct Parser<'a> {
        chars: &'a [char],
        pos: usize,
        depth: u32,
    }

    impl Parser<'_> {
        fn err<T>(&self, msg: impl Into<String>) -> Result<T, RegexpError> {
            Err(RegexpError {
                at: self.pos.min(self.chars.len()),
                message: msg.into(),
            })
        }

        fn peek(&self) -> Option<char> {
            self.chars.get(self.pos).copied()
        }

        fn alt(&mut self) -> Result<Node, RegexpError> {
            self.depth += 1;
            if self.depth > 200 {
                return self.err("groups nested too deeply");
            }
            let mut alts = vec![self.concat()?];
            while self.peek() == Some('|') {
                self.pos += 1;
                alts.push(self.concat()?);
            }
            self.depth -= 1;
            Ok(if alts.len() == 1 {
                alts.pop().unwrap_or(Node::Concat(Vec::new()))
            } else {
                Node::Alt(alts)
            })
        }

        fn concat(&mut self) -> Result<Node, RegexpError> {
            let mut items = Vec::new();
            while let Some(c) = self.peek() {
                if c == '|' || c == ')' {
                    break;
                }
                let atom = self.atom()?;
                let atom = self.quantifier(atom)?;
                items.push(atom);
            }
            Ok(Node::Concat(items))
        }

        fn number(&mut self) -> Option<u32> {
            let start = self.pos;
            while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                self.pos += 1;
            }
            if start == self.pos {
                return None;
            }
            self.chars[start..self.pos]
                .iter()
                .collect::<String>()
                .parse()
                .ok()
                .map(|n: u32| n.min(10_000))
        }

        fn quantifier(&mut self, atom: Node) -> Result<Node, RegexpError> {
            let (min, max) = match self.peek() {
                Some('*') => {
                    self.pos += 1;
                    (0, None)
                }
                Some('+') => {
                    self.pos += 1;
                    (1, None)
                }
                Some('?') => {
                    self.pos += 1;
                    (0, Some(1))
                }
                Some('{') => {
                    // `{n}`, `{n,}`, `{n,m}`, `{,m}`; anything else is a literal `{`.
                    let save = self.pos;
                    self.pos += 1;
                    let lo = self.number();
                    let (lo, hi) = if self.peek() == Some(',') {
                        self.pos += 1;
                        let hi = self.number();
                        (lo, hi.map(Some).unwrap_or(None))
                    } else {
                        (lo, lo)
                    };
                    if self.peek() != Some('}') || (lo.is_none() && hi.is_none()) {
                        self.pos = save;
                        return Ok(atom);
                    }
                    self.pos += 1;
                    let lo = lo.unwrap_or(0);
                    if hi.is_some_and(|h| h < lo) {
                        return self.err("upper bound smaller than lower bound in {n,m}");
                    }
                    (lo, hi)
                }
                _ => return Ok(atom),
            };
            if matches!(
                atom,
                Node::LineStart
                    | Node::LineEnd
                    | Node::TextStart
                    | Node::TextEnd
                    | Node::TextEndNewline
                    | Node::WordBoundary(_)
            ) {
                return self.err("target of repeat operator is invalid");
            }
            let mut greedy = true;
            if self.peek() == Some('?') {
                self.pos += 1;
                greedy = false;
            } else if self.peek() == Some('+') {
                return self.err("possessive quantifiers are not supported by Crumbtrail");
            }
            if matches!(self.peek(), Some('*' | '+' | '?')) {
                return self.err("nested quantifier");
            }
            Ok(Node::Repeat {
                node: Box::new(atom),
                min,
                max,
                greedy,
            })
        }

        fn atom(&mut self) -> Result<Node, RegexpError> {
            let Some(c) = self.peek() else {
                return self.err("unexpected end of pattern");
            };
            self.pos += 1;
            match c {
                '.' => Ok(Node::Any),
                '^' => Ok(Node::LineStart),
                '$' => Ok(Node::LineEnd),
                '*' | '+' | '?' => {
                    self.pos -= 1;
                    self.err("target of repeat operator is not specified")
                }
                '(' => {
                    if self.peek() == Some('?') {
                        self.pos += 1;
                        match self.peek() {
                            Some(':') => self.pos += 1,
                            Some('<') if !matches!(self.chars.get(self.pos + 1), Some('=' | '!')) => {
                                self.pos += 1;
                                while self.peek().is_some_and(|c| c.is_alphanumeric() || c == '_') {
                                    self.pos += 1;
                                }
                                if self.peek() != Some('>') {
                                    return self.err("invalid group name");
                                }
                                self.pos += 1;
                            }
                            _ => {
                                return self.err(
                                    "look-around, inline options and other (?…) groups are not supported by Crumbtrail",
                                )
                            }
                        }
                    }
                    let inner = self.alt()?;
                    if self.peek() != Some(')') {
                        return self.err("end pattern with unmatched parenthesis");
                    }
                    self.pos += 1;
                    Ok(inner)
                }
                ')' => {
                    self.pos -= 1;
                    self.err("unmatched close parenthesis")
                }
                '[' => self.class(),
                '\\' => self.escape(false).map(|e| match e {
                    Esc::Node(n) => n,
                    Esc::Item(ClassItem::Char(c)) => Node::Char(c),
                    Esc::Item(item) => Node::Class(vec![item], false),
                }),
                c => Ok(Node::Char(c)),
            }
        }

        fn escape(&mut self, in_class: bool) -> Result<Esc, RegexpError> {
            let Some(c) = self.peek() else {
                return self.err("too short escape sequence");
            };
            self.pos += 1;
            Ok(match c {
                'd' => Esc::Item(ClassItem::Digit(true)),
                'D' => Esc::Item(ClassItem::Digit(false)),
                'w' => Esc::Item(ClassItem::Word(true)),
                'W' => Esc::Item(ClassItem::Word(false)),
                's' => Esc::Item(ClassItem::Space(true)),
                'S' => Esc::Item(ClassItem::Space(false)),
                'h' => Esc::Item(ClassItem::Hex(true)),
                'H' => Esc::Item(ClassItem::Hex(false)),
                'n' => Esc::Item(ClassItem::Char('\n')),
                't' => Esc::Item(ClassItem::Char('\t')),
                'r' => Esc::Item(ClassItem::Char('\r')),
                'f' => Esc::Item(ClassItem::Char('\x0c')),
                'v' => Esc::Item(ClassItem::Char('\x0b')),
                'e' => Esc::Item(ClassItem::Char('\x1b')),
                'a' => Esc::Item(ClassItem::Char('\x07')),
                '0' => Esc::Item(ClassItem::Char('\0')),
                'x' => {
                    let start = self.pos;
                    while self.pos < start + 2 && self.peek().is_some_and(|c| c.is_ascii_hexdigit())
                    {
                        self.pos += 1;
                    }
                    if self.pos == start {
                        return self.err("invalid hex escape");
                    }
                    let s: String = self.chars[start..self.pos].iter().collect();
                    let v = u32::from_str_radix(&s, 16).unwrap_or(0);
                    Esc::Item(ClassItem::Char(char::from_u32(v).unwrap_or('\0')))
                }
                'A' if !in_class => Esc::Node(Node::TextStart),
                'z' if !in_class => Esc::Node(Node::TextEnd),
                'Z' if !in_class => Esc::Node(Node::TextEndNewline),
                'b' if !in_class => Esc::Node(Node::WordBoundary(true)),
                'B' if !in_class => Esc::Node(Node::WordBoundary(false)),
                'b' => Esc::Item(ClassItem::Char('\x08')),
                c if c.is_ascii_alphanumeric() => {
                    self.pos -= 1;
                    return self.err(format!("the escape \\{c} is not supported by Crumbtrail"));
                }
                c => Esc::Item(ClassItem::Char(c)),
            })
        }

        fn class(&mut self) -> Result<Node, RegexpError> {
            let mut negated = false;
            if self.peek() == Some('^') {
                self.pos += 1;
                negated = true;
            }
            let mut items = Vec::new();
            let mut first = true;
            loop {
                let Some(c) = self.peek() else {
                    return self.err("premature end of char-class");
                };
                if c == ']' && !first {
                    self.pos += 1;
                    break;
                }
                first = false;
                if c == '[' {
                    return self.err("nested character classes are not supported by Crumbtrail");
                }
                if c == '&' && self.chars.get(self.pos + 1) == Some(&'&') {
                    return self.err("class intersection (&&) is not supported by Crumbtrail");
                }
                self.pos += 1;
                let item = if c == '\\' {
                    match self.escape(true)? {
                        Esc::Item(i) => i,
                        Esc::Node(_) => return self.err("anchor inside a character class"),
                    }
                } else {
                    ClassItem::Char(c)
                };
                // A range `a-z` (a `-` before `]` is literal).
                if let ClassItem::Char(lo) = item {
                    if self.peek() == Some('-')
                        && self.chars.get(self.pos + 1).is_some_and(|n| *n != ']')
                    {
                        self.pos += 1;
                        let hc = self.peek().unwrap_or(']');
                        self.pos += 1;
                        let hi = if hc == '\\' {
                            match self.escape(true)? {
                                Esc::Item(ClassItem::Char(h)) => h,
                                _ => return self.err("char-class value at end of range"),
                            }
                        } else {
                            hc
                        };
                        if hi < lo {
                            return self.err("empty range in char class");
                        }
                        items.push(ClassItem::Range(lo, hi));
                        continue;
                    }
                }
                items.push(item);
            }
            Ok(Node::Class(items, negated))
        }
    }

    enum Esc {
        Node(Node),
        Item(ClassItem),
    }

    fn is_word(c: char) -> bool {
        c.is_alphanumeric() || c == '_'
    }

    impl ClassItem {
        fn matches(&self, c: char) -> bool {
            match *self {
                ClassItem::Char(x) => x == c,
                ClassItem::Range(lo, hi) => lo <= c && c <= hi,
                ClassItem::Digit(p) => c.is_ascii_digit() == p,
                ClassItem::Word(p) => (c.is_ascii_alphanumeric() || c == '_') == p,
                ClassItem::Space(p) => matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0c' | '\x0b') == p,
                ClassItem::Hex(p) => c.is_ascii_hexdigit() == p,
            }
        }
    }

    struct Matcher<'a> {
        text: &'a [char],
        ignore_case: bool,
        multiline: bool,
        steps: Cell<u64>,
        limit: u64,
        depth: Cell<u32>,
        exhausted: Cell<bool>,
    }

    fn fold(c: char) -> char {
        c.to_lowercase().next().unwrap_or(c)
    }

    impl Matcher<'_> {
        fn tick(&self) -> bool {
            let s = self.steps.get() + 1;
            self.steps.set(s);
            if s > self.limit || self.depth.get() > MAX_DEPTH {
                self.exhausted.set(true);
            }
            !self.exhausted.get()
        }

        fn char_eq(&self, a: char, b: char) -> bool {
            a == b || (self.ignore_case && fold(a) == fold(b))
        }

        fn class_match(&self, items: &[ClassItem], negated: bool, c: char) -> bool {
            let hit = |c: char| items.iter().any(|i| i.matches(c));
            let m = hit(c)
                || (self.ignore_case && (c.to_lowercase().any(hit) || c.to_uppercase().any(hit)));
            m != negated
        }

        fn m(&self, node: &Node, pos: usize, k: &mut dyn FnMut(usize) -> bool) -> bool {
            if !self.tick() {
                return false;
            }
            let t = self.text;
            match node {
                Node::Char(c) => pos < t.len() && self.char_eq(t[pos], *c) && k(pos + 1),
                Node::Any => pos < t.len() && (self.multiline || t[pos] != '\n') && k(pos + 1),
                Node::Class(items, neg) => {
                    pos < t.len() && self.class_match(items, *neg, t[pos]) && k(pos + 1)
                }
                Node::LineStart => (pos == 0 || t[pos - 1] == '\n') && k(pos),
                Node::LineEnd => (pos == t.len() || t[pos] == '\n') && k(pos),
                Node::TextStart => pos == 0 && k(pos),
                Node::TextEnd => pos == t.len() && k(pos),
                Node::TextEndNewline => {
                    (pos == t.len() || (pos + 1 == t.len() && t[pos] == '\n')) && k(pos)
                }
                Node::WordBoundary(want) => {
                    let before = pos > 0 && is_word(t[pos - 1]);
                    let after = pos < t.len() && is_word(t[pos]);
                    ((before != after) == *want) && k(pos)
                }
                Node::Concat(items) => self.seq(items, pos, k),
                Node::Alt(alts) => {
                    for a in alts {
                        if self.m(a, pos, k) {
                            return true;
                        }
                        if self.exhausted.get() {
                            return false;
                        }
                    }
                    false
                }
                Node::Repeat {
                    node,
                    min,
                    max,
                    greedy,
                } => self.rep(node, *min, *max, *greedy, 0, pos, k),
            }
        }

        fn seq(&self, items: &[Node], pos: usize, k: &mut dyn FnMut(usize) -> bool) -> bool {
            match items.split_first() {
                None => k(pos),
                Some((first, rest)) => {
                    self.depth.set(self.depth.get() + 1);
                    let r = self.m(first, pos, &mut |p| self.seq(rest, p, k));
                    self.depth.set(self.depth.get() - 1);
                    r
                }
            }
        }

        #[allow(clippy::too_many_arguments)]
        fn rep(
            &self,
            node: &Node,
            min: u32,
            max: Option<u32>,
            greedy: bool,
            count: u32,
            pos: usize,
            k: &mut dyn FnMut(usize) -> bool,
        ) -> bool {
            if !self.tick() {
                return false;
            }
            let can_more = max.is_none_or(|m| count < m);
            let more = |k: &mut dyn FnMut(usize) -> bool| {
                can_more && {
                    self.depth.set(self.depth.get() + 1);
                    let r = self.m(node, pos, &mut |p| {
                        // An empty iteration past the minimum cannot make progress.
                        if p == pos && count >= min {
                            return false;
                        }
                        self.rep(node, min, max, greedy, count + 1, p, k)
                    });
                    self.depth.set(self.depth.get() - 1);
                    r
                }
            };
            if greedy {
                more(k) || (count >= min && !self.exhausted.get() && k(pos))
            } else {
                (count >= min && k(pos)) || (!self.exhausted.get() && more(k))
            }
        }
    }

    impl Regexp {
        /// Compiles a pattern source with flags (`i`, `m`).
        pub fn new(source: &str, flags: &str) -> Result<Regexp, RegexpError> {
            let mut ignore_case = false;
            let mut multiline = false;
            for f in flags.chars() {
                match f {
                    'i' => ignore_case = true,
                    'm' => multiline = true,
                    'o' | 'u' | 'n' => {}
                    'x' => {
                        return Err(RegexpError {
                            at: 0,
                            message: "the x (extended) flag is not supported by Crumbtrail".into(),
                        })
                    }
                    other => {
                        return Err(RegexpError {
                            at: 0,
                            message: format!("unknown regexp option: {other}"),
                        })
                    }
                }
            }
            let chars: Vec<char> = source.chars().collect();
            let mut p = Parser {
                chars: &chars,
                pos: 0,
                depth: 0,
            };
            let node = p.alt()?;
            if p.pos < chars.len() {
                return p.err("unmatched close parenthesis");
            }
            Ok(Regexp {
                node,
                ignore_case,
                multiline,
                source: source.to_string(),
            })
        }

        /// Compiles a Ruby regexp literal: `/…/flags` (with `\/` for a slash)
        /// or `%r{…}flags` (also `%r(…)`, `%r[…]`, `%r<…>`, `%r|…|`, `%r!…!`).
        pub fn from_literal(literal: &str) -> Result<Regexp, RegexpError> {
            let lit = literal.trim();
            let (body, flags) = if let Some(rest) = lit.strip_prefix("%r") {
                let mut it = rest.chars();
                let open = it.next().ok_or(RegexpError {
                    at: 2,
                    message: "unterminated regexp meets end of file".into(),
                })?;
                let close = match open {
                    '{' => '}',
                    '(' => ')',
                    '[' => ']',
                    '<' => '>',
                    c if c.is_ascii_punctuation() => c,
                    _ => {
                        return Err(RegexpError {
                            at: 2,
                            message: "unknown type of %string".into(),
                        })
                    }
                };
                let inner = &rest[open.len_utf8()..];
                let end = find_unescaped(inner, close).ok_or(RegexpError {
                    at: lit.chars().count(),
                    message: "unterminated regexp meets end of file".into(),
                })?;
                (&inner[..end], &inner[end + close.len_utf8()..])
            } else if let Some(rest) = lit.strip_prefix('/') {
                let end = find_unescaped(rest, '/').ok_or(RegexpError {
                    at: lit.chars().count(),
                    message: "unterminated regexp meets end of file".into(),
                })?;
                (&rest[..end], &rest[end + 1..])
            } else {
                return Err(RegexpError {
                    at: 0,
                    message: "a regexp literal starts with / or %r".into(),
                });
            };
            Regexp::new(&literal_source(body)?, flags)
        }

        /// `source =~ regexp` is truthy: a match anywhere. A pattern that
        /// runs out of its step budget ([`STEP_BUDGET`]) counts as no match.
        pub fn is_match(&self, text: &str) -> bool {
            self.match_within(text, STEP_BUDGET).matched == Some(true)
        }

        /// [`Regexp::is_match`] with at most `limit` steps: `matched` is
        /// `None` when the matcher ran out of steps (or nesting) first.
        pub fn match_within(&self, text: &str, limit: u64) -> Limited {
            let chars: Vec<char> = text.chars().collect();
            let m = Matcher {
                text: &chars,
                ignore_case: self.ignore_case,
                multiline: self.multiline,
                steps: Cell::new(0),
                limit,
                depth: Cell::new(0),
                exhausted: Cell::new(false),
            };
            let mut matched = Some(false);
            for start in 0..=chars.len() {
                if m.m(&self.node, start, &mut |_| true) {
                    matched = Some(true);
                    break;
                }
                if m.exhausted.get() {
                    matched = None;
                    break;
                }
            }
            Limited {
                matched,
                steps: m.steps.get().min(limit),
            }
        }
    }

    /// The pattern Ruby builds from the text between a literal's delimiters.
    /// A regexp literal interpolates like a double-quoted string, which
    /// Crumbtrail does not evaluate; a backslash before a line break is a line
    /// continuation and drops out; `\/` stands for `/` (both mean `/` to the
    /// regexp engine, so it is kept as `/`).
    fn literal_source(body: &str) -> Result<String, RegexpError> {
        let chars: Vec<char> = body.chars().collect();
        let mut out = String::with_capacity(body.len());
        let mut i = 0;
        while i < chars.len() {
            match chars[i] {
                '\\' => {
                    match chars.get(i + 1) {
                        Some('\n') => {}
                        Some('/') => out.push('/'),
                        Some(&c) => {
                            out.push('\\');
                            out.push(c);
                        }
                        None => out.push('\\'),
                    }
                    i += 2;
                }
                '#' if starts_interpolation(chars[i + 1..].iter().copied()) => {
                    return Err(RegexpError {
                        at: i,
                        message: "interpolation (`#{…}`, `#@var`, `#$var`) is not supported by Crumbtrail"
                            .into(),
                    });
                }
                c => {
                    out.push(c);
                    i += 1;
                }
            }
        }
        Ok(out)
    }

    /// Whether `#` followed by `rest` starts interpolation in a Ruby
    /// double-quoted string or regexp literal: `#{…}`, `#@ivar`, `#@@cvar`,
    /// `#$gvar` (Ruby's parse.y, `parser_peek_variable_name`). Any other `#`
    /// is a plain character.
    pub fn starts_interpolation(mut rest: impl Iterator<Item = char>) -> bool {
        let ident_start = |c: Option<char>| {
            c.is_some_and(|c| !c.is_ascii() || c == '_' || c.is_ascii_alphabetic())
        };
        match rest.next() {
            Some('{') => true,
            Some('@') => {
                let mut c = rest.next();
                if c == Some('@') {
                    c = rest.next();
                }
                ident_start(c)
            }
            Some('$') => match rest.next() {
                Some('-') => ident_start(rest.next()),
                // Special globals: `$~ $* $$ $? $! $@ $/ $\ $; $, $. $= $: $< $> $" $& $` $' $+ $0`…
                Some(c) if c.is_ascii_digit() || "~*$?!@/\\;,.=:<>\"&`'+".contains(c) => true,
                c => ident_start(c),
            },
            _ => false,
        }
    }

    /// The result of [`Regexp::match_within`].
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct Limited {
        /// `None`: the steps ran out before an answer.
        pub matched: Option<bool>,
        /// Steps taken (at most the limit).
        pub steps: u64,
    }

    pub(crate) fn find_unescaped(s: &str, close: char) -> Option<usize> {
        let mut escaped = false;
        for (i, c) in s.char_indices() {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == close {
                return Some(i);
            }
        }
        None
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        fn lit(s: &str) -> Regexp {
            Regexp::from_literal(s).unwrap()
        }

        #[test]
        fn anchors_and_unanchored() {
            let r = lit(r"/https:\/\/example\.com/");
            assert!(r.is_match("https://example.com.randomdomainname.co.uk"));
            let r = lit(r"/\Ahttps?:\/\/localhost(:\d+)?\z/");
            assert!(r.is_match("http://localhost:3000"));
            assert!(r.is_match("https://localhost"));
            assert!(!r.is_match("http://localhost:3000.evil"));
            assert!(!r.is_match("http://localhost\n"));
            // ^ and $ are line anchors in Ruby.
            let r = lit(r"/^https:\/\/a\.test$/");
            assert!(r.is_match("https://evil.test\nhttps://a.test"));
            assert!(lit(r"/a\Z/").is_match("a\n"));
            assert!(!lit(r"/a\z/").is_match("a\n"));
        }

        #[test]
        fn classes_groups_quantifiers() {
            let r = lit(r"%r{\Ahttps://([a-z0-9-]+\.)*example\.(com|org)\z}");
            assert!(r.is_match("https://a.b-c.example.org"));
            assert!(!r.is_match("https://a_b.example.org"));
            let r = lit(r"/\Ax{2,3}\z/");
            assert!(!r.is_match("x"));
            assert!(r.is_match("xxx"));
            assert!(!r.is_match("xxxx"));
            assert!(lit(r"/a{,2}b/").is_match("aab"));
            assert!(lit("/a{x}/").is_match("a{x}"));
            assert!(lit(r"/[^\d]/").is_match("a"));
            assert!(!lit(r"/\A[^\d]+\z/").is_match("a1"));
            assert!(lit("/HTTP/i").is_match("http"));
            assert!(!lit("/a.b/").is_match("a\nb"));
            assert!(lit("/a.b/m").is_match("a\nb"));
            assert!(lit(r"/\A(?:a|bc)+?\z/").is_match("abca"));
            assert!(lit(r"/\bfoo\b/").is_match("a foo b"));
            assert!(lit(r"/[a-]/").is_match("-"));
        }

        #[test]
        fn literal_text_as_ruby_reads_it() {
            // `#{…}`, `#@ivar`, `#$gvar` interpolate in a regexp literal.
            for bad in [
                "/a#{b}/", "/#@host/", "/#@@h/", "/#$x/", "/#$1/", "%r{#$-w}",
            ] {
                let e = Regexp::from_literal(bad).unwrap_err();
                assert!(e.message.contains("interpolation"), "{bad}: {e}");
            }
            for plain in [r"/a\#{b}/", "/#a/", "/a#/", "/#@/", "/#$ /", "/#@1/"] {
                assert!(Regexp::from_literal(plain).is_ok(), "{plain}");
            }
            // A backslash before a line break drops out; a raw line break stays.
            assert!(lit("/\\Aa\\\nb\\z/").is_match("ab"));
            assert!(lit("/\\Aa\nb\\z/").is_match("a\nb"));
            assert!(lit(r"/\Aa\/b\z/").is_match("a/b"));
        }

        #[test]
        fn errors_and_budget() {
            assert!(Regexp::from_literal("/(a/").is_err());
            assert!(Regexp::from_literal("/a)/").is_err());
            assert!(Regexp::from_literal("/*a/").is_err());
            assert!(Regexp::from_literal("/[a/").is_err());
            assert!(Regexp::from_literal(r"/(?=a)/").is_err());
            assert!(Regexp::from_literal(r"/\1/").is_err());
            assert!(Regexp::from_literal("/a/x").is_err());
            assert!(Regexp::from_literal("/abc").is_err());
            // Catastrophic backtracking ends as "no match", quickly.
            let r = lit(r"/\A(a+)+\z/");
            assert!(!r.is_match(&format!("{}b", "a".repeat(40))));
            let l = r.match_within(&format!("{}b", "a".repeat(40)), 1000);
            assert_eq!((l.matched, l.steps), (None, 1000));
            let l = lit("/b/").match_within("ab", 1000);
            assert_eq!(l.matched, Some(true));
            assert!(l.steps < 10);
            // Long input does not overflow the stack.
            let r = lit("/.*x/");
            assert!(!r.is_match(&"a".repeat(100_000)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn evil_origins(n: usize) -> CorsConfig {
        let mut config = crate::server::rails::RailsApp::default().cors;
        config.allow[0].origins = vec!["/(.*)*x/".to_string(); n];
        config
    }

    #[test]
    fn origins_regexps_share_one_step_budget() {
        let cors = RackCors::new(&evil_origins(1000), RailsVersion::V8).unwrap();
        assert!(!cors.allows_origin("http://localhost:3000"));
        assert_eq!(cors.regexp_steps(), TOTAL_STEP_BUDGET);
        // The answer is remembered: asking again costs nothing more.
        assert!(!cors.allows_origin("http://localhost:3000"));
        assert_eq!(cors.regexp_steps(), TOTAL_STEP_BUDGET);
        // Exact strings still match once the regexps are out of steps.
        let mut config = evil_origins(10);
        config.allow[0].origins.push("http://localhost:3000".into());
        let cors = RackCors::new(&config, RailsVersion::V8).unwrap();
        assert!(cors.allows_origin("http://localhost:3000"));
        assert_eq!(cors.regexp_steps(), 0);
    }

    #[test]
    fn a_stopped_regexp_is_named_in_the_miss() {
        let mut link = String::from("v=1");
        for _ in 0..1000 {
            link.push_str("&b1.origins=/(.*)*x/");
        }
        let t = crate::simulate(&crate::permalink::decode(&link).scenario);
        let misses: Vec<&Step> = t
            .steps
            .iter()
            .filter(|s| s.reason == Reason::RackCorsMissOrigin)
            .collect();
        assert!(!misses.is_empty());
        for m in misses {
            assert!(m.title.contains("too expensive"), "{}", m.title);
            assert!(m.values.iter().any(|v| v.label == "regexps"));
        }
        // A regexp that finishes leaves the miss as it was.
        let t = crate::simulate(&crate::permalink::decode("v=1&b1.origins=/nope/").scenario);
        assert!(t
            .steps
            .iter()
            .filter(|s| s.reason == Reason::RackCorsMissOrigin)
            .all(|s| !s.title.contains("too expensive")));
    }

    #[test]
    fn path_compile_matches_rack_cors() {
        assert_eq!(
            compile_path_source("/api/*", RackCorsGen::V3),
            r"^/api\/?(.*?)$"
        );
        assert_eq!(
            compile_path_source("/users/:id.json", RackCorsGen::V3),
            r"^/users/([^/?&#]+)\.json$"
        );
        assert_eq!(compile_path_source("/a$", RackCorsGen::V1), "^/a$$");
        assert_eq!(compile_path_source("/a$", RackCorsGen::V3), r"^/a\$$");
    }

    #[test]
    fn evaluate_path_cleans() {
        let valid = |p: &str| {
            let e = evaluate_path(p);
            assert!(e.valid, "{p}");
            e.path
        };
        assert_eq!(valid("/other/../api/items"), "/api/items");
        assert_eq!(valid("/%61pi/items"), "/api/items");
        assert_eq!(valid("/"), "/");
        assert_eq!(valid("/a/"), "/a/");
        assert_eq!(valid("%"), "/%");
        // Invalid paths are decoded but not cleaned.
        let nul = evaluate_path("/x/../a%00");
        assert_eq!((nul.path.as_str(), nul.valid), ("/x/../a\0", false));
        let bad = evaluate_path("/a%FF");
        assert_eq!((bad.path.as_str(), bad.valid), ("/a\u{FFFD}", false));
    }

    #[test]
    fn origin_forms_by_generation() {
        assert_eq!(
            origin_form("http://localhost:3000", RackCorsGen::V3),
            OriginForm::Exact
        );
        assert_eq!(
            origin_form("localhost:3000", RackCorsGen::V3),
            OriginForm::BareHost
        );
        assert_eq!(origin_form("*", RackCorsGen::V3), OriginForm::Wildcard);
        assert_eq!(origin_form("", RackCorsGen::V3), OriginForm::Ignored);
        assert_eq!(
            origin_form("chrome-extension://abc", RackCorsGen::V3),
            OriginForm::Exact
        );
        assert_eq!(
            origin_form("chrome-extension://abc", RackCorsGen::V1),
            OriginForm::BareHost
        );
        assert_eq!(origin_form("/x/", RackCorsGen::V3), OriginForm::Regexp);
        assert_eq!(origin_form("%r{x}i", RackCorsGen::V3), OriginForm::Regexp);
    }
}
