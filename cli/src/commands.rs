//! The commands of the README's CLI section, over the library. Each prints its result (one JSON object
//! or a token) on stdout and returns the outcome that sets the exit status.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::{json, Map, Value};
use software_statement::dangerous::decode_unverified;
use software_statement::{Algorithm, AlgorithmSet, FixedClock, Jwk, JwkSet, JwsError, KeyError};
use software_statement::{
    ErrorCode, Limits, LoadOptions, Registrar, RegistrationError, RegistrationRequestBuilder, StatementBuilder,
    StatementError, TrustFile, UnverifiedJws, Verifier,
};

use crate::io::{self, config, Failure, Outcome};

/// The error code of `jws verify` and `inspect` (not an RFC 7591 code: there is no statement).
const INVALID_JWS: &str = "invalid_jws";

/// Claims that `sign` sets itself (`aud` is passed through).
const STAMPED_CLAIMS: [&str; 4] = ["iss", "iat", "exp", "jti"];

// ---- keys -------------------------------------------------------------------------------

/// `keygen --alg ALG [--kid KID] [--bits N]`.
pub fn keygen(alg: Algorithm, kid: Option<&str>, bits: Option<u32>) -> Outcome {
    let rsa = alg.key_family() == software_statement::KeyFamily::Rsa;
    if bits.is_some() && !rsa {
        return Err(config(format!(
            "--bits applies to RSA keys (RS*/PS*) only, not to {alg}"
        )));
    }
    let key = Jwk::generate_rsa(alg, bits.unwrap_or(2048))
        .map_err(|e| config(format!("cannot generate a {alg} key: {e}")))?;
    let key = match kid {
        Some("") => return Err(config("--kid must not be empty")),
        Some(kid) => key.with_kid(kid).map_err(|e| config(format!("--kid: {e}")))?,
        None => key,
    };
    io::print_json(&key.to_value());
    Ok(())
}

/// Reads a private or public key: a JWK, or a PEM document.
fn load_key(path: &Path, what: &str) -> Result<Jwk, Failure> {
    let bytes = io::read_file(path, what)?;
    let name = path.display();
    let text = std::str::from_utf8(&bytes).map_err(|_| config(format!("{name}: not a JWK (not UTF-8 text)")))?;
    let key = if text.trim_start().starts_with("-----BEGIN") {
        Jwk::from_pem(text)
    } else {
        Jwk::from_json(text)
    };
    key.map_err(|e| config(format!("{name}: {e}")))
}

/// `jwks KEY.jwk...`: the public JWK Set. A file may hold a JWK, a JWK Set or a PEM key.
pub fn jwks(paths: &[PathBuf]) -> Outcome {
    let mut public = Vec::new();
    for path in paths {
        let name = path.display();
        let publish = |key: &Jwk| {
            key.to_public().map_err(|e| match e {
                KeyError::SecretNotPublishable => config(format!(
                    "{name}: key {} is an oct key (a shared secret): secrets are never published; \
                     publish only asymmetric keys (RS*, PS*, ES*, EdDSA)",
                    describe_kid(key.kid())
                )),
                other => config(format!("{name}: {other}")),
            })
        };
        match io::parse_object(&io::read_file(path, "the key")?) {
            Ok(set) if set.contains_key("keys") => {
                let set = JwkSet::from_value(&Value::Object(set)).map_err(|e| config(format!("{name}: {}", e)))?;
                for skipped in set.skipped() {
                    let kid = describe_kid(skipped.kid.as_deref());
                    eprintln!("note: {name}: key {kid} skipped: {}", skipped.reason);
                }
                for key in set.keys() {
                    public.push(publish(key)?);
                }
            }
            _ => public.push(publish(&load_key(path, "the key")?)?),
        }
    }
    let set = JwkSet::new(public).map_err(|e| config(format!("{e}: give each key its own kid")))?;
    let value = set.to_public_value().map_err(|e| config(e.to_string()))?;
    io::print_json(&value);
    Ok(())
}

