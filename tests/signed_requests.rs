//! Signed registration requests (the client signs its registration request as a JWT that
//! carries a statement a directory signed): `Registrar::register_body` /
//! `register_body_async` and `RegistrationRequestBuilder`.
//!
//! The seven steps run in order and a failure stops them; each step has its tests below,
//! named `step<N>_…`, with the exact RFC 7591 error code and a check of the description:
//!
//! 1. the request is a strict compact JWS within `max_request_bytes`, and only a registrar
//!    with a signed-request policy (an audience) takes it;
//! 2. its payload is a JSON object with a `software_statement` string;
//! 3. the statement verifies under the trust policy (its error is the answer; no client key
//!    is fetched before it verified: the `remote` tests count the requests);
//! 4. the keys come from the verified statement only (`jwks` or `jwks_uri`);
//! 5. the request's signature, asymmetric algorithms only;
//! 6. `iss` = the statement's `software_id`, `aud`, `exp`, `iat` (and its age), `jti`,
//!    `nbf`, with the verifier's leeway;
//! 7. the rest is a plain request, merged as a JSON request is.
//!
//! Then: the builder round trip for every asymmetric algorithm, HMAC refused on both sides,
//! interop with jsonwebtoken and josekit, and (feature `remote`) the client's `jwks_uri`
//! over a loopback HTTPS server, and the UK Open Banking and CDR request shapes of
//! `test-vectors/signed-requests/`.

use std::sync::Arc;

use serde_json::{json, Map, Value};
use software_statement::{
    backend_supports, sign_jws, Algorithm, Clock, FixedClock, IssuerPolicy, Jwk, JwkSet, LoadOptions, Registrar,
    Registration, RegistrationError, RegistrationRequestBuilder, SignError, SignedRequestPolicy, SignedRequests,
    StatementBuilder, TrustFile, UnknownMembers, ValidationOptions, Verifier, DEFAULT_MAX_REQUEST_AGE,
    DEFAULT_MAX_REQUEST_BYTES,
};

const DIRECTORY: &str = "https://directory.example.org";
const AS: &str = "https://as.example.org";
const SOFTWARE_ID: &str = "app-42";
const T0: u64 = 1_700_000_000;
const JWT: &str = "application/jwt";

// ---------------------------------------------------------------------------------------
// Fixture: a directory that signs statements, a client that signs requests, a fixed clock.

fn obj(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        other => panic!("not a JSON object: {other}"),
    }
}

struct Fx {
    directory: Jwk,
    client: Jwk,
    clock: Arc<FixedClock>,
}

impl Fx {
    fn new() -> Fx {
        Fx {
            directory: Jwk::generate(Algorithm::ES256)
                .unwrap()
                .with_kid("directory-1")
                .unwrap(),
            client: Jwk::generate(Algorithm::ES256).unwrap().with_kid("client-1").unwrap(),
            clock: Arc::new(FixedClock::new(T0)),
        }
    }

    fn clock(&self) -> Arc<dyn Clock> {
        self.clock.clone()
    }

    /// Trusts `DIRECTORY` with the directory's key, on the fixed clock.
    fn verifier(&self) -> Verifier {
        let keys = JwkSet::new(vec![self.directory.to_public().unwrap()]).unwrap();
        Verifier::builder()
            .issuer(DIRECTORY, IssuerPolicy::with_jwks(keys))
            .clock(self.clock())
            .build()
    }

    fn registrar_with(&self, policy: SignedRequestPolicy) -> Registrar {
        Registrar::new(self.verifier()).signed_requests(policy)
    }

    /// Signed requests to `AS`, default policy.
    fn registrar(&self) -> Registrar {
        self.registrar_with(SignedRequestPolicy::new(AS))
    }

    fn client_jwks(&self) -> Value {
        json!({"keys": [self.client.to_public().unwrap().to_value()]})
    }

    fn statement_claims(&self) -> Value {
        json!({
            "software_id": SOFTWARE_ID,
            "client_name": "Attested App",
            "redirect_uris": ["https://app.example.org/cb"],
            "token_endpoint_auth_method": "private_key_jwt",
            "jwks": self.client_jwks(),
        })
    }

    /// A statement from `DIRECTORY` with `claims`, issued at T0, valid an hour.
    fn statement(&self, claims: Value) -> String {
        StatementBuilder::new(DIRECTORY)
            .claims(obj(claims))
            .issued_at(T0)
            .ttl(3600)
            .sign(&self.directory)
            .unwrap()
    }

    fn good_statement(&self) -> String {
        self.statement(self.statement_claims())
    }

    /// The builder's request carrying `ssa` with `metadata`, issued at T0.
    fn request(&self, ssa: &str, metadata: Value) -> String {
        RegistrationRequestBuilder::new(ssa)
            .issuer(SOFTWARE_ID)
            .audience(AS)
            .issued_at(T0)
            .metadata(obj(metadata))
            .sign(&self.client)
            .unwrap()
    }

    /// Request claims for hand-made requests: every claim step 6 needs, valid at T0.
    fn claims(&self, ssa: &str) -> Map<String, Value> {
        obj(json!({
            "iss": SOFTWARE_ID,
            "aud": AS,
            "iat": T0,
            "exp": T0 + 300,
            "jti": "request-1",
            "software_statement": ssa,
            "contacts": ["ops@app.example.org"],
        }))
    }
}

/// A 2048-bit RSA key with `kid` (and `alg` when given), generated by josekit: the ring
/// backend cannot generate RSA keys.
fn rsa_key(alg: Option<Algorithm>, kid: &str) -> Jwk {
    let mut jwk = josekit::jwk::Jwk::generate_rsa_key(2048).unwrap();
    if let Some(alg) = alg {
        jwk.set_algorithm(alg.name());
    }
    jwk.set_key_id(kid);
    Jwk::from_value(&Value::Object(jwk.as_ref().clone())).unwrap()
}

/// A compact JWS of `claims` signed by `key` with `alg` (header: `alg`, the key's `kid`).
fn sign_with(key: &Jwk, alg: Algorithm, claims: &Map<String, Value>) -> String {
    sign_jws(key, alg, &Map::new(), &serde_json::to_vec(claims).unwrap()).unwrap()
}

fn sign_claims(key: &Jwk, claims: &Map<String, Value>) -> String {
    sign_with(key, key.default_algorithm().unwrap(), claims)
}

fn register(registrar: &Registrar, token: &str) -> Result<Registration, RegistrationError> {
    registrar.register_body(token.as_bytes(), JWT)
}

/// The result is the error `code` (HTTP 400) whose description contains `needle`.
#[track_caller]
fn refused(result: Result<Registration, RegistrationError>, code: &str, needle: &str) -> RegistrationError {
    let error = match result {
        Ok(registration) => panic!("expected {code} ({needle}), registered: {}", registration.to_json()),
        Err(e) => e,
    };
    assert_eq!(error.code().as_str(), code, "{}", error.description());
    assert!(
        error.description().contains(needle),
        "description {:?} lacks {needle:?}",
        error.description()
    );
    assert_eq!(error.http_status(), 400);
    error
}

/// The header and the claims of a compact JWS, read without verifying.
fn decode(token: &str) -> (Map<String, Value>, Map<String, Value>) {
    let (header, payload) =
        software_statement::dangerous::decode_unverified(token, &software_statement::Limits::default()).unwrap();
    (header, obj(serde_json::from_slice(&payload).unwrap()))
}

fn claims_of(token: &str) -> Map<String, Value> {
    decode(token).1
}

// ---------------------------------------------------------------------------------------
// A good request, end to end (the positive control of every step test below).

#[test]
fn a_signed_request_registers_and_reports_alg_kid_and_jti() {
    let fx = Fx::new();
    let ssa = fx.good_statement();
    let token = fx.request(
        &ssa,
        json!({"client_name": "Self-asserted", "contacts": ["ops@app.example.org"]}),
    );
    let registration = register(&fx.registrar(), &token).unwrap();

    let request = registration.request.as_ref().expect("a signed request is reported");
    assert_eq!(request.alg, Algorithm::ES256);
    assert_eq!(request.kid.as_deref(), Some("client-1"));
    let jti = claims_of(&token)["jti"].as_str().unwrap().to_owned();
    assert_eq!(request.jti, jti);
    let statement = registration.statement.as_ref().unwrap();
    assert_eq!(statement.issuer, DIRECTORY);
    assert_eq!(statement.kid.as_deref(), Some("directory-1"));

    let out = registration.to_json();
    assert_eq!(
        out.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["metadata", "overridden", "statement", "request"]
    );
    assert_eq!(out["request"], json!({"alg": "ES256", "kid": "client-1", "jti": jti}));
    assert_eq!(out["overridden"], json!(["client_name"]));
    assert_eq!(
        out["metadata"],
        json!({
            "contacts": ["ops@app.example.org"],
            "software_id": SOFTWARE_ID,
            "client_name": "Attested App",
            "redirect_uris": ["https://app.example.org/cb"],
            "token_endpoint_auth_method": "private_key_jwt",
            "jwks": fx.client_jwks(),
            "software_statement": ssa,
        })
    );
    // Requests of the same client as application/jose, with a media type parameter, and
    // with surrounding whitespace.
    let registrar = fx.registrar();
    let metadata = json!({"client_name": "Self-asserted", "contacts": ["ops@app.example.org"]});
    for content_type in ["application/jose", "application/jwt; charset=utf-8", "Application/JWT"] {
        let token = fx.request(&ssa, metadata.clone());
        let again = registrar.register_body(token.as_bytes(), content_type).unwrap();
        assert_eq!(again.metadata, registration.metadata, "{content_type}");
    }
    let padded = format!("\r\n {}\n", fx.request(&ssa, metadata.clone()));
    assert_eq!(register(&registrar, &padded).unwrap().metadata, registration.metadata);
    // The jti is what makes a request: the same request again is refused.
    let token = fx.request(&ssa, metadata);
    register(&registrar, &token).unwrap();
    refused(register(&registrar, &token), "invalid_client_metadata", "already used");
}

// ---------------------------------------------------------------------------------------
// Step 1: the request JWS, its size, and whether this server takes signed requests.

