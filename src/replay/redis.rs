//! The Redis replay guard (feature `redis`): a fleet of servers sharing one Redis.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use ::redis::aio::{ConnectionManager, ConnectionManagerConfig};
use ::redis::Value;

use super::{GuardFuture, ReplayError, ReplayGuard, Seen};

/// The default prefix of the guard's Redis keys.
const DEFAULT_KEY_PREFIX: &str = "software-statement:replay:";

/// How long a check waits for Redis by default.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(1);

/// How long [`RedisReplayGuard::connect`] tries to reach Redis.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// The longest pause between two reconnection attempts after Redis went away.
const MAX_RECONNECT_DELAY: Duration = Duration::from_secs(1);

/// A replay guard shared by every server that talks to the same Redis (6.2 or later): each
/// check is one atomic `SET <prefix><key> 1 NX EXAT <expires_at>`, so of any number of
/// servers checking the same token at once exactly one is told [`Seen::First`]; Redis
/// forgets the key at `expires_at` by itself.
///
/// - Keys: the prefix (default `software-statement:replay:`, see
///   [`key_prefix`](Self::key_prefix)) followed by the registrar's key, the token's kind and
///   a hash of its issuer and `jti`: `software-statement:replay:req:<22 base64url
///   characters>` (a signed request) or `…:ssa:…` (a one-time-use statement).
/// - Answers: `OK` is [`Seen::First`], nil (the key exists) is [`Seen::Again`].
/// - Fails closed: a Redis error, a lost connection, or no answer within the timeout
///   (default 1 s, see [`timeout`](Self::timeout)) is a [`ReplayError`], which the
///   registrar turns into HTTP 503 `temporarily_unavailable`; the registration is never
///   accepted unchecked. The connection is re-established in the background, so the guard
///   recovers by itself once Redis is back.
/// - Expiry: `EXAT` is an absolute Unix time, read by Redis's clock: keep the servers'
///   clocks and Redis's in sync (NTP), as the token checks already require. An `expires_at`
///   not after `now` (a token already expired; the registrar never records one) is still
///   recorded, for one second (`EX 1`): the guard never answers [`Seen::First`] twice for
///   a key within that second.
/// - Asynchronous only: use the registrar's async entry points
///   ([`Registrar::register_body_async`](crate::Registrar::register_body_async),
///   [`Registrar::register_async`](crate::Registrar::register_async)), in a tokio runtime
///   with timers enabled (`#[tokio::main]`, the runtime that connected the guard). From a
///   synchronous entry point the guard cannot answer: that registration fails closed, and
///   nothing is sent to Redis.
///
/// ```no_run
/// use std::sync::Arc;
/// use std::time::Duration;
///
/// use software_statement::{RedisReplayGuard, Registrar, TrustFile};
///
/// # async fn serve(trust: TrustFile, body: &[u8]) -> Result<(), Box<dyn std::error::Error>> {
/// // Every server of the fleet connects to the same Redis.
/// let guard = RedisReplayGuard::connect("redis://redis.internal:6379/")
///     .await?
///     .key_prefix("as.example.org:replay:")
///     .timeout(Duration::from_millis(500));
/// let registrar = Registrar::from_trust_file(&trust).replay_guard(Arc::new(guard));
///
/// // Per request: a replayed signed request is refused (400 invalid_client_metadata) on
/// // whichever server it reaches; with Redis down, every registration answers 503.
/// match registrar.register_body_async(body, "application/jwt").await {
///     Ok(registration) => println!("201 {}", registration.to_json()),
///     Err(e) => println!("{} {}", e.http_status(), e.to_json()),
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct RedisReplayGuard {
    connection: ConnectionManager,
    prefix: String,
    timeout: Duration,
}

