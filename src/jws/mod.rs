//! Compact JWS (RFC 7515 §7.1) signing and strict verification (the JWS rules of the
//! README's security section).
//!
//! Verification is two-phase so that a caller can look at the (still untrusted) header
//! and payload to pick a trust policy before any key is used:
//! [`UnverifiedJws::parse`] applies every syntactic rule, then
//! [`UnverifiedJws::verify`] selects the key and checks the signature.
//!
//! ```
//! use software_statement::{sign_jws, verify_jws, Algorithm, AlgorithmSet, Jwk, JwkSet, Limits};
//!
//! let key = Jwk::generate(Algorithm::ES256)?.with_kid("k1")?;
//! let token = sign_jws(&key, Algorithm::ES256, &Default::default(), br#"{"hello":"world"}"#)?;
//! let keys = JwkSet::new(vec![key.to_public()?])?;
//! let verified = verify_jws(&token, &keys, AlgorithmSet::of(&[Algorithm::ES256]), &Limits::default())?;
//! assert_eq!(verified.payload(), br#"{"hello":"world"}"#);
//! assert_eq!(verified.header().kid(), Some("k1"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::borrow::Cow;
use std::fmt;
use std::sync::OnceLock;

use serde_json::{Map, Value};

use crate::b64;
use crate::crypto;
use crate::error::JsonError;
use crate::error::JwsError;
use crate::json;
use crate::jwa::{Algorithm, AlgorithmSet, MlDsa};
use crate::jwk::{Jwk, JwkSet, MAX_KID_LEN};

/// Size and nesting caps, checked before and during decoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    max_token_bytes: usize,
    max_depth: usize,
}

impl Default for Limits {
    /// 16 KiB tokens, JSON nesting depth 32.
    fn default() -> Self {
        Limits {
            max_token_bytes: 16 * 1024,
            max_depth: json::MAX_DEPTH,
        }
    }
}

impl Limits {
    /// Largest token accepted, in bytes (default 16 KiB). Checked before any decoding.
    #[must_use]
    pub fn max_token_bytes(mut self, n: usize) -> Self {
        self.max_token_bytes = n;
        self
    }

    /// Deepest JSON nesting accepted in header and claims (default 32).
    #[must_use]
    pub fn max_depth(mut self, n: usize) -> Self {
        self.max_depth = n;
        self
    }

    /// The JSON nesting cap.
    pub fn depth(&self) -> usize {
        self.max_depth
    }
}

/// A decoded protected header.
///
/// Parsing reads only what verification needs (`alg`, `kid`, `typ`) and keeps the
/// decoded JSON; the full member map is built on first use of
/// [`members`](Self::members). Every rule (duplicates, depth, `crit`, `b64`, `kid`
/// length, ...) is applied when the header is parsed, whichever way.
#[derive(Clone)]
pub struct Header {
    alg: Algorithm,
    kid: Option<Text>,
    typ: Option<Text>,
    /// The decoded header JSON (UTF-8: it parsed as JSON).
    json: String,
    /// The nesting cap it was parsed with.
    max_depth: usize,
    members: OnceLock<Map<String, Value>>,
}

/// A string member of the header: where it is in `json` (no escapes), or its value.
#[derive(Clone, Debug)]
enum Text {
    Span(usize, usize),
    Owned(String),
}

impl Text {
    /// `s` is a member value found in `json`: borrowed from it, or decoded (escapes).
    fn of(s: Cow<'_, str>, json: &str) -> Text {
        match s {
            Cow::Borrowed(b) => {
                let start = b.as_ptr() as usize - json.as_ptr() as usize;
                Text::Span(start, start + b.len())
            }
            Cow::Owned(o) => Text::Owned(o),
        }
    }

    fn get<'a>(&'a self, json: &'a str) -> Option<&'a str> {
        match self {
            Text::Span(a, b) => json.get(*a..*b),
            Text::Owned(s) => Some(s),
        }
    }
}

impl Header {
    /// `alg`.
    pub fn alg(&self) -> Algorithm {
        self.alg
    }

    /// `kid`, if present.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_ref().and_then(|t| t.get(&self.json))
    }

    /// `typ`, if present and a string.
    pub fn typ(&self) -> Option<&str> {
        self.typ.as_ref().and_then(|t| t.get(&self.json))
    }

    /// Every member, in order.
    pub fn members(&self) -> &Map<String, Value> {
        self.members.get_or_init(|| self.parse_members())
    }

    /// Consumes the header, giving its members.
    pub fn into_members(self) -> Map<String, Value> {
        let Header {
            members,
            json,
            max_depth,
            ..
        } = self;
        members
            .into_inner()
            .unwrap_or_else(|| json::parse_object(json.as_bytes(), max_depth).unwrap_or_default())
    }

    fn parse_members(&self) -> Map<String, Value> {
        // The text passed every rule of the full parse when it was first read (the fast
        // path and the full parse apply the same rules, and tests pin their equivalence);
        // should they ever disagree, an empty map is returned rather than a panic.
        json::parse_object(self.json.as_bytes(), self.max_depth).unwrap_or_default()
    }
}