#[test]
fn step1_refused_outright_without_a_configured_audience() {
    let fx = Fx::new();
    let token = fx.request(&fx.good_statement(), json!({}));
    let plain = Registrar::new(fx.verifier());
    refused(
        register(&plain, &token),
        "invalid_client_metadata",
        "does not accept signed",
    );
    // Refused before anything else: a statement from an untrusted issuer, or a body that
    // is no JWS at all, give the same answer.
    let untrusted = StatementBuilder::new("https://unknown.example")
        .sign(&fx.directory)
        .unwrap();
    let token = fx.request(&untrusted, json!({}));
    refused(
        register(&plain, &token),
        "invalid_client_metadata",
        "does not accept signed",
    );
    refused(
        register(&plain, "garbage"),
        "invalid_client_metadata",
        "does not accept signed",
    );
    // JSON requests still register there.
    let json = json!({"redirect_uris": ["https://app.example.org/cb"]}).to_string();
    plain.register_body(json.as_bytes(), "application/json").unwrap();

    // The same from a trust file without `registration.audience`…
    let directory = json!({"keys": [fx.directory.to_public().unwrap().to_value()]});
    let load = |doc: Value| {
        TrustFile::from_json(
            &doc.to_string(),
            "trust.json",
            Some(LoadOptions::default().clock(fx.clock())),
        )
        .unwrap()
    };
    let trust = load(json!({"issuers": {DIRECTORY: {"jwks": directory}}}));
    assert!(trust.signed_requests().is_none());
    let token = fx.request(&fx.good_statement(), json!({}));
    refused(
        register(&Registrar::from_trust_file(&trust), &token),
        "invalid_client_metadata",
        "does not accept signed",
    );
    // …and with one, accepted.
    let trust = load(json!({"issuers": {DIRECTORY: {"jwks": directory}}, "registration": {"audience": AS}}));
    assert_eq!(trust.signed_requests().unwrap().audience(), AS);
    register(&Registrar::from_trust_file(&trust), &token).unwrap();
}

#[test]
fn step1_a_body_that_is_not_a_well_formed_jws() {
    let fx = Fx::new();
    let registrar = fx.registrar();
    let token = fx.request(&fx.good_statement(), json!({}));
    let segments: Vec<&str> = token.split('.').collect();
    let json_serialization =
        json!({"payload": segments[1], "protected": segments[0], "signature": segments[2]}).to_string();
    let none_alg = format!("eyJhbGciOiJub25lIn0.{}.", segments[1]);
    let padded = format!("{}.{}=.{}", segments[0], segments[1], segments[2]);
    let cases: Vec<(&str, String)> = vec![
        ("empty", String::new()),
        ("whitespace only", "  \n".into()),
        ("words", "not a jws".into()),
        ("two segments", format!("{}.{}", segments[0], segments[1])),
        ("four segments", format!("{token}.{}", segments[2])),
        ("padding", padded),
        ("JSON serialization", json_serialization),
        ("alg none", none_alg),
        (
            "a JSON request sent as application/jwt",
            json!({"software_statement": token}).to_string(),
        ),
    ];
    for (name, body) in cases {
        let error = refused(
            register(&registrar, &body),
            "invalid_client_metadata",
            "not a valid JWS",
        );
        assert!(!error.description().contains(&token), "{name}: the token is not echoed");
    }
    // Not UTF-8.
    refused(
        registrar.register_body(b"\xff\xfe.\x80.\x81", JWT),
        "invalid_client_metadata",
        "not a valid JWS",
    );
}

#[test]
fn step1_the_size_cap_is_max_request_bytes() {
    let fx = Fx::new();
    let ssa = fx.good_statement();
    // A request larger than a statement may be (16 KiB) but within the request bound
    // (64 KiB by default) is fine: the request's cap is `max_request_bytes`.
    let big = fx.request(&ssa, json!({"description": "x".repeat(20_000)}));
    assert!(big.len() > 16 * 1024 && big.len() < DEFAULT_MAX_REQUEST_BYTES);
    register(&fx.registrar(), &big).unwrap();

    let token = fx.request(&ssa, json!({}));
    let fits = fx.registrar().max_request_bytes(token.len());
    register(&fits, &token).unwrap();
    let over = fx.registrar().max_request_bytes(token.len() - 1);
    let error = refused(register(&over, &token), "invalid_client_metadata", "bytes");
    assert!(
        error.description().contains(&token.len().to_string()),
        "{}",
        error.description()
    );
    // Checked before parsing: an oversized body that is no JWS says so, not "not a JWS".
    let junk = "x".repeat(DEFAULT_MAX_REQUEST_BYTES + 1);
    refused(register(&fx.registrar(), &junk), "invalid_client_metadata", "bytes");

    // The trust file's `registration.max_request_bytes` is that cap.
    let doc = json!({
        "issuers": {DIRECTORY: {"jwks": {"keys": [fx.directory.to_public().unwrap().to_value()]}}},
        "registration": {"audience": AS, "max_request_bytes": token.len() - 1},
    });
    let trust = TrustFile::from_json(
        &doc.to_string(),
        "trust.json",
        Some(LoadOptions::default().clock(fx.clock())),
    )
    .unwrap();
    refused(
        register(&Registrar::from_trust_file(&trust), &token),
        "invalid_client_metadata",
        "bytes",
    );
}

// ---------------------------------------------------------------------------------------
// Step 2: the payload and its `software_statement`.

#[test]
fn step2_the_payload_must_be_a_strict_json_object() {
    let fx = Fx::new();
    let registrar = fx.registrar();
    for payload in [
        &b"[1, 2]"[..],
        b"\"text\"",
        b"{\"iss\": \"a\", \"iss\": \"b\"}",
        b"not json",
    ] {
        let token = sign_jws(&fx.client, Algorithm::ES256, &Map::new(), payload).unwrap();
        refused(register(&registrar, &token), "invalid_client_metadata", "payload");
    }
}

#[test]
fn step2_software_statement_is_required_and_a_string() {
    let fx = Fx::new();
    let registrar = fx.registrar();
    let mut claims = fx.claims(&fx.good_statement());
    claims.remove("software_statement");
    refused(
        register(&registrar, &sign_claims(&fx.client, &claims)),
        "invalid_software_statement",
        "must carry a software_statement",
    );
    for value in [
        json!(7),
        json!(null),
        json!({"jwt": "a.b.c"}),
        json!([fx.good_statement()]),
    ] {
        claims.insert("software_statement".into(), value.clone());
        refused(
            register(&registrar, &sign_claims(&fx.client, &claims)),
            "invalid_software_statement",
            "must be a string",
        );
    }
    // Step 2 comes before the signature (step 5): a request signed by anyone without a
    // statement is still "no statement".
    let stranger = Jwk::generate(Algorithm::ES256).unwrap();
    claims.remove("software_statement");
    refused(
        register(&registrar, &sign_claims(&stranger, &claims)),
        "invalid_software_statement",
        "must carry a software_statement",
    );
}

// ---------------------------------------------------------------------------------------
// Step 3: the statement is verified under the trust policy; its failure is the answer.

#[test]
fn step3_a_statement_that_fails_verification_is_the_answer() {
    let fx = Fx::new();
    let registrar = fx.registrar();
    let impostor = Jwk::generate(Algorithm::ES256)
        .unwrap()
        .with_kid("directory-1")
        .unwrap();
    let claims = obj(fx.statement_claims());
    let forged = StatementBuilder::new(DIRECTORY)
        .claims(claims.clone())
        .issued_at(T0)
        .sign(&impostor)
        .unwrap();
    let untrusted = StatementBuilder::new("https://unknown.example")
        .claims(claims.clone())
        .issued_at(T0)
        .sign(&fx.directory)
        .unwrap();
    let expired = StatementBuilder::new(DIRECTORY)
        .claims(claims.clone())
        .issued_at(T0 - 7200)
        .ttl(3600)
        .sign(&fx.directory)
        .unwrap();
    let cases = [
        (forged, "invalid_software_statement", "signature"),
        (untrusted, "unapproved_software_statement", "unknown.example"),
        (expired, "invalid_software_statement", "expired"),
        ("a.b".to_owned(), "invalid_software_statement", ""),
        (String::new(), "invalid_software_statement", ""),
    ];
    for (ssa, code, needle) in cases {
        // The request itself is good: the statement's error is the answer, exactly what
        // the verifier says about the statement.
        let token = fx.request(&ssa, json!({}));
        let error = refused(register(&registrar, &token), code, needle);
        let expected = RegistrationError::from(fx.verifier().verify(&ssa).unwrap_err());
        assert_eq!(error, expected, "{ssa}");
        // A request that would also fail later (signed by a stranger, wrong audience)
        // still gets the statement's error: step 3 comes first.
        let stranger = Jwk::generate(Algorithm::ES256).unwrap();
        let late_failure = RegistrationRequestBuilder::new(ssa.as_str())
            .issuer(SOFTWARE_ID)
            .audience("https://elsewhere.example")
            .issued_at(T0)
            .sign(&stranger)
            .unwrap();
        assert_eq!(register(&registrar, &late_failure).unwrap_err(), expected);
    }
}

// ---------------------------------------------------------------------------------------
// Step 4: the client's keys come from the verified statement only.

#[test]
fn step4_a_statement_without_keys_is_refused_whatever_the_request_offers() {
    let fx = Fx::new();
    let registrar = fx.registrar();
    let mut claims = fx.statement_claims();
    claims.as_object_mut().unwrap().remove("jwks");
    claims["token_endpoint_auth_method"] = json!("client_secret_basic");
    let ssa = fx.statement(claims);

    // The request offers the client's key in its header (`jwk`) and as a `jwks` member:
    // neither is ever used.
    let mut header = Map::new();
    header.insert("jwk".into(), fx.client.to_public().unwrap().to_value());
    let mut request = fx.claims(&ssa);
    request.insert("jwks".into(), fx.client_jwks());
    let token = sign_jws(
        &fx.client,
        Algorithm::ES256,
        &header,
        &serde_json::to_vec(&request).unwrap(),
    )
    .unwrap();
    refused(
        register(&registrar, &token),
        "invalid_software_statement",
        "names no keys",
    );
    // Without them: the same.
    refused(
        register(&registrar, &fx.request(&ssa, json!({}))),
        "invalid_software_statement",
        "names no keys",
    );
}

