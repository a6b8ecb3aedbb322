//! Errors an operator sees: the trust file, and the `jwks_uri` fetcher.

/// A trust file could not be used. The message names the file, the issuer and, for a
/// bad key, its `kid`; it is meant for the operator (it may contain paths), not for
/// registrants.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {}{message}", issuer.as_ref().map(|i| format!("issuer {i:?}: ")).unwrap_or_default())]
pub struct TrustFileError {
    /// The trust file's path as given.
    pub file: String,
    /// The issuer concerned, if any.
    pub issuer: Option<String>,
    /// What is wrong and what to do.
    pub message: String,
}

/// A configuration the library refuses (a builder asked for something unsafe).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A clock tolerance over the 300-second maximum.
    #[error("a leeway of {seconds} s is more than the {max} s allowed")]
    LeewayTooLarge {
        /// The largest leeway allowed.
        max: u64,
        /// The leeway asked for.
        seconds: u64,
    },
}

#[cfg(feature = "remote")]
use super::KeyError;

/// A fetch of a `jwks_uri` failed, or the URI was refused (feature `remote`).
///
/// Messages name the URI's host and never a key: they are safe to show to a registrant.
#[cfg(feature = "remote")]
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RemoteError {
    /// The URI is not an absolute URL, has no host, has user information or a
    /// fragment, or a scheme other than https/http.
    #[error("invalid jwks_uri: {0}")]
    InvalidUri(String),
    /// `http://` was used where only https is allowed.
    #[error("jwks_uri for {host} must use https (plain http is only allowed to a loopback address, when enabled)")]
    InsecureScheme {
        /// The URI's host.
        host: String,
    },
    /// The host is, or resolves only to, addresses that are not allowed (not globally
    /// routable, unless the options allow them).
    #[error("{host} is not at an allowed address (only globally routable addresses are fetched)")]
    AddressNotAllowed {
        /// The URI's host.
        host: String,
    },
    /// The fetch took longer than the timeout.
    #[error("fetching the JWK Set from {host} timed out")]
    Timeout {
        /// The URI's host.
        host: String,
    },
    /// No connection could be made (DNS, TCP or TLS).
    #[error("could not connect to {host}: {reason}")]
    Connect {
        /// The URI's host.
        host: String,
        /// What failed.
        reason: String,
    },
    /// The request or the transfer of the body failed after connecting.
    #[error("fetching the JWK Set from {host} failed: {reason}")]
    Http {
        /// The URI's host.
        host: String,
        /// What failed.
        reason: String,
    },
    /// The server answered with a status other than 200 (and not a redirect).
    #[error("{host} answered HTTP {status} for the JWK Set")]
    Status {
        /// The URI's host.
        host: String,
        /// The status code.
        status: u16,
    },
    /// The server answered with a redirect (3xx), or a caller-supplied client followed
    /// one. Redirects are not followed.
    #[error("{host} answered with a redirect; a jwks_uri must serve the JWK Set itself")]
    Redirect {
        /// The URI's host.
        host: String,
    },
    /// The body is larger than the cap.
    #[error("the JWK Set from {host} is larger than {limit} bytes")]
    TooLarge {
        /// The URI's host.
        host: String,
        /// The cap, in bytes.
        limit: usize,
    },
    /// The body is not UTF-8 JSON.
    #[error("the JWK Set from {host} is not valid JSON")]
    InvalidJson {
        /// The URI's host.
        host: String,
    },
    /// The body is JSON but not an acceptable JWK Set (no `keys` array, duplicate
    /// `kid`s, …).
    #[error("the JWK Set from {host} is invalid: {source}")]
    InvalidSet {
        /// The URI's host.
        host: String,
        /// What is wrong with it.
        source: KeyError,
    },
    /// Every key of the set was skipped (invalid or of an unknown type), or it has none.
    #[error("the JWK Set from {host} has no usable key ({skipped} skipped)")]
    NoUsableKeys {
        /// The URI's host.
        host: String,
        /// How many keys were skipped.
        skipped: usize,
    },
    /// The built-in HTTP client could not be built (for example an unreadable extra
    /// root certificate).
    #[error("cannot set up the HTTP client: {0}")]
    Client(String),
}

/// A replay guard could not answer (store unreachable, full, timed out): the registration
/// is refused, never accepted (fail closed; HTTP 503 `temporarily_unavailable`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the replay guard cannot answer: {0}")]
pub struct ReplayError(pub String);
