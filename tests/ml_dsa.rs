//! ML-DSA-44/65/87 in JOSE (draft-ietf-cose-dilithium) beyond the key rules of
//! `tests/rules.rs`:
//!
//! - the draft's JOSE examples (`test-vectors/draft-ietf-cose-dilithium/`): keys,
//!   thumbprints and signatures, each count asserted;
//! - statements, trust files, the registrar and the JWS layer with ML-DSA keys;
//! - token sizes: an ML-DSA-87 statement against the 16 KiB token cap;
//! - interoperability, both ways, with independent implementations when they are installed
//!   (pyca/cryptography, i.e. OpenSSL's ML-DSA, and `dilithium-py` under Python;
//!   `@noble/post-quantum` under Node.js; see [`interop_with_independent_implementations`]).
//!
//! With the ring backend every ML-DSA operation is "unsupported with the ring backend", and
//! the tests assert exactly that.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::{json, Map, Value};
use software_statement::{
    backend_supports, sign_jws, verify_jws, Algorithm, AlgorithmSet, Jwk, JwkSet, JwsError, KeyError, KeyType, Limits,
    MlDsa, Registrar, StatementBuilder, TrustFile, UnverifiedJws, BACKEND,
};

const ISS: &str = "https://publisher.example.com";

fn b64(bytes: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn unb64(text: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD.decode(text).unwrap()
}

fn unhex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

fn only(alg: Algorithm) -> AlgorithmSet {
    AlgorithmSet::of(&[alg])
}

fn ml_dsa_available() -> bool {
    MlDsa::ALL.iter().all(|p| backend_supports(p.algorithm()))
}

/// A trust file trusting `ISS` with `keys`, requiring `software_id` and `typ` JWT.
fn trust_file(keys: &[Value], algorithms: Option<&[&str]>) -> Result<TrustFile, String> {
    let mut issuer = json!({"jwks": {"keys": keys}, "required_claims": ["software_id"], "typ": "JWT"});
    if let Some(algs) = algorithms {
        issuer["algorithms"] = json!(algs);
    }
    let doc = json!({"issuers": {ISS: issuer}});
    TrustFile::from_json(&doc.to_string(), "trust.json", None).map_err(|e| e.to_string())
}

fn statement(key: &Jwk) -> String {
    StatementBuilder::new(ISS)
        .claim("software_id", "4NRB1-0XZABZI9E6-5SM3R")
        .claim("client_name", "Post-Quantum Client")
        .claim("redirect_uris", ["https://client.example.net/callback"])
        .typ("JWT")
        .ttl(3600)
        .sign(key)
        .unwrap()
}

/// The token with one character of its payload changed (still canonical base64url).
fn tamper_payload(token: &str) -> String {
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    let c = if parts[1].starts_with('e') { "f" } else { "e" };
    parts[1].replace_range(..1, c);
    parts.join(".")
}

// ---------------------------------------------------------------------------------------
// The draft's JOSE examples.

fn draft_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("test-vectors/draft-ietf-cose-dilithium")
}