impl PartialEq for Header {
    fn eq(&self, other: &Self) -> bool {
        self.alg == other.alg && self.members() == other.members()
    }
}

impl fmt::Debug for Header {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Header")
            .field("members", self.members())
            .field("alg", &self.alg)
            .field("kid", &self.kid())
            .finish()
    }
}

/// Header names registered by RFC 7515 §4.1 and RFC 7516 §4.1: they may not be listed in `crit`.
const REGISTERED: [&str; 20] = [
    "alg", "jku", "jwk", "kid", "x5u", "x5c", "x5t", "x5t#S256", "typ", "cty", "crit", "enc", "zip", "epk", "apu",
    "apv", "iv", "tag", "p2s", "p2c",
];

fn json_err(e: JsonError, part: &'static str) -> JwsError {
    match e {
        JsonError::Duplicate(name) => JwsError::DuplicateMember { name, part },
        JsonError::TooDeep => JwsError::TooDeep(part),
        JsonError::Syntax { .. } | JsonError::NotObject => JwsError::NotJsonObject(part),
    }
}

/// Parses a JSON object the way JWS headers and JWT claims are parsed (duplicates and
/// excessive nesting refused); `part` names it in errors.
pub(crate) fn parse_json_object(
    bytes: &[u8],
    limits: &Limits,
    part: &'static str,
) -> Result<Map<String, Value>, JwsError> {
    json::parse_object(bytes, limits.max_depth).map_err(|e| json_err(e, part))
}

fn parse_header(bytes: Vec<u8>, limits: &Limits) -> Result<Header, JwsError> {
    match String::from_utf8(bytes) {
        Ok(json) => match scan_header(json, limits) {
            Ok(header) => Ok(header),
            Err(json) => parse_header_full(json.into_bytes(), limits),
        },
        // Not UTF-8: the full parse gives the error.
        Err(e) => parse_header_full(e.into_bytes(), limits),
    }
}

/// The fast path: a plain header (string `alg` this library knows, string `kid` of at
/// most 256 bytes, string `typ`, no `b64`, no `crit`) read without building its map.
/// `Err(json)` gives the text back for the full parse.
fn scan_header(json: String, limits: &Limits) -> Result<Header, String> {
    let Some(scan) = json::scan_header(json.as_bytes(), limits.max_depth) else {
        return Err(json);
    };
    let alg = scan.alg.as_deref().and_then(Algorithm::from_name);
    let kid_ok = scan.kid.as_ref().is_none_or(|k| k.len() <= MAX_KID_LEN);
    let (Some(alg), true) = (alg, kid_ok) else {
        return Err(json);
    };
    let kid = scan.kid.map(|k| Text::of(k, &json));
    let typ = scan.typ.map(|t| Text::of(t, &json));
    Ok(Header {
        alg,
        kid,
        typ,
        json,
        max_depth: limits.max_depth,
        members: OnceLock::new(),
    })
}

/// The full parse: every member into a map, then each rule in turn (the first one
/// broken is the error).
fn parse_header_full(bytes: Vec<u8>, limits: &Limits) -> Result<Header, JwsError> {
    let members = parse_json_object(&bytes, limits, "header")?;
    let alg = match members.get("alg") {
        Some(Value::String(a)) => Algorithm::from_name(a).ok_or_else(|| JwsError::UnsupportedAlgorithm(a.clone()))?,
        _ => return Err(JwsError::MissingAlg),
    };
    if members.contains_key("b64") {
        return Err(JwsError::B64);
    }
    if let Some(crit) = members.get("crit") {
        check_crit(crit, &members)?;
    }
    let kid = match members.get("kid") {
        None => None,
        Some(Value::String(k)) if k.len() <= MAX_KID_LEN => Some(Text::Owned(k.clone())),
        Some(Value::String(_)) => return Err(JwsError::InvalidKid("longer than 256 bytes")),
        Some(_) => return Err(JwsError::InvalidKid("not a string")),
    };
    let typ = match members.get("typ") {
        None => None,
        Some(Value::String(t)) => Some(Text::Owned(t.clone())),
        Some(_) => return Err(JwsError::Malformed("\"typ\" must be a string")),
    };
    Ok(Header {
        alg,
        kid,
        typ,
        // Valid UTF-8: it parsed as JSON. Never read again (the members are set).
        json: String::from_utf8(bytes).unwrap_or_default(),
        max_depth: limits.max_depth,
        members: OnceLock::from(members),
    })
}

