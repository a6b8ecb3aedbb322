//! Software statements: issue and verify under a trust policy (README: security rule 7,
//! merge rule 9, and "The trust file").

use std::sync::Arc;

use serde_json::{json, Map, Value};
use software_statement::{
    sign_jws, Algorithm, FixedClock, IssuerPolicy, Jwk, JwkSet, JwsError, StatementBuilder, StatementError, TrustFile,
    Verifier,
};

const ISS: &str = "https://publisher.example.com";
const NOW: u64 = 1_800_000_000;

fn metadata() -> Map<String, Value> {
    json!({
        "software_id": "4NRB1-0XZABZI9E6-5SM3R",
        "client_name": "Example Statement-based Client",
        "client_uri": "https://client.example.net/",
        "redirect_uris": ["https://client.example.net/callback"],
    })
    .as_object()
    .unwrap()
    .clone()
}

fn verifier(key: &Jwk, policy: impl FnOnce(IssuerPolicy) -> IssuerPolicy) -> Verifier {
    let set = JwkSet::new(vec![public(key)]).unwrap();
    Verifier::builder()
        .issuer(ISS, policy(IssuerPolicy::with_jwks(set)))
        .clock(Arc::new(FixedClock::new(NOW)))
        .build()
}

fn public(key: &Jwk) -> Jwk {
    key.to_public()
        .unwrap_or_else(|_| Jwk::from_value(&key.to_value()).unwrap())
}

fn algorithms() -> Vec<Algorithm> {
    Algorithm::ALL
        .into_iter()
        .filter(|a| software_statement::backend_supports(*a))
        .collect()
}

/// A fresh key, or, where the backend cannot generate one (RSA on ring), the committed
/// test RSA key restricted to `alg`.
fn key_for(alg: Algorithm) -> Jwk {
    match Jwk::generate(alg) {
        Ok(k) => k,
        Err(software_statement::KeyError::UnsupportedByBackend(_)) => {
            let path = concat!(env!("CARGO_MANIFEST_DIR"), "/test-vectors/bench/keys/RS256.jwk");
            let mut m: Map<String, Value> = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
            m.remove("alg");
            Jwk::from_map(m).unwrap().with_alg(alg).unwrap()
        }
        Err(e) => panic!("{alg}: {e}"),
    }
}

#[test]
fn round_trip_every_algorithm() {
    let mut n = 0;
    for alg in algorithms() {
        let key = key_for(alg);
        let token = StatementBuilder::new(ISS)
            .claims(metadata())
            .audience("https://as.example.org")
            .ttl(600)
            .typ("software-statement+jwt")
            .issued_at(NOW)
            .sign(&key)
            .unwrap();
        let v = verifier(&key, |p| {
            p.algorithms(&[alg])
                .audience("https://as.example.org")
                .require_claim("software_id")
        });
        let s = v.verify(&token).unwrap_or_else(|e| panic!("{alg}: {e}"));
        assert_eq!(s.issuer(), ISS);
        assert_eq!(s.header().alg(), alg);
        assert_eq!(s.header().kid(), key.kid());
        assert_eq!(s.header().typ(), Some("software-statement+jwt"));
        let c = s.claims();
        let names: Vec<&str> = c.keys().map(String::as_str).collect();
        assert_eq!(
            names,
            [
                "iss",
                "software_id",
                "client_name",
                "client_uri",
                "redirect_uris",
                "aud",
                "iat",
                "exp",
                "jti"
            ],
            "claim order is kept"
        );
        assert_eq!(c["iat"], NOW);
        assert_eq!(c["exp"], NOW + 600);
        let jti = c["jti"].as_str().unwrap();
        assert_eq!(jti.len(), 22, "128-bit jti in base64url");
        n += 1;
    }
    assert!(n >= 12);
}

#[test]
fn jti_is_random_per_signature() {
    let key = Jwk::generate(Algorithm::EdDSA).unwrap();
    let b = StatementBuilder::new(ISS).issued_at(NOW);
    let v = verifier(&key, |p| p);
    let a = v.verify(&b.sign(&key).unwrap()).unwrap();
    let c = v.verify(&b.sign(&key).unwrap()).unwrap();
    assert_ne!(a.claims()["jti"], c.claims()["jti"]);
}

#[test]
fn builder_refuses_empty_issuer() {
    let key = Jwk::generate(Algorithm::EdDSA).unwrap();
    assert!(StatementBuilder::new("").sign(&key).is_err());
}

