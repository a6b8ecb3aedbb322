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
use std::sync::Arc;

use serde_json::{json, Map, Value};

use super::merge::merge;
use super::signed_request::{self, BodyKind, ClientKeySource, RequestInfo, SignedRequestPolicy, SignedRequests};
use crate::error::{Quoted, RegistrationError, StatementError};
use crate::metadata::{split_member_name, ClientMetadata, UnknownMembers, ValidationOptions, SERVER_ISSUED_MEMBERS};
use crate::replay::{self, MemoryReplayGuard, ReplayError, ReplayGuard, Seen};
use crate::statement::{ClientKeyMode, RedirectUriMode, VerifiedStatement, Verifier};

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
    /// For a signed request: its `alg`, `kid` and `jti`.
    pub request: Option<RequestInfo>,
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
        if let Some(request) = &self.request {
            out["request"] = json!({"alg": request.alg.name(), "kid": request.kid, "jti": request.jti});
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
    signed: Option<SignedRequestPolicy>,
    replay: Arc<dyn ReplayGuard>,
    #[cfg(feature = "remote")]
    client_keys: ClientKeyFetchers,
}

/// A token identifier to record once, after the registration succeeded: its guard key,
/// until when, and the code of a replay.
pub(super) struct ReplayEntry {
    key: String,
    expires_at: u64,
    replay: RegistrationError,
}

/// How long a one-time-use statement without `exp` is remembered.
const NO_EXP_RETENTION: u64 = 24 * 60 * 60;

/// The fetchers of clients' `jwks_uri`s named by verified statements (signed requests),
/// one per URI, shared by the clones of a registrar.
#[cfg(feature = "remote")]
#[derive(Clone, Debug, Default)]
struct ClientKeyFetchers {
    options: crate::remote::RemoteOptions,
    by_uri: Arc<std::sync::Mutex<std::collections::HashMap<String, Arc<crate::remote::RemoteJwks>>>>,
}

