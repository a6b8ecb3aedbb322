//! `jwks_uri` fetcher (security rule 8, README) against a real HTTPS server on 127.0.0.1,
//! with a certificate generated here. Every test asserts how many requests the server saw.
//! No test sends traffic anywhere but loopback: the non-loopback URIs below are refused
//! before any connection, and that refusal is what they test.
#![cfg(feature = "remote")]

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use software_statement::{
    is_globally_routable, AddressScope, Algorithm, Clock, FixedClock, Jwk, JwkSet, KeyError, RemoteError, RemoteJwks,
    RemoteOptions,
};
use software_statement_test_support::{JwksServer as Server, Reply};
use tokio::net::TcpListener;

const T0: u64 = 1_700_000_000;

// ---------------------------------------------------------------------------------------
// The scriptable test server (the workspace's shared one), trusted by the fetcher.

trait Trusting {
    /// Options trusting this server's certificate, on `clock`.
    fn options(&self, clock: &Arc<FixedClock>) -> RemoteOptions;
    fn jwks(&self, clock: &Arc<FixedClock>) -> RemoteJwks;
}

impl Trusting for Server {
    fn options(&self, clock: &Arc<FixedClock>) -> RemoteOptions {
        RemoteOptions::default()
            .address_scope(AddressScope::AlsoLoopback)
            .add_root_certificate(self.cert.clone())
            .clock(clock.clone() as Arc<dyn Clock>)
    }

    fn jwks(&self, clock: &Arc<FixedClock>) -> RemoteJwks {
        RemoteJwks::new(&self.url("/jwks.json"), self.options(clock)).unwrap()
    }
}

// ---------------------------------------------------------------------------------------
// Keys and sets.

fn key(kid: &str) -> Jwk {
    Jwk::generate(Algorithm::ES256)
        .unwrap()
        .with_kid(kid)
        .unwrap()
        .to_public()
        .unwrap()
}

fn set_json(keys: &[&Jwk]) -> String {
    let keys: Vec<_> = keys.iter().map(|k| k.to_value()).collect();
    serde_json::json!({ "keys": keys }).to_string()
}

/// An EC key whose point is not on the curve.
fn bad_key_json(kid: &str) -> serde_json::Value {
    let zero = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    serde_json::json!({"kty": "EC", "crv": "P-256", "kid": kid, "x": zero, "y": zero})
}

fn clock() -> Arc<FixedClock> {
    Arc::new(FixedClock::new(T0))
}

fn kids(set: &JwkSet) -> Vec<&str> {
    set.keys().iter().filter_map(Jwk::kid).collect()
}

// ---------------------------------------------------------------------------------------
// Fetch and cache.

#[tokio::test]
async fn first_fetch() {
    let k1 = key("k1");
    let server = Server::https(Reply::json(set_json(&[&k1]))).await;
    let clock = clock();
    let jwks = server.jwks(&clock);
    assert_eq!(jwks.uri(), server.url("/jwks.json"));
    assert!(jwks.cached().is_none());
    let set = jwks.keys().await.unwrap();
    assert_eq!(kids(&set), ["k1"]);
    assert!(jwks.last_skipped().is_empty());
    assert!(jwks.last_error().is_none());
    assert_eq!(server.requests(), 1);
    let head = server.heads()[0].to_ascii_lowercase();
    assert!(head.starts_with("get /jwks.json http/1.1\r\n"), "{head}");
    assert!(head.contains("accept: application/jwk-set+json"), "{head}");
}

#[tokio::test]
async fn cache_hit_makes_no_second_request() {
    let server = Server::https(Reply::json(set_json(&[&key("k1")]))).await;
    let clock = clock();
    let jwks = server.jwks(&clock);
    let first = jwks.keys().await.unwrap();
    clock.advance(299); // default TTL is 300 s
    let second = jwks.keys().await.unwrap();
    let third = jwks.keys_for_kid("k1").await.unwrap();
    assert!(Arc::ptr_eq(&first, &second) && Arc::ptr_eq(&first, &third));
    assert!(Arc::ptr_eq(&first, &jwks.cached().unwrap()));
    assert_eq!(server.requests(), 1);
    clock.advance(1);
    jwks.keys().await.unwrap();
    assert_eq!(server.requests(), 2, "default TTL of 5 min");
}

