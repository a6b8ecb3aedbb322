//! The publisher side: [`StatementBuilder`] signs a software statement.

use serde_json::{Map, Value};

use crate::b64;
use crate::clock::{Clock, SystemClock};
use crate::error::{JwsError, SignError};
use crate::jwa::Algorithm;
use crate::jwk::Jwk;
use crate::jws;

/// Builds and signs a software statement (the publisher side).
///
/// ```
/// use software_statement::{Algorithm, Jwk, StatementBuilder};
/// let key = Jwk::generate(Algorithm::ES256)?;
/// let token = StatementBuilder::new("https://publisher.example.com")
///     .claim("software_id", "4NRB1-0XZABZI9E6-5SM3R")
///     .claim("client_name", "Example Statement-based Client")
///     .claim("redirect_uris", ["https://client.example.net/callback"])
///     .ttl(3600)
///     .sign(&key)?;
/// assert_eq!(token.split('.').count(), 3);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct StatementBuilder {
    issuer: String,
    claims: Map<String, Value>,
    audience: Option<Value>,
    ttl: Option<u64>,
    typ: Option<String>,
    now: Option<u64>,
    algorithm: Option<Algorithm>,
}

impl StatementBuilder {
    /// A statement from `issuer` (the `iss` claim; required, it cannot be empty).
    pub fn new(issuer: impl Into<String>) -> Self {
        StatementBuilder {
            issuer: issuer.into(),
            claims: Map::new(),
            audience: None,
            ttl: None,
            typ: None,
            now: None,
            algorithm: None,
        }
    }

    /// Adds one claim (client metadata such as `software_id`, `redirect_uris`, or an
    /// extension). Registered JWT claims set by the builder (`iss`, `iat`, `exp`, `jti`,
    /// `aud`) are overwritten at signing.
    #[must_use]
    pub fn claim(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.claims.insert(name.into(), value.into());
        self
    }

    /// Adds every member of `claims`, in order.
    #[must_use]
    pub fn claims(mut self, claims: Map<String, Value>) -> Self {
        self.claims.extend(claims);
        self
    }

    /// Sets `aud` (a string, or an array of strings).
    #[must_use]
    pub fn audience(mut self, aud: impl Into<Value>) -> Self {
        self.audience = Some(aud.into());
        self
    }

    /// Sets `exp` to `iat + ttl`.
    #[must_use]
    pub fn ttl(mut self, seconds: u64) -> Self {
        self.ttl = Some(seconds);
        self
    }

    /// Sets the header's `typ`.
    #[must_use]
    pub fn typ(mut self, typ: impl Into<String>) -> Self {
        self.typ = Some(typ.into());
        self
    }

    /// Uses `now` (Unix seconds) for `iat` instead of the system clock.
    #[must_use]
    pub fn issued_at(mut self, now: u64) -> Self {
        self.now = Some(now);
        self
    }

    /// Signs with `alg` instead of the key's default (needed for RSA and oct keys
    /// without an `alg` member).
    #[must_use]
    pub fn algorithm(mut self, alg: Algorithm) -> Self {
        self.algorithm = Some(alg);
        self
    }

    /// Signs the statement: header `alg` (and `kid` from the key, `typ` when set); claims
    /// `iss`, the given claims, `aud`, `iat`, `exp` (with a TTL) and a random 128-bit `jti`.
    pub fn sign(&self, key: &Jwk) -> Result<String, SignError> {
        let alg = self
            .algorithm
            .or(key.default_algorithm())
            .ok_or(SignError::AlgorithmNeeded)?;
        if self.issuer.is_empty() {
            return Err(SignError::EmptyIssuer);
        }
        let now = self.now.unwrap_or_else(|| SystemClock.now());
        let mut jti = [0u8; 16];
        crate::crypto::fill_random(&mut jti).map_err(|_| SignError::Randomness)?;
        let mut jti_b64 = [0u8; b64::encoded_len(16)];
        let jti = b64::encode_into(&jti, &mut jti_b64);
        let claims = SignedClaims {
            builder: self,
            now,
            jti,
        };
        let kid = key.kid();
        let typ = self.typ.as_deref();
        // One buffer, the token's: header and claims are serialized into it and encoded
        // in place, then the signature appended.
        jws::sign_into(
            key,
            alg,
            jws::header_len_bound(kid, typ),
            |out| {
                jws::write_header_json(out, alg, kid, typ, &Map::new())
                    .map_err(|_| SignError::Jws(JwsError::Malformed("header not serializable")))
            },
            jws::encoded_len_bound(claims.len_estimate()),
            |out| {
                let start = out.len();
                claims.write_json(out).map_err(|_| SignError::Claims)?;
                b64::encode_tail_in_place(out, start);
                Ok(())
            },
        )
    }
}

