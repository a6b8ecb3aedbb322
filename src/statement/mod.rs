//! Software statements (RFC 7591 §2.3): issuing them ([`StatementBuilder`]) and verifying
//! them under a per-issuer trust policy ([`IssuerPolicy`], [`Verifier`]).

mod builder;
mod policy;
pub(crate) mod profile;
mod verifier;

pub use self::builder::StatementBuilder;
pub use self::policy::IssuerPolicy;
pub use self::profile::{ClientKeyMode, Constraint, Profile, ProfileRule, RedirectUriMode};
pub use self::verifier::{VerifiedStatement, Verifier, VerifierBuilder, MAX_LEEWAY};
