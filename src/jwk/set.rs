//! JWK Sets (RFC 7517 §5): strict (operator-configured) and lenient (fetched) reading,
//! key selection for verification.

use serde_json::Value;

use super::import::malformed;
use super::Jwk;
use crate::error::{JwsError, KeyError};
use crate::jwa::Algorithm;

/// A key that was left out of a fetched JWK Set, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SkippedKey {
    /// Zero-based position in `keys`.
    pub position: usize,
    /// The key's `kid`, if readable.
    pub kid: Option<String>,
    /// Why it was skipped.
    pub reason: KeyError,
}

/// A JWK Set (RFC 7517 §5) of validated keys with unique `kid`s.
#[derive(Debug, Default)]
pub struct JwkSet {
    keys: Vec<Jwk>,
    skipped: Vec<SkippedKey>,
}

/// How strictly a JWK Set is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SetMode {
    /// Operator configuration: every key must be valid.
    Strict,
    /// Fetched at run time: invalid keys are skipped and reported.
    Lenient,
}

impl JwkSet {
    /// A set of the given keys; duplicate `kid`s are refused.
    pub fn new(keys: Vec<Jwk>) -> Result<JwkSet, KeyError> {
        check_unique_kids(keys.iter().map(Jwk::kid))?;
        Ok(JwkSet {
            keys,
            skipped: Vec::new(),
        })
    }

    /// Parses a JWK Set an operator configured: every key must be valid (one bad key
    /// is an error naming its position and `kid`), except that keys of a kind this
    /// library does not implement (an unknown `kty` as RFC 7517 §5 says, an unsupported
    /// curve, a non-signature `alg`) are skipped and listed in [`skipped`](Self::skipped).
    pub fn from_json(json: &str) -> Result<JwkSet, KeyError> {
        Self::parse(json, SetMode::Strict)
    }

    /// Parses a JWK Set fetched at run time: an invalid key is skipped and reported in
    /// [`skipped`](Self::skipped), the rest stay usable. Duplicate `kid`s still reject
    /// the whole set.
    pub fn from_json_lenient(json: &str) -> Result<JwkSet, KeyError> {
        Self::parse(json, SetMode::Lenient)
    }

    /// Like [`from_json`](Self::from_json), from a JSON value.
    pub fn from_value(value: &Value) -> Result<JwkSet, KeyError> {
        Self::from_value_mode(value, SetMode::Strict)
    }

    fn parse(json: &str, mode: SetMode) -> Result<JwkSet, KeyError> {
        let map = crate::json::parse_object_str(json, 16).map_err(|e| match e {
            crate::error::JsonError::Duplicate(n) => malformed(format!("duplicate member \"{n}\" in the JWK Set")),
            _ => malformed("a JWK Set must be a JSON object"),
        })?;
        Self::from_value_mode(&Value::Object(map), mode)
    }

    fn from_value_mode(value: &Value, mode: SetMode) -> Result<JwkSet, KeyError> {
        let keys = value
            .get("keys")
            .and_then(Value::as_array)
            .ok_or_else(|| malformed("a JWK Set needs a \"keys\" array"))?;
        let mut out = Vec::with_capacity(keys.len());
        let mut skipped = Vec::new();
        for (position, k) in keys.iter().enumerate() {
            match Jwk::from_value(k) {
                Ok(key) => out.push(key),
                Err(reason) => {
                    let kid = k.get("kid").and_then(Value::as_str).map(str::to_owned);
                    // Valid keys of a kind this library does not implement (another `kty`,
                    // a registered curve such as X25519 or secp256k1, a registered
                    // encryption `alg`) are skipped even in a configured set: publishers
                    // mix them into their JWKS. Mistakes (typos, contradictions) are not.
                    let foreign = matches!(
                        reason,
                        KeyError::UnsupportedKeyType(_)
                            | KeyError::UnsupportedCurve(_)
                            | KeyError::UnsupportedAlgorithm(_)
                    );
                    if mode == SetMode::Strict && !foreign {
                        return Err(KeyError::InSet {
                            position,
                            kid,
                            source: Box::new(reason),
                        });
                    }
                    skipped.push(SkippedKey { position, kid, reason });
                }
            }
        }
        check_unique_kids(out.iter().map(Jwk::kid).chain(skipped.iter().map(|k| k.kid.as_deref())))?;
        Ok(JwkSet { keys: out, skipped })
    }

    /// The usable keys.
    pub fn keys(&self) -> &[Jwk] {
        &self.keys
    }

    /// Keys that were left out (unknown `kty`; for fetched sets, invalid keys too).
    pub fn skipped(&self) -> &[SkippedKey] {
        &self.skipped
    }

    /// The key with this `kid`.
    pub fn get(&self, kid: &str) -> Option<&Jwk> {
        self.keys.iter().find(|k| k.kid() == Some(kid))
    }

    /// Whether the set has no usable key.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The union of what the keys allow (see [`Jwk::algorithms`]).
    pub fn algorithms(&self) -> crate::jwa::AlgorithmSet {
        self.keys
            .iter()
            .fold(crate::jwa::AlgorithmSet::EMPTY, |s, k| s.union(k.algorithms()))
    }

    /// Selects the verification key for a token (security rule 6, README): by `kid` when the token
    /// has one; otherwise the single key able to verify `alg`, and an error when there
    /// are none or several.
    pub fn select(&self, alg: Algorithm, kid: Option<&str>) -> Result<&Jwk, JwsError> {
        match kid {
            Some(kid) => {
                let key = self.get(kid).ok_or_else(|| JwsError::UnknownKid(kid.to_owned()))?;
                key.check_verify(alg)?;
                Ok(key)
            }
            None => {
                let mut found = None;
                let mut count = 0;
                for k in &self.keys {
                    if k.check_verify(alg).is_ok() {
                        count += 1;
                        found.get_or_insert(k);
                    }
                }
                match (found, count) {
                    (Some(k), 1) => Ok(k),
                    (None, _) => Err(JwsError::NoKey(alg)),
                    (_, n) => Err(JwsError::AmbiguousKey(n)),
                }
            }
        }
    }

    /// The public JWK Set as JSON (`{"keys":[...]}`); fails for a set holding a secret.
    pub fn to_public_value(&self) -> Result<Value, KeyError> {
        let keys = self
            .keys
            .iter()
            .map(|k| k.to_public().map(|p| p.to_value()))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(serde_json::json!({ "keys": keys }))
    }
}

fn check_unique_kids<'k>(kids: impl Iterator<Item = Option<&'k str>>) -> Result<(), KeyError> {
    let mut seen = std::collections::HashSet::new();
    for kid in kids.flatten() {
        if !seen.insert(kid) {
            return Err(KeyError::DuplicateKid(kid.to_owned()));
        }
    }
    Ok(())
}
