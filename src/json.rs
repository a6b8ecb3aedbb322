//! Strict JSON reading, used for JOSE headers and claims, JWKs, trust files and
//! registration requests: duplicate member names are an error at any depth (RFC 7515
//! §5.2 allows a parser to reject them; this crate always does, where plain serde_json
//! would silently keep the last one) and nesting deeper than a cap is refused before it
//! can exhaust the stack.
//!
//! ```
//! use software_statement::{parse_json_object as parse_object, JsonError};
//! assert_eq!(parse_object(br#"{"a":1,"a":2}"#, 32), Err(JsonError::Duplicate("a".into())));
//! assert_eq!(parse_object(b"{\n  \"a\": }", 32), Err(JsonError::Syntax { line: 2, column: 8 }));
//! assert_eq!(parse_object(br#"{"a":{"b":1}}"#, 32).unwrap()["a"]["b"], 1);
//! ```

use core::fmt;
use std::borrow::Cow;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::map::Entry;
use serde_json::{Map, Value};

use crate::error::JsonError;

/// The default nesting cap for every JSON text this crate reads from outside: JOSE
/// headers and claims, JWKs, trust files, registration requests (the top-level object is
/// depth 1).
pub const MAX_DEPTH: usize = 32;

/// The nesting cap for a JWK read on its own (its deepest member, `oth`, is depth 3).
pub(crate) const JWK_MAX_DEPTH: usize = 8;

/// The nesting cap for a JWK Set document (keys sit at depth 3).
pub(crate) const JWK_SET_MAX_DEPTH: usize = 16;

/// The most members or items preallocated for one object or array before its size is
/// known: a bound on what an attacker's declared-but-absent content can reserve.
const MAX_PREALLOCATED: usize = 64;

fn syntax(e: &serde_json::Error, input: &[u8]) -> JsonError {
    if e.is_eof() && input.iter().all(u8::is_ascii_whitespace) {
        JsonError::Syntax { line: 0, column: 0 }
    } else {
        JsonError::Syntax {
            line: e.line(),
            column: e.column(),
        }
    }
}

/// Parses `bytes` as one JSON object, rejecting duplicate member names at any depth and
/// nesting deeper than `max_depth` (the top-level object is depth 1).
pub fn parse_object(bytes: &[u8], max_depth: usize) -> Result<Map<String, Value>, JsonError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let mut failure = None;
    let value = StrictSeed {
        depth_left: max_depth,
        failure: &mut failure,
        capacity: member_bound(bytes),
    }
    .deserialize(&mut de);
    let value = match value {
        Ok(v) => v,
        Err(e) => return Err(failure.unwrap_or_else(|| syntax(&e, bytes))),
    };
    de.end().map_err(|e| syntax(&e, bytes))?;
    match value {
        Value::Object(map) => Ok(map),
        _ => Err(JsonError::NotObject),
    }
}

/// Parses a UTF-8 JSON text the same way (for configuration files and HTTP bodies).
pub(crate) fn parse_object_str(text: &str, max_depth: usize) -> Result<Map<String, Value>, JsonError> {
    parse_object(text.as_bytes(), max_depth)
}

/// An upper bound on the number of members of the top-level object (each member has a
/// `:` after its name), capped: the top-level map is allocated once at this size instead
/// of growing (and rehashing) member by member.
fn member_bound(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b == b':').count().min(MAX_PREALLOCATED)
}

struct StrictSeed<'f> {
    depth_left: usize,
    failure: &'f mut Option<JsonError>,
    /// Capacity for the map if this value is an object (the top level only).
    capacity: usize,
}

impl<'de> DeserializeSeed<'de> for StrictSeed<'_> {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl StrictSeed<'_> {
    /// Called when this value turns out to be an array or object: one more level of
    /// nesting. Scalars do not count, so a container at depth `max_depth` is accepted.
    fn enter<E: de::Error>(&mut self) -> Result<(), E> {
        if self.depth_left == 0 {
            *self.failure = Some(JsonError::TooDeep);
            return Err(E::custom("too deep"));
        }
        Ok(())
    }

    /// The seed for a member or element of this (entered) container.
    fn nested(&mut self) -> StrictSeed<'_> {
        StrictSeed {
            depth_left: self.depth_left - 1,
            failure: self.failure,
            capacity: 0,
        }
    }
}