/// The claims [`StatementBuilder::sign`] signs, written straight from the builder into
/// the token's buffer (no copy of its claims, no intermediate map): `iss`; the builder's claims except the registered ones it sets
/// itself (`iss`, `iat`, `exp`, `jti`, `aud`), in order; `aud`; `iat`; `exp` (with a
/// TTL); `jti`.
struct SignedClaims<'a> {
    builder: &'a StatementBuilder,
    now: u64,
    jti: &'a str,
}

impl SignedClaims<'_> {
    /// About the length of the JSON, to size the token's buffer: exact for plain strings,
    /// generous for numbers.
    fn len_estimate(&self) -> usize {
        let b = self.builder;
        let claims: usize = b.claims.iter().map(|(k, v)| k.len() + 4 + json_len_estimate(v)).sum();
        let aud = b.audience.as_ref().map_or(0, |a| 6 + json_len_estimate(a));
        // `{"iss":…,"iat":…,"exp":…,"jti":…}` and a little room for escapes.
        40 + b.issuer.len() + claims + aud + 2 * 20 + self.jti.len() + 16
    }
}

/// About the length of `v` as JSON: see [`SignedClaims::len_estimate`].
fn json_len_estimate(v: &Value) -> usize {
    match v {
        Value::Null | Value::Bool(_) => 5,
        Value::Number(_) => 20,
        Value::String(s) => s.len() + 2,
        Value::Array(a) => 2 + a.iter().map(|v| json_len_estimate(v) + 1).sum::<usize>(),
        Value::Object(o) => 2 + o.iter().map(|(k, v)| k.len() + 4 + json_len_estimate(v)).sum::<usize>(),
    }
}

impl SignedClaims<'_> {
    /// Appends the claims as compact JSON: the bytes `serde_json` writes for them, without
    /// its byte-by-byte escaping of strings that need no escape (see [`write_value`]).
    fn write_json(&self, out: &mut Vec<u8>) -> serde_json::Result<()> {
        let b = self.builder;
        out.extend_from_slice(b"{\"iss\":");
        write_str(out, &b.issuer)?;
        for (k, v) in &b.claims {
            if !matches!(k.as_str(), "iss" | "iat" | "exp" | "jti" | "aud") {
                out.push(b',');
                write_str(out, k)?;
                out.push(b':');
                write_value(out, v)?;
            }
        }
        if let Some(aud) = &b.audience {
            out.extend_from_slice(b",\"aud\":");
            write_value(out, aud)?;
        }
        out.extend_from_slice(b",\"iat\":");
        serde_json::to_writer(&mut *out, &self.now)?;
        if let Some(ttl) = b.ttl {
            out.extend_from_slice(b",\"exp\":");
            serde_json::to_writer(&mut *out, &self.now.saturating_add(ttl))?;
        }
        out.extend_from_slice(b",\"jti\":");
        write_str(out, self.jti)?;
        out.push(b'}');
        Ok(())
    }
}

