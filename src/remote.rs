//! Fetching and caching a `jwks_uri` (DESIGN §4.8), behind the feature `remote`.
//!
//! [`RemoteJwks`] fetches one JWK Set URI over HTTPS and caches the result:
//!
//! - **https only**: `http://` is refused, except to a loopback address literal
//!   (`127.0.0.0/8`, `::1`) when [`RemoteOptions::allow_http_loopback`] is set.
//!   No user information, no fragment.
//! - **Only globally routable addresses**: an IP-literal host is checked when the
//!   [`RemoteJwks`] is made, before any connection; a host name is resolved by a
//!   resolver that drops every address that is not [globally
//!   routable](is_globally_routable) (unless allowed) and refuses the name when none
//!   remain, so the connection goes only to an address that passed the check (no
//!   rebinding window).
//! - **No redirects**, a connect timeout and a total timeout, a body size cap checked
//!   against `Content-Length` before reading and again while reading.
//! - **A cache** whose lifetime comes from `Cache-Control: max-age`, clamped to bounds;
//!   **one fetch in flight** per [`RemoteJwks`], however many callers wait;
//!   a **refetch on an unknown `kid`** at most once per cooldown; the **last good set
//!   is served while refreshes fail**, for a bounded time past its expiry.
//! - **Invalid keys are skipped** (and reported, [`RemoteJwks::last_skipped`]), the rest
//!   of the set stays usable (DESIGN §4.5); a set with no usable key is an error.
//!
//! Errors ([`RemoteError`]) name the URI's host, never a key: they are safe to show to
//! a registrant. The fetcher needs a Tokio runtime (DNS, timeouts).
//!
//! ```no_run
//! # async fn run() -> Result<(), software_statement::remote::RemoteError> {
//! use software_statement::remote::{RemoteJwks, RemoteOptions};
//! use std::sync::Arc;
//! use std::time::Duration;
//!
//! let jwks = Arc::new(RemoteJwks::new(
//!     "https://publisher.example.com/jwks.json",
//!     RemoteOptions::default().refetch_cooldown(Duration::from_secs(60)),
//! )?);
//! // The token's header named kid "2024-06": refetches once if a rotation happened.
//! let set = jwks.keys_for_kid("2024-06").await?;
//! if let Some(key) = set.get("2024-06") {
//!     // ... verify the token with `key`
//! #   let _ = key;
//! }
//! for skipped in jwks.last_skipped() {
//!     eprintln!("{}: key {:?} skipped: {}", jwks.uri(), skipped.kid, skipped.reason);
//! }
//! # Ok(())
//! # }
//! ```

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use reqwest::header::{HeaderMap, ACCEPT, CACHE_CONTROL};
use reqwest::{StatusCode, Url};

use crate::clock::{Clock, SystemClock};
use crate::error::KeyError;
use crate::jwk::{JwkSet, SkippedKey};

/// Options of a [`RemoteJwks`]: timeouts, size cap, cache lifetimes, address policy,
/// HTTP client and clock. Start from [`Default`] and change what you need.
///
/// Times are kept by the [`Clock`] in whole seconds: cache lifetimes, the cooldown and
/// the stale bound are rounded down to seconds.
#[derive(Clone)]
pub struct RemoteOptions {
    connect_timeout: Duration,
    timeout: Duration,
    max_body_bytes: usize,
    default_ttl: u64,
    min_ttl: u64,
    max_ttl: u64,
    refetch_cooldown: u64,
    stale_bound: u64,
    allow_http_loopback: bool,
    allow_loopback: bool,
    allow_non_global: bool,
    client: Option<reqwest::Client>,
    root_certificates: Vec<Vec<u8>>,
    clock: Arc<dyn Clock>,
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
            allow_loopback: false,
            allow_non_global: false,
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
            .field("allow_loopback", &self.allow_loopback)
            .field("allow_non_global", &self.allow_non_global)
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

    /// Permits https to loopback addresses, as a literal or after resolution (default
    /// false). For tests and local setups.
    #[must_use]
    pub fn allow_loopback(mut self, allow: bool) -> Self {
        self.allow_loopback = allow;
        self
    }

