//! The authorization server's policy for [`ClientMetadata::validate`](crate::ClientMetadata::validate)
//! and for the request members a [`Registrar`](crate::Registrar) accepts.

use std::borrow::Cow;

use super::names::split_member_name;
use super::registry::IANA_CLIENT_METADATA;
use super::uri::{check_uri, is_loopback_redirect, FORBIDDEN_REDIRECT_SCHEMES};

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
/// assert!(options.allows_redirect_uri("HTTPS://app.example/cb"));
/// assert!(!options.allows_redirect_uri("http://127.0.0.1/cb"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationOptions {
    auth_methods: Vec<Cow<'static, str>>,
    grant_types: Option<Vec<Cow<'static, str>>>,
    redirect_uri_schemes: Option<Vec<Cow<'static, str>>>,
    allow_http_loopback: bool,
    unknown_members: UnknownMembers,
    extensions: Vec<Cow<'static, str>>,
    max_client_keys: usize,
}

/// The default redirect URI policy: `https`, `http` to a loopback host, and private-use
/// schemes (merge rule 12).
pub const DEFAULT_REDIRECT_URI_SCHEMES: [&str; 3] = ["https", "loopback", "private-use"];

/// The default most keys a client may register in `jwks` (merge rule 14).
pub const DEFAULT_MAX_CLIENT_KEYS: usize = 16;

/// What a registration does with a request member that is neither in IANA's OAuth
/// Dynamic Client Registration Metadata registry nor declared by the server (merge rule
/// 11). A statement's claims are attested and always kept.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum UnknownMembers {
    /// Kept as sent (the default).
    #[default]
    Keep,
    /// Left out of the metadata and listed in the registration's `ignored`.
    Drop,
    /// The request is refused (`invalid_client_metadata`, naming the member).
    Reject,
}

impl Default for ValidationOptions {
    /// The IANA token endpoint authentication methods
    /// ([`IANA_TOKEN_ENDPOINT_AUTH_METHODS`]), any grant type, the redirect URI policy
    /// [`DEFAULT_REDIRECT_URI_SCHEMES`], `jwks_uri` over https only, unknown members
    /// kept, at most [`DEFAULT_MAX_CLIENT_KEYS`] client keys.
    fn default() -> Self {
        Self {
            auth_methods: IANA_TOKEN_ENDPOINT_AUTH_METHODS
                .iter()
                .map(|m| Cow::Borrowed(*m))
                .collect(),
            grant_types: None,
            redirect_uri_schemes: Some(owned_list(DEFAULT_REDIRECT_URI_SCHEMES)),
            allow_http_loopback: false,
            unknown_members: UnknownMembers::Keep,
            extensions: Vec::new(),
            max_client_keys: DEFAULT_MAX_CLIENT_KEYS,
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

    /// The redirect URI policy (merge rule 12): each entry is `https`, `loopback` (`http`
    /// to `127.0.0.0/8`, `[::1]` or `localhost`), `private-use` (a scheme containing a `.`,
    /// RFC 8252 §7.1), or any other scheme, allowed as named (compared
    /// case-insensitively, without the `:`). `javascript`, `data`, `vbscript`, `file`,
    /// `blob`, `about` and `filesystem` are never allowed.
    pub fn redirect_uri_schemes<I, S>(mut self, schemes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<Cow<'static, str>>,
    {
        self.redirect_uri_schemes = Some(owned_list(schemes));
        self
    }

    /// Accepts any absolute redirect URI without fragment, except the schemes that are
    /// never allowed.
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

    /// What to do with request members that are not registered or declared.
    pub fn unknown_members(mut self, policy: UnknownMembers) -> Self {
        self.unknown_members = policy;
        self
    }

    /// Member names the server declares as known besides IANA's registry (the trust
    /// file's `registration.extensions`).
    pub fn extensions<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<Cow<'static, str>>,
    {
        self.extensions = owned_list(names);
        self
    }

    /// The most keys a client may register in `jwks` (default 16), checked before any
    /// key is parsed.
    pub fn max_client_keys(mut self, keys: usize) -> Self {
        self.max_client_keys = keys;
        self
    }

    /// The policy for unknown request members.
    pub fn unknown_member_policy(&self) -> UnknownMembers {
        self.unknown_members
    }

    /// Whether `name` (its base name, without a language tag) is registered in IANA's
    /// OAuth Dynamic Client Registration Metadata registry or declared as an extension.
    pub fn is_known_member(&self, name: &str) -> bool {
        let (base, _) = split_member_name(name);
        IANA_CLIENT_METADATA.binary_search(&base).is_ok() || self.extensions.iter().any(|e| e == base)
    }

    /// The most keys a client may register.
    pub fn allowed_client_keys(&self) -> usize {
        self.max_client_keys
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

    /// Whether `uri` is an absolute URI without fragment that the redirect URI policy
    /// allows.
    pub fn allows_redirect_uri(&self, uri: &str) -> bool {
        let Ok(scheme) = check_uri(uri) else { return false };
        if FORBIDDEN_REDIRECT_SCHEMES
            .iter()
            .any(|f| f.eq_ignore_ascii_case(scheme))
        {
            return false;
        }
        let Some(allowed) = &self.redirect_uri_schemes else {
            return true;
        };
        allowed.iter().any(|entry| match entry.as_ref() {
            "loopback" => is_loopback_redirect(uri, scheme),
            "private-use" => scheme.contains('.'),
            named => named.eq_ignore_ascii_case(scheme),
        })
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

    /// The redirect URI policy's entries, or `None` when any scheme is accepted (but
    /// the forbidden ones).
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
