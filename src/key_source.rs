//! Where keys come from — an in-memory JWK Set or a fetched `jwks_uri` — and the one
//! place that decides whether keys are served from memory, from the cache, or fetched.
//! Used by [`Verifier`](crate::Verifier) for an issuer's keys and by
//! [`ClientKeys`](crate::ClientKeys) for a client's, on the sync and the async path.

use std::sync::Arc;

use crate::error::StatementError;
use crate::jwk::{JwkSet, SkippedKey};

/// Where a set of verification keys comes from.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum KeySource {
    /// A JWK Set held in memory (inline `jwks` or `jwks_file`).
    Jwks(Arc<JwkSet>),
    /// A `jwks_uri`, fetched and cached (feature `remote`).
    #[cfg(feature = "remote")]
    Remote(Arc<crate::remote::RemoteJwks>),
}

impl KeySource {
    /// Whether keys must be fetched before they can verify anything: a `jwks_uri` with
    /// nothing usable in its cache. The synchronous verification paths then answer "keys
    /// unavailable"; use the async ones.
    pub fn needs_fetch(&self) -> bool {
        match self {
            KeySource::Jwks(_) => false,
            #[cfg(feature = "remote")]
            KeySource::Remote(remote) => remote.cached().is_none(),
        }
    }

    /// Whether the keys come from a `jwks_uri`.
    pub fn is_remote(&self) -> bool {
        !matches!(self, KeySource::Jwks(_))
    }

    /// The `jwks_uri`, for a remote source.
    pub fn uri(&self) -> Option<&str> {
        match self {
            KeySource::Jwks(_) => None,
            #[cfg(feature = "remote")]
            KeySource::Remote(remote) => Some(remote.uri()),
        }
    }

    /// The keys that were skipped (of an unknown type, marked for encryption, or — in a
    /// fetched set — invalid), for reporting to the operator.
    pub fn skipped(&self) -> Vec<SkippedKey> {
        match self {
            KeySource::Jwks(set) => set.skipped().to_vec(),
            #[cfg(feature = "remote")]
            KeySource::Remote(remote) => remote.last_skipped(),
        }
    }

    /// The keys available without waiting: the in-memory set, or a `jwks_uri`'s cached
    /// set. `owner` (the issuer, or the client's `jwks_uri`) names the keys in the error.
    pub(crate) fn available(&self, owner: &str) -> Result<Arc<JwkSet>, StatementError> {
        let _ = owner; // Named in the error of a remote source only.
        match self {
            KeySource::Jwks(set) => Ok(set.clone()),
            #[cfg(feature = "remote")]
            KeySource::Remote(remote) => remote
                .cached()
                .ok_or_else(|| unavailable(owner, "not fetched yet".into())),
        }
    }

    /// The keys for a token whose header names `kid` (if any), fetching a `jwks_uri`
    /// when the cache cannot serve it (refetching once per cooldown for an unknown
    /// `kid`).
    #[cfg(feature = "remote")]
    pub(crate) async fn resolve(&self, owner: &str, kid: Option<&str>) -> Result<Arc<JwkSet>, StatementError> {
        match self {
            KeySource::Jwks(set) => Ok(set.clone()),
            KeySource::Remote(remote) => {
                let fetched = match kid {
                    Some(kid) => remote.keys_for_kid(kid).await,
                    None => remote.keys().await,
                };
                fetched.map_err(|e| unavailable(owner, e.to_string()))
            }
        }
    }
}

#[cfg(feature = "remote")]
fn unavailable(owner: &str, reason: String) -> StatementError {
    StatementError::KeysUnavailable {
        issuer: owner.to_owned(),
        reason,
    }
}