    /// Permits any address, including private, link-local and other ranges that are
    /// not globally routable (default false). Only for deployments where the JWKS host
    /// is on an internal network and the trust configuration is fully controlled by
    /// the operator.
    #[must_use]
    pub fn allow_non_global(mut self, allow: bool) -> Self {
        self.allow_non_global = allow;
        self
    }

    /// Uses your HTTP client instead of the built-in one.
    ///
    /// The built-in client is built with redirects disabled, no proxy, no retries, the
    /// connect and total timeouts, the extra [root
    /// certificates](Self::add_root_certificate), and a [`reqwest::dns::Resolve`] that
    /// resolves with Tokio and drops every address that is not globally routable (unless
    /// allowed by the options above), refusing the host when none remain.
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

    /// The cache lifetime for a response with these headers, in seconds.
    fn ttl(&self, headers: &HeaderMap) -> u64 {
        let mut max_age: Option<u64> = None;
        let mut no_cache = false;
        for value in headers.get_all(CACHE_CONTROL) {
            let Ok(value) = value.to_str() else { continue };
            for directive in value.split(',') {
                let (name, arg) = match directive.split_once('=') {
                    Some((n, a)) => (n.trim(), Some(a.trim().trim_matches('"'))),
                    None => (directive.trim(), None),
                };
                if name.eq_ignore_ascii_case("max-age") {
                    if let Some(secs) = arg.and_then(parse_delta_seconds) {
                        max_age = Some(max_age.map_or(secs, |m| m.min(secs)));
                    }
                } else if name.eq_ignore_ascii_case("no-store") || name.eq_ignore_ascii_case("no-cache") {
                    no_cache = true;
                }
            }
        }
        let ttl = if no_cache {
            self.min_ttl
        } else {
            max_age.unwrap_or(self.default_ttl)
        };
        ttl.max(self.min_ttl).min(self.max_ttl)
    }
}

/// `delta-seconds` (RFC 9111 §1.2.2): digits only; too large a number saturates.
fn parse_delta_seconds(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(s.parse().unwrap_or(u64::MAX))
}

/// A fetch of a `jwks_uri` failed, or the URI was refused.
///
/// Messages name the URI's host and never a key: they are safe to show to a registrant.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RemoteError {
    /// The URI is not an absolute URL, has no host, has user information or a
    /// fragment, or a scheme other than https/http.
    #[error("invalid jwks_uri: {0}")]
    InvalidUri(String),
    /// `http://` was used where only https is allowed.
    #[error("jwks_uri for {host} must use https (plain http is only allowed to a loopback address, when enabled)")]
    InsecureScheme {
        /// The URI's host.
        host: String,
    },
    /// The host is, or resolves only to, addresses that are not allowed (not globally
    /// routable, unless the options allow them).
    #[error("{host} is not at an allowed address (only globally routable addresses are fetched)")]
    AddressNotAllowed {
        /// The URI's host.
        host: String,
    },
    /// The fetch took longer than the timeout.
    #[error("fetching the JWK Set from {host} timed out")]
    Timeout {
        /// The URI's host.
        host: String,
    },
    /// No connection could be made (DNS, TCP or TLS).
    #[error("could not connect to {host}: {reason}")]
    Connect {
        /// The URI's host.
        host: String,
        /// What failed.
        reason: String,
    },
    /// The request or the transfer of the body failed after connecting.
    #[error("fetching the JWK Set from {host} failed: {reason}")]
    Http {
        /// The URI's host.
        host: String,
        /// What failed.
        reason: String,
    },
    /// The server answered with a status other than 200 (and not a redirect).
    #[error("{host} answered HTTP {status} for the JWK Set")]
    Status {
        /// The URI's host.
        host: String,
        /// The status code.
        status: u16,
    },
    /// The server answered with a redirect (3xx), or a caller-supplied client followed
    /// one. Redirects are not followed.
    #[error("{host} answered with a redirect; a jwks_uri must serve the JWK Set itself")]
    Redirect {
        /// The URI's host.
        host: String,
    },
    /// The body is larger than the cap.
    #[error("the JWK Set from {host} is larger than {limit} bytes")]
    TooLarge {
        /// The URI's host.
        host: String,
        /// The cap, in bytes.
        limit: usize,
    },
    /// The body is not UTF-8 JSON.
    #[error("the JWK Set from {host} is not valid JSON")]
    InvalidJson {
        /// The URI's host.
        host: String,
    },
    /// The body is JSON but not an acceptable JWK Set (no `keys` array, duplicate
    /// `kid`s, …).
    #[error("the JWK Set from {host} is invalid: {source}")]
    InvalidSet {
        /// The URI's host.
        host: String,
        /// What is wrong with it.
        source: KeyError,
    },
    /// Every key of the set was skipped (invalid or of an unknown type), or it has none.
    #[error("the JWK Set from {host} has no usable key ({skipped} skipped)")]
    NoUsableKeys {
        /// The URI's host.
        host: String,
        /// How many keys were skipped.
        skipped: usize,
    },
    /// The built-in HTTP client could not be built (for example an unreadable extra
    /// root certificate).
    #[error("cannot set up the HTTP client: {0}")]
    Client(String),
}

