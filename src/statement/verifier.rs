//! The authorization server side: [`Verifier`] checks a statement under the trust
//! policy of its issuer.
//!
//! Verification order: strict JWS parsing; the claims parsed strictly; `iss` required
//! (before any key is looked up); the issuer looked up (unknown: `unapproved`); its keys
//! resolved; `alg` checked against the issuer's allow-list and the key; the signature;
//! `typ`; the time claims, `aud` and the issuer's required claims.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::{Map, Value};

use super::profile::{apply_claim_map, check_constraints, ClientKeyMode, RedirectUriMode};
use super::IssuerPolicy;
use crate::claims;
use crate::clock::{Clock, SystemClock};
use crate::error::{ConfigError, StatementError};
use crate::jwa::AlgorithmSet;
use crate::jwk::JwkSet;
use crate::jws::{self, Header, Limits, UnverifiedJws};

/// The largest clock tolerance a verifier accepts, in seconds (security rule 11).
pub const MAX_LEEWAY: u64 = 300;

/// A statement whose signature and claims verified.
#[derive(Clone, Debug, PartialEq)]
pub struct VerifiedStatement {
    issuer: String,
    header: Header,
    claims: Map<String, Value>,
    pub(crate) redirect_uris: RedirectUriMode,
    pub(crate) client_keys: ClientKeyMode,
    pub(crate) one_time_use: bool,
}

impl VerifiedStatement {
    /// `iss`, the trusted issuer.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The verified protected header.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// Every claim, in the token's order, with the issuer's `claim_map` applied (mapped
    /// members follow the token's claims).
    pub fn claims(&self) -> &Map<String, Value> {
        &self.claims
    }

    /// Consumes the statement, giving the claims.
    pub fn into_claims(self) -> Map<String, Value> {
        self.claims
    }

    /// The verified claims as the caller's own `serde` type, as jsonwebtoken's `decode`
    /// gives them. Strict: the claims were already read with duplicate members refused;
    /// a missing field or a value of the wrong type is an error naming the field (add
    /// `#[serde(deny_unknown_fields)]` to the type to refuse unexpected claims too).
    ///
    /// ```
    /// use serde::Deserialize;
    /// use software_statement::{Algorithm, IssuerPolicy, Jwk, JwkSet, StatementBuilder, Verifier};
    ///
    /// #[derive(Deserialize)]
    /// struct Claims {
    ///     iss: String,
    ///     software_id: String,
    ///     redirect_uris: Vec<String>,
    /// }
    ///
    /// let key = Jwk::generate(Algorithm::EdDSA)?;
    /// let token = StatementBuilder::new("https://publisher.example.com")
    ///     .claim("software_id", "4NRB1-0XZABZI9E6-5SM3R")
    ///     .claim("redirect_uris", ["https://client.example.net/cb"])
    ///     .sign(&key)?;
    /// let verifier = Verifier::builder()
    ///     .issuer("https://publisher.example.com", IssuerPolicy::with_jwks(JwkSet::new(vec![key.to_public()?])?))
    ///     .build();
    /// let claims: Claims = verifier.verify(&token)?.claims_as()?;
    /// assert_eq!(claims.software_id, "4NRB1-0XZABZI9E6-5SM3R");
    /// assert_eq!(claims.redirect_uris, ["https://client.example.net/cb"]);
    /// # let _ = claims.iss;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn claims_as<T: serde::de::DeserializeOwned>(&self) -> Result<T, StatementError> {
        T::deserialize(&self.claims)
            .map_err(|e| StatementError::ClaimsType(crate::error::Quoted(&e.to_string()).to_string()))
    }
}

/// Verifies software statements under a per-issuer trust policy (the AS side).
///
/// ```
/// use software_statement::{Algorithm, IssuerPolicy, Jwk, JwkSet, StatementBuilder, Verifier};
///
/// let key = Jwk::generate(Algorithm::ES256)?;
/// let token = StatementBuilder::new("https://publisher.example.com")
///     .claim("software_id", "4NRB1-0XZABZI9E6-5SM3R")
///     .sign(&key)?;
///
/// let verifier = Verifier::builder()
///     .issuer(
///         "https://publisher.example.com",
///         IssuerPolicy::with_jwks(JwkSet::new(vec![key.to_public()?])?)
///             .algorithms(&[Algorithm::ES256])
///             .require_claim("software_id"),
///     )
///     .build();
/// let statement = verifier.verify(&token)?;
/// assert_eq!(statement.claims()["software_id"], "4NRB1-0XZABZI9E6-5SM3R");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct Verifier {
    issuers: HashMap<String, IssuerPolicy>,
    leeway: u64,
    limits: Limits,
    clock: Arc<dyn Clock>,
}

/// Builds a [`Verifier`].
#[derive(Debug)]
pub struct VerifierBuilder {
    inner: Verifier,
}

impl VerifierBuilder {
    /// Trusts `issuer` (compared exactly with `iss`) under `policy`.
    #[must_use]
    pub fn issuer(mut self, issuer: impl Into<String>, policy: IssuerPolicy) -> Self {
        self.inner.issuers.insert(issuer.into(), policy);
        self
    }

