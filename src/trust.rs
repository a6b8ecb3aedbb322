//! The trust file (the README's "The trust file" section): which issuers an authorization server trusts, with which
//! keys and rules. Every key is validated when the file is loaded: one bad key makes the
//! whole file invalid, and the error names the file, the issuer and the `kid`.
//!
//! ```
//! use software_statement::TrustFile;
//! let trust = TrustFile::from_json(r#"{
//!   "issuers": {
//!     "https://publisher.example.com": {
//!       "jwks": {"keys": [{"kty":"OKP","crv":"Ed25519","kid":"k1",
//!                          "x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]},
//!       "required_claims": ["software_id"]
//!     }
//!   },
//!   "leeway": 30
//! }"#, "trust.json", None)?;
//! assert!(trust.verifier().issuer("https://publisher.example.com").is_some());
//! assert!(!trust.require_software_statement());
//! # Ok::<(), software_statement::TrustFileError>(())
//! ```

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::{Map, Value};

use crate::clock::Clock;
use crate::error::{KeyError, TrustFileError};
use crate::jwa::{Algorithm, AlgorithmSet};
use crate::jwk::JwkSet;
use crate::key_source::KeySource;
use crate::metadata::uri::FORBIDDEN_REDIRECT_SCHEMES;
use crate::metadata::{UnknownMembers, ValidationOptions};
use crate::registration::{SignedRequestPolicy, SignedRequests, DEFAULT_MAX_REQUEST_BYTES};
use crate::statement::profile::check_claim_map;
use crate::statement::{ClientKeyMode, Constraint, IssuerPolicy, Profile, RedirectUriMode, Verifier};

/// A loaded trust file: the [`Verifier`] it configures and its global options.
#[derive(Clone, Debug)]
pub struct TrustFile {
    verifier: Verifier,
    require_software_statement: bool,
    allow_http_loopback: bool,
    validation: ValidationOptions,
    max_request_bytes: usize,
    signed_requests: Option<SignedRequestPolicy>,
    #[cfg(feature = "remote")]
    remote: crate::remote::RemoteOptions,
}

/// Options for loading a trust file: the clock and, with feature `remote`, the options
/// of the `jwks_uri` fetchers.
#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    clock: Option<Arc<dyn Clock>>,
    #[cfg(feature = "remote")]
    remote: Option<crate::remote::RemoteOptions>,
}

impl LoadOptions {
    /// Uses `clock` for claim checks (and cache lifetimes).
    #[must_use]
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Base options for every `jwks_uri` fetcher; the file's `allow_http_loopback` is
    /// applied on top.
    #[cfg(feature = "remote")]
    #[must_use]
    pub fn remote(mut self, options: crate::remote::RemoteOptions) -> Self {
        self.remote = Some(options);
        self
    }
}

/// The trust file as written: unknown members refused.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Document {
    /// Read issuer by issuer ([`IssuerEntry`]), so that an error names its issuer.
    issuers: Map<String, Value>,
    #[serde(default = "default_leeway")]
    leeway: u64,
    #[serde(default)]
    require_software_statement: bool,
    #[serde(default)]
    allow_http_loopback: bool,
    #[serde(default)]
    registration: RegistrationEntry,
}

/// The `registration` object as written: the registration policy (merge rules 11, 12,
/// 14); unknown members refused.
#[derive(Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RegistrationEntry {
    unknown_members: Option<String>,
    extensions: Option<Vec<String>>,
    redirect_uri_schemes: Option<Vec<String>>,
    max_client_keys: Option<usize>,
    max_request_bytes: Option<usize>,
    audience: Option<String>,
    signed_request: Option<String>,
    request_algorithms: Option<Vec<String>>,
    max_request_age: Option<u64>,
}

