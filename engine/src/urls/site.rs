//! Sites (HTML §Sites): the scheme plus the registrable domain from the
//! Public Suffix List, or the whole host when there is none (IP addresses,
//! `localhost`). Ports never matter.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

use url::{Host, Url};

use crate::origin::host_string;

/// HTML §Sites: a scheme-and-host. `host` is the registrable domain when
/// the host has one, otherwise the host itself.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Site {
    pub scheme: String,
    pub host: String,
}

impl fmt::Display for Site {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://{}", self.scheme, self.host)
    }
}

/// HTML §"obtain a site": scheme and registrable domain (or host).
pub fn site_of(url: &Url) -> Site {
    Site {
        scheme: url.scheme().to_string(),
        host: site_host(url).into_owned(),
    }
}

/// The host part of [`site_of`], borrowed from the URL when it can be (the
/// parser already lower-cased the domain), so comparing sites allocates
/// nothing in the common case.
fn site_host(url: &Url) -> Cow<'_, str> {
    match url.host() {
        Some(Host::Domain(d)) => {
            let trimmed = d.trim_end_matches('.');
            if trimmed.bytes().any(|b| b.is_ascii_uppercase()) {
                // Not produced by the URL parser; take the general path.
                return Cow::Owned(registrable_domain(d).unwrap_or_else(|| d.to_string()));
            }
            Cow::Borrowed(registrable_domain_of(trimmed).unwrap_or(d))
        }
        Some(h) => Cow::Owned(host_string(&h)),
        None => Cow::Borrowed(""),
    }
}

/// [`registrable_domain`] of an already lower-cased host without trailing
/// dot, as a slice of it.
fn registrable_domain_of(host: &str) -> Option<&str> {
    if host.is_empty() || host.starts_with('[') || host.parse::<std::net::Ipv4Addr>().is_ok() {
        return None;
    }
    let keep = with_labels(host, |labels| {
        let suffix = public_suffix_labels(labels);
        // A public suffix itself (and a lone unknown label, the implicit `*`
        // rule: `localhost`) has no registrable domain; nor has a name with
        // an empty label (`a..com`).
        if labels.len() <= suffix || labels[..=suffix].iter().any(|l| l.is_empty()) {
            return None;
        }
        Some(labels[..=suffix].iter().map(|l| l.len() + 1).sum::<usize>() - 1)
    })?;
    host.get(host.len() - keep..)
}

/// Calls `f` with the host's labels, top-level domain first, without
/// allocating for the usual short names (this runs for every site check).
fn with_labels<T>(host: &str, f: impl FnOnce(&[&str]) -> T) -> T {
    let mut buf = [""; 16];
    let mut n = 0;
    for label in host.rsplit('.') {
        if n == buf.len() {
            let all: Vec<&str> = host.rsplit('.').collect();
            return f(&all);
        }
        buf[n] = label;
        n += 1;
    }
    f(&buf[..n])
}

/// URL Standard §Host "registrable domain": the public suffix plus one label,
/// from the Public Suffix List (ICANN and private sections). `None` for IP
/// addresses, for a public suffix itself (`co.uk`, `github.io`) and for
/// single-label hosts that are not on the list (`localhost`).
pub fn registrable_domain(host: &str) -> Option<String> {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    registrable_domain_of(&host).map(str::to_string)
}

/// True when `domain` is a public suffix (`com`, `co.uk`, `github.io`) or an
/// unknown single label (the PSL's implicit `*` rule) — cookies may not be
/// scoped to it (RFC 6265bis §5.7 step 9).
pub fn is_public_suffix(domain: &str) -> bool {
    let d = domain.trim_end_matches('.').to_ascii_lowercase();
    if d.is_empty() || d.parse::<std::net::Ipv4Addr>().is_ok() || d.starts_with('[') {
        return false;
    }
    with_labels(&d, |labels| public_suffix_labels(labels) == labels.len())
}

/// publicsuffix.org/list "Algorithm": how many labels (counted from the
/// right; `labels` is in reverse order, top-level domain first) form the
/// public suffix of a domain.
fn public_suffix_labels(labels: &[&str]) -> usize {
    // Step 2: when no rule matches, the prevailing rule is `*`: one label.
    let mut longest = 1;
    let mut exception = None;
    walk(suffix_trie(), labels, 0, &mut longest, &mut exception);
    // Steps 3-4: an exception rule prevails over every other rule; its
    // public suffix is the rule without its leftmost label.
    exception.unwrap_or(longest).min(labels.len())
}

/// Step 1: every rule that matches. `node` matched `labels[..depth]`; a `*`
/// label matches any one label.
fn walk(
    node: &SuffixNode,
    labels: &[&str],
    depth: usize,
    longest: &mut usize,
    exception: &mut Option<usize>,
) {
    let Some(label) = labels.get(depth) else {
        return;
    };
    if node.children.is_empty() {
        return;
    }
    if let Some(child) = node.children.get(label) {
        if child.exception {
            *exception = Some(exception.map_or(depth, |e: usize| e.max(depth)));
        }
        if child.rule {
            *longest = (*longest).max(depth + 1);
        }
        walk(child, labels, depth + 1, longest, exception);
    }
    if let Some(child) = node.children.get("*") {
        if child.rule {
            *longest = (*longest).max(depth + 1);
        }
        walk(child, labels, depth + 1, longest, exception);
    }
}

