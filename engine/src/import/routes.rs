//! The server's recorded answers as raw routes.
//!
//! One route per method and path when every call got the same answer; one
//! per query string (`match_query`) when the query explains the difference;
//! otherwise one per call (`call`), numbered the way the raw server counts
//! them ([`crate::server::raw::RouteCalls`]). Only the headers the engine
//! reads are kept: `Access-Control-*`, `Set-Cookie`, `Location`, `Vary`,
//! `Content-Type` and whatever `Access-Control-Expose-Headers` names.
//! `Expires` dates are moved onto the simulated clock.

use url::Url;

use super::reconstruct::{
    answered, clock_shift, imf_date, origin_of, set_cookie_lines, unsafe_names,
};
use super::{Entry, Recording};
use crate::cookie_date::parse_cookie_date;
use crate::import::Assumption;
use crate::scenario::{RawResponse, RawRoute, RequestSpec};

/// The routes, and which (request, route) pairs got a preflight answer that
/// was not recorded.
pub struct Routes {
    pub routes: Vec<RawRoute>,
    pub guessed_preflight: Vec<(usize, usize)>,
}

#[derive(Clone, PartialEq, Eq)]
struct Answer {
    status: u16,
    headers: String,
}

/// One hop as the server saw it.
struct HopAnswer {
    request: usize,
    method: String,
    url: Url,
    preflight: Option<Answer>,
    /// A preflight was recorded (answered or not).
    had_preflight: bool,
    /// `None`: not in the recording.
    response: Option<Answer>,
    sent: bool,
    error: Option<String>,
    unsafe_names: Vec<String>,
    /// The request includes credentials (Fetch §Requests: credentials mode).
    credentials: bool,
}

const KEPT: [&str; 4] = ["set-cookie", "location", "vary", "content-type"];