#[tokio::test]
async fn cache_control_max_age_is_honoured() {
    let body = set_json(&[&key("k1")]);
    let server = Server::https(Reply::json(body.clone()).header("Cache-Control", "public, max-age=120")).await;
    let clock = clock();
    let jwks = server.jwks(&clock);
    jwks.keys().await.unwrap();
    clock.advance(119);
    jwks.keys().await.unwrap();
    assert_eq!(server.requests(), 1);
    clock.advance(1);
    jwks.keys().await.unwrap();
    assert_eq!(server.requests(), 2);
}

#[tokio::test]
async fn cache_control_max_age_is_clamped_low() {
    let server = Server::https(Reply::json(set_json(&[&key("k1")])).header("Cache-Control", "max-age=1")).await;
    let clock = clock();
    let jwks = server.jwks(&clock);
    jwks.keys().await.unwrap();
    clock.advance(2);
    jwks.keys().await.unwrap();
    assert_eq!(server.requests(), 1, "max-age=1 is raised to the 1 min minimum");
    clock.advance(58);
    jwks.keys().await.unwrap();
    assert_eq!(server.requests(), 2);
}

#[tokio::test]
async fn cache_control_no_store_gets_the_minimum_ttl() {
    let server =
        Server::https(Reply::json(set_json(&[&key("k1")])).header("Cache-Control", "no-store, max-age=600")).await;
    let clock = clock();
    let jwks = server.jwks(&clock);
    jwks.keys().await.unwrap();
    jwks.keys().await.unwrap();
    clock.advance(59);
    jwks.keys().await.unwrap();
    assert_eq!(server.requests(), 1, "no-store is cached for the minimum TTL, not zero");
    clock.advance(1);
    jwks.keys().await.unwrap();
    assert_eq!(server.requests(), 2);
}

#[tokio::test]
async fn cache_control_max_age_is_clamped_high() {
    let server =
        Server::https(Reply::json(set_json(&[&key("k1")])).header("Cache-Control", "max-age=1000000000")).await;
    let clock = clock();
    let jwks = server.jwks(&clock);
    jwks.keys().await.unwrap();
    clock.advance(24 * 3600 - 1);
    jwks.keys().await.unwrap();
    assert_eq!(server.requests(), 1);
    clock.advance(1);
    jwks.keys().await.unwrap();
    assert_eq!(server.requests(), 2, "max-age is lowered to 24 h");
}

