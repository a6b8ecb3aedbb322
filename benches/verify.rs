//! Benchmarks (the README's "Performance targets"): verify and sign per algorithm against
//! the backend's raw primitive, jsonwebtoken and josekit; registration merge + validate; a
//! warm `jwks_uri` cache against inline keys, the replay guard, and a signed-request
//! registration against the sum of its parts (feature `remote`); trust-file load; key
//! import. Prints markdown tables with medians, ratios and heap allocations per operation.
//!
//! `cargo bench --features remote --bench verify` measures everything;
//! `cargo bench --bench verify -- --test` runs every case once (CI). Every run checks the
//! allocation ceilings ([`ALLOC_CEILINGS`]) and fails above one. See `benches/README.md`.

#[path = "support/alloc.rs"]
mod alloc;
#[path = "support/baselines.rs"]
mod baselines;
#[path = "support/harness.rs"]
mod harness;
#[path = "support/workload.rs"]
mod workload;

use std::hint::black_box;
use std::sync::Arc;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

use software_statement::{
    merge, sign_jws, Algorithm, AlgorithmSet, Clock, FixedClock, Jwk, Limits, LoadOptions, Registrar, StatementBuilder,
    TrustFile, UnverifiedJws, ValidationOptions, BACKEND,
};

use baselines::{Josekit, JsonWebToken, RawSigner, RawVerifier};
use harness::{fmt_allocs, fmt_ratio, fmt_time, Case, Harness};
use workload::{b64, Workload, IAT, ISSUER, NOW};

#[global_allocator]
static ALLOC: alloc::CountingAlloc = alloc::CountingAlloc;

/// Allocation ceilings: heap allocation calls per operation (Rust allocator, measuring
/// thread; see `support/alloc.rs`), checked by every run — the smoke run (`-- --test`, what
/// CI runs) and full runs alike. A run fails, naming the operation, its ceiling and its
/// count, when a case allocates more than its ceiling.
///
/// These are deterministic ceilings, not timings: the same code makes the same calls on
/// any machine and any load, so a count above its ceiling is a regression, never noise.
/// Lower a ceiling when the code gets leaner; raise one only in the change that needs it,
/// saying why.
///
/// `(operation, case id, backend, ceiling)`: in the case id (`group/case`), `*` stands for
/// every algorithm; the backend is `*` or one backend's name ([`BACKEND`]). When several
/// rows match a case, the last one applies.
const ALLOC_CEILINGS: &[(&str, &str, &str, u64)] = &[
    ("jws verify", "verify/*/jws", "*", 2),
    ("statement verify", "verify/*/statement", "*", 50),
    ("merge + validate", "registration/merge+validate", "*", 65),
    ("Registrar::register", "registration/register", "*", 117),
    // ring reads the RSA public key (n, e) again at every verification, allocating in
    // Rust; aws-lc-rs keeps it parsed.
    ("jws verify", "verify/RS256/jws", "ring", 7),
    ("jws verify", "verify/PS256/jws", "ring", 7),
    ("statement verify", "verify/RS256/statement", "ring", 55),
    ("statement verify", "verify/PS256/statement", "ring", 55),
];

/// Registered claims the builder sets itself.
const BUILDER_SETS: [&str; 4] = ["iss", "iat", "exp", "jti"];

