//! Local Network Access §Local network access check (WICG, as Chromium 142+
//! ships it): a page on a public address that calls a local or loopback
//! address needs the user's permission, must be a secure context, and may
//! say where it expects the address with fetch's `targetAddressSpace`.
//!
//! Chromium: `services/network/private_network_access_checker.cc` (which
//! pairs are checked: public → local or loopback; local → loopback is not),
//! `local_network_access_url_loader_interceptor.cc` (the prompt, and
//! `net::ERR_BLOCKED_BY_LOCAL_NETWORK_ACCESS_CHECKS` when it is refused),
//! `content/common/features.cc` (subresources, workers and subframes are
//! checked; main-frame navigations are not).

use url::Url;

use crate::address_space::{address_space_of_url, AddressSpace};
use crate::origin::{is_potentially_trustworthy, Origin};
use crate::profile::{BrowserProfile, LocalNetworkAccess};
use crate::scenario::{Client, PermissionState};
use crate::spec;
use crate::trace::{Phase, Reason, Step, Verdict};

/// One request to check: where it runs and where it goes.
pub struct LnaRequest<'a> {
    pub index: usize,
    pub client: &'a Client,
    /// The document making the request, and its top-level page when framed.
    pub page: &'a Url,
    pub top: Option<&'a Url>,
    pub url: &'a Url,
    /// fetch's `targetAddressSpace` (cleared on redirects, as in Chromium).
    pub target_address_space: Option<AddressSpace>,
    pub permission: PermissionState,
}

/// The address space the request's connection ends up in: the URL's, or for
/// a host name only DNS could place, the `targetAddressSpace` the code
/// gave (an assumption the step says), else public.
fn target_space(url_space: AddressSpace, option: Option<AddressSpace>) -> AddressSpace {
    match (url_space, option) {
        (AddressSpace::Unknown, Some(expected)) => expected,
        (AddressSpace::Unknown, None) => AddressSpace::Public,
        (known, _) => known,
    }
}

/// The permission Chrome asks for, by the space the request goes to.
fn permission_name(profile: &BrowserProfile, target: AddressSpace) -> &'static str {
    match (profile.local_network_access, target) {
        (LocalNetworkAccess::SplitPermissions, AddressSpace::Loopback) => "loopback-network",
        (LocalNetworkAccess::SplitPermissions, _) => "local-network",
        _ => "local-network-access",
    }
}

fn describe(space: AddressSpace) -> &'static str {
    match space {
        AddressSpace::Loopback => "this device (loopback)",
        AddressSpace::Local => "the local network",
        AddressSpace::Public | AddressSpace::Unknown => "the public internet",
    }
}

