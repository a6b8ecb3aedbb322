//! The ring backend. ring has no P-521, no ML-DSA and no RSA key generation: all three
//! answer "unsupported with the ring backend" at the layer above.

use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::{
    self, EcdsaKeyPair, Ed25519KeyPair, KeyPair, RsaKeyPair, RsaPublicKeyComponents, UnparsedPublicKey,
};
use ring::{agreement, digest, hmac};

use super::{Backend, MacKey, SigningKey, Unspecified, VerifyingKey};
use crate::jwa::{Algorithm, Curve, MlDsa};

/// The ring backend.
pub(crate) struct Ring;

impl Backend for Ring {
    const NAME: &'static str = "ring";

    type PublicKey = PublicKey;
    type HmacKey = HmacKey;
    type PrivateKey = PrivateKey;

    /// Everything but ES512 (ring has no P-521) and ML-DSA.
    fn supports(alg: Algorithm) -> bool {
        alg != Algorithm::ES512 && alg.ml_dsa().is_none()
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
        let (_, sa) = ec_algs(curve)?;
        let doc = EcdsaKeyPair::generate_pkcs8(sa, &SystemRandom::new()).map_err(|_| Unspecified)?;
        Ok(doc.as_ref().to_vec())
    }

    fn generate_ed25519_pkcs8() -> Result<Vec<u8>, Unspecified> {
        let doc = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).map_err(|_| Unspecified)?;
        Ok(doc.as_ref().to_vec())
    }

    /// ring cannot generate RSA keys: `Ok(None)`.
    fn generate_rsa_pkcs8(_bits: u32) -> Result<Option<Vec<u8>>, Unspecified> {
        Ok(None)
    }
}

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

/// The verification and signing algorithms of a curve; P-521 is unsupported.
fn ec_algs(
    curve: Curve,
) -> Result<
    (
        &'static signature::EcdsaVerificationAlgorithm,
        &'static signature::EcdsaSigningAlgorithm,
    ),
    Unspecified,
> {
    match curve {
        Curve::P256 => Ok((
            &signature::ECDSA_P256_SHA256_FIXED,
            &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
        )),
        Curve::P384 => Ok((
            &signature::ECDSA_P384_SHA384_FIXED,
            &signature::ECDSA_P384_SHA384_FIXED_SIGNING,
        )),
        Curve::P521 => Err(Unspecified),
    }
}

/// A public key. ring parses keys on every verification (it has no pre-parsed public
/// key type); the bytes are validated once at import.
pub(crate) enum PublicKey {
    Rsa {
        n: Vec<u8>,
        e: Vec<u8>,
    },
    Ec {
        curve: Curve,
        alg: &'static signature::EcdsaVerificationAlgorithm,
        point: Vec<u8>,
    },
    Ed25519(Vec<u8>),
}

impl VerifyingKey for PublicKey {
    fn rsa(n: &[u8], e: &[u8]) -> Result<Self, Unspecified> {
        Ok(PublicKey::Rsa {
            n: n.to_vec(),
            e: e.to_vec(),
        })
    }

    /// `point` is `04 || x || y`. ring exposes no point validation for signature keys,
    /// so the point is checked the way ECDH checks a peer key: an agreement with an
    /// ephemeral key fails unless the point is on the curve.
    fn ec(curve: Curve, point: &[u8]) -> Result<Self, Unspecified> {
        let (alg, _) = ec_algs(curve)?;
        let agreement_alg = match curve {
            Curve::P256 => &agreement::ECDH_P256,
            Curve::P384 => &agreement::ECDH_P384,
            Curve::P521 => return Err(Unspecified),
        };
        let rng = SystemRandom::new();
        let eph = agreement::EphemeralPrivateKey::generate(agreement_alg, &rng).map_err(|_| Unspecified)?;
        let peer = agreement::UnparsedPublicKey::new(agreement_alg, point);
        agreement::agree_ephemeral(eph, &peer, |_| ()).map_err(|_| Unspecified)?;
        Ok(PublicKey::Ec {
            curve,
            alg,
            point: point.to_vec(),
        })
    }

