//! Issuer profiles (the README's "Issuer profiles"): `claim_map`, the `redirect_uris` and
//! `client_keys` modes, `constraints`, the presets `openbanking-uk`, `cdr` and
//! `open-finance-brasil`, and the configuration errors of each, end to end through the trust
//! file, [`Verifier`](software_statement::Verifier) and [`Registrar`].
//!
//! Most of it is data: every `*.json` file in `test-vectors/profiles/` holds cases (format in
//! that folder's README), run by [`profile_vectors`]. Statements and signed registration
//! requests are signed here, at run time, with the test keys of `test-vectors/profiles/keys/`.
//! The worked trust files of `test-vectors/profiles/trust/` are the README's, loaded as they
//! are; the README's profile reference table is generated here from `Profile::rules` and
//! compared; the CDR standards' published example SSA is verified with its published keys.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::{json, Map, Value};
use software_statement::{
    Algorithm, FixedClock, Jwk, LoadOptions, Profile, Registrar, Registration, RegistrationError,
    RegistrationRequestBuilder, SignedRequests, StatementBuilder, TrustFile, TrustFileError,
};
use software_statement_test_support::{JwksServer, Reply, Scheme};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/test-vectors/profiles");
const README: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
/// The recorded published example SSA (not a case file).
const EXAMPLE_FILE: &str = "cdr-register-example.json";

/// The clock of a case that gives no `now` (2027-01-15T08:00:00Z).
const DEFAULT_NOW: u64 = 1_800_000_000;
/// Fewer cases than this means files went missing.
const MIN_CASES: usize = 40;
/// The README section these tests keep in step with the code and the files.
const SECTION: &str = "## Issuer profiles";
/// Every profile, in the order of the README's reference table.
const PROFILES: [Profile; 4] = [
    Profile::Rfc7591,
    Profile::OpenBankingUk,
    Profile::Cdr,
    Profile::OpenFinanceBrasil,
];

const CASE_FIELDS: [&str; 11] = [
    "name",
    "description",
    "rules",
    "trust",
    "statement",
    "request",
    "signed",
    "serve",
    "now",
    "expect",
    "verify",
];
const STATEMENT_FIELDS: [&str; 7] = ["key", "alg", "issuer", "claims", "issued_at", "ttl", "typ"];
const SIGNED_FIELDS: [&str; 3] = ["key", "audience", "issuer"];
const SUCCESS_FIELDS: [&str; 4] = ["metadata", "overridden", "statement", "request"];
const ERROR_FIELDS: [&str; 3] = ["error", "description", "description_contains"];
const TRUST_ERROR_FIELDS: [&str; 3] = ["issuer", "member", "contains"];

type Failure = String;

// ---------------------------------------------------------------------------------------
// Keys and files
// ---------------------------------------------------------------------------------------

/// The test keys, by file name without `.jwk`.
struct Keys(BTreeMap<String, Jwk>);

impl Keys {
    fn load() -> Keys {
        let mut keys = BTreeMap::new();
        for path in files(&Path::new(DIR).join("keys"), "jwk") {
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&path).unwrap();
            let key = Jwk::from_json(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert!(key.is_private(), "{}: a test key must be private", path.display());
            assert_eq!(
                key.kid(),
                Some(name.as_str()),
                "{}: the kid is the file name",
                path.display()
            );
            keys.insert(name, key);
        }
        assert!(!keys.is_empty(), "no keys in {DIR}/keys");
        Keys(keys)
    }

    fn get(&self, name: &str) -> Result<&Jwk, Failure> {
        self.0.get(name).ok_or_else(|| format!("no key file keys/{name}.jwk"))
    }

    fn public(&self, name: &str) -> Result<Value, Failure> {
        Ok(self.get(name)?.to_public().map_err(|e| e.to_string())?.to_value())
    }

    /// A JWK Set of those keys' public halves.
    fn public_set(&self, names: &[String]) -> Result<Value, Failure> {
        let keys = names.iter().map(|n| self.public(n)).collect::<Result<Vec<_>, _>>()?;
        Ok(json!({ "keys": keys }))
    }

