//! Reading DER key containers (PKCS#8, SPKI, PKCS#1, SEC1) into JWK members, and writing
//! the PKCS#1 document the backends take for RSA private keys. The ASN.1 parsing is done
//! by RustCrypto's `der`/`pkcs8`/`spki`/`pkcs1`/`sec1` crates. ML-DSA keys follow RFC 9881
//! (the algorithm identifiers of FIPS 204 in X.509): SPKI with the raw public key; PKCS#8
//! with the seed, or the seed and the expanded key (which must agree) — the expanded key
//! alone cannot be a JWK, whose `priv` is the seed (draft-ietf-cose-dilithium).

use der::asn1::{ObjectIdentifier, UintRef};
use der::{Decode, Encode};
use serde_json::{Map, Value};

use crate::b64;
use crate::crypto::PrivateKey;
use crate::error::KeyError;
use crate::jwa::{Curve, MlDsa};

const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");
const P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const P384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
const P521: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.35");

/// id-ml-dsa-44, -65, -87 (NIST CSOR, sigAlgs; RFC 9881).
const ML_DSA_44: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.3.17");
const ML_DSA_65: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.3.18");
const ML_DSA_87: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.3.19");

fn ml_dsa_of(oid: ObjectIdentifier) -> Option<MlDsa> {
    match oid {
        o if o == ML_DSA_44 => Some(MlDsa::MlDsa44),
        o if o == ML_DSA_65 => Some(MlDsa::MlDsa65),
        o if o == ML_DSA_87 => Some(MlDsa::MlDsa87),
        _ => None,
    }
}

fn enc(msg: &str) -> KeyError {
    KeyError::Encoding(msg.into())
}

fn curve_of(oid: ObjectIdentifier) -> Result<Curve, KeyError> {
    match oid {
        o if o == P256 => Ok(Curve::P256),
        o if o == P384 => Ok(Curve::P384),
        o if o == P521 => Ok(Curve::P521),
        o => Err(KeyError::UnsupportedCurve(o.to_string())),
    }
}

fn put(m: &mut Map<String, Value>, name: &str, bytes: &[u8]) {
    m.insert(name.into(), Value::String(b64::encode(bytes)));
}

fn put_str(m: &mut Map<String, Value>, name: &str, v: &str) {
    m.insert(name.into(), Value::String(v.into()));
}

/// Any supported DER document. A document that is a PKCS#8 or SPKI structure gets that
/// format's own error (an unsupported algorithm, an ML-DSA key without its seed, …).
pub(crate) fn any(der: &[u8]) -> Result<Map<String, Value>, KeyError> {
    if pkcs8::PrivateKeyInfo::from_der(der).is_ok() {
        return pkcs8(der);
    }
    if spki::SubjectPublicKeyInfoRef::from_der(der).is_ok() {
        return spki(der);
    }
    if pkcs1::RsaPrivateKey::from_der(der).is_ok() {
        return pkcs1_private(der);
    }
    if pkcs1::RsaPublicKey::from_der(der).is_ok() {
        return pkcs1_public(der);
    }
    if sec1::EcPrivateKey::from_der(der).is_ok() {
        return sec1(der, None);
    }
    Err(enc("not a PKCS#8, SPKI, PKCS#1 or SEC1 DER document"))
}

/// PKCS#8 `PrivateKeyInfo` (RFC 5208 / 5958).
pub(crate) fn pkcs8(der: &[u8]) -> Result<Map<String, Value>, KeyError> {
    let info = pkcs8::PrivateKeyInfo::from_der(der).map_err(|_| enc("malformed PKCS#8 document"))?;
    let oid = info.algorithm.oid;
    if oid == RSA_ENCRYPTION {
        pkcs1_private(info.private_key)
    } else if oid == EC_PUBLIC_KEY {
        let curve_oid = info
            .algorithm
            .parameters_oid()
            .map_err(|_| enc("PKCS#8 EC key without a named curve"))?;
        sec1(info.private_key, Some(curve_of(curve_oid)?))
    } else if oid == ED25519 {
        // The private key is an OCTET STRING holding the 32-byte seed (RFC 8410 §7).
        let seed =
            der::asn1::OctetStringRef::from_der(info.private_key).map_err(|_| enc("malformed Ed25519 private key"))?;
        let seed = seed.as_bytes();
        if seed.len() != 32 {
            return Err(KeyError::Invalid("Ed25519 seed must be 32 bytes".into()));
        }
        let public = match info.public_key {
            Some(p) => p.to_vec(),
            None => PrivateKey::ed25519_public_from_seed(seed).map_err(|_| KeyError::Invalid("Ed25519 seed".into()))?,
        };
        let mut m = Map::new();
        put_str(&mut m, "kty", "OKP");
        put_str(&mut m, "crv", "Ed25519");
        put(&mut m, "x", &public);
        put(&mut m, "d", seed);
        Ok(m)
    } else if let Some(params) = ml_dsa_of(oid) {
        if info.algorithm.parameters.is_some() {
            return Err(enc("ML-DSA AlgorithmIdentifier with parameters (RFC 9881: absent)"));
        }
        ml_dsa_private(params, info.private_key, info.public_key)
    } else {
        Err(KeyError::UnsupportedKeyType(format!("PKCS#8 algorithm {oid}")))
    }
}