#[test]
fn registered_claims_in_metadata_are_overwritten_by_the_builder() {
    let key = Jwk::generate(Algorithm::EdDSA).unwrap();
    let mut m = metadata();
    m.insert("iss".into(), json!("https://evil.example"));
    m.insert("iat".into(), json!(1));
    let t = StatementBuilder::new(ISS).claims(m).issued_at(NOW).sign(&key).unwrap();
    let s = verifier(&key, |p| p).verify(&t).unwrap();
    assert_eq!(s.claims()["iss"], ISS);
    assert_eq!(s.claims()["iat"], NOW);
}

fn sign_claims(key: &Jwk, claims: Value) -> String {
    let payload = serde_json::to_vec(&claims).unwrap();
    sign_jws(key, key.default_algorithm().unwrap(), &Map::new(), &payload).unwrap()
}

#[test]
fn rule_4_7_iss_required_before_key_lookup() {
    let key = Jwk::generate(Algorithm::ES256).unwrap();
    let v = verifier(&key, |p| p);
    let t = sign_claims(&key, json!({"software_id": "x"}));
    assert_eq!(v.verify(&t).unwrap_err(), StatementError::MissingIssuer);
    assert_eq!(v.verify(&t).unwrap_err().code().as_str(), "invalid_software_statement");
    let t = sign_claims(&key, json!({"iss": 42}));
    assert_eq!(v.verify(&t).unwrap_err(), StatementError::InvalidIssuer);
}

#[test]
fn rule_4_7_iss_compared_exactly_unknown_is_unapproved() {
    let key = Jwk::generate(Algorithm::ES256).unwrap();
    let v = verifier(&key, |p| p);
    for iss in [
        "https://publisher.example.com/",
        "HTTPS://publisher.example.com",
        "https://other.example",
    ] {
        let t = StatementBuilder::new(iss).issued_at(NOW).sign(&key).unwrap();
        let e = v.verify(&t).unwrap_err();
        assert_eq!(e, StatementError::UntrustedIssuer(iss.into()));
        assert_eq!(e.code().as_str(), "unapproved_software_statement");
    }
}

#[test]
fn rule_4_7_time_claims() {
    let key = Jwk::generate(Algorithm::ES256).unwrap();
    let v = verifier(&key, |p| p);
    let check = |claims: Value| v.verify(&sign_claims(&key, claims));
    assert!(check(json!({"iss": ISS, "exp": NOW + 10})).is_ok());
    assert!(
        check(json!({"iss": ISS, "exp": NOW - 30})).is_ok(),
        "within the 60 s leeway"
    );
    assert_eq!(
        check(json!({"iss": ISS, "exp": NOW - 61})).unwrap_err(),
        StatementError::Expired
    );
    assert_eq!(
        check(json!({"iss": ISS, "nbf": NOW + 61})).unwrap_err(),
        StatementError::NotYetValid
    );
    assert_eq!(
        check(json!({"iss": ISS, "iat": NOW + 61})).unwrap_err(),
        StatementError::IssuedInFuture
    );
    assert_eq!(
        check(json!({"iss": ISS, "exp": "1900000000"})).unwrap_err(),
        StatementError::InvalidNumericDate("exp")
    );
    assert_eq!(
        check(json!({"iss": ISS, "iat": -5})).unwrap_err(),
        StatementError::InvalidNumericDate("iat")
    );
    assert!(
        check(json!({"iss": ISS, "exp": (NOW + 10) as f64 + 0.5})).is_ok(),
        "decimals are NumericDates"
    );
    let e = check(json!({"iss": ISS, "exp": NOW - 61})).unwrap_err();
    assert_eq!(e.code().as_str(), "invalid_software_statement");
}

#[test]
fn rule_4_7_leeway_is_configurable() {
    let key = Jwk::generate(Algorithm::ES256).unwrap();
    let set = JwkSet::new(vec![public(&key)]).unwrap();
    let v = Verifier::builder()
        .issuer(ISS, IssuerPolicy::with_jwks(set))
        .leeway(0)
        .unwrap()
        .clock(Arc::new(FixedClock::new(NOW)))
        .build();
    let t = sign_claims(&key, json!({"iss": ISS, "exp": NOW - 1}));
    assert_eq!(v.verify(&t).unwrap_err(), StatementError::Expired);
}

#[test]
fn rule_4_7_max_age() {
    let key = Jwk::generate(Algorithm::ES256).unwrap();
    let v = verifier(&key, |p| p.max_age(3600));
    assert!(v
        .verify(&sign_claims(&key, json!({"iss": ISS, "iat": NOW - 3600})))
        .is_ok());
    assert_eq!(
        v.verify(&sign_claims(&key, json!({"iss": ISS, "iat": NOW - 3600 - 61})))
            .unwrap_err(),
        StatementError::TooOld
    );
    assert_eq!(
        v.verify(&sign_claims(&key, json!({"iss": ISS}))).unwrap_err(),
        StatementError::MissingClaim("iat".into())
    );
}

