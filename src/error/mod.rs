//! Every error type of the crate, in one place.
//!
//! Each layer has a `#[non_exhaustive]` category enum that says which rule failed:
//! [`KeyError`] (key import), [`JwsError`] (compact JWS), [`JsonError`] (strict JSON),
//! [`SignError`] (the publisher side), [`StatementError`] (statement verification),
//! [`RegistrationError`] (an RFC 7591 error response, with its [`ErrorCode`]),
//! [`TrustFileError`] (configuration) and `RemoteError` (the `jwks_uri` fetcher, feature
//! `remote`). [`Error`] gathers them for callers that want one type.
//!
//! No error carries key material: messages name members, algorithms, `kid`s and sizes,
//! never key bytes. Statement and registration descriptions are safe to show to a
//! registrant; attacker-chosen text in them goes through one quoting helper.

mod config;
mod jose;
mod registration;
#[cfg(test)]
mod tests;

#[cfg(feature = "remote")]
pub use config::RemoteError;
pub use config::{ConfigError, TrustFileError};
pub use jose::{JsonError, JwsError, KeyError, SignError};
pub use registration::{RegistrationError, StatementError};

/// The RFC 7591 §3.2.2 error codes this library answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// `invalid_redirect_uri`: one or more redirection URIs are invalid (or
    /// missing where a redirect-based grant needs them).
    InvalidRedirectUri,
    /// `invalid_client_metadata`: a metadata field is invalid or the fields are
    /// inconsistent.
    InvalidClientMetadata,
    /// `invalid_software_statement`: the statement is malformed, fails
    /// verification or a claims check, or is missing where one is required.
    InvalidSoftwareStatement,
    /// `unapproved_software_statement`: the statement's issuer is not trusted.
    UnapprovedSoftwareStatement,
}

impl ErrorCode {
    /// The RFC 7591 string, e.g. `"invalid_client_metadata"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::InvalidRedirectUri => "invalid_redirect_uri",
            Self::InvalidClientMetadata => "invalid_client_metadata",
            Self::InvalidSoftwareStatement => "invalid_software_statement",
            Self::UnapprovedSoftwareStatement => "unapproved_software_statement",
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Any error of this crate.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A key or key set was refused.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// A JWS was refused.
    #[error(transparent)]
    Jws(#[from] JwsError),
    /// A JSON text was refused.
    #[error(transparent)]
    Json(#[from] JsonError),
    /// A statement could not be signed.
    #[error(transparent)]
    Sign(#[from] SignError),
    /// A statement was refused.
    #[error(transparent)]
    Statement(#[from] StatementError),
    /// A registration was refused.
    #[error(transparent)]
    Registration(#[from] RegistrationError),
    /// A configuration was refused.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A trust file could not be used.
    #[error(transparent)]
    TrustFile(#[from] TrustFileError),
    /// A `jwks_uri` could not be fetched.
    #[cfg(feature = "remote")]
    #[error(transparent)]
    Remote(#[from] RemoteError),
}

/// Longest piece of attacker-chosen text (a member name, a claim value, an issuer)
/// echoed in an error description; longer text is cut.
pub(crate) const MAX_QUOTED: usize = 64;

/// Attacker-chosen text echoed in an error description: cut to [`MAX_QUOTED`] bytes (on
/// a character boundary, marked with `…`), control characters escaped. The one helper
/// every description uses for text it did not write itself.
pub(crate) struct Quoted<'a>(pub(crate) &'a str);

impl std::fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let text = self.0;
        let mut end = text.len().min(MAX_QUOTED);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        for c in text[..end].chars() {
            if c.is_control() {
                write!(f, "{}", c.escape_default())?;
            } else {
                f.write_fmt(format_args!("{c}"))?;
            }
        }
        if end < text.len() {
            f.write_str("…")?;
        }
        Ok(())
    }
}
