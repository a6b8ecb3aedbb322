//! The trust policy for one issuer.

use std::sync::Arc;

use crate::jwa::{Algorithm, AlgorithmSet};
use crate::jwk::JwkSet;
use crate::key_source::KeySource;

/// The trust policy for one issuer.
#[derive(Clone, Debug)]
pub struct IssuerPolicy {
    pub(super) keys: KeySource,
    pub(super) algorithms: Option<AlgorithmSet>,
    pub(super) required_claims: Vec<String>,
    pub(super) max_age: Option<u64>,
    pub(super) audience: Vec<String>,
    pub(super) typ: Option<String>,
}

impl IssuerPolicy {
    /// A policy whose keys come from `keys`; algorithms default to what the keys allow.
    pub fn new(keys: KeySource) -> Self {
        IssuerPolicy {
            keys,
            algorithms: None,
            required_claims: Vec::new(),
            max_age: None,
            audience: Vec::new(),
            typ: None,
        }
    }

    /// A policy over an in-memory JWK Set.
    pub fn with_jwks(keys: JwkSet) -> Self {
        Self::new(KeySource::Jwks(Arc::new(keys)))
    }

    /// Restricts the accepted algorithms (intersected with what the selected key allows).
    #[must_use]
    pub fn algorithms(mut self, algs: &[Algorithm]) -> Self {
        self.algorithms = Some(AlgorithmSet::of(algs));
        self
    }

    /// Requires a claim to be present.
    #[must_use]
    pub fn require_claim(mut self, name: impl Into<String>) -> Self {
        self.required_claims.push(name.into());
        self
    }

    /// Refuses statements whose `iat` is older than `seconds` (and requires `iat`).
    #[must_use]
    pub fn max_age(mut self, seconds: u64) -> Self {
        self.max_age = Some(seconds);
        self
    }

    /// Requires `aud` to contain this value (call again to accept several).
    #[must_use]
    pub fn audience(mut self, aud: impl Into<String>) -> Self {
        self.audience.push(aud.into());
        self
    }

    /// Requires the header `typ` (compared case-insensitively, `application/` optional).
    #[must_use]
    pub fn typ(mut self, typ: impl Into<String>) -> Self {
        self.typ = Some(typ.into());
        self
    }

    /// The key source.
    pub fn keys(&self) -> &KeySource {
        &self.keys
    }

    /// The configured algorithm restriction, if any.
    pub fn configured_algorithms(&self) -> Option<AlgorithmSet> {
        self.algorithms
    }

    /// Whether this policy accepts any JWT its issuer signs, whatever it was signed for:
    /// no `typ`, no `audience` and no required claim (RFC 8725 §3.11–3.12). A publisher
    /// key that also signs ID tokens or access tokens would then sign valid statements.
    pub fn accepts_any_jwt(&self) -> bool {
        self.typ.is_none() && self.audience.is_empty() && self.required_claims.is_empty()
    }
}
