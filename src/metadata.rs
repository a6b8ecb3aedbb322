//! RFC 7591 client metadata: every member kept as sent, the §2 fields typed,
//! language-tagged members (§2.2) and the validation rules of DESIGN §5 rule 8.
//!
//! [`ClientMetadata`] is a thin wrapper over a JSON object
//! (`serde_json::Map`, member order preserved). Nothing is parsed or normalised on
//! the way in, so a serde round trip gives back exactly the members that were read,
//! unknown and language-tagged ones included. The typed getters read from that map;
//! a member of the wrong type reads as `None` and is reported by
//! [`ClientMetadata::validate`].

use std::borrow::Cow;
use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::registration::{ErrorCode, RegistrationError};

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

/// JWK members that hold private or secret key material (RFC 7518 §6.2.2, §6.3.2,
/// §6.4.1; RFC 8037 §2): a client registers its public keys, never these.
const PRIVATE_JWK_MEMBERS: [&str; 8] = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/// Longest member name echoed in an error description; longer names are cut.
const MAX_ECHOED_NAME: usize = 64;

/// Tagged RFC 7591 members [`ClientMetadata::validate`] checks for case-variant
/// duplicates by linear search; beyond, by a hashed index.
const TAGGED_LINEAR: usize = 16;

/// Splits a member name into its base name and its language tag (RFC 7591 §2.2).
///
/// The tag is everything after the first `#`; it is returned as written (tags are
/// compared case-insensitively by [`ClientMetadata::localized`]). A name without
/// `#` has no tag. A name ending in `#` has an empty tag, which
/// [`ClientMetadata::validate`] rejects on RFC 7591 fields.
///
/// ```
/// use software_statement::metadata::split_member_name;
///
/// assert_eq!(split_member_name("client_name#ja-Jpan-JP"), ("client_name", Some("ja-Jpan-JP")));
/// assert_eq!(split_member_name("client_name"), ("client_name", None));
/// ```
pub fn split_member_name(name: &str) -> (&str, Option<&str>) {
    // A plain byte loop: member names are short, a memchr call costs more.
    match name.bytes().position(|b| b == b'#') {
        Some(at) => (&name[..at], Some(&name[at + 1..])),
        None => (name, None),
    }
}

/// Client metadata (RFC 7591 §2): a JSON object with typed access to the
/// registered members and every other member kept as sent.
///
/// Serialises and deserialises as the JSON object itself, losslessly: member order,
/// unknown members and language-tagged members (`client_name#ja-Jpan-JP`) are kept.
/// Getters return `None` when a member is absent *or* of the wrong type;
/// [`validate`](ClientMetadata::validate) tells the two apart and reports the error.
///
/// ```
/// use software_statement::metadata::{ClientMetadata, ValidationOptions};
///
/// let metadata: ClientMetadata = serde_json::from_str(
///     r#"{
///         "redirect_uris": ["https://app.example.com/cb"],
///         "client_name": "Example App",
///         "client_name#ja-Jpan-JP": "アプリ",
///         "x_custom": {"kept": true}
///     }"#,
/// )?;
///
/// assert_eq!(metadata.redirect_uris(), Some(vec!["https://app.example.com/cb"]));
/// assert_eq!(metadata.client_name(), Some("Example App"));
/// // Language tags compare case-insensitively.
/// let ja = metadata.localized("client_name", Some("JA-jpan-jp"));
/// assert_eq!(ja.and_then(|v| v.as_str()), Some("アプリ"));
/// assert_eq!(metadata.family("client_name").count(), 2);
///
/// metadata.validate(&ValidationOptions::default())?;
///
/// // Lossless round trip, order included.
/// let json = serde_json::to_string(&metadata)?;
/// assert!(json.starts_with(r#"{"redirect_uris":"#));
/// assert!(json.ends_with(r#""x_custom":{"kept":true}}"#));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ClientMetadata {
    members: Map<String, Value>,
}

impl From<Map<String, Value>> for ClientMetadata {
    fn from(members: Map<String, Value>) -> Self {
        Self { members }
    }
}

impl From<ClientMetadata> for Map<String, Value> {
    fn from(metadata: ClientMetadata) -> Self {
        metadata.members
    }
}

impl ClientMetadata {
    /// Wraps a JSON object as client metadata, unchanged.
    pub fn from_map(members: Map<String, Value>) -> Self {
        Self { members }
    }

    /// The members, in order.
    pub fn as_map(&self) -> &Map<String, Value> {
        &self.members
    }

    /// Unwraps the members, in order.
    pub fn into_map(self) -> Map<String, Value> {
        self.members
    }