    /// Every private string of every key: must never appear in an error.
    fn secrets(&self) -> Vec<String> {
        let mut out = Vec::new();
        for key in self.0.values() {
            for member in ["d", "p", "q", "dp", "dq", "qi"] {
                if let Some(Value::String(s)) = key.members().get(member) {
                    out.push(s.clone());
                }
            }
        }
        out
    }
}

/// The files of `dir` ending in `.ext`, sorted by name.
fn files(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == ext))
        .collect();
    out.sort();
    out
}

/// `trust/<name>.json` as JSON, its `jwks_file`s made absolute (they are relative to the
/// trust file, and `TrustFile::from_json` resolves them against the working directory).
fn shared_trust(name: &str) -> Result<Value, Failure> {
    let path = Path::new(DIR).join("trust").join(format!("{name}.json"));
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut trust: Value = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    for entry in trust["issuers"]
        .as_object_mut()
        .into_iter()
        .flat_map(|i| i.values_mut())
    {
        if let Some(Value::String(file)) = entry.get("jwks_file") {
            let absolute = Path::new(DIR).join("trust").join(file);
            entry["jwks_file"] = Value::from(absolute.to_string_lossy().into_owned());
        }
    }
    Ok(trust)
}

fn options(now: u64) -> LoadOptions {
    LoadOptions::default().clock(Arc::new(FixedClock::new(now)))
}

// ---------------------------------------------------------------------------------------
// Placeholders
// ---------------------------------------------------------------------------------------

/// What the placeholders of one case stand for.
struct Bindings<'k> {
    keys: &'k Keys,
    /// `$SERVER`: the base URL of the case's JWK Set server.
    server: Option<String>,
    /// `$STATEMENT`: the signed statement.
    statement: Option<String>,
}

impl Bindings<'_> {
    /// Replaces, as whole string values, `"$JWKS:a,b"` (a JWK Set of those keys' public
    /// halves), `"$JWK:a"` (one public key), `"$STATEMENT"`, and `"$SERVER…"` (the server's
    /// base URL followed by the rest of the string).
    fn fill(&self, value: &mut Value) -> Result<(), Failure> {
        match value {
            Value::String(s) => {
                if let Some(names) = s.strip_prefix("$JWKS:") {
                    let names: Vec<String> = names.split(',').map(|n| n.trim().to_owned()).collect();
                    *value = self.keys.public_set(&names)?;
                } else if let Some(name) = s.strip_prefix("$JWK:") {
                    *value = self.keys.public(name)?;
                } else if s == "$STATEMENT" {
                    let token = self
                        .statement
                        .as_ref()
                        .ok_or("\"$STATEMENT\" used but the case has no statement")?;
                    *value = Value::from(token.as_str());
                } else if let Some(rest) = s.strip_prefix("$SERVER") {
                    let base = self
                        .server
                        .as_ref()
                        .ok_or("\"$SERVER\" used but the case serves no keys")?;
                    *value = Value::from(format!("{base}{rest}"));
                } else if s.starts_with('$') && s != "$JTI" {
                    return Err(format!("unknown placeholder {s:?}"));
                }
            }
            Value::Array(items) => {
                for item in items {
                    self.fill(item)?;
                }
            }
            Value::Object(members) => {
                for member in members.values_mut() {
                    self.fill(member)?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn filled(&self, value: &Value) -> Result<Value, Failure> {
        let mut value = value.clone();
        self.fill(&mut value)?;
        Ok(value)
    }
}

// ---------------------------------------------------------------------------------------
// Reading a case
// ---------------------------------------------------------------------------------------

fn object<'a>(value: &'a Value, what: &str) -> Result<&'a Map<String, Value>, Failure> {
    value.as_object().ok_or_else(|| format!("{what} must be a JSON object"))
}

/// Refuses members not in `allowed`: a misspelt option must not be silently ignored.
fn only(members: &Map<String, Value>, allowed: &[&str], what: &str) -> Result<(), Failure> {
    match members.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(unknown) => Err(format!("unknown member {unknown:?} in {what} (known: {allowed:?})")),
        None => Ok(()),
    }
}

