//! Replays every committed corpus and regression file of `fuzz/` through the targets.
use std::path::{Path, PathBuf};

use super::registration::{NAMES, STRINGS};
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
fn encode_merge_input(flags: u8, request: &Map<String, Value>, claims: &Map<String, Value>, token: &str) -> Vec<u8> {
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