/// RFC 7515 §4.1.11. This library implements no extension, so a valid `crit` is still
/// refused, as "not understood".
fn check_crit(crit: &Value, header: &Map<String, Value>) -> Result<(), JwsError> {
    let names = crit.as_array().ok_or(JwsError::CritInvalid("not an array"))?;
    if names.is_empty() {
        return Err(JwsError::CritInvalid("empty list"));
    }
    let mut first_unknown = None;
    for (i, n) in names.iter().enumerate() {
        let n = n.as_str().ok_or(JwsError::CritInvalid("not an array of strings"))?;
        if names[..i].iter().any(|o| o.as_str() == Some(n)) {
            return Err(JwsError::CritInvalid("lists a name twice"));
        }
        if REGISTERED.contains(&n) {
            return Err(JwsError::CritInvalid("lists a registered header parameter"));
        }
        if !header.contains_key(n) {
            return Err(JwsError::CritInvalid("lists a parameter absent from the header"));
        }
        first_unknown.get_or_insert(n);
    }
    match first_unknown {
        Some(n) => Err(JwsError::CritNotUnderstood(n.to_owned())),
        None => Ok(()),
    }
}

/// A compact JWS that passed every syntactic rule but whose signature is not checked yet.
/// Nothing in it may be trusted.
pub struct UnverifiedJws<'t> {
    signing_input: &'t str,
    header: Header,
    /// The decoded payload, then the decoded signature: one allocation for both.
    decoded: Vec<u8>,
    payload_len: usize,
}

impl fmt::Debug for UnverifiedJws<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnverifiedJws")
            .field("signing_input", &self.signing_input)
            .field("header", &self.header)
            .field("payload", &self.payload())
            .field("signature", &self.signature())
            .finish()
    }
}

pub(crate) const SEGMENTS: JwsError = JwsError::Malformed("a compact JWS has exactly three dot-separated segments");

/// The rules checked before any decoding: the size cap, and no JSON serialization.
pub(crate) fn check_envelope(token: &str, limits: &Limits) -> Result<(), JwsError> {
    if token.len() > limits.max_token_bytes {
        return Err(JwsError::TooLarge {
            len: token.len(),
            limit: limits.max_token_bytes,
        });
    }
    if token.starts_with('{') {
        return Err(JwsError::Malformed(
            "the JWS JSON serialization is not accepted; send the compact form",
        ));
    }
    Ok(())
}

impl<'t> UnverifiedJws<'t> {
    /// Applies the strict compact-form rules (security rules 3 and 4, README): size cap first, exactly
    /// three segments, canonical base64url, UTF-8 JSON object header without duplicate
    /// members, a known `alg` (never `none`), `crit` and `b64` refused.
    pub fn parse(token: &'t str, limits: &Limits) -> Result<Self, JwsError> {
        check_envelope(token, limits)?;
        // The segment count comes first among the remaining rules: whatever else failed,
        // a token without exactly two dots reports that. (A success implies exactly two:
        // a third dot would be inside the payload, which is then not base64url.)
        Self::parse_segments(token, limits).map_err(|e| {
            if token.bytes().filter(|&b| b == b'.').count() == 2 {
                e
            } else {
                SEGMENTS
            }
        })
    }

    /// The header is up to the first dot, the signature after the last: neither is
    /// scanned twice.
    fn parse_segments(token: &'t str, limits: &Limits) -> Result<Self, JwsError> {
        let (Some(first), Some(last)) = (token.find('.'), token.rfind('.')) else {
            return Err(SEGMENTS);
        };
        if first == last {
            return Err(SEGMENTS);
        }
        let (h, p, s) = (&token[..first], &token[first + 1..last], &token[last + 1..]);
        let header_bytes = b64::decode(h).ok_or(JwsError::Base64("header"))?;
        let header = parse_header(header_bytes, limits)?;
        let mut decoded = Vec::with_capacity(b64::decoded_len_bound(p.len()) + b64::decoded_len_bound(s.len()));
        let payload_len = b64::decode_append(p, &mut decoded).ok_or(JwsError::Base64("payload"))?;
        b64::decode_append(s, &mut decoded).ok_or(JwsError::Base64("signature"))?;
        Ok(UnverifiedJws {
            signing_input: &token[..last],
            header,
            decoded,
            payload_len,
        })
    }