fn string<'a>(members: &'a Map<String, Value>, name: &str, what: &str) -> Result<Option<&'a str>, Failure> {
    match members.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(format!("{what}.{name} must be a string")),
    }
}

fn uint(members: &Map<String, Value>, name: &str, what: &str) -> Result<Option<u64>, Failure> {
    match members.get(name) {
        None => Ok(None),
        Some(v) => v
            .as_u64()
            .map(Some)
            .ok_or_else(|| format!("{what}.{name} must be a non-negative integer")),
    }
}

/// The case's trust file as JSON: a shared file's name, or an object (with `extends`: a
/// shared file whose top-level members the object's other members replace).
fn trust_document(spec: &Value) -> Result<(String, Value), Failure> {
    match spec {
        Value::String(name) => Ok((format!("trust/{name}.json"), shared_trust(name)?)),
        Value::Object(members) => {
            let (name, mut doc) = match members.get("extends") {
                None => ("inline trust".to_owned(), json!({})),
                Some(Value::String(base)) => (format!("trust/{base}.json, extended"), shared_trust(base)?),
                Some(_) => return Err("trust.extends must be a shared trust file's name".into()),
            };
            for (member, value) in members {
                if member != "extends" {
                    doc[member] = value.clone();
                }
            }
            Ok((name, doc))
        }
        _ => Err("trust must be a shared trust file's name or a trust file object".into()),
    }
}

/// Signs the case's statement with `StatementBuilder`.
fn sign_statement(spec: &Map<String, Value>, keys: &Keys, now: u64) -> Result<String, Failure> {
    only(spec, &STATEMENT_FIELDS, "statement")?;
    let key = keys.get(string(spec, "key", "statement")?.ok_or("statement.key is required")?)?;
    let issuer = string(spec, "issuer", "statement")?.ok_or("statement.issuer is required")?;
    let alg = match string(spec, "alg", "statement")? {
        Some(name) => Algorithm::from_name(name).ok_or_else(|| format!("statement.alg {name:?} is unknown"))?,
        None => key
            .default_algorithm()
            .ok_or("the key has no alg: give statement.alg")?,
    };
    let mut builder = StatementBuilder::new(issuer)
        .algorithm(alg)
        .issued_at(uint(spec, "issued_at", "statement")?.unwrap_or(now));
    if let Some(claims) = spec.get("claims") {
        builder = builder.claims(object(claims, "statement.claims")?.clone());
    }
    if let Some(ttl) = uint(spec, "ttl", "statement")? {
        builder = builder.ttl(ttl);
    }
    if let Some(typ) = string(spec, "typ", "statement")? {
        builder = builder.typ(typ);
    }
    builder.sign(key).map_err(|e| format!("StatementBuilder::sign: {e}"))
}

/// The client's signed registration request carrying `token` with `metadata`.
fn sign_request(
    spec: &Map<String, Value>,
    keys: &Keys,
    token: &str,
    metadata: &Map<String, Value>,
    now: u64,
) -> Result<String, Failure> {
    only(spec, &SIGNED_FIELDS, "signed")?;
    if metadata.contains_key("software_statement") {
        return Err("a signed case's request must not carry software_statement: the builder adds it".into());
    }
    let key = keys.get(string(spec, "key", "signed")?.ok_or("signed.key is required")?)?;
    let audience = string(spec, "audience", "signed")?.ok_or("signed.audience is required")?;
    let mut builder = RegistrationRequestBuilder::new(token)
        .audience(audience)
        .issued_at(now)
        .metadata(metadata.clone());
    if let Some(issuer) = string(spec, "issuer", "signed")? {
        builder = builder.issuer(issuer);
    }
    builder
        .sign(key)
        .map_err(|e| format!("RegistrationRequestBuilder::sign: {e}"))
}

