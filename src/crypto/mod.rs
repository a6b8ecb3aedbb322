//! The crypto backend behind one small facade: aws-lc-rs (default) or ring (feature
//! `ring`). When both features are enabled, aws-lc-rs is used.
//!
//! Everything above this module sees only: pre-parsed public keys, HMAC keys, key pairs,
//! key generation as PKCS#8 documents (ML-DSA keys are generated from a random seed),
//! randomness and SHA-256.
//!
//! Each backend is a unit struct implementing the crate-internal trait `Backend`, whose
//! key types implement `VerifyingKey`, `MacKey` and `SigningKey`: a backend that misses
//! a function or gives it another signature does not compile. The facade picks one
//! backend as `Active` and wraps its key types in newtypes with inherent methods, so the
//! rest of the crate needs no trait in scope and every call is statically dispatched.

#[cfg(feature = "aws-lc-rs")]
mod aws_lc;

#[cfg(all(feature = "ring", not(feature = "aws-lc-rs")))]
mod ring;

#[cfg(not(any(feature = "aws-lc-rs", feature = "ring")))]
compile_error!("software-statement needs a crypto backend: enable feature `aws-lc-rs` (default) or `ring`");

use crate::jwa::{Algorithm, Curve, MlDsa};

/// The backend in use.
#[cfg(feature = "aws-lc-rs")]
type Active = self::aws_lc::AwsLc;

/// The backend in use.
#[cfg(all(feature = "ring", not(feature = "aws-lc-rs")))]
type Active = self::ring::Ring;

/// What a crypto backend provides. Implemented by one unit struct per backend; only
/// [`Active`] is used, through the free functions and newtypes below.
pub(crate) trait Backend {
    /// The name of the backend, as shown in messages and benchmark tables.
    const NAME: &'static str;

    /// A public key, validated at import, that verifies signatures.
    type PublicKey: VerifyingKey + Send + Sync + 'static;
    /// An HMAC key for one hash.
    type HmacKey: MacKey + Send + Sync + 'static;
    /// A private signing key.
    type PrivateKey: SigningKey + Send + Sync + 'static;

    /// Whether the backend implements `alg`.
    fn supports(alg: Algorithm) -> bool;

    /// Fills `buf` with cryptographically secure random bytes.
    fn fill_random(buf: &mut [u8]) -> Result<(), Unspecified>;

    /// SHA-256 of `data`.
    fn sha256(data: &[u8]) -> [u8; 32];

    /// Generates an EC private key on `curve`, as PKCS#8 DER.
    fn generate_ec_pkcs8(curve: Curve) -> Result<Vec<u8>, Unspecified>;

    /// Generates an Ed25519 private key, as PKCS#8 DER.
    fn generate_ed25519_pkcs8() -> Result<Vec<u8>, Unspecified>;

    /// Generates an RSA private key of `bits` bits, as PKCS#8 DER; `Ok(None)` when the
    /// backend cannot generate RSA keys at all.
    fn generate_rsa_pkcs8(bits: u32) -> Result<Option<Vec<u8>>, Unspecified>;
}

/// A backend's public key.
pub(crate) trait VerifyingKey: Sized {
    /// From the RSA modulus and public exponent (big-endian).
    fn rsa(n: &[u8], e: &[u8]) -> Result<Self, Unspecified>;

    /// From the uncompressed SEC1 point `04 || x || y`; it must lie on `curve`.
    fn ec(curve: Curve, point: &[u8]) -> Result<Self, Unspecified>;

    /// From the 32-byte Ed25519 public key.
    fn ed25519(x: &[u8]) -> Result<Self, Unspecified>;

    /// From the raw ML-DSA public key of `params` (FIPS 204 `pkEncode`); the caller has
    /// checked its length. A backend without ML-DSA fails.
    fn ml_dsa(params: MlDsa, public: &[u8]) -> Result<Self, Unspecified>;

    /// Verifies `sig` over `msg` with `alg`; the caller has already checked that `alg`
    /// fits this key.
    fn verify(&self, alg: Algorithm, msg: &[u8], sig: &[u8]) -> Result<(), Unspecified>;
}

/// A backend's HMAC key.
pub(crate) trait MacKey: Sized {
    /// A key for the hash of `alg` (HS256, HS384 or HS512).
    fn new(alg: Algorithm, secret: &[u8]) -> Result<Self, Unspecified>;

    /// The full-length tag of `msg`.
    fn sign(&self, msg: &[u8]) -> Vec<u8>;