fn describe_kid(kid: Option<&str>) -> String {
    kid.map_or_else(|| "(no kid)".into(), |k| format!("{k:?}"))
}

// ---- sign -------------------------------------------------------------------------------

/// The options of `sign`.
pub struct SignOptions<'a> {
    pub key: &'a Path,
    pub iss: &'a str,
    pub ttl: Option<u64>,
    pub typ: Option<&'a str>,
    pub now: Option<u64>,
    pub alg: Option<Algorithm>,
    pub claims: Option<&'a PathBuf>,
}

/// `sign --key KEY.jwk --iss ISS [--ttl SECONDS] [--typ T] [--now T] [--alg ALG] [CLAIMS.json]`.
pub fn sign(o: &SignOptions<'_>) -> Outcome {
    if o.iss.is_empty() {
        return Err(config(
            "--iss must not be empty: give the publisher's issuer identifier",
        ));
    }
    if o.typ == Some("") {
        return Err(config("--typ must not be empty"));
    }
    let key_name = o.key.display();
    let key = load_key(o.key, "the signing key")?;
    if !key.is_private() {
        return Err(config(format!(
            "{key_name} holds a public key: signing needs the private key (see `software-statement keygen`)"
        )));
    }
    if o.alg.is_none() && key.default_algorithm().is_none() {
        let example = key.algorithms().iter().next().map_or("RS256", Algorithm::name);
        return Err(config(format!(
            "{key_name} has no \"alg\" and its type allows several algorithms: choose one with --alg (e.g. --alg {example})"
        )));
    }

    let bytes = io::read_input(o.claims, "the claims (a JSON object)")?;
    let claims = if bytes.trim_ascii().is_empty() {
        Map::new()
    } else {
        io::parse_object(&bytes).map_err(|e| {
            config(format!(
                "{}: the claims must be a JSON object: {e}",
                io::input_name(o.claims)
            ))
        })?
    };
    for name in STAMPED_CLAIMS {
        if claims.contains_key(name) {
            let by = match name {
                "iss" => "--iss",
                "iat" => "the signing time (--now or the clock)",
                "exp" => "--ttl (no exp without it)",
                _ => "a random value",
            };
            eprintln!("note: the claim {name:?} of the claims file is replaced by {by}");
        }
    }

    let mut builder = StatementBuilder::new(o.iss);
    if let Some(aud) = claims.get("aud") {
        builder = builder.audience(aud.clone());
    }
    builder = builder.claims(claims);
    if let Some(ttl) = o.ttl {
        builder = builder.ttl(ttl);
    }
    if let Some(typ) = o.typ {
        builder = builder.typ(typ);
    }
    if let Some(now) = o.now {
        builder = builder.issued_at(now);
    }
    if let Some(alg) = o.alg {
        builder = builder.algorithm(alg);
    }
    let token = builder
        .sign(&key)
        .map_err(|e| config(format!("cannot sign with {key_name}: {}", e)))?;
    io::print_line(&token);
    Ok(())
}

// ---- verify and register ----------------------------------------------------------------

/// Loads a trust file; any problem is a configuration error (exit 2) whose message names
/// the file, the issuer and the `kid`.
fn load_trust(path: &Path, now: Option<u64>) -> Result<TrustFile, Failure> {
    let mut options = LoadOptions::default();
    if let Some(now) = now {
        options = options.clock(Arc::new(FixedClock::new(now)));
    }
    let trust = TrustFile::load(path, Some(options)).map_err(|e| config(e.to_string()))?;
    for warning in trust.warnings() {
        eprintln!("warning: {}: {warning}", path.display());
    }
    // Keys of a kind this library does not implement are skipped: say so.
    for (issuer, policy) in trust.verifier().issuers() {
        if policy.keys().is_remote() {
            continue;
        }
        for skipped in policy.keys().skipped() {
            eprintln!(
                "note: {}: issuer {issuer:?}: key {}{} skipped: {}",
                path.display(),
                skipped.position,
                skipped
                    .kid
                    .as_deref()
                    .map(|k| format!(" (kid {k:?})"))
                    .unwrap_or_default(),
                skipped.reason
            );
        }
    }
    Ok(trust)
}

