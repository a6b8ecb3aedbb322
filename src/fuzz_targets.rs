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
const REGISTRATION_KEYS: [(&str, &str); 6] = [
    ("es256", include_str!("../test-vectors/registration/keys/es256.jwk")),
    ("eddsa", include_str!("../test-vectors/registration/keys/eddsa.jwk")),
    ("rs256", include_str!("../test-vectors/registration/keys/rs256.jwk")),
    ("hs256", include_str!("../test-vectors/registration/keys/hs256.jwk")),
    (
        "impostor",
        include_str!("../test-vectors/registration/keys/impostor.jwk"),
    ),
    ("client", include_str!("../test-vectors/registration/keys/client.jwk")),
];

/// The benchmark keys: one per algorithm, so that every algorithm the backend has can
/// verify (and the benchmark tokens are valid seeds).
const BENCH_KEYS: [&str; 7] = [
    include_str!("../test-vectors/bench/keys/ES256.jwk"),
    include_str!("../test-vectors/bench/keys/ES384.jwk"),
    include_str!("../test-vectors/bench/keys/ES512.jwk"),
    include_str!("../test-vectors/bench/keys/EdDSA.jwk"),
    include_str!("../test-vectors/bench/keys/RS256.jwk"),
    include_str!("../test-vectors/bench/keys/PS256.jwk"),
    include_str!("../test-vectors/bench/keys/HS256.jwk"),
];

/// The trust file of the registration test vectors, with `$JWKS:…` placeholders.
const DEFAULT_TRUST: &str = include_str!("../test-vectors/registration/trust/default.json");

/// A key as a verifier holds it: the public JWK, or the key itself for a secret.
fn verifier_key(key: &Jwk) -> Jwk {
    key.to_public()
        .or_else(|_| Jwk::from_value(&key.to_value()))
        .expect("a test key imports again")
}

/// The registration test key named `name` (private), if the backend supports it.
fn registration_key(name: &str) -> Option<Jwk> {
    let (_, json) = REGISTRATION_KEYS.iter().find(|(n, _)| *n == name)?;
    Jwk::from_json(json).ok()
}

/// The `jws` target's key set: every registration and benchmark key, as a verifier holds
/// it. Keys the backend does not support are left out.
fn jws_keys() -> &'static JwkSet {
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
fn fill_jwks_placeholders(text: &str) -> String {
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
fn registrar() -> &'static Registrar {
    static REGISTRAR: OnceLock<Registrar> = OnceLock::new();
    REGISTRAR.get_or_init(|| {
        let options = LoadOptions::default().clock(Arc::new(FixedClock::new(NOW)));
        let trust = TrustFile::from_json(&fill_jwks_placeholders(DEFAULT_TRUST), "default.json", Some(options))
            .expect("the registration trust file loads");
        Registrar::from_trust_file(&trust)
    })
}

/// An error's `Display` and `Debug` do not panic, and `Display` says something.
fn check_error<E: Display + Debug>(e: &E) {
    let shown = e.to_string();
    assert!(!shown.is_empty(), "an error displays as the empty string: {e:?}");
    let _ = format!("{e:?}");
}

/// A compact JWS: parsed (every syntactic rule), then verified against a fixed key set
/// (the registration and benchmark test keys, every algorithm allowed).
///
/// Invariants: the one-step `verify_jws` agrees with parse + verify; a verified token's
/// header and payload are the parsed ones; whatever parses also decodes with
/// `dangerous::decode_unverified`, to the same header members and payload.
pub fn jws(data: &[u8]) {
    let Ok(token) = std::str::from_utf8(data) else {
        return;
    };
    let limits = Limits::default();
    let keys = jws_keys();
    let one_step = verify_jws(token, keys, AlgorithmSet::ALL, &limits);
    let unverified = match decode_unverified(token, &limits) {
        Ok(decoded) => Some(decoded),
        Err(e) => {
            check_error(&e);
            None
        }
    };
    let parsed = match UnverifiedJws::parse(token, &limits) {
        Ok(p) => p,
        Err(e) => {
            check_error(&e);
            assert!(one_step.is_err(), "verify_jws accepted a token that does not parse");
            return;
        }
    };
    let header = parsed.header().clone();
    let payload = parsed.payload().to_vec();
    let _ = (header.alg(), header.kid(), header.typ(), format!("{parsed:?}"));
    let (members, decoded_payload) = unverified.expect("a token that parses also decodes unverified");
    assert_eq!(&members, header.members(), "decode_unverified disagrees on the header");
    assert_eq!(decoded_payload, payload, "decode_unverified disagrees on the payload");
    match parsed.verify(keys, AlgorithmSet::ALL) {
        Ok(verified) => {
            assert_eq!(verified.payload(), payload.as_slice());
            assert_eq!(verified.header().members(), header.members());
            let one_step = one_step.expect("verify_jws refused a token that parse + verify accepted");
            assert_eq!(one_step.payload(), payload.as_slice());
        }
        Err(e) => {
            check_error(&e);
            assert!(
                one_step.is_err(),
                "verify_jws accepted a token that parse + verify refused"
            );
        }
    }
}

