//! Compact JWS (RFC 7515 §7.1) signing and strict verification (DESIGN §4.1–4.4, §4.6).
//!
//! Verification is two-phase so that a caller can look at the (still untrusted) header
//! and payload to pick a trust policy before any key is used:
//! [`UnverifiedJws::parse`] applies every syntactic rule, then
//! [`UnverifiedJws::verify`] selects the key and checks the signature.
//!
//! ```
//! use software_statement::jwa::{Algorithm, AlgorithmSet};
//! use software_statement::jwk::{Jwk, JwkSet};
//! use software_statement::jws::{self, Limits};
//!
//! let key = Jwk::generate(Algorithm::ES256)?.with_kid("k1")?;
//! let token = jws::sign(&key, Algorithm::ES256, &Default::default(), br#"{"hello":"world"}"#)?;
//! let keys = JwkSet::new(vec![key.to_public()?])?;
//! let verified = jws::verify(&token, &keys, AlgorithmSet::of(&[Algorithm::ES256]), &Limits::default())?;
//! assert_eq!(verified.payload(), br#"{"hello":"world"}"#);
//! assert_eq!(verified.header().kid(), Some("k1"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use serde_json::{Map, Value};

use crate::b64;
use crate::crypto;
use crate::error::JwsError;
use crate::json::{self, JsonError};
use crate::jwa::{Algorithm, AlgorithmSet};
use crate::jwk::{Jwk, JwkSet, MAX_KID_LEN};

/// Size and nesting caps, checked before and during decoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    max_token_bytes: usize,
    max_depth: usize,
}

impl Default for Limits {
    /// 16 KiB tokens, JSON nesting depth 32.
    fn default() -> Self {
        Limits {
            max_token_bytes: 16 * 1024,
            max_depth: 32,
        }
    }
}

impl Limits {
    /// Largest token accepted, in bytes (default 16 KiB). Checked before any decoding.
    #[must_use]
    pub fn max_token_bytes(mut self, n: usize) -> Self {
        self.max_token_bytes = n;
        self
    }

    /// Deepest JSON nesting accepted in header and claims (default 32).
    #[must_use]
    pub fn max_depth(mut self, n: usize) -> Self {
        self.max_depth = n;
        self
    }

    /// The JSON nesting cap.
    pub fn depth(&self) -> usize {
        self.max_depth
    }
}

/// A decoded protected header.
#[derive(Clone, Debug, PartialEq)]
pub struct Header {
    members: Map<String, Value>,
    alg: Algorithm,
    kid: Option<String>,
}

impl Header {
    /// `alg`.
    pub fn alg(&self) -> Algorithm {
        self.alg
    }

    /// `kid`, if present.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// `typ`, if present and a string.
    pub fn typ(&self) -> Option<&str> {
        self.members.get("typ").and_then(Value::as_str)
    }

    /// Every member, in order.
    pub fn members(&self) -> &Map<String, Value> {
        &self.members
    }

    /// Consumes the header, giving its members.
    pub fn into_members(self) -> Map<String, Value> {
        self.members
    }
}

/// Header names registered by RFC 7515 §4.1 and RFC 7516 §4.1: they may not be listed in `crit`.
const REGISTERED: [&str; 20] = [
    "alg", "jku", "jwk", "kid", "x5u", "x5c", "x5t", "x5t#S256", "typ", "cty", "crit", "enc", "zip", "epk", "apu",
    "apv", "iv", "tag", "p2s", "p2c",
];

fn json_err(e: JsonError, part: &'static str) -> JwsError {
    match e {
        JsonError::Duplicate(name) => JwsError::DuplicateMember { name, part },
        JsonError::TooDeep => JwsError::TooDeep(part),
        JsonError::Syntax | JsonError::NotObject => JwsError::NotJsonObject(part),
    }
}

/// Parses a JSON object the way JWS headers and JWT claims are parsed (duplicates and
/// excessive nesting refused); `part` names it in errors.
pub(crate) fn parse_json_object(
    bytes: &[u8],
    limits: &Limits,
    part: &'static str,
) -> Result<Map<String, Value>, JwsError> {
    json::parse_object(bytes, limits.max_depth).map_err(|e| json_err(e, part))
}