impl RegistrationEntry {
    /// The signed-request policy (`audience`, `signed_request`, `request_algorithms`,
    /// `max_request_age`): `None` without an audience, when signed requests are refused.
    fn signed_requests(&self) -> Result<Option<SignedRequestPolicy>, String> {
        let Some(audience) = &self.audience else {
            if self.signed_request.as_deref() == Some("required") {
                return Err(
                    "\"registration.signed_request\" is \"required\" but no \"registration.audience\" is set: \
                     signed requests need the audience they are addressed to"
                        .into(),
                );
            }
            return Ok(None);
        };
        if audience.is_empty() {
            return Err("\"registration.audience\" must be a non-empty string".into());
        }
        let mut policy = SignedRequestPolicy::new(audience.clone());
        match self.signed_request.as_deref() {
            None | Some("optional") => {}
            Some("required") => policy = policy.requirement(SignedRequests::Required),
            Some(other) => {
                return Err(format!(
                    "\"registration.signed_request\" must be \"optional\" or \"required\", not {other:?}"
                ))
            }
        }
        if let Some(names) = &self.request_algorithms {
            if names.is_empty() {
                return Err("\"registration.request_algorithms\" must be a non-empty list".into());
            }
            let mut algs = Vec::with_capacity(names.len());
            for name in names {
                let alg = Algorithm::from_name(name)
                    .ok_or_else(|| format!("unsupported algorithm {name:?} in \"registration.request_algorithms\""))?;
                if alg.is_hmac() {
                    return Err(format!(
                        "\"registration.request_algorithms\" lists {name}: signed requests are never verified with HMAC"
                    ));
                }
                if !crate::crypto::backend_supports(alg) {
                    return Err(format!(
                        "{alg} is unsupported with the {} backend",
                        crate::crypto::BACKEND
                    ));
                }
                algs.push(alg);
            }
            policy = policy.algorithms(&algs);
        }
        if let Some(age) = self.max_request_age {
            policy = policy.max_age(age);
        }
        Ok(Some(policy))
    }

    /// The validation policy and the request size bound it configures.
    fn settings(self, allow_http_loopback: bool) -> Result<(ValidationOptions, usize), String> {
        let mut options = ValidationOptions::default().allow_http_loopback(allow_http_loopback);
        if let Some(policy) = self.unknown_members {
            options = options.unknown_members(match policy.as_str() {
                "keep" => UnknownMembers::Keep,
                "drop" => UnknownMembers::Drop,
                "reject" => UnknownMembers::Reject,
                other => {
                    return Err(format!(
                        "\"registration.unknown_members\" must be \"keep\", \"drop\" or \"reject\", not {other:?}"
                    ))
                }
            });
        }
        if let Some(names) = self.extensions {
            if names.iter().any(String::is_empty) {
                return Err("\"registration.extensions\" must list non-empty member names".into());
            }
            options = options.extensions(names);
        }
        if let Some(schemes) = self.redirect_uri_schemes {
            if schemes.is_empty() || schemes.iter().any(String::is_empty) {
                return Err("\"registration.redirect_uri_schemes\" must be a non-empty list of schemes".into());
            }
            if let Some(never) = schemes
                .iter()
                .find(|s| FORBIDDEN_REDIRECT_SCHEMES.iter().any(|f| f.eq_ignore_ascii_case(s)))
            {
                return Err(format!(
                    "\"registration.redirect_uri_schemes\" lists {never:?}, a scheme never allowed for redirect URIs"
                ));
            }
            options = options.redirect_uri_schemes(schemes);
        }
        if let Some(keys) = self.max_client_keys {
            options = options.max_client_keys(keys);
        }
        let max_request_bytes = match self.max_request_bytes {
            Some(0) => return Err("\"registration.max_request_bytes\" must be positive".into()),
            Some(bytes) => bytes,
            None => DEFAULT_MAX_REQUEST_BYTES,
        };
        Ok((options, max_request_bytes))
    }
}

fn default_leeway() -> u64 {
    60
}

