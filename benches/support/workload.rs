//! The fixed benchmark workload in `test-vectors/bench/`: loading it, and (with
//! `--write-workload`) generating it once with the library itself.

use std::path::PathBuf;

use serde_json::{json, Map, Value};
use software_statement::{sign_jws, Algorithm, Jwk, JwkSet};

/// The algorithms of the workload, one key each.
pub const ALGS: [Algorithm; 10] = [
    Algorithm::RS256,
    Algorithm::PS256,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::ES512,
    Algorithm::EdDSA,
    Algorithm::HS256,
    Algorithm::MlDsa44,
    Algorithm::MlDsa65,
    Algorithm::MlDsa87,
];

/// The issuer of every workload statement.
pub const ISSUER: &str = "https://publisher.example.com";
/// `iat` of the workload statements (2026-01-01T00:00:00Z).
pub const IAT: u64 = 1_767_225_600;
/// The clock the benches verify at: one hour after `iat`.
pub const NOW: u64 = IAT + 3600;

pub fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("test-vectors/bench")
}

fn read(rel: &str) -> String {
    let p = dir().join(rel);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// One algorithm's key and statement.
pub struct AlgCase {
    pub alg: Algorithm,
    /// The private JWK as committed.
    pub private_json: String,
    /// Its public JWK (for `oct`, the secret itself: a shared key has no public form).
    pub public_json: String,
    pub key: Jwk,
    /// The statement: header `alg`, `kid`, `typ`; payload `claims.json`, compact.
    pub token: String,
}

impl AlgCase {
    pub fn signing_input(&self) -> &str {
        &self.token[..self.token.rfind('.').unwrap()]
    }

    pub fn signature(&self) -> Vec<u8> {
        b64(&self.token[self.token.rfind('.').unwrap() + 1..])
    }

    pub fn kid(&self) -> &str {
        self.key.kid().unwrap()
    }

    /// A member of the private JWK, base64url-decoded.
    pub fn member(&self, name: &str) -> Vec<u8> {
        b64(self.key.members()[name].as_str().unwrap())
    }

    /// The header members beyond `alg` and `kid` (`typ`), as `jws::sign` takes them.
    pub fn extra_header(&self) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("typ".into(), "JWT".into());
        m
    }
}

pub fn b64(s: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(s).unwrap()
}

pub struct Workload {
    pub claims: Map<String, Value>,
    /// `claims.json` compact: the payload of every token.
    pub payload: Vec<u8>,
    pub request: Map<String, Value>,
    /// Only the algorithms the backend in use implements.
    pub algs: Vec<AlgCase>,
}

impl Workload {
    pub fn load() -> Workload {
        let claims: Map<String, Value> = serde_json::from_str(&read("claims.json")).unwrap();
        let request: Map<String, Value> = serde_json::from_str(&read("request.json")).unwrap();
        assert_eq!(claims.len(), 20, "claims.json has 20 members");
        assert_eq!(request.len(), 15, "request.json has 15 members");
        let payload = serde_json::to_vec(&claims).unwrap();
        let mut algs = Vec::new();
        for alg in ALGS {
            if !software_statement::backend_supports(alg) {
                continue;
            }
            let private_json = read(&format!("keys/{alg}.jwk"));
            let key = Jwk::from_json(&private_json).unwrap();
            let public_json = match key.to_public() {
                Ok(p) => p.to_value().to_string(),
                Err(_) => key.to_value().to_string(),
            };
            let token = read(&format!("tokens/{alg}.jwt")).trim().to_owned();
            algs.push(AlgCase {
                alg,
                private_json,
                public_json,
                key,
                token,
            });
        }
        Workload {
            claims,
            payload,
            request,
            algs,
        }
    }

    pub fn alg(&self, alg: Algorithm) -> Option<&AlgCase> {
        self.algs.iter().find(|a| a.alg == alg)
    }

    /// Every key's public JWK (the `oct` secret as is), as a verifier holds them.
    pub fn public_set(&self) -> JwkSet {
        JwkSet::new(
            self.algs
                .iter()
                .map(|a| Jwk::from_json(&a.public_json).unwrap())
                .collect(),
        )
        .unwrap()
    }

    /// The public JWKS a publisher serves at its `jwks_uri` (no `oct` key).
    #[cfg_attr(not(feature = "remote"), allow(dead_code))]
    pub fn published_jwks(&self) -> String {
        let keys: Vec<Value> = self
            .algs
            .iter()
            .filter(|a| !a.alg.is_hmac())
            .map(|a| serde_json::from_str(&a.public_json).unwrap())
            .collect();
        json!({ "keys": keys }).to_string()
    }