#[cfg(feature = "remote")]
impl ClientKeyFetchers {
    fn get(&self, uri: &str) -> Result<Arc<crate::remote::RemoteJwks>, RegistrationError> {
        let mut map = self.by_uri.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(fetcher) = map.get(uri) {
            return Ok(fetcher.clone());
        }
        let fetcher = crate::remote::RemoteJwks::new(uri, self.options.clone())
            .map(Arc::new)
            .map_err(|e| {
                RegistrationError::invalid_software_statement(format!("the software statement's jwks_uri: {e}"))
            })?;
        map.insert(uri.to_owned(), fetcher.clone());
        Ok(fetcher)
    }
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
            signed: None,
            replay: Arc::new(MemoryReplayGuard::default()),
            #[cfg(feature = "remote")]
            client_keys: ClientKeyFetchers::default(),
        }
    }

    /// The replay guard (default: an in-memory guard of a million entries, for one
    /// process). Share a store-backed guard (feature `redis`) across a fleet of servers.
    #[must_use]
    pub fn replay_guard(mut self, guard: Arc<dyn ReplayGuard>) -> Self {
        self.replay = guard;
        self
    }

    /// Accepts signed registration requests under `policy` (the README's "Signed
    /// registration requests"). Without it, a signed request is refused.
    #[must_use]
    pub fn signed_requests(mut self, policy: SignedRequestPolicy) -> Self {
        self.signed = Some(policy);
        self
    }

    /// The options of the fetchers of clients' `jwks_uri`s that verified statements name
    /// (the same rules as an issuer's `jwks_uri`).
    #[cfg(feature = "remote")]
    #[must_use]
    pub fn client_key_options(mut self, options: crate::remote::RemoteOptions) -> Self {
        self.client_keys = ClientKeyFetchers {
            options,
            by_uri: Default::default(),
        };
        self
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

    /// Registers a request body of the given media type: `application/json` (a JSON
    /// object), `application/jwt` or `application/jose` (a signed request); anything else
    /// is refused with HTTP status 415. Keys must be local or cached: use
    /// `register_body_async` (feature `remote`) when a `jwks_uri` may need a
    /// fetch.
    pub fn register_body(&self, body: &[u8], content_type: &str) -> Result<Registration, RegistrationError> {
        match signed_request::body_kind(content_type)? {
            BodyKind::Json => self.register_json(self.json_text(body)?),
            BodyKind::Signed => {
                let (policy, parsed) = self.parse_signed(body)?;
                let statement = self.verifier.verify(&parsed.statement)?;
                let keys = match signed_request::client_keys(&statement)? {
                    ClientKeySource::Inline(set) => set,
                    ClientKeySource::Uri(uri) => self.cached_client_keys(uri)?,
                };
                let (registration, entries) = self.finish_signed(policy, parsed, statement, &keys)?;
                self.record_now(entries)?;
                Ok(registration)
            }
        }
    }

    /// [`register_body`](Self::register_body), fetching an issuer's or the client's
    /// `jwks_uri` when needed. The client's keys are fetched only after the statement
    /// verified.
    #[cfg(feature = "remote")]
    pub async fn register_body_async(
        &self,
        body: &[u8],
        content_type: &str,
    ) -> Result<Registration, RegistrationError> {
        match signed_request::body_kind(content_type)? {
            BodyKind::Json => {
                let request = self.parse_request(self.json_text(body)?)?;
                self.register_async(&request).await
            }
            BodyKind::Signed => {
                let (policy, parsed) = self.parse_signed(body)?;
                let statement = self.verifier.verify_async(&parsed.statement).await?;
                let keys = match signed_request::client_keys(&statement)? {
                    ClientKeySource::Inline(set) => set,
                    ClientKeySource::Uri(uri) => {
                        let fetcher = self.client_keys.get(uri)?;
                        let fetched = match parsed.jws.header().kid() {
                            Some(kid) => fetcher.keys_for_kid(kid).await,
                            None => fetcher.keys().await,
                        };
                        fetched.map_err(|e| signed_request::keys_unavailable(&e.to_string()))?
                    }
                };
                let (registration, entries) = self.finish_signed(policy, parsed, statement, &keys)?;
                self.record(entries).await?;
                Ok(registration)
            }
        }
    }

    /// A JSON body's text (UTF-8), refused when only signed requests are accepted.
    fn json_text<'b>(&self, body: &'b [u8]) -> Result<&'b str, RegistrationError> {
        self.check_json_allowed()?;
        std::str::from_utf8(body)
            .map_err(|_| RegistrationError::invalid_client_metadata("the request body must be UTF-8 JSON"))
    }

    /// Refuses a JSON request when only signed requests are accepted (every JSON entry
    /// point: `register_body`, `register_json`, `register`, `register_async`).
    fn check_json_allowed(&self) -> Result<(), RegistrationError> {
        if self
            .signed
            .as_ref()
            .is_some_and(|p| p.signed_requests() == SignedRequests::Required)
        {
            return Err(RegistrationError::invalid_client_metadata(
                "this server accepts signed registration requests only (application/jwt)",
            ));
        }
        Ok(())
    }

    /// Steps 1 and 2 of a signed request.
    fn parse_signed<'b>(
        &self,
        body: &'b [u8],
    ) -> Result<(&SignedRequestPolicy, signed_request::ParsedRequest<'b>), RegistrationError> {
        let Some(policy) = &self.signed else {
            return Err(RegistrationError::invalid_client_metadata(
                "this server does not accept signed registration requests",
            ));
        };
        if body.len() > self.max_request_bytes {
            return Err(RegistrationError::invalid_client_metadata(format!(
                "the request body is {} bytes, more than the {} this server accepts",
                body.len(),
                self.max_request_bytes
            )));
        }
        let text = std::str::from_utf8(body).map_err(|_| {
            RegistrationError::invalid_client_metadata("the signed registration request is not a valid JWS")
        })?;
        Ok((policy, signed_request::parse(text.trim(), self.max_request_bytes)?))
    }

    /// A client `jwks_uri`'s keys on the synchronous path: cached ones only.
    fn cached_client_keys(&self, uri: &str) -> Result<Arc<crate::jwk::JwkSet>, RegistrationError> {
        #[cfg(feature = "remote")]
        {
            self.client_keys.get(uri)?.cached().ok_or_else(|| {
                signed_request::keys_unavailable("not fetched yet (the synchronous path does not fetch)")
            })
        }
        #[cfg(not(feature = "remote"))]
        {
            let _ = uri;
            Err(signed_request::keys_unavailable(
                "this server was built without remote key support",
            ))
        }
    }

    /// Steps 5 to 7 of a signed request, then the registration step on its plain members.
    fn finish_signed(
        &self,
        policy: &SignedRequestPolicy,
        parsed: signed_request::ParsedRequest<'_>,
        statement: crate::statement::VerifiedStatement,
        keys: &crate::jwk::JwkSet,
    ) -> Result<(Registration, Vec<ReplayEntry>), RegistrationError> {
        let token = parsed.statement.clone();
        let now = self.verifier.clock().now();
        let (request, info) =
            signed_request::verify(parsed, keys, &statement, policy, now, self.verifier.leeway_seconds())?;
        let software_id = statement
            .claims()
            .get("software_id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let (request, ignored) = self.screen(&request)?;
        let (mut registration, mut entries) = self.complete(request.as_ref(), Some((&token, statement)), ignored)?;
        // The request's `jti`, per client (its `iss`, the statement's software_id), checked
        // first: a replayed request is a replayed request, whatever its statement.
        entries.insert(
            0,
            ReplayEntry {
                key: replay::key("req", &software_id, &info.jti),
                expires_at: info.exp.saturating_add(self.verifier.leeway_seconds()),
                replay: RegistrationError::invalid_client_metadata(
                    "this signed registration request (its jti) was already used",
                ),
            },
        );
        registration.request = Some(info);
        Ok((registration, entries))
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
        self.check_json_allowed()?;
        let (request, ignored) = self.screen(request)?;
        let request = request.as_ref();
        let verified = match self.statement_of(request)? {
            Some(token) => Some((token, self.verifier.verify(token)?)),
            None => None,
        };
        let (registration, entries) = self.complete(request, verified, ignored)?;
        self.record_now(entries)?;
        Ok(registration)
    }

    /// Runs the registration step, fetching an issuer's `jwks_uri` when needed.
    #[cfg(feature = "remote")]
    pub async fn register_async(&self, request: &Map<String, Value>) -> Result<Registration, RegistrationError> {
        self.check_json_allowed()?;
        let (request, ignored) = self.screen(request)?;
        let request = request.as_ref();
        let verified = match self.statement_of(request)? {
            Some(token) => Some((token, self.verifier.verify_async(token).await?)),
            None => None,
        };
        let (registration, entries) = self.complete(request, verified, ignored)?;
        self.record(entries).await?;
        Ok(registration)
    }

    /// The request's own members checked before any work on the statement: members only
    /// the server issues refused (merge rule 10), unknown members kept, dropped or refused
    /// by policy (merge rule 11). Returns the request to merge and the dropped names.
    pub(super) fn screen<'r>(&self, request: &'r Map<String, Value>) -> Result<Screened<'r>, RegistrationError> {
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

    pub(super) fn statement_of<'r>(
        &self,
        request: &'r Map<String, Value>,
    ) -> Result<Option<&'r str>, RegistrationError> {
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

    pub(super) fn complete(
        &self,
        request: &Map<String, Value>,
        verified: Option<(&str, VerifiedStatement)>,
        ignored: Vec<String>,
    ) -> Result<(Registration, Vec<ReplayEntry>), RegistrationError> {
        let entries = match &verified {
            Some((_, s)) if s.one_time_use => vec![self.statement_entry(s)?],
            _ => Vec::new(),
        };
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
        if let Some((_, s)) = &verified {
            check_client_keys(request, s)?;
        }
        let mut merged = merge(request, verified.as_ref().map(|(t, s)| (*t, s.claims())));
        if let Some((_, s)) = &verified {
            choose_redirect_uris(request, s, &mut merged)?;
        }
        merged.metadata.validate(&self.validation)?;
        // The client's own keys must be usable keys, not just a JSON object.
        super::client_keys::inline_jwks(&merged.metadata)?;
        let registration = Registration {
            metadata: merged.metadata,
            overridden: merged.overridden,
            statement: verified.map(|(_, s)| StatementInfo {
                issuer: s.issuer().to_owned(),
                alg: s.header().alg(),
                kid: s.header().kid().map(str::to_owned),
            }),
            ignored,
            request: None,
        };
        Ok((registration, entries))
    }

    /// A one-time-use statement's entry: its `jti` (required) until its `exp` plus leeway.
    fn statement_entry(
        &self,
        statement: &crate::statement::VerifiedStatement,
    ) -> Result<ReplayEntry, RegistrationError> {
        let claims = statement.claims();
        let Some(Value::String(jti)) = claims.get("jti") else {
            return Err(RegistrationError::invalid_software_statement(
                "this issuer's statements are one-time-use: the statement needs a jti",
            ));
        };
        let leeway = self.verifier.leeway_seconds();
        let expires_at = match claims.get("exp").and_then(Value::as_f64) {
            Some(exp) => (exp as u64).saturating_add(leeway),
            None => self.verifier.clock().now().saturating_add(NO_EXP_RETENTION + leeway),
        };
        Ok(ReplayEntry {
            key: replay::key("ssa", statement.issuer(), jti),
            expires_at,
            replay: RegistrationError::invalid_software_statement(
                "this software statement is one-time-use and was already used",
            ),
        })
    }

    /// Records the entries in order; the first already seen is the error; a guard that
    /// cannot answer fails closed (HTTP 503).
    pub(super) fn record_now(&self, entries: Vec<ReplayEntry>) -> Result<(), RegistrationError> {
        let now = self.verifier.clock().now();
        for entry in entries {
            let seen = replay::record_now(self.replay.as_ref(), &entry.key, entry.expires_at, now);
            check_seen(seen, entry.replay)?;
        }
        Ok(())
    }

    /// [`record_now`](Self::record_now), awaiting the guard.
    #[cfg(feature = "remote")]
    pub(super) async fn record(&self, entries: Vec<ReplayEntry>) -> Result<(), RegistrationError> {
        let now = self.verifier.clock().now();
        for entry in entries {
            let seen = self.replay.record(&entry.key, entry.expires_at, now).await;
            check_seen(seen, entry.replay)?;
        }
        Ok(())
    }
}