/// `Expires=<date>` moved by `shift` seconds (RFC 6265bis §5.6.1 dates).
fn shift_expires(line: &str, shift: Option<i64>) -> String {
    let Some(shift) = shift else {
        return line.to_string();
    };
    line.split(';')
        .enumerate()
        .map(|(i, part)| {
            let Some((k, v)) = part.split_once('=') else {
                return part.to_string();
            };
            if i == 0 || !k.trim().eq_ignore_ascii_case("expires") {
                return part.to_string();
            }
            match parse_cookie_date(v.trim()) {
                Some(t) => format!("{}={}", k, imf_date(t.saturating_add(shift))),
                None => part.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join(";")
}

fn clean(v: &str) -> Option<String> {
    let v = v.trim();
    (!v.is_empty() && !v.chars().any(|c| c.is_control() && c != '\t')).then(|| v.to_string())
}

/// The recorded answer of `e`, with only the headers the engine reads.
fn answer(e: &Entry, shift: Option<i64>, preflight: bool) -> Option<Answer> {
    if !answered(e) {
        return None;
    }
    let r = e.response.as_ref()?;
    let exposed: Vec<String> = r
        .header_all("access-control-expose-headers")
        .iter()
        .flat_map(|v| v.split(','))
        .map(|s| s.trim().to_ascii_lowercase())
        .collect();
    let mut lines = Vec::new();
    for (name, value) in &r.headers {
        let n = name.to_ascii_lowercase();
        let keep = n.starts_with("access-control-")
            || (KEPT.contains(&n.as_str()) && !(preflight && n == "content-type"))
            || exposed.contains(&n);
        if !keep || n == "set-cookie" || name.starts_with(':') {
            continue;
        }
        for v in value.split('\n').filter_map(clean) {
            lines.push(format!("{name}: {v}"));
        }
    }
    for line in set_cookie_lines(e) {
        if let Some(l) = clean(&shift_expires(&line, shift)) {
            lines.push(format!("Set-Cookie: {l}"));
        }
    }
    Some(Answer {
        status: if r.status == 0 {
            200
        } else {
            r.status.min(999)
        },
        headers: lines.join("\n"),
    })
}

fn hops(
    rec: &Recording,
    chains: &[Vec<(usize, Option<usize>)>],
    requests: &[RequestSpec],
    shift: Option<i64>,
) -> Vec<HopAnswer> {
    let mut out = Vec::new();
    for (request, chain) in chains.iter().enumerate() {
        for &(entry, pre) in chain {
            let e = &rec.entries[entry];
            let Ok(url) = Url::parse(&e.url) else {
                continue;
            };
            let preflight = pre.and_then(|p| answer(&rec.entries[p], shift, true));
            let pre_failed = super::compare::preflight_failed(rec, entry, pre);
            out.push(HopAnswer {
                request,
                method: e.method.clone(),
                url,
                preflight,
                had_preflight: pre.is_some(),
                response: answer(e, shift, false),
                sent: answered(e) || !pre_failed,
                error: e.error.clone(),
                unsafe_names: requests.get(request).map(unsafe_names).unwrap_or_default(),
                credentials: requests.get(request).is_some_and(|r| {
                    r.client.credentials_mode() == crate::scenario::CredentialsMode::Include
                }),
            });
        }
    }
    out
}

fn route_path(url: &Url, absolute: bool, query: bool) -> String {
    let mut p = if absolute {
        format!("{}{}", url.origin().ascii_serialization(), url.path())
    } else {
        url.path().to_string()
    };
    if query {
        if let Some(q) = url.query() {
            p.push('?');
            p.push_str(q);
        }
    }
    p
}

/// A preflight answer that lets the hop through, for a route with none recorded.
fn guessed_preflight(h: &HopAnswer, page_origin: &str) -> Answer {
    let resp = h
        .response
        .as_ref()
        .map(|a| a.headers.as_str())
        .unwrap_or("");
    let get = |name: &str| {
        resp.lines().find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_string())
        })
    };
    let mut lines = vec![format!(
        "Access-Control-Allow-Origin: {}",
        get("access-control-allow-origin").unwrap_or_else(|| page_origin.to_string())
    )];
    if h.credentials || get("access-control-allow-credentials").as_deref() == Some("true") {
        lines.push("Access-Control-Allow-Credentials: true".into());
    }
    lines.push(format!("Access-Control-Allow-Methods: {}", h.method));
    if !h.unsafe_names.is_empty() {
        lines.push(format!(
            "Access-Control-Allow-Headers: {}",
            h.unsafe_names.join(", ")
        ));
    }
    Answer {
        status: 204,
        headers: lines.join("\n"),
    }
}

fn raw(a: &Answer) -> RawResponse {
    RawResponse {
        status: a.status,
        headers: a.headers.clone(),
    }
}

/// Call numbers as [`crate::server::raw::RouteCalls`] counts them, for the
/// hops of one method and path, in order.
fn call_numbers(hops: &[&HopAnswer]) -> Vec<u32> {
    let (mut count, mut pending) = (0u32, false);
    hops.iter()
        .map(|h| {
            let mut n = count + 1;
            if h.had_preflight {
                if pending {
                    count += 1;
                }
                pending = true;
                n = count + 1;
            }
            if h.sent {
                n = count + 1;
                count += 1;
                pending = false;
            }
            n
        })
        .collect()
}

/// Builds the raw routes for the imported requests.
pub fn build(
    rec: &Recording,
    chains: &[Vec<(usize, Option<usize>)>],
    requests: &[RequestSpec],
    page_origin: &str,
    start_ms: Option<i64>,
    assumptions: &mut Vec<Assumption>,
) -> Routes {
    let start_ms = start_ms.or_else(|| response_date(rec, chains));
    let shift = clock_shift(start_ms);
    let hops = hops(rec, chains, requests, shift);
    let first_origin = hops.first().map(|h| h.url.origin().ascii_serialization());
    let absolute = hops
        .iter()
        .any(|h| Some(h.url.origin().ascii_serialization()) != first_origin)
        || first_origin
            .as_deref()
            .is_some_and(|o| origin_of(o).is_none());
    // Groups of (method, path), in order of first appearance.
    let mut groups: Vec<(String, String, Vec<usize>)> = Vec::new();
    for (i, h) in hops.iter().enumerate() {
        let path = route_path(&h.url, absolute, false);
        match groups
            .iter_mut()
            .find(|(m, p, _)| *m == h.method && *p == path)
        {
            Some(g) => g.2.push(i),
            None => groups.push((h.method.clone(), path, vec![i])),
        }
    }
    let mut b = Builder {
        out: Routes {
            routes: Vec::new(),
            guessed_preflight: Vec::new(),
        },
        page_origin,
        absolute,
        assumptions,
    };
    for (method, path, members) in groups {
        let members: Vec<&HopAnswer> = members.iter().map(|&i| &hops[i]).collect();
        b.group(&method, &path, &members);
    }
    b.out
}

