//! Fuzz targets: one function per input an attacker (or an operator's file) controls,
//! called by the libFuzzer binaries of `fuzz/` (`cargo fuzz run NAME`) and, under
//! `cargo test`, by a replay test that feeds them every committed corpus and regression
//! file of `fuzz/`.
//!
//! Compiled only for tests and under `--cfg fuzzing` (set by `cargo fuzz`): not part of
//! the public API. No function here may panic on any input; each asserts invariants of
//! the code it drives (a panic is a finding).

use std::fmt::{Debug, Display};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::{Arc, OnceLock};

use serde_json::{Map, Value};

use crate::dangerous::decode_unverified;
use crate::metadata::uri::{check_uri, web_uri_problem};
use crate::net::{http_allowed_host, ip_literal, is_loopback};
use crate::{
    is_globally_routable, merge, merge_owned, verify_jws, AddressScope, Algorithm, AlgorithmSet, ClientMetadata,
    FixedClock, Jwk, JwkSet, Limits, LoadOptions, Registrar, TrustFile, UnverifiedJws, ValidationOptions, JWT_CLAIMS,
};

/// The fixed clock of the `registration` target: 2027-01-15T08:00:00Z, the default `now`
/// of the registration test vectors.
pub const NOW: u64 = 1_800_000_000;

/// Every target, by name: the names of `fuzz/fuzz_targets/*.rs` and `fuzz/corpus/*/`.
pub const TARGETS: [&str; 7] = [
    "jws",
    "jwk",
    "trust_file",
    "registration",
    "merge_validate",
    "cache_control",
    "uri_policy",
];

/// The registration test keys (private JWKs), by file name.
pub(super) const REGISTRATION_KEYS: [(&str, &str); 6] = [
    ("es256", include_str!("../../test-vectors/registration/keys/es256.jwk")),
    ("eddsa", include_str!("../../test-vectors/registration/keys/eddsa.jwk")),
    ("rs256", include_str!("../../test-vectors/registration/keys/rs256.jwk")),
    ("hs256", include_str!("../../test-vectors/registration/keys/hs256.jwk")),
    (
        "impostor",
        include_str!("../../test-vectors/registration/keys/impostor.jwk"),
    ),
    (
        "client",
        include_str!("../../test-vectors/registration/keys/client.jwk"),
    ),
];

/// The benchmark keys: one per algorithm, so that every algorithm the backend has can
/// verify (and the benchmark tokens are valid seeds).
pub(super) const BENCH_KEYS: [&str; 7] = [
    include_str!("../../test-vectors/bench/keys/ES256.jwk"),
    include_str!("../../test-vectors/bench/keys/ES384.jwk"),
    include_str!("../../test-vectors/bench/keys/ES512.jwk"),
    include_str!("../../test-vectors/bench/keys/EdDSA.jwk"),
    include_str!("../../test-vectors/bench/keys/RS256.jwk"),
    include_str!("../../test-vectors/bench/keys/PS256.jwk"),
    include_str!("../../test-vectors/bench/keys/HS256.jwk"),
];

/// The trust file of the registration test vectors, with `$JWKS:…` placeholders.
pub(super) const DEFAULT_TRUST: &str = include_str!("../../test-vectors/registration/trust/default.json");

/// A key as a verifier holds it: the public JWK, or the key itself for a secret.
pub(super) fn verifier_key(key: &Jwk) -> Jwk {
    key.to_public()
        .or_else(|_| Jwk::from_value(&key.to_value()))
        .expect("a test key imports again")
}

/// The registration test key named `name` (private), if the backend supports it.
pub(super) fn registration_key(name: &str) -> Option<Jwk> {
    let (_, json) = REGISTRATION_KEYS.iter().find(|(n, _)| *n == name)?;
    Jwk::from_json(json).ok()
}

/// The `jws` target's key set: every registration and benchmark key, as a verifier holds
/// it. Keys the backend does not support are left out.
pub(super) fn jws_keys() -> &'static JwkSet {
    static KEYS: OnceLock<JwkSet> = OnceLock::new();
    KEYS.get_or_init(|| {
        let keys = REGISTRATION_KEYS
            .iter()
            .map(|(_, json)| *json)
            .chain(BENCH_KEYS)
            .filter_map(|json| Jwk::from_json(json).ok())
            .map(|k| verifier_key(&k))
            .collect();
        JwkSet::new(keys).expect("the test keys have distinct kids")
    })
}

/// `text` with each `"$JWKS:a,b"` placeholder replaced by the JWK Set of those
/// registration keys, as a verifier holds them.
pub(super) fn fill_jwks_placeholders(text: &str) -> String {
    const OPEN: &str = "\"$JWKS:";
    let mut out = String::with_capacity(text.len() * 4);
    let mut rest = text;
    while let Some(at) = rest.find(OPEN) {
        out.push_str(&rest[..at]);
        let after = &rest[at + OPEN.len()..];
        let end = after.find('"').expect("a closed placeholder");
        let keys: Vec<Value> = after[..end]
            .split(',')
            .filter_map(registration_key)
            .map(|k| verifier_key(&k).to_value())
            .collect();
        out.push_str(&serde_json::json!({ "keys": keys }).to_string());
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

/// The `registration` target's registrar: `test-vectors/registration/trust/default.json`
/// (the publisher keys of the registration test vectors) at the fixed clock [`NOW`].
pub(super) fn registrar() -> &'static Registrar {
    static REGISTRAR: OnceLock<Registrar> = OnceLock::new();
    REGISTRAR.get_or_init(|| {
        let options = LoadOptions::default().clock(Arc::new(FixedClock::new(NOW)));
        let trust = TrustFile::from_json(&fill_jwks_placeholders(DEFAULT_TRUST), "default.json", Some(options))
            .expect("the registration trust file loads");
        Registrar::from_trust_file(&trust)
    })
}

/// An error's `Display` and `Debug` do not panic, and `Display` says something.
pub(super) fn check_error<E: Display + Debug>(e: &E) {
    let shown = e.to_string();
    assert!(!shown.is_empty(), "an error displays as the empty string: {e:?}");
    let _ = format!("{e:?}");
}

mod registration;
#[cfg(test)]
mod tests;
mod tokens;
mod web;

pub use self::registration::{merge_validate, registration};
pub use self::tokens::{jwk, jws, trust_file};
#[cfg(feature = "remote")]
pub use self::web::cache_control;
pub use self::web::uri_policy;

/// The target function named `name`, or `None` (`cache_control` needs feature `remote`).
pub fn by_name(name: &str) -> Option<fn(&[u8])> {
    Some(match name {
        "jws" => jws,
        "jwk" => jwk,
        "trust_file" => trust_file,
        "registration" => registration,
        "merge_validate" => merge_validate,
        #[cfg(feature = "remote")]
        "cache_control" => cache_control,
        "uri_policy" => uri_policy,
        _ => return None,
    })
}
