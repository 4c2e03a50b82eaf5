//! Mixed Content §"Should fetching request be blocked as mixed content?":
//! an https page may not fetch plain-http URLs, except loopback ones, which
//! are potentially trustworthy (Secure Contexts §3.1).

use url::Url;

use crate::origin::is_potentially_trustworthy;
use crate::spec;
use crate::trace::{Phase, Reason, Step, Verdict};

/// The mixed-content decision for a script request (fetch/XHR) from `page`
/// to `request`. `None` when mixed content does not apply (the page is not
/// https, or the request URL is https). `local_network` is Local Network
/// Access's exemption for a private address
/// ([`crate::local_network_access::exempts_mixed_content`]).
pub fn check_mixed_content(
    page: &Url,
    request: &Url,
    request_index: usize,
    local_network: bool,
    loopback_is_trustworthy: bool,
) -> Option<Step> {
    // Mixed Content §4.3 "Does settings prohibit mixed security contexts?":
    // browsers restrict mixed content for https pages (an http://localhost
    // page is a secure context but does not restrict it).
    if page.scheme() != "https" {
        return None;
    }
    // §4.1 step 1: a request whose URL is potentially trustworthy (https, wss,
    // loopback) is not mixed content.
    if request.scheme() != "http" && request.scheme() != "ws" {
        return None;
    }
    let page_s = page.as_str();
    let req_s = request.as_str();
    if is_potentially_trustworthy(request) && !loopback_is_trustworthy {
        // WebKit (Safari and WebKitGTK): MixedContentChecker.cpp,
        // isNonLocalHostPotentiallyTrustworthyURL, "We currently deviate from
        // the mixed content spec, and do not consider localhost or loopback
        // URLs as secure contexts if they do not use a secure scheme".
        return Some(
            Step::new(
                Some(request_index),
                Phase::Request,
                Verdict::Blocked,
                Reason::MixedContentBlocked,
                "https page calling http on loopback: blocked as mixed content",
                format!(
                    "The page is served over https and calls `{req_s}` over plain http. Chrome and Firefox let that through, because loopback addresses (`localhost`, `127.0.0.1`, `[::1]`) are potentially trustworthy, but WebKit (Safari, GNOME Web) does not count loopback as secure for mixed content, so it blocks the request before it is sent and the page's code sees `TypeError: Load failed`. The console says \"[blocked] The page at {page_s} requested insecure content from {req_s}. This content was blocked and must be served over HTTPS.\" Serve the local API over https too (a local certificate, e.g. mkcert), or open the front end over http://localhost while developing."
                ),
                spec::WEBKIT_MIXED_CONTENT_LOOPBACK,
            )
            .with("Page", page_s)
            .with("Request URL", req_s),
        );
    }
    if is_potentially_trustworthy(request) {
        // Secure Contexts §3.1 steps 4–5: 127.0.0.0/8, ::1 and localhost are
        // trustworthy, so an https page may call a local http API
        // (observed in Chromium 156: http://localhost and http://127.0.0.1 allowed).
        return Some(
            Step::new(
                Some(request_index),
                Phase::Request,
                Verdict::Ok,
                Reason::MixedContentLoopbackAllowed,
                "https page calling http on loopback: allowed",
                format!(
                    "The page is served over https and calls `{req_s}` over plain http. That would normally be blocked as mixed content, but loopback addresses (`localhost`, `127.0.0.1`, `[::1]`) count as potentially trustworthy, so the browser lets it through. It only works on the developer's own machine: once the API has a real host name, serve it over https."
                ),
                spec::MIXED_CONTENT,
            )
            .with("Page", page_s)
            .with("Request URL", req_s),
        );
    }
    if local_network {
        // Chromium's mixed_content_checker.cc: a private IP literal, a
        // `.local` name, or a request with `targetAddressSpace` is let
        // through (with a console warning); Local Network Access decides.
        return Some(
            Step::new(
                Some(request_index),
                Phase::Request,
                Verdict::Warning,
                Reason::MixedContentLocalNetworkAllowed,
                "https page calling http on the local network: let through",
                format!(
                    "The page is served over https and calls `{req_s}` over plain http. That is mixed content, but Chrome lets a request to a private address (a private IP, a `.local` name, or a fetch with `targetAddressSpace`) through to its Local Network Access check, which decides next; the console still warns about mixed content. Other browsers block it: serve the device's API over https where you can."
                ),
                spec::MIXED_CONTENT,
            )
            .with("Page", page_s)
            .with("Request URL", req_s),
        );
    }
    // §4.1: an https page fetching an http URL that is not trustworthy: blocked
    // (fetch and XHR are blockable content; nothing is upgraded).
    let mut https = request.clone();
    let _ = https.set_scheme(if request.scheme() == "ws" {
        "wss"
    } else {
        "https"
    });
    if https.port() == Some(80) {
        let _ = https.set_port(None);
    }
    Some(
        Step::new(
            Some(request_index),
            Phase::Request,
            Verdict::Blocked,
            Reason::MixedContentBlocked,
            "https page calling plain http: blocked as mixed content",
            format!(
                "The page is served over https, and `{req_s}` is plain http, so the browser blocks the request before it is sent — no CORS, no cookies, and the page's code sees a network error (`TypeError: Failed to fetch`). Chrome's console says \"Mixed Content: The page at '{page_s}' was loaded over HTTPS, but requested an insecure resource '{req_s}'. This request has been blocked; the content must be served over HTTPS.\"; Firefox says \"Blocked loading mixed active content\". Fix it by serving the API over https and calling `{}`.",
                https.as_str()
            ),
            spec::MIXED_CONTENT,
        )
        .with("Page", page_s)
        .with("Request URL", req_s),
    )
}
