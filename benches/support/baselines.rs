//! What the library is compared with: the raw primitive of the backend in use (the
//! limit), jsonwebtoken 11 (aws-lc-rs provider) and josekit 0.10 (OpenSSL). Every key
//! is built once, outside the measured loop.

use jsonwebtoken::{DecodingKey, EncodingKey, Validation};
use serde_json::{Map, Value};
use software_statement::Algorithm;

use super::workload::{b64, AlgCase};

// ---------------------------------------------------------------------------------------
// The raw primitive of the backend in use, on a pre-built key.

#[cfg(feature = "aws-lc-rs")]
mod backend {
    use aws_lc_rs::rand::SystemRandom;
    use aws_lc_rs::signature::{
        self, EcdsaKeyPair, Ed25519KeyPair, ParsedPublicKey, PqdsaKeyPair, RsaEncoding, RsaKeyPair,
        RsaPublicKeyComponents,
    };
    use aws_lc_rs::{hmac, rsa};
    use software_statement::Algorithm;

    use super::AlgCase;

    pub const WHAT: &str = "aws-lc-rs `ParsedPublicKey::verify_sig` / `hmac::verify`; \
        `RsaKeyPair`/`EcdsaKeyPair`/`Ed25519KeyPair`/`PqdsaKeyPair::sign`, `hmac::sign`";

    // Built once, outside the measured loop; boxing the HMAC key would add an indirection
    // to the baseline.
    #[allow(clippy::large_enum_variant)]
    pub enum RawVerifier {
        Parsed(ParsedPublicKey),
        Hmac(hmac::Key),
    }

