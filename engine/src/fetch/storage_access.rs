//! The Storage Access API (privacycg/storage-access, to be merged into
//! HTML): a page in a cross-site iframe calls `document.requestStorageAccess()`
//! to get its unpartitioned cookies back. The spec leaves the decision to the
//! browser; each one decides in its own way
//! ([`crate::profile::StorageAccessRules`]):
//!
//! - Chromium: `storage_access_grant_permission_context.cc`
//!   (`DecidePermission`, `CheckForAutoGrantOrAutoDenial`) and Blink's
//!   `document_storage_access.cc`;
//! - Gecko: `Document::RequestStorageAccess` and
//!   `AutomaticStorageAccessPermissionCanBeGranted` (dom/base/Document.cpp),
//!   `StorageAccessAPIHelper.cpp`;
//! - WebKit: `ResourceLoadStatisticsStore::requestStorageAccess` (with ITP),
//!   `NetworkConnectionToWebProcess::requestStorageAccess` (without).
//!
//! A grant lifts only the third-party cookie block: SameSite still applies,
//! so only `SameSite=None; Secure` cookies go with the frame's requests.

use url::Url;

use crate::origin::{is_potentially_trustworthy, Origin};
use crate::profile::{BrowserProfile, StorageAccessRules, ThirdPartyCookies};
use crate::scenario::{PermissionState, StorageAccessCall, StorageAccessSetup};
use crate::site::{same_site, site_of};
use crate::spec;
use crate::trace::{Phase, Reason, Step, Verdict};

/// The document's storage access once the call settled: which requests it
/// covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StorageAccess {
    /// The framed document's origin.
    pub origin: Origin,
    /// The framed document's URL.
    pub document: Url,
    /// WebKit's scope: every request to the embedded site under this page
    /// (WebKit blog "Storage Access API"); otherwise only the document's
    /// same-origin requests without a cross-origin redirect (the spec,
    /// Chromium, Gecko).
    pub whole_site: bool,
}

impl StorageAccess {
    /// The request (its URL list so far) from `page` is covered by the grant.
    pub fn covers(&self, page: &Url, url_list: &[Url]) -> bool {
        if Origin::of(page) != self.origin {
            return false;
        }
        if self.whole_site {
            let rules = crate::site::SiteRules::HTML;
            return url_list
                .last()
                .is_some_and(|u| same_site(u, &self.document, rules));
        }
        url_list.iter().all(|u| Origin::of(u) == self.origin)
    }
}

/// What the call does, for the trace.
struct Decision {
    verdict: Verdict,
    reason: Reason,
    title: String,
    text: String,
    /// The document has storage access afterwards.
    active: bool,
}

/// Storage Access API §"The requestStorageAccess() method", the browser's
/// own steps included: the step for the trace, and the access the framed
/// page has afterwards. `None` when the page does not call it.
pub fn request_storage_access(
    page: &Url,
    top: Option<&Url>,
    setup: &StorageAccessSetup,
    profile: &BrowserProfile,
) -> Option<(Step, Option<StorageAccess>)> {
    if setup.call == StorageAccessCall::None {
        return None;
    }
    let d = decide(page, top, setup, profile);
    let access = d.active.then(|| StorageAccess {
        origin: Origin::of(page),
        document: page.clone(),
        whole_site: profile.storage_access == StorageAccessRules::WebKitItp,
    });
    let mut step = Step::new(
        None,
        Phase::Setup,
        d.verdict,
        d.reason,
        d.title,
        d.text,
        spec::STORAGE_ACCESS,
    )
    .with("Frame", page.as_str());
    if let Some(top) = top {
        step = step.with("Top-level page", top.as_str());
    }
    Some((step, access))
}