#[test]
fn rule_4_7_audience() {
    let key = Jwk::generate(Algorithm::ES256).unwrap();
    let v = verifier(&key, |p| p.audience("https://as.example.org"));
    let check = |claims: Value| v.verify(&sign_claims(&key, claims));
    assert!(check(json!({"iss": ISS, "aud": "https://as.example.org"})).is_ok());
    assert!(check(json!({"iss": ISS, "aud": ["x", "https://as.example.org"]})).is_ok());
    assert_eq!(
        check(json!({"iss": ISS, "aud": "https://other"})).unwrap_err(),
        StatementError::WrongAudience
    );
    assert_eq!(
        check(json!({"iss": ISS})).unwrap_err(),
        StatementError::MissingClaim("aud".into())
    );
    assert_eq!(
        check(json!({"iss": ISS, "aud": 7})).unwrap_err(),
        StatementError::InvalidAudience
    );
    // Without an audience configured, aud is not checked (security rule 7, README).
    let open = verifier(&key, |p| p);
    assert!(open
        .verify(&sign_claims(&key, json!({"iss": ISS, "aud": "anything"})))
        .is_ok());
}

#[test]
fn rule_4_7_required_claims() {
    let key = Jwk::generate(Algorithm::ES256).unwrap();
    let v = verifier(&key, |p| {
        p.require_claim("software_id").require_claim("software_version")
    });
    assert!(v
        .verify(&sign_claims(
            &key,
            json!({"iss": ISS, "software_id": "a", "software_version": "1"})
        ))
        .is_ok());
    assert_eq!(
        v.verify(&sign_claims(&key, json!({"iss": ISS, "software_id": "a"})))
            .unwrap_err(),
        StatementError::MissingClaim("software_version".into())
    );
}

#[test]
fn rule_4_7_typ_when_configured() {
    let key = Jwk::generate(Algorithm::ES256).unwrap();
    let v = verifier(&key, |p| p.typ("JWT"));
    let sign_typ = |typ: Option<&str>| {
        let mut b = StatementBuilder::new(ISS).issued_at(NOW);
        if let Some(t) = typ {
            b = b.typ(t);
        }
        b.sign(&key).unwrap()
    };
    assert!(v.verify(&sign_typ(Some("JWT"))).is_ok());
    assert!(v.verify(&sign_typ(Some("jwt"))).is_ok());
    assert!(v.verify(&sign_typ(Some("application/jwt"))).is_ok());
    assert!(matches!(
        v.verify(&sign_typ(Some("JOSE"))).unwrap_err(),
        StatementError::WrongType { .. }
    ));
    assert!(matches!(
        v.verify(&sign_typ(None)).unwrap_err(),
        StatementError::WrongType { found: None, .. }
    ));
}

#[test]
fn issuer_algorithm_allow_list() {
    let key = Jwk::generate(Algorithm::ES256).unwrap();
    let v = verifier(&key, |p| p.algorithms(&[Algorithm::EdDSA]));
    let t = StatementBuilder::new(ISS).issued_at(NOW).sign(&key).unwrap();
    assert_eq!(
        v.verify(&t).unwrap_err(),
        StatementError::Jws(JwsError::AlgorithmNotAllowed(Algorithm::ES256))
    );
}

#[test]
fn bad_signature_and_other_issuers_key() {
    let key = Jwk::generate(Algorithm::ES256).unwrap().with_kid("k").unwrap();
    let attacker = Jwk::generate(Algorithm::ES256).unwrap().with_kid("k").unwrap();
    let v = verifier(&key, |p| p);
    let t = StatementBuilder::new(ISS).issued_at(NOW).sign(&attacker).unwrap();
    let e = v.verify(&t).unwrap_err();
    assert_eq!(e, StatementError::Jws(JwsError::BadSignature));
    assert_eq!(e.code().as_str(), "invalid_software_statement");
}