    /// Constant-time comparison of the full-length tag.
    fn verify(&self, msg: &[u8], tag: &[u8]) -> Result<(), Unspecified>;
}

/// A backend's private signing key.
pub(crate) trait SigningKey: Sized {
    /// From a PKCS#1 `RSAPrivateKey` document.
    fn rsa_pkcs1(der: &[u8]) -> Result<Self, Unspecified>;

    /// From the private scalar and the uncompressed public point; they must match.
    fn ec(curve: Curve, d: &[u8], point: &[u8]) -> Result<Self, Unspecified>;

    /// From the 32-byte seed and the public key; they must match.
    fn ed25519(seed: &[u8], public: &[u8]) -> Result<Self, Unspecified>;

    /// From the 32-byte ML-DSA seed ξ (FIPS 204 `ML-DSA.KeyGen_internal`) and the raw
    /// public key of `params`; the public key the seed derives must equal `public`. A
    /// backend without ML-DSA fails.
    fn ml_dsa(params: MlDsa, seed: &[u8], public: &[u8]) -> Result<Self, Unspecified>;

    /// Signs `msg` with `alg`, which must fit this key. ML-DSA: pure mode, empty context.
    fn sign(&self, alg: Algorithm, msg: &[u8]) -> Result<Vec<u8>, Unspecified>;

    /// The Ed25519 public key of a seed (used when a PKCS#8 document omits it).
    fn ed25519_public_from_seed(seed: &[u8]) -> Result<Vec<u8>, Unspecified>;

    /// The raw ML-DSA public key the 32-byte seed derives for `params` (key generation).
    /// A backend without ML-DSA fails.
    fn ml_dsa_public_from_seed(params: MlDsa, seed: &[u8]) -> Result<Vec<u8>, Unspecified>;

    /// The expanded ML-DSA private key (FIPS 204 `skEncode`) the 32-byte seed derives for
    /// `params`: to check a PKCS#8 document that holds both. A backend without ML-DSA fails.
    fn ml_dsa_expanded_from_seed(params: MlDsa, seed: &[u8]) -> Result<Vec<u8>, Unspecified>;
}

/// The public key type of the backend in use.
type ActivePublicKey = <Active as Backend>::PublicKey;
/// The HMAC key type of the backend in use.
type ActiveHmacKey = <Active as Backend>::HmacKey;
/// The private key type of the backend in use.
type ActivePrivateKey = <Active as Backend>::PrivateKey;

/// The name of the backend in use, as shown in messages and benchmark tables.
pub const BACKEND: &str = Active::NAME;

/// An operation failed; deliberately carries no detail (no key material, no oracle).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Unspecified;

/// Whether the backend in use implements `alg`.
pub fn backend_supports(alg: Algorithm) -> bool {
    Active::supports(alg)
}

/// Fills `buf` with cryptographically secure random bytes.
pub(crate) fn fill_random(buf: &mut [u8]) -> Result<(), Unspecified> {
    Active::fill_random(buf)
}

/// SHA-256 of `data`.
pub(crate) fn sha256(data: &[u8]) -> [u8; 32] {
    Active::sha256(data)
}

/// Generates an EC private key on `curve`, as PKCS#8 DER.
pub(crate) fn generate_ec_pkcs8(curve: Curve) -> Result<Vec<u8>, Unspecified> {
    Active::generate_ec_pkcs8(curve)
}

/// Generates an Ed25519 private key, as PKCS#8 DER.
pub(crate) fn generate_ed25519_pkcs8() -> Result<Vec<u8>, Unspecified> {
    Active::generate_ed25519_pkcs8()
}

/// Generates an RSA private key of `bits` bits, as PKCS#8 DER; `Ok(None)` when the
/// backend in use cannot generate RSA keys.
pub(crate) fn generate_rsa_pkcs8(bits: u32) -> Result<Option<Vec<u8>>, Unspecified> {
    Active::generate_rsa_pkcs8(bits)
}

/// A public key of the backend in use, validated (and, where the backend can, parsed)
/// once at import.
pub(crate) struct PublicKey(ActivePublicKey);

impl PublicKey {
    /// From the RSA modulus and public exponent (big-endian).
    #[inline]
    pub(crate) fn rsa(n: &[u8], e: &[u8]) -> Result<Self, Unspecified> {
        ActivePublicKey::rsa(n, e).map(Self)
    }