fn parse_header(bytes: &[u8], limits: &Limits) -> Result<Header, JwsError> {
    let members = parse_json_object(bytes, limits, "header")?;
    let alg = match members.get("alg") {
        Some(Value::String(a)) => Algorithm::from_name(a).ok_or_else(|| JwsError::UnsupportedAlgorithm(a.clone()))?,
        _ => return Err(JwsError::MissingAlg),
    };
    if members.contains_key("b64") {
        return Err(JwsError::B64);
    }
    if let Some(crit) = members.get("crit") {
        check_crit(crit, &members)?;
    }
    let kid = match members.get("kid") {
        None => None,
        Some(Value::String(k)) if k.len() <= MAX_KID_LEN => Some(k.clone()),
        Some(Value::String(_)) => return Err(JwsError::InvalidKid("longer than 256 bytes")),
        Some(_) => return Err(JwsError::InvalidKid("not a string")),
    };
    if members.get("typ").is_some_and(|t| !t.is_string()) {
        return Err(JwsError::Malformed("\"typ\" must be a string"));
    }
    Ok(Header { members, alg, kid })
}

/// RFC 7515 §4.1.11. This library implements no extension, so a valid `crit` is still
/// refused, as "not understood".
fn check_crit(crit: &Value, header: &Map<String, Value>) -> Result<(), JwsError> {
    let names = crit.as_array().ok_or(JwsError::CritInvalid("not an array"))?;
    if names.is_empty() {
        return Err(JwsError::CritInvalid("empty list"));
    }
    let mut first_unknown = None;
    for (i, n) in names.iter().enumerate() {
        let n = n.as_str().ok_or(JwsError::CritInvalid("not an array of strings"))?;
        if names[..i].iter().any(|o| o.as_str() == Some(n)) {
            return Err(JwsError::CritInvalid("lists a name twice"));
        }
        if REGISTERED.contains(&n) {
            return Err(JwsError::CritInvalid("lists a registered header parameter"));
        }
        if !header.contains_key(n) {
            return Err(JwsError::CritInvalid("lists a parameter absent from the header"));
        }
        first_unknown.get_or_insert(n);
    }
    match first_unknown {
        Some(n) => Err(JwsError::CritNotUnderstood(n.to_owned())),
        None => Ok(()),
    }
}

/// A compact JWS that passed every syntactic rule but whose signature is not checked yet.
/// Nothing in it may be trusted.
#[derive(Debug)]
pub struct UnverifiedJws<'t> {
    signing_input: &'t str,
    header: Header,
    payload: Vec<u8>,
    signature: Vec<u8>,
}

impl<'t> UnverifiedJws<'t> {
    /// Applies the strict compact-form rules (DESIGN §4.3, §4.4): size cap first, exactly
    /// three segments, canonical base64url, UTF-8 JSON object header without duplicate
    /// members, a known `alg` (never `none`), `crit` and `b64` refused.
    pub fn parse(token: &'t str, limits: &Limits) -> Result<Self, JwsError> {
        if token.len() > limits.max_token_bytes {
            return Err(JwsError::TooLarge {
                len: token.len(),
                limit: limits.max_token_bytes,
            });
        }
        if token.starts_with('{') {
            return Err(JwsError::Malformed(
                "the JWS JSON serialization is not accepted; send the compact form",
            ));
        }
        let mut parts = token.splitn(4, '.');
        let (Some(h), Some(p), Some(s), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
            return Err(JwsError::Malformed(
                "a compact JWS has exactly three dot-separated segments",
            ));
        };
        let header_bytes = b64::decode(h).ok_or(JwsError::Base64("header"))?;
        let header = parse_header(&header_bytes, limits)?;
        let payload = b64::decode(p).ok_or(JwsError::Base64("payload"))?;
        let signature = b64::decode(s).ok_or(JwsError::Base64("signature"))?;
        let signing_input = &token[..h.len() + 1 + p.len()];
        Ok(UnverifiedJws {
            signing_input,
            header,
            payload,
            signature,
        })
    }

