//! The publisher side: [`StatementBuilder`] signs a software statement.

use serde_json::{Map, Value};

use crate::clock::{Clock, SystemClock};
use crate::error::SignError;
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
        let jti = crate::b64::encode(&jti);
        let mut header = Map::new();
        if let Some(typ) = &self.typ {
            header.insert("typ".into(), Value::String(typ.clone()));
        }
        let claims = SignedClaims {
            builder: self,
            now,
            jti: &jti,
        };
        let payload = serde_json::to_vec(&claims).map_err(|_| SignError::Claims)?;
        Ok(jws::sign(key, alg, &header, &payload)?)
    }
}

/// The claims [`StatementBuilder::sign`] signs, serialized straight from the builder (no
/// copy of its claims): `iss`; the builder's claims except the registered ones it sets
/// itself (`iss`, `iat`, `exp`, `jti`, `aud`), in order; `aud`; `iat`; `exp` (with a
/// TTL); `jti`.
struct SignedClaims<'a> {
    builder: &'a StatementBuilder,
    now: u64,
    jti: &'a str,
}

impl serde::Serialize for SignedClaims<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let b = self.builder;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("iss", &b.issuer)?;
        for (k, v) in &b.claims {
            if !matches!(k.as_str(), "iss" | "iat" | "exp" | "jti" | "aud") {
                m.serialize_entry(k, v)?;
            }
        }
        if let Some(aud) = &b.audience {
            m.serialize_entry("aud", aud)?;
        }
        m.serialize_entry("iat", &self.now)?;
        if let Some(ttl) = b.ttl {
            m.serialize_entry("exp", &self.now.saturating_add(ttl))?;
        }
        m.serialize_entry("jti", self.jti)?;
        m.end()
    }
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
            "client_name#ja-Jpan-JP": "\u{30af}"
        });
        let claims = claims.as_object().unwrap().clone();
        let builders = [
            StatementBuilder::new("https://p.example"),
            StatementBuilder::new("https://p.example").claims(claims.clone()),
            StatementBuilder::new("https://p.example")
                .claims(claims.clone())
                .ttl(u64::MAX)
                .audience(json!(["x", "y"])),
            StatementBuilder::new("i").claims(claims).ttl(60).audience("z"),
        ];
        for b in &builders {
            for now in [0, 1_767_225_600, u64::MAX] {
                let view = SignedClaims {
                    builder: b,
                    now,
                    jti: "j\"ti",
                };
                assert_eq!(
                    serde_json::to_vec(&view).unwrap(),
                    via_map(b, now, "j\"ti"),
                    "{b:?} {now}"
                );
            }
        }
    }
}
