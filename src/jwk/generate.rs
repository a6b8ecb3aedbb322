//! Key generation: P-256, P-384, P-521, Ed25519, RSA 2048–4096, ML-DSA-44/65/87 and HMAC
//! secrets. The generated key's `kid` is its RFC 7638 thumbprint unless the caller sets one.

use crate::crypto;
use crate::error::KeyError;
use crate::jwa::{Algorithm, KeyFamily};
use crate::jwk::Jwk;

/// RSA modulus sizes [`Jwk::generate_rsa`] accepts.
pub const RSA_BITS: [u32; 3] = [2048, 3072, 4096];

impl Jwk {
    /// Generates a private key for `alg`, with `alg` set and its thumbprint as `kid`
    /// (RSA keys get 2048 bits; see [`Jwk::generate_rsa`]).
    ///
    /// ```
    /// use software_statement::{Algorithm, Jwk};
    /// let key = Jwk::generate(Algorithm::EdDSA)?;
    /// assert!(key.is_private());
    /// assert_eq!(key.kid(), Some(key.thumbprint().as_str()));
    /// # Ok::<(), software_statement::KeyError>(())
    /// ```
    pub fn generate(alg: Algorithm) -> Result<Jwk, KeyError> {
        Self::generate_rsa(alg, 2048)
    }

    /// Like [`generate`](Self::generate), with the RSA modulus size (2048, 3072 or 4096;
    /// ignored for other algorithms).
    pub fn generate_rsa(alg: Algorithm, bits: u32) -> Result<Jwk, KeyError> {
        let failed = |_| KeyError::Generation("the backend could not generate a key".into());
        if !crypto::backend_supports(alg) {
            return Err(KeyError::UnsupportedByBackend(alg.name().to_owned()));
        }
        let key = match alg.key_family() {
            KeyFamily::Ec(curve) => Jwk::from_der(&crypto::generate_ec_pkcs8(curve).map_err(failed)?)?,
            KeyFamily::Ed25519 => Jwk::from_der(&crypto::generate_ed25519_pkcs8().map_err(failed)?)?,
            KeyFamily::Rsa => {
                if !RSA_BITS.contains(&bits) {
                    return Err(KeyError::Generation(format!(
                        "RSA keys are generated with 2048, 3072 or 4096 bits, not {bits}"
                    )));
                }
                let der = crypto::generate_rsa_pkcs8(bits)
                    .map_err(failed)?
                    .ok_or_else(|| KeyError::UnsupportedByBackend("RSA key generation".into()))?;
                Jwk::from_der(&der)?
            }
            KeyFamily::MlDsa(params) => {
                // FIPS 204 ML-DSA.KeyGen: a random 32-byte seed ξ, expanded by
                // KeyGen_internal; the JWK keeps the seed as `priv` (draft-ietf-cose-dilithium).
                let mut seed = [0u8; crate::jwa::MlDsa::SEED_LEN];
                crypto::fill_random(&mut seed).map_err(failed)?;
                let public = crypto::PrivateKey::ml_dsa_public_from_seed(params, &seed).map_err(failed)?;
                let mut m = serde_json::Map::new();
                m.insert("kty".into(), "AKP".into());
                m.insert("alg".into(), alg.name().into());
                m.insert("pub".into(), crate::b64::encode(&public).into());
                m.insert("priv".into(), crate::b64::encode(&seed).into());
                Jwk::from_map(m)?
            }
            KeyFamily::Oct => {
                let mut k = vec![0u8; alg.hash_len()];
                crypto::fill_random(&mut k).map_err(failed)?;
                let mut m = serde_json::Map::new();
                m.insert("kty".into(), "oct".into());
                m.insert("k".into(), crate::b64::encode(&k).into());
                Jwk::from_map(m)?
            }
        };
        let kid = key.thumbprint();
        key.with_alg(alg)?.with_kid(&kid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jwk::KeyType;

    #[test]
    fn every_key_type_is_generated_with_kid_and_alg() {
        for alg in Algorithm::ALL {
            let result = Jwk::generate(alg);
            let supported =
                crypto::backend_supports(alg) && (cfg!(feature = "aws-lc-rs") || !alg.key_family().eq(&KeyFamily::Rsa));
            match result {
                Ok(key) => {
                    assert!(supported, "{alg}");
                    assert!(key.is_private());
                    assert_eq!(key.alg(), Some(alg));
                    assert_eq!(key.kid(), Some(key.thumbprint().as_str()));
                    if alg.is_hmac() {
                        assert_eq!(key.key_type(), KeyType::Oct { len: alg.hash_len() });
                    }
                    if let KeyFamily::MlDsa(p) = alg.key_family() {
                        assert_eq!(key.key_type(), KeyType::MlDsa(p));
                        let m = key.members();
                        assert_eq!(m["kty"], "AKP");
                        assert_eq!(m["alg"], alg.name());
                        assert_eq!(
                            crate::b64::decode(m["pub"].as_str().unwrap()).unwrap().len(),
                            p.public_key_len()
                        );
                        assert_eq!(crate::b64::decode(m["priv"].as_str().unwrap()).unwrap().len(), 32);
                    }
                }
                Err(KeyError::UnsupportedByBackend(what)) => assert!(!supported, "{alg}: {what}"),
                Err(e) => panic!("{alg}: {e}"),
            }
        }
    }

    #[test]
    fn rsa_sizes() {
        assert!(matches!(
            Jwk::generate_rsa(Algorithm::RS256, 1024),
            Err(KeyError::Generation(_) | KeyError::UnsupportedByBackend(_))
        ));
        if cfg!(feature = "aws-lc-rs") {
            let key = Jwk::generate_rsa(Algorithm::PS384, 3072).unwrap();
            assert_eq!(key.key_type(), KeyType::Rsa { bits: 3072 });
        } else {
            let e = Jwk::generate_rsa(Algorithm::RS256, 2048).unwrap_err();
            assert_eq!(e, KeyError::UnsupportedByBackend("RSA key generation".into()));
            assert!(e.to_string().contains("unsupported with the ring backend"), "{e}");
        }
    }
}