/// One issuer's entry as written: unknown members refused.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct IssuerEntry {
    jwks: Option<Value>,
    jwks_uri: Option<String>,
    jwks_file: Option<String>,
    algorithms: Option<Vec<String>>,
    #[serde(default)]
    required_claims: Vec<String>,
    max_age: Option<u64>,
    audience: Option<OneOrMany>,
    typ: Option<String>,
    /// Applied by [`with_profile`] before this entry is read; kept here so that
    /// `deny_unknown_fields` accepts it.
    #[serde(rename = "profile")]
    _profile: Option<String>,
    claim_map: Option<Map<String, Value>>,
    redirect_uris: Option<String>,
    client_keys: Option<String>,
    constraints: Option<Map<String, Value>>,
    #[serde(default)]
    one_time_use: bool,
}

/// A string, or an array of strings.
#[derive(serde::Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

/// Deserializes `value` as `T`, the error naming the member at fault.
fn typed<T: serde::de::DeserializeOwned>(value: Value) -> Result<T, String> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let inner = e.inner().to_string();
        match inner.strip_prefix("unknown field") {
            Some(rest) => format!("unknown member{rest}"),
            None if e.path().to_string() == "." => inner,
            None => format!("\"{}\": {inner}", e.path()),
        }
    })
}

impl TrustFile {
    /// Reads and validates a trust file.
    pub fn load(path: impl AsRef<Path>, options: Option<LoadOptions>) -> Result<TrustFile, TrustFileError> {
        let path = path.as_ref();
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| TrustFileError {
            file: name.clone(),
            issuer: None,
            message: format!("cannot read the trust file: {e}"),
        })?;
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Self::parse(&text, &name, &dir, options.unwrap_or_default())
    }

    /// Validates a trust file's text; `name` is used in errors, and `jwks_file` paths are
    /// resolved against the current directory.
    pub fn from_json(text: &str, name: &str, options: Option<LoadOptions>) -> Result<TrustFile, TrustFileError> {
        Self::parse(text, name, Path::new(""), options.unwrap_or_default())
    }

    /// Warnings for the operator about policies that load but are weaker than they should
    /// be: an issuer whose policy accepts any JWT it signs (no `typ`, no `audience`, no
    /// required claim; RFC 8725 §3.11–3.12). The CLI prints them on stderr.
    ///
    /// ```
    /// use software_statement::TrustFile;
    /// let trust = TrustFile::from_json(r#"{"issuers": {"https://p.example": {
    ///     "jwks": {"keys": [{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}}}}"#,
    ///     "trust.json", None)?;
    /// assert_eq!(trust.warnings().len(), 1);
    /// assert!(trust.warnings()[0].contains("https://p.example"));
    /// # Ok::<(), software_statement::TrustFileError>(())
    /// ```
    pub fn warnings(&self) -> Vec<String> {
        let mut issuers: Vec<&str> = self
            .verifier
            .issuers()
            .filter(|(_, policy)| policy.accepts_any_jwt())
            .map(|(issuer, _)| issuer)
            .collect();
        issuers.sort_unstable();
        issuers
            .into_iter()
            .map(|issuer| {
                format!(
                    "issuer {issuer:?} accepts any JWT it signs (no \"typ\", \"audience\" or \"required_claims\"): \
                     a token it issued for another purpose would verify as a software statement; \
                     set \"typ\" or \"required_claims\" (RFC 8725 §3.11-3.12)"
                )
            })
            .collect()
    }

    /// The metadata validation policy of the file's `registration` object (with
    /// `allow_http_loopback` applied to a client's `jwks_uri`).
    pub fn validation(&self) -> &ValidationOptions {
        &self.validation
    }

    /// The signed-request policy of the `registration` object, when it names an
    /// `audience`.
    pub fn signed_requests(&self) -> Option<&SignedRequestPolicy> {
        self.signed_requests.as_ref()
    }

    /// The options of every `jwks_uri` fetcher this file configures (the load options with
    /// the file's `allow_http_loopback` and clock): for issuers, and for clients' keys named
    /// by verified statements.
    #[cfg(feature = "remote")]
    pub fn remote_options(&self) -> crate::remote::RemoteOptions {
        self.remote.clone()
    }

    /// `registration.max_request_bytes` (default 64 KiB).
    pub fn max_request_bytes(&self) -> usize {
        self.max_request_bytes
    }

    /// The verifier the file configures.
    pub fn verifier(&self) -> &Verifier {
        &self.verifier
    }

    /// `require_software_statement` (default false).
    pub fn require_software_statement(&self) -> bool {
        self.require_software_statement
    }

    /// Whether the file's `allow_http_loopback` is set (default false).
    pub fn allows_http_loopback(&self) -> bool {
        self.allow_http_loopback
    }

    fn parse(text: &str, file: &str, dir: &Path, options: LoadOptions) -> Result<TrustFile, TrustFileError> {
        let err = |issuer: Option<&str>, message: String| TrustFileError {
            file: file.to_owned(),
            issuer: issuer.map(str::to_owned),
            message,
        };
        let root =
            crate::json::parse_object_str(text, crate::json::MAX_DEPTH).map_err(|e| err(None, format!("{e}")))?;
        if !root.contains_key("issuers") {
            return Err(err(
                None,
                "\"issuers\" must be an object mapping each issuer to its policy".into(),
            ));
        }
        let doc: Document = typed(Value::Object(root)).map_err(|m| err(None, m))?;
        let mut builder = Verifier::builder()
            .leeway(doc.leeway)
            .map_err(|e| err(None, format!("\"leeway\": {e}")))?;
        if let Some(clock) = &options.clock {
            builder = builder.clock(clock.clone());
        }
        // One fetcher (and cache) per `jwks_uri`, shared by every issuer that names it.
        let mut fetchers = Fetchers::default();
        for (iss, entry) in doc.issuers {
            let e = |m: String| err(Some(&iss), m);
            if iss.is_empty() {
                return Err(e("the issuer name is empty".into()));
            }
            let Value::Object(entry) = entry else {
                return Err(e("the policy must be a JSON object".into()));
            };
            let entry: IssuerEntry = typed(Value::Object(with_profile(entry).map_err(e)?)).map_err(e)?;
            let policy = issuer_policy(entry, dir, doc.allow_http_loopback, &options, &mut fetchers).map_err(e)?;
            builder = builder.issuer(iss.clone(), policy);
        }
        let signed_requests = doc.registration.signed_requests().map_err(|m| err(None, m))?;
        let (validation, max_request_bytes) = doc
            .registration
            .settings(doc.allow_http_loopback)
            .map_err(|m| err(None, m))?;
        Ok(TrustFile {
            verifier: builder.build(),
            require_software_statement: doc.require_software_statement,
            allow_http_loopback: doc.allow_http_loopback,
            validation,
            max_request_bytes,
            signed_requests,
            #[cfg(feature = "remote")]
            remote: remote_options(doc.allow_http_loopback, &options),
        })
    }
}