fn decide(
    page: &Url,
    top: Option<&Url>,
    setup: &StorageAccessSetup,
    profile: &BrowserProfile,
) -> Decision {
    let name = profile.name;
    let embedded = site_of(page);
    let ok = |reason, title: &str, text: String, active| Decision {
        verdict: Verdict::Ok,
        reason,
        title: title.to_string(),
        text,
        active,
    };
    let refused = |reason, title: &str, text: String| Decision {
        verdict: Verdict::Blocked,
        reason,
        title: title.to_string(),
        text,
        active: false,
    };
    // Steps 1–6 (the spec): a top-level page, or a frame on the same site,
    // has access already.
    let Some(top) = top else {
        return ok(
            Reason::StorageAccessNotNeeded,
            "requestStorageAccess(): not needed at the top level",
            "The page is the top-level document, so its cookies are first-party: `document.requestStorageAccess()` resolves and changes nothing. It is for a page inside a cross-site iframe.".into(),
            false,
        );
    };
    let top_site = site_of(top);
    if same_site(top, page, profile.site_rules()) {
        return ok(
            Reason::StorageAccessNotNeeded,
            "requestStorageAccess(): not needed in a same-site frame",
            format!("The frame and the top-level page are both on {top_site}, so the frame's cookies are not third-party: the call resolves and changes nothing."),
            false,
        );
    }
    // Step 2: a secure context only.
    if !is_potentially_trustworthy(page) {
        return refused(
            Reason::StorageAccessInsecureContext,
            "requestStorageAccess() rejected: the frame is not a secure context",
            format!("The frame `{page}` is plain http, and the Storage Access API exists only in secure contexts, so the promise rejects with `NotAllowedError` and the frame keeps no cookies of its own under {top_site}. Serve the embedded page over https."),
        );
    }
    let gesture = setup.call == StorageAccessCall::OnClick;
    let gesture_message = match profile.storage_access {
        StorageAccessRules::Chromium => "\"requestStorageAccess: Must be handling a user gesture to use.\"",
        StorageAccessRules::Gecko => "\"document.requestStorageAccess() may only be requested from inside a short running user-generated event handler.\"",
        _ => "no message",
    };
    match profile.storage_access {
        StorageAccessRules::Chromium | StorageAccessRules::Gecko
            if profile.third_party_cookies == ThirdPartyCookies::Allow =>
        {
            // Chromium `DecidePermission`: third-party cookies allowed →
            // granted without a gesture or a prompt; Gecko cookieBehavior 0.
            return ok(
                Reason::StorageAccessAlreadyAllowed,
                "requestStorageAccess() resolves at once: third-party cookies are allowed",
                format!("{name} allows third-party cookies, so the promise resolves at once, without a prompt, and `hasStorageAccess()` is already true: the frame's `SameSite=None; Secure` cookies go anyway. Keep the call: it is what makes the widget work for users who block third-party cookies (Incognito, Safari, Firefox)."),
                false,
            );
        }
        StorageAccessRules::Gecko if profile.third_party_cookies == ThirdPartyCookies::Block => {
            // Gecko `CheckBrowserSettingsDecidesStorageAccessAPI`: with
            // cookieBehavior 1 a third-party frame never gets access.
            return refused(
                Reason::StorageAccessUnavailable,
                "requestStorageAccess() rejected: all third-party cookies are blocked",
                format!("{name} rejects every storage access request from a third-party frame (cookieBehavior 1, `BEHAVIOR_REJECT_FOREIGN`): the promise rejects and no prompt is shown. Only the user's setting changes this; the widget must work without its cookies there (or open the embedded site in a top-level window or popup)."),
            );
        }
        StorageAccessRules::WebKitWithoutItp => {
            // NetworkConnectionToWebProcess::requestStorageAccess without
            // resource load statistics: granted, but libsoup's jar keeps its
            // own third-party policy.
            return Decision {
                verdict: Verdict::Warning,
                reason: Reason::StorageAccessNoEffect,
                title: "requestStorageAccess() resolves, and changes nothing".into(),
                text: format!("{name} has no tracking prevention, so the promise resolves at once, without a prompt. But its cookie store (libsoup) still refuses to store cookies from a response outside the top-level page's domain, grant or not; cookies already in the jar are sent anyway. The widget's login must happen in a top-level window of its own site."),
                active: false,
            };
        }
        _ => {}
    }
    // A grant or a denial already stored (spec step 11, "a previous decision").
    match setup.permission {
        PermissionState::Granted => {
            return ok(
                Reason::StorageAccessGranted,
                "requestStorageAccess() resolves: access was granted before",
                format!("The user allowed {embedded} to use its cookies under {top_site} before (a grant lasts 30 days), so the promise resolves without a prompt and the frame's requests to its own origin carry its unpartitioned cookies. SameSite still applies: only `SameSite=None; Secure` cookies go."),
                true,
            );
        }
        PermissionState::Denied => {
            return refused(
                Reason::StorageAccessDenied,
                "requestStorageAccess() rejected: the user refused",
                format!("The user refused {embedded} access to its cookies under {top_site}, and {name} remembers it: the promise rejects without asking again. Only the user can change it (in the site's settings); the widget must explain why it needs its cookies, or open its site in a top-level window."),
            );
        }
        PermissionState::Ask => {}
    }
    if !gesture {
        return refused(
            Reason::StorageAccessNeedsUserActivation,
            "requestStorageAccess() rejected: no user gesture",
            format!("The frame calls `document.requestStorageAccess()` as it loads, but {name} only grants it while handling a click or a key press (transient user activation), so the promise rejects with `NotAllowedError` ({gesture_message}). Call it from a click handler, e.g. on a \"Sign in\" button in the frame."),
        );
    }
    match profile.storage_access {
        StorageAccessRules::Chromium | StorageAccessRules::WebKitItp
            if !setup.interacted_top_level =>
        {
            let (rule, message) = if profile.storage_access == StorageAccessRules::Chromium {
                ("Chrome asks only for a site the user has used as a top-level site (clicked or typed on it) in the last 30 days", " The console says the site has \"never been interacted with as a top-level context\".")
            } else {
                ("Safari's tracking prevention rejects the request of a site the user has not interacted with as a first party (in the last 30 days of browser use), without showing a prompt", "")
            };
            refused(
                Reason::StorageAccessNeedsTopLevelInteraction,
                "requestStorageAccess() rejected: the user never used the site top-level",
                format!("{rule}, and the user has not been on {embedded} itself, so the promise rejects.{message} Have the user open {embedded} in a top-level window once (a \"Sign in\" link that opens it, where they log in), then call `requestStorageAccess()` from a click in the frame."),
            )
        }
        StorageAccessRules::Gecko if setup.interacted_top_level => ok(
            Reason::StorageAccessAutoGranted,
            "requestStorageAccess() granted without a prompt",
            format!("The user has interacted with {embedded} as a top-level site recently, so {name} grants the request on the click without a prompt (`dom.storage_access.auto_grants`; up to 5 such sites at a time, for the session): the frame's requests to its own origin carry its unpartitioned cookies instead of the ones partitioned under {top_site}. SameSite still applies."),
            true,
        ),
        _ => Decision {
            verdict: Verdict::Warning,
            reason: Reason::StorageAccessPrompt,
            title: "requestStorageAccess(): the browser asks the user".into(),
            text: format!("On the click, {name} asks the user whether {embedded} may use its cookies under {top_site}; the promise waits for the answer. The trace goes on as if they allow: then the frame's requests to its own origin carry its unpartitioned cookies (`SameSite=None; Secure` ones; SameSite still applies). If they refuse, the promise rejects and the requests go without those cookies. Check `document.hasStorageAccess()` first: a previous grant makes the prompt unnecessary."),
            active: true,
        },
    }
}