    /// From the uncompressed SEC1 point `04 || x || y`; it must lie on `curve`.
    #[inline]
    pub(crate) fn ec(curve: Curve, point: &[u8]) -> Result<Self, Unspecified> {
        ActivePublicKey::ec(curve, point).map(Self)
    }

    /// From the 32-byte Ed25519 public key.
    #[inline]
    pub(crate) fn ed25519(x: &[u8]) -> Result<Self, Unspecified> {
        ActivePublicKey::ed25519(x).map(Self)
    }

    /// From the raw ML-DSA public key of `params`, of the exact length.
    #[inline]
    pub(crate) fn ml_dsa(params: MlDsa, public: &[u8]) -> Result<Self, Unspecified> {
        ActivePublicKey::ml_dsa(params, public).map(Self)
    }

    /// Verifies `sig` over `msg` with `alg`; the caller has already checked that `alg`
    /// fits this key.
    #[inline]
    pub(crate) fn verify(&self, alg: Algorithm, msg: &[u8], sig: &[u8]) -> Result<(), Unspecified> {
        self.0.verify(alg, msg, sig)
    }
}

/// An HMAC key of the backend in use, for one hash.
pub(crate) struct HmacKey(ActiveHmacKey);

impl HmacKey {
    /// A key for the hash of `alg` (HS256, HS384 or HS512).
    #[inline]
    pub(crate) fn new(alg: Algorithm, secret: &[u8]) -> Result<Self, Unspecified> {
        ActiveHmacKey::new(alg, secret).map(Self)
    }

    /// The full-length tag of `msg`.
    #[inline]
    pub(crate) fn sign(&self, msg: &[u8]) -> Vec<u8> {
        self.0.sign(msg)
    }

    /// Constant-time comparison of the full-length tag.
    #[inline]
    pub(crate) fn verify(&self, msg: &[u8], tag: &[u8]) -> Result<(), Unspecified> {
        self.0.verify(msg, tag)
    }
}

/// A private signing key of the backend in use.
pub(crate) struct PrivateKey(ActivePrivateKey);

impl PrivateKey {
    /// From a PKCS#1 `RSAPrivateKey` document.
    #[inline]
    pub(crate) fn rsa_pkcs1(der: &[u8]) -> Result<Self, Unspecified> {
        ActivePrivateKey::rsa_pkcs1(der).map(Self)
    }

    /// From the private scalar and the uncompressed public point; they must match.
    #[inline]
    pub(crate) fn ec(curve: Curve, d: &[u8], point: &[u8]) -> Result<Self, Unspecified> {
        ActivePrivateKey::ec(curve, d, point).map(Self)
    }

    /// From the 32-byte seed and the public key; they must match.
    #[inline]
    pub(crate) fn ed25519(seed: &[u8], public: &[u8]) -> Result<Self, Unspecified> {
        ActivePrivateKey::ed25519(seed, public).map(Self)
    }

    /// From the 32-byte ML-DSA seed and the raw public key of `params`; they must match.
    #[inline]
    pub(crate) fn ml_dsa(params: MlDsa, seed: &[u8], public: &[u8]) -> Result<Self, Unspecified> {
        ActivePrivateKey::ml_dsa(params, seed, public).map(Self)
    }

    /// Signs `msg` with `alg`, which must fit this key.
    #[inline]
    pub(crate) fn sign(&self, alg: Algorithm, msg: &[u8]) -> Result<Vec<u8>, Unspecified> {
        self.0.sign(alg, msg)
    }

    /// The Ed25519 public key of a seed (used when a PKCS#8 document omits it).
    #[inline]
    pub(crate) fn ed25519_public_from_seed(seed: &[u8]) -> Result<Vec<u8>, Unspecified> {
        ActivePrivateKey::ed25519_public_from_seed(seed)
    }

    /// The raw ML-DSA public key of a 32-byte seed (key generation).
    #[inline]
    pub(crate) fn ml_dsa_public_from_seed(params: MlDsa, seed: &[u8]) -> Result<Vec<u8>, Unspecified> {
        ActivePrivateKey::ml_dsa_public_from_seed(params, seed)
    }

    /// The expanded ML-DSA private key of a 32-byte seed.
    #[inline]
    pub(crate) fn ml_dsa_expanded_from_seed(params: MlDsa, seed: &[u8]) -> Result<Vec<u8>, Unspecified> {
        ActivePrivateKey::ml_dsa_expanded_from_seed(params, seed)
    }
}
