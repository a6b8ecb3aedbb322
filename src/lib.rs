//! # software-statement
//!
//! Issue, verify and apply OAuth 2.0 software statements (RFC 7591 §2.3): signed JWTs in
//! which a software publisher asserts client metadata.
//!
//! - **Publishers** generate keys ([`Jwk::generate`]), publish a JWK Set
//!   ([`JwkSet::to_public_value`]) and sign statements ([`statement::StatementBuilder`]).
//! - **Authorization servers** verify statements under a per-issuer trust policy
//!   ([`statement::Verifier`], usually loaded from a [`trust::TrustFile`]), and run the
//!   whole registration step — verify, merge the claims over the request with RFC 7591
//!   precedence, validate — with [`registrar::Registrar`].
//!
//! ```
//! use serde_json::json;
//! use software_statement::{Algorithm, Jwk, JwkSet};
//! use software_statement::registrar::Registrar;
//! use software_statement::statement::{IssuerPolicy, StatementBuilder, Verifier};
//!
//! // Publisher
//! let key = Jwk::generate(Algorithm::EdDSA)?;
//! let statement = StatementBuilder::new("https://publisher.example.com")
//!     .claim("software_id", "4NRB1-0XZABZI9E6-5SM3R")
//!     .claim("client_name", "Example Statement-based Client")
//!     .claim("redirect_uris", ["https://client.example.net/callback"])
//!     .ttl(86_400)
//!     .sign(&key)?;
//!
//! // Authorization server
//! let trusted = JwkSet::new(vec![key.to_public()?])?;
//! let registrar = Registrar::new(
//!     Verifier::builder()
//!         .issuer("https://publisher.example.com", IssuerPolicy::with_jwks(trusted).require_claim("software_id"))
//!         .build(),
//! );
//! let request = json!({"client_name": "Unattested", "software_statement": statement});
//! let registration = registrar.register(request.as_object().unwrap())?;
//! assert_eq!(registration.metadata.client_name(), Some("Example Statement-based Client"));
//! assert_eq!(registration.overridden, ["client_name"]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Crypto backends: `aws-lc-rs` (default) or `ring` (feature). Feature `remote` adds
//! `jwks_uri` fetching ([`remote`]).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod b64;
mod claims;
pub mod client_keys;
pub mod clock;
pub mod crypto;
mod der_keys;
pub mod error;
pub mod json;
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

/// The README's examples, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
