//! The registration step (the README's "Registration: merge rules"; ARCHITECTURE.md, merge
//! rules): merge rules 1–7, validation (rule 8) and error codes (rule 9), end to end through
//! [`Registrar`].
//!
//! Most of it is data: every `*.json` file in `test-vectors/registration/` holds cases
//! (format in that folder's README), run by [`registration_vectors`]. Statements are signed
//! here, at run time, with the test keys in `test-vectors/registration/keys/`. The RFC 7591
//! examples follow.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;

use serde_json::{json, Map, Value};
use software_statement::{
    sign_jws, Algorithm, FixedClock, Jwk, LoadOptions, Registrar, Registration, RegistrationError, StatementBuilder,
    TrustFile, ValidationOptions,
};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/test-vectors/registration");
const RFC7591: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/test-vectors/rfc/rfc7591.json");

/// The clock of a case that gives no `now` (2027-01-15T08:00:00Z).
const DEFAULT_NOW: u64 = 1_800_000_000;
/// The trust file of a case that gives no `trust`.
const DEFAULT_TRUST: &str = "default";
/// Fewer cases than this means files went missing.
const MIN_CASES: usize = 40;

const CASE_FIELDS: [&str; 10] = [
    "name",
    "description",
    "rules",
    "request",
    "request_text",
    "statement",
    "trust",
    "now",
    "registrar",
    "expect",
];
const STATEMENT_FIELDS: [&str; 14] = [
    "key",
    "without_kid",
    "alg",
    "issuer",
    "claims",
    "issued_at",
    "ttl",
    "typ",
    "audience",
    "raw_claims",
    "payload_text",
    "header",
    "protected_header",
    "tamper",
];
const BUILDER_ONLY: [&str; 6] = ["issuer", "claims", "issued_at", "ttl", "typ", "audience"];
const RAW_ONLY: [&str; 4] = ["raw_claims", "payload_text", "header", "protected_header"];
const REGISTRAR_FIELDS: [&str; 3] = ["require_software_statement", "required_claims", "validation"];
const VALIDATION_FIELDS: [&str; 4] = [
    "token_endpoint_auth_methods",
    "grant_types",
    "redirect_uri_schemes",
    "allow_http_loopback",
];
const SUCCESS_FIELDS: [&str; 3] = ["metadata", "overridden", "statement"];
const ERROR_FIELDS: [&str; 3] = ["error", "description", "description_contains"];

type Failure = String;

// ---------------------------------------------------------------------------------------
// Keys
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
            keys.insert(name, key);
        }
        assert!(!keys.is_empty(), "no keys in {DIR}/keys");
        Keys(keys)
    }

    fn get(&self, name: &str) -> Result<&Jwk, Failure> {
        self.0.get(name).ok_or_else(|| format!("no key file keys/{name}.jwk"))
    }

    /// The key as a verifier holds it: the public JWK, or the secret itself for `oct`.
    fn verifying_value(&self, name: &str) -> Result<Value, Failure> {
        let key = self.get(name)?;
        Ok(key.to_public().map_or_else(|_| key.to_value(), |k| k.to_value()))
    }

    /// Every private or secret string of every key: must never appear in an error.
    fn secrets(&self) -> Vec<String> {
        let mut out = Vec::new();
        for key in self.0.values() {
            for member in ["d", "p", "q", "dp", "dq", "qi", "k"] {
                if let Some(Value::String(s)) = key.members().get(member) {
                    out.push(s.clone());
                }
            }
        }
        out
    }
}

/// The files of `dir` ending in `.ext`, sorted by name.
fn files(dir: &Path, ext: &str) -> Vec<std::path::PathBuf> {
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == ext))
        .collect();
    out.sort();
    out
}

// ---------------------------------------------------------------------------------------
// Placeholders
// ---------------------------------------------------------------------------------------