fn main() {
    let mut h = Harness::from_args();
    if h.write_workload {
        workload::write(h.filters());
        return;
    }
    let w = Workload::load();
    let clock: Arc<dyn Clock> = Arc::new(FixedClock::new(NOW));
    let trust_json = w.trust_json();
    let trust = TrustFile::from_json(
        &trust_json,
        "bench-trust.json",
        Some(LoadOptions::default().clock(clock.clone())),
    )
    .expect("the bench trust file loads");
    let verifier = trust.verifier();
    let set = w.public_set();
    let limits = Limits::default();

    for c in &w.algs {
        let alg = c.alg;
        let token = c.token.as_str();
        let msg = c.signing_input().as_bytes();
        let sig = c.signature();
        let allowed = AlgorithmSet::of(&[alg]);

        // ---- verify ----
        let raw = RawVerifier::new(c);
        let jwt = JsonWebToken::new(c);
        let jose = Josekit::new(c);
        // The floor of any compact-JWS verifier on this base64 crate: the raw primitive
        // plus decoding the three segments (into buffers allocated once).
        let segments: Vec<&str> = token.split('.').collect();
        let mut decoded: Vec<Vec<u8>> = segments.iter().map(|s| vec![0u8; s.len().div_ceil(4) * 3]).collect();
        let mut cases = vec![
            Case::new("raw", || raw.verify(black_box(msg), black_box(&sig))),
            Case::new("raw+b64", || {
                let mut lens = [0usize; 3];
                for (i, (s, out)) in segments.iter().zip(decoded.iter_mut()).enumerate() {
                    lens[i] = URL_SAFE_NO_PAD.decode_slice(black_box(s), out).unwrap();
                }
                raw.verify(black_box(msg), &decoded[2][..lens[2]]);
            }),
            Case::new("jws", || {
                let v = UnverifiedJws::parse(black_box(token), &limits)
                    .unwrap()
                    .verify(&set, allowed)
                    .unwrap();
                black_box(v);
            }),
            Case::new("statement", || {
                black_box(verifier.verify(black_box(token)).unwrap());
            }),
        ];
        if let Some(jwt) = &jwt {
            cases.push(Case::new("jsonwebtoken", move || {
                black_box(jwt.verify(black_box(token)));
            }));
        }
        if let Some(jose) = &jose {
            cases.push(Case::new("josekit", move || {
                black_box(jose.verify(black_box(token)));
            }));
        }
        h.group(&format!("verify/{alg}"), cases);

        // ---- sign ----
        let mut raw_signer = RawSigner::new(c);
        let rng = baselines::rng();
        let extra = c.extra_header();
        let payload = w.payload.as_slice();
        let mut statement_claims = w.claims.clone();
        for name in BUILDER_SETS {
            statement_claims.remove(name);
        }
        let builder = StatementBuilder::new(ISSUER)
            .claims(statement_claims)
            .issued_at(IAT)
            .ttl(365 * 24 * 3600)
            .typ("JWT")
            .algorithm(alg);
        let jose_payload = Josekit::payload(&w.claims);
        let key = &c.key;
        // Our signature over the workload payload is the workload token (up to the
        // randomised ECDSA/PSS signature): same header, same signing input.
        let ours = sign_jws(key, alg, &extra, payload).unwrap();
        assert_eq!(&ours[..ours.rfind('.').unwrap()], c.signing_input());
        // The floor of any compact-JWS signer on this base64 crate: the raw primitive plus
        // encoding header, payload and signature (into a buffer allocated once).
        let header_json = b64(&token[..token.find('.').unwrap()]);
        let mut floor_signer = RawSigner::new(c);
        let mut encoded: Vec<u8> = Vec::with_capacity(token.len() + 64);
        let mut cases = vec![
            Case::new("raw", || {
                black_box(raw_signer.sign(&rng, black_box(msg)));
            }),
            Case::new("raw+b64", || {
                encoded.clear();
                append_b64(black_box(&header_json), &mut encoded);
                encoded.push(b'.');
                append_b64(black_box(payload), &mut encoded);
                let sig = floor_signer.sign_to_vec(&rng, &encoded);
                encoded.push(b'.');
                append_b64(&sig, &mut encoded);
                black_box(&encoded);
            }),
            Case::new("jws", || {
                black_box(sign_jws(key, alg, &extra, black_box(payload)).unwrap());
            }),
            Case::new("statement", || {
                black_box(builder.sign(key).unwrap());
            }),
        ];
        if let Some(jwt) = &jwt {
            let claims = &w.claims;
            cases.push(Case::new("jsonwebtoken", move || {
                black_box(jwt.sign(black_box(claims)));
            }));
        }
        if let Some(jose) = &jose {
            let jose_payload = &jose_payload;
            cases.push(Case::new("josekit", move || {
                black_box(jose.sign(black_box(jose_payload)));
            }));
        }
        h.group(&format!("sign/{alg}"), cases);

        // ---- key import ----
        h.group(
            &format!("import/{alg}"),
            vec![
                Case::new("public", || {
                    black_box(Jwk::from_json(black_box(&c.public_json)).unwrap());
                }),
                Case::new("private", || {
                    black_box(Jwk::from_json(black_box(&c.private_json)).unwrap());
                }),
            ],
        );
    }

    // ---- registration ----
    if let Some(es256) = w.alg(Algorithm::ES256) {
        let token = es256.token.as_str();
        assert_eq!(w.request["software_statement"], token);
        let claims = verifier.verify(token).unwrap().into_claims();
        let options = ValidationOptions::default();
        let request = &w.request;
        let registrar = Registrar::from_trust_file(&trust);
        let merged = merge(request, Some((token, &claims)));
        merged
            .metadata
            .validate(&options)
            .expect("the merged workload is valid");
        h.group(
            "registration",
            vec![
                Case::new("merge+validate", || {
                    let m = merge(black_box(request), Some((token, black_box(&claims))));
                    m.metadata.validate(&options).unwrap();
                    black_box(m);
                }),
                Case::new("merge", || {
                    black_box(merge(black_box(request), Some((token, black_box(&claims)))));
                }),
                Case::new("validate", || {
                    black_box(&merged.metadata).validate(&options).unwrap();
                }),
                Case::new("register", || {
                    black_box(registrar.register(black_box(request)).unwrap());
                }),
            ],
        );
    }

    // ---- trust file ----
    // `load`: the classical keys (RSA, EC, Ed25519, HMAC), as before ML-DSA; `load+ml-dsa`:
    // every workload key, the ML-DSA public keys included.
    let classical_json = w.trust_json_of(|alg| alg.ml_dsa().is_none());
    let mut cases = vec![Case::new("load", || {
        black_box(TrustFile::from_json(black_box(&classical_json), "bench-trust.json", None).unwrap());
    })];
    if w.algs.iter().any(|c| c.alg.ml_dsa().is_some()) {
        cases.push(Case::new("load+ml-dsa", || {
            black_box(TrustFile::from_json(black_box(&trust_json), "bench-trust.json", None).unwrap());
        }));
    }
    h.group("trust-file", cases);

    // ---- warm jwks_uri cache ----
    #[cfg(feature = "remote")]
    remote::bench(&mut h, &w, &clock);

    // ---- replay guard ----
    #[cfg(feature = "remote")]
    replay::bench(&mut h);

    // ---- signed request: registration against the sum of its parts ----
    #[cfg(feature = "remote")]
    signed::bench(&mut h, &w);

    print_report(&h, &w);
    if h.ran_anything() && !check_alloc_ceilings(&h) {
        std::process::exit(1);
    }
}

/// Whether `id` (`group/case`) is one of the cases `pattern` names (`*`: any algorithm).
fn case_matches(pattern: &str, id: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == id,
        Some((prefix, suffix)) => {
            id.len() >= prefix.len() + suffix.len()
                && id.starts_with(prefix)
                && id.ends_with(suffix)
                && !id[prefix.len()..id.len() - suffix.len()].contains('/')
        }
    }
}

/// Checks [`ALLOC_CEILINGS`] against what ran and prints every check; `false` (after a
/// message on stderr for each) when a case is over its ceiling, or when an unfiltered run
/// measured no case for a ceiling (a renamed case must not turn the check off).
fn check_alloc_ceilings(h: &Harness) -> bool {
    let rows: Vec<_> = ALLOC_CEILINGS
        .iter()
        .filter(|(_, _, backend, _)| *backend == "*" || *backend == BACKEND)
        .collect();
    let mut failures = Vec::new();
    let mut checked = vec![false; rows.len()];
    println!();
    println!("### Allocation ceilings (deterministic; a run above one fails)");
    println!();
    println!("| operation | case | allocs | ceiling | |");
    println!("|---|---|--:|--:|---|");
    for (id, stats) in h.all() {
        let Some(i) = rows.iter().rposition(|(_, pattern, _, _)| case_matches(pattern, id)) else {
            continue;
        };
        let (operation, _, _, ceiling) = *rows[i];
        checked[i] = true;
        let ok = stats.allocs <= ceiling as f64;
        println!(
            "| {operation} | {id} | {} | {ceiling} | {} |",
            fmt_allocs(stats.allocs),
            if ok { "ok" } else { "**over**" }
        );
        if !ok {
            failures.push(format!(
                "allocation ceiling exceeded: {operation} ({id}) made {} allocations per operation; \
                 its ceiling is {ceiling}",
                fmt_allocs(stats.allocs)
            ));
        }
    }
    println!();
    if !h.filtered() {
        for ((operation, pattern, backend, ceiling), done) in rows.iter().zip(&checked) {
            if !done && *backend == "*" {
                failures.push(format!(
                    "allocation ceiling not checked: no case {pattern} ran for {operation} (ceiling {ceiling})"
                ));
            }
        }
    }
    for f in &failures {
        eprintln!("{f}");
    }
    if !failures.is_empty() {
        eprintln!(
            "{} allocation check(s) failed; the ceilings are ALLOC_CEILINGS in benches/verify.rs",
            failures.len()
        );
    }
    failures.is_empty()
}