#[test]
fn step4_the_request_header_jwk_and_jwks_member_never_verify_it() {
    let fx = Fx::new();
    let registrar = fx.registrar();
    let ssa = fx.good_statement(); // names the client's key
                                   // Signed by another key, which the request names in its header and in `jwks`.
    let other = Jwk::generate(Algorithm::ES256).unwrap().with_kid("other-1").unwrap();
    let other_public = other.to_public().unwrap().to_value();
    let mut header = Map::new();
    header.insert("jwk".into(), other_public.clone());
    let mut claims = fx.claims(&ssa);
    claims.insert("jwks".into(), json!({"keys": [other_public]}));
    let token = sign_jws(&other, Algorithm::ES256, &header, &serde_json::to_vec(&claims).unwrap()).unwrap();
    refused(
        register(&registrar, &token),
        "invalid_client_metadata",
        "does not verify",
    );
    // Positive control: the client signing the same claims registers, and the request's
    // `jwks` is dropped in favour of the statement's (merge rule 4).
    let token = sign_claims(&fx.client, &claims);
    let registration = register(&registrar, &token).unwrap();
    assert_eq!(registration.metadata.get("jwks"), Some(&fx.client_jwks()));
    assert_eq!(registration.overridden, ["jwks"]);
}

#[test]
fn step4_malformed_key_claims_in_the_statement() {
    let fx = Fx::new();
    let registrar = fx.registrar();
    let mut both = fx.statement_claims();
    both["jwks_uri"] = json!("https://app.example.org/jwks.json");
    let mut uri_not_string = fx.statement_claims();
    uri_not_string.as_object_mut().unwrap().remove("jwks");
    uri_not_string["jwks_uri"] = json!(["https://app.example.org/jwks.json"]);
    let mut bad_jwks = fx.statement_claims();
    bad_jwks["jwks"] = json!({"keys": [{"kty": "EC", "crv": "P-256", "x": "AAAA", "y": "AAAA"}]});
    let mut not_a_set = fx.statement_claims();
    not_a_set["jwks"] = json!("keys");
    for (claims, needle) in [
        (both, "both jwks and jwks_uri"),
        (uri_not_string, "jwks_uri must be a string"),
        (bad_jwks, "jwks"),
        (not_a_set, "jwks"),
    ] {
        let ssa = fx.statement(claims);
        refused(
            register(&registrar, &fx.request(&ssa, json!({}))),
            "invalid_software_statement",
            needle,
        );
    }
}

// ---------------------------------------------------------------------------------------
// Step 5: the request's signature, with the statement's keys, asymmetric algorithms only.

#[test]
fn step5_a_request_signed_by_another_key() {
    let fx = Fx::new();
    let registrar = fx.registrar();
    let ssa = fx.good_statement();
    let claims = fx.claims(&ssa);
    // Same kid as the client's key, or another kid, or none.
    for kid in [Some("client-1"), Some("someone-else"), None] {
        let mut other = Jwk::generate(Algorithm::ES256).unwrap();
        if let Some(kid) = kid {
            other = other.with_kid(kid).unwrap();
        } else {
            let mut members = other.to_value().as_object().unwrap().clone();
            members.remove("kid");
            other = Jwk::from_map(members).unwrap();
        }
        refused(
            register(&registrar, &sign_claims(&other, &claims)),
            "invalid_client_metadata",
            "does not verify",
        );
    }
    // A tampered signature or payload.
    let token = sign_claims(&fx.client, &claims);
    let (rest, signature) = token.rsplit_once('.').unwrap();
    let flipped = if signature.starts_with('A') { "B" } else { "A" };
    let tampered = format!("{rest}.{flipped}{}", &signature[1..]);
    refused(
        register(&registrar, &tampered),
        "invalid_client_metadata",
        "does not verify",
    );
    let mut other_claims = claims.clone();
    other_claims.insert("client_name".into(), "Changed".into());
    let segments: Vec<&str> = token.split('.').collect();
    let swapped = format!(
        "{}.{}.{}",
        segments[0],
        sign_claims(&fx.client, &other_claims).split('.').nth(1).unwrap(),
        segments[2]
    );
    refused(
        register(&registrar, &swapped),
        "invalid_client_metadata",
        "does not verify",
    );
    // Positive control.
    register(&registrar, &token).unwrap();
}

#[test]
fn step5_hs256_requests_are_refused() {
    let fx = Fx::new();
    let registrar = fx.registrar();
    // Even when the statement publishes a shared secret, a request MACed with it is
    // refused: HMAC never verifies a signed request.
    let secret = Jwk::generate(Algorithm::HS256).unwrap().with_kid("shared-1").unwrap();
    let mut claims = fx.statement_claims();
    claims["jwks"] = json!({"keys": [secret.to_value(), fx.client.to_public().unwrap().to_value()]});
    let ssa = fx.statement(claims);
    let token = sign_with(&secret, Algorithm::HS256, &fx.claims(&ssa));
    refused(
        register(&registrar, &token),
        "invalid_client_metadata",
        "does not verify",
    );
    // HS256 over the good statement (public keys only): refused the same way.
    let ssa = fx.good_statement();
    let token = sign_with(&secret, Algorithm::HS256, &fx.claims(&ssa));
    refused(
        register(&registrar, &token),
        "invalid_client_metadata",
        "does not verify",
    );
    // A policy listing HMAC algorithms does not let them in.
    let policy = SignedRequestPolicy::new(AS).algorithms(&[Algorithm::HS256, Algorithm::HS512, Algorithm::ES256]);
    let allowed: Vec<Algorithm> = policy.allowed_algorithms().iter().collect();
    assert_eq!(allowed, [Algorithm::ES256]);
    let default: Vec<Algorithm> = SignedRequestPolicy::new(AS).allowed_algorithms().iter().collect();
    assert!(default.iter().all(|a| !a.is_hmac()), "{default:?}");
    assert_eq!(default.len(), Algorithm::ALL.iter().filter(|a| !a.is_hmac()).count());
}

#[test]
fn step5_an_algorithm_outside_request_algorithms() {
    let fx = Fx::new();
    let ssa = fx.good_statement();
    let token = fx.request(&ssa, json!({}));
    let ps_only = fx.registrar_with(SignedRequestPolicy::new(AS).algorithms(&[Algorithm::PS256]));
    refused(register(&ps_only, &token), "invalid_client_metadata", "does not verify");
    let es_only = fx.registrar_with(SignedRequestPolicy::new(AS).algorithms(&[Algorithm::ES256]));
    register(&es_only, &token).unwrap();

    // The trust file's `registration.request_algorithms`.
    let load = |registration: Value| {
        let doc = json!({
            "issuers": {DIRECTORY: {"jwks": {"keys": [fx.directory.to_public().unwrap().to_value()]}}},
            "registration": registration,
        });
        TrustFile::from_json(
            &doc.to_string(),
            "trust.json",
            Some(LoadOptions::default().clock(fx.clock())),
        )
    };
    let trust = load(json!({"audience": AS, "request_algorithms": ["PS256", "EdDSA"]})).unwrap();
    refused(
        register(&Registrar::from_trust_file(&trust), &token),
        "invalid_client_metadata",
        "does not verify",
    );
    let trust = load(json!({"audience": AS, "request_algorithms": ["ES256"]})).unwrap();
    register(&Registrar::from_trust_file(&trust), &token).unwrap();
    // HMAC in the list is a configuration error, as are an empty list or a bad name.
    for (registration, needle) in [
        (json!({"audience": AS, "request_algorithms": ["HS256"]}), "HS256"),
        (
            json!({"audience": AS, "request_algorithms": ["ES256", "HS512"]}),
            "HS512",
        ),
        (json!({"audience": AS, "request_algorithms": []}), "request_algorithms"),
        (json!({"audience": AS, "request_algorithms": ["ES257"]}), "ES257"),
    ] {
        let error = load(registration.clone()).unwrap_err();
        assert!(error.to_string().contains(needle), "{registration}: {error}");
    }
}

// ---------------------------------------------------------------------------------------
// Step 6: the request's claims, on a fixed clock (T0, leeway 60 s, max age 300 s).

/// Registers `claims` signed by the client. The fixture's `jti` ("request-1") is replaced
/// by a fresh one (a registrar accepts a `jti` once); any other `jti`, or none, is kept.
fn register_claims(
    fx: &Fx,
    registrar: &Registrar,
    claims: &Map<String, Value>,
) -> Result<Registration, RegistrationError> {
    register(registrar, &sign_claims(&fx.client, &fresh(claims)))
}

/// `claims` with a fresh `jti` in place of the fixture's.
fn fresh(claims: &Map<String, Value>) -> Map<String, Value> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(1);
    let mut claims = claims.clone();
    if claims.get("jti").and_then(Value::as_str) == Some("request-1") {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        claims.insert("jti".into(), json!(format!("request-1-{n}")));
    }
    claims
}

/// `claims` with `name` set to `value` (removed when `value` is `None`).
fn with(claims: &Map<String, Value>, name: &str, value: Option<Value>) -> Map<String, Value> {
    let mut out = claims.clone();
    match value {
        Some(v) => {
            out.insert(name.into(), v);
        }
        None => {
            out.remove(name);
        }
    }
    out
}

#[test]
fn step6_iss_is_the_statements_software_id() {
    let fx = Fx::new();
    let registrar = fx.registrar();
    let claims = fx.claims(&fx.good_statement());
    register_claims(&fx, &registrar, &claims).unwrap();
    for (iss, needle) in [
        (Some(json!("app-43")), "not the statement's software_id"),
        (Some(json!("APP-42")), "not the statement's software_id"),
        (Some(json!(DIRECTORY)), "not the statement's software_id"),
        (Some(json!(42)), "needs an iss"),
        (None, "needs an iss"),
    ] {
        let result = register_claims(&fx, &registrar, &with(&claims, "iss", iss.clone()));
        refused(result, "invalid_client_metadata", needle);
    }
    // The builder's --iss.
    let token = RegistrationRequestBuilder::new(fx.good_statement())
        .issuer("someone-else")
        .audience(AS)
        .issued_at(T0)
        .sign(&fx.client)
        .unwrap();
    refused(register(&registrar, &token), "invalid_client_metadata", "software_id");
}

#[test]
fn step6_a_statement_without_software_id_is_an_invalid_statement() {
    let fx = Fx::new();
    let registrar = fx.registrar();
    for software_id in [None, Some(json!(42)), Some(json!(["app-42"]))] {
        let mut claims = fx.statement_claims();
        match &software_id {
            Some(v) => claims["software_id"] = v.clone(),
            None => {
                claims.as_object_mut().unwrap().remove("software_id");
            }
        }
        let ssa = fx.statement(claims);
        // The statement verifies (the trust policy does not require software_id); the
        // request is signed by the right key and names app-42.
        fx.verifier().verify(&ssa).unwrap();
        let request = fx.claims(&ssa);
        refused(
            register_claims(&fx, &registrar, &request),
            "invalid_software_statement",
            "no software_id",
        );
    }
}

