//! The registration step an authorization server runs for each request (RFC 7591 §3):
//! request JSON in → verify the statement under the trust policy → merge → validate →
//! [`Registration`] or [`RegistrationError`].
//!
//! ```
//! use serde_json::json;
//! use software_statement::{Algorithm, IssuerPolicy, Jwk, JwkSet, Registrar, StatementBuilder, Verifier};
//!
//! // The publisher signs a statement…
//! let key = Jwk::generate(Algorithm::ES256)?;
//! let statement = StatementBuilder::new("https://publisher.example.com")
//!     .claim("software_id", "4NRB1-0XZABZI9E6-5SM3R")
//!     .claim("client_name", "Example Statement-based Client")
//!     .claim("redirect_uris", ["https://client.example.net/callback"])
//!     .sign(&key)?;
//!
//! // …and the authorization server registers a client that presents it.
//! let registrar = Registrar::new(
//!     Verifier::builder()
//!         .issuer("https://publisher.example.com", IssuerPolicy::with_jwks(JwkSet::new(vec![key.to_public()?])?))
//!         .build(),
//! );
//! let request = json!({"client_name": "My Example", "software_statement": statement});
//! let registration = registrar.register(request.as_object().unwrap())?;
//! assert_eq!(registration.metadata.client_name(), Some("Example Statement-based Client"));
//! assert_eq!(registration.overridden, ["client_name"]);
//! assert_eq!(registration.metadata.software_statement(), Some(statement.as_str()));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::borrow::Cow;

use serde_json::{json, Map, Value};

use super::merge::merge;
use crate::error::{Quoted, RegistrationError, StatementError};
use crate::metadata::{split_member_name, ClientMetadata, UnknownMembers, ValidationOptions, SERVER_ISSUED_MEMBERS};
use crate::statement::{VerifiedStatement, Verifier};
use crate::trust::TrustFile;

/// What the registration kept of the verified statement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatementInfo {
    /// The trusted issuer (`iss`).
    pub issuer: String,
    /// The algorithm it was signed with.
    pub alg: crate::jwa::Algorithm,
    /// The header's `kid`, if any.
    pub kid: Option<String>,
}

/// A successful registration step.
#[derive(Clone, Debug, PartialEq)]
pub struct Registration {
    /// The effective, validated client metadata (with `software_statement` echoed
    /// unmodified when one was presented).
    pub metadata: ClientMetadata,
    /// Request members the statement overrode or dropped, by name.
    pub overridden: Vec<String>,
    /// The verified statement's issuer, algorithm and `kid`; `None` without a statement.
    pub statement: Option<StatementInfo>,
    /// Request members left out because they are unknown and the policy is
    /// [`UnknownMembers::Drop`] (merge rule 11), in request order.
    pub ignored: Vec<String>,
}

impl Registration {
    /// `{"metadata":{...}, "overridden":[...], "statement":{"issuer","alg","kid"} | null}`,
    /// with `"ignored":[...]` when members were dropped.
    pub fn to_json(&self) -> Value {
        let mut out = json!({
            "metadata": self.metadata.as_map(),
            "overridden": self.overridden,
            "statement": self.statement.as_ref().map(|s| json!({
                "issuer": s.issuer,
                "alg": s.alg.name(),
                "kid": s.kid,
            })),
        });
        if !self.ignored.is_empty() {
            out["ignored"] = json!(self.ignored);
        }
        out
    }
}

/// The default largest registration request body, in bytes (merge rule 14).
pub const DEFAULT_MAX_REQUEST_BYTES: usize = 64 * 1024;

/// The registration façade: a [`Verifier`] plus the registration policy.
#[derive(Clone, Debug)]
pub struct Registrar {
    verifier: Verifier,
    require_software_statement: bool,
    validation: ValidationOptions,
    required_claims: Vec<String>,
    max_request_bytes: usize,
}