/// LNA §Local network access check for one connection. `None` when it does
/// not apply (a top-level navigation, or a request that stays in its space).
pub fn local_network_access_check(r: &LnaRequest, profile: &BrowserProfile) -> Option<Step> {
    // Main-frame navigations are not checked (kLocalNetworkAccessForNavigations off).
    if !(r.client.is_script() || matches!(r.client, Client::Iframe)) {
        return None;
    }
    let page_space = match address_space_of_url(r.page) {
        // The page's host name resolved to some address: public, as far as
        // the simulation can know.
        AddressSpace::Unknown => AddressSpace::Public,
        known => known,
    };
    let url_space = address_space_of_url(r.url);
    let target = target_space(url_space, r.target_address_space);
    let req = r.url.as_str();
    let page = Origin::of(r.page).serialize();
    let step = |verdict, reason, title: String, text: String| {
        let mut s = Step::new(
            Some(r.index),
            Phase::Request,
            verdict,
            reason,
            title,
            text,
            spec::LOCAL_NETWORK_ACCESS,
        )
        .with("Page's address space", page_space.key())
        .with("Request's address space", target.key());
        if let Some(expected) = r.target_address_space {
            s = s.with("targetAddressSpace", expected.key());
        }
        s
    };
    let enforced = profile.local_network_access != LocalNetworkAccess::NotEnforced;

    // The option names a space the address is not in: the connection fails
    // (ERR_INCONSISTENT_IP_ADDRESS_SPACE).
    if let Some(expected) = r.target_address_space {
        if enforced && url_space != AddressSpace::Unknown && url_space != expected {
            return Some(step(
                Verdict::Blocked,
                Reason::LocalNetworkInconsistentSpace,
                format!("targetAddressSpace '{}' does not match the address", expected.key()),
                format!(
                    "The code passes `targetAddressSpace: '{}'`, but `{req}` is on {}, so Chrome fails the request (`net::ERR_INCONSISTENT_IP_ADDRESS_SPACE`; DevTools: `InvalidLocalNetworkAccess`) and the page sees `TypeError: Failed to fetch`. Pass `targetAddressSpace: '{}'`, or leave the option out.",
                    expected.key(),
                    describe(url_space),
                    url_space.key()
                ),
            ));
        }
    }

    // Only a page on a public address reaching a more private one is checked
    // (IsLessPublicAddressSpaceLNA counts local and loopback as one).
    if page_space != AddressSpace::Public || !target.is_private() {
        return None;
    }
    let assumed = if url_space == AddressSpace::Unknown {
        format!(
            " (`{}` is a host name: the simulation takes the code's `targetAddressSpace` to say where it resolves)",
            r.url.host_str().unwrap_or_default()
        )
    } else {
        String::new()
    };
    let name = permission_name(profile, target);
    if !enforced {
        return Some(step(
            Verdict::Ok,
            Reason::LocalNetworkNotEnforced,
            format!("Public page calling {}: {} does not ask", describe(target), profile.id.browser_name()),
            format!(
                "The page `{page}` is on a public address and `{req}` is on {}{assumed}. {} does not enforce Local Network Access, so the request goes out as any other. Chrome 142 and later would first ask the user for the `{}` permission, and block the request if they refuse: test in Chrome before relying on it.",
                describe(target),
                profile.id.browser_name(),
                permission_name(&BrowserProfile::of(crate::ProfileId::Chrome), target)
            ),
        ));
    }
    // A page that is not a secure context is refused without a prompt
    // (LocalNetworkAccessRequestPolicy kBlock).
    if !is_potentially_trustworthy(r.page) {
        return Some(step(
            Verdict::Blocked,
            Reason::LocalNetworkInsecureContext,
            "Plain-http public page calling a local address: blocked; serve the page over https"
                .into(),
            format!(
                "The page `{page}` is served over plain http from a public address, and `{req}` is on {}{assumed}. Chrome only lets a secure context (an https page) reach the local network, and blocks this without asking (DevTools: `InsecureLocalNetwork`; console: \"The request client is not a secure context and the resource is in more-private address space `{}`\"). The page's code sees `TypeError: Failed to fetch`. Serve the page over https.",
                describe(target),
                target.key()
            ),
        ));
    }
    // In a cross-origin frame the permission policy (default 'self') must
    // also be delegated with the iframe's allow attribute.
    let framed = r
        .top
        .is_some_and(|top| !Origin::of(top).same_origin(&Origin::of(r.page)));
    let frame_note = if framed {
        format!(
            " The page is in a cross-origin frame: its `<iframe>` tag must also carry `allow=\"{name}\"`, or Chrome refuses the request without asking; the simulation assumes it does."
        )
    } else {
        String::new()
    };
    let (verdict, reason, title, text) = match r.permission {
        PermissionState::Granted => (
            Verdict::Ok,
            Reason::LocalNetworkPermissionGranted,
            format!("Local network access allowed (`{name}`)"),
            format!(
                "The page `{page}` is on a public address and `{req}` is on {}{assumed}. The user has allowed this site the `{name}` permission, so Chrome lets the request through.{frame_note}",
                describe(target)
            ),
        ),
        PermissionState::Ask => (
            Verdict::Warning,
            Reason::LocalNetworkPermissionPrompt,
            format!("Chrome asks the user for `{name}` first"),
            format!(
                "The page `{page}` is on a public address and `{req}` is on {}{assumed}. Chrome 142 and later hold the request and ask the user whether this site may reach devices on their local network (the `{name}` permission). If they allow it, the request goes on as simulated below; if they block or dismiss the prompt, it fails (`net::ERR_BLOCKED_BY_LOCAL_NETWORK_ACCESS_CHECKS`) and the code sees `TypeError: Failed to fetch`. In a headless or WebDriver-driven Chrome no one can answer, and the request fails at once (seen in headless Chromium 156): grant the permission in the test setup (DevTools protocol `Browser.setPermission`, name `{name}`).{frame_note}",
                describe(target)
            ),
        ),
        PermissionState::Denied => (
            Verdict::Blocked,
            Reason::LocalNetworkPermissionDenied,
            format!(
                "Local network access blocked by the user (`{name}`): allow it in the site's settings"
            ),
            format!(
                "The page `{page}` is on a public address and `{req}` is on {}{assumed}. The user blocked (or dismissed) Chrome's prompt for the `{name}` permission, so Chrome fails the request before it is sent: the console says \"Permission was denied for this request to access the `{}` address space\" (DevTools: `LocalNetworkAccessPermissionDenied`) and the code sees `TypeError: Failed to fetch`. Allow it in the site's settings (the icon left of the address bar, then Local network access).{frame_note}",
                describe(target),
                target.key()
            ),
        ),
    };
    Some(step(verdict, reason, title, text))
}

/// The mixed-content exemption Local Network Access adds
/// (`mixed_content_checker.cc`): an https page may fetch a plain-http URL
/// on a private address when the URL is a private IP literal or a `.local`
/// name, or the code passes `targetAddressSpace`. The permission still
/// decides afterwards.
pub fn exempts_mixed_content(
    url: &Url,
    target_address_space: Option<AddressSpace>,
    profile: &BrowserProfile,
) -> bool {
    profile.local_network_access != LocalNetworkAccess::NotEnforced
        && (address_space_of_url(url).is_private()
            || target_address_space.is_some_and(AddressSpace::is_private))
}