#[test]
fn claims_must_be_a_strict_json_object() {
    let key = Jwk::generate(Algorithm::ES256).unwrap();
    let v = verifier(&key, |p| p);
    let alg = Algorithm::ES256;
    let t = sign_jws(&key, alg, &Map::new(), br#"{"iss":"a","iss":"b"}"#).unwrap();
    assert!(matches!(
        v.verify(&t).unwrap_err(),
        StatementError::Claims(JwsError::DuplicateMember { .. })
    ));
    let t = sign_jws(&key, alg, &Map::new(), b"[1]").unwrap();
    assert!(matches!(
        v.verify(&t).unwrap_err(),
        StatementError::Claims(JwsError::NotJsonObject(_))
    ));
}

#[test]
fn rfc7591_example_statement_is_rejected_for_missing_iss_before_key_lookup() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/test-vectors/rfc/rfc7591.json")).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    let token = doc["vectors"][0]["compact"].as_str().unwrap();
    // A verifier that trusts nobody: the error must still be the missing `iss`.
    let v = Verifier::builder().build();
    let e = v.verify(token).unwrap_err();
    assert_eq!(e, StatementError::MissingIssuer);
    assert_eq!(e.code().as_str(), "invalid_software_statement");
}

fn trust(json: Value) -> Result<TrustFile, software_statement::TrustFileError> {
    TrustFile::from_json(&json.to_string(), "trust.json", None)
}

#[test]
fn trust_file_loads_every_documented_member() {
    let key = Jwk::generate(Algorithm::ES256).unwrap();
    let jwks = json!({"keys": [public(&key).to_value()]});
    let t = trust(json!({
        "issuers": {
            ISS: {
                "jwks": jwks,
                "algorithms": ["ES256", "RS256"],
                "required_claims": ["software_id"],
                "max_age": 31536000,
                "audience": "https://as.example.org",
                "typ": "JWT"
            }
        },
        "leeway": 60,
        "require_software_statement": true,
        "allow_http_loopback": false
    }))
    .unwrap();
    assert!(t.require_software_statement());
    assert!(!t.allows_http_loopback());
    let p = t.verifier().issuer(ISS).unwrap();
    assert_eq!(
        p.configured_algorithms().unwrap().iter().collect::<Vec<_>>(),
        [Algorithm::RS256, Algorithm::ES256]
    );
}

