//! The address policy, written once: which IP addresses are globally routable, which
//! are loopback, and the rule for plain `http` URIs (loopback address literals only). Used
//! by metadata validation (a client's `jwks_uri`) and by the `jwks_uri` fetcher.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Which addresses a `jwks_uri` may be fetched from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum AddressScope {
    /// Globally routable addresses only ([`is_globally_routable`]); the default.
    #[default]
    GlobalOnly,
    /// Globally routable and loopback addresses (tests, local setups).
    AlsoLoopback,
    /// Any address, private and link-local ranges included.
    Any,
}

impl AddressScope {
    /// Whether `ip` is in this scope.
    pub fn allows(self, ip: IpAddr) -> bool {
        match self {
            Self::GlobalOnly => is_globally_routable(ip),
            Self::AlsoLoopback => is_globally_routable(ip) || is_loopback(ip),
            Self::Any => true,
        }
    }
}

/// Whether `ip` is globally routable: the only addresses a `jwks_uri` is fetched from
/// unless the [`AddressScope`] allows more.
///
/// Refused: IPv4 `0.0.0.0/8` (unspecified), `10/8`, `100.64/10` (CGNAT), `127/8`,
/// `169.254/16`, `172.16/12`, `192.0.0/24`, `192.0.2/24`, `192.88.99/24` (6to4 relay),
/// `192.168/16`, `198.18/15` (benchmarking), `198.51.100/24`, `203.0.113/24`,
/// `224/4` (multicast), `240/4` (reserved, with the broadcast address). IPv6: everything
/// outside `2000::/3` (global unicast) — so `::`, `::1`, `fc00::/7`, `fe80::/10`,
/// `ff00::/8`, `100::/64`, `64:ff9b:1::/48` — except that `::ffff:0:0/96` (IPv4-mapped)
/// and `64:ff9b::/96` (NAT64) are judged by their embedded IPv4 address; inside
/// `2000::/3`, `2001::/23` (IETF protocol assignments, Teredo, benchmarking),
/// `2001:db8::/32` and `3fff::/20` (documentation) are refused and `2002::/16` (6to4)
/// is judged by its embedded IPv4 address.
pub fn is_globally_routable(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_global_v4(v4),
        IpAddr::V6(v6) => is_global_v6(v6),
    }
}

fn is_global_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(a == 0
        || a == 10
        || (a == 100 && (64..128).contains(&b))
        || a == 127
        || (a == 169 && b == 254)
        || (a == 172 && (16..32).contains(&b))
        || (a == 192 && b == 0 && c == 0)
        || (a == 192 && b == 0 && c == 2)
        || (a == 192 && b == 88 && c == 99)
        || (a == 192 && b == 168)
        || (a == 198 && (b == 18 || b == 19))
        || (a == 198 && b == 51 && c == 100)
        || (a == 203 && b == 0 && c == 113)
        || a >= 224)
}

fn is_global_v6(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    let embedded = |hi: u16, lo: u16| Ipv4Addr::new((hi >> 8) as u8, hi as u8, (lo >> 8) as u8, lo as u8);
    // ::ffff:a.b.c.d
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_global_v4(v4);
    }
    // 64:ff9b::a.b.c.d (RFC 6052 well-known NAT64 prefix)
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return is_global_v4(embedded(s[6], s[7]));
    }
    // Only 2000::/3 is allocated global unicast.
    if s[0] & 0xe000 != 0x2000 {
        return false;
    }
    // 2001::/23: IETF protocol assignments (Teredo 2001::/32, benchmarking 2001:2::/48, ORCHID).
    if s[0] == 0x2001 && s[1] < 0x0200 {
        return false;
    }
    // 2001:db8::/32 and 3fff::/20: documentation.
    if (s[0] == 0x2001 && s[1] == 0x0db8) || (s[0] == 0x3fff && s[1] < 0x1000) {
        return false;
    }
    // 2002::/16: 6to4, the IPv4 address in bits 16..48.
    if s[0] == 0x2002 {
        return is_global_v4(embedded(s[1], s[2]));
    }
    true
}

pub(crate) fn is_loopback(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(v6) => v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback()),
    }
}

/// The IP address of a URI host written as a literal (`127.0.0.1`, `[::1]`), or `None`
/// for a host name.
pub(crate) fn ip_literal(host: &str) -> Option<IpAddr> {
    host.strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host)
        .parse()
        .ok()
}

/// The plain-`http` rule: a host is reachable over `http` only when it is a loopback
/// address literal (`127.0.0.0/8`, `[::1]`): no host name, not even `localhost`.
pub(crate) fn http_allowed_host(host: &str) -> bool {
    ip_literal(host).is_some_and(is_loopback)
}
