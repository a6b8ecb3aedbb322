//! Canonical unpadded base64url (RFC 7515 §2, RFC 4648 §5): no padding, no whitespace,
//! no non-zero trailing bits. The `base64` crate's URL_SAFE_NO_PAD engine enforces all three.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

/// Decodes canonical unpadded base64url.
pub(crate) fn decode(s: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(s).ok()
}

/// The most bytes `len` base64 characters can decode to (the engine's own bound).
pub(crate) fn decoded_len_bound(len: usize) -> usize {
    len.div_ceil(4) * 3
}

/// Decodes canonical unpadded base64url and appends the bytes to `out`, giving their
/// number. The same rules as [`decode`]; on failure `out` is left as it was.
pub(crate) fn decode_append(s: &str, out: &mut Vec<u8>) -> Option<usize> {
    let start = out.len();
    out.resize(start + decoded_len_bound(s.len()), 0);
    match URL_SAFE_NO_PAD.decode_slice(s, &mut out[start..]) {
        Ok(n) => {
            out.truncate(start + n);
            Some(n)
        }
        Err(_) => {
            out.truncate(start);
            None
        }
    }
}

/// Encodes as unpadded base64url.
pub(crate) fn encode(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The length of the unpadded base64url encoding of `n` bytes.
pub(crate) const fn encoded_len(n: usize) -> usize {
    n / 3 * 4 + [0, 2, 3][n % 3]
}

/// Encodes `bytes` into `buf` (at least [`encoded_len`] long) and gives the encoding, for
/// short values kept on the stack.
pub(crate) fn encode_into<'b>(bytes: &[u8], buf: &'b mut [u8]) -> &'b str {
    let written = URL_SAFE_NO_PAD.encode_slice(bytes, buf).expect("room for the encoding");
    // The base64url alphabet is ASCII.
    std::str::from_utf8(&buf[..written]).expect("base64url is ASCII")
}

/// Replaces `out[start..]` by its unpadded base64url encoding, within `out`: the bytes
/// move up past where their encoding ends, then are encoded down into place. Lets a
/// segment be written (serialized) straight into the buffer that will hold the token.
pub(crate) fn encode_tail_in_place(out: &mut Vec<u8>, start: usize) {
    let n = out.len() - start;
    let end = start + encoded_len(n);
    out.resize(end + n, 0);
    out.copy_within(start..start + n, end);
    let (head, raw) = out.split_at_mut(end);
    let written = URL_SAFE_NO_PAD
        .encode_slice(&*raw, &mut head[start..])
        .expect("room for the encoding");
    debug_assert_eq!(start + written, end);
    out.truncate(end);
}

/// Appends the unpadded base64url encoding of `bytes` to `out`, in place (no
/// intermediate buffer).
pub(crate) fn append(bytes: &[u8], out: &mut Vec<u8>) {
    let start = out.len();
    // The padded length: always room enough for the unpadded encoding.
    out.resize(start + bytes.len().div_ceil(3) * 4, 0);
    let written = URL_SAFE_NO_PAD
        .encode_slice(bytes, &mut out[start..])
        .expect("room for the encoding");
    out.truncate(start + written);
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

    #[test]
    fn append_agrees_with_encode() {
        for n in 0..70 {
            let bytes: Vec<u8> = (0..n).map(|i| (i * 37 + 11) as u8).collect();
            let mut out = b"x.".to_vec();
            super::append(&bytes, &mut out);
            assert_eq!(out, format!("x.{}", super::encode(&bytes)).into_bytes(), "{n}");
        }
    }

    #[test]
    fn encoded_len_encode_into_and_in_place_agree_with_encode() {
        for n in 0..70 {
            let bytes: Vec<u8> = (0..n).map(|i| (i * 37 + 11) as u8).collect();
            let expected = super::encode(&bytes);
            assert_eq!(super::encoded_len(n), expected.len(), "{n}");
            let mut buf = [0u8; 100];
            assert_eq!(super::encode_into(&bytes, &mut buf), expected, "{n}");
            let mut out = b"x.".to_vec();
            out.extend_from_slice(&bytes);
            super::encode_tail_in_place(&mut out, 2);
            assert_eq!(out, format!("x.{expected}").into_bytes(), "{n}");
        }
    }

    #[test]
    fn decode_append_agrees_with_decode() {
        for s in [
            "", "AQAB", "AQAB=", "AQ AB", "AQ==", "AR", "AQ", "A+B/", "A", "AQA", "_-_-", "AQAB.",
        ] {
            let mut out = vec![9u8];
            let n = super::decode_append(s, &mut out);
            match super::decode(s) {
                Some(d) => {
                    assert_eq!(n, Some(d.len()), "{s:?}");
                    assert_eq!(out[1..], d[..], "{s:?}");
                }
                None => assert_eq!((n, &out[..]), (None, &[9u8][..]), "{s:?}"),
            }
            assert_eq!(out[0], 9);
        }
    }
}