/// One label of the Public Suffix List, as a trie keyed from the top-level
/// domain down. Labels borrow from the embedded list: no copies.
#[derive(Default)]
struct SuffixNode {
    /// A rule ends here (`co.uk`).
    rule: bool,
    /// An exception rule ends here (`!www.ck`).
    exception: bool,
    children: HashMap<&'static str, SuffixNode>,
}

/// The list, compiled by `build.rs` into a compact trie text and read on
/// first use (about a millisecond), then shared.
fn suffix_trie() -> &'static SuffixNode {
    static TRIE: OnceLock<SuffixNode> = OnceLock::new();
    TRIE.get_or_init(|| {
        let text: &'static str = include_str!(concat!(env!("OUT_DIR"), "/public_suffix_trie.txt"));
        let mut root = SuffixNode::default();
        let rest = read_children(&mut root, text);
        debug_assert!(rest.is_empty(), "trailing text in the compiled suffix list");
        root
    })
}

/// Reads `label[?][(children)]` entries separated by commas into `parent`,
/// up to an unmatched `)` or the end; returns the text after them.
fn read_children(parent: &mut SuffixNode, mut text: &'static str) -> &'static str {
    loop {
        let end = text.find([',', '(', ')']).unwrap_or(text.len());
        let (mut label, tail) = text.split_at(end);
        text = tail;
        let exception = label.starts_with('!');
        let internal = label.ends_with('?');
        label = label.trim_start_matches('!').trim_end_matches('?');
        let node = parent.children.entry(label).or_default();
        if exception {
            node.exception = true;
        } else {
            node.rule |= !internal;
        }
        if let Some(inner) = text.strip_prefix('(') {
            text = read_children(node, inner);
            text = text.strip_prefix(')').unwrap_or(text);
        }
        match text.strip_prefix(',') {
            Some(next) => text = next,
            None => return text,
        }
    }
}

/// How a browser tells sites apart, where browsers differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SiteRules {
    /// http and https on the same host are different sites.
    pub schemeful: bool,
    /// A host under a suffix the Public Suffix List does not name (`test`,
    /// `localhost`, `internal`) has the list's implicit `*` rule: the suffix
    /// is one label and `app.example.test` belongs to the site `example.test`
    /// (publicsuffix.org "Algorithm" step 2; Chromium, Gecko). False: the
    /// whole host is the site, as libpsl answers without the star rule
    /// (`PSL_TYPE_NO_STAR_RULE`), which WebKitGTK uses for WebCore's
    /// `RegistrableDomain` (`PublicSuffixSoup.cpp`,
    /// `topPrivatelyControlledDomain` returns nothing, then the host is used).
    pub implicit_star_rule: bool,
    /// WebKit: a URL is same-site with a document when its host is the
    /// document's registrable domain or a name under it
    /// (`RegistrableDomain::matches`: `host == domain` or
    /// `host.endsWith("." + domain)`). One-way: `localhost` → `api.localhost`
    /// is same-site, `api.localhost` → `localhost` is not (seen in WebKitGTK
    /// 2.50.6, tests/live_differential.rs).
    pub host_under_site: bool,
}

impl SiteRules {
    /// HTML's definition, as Chromium implements it.
    pub const HTML: SiteRules = SiteRules {
        schemeful: true,
        implicit_star_rule: true,
        host_under_site: false,
    };
}

/// HTML §"same site": schemelessly same site (same registrable domain, or
/// same host when there is none) and, when `rules.schemeful`, the same
/// scheme. Ports never matter: `localhost:3000` and `localhost:3001` are
/// same-site. `a` is the document (the site for cookies, the initiator),
/// `b` the URL compared with it, which matters only with
/// [`SiteRules::host_under_site`].
pub fn same_site(a: &Url, b: &Url, rules: SiteRules) -> bool {
    if rules.schemeful && a.scheme() != b.scheme() {
        return false;
    }
    fn site(u: &Url, star: bool) -> Cow<'_, str> {
        if star {
            site_host(u)
        } else {
            Cow::Owned(listed_site_host(u))
        }
    }
    let star = rules.implicit_star_rule;
    let domain = site(a, star);
    if rules.host_under_site {
        let host = match b.host() {
            Some(Host::Domain(d)) => d.trim_end_matches('.').to_ascii_lowercase(),
            Some(h) => host_string(&h),
            None => String::new(),
        };
        return host == domain
            || host
                .strip_suffix(domain.as_ref())
                .is_some_and(|rest| rest.ends_with('.'));
    }
    domain == site(b, star)
}

/// The site's host when only the rules the list names count (no implicit
/// `*`): the registrable domain under a listed suffix, else the whole host.
pub fn listed_site_host(url: &Url) -> String {
    match url.host() {
        Some(Host::Domain(d)) => {
            listed_base_domain(d).unwrap_or_else(|| d.trim_end_matches('.').to_ascii_lowercase())
        }
        Some(h) => host_string(&h),
        None => String::new(),
    }
}