    fn signature(&self) -> &[u8] {
        &self.decoded[self.payload_len..]
    }

    /// The decoded header (untrusted until verified).
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The decoded payload (untrusted until verified).
    pub fn payload(&self) -> &[u8] {
        &self.decoded[..self.payload_len]
    }

    /// Selects a key from `keys` (by `kid`, or the single compatible key) and verifies.
    /// `alg` must be in `allowed` and fit the key (security rules 1 and 6, README).
    pub fn verify(self, keys: &JwkSet, allowed: AlgorithmSet) -> Result<Verified, JwsError> {
        let alg = self.check_alg(allowed)?;
        let key = keys.select(alg, self.header.kid())?;
        self.finish(key, alg)
    }

    /// Verifies with one given key (no `kid` matching).
    pub fn verify_with_key(self, key: &Jwk, allowed: AlgorithmSet) -> Result<Verified, JwsError> {
        let alg = self.check_alg(allowed)?;
        key.check_verify(alg)?;
        self.finish(key, alg)
    }

    fn check_alg(&self, allowed: AlgorithmSet) -> Result<Algorithm, JwsError> {
        let alg = self.header.alg;
        if !crypto::backend_supports(alg) {
            return Err(JwsError::UnsupportedByBackend(alg));
        }
        if !allowed.contains(alg) {
            return Err(JwsError::AlgorithmNotAllowed(alg));
        }
        Ok(alg)
    }

    #[inline]
    fn finish(self, key: &Jwk, alg: Algorithm) -> Result<Verified, JwsError> {
        key.verify_raw(alg, self.signing_input.as_bytes(), self.signature())?;
        let mut payload = self.decoded;
        payload.truncate(self.payload_len);
        Ok(Verified {
            header: self.header,
            payload,
        })
    }
}

/// A JWS whose signature verified.
#[derive(Clone, Debug, PartialEq)]
pub struct Verified {
    header: Header,
    payload: Vec<u8>,
}

impl Verified {
    /// The verified header.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The verified payload.
    pub fn payload(&self) -> &[u8] {
        &self.payload
    }

    /// Header and payload.
    pub fn into_parts(self) -> (Header, Vec<u8>) {
        (self.header, self.payload)
    }
}

/// Parses and verifies in one step.
pub fn verify(token: &str, keys: &JwkSet, allowed: AlgorithmSet, limits: &Limits) -> Result<Verified, JwsError> {
    UnverifiedJws::parse(token, limits)?.verify(keys, allowed)
}

/// Signs `payload` as a compact JWS with `key` and `alg`. The header is `alg`, then the
/// key's `kid` (if any), then `extra` members in order (`alg` in `extra` is ignored;
/// a `kid` in `extra` replaces the key's).
pub fn sign(key: &Jwk, alg: Algorithm, extra: &Map<String, Value>, payload: &[u8]) -> Result<String, JwsError> {
    if !crypto::backend_supports(alg) {
        return Err(JwsError::UnsupportedByBackend(alg));
    }
    // Never produce what this library's own verifier refuses.
    match extra.get("kid") {
        Some(Value::String(k)) if k.len() > MAX_KID_LEN => return Err(JwsError::InvalidKid("longer than 256 bytes")),
        Some(Value::String(_)) | None => {}
        Some(_) => return Err(JwsError::InvalidKid("not a string")),
    }
    if extra.get("typ").is_some_and(|t| !t.is_string()) {
        return Err(JwsError::Malformed("\"typ\" must be a string"));
    }
    if extra.contains_key("b64") {
        return Err(JwsError::B64);
    }
    if let Some(crit) = extra.get("crit") {
        return Err(crit
            .as_array()
            .and_then(|c| c.first())
            .and_then(Value::as_str)
            .map_or(JwsError::CritInvalid("not a non-empty array of strings"), |n| {
                JwsError::CritNotUnderstood(n.to_owned())
            }));
    }
    let kid = key.kid();
    sign_into(
        key,
        alg,
        header_len_bound(kid, None) + extra.len() * 32,
        |out| write_header_json(out, alg, kid, None, extra).map_err(|_| JwsError::Malformed("header not serializable")),
        b64::encoded_len(payload.len()),
        |out| {
            b64::append(payload, out);
            Ok(())
        },
    )
}

