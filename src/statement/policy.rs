//! The trust policy for one issuer.

use std::sync::Arc;

use crate::jwa::{Algorithm, AlgorithmSet};
use crate::jwk::JwkSet;
use crate::key_source::KeySource;
use crate::statement::profile::{ClientKeyMode, Constraint, RedirectUriMode};

/// The trust policy for one issuer.
#[derive(Clone, Debug)]
pub struct IssuerPolicy {
    pub(super) keys: KeySource,
    pub(super) algorithms: Option<AlgorithmSet>,
    pub(super) required_claims: Vec<String>,
    pub(super) max_age: Option<u64>,
    pub(super) audience: Vec<String>,
    pub(super) typ: Option<String>,
    pub(super) claim_map: Vec<(String, String)>,
    pub(super) redirect_uris: RedirectUriMode,
    pub(super) client_keys: ClientKeyMode,
    pub(super) constraints: Vec<(String, Constraint)>,
    pub(super) one_time_use: bool,
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
            claim_map: Vec::new(),
            redirect_uris: RedirectUriMode::Statement,
            client_keys: ClientKeyMode::Any,
            constraints: Vec::new(),
            one_time_use: false,
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

    /// Replaces the required claims with these.
    #[must_use]
    pub fn required_claims<I: IntoIterator<Item = S>, S: Into<String>>(mut self, names: I) -> Self {
        self.required_claims = names.into_iter().map(Into::into).collect();
        self
    }

    /// Replaces the claim map: each `(statement claim, metadata member)` pair asserts the
    /// claim's value as the member too, after verification and before the merge (the
    /// claim stays). A statement carrying both with different values is refused. Mapping
    /// onto or from a JWT claim is a configuration error: use
    /// [`TrustFile`](crate::TrustFile), or check with the pairs you pass.
    #[must_use]
    pub fn claim_map<I: IntoIterator<Item = (S, T)>, S: Into<String>, T: Into<String>>(mut self, pairs: I) -> Self {
        self.claim_map = pairs.into_iter().map(|(s, t)| (s.into(), t.into())).collect();
        self
    }

    /// What a request's `redirect_uris` may do when the statement asserts them.
    #[must_use]
    pub fn redirect_uris(mut self, mode: RedirectUriMode) -> Self {
        self.redirect_uris = mode;
        self
    }

    /// Where the client's keys may come from.
    #[must_use]
    pub fn client_keys(mut self, mode: ClientKeyMode) -> Self {
        self.client_keys = mode;
        self
    }

    /// Adds a constraint on a statement claim (checked by `verify` and `register`; a
    /// violation is `unapproved_software_statement`).
    #[must_use]
    pub fn constraint(mut self, claim: impl Into<String>, constraint: Constraint) -> Self {
        self.constraints.push((claim.into(), constraint));
        self
    }

    /// Marks the issuer's statements one-time-use: each statement's `jti` is accepted once
    /// by a registrar (its replay guard remembers it until the statement's `exp` plus
    /// leeway); a statement without `jti` is refused.
    #[must_use]
    pub fn one_time_use(mut self, once: bool) -> Self {
        self.one_time_use = once;
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
        self.typ.is_none() && self.audience.is_empty() && self.required_claims.is_empty() && self.constraints.is_empty()
    }
}