    /// The member with exactly this name (no language-tag matching; see
    /// [`localized`](Self::localized)).
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.members.get(name)
    }

    /// The member `base` (tag `None`) or `base#tag`, the tag compared
    /// case-insensitively as BCP 47 requires. When the same tag appears in two
    /// spellings, the first in member order is returned (validation rejects that).
    pub fn localized(&self, base: &str, tag: Option<&str>) -> Option<&Value> {
        let Some(tag) = tag else {
            return self.members.get(base);
        };
        self.members.iter().find_map(|(name, value)| {
            let rest = name.strip_prefix(base)?.strip_prefix('#')?;
            rest.eq_ignore_ascii_case(tag).then_some(value)
        })
    }

    /// Every member of the language-tag family `base`, in member order: the
    /// untagged member (tag `None`) and each `base#tag` (tag as written).
    pub fn family<'a>(&'a self, base: &'a str) -> impl Iterator<Item = (Option<&'a str>, &'a Value)> + 'a {
        self.members.iter().filter_map(move |(name, value)| {
            let (b, tag) = split_member_name(name);
            (b == base).then_some((tag, value))
        })
    }

    fn str_member(&self, name: &str) -> Option<&str> {
        self.members.get(name).and_then(Value::as_str)
    }

    fn str_array_member(&self, name: &str) -> Option<Vec<&str>> {
        self.members.get(name)?.as_array()?.iter().map(Value::as_str).collect()
    }

    /// `redirect_uris`: the redirection URIs.
    pub fn redirect_uris(&self) -> Option<Vec<&str>> {
        self.str_array_member("redirect_uris")
    }

    /// `token_endpoint_auth_method` as sent (RFC 7591 defaults an omitted one to
    /// `client_secret_basic`; this getter does not).
    pub fn token_endpoint_auth_method(&self) -> Option<&str> {
        self.str_member("token_endpoint_auth_method")
    }

    /// `grant_types` as sent (RFC 7591 defaults an omitted one to
    /// `["authorization_code"]`; this getter does not).
    pub fn grant_types(&self) -> Option<Vec<&str>> {
        self.str_array_member("grant_types")
    }

    /// `response_types` as sent (RFC 7591 defaults an omitted one to `["code"]`,
    /// which validation applies only when the grant types include
    /// `authorization_code`; this getter applies no default).
    pub fn response_types(&self) -> Option<Vec<&str>> {
        self.str_array_member("response_types")
    }

    /// `client_name`, untagged (see [`localized`](Self::localized) for translations).
    pub fn client_name(&self) -> Option<&str> {
        self.str_member("client_name")
    }

    /// `client_uri`, untagged.
    pub fn client_uri(&self) -> Option<&str> {
        self.str_member("client_uri")
    }

    /// `logo_uri`, untagged.
    pub fn logo_uri(&self) -> Option<&str> {
        self.str_member("logo_uri")
    }

    /// `scope`: space-separated scope values, as sent.
    pub fn scope(&self) -> Option<&str> {
        self.str_member("scope")
    }

    /// `contacts`: ways to contact the people responsible for the client.
    pub fn contacts(&self) -> Option<Vec<&str>> {
        self.str_array_member("contacts")
    }

    /// `tos_uri`, untagged.
    pub fn tos_uri(&self) -> Option<&str> {
        self.str_member("tos_uri")
    }

    /// `policy_uri`, untagged.
    pub fn policy_uri(&self) -> Option<&str> {
        self.str_member("policy_uri")
    }

    /// `jwks_uri`: where the client's public keys are published.
    pub fn jwks_uri(&self) -> Option<&str> {
        self.str_member("jwks_uri")
    }

    /// `jwks`: the client's JWK Set document, as a JSON object (keys not parsed
    /// here).
    pub fn jwks(&self) -> Option<&Map<String, Value>> {
        self.members.get("jwks").and_then(Value::as_object)
    }

    /// `software_id`.
    pub fn software_id(&self) -> Option<&str> {
        self.str_member("software_id")
    }

    /// `software_version`.
    pub fn software_version(&self) -> Option<&str> {
        self.str_member("software_version")
    }

    /// `software_statement`: the compact JWS, as sent.
    pub fn software_statement(&self) -> Option<&str> {
        self.str_member("software_statement")
    }

    /// Checks the metadata against RFC 7591 and the options (DESIGN §5 rule 8).
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
                    return Err(field.error(format!("{} has an invalid language tag", Shown(name))));
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
                        Shown(name)
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
                Shown(method)
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
                    Shown(grant)
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

/// BCP 47 at the lexical level: subtags of 1 to 8 ASCII letters or digits
/// separated by `-` (covers language tags, private use and grandfathered tags).
fn is_language_tag(tag: &str) -> bool {
    !tag.is_empty()
        && tag
            .split('-')
            .all(|subtag| (1..=8).contains(&subtag.len()) && subtag.bytes().all(|b| b.is_ascii_alphanumeric()))
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
    /// `client_uri`, `logo_uri`, `tos_uri`, `policy_uri`.
    Uri,
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
            | "software_statement" => Self::String,
            "client_uri" | "logo_uri" | "tos_uri" | "policy_uri" => Self::Uri,
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
            Self::RedirectUris | Self::StringArray => {
                let Some(items) = value.as_array() else {
                    return Err(self.error(format!("{} must be an array of strings", Shown(name))));
                };
                for (index, item) in items.iter().enumerate() {
                    let Some(item) = item.as_str() else {
                        return Err(self.error(format!(
                            "{} must be an array of strings (item {index} is not a string)",
                            Shown(name)
                        )));
                    };
                    if self == Self::RedirectUris {
                        check_redirect_uri(name, index, item, options)?;
                    }
                }
            }
            Self::String | Self::Uri | Self::JwksUri => {
                let Some(text) = value.as_str() else {
                    return Err(self.error(format!("{} must be a string", Shown(name))));
                };
                if self != Self::String {
                    check_uri(text).map_err(|problem| self.error(problem.describe(name, None)))?;
                }
                if self == Self::JwksUri && !is_https_uri(text, options.allow_http_loopback) {
                    let description = if options.allow_http_loopback {
                        format!("{} must be an https URI (or http to a loopback address)", Shown(name))
                    } else {
                        format!("{} must be an https URI", Shown(name))
                    };
                    return Err(self.error(description));
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
                        Shown(name)
                    )));
                };
                // The client's public keys only: a private key or a shared secret would be
                // stored and echoed in the registration response. Named, never shown.
                let private = keys.iter().position(|key| {
                    key.as_object()
                        .is_some_and(|key| PRIVATE_JWK_MEMBERS.iter().any(|m| key.contains_key(*m)))
                });
                if let Some(index) = private {
                    return Err(self.error(format!(
                        "{}: key {index} holds private or secret key material; register public keys only",
                        Shown(name)
                    )));
                }
            }
        }
        Ok(())
    }
}

fn check_redirect_uri(
    name: &str,
    index: usize,
    uri: &str,
    options: &ValidationOptions,
) -> Result<(), RegistrationError> {
    let scheme = check_uri(uri)
        .map_err(|problem| RegistrationError::invalid_redirect_uri(problem.describe(name, Some(index))))?;
    if !options.allows_redirect_uri_scheme(scheme) {
        return Err(RegistrationError::invalid_redirect_uri(format!(
            "{}[{index}] uses a URI scheme that is not allowed",
            Shown(name)
        )));
    }
    Ok(())
}

/// Why a string is not an absolute URI without fragment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum UriProblem {
    NotAbsolute,
    Fragment,
    ForbiddenCharacter,
}

impl UriProblem {
    fn describe(self, name: &str, index: Option<usize>) -> String {
        let what = match self {
            Self::NotAbsolute => "must be an absolute URI",
            Self::Fragment => "must not contain a fragment",
            Self::ForbiddenCharacter => "must not contain spaces or control characters",
        };
        match index {
            Some(index) => format!("{}[{index}] {what}", Shown(name)),
            None => format!("{} {what}", Shown(name)),
        }
    }
}

/// Checks an absolute URI without fragment (RFC 3986 §4.3) and returns its scheme.
///
/// The scheme is `ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )` followed by `:`. Any
/// `#` is a fragment delimiter (it may not appear unescaped elsewhere). Spaces and
/// control characters never appear in a URI. Nothing else is parsed.
fn check_uri(uri: &str) -> Result<&str, UriProblem> {
    let bytes = uri.as_bytes();
    let mut colon = None;
    for (at, &b) in bytes.iter().enumerate() {
        if b == b':' {
            colon = Some(at);
            break;
        }
        let scheme_char = if at == 0 {
            b.is_ascii_alphabetic()
        } else {
            b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.')
        };
        if !scheme_char {
            return Err(UriProblem::NotAbsolute);
        }
    }
    let colon = colon.filter(|&at| at > 0).ok_or(UriProblem::NotAbsolute)?;
    let mut fragment = false;
    for &b in &bytes[colon + 1..] {
        if b <= b' ' || b == 0x7f {
            return Err(UriProblem::ForbiddenCharacter);
        }
        fragment |= b == b'#';
    }
    if fragment {
        return Err(UriProblem::Fragment);
    }
    Ok(&uri[..colon])
}

