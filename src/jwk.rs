//! JSON Web Keys (RFC 7517) and JWK Sets: strict import from JWK JSON, PEM and DER,
//! public export, RFC 7638 thumbprints, and key selection for verification (DESIGN §4.5,
//! §4.6).
//!
//! A [`Jwk`] is validated and parsed into the backend's ready-to-use form once, when it
//! is created; verification never re-parses it (beyond what the backend itself forces).

use std::fmt;

use serde_json::{Map, Value};

use crate::b64;
use crate::crypto::{self, HmacKey, PrivateKey, PublicKey};
use crate::error::{JwsError, KeyError};
use crate::jwa::{Algorithm, Curve, KeyFamily};

/// Longest `kid` accepted, in bytes (DESIGN §4.6).
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
}

impl KeyType {
    fn family(self) -> KeyFamily {
        match self {
            KeyType::Rsa { .. } => KeyFamily::Rsa,
            KeyType::Ec(c) => KeyFamily::Ec(c),
            KeyType::Ed25519 => KeyFamily::Ed25519,
            KeyType::Oct { .. } => KeyFamily::Oct,
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

fn malformed(msg: impl Into<String>) -> KeyError {
    KeyError::Malformed(msg.into())
}

fn get_str<'a>(m: &'a Map<String, Value>, name: &str) -> Result<Option<&'a str>, KeyError> {
    match m.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(malformed(format!("\"{name}\" must be a string"))),
    }
}

fn req_str<'a>(m: &'a Map<String, Value>, name: &str) -> Result<&'a str, KeyError> {
    get_str(m, name)?.ok_or_else(|| malformed(format!("missing \"{name}\"")))
}

fn get_b64(m: &Map<String, Value>, name: &str) -> Result<Option<Vec<u8>>, KeyError> {
    match get_str(m, name)? {
        None => Ok(None),
        Some(s) => b64::decode(s)
            .map(Some)
            .ok_or_else(|| malformed(format!("\"{name}\" is not canonical base64url"))),
    }
}

fn req_b64(m: &Map<String, Value>, name: &str) -> Result<Vec<u8>, KeyError> {
    get_b64(m, name)?.ok_or_else(|| malformed(format!("missing \"{name}\"")))
}

/// Big-endian unsigned integer without leading zero octets.
fn strip_zeros(v: &[u8]) -> &[u8] {
    let i = v.iter().position(|b| *b != 0).unwrap_or(v.len());
    &v[i..]
}

fn bit_len(v: &[u8]) -> usize {
    let v = strip_zeros(v);
    match v.first() {
        None => 0,
        Some(b) => v.len() * 8 - b.leading_zeros() as usize,
    }
}

const PRIVATE_MEMBERS: [&str; 7] = ["d", "p", "q", "dp", "dq", "qi", "oth"];