    impl RawVerifier {
        pub fn new(c: &AlgCase) -> Self {
            let rsa = |params: &'static rsa::RsaParameters| {
                let (n, e) = (c.member("n"), c.member("e"));
                RsaPublicKeyComponents { n: &n[..], e: &e[..] }
                    .to_parsed_public_key(params)
                    .unwrap()
            };
            let parsed = |alg: &'static dyn signature::VerificationAlgorithm, key: &[u8]| {
                ParsedPublicKey::new(alg, key).unwrap()
            };
            RawVerifier::Parsed(match c.alg {
                Algorithm::RS256 => rsa(&signature::RSA_PKCS1_2048_8192_SHA256),
                Algorithm::PS256 => rsa(&signature::RSA_PSS_2048_8192_SHA256),
                Algorithm::ES256 => parsed(&signature::ECDSA_P256_SHA256_FIXED, &super::point(c)),
                Algorithm::ES384 => parsed(&signature::ECDSA_P384_SHA384_FIXED, &super::point(c)),
                Algorithm::ES512 => parsed(&signature::ECDSA_P521_SHA512_FIXED, &super::point(c)),
                Algorithm::EdDSA => parsed(&signature::ED25519, &c.member("x")),
                Algorithm::MlDsa44 => parsed(&signature::ML_DSA_44, &c.member("pub")),
                Algorithm::MlDsa65 => parsed(&signature::ML_DSA_65, &c.member("pub")),
                Algorithm::MlDsa87 => parsed(&signature::ML_DSA_87, &c.member("pub")),
                Algorithm::HS256 => return RawVerifier::Hmac(hmac::Key::new(hmac::HMAC_SHA256, &c.member("k"))),
                other => panic!("no workload key for {other}"),
            })
        }

        #[inline]
        pub fn verify(&self, msg: &[u8], sig: &[u8]) {
            match self {
                RawVerifier::Parsed(k) => k.verify_sig(msg, sig).unwrap(),
                RawVerifier::Hmac(k) => hmac::verify(k, msg, sig).unwrap(),
            }
        }
    }

    #[allow(clippy::large_enum_variant)]
    pub enum RawSigner {
        Rsa(RsaKeyPair, &'static dyn RsaEncoding, Vec<u8>),
        Ec(EcdsaKeyPair),
        Ed(Ed25519KeyPair),
        Hmac(hmac::Key),
        /// ML-DSA from the seed, with a signature buffer allocated once.
        Pq(PqdsaKeyPair, Vec<u8>),
    }

    impl RawSigner {
        pub fn new(c: &AlgCase) -> Self {
            let ec = |alg| {
                EcdsaKeyPair::from_private_key_and_public_key(alg, &c.member("d"), &super::point(c))
                    .map(RawSigner::Ec)
                    .unwrap()
            };
            let pq = |alg: &'static signature::PqdsaSigningAlgorithm| {
                let kp = PqdsaKeyPair::from_seed(alg, &c.member("priv")).unwrap();
                RawSigner::Pq(kp, vec![0; alg.signature_len()])
            };
            match c.alg {
                Algorithm::RS256 | Algorithm::PS256 => {
                    let kp = RsaKeyPair::from_der(&super::rsa_pkcs1(c)).unwrap();
                    let len = kp.public_modulus_len();
                    let pad: &'static dyn RsaEncoding = if c.alg == Algorithm::RS256 {
                        &signature::RSA_PKCS1_SHA256
                    } else {
                        &signature::RSA_PSS_SHA256
                    };
                    RawSigner::Rsa(kp, pad, vec![0; len])
                }
                Algorithm::ES256 => ec(&signature::ECDSA_P256_SHA256_FIXED_SIGNING),
                Algorithm::ES384 => ec(&signature::ECDSA_P384_SHA384_FIXED_SIGNING),
                Algorithm::ES512 => ec(&signature::ECDSA_P521_SHA512_FIXED_SIGNING),
                Algorithm::EdDSA => {
                    RawSigner::Ed(Ed25519KeyPair::from_seed_and_public_key(&c.member("d"), &c.member("x")).unwrap())
                }
                Algorithm::HS256 => RawSigner::Hmac(hmac::Key::new(hmac::HMAC_SHA256, &c.member("k"))),
                Algorithm::MlDsa44 => pq(&signature::ML_DSA_44_SIGNING),
                Algorithm::MlDsa65 => pq(&signature::ML_DSA_65_SIGNING),
                Algorithm::MlDsa87 => pq(&signature::ML_DSA_87_SIGNING),
                other => panic!("no workload key for {other}"),
            }
        }

        /// Signs; returns the signature length (the signature itself is not kept).
        #[inline]
        pub fn sign(&mut self, rng: &SystemRandom, msg: &[u8]) -> usize {
            match self {
                RawSigner::Rsa(kp, pad, buf) => {
                    kp.sign(*pad, rng, msg, buf).unwrap();
                    buf.len()
                }
                RawSigner::Ec(kp) => kp.sign(rng, msg).unwrap().as_ref().len(),
                RawSigner::Ed(kp) => kp.sign(msg).as_ref().len(),
                RawSigner::Hmac(k) => hmac::sign(k, msg).as_ref().len(),
                RawSigner::Pq(kp, buf) => kp.sign(msg, buf).unwrap(),
            }
        }

        /// Signs; returns the signature (as the library's signer does).
        pub fn sign_to_vec(&mut self, rng: &SystemRandom, msg: &[u8]) -> Vec<u8> {
            match self {
                RawSigner::Rsa(kp, pad, buf) => {
                    kp.sign(*pad, rng, msg, buf).unwrap();
                    buf.clone()
                }
                RawSigner::Ec(kp) => kp.sign(rng, msg).unwrap().as_ref().to_vec(),
                RawSigner::Ed(kp) => kp.sign(msg).as_ref().to_vec(),
                RawSigner::Hmac(k) => hmac::sign(k, msg).as_ref().to_vec(),
                RawSigner::Pq(kp, buf) => {
                    let n = kp.sign(msg, buf).unwrap();
                    buf[..n].to_vec()
                }
            }
        }
    }

    pub fn rng() -> SystemRandom {
        SystemRandom::new()
    }
}

