//! Fetching and caching a `jwks_uri` (feature `remote`): [`RemoteJwks`].

mod cache;
mod fetch;
mod options;
mod resolver;

use std::fmt;
use std::sync::{Arc, PoisonError, RwLock};

use reqwest::Url;

use self::cache::{Good, Plan, State};
use self::resolver::AddressPolicy;
use crate::error::RemoteError;
use crate::jwk::{JwkSet, SkippedKey};
use crate::net::{http_allowed_host, ip_literal};

pub use self::options::RemoteOptions;

/// A cached, hardened fetcher for one `jwks_uri` (feature `remote`; the remote-key rules
/// of the README's security section). `Send + Sync`: share it with an [`Arc`]. It fetches
/// one JWK Set URI over HTTPS and caches the result:
///
/// - **https only**: `http://` is refused, except to a loopback address literal
///   (`127.0.0.0/8`, `::1`) when [`RemoteOptions::allow_http_loopback`] is set.
///   No user information, no fragment.
/// - **Only globally routable addresses**: an IP-literal host is checked when the
///   [`RemoteJwks`] is made, before any connection; a host name is resolved by a
///   resolver that drops every address that is not [globally
///   routable](crate::is_globally_routable) (unless allowed) and refuses the name when none
///   remain, so the connection goes only to an address that passed the check (no
///   rebinding window).
/// - **No redirects**, a connect timeout and a total timeout, a body size cap checked
///   against `Content-Length` before reading and again while reading.
/// - **A cache** whose lifetime comes from `Cache-Control: max-age`, clamped to bounds;
///   **one fetch in flight** per [`RemoteJwks`], however many callers wait;
///   a **refetch on an unknown `kid`** at most once per cooldown; the **last good set
///   is served while refreshes fail**, for a bounded time past its expiry.
/// - **Invalid keys are skipped** (and reported, [`RemoteJwks::last_skipped`]), the rest
///   of the set stays usable (the key rules); a set with no usable key is an error.
///
/// Errors ([`RemoteError`]) name the URI's host, never a key: they are safe to show to
/// a registrant. The fetcher needs a Tokio runtime (DNS, timeouts).
///
/// ```no_run
/// # async fn run() -> Result<(), software_statement::RemoteError> {
/// use software_statement::{RemoteJwks, RemoteOptions};
/// use std::sync::Arc;
/// use std::time::Duration;
///
/// let jwks = Arc::new(RemoteJwks::new(
///     "https://publisher.example.com/jwks.json",
///     RemoteOptions::default().refetch_cooldown(Duration::from_secs(60)),
/// )?);
/// // The token's header named kid "2024-06": refetches once if a rotation happened.
/// let set = jwks.keys_for_kid("2024-06").await?;
/// if let Some(key) = set.get("2024-06") {
///     // ... verify the token with `key`
/// #   let _ = key;
/// }
/// for skipped in jwks.last_skipped() {
///     eprintln!("{}: key {:?} skipped: {}", jwks.uri(), skipped.kid, skipped.reason);
/// }
/// # Ok(())
/// # }
/// ```
pub struct RemoteJwks(Arc<Shared>);

/// The fetcher's state, shared with the fetch task it spawns: a fetch runs to completion
/// even when every caller waiting for it has gone (a client that hung up), so abandoned
/// requests cannot make the server start the same outbound fetch again and again.
struct Shared {
    uri: String,
    url: Url,
    host: String,
    client: reqwest::Client,
    options: RemoteOptions,
    state: RwLock<State>,
    /// Held for the whole of a fetch, by the fetch task: one fetch in flight at a time.
    fetch_lock: Arc<tokio::sync::Mutex<()>>,
}

impl fmt::Debug for RemoteJwks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RemoteJwks")
            .field("uri", &self.0.uri)
            .field("options", &self.0.options)
            .finish_non_exhaustive()
    }
}

