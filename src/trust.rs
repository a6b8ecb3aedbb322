//! The trust file (DESIGN §6): which issuers an authorization server trusts, with which
//! keys and rules. Every key is validated when the file is loaded: one bad key makes the
//! whole file invalid, and the error names the file, the issuer and the `kid`.
//!
//! ```
//! use software_statement::trust::TrustFile;
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
//! # Ok::<(), software_statement::trust::TrustFileError>(())
//! ```

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::Value;

use crate::clock::Clock;
use crate::error::{KeyError, TrustFileError};
use crate::jwa::{Algorithm, AlgorithmSet};
use crate::jwk::JwkSet;
use crate::key_source::KeySource;
use crate::statement::{IssuerPolicy, Verifier};

/// A loaded trust file: the [`Verifier`] it configures and its global options.
#[derive(Clone, Debug)]
pub struct TrustFile {
    verifier: Verifier,
    require_software_statement: bool,
    allow_http_loopback: bool,
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

const TOP_LEVEL: [&str; 4] = ["issuers", "leeway", "require_software_statement", "allow_http_loopback"];
const ISSUER_MEMBERS: [&str; 8] = [
    "jwks",
    "jwks_uri",
    "jwks_file",
    "algorithms",
    "required_claims",
    "max_age",
    "audience",
    "typ",
];

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

    /// The verifier the file configures.
    pub fn verifier(&self) -> &Verifier {
        &self.verifier
    }

    /// `require_software_statement` (default false).
    pub fn require_software_statement(&self) -> bool {
        self.require_software_statement
    }

    /// `allow_http_loopback` (default false).
    pub fn allow_http_loopback(&self) -> bool {
        self.allow_http_loopback
    }

