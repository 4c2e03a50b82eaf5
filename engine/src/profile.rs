//! Browser profiles. Where browsers differ, the difference is a field here,
//! never an `if browser == ...` in the algorithms.

use serde::{Deserialize, Serialize};

/// The profiles a user can pick.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProfileId {
    /// Google Chrome with its default settings: third-party cookies allowed.
    #[default]
    Chrome,
    /// Chrome with third-party cookies blocked: Incognito, a user opt-in, and
    /// a fresh profile of Debian's Chromium 156.
    ChromeNo3pc,
    /// Firefox with standard Enhanced Tracking Protection: Total Cookie
    /// Protection (`network.cookie.cookieBehavior` 5).
    Firefox,
    /// Firefox with "All third-party cookies" blocked (Custom, cookieBehavior 1).
    FirefoxNo3pc,
    /// Firefox with cookie blocking switched off (cookieBehavior 0).
    FirefoxAllowAll,
    /// Safari with its default Intelligent Tracking Prevention.
    Safari,
    /// WebKitGTK (GNOME Web, and the MiniBrowser of Debian's
    /// `webkit2gtk-driver`) with its defaults: the cookie policy "no
    /// third-party cookies" of libsoup's jar (`WEBKIT_COOKIE_POLICY_ACCEPT_NO_THIRD_PARTY`),
    /// no Intelligent Tracking Prevention. WebCore decides as in Safari;
    /// the cookie store is libsoup's, where Safari uses CFNetwork.
    WebKitGtk,
}

impl ProfileId {
    pub const ALL: [ProfileId; 7] = [
        ProfileId::Chrome,
        ProfileId::ChromeNo3pc,
        ProfileId::Firefox,
        ProfileId::FirefoxNo3pc,
        ProfileId::FirefoxAllowAll,
        ProfileId::Safari,
        ProfileId::WebKitGtk,
    ];

    /// The profile's behaviour: the rules of its newest version.
    pub fn profile(self) -> BrowserProfile {
        BrowserProfile::of(self)
    }

    /// The newest version whose rules Crumbtrail has.
    pub fn latest(self) -> Version {
        match self.family() {
            Family::Chromium => Version::new(156, 0),
            Family::Firefox => Version::new(153, 0),
            Family::Safari => Version::new(18, 4),
            Family::WebKitGtk => Version::new(2, 50),
        }
    }

    /// The version a link without `@version` was made with: the newest one
    /// when links started to name it. Never change these.
    pub fn unpinned(self) -> Version {
        match self.family() {
            Family::Chromium => Version::new(156, 0),
            Family::Firefox => Version::new(153, 0),
            Family::Safari => Version::new(18, 4),
            Family::WebKitGtk => Version::new(2, 50),
        }
    }

    /// What picking this profile in the editor pins: nothing while the
    /// newest rules are the unpinned ones (the link stays short), else the
    /// newest version.
    pub fn pick(self) -> Option<Version> {
        (self.latest() != self.unpinned()).then_some(self.latest())
    }

    /// The oldest version whose rules are modelled (older ones read as it).
    pub fn oldest(self) -> Version {
        match self.family() {
            Family::Chromium => Version::new(113, 0),
            Family::Firefox => Version::new(115, 0),
            Family::Safari => Version::new(18, 3),
            Family::WebKitGtk => Version::new(2, 50),
        }
    }

    pub fn family(self) -> Family {
        match self {
            ProfileId::Chrome | ProfileId::ChromeNo3pc => Family::Chromium,
            ProfileId::Firefox | ProfileId::FirefoxNo3pc | ProfileId::FirefoxAllowAll => {
                Family::Firefox
            }
            ProfileId::Safari => Family::Safari,
            ProfileId::WebKitGtk => Family::WebKitGtk,
        }
    }