#[cfg(all(feature = "ring", not(feature = "aws-lc-rs")))]
mod backend {
    use ring::hmac;
    use ring::rand::SystemRandom;
    use ring::signature::{
        self, EcdsaKeyPair, Ed25519KeyPair, RsaEncoding, RsaKeyPair, RsaParameters, RsaPublicKeyComponents,
        UnparsedPublicKey, VerificationAlgorithm,
    };
    use software_statement::Algorithm;

    use super::AlgCase;

    pub const WHAT: &str = "ring `RsaPublicKeyComponents::verify` / `UnparsedPublicKey::verify` / \
        `hmac::verify`; `RsaKeyPair`/`EcdsaKeyPair`/`Ed25519KeyPair::sign`, `hmac::sign`";

    // Built once, outside the measured loop; boxing the HMAC key would add an indirection
    // to the baseline.
    #[allow(clippy::large_enum_variant)]
    pub enum RawVerifier {
        Rsa(Vec<u8>, Vec<u8>, &'static RsaParameters),
        Unparsed(UnparsedPublicKey<Vec<u8>>),
        Hmac(hmac::Key),
    }

    impl RawVerifier {
        pub fn new(c: &AlgCase) -> Self {
            let unparsed = |alg: &'static dyn VerificationAlgorithm, key: Vec<u8>| {
                RawVerifier::Unparsed(UnparsedPublicKey::new(alg, key))
            };
            match c.alg {
                Algorithm::RS256 => {
                    RawVerifier::Rsa(c.member("n"), c.member("e"), &signature::RSA_PKCS1_2048_8192_SHA256)
                }
                Algorithm::PS256 => {
                    RawVerifier::Rsa(c.member("n"), c.member("e"), &signature::RSA_PSS_2048_8192_SHA256)
                }
                Algorithm::ES256 => unparsed(&signature::ECDSA_P256_SHA256_FIXED, super::point(c)),
                Algorithm::ES384 => unparsed(&signature::ECDSA_P384_SHA384_FIXED, super::point(c)),
                Algorithm::EdDSA => unparsed(&signature::ED25519, c.member("x")),
                Algorithm::HS256 => RawVerifier::Hmac(hmac::Key::new(hmac::HMAC_SHA256, &c.member("k"))),
                other => panic!("no ring key for {other}"),
            }
        }

        #[inline]
        pub fn verify(&self, msg: &[u8], sig: &[u8]) {
            match self {
                RawVerifier::Rsa(n, e, params) => RsaPublicKeyComponents { n: &n[..], e: &e[..] }
                    .verify(params, msg, sig)
                    .unwrap(),
                RawVerifier::Unparsed(k) => k.verify(msg, sig).unwrap(),
                RawVerifier::Hmac(k) => hmac::verify(k, msg, sig).unwrap(),
            }
        }
    }

    #[allow(clippy::large_enum_variant)]
    pub enum RawSigner {
        Rsa(RsaKeyPair, &'static dyn RsaEncoding, Vec<u8>),
        Ec(EcdsaKeyPair),
        Ed(Ed25519KeyPair),
        Hmac(hmac::Key),
    }

    impl RawSigner {
        pub fn new(c: &AlgCase) -> Self {
            let rng = SystemRandom::new();
            let ec = |alg| {
                EcdsaKeyPair::from_private_key_and_public_key(alg, &c.member("d"), &super::point(c), &rng)
                    .map(RawSigner::Ec)
                    .unwrap()
            };
            match c.alg {
                Algorithm::RS256 | Algorithm::PS256 => {
                    let kp = RsaKeyPair::from_der(&super::rsa_pkcs1(c)).unwrap();
                    let len = kp.public().modulus_len();
                    let pad: &'static dyn RsaEncoding = if c.alg == Algorithm::RS256 {
                        &signature::RSA_PKCS1_SHA256
                    } else {
                        &signature::RSA_PSS_SHA256
                    };
                    RawSigner::Rsa(kp, pad, vec![0; len])
                }
                Algorithm::ES256 => ec(&signature::ECDSA_P256_SHA256_FIXED_SIGNING),
                Algorithm::ES384 => ec(&signature::ECDSA_P384_SHA384_FIXED_SIGNING),
                Algorithm::EdDSA => {
                    RawSigner::Ed(Ed25519KeyPair::from_seed_and_public_key(&c.member("d"), &c.member("x")).unwrap())
                }
                Algorithm::HS256 => RawSigner::Hmac(hmac::Key::new(hmac::HMAC_SHA256, &c.member("k"))),
                other => panic!("no ring key for {other}"),
            }
        }