#[test]
fn step6_aud_contains_this_server() {
    let fx = Fx::new();
    let registrar = fx.registrar();
    let claims = fx.claims(&fx.good_statement());
    for aud in [
        json!(AS),
        json!([AS]),
        json!(["https://other.example", AS]),
        json!([7, AS]),
    ] {
        register_claims(&fx, &registrar, &with(&claims, "aud", Some(aud.clone())))
            .unwrap_or_else(|e| panic!("{aud}: {e}"));
    }
    for (aud, needle) in [
        (None, "needs an aud"),
        (Some(json!(7)), "needs an aud"),
        (Some(json!({"aud": AS})), "needs an aud"),
        (Some(json!("https://other.example")), "does not name this server"),
        (Some(json!("https://as.example.org/")), "does not name this server"),
        (Some(json!("")), "does not name this server"),
        (Some(json!([])), "does not name this server"),
        (
            Some(json!(["https://other.example", "https://third.example"])),
            "does not name this server",
        ),
        (Some(json!([["https://as.example.org"]])), "does not name this server"),
    ] {
        let result = register_claims(&fx, &registrar, &with(&claims, "aud", aud.clone()));
        refused(result, "invalid_client_metadata", needle);
    }
    // The builder's audience, as an array.
    let token = RegistrationRequestBuilder::new(fx.good_statement())
        .audience(json!(["https://other.example", AS]))
        .issued_at(T0)
        .sign(&fx.client)
        .unwrap();
    register(&registrar, &token).unwrap();
    let token = RegistrationRequestBuilder::new(fx.good_statement())
        .audience(json!(["https://other.example"]))
        .issued_at(T0)
        .sign(&fx.client)
        .unwrap();
    refused(
        register(&registrar, &token),
        "invalid_client_metadata",
        "does not name this server",
    );
}

#[test]
fn step6_exp_is_required_and_not_past() {
    let fx = Fx::new();
    let registrar = fx.registrar();
    let claims = fx.claims(&fx.good_statement());
    // Within the 60 s leeway.
    for exp in [T0 + 1, T0, T0 - 59] {
        register_claims(&fx, &registrar, &with(&claims, "exp", Some(json!(exp))))
            .unwrap_or_else(|e| panic!("exp {exp}: {e}"));
    }
    for (exp, needle) in [
        (None, "needs an exp"),
        (Some(json!(T0 - 60)), "expired"),
        (Some(json!(T0 - 3600)), "expired"),
        (Some(json!("1700000300")), "exp is not a valid NumericDate"),
        (Some(json!(-1)), "exp is not a valid NumericDate"),
    ] {
        let result = register_claims(&fx, &registrar, &with(&claims, "exp", exp.clone()));
        refused(result, "invalid_client_metadata", needle);
    }
    // The builder's TTL: a request signed 10 s long, presented 100 s later.
    let token = RegistrationRequestBuilder::new(fx.good_statement())
        .audience(AS)
        .issued_at(T0 - 100)
        .ttl(10)
        .sign(&fx.client)
        .unwrap();
    refused(register(&registrar, &token), "invalid_client_metadata", "expired");
}

#[test]
fn step6_iat_is_required_not_future_and_not_too_old() {
    let fx = Fx::new();
    let registrar = fx.registrar();
    let claims = fx.claims(&fx.good_statement());
    let max = DEFAULT_MAX_REQUEST_AGE;
    assert_eq!(max, 300);
    // Leeway 60: up to 60 s in the future, up to 300 + 60 s old.
    for iat in [T0, T0 + 60, T0 - max, T0 - max - 60] {
        register_claims(&fx, &registrar, &with(&claims, "iat", Some(json!(iat))))
            .unwrap_or_else(|e| panic!("iat {iat}: {e}"));
    }
    for (iat, needle) in [
        (None, "needs an iat"),
        (Some(json!(T0 + 61)), "in the future"),
        (Some(json!(T0 + 86_400)), "in the future"),
        (Some(json!(T0 - max - 61)), "more than 300 seconds old"),
        (Some(json!(0)), "more than 300 seconds old"),
        (Some(json!(true)), "iat is not a valid NumericDate"),
    ] {
        let result = register_claims(&fx, &registrar, &with(&claims, "iat", iat.clone()));
        refused(result, "invalid_client_metadata", needle);
    }
    // `max_request_age` from the policy.
    let strict = fx.registrar_with(SignedRequestPolicy::new(AS).max_age(120));
    let old = with(&claims, "iat", Some(json!(T0 - 200)));
    refused(
        register_claims(&fx, &strict, &old),
        "invalid_client_metadata",
        "more than 120 seconds old",
    );
    register_claims(&fx, &registrar, &old).unwrap();
}

#[test]
fn step6_jti_is_required_and_at_most_256_bytes() {
    let fx = Fx::new();
    let registrar = fx.registrar();
    let claims = fx.claims(&fx.good_statement());
    for jti in ["x".to_owned(), "é".repeat(128), "j".repeat(256)] {
        let registration = register_claims(&fx, &registrar, &with(&claims, "jti", Some(json!(jti)))).unwrap();
        assert_eq!(registration.request.unwrap().jti, jti);
    }
    for (jti, needle) in [
        (None, "needs a jti"),
        (Some(json!(7)), "needs a jti"),
        (Some(json!(["a"])), "needs a jti"),
        (Some(json!("")), "1 to 256 bytes"),
        (Some(json!("j".repeat(257))), "1 to 256 bytes"),
        (Some(json!("é".repeat(129))), "1 to 256 bytes"),
    ] {
        let result = register_claims(&fx, &registrar, &with(&claims, "jti", jti.clone()));
        refused(result, "invalid_client_metadata", needle);
    }
}

#[test]
fn step6_nbf_is_checked_when_present() {
    let fx = Fx::new();
    let registrar = fx.registrar();
    let claims = fx.claims(&fx.good_statement());
    for nbf in [T0 - 10, T0, T0 + 60] {
        register_claims(&fx, &registrar, &with(&claims, "nbf", Some(json!(nbf))))
            .unwrap_or_else(|e| panic!("nbf {nbf}: {e}"));
    }
    refused(
        register_claims(&fx, &registrar, &with(&claims, "nbf", Some(json!(T0 + 61)))),
        "invalid_client_metadata",
        "not valid yet",
    );
    refused(
        register_claims(&fx, &registrar, &with(&claims, "nbf", Some(json!("soon")))),
        "invalid_client_metadata",
        "nbf is not a valid NumericDate",
    );
}

#[test]
fn step6_times_use_the_trust_files_leeway_and_max_request_age() {
    let fx = Fx::new();
    let claims = fx.claims(&fx.good_statement());
    let doc = json!({
        "issuers": {DIRECTORY: {"jwks": {"keys": [fx.directory.to_public().unwrap().to_value()]}}},
        "leeway": 5,
        "registration": {"audience": AS, "max_request_age": 100},
    });
    let trust = TrustFile::from_json(
        &doc.to_string(),
        "trust.json",
        Some(LoadOptions::default().clock(fx.clock())),
    )
    .unwrap();
    assert_eq!(trust.signed_requests().unwrap().allowed_age(), 100);
    let registrar = Registrar::from_trust_file(&trust);
    let ok = [("exp", T0 - 4), ("iat", T0 + 5), ("iat", T0 - 105), ("nbf", T0 + 5)];
    for (name, value) in ok {
        register_claims(&fx, &registrar, &with(&claims, name, Some(json!(value))))
            .unwrap_or_else(|e| panic!("{name} {value}: {e}"));
    }
    let bad = [
        ("exp", T0 - 5, "expired"),
        ("iat", T0 + 6, "in the future"),
        ("iat", T0 - 106, "more than 100 seconds old"),
        ("nbf", T0 + 6, "not valid yet"),
    ];
    for (name, value, needle) in bad {
        refused(
            register_claims(&fx, &registrar, &with(&claims, name, Some(json!(value)))),
            "invalid_client_metadata",
            needle,
        );
    }
    // The clock moves: the same request expires.
    let token = sign_claims(&fx.client, &claims);
    register(&registrar, &token).unwrap();
    fx.clock.set(T0 + 306);
    refused(register(&registrar, &token), "invalid_client_metadata", "expired");
}

// ---------------------------------------------------------------------------------------
// Step 7: the rest is the plain request, merged as a JSON request.

#[test]
fn step7_the_requests_jwt_claims_never_reach_the_metadata() {
    let fx = Fx::new();
    let ssa = fx.good_statement();
    let mut claims = fx.claims(&ssa);
    claims.insert("sub".into(), "someone".into());
    claims.insert("nbf".into(), json!(T0 - 10));
    claims.insert("logo_uri".into(), "https://app.example.org/logo.png".into());
    let registration = register_claims(&fx, &fx.registrar(), &claims).unwrap();
    let metadata = registration.metadata.as_map();
    for claim in software_statement::JWT_CLAIMS {
        assert!(!metadata.contains_key(claim), "{claim} in {metadata:?}");
    }
    assert_eq!(metadata["logo_uri"], "https://app.example.org/logo.png");
    assert_eq!(metadata["contacts"], json!(["ops@app.example.org"]));
    assert!(registration.overridden.is_empty(), "{:?}", registration.overridden);

    // The JWT claims are not "unknown members" either: a server refusing unknown members
    // registers the request.
    let strict = fx
        .registrar()
        .validation(ValidationOptions::default().unknown_members(UnknownMembers::Reject));
    register_claims(&fx, &strict, &claims).unwrap();
    let mut unknown = claims.clone();
    unknown.insert("x_custom".into(), "1".into());
    refused(
        register_claims(&fx, &strict, &unknown),
        "invalid_client_metadata",
        "x_custom",
    );
}

