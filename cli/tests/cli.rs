//! End-to-end tests of the `software-statement` binary (the README's "The CLI"): every
//! command, every exit status, the exact JSON shapes, and one JSON line on stdout for every
//! rejection.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::{json, Map, Value};
use software_statement_test_support::{JwksServer, Reply, Scheme};

const BIN: &str = env!("CARGO_BIN_EXE_software-statement");
const T0: u64 = 1_700_000_000;
const ISS: &str = "https://publisher.example.com";

// ---------------------------------------------------------------------------------------
// Harness.

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Out {
    /// Exit 0 and one JSON object on one line.
    fn json(&self) -> Map<String, Value> {
        assert_eq!(
            self.code, 0,
            "expected success; stdout: {} stderr: {}",
            self.stdout, self.stderr
        );
        one_json_line(&self.stdout)
    }

    /// Exit 1 and exactly `{"error": code, "error_description": "..."}` on one line.
    fn rejected(&self, code: &str) -> String {
        assert_eq!(
            self.code, 1,
            "expected a rejection; stdout: {} stderr: {}",
            self.stdout, self.stderr
        );
        let body = one_json_line(&self.stdout);
        assert_eq!(
            body.keys().collect::<Vec<_>>(),
            ["error", "error_description"],
            "{body:?}"
        );
        assert_eq!(body["error"], code, "{body:?}");
        let description = body["error_description"].as_str().expect("a string description");
        assert!(!description.is_empty());
        assert!(
            !description.contains("Some(") && !description.contains("None"),
            "debug dump: {description}"
        );
        description.to_owned()
    }

    /// Exit 2, nothing on stdout, a message on stderr containing every `needle`.
    fn config_error(&self, needles: &[&str]) {
        assert_eq!(
            self.code, 2,
            "expected exit 2; stdout: {} stderr: {}",
            self.stdout, self.stderr
        );
        assert_eq!(self.stdout, "", "stdout must be empty on exit 2");
        for n in needles {
            assert!(self.stderr.contains(n), "stderr lacks {n:?}: {}", self.stderr);
        }
        assert!(
            !self.stderr.contains("Some(") && !self.stderr.contains("panicked"),
            "{}",
            self.stderr
        );
    }
}

fn one_json_line(stdout: &str) -> Map<String, Value> {
    assert!(stdout.ends_with('\n'), "output ends with a newline: {stdout:?}");
    assert_eq!(stdout.lines().count(), 1, "exactly one line: {stdout:?}");
    match serde_json::from_str(stdout).expect("valid JSON") {
        Value::Object(m) => m,
        other => panic!("not a JSON object: {other}"),
    }
}

