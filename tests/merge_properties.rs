//! Property tests of the merge (merge rules 1–7 of the README) and of the registration
//! step around it (rule 10): for any request and any verified claims, built from the member
//! names that interact (language-tag families, the `jwks`/`jwks_uri` group, JWT claim
//! names, `software_statement`, server-issued members), the rules hold. Each property runs
//! `CASES` cases.

use proptest::prelude::*;
use serde_json::{json, Map, Value};
use software_statement::{
    merge, merge_owned, split_member_name, Algorithm, IssuerPolicy, Jwk, JwkSet, Registrar, StatementBuilder, Verifier,
    JWT_CLAIMS, SERVER_ISSUED_MEMBERS,
};

/// Cases per property.
const CASES: u32 = 1024;

const TOKEN: &str = "eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJodHRwczovL3AuZXhhbXBsZSJ9.c2ln";

const BASES: [&str; 14] = [
    "client_name",
    "logo_uri",
    "redirect_uris",
    "jwks",
    "jwks_uri",
    "software_statement",
    "iss",
    "exp",
    "jti",
    "scope",
    "x_vendor",
    "client_id",
    "software_id",
    "contacts",
];
const TAGS: [&str; 5] = ["", "#en", "#fr", "#EN", "#ja-Jpan-JP"];

fn name() -> impl Strategy<Value = String> {
    (0..BASES.len(), 0..TAGS.len()).prop_map(|(b, t)| format!("{}{}", BASES[b], TAGS[t]))
}

fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<u8>().prop_map(Value::from),
        "[a-z]{0,6}".prop_map(Value::from),
        Just(json!(["https://a.example/cb"])),
        Just(json!({"keys": []})),
        Just(Value::Null),
    ]
}

fn members() -> impl Strategy<Value = Map<String, Value>> {
    proptest::collection::vec((name(), value()), 0..10).prop_map(|pairs| pairs.into_iter().collect())
}

fn base(name: &str) -> &str {
    split_member_name(name).0
}

fn is_key_group(base: &str) -> bool {
    base == "jwks" || base == "jwks_uri"
}

/// The claims a statement copies into metadata: not a JWT claim, not the
/// `software_statement` family.
fn copied(claims: &Map<String, Value>) -> impl Iterator<Item = (&String, &Value)> {
    claims
        .iter()
        .filter(|(n, _)| !JWT_CLAIMS.contains(&n.as_str()) && base(n) != "software_statement")
}

/// What the rules say becomes of a request member, computed here from their text.
fn expected_overridden(request: &Map<String, Value>, claims: &Map<String, Value>) -> Vec<String> {
    let families: Vec<&str> = copied(claims).map(|(n, _)| base(n)).collect();
    let key_group = families.iter().any(|b| is_key_group(b));
    request
        .keys()
        .filter(|n| {
            let b = base(n);
            if b == "software_statement" {
                return n.as_str() != "software_statement";
            }
            families.contains(&b) || (key_group && is_key_group(b))
        })
        .cloned()
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    /// Rules 2–4: every copied claim is in the metadata with the statement's value, and no
    /// request member of an asserted family (or of the asserted key group) survives.
    #[test]
    fn no_statement_claim_is_shadowed(request in members(), claims in members()) {
        let merged = merge(&request, Some((TOKEN, &claims)));
        let md = merged.metadata.as_map();
        for (name, value) in copied(&claims) {
            prop_assert_eq!(md.get(name), Some(value), "claim {} shadowed", name);
        }
        let families: Vec<&str> = copied(&claims).map(|(n, _)| base(n)).collect();
        let key_group = families.iter().any(|b| is_key_group(b));
        for (name, value) in &request {
            let b = base(name);
            if families.contains(&b) || (key_group && is_key_group(b)) {
                // Either gone, or there with a claim's value (the claim of the same name).
                prop_assert!(
                    !md.contains_key(name) || claims.get(name) == md.get(name),
                    "request member {} of an asserted family survived with {}", name, value
                );
            }
        }
    }

    /// Rule 1: the statement's JWT claims never appear in the metadata; a request member of
    /// the same name (rule 7: an ordinary member) is the only way such a name is there.
    #[test]
    fn jwt_claims_of_the_statement_never_appear(request in members(), claims in members()) {
        let merged = merge(&request, Some((TOKEN, &claims)));
        for claim in JWT_CLAIMS {
            match merged.metadata.get(claim) {
                None => {}
                Some(v) => prop_assert_eq!(Some(v), request.get(claim), "{} came from the statement", claim),
            }
        }
    }

    /// Rule 5: the statement is echoed byte for byte, whatever the request or claims say.
    #[test]
    fn the_statement_is_echoed_byte_for_byte(request in members(), claims in members(), token in "[A-Za-z0-9_-]{1,20}\\.[A-Za-z0-9_-]{0,20}\\.[A-Za-z0-9_-]{0,20}") {
        let merged = merge(&request, Some((&token, &claims)));
        prop_assert_eq!(merged.metadata.software_statement(), Some(token.as_str()));
    }

    /// Rule 7: the report lists exactly the request members overridden or dropped, in
    /// request order; every other request member is kept as sent (rule 6).
    #[test]
    fn the_report_lists_exactly_the_overridden_names(request in members(), claims in members()) {
        let merged = merge(&request, Some((TOKEN, &claims)));
        let expected = expected_overridden(&request, &claims);
        prop_assert_eq!(&merged.overridden, &expected);
        for (name, value) in &request {
            if !expected.contains(name) && name != "software_statement" {
                prop_assert_eq!(merged.metadata.get(name), Some(value), "{} not kept as sent", name);
            }
        }
    }

    /// Merging is deterministic, and the owned form agrees with the borrowed one, order
    /// included.
    #[test]
    fn merging_is_deterministic(request in members(), claims in members()) {
        let a = merge(&request, Some((TOKEN, &claims)));
        let b = merge(&request, Some((TOKEN, &claims)));
        let owned = merge_owned(request.clone(), Some((TOKEN, claims.clone())));
        prop_assert_eq!(&a, &b);
        prop_assert_eq!(&a, &owned);
        prop_assert!(a.metadata.as_map().keys().eq(owned.metadata.as_map().keys()));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES / 4))]

    /// Rule 10: whatever the request and the statement carry, a registration's metadata
    /// never holds a server-issued member (the registrar refuses them instead).
    #[test]
    fn server_issued_members_never_appear(request in members(), claims in members()) {
        let key = registrar_key();
        let registrar = registrar(&key);
        let mut request = request;
        let token = StatementBuilder::new("https://p.example").claims(claims).sign(&key).unwrap();
        request.insert("software_statement".into(), Value::from(token));
        if let Ok(registration) = registrar.register(&request) {
            for member in SERVER_ISSUED_MEMBERS {
                prop_assert!(
                    registration.metadata.as_map().keys().all(|n| base(n) != member),
                    "{} in {}", member, registration.to_json()
                );
            }
        }
    }
}

fn registrar_key() -> Jwk {
    use std::sync::OnceLock;
    static KEY: OnceLock<Value> = OnceLock::new();
    let value = KEY.get_or_init(|| Jwk::generate(Algorithm::HS256).unwrap().to_value());
    Jwk::from_value(value).unwrap()
}

fn registrar(key: &Jwk) -> Registrar {
    let verifier = Verifier::builder()
        .issuer(
            "https://p.example",
            IssuerPolicy::with_jwks(JwkSet::new(vec![Jwk::from_value(&key.to_value()).unwrap()]).unwrap()),
        )
        .build();
    Registrar::new(verifier)
}
