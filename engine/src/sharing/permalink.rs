//! The scenario as a short, human-readable query string.
//!
//! Only values that differ from [`Scenario::default`] are written, so a link
//! names exactly what the author changed. List items (requests, rack-cors
//! `allow` blocks, raw routes) are compared with the default item at the same
//! index; a count key (`requests=1`) says when the list is shorter or longer.
//! `v=1` is the format version: a later format keeps reading version 1.
//!
//! Decoding never fails: unknown keys and bad values become notices that
//! name them, and everything valid is kept. A key that is ignored changes
//! nothing, not even the length of a list. Keys may come in any order.
//!
//! Two laws hold (tests/permalink_laws.rs, and `./dev fuzz`):
//!
//! 1. `decode(encode(s, v))` gives back `s` and `v`, with no notices, for
//!    every *reachable* scenario: one the editors, fixes, presets or
//!    [`decode`] itself produce. Reachable means: lists hold at most
//!    [`MAX_ITEMS`] items; `headers:`, `methods:`, `expose:`, `vary:` and
//!    `domain:` list items are as [`list_items`] / [`method_items`] read them;
//!    origins are not empty; fetch modes are `cors`, `no-cors` or
//!    `same-origin`; `top` and `s.path` are never `Some("")`; numbers are within
//!    what the reader takes (wait ≤ 10 years, raw status ≤ 999,
//!    `max_age` ≤ 2³²−1, `expire_after` ≤ 400 days). Any string is
//!    reachable where the editors take text.
//! 2. `encode(decode(x))` is a fixed point for any text `x`: decoding it
//!    again gives the same scenario and view, with no notices.

use std::borrow::Cow;

use serde::Serialize;
use url::Url;

use crate::address_space::AddressSpace;
use crate::profile::{ProfileId, Version};
use crate::scenario::{
    BodyKind, Client, CredentialsMode, FormEnctype, JarCookie, JarSameSite, NavigationForm,
    PermissionState, RedirectMode, RequestMode, RequestSpec, RunsFrom, Scenario, StorageAccessCall,
};
use crate::server::dev_proxy::DevProxy;
use crate::server::stack::{ServerKind, StackKeys};

/// The current format version.
pub const VERSION: &str = "1";

/// Lists (requests, allow blocks, resources of a block, raw routes) hold at
/// most this many items in a link; the editors stop adding there.
pub const MAX_ITEMS: usize = 20;

/// `rN.wait`: at most ten years, as the request editor.
const MAX_WAIT: u64 = 10 * 366 * 86_400;
/// `s.expire`: at most 400 days (RFC 6265bis §5.5 caps cookie lifetimes there).
pub(crate) const MAX_EXPIRE: u64 = 400 * 86_400;

/// How the page shows the scenario (not part of the simulation).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct View {
    /// `embed=1`: compact view for iframes in documentation.
    pub embed: bool,
    /// `settings=1` with `embed=1`: show the settings, read-only. Kept (and
    /// written) without `embed=1` too, where it shows nothing.
    pub show_settings: bool,
    /// `theme=light|dark`: the colours, whatever the reader's preference
    /// (`auto`, the default, follows `prefers-color-scheme`).
    pub theme: Theme,
}

/// `theme=`: light, dark, or the reader's preference.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub enum Theme {
    #[default]
    Auto,
    Light,
    Dark,
}

impl Theme {
    pub fn key(self) -> &'static str {
        match self {
            Theme::Auto => "auto",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }
}

/// A link read back: the scenario, the view, and what could not be read.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Decoded {
    pub scenario: Scenario,
    pub view: View,
    /// One sentence per unknown key or bad value.
    pub notices: Vec<String>,
}

// ---------------------------------------------------------------------------
// Values: one table per setting, read by both directions.

/// `rN.via`, with the client a request gets when `.via` changes its kind.
const VIAS: [(&str, Client); 8] = [
    (
        "fetch",
        Client::Fetch {
            mode: RequestMode::Cors,
            credentials: CredentialsMode::SameOrigin,
            redirect: RedirectMode::Follow,
        },
    ),
    (
        "xhr",
        Client::Xhr {
            with_credentials: false,
        },
    ),
    (
        "axios",
        Client::Axios {
            with_credentials: false,
            with_xsrf_token: false,
        },
    ),
    (
        "link",
        Client::Navigation {
            form: NavigationForm::Link,
        },
    ),
    (
        "form",
        Client::Navigation {
            form: NavigationForm::FormPost,
        },
    ),
    ("iframe", Client::Iframe),
    (
        "form-get",
        Client::Navigation {
            form: NavigationForm::FormGet,
        },
    ),
    ("visit", Client::Visit),
];
/// `rN.xsrf`: axios' `withXSRFToken`.
const XSRF: [(&str, bool); 2] = [("1", true), ("0", false)];
/// `rN.enctype`: a POST form's encoding.
const ENCTYPES: [(&str, FormEnctype); 3] = [
    ("urlencoded", FormEnctype::UrlEncoded),
    ("multipart", FormEnctype::Multipart),
    ("text", FormEnctype::TextPlain),
];
/// `lna`: the page's Local Network Access permission.
const LOCAL_NETWORK: [(&str, PermissionState); 3] = [
    ("ask", PermissionState::Ask),
    ("granted", PermissionState::Granted),
    ("denied", PermissionState::Denied),
];
/// `saa`: how the framed page calls `document.requestStorageAccess()`.
pub const STORAGE_ACCESS_CALLS: [(&str, StorageAccessCall); 3] = [
    ("none", StorageAccessCall::None),
    ("click", StorageAccessCall::OnClick),
    ("load", StorageAccessCall::OnLoad),
];
/// `saa.visited`: the user interacted with the embedded site as a top-level page.
const INTERACTED: [(&str, bool); 2] = [("1", true), ("0", false)];
/// `rN.target_space`: fetch's `targetAddressSpace` option.
const TARGET_SPACES: [(&str, Option<AddressSpace>); 4] = [
    ("unset", None),
    ("local", Some(AddressSpace::Local)),
    ("loopback", Some(AddressSpace::Loopback)),
    ("public", Some(AddressSpace::Public)),
];
/// `rN.from`: the document a request runs from.
const RUNS_FROM: [(&str, RunsFrom); 2] = [("page", RunsFrom::Page), ("current", RunsFrom::Current)];
const MODES: [(&str, RequestMode); 3] = [
    ("cors", RequestMode::Cors),
    ("no-cors", RequestMode::NoCors),
    ("same-origin", RequestMode::SameOrigin),
];
const CREDENTIALS: [(&str, CredentialsMode); 3] = [
    ("include", CredentialsMode::Include),
    ("same-origin", CredentialsMode::SameOrigin),
    ("omit", CredentialsMode::Omit),
];
const REDIRECTS: [(&str, RedirectMode); 3] = [
    ("follow", RedirectMode::Follow),
    ("error", RedirectMode::Error),
    ("manual", RedirectMode::Manual),
];
const BODIES: [(&str, BodyKind); 6] = [
    ("none", BodyKind::None),
    ("json", BodyKind::Json),
    ("text", BodyKind::Text),
    ("urlencoded", BodyKind::UrlEncoded),
    ("formdata", BodyKind::FormData),
    ("stream", BodyKind::Stream),
];