#[test]
fn step7_the_plain_request_keeps_the_requests_order() {
    let fx = Fx::new();
    let ssa = fx.good_statement();
    // The JWT claims first, as the UK Open Banking and CDR examples write them.
    let mut claims = obj(json!({"iss": SOFTWARE_ID, "aud": AS, "iat": T0, "exp": T0 + 300, "jti": "order-1"}));
    for (name, value) in [
        ("client_name", json!("Mine")),
        ("contacts", json!(["ops@app.example.org"])),
        ("logo_uri", json!("https://app.example.org/logo.png")),
        ("redirect_uris", json!(["https://app.example.org/other"])),
        ("scope", json!("openid")),
        ("software_statement", json!(ssa)),
        ("tos_uri", json!("https://app.example.org/tos")),
    ] {
        claims.insert(name.into(), value);
    }
    let registration = register_claims(&fx, &fx.registrar(), &claims).unwrap();
    // Merge rule 7: overridden members in request order; the kept members in request
    // order, then the statement's claims, then the statement.
    assert_eq!(registration.overridden, ["client_name", "redirect_uris"]);
    let order: Vec<&str> = registration.metadata.as_map().keys().map(String::as_str).collect();
    assert_eq!(
        order,
        [
            "contacts",
            "logo_uri",
            "scope",
            "tos_uri",
            "software_id",
            "client_name",
            "redirect_uris",
            "token_endpoint_auth_method",
            "jwks",
            "software_statement"
        ]
    );
    // Exactly the JSON request's result.
    let mut json_request = claims.clone();
    json_request.retain(|name, _| !software_statement::JWT_CLAIMS.contains(&name.as_str()));
    let via_json = fx.registrar().register(&json_request).unwrap();
    assert_eq!(via_json.overridden, registration.overridden);
    assert_eq!(
        via_json.metadata.as_map().keys().collect::<Vec<_>>(),
        registration.metadata.as_map().keys().collect::<Vec<_>>()
    );
}

#[test]
fn step7_the_statement_is_echoed_unmodified_and_last() {
    let fx = Fx::new();
    let ssa = fx.good_statement();
    let registration = register(
        &fx.registrar(),
        &fx.request(&ssa, json!({"client_uri": "https://app.example.org"})),
    )
    .unwrap();
    assert_eq!(registration.metadata.software_statement(), Some(ssa.as_str()));
    let metadata = registration.metadata.as_map();
    assert_eq!(
        metadata.keys().next_back().map(String::as_str),
        Some("software_statement")
    );
    // A request member `software_statement#…` is dropped, as in a JSON request.
    let mut claims = fx.claims(&ssa);
    claims.insert("software_statement#en".into(), "eyJ.other.x".into());
    let registration = register_claims(&fx, &fx.registrar(), &claims).unwrap();
    assert_eq!(registration.metadata.software_statement(), Some(ssa.as_str()));
    assert!(!registration.metadata.as_map().contains_key("software_statement#en"));
    assert_eq!(registration.overridden, ["software_statement#en"]);
}

#[test]
fn step7_the_merge_rules_apply_as_for_a_json_request() {
    let fx = Fx::new();
    let registrar = fx.registrar();
    let ssa = fx.good_statement();
    let other = Jwk::generate(Algorithm::ES256).unwrap();
    let plain = json!({
        "client_name": "Self-asserted",
        "client_name#fr": "Auto-déclaré",
        "contacts": ["ops@app.example.org"],
        "jwks_uri": "https://attacker.example/jwks.json",
        "redirect_uris": ["https://attacker.example/cb"],
        "scope": "openid accounts",
        "x_vendor": {"tier": 2},
        "token_endpoint_auth_method": "client_secret_post",
    });
    let signed = register(&registrar, &fx.request(&ssa, plain.clone())).unwrap();
    // The statement's claims win, every overridden request member is reported by name,
    // in request order.
    assert_eq!(
        signed.overridden,
        [
            "client_name",
            "client_name#fr",
            "jwks_uri",
            "redirect_uris",
            "token_endpoint_auth_method"
        ]
    );
    assert_eq!(signed.metadata.client_name(), Some("Attested App"));
    assert_eq!(
        signed.metadata.redirect_uris(),
        Some(vec!["https://app.example.org/cb"])
    );
    assert_eq!(signed.metadata.token_endpoint_auth_method(), Some("private_key_jwt"));
    assert_eq!(signed.metadata.jwks_uri(), None);
    assert_eq!(signed.metadata.get("x_vendor"), Some(&json!({"tier": 2})));
    assert_eq!(signed.metadata.scope(), Some("openid accounts"));

    // Exactly what the same members as a JSON request give.
    let mut json_request = plain.clone();
    json_request["software_statement"] = json!(ssa);
    let via_json = registrar.register_json(&json_request.to_string()).unwrap();
    assert_eq!(signed.metadata, via_json.metadata);
    assert_eq!(signed.overridden, via_json.overridden);
    assert_eq!(signed.statement, via_json.statement);
    assert!(via_json.request.is_none());
    let via_body = registrar
        .register_body(json_request.to_string().as_bytes(), "application/json")
        .unwrap();
    assert_eq!(via_body.metadata, signed.metadata);

    // The request's own members are validated like a JSON request's…
    let token = fx.request(&ssa, json!({"logo_uri": "http://app.example.org/logo.png"}));
    refused(register(&registrar, &token), "invalid_client_metadata", "logo_uri");
    // …and cannot set what only the server issues (merge rule 10).
    for member in ["client_id", "client_secret", "registration_access_token"] {
        let mut claims = fx.claims(&ssa);
        claims.insert(member.into(), "chosen".into());
        refused(
            register_claims(&fx, &registrar, &claims),
            "invalid_client_metadata",
            member,
        );
    }
    // The request's metadata with other keys: `jwks` of another key is dropped (the
    // statement's keys are the client's), and reported.
    let token = fx.request(&ssa, json!({"jwks": {"keys": [other.to_public().unwrap().to_value()]}}));
    let registration = register(&registrar, &token).unwrap();
    assert_eq!(registration.overridden, ["jwks"]);
    assert_eq!(registration.metadata.get("jwks"), Some(&fx.client_jwks()));
}

// ---------------------------------------------------------------------------------------
// `signed_request: required`, and the media types.

#[test]
fn signed_request_required_refuses_a_json_request() {
    let fx = Fx::new();
    let ssa = fx.good_statement();
    let required = fx.registrar_with(SignedRequestPolicy::new(AS).requirement(SignedRequests::Required));
    assert_eq!(
        SignedRequestPolicy::new(AS).signed_requests(),
        SignedRequests::Optional,
        "optional by default"
    );
    let json_request = json!({"software_statement": ssa, "client_name": "x"}).to_string();
    refused(
        required.register_body(json_request.as_bytes(), "application/json"),
        "invalid_client_metadata",
        "signed registration requests only",
    );
    // Every JSON entry point refuses it.
    refused(
        required.register_json(&json_request),
        "invalid_client_metadata",
        "signed registration requests only",
    );
    refused(
        required.register(&obj(serde_json::from_str(&json_request).unwrap())),
        "invalid_client_metadata",
        "signed registration requests only",
    );
    // The signed form registers.
    register(&required, &fx.request(&ssa, json!({"client_name": "x"}))).unwrap();
    // Optional (the default): both forms.
    let optional = fx.registrar();
    optional
        .register_body(json_request.as_bytes(), "application/json")
        .unwrap();
    register(&optional, &fx.request(&ssa, json!({}))).unwrap();

    // From a trust file; `required` without an audience is a configuration error.
    let keys = json!({"keys": [fx.directory.to_public().unwrap().to_value()]});
    let load = |registration: Value| {
        TrustFile::from_json(
            &json!({"issuers": {DIRECTORY: {"jwks": keys}}, "registration": registration}).to_string(),
            "trust.json",
            Some(LoadOptions::default().clock(fx.clock())),
        )
    };
    let trust = load(json!({"audience": AS, "signed_request": "required"})).unwrap();
    refused(
        Registrar::from_trust_file(&trust).register_body(json_request.as_bytes(), "application/json"),
        "invalid_client_metadata",
        "signed registration requests only",
    );
    let error = load(json!({"signed_request": "required"})).unwrap_err();
    assert!(error.to_string().contains("registration.audience"), "{error}");
    let error = load(json!({"audience": AS, "signed_request": "sometimes"})).unwrap_err();
    assert!(error.to_string().contains("sometimes"), "{error}");
    let error = load(json!({"audience": ""})).unwrap_err();
    assert!(error.to_string().contains("registration.audience"), "{error}");
}

#[test]
fn another_media_type_is_415() {
    let fx = Fx::new();
    let registrar = fx.registrar();
    let token = fx.request(&fx.good_statement(), json!({}));
    for content_type in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "application/jose+json",
        "application/jwt+json",
        "",
    ] {
        let error = registrar.register_body(token.as_bytes(), content_type).unwrap_err();
        assert_eq!(error.http_status(), 415, "{content_type}");
        assert_eq!(error.code().as_str(), "invalid_client_metadata");
        assert!(error.description().contains("media type"), "{}", error.description());
    }
    // A signed request sent as application/json is a body that is not JSON.
    refused(
        registrar.register_body(token.as_bytes(), "application/json"),
        "invalid_client_metadata",
        "JSON object",
    );
}

// ---------------------------------------------------------------------------------------
// The builder: round trip for every asymmetric algorithm the backend supports.

#[test]
fn builder_round_trip_for_every_asymmetric_algorithm() {
    let fx = Fx::new();
    // One RSA key without `alg` serves every RS and PS algorithm (the builder's
    // `.algorithm()` picks one); the other types get a key of their own.
    let rsa = rsa_key(None, "client-rsa");
    let mut tested = Vec::new();
    for alg in Algorithm::ALL {
        if alg.is_hmac() || !backend_supports(alg) {
            continue;
        }
        let own;
        let key = match alg.name() {
            "RS256" | "RS384" | "RS512" | "PS256" | "PS384" | "PS512" => &rsa,
            _ => {
                own = Jwk::generate(alg)
                    .unwrap()
                    .with_kid(&format!("client-{}", alg.name()))
                    .unwrap();
                &own
            }
        };
        let mut claims = fx.statement_claims();
        claims["jwks"] = json!({"keys": [key.to_public().unwrap().to_value()]});
        let ssa = fx.statement(claims);
        let token = RegistrationRequestBuilder::new(ssa.as_str())
            .audience(AS)
            .issued_at(T0)
            .algorithm(alg)
            .metadata(obj(json!({"client_uri": "https://app.example.org"})))
            .sign(key)
            .unwrap();
        let jti = claims_of(&token)["jti"].as_str().unwrap().to_owned();
        for registrar in [
            fx.registrar(),
            fx.registrar_with(SignedRequestPolicy::new(AS).algorithms(&[alg])),
        ] {
            let registration = register(&registrar, &token).unwrap_or_else(|e| panic!("{alg}: {e}"));
            let request = registration.request.clone().unwrap();
            assert_eq!(request.alg, alg);
            assert_eq!(request.kid.as_deref(), key.kid());
            assert_eq!(request.jti, jti);
            assert_eq!(
                registration.to_json()["request"],
                json!({"alg": alg.name(), "kid": key.kid(), "jti": jti})
            );
            assert_eq!(registration.metadata.software_statement(), Some(ssa.as_str()));
        }
        // Refused when the policy names only another algorithm.
        let other = if alg == Algorithm::ES256 {
            Algorithm::EdDSA
        } else {
            Algorithm::ES256
        };
        refused(
            register(
                &fx.registrar_with(SignedRequestPolicy::new(AS).algorithms(&[other])),
                &token,
            ),
            "invalid_client_metadata",
            "does not verify",
        );
        tested.push(alg);
    }
    let expected: Vec<Algorithm> = Algorithm::ALL
        .iter()
        .copied()
        .filter(|a| !a.is_hmac() && backend_supports(*a))
        .collect();
    assert_eq!(tested, expected);
    assert!(tested.len() >= 9, "{tested:?}");
    // An RSA key without `alg` needs the builder's `.algorithm()`.
    assert!(matches!(
        RegistrationRequestBuilder::new(fx.good_statement())
            .audience(AS)
            .sign(&rsa),
        Err(SignError::AlgorithmNeeded)
    ));
}