    /// The decoded header (untrusted until verified).
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The decoded payload (untrusted until verified).
    pub fn payload(&self) -> &[u8] {
        &self.payload
    }

    /// Selects a key from `keys` (by `kid`, or the single compatible key) and verifies.
    /// `alg` must be in `allowed` and fit the key (DESIGN §4.1, §4.6).
    pub fn verify(self, keys: &JwkSet, allowed: AlgorithmSet) -> Result<Verified, JwsError> {
        let alg = self.check_alg(allowed)?;
        let key = keys.select(alg, self.header.kid())?;
        self.finish(key, alg)
    }

    /// Verifies with one given key (no `kid` matching).
    pub fn verify_with_key(self, key: &Jwk, allowed: AlgorithmSet) -> Result<Verified, JwsError> {
        let alg = self.check_alg(allowed)?;
        key.check_verify(alg)?;
        self.finish(key, alg)
    }

    fn check_alg(&self, allowed: AlgorithmSet) -> Result<Algorithm, JwsError> {
        let alg = self.header.alg;
        if !crypto::backend_supports(alg) {
            return Err(JwsError::UnsupportedByBackend(alg));
        }
        if !allowed.contains(alg) {
            return Err(JwsError::AlgorithmNotAllowed(alg));
        }
        Ok(alg)
    }

    #[inline]
    fn finish(self, key: &Jwk, alg: Algorithm) -> Result<Verified, JwsError> {
        key.verify_raw(alg, self.signing_input.as_bytes(), &self.signature)?;
        Ok(Verified {
            header: self.header,
            payload: self.payload,
        })
    }
}

/// A JWS whose signature verified.
#[derive(Clone, Debug, PartialEq)]
pub struct Verified {
    header: Header,
    payload: Vec<u8>,
}

impl Verified {
    /// The verified header.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The verified payload.
    pub fn payload(&self) -> &[u8] {
        &self.payload
    }

    /// Header and payload.
    pub fn into_parts(self) -> (Header, Vec<u8>) {
        (self.header, self.payload)
    }
}

/// Parses and verifies in one step.
pub fn verify(token: &str, keys: &JwkSet, allowed: AlgorithmSet, limits: &Limits) -> Result<Verified, JwsError> {
    UnverifiedJws::parse(token, limits)?.verify(keys, allowed)
}

/// Signs `payload` as a compact JWS with `key` and `alg`. The header is `alg`, then the
/// key's `kid` (if any), then `extra` members in order (`alg` in `extra` is ignored;
/// a `kid` in `extra` replaces the key's).
pub fn sign(key: &Jwk, alg: Algorithm, extra: &Map<String, Value>, payload: &[u8]) -> Result<String, JwsError> {
    if !crypto::backend_supports(alg) {
        return Err(JwsError::UnsupportedByBackend(alg));
    }
    let mut header = Map::new();
    header.insert("alg".into(), Value::String(alg.name().into()));
    if let Some(kid) = key.kid() {
        header.insert("kid".into(), Value::String(kid.into()));
    }
    // Never produce what this library's own verifier refuses.
    if extra.contains_key("b64") {
        return Err(JwsError::B64);
    }
    if let Some(crit) = extra.get("crit") {
        return Err(crit.as_array().and_then(|c| c.first()).and_then(Value::as_str).map_or(
            JwsError::CritInvalid("not a non-empty array of strings"),
            |n| JwsError::CritNotUnderstood(n.to_owned()),
        ));
    }
    for (k, v) in extra {
        if k != "alg" {
            header.insert(k.clone(), v.clone());
        }
    }
    let header_json = serde_json::to_vec(&header).map_err(|_| JwsError::Malformed("header not serializable"))?;
    let mut out = String::with_capacity((header_json.len() + payload.len()) * 4 / 3 + 400);
    b64::encode_into(&header_json, &mut out);
    out.push('.');
    b64::encode_into(payload, &mut out);
    let sig = key.sign_raw(alg, out.as_bytes())?;
    out.push('.');
    b64::encode_into(&sig, &mut out);
    Ok(out)
}