/// Invalid keys fetched from a `jwks_uri` are skipped and reported (on stderr, for the
/// operator).
fn report_skipped_remote_keys(verifier: &Verifier) {
    for (issuer, policy) in verifier.issuers() {
        let Some(uri) = policy.keys().uri() else { continue };
        for skipped in policy.keys().skipped() {
            eprintln!(
                "note: issuer {issuer:?}: key {}{} of {uri} was skipped: {}",
                skipped.position,
                skipped
                    .kid
                    .as_deref()
                    .map(|k| format!(" (kid {k:?})"))
                    .unwrap_or_default(),
                skipped.reason
            );
        }
    }
}

/// A runtime for the commands that may fetch a `jwks_uri` or serve one.
pub fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| config(format!("cannot start the async runtime: {e}")))
}

/// `verify --trust TRUST.json [--now T] [TOKEN]`.
pub fn verify(trust_path: &Path, now: Option<u64>, token: Option<&PathBuf>) -> Outcome {
    let trust = load_trust(trust_path, now)?;
    let bytes = io::read_input(token, "the software statement")?;
    let Some(token) = io::token_text(&bytes) else {
        return Err(Failure::rejected(
            ErrorCode::InvalidSoftwareStatement.as_str(),
            "the software statement is not UTF-8 text",
        ));
    };
    let verifier = trust.verifier();
    let result = if verifier.needs_fetch() {
        runtime()?.block_on(verifier.verify_async(token))
    } else {
        verifier.verify(token)
    };
    report_skipped_remote_keys(verifier);
    let statement = result.map_err(|e| statement_rejection(&e, trust_path))?;
    io::print_json(&json!({
        "issuer": statement.issuer(),
        "header": statement.header().members(),
        "claims": statement.claims(),
    }));
    Ok(())
}

/// The rejection of a statement: its RFC 7591 code, its description, a hint.
fn statement_rejection(e: &StatementError, trust: &Path) -> Failure {
    Failure::rejected(e.code().as_str(), e.to_string()).hint(statement_hint(e, trust))
}

/// What to do next about a refused statement (printed on stderr).
fn statement_hint(e: &StatementError, trust: &Path) -> Option<String> {
    let trust = trust.display();
    let text = match e {
        StatementError::UntrustedIssuer(iss) => {
            format!("issuer {iss:?} is not in the trust file {trust}: add it under \"issuers\" if you trust it")
        }
        StatementError::Expired => {
            "the statement has expired: ask the publisher for a fresh one (or check it at another time with --now)"
                .into()
        }
        StatementError::NotYetValid | StatementError::IssuedInFuture => {
            "check this machine's clock and the publisher's (or pass --now)".into()
        }
        StatementError::TooOld => {
            format!(
                "the statement is older than the issuer's \"max_age\" in {trust}: ask the publisher for a fresh one"
            )
        }
        StatementError::MissingClaim(claim) => {
            format!("{trust} requires {claim:?} from this issuer (\"required_claims\"): ask the publisher to add it")
        }
        StatementError::WrongAudience => {
            format!("the statement's \"aud\" does not name the \"audience\" set in {trust}")
        }
        StatementError::WrongType { .. } => {
            format!("the token's \"typ\" header differs from the issuer's \"typ\" in {trust}")
        }
        StatementError::KeysUnavailable { reason, .. } => {
            format!("{reason}: check that the issuer's \"jwks_uri\" is reachable and serves a JWK Set")
        }
        StatementError::Jws(JwsError::BadSignature) => {
            "the token was altered, or signed with a key that is not one of the issuer's".into()
        }
        StatementError::Jws(JwsError::UnknownKid(_)) => {
            format!("the issuer's keys ({trust} or its jwks_uri) have no key with this kid: was the key rotated?")
        }
        StatementError::Jws(JwsError::AlgorithmNotAllowed(alg)) => {
            format!("{alg} is not among the issuer's \"algorithms\" in {trust}, or no key of the issuer allows it")
        }
        _ => return None,
    };
    Some(text)
}

