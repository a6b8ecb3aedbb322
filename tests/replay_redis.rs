//! The Redis replay guard (feature `redis`) against a real `redis-server`, started on a
//! loopback port by the test-support harness (skipped when the binary is missing, except
//! in CI where that fails): registrars that share one Redis — each with its own guard and
//! connection, as separate server processes would — accept a signed request once, also
//! under 1,000 concurrent registrations; a `jti` is free again after `exp` + leeway; a
//! stopped or frozen Redis fails closed (HTTP 503), never open; keys live under the
//! configured prefix. The in-memory guard's tests are in `tests/replay.rs`; its memory
//! figure for a million entries is measured here, with Redis's (both `#[ignore]`d).
//!
//! `EXAT` is read by Redis's wall clock, so these tests drive the registrar's clock (a
//! `FixedClock`) from real time.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use redis::aio::MultiplexedConnection;
use serde_json::json;
use software_statement::{
    Algorithm, ErrorCode, FixedClock, IssuerPolicy, Jwk, JwkSet, MemoryReplayGuard, RedisReplayGuard, Registrar,
    RegistrationError, RegistrationRequestBuilder, ReplayGuard, Seen, SignedRequestPolicy, StatementBuilder, Verifier,
};
use software_statement_test_support::redis::RedisServer;

const ISS: &str = "https://directory.example.org";
const AS: &str = "https://as.example.org";
const JWT: &str = "application/jwt";
const DEFAULT_PREFIX: &str = "software-statement:replay:";

fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()
}

struct World {
    directory: Jwk,
    client: Jwk,
    clock: Arc<FixedClock>,
}

impl World {
    /// Keys, and a clock stopped at the real time now.
    fn new() -> World {
        World {
            directory: Jwk::generate(Algorithm::ES256).unwrap(),
            client: Jwk::generate(Algorithm::ES256).unwrap().with_kid("c1").unwrap(),
            clock: Arc::new(FixedClock::new(unix_now())),
        }
    }

    fn now(&self) -> u64 {
        software_statement::Clock::now(self.clock.as_ref())
    }

    /// A registrar of signed requests (leeway 60 s) whose replay guard is `guard`.
    fn registrar(&self, guard: RedisReplayGuard) -> Registrar {
        self.registrar_with(guard, false, 60)
    }

    fn registrar_with(&self, guard: RedisReplayGuard, one_time_use: bool, leeway: u64) -> Registrar {
        let policy = IssuerPolicy::with_jwks(JwkSet::new(vec![self.directory.to_public().unwrap()]).unwrap())
            .one_time_use(one_time_use);
        let verifier = Verifier::builder()
            .issuer(ISS, policy)
            .leeway(leeway)
            .unwrap()
            .clock(self.clock.clone())
            .build();
        Registrar::new(verifier)
            .signed_requests(SignedRequestPolicy::new(AS))
            .replay_guard(Arc::new(guard))
    }

    fn ssa(&self) -> String {
        StatementBuilder::new(ISS)
            .claim("software_id", "app-1")
            .claim("jwks", json!({"keys": [self.client.to_public().unwrap().to_value()]}))
            .issued_at(self.now())
            .ttl(3600)
            .sign(&self.directory)
            .unwrap()
    }

