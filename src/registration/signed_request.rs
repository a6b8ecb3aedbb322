//! Signed registration requests (the flow of UK Open Banking DCR, Australia's CDR and FAPI
//! deployments): the client sends its registration request as a JWT it signed itself,
//! carrying a statement (SSA) a directory signed. [`SignedRequestPolicy`] is the server's
//! policy; [`Registrar::register_body`](crate::Registrar::register_body) runs the steps, in
//! this order, a failure stopping them (the README's "Signed registration requests"):
//!
//! 1. parse the request JWS under the strict compact rules, its size cap the policy's
//!    request size (no audience configured: refused outright);
//! 2. read its payload (a strict JSON object) and its `software_statement` string;
//! 3. verify the statement under the trust policy — no client key is fetched before this
//!    succeeds;
//! 4. take the keys that verify the request from the verified statement only (`jwks` or
//!    `jwks_uri`), never from the request;
//! 5. verify the request's signature (asymmetric algorithms only);
//! 6. check the request's claims: `iss` = the statement's `software_id`, `aud`, `exp`,
//!    `iat` (at most `max_request_age` old), `jti`, `nbf`;
//! 7. the remaining members are the plain request: the merge rules apply as for JSON.
//!
//! The client side is [`RegistrationRequestBuilder`].

use std::sync::Arc;

use serde_json::{Map, Value};

use crate::claims::{numeric_date, JWT_CLAIMS};
use crate::error::{Quoted, RegistrationError, SignError};
use crate::jwa::{Algorithm, AlgorithmSet};
use crate::jwk::{Jwk, JwkSet};
use crate::jws::{self, Limits, UnverifiedJws};
use crate::statement::VerifiedStatement;

/// The default most age of a signed request's `iat`, in seconds.
pub const DEFAULT_MAX_REQUEST_AGE: u64 = 300;

/// Longest `jti` of a signed request, in bytes.
const MAX_JTI_LEN: usize = 256;

/// Whether JSON requests are still accepted next to signed ones (`registration.signed_request`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignedRequests {
    /// Both forms (the default).
    #[default]
    Optional,
    /// Signed requests only: a JSON request is refused (`invalid_client_metadata`).
    Required,
}

/// The server's policy for signed registration requests: the trust file's `registration`
/// members `audience`, `signed_request`, `request_algorithms`, `max_request_age`.
///
/// ```
/// use software_statement::{Algorithm, SignedRequestPolicy, SignedRequests};
/// let policy = SignedRequestPolicy::new("https://as.example.org")
///     .requirement(SignedRequests::Required)
///     .algorithms(&[Algorithm::PS256, Algorithm::ES256])
///     .max_age(120);
/// assert_eq!(policy.audience(), "https://as.example.org");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedRequestPolicy {
    audience: String,
    requirement: SignedRequests,
    algorithms: AlgorithmSet,
    max_age: u64,
}

impl SignedRequestPolicy {
    /// Signed requests addressed to `audience` (this server): accepted next to JSON
    /// requests, every asymmetric algorithm, at most 300 s old.
    pub fn new(audience: impl Into<String>) -> Self {
        SignedRequestPolicy {
            audience: audience.into(),
            requirement: SignedRequests::Optional,
            algorithms: asymmetric(),
            max_age: DEFAULT_MAX_REQUEST_AGE,
        }
    }

    /// Whether JSON requests are still accepted.
    #[must_use]
    pub fn requirement(mut self, requirement: SignedRequests) -> Self {
        self.requirement = requirement;
        self
    }

    /// The algorithms a request may be signed with; HMAC algorithms are never accepted
    /// (a shared secret cannot come from a statement's public keys).
    #[must_use]
    pub fn algorithms(mut self, algorithms: &[Algorithm]) -> Self {
        self.algorithms = AlgorithmSet::of(algorithms).intersect(asymmetric());
        self
    }

    /// The most age of a request's `iat`, in seconds (default 300).
    #[must_use]
    pub fn max_age(mut self, seconds: u64) -> Self {
        self.max_age = seconds;
        self
    }

    /// The audience a request's `aud` must contain.
    pub fn audience(&self) -> &str {
        &self.audience
    }

    /// Whether JSON requests are refused.
    pub fn signed_requests(&self) -> SignedRequests {
        self.requirement
    }

    /// The accepted algorithms.
    pub fn allowed_algorithms(&self) -> AlgorithmSet {
        self.algorithms
    }

    /// The most age of a request's `iat`, in seconds.
    pub fn allowed_age(&self) -> u64 {
        self.max_age
    }
}

