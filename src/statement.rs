//! Software statements (RFC 7591 §2.3): issuing them ([`StatementBuilder`]) and verifying
//! them under a per-issuer trust policy ([`Verifier`]).
//!
//! Verification order: strict JWS parsing; the claims parsed strictly; `iss` required
//! (before any key is looked up); the issuer looked up (unknown: `unapproved`); its keys
//! resolved; `alg` checked against the issuer's allow-list and the key; the signature;
//! `typ`; the time claims, `aud` and the issuer's required claims.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::{Map, Value};

use crate::claims;
use crate::clock::{Clock, SystemClock};
use crate::error::{JwsError, KeyError};
use crate::jwa::{Algorithm, AlgorithmSet};
use crate::jwk::{Jwk, JwkSet};
use crate::jws::{self, Header, Limits, UnverifiedJws};

/// The RFC 7591 §3.2.2 error code for an unknown or untrusted issuer.
pub const UNAPPROVED_SOFTWARE_STATEMENT: &str = "unapproved_software_statement";
/// The RFC 7591 §3.2.2 error code for every other statement failure.
pub const INVALID_SOFTWARE_STATEMENT: &str = "invalid_software_statement";

/// Why a statement was refused. [`code`](Self::code) gives the RFC 7591 error code; the
/// `Display` text is a description safe to return to the registrant.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StatementError {
    /// The issuer is not in the trust policy.
    #[error("the software statement's issuer {:?} is not trusted by this server", shorten(.0))]
    UntrustedIssuer(String),
    /// The JWS layer refused the token (syntax, algorithm, key, signature).
    #[error("software statement: {0}")]
    Jws(#[from] JwsError),
    /// The claims are not a JSON object.
    #[error("software statement: {0}")]
    Claims(JwsError),
    /// `iss` is missing (RFC 7591 §2.3 requires it; see RFC errata 7969).
    #[error("the software statement has no \"iss\" claim")]
    MissingIssuer,
    /// `iss` is not a string.
    #[error("the software statement's \"iss\" claim is not a string")]
    InvalidIssuer,
    /// `exp`, `nbf` or `iat` is not a JSON number in range.
    #[error("the software statement's \"{0}\" claim is not a valid NumericDate")]
    InvalidNumericDate(&'static str),
    /// `exp` has passed.
    #[error("the software statement has expired")]
    Expired,
    /// `nbf` is in the future.
    #[error("the software statement is not valid yet (\"nbf\" is in the future)")]
    NotYetValid,
    /// `iat` is in the future.
    #[error("the software statement was issued in the future (\"iat\")")]
    IssuedInFuture,
    /// `iat` is older than the issuer's `max_age`.
    #[error("the software statement is older than this server accepts (\"iat\" too old)")]
    TooOld,
    /// A required claim is absent.
    #[error("the software statement lacks the required claim {0:?}")]
    MissingClaim(String),
    /// `aud` is not a string or an array of strings.
    #[error("the software statement's \"aud\" claim is malformed")]
    InvalidAudience,
    /// `aud` does not name this server.
    #[error("the software statement is not intended for this server (\"aud\")")]
    WrongAudience,
    /// The header's `typ` is absent or not the one the issuer's policy requires.
    #[error(
        "the software statement's \"typ\" header is {}, expected {expected:?}",
        found.as_deref().map_or_else(|| "missing".to_owned(), |t| format!("{t:?}"))
    )]
    WrongType {
        /// The header's `typ`.
        found: Option<String>,
        /// The policy's `typ`.
        expected: String,
    },
    /// The issuer's keys could not be obtained (fetch failed, or not loaded yet on the
    /// synchronous path). The description shown to registrants names the issuer only;
    /// `reason` (network details) is for the operator's logs.
    #[error("the keys of issuer {issuer:?} are unavailable right now")]
    KeysUnavailable {
        /// The issuer.
        issuer: String,
        /// Why, for the operator (host names, connection errors).
        reason: String,
    },
}

