//! JSON Web Algorithms (RFC 7518 §3, RFC 8037 §3.1, draft-ietf-cose-dilithium): the
//! signature and MAC algorithms this library implements, and what kind of key each one
//! needs.
//!
//! `none` is deliberately not representable: no API of this crate can be asked to accept
//! an unsecured JWS.

use core::fmt;
use core::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A JWS algorithm (`alg` header parameter value).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Algorithm {
    /// HMAC with SHA-256.
    HS256,
    /// HMAC with SHA-384.
    HS384,
    /// HMAC with SHA-512.
    HS512,
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    RS256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    RS384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    RS512,
    /// RSASSA-PSS with SHA-256 and MGF1 with SHA-256.
    PS256,
    /// RSASSA-PSS with SHA-384 and MGF1 with SHA-384.
    PS384,
    /// RSASSA-PSS with SHA-512 and MGF1 with SHA-512.
    PS512,
    /// ECDSA with P-256 and SHA-256.
    ES256,
    /// ECDSA with P-384 and SHA-384.
    ES384,
    /// ECDSA with P-521 and SHA-512 (not available with the ring backend).
    ES512,
    /// EdDSA with Ed25519 (RFC 8037).
    EdDSA,
    /// ML-DSA-44 (FIPS 204, draft-ietf-cose-dilithium), pure mode with the empty context;
    /// an `AKP` key. Not available with the ring backend.
    MlDsa44,
    /// ML-DSA-65 (FIPS 204, draft-ietf-cose-dilithium); an `AKP` key. Not available with
    /// the ring backend.
    MlDsa65,
    /// ML-DSA-87 (FIPS 204, draft-ietf-cose-dilithium); an `AKP` key. Not available with
    /// the ring backend.
    MlDsa87,
}

/// The family of key an algorithm needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyFamily {
    /// `kty: "RSA"`.
    Rsa,
    /// `kty: "EC"` on the given curve.
    Ec(Curve),
    /// `kty: "OKP"`, `crv: "Ed25519"`.
    Ed25519,
    /// `kty: "oct"` (a shared secret).
    Oct,
    /// `kty: "AKP"` with an ML-DSA `alg` (draft-ietf-cose-dilithium): the parameter set.
    MlDsa(MlDsa),
}

/// An ML-DSA parameter set (FIPS 204 Table 1): the `alg` of a `kty: "AKP"` key
/// (draft-ietf-cose-dilithium) fixes it, and with it every size.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MlDsa {
    /// ML-DSA-44 (NIST security category 2).
    MlDsa44,
    /// ML-DSA-65 (category 3).
    MlDsa65,
    /// ML-DSA-87 (category 5).
    MlDsa87,
}

impl MlDsa {
    /// Every parameter set.
    pub const ALL: [MlDsa; 3] = [MlDsa::MlDsa44, MlDsa::MlDsa65, MlDsa::MlDsa87];

    /// Length in bytes of the private seed, the JWK `priv` (the same for every set).
    pub const SEED_LEN: usize = 32;

    /// The JWS algorithm of this parameter set.
    pub fn algorithm(self) -> Algorithm {
        match self {
            MlDsa::MlDsa44 => Algorithm::MlDsa44,
            MlDsa::MlDsa65 => Algorithm::MlDsa65,
            MlDsa::MlDsa87 => Algorithm::MlDsa87,
        }
    }

    /// The `alg` name (`ML-DSA-44`, `ML-DSA-65`, `ML-DSA-87`).
    pub fn name(self) -> &'static str {
        self.algorithm().name()
    }

    /// Length in bytes of the public key, the JWK `pub` (FIPS 204 Table 2).
    pub fn public_key_len(self) -> usize {
        match self {
            MlDsa::MlDsa44 => 1312,
            MlDsa::MlDsa65 => 1952,
            MlDsa::MlDsa87 => 2592,
        }
    }

    /// Length in bytes of a signature (FIPS 204 Table 2).
    pub fn signature_len(self) -> usize {
        match self {
            MlDsa::MlDsa44 => 2420,
            MlDsa::MlDsa65 => 3309,
            MlDsa::MlDsa87 => 4627,
        }
    }
}

/// An elliptic curve of `kty: "EC"` keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Curve {
    /// NIST P-256 (secp256r1).
    P256,
    /// NIST P-384 (secp384r1).
    P384,
    /// NIST P-521 (secp521r1).
    P521,
}

