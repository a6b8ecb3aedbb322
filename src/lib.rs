//! # software-statement
//!
//! Issue, verify and apply OAuth 2.0 software statements (RFC 7591 §2.3).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod b64;
mod claims;
pub mod client_keys;
pub mod clock;
pub mod crypto;
mod der_keys;
pub mod error;
mod json;
pub mod jwa;
pub mod jwk;
pub mod jws;
mod keygen;
pub mod metadata;
pub mod registrar;
pub mod registration;
#[cfg(feature = "remote")]
pub mod remote;
pub mod statement;
pub mod trust;

pub use error::{Error, JwsError, KeyError};
pub use jwa::{Algorithm, AlgorithmSet};
pub use jwk::{Jwk, JwkSet};