#[cfg(feature = "remote")]
mod remote {
    use std::hint::black_box;
    use std::sync::Arc;

    use software_statement::{
        AddressScope, Clock, IssuerPolicy, JwkSet, KeySource, RemoteJwks, RemoteOptions, Verifier,
    };
    use software_statement_test_support::{JwksServer, Reply};

    use super::harness::{Case, Harness};
    use super::workload::{Workload, ISSUER};

    fn policy(keys: KeySource) -> IssuerPolicy {
        IssuerPolicy::new(keys).require_claim("software_id").max_age(31_536_000)
    }

    fn verifier(keys: KeySource, clock: &Arc<dyn Clock>) -> Verifier {
        Verifier::builder()
            .issuer(ISSUER, policy(keys))
            .leeway(60)
            .unwrap()
            .clock(clock.clone())
            .build()
    }

    pub fn bench(h: &mut Harness, w: &Workload, clock: &Arc<dyn Clock>) {
        let wanted: Vec<_> = w.algs.iter().filter(|c| !c.alg.is_hmac()).collect();
        if !wanted
            .iter()
            .any(|c| h.enabled(&format!("jwks_uri/{}", c.alg)) || h.enabled("jwks_uri/cold"))
        {
            return;
        }
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let published = w.published_jwks();
        let reply = Reply::json(published.clone()).header("Cache-Control", "max-age=3600");
        let server = rt.block_on(JwksServer::https(reply));
        let options = || {
            RemoteOptions::default()
                .address_scope(AddressScope::AlsoLoopback)
                .add_root_certificate(server.cert.clone())
                .clock(clock.clone())
        };
        let remote = {
            let _g = rt.enter();
            Arc::new(RemoteJwks::new(&server.url("/jwks.json"), options()).unwrap())
        };
        rt.block_on(remote.keys()).expect("the loopback jwks_uri is fetched");
        assert_eq!(server.requests(), 1);
        let inline = verifier(KeySource::Jwks(Arc::new(JwkSet::from_json(&published).unwrap())), clock);
        let cached = verifier(KeySource::Remote(remote), clock);
        for c in &wanted {
            let token = c.token.as_str();
            h.group(
                &format!("jwks_uri/{}", c.alg),
                vec![
                    Case::new("inline", || {
                        black_box(inline.verify(black_box(token)).unwrap());
                    }),
                    Case::new("remote", || {
                        black_box(cached.verify(black_box(token)).unwrap());
                    }),
                    Case::new("inline-async", || {
                        black_box(rt.block_on(inline.verify_async(black_box(token))).unwrap());
                    }),
                    Case::new("remote-async", || {
                        black_box(rt.block_on(cached.verify_async(black_box(token))).unwrap());
                    }),
                ],
            );
        }
        // Warm means warm: the measured verifications fetched nothing.
        assert_eq!(server.requests(), 1, "a warm cache must not refetch");

        // N concurrent verifications on a cold cache: exactly one fetch (not timed).
        if h.enabled("jwks_uri/cold") {
            let before = server.requests();
            let cold = {
                let _g = rt.enter();
                Arc::new(verifier(
                    KeySource::Remote(Arc::new(RemoteJwks::new(&server.url("/jwks.json"), options()).unwrap())),
                    clock,
                ))
            };
            let token = Arc::new(wanted[0].token.clone());
            rt.block_on(async {
                let tasks: Vec<_> = (0..COLD_TASKS)
                    .map(|_| {
                        let (cold, token) = (cold.clone(), token.clone());
                        tokio::spawn(async move { cold.verify_async(&token).await.map(|_| ()) })
                    })
                    .collect();
                for t in tasks {
                    t.await.unwrap().unwrap();
                }
            });
            let fetches = server.requests() - before;
            assert_eq!(fetches, 1, "{COLD_TASKS} concurrent verifications on a cold cache");
            eprintln!("ok  jwks_uri/cold: {COLD_TASKS} concurrent verifications, {fetches} fetch");
            COLD_FETCHES.store(fetches, std::sync::atomic::Ordering::SeqCst);
        }
    }

    pub const COLD_TASKS: usize = 32;
    pub static COLD_FETCHES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
}

/// The replay guard's cost per registration: the same signed request (ES256 statement and
/// request, async entry point) registered with no guard, with the in-memory guard, and with
/// the Redis guard over loopback (feature `redis`; a `redis-server` the bench starts, or the
/// row is skipped). Every check is a first use: an adapter gives each check a key of its
/// own, the same extra work in every case.
#[cfg(feature = "remote")]
mod replay {
    use std::hint::black_box;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::Arc;

    use serde_json::{json, Value};
    use software_statement::{
        Algorithm, FixedClock, GuardFuture, IssuerPolicy, Jwk, JwkSet, MemoryReplayGuard, Registrar,
        RegistrationRequestBuilder, ReplayGuard, Seen, SignedRequestPolicy, StatementBuilder, Verifier,
    };

    use super::harness::{fmt_allocs, fmt_ratio, fmt_time, Case, Harness};

    const GROUP: &str = "replay";
    pub(super) const ISS: &str = "https://directory.example.org";
    pub(super) const AS: &str = "https://as.example.org";

    /// No guard: every token is a first use, at once.
    #[derive(Debug)]
    pub(super) struct NoGuard;