    fn parse(text: &str, file: &str, dir: &Path, options: LoadOptions) -> Result<TrustFile, TrustFileError> {
        let err = |issuer: Option<&str>, message: String| TrustFileError {
            file: file.to_owned(),
            issuer: issuer.map(str::to_owned),
            message,
        };
        let root = crate::json::parse_object_str(text, 32).map_err(|e| err(None, format!("{e}")))?;
        for k in root.keys() {
            if !TOP_LEVEL.contains(&k.as_str()) {
                return Err(err(
                    None,
                    format!("unknown member {k:?} (known: {})", TOP_LEVEL.join(", ")),
                ));
            }
        }
        let leeway = match root.get("leeway") {
            None => 60,
            Some(v) => v
                .as_u64()
                .ok_or_else(|| err(None, "\"leeway\" must be a non-negative integer (seconds)".into()))?,
        };
        let flag = |name: &str| match root.get(name) {
            None => Ok(false),
            Some(Value::Bool(b)) => Ok(*b),
            Some(_) => Err(err(None, format!("{name:?} must be true or false"))),
        };
        let require_software_statement = flag("require_software_statement")?;
        let allow_http_loopback = flag("allow_http_loopback")?;
        let issuers = root.get("issuers").and_then(Value::as_object).ok_or_else(|| {
            err(
                None,
                "\"issuers\" must be an object mapping each issuer to its policy".into(),
            )
        })?;

        let mut builder = Verifier::builder().leeway(leeway);
        if let Some(clock) = &options.clock {
            builder = builder.clock(clock.clone());
        }
        for (iss, entry) in issuers {
            let e = |m: String| err(Some(iss), m);
            if iss.is_empty() {
                return Err(e("the issuer name is empty".into()));
            }
            let entry = entry
                .as_object()
                .ok_or_else(|| e("the policy must be a JSON object".into()))?;
            for k in entry.keys() {
                if !ISSUER_MEMBERS.contains(&k.as_str()) {
                    return Err(e(format!(
                        "unknown member {k:?} (known: {})",
                        ISSUER_MEMBERS.join(", ")
                    )));
                }
            }
            let sources: Vec<&str> = ["jwks", "jwks_uri", "jwks_file"]
                .into_iter()
                .filter(|s| entry.contains_key(*s))
                .collect();
            if sources.len() != 1 {
                return Err(e("give exactly one of \"jwks\", \"jwks_uri\" or \"jwks_file\"".into()));
            }
            let keys = match sources[0] {
                "jwks" => KeySource::Jwks(Arc::new(
                    JwkSet::from_value(&entry["jwks"]).map_err(|k| e(key_message(&k)))?,
                )),
                "jwks_file" => {
                    let rel = entry["jwks_file"]
                        .as_str()
                        .ok_or_else(|| e("\"jwks_file\" must be a path".into()))?;
                    let path: PathBuf = dir.join(rel);
                    let text = std::fs::read_to_string(&path)
                        .map_err(|io| e(format!("cannot read jwks_file {}: {io}", path.display())))?;
                    let set = JwkSet::from_json(&text)
                        .map_err(|k| e(format!("jwks_file {}: {}", path.display(), key_message(&k))))?;
                    KeySource::Jwks(Arc::new(set))
                }
                _ => {
                    let uri = entry["jwks_uri"]
                        .as_str()
                        .ok_or_else(|| e("\"jwks_uri\" must be a string".into()))?;
                    remote_source(uri, allow_http_loopback, &options).map_err(e)?
                }
            };
            #[allow(irrefutable_let_patterns)]
            if let KeySource::Jwks(set) = &keys {
                let usable = set
                    .keys()
                    .iter()
                    .any(|k| Algorithm::ALL.iter().any(|a| k.check_verify(*a).is_ok()));
                if !usable {
                    return Err(e(
                        "no key of this issuer can verify a signature (the key set is empty, or every key \
                         is an encryption key or of an unknown type): add the issuer's signing keys"
                            .into(),
                    ));
                }
            }
            let mut policy = IssuerPolicy::new(keys.clone());
            if let Some(algs) = entry.get("algorithms") {
                let list = algs
                    .as_array()
                    .filter(|a| !a.is_empty())
                    .ok_or_else(|| e("\"algorithms\" must be a non-empty array of algorithm names".into()))?;
                let mut parsed = Vec::with_capacity(list.len());
                for a in list {
                    let name = a.as_str().ok_or_else(|| e("\"algorithms\" must list strings".into()))?;
                    let alg = Algorithm::from_name(name).ok_or_else(|| {
                        e(format!(
                            "unsupported algorithm {name:?} in \"algorithms\" (none is never accepted)"
                        ))
                    })?;
                    if !crate::crypto::backend_supports(alg) {
                        return Err(e(format!(
                            "{alg} is unsupported with the {} backend",
                            crate::crypto::BACKEND
                        )));
                    }
                    parsed.push(alg);
                }
                #[allow(irrefutable_let_patterns)]
                if let KeySource::Jwks(set) = &keys {
                    let usable = set.algorithms().intersect(AlgorithmSet::of(&parsed));
                    if usable.is_empty() {
                        return Err(e("no key can verify any of the listed \"algorithms\"".into()));
                    }
                }
                policy = policy.algorithms(&parsed);
            }
            if let Some(rc) = entry.get("required_claims") {
                let list = rc
                    .as_array()
                    .ok_or_else(|| e("\"required_claims\" must be an array of strings".into()))?;
                for c in list {
                    let c = c
                        .as_str()
                        .ok_or_else(|| e("\"required_claims\" must be an array of strings".into()))?;
                    policy = policy.require_claim(c);
                }
            }
            if let Some(ma) = entry.get("max_age") {
                let ma = ma
                    .as_u64()
                    .ok_or_else(|| e("\"max_age\" must be a non-negative integer (seconds)".into()))?;
                policy = policy.max_age(ma);
            }
            match entry.get("audience") {
                None => {}
                Some(Value::String(a)) => policy = policy.audience(a.clone()),
                Some(Value::Array(list)) if !list.is_empty() => {
                    for a in list {
                        let a = a
                            .as_str()
                            .ok_or_else(|| e("\"audience\" must be a string or strings".into()))?;
                        policy = policy.audience(a);
                    }
                }
                Some(_) => return Err(e("\"audience\" must be a string or a non-empty array of strings".into())),
            }
            match entry.get("typ") {
                None => {}
                Some(Value::String(t)) if !t.is_empty() => policy = policy.typ(t.clone()),
                Some(_) => return Err(e("\"typ\" must be a non-empty string".into())),
            }
            builder = builder.issuer(iss.clone(), policy);
        }
        Ok(TrustFile {
            verifier: builder.build(),
            require_software_statement,
            allow_http_loopback,
        })
    }
}

fn key_message(e: &KeyError) -> String {
    match e {
        KeyError::InSet {
            position,
            kid: Some(kid),
            source,
        } => {
            format!("key {kid:?} (position {position}) is invalid: {source}; fix or remove it")
        }
        KeyError::InSet {
            position,
            kid: None,
            source,
        } => {
            format!("key at position {position} (no kid) is invalid: {source}; fix or remove it")
        }
        other => format!("invalid JWK Set: {other}"),
    }
}

#[cfg(feature = "remote")]
fn remote_source(uri: &str, allow_http_loopback: bool, options: &LoadOptions) -> Result<KeySource, String> {
    let mut remote = options.remote.clone().unwrap_or_default();
    if allow_http_loopback {
        remote = remote.allow_http_loopback(true);
    }
    if let Some(clock) = &options.clock {
        remote = remote.clock(clock.clone());
    }
    crate::remote::RemoteJwks::new(uri, remote)
        .map(|r| KeySource::Remote(Arc::new(r)))
        .map_err(|e| format!("\"jwks_uri\": {e}"))
}

#[cfg(not(feature = "remote"))]
fn remote_source(_uri: &str, _allow_http_loopback: bool, _options: &LoadOptions) -> Result<KeySource, String> {
    Err("\"jwks_uri\" needs the `remote` feature of software-statement".into())
}