// ---------------------------------------------------------------------------------------
// Running a case
// ---------------------------------------------------------------------------------------

/// What a registration gave, comparable: the signed request's random `jti` as `$JTI`.
fn outcome(result: &Result<Registration, RegistrationError>) -> Value {
    match result {
        Ok(registration) => {
            let mut out = registration.to_json();
            if out.get("request").is_some() {
                out["request"]["jti"] = Value::from("$JTI");
            }
            out
        }
        Err(error) => error.to_json(),
    }
}

fn run_case(case: &Value, keys: &Keys) -> Result<(), Failure> {
    let case = object(case, "a case")?;
    only(case, &CASE_FIELDS, "the case")?;
    for required in ["description", "rules", "trust", "expect"] {
        if !case.contains_key(required) {
            return Err(format!("the case has no {required:?}"));
        }
    }
    let now = uint(case, "now", "case")?.unwrap_or(DEFAULT_NOW);

    // A JWK Set server for the client's keys, when the case serves some.
    let server = match case.get("serve") {
        None => None,
        Some(Value::Array(names)) => {
            let names = names
                .iter()
                .map(|n| n.as_str().map(str::to_owned))
                .collect::<Option<Vec<_>>>()
                .ok_or("serve must be an array of key names")?;
            let jwks = keys.public_set(&names)?;
            Some(JwksServer::start_blocking(Scheme::Http, Reply::json(jwks.to_string())))
        }
        Some(_) => return Err("serve must be an array of key names".into()),
    };
    let mut bindings = Bindings {
        keys,
        server: server.as_ref().map(|s| s.url("")),
        statement: None,
    };

    // The trust file; a configuration error is an outcome of its own.
    let (trust_name, trust) = trust_document(&case["trust"])?;
    let trust = bindings.filled(&trust)?;
    let loaded = TrustFile::from_json(&trust.to_string(), &trust_name, Some(options(now)));
    let expect = object(&case["expect"], "expect")?;
    if let Some(expected) = expect.get("trust_error") {
        only(expect, &["trust_error"], "expect")?;
        for absent in ["statement", "request", "signed", "serve", "verify"] {
            if case.contains_key(absent) {
                return Err(format!("a trust_error case has no {absent:?}"));
            }
        }
        return check_trust_error(object(expected, "expect.trust_error")?, loaded);
    }
    let trust = loaded.map_err(|e| format!("the trust file does not load: {e}"))?;
    let registrar = Registrar::from_trust_file(&trust);

    if let Some(spec) = case.get("statement") {
        let spec = bindings.filled(spec)?;
        bindings.statement = Some(sign_statement(object(&spec, "statement")?, keys, now)?);
    }
    let request = bindings.filled(case.get("request").ok_or("the case has no \"request\"")?)?;
    let request = object(&request, "request")?;

    let result = match case.get("signed") {
        Some(spec) => {
            let token = bindings.statement.as_deref().ok_or("a signed case needs a statement")?;
            let body = sign_request(object(spec, "signed")?, keys, token, request, now)?;
            if server.is_some() {
                // The client's jwks_uri is fetched: the asynchronous path.
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                runtime.block_on(registrar.register_body_async(body.as_bytes(), "application/jwt"))
            } else {
                registrar.register_body(body.as_bytes(), "application/jwt")
            }
        }
        None => {
            // The body as an HTTP endpoint receives it.
            let text = Value::Object(request.clone()).to_string();
            let result = registrar.register_body(text.as_bytes(), "application/json");
            // Where JSON bodies are accepted at all, the parsed request and its text give
            // the same answer.
            let signed_only = trust
                .signed_requests()
                .is_some_and(|p| p.signed_requests() == SignedRequests::Required);
            if !signed_only {
                for (api, other) in [
                    ("register", registrar.register(request)),
                    ("register_json", registrar.register_json(&text)),
                ] {
                    if outcome(&other) != outcome(&result) {
                        return Err(format!(
                            "register_body and {api} disagree:\n  register_body: {}\n  {api}: {}",
                            outcome(&result),
                            outcome(&other)
                        ));
                    }
                }
            }
            result
        }
    };

    let expect = bindings.filled(&case["expect"])?;
    let expect = object(&expect, "expect")?;
    if expect.contains_key("error") {
        only(expect, &ERROR_FIELDS, "expect")?;
        check_error(expect, &result, keys)?;
    } else {
        only(expect, &SUCCESS_FIELDS, "expect")?;
        for member in ["metadata", "overridden", "statement"] {
            if !expect.contains_key(member) {
                return Err(format!("expect has no {member:?} (and no \"error\")"));
            }
        }
        check_success(expect, &result, &bindings)?;
    }
    if let Some(token) = &bindings.statement {
        check_verify(case, expect, &registrar, token)?;
    }
    Ok(())
}