impl RemoteJwks {
    /// A fetcher for `uri`; nothing is fetched yet.
    ///
    /// Refuses a URI that is not absolute, has no host, has user information or a
    /// fragment ([`RemoteError::InvalidUri`]); `http://` unless allowed and to a
    /// loopback address literal ([`RemoteError::InsecureScheme`]); an IP-literal host
    /// that the options do not allow ([`RemoteError::AddressNotAllowed`]), before any
    /// connection.
    pub fn new(uri: &str, options: RemoteOptions) -> Result<Self, RemoteError> {
        let url = Url::parse(uri).map_err(|e| RemoteError::InvalidUri(e.to_string()))?;
        let host = url
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| RemoteError::InvalidUri("no host".into()))?
            .to_owned();
        if !url.username().is_empty() || url.password().is_some() {
            return Err(RemoteError::InvalidUri("user information is not allowed".into()));
        }
        if url.fragment().is_some() {
            return Err(RemoteError::InvalidUri("a fragment is not allowed".into()));
        }
        // The URL parser has already normalised IPv4 forms (`127.1`, `0x7f.0.0.1`) and
        // brackets IPv6; a domain name never parses as an address.
        let literal = ip_literal(&host);
        let http = match url.scheme() {
            "https" => false,
            "http" => {
                // security rule 8, README: loopback addresses (127.0.0.0/8, ::1) and nothing else, so a
                // literal: not even `localhost`.
                if !options.allow_http_loopback || !http_allowed_host(&host) {
                    return Err(RemoteError::InsecureScheme { host });
                }
                true
            }
            _ => return Err(RemoteError::InvalidUri("the scheme must be https".into())),
        };
        let policy = AddressPolicy {
            http,
            scope: options.address_scope,
        };
        if let Some(ip) = literal {
            if !policy.allows(ip) {
                return Err(RemoteError::AddressNotAllowed { host });
            }
        }
        let client = match &options.client {
            Some(c) => c.clone(),
            None => fetch::build_client(&options, policy, !http)?,
        };
        Ok(RemoteJwks(Arc::new(Shared {
            uri: uri.to_owned(),
            url,
            host,
            client,
            options,
            state: RwLock::new(State::default()),
            fetch_lock: Arc::new(tokio::sync::Mutex::new(())),
        })))
    }

    /// The URI, as given.
    pub fn uri(&self) -> &str {
        &self.0.uri
    }

    /// The key set: the cached one while fresh, else fetched (one fetch in flight,
    /// however many callers). When the fetch fails, the last good set is returned if it
    /// expired less than the stale bound ago (the error is kept: [`last_error`]);
    /// otherwise the error. After a failure, no new attempt is made until the
    /// cooldown has passed.
    ///
    /// [`last_error`]: Self::last_error
    pub async fn keys(&self) -> Result<Arc<JwkSet>, RemoteError> {
        self.0.get(None).await
    }

    /// Like [`keys`](Self::keys), for a token whose header names `kid`: when the
    /// fresh cached set has no such key, the set is fetched again — at most once per
    /// cooldown for this URI, whatever the `kid`s asked for, and concurrent callers
    /// share the one fetch. The returned set may still lack `kid`: look it up.
    pub async fn keys_for_kid(&self, kid: &str) -> Result<Arc<JwkSet>, RemoteError> {
        self.0.get(Some(kid)).await
    }

    /// The cached set without waiting or fetching: the fresh one, or the last good one
    /// if it expired less than the stale bound ago. For synchronous verification paths.
    pub fn cached(&self) -> Option<Arc<JwkSet>> {
        let now = self.0.options.clock.now();
        let state = self.0.read();
        state
            .good
            .as_ref()
            .filter(|g| now <= g.expires_at.saturating_add(self.0.options.stale_bound))
            .map(|g| g.set.clone())
    }

    /// The keys that were skipped (invalid, or of an unknown type) in the last good
    /// set fetched. Empty before the first successful fetch.
    pub fn last_skipped(&self) -> Vec<SkippedKey> {
        self.0
            .read()
            .good
            .as_ref()
            .map(|g| g.set.skipped().to_vec())
            .unwrap_or_default()
    }

    /// The error of the last fetch, if it failed (cleared by a successful fetch): for
    /// reporting while the last good set is served.
    pub fn last_error(&self) -> Option<RemoteError> {
        self.0.read().last_error.clone()
    }
}

impl Shared {
    fn read(&self) -> std::sync::RwLockReadGuard<'_, State> {
        self.state.read().unwrap_or_else(PoisonError::into_inner)
    }

    async fn get(self: &Arc<Self>, kid: Option<&str>) -> Result<Arc<JwkSet>, RemoteError> {
        match self.plan(kid) {
            Plan::Serve(set) => return Ok(set),
            Plan::Fail(e) => return Err(e),
            Plan::Fetch => {}
        }
        let guard = self.fetch_lock.clone().lock_owned().await;
        // Another caller may have fetched while this one waited.
        match self.plan(kid) {
            Plan::Serve(set) => return Ok(set),
            Plan::Fail(e) => return Err(e),
            Plan::Fetch => {}
        }
        // A fetch spends the cooldown as it starts: callers with other unknown `kid`s
        // meanwhile get the fresh set (if any) instead of waiting for this fetch.
        self.state.write().unwrap_or_else(PoisonError::into_inner).last_attempt = Some(self.options.clock.now());
        // The fetch runs in its own task, holding the lock: when this caller goes away,
        // it still completes and fills the cache for the next one.
        let shared = self.clone();
        let task = tokio::spawn(async move {
            let result = shared.fetch_and_store().await;
            drop(guard);
            result
        });
        task.await.unwrap_or_else(|_| {
            Err(RemoteError::Http {
                host: self.host.clone(),
                reason: "the fetch task ended abnormally".into(),
            })
        })
    }

    /// One fetch under the total timeout; the cache state updated with its outcome.
    async fn fetch_and_store(&self) -> Result<Arc<JwkSet>, RemoteError> {
        let result = match tokio::time::timeout(self.options.timeout, self.fetch()).await {
            Ok(r) => r,
            Err(_) => Err(RemoteError::Timeout {
                host: self.host.clone(),
            }),
        };
        let now = self.options.clock.now();
        let mut state = self.state.write().unwrap_or_else(PoisonError::into_inner);
        match result {
            Ok((set, ttl)) => {
                let set = Arc::new(set);
                state.good = Some(Good {
                    set: set.clone(),
                    expires_at: now.saturating_add(ttl),
                });
                state.last_error = None;
                Ok(set)
            }
            Err(e) => {
                state.last_error = Some(e.clone());
                self.stale_or(&state, now, e)
            }
        }
    }
}
