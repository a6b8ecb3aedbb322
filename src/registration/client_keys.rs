//! A registered client's own keys, resolved from its verified metadata (`jwks` inline or
//! `jwks_uri` fetched) with the same machinery as an issuer's keys, so that an
//! authorization server can verify what the client signs later (a signed request
//! object, a `private_key_jwt` client assertion).
//!
//! ```
//! use serde_json::json;
//! use software_statement::{sign_jws, Algorithm, AlgorithmSet, ClientKeys, ClientMetadata, Jwk};
//!
//! let client_key = Jwk::generate(Algorithm::ES256)?;
//! let metadata = ClientMetadata::from_map(
//!     json!({"jwks": {"keys": [client_key.to_public()?.to_value()]}}).as_object().unwrap().clone(),
//! );
//! let keys = ClientKeys::from_metadata(&metadata)?.expect("the client has keys");
//! let assertion = sign_jws(&client_key, Algorithm::ES256, &Default::default(), b"{}")?;
//! keys.verify(&assertion, AlgorithmSet::of(&[Algorithm::ES256]))?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::sync::Arc;

use crate::error::{RegistrationError, StatementError};
use crate::jwa::AlgorithmSet;
use crate::jwk::JwkSet;
use crate::jws::{Limits, UnverifiedJws, Verified};
use crate::key_source::KeySource;
use crate::metadata::ClientMetadata;

/// A client's verification keys.
#[derive(Clone, Debug)]
pub struct ClientKeys {
    source: KeySource,
    limits: Limits,
}

impl ClientKeys {
    /// The keys of the client's inline `jwks` (every key must be valid); `None` when the
    /// metadata has neither `jwks` nor `jwks_uri`. A `jwks_uri` needs
    /// `from_metadata_remote` (feature `remote`).
    pub fn from_metadata(metadata: &ClientMetadata) -> Result<Option<ClientKeys>, RegistrationError> {
        if let Some(jwks) = inline_jwks(metadata)? {
            return Ok(Some(ClientKeys::new(KeySource::Jwks(Arc::new(jwks)))));
        }
        match metadata.jwks_uri() {
            None => Ok(None),
            Some(_) => Err(RegistrationError::invalid_client_metadata(
                "\"jwks_uri\" keys need a fetcher: this server was built without remote key support",
            )),
        }
    }

    /// Like [`from_metadata`](Self::from_metadata), resolving a `jwks_uri` with a cached
    /// fetcher built from `options`.
    #[cfg(feature = "remote")]
    pub fn from_metadata_remote(
        metadata: &ClientMetadata,
        options: crate::remote::RemoteOptions,
    ) -> Result<Option<ClientKeys>, RegistrationError> {
        if let Some(jwks) = inline_jwks(metadata)? {
            return Ok(Some(ClientKeys::new(KeySource::Jwks(Arc::new(jwks)))));
        }
        match metadata.jwks_uri() {
            None => Ok(None),
            Some(uri) => crate::remote::RemoteJwks::new(uri, options)
                .map(|r| Some(ClientKeys::new(KeySource::Remote(Arc::new(r)))))
                .map_err(|e| RegistrationError::invalid_client_metadata(format!("\"jwks_uri\": {e}"))),
        }
    }

    /// Keys from any source.
    pub fn new(source: KeySource) -> Self {
        ClientKeys {
            source,
            limits: Limits::default(),
        }
    }

    /// The key source.
    pub fn source(&self) -> &KeySource {
        &self.source
    }

    /// Verifies a compact JWS signed by the client (signature only: the caller checks
    /// the payload's claims for its own protocol). Keys must be local or cached.
    pub fn verify(&self, token: &str, allowed: AlgorithmSet) -> Result<Verified, StatementError> {
        let jws = UnverifiedJws::parse(token, &self.limits)?;
        let keys = self.source.available(self.owner())?;
        Ok(jws.verify(&keys, allowed)?)
    }

    /// Verifies a compact JWS signed by the client, fetching its `jwks_uri` when needed.
    #[cfg(feature = "remote")]
    pub async fn verify_async(&self, token: &str, allowed: AlgorithmSet) -> Result<Verified, StatementError> {
        let jws = UnverifiedJws::parse(token, &self.limits)?;
        let keys = self.source.resolve(self.owner(), jws.header().kid()).await?;
        Ok(jws.verify(&keys, allowed)?)
    }

    /// How the keys are named in errors: the client's `jwks_uri`.
    fn owner(&self) -> &str {
        self.source.uri().unwrap_or("the client")
    }
}

/// The client's inline `jwks`, validated like an operator-configured set (a client that
/// registers keys must register valid ones).
pub(crate) fn inline_jwks(metadata: &ClientMetadata) -> Result<Option<JwkSet>, RegistrationError> {
    match metadata.get("jwks") {
        None => Ok(None),
        Some(v) => JwkSet::from_value(v)
            .map(Some)
            .map_err(|e| RegistrationError::invalid_client_metadata(format!("\"jwks\": {e}"))),
    }
}
