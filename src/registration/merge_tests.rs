//! Unit tests of the merge.
//!
//! The merge cases of `test-vectors/registration/merge.json` run end to end through
//! `Registrar::register` (`tests/registration.rs`); here: the tests `ARCHITECTURE.md` names
//! as the pins of merge rules 1–7, what a request cannot carry (a token that is not a
//! statement, no request `software_statement`, members the validation would refuse), and
//! [`merge_owned`] against [`merge`], on every registration case too.

use super::*;
use crate::error::ErrorCode;
use crate::metadata::ValidationOptions;
use serde_json::json;

const TOKEN: &str = "eyJhbGciOiJFUzI1NiIsImtpZCI6ImsxIn0.eyJpc3MiOiJodHRwczovL3B1Yi5leGFtcGxlIn0.c2lnbmF0dXJl";

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

/// Merges with both [`merge`] and [`merge_owned`] and checks they agree.
fn merged(request: Value, claims: Value) -> Merged {
    let (request, claims) = (object(request), object(claims));
    let borrowed = merge(&request, Some((TOKEN, &claims)));
    let owned = merge_owned(request, Some((TOKEN, claims)));
    assert_eq!(owned, borrowed, "merge and merge_owned disagree");
    // Same order too (Map equality ignores order).
    assert!(owned.metadata.as_map().keys().eq(borrowed.metadata.as_map().keys()));
    borrowed
}

fn names(merged: &Merged) -> Vec<&str> {
    merged.metadata.as_map().keys().map(String::as_str).collect()
}

#[test]
fn jwt_claims_constant() {
    assert_eq!(JWT_CLAIMS, ["iss", "sub", "aud", "exp", "nbf", "iat", "jti"]);
}

// ---- merge without a statement ------------------------------------------------------

#[test]
fn no_statement_keeps_the_request_unchanged() {
    let request = object(json!({
        "client_name": "App",
        "iss": "x",
        "software_statement": "unverified.is.kept",
        "jwks": {"keys": []},
        "jwks_uri": "https://a.example/jwks",
    }));
    let merged = merge(&request, None);
    assert_eq!(merged.metadata.as_map(), &request);
    assert!(merged.overridden.is_empty());
    assert_eq!(merge_owned(request, None), merged);
}

// ---- rule 1: JWT claims are never copied ----------------------------------------------

#[test]
fn jwt_claims_are_never_copied() {
    let claims = json!({
        "iss": "https://pub.example", "sub": "s", "aud": ["https://as.example"], "exp": 2,
        "nbf": 1, "iat": 1, "jti": "j", "software_id": "sid",
    });
    let merged = merged(json!({}), claims);
    assert_eq!(names(&merged), ["software_id", "software_statement"]);
    assert!(merged.overridden.is_empty());
}

#[test]
fn request_members_named_like_jwt_claims_are_kept() {
    let request = json!({"iss": "req-iss", "sub": 1, "aud": "req-aud", "exp": 5, "nbf": 6, "iat": 7, "jti": "req-jti"});
    let claims =
        json!({"iss": "https://pub.example", "sub": "s", "aud": "a", "exp": 99, "nbf": 1, "iat": 1, "jti": "j"});
    let merged = merged(request.clone(), claims);
    for name in JWT_CLAIMS {
        assert_eq!(merged.metadata.get(name), request.get(name), "{name}");
    }
    assert!(merged.overridden.is_empty());
}

// ---- rule 2: statement claims win --------------------------------------------------------

#[test]
fn statement_claims_override_request_members() {
    let request = json!({"client_uri": "https://request.example", "scope": "a", "software_version": "1"});
    let claims = json!({"client_uri": "https://statement.example", "scope": "a"});
    let merged = merged(request, claims);
    assert_eq!(merged.metadata.client_uri(), Some("https://statement.example"));
    assert_eq!(merged.metadata.scope(), Some("a"));
    assert_eq!(merged.metadata.software_version(), Some("1"));
    // Reported even where equal ("scope").
    assert_eq!(merged.overridden, ["client_uri", "scope"]);
}