impl Curve {
    /// The JWK `crv` name.
    pub fn name(self) -> &'static str {
        match self {
            Curve::P256 => "P-256",
            Curve::P384 => "P-384",
            Curve::P521 => "P-521",
        }
    }

    /// Parses a JWK `crv` name.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "P-256" => Some(Curve::P256),
            "P-384" => Some(Curve::P384),
            "P-521" => Some(Curve::P521),
            _ => None,
        }
    }

    /// Length in bytes of a coordinate (and of the private scalar).
    pub fn coordinate_len(self) -> usize {
        match self {
            Curve::P256 => 32,
            Curve::P384 => 48,
            Curve::P521 => 66,
        }
    }

    /// The ECDSA algorithm that uses this curve.
    pub fn algorithm(self) -> Algorithm {
        match self {
            Curve::P256 => Algorithm::ES256,
            Curve::P384 => Algorithm::ES384,
            Curve::P521 => Algorithm::ES512,
        }
    }
}

impl Algorithm {
    /// Every algorithm, in a stable order.
    pub const ALL: [Algorithm; 16] = [
        Algorithm::HS256,
        Algorithm::HS384,
        Algorithm::HS512,
        Algorithm::RS256,
        Algorithm::RS384,
        Algorithm::RS512,
        Algorithm::PS256,
        Algorithm::PS384,
        Algorithm::PS512,
        Algorithm::ES256,
        Algorithm::ES384,
        Algorithm::ES512,
        Algorithm::EdDSA,
        Algorithm::MlDsa44,
        Algorithm::MlDsa65,
        Algorithm::MlDsa87,
    ];

    /// The registered `alg` name.
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::HS256 => "HS256",
            Algorithm::HS384 => "HS384",
            Algorithm::HS512 => "HS512",
            Algorithm::RS256 => "RS256",
            Algorithm::RS384 => "RS384",
            Algorithm::RS512 => "RS512",
            Algorithm::PS256 => "PS256",
            Algorithm::PS384 => "PS384",
            Algorithm::PS512 => "PS512",
            Algorithm::ES256 => "ES256",
            Algorithm::ES384 => "ES384",
            Algorithm::ES512 => "ES512",
            Algorithm::EdDSA => "EdDSA",
            Algorithm::MlDsa44 => "ML-DSA-44",
            Algorithm::MlDsa65 => "ML-DSA-65",
            Algorithm::MlDsa87 => "ML-DSA-87",
        }
    }

    /// Parses a registered `alg` name (case-sensitive, as RFC 7515 §4.1.1 requires).
    /// `none` and unknown names give `None`.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|a| a.name() == name)
    }

    /// The key family the algorithm needs.
    pub fn key_family(self) -> KeyFamily {
        match self {
            Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512 => KeyFamily::Oct,
            Algorithm::RS256
            | Algorithm::RS384
            | Algorithm::RS512
            | Algorithm::PS256
            | Algorithm::PS384
            | Algorithm::PS512 => KeyFamily::Rsa,
            Algorithm::ES256 => KeyFamily::Ec(Curve::P256),
            Algorithm::ES384 => KeyFamily::Ec(Curve::P384),
            Algorithm::ES512 => KeyFamily::Ec(Curve::P521),
            Algorithm::EdDSA => KeyFamily::Ed25519,
            Algorithm::MlDsa44 => KeyFamily::MlDsa(MlDsa::MlDsa44),
            Algorithm::MlDsa65 => KeyFamily::MlDsa(MlDsa::MlDsa65),
            Algorithm::MlDsa87 => KeyFamily::MlDsa(MlDsa::MlDsa87),
        }
    }

    /// True for the HMAC algorithms (HS256/384/512).
    pub fn is_hmac(self) -> bool {
        self.key_family() == KeyFamily::Oct
    }

    /// The ML-DSA parameter set of an ML-DSA algorithm.
    pub fn ml_dsa(self) -> Option<MlDsa> {
        match self.key_family() {
            KeyFamily::MlDsa(p) => Some(p),
            _ => None,
        }
    }

    /// Output length in bytes of the algorithm's hash: the minimum HMAC key length
    /// for HS* (RFC 7518 §3.2). EdDSA: SHA-512; ML-DSA: the 64-byte SHAKE256 message
    /// representative μ (FIPS 204).
    pub fn hash_len(self) -> usize {
        match self {
            Algorithm::HS256 | Algorithm::RS256 | Algorithm::PS256 | Algorithm::ES256 => 32,
            Algorithm::HS384 | Algorithm::RS384 | Algorithm::PS384 | Algorithm::ES384 => 48,
            Algorithm::HS512 | Algorithm::RS512 | Algorithm::PS512 | Algorithm::ES512 => 64,
            Algorithm::EdDSA => 64,
            Algorithm::MlDsa44 | Algorithm::MlDsa65 | Algorithm::MlDsa87 => 64,
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The error of parsing an algorithm name.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "unsupported algorithm {0:?} (supported: HS256/384/512, RS256/384/512, PS256/384/512, ES256/384/512, EdDSA, \
     ML-DSA-44/65/87)"
)]
pub struct UnknownAlgorithm(pub String);