/// Every asymmetric algorithm.
fn asymmetric() -> AlgorithmSet {
    Algorithm::ALL.iter().copied().filter(|a| !a.is_hmac()).collect()
}

/// What a registration kept of a signed request: its `alg`, `kid` and `jti`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestInfo {
    /// The algorithm the client signed with.
    pub alg: Algorithm,
    /// The header's `kid`, if any.
    pub kid: Option<String>,
    /// The request's `jti`.
    pub jti: String,
    /// The request's `exp` (Unix seconds): its `jti` is remembered until then (plus leeway).
    pub exp: u64,
}

fn metadata_error(description: impl Into<String>) -> RegistrationError {
    RegistrationError::invalid_client_metadata(description)
}

/// Step 1 and 2: the request parsed (not verified) and its statement.
pub(crate) struct ParsedRequest<'t> {
    pub(crate) jws: UnverifiedJws<'t>,
    pub(crate) claims: Map<String, Value>,
    pub(crate) statement: String,
}

/// Steps 1 and 2.
pub(crate) fn parse(token: &str, max_bytes: usize) -> Result<ParsedRequest<'_>, RegistrationError> {
    let limits = Limits::default().max_token_bytes(max_bytes);
    let jws = UnverifiedJws::parse(token, &limits)
        .map_err(|e| metadata_error(format!("the signed registration request is not a valid JWS: {e}")))?;
    let claims = jws::parse_json_object(jws.payload(), &limits, "claims")
        .map_err(|e| metadata_error(format!("the signed registration request's payload: {e}")))?;
    let statement = match claims.get("software_statement") {
        Some(Value::String(s)) => s.clone(),
        Some(_) => {
            return Err(RegistrationError::invalid_software_statement(
                "the signed request's software_statement must be a string holding a compact JWS",
            ))
        }
        None => {
            return Err(RegistrationError::invalid_software_statement(
                "a signed registration request must carry a software_statement",
            ))
        }
    };
    Ok(ParsedRequest { jws, claims, statement })
}

/// Where the keys that verify a request are, after step 3 (step 4).
pub(crate) enum ClientKeySource<'s> {
    /// The statement's `jwks`, parsed (every key must be valid).
    Inline(Arc<JwkSet>),
    /// The statement's `jwks_uri`.
    Uri(&'s str),
}

/// Step 4: the client's keys, from the verified statement only.
pub(crate) fn client_keys(statement: &VerifiedStatement) -> Result<ClientKeySource<'_>, RegistrationError> {
    let claims = statement.claims();
    match (claims.get("jwks"), claims.get("jwks_uri")) {
        (Some(jwks), None) => JwkSet::from_value(jwks)
            .map(|set| ClientKeySource::Inline(Arc::new(set)))
            .map_err(|e| RegistrationError::invalid_software_statement(format!("the software statement's jwks: {e}"))),
        (None, Some(Value::String(uri))) => Ok(ClientKeySource::Uri(uri)),
        (Some(_), Some(_)) => Err(RegistrationError::invalid_software_statement(
            "the software statement asserts both jwks and jwks_uri",
        )),
        (None, Some(_)) => Err(RegistrationError::invalid_software_statement(
            "the software statement's jwks_uri must be a string",
        )),
        (None, None) => Err(RegistrationError::invalid_software_statement(
            "the software statement names no keys (jwks or jwks_uri) to verify the signed request with",
        )),
    }
}