/// Appends `v` as compact JSON, byte for byte what `serde_json` writes: arrays and
/// objects in order, strings through [`write_str`], numbers, booleans and null by
/// `serde_json` itself.
fn write_value(out: &mut Vec<u8>, v: &Value) -> serde_json::Result<()> {
    match v {
        Value::String(s) => write_str(out, s),
        Value::Array(a) => {
            out.push(b'[');
            for (i, v) in a.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_value(out, v)?;
            }
            out.push(b']');
            Ok(())
        }
        Value::Object(o) => {
            out.push(b'{');
            for (i, (k, v)) in o.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_str(out, k)?;
                out.push(b':');
                write_value(out, v)?;
            }
            out.push(b'}');
            Ok(())
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => serde_json::to_writer(&mut *out, v),
    }
}

/// Appends `s` as a JSON string. One that needs no escape (no `"`, `\` or control
/// character: the usual claim value) is copied between quotes, checked in one pass that
/// the compiler vectorizes; any other goes through `serde_json`'s escaping.
fn write_str(out: &mut Vec<u8>, s: &str) -> serde_json::Result<()> {
    let plain = s
        .bytes()
        .fold(true, |plain, b| plain & (b >= 0x20) & (b != b'"') & (b != b'\\'));
    if !plain {
        return serde_json::to_writer(&mut *out, s);
    }
    out.reserve(s.len() + 2);
    out.push(b'"');
    out.extend_from_slice(s.as_bytes());
    out.push(b'"');
    Ok(())
}

#[cfg(test)]
mod signed_claims_tests {
    use super::*;
    use serde_json::json;

    /// The claims as `sign` first built them: a map, then serialized.
    fn via_map(b: &StatementBuilder, now: u64, jti: &str) -> Vec<u8> {
        let mut out = Map::with_capacity(b.claims.len() + 5);
        out.insert("iss".into(), Value::String(b.issuer.clone()));
        for (k, v) in &b.claims {
            if !matches!(k.as_str(), "iss" | "iat" | "exp" | "jti" | "aud") {
                out.insert(k.clone(), v.clone());
            }
        }
        if let Some(aud) = &b.audience {
            out.insert("aud".into(), aud.clone());
        }
        out.insert("iat".into(), now.into());
        if let Some(ttl) = b.ttl {
            out.insert("exp".into(), now.saturating_add(ttl).into());
        }
        out.insert("jti".into(), Value::String(jti.into()));
        serde_json::to_vec(&out).unwrap()
    }

    #[test]
    fn signed_claims_serialize_as_the_map() {
        let claims = json!({
            "software_id": "s\"1\u{e9}",
            "iss": "ignored",
            "redirect_uris": ["https://a.example/cb"],
            "jti": "ignored",
            "nested": {"b": [1, 2.5, null, true], "a": {}},
            "aud": "ignored",
            "exp": 1,
            "iat": 2,
            "client_name#ja-Jpan-JP": "\u{30af}",
            "escapes": ["", "a\\b", "\u{0}\u{1f}\n\t", "\u{7f}\u{2028}\u{1f600}", "</script>"],
            "k\"ey\\\u{1}": {"": [], "\u{8}": -1, "f": -0.0, "big": 1e300, "max": u64::MAX, "min": i64::MIN}
        });
        let claims = claims.as_object().unwrap().clone();
        let builders = [
            StatementBuilder::new("https://p.example"),
            StatementBuilder::new("https://p.example").claims(claims.clone()),
            StatementBuilder::new("https://p.example")
                .claims(claims.clone())
                .ttl(u64::MAX)
                .audience(json!(["x", "y"])),
            StatementBuilder::new("i").claims(claims.clone()).ttl(60).audience("z"),
            StatementBuilder::new("q\"\\\u{1f}\u{e9}")
                .claims(claims)
                .audience(json!({"a": ["\""]})),
        ];
        for b in &builders {
            for now in [0, 1_767_225_600, u64::MAX] {
                for jti in ["j\"ti", "AAECAwQFBgcICQoLDA0ODw"] {
                    let view = SignedClaims { builder: b, now, jti };
                    let mut written = Vec::new();
                    view.write_json(&mut written).unwrap();
                    assert_eq!(written, via_map(b, now, jti), "{b:?} {now}");
                }
            }
        }
    }
}