impl<'de> Visitor<'de> for StrictSeed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<Value, A::Error> {
        self.enter()?;
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(MAX_PREALLOCATED));
        loop {
            let seed = self.nested();
            match seq.next_element_seed(seed)? {
                Some(v) => out.push(v),
                None => break,
            }
        }
        Ok(Value::Array(out))
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut access: A) -> Result<Value, A::Error> {
        self.enter()?;
        let mut map = Map::with_capacity(self.capacity);
        while let Some(key) = access.next_key::<String>()? {
            let seed = self.nested();
            let value = access.next_value_seed(seed)?;
            // One hash per member: the entry both detects a duplicate and inserts.
            match map.entry(key) {
                Entry::Vacant(slot) => {
                    slot.insert(value);
                }
                Entry::Occupied(taken) => {
                    *self.failure = Some(JsonError::Duplicate(taken.key().clone()));
                    return Err(de::Error::custom("duplicate member"));
                }
            }
        }
        Ok(Value::Object(map))
    }
}

/// The members of a JOSE header that the JWS layer reads, found by [`scan_header`]:
/// string values, borrowed from the input (owned only when they contain escapes).
#[derive(Debug, Default)]
pub(crate) struct HeaderScan<'a> {
    pub(crate) alg: Option<Cow<'a, str>>,
    pub(crate) kid: Option<Cow<'a, str>>,
    pub(crate) typ: Option<Cow<'a, str>>,
}

/// Most top-level members [`scan_header`] tracks without allocating; a larger header
/// goes to the full parse.
const SCAN_MEMBERS: usize = 16;

/// A fast scan of a JOSE header: the same JSON syntax, duplicate-member and depth rules
/// as [`parse_object`] (the same `serde_json` tokenizer, every value visited), without
/// building a map and, for an ordinary header, without allocating.
///
/// `Some` only for a header [`parse_object`] accepts whose `alg`, `kid` and `typ` (when
/// present) are strings and that has neither `b64` nor `crit`; `None` for anything else —
/// invalid, or merely unusual — and the caller then uses the full parse, which gives the
/// precise error or the same acceptance.
pub(crate) fn scan_header(bytes: &[u8], max_depth: usize) -> Option<HeaderScan<'_>> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let scan = de.deserialize_any(ScanTop { max_depth }).ok()?;
    de.end().ok()?;
    Some(scan)
}

/// The top level of [`scan_header`]: an object, depth 1.
struct ScanTop {
    max_depth: usize,
}

/// Fails a scan; the message is never shown (the full parse reports).
fn refuse<E: de::Error>() -> E {
    E::custom("not a plain header")
}

impl<'de> Visitor<'de> for ScanTop {
    type Value = HeaderScan<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<HeaderScan<'de>, A::Error> {
        // As `StrictSeed::enter` at the top level.
        if self.max_depth == 0 {
            return Err(refuse());
        }
        let mut seen: [Option<Cow<'de, str>>; SCAN_MEMBERS] = Default::default();
        let mut count = 0;
        let mut scan = HeaderScan::default();
        while let Some(key) = access.next_key_seed(CowStr)? {
            match &*key {
                "alg" => scan.alg = Some(access.next_value_seed(CowStr)?),
                "kid" => scan.kid = Some(access.next_value_seed(CowStr)?),
                "typ" => scan.typ = Some(access.next_value_seed(CowStr)?),
                "b64" | "crit" => return Err(refuse()),
                _ => access.next_value_seed(Skip {
                    depth_left: self.max_depth - 1,
                })?,
            }
            if count == SCAN_MEMBERS || seen[..count].iter().any(|k| k.as_deref() == Some(&*key)) {
                return Err(refuse());
            }
            seen[count] = Some(key);
            count += 1;
        }
        Ok(scan)
    }
}

/// A string, borrowed from the input when it has no escapes. Anything else fails.
struct CowStr;

impl<'de> DeserializeSeed<'de> for CowStr {
    type Value = Cow<'de, str>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for CowStr {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v))
    }
}

/// Visits any value as [`StrictSeed`] would (same depth accounting, duplicates refused in
/// nested objects) and keeps nothing.
struct Skip {
    depth_left: usize,
}

impl Skip {
    fn enter<E: de::Error>(&self) -> Result<Skip, E> {
        if self.depth_left == 0 {
            return Err(refuse());
        }
        Ok(Skip {
            depth_left: self.depth_left - 1,
        })
    }
}

