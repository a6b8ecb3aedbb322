//! The aws-lc-rs backend.

use std::sync::OnceLock;

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use aws_lc_rs::signature::{
    self, EcdsaKeyPair, Ed25519KeyPair, KeyPair, ParsedPublicKey, PqdsaKeyPair, RsaKeyPair, RsaPublicKeyComponents,
};
use aws_lc_rs::{digest, hmac};

use super::{Backend, MacKey, SigningKey, Unspecified, VerifyingKey};
use crate::jwa::{Algorithm, Curve, MlDsa};

/// The aws-lc-rs backend.
pub(crate) struct AwsLc;

impl Backend for AwsLc {
    const NAME: &'static str = "aws-lc-rs";

    type PublicKey = PublicKey;
    type HmacKey = HmacKey;
    type PrivateKey = PrivateKey;

    /// aws-lc-rs implements every algorithm of the crate (ML-DSA since 1.18).
    fn supports(_alg: Algorithm) -> bool {
        true
    }

    fn fill_random(buf: &mut [u8]) -> Result<(), Unspecified> {
        SystemRandom::new().fill(buf).map_err(|_| Unspecified)
    }

    fn sha256(data: &[u8]) -> [u8; 32] {
        let d = digest::digest(&digest::SHA256, data);
        let mut out = [0u8; 32];
        out.copy_from_slice(d.as_ref());
        out
    }

    fn generate_ec_pkcs8(curve: Curve) -> Result<Vec<u8>, Unspecified> {
        let doc = EcdsaKeyPair::generate_pkcs8(ec_sign_alg(curve), &SystemRandom::new()).map_err(|_| Unspecified)?;
        Ok(doc.as_ref().to_vec())
    }

    fn generate_ed25519_pkcs8() -> Result<Vec<u8>, Unspecified> {
        let doc = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).map_err(|_| Unspecified)?;
        Ok(doc.as_ref().to_vec())
    }

    /// Never `Ok(None)`: aws-lc-rs generates 2048, 3072, 4096 and 8192-bit keys; other
    /// sizes fail.
    fn generate_rsa_pkcs8(bits: u32) -> Result<Option<Vec<u8>>, Unspecified> {
        use aws_lc_rs::rsa::KeySize;
        let size = match bits {
            2048 => KeySize::Rsa2048,
            3072 => KeySize::Rsa3072,
            4096 => KeySize::Rsa4096,
            8192 => KeySize::Rsa8192,
            _ => return Err(Unspecified),
        };
        let kp = RsaKeyPair::generate(size).map_err(|_| Unspecified)?;
        let der: aws_lc_rs::encoding::Pkcs8V1Der<'static> = kp.as_der().map_err(|_| Unspecified)?;
        Ok(Some(der.as_ref().to_vec()))
    }
}

/// The RSA algorithms, in the order of the parsed-key slots of [`PublicKey::Rsa`].
const RSA_ALGS: [Algorithm; 6] = [
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
];

/// The verification parameters of an RSA algorithm.
fn rsa_params(alg: Algorithm) -> Option<&'static signature::RsaParameters> {
    Some(match alg {
        Algorithm::RS256 => &signature::RSA_PKCS1_2048_8192_SHA256,
        Algorithm::RS384 => &signature::RSA_PKCS1_2048_8192_SHA384,
        Algorithm::RS512 => &signature::RSA_PKCS1_2048_8192_SHA512,
        Algorithm::PS256 => &signature::RSA_PSS_2048_8192_SHA256,
        Algorithm::PS384 => &signature::RSA_PSS_2048_8192_SHA384,
        Algorithm::PS512 => &signature::RSA_PSS_2048_8192_SHA512,
        _ => return None,
    })
}

/// The verification algorithm of a curve.
fn ec_verify_alg(curve: Curve) -> &'static signature::EcdsaVerificationAlgorithm {
    match curve {
        Curve::P256 => &signature::ECDSA_P256_SHA256_FIXED,
        Curve::P384 => &signature::ECDSA_P384_SHA384_FIXED,
        Curve::P521 => &signature::ECDSA_P521_SHA512_FIXED,
    }
}

/// The signing algorithm of a curve.
fn ec_sign_alg(curve: Curve) -> &'static signature::EcdsaSigningAlgorithm {
    match curve {
        Curve::P256 => &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
        Curve::P384 => &signature::ECDSA_P384_SHA384_FIXED_SIGNING,
        Curve::P521 => &signature::ECDSA_P521_SHA512_FIXED_SIGNING,
    }
}

/// The verification algorithm of an ML-DSA parameter set (pure mode, empty context).
fn ml_dsa_verify_alg(params: MlDsa) -> &'static signature::PqdsaVerificationAlgorithm {
    match params {
        MlDsa::MlDsa44 => &signature::ML_DSA_44,
        MlDsa::MlDsa65 => &signature::ML_DSA_65,
        MlDsa::MlDsa87 => &signature::ML_DSA_87,
    }
}

