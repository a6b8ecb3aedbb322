//! The URI rules: an absolute URI without fragment (RFC 3986), and `https` (or `http` to
//! a loopback address literal, when allowed).

use crate::error::Quoted;
use crate::net::http_allowed_host;

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

/// An `https://host…` URI, or `http://` to a loopback address (127.0.0.0/8, `[::1]`)
/// when allowed. Assumes [`check_uri`] passed.
pub(crate) fn is_https_uri(uri: &str, allow_http_loopback: bool) -> bool {
    let Some((scheme, rest)) = uri.split_once(':') else {
        return false;
    };
    let Some(rest) = rest.strip_prefix("//") else {
        return false;
    };
    let authority = rest.split(['/', '?']).next().unwrap_or_default();
    if scheme.eq_ignore_ascii_case("https") {
        return !authority.is_empty() && !authority.starts_with(['@', ':']);
    }
    allow_http_loopback && scheme.eq_ignore_ascii_case("http") && is_loopback_authority(authority)
}

/// `HOST[:port]` where HOST passes the shared plain-`http` rule (a loopback address
/// literal); no userinfo.
fn is_loopback_authority(authority: &str) -> bool {
    let (host, port) = match authority.strip_prefix('[') {
        Some(rest) => match rest.split_once(']') {
            Some((_, after)) => authority.split_at(authority.len() - after.len()),
            None => return false,
        },
        None => authority.split_at(authority.find(':').unwrap_or(authority.len())),
    };
    http_allowed_host(host)
        && (port.is_empty()
            || port
                .strip_prefix(':')
                .is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())))
}
