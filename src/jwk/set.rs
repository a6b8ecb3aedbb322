//! JWK Sets (RFC 7517 §5): strict (operator-configured) and lenient (fetched) reading,
//! key selection for verification.

use serde_json::Value;

use super::import::{malformed, FOREIGN_AKP_ALGORITHMS, JWE_ALGORITHMS};
use super::Jwk;
use super::SECRET_MEMBERS;
use crate::crypto;
use crate::error::{JwsError, KeyError};
use crate::jwa::{Algorithm, Curve};

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
    /// curve, a non-signature `alg`, an `AKP` key of an algorithm other than ML-DSA) or
    /// that the backend lacks (ML-DSA on ring) are skipped and listed in
    /// [`skipped`](Self::skipped).
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
        let map = crate::json::parse_object_str(json, crate::json::JWK_SET_MAX_DEPTH).map_err(|e| match e {
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
        let mut out: Vec<Jwk> = Vec::with_capacity(keys.len());
        let mut skipped = Vec::new();
        for (position, k) in keys.iter().enumerate() {
            let kid = || k.get("kid").and_then(Value::as_str).map(str::to_owned);
            // Keys of a kind this library does not implement, and encryption keys, are
            // skipped whatever their other members, even in a configured set: publishers
            // mix them into their JWKS (security rule 5). A fetched set never yields a
            // secret (security rule 10).
            let refused = foreign(k)
                .or_else(|| (mode == SetMode::Lenient && is_secret(k)).then_some(KeyError::SecretInFetchedSet));
            if let Some(reason) = refused {
                skipped.push(SkippedKey {
                    position,
                    kid: kid(),
                    reason,
                });
                continue;
            }
            match Jwk::from_value(k) {
                Ok(key) => out.push(key),
                Err(reason) => {
                    // Mistakes (typos, contradictions, invalid material) make a configured
                    // set invalid; in a fetched set, the key is skipped and reported.
                    let foreign = matches!(
                        reason,
                        KeyError::UnsupportedKeyType(_)
                            | KeyError::UnsupportedCurve(_)
                            | KeyError::UnsupportedAlgorithm(_)
                    );
                    if mode == SetMode::Strict && !foreign {
                        return Err(KeyError::InSet {
                            position,
                            kid: kid(),
                            source: Box::new(reason),
                        });
                    }
                    skipped.push(SkippedKey {
                        position,
                        kid: kid(),
                        reason,
                    });
                }
            }
        }
        match mode {
            // Skipped keys do not count: RFC 7517 §4.5 lets a signing and an encryption
            // key share a `kid`.
            SetMode::Strict => check_unique_kids(out.iter().map(Jwk::kid))?,
            // Keys sharing a `kid` are all skipped: which one the publisher meant is unknown.
            SetMode::Lenient => {
                let mut counts = std::collections::HashMap::new();
                for kid in out.iter().filter_map(Jwk::kid) {
                    *counts.entry(kid.to_owned()).or_insert(0usize) += 1;
                }
                if counts.values().any(|&n| n > 1) {
                    let mut kept = Vec::with_capacity(out.len());
                    for (i, key) in out.into_iter().enumerate() {
                        match key.kid().filter(|kid| counts[*kid] > 1) {
                            Some(kid) => skipped.push(SkippedKey {
                                position: i,
                                kid: Some(kid.to_owned()),
                                reason: KeyError::SharedKid(kid.to_owned()),
                            }),
                            None => kept.push(key),
                        }
                    }
                    out = kept;
                }
            }
        }
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

/// Why a key of a set is skipped before it is imported, whatever its other members: a
/// `kty` or a curve this library does not implement (X25519), an `AKP` key of a
/// post-quantum algorithm it does not implement (SLH-DSA) or that the backend lacks
/// (ML-DSA on ring), or a key marked for encryption (`use` `enc`, or an `alg` of IANA's
/// JWE registry).
fn foreign(key: &Value) -> Option<KeyError> {
    let m = key.as_object()?;
    let kty = m.get("kty")?.as_str()?;
    if !matches!(kty, "RSA" | "EC" | "OKP" | "oct" | "AKP") {
        return Some(KeyError::UnsupportedKeyType(kty.to_owned()));
    }
    let alg = m.get("alg").and_then(Value::as_str);
    if m.get("use").and_then(Value::as_str) == Some("enc") || alg.is_some_and(|a| JWE_ALGORITHMS.contains(&a)) {
        return Some(KeyError::EncryptionKey);
    }
    if kty == "AKP" {
        // The `alg` names the algorithm of an AKP key: one this library does not implement
        // is foreign, one it implements but the backend lacks is unusable here; anything
        // else (a missing `alg`, an unknown name, a bad key) is for the import to judge.
        return match alg? {
            a if FOREIGN_AKP_ALGORITHMS.contains(&a) => Some(KeyError::UnsupportedAlgorithm(a.to_owned())),
            a => Algorithm::from_name(a)
                .filter(|a| a.ml_dsa().is_some() && !crypto::backend_supports(*a))
                .map(|a| KeyError::UnsupportedByBackend(a.name().to_owned())),
        };
    }
    let crv = m.get("crv").and_then(Value::as_str)?;
    let implemented = match kty {
        "EC" => Curve::from_name(crv).is_some(),
        "OKP" => crv == "Ed25519",
        _ => true,
    };
    (!implemented).then(|| KeyError::UnsupportedCurve(crv.to_owned()))
}

/// A shared secret or a private key (security rule 10): never taken from a set fetched at
/// run time.
fn is_secret(key: &Value) -> bool {
    key.as_object().is_some_and(|m| {
        m.get("kty").and_then(Value::as_str) == Some("oct") || SECRET_MEMBERS.iter().any(|s| m.contains_key(*s))
    })
}