    fn ed25519(x: &[u8]) -> Result<Self, Unspecified> {
        if x.len() != 32 {
            return Err(Unspecified);
        }
        Ok(PublicKey::Ed25519(x.to_vec()))
    }

    /// ring has no ML-DSA.
    fn ml_dsa(_params: MlDsa, _public: &[u8]) -> Result<Self, Unspecified> {
        Err(Unspecified)
    }

    #[inline]
    fn verify(&self, alg: Algorithm, msg: &[u8], sig: &[u8]) -> Result<(), Unspecified> {
        match self {
            PublicKey::Rsa { n, e } => {
                let params = rsa_params(alg).ok_or(Unspecified)?;
                RsaPublicKeyComponents { n: &n[..], e: &e[..] }
                    .verify(params, msg, sig)
                    .map_err(|_| Unspecified)
            }
            PublicKey::Ec { curve, alg: va, point } if curve.algorithm() == alg => UnparsedPublicKey::new(*va, point)
                .verify(msg, sig)
                .map_err(|_| Unspecified),
            PublicKey::Ed25519(x) if alg == Algorithm::EdDSA => UnparsedPublicKey::new(&signature::ED25519, x)
                .verify(msg, sig)
                .map_err(|_| Unspecified),
            _ => Err(Unspecified),
        }
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
    Ec { curve: Curve, kp: EcdsaKeyPair },
    Ed25519(Ed25519KeyPair),
}

impl SigningKey for PrivateKey {
    fn rsa_pkcs1(der: &[u8]) -> Result<Self, Unspecified> {
        RsaKeyPair::from_der(der).map(PrivateKey::Rsa).map_err(|_| Unspecified)
    }

    fn ec(curve: Curve, d: &[u8], point: &[u8]) -> Result<Self, Unspecified> {
        let (_, sa) = ec_algs(curve)?;
        EcdsaKeyPair::from_private_key_and_public_key(sa, d, point, &SystemRandom::new())
            .map(|kp| PrivateKey::Ec { curve, kp })
            .map_err(|_| Unspecified)
    }

    fn ed25519(seed: &[u8], public: &[u8]) -> Result<Self, Unspecified> {
        Ed25519KeyPair::from_seed_and_public_key(seed, public)
            .map(PrivateKey::Ed25519)
            .map_err(|_| Unspecified)
    }

    /// ring has no ML-DSA.
    fn ml_dsa(_params: MlDsa, _seed: &[u8], _public: &[u8]) -> Result<Self, Unspecified> {
        Err(Unspecified)
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
                let mut sig = vec![0u8; kp.public().modulus_len()];
                kp.sign(padding, &SystemRandom::new(), msg, &mut sig)
                    .map_err(|_| Unspecified)?;
                Ok(sig)
            }
            PrivateKey::Ec { curve, kp } if curve.algorithm() == alg => kp
                .sign(&SystemRandom::new(), msg)
                .map(|s| s.as_ref().to_vec())
                .map_err(|_| Unspecified),
            PrivateKey::Ed25519(kp) if alg == Algorithm::EdDSA => Ok(kp.sign(msg).as_ref().to_vec()),
            _ => Err(Unspecified),
        }
    }

    fn ed25519_public_from_seed(seed: &[u8]) -> Result<Vec<u8>, Unspecified> {
        let kp = Ed25519KeyPair::from_seed_unchecked(seed).map_err(|_| Unspecified)?;
        Ok(kp.public_key().as_ref().to_vec())
    }

    /// ring has no ML-DSA.
    fn ml_dsa_public_from_seed(_params: MlDsa, _seed: &[u8]) -> Result<Vec<u8>, Unspecified> {
        Err(Unspecified)
    }

    /// ring has no ML-DSA.
    fn ml_dsa_expanded_from_seed(_params: MlDsa, _seed: &[u8]) -> Result<Vec<u8>, Unspecified> {
        Err(Unspecified)
    }
}