/// The signing algorithm of an ML-DSA parameter set (pure mode, empty context).
fn ml_dsa_sign_alg(params: MlDsa) -> &'static signature::PqdsaSigningAlgorithm {
    match params {
        MlDsa::MlDsa44 => &signature::ML_DSA_44_SIGNING,
        MlDsa::MlDsa65 => &signature::ML_DSA_65_SIGNING,
        MlDsa::MlDsa87 => &signature::ML_DSA_87_SIGNING,
    }
}

/// A public key, parsed once. RSA keys are parsed per algorithm on first use (an RSA key
/// without `alg` may verify six algorithms) and the parsed form is kept.
pub(crate) enum PublicKey {
    Rsa {
        n: Vec<u8>,
        e: Vec<u8>,
        parsed: Box<[OnceLock<ParsedPublicKey>; 6]>,
    },
    Ec {
        curve: Curve,
        parsed: ParsedPublicKey,
    },
    Ed25519(ParsedPublicKey),
    MlDsa {
        params: MlDsa,
        parsed: ParsedPublicKey,
    },
}

impl PublicKey {
    /// The RSA key parsed for `alg`: parsed on first use, then kept.
    fn rsa_parsed(&self, alg: Algorithm) -> Option<&ParsedPublicKey> {
        let PublicKey::Rsa { n, e, parsed } = self else {
            return None;
        };
        let slot = RSA_ALGS.iter().position(|a| *a == alg)?;
        if let Some(p) = parsed[slot].get() {
            return Some(p);
        }
        let params = rsa_params(alg)?;
        let p = RsaPublicKeyComponents { n: &n[..], e: &e[..] }
            .to_parsed_public_key(params)
            .ok()?;
        Some(parsed[slot].get_or_init(|| p))
    }
}

impl VerifyingKey for PublicKey {
    fn rsa(n: &[u8], e: &[u8]) -> Result<Self, Unspecified> {
        let key = PublicKey::Rsa {
            n: n.to_vec(),
            e: e.to_vec(),
            parsed: Box::default(),
        };
        // Parse once now so that a malformed key fails at import, not at first use.
        key.rsa_parsed(Algorithm::RS256).ok_or(Unspecified)?;
        Ok(key)
    }

    /// `point` is the uncompressed SEC1 encoding `04 || x || y`; it must lie on the curve.
    fn ec(curve: Curve, point: &[u8]) -> Result<Self, Unspecified> {
        let parsed = ParsedPublicKey::new(ec_verify_alg(curve), point).map_err(|_| Unspecified)?;
        Ok(PublicKey::Ec { curve, parsed })
    }

    fn ed25519(x: &[u8]) -> Result<Self, Unspecified> {
        ParsedPublicKey::new(&signature::ED25519, x)
            .map(PublicKey::Ed25519)
            .map_err(|_| Unspecified)
    }

    /// aws-lc-rs also takes an SPKI document here: the caller's exact-length check keeps
    /// it to the raw key.
    fn ml_dsa(params: MlDsa, public: &[u8]) -> Result<Self, Unspecified> {
        if public.len() != params.public_key_len() {
            return Err(Unspecified);
        }
        let parsed = ParsedPublicKey::new(ml_dsa_verify_alg(params), public).map_err(|_| Unspecified)?;
        Ok(PublicKey::MlDsa { params, parsed })
    }

    #[inline]
    fn verify(&self, alg: Algorithm, msg: &[u8], sig: &[u8]) -> Result<(), Unspecified> {
        let parsed = match self {
            PublicKey::Rsa { .. } => self.rsa_parsed(alg).ok_or(Unspecified)?,
            PublicKey::Ec { curve, parsed } if curve.algorithm() == alg => parsed,
            PublicKey::Ed25519(parsed) if alg == Algorithm::EdDSA => parsed,
            PublicKey::MlDsa { params, parsed } if params.algorithm() == alg => parsed,
            _ => return Err(Unspecified),
        };
        parsed.verify_sig(msg, sig).map_err(|_| Unspecified)
    }
}

/// An HMAC key for one hash.
pub(crate) struct HmacKey(hmac::Key);

impl MacKey for HmacKey {
    fn new(alg: Algorithm, secret: &[u8]) -> Result<Self, Unspecified> {
        let h = match alg {
            Algorithm::HS256 => hmac::HMAC_SHA256,
            Algorithm::HS384 => hmac::HMAC_SHA384,
            Algorithm::HS512 => hmac::HMAC_SHA512,
            _ => return Err(Unspecified),
        };
        Ok(HmacKey(hmac::Key::new(h, secret)))
    }

    fn sign(&self, msg: &[u8]) -> Vec<u8> {
        hmac::sign(&self.0, msg).as_ref().to_vec()
    }

    #[inline]
    fn verify(&self, msg: &[u8], tag: &[u8]) -> Result<(), Unspecified> {
        hmac::verify(&self.0, msg, tag).map_err(|_| Unspecified)
    }
}

