//! The in-memory replay guard.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::sync::{Mutex, PoisonError};

use super::{GuardFuture, ReplayError, ReplayGuard, Seen};

/// The default most live entries of a [`MemoryReplayGuard`].
pub(crate) const DEFAULT_MEMORY_GUARD_CAPACITY: usize = 1_000_000;

/// A replay guard for one process: at most `capacity` live entries, each forgotten after
/// its expiry; constant time per check (amortized, with a heap of expiries). When full of
/// live entries it fails closed. About 60 bytes per entry: a million live entries fit in
/// well under 128 MiB.
///
/// ```
/// use software_statement::{MemoryReplayGuard, ReplayGuard, Seen};
/// let guard = MemoryReplayGuard::new(10);
/// # futures_lite_block_on(async {
/// assert_eq!(guard.record("req:abc", 2_000, 1_000).await, Ok(Seen::First));
/// assert_eq!(guard.record("req:abc", 2_000, 1_500).await, Ok(Seen::Again));
/// assert_eq!(guard.record("req:abc", 2_000, 2_001).await, Ok(Seen::First), "expired: free again");
/// # });
/// # fn futures_lite_block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     let mut f = std::pin::pin!(f);
/// #     let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
/// #     loop { if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
/// # }
/// ```
#[derive(Debug)]
pub struct MemoryReplayGuard {
    capacity: usize,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// Key digest -> expiry.
    live: HashMap<[u8; 16], u64>,
    /// Expiries, soonest first, to forget entries in order.
    expiries: BinaryHeap<Reverse<(u64, [u8; 16])>>,
}

impl MemoryReplayGuard {
    /// A guard holding at most `capacity` live entries.
    pub fn new(capacity: usize) -> Self {
        MemoryReplayGuard {
            capacity,
            state: Mutex::new(State::default()),
        }
    }

    /// How many entries are live (not yet forgotten).
    pub fn len(&self) -> usize {
        self.state.lock().unwrap_or_else(PoisonError::into_inner).live.len()
    }

    /// Whether no entry is live.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn record_sync(&self, key: &str, expires_at: u64, now: u64) -> Result<Seen, ReplayError> {
        let digest = digest(key);
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        // Forget what has expired (each entry is pushed and popped once: amortized O(log n)).
        while let Some(Reverse((at, k))) = state.expiries.peek().copied() {
            if at >= now {
                break;
            }
            state.expiries.pop();
            if state.live.get(&k) == Some(&at) {
                state.live.remove(&k);
            }
        }
        if let Some(&at) = state.live.get(&digest) {
            if at >= now {
                return Ok(Seen::Again);
            }
        }
        if state.live.len() >= self.capacity {
            return Err(ReplayError(format!(
                "the in-memory guard holds its maximum of {} live entries",
                self.capacity
            )));
        }
        state.live.insert(digest, expires_at);
        state.expiries.push(Reverse((expires_at, digest)));
        Ok(Seen::First)
    }
}

impl Default for MemoryReplayGuard {
    /// A guard of a million entries.
    fn default() -> Self {
        Self::new(DEFAULT_MEMORY_GUARD_CAPACITY)
    }
}

impl ReplayGuard for MemoryReplayGuard {
    fn record<'a>(&'a self, key: &'a str, expires_at: u64, now: u64) -> GuardFuture<'a> {
        let result = self.record_sync(key, expires_at, now);
        Box::pin(std::future::ready(result))
    }
}

/// A fixed-size digest of a key (the registrar's keys are already hashed; this bounds what
/// any caller's keys cost).
fn digest(key: &str) -> [u8; 16] {
    let full = crate::crypto::sha256(key.as_bytes());
    let mut out = [0u8; 16];
    out.copy_from_slice(&full[..16]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_once_until_expiry_and_fails_closed_when_full() {
        let guard = MemoryReplayGuard::new(2);
        assert_eq!(guard.record_sync("a", 100, 10), Ok(Seen::First));
        assert_eq!(guard.record_sync("a", 100, 50), Ok(Seen::Again));
        assert_eq!(guard.record_sync("b", 20, 10), Ok(Seen::First));
        assert!(guard.record_sync("c", 100, 10).is_err(), "full: fails closed");
        // b expires at 20: at 21 it is forgotten, making room.
        assert_eq!(guard.record_sync("c", 100, 21), Ok(Seen::First));
        assert_eq!(guard.len(), 2);
        assert_eq!(guard.record_sync("a", 200, 101), Ok(Seen::First), "a expired at 100");
    }
}