/// libpsl's `psl_registrable_domain` with `PSL_TYPE_NO_STAR_RULE`, as
/// libsoup's `soup_tld_get_base_domain` asks it: the registrable domain
/// when a rule of the list matches the host's suffix, `None` otherwise
/// (`SOUP_TLD_ERROR_NO_BASE_DOMAIN`), for IP addresses, and for a public
/// suffix itself.
pub fn listed_base_domain(host: &str) -> Option<String> {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    if host.is_empty() || host.starts_with('[') || host.parse::<std::net::Ipv4Addr>().is_ok() {
        return None;
    }
    let top = host.rsplit('.').next()?;
    // Without the star rule, an unlisted top-level label matches no rule.
    if !suffix_trie().children.contains_key(top) {
        return None;
    }
    registrable_domain_of(&host).map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn borrowed_site_host_matches_registrable_domain() {
        for h in [
            "http://a.b.example.co.uk/",
            "http://localhost:3000/",
            "http://example.com./",
            "http://foo.github.io/",
            "http://co.uk/",
            "http://127.0.0.1/",
            "http://[::1]/",
            "http://app.localhost/",
            "http://x.unknowntld/",
        ] {
            let url = u(h);
            let expected = match url.host() {
                Some(Host::Domain(d)) => registrable_domain(d).unwrap_or_else(|| d.to_string()),
                Some(other) => host_string(&other),
                None => String::new(),
            };
            assert_eq!(site_host(&url), expected, "{h}");
        }
    }

    #[test]
    fn registrable_domains_follow_the_public_suffix_list() {
        let cases = [
            ("app.example.com", Some("example.com")),
            ("a.b.example.co.uk", Some("example.co.uk")),
            ("foo.github.io", Some("foo.github.io")), // github.io is a private-section suffix
            ("github.io", None),
            ("co.uk", None),
            ("localhost", None),
            ("api.localhost", Some("api.localhost")), // Chromium: app.localhost / api.localhost are different sites
            ("127.0.0.1", None),
            ("example.test", Some("example.test")),
        ];
        for (host, want) in cases {
            assert_eq!(registrable_domain(host).as_deref(), want, "{host}");
        }
    }

    #[test]
    fn public_suffixes() {
        for d in ["com", "co.uk", "github.io", "localhost", "test"] {
            assert!(is_public_suffix(d), "{d}");
        }
        for d in ["example.com", "foo.co.uk", "127.0.0.1", "api.localhost"] {
            assert!(!is_public_suffix(d), "{d}");
        }
    }

    #[test]
    fn same_site_cases_seen_in_chromium() {
        // Observed in headless Chromium 156 (domain notes §G).
        let cases = [
            ("http://localhost:3000", "http://localhost:3001", true),
            ("http://app.example.test", "http://api.example.test", true),
            ("http://app.localhost", "http://api.localhost", false),
            ("http://localhost:3000", "http://127.0.0.1:3001", false),
            ("http://example.test", "https://example.test", false),
            ("https://a.example.co.uk", "https://b.example.co.uk", true),
            ("https://a.github.io", "https://b.github.io", false),
        ];
        for (a, b, want) in cases {
            assert_eq!(same_site(&u(a), &u(b), SiteRules::HTML), want, "{a} vs {b}");
        }
        // Schemeless (Firefox backed schemeful same-site out).
        assert!(same_site(
            &u("http://example.test"),
            &u("https://example.test"),
            SiteRules {
                schemeful: false,
                implicit_star_rule: true,
                host_under_site: false,
            }
        ));
    }

    #[test]
    fn without_the_star_rule_an_unlisted_suffix_leaves_the_whole_host() {
        // WebKitGTK: WebCore's RegistrableDomain from libpsl without the
        // star rule (PublicSuffixSoup.cpp); listed suffixes work as usual.
        let webkitgtk = SiteRules {
            schemeful: false,
            implicit_star_rule: false,
            host_under_site: true,
        };
        let cases = [
            ("http://app.example.test", "http://api.example.test", false),
            (
                "http://app.example.test",
                "http://app.example.test:8080",
                true,
            ),
            ("https://a.example.co.uk", "https://b.example.co.uk", true),
            ("https://a.example.com", "http://b.example.com", true),
            ("https://a.github.io", "https://b.github.io", false),
            ("http://localhost:3000", "http://localhost:3001", true),
            ("http://app.localhost", "http://localhost", false),
            // One way only (RegistrableDomain::matches).
            ("http://localhost", "http://api.localhost", true),
            ("http://a.localhost", "http://b.localhost", false),
            ("http://localhost", "http://127.0.0.1", false),
        ];
        for (a, b, want) in cases {
            assert_eq!(same_site(&u(a), &u(b), webkitgtk), want, "{a} vs {b}");
        }
        assert_eq!(listed_base_domain("api.example.test"), None);
        assert_eq!(
            listed_base_domain("api.example.com").as_deref(),
            Some("example.com")
        );
        assert_eq!(listed_base_domain("com"), None);
        assert_eq!(listed_base_domain("127.0.0.1"), None);
    }
}