impl<'de> DeserializeSeed<'de> for Skip {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Skip {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_none<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let inner = self.enter()?;
        while seq
            .next_element_seed(Skip {
                depth_left: inner.depth_left,
            })?
            .is_some()
        {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<(), A::Error> {
        let inner = self.enter()?;
        let mut seen: Vec<Cow<'de, str>> = Vec::new();
        while let Some(key) = access.next_key_seed(CowStr)? {
            access.next_value_seed(Skip {
                depth_left: inner.depth_left,
            })?;
            // The duplicate check is a linear search: past SCAN_MEMBERS members it would
            // turn quadratic (an unauthenticated header of one nested object with ~1,500
            // members cost milliseconds), so a larger object goes to the full parse,
            // which hashes.
            if seen.len() == SCAN_MEMBERS || seen.contains(&key) {
                return Err(refuse());
            }
            seen.push(key);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_rejected_at_any_depth() {
        assert_eq!(
            parse_object(br#"{"a":1,"a":2}"#, 32),
            Err(JsonError::Duplicate("a".into()))
        );
        assert_eq!(
            parse_object(br#"{"x":{"b":[{"c":1,"c":1}]}}"#, 32),
            Err(JsonError::Duplicate("c".into()))
        );
        // Escapes that decode to the same name are duplicates too.
        assert_eq!(
            parse_object(br#"{"a":1,"\u0061":2}"#, 32),
            Err(JsonError::Duplicate("a".into()))
        );
    }

    #[test]
    fn depth_cap() {
        let deep = format!("{}{}{}", r#"{"a":"#, "[".repeat(40), "]".repeat(40) + "}");
        assert_eq!(parse_object(deep.as_bytes(), 32), Err(JsonError::TooDeep));
        let ok = format!("{}{}{}", r#"{"a":"#, "[".repeat(30), "]".repeat(30) + "}");
        assert!(parse_object(ok.as_bytes(), 32).is_ok());
        // The boundary: the top-level object is depth 1, scalars add no depth.
        let at = format!("{}{}{}", r#"{"a":"#, "[".repeat(31), "]".repeat(31) + "}");
        assert!(parse_object(at.as_bytes(), 32).is_ok());
        let over = format!("{}{}{}", r#"{"a":"#, "[".repeat(32), "]".repeat(32) + "}");
        assert_eq!(parse_object(over.as_bytes(), 32), Err(JsonError::TooDeep));
        assert!(parse_object(br#"{"a":1}"#, 1).is_ok());
        assert_eq!(parse_object(br#"{"a":{}}"#, 1), Err(JsonError::TooDeep));
    }

    #[test]
    fn header_scan_leaves_large_nested_objects_to_the_full_parse() {
        let object = |n: usize| {
            let members: Vec<String> = (0..n).map(|i| format!("\"m{i}\":0")).collect();
            format!(r#"{{"alg":"ES256","x":[{{{}}}]}}"#, members.join(","))
        };
        // Up to SCAN_MEMBERS members per nested object: scanned (linear search).
        assert!(scan_header(object(SCAN_MEMBERS).as_bytes(), 32).is_some());
        // More: refused by the scan (no quadratic duplicate search), accepted by the
        // full parse, which reports duplicates as before.
        let large = object(1_500);
        assert!(scan_header(large.as_bytes(), 32).is_none());
        assert!(parse_object(large.as_bytes(), 32).is_ok());
        let duplicate = large.replace("\"m1499\"", "\"m0\"");
        assert_eq!(
            parse_object(duplicate.as_bytes(), 32),
            Err(JsonError::Duplicate("m0".into()))
        );
    }

    #[test]
    fn shapes() {
        assert_eq!(parse_object(b"[1]", 32), Err(JsonError::NotObject));
        assert_eq!(parse_object(b"{} x", 32), Err(JsonError::Syntax { line: 1, column: 4 }));
        assert!(matches!(
            parse_object(b"{\"a\":1", 32),
            Err(JsonError::Syntax { line: 1, .. })
        ));
        assert_eq!(
            parse_object(b"  \n ", 32),
            Err(JsonError::Syntax { line: 0, column: 0 })
        );
        assert_eq!(parse_object(b"\xff", 32), Err(JsonError::Syntax { line: 1, column: 1 }));
        let m = parse_object(br#"{"z":1,"a":{"k":[1,2.5,"s",null,true]}}"#, 32).unwrap();
        assert_eq!(m.keys().collect::<Vec<_>>(), ["z", "a"]);
    }
}
