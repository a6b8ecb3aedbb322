//! The URI rules (merge rule 12): an absolute URI without fragment (RFC 3986); redirect
//! URIs by scheme policy, never a script or local-data scheme; every other URI member
//! `https` without user information, a client `jwks_uri` never at a non-global address.

use crate::error::Quoted;
use crate::net::{http_allowed_host, ip_literal, is_globally_routable};

/// Why a string is not an absolute URI without fragment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UriProblem {
    NotAbsolute,
    Fragment,
    ForbiddenCharacter,
}

impl UriProblem {
    pub(crate) fn describe(self, name: &str, index: Option<usize>) -> String {
        let what = match self {
            Self::NotAbsolute => "must be an absolute URI",
            Self::Fragment => "must not contain a fragment",
            Self::ForbiddenCharacter => "must not contain spaces or control characters",
        };
        match index {
            Some(index) => format!("{}[{index}] {what}", Quoted(name)),
            None => format!("{} {what}", Quoted(name)),
        }
    }
}

/// Checks an absolute URI without fragment (RFC 3986 §4.3) and returns its scheme.
///
/// The scheme is `ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )` followed by `:`. Any
/// `#` is a fragment delimiter (it may not appear unescaped elsewhere). Spaces and
/// control characters never appear in a URI. Nothing else is parsed.
pub(crate) fn check_uri(uri: &str) -> Result<&str, UriProblem> {
    let bytes = uri.as_bytes();
    let mut colon = None;
    for (at, &b) in bytes.iter().enumerate() {
        if b == b':' {
            colon = Some(at);
            break;
        }
        let scheme_char = if at == 0 {
            b.is_ascii_alphabetic()
        } else {
            b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.')
        };
        if !scheme_char {
            return Err(UriProblem::NotAbsolute);
        }
    }
    let colon = colon.filter(|&at| at > 0).ok_or(UriProblem::NotAbsolute)?;
    let mut fragment = false;
    for &b in &bytes[colon + 1..] {
        if b <= b' ' || b == 0x7f {
            return Err(UriProblem::ForbiddenCharacter);
        }
        fragment |= b == b'#';
    }
    if fragment {
        return Err(UriProblem::Fragment);
    }
    Ok(&uri[..colon])
}

/// Schemes never accepted in a redirect URI, whatever the policy: they run script or
/// read local data in the user's browser (merge rule 12).
pub(crate) const FORBIDDEN_REDIRECT_SCHEMES: [&str; 7] =
    ["javascript", "data", "vbscript", "file", "blob", "about", "filesystem"];

/// The authority of a hierarchical URI (`scheme://authority/...`), or `None`. Assumes
/// [`check_uri`] passed.
fn authority(uri: &str) -> Option<&str> {
    let (_, rest) = uri.split_once(':')?;
    let rest = rest.strip_prefix("//")?;
    Some(rest.split(['/', '?']).next().unwrap_or_default())
}

/// The host of an authority without user information: `[v6]` kept bracketed, the port cut.
fn host(authority: &str) -> &str {
    if authority.starts_with('[') {
        return match authority.find(']') {
            Some(end) => &authority[..=end],
            None => authority,
        };
    }
    authority.split(':').next().unwrap_or_default()
}

/// A port, when present, is digits.
fn port_ok(authority: &str, host: &str) -> bool {
    let rest = &authority[host.len()..];
    rest.is_empty()
        || rest
            .strip_prefix(':')
            .is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// `http` to a loopback host — `127.0.0.0/8`, `[::1]` or `localhost` — as RFC 8252 §7.3
/// lets native apps use (the `loopback` entry of a redirect URI policy). Assumes
/// [`check_uri`] passed.
pub(crate) fn is_loopback_redirect(uri: &str, scheme: &str) -> bool {
    if !scheme.eq_ignore_ascii_case("http") {
        return false;
    }
    let Some(authority) = authority(uri) else { return false };
    if authority.contains('@') {
        return false;
    }
    let host = host(authority);
    (host.eq_ignore_ascii_case("localhost") || http_allowed_host(host)) && port_ok(authority, host)
}

/// Why a URI member other than a redirect URI is refused (merge rule 12): not `https`
/// (or, for a `jwks_uri` when allowed, `http` to a loopback address literal), no host,
/// user information, or — for a `jwks_uri` — an IP-literal host outside the global
/// range. `None` when it is acceptable. Assumes [`check_uri`] passed.
pub(crate) fn web_uri_problem(uri: &str, jwks_uri: bool, allow_http_loopback: bool) -> Option<&'static str> {
    let scheme = uri.split(':').next().unwrap_or_default();
    let Some(authority) = authority(uri) else {
        return Some("must be an https URI");
    };
    if authority.contains('@') {
        return Some("must not contain user information");
    }
    let host = host(authority);
    if host.is_empty() || !port_ok(authority, host) {
        return Some("must be an https URI with a host");
    }
    let loopback_allowed = jwks_uri && allow_http_loopback && http_allowed_host(host);
    let http_ok = loopback_allowed && scheme.eq_ignore_ascii_case("http");
    if !(scheme.eq_ignore_ascii_case("https") || http_ok) {
        return Some(if jwks_uri && allow_http_loopback {
            "must be an https URI (or http to a loopback address)"
        } else {
            "must be an https URI"
        });
    }
    if jwks_uri && !loopback_allowed {
        if let Some(ip) = ip_literal(host) {
            if !is_globally_routable(ip) {
                return Some("must not name an address outside the global range");
            }
        }
    }
    None
}