/// What an imported key must satisfy: its JSON form imports again to the same key
/// (same thumbprint, same privacy), its public form has the same thumbprint, and asking
/// whether it verifies each algorithm does not panic.
fn check_imported_key(key: &Jwk) {
    let thumbprint = key.thumbprint();
    let _ = (
        key.kid(),
        key.alg(),
        key.key_type(),
        key.algorithms(),
        key.default_algorithm(),
    );
    let again = Jwk::from_value(&key.to_value()).expect("a key's JSON form imports again");
    assert_eq!(again.thumbprint(), thumbprint, "re-import changed the thumbprint");
    assert_eq!(again.is_private(), key.is_private());
    match key.to_public() {
        Ok(public) => {
            assert!(!public.is_private(), "to_public kept private material");
            assert_eq!(public.thumbprint(), thumbprint, "to_public changed the thumbprint");
        }
        Err(e) => check_error(&e),
    }
    for alg in Algorithm::ALL {
        if let Err(e) = key.check_verify(alg) {
            check_error(&e);
        }
    }
}

/// A JWK from JSON, a JWK Set from JSON (strict and lenient), a JWK from PEM and from
/// DER: the same bytes through every importer.
///
/// Invariants: see `check_imported_key`; a set the strict reader accepts, the lenient
/// one (for fetched sets) accepts too, keeping some of its keys and never a secret.
pub fn jwk(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        match Jwk::from_json(text) {
            Ok(key) => check_imported_key(&key),
            Err(e) => check_error(&e),
        }
        let strict = JwkSet::from_json(text);
        let lenient = JwkSet::from_json_lenient(text);
        match (&strict, &lenient) {
            (Ok(s), Ok(l)) => {
                let strict_keys: Vec<String> = s.keys().iter().map(Jwk::thumbprint).collect();
                for key in l.keys() {
                    assert!(!key.is_private(), "the lenient (fetched-set) reader kept a secret");
                    assert!(
                        strict_keys.contains(&key.thumbprint()),
                        "the lenient reader kept a key the strict one did not"
                    );
                }
            }
            (Ok(_), Err(e)) => panic!("the lenient reader refused a set the strict one accepted: {e}"),
            (Err(e), _) => check_error(e),
        }
        for set in [strict, lenient].into_iter().flatten() {
            for key in set.keys() {
                check_imported_key(key);
            }
            for skipped in set.skipped() {
                let _ = format!("{skipped:?}");
            }
            let _ = (set.algorithms(), set.is_empty());
            match set.to_public_value() {
                Ok(public) => {
                    let again = JwkSet::from_value(&public).expect("a set's public form imports again");
                    assert_eq!(again.keys().len(), set.keys().len());
                }
                Err(e) => check_error(&e),
            }
        }
        match Jwk::from_pem(text) {
            Ok(key) => check_imported_key(&key),
            Err(e) => check_error(&e),
        }
    }
    match Jwk::from_der(data) {
        Ok(key) => check_imported_key(&key),
        Err(e) => check_error(&e),
    }
}

/// Whether a trust file names a `jwks_file` anywhere: such a file is read from disk,
/// which a fuzzer must not do (`/dev/zero`, `/dev/stdin`).
fn names_jwks_file(value: &Value) -> bool {
    match value {
        Value::Object(map) => map.iter().any(|(k, v)| k == "jwks_file" || names_jwks_file(v)),
        Value::Array(items) => items.iter().any(names_jwks_file),
        _ => false,
    }
}

/// A trust file's text, through `TrustFile::from_json` (the fixed clock; `jwks_uri`
/// fetchers are built but fetch nothing). A file with a `jwks_file` member is skipped:
/// it would be read from disk.
///
/// Invariants: a loaded file's issuers are all non-empty and have a policy; errors name
/// the file.
pub fn trust_file(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // The library's reader is stricter than serde_json's (duplicates, depth): what
    // serde_json cannot read, the library refuses too, without opening any file.
    if serde_json::from_str::<Value>(text).is_ok_and(|v| names_jwks_file(&v)) {
        return;
    }
    let options = LoadOptions::default().clock(Arc::new(FixedClock::new(NOW)));
    match TrustFile::from_json(text, "fuzz.json", Some(options)) {
        Ok(trust) => {
            let verifier = trust.verifier();
            for (issuer, policy) in verifier.issuers() {
                assert!(!issuer.is_empty(), "a trust file loaded an empty issuer");
                assert!(verifier.issuer(issuer).is_some());
                let _ = (
                    policy.keys().skipped(),
                    policy.configured_algorithms(),
                    policy.keys().uri(),
                );
            }
            let _ = (
                trust.require_software_statement(),
                trust.allows_http_loopback(),
                verifier.needs_fetch(),
            );
        }
        Err(e) => {
            check_error(&e);
            assert!(
                e.to_string().contains("fuzz.json"),
                "a trust file error does not name the file: {e}"
            );
        }
    }
}