/// Whether `ip` is globally routable: the only addresses a `jwks_uri` is fetched from
/// unless the options allow more.
///
/// Refused: IPv4 `0.0.0.0/8` (unspecified), `10/8`, `100.64/10` (CGNAT), `127/8`,
/// `169.254/16`, `172.16/12`, `192.0.0/24`, `192.0.2/24`, `192.88.99/24` (6to4 relay),
/// `192.168/16`, `198.18/15` (benchmarking), `198.51.100/24`, `203.0.113/24`,
/// `224/4` (multicast), `240/4` (reserved, with the broadcast address). IPv6: everything
/// outside `2000::/3` (global unicast) — so `::`, `::1`, `fc00::/7`, `fe80::/10`,
/// `ff00::/8`, `100::/64`, `64:ff9b:1::/48` — except that `::ffff:0:0/96` (IPv4-mapped)
/// and `64:ff9b::/96` (NAT64) are judged by their embedded IPv4 address; inside
/// `2000::/3`, `2001::/23` (IETF protocol assignments, Teredo, benchmarking),
/// `2001:db8::/32` and `3fff::/20` (documentation) are refused and `2002::/16` (6to4)
/// is judged by its embedded IPv4 address.
pub fn is_globally_routable(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_global_v4(v4),
        IpAddr::V6(v6) => is_global_v6(v6),
    }
}

fn is_global_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(a == 0
        || a == 10
        || (a == 100 && (64..128).contains(&b))
        || a == 127
        || (a == 169 && b == 254)
        || (a == 172 && (16..32).contains(&b))
        || (a == 192 && b == 0 && c == 0)
        || (a == 192 && b == 0 && c == 2)
        || (a == 192 && b == 88 && c == 99)
        || (a == 192 && b == 168)
        || (a == 198 && (b == 18 || b == 19))
        || (a == 198 && b == 51 && c == 100)
        || (a == 203 && b == 0 && c == 113)
        || a >= 224)
}

fn is_global_v6(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    let embedded = |hi: u16, lo: u16| Ipv4Addr::new((hi >> 8) as u8, hi as u8, (lo >> 8) as u8, lo as u8);
    // ::ffff:a.b.c.d
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_global_v4(v4);
    }
    // 64:ff9b::a.b.c.d (RFC 6052 well-known NAT64 prefix)
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return is_global_v4(embedded(s[6], s[7]));
    }
    // Only 2000::/3 is allocated global unicast.
    if s[0] & 0xe000 != 0x2000 {
        return false;
    }
    // 2001::/23: IETF protocol assignments (Teredo 2001::/32, benchmarking 2001:2::/48, ORCHID).
    if s[0] == 0x2001 && s[1] < 0x0200 {
        return false;
    }
    // 2001:db8::/32 and 3fff::/20: documentation.
    if (s[0] == 0x2001 && s[1] == 0x0db8) || (s[0] == 0x3fff && s[1] < 0x1000) {
        return false;
    }
    // 2002::/16: 6to4, the IPv4 address in bits 16..48.
    if s[0] == 0x2002 {
        return is_global_v4(embedded(s[1], s[2]));
    }
    true
}

fn is_loopback(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(v6) => v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback()),
    }
}

/// Which addresses a [`RemoteJwks`] may connect to.
#[derive(Clone, Copy, Debug)]
struct AddressPolicy {
    /// Plain http: loopback addresses and nothing else.
    loopback_only: bool,
    loopback: bool,
    non_global: bool,
}

