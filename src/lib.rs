//! # software-statement
//!
//! Issue, verify and apply OAuth 2.0 software statements (RFC 7591 §2.3): signed JWTs in
//! which a software publisher asserts client metadata.
//!
//! - **Publishers** generate keys ([`Jwk::generate`]), publish a JWK Set
//!   ([`JwkSet::to_public_value`]) and sign statements ([`StatementBuilder`]).
//! - **Authorization servers** verify statements under a per-issuer trust policy
//!   ([`Verifier`], usually loaded from a [`TrustFile`]), and run the whole registration
//!   step — verify, merge the claims over the request with RFC 7591 precedence, validate —
//!   with [`Registrar`].
//!
//! ```
//! use serde_json::json;
//! use software_statement::{Algorithm, IssuerPolicy, Jwk, JwkSet, Registrar, StatementBuilder, Verifier};
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
//! `jwks_uri` fetching (`RemoteJwks`) and the async entry points; feature `redis` adds
//! `RedisReplayGuard`, replay protection shared by a fleet of servers.
//!
//! Every public item is re-exported here, at the crate root, and has this one path; the
//! modules are private. Reading a token without verifying it is kept apart, in
//! [`dangerous`]. The layers and the path of a registration request through the code are
//! described in the repository's `ARCHITECTURE.md`.
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod b64;
mod claims;
mod clock;
mod crypto;
pub mod dangerous;
mod error;
#[cfg(any(test, fuzzing))]
#[doc(hidden)]
pub mod fuzz_targets;
mod json;
mod jwa;
mod jwk;
mod jws;
mod key_source;
mod metadata;
mod net;
mod registration;
#[cfg(feature = "remote")]
mod remote;
mod replay;
mod statement;
mod trust;

pub use crate::claims::{JWT_CLAIMS, MAX_NUMERIC_DATE};
pub use crate::clock::{Clock, FixedClock, SystemClock};
pub use crate::crypto::{backend_supports, BACKEND};
#[cfg(feature = "remote")]
pub use crate::error::RemoteError;
pub use crate::error::{
    safe_error_description, ConfigError, Error, ErrorCode, JsonError, JwsError, KeyError, RegistrationError, SignError,
    StatementError, TrustFileError, MAX_DESCRIPTION,
};
pub use crate::json::{parse_object as parse_json_object, MAX_DEPTH as MAX_JSON_DEPTH};
pub use crate::jwa::{Algorithm, AlgorithmSet, Curve, KeyFamily, MlDsa, UnknownAlgorithm};
pub use crate::jwk::{Jwk, JwkSet, KeyType, SkippedKey, MAX_KID_LEN, MIN_HMAC_LEN, RSA_BITS};
pub use crate::jws::{sign as sign_jws, verify as verify_jws, Header, Limits, UnverifiedJws, Verified as VerifiedJws};
pub use crate::key_source::KeySource;
pub use crate::metadata::{
    split_member_name, ClientMetadata, UnknownMembers, ValidationOptions, DEFAULT_MAX_CLIENT_KEYS,
    DEFAULT_REDIRECT_URI_SCHEMES, IANA_CLIENT_METADATA, IANA_CLIENT_METADATA_DATE, IANA_TOKEN_ENDPOINT_AUTH_METHODS,
    SERVER_ISSUED_MEMBERS,
};
pub use crate::net::{is_globally_routable, AddressScope};
pub use crate::registration::{
    merge, merge_owned, ClientKeys, Merged, Registrar, Registration, RegistrationRequestBuilder, RequestInfo,
    SignedRequestPolicy, SignedRequests, StatementInfo, Update, DEFAULT_MAX_REQUEST_AGE, DEFAULT_MAX_REQUEST_BYTES,
};
#[cfg(feature = "remote")]
pub use crate::remote::{RemoteJwks, RemoteOptions};
#[cfg(feature = "redis")]
pub use crate::replay::RedisReplayGuard;
pub use crate::replay::{GuardFuture, MemoryReplayGuard, ReplayError, ReplayGuard, Seen};
pub use crate::statement::{
    ClientKeyMode, Constraint, IssuerPolicy, Profile, ProfileRule, RedirectUriMode, StatementBuilder,
    VerifiedStatement, Verifier, VerifierBuilder, MAX_LEEWAY,
};
pub use crate::trust::{LoadOptions, TrustFile};

/// The README's examples, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