/// An `https://host…` URI, or `http://` to a loopback address (127.0.0.0/8, `[::1]`)
/// when allowed. Assumes [`check_uri`] passed.
fn is_https_uri(uri: &str, allow_http_loopback: bool) -> bool {
    let Some((scheme, rest)) = uri.split_once(':') else {
        return false;
    };
    let Some(rest) = rest.strip_prefix("//") else {
        return false;
    };
    let authority = rest.split(['/', '?']).next().unwrap_or_default();
    if scheme.eq_ignore_ascii_case("https") {
        return !authority.is_empty() && !authority.starts_with(['@', ':']);
    }
    allow_http_loopback && scheme.eq_ignore_ascii_case("http") && is_loopback_authority(authority)
}

/// `127.x.y.z[:port]` or `[::1][:port]`, no userinfo, no host names.
fn is_loopback_authority(authority: &str) -> bool {
    let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
        let Some((host, after)) = rest.split_once(']') else {
            return false;
        };
        let Ok(ip) = host.parse::<std::net::Ipv6Addr>() else {
            return false;
        };
        if !ip.is_loopback() {
            return false;
        }
        (None, after)
    } else {
        let end = authority.find(':').unwrap_or(authority.len());
        (Some(&authority[..end]), &authority[end..])
    };
    if let Some(host) = host {
        match host.parse::<std::net::Ipv4Addr>() {
            Ok(ip) if ip.is_loopback() => {}
            _ => return false,
        }
    }
    port.is_empty()
        || port
            .strip_prefix(':')
            .is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// A member name or value echoed in an error description: cut to
/// [`MAX_ECHOED_NAME`] bytes (on a character boundary), control characters escaped.
struct Shown<'a>(&'a str);

impl std::fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let text = self.0;
        let mut end = text.len().min(MAX_ECHOED_NAME);
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

