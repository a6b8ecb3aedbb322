//! Member names and language tags (RFC 7591 §2.2).

/// Splits a member name into its base name and its language tag (RFC 7591 §2.2).
///
/// The tag is everything after the first `#`; it is returned as written (tags are
/// compared case-insensitively by [`ClientMetadata::localized`](crate::ClientMetadata::localized)). A name without
/// `#` has no tag. A name ending in `#` has an empty tag, which
/// [`ClientMetadata::validate`](crate::ClientMetadata::validate) rejects on RFC 7591 fields.
///
/// ```
/// use software_statement::split_member_name;
///
/// assert_eq!(split_member_name("client_name#ja-Jpan-JP"), ("client_name", Some("ja-Jpan-JP")));
/// assert_eq!(split_member_name("client_name"), ("client_name", None));
/// ```
pub fn split_member_name(name: &str) -> (&str, Option<&str>) {
    // A plain byte loop: member names are short, a memchr call costs more.
    match name.bytes().position(|b| b == b'#') {
        Some(at) => (&name[..at], Some(&name[at + 1..])),
        None => (name, None),
    }
}

/// BCP 47 at the lexical level: subtags of 1 to 8 ASCII letters or digits
/// separated by `-` (covers language tags, private use and grandfathered tags).
pub(super) fn is_language_tag(tag: &str) -> bool {
    !tag.is_empty()
        && tag
            .split('-')
            .all(|subtag| (1..=8).contains(&subtag.len()) && subtag.bytes().all(|b| b.is_ascii_alphanumeric()))
}