#[test]
fn builder_claims() {
    let fx = Fx::new();
    let ssa = fx.good_statement();
    // JWT claims and `software_statement` among the metadata are replaced.
    let token = RegistrationRequestBuilder::new(ssa.as_str())
        .audience(AS)
        .issued_at(T0)
        .ttl(120)
        .metadata(obj(json!({
            "iss": "chosen", "aud": "chosen", "iat": 1, "exp": 2, "jti": "chosen", "sub": "chosen",
            "nbf": 3, "software_statement": "other", "client_name": "Mine",
        })))
        .sign(&fx.client)
        .unwrap();
    let claims = claims_of(&token);
    assert_eq!(
        claims["iss"], SOFTWARE_ID,
        "iss defaults to the statement's software_id"
    );
    assert_eq!(claims["aud"], AS);
    assert_eq!(claims["iat"], T0);
    assert_eq!(claims["exp"], T0 + 120);
    assert_eq!(claims["software_statement"], ssa.as_str());
    assert_eq!(claims["client_name"], "Mine");
    assert!(!claims.contains_key("sub") && !claims.contains_key("nbf"));
    let jti = claims["jti"].as_str().unwrap();
    assert_eq!(jti.len(), 22, "128 random bits, base64url: {jti}");
    let header = decode(&token).0;
    assert_eq!(header["alg"], "ES256");
    assert_eq!(header["kid"], "client-1");
    let again = RegistrationRequestBuilder::new(ssa.as_str())
        .audience(AS)
        .issued_at(T0)
        .sign(&fx.client)
        .unwrap();
    assert_ne!(claims_of(&again)["jti"], claims["jti"]);
    assert_eq!(claims_of(&again)["exp"], T0 + DEFAULT_MAX_REQUEST_AGE);
    register(&fx.registrar(), &token).unwrap();

    // Refusals: no audience, no iss to take, an empty iss.
    let no_software_id = fx.statement(json!({"client_name": "x"}));
    for (builder, needle) in [
        (RegistrationRequestBuilder::new(ssa.as_str()), "audience"),
        (
            RegistrationRequestBuilder::new(no_software_id.as_str()).audience(AS),
            "software_id",
        ),
        (RegistrationRequestBuilder::new("not a jws").audience(AS), "software_id"),
        (
            RegistrationRequestBuilder::new(ssa.as_str()).audience(AS).issuer(""),
            "issuer",
        ),
    ] {
        let error = builder.sign(&fx.client).unwrap_err();
        assert!(error.to_string().contains(needle), "{error}");
    }
    // With an explicit iss, a statement without software_id signs (and is refused by
    // the registrar at step 6).
    let token = RegistrationRequestBuilder::new(no_software_id.as_str())
        .audience(AS)
        .issuer(SOFTWARE_ID)
        .issued_at(T0)
        .sign(&fx.client)
        .unwrap();
    assert_eq!(claims_of(&token)["iss"], SOFTWARE_ID);
}

#[test]
fn builder_refuses_hmac() {
    let fx = Fx::new();
    let ssa = fx.good_statement();
    let secret = Jwk::generate(Algorithm::HS256).unwrap();
    let builder = RegistrationRequestBuilder::new(ssa.as_str()).audience(AS);
    for result in [
        builder.sign(&secret),
        builder.clone().algorithm(Algorithm::HS256).sign(&secret),
        builder.clone().algorithm(Algorithm::HS512).sign(&fx.client),
    ] {
        let error = result.unwrap_err();
        assert!(matches!(error, SignError::Request(_)), "{error:?}");
        assert!(error.to_string().contains("HMAC"), "{error}");
    }
    // A hand-made HS256 request is refused by the registrar (step 5).
    let token = sign_with(&secret, Algorithm::HS256, &fx.claims(&ssa));
    refused(
        register(&fx.registrar(), &token),
        "invalid_client_metadata",
        "does not verify",
    );
}

// ---------------------------------------------------------------------------------------
// Interop: requests and statements signed by jsonwebtoken and josekit.

mod interop {
    use josekit::jwk::alg::ec::EcKeyPair;
    use josekit::jwk::Jwk as JoseJwk;
    use josekit::jws::JwsHeader;
    use josekit::jwt::{self, JwtPayload};

    use super::*;

    fn jose_jwk(value: &Value) -> JoseJwk {
        JoseJwk::from_map(value.as_object().unwrap().clone()).unwrap()
    }

    /// A josekit RSA key (2048 bits) marked `alg` PS256 with `kid`, imported here.
    fn josekit_rsa(kid: &str) -> (JoseJwk, Jwk) {
        let mut jwk = JoseJwk::generate_rsa_key(2048).unwrap();
        jwk.set_algorithm("PS256");
        jwk.set_key_id(kid);
        let ours = Jwk::from_value(&Value::Object(jwk.as_ref().clone())).unwrap();
        (jwk, ours)
    }

    /// Our ES256 key as jsonwebtoken's signing key (PKCS#8 DER through josekit).
    fn jsonwebtoken_es256(key: &Jwk) -> jsonwebtoken::EncodingKey {
        let pem = EcKeyPair::from_jwk(&jose_jwk(&key.to_value()))
            .unwrap()
            .to_pem_private_key();
        let (label, pkcs8) = der::pem::decode_vec(&pem).unwrap();
        assert_eq!(label, "PRIVATE KEY");
        jsonwebtoken::EncodingKey::from_ec_der(&pkcs8)
    }

    fn jsonwebtoken_sign(key: &Jwk, claims: &Map<String, Value>) -> String {
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
        header.kid = key.kid().map(str::to_owned);
        jsonwebtoken::encode(&header, claims, &jsonwebtoken_es256(key)).unwrap()
    }

    fn josekit_sign_ps256(key: &JoseJwk, claims: &Map<String, Value>) -> String {
        let mut header = JwsHeader::new();
        header.set_token_type("JWT");
        header.set_key_id(key.key_id().unwrap());
        let signer = josekit::jws::PS256.signer_from_jwk(key).unwrap();
        jwt::encode_with_signer(&JwtPayload::from_map(claims.clone()).unwrap(), &header, &signer).unwrap()
    }

    fn registrar(directory: &Jwk, clock: Arc<dyn Clock>) -> Registrar {
        let keys = JwkSet::new(vec![directory.to_public().unwrap()]).unwrap();
        let verifier = Verifier::builder()
            .issuer(DIRECTORY, IssuerPolicy::with_jwks(keys).require_claim("software_id"))
            .clock(clock)
            .build();
        Registrar::new(verifier).signed_requests(SignedRequestPolicy::new(AS))
    }

    fn statement_claims(client: &Jwk) -> Map<String, Value> {
        obj(json!({
            "iss": DIRECTORY,
            "iat": T0,
            "exp": T0 + 3600,
            "jti": "ssa-1",
            "software_id": SOFTWARE_ID,
            "client_name": "Interop App",
            "redirect_uris": ["https://app.example.org/cb"],
            "token_endpoint_auth_method": "private_key_jwt",
            "jwks": {"keys": [client.to_public().unwrap().to_value()]},
        }))
    }

    fn request_claims(ssa: &str) -> Map<String, Value> {
        obj(json!({
            "iss": SOFTWARE_ID,
            "aud": AS,
            "iat": T0,
            "exp": T0 + 300,
            "jti": "4c1b6c56-0f7d-4c9b-9c8e-5b1d2f0c7a11",
            "software_statement": ssa,
            "client_name": "Requested name",
            "contacts": ["ops@app.example.org"],
        }))
    }

    #[test]
    fn a_request_signed_by_jsonwebtoken_with_a_statement_signed_by_josekit() {
        let clock: Arc<dyn Clock> = Arc::new(FixedClock::new(T0));
        let (jose_directory, directory) = josekit_rsa("directory-josekit");
        let client = Jwk::generate(Algorithm::ES256)
            .unwrap()
            .with_kid("client-jsonwebtoken")
            .unwrap();
        let ssa = josekit_sign_ps256(&jose_directory, &statement_claims(&client));
        let token = jsonwebtoken_sign(&client, &request_claims(&ssa));

        let registration = register(&registrar(&directory, clock), &token).unwrap();
        let request = registration.request.unwrap();
        assert_eq!(
            (request.alg, request.kid.as_deref()),
            (Algorithm::ES256, Some("client-jsonwebtoken"))
        );
        assert_eq!(request.jti, "4c1b6c56-0f7d-4c9b-9c8e-5b1d2f0c7a11");
        let statement = registration.statement.unwrap();
        assert_eq!(
            (statement.alg, statement.kid.as_deref()),
            (Algorithm::PS256, Some("directory-josekit"))
        );
        assert_eq!(registration.metadata.software_statement(), Some(ssa.as_str()));
        assert_eq!(registration.metadata.client_name(), Some("Interop App"));
        assert_eq!(registration.overridden, ["client_name"]);
    }

