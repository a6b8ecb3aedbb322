//! The checks of [`ClientMetadata::validate`].

use std::collections::HashSet;

use serde_json::Value;

use super::names::{is_language_tag, split_member_name};
use super::uri::{check_uri, web_uri_problem};
use super::{ClientMetadata, ValidationOptions};
use crate::error::{ErrorCode, Quoted, RegistrationError};
use crate::jwk::SECRET_MEMBERS;

/// `token_endpoint_auth_method` when the member is omitted (RFC 7591 §2).
const DEFAULT_AUTH_METHOD: &str = "client_secret_basic";
/// `grant_types` when the member is omitted (RFC 7591 §2).
const DEFAULT_GRANT_TYPE: &str = "authorization_code";
/// `response_types` when the member is omitted (RFC 7591 §2) and the effective grant
/// types include `authorization_code`; without that grant an omitted
/// `response_types` counts as empty.
const DEFAULT_RESPONSE_TYPE: &str = "code";

/// Appended to a consistency error when `grant_types` was omitted.
const GRANT_TYPES_HINT: &str = " (grant_types defaults to [\"authorization_code\"])";
/// Appended to a consistency error when `response_types` was omitted and the grant
/// types include `authorization_code`.
const RESPONSE_TYPES_HINT: &str = " (response_types defaults to [\"code\"])";
/// Appended to a consistency error when `response_types` was omitted and the grant
/// types do not include `authorization_code`.
const RESPONSE_TYPES_EMPTY_HINT: &str =
    " (an omitted response_types counts as empty without the authorization_code grant)";

/// Tagged RFC 7591 members [`ClientMetadata::validate`] checks for case-variant
/// duplicates by linear search; beyond, by a hashed index.
pub(super) const TAGGED_LINEAR: usize = 16;