impl Registrar {
    /// A registrar over `verifier`: statements optional, default validation.
    pub fn new(verifier: Verifier) -> Self {
        Registrar {
            verifier,
            require_software_statement: false,
            validation: ValidationOptions::default(),
            required_claims: Vec::new(),
            max_request_bytes: DEFAULT_MAX_REQUEST_BYTES,
        }
    }

    /// A registrar configured by a trust file: its verifier, `require_software_statement`,
    /// and its `registration` object (validation policy, request size bound);
    /// `allow_http_loopback` also admits a client `jwks_uri` over http to a loopback address.
    pub fn from_trust_file(trust: &TrustFile) -> Self {
        Self::new(trust.verifier().clone())
            .require_software_statement(trust.require_software_statement())
            .validation(trust.validation().clone())
            .max_request_bytes(trust.max_request_bytes())
    }

    /// The largest request body [`parse_request`](Self::parse_request) accepts (default
    /// 64 KiB), checked before parsing.
    #[must_use]
    pub fn max_request_bytes(mut self, bytes: usize) -> Self {
        self.max_request_bytes = bytes;
        self
    }

    /// Refuses requests without a `software_statement` (`invalid_software_statement`).
    #[must_use]
    pub fn require_software_statement(mut self, required: bool) -> Self {
        self.require_software_statement = required;
        self
    }

    /// The metadata validation policy (allowed auth methods, grant types, redirect URI
    /// schemes).
    #[must_use]
    pub fn validation(mut self, options: ValidationOptions) -> Self {
        self.validation = options;
        self
    }

    /// Requires every statement, whatever its issuer, to carry this claim.
    #[must_use]
    pub fn require_statement_claim(mut self, name: impl Into<String>) -> Self {
        self.required_claims.push(name.into());
        self
    }

    /// The largest request body accepted, in bytes.
    pub fn request_bytes_limit(&self) -> usize {
        self.max_request_bytes
    }

    /// The verifier.
    pub fn verifier(&self) -> &Verifier {
        &self.verifier
    }

    /// Parses a request body (a JSON object; duplicate members refused) and registers it.
    pub fn register_json(&self, body: &str) -> Result<Registration, RegistrationError> {
        self.register(&self.parse_request(body)?)
    }

    /// A request body as a JSON object: at most the configured size (checked first), depth
    /// 32, duplicate members refused (merge rule 14). Errors are `invalid_client_metadata`.
    pub fn parse_request(&self, body: &str) -> Result<Map<String, Value>, RegistrationError> {
        if body.len() > self.max_request_bytes {
            return Err(RegistrationError::invalid_client_metadata(format!(
                "the request body is {} bytes, more than the {} this server accepts",
                body.len(),
                self.max_request_bytes
            )));
        }
        crate::json::parse_object_str(body, crate::json::MAX_DEPTH).map_err(|e| {
            RegistrationError::invalid_client_metadata(match e {
                crate::error::JsonError::Duplicate(n) => format!("the request has the member '{}' twice", Quoted(&n)),
                crate::error::JsonError::TooDeep => "the request is nested too deeply".into(),
                _ => "the request body must be a JSON object".into(),
            })
        })
    }

    /// Runs the registration step with keys that are local (or already cached).
    pub fn register(&self, request: &Map<String, Value>) -> Result<Registration, RegistrationError> {
        let (request, ignored) = self.screen(request)?;
        let request = request.as_ref();
        let verified = match self.statement_of(request)? {
            Some(token) => Some((token, self.verifier.verify(token)?)),
            None => None,
        };
        self.complete(request, verified, ignored)
    }

    /// Runs the registration step, fetching an issuer's `jwks_uri` when needed.
    #[cfg(feature = "remote")]
    pub async fn register_async(&self, request: &Map<String, Value>) -> Result<Registration, RegistrationError> {
        let (request, ignored) = self.screen(request)?;
        let request = request.as_ref();
        let verified = match self.statement_of(request)? {
            Some(token) => Some((token, self.verifier.verify_async(token).await?)),
            None => None,
        };
        self.complete(request, verified, ignored)
    }