/// `Verifier::verify` applies the issuer's policy too (claim map, required claims,
/// constraints): it fails with the registration's code when that is a statement error
/// (`verify` in the case overrides this).
fn check_verify(
    case: &Map<String, Value>,
    expect: &Map<String, Value>,
    registrar: &Registrar,
    token: &str,
) -> Result<(), Failure> {
    let wanted = match case.get("verify") {
        Some(Value::String(ok)) if ok == "ok" => None,
        Some(Value::Object(error)) => {
            only(error, &ERROR_FIELDS, "verify")?;
            Some(error.clone())
        }
        Some(_) => return Err("verify must be \"ok\" or an error object".into()),
        None => match expect.get("error").and_then(Value::as_str) {
            Some(code @ ("invalid_software_statement" | "unapproved_software_statement")) => {
                let mut error = expect.clone();
                error.insert("error".into(), Value::from(code));
                Some(error)
            }
            _ => None,
        },
    };
    let verified = registrar.verifier().verify(token);
    match (wanted, verified) {
        (None, Ok(_)) => Ok(()),
        (None, Err(e)) => Err(format!("Verifier::verify refused the statement: {e}")),
        (Some(error), Ok(_)) => Err(format!(
            "Verifier::verify accepted the statement, expected {:?}",
            error["error"]
        )),
        (Some(error), Err(e)) => {
            let e = RegistrationError::from(e);
            let description = e.description().to_owned();
            if e.code().as_str() != error["error"] {
                return Err(format!(
                    "Verifier::verify: {} ({description}), expected {}",
                    e.code(),
                    error["error"]
                ));
            }
            if let Some(exact) = error.get("description").and_then(Value::as_str) {
                if description != exact {
                    return Err(format!(
                        "Verifier::verify: description {description:?}, expected {exact:?}"
                    ));
                }
            }
            if let Some(part) = error.get("description_contains").and_then(Value::as_str) {
                if !description.contains(part) {
                    return Err(format!("Verifier::verify: description {description:?} lacks {part:?}"));
                }
            }
            Ok(())
        }
    }
}

/// A configuration error names the issuer and the member at fault (the CLI exits 2).
fn check_trust_error(expected: &Map<String, Value>, loaded: Result<TrustFile, TrustFileError>) -> Result<(), Failure> {
    only(expected, &TRUST_ERROR_FIELDS, "expect.trust_error")?;
    let error = match loaded {
        Ok(_) => return Err("the trust file loaded, expected a configuration error".into()),
        Err(e) => e,
    };
    let issuer = string(expected, "issuer", "expect.trust_error")?.ok_or("expect.trust_error.issuer is required")?;
    if error.issuer.as_deref() != Some(issuer) {
        return Err(format!(
            "the error names issuer {:?}, expected {issuer:?}: {error}",
            error.issuer
        ));
    }
    let member = string(expected, "member", "expect.trust_error")?.ok_or("expect.trust_error.member is required")?;
    if !error.message.starts_with(&format!("\"{member}\"")) {
        return Err(format!(
            "the error does not start with the member \"{member}\": {error}"
        ));
    }
    if let Some(part) = string(expected, "contains", "expect.trust_error")? {
        if !error.message.contains(part) {
            return Err(format!("the error lacks {part:?}: {error}"));
        }
    }
    let shown = error.to_string();
    if !shown.contains(&format!("issuer {issuer:?}")) {
        return Err(format!("the error as shown does not name the issuer: {shown}"));
    }
    Ok(())
}

