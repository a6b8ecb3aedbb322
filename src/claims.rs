//! JWT claim checks (RFC 7519 §4.1, security rule 7, README): NumericDate values, `aud`.

use serde_json::{Map, Value};

use crate::error::StatementError;

/// The registered JWT claims (RFC 7519 §4.1). They describe a token (a statement, a signed
/// request), not the client: never copied from a statement into metadata (merge rule 1),
/// and removed from a signed request before its members are merged.
pub const JWT_CLAIMS: [&str; 7] = ["iss", "sub", "aud", "exp", "nbf", "iat", "jti"];

/// Largest NumericDate accepted: 9999-12-31T23:59:59Z. Anything later (or negative,
/// or not a finite JSON number) is refused as out of range.
pub const MAX_NUMERIC_DATE: f64 = 253_402_300_799.0;

/// Reads a NumericDate claim: absent is `None`; present, it must be a JSON number
/// (integer or finite decimal) between 0 and [`MAX_NUMERIC_DATE`].
pub(crate) fn numeric_date(claims: &Map<String, Value>, name: &'static str) -> Result<Option<f64>, StatementError> {
    match claims.get(name) {
        None => Ok(None),
        Some(Value::Number(n)) => match n.as_f64() {
            Some(v) if v.is_finite() && (0.0..=MAX_NUMERIC_DATE).contains(&v) => Ok(Some(v)),
            _ => Err(StatementError::InvalidNumericDate(name)),
        },
        Some(_) => Err(StatementError::InvalidNumericDate(name)),
    }
}

/// The time rules: `exp` not passed, `nbf` reached, `iat` not in the future, and
/// `iat` not older than `max_age` — all with `leeway` seconds of tolerance.
pub(crate) fn check_times(
    claims: &Map<String, Value>,
    now: u64,
    leeway: u64,
    max_age: Option<u64>,
) -> Result<(), StatementError> {
    let now = now as f64;
    let leeway = leeway as f64;
    let exp = numeric_date(claims, "exp")?;
    let nbf = numeric_date(claims, "nbf")?;
    let iat = numeric_date(claims, "iat")?;
    if let Some(exp) = exp {
        if now >= exp + leeway {
            return Err(StatementError::Expired);
        }
    }
    if let Some(nbf) = nbf {
        if nbf > now + leeway {
            return Err(StatementError::NotYetValid);
        }
    }
    if let Some(iat) = iat {
        if iat > now + leeway {
            return Err(StatementError::IssuedInFuture);
        }
    }
    if let Some(max_age) = max_age {
        let iat = iat.ok_or(StatementError::MissingClaim("iat".into()))?;
        if now > iat + max_age as f64 + leeway {
            return Err(StatementError::TooOld);
        }
    }
    Ok(())
}

/// `aud` (string or array of strings) must contain one of `expected`.
pub(crate) fn check_audience(claims: &Map<String, Value>, expected: &[String]) -> Result<(), StatementError> {
    let matches = |s: &str| expected.iter().any(|e| e == s);
    let ok = match claims.get("aud") {
        None => return Err(StatementError::MissingClaim("aud".into())),
        Some(Value::String(s)) => matches(s),
        Some(Value::Array(items)) => {
            let mut any = false;
            for item in items {
                match item {
                    Value::String(s) => any |= matches(s),
                    _ => return Err(StatementError::InvalidAudience),
                }
            }
            any
        }
        Some(_) => return Err(StatementError::InvalidAudience),
    };
    if ok {
        Ok(())
    } else {
        Err(StatementError::WrongAudience)
    }
}

/// RFC 7515 §4.1.9: media types compare case-insensitively and `application/` may be
/// omitted.
pub(crate) fn typ_matches(actual: &str, expected: &str) -> bool {
    fn strip(s: &str) -> &str {
        match s.get(..12) {
            Some(p) if p.eq_ignore_ascii_case("application/") && !s[12..].contains('/') => &s[12..],
            _ => s,
        }
    }
    strip(actual).eq_ignore_ascii_case(strip(expected))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn m(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn times() {
        let c = m(json!({"exp": 1000, "nbf": 900, "iat": 900}));
        assert!(check_times(&c, 950, 0, None).is_ok());
        assert_eq!(check_times(&c, 1000, 0, None), Err(StatementError::Expired));
        assert!(check_times(&c, 1059, 60, None).is_ok());
        assert_eq!(check_times(&c, 1060, 60, None), Err(StatementError::Expired));
        assert_eq!(check_times(&c, 800, 60, None), Err(StatementError::NotYetValid));
        assert!(check_times(&c, 850, 60, None).is_ok());
        assert_eq!(
            check_times(&m(json!({"iat": 1000})), 900, 60, None),
            Err(StatementError::IssuedInFuture)
        );
        assert_eq!(
            check_times(&m(json!({"iat": 100})), 1000, 0, Some(500)),
            Err(StatementError::TooOld)
        );
        assert!(check_times(&m(json!({"iat": 600})), 1000, 0, Some(500)).is_ok());
        assert_eq!(
            check_times(&m(json!({})), 1000, 0, Some(500)),
            Err(StatementError::MissingClaim("iat".into()))
        );
        assert!(check_times(&m(json!({"exp": 1000.5})), 1000, 0, None).is_ok());
    }

    #[test]
    fn numeric_dates_must_be_sane_numbers() {
        for bad in [
            json!("1000"),
            json!(-1),
            json!(1e300),
            json!(true),
            json!(null),
            json!([1]),
        ] {
            let c = m(json!({ "exp": bad }));
            assert_eq!(
                check_times(&c, 0, 0, None),
                Err(StatementError::InvalidNumericDate("exp")),
                "{c:?}"
            );
        }
    }

    #[test]
    fn audience() {
        let exp = vec!["https://as.example".to_string()];
        assert!(check_audience(&m(json!({"aud": "https://as.example"})), &exp).is_ok());
        assert!(check_audience(&m(json!({"aud": ["x", "https://as.example"]})), &exp).is_ok());
        assert_eq!(
            check_audience(&m(json!({"aud": "x"})), &exp),
            Err(StatementError::WrongAudience)
        );
        assert_eq!(
            check_audience(&m(json!({"aud": [1]})), &exp),
            Err(StatementError::InvalidAudience)
        );
        assert_eq!(
            check_audience(&m(json!({})), &exp),
            Err(StatementError::MissingClaim("aud".into()))
        );
    }

    #[test]
    fn typ() {
        assert!(typ_matches("JWT", "jwt"));
        assert!(typ_matches("application/JWT", "JWT"));
        assert!(typ_matches(
            "software-statement+jwt",
            "Application/Software-Statement+JWT"
        ));
        assert!(!typ_matches("JOSE", "JWT"));
        assert!(!typ_matches("application/x/JWT", "x/JWT"));
    }
}
