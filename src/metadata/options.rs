//! The authorization server's policy for [`ClientMetadata::validate`](crate::ClientMetadata::validate)(super::ClientMetadata::validate).

use std::borrow::Cow;

/// The values of the IANA "OAuth Token Endpoint Authentication Methods" registry
/// that [`ValidationOptions::default`] accepts for `token_endpoint_auth_method`.
pub const IANA_TOKEN_ENDPOINT_AUTH_METHODS: [&str; 7] = [
    "none",
    "client_secret_post",
    "client_secret_basic",
    "client_secret_jwt",
    "private_key_jwt",
    "tls_client_auth",
    "self_signed_tls_client_auth",
];

/// What [`ClientMetadata::validate`](crate::ClientMetadata::validate) accepts beyond RFC 7591 itself: the
/// authorization server's policy. Built with chained calls from
/// [`ValidationOptions::default`].
///
/// ```
/// use software_statement::ValidationOptions;
///
/// let options = ValidationOptions::default()
///     .token_endpoint_auth_methods(["private_key_jwt", "tls_client_auth"])
///     .grant_types(["authorization_code", "refresh_token", "client_credentials"])
///     .redirect_uri_schemes(["https"]);
/// assert!(options.allows_token_endpoint_auth_method("private_key_jwt"));
/// assert!(!options.allows_grant_type("implicit"));
/// assert!(options.allows_redirect_uri_scheme("HTTPS"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationOptions {
    auth_methods: Vec<Cow<'static, str>>,
    grant_types: Option<Vec<Cow<'static, str>>>,
    redirect_uri_schemes: Option<Vec<Cow<'static, str>>>,
    allow_http_loopback: bool,
}

impl Default for ValidationOptions {
    /// The IANA token endpoint authentication methods
    /// ([`IANA_TOKEN_ENDPOINT_AUTH_METHODS`]), any grant type, any redirect URI
    /// scheme, `jwks_uri` over https only.
    fn default() -> Self {
        Self {
            auth_methods: IANA_TOKEN_ENDPOINT_AUTH_METHODS
                .iter()
                .map(|m| Cow::Borrowed(*m))
                .collect(),
            grant_types: None,
            redirect_uri_schemes: None,
            allow_http_loopback: false,
        }
    }
}

fn owned_list<I, S>(values: I) -> Vec<Cow<'static, str>>
where
    I: IntoIterator<Item = S>,
    S: Into<Cow<'static, str>>,
{
    values.into_iter().map(Into::into).collect()
}

impl ValidationOptions {
    /// The defaults; same as [`ValidationOptions::default`].
    pub fn new() -> Self {
        Self::default()
    }

    /// Replaces the accepted `token_endpoint_auth_method` values (compared
    /// exactly). An omitted member counts as `client_secret_basic`.
    pub fn token_endpoint_auth_methods<I, S>(mut self, methods: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<Cow<'static, str>>,
    {
        self.auth_methods = owned_list(methods);
        self
    }

    /// Accepts only these grant types (compared exactly). An omitted `grant_types`
    /// counts as `["authorization_code"]`.
    pub fn grant_types<I, S>(mut self, grant_types: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<Cow<'static, str>>,
    {
        self.grant_types = Some(owned_list(grant_types));
        self
    }

    /// Accepts any grant type (the default).
    pub fn any_grant_type(mut self) -> Self {
        self.grant_types = None;
        self
    }

    /// Accepts only redirect URIs with these schemes (compared case-insensitively,
    /// without the `:`).
    pub fn redirect_uri_schemes<I, S>(mut self, schemes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<Cow<'static, str>>,
    {
        self.redirect_uri_schemes = Some(owned_list(schemes));
        self
    }

    /// Accepts any absolute redirect URI without fragment (the default).
    pub fn any_redirect_uri_scheme(mut self) -> Self {
        self.redirect_uri_schemes = None;
        self
    }

    /// Also accepts a `jwks_uri` of `http://` to a loopback address (127.0.0.0/8 or
    /// `[::1]`, not host names), as security rule 8, README allows for fetching. Off by default.
    pub fn allow_http_loopback(mut self, allow: bool) -> Self {
        self.allow_http_loopback = allow;
        self
    }

    /// Whether `token_endpoint_auth_method` may be `method`.
    pub fn allows_token_endpoint_auth_method(&self, method: &str) -> bool {
        self.auth_methods.iter().any(|m| m == method)
    }

    /// Whether `grant_types` may contain `grant_type`.
    pub fn allows_grant_type(&self, grant_type: &str) -> bool {
        self.grant_types
            .as_ref()
            .is_none_or(|allowed| allowed.iter().any(|g| g == grant_type))
    }

    /// Whether a redirect URI may use `scheme` (without the `:`).
    pub fn allows_redirect_uri_scheme(&self, scheme: &str) -> bool {
        self.redirect_uri_schemes
            .as_ref()
            .is_none_or(|allowed| allowed.iter().any(|s| s.eq_ignore_ascii_case(scheme)))
    }

    /// The accepted `token_endpoint_auth_method` values.
    pub fn allowed_token_endpoint_auth_methods(&self) -> impl Iterator<Item = &str> {
        self.auth_methods.iter().map(|m| m.as_ref())
    }

    /// The accepted grant types, or `None` when any is accepted.
    pub fn allowed_grant_types(&self) -> Option<impl Iterator<Item = &str>> {
        self.grant_types
            .as_ref()
            .map(|allowed| allowed.iter().map(|g| g.as_ref()))
    }

    /// The accepted redirect URI schemes, or `None` when any is accepted.
    pub fn allowed_redirect_uri_schemes(&self) -> Option<impl Iterator<Item = &str>> {
        self.redirect_uri_schemes
            .as_ref()
            .map(|allowed| allowed.iter().map(|s| s.as_ref()))
    }

    /// Whether `http://` to a loopback address is accepted for `jwks_uri`.
    pub fn allows_http_loopback(&self) -> bool {
        self.allow_http_loopback
    }
}
