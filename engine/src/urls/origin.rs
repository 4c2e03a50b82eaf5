//! URLs and origins (URL Standard, HTML §Origins), and which origins count
//! as potentially trustworthy (Secure Contexts).

use url::{Host, Url};

/// HTML §Origins: an opaque origin, or a (scheme, host, port) tuple.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Origin {
    Opaque,
    Tuple {
        scheme: String,
        host: String,
        /// `None` when the URL uses the scheme's default port.
        port: Option<u16>,
    },
}

impl Origin {
    /// URL Standard §Origin: http(s), ws(s) and ftp URLs have tuple origins;
    /// everything else (file:, data:, about:) is opaque.
    pub fn of(url: &Url) -> Origin {
        match url.scheme() {
            "http" | "https" | "ws" | "wss" | "ftp" => match url.host() {
                Some(host) => Origin::Tuple {
                    scheme: url.scheme().to_string(),
                    host: host_string(&host),
                    port: url.port(),
                },
                None => Origin::Opaque,
            },
            _ => Origin::Opaque,
        }
    }

    /// HTML §Serialization of an origin: `scheme://host[:port]`, or `null`.
    /// This is the exact string the browser sends in `Origin` and compares
    /// with `Access-Control-Allow-Origin` byte for byte.
    pub fn serialize(&self) -> String {
        match self {
            Origin::Opaque => "null".into(),
            Origin::Tuple { scheme, host, port } => match port {
                Some(p) => format!("{scheme}://{host}:{p}"),
                None => format!("{scheme}://{host}"),
            },
        }
    }

    /// HTML §same origin: both tuples with equal scheme, host and port.
    /// (Two opaque origins are only same-origin if they are the same one;
    /// the simulator never compares two.)
    pub fn same_origin(&self, other: &Origin) -> bool {
        matches!(self, Origin::Tuple { .. }) && self == other
    }

    pub fn host(&self) -> Option<&str> {
        match self {
            Origin::Tuple { host, .. } => Some(host),
            Origin::Opaque => None,
        }
    }

    pub fn scheme(&self) -> Option<&str> {
        match self {
            Origin::Tuple { scheme, .. } => Some(scheme),
            Origin::Opaque => None,
        }
    }
}

/// Host as serialized in URLs: IPv6 in brackets.
pub fn host_string(host: &Host<&str>) -> String {
    match host {
        Host::Domain(d) => d.to_string(),
        Host::Ipv4(ip) => ip.to_string(),
        Host::Ipv6(ip) => format!("[{ip}]"),
    }
}

/// Parses a URL the way the browser would (WHATWG URL parser), resolving a
/// relative reference against `base` (the page URL). The error is a sentence
/// for the field.
pub fn parse_url(input: &str, base: Option<&Url>) -> Result<Url, String> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err("the URL is empty".into());
    }
    let ascii = ascii_host(trimmed);
    let trimmed_ascii = ascii.as_deref().unwrap_or(trimmed);
    let parsed = match base {
        Some(base) => base.join(trimmed_ascii),
        None => Url::parse(trimmed_ascii),
    };
    let url = parsed.map_err(|e| match e {
        url::ParseError::RelativeUrlWithoutBase => {
            format!("`{trimmed}` is not an absolute URL: start it with http:// or https://")
        }
        other => format!("`{trimmed}` is not a valid URL ({other})"),
    })?;
    match url.scheme() {
        "http" | "https" => {}
        other => {
            if let Some(fixed) = missing_scheme(trimmed) {
                // URL Standard §scheme state: `localhost:3000` parses as the
                // scheme `localhost:` (fetch() then refuses the scheme).
                return Err(format!(
                    "`{trimmed}` has no http:// or https://, so it reads as a URL with the scheme `{other}:` rather than a host and port: write `{fixed}`"
                ));
            }
            return Err(format!(
                "`{other}:` URLs are not simulated: use http:// or https://"
            ));
        }
    }
    if url.host().is_none() {
        return Err(format!("`{trimmed}` has no host"));
    }
    Ok(url)
}

/// `localhost:3000/app` or `api.example.test:8443` typed without a scheme:
/// the URL it was meant to be (`http://` for loopback names, `https://`
/// otherwise), when what precedes the colon is a host and a port follows.
fn missing_scheme(input: &str) -> Option<String> {
    let (host, rest) = input.split_once(':')?;
    let port_len = rest.bytes().take_while(u8::is_ascii_digit).count();
    let after_port = &rest[port_len..];
    let host_like = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
    if !host_like
        || port_len == 0
        || !(after_port.is_empty() || after_port.starts_with(['/', '?', '#']))
    {
        return None;
    }
    let loopback = host == "localhost" || host.ends_with(".localhost") || host.starts_with("127.");
    let scheme = if loopback { "http" } else { "https" };
    Some(format!("{scheme}://{input}"))
}