#[test]
fn trust_file_errors_name_the_issuer_and_kid() {
    let bad = json!({"kty": "EC", "crv": "P-256", "kid": "broken-key",
        "x": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "y": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"});
    let good = public(&Jwk::generate(Algorithm::ES256).unwrap()).to_value();
    let e = trust(json!({"issuers": {ISS: {"jwks": {"keys": [good, bad]}}}})).unwrap_err();
    assert_eq!(e.issuer.as_deref(), Some(ISS));
    assert!(e.message.contains("broken-key"), "{e}");
    assert!(e.to_string().starts_with("trust.json: issuer"), "{e}");
}

#[test]
fn trust_file_rejections() {
    let key = public(&Jwk::generate(Algorithm::ES256).unwrap()).to_value();
    let jwks = json!({"keys": [key]});
    let cases = [
        (json!({}), "issuers"),
        (json!({"issuers": {ISS: {}}}), "exactly one"),
        (
            json!({"issuers": {ISS: {"jwks": jwks, "jwks_uri": "https://x/jwks"}}}),
            "exactly one",
        ),
        (
            json!({"issuers": {ISS: {"jwks": jwks, "algorithms": ["none"]}}}),
            "none",
        ),
        (json!({"issuers": {ISS: {"jwks": jwks, "algorithms": []}}}), "non-empty"),
        (
            json!({"issuers": {ISS: {"jwks": jwks, "algorithms": ["HS256"]}}}),
            "no key can verify",
        ),
        (json!({"issuers": {ISS: {"jwks": jwks, "max_age": -1}}}), "max_age"),
        (
            json!({"issuers": {ISS: {"jwks": jwks, "audiance": "x"}}}),
            "unknown member",
        ),
        (json!({"issuers": {ISS: {"jwks": jwks}}, "leeway": "60"}), "leeway"),
        (json!({"issuers": {ISS: {"jwks": jwks}}, "extra": 1}), "unknown member"),
        (
            json!({"issuers": {ISS: {"jwks_file": "does-not-exist.json"}}}),
            "cannot read",
        ),
    ];
    for (doc, needle) in cases {
        let e = trust(doc.clone()).err().unwrap_or_else(|| panic!("accepted {doc}"));
        assert!(e.to_string().contains(needle), "{doc}: {e}");
    }
    let dup = TrustFile::from_json(r#"{"issuers":{}, "issuers":{}}"#, "t.json", None).unwrap_err();
    assert!(dup.message.contains("twice"), "{dup}");
}

#[test]
fn trust_file_jwks_file_is_relative_to_the_trust_file() {
    let dir = std::env::temp_dir().join(format!("ss-trust-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let key = Jwk::generate(Algorithm::EdDSA).unwrap();
    let set = JwkSet::new(vec![key.to_public().unwrap()])
        .unwrap()
        .to_public_value()
        .unwrap();
    std::fs::write(dir.join("keys.json"), set.to_string()).unwrap();
    std::fs::write(
        dir.join("trust.json"),
        json!({"issuers": {ISS: {"jwks_file": "keys.json"}}}).to_string(),
    )
    .unwrap();
    let opts = software_statement::LoadOptions::default().clock(Arc::new(FixedClock::new(NOW)));
    let t = TrustFile::load(dir.join("trust.json"), Some(opts)).unwrap();
    let token = StatementBuilder::new(ISS).issued_at(NOW).sign(&key).unwrap();
    assert_eq!(t.verifier().verify(&token).unwrap().issuer(), ISS);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn trust_file_issuer_without_a_usable_key_is_refused() {
    let mut only_enc = public(&Jwk::generate(Algorithm::ES256).unwrap()).to_value();
    only_enc.as_object_mut().unwrap().insert("use".into(), json!("enc"));
    only_enc.as_object_mut().unwrap().remove("alg");
    let oaep = json!({"kty": "oct", "alg": "A256KW", "k": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"});
    for keys in [
        json!([]),
        json!([only_enc]),
        json!([{"kty": "unknown-kty"}]),
        json!([oaep]),
    ] {
        let e = trust(json!({"issuers": {ISS: {"jwks": {"keys": keys}}}})).unwrap_err();
        assert_eq!(e.issuer.as_deref(), Some(ISS));
        assert!(e.message.contains("no key of this issuer can verify"), "{e}");
    }
}

#[test]
fn trust_file_mistakes_in_keys_are_fatal_but_foreign_keys_are_skipped() {
    let good = public(&Jwk::generate(Algorithm::ES256).unwrap()).to_value();
    let with = |f: &dyn Fn(&mut Map<String, Value>)| {
        let mut k = public(&Jwk::generate(Algorithm::ES256).unwrap()).to_value();
        f(k.as_object_mut().unwrap());
        k["kid"] = json!("bad-key");
        k
    };
    // Mistakes in a key of a type and curve this library implements: a typo in alg, alg none.
    let mistakes = [
        with(&|m| {
            m.insert("alg".into(), json!("ES265"));
        }),
        with(&|m| {
            m.insert("alg".into(), json!("none"));
        }),
    ];
    for bad in mistakes {
        let e = trust(json!({"issuers": {ISS: {"jwks": {"keys": [good.clone(), bad.clone()]}}}})).unwrap_err();
        assert!(e.message.contains("bad-key"), "{bad}: {e}");
    }
    // Foreign keys are skipped whatever their other members (security rule 5): an encryption
    // alg or `use`, a curve not implemented here (registered or not), an unknown kty. The
    // issuer's signing key stays usable.
    let foreign = [
        with(&|m| {
            m.insert("crv".into(), json!("P-257"));
        }),
        with(&|m| {
            m.insert("crv".into(), json!("Ed25519"));
        }),
        with(&|m| {
            m.insert("use".into(), json!("enc"));
        }),
        with(&|m| {
            m.insert("alg".into(), json!("ECDH-ES"));
        }),
        json!({"kty": "OKP", "crv": "X25519", "x": "hSDwCYkwp1R0i33ctD73Wg2_Og0mOBr066SpjqqbTmo", "kid": "x"}),
        json!({"kty": "PQC", "kid": "future"}),
    ];
    for f in foreign {
        trust(json!({"issuers": {ISS: {"jwks": {"keys": [good.clone(), f.clone()]}}}}))
            .unwrap_or_else(|e| panic!("{f}: {e}"));
    }
}

#[test]
fn trust_file_warns_about_policies_that_accept_any_jwt() {
    let key = public(&Jwk::generate(Algorithm::ES256).unwrap()).to_value();
    let jwks = json!({"keys": [key]});
    let loose = trust(json!({"issuers": {ISS: {"jwks": jwks}}})).unwrap();
    assert_eq!(loose.warnings().len(), 1);
    assert!(loose.warnings()[0].contains(ISS));
    assert!(loose.verifier().issuer(ISS).unwrap().accepts_any_jwt());
    for tight in [
        json!({"issuers": {ISS: {"jwks": jwks, "typ": "JWT"}}}),
        json!({"issuers": {ISS: {"jwks": jwks, "audience": "https://as.example"}}}),
        json!({"issuers": {ISS: {"jwks": jwks, "required_claims": ["software_id"]}}}),
    ] {
        let t = trust(tight.clone()).unwrap();
        assert!(t.warnings().is_empty(), "{tight}");
    }
}