    #[test]
    fn a_request_signed_by_josekit_with_a_statement_signed_by_jsonwebtoken() {
        let clock: Arc<dyn Clock> = Arc::new(FixedClock::new(T0));
        let directory = Jwk::generate(Algorithm::ES256)
            .unwrap()
            .with_kid("directory-jsonwebtoken")
            .unwrap();
        let (jose_client, client) = josekit_rsa("client-josekit");
        let ssa = jsonwebtoken_sign(&directory, &statement_claims(&client));
        let token = josekit_sign_ps256(&jose_client, &request_claims(&ssa));

        let registration = register(&registrar(&directory, clock), &token).unwrap();
        let request = registration.request.unwrap();
        assert_eq!(
            (request.alg, request.kid.as_deref()),
            (Algorithm::PS256, Some("client-josekit"))
        );
        let statement = registration.statement.unwrap();
        assert_eq!(
            (statement.alg, statement.kid.as_deref()),
            (Algorithm::ES256, Some("directory-jsonwebtoken"))
        );
        assert_eq!(registration.metadata.software_statement(), Some(ssa.as_str()));
        // The peer's token is refused when the request's key is not the statement's.
        let (stranger, _) = josekit_rsa("client-josekit");
        let forged = josekit_sign_ps256(&stranger, &request_claims(&ssa));
        refused(
            register(&registrar(&directory, Arc::new(FixedClock::new(T0))), &forged),
            "invalid_client_metadata",
            "does not verify",
        );
    }
}

// ---------------------------------------------------------------------------------------
// Feature `remote`: the client's `jwks_uri`, fetched only after the statement verified.

#[cfg(feature = "remote")]
mod remote {
    use software_statement::{AddressScope, RemoteOptions};
    use software_statement_test_support::{JwksServer, Reply};

    use super::*;

    const CLIENT_JWKS_PATH: &str = "/client/jwks.json";

    /// Fetcher options trusting `server`'s certificate, loopback allowed, on `fx`'s clock.
    fn options(server: &JwksServer, fx: &Fx) -> RemoteOptions {
        RemoteOptions::default()
            .add_root_certificate(server.cert.clone())
            .address_scope(AddressScope::AlsoLoopback)
            .clock(fx.clock())
    }

    /// Signed requests to `AS`; the client's `jwks_uri` on the loopback server (validated
    /// with loopback allowed).
    fn registrar(server: &JwksServer, fx: &Fx) -> Registrar {
        fx.registrar()
            .validation(ValidationOptions::default().allow_http_loopback(true))
            .client_key_options(options(server, fx))
    }

    /// The statement's claims with the client's keys at `uri`.
    fn claims_with_uri(fx: &Fx, uri: &str) -> Value {
        let mut claims = fx.statement_claims();
        claims.as_object_mut().unwrap().remove("jwks");
        claims["jwks_uri"] = json!(uri);
        claims
    }

    async fn serve_client_keys(fx: &Fx) -> JwksServer {
        let server = JwksServer::https(Reply::status(404)).await;
        server.set_path(CLIENT_JWKS_PATH, Reply::json(fx.client_jwks().to_string()));
        server
    }

    #[tokio::test]
    async fn a_statement_that_fails_causes_no_fetch_of_the_client_keys() {
        let fx = Fx::new();
        let server = serve_client_keys(&fx).await;
        let registrar = registrar(&server, &fx);
        let claims = obj(claims_with_uri(&fx, &server.url(CLIENT_JWKS_PATH)));
        let impostor = Jwk::generate(Algorithm::ES256)
            .unwrap()
            .with_kid("directory-1")
            .unwrap();
        let failing = [
            (
                "bad signature",
                StatementBuilder::new(DIRECTORY)
                    .claims(claims.clone())
                    .issued_at(T0)
                    .sign(&impostor),
                "invalid_software_statement",
            ),
            (
                "untrusted issuer",
                StatementBuilder::new("https://unknown.example")
                    .claims(claims.clone())
                    .issued_at(T0)
                    .sign(&fx.directory),
                "unapproved_software_statement",
            ),
            (
                "expired",
                StatementBuilder::new(DIRECTORY)
                    .claims(claims.clone())
                    .issued_at(T0 - 7200)
                    .ttl(3600)
                    .sign(&fx.directory),
                "invalid_software_statement",
            ),
        ];
        for (name, ssa, code) in failing {
            let token = fx.request(&ssa.unwrap(), json!({}));
            let error = registrar.register_body_async(token.as_bytes(), JWT).await.unwrap_err();
            assert_eq!(error.code().as_str(), code, "{name}: {}", error.description());
            assert_eq!(server.requests(), 0, "{name}: the client's keys were fetched");
        }

        // A good statement: exactly one fetch…
        let ssa = fx.statement(Value::Object(claims.clone()));
        let first = registrar
            .register_body_async(fx.request(&ssa, json!({})).as_bytes(), JWT)
            .await
            .unwrap();
        assert_eq!(server.requests(), 1);
        assert_eq!(server.heads()[0].split_whitespace().nth(1), Some(CLIENT_JWKS_PATH));
        assert_eq!(first.metadata.jwks_uri(), Some(server.url(CLIENT_JWKS_PATH).as_str()));
        assert_eq!(first.request.unwrap().kid.as_deref(), Some("client-1"));
        // …and the second registration of the same client is served from the cache, on
        // the async path, the sync path, and a clone of the registrar.
        let again = || fx.request(&ssa, json!({"client_name": "Again"}));
        registrar.register_body_async(again().as_bytes(), JWT).await.unwrap();
        registrar.register_body(again().as_bytes(), JWT).unwrap();
        registrar
            .clone()
            .register_body_async(again().as_bytes(), "application/jose")
            .await
            .unwrap();
        assert_eq!(server.requests(), 1);
        // A failing statement afterwards still fetches nothing.
        let forged = StatementBuilder::new(DIRECTORY)
            .claims(claims)
            .issued_at(T0)
            .sign(&impostor)
            .unwrap();
        registrar
            .register_body_async(fx.request(&forged, json!({})).as_bytes(), JWT)
            .await
            .unwrap_err();
        assert_eq!(server.requests(), 1);
    }

    #[tokio::test]
    async fn failures_after_step_3_fetch_once_and_answer_invalid_client_metadata() {
        let fx = Fx::new();
        let server = serve_client_keys(&fx).await;
        let registrar = registrar(&server, &fx);
        let ssa = fx.statement(claims_with_uri(&fx, &server.url(CLIENT_JWKS_PATH)));
        // A request signed by a stranger: the keys are fetched (the statement verified),
        // the signature fails.
        let stranger = Jwk::generate(Algorithm::ES256).unwrap().with_kid("client-1").unwrap();
        let token = RegistrationRequestBuilder::new(ssa.as_str())
            .audience(AS)
            .issued_at(T0)
            .sign(&stranger)
            .unwrap();
        let error = registrar.register_body_async(token.as_bytes(), JWT).await.unwrap_err();
        assert_eq!(error.code().as_str(), "invalid_client_metadata");
        assert!(
            error.description().contains("does not verify"),
            "{}",
            error.description()
        );
        assert_eq!(server.requests(), 1);
        // Wrong audience: the same fetch is reused.
        let token = RegistrationRequestBuilder::new(ssa.as_str())
            .audience("https://elsewhere.example")
            .issued_at(T0)
            .sign(&fx.client)
            .unwrap();
        let error = registrar.register_body_async(token.as_bytes(), JWT).await.unwrap_err();
        assert!(error.description().contains("aud"), "{}", error.description());
        assert_eq!(server.requests(), 1);
    }

    #[tokio::test]
    async fn the_sync_path_never_fetches_the_client_keys() {
        let fx = Fx::new();
        let server = serve_client_keys(&fx).await;
        let registrar = registrar(&server, &fx);
        let ssa = fx.statement(claims_with_uri(&fx, &server.url(CLIENT_JWKS_PATH)));
        let token = fx.request(&ssa, json!({}));
        refused(
            registrar.register_body(token.as_bytes(), JWT),
            "invalid_client_metadata",
            "not fetched yet",
        );
        assert_eq!(server.requests(), 0);
        registrar.register_body_async(token.as_bytes(), JWT).await.unwrap();
        // Now cached: the sync path serves the next request of the client.
        registrar
            .register_body(fx.request(&ssa, json!({})).as_bytes(), JWT)
            .unwrap();
        assert_eq!(server.requests(), 1);
    }

    #[tokio::test]
    async fn the_client_keys_are_fetched_under_the_remote_key_rules() {
        let fx = Fx::new();
        let server = serve_client_keys(&fx).await;
        // Unavailable keys (the server fails) are the client's problem.
        let broken = registrar(&server, &fx);
        server.set_path(CLIENT_JWKS_PATH, Reply::status(500));
        let ssa = fx.statement(claims_with_uri(&fx, &server.url(CLIENT_JWKS_PATH)));
        let token = fx.request(&ssa, json!({}));
        refused(
            broken.register_body_async(token.as_bytes(), JWT).await,
            "invalid_client_metadata",
            "unavailable",
        );
        assert_eq!(server.requests(), 1);

        // Default fetcher rules: a loopback address is refused before any connection,
        // and plain http is refused; the statement named that jwks_uri.
        let strict = fx.registrar();
        server.set_path(CLIENT_JWKS_PATH, Reply::json(fx.client_jwks().to_string()));
        refused(
            strict.register_body_async(token.as_bytes(), JWT).await,
            "invalid_software_statement",
            "only globally routable addresses",
        );
        assert_eq!(server.requests(), 1, "no connection to a loopback address");
        let http = fx.statement(claims_with_uri(&fx, "http://app.example.org/jwks.json"));
        refused(
            strict
                .register_body_async(fx.request(&http, json!({})).as_bytes(), JWT)
                .await,
            "invalid_software_statement",
            "must use https",
        );
    }

    // -----------------------------------------------------------------------------------
    // UK Open Banking and CDR (Australia) request shapes, from test-vectors/signed-requests/.

    /// A case file of `test-vectors/signed-requests/`.
    fn vectors(file: &str) -> Value {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("test-vectors/signed-requests")
            .join(file);
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
    }