fn check_error(
    expect: &Map<String, Value>,
    result: &Result<Registration, RegistrationError>,
    keys: &Keys,
) -> Result<(), Failure> {
    let code = string(expect, "error", "expect")?.unwrap_or_default();
    let error = match result {
        Ok(registration) => return Err(format!("accepted, expected {code}; got {:#}", registration.to_json())),
        Err(error) => error,
    };
    let description = error.description();
    if error.code().as_str() != code {
        return Err(format!(
            "error {}, expected {code} (description: {description:?})",
            error.code()
        ));
    }
    if let Some(exact) = string(expect, "description", "expect")? {
        if description != exact {
            return Err(format!("description {description:?}, expected {exact:?}"));
        }
    }
    if let Some(part) = string(expect, "description_contains", "expect")? {
        if !description.contains(part) {
            return Err(format!("description {description:?} does not contain {part:?}"));
        }
    }
    // RFC 7591 §3.2.2 body, and no key material in it.
    let body = error.to_json();
    let names: Vec<&String> = body.as_object().unwrap().keys().collect();
    if names != ["error", "error_description"] || body["error"] != code || error.http_status() != 400 {
        return Err(format!("error body {body} is not an RFC 7591 error response"));
    }
    if keys.secrets().iter().any(|s| body.to_string().contains(s.as_str())) {
        return Err("the error description leaks key material".into());
    }
    Ok(())
}