impl Jwk {
    /// Parses and validates a JWK from JSON text.
    ///
    /// ```
    /// use software_statement::jwk::Jwk;
    /// let key = Jwk::from_json(r#"{"kty":"OKP","crv":"Ed25519",
    ///     "x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","kid":"k1"}"#)?;
    /// assert_eq!(key.kid(), Some("k1"));
    /// assert!(!key.is_private());
    /// # Ok::<(), software_statement::KeyError>(())
    /// ```
    pub fn from_json(json: &str) -> Result<Jwk, KeyError> {
        let map = crate::json::parse_object_str(json, 8).map_err(|e| match e {
            crate::json::JsonError::Duplicate(n) => malformed(format!("duplicate member \"{n}\"")),
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
                if JWE_ALGORITHMS.contains(&a) {
                    // A valid encryption key: foreign here, skipped in a set.
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
            "PRIVATE KEY" => crate::der_keys::pkcs8(&der)?,
            "PUBLIC KEY" => crate::der_keys::spki(&der)?,
            "RSA PRIVATE KEY" => crate::der_keys::pkcs1_private(&der)?,
            "RSA PUBLIC KEY" => crate::der_keys::pkcs1_public(&der)?,
            "EC PRIVATE KEY" => crate::der_keys::sec1(&der, None)?,
            other => return Err(KeyError::Encoding(format!("unsupported PEM label {other:?}"))),
        };
        Jwk::from_map(members)
    }

    /// Imports a key from DER: PKCS#8, SPKI, PKCS#1 (private or public) or SEC1,
    /// whichever the document is.
    pub fn from_der(der: &[u8]) -> Result<Jwk, KeyError> {
        Jwk::from_map(crate::der_keys::any(der)?)
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
        for p in PRIVATE_MEMBERS {
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
    /// use software_statement::jwk::Jwk;
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

    /// Checks that this key may verify `alg` (DESIGN §4.1): type and curve, the key's own
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
    #[doc(hidden)]
    pub fn verify_signature(&self, alg: Algorithm, signing_input: &[u8], signature: &[u8]) -> Result<(), JwsError> {
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
    /// algorithm its type allows (EC, Ed25519), else `None` (RSA and oct need a choice).
    pub fn default_algorithm(&self) -> Option<Algorithm> {
        self.alg.or(match self.key_type {
            KeyType::Ec(c) => Some(c.algorithm()),
            KeyType::Ed25519 => Some(Algorithm::EdDSA),
            _ => None,
        })
    }
}

fn hmac_slot(alg: Algorithm) -> usize {
    match alg {
        Algorithm::HS384 => 1,
        Algorithm::HS512 => 2,
        _ => 0,
    }
}

type Imported = (KeyType, Verifier, Option<PrivateKey>);

fn backend_key_error(what: &str) -> KeyError {
    KeyError::Invalid(what.into())
}

fn import_rsa(m: &Map<String, Value>) -> Result<Imported, KeyError> {
    let n_raw = req_b64(m, "n")?;
    let e_raw = req_b64(m, "e")?;
    let n = strip_zeros(&n_raw);
    let e = strip_zeros(&e_raw);
    let bits = bit_len(n);
    if !(2048..=8192).contains(&bits) {
        return Err(KeyError::Weak(format!(
            "RSA modulus of {bits} bits (2048 to 8192 accepted)"
        )));
    }
    if n.last().is_some_and(|b| b & 1 == 0) {
        return Err(KeyError::Invalid("RSA modulus is even".into()));
    }
    // A sane public exponent: odd, at least 3, at most 32 bits.
    if e.is_empty() || e.len() > 4 || e.last().is_some_and(|b| b & 1 == 0) || (e.len() == 1 && e[0] < 3) {
        return Err(KeyError::Weak(
            "RSA public exponent must be odd, at least 3 and at most 32 bits".into(),
        ));
    }
    let public = PublicKey::rsa(n, e).map_err(|_| backend_key_error("malformed RSA public key"))?;
    let private = if m.contains_key("d") {
        if m.contains_key("oth") {
            return Err(KeyError::Invalid(
                "multi-prime RSA keys (\"oth\") are not supported".into(),
            ));
        }
        let mut parts = Vec::with_capacity(6);
        for name in ["d", "p", "q", "dp", "dq", "qi"] {
            parts
                .push(req_b64(m, name).map_err(|_| {
                    malformed(format!("RSA private key needs \"{name}\" (all of d, p, q, dp, dq, qi)"))
                })?);
        }
        let der = crate::der_keys::rsa_private_pkcs1(n, e, &parts)?;
        Some(
            PrivateKey::rsa_pkcs1(&der)
                .map_err(|_| backend_key_error("RSA private key does not match its public key"))?,
        )
    } else {
        if ["p", "q", "dp", "dq", "qi"].iter().any(|p| m.contains_key(*p)) {
            return Err(malformed("RSA private members without \"d\""));
        }
        None
    };
    Ok((KeyType::Rsa { bits }, Verifier::Public(public), private))
}

/// Registered JWE key management algorithms (RFC 7518 §4.1): a key marked with one of them
/// is a valid encryption key, which a JWK Set skips rather than refuses.
const JWE_ALGORITHMS: [&str; 17] = [
    "RSA1_5",
    "RSA-OAEP",
    "RSA-OAEP-256",
    "RSA-OAEP-384",
    "RSA-OAEP-512",
    "A128KW",
    "A192KW",
    "A256KW",
    "dir",
    "ECDH-ES",
    "ECDH-ES+A128KW",
    "ECDH-ES+A192KW",
    "ECDH-ES+A256KW",
    "A128GCMKW",
    "A192GCMKW",
    "A256GCMKW",
    "PBES2-HS256+A128KW",
];

/// A `crv` this library does not implement: registered curves of the key type (`known`)
/// are foreign (skipped in a set); any other name is a mistake.
fn foreign_curve(crv: &str, kty: &str, known: &[&str]) -> KeyError {
    if known.contains(&crv) {
        KeyError::UnsupportedCurve(crv.to_owned())
    } else {
        KeyError::Inconsistent(format!("{crv:?} is not a curve of kty {kty:?}"))
    }
}

fn import_ec(m: &Map<String, Value>) -> Result<Imported, KeyError> {
    let crv = req_str(m, "crv")?;
    let curve = Curve::from_name(crv).ok_or_else(|| foreign_curve(crv, "EC", &["secp256k1"]))?;
    if !crypto::backend_supports(curve.algorithm()) {
        return Err(KeyError::UnsupportedByBackend(format!("{crv} (ES512)")));
    }
    let len = curve.coordinate_len();
    let x = req_b64(m, "x")?;
    let y = req_b64(m, "y")?;
    if x.len() != len || y.len() != len {
        return Err(KeyError::Invalid(format!("{crv} coordinates must be {len} bytes")));
    }
    let mut point = Vec::with_capacity(1 + 2 * len);
    point.push(4);
    point.extend_from_slice(&x);
    point.extend_from_slice(&y);
    let public = PublicKey::ec(curve, &point).map_err(|_| KeyError::Invalid(format!("the point is not on {crv}")))?;
    let private = match get_b64(m, "d")? {
        None => None,
        Some(d) if d.len() != len => return Err(KeyError::Invalid(format!("{crv} \"d\" must be {len} bytes"))),
        Some(d) => Some(
            PrivateKey::ec(curve, &d, &point)
                .map_err(|_| backend_key_error("EC private key does not match its public key"))?,
        ),
    };
    Ok((KeyType::Ec(curve), Verifier::Public(public), private))
}

fn import_okp(m: &Map<String, Value>) -> Result<Imported, KeyError> {
    let crv = req_str(m, "crv")?;
    if crv != "Ed25519" {
        return Err(foreign_curve(crv, "OKP", &["Ed448", "X25519", "X448"]));
    }
    let x = req_b64(m, "x")?;
    if x.len() != 32 {
        return Err(KeyError::Invalid("Ed25519 \"x\" must be 32 bytes".into()));
    }
    let public = PublicKey::ed25519(&x).map_err(|_| backend_key_error("invalid Ed25519 public key"))?;
    let private = match get_b64(m, "d")? {
        None => None,
        Some(d) if d.len() != 32 => return Err(KeyError::Invalid("Ed25519 \"d\" must be 32 bytes".into())),
        Some(d) => Some(
            PrivateKey::ed25519(&d, &x)
                .map_err(|_| backend_key_error("Ed25519 private key does not match its public key"))?,
        ),
    };
    Ok((KeyType::Ed25519, Verifier::Public(public), private))
}

/// Shortest HMAC secret accepted, in bytes (DESIGN §4.5).
pub const MIN_HMAC_LEN: usize = 32;

fn import_oct(m: &Map<String, Value>, alg: Option<Algorithm>) -> Result<Imported, KeyError> {
    let k = req_b64(m, "k")?;
    if k.len() < MIN_HMAC_LEN {
        return Err(KeyError::Weak(format!(
            "HMAC secret of {} bytes (at least {MIN_HMAC_LEN} needed)",
            k.len()
        )));
    }
    let mut keys: [Option<HmacKey>; 3] = [None, None, None];
    for a in [Algorithm::HS256, Algorithm::HS384, Algorithm::HS512] {
        if k.len() >= a.hash_len() && alg.is_none_or(|x| x == a) {
            keys[hmac_slot(a)] = HmacKey::new(a, &k).ok();
        }
    }
    Ok((KeyType::Oct { len: k.len() }, Verifier::Hmac(Box::new(keys)), None))
}

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
            crate::json::JsonError::Duplicate(n) => malformed(format!("duplicate member \"{n}\" in the JWK Set")),
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

    /// Selects the verification key for a token (DESIGN §4.6): by `kid` when the token
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