impl RedisReplayGuard {
    /// Connects to the Redis at `url` (`redis://[user:password@]host:port/[db]`, or
    /// `rediss://` with the `redis` crate's TLS features), with the default key prefix and
    /// timeout. Fails when Redis cannot be reached within 5 s. Call it inside the tokio
    /// runtime that will run the registrations: the connection lives there.
    pub async fn connect(url: &str) -> Result<RedisReplayGuard, ReplayError> {
        let client = ::redis::Client::open(url).map_err(|e| ReplayError(format!("invalid Redis URL: {e}")))?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(DEFAULT_TIMEOUT))
            // Each check has its own deadline (`timeout`), whatever Redis does.
            .set_response_timeout(None)
            .set_max_delay(MAX_RECONNECT_DELAY);
        let connection = tokio::time::timeout(CONNECT_TIMEOUT, ConnectionManager::new_with_config(client, config))
            .await
            .map_err(|_| ReplayError(format!("Redis did not answer within {} s", CONNECT_TIMEOUT.as_secs())))?
            .map_err(|e| ReplayError(format!("cannot connect to Redis: {e}")))?;
        Ok(RedisReplayGuard::new(connection))
    }

    /// A guard on a connection of the caller's (own timeouts, TLS, reconnection policy),
    /// with the default key prefix and timeout.
    pub fn new(connection: ConnectionManager) -> RedisReplayGuard {
        RedisReplayGuard {
            connection,
            prefix: DEFAULT_KEY_PREFIX.to_owned(),
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// The prefix of every key this guard writes (default `software-statement:replay:`):
    /// one per deployment sharing a Redis, so that two services never see each other's
    /// tokens.
    pub fn key_prefix(mut self, prefix: impl Into<String>) -> RedisReplayGuard {
        self.prefix = prefix.into();
        self
    }

    /// How long a check waits for Redis (default 1 s) before failing closed.
    pub fn timeout(mut self, timeout: Duration) -> RedisReplayGuard {
        self.timeout = timeout;
        self
    }

    /// The Redis key under which this guard records the registrar's `key`: the prefix
    /// followed by `key`.
    pub fn redis_key(&self, key: &str) -> String {
        let mut out = String::with_capacity(self.prefix.len() + key.len());
        out.push_str(&self.prefix);
        out.push_str(key);
        out
    }

    /// The one command of a check.
    fn command(&self, key: &str, expires_at: u64, now: u64) -> ::redis::Cmd {
        let mut cmd = ::redis::cmd("SET");
        cmd.arg(self.redis_key(key)).arg("1").arg("NX");
        if expires_at > now {
            cmd.arg("EXAT").arg(expires_at);
        } else {
            // Already expired: the shortest expiry Redis has, relative, so that Redis's
            // clock cannot turn it into no record at all.
            cmd.arg("EX").arg(1u64);
        }
        cmd
    }
}

impl std::fmt::Debug for RedisReplayGuard {
    /// The prefix and the timeout (not the connection: its URL may hold a password).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisReplayGuard")
            .field("prefix", &self.prefix)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl ReplayGuard for RedisReplayGuard {
    fn record<'a>(&'a self, key: &'a str, expires_at: u64, now: u64) -> GuardFuture<'a> {
        Box::pin(async move {
            // Pending once before anything is sent: a synchronous entry point polls once
            // and gives up, and must not leave the token recorded behind a refusal.
            YieldOnce(false).await;
            if tokio::runtime::Handle::try_current().is_err() {
                return Err(ReplayError("the Redis guard needs a tokio runtime".into()));
            }
            let command = self.command(key, expires_at, now);
            let mut connection = self.connection.clone();
            let answer = tokio::time::timeout(self.timeout, command.query_async::<Value>(&mut connection)).await;
            match answer {
                Err(_) => Err(ReplayError(format!(
                    "Redis did not answer within {} ms",
                    self.timeout.as_millis()
                ))),
                Ok(Err(e)) => Err(ReplayError(format!("Redis: {e}"))),
                Ok(Ok(Value::Okay)) => Ok(Seen::First),
                Ok(Ok(Value::SimpleString(s))) if s == "OK" => Ok(Seen::First),
                Ok(Ok(Value::Nil)) => Ok(Seen::Again),
                Ok(Ok(other)) => Err(ReplayError(format!(
                    "unexpected answer from Redis to SET NX: {other:?}"
                ))),
            }
        })
    }
}

/// A future that is pending once (waking itself at once), then ready.
struct YieldOnce(bool);

impl Future for YieldOnce {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(cmd: &::redis::Cmd) -> Vec<String> {
        cmd.args_iter()
            .map(|a| match a {
                ::redis::Arg::Simple(bytes) => String::from_utf8_lossy(bytes).into_owned(),
                _ => "<not a plain argument>".into(),
            })
            .collect()
    }

    #[tokio::test]
    async fn one_set_nx_exat_under_the_prefix_and_one_second_when_already_expired() {
        // A lazy connection: nothing is sent here, only the commands are built.
        let client = ::redis::Client::open("redis://127.0.0.1:1/").unwrap();
        let connection = ConnectionManager::new_lazy_with_config(client, ConnectionManagerConfig::new()).unwrap();
        let guard = RedisReplayGuard::new(connection);
        assert_eq!(
            args(&guard.command("req:abc", 2_000, 1_000)),
            ["SET", "software-statement:replay:req:abc", "1", "NX", "EXAT", "2000"]
        );
        let guard = guard.key_prefix("fleet:");
        assert_eq!(
            args(&guard.command("ssa:xyz", 1_000, 1_000)),
            ["SET", "fleet:ssa:xyz", "1", "NX", "EX", "1"]
        );
        assert_eq!(guard.redis_key("req:abc"), "fleet:req:abc");
        assert!(!format!("{guard:?}").contains("127.0.0.1"), "{guard:?}");
    }
}
