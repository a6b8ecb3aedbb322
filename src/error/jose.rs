//! Errors of the JOSE layer: keys, compact JWS, strict JSON, signing.

use super::Quoted;
use crate::jwa::Algorithm;

/// A key or key set was refused (the key rules of the README's security section).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The JWK is not a JSON object, or a member is missing or has the wrong type.
    #[error("malformed JWK: {0}")]
    Malformed(String),
    /// `kty` names a key type this library does not implement.
    #[error("unsupported key type '{}'", Quoted(.0))]
    UnsupportedKeyType(String),
    /// `crv` names a curve this library does not implement for the key type.
    #[error("unsupported curve '{}'", Quoted(.0))]
    UnsupportedCurve(String),
    /// `alg` names an algorithm that is not a signature algorithm this library
    /// implements (an encryption key's `RSA-OAEP`, say). In a JWK Set such a key is
    /// skipped, like a key of an unknown `kty`.
    #[error("\"alg\" '{}' is not a signature algorithm this library implements", Quoted(.0))]
    UnsupportedAlgorithm(String),
    /// The members contradict each other (`alg` vs `kty`/`crv`, `use` vs `key_ops`, …).
    #[error("inconsistent JWK: {0}")]
    Inconsistent(String),
    /// The key material is invalid (point not on the curve, private and public parts
    /// that do not match, a malformed modulus, …).
    #[error("invalid key: {0}")]
    Invalid(String),
    /// The key is too weak (RSA modulus or HMAC secret too short) or out of the sane range.
    #[error("weak key: {0}")]
    Weak(String),
    /// The backend in use does not implement this key or algorithm.
    #[error("{0} is unsupported with the {backend} backend", backend = crate::crypto::BACKEND)]
    UnsupportedByBackend(String),
    /// A JWK Set lists the same `kid` twice.
    #[error("JWK Set has duplicate kid '{}'", Quoted(.0))]
    DuplicateKid(String),
    /// One key of an operator-configured JWK Set is invalid.
    #[error("key {} (position {position}) of the JWK Set is invalid: {source}", kid_or_none(kid))]
    InSet {
        /// Zero-based position of the key in `keys`.
        position: usize,
        /// The key's `kid`, if it has one.
        kid: Option<String>,
        /// What is wrong with it.
        source: Box<KeyError>,
    },
    /// A PEM or DER document could not be read as a supported key container.
    #[error("unreadable key document: {0}")]
    Encoding(String),
    /// The operation needs a private key.
    #[error("a private key is needed to sign")]
    NotPrivate,
    /// A shared secret (`kty: "oct"`) was asked for its public form: secrets are never published.
    #[error("an oct key is a shared secret and has no public form; it is never published")]
    SecretNotPublishable,
    /// An encryption key (`use` `enc`, or an `alg` from IANA's JWE algorithm registry):
    /// skipped in a JWK Set, never used to verify.
    #[error("an encryption key (\"use\" \"enc\" or a JWE \"alg\"): never used to verify signatures")]
    EncryptionKey,
    /// A secret (`kty` `oct`) or a private key in a key set fetched at run time: a secret
    /// served at a URL is disclosed, so such a key is never used.
    #[error("a secret or private key in a fetched JWK Set (a secret served at a URL is disclosed): never used")]
    SecretInFetchedSet,
    /// Several keys of a fetched JWK Set share this `kid`: all of them are skipped.
    #[error("several keys of the fetched JWK Set share the kid '{}'", Quoted(.0))]
    SharedKid(String),
    /// Key generation failed or was asked for an unsupported size.
    #[error("key generation failed: {0}")]
    Generation(String),
}