    /// A trust file with the workload issuer, its keys inline (the `oct` one included)
    /// and `software_id` required.
    pub fn trust_json(&self) -> String {
        self.trust_json_of(|_| true)
    }

    /// The same trust file with the keys of the algorithms `keep` accepts.
    pub fn trust_json_of(&self, keep: impl Fn(Algorithm) -> bool) -> String {
        let keys: Vec<Value> = self
            .algs
            .iter()
            .filter(|a| keep(a.alg))
            .map(|a| serde_json::from_str(&a.public_json).unwrap())
            .collect();
        serde_json::to_string_pretty(&json!({
            "issuers": {
                ISSUER: {
                    "jwks": { "keys": keys },
                    "required_claims": ["software_id"],
                    "max_age": 31_536_000
                }
            },
            "leeway": 60
        }))
        .unwrap()
    }
}

/// The 20 claims of the workload statement.
fn claims_template() -> Value {
    json!({
        "iss": ISSUER,
        "iat": IAT,
        "exp": IAT + 365 * 24 * 3600,
        "jti": "Jmn2sX1FXgfSg9OXXAAPYg",
        "software_id": "4NRB1-0XZABZI9E6-5SM3R",
        "software_version": "2.4.1",
        "client_name": "Example Statement-based Client",
        "client_name#ja-Jpan-JP": "クライアント名",
        "client_uri": "https://client.example.net/",
        "logo_uri": "https://client.example.net/logo.png",
        "tos_uri": "https://client.example.net/tos.html",
        "policy_uri": "https://client.example.net/privacy.html",
        "redirect_uris": [
            "https://client.example.net/callback",
            "https://client.example.net/callback2"
        ],
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "token_endpoint_auth_method": "private_key_jwt",
        "scope": "openid profile email offline_access",
        "contacts": ["ve7jtb@example.org", "mary@example.org"],
        "jwks_uri": "https://client.example.net/jwks.json",
        "tls_client_certificate_bound_access_tokens": true
    })
}

/// The 15 members of the registration request; `software_statement` is the ES256
/// token and `jwks` its key (both filled in by `write`).
fn request_template(token: &str, jwk: Value) -> Value {
    json!({
        "redirect_uris": ["https://client.example.net/callback"],
        "client_name": "My Example Client",
        "client_name#fr": "Mon client d'exemple",
        "logo_uri": "https://client.example.net/logo-small.png",
        "grant_types": ["authorization_code"],
        "response_types": ["code"],
        "token_endpoint_auth_method": "private_key_jwt",
        "scope": "openid profile",
        "contacts": ["ops@client.example.net"],
        "jwks": { "keys": [jwk] },
        "software_statement": token,
        "default_max_age": 3600,
        "post_logout_redirect_uris": ["https://client.example.net/logout"],
        "id_token_signed_response_alg": "ES256",
        "userinfo_signed_response_alg": "ES256"
    })
}

/// Generates new keys and tokens into `test-vectors/bench/` (aws-lc-rs backend: the
/// ring backend cannot generate RSA keys, ES512 nor ML-DSA). `only`: the names of the
/// algorithms to regenerate (their key and token; the claims stay), or empty for all.
pub fn write(only: &[String]) {
    let d = dir();
    std::fs::create_dir_all(d.join("keys")).unwrap();
    std::fs::create_dir_all(d.join("tokens")).unwrap();
    let write = |rel: &str, text: String| {
        std::fs::write(d.join(rel), text).unwrap();
        eprintln!("wrote test-vectors/bench/{rel}");
    };
    let claims = if only.is_empty() {
        let claims = claims_template();
        write("claims.json", serde_json::to_string_pretty(&claims).unwrap() + "\n");
        claims
    } else {
        serde_json::from_str(&read("claims.json")).unwrap()
    };
    let payload = serde_json::to_vec(&claims).unwrap();
    let mut es256 = None;
    for alg in ALGS
        .into_iter()
        .filter(|a| only.is_empty() || only.iter().any(|o| o == a.name()))
    {
        let key = Jwk::generate(alg).unwrap();
        let mut extra = Map::new();
        extra.insert("typ".into(), "JWT".into());
        let token = sign_jws(&key, alg, &extra, &payload).unwrap();
        write(
            &format!("keys/{alg}.jwk"),
            serde_json::to_string_pretty(&key.to_value()).unwrap() + "\n",
        );
        write(&format!("tokens/{alg}.jwt"), token.clone() + "\n");
        if alg == Algorithm::ES256 {
            es256 = Some((token, key.to_public().unwrap().to_value()));
        }
    }
    // The request carries the ES256 statement: rewritten with it.
    let Some((token, jwk)) = es256 else {
        return;
    };
    write(
        "request.json",
        serde_json::to_string_pretty(&request_template(&token, jwk)).unwrap() + "\n",
    );
}