/// The response `Date` of the first imported exchange, as a time reference
/// for pastes without timestamps.
fn response_date(rec: &Recording, chains: &[Vec<(usize, Option<usize>)>]) -> Option<i64> {
    let &(entry, _) = chains.first()?.first()?;
    let date = rec.entries[entry].response.as_ref()?.header("date")?;
    parse_cookie_date(date).map(|s| s * 1000)
}

fn same_answers(members: &[&HopAnswer]) -> bool {
    let known: Vec<_> = members.iter().filter(|h| h.response.is_some()).collect();
    let pre: Vec<_> = members
        .iter()
        .filter_map(|h| h.preflight.as_ref())
        .collect();
    known.windows(2).all(|w| w[0].response == w[1].response) && pre.windows(2).all(|w| w[0] == w[1])
}

struct Builder<'a> {
    out: Routes,
    page_origin: &'a str,
    absolute: bool,
    assumptions: &'a mut Vec<Assumption>,
}

impl Builder<'_> {
    fn push(
        &mut self,
        method: &str,
        path: String,
        members: &[&HopAnswer],
        call: u32,
        match_query: bool,
    ) {
        let index = self.out.routes.len();
        let first = members[0];
        let preflight = match members.iter().find_map(|h| h.preflight.clone()) {
            Some(p) => p,
            None => {
                for h in members {
                    self.out.guessed_preflight.push((h.request, index));
                }
                guessed_preflight(first, self.page_origin)
            }
        };
        let response = match members.iter().find_map(|h| h.response.clone()) {
            Some(a) => a,
            None => {
                if members.iter().any(|h| h.sent) {
                    let why = match &first.error {
                        Some(e) => format!("the recording shows the request failed ({e}) without the server's answer; 200 without CORS headers fails the same way — paste the response headers if you have them"),
                        None => "the recording does not show the server's answer: paste the response headers, or edit this route".into(),
                    };
                    self.assumptions.push(Assumption {
                        field: format!("server.routes.{index}.response.headers"),
                        value: "200, no headers".into(),
                        why,
                    });
                }
                Answer {
                    status: 200,
                    headers: String::new(),
                }
            }
        };
        self.out.routes.push(RawRoute {
            method: method.to_string(),
            path,
            preflight: raw(&preflight),
            response: raw(&response),
            call,
            match_query,
            ..RawRoute::default()
        });
    }

    fn group(&mut self, method: &str, path: &str, members: &[&HopAnswer]) {
        if same_answers(members) {
            self.push(method, path.to_string(), members, 0, false);
            return;
        }
        // The query explains the difference: one route per query.
        let mut by_query: Vec<(String, Vec<&HopAnswer>)> = Vec::new();
        for h in members {
            let p = route_path(&h.url, self.absolute, true);
            match by_query.iter_mut().find(|(q, _)| *q == p) {
                Some(g) => g.1.push(h),
                None => by_query.push((p, vec![h])),
            }
        }
        if by_query.len() > 1 && by_query.iter().all(|(_, g)| same_answers(g)) {
            for (p, g) in by_query {
                self.push(method, p, &g, 0, true);
            }
            return;
        }
        // Otherwise each call answers on its own.
        let numbers = call_numbers(members);
        let mut i = 0;
        while i < members.len() {
            let n = numbers[i];
            let same: Vec<&HopAnswer> = (i..members.len())
                .take_while(|&j| numbers[j] == n)
                .map(|j| members[j])
                .collect();
            i += same.len();
            self.push(method, path.to_string(), &same, n, false);
        }
    }
}
