//! The published JOSE examples in `test-vectors/rfc/` (RFC 7515, 7517, 7520, 7591, 7638,
//! 8037), each run through this library's public API and held to its `expect` field.
//!
//! Every vector lands in exactly one handler, and every handler counts what it checked
//! per source file; the counts are compared with a fixed table for the backend in use,
//! so a vector that is silently skipped (or a new file without expectations) fails.
//!
//! Where the library deliberately does less than the RFC example (JSON serialization,
//! detached payloads, unprotected headers, the 16-byte AES key of RFC 7517 A.3), the
//! test asserts the exact refusal and, where the signature can still be checked through
//! a compact token, checks it that way.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::{Map, Value};
use software_statement::{
    backend_supports, sign_jws, verify_jws, Algorithm, AlgorithmSet, Jwk, JwkSet, JwsError, KeyError, KeyType, Limits,
    UnverifiedJws, BACKEND,
};

/// Whether the backend in use has P-521 / ES512 (aws-lc-rs does, ring does not).
const ES512: bool = cfg!(feature = "aws-lc-rs");

/// Members a public JWK must not carry (RFC 7518 §6.2.2, §6.3.2; RFC 8037 §2).
const PRIVATE_MEMBERS: [&str; 7] = ["d", "p", "q", "dp", "dq", "qi", "oth"];

// Count categories (also the words of the summary line).
const VECTORS: &str = "vectors";
const EXPECT_VALID: &str = "expect valid";
const EXPECT_REJECT: &str = "expect reject";
const EXPECT_PARSE_ONLY: &str = "expect parse_only";
const VALID_VERIFIED: &str = "valid verified";
const UNSUPPORTED: &str = "unsupported by backend";
const RESIGNED: &str = "re-signed and verified";
const REPRODUCED: &str = "reproduced exactly";
const REPRO_BY_MAC: &str = "reproduced by MAC recomputation";
const REJECTED: &str = "rejected (alg none)";
const JSON_REJECTED: &str = "JSON serializations rejected";
const JSON_SIG_VERIFIED: &str = "JSON-form signatures verified as compact";
const EMPTY_HEADER_REFUSED: &str = "empty-header signatures refused";
const RAW_CHECKED: &str = "of those raw-checked";
const DETACHED: &str = "detached verified after re-attaching";
const THUMBPRINTS: &str = "thumbprints matched";
const KEYS: &str = "keys imported";
const SETS: &str = "key sets imported";
const SETS_REFUSED: &str = "key sets with a foreign key skipped";
const PARSE_ONLY: &str = "parsed only";

type Tally = BTreeMap<String, BTreeMap<&'static str, usize>>;

fn bump(t: &mut Tally, src: &str, what: &'static str) {
    *t.entry(src.to_owned()).or_default().entry(what).or_default() += 1;
}

