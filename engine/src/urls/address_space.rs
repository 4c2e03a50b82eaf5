//! Local Network Access §IP address space: where a URL's host sits, loopback,
//! local (private) or public, as Chromium decides it before the connection
//! (`services/network/public/cpp/ip_address_space_util.cc`,
//! `GetAddressSpaceFromUrl`): IP literals by their range, `localhost` and
//! `*.localhost` as loopback, `local` and `*.local` (mDNS names) as local.
//! Any other name is only known once DNS answers, which a simulation cannot
//! do: it is [`AddressSpace::Unknown`], which Chromium treats as public.

use std::net::{Ipv4Addr, Ipv6Addr};

use serde::{Deserialize, Serialize};
use url::{Host, Url};

/// An IP address space, most private first (LNA §IP address space; the
/// names of the `targetAddressSpace` fetch option).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AddressSpace {
    /// This device: `127.0.0.0/8`, `::1`, `localhost`.
    Loopback,
    /// The local network: the private ranges (`10/8`, `172.16/12`,
    /// `192.168/16`), link-local, `fc00::/7`, and `.local` names.
    Local,
    /// Everything else.
    Public,
    /// A host name whose address only DNS can tell (treated as public).
    Unknown,
}

impl AddressSpace {
    /// The word the `targetAddressSpace` option and DevTools use.
    pub fn key(self) -> &'static str {
        match self {
            AddressSpace::Loopback => "loopback",
            AddressSpace::Local => "local",
            AddressSpace::Public => "public",
            AddressSpace::Unknown => "unknown",
        }
    }

    /// The values a `targetAddressSpace` option can take.
    pub fn from_key(key: &str) -> Option<AddressSpace> {
        match key {
            "loopback" => Some(AddressSpace::Loopback),
            "local" => Some(AddressSpace::Local),
            "public" => Some(AddressSpace::Public),
            _ => None,
        }
    }

    /// Loopback or local: what a page on a public address needs the user's
    /// permission to reach.
    pub fn is_private(self) -> bool {
        matches!(self, AddressSpace::Loopback | AddressSpace::Local)
    }
}

/// The address space of `url`'s host, from the URL alone.
pub fn address_space_of_url(url: &Url) -> AddressSpace {
    match url.host() {
        Some(Host::Ipv4(ip)) => ipv4_space(ip),
        Some(Host::Ipv6(ip)) => ipv6_space(ip),
        Some(Host::Domain(name)) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            if name == "localhost" || name.ends_with(".localhost") {
                AddressSpace::Loopback
            } else if name == "local" || name.ends_with(".local") {
                AddressSpace::Local
            } else {
                AddressSpace::Unknown
            }
        }
        None => AddressSpace::Unknown,
    }
}

/// `ip_address_space_util.cc`'s table for IPv4, first match wins.
fn ipv4_space(ip: Ipv4Addr) -> AddressSpace {
    let [a, b, ..] = ip.octets();
    if a == 127 || ip.is_unspecified() {
        AddressSpace::Loopback
    } else if a == 10
        || (a == 172 && (16..32).contains(&b))
        || (a == 192 && b == 168)
        || (a == 169 && b == 254)
        || a == 0
        || (a == 100 && (64..128).contains(&b))
    {
        AddressSpace::Local
    } else {
        AddressSpace::Public
    }
}

/// The IPv6 table; an IPv4-mapped address takes its IPv4 address's space.
fn ipv6_space(ip: Ipv6Addr) -> AddressSpace {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return ipv4_space(v4);
    }
    let s = ip.segments();
    if ip.is_loopback() || ip.is_unspecified() {
        AddressSpace::Loopback
    } else if (s[0] & 0xfe00) == 0xfc00 // fc00::/7, unique local
        || (s[0] & 0xffc0) == 0xfe80 // fe80::/10, link-local
        || (s[0] & 0xffc0) == 0xfec0 // fec0::/10, site-local
        || (s[0] == 0x2001 && s[1] == 0x0db8) // 2001:db8::/32, documentation
        || (s[0] == 0x3fff && (s[1] & 0xf000) == 0)
    // 3fff::/20, documentation
    {
        AddressSpace::Local
    } else {
        AddressSpace::Public
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn space(u: &str) -> AddressSpace {
        address_space_of_url(&Url::parse(u).unwrap())
    }

    #[test]
    fn ranges_as_chromium_lists_them() {
        use AddressSpace::*;
        for (url, want) in [
            ("http://127.0.0.1:3001/", Loopback),
            ("http://127.255.0.9/", Loopback),
            ("http://0.0.0.0:8000/", Loopback),
            ("http://[::1]:3001/", Loopback),
            ("http://localhost:3001/", Loopback),
            ("http://api.localhost/", Loopback),
            ("http://10.0.0.2/", Local),
            ("http://172.16.0.1/", Local),
            ("http://172.31.255.255/", Local),
            ("http://172.32.0.1/", Public),
            ("http://192.168.1.20:8080/", Local),
            ("http://169.254.169.254/", Local),
            ("http://100.64.0.1/", Local),
            ("http://100.128.0.1/", Public),
            ("http://[fd00::1]/", Local),
            ("http://[fe80::1]/", Local),
            ("http://[::ffff:192.168.0.1]/", Local),
            ("http://[::ffff:127.0.0.1]/", Loopback),
            ("http://printer.local/", Local),
            ("http://printer.local./", Local),
            ("http://8.8.8.8/", Public),
            ("http://[2606:4700::1111]/", Public),
            ("https://api.example.com/", Unknown),
            ("https://localhost.example.com/", Unknown),
        ] {
            assert_eq!(space(url), want, "{url}");
        }
    }
}