    /// A signed registration request (new `jti`) valid for `ttl` seconds.
    fn request(&self, ssa: &str, ttl: u64) -> String {
        RegistrationRequestBuilder::new(ssa)
            .audience(AS)
            .issued_at(self.now())
            .ttl(ttl)
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

async fn connect(server: &RedisServer) -> RedisReplayGuard {
    RedisReplayGuard::connect(&server.url())
        .await
        .expect("the guard connects")
}

/// A connection of the test's own, for raw commands.
async fn raw(server: &RedisServer) -> MultiplexedConnection {
    redis::Client::open(server.url())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap()
}

async fn keys(server: &RedisServer) -> Vec<String> {
    let mut keys: Vec<String> = redis::cmd("KEYS")
        .arg("*")
        .query_async(&mut raw(server).await)
        .await
        .unwrap();
    keys.sort();
    keys
}

fn assert_replay(e: &RegistrationError) {
    assert_eq!(e.code(), ErrorCode::InvalidClientMetadata, "{e}");
    assert_eq!(e.http_status(), 400);
    assert!(e.description().contains("already used"), "{e}");
}

fn assert_unavailable(e: &RegistrationError) {
    assert_eq!(e.code(), ErrorCode::TemporarilyUnavailable, "{e}");
    assert_eq!(e.http_status(), 503, "{e}");
}

#[tokio::test]
async fn two_registrars_sharing_one_redis_accept_a_signed_request_once() {
    let Some(server) = RedisServer::start("two_registrars_sharing_one_redis_accept_a_signed_request_once") else {
        return;
    };
    let w = World::new();
    // Two servers of a fleet: a guard (and a connection) each, one Redis.
    let a = w.registrar(connect(&server).await);
    let b = w.registrar(connect(&server).await);
    let ssa = w.ssa();
    let request = w.request(&ssa, 120);
    a.register_body_async(request.as_bytes(), JWT).await.unwrap();
    assert_replay(&b.register_body_async(request.as_bytes(), JWT).await.unwrap_err());
    assert_replay(&a.register_body_async(request.as_bytes(), JWT).await.unwrap_err());
    // A new request (new jti) from the same client registers, on either server.
    b.register_body_async(w.request(&ssa, 120).as_bytes(), JWT)
        .await
        .unwrap();

    // A one-time-use statement, through either server: once.
    let a = w.registrar_with(connect(&server).await, true, 60);
    let b = w.registrar_with(connect(&server).await, true, 60);
    let body = json!({"software_statement": w.ssa(), "redirect_uris": ["https://app.example/cb"]});
    let body = body.as_object().unwrap();
    b.register_async(body).await.unwrap();
    let e = a.register_async(body).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidSoftwareStatement, "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn a_thousand_concurrent_registrations_of_one_request_accept_exactly_one() {
    let Some(server) = RedisServer::start("a_thousand_concurrent_registrations_of_one_request_accept_exactly_one")
    else {
        return;
    };
    let w = World::new();
    // Four servers of a fleet, 250 concurrent attempts each, on 8 worker threads.
    let mut registrars = Vec::new();
    for _ in 0..4 {
        registrars.push(Arc::new(w.registrar(connect(&server).await)));
    }
    let request = Arc::new(w.request(&w.ssa(), 120));
    let tasks: Vec<_> = (0..1000)
        .map(|i| {
            let (registrar, request) = (registrars[i % 4].clone(), request.clone());
            tokio::spawn(async move { registrar.register_body_async(request.as_bytes(), JWT).await })
        })
        .collect();
    let (mut accepted, mut refused) = (0, 0);
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => accepted += 1,
            Err(e) => {
                assert_replay(&e);
                refused += 1;
            }
        }
    }
    eprintln!("1,000 concurrent registrations of one signed request: {accepted} accepted, {refused} refused");
    assert_eq!((accepted, refused), (1, 999));
    assert_eq!(keys(&server).await.len(), 1, "one check recorded, once");
}

#[tokio::test]
async fn the_jti_is_free_again_after_exp_plus_leeway() {
    let Some(server) = RedisServer::start("the_jti_is_free_again_after_exp_plus_leeway") else {
        return;
    };
    let w = World::new();
    // Leeway 1 s and a request valid for 2 s: remembered until now + 3 (Redis's clock).
    let r = w.registrar_with(connect(&server).await, false, 1);
    let ssa = w.ssa();
    w.clock.set(unix_now());
    let request = w.request(&ssa, 2);
    let forget_at = w.now() + 3;
    r.register_body_async(request.as_bytes(), JWT).await.unwrap();
    assert_replay(&r.register_body_async(request.as_bytes(), JWT).await.unwrap_err());
    let recorded = keys(&server).await;
    assert_eq!(recorded.len(), 1);
    let expire_time: i64 = redis::cmd("EXPIRETIME")
        .arg(&recorded[0])
        .query_async(&mut raw(&server).await)
        .await
        .unwrap();
    assert_eq!(expire_time, forget_at as i64, "EXAT exp + leeway");

    // Real time passes exp + leeway; the registrar's clock stays where it was, so the
    // verifier still takes the request: only the guard has moved on.
    let until = UNIX_EPOCH + Duration::from_secs(forget_at) + Duration::from_millis(300);
    tokio::time::sleep(until.duration_since(SystemTime::now()).unwrap_or_default()).await;
    assert!(keys(&server).await.is_empty(), "Redis forgot the jti");
    r.register_body_async(request.as_bytes(), JWT).await.unwrap();
    // (Not checked again: by Redis's clock that expiry is past, so this second record is
    // forgotten at once — with real clocks the verifier refuses such a request as expired.)
}

