//! One fetch of a `jwks_uri`: the hardened HTTP client, the GET with its checks, and
//! the mapping of transport errors.

use reqwest::header::ACCEPT;
use reqwest::StatusCode;

use super::resolver::{AddressPolicy, AddressRefused, FilteringResolver};
use super::{RemoteOptions, Shared};
use crate::error::RemoteError;
use crate::jwk::JwkSet;

impl Shared {
    /// One GET of the URI: the parsed set and its cache lifetime in seconds.
    pub(super) async fn fetch(&self) -> Result<(JwkSet, u64), RemoteError> {
        let host = || self.host.clone();
        let mut response = self
            .client
            .get(self.url.clone())
            .header(ACCEPT, "application/jwk-set+json, application/json")
            .timeout(self.options.timeout)
            .send()
            .await
            .map_err(|e| self.map_error(&e))?;
        let status = response.status();
        if status.is_redirection() || response.url() != &self.url {
            return Err(RemoteError::Redirect { host: host() });
        }
        if status != StatusCode::OK {
            return Err(RemoteError::Status {
                host: host(),
                status: status.as_u16(),
            });
        }
        let limit = self.options.max_body_bytes;
        let too_large = || RemoteError::TooLarge { host: host(), limit };
        let declared = response.content_length();
        if declared.is_some_and(|n| n > limit as u64) {
            return Err(too_large());
        }
        let ttl = self.options.ttl(response.headers());
        let mut body = Vec::with_capacity(declared.map_or(0, |n| n as usize).min(limit));
        while let Some(chunk) = response.chunk().await.map_err(|e| self.map_error(&e))? {
            if body.len() + chunk.len() > limit {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        let text = std::str::from_utf8(&body).map_err(|_| RemoteError::InvalidJson { host: host() })?;
        if serde_json::from_str::<serde::de::IgnoredAny>(text).is_err() {
            return Err(RemoteError::InvalidJson { host: host() });
        }
        let set = JwkSet::from_json_lenient(text).map_err(|source| RemoteError::InvalidSet { host: host(), source })?;
        if set.is_empty() {
            return Err(RemoteError::NoUsableKeys {
                host: host(),
                skipped: set.skipped().len(),
            });
        }
        Ok((set, ttl))
    }

    fn map_error(&self, e: &reqwest::Error) -> RemoteError {
        let host = self.host.clone();
        let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
        let mut innermost: &(dyn std::error::Error + 'static) = e;
        while let Some(s) = source {
            if s.downcast_ref::<AddressRefused>().is_some() {
                return RemoteError::AddressNotAllowed { host };
            }
            innermost = s;
            source = s.source();
        }
        if e.is_timeout() {
            RemoteError::Timeout { host }
        } else if e.is_redirect() {
            RemoteError::Redirect { host }
        } else if e.is_connect() {
            RemoteError::Connect {
                host,
                reason: innermost.to_string(),
            }
        } else {
            RemoteError::Http {
                host,
                reason: innermost.to_string(),
            }
        }
    }
}

pub(super) fn build_client(
    options: &RemoteOptions,
    policy: AddressPolicy,
    https_only: bool,
) -> Result<reqwest::Client, RemoteError> {
    let client_error = |e: reqwest::Error| RemoteError::Client(e.to_string());
    let roots = options
        .root_certificates
        .iter()
        .map(|der| reqwest::Certificate::from_der(der).map_err(client_error))
        .collect::<Result<Vec<_>, _>>()?;
    let mut builder = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .retry(reqwest::retry::never())
        .no_proxy()
        .referer(false)
        .https_only(https_only)
        .connect_timeout(options.connect_timeout)
        .timeout(options.timeout)
        .user_agent(concat!("software-statement/", env!("CARGO_PKG_VERSION")))
        .dns_resolver(FilteringResolver { policy });
    if !roots.is_empty() {
        builder = builder.tls_certs_merge(roots);
    }
    builder.build().map_err(client_error)
}