/// Replaces `"$JWKS:a,b"` (a JWK Set of those keys as a verifier holds them) and
/// `"$JWK:a"` (one such key) everywhere in `value`.
fn substitute_keys(value: &mut Value, keys: &Keys) -> Result<(), Failure> {
    match value {
        Value::String(s) => {
            if let Some(names) = s.strip_prefix("$JWKS:") {
                let set = names
                    .split(',')
                    .map(|n| keys.verifying_value(n.trim()))
                    .collect::<Result<Vec<_>, _>>()?;
                *value = json!({ "keys": set });
            } else if let Some(name) = s.strip_prefix("$JWK:") {
                *value = keys.verifying_value(name)?;
            } else if s.starts_with("$JWK") {
                return Err(format!("unknown placeholder {s:?}"));
            }
        }
        Value::Array(items) => {
            for item in items {
                substitute_keys(item, keys)?;
            }
        }
        Value::Object(members) => {
            for member in members.values_mut() {
                substitute_keys(member, keys)?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// Replaces `"$STATEMENT"` everywhere in `value` by the token.
fn substitute_statement(value: &mut Value, token: Option<&str>) -> Result<(), Failure> {
    match value {
        Value::String(s) if s == "$STATEMENT" => match token {
            Some(token) => *value = Value::from(token),
            None => return Err("\"$STATEMENT\" used but the case has no \"statement\"".into()),
        },
        Value::String(s) if s.starts_with("$STATEMENT") => return Err(format!("unknown placeholder {s:?}")),
        Value::Array(items) => {
            for item in items {
                substitute_statement(item, token)?;
            }
        }
        Value::Object(members) => {
            for member in members.values_mut() {
                substitute_statement(member, token)?;
            }
        }
        _ => {}
    }
    Ok(())
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

fn strings(members: &Map<String, Value>, name: &str, what: &str) -> Result<Option<Vec<String>>, Failure> {
    match members.get(name) {
        None => Ok(None),
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| i.as_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()
            .map(Some)
            .ok_or_else(|| format!("{what}.{name} must be an array of strings")),
        Some(_) => Err(format!("{what}.{name} must be an array of strings")),
    }
}

fn algorithm(members: &Map<String, Value>, key: &Jwk) -> Result<Algorithm, Failure> {
    match string(members, "alg", "statement")? {
        Some(name) => Algorithm::from_name(name).ok_or_else(|| format!("statement.alg {name:?} is unknown")),
        None => key
            .default_algorithm()
            .ok_or_else(|| "the key has no default algorithm: give statement.alg".into()),
    }
}

/// Signs the case's statement, built or raw (the two forms of the folder README).
fn sign_statement(spec: &Map<String, Value>, keys: &Keys, now: u64) -> Result<String, Failure> {
    only(spec, &STATEMENT_FIELDS, "statement")?;
    let key_name = string(spec, "key", "statement")?.ok_or("statement.key is required")?;
    let stored = keys.get(key_name)?;
    let stripped;
    let key = match spec.get("without_kid") {
        None | Some(Value::Bool(false)) => stored,
        Some(Value::Bool(true)) => {
            let mut members = stored.members().clone();
            members.remove("kid");
            stripped = Jwk::from_map(members).map_err(|e| e.to_string())?;
            &stripped
        }
        Some(_) => return Err("statement.without_kid must be true or false".into()),
    };
    let alg = algorithm(spec, key)?;
    let raw = RAW_ONLY.iter().any(|m| spec.contains_key(*m));
    let mut token = if raw {
        if let Some(m) = BUILDER_ONLY.iter().find(|m| spec.contains_key(**m)) {
            return Err(format!(
                "statement.{m} is for StatementBuilder, not for a raw statement"
            ));
        }
        let payload = match (spec.get("raw_claims"), string(spec, "payload_text", "statement")?) {
            (Some(claims), None) => serde_json::to_vec(object(claims, "statement.raw_claims")?).unwrap(),
            (None, Some(text)) => text.as_bytes().to_vec(),
            _ => return Err("give exactly one of statement.raw_claims and statement.payload_text".into()),
        };
        match (spec.get("header"), spec.get("protected_header")) {
            (None, Some(protected)) => mac_by_hand(object(protected, "statement.protected_header")?, key, &payload)?,
            (header, None) => {
                let header = match header {
                    Some(h) => object(h, "statement.header")?.clone(),
                    None => Map::new(),
                };
                sign_jws(key, alg, &header, &payload).map_err(|e| format!("jws::sign: {e}"))?
            }
            _ => return Err("give at most one of statement.header and statement.protected_header".into()),
        }
    } else {
        let issuer =
            string(spec, "issuer", "statement")?.ok_or("statement.issuer is required (or use statement.raw_claims)")?;
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
        if let Some(aud) = spec.get("audience") {
            builder = builder.audience(aud.clone());
        }
        builder.sign(key).map_err(|e| format!("StatementBuilder::sign: {e}"))?
    };
    match string(spec, "tamper", "statement")? {
        None => {}
        Some("signature") => {
            // Change the signature's first character: still canonical base64url, no
            // longer the signature.
            let at = token.rfind('.').unwrap() + 1;
            let replacement = if token[at..].starts_with('A') { "B" } else { "A" };
            token.replace_range(at..at + 1, replacement);
        }
        Some(other) => return Err(format!("statement.tamper {other:?} is unknown (known: \"signature\")")),
    }
    Ok(token)
}

/// A compact JWS whose protected header is exactly `header`, MACed here (not by the
/// library, whose signer refuses to produce headers its verifier refuses, such as an
/// unknown `crit`): HS256/384/512 with an `oct` key.
fn mac_by_hand(header: &Map<String, Value>, key: &Jwk, payload: &[u8]) -> Result<String, Failure> {
    use base64::Engine as _;
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let algorithm = match header.get("alg").and_then(Value::as_str) {
        Some("HS256") => ring::hmac::HMAC_SHA256,
        Some("HS384") => ring::hmac::HMAC_SHA384,
        Some("HS512") => ring::hmac::HMAC_SHA512,
        _ => return Err("statement.protected_header needs alg HS256, HS384 or HS512".into()),
    };
    let secret = match key.members().get("k") {
        Some(Value::String(k)) => base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(k)
            .map_err(|e| e.to_string())?,
        _ => return Err("statement.protected_header needs an oct key".into()),
    };
    let signing_input = format!("{}.{}", b64(&serde_json::to_vec(header).unwrap()), b64(payload));
    let tag = ring::hmac::sign(&ring::hmac::Key::new(algorithm, &secret), signing_input.as_bytes());
    Ok(format!("{signing_input}.{}", b64(tag.as_ref())))
}

fn validation_options(spec: &Map<String, Value>) -> Result<ValidationOptions, Failure> {
    only(spec, &VALIDATION_FIELDS, "registrar.validation")?;
    let what = "registrar.validation";
    let mut options = ValidationOptions::default();
    if let Some(methods) = strings(spec, "token_endpoint_auth_methods", what)? {
        options = options.token_endpoint_auth_methods(methods);
    }
    if let Some(grants) = strings(spec, "grant_types", what)? {
        options = options.grant_types(grants);
    }
    if let Some(schemes) = strings(spec, "redirect_uri_schemes", what)? {
        options = options.redirect_uri_schemes(schemes);
    }
    match spec.get("allow_http_loopback") {
        None => {}
        Some(Value::Bool(allow)) => options = options.allow_http_loopback(*allow),
        Some(_) => return Err(format!("{what}.allow_http_loopback must be true or false")),
    }
    Ok(options)
}

fn registrar(case: &Map<String, Value>, keys: &Keys, now: u64) -> Result<Registrar, Failure> {
    let (name, mut trust) = match case.get("trust") {
        None => (DEFAULT_TRUST.to_owned(), shared_trust(DEFAULT_TRUST)?),
        Some(Value::String(name)) => (name.clone(), shared_trust(name)?),
        Some(inline @ Value::Object(_)) => ("inline trust".to_owned(), inline.clone()),
        Some(_) => return Err("trust must be a shared trust file's name or a trust file object".into()),
    };
    substitute_keys(&mut trust, keys)?;
    let options = LoadOptions::default().clock(Arc::new(FixedClock::new(now)));
    let trust = TrustFile::from_json(&trust.to_string(), &name, Some(options))
        .map_err(|e| format!("the trust file does not load: {e}"))?;
    let mut registrar = Registrar::from_trust_file(&trust);
    if let Some(spec) = case.get("registrar") {
        let spec = object(spec, "registrar")?;
        only(spec, &REGISTRAR_FIELDS, "registrar")?;
        match spec.get("require_software_statement") {
            None => {}
            Some(Value::Bool(required)) => registrar = registrar.require_software_statement(*required),
            Some(_) => return Err("registrar.require_software_statement must be true or false".into()),
        }
        for claim in strings(spec, "required_claims", "registrar")?.unwrap_or_default() {
            registrar = registrar.require_statement_claim(claim);
        }
        if let Some(validation) = spec.get("validation") {
            registrar = registrar.validation(validation_options(object(validation, "registrar.validation")?)?);
        }
    }
    Ok(registrar)
}

/// `trust/<name>.json`.
fn shared_trust(name: &str) -> Result<Value, Failure> {
    let path = Path::new(DIR).join("trust").join(format!("{name}.json"));
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

// ---------------------------------------------------------------------------------------
// Running a case
// ---------------------------------------------------------------------------------------

/// What a registration gave, in a comparable form.
fn outcome(result: &Result<Registration, RegistrationError>) -> Value {
    match result {
        Ok(registration) => registration.to_json(),
        Err(error) => error.to_json(),
    }
}

fn run_case(case: &Value, keys: &Keys) -> Result<(), Failure> {
    let case = object(case, "a case")?;
    only(case, &CASE_FIELDS, "the case")?;
    for required in ["description", "rules", "expect"] {
        if !case.contains_key(required) {
            return Err(format!("the case has no {required:?}"));
        }
    }
    let now = uint(case, "now", "case")?.unwrap_or(DEFAULT_NOW);

    let token = match case.get("statement") {
        Some(spec) => {
            let mut spec = spec.clone();
            substitute_keys(&mut spec, keys)?;
            Some(sign_statement(object(&spec, "statement")?, keys, now)?)
        }
        None => None,
    };
    let registrar = registrar(case, keys, now)?;

    let result = match (case.get("request"), string(case, "request_text", "case")?) {
        (Some(request), None) => {
            let mut request = request.clone();
            substitute_keys(&mut request, keys)?;
            substitute_statement(&mut request, token.as_deref())?;
            let request = object(&request, "request")?;
            let result = registrar.register(request);
            // The same request as a body must give the same answer.
            let from_text = registrar.register_json(&Value::Object(request.clone()).to_string());
            if outcome(&from_text) != outcome(&result) {
                return Err(format!(
                    "register and register_json disagree:\n  register:      {}\n  register_json: {}",
                    outcome(&result),
                    outcome(&from_text)
                ));
            }
            result
        }
        (None, Some(text)) => {
            if token.is_some() || text.contains("$STATEMENT") || text.contains("$JWK") {
                return Err("request_text is sent as is: no statement, no placeholders".into());
            }
            registrar.register_json(text)
        }
        _ => return Err("give exactly one of \"request\" and \"request_text\"".into()),
    };

    let mut expect = case["expect"].clone();
    substitute_keys(&mut expect, keys)?;
    substitute_statement(&mut expect, token.as_deref())?;
    let expect = object(&expect, "expect")?;
    if expect.contains_key("error") {
        only(expect, &ERROR_FIELDS, "expect")?;
        check_error(expect, result, keys)
    } else {
        only(expect, &SUCCESS_FIELDS, "expect")?;
        for member in SUCCESS_FIELDS {
            if !expect.contains_key(member) {
                return Err(format!("expect has no {member:?} (and no \"error\")"));
            }
        }
        check_success(expect, result, token.as_deref())
    }
}

fn check_error(
    expect: &Map<String, Value>,
    result: Result<Registration, RegistrationError>,
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
    // RFC 7591 §3.2.2 body, and no key material in it (security rule 9, README).
    let body = error.to_json();
    let names: Vec<&String> = body.as_object().unwrap().keys().collect();
    if names != ["error", "error_description"] || body["error"] != code || error.http_status() != 400 {
        return Err(format!("error body {body} is not an RFC 7591 error response"));
    }
    if let Some(secret) = keys.secrets().into_iter().find(|s| body.to_string().contains(s)) {
        return Err(format!("the error description leaks key material ({}…)", &secret[..6]));
    }
    Ok(())
}

fn check_success(
    expect: &Map<String, Value>,
    result: Result<Registration, RegistrationError>,
    token: Option<&str>,
) -> Result<(), Failure> {
    let registration = result.map_err(|e| format!("refused: {}", e.to_json()))?;
    let actual = registration.to_json();
    let expected = Value::Object(expect.clone());
    // Compared as text: member order is part of the contract (request members kept,
    // then statement claims, then software_statement).
    let (actual_text, expected_text) = (actual.to_string(), expected.to_string());
    if actual_text != expected_text {
        let same_members = actual == expected;
        // Shown with the (long) token as its placeholder.
        let shorten = |text: String| match token {
            Some(token) => text.replace(token, "$STATEMENT"),
            None => text,
        };
        let (actual_text, expected_text) = (shorten(actual_text), shorten(expected_text));
        return Err(format!(
            "{}\n  got:      {actual_text}\n  expected: {expected_text}",
            if same_members {
                "same members, different order"
            } else {
                "different registration"
            }
        ));
    }
    // Rule 5: with a statement, software_statement is the token as sent.
    if registration.statement.is_some() && registration.metadata.software_statement().is_none() {
        return Err("a statement was verified but software_statement is missing".into());
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// The suite
// ---------------------------------------------------------------------------------------

#[test]
fn registration_vectors() {
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
        let cases = root["cases"]
            .as_array()
            .unwrap_or_else(|| panic!("{file}: no \"cases\" array"));
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
    println!("{run} registration cases from {} files", case_files.len());
    for (rule, count) in &tally {
        println!("  {rule:<28} {count}");
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
// RFC 7591 examples
// ---------------------------------------------------------------------------------------

fn rfc7591_statement() -> String {
    let text = std::fs::read_to_string(RFC7591).unwrap();
    let vectors: Value = serde_json::from_str(&text).unwrap();
    vectors["vectors"][0]["compact"].as_str().unwrap().to_owned()
}

fn trust(text: &str) -> TrustFile {
    let options = LoadOptions::default().clock(Arc::new(FixedClock::new(DEFAULT_NOW)));
    TrustFile::from_json(text, "trust.json", Some(options)).unwrap()
}

/// The default trust file of the vectors, keys filled in.
fn default_trust(keys: &Keys) -> TrustFile {
    let mut value = shared_trust(DEFAULT_TRUST).unwrap();
    substitute_keys(&mut value, keys).unwrap();
    trust(&value.to_string())
}

/// RFC 7591 §2.3's example statement has no `iss` (RFC errata 7969), so it is invalid —
/// and found so before any issuer or key is looked up: with a trust file that trusts
/// nobody, the answer is still `invalid_software_statement`, not `unapproved`.
#[test]
fn rfc7591_example_statement_is_invalid_for_missing_iss() {
    let statement = rfc7591_statement();
    // The §3.1.1 request that carries it.
    let request = json!({
        "redirect_uris": ["https://client.example.org/callback", "https://client.example.org/callback2"],
        "software_statement": statement,
        "scope": "read write",
        "example_extension_parameter": "example_value"
    });
    let request = request.as_object().unwrap();
    let keys = Keys::load();
    let registrars = [
        (
            "trusts nobody",
            Registrar::from_trust_file(&trust(r#"{"issuers": {}}"#)),
        ),
        ("default trust", Registrar::from_trust_file(&default_trust(&keys))),
        (
            "statement required",
            Registrar::from_trust_file(&trust(r#"{"issuers": {}, "require_software_statement": true}"#)),
        ),
    ];
    for (what, registrar) in registrars {
        let error = registrar.register(request).unwrap_err();
        assert_eq!(error.code().as_str(), "invalid_software_statement", "{what}: {error}");
        assert_eq!(
            error.description(),
            "the software statement has no 'iss' claim",
            "{what}"
        );
        assert_eq!(
            error.to_json(),
            json!({
                "error": "invalid_software_statement",
                "error_description": "the software statement has no 'iss' claim"
            })
        );
    }
}

/// The RFC 7591 §3.1 example request (language-tagged name, `jwks_uri`, an extension
/// parameter) with a software statement carrying the §2.3 example claims (and an `iss`),
/// signed here with RS256 like the RFC's: registered end to end from the request body.
#[test]
fn rfc7591_example_request_with_a_signed_statement() {
    let keys = Keys::load();
    let statement = StatementBuilder::new("https://rsa.publisher.example.com")
        .claim("software_id", "4NRB1-0XZABZI9E6-5SM3R")
        .claim("client_name", "Example Statement-based Client")
        .claim("client_uri", "https://client.example.net/")
        .issued_at(DEFAULT_NOW)
        .sign(keys.get("rs256").unwrap())
        .unwrap();
    // The RFC's request text (its escapes included), with the statement added.
    let body = r#"{
      "redirect_uris": [
        "https://client.example.org/callback",
        "https://client.example.org/callback2"],
      "software_statement": "$STATEMENT",
      "client_name": "My Example Client",
      "client_name#ja-Jpan-JP":
         "\u30AF\u30E9\u30A4\u30A2\u30F3\u30C8\u540D",
      "token_endpoint_auth_method": "client_secret_basic",
      "logo_uri": "https://client.example.org/logo.png",
      "jwks_uri": "https://client.example.org/my_public_keys.jwks",
      "example_extension_parameter": "example_value"
    }"#
    .replace("$STATEMENT", &statement);
    let registrar = Registrar::from_trust_file(&default_trust(&keys));
    let registration = registrar.register_json(&body).unwrap();

    let expected_metadata = json!({
        "redirect_uris": ["https://client.example.org/callback", "https://client.example.org/callback2"],
        "token_endpoint_auth_method": "client_secret_basic",
        "logo_uri": "https://client.example.org/logo.png",
        "jwks_uri": "https://client.example.org/my_public_keys.jwks",
        "example_extension_parameter": "example_value",
        "software_id": "4NRB1-0XZABZI9E6-5SM3R",
        "client_name": "Example Statement-based Client",
        "client_uri": "https://client.example.net/",
        "software_statement": statement
    });
    assert_eq!(
        Value::Object(registration.metadata.as_map().clone()).to_string(),
        expected_metadata.to_string(),
        "metadata (member order included)"
    );
    // The statement's client_name drops the whole family, the Japanese name included.
    assert_eq!(registration.overridden, ["client_name", "client_name#ja-Jpan-JP"]);
    assert_eq!(registration.metadata.software_statement(), Some(statement.as_str()));
    assert_eq!(registration.metadata.localized("client_name", Some("ja-Jpan-JP")), None);
    assert_eq!(
        registration.to_json(),
        json!({
            "metadata": expected_metadata,
            "overridden": ["client_name", "client_name#ja-Jpan-JP"],
            "statement": {"issuer": "https://rsa.publisher.example.com", "alg": "RS256", "kid": "publisher-rs256"}
        })
    );

    // The same request without the statement keeps the request's own names.
    let plain: Map<String, Value> = serde_json::from_str(&body).unwrap();
    let mut plain = plain;
    plain.remove("software_statement");
    let registration = registrar.register(&plain).unwrap();
    assert!(registration.overridden.is_empty());
    assert_eq!(registration.statement, None);
    assert_eq!(
        registration
            .metadata
            .localized("client_name", Some("ja-jpan-jp"))
            .and_then(Value::as_str),
        Some("クライアント名")
    );
    assert_eq!(registration.metadata.as_map(), &plain);
}

/// The RFC 7591 §3.1.1 request as printed (statement, `scope`, an extension parameter),
/// with a statement signed here in place of the RFC's.
#[test]
fn rfc7591_software_statement_request() {
    let keys = Keys::load();
    let statement = StatementBuilder::new("https://rsa.publisher.example.com")
        .claim("software_id", "4NRB1-0XZABZI9E6-5SM3R")
        .claim("client_name", "Example Statement-based Client")
        .claim("client_uri", "https://client.example.net/")
        .issued_at(DEFAULT_NOW)
        .sign(keys.get("rs256").unwrap())
        .unwrap();
    let request = json!({
        "redirect_uris": ["https://client.example.org/callback", "https://client.example.org/callback2"],
        "software_statement": statement,
        "scope": "read write",
        "example_extension_parameter": "example_value"
    });
    let registrar = Registrar::from_trust_file(&default_trust(&keys)).require_software_statement(true);
    let registration = registrar.register(request.as_object().unwrap()).unwrap();
    assert_eq!(
        registration.to_json().to_string(),
        json!({
            "metadata": {
                "redirect_uris": ["https://client.example.org/callback", "https://client.example.org/callback2"],
                "scope": "read write",
                "example_extension_parameter": "example_value",
                "software_id": "4NRB1-0XZABZI9E6-5SM3R",
                "client_name": "Example Statement-based Client",
                "client_uri": "https://client.example.net/",
                "software_statement": statement
            },
            "overridden": [],
            "statement": {"issuer": "https://rsa.publisher.example.com", "alg": "RS256", "kid": "publisher-rs256"}
        })
        .to_string()
    );
}
