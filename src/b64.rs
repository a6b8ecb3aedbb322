//! Canonical unpadded base64url (RFC 7515 §2, RFC 4648 §5): no padding, no whitespace,
//! no non-zero trailing bits. The `base64` crate's URL_SAFE_NO_PAD engine enforces all three.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

/// Decodes canonical unpadded base64url.
pub(crate) fn decode(s: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(s).ok()
}

/// Encodes as unpadded base64url.
pub(crate) fn encode(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Appends the unpadded base64url encoding of `bytes` to `out`.
pub(crate) fn encode_into(bytes: &[u8], out: &mut String) {
    URL_SAFE_NO_PAD.encode_string(bytes, out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn strict() {
        assert_eq!(super::decode("AQAB"), Some(vec![1, 0, 1]));
        assert_eq!(super::decode("AQAB="), None, "padding");
        assert_eq!(super::decode("AQ AB"), None, "whitespace");
        assert_eq!(super::decode("AQ=="), None, "padding");
        assert_eq!(super::decode("AR"), None, "non-zero trailing bits");
        assert_eq!(super::decode("AQ"), Some(vec![1]));
        assert_eq!(super::decode("A+B/"), None, "standard alphabet");
    }
}
