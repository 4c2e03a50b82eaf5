//! Fixes for a raw-header server: the response header lines that make a
//! credentialed cross-origin response readable (Fetch §4.9 CORS check, §4.8
//! CORS-preflight fetch), proposed per route, each replacing the line it
//! corrects rather than adding a second one.

use super::{change, page_origin, Candidate, SettingChange};
use crate::headers::HeaderList;
use crate::safelist::{is_cors_safelisted_method, is_cors_safelisted_request_header};
use crate::scenario::{Client, CredentialsMode, RawRoute, Scenario, ServerSetup};

/// Every raw-header candidate for this scenario.
pub fn raw_candidates(s: &Scenario) -> Vec<Vec<Candidate>> {
    let ServerSetup::Raw(raw) = &s.server else {
        return Vec::new();
    };
    let Some(po) = page_origin(s) else {
        return Vec::new();
    };
    let creds = s.requests.iter().any(sends_credentials);
    let methods = preflight_methods(s);
    let headers = preflight_headers(s);
    let mut origin = Vec::new();
    let mut credentials = Vec::new();
    let mut allow_methods = Vec::new();
    let mut allow_headers = Vec::new();
    for (i, r) in raw.routes.iter().enumerate() {
        if let Some(c) = allow_origin(i, r, &po, creds) {
            origin.push(c);
        }
        if creds {
            if let Some(c) = allow_credentials(i, r) {
                credentials.push(c);
            }
        }
        if let Some(c) = preflight_list(i, r, "Access-Control-Allow-Methods", &methods) {
            allow_methods.push(c);
        }
        if let Some(c) = preflight_list(i, r, "Access-Control-Allow-Headers", &headers) {
            allow_headers.push(c);
        }
    }
    vec![origin, credentials, allow_methods, allow_headers]
}

/// Does this request go out with credentials (Fetch §"credentials mode")?
fn sends_credentials(r: &crate::scenario::RequestSpec) -> bool {
    match r.client {
        Client::Fetch { credentials, .. } => credentials == CredentialsMode::Include,
        Client::Xhr { with_credentials }
        | Client::Axios {
            with_credentials, ..
        } => with_credentials,
        _ => false,
    }
}

/// The non-safelisted methods the requests use (they need a preflight that lists them).
fn preflight_methods(s: &Scenario) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for r in &s.requests {
        let m = r.method.trim().to_ascii_uppercase();
        if crate::headers::is_token(&m) && !is_cors_safelisted_method(&m) && !out.contains(&m) {
            out.push(m);
        }
    }
    out
}

/// The non-safelisted request header names (lowercase), in first-use order.
fn preflight_headers(s: &Scenario) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for r in &s.requests {
        for line in r.headers.lines() {
            let Some((name, value)) = line.split_once(':') else {
                continue;
            };
            let name = name.trim().to_ascii_lowercase();
            if name.is_empty() || is_cors_safelisted_request_header(&name, value.trim()) {
                continue;
            }
            if !out.contains(&name) {
                out.push(name);
            }
        }
    }
    out
}

/// A change of one header line of route `i`'s `which` answer. The field
/// names the header too, so the search can combine changes of different
/// lines of one box (and never two changes of the same line); the label is
/// the box's form label.
fn line_change(i: usize, which: &str, name: &str, from: String, to: String) -> SettingChange {
    let mut c = change(
        format!(
            "server.routes.{i}.{which}.headers.{}",
            name.to_ascii_lowercase()
        ),
        from,
        to,
    );
    c.label = crate::explain::summary::field_label(&format!("server.routes.{i}.{which}.headers"));
    c
}

/// The value of header `name` in a block of header lines, if readable.
fn header(text: &str, name: &str) -> Option<String> {
    HeaderList::parse_response_lines(text).ok()?.get(name)
}

/// `text` with every `name:` line replaced by one `name: value` line (kept
/// where the first one was), or with that line added at the end.
pub fn set_header(text: &str, name: &str, value: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut placed = false;
    for line in text.lines() {
        let is_it = line
            .split_once(':')
            .is_some_and(|(n, _)| n.trim().eq_ignore_ascii_case(name));
        if !is_it {
            out.push(line.to_string());
        } else if !placed {
            out.push(format!("{name}: {value}"));
            placed = true;
        }
    }
    if !placed {
        while out.last().is_some_and(|l| l.trim().is_empty()) {
            out.pop();
        }
        out.push(format!("{name}: {value}"));
    }
    out.join("\n")
}

/// How a header shows in a change: the whole line, or that there is none.
fn line_label(name: &str, value: Option<String>) -> String {
    match value {
        Some(v) => format!("{name}: {v}"),
        None => format!("no {name} line"),
    }
}

