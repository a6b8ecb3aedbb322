//! The crypto backend behind one small facade: aws-lc-rs (default) or ring (feature
//! `ring`). When both features are enabled, aws-lc-rs is used.
//!
//! Everything above this module sees only: pre-parsed public keys, HMAC keys, key pairs,
//! key generation as PKCS#8 documents, randomness and SHA-256.

#[cfg(feature = "aws-lc-rs")]
mod aws_lc;
#[cfg(feature = "aws-lc-rs")]
use self::aws_lc as backend;

#[cfg(all(feature = "ring", not(feature = "aws-lc-rs")))]
mod ring;
#[cfg(all(feature = "ring", not(feature = "aws-lc-rs")))]
use self::ring as backend;

#[cfg(not(any(feature = "aws-lc-rs", feature = "ring")))]
compile_error!("software-statement needs a crypto backend: enable feature `aws-lc-rs` (default) or `ring`");

pub(crate) use backend::{HmacKey, PrivateKey, PublicKey};

use crate::jwa::Algorithm;

/// The name of the backend in use, as shown in messages and benchmark tables.
pub const BACKEND: &str = backend::NAME;

/// An operation failed; deliberately carries no detail (no key material, no oracle).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Unspecified;

/// Whether the backend in use implements `alg`.
pub fn backend_supports(alg: Algorithm) -> bool {
    backend::supports(alg)
}

/// Fills `buf` with cryptographically secure random bytes.
pub(crate) fn fill_random(buf: &mut [u8]) -> Result<(), Unspecified> {
    backend::fill_random(buf)
}

/// SHA-256 of `data`.
pub(crate) fn sha256(data: &[u8]) -> [u8; 32] {
    backend::sha256(data)
}

/// Generates a private key for an algorithm family, as PKCS#8 DER.
pub(crate) use backend::{generate_ec_pkcs8, generate_ed25519_pkcs8, generate_rsa_pkcs8};
