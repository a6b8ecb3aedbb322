//! Replay protection (the README's "Replay protection"): a [`ReplayGuard`] records each
//! accepted signed request's `jti`, and each statement's `jti` for issuers marked
//! `one_time_use`, until that token's `exp` (plus leeway); a second use is refused. A guard
//! that cannot answer fails closed ([`ReplayError`], which a server maps to HTTP 503).
//!
//! Two guards: [`MemoryReplayGuard`] (one process: bounded, expiring, constant time per
//! check) and, with feature `redis`, `RedisReplayGuard` (a fleet of servers sharing one
//! Redis: one atomic `SET key NX EXAT` per check).

mod memory;
#[cfg(feature = "redis")]
mod redis;

use std::future::Future;
use std::pin::Pin;

pub use self::memory::MemoryReplayGuard;
#[cfg(feature = "redis")]
pub use self::redis::RedisReplayGuard;

/// What a guard says of a token identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seen {
    /// First use: it is now recorded.
    First,
    /// Already recorded and not expired: a replay.
    Again,
}

pub use crate::error::ReplayError;

/// The future a guard returns.
pub type GuardFuture<'a> = Pin<Box<dyn Future<Output = Result<Seen, ReplayError>> + Send + 'a>>;

/// Records token identifiers once, atomically, across every process that shares the store.
///
/// `key` is an opaque identifier the registrar builds from the token's kind, issuer and
/// `jti` (already hashed: at most 64 printable ASCII characters); `expires_at` is the Unix
/// time after which it may be forgotten.
pub trait ReplayGuard: Send + Sync + std::fmt::Debug {
    /// Records `key` until `expires_at` if it is not recorded yet, atomically.
    fn record<'a>(&'a self, key: &'a str, expires_at: u64, now: u64) -> GuardFuture<'a>;
}

/// Runs a guard's future to completion without an async runtime when it is ready at once
/// (the in-memory guard); a guard that would wait (a network store) cannot answer on a
/// synchronous path, which fails closed.
pub(crate) fn record_now(guard: &dyn ReplayGuard, key: &str, expires_at: u64, now: u64) -> Result<Seen, ReplayError> {
    let mut future = guard.record(key, expires_at, now);
    let mut context = std::task::Context::from_waker(std::task::Waker::noop());
    match future.as_mut().poll(&mut context) {
        std::task::Poll::Ready(result) => result,
        std::task::Poll::Pending => Err(ReplayError(
            "this guard answers asynchronously: use the registrar's async entry points".into(),
        )),
    }
}

/// The key of a token identifier: the kind (`req`, `ssa`), the issuer, the `jti`, hashed
/// (SHA-256, 128 bits kept, base64url) so that attacker-chosen identifiers have a fixed
/// size in the store.
pub(crate) fn key(kind: &str, issuer: &str, jti: &str) -> String {
    let mut input = Vec::with_capacity(kind.len() + issuer.len() + jti.len() + 2);
    for part in [kind, issuer, jti] {
        input.extend_from_slice(part.as_bytes());
        input.push(0);
    }
    let digest = crate::crypto::sha256(&input);
    format!("{kind}:{}", crate::b64::encode(&digest[..16]))
}