#[test]
fn statement_claims_are_copied_as_is() {
    let claims = json!({
        "redirect_uris": ["https://a.example/cb"],
        "x_vendor": {"deep": [1, {"x": null}]},
        "client_name": null,
    });
    let merged = merged(json!({}), claims.clone());
    for (name, value) in claims.as_object().unwrap() {
        assert_eq!(merged.metadata.get(name), Some(value), "{name}");
    }
}

// ---- rule 3: language-tag families ----------------------------------------------------------

#[test]
fn tagged_claim_drops_the_whole_request_family() {
    let request = json!({
        "client_name": "unattested",
        "client_name#fr": "non attesté",
        "client_name#ja-Jpan-JP": "未認証",
        "client_name_extra": "other family",
        "client_uri": "https://a.example",
    });
    let merged = merged(request, json!({"client_name#ja-Jpan-JP": "認証済み"}));
    assert_eq!(
        merged.overridden,
        ["client_name", "client_name#fr", "client_name#ja-Jpan-JP"]
    );
    assert_eq!(
        merged.metadata.family("client_name").collect::<Vec<_>>(),
        [(Some("ja-Jpan-JP"), &json!("認証済み"))]
    );
    assert_eq!(merged.metadata.get("client_name_extra"), Some(&json!("other family")));
    assert_eq!(merged.metadata.client_uri(), Some("https://a.example"));
}

#[test]
fn untagged_claim_drops_request_translations() {
    let request = json!({"tos_uri#de": "https://a.example/agb", "policy_uri#de": "https://a.example/ds"});
    let merged = merged(request, json!({"tos_uri": "https://pub.example/tos"}));
    assert_eq!(merged.overridden, ["tos_uri#de"]);
    assert_eq!(merged.metadata.localized("tos_uri", Some("de")), None);
    assert_eq!(
        merged.metadata.get("policy_uri#de"),
        Some(&json!("https://a.example/ds"))
    );
}

// ---- rule 4: jwks / jwks_uri are one group -----------------------------------------------------

#[test]
fn statement_jwks_uri_drops_request_jwks_and_jwks_uri() {
    let request = json!({"jwks": {"keys": []}, "client_name": "App", "jwks_uri": "https://request.example/jwks"});
    let merged = merged(request, json!({"jwks_uri": "https://pub.example/jwks"}));
    assert_eq!(merged.overridden, ["jwks", "jwks_uri"]);
    assert_eq!(merged.metadata.jwks(), None);
    assert_eq!(merged.metadata.jwks_uri(), Some("https://pub.example/jwks"));
}

#[test]
fn statement_jwks_drops_request_jwks_uri() {
    let request = json!({"jwks_uri": "https://request.example/jwks", "jwks_uri#en": "https://request.example/en"});
    let merged = merged(request, json!({"jwks": {"keys": [{"kty": "EC"}]}}));
    assert_eq!(merged.overridden, ["jwks_uri", "jwks_uri#en"]);
    assert_eq!(names(&merged), ["jwks", "software_statement"]);
}

// ---- rule 5: software_statement ------------------------------------------------------------------

#[test]
fn software_statement_is_the_token_unmodified_and_last() {
    let token = "  not.trimmed.here  ";
    let request = object(json!({"software_statement": "something else", "client_name": "App"}));
    let claims = object(json!({"software_id": "sid"}));
    let merged = merge(&request, Some((token, &claims)));
    assert_eq!(merge_owned(request, Some((token, claims))), merged);
    assert_eq!(merged.metadata.software_statement(), Some(token));
    assert_eq!(
        merged.metadata.as_map().keys().next_back().map(String::as_str),
        Some("software_statement")
    );
    // The request's own statement member is the input, not an override.
    assert!(merged.overridden.is_empty());
}

#[test]
fn software_statement_added_when_request_lacks_it() {
    let merged = merged(json!({"client_name": "App"}), json!({}));
    assert_eq!(names(&merged), ["client_name", "software_statement"]);
    assert_eq!(merged.metadata.software_statement(), Some(TOKEN));
}