        #[inline]
        pub fn sign(&mut self, rng: &SystemRandom, msg: &[u8]) -> usize {
            match self {
                RawSigner::Rsa(kp, pad, buf) => {
                    kp.sign(*pad, rng, msg, buf).unwrap();
                    buf.len()
                }
                RawSigner::Ec(kp) => kp.sign(rng, msg).unwrap().as_ref().len(),
                RawSigner::Ed(kp) => kp.sign(msg).as_ref().len(),
                RawSigner::Hmac(k) => hmac::sign(k, msg).as_ref().len(),
            }
        }

        /// Signs; returns the signature (as the library's signer does).
        pub fn sign_to_vec(&mut self, rng: &SystemRandom, msg: &[u8]) -> Vec<u8> {
            match self {
                RawSigner::Rsa(kp, pad, buf) => {
                    kp.sign(*pad, rng, msg, buf).unwrap();
                    buf.clone()
                }
                RawSigner::Ec(kp) => kp.sign(rng, msg).unwrap().as_ref().to_vec(),
                RawSigner::Ed(kp) => kp.sign(msg).as_ref().to_vec(),
                RawSigner::Hmac(k) => hmac::sign(k, msg).as_ref().to_vec(),
            }
        }
    }

    pub fn rng() -> SystemRandom {
        SystemRandom::new()
    }
}

pub use backend::{rng, RawSigner, RawVerifier, WHAT as RAW_PRIMITIVE};

/// `04 || x || y` of an EC key.
fn point(c: &AlgCase) -> Vec<u8> {
    let mut p = vec![4u8];
    p.extend(c.member("x"));
    p.extend(c.member("y"));
    p
}

/// The PKCS#1 `RSAPrivateKey` DER of an RSA key, through josekit's JWK conversion.
fn rsa_pkcs1(c: &AlgCase) -> Vec<u8> {
    josekit::jwk::alg::rsa::RsaKeyPair::from_jwk(&jose_jwk(&c.private_json))
        .unwrap()
        .to_raw_private_key()
}

// ---------------------------------------------------------------------------------------
// jsonwebtoken 11.

pub struct JsonWebToken {
    decoding: DecodingKey,
    encoding: EncodingKey,
    validation: Validation,
    header: jsonwebtoken::Header,
}

