//! The cookies already in the jar when a scenario starts
//! ([`Scenario::jar_at_start`](crate::scenario::Scenario::jar_at_start)).
//!
//! Each one is a cookie record of RFC 6265bis §5.7 that the browser already
//! holds, so it skips `Set-Cookie` processing. It is checked only for what a
//! browser could never have stored (§5.7 and §5.4: no name and no value,
//! control characters, more than 4096 bytes, a domain cookie for a public
//! suffix or an IP address, a path not starting with `/`, a broken name
//! prefix, a partitioned cookie without `Secure`, a lifetime over 400 days):
//! such a cookie is a field error and is left out.

use url::Url;

use crate::cookie_store::{CookieJar, PartitionKey, MAX_LIFETIME_SECS};
use crate::scenario::{JarCookie, JarSameSite};
use crate::site::is_public_suffix;
use crate::spec;
use crate::trace::{CookieView, FieldError, Phase, Reason, Step, Verdict};

/// §5.7 steps 3-4: the most a name and a value may have together.
const MAX_NAME_VALUE: usize = 4096;

fn same_site_label(s: JarSameSite) -> &'static str {
    match s {
        JarSameSite::Unspecified => "Unspecified",
        JarSameSite::Strict => "Strict",
        JarSameSite::Lax => "Lax",
        JarSameSite::None => "None",
    }
}

/// The reasons a browser could not hold `c`, each with the field it names
/// (`name`, `domain`, …, below `jar_at_start.N`).
pub fn problems(c: &JarCookie) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    let ctl = |s: &str| s.chars().any(|ch| ch.is_control() && ch != '\t');
    // §5.6 step 1.3 / §5.7 step 2: a cookie needs a name or a value.
    if c.name.is_empty() && c.value.is_empty() {
        out.push(("name", "a cookie needs a name or a value".into()));
    }
    if c.name.contains(['=', ';']) || ctl(&c.name) || c.name.trim() != c.name {
        out.push((
            "name",
            "a cookie name has no `=`, `;`, control characters or surrounding spaces".into(),
        ));
    }
    if c.value.contains(';') || ctl(&c.value) || c.value.trim() != c.value {
        out.push((
            "value",
            "a cookie value has no `;`, control characters or surrounding spaces".into(),
        ));
    }
    if c.name.len() + c.value.len() > MAX_NAME_VALUE {
        out.push((
            "value",
            format!("name and value together are over {MAX_NAME_VALUE} bytes: no browser stores such a cookie (RFC 6265bis §5.7)"),
        ));
    }
    domain_problems(c, &mut out);
    if !c.path.starts_with('/') {
        out.push((
            "path",
            "the path starts with `/` (RFC 6265bis §5.7 step 11)".into(),
        ));
    }
    prefix_problems(c, &mut out);
    if let Some(p) = &c.partition {
        let ok = Url::parse(p)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
        if ok.is_none() {
            out.push((
                "partition",
                format!("`{p}` is not a top-level site such as `https://app.example`"),
            ));
        }
        if !c.secure {
            out.push((
                "secure",
                "a partitioned cookie (CHIPS) is always Secure: browsers drop it otherwise".into(),
            ));
        }
    }
    match c.expires_in_secs {
        Some(0) => out.push((
            "expires_in_secs",
            "0 means the cookie has already expired: remove it, or leave the field empty for a session cookie".into(),
        )),
        Some(n) if n.saturating_add(c.age_secs) > MAX_LIFETIME_SECS as u64 => out.push((
            "expires_in_secs",
            "browsers cap a cookie's lifetime at 400 days from its creation (RFC 6265bis §5.5)".into(),
        )),
        _ => {}
    }
    out
}