    impl ReplayGuard for NoGuard {
        fn record<'a>(&'a self, _key: &'a str, _expires_at: u64, _now: u64) -> GuardFuture<'a> {
            Box::pin(std::future::ready(Ok(Seen::First)))
        }
    }

    /// Gives each check a key of its own (the registrar's key and a counter), so that
    /// registering one request again and again measures first uses.
    #[derive(Debug)]
    struct Fresh<G> {
        guard: G,
        n: AtomicU64,
    }

    impl<G: ReplayGuard> ReplayGuard for Fresh<G> {
        fn record<'a>(&'a self, key: &'a str, expires_at: u64, now: u64) -> GuardFuture<'a> {
            let key = format!("{key}:{}", self.n.fetch_add(1, Ordering::Relaxed));
            Box::pin(async move { self.guard.record(&key, expires_at, now).await })
        }
    }

    fn fresh(guard: impl ReplayGuard + 'static) -> Arc<dyn ReplayGuard> {
        Arc::new(Fresh {
            guard,
            n: AtomicU64::new(0),
        })
    }

    /// The client's ES256 signing key (`kid` `c1`).
    pub(super) fn client_key() -> Jwk {
        Jwk::generate(Algorithm::ES256).unwrap().with_kid("c1").unwrap()
    }

    /// One signed registration request (the replay and signed groups): a statement from
    /// [`ISS`] signed by `directory`, with `software_id` and the client's keys
    /// (`client_keys`: `("jwks", set)` or `("jwks_uri", uri)`), inside a request to [`AS`]
    /// signed by `client` whose metadata is one redirect URI; both issued at `now`.
    /// Returns the statement and the request.
    pub(super) fn signed_request(
        directory: &Jwk,
        client: &Jwk,
        client_keys: (&str, Value),
        now: u64,
    ) -> (String, String) {
        let statement = StatementBuilder::new(ISS)
            .claim("software_id", "app-1")
            .claim(client_keys.0, client_keys.1)
            .issued_at(now)
            .ttl(86_400)
            .sign(directory)
            .unwrap();
        let request = RegistrationRequestBuilder::new(&statement)
            .audience(AS)
            .issued_at(now)
            .ttl(3600)
            .metadata(
                json!({"redirect_uris": ["https://app.example/cb"]})
                    .as_object()
                    .unwrap()
                    .clone(),
            )
            .sign(client)
            .unwrap();
        (statement, request)
    }

    /// A registrar trusting `directory` for [`ISS`] (inline key, clock fixed at `now`),
    /// accepting signed requests to [`AS`], with `guard`.
    pub(super) fn registrar(directory: &Jwk, now: u64, guard: Arc<dyn ReplayGuard>) -> Registrar {
        let keys = JwkSet::new(vec![directory.to_public().unwrap()]).unwrap();
        let verifier = Verifier::builder()
            .issuer(ISS, IssuerPolicy::with_jwks(keys))
            .clock(Arc::new(FixedClock::new(now)))
            .build();
        Registrar::new(verifier)
            .signed_requests(SignedRequestPolicy::new(AS))
            .replay_guard(guard)
    }

    pub fn bench(h: &mut Harness) {
        if !h.enabled(GROUP) {
            return;
        }
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        // Real time: Redis reads `EXAT` by its own clock.
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let directory = Jwk::generate(Algorithm::ES256).unwrap();
        let client = client_key();
        let jwks = json!({"keys": [client.to_public().unwrap().to_value()]});
        let (_, request) = signed_request(&directory, &client, ("jwks", jwks), now);
        let registrar = |guard: Arc<dyn ReplayGuard>| registrar(&directory, now, guard);
        let body = request.as_bytes();
        let none = registrar(fresh(NoGuard));
        let memory = registrar(fresh(MemoryReplayGuard::default()));
        let register = |r: &Registrar| {
            black_box(
                rt.block_on(r.register_body_async(black_box(body), "application/jwt"))
                    .unwrap(),
            );
        };
        #[cfg(feature = "redis")]
        let redis =
            software_statement_test_support::redis::RedisServer::start("the replay/redis bench case").map(|server| {
                let guard = rt
                    .block_on(software_statement::RedisReplayGuard::connect(&server.url()))
                    .expect("the bench's redis-server answers");
                (server, registrar(fresh(guard)))
            });
        #[cfg_attr(not(feature = "redis"), allow(unused_mut))]
        let mut cases = vec![
            Case::new("none", || register(&none)),
            Case::new("memory", || register(&memory)),
        ];
        #[cfg(feature = "redis")]
        if let Some((_server, redis)) = &redis {
            cases.push(Case::new("redis", || register(redis)));
        }
        #[cfg(not(feature = "redis"))]
        eprintln!("skipped: replay/redis (needs --features redis)");
        h.group(GROUP, cases);
    }

    /// The table of the replay guard's cost per registration.
    pub fn print(h: &Harness) {
        let id = |case: &str| format!("{GROUP}/{case}");
        let Some(none) = h.get(&id("none")) else {
            return;
        };
        println!("### Replay guard (per signed-request registration)");
        println!();
        println!("| guard | registration | allocs | ÷ no guard | guard's cost |");
        println!("|---|--:|--:|--:|--:|");
        for (case, name) in [
            ("none", "none"),
            ("memory", "`MemoryReplayGuard`"),
            ("redis", "`RedisReplayGuard`, loopback"),
        ] {
            match h.get(&id(case)) {
                Some(s) => println!(
                    "| {name} | {} | {} | {} | +{} |",
                    fmt_time(s.median),
                    fmt_allocs(s.allocs),
                    fmt_ratio(s.median, none.median),
                    fmt_time((s.median - none.median).max(0.0))
                ),
                None => println!("| {name} | skipped | | | |"),
            }
        }
        println!();
        println!(
            "`Registrar::register_body_async` of one ES256 signed request (ES256 statement), each check a first \
             use. Redis: `redis-server` on 127.0.0.1 started by the bench (`--features remote,redis`)."
        );
        println!();
    }
}

/// A signed-request registration against the sum of its parts (issue 11, item 5), per
/// statement algorithm: the statement (ES256 or PS256, the Open Banking shape) names the
/// client's ES256 keys by `jwks_uri`, served over HTTPS on 127.0.0.1 by the bench and
/// fetched once before measuring (the client-key cache warm); the guard always answers
/// `Seen::First`, so that one request registers again and again. The parts run on the
/// same inputs, in the same interleaved group.
#[cfg(feature = "remote")]
mod signed {
    use std::hint::black_box;
    use std::sync::Arc;