impl JsonWebToken {
    /// `None` for ES512 and ML-DSA, which jsonwebtoken does not implement.
    pub fn new(c: &AlgCase) -> Option<Self> {
        use josekit::jwk::alg::{ec::EcKeyPair, ed::EdKeyPair};
        let alg: jsonwebtoken::Algorithm = c.alg.name().parse().ok()?;
        let m = c.key.members();
        let s = |name: &str| m[name].as_str().unwrap();
        let jose = jose_jwk(&c.private_json);
        let (decoding, encoding) = match c.alg {
            Algorithm::HS256 => {
                let k = b64(s("k"));
                (DecodingKey::from_secret(&k), EncodingKey::from_secret(&k))
            }
            Algorithm::RS256 | Algorithm::PS256 => (
                DecodingKey::from_rsa_components(s("n"), s("e")).unwrap(),
                EncodingKey::from_rsa_der(&rsa_pkcs1(c)),
            ),
            Algorithm::ES256 | Algorithm::ES384 => {
                let pem = EcKeyPair::from_jwk(&jose).unwrap().to_pem_private_key();
                let (label, pkcs8) = der::pem::decode_vec(&pem).unwrap();
                assert_eq!(label, "PRIVATE KEY");
                (
                    DecodingKey::from_ec_components(s("x"), s("y")).unwrap(),
                    EncodingKey::from_ec_der(&pkcs8),
                )
            }
            Algorithm::EdDSA => (
                DecodingKey::from_ed_components(s("x")).unwrap(),
                EncodingKey::from_ed_der(&EdKeyPair::from_jwk(&jose).unwrap().to_der_private_key()),
            ),
            _ => return None,
        };
        // The same work as the statement verifier minus its policy: signature, header and
        // claims parsed; no spec claim required, no `exp`/`nbf`/`aud` check.
        let mut validation = Validation::new(alg);
        validation.required_spec_claims.clear();
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.validate_aud = false;
        let mut header = jsonwebtoken::Header::new(alg);
        header.kid = Some(c.kid().to_owned());
        header.typ = Some("JWT".into());
        Some(JsonWebToken {
            decoding,
            encoding,
            validation,
            header,
        })
    }

    /// `decode::<serde_json::Value>`.
    pub fn verify(&self, token: &str) -> Value {
        jsonwebtoken::decode::<Value>(token, &self.decoding, &self.validation)
            .unwrap()
            .claims
    }

    /// `encode` of the claims.
    pub fn sign(&self, claims: &Map<String, Value>) -> String {
        jsonwebtoken::encode(&self.header, claims, &self.encoding).unwrap()
    }
}

// ---------------------------------------------------------------------------------------
// josekit 0.10.

fn jose_jwk(json: &str) -> josekit::jwk::Jwk {
    josekit::jwk::Jwk::from_bytes(json.as_bytes()).unwrap()
}

pub struct Josekit {
    verifier: Box<dyn josekit::jws::JwsVerifier>,
    signer: Box<dyn josekit::jws::JwsSigner>,
    header: josekit::jws::JwsHeader,
}

impl Josekit {
    /// `None` for ML-DSA, which josekit does not implement.
    pub fn new(c: &AlgCase) -> Option<Self> {
        use josekit::jws::*;
        let public = jose_jwk(&c.public_json);
        let private = jose_jwk(&c.private_json);
        macro_rules! pair {
            ($alg:expr) => {
                (
                    Box::new($alg.verifier_from_jwk(&public).unwrap()) as Box<dyn JwsVerifier>,
                    Box::new($alg.signer_from_jwk(&private).unwrap()) as Box<dyn JwsSigner>,
                )
            };
        }
        let (verifier, signer) = match c.alg {
            Algorithm::RS256 => pair!(RS256),
            Algorithm::PS256 => pair!(PS256),
            Algorithm::ES256 => pair!(ES256),
            Algorithm::ES384 => pair!(ES384),
            Algorithm::ES512 => pair!(ES512),
            Algorithm::EdDSA => pair!(EdDSA),
            Algorithm::HS256 => pair!(HS256),
            _ => return None,
        };
        let mut header = JwsHeader::new();
        header.set_token_type("JWT");
        Some(Josekit {
            verifier,
            signer,
            header,
        })
    }

    /// `jwt::decode_with_verifier`.
    pub fn verify(&self, token: &str) -> josekit::jwt::JwtPayload {
        josekit::jwt::decode_with_verifier(token, &*self.verifier).unwrap().0
    }

    /// The claims as josekit takes them (built once, outside the loop).
    pub fn payload(claims: &Map<String, Value>) -> josekit::jwt::JwtPayload {
        josekit::jwt::JwtPayload::from_map(claims.clone()).unwrap()
    }

    /// `jwt::encode_with_signer`.
    pub fn sign(&self, payload: &josekit::jwt::JwtPayload) -> String {
        josekit::jwt::encode_with_signer(payload, &self.header, &*self.signer).unwrap()
    }
}