impl ClientMetadata {
    /// Checks the metadata against RFC 7591 and the options (merge rule 8, README).
    ///
    /// Checked, in this order (the first problem found is reported):
    /// 1. every member whose base name is an RFC 7591 §2 field, tagged variants
    ///    included, in member order: a well-formed language tag, not repeating
    ///    (ignoring case) an earlier tag of its family; its type (arrays of
    ///    strings for `redirect_uris`, `grant_types`, `response_types`, `contacts`;
    ///    an object with a `keys` array for `jwks`, no key of which carries private
    ///    or secret key material (`d`, `p`, `q`, `dp`, `dq`, `qi`, `oth`, `k`); a
    ///    string for every other field);
    ///    for URI fields, an absolute URI (RFC 3986 scheme) without fragment and
    ///    without spaces or control characters, `jwks_uri` over `https` (or `http`
    ///    to a loopback address when allowed), `redirect_uris` in the allowed
    ///    schemes;
    /// 2. not both `jwks` and `jwks_uri` (any member of either family);
    /// 3. `token_endpoint_auth_method` (default `client_secret_basic`) allowed;
    /// 4. every grant type (default `["authorization_code"]`) allowed;
    /// 5. RFC 7591 §2.1 consistency: `authorization_code` grant ⇔ a response type
    ///    with `code`, `implicit` grant ⇔ a response type with `token` or `id_token`
    ///    (response types are space-separated words, as OpenID Connect composes
    ///    them). An omitted `response_types` takes the RFC 7591 default `["code"]`
    ///    only when the effective grant types include `authorization_code`;
    ///    otherwise it counts as empty. So a `client_credentials`-only client needs
    ///    no `"response_types": []`, while `grant_types: ["implicit"]` without
    ///    `response_types` is inconsistent (implicit needs `token` or `id_token`);
    /// 6. `redirect_uris` present and non-empty when `authorization_code` or
    ///    `implicit` is used.
    ///
    /// The defaults are used to validate only; nothing is written. Redirect URI
    /// problems (any check on `redirect_uris`, its type and its presence included)
    /// give [`ErrorCode::InvalidRedirectUri`]; everything else
    /// [`ErrorCode::InvalidClientMetadata`]. Members that are not RFC 7591 fields are
    /// not checked.
    pub fn validate(&self, options: &ValidationOptions) -> Result<(), RegistrationError> {
        // Tagged RFC 7591 members seen so far (base, tag); allocates only when some exist.
        // A linear search while they are few; past TAGGED_LINEAR, a hashed index of
        // lowercased tags (a request of thousands of tagged members must not cost a
        // quadratic search).
        let mut tagged: Vec<(&str, &str)> = Vec::new();
        let mut tagged_index: HashSet<(&str, String)> = HashSet::new();
        let mut has_jwks = false;
        let mut has_jwks_uri = false;
        for (name, value) in &self.members {
            let (base, tag) = split_member_name(name);
            let Some(field) = Field::of(base) else {
                continue;
            };
            if let Some(tag) = tag {
                if !is_language_tag(tag) {
                    return Err(field.error(format!("{} has an invalid language tag", Quoted(name))));
                }
                let duplicate = if tagged.len() < TAGGED_LINEAR {
                    tagged.push((base, tag));
                    tagged[..tagged.len() - 1]
                        .iter()
                        .any(|&(b, t)| b == base && t.eq_ignore_ascii_case(tag))
                } else {
                    if tagged_index.is_empty() {
                        tagged_index.extend(tagged.iter().map(|&(b, t)| (b, t.to_ascii_lowercase())));
                    }
                    !tagged_index.insert((base, tag.to_ascii_lowercase()))
                };
                if duplicate {
                    return Err(field.error(format!(
                        "{} repeats a language tag of its family in different letter case",
                        Quoted(name)
                    )));
                }
            }
            match field {
                Field::Jwks => has_jwks = true,
                Field::JwksUri => has_jwks_uri = true,
                _ => {}
            }
            field.check(name, value, options)?;
        }
        if has_jwks && has_jwks_uri {
            return Err(RegistrationError::invalid_client_metadata(
                "jwks and jwks_uri must not both be present",
            ));
        }

        let method = self
            .str_member("token_endpoint_auth_method")
            .unwrap_or(DEFAULT_AUTH_METHOD);
        if !options.allows_token_endpoint_auth_method(method) {
            return Err(RegistrationError::invalid_client_metadata(format!(
                "token_endpoint_auth_method {} is not supported",
                Quoted(method)
            )));
        }

        let grant_types = self
            .members
            .get("grant_types")
            .and_then(Value::as_array)
            .map(Vec::as_slice);
        let mut uses_code_grant = false;
        let mut uses_implicit_grant = false;
        for grant in strings_or_default(grant_types, Some(DEFAULT_GRANT_TYPE)) {
            if !options.allows_grant_type(grant) {
                return Err(RegistrationError::invalid_client_metadata(format!(
                    "grant type {} is not supported",
                    Quoted(grant)
                )));
            }
            match grant {
                "authorization_code" => uses_code_grant = true,
                "implicit" => uses_implicit_grant = true,
                _ => {}
            }
        }

        let response_types = self
            .members
            .get("response_types")
            .and_then(Value::as_array)
            .map(Vec::as_slice);
        let mut uses_code_response = false;
        let mut uses_token_response = false;
        // The RFC 7591 default ["code"] only goes with the authorization_code grant;
        // otherwise an omitted response_types counts as empty.
        let response_default = uses_code_grant.then_some(DEFAULT_RESPONSE_TYPE);
        for response_type in strings_or_default(response_types, response_default) {
            for word in response_type.split(' ') {
                match word {
                    "code" => uses_code_response = true,
                    "token" | "id_token" => uses_token_response = true,
                    _ => {}
                }
            }
        }
        // At most one of the two is omitted when they disagree (the defaults agree).
        let hint = match (grant_types, response_types) {
            (None, _) => GRANT_TYPES_HINT,
            (_, None) if uses_code_grant => RESPONSE_TYPES_HINT,
            (_, None) => RESPONSE_TYPES_EMPTY_HINT,
            _ => "",
        };
        if uses_code_grant != uses_code_response {
            let description = if uses_code_grant {
                "grant type authorization_code requires response type code"
            } else {
                "response type code requires grant type authorization_code"
            };
            return Err(RegistrationError::invalid_client_metadata(format!(
                "{description}{hint}"
            )));
        }
        if uses_implicit_grant != uses_token_response {
            let description = if uses_implicit_grant {
                "grant type implicit requires response type token or id_token"
            } else {
                "response types token and id_token require grant type implicit"
            };
            return Err(RegistrationError::invalid_client_metadata(format!(
                "{description}{hint}"
            )));
        }

        // Merge rule 13: the auth method and the client's keys or certificate agree.
        let has_keys = self.members.contains_key("jwks") || self.members.contains_key("jwks_uri");
        if matches!(method, "private_key_jwt" | "self_signed_tls_client_auth") && !has_keys {
            return Err(RegistrationError::invalid_client_metadata(format!(
                "token_endpoint_auth_method {method} needs the client's keys: jwks or jwks_uri"
            )));
        }
        if method == "tls_client_auth" {
            let subjects = TLS_SUBJECT_MEMBERS
                .iter()
                .filter(|m| self.members.contains_key(**m))
                .count();
            if subjects != 1 {
                return Err(RegistrationError::invalid_client_metadata(format!(
                    "token_endpoint_auth_method tls_client_auth needs exactly one of {} (RFC 8705 section 2.1.2), found {subjects}",
                    TLS_SUBJECT_MEMBERS.join(", ")
                )));
            }
        }
        if method == "none"
            && strings_or_default(grant_types, Some(DEFAULT_GRANT_TYPE)).any(|g| g == "client_credentials")
        {
            return Err(RegistrationError::invalid_client_metadata(
                "token_endpoint_auth_method none cannot be used with the client_credentials grant",
            ));
        }

        if uses_code_grant || uses_implicit_grant {
            let registered = self
                .members
                .get("redirect_uris")
                .and_then(Value::as_array)
                .is_some_and(|uris| !uris.is_empty());
            if !registered {
                return Err(RegistrationError::invalid_redirect_uri(
                    "redirect_uris is required for the authorization_code and implicit grants",
                ));
            }
        }
        Ok(())
    }
}