/// Runs the binary in `dir` with `args` and `stdin` (empty when `None`).
fn run_in(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Out {
    let mut child = Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let mut input = child.stdin.take().unwrap();
    // The child may exit without reading its input (a usage error): ignore a broken pipe.
    let _ = input.write_all(stdin.unwrap_or_default());
    drop(input);
    let output = child.wait_with_output().unwrap();
    Out {
        code: output.status.code().expect("exited"),
        stdout: String::from_utf8(output.stdout).expect("UTF-8 stdout"),
        stderr: String::from_utf8(output.stderr).expect("UTF-8 stderr"),
    }
}

/// A fresh working directory per test.
struct Dir(PathBuf);

impl Dir {
    fn new(name: &str) -> Dir {
        let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("cli-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        Dir(path)
    }

    fn run(&self, args: &[&str]) -> Out {
        run_in(&self.0, args, None)
    }

    fn run_stdin(&self, args: &[&str], stdin: &[u8]) -> Out {
        run_in(&self.0, args, Some(stdin))
    }

    fn write(&self, name: &str, content: impl AsRef<[u8]>) {
        std::fs::write(self.0.join(name), content).unwrap();
    }

    fn write_json(&self, name: &str, value: &Value) {
        self.write(name, value.to_string());
    }

    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.0.join(name)).unwrap()
    }

    /// `keygen` into `name`, returning the JWK.
    fn keygen(&self, name: &str, args: &[&str]) -> Map<String, Value> {
        let out = self.run(&[&["keygen"], args].concat());
        let key = out.json();
        self.write(name, &out.stdout);
        key
    }

    /// `jwks` of the key files into `name`.
    fn jwks(&self, name: &str, keys: &[&str]) {
        let out = self.run(&[&["jwks"], keys].concat());
        out.json();
        self.write(name, &out.stdout);
    }

    /// `sign` into `name`, returning the token.
    fn sign(&self, name: &str, args: &[&str], claims: &Value) -> String {
        self.write_json("claims.json", claims);
        let out = self.run(&[&["sign"], args, &["claims.json"]].concat());
        assert_eq!(out.code, 0, "sign failed: {}", out.stderr);
        assert_eq!(out.stdout.lines().count(), 1);
        self.write(name, &out.stdout);
        out.stdout.trim_end().to_owned()
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A publisher key `key.jwk` (ES256, kid "k1"), its JWKS `jwks.json`, and a trust file
/// `trust.json` trusting `ISS` with it (and requiring `software_id`).
fn publisher(name: &str) -> Dir {
    let d = Dir::new(name);
    d.keygen("key.jwk", &["--alg", "ES256", "--kid", "k1"]);
    d.jwks("jwks.json", &["key.jwk"]);
    d.write_json(
        "trust.json",
        &json!({"issuers": {ISS: {"jwks_file": "jwks.json", "required_claims": ["software_id"]}}}),
    );
    d
}

fn statement_claims() -> Value {
    json!({
        "software_id": "4NRB1-0XZABZI9E6-5SM3R",
        "client_name": "Attested Name",
        "redirect_uris": ["https://client.example.net/cb"],
    })
}

fn now(t: u64) -> String {
    t.to_string()
}

// ---------------------------------------------------------------------------------------
// keygen and jwks.

#[test]
fn keygen_every_algorithm() {
    let d = Dir::new("keygen");
    let cases: [(&[&str], &str, Option<&str>); 6] = [
        (&["--alg", "RS256", "--bits", "2048"], "RSA", None),
        (&["--alg", "PS256"], "RSA", None),
        (&["--alg", "ES256"], "EC", Some("P-256")),
        (&["--alg", "ES512"], "EC", Some("P-521")),
        (&["--alg", "EdDSA"], "OKP", Some("Ed25519")),
        (&["--alg", "HS256"], "oct", None),
    ];
    for (args, kty, crv) in cases {
        let key = d.keygen("k.jwk", args);
        assert_eq!(key["kty"], kty, "{args:?}");
        assert_eq!(key["alg"], args[1]);
        assert_eq!(key.get("crv").and_then(Value::as_str), crv);
        assert!(
            key["kid"].as_str().is_some_and(|k| k.len() == 43),
            "thumbprint kid: {key:?}"
        );
        assert!(
            key.contains_key(if kty == "oct" { "k" } else { "d" }),
            "private: {key:?}"
        );
    }
    // RSA sizes: 2048 by default, --bits honoured (n is base64url of the modulus).
    let rsa = d.keygen("r.jwk", &["--alg", "RS256"]);
    assert_eq!(rsa["n"].as_str().unwrap().len(), 342);
    let rsa = d.keygen("r.jwk", &["--alg", "RS256", "--bits", "3072"]);
    assert_eq!(rsa["n"].as_str().unwrap().len(), 512);

    let key = d.keygen("k.jwk", &["--alg", "ES384", "--kid", "my-key"]);
    assert_eq!(key["kid"], "my-key");
    assert_eq!(key["crv"], "P-384");

    d.run(&["keygen", "--alg", "RS256", "--bits", "1024"])
        .config_error(&["1024"]);
    d.run(&["keygen", "--alg", "ES256", "--bits", "2048"])
        .config_error(&["--bits"]);
    d.run(&["keygen", "--alg", "none"]).config_error(&["none"]);
    d.run(&["keygen"]).config_error(&["--alg"]);
}

#[test]
fn jwks_publishes_public_keys_and_refuses_secrets() {
    let d = Dir::new("jwks");
    let ec = d.keygen("ec.jwk", &["--alg", "ES256", "--kid", "ec"]);
    d.keygen("ed.jwk", &["--alg", "EdDSA", "--kid", "ed"]);
    let out = d.run(&["jwks", "ec.jwk", "ed.jwk"]).json();
    assert_eq!(out.keys().collect::<Vec<_>>(), ["keys"]);
    let keys = out["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 2);
    assert_eq!(
        keys[0],
        json!({"kty": "EC", "crv": "P-256", "x": ec["x"], "y": ec["y"], "alg": "ES256", "kid": "ec"})
    );
    assert_eq!(keys[1]["kid"], "ed");
    assert!(keys.iter().all(|k| k.get("d").is_none()));

    // A public JWKS as input gives the same set.
    d.write("set.json", serde_json::to_string(&out).unwrap());
    assert_eq!(d.run(&["jwks", "set.json"]).json(), out);

    // Secrets are never published.
    d.keygen("hs.jwk", &["--alg", "HS256", "--kid", "shared"]);
    d.run(&["jwks", "ec.jwk", "hs.jwk"])
        .config_error(&["hs.jwk", "secret", "never published"]);
    // Same kid twice, unreadable file, not a key.
    d.run(&["jwks", "ec.jwk", "ec.jwk"]).config_error(&["duplicate kid"]);
    d.run(&["jwks", "missing.jwk"]).config_error(&["missing.jwk"]);
    d.write("junk.jwk", "{\"kty\": 1");
    d.run(&["jwks", "junk.jwk"]).config_error(&["junk.jwk"]);
    d.run(&["jwks"]).config_error(&["KEY.jwk"]);
}

// ---------------------------------------------------------------------------------------
// sign and verify.

#[test]
fn sign_verify_round_trip() {
    let d = publisher("roundtrip");
    let claims = statement_claims();
    let token = d.sign(
        "st.jwt",
        &[
            "--key",
            "key.jwk",
            "--iss",
            ISS,
            "--ttl",
            "600",
            "--typ",
            "JWT",
            "--now",
            &now(T0),
        ],
        &claims,
    );
    assert_eq!(token.split('.').count(), 3);

    let out = d
        .run(&["verify", "--trust", "trust.json", "--now", &now(T0 + 10), "st.jwt"])
        .json();
    assert_eq!(out.keys().collect::<Vec<_>>(), ["issuer", "header", "claims"]);
    assert_eq!(out["issuer"], ISS);
    assert_eq!(out["header"], json!({"alg": "ES256", "kid": "k1", "typ": "JWT"}));
    let c = out["claims"].as_object().unwrap();
    assert_eq!(
        c.keys().collect::<Vec<_>>(),
        [
            "iss",
            "software_id",
            "client_name",
            "redirect_uris",
            "iat",
            "exp",
            "jti"
        ]
    );
    assert_eq!(c["iss"], ISS);
    assert_eq!(c["iat"], T0);
    assert_eq!(c["exp"], T0 + 600);
    assert_eq!(c["software_id"], claims["software_id"]);
    assert!(c["jti"].as_str().is_some_and(|j| !j.is_empty()));

    // Without --ttl there is no exp; --alg picks the algorithm of an RSA key without one.
    d.keygen("rsa.jwk", &["--alg", "PS256", "--kid", "r1"]);
    let t = d.sign(
        "rsa.jwt",
        &["--key", "rsa.jwk", "--iss", ISS, "--alg", "PS256", "--now", &now(T0)],
        &claims,
    );
    let out = d.run(&["inspect", "rsa.jwt"]).json();
    assert_eq!(out["header"], json!({"alg": "PS256", "kid": "r1"}));
    assert!(out["claims"].get("exp").is_none());
    assert!(t.starts_with("eyJ"));
}

#[test]
fn token_input_from_stdin_and_with_whitespace() {
    let d = publisher("stdin");
    let token = d.sign(
        "st.jwt",
        &["--key", "key.jwk", "--iss", ISS, "--now", &now(T0)],
        &statement_claims(),
    );
    let at = now(T0 + 5);
    let expected = d
        .run(&["verify", "--trust", "trust.json", "--now", &at, "st.jwt"])
        .json();
    // The file written by `sign` ends with a newline: trimmed.
    assert!(d.read("st.jwt").ends_with('\n'));
    // `-` and no argument read stdin; surrounding whitespace is trimmed.
    for input in [format!("{token}\n"), format!("  {token}\r\n\n"), token.clone()] {
        let a = d.run_stdin(
            &["verify", "--trust", "trust.json", "--now", &at, "-"],
            input.as_bytes(),
        );
        assert_eq!(a.json(), expected);
        let b = d.run_stdin(&["verify", "--trust", "trust.json", "--now", &at], input.as_bytes());
        assert_eq!(b.json(), expected);
    }
    // Claims from stdin too, and empty claims input means none.
    let out = d.run_stdin(
        &["sign", "--key", "key.jwk", "--iss", ISS, "--now", &now(T0)],
        br#"{"software_id":"x"}"#,
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let inspected = d.run_stdin(&["inspect"], out.stdout.as_bytes()).json();
    assert_eq!(inspected["claims"]["software_id"], "x");
    let out = d.run_stdin(&["sign", "--key", "key.jwk", "--iss", ISS, "--now", &now(T0), "-"], b"");
    let inspected = d.run_stdin(&["inspect", "-"], out.stdout.as_bytes()).json();
    assert_eq!(
        inspected["claims"].as_object().unwrap().keys().collect::<Vec<_>>(),
        ["iss", "iat", "jti"]
    );
}

#[test]
fn verify_rejections_exit_1() {
    let d = publisher("verify-reject");
    d.sign(
        "st.jwt",
        &["--key", "key.jwk", "--iss", ISS, "--ttl", "60", "--now", &now(T0)],
        &statement_claims(),
    );

    // Expired (past exp + 60 s leeway).
    let out = d.run(&["verify", "--trust", "trust.json", "--now", &now(T0 + 121), "st.jwt"]);
    assert!(out.rejected("invalid_software_statement").contains("expired"));
    assert!(out.stderr.contains("hint:"));
    // Within the leeway it still verifies.
    d.run(&["verify", "--trust", "trust.json", "--now", &now(T0 + 119), "st.jwt"])
        .json();

    // Untrusted issuer.
    d.sign(
        "other.jwt",
        &[
            "--key",
            "key.jwk",
            "--iss",
            "https://unknown.example",
            "--now",
            &now(T0),
        ],
        &statement_claims(),
    );
    let out = d.run(&["verify", "--trust", "trust.json", "--now", &now(T0), "other.jwt"]);
    assert!(out
        .rejected("unapproved_software_statement")
        .contains("https://unknown.example"));
    assert!(
        out.stderr
            .contains("\"https://unknown.example\" is not in the trust file"),
        "{}",
        out.stderr
    );

    // Bad signature: another key with the same kid.
    d.keygen("evil.jwk", &["--alg", "ES256", "--kid", "k1"]);
    d.sign(
        "evil.jwt",
        &["--key", "evil.jwk", "--iss", ISS, "--now", &now(T0)],
        &statement_claims(),
    );
    let out = d.run(&["verify", "--trust", "trust.json", "--now", &now(T0), "evil.jwt"]);
    assert!(out.rejected("invalid_software_statement").contains("signature"));

    // A required claim is missing.
    d.sign(
        "bare.jwt",
        &["--key", "key.jwk", "--iss", ISS, "--now", &now(T0)],
        &json!({}),
    );
    let out = d.run(&["verify", "--trust", "trust.json", "--now", &now(T0), "bare.jwt"]);
    assert!(out.rejected("invalid_software_statement").contains("software_id"));

    // Malformed tokens: garbage, empty, not UTF-8, alg none, JWS JSON serialization.
    for bad in [
        &b"not.a.token"[..],
        b"",
        b"\xff\xfe",
        b"eyJhbGciOiJub25lIn0.eyJpc3MiOiJodHRwczovL3B1Ymxpc2hlci5leGFtcGxlLmNvbSJ9.",
        b"{\"payload\":\"e30\"}",
    ] {
        let out = d.run_stdin(&["verify", "--trust", "trust.json", "--now", &now(T0)], bad);
        out.rejected("invalid_software_statement");
    }
}

#[test]
fn trust_file_problems_exit_2() {
    let d = publisher("trust-errors");
    d.sign(
        "st.jwt",
        &["--key", "key.jwk", "--iss", ISS, "--now", &now(T0)],
        &statement_claims(),
    );

    // A bad key: the message names the file, the issuer and the kid.
    d.write_json(
        "bad-key.json",
        &json!({"issuers": {ISS: {"jwks": {"keys": [
            {"kty": "EC", "crv": "P-256", "kid": "broken-key", "x": "AAAA", "y": "AAAA"}
        ]}}}}),
    );
    d.run(&["verify", "--trust", "bad-key.json", "--now", &now(T0), "st.jwt"])
        .config_error(&["bad-key.json", ISS, "broken-key"]);
    // The same in register.
    d.run_stdin(&["register", "--trust", "bad-key.json"], b"{}")
        .config_error(&["bad-key.json", "broken-key"]);
    // Nonexistent, malformed JSON, unknown member.
    d.run(&["verify", "--trust", "nope.json", "st.jwt"])
        .config_error(&["nope.json"]);
    d.write("malformed.json", "{\"issuers\": {\n  \"x\": }");
    d.run(&["verify", "--trust", "malformed.json", "st.jwt"])
        .config_error(&["malformed.json", "line 2"]);
    d.write_json("unknown.json", &json!({"issuers": {}, "leway": 30}));
    d.run(&["verify", "--trust", "unknown.json", "st.jwt"])
        .config_error(&["unknown.json", "leway"]);
    // An unreadable token file is a usage error too.
    d.run(&["verify", "--trust", "trust.json", "missing.jwt"])
        .config_error(&["missing.jwt"]);
    // Usage: missing --trust, bad --now.
    d.run(&["verify", "st.jwt"]).config_error(&["--trust"]);
    d.run(&["verify", "--trust", "trust.json", "--now", "yesterday", "st.jwt"])
        .config_error(&["--now"]);
}

#[test]
fn verify_through_a_jwks_uri() {
    let d = publisher("jwks-uri");
    d.sign(
        "st.jwt",
        &["--key", "key.jwk", "--iss", ISS, "--now", &now(T0)],
        &statement_claims(),
    );
    // Plain HTTP on 127.0.0.1, on the server's own runtime: this test is synchronous.
    let server = JwksServer::start_blocking(Scheme::Http, Reply::json(d.read("jwks.json")));
    let url = server.url("/jwks.json");
    d.write_json(
        "remote.json",
        &json!({"issuers": {ISS: {"jwks_uri": url}}, "allow_http_loopback": true}),
    );
    let out = d
        .run(&["verify", "--trust", "remote.json", "--now", &now(T0), "st.jwt"])
        .json();
    assert_eq!(out["issuer"], ISS);
    assert_eq!(server.requests(), 1);
}

// ---------------------------------------------------------------------------------------
// register.

fn request_with(token: &str) -> Value {
    json!({
        "client_name": "Unattested Name",
        "client_name#fr": "Nom non attesté",
        "redirect_uris": ["https://client.example.net/cb"],
        "contacts": ["ops@client.example.net"],
        "software_statement": token,
    })
}

#[test]
fn register_with_a_statement_reports_overrides() {
    let d = publisher("register");
    let token = d.sign(
        "st.jwt",
        &["--key", "key.jwk", "--iss", ISS, "--now", &now(T0)],
        &statement_claims(),
    );
    d.write_json("request.json", &request_with(&token));
    let out = d
        .run(&["register", "--trust", "trust.json", "--now", &now(T0), "request.json"])
        .json();
    assert_eq!(out.keys().collect::<Vec<_>>(), ["metadata", "overridden", "statement"]);
    assert_eq!(
        out["overridden"],
        json!(["client_name", "client_name#fr", "redirect_uris"])
    );
    assert_eq!(out["statement"], json!({"issuer": ISS, "alg": "ES256", "kid": "k1"}));
    assert_eq!(
        out["metadata"],
        json!({
            "contacts": ["ops@client.example.net"],
            "software_id": "4NRB1-0XZABZI9E6-5SM3R",
            "client_name": "Attested Name",
            "redirect_uris": ["https://client.example.net/cb"],
            "software_statement": token,
        })
    );
    // The same from stdin.
    let again = d.run_stdin(
        &["register", "--trust", "trust.json", "--now", &now(T0)],
        d.read("request.json").as_bytes(),
    );
    assert_eq!(again.json(), out);

    // A statement without kid: "kid" is null.
    d.keygen("nokid.jwk", &["--alg", "EdDSA"]);
    let mut key: Map<String, Value> = serde_json::from_str(&d.read("nokid.jwk")).unwrap();
    key.remove("kid");
    d.write_json("nokid.jwk", &Value::Object(key));
    d.jwks("nokid-jwks.json", &["nokid.jwk"]);
    d.write_json(
        "nokid-trust.json",
        &json!({"issuers": {ISS: {"jwks_file": "nokid-jwks.json"}}}),
    );
    let token = d.sign(
        "nokid.jwt",
        &["--key", "nokid.jwk", "--iss", ISS, "--now", &now(T0)],
        &statement_claims(),
    );
    d.write_json("request.json", &request_with(&token));
    let out = d
        .run(&[
            "register",
            "--trust",
            "nokid-trust.json",
            "--now",
            &now(T0),
            "request.json",
        ])
        .json();
    assert_eq!(out["statement"], json!({"issuer": ISS, "alg": "EdDSA", "kid": null}));
}

#[test]
fn register_without_a_statement() {
    let d = publisher("register-plain");
    let request = json!({"client_name": "Plain", "redirect_uris": ["https://client.example.net/cb"]});
    let out = d
        .run_stdin(&["register", "--trust", "trust.json"], request.to_string().as_bytes())
        .json();
    assert_eq!(
        out,
        json!({"metadata": request, "overridden": [], "statement": null})
            .as_object()
            .unwrap()
            .clone()
    );

    // Required by the trust file and absent.
    d.write_json(
        "strict.json",
        &json!({"issuers": {ISS: {"jwks_file": "jwks.json"}}, "require_software_statement": true}),
    );
    let out = d.run_stdin(&["register", "--trust", "strict.json"], request.to_string().as_bytes());
    out.rejected("invalid_software_statement");
    assert!(out.stderr.contains("require_software_statement"));
}

#[test]
fn register_rejections_exit_1() {
    let d = publisher("register-reject");
    let at = now(T0);
    // Untrusted issuer.
    let token = d.sign(
        "other.jwt",
        &["--key", "key.jwk", "--iss", "https://unknown.example", "--now", &at],
        &statement_claims(),
    );
    let out = d.run_stdin(
        &["register", "--trust", "trust.json", "--now", &at],
        request_with(&token).to_string().as_bytes(),
    );
    out.rejected("unapproved_software_statement");
    // Expired.
    let token = d.sign(
        "st.jwt",
        &["--key", "key.jwk", "--iss", ISS, "--ttl", "10", "--now", &at],
        &statement_claims(),
    );
    let late = now(T0 + 1000);
    let out = d.run_stdin(
        &["register", "--trust", "trust.json", "--now", &late],
        request_with(&token).to_string().as_bytes(),
    );
    assert!(out.rejected("invalid_software_statement").contains("expired"));
    // A malformed statement.
    let out = d.run_stdin(
        &["register", "--trust", "trust.json"],
        request_with("a.b").to_string().as_bytes(),
    );
    out.rejected("invalid_software_statement");
    // Metadata problems.
    let bad_redirect = json!({"redirect_uris": ["https://client.example.net/cb#frag"]});
    let out = d.run_stdin(
        &["register", "--trust", "trust.json"],
        bad_redirect.to_string().as_bytes(),
    );
    out.rejected("invalid_redirect_uri");
    let bad_type = json!({"redirect_uris": ["https://client.example.net/cb"], "client_uri": 7});
    let out = d.run_stdin(&["register", "--trust", "trust.json"], bad_type.to_string().as_bytes());
    out.rejected("invalid_client_metadata");
    // Not a JSON object, duplicate member, not UTF-8.
    for body in [&b"[1,2]"[..], b"{\"a\":1,\"a\":2}", b"{", b"\xff"] {
        d.run_stdin(&["register", "--trust", "trust.json"], body)
            .rejected("invalid_client_metadata");
    }
    // Unreadable request file: usage error.
    d.run(&["register", "--trust", "trust.json", "missing.json"])
        .config_error(&["missing.json"]);
}

// ---------------------------------------------------------------------------------------
// jws verify and inspect.

#[test]
fn jws_verify_good_bad_and_algorithm_allow_list() {
    let d = publisher("jws");
    let token = d.sign(
        "st.jwt",
        &["--key", "key.jwk", "--iss", ISS, "--now", &now(T0)],
        &statement_claims(),
    );
    let payload = token.split('.').nth(1).unwrap();

    let out = d.run(&["jws", "verify", "--jwks", "jwks.json", "st.jwt"]).json();
    assert_eq!(out.keys().collect::<Vec<_>>(), ["header", "payload"]);
    assert_eq!(out["header"], json!({"alg": "ES256", "kid": "k1"}));
    assert_eq!(out["payload"], payload);
    let out = d
        .run(&[
            "jws",
            "verify",
            "--jwks",
            "jwks.json",
            "--alg",
            "PS256",
            "--alg",
            "ES256",
            "st.jwt",
        ])
        .json();
    assert_eq!(out["payload"], payload);

    // Not allowed by --alg.
    let out = d.run(&["jws", "verify", "--jwks", "jwks.json", "--alg", "PS256", "st.jwt"]);
    assert!(out.rejected("invalid_jws").contains("not allowed"));
    // Tampered signature.
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    parts[2] = parts[2].chars().rev().collect();
    let out = d.run_stdin(&["jws", "verify", "--jwks", "jwks.json"], parts.join(".").as_bytes());
    out.rejected("invalid_jws");
    // Another key.
    d.keygen("other.jwk", &["--alg", "ES256", "--kid", "k1"]);
    d.jwks("other.json", &["other.jwk"]);
    d.run(&["jws", "verify", "--jwks", "other.json", "st.jwt"])
        .rejected("invalid_jws");
    // Malformed.
    d.run_stdin(&["jws", "verify", "--jwks", "jwks.json", "-"], b"x.y")
        .rejected("invalid_jws");

    // Any payload: a non-JSON payload signed with an HMAC key verifies.
    let secret = software_statement::Jwk::generate(software_statement::Algorithm::HS256).unwrap();
    let t = software_statement::sign_jws(&secret, software_statement::Algorithm::HS256, &Map::new(), b"hello").unwrap();
    d.write_json("secret.json", &json!({"keys": [secret.to_value()]}));
    let out = d
        .run_stdin(&["jws", "verify", "--jwks", "secret.json"], t.as_bytes())
        .json();
    assert_eq!(out["payload"], "aGVsbG8");

    // Configuration errors: unreadable JWKS, a bad key in it, an unknown --alg.
    d.run(&["jws", "verify", "--jwks", "missing.json", "st.jwt"])
        .config_error(&["missing.json"]);
    d.write_json(
        "bad.json",
        &json!({"keys": [{"kty": "EC", "crv": "P-256", "kid": "bad-k", "x": "AA", "y": "AA"}]}),
    );
    d.run(&["jws", "verify", "--jwks", "bad.json", "st.jwt"])
        .config_error(&["bad.json", "'bad-k'"]);
    d.run(&["jws", "verify", "--jwks", "jwks.json", "--alg", "none", "st.jwt"])
        .config_error(&["none"]);
}

#[test]
fn inspect_decodes_without_verifying() {
    let d = publisher("inspect");
    let token = d.sign(
        "st.jwt",
        &["--key", "key.jwk", "--iss", ISS, "--typ", "JWT", "--now", &now(T0)],
        &statement_claims(),
    );
    let out = d.run(&["inspect", "st.jwt"]).json();
    assert_eq!(out.keys().collect::<Vec<_>>(), ["verified", "header", "claims"]);
    assert_eq!(out["verified"], false);
    assert_eq!(out["header"], json!({"alg": "ES256", "kid": "k1", "typ": "JWT"}));
    assert_eq!(out["claims"]["iss"], ISS);
    assert_eq!(out["claims"]["client_name"], "Attested Name");

    // A forged signature still decodes: nothing is verified.
    let forged = format!("{}.{}", token.rsplit_once('.').unwrap().0, "AAAA");
    let out = d.run_stdin(&["inspect"], forged.as_bytes()).json();
    assert_eq!(out["verified"], false);

    // A payload that is not a JSON object: claims null, payload as base64url.
    let secret = software_statement::Jwk::generate(software_statement::Algorithm::HS256).unwrap();
    let t = software_statement::sign_jws(&secret, software_statement::Algorithm::HS256, &Map::new(), b"[1]").unwrap();
    let out = d.run_stdin(&["inspect"], t.as_bytes()).json();
    assert_eq!(
        out.keys().collect::<Vec<_>>(),
        ["verified", "header", "claims", "payload"]
    );
    assert_eq!(out["claims"], Value::Null);
    assert_eq!(out["payload"], "WzFd");

    // Tokens the verifier refuses can still be looked at: alg none, no alg at all.
    let out = d.run_stdin(&["inspect"], b"eyJhbGciOiJub25lIn0.e30.").json();
    assert_eq!(out["header"]["alg"], "none");
    assert_eq!(out["claims"], serde_json::json!({}));
    let out = d.run_stdin(&["inspect"], b"e30.e30.e30").json();
    assert_eq!(out["header"], serde_json::json!({}));

    // Malformed tokens: exit 1 invalid_jws.
    for bad in [
        &b"abc"[..],
        b"",
        b"e30.e30",
        b"e30.e30.e30.e30",
        b"e30=.e30.e30",
        b"WzFd.e30.e30",
        b"eyJhIjoxLCJhIjoyfQ.e30.e30",
    ] {
        d.run_stdin(&["inspect"], bad).rejected("invalid_jws");
    }
    d.run(&["inspect", "missing.jwt"]).config_error(&["missing.jwt"]);
}

// ---------------------------------------------------------------------------------------
// sign errors, usage, demo.

#[test]
fn sign_configuration_errors_exit_2() {
    let d = publisher("sign-errors");
    d.write("list.json", "[1]");
    d.run(&["sign", "--key", "key.jwk", "--iss", ISS, "list.json"])
        .config_error(&["list.json", "JSON object"]);
    d.write("dup.json", "{\"a\":1,\"a\":2}");
    d.run(&["sign", "--key", "key.jwk", "--iss", ISS, "dup.json"])
        .config_error(&["twice"]);
    // A public key cannot sign.
    d.run_stdin(&["sign", "--key", "jwks.json", "--iss", ISS], b"{}")
        .config_error(&["jwks.json"]);
    let mut public = serde_json::from_str::<Value>(&d.read("jwks.json")).unwrap()["keys"][0].clone();
    public["kid"] = json!("pub");
    d.write_json("public.jwk", &public);
    d.run_stdin(&["sign", "--key", "public.jwk", "--iss", ISS], b"{}")
        .config_error(&["public key"]);
    // An algorithm the key cannot make.
    d.run_stdin(&["sign", "--key", "key.jwk", "--iss", ISS, "--alg", "ES384"], b"{}")
        .config_error(&["ES384"]);
    d.run_stdin(&["sign", "--key", "missing.jwk", "--iss", ISS], b"{}")
        .config_error(&["missing.jwk"]);
    d.run_stdin(&["sign", "--key", "key.jwk", "--iss", ""], b"{}")
        .config_error(&["--iss"]);
    d.run_stdin(&["sign", "--key", "key.jwk"], b"{}")
        .config_error(&["--iss"]);
}

#[test]
fn usage_errors_exit_2_and_help_exits_0() {
    let d = Dir::new("usage");
    d.run(&[]).config_error(&["Usage"]);
    d.run(&["frobnicate"]).config_error(&["frobnicate"]);
    d.run(&["jws"]).config_error(&["verify"]);
    d.run(&["keygen", "--alg", "ES256", "--unknown"])
        .config_error(&["--unknown"]);
    for cmd in [
        &["--help"][..],
        &["keygen", "--help"],
        &["jws", "verify", "--help"],
        &["demo", "--help"],
    ] {
        let out = d.run(cmd);
        assert_eq!(out.code, 0, "{cmd:?}");
        assert!(out.stdout.contains("Usage: software-statement"), "{cmd:?}");
    }
    // Every command's help has an example.
    for cmd in ["keygen", "jwks", "sign", "verify", "register", "inspect", "demo"] {
        let out = d.run(&[cmd, "--help"]);
        assert!(
            out.stdout.contains("Examples:") && out.stdout.contains(&format!("software-statement {cmd}")),
            "{cmd}"
        );
    }
    assert!(d
        .run(&["jws", "verify", "--help"])
        .stdout
        .contains("software-statement jws verify --jwks"));
}

#[test]
fn demo_walks_through_and_demo_json_is_one_object() {
    let d = Dir::new("demo");
    let out = d.run(&["demo"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    for needle in [
        "1. ",
        "6. ",
        "https://127.0.0.1:",
        "/jwks.json",
        "overridden",
        "client_name#fr",
        "fetches",
    ] {
        assert!(
            out.stdout.contains(needle),
            "walk-through lacks {needle:?}:\n{}",
            out.stdout
        );
    }

    let out = d.run(&["demo", "--json"]).json();
    assert_eq!(out["jwks_fetches"], 1);
    assert!(out["jwks_uri"].as_str().unwrap().starts_with("https://127.0.0.1:"));
    let registration = &out["registration"];
    assert_eq!(
        registration["overridden"],
        json!(["client_name", "client_name#fr", "redirect_uris"])
    );
    assert_eq!(registration["statement"]["alg"], "ES256");
    assert_eq!(registration["metadata"]["software_statement"], out["token"]);
    assert_eq!(out["header"]["typ"], "JWT");
}

// ---------------------------------------------------------------------------------------
// Trust-file warnings and foreign keys.

#[test]
fn a_policy_accepting_any_jwt_is_warned_about() {
    let d = publisher("warn");
    d.sign(
        "st.jwt",
        &["--key", "key.jwk", "--iss", ISS, "--now", &now(T0)],
        &statement_claims(),
    );
    d.write_json("loose.json", &json!({"issuers": {ISS: {"jwks_file": "jwks.json"}}}));
    let out = d.run(&["verify", "--trust", "loose.json", "--now", &now(T0), "st.jwt"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains("warning:") && out.stderr.contains("accepts any JWT"),
        "{}",
        out.stderr
    );
    let out = d.run_stdin(
        &["register", "--trust", "loose.json", "--now", &now(T0)],
        b"{\"redirect_uris\":[\"https://c.example/cb\"]}",
    );
    assert!(out.stderr.contains("accepts any JWT"), "{}", out.stderr);
    // The publisher's trust file requires software_id: no warning.
    let out = d.run(&["verify", "--trust", "trust.json", "--now", &now(T0), "st.jwt"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!out.stderr.contains("warning:"), "{}", out.stderr);
}

#[test]
fn a_post_quantum_key_of_a_foreign_algorithm_in_a_trust_file_is_skipped_not_fatal() {
    let d = publisher("akp");
    d.sign(
        "st.jwt",
        &["--key", "key.jwk", "--iss", ISS, "--now", &now(T0)],
        &statement_claims(),
    );
    let mut jwks: Value = serde_json::from_str(&d.read("jwks.json")).unwrap();
    // An AKP key of an algorithm this library does not implement (SLH-DSA).
    jwks["keys"].as_array_mut().unwrap().insert(
        0,
        json!({"kty": "AKP", "alg": "SLH-DSA-SHA2-128s", "kid": "pq-1", "pub": "AAAA"}),
    );
    d.write_json(
        "pq.json",
        &json!({"issuers": {ISS: {"jwks": jwks, "required_claims": ["software_id"]}}}),
    );
    let out = d.run(&["verify", "--trust", "pq.json", "--now", &now(T0), "st.jwt"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains("pq-1") && out.stderr.contains("skipped"),
        "{}",
        out.stderr
    );
    // An ML-DSA key with a public key of the wrong length is a mistake: the file is invalid.
    jwks["keys"][0] = json!({"kty": "AKP", "alg": "ML-DSA-44", "kid": "pq-2", "pub": "AAAA"});
    d.write_json("bad-pq.json", &json!({"issuers": {ISS: {"jwks": jwks}}}));
    d.run(&["verify", "--trust", "bad-pq.json", "--now", &now(T0), "st.jwt"])
        .config_error(&["bad-pq.json", "'pq-2'", "1312 bytes"]);
}

#[test]
fn ml_dsa_keygen_jwks_sign_verify_and_jws_verify() {
    let d = Dir::new("ml-dsa");
    for (alg, pub_len) in [("ML-DSA-44", 1312), ("ML-DSA-65", 1952), ("ML-DSA-87", 2592)] {
        let key = d.keygen("pq.jwk", &["--alg", alg]);
        assert_eq!(key.keys().collect::<Vec<_>>(), ["kty", "alg", "pub", "priv", "kid"]);
        assert_eq!(key["kty"], "AKP");
        assert_eq!(key["alg"], alg);
        assert_eq!(key["pub"].as_str().unwrap().len(), (pub_len * 4usize).div_ceil(3));
        assert_eq!(key["priv"].as_str().unwrap().len(), 43, "the 32-byte seed");
        let kid = key["kid"].as_str().unwrap().to_owned();
        assert_eq!(kid.len(), 43, "thumbprint kid");

        d.jwks("pq-jwks.json", &["pq.jwk"]);
        let set: Value = serde_json::from_str(&d.read("pq-jwks.json")).unwrap();
        assert_eq!(
            set,
            json!({"keys": [{"kty": "AKP", "alg": alg, "pub": key["pub"], "kid": kid}]}),
            "public: no priv"
        );
        d.write_json(
            "pq-trust.json",
            &json!({"issuers": {ISS: {"jwks_file": "pq-jwks.json", "algorithms": [alg],
                                      "required_claims": ["software_id"]}}}),
        );
        let token = d.sign(
            "pq.jwt",
            &["--key", "pq.jwk", "--iss", ISS, "--ttl", "600", "--now", &now(T0)],
            &statement_claims(),
        );
        let out = d
            .run(&["verify", "--trust", "pq-trust.json", "--now", &now(T0 + 1), "pq.jwt"])
            .json();
        assert_eq!(out["header"], json!({"alg": alg, "kid": kid}));
        assert_eq!(out["claims"]["software_id"], statement_claims()["software_id"]);
        let out = d
            .run(&["jws", "verify", "--jwks", "pq-jwks.json", "--alg", alg, "pq.jwt"])
            .json();
        assert_eq!(out["payload"], token.split('.').nth(1).unwrap());
        // A tampered signature, and a key of another parameter set under the same kid.
        let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
        let flipped = if parts[2].starts_with('A') { "B" } else { "A" };
        parts[2].replace_range(..1, flipped);
        d.run_stdin(&["jws", "verify", "--jwks", "pq-jwks.json"], parts.join(".").as_bytes())
            .rejected("invalid_jws");
        let other = if alg == "ML-DSA-65" { "ML-DSA-44" } else { "ML-DSA-65" };
        d.keygen("other.jwk", &["--alg", other, "--kid", &kid]);
        d.jwks("other.json", &["other.jwk"]);
        d.run(&["jws", "verify", "--jwks", "other.json", "pq.jwt"])
            .rejected("invalid_jws");
    }
    d.run(&["keygen", "--alg", "ML-DSA-44", "--bits", "2048"])
        .config_error(&["--bits"]);
}

// ---------------------------------------------------------------------------------------
// Signed registration requests: `request`, then `register`.

/// The authorization server the signed requests are addressed to.
const AUD: &str = "https://as.example.org";

/// `publisher(name)` plus a client key `client.jwk` (ES256, kid "client-1"), a statement
/// `ssa.jwt` naming it (issued at T0, valid an hour), `metadata.json`, and
/// `signed-trust.json`: the publisher's trust file with `registration` as given.
fn signed_setup(name: &str, registration: Value) -> Dir {
    let d = publisher(name);
    d.keygen("client.jwk", &["--alg", "ES256", "--kid", "client-1"]);
    d.jwks("client-jwks.json", &["client.jwk"]);
    let client_jwks: Value = serde_json::from_str(&d.read("client-jwks.json")).unwrap();
    let mut claims = statement_claims();
    claims["token_endpoint_auth_method"] = json!("private_key_jwt");
    claims["jwks"] = client_jwks;
    d.sign(
        "ssa.jwt",
        &["--key", "key.jwk", "--iss", ISS, "--ttl", "3600", "--now", &now(T0)],
        &claims,
    );
    d.write_json(
        "metadata.json",
        &json!({"client_name": "Unattested Name", "contacts": ["ops@client.example.net"]}),
    );
    d.write_json(
        "signed-trust.json",
        &json!({
            "issuers": {ISS: {"jwks_file": "jwks.json", "required_claims": ["software_id"]}},
            "registration": registration,
        }),
    );
    d
}

/// `request --key client.jwk --statement ssa.jwt --aud AUD` with `args`, into `file`;
/// the token.
fn request_token(d: &Dir, file: &str, args: &[&str]) -> String {
    let base = ["request", "--key", "client.jwk", "--statement", "ssa.jwt", "--aud", AUD];
    let out = d.run(&[&base[..], args].concat());
    assert_eq!(out.code, 0, "request failed: {}", out.stderr);
    assert_eq!(out.stdout.lines().count(), 1, "{}", out.stdout);
    let token = out.stdout.trim_end().to_owned();
    assert_eq!(token.split('.').count(), 3, "{token}");
    d.write(file, &out.stdout);
    token
}

#[test]
fn request_then_register_reports_the_request() {
    let d = signed_setup("signed-register", json!({"audience": AUD}));
    let ssa = d.read("ssa.jwt").trim_end().to_owned();
    let token = request_token(&d, "request.jwt", &["--now", &now(T0), "metadata.json"]);
    // What `request` signed, as `inspect` reads it.
    let inspected = d.run(&["inspect", "request.jwt"]).json();
    assert_eq!(inspected["header"]["alg"], "ES256");
    assert_eq!(inspected["header"]["kid"], "client-1");
    let claims = &inspected["claims"];
    assert_eq!(claims["iss"], "4NRB1-0XZABZI9E6-5SM3R", "the statement's software_id");
    assert_eq!(claims["aud"], AUD);
    assert_eq!(claims["iat"], T0);
    assert_eq!(claims["exp"], T0 + 300);
    assert_eq!(claims["software_statement"], ssa.as_str());
    assert_eq!(claims["client_name"], "Unattested Name");
    let jti = claims["jti"].as_str().expect("a jti").to_owned();

    let out = d
        .run(&[
            "register",
            "--trust",
            "signed-trust.json",
            "--now",
            &now(T0),
            "request.jwt",
        ])
        .json();
    assert_eq!(
        out.keys().collect::<Vec<_>>(),
        ["metadata", "overridden", "statement", "request"]
    );
    assert_eq!(out["request"], json!({"alg": "ES256", "kid": "client-1", "jti": jti}));
    assert_eq!(out["statement"], json!({"issuer": ISS, "alg": "ES256", "kid": "k1"}));
    assert_eq!(out["overridden"], json!(["client_name"]));
    let metadata = out["metadata"].as_object().unwrap();
    assert_eq!(metadata["software_statement"], ssa.as_str());
    assert_eq!(metadata["client_name"], "Attested Name");
    assert_eq!(metadata["contacts"], json!(["ops@client.example.net"]));
    for claim in ["iss", "sub", "aud", "exp", "nbf", "iat", "jti"] {
        assert!(!metadata.contains_key(claim), "{claim} in {metadata:?}");
    }
    // From stdin, with surrounding whitespace (each run is a new process: a new replay
    // guard).
    let again = d.run_stdin(
        &["register", "--trust", "signed-trust.json", "--now", &now(T0)],
        format!("\n {token} \n").as_bytes(),
    );
    assert_eq!(again.json(), out);

    // --iss other than the statement's software_id.
    request_token(
        &d,
        "wrong-iss.jwt",
        &["--now", &now(T0), "--iss", "someone-else", "metadata.json"],
    );
    let out = d.run(&[
        "register",
        "--trust",
        "signed-trust.json",
        "--now",
        &now(T0),
        "wrong-iss.jwt",
    ]);
    assert!(out.rejected("invalid_client_metadata").contains("software_id"));
    // --ttl 10, presented 100 s later.
    request_token(&d, "short.jwt", &["--now", &now(T0), "--ttl", "10", "metadata.json"]);
    let late = now(T0 + 100);
    let out = d.run(&["register", "--trust", "signed-trust.json", "--now", &late, "short.jwt"]);
    assert!(out.rejected("invalid_client_metadata").contains("expired"));
    // Addressed to another server.
    let base = ["request", "--key", "client.jwk", "--statement", "ssa.jwt"];
    let other = d.run(
        &[
            &base[..],
            &["--aud", "https://other.example", "--now", &now(T0), "metadata.json"],
        ]
        .concat(),
    );
    assert_eq!(other.code, 0, "{}", other.stderr);
    d.write("other.jwt", &other.stdout);
    let out = d.run(&[
        "register",
        "--trust",
        "signed-trust.json",
        "--now",
        &now(T0),
        "other.jwt",
    ]);
    assert!(out.rejected("invalid_client_metadata").contains("aud"));
    // A trust file without `registration.audience` refuses signed requests.
    let out = d.run(&["register", "--trust", "trust.json", "--now", &now(T0), "request.jwt"]);
    assert!(out
        .rejected("invalid_client_metadata")
        .contains("does not accept signed"));
}

#[test]
fn signed_request_required_refuses_a_json_request() {
    let d = signed_setup(
        "signed-required",
        json!({"audience": AUD, "signed_request": "required"}),
    );
    let ssa = d.read("ssa.jwt").trim_end().to_owned();
    let json_request = json!({"client_name": "Plain", "software_statement": ssa});
    let out = d.run_stdin(
        &["register", "--trust", "signed-trust.json", "--now", &now(T0)],
        json_request.to_string().as_bytes(),
    );
    assert!(out
        .rejected("invalid_client_metadata")
        .contains("signed registration requests only"));
    // The signed form of the same request registers.
    request_token(&d, "request.jwt", &["--now", &now(T0), "metadata.json"]);
    let out = d
        .run(&[
            "register",
            "--trust",
            "signed-trust.json",
            "--now",
            &now(T0),
            "request.jwt",
        ])
        .json();
    assert_eq!(out["request"]["kid"], "client-1");
}

#[test]
fn hmac_for_signed_requests_is_a_configuration_error() {
    let d = signed_setup("signed-hmac", json!({"audience": AUD, "request_algorithms": ["HS256"]}));
    request_token(&d, "request.jwt", &["--now", &now(T0), "metadata.json"]);
    d.run(&[
        "register",
        "--trust",
        "signed-trust.json",
        "--now",
        &now(T0),
        "request.jwt",
    ])
    .config_error(&["signed-trust.json", "request_algorithms", "HS256"]);
    // The client side: an HMAC secret, or an HMAC algorithm, never signs a request.
    d.keygen("secret.jwk", &["--alg", "HS256"]);
    d.run(&[
        "request",
        "--key",
        "secret.jwk",
        "--statement",
        "ssa.jwt",
        "--aud",
        AUD,
        "metadata.json",
    ])
    .config_error(&["HMAC"]);
    d.run(&[
        "request",
        "--key",
        "client.jwk",
        "--statement",
        "ssa.jwt",
        "--aud",
        AUD,
        "--alg",
        "HS256",
        "metadata.json",
    ])
    .config_error(&["HMAC"]);
    // An empty audience is a usage error too.
    d.run(&[
        "request",
        "--key",
        "client.jwk",
        "--statement",
        "ssa.jwt",
        "--aud",
        "",
        "metadata.json",
    ])
    .config_error(&["--aud"]);
}

#[test]
fn register_reports_ignored_members_and_refuses_server_issued_ones() {
    let d = publisher("ignored");
    d.write_json(
        "drop.json",
        &json!({"issuers": {ISS: {"jwks_file": "jwks.json", "required_claims": ["software_id"]}},
                "registration": {"unknown_members": "drop", "extensions": ["org_id"]}}),
    );
    let request = json!({"redirect_uris": ["https://client.example.net/cb"], "x_vendor": 1, "org_id": "o-1"});
    let out = d.run_stdin(&["register", "--trust", "drop.json"], request.to_string().as_bytes());
    assert_eq!(out.code, 0, "{}", out.stderr);
    let body = out.json();
    assert_eq!(body["ignored"], json!(["x_vendor"]));
    assert!(body["metadata"].get("x_vendor").is_none());
    assert_eq!(body["metadata"]["org_id"], "o-1");
    // A registrant cannot choose its client_id.
    let request = json!({"redirect_uris": ["https://client.example.net/cb"], "client_id": "victim"});
    let out = d.run_stdin(&["register", "--trust", "drop.json"], request.to_string().as_bytes());
    assert!(out.rejected("invalid_client_metadata").contains("client_id"));
    // A trust file asking for more than 300 s of leeway is a configuration error.
    d.write_json(
        "leeway.json",
        &json!({"issuers": {ISS: {"jwks_file": "jwks.json"}}, "leeway": 18446744073709551615u64}),
    );
    d.run_stdin(&["register", "--trust", "leeway.json"], b"{}")
        .config_error(&["leeway"]);
}