/// An attacker-chosen value, cut to a length fit for an error description.
fn shorten(s: &str) -> std::borrow::Cow<'_, str> {
    const MAX: usize = 200;
    if s.len() <= MAX {
        return s.into();
    }
    let mut end = MAX;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end]).into()
}

impl StatementError {
    /// The RFC 7591 §3.2.2 error code: `unapproved_software_statement` for an untrusted
    /// issuer, `invalid_software_statement` otherwise.
    pub fn code(&self) -> &'static str {
        match self {
            StatementError::UntrustedIssuer(_) => UNAPPROVED_SOFTWARE_STATEMENT,
            _ => INVALID_SOFTWARE_STATEMENT,
        }
    }
}

/// Builds and signs a software statement (the publisher side).
///
/// ```
/// use software_statement::{jwa::Algorithm, jwk::Jwk, statement::StatementBuilder};
/// let key = Jwk::generate(Algorithm::ES256)?;
/// let token = StatementBuilder::new("https://publisher.example.com")
///     .claim("software_id", "4NRB1-0XZABZI9E6-5SM3R")
///     .claim("client_name", "Example Statement-based Client")
///     .claim("redirect_uris", ["https://client.example.net/callback"])
///     .ttl(3600)
///     .sign(&key)?;
/// assert_eq!(token.split('.').count(), 3);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct StatementBuilder {
    issuer: String,
    claims: Map<String, Value>,
    audience: Option<Value>,
    ttl: Option<u64>,
    typ: Option<String>,
    now: Option<u64>,
    algorithm: Option<Algorithm>,
}

impl StatementBuilder {
    /// A statement from `issuer` (the `iss` claim; required, it cannot be empty).
    pub fn new(issuer: impl Into<String>) -> Self {
        StatementBuilder {
            issuer: issuer.into(),
            claims: Map::new(),
            audience: None,
            ttl: None,
            typ: None,
            now: None,
            algorithm: None,
        }
    }

    /// Adds one claim (client metadata such as `software_id`, `redirect_uris`, or an
    /// extension). Registered JWT claims set by the builder (`iss`, `iat`, `exp`, `jti`,
    /// `aud`) are overwritten at signing.
    #[must_use]
    pub fn claim(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.claims.insert(name.into(), value.into());
        self
    }

    /// Adds every member of `claims`, in order.
    #[must_use]
    pub fn claims(mut self, claims: Map<String, Value>) -> Self {
        self.claims.extend(claims);
        self
    }

    /// Sets `aud` (a string, or an array of strings).
    #[must_use]
    pub fn audience(mut self, aud: impl Into<Value>) -> Self {
        self.audience = Some(aud.into());
        self
    }

    /// Sets `exp` to `iat + ttl`.
    #[must_use]
    pub fn ttl(mut self, seconds: u64) -> Self {
        self.ttl = Some(seconds);
        self
    }

    /// Sets the header's `typ`.
    #[must_use]
    pub fn typ(mut self, typ: impl Into<String>) -> Self {
        self.typ = Some(typ.into());
        self
    }

    /// Uses `now` (Unix seconds) for `iat` instead of the system clock.
    #[must_use]
    pub fn issued_at(mut self, now: u64) -> Self {
        self.now = Some(now);
        self
    }

    /// Signs with `alg` instead of the key's default (needed for RSA and oct keys
    /// without an `alg` member).
    #[must_use]
    pub fn algorithm(mut self, alg: Algorithm) -> Self {
        self.algorithm = Some(alg);
        self
    }