#[tokio::test]
async fn redis_stopped_mid_test_fails_closed_then_recovers() {
    let Some(mut server) = RedisServer::start("redis_stopped_mid_test_fails_closed_then_recovers") else {
        return;
    };
    let w = World::new();
    let r = w.registrar(connect(&server).await.timeout(Duration::from_millis(500)));
    let ssa = w.ssa();
    let first = w.request(&ssa, 120);
    r.register_body_async(first.as_bytes(), JWT).await.unwrap();

    server.stop();
    // Neither a new request nor a replay is accepted while the guard cannot answer.
    for body in [w.request(&ssa, 120), first.clone()] {
        let start = Instant::now();
        let e = r.register_body_async(body.as_bytes(), JWT).await.unwrap_err();
        assert_unavailable(&e);
        assert!(e.description().contains("replay"), "{e}");
        assert!(start.elapsed() < Duration::from_secs(2), "answered within the timeout");
    }

    // Redis back (empty: no persistence here): the guard reconnects by itself.
    server.restart();
    let request = w.request(&ssa, 120);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match r.register_body_async(request.as_bytes(), JWT).await {
            Ok(_) => break,
            Err(e) => {
                assert_unavailable(&e);
                assert!(Instant::now() < deadline, "the guard did not reconnect: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
    assert_replay(&r.register_body_async(request.as_bytes(), JWT).await.unwrap_err());
}

#[tokio::test]
async fn a_frozen_redis_fails_closed_within_the_timeout() {
    let Some(server) = RedisServer::start("a_frozen_redis_fails_closed_within_the_timeout") else {
        return;
    };
    let w = World::new();
    let r = w.registrar(connect(&server).await.timeout(Duration::from_millis(300)));
    let ssa = w.ssa();
    r.register_body_async(w.request(&ssa, 120).as_bytes(), JWT)
        .await
        .unwrap();
    server.pause();
    let start = Instant::now();
    let e = r
        .register_body_async(w.request(&ssa, 120).as_bytes(), JWT)
        .await
        .unwrap_err();
    let waited = start.elapsed();
    server.resume();
    assert_unavailable(&e);
    assert!(e.description().contains("did not answer within 300 ms"), "{e}");
    assert!(
        waited >= Duration::from_millis(300) && waited < Duration::from_secs(2),
        "{waited:?}"
    );
    // Thawed: answers again.
    r.register_body_async(w.request(&ssa, 120).as_bytes(), JWT)
        .await
        .unwrap();
}

#[tokio::test]
async fn keys_live_under_the_configured_prefix() {
    let Some(server) = RedisServer::start("keys_live_under_the_configured_prefix") else {
        return;
    };
    let w = World::new();
    let guard = connect(&server).await.key_prefix("fleet-a:replay:");
    assert_eq!(guard.redis_key("req:abc"), "fleet-a:replay:req:abc");
    // A one-time-use issuer: the request's jti and the statement's are both recorded.
    let r = w.registrar_with(guard, true, 60);
    let request = w.request(&w.ssa(), 120);
    r.register_body_async(request.as_bytes(), JWT).await.unwrap();

    let recorded = keys(&server).await;
    assert_eq!(recorded.len(), 2, "{recorded:?}");
    let mut connection = raw(&server).await;
    for (key, kind) in recorded.iter().zip(["req", "ssa"]) {
        let hash = key
            .strip_prefix(&format!("fleet-a:replay:{kind}:"))
            .unwrap_or_else(|| panic!("{key} is not under the prefix"));
        assert_eq!(hash.len(), 22, "{key}");
        assert!(
            hash.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
            "{key}"
        );
        let ttl: i64 = redis::cmd("TTL").arg(key).query_async(&mut connection).await.unwrap();
        assert!(ttl > 0, "{key} expires (TTL {ttl})");
        let value: String = redis::cmd("GET").arg(key).query_async(&mut connection).await.unwrap();
        assert_eq!(value, "1");
    }

    // Another deployment on the same Redis, default prefix: its own namespace.
    let other = w.registrar(connect(&server).await);
    other.register_body_async(request.as_bytes(), JWT).await.unwrap();
    let recorded = keys(&server).await;
    assert_eq!(recorded.len(), 3, "{recorded:?}");
    assert!(recorded
        .iter()
        .any(|k| k.starts_with(&format!("{DEFAULT_PREFIX}req:")) && k.len() == DEFAULT_PREFIX.len() + 4 + 22));
}

#[tokio::test]
async fn a_synchronous_entry_point_fails_closed_and_records_nothing() {
    let Some(server) = RedisServer::start("a_synchronous_entry_point_fails_closed_and_records_nothing") else {
        return;
    };
    let w = World::new();
    let r = w.registrar(connect(&server).await);
    let request = w.request(&w.ssa(), 120);
    assert_unavailable(&r.register_body(request.as_bytes(), JWT).unwrap_err());
    assert!(keys(&server).await.is_empty(), "nothing sent to Redis");
    // The async entry point takes the same request: it was not burnt by the refusal.
    r.register_body_async(request.as_bytes(), JWT).await.unwrap();
}

#[tokio::test]
async fn the_guard_alone_first_again_and_an_already_expired_key() {
    let Some(server) = RedisServer::start("the_guard_alone_first_again_and_an_already_expired_key") else {
        return;
    };
    let guard = connect(&server).await;
    let now = unix_now();
    assert_eq!(guard.record("req:a", now + 60, now).await, Ok(Seen::First));
    assert_eq!(guard.record("req:a", now + 60, now).await, Ok(Seen::Again));
    // Not after now: recorded all the same, for one second.
    assert_eq!(guard.record("req:b", now - 5, now).await, Ok(Seen::First));
    assert_eq!(guard.record("req:b", now - 5, now).await, Ok(Seen::Again));
    let pttl: i64 = redis::cmd("PTTL")
        .arg(format!("{DEFAULT_PREFIX}req:b"))
        .query_async(&mut raw(&server).await)
        .await
        .unwrap();
    assert!((1..=1000).contains(&pttl), "PTTL {pttl}");
}

// ---- memory ----

/// The process's resident set size, in bytes (Linux).
fn rss_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("Linux /proc");
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).expect("VmRSS");
    let kib: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kib * 1024
}

/// Keys shaped like the registrar's: kind and 22 base64url characters.
fn key(i: usize) -> String {
    format!("req:{i:0>22}")
}

/// Runs a future that is ready at once (the in-memory guard's).
fn now_or_never<F: Future>(f: F) -> F::Output {
    let mut f = std::pin::pin!(f);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match f.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(v) => v,
        std::task::Poll::Pending => panic!("the in-memory guard answers at once"),
    }
}