/// Signs a compact JWS written into one buffer, the token's own: `write_header` appends
/// the header JSON (encoded in place here), `write_payload` appends the *encoded* payload
/// (a JSON payload is serialized into the buffer and encoded with
/// [`b64::encode_tail_in_place`]), then the signature follows. `header_len` and
/// `payload_len` size the buffer: the most room each writer takes, raw and encoded, if
/// known (a low guess only costs a reallocation).
pub(crate) fn sign_into<E: From<JwsError>>(
    key: &Jwk,
    alg: Algorithm,
    header_len: usize,
    write_header: impl FnOnce(&mut Vec<u8>) -> Result<(), E>,
    payload_len: usize,
    write_payload: impl FnOnce(&mut Vec<u8>) -> Result<(), E>,
) -> Result<String, E> {
    if !crypto::backend_supports(alg) {
        return Err(JwsError::UnsupportedByBackend(alg).into());
    }
    let mut out = Vec::with_capacity(header_len + 1 + payload_len + 1 + b64::encoded_len(signature_len_bound(alg)));
    write_header(&mut out)?;
    b64::encode_tail_in_place(&mut out, 0);
    out.push(b'.');
    write_payload(&mut out)?;
    let sig = key.sign_raw(alg, &out)?;
    out.push(b'.');
    b64::append(&sig, &mut out);
    // Base64url and dots: ASCII.
    String::from_utf8(out).map_err(|_| JwsError::Malformed("the encoded token is not ASCII").into())
}

/// The most room a segment of `n` bytes takes in [`sign_into`]'s buffer: the bytes and
/// their encoding (a segment encoded in place holds both for a moment).
pub(crate) fn encoded_len_bound(n: usize) -> usize {
    n + b64::encoded_len(n)
}

/// [`encoded_len_bound`] of the header [`write_header_json`] writes for `kid` and `typ`
/// (and no other member), when neither needs escapes.
pub(crate) fn header_len_bound(kid: Option<&str>, typ: Option<&str>) -> usize {
    let member = |v: Option<&str>| v.map_or(0, |v| 9 + v.len());
    encoded_len_bound(17 + member(kid) + member(typ))
}

/// The longest signature `alg` makes (RSA: up to 4096-bit keys; longer ones reallocate).
fn signature_len_bound(alg: Algorithm) -> usize {
    match alg {
        Algorithm::HS256 | Algorithm::ES256 | Algorithm::EdDSA => 64,
        Algorithm::HS384 => 48,
        Algorithm::HS512 => 64,
        Algorithm::ES384 => 96,
        Algorithm::ES512 => 132,
        Algorithm::RS256
        | Algorithm::RS384
        | Algorithm::RS512
        | Algorithm::PS256
        | Algorithm::PS384
        | Algorithm::PS512 => 512,
        Algorithm::MlDsa44 => MlDsa::MlDsa44.signature_len(),
        Algorithm::MlDsa65 => MlDsa::MlDsa65.signature_len(),
        Algorithm::MlDsa87 => MlDsa::MlDsa87.signature_len(),
    }
}

/// Appends the header JSON [`sign`] writes, without building a map: `alg`; then `kid` —
/// the key's, or `extra`'s in its place when both have one; then `typ` if given; then the
/// other `extra` members in order. (The same bytes as serializing a `Map` built that way.)
pub(crate) fn write_header_json(
    out: &mut Vec<u8>,
    alg: Algorithm,
    kid: Option<&str>,
    typ: Option<&str>,
    extra: &Map<String, Value>,
) -> serde_json::Result<()> {
    out.extend_from_slice(b"{\"alg\":\"");
    // Registered names: no escapes.
    out.extend_from_slice(alg.name().as_bytes());
    out.push(b'"');
    if let Some(kid) = kid {
        out.extend_from_slice(b",\"kid\":");
        match extra.get("kid") {
            Some(v) => serde_json::to_writer(&mut *out, v)?,
            None => serde_json::to_writer(&mut *out, kid)?,
        }
    }
    if let Some(typ) = typ {
        out.extend_from_slice(b",\"typ\":");
        serde_json::to_writer(&mut *out, typ)?;
    }
    for (k, v) in extra {
        if k == "alg" || (k == "kid" && kid.is_some()) {
            continue;
        }
        out.push(b',');
        serde_json::to_writer(&mut *out, k)?;
        out.push(b':');
        serde_json::to_writer(&mut *out, v)?;
    }
    out.push(b'}');
    Ok(())
}

/// The header JSON [`sign`] writes (see [`write_header_json`]).
#[cfg(test)]
fn header_json(alg: Algorithm, kid: Option<&str>, extra: &Map<String, Value>) -> serde_json::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(64);
    write_header_json(&mut out, alg, kid, None, extra)?;
    Ok(out)
}

#[cfg(test)]
mod tests;
