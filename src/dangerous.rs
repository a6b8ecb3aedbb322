//! Reading tokens **without verifying them**: for diagnostics only (an operator looking at
//! a token the verifier refuses). Nothing these functions return may be trusted; the
//! module's name is there to be seen at every call site.

use serde_json::{Map, Value};

use crate::b64;
use crate::error::JwsError;
use crate::jws::{check_envelope, parse_json_object, Limits, SEGMENTS};

/// Decodes a compact JWS for display, **without verifying it**: the size cap, the three
/// segments, canonical base64url and a header that is a JSON object without duplicate
/// members are required, but not a known `alg`, nor the `crit`, `b64` and `kid` rules, so
/// that an operator can look at a token the verifier refuses (`alg: none`, say). Returns
/// the header's members and the payload bytes. Nothing returned may be trusted.
///
/// ```
/// use software_statement::{dangerous::decode_unverified, Limits};
/// let (header, payload) = decode_unverified("eyJhbGciOiJub25lIn0.e30.", &Limits::default())?;
/// assert_eq!(header["alg"], "none");
/// assert_eq!(payload, b"{}");
/// # Ok::<(), software_statement::JwsError>(())
/// ```
pub fn decode_unverified(token: &str, limits: &Limits) -> Result<(Map<String, Value>, Vec<u8>), JwsError> {
    check_envelope(token, limits)?;
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(s), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err(SEGMENTS);
    };
    let header = b64::decode(h).ok_or(JwsError::Base64("header"))?;
    let header = parse_json_object(&header, limits, "header")?;
    let payload = b64::decode(p).ok_or(JwsError::Base64("payload"))?;
    b64::decode(s).ok_or(JwsError::Base64("signature"))?;
    Ok((header, payload))
}