/// A private signing key.
pub(crate) enum PrivateKey {
    Rsa(RsaKeyPair),
    Ec(EcdsaKeyPair),
    Ed25519(Ed25519KeyPair),
    MlDsa { params: MlDsa, kp: PqdsaKeyPair },
}

impl SigningKey for PrivateKey {
    fn rsa_pkcs1(der: &[u8]) -> Result<Self, Unspecified> {
        RsaKeyPair::from_der(der).map(PrivateKey::Rsa).map_err(|_| Unspecified)
    }

    fn ec(curve: Curve, d: &[u8], point: &[u8]) -> Result<Self, Unspecified> {
        EcdsaKeyPair::from_private_key_and_public_key(ec_sign_alg(curve), d, point)
            .map(PrivateKey::Ec)
            .map_err(|_| Unspecified)
    }

    fn ed25519(seed: &[u8], public: &[u8]) -> Result<Self, Unspecified> {
        Ed25519KeyPair::from_seed_and_public_key(seed, public)
            .map(PrivateKey::Ed25519)
            .map_err(|_| Unspecified)
    }

    fn ml_dsa(params: MlDsa, seed: &[u8], public: &[u8]) -> Result<Self, Unspecified> {
        let kp = PqdsaKeyPair::from_seed(ml_dsa_sign_alg(params), seed).map_err(|_| Unspecified)?;
        if kp.public_key().as_ref() != public {
            return Err(Unspecified);
        }
        Ok(PrivateKey::MlDsa { params, kp })
    }

    fn sign(&self, alg: Algorithm, msg: &[u8]) -> Result<Vec<u8>, Unspecified> {
        match self {
            PrivateKey::Rsa(kp) => {
                let padding: &'static dyn signature::RsaEncoding = match alg {
                    Algorithm::RS256 => &signature::RSA_PKCS1_SHA256,
                    Algorithm::RS384 => &signature::RSA_PKCS1_SHA384,
                    Algorithm::RS512 => &signature::RSA_PKCS1_SHA512,
                    Algorithm::PS256 => &signature::RSA_PSS_SHA256,
                    Algorithm::PS384 => &signature::RSA_PSS_SHA384,
                    Algorithm::PS512 => &signature::RSA_PSS_SHA512,
                    _ => return Err(Unspecified),
                };
                let mut sig = vec![0u8; kp.public_modulus_len()];
                kp.sign(padding, &SystemRandom::new(), msg, &mut sig)
                    .map_err(|_| Unspecified)?;
                Ok(sig)
            }
            PrivateKey::Ec(kp) => {
                if kp.algorithm() != ec_sign_alg(alg_curve(alg).ok_or(Unspecified)?) {
                    return Err(Unspecified);
                }
                kp.sign(&SystemRandom::new(), msg)
                    .map(|s| s.as_ref().to_vec())
                    .map_err(|_| Unspecified)
            }
            PrivateKey::Ed25519(kp) if alg == Algorithm::EdDSA => Ok(kp.sign(msg).as_ref().to_vec()),
            PrivateKey::Ed25519(_) => Err(Unspecified),
            PrivateKey::MlDsa { params, kp } if params.algorithm() == alg => {
                let mut sig = vec![0u8; params.signature_len()];
                let n = kp.sign(msg, &mut sig).map_err(|_| Unspecified)?;
                sig.truncate(n);
                Ok(sig)
            }
            PrivateKey::MlDsa { .. } => Err(Unspecified),
        }
    }

    fn ed25519_public_from_seed(seed: &[u8]) -> Result<Vec<u8>, Unspecified> {
        let kp = Ed25519KeyPair::from_seed_unchecked(seed).map_err(|_| Unspecified)?;
        Ok(kp.public_key().as_ref().to_vec())
    }

    fn ml_dsa_public_from_seed(params: MlDsa, seed: &[u8]) -> Result<Vec<u8>, Unspecified> {
        let kp = PqdsaKeyPair::from_seed(ml_dsa_sign_alg(params), seed).map_err(|_| Unspecified)?;
        Ok(kp.public_key().as_ref().to_vec())
    }

    fn ml_dsa_expanded_from_seed(params: MlDsa, seed: &[u8]) -> Result<Vec<u8>, Unspecified> {
        use aws_lc_rs::encoding::AsRawBytes;
        let kp = PqdsaKeyPair::from_seed(ml_dsa_sign_alg(params), seed).map_err(|_| Unspecified)?;
        let raw = kp.private_key().as_raw_bytes().map_err(|_| Unspecified)?;
        Ok(raw.as_ref().to_vec())
    }
}

/// The curve of an ECDSA algorithm.
fn alg_curve(alg: Algorithm) -> Option<Curve> {
    match alg {
        Algorithm::ES256 => Some(Curve::P256),
        Algorithm::ES384 => Some(Curve::P384),
        Algorithm::ES512 => Some(Curve::P521),
        _ => None,
    }
}