    /// Signs the statement: header `alg` (and `kid` from the key, `typ` when set); claims
    /// `iss`, the given claims, `aud`, `iat`, `exp` (with a TTL) and a random 128-bit `jti`.
    pub fn sign(&self, key: &Jwk) -> Result<String, JwsError> {
        let alg = self
            .algorithm
            .or(key.default_algorithm())
            .ok_or(JwsError::Key(KeyError::Malformed(
                "this key allows several algorithms: choose one with .algorithm()".into(),
            )))?;
        if self.issuer.is_empty() {
            return Err(JwsError::Key(KeyError::Malformed(
                "a software statement needs a non-empty issuer".into(),
            )));
        }
        let now = self.now.unwrap_or_else(|| SystemClock.now());
        let mut jti = [0u8; 16];
        crate::crypto::fill_random(&mut jti)
            .map_err(|_| JwsError::Key(KeyError::Generation("no randomness for jti".into())))?;
        let jti = crate::b64::encode(&jti);
        let mut header = Map::new();
        if let Some(typ) = &self.typ {
            header.insert("typ".into(), Value::String(typ.clone()));
        }
        let claims = SignedClaims {
            builder: self,
            now,
            jti: &jti,
        };
        let payload = serde_json::to_vec(&claims).map_err(|_| JwsError::Malformed("claims not serializable"))?;
        jws::sign(key, alg, &header, &payload)
    }
}

/// The claims [`StatementBuilder::sign`] signs, serialized straight from the builder (no
/// copy of its claims): `iss`; the builder's claims except the registered ones it sets
/// itself (`iss`, `iat`, `exp`, `jti`, `aud`), in order; `aud`; `iat`; `exp` (with a
/// TTL); `jti`.
struct SignedClaims<'a> {
    builder: &'a StatementBuilder,
    now: u64,
    jti: &'a str,
}

impl serde::Serialize for SignedClaims<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let b = self.builder;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("iss", &b.issuer)?;
        for (k, v) in &b.claims {
            if !matches!(k.as_str(), "iss" | "iat" | "exp" | "jti" | "aud") {
                m.serialize_entry(k, v)?;
            }
        }
        if let Some(aud) = &b.audience {
            m.serialize_entry("aud", aud)?;
        }
        m.serialize_entry("iat", &self.now)?;
        if let Some(ttl) = b.ttl {
            m.serialize_entry("exp", &self.now.saturating_add(ttl))?;
        }
        m.serialize_entry("jti", self.jti)?;
        m.end()
    }
}

#[cfg(test)]
mod signed_claims_tests {
    use super::*;
    use serde_json::json;

    /// The claims as `sign` first built them: a map, then serialized.
    fn via_map(b: &StatementBuilder, now: u64, jti: &str) -> Vec<u8> {
        let mut out = Map::with_capacity(b.claims.len() + 5);
        out.insert("iss".into(), Value::String(b.issuer.clone()));
        for (k, v) in &b.claims {
            if !matches!(k.as_str(), "iss" | "iat" | "exp" | "jti" | "aud") {
                out.insert(k.clone(), v.clone());
            }
        }
        if let Some(aud) = &b.audience {
            out.insert("aud".into(), aud.clone());
        }
        out.insert("iat".into(), now.into());
        if let Some(ttl) = b.ttl {
            out.insert("exp".into(), now.saturating_add(ttl).into());
        }
        out.insert("jti".into(), Value::String(jti.into()));
        serde_json::to_vec(&out).unwrap()
    }

    #[test]
    fn signed_claims_serialize_as_the_map() {
        let claims = json!({
            "software_id": "s\"1\u{e9}",
            "iss": "ignored",
            "redirect_uris": ["https://a.example/cb"],
            "jti": "ignored",
            "nested": {"b": [1, 2.5, null, true], "a": {}},
            "aud": "ignored",
            "exp": 1,
            "iat": 2,
            "client_name#ja-Jpan-JP": "\u{30af}"
        });
        let claims = claims.as_object().unwrap().clone();
        let builders = [
            StatementBuilder::new("https://p.example"),
            StatementBuilder::new("https://p.example").claims(claims.clone()),
            StatementBuilder::new("https://p.example")
                .claims(claims.clone())
                .ttl(u64::MAX)
                .audience(json!(["x", "y"])),
            StatementBuilder::new("i").claims(claims).ttl(60).audience("z"),
        ];
        for b in &builders {
            for now in [0, 1_767_225_600, u64::MAX] {
                let view = SignedClaims {
                    builder: b,
                    now,
                    jti: "j\"ti",
                };
                assert_eq!(
                    serde_json::to_vec(&view).unwrap(),
                    via_map(b, now, "j\"ti"),
                    "{b:?} {now}"
                );
            }
        }
    }
}

