//! `HttpRequest.get_host()`, `.scheme` and `ALLOWED_HOSTS`
//! (`django/http/request.py`, `is_same_domain` in `django/utils/http.py`).

use crate::http::WireRequest;

use super::settings::DjangoApp;

/// The `request.META` key of a header (`X-CSRFToken` → `HTTP_X_CSRFTOKEN`)
/// and back: WSGI upper-cases the name and turns `-` into `_`.
pub fn meta_key(header: &str) -> String {
    format!("HTTP_{}", header.to_ascii_uppercase().replace('-', "_"))
}

/// The header a `request.META` key reads, if it names one (`HTTP_…`).
pub fn header_of_meta_key(key: &str) -> Option<String> {
    key.strip_prefix("HTTP_")
        .map(|h| h.to_ascii_lowercase().replace('_', "-"))
}

/// `request.META[key]`: the header it names. Servers drop headers whose
/// name holds `_` (runserver and most WSGI servers), so only `-` names count.
pub fn meta(req: &WireRequest, key: &str) -> Option<String> {
    req.headers.get(&header_of_meta_key(key)?)
}

/// `Host` as the request carries it: the header, else the URL's authority
/// (a browser always sends the URL's host and port).
pub fn raw_host(req: &WireRequest) -> String {
    if let Some(h) = req.headers.get("host") {
        return h;
    }
    match url::Url::parse(&req.url) {
        Ok(u) => {
            let host = u.host_str().unwrap_or("").to_string();
            match u.port() {
                Some(p) => format!("{host}:{p}"),
                None => host,
            }
        }
        Err(_) => String::new(),
    }
}

/// `split_domain_port`: the lower-cased domain (trailing dot removed) and
/// port, or empty strings when the host does not match
/// `^([a-z0-9.-]+|\[[a-f0-9]*:[a-f0-9.:]+\])(?::([0-9]+))?$`.
pub fn split_domain_port(host: &str) -> (String, String) {
    let host = host.to_ascii_lowercase();
    let (domain, port) = if host.starts_with('[') {
        let Some(end) = host.find(']') else {
            return (String::new(), String::new());
        };
        let inner = &host[1..end];
        let Some(colon) = inner.find(':') else {
            return (String::new(), String::new());
        };
        let ok = inner[..colon].chars().all(|c| c.is_ascii_hexdigit())
            && !inner[colon + 1..].is_empty()
            && inner[colon + 1..]
                .chars()
                .all(|c| c.is_ascii_hexdigit() || c == '.' || c == ':');
        if !ok {
            return (String::new(), String::new());
        }
        (&host[..=end], &host[end + 1..])
    } else {
        match host.find(':') {
            Some(i) => (&host[..i], &host[i..]),
            None => (&host[..], ""),
        }
    };
    if !domain.starts_with('[')
        && (domain.is_empty()
            || !domain
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-'))
    {
        return (String::new(), String::new());
    }
    let port = match port.strip_prefix(':') {
        Some(p) if !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()) => p,
        None if port.is_empty() => "",
        _ => return (String::new(), String::new()),
    };
    let domain = domain.strip_suffix('.').unwrap_or(domain);
    (domain.to_string(), port.to_string())
}

/// `is_same_domain(host, pattern)`: a pattern starting with `.` matches the
/// domain and its subdomains, anything else only itself.
pub fn is_same_domain(host: &str, pattern: &str) -> bool {
    if pattern.is_empty() {
        return false;
    }
    let pattern = pattern.to_ascii_lowercase();
    (pattern.starts_with('.') && (host.ends_with(&pattern) || host == &pattern[1..]))
        || pattern == host
}

/// `ALLOWED_HOSTS` in force: with `DEBUG = True` and an empty list, Django
/// allows `.localhost`, `127.0.0.1` and `[::1]`.
pub fn effective_allowed_hosts(app: &DjangoApp) -> Vec<String> {
    if app.debug && app.allowed_hosts.is_empty() {
        return vec![".localhost".into(), "127.0.0.1".into(), "[::1]".into()];
    }
    app.allowed_hosts.clone()
}

/// Why `get_host()` raised `DisallowedHost`, in Django's words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DisallowedHost {
    pub host: String,
    pub message: String,
}

/// `HttpRequest.get_host()`: the Host if `ALLOWED_HOSTS` allows it.
pub fn get_host(app: &DjangoApp, req: &WireRequest) -> Result<String, DisallowedHost> {
    let host = raw_host(req);
    let allowed = effective_allowed_hosts(app);
    let (domain, _) = split_domain_port(&host);
    if !domain.is_empty()
        && allowed
            .iter()
            .any(|p| p == "*" || is_same_domain(&domain, p))
    {
        return Ok(host);
    }
    let mut message = format!("Invalid HTTP_HOST header: {}.", py_repr(&host));
    if domain.is_empty() {
        message.push_str(" The domain name provided is not valid according to RFC 1034/1035.");
    } else {
        message.push_str(&format!(
            " You may need to add {} to ALLOWED_HOSTS.",
            py_repr(&domain)
        ));
    }
    Err(DisallowedHost { host, message })
}

/// `request.scheme`: `SECURE_PROXY_SSL_HEADER`'s header decides when it is
/// present (its first comma-separated value must equal the secure value),
/// else the connection's scheme.
pub fn scheme(app: &DjangoApp, req: &WireRequest) -> String {
    if let Some((key, secure_value)) = &app.secure_proxy_ssl_header {
        if let Some(v) = meta(req, key) {
            let first = v.split(',').next().unwrap_or("").trim();
            return if first == secure_value {
                "https"
            } else {
                "http"
            }
            .into();
        }
    }
    req.scheme()
}

pub fn is_secure(app: &DjangoApp, req: &WireRequest) -> bool {
    scheme(app, req) == "https"
}

/// The port the request came to (`SERVER_PORT`).
pub fn server_port(req: &WireRequest) -> String {
    match url::Url::parse(&req.url) {
        Ok(u) => u.port_or_known_default().unwrap_or(80).to_string(),
        Err(_) => "80".into(),
    }
}

/// Python's `repr()` of a str (single quotes unless the text holds one).
pub fn py_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::new();
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_domain_port_follows_the_regexp() {
        assert_eq!(
            split_domain_port("Example.COM:8000"),
            ("example.com".into(), "8000".into())
        );
        assert_eq!(
            split_domain_port("example.com."),
            ("example.com".into(), "".into())
        );
        assert_eq!(split_domain_port("[::1]:80"), ("[::1]".into(), "80".into()));
        assert_eq!(split_domain_port("bad_host"), ("".into(), "".into()));
        assert_eq!(split_domain_port("a.com:"), ("".into(), "".into()));
        assert_eq!(split_domain_port("a.com:x"), ("".into(), "".into()));
    }

    #[test]
    fn same_domain_patterns() {
        assert!(is_same_domain("api.example.com", ".example.com"));
        assert!(is_same_domain("example.com", ".example.com"));
        assert!(!is_same_domain("badexample.com", ".example.com"));
        assert!(is_same_domain("example.com", "EXAMPLE.com"));
        assert!(!is_same_domain("example.com", ""));
    }

    #[test]
    fn repr_like_python() {
        assert_eq!(py_repr("a.com"), "'a.com'");
        assert_eq!(py_repr("it's"), "\"it's\"");
    }
}
