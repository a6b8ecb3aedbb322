//! Strict JSON reading for JOSE objects: duplicate member names are an error
//! (RFC 7515 §5.2 allows a parser to reject them; this crate always does) and
//! nesting deeper than a configured cap is refused before it can exhaust the stack.

use core::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

/// Why a JSON text was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum JsonError {
    /// Not JSON, or trailing data.
    Syntax,
    /// The top-level value is not an object.
    NotObject,
    /// A member name appears twice in one object.
    Duplicate(String),
    /// Nesting deeper than the cap.
    TooDeep,
}

/// Parses `bytes` as one JSON object, rejecting duplicate member names at any depth and
/// nesting deeper than `max_depth` (the top-level object is depth 1).
pub(crate) fn parse_object(bytes: &[u8], max_depth: usize) -> Result<Map<String, Value>, JsonError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let mut failure = None;
    let value = StrictSeed {
        depth_left: max_depth,
        failure: &mut failure,
    }
    .deserialize(&mut de);
    let value = match value {
        Ok(v) => v,
        Err(_) => return Err(failure.unwrap_or(JsonError::Syntax)),
    };
    de.end().map_err(|_| JsonError::Syntax)?;
    match value {
        Value::Object(map) => Ok(map),
        _ => Err(JsonError::NotObject),
    }
}

/// Parses a UTF-8 JSON text the same way (for configuration files and HTTP bodies).
pub(crate) fn parse_object_str(text: &str, max_depth: usize) -> Result<Map<String, Value>, JsonError> {
    parse_object(text.as_bytes(), max_depth)
}

struct StrictSeed<'f> {
    depth_left: usize,
    failure: &'f mut Option<JsonError>,
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
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
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
        let mut map = Map::new();
        while let Some(key) = access.next_key::<String>()? {
            let seed = self.nested();
            let value = access.next_value_seed(seed)?;
            if map.contains_key(&key) {
                *self.failure = Some(JsonError::Duplicate(key));
                return Err(de::Error::custom("duplicate member"));
            }
            map.insert(key, value);
        }
        Ok(Value::Object(map))
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
    fn shapes() {
        assert_eq!(parse_object(b"[1]", 32), Err(JsonError::NotObject));
        assert_eq!(parse_object(b"{} x", 32), Err(JsonError::Syntax));
        assert_eq!(parse_object(b"{\"a\":1", 32), Err(JsonError::Syntax));
        let m = parse_object(br#"{"z":1,"a":{"k":[1,2.5,"s",null,true]}}"#, 32).unwrap();
        assert_eq!(m.keys().collect::<Vec<_>>(), ["z", "a"]);
    }
}