/// A registration request body, end to end through `Registrar::register_json`: a
/// registrar over the registration test vectors' trust file (the test publisher keys),
/// default validation, at the fixed clock [`NOW`].
///
/// Invariants: a registration's metadata validates again; it never carries a JWT claim
/// the request did not send (statement claims `iss`, `exp`, … are never copied); a
/// request with a statement gets statement info and its token echoed; the error's JSON
/// form has its code.
pub fn registration(data: &[u8]) {
    let Ok(body) = std::str::from_utf8(data) else {
        return;
    };
    match registrar().register_json(body) {
        Ok(registration) => {
            let request = registrar()
                .parse_request(body)
                .expect("a registered body parses as a request");
            registration
                .metadata
                .validate(&ValidationOptions::default())
                .expect("registered metadata validates again");
            for claim in JWT_CLAIMS {
                if let Some(value) = registration.metadata.get(claim) {
                    assert_eq!(
                        Some(value),
                        request.get(claim),
                        "the JWT claim {claim} came from a statement"
                    );
                }
            }
            match request.get("software_statement") {
                Some(Value::String(token)) => {
                    assert!(registration.statement.is_some(), "a statement gave no statement info");
                    assert_eq!(registration.metadata.software_statement(), Some(token.as_str()));
                }
                _ => assert!(registration.statement.is_none()),
            }
            for name in &registration.overridden {
                assert!(
                    request.contains_key(name),
                    "{name} reported overridden but not in the request"
                );
            }
            let _ = registration.to_json().to_string();
        }
        Err(e) => {
            check_error(&e);
            let json = e.to_json();
            assert!(
                json.get("error").is_some_and(Value::is_string),
                "error JSON without a code: {json}"
            );
            let _ = (e.code(), e.http_status(), e.description());
        }
    }
}

/// Member names the `merge_validate` decoder picks from: RFC 7591 fields, JWT claims,
/// the statement, and a few others.
const NAMES: [&str; 32] = [
    "redirect_uris",
    "token_endpoint_auth_method",
    "grant_types",
    "response_types",
    "client_name",
    "client_uri",
    "logo_uri",
    "scope",
    "contacts",
    "tos_uri",
    "policy_uri",
    "jwks_uri",
    "jwks",
    "software_id",
    "software_version",
    "software_statement",
    "iss",
    "sub",
    "aud",
    "exp",
    "nbf",
    "iat",
    "jti",
    "client_name#fr",
    "client_name#ja-Jpan-JP",
    "jwks#en",
    "jwks_uri#de",
    "software_statement#fr",
    "tos_uri#FR",
    "tos_uri#fr",
    "post_logout_redirect_uris",
    "default_max_age",
];

/// String values the decoder picks from: URIs of every shape, grant and response types,
/// auth methods.
const STRINGS: [&str; 24] = [
    "https://client.example.org/cb",
    "http://127.0.0.1:8080/cb",
    "http://[::1]/cb",
    "http://localhost/cb",
    "https://client.example.org/cb#frag",
    "com.example.app:/cb",
    "https://",
    "https://@host",
    "not a uri",
    "",
    "authorization_code",
    "implicit",
    "refresh_token",
    "client_credentials",
    "code",
    "token",
    "id_token",
    "code id_token",
    "none",
    "client_secret_basic",
    "private_key_jwt",
    "tls_client_auth",
    "mailto:admin@example.org",
    "urn:ietf:params:oauth:grant-type:jwt-bearer",
];

/// A tiny decoder of structured inputs from fuzzer bytes: every byte string decodes
/// to something (missing bytes read as zero).
struct Decoder<'a> {
    data: &'a [u8],
}

impl<'a> Decoder<'a> {
    fn byte(&mut self) -> u8 {
        match self.data.split_first() {
            Some((&b, rest)) => {
                self.data = rest;
                b
            }
            None => 0,
        }
    }

    /// Up to 63 bytes of the input, as text.
    fn raw(&mut self) -> String {
        let len = usize::from(self.byte() % 64).min(self.data.len());
        let (taken, rest) = self.data.split_at(len);
        self.data = rest;
        String::from_utf8_lossy(taken).into_owned()
    }

    fn name(&mut self) -> String {
        let b = self.byte();
        match NAMES.get(usize::from(b)) {
            Some(name) => (*name).to_owned(),
            None if b < 0xf0 => {
                let base = NAMES[usize::from(b) % NAMES.len()];
                format!("{base}#{}", self.raw())
            }
            None => self.raw(),
        }
    }

    fn string(&mut self) -> String {
        let b = self.byte();
        match STRINGS.get(usize::from(b)) {
            Some(s) => (*s).to_owned(),
            None => self.raw(),
        }
    }

