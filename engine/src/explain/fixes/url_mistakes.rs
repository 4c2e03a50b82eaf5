//! URL mistakes fixed by replacing the URL written, never by adding a second
//! one: an origin written with a trailing slash or a path, `127.0.0.1`
//! where the page is on `localhost` (different sites, HTML §"site"), and a
//! scheme that differs from the page's.

use super::{change, Candidate};
use crate::origin::{parse_url, Origin};
use crate::scenario::Scenario;

/// The loopback names that are the same machine but not the same site.
const LOOPBACK_NAMES: [&str; 2] = ["localhost", "127.0.0.1"];

/// What an origin written by hand gets wrong about `page_origin`, if it
/// means that origin: "a path or trailing slash", "127.0.0.1 vs localhost"
/// or "the scheme". `None` when it is right, or means another site.
pub fn origin_mistake(written: &str, page_origin: &str) -> Option<&'static str> {
    let w = written.trim().trim_matches(['\'', '"']);
    if w == page_origin {
        return None;
    }
    let wu = url::Url::parse(w).ok()?;
    let pu = url::Url::parse(page_origin).ok()?;
    let wo = Origin::of(&wu).serialize();
    if wo == page_origin {
        // Origin serialization (HTML §"origin") has no path: a browser never
        // sends `http://localhost:3000/`.
        return Some("a path or trailing slash");
    }
    let (wh, ph) = (wu.host_str()?, pu.host_str()?);
    if wu.port_or_known_default() == pu.port_or_known_default()
        && wu.scheme() == pu.scheme()
        && wh != ph
        && LOOPBACK_NAMES.contains(&wh)
        && LOOPBACK_NAMES.contains(&ph)
    {
        return Some("127.0.0.1 vs localhost");
    }
    if wh == ph && wu.scheme() != pu.scheme() && wu.port() == pu.port() {
        return Some("the scheme");
    }
    None
}

/// Requests to `127.0.0.1` from a page on `localhost` (or the reverse):
/// call the API by the page's host name so both are one site.
pub fn url_candidates(s: &Scenario) -> Vec<Candidate> {
    let Ok(page) = parse_url(&s.page.url, None) else {
        return Vec::new();
    };
    let Some(ph) = page.host_str().filter(|h| LOOPBACK_NAMES.contains(h)) else {
        return Vec::new();
    };
    let ph = ph.to_string();
    let mut changes = Vec::new();
    let mut fixed: Vec<(usize, String)> = Vec::new();
    for (i, r) in s.requests.iter().enumerate() {
        let Ok(mut u) = parse_url(&r.url, Some(&page)) else {
            continue;
        };
        let host = u.host_str().unwrap_or("").to_string();
        if host == ph || !LOOPBACK_NAMES.contains(&host.as_str()) {
            continue;
        }
        if u.set_host(Some(&ph)).is_err() {
            continue;
        }
        changes.push(change(
            format!("requests.{i}.url"),
            format!("'{}'", r.url),
            format!("'{u}'"),
        ));
        fixed.push((i, u.to_string()));
    }
    if changes.is_empty() {
        return Vec::new();
    }
    let other = if ph == "localhost" {
        "127.0.0.1"
    } else {
        "localhost"
    };
    vec![Candidate::new(
        format!("Call the API on {ph}, like the page"),
        format!("{ph} and {other} are different sites to the browser (HTML's \"site\" compares host names, not machines): the cookie of one is a third-party cookie on the other. Use one name for both."),
        changes,
        0,
        move |s: &mut Scenario| {
            for (i, url) in &fixed {
                if let Some(r) = s.requests.get_mut(*i) {
                    r.url = url.clone();
                }
            }
        },
    )]
}

#[cfg(test)]
mod tests {
    use super::origin_mistake;

    #[test]
    fn names_the_mistake() {
        let po = "http://localhost:3000";
        assert_eq!(
            origin_mistake("http://localhost:3000/", po),
            Some("a path or trailing slash")
        );
        assert_eq!(
            origin_mistake("'http://localhost:3000/app'", po),
            Some("a path or trailing slash")
        );
        assert_eq!(
            origin_mistake("http://127.0.0.1:3000", po),
            Some("127.0.0.1 vs localhost")
        );
        assert_eq!(
            origin_mistake("https://localhost:3000", po),
            Some("the scheme")
        );
        assert_eq!(origin_mistake("http://localhost:3000", po), None);
        assert_eq!(origin_mistake("https://example.com", po), None);
        assert_eq!(origin_mistake("*", po), None);
    }
}
