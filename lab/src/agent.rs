//! The lab's pages for multi-page flows and visits in live mode.
//!
//! - Every response the lab serves for a top-level navigation of a run
//!   (`Sec-Fetch-Dest: document`, not a redirect, not 204/205) becomes an
//!   HTML page with the *agent*: a script that tells the live-mode page
//!   which document the popup window shows now (`ready`, with its URL) and,
//!   when that page asks, makes the next request of the scenario from this
//!   document (fetch, XHR, an iframe, a link or a form) and reports what it
//!   saw. The status and headers the server model chose are kept; only the
//!   body (and so `Content-Type`) is the lab's.
//! - `GET /__lab/launch#<url>` (see [`LAUNCH_PAGE`]) navigates to `<url>`
//!   on its own origin: live mode's stand-in for a browser-initiated visit.
//!
//! The agent acts only for the window that opened it (`window.opener`), only
//! on messages from a loopback origin, and only towards loopback URLs.

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, Response};

/// The agent's page (the body of a navigation's response).
pub const AGENT_PAGE: &str = concat!(
    "<!doctype html><html><head><meta charset=\"utf-8\"><title>Crumbtrail lab</title></head>",
    "<body><p>Crumbtrail lab: a page of the scenario.</p><script>",
    include_str!("agent.js"),
    "</script></body></html>"
);

/// Navigates to the URL in its fragment when it is on this page's own
/// origin, with no `Referer`: a same-origin navigation, which carries the
/// cookies a visit carries (SameSite=Strict included) and no `Origin`.
pub const LAUNCH_PAGE: &str = concat!(
    "<!doctype html><html><head><meta charset=\"utf-8\">",
    "<meta name=\"referrer\" content=\"no-referrer\"><title>Crumbtrail lab</title></head>",
    "<body><script>(() => {\n",
    "  let to;\n",
    "  try { to = new URL(decodeURIComponent(location.hash.slice(1)), location.href); } catch (e) { return; }\n",
    "  if (to.origin === location.origin) location.replace(to.href);\n",
    "})();</script></body></html>"
);

/// An HTML response with `body`.
pub fn html(body: &'static str) -> Response<Body> {
    let mut r = Response::new(Body::from(body));
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    r
}

/// True when the request is a navigation whose response the browser will
/// show as a document (HTML §Navigate: not a redirect, not 204/205).
pub fn shows_document(request: &HeaderMap, method: &str, status: u16) -> bool {
    let document = request
        .get("sec-fetch-dest")
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"document"));
    document
        && method != "HEAD"
        && (200..600).contains(&status)
        && !matches!(status, 204 | 205 | 304)
        && !(300..400).contains(&status)
}

/// Gives a navigation's response the agent's page as its body.
pub fn into_document(resp: &mut Response<Body>) {
    *resp.body_mut() = Body::from(AGENT_PAGE);
    let h = resp.headers_mut();
    h.remove(header::CONTENT_LENGTH);
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_shown_documents_get_the_agent() {
        let mut nav = HeaderMap::new();
        nav.insert("sec-fetch-dest", HeaderValue::from_static("document"));
        let mut frame = HeaderMap::new();
        frame.insert("sec-fetch-dest", HeaderValue::from_static("iframe"));
        assert!(shows_document(&nav, "GET", 200));
        assert!(shows_document(&nav, "POST", 404));
        for status in [204, 205, 302, 303, 304] {
            assert!(!shows_document(&nav, "GET", status), "{status}");
        }
        assert!(!shows_document(&frame, "GET", 200));
        assert!(!shows_document(&HeaderMap::new(), "GET", 200));
        assert!(AGENT_PAGE.contains("window.opener"));
    }
}