/// §5.7 steps 7-10: what `domain` and `host_only` can be.
fn domain_problems(c: &JarCookie, out: &mut Vec<(&'static str, String)>) {
    let d = c.domain.trim_start_matches('.');
    if d.is_empty() {
        out.push((
            "domain",
            "the host or domain the cookie belongs to, e.g. `localhost` or `example.test`".into(),
        ));
        return;
    }
    let host = match url::Host::parse(d) {
        Ok(h) => h,
        Err(_) => {
            out.push(("domain", format!("`{d}` is not a host name")));
            return;
        }
    };
    if c.host_only {
        return;
    }
    if !matches!(host, url::Host::Domain(_)) {
        out.push((
            "host_only",
            "a cookie for an IP address is always host-only (RFC 6265bis §5.1.3)".into(),
        ));
    } else if is_public_suffix(d) {
        out.push((
            "host_only",
            format!("`{d}` is a public suffix: a browser keeps such a cookie host-only (RFC 6265bis §5.7 step 9)"),
        ));
    }
}

/// §5.4: `__Secure-` needs Secure; `__Host-` needs Secure, host-only and path `/`.
fn prefix_problems(c: &JarCookie, out: &mut Vec<(&'static str, String)>) {
    let lower = c.name.to_ascii_lowercase();
    if (lower.starts_with("__secure-") || lower.starts_with("__host-")) && !c.secure {
        out.push((
            "secure",
            "a `__Secure-` or `__Host-` cookie is always Secure (RFC 6265bis §5.4)".into(),
        ));
    }
    if lower.starts_with("__host-") && (!c.host_only || c.path != "/") {
        out.push((
            "host_only",
            "a `__Host-` cookie is host-only with path `/` (RFC 6265bis §5.4)".into(),
        ));
    }
}

/// The cookie as the jar shows it, expiry on the simulated clock.
fn view(c: &JarCookie, start: i64) -> CookieView {
    CookieView {
        name: c.name.clone(),
        value: c.value.clone(),
        domain: c.domain.trim_start_matches('.').to_ascii_lowercase(),
        host_only: c.host_only,
        path: c.path.clone(),
        secure: c.secure,
        http_only: c.http_only,
        same_site: same_site_label(c.same_site).into(),
        expires: c.expires_in_secs.map(|n| start.saturating_add(n as i64)),
        partition: c.partition.as_ref().map(|p| PartitionKey {
            top_level_site: p.trim_end_matches('/').to_string(),
            cross_site_ancestor: c.partition_cross_site_ancestor,
        }),
    }
}

fn describe(c: &JarCookie) -> String {
    let mut parts = vec![
        if c.host_only {
            format!("{} (host-only)", c.domain)
        } else {
            format!(".{}", c.domain.trim_start_matches('.'))
        },
        format!("path {}", c.path),
    ];
    if c.secure {
        parts.push("Secure".into());
    }
    if c.http_only {
        parts.push("HttpOnly".into());
    }
    parts.push(format!("SameSite {}", same_site_label(c.same_site)));
    parts.push(match c.expires_in_secs {
        Some(n) => format!("expires {n} s after the start"),
        None => "session cookie".into(),
    });
    parts.push(format!("created {} s before the first request", c.age_secs));
    if let Some(p) = &c.partition {
        parts.push(format!("partition {p}"));
    }
    parts.join(", ")
}

/// Puts every readable cookie of `cookies` in `jar` at time `start`; returns
/// the step that lists them and the field errors of the others.
pub fn preload(
    jar: &mut CookieJar,
    cookies: &[JarCookie],
    start: i64,
) -> (Option<Step>, Vec<FieldError>) {
    let mut errors = Vec::new();
    let mut step = Step::new(
        None,
        Phase::Setup,
        Verdict::Ok,
        Reason::CookieInJarAtStart,
        "",
        "",
        spec::COOKIE_STORAGE_MODEL,
    );
    let mut names = Vec::new();
    for (i, c) in cookies.iter().enumerate() {
        let problems = problems(c);
        if !problems.is_empty() {
            for (field, message) in problems {
                errors.push(FieldError {
                    field: format!("jar_at_start.{i}.{field}"),
                    message,
                });
            }
            continue;
        }
        let creation = start.saturating_sub(c.age_secs.min(i64::MAX as u64) as i64);
        jar.preload(&view(c, start), creation);
        let name = if c.name.is_empty() {
            "(name-less cookie)".to_string()
        } else {
            c.name.clone()
        };
        step = step.with(name.clone(), describe(c));
        names.push(format!("`{name}`"));
    }
    if names.is_empty() {
        return (None, errors);
    }
    step.title = if names.len() == 1 {
        format!("{} is already in the cookie jar", names[0]).into()
    } else {
        format!("{} cookies are already in the cookie jar", names.len()).into()
    };
    step.explanation = format!(
        "Before the first request the browser already holds {}, stored earlier (for example by a login before the recording started). They are sent or not by the same rules as cookies the scenario's responses set; their creation time orders the Cookie header and decides Chrome's two-minute Lax-allowing-unsafe window.",
        names.join(", ")
    )
    .into();
    (Some(step), errors)
}
