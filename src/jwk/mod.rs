//! JSON Web Keys (RFC 7517) and JWK Sets: strict import from JWK JSON, PEM and DER,
//! public export, RFC 7638 thumbprints, and key selection for verification (security rules
//! 5 and 6 of the README).
//!
//! A [`Jwk`] is validated and parsed into the backend's ready-to-use form once, when it
//! is created; verification never re-parses it (beyond what the backend itself forces).

mod containers;
mod generate;
mod import;
mod set;
#[cfg(test)]
mod wycheproof;

use std::fmt;

use serde_json::{Map, Value};

pub use self::generate::RSA_BITS;
pub use self::import::MIN_HMAC_LEN;
use self::import::*;
pub use self::set::{JwkSet, SkippedKey};

use crate::b64;
use crate::crypto::{self, HmacKey, PrivateKey, PublicKey};
use crate::error::{JwsError, KeyError};
use crate::jwa::{Algorithm, Curve, KeyFamily, MlDsa};

/// Longest `kid` accepted, in bytes (security rule 6, README).
pub const MAX_KID_LEN: usize = 256;

/// The type of a key, with its size or curve.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyType {
    /// RSA with a modulus of `bits` bits.
    Rsa {
        /// Modulus length in bits.
        bits: usize,
    },
    /// EC on a NIST curve.
    Ec(Curve),
    /// OKP Ed25519.
    Ed25519,
    /// A shared secret of `len` bytes.
    Oct {
        /// Secret length in bytes.
        len: usize,
    },
    /// `AKP` (draft-ietf-cose-dilithium) with an ML-DSA `alg`: the parameter set.
    MlDsa(MlDsa),
}

impl KeyType {
    fn family(self) -> KeyFamily {
        match self {
            KeyType::Rsa { .. } => KeyFamily::Rsa,
            KeyType::Ec(c) => KeyFamily::Ec(c),
            KeyType::Ed25519 => KeyFamily::Ed25519,
            KeyType::Oct { .. } => KeyFamily::Oct,
            KeyType::MlDsa(p) => KeyFamily::MlDsa(p),
        }
    }
}

enum Verifier {
    Public(PublicKey),
    /// One HMAC key per hash (HS256, HS384, HS512); `None` where the secret is shorter
    /// than the hash or the key's `alg` excludes it.
    Hmac(Box<[Option<HmacKey>; 3]>),
}

/// A validated JSON Web Key, public or private, parsed once into the backend's form.
pub struct Jwk {
    members: Map<String, Value>,
    key_type: KeyType,
    kid: Option<String>,
    alg: Option<Algorithm>,
    can_verify: bool,
    can_sign: bool,
    verifier: Verifier,
    private: Option<PrivateKey>,
}

impl fmt::Debug for Jwk {
    /// Shows the key's public facts only: never key material.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Jwk")
            .field("key_type", &self.key_type)
            .field("kid", &self.kid)
            .field("alg", &self.alg)
            .field("private", &self.is_private())
            .finish()
    }
}

/// JWK members that hold private or secret key material (RFC 7518 §6.2.2, §6.3.2,
/// §6.4.1; RFC 8037 §2; `priv`, the `AKP` private key, draft-ietf-cose-dilithium), written
/// once: stripped from a public export, refused in a client's registered `jwks`, never
/// taken from a fetched set (security rule 10).
pub(crate) const SECRET_MEMBERS: [&str; 9] = ["d", "p", "q", "dp", "dq", "qi", "oth", "k", "priv"];

impl Jwk {
    /// Parses and validates a JWK from JSON text.
    ///
    /// ```
    /// use software_statement::Jwk;
    /// let key = Jwk::from_json(r#"{"kty":"OKP","crv":"Ed25519",
    ///     "x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","kid":"k1"}"#)?;
    /// assert_eq!(key.kid(), Some("k1"));
    /// assert!(!key.is_private());
    /// # Ok::<(), software_statement::KeyError>(())
    /// ```
    pub fn from_json(json: &str) -> Result<Jwk, KeyError> {
        let map = crate::json::parse_object_str(json, crate::json::JWK_MAX_DEPTH).map_err(|e| match e {
            crate::error::JsonError::Duplicate(n) => malformed(format!("duplicate member \"{n}\"")),
            _ => malformed("not a JSON object"),
        })?;
        Jwk::from_map(map)
    }

    /// Parses and validates a JWK from a JSON value.
    pub fn from_value(value: &Value) -> Result<Jwk, KeyError> {
        match value {
            Value::Object(m) => Jwk::from_map(m.clone()),
            _ => Err(malformed("a JWK must be a JSON object")),
        }
    }

