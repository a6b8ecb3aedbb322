//! Fuzz targets over web inputs: `Cache-Control` parsing and the URI policy.

use super::*;

/// `Cache-Control` header values (one per input line) through the `jwks_uri` cache
/// lifetime, under the default options and two extreme ones.
///
/// Invariants: the lifetime is never above `max_ttl`, and never below `min_ttl` when
/// `min_ttl <= max_ttl`.
#[cfg(feature = "remote")]
pub fn cache_control(data: &[u8]) {
    use std::time::Duration;

    use reqwest::header::{HeaderMap, HeaderValue, CACHE_CONTROL};

    use crate::RemoteOptions;

    static OPTIONS: OnceLock<[(RemoteOptions, u64, u64); 3]> = OnceLock::new();
    let options = OPTIONS.get_or_init(|| {
        let secs = Duration::from_secs;
        [
            (RemoteOptions::default(), 60, 24 * 60 * 60),
            (
                RemoteOptions::default()
                    .min_ttl(secs(0))
                    .max_ttl(secs(u64::MAX))
                    .default_ttl(secs(7)),
                0,
                u64::MAX,
            ),
            // min_ttl above max_ttl: max_ttl wins.
            (RemoteOptions::default().min_ttl(secs(500)).max_ttl(secs(100)), 500, 100),
        ]
    });
    let mut headers = HeaderMap::new();
    for line in data.split(|&b| b == b'\n') {
        if let Ok(value) = HeaderValue::from_bytes(line) {
            headers.append(CACHE_CONTROL, value);
        }
    }
    for (options, min, max) in options {
        let ttl = options.ttl(&headers);
        assert!(ttl <= *max, "ttl {ttl} above max_ttl {max}");
        if min <= max {
            assert!(ttl >= *min, "ttl {ttl} below min_ttl {min}");
        }
    }
}

/// The URI policy: `check_uri` and `web_uri_problem` on the input as text (and as the
/// `redirect_uris` and `jwks_uri` of metadata), the address-literal helpers, and
/// `is_globally_routable` on the address the text parses as and on the first 4 and 16
/// input bytes as IPv4 and IPv6 addresses.
///
/// Invariants: an accepted URI's scheme is a non-empty RFC 3986 scheme followed by `:`;
/// allowing loopback `http` only widens `web_uri_problem`, and only to `http(s)` URIs;
/// loopback addresses are never global; an IPv4-mapped IPv6 address is judged as its
/// IPv4 address; each wider `AddressScope` allows at least what a narrower one does.
pub fn uri_policy(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let uri = text.as_ref();
    match check_uri(uri) {
        Ok(scheme) => {
            assert!(!scheme.is_empty());
            assert!(scheme.as_bytes()[0].is_ascii_alphabetic());
            assert!(scheme
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.')));
            assert_eq!(uri.as_bytes().get(scheme.len()), Some(&b':'));
            assert!(!uri.contains('#'));
        }
        Err(problem) => assert!(!problem.describe("redirect_uris", Some(0)).is_empty()),
    }
    let https_ok = |loopback| check_uri(uri).is_ok() && web_uri_problem(uri, true, loopback).is_none();
    let strict = https_ok(false);
    let loopback = https_ok(true);
    assert!(!strict || loopback, "allowing loopback http refused a URI");
    if loopback && !strict {
        let scheme = uri.split(':').next().unwrap_or_default();
        assert!(
            scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https"),
            "allowing loopback widened to a URI neither http nor https: {uri}"
        );
    }
    if let Some(ip) = ip_literal(uri) {
        check_address(ip);
    }
    if http_allowed_host(uri) {
        assert!(ip_literal(uri).is_some_and(is_loopback));
    }
    if let Ok(ip) = uri.parse::<IpAddr>() {
        check_address(ip);
    }
    if let Some(octets) = data.first_chunk::<4>() {
        check_address(IpAddr::V4(Ipv4Addr::from(*octets)));
    }
    if let Some(octets) = data.first_chunk::<16>() {
        check_address(IpAddr::V6(Ipv6Addr::from(*octets)));
    }
    for allow_http_loopback in [false, true] {
        let options = ValidationOptions::default().allow_http_loopback(allow_http_loopback);
        for name in ["jwks_uri", "redirect_uris"] {
            let value = if name == "redirect_uris" {
                Value::from(vec![uri])
            } else {
                Value::from(uri)
            };
            let metadata = ClientMetadata::from_map(Map::from_iter([(name.to_owned(), value)]));
            if let Err(e) = metadata.validate(&options) {
                check_error(&e);
            }
        }
    }
}

pub(super) fn check_address(ip: IpAddr) {
    let global = is_globally_routable(ip);
    if is_loopback(ip) {
        assert!(!global, "{ip} is loopback and global");
    }
    if let IpAddr::V6(v6) = ip {
        if let Some(v4) = v6.to_ipv4_mapped() {
            assert_eq!(global, is_globally_routable(IpAddr::V4(v4)), "{ip} judged unlike {v4}");
        }
    }
    let scopes = [AddressScope::GlobalOnly, AddressScope::AlsoLoopback, AddressScope::Any];
    assert_eq!(scopes[0].allows(ip), global);
    for pair in scopes.windows(2) {
        assert!(
            !pair[0].allows(ip) || pair[1].allows(ip),
            "{:?} allows {ip} but {:?} not",
            pair[0],
            pair[1]
        );
    }
}
