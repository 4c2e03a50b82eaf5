//! What Chrome's DevTools says about a blocked cookie: the Network panel's
//! cookie tooltip and the Issues panel are keyed by the DevTools Protocol's
//! `Network.CookieBlockedReason` (a cookie not sent) and
//! `Network.SetCookieBlockedReason` (a Set-Cookie not stored), in
//! `third_party/blink/public/devtools_protocol/browser_protocol.pdl`.
//! Each step a Chromium profile blocks a cookie with gets that name as a
//! value, so a user can match it with their own DevTools; so does a request
//! Local Network Access stopped (`Network.CorsError`).

use crate::profile::{BrowserProfile, Family};
use crate::trace::{Reason, Step, Value, Verdict};

/// The DevTools Protocol's name for a cookie the engine blocked, if it has
/// one. (Chromium reports a SameSite exclusion that only the scheme causes
/// as `Schemeful…`; the plain names are given here.)
pub fn devtools_name(reason: Reason) -> Option<&'static str> {
    use Reason::*;
    Some(match reason {
        // Network.CookieBlockedReason: not sent.
        ExcludeSecureOnly => "SecureOnly",
        ExcludeNotOnPath => "NotOnPath",
        ExcludeDomainMismatch => "DomainMismatch",
        ExcludeSameSiteStrict => "SameSiteStrict",
        ExcludeSameSiteLax => "SameSiteLax",
        ExcludeSameSiteUnspecifiedTreatedAsLax => "SameSiteUnspecifiedTreatedAsLax",
        ExcludeSameSiteNoneInsecure | ExcludeSameSiteNoneInsecureSet => "SameSiteNoneInsecure",
        // Third-party cookies blocked by the user's setting (Incognito,
        // "Block third-party cookies"), not sent and not stored.
        ExcludeUserPreferences | ExcludeThirdPartyBlocked => "UserPreferences",
        // Network.SetCookieBlockedReason: not stored.
        ExcludeSecureFromInsecure => "SecureOnly",
        ExcludeFailureToStore => "SyntaxError",
        UnsupportedScheme => "SchemeNotSupported",
        ExcludeOverwriteSecure => "OverwriteSecure",
        ExcludeInvalidDomain => "InvalidDomain",
        ExcludeInvalidPrefix => "InvalidPrefix",
        ExcludeNameValuePairExceedsMaxSize => "NameValuePairExceedsMaxSize",
        ExcludeDisallowedCharacter => "DisallowedCharacter",
        ExcludeNoCookieContent => "NoCookieContent",
        // Network.CorsError of a request Local Network Access stopped.
        LocalNetworkPermissionDenied => "LocalNetworkAccessPermissionDenied",
        LocalNetworkInsecureContext => "InsecureLocalNetwork",
        LocalNetworkInconsistentSpace => "InvalidLocalNetworkAccess",
        _ => return None,
    })
}

/// What Firefox's web console says about a third-party cookie: the message
/// key and its text (`netwerk/locales/en-US/necko.properties`; MDN's Storage
/// Access Policy errors), `X` standing for the URL.
pub fn firefox_console(reason: Reason, profile: &BrowserProfile) -> Option<&'static str> {
    use crate::profile::ThirdPartyCookies;
    Some(match reason {
        Reason::ExcludeUserPreferences | Reason::ExcludeThirdPartyBlocked => {
            "CookieBlockedForeign: Request to access cookies or storage on \u{201c}X\u{201d} was blocked because we are blocking all third-party storage access requests and content blocking is enabled."
        }
        Reason::StoredPartitioned
            if profile.third_party_cookies == ThirdPartyCookies::Partition =>
        {
            "CookiePartitionedForeign2: Partitioned cookie or storage access was provided to \u{201c}X\u{201d} because it is loaded in the third-party context and dynamic state partitioning is enabled."
        }
        Reason::StorageAccessGranted | Reason::StorageAccessAutoGranted => {
            "CookieAllowedForOriginByStorageAccessAPI: Storage access granted for origin \u{201c}X\u{201d} on \u{201c}top-level page\u{201d}."
        }
        _ => return None,
    })
}

/// Adds "Chrome DevTools" to every blocked cookie step of a Chromium
/// profile, and "Firefox console" to the third-party cookie steps of a
/// Firefox one.
pub fn annotate(steps: &mut [Step], profile: &BrowserProfile) {
    if profile.family == Family::Firefox {
        for step in steps.iter_mut() {
            if let Some(message) = firefox_console(step.reason, profile) {
                step.values.push(Value {
                    label: "Firefox console".into(),
                    value: message.into(),
                });
            }
        }
        return;
    }
    if profile.family != Family::Chromium {
        return;
    }
    for step in steps.iter_mut() {
        if step.verdict != Verdict::Blocked {
            continue;
        }
        if let Some(name) = devtools_name(step.reason) {
            step.values.push(Value {
                label: "Chrome DevTools".into(),
                value: name.into(),
            });
        }
    }
}