/// The strings of `array` (non-strings skipped), or `default` alone (possibly
/// nothing) when absent.
fn strings_or_default<'a>(array: Option<&'a [Value]>, default: Option<&'static str>) -> impl Iterator<Item = &'a str> {
    let (items, default) = match array {
        Some(items) => (items, None),
        None => (&[][..], default),
    };
    items.iter().filter_map(Value::as_str).chain(default)
}

/// The RFC 7591 §2 fields, by the checks they get.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    /// `redirect_uris`: array of URIs, errors are `invalid_redirect_uri`.
    RedirectUris,
    /// `grant_types`, `response_types`, `contacts`.
    StringArray,
    /// Plain strings.
    String,
    /// `client_uri`, `logo_uri`, `tos_uri`, `policy_uri`, `sector_identifier_uri`,
    /// `initiate_login_uri`: https URIs.
    Uri,
    /// `request_uris`: an array of https URIs.
    UriArray,
    /// `post_logout_redirect_uris`: an array of URIs under the redirect URI policy, errors
    /// are `invalid_client_metadata`.
    PostLogoutRedirectUris,
    /// `jwks_uri`: an https URI.
    JwksUri,
    /// `jwks`: a JWK Set object.
    Jwks,
}

impl Field {
    fn of(base: &str) -> Option<Self> {
        Some(match base {
            "redirect_uris" => Self::RedirectUris,
            "grant_types" | "response_types" | "contacts" => Self::StringArray,
            "token_endpoint_auth_method"
            | "client_name"
            | "scope"
            | "software_id"
            | "software_version"
            | "software_statement"
            | "tls_client_auth_subject_dn"
            | "tls_client_auth_san_dns"
            | "tls_client_auth_san_uri"
            | "tls_client_auth_san_ip"
            | "tls_client_auth_san_email" => Self::String,
            "client_uri" | "logo_uri" | "tos_uri" | "policy_uri" | "sector_identifier_uri" | "initiate_login_uri" => {
                Self::Uri
            }
            "request_uris" => Self::UriArray,
            "post_logout_redirect_uris" => Self::PostLogoutRedirectUris,
            "jwks_uri" => Self::JwksUri,
            "jwks" => Self::Jwks,
            _ => return None,
        })
    }