    use serde_json::{json, Map, Value};
    use software_statement::{
        merge, parse_json_object, AddressScope, Algorithm, JwkSet, Limits, RemoteOptions, SignedRequestPolicy,
        UnverifiedJws, ValidationOptions, VerifiedStatement, DEFAULT_MAX_REQUEST_BYTES, JWT_CLAIMS,
    };
    use software_statement_test_support::{JwksServer, Reply};

    use super::harness::{fmt_allocs, fmt_ratio, fmt_time, Case, Harness};
    use super::replay::{client_key, registrar, signed_request, NoGuard, AS};
    use super::workload::Workload;

    /// Register ÷ the sum of its parts, at most.
    pub const TARGET: f64 = 1.10;

    /// The statement algorithms (the request is ES256 in both).
    const STATEMENT_ALGS: [Algorithm; 2] = [Algorithm::ES256, Algorithm::PS256];

    /// The parts of a registration, as `(case, name)`.
    const PARTS: [(&str, &str); 3] = [
        ("statement-verify", "statement verify"),
        ("request-verify", "request verify"),
        ("merge-validate", "merge + validate"),
    ];

    fn group(alg: Algorithm) -> String {
        format!("signed/{alg}")
    }

    /// What `register_body` does to the request itself, through the public API: steps 1
    /// and 2 (the strict JWS parse under the request size cap, the payload as a strict JSON
    /// object, its `software_statement` copied out), 5 (the signature, with the client's
    /// keys) and 6 (`iss`, `aud`, `exp`, `iat`, `nbf`, `jti`, the request's `alg`, `kid`
    /// and `jti` kept), then the JWT claims removed (step 7). Returns the plain request.
    fn request_verify(
        body: &[u8],
        limits: &Limits,
        keys: &JwkSet,
        statement: &VerifiedStatement,
        policy: &SignedRequestPolicy,
        now: u64,
        leeway: u64,
    ) -> Map<String, Value> {
        let token = std::str::from_utf8(body).unwrap().trim();
        let jws = UnverifiedJws::parse(token, limits).unwrap();
        let mut claims = parse_json_object(jws.payload(), limits.depth()).unwrap();
        let Some(Value::String(ssa)) = claims.get("software_statement") else {
            panic!("the request carries a software_statement string");
        };
        black_box(ssa.clone());
        let verified = jws.verify(keys, policy.allowed_algorithms()).unwrap();
        let software_id = statement.claims().get("software_id").and_then(Value::as_str);
        assert!(software_id.is_some() && claims.get("iss").and_then(Value::as_str) == software_id);
        let aud_ok = match claims.get("aud") {
            Some(Value::String(aud)) => aud == policy.audience(),
            Some(Value::Array(list)) => list.iter().any(|a| a.as_str() == Some(policy.audience())),
            _ => false,
        };
        assert!(aud_ok, "aud");
        let date = |name: &str| claims.get(name).map(|v| v.as_f64().unwrap());
        let (now, leeway) = (now as f64, leeway as f64);
        assert!(now < date("exp").unwrap() + leeway, "exp");
        let iat = date("iat").unwrap();
        assert!(
            iat <= now + leeway && now <= iat + policy.allowed_age() as f64 + leeway,
            "iat"
        );
        assert!(date("nbf").is_none_or(|nbf| nbf <= now + leeway), "nbf");
        let jti = match claims.get("jti") {
            Some(Value::String(jti)) if !jti.is_empty() && jti.len() <= 256 => jti.clone(),
            _ => panic!("jti"),
        };
        let header = verified.header();
        black_box((header.alg(), header.kid().map(str::to_owned), jti));
        claims.retain(|name, _| !JWT_CLAIMS.contains(&name.as_str()));
        claims
    }

    pub fn bench(h: &mut Harness, w: &Workload) {
        let algs: Vec<Algorithm> = STATEMENT_ALGS
            .into_iter()
            .filter(|alg| w.alg(*alg).is_some() && h.enabled(&group(*alg)))
            .collect();
        if algs.is_empty() {
            return;
        }
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        // The client's keys, published at its jwks_uri.
        let client = client_key();
        let client_keys = JwkSet::new(vec![client.to_public().unwrap()]).unwrap();
        let published = json!({"keys": [client.to_public().unwrap().to_value()]}).to_string();
        let reply = Reply::json(published).header("Cache-Control", "max-age=3600");
        let server = rt.block_on(JwksServer::https(reply));
        let jwks_uri = server.url("/client-jwks.json");
        // Like a trust file's `allow_http_loopback`: the jwks_uri is on 127.0.0.1.
        let options = ValidationOptions::default().allow_http_loopback(true);
        let policy = SignedRequestPolicy::new(AS);
        let limits = Limits::default().max_token_bytes(DEFAULT_MAX_REQUEST_BYTES);
        for alg in algs {
            let directory = &w.alg(alg).unwrap().key;
            let (ssa, request) = signed_request(directory, &client, ("jwks_uri", Value::from(jwks_uri.as_str())), now);
            let body = request.as_bytes();
            let registrar = registrar(directory, now, Arc::new(NoGuard))
                .validation(options.clone())
                .client_key_options(
                    RemoteOptions::default()
                        .address_scope(AddressScope::AlsoLoopback)
                        .add_root_certificate(server.cert.clone()),
                );
            // Warm the client-key cache: the one fetch.
            let before = server.requests();
            rt.block_on(registrar.register_body_async(body, "application/jwt"))
                .expect("the signed request registers");
            assert_eq!(server.requests(), before + 1, "the warm-up fetches the client's keys");
            // The parts' inputs: what the registration computes on the way.
            let verifier = registrar.verifier();
            let statement = verifier.verify(&ssa).unwrap();
            let leeway = verifier.leeway_seconds();
            let plain = request_verify(body, &limits, &client_keys, &statement, &policy, now, leeway);
            let expected = registrar.register_body(body, "application/jwt").unwrap();
            let merged = merge(&plain, Some((&ssa, statement.claims())));
            assert_eq!(
                merged.metadata, expected.metadata,
                "the parts compute the registration's metadata"
            );
            h.group(
                &group(alg),
                vec![
                    Case::new("register", || {
                        black_box(registrar.register_body(black_box(body), "application/jwt").unwrap());
                    }),
                    Case::new("statement-verify", || {
                        black_box(verifier.verify(black_box(&ssa)).unwrap());
                    }),
                    Case::new("request-verify", || {
                        black_box(request_verify(
                            black_box(body),
                            &limits,
                            &client_keys,
                            &statement,
                            &policy,
                            now,
                            leeway,
                        ));
                    }),
                    Case::new("merge-validate", || {
                        let m = merge(black_box(&plain), Some((&ssa, black_box(statement.claims()))));
                        m.metadata.validate(&options).unwrap();
                        black_box(m);
                    }),
                    Case::new("register-async", || {
                        black_box(
                            rt.block_on(registrar.register_body_async(black_box(body), "application/jwt"))
                                .unwrap(),
                        );
                    }),
                ],
            );
            // Warm means warm: nothing measured fetched.
            assert_eq!(
                server.requests(),
                before + 1,
                "a warm client-key cache must not refetch"
            );
        }
    }

