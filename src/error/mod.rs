//! Every error type of the crate, in one place.
//!
//! Each layer has a `#[non_exhaustive]` category enum that says which rule failed:
//! [`KeyError`] (key import), [`JwsError`] (compact JWS), [`JsonError`] (strict JSON),
//! [`SignError`] (the publisher side), [`StatementError`] (statement verification),
//! [`RegistrationError`] (an RFC 7591 error response, with its [`ErrorCode`]),
//! [`TrustFileError`] and [`ConfigError`] (configuration), [`ReplayError`] (a replay guard
//! that cannot answer) and `RemoteError` (the `jwks_uri` fetcher, feature
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
pub use config::{ConfigError, ReplayError, TrustFileError};
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
    /// `temporarily_unavailable` (RFC 6749 §4.1.2.1): the server cannot decide now (the
    /// replay guard cannot answer); sent with HTTP 503, never an acceptance.
    TemporarilyUnavailable,
}

impl ErrorCode {
    /// The RFC 7591 string, e.g. `"invalid_client_metadata"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::InvalidRedirectUri => "invalid_redirect_uri",
            Self::InvalidClientMetadata => "invalid_client_metadata",
            Self::InvalidSoftwareStatement => "invalid_software_statement",
            Self::UnapprovedSoftwareStatement => "unapproved_software_statement",
            Self::TemporarilyUnavailable => "temporarily_unavailable",
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
    /// A replay guard could not answer.
    #[error(transparent)]
    Replay(#[from] ReplayError),
    /// A `jwks_uri` could not be fetched.
    #[cfg(feature = "remote")]
    #[error(transparent)]
    Remote(#[from] RemoteError),
}

/// Longest piece of attacker-chosen text (a member name, a claim value, an issuer)
/// quoted in an error description; longer text is cut.
pub(crate) const MAX_QUOTED: usize = 64;

/// Longest error description, in bytes (security rule 9).
pub const MAX_DESCRIPTION: usize = 256;

/// Whether RFC 6749 §5.2 allows `c` in an `error_description`: `%x20-21 / %x23-5B /
/// %x5D-7E`, printable ASCII without `"` and `\`.
fn description_char(c: char) -> bool {
    matches!(c, ' '..='~') && c != '"' && c != '\\'
}

/// Text made fit for an `error_description` (security rule 9): `"` becomes `'`, `\`
/// becomes `/`, any other character outside RFC 6749 §5.2's set becomes `?`, and the
/// result is cut to [`MAX_DESCRIPTION`] bytes. Every [`RegistrationError`] description
/// goes through it; use it for other error responses (the CLI's `invalid_jws`).
///
/// ```
/// use software_statement::safe_error_description;
/// assert_eq!(safe_error_description("typ \"JWT\" \u{2026} bad\n"), "typ 'JWT' ? bad?");
/// assert_eq!(safe_error_description(&"x".repeat(300)).len(), 256);
/// ```
pub fn safe_error_description(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '"' => '\'',
            '\\' => '/',
            c if description_char(c) => c,
            _ => '?',
        })
        .take(MAX_DESCRIPTION)
        .collect()
}

/// Attacker-chosen text quoted in an error description, written once for every
/// description: cut to [`MAX_QUOTED`] bytes (on a character boundary, marked with
/// `...`), every character outside RFC 6749 §5.2's set (and `'`, the quote used around
/// it) replaced by `?`.
pub(crate) struct Quoted<'a>(pub(crate) &'a str);

impl std::fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use std::fmt::Write;
        let text = self.0;
        let mut end = text.len().min(MAX_QUOTED);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        for c in text[..end].chars() {
            f.write_char(if description_char(c) && c != '\'' { c } else { '?' })?;
        }
        if end < text.len() {
            f.write_str("...")?;
        }
        Ok(())
    }
}
