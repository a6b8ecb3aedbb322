//! Replay protection with the in-memory guard (the Redis guard, shared by a fleet, has its
//! own tests against a real server in `tests/replay_redis.rs`): a signed request, and a
//! statement of a one-time-use issuer, are accepted once until they expire; a guard that
//! cannot answer fails closed.

use std::sync::Arc;

use serde_json::json;
use software_statement::{
    Algorithm, Clock, ErrorCode, FixedClock, GuardFuture, IssuerPolicy, Jwk, JwkSet, MemoryReplayGuard, Registrar,
    RegistrationRequestBuilder, ReplayError, ReplayGuard, SignedRequestPolicy, StatementBuilder, Verifier,
};

const ISS: &str = "https://directory.example.org";
const AS: &str = "https://as.example.org";
const T0: u64 = 1_800_000_000;

struct World {
    directory: Jwk,
    client: Jwk,
    clock: Arc<FixedClock>,
}

impl World {
    fn new() -> World {
        World {
            directory: Jwk::generate(Algorithm::ES256).unwrap(),
            client: Jwk::generate(Algorithm::ES256).unwrap().with_kid("c1").unwrap(),
            clock: Arc::new(FixedClock::new(T0)),
        }
    }

    fn registrar(&self, one_time_use: bool) -> Registrar {
        let policy = IssuerPolicy::with_jwks(JwkSet::new(vec![self.directory.to_public().unwrap()]).unwrap())
            .one_time_use(one_time_use);
        let verifier = Verifier::builder()
            .issuer(ISS, policy)
            .clock(self.clock.clone())
            .build();
        Registrar::new(verifier).signed_requests(SignedRequestPolicy::new(AS))
    }

    fn ssa(&self, ttl: u64) -> String {
        StatementBuilder::new(ISS)
            .claim("software_id", "app-1")
            .claim("jwks", json!({"keys": [self.client.to_public().unwrap().to_value()]}))
            .issued_at(self.clock.now())
            .ttl(ttl)
            .sign(&self.directory)
            .unwrap()
    }

    fn request(&self, ssa: &str) -> String {
        RegistrationRequestBuilder::new(ssa)
            .audience(AS)
            .issued_at(self.clock.now())
            .ttl(120)
            .metadata(
                json!({"redirect_uris": ["https://app.example/cb"]})
                    .as_object()
                    .unwrap()
                    .clone(),
            )
            .sign(&self.client)
            .unwrap()
    }
}

#[test]
fn a_signed_request_registers_once_until_it_expires() {
    let w = World::new();
    let r = w.registrar(false);
    let ssa = w.ssa(3600);
    let request = w.request(&ssa);
    r.register_body(request.as_bytes(), "application/jwt").unwrap();
    let again = r.register_body(request.as_bytes(), "application/jwt").unwrap_err();
    assert_eq!(again.code(), ErrorCode::InvalidClientMetadata);
    assert!(again.description().contains("already used"), "{again}");
    // A new request (new jti) with the same statement is fine: the issuer is not one-time-use.
    r.register_body(w.request(&ssa).as_bytes(), "application/jwt").unwrap();
    // After exp + leeway the jti is free again, but the request itself has expired by then:
    // the guard forgets nothing a verifier would still accept.
    w.clock.advance(120 + 60 + 1);
    let late = r.register_body(request.as_bytes(), "application/jwt").unwrap_err();
    assert!(late.description().contains("expired"), "{late}");
}

#[test]
fn a_one_time_use_statement_registers_once() {
    let w = World::new();
    let r = w.registrar(true);
    let ssa = w.ssa(3600);
    let body = json!({"software_statement": ssa, "redirect_uris": ["https://app.example/cb"]}).to_string();
    r.register_json(&body).unwrap();
    let again = r.register_json(&body).unwrap_err();
    assert_eq!(again.code(), ErrorCode::InvalidSoftwareStatement);
    // Also through a new signed request carrying it.
    let via_request = r
        .register_body(w.request(&ssa).as_bytes(), "application/jwt")
        .unwrap_err();
    assert_eq!(via_request.code(), ErrorCode::InvalidSoftwareStatement);
    // Positive control: a fresh statement of the same issuer registers.
    let fresh = json!({"software_statement": w.ssa(3600), "redirect_uris": ["https://app.example/cb"]}).to_string();
    r.register_json(&fresh).unwrap();
}

#[test]
fn the_jti_is_free_again_after_exp_plus_leeway() {
    let w = World::new();
    let guard = Arc::new(MemoryReplayGuard::new(100));
    let r = w.registrar(true).replay_guard(guard.clone());
    // A statement valid for 10 s: with the default leeway of 60 s it verifies until T0+70,
    // and its jti is remembered as long.
    let ssa = w.ssa(10);
    let body = json!({"software_statement": ssa, "redirect_uris": ["https://app.example/cb"]}).to_string();
    r.register_json(&body).unwrap();
    w.clock.advance(69);
    assert_eq!(
        r.register_json(&body).unwrap_err().code(),
        ErrorCode::InvalidSoftwareStatement
    );
    assert_eq!(guard.len(), 1);
    w.clock.advance(2);
    // Now expired for the verifier too: refused as expired, not as a replay.
    let e = r.register_json(&body).unwrap_err();
    assert!(e.description().contains("expired"), "{e}");
}

/// A guard whose store is down.
#[derive(Debug)]
struct Down;

impl ReplayGuard for Down {
    fn record<'a>(&'a self, _key: &'a str, _expires_at: u64, _now: u64) -> GuardFuture<'a> {
        Box::pin(std::future::ready(Err(ReplayError("connection refused".into()))))
    }
}

#[test]
fn a_guard_that_cannot_answer_fails_closed_with_503() {
    let w = World::new();
    let r = w.registrar(false).replay_guard(Arc::new(Down));
    let e = r
        .register_body(w.request(&w.ssa(3600)).as_bytes(), "application/jwt")
        .unwrap_err();
    assert_eq!(e.http_status(), 503);
    assert_eq!(e.code(), ErrorCode::TemporarilyUnavailable);
    // A plain JSON request without a one-time-use statement needs no guard.
    w.registrar(false)
        .replay_guard(Arc::new(Down))
        .register_json(&json!({"redirect_uris": ["https://app.example/cb"]}).to_string())
        .unwrap();
}

#[test]
fn a_one_time_use_statement_needs_a_jti() {
    let w = World::new();
    let r = w.registrar(true);
    // A statement without jti: signed by hand (the builder always adds one).
    let payload = json!({"iss": ISS, "software_id": "app-1", "iat": T0, "exp": T0 + 600});
    let token = software_statement::sign_jws(
        &w.directory,
        Algorithm::ES256,
        &Default::default(),
        payload.to_string().as_bytes(),
    )
    .unwrap();
    let body = json!({"software_statement": token, "redirect_uris": ["https://app.example/cb"]}).to_string();
    let e = r.register_json(&body).unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidSoftwareStatement);
    assert!(e.description().contains("jti"), "{e}");
}