/// The expected counts per source for the backend in use.
fn expected() -> Tally {
    let es = usize::from(ES512);
    let no_es = 1 - es;
    let table: [(&str, Vec<(&'static str, usize)>); 6] = [
        (
            "rfc7515",
            vec![
                (VECTORS, 7),
                (EXPECT_VALID, 6),
                (EXPECT_REJECT, 1),
                // A.1 HS256, A.2 RS256, A.3 ES256, A.4 ES512 (aws-lc-rs only).
                (VALID_VERIFIED, 3 + es),
                (UNSUPPORTED, no_es),
                (RESIGNED, 3 + es),
                // A.2: the header {"alg":"RS256"} is what jws::sign writes.
                (REPRODUCED, 1),
                // A.1: its header (CRLF, `typ` first) cannot be re-created by jws::sign.
                (REPRO_BY_MAC, 1),
                (REJECTED, 1),
                // A.6 general, A.7 flattened.
                (JSON_REJECTED, 2),
                // A.6 RS256 + ES256, A.7 ES256.
                (JSON_SIG_VERIFIED, 3),
            ],
        ),
        (
            "rfc7517",
            vec![
                (VECTORS, 4),
                (EXPECT_VALID, 4),
                // A.1 (public) and A.2 (private).
                (SETS, 2),
                // A.3: its A128KW key is skipped, its HMAC key kept.
                (SETS_REFUSED, 1),
                // B (RSA with x5c).
                (KEYS, 1),
            ],
        ),
        (
            "rfc7520",
            vec![
                (VECTORS, 8),
                (EXPECT_VALID, 8),
                // Sections 3.1-3.5; 3.1 and 3.2 are P-521.
                (KEYS, 3 + 2 * es),
                // 4.1 RS256, 4.2 PS384, 4.3 ES512 (aws-lc-rs only), 4.4 HS256.
                (VALID_VERIFIED, 3 + es),
                // 3.1, 3.2, 4.3, and the ES512 signature of 4.8.
                (UNSUPPORTED, 4 * no_es),
                (RESIGNED, 3 + es),
                // 4.1 and 4.4: {"alg":..,"kid":..} is what jws::sign writes for a key with kid.
                (REPRODUCED, 2),
                // 4.1-4.7 have `json` and `json_flat`, 4.8 only `json`.
                (JSON_REJECTED, 15),
                (DETACHED, 1),
                // 4.6, and the RS256 and HS256 signatures of 4.8.
                (JSON_SIG_VERIFIED, 3),
                // 4.7 and the ES512 signature of 4.8.
                (EMPTY_HEADER_REFUSED, 2),
                (RAW_CHECKED, 1 + es),
            ],
        ),
        ("rfc7591", vec![(VECTORS, 1), (EXPECT_PARSE_ONLY, 1), (PARSE_ONLY, 1)]),
        ("rfc7638", vec![(VECTORS, 1), (EXPECT_VALID, 1), (THUMBPRINTS, 1)]),
        (
            "rfc8037",
            vec![
                (VECTORS, 5),
                (EXPECT_VALID, 5),
                (KEYS, 2),
                (THUMBPRINTS, 1),
                (VALID_VERIFIED, 2),
                (RESIGNED, 1),
                (REPRODUCED, 1),
            ],
        ),
    ];
    table
        .into_iter()
        .map(|(src, counts)| {
            let m = counts.into_iter().filter(|(_, n)| *n > 0).collect();
            (src.to_owned(), m)
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Small helpers.

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("test-vectors").join("rfc")
}

fn load(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn files() -> Vec<(String, Value)> {
    let mut out: Vec<(String, Value)> = std::fs::read_dir(dir())
        .expect("test-vectors/rfc exists")
        .map(|e| e.expect("readable directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|p| {
            let stem = p.file_stem().and_then(|s| s.to_str()).expect("UTF-8 name").to_owned();
            (stem, load(&p))
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn s<'a>(v: &'a Value, name: &str) -> &'a str {
    v[name]
        .as_str()
        .unwrap_or_else(|| panic!("{}: \"{name}\" is not a string", v["id"]))
}

fn opt_s<'a>(v: &'a Value, name: &str) -> Option<&'a str> {
    v.get(name).and_then(Value::as_str)
}

fn b64d(text: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD.decode(text).expect("vector base64url")
}

fn alg_of(v: &Value) -> Algorithm {
    let name = s(v, "alg");
    Algorithm::from_name(name).unwrap_or_else(|| panic!("{}: unknown alg {name}", v["id"]))
}

fn only(alg: Algorithm) -> AlgorithmSet {
    AlgorithmSet::of(&[alg])
}

fn import(id: &str, jwk: &Value) -> Jwk {
    Jwk::from_value(jwk).unwrap_or_else(|e| panic!("{id}: key import failed: {e}"))
}

fn is_oct(key: &Jwk) -> bool {
    matches!(key.key_type(), KeyType::Oct { .. })
}

/// Checks `to_public()`: no private member left, every public member kept, usable.
fn check_public_form(id: &str, key: &Jwk) -> Option<Jwk> {
    if is_oct(key) {
        assert_eq!(key.to_public().unwrap_err(), KeyError::SecretNotPublishable, "{id}");
        return None;
    }
    let public = key
        .to_public()
        .unwrap_or_else(|e| panic!("{id}: to_public failed: {e}"));
    assert!(!public.is_private(), "{id}: the public form is still private");
    for m in PRIVATE_MEMBERS {
        assert!(!public.members().contains_key(m), "{id}: public form keeps \"{m}\"");
    }
    for (name, value) in key.members() {
        if !PRIVATE_MEMBERS.contains(&name.as_str()) && name != "key_ops" {
            assert_eq!(
                public.members().get(name),
                Some(value),
                "{id}: public form lost \"{name}\""
            );
        }
    }
    assert_eq!(public.thumbprint(), key.thumbprint(), "{id}: thumbprint changed");
    Some(public)
}

/// The same token with one bit of the signature flipped.
fn tamper(compact: &str) -> String {
    let (rest, sig) = compact.rsplit_once('.').expect("three segments");
    let mut sig = b64d(sig);
    let last = sig.last_mut().expect("non-empty signature");
    *last ^= 1;
    format!("{rest}.{}", URL_SAFE_NO_PAD.encode(&sig))
}

fn parse(token: &str) -> Result<UnverifiedJws<'_>, JwsError> {
    UnverifiedJws::parse(token, &Limits::default())
}

// ---------------------------------------------------------------------------------------
// Handlers.

/// RFC 7520 §3: the keys every §4 example refers to.
fn check_rfc7520_keys(src: &str, file: &Value, t: &mut Tally) {
    for k in file["keys"].as_array().expect("rfc7520 keys") {
        let id = s(k, "id");
        let jwk = &k["jwk"];
        if s(jwk, "kty") == "EC" && s(jwk, "crv") == "P-521" && !ES512 {
            assert!(
                matches!(Jwk::from_value(jwk), Err(KeyError::UnsupportedByBackend(_))),
                "{id}: a P-521 key on {} must be UnsupportedByBackend",
                BACKEND
            );
            bump(t, src, UNSUPPORTED);
            continue;
        }
        let key = import(id, jwk);
        assert_eq!(key.kid(), opt_s(jwk, "kid"), "{id}");
        assert_eq!(key.is_private(), jwk.get("d").is_some() || is_oct(&key), "{id}");
        check_public_form(id, &key);
        bump(t, src, KEYS);
    }
}

/// A JWS compact vector that must verify.
fn check_compact_valid(src: &str, v: &Value, t: &mut Tally) {
    let id = s(v, "id");
    let alg = alg_of(v);
    let compact = s(v, "compact");
    let signing_input = s(v, "signing_input");
    let payload = b64d(s(v, "payload_b64"));
    assert_eq!(
        signing_input,
        format!("{}.{}", s(v, "protected_b64"), s(v, "payload_b64")),
        "{id}"
    );
    assert_eq!(compact, format!("{signing_input}.{}", s(v, "signature_b64")), "{id}");

    if !backend_supports(alg) {
        // ES512 on ring: a distinct "unsupported" answer, never a bad signature.
        assert!(
            !ES512 && alg == Algorithm::ES512,
            "{id}: {alg} unsupported by {}",
            BACKEND
        );
        for member in ["jwk", "jwk_public"] {
            if let Some(jwk) = v.get(member).filter(|j| j.is_object()) {
                let err = Jwk::from_value(jwk).expect_err("P-521 import must fail on ring");
                assert!(
                    matches!(err, KeyError::UnsupportedByBackend(_)),
                    "{id}: {member}: {err:?}"
                );
            }
        }
        let parsed = parse(compact).unwrap_or_else(|e| panic!("{id}: parse: {e}"));
        assert_eq!(parsed.payload(), payload.as_slice(), "{id}");
        assert_eq!(
            parsed.verify(&JwkSet::default(), AlgorithmSet::ALL).unwrap_err(),
            JwsError::UnsupportedByBackend(alg),
            "{id}"
        );
        bump(t, src, UNSUPPORTED);
        return;
    }

    let key = import(id, &v["jwk"]);
    let derived_public = check_public_form(id, &key);
    // The key(s) that verify: the vector's public form when published (it must equal
    // what to_public() derives), else the derived public form; and the key as given.
    let mut verifiers: Vec<(&str, Jwk)> = Vec::new();
    match v.get("jwk_public").filter(|j| j.is_object()) {
        Some(jwk_public) => {
            let public = import(id, jwk_public);
            if let Some(derived) = &derived_public {
                assert_eq!(
                    derived.to_value(),
                    public.to_value(),
                    "{id}: to_public() differs from jwk_public"
                );
                assert!(!public.is_private(), "{id}");
            }
            verifiers.push(("jwk_public", public));
        }
        None => {
            if let Some(derived) = derived_public {
                verifiers.push(("to_public()", derived));
            }
        }
    }
    verifiers.push(("jwk", key));
    for (which, k) in &verifiers {
        let verified = parse(compact)
            .and_then(|p| p.verify_with_key(k, only(alg)))
            .unwrap_or_else(|e| panic!("{id}: verify with {which}: {e}"));
        assert_eq!(verified.payload(), payload.as_slice(), "{id}: payload ({which})");
        assert_eq!(verified.header().alg(), alg, "{id}");
        // Negative controls: another allow-list, a flipped signature bit.
        let other = if alg == Algorithm::HS256 {
            Algorithm::HS384
        } else {
            Algorithm::HS256
        };
        assert_eq!(
            parse(compact)
                .and_then(|p| p.verify_with_key(k, only(other)))
                .unwrap_err(),
            JwsError::AlgorithmNotAllowed(alg),
            "{id}"
        );
        assert_eq!(
            parse(&tamper(compact))
                .and_then(|p| p.verify_with_key(k, only(alg)))
                .unwrap_err(),
            JwsError::BadSignature,
            "{id}: tampered signature ({which})"
        );
    }
    // Through a JWK Set too (key selection by kid, or the single fitting key).
    let (_, first) = &verifiers[0];
    let set = JwkSet::new(vec![import(id, &first.to_value())]).expect("one-key set");
    let verified = verify_jws(compact, &set, only(alg), &Limits::default())
        .unwrap_or_else(|e| panic!("{id}: jws::verify with a set: {e}"));
    assert_eq!(verified.payload(), payload.as_slice(), "{id}");
    bump(t, src, VALID_VERIFIED);

    // Signing: always a sign-then-verify round trip; for deterministic algorithms, the
    // published token bit for bit when jws::sign writes the same header.
    let (_, key) = verifiers.last().expect("the key as given");
    if !key.is_private() {
        return;
    }
    let token = sign_jws(key, alg, &Map::new(), &payload).unwrap_or_else(|e| panic!("{id}: sign: {e}"));
    let (_, verifier) = &verifiers[0];
    let verified = parse(&token)
        .and_then(|p| p.verify_with_key(verifier, only(alg)))
        .unwrap_or_else(|e| panic!("{id}: verifying our own signature: {e}"));
    assert_eq!(verified.payload(), payload.as_slice(), "{id}");
    bump(t, src, RESIGNED);
    if v["reproducible"] == Value::Bool(true) {
        let our_header = token.split('.').next().expect("header segment");
        if our_header == s(v, "protected_b64") {
            assert_eq!(token, compact, "{id}: deterministic signature not reproduced");
            bump(t, src, REPRODUCED);
        } else {
            // jws::sign cannot write this header (RFC 7515 A.1: `typ` first, CRLF, a
            // leading space), and the crate has no public "sign this signing input".
            // For HMAC, verifying already recomputes the tag over signing_input and
            // compares it with signature_b64 in full, which is the reproduction check.
            assert!(alg.is_hmac(), "{id}: cannot check reproducibility of {alg}");
            bump(t, src, REPRO_BY_MAC);
        }
    }
}

/// RFC 7515 A.5: `alg: none` is not an algorithm here; nothing can verify it.
fn check_reject(src: &str, v: &Value, t: &mut Tally) {
    let id = s(v, "id");
    assert_eq!(s(v, "alg"), "none", "{id}: only alg none is expected to be rejected");
    let compact = s(v, "compact");
    assert_eq!(
        parse(compact).unwrap_err(),
        JwsError::UnsupportedAlgorithm("none".into()),
        "{id}"
    );
    assert_eq!(
        verify_jws(compact, &JwkSet::default(), AlgorithmSet::ALL, &Limits::default()).unwrap_err(),
        JwsError::UnsupportedAlgorithm("none".into()),
        "{id}"
    );
    bump(t, src, REJECTED);
}

/// The JWS JSON serializations (general `json`, flattened `json_flat`) are refused.
fn check_json_rejected(src: &str, v: &Value, t: &mut Tally) {
    let id = s(v, "id");
    for member in ["json", "json_flat"] {
        if let Some(obj) = v.get(member).filter(|j| j.is_object()) {
            let text = serde_json::to_string(obj).expect("serializable");
            let err = parse(&text).unwrap_err();
            assert!(matches!(err, JwsError::Malformed(_)), "{id}: {member}: {err:?}");
            bump(t, src, JSON_REJECTED);
        }
    }
}

/// One signature of a JSON-form vector, checked through a compact token
/// `signing_input "." signature_b64` when that is a compact JWS the library accepts.
fn check_json_signature(src: &str, id: &str, sig: &Value, payload: &[u8], t: &mut Tally) {
    let alg = alg_of(sig);
    let signing_input = s(sig, "signing_input");
    let compact = format!("{signing_input}.{}", s(sig, "signature_b64"));
    if signing_input.starts_with('.') {
        // No protected header (RFC 7520 4.7, the ES512 signature of 4.8): `alg` is only in
        // the unprotected header. The compact token's header segment is empty, i.e. zero
        // octets, which is not JSON at all, so the header is refused as "not a UTF-8 JSON
        // object" before `alg` is looked for (MissingAlg would need a parsed object).
        assert_eq!(parse(&compact).unwrap_err(), JwsError::NotJsonObject("header"), "{id}");
        bump(t, src, EMPTY_HEADER_REFUSED);
        // The signature itself is still checked, with the raw verification the JWS
        // path uses after key selection, so the vector is known to be sound.
        if !backend_supports(alg) {
            let err = Jwk::from_value(&sig["jwk"]).expect_err("P-521 import must fail on ring");
            assert!(matches!(err, KeyError::UnsupportedByBackend(_)), "{id}: {err:?}");
            bump(t, src, UNSUPPORTED);
            return;
        }
        // The library's key import still accepts the key.
        import(id, &sig["jwk"]);
        let sig_bytes = b64d(s(sig, "signature_b64"));
        assert!(
            raw_verify(&sig["jwk"], alg, signing_input.as_bytes(), &sig_bytes),
            "{id}: raw check of the {alg} signature"
        );
        let mut bad = sig_bytes.clone();
        bad[0] ^= 1;
        assert!(!raw_verify(&sig["jwk"], alg, signing_input.as_bytes(), &bad), "{id}");
        bump(t, src, RAW_CHECKED);
        return;
    }
    if !backend_supports(alg) {
        panic!("{id}: no protected-header {alg} signature is expected in JSON-form vectors");
    }
    let key = import(id, &sig["jwk"]);
    let verifier = check_public_form(id, &key).unwrap_or(key);
    let verified = parse(&compact)
        .and_then(|p| p.verify_with_key(&verifier, only(alg)))
        .unwrap_or_else(|e| panic!("{id}: {alg} signature as compact: {e}"));
    assert_eq!(verified.payload(), payload, "{id}");
    bump(t, src, JSON_SIG_VERIFIED);
}

fn check_json_form(src: &str, v: &Value, t: &mut Tally) {
    let id = s(v, "id");
    let payload = b64d(s(v, "payload_b64"));
    match v.get("signatures").and_then(Value::as_array) {
        Some(sigs) => {
            for sig in sigs {
                check_json_signature(src, id, sig, &payload, t);
            }
        }
        None => check_json_signature(src, id, v, &payload, t),
    }
}

/// RFC 7520 4.5: detached content. The library has no detached-payload API: the compact
/// token with an empty payload segment parses (empty payload) but does not verify; with
/// the payload re-attached it does.
fn check_detached(src: &str, v: &Value, t: &mut Tally) {
    let id = s(v, "id");
    let alg = alg_of(v);
    let key = import(id, &v["jwk"]);
    let detached = s(v, "compact");
    assert!(detached.contains(".."), "{id}: not a detached compact form");
    let parsed = parse(detached).unwrap_or_else(|e| panic!("{id}: {e}"));
    assert!(parsed.payload().is_empty(), "{id}");
    assert_eq!(
        parsed.verify_with_key(&key, only(alg)).unwrap_err(),
        JwsError::BadSignature,
        "{id}: a detached signature must not verify over an empty payload"
    );
    let attached = format!("{}.{}", s(v, "signing_input"), s(v, "signature_b64"));
    let verified = parse(&attached)
        .and_then(|p| p.verify_with_key(&key, only(alg)))
        .unwrap_or_else(|e| panic!("{id}: re-attached: {e}"));
    assert_eq!(verified.payload(), b64d(s(v, "payload_b64")).as_slice(), "{id}");
    bump(t, src, DETACHED);
}

/// RFC 7591 2.3: the key was never published; decoding only.
fn check_parse_only(src: &str, v: &Value, t: &mut Tally) {
    let id = s(v, "id");
    let parsed = parse(s(v, "compact")).unwrap_or_else(|e| panic!("{id}: {e}"));
    assert_eq!(parsed.header().alg(), alg_of(v), "{id}");
    let claims: Value = serde_json::from_slice(parsed.payload()).expect("JSON claims");
    assert_eq!(claims, v["claims"], "{id}");
    assert!(claims.get("iss").is_none(), "{id}: the RFC example has no iss");
    assert_eq!(
        parsed.verify(&JwkSet::default(), AlgorithmSet::ALL).unwrap_err(),
        JwsError::NoKey(Algorithm::RS256),
        "{id}"
    );
    bump(t, src, PARSE_ONLY);
}

fn check_thumbprint(src: &str, v: &Value, t: &mut Tally) {
    let id = s(v, "id");
    let key = import(id, &v["jwk"]);
    assert_eq!(key.thumbprint_input(), s(v, "canonical_json"), "{id}");
    let tp = key.thumbprint();
    assert_eq!(tp, s(v, "thumbprint_b64"), "{id}");
    let hex: String = b64d(&tp).iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(hex, s(v, "thumbprint_sha256_hex"), "{id}");
    bump(t, src, THUMBPRINTS);
}

fn check_key(src: &str, v: &Value, t: &mut Tally) {
    let id = s(v, "id");
    let jwk = &v["jwk"];
    let key = import(id, jwk);
    assert_eq!(key.is_private(), jwk.get("d").is_some(), "{id}");
    // Round trip through the key's own JSON.
    assert_eq!(import(id, &key.to_value()).thumbprint(), key.thumbprint(), "{id}");
    check_public_form(id, &key);
    bump(t, src, KEYS);
}

fn check_jwk_set(src: &str, v: &Value, t: &mut Tally) {
    let id = s(v, "id");
    let jwks = &v["jwks"];
    let text = serde_json::to_string(jwks).expect("serializable");
    let n = jwks["keys"].as_array().expect("keys").len();
    match id {
        "rfc7517-a1" | "rfc7517-a2" => {
            let set = JwkSet::from_json(&text).unwrap_or_else(|e| panic!("{id}: {e}"));
            // Keys marked `use: enc` are skipped (security rule 5): they never verify.
            let enc = jwks["keys"]
                .as_array()
                .expect("keys")
                .iter()
                .filter(|k| k["use"] == "enc")
                .count();
            assert_eq!(set.keys().len(), n - enc, "{id}");
            assert_eq!(set.skipped().len(), enc, "{id}");
            assert!(
                set.skipped().iter().all(|k| k.reason == KeyError::EncryptionKey),
                "{id}"
            );
            let private = id == "rfc7517-a2";
            for key in set.keys() {
                assert_eq!(key.is_private(), private, "{id}");
                check_public_form(id, key);
            }
            let public = set.to_public_value().unwrap_or_else(|e| panic!("{id}: {e}"));
            let public = JwkSet::from_value(&public).unwrap_or_else(|e| panic!("{id}: {e}"));
            assert!(public.keys().iter().all(|k| !k.is_private()), "{id}");
            // Key "1" is `use: enc`: skipped, it never verifies (security rules 1 and 5).
            assert!(
                matches!(set.select(Algorithm::ES256, Some("1")), Err(JwsError::UnknownKid(_))),
                "{id}: a use=enc key must not verify"
            );
            // The RSA key is `alg: RS256`: RS256 selects it, PS256 does not.
            let rsa = set.select(Algorithm::RS256, Some("2011-04-29")).expect("RS256 key");
            assert!(matches!(rsa.key_type(), KeyType::Rsa { bits: 2048 }), "{id}");
            assert!(
                matches!(
                    set.select(Algorithm::PS256, Some("2011-04-29")),
                    Err(JwsError::KeyMismatch { .. })
                ),
                "{id}"
            );
            bump(t, src, SETS);
        }
        "rfc7517-a3" => {
            // Key 0 is an AES key wrap key ("alg": "A128KW"): an encryption key, so it is
            // skipped whatever its other members, in a configured set as in a fetched one, and
            // the 64-octet HMAC key stays usable in a configured set (security rule 5, README:
            // foreign keys are not fatal).
            let strict = JwkSet::from_json(&text).unwrap_or_else(|e| panic!("{id}: {e}"));
            assert_eq!(strict.keys().len(), 1, "{id}");
            assert_eq!(strict.skipped()[0].reason, KeyError::EncryptionKey, "{id}");
            let mut aes = jwks["keys"][0].clone();
            aes.as_object_mut().expect("object").remove("alg");
            assert!(matches!(Jwk::from_value(&aes), Err(KeyError::Weak(_))), "{id}");
            // A fetched (lenient) set skips it, and never yields the HMAC secret either
            // (security rule 10: a secret served at a URL is disclosed).
            let lenient = JwkSet::from_json_lenient(&text).unwrap_or_else(|e| panic!("{id}: {e}"));
            assert!(lenient.keys().is_empty(), "{id}");
            assert_eq!(lenient.skipped().len(), 2, "{id}");
            assert_eq!(lenient.skipped()[0].position, 0, "{id}");
            assert_eq!(lenient.skipped()[0].reason, KeyError::EncryptionKey, "{id}");
            assert_eq!(lenient.skipped()[1].reason, KeyError::SecretInFetchedSet, "{id}");
            let hmac = &strict.keys()[0];
            assert_eq!(hmac.key_type(), KeyType::Oct { len: 64 }, "{id}");
            assert_eq!(hmac.to_public().unwrap_err(), KeyError::SecretNotPublishable, "{id}");
            bump(t, src, SETS_REFUSED);
        }
        other => panic!("{other}: no expectation for this JWK Set"),
    }
}

fn dispatch(src: &str, v: &Value, t: &mut Tally) {
    let id = s(v, "id");
    let kind = s(v, "kind");
    let expect = s(v, "expect");
    let form = opt_s(v, "form");
    // Every JSON serialization a vector carries is refused, whatever its main form.
    check_json_rejected(src, v, t);
    match (kind, expect, form) {
        ("jws", "valid", Some("compact")) => check_compact_valid(src, v, t),
        ("jws", "valid", Some("json")) => check_json_form(src, v, t),
        ("jws", "valid", Some("detached")) => check_detached(src, v, t),
        ("jws", "reject", Some("compact")) => check_reject(src, v, t),
        ("jws", "parse_only", Some("compact")) => check_parse_only(src, v, t),
        ("thumbprint", "valid", _) => check_thumbprint(src, v, t),
        ("key" | "jwk", "valid", _) => check_key(src, v, t),
        ("jwk_set", "valid", _) => check_jwk_set(src, v, t),
        other => panic!("{id}: no handler for {other:?}"),
    }
    bump(t, src, VECTORS);
    bump(
        t,
        src,
        match expect {
            "valid" => EXPECT_VALID,
            "reject" => EXPECT_REJECT,
            _ => EXPECT_PARSE_ONLY,
        },
    );
}

fn summary(src: &str, counts: &BTreeMap<&'static str, usize>) -> String {
    let order = [
        VECTORS,
        EXPECT_VALID,
        EXPECT_REJECT,
        EXPECT_PARSE_ONLY,
        VALID_VERIFIED,
        UNSUPPORTED,
        REJECTED,
        RESIGNED,
        REPRODUCED,
        REPRO_BY_MAC,
        JSON_REJECTED,
        JSON_SIG_VERIFIED,
        EMPTY_HEADER_REFUSED,
        RAW_CHECKED,
        DETACHED,
        PARSE_ONLY,
        THUMBPRINTS,
        KEYS,
        SETS,
        SETS_REFUSED,
    ];
    let parts: Vec<String> = order
        .iter()
        .filter_map(|k| counts.get(k).map(|n| format!("{n} {k}")))
        .collect();
    format!("{src} [{}]: {}", BACKEND, parts.join(", "))
}

#[test]
fn rfc_vectors_behave_as_expected() {
    assert_eq!(
        backend_supports(Algorithm::ES512),
        ES512,
        "backend and feature disagree"
    );
    let files = files();
    assert!(!files.is_empty(), "no vector files found in {}", dir().display());
    let mut tally = Tally::new();
    for (src, file) in &files {
        let vectors = file["vectors"]
            .as_array()
            .unwrap_or_else(|| panic!("{src}: no vectors"));
        if src == "rfc7520" {
            check_rfc7520_keys(src, file, &mut tally);
        }
        for v in vectors {
            dispatch(src, v, &mut tally);
        }
        assert_eq!(
            tally[src.as_str()][VECTORS],
            vectors.len(),
            "{src}: not every vector was handled"
        );
    }
    for (src, counts) in &tally {
        eprintln!("{}", summary(src, counts));
    }
    assert_eq!(tally, expected(), "counts differ from the expected table ({})", BACKEND);
}

/// RFC 7517 A.3's HMAC key is RFC 7515 A.1's: the usable half of the lenient set verifies
/// the A.1 token.
#[test]
fn rfc7517_a3_hmac_key_verifies_rfc7515_a1() {
    let jwks = load(&dir().join("rfc7517.json"));
    let a3 = jwks["vectors"]
        .as_array()
        .and_then(|v| v.iter().find(|v| v["id"] == "rfc7517-a3"))
        .expect("rfc7517-a3");
    let set = JwkSet::from_json(&a3["jwks"].to_string()).expect("configured set");
    let jws_file = load(&dir().join("rfc7515.json"));
    let a1 = jws_file["vectors"]
        .as_array()
        .and_then(|v| v.iter().find(|v| v["id"] == "rfc7515-a1"))
        .expect("rfc7515-a1");
    let verified = verify_jws(s(a1, "compact"), &set, only(Algorithm::HS256), &Limits::default())
        .expect("A.1 verifies with the A.3 key");
    assert_eq!(verified.payload(), b64d(s(a1, "payload_b64")).as_slice());
}

/// Checks a signature over a raw signing input with aws-lc-rs directly (the vectors
/// without a protected header cannot be a compact JWS, so the library's verify path, which
/// these tests use everywhere else, cannot take them): HS256 and ES512 are the algorithms
/// of those vectors.
fn raw_verify(jwk: &Value, alg: Algorithm, input: &[u8], sig: &[u8]) -> bool {
    use aws_lc_rs::{hmac, signature};
    match alg {
        Algorithm::HS256 => {
            let key = hmac::Key::new(hmac::HMAC_SHA256, &b64d(s(jwk, "k")));
            hmac::verify(&key, input, sig).is_ok()
        }
        Algorithm::ES512 => {
            let mut point = vec![4u8];
            point.extend(b64d(s(jwk, "x")));
            point.extend(b64d(s(jwk, "y")));
            signature::UnparsedPublicKey::new(&signature::ECDSA_P521_SHA512_FIXED, point)
                .verify(input, sig)
                .is_ok()
        }
        other => panic!("no raw check for {other}"),
    }
}