/// `ML_DSA_44.jose.json`, … : (file name, content), sorted.
fn draft_examples() -> Vec<(String, Value)> {
    let mut out: Vec<(String, Value)> = std::fs::read_dir(draft_dir())
        .expect("test-vectors/draft-ietf-cose-dilithium exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".jose.json"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (
                name,
                serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap(),
            )
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// draft-ietf-cose-dilithium, Appendix A "JOSE": for each parameter set a private JWK (the
/// all-zero seed), its thumbprint as `kid`, and a compact JWS with the published raw
/// signing input, signature and public key. Checked: the private JWK imports (so the seed
/// derives `pub`), the RFC 7638 thumbprint is the `kid`, the raw values are the JWK's and
/// the token's, the JWS verifies and a tampered one does not, this library signing the same
/// payload with the key writes the very same signing input and verifies. On ring: each
/// refused as unsupported.
#[test]
fn draft_jose_examples() {
    let examples = draft_examples();
    assert_eq!(
        examples.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
        ["ML_DSA_44.jose.json", "ML_DSA_65.jose.json", "ML_DSA_87.jose.json"]
    );
    let payload = "It’s a dangerous business, Frodo, going out your door.";
    let (mut verified, mut thumbprints, mut resigned, mut rejected, mut unsupported) = (0, 0, 0, 0, 0);
    let mut public_keys = Vec::new();
    for (name, v) in &examples {
        let jwk = &v["jwk"];
        let alg = Algorithm::from_name(jwk["alg"].as_str().unwrap()).unwrap();
        let p = alg.ml_dsa().expect("an ML-DSA alg");
        assert_eq!(name, &format!("ML_DSA_{}.jose.json", &p.name()[7..]));
        let token = v["jws"].as_str().unwrap();
        let [h, pl, s]: [&str; 3] = token.split('.').collect::<Vec<_>>().try_into().unwrap();
        // The published raw values are those of the JWK and the token.
        assert_eq!(
            unhex(v["priv"].as_str().unwrap()),
            unb64(jwk["priv"].as_str().unwrap()),
            "{name}"
        );
        assert_eq!(
            unb64(jwk["priv"].as_str().unwrap()),
            [0u8; 32],
            "{name}: the all-zero seed"
        );
        assert_eq!(
            unhex(v["raw_public_key"].as_str().unwrap()),
            unb64(jwk["pub"].as_str().unwrap())
        );
        assert_eq!(
            unhex(v["raw_to_be_signed"].as_str().unwrap()),
            format!("{h}.{pl}").as_bytes()
        );
        assert_eq!(unhex(v["raw_signature"].as_str().unwrap()), unb64(s), "{name}");
        assert_eq!(unb64(s).len(), p.signature_len(), "{name}");
        assert_eq!(unb64(pl), payload.as_bytes());
        assert_eq!(
            unb64(h),
            format!(r#"{{"alg":"{}","kid":"{}"}}"#, p.name(), jwk["kid"].as_str().unwrap()).as_bytes()
        );

        if !backend_supports(alg) {
            assert_eq!(
                Jwk::from_value(jwk).unwrap_err(),
                KeyError::UnsupportedByBackend(p.name().into())
            );
            let e = verify_jws(token, &JwkSet::default(), only(alg), &Limits::default()).unwrap_err();
            assert_eq!(e, JwsError::UnsupportedByBackend(alg));
            assert!(e.to_string().contains("unsupported with the ring backend"), "{e}");
            unsupported += 1;
            continue;
        }
        let private = Jwk::from_value(jwk).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(private.key_type(), KeyType::MlDsa(p));
        assert!(private.is_private());
        // RFC 7638 over alg, kty, pub (the draft's "AKP Thumbprints").
        assert_eq!(
            private.thumbprint_input(),
            format!(
                r#"{{"alg":"{}","kty":"AKP","pub":"{}"}}"#,
                p.name(),
                jwk["pub"].as_str().unwrap()
            )
        );
        assert_eq!(private.thumbprint(), jwk["kid"].as_str().unwrap(), "{name}");
        thumbprints += 1;
        let public = private.to_public().unwrap();
        let mut expected_public = jwk.as_object().unwrap().clone();
        expected_public.remove("priv");
        assert_eq!(public.members(), &expected_public);
        assert_eq!(public.thumbprint(), private.thumbprint());

        let set = JwkSet::new(vec![public.to_public().unwrap()]).unwrap();
        let v = verify_jws(token, &set, only(alg), &Limits::default()).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(v.payload(), payload.as_bytes());
        assert_eq!(v.header().kid(), jwk["kid"].as_str());
        verified += 1;
        assert_eq!(
            verify_jws(&tamper_payload(token), &set, only(alg), &Limits::default()).unwrap_err(),
            JwsError::BadSignature
        );
        rejected += 1;

        // Signing the same payload: the same header bytes, so the same signing input.
        let ours = sign_jws(&private, alg, &Map::new(), payload.as_bytes()).unwrap();
        assert_eq!(&ours[..ours.rfind('.').unwrap()], &token[..token.rfind('.').unwrap()]);
        verify_jws(&ours, &set, only(alg), &Limits::default()).unwrap();
        resigned += 1;
        public_keys.push(public.to_value());
    }
    // The three public keys together: a strict set; each token picks its key by kid.
    if ml_dsa_available() {
        let set = JwkSet::from_json(&json!({ "keys": public_keys }).to_string()).unwrap();
        assert_eq!(set.keys().len(), 3);
        for (name, v) in &examples {
            verify_jws(v["jws"].as_str().unwrap(), &set, AlgorithmSet::ALL, &Limits::default())
                .unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }
    eprintln!(
        "draft-ietf-cose-dilithium JOSE examples [{BACKEND}]: {} examples: {thumbprints} thumbprints matched, \
         {verified} verified, {rejected} tampered rejected, {resigned} re-signed and verified, \
         {unsupported} unsupported by backend",
        examples.len()
    );
    let n = if ml_dsa_available() { 3 } else { 0 };
    assert_eq!(
        (thumbprints, verified, rejected, resigned, unsupported),
        (n, n, n, n, 3 - n)
    );
}

// ---------------------------------------------------------------------------------------
// Statements, trust files, the registrar and the JWS layer.

#[test]
fn statements_trust_files_and_the_jws_layer() {
    if !ml_dsa_available() {
        // ring: an issuer with only ML-DSA keys has no key able to verify; listing an
        // ML-DSA algorithm is refused.
        let key = json!({"kty": "AKP", "alg": "ML-DSA-44", "kid": "pq", "pub": b64(vec![1u8; 1312])});
        let e = trust_file(std::slice::from_ref(&key), None).unwrap_err();
        assert!(e.contains("no key of this issuer can verify"), "{e}");
        let es = Jwk::generate(Algorithm::ES256).unwrap().to_public().unwrap().to_value();
        let e = trust_file(&[key, es], Some(&["ML-DSA-44"])).unwrap_err();
        assert!(e.contains("ML-DSA-44 is unsupported with the ring backend"), "{e}");
        return;
    }
    let es256 = Jwk::generate(Algorithm::ES256).unwrap();
    let keys: Vec<Jwk> = MlDsa::ALL
        .iter()
        .map(|p| Jwk::generate(p.algorithm()).unwrap())
        .collect();
    let mut published: Vec<Value> = keys.iter().map(|k| k.to_public().unwrap().to_value()).collect();
    published.push(es256.to_public().unwrap().to_value());
    let set = JwkSet::from_json(&json!({ "keys": published }).to_string()).unwrap();
    assert_eq!(
        set.algorithms(),
        AlgorithmSet::of(&[
            Algorithm::ES256,
            Algorithm::MlDsa44,
            Algorithm::MlDsa65,
            Algorithm::MlDsa87
        ])
    );
    let every = trust_file(&published, None).unwrap();
    let registrar = Registrar::from_trust_file(&every);
    for (key, p) in keys.iter().zip(MlDsa::ALL) {
        let alg = p.algorithm();
        assert_eq!(key.default_algorithm(), Some(alg));
        let token = statement(key);
        let header: Value = serde_json::from_slice(&unb64(token.split('.').next().unwrap())).unwrap();
        assert_eq!(header, json!({"alg": p.name(), "kid": key.kid(), "typ": "JWT"}));
        assert_eq!(unb64(token.rsplit('.').next().unwrap()).len(), p.signature_len());

        // Statement verification: every key trusted, or only this algorithm allowed.
        let st = every.verifier().verify(&token).unwrap();
        assert_eq!(st.header().alg(), alg);
        assert_eq!(st.claims()["client_name"], "Post-Quantum Client");
        let this_alg = trust_file(&published, Some(&[p.name()])).unwrap();
        this_alg.verifier().verify(&token).unwrap();
        let other = MlDsa::ALL.into_iter().find(|q| *q != p).unwrap();
        let other_alg = trust_file(&published, Some(&[other.name()])).unwrap();
        let e = other_alg.verifier().verify(&token).unwrap_err();
        assert!(e.to_string().contains("not allowed"), "{e}");
        assert!(every.verifier().verify(&tamper_payload(&token)).is_err());

        // The registrar: the statement's claims win, the statement info names the alg.
        let body = json!({"client_name": "Unattested", "software_statement": token}).to_string();
        let reg = registrar.register_json(&body).unwrap();
        assert_eq!(reg.metadata.client_name(), Some("Post-Quantum Client"));
        let info = reg.statement.expect("statement info");
        assert_eq!((info.alg, info.kid.as_deref()), (alg, key.kid()));

        // The JWS layer: the allow-list, key selection without kid.
        let jws = UnverifiedJws::parse(&token, &Limits::default()).unwrap();
        assert_eq!(jws.header().alg(), alg);
        jws.verify(&set, only(alg)).unwrap();
        let e = UnverifiedJws::parse(&token, &Limits::default())
            .unwrap()
            .verify(&set, only(Algorithm::ES256))
            .unwrap_err();
        assert_eq!(e, JwsError::AlgorithmNotAllowed(alg));
        let no_kid = key.to_value();
        let mut no_kid = no_kid.as_object().unwrap().clone();
        no_kid.remove("kid");
        let anonymous = Jwk::from_map(no_kid).unwrap();
        let t = sign_jws(&anonymous, alg, &Map::new(), b"{}").unwrap();
        let v = verify_jws(&t, &set, AlgorithmSet::ALL, &Limits::default()).unwrap();
        assert_eq!(v.header().kid(), None);
    }
    // A listed algorithm no key can verify is refused.
    let only_44 = [keys[0].to_public().unwrap().to_value()];
    let e = trust_file(&only_44, Some(&["ML-DSA-87"])).unwrap_err();
    assert!(e.contains("no key can verify any of the listed"), "{e}");
}

// ---------------------------------------------------------------------------------------
// PEM and DER containers (RFC 9881).

/// A DER length.
fn der_len(n: usize) -> Vec<u8> {
    match n {
        0..=0x7f => vec![n as u8],
        0x80..=0xff => vec![0x81, n as u8],
        _ => vec![0x82, (n >> 8) as u8, n as u8],
    }
}

/// A DER TLV.
fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    out.extend(der_len(content.len()));
    out.extend_from_slice(content);
    out
}

/// A PKCS#8 `PrivateKeyInfo` (v1; v2 `OneAsymmetricKey` with a public key) of an ML-DSA
/// `ML-DSA-PrivateKey` encoding.
fn ml_dsa_pkcs8_with(p: MlDsa, private_key: &[u8], public_key: Option<&[u8]>) -> Vec<u8> {
    let arc = match p {
        MlDsa::MlDsa44 => 0x11,
        MlDsa::MlDsa65 => 0x12,
        _ => 0x13,
    };
    // 2.16.840.1.101.3.4.3.{17,18,19}
    let oid = tlv(0x06, &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x03, arc]);
    let mut body = tlv(0x02, &[u8::from(public_key.is_some())]);
    body.extend(tlv(0x30, &oid));
    body.extend(tlv(0x04, private_key));
    if let Some(public) = public_key {
        // [1] IMPLICIT BIT STRING: no unused bits, then the key.
        let mut bits = vec![0u8];
        bits.extend_from_slice(public);
        body.extend(tlv(0x81, &bits));
    }
    tlv(0x30, &body)
}

fn ml_dsa_pkcs8(p: MlDsa, private_key: &[u8]) -> Vec<u8> {
    ml_dsa_pkcs8_with(p, private_key, None)
}

fn pem(label: &str, der: &[u8]) -> String {
    use base64::engine::general_purpose::STANDARD;
    let text = STANDARD.encode(der);
    let lines: Vec<&str> = text
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!("-----BEGIN {label}-----\n{}\n-----END {label}-----\n", lines.join("\n"))
}

/// ML-DSA keys from PKCS#8 (the seed, or the seed and the expanded key) and SPKI documents,
/// as aws-lc-rs and pyca/cryptography (when installed) write them, give the same JWK as
/// the key itself; the expanded key alone, an expanded key or public key the seed does not
/// derive, are refused. On ring: unsupported.
#[test]
fn pem_and_der_containers() {
    use aws_lc_rs::encoding::{AsDer, AsRawBytes};
    use aws_lc_rs::signature::{KeyPair, PqdsaKeyPair, ML_DSA_44_SIGNING, ML_DSA_65_SIGNING, ML_DSA_87_SIGNING};
    let pyca = peers().0.into_iter().find(|p| p.name == "pyca/cryptography");
    for p in MlDsa::ALL {
        let signing = match p {
            MlDsa::MlDsa44 => &ML_DSA_44_SIGNING,
            MlDsa::MlDsa65 => &ML_DSA_65_SIGNING,
            _ => &ML_DSA_87_SIGNING,
        };
        // aws-lc-rs directly (a dev-dependency on both backends) writes the documents.
        let seed: Vec<u8> = (0..32u8)
            .map(|i| i.wrapping_mul(7).wrapping_add(p.public_key_len() as u8))
            .collect();
        let kp = PqdsaKeyPair::from_seed(signing, &seed).unwrap();
        let seed_form = kp.to_pkcs8v1().unwrap();
        let spki = kp.public_key().as_der().unwrap();
        let expanded = kp.private_key().as_raw_bytes().unwrap();
        let expected = json!({"kty": "AKP", "alg": p.name(), "pub": b64(kp.public_key().as_ref()), "priv": b64(&seed)});
        // RFC 9881's `both`: SEQUENCE { OCTET STRING seed, OCTET STRING expandedKey }.
        let both = |expanded: &[u8]| {
            let mut seq = tlv(0x04, &seed);
            seq.extend(tlv(0x04, expanded));
            ml_dsa_pkcs8(p, &tlv(0x30, &seq))
        };
        if !backend_supports(p.algorithm()) {
            for der in [seed_form.as_ref(), spki.as_ref(), &both(expanded.as_ref())] {
                assert_eq!(
                    Jwk::from_der(der).unwrap_err(),
                    KeyError::UnsupportedByBackend(p.name().into())
                );
            }
            continue;
        }
        for (what, der) in [("seed", seed_form.as_ref().to_vec()), ("both", both(expanded.as_ref()))] {
            let key = Jwk::from_der(&der).unwrap_or_else(|e| panic!("{} {what}: {e}", p.name()));
            assert_eq!(key.to_value(), expected, "{} {what}", p.name());
            let key = Jwk::from_pem(&pem("PRIVATE KEY", &der)).unwrap();
            assert_eq!(key.to_value(), expected, "{} {what} PEM", p.name());
        }
        let public = Jwk::from_pem(&pem("PUBLIC KEY", spki.as_ref())).unwrap();
        assert_eq!(public.key_type(), KeyType::MlDsa(p));
        assert_eq!(&public.to_value()["pub"], &expected["pub"]);
        assert!(!public.is_private());

        // Refused: the expanded key alone, an expanded key of another seed, a seed of the
        // wrong length, a public key of another key in a v2 document.
        let invalid = |der: &[u8], what: &str| {
            let e = Jwk::from_der(der).unwrap_err();
            assert!(matches!(e, KeyError::Invalid(_)), "{} {what}: {e:?}", p.name());
            e.to_string()
        };
        let e = invalid(&ml_dsa_pkcs8(p, &tlv(0x04, expanded.as_ref())), "expanded only");
        assert!(e.contains("seed"), "{e}");
        let other = PqdsaKeyPair::from_seed(signing, &[9; 32]).unwrap();
        invalid(
            &both(other.private_key().as_raw_bytes().unwrap().as_ref()),
            "another expanded key",
        );
        invalid(&ml_dsa_pkcs8(p, &tlv(0x80, &seed[..31])), "a 31-byte seed");
        let v2 = |public: &[u8]| ml_dsa_pkcs8_with(p, &tlv(0x80, &seed), Some(public));
        assert_eq!(
            Jwk::from_der(&v2(kp.public_key().as_ref())).unwrap().to_value(),
            expected
        );
        invalid(
            &v2(other.public_key().as_ref()),
            "a v2 document with another public key",
        );

        // pyca/cryptography (OpenSSL's ML-DSA) writes the same key's PEM documents.
        if let Some(pyca) = &pyca {
            let (_, r) = pyca.run(&[json!({"op": "pem", "alg": p.name(), "seed": b64(&seed)})]);
            let key = Jwk::from_pem(r[0]["pkcs8"].as_str().unwrap()).unwrap();
            assert_eq!(key.to_value(), expected, "{} pyca PKCS#8", p.name());
            let public = Jwk::from_pem(r[0]["spki"].as_str().unwrap()).unwrap();
            assert_eq!(&public.to_value()["pub"], &expected["pub"]);
        }
    }
}

// ---------------------------------------------------------------------------------------
// Token sizes.

/// The benchmark statement (20 claims, 881-byte payload; header `alg`, `kid` thumbprint,
/// `typ`) signed with each parameter set; then, for ML-DSA-87, the largest payload that fits
/// the default 16 KiB cap: a statement of that size verifies, one byte more is refused
/// before decoding.
#[test]
fn token_sizes_stay_under_the_cap() {
    if !ml_dsa_available() {
        eprintln!("token sizes: ML-DSA is unsupported with the {BACKEND} backend; nothing to measure");
        return;
    }
    const CAP: usize = 16 * 1024;
    let claims_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("test-vectors/bench/claims.json");
    let claims: Map<String, Value> = serde_json::from_str(&std::fs::read_to_string(claims_path).unwrap()).unwrap();
    let payload = serde_json::to_vec(&claims).unwrap();
    assert_eq!(payload.len(), 881);
    let typ = {
        let mut m = Map::new();
        m.insert("typ".into(), "JWT".into());
        m
    };
    let mut sizes = Vec::new();
    for p in MlDsa::ALL {
        let key = Jwk::generate(p.algorithm()).unwrap();
        let token = sign_jws(&key, p.algorithm(), &typ, &payload).unwrap();
        let set = JwkSet::new(vec![key.to_public().unwrap()]).unwrap();
        verify_jws(&token, &set, only(p.algorithm()), &Limits::default()).unwrap();
        let header_len = token.find('.').unwrap();
        let signature_len = token.len() - token.rfind('.').unwrap() - 1;
        assert_eq!(signature_len, (4 * p.signature_len()).div_ceil(3), "unpadded base64url");
        // Room left for a bigger payload, in payload bytes (base64url: 4 characters per 3 bytes).
        let overhead = header_len + 2 + signature_len;
        let max_payload = (CAP - overhead) * 3 / 4;
        eprintln!(
            "{}: token {} bytes (header {header_len}, payload {} for 881 bytes of claims, signature {signature_len}); \
             under the {CAP}-byte cap with room for {} more bytes of claims (largest payload {max_payload} bytes)",
            p.name(),
            token.len(),
            token.len() - overhead,
            max_payload - payload.len(),
        );
        assert!(token.len() <= CAP);
        sizes.push((p, token.len(), max_payload, key, set));
    }
    let (_, len87, max87, key87, set87) = sizes.pop().unwrap();
    // "About 7 KB": the realistic ML-DSA-87 statement uses under half the cap…
    assert!(len87 < 7 * 1024 + 512, "{len87}");
    assert!(len87 < CAP / 2, "{len87}");
    // …and leaves room for claims eight times the realistic statement's.
    assert!(max87 >= 8 * payload.len(), "{max87}");
    // The largest payload that fits verifies; one byte more is refused by the size cap.
    let pad = |n: usize| {
        let mut c = claims.clone();
        c.insert("padding".into(), "".into());
        let base = serde_json::to_vec(&c).unwrap().len();
        c.insert("padding".into(), "x".repeat(n - base).into());
        serde_json::to_vec(&c).unwrap()
    };
    let alg = Algorithm::MlDsa87;
    let biggest = sign_jws(&key87, alg, &typ, &pad(max87)).unwrap();
    assert!(biggest.len() <= CAP && biggest.len() > CAP - 4, "{}", biggest.len());
    verify_jws(&biggest, &set87, only(alg), &Limits::default()).unwrap();
    let too_big = sign_jws(&key87, alg, &typ, &pad(max87 + 1)).unwrap();
    assert!(matches!(
        verify_jws(&too_big, &set87, only(alg), &Limits::default()),
        Err(JwsError::TooLarge { limit: CAP, .. })
    ));
}

// ---------------------------------------------------------------------------------------
// Interoperability with independent implementations.

/// An independent ML-DSA implementation driven through a small script in `tests/interop/`
/// (one JSON request on stdin, one JSON answer on stdout; see `ml_dsa_noble.mjs`).
struct Peer {
    name: &'static str,
    program: &'static str,
    script: PathBuf,
}

impl Peer {
    /// Runs the operations; the answer's implementation name and one result per operation.
    fn run(&self, ops: &[Value]) -> (String, Vec<Value>) {
        let mut child = Command::new(self.program)
            .arg(&self.script)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("{}: {e}", self.name));
        let request = json!({ "ops": ops }).to_string();
        child.stdin.take().unwrap().write_all(request.as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}: {}",
            self.name,
            String::from_utf8_lossy(&out.stderr)
        );
        let answer: Value = serde_json::from_slice(&out.stdout).unwrap();
        let results = answer["results"].as_array().unwrap().clone();
        assert_eq!(results.len(), ops.len(), "{}", self.name);
        (answer["implementation"].as_str().unwrap().to_owned(), results)
    }
}