/// `register --trust TRUST.json [--now T] [REQUEST.json]`.
pub fn register(trust_path: &Path, now: Option<u64>, request: Option<&PathBuf>) -> Outcome {
    let trust = load_trust(trust_path, now)?;
    let required = trust.require_software_statement();
    let bytes = io::read_input(request, "the registration request (a JSON object or a signed request)")?;
    // A signed request is input that, trimmed, does not start with `{`.
    let signed = bytes
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b != b'{');
    let (body, content_type) = if signed {
        (
            io::token_text(&bytes).map(str::as_bytes).unwrap_or(&bytes),
            "application/jwt",
        )
    } else {
        (&bytes[..], "application/json")
    };
    let has_statement = signed
        || std::str::from_utf8(body)
            .ok()
            .and_then(|t| io::parse_object(t.as_bytes()).ok())
            .is_some_and(|r| r.contains_key("software_statement"));
    let registrar = Registrar::from_trust_file(&trust);
    // Keys from a `jwks_uri` (an issuer's, or the client's for a signed request) may need a
    // fetch: the async path.
    let registration = if signed || trust.verifier().needs_fetch() {
        runtime()?.block_on(registrar.register_body_async(body, content_type))
    } else {
        registrar.register_body(body, content_type)
    };
    report_skipped_remote_keys(trust.verifier());
    match registration {
        Ok(r) => {
            io::print_json(&r.to_json());
            Ok(())
        }
        Err(e) => Err(Failure::Rejected {
            body: e.to_json(),
            hint: registration_hint(&e, trust_path, required, has_statement),
        }),
    }
}

/// The options of `request`.
pub struct RequestOptions<'a> {
    pub key: &'a Path,
    pub statement: &'a Path,
    pub aud: &'a str,
    pub iss: Option<&'a str>,
    pub ttl: u64,
    pub now: Option<u64>,
    pub alg: Option<Algorithm>,
    pub metadata: Option<&'a PathBuf>,
}

/// `request --key CLIENT.jwk --statement SSA.jwt --aud AS [--iss ID] [--ttl S] [--now T] [METADATA.json]`.
pub fn request(o: &RequestOptions<'_>) -> Outcome {
    if o.aud.is_empty() {
        return Err(config(
            "--aud must not be empty: give the authorization server's identifier",
        ));
    }
    let key = load_key(o.key, "the client key")?;
    let statement_bytes = io::read_file(o.statement, "the software statement")?;
    let statement = io::token_text(&statement_bytes)
        .ok_or_else(|| config(format!("{}: not a compact JWS (not UTF-8 text)", o.statement.display())))?;
    let metadata = match io::read_input(o.metadata, "the client metadata (a JSON object)") {
        Ok(bytes) => io::parse_object(&bytes).map_err(|e| config(format!("{}: {e}", io::input_name(o.metadata))))?,
        Err(e) => return Err(e),
    };
    let mut builder = RegistrationRequestBuilder::new(statement)
        .audience(o.aud)
        .ttl(o.ttl)
        .metadata(metadata);
    if let Some(iss) = o.iss {
        builder = builder.issuer(iss);
    }
    if let Some(now) = o.now {
        builder = builder.issued_at(now);
    }
    if let Some(alg) = o.alg {
        builder = builder.algorithm(alg);
    }
    let token = builder
        .sign(&key)
        .map_err(|e| config(format!("cannot sign the request with {}: {e}", o.key.display())))?;
    io::print_line(&token);
    Ok(())
}