    /// Clock tolerance for `exp`, `nbf`, `iat` (default 60 s). More than [`MAX_LEEWAY`]
    /// (300 s) is a configuration error: a larger tolerance would let long-expired tokens
    /// verify (security rule 11).
    pub fn leeway(mut self, seconds: u64) -> Result<Self, ConfigError> {
        if seconds > MAX_LEEWAY {
            return Err(ConfigError::LeewayTooLarge {
                seconds,
                max: MAX_LEEWAY,
            });
        }
        self.inner.leeway = seconds;
        Ok(self)
    }

    /// Size and nesting caps (default 16 KiB, depth 32).
    #[must_use]
    pub fn limits(mut self, limits: Limits) -> Self {
        self.inner.limits = limits;
        self
    }

    /// The clock (default: the system clock).
    #[must_use]
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.inner.clock = clock;
        self
    }

    /// The verifier.
    pub fn build(self) -> Verifier {
        self.inner
    }
}

/// A statement parsed and attributed to a trusted issuer, waiting for its keys.
struct Pending<'t, 'v> {
    jws: UnverifiedJws<'t>,
    claims: Map<String, Value>,
    issuer: String,
    policy: &'v IssuerPolicy,
}

impl Verifier {
    /// A builder with no trusted issuer, leeway 60 s, default limits, the system clock.
    pub fn builder() -> VerifierBuilder {
        VerifierBuilder {
            inner: Verifier {
                issuers: HashMap::new(),
                leeway: 60,
                limits: Limits::default(),
                clock: Arc::new(SystemClock),
            },
        }
    }

    /// The policy for `issuer`, if trusted.
    pub fn issuer(&self, issuer: &str) -> Option<&IssuerPolicy> {
        self.issuers.get(issuer)
    }

    /// The trusted issuers.
    pub fn issuers(&self) -> impl Iterator<Item = (&str, &IssuerPolicy)> {
        self.issuers.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// The clock tolerance, in seconds.
    pub fn leeway_seconds(&self) -> u64 {
        self.leeway
    }

    /// The clock.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// Verifies a statement whose issuer's keys are local (or, for a `jwks_uri`, already
    /// cached). Use `verify_async` when keys may need fetching.
    pub fn verify(&self, token: &str) -> Result<VerifiedStatement, StatementError> {
        let pending = self.parse(token)?;
        let keys = pending.policy.keys.available(&pending.issuer)?;
        self.finish(pending, &keys)
    }

    /// Verifies a statement, fetching the issuer's `jwks_uri` when needed (refetching
    /// once per cooldown when the token's `kid` is unknown).
    #[cfg(feature = "remote")]
    pub async fn verify_async(&self, token: &str) -> Result<VerifiedStatement, StatementError> {
        let pending = self.parse(token)?;
        let keys = pending
            .policy
            .keys
            .resolve(&pending.issuer, pending.jws.header().kid())
            .await?;
        self.finish(pending, &keys)
    }

    /// Whether some issuer's keys must be fetched before [`verify`](Self::verify) can use
    /// them (a `jwks_uri` with nothing cached): then use `verify_async`.
    pub fn needs_fetch(&self) -> bool {
        self.issuers.values().any(|p| p.keys.needs_fetch())
    }

    fn parse<'t>(&self, token: &'t str) -> Result<Pending<'t, '_>, StatementError> {
        let jws = UnverifiedJws::parse(token, &self.limits)?;
        let claims = jws::parse_json_object(jws.payload(), &self.limits, "claims").map_err(StatementError::Claims)?;
        let issuer = match claims.get("iss") {
            None => return Err(StatementError::MissingIssuer),
            Some(Value::String(s)) => s.clone(),
            Some(_) => return Err(StatementError::InvalidIssuer),
        };
        let Some(policy) = self.issuers.get(&issuer) else {
            return Err(StatementError::UntrustedIssuer(issuer));
        };
        Ok(Pending {
            jws,
            claims,
            issuer,
            policy,
        })
    }

    fn finish(&self, pending: Pending<'_, '_>, keys: &JwkSet) -> Result<VerifiedStatement, StatementError> {
        let Pending {
            jws,
            mut claims,
            issuer,
            policy,
        } = pending;
        let allowed = policy.algorithms.unwrap_or(AlgorithmSet::ALL);
        let verified = jws.verify(keys, allowed)?;
        let (header, _) = verified.into_parts();
        if let Some(expected) = &policy.typ {
            match header.typ() {
                Some(t) if claims::typ_matches(t, expected) => {}
                found => {
                    return Err(StatementError::WrongType {
                        found: found.map(str::to_owned),
                        expected: expected.clone(),
                    })
                }
            }
        }
        claims::check_times(&claims, self.clock.now(), self.leeway, policy.max_age)?;
        if !policy.audience.is_empty() {
            claims::check_audience(&claims, &policy.audience)?;
        }
        if !policy.claim_map.is_empty() {
            apply_claim_map(&policy.claim_map, &mut claims)?;
        }
        for name in &policy.required_claims {
            if !claims.contains_key(name) {
                return Err(StatementError::MissingClaim(name.clone()));
            }
        }
        check_constraints(&policy.constraints, &claims)?;
        Ok(VerifiedStatement {
            issuer,
            header,
            claims,
            redirect_uris: policy.redirect_uris,
            client_keys: policy.client_keys,
            one_time_use: policy.one_time_use,
        })
    }
}