/// URL Standard §"domain to ASCII" for an international host name (`bücher.example`):
/// each non-ASCII label is lowercased and Punycode-encoded (`xn--bcher-kva.example`), which
/// is what browsers send for the names people type. The full UTS #46 mapping tables
/// (full-width letters, compatibility characters, disallowed code points) are left out of
/// the WebAssembly build to keep it small, so such exotic names are taken as written.
/// Returns the input with its host rewritten, or `None` when the host is already ASCII.
pub fn ascii_host(input: &str) -> Option<String> {
    let (scheme, rest) = input.split_once("://")?;
    let authority_end = rest.find(['/', '\\', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let host_start = authority.rfind('@').map_or(0, |at| at + 1);
    let (userinfo, host_port) = authority.split_at(host_start);
    let host_end = match host_port.rfind(':') {
        Some(colon) if !host_port.starts_with('[') => colon,
        _ => host_port.len(),
    };
    let (host, port) = host_port.split_at(host_end);
    if host.is_ascii() {
        return None;
    }
    // UTS #46 maps the ideographic and full-width full stops to `.`.
    let host = host.replace(['\u{3002}', '\u{FF0E}', '\u{FF61}'], ".");
    let labels: Option<Vec<String>> = host
        .split('.')
        .map(|label| {
            if label.is_ascii() {
                Some(label.to_ascii_lowercase())
            } else {
                let encoded = idna::punycode::encode_str(&label.to_lowercase())?;
                Some(format!("xn--{encoded}"))
            }
        })
        .collect();
    Some(format!(
        "{scheme}://{userinfo}{}{port}{tail}",
        labels?.join(".")
    ))
}

/// True for `localhost`, `*.localhost`, `127.0.0.0/8` and `[::1]`.
pub fn is_loopback_host(host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    if host == "localhost" || host.ends_with(".localhost") {
        return true;
    }
    if host == "[::1]" || host == "::1" {
        return true;
    }
    match host.parse::<std::net::Ipv4Addr>() {
        Ok(ip) => ip.octets()[0] == 127,
        Err(_) => false,
    }
}

/// Secure Contexts §3.1 "Is origin potentially trustworthy?": https/wss,
/// loopback IPs, and `localhost` / `*.localhost` (step 5, as browsers ship it).
pub fn is_potentially_trustworthy(url: &Url) -> bool {
    match url.scheme() {
        "https" | "wss" => true,
        _ => url
            .host()
            .map(|h| is_loopback_host(&host_string(&h)))
            .unwrap_or(false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin(s: &str) -> String {
        Origin::of(&Url::parse(s).unwrap()).serialize()
    }

    #[test]
    fn serializes_like_the_origin_header() {
        // HTML §Serialization of an origin: default port omitted, no path, lower-case host.
        assert_eq!(
            origin("http://localhost:3000/login"),
            "http://localhost:3000"
        );
        assert_eq!(origin("https://EXAMPLE.com:443/x"), "https://example.com");
        assert_eq!(origin("http://[::1]:8080/"), "http://[::1]:8080");
        assert_eq!(origin("file:///tmp/x.html"), "null");
    }

    #[test]
    fn same_origin_needs_scheme_host_and_port() {
        let o = |s: &str| Origin::of(&Url::parse(s).unwrap());
        assert!(o("http://localhost:3000/a").same_origin(&o("http://localhost:3000/b")));
        assert!(!o("http://localhost:3000").same_origin(&o("http://localhost:3001")));
        assert!(!o("http://localhost").same_origin(&o("https://localhost")));
        assert!(!o("http://localhost").same_origin(&o("http://127.0.0.1")));
    }

    #[test]
    fn trustworthy_origins() {
        let t = |s: &str| is_potentially_trustworthy(&Url::parse(s).unwrap());
        assert!(t("https://example.com"));
        assert!(t("http://localhost:3000"));
        assert!(t("http://app.localhost"));
        assert!(t("http://127.0.0.1:8080"));
        assert!(t("http://127.8.9.10"));
        assert!(t("http://[::1]:3000"));
        assert!(!t("http://example.com"));
        assert!(!t("http://localhost.example.com"));
    }

    #[test]
    fn parse_errors_are_sentences() {
        assert!(parse_url("", None).unwrap_err().contains("empty"));
        assert!(parse_url("/me", None).unwrap_err().contains("absolute"));
        assert!(parse_url("ftp://x/", None).unwrap_err().contains("ftp"));
        let base = Url::parse("http://localhost:3000/app/").unwrap();
        assert_eq!(
            parse_url("/me", Some(&base)).unwrap().as_str(),
            "http://localhost:3000/me"
        );
        assert!(parse_url("http://exa mple.com", None).is_err());
    }

    #[test]
    fn international_hosts_become_punycode() {
        // What browsers send (URL Standard §"domain to ASCII").
        let cases = [
            (
                "http://bücher.example/x?q=ü",
                "http://xn--bcher-kva.example/x?q=ü",
            ),
            (
                "https://BÜCHER.example:8443/",
                "https://xn--bcher-kva.example:8443/",
            ),
            (
                "http://user:pw@bücher.example",
                "http://user:pw@xn--bcher-kva.example",
            ),
            ("http://例え。テスト/", "http://xn--r8jz45g.xn--zckzah/"),
        ];
        for (input, want) in cases {
            assert_eq!(ascii_host(input).as_deref(), Some(want), "{input}");
            let url = parse_url(input, None).unwrap();
            assert!(url.host_str().unwrap().is_ascii(), "{input}");
        }
        assert_eq!(ascii_host("http://example.com/ü"), None);
        assert_eq!(ascii_host("not a url"), None);
        assert_eq!(
            parse_url("http://xn--bcher-kva.example/", None)
                .unwrap()
                .host_str(),
            Some("xn--bcher-kva.example")
        );
    }
}
