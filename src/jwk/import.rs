//! JWK import: the members of each key type checked and parsed into the backend's form
//! (the key rules of the README's security section).

use serde_json::{Map, Value};

use super::{KeyType, Verifier};
use crate::b64;
use crate::crypto::{self, HmacKey, PrivateKey, PublicKey};
use crate::error::KeyError;
use crate::jwa::{Algorithm, Curve, KeyFamily, MlDsa};

pub(super) fn malformed(msg: impl Into<String>) -> KeyError {
    KeyError::Malformed(msg.into())
}

pub(super) fn get_str<'a>(m: &'a Map<String, Value>, name: &str) -> Result<Option<&'a str>, KeyError> {
    match m.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(malformed(format!("\"{name}\" must be a string"))),
    }
}

pub(super) fn req_str<'a>(m: &'a Map<String, Value>, name: &str) -> Result<&'a str, KeyError> {
    get_str(m, name)?.ok_or_else(|| malformed(format!("missing \"{name}\"")))
}

pub(super) fn get_b64(m: &Map<String, Value>, name: &str) -> Result<Option<Vec<u8>>, KeyError> {
    match get_str(m, name)? {
        None => Ok(None),
        Some(s) => b64::decode(s)
            .map(Some)
            .ok_or_else(|| malformed(format!("\"{name}\" is not canonical base64url"))),
    }
}

pub(super) fn req_b64(m: &Map<String, Value>, name: &str) -> Result<Vec<u8>, KeyError> {
    get_b64(m, name)?.ok_or_else(|| malformed(format!("missing \"{name}\"")))
}

/// Big-endian unsigned integer without leading zero octets.
pub(super) fn strip_zeros(v: &[u8]) -> &[u8] {
    let i = v.iter().position(|b| *b != 0).unwrap_or(v.len());
    &v[i..]
}

pub(super) fn bit_len(v: &[u8]) -> usize {
    let v = strip_zeros(v);
    match v.first() {
        None => 0,
        Some(b) => v.len() * 8 - b.leading_zeros() as usize,
    }
}
pub(super) fn hmac_slot(alg: Algorithm) -> usize {
    match alg {
        Algorithm::HS384 => 1,
        Algorithm::HS512 => 2,
        _ => 0,
    }
}

pub(super) type Imported = (KeyType, Verifier, Option<PrivateKey>);

pub(super) fn backend_key_error(what: &str) -> KeyError {
    KeyError::Invalid(what.into())
}

pub(super) fn import_rsa(m: &Map<String, Value>) -> Result<Imported, KeyError> {
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
        let der = super::containers::rsa_private_pkcs1(n, e, &parts)?;
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
pub(super) const JWE_ALGORITHMS: [&str; 19] = [
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
    "PBES2-HS384+A192KW",
    "PBES2-HS512+A256KW",
];

/// Algorithms of the `AKP` key type (draft-ietf-cose-dilithium) that this library does not
/// implement: SLH-DSA (draft-ietf-cose-sphincs-plus). A key marked with one of them is a
/// valid post-quantum key, which a JWK Set skips rather than refuses.
pub(super) const FOREIGN_AKP_ALGORITHMS: [&str; 3] = ["SLH-DSA-SHA2-128s", "SLH-DSA-SHAKE-128s", "SLH-DSA-SHA2-128f"];

/// A `crv` this library does not implement: registered curves of the key type (`known`)
/// are foreign (skipped in a set); any other name is a mistake.
pub(super) fn foreign_curve(crv: &str, kty: &str, known: &[&str]) -> KeyError {
    if known.contains(&crv) {
        KeyError::UnsupportedCurve(crv.to_owned())
    } else {
        KeyError::Inconsistent(format!("{crv:?} is not a curve of kty {kty:?}"))
    }
}

pub(super) fn import_ec(m: &Map<String, Value>) -> Result<Imported, KeyError> {
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

pub(super) fn import_okp(m: &Map<String, Value>) -> Result<Imported, KeyError> {
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

/// An `AKP` key (draft-ietf-cose-dilithium) of an ML-DSA `alg`: `alg` required, `pub` the
/// raw public key of the parameter set's exact length, `priv` (when present) the 32-byte
/// seed, whose public key must be `pub`.
pub(super) fn import_akp(m: &Map<String, Value>, alg: Option<Algorithm>) -> Result<Imported, KeyError> {
    let Some(alg) = alg else {
        return Err(malformed(
            "missing \"alg\" (an AKP key's \"alg\" names its algorithm: ML-DSA-44, ML-DSA-65 or ML-DSA-87)",
        ));
    };
    let KeyFamily::MlDsa(params) = alg.key_family() else {
        return Err(KeyError::Inconsistent(format!(
            "\"alg\" {alg} does not fit an AKP key (ML-DSA-44, ML-DSA-65 or ML-DSA-87)"
        )));
    };
    if !crypto::backend_supports(alg) {
        return Err(KeyError::UnsupportedByBackend(alg.name().to_owned()));
    }
    let public = req_b64(m, "pub")?;
    let len = params.public_key_len();
    if public.len() != len {
        return Err(KeyError::Invalid(format!(
            "{alg} \"pub\" must be {len} bytes, not {}",
            public.len()
        )));
    }
    let verifier = PublicKey::ml_dsa(params, &public).map_err(|_| backend_key_error("invalid ML-DSA public key"))?;
    let private = match get_b64(m, "priv")? {
        None => None,
        Some(seed) if seed.len() != MlDsa::SEED_LEN => {
            return Err(KeyError::Invalid(format!(
                "{alg} \"priv\" (the seed) must be {} bytes",
                MlDsa::SEED_LEN
            )))
        }
        Some(seed) => Some(
            PrivateKey::ml_dsa(params, &seed, &public)
                .map_err(|_| backend_key_error("the ML-DSA seed \"priv\" does not derive the public key \"pub\""))?,
        ),
    };
    Ok((KeyType::MlDsa(params), Verifier::Public(verifier), private))
}

/// Shortest HMAC secret accepted, in bytes (security rule 5, README).
pub const MIN_HMAC_LEN: usize = 32;

pub(super) fn import_oct(m: &Map<String, Value>, alg: Option<Algorithm>) -> Result<Imported, KeyError> {
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
