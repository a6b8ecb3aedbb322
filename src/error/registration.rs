//! Errors of the registration layer: statements and registrations, with their RFC 7591
//! error codes.

use serde_json::{Map, Value};

use super::{safe_error_description, ErrorCode, JwsError, Quoted};

/// Why a statement was refused. [`code`](Self::code) gives the RFC 7591 error code; the
/// `Display` text is a description safe to return to the registrant.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StatementError {
    /// The issuer is not in the trust policy.
    #[error("the software statement's issuer \"{}\" is not trusted by this server", Quoted(.0))]
    UntrustedIssuer(String),
    /// The JWS layer refused the token (syntax, algorithm, key, signature).
    #[error("software statement: {0}")]
    Jws(#[from] JwsError),
    /// The claims are not a JSON object.
    #[error("software statement: {0}")]
    Claims(JwsError),
    /// The verified claims do not fit the caller's type
    /// ([`VerifiedStatement::claims_as`](crate::VerifiedStatement::claims_as)).
    #[error("the software statement's claims do not have the expected form: {0}")]
    ClaimsType(String),
    /// `iss` is missing (RFC 7591 §2.3 requires it; see RFC errata 7969).
    #[error("the software statement has no \"iss\" claim")]
    MissingIssuer,
    /// `iss` is not a string.
    #[error("the software statement's \"iss\" claim is not a string")]
    InvalidIssuer,
    /// `exp`, `nbf` or `iat` is not a JSON number in range.
    #[error("the software statement's \"{0}\" claim is not a valid NumericDate")]
    InvalidNumericDate(&'static str),
    /// `exp` has passed.
    #[error("the software statement has expired")]
    Expired,
    /// `nbf` is in the future.
    #[error("the software statement is not valid yet (\"nbf\" is in the future)")]
    NotYetValid,
    /// `iat` is in the future.
    #[error("the software statement was issued in the future (\"iat\")")]
    IssuedInFuture,
    /// `iat` is older than the issuer's `max_age`.
    #[error("the software statement is older than this server accepts (\"iat\" too old)")]
    TooOld,
    /// A required claim is absent.
    #[error("the software statement lacks the required claim '{}'", Quoted(.0))]
    MissingClaim(String),
    /// `aud` is not a string or an array of strings.
    #[error("the software statement's \"aud\" claim is malformed")]
    InvalidAudience,
    /// `aud` does not name this server.
    #[error("the software statement is not intended for this server (\"aud\")")]
    WrongAudience,
    /// The header's `typ` is absent or not the one the issuer's policy requires.
    #[error(
        "the software statement's \"typ\" header is {}, expected '{}'",
        found.as_deref().map_or_else(|| "missing".to_owned(), |t| format!("'{}'", Quoted(t))),
        Quoted(expected)
    )]
    WrongType {
        /// The header's `typ`.
        found: Option<String>,
        /// The policy's `typ`.
        expected: String,
    },
    /// A statement claim violates one of the issuer's constraints
    /// (`unapproved_software_statement`: the statement is authentic but not acceptable).
    #[error(
        "the software statement's '{}' claim does not meet this server's '{operator}' constraint",
        Quoted(claim)
    )]
    ConstraintViolated {
        /// The claim.
        claim: String,
        /// The operator it fails.
        operator: &'static str,
    },
    /// The statement carries both a mapped claim and its target member, with different
    /// values.
    #[error(
        "the software statement asserts both '{}' and '{}' with different values",
        Quoted(claim),
        Quoted(target)
    )]
    ClaimMapConflict {
        /// The mapped claim.
        claim: String,
        /// The member it maps onto.
        target: String,
    },
    /// The issuer's keys could not be obtained (fetch failed, or not loaded yet on the
    /// synchronous path). The description shown to registrants names the issuer only;
    /// `reason` (network details) is for the operator's logs.
    #[error("the keys of issuer '{}' are unavailable right now", Quoted(issuer))]
    KeysUnavailable {
        /// The issuer.
        issuer: String,
        /// Why, for the operator (host names, connection errors).
        reason: String,
    },
}