/// The route's headers (`which` = preflight or response) and a setter.
fn texts(r: &RawRoute) -> [(&'static str, &str); 2] {
    [
        ("preflight", r.preflight.headers.as_str()),
        ("response", r.response.headers.as_str()),
    ]
}

fn route_mut(s: &mut Scenario, i: usize) -> Option<&mut RawRoute> {
    match &mut s.server {
        ServerSetup::Raw(raw) => raw.routes.get_mut(i),
        _ => None,
    }
}

/// Fetch §4.9 CORS check: with credentials, `Access-Control-Allow-Origin`
/// must be the request's origin exactly (`*` fails); without, `*` is fine.
/// When the page also sends credentials, `Access-Control-Allow-Credentials:
/// true` comes in the same fix (the pair Express's `cors({ origin, credentials })` writes).
fn allow_origin(i: usize, r: &RawRoute, po: &str, creds: bool) -> Option<Candidate> {
    const ACAO: &str = "Access-Control-Allow-Origin";
    const ACAC: &str = "Access-Control-Allow-Credentials";
    let mut changes = Vec::new();
    for (which, text) in texts(r) {
        let now = header(text, ACAO);
        let ok = match now.as_deref() {
            Some(v) => v == po || (!creds && v == "*"),
            None => false,
        };
        if !ok {
            changes.push(line_change(
                i,
                which,
                ACAO,
                line_label(ACAO, now),
                format!("{ACAO}: {po}"),
            ));
        }
        if creds && header(text, ACAC).as_deref() != Some("true") {
            changes.push(line_change(
                i,
                which,
                ACAC,
                line_label(ACAC, header(text, ACAC)),
                format!("{ACAC}: true"),
            ));
        }
    }
    if changes.iter().all(|c| !c.to.starts_with(ACAO)) {
        return None;
    }
    let po = po.to_string();
    let title = if creds {
        format!("Answer with {ACAO}: {po} and {ACAC}: true")
    } else {
        format!("Answer with {ACAO}: {po}")
    };
    Some(Candidate::new(
        title,
        "A credentialed response is readable only when Access-Control-Allow-Origin names the page's origin exactly (never `*`) and Access-Control-Allow-Credentials is `true`; Express's `cors({ origin: '…', credentials: true })` writes both.",
        changes,
        0,
        move |s: &mut Scenario| {
            if let Some(route) = route_mut(s, i) {
                for resp in [&mut route.preflight, &mut route.response] {
                    resp.headers = set_header(&resp.headers, ACAO, &po);
                    if creds {
                        resp.headers = set_header(&resp.headers, ACAC, "true");
                    }
                }
            }
        },
    ))
}

/// `Access-Control-Allow-Credentials: true` on both answers of a route.
fn allow_credentials(i: usize, r: &RawRoute) -> Option<Candidate> {
    const ACAC: &str = "Access-Control-Allow-Credentials";
    let changes: Vec<_> = texts(r)
        .into_iter()
        .filter(|(_, text)| header(text, ACAC).as_deref() != Some("true"))
        .map(|(which, text)| {
            line_change(
                i,
                which,
                ACAC,
                line_label(ACAC, header(text, ACAC)),
                format!("{ACAC}: true"),
            )
        })
        .collect();
    if changes.is_empty() {
        return None;
    }
    Some(Candidate::new(
        format!("Answer with {ACAC}: true"),
        "Fetch's CORS check hides a credentialed response unless Access-Control-Allow-Credentials is exactly `true`.",
        changes,
        1,
        move |s: &mut Scenario| {
            if let Some(route) = route_mut(s, i) {
                for resp in [&mut route.preflight, &mut route.response] {
                    resp.headers = set_header(&resp.headers, ACAC, "true");
                }
            }
        },
    ))
}

/// A preflight list header (`Access-Control-Allow-Methods` or `-Headers`)
/// that names everything the requests need (Fetch §4.8 steps 7–8).
fn preflight_list(
    i: usize,
    r: &RawRoute,
    name: &'static str,
    need: &[String],
) -> Option<Candidate> {
    if need.is_empty() {
        return None;
    }
    let now = header(&r.preflight.headers, name);
    let have: Vec<String> = now
        .as_deref()
        .unwrap_or("")
        .split(',')
        .map(|v| v.trim().to_ascii_lowercase())
        .filter(|v| !v.is_empty())
        .collect();
    if have.iter().any(|h| h == "*") && need.iter().all(|n| n != "authorization") {
        return None;
    }
    let mut list: Vec<String> = now
        .as_deref()
        .unwrap_or("")
        .split(',')
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .collect();
    let before = list.len();
    for n in need {
        if !have.contains(&n.to_ascii_lowercase()) {
            list.push(n.clone());
        }
    }
    if list.len() == before {
        return None;
    }
    let value = list.join(", ");
    let what = if name.ends_with("Methods") {
        "methods"
    } else {
        "request headers"
    };
    Some(Candidate::new(
        format!("Preflight answer lists the {what} the page uses"),
        "The browser sends a non-safelisted method or header only after the preflight answer lists it.",
        vec![line_change(i, "preflight", name, line_label(name, now),
            format!("{name}: {value}"),
        )],
        2,
        move |s: &mut Scenario| {
            if let Some(route) = route_mut(s, i) {
                route.preflight.headers = set_header(&route.preflight.headers, name, &value);
            }
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::set_header;

    #[test]
    fn set_header_replaces_in_place_and_drops_duplicates() {
        let t = "A: 1\nAccess-Control-Allow-Origin: *\nB: 2\naccess-control-allow-origin: x";
        assert_eq!(
            set_header(t, "Access-Control-Allow-Origin", "http://a.test"),
            "A: 1\nAccess-Control-Allow-Origin: http://a.test\nB: 2"
        );
        assert_eq!(set_header("A: 1\n", "B", "2"), "A: 1\nB: 2");
        assert_eq!(set_header("", "B", "2"), "B: 2");
    }
}