impl AddressPolicy {
    fn allows(self, ip: IpAddr) -> bool {
        if self.loopback_only {
            return is_loopback(ip);
        }
        self.non_global || is_globally_routable(ip) || (self.loopback && is_loopback(ip))
    }
}

/// The resolver refused every address of a host (found again in the error chain).
#[derive(Debug)]
struct AddressRefused;

impl fmt::Display for AddressRefused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("no allowed address")
    }
}

impl std::error::Error for AddressRefused {}

/// Resolves with Tokio and keeps only the addresses the policy allows.
#[derive(Debug)]
struct FilteringResolver {
    policy: AddressPolicy,
}

impl reqwest::dns::Resolve for FilteringResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let policy = self.policy;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found = tokio::net::lookup_host((host.as_str(), 0)).await?;
            let allowed: Vec<_> = found.filter(|a| policy.allows(a.ip())).collect();
            if allowed.is_empty() {
                return Err(Box::new(AddressRefused) as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(allowed.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// The last good set and when it stops being fresh.
struct Good {
    set: Arc<JwkSet>,
    expires_at: u64,
}

#[derive(Default)]
struct State {
    good: Option<Good>,
    /// When the last fetch ended (success or failure).
    last_attempt: Option<u64>,
    /// The error of the last fetch, cleared by a success.
    last_error: Option<RemoteError>,
}

/// What a caller does next.
enum Plan {
    Serve(Arc<JwkSet>),
    Fetch,
    Fail(RemoteError),
}

/// Armed for the length of a fetch; dropped armed only when the caller's future is
/// dropped half-way (a client that hung up, a request timeout). A refetch of a fresh
/// set (an unknown `kid`) abandoned that way still counts toward the cooldown:
/// otherwise each abandoned call would start a new fetch, and unknown `kid`s could
/// cause one fetch per request. (Without a fresh set, nothing is recorded: the next
/// caller fetches, as it must.)
struct AbandonedRefetch<'a>(Option<&'a RemoteJwks>);

impl Drop for AbandonedRefetch<'_> {
    fn drop(&mut self) {
        let Some(jwks) = self.0 else { return };
        let now = jwks.options.clock.now();
        let mut state = jwks.state.write().unwrap_or_else(PoisonError::into_inner);
        if state.good.as_ref().is_some_and(|g| now < g.expires_at) {
            state.last_attempt = Some(now);
        }
    }
}

/// A cached, hardened fetcher for one `jwks_uri`. `Send + Sync`: share it with an
/// [`Arc`]. See the [module documentation](self) for the rules it enforces.
pub struct RemoteJwks {
    uri: String,
    url: Url,
    host: String,
    client: reqwest::Client,
    options: RemoteOptions,
    state: RwLock<State>,
    /// Held for the whole of a fetch: one fetch in flight at a time.
    fetch_lock: tokio::sync::Mutex<()>,
}

impl fmt::Debug for RemoteJwks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RemoteJwks")
            .field("uri", &self.uri)
            .field("options", &self.options)
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
        let literal = host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(&host)
            .parse::<IpAddr>()
            .ok();
        let http = match url.scheme() {
            "https" => false,
            "http" => {
                // DESIGN §4.8: loopback addresses (127.0.0.0/8, ::1) and nothing else, so a
                // literal: not even `localhost`.
                if !options.allow_http_loopback || !literal.is_some_and(is_loopback) {
                    return Err(RemoteError::InsecureScheme { host });
                }
                true
            }
            _ => return Err(RemoteError::InvalidUri("the scheme must be https".into())),
        };
        let policy = AddressPolicy {
            loopback_only: http,
            loopback: options.allow_loopback,
            non_global: options.allow_non_global,
        };
        if let Some(ip) = literal {
            if !policy.allows(ip) {
                return Err(RemoteError::AddressNotAllowed { host });
            }
        }
        let client = match &options.client {
            Some(c) => c.clone(),
            None => build_client(&options, policy, !http)?,
        };
        Ok(RemoteJwks {
            uri: uri.to_owned(),
            url,
            host,
            client,
            options,
            state: RwLock::new(State::default()),
            fetch_lock: tokio::sync::Mutex::new(()),
        })
    }

    /// The URI, as given.
    pub fn uri(&self) -> &str {
        &self.uri
    }

    /// The key set: the cached one while fresh, else fetched (one fetch in flight,
    /// however many callers). When the fetch fails, the last good set is returned if it
    /// expired less than the stale bound ago (the error is kept: [`last_error`]);
    /// otherwise the error. After a failure, no new attempt is made until the
    /// cooldown has passed.
    ///
    /// [`last_error`]: Self::last_error
    pub async fn keys(&self) -> Result<Arc<JwkSet>, RemoteError> {
        self.get(None).await
    }

    /// Like [`keys`](Self::keys), for a token whose header names `kid`: when the
    /// fresh cached set has no such key, the set is fetched again — at most once per
    /// cooldown for this URI, whatever the `kid`s asked for, and concurrent callers
    /// share the one fetch. The returned set may still lack `kid`: look it up.
    pub async fn keys_for_kid(&self, kid: &str) -> Result<Arc<JwkSet>, RemoteError> {
        self.get(Some(kid)).await
    }

    /// The cached set without waiting or fetching: the fresh one, or the last good one
    /// if it expired less than the stale bound ago. For synchronous verification paths.
    pub fn cached(&self) -> Option<Arc<JwkSet>> {
        let now = self.options.clock.now();
        let state = self.read();
        state
            .good
            .as_ref()
            .filter(|g| now <= g.expires_at.saturating_add(self.options.stale_bound))
            .map(|g| g.set.clone())
    }

    /// The keys that were skipped (invalid, or of an unknown type) in the last good
    /// set fetched. Empty before the first successful fetch.
    pub fn last_skipped(&self) -> Vec<SkippedKey> {
        self.read()
            .good
            .as_ref()
            .map(|g| g.set.skipped().to_vec())
            .unwrap_or_default()
    }

    /// The error of the last fetch, if it failed (cleared by a successful fetch): for
    /// reporting while the last good set is served.
    pub fn last_error(&self) -> Option<RemoteError> {
        self.read().last_error.clone()
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, State> {
        self.state.read().unwrap_or_else(PoisonError::into_inner)
    }

    async fn get(&self, kid: Option<&str>) -> Result<Arc<JwkSet>, RemoteError> {
        match self.plan(kid) {
            Plan::Serve(set) => return Ok(set),
            Plan::Fail(e) => return Err(e),
            Plan::Fetch => {}
        }
        let _guard = self.fetch_lock.lock().await;
        // Another caller may have fetched while this one waited.
        match self.plan(kid) {
            Plan::Serve(set) => return Ok(set),
            Plan::Fail(e) => return Err(e),
            Plan::Fetch => {}
        }
        let mut abandoned = AbandonedRefetch(Some(self));
        let result = match tokio::time::timeout(self.options.timeout, self.fetch()).await {
            Ok(r) => r,
            Err(_) => Err(RemoteError::Timeout {
                host: self.host.clone(),
            }),
        };
        abandoned.0 = None;
        let now = self.options.clock.now();
        let mut state = self.state.write().unwrap_or_else(PoisonError::into_inner);
        state.last_attempt = Some(now);
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

    /// What to do now, from the cache state alone.
    fn plan(&self, kid: Option<&str>) -> Plan {
        let now = self.options.clock.now();
        let state = self.read();
        let cooling = state
            .last_attempt
            .is_some_and(|t| now < t.saturating_add(self.options.refetch_cooldown));
        match &state.good {
            Some(good) if now < good.expires_at => match kid {
                Some(kid) if good.set.get(kid).is_none() && !cooling => Plan::Fetch,
                _ => Plan::Serve(good.set.clone()),
            },
            _ => match &state.last_error {
                Some(e) if cooling => match self.stale_or(&state, now, e.clone()) {
                    Ok(set) => Plan::Serve(set),
                    Err(e) => Plan::Fail(e),
                },
                _ => Plan::Fetch,
            },
        }
    }

    /// The last good set if within the stale bound, else `err`.
    fn stale_or(&self, state: &State, now: u64, err: RemoteError) -> Result<Arc<JwkSet>, RemoteError> {
        match &state.good {
            Some(g) if now <= g.expires_at.saturating_add(self.options.stale_bound) => Ok(g.set.clone()),
            _ => Err(err),
        }
    }

    /// One GET of the URI: the parsed set and its cache lifetime in seconds.
    async fn fetch(&self) -> Result<(JwkSet, u64), RemoteError> {
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

fn build_client(
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