pub(crate) fn name_of<T: PartialEq>(table: &[(&'static str, T)], value: &T) -> &'static str {
    table
        .iter()
        .find(|(_, v)| v == value)
        .map_or("", |(k, _)| k)
}

fn via_name(c: &Client) -> &'static str {
    match c {
        Client::Fetch { .. } => "fetch",
        Client::Xhr { .. } => "xhr",
        Client::Axios { .. } => "axios",
        Client::Navigation {
            form: NavigationForm::Link,
        } => "link",
        Client::Navigation {
            form: NavigationForm::FormPost,
        } => "form",
        Client::Navigation {
            form: NavigationForm::FormGet,
        } => "form-get",
        Client::Iframe => "iframe",
        Client::Visit => "visit",
    }
}

/// `'…'` around a value: read as written, never as a keyword.
pub(crate) fn quoted(value: &str) -> Option<&str> {
    value.strip_prefix('\'')?.strip_suffix('\'')
}

/// `s.domain` values that are not an exact domain.
pub(crate) fn domain_keyword(value: &str) -> bool {
    let t = value.trim();
    matches!(t, "" | "unset" | "all" | ":all") || t.starts_with(":all/") || value.contains(',')
}

/// `headers:` / `methods:` values that are not a list.
pub(crate) fn list_keyword(value: &str) -> bool {
    matches!(value.trim(), "" | "unset" | "any" | ":any")
}

/// `METHOD URL` (and `METHOD PATH`): the first word, then the rest.
pub(crate) fn split_target(value: &str) -> Option<(String, String)> {
    let (method, target) = value.trim().split_once(' ')?;
    Some((method.to_string(), target.trim().to_string()))
}

/// [`split_target`] gives back the two parts of `METHOD TARGET` only for a
/// one-word method and a target that is not empty and not padded.
pub(crate) fn joinable(method: &str, target: &str) -> bool {
    !method.is_empty()
        && !method.contains(char::is_whitespace)
        && !target.is_empty()
        && target.trim() == target
}

fn default_request(d: &Scenario, i: usize) -> RequestSpec {
    d.requests.get(i).cloned().unwrap_or_default()
}

// ---------------------------------------------------------------------------
// Encoding

/// Percent-encodes only what would break a query string or a link around it,
/// so URLs and header lines stay readable: `%`, `&`, `#`, `+`, `=`, `?`, `"`,
/// `<`, `>`, `` ` ``, space (as `+`), control characters and non-ASCII.
fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        match b {
            b' ' => out.push('+'),
            b'%' | b'&' | b'#' | b'+' | b'=' | b'?' | b'"' | b'<' | b'>' | b'`' => {
                out.push_str(&format!("%{b:02X}"))
            }
            0x21..=0x7e => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// A value in quotes when it would otherwise read as a keyword, or as
/// written in quotes.
pub(crate) fn literal(value: &str, keyword: impl Fn(&str) -> bool) -> String {
    if keyword(value) || quoted(value).is_some() {
        format!("'{value}'")
    } else {
        value.to_string()
    }
}

/// A list as `a,b`, with a trailing comma where the text alone would read as
/// something else: `,` is the empty list, `unset,` the list of one `unset`.
pub(crate) fn list_str(items: &[String], keyword: impl Fn(&str) -> bool) -> String {
    let text = items.join(",");
    if keyword(&text) {
        text + ","
    } else {
        text
    }
}

/// The keys of a link being written, in order.
pub struct Writer(Vec<(String, String)>);

impl Writer {
    pub(crate) fn put(&mut self, key: impl Into<String>, value: impl Into<String>) {
        self.0.push((key.into(), value.into()));
    }
    pub(crate) fn diff<T: PartialEq>(
        &mut self,
        key: &str,
        value: &T,
        default: &T,
        show: impl Fn(&T) -> String,
    ) {
        if value != default {
            self.put(key, show(value));
        }
    }
    pub(crate) fn pick<T: PartialEq>(
        &mut self,
        key: &str,
        value: &T,
        default: &T,
        table: &[(&'static str, T)],
    ) {
        if value != default {
            self.put(key, name_of(table, value));
        }
    }
}

pub(crate) fn bool_str(b: &bool) -> String {
    if *b { "1" } else { "0" }.into()
}

pub(crate) fn opt_bool(b: &Option<bool>) -> String {
    match b {
        None => "unset".into(),
        Some(true) => "1".into(),
        Some(false) => "0".into(),
    }
}

/// The query string (without `?`) for a scenario and a view.
pub fn encode(scenario: &Scenario, view: &View) -> String {
    let d = Scenario::default();
    let mut w = Writer(vec![("v".into(), VERSION.into())]);
    w.diff("page", &scenario.page.url, &d.page.url, String::clone);
    w.diff(
        "top",
        &scenario.page.top_level_url,
        &d.page.top_level_url,
        |s| s.clone().unwrap_or_default(),
    );
    w.pick(
        "lna",
        &scenario.page.local_network,
        &d.page.local_network,
        &LOCAL_NETWORK,
    );
    let (saa, d_saa) = (&scenario.page.storage_access, &d.page.storage_access);
    w.pick("saa", &saa.call, &d_saa.call, &STORAGE_ACCESS_CALLS);
    w.pick(
        "saa.visited",
        &saa.interacted_top_level,
        &d_saa.interacted_top_level,
        &INTERACTED,
    );
    w.pick(
        "saa.permission",
        &saa.permission,
        &d_saa.permission,
        &LOCAL_NETWORK,
    );
    // `browser=chrome@156`: the profile and the version whose rules it follows.
    w.diff(
        "browser",
        &(scenario.profile, scenario.profile_version),
        &(d.profile, d.profile_version),
        |(p, v)| match v {
            Some(v) => format!("{}@{v}", p.key()),
            None => p.key().into(),
        },
    );

    if scenario.requests.len() != d.requests.len() {
        w.put("requests", scenario.requests.len().to_string());
    }
    for (i, r) in scenario.requests.iter().enumerate() {
        encode_request(&mut w, &format!("r{}", i + 1), r, &default_request(&d, i));
    }

    for (i, c) in scenario.jar_at_start.iter().enumerate() {
        encode_jar_cookie(&mut w, &format!("j{}", i + 1), c);
    }

    scenario.server.encode_keys(&mut w);
    if let Some(proxy) = &scenario.proxy {
        proxy.encode_keys(&mut w);
    }

    if view.embed {
        w.put("embed", "1");
    }
    if view.show_settings {
        w.put("settings", "1");
    }
    if view.theme != Theme::Auto {
        w.put("theme", view.theme.key());
    }
    w.0.iter()
        .map(|(k, v)| format!("{k}={}", escape(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn encode_request(w: &mut Writer, k: &str, r: &RequestSpec, base: &RequestSpec) {
    if r.method != base.method || r.url != base.url {
        if joinable(&r.method, &r.url) {
            w.put(k, format!("{} {}", r.method, r.url));
        } else {
            w.diff(
                &format!("{k}.method"),
                &r.method,
                &base.method,
                String::clone,
            );
            w.diff(&format!("{k}.url"), &r.url, &base.url, String::clone);
        }
    }
    encode_client(w, k, &r.client, &base.client);
    w.diff(&format!("{k}.h"), &r.headers, &base.headers, String::clone);
    w.pick(&format!("{k}.body"), &r.body, &base.body, &BODIES);
    w.diff(&format!("{k}.wait"), &r.delay_secs, &base.delay_secs, |n| {
        n.to_string()
    });
    w.diff(
        &format!("{k}.fields"),
        &r.fields,
        &base.fields,
        String::clone,
    );
    w.pick(
        &format!("{k}.enctype"),
        &r.enctype,
        &base.enctype,
        &ENCTYPES,
    );
    w.pick(
        &format!("{k}.from"),
        &r.runs_from,
        &base.runs_from,
        &RUNS_FROM,
    );
    w.pick(
        &format!("{k}.target_space"),
        &r.target_address_space,
        &base.target_address_space,
        &TARGET_SPACES,
    );
}

/// `.via` when the kind of client differs from the default request's; then
/// what differs from the client `.via` starts from (or from the default).
fn encode_client(w: &mut Writer, k: &str, c: &Client, base: &Client) {
    let via = via_name(c);
    let start = if via == via_name(base) {
        *base
    } else {
        w.put(format!("{k}.via"), via);
        VIAS[VIAS.iter().position(|(n, _)| *n == via).unwrap_or(0)].1
    };
    match (*c, start) {
        (
            Client::Fetch {
                mode,
                credentials,
                redirect,
            },
            Client::Fetch {
                mode: m,
                credentials: cr,
                redirect: rd,
            },
        ) => {
            w.pick(&format!("{k}.mode"), &mode, &m, &MODES);
            w.pick(&format!("{k}.cred"), &credentials, &cr, &CREDENTIALS);
            w.pick(&format!("{k}.redirect"), &redirect, &rd, &REDIRECTS);
        }
        (
            Client::Xhr {
                with_credentials: on,
            }
            | Client::Axios {
                with_credentials: on,
                ..
            },
            Client::Xhr {
                with_credentials: was,
            }
            | Client::Axios {
                with_credentials: was,
                ..
            },
        ) if on != was => {
            // XHR and axios read `include` as `withCredentials = true`.
            w.put(
                format!("{k}.cred"),
                if on { "include" } else { "same-origin" },
            );
        }
        _ => {}
    }
    // axios `withXSRFToken: true` (`rN.xsrf=1`).
    if let (
        Client::Axios {
            with_xsrf_token: true,
            ..
        },
        Client::Axios {
            with_xsrf_token: false,
            ..
        },
    ) = (*c, start)
    {
        w.put(format!("{k}.xsrf"), "1");
    }
}

/// `jN.same_site`.
const JAR_SAME_SITES: [(&str, JarSameSite); 4] = [
    ("unspecified", JarSameSite::Unspecified),
    ("lax", JarSameSite::Lax),
    ("strict", JarSameSite::Strict),
    ("none", JarSameSite::None),
];

fn encode_jar_cookie(w: &mut Writer, k: &str, c: &JarCookie) {
    let d = JarCookie::default();
    // `jN=NAME=VALUE` is always written: it makes the cookie exist. A name
    // with `=` in it goes in `jN.name`.
    if c.name.contains('=') {
        w.put(format!("{k}.name"), c.name.clone());
        w.put(format!("{k}.value"), c.value.clone());
    } else {
        w.put(k, format!("{}={}", c.name, c.value));
    }
    w.diff(&format!("{k}.domain"), &c.domain, &d.domain, String::clone);
    w.diff(
        &format!("{k}.host_only"),
        &c.host_only,
        &d.host_only,
        bool_str,
    );
    w.diff(&format!("{k}.path"), &c.path, &d.path, String::clone);
    w.diff(&format!("{k}.secure"), &c.secure, &d.secure, bool_str);
    w.diff(
        &format!("{k}.httponly"),
        &c.http_only,
        &d.http_only,
        bool_str,
    );
    w.pick(
        &format!("{k}.same_site"),
        &c.same_site,
        &d.same_site,
        &JAR_SAME_SITES,
    );
    w.diff(&format!("{k}.expires"), &c.expires_in_secs, &None, |e| {
        e.map(|n| n.to_string()).unwrap_or_default()
    });
    w.diff(&format!("{k}.age"), &c.age_secs, &d.age_secs, |n| {
        n.to_string()
    });
    w.diff(&format!("{k}.partition"), &c.partition, &None, |p| {
        p.clone().unwrap_or_default()
    });
    w.diff(
        &format!("{k}.ancestor"),
        &c.partition_cross_site_ancestor,
        &false,
        bool_str,
    );
}

// ---------------------------------------------------------------------------
// Decoding

/// Reads values of a link's keys, collecting a notice for each one it cannot read.
pub struct Reader {
    pub(crate) notices: Vec<String>,
}

impl Reader {
    pub(crate) fn bad(&mut self, key: &str, value: &str, expected: &str) {
        self.notices
            .push(format!("`{key}={value}` was ignored: expected {expected}."));
    }

    pub(crate) fn unknown(&mut self, key: &str) {
        self.notices
            .push(format!("Unknown key `{key}` was ignored."));
    }

    pub(crate) fn bool(&mut self, key: &str, value: &str, slot: &mut bool) {
        match value {
            "1" | "true" | "yes" => *slot = true,
            "0" | "false" | "no" => *slot = false,
            _ => self.bad(key, value, "1 or 0"),
        }
    }

    pub(crate) fn opt_bool(&mut self, key: &str, value: &str, slot: &mut Option<bool>) {
        match value {
            "unset" | "" => *slot = None,
            "1" | "true" => *slot = Some(true),
            "0" | "false" => *slot = Some(false),
            _ => self.bad(key, value, "1, 0 or unset"),
        }
    }

    pub(crate) fn num<T: std::str::FromStr>(
        &mut self,
        key: &str,
        value: &str,
        max: u64,
    ) -> Option<T> {
        match value.parse::<u64>() {
            Ok(n) if n <= max => value.parse().ok(),
            _ => {
                self.bad(key, value, &format!("a whole number up to {max}"));
                None
            }
        }
    }

    pub(crate) fn pick<T: Copy>(
        &mut self,
        key: &str,
        value: &str,
        options: &[(&str, T)],
    ) -> Option<T> {
        match options.iter().find(|(k, _)| *k == value) {
            Some((_, v)) => Some(*v),
            None => {
                let names: Vec<&str> = options.iter().map(|(k, _)| *k).collect();
                self.bad(key, value, &format!("one of {}", names.join(", ")));
                None
            }
        }
    }

    pub(crate) fn set<T: Copy>(
        &mut self,
        key: &str,
        value: &str,
        options: &[(&str, T)],
        slot: &mut T,
    ) {
        if let Some(v) = self.pick(key, value, options) {
            *slot = v;
        }
    }
}

/// Parses `rN` / `bN` / `rawN` style keys: (index from 0, rest after the number).
pub(crate) fn indexed<'a>(key: &'a str, prefix: &str) -> Option<(usize, &'a str)> {
    let rest = key.strip_prefix(prefix)?;
    let digits = rest.bytes().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 {
        return None;
    }
    let n: usize = rest[..digits].parse().ok()?;
    if n == 0 {
        return None;
    }
    Some((n - 1, &rest[digits..]))
}

pub(crate) fn grow_to<T>(list: &mut Vec<T>, n: usize, fill: impl Fn(usize) -> T) {
    while list.len() < n {
        let i = list.len();
        list.push(fill(i));
    }
}

/// Edits item `i` of a list (past the end: a copy of its default) and keeps
/// the edit only when it raised no notice, so an ignored key never adds
/// items.
pub(crate) fn edit_item<T: Clone>(
    r: &mut Reader,
    list: &mut Vec<T>,
    i: usize,
    fill: impl Fn(usize) -> T,
    edit: impl FnOnce(&mut Reader, &mut T),
) {
    let before = r.notices.len();
    let mut item = list.get(i).cloned().unwrap_or_else(|| fill(i));
    edit(r, &mut item);
    if r.notices.len() == before {
        grow_to(list, i + 1, fill);
        list[i] = item;
    }
}

/// A count key (`requests=N`, `blocks=N`, `bN.resources=N`): the list gets
/// exactly N items; keys that set items past N are reported.
pub(crate) fn apply_count<T: Clone + PartialEq>(
    r: &mut Reader,
    list: &mut Vec<T>,
    count: Option<usize>,
    key: &str,
    fill: impl Fn(usize) -> T,
) {
    let Some(n) = count else { return };
    if list
        .iter()
        .enumerate()
        .skip(n)
        .any(|(j, item)| *item != fill(j))
    {
        r.notices
            .push(format!("Keys for items past `{key}={n}` were ignored."));
    }
    list.truncate(n);
    grow_to(list, n, fill);
}

/// The query of a link. A whole URL (http, https or file) gives its own
/// query, so a `?` inside a value stays in the value. Other text is the query
/// itself, after a `?` that no `=` or `&` precedes (`?v=1`, or a link without
/// its scheme, `example.test/?v=1`); a `#` ends it.
fn query_of(input: &str) -> Cow<'_, str> {
    if let Ok(url) = Url::parse(input) {
        if matches!(url.scheme(), "http" | "https" | "file") {
            return Cow::Owned(url.query().unwrap_or("").to_string());
        }
    }
    let text = input.split('#').next().unwrap_or("");
    match text.find(['?', '=', '&']) {
        Some(i) if text.as_bytes()[i] == b'?' => Cow::Borrowed(&text[i + 1..]),
        _ => Cow::Borrowed(text),
    }
}

/// Reads a link: a whole URL, or its query with or without the `?`.
pub fn decode(input: &str) -> Decoded {
    let mut decoder = Decoder::new();
    for (key, value) in url::form_urlencoded::parse(query_of(input).as_bytes()) {
        decoder.read(&key, &value);
    }
    decoder.finish()
}

/// A client key read now and applied once the request's `.via` is known, so
/// `.via` and `.cred` may come in either order.
struct Pending<T> {
    key: String,
    value: String,
    v: T,
}

impl<T> Pending<T> {
    fn new(key: &str, value: &str, v: T) -> Self {
        Pending {
            key: key.into(),
            value: value.into(),
            v,
        }
    }
}

#[derive(Default)]
struct ClientKeys {
    via: Option<Client>,
    mode: Option<Pending<RequestMode>>,
    cred: Option<Pending<CredentialsMode>>,
    redirect: Option<Pending<RedirectMode>>,
    xsrf: Option<Pending<bool>>,
}

/// Everything read so far; [`Decoder::finish`] applies the counts and the
/// client keys.
struct Decoder {
    r: Reader,
    defaults: Scenario,
    s: Scenario,
    view: View,
    /// The stack `server=` names (the default scenario's until then).
    server: ServerKind,
    /// One key reader per stack, in [`ServerKind::ALL`]'s order.
    stacks: Vec<(ServerKind, Box<dyn StackKeys>)>,
    clients: Vec<ClientKeys>,
    request_count: Option<usize>,
}

impl Decoder {
    fn new() -> Self {
        let defaults = Scenario::default();
        Decoder {
            r: Reader {
                notices: Vec::new(),
            },
            s: defaults.clone(),
            server: defaults.server.kind(),
            defaults,
            view: View::default(),
            stacks: ServerKind::ALL
                .into_iter()
                .map(|k| (k, k.key_reader()))
                .collect(),
            clients: Vec::new(),
            request_count: None,
        }
    }

    fn read(&mut self, key: &str, value: &str) {
        let r = &mut self.r;
        match key {
            "" => {}
            "v" => {
                if value != VERSION {
                    r.notices.push(format!(
                        "This link says format version {value}; this Crumbtrail reads version {VERSION}, so some settings may be read differently."
                    ));
                }
            }
            "page" => self.s.page.url = value.to_string(),
            "top" => self.s.page.top_level_url = (!value.is_empty()).then(|| value.to_string()),
            "lna" => r.set(key, value, &LOCAL_NETWORK, &mut self.s.page.local_network),
            "saa" => r.set(
                key,
                value,
                &STORAGE_ACCESS_CALLS,
                &mut self.s.page.storage_access.call,
            ),
            "saa.visited" => r.set(
                key,
                value,
                &INTERACTED,
                &mut self.s.page.storage_access.interacted_top_level,
            ),
            "saa.permission" => r.set(
                key,
                value,
                &LOCAL_NETWORK,
                &mut self.s.page.storage_access.permission,
            ),
            "browser" => {
                let (name, version) = match value.split_once('@') {
                    Some((name, v)) => (name, Some(v)),
                    None => (value, None),
                };
                let version = version.map(|v| (v, Version::parse(v)));
                match (ProfileId::from_key(name), version) {
                    (None, _) => r.bad(
                        key,
                        value,
                        &format!("{}, optionally with @version (chrome@156)", profile_keys()),
                    ),
                    (Some(_), Some((_, None))) => {
                        r.bad(key, value, "a version like chrome@156 or safari@18.4")
                    }
                    (Some(p), Some((_, Some(v)))) => {
                        self.s.profile = p;
                        let kept = v.clamp(p.oldest(), p.latest());
                        if kept != v {
                            r.notices.push(format!(
                                "`{key}={value}`: Crumbtrail has the rules of {} {} to {}, so this link is read with those of {} {kept}.",
                                p.browser_name(), p.oldest(), p.latest(), p.browser_name()
                            ));
                        }
                        self.s.profile_version = Some(kept);
                    }
                    (Some(p), None) => {
                        self.s.profile = p;
                        self.s.profile_version = None;
                    }
                }
            }
            "embed" => r.bool(key, value, &mut self.view.embed),
            "settings" => r.bool(key, value, &mut self.view.show_settings),
            "theme" => match value {
                "auto" => self.view.theme = Theme::Auto,
                "light" => self.view.theme = Theme::Light,
                "dark" => self.view.theme = Theme::Dark,
                _ => r.bad(key, value, "light, dark or auto"),
            },
            "requests" => {
                if let Some(n) = r.num(key, value, MAX_ITEMS as u64) {
                    self.request_count = Some(n);
                }
            }
            "server" => match ServerKind::from_key(value) {
                Some(k) => self.server = k,
                None => r.bad(key, value, &ServerKind::keys_listed()),
            },
            _ => {
                // Each stack's keys have a namespace of their own; request keys come last.
                if self.stacks.iter_mut().any(|(_, k)| k.read(r, key, value))
                    || DevProxy::read_key(&mut self.s.proxy, r, key, value)
                {
                } else if let Some((i, field)) = indexed(key, "j") {
                    self.read_jar(i, key, field, value);
                } else if let Some((i, field)) = indexed(key, "r") {
                    self.read_request(i, key, field, value);
                } else {
                    r.unknown(key);
                }
            }
        }
    }

    fn read_request(&mut self, i: usize, key: &str, field: &str, value: &str) {
        let r = &mut self.r;
        if i >= MAX_ITEMS {
            return r.bad(key, value, &format!("at most {MAX_ITEMS} requests"));
        }
        if self.clients.len() <= i {
            self.clients.resize_with(i + 1, ClientKeys::default);
        }
        let keys = &mut self.clients[i];
        match field {
            ".via" => keys.via = r.pick(key, value, &VIAS).or(keys.via),
            ".mode" => {
                if let Some(v) = r.pick(key, value, &MODES) {
                    keys.mode = Some(Pending::new(key, value, v));
                }
            }
            ".cred" => {
                if let Some(v) = r.pick(key, value, &CREDENTIALS) {
                    keys.cred = Some(Pending::new(key, value, v));
                }
            }
            ".redirect" => {
                if let Some(v) = r.pick(key, value, &REDIRECTS) {
                    keys.redirect = Some(Pending::new(key, value, v));
                }
            }
            ".xsrf" => {
                if let Some(v) = r.pick(key, value, &XSRF) {
                    keys.xsrf = Some(Pending::new(key, value, v));
                }
            }
            _ => {
                let d = &self.defaults;
                edit_item(
                    r,
                    &mut self.s.requests,
                    i,
                    |j| default_request(d, j),
                    |r, req| decode_request(r, key, field, value, req),
                );
            }
        }
    }

    fn read_jar(&mut self, i: usize, key: &str, field: &str, value: &str) {
        if i >= MAX_ITEMS {
            let max = format!("at most {MAX_ITEMS} cookies in the jar");
            return self.r.bad(key, value, &max);
        }
        edit_item(
            &mut self.r,
            &mut self.s.jar_at_start,
            i,
            |_| JarCookie::default(),
            |r, c| decode_jar_cookie(r, key, field, value, c),
        );
    }

    fn finish(mut self) -> Decoded {
        let d = &self.defaults;
        let r = &mut self.r;
        for (i, keys) in std::mem::take(&mut self.clients).into_iter().enumerate() {
            let requests = &mut self.s.requests;
            let base = requests
                .get(i)
                .map_or_else(|| default_request(d, i).client, |q| q.client);
            if let Some(client) = resolve_client(r, base, keys) {
                grow_to(requests, i + 1, |j| default_request(d, j));
                requests[i].client = client;
            }
        }
        let (count, requests) = (self.request_count, &mut self.s.requests);
        apply_count(r, requests, count, "requests", |j| default_request(d, j));
        let chosen = self.server;
        for (kind, keys) in std::mem::take(&mut self.stacks) {
            let used = keys.used();
            let ignored = keys.ignored(chosen);
            let setup = keys.finish(r);
            if kind == chosen {
                self.s.server = setup;
            } else if used {
                r.notices.push(ignored);
            }
        }
        let mut notices = std::mem::take(&mut self.r.notices);
        cap_notices(&mut notices);
        Decoded {
            scenario: self.s,
            view: self.view,
            notices,
        }
    }
}

/// At most this many notices, each at most this many characters: a link of
/// thousands of garbage keys gives a short notice, not a page of them.
const MAX_NOTICES: usize = 20;
const MAX_NOTICE_CHARS: usize = 240;

fn cap_notices(notices: &mut Vec<String>) {
    for n in notices.iter_mut() {
        if let Some((i, _)) = n.char_indices().nth(MAX_NOTICE_CHARS) {
            n.truncate(i);
            n.push('…');
        }
    }
    if notices.len() > MAX_NOTICES {
        let more = notices.len() - (MAX_NOTICES - 1);
        notices.truncate(MAX_NOTICES - 1);
        notices.push(format!(
            "…and {more} more parts of the link that could not be read."
        ));
    }
}

/// A request's client from its `.via`, `.mode`, `.cred` and `.redirect`
/// keys: `.via` first (a new kind starts from [`VIAS`]), then the others
/// where that client has them. `None` when no key applied.
fn resolve_client(r: &mut Reader, base: Client, keys: ClientKeys) -> Option<Client> {
    let mut applied = keys.via.is_some();
    let mut c = match keys.via {
        Some(v) if via_name(&v) != via_name(&base) => v,
        _ => base,
    };
    if let Some(p) = keys.mode {
        match &mut c {
            Client::Fetch { mode, .. } => (*mode, applied) = (p.v, true),
            _ => r.bad(&p.key, &p.value, "a mode only for fetch (set .via=fetch)"),
        }
    }
    if let Some(p) = keys.cred {
        match &mut c {
            Client::Fetch { credentials, .. } => (*credentials, applied) = (p.v, true),
            Client::Xhr { with_credentials }
            | Client::Axios {
                with_credentials, ..
            } => (*with_credentials, applied) = (p.v == CredentialsMode::Include, true),
            _ => r.bad(
                &p.key,
                &p.value,
                "no credentials setting for navigations and iframes",
            ),
        }
    }
    if let Some(p) = keys.redirect {
        match &mut c {
            Client::Fetch { redirect, .. } => (*redirect, applied) = (p.v, true),
            _ => r.bad(
                &p.key,
                &p.value,
                "a redirect mode only for fetch (set .via=fetch first)",
            ),
        }
    }
    if let Some(p) = keys.xsrf {
        match &mut c {
            Client::Axios {
                with_xsrf_token, ..
            } => (*with_xsrf_token, applied) = (p.v, true),
            _ => r.bad(
                &p.key,
                &p.value,
                "withXSRFToken is an axios option (set .via=axios first)",
            ),
        }
    }
    applied.then_some(c)
}

fn decode_request(r: &mut Reader, key: &str, field: &str, value: &str, req: &mut RequestSpec) {
    match field {
        "" => match split_target(value) {
            Some((method, url)) => (req.method, req.url) = (method, url),
            None => r.bad(
                key,
                value,
                "a method and a URL, e.g. `GET http://localhost:3001/me`",
            ),
        },
        ".method" => req.method = value.to_string(),
        ".url" => req.url = value.to_string(),
        ".h" => req.headers = value.to_string(),
        ".body" => r.set(key, value, &BODIES, &mut req.body),
        ".wait" => {
            if let Some(n) = r.num(key, value, MAX_WAIT) {
                req.delay_secs = n;
            }
        }
        ".fields" => req.fields = value.to_string(),
        ".enctype" => r.set(key, value, &ENCTYPES, &mut req.enctype),
        ".from" => r.set(key, value, &RUNS_FROM, &mut req.runs_from),
        ".target_space" => r.set(key, value, &TARGET_SPACES, &mut req.target_address_space),
        _ => r.unknown(key),
    }
}

/// `jN` keys: a cookie already in the jar at the start.
fn decode_jar_cookie(r: &mut Reader, key: &str, field: &str, value: &str, c: &mut JarCookie) {
    match field {
        "" => match value.split_once('=') {
            Some((name, v)) => (c.name, c.value) = (name.to_string(), v.to_string()),
            None => r.bad(key, value, "NAME=VALUE"),
        },
        ".name" => c.name = value.to_string(),
        ".value" => c.value = value.to_string(),
        ".domain" => c.domain = value.to_string(),
        ".host_only" => r.bool(key, value, &mut c.host_only),
        ".path" => c.path = value.to_string(),
        ".secure" => r.bool(key, value, &mut c.secure),
        ".httponly" => r.bool(key, value, &mut c.http_only),
        ".same_site" => r.set(key, value, &JAR_SAME_SITES, &mut c.same_site),
        ".expires" => {
            if value.is_empty() {
                c.expires_in_secs = None;
            } else if let Some(n) = r.num(key, value, MAX_EXPIRE) {
                c.expires_in_secs = Some(n);
            }
        }
        ".age" => {
            if let Some(n) = r.num(key, value, MAX_EXPIRE) {
                c.age_secs = n;
            }
        }
        ".partition" => c.partition = Some(value.to_string()),
        ".ancestor" => r.bool(key, value, &mut c.partition_cross_site_ancestor),
        _ => r.unknown(key),
    }
}

/// The profile keys, for a notice: "chrome, chrome-no3pc, … or safari".
fn profile_keys() -> String {
    let keys: Vec<&str> = ProfileId::ALL.iter().map(|p| p.key()).collect();
    match keys.split_last() {
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{RawResponse, RawRoute, RawServer, ServerSetup};
    use crate::server::rails::*;

    #[test]
    fn default_scenario_is_just_the_version() {
        assert_eq!(encode(&Scenario::default(), &View::default()), "v=1");
        let back = decode("?v=1");
        assert_eq!(back.scenario, Scenario::default());
        assert!(back.notices.is_empty());
    }

    #[test]
    fn refined_article_setup_is_short_and_round_trips() {
        let mut s = Scenario::default();
        if let ServerSetup::Rails(app) = &mut s.server {
            app.cors.allow[0].origins = vec![
                "http://localhost:3000".into(),
                "https://your-frontend-domain.com".into(),
            ];
            app.cors.allow[0].resources[0].credentials = true;
        }
        let q = encode(&s, &View::default());
        assert_eq!(
            q,
            "v=1&b1.origins=http://localhost:3000&b1.origins=https://your-frontend-domain.com&b1.r1.cred=1"
        );
        assert!(q.len() < 150, "{} chars", q.len());
        assert_eq!(decode(&q).scenario, s);
    }

    #[test]
    fn requests_and_raw_routes_round_trip() {
        let mut s = Scenario {
            profile: ProfileId::Safari,
            profile_version: None,
            ..Scenario::default()
        };
        s.page.top_level_url = Some("https://blog.example/post".into());
        s.requests[0].client = Client::Axios {
            with_credentials: true,
            with_xsrf_token: false,
        };
        s.requests[1].client = Client::Fetch {
            mode: RequestMode::NoCors,
            credentials: CredentialsMode::Omit,
            redirect: RedirectMode::Follow,
        };
        s.requests[1].headers = "X-Token: a&b=c #1\nAccept: */*".into();
        s.requests.push(RequestSpec {
            url: "/x".into(),
            method: "patch".into(),
            client: Client::Navigation {
                form: NavigationForm::FormPost,
            },
            delay_secs: 130,
            ..RequestSpec::default()
        });
        s.server = ServerSetup::Raw(RawServer {
            routes: vec![RawRoute {
                method: "*".into(),
                path: "/api/*".into(),
                preflight: RawResponse {
                    status: 204,
                    headers: "Access-Control-Allow-Origin: *".into(),
                },
                response: RawResponse {
                    status: 200,
                    headers: "Set-Cookie: a=b; SameSite=None; Secure".into(),
                },
                ..RawRoute::default()
            }],
        });
        let view = View {
            embed: true,
            show_settings: true,
            theme: Theme::Dark,
        };
        let q = encode(&s, &view);
        let back = decode(&q);
        assert!(back.notices.is_empty(), "{:?}", back.notices);
        assert_eq!(back.scenario, s, "{q}");
        assert_eq!(back.view, view);
    }

    #[test]
    fn thousands_of_garbage_keys_give_a_short_notice() {
        let q: String = (0..3000)
            .map(|i| format!("zz{i}={}&", "x".repeat(30)))
            .collect();
        let d = decode(&q);
        assert_eq!(d.notices.len(), MAX_NOTICES);
        assert!(
            d.notices.last().unwrap().contains("2981 more"),
            "{:?}",
            d.notices.last()
        );
        assert!(d.notices.iter().map(String::len).sum::<usize>() < 8_000);
        let long = decode(&format!("zz={}", "y".repeat(5000)));
        assert!(long.notices[0].chars().count() <= MAX_NOTICE_CHARS + 1);
    }

    #[test]
    fn redirect_mode_round_trips_and_follow_is_omitted() {
        let d = decode("v=1&r1.redirect=manual");
        assert!(matches!(
            d.scenario.requests[0].client,
            Client::Fetch {
                redirect: RedirectMode::Manual,
                ..
            }
        ));
        let link = encode(&d.scenario, &d.view);
        assert!(link.contains("r1.redirect=manual"), "{link}");
        assert_eq!(decode(&link).scenario, d.scenario);
        let plain = decode("v=1");
        assert!(!encode(&plain.scenario, &plain.view).contains("redirect"));
        // Only fetch has a redirect option.
        let bad = decode("v=1&r1.via=xhr&r1.redirect=error");
        assert_eq!(bad.notices.len(), 1, "{:?}", bad.notices);
        assert_eq!(
            bad.scenario.requests[0].client.redirect_mode(),
            RedirectMode::Follow
        );
    }

    #[test]
    fn garbage_is_reported_and_the_rest_kept() {
        let back = decode("v=1&browser=netscape&r2.cred=maybe&zzz=1&page=http://a.test/&r99999999999999999999=x&s.domain=:all/0");
        assert_eq!(back.scenario.page.url, "http://a.test/");
        assert_eq!(back.notices.len(), 5, "{:?}", back.notices);
        assert!(back.notices[0].contains("browser=netscape"));
        assert!(back.notices.iter().any(|n| n.contains("zzz")));
    }

    #[test]
    fn never_panics_on_odd_input() {
        for q in [
            "",
            "?",
            "&&&",
            "=",
            "r0=x",
            "r1",
            "b1.r0.path=x",
            "%ZZ",
            "r1=GET",
            "raw1.pre=70000",
            "blocks=999",
            "requests=-1",
            "b1.r1.max_age=99999999999999999999",
        ] {
            let _ = decode(q);
        }
    }

    #[test]
    fn block_order_round_trips() {
        let mut app = RailsApp::default();
        app.cors.allow[0].resource_before_origins = true;
        let s = Scenario {
            server: ServerSetup::Rails(app),
            ..Scenario::default()
        };
        let q = encode(&s, &View::default());
        assert!(q.contains("b1.order=resource-first"), "{q}");
        let back = decode(&q);
        assert!(back.notices.is_empty(), "{:?}", back.notices);
        assert_eq!(back.scenario, s);
        let bad = decode("v=1&b1.order=sideways");
        assert_eq!(bad.notices.len(), 1, "{:?}", bad.notices);
    }

    #[test]
    fn keywords_as_values_are_quoted_and_lists_keep_a_comma() {
        let mut s = Scenario::default();
        if let ServerSetup::Rails(app) = &mut s.server {
            app.session.key = Some("unset".into());
            app.session.domain = DomainOption::Exact("all".into());
            app.cors.allow[0].resources[0].headers = HeadersOption::List(vec![]);
            app.cors.allow[0].resources[0].vary = Some(vec!["unset".into()]);
        }
        let q = encode(&s, &View::default());
        assert_eq!(
            q,
            "v=1&b1.r1.headers=,&b1.r1.vary=unset,&s.key='unset'&s.domain='all'"
        );
        let back = decode(&q);
        assert!(back.notices.is_empty(), "{:?}", back.notices);
        assert_eq!(back.scenario, s);
        // A value that is itself quoted keeps its quotes.
        let d = decode("v=1&s.key=''x''&s.domain='a,b'");
        let ServerSetup::Rails(app) = &d.scenario.server else {
            panic!("rails")
        };
        assert_eq!(app.session.key.as_deref(), Some("'x'"));
        assert_eq!(app.session.domain, DomainOption::Exact("a,b".into()));
    }

    #[test]
    fn methods_and_urls_that_do_not_join_get_their_own_keys() {
        let mut s = Scenario::default();
        s.requests[0].method = "GE T".into();
        s.requests[1].url = String::new();
        let q = encode(&s, &View::default());
        assert_eq!(q, "v=1&r1.method=GE+T&r2.url=");
        assert_eq!(decode(&q).scenario, s);
    }
}