/// Steps 5 and 6: the signature with the client's keys, then the request's claims.
pub(crate) fn verify(
    parsed: ParsedRequest<'_>,
    keys: &JwkSet,
    statement: &VerifiedStatement,
    policy: &SignedRequestPolicy,
    now: u64,
    leeway: u64,
) -> Result<(Map<String, Value>, RequestInfo), RegistrationError> {
    let ParsedRequest { jws, mut claims, .. } = parsed;
    let verified = jws
        .verify(keys, policy.algorithms)
        .map_err(|e| metadata_error(format!("the signed registration request does not verify: {e}")))?;
    let header = verified.header();

    // Step 6. `iss` is the statement's software_id.
    let Some(Value::String(software_id)) = statement.claims().get("software_id") else {
        return Err(RegistrationError::invalid_software_statement(
            "the software statement has no software_id to match the signed request's iss",
        ));
    };
    match claims.get("iss") {
        Some(Value::String(iss)) if iss == software_id => {}
        Some(Value::String(iss)) => {
            return Err(metadata_error(format!(
                "the signed request's iss '{}' is not the statement's software_id",
                Quoted(iss)
            )))
        }
        _ => {
            return Err(metadata_error(
                "the signed request needs an iss string: the statement's software_id",
            ))
        }
    }
    let aud_ok = match claims.get("aud") {
        Some(Value::String(aud)) => aud == &policy.audience,
        Some(Value::Array(list)) => list.iter().any(|a| a.as_str() == Some(policy.audience.as_str())),
        _ => return Err(metadata_error("the signed request needs an aud naming this server")),
    };
    if !aud_ok {
        return Err(metadata_error("the signed request's aud does not name this server"));
    }
    let date = |name: &'static str| {
        numeric_date(&claims, name)
            .map_err(|_| metadata_error(format!("the signed request's {name} is not a valid NumericDate")))
    };
    let (now, leeway) = (now as f64, leeway as f64);
    let exp = date("exp")?.ok_or_else(|| metadata_error("the signed request needs an exp"))?;
    if now >= exp + leeway {
        return Err(metadata_error("the signed request has expired"));
    }
    let iat = date("iat")?.ok_or_else(|| metadata_error("the signed request needs an iat"))?;
    if iat > now + leeway {
        return Err(metadata_error("the signed request was issued in the future (iat)"));
    }
    if now > iat + policy.max_age as f64 + leeway {
        return Err(metadata_error(format!(
            "the signed request is more than {} seconds old (iat)",
            policy.max_age
        )));
    }
    if let Some(nbf) = date("nbf")? {
        if nbf > now + leeway {
            return Err(metadata_error("the signed request is not valid yet (nbf)"));
        }
    }
    let jti = match claims.get("jti") {
        Some(Value::String(jti)) if !jti.is_empty() && jti.len() <= MAX_JTI_LEN => jti.clone(),
        Some(Value::String(_)) => {
            return Err(metadata_error(format!(
                "the signed request's jti must be 1 to {MAX_JTI_LEN} bytes"
            )))
        }
        _ => return Err(metadata_error("the signed request needs a jti string")),
    };
    let info = RequestInfo {
        alg: header.alg(),
        kid: header.kid().map(str::to_owned),
        jti,
        exp: exp as u64,
    };
    // Step 7: the rest is the plain request, in the request's order (`retain`, not
    // `remove`: with `preserve_order` a removal swaps the last member into its place).
    claims.retain(|name, _| !JWT_CLAIMS.contains(&name.as_str()));
    Ok((claims, info))
}

/// The media type of a registration request body.
pub(crate) enum BodyKind {
    /// `application/json`.
    Json,
    /// `application/jwt` or `application/jose`: a signed request.
    Signed,
}

/// The body kind for a `Content-Type` (parameters such as `charset` ignored), or the 415
/// error.
pub(crate) fn body_kind(content_type: &str) -> Result<BodyKind, RegistrationError> {
    let essence = content_type.split(';').next().unwrap_or_default().trim();
    if essence.eq_ignore_ascii_case("application/json") {
        Ok(BodyKind::Json)
    } else if essence.eq_ignore_ascii_case("application/jwt") || essence.eq_ignore_ascii_case("application/jose") {
        Ok(BodyKind::Signed)
    } else {
        Err(RegistrationError::unsupported_media_type(content_type))
    }
}

/// The error when a statement's `jwks_uri` cannot give the client's keys.
pub(crate) fn keys_unavailable(reason: &str) -> RegistrationError {
    metadata_error(format!(
        "the client's keys (the statement's jwks_uri) are unavailable: {}",
        Quoted(reason)
    ))
}

/// Builds and signs a registration request (the client side of a signed registration):
/// the client's metadata plus `software_statement`, `iss` (by default the statement's
/// `software_id`, read without verifying), `aud`, `iat`, `exp` (`iat` + TTL, default
/// 300 s) and a random 128-bit `jti`.
///
/// ```
/// use serde_json::json;
/// use software_statement::{Algorithm, Jwk, RegistrationRequestBuilder, StatementBuilder};
///
/// let directory = Jwk::generate(Algorithm::ES256)?;
/// let client = Jwk::generate(Algorithm::ES256)?.with_kid("client-1")?;
/// let ssa = StatementBuilder::new("https://directory.example.org")
///     .claim("software_id", "app-42")
///     .claim("jwks", json!({"keys": [client.to_public()?.to_value()]}))
///     .sign(&directory)?;
/// let request = RegistrationRequestBuilder::new(&ssa)
///     .audience("https://as.example.org")
///     .metadata(json!({"redirect_uris": ["https://app.example.org/cb"]}).as_object().unwrap().clone())
///     .sign(&client)?;
/// assert_eq!(request.split('.').count(), 3);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct RegistrationRequestBuilder {
    statement: String,
    metadata: Map<String, Value>,
    issuer: Option<String>,
    audience: Option<Value>,
    ttl: u64,
    now: Option<u64>,
    algorithm: Option<Algorithm>,
}