/// Whether `program args…` runs and exits 0.
fn runs(program: &str, args: &[&str]) -> bool {
    Command::new(program)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The peers installed here, and each missing one's name with why it is missing.
fn peers() -> (Vec<Peer>, Vec<(&'static str, String)>) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop");
    let (mut found, mut missing) = (Vec::new(), Vec::new());
    match std::env::var_os("ML_DSA_INTEROP_NODE_MODULES") {
        Some(m) if Path::new(&m).join("@noble/post-quantum/ml-dsa.js").is_file() && runs("node", &["--version"]) => {
            found.push(Peer {
                name: "noble",
                program: "node",
                script: dir.join("ml_dsa_noble.mjs"),
            })
        }
        Some(m) => missing.push((
            "noble",
            format!(
                "@noble/post-quantum: ML_DSA_INTEROP_NODE_MODULES={} has no @noble/post-quantum, or node does not run",
                Path::new(&m).display()
            ),
        )),
        None => missing.push((
            "noble",
            "@noble/post-quantum: set ML_DSA_INTEROP_NODE_MODULES to the node_modules of \
             `npm install --prefix DIR @noble/post-quantum` (needs Node.js 20.19 or later)"
                .into(),
        )),
    }
    // pyca/cryptography 47+ (its wheels bundle OpenSSL 3.5+, which has ML-DSA).
    let pyca = "from cryptography.hazmat.primitives.asymmetric import mldsa; mldsa.MLDSA44PrivateKey.generate()";
    if runs("python3", &["-c", pyca]) {
        found.push(Peer {
            name: "pyca/cryptography",
            program: "python3",
            script: dir.join("ml_dsa_pyca.py"),
        });
    } else {
        missing.push((
            "pyca/cryptography",
            "pyca/cryptography with ML-DSA: python3 cannot generate an ML-DSA key with it; \
             `pip install 'cryptography>=47'`"
                .into(),
        ));
    }
    if runs("python3", &["-c", "import dilithium_py.ml_dsa"]) {
        found.push(Peer {
            name: "dilithium-py",
            program: "python3",
            script: dir.join("ml_dsa_dilithium_py.py"),
        });
    } else {
        missing.push((
            "dilithium-py",
            "dilithium-py: `python3 -c 'import dilithium_py'` fails; `pip install dilithium-py`".into(),
        ));
    }
    (found, missing)
}

/// Both ways, for ML-DSA-44, -65 and -87, with each installed peer:
///
/// - **theirs → ours**: the peer generates a key pair (its own random seed); this library
///   imports the private JWK `{kty: AKP, alg, pub: theirs, priv: their seed}` (so its own
///   seed expansion must give the peer's public key), then verifies, with the public JWK
///   only, a statement whose JOSE signing input the peer signed — through a trust file's
///   `Verifier` and through `verify_jws` — and rejects it tampered;
/// - **ours → theirs**: the peer derives the public key of a key this library generated
///   (the same bytes as our `pub`), verifies a statement this library signed (pure ML-DSA,
///   empty context, over the signing input), and rejects it tampered.
///
/// Without any peer the test says how to install one and passes. `ML_DSA_INTEROP_REQUIRED`
/// makes missing peers a failure: `1` every peer, or a comma-separated list of names
/// (`pyca/cryptography`, `dilithium-py`, `noble`).
#[test]
fn interop_with_independent_implementations() {
    if !ml_dsa_available() {
        eprintln!("ML-DSA interop: skipped, ML-DSA is unsupported with the {BACKEND} backend");
        return;
    }
    let (peers, missing) = peers();
    for (_, why) in &missing {
        eprintln!("ML-DSA interop: peer not available: {why}");
    }
    if let Ok(required) = std::env::var("ML_DSA_INTEROP_REQUIRED") {
        let required: Vec<&str> = required.split(',').map(str::trim).collect();
        let absent: Vec<_> = missing
            .iter()
            .filter(|(name, _)| required == ["1"] || required.contains(name))
            .collect();
        assert!(
            absent.is_empty(),
            "ML_DSA_INTEROP_REQUIRED={required:?}: missing {absent:?}"
        );
    }
    if peers.is_empty() {
        eprintln!("ML-DSA interop: SKIPPED, no independent implementation is installed");
        return;
    }
    for peer in &peers {
        // Round 1: the peer's new keys, and its checks of our keys and tokens.
        struct Ours {
            key: Jwk,
            token: String,
        }
        let ours: Vec<Ours> = MlDsa::ALL
            .iter()
            .map(|p| {
                let key = Jwk::generate(p.algorithm()).unwrap();
                let token = statement(&key);
                Ours { key, token }
            })
            .collect();
        let mut ops = Vec::new();
        for (p, o) in MlDsa::ALL.iter().zip(&ours) {
            let m = o.key.members();
            let (input, sig) = o.token.rsplit_once('.').unwrap();
            let tampered = tamper_payload(&o.token);
            let (tampered_input, _) = tampered.rsplit_once('.').unwrap();
            ops.push(json!({"op": "generate", "alg": p.name()}));
            ops.push(json!({"op": "keygen", "alg": p.name(), "seed": m["priv"]}));
            ops.push(json!({"op": "verify", "alg": p.name(), "pub": m["pub"], "msg": b64(input), "sig": sig}));
            ops.push(json!({"op": "verify", "alg": p.name(), "pub": m["pub"], "msg": b64(tampered_input), "sig": sig}));
        }
        let (implementation, results) = peer.run(&ops);
        let mut theirs = Vec::new();
        let mut their_seeds = Vec::new();
        let mut counts = [0usize; 4];
        for (i, (p, o)) in MlDsa::ALL.iter().zip(&ours).enumerate() {
            let r = &results[4 * i..4 * i + 4];
            let what = format!("{implementation} {}", p.name());
            // ours → theirs: our seed gives them our public key; our statement verifies there.
            assert_eq!(
                r[1]["pub"],
                o.key.members()["pub"],
                "{what}: our seed, their public key"
            );
            assert_eq!(r[2]["ok"], true, "{what}: our statement at the peer");
            assert_eq!(r[3]["ok"], false, "{what}: our statement tampered, at the peer");
            counts[0] += 1;
            // theirs → ours: their new key pair; the private JWK imports here.
            let seed = r[0]["seed"].as_str().unwrap().to_owned();
            assert_eq!(unb64(&seed).len(), 32, "{what}: their seed");
            let private = json!({"kty": "AKP", "alg": p.name(), "pub": r[0]["pub"], "priv": seed});
            their_seeds.push(seed);
            let private = Jwk::from_value(&private).unwrap_or_else(|e| panic!("{what}: their key pair: {e}"));
            let public = private.to_public().unwrap();
            let kid = public.thumbprint();
            theirs.push((*p, public.with_kid(&kid).unwrap()));
            counts[1] += 1;
        }
        // Round 2: the peer signs statements, as JOSE signing inputs, for its keys.
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let claims = json!({
            "iss": ISS, "software_id": "4NRB1-0XZABZI9E6-5SM3R", "client_name": "Signed Elsewhere",
            "iat": now, "exp": now + 600,
        });
        let inputs: Vec<String> = theirs
            .iter()
            .map(|(p, key)| {
                let header = json!({"alg": p.name(), "kid": key.kid(), "typ": "JWT"});
                format!("{}.{}", b64(header.to_string()), b64(claims.to_string()))
            })
            .collect();
        let ops: Vec<Value> = theirs
            .iter()
            .zip(&their_seeds)
            .zip(&inputs)
            .map(|(((p, _), seed), input)| json!({"op": "sign", "alg": p.name(), "seed": seed, "msg": b64(input)}))
            .collect();
        let (_, results) = peer.run(&ops);
        let published: Vec<Value> = theirs.iter().map(|(_, k)| k.to_value()).collect();
        let trust = trust_file(&published, None).unwrap();
        let set = JwkSet::from_json(&json!({ "keys": published }).to_string()).unwrap();
        for (((p, _), input), r) in theirs.iter().zip(&inputs).zip(&results) {
            let what = format!("{implementation} {}", p.name());
            let sig = unb64(r["sig"].as_str().unwrap());
            assert_eq!(sig.len(), p.signature_len(), "{what}");
            let token = format!("{input}.{}", b64(&sig));
            let st = trust
                .verifier()
                .verify(&token)
                .unwrap_or_else(|e| panic!("{what}: {e}"));
            assert_eq!(st.claims()["client_name"], "Signed Elsewhere");
            verify_jws(&token, &set, only(p.algorithm()), &Limits::default()).unwrap();
            assert_eq!(
                verify_jws(&tamper_payload(&token), &set, only(p.algorithm()), &Limits::default()).unwrap_err(),
                JwsError::BadSignature,
                "{what}"
            );
            counts[2] += 1;
            counts[3] += 1;
        }
        eprintln!(
            "ML-DSA interop with {implementation}: ML-DSA-44/65/87: {} of our statements verified there (our seeds give \
             their public keys, tampered rejected); {} of their generated key pairs imported from seed, {} of their statements \
             verified here (trust file and verify_jws), {} tampered rejected",
            counts[0], counts[1], counts[2], counts[3]
        );
        assert_eq!(counts, [3, 3, 3, 3], "{implementation}");
    }
}
