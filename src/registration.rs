//! Dynamic client registration (RFC 7591 §3): the merge of a verified software
//! statement over the request (DESIGN §5 rules 1–7: [`merge`], or [`merge_owned`]
//! when the caller owns both maps) and the RFC 7591 error type (§3.2.2).
//!
//! Validation of the merged metadata (DESIGN §5 rule 8) is
//! [`ClientMetadata::validate`].

use serde_json::{Map, Value};

use crate::metadata::{split_member_name, ClientMetadata};

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

/// A registration refused, as RFC 7591 §3.2.2 reports it: an error code and a
/// human-readable description.
///
/// The description is meant for the registrant: it never carries key material or
/// file paths. `Display` shows the description alone.
///
/// ```
/// use software_statement::registration::{ErrorCode, RegistrationError};
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
}

impl RegistrationError {
    /// An error with this code and description (shown to the registrant: keep key
    /// material and file paths out of it).
    pub fn new(code: ErrorCode, description: impl Into<String>) -> Self {
        Self {
            code,
            description: description.into(),
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

    /// The HTTP status of the error response: 400 (RFC 7591 §3.2.2).
    pub fn http_status(&self) -> u16 {
        400
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

/// The registered JWT claims (RFC 7519 §4.1). They describe the statement, not the
/// client, and are never copied from a statement into metadata (DESIGN §5 rule 1).
pub const JWT_CLAIMS: [&str; 7] = ["iss", "sub", "aud", "exp", "nbf", "iat", "jti"];

/// The member that carries the statement (RFC 7591 §2.3).
const SOFTWARE_STATEMENT: &str = "software_statement";

/// The result of [`merge`]: the effective metadata and the request members the
/// statement overrode or dropped.
#[derive(Debug, Clone, PartialEq)]
pub struct Merged {
    /// The effective client metadata (not yet validated: see
    /// [`ClientMetadata::validate`]).
    pub metadata: ClientMetadata,
    /// Every request member overridden or dropped by the statement, by its exact
    /// name, in request order, whether or not the values were equal. The request's
    /// own `software_statement` member (the statement itself) is not listed.
    pub overridden: Vec<String>,
}

/// Merges a verified software statement's claims over a registration request
/// (RFC 7591 §3.1.1, DESIGN §5 rules 1–7).
///
/// `statement` is the compact token as received (echoed unmodified) and its
/// verified claims; `None` when the request carries no statement, in which case the
/// metadata is the request unchanged (so never pass `None` for a request whose
/// `software_statement` has not been verified).
///
/// With a statement:
/// - the JWT claims ([`JWT_CLAIMS`]) are never copied;
/// - every other claim wins over the request member of the same name;
/// - a language-tag family (`client_name`, `client_name#fr`, …) asserted by the
///   statement through any of its members drops every request member of that
///   family;
/// - `jwks` and `jwks_uri` are one group: a statement asserting either (tagged or
///   not) drops the request's `jwks` and `jwks_uri` (and their tagged variants);
/// - `software_statement` is the token, unmodified. The statement's own
///   `software_statement` claims (a nested statement, tagged or not) are never
///   copied; the request's `software_statement` is the statement itself and is
///   replaced without being reported, while request members
///   `software_statement#…` are dropped and reported;
/// - every other request member is kept as sent, including ones named like JWT
///   claims (`iss`, `exp`, … in the request are ordinary members).
///
/// Output order: the request members kept, in request order; then the statement
/// claims copied, in claim order; then `software_statement`, last.
///
/// [`merge_owned`] does the same without cloning when the caller owns the maps.
///
/// ```
/// use serde_json::json;
/// use software_statement::registration::merge;
///
/// let request = json!({
///     "client_name": "Unattested name",
///     "client_name#fr": "Nom non attesté",
///     "redirect_uris": ["https://app.example.com/cb"],
///     "jwks_uri": "https://app.example.com/jwks.json",
///     "iss": "kept: an ordinary request member"
/// });
/// let claims = json!({
///     "iss": "https://publisher.example.com",
///     "software_id": "4NRB1-0XZABZI9E6-5SM3R",
///     "client_name": "Example App",
///     "jwks": {"keys": []}
/// });
/// let token = "eyJhbGciOiJFUzI1NiJ9.e30.c2ln";
///
/// let merged = merge(
///     request.as_object().unwrap(),
///     Some((token, claims.as_object().unwrap())),
/// );
///
/// assert_eq!(merged.overridden, ["client_name", "client_name#fr", "jwks_uri"]);
/// assert_eq!(
///     serde_json::to_value(&merged.metadata).unwrap(),
///     json!({
///         "redirect_uris": ["https://app.example.com/cb"],
///         "iss": "kept: an ordinary request member",
///         "software_id": "4NRB1-0XZABZI9E6-5SM3R",
///         "client_name": "Example App",
///         "jwks": {"keys": []},
///         "software_statement": token
///     })
/// );
/// ```
pub fn merge(request: &Map<String, Value>, statement: Option<(&str, &Map<String, Value>)>) -> Merged {
    let Some((token, claims)) = statement else {
        return Merged {
            metadata: ClientMetadata::from_map(request.clone()),
            overridden: Vec::new(),
        };
    };
    let assertions = Assertions::of(claims);
    let mut members = Map::with_capacity(request.len() + assertions.copied() + 1);
    let mut overridden = Vec::new();
    for (name, value) in request {
        match assertions.fate(name) {
            Fate::Keep => {
                members.insert(name.clone(), value.clone());
            }
            Fate::Overridden => overridden.push(name.clone()),
            Fate::Replaced => {}
        }
    }
    for (name, value) in claims {
        if copied_claim_base(name).is_some() {
            members.insert(name.clone(), value.clone());
        }
    }
    members.insert(SOFTWARE_STATEMENT.to_owned(), Value::from(token));
    Merged {
        metadata: ClientMetadata::from_map(members),
        overridden,
    }
}

/// [`merge`] taking the request and the claims by value: the same rules and the
/// same result, but members are moved instead of cloned.
///
/// A registration endpoint owns both maps anyway (it parsed the request and
/// verified the statement), and moving them spares nearly every allocation of the
/// merge: prefer this one on a hot path.
///
/// ```
/// use serde_json::{json, Map, Value};
/// use software_statement::registration::{merge, merge_owned};
///
/// let request: Map<String, Value> = serde_json::from_str(r#"{"client_name":"x","scope":"a"}"#)?;
/// let claims: Map<String, Value> = serde_json::from_str(r#"{"iss":"https://pub.example","client_name":"App"}"#)?;
/// let token = "eyJhbGciOiJFUzI1NiJ9.e30.c2ln";
///
/// let borrowed = merge(&request, Some((token, &claims)));
/// let owned = merge_owned(request, Some((token, claims)));
/// assert_eq!(owned, borrowed);
/// assert_eq!(owned.overridden, ["client_name"]);
/// # Ok::<(), serde_json::Error>(())
/// ```
pub fn merge_owned(request: Map<String, Value>, statement: Option<(&str, Map<String, Value>)>) -> Merged {
    let Some((token, claims)) = statement else {
        return Merged {
            metadata: ClientMetadata::from_map(request),
            overridden: Vec::new(),
        };
    };
    let mut overridden = Vec::new();
    let mut members;
    {
        // Borrows the claims' names; ends before the claims are moved below.
        let assertions = Assertions::of(&claims);
        members = Map::with_capacity(request.len() + assertions.copied() + 1);
        for (name, value) in request {
            match assertions.fate(&name) {
                Fate::Keep => {
                    members.insert(name, value);
                }
                Fate::Overridden => overridden.push(name),
                Fate::Replaced => {}
            }
        }
    }
    for (name, value) in claims {
        if copied_claim_base(&name).is_some() {
            members.insert(name, value);
        }
    }
    members.insert(SOFTWARE_STATEMENT.to_owned(), Value::from(token));
    Merged {
        metadata: ClientMetadata::from_map(members),
        overridden,
    }
}

/// What a statement asserts: the families of the claims it copies, by base name
/// (borrowed from the claims, never owned), and whether it asserts the
/// `jwks`/`jwks_uri` group.
struct Assertions<'a> {
    families: Vec<&'a str>,
    key_group: bool,
}

/// What becomes of a request member when a statement is applied.
enum Fate {
    /// Kept as sent (rule 6).
    Keep,
    /// Overridden or dropped by the statement, and reported (rules 2–4, 7).
    Overridden,
    /// The request's `software_statement`: the statement itself, replaced by the
    /// token and not reported (rule 5).
    Replaced,
}

impl<'a> Assertions<'a> {
    fn of(claims: &'a Map<String, Value>) -> Self {
        let mut families = Vec::with_capacity(claims.len());
        let mut key_group = false;
        for name in claims.keys() {
            if let Some(base) = copied_claim_base(name) {
                key_group |= is_key_group(base);
                families.push(base);
            }
        }
        Self { families, key_group }
    }

    /// How many claims are copied into the metadata.
    fn copied(&self) -> usize {
        self.families.len()
    }

    fn fate(&self, name: &str) -> Fate {
        let (base, tag) = split_member_name(name);
        if base == SOFTWARE_STATEMENT {
            // `software_statement#…` request members are dropped: the statement
            // owns the family.
            return if tag.is_none() {
                Fate::Replaced
            } else {
                Fate::Overridden
            };
        }
        if self.families.contains(&base) || (self.key_group && is_key_group(base)) {
            Fate::Overridden
        } else {
            Fate::Keep
        }
    }
}

/// The family base of a statement claim that is copied into metadata, or `None`
/// for the JWT claims and the `software_statement` family.
fn copied_claim_base(name: &str) -> Option<&str> {
    if JWT_CLAIMS.contains(&name) {
        return None;
    }
    let (base, _) = split_member_name(name);
    (base != SOFTWARE_STATEMENT).then_some(base)
}

fn is_key_group(base: &str) -> bool {
    base == "jwks" || base == "jwks_uri"
}

// The registration façade (request JSON -> verify statement -> merge -> validate ->
// Registration | RegistrationError) is `crate::registrar::Registrar`.

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metadata::ValidationOptions;
    use serde_json::json;

    const TOKEN: &str = "eyJhbGciOiJFUzI1NiIsImtpZCI6ImsxIn0.eyJpc3MiOiJodHRwczovL3B1Yi5leGFtcGxlIn0.c2lnbmF0dXJl";

    fn object(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            other => panic!("not an object: {other}"),
        }
    }

    /// Merges with both [`merge`] and [`merge_owned`] and checks they agree.
    fn merged(request: Value, claims: Value) -> Merged {
        let (request, claims) = (object(request), object(claims));
        let borrowed = merge(&request, Some((TOKEN, &claims)));
        let owned = merge_owned(request, Some((TOKEN, claims)));
        assert_eq!(owned, borrowed, "merge and merge_owned disagree");
        // Same order too (Map equality ignores order).
        assert!(owned.metadata.as_map().keys().eq(borrowed.metadata.as_map().keys()));
        borrowed
    }

    fn names(merged: &Merged) -> Vec<&str> {
        merged.metadata.as_map().keys().map(String::as_str).collect()
    }

    // ---- error type ---------------------------------------------------------------

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
    fn jwt_claims_constant() {
        assert_eq!(JWT_CLAIMS, ["iss", "sub", "aud", "exp", "nbf", "iat", "jti"]);
    }

    // ---- merge without a statement ------------------------------------------------------

    #[test]
    fn no_statement_keeps_the_request_unchanged() {
        let request = object(json!({
            "client_name": "App",
            "iss": "x",
            "software_statement": "unverified.is.kept",
            "jwks": {"keys": []},
            "jwks_uri": "https://a.example/jwks",
        }));
        let merged = merge(&request, None);
        assert_eq!(merged.metadata.as_map(), &request);
        assert!(merged.overridden.is_empty());
        assert_eq!(merge_owned(request, None), merged);
    }

    // ---- rule 1: JWT claims are never copied ----------------------------------------------

    #[test]
    fn jwt_claims_are_never_copied() {
        let claims = json!({
            "iss": "https://pub.example", "sub": "s", "aud": ["https://as.example"], "exp": 2,
            "nbf": 1, "iat": 1, "jti": "j", "software_id": "sid",
        });
        let merged = merged(json!({}), claims);
        assert_eq!(names(&merged), ["software_id", "software_statement"]);
        assert!(merged.overridden.is_empty());
    }

    #[test]
    fn request_members_named_like_jwt_claims_are_kept() {
        let request =
            json!({"iss": "req-iss", "sub": 1, "aud": "req-aud", "exp": 5, "nbf": 6, "iat": 7, "jti": "req-jti"});
        let claims =
            json!({"iss": "https://pub.example", "sub": "s", "aud": "a", "exp": 99, "nbf": 1, "iat": 1, "jti": "j"});
        let merged = merged(request.clone(), claims);
        for name in JWT_CLAIMS {
            assert_eq!(merged.metadata.get(name), request.get(name), "{name}");
        }
        assert!(merged.overridden.is_empty());
    }

    #[test]
    fn jwt_claims_do_not_assert_families() {
        let merged = merged(json!({"iss#en": "kept"}), json!({"iss": "https://pub.example"}));
        assert_eq!(merged.metadata.get("iss#en"), Some(&json!("kept")));
        assert!(merged.overridden.is_empty());
    }

    // ---- rule 2: statement claims win --------------------------------------------------------

    #[test]
    fn statement_claims_override_request_members() {
        let request = json!({"client_uri": "https://request.example", "scope": "a", "software_version": "1"});
        let claims = json!({"client_uri": "https://statement.example", "scope": "a"});
        let merged = merged(request, claims);
        assert_eq!(merged.metadata.client_uri(), Some("https://statement.example"));
        assert_eq!(merged.metadata.scope(), Some("a"));
        assert_eq!(merged.metadata.software_version(), Some("1"));
        // Reported even where equal ("scope").
        assert_eq!(merged.overridden, ["client_uri", "scope"]);
    }

    #[test]
    fn statement_claims_are_copied_as_is() {
        let claims = json!({
            "redirect_uris": ["https://a.example/cb"],
            "x_vendor": {"deep": [1, {"x": null}]},
            "client_name": null,
        });
        let merged = merged(json!({}), claims.clone());
        for (name, value) in claims.as_object().unwrap() {
            assert_eq!(merged.metadata.get(name), Some(value), "{name}");
        }
    }

    // ---- rule 3: language-tag families ----------------------------------------------------------

    #[test]
    fn tagged_claim_drops_the_whole_request_family() {
        let request = json!({
            "client_name": "unattested",
            "client_name#fr": "non attesté",
            "client_name#ja-Jpan-JP": "未認証",
            "client_name_extra": "other family",
            "client_uri": "https://a.example",
        });
        let merged = merged(request, json!({"client_name#ja-Jpan-JP": "認証済み"}));
        assert_eq!(
            merged.overridden,
            ["client_name", "client_name#fr", "client_name#ja-Jpan-JP"]
        );
        assert_eq!(
            merged.metadata.family("client_name").collect::<Vec<_>>(),
            [(Some("ja-Jpan-JP"), &json!("認証済み"))]
        );
        assert_eq!(merged.metadata.get("client_name_extra"), Some(&json!("other family")));
        assert_eq!(merged.metadata.client_uri(), Some("https://a.example"));
    }

    #[test]
    fn untagged_claim_drops_request_translations() {
        let request = json!({"tos_uri#de": "https://a.example/agb", "policy_uri#de": "https://a.example/ds"});
        let merged = merged(request, json!({"tos_uri": "https://pub.example/tos"}));
        assert_eq!(merged.overridden, ["tos_uri#de"]);
        assert_eq!(merged.metadata.localized("tos_uri", Some("de")), None);
        assert_eq!(
            merged.metadata.get("policy_uri#de"),
            Some(&json!("https://a.example/ds"))
        );
    }

    #[test]
    fn family_match_is_by_exact_base_name() {
        let request = json!({"Client_Name": "case differs", "client_name2#en": "x"});
        let merged = merged(request, json!({"client_name#en": "App"}));
        assert!(merged.overridden.is_empty());
        assert_eq!(merged.metadata.as_map().len(), 4);
    }

    #[test]
    fn tag_case_variants_in_the_request_are_dropped_too() {
        let merged = merged(json!({"client_name#EN-us": "x"}), json!({"client_name#en-US": "App"}));
        assert_eq!(merged.overridden, ["client_name#EN-us"]);
        assert_eq!(names(&merged), ["client_name#en-US", "software_statement"]);
    }

    // ---- rule 4: jwks / jwks_uri are one group -----------------------------------------------------

    #[test]
    fn statement_jwks_uri_drops_request_jwks_and_jwks_uri() {
        let request = json!({"jwks": {"keys": []}, "client_name": "App", "jwks_uri": "https://request.example/jwks"});
        let merged = merged(request, json!({"jwks_uri": "https://pub.example/jwks"}));
        assert_eq!(merged.overridden, ["jwks", "jwks_uri"]);
        assert_eq!(merged.metadata.jwks(), None);
        assert_eq!(merged.metadata.jwks_uri(), Some("https://pub.example/jwks"));
    }

    #[test]
    fn statement_jwks_drops_request_jwks_uri() {
        let request = json!({"jwks_uri": "https://request.example/jwks", "jwks_uri#en": "https://request.example/en"});
        let merged = merged(request, json!({"jwks": {"keys": [{"kty": "EC"}]}}));
        assert_eq!(merged.overridden, ["jwks_uri", "jwks_uri#en"]);
        assert_eq!(names(&merged), ["jwks", "software_statement"]);
    }

    #[test]
    fn tagged_key_group_claim_drops_the_group() {
        let merged = merged(
            json!({"jwks": {"keys": []}}),
            json!({"jwks_uri#en": "https://pub.example/jwks"}),
        );
        assert_eq!(merged.overridden, ["jwks"]);
    }

    #[test]
    fn key_group_untouched_when_statement_asserts_neither() {
        let request = json!({"jwks_uri": "https://request.example/jwks"});
        let merged = merged(request, json!({"software_id": "sid"}));
        assert!(merged.overridden.is_empty());
        assert_eq!(merged.metadata.jwks_uri(), Some("https://request.example/jwks"));
    }

    // ---- rule 5: software_statement ------------------------------------------------------------------

    #[test]
    fn software_statement_is_the_token_unmodified_and_last() {
        let token = "  not.trimmed.here  ";
        let request = object(json!({"software_statement": "something else", "client_name": "App"}));
        let claims = object(json!({"software_id": "sid"}));
        let merged = merge(&request, Some((token, &claims)));
        assert_eq!(merge_owned(request, Some((token, claims))), merged);
        assert_eq!(merged.metadata.software_statement(), Some(token));
        assert_eq!(
            merged.metadata.as_map().keys().next_back().map(String::as_str),
            Some("software_statement")
        );
        // The request's own statement member is the input, not an override.
        assert!(merged.overridden.is_empty());
    }

    #[test]
    fn software_statement_added_when_request_lacks_it() {
        let merged = merged(json!({"client_name": "App"}), json!({}));
        assert_eq!(names(&merged), ["client_name", "software_statement"]);
        assert_eq!(merged.metadata.software_statement(), Some(TOKEN));
    }

    #[test]
    fn nested_statement_claims_are_never_copied() {
        let claims =
            json!({"software_statement": "nested.jwt.value", "software_statement#en": "x", "software_id": "sid"});
        let merged = merged(json!({"software_statement": TOKEN}), claims);
        assert_eq!(merged.metadata.software_statement(), Some(TOKEN));
        assert_eq!(names(&merged), ["software_id", "software_statement"]);
        assert!(merged.overridden.is_empty());
    }

    #[test]
    fn tagged_software_statement_request_members_are_dropped() {
        let merged = merged(
            json!({"software_statement#en": "junk", "software_statement": TOKEN}),
            json!({}),
        );
        assert_eq!(merged.overridden, ["software_statement#en"]);
        assert_eq!(names(&merged), ["software_statement"]);
    }

    // ---- rule 6: everything else kept as sent -------------------------------------------------------

    #[test]
    fn other_request_members_are_kept_as_sent() {
        let request = json!({
            "redirect_uris": ["https://a.example/cb"],
            "x_unknown": {"nested": [1, 2, {"deep": true}]},
            "contacts": "not even the right type",
            "logo_uri#fr": "https://a.example/logo-fr.png",
            "": "empty name",
        });
        let merged = merged(request.clone(), json!({"software_id": "sid"}));
        for (name, value) in request.as_object().unwrap() {
            assert_eq!(merged.metadata.get(name), Some(value), "{name}");
        }
        assert!(merged.overridden.is_empty());
    }

    // ---- rule 7 and output order ------------------------------------------------------------------------

    #[test]
    fn overridden_is_in_request_order_with_exact_names() {
        let request = json!({
            "scope": "a",
            "client_name#FR": "x",
            "keep": 1,
            "jwks_uri": "https://a.example/jwks",
            "client_name": "y",
            "software_id": "old",
        });
        let claims = json!({"software_id": "new", "client_name": "App", "jwks": {"keys": []}, "scope": "a"});
        let merged = merged(request, claims);
        assert_eq!(
            merged.overridden,
            ["scope", "client_name#FR", "jwks_uri", "client_name", "software_id"]
        );
    }

    #[test]
    fn output_order_is_request_then_claims_then_statement() {
        let request = json!({"z_first": 1, "client_name": "dropped", "a_second": 2, "iss": "kept"});
        let claims =
            json!({"jti": "j", "y_claim": 3, "client_name": "App", "b_claim": 4, "iss": "https://pub.example"});
        let merged = merged(request, claims);
        assert_eq!(
            names(&merged),
            [
                "z_first",
                "a_second",
                "iss",
                "y_claim",
                "client_name",
                "b_claim",
                "software_statement"
            ]
        );
        let text = serde_json::to_string(&merged.metadata).unwrap();
        assert!(
            text.starts_with(r#"{"z_first":1,"a_second":2,"iss":"kept","y_claim":3"#),
            "{text}"
        );
    }

    // ---- merge, then validate -------------------------------------------------------------------------

    #[test]
    fn merge_resolves_a_key_conflict_before_validation() {
        let request = json!({
            "redirect_uris": ["https://a.example/cb"],
            "jwks_uri": "https://request.example/jwks",
            "token_endpoint_auth_method": "private_key_jwt",
        });
        let claims = json!({"iss": "https://pub.example", "jwks": {"keys": []}, "software_id": "sid"});
        let merged = merged(request, claims);
        merged.metadata.validate(&ValidationOptions::default()).unwrap();
    }

    #[test]
    fn statement_values_are_validated_like_request_values() {
        let request = json!({"redirect_uris": ["https://a.example/cb"]});
        let merged_bad = merged(
            request.clone(),
            json!({"redirect_uris": ["https://pub.example/cb#frag"]}),
        );
        let error = merged_bad.metadata.validate(&ValidationOptions::default()).unwrap_err();
        assert_eq!(error.code(), ErrorCode::InvalidRedirectUri);
        let merged_bad = merged(request, json!({"grant_types": ["implicit"]}));
        let error = merged_bad.metadata.validate(&ValidationOptions::default()).unwrap_err();
        assert_eq!(error.code(), ErrorCode::InvalidClientMetadata);
    }

    #[test]
    fn request_jwt_named_members_survive_validation() {
        let request = json!({"redirect_uris": ["https://a.example/cb"], "iss": 12, "aud": null});
        let merged = merged(request, json!({"iss": "https://pub.example"}));
        merged.metadata.validate(&ValidationOptions::default()).unwrap();
    }

    #[test]
    fn benchmark_shape_merges_as_expected() {
        let (request, claims) = benchmark_shape();
        let merged = merge(&request, Some((TOKEN, &claims)));
        assert_eq!(merge_owned(request, Some((TOKEN, claims))), merged);
        merged.metadata.validate(&ValidationOptions::default()).unwrap();
        assert_eq!(
            merged.overridden,
            [
                "client_name",
                "client_name#fr",
                "logo_uri",
                "jwks_uri",
                "software_id",
                "software_version",
                "software_statement#x"
            ]
        );
        // 15 request members, 7 dropped, the statement itself replaced; 20 claims less
        // 7 JWT claims and the nested statement; then software_statement.
        assert_eq!(merged.metadata.as_map().len(), (15 - 7 - 1) + (20 - 7 - 1) + 1);
    }

    /// A 15-member request and a 20-claim statement, as in DESIGN §7.
    pub(crate) fn benchmark_shape() -> (Map<String, Value>, Map<String, Value>) {
        let request = object(json!({
            "redirect_uris": ["https://app.example.com/cb", "https://app.example.com/cb2"],
            "token_endpoint_auth_method": "private_key_jwt",
            "grant_types": ["authorization_code", "refresh_token"],
            "response_types": ["code"],
            "client_name": "Request name",
            "client_name#fr": "Nom",
            "client_uri": "https://app.example.com",
            "logo_uri": "https://app.example.com/logo.png",
            "scope": "read write",
            "contacts": ["ops@app.example.com"],
            "jwks_uri": "https://app.example.com/jwks.json",
            "software_id": "request-id",
            "software_version": "0.9",
            "software_statement#x": "junk",
            "software_statement": TOKEN,
        }));
        let claims = object(json!({
            "iss": "https://publisher.example.com",
            "sub": "product",
            "aud": "https://as.example.org",
            "iat": 1_700_000_000,
            "exp": 1_900_000_000,
            "nbf": 1_700_000_000,
            "jti": "3f1c2a",
            "software_id": "4NRB1-0XZABZI9E6-5SM3R",
            "software_version": "2.1",
            "client_name": "Example Statement Client",
            "client_name#ja-Jpan-JP": "クライアント",
            "client_name#de": "Beispiel",
            "logo_uri": "https://publisher.example.com/logo.png",
            "tos_uri": "https://publisher.example.com/tos",
            "tos_uri#de": "https://publisher.example.com/agb",
            "policy_uri": "https://publisher.example.com/policy",
            "jwks": {"keys": [{"kty": "EC", "crv": "P-256", "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU", "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]},
            "x_vendor_tier": "gold",
            "x_vendor_region": "eu",
            "software_statement": "nested.should.not.copy",
        }));
        (request, claims)
    }
}