    /// The browser's name as its version is written ("Chrome 156").
    pub fn browser_name(self) -> &'static str {
        match self.family() {
            Family::Chromium => "Chrome",
            Family::Firefox => "Firefox",
            Family::Safari => "Safari",
            Family::WebKitGtk => "WebKitGTK",
        }
    }

    /// The rules that changed between [`ProfileId::oldest`] and
    /// [`ProfileId::latest`], oldest first.
    pub fn changes(self) -> &'static [RuleChange] {
        match self {
            ProfileId::Chrome | ProfileId::ChromeNo3pc => CHROME_CHANGES,
            ProfileId::Firefox | ProfileId::FirefoxNo3pc | ProfileId::FirefoxAllowAll => {
                FIREFOX_CHANGES
            }
            ProfileId::Safari => SAFARI_CHANGES,
            ProfileId::WebKitGtk => &[],
        }
    }

    /// The profile's behaviour in `version` (clamped to what is modelled).
    pub fn at(self, version: Version) -> BrowserProfile {
        let mut p = BrowserProfile::of(self);
        for change in self.changes().iter().rev() {
            if version < change.since {
                (change.before)(&mut p);
            }
        }
        p.version = version.clamp(self.oldest(), self.latest());
        p
    }

    /// Key used in permalinks and the CLI.
    pub fn key(self) -> &'static str {
        match self {
            ProfileId::Chrome => "chrome",
            ProfileId::ChromeNo3pc => "chrome-no3pc",
            ProfileId::Firefox => "firefox",
            ProfileId::FirefoxNo3pc => "firefox-no3pc",
            ProfileId::FirefoxAllowAll => "firefox-allow-all",
            ProfileId::Safari => "safari",
            ProfileId::WebKitGtk => "webkitgtk",
        }
    }

    pub fn from_key(key: &str) -> Option<ProfileId> {
        ProfileId::ALL.into_iter().find(|p| p.key() == key)
    }
}

/// CHIPS shipped in Chrome 114 (Chrome's CHIPS page, "Implementation
/// status"); Local Network Access in Chrome 142 (chromestatus
/// 5152728072060928), its permission split in two in Chrome 145.
const CHROME_CHANGES: &[RuleChange] = &[
    RuleChange {
        since: Version::new(114, 0),
        what: "CHIPS: `Partitioned` cookies are kept in a jar per top-level site",
        source: "https://developer.chrome.com/docs/privacy-sandbox/chips",
        before: |p| p.chips = false,
    },
    RuleChange {
        since: Version::new(133, 0),
        what: "Storage Access Headers: `Sec-Fetch-Storage-Access` on credentialed cross-site requests, `Activate-Storage-Access: retry` honoured",
        source: "https://chromestatus.com/feature/6146353156849664",
        before: |p| p.storage_access_headers = false,
    },
    RuleChange {
        since: Version::new(142, 0),
        what: "Local Network Access: a page on a public address needs the user's permission to call `localhost` or a private address",
        source: "https://chromestatus.com/feature/5152728072060928",
        before: |p| p.local_network_access = LocalNetworkAccess::NotEnforced,
    },
    RuleChange {
        since: Version::new(145, 0),
        what: "Local Network Access: the permission splits into `local-network` and `loopback-network`",
        source: "https://developer.chrome.com/blog/local-network-access",
        before: |p| p.local_network_access = LocalNetworkAccess::Permission,
    },
];

/// CHIPS on in release from Firefox 141 (`network.cookie.CHIPS.enabled`;
/// before that it was switched off again for web compatibility; bug 1865198).
const FIREFOX_CHANGES: &[RuleChange] = &[RuleChange {
    since: Version::new(141, 0),
    what:
        "CHIPS: a `Partitioned` cookie goes to the partition of the top-level site, first-party too",
    source: "https://bugzilla.mozilla.org/show_bug.cgi?id=1865198",
    before: |p| p.chips = false,
}];

/// Safari supports `Partitioned` from 18.4 (Chrome's CHIPS page lists
/// "Safari: 18.4"; released 2025-03-31).
const SAFARI_CHANGES: &[RuleChange] = &[RuleChange {
    since: Version::new(18, 4),
    what: "CHIPS: `Partitioned` cookies are kept in a jar per top-level site",
    source: "https://developer.chrome.com/docs/privacy-sandbox/chips",
    before: |p| p.chips = false,
}];

/// A browser version, e.g. `156` or `18.4`: a profile's rules are pinned to
/// one (`browser=chrome@156` in a permalink).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Version {
    pub major: u16,
    pub minor: u16,
}