fn check_seen(seen: Result<Seen, ReplayError>, replay: RegistrationError) -> Result<(), RegistrationError> {
    match seen {
        Ok(Seen::First) => Ok(()),
        Ok(Seen::Again) => Err(replay),
        Err(e) => Err(RegistrationError::unavailable(format!(
            "the registration cannot be checked for replay right now ({e}); try again later"
        ))),
    }
}

/// An issuer with `client_keys: statement`: a request `jwks` is refused; a request
/// `jwks_uri` must equal the statement's (and is then reported as overridden, as any member
/// the statement asserts).
fn check_client_keys(request: &Map<String, Value>, statement: &VerifiedStatement) -> Result<(), RegistrationError> {
    if statement.client_keys != ClientKeyMode::Statement {
        return Ok(());
    }
    if request.keys().any(|n| split_member_name(n).0 == "jwks") {
        return Err(RegistrationError::invalid_client_metadata(
            "this issuer's clients register their keys through the software statement only: remove jwks",
        ));
    }
    if let Some(uri) = request.get("jwks_uri") {
        if statement.claims().get("jwks_uri") != Some(uri) {
            return Err(RegistrationError::invalid_client_metadata(
                "jwks_uri must be the software statement's jwks_uri (this issuer's clients register their keys through it)",
            ));
        }
    }
    Ok(())
}