/// The note on a request whose cookies the grant let through.
pub fn storage_access_used_step(index: usize, url: &Url, top_site: &str) -> Step {
    Step::new(
        Some(index),
        Phase::CookiesSent,
        Verdict::Ok,
        Reason::StorageAccessUsed,
        "Storage access: the frame's own cookies go",
        format!("The frame has storage access, so this request to `{}` is not treated as third-party under {top_site}: its unpartitioned cookies go and the response may set them, SameSite permitting (Chrome DevTools shows the cookie's exemption reason as `StorageAccess`).", Origin::of(url).serialize()),
        spec::STORAGE_ACCESS,
    )
}

/// `Sec-Fetch-Storage-Access` (privacycg/storage-access-headers).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StorageAccessStatus {
    None,
    Inactive,
    Active,
}

impl StorageAccessStatus {
    pub fn key(self) -> &'static str {
        match self {
            StorageAccessStatus::None => "none",
            StorageAccessStatus::Inactive => "inactive",
            StorageAccessStatus::Active => "active",
        }
    }
}

/// Storage Access Headers §"Activate-Storage-Access": `retry;
/// allowed-origin="<origin>"` (or `allowed-origin=*`) on the response to an
/// `inactive` request makes the browser send the request again with storage
/// access (`URLRequestHttpJob::NeedsRetryWithStorageAccess`). The step, when
/// the response has the header; its reason is `StorageAccessRetried` when the
/// browser retries.
pub fn activate_storage_access(
    index: usize,
    status: Option<StorageAccessStatus>,
    response: &crate::headers::HeaderList,
    origin: &str,
) -> Option<Step> {
    let value = response.get("activate-storage-access")?;
    let status = status?;
    let mut items = value.split(';').map(str::trim);
    let token = items.next().unwrap_or("").to_ascii_lowercase();
    let allowed = items
        .filter_map(|p| p.split_once('='))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("allowed-origin"))
        .map(|(_, v)| v.trim().trim_matches('"').to_string());
    let header = value.clone();
    let step = move |verdict, reason, title: &'static str, text: String| {
        Some(
            Step::new(
                Some(index),
                Phase::CookiesSent,
                verdict,
                reason,
                title,
                text,
                spec::STORAGE_ACCESS_HEADERS,
            )
            .with("Activate-Storage-Access", header.as_str())
            .with("Sec-Fetch-Storage-Access", status.key()),
        )
    };
    if token != "retry" {
        return step(
            Verdict::Ok,
            Reason::StorageAccessHeaderIgnored,
            "Activate-Storage-Access ignored",
            format!("The response says `Activate-Storage-Access: {value}`. Only `retry` acts on a fetch (`load` activates storage access for a document an iframe loads, which this request is not), so the browser does nothing with it."),
        );
    }
    if status != StorageAccessStatus::Inactive {
        return step(
            Verdict::Ok,
            Reason::StorageAccessHeaderIgnored,
            "Activate-Storage-Access: retry ignored",
            format!("The response asks for a retry with storage access, but the request went with `Sec-Fetch-Storage-Access: {}`: a retry happens only for `inactive`, when the user granted the site storage access before and it is not in use yet.", status.key()),
        );
    }
    match allowed.as_deref() {
        Some(o) if o == "*" || o == origin => step(
            Verdict::Ok,
            Reason::StorageAccessRetried,
            "Activate-Storage-Access: retry: sent again with storage access",
            format!("The request went with `Sec-Fetch-Storage-Access: inactive` (the user granted this site storage access under the top-level site before), and the server answered `{value}`, naming the request's origin {origin}: the browser sends the same request again with storage access active, so its unpartitioned cookies go (SameSite permitting), without a `requestStorageAccess()` call in the page."),
        ),
        _ => step(
            Verdict::Warning,
            Reason::StorageAccessHeaderIgnored,
            "Activate-Storage-Access: retry without the right allowed-origin",
            format!("The server answered `{value}`, but a retry needs `allowed-origin` to be the request's origin ({origin}) or `*`, so the browser does not retry. Send `Activate-Storage-Access: retry; allowed-origin=\"{origin}\"`."),
        ),
    }
}