impl Version {
    pub const fn new(major: u16, minor: u16) -> Version {
        Version { major, minor }
    }

    /// `156`, `18.4`; `None` for anything else.
    pub fn parse(text: &str) -> Option<Version> {
        let number = |t: &str| {
            (!t.is_empty() && t.len() <= 5 && t.bytes().all(|b| b.is_ascii_digit()))
                .then(|| t.parse::<u16>().ok())
                .flatten()
        };
        match text.split_once('.') {
            None => Some(Version::new(number(text)?, 0)),
            Some((major, minor)) => Some(Version::new(number(major)?, number(minor)?)),
        }
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.minor {
            0 => write!(f, "{}", self.major),
            minor => write!(f, "{}.{minor}", self.major),
        }
    }
}

/// A rule that changed in a browser version: the profile follows it from
/// `since` on; [`RuleChange::before`] puts back the rule of older versions.
pub struct RuleChange {
    pub since: Version,
    /// What changed, for the page ("CHIPS (`Partitioned` cookies) on").
    pub what: &'static str,
    /// Where it is documented (release notes, platform status, source).
    pub source: &'static str,
    pub before: fn(&mut BrowserProfile),
}

/// What a browser does with third-party (cross-site) cookies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ThirdPartyCookies {
    /// Sent and stored (SameSite=None; Secure still required).
    Allow,
    /// Neither sent nor stored, except `Partitioned` cookies where supported.
    Block,
    /// Kept in a separate jar per top-level site (Firefox Total Cookie Protection).
    Partition,
    /// Not stored when the cookie's domain is not under the top-level
    /// page's base domain, deletions included; cookies already in the jar
    /// still go on every request, third-party ones too. libsoup's
    /// `SOUP_COOKIE_JAR_ACCEPT_NO_THIRD_PARTY` (`soup-cookie-jar.c`,
    /// `incoming_cookie_is_third_party`, checked only in
    /// `soup_cookie_jar_add_cookie_full`), WebKitGTK's default policy.
    RejectIncoming,
}

/// How a browser reports a CORS failure to the developer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Family {
    Chromium,
    Firefox,
    Safari,
    /// WebKitGTK: WebCore as in Safari, libsoup's cookie jar.
    WebKitGtk,
}

/// How a browser with CHIPS refuses a `Partitioned` cookie that is not
/// `Secure`: when in the storage steps, and whether the developer is told.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PartitionedWithoutSecure {
    /// Chromium: while creating the cookie (`CanonicalCookie::Create`,
    /// `IsCookiePartitionedValid`), with the Domain and name-prefix checks
    /// and before the Secure-origin, HttpOnly and SameSite ones; it also
    /// needs a secure URL (https, or one the browser trusts, like
    /// localhost). The reason, `EXCLUDE_INVALID_PARTITIONED`, has no
    /// DevTools counterpart, so DevTools lists nothing: the cookie is just
    /// not there. Safari is given the same behaviour, not verified.
    SilentAtCreation,
    /// Firefox (`network.cookie.CHIPS.enabled`, on in release since
    /// Firefox 141): while parsing, right after the SameSite=None-needs-Secure
    /// check; the console logs `CookieRejectedPartitionedRequiresSecure`.
    LoggedAfterSameSiteNone,
}

/// Local Network Access: what a page on a public address needs before it may
/// reach a local or loopback address (WICG Local Network Access; the Private
/// Network Access preflights it replaced are not sent any more).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LocalNetworkAccess {
    /// Not enforced: the request goes out as any other. Firefox (its
    /// `network.lna.blocking` preference is on in Nightly only) and Safari
    /// (WebKit has the check without a prompt yet), as of 2026.
    NotEnforced,
    /// One permission, `local-network-access`, for local and loopback
    /// targets (Chrome 142 to 144).
    Permission,
    /// Two permissions: `local-network` for a private address, and
    /// `loopback-network` for this device (Chrome 145 and later).
    SplitPermissions,
}

