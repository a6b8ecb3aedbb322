//! RFC 7591 client metadata: every member kept as sent, the §2 fields typed,
//! language-tagged members (§2.2) and the validation rules (merge rule 8 of the README).
//!
//! [`ClientMetadata`] is a thin wrapper over a JSON object
//! (`serde_json::Map`, member order preserved). Nothing is parsed or normalised on
//! the way in, so a serde round trip gives back exactly the members that were read,
//! unknown and language-tagged ones included. The typed getters read from that map;
//! a member of the wrong type reads as `None` and is reported by
//! [`ClientMetadata::validate`].
//!
//! Files: `names.rs` (member names and language tags), this file (typed access),
//! `validate.rs` (the checks), `uri.rs` (the URI rules), `options.rs` (the server's
//! policy).

mod names;
mod options;
mod registry;
#[cfg(test)]
mod tests;
pub(crate) mod uri;
mod validate;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub use self::names::split_member_name;
pub use self::options::{
    UnknownMembers, ValidationOptions, DEFAULT_MAX_CLIENT_KEYS, DEFAULT_REDIRECT_URI_SCHEMES,
    IANA_TOKEN_ENDPOINT_AUTH_METHODS,
};
pub use self::registry::{IANA_CLIENT_METADATA, IANA_CLIENT_METADATA_DATE, SERVER_ISSUED_MEMBERS};

/// Client metadata (RFC 7591 §2): a JSON object with typed access to the
/// registered members and every other member kept as sent.
///
/// Serialises and deserialises as the JSON object itself, losslessly: member order,
/// unknown members and language-tagged members (`client_name#ja-Jpan-JP`) are kept.
/// Getters return `None` when a member is absent *or* of the wrong type;
/// [`validate`](ClientMetadata::validate) tells the two apart and reports the error.
///
/// ```
/// use software_statement::{ClientMetadata, ValidationOptions};
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

    /// Sets a member in place (it keeps its position when it exists).
    pub(crate) fn set(&mut self, name: &str, value: Value) {
        self.members.insert(name.to_owned(), value);
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
}
