//! Fuzz targets over tokens and keys: compact JWS, JWK and JWK Set imports, the trust file.

use super::*;

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
pub(super) fn check_imported_key(key: &Jwk) {
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
pub(super) fn names_jwks_file(value: &Value) -> bool {
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