impl RegistrationRequestBuilder {
    /// A request carrying `statement` (the SSA, as the directory issued it).
    pub fn new(statement: impl Into<String>) -> Self {
        RegistrationRequestBuilder {
            statement: statement.into(),
            metadata: Map::new(),
            issuer: None,
            audience: None,
            ttl: DEFAULT_MAX_REQUEST_AGE,
            now: None,
            algorithm: None,
        }
    }

    /// The client metadata members (`redirect_uris`, `token_endpoint_auth_method`, …).
    /// JWT claims among them are replaced at signing.
    #[must_use]
    pub fn metadata(mut self, members: Map<String, Value>) -> Self {
        self.metadata.extend(members);
        self
    }

    /// `iss` (default: the statement's `software_id`).
    #[must_use]
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuer = Some(issuer.into());
        self
    }

    /// `aud`: the authorization server (a string or an array of strings); required.
    #[must_use]
    pub fn audience(mut self, audience: impl Into<Value>) -> Self {
        self.audience = Some(audience.into());
        self
    }

    /// The request's lifetime: `exp` = `iat` + `seconds` (default 300).
    #[must_use]
    pub fn ttl(mut self, seconds: u64) -> Self {
        self.ttl = seconds;
        self
    }

    /// `iat` (Unix seconds) instead of the system clock.
    #[must_use]
    pub fn issued_at(mut self, now: u64) -> Self {
        self.now = Some(now);
        self
    }

    /// Signs with `alg` instead of the key's default (needed for RSA keys without `alg`).
    #[must_use]
    pub fn algorithm(mut self, alg: Algorithm) -> Self {
        self.algorithm = Some(alg);
        self
    }

    /// The signed request (a compact JWS). Refused: an HMAC key or algorithm (a signed
    /// request is verified with the public keys its statement names), a missing audience,
    /// no `iss` (the statement has no `software_id` and none was given).
    pub fn sign(&self, key: &Jwk) -> Result<String, SignError> {
        let alg = self
            .algorithm
            .or(key.default_algorithm())
            .ok_or(SignError::AlgorithmNeeded)?;
        if alg.is_hmac() {
            return Err(SignError::Request(
                "a registration request is signed with the client's private key, never an HMAC secret",
            ));
        }
        let audience = self.audience.clone().ok_or(SignError::Request(
            "a registration request needs an audience (the authorization server)",
        ))?;
        let issuer = match &self.issuer {
            Some(iss) => iss.clone(),
            None => software_id_of(&self.statement).ok_or(SignError::Request(
                "the statement has no software_id: give the request's iss",
            ))?,
        };
        if issuer.is_empty() {
            return Err(SignError::EmptyIssuer);
        }
        let now = self
            .now
            .unwrap_or_else(|| crate::clock::Clock::now(&crate::clock::SystemClock));
        let mut jti = [0u8; 16];
        crate::crypto::fill_random(&mut jti).map_err(|_| SignError::Randomness)?;
        let mut claims = Map::with_capacity(self.metadata.len() + 7);
        for (name, value) in &self.metadata {
            if !JWT_CLAIMS.contains(&name.as_str()) && name != "software_statement" {
                claims.insert(name.clone(), value.clone());
            }
        }
        claims.insert("software_statement".into(), Value::from(self.statement.as_str()));
        claims.insert("iss".into(), Value::from(issuer));
        claims.insert("aud".into(), audience);
        claims.insert("iat".into(), Value::from(now));
        claims.insert("exp".into(), Value::from(now.saturating_add(self.ttl)));
        claims.insert("jti".into(), Value::from(crate::b64::encode(&jti)));
        let payload = serde_json::to_vec(&claims).map_err(|_| SignError::Claims)?;
        Ok(jws::sign(key, alg, &Map::new(), &payload)?)
    }
}

/// The statement's `software_id`, read **without verifying** the statement (the client
/// side names itself by it).
fn software_id_of(statement: &str) -> Option<String> {
    let (_, payload) = crate::dangerous::decode_unverified(statement, &Limits::default()).ok()?;
    let claims = crate::json::parse_object(&payload, crate::json::MAX_DEPTH).ok()?;
    claims.get("software_id")?.as_str().map(str::to_owned)
}
