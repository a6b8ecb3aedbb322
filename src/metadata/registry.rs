//! The IANA "OAuth Dynamic Client Registration Metadata" registry (merge rule 11) and the
//! members only a server issues (merge rule 10).

/// The date of the registry's content below: the IANA OAuth Parameters page as last
/// updated on this day.
pub const IANA_CLIENT_METADATA_DATE: &str = "2025-08-04";

/// The client metadata names registered in IANA's "OAuth Dynamic Client Registration
/// Metadata" registry (RFC 7591 §4.1), sorted (binary search). From RFC 7591, RFC 7592,
/// OpenID Connect Dynamic Client Registration 1.0, OpenID Connect Front-Channel,
/// Back-Channel and RP-Initiated Logout, CIBA, UMA 2.0, RFC 8705, RFC 9101, RFC 9126,
/// RFC 9396, RFC 9449, RFC 9701, JARM, ETSI NFV and OpenID Federation.
pub const IANA_CLIENT_METADATA: [&str; 72] = [
    "application_type",
    "authorization_details_types",
    "authorization_encrypted_response_alg",
    "authorization_encrypted_response_enc",
    "authorization_signed_response_alg",
    "backchannel_authentication_request_signing_alg",
    "backchannel_client_notification_endpoint",
    "backchannel_logout_session_required",
    "backchannel_logout_uri",
    "backchannel_token_delivery_mode",
    "backchannel_user_code_parameter",
    "claims_redirect_uris",
    "client_id",
    "client_id_issued_at",
    "client_name",
    "client_registration_types",
    "client_secret",
    "client_secret_expires_at",
    "client_uri",
    "contacts",
    "default_acr_values",
    "default_max_age",
    "dpop_bound_access_tokens",
    "frontchannel_logout_session_required",
    "frontchannel_logout_uri",
    "grant_types",
    "id_token_encrypted_response_alg",
    "id_token_encrypted_response_enc",
    "id_token_signed_response_alg",
    "initiate_login_uri",
    "introspection_encrypted_response_alg",
    "introspection_encrypted_response_enc",
    "introspection_signed_response_alg",
    "jwks",
    "jwks_uri",
    "logo_uri",
    "nfv_token_encrypted_response_alg",
    "nfv_token_encrypted_response_enc",
    "nfv_token_signed_response_alg",
    "organization_name",
    "policy_uri",
    "post_logout_redirect_uris",
    "redirect_uris",
    "registration_access_token",
    "registration_client_uri",
    "request_object_encryption_alg",
    "request_object_encryption_enc",
    "request_object_signing_alg",
    "request_uris",
    "require_auth_time",
    "require_pushed_authorization_requests",
    "require_signed_request_object",
    "response_types",
    "scope",
    "sector_identifier_uri",
    "signed_jwks_uri",
    "software_id",
    "software_statement",
    "software_version",
    "subject_type",
    "tls_client_auth_san_dns",
    "tls_client_auth_san_email",
    "tls_client_auth_san_ip",
    "tls_client_auth_san_uri",
    "tls_client_auth_subject_dn",
    "tls_client_certificate_bound_access_tokens",
    "token_endpoint_auth_method",
    "token_endpoint_auth_signing_alg",
    "tos_uri",
    "userinfo_encrypted_response_alg",
    "userinfo_encrypted_response_enc",
    "userinfo_signed_response_alg",
];

/// Members only the server issues (RFC 7591 §3.2.1, RFC 7592): never taken from a
/// registrant (merge rule 10).
pub const SERVER_ISSUED_MEMBERS: [&str; 6] = [
    "client_id",
    "client_secret",
    "client_id_issued_at",
    "client_secret_expires_at",
    "registration_access_token",
    "registration_client_uri",
];

#[cfg(test)]
mod tests {
    #[test]
    fn the_registry_table_is_sorted_and_unique() {
        assert!(super::IANA_CLIENT_METADATA.windows(2).all(|w| w[0] < w[1]));
    }
}