/// How the browser answers `document.requestStorageAccess()` from a
/// cross-site frame ([`crate::storage_access`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StorageAccessRules {
    /// Chromium (`storage_access_grant_permission_context.cc`): resolves at
    /// once while third-party cookies are allowed; with them blocked, needs a
    /// user gesture and a top-level interaction with the embedded site in the
    /// last 30 days, then prompts. The grant covers the document's
    /// same-origin requests, and lasts 30 days.
    Chromium,
    /// Gecko (`Document::RequestStorageAccess`): resolves at once with
    /// cookie blocking off (cookieBehavior 0), always fails with all
    /// third-party cookies blocked (1); under Total Cookie Protection (5)
    /// needs a gesture, grants without a prompt when the user interacted with
    /// the embedded site as first party, and prompts otherwise.
    Gecko,
    /// WebKit with Intelligent Tracking Prevention (Safari,
    /// `ResourceLoadStatisticsStore::requestStorageAccess`): needs a gesture
    /// and a first-party interaction (else rejected without a prompt),
    /// prompts the first time; the grant covers every request to the
    /// embedded site under this page.
    WebKitItp,
    /// WebKit without it (WebKitGTK): resolves at once and changes nothing,
    /// since libsoup's jar applies its own policy.
    WebKitWithoutItp,
}

/// Behaviour that differs between browsers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrowserProfile {
    pub id: ProfileId,
    pub name: &'static str,
    pub family: Family,
    /// The browser version whose rules these are ([`ProfileId::at`]).
    pub version: Version,
    /// A cookie without SameSite is treated as Lax (Chrome since 80).
    pub lax_by_default: bool,
    /// Lax-allowing-unsafe: a cookie without SameSite younger than this many
    /// seconds is still sent on a cross-site top-level POST (Chrome: 120).
    pub lax_allowing_unsafe_secs: Option<u64>,
    pub third_party_cookies: ThirdPartyCookies,
    /// With [`ThirdPartyCookies::Block`]: `Partitioned` cookies are blocked
    /// too. Firefox's cookieBehavior 1 (`BEHAVIOR_REJECT_FOREIGN`) refuses
    /// every foreign cookie before looking at the attribute; Chrome's
    /// setting and Safari keep CHIPS cookies working.
    pub block_covers_partitioned: bool,
    /// `Partitioned` (CHIPS) cookies are supported.
    pub chips: bool,
    /// How a `Partitioned` cookie without `Secure` is refused (with `chips`).
    pub partitioned_without_secure: PartitionedWithoutSecure,
    /// The partition key carries Chromium's cross-site ancestor bit
    /// (`CookiePartitionKey::AncestorChainBit`) besides the top-level site,
    /// so a frame A → B → A has a partition of its own. Chrome only
    /// (Puppeteer documents `hasCrossSiteAncestor` as "supported only in
    /// Chrome"); Firefox's key marks an A → B → A frame in its own way
    /// (`foreignByAncestorContext`), which is not modelled here.
    pub partition_key_ancestor_bit: bool,
    /// http and https on the same host are different sites (Chrome: yes;
    /// Firefox backed it out; WebKit compares registrable domains only,
    /// `RegistrableDomain::matches`).
    pub schemeful_same_site: bool,
    /// A host under a suffix the Public Suffix List does not name
    /// (`app.example.test`) belongs to the site one label above the suffix,
    /// by the list's implicit `*` rule. False in WebKitGTK, whose sites come
    /// from libpsl without that rule: the whole host is the site
    /// ([`crate::site::SiteRules::implicit_star_rule`]).
    pub implicit_star_rule: bool,
    /// `http://localhost` and loopback count as secure for Secure cookies.
    pub localhost_is_secure_for_cookies: bool,
    /// An https page may call `http://localhost` and loopback addresses:
    /// they are potentially trustworthy, so not mixed content (Mixed Content
    /// §4.1, Chromium, Gecko). WebKit blocks them (`MixedContentChecker.cpp`,
    /// a deviation from the spec it states), in Safari as in WebKitGTK.
    pub mixed_content_trusts_loopback: bool,
    /// A `Domain` attribute without a dot inside it (`localhost`, `.com`)
    /// makes the cookie invalid, where 6265bis makes a Domain equal to a
    /// public-suffix host a host-only cookie. libsoup (`soup-cookie.c`,
    /// `parse_one_cookie`), so WebKitGTK only.
    pub domain_needs_embedded_dot: bool,
    /// `SameSite=None` cookies without `Secure` are rejected.
    pub none_requires_secure: bool,
    /// `Access-Control-Allow-Headers: *` still covers `Authorization`
    /// (the spec says it must not; Chromium 156 and Firefox still allow it).
    pub wildcard_covers_authorization: bool,
    /// Upper bound on `Access-Control-Max-Age`, seconds.
    pub preflight_max_age_cap: u64,
    /// CORS switched off: every cross-origin CORS response fails (Firefox's
    /// `content.cors.disable` preference, reason CORSDisabled). False in
    /// every shipped profile; a custom profile can set it.
    pub cors_disabled: bool,
    /// Local Network Access: whether a page on a public address must be
    /// allowed to call `localhost` or a private address, and how the
    /// permission is named.
    pub local_network_access: LocalNetworkAccess,
    /// How `document.requestStorageAccess()` is decided.
    pub storage_access: StorageAccessRules,
    /// Storage Access Headers: `Sec-Fetch-Storage-Access` on credentialed
    /// cross-site requests, and `Activate-Storage-Access: retry` honoured
    /// (Chrome 133, chromestatus 6146353156849664; WebKit and Gecko: none).
    pub storage_access_headers: bool,
}