impl FromStr for Algorithm {
    type Err = UnknownAlgorithm;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_name(s).ok_or_else(|| UnknownAlgorithm(s.to_owned()))
    }
}

impl Serialize for Algorithm {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for Algorithm {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Algorithm::from_name(&s).ok_or_else(|| serde::de::Error::custom(UnknownAlgorithm(s.into_owned())))
    }
}

/// A set of algorithms, such as a caller's allow-list: one bit per algorithm.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct AlgorithmSet(u32);

// One bit per algorithm, in `Algorithm::ALL` order.
const _: () = assert!(Algorithm::ALL.len() <= u32::BITS as usize);
const _: () = {
    let mut i = 0;
    while i < Algorithm::ALL.len() {
        assert!(Algorithm::ALL[i] as usize == i);
        i += 1;
    }
};

impl AlgorithmSet {
    /// The empty set.
    pub const EMPTY: AlgorithmSet = AlgorithmSet(0);
    /// Every algorithm.
    pub const ALL: AlgorithmSet = AlgorithmSet(u32::MAX >> (u32::BITS as usize - Algorithm::ALL.len()));

    /// A set of the given algorithms.
    pub fn of(algs: &[Algorithm]) -> Self {
        algs.iter().fold(Self::EMPTY, |s, a| s.with(*a))
    }

    /// This set plus `alg`.
    #[must_use]
    pub const fn with(self, alg: Algorithm) -> Self {
        AlgorithmSet(self.0 | (1 << alg as usize))
    }

    /// Whether `alg` is in the set.
    pub const fn contains(self, alg: Algorithm) -> bool {
        self.0 & (1 << alg as usize) != 0
    }

    /// Whether the set is empty.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The intersection of two sets.
    #[must_use]
    pub const fn intersect(self, other: AlgorithmSet) -> Self {
        AlgorithmSet(self.0 & other.0)
    }

    /// The union of two sets.
    #[must_use]
    pub const fn union(self, other: AlgorithmSet) -> Self {
        AlgorithmSet(self.0 | other.0)
    }

    /// The algorithms in the set, in [`Algorithm::ALL`] order.
    pub fn iter(self) -> impl Iterator<Item = Algorithm> {
        Algorithm::ALL.into_iter().filter(move |a| self.contains(*a))
    }
}

impl FromIterator<Algorithm> for AlgorithmSet {
    fn from_iter<I: IntoIterator<Item = Algorithm>>(iter: I) -> Self {
        iter.into_iter().fold(Self::EMPTY, |s, a| s.with(a))
    }
}

impl fmt::Debug for AlgorithmSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_none_is_not_an_algorithm() {
        for a in Algorithm::ALL {
            assert_eq!(Algorithm::from_name(a.name()), Some(a));
        }
        assert_eq!(Algorithm::from_name("none"), None);
        assert_eq!(Algorithm::from_name("hs256"), None);
    }

    #[test]
    fn sets() {
        let s = AlgorithmSet::of(&[Algorithm::ES256, Algorithm::PS256]);
        assert!(s.contains(Algorithm::ES256) && !s.contains(Algorithm::RS256));
        assert_eq!(s.iter().count(), 2);
        assert_eq!(AlgorithmSet::ALL.iter().count(), 16);
        assert!(Algorithm::ALL.iter().all(|a| AlgorithmSet::ALL.contains(*a)));
        let pq = AlgorithmSet::of(&[Algorithm::MlDsa44, Algorithm::MlDsa87]);
        assert_eq!(pq.iter().collect::<Vec<_>>(), [Algorithm::MlDsa44, Algorithm::MlDsa87]);
        assert!(!pq.contains(Algorithm::MlDsa65) && !pq.contains(Algorithm::EdDSA));
    }

    #[test]
    fn ml_dsa_names_and_sizes() {
        for (p, name, pk, sig) in [
            (MlDsa::MlDsa44, "ML-DSA-44", 1312, 2420),
            (MlDsa::MlDsa65, "ML-DSA-65", 1952, 3309),
            (MlDsa::MlDsa87, "ML-DSA-87", 2592, 4627),
        ] {
            assert_eq!(p.name(), name);
            assert_eq!(Algorithm::from_name(name), Some(p.algorithm()));
            assert_eq!(p.algorithm().ml_dsa(), Some(p));
            assert_eq!(p.algorithm().key_family(), KeyFamily::MlDsa(p));
            assert_eq!((p.public_key_len(), p.signature_len()), (pk, sig));
        }
        assert_eq!(Algorithm::from_name("ml-dsa-44"), None);
        assert_eq!(Algorithm::EdDSA.ml_dsa(), None);
    }
}