#[test]
fn nested_statement_claims_are_never_copied() {
    let claims = json!({"software_statement": "nested.jwt.value", "software_statement#en": "x", "software_id": "sid"});
    let merged = merged(json!({"software_statement": TOKEN}), claims);
    assert_eq!(merged.metadata.software_statement(), Some(TOKEN));
    assert_eq!(names(&merged), ["software_id", "software_statement"]);
    assert!(merged.overridden.is_empty());
}

#[test]
fn tagged_software_statement_request_members_are_dropped() {
    let merged = merged(
        json!({"software_statement#en": "junk", "software_statement": TOKEN}),
        json!({}),
    );
    assert_eq!(merged.overridden, ["software_statement#en"]);
    assert_eq!(names(&merged), ["software_statement"]);
}

// ---- rule 6: everything else kept as sent -------------------------------------------------------

#[test]
fn other_request_members_are_kept_as_sent() {
    let request = json!({
        "redirect_uris": ["https://a.example/cb"],
        "x_unknown": {"nested": [1, 2, {"deep": true}]},
        "contacts": "not even the right type",
        "logo_uri#fr": "https://a.example/logo-fr.png",
        "": "empty name",
    });
    let merged = merged(request.clone(), json!({"software_id": "sid"}));
    for (name, value) in request.as_object().unwrap() {
        assert_eq!(merged.metadata.get(name), Some(value), "{name}");
    }
    assert!(merged.overridden.is_empty());
}

// ---- rule 7 and output order ------------------------------------------------------------------------

#[test]
fn overridden_is_in_request_order_with_exact_names() {
    let request = json!({
        "scope": "a",
        "client_name#FR": "x",
        "keep": 1,
        "jwks_uri": "https://a.example/jwks",
        "client_name": "y",
        "software_id": "old",
    });
    let claims = json!({"software_id": "new", "client_name": "App", "jwks": {"keys": []}, "scope": "a"});
    let merged = merged(request, claims);
    assert_eq!(
        merged.overridden,
        ["scope", "client_name#FR", "jwks_uri", "client_name", "software_id"]
    );
}

// ---- merge, then validate -------------------------------------------------------------------------

#[test]
fn statement_values_are_validated_like_request_values() {
    let request = json!({"redirect_uris": ["https://a.example/cb"]});
    let merged_bad = merged(
        request.clone(),
        json!({"redirect_uris": ["https://pub.example/cb#frag"]}),
    );
    let error = merged_bad.metadata.validate(&ValidationOptions::default()).unwrap_err();
    assert_eq!(error.code(), ErrorCode::InvalidRedirectUri);
    let merged_bad = merged(request, json!({"grant_types": ["implicit"]}));
    let error = merged_bad.metadata.validate(&ValidationOptions::default()).unwrap_err();
    assert_eq!(error.code(), ErrorCode::InvalidClientMetadata);
}

// ---- merge_owned ----------------------------------------------------------------------------------

/// [`merge`] and [`merge_owned`] agree, members and order, on the request and statement
/// claims of every registration case in `test-vectors/registration` (placeholders left as
/// text; a built statement's claims as `StatementBuilder` orders them).
#[test]
fn merge_owned_agrees_on_every_registration_case() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("test-vectors/registration");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let file: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        for case in file["cases"].as_array().unwrap() {
            // `request_text` cases are not one JSON object.
            let Some(request) = case.get("request") else {
                continue;
            };
            let request = object(request.clone());
            let claims = case.get("statement").and_then(statement_claims);
            let borrowed = merge(&request, claims.as_ref().map(|c| (TOKEN, c)));
            let owned = merge_owned(request, claims.map(|c| (TOKEN, c)));
            let name = &case["name"];
            assert_eq!(owned, borrowed, "{name}: merge and merge_owned disagree");
            assert!(
                owned.metadata.as_map().keys().eq(borrowed.metadata.as_map().keys()),
                "{name}: member order"
            );
            checked += 1;
        }
    }
    assert!(checked >= 150, "only {checked} cases");
}

