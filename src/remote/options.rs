//! The options of a [`RemoteJwks`](super::RemoteJwks)(super::RemoteJwks).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::clock::{Clock, SystemClock};
use crate::net::AddressScope;

/// Options of a [`RemoteJwks`](super::RemoteJwks): timeouts, size cap, cache lifetimes, address policy,
/// HTTP client and clock. Start from [`Default`] and change what you need.
///
/// Times are kept by the [`Clock`] in whole seconds: cache lifetimes, the cooldown and
/// the stale bound are rounded down to seconds.
#[derive(Clone)]
pub struct RemoteOptions {
    pub(super) connect_timeout: Duration,
    pub(super) timeout: Duration,
    pub(super) max_body_bytes: usize,
    pub(super) default_ttl: u64,
    pub(super) min_ttl: u64,
    pub(super) max_ttl: u64,
    pub(super) refetch_cooldown: u64,
    pub(super) stale_bound: u64,
    pub(super) allow_http_loopback: bool,
    pub(super) address_scope: AddressScope,
    pub(super) client: Option<reqwest::Client>,
    pub(super) root_certificates: Vec<Vec<u8>>,
    pub(super) clock: Arc<dyn Clock>,
}

impl Default for RemoteOptions {
    fn default() -> Self {
        RemoteOptions {
            connect_timeout: Duration::from_secs(2),
            timeout: Duration::from_secs(5),
            max_body_bytes: 64 * 1024,
            default_ttl: 5 * 60,
            min_ttl: 60,
            max_ttl: 24 * 60 * 60,
            refetch_cooldown: 30,
            stale_bound: 60 * 60,
            allow_http_loopback: false,
            address_scope: AddressScope::GlobalOnly,
            client: None,
            root_certificates: Vec::new(),
            clock: Arc::new(SystemClock),
        }
    }
}

impl fmt::Debug for RemoteOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RemoteOptions")
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("default_ttl", &self.default_ttl)
            .field("min_ttl", &self.min_ttl)
            .field("max_ttl", &self.max_ttl)
            .field("refetch_cooldown", &self.refetch_cooldown)
            .field("stale_bound", &self.stale_bound)
            .field("allow_http_loopback", &self.allow_http_loopback)
            .field("address_scope", &self.address_scope)
            .field("custom_client", &self.client.is_some())
            .field("root_certificates", &self.root_certificates.len())
            .field("clock", &self.clock)
            .finish()
    }
}

impl RemoteOptions {
    /// Time allowed to open the TCP connection (default 2 s). Applies to the built-in
    /// client only; set it on your own [`client`](Self::client).
    #[must_use]
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Time allowed for the whole fetch: connection, TLS, request and body (default
    /// 5 s). Enforced for every client, the built-in one or yours.
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Largest response body accepted, in bytes (default 64 KiB). A larger
    /// `Content-Length` is refused before reading; a body without one is refused as soon
    /// as it passes the cap.
    #[must_use]
    pub fn max_body_bytes(mut self, bytes: usize) -> Self {
        self.max_body_bytes = bytes;
        self
    }

    /// Cache lifetime when the response has no `Cache-Control: max-age` (default
    /// 5 min), then clamped like any other lifetime.
    #[must_use]
    pub fn default_ttl(mut self, ttl: Duration) -> Self {
        self.default_ttl = ttl.as_secs();
        self
    }

    /// Shortest cache lifetime (default 1 min): a smaller `max-age` is raised to it.
    /// `Cache-Control: no-store` or `no-cache` also get this lifetime, not zero: a set
    /// fetched on every verification would let each registration request cause a
    /// fetch.
    #[must_use]
    pub fn min_ttl(mut self, ttl: Duration) -> Self {
        self.min_ttl = ttl.as_secs();
        self
    }

    /// Longest cache lifetime (default 24 h): a larger `max-age` is lowered to it.
    /// When it is below [`min_ttl`](Self::min_ttl), it wins.
    #[must_use]
    pub fn max_ttl(mut self, ttl: Duration) -> Self {
        self.max_ttl = ttl.as_secs();
        self
    }

    /// Least time between two fetches caused by an unknown `kid` (default 30 s), and
    /// between two attempts after a failed fetch (a failure is not retried by every
    /// caller: until the cooldown has passed, callers get the last good set or the
    /// error).
    #[must_use]
    pub fn refetch_cooldown(mut self, cooldown: Duration) -> Self {
        self.refetch_cooldown = cooldown.as_secs();
        self
    }

    /// How long past its expiry the last good set is still served while refreshes fail
    /// (default 1 h). Beyond it, the fetch error is returned.
    #[must_use]
    pub fn stale_bound(mut self, bound: Duration) -> Self {
        self.stale_bound = bound.as_secs();
        self
    }

    /// Permits `http://` to a loopback address literal (`127.0.0.0/8` or `[::1]`) and
    /// nothing else: no host name, not even `localhost` (default false). For
    /// development and demos.
    #[must_use]
    pub fn allow_http_loopback(mut self, allow: bool) -> Self {
        self.allow_http_loopback = allow;
        self
    }

    /// Which addresses may be connected to, as a literal host or after resolution
    /// (default [`AddressScope::GlobalOnly`]). [`AddressScope::AlsoLoopback`] is for tests
    /// and local setups; [`AddressScope::Any`] only for deployments where the JWKS host is
    /// on an internal network and the trust configuration is fully controlled by the
    /// operator.
    #[must_use]
    pub fn address_scope(mut self, scope: AddressScope) -> Self {
        self.address_scope = scope;
        self
    }

    /// Uses your HTTP client instead of the built-in one.
    ///
    /// The built-in client is built with redirects disabled, no proxy, no retries, the
    /// connect and total timeouts, the extra [root
    /// certificates](Self::add_root_certificate), and a [`reqwest::dns::Resolve`] that
    /// resolves with Tokio and drops every address that is not globally routable (unless
    /// allowed by the [address scope](Self::address_scope)), refusing the host when none remain.
    ///
    /// With your client, **the redirect, proxy, TLS and resolved-address policies rest
    /// on that client**. What still holds: the URI checks (scheme, userinfo, fragment),
    /// the check of an IP-literal host, the total timeout, the body cap, a response
    /// from any other URL than the one asked for being refused as a redirect, and the
    /// cache rules. [`connect_timeout`](Self::connect_timeout) and
    /// [`add_root_certificate`](Self::add_root_certificate) are ignored.
    #[must_use]
    pub fn client(mut self, client: reqwest::Client) -> Self {
        self.client = Some(client);
        self
    }

    /// Trusts one more root certificate (DER) besides the platform's roots, in the
    /// built-in client: for tests and demos that serve a certificate they generated.
    #[must_use]
    pub fn add_root_certificate(mut self, der: Vec<u8>) -> Self {
        self.root_certificates.push(der);
        self
    }

    /// The clock for cache expiry, cooldowns and the stale bound (default
    /// [`SystemClock`]).
    #[must_use]
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }
}