/// An issuer with `redirect_uris: subset`: when the statement asserts `redirect_uris`, the
/// request's, if present, must be a non-empty subset of them (exact strings), and becomes
/// the effective list (not reported as overridden).
fn choose_redirect_uris(
    request: &Map<String, Value>,
    statement: &VerifiedStatement,
    merged: &mut super::Merged,
) -> Result<(), RegistrationError> {
    if statement.redirect_uris != RedirectUriMode::Subset {
        return Ok(());
    }
    let (Some(Value::Array(asserted)), Some(requested)) =
        (statement.claims().get("redirect_uris"), request.get("redirect_uris"))
    else {
        return Ok(());
    };
    let Some(requested_list) = requested.as_array().filter(|l| !l.is_empty()) else {
        return Err(RegistrationError::invalid_redirect_uri(
            "redirect_uris must be a non-empty subset of the software statement's redirect URIs",
        ));
    };
    if let Some((index, _)) = requested_list
        .iter()
        .enumerate()
        .find(|(_, uri)| !asserted.contains(uri))
    {
        return Err(RegistrationError::invalid_redirect_uri(format!(
            "redirect_uris[{index}] is not one of the software statement's redirect URIs"
        )));
    }
    merged.metadata.set("redirect_uris", requested.clone());
    merged.overridden.retain(|n| n != "redirect_uris");
    Ok(())
}

/// A request after [`Registrar::screen`]: the members to merge and the names dropped.
pub(super) type Screened<'r> = (Cow<'r, Map<String, Value>>, Vec<String>);

/// Whether `name` (or the family it is a language-tagged member of) is issued by the server.
fn is_server_issued(name: &str) -> bool {
    SERVER_ISSUED_MEMBERS.contains(&split_member_name(name).0)
}
