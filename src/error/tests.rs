//! Unit tests of the error types.

use super::*;
use serde_json::json;

#[test]
fn error_codes_are_the_rfc_strings() {
    assert_eq!(ErrorCode::InvalidRedirectUri.as_str(), "invalid_redirect_uri");
    assert_eq!(ErrorCode::InvalidClientMetadata.as_str(), "invalid_client_metadata");
    assert_eq!(
        ErrorCode::InvalidSoftwareStatement.as_str(),
        "invalid_software_statement"
    );
    assert_eq!(
        ErrorCode::UnapprovedSoftwareStatement.as_str(),
        "unapproved_software_statement"
    );
    assert_eq!(ErrorCode::InvalidClientMetadata.to_string(), "invalid_client_metadata");
}

#[test]
fn registration_error_accessors_and_body() {
    let error = RegistrationError::new(ErrorCode::InvalidSoftwareStatement, "the statement has expired");
    assert_eq!(error.code(), ErrorCode::InvalidSoftwareStatement);
    assert_eq!(error.description(), "the statement has expired");
    assert_eq!(error.to_string(), "the statement has expired");
    assert_eq!(error.http_status(), 400);
    assert_eq!(
        error.to_json().to_string(),
        r#"{"error":"invalid_software_statement","error_description":"the statement has expired"}"#
    );
    assert_eq!(
        error.to_json(),
        json!({"error": "invalid_software_statement", "error_description": "the statement has expired"})
    );
    let as_std: &dyn std::error::Error = &error;
    assert!(as_std.source().is_none());
}

#[test]
fn shorthand_constructors() {
    let cases = [
        (
            RegistrationError::invalid_redirect_uri("d"),
            ErrorCode::InvalidRedirectUri,
        ),
        (
            RegistrationError::invalid_client_metadata("d"),
            ErrorCode::InvalidClientMetadata,
        ),
        (
            RegistrationError::invalid_software_statement("d"),
            ErrorCode::InvalidSoftwareStatement,
        ),
        (
            RegistrationError::unapproved_software_statement("d"),
            ErrorCode::UnapprovedSoftwareStatement,
        ),
    ];
    for (error, code) in cases {
        assert_eq!(error, RegistrationError::new(code, String::from("d")));
        assert_eq!(error.http_status(), 400);
        assert_eq!(error.to_json()["error"], code.as_str());
    }
}

#[test]
fn sign_errors_are_the_publisher_side_s_own() {
    let key = crate::Jwk::generate(crate::Algorithm::ES256).unwrap();
    assert_eq!(crate::StatementBuilder::new("").sign(&key), Err(SignError::EmptyIssuer));
    // An HMAC secret without `alg` may sign HS256, HS384 or HS512: one must be chosen.
    let secret = crate::Jwk::from_value(&{
        let mut m = crate::Jwk::generate(crate::Algorithm::HS512).unwrap().members().clone();
        m.remove("alg");
        serde_json::Value::Object(m)
    })
    .unwrap();
    assert_eq!(
        crate::StatementBuilder::new("i").sign(&secret),
        Err(SignError::AlgorithmNeeded)
    );
}

#[test]
fn statement_error_codes_are_typed() {
    assert_eq!(
        StatementError::UntrustedIssuer("x".into()).code(),
        ErrorCode::UnapprovedSoftwareStatement
    );
    assert_eq!(StatementError::Expired.code(), ErrorCode::InvalidSoftwareStatement);
    let e: RegistrationError = StatementError::UntrustedIssuer("x".into()).into();
    assert_eq!(e.code(), ErrorCode::UnapprovedSoftwareStatement);
}