    /// `value` with every string equal to a placeholder replaced.
    fn fill(value: &Value, placeholders: &[(&str, &str)]) -> Value {
        match value {
            Value::String(s) => placeholders
                .iter()
                .find(|(name, _)| s == name)
                .map_or_else(|| value.clone(), |(_, v)| Value::from(*v)),
            Value::Array(items) => Value::Array(items.iter().map(|v| fill(v, placeholders)).collect()),
            Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), fill(v, placeholders))).collect()),
            other => other.clone(),
        }
    }

    /// The PS256 keys and the client's key server of one ecosystem test.
    struct Ecosystem {
        directory: Jwk,
        client: Jwk,
        server: JwksServer,
        clock: Arc<FixedClock>,
    }

    impl Ecosystem {
        async fn new() -> Ecosystem {
            let directory = rsa_key(Some(Algorithm::PS256), "directory-ps256");
            let client = rsa_key(Some(Algorithm::PS256), "tpp-signing-ps256");
            let server = JwksServer::https(Reply::status(404)).await;
            let jwks = json!({"keys": [client.to_public().unwrap().to_value()]});
            server.set_path(CLIENT_JWKS_PATH, Reply::json(jwks.to_string()));
            Ecosystem {
                directory,
                client,
                server,
                clock: Arc::new(FixedClock::new(T0)),
            }
        }

        /// The statement of `file`: its claims signed by the directory (PS256), `iat` T0.
        fn statement(&self, file: &Value) -> String {
            let uri = self.server.url(CLIENT_JWKS_PATH);
            let mut claims = obj(fill(&file["statement"], &[("{{client_jwks_uri}}", &uri)]));
            let iss = claims.remove("iss").unwrap();
            StatementBuilder::new(iss.as_str().unwrap())
                .claims(claims)
                .issued_at(T0)
                .ttl(600)
                .sign(&self.directory)
                .unwrap()
        }

        /// The request claims of `case` carrying `ssa`, `iat` T0 and `exp` T0 + 300,
        /// signed by the client (PS256, header `typ` JWT).
        fn request(&self, case: &Value, ssa: &str) -> (String, Map<String, Value>) {
            let uri = self.server.url(CLIENT_JWKS_PATH);
            let mut claims = obj(fill(
                &case["claims"],
                &[("{{client_jwks_uri}}", &uri), ("{{software_statement}}", ssa)],
            ));
            claims.insert("iat".into(), json!(T0));
            claims.insert("exp".into(), json!(T0 + 300));
            let mut header = Map::new();
            header.insert("typ".into(), "JWT".into());
            let payload = serde_json::to_vec(&claims).unwrap();
            let token = sign_jws(&self.client, Algorithm::PS256, &header, &payload).unwrap();
            (token, claims)
        }

        /// The deployment's trust file: the directory's key under `profile` (`None`: a
        /// plain policy, PS256 and `software_id` required), signed requests only, to
        /// `audience`, PS256 or ES256; the client's `jwks_uri` on the loopback server.
        fn trust(&self, issuer: &str, profile: Option<&str>, audience: &str) -> TrustFile {
            let mut entry = json!({"jwks": {"keys": [self.directory.to_public().unwrap().to_value()]}});
            match profile {
                Some(profile) => entry["profile"] = json!(profile),
                None => {
                    entry["algorithms"] = json!(["PS256"]);
                    entry["required_claims"] = json!(["software_id"]);
                }
            }
            let doc = json!({
                "issuers": {issuer: entry},
                "allow_http_loopback": true,
                "registration": {
                    "audience": audience,
                    "signed_request": "required",
                    "request_algorithms": ["PS256", "ES256"],
                },
            });
            let remote = RemoteOptions::default()
                .add_root_certificate(self.server.cert.clone())
                .address_scope(AddressScope::AlsoLoopback);
            let options = LoadOptions::default().clock(self.clock.clone()).remote(remote);
            TrustFile::from_json(&doc.to_string(), "trust.json", Some(options)).unwrap()
        }
    }

    fn is_jwt_claim(name: &str) -> bool {
        software_statement::JWT_CLAIMS.contains(&name)
    }

    /// Registers every case of `file` end to end through a trust file with `profile`, and
    /// checks the result against the claims: the statement's claims (as the profile maps
    /// them) win, except `redirect_uris`, a subset the request chooses; the request's JWT
    /// claims are gone; the statement is echoed; one fetch of the client's keys.
    async fn register_every_case(file: &str, profile: &str, content_type: &str) -> Vec<String> {
        let vectors = vectors(file);
        let eco = Ecosystem::new().await;
        let ssa = eco.statement(&vectors);
        let issuer = vectors["statement"]["iss"].as_str().unwrap();
        let audience = vectors["requests"][0]["claims"]["aud"].as_str().unwrap();
        let trust = eco.trust(issuer, Some(profile), audience);
        let registrar = Registrar::from_trust_file(&trust);
        let statement = trust.verifier().verify(&ssa).unwrap().into_claims();
        let mut names = Vec::new();
        for case in vectors["requests"].as_array().unwrap() {
            let name = case["name"].as_str().unwrap();
            let (token, claims) = eco.request(case, &ssa);
            assert_eq!(claims["aud"], audience, "{name}");
            let registration = registrar
                .register_body_async(token.as_bytes(), content_type)
                .await
                .unwrap_or_else(|e| panic!("{file} {name}: {e}"));
            let metadata = registration.metadata.as_map();
            assert!(metadata.keys().all(|k| !is_jwt_claim(k)), "{name}: {metadata:?}");
            let plain: Vec<&String> = claims
                .keys()
                .filter(|k| !is_jwt_claim(k) && *k != "software_statement")
                .collect();
            let overridden: Vec<&String> = plain
                .iter()
                .copied()
                .filter(|k| statement.contains_key(*k) && *k != "redirect_uris")
                .collect();
            assert_eq!(registration.overridden.iter().collect::<Vec<_>>(), overridden, "{name}");
            for member in &plain {
                let expected = match statement.get(*member) {
                    Some(asserted) if *member != "redirect_uris" => asserted,
                    _ => &claims[*member],
                };
                assert_eq!(metadata.get(*member), Some(expected), "{name}: {member}");
            }
            for (member, value) in &statement {
                if !is_jwt_claim(member) && member != "redirect_uris" {
                    assert_eq!(metadata.get(member), Some(value), "{name}: {member}");
                }
            }
            assert_eq!(metadata["redirect_uris"], claims["redirect_uris"], "{name}");
            assert_eq!(registration.metadata.software_statement(), Some(ssa.as_str()));
            let request = registration.request.unwrap();
            assert_eq!(
                (request.alg, request.kid.as_deref()),
                (Algorithm::PS256, Some("tpp-signing-ps256"))
            );
            assert_eq!(request.jti, claims["jti"].as_str().unwrap());
            // The same members as a JSON request: refused (`signed_request: required`).
            let mut json_request = claims.clone();
            json_request.retain(|k, _| !is_jwt_claim(k));
            let body = Value::Object(json_request).to_string();
            refused(
                registrar.register_body_async(body.as_bytes(), "application/json").await,
                "invalid_client_metadata",
                "signed registration requests only",
            );
            names.push(name.to_owned());
        }
        // The client's keys were fetched once, then served from the cache.
        assert_eq!(eco.server.requests(), 1);
        names
    }

    #[tokio::test]
    async fn uk_open_banking_shaped_requests_register() {
        let names = register_every_case("ob-uk.json", "openbanking-uk", "application/jose").await;
        assert_eq!(names, ["private-key-jwt", "tls-client-auth"]);
    }

    #[tokio::test]
    async fn cdr_shaped_requests_register() {
        let names = register_every_case("cdr-au.json", "cdr", JWT).await;
        assert_eq!(names, ["code-flow", "hybrid-flow"]);
    }

    /// What the published shapes need, or where they differ from the files because a rule
    /// of this library refuses them (the README of test-vectors/signed-requests/ lists
    /// these): each is refused for that rule.
    #[tokio::test]
    async fn published_shapes_and_the_rules_that_refuse_them() {
        let eco = Ecosystem::new().await;

        // UK Open Banking: the Directory names the client's keys `software_jwks_endpoint`;
        // without the openbanking-uk profile (which maps it to jwks_uri) the statement
        // names no keys (step 4).
        let ob = vectors("ob-uk.json");
        let ssa = eco.statement(&ob);
        let issuer = ob["statement"]["iss"].as_str().unwrap();
        let (token, claims) = eco.request(&ob["requests"][0], &ssa);
        let audience = claims["aud"].as_str().unwrap();
        let plain = Registrar::from_trust_file(&eco.trust(issuer, None, audience));
        refused(
            plain.register_body_async(token.as_bytes(), "application/jose").await,
            "invalid_software_statement",
            "names no keys",
        );
        // With the profile, a redirect URI outside software_redirect_uris is refused.
        let profiled = Registrar::from_trust_file(&eco.trust(issuer, Some("openbanking-uk"), audience));
        let mut case = ob["requests"][0].clone();
        case["claims"]["redirect_uris"] = json!(["https://tpp.example.co.uk/elsewhere"]);
        let (token, _) = eco.request(&case, &ssa);
        refused(
            profiled.register_body_async(token.as_bytes(), "application/jose").await,
            "invalid_redirect_uri",
            "redirect_uris[0]",
        );
        assert_eq!(eco.server.requests(), 1);

        // CDR: the published request carries client_id and client_id_issued_at, which
        // only the server issues (merge rule 10)…
        let cdr = vectors("cdr-au.json");
        let ssa = eco.statement(&cdr);
        let issuer = cdr["statement"]["iss"].as_str().unwrap();
        let audience = cdr["requests"][0]["claims"]["aud"].as_str().unwrap();
        let registrar = Registrar::from_trust_file(&eco.trust(issuer, Some("cdr"), audience));
        for (member, value) in [
            ("client_id", json!("2cfefa98-7d4a-4bcb-95da-47063b84d410")),
            ("client_id_issued_at", json!(1_574_398_833)),
        ] {
            let mut case = cdr["requests"][0].clone();
            case["claims"][member] = value;
            let (token, _) = eco.request(&case, &ssa);
            refused(
                registrar.register_body_async(token.as_bytes(), JWT).await,
                "invalid_client_metadata",
                member,
            );
        }
        // …and its hybrid flow (`code id_token`) without the `implicit` grant is
        // inconsistent (RFC 7591 section 2.1, response types composed as OpenID Connect
        // Dynamic Client Registration section 2 does).
        let mut case = cdr["requests"][1].clone();
        let grants: Vec<Value> = case["claims"]["grant_types"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|g| *g != "implicit")
            .cloned()
            .collect();
        case["claims"]["grant_types"] = Value::Array(grants);
        let (token, _) = eco.request(&case, &ssa);
        refused(
            registrar.register_body_async(token.as_bytes(), JWT).await,
            "invalid_client_metadata",
            "require grant type implicit",
        );
    }
}