    /// The sum of the parts' medians and allocations, if they all ran.
    fn sum(h: &Harness, alg: Algorithm) -> Option<(f64, f64)> {
        PARTS.iter().try_fold((0.0, 0.0), |(t, a), (case, _)| {
            let s = h.get(&format!("{}/{case}", group(alg)))?;
            Some((t + s.median, a + s.allocs))
        })
    }

    /// Register ÷ the sum of its parts.
    pub fn ratio(h: &Harness, alg: Algorithm) -> Option<f64> {
        let register = h.get(&format!("{}/register", group(alg)))?;
        Some(register.median / sum(h, alg)?.0)
    }

    /// The statement algorithms that ran, for the targets.
    pub fn algs() -> [Algorithm; 2] {
        STATEMENT_ALGS
    }

    /// The table: a registration against the sum of its parts.
    pub fn print(h: &Harness) {
        let algs: Vec<Algorithm> = STATEMENT_ALGS
            .into_iter()
            .filter(|alg| h.get(&format!("{}/register", group(*alg))).is_some())
            .collect();
        if algs.is_empty() {
            return;
        }
        println!("### Signed-request registration (warm client-key cache) against the sum of its parts");
        println!();
        let mut head = String::from("| operation |");
        let mut rule = String::from("|---|");
        for alg in &algs {
            head.push_str(&format!(" {alg} statement, ES256 request | allocs |"));
            rule.push_str("--:|--:|");
        }
        println!("{head}");
        println!("{rule}");
        let cell = |id: String| match h.get(&id) {
            Some(s) => format!(" {} | {} |", fmt_time(s.median), fmt_allocs(s.allocs)),
            None => " — | — |".into(),
        };
        let row = |name: &str, case: &str| {
            let cells: String = algs.iter().map(|alg| cell(format!("{}/{case}", group(*alg)))).collect();
            println!("| {name} |{cells}");
        };
        row("`Registrar::register_body` (*register*)", "register");
        for (case, name) in PARTS {
            row(name, case);
        }
        let sums: String = algs
            .iter()
            .map(|alg| match sum(h, *alg) {
                Some((t, a)) => format!(" {} | {} |", fmt_time(t), fmt_allocs(a)),
                None => " — | — |".into(),
            })
            .collect();
        println!("| *sum of the parts* |{sums}");
        let ratios: String = algs
            .iter()
            .map(|alg| {
                match (
                    ratio(h, *alg),
                    sum(h, *alg),
                    h.get(&format!("{}/register", group(*alg))),
                ) {
                    (Some(r), Some((_, a)), Some(reg)) => format!(
                        " {r:.3}× ({}) | {}{} |",
                        if r <= TARGET { "met" } else { "**missed**" },
                        if reg.allocs >= a { "+" } else { "" },
                        fmt_allocs(reg.allocs - a)
                    ),
                    _ => " — | — |".into(),
                }
            })
            .collect();
        println!("| *register ÷ sum* (target ≤ {TARGET:.2}×) |{ratios}");
        let asyncs: String = algs
            .iter()
            .map(|alg| {
                let id = format!("{}/register-async", group(*alg));
                let register = format!("{}/register", group(*alg));
                match (h.get(&id), h.get(&register)) {
                    (Some(s), Some(r)) => format!(
                        " {} ({} register) | {} |",
                        fmt_time(s.median),
                        fmt_ratio(s.median, r.median),
                        fmt_allocs(s.allocs)
                    ),
                    _ => " — | — |".into(),
                }
            })
            .collect();
        println!("| `register_body_async`, for reference |{asyncs}");
        println!();
        println!(
            "One signed request (ES256, metadata: one redirect URI) carrying a statement (`software_id`, \
             `jwks_uri`); the client's keys fetched once before measuring from the `jwks_uri` the bench serves \
             over HTTPS on 127.0.0.1; the replay guard always answers `Seen::First`. *statement verify*: \
             `Verifier::verify` of the statement. *request verify*: `UnverifiedJws::parse` + the payload by \
             `parse_json_object` + `verify` with the client's key set + the request's claims (`iss`, `aud`, \
             times, `jti`) + the JWT claims removed. *merge + validate*: `merge` of that plain request with the \
             statement's claims + `ClientMetadata::validate`."
        );
        println!();
    }
}

/// `a ÷ b` with three decimals, for the targets (a 1.05× bound needs them).
fn fmt_ratio3(a: f64, b: f64) -> String {
    format!("{:.3}×", a / b)
}

/// Appends base64url (no padding) to `out`, encoding in place.
fn append_b64(bytes: &[u8], out: &mut Vec<u8>) {
    let start = out.len();
    out.resize(start + bytes.len().div_ceil(3) * 4, 0);
    let n = URL_SAFE_NO_PAD.encode_slice(bytes, &mut out[start..]).unwrap();
    out.truncate(start + n);
}

// ---------------------------------------------------------------------------------------
// The report.

/// A table cell for the median of `id`.
fn t(h: &Harness, id: &str) -> String {
    h.get(id).map_or_else(|| "—".into(), |s| fmt_time(s.median))
}

