//! uvicorn's `ProxyHeadersMiddleware` (`uvicorn/middleware/proxy_headers.py`,
//! uvicorn 0.29.0 and 0.55.0), on by default (`--proxy-headers`): the
//! request's scheme comes from `X-Forwarded-Proto` only when the
//! connection comes from an address in `--forwarded-allow-ips`. uvicorn
//! 0.29 compares the address with each item as a string (no networks) and
//! takes any `X-Forwarded-Proto` value; 0.55 also reads networks
//! (`10.0.0.0/8`) and only takes `http`, `https`, `ws` or `wss`.

use std::net::IpAddr;

use crate::fetch::http::WireRequest;

use super::cors::first;
use super::settings::{FastApiApp, FastApiVersion, Front};

/// Is `client` trusted? uvicorn 0.55's `_TrustedHosts.__contains__`: `*`
/// alone, a literal, an address or an IPv4 / IPv6 network (`10.0.0.0/8`);
/// uvicorn 0.29's `client_host in self.trusted_hosts`: `*` among the items,
/// or the exact string.
pub fn is_trusted(version: FastApiVersion, allow: &str, client: &str) -> bool {
    let items: Vec<&str> = allow.split(',').map(str::trim).collect();
    if !version.starlette_1() {
        return items.iter().any(|i| *i == "*" || *i == client);
    }
    if items == ["*"] {
        return true;
    }
    let Ok(ip) = client.parse::<IpAddr>() else {
        return items.contains(&client);
    };
    items.iter().any(|item| match item.split_once('/') {
        Some((net, bits)) => match (net.parse::<IpAddr>(), bits.parse::<u32>()) {
            (Ok(IpAddr::V4(n)), Ok(b)) if b <= 32 => match ip {
                IpAddr::V4(a) => {
                    let mask = if b == 0 { 0 } else { u32::MAX << (32 - b) };
                    u32::from(a) & mask == u32::from(n) & mask
                }
                IpAddr::V6(_) => false,
            },
            (Ok(IpAddr::V6(n)), Ok(b)) if b <= 128 => match ip {
                IpAddr::V6(a) => {
                    let mask = if b == 0 { 0 } else { u128::MAX << (128 - b) };
                    u128::from(a) & mask == u128::from(n) & mask
                }
                IpAddr::V4(_) => false,
            },
            _ => false,
        },
        None => item.parse::<IpAddr>().is_ok_and(|i| i == ip) || *item == client,
    })
}

/// Where the connection to uvicorn comes from: the proxy, or (direct) the
/// browser's machine, loopback when the API is on `localhost`.
pub fn client_ip(app: &FastApiApp, req: &WireRequest) -> String {
    match app.front {
        Front::TlsProxy => app.proxy_ip.clone(),
        Front::Direct => {
            let host = req.host();
            if host == "localhost" || host == "127.0.0.1" || host.ends_with(".localhost") {
                "127.0.0.1".into()
            } else if host == "[::1]" {
                "::1".into()
            } else {
                // A browser on another machine (documentation address).
                "203.0.113.7".into()
            }
        }
    }
}

/// What `request.url.scheme` is, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scheme {
    pub scheme: String,
    /// The `X-Forwarded-Proto` header was there but not trusted.
    pub forwarded_ignored: bool,
}

/// `scope["scheme"]` after `ProxyHeadersMiddleware`: the connection's
/// scheme (`http` behind a TLS proxy), replaced by `X-Forwarded-Proto`
/// (`http`, `https`, `ws`, `wss`) from a trusted address.
pub fn request_scheme(app: &FastApiApp, req: &WireRequest) -> Scheme {
    let (connection, forwarded) = match app.front {
        Front::Direct => (req.scheme(), first(&req.headers, "x-forwarded-proto")),
        // The proxy sets X-Forwarded-Proto to the browser's scheme.
        Front::TlsProxy => ("http".to_string(), Some(req.scheme())),
    };
    let Some(fp) = forwarded else {
        return Scheme {
            scheme: connection,
            forwarded_ignored: false,
        };
    };
    let v = app.version;
    let trusted = app.proxy_headers
        && is_trusted(
            v,
            &app.effective_forwarded_allow_ips(),
            &client_ip(app, req),
        );
    let fp = fp.trim().to_string();
    if trusted && (!v.starlette_1() || ["http", "https", "ws", "wss"].contains(&fp.as_str())) {
        Scheme {
            scheme: fp,
            forwarded_ignored: false,
        }
    } else {
        Scheme {
            forwarded_ignored: connection != fp,
            scheme: connection,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trusted_addresses() {
        // uvicorn 0.29: strings only (the differential suite found that
        // `10.0.0.0/8, 127.0.0.0/8` trusts nobody there).
        for (allow, ip, want) in [
            ("127.0.0.1", "127.0.0.1", true),
            ("10.0.0.0/8, 127.0.0.0/8", "127.0.0.1", false),
            ("10.0.0.1,*", "172.18.0.2", true),
        ] {
            assert_eq!(
                is_trusted(FastApiVersion::V0_110, allow, ip),
                want,
                "{allow} {ip}"
            );
        }
        for (allow, ip, want) in [
            ("127.0.0.1", "127.0.0.1", true),
            ("127.0.0.1", "172.18.0.2", false),
            ("127.0.0.1,::1", "::1", true),
            ("*", "172.18.0.2", true),
            ("172.16.0.0/12", "172.18.0.2", true),
            ("172.16.0.0/12", "10.0.0.1", false),
            ("10.0.0.1, 10.0.0.2", "10.0.0.2", true),
            ("fd00::/8", "fd12::1", true),
            ("/run/nginx.sock", "/run/nginx.sock", true),
        ] {
            assert_eq!(
                is_trusted(FastApiVersion::V0_165, allow, ip),
                want,
                "{allow} {ip}"
            );
        }
    }

    #[test]
    fn scheme_behind_a_proxy() {
        let req = WireRequest {
            method: "GET".into(),
            url: "https://api.example.com/api/me".into(),
            headers: Default::default(),
            is_preflight: false,
        };
        let mut app = FastApiApp {
            front: Front::TlsProxy,
            ..FastApiApp::default()
        };
        // (proxy ip, --forwarded-allow-ips, --proxy-headers, scheme)
        for (ip, allow, on, want) in [
            ("127.0.0.1", None, true, "https"),
            ("172.18.0.2", None, true, "http"),
            ("172.18.0.2", Some("*"), true, "https"),
            ("127.0.0.1", None, false, "http"),
        ] {
            app.proxy_ip = ip.into();
            app.forwarded_allow_ips = allow.map(str::to_string);
            app.proxy_headers = on;
            let s = request_scheme(&app, &req);
            assert_eq!(s.scheme, want, "{ip} {allow:?} {on}");
            assert_eq!(s.forwarded_ignored, want == "http");
        }
    }
}