    /// Parses and validates a JWK from a JSON object's members.
    pub fn from_map(members: Map<String, Value>) -> Result<Jwk, KeyError> {
        let m = &members;
        let kty = req_str(m, "kty")?;
        let kid = get_str(m, "kid")?.map(str::to_owned);
        if kid.as_ref().is_some_and(|k| k.len() > MAX_KID_LEN) {
            return Err(malformed(format!("\"kid\" is longer than {MAX_KID_LEN} bytes")));
        }
        let alg = match get_str(m, "alg")? {
            None => None,
            Some(a) => Some(Algorithm::from_name(a).ok_or_else(|| {
                if JWE_ALGORITHMS.contains(&a) || FOREIGN_AKP_ALGORITHMS.contains(&a) {
                    // A valid encryption key, or a post-quantum key of an algorithm this
                    // library does not implement: foreign here, skipped in a set.
                    KeyError::UnsupportedAlgorithm(a.to_owned())
                } else {
                    KeyError::Inconsistent(format!("\"alg\" {a:?} is not a registered JOSE algorithm"))
                }
            })?),
        };
        let key_use = get_str(m, "use")?;
        let key_ops = match m.get("key_ops") {
            None => None,
            Some(Value::Array(ops)) => {
                let mut out: Vec<&str> = Vec::with_capacity(ops.len());
                // Hashed: a linear search would be quadratic in a list a registrant
                // controls (a client `jwks` in a registration request).
                let mut seen = std::collections::HashSet::with_capacity(ops.len());
                for op in ops {
                    let op = op
                        .as_str()
                        .ok_or_else(|| malformed("\"key_ops\" must be an array of strings"))?;
                    if !seen.insert(op) {
                        return Err(malformed(format!("\"key_ops\" lists {op:?} twice")));
                    }
                    out.push(op);
                }
                Some(out)
            }
            Some(_) => return Err(malformed("\"key_ops\" must be an array of strings")),
        };
        // RFC 7517 §4.3: use and key_ops, when both present, must be consistent.
        if let (Some(u), Some(ops)) = (key_use, &key_ops) {
            let sig_ops = ops.iter().all(|o| matches!(*o, "sign" | "verify"));
            let enc_ops = ops.iter().all(|o| !matches!(*o, "sign" | "verify"));
            if (u == "sig" && !sig_ops) || (u == "enc" && !enc_ops) {
                return Err(KeyError::Inconsistent(format!("\"use\" {u:?} contradicts \"key_ops\"")));
            }
        }
        if key_use == Some("enc") && alg.is_some() {
            return Err(KeyError::Inconsistent(
                "\"use\" \"enc\" contradicts a signature \"alg\"".into(),
            ));
        }
        let use_ok = key_use.is_none_or(|u| u == "sig");
        let can_verify = use_ok && key_ops.as_ref().is_none_or(|o| o.contains(&"verify"));
        let can_sign = use_ok && key_ops.as_ref().is_none_or(|o| o.contains(&"sign"));

        let (key_type, verifier, private) = match kty {
            "RSA" => import_rsa(m)?,
            "EC" => import_ec(m)?,
            "OKP" => import_okp(m)?,
            "oct" => import_oct(m, alg)?,
            "AKP" => import_akp(m, alg)?,
            other => return Err(KeyError::UnsupportedKeyType(other.to_owned())),
        };
        if let Some(a) = alg {
            if a.key_family() != key_type.family() {
                return Err(KeyError::Inconsistent(format!(
                    "\"alg\" {a} does not fit a {kty} key of this type/curve"
                )));
            }
            if let KeyType::Oct { len } = key_type {
                if len < a.hash_len() {
                    return Err(KeyError::Weak(format!(
                        "{a} needs a secret of at least {} bytes, this one has {len}",
                        a.hash_len()
                    )));
                }
            }
            if !crypto::backend_supports(a) {
                return Err(KeyError::UnsupportedByBackend(a.name().to_owned()));
            }
        }
        Ok(Jwk {
            members,
            key_type,
            kid,
            alg,
            can_verify,
            can_sign,
            verifier,
            private,
        })
    }