    fn value(&mut self, depth: u8) -> Value {
        let kind = self.byte();
        match kind % 9 {
            0 => Value::Null,
            1 => Value::Bool(kind & 0x80 != 0),
            2 => Value::from(i64::from(self.byte() as i8) * i64::from(self.byte())),
            3 | 4 => Value::String(self.string()),
            5 if depth > 0 => {
                let n = self.byte() % 5;
                Value::Array((0..n).map(|_| self.value(depth - 1)).collect())
            }
            6 if depth > 0 => Value::Object(self.map(depth - 1)),
            7 => {
                // A JWK Set: the test keys, public or private.
                let n = self.byte() % 3;
                let keys = (0..n)
                    .map(|_| {
                        let (_, json) = REGISTRATION_KEYS[usize::from(self.byte()) % REGISTRATION_KEYS.len()];
                        serde_json::from_str::<Value>(json).unwrap_or_default()
                    })
                    .collect::<Vec<_>>();
                serde_json::json!({ "keys": keys })
            }
            _ => {
                let n = self.byte() % 4;
                Value::Array((0..n).map(|_| Value::String(self.string())).collect())
            }
        }
    }

    fn map(&mut self, depth: u8) -> Map<String, Value> {
        let n = self.byte() % 12;
        let mut map = Map::new();
        for _ in 0..n {
            let name = self.name();
            let value = self.value(depth);
            map.insert(name, value);
        }
        map
    }
}

/// Merge + validate on structured inputs decoded from the bytes: a request and
/// statement claims (maps over registration member names and values), whether a
/// statement is applied, and the validation options.
///
/// Invariants: `merge` and `merge_owned` agree; without a statement the metadata is the
/// request; with one, no JWT claim of the statement is ever copied, every overridden name
/// is a request member, and `software_statement` is the token, last; validation does not
/// panic and its error says something.
pub fn merge_validate(data: &[u8]) {
    let mut d = Decoder { data };
    let flags = d.byte();
    let mut options = ValidationOptions::default().allow_http_loopback(flags & 2 != 0);
    if flags & 4 != 0 {
        options = options.grant_types(["authorization_code", "refresh_token"]);
    }
    if flags & 8 != 0 {
        options = options.redirect_uri_schemes(["https", "com.example.app"]);
    }
    if flags & 16 != 0 {
        options = options.token_endpoint_auth_methods(["private_key_jwt"]);
    }
    let request = d.map(2);
    let claims = d.map(2);
    let token = d.string();
    let statement = (flags & 1 != 0).then_some((token.as_str(), &claims));

    let merged = merge(&request, statement);
    let owned = merge_owned(request.clone(), statement.map(|(t, c)| (t, c.clone())));
    assert_eq!(merged, owned, "merge and merge_owned disagree");
    let members = merged.metadata.as_map();
    if statement.is_none() {
        assert_eq!(
            members, &request,
            "without a statement, the metadata is not the request"
        );
        assert!(merged.overridden.is_empty());
    } else {
        for claim in JWT_CLAIMS {
            if let Some(value) = members.get(claim) {
                assert_eq!(
                    Some(value),
                    request.get(claim),
                    "the JWT claim {claim} came from the statement"
                );
            }
        }
        for name in &merged.overridden {
            assert!(
                request.contains_key(name),
                "{name} reported overridden but not in the request"
            );
        }
        let last = members.iter().next_back();
        assert_eq!(
            last,
            Some((&"software_statement".to_owned(), &Value::String(token.clone()))),
            "software_statement is not the token, last"
        );
    }
    if let Err(e) = merged.metadata.validate(&options) {
        check_error(&e);
    }
}

/// `Cache-Control` header values (one per input line) through the `jwks_uri` cache
/// lifetime, under the default options and two extreme ones.
///
/// Invariants: the lifetime is never above `max_ttl`, and never below `min_ttl` when
/// `min_ttl <= max_ttl`.
#[cfg(feature = "remote")]
pub fn cache_control(data: &[u8]) {
    use std::time::Duration;

    use reqwest::header::{HeaderMap, HeaderValue, CACHE_CONTROL};

    use crate::RemoteOptions;

    static OPTIONS: OnceLock<[(RemoteOptions, u64, u64); 3]> = OnceLock::new();
    let options = OPTIONS.get_or_init(|| {
        let secs = Duration::from_secs;
        [
            (RemoteOptions::default(), 60, 24 * 60 * 60),
            (
                RemoteOptions::default()
                    .min_ttl(secs(0))
                    .max_ttl(secs(u64::MAX))
                    .default_ttl(secs(7)),
                0,
                u64::MAX,
            ),
            // min_ttl above max_ttl: max_ttl wins.
            (RemoteOptions::default().min_ttl(secs(500)).max_ttl(secs(100)), 500, 100),
        ]
    });
    let mut headers = HeaderMap::new();
    for line in data.split(|&b| b == b'\n') {
        if let Ok(value) = HeaderValue::from_bytes(line) {
            headers.append(CACHE_CONTROL, value);
        }
    }
    for (options, min, max) in options {
        let ttl = options.ttl(&headers);
        assert!(ttl <= *max, "ttl {ttl} above max_ttl {max}");
        if min <= max {
            assert!(ttl >= *min, "ttl {ttl} below min_ttl {min}");
        }
    }
}

