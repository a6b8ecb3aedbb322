//! The merge of a verified software statement over a registration request (RFC 7591
//! §3.1.1; merge rules 1–7 of the README): [`merge`], or [`merge_owned`] when the caller
//! owns both maps — one implementation for both.
//!
//! Validation of the merged metadata (merge rule 8) is [`ClientMetadata::validate`].

use serde_json::{Map, Value};

use crate::claims::JWT_CLAIMS;
use crate::metadata::{split_member_name, ClientMetadata};

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
/// (RFC 7591 §3.1.1, merge rule 1–7, README).
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
/// use software_statement::merge;
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
    merge_entries(request, statement)
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
/// use software_statement::{merge, merge_owned};
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
    merge_entries(request, statement)
}

/// The one implementation of [`merge`] and [`merge_owned`]: a map borrowed (members
/// cloned) or owned (members moved).
trait Members: Sized {
    /// A member name, borrowed or owned.
    type Name: AsRef<str> + Into<String>;
    /// A member value, borrowed or owned.
    type Value: Into<Value>;
    fn map(&self) -> &Map<String, Value>;
    fn entries(self) -> impl Iterator<Item = (Self::Name, Self::Value)>;
    fn into_metadata(self) -> ClientMetadata;
}

/// A cloned value.
struct Cloned<'a>(&'a Value);

impl From<Cloned<'_>> for Value {
    fn from(v: Cloned<'_>) -> Value {
        v.0.clone()
    }
}

impl<'a> Members for &'a Map<String, Value> {
    type Name = &'a String;
    type Value = Cloned<'a>;
    fn map(&self) -> &Map<String, Value> {
        self
    }
    fn entries(self) -> impl Iterator<Item = (&'a String, Cloned<'a>)> {
        self.iter().map(|(k, v)| (k, Cloned(v)))
    }
    fn into_metadata(self) -> ClientMetadata {
        ClientMetadata::from_map(self.clone())
    }
}

impl Members for Map<String, Value> {
    type Name = String;
    type Value = Value;
    fn map(&self) -> &Map<String, Value> {
        self
    }
    fn entries(self) -> impl Iterator<Item = (String, Value)> {
        self.into_iter()
    }
    fn into_metadata(self) -> ClientMetadata {
        ClientMetadata::from_map(self)
    }
}

fn merge_entries<R: Members, C: Members>(request: R, statement: Option<(&str, C)>) -> Merged {
    let Some((token, claims)) = statement else {
        return Merged {
            metadata: request.into_metadata(),
            overridden: Vec::new(),
        };
    };
    let mut overridden = Vec::new();
    let mut members;
    {
        // Borrows the claims' names; ends before the claims are consumed below.
        let assertions = Assertions::of(claims.map());
        members = Map::with_capacity(request.map().len() + assertions.copied() + 1);
        for (name, value) in request.entries() {
            match assertions.fate(name.as_ref()) {
                Fate::Keep => {
                    members.insert(name.into(), value.into());
                }
                Fate::Overridden => overridden.push(name.into()),
                Fate::Replaced => {}
            }
        }
    }
    for (name, value) in claims.entries() {
        if copied_claim_base(name.as_ref()).is_some() {
            members.insert(name.into(), value.into());
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

#[cfg(test)]
#[path = "merge_tests.rs"]
mod tests;