    /// Imports a key from PEM: `PRIVATE KEY` (PKCS#8), `PUBLIC KEY` (SPKI),
    /// `RSA PRIVATE KEY` / `RSA PUBLIC KEY` (PKCS#1) or `EC PRIVATE KEY` (SEC1).
    pub fn from_pem(pem: &str) -> Result<Jwk, KeyError> {
        let (label, der) =
            der::pem::decode_vec(pem.trim().as_bytes()).map_err(|_| KeyError::Encoding("not a PEM document".into()))?;
        let members = match label {
            "PRIVATE KEY" => self::containers::pkcs8(&der)?,
            "PUBLIC KEY" => self::containers::spki(&der)?,
            "RSA PRIVATE KEY" => self::containers::pkcs1_private(&der)?,
            "RSA PUBLIC KEY" => self::containers::pkcs1_public(&der)?,
            "EC PRIVATE KEY" => self::containers::sec1(&der, None)?,
            other => return Err(KeyError::Encoding(format!("unsupported PEM label {other:?}"))),
        };
        Jwk::from_map(members)
    }

    /// Imports a key from DER: PKCS#8, SPKI, PKCS#1 (private or public) or SEC1,
    /// whichever the document is.
    pub fn from_der(der: &[u8]) -> Result<Jwk, KeyError> {
        Jwk::from_map(self::containers::any(der)?)
    }

    /// The `kid`, if any.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// The key's own `alg` restriction, if any.
    pub fn alg(&self) -> Option<Algorithm> {
        self.alg
    }

    /// The key type, with its size or curve.
    pub fn key_type(&self) -> KeyType {
        self.key_type
    }

    /// Whether the key can sign: a private key, or a shared secret.
    pub fn is_private(&self) -> bool {
        self.private.is_some() || matches!(self.key_type, KeyType::Oct { .. })
    }

    /// The JWK's members as given (private members included for a private key).
    pub fn members(&self) -> &Map<String, Value> {
        &self.members
    }

    /// The JWK as a JSON value (private members included for a private key).
    pub fn to_value(&self) -> Value {
        Value::Object(self.members.clone())
    }

    /// Returns the same key with `kid` set.
    pub fn with_kid(mut self, kid: &str) -> Result<Jwk, KeyError> {
        if kid.len() > MAX_KID_LEN {
            return Err(malformed(format!("\"kid\" is longer than {MAX_KID_LEN} bytes")));
        }
        self.members.insert("kid".into(), Value::String(kid.into()));
        self.kid = Some(kid.into());
        Ok(self)
    }

    /// Returns the same key restricted to `alg` (checked against the key type).
    pub fn with_alg(mut self, alg: Algorithm) -> Result<Jwk, KeyError> {
        self.members.insert("alg".into(), Value::String(alg.name().into()));
        Jwk::from_map(std::mem::take(&mut self.members))
    }

    /// The public JWK of this key: private members removed, `key_ops` `sign` turned
    /// into `verify`. A shared secret has no public form.
    pub fn to_public(&self) -> Result<Jwk, KeyError> {
        if matches!(self.key_type, KeyType::Oct { .. }) {
            return Err(KeyError::SecretNotPublishable);
        }
        let mut m = self.members.clone();
        for p in SECRET_MEMBERS {
            m.remove(p);
        }
        if let Some(Value::Array(ops)) = m.get_mut("key_ops") {
            let mut out: Vec<Value> = Vec::new();
            for op in ops.iter() {
                let op = match op.as_str() {
                    Some("sign") => "verify",
                    Some(o) => o,
                    None => continue,
                };
                if !out.iter().any(|v| v == op) {
                    out.push(Value::String(op.into()));
                }
            }
            *ops = out;
        }
        Jwk::from_map(m)
    }

    /// The RFC 7638 JWK thumbprint (SHA-256, base64url).
    ///
    /// ```
    /// use software_statement::Jwk;
    /// // RFC 8037 A.3
    /// let key = Jwk::from_json(r#"{"kty":"OKP","crv":"Ed25519",
    ///     "x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#)?;
    /// assert_eq!(key.thumbprint(), "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");
    /// # Ok::<(), software_statement::KeyError>(())
    /// ```
    pub fn thumbprint(&self) -> String {
        b64::encode(&crypto::sha256(self.thumbprint_input().as_bytes()))
    }