/// The URI policy: `check_uri` and `web_uri_problem` on the input as text (and as the
/// `redirect_uris` and `jwks_uri` of metadata), the address-literal helpers, and
/// `is_globally_routable` on the address the text parses as and on the first 4 and 16
/// input bytes as IPv4 and IPv6 addresses.
///
/// Invariants: an accepted URI's scheme is a non-empty RFC 3986 scheme followed by `:`;
/// allowing loopback `http` only widens `web_uri_problem`, and only to `http(s)` URIs;
/// loopback addresses are never global; an IPv4-mapped IPv6 address is judged as its
/// IPv4 address; each wider `AddressScope` allows at least what a narrower one does.
pub fn uri_policy(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let uri = text.as_ref();
    match check_uri(uri) {
        Ok(scheme) => {
            assert!(!scheme.is_empty());
            assert!(scheme.as_bytes()[0].is_ascii_alphabetic());
            assert!(scheme
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.')));
            assert_eq!(uri.as_bytes().get(scheme.len()), Some(&b':'));
            assert!(!uri.contains('#'));
        }
        Err(problem) => assert!(!problem.describe("redirect_uris", Some(0)).is_empty()),
    }
    let https_ok = |loopback| check_uri(uri).is_ok() && web_uri_problem(uri, true, loopback).is_none();
    let strict = https_ok(false);
    let loopback = https_ok(true);
    assert!(!strict || loopback, "allowing loopback http refused a URI");
    if loopback && !strict {
        let scheme = uri.split(':').next().unwrap_or_default();
        assert!(
            scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https"),
            "allowing loopback widened to a URI neither http nor https: {uri}"
        );
    }
    if let Some(ip) = ip_literal(uri) {
        check_address(ip);
    }
    if http_allowed_host(uri) {
        assert!(ip_literal(uri).is_some_and(is_loopback));
    }
    if let Ok(ip) = uri.parse::<IpAddr>() {
        check_address(ip);
    }
    if let Some(octets) = data.first_chunk::<4>() {
        check_address(IpAddr::V4(Ipv4Addr::from(*octets)));
    }
    if let Some(octets) = data.first_chunk::<16>() {
        check_address(IpAddr::V6(Ipv6Addr::from(*octets)));
    }
    for allow_http_loopback in [false, true] {
        let options = ValidationOptions::default().allow_http_loopback(allow_http_loopback);
        for name in ["jwks_uri", "redirect_uris"] {
            let value = if name == "redirect_uris" {
                Value::from(vec![uri])
            } else {
                Value::from(uri)
            };
            let metadata = ClientMetadata::from_map(Map::from_iter([(name.to_owned(), value)]));
            if let Err(e) = metadata.validate(&options) {
                check_error(&e);
            }
        }
    }
}

fn check_address(ip: IpAddr) {
    let global = is_globally_routable(ip);
    if is_loopback(ip) {
        assert!(!global, "{ip} is loopback and global");
    }
    if let IpAddr::V6(v6) = ip {
        if let Some(v4) = v6.to_ipv4_mapped() {
            assert_eq!(global, is_globally_routable(IpAddr::V4(v4)), "{ip} judged unlike {v4}");
        }
    }
    let scopes = [AddressScope::GlobalOnly, AddressScope::AlsoLoopback, AddressScope::Any];
    assert_eq!(scopes[0].allows(ip), global);
    for pair in scopes.windows(2) {
        assert!(
            !pair[0].allows(ip) || pair[1].allows(ip),
            "{:?} allows {ip} but {:?} not",
            pair[0],
            pair[1]
        );
    }
}

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

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::*;

    fn fuzz_dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
    }

    /// The files of `dir`, sorted; none if it does not exist.
    fn files(dir: &Path) -> Vec<PathBuf> {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return Vec::new();
        };
        let mut files: Vec<PathBuf> = entries
            .map(|e| e.expect("a readable directory entry").path())
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        files
    }

    /// Every committed corpus and regression file of `fuzz/`, through its target
    /// function: what `cargo fuzz` found and kept is checked on stable, by `cargo test`.
    #[test]
    fn fuzz_corpora_replay() {
        let mut report = Vec::new();
        for target in TARGETS {
            let Some(run) = by_name(target) else {
                continue;
            };
            let corpus = files(&fuzz_dir().join("corpus").join(target));
            let regressions = files(&fuzz_dir().join("regressions").join(target));
            assert!(!corpus.is_empty(), "no corpus file for the fuzz target {target}");
            for file in corpus.iter().chain(&regressions) {
                let data = std::fs::read(file).expect("a readable corpus file");
                let outcome = std::panic::catch_unwind(|| run(&data));
                assert!(outcome.is_ok(), "fuzz target {target} panicked on {}", file.display());
            }
            report.push(format!("{target}: {} + {}", corpus.len(), regressions.len()));
        }
        println!("replayed (corpus + regressions): {}", report.join(", "));
    }

    /// The fixed key set and registrar build, and hold what the targets assume.
    #[test]
    fn fuzz_fixtures_build() {
        assert!(jws_keys().get("publisher-es256").is_some());
        assert!(jws_keys().get("publisher-hs256").is_some());
        assert!(registrar().verifier().issuer("https://publisher.example.com").is_some());
        assert!(!fill_jwks_placeholders(DEFAULT_TRUST).contains("$JWKS"));
    }

    /// A statement signed by a registration test key, valid at [`NOW`].
    fn statement(key: &str, issuer: &str, claims: Value) -> String {
        let key = registration_key(key).expect("a test key");
        let mut builder = crate::StatementBuilder::new(issuer).issued_at(NOW - 60).ttl(3600);
        for (name, value) in claims.as_object().expect("claims object") {
            builder = builder.claim(name, value.clone());
        }
        builder.sign(&key).expect("the statement signs")
    }

    /// Writes the generated seeds of `fuzz/corpus/`: tokens signed by the registration
    /// keys, requests carrying them, PEM and DER forms of the test keys, the trust file
    /// with its keys filled in, `Cache-Control` values, URIs and addresses, and decoder
    /// inputs for `merge_validate`. The other seeds are copies of `test-vectors/` files
    /// (see `fuzz/README.md`). Run with `cargo test --lib fuzz_write_seeds -- --ignored`.
    #[test]
    #[ignore = "writes fuzz/corpus/; run by hand to regenerate the seeds"]
    fn fuzz_write_seeds() {
        let write = |target: &str, name: &str, bytes: &[u8]| {
            let dir = fuzz_dir().join("corpus").join(target);
            std::fs::create_dir_all(&dir).expect("corpus dir");
            std::fs::write(dir.join(name), bytes).expect("seed written");
        };
        let claims = serde_json::json!({
            "software_id": "4NRB1-0XZABZI9E6-5SM3R",
            "client_name": "Example",
            "redirect_uris": ["https://client.example.org/callback"],
        });
        for (key, issuer) in [
            ("es256", "https://publisher.example.com"),
            ("eddsa", "https://publisher.example.com"),
            ("rs256", "https://rsa.publisher.example.com"),
            ("hs256", "https://hmac.publisher.example.com"),
            ("impostor", "https://publisher.example.com"),
        ] {
            let token = statement(key, issuer, claims.clone());
            write("jws", &format!("seed-{key}.jwt"), token.as_bytes());
            let request = serde_json::json!({
                "client_name": "Unattested",
                "client_name#fr": "Non attesté",
                "jwks_uri": "https://client.example.org/jwks.json",
                "grant_types": ["authorization_code", "refresh_token"],
                "software_statement": token,
            });
            write(
                "registration",
                &format!("seed-{key}.json"),
                request.to_string().as_bytes(),
            );
        }
        // A statement asserting JWT-like and tagged members.
        let token = statement(
            "es256",
            "https://publisher.example.com",
            serde_json::json!({"client_name#ja-Jpan-JP": "クライアント", "jwks": {"keys": []},
                "software_statement": "nested", "token_endpoint_auth_method": "private_key_jwt"}),
        );
        write("jws", "seed-tagged.jwt", token.as_bytes());
        let client = verifier_key(&registration_key("client").expect("client key")).to_value();
        let request = serde_json::json!({
            "redirect_uris": ["https://client.example.org/cb", "http://127.0.0.1/cb"],
            "jwks": {"keys": [client]},
            "iss": "an ordinary member",
            "software_statement": token,
        });
        write("registration", "seed-tagged.json", request.to_string().as_bytes());
        write(
            "registration",
            "seed-no-statement.json",
            br#"{"redirect_uris":["https://a.example/cb"],"client_name":"A","scope":"openid"}"#,
        );

        write(
            "trust_file",
            "seed-default-filled.json",
            fill_jwks_placeholders(DEFAULT_TRUST).as_bytes(),
        );
        write(
            "trust_file",
            "seed-options.json",
            br#"{"issuers":{"https://p.example":{"jwks_uri":"https://p.example/jwks.json","algorithms":["ES256","EdDSA"],"required_claims":["software_id"],"max_age":86400,"audience":["https://as.example"],"typ":"JWT"}},"leeway":30,"require_software_statement":true,"allow_http_loopback":true}"#,
        );

        for cc in [
            "max-age=300",
            "public, max-age=\"86400\"\nno-cache",
            "no-store",
            "max-age=99999999999999999999999, max-age=10",
            "MAX-AGE=60,private",
        ] {
            write(
                "cache_control",
                &format!("seed-{:x}", fnv(cc.as_bytes())),
                cc.as_bytes(),
            );
        }
        for uri in [
            "https://client.example.org/cb?x=1",
            "http://127.0.0.1:8080/cb",
            "http://[::1]/cb",
            "http://[::ffff:127.0.0.1]:80/",
            "com.example.app:/oauth2redirect",
            "https://client.example.org/#frag",
            "::ffff:10.0.0.1",
            "2002:c000:0204::1",
            "64:ff9b::8.8.8.8",
            "192.168.1.1",
        ] {
            write("uri_policy", &format!("seed-{:x}", fnv(uri.as_bytes())), uri.as_bytes());
        }
        // merge_validate: flags, request members, claims, token (see Decoder).
        for (name, bytes) in [
            (
                "seed-statement",
                &[1u8, 3, 4, 3, 4, 0, 3, 3, 5, 0, 8, 1, 0, 3, 11, 3, 0, 12, 7, 1, 2, 3, 13][..],
            ),
            (
                "seed-no-statement",
                &[2, 2, 0, 5, 1, 3, 1, 1, 8, 3, 2, 3, 10, 3, 14, 0, 0][..],
            ),
            (
                "seed-jwt-claims",
                &[1, 3, 16, 3, 8, 23, 3, 9, 13, 3, 3, 16, 3, 0, 24, 3, 1, 19, 2, 5, 7, 0][..],
            ),
        ] {
            write("merge_validate", name, bytes);
        }

        // PEM and DER of the test keys are generated with openssl from these JWKs (see
        // fuzz/README.md); here, the JWK JSON of each.
        for (name, json) in REGISTRATION_KEYS {
            write("jwk", &format!("seed-{name}.jwk"), json.as_bytes());
        }

        // The RFC vectors: compact tokens, keys and key sets.
        for rfc in ["rfc7515", "rfc7517", "rfc7520", "rfc7591", "rfc7638", "rfc8037"] {
            let doc = read_json(&format!("test-vectors/rfc/{rfc}.json"));
            let vectors = doc["vectors"].as_array().into_iter().flatten();
            let keys = doc["keys"].as_array().into_iter().flatten();
            for (at, v) in vectors.chain(keys).enumerate() {
                let id = v["id"].as_str().map_or_else(|| format!("{rfc}-{at}"), str::to_owned);
                if let Some(compact) = v["compact"].as_str() {
                    write("jws", &format!("{id}.jwt"), compact.as_bytes());
                }
                for member in ["jwk", "jwk_public", "jwks"] {
                    if v[member].is_object() {
                        write("jwk", &format!("{id}-{member}.json"), v[member].to_string().as_bytes());
                    }
                }
            }
        }

        // The registration cases: request bodies (statements signed now, valid at NOW),
        // trust files, and merge inputs encoded for the merge_validate decoder.
        for file in ["merge", "validation", "hooks", "statements"] {
            let doc = read_json(&format!("test-vectors/registration/{file}.json"));
            for case in doc["cases"].as_array().expect("cases") {
                let name = case["name"].as_str().expect("a case name");
                if let Some(text) = case["request_text"].as_str() {
                    write("registration", &format!("{name}.json"), text.as_bytes());
                }
                let statement = case.get("statement").and_then(sign_case);
                if let Some(request) = case.get("request") {
                    let request = fill(request, statement.as_deref().unwrap_or(""));
                    write("registration", &format!("{name}.json"), request.to_string().as_bytes());
                    let claims = statement
                        .as_deref()
                        .and_then(|t| crate::dangerous::decode_unverified(t, &Limits::default()).ok())
                        .and_then(|(_, payload)| serde_json::from_slice::<Map<String, Value>>(&payload).ok())
                        .unwrap_or_default();
                    if let Value::Object(request) = &request {
                        let flags = u8::from(statement.is_some()) | 2;
                        let token = statement.as_deref().unwrap_or("");
                        write(
                            "merge_validate",
                            name,
                            &encode_merge_input(flags, request, &claims, token),
                        );
                    }
                }
                if let Some(trust) = case.get("trust").filter(|t| t.is_object()) {
                    let text = fill_jwks_placeholders(&trust.to_string());
                    write("trust_file", &format!("{name}.json"), text.as_bytes());
                }
            }
        }
    }

    fn read_json(path: &str) -> Value {
        let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).expect("a test vector");
        serde_json::from_str(&text).expect("test vector JSON")
    }

    /// `value` with the registration cases' placeholders filled: `"$STATEMENT"` (the
    /// token), `"$JWK:name"`, `"$JWKS:a,b"`.
    fn fill(value: &Value, token: &str) -> Value {
        match value {
            Value::String(s) if s == "$STATEMENT" => Value::from(token),
            Value::String(s) if s.starts_with("$JWK:") => {
                registration_key(&s[5..]).map_or(Value::Null, |k| verifier_key(&k).to_value())
            }
            Value::String(s) if s.starts_with("$JWKS:") => {
                serde_json::from_str(&fill_jwks_placeholders(&format!("{s:?}"))).unwrap_or_default()
            }
            Value::Array(items) => items.iter().map(|v| fill(v, token)).collect(),
            Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), fill(v, token))).collect()),
            other => other.clone(),
        }
    }

    /// A registration case's statement, signed as its README describes (built or raw,
    /// `alg`, `without_kid`, `tamper`); `iat` defaults to [`NOW`].
    fn sign_case(statement: &Value) -> Option<String> {
        use base64::engine::general_purpose::URL_SAFE_NO_PAD;
        use base64::Engine;

        let mut key = registration_key(statement["key"].as_str()?)?;
        if statement["without_kid"] == true {
            let mut members = key.members().clone();
            members.remove("kid");
            key = Jwk::from_map(members).ok()?;
        }
        let alg = statement["alg"]
            .as_str()
            .and_then(Algorithm::from_name)
            .or_else(|| key.alg())
            .or_else(|| key.default_algorithm())?;
        let mut token = if let Some(header) = statement.get("protected_header") {
            let payload = match (statement.get("raw_claims"), statement["payload_text"].as_str()) {
                (Some(claims), _) => claims.to_string(),
                (None, Some(text)) => text.to_owned(),
                (None, None) => "{}".to_owned(),
            };
            let input = format!(
                "{}.{}",
                URL_SAFE_NO_PAD.encode(header.to_string()),
                URL_SAFE_NO_PAD.encode(payload)
            );
            let signature = key.sign_raw(alg, input.as_bytes()).ok()?;
            format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
        } else if statement.get("raw_claims").is_some() || statement.get("payload_text").is_some() {
            let payload = match statement["payload_text"].as_str() {
                Some(text) => text.to_owned(),
                None => statement["raw_claims"].to_string(),
            };
            let extra = statement["header"].as_object().cloned().unwrap_or_default();
            crate::sign_jws(&key, alg, &extra, payload.as_bytes()).ok()?
        } else {
            let mut builder = crate::StatementBuilder::new(statement["issuer"].as_str()?)
                .claims(statement["claims"].as_object().cloned().unwrap_or_default())
                .issued_at(statement["issued_at"].as_u64().unwrap_or(NOW))
                .algorithm(alg);
            if let Some(ttl) = statement["ttl"].as_u64() {
                builder = builder.ttl(ttl);
            }
            if let Some(typ) = statement["typ"].as_str() {
                builder = builder.typ(typ);
            }
            if let Some(aud) = statement.get("audience") {
                builder = builder.audience(aud.clone());
            }
            builder.sign(&key).ok()?
        };
        if statement["tamper"] == "signature" {
            let at = token.rfind('.')? + 1;
            let first = if token[at..].starts_with('A') { "B" } else { "A" };
            token.replace_range(at..=at, first);
        }
        Some(token)
    }

    /// The bytes the `merge_validate` decoder reads back as these maps and token (maps
    /// cut at 11 members, strings at 63 bytes, containers at the decoder's depth).
    fn encode_merge_input(
        flags: u8,
        request: &Map<String, Value>,
        claims: &Map<String, Value>,
        token: &str,
    ) -> Vec<u8> {
        let mut out = vec![flags];
        encode_map(&mut out, request, 2);
        encode_map(&mut out, claims, 2);
        encode_string(&mut out, token);
        out
    }

    fn encode_raw(out: &mut Vec<u8>, s: &str) {
        let bytes = &s.as_bytes()[..s.len().min(63)];
        out.push(bytes.len() as u8);
        out.extend_from_slice(bytes);
    }

    fn encode_name(out: &mut Vec<u8>, name: &str) {
        match NAMES.iter().position(|n| *n == name) {
            Some(at) => out.push(at as u8),
            None => {
                out.push(0xf0);
                encode_raw(out, name);
            }
        }
    }

    fn encode_string(out: &mut Vec<u8>, s: &str) {
        match STRINGS.iter().position(|v| *v == s) {
            Some(at) => out.push(at as u8),
            None => {
                out.push(0xff);
                encode_raw(out, s);
            }
        }
    }

    fn encode_map(out: &mut Vec<u8>, map: &Map<String, Value>, depth: u8) {
        let n = map.len().min(11);
        out.push(n as u8);
        for (name, value) in map.iter().take(n) {
            encode_name(out, name);
            encode_value(out, value, depth);
        }
    }

    fn encode_value(out: &mut Vec<u8>, value: &Value, depth: u8) {
        match value {
            Value::Bool(false) => out.push(1),
            Value::Bool(true) => out.push(0x88),
            Value::Number(n) => {
                let n = n.as_i64().unwrap_or(0).clamp(-128, 127) as i8;
                out.extend([2, n as u8, 1]);
            }
            Value::String(s) => {
                out.push(3);
                encode_string(out, s);
            }
            Value::Array(items) if depth > 0 => {
                let n = items.len().min(4);
                out.extend([5, n as u8]);
                for item in items.iter().take(n) {
                    encode_value(out, item, depth - 1);
                }
            }
            Value::Array(items) if items.iter().all(Value::is_string) => {
                let n = items.len().min(3);
                out.extend([8, n as u8]);
                for item in items.iter().take(n) {
                    encode_string(out, item.as_str().unwrap_or_default());
                }
            }
            Value::Object(map) if depth > 0 => {
                out.push(6);
                encode_map(out, map, depth - 1);
            }
            _ => out.push(0),
        }
    }

    /// FNV-1a, for stable seed file names.
    fn fnv(bytes: &[u8]) -> u64 {
        bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        })
    }
}
