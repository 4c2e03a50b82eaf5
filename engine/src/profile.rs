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
    /// Firefox with standard Enhanced Tracking Protection.
    Firefox,
    /// Safari with its default Intelligent Tracking Prevention.
    Safari,
}

impl ProfileId {
    pub const ALL: [ProfileId; 4] = [
        ProfileId::Chrome,
        ProfileId::ChromeNo3pc,
        ProfileId::Firefox,
        ProfileId::Safari,
    ];

    /// The profile's behaviour.
    pub fn profile(self) -> BrowserProfile {
        BrowserProfile::of(self)
    }

    /// Key used in permalinks and the CLI.
    pub fn key(self) -> &'static str {
        match self {
            ProfileId::Chrome => "chrome",
            ProfileId::ChromeNo3pc => "chrome-no3pc",
            ProfileId::Firefox => "firefox",
            ProfileId::Safari => "safari",
        }
    }

    pub fn from_key(key: &str) -> Option<ProfileId> {
        ProfileId::ALL.into_iter().find(|p| p.key() == key)
    }
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
}

/// How a browser reports a CORS failure to the developer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Family {
    Chromium,
    Firefox,
    Safari,
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

/// Behaviour that differs between browsers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrowserProfile {
    pub id: ProfileId,
    pub name: &'static str,
    pub family: Family,
    /// A cookie without SameSite is treated as Lax (Chrome since 80).
    pub lax_by_default: bool,
    /// Lax-allowing-unsafe: a cookie without SameSite younger than this many
    /// seconds is still sent on a cross-site top-level POST (Chrome: 120).
    pub lax_allowing_unsafe_secs: Option<u64>,
    pub third_party_cookies: ThirdPartyCookies,
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
    /// Firefox backed it out).
    pub schemeful_same_site: bool,
    /// `http://localhost` and loopback count as secure for Secure cookies.
    pub localhost_is_secure_for_cookies: bool,
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
}

impl BrowserProfile {
    pub fn of(id: ProfileId) -> BrowserProfile {
        let chrome = BrowserProfile {
            id,
            name: "Chrome (default settings)",
            family: Family::Chromium,
            lax_by_default: true,
            lax_allowing_unsafe_secs: Some(120),
            third_party_cookies: ThirdPartyCookies::Allow,
            chips: true,
            partitioned_without_secure: PartitionedWithoutSecure::SilentAtCreation,
            partition_key_ancestor_bit: true,
            schemeful_same_site: true,
            localhost_is_secure_for_cookies: true,
            none_requires_secure: true,
            wildcard_covers_authorization: true,
            preflight_max_age_cap: 7200,
            cors_disabled: false,
        };
        match id {
            ProfileId::Chrome => chrome,
            ProfileId::ChromeNo3pc => BrowserProfile {
                name: "Chrome, third-party cookies blocked",
                third_party_cookies: ThirdPartyCookies::Block,
                ..chrome
            },
            ProfileId::Firefox => BrowserProfile {
                id,
                name: "Firefox (standard tracking protection)",
                family: Family::Firefox,
                lax_by_default: false,
                lax_allowing_unsafe_secs: None,
                third_party_cookies: ThirdPartyCookies::Partition,
                // CHIPS on since Firefox 141, and a `Partitioned` cookie goes to
                // the partition of the top-level site "independent of context",
                // first-party too (`CookieCommons::CreateCookieFromDocument` and
                // `CookieService::SetCookieStringFromHttp`, netwerk/cookie/).
                // Seen in Firefox ESR 153 (tests/live_differential.rs, flows `tcp/…`).
                chips: true,
                partitioned_without_secure: PartitionedWithoutSecure::LoggedAfterSameSiteNone,
                partition_key_ancestor_bit: false,
                schemeful_same_site: false,
                localhost_is_secure_for_cookies: true,
                none_requires_secure: true,
                wildcard_covers_authorization: true,
                preflight_max_age_cap: 86400,
                cors_disabled: false,
            },
            ProfileId::Safari => BrowserProfile {
                id,
                name: "Safari (default tracking prevention)",
                family: Family::Safari,
                lax_by_default: false,
                lax_allowing_unsafe_secs: None,
                third_party_cookies: ThirdPartyCookies::Block,
                chips: true,
                partitioned_without_secure: PartitionedWithoutSecure::SilentAtCreation,
                partition_key_ancestor_bit: false,
                schemeful_same_site: true,
                localhost_is_secure_for_cookies: false,
                none_requires_secure: true,
                wildcard_covers_authorization: false,
                preflight_max_age_cap: 600,
                cors_disabled: false,
            },
        }
    }
}