    /// The canonical JSON the thumbprint hashes (RFC 7638 §3.2).
    pub fn thumbprint_input(&self) -> String {
        let names: &[&str] = match self.key_type {
            KeyType::Rsa { .. } => &["e", "kty", "n"],
            KeyType::Ec(_) => &["crv", "kty", "x", "y"],
            KeyType::Ed25519 => &["crv", "kty", "x"],
            KeyType::Oct { .. } => &["k", "kty"],
            // draft-ietf-cose-dilithium "AKP Thumbprints".
            KeyType::MlDsa(_) => &["alg", "kty", "pub"],
        };
        let mut out = String::from("{");
        for (i, n) in names.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            let v = self.members.get(*n).cloned().unwrap_or(Value::Null);
            out.push_str(&serde_json::to_string(n).unwrap_or_default());
            out.push(':');
            out.push_str(&serde_json::to_string(&v).unwrap_or_default());
        }
        out.push('}');
        out
    }

    /// Every algorithm this key may verify or sign: its `alg` when set, otherwise every
    /// algorithm of its type the backend implements (never HMAC for a public key).
    pub fn algorithms(&self) -> crate::jwa::AlgorithmSet {
        Algorithm::ALL.into_iter().filter(|a| self.fits(*a).is_ok()).collect()
    }

    /// Whether the key may be used with `alg`, ignoring `use`/`key_ops`.
    fn fits(&self, alg: Algorithm) -> Result<(), &'static str> {
        if self.alg.is_some_and(|a| a != alg) {
            return Err("the key is restricted to another algorithm by its \"alg\"");
        }
        if alg.key_family() != self.key_type.family() {
            return Err("wrong key type or curve for the algorithm");
        }
        if !crypto::backend_supports(alg) {
            return Err("unsupported with this backend");
        }
        if let Verifier::Hmac(keys) = &self.verifier {
            if keys[hmac_slot(alg)].is_none() {
                return Err("the secret is shorter than the algorithm's hash");
            }
        }
        Ok(())
    }

    /// Checks that this key may verify `alg` (security rule 1, README): type and curve, the key's own
    /// `alg`, `use` and `key_ops`.
    pub fn check_verify(&self, alg: Algorithm) -> Result<(), JwsError> {
        let mismatch = |reason| JwsError::KeyMismatch {
            alg,
            kid: self.kid.clone(),
            reason,
        };
        if !self.can_verify {
            return Err(mismatch("its \"use\" or \"key_ops\" do not allow verification"));
        }
        self.fits(alg).map_err(mismatch)
    }

    /// Verifies `sig` over `msg` with `alg`. The caller must have called
    /// [`check_verify`](Self::check_verify).
    #[inline]
    pub(crate) fn verify_raw(&self, alg: Algorithm, msg: &[u8], sig: &[u8]) -> Result<(), JwsError> {
        let r = match &self.verifier {
            Verifier::Public(pk) => pk.verify(alg, msg, sig),
            Verifier::Hmac(keys) => match &keys[hmac_slot(alg)] {
                Some(k) => k.verify(msg, sig),
                None => Err(crypto::Unspecified),
            },
        };
        r.map_err(|_| JwsError::BadSignature)
    }

    /// Checks that this key may verify `alg`, then verifies `signature` over the raw
    /// `signing_input`: exactly what compact JWS verification does once the key is
    /// selected. For test suites (Wycheproof) whose messages are not JWS signing inputs;
    /// not part of the supported API.
    #[cfg(test)]
    pub(crate) fn verify_signature(
        &self,
        alg: Algorithm,
        signing_input: &[u8],
        signature: &[u8],
    ) -> Result<(), JwsError> {
        self.check_verify(alg)?;
        self.verify_raw(alg, signing_input, signature)
    }

    /// Signs `msg` with `alg`.
    pub(crate) fn sign_raw(&self, alg: Algorithm, msg: &[u8]) -> Result<Vec<u8>, JwsError> {
        if !self.can_sign {
            return Err(JwsError::KeyMismatch {
                alg,
                kid: self.kid.clone(),
                reason: "its \"use\" or \"key_ops\" do not allow signing",
            });
        }
        self.fits(alg).map_err(|reason| JwsError::KeyMismatch {
            alg,
            kid: self.kid.clone(),
            reason,
        })?;
        match (&self.verifier, &self.private) {
            (Verifier::Hmac(keys), _) => Ok(keys[hmac_slot(alg)].as_ref().ok_or(JwsError::BadSignature)?.sign(msg)),
            (_, Some(pk)) => pk
                .sign(alg, msg)
                .map_err(|_| JwsError::Key(KeyError::Invalid("signing failed".into()))),
            (_, None) => Err(JwsError::Key(KeyError::NotPrivate)),
        }
    }

    /// The algorithm a signer should use with this key: its `alg`, else the only
    /// algorithm its type allows (EC, Ed25519, ML-DSA), else `None` (RSA and oct need a
    /// choice).
    pub fn default_algorithm(&self) -> Option<Algorithm> {
        self.alg.or(match self.key_type {
            KeyType::Ec(c) => Some(c.algorithm()),
            KeyType::Ed25519 => Some(Algorithm::EdDSA),
            KeyType::MlDsa(p) => Some(p.algorithm()),
            _ => None,
        })
    }
}