    fn error(self, description: String) -> RegistrationError {
        let code = match self {
            Self::RedirectUris => ErrorCode::InvalidRedirectUri,
            _ => ErrorCode::InvalidClientMetadata,
        };
        RegistrationError::new(code, description)
    }

    /// Type and URI checks of one member (`name` may be tagged).
    fn check(self, name: &str, value: &Value, options: &ValidationOptions) -> Result<(), RegistrationError> {
        match self {
            Self::RedirectUris | Self::StringArray | Self::UriArray | Self::PostLogoutRedirectUris => {
                let Some(items) = value.as_array() else {
                    return Err(self.error(format!("{} must be an array of strings", Quoted(name))));
                };
                for (index, item) in items.iter().enumerate() {
                    let Some(item) = item.as_str() else {
                        return Err(self.error(format!(
                            "{} must be an array of strings (item {index} is not a string)",
                            Quoted(name)
                        )));
                    };
                    match self {
                        Self::RedirectUris | Self::PostLogoutRedirectUris => {
                            check_redirect_uri(self, name, index, item, options)?
                        }
                        Self::UriArray => {
                            check_uri(item).map_err(|problem| self.error(problem.describe(name, Some(index))))?;
                            if let Some(problem) = web_uri_problem(item, false, false) {
                                return Err(self.error(format!("{}[{index}] {problem}", Quoted(name))));
                            }
                        }
                        _ => {}
                    }
                }
            }
            Self::String | Self::Uri | Self::JwksUri => {
                let Some(text) = value.as_str() else {
                    return Err(self.error(format!("{} must be a string", Quoted(name))));
                };
                if self != Self::String {
                    check_uri(text).map_err(|problem| self.error(problem.describe(name, None)))?;
                    let jwks_uri = self == Self::JwksUri;
                    if let Some(problem) = web_uri_problem(text, jwks_uri, jwks_uri && options.allows_http_loopback()) {
                        return Err(self.error(format!("{} {problem}", Quoted(name))));
                    }
                }
            }
            Self::Jwks => {
                let keys = value
                    .as_object()
                    .and_then(|set| set.get("keys"))
                    .and_then(Value::as_array);
                let Some(keys) = keys else {
                    return Err(self.error(format!(
                        "{} must be a JWK Set: an object with a keys array",
                        Quoted(name)
                    )));
                };
                // Counted before any key is parsed (merge rule 14).
                if keys.len() > options.allowed_client_keys() {
                    return Err(self.error(format!(
                        "{} has {} keys, more than the {} this server accepts",
                        Quoted(name),
                        keys.len(),
                        options.allowed_client_keys()
                    )));
                }
                // The client's public keys only: a private key or a shared secret would be
                // stored and echoed in the registration response. Named, never shown.
                let private = keys.iter().position(|key| {
                    key.as_object()
                        .is_some_and(|key| SECRET_MEMBERS.iter().any(|m| key.contains_key(*m)))
                });
                if let Some(index) = private {
                    return Err(self.error(format!(
                        "{}: key {index} holds private or secret key material; register public keys only",
                        Quoted(name)
                    )));
                }
            }
        }
        Ok(())
    }
}

/// One redirect URI (of `redirect_uris` or `post_logout_redirect_uris`) under the
/// redirect URI policy (merge rule 12).
fn check_redirect_uri(
    field: Field,
    name: &str,
    index: usize,
    uri: &str,
    options: &ValidationOptions,
) -> Result<(), RegistrationError> {
    check_uri(uri).map_err(|problem| field.error(problem.describe(name, Some(index))))?;
    if !options.allows_redirect_uri(uri) {
        return Err(field.error(format!(
            "{}[{index}] uses a URI scheme or host that is not allowed",
            Quoted(name)
        )));
    }
    Ok(())
}

/// RFC 8705 §2.1.2: the members that name a `tls_client_auth` client's certificate subject.
const TLS_SUBJECT_MEMBERS: [&str; 5] = [
    "tls_client_auth_subject_dn",
    "tls_client_auth_san_dns",
    "tls_client_auth_san_uri",
    "tls_client_auth_san_ip",
    "tls_client_auth_san_email",
];