fn check_success(
    expect: &Map<String, Value>,
    result: &Result<Registration, RegistrationError>,
    bindings: &Bindings<'_>,
) -> Result<(), Failure> {
    let registration = result.as_ref().map_err(|e| format!("refused: {}", e.to_json()))?;
    let actual = outcome(result);
    let expected = Value::Object(expect.clone());
    // Compared as text: member order is part of the contract (request members kept, then
    // statement claims and mapped members, then software_statement).
    let (actual_text, expected_text) = (actual.to_string(), expected.to_string());
    if actual_text != expected_text {
        // Shown with the placeholders back, ready to paste into a case.
        let shorten = |mut text: String| {
            if let Some(token) = &bindings.statement {
                text = text.replace(token.as_str(), "$STATEMENT");
            }
            if let Some(base) = &bindings.server {
                text = text.replace(base.as_str(), "$SERVER");
            }
            text
        };
        return Err(format!(
            "{}\n  got:      {}\n  expected: {}",
            if actual == expected {
                "same members, different order"
            } else {
                "different registration"
            },
            shorten(actual_text),
            shorten(expected_text)
        ));
    }
    if registration.statement.is_some() && registration.metadata.software_statement() != bindings.statement.as_deref() {
        return Err("software_statement is not the statement as sent".into());
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// The suite
// ---------------------------------------------------------------------------------------

#[test]
fn profile_vectors() {
    let keys = Keys::load();
    let mut declared = 0;
    let mut run = 0;
    let mut names = BTreeSet::new();
    let mut failures = Vec::new();
    let mut tally: BTreeMap<String, usize> = BTreeMap::new();
    let case_files = files(Path::new(DIR), "json");
    assert!(!case_files.is_empty(), "no case files in {DIR}");
    for path in &case_files {
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(path).unwrap();
        let root: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
        let Some(cases) = root["cases"].as_array() else {
            assert_eq!(file, EXAMPLE_FILE, "{file}: no \"cases\" array");
            continue;
        };
        declared += cases.len();
        for (index, case) in cases.iter().enumerate() {
            let name = case["name"].as_str().map_or_else(|| format!("#{index}"), str::to_owned);
            if !names.insert(name.clone()) {
                failures.push(format!("{file}: {name}: the name is used twice"));
            }
            for rule in case["rules"].as_array().into_iter().flatten() {
                *tally.entry(rule.as_str().unwrap_or("?").to_owned()).or_default() += 1;
            }
            run += 1;
            if let Err(failure) = run_case(case, &keys) {
                failures.push(format!("{file}: {name}: {failure}"));
            }
        }
    }
    println!("{run} profile cases from {} files", case_files.len());
    for (rule, count) in &tally {
        println!("  {rule:<32} {count}");
    }
    assert!(
        failures.is_empty(),
        "{} of {run} cases failed:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    assert_eq!(run, declared, "cases skipped");
    assert!(run >= MIN_CASES, "only {run} cases (at least {MIN_CASES} expected)");
}

// ---------------------------------------------------------------------------------------
// The README: worked trust files and the reference table
// ---------------------------------------------------------------------------------------

/// The README's "Issuer profiles" section, up to the next section.
fn readme_section() -> String {
    let readme = std::fs::read_to_string(README).unwrap();
    let start = readme
        .find(&format!("\n{SECTION}\n"))
        .expect("the README has an Issuer profiles section");
    let rest = &readme[start + 1..];
    let end = rest[SECTION.len()..]
        .find("\n## ")
        .map_or(rest.len(), |i| i + SECTION.len() + 1);
    rest[..end].to_owned()
}

/// The README's profile reference table, from the same facts as the code's preset table.
fn reference_table() -> String {
    let mut table = String::from("| profile | member | value | source |\n|---|---|---|---|\n");
    for profile in PROFILES {
        if profile.rules().is_empty() {
            table.push_str(&format!(
                "| `{}` | — | nothing preset: plain RFC 7591 | — |\n",
                profile.name()
            ));
        }
        for rule in profile.rules() {
            let value: Value = serde_json::from_str(rule.value).unwrap();
            // A map as its pairs, one a line; anything else as its JSON.
            let shown = match &value {
                Value::Object(map) => map
                    .iter()
                    .map(|(claim, member)| format!("`{claim}` → `{}`", member.as_str().unwrap()))
                    .collect::<Vec<_>>()
                    .join("<br>"),
                other => format!("`{other}`"),
            };
            table.push_str(&format!(
                "| `{}` | `{}` | {shown} | {} |\n",
                profile.name(),
                rule.member,
                rule.source
            ));
        }
    }
    table
}

#[test]
fn readme_reference_table_is_the_preset_table() {
    let table = reference_table();
    assert!(
        readme_section().contains(&table),
        "the README's profile reference table differs from Profile::rules(); the table is:\n\n{table}"
    );
}

/// Each worked trust file is accepted as it is (no warning either), configures its
/// profile, and is shown in the README as it is.
#[test]
fn worked_trust_files_load_and_are_the_readmes() {
    let section = readme_section();
    let worked = files(&Path::new(DIR).join("trust"), "json");
    let mut profiles = BTreeSet::new();
    for path in &worked {
        let text = std::fs::read_to_string(path).unwrap();
        let trust = TrustFile::load(path, Some(options(DEFAULT_NOW)))
            .unwrap_or_else(|e| panic!("{} does not load: {e}", path.display()));
        assert_eq!(trust.warnings(), Vec::<String>::new(), "{}", path.display());
        let doc: Value = serde_json::from_str(&text).unwrap();
        for (issuer, entry) in doc["issuers"].as_object().unwrap() {
            assert!(
                trust.verifier().issuer(issuer).is_some(),
                "{}: {issuer}",
                path.display()
            );
            let name = entry["profile"]
                .as_str()
                .expect("a worked trust file names its profile");
            profiles.insert(Profile::from_name(name).expect("a known profile").name());
        }
        assert!(
            section.contains(&format!("```json\n{text}```")),
            "the README's Issuer profiles section does not show {} as it is",
            path.display()
        );
    }
    let all: BTreeSet<&str> = PROFILES.iter().map(|p| p.name()).collect();
    assert_eq!(profiles, all, "one worked trust file per profile");
}

// ---------------------------------------------------------------------------------------
// The CDR standards' published example SSA, with its published key set
// ---------------------------------------------------------------------------------------

/// The worked CDR trust file with `jwks` in place of its keys, or, with `preset_only`, an
/// entry with nothing but the profile and `jwks`.
fn cdr_trust(jwks: &Value, now: u64, preset_only: bool) -> TrustFile {
    let mut doc = shared_trust("cdr").unwrap();
    if preset_only {
        doc["issuers"]["cdr-register"] = json!({"profile": "cdr"});
    }
    let entry = doc["issuers"]["cdr-register"].as_object_mut().unwrap();
    entry.remove("jwks_file");
    entry.insert("jwks".into(), jwks.clone());
    TrustFile::from_json(
        &doc.to_string(),
        "trust/cdr.json with the example keys",
        Some(options(now)),
    )
    .unwrap()
}

fn statement_error(trust: &TrustFile, token: &str) -> RegistrationError {
    RegistrationError::from(trust.verifier().verify(token).unwrap_err())
}

/// The CDR standards print an example SSA next to the Register's key set: the v1.26.0 token
/// verifies under the `cdr` profile; the worked trust file's `scope` constraint (the
/// standard's own "openid and profile are included in the SSA") refuses it; the current
/// (v1.36.0) example does not verify with the printed key set.
#[test]
fn cdr_published_example_ssa() {
    let path = Path::new(DIR).join(EXAMPLE_FILE);
    let example: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let jwks = &example["jwks"];
    let token = example["verifies"]["token"].as_str().unwrap();

    let preset = cdr_trust(jwks, DEFAULT_NOW, true);
    let statement = preset.verifier().verify(token).unwrap();
    assert_eq!(statement.issuer(), "cdr-register");
    assert_eq!(statement.header().alg(), Algorithm::PS256);
    assert_eq!(statement.header().kid(), jwks["keys"][0]["kid"].as_str());
    assert_eq!(statement.header().typ(), Some("JWT"));
    // No claim map: the CDR Register already uses the RFC 7591 names.
    assert_eq!(Value::Object(statement.claims().clone()), example["verifies"]["claims"]);

    // The worked trust file's constraints: the token's scope lacks openid and profile.
    let worked = cdr_trust(jwks, DEFAULT_NOW, false);
    let error = statement_error(&worked, token);
    assert_eq!(error.code().as_str(), "unapproved_software_statement");
    assert_eq!(
        error.description(),
        "the software statement's 'scope' claim does not meet this server's 'superset_of' constraint"
    );

    // A signature character changed: refused.
    let mut tampered = token.to_owned();
    let at = tampered.rfind('.').unwrap() + 1;
    let replacement = if tampered[at..].starts_with('A') { "B" } else { "A" };
    tampered.replace_range(at..at + 1, replacement);
    assert_eq!(
        statement_error(&preset, &tampered).code().as_str(),
        "invalid_software_statement"
    );
    // After its exp (2038-01-19) and the leeway: refused.
    let exp = example["verifies"]["claims"]["exp"].as_u64().unwrap();
    let late = cdr_trust(jwks, exp + 61, true);
    assert!(statement_error(&late, token).description().contains("expired"));
    // Another key set (a test key): refused.
    let other = Keys::load().public_set(&["directory-ps256".to_owned()]).unwrap();
    assert!(cdr_trust(&other, DEFAULT_NOW, true).verifier().verify(token).is_err());

    // The current example: its header names the same key, its signature is not that key's.
    let current = example["current"]["token"].as_str().unwrap();
    assert_eq!(example["current"]["header"], example["verifies"]["header"]);
    let error = statement_error(&preset, current);
    assert_eq!(error.code().as_str(), "invalid_software_statement");
    assert!(error.description().contains("signature"), "{}", error.description());
}