impl StatementError {
    /// The RFC 7591 §3.2.2 error code: `unapproved_software_statement` for an untrusted
    /// issuer, `invalid_software_statement` otherwise.
    pub fn code(&self) -> ErrorCode {
        match self {
            StatementError::UntrustedIssuer(_) | StatementError::ConstraintViolated { .. } => {
                ErrorCode::UnapprovedSoftwareStatement
            }
            _ => ErrorCode::InvalidSoftwareStatement,
        }
    }
}

/// A registration refused, as RFC 7591 §3.2.2 reports it: an error code and a
/// human-readable description.
///
/// The description is meant for the registrant: it never carries key material or
/// file paths. `Display` shows the description alone.
///
/// ```
/// use software_statement::{ErrorCode, RegistrationError};
///
/// let error = RegistrationError::new(ErrorCode::InvalidRedirectUri, "redirect_uris[0] must not contain a fragment");
/// assert_eq!(error.http_status(), 400);
/// assert_eq!(
///     error.to_json().to_string(),
///     r#"{"error":"invalid_redirect_uri","error_description":"redirect_uris[0] must not contain a fragment"}"#
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{description}")]
pub struct RegistrationError {
    code: ErrorCode,
    description: String,
    status: u16,
}

impl RegistrationError {
    /// An error with this code and description (shown to the registrant: keep key
    /// material and file paths out of it).
    ///
    /// The description is made safe here, once for every error (security rule 9): only
    /// the characters RFC 6749 §5.2 allows (printable ASCII without `"` and `\`; a `"`
    /// becomes `'`, anything else `?`), at most 256 bytes.
    pub fn new(code: ErrorCode, description: impl Into<String>) -> Self {
        Self {
            code,
            description: safe_error_description(&description.into()),
            status: 400,
        }
    }

    /// The replay guard could not answer (HTTP 503, `temporarily_unavailable`): the
    /// registration is refused, never accepted (fail closed).
    pub fn unavailable(description: impl Into<String>) -> Self {
        Self {
            status: 503,
            ..Self::new(ErrorCode::TemporarilyUnavailable, description)
        }
    }

    /// A body whose media type the registration endpoint does not take (HTTP 415):
    /// `invalid_client_metadata`, naming the accepted types.
    pub fn unsupported_media_type(content_type: &str) -> Self {
        Self {
            status: 415,
            ..Self::invalid_client_metadata(format!(
                "the request's media type '{}' is not application/json, application/jwt or application/jose",
                Quoted(content_type)
            ))
        }
    }

    /// An `invalid_redirect_uri` error.
    pub fn invalid_redirect_uri(description: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidRedirectUri, description)
    }

    /// An `invalid_client_metadata` error.
    pub fn invalid_client_metadata(description: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidClientMetadata, description)
    }

    /// An `invalid_software_statement` error.
    pub fn invalid_software_statement(description: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidSoftwareStatement, description)
    }

    /// An `unapproved_software_statement` error.
    pub fn unapproved_software_statement(description: impl Into<String>) -> Self {
        Self::new(ErrorCode::UnapprovedSoftwareStatement, description)
    }

    /// The error code.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// The human-readable description.
    pub fn description(&self) -> &str {
        &self.description
    }

    /// The HTTP status of the error response: 400 (RFC 7591 §3.2.2), 415 for a body of a
    /// media type the endpoint does not take, 503 when the replay guard cannot answer.
    pub fn http_status(&self) -> u16 {
        self.status
    }

    /// The response body: exactly `{"error": ..., "error_description": ...}`, in
    /// that order.
    pub fn to_json(&self) -> Value {
        let mut body = Map::with_capacity(2);
        body.insert("error".to_owned(), Value::from(self.code.as_str()));
        body.insert("error_description".to_owned(), Value::from(self.description.as_str()));
        Value::Object(body)
    }
}

impl From<StatementError> for RegistrationError {
    fn from(e: StatementError) -> Self {
        RegistrationError::new(e.code(), e.to_string())
    }
}