/// The `ML-DSA-PrivateKey` of a PKCS#8 document (RFC 9881): `seed [0] IMPLICIT OCTET
/// STRING (SIZE (32))`, `expandedKey OCTET STRING`, or `both SEQUENCE { seed, expandedKey }`.
/// The seed is the JWK's `priv`, the public key derived from it its `pub`; a document's
/// expanded key and public key, when present, must be the seed's.
fn ml_dsa_private(params: MlDsa, key: &[u8], public: Option<&[u8]>) -> Result<Map<String, Value>, KeyError> {
    use der::asn1::OctetStringRef;
    use der::Reader as _;
    let name = params.name();
    let invalid = |what: &str| KeyError::Invalid(format!("{name} private key: {what}"));
    let (seed, expanded): (&[u8], Option<&[u8]>) = match key.first() {
        Some(0x80) => match key {
            [0x80, 0x20, seed @ ..] if seed.len() == MlDsa::SEED_LEN => (seed, None),
            _ => return Err(invalid("the seed must be 32 bytes")),
        },
        Some(0x04) => {
            return Err(invalid(
                "only the expanded key, without its seed; a JWK's \"priv\" is the seed \
                 (draft-ietf-cose-dilithium): export the key with its seed",
            ))
        }
        Some(0x30) => {
            let mut r = der::SliceReader::new(key).map_err(|_| enc("malformed ML-DSA private key"))?;
            let (seed, expanded) = r
                .sequence(|r| Ok((OctetStringRef::decode(r)?, OctetStringRef::decode(r)?)))
                .and_then(|v| r.finish(v))
                .map_err(|_| enc("malformed ML-DSA private key"))?;
            if seed.as_bytes().len() != MlDsa::SEED_LEN {
                return Err(invalid("the seed must be 32 bytes"));
            }
            (seed.as_bytes(), Some(expanded.as_bytes()))
        }
        _ => return Err(enc("malformed ML-DSA private key")),
    };
    let unsupported = |_| KeyError::UnsupportedByBackend(name.to_owned());
    if let Some(expanded) = expanded {
        if PrivateKey::ml_dsa_expanded_from_seed(params, seed).map_err(unsupported)? != expanded {
            return Err(invalid("the expanded key is not the one its seed derives"));
        }
    }
    let derived = PrivateKey::ml_dsa_public_from_seed(params, seed).map_err(unsupported)?;
    if public.is_some_and(|p| p != derived) {
        return Err(invalid("the document's public key is not the one its seed derives"));
    }
    let mut m = Map::new();
    put_str(&mut m, "kty", "AKP");
    put_str(&mut m, "alg", name);
    put(&mut m, "pub", &derived);
    put(&mut m, "priv", seed);
    Ok(m)
}

/// X.509 `SubjectPublicKeyInfo` (RFC 5280).
pub(crate) fn spki(der: &[u8]) -> Result<Map<String, Value>, KeyError> {
    let info = spki::SubjectPublicKeyInfoRef::from_der(der).map_err(|_| enc("malformed SubjectPublicKeyInfo"))?;
    let bits = info
        .subject_public_key
        .as_bytes()
        .ok_or_else(|| enc("public key bit string is not octet-aligned"))?;
    let oid = info.algorithm.oid;
    if oid == RSA_ENCRYPTION {
        pkcs1_public(bits)
    } else if oid == EC_PUBLIC_KEY {
        let curve = curve_of(
            info.algorithm
                .parameters_oid()
                .map_err(|_| enc("EC key without a named curve"))?,
        )?;
        let mut m = Map::new();
        put_str(&mut m, "kty", "EC");
        put_str(&mut m, "crv", curve.name());
        put_point(&mut m, curve, bits)?;
        Ok(m)
    } else if oid == ED25519 {
        let mut m = Map::new();
        put_str(&mut m, "kty", "OKP");
        put_str(&mut m, "crv", "Ed25519");
        put(&mut m, "x", bits);
        Ok(m)
    } else if let Some(params) = ml_dsa_of(oid) {
        if info.algorithm.parameters.is_some() {
            return Err(enc("ML-DSA AlgorithmIdentifier with parameters (RFC 9881: absent)"));
        }
        // The raw public key; its length is checked at import.
        let mut m = Map::new();
        put_str(&mut m, "kty", "AKP");
        put_str(&mut m, "alg", params.name());
        put(&mut m, "pub", bits);
        Ok(m)
    } else {
        Err(KeyError::UnsupportedKeyType(format!("SPKI algorithm {oid}")))
    }
}