/// An issuer entry with its `profile`'s preset members under it: a member the entry writes
/// replaces the preset's member whole.
fn with_profile(entry: Map<String, Value>) -> Result<Map<String, Value>, String> {
    let Some(name) = entry.get("profile") else {
        return Ok(entry);
    };
    let profile = name.as_str().and_then(Profile::from_name).ok_or_else(|| {
        format!("\"profile\": unknown profile {name} (known: rfc7591, openbanking-uk, cdr, open-finance-brasil)")
    })?;
    // A member written as null would silently drop the preset's rule: refuse it.
    if let Some((member, _)) = entry.iter().find(|(_, v)| v.is_null()) {
        return Err(format!(
            "{member:?} is null: write the value, or leave the member out to keep the preset's"
        ));
    }
    let mut members = profile.members();
    members.extend(entry);
    Ok(members)
}

/// One issuer's policy from its entry; the error says what is wrong (the caller names the
/// issuer).
fn issuer_policy(
    entry: IssuerEntry,
    dir: &Path,
    allow_http_loopback: bool,
    options: &LoadOptions,
    fetchers: &mut Fetchers,
) -> Result<IssuerPolicy, String> {
    let keys = match (entry.jwks, entry.jwks_uri, entry.jwks_file) {
        (Some(jwks), None, None) => KeySource::Jwks(Arc::new(JwkSet::from_value(&jwks).map_err(|k| key_message(&k))?)),
        (None, None, Some(rel)) => {
            let path: PathBuf = dir.join(rel);
            let text = std::fs::read_to_string(&path)
                .map_err(|io| format!("cannot read jwks_file {}: {io}", path.display()))?;
            let set =
                JwkSet::from_json(&text).map_err(|k| format!("jwks_file {}: {}", path.display(), key_message(&k)))?;
            KeySource::Jwks(Arc::new(set))
        }
        (None, Some(uri), None) => remote_source(&uri, allow_http_loopback, options, fetchers)?,
        _ => return Err("give exactly one of \"jwks\", \"jwks_uri\" or \"jwks_file\"".into()),
    };
    #[allow(irrefutable_let_patterns)]
    if let KeySource::Jwks(set) = &keys {
        let usable = set
            .keys()
            .iter()
            .any(|k| Algorithm::ALL.iter().any(|a| k.check_verify(*a).is_ok()));
        if !usable {
            return Err(
                "no key of this issuer can verify a signature (the key set is empty, or every key \
                 is an encryption key or of an unknown type): add the issuer's signing keys"
                    .into(),
            );
        }
    }
    let mut policy = IssuerPolicy::new(keys.clone());
    if let Some(list) = entry.algorithms {
        if list.is_empty() {
            return Err("\"algorithms\" must be a non-empty array of algorithm names".into());
        }
        let mut parsed = Vec::with_capacity(list.len());
        for name in &list {
            let alg = Algorithm::from_name(name)
                .ok_or_else(|| format!("unsupported algorithm {name:?} in \"algorithms\" (none is never accepted)"))?;
            if !crate::crypto::backend_supports(alg) {
                return Err(format!(
                    "{alg} is unsupported with the {} backend",
                    crate::crypto::BACKEND
                ));
            }
            parsed.push(alg);
        }
        #[allow(irrefutable_let_patterns)]
        if let KeySource::Jwks(set) = &keys {
            if set.algorithms().intersect(AlgorithmSet::of(&parsed)).is_empty() {
                return Err("no key can verify any of the listed \"algorithms\"".into());
            }
        }
        policy = policy.algorithms(&parsed);
    }
    for claim in entry.required_claims {
        policy = policy.require_claim(claim);
    }
    if let Some(max_age) = entry.max_age {
        policy = policy.max_age(max_age);
    }
    match entry.audience {
        None => {}
        Some(OneOrMany::One(aud)) => policy = policy.audience(aud),
        Some(OneOrMany::Many(list)) if !list.is_empty() => {
            for aud in list {
                policy = policy.audience(aud);
            }
        }
        Some(OneOrMany::Many(_)) => return Err("\"audience\" must be a string or a non-empty array of strings".into()),
    }
    match entry.typ {
        None => {}
        Some(t) if !t.is_empty() => policy = policy.typ(t),
        Some(_) => return Err("\"typ\" must be a non-empty string".into()),
    }
    if let Some(map) = entry.claim_map {
        let mut pairs = Vec::with_capacity(map.len());
        for (claim, target) in map {
            let target = target
                .as_str()
                .ok_or_else(|| format!("\"claim_map\": {claim:?} must map to a member name (a string)"))?;
            pairs.push((claim, target.to_owned()));
        }
        check_claim_map(&pairs).map_err(|m| format!("\"claim_map\": {m}"))?;
        policy = policy.claim_map(pairs);
    }
    match entry.redirect_uris.as_deref() {
        None | Some("statement") => {}
        Some("subset") => policy = policy.redirect_uris(RedirectUriMode::Subset),
        Some(other) => {
            return Err(format!(
                "\"redirect_uris\" must be \"statement\" or \"subset\", not {other:?}"
            ))
        }
    }
    match entry.client_keys.as_deref() {
        None | Some("any") => {}
        Some("statement") => policy = policy.client_keys(ClientKeyMode::Statement),
        Some(other) => {
            return Err(format!(
                "\"client_keys\" must be \"any\" or \"statement\", not {other:?}"
            ))
        }
    }
    for (claim, operators) in entry.constraints.unwrap_or_default() {
        let operators = operators
            .as_object()
            .filter(|o| !o.is_empty())
            .ok_or_else(|| format!("\"constraints\": {claim:?} must map operators to operands"))?;
        for (operator, operand) in operators {
            let constraint =
                Constraint::parse(operator, operand).map_err(|m| format!("\"constraints\": {claim:?}: {m}"))?;
            policy = policy.constraint(claim.clone(), constraint);
        }
    }
    Ok(policy.one_time_use(entry.one_time_use))
}