/// `a ÷ b` of two medians.
fn r(h: &Harness, a: &str, b: &str) -> String {
    match (h.get(a), h.get(b)) {
        (Some(a), Some(b)) => fmt_ratio(a.median, b.median),
        _ => "—".into(),
    }
}

fn al(h: &Harness, id: &str) -> String {
    h.get(id).map_or_else(|| "—".into(), |s| fmt_allocs(s.allocs))
}

fn print_report(h: &Harness, w: &Workload) {
    if !h.ran_anything() {
        if !h.list {
            eprintln!("no group matched the filters");
        }
        return;
    }
    let algs: Vec<Algorithm> = w.algs.iter().map(|c| c.alg).collect();
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!();
    println!("## software-statement benchmarks");
    println!();
    println!(
        "Backend `{}`; {} CPUs; workload `test-vectors/bench/` (20-claim statement, {}-byte payload; \
         15-member request).",
        BACKEND,
        cpus,
        w.payload.len()
    );
    if h.smoke {
        println!("Smoke run (`--test`): every case ran once and checked its result; no timing.");
        println!();
        print_allocs(h, &algs);
        return;
    }
    println!("Median time per operation ({}).", h.describe());
    println!("Raw primitive: {}.", baselines::RAW_PRIMITIVE);
    println!("Ratios `a ÷ b` below 1 mean *a* is faster. Allocations: Rust heap allocation calls per operation.");
    println!();

    println!("### Verify (keys built once)");
    println!();
    println!(
        "| alg | raw primitive | jws verify | ÷ raw | statement verify | ÷ raw | jsonwebtoken | josekit \
         | statement ÷ jsonwebtoken | statement ÷ josekit | allocs jws / statement |"
    );
    println!("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
    for alg in &algs {
        let g = format!("verify/{alg}");
        let id = |c: &str| format!("{g}/{c}");
        if h.get(&id("raw")).is_none() {
            continue;
        }
        println!(
            "| {alg} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} / {} |",
            t(h, &id("raw")),
            t(h, &id("jws")),
            r(h, &id("jws"), &id("raw")),
            t(h, &id("statement")),
            r(h, &id("statement"), &id("raw")),
            t(h, &id("jsonwebtoken")),
            t(h, &id("josekit")),
            r(h, &id("statement"), &id("jsonwebtoken")),
            r(h, &id("statement"), &id("josekit")),
            al(h, &id("jws")),
            al(h, &id("statement")),
        );
    }
    println!();
    println!(
        "*jws verify*: `UnverifiedJws::parse(..).verify(&JwkSet, ..)` (header parsed, payload returned as bytes). \
         *statement verify*: `Verifier::verify` (trust file: key by `kid`, claims parsed strictly into a map, \
         `iss`, times, `max_age`, required claim). jsonwebtoken: `decode::<serde_json::Value>`; josekit: \
         `jwt::decode_with_verifier` — both parse the claims too, so they compare with *statement verify*."
    );
    println!();

    println!("### Sign (key loaded once)");
    println!();
    println!(
        "| alg | raw primitive | jws::sign | ÷ raw | StatementBuilder::sign | ÷ raw | jsonwebtoken | josekit \
         | builder ÷ jsonwebtoken | builder ÷ josekit | allocs jws / builder |"
    );
    println!("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
    for alg in &algs {
        let g = format!("sign/{alg}");
        let id = |c: &str| format!("{g}/{c}");
        if h.get(&id("raw")).is_none() {
            continue;
        }
        println!(
            "| {alg} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} / {} |",
            t(h, &id("raw")),
            t(h, &id("jws")),
            r(h, &id("jws"), &id("raw")),
            t(h, &id("statement")),
            r(h, &id("statement"), &id("raw")),
            t(h, &id("jsonwebtoken")),
            t(h, &id("josekit")),
            r(h, &id("statement"), &id("jsonwebtoken")),
            r(h, &id("statement"), &id("josekit")),
            al(h, &id("jws")),
            al(h, &id("statement")),
        );
    }
    println!();
    println!(
        "*raw*: the primitive over the token's signing input. *jws::sign*: header + base64url + signature from \
         the payload bytes. *StatementBuilder::sign*: random `jti`, claims written from the builder into the \
         token and encoded in place, then signed as by jws::sign — compare it with jsonwebtoken `encode` and josekit `encode_with_signer`, which serialize \
         the claims too."
    );
    println!();

    println!("### Registration, trust file, keys");
    println!();
    println!("| operation | median | allocs | compared with | ratio |");
    println!("|---|--:|--:|---|--:|");
    let row = |name: &str, id: &str, vs: Option<(&str, &str)>| {
        if h.get(id).is_none() {
            return;
        }
        let (vs_name, ratio) = match vs {
            Some((label, other)) if h.get(other).is_some() => (label.to_owned(), r(h, id, other)),
            _ => (String::new(), String::new()),
        };
        println!("| {name} | {} | {} | {vs_name} | {ratio} |", t(h, id), al(h, id));
    };
    row(
        "merge + validate (20 claims over 15 members)",
        "registration/merge+validate",
        None,
    );
    row("merge only", "registration/merge", None);
    row("validate only", "registration/validate", None);
    row(
        "Registrar::register (verify ES256 + merge + validate)",
        "registration/register",
        None,
    );
    row("TrustFile::from_json (1 issuer, inline keys)", "trust-file/load", None);
    row(
        "TrustFile::from_json, with the 3 ML-DSA keys too",
        "trust-file/load+ml-dsa",
        Some(("without them", "trust-file/load")),
    );
    for alg in &algs {
        row(
            &format!("statement verify {alg}, warm jwks_uri cache"),
            &format!("jwks_uri/{alg}/remote"),
            Some(("inline keys", &format!("jwks_uri/{alg}/inline"))),
        );
        row(
            &format!("verify_async {alg}, warm jwks_uri cache"),
            &format!("jwks_uri/{alg}/remote-async"),
            Some(("inline keys, async", &format!("jwks_uri/{alg}/inline-async"))),
        );
    }
    for alg in &algs {
        row(
            &format!("Jwk::from_json, public {alg}"),
            &format!("import/{alg}/public"),
            None,
        );
        row(
            &format!("Jwk::from_json, private {alg}"),
            &format!("import/{alg}/private"),
            None,
        );
    }
    println!();

    #[cfg(feature = "remote")]
    replay::print(h);
    #[cfg(feature = "remote")]
    signed::print(h);
    #[cfg(not(feature = "remote"))]
    println!("(The warm `jwks_uri` cache rows need `--features remote`.)\n");
    print_targets(h, &algs);
    print_detail(h);
}

fn print_allocs(h: &Harness, algs: &[Algorithm]) {
    println!("| alg | jws verify | statement verify | jws::sign | StatementBuilder::sign |");
    println!("|---|--:|--:|--:|--:|");
    for alg in algs {
        if h.get(&format!("verify/{alg}/jws")).is_none() {
            continue;
        }
        println!(
            "| {alg} | {} | {} | {} | {} |",
            al(h, &format!("verify/{alg}/jws")),
            al(h, &format!("verify/{alg}/statement")),
            al(h, &format!("sign/{alg}/jws")),
            al(h, &format!("sign/{alg}/statement")),
        );
    }
    println!();
    println!("| other | allocs |");
    println!("|---|--:|");
    for (id, s) in h.all() {
        if !(id.starts_with("verify/") || id.starts_with("sign/")) {
            println!("| {id} | {} |", fmt_allocs(s.allocs));
        }
    }
}

fn print_targets(h: &Harness, algs: &[Algorithm]) {
    println!("### Performance targets");
    println!();
    println!(
        "*Floor*: the raw primitive plus base64url of the three segments (the `base64` crate, buffers \
         allocated once) — what any compact-JWS implementation on this crate pays at least."
    );
    println!();
    println!("| target | measured | floor | |");
    println!("|---|--:|--:|---|");
    let mark = |ok: bool| if ok { "met" } else { "**missed**" };
    let med = |id: &str| h.get(id).map(|s| s.median);
    let floor = |group: &str, raw: f64, hmac: bool| match med(&format!("{group}/raw+b64")) {
        Some(f) if hmac => format!("+{}", fmt_time((f - raw).max(0.0))),
        Some(f) => fmt_ratio3(f, raw),
        None => String::new(),
    };
    for alg in algs {
        let g = format!("verify/{alg}");
        let (Some(ours), Some(raw)) = (med(&format!("{g}/jws")), med(&format!("{g}/raw"))) else {
            continue;
        };
        if alg.is_hmac() {
            let d = ours - raw;
            println!(
                "| jws verify {alg} within 2 µs of raw | +{} | {} | {} |",
                fmt_time(d.max(0.0)),
                floor(&g, raw, true),
                mark(d <= 2000.0)
            );
        } else {
            println!(
                "| jws verify {alg} within 1.05× raw | {} | {} | {} |",
                fmt_ratio3(ours, raw),
                floor(&g, raw, false),
                mark(ours / raw <= 1.05)
            );
        }
    }
    for alg in algs {
        for (ours_case, ours_name) in [("jws", "jws verify"), ("statement", "statement verify")] {
            let Some(ours) = med(&format!("verify/{alg}/{ours_case}")) else {
                continue;
            };
            let need = if alg.is_hmac() { 0.5 } else { 1.0 };
            for other in ["jsonwebtoken", "josekit"] {
                let Some(theirs) = med(&format!("verify/{alg}/{other}")) else {
                    continue;
                };
                let what = if alg.is_hmac() {
                    format!("{ours_name} {alg} at least 2× faster than {other}")
                } else {
                    format!("{ours_name} {alg} not slower than {other}")
                };
                println!(
                    "| {what} | {} | | {} |",
                    fmt_ratio3(ours, theirs),
                    mark(ours / theirs <= need)
                );
            }
        }
    }
    for alg in algs {
        let g = format!("sign/{alg}");
        let (Some(ours), Some(raw)) = (med(&format!("{g}/jws")), med(&format!("{g}/raw"))) else {
            continue;
        };
        println!(
            "| jws::sign {alg} within 1.05× raw | {} (+{}) | {} | {} |",
            fmt_ratio3(ours, raw),
            fmt_time((ours - raw).max(0.0)),
            floor(&g, raw, alg.is_hmac()),
            mark(ours / raw <= 1.05)
        );
    }
    if let Some(m) = med("registration/merge+validate") {
        println!(
            "| merge + validate under 5 µs | {} | | {} |",
            fmt_time(m),
            mark(m < 5000.0)
        );
    }
    for alg in algs {
        for (suffix, what) in [("", "statement verify"), ("-async", "verify_async")] {
            let (Some(remote), Some(inline)) = (
                med(&format!("jwks_uri/{alg}/remote{suffix}")),
                med(&format!("jwks_uri/{alg}/inline{suffix}")),
            ) else {
                continue;
            };
            println!(
                "| {what} {alg}: warm jwks_uri within 1.05× inline | {} | | {} |",
                fmt_ratio3(remote, inline),
                mark(remote / inline <= 1.05)
            );
        }
    }
    #[cfg(feature = "remote")]
    for alg in signed::algs() {
        if let Some(ratio) = signed::ratio(h, alg) {
            println!(
                "| signed-request registration ({alg} statement, warm client-key cache) within {:.2}× of its parts | {:.3}× | | {} |",
                signed::TARGET,
                ratio,
                mark(ratio <= signed::TARGET)
            );
        }
    }
    #[cfg(feature = "remote")]
    {
        let fetches = remote::COLD_FETCHES.load(std::sync::atomic::Ordering::SeqCst);
        if fetches > 0 {
            println!(
                "| {} concurrent verifications on a cold cache: one fetch | {fetches} | | {} |",
                remote::COLD_TASKS,
                mark(fetches == 1)
            );
        }
    }
    println!();
}

fn print_detail(h: &Harness) {
    println!("<details><summary>Every case: median, fastest sample, spread, batch</summary>");
    println!();
    println!("| case | median | fastest | spread (MAD) | allocs | iterations per sample |");
    println!("|---|--:|--:|--:|--:|--:|");
    for (id, s) in h.all() {
        println!(
            "| {id} | {} | {} | ±{:.1}% | {} | {} |",
            fmt_time(s.median),
            fmt_time(s.min),
            s.spread * 100.0,
            fmt_allocs(s.allocs),
            s.batch
        );
    }
    println!();
    println!("</details>");
}