/// What [`ClientMetadata::validate`] accepts beyond RFC 7591 itself: the
/// authorization server's policy. Built with chained calls from
/// [`ValidationOptions::default`].
///
/// ```
/// use software_statement::metadata::ValidationOptions;
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
    /// `[::1]`, not host names), as DESIGN §4.8 allows for fetching. Off by default.
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
    pub fn token_endpoint_auth_methods_allowed(&self) -> impl Iterator<Item = &str> {
        self.auth_methods.iter().map(|m| m.as_ref())
    }

    /// The accepted grant types, or `None` when any is accepted.
    pub fn grant_types_allowed(&self) -> Option<impl Iterator<Item = &str>> {
        self.grant_types
            .as_ref()
            .map(|allowed| allowed.iter().map(|g| g.as_ref()))
    }

    /// The accepted redirect URI schemes, or `None` when any is accepted.
    pub fn redirect_uri_schemes_allowed(&self) -> Option<impl Iterator<Item = &str>> {
        self.redirect_uri_schemes
            .as_ref()
            .map(|allowed| allowed.iter().map(|s| s.as_ref()))
    }

    /// Whether `http://` to a loopback address is accepted for `jwks_uri`.
    pub fn allows_http_loopback(&self) -> bool {
        self.allow_http_loopback
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn metadata(value: Value) -> ClientMetadata {
        match value {
            Value::Object(members) => ClientMetadata::from_map(members),
            other => panic!("not an object: {other}"),
        }
    }

    fn check(value: Value) -> Result<(), RegistrationError> {
        metadata(value).validate(&ValidationOptions::default())
    }

    fn check_with(value: Value, options: &ValidationOptions) -> Result<(), RegistrationError> {
        metadata(value).validate(options)
    }

    #[track_caller]
    fn assert_ok(value: Value) {
        let shown = value.to_string();
        if let Err(error) = check(value) {
            panic!("{shown} rejected: {error}");
        }
    }

    #[track_caller]
    fn assert_code(result: Result<(), RegistrationError>, code: ErrorCode) -> RegistrationError {
        match result {
            Ok(()) => panic!("accepted, expected {code}"),
            Err(error) => {
                assert_eq!(error.code(), code, "wrong code: {error}");
                error
            }
        }
    }

    #[track_caller]
    fn assert_metadata_error(value: Value) -> RegistrationError {
        assert_code(check(value), ErrorCode::InvalidClientMetadata)
    }

    #[track_caller]
    fn assert_redirect_error(value: Value) -> RegistrationError {
        assert_code(check(value), ErrorCode::InvalidRedirectUri)
    }

    /// A valid authorization-code client to which one member is added.
    fn code_client_with(name: &str, value: Value) -> Value {
        let mut client = json!({"redirect_uris": ["https://app.example.com/cb"]});
        client[name] = value;
        client
    }

    // ---- member names and language tags -------------------------------------

    #[test]
    fn split_member_name_cases() {
        assert_eq!(split_member_name("client_name"), ("client_name", None));
        assert_eq!(
            split_member_name("client_name#ja-Jpan-JP"),
            ("client_name", Some("ja-Jpan-JP"))
        );
        assert_eq!(split_member_name("client_name#"), ("client_name", Some("")));
        assert_eq!(split_member_name("#en"), ("", Some("en")));
        assert_eq!(split_member_name("a#b#c"), ("a", Some("b#c")));
        assert_eq!(split_member_name(""), ("", None));
    }

    #[test]
    fn localized_matches_tags_case_insensitively() {
        let md = metadata(json!({
            "client_name": "Plain",
            "client_name#ja-Jpan-JP": "ja",
            "client_name#en": "en",
            "client_name_extra#fr": "other family",
            "client_namex#fr": "other family",
        }));
        let text = |tag: Option<&str>| md.localized("client_name", tag).and_then(Value::as_str);
        assert_eq!(text(None), Some("Plain"));
        assert_eq!(text(Some("ja-Jpan-JP")), Some("ja"));
        assert_eq!(text(Some("JA-JPAN-jp")), Some("ja"));
        assert_eq!(text(Some("EN")), Some("en"));
        assert_eq!(text(Some("fr")), None);
        assert_eq!(text(Some("ja")), None, "no prefix matching of tags");
        assert_eq!(md.localized("client_uri", None), None);
        assert_eq!(md.localized("client_uri", Some("en")), None);
    }

    #[test]
    fn localized_without_untagged_member() {
        let md = metadata(json!({"tos_uri#de": "https://example.com/agb"}));
        assert_eq!(md.localized("tos_uri", None), None);
        assert_eq!(
            md.localized("tos_uri", Some("DE")),
            Some(&json!("https://example.com/agb"))
        );
    }

    #[test]
    fn family_lists_members_in_order() {
        let md = metadata(json!({
            "client_name#fr": "fr",
            "logo_uri": "https://example.com/logo.png",
            "client_name": "plain",
            "client_name_extra": "not in the family",
            "client_name#ja-Jpan-JP": "ja",
        }));
        let family: Vec<_> = md.family("client_name").collect();
        assert_eq!(
            family,
            vec![
                (Some("fr"), &json!("fr")),
                (None, &json!("plain")),
                (Some("ja-Jpan-JP"), &json!("ja")),
            ]
        );
        assert_eq!(md.family("policy_uri").count(), 0);
        assert_eq!(md.family("logo_uri").count(), 1);
    }

    // ---- representation ------------------------------------------------------

    #[test]
    fn round_trips_are_lossless() {
        let shapes = [
            r#"{}"#,
            r#"{"redirect_uris":["https://a.example/cb"]}"#,
            r#"{"zeta":1,"alpha":2,"mid":3}"#,
            r#"{"client_name":"A","client_name#ja-Jpan-JP":"アプリ","client_name#fr":"Appli"}"#,
            r#"{"x_unknown":{"nested":[1,2.5,-3,true,false,null,{"deep":"value"}]},"redirect_uris":[]}"#,
            r#"{"jwks":{"keys":[{"kty":"EC","crv":"P-256","x":"abc","y":"def"}]},"software_id":"id"}"#,
            r#"{"grant_types":"not an array","response_types":7,"contacts":[1,"a"]}"#,
            r#"{"client_name":null,"scope":"openid profile","big":18446744073709551615,"neg":-9223372036854775808}"#,
            r##"{"escaped":"line\nbreak \"quoted\" \\ \u0001","emoji":"😀","#":"empty base","a#":"empty tag"}"##,
            r#"{"software_statement":"eyJhbGciOiJFUzI1NiJ9.e30.c2ln","iss":"request member","exp":12}"#,
        ];
        for shape in shapes {
            let md: ClientMetadata = serde_json::from_str(shape).unwrap();
            assert_eq!(serde_json::to_string(&md).unwrap(), shape);
            let value = serde_json::to_value(&md).unwrap();
            let again: ClientMetadata = serde_json::from_value(value).unwrap();
            assert_eq!(again, md);
        }
    }

    #[test]
    fn round_trip_keeps_order_of_many_members() {
        let mut members = Map::new();
        for i in (0..200).rev() {
            members.insert(format!("member_{i}"), Value::from(i));
        }
        let md = ClientMetadata::from_map(members.clone());
        let text = serde_json::to_string(&md).unwrap();
        let back: ClientMetadata = serde_json::from_str(&text).unwrap();
        let names: Vec<_> = back.as_map().keys().cloned().collect();
        let expected: Vec<_> = members.keys().cloned().collect();
        assert_eq!(names, expected);
    }

    #[test]
    fn deserialize_requires_an_object() {
        for text in ["[]", "\"x\"", "1", "null", "true"] {
            assert!(serde_json::from_str::<ClientMetadata>(text).is_err(), "{text}");
        }
    }

    #[test]
    fn map_accessors() {
        let map = json!({"b": 1, "a": 2}).as_object().unwrap().clone();
        let md = ClientMetadata::from_map(map.clone());
        assert_eq!(md.as_map(), &map);
        assert_eq!(md.get("a"), Some(&json!(2)));
        assert_eq!(md.get("c"), None);
        assert_eq!(md.clone().into_map(), map);
        assert_eq!(ClientMetadata::from(map.clone()), md);
        assert_eq!(Map::from(md), map);
        assert!(ClientMetadata::default().as_map().is_empty());
    }

    #[test]
    fn typed_getters() {
        let md = metadata(json!({
            "redirect_uris": ["https://a.example/cb", "https://b.example/cb"],
            "token_endpoint_auth_method": "private_key_jwt",
            "grant_types": ["authorization_code", "refresh_token"],
            "response_types": ["code"],
            "client_name": "App",
            "client_name#fr": "Appli",
            "client_uri": "https://app.example",
            "logo_uri": "https://app.example/logo.png",
            "scope": "read write",
            "contacts": ["ops@app.example"],
            "tos_uri": "https://app.example/tos",
            "policy_uri": "https://app.example/policy",
            "jwks_uri": "https://app.example/jwks.json",
            "jwks": {"keys": []},
            "software_id": "sid",
            "software_version": "1.2.3",
            "software_statement": "a.b.c",
        }));
        assert_eq!(
            md.redirect_uris(),
            Some(vec!["https://a.example/cb", "https://b.example/cb"])
        );
        assert_eq!(md.token_endpoint_auth_method(), Some("private_key_jwt"));
        assert_eq!(md.grant_types(), Some(vec!["authorization_code", "refresh_token"]));
        assert_eq!(md.response_types(), Some(vec!["code"]));
        assert_eq!(md.client_name(), Some("App"));
        assert_eq!(md.client_uri(), Some("https://app.example"));
        assert_eq!(md.logo_uri(), Some("https://app.example/logo.png"));
        assert_eq!(md.scope(), Some("read write"));
        assert_eq!(md.contacts(), Some(vec!["ops@app.example"]));
        assert_eq!(md.tos_uri(), Some("https://app.example/tos"));
        assert_eq!(md.policy_uri(), Some("https://app.example/policy"));
        assert_eq!(md.jwks_uri(), Some("https://app.example/jwks.json"));
        assert_eq!(md.jwks(), json!({"keys": []}).as_object());
        assert_eq!(md.software_id(), Some("sid"));
        assert_eq!(md.software_version(), Some("1.2.3"));
        assert_eq!(md.software_statement(), Some("a.b.c"));
    }

    #[test]
    fn typed_getters_absent_or_mistyped_are_none() {
        let empty = ClientMetadata::default();
        assert_eq!(empty.redirect_uris(), None);
        assert_eq!(empty.client_name(), None);
        assert_eq!(empty.jwks(), None);
        let md = metadata(json!({
            "redirect_uris": ["https://a.example/cb", 3],
            "grant_types": "authorization_code",
            "contacts": {},
            "client_name": ["App"],
            "scope": null,
            "jwks": [],
            "software_version": 1,
        }));
        assert_eq!(md.redirect_uris(), None);
        assert_eq!(md.grant_types(), None);
        assert_eq!(md.contacts(), None);
        assert_eq!(md.client_name(), None);
        assert_eq!(md.scope(), None);
        assert_eq!(md.jwks(), None);
        assert_eq!(md.software_version(), None);
        // Each of these is a validation error.
        assert!(md.validate(&ValidationOptions::default()).is_err());
    }

    #[test]
    fn getters_ignore_tagged_members() {
        let md = metadata(json!({"client_name#en": "App"}));
        assert_eq!(md.client_name(), None);
    }

    // ---- validation: accepted shapes ------------------------------------------

    #[test]
    fn accepts_typical_registrations() {
        assert_ok(json!({"redirect_uris": ["https://app.example.com/cb"]}));
        assert_ok(json!({
            "redirect_uris": ["https://app.example.com/cb", "com.example.app:/oauth2redirect", "http://127.0.0.1:8080/cb"],
            "token_endpoint_auth_method": "private_key_jwt",
            "grant_types": ["authorization_code", "refresh_token"],
            "response_types": ["code"],
            "client_name": "Example",
            "client_name#ja-Jpan-JP": "例",
            "client_uri": "https://app.example.com",
            "logo_uri": "https://app.example.com/logo.png",
            "logo_uri#fr": "https://app.example.com/logo-fr.png",
            "scope": "read write",
            "contacts": ["ops@app.example.com"],
            "tos_uri": "https://app.example.com/tos?lang=en",
            "policy_uri": "https://app.example.com/policy",
            "jwks_uri": "https://app.example.com/jwks.json",
            "software_id": "4NRB1-0XZABZI9E6-5SM3R",
            "software_version": "2.1",
            "software_statement": "eyJhbGciOiJFUzI1NiJ9.e30.c2ln",
            "x_vendor": {"anything": [1, 2, 3]},
        }));
        assert_ok(json!({
            "grant_types": ["client_credentials"],
            "response_types": [],
            "token_endpoint_auth_method": "tls_client_auth",
            "jwks": {"keys": [{"kty": "EC"}]},
        }));
        assert_ok(json!({
            "grant_types": ["implicit"],
            "response_types": ["token"],
            "redirect_uris": ["https://spa.example/cb"],
            "token_endpoint_auth_method": "none",
        }));
        // OpenID Connect composite response types.
        assert_ok(json!({
            "grant_types": ["authorization_code", "implicit"],
            "response_types": ["code id_token", "code token"],
            "redirect_uris": ["https://app.example/cb"],
        }));
        assert_ok(json!({
            "grant_types": ["implicit"],
            "response_types": ["id_token"],
            "redirect_uris": ["https://app.example/cb"],
        }));
        // Defaults: grant_types authorization_code and response_types code agree.
        assert_ok(json!({"response_types": ["code"], "redirect_uris": ["https://a.example/cb"]}));
        assert_ok(json!({"grant_types": ["authorization_code"], "redirect_uris": ["https://a.example/cb"]}));
    }

    #[test]
    fn every_iana_auth_method_is_accepted_by_default() {
        for method in IANA_TOKEN_ENDPOINT_AUTH_METHODS {
            assert_ok(code_client_with("token_endpoint_auth_method", json!(method)));
        }
    }

    #[test]
    fn unknown_members_are_not_validated() {
        assert_ok(code_client_with("x_uri", json!("not a uri #frag")));
        assert_ok(code_client_with("redirect_uri", json!(42)));
        assert_ok(code_client_with("x#not a tag!", json!(null)));
        assert_ok(code_client_with("iss", json!(1)));
    }

    #[test]
    fn validation_writes_nothing() {
        let md = metadata(json!({"redirect_uris": ["https://a.example/cb"]}));
        let before = md.clone();
        md.validate(&ValidationOptions::default()).unwrap();
        assert_eq!(md, before);
        assert_eq!(md.grant_types(), None);
        assert_eq!(md.response_types(), None);
        assert_eq!(md.token_endpoint_auth_method(), None);
    }

    // ---- validation: types -----------------------------------------------------

    #[test]
    fn string_array_fields_must_be_arrays_of_strings() {
        for field in ["grant_types", "response_types", "contacts"] {
            for bad in [
                json!("x"),
                json!({}),
                json!(null),
                json!(1),
                json!(["ok", 1]),
                json!([null]),
            ] {
                let error = assert_metadata_error(code_client_with(field, bad));
                assert!(error.description().contains(field), "{error}");
            }
        }
    }

    #[test]
    fn redirect_uris_type_errors_are_redirect_uri_errors() {
        for bad in [
            json!("https://a.example/cb"),
            json!({}),
            json!(null),
            json!([1]),
            json!(["https://a.example/cb", true]),
        ] {
            assert_redirect_error(json!({"redirect_uris": bad}));
        }
    }

    #[test]
    fn string_fields_must_be_strings() {
        let fields = [
            "token_endpoint_auth_method",
            "client_name",
            "client_uri",
            "logo_uri",
            "scope",
            "tos_uri",
            "policy_uri",
            "jwks_uri",
            "software_id",
            "software_version",
            "software_statement",
        ];
        for field in fields {
            for bad in [json!(1), json!(null), json!(["x"]), json!({}), json!(true)] {
                let error = assert_metadata_error(code_client_with(field, bad));
                assert_eq!(error.description(), format!("{field} must be a string"));
            }
        }
    }

    #[test]
    fn tagged_variants_of_string_fields_must_be_strings() {
        for field in [
            "client_name#en",
            "client_uri#fr",
            "logo_uri#de",
            "tos_uri#ja-Jpan-JP",
            "policy_uri#it",
            "scope#en",
        ] {
            let error = assert_metadata_error(code_client_with(field, json!(5)));
            assert!(error.description().starts_with(field), "{error}");
        }
        assert_redirect_error(code_client_with("redirect_uris#en", json!("https://a.example")));
    }

    #[test]
    fn jwks_must_be_a_jwk_set_object() {
        let options = ValidationOptions::default();
        for bad in [
            json!([]),
            json!("{}"),
            json!({}),
            json!({"keys": {}}),
            json!({"keys": null}),
            json!(null),
        ] {
            let client = json!({"grant_types": ["client_credentials"], "response_types": [], "jwks": bad});
            assert_code(check_with(client, &options), ErrorCode::InvalidClientMetadata);
        }
        // Keys are not parsed here.
        assert_ok(json!({"grant_types": [], "response_types": [], "jwks": {"keys": [1, "two"]}}));
    }

    #[test]
    fn jwks_must_hold_public_keys_only() {
        let public = json!({"kty": "EC", "crv": "P-256", "x": "AAAA", "y": "BBBB"});
        assert_ok(json!({"grant_types": ["client_credentials"], "jwks": {"keys": [public]}}));
        let secret = "c2VjcmV0LWtleS1tYXRlcmlhbC1kby1ub3QtZWNobw";
        for member in PRIVATE_JWK_MEMBERS {
            let mut key = public.clone();
            key[member] = json!(secret);
            for name in ["jwks", "jwks#en"] {
                let client = json!({"grant_types": ["client_credentials"], name: {"keys": [public, key]}});
                let error = assert_metadata_error(client);
                assert_eq!(
                    error.description(),
                    format!("{name}: key 1 holds private or secret key material; register public keys only")
                );
                assert!(!error.to_json().to_string().contains(secret));
            }
        }
        let oct = json!({"kty": "oct", "k": secret, "alg": "HS256"});
        assert_metadata_error(json!({"redirect_uris": ["https://a.example/cb"], "jwks": {"keys": [oct]}}));
    }

    #[test]
    fn language_tags_must_be_well_formed() {
        for tag in [
            "",
            "toolongsubtag",
            "en--US",
            "-en",
            "en-",
            "en US",
            "é",
            "en_US",
            "a#b",
        ] {
            let name = format!("client_name#{tag}");
            assert_metadata_error(code_client_with(&name, json!("x")));
        }
        for tag in [
            "en",
            "ja-Jpan-JP",
            "x-private",
            "i-default",
            "zh-Hant-TW",
            "sr-Latn-RS-1994",
        ] {
            let name = format!("client_name#{tag}");
            assert_ok(code_client_with(&name, json!("x")));
        }
        assert_redirect_error(code_client_with("redirect_uris#", json!([])));
    }

    #[test]
    fn duplicate_tags_differing_in_case_are_rejected() {
        let mut client = code_client_with("client_name#en-US", json!("a"));
        client["client_name#EN-us"] = json!("b");
        assert_metadata_error(client);
        // Same tag in different families is fine.
        let mut client = code_client_with("client_name#en", json!("a"));
        client["tos_uri#EN"] = json!("https://a.example/tos");
        assert_ok(client);
        let mut client = code_client_with("redirect_uris#en", json!([]));
        client["redirect_uris#EN"] = json!([]);
        assert_redirect_error(client);
    }

    #[test]
    fn many_tagged_members_are_checked_in_linear_time() {
        // Past TAGGED_LINEAR tagged members the duplicate search is hashed: a case
        // variant is still found wherever the two spellings fall (both in the linear
        // part, one on each side, both past it).
        for (count, original) in [(5, 3), (300, 3), (300, TAGGED_LINEAR), (300, 200)] {
            let mut client = code_client_with("client_name", json!("a"));
            for i in 0..count {
                client[format!("client_name#t{i}")] = json!("x");
                client[format!("tos_uri#t{i}")] = json!("https://a.example/tos");
            }
            client[format!("client_name#T{original}")] = json!("y");
            let error = assert_metadata_error(client);
            assert!(
                error.description().contains("repeats a language tag"),
                "{count} {original}: {error:?}"
            );
        }
        // The same tag in two families is no duplicate, past the threshold too.
        let mut client = code_client_with("client_name", json!("a"));
        for i in 0..100 {
            client[format!("client_name#t{i}")] = json!("x");
            client[format!("tos_uri#T{i}")] = json!("https://a.example/tos");
        }
        assert_ok(client);
        // Tens of thousands of tagged members (a large request body) well within the
        // bound, even unoptimised: the linear search alone took seconds for this.
        let mut client = code_client_with("client_name", json!("a"));
        for i in 0..60_000 {
            client[format!("client_name#a{i}")] = json!("x");
        }
        let started = std::time::Instant::now();
        assert_ok(client);
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
    }

    // ---- validation: jwks / jwks_uri --------------------------------------------

    #[test]
    fn jwks_and_jwks_uri_not_both() {
        let client = json!({
            "grant_types": ["client_credentials"],
            "response_types": [],
            "jwks": {"keys": []},
            "jwks_uri": "https://app.example/jwks.json",
        });
        let error = assert_metadata_error(client);
        assert_eq!(error.description(), "jwks and jwks_uri must not both be present");
        let client = json!({
            "grant_types": ["client_credentials"],
            "response_types": [],
            "jwks": {"keys": []},
            "jwks_uri#en": "https://app.example/jwks.json",
        });
        assert_metadata_error(client);
    }

    #[test]
    fn jwks_uri_must_be_https() {
        for good in [
            "https://app.example/jwks.json",
            "HTTPS://app.example",
            "https://app.example:8443/k?x=1",
        ] {
            assert_ok(code_client_with("jwks_uri", json!(good)));
        }
        for bad in [
            "http://app.example/jwks.json",
            "https:app.example/jwks.json",
            "https:///jwks.json",
            "https://",
            "ftp://app.example/jwks.json",
            "http://127.0.0.1/jwks.json",
            "/jwks.json",
        ] {
            assert_metadata_error(code_client_with("jwks_uri", json!(bad)));
        }
        assert_metadata_error(code_client_with("jwks_uri#en", json!("http://app.example/jwks.json")));
    }

    #[test]
    fn jwks_uri_http_loopback_when_allowed() {
        let options = ValidationOptions::default().allow_http_loopback(true);
        assert!(options.allows_http_loopback());
        for good in [
            "http://127.0.0.1/jwks.json",
            "http://127.1.2.3:8080/k",
            "http://[::1]:9000/k",
            "http://[::1]",
            "https://app.example/k",
        ] {
            check_with(code_client_with("jwks_uri", json!(good)), &options).unwrap();
        }
        for bad in [
            "http://localhost/jwks.json",
            "http://10.0.0.1/jwks.json",
            "http://128.0.0.1/",
            "http://127.0.0.1.evil.example/",
            "http://user@127.0.0.1/",
            "http://127.0.0.1:/",
            "http://127.0.0.1:80x/",
            "http://[::2]/",
            "http://[::1/",
        ] {
            assert_code(
                check_with(code_client_with("jwks_uri", json!(bad)), &options),
                ErrorCode::InvalidClientMetadata,
            );
        }
        assert_metadata_error(code_client_with("jwks_uri", json!("http://127.0.0.1/jwks.json")));
    }

    // ---- validation: token_endpoint_auth_method ----------------------------------

    #[test]
    fn token_endpoint_auth_method_must_be_allowed() {
        let error = assert_metadata_error(code_client_with("token_endpoint_auth_method", json!("magic")));
        assert!(error.description().contains("magic"));
        assert_metadata_error(code_client_with("token_endpoint_auth_method", json!("NONE")));

        let options = ValidationOptions::default().token_endpoint_auth_methods(["private_key_jwt"]);
        check_with(
            code_client_with("token_endpoint_auth_method", json!("private_key_jwt")),
            &options,
        )
        .unwrap();
        assert_code(
            check_with(
                code_client_with("token_endpoint_auth_method", json!("client_secret_post")),
                &options,
            ),
            ErrorCode::InvalidClientMetadata,
        );
        // Omitted means client_secret_basic (RFC 7591 §2), which this policy refuses.
        assert_code(
            check_with(json!({"redirect_uris": ["https://a.example/cb"]}), &options),
            ErrorCode::InvalidClientMetadata,
        );
        let basic_only = ValidationOptions::default().token_endpoint_auth_methods(["client_secret_basic"]);
        check_with(json!({"redirect_uris": ["https://a.example/cb"]}), &basic_only).unwrap();
        let none_only = ValidationOptions::default().token_endpoint_auth_methods(["none"]);
        assert_code(
            check_with(json!({"redirect_uris": ["https://a.example/cb"]}), &none_only),
            ErrorCode::InvalidClientMetadata,
        );
        let custom = ValidationOptions::default().token_endpoint_auth_methods(vec![String::from("x_custom")]);
        check_with(
            code_client_with("token_endpoint_auth_method", json!("x_custom")),
            &custom,
        )
        .unwrap();
    }

    // ---- validation: grant types -------------------------------------------------

    #[test]
    fn grant_types_must_be_allowed_when_restricted() {
        let options = ValidationOptions::default().grant_types(["authorization_code", "refresh_token"]);
        check_with(
            json!({"grant_types": ["authorization_code", "refresh_token"], "redirect_uris": ["https://a.example/cb"]}),
            &options,
        )
        .unwrap();
        let error = assert_code(
            check_with(
                json!({"grant_types": ["client_credentials"], "response_types": []}),
                &options,
            ),
            ErrorCode::InvalidClientMetadata,
        );
        assert!(error.description().contains("client_credentials"));
        // The default grant type is checked too.
        let only_cc = ValidationOptions::default().grant_types(["client_credentials"]);
        assert_code(
            check_with(json!({"redirect_uris": ["https://a.example/cb"]}), &only_cc),
            ErrorCode::InvalidClientMetadata,
        );
        // Back to any.
        let any = only_cc.any_grant_type();
        check_with(json!({"grant_types": ["urn:x:custom"], "response_types": []}), &any).unwrap();
    }

    #[test]
    fn grant_and_response_types_must_be_consistent() {
        let uris = json!(["https://a.example/cb"]);
        let cases = [
            (json!(["authorization_code"]), json!(["token"])),
            (json!(["authorization_code"]), json!([])),
            (json!(["implicit"]), json!(["code"])),
            (json!(["implicit"]), json!([])),
            (json!(["client_credentials"]), json!(["code"])),
            (json!(["client_credentials"]), json!(["token"])),
            (json!(["client_credentials"]), json!(["id_token"])),
            (json!(["authorization_code"]), json!(["code", "token"])),
            (json!(["authorization_code"]), json!(["code id_token"])),
            (json!(["implicit"]), json!(["code token"])),
            (json!([]), json!(["code"])),
        ];
        for (grants, responses) in cases {
            let client = json!({"grant_types": grants, "response_types": responses, "redirect_uris": uris});
            assert_metadata_error(client);
        }
    }

    #[test]
    fn defaults_are_used_for_consistency() {
        // grant_types omitted -> authorization_code, so response type token alone is inconsistent.
        let error =
            assert_metadata_error(json!({"response_types": ["token"], "redirect_uris": ["https://a.example/cb"]}));
        assert!(error.description().contains("grant_types defaults"), "{error}");
        // Both omitted: the defaults agree.
        assert_ok(json!({"redirect_uris": ["https://a.example/cb"]}));
    }

    #[test]
    fn omitted_response_types_defaults_to_code_only_with_the_code_grant() {
        let uris = json!(["https://a.example/cb"]);
        // Without authorization_code, an omitted response_types counts as empty: no
        // `"response_types": []` needed.
        assert_ok(json!({"grant_types": ["client_credentials"]}));
        assert_ok(json!({"grant_types": ["client_credentials", "refresh_token"]}));
        assert_ok(json!({"grant_types": ["urn:ietf:params:oauth:grant-type:jwt-bearer"]}));
        assert_ok(json!({"grant_types": []}));
        // Saying so explicitly still works.
        assert_ok(json!({"grant_types": ["client_credentials"], "response_types": []}));
        // With authorization_code, it is ["code"].
        assert_ok(json!({"grant_types": ["authorization_code"], "redirect_uris": uris}));
        assert_ok(json!({"grant_types": ["refresh_token", "authorization_code"], "redirect_uris": uris}));
        // implicit needs token or id_token: counting an omitted response_types as
        // empty does not give it one.
        let error = assert_metadata_error(json!({"grant_types": ["implicit"], "redirect_uris": uris}));
        assert_eq!(
            error.description(),
            "grant type implicit requires response type token or id_token \
             (an omitted response_types counts as empty without the authorization_code grant)"
        );
        // authorization_code + implicit: the default ["code"] lacks token.
        let error = assert_metadata_error(json!({
            "grant_types": ["authorization_code", "implicit"],
            "redirect_uris": uris,
        }));
        assert_eq!(
            error.description(),
            "grant type implicit requires response type token or id_token (response_types defaults to [\"code\"])"
        );
        // A mistyped grant_types is a type error, not a consistency one.
        let error = assert_metadata_error(json!({"grant_types": "client_credentials"}));
        assert_eq!(error.description(), "grant_types must be an array of strings");
    }

    #[test]
    fn omitted_response_types_writes_nothing() {
        let md = metadata(json!({"grant_types": ["client_credentials"]}));
        let before = md.clone();
        md.validate(&ValidationOptions::default()).unwrap();
        assert_eq!(md, before);
        assert_eq!(md.response_types(), None);
    }

    // ---- validation: redirect_uris ------------------------------------------------

    #[test]
    fn redirect_uris_required_for_redirect_grants() {
        assert_redirect_error(json!({}));
        assert_redirect_error(json!({"redirect_uris": []}));
        assert_redirect_error(json!({"grant_types": ["implicit"], "response_types": ["token"]}));
        assert_redirect_error(json!({"grant_types": ["implicit"], "response_types": ["token"], "redirect_uris": []}));
        assert_redirect_error(json!({"grant_types": ["refresh_token", "authorization_code"]}));
        // A tagged variant does not count.
        assert_redirect_error(json!({"redirect_uris#en": ["https://a.example/cb"]}));
        assert_ok(json!({"grant_types": ["client_credentials", "refresh_token"], "response_types": []}));
        assert_ok(json!({"grant_types": ["client_credentials"], "response_types": [], "redirect_uris": []}));
    }

    #[test]
    fn redirect_uris_must_be_absolute_without_fragment() {
        let bad = [
            "/cb",
            "cb",
            "//app.example/cb",
            "",
            ":no-scheme",
            "1http://app.example/cb",
            "ht tp://app.example/cb",
            "h_t://app.example/cb",
            "https://app.example/cb#",
            "https://app.example/cb#frag",
            "https://app.example/c b",
            "https://app.example/cb\n",
            "https://app.example/\u{7f}",
        ];
        for uri in bad {
            let error = assert_redirect_error(json!({"redirect_uris": ["https://ok.example/cb", uri]}));
            assert!(error.description().starts_with("redirect_uris[1] "), "{error}");
        }
        let good = [
            "https://app.example/cb",
            "HTTPS://APP.EXAMPLE/CB",
            "com.example.app:/oauth2redirect",
            "urn:ietf:wg:oauth:2.0:oob",
            "a+b-c.d:x",
            "http://localhost:3000/cb?x=1&y=2",
            "https://例え.jp/コールバック",
        ];
        for uri in good {
            assert_ok(json!({"redirect_uris": [uri]}));
        }
    }

    #[test]
    fn redirect_uri_schemes_when_restricted() {
        let options = ValidationOptions::default().redirect_uri_schemes(["https", "com.example.app"]);
        for uri in [
            "https://a.example/cb",
            "HTTPS://a.example/cb",
            "com.example.app:/cb",
            "COM.Example.App:/cb",
        ] {
            check_with(json!({"redirect_uris": [uri]}), &options).unwrap();
        }
        for uri in ["http://a.example/cb", "org.other:/cb", "javascript:alert(1)"] {
            let error = assert_code(
                check_with(json!({"redirect_uris": [uri]}), &options),
                ErrorCode::InvalidRedirectUri,
            );
            assert!(error.description().contains("scheme"), "{error}");
        }
        let any = options.any_redirect_uri_scheme();
        check_with(json!({"redirect_uris": ["http://a.example/cb"]}), &any).unwrap();
    }

    #[test]
    fn other_uri_fields_must_be_absolute_without_fragment() {
        for field in [
            "client_uri",
            "logo_uri",
            "tos_uri",
            "policy_uri",
            "jwks_uri",
            "client_uri#en",
            "logo_uri#ja-Jpan-JP",
            "tos_uri#fr",
            "policy_uri#de",
        ] {
            for bad in [
                "/relative",
                "app.example",
                "https://app.example/#top",
                "https://app.example/a b",
                "9ttp://x",
            ] {
                let error = assert_metadata_error(code_client_with(field, json!(bad)));
                assert!(error.description().starts_with(field), "{error}");
            }
        }
        for field in ["client_uri", "logo_uri", "tos_uri", "policy_uri", "tos_uri#fr"] {
            for good in [
                "https://app.example/",
                "http://app.example/x?y",
                "data:image/png;base64,AAAA",
            ] {
                assert_ok(code_client_with(field, json!(good)));
            }
        }
    }

    #[test]
    fn check_uri_returns_the_scheme() {
        assert_eq!(check_uri("https://a.example"), Ok("https"));
        assert_eq!(check_uri("A+1-.z:rest"), Ok("A+1-.z"));
        assert_eq!(check_uri("x:"), Ok("x"));
        assert_eq!(check_uri("no colon"), Err(UriProblem::NotAbsolute));
        assert_eq!(check_uri("+x:y"), Err(UriProblem::NotAbsolute));
        assert_eq!(check_uri("https://a.example#"), Err(UriProblem::Fragment));
        assert_eq!(check_uri("https://a.example/\t"), Err(UriProblem::ForbiddenCharacter));
    }

    // ---- error descriptions ---------------------------------------------------------

    #[test]
    fn descriptions_do_not_echo_key_material() {
        let secret = "c2VjcmV0LWtleS1tYXRlcmlhbC1kby1ub3QtZWNobw";
        let client = json!({
            "grant_types": ["client_credentials"],
            "response_types": [],
            "jwks": {"kty": "oct", "k": secret},
        });
        let error = assert_metadata_error(client);
        assert!(!error.description().contains(secret));
        assert!(!error.to_json().to_string().contains(secret));
        let client = json!({
            "grant_types": ["client_credentials"],
            "response_types": [],
            "jwks": {"keys": [{"kty": "oct", "k": secret}]},
            "jwks_uri": "https://a.example/jwks",
        });
        let error = assert_metadata_error(client);
        assert!(!error.description().contains(secret));
    }

    #[test]
    fn descriptions_cut_long_names_and_escape_controls() {
        let long_tag = format!("client_name#{}", "a".repeat(300));
        let error = assert_metadata_error(code_client_with(&long_tag, json!("x")));
        assert!(error.description().len() < 150, "{}", error.description());
        assert!(error.description().contains('…'));
        let error = assert_metadata_error(code_client_with("token_endpoint_auth_method", json!("a\nb")));
        assert!(!error.description().contains('\n'));
        assert!(error.description().contains("a\\nb"));
        // Cut on a character boundary.
        let wide = format!("client_name#{}", "é".repeat(40));
        let error = assert_metadata_error(code_client_with(&wide, json!("x")));
        assert!(error.description().contains('…'));
    }

    // ---- options --------------------------------------------------------------------------

    #[test]
    fn options_defaults_and_getters() {
        let options = ValidationOptions::new();
        assert_eq!(options, ValidationOptions::default());
        assert_eq!(
            options.token_endpoint_auth_methods_allowed().collect::<Vec<_>>(),
            IANA_TOKEN_ENDPOINT_AUTH_METHODS
        );
        assert!(options.grant_types_allowed().is_none());
        assert!(options.redirect_uri_schemes_allowed().is_none());
        assert!(!options.allows_http_loopback());
        assert!(options.allows_grant_type("anything"));
        assert!(options.allows_redirect_uri_scheme("anything"));
        let options = options.grant_types(["a"]).redirect_uri_schemes(["https"]);
        assert_eq!(options.grant_types_allowed().unwrap().collect::<Vec<_>>(), ["a"]);
        assert_eq!(
            options.redirect_uri_schemes_allowed().unwrap().collect::<Vec<_>>(),
            ["https"]
        );
    }
}