#[tokio::test]
async fn key_rotation_refetches_once() {
    let (old, new) = (key("old"), key("new"));
    let server = Server::https(Reply::json(set_json(&[&old]))).await;
    let clock = clock();
    let jwks = server.jwks(&clock);
    assert!(jwks.keys_for_kid("old").await.unwrap().get("old").is_some());
    assert_eq!(server.requests(), 1);

    // The publisher rotates; a token with the new kid arrives.
    server.set(Reply::json(set_json(&[&old, &new])));
    // Within the cooldown of the first fetch: no refetch, the set lacks the kid.
    let set = jwks.keys_for_kid("new").await.unwrap();
    assert!(set.get("new").is_none());
    assert_eq!(server.requests(), 1);

    clock.advance(30);
    let set = jwks.keys_for_kid("new").await.unwrap();
    assert!(set.get("new").is_some());
    assert!(set.get("old").is_some());
    assert_eq!(server.requests(), 2, "exactly one refetch");
    for _ in 0..10 {
        assert!(jwks.keys_for_kid("new").await.unwrap().get("new").is_some());
    }
    assert_eq!(server.requests(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn random_unknown_kids_fetch_at_most_once_per_cooldown() {
    let server = Server::https(Reply::json(set_json(&[&key("k1")]))).await;
    let clock = clock();
    let jwks = Arc::new(server.jwks(&clock));
    jwks.keys().await.unwrap();
    assert_eq!(server.requests(), 1);

    let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
    let mut random_kid = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        format!("{seed:016x}")
    };
    // Window 0 starts with the first fetch: no refetch in it. Each later one: one.
    for window in 0..=3 {
        if window > 0 {
            clock.advance(30);
        }
        // 1,000 unknown kids per window: half concurrently, half one after the other.
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..500 {
            let (jwks, kid) = (jwks.clone(), random_kid());
            tasks.spawn(async move { jwks.keys_for_kid(&kid).await.map(|s| s.get(&kid).is_none()) });
        }
        for _ in 0..500 {
            assert!(jwks.keys_for_kid(&random_kid()).await.unwrap().get("k1").is_some());
        }
        while let Some(r) = tasks.join_next().await {
            assert!(r.unwrap().unwrap());
        }
        assert_eq!(
            server.requests(),
            1 + window,
            "at most one fetch in cooldown window {window}"
        );
    }
}

#[tokio::test]
async fn abandoned_unknown_kid_refetches_count_toward_the_cooldown() {
    let server = Server::https(Reply::json(set_json(&[&key("k1")]))).await;
    let clock = clock();
    let jwks = server.jwks(&clock);
    jwks.keys().await.unwrap();
    assert_eq!(server.requests(), 1);
    clock.advance(30); // the cooldown of the first fetch has passed; the set is fresh
    let mut slow = Reply::json(set_json(&[&key("k1")]));
    slow.delay = Duration::from_secs(2);
    server.set(slow);
    // Callers that give up mid-fetch (a client hanging up, a request timeout), each with
    // an unknown kid: the first abandoned refetch spends the cooldown, the rest are
    // answered from the fresh set without fetching.
    let first = tokio::time::timeout(Duration::from_millis(300), jwks.keys_for_kid("x0")).await;
    assert!(
        first.is_err(),
        "the first caller gave up while its refetch was in flight"
    );
    for i in 1..20 {
        let set = tokio::time::timeout(Duration::from_millis(300), jwks.keys_for_kid(&format!("x{i}")))
            .await
            .expect("answered from the fresh set, no fetch")
            .unwrap();
        assert!(set.get("k1").is_some());
    }
    assert!(server.requests() <= 2, "{} requests", server.requests());
    // After the cooldown, an unknown kid refetches again.
    server.set(Reply::json(set_json(&[&key("k1"), &key("k2")])));
    clock.advance(30);
    assert!(jwks.keys_for_kid("k2").await.unwrap().get("k2").is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_callers_on_a_cold_cache_cause_one_request() {
    let mut reply = Reply::json(set_json(&[&key("k1")]));
    reply.delay = Duration::from_millis(50); // keep the fetch in flight while callers pile up
    let server = Server::https(reply).await;
    let clock = clock();
    let jwks = Arc::new(server.jwks(&clock));
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..100 {
        let jwks = jwks.clone();
        tasks.spawn(async move {
            if i % 2 == 0 {
                jwks.keys().await
            } else {
                jwks.keys_for_kid("k1").await
            }
        });
    }
    let mut sets = Vec::new();
    while let Some(r) = tasks.join_next().await {
        sets.push(r.unwrap().unwrap());
    }
    assert_eq!(sets.len(), 100);
    assert!(sets.iter().all(|s| Arc::ptr_eq(s, &sets[0])));
    assert_eq!(server.requests(), 1);
}

// ---------------------------------------------------------------------------------------
// Failures: the right error, the last good set served within the stale bound only.

/// Runs the whole failure story for `bad` on a fresh server, checking `expected` on
/// every error. `options` adjusts the defaults (e.g. a short timeout).
async fn failure_story(bad: Reply, options: fn(RemoteOptions) -> RemoteOptions, expected: fn(&RemoteError) -> bool) {
    let good = Reply::json(set_json(&[&key("k1")]));
    let server = Server::https(bad.clone()).await;
    let clock = clock();
    let new_jwks = || RemoteJwks::new(&server.url("/jwks.json"), options(server.options(&clock))).unwrap();

    // Cold cache: the error itself; a retry within the cooldown does not refetch.
    let cold = new_jwks();
    let err = cold.keys().await.unwrap_err();
    assert!(expected(&err), "cold cache: {err:?}");
    assert!(err.to_string().contains("127.0.0.1"), "names the host: {err}");
    assert_eq!(server.requests(), 1);
    assert_eq!(cold.keys_for_kid("k1").await.unwrap_err(), err);
    assert_eq!(server.requests(), 1, "a failure is not retried within the cooldown");
    assert!(cold.cached().is_none());

    // Warm cache, then the server breaks.
    server.set(good.clone());
    let jwks = new_jwks();
    let first = jwks.keys().await.unwrap();
    assert_eq!(server.requests(), 2);
    server.set(bad);
    clock.advance(300); // expired (default TTL)
    let stale = jwks.keys().await.unwrap();
    assert!(Arc::ptr_eq(&first, &stale), "last good set served");
    assert!(expected(&jwks.last_error().unwrap()), "{:?}", jwks.last_error());
    assert_eq!(server.requests(), 3);
    assert!(jwks.keys().await.is_ok());
    assert_eq!(server.requests(), 3, "no retry within the cooldown");

    // Still within the stale bound (1 h past expiry).
    clock.advance(3600);
    assert!(Arc::ptr_eq(&first, &jwks.keys().await.unwrap()));
    assert!(Arc::ptr_eq(&first, &jwks.cached().unwrap()));
    assert_eq!(server.requests(), 4);

    // Beyond the bound: the error.
    clock.advance(31);
    let err = jwks.keys().await.unwrap_err();
    assert!(expected(&err), "beyond the stale bound: {err:?}");
    assert!(jwks.cached().is_none());
    assert_eq!(server.requests(), 5);

    // The server recovers: after the cooldown, a fresh set.
    server.set(good);
    clock.advance(30);
    let fresh = jwks.keys().await.unwrap();
    assert!(!Arc::ptr_eq(&first, &fresh));
    assert!(jwks.last_error().is_none());
    assert_eq!(server.requests(), 6);
}

fn same(o: RemoteOptions) -> RemoteOptions {
    o
}

fn short_timeout(o: RemoteOptions) -> RemoteOptions {
    o.timeout(Duration::from_millis(300))
}

#[tokio::test]
async fn server_error() {
    failure_story(Reply::status(500), same, |e| {
        matches!(e, RemoteError::Status { status: 500, .. })
    })
    .await;
}

#[tokio::test]
async fn not_found() {
    failure_story(Reply::status(404), same, |e| {
        matches!(e, RemoteError::Status { status: 404, .. })
    })
    .await;
}

#[tokio::test]
async fn stall_before_the_response_times_out() {
    let mut bad = Reply::json("{}");
    bad.stall = true;
    failure_story(bad, short_timeout, |e| matches!(e, RemoteError::Timeout { .. })).await;
}

#[tokio::test]
async fn stall_in_the_body_times_out() {
    let mut bad = Reply::json(set_json(&[&key("k1")]));
    bad.stall_after = Some(10);
    failure_story(bad, short_timeout, |e| matches!(e, RemoteError::Timeout { .. })).await;
}

#[tokio::test]
async fn oversized_declared_body_is_refused() {
    failure_story(Reply::json(vec![b' '; 64 * 1024 + 1]), same, |e| {
        matches!(e, RemoteError::TooLarge { limit: 65536, .. })
    })
    .await;
}

#[tokio::test]
async fn oversized_streamed_body_is_refused() {
    let mut bad = Reply::json(vec![b' '; 1024 * 1024]);
    bad.omit_length = true;
    failure_story(bad, same, |e| matches!(e, RemoteError::TooLarge { limit: 65536, .. })).await;
}

#[tokio::test]
async fn invalid_json() {
    failure_story(Reply::json("{\"keys\": ["), same, |e| {
        matches!(e, RemoteError::InvalidJson { .. })
    })
    .await;
}

#[tokio::test]
async fn not_a_jwk_set() {
    failure_story(Reply::json("{\"kees\": []}"), same, |e| {
        matches!(e, RemoteError::InvalidSet { .. })
    })
    .await;
}

#[tokio::test]
async fn keys_sharing_a_kid_are_all_skipped() {
    let (a, b) = (key("same"), key("same"));
    failure_story(Reply::json(set_json(&[&a, &b])), same, |e| {
        matches!(e, RemoteError::NoUsableKeys { skipped: 2, .. })
    })
    .await;
}

#[tokio::test]
async fn a_secret_served_at_a_jwks_uri_is_never_a_verification_key() {
    let secret = Jwk::generate(Algorithm::HS256).unwrap().with_kid("hmac").unwrap();
    let good = key("k1");
    let body = serde_json::json!({"keys": [secret.to_value(), good.to_value()]}).to_string();
    let server = Server::https(Reply::json(body)).await;
    let clock = clock();
    let jwks = server.jwks(&clock);
    let set = jwks.keys().await.unwrap();
    assert_eq!(kids(&set), ["k1"]);
    let skipped = jwks.last_skipped();
    assert_eq!(skipped.len(), 1);
    assert_eq!(skipped[0].reason, KeyError::SecretInFetchedSet);
    assert_eq!(server.requests(), 1);
}

#[tokio::test]
async fn redirect_is_not_followed() {
    let bad = Reply::status(302).header("Location", "/elsewhere.json");
    failure_story(bad, same, |e| matches!(e, RemoteError::Redirect { .. })).await;
}

#[tokio::test]
async fn no_usable_keys() {
    let body = serde_json::json!({"keys": [bad_key_json("bad"), {"kty": "XYZ", "kid": "unknown"}]}).to_string();
    failure_story(Reply::json(body), same, |e| {
        matches!(e, RemoteError::NoUsableKeys { skipped: 2, .. })
    })
    .await;
    failure_story(Reply::json("{\"keys\": []}"), same, |e| {
        matches!(e, RemoteError::NoUsableKeys { skipped: 0, .. })
    })
    .await;
}

#[tokio::test]
async fn body_at_the_cap_is_accepted() {
    let mut body = set_json(&[&key("k1")]).into_bytes();
    let cap = body.len() + 100;
    body.resize(cap, b' ');
    let server = Server::https(Reply::json(body.clone())).await;
    let clock = clock();
    for omit_length in [false, true] {
        let mut reply = Reply::json(body.clone());
        reply.omit_length = omit_length;
        server.set(reply);
        let options = server.options(&clock).max_body_bytes(cap);
        let jwks = RemoteJwks::new(&server.url("/jwks.json"), options).unwrap();
        assert!(jwks.keys().await.is_ok());
        let jwks = RemoteJwks::new(
            &server.url("/jwks.json"),
            server.options(&clock).max_body_bytes(cap - 1),
        )
        .unwrap();
        assert!(matches!(jwks.keys().await, Err(RemoteError::TooLarge { .. })));
    }
    assert_eq!(server.requests(), 4);
}

#[tokio::test]
async fn redirect_followed_by_a_custom_client_is_refused() {
    let server = Server::https(Reply::status(302).header("Location", "/moved.json")).await;
    server.set_path("/moved.json", Reply::json(set_json(&[&key("k1")])));
    let client = reqwest::Client::builder()
        .no_proxy()
        .tls_certs_merge([reqwest::Certificate::from_der(&server.cert).unwrap()])
        .build()
        .unwrap();
    let clock = clock();
    let jwks = RemoteJwks::new(&server.url("/jwks.json"), server.options(&clock).client(client)).unwrap();
    assert!(matches!(jwks.keys().await, Err(RemoteError::Redirect { .. })));
    assert_eq!(server.requests(), 2, "the custom client followed, the fetcher refused");
}

#[tokio::test]
async fn untrusted_certificate_is_a_connect_error() {
    let server = Server::https(Reply::json(set_json(&[&key("k1")]))).await;
    let options = RemoteOptions::default().address_scope(AddressScope::AlsoLoopback);
    let jwks = RemoteJwks::new(&server.url("/jwks.json"), options).unwrap();
    let err = jwks.keys().await.unwrap_err();
    assert!(matches!(err, RemoteError::Connect { .. }), "{err:?}");
    assert!(err.to_string().contains("certificate"), "{err}");
    assert_eq!(server.requests(), 0, "no request over an unverified connection");
}

#[tokio::test]
async fn connection_refused_is_a_connect_error() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let options = RemoteOptions::default().address_scope(AddressScope::AlsoLoopback);
    let jwks = RemoteJwks::new(&format!("https://{addr}/jwks.json"), options).unwrap();
    let err = jwks.keys().await.unwrap_err();
    assert!(
        matches!(&err, RemoteError::Connect { host, .. } if host == "127.0.0.1"),
        "{err:?}"
    );
}

#[tokio::test]
async fn invalid_key_is_skipped_and_reported() {
    let good = key("good");
    let body = serde_json::json!({"keys": [bad_key_json("bad"), good.to_value()]}).to_string();
    let server = Server::https(Reply::json(body)).await;
    let clock = clock();
    let jwks = server.jwks(&clock);
    let set = jwks.keys_for_kid("good").await.unwrap();
    assert!(set.get("good").is_some());
    assert!(set.select(Algorithm::ES256, Some("good")).is_ok());
    assert!(set.get("bad").is_none());
    let skipped = jwks.last_skipped();
    assert_eq!(skipped.len(), 1);
    assert_eq!((skipped[0].position, skipped[0].kid.as_deref()), (0, Some("bad")));
    assert_eq!(server.requests(), 1);
}

// ---------------------------------------------------------------------------------------
// URI and address policy.

#[tokio::test]
async fn plain_http_only_to_a_loopback_literal_when_allowed() {
    let server = Server::http(Reply::json(set_json(&[&key("k1")]))).await;
    let clock = clock();
    let url = server.url("/jwks.json");
    let options = || RemoteOptions::default().clock(clock.clone() as Arc<dyn Clock>);

    let err = RemoteJwks::new(&url, options()).unwrap_err();
    assert!(
        matches!(&err, RemoteError::InsecureScheme { host } if host == "127.0.0.1"),
        "{err:?}"
    );
    // AddressScope::AlsoLoopback is about https, not plain http.
    assert!(matches!(
        RemoteJwks::new(&url, options().address_scope(AddressScope::AlsoLoopback)),
        Err(RemoteError::InsecureScheme { .. })
    ));
    // Only loopback: not another name, not another address.
    for uri in [
        "http://10.1.2.3/jwks.json".to_string(),
        "http://publisher.example.com/jwks.json".to_string(),
    ] {
        let result = RemoteJwks::new(
            &uri,
            options().allow_http_loopback(true).address_scope(AddressScope::Any),
        );
        assert!(matches!(result, Err(RemoteError::InsecureScheme { .. })), "{uri}");
    }
    assert_eq!(server.requests(), 0);

    let jwks = RemoteJwks::new(&url, options().allow_http_loopback(true)).unwrap();
    assert_eq!(kids(&jwks.keys().await.unwrap()), ["k1"]);
    assert_eq!(server.requests(), 1);

    // Only an address literal: not even `localhost` (security rule 8, README).
    let by_name = format!("http://localhost:{}/jwks.json", server.addr.port());
    let refused = RemoteJwks::new(
        &by_name,
        options()
            .allow_http_loopback(true)
            .address_scope(AddressScope::AlsoLoopback),
    );
    assert!(matches!(refused, Err(RemoteError::InsecureScheme { .. })));
    assert_eq!(server.requests(), 1);
}

#[tokio::test]
async fn non_global_literal_addresses_are_refused_before_connecting() {
    let started = std::time::Instant::now();
    for uri in [
        "https://10.1.2.3/jwks.json",
        "https://192.168.0.1/",
        "https://172.16.5.4/jwks.json",
        "https://169.254.169.254/latest/meta-data",
        "https://100.64.0.1/",
        "https://0.0.0.0/",
        "https://198.18.0.1/",
        "https://[fd00::1]/",
        "https://[fe80::1]/",
        "https://[::ffff:10.0.0.1]/",
        "https://[64:ff9b::a01:203]/",
        "https://[2001:db8::1]/",
    ] {
        for options in [
            RemoteOptions::default(),
            RemoteOptions::default()
                .address_scope(AddressScope::AlsoLoopback)
                .allow_http_loopback(true),
        ] {
            let err = RemoteJwks::new(uri, options).unwrap_err();
            assert!(matches!(err, RemoteError::AddressNotAllowed { .. }), "{uri}: {err:?}");
        }
    }
    // Loopback literals, in any spelling the URL parser accepts, unless allowed.
    for uri in [
        "https://127.0.0.1/",
        "https://127.1/",
        "https://2130706433/",
        "https://[::1]/",
        "https://[::ffff:127.0.0.1]/",
    ] {
        let err = RemoteJwks::new(uri, RemoteOptions::default()).unwrap_err();
        assert!(matches!(err, RemoteError::AddressNotAllowed { .. }), "{uri}: {err:?}");
        assert!(RemoteJwks::new(uri, RemoteOptions::default().address_scope(AddressScope::AlsoLoopback)).is_ok());
    }
    // AddressScope::Any permits them (nothing is fetched here).
    assert!(RemoteJwks::new(
        "https://10.1.2.3/jwks.json",
        RemoteOptions::default().address_scope(AddressScope::Any)
    )
    .is_ok());
    // Refused at construction: there is nothing to connect to.
    assert!(started.elapsed() < Duration::from_secs(60));
}

#[tokio::test]
async fn localhost_is_refused_unless_loopback_is_allowed() {
    let server = Server::https(Reply::json(set_json(&[&key("k1")]))).await;
    let clock = clock();
    let url = format!("https://localhost:{}/jwks.json", server.addr.port());
    let options = RemoteOptions::default()
        .add_root_certificate(server.cert.clone())
        .clock(clock.clone() as Arc<dyn Clock>);

    let jwks = RemoteJwks::new(&url, options.clone()).unwrap();
    let err = jwks.keys().await.unwrap_err();
    assert!(
        matches!(&err, RemoteError::AddressNotAllowed { host } if host == "localhost"),
        "{err:?}"
    );
    assert_eq!(server.requests(), 0);

    let jwks = RemoteJwks::new(&url, options.address_scope(AddressScope::AlsoLoopback)).unwrap();
    assert_eq!(kids(&jwks.keys().await.unwrap()), ["k1"]);
    assert_eq!(server.requests(), 1);
}

#[test]
fn invalid_uris_are_refused() {
    for uri in [
        "",
        "jwks.json",
        "/jwks.json",
        "ftp://publisher.example.com/jwks.json",
        "file:///etc/passwd",
        "https://user:pass@publisher.example.com/jwks.json",
        "https://user@publisher.example.com/jwks.json",
        "https://publisher.example.com/jwks.json#frag",
        "https://publisher.example.com/jwks.json#",
        "https://",
    ] {
        let err = RemoteJwks::new(uri, RemoteOptions::default()).unwrap_err();
        assert!(matches!(err, RemoteError::InvalidUri(_)), "{uri:?}: {err:?}");
    }
    assert!(matches!(
        RemoteJwks::new("http://publisher.example.com/jwks.json", RemoteOptions::default()),
        Err(RemoteError::InsecureScheme { .. })
    ));
    assert!(RemoteJwks::new("https://publisher.example.com/jwks.json", RemoteOptions::default()).is_ok());
}

#[test]
fn globally_routable_addresses() {
    let global = [
        "1.1.1.1",
        "8.8.8.8",
        "93.184.216.34",
        "100.63.255.255",
        "100.128.0.0",
        "172.15.255.255",
        "172.32.0.0",
        "192.0.1.1",
        "192.169.0.1",
        "198.17.255.255",
        "198.20.0.0",
        "223.255.255.255",
        "2606:4700:4700::1111",
        "2a00:1450:4001::1",
        "2001:4860:4860::8888",
        "::ffff:8.8.8.8",
        "64:ff9b::808:808",
        "2002:808:808::1",
    ];
    let not_global = [
        "0.0.0.0",
        "0.1.2.3",
        "10.0.0.1",
        "100.64.0.1",
        "100.127.255.255",
        "127.0.0.1",
        "127.255.255.254",
        "169.254.169.254",
        "172.16.0.1",
        "172.31.255.255",
        "192.0.0.8",
        "192.0.2.1",
        "192.88.99.1",
        "192.168.1.1",
        "198.18.0.1",
        "198.19.255.255",
        "198.51.100.7",
        "203.0.113.9",
        "224.0.0.1",
        "239.255.255.250",
        "240.0.0.1",
        "255.255.255.255",
        "::",
        "::1",
        "::ffff:10.0.0.1",
        "::ffff:127.0.0.1",
        "::ffff:0:8.8.8.8",
        "::8.8.8.8",
        "64:ff9b::7f00:1",
        "64:ff9b::a9fe:a9fe",
        "64:ff9b:1::808:808",
        "100::1",
        "2001::1",
        "2001:2::1",
        "2001:db8::1",
        "2002:a00:1::1",
        "3fff::1",
        "fc00::1",
        "fd12:3456::1",
        "fe80::1",
        "fec0::1",
        "ff02::1",
        "4000::1",
    ];
    for ip in global {
        assert!(is_globally_routable(ip.parse::<IpAddr>().unwrap()), "{ip} is global");
    }
    for ip in not_global {
        assert!(
            !is_globally_routable(ip.parse::<IpAddr>().unwrap()),
            "{ip} is not global"
        );
    }
}

#[test]
fn remote_jwks_is_send_and_sync() {
    fn check<T: Send + Sync + 'static>() {}
    check::<RemoteJwks>();
    check::<RemoteOptions>();
    check::<RemoteError>();
}

#[test]
fn errors_name_the_host_and_no_key() {
    let err = RemoteError::InvalidSet {
        host: "publisher.example.com".into(),
        source: KeyError::DuplicateKid("k1".into()),
    };
    assert_eq!(
        err.to_string(),
        "the JWK Set from publisher.example.com is invalid: JWK Set has duplicate kid 'k1'"
    );
    let err = RemoteError::Status {
        host: "publisher.example.com".into(),
        status: 503,
    };
    assert_eq!(
        err.to_string(),
        "publisher.example.com answered HTTP 503 for the JWK Set"
    );
}

// ---------------------------------------------------------------------------------------
// Fetches run to completion; one cache per URI.

#[tokio::test]
async fn a_fetch_abandoned_on_a_cold_cache_runs_to_completion() {
    let mut slow = Reply::json(set_json(&[&key("k1")]));
    slow.delay = Duration::from_millis(400);
    let server = Server::https(slow).await;
    let clock = clock();
    let jwks = server.jwks(&clock);
    // Ten callers hang up while the first fetch is in flight.
    for _ in 0..10 {
        let gave_up = tokio::time::timeout(Duration::from_millis(20), jwks.keys()).await;
        assert!(gave_up.is_err());
    }
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert_eq!(server.requests(), 1, "one outbound fetch, not one per abandoned caller");
    assert!(jwks.cached().is_some(), "the abandoned fetch filled the cache");
    assert!(jwks.keys().await.unwrap().get("k1").is_some());
    assert_eq!(server.requests(), 1);
}

#[tokio::test]
async fn a_fetch_abandoned_on_an_expired_cache_runs_to_completion() {
    let server = Server::https(Reply::json(set_json(&[&key("k1")]))).await;
    let clock = clock();
    let jwks = server.jwks(&clock);
    jwks.keys().await.unwrap();
    assert_eq!(server.requests(), 1);
    clock.advance(24 * 3600); // expired (and past the stale bound)
    let mut slow = Reply::json(set_json(&[&key("k1"), &key("k2")]));
    slow.delay = Duration::from_millis(400);
    server.set(slow);
    for _ in 0..10 {
        let gave_up = tokio::time::timeout(Duration::from_millis(20), jwks.keys()).await;
        assert!(gave_up.is_err());
    }
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert_eq!(server.requests(), 2);
    assert!(jwks.cached().unwrap().get("k2").is_some());
}

#[tokio::test]
async fn issuers_naming_the_same_jwks_uri_share_one_cache() {
    use software_statement::{LoadOptions, StatementBuilder, TrustFile};
    let signer = Jwk::generate(Algorithm::ES256).unwrap().with_kid("k1").unwrap();
    let body = set_json(&[&signer.to_public().unwrap()]);
    let server = Server::https(Reply::json(body)).await;
    let clock = clock();
    let uri = server.url("/jwks.json");
    let doc = serde_json::json!({"issuers": {
        "https://a.example": {"jwks_uri": uri},
        "https://b.example": {"jwks_uri": uri},
    }});
    let options = LoadOptions::default()
        .clock(clock.clone())
        .remote(server.options(&clock));
    let trust = TrustFile::from_json(&doc.to_string(), "t.json", Some(options)).unwrap();
    for iss in ["https://a.example", "https://b.example"] {
        let token = StatementBuilder::new(iss).issued_at(T0).sign(&signer).unwrap();
        trust.verifier().verify_async(&token).await.unwrap();
    }
    assert_eq!(server.requests(), 1, "one fetch serves both issuers");
}