fn key_message(e: &KeyError) -> String {
    match e {
        KeyError::InSet { .. } => format!("{e}; fix or remove it"),
        other => format!("invalid JWK Set: {other}"),
    }
}

/// The options of the file's `jwks_uri` fetchers: the load options, with the file's
/// `allow_http_loopback` and the load clock.
#[cfg(feature = "remote")]
fn remote_options(allow_http_loopback: bool, options: &LoadOptions) -> crate::remote::RemoteOptions {
    let mut remote = options.remote.clone().unwrap_or_default();
    if allow_http_loopback {
        remote = remote.allow_http_loopback(true);
    }
    if let Some(clock) = &options.clock {
        remote = remote.clock(clock.clone());
    }
    remote
}

/// The `jwks_uri` fetchers made so far while loading one trust file, by URI.
#[derive(Default)]
struct Fetchers {
    #[cfg(feature = "remote")]
    by_uri: std::collections::HashMap<String, Arc<crate::remote::RemoteJwks>>,
}

#[cfg(feature = "remote")]
fn remote_source(
    uri: &str,
    allow_http_loopback: bool,
    options: &LoadOptions,
    fetchers: &mut Fetchers,
) -> Result<KeySource, String> {
    if let Some(shared) = fetchers.by_uri.get(uri) {
        return Ok(KeySource::Remote(shared.clone()));
    }
    let remote = remote_options(allow_http_loopback, options);
    let fetcher = Arc::new(crate::remote::RemoteJwks::new(uri, remote).map_err(|e| format!("\"jwks_uri\": {e}"))?);
    fetchers.by_uri.insert(uri.to_owned(), fetcher.clone());
    Ok(KeySource::Remote(fetcher))
}

#[cfg(not(feature = "remote"))]
fn remote_source(
    _uri: &str,
    _allow_http_loopback: bool,
    _options: &LoadOptions,
    _fetchers: &mut Fetchers,
) -> Result<KeySource, String> {
    Err("\"jwks_uri\" needs the `remote` feature of software-statement".into())
}

impl crate::registration::Registrar {
    /// A registrar configured by a trust file: its verifier, `require_software_statement`,
    /// and its `registration` object (validation policy, request size bound);
    /// `allow_http_loopback` also admits a client `jwks_uri` over http to a loopback address.
    pub fn from_trust_file(trust: &TrustFile) -> Self {
        let registrar = Self::new(trust.verifier().clone())
            .require_software_statement(trust.require_software_statement())
            .validation(trust.validation().clone())
            .max_request_bytes(trust.max_request_bytes());
        #[cfg(feature = "remote")]
        let registrar = registrar.client_key_options(trust.remote_options());
        match trust.signed_requests() {
            Some(policy) => registrar.signed_requests(policy.clone()),
            None => registrar,
        }
    }
}
