//! Which addresses a [`RemoteJwks`](super::RemoteJwks) connects to, and the DNS resolver
//! that enforces it.

use std::fmt;
use std::net::IpAddr;

use crate::net::{is_loopback, AddressScope};

/// Which addresses a fetcher may connect to.
#[derive(Clone, Copy, Debug)]
pub(super) struct AddressPolicy {
    /// Plain http: loopback addresses and nothing else.
    pub(super) http: bool,
    /// Otherwise, the scope the options allow.
    pub(super) scope: AddressScope,
}

impl AddressPolicy {
    pub(super) fn allows(self, ip: IpAddr) -> bool {
        if self.http {
            return is_loopback(ip);
        }
        self.scope.allows(ip)
    }
}

/// The resolver refused every address of a host (found again in the error chain).
#[derive(Debug)]
pub(super) struct AddressRefused;

impl fmt::Display for AddressRefused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("no allowed address")
    }
}

impl std::error::Error for AddressRefused {}

/// Resolves with Tokio and keeps only the addresses the policy allows.
#[derive(Debug)]
pub(super) struct FilteringResolver {
    pub(super) policy: AddressPolicy,
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
