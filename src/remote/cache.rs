//! The cache state of a [`RemoteJwks`](super::RemoteJwks): the last good set, when to fetch again, what to
//! serve while a refresh fails, and the lifetime a response's `Cache-Control` gives.

use std::sync::Arc;

use reqwest::header::{HeaderMap, CACHE_CONTROL};

use super::{RemoteOptions, Shared};
use crate::error::RemoteError;
use crate::jwk::JwkSet;

/// The last good set and when it stops being fresh.
pub(super) struct Good {
    pub(super) set: Arc<JwkSet>,
    pub(super) expires_at: u64,
}

#[derive(Default)]
pub(super) struct State {
    pub(super) good: Option<Good>,
    /// When the last fetch started (it counts toward the cooldown from then on).
    pub(super) last_attempt: Option<u64>,
    /// The error of the last fetch, cleared by a success.
    pub(super) last_error: Option<RemoteError>,
}

/// What a caller does next.
pub(super) enum Plan {
    Serve(Arc<JwkSet>),
    Fetch,
    Fail(RemoteError),
}

impl Shared {
    /// What to do now, from the cache state alone.
    pub(super) fn plan(&self, kid: Option<&str>) -> Plan {
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
    pub(super) fn stale_or(&self, state: &State, now: u64, err: RemoteError) -> Result<Arc<JwkSet>, RemoteError> {
        match &state.good {
            Some(g) if now <= g.expires_at.saturating_add(self.options.stale_bound) => Ok(g.set.clone()),
            _ => Err(err),
        }
    }
}

impl RemoteOptions {
    /// The cache lifetime for a response with these headers, in seconds.
    pub(crate) fn ttl(&self, headers: &HeaderMap) -> u64 {
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