fn put_point(m: &mut Map<String, Value>, curve: Curve, point: &[u8]) -> Result<(), KeyError> {
    let len = curve.coordinate_len();
    if point.len() != 1 + 2 * len || point[0] != 4 {
        return Err(KeyError::Invalid("only uncompressed EC points are supported".into()));
    }
    put(m, "x", &point[1..1 + len]);
    put(m, "y", &point[1 + len..]);
    Ok(())
}

/// PKCS#1 `RSAPrivateKey` (RFC 8017 A.1.2).
pub(crate) fn pkcs1_private(der: &[u8]) -> Result<Map<String, Value>, KeyError> {
    let k = pkcs1::RsaPrivateKey::from_der(der).map_err(|_| enc("malformed PKCS#1 RSA private key"))?;
    if k.other_prime_infos.is_some() {
        return Err(KeyError::Invalid("multi-prime RSA keys are not supported".into()));
    }
    let mut m = Map::new();
    put_str(&mut m, "kty", "RSA");
    put(&mut m, "n", k.modulus.as_bytes());
    put(&mut m, "e", k.public_exponent.as_bytes());
    put(&mut m, "d", k.private_exponent.as_bytes());
    put(&mut m, "p", k.prime1.as_bytes());
    put(&mut m, "q", k.prime2.as_bytes());
    put(&mut m, "dp", k.exponent1.as_bytes());
    put(&mut m, "dq", k.exponent2.as_bytes());
    put(&mut m, "qi", k.coefficient.as_bytes());
    Ok(m)
}

/// PKCS#1 `RSAPublicKey` (RFC 8017 A.1.1).
pub(crate) fn pkcs1_public(der: &[u8]) -> Result<Map<String, Value>, KeyError> {
    let k = pkcs1::RsaPublicKey::from_der(der).map_err(|_| enc("malformed PKCS#1 RSA public key"))?;
    let mut m = Map::new();
    put_str(&mut m, "kty", "RSA");
    put(&mut m, "n", k.modulus.as_bytes());
    put(&mut m, "e", k.public_exponent.as_bytes());
    Ok(m)
}

/// SEC1 `ECPrivateKey` (RFC 5915); `curve` comes from the PKCS#8 wrapper when there is one.
pub(crate) fn sec1(der: &[u8], curve: Option<Curve>) -> Result<Map<String, Value>, KeyError> {
    let k = sec1::EcPrivateKey::from_der(der).map_err(|_| enc("malformed SEC1 EC private key"))?;
    let inner = k.parameters.and_then(|p| p.named_curve()).map(curve_of).transpose()?;
    let curve = match (curve, inner) {
        (Some(a), Some(b)) if a != b => {
            return Err(KeyError::Inconsistent("PKCS#8 and SEC1 name different curves".into()))
        }
        (Some(c), _) | (None, Some(c)) => c,
        (None, None) => return Err(enc("EC private key without a named curve")),
    };
    let point = k
        .public_key
        .ok_or_else(|| enc("EC private key without its public key"))?;
    let len = curve.coordinate_len();
    if k.private_key.len() > len {
        return Err(KeyError::Invalid("EC private scalar too long".into()));
    }
    let mut d = vec![0u8; len - k.private_key.len()];
    d.extend_from_slice(k.private_key);
    let mut m = Map::new();
    put_str(&mut m, "kty", "EC");
    put_str(&mut m, "crv", curve.name());
    put_point(&mut m, curve, point)?;
    put(&mut m, "d", &d);
    Ok(m)
}

/// A PKCS#1 `RSAPrivateKey` from JWK components (`parts` = d, p, q, dp, dq, qi).
pub(crate) fn rsa_private_pkcs1(n: &[u8], e: &[u8], parts: &[Vec<u8>]) -> Result<Vec<u8>, KeyError> {
    fn uint(b: &[u8]) -> Result<UintRef<'_>, KeyError> {
        UintRef::new(b).map_err(|_| KeyError::Invalid("malformed RSA private key component".into()))
    }
    let key = pkcs1::RsaPrivateKey {
        modulus: uint(n)?,
        public_exponent: uint(e)?,
        private_exponent: uint(&parts[0])?,
        prime1: uint(&parts[1])?,
        prime2: uint(&parts[2])?,
        exponent1: uint(&parts[3])?,
        exponent2: uint(&parts[4])?,
        coefficient: uint(&parts[5])?,
        other_prime_infos: None,
    };
    key.to_der()
        .map_err(|_| KeyError::Invalid("malformed RSA private key".into()))
}