    /// The request's own members checked before any work on the statement: members only
    /// the server issues refused (merge rule 10), unknown members kept, dropped or refused
    /// by policy (merge rule 11). Returns the request to merge and the dropped names.
    fn screen<'r>(
        &self,
        request: &'r Map<String, Value>,
    ) -> Result<(Cow<'r, Map<String, Value>>, Vec<String>), RegistrationError> {
        if let Some(name) = request.keys().find(|n| is_server_issued(n)) {
            return Err(RegistrationError::invalid_client_metadata(format!(
                "{} is issued by the server: a registration request must not set it",
                Quoted(name)
            )));
        }
        let known = |name: &String| self.validation.is_known_member(name);
        match self.validation.unknown_member_policy() {
            UnknownMembers::Reject => match request.keys().find(|n| !known(n)) {
                Some(name) => Err(RegistrationError::invalid_client_metadata(format!(
                    "{} is not a client metadata member this server knows",
                    Quoted(name)
                ))),
                None => Ok((Cow::Borrowed(request), Vec::new())),
            },
            UnknownMembers::Drop if request.keys().any(|n| !known(n)) => {
                let mut kept = Map::with_capacity(request.len());
                let mut ignored = Vec::new();
                for (name, value) in request {
                    if known(name) {
                        kept.insert(name.clone(), value.clone());
                    } else {
                        ignored.push(name.clone());
                    }
                }
                Ok((Cow::Owned(kept), ignored))
            }
            _ => Ok((Cow::Borrowed(request), Vec::new())),
        }
    }

    fn statement_of<'r>(&self, request: &'r Map<String, Value>) -> Result<Option<&'r str>, RegistrationError> {
        match request.get("software_statement") {
            Some(Value::String(s)) => Ok(Some(s.as_str())),
            Some(_) => Err(RegistrationError::invalid_software_statement(
                "\"software_statement\" must be a string holding a compact JWS",
            )),
            None if self.require_software_statement => Err(RegistrationError::invalid_software_statement(
                "this server requires a software statement: add \"software_statement\" to the request",
            )),
            None => Ok(None),
        }
    }

    fn complete(
        &self,
        request: &Map<String, Value>,
        verified: Option<(&str, VerifiedStatement)>,
        ignored: Vec<String>,
    ) -> Result<Registration, RegistrationError> {
        if let Some((_, s)) = &verified {
            // Merge rule 10: a statement cannot assert what only the server issues.
            if let Some(name) = s.claims().keys().find(|n| is_server_issued(n)) {
                return Err(RegistrationError::invalid_software_statement(format!(
                    "the software statement asserts {}, which only the server issues",
                    Quoted(name)
                )));
            }
            if let Some(missing) = self.required_claims.iter().find(|c| !s.claims().contains_key(*c)) {
                return Err(StatementError::MissingClaim(missing.clone()).into());
            }
        }
        let merged = merge(request, verified.as_ref().map(|(t, s)| (*t, s.claims())));
        merged.metadata.validate(&self.validation)?;
        // The client's own keys must be usable keys, not just a JSON object.
        super::client_keys::inline_jwks(&merged.metadata)?;
        Ok(Registration {
            metadata: merged.metadata,
            overridden: merged.overridden,
            statement: verified.map(|(_, s)| StatementInfo {
                issuer: s.issuer().to_owned(),
                alg: s.header().alg(),
                kid: s.header().kid().map(str::to_owned),
            }),
            ignored,
        })
    }
}

/// Whether `name` (or the family it is a language-tagged member of) is issued by the server.
fn is_server_issued(name: &str) -> bool {
    SERVER_ISSUED_MEMBERS.contains(&split_member_name(name).0)
}