/// A compact JWS was refused (the JWS rules of the README's security section). Each variant names the rule.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JwsError {
    /// The token is longer than the configured cap (checked before any decoding).
    #[error("token is {len} bytes, more than the {limit}-byte limit")]
    TooLarge {
        /// Token length in bytes.
        len: usize,
        /// The configured cap.
        limit: usize,
    },
    /// Not a compact JWS: wrong number of segments, JSON serialization, …
    #[error("malformed JWS: {0}")]
    Malformed(&'static str),
    /// A segment is not canonical unpadded base64url.
    #[error("the {0} segment is not canonical base64url (no padding, no whitespace, no stray bits)")]
    Base64(&'static str),
    /// The header or payload is not a UTF-8 JSON object.
    #[error("the {0} must be a UTF-8 JSON object")]
    NotJsonObject(&'static str),
    /// A member name appears twice in the header or claims.
    #[error("duplicate member '{}' in the {part}", Quoted(name))]
    DuplicateMember {
        /// The repeated name.
        name: String,
        /// `header` or `claims`.
        part: &'static str,
    },
    /// JSON nesting deeper than the configured cap.
    #[error("the {0} is nested too deeply")]
    TooDeep(&'static str),
    /// The header has no `alg`, or it is not a string.
    #[error("header has no \"alg\" string")]
    MissingAlg,
    /// `alg` names no algorithm this library implements (including `none`).
    #[error("unsupported algorithm '{}'", Quoted(.0))]
    UnsupportedAlgorithm(String),
    /// The backend in use does not implement the algorithm (ES512 on ring).
    #[error("{0} is unsupported with the {backend} backend", backend = crate::crypto::BACKEND)]
    UnsupportedByBackend(Algorithm),
    /// The algorithm is not in the caller's allow-list.
    #[error("algorithm {0} is not allowed")]
    AlgorithmNotAllowed(Algorithm),
    /// The key selected by `kid` cannot verify this algorithm (wrong type or curve,
    /// its own `alg` differs, or its `use`/`key_ops` forbid verification).
    #[error("key{} cannot verify {alg}: {reason}", describe_kid(kid))]
    KeyMismatch {
        /// The token's algorithm.
        alg: Algorithm,
        /// The key's `kid`.
        kid: Option<String>,
        /// Why not.
        reason: &'static str,
    },
    /// No key has the token's `kid`.
    #[error("no key with kid '{}'", Quoted(.0))]
    UnknownKid(String),
    /// `kid` is longer than 256 bytes or not a string.
    #[error("invalid kid: {0}")]
    InvalidKid(&'static str),
    /// The token has no `kid` and no key can verify its algorithm.
    #[error("no key can verify {0}")]
    NoKey(Algorithm),
    /// The token has no `kid` and several keys could verify its algorithm.
    #[error("the token has no kid and {0} keys could verify it; refusing to guess")]
    AmbiguousKey(usize),
    /// The signature or MAC does not verify.
    #[error("signature does not verify")]
    BadSignature,
    /// `crit` is malformed: empty, not an array of strings, lists a registered header
    /// name, or a name absent from the header.
    #[error("invalid crit: {0}")]
    CritInvalid(&'static str),
    /// `crit` lists an extension this library does not implement.
    #[error("critical header parameter '{}' is not understood", Quoted(.0))]
    CritNotUnderstood(String),
    /// The `b64` header parameter (RFC 7797) is present: unencoded payloads are refused.
    #[error("the b64 header parameter (RFC 7797) is not supported")]
    B64,
    /// The signing key cannot produce the requested algorithm.
    #[error("key error: {0}")]
    Key(#[from] KeyError),
}

/// `"x"`, or `(no kid)`.
fn kid_or_none(kid: &Option<String>) -> String {
    match kid {
        Some(k) => format!("'{}'", Quoted(k)),
        None => "(no kid)".into(),
    }
}

/// ` (kid "x")`, or ` (no kid)`.
fn describe_kid(kid: &Option<String>) -> String {
    match kid {
        Some(k) => format!(" (kid '{}')", Quoted(k)),
        None => " (no kid)".into(),
    }
}

/// Why a JSON text was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JsonError {
    /// Not JSON (or not UTF-8), or data after the value. `line` and `column` are
    /// 1-based; `line` 0 means the input ended before any value (it is empty).
    #[error("{}", describe_syntax(*line, *column))]
    Syntax {
        /// Line of the problem.
        line: usize,
        /// Column of the problem.
        column: usize,
    },
    /// The top-level value is not an object.
    #[error("expected a JSON object")]
    NotObject,
    /// A member name appears twice in one object.
    #[error("member '{}' appears twice", Quoted(.0))]
    Duplicate(String),
    /// Nesting deeper than the cap.
    #[error("nested too deeply")]
    TooDeep,
}

fn describe_syntax(line: usize, column: usize) -> String {
    if line == 0 {
        "empty input: expected a JSON object".into()
    } else {
        format!("invalid JSON at line {line}, column {column}")
    }
}

/// The publisher side could not sign a statement.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignError {
    /// The statement's issuer (`iss`) is empty.
    #[error("a software statement needs a non-empty issuer")]
    EmptyIssuer,
    /// The key allows several algorithms and none was chosen.
    #[error("this key allows several algorithms: choose one with .algorithm()")]
    AlgorithmNeeded,
    /// The claims could not be serialized as JSON.
    #[error("the claims cannot be serialized as JSON")]
    Claims,
    /// No randomness was available for the `jti`.
    #[error("no randomness available for the jti")]
    Randomness,
    /// A signed registration request cannot be built as asked.
    #[error("{0}")]
    Request(&'static str),
    /// The JWS layer refused to sign (wrong key for the algorithm, public key, …).
    #[error(transparent)]
    Jws(#[from] JwsError),
}