const MIB: f64 = 1024.0 * 1024.0;

/// The in-memory guard's footprint at its default capacity (design target: ≤ 128 MiB for a
/// million live entries). Ignored by default: it takes a few seconds and needs its own
/// process to read RSS cleanly. Run it with
/// `cargo test --features redis --test replay_redis -- --ignored --nocapture million`.
#[test]
#[ignore = "measurement (a million entries); run with --ignored"]
fn memory_guard_holds_a_million_live_entries_within_128_mib() {
    const N: usize = 1_000_000;
    let before = rss_bytes();
    let guard = MemoryReplayGuard::default();
    let now = 1_800_000_000;
    for i in 0..N {
        assert_eq!(now_or_never(guard.record(&key(i), now + 3600, now)), Ok(Seen::First));
    }
    let after = rss_bytes();
    assert_eq!(guard.len(), N);
    let used = after.saturating_sub(before) as f64;
    eprintln!(
        "MemoryReplayGuard, {N} live entries: RSS +{:.1} MiB ({:.0} bytes per entry)",
        used / MIB,
        used / N as f64
    );
    assert!(used <= 128.0 * MIB, "{:.1} MiB", used / MIB);
}

/// What a million live entries cost in Redis (`used_memory`), for sizing it. Ignored by
/// default, as the one above.
#[tokio::test]
#[ignore = "measurement (a million entries); run with --ignored"]
async fn redis_holds_a_million_live_entries() {
    const N: usize = 1_000_000;
    let Some(server) = RedisServer::start("redis_holds_a_million_live_entries") else {
        return;
    };
    let mut connection = raw(&server).await;
    let used_memory = |info: String| -> u64 {
        let line = info.lines().find(|l| l.starts_with("used_memory:")).unwrap();
        line["used_memory:".len()..].trim().parse().unwrap()
    };
    let before = used_memory(
        redis::cmd("INFO")
            .arg("memory")
            .query_async(&mut connection)
            .await
            .unwrap(),
    );
    let expires_at = unix_now() + 3600;
    // The guard's own command, pipelined (a million round trips would only be slower).
    for chunk in (0..N).collect::<Vec<_>>().chunks(10_000) {
        let mut pipe = redis::pipe();
        for &i in chunk {
            pipe.cmd("SET")
                .arg(format!("{DEFAULT_PREFIX}{}", key(i)))
                .arg("1")
                .arg("NX")
                .arg("EXAT")
                .arg(expires_at)
                .ignore();
        }
        pipe.query_async::<()>(&mut connection).await.unwrap();
    }
    let after = used_memory(
        redis::cmd("INFO")
            .arg("memory")
            .query_async(&mut connection)
            .await
            .unwrap(),
    );
    let size: usize = redis::cmd("DBSIZE").query_async(&mut connection).await.unwrap();
    assert_eq!(size, N);
    let used = (after - before) as f64;
    eprintln!(
        "Redis, {N} live entries (prefix {DEFAULT_PREFIX}): used_memory +{:.1} MiB ({:.0} bytes per entry)",
        used / MIB,
        used / N as f64
    );
}