/// The claims a case's `statement` signs: `raw_claims` as written, or the built claims
/// (`iss`, the others, `aud`, `iat`, `exp`, `jti`); `None` for a `payload_text`.
fn statement_claims(spec: &Value) -> Option<Map<String, Value>> {
    if let Some(raw) = spec.get("raw_claims") {
        return Some(object(raw.clone()));
    }
    let mut claims = Map::new();
    claims.insert("iss".into(), spec.get("issuer")?.clone());
    for (name, value) in spec.get("claims").and_then(Value::as_object).into_iter().flatten() {
        if !matches!(name.as_str(), "iss" | "iat" | "exp" | "jti" | "aud") {
            claims.insert(name.clone(), value.clone());
        }
    }
    if let Some(audience) = spec.get("audience") {
        claims.insert("aud".into(), audience.clone());
    }
    claims.insert("iat".into(), json!(1_800_000_000));
    if let Some(ttl) = spec.get("ttl").and_then(Value::as_u64) {
        claims.insert("exp".into(), json!(1_800_000_000 + ttl));
    }
    claims.insert("jti".into(), json!("jti"));
    Some(claims)
}

#[test]
fn benchmark_shape_merges_as_expected() {
    let (request, claims) = benchmark_shape();
    let merged = merge(&request, Some((TOKEN, &claims)));
    assert_eq!(merge_owned(request, Some((TOKEN, claims))), merged);
    merged.metadata.validate(&ValidationOptions::default()).unwrap();
    assert_eq!(
        merged.overridden,
        [
            "client_name",
            "client_name#fr",
            "logo_uri",
            "jwks_uri",
            "software_id",
            "software_version",
            "software_statement#x"
        ]
    );
    // 15 request members, 7 dropped, the statement itself replaced; 20 claims less
    // 7 JWT claims and the nested statement; then software_statement.
    assert_eq!(merged.metadata.as_map().len(), (15 - 7 - 1) + (20 - 7 - 1) + 1);
}

/// A 15-member request and a 20-claim statement, as in the README benchmark section.
pub(crate) fn benchmark_shape() -> (Map<String, Value>, Map<String, Value>) {
    let request = object(json!({
        "redirect_uris": ["https://app.example.com/cb", "https://app.example.com/cb2"],
        "token_endpoint_auth_method": "private_key_jwt",
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "client_name": "Request name",
        "client_name#fr": "Nom",
        "client_uri": "https://app.example.com",
        "logo_uri": "https://app.example.com/logo.png",
        "scope": "read write",
        "contacts": ["ops@app.example.com"],
        "jwks_uri": "https://app.example.com/jwks.json",
        "software_id": "request-id",
        "software_version": "0.9",
        "software_statement#x": "junk",
        "software_statement": TOKEN,
    }));
    let claims = object(json!({
        "iss": "https://publisher.example.com",
        "sub": "product",
        "aud": "https://as.example.org",
        "iat": 1_700_000_000,
        "exp": 1_900_000_000,
        "nbf": 1_700_000_000,
        "jti": "3f1c2a",
        "software_id": "4NRB1-0XZABZI9E6-5SM3R",
        "software_version": "2.1",
        "client_name": "Example Statement Client",
        "client_name#ja-Jpan-JP": "クライアント",
        "client_name#de": "Beispiel",
        "logo_uri": "https://publisher.example.com/logo.png",
        "tos_uri": "https://publisher.example.com/tos",
        "tos_uri#de": "https://publisher.example.com/agb",
        "policy_uri": "https://publisher.example.com/policy",
        "jwks": {"keys": [{"kty": "EC", "crv": "P-256", "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU", "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]},
        "x_vendor_tier": "gold",
        "x_vendor_region": "eu",
        "software_statement": "nested.should.not.copy",
    }));
    (request, claims)
}