/// What to do next about a refused registration (printed on stderr).
fn registration_hint(e: &RegistrationError, trust: &Path, required: bool, has_statement: bool) -> Option<String> {
    let trust = trust.display();
    match e.code() {
        ErrorCode::UnapprovedSoftwareStatement => Some(format!(
            "the statement's issuer is not in the trust file {trust}: add it under \"issuers\" if you trust it"
        )),
        ErrorCode::InvalidSoftwareStatement if required && !has_statement => Some(format!(
            "{trust} sets \"require_software_statement\": true; add a \"software_statement\" member to the request"
        )),
        ErrorCode::InvalidSoftwareStatement => Some(format!(
            "for details, run `software-statement verify --trust {trust}` on the statement"
        )),
        _ => None,
    }
}

// ---- plain JWS ----------------------------------------------------------------------------

fn jws_rejection(e: &JwsError) -> Failure {
    Failure::rejected(INVALID_JWS, e.to_string())
}

fn parse_jws(token: &str) -> Result<UnverifiedJws<'_>, Failure> {
    UnverifiedJws::parse(token, &Limits::default()).map_err(|e| jws_rejection(&e))
}

/// The payload segment of a compact JWS that parsed: canonical base64url of the payload.
fn payload_segment(token: &str) -> &str {
    token.split('.').nth(1).unwrap_or_default()
}

fn read_token(path: Option<&PathBuf>) -> Result<String, Failure> {
    let bytes = io::read_input(path, "the JWS")?;
    let token = io::token_text(&bytes).ok_or_else(|| Failure::rejected(INVALID_JWS, "the token is not UTF-8 text"))?;
    Ok(token.to_owned())
}

/// `jws verify --jwks JWKS.json [--alg ALG...] [TOKEN]`.
pub fn jws_verify(jwks_path: &Path, algs: &[Algorithm], token: Option<&PathBuf>) -> Outcome {
    let name = jwks_path.display();
    let bytes = io::read_file(jwks_path, "the JWK Set")?;
    let text = std::str::from_utf8(&bytes).map_err(|_| config(format!("{name}: not a JWK Set (not UTF-8 text)")))?;
    let keys = JwkSet::from_json(text).map_err(|e| config(format!("{name}: {}", e)))?;
    if keys.is_empty() {
        return Err(config(format!("{name}: the JWK Set has no usable key")));
    }
    let allowed = if algs.is_empty() {
        keys.algorithms()
    } else {
        AlgorithmSet::of(algs)
    };
    let token = read_token(token)?;
    let verified = parse_jws(&token)?
        .verify(&keys, allowed)
        .map_err(|e| jws_rejection(&e))?;
    io::print_json(&json!({
        "header": verified.header().members(),
        "payload": payload_segment(&token),
    }));
    Ok(())
}

/// `inspect [TOKEN]`: decodes without verifying. The token must pass the strict syntax
/// rules (else exit 1 `invalid_jws`); a payload that is not a JSON object gives
/// `"claims": null` and the payload's base64url in `"payload"`.
pub fn inspect(token: Option<&PathBuf>) -> Outcome {
    let token = read_token(token)?;
    // Structure only: a token the verifier refuses (alg none, crit, …) can still be looked at.
    let (header, payload) = decode_unverified(&token, &Limits::default()).map_err(|e| jws_rejection(&e))?;
    let mut out = Map::new();
    out.insert("verified".into(), Value::Bool(false));
    out.insert("header".into(), Value::Object(header));
    match io::parse_object(&payload) {
        Ok(claims) => {
            out.insert("claims".into(), Value::Object(claims));
        }
        Err(why) => {
            eprintln!(
                "note: the payload is not a JSON object of claims ({why}); it is shown as base64url in \"payload\""
            );
            out.insert("claims".into(), Value::Null);
            out.insert("payload".into(), Value::from(payload_segment(&token)));
        }
    }
    io::print_json(&Value::Object(out));
    Ok(())
}
