//! RFC 7592 updates of a registered client: [`Registrar::update`] runs the registration
//! step again on the new request, after the rules on the client's identifiers, and keeps the
//! statement's issuer and `software_id` (the README's "Updating a registration").

use serde_json::{Map, Value};

use super::registrar::{Registrar, Registration};
use crate::error::RegistrationError;
use crate::metadata::{split_member_name, ClientMetadata, SERVER_ISSUED_MEMBERS};

impl Registrar {
    /// An RFC 7592 update of a registered client (`PUT` on its configuration endpoint):
    /// `current` is the client's registered metadata as the server stored it (with its
    /// `client_id`, and its `client_secret` if it has one), `request` the new request.
    ///
    /// Rules (the README's "Updating a registration"): the request's `client_id` is
    /// required and must equal the current one; `registration_access_token`,
    /// `registration_client_uri`, `client_id_issued_at`, `client_secret_expires_at` are
    /// refused; a `client_secret`, if sent, must equal the current one; a statement is
    /// re-verified when sent and required when the client was registered with one, and
    /// its issuer and `software_id` must not change (`invalid_software_statement`). The
    /// rest is the registration step. The result reports what changed.
    pub fn update(&self, current: &ClientMetadata, request: &Map<String, Value>) -> Result<Update, RegistrationError> {
        let (plain, expected) = self.prepare_update(current, request)?;
        let (plain, ignored) = self.screen(&plain)?;
        let plain = plain.as_ref();
        let verified = match self.statement_of(plain)? {
            Some(token) => Some((token, self.verifier().verify(token)?)),
            None => None,
        };
        check_same_software(&expected, verified.as_ref().map(|(_, s)| s))?;
        let fresh = verified
            .as_ref()
            .is_some_and(|(t, _)| Some(*t) != current.software_statement());
        let (registration, entries) = self.complete(plain, verified, ignored)?;
        if fresh {
            self.record_now(entries)?;
        }
        Ok(Update::of(current, registration))
    }

    /// [`update`](Self::update), fetching an issuer's `jwks_uri` when needed.
    #[cfg(feature = "remote")]
    pub async fn update_async(
        &self,
        current: &ClientMetadata,
        request: &Map<String, Value>,
    ) -> Result<Update, RegistrationError> {
        let (plain, expected) = self.prepare_update(current, request)?;
        let (plain, ignored) = self.screen(&plain)?;
        let plain = plain.as_ref();
        let verified = match self.statement_of(plain)? {
            Some(token) => Some((token, self.verifier().verify_async(token).await?)),
            None => None,
        };
        check_same_software(&expected, verified.as_ref().map(|(_, s)| s))?;
        let fresh = verified
            .as_ref()
            .is_some_and(|(t, _)| Some(*t) != current.software_statement());
        let (registration, entries) = self.complete(plain, verified, ignored)?;
        if fresh {
            self.record(entries).await?;
        }
        Ok(Update::of(current, registration))
    }

    /// The update rules on the identifiers; returns the request without `client_id` and
    /// `client_secret`, and what the statement must still say.
    fn prepare_update(
        &self,
        current: &ClientMetadata,
        request: &Map<String, Value>,
    ) -> Result<(Map<String, Value>, Option<ExpectedSoftware>), RegistrationError> {
        let current_id = current.get("client_id").and_then(Value::as_str);
        match (request.get("client_id").and_then(Value::as_str), current_id) {
            (Some(sent), Some(id)) if sent == id => {}
            (None, _) => {
                return Err(RegistrationError::invalid_client_metadata(
                    "an update must carry the client's client_id (RFC 7592 section 2.2)",
                ))
            }
            _ => {
                return Err(RegistrationError::invalid_client_metadata(
                    "the update's client_id is not this client's",
                ))
            }
        }
        for member in [
            "registration_access_token",
            "registration_client_uri",
            "client_id_issued_at",
            "client_secret_expires_at",
        ] {
            if request.keys().any(|n| split_member_name(n).0 == member) {
                return Err(RegistrationError::invalid_client_metadata(format!(
                    "{member} is issued by the server: an update must not set it (RFC 7592 section 2.2)"
                )));
            }
        }
        if let Some(secret) = request.get("client_secret") {
            if current.get("client_secret") != Some(secret) {
                return Err(RegistrationError::invalid_client_metadata(
                    "the update's client_secret is not this client's",
                ));
            }
        }
        let expected = match current.software_statement() {
            None => None,
            Some(statement) => {
                if !request.contains_key("software_statement") {
                    return Err(RegistrationError::invalid_software_statement(
                        "this client was registered with a software statement: an update must send one again",
                    ));
                }
                Some(ExpectedSoftware {
                    issuer: unverified_issuer(statement),
                    software_id: current.software_id().map(str::to_owned),
                })
            }
        };
        // Removed keeping the order of the rest (a `remove` would move the last member).
        let mut plain = request.clone();
        plain.retain(|name, _| name != "client_id" && name != "client_secret");
        Ok((plain, expected))
    }
}

/// What the statement of an update must still say: the registration's issuer and
/// `software_id`.
struct ExpectedSoftware {
    issuer: Option<String>,
    software_id: Option<String>,
}

/// The issuer (`iss`) of a statement the server stored when it registered the client
/// (verified then; read here without verifying again).
fn unverified_issuer(statement: &str) -> Option<String> {
    let (_, payload) = crate::dangerous::decode_unverified(statement, &crate::jws::Limits::default()).ok()?;
    let claims = crate::json::parse_object(&payload, crate::json::MAX_DEPTH).ok()?;
    claims.get("iss")?.as_str().map(str::to_owned)
}

/// An update's statement keeps the registration's issuer and `software_id`.
fn check_same_software(
    expected: &Option<ExpectedSoftware>,
    statement: Option<&crate::statement::VerifiedStatement>,
) -> Result<(), RegistrationError> {
    let (Some(expected), Some(statement)) = (expected, statement) else {
        return Ok(());
    };
    if expected.issuer.as_deref().is_some_and(|iss| iss != statement.issuer()) {
        return Err(RegistrationError::invalid_software_statement(
            "the update's software statement is from another issuer than the registration's",
        ));
    }
    let software_id = statement.claims().get("software_id").and_then(Value::as_str);
    if expected.software_id.as_deref() != software_id {
        return Err(RegistrationError::invalid_software_statement(
            "the update's software statement names another software_id than the registration's",
        ));
    }
    Ok(())
}

/// The outcome of an RFC 7592 update: the new registration and what changed.
#[derive(Clone, Debug, PartialEq)]
pub struct Update {
    /// The new effective, validated metadata (without the server-issued members: the server
    /// adds them back).
    pub registration: Registration,
    /// Member names whose value changed, was added or was removed, compared with the
    /// current metadata (server-issued members left out): the new metadata's order, then
    /// the removed ones.
    pub changed: Vec<String>,
}

impl Update {
    fn of(current: &ClientMetadata, registration: Registration) -> Update {
        let new = registration.metadata.as_map();
        let issued = |n: &str| SERVER_ISSUED_MEMBERS.contains(&split_member_name(n).0);
        let mut changed: Vec<String> = new
            .iter()
            .filter(|(n, v)| !issued(n) && current.get(n) != Some(*v))
            .map(|(n, _)| n.clone())
            .collect();
        changed.extend(
            current
                .as_map()
                .keys()
                .filter(|n| !issued(n) && !new.contains_key(*n))
                .cloned(),
        );
        Update { registration, changed }
    }
}