/// Where an issuer's keys come from.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum KeySource {
    /// A JWK Set held in memory (inline `jwks` or `jwks_file`).
    Jwks(Arc<JwkSet>),
    /// A `jwks_uri`, fetched and cached (feature `remote`).
    #[cfg(feature = "remote")]
    Remote(Arc<crate::remote::RemoteJwks>),
}

/// The trust policy for one issuer.
#[derive(Clone, Debug)]
pub struct IssuerPolicy {
    keys: KeySource,
    algorithms: Option<AlgorithmSet>,
    required_claims: Vec<String>,
    max_age: Option<u64>,
    audience: Vec<String>,
    typ: Option<String>,
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
}

/// A statement whose signature and claims verified.
#[derive(Clone, Debug, PartialEq)]
pub struct VerifiedStatement {
    issuer: String,
    header: Header,
    claims: Map<String, Value>,
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

    /// Every claim, in the token's order.
    pub fn claims(&self) -> &Map<String, Value> {
        &self.claims
    }

    /// Consumes the statement, giving the claims.
    pub fn into_claims(self) -> Map<String, Value> {
        self.claims
    }
}

/// Verifies software statements under a per-issuer trust policy (the AS side).
///
/// ```
/// use software_statement::{jwa::Algorithm, jwk::{Jwk, JwkSet}};
/// use software_statement::statement::{IssuerPolicy, StatementBuilder, Verifier};
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

    /// Clock tolerance for `exp`, `nbf`, `iat` (default 60 s).
    #[must_use]
    pub fn leeway(mut self, seconds: u64) -> Self {
        self.inner.leeway = seconds;
        self
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

    /// The clock.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// Verifies a statement whose issuer's keys are local (or, for a `jwks_uri`, already
    /// cached). Use [`verify_async`](Self::verify_async) when keys may need fetching.
    pub fn verify(&self, token: &str) -> Result<VerifiedStatement, StatementError> {
        let pending = self.parse(token)?;
        let policy = pending.policy;
        match &policy.keys {
            KeySource::Jwks(set) => self.finish(pending, set),
            #[cfg(feature = "remote")]
            KeySource::Remote(remote) => {
                let keys = remote.cached().ok_or_else(|| StatementError::KeysUnavailable {
                    issuer: pending.issuer.clone(),
                    reason: "not fetched yet".into(),
                })?;
                self.finish(pending, &keys)
            }
        }
    }

    /// Verifies a statement, fetching the issuer's `jwks_uri` when needed (refetching
    /// once per cooldown when the token's `kid` is unknown).
    #[cfg(feature = "remote")]
    pub async fn verify_async(&self, token: &str) -> Result<VerifiedStatement, StatementError> {
        let pending = self.parse(token)?;
        let policy = pending.policy;
        let keys = match &policy.keys {
            KeySource::Jwks(set) => return self.finish(pending, set),
            KeySource::Remote(remote) => {
                let fetched = match pending.jws.header().kid() {
                    Some(kid) => remote.keys_for_kid(kid).await,
                    None => remote.keys().await,
                };
                fetched.map_err(|e| StatementError::KeysUnavailable {
                    issuer: pending.issuer.clone(),
                    reason: e.to_string(),
                })?
            }
        };
        self.finish(pending, &keys)
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
            claims,
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
        for name in &policy.required_claims {
            if !claims.contains_key(name) {
                return Err(StatementError::MissingClaim(name.clone()));
            }
        }
        Ok(VerifiedStatement { issuer, header, claims })
    }
}