impl BrowserProfile {
    /// How this browser tells sites apart.
    pub fn site_rules(&self) -> crate::site::SiteRules {
        crate::site::SiteRules {
            schemeful: self.schemeful_same_site,
            implicit_star_rule: self.implicit_star_rule,
            // WebCore's RegistrableDomain::matches, Safari and WebKitGTK.
            host_under_site: matches!(self.family, Family::Safari | Family::WebKitGtk),
        }
    }

    pub fn of(id: ProfileId) -> BrowserProfile {
        let chrome = BrowserProfile {
            id,
            name: "Chrome (default settings)",
            family: Family::Chromium,
            version: id.latest(),
            lax_by_default: true,
            lax_allowing_unsafe_secs: Some(120),
            third_party_cookies: ThirdPartyCookies::Allow,
            block_covers_partitioned: false,
            chips: true,
            partitioned_without_secure: PartitionedWithoutSecure::SilentAtCreation,
            partition_key_ancestor_bit: true,
            schemeful_same_site: true,
            implicit_star_rule: true,
            localhost_is_secure_for_cookies: true,
            mixed_content_trusts_loopback: true,
            domain_needs_embedded_dot: false,
            none_requires_secure: true,
            wildcard_covers_authorization: true,
            preflight_max_age_cap: 7200,
            cors_disabled: false,
            // Chromium's LocalNetworkAccessChecks (content/common/features.cc),
            // permissions split in two in Chrome 145 (permission_utils.cc).
            local_network_access: LocalNetworkAccess::SplitPermissions,
            storage_access: StorageAccessRules::Chromium,
            storage_access_headers: true,
        };
        match id {
            ProfileId::Chrome => chrome,
            ProfileId::ChromeNo3pc => BrowserProfile {
                name: "Chrome, third-party cookies blocked",
                third_party_cookies: ThirdPartyCookies::Block,
                ..chrome
            },
            ProfileId::Firefox | ProfileId::FirefoxNo3pc | ProfileId::FirefoxAllowAll => {
                BrowserProfile {
                    id,
                    name: match id {
                        ProfileId::FirefoxNo3pc => "Firefox, all third-party cookies blocked",
                        ProfileId::FirefoxAllowAll => "Firefox, cookie blocking off",
                        _ => "Firefox (standard tracking protection)",
                    },
                    family: Family::Firefox,
                    version: id.latest(),
                    lax_by_default: false,
                    lax_allowing_unsafe_secs: None,
                    // network.cookie.cookieBehavior: 5 (the default, Total Cookie
                    // Protection), 1 (reject foreign), 0 (accept all).
                    third_party_cookies: match id {
                        ProfileId::FirefoxNo3pc => ThirdPartyCookies::Block,
                        ProfileId::FirefoxAllowAll => ThirdPartyCookies::Allow,
                        _ => ThirdPartyCookies::Partition,
                    },
                    block_covers_partitioned: true,
                    // CHIPS on since Firefox 141, and a `Partitioned` cookie goes to
                    // the partition of the top-level site "independent of context",
                    // first-party too (`CookieCommons::CreateCookieFromDocument` and
                    // `CookieService::SetCookieStringFromHttp`, netwerk/cookie/).
                    // Seen in Firefox ESR 153 (tests/live_differential.rs, flows `tcp-*`).
                    chips: true,
                    partitioned_without_secure: PartitionedWithoutSecure::LoggedAfterSameSiteNone,
                    partition_key_ancestor_bit: false,
                    schemeful_same_site: false,
                    implicit_star_rule: true,
                    localhost_is_secure_for_cookies: true,
                    mixed_content_trusts_loopback: true,
                    domain_needs_embedded_dot: false,
                    none_requires_secure: true,
                    wildcard_covers_authorization: true,
                    preflight_max_age_cap: 86400,
                    cors_disabled: false,
                    // modules/libpref/init/StaticPrefList.yaml: network.lna.blocking
                    // is on in Nightly only.
                    local_network_access: LocalNetworkAccess::NotEnforced,
                    storage_access: StorageAccessRules::Gecko,
                    storage_access_headers: false,
                }
            }
            ProfileId::Safari => BrowserProfile {
                id,
                name: "Safari (default tracking prevention)",
                family: Family::Safari,
                version: id.latest(),
                lax_by_default: false,
                lax_allowing_unsafe_secs: None,
                third_party_cookies: ThirdPartyCookies::Block,
                block_covers_partitioned: false,
                chips: true,
                partitioned_without_secure: PartitionedWithoutSecure::SilentAtCreation,
                partition_key_ancestor_bit: false,
                // WebCore's same-site test compares registrable domains only
                // (`RegistrableDomain::matches`; FrameLoader's
                // `addSameSiteInfoToRequestIfNeeded`), shared with WebKitGTK.
                schemeful_same_site: false,
                implicit_star_rule: true,
                localhost_is_secure_for_cookies: false,
                // WebCore's MixedContentChecker, shared with WebKitGTK.
                mixed_content_trusts_loopback: false,
                domain_needs_embedded_dot: false,
                none_requires_secure: true,
                // WebCore's CrossOriginPreflightResultCache.cpp
                // (`validateCrossOriginHeaders`): `*` covers every header when
                // credentials are not included, `Authorization` too.
                wildcard_covers_authorization: true,
                preflight_max_age_cap: 600,
                cors_disabled: false,
                local_network_access: LocalNetworkAccess::NotEnforced,
                storage_access: StorageAccessRules::WebKitItp,
                storage_access_headers: false,
            },
            ProfileId::WebKitGtk => BrowserProfile {
                id,
                name: "WebKitGTK (GNOME Web defaults)",
                family: Family::WebKitGtk,
                version: id.latest(),
                // libsoup 3.2 (Debian 12's, under WebKitGTK 2.50): a cookie
                // without SameSite is None (`parse_one_cookie`); libsoup 3.4
                // made it Lax (commit efc5efba).
                lax_by_default: false,
                lax_allowing_unsafe_secs: None,
                third_party_cookies: ThirdPartyCookies::RejectIncoming,
                block_covers_partitioned: true,
                chips: false,
                partitioned_without_secure: PartitionedWithoutSecure::SilentAtCreation,
                partition_key_ancestor_bit: false,
                // WebCore compares registrable domains, never schemes
                // (`RegistrableDomain::matches`), from libpsl without its star rule.
                schemeful_same_site: false,
                implicit_star_rule: false,
                // libsoup: `Secure` needs https (`soup_uri_is_https`), localhost too.
                localhost_is_secure_for_cookies: false,
                mixed_content_trusts_loopback: false,
                domain_needs_embedded_dot: true,
                // libsoup 3.2 keeps `SameSite=None` without `Secure` (3.6 drops it).
                none_requires_secure: false,
                wildcard_covers_authorization: true,
                preflight_max_age_cap: 600,
                cors_disabled: false,
                local_network_access: LocalNetworkAccess::NotEnforced,
                storage_access: StorageAccessRules::WebKitWithoutItp,
                storage_access_headers: false,
            },
        }
    }
}
