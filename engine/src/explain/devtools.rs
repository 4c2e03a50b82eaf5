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

/// Adds "Chrome DevTools" to every blocked cookie step of a Chromium profile.
pub fn annotate(steps: &mut [Step], profile: &BrowserProfile) {
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
