//! Unit tests of metadata validation.

use super::uri::{check_uri, UriProblem};
use super::validate::TAGGED_LINEAR;
use super::*;
use crate::error::{ErrorCode, RegistrationError};
use crate::jwk::SECRET_MEMBERS;
use serde_json::json;

fn metadata(value: Value) -> ClientMetadata {
    match value {
        Value::Object(members) => ClientMetadata::from_map(members),
        other => panic!("not an object: {other}"),
    }
}

fn check(value: Value) -> Result<(), RegistrationError> {
    metadata(value).validate(&ValidationOptions::default())
}

fn check_with(value: Value, options: &ValidationOptions) -> Result<(), RegistrationError> {
    metadata(value).validate(options)
}

#[track_caller]
fn assert_ok(value: Value) {
    let shown = value.to_string();
    if let Err(error) = check(value) {
        panic!("{shown} rejected: {error}");
    }
}

#[track_caller]
fn assert_code(result: Result<(), RegistrationError>, code: ErrorCode) -> RegistrationError {
    match result {
        Ok(()) => panic!("accepted, expected {code}"),
        Err(error) => {
            assert_eq!(error.code(), code, "wrong code: {error}");
            error
        }
    }
}

#[track_caller]
fn assert_metadata_error(value: Value) -> RegistrationError {
    assert_code(check(value), ErrorCode::InvalidClientMetadata)
}

#[track_caller]
fn assert_redirect_error(value: Value) -> RegistrationError {
    assert_code(check(value), ErrorCode::InvalidRedirectUri)
}

/// A valid authorization-code client to which one member is added.
fn code_client_with(name: &str, value: Value) -> Value {
    let mut client = json!({"redirect_uris": ["https://app.example.com/cb"]});
    client[name] = value;
    client
}

// ---- member names and language tags -------------------------------------

#[test]
fn split_member_name_cases() {
    assert_eq!(split_member_name("client_name"), ("client_name", None));
    assert_eq!(
        split_member_name("client_name#ja-Jpan-JP"),
        ("client_name", Some("ja-Jpan-JP"))
    );
    assert_eq!(split_member_name("client_name#"), ("client_name", Some("")));
    assert_eq!(split_member_name("#en"), ("", Some("en")));
    assert_eq!(split_member_name("a#b#c"), ("a", Some("b#c")));
    assert_eq!(split_member_name(""), ("", None));
}

#[test]
fn localized_matches_tags_case_insensitively() {
    let md = metadata(json!({
        "client_name": "Plain",
        "client_name#ja-Jpan-JP": "ja",
        "client_name#en": "en",
        "client_name_extra#fr": "other family",
        "client_namex#fr": "other family",
    }));
    let text = |tag: Option<&str>| md.localized("client_name", tag).and_then(Value::as_str);
    assert_eq!(text(None), Some("Plain"));
    assert_eq!(text(Some("ja-Jpan-JP")), Some("ja"));
    assert_eq!(text(Some("JA-JPAN-jp")), Some("ja"));
    assert_eq!(text(Some("EN")), Some("en"));
    assert_eq!(text(Some("fr")), None);
    assert_eq!(text(Some("ja")), None, "no prefix matching of tags");
    assert_eq!(md.localized("client_uri", None), None);
    assert_eq!(md.localized("client_uri", Some("en")), None);
}

#[test]
fn localized_without_untagged_member() {
    let md = metadata(json!({"tos_uri#de": "https://example.com/agb"}));
    assert_eq!(md.localized("tos_uri", None), None);
    assert_eq!(
        md.localized("tos_uri", Some("DE")),
        Some(&json!("https://example.com/agb"))
    );
}

#[test]
fn family_lists_members_in_order() {
    let md = metadata(json!({
        "client_name#fr": "fr",
        "logo_uri": "https://example.com/logo.png",
        "client_name": "plain",
        "client_name_extra": "not in the family",
        "client_name#ja-Jpan-JP": "ja",
    }));
    let family: Vec<_> = md.family("client_name").collect();
    assert_eq!(
        family,
        vec![
            (Some("fr"), &json!("fr")),
            (None, &json!("plain")),
            (Some("ja-Jpan-JP"), &json!("ja")),
        ]
    );
    assert_eq!(md.family("policy_uri").count(), 0);
    assert_eq!(md.family("logo_uri").count(), 1);
}

// ---- representation ------------------------------------------------------

#[test]
fn round_trips_are_lossless() {
    let shapes = [
        r#"{}"#,
        r#"{"redirect_uris":["https://a.example/cb"]}"#,
        r#"{"zeta":1,"alpha":2,"mid":3}"#,
        r#"{"client_name":"A","client_name#ja-Jpan-JP":"アプリ","client_name#fr":"Appli"}"#,
        r#"{"x_unknown":{"nested":[1,2.5,-3,true,false,null,{"deep":"value"}]},"redirect_uris":[]}"#,
        r#"{"jwks":{"keys":[{"kty":"EC","crv":"P-256","x":"abc","y":"def"}]},"software_id":"id"}"#,
        r#"{"grant_types":"not an array","response_types":7,"contacts":[1,"a"]}"#,
        r#"{"client_name":null,"scope":"openid profile","big":18446744073709551615,"neg":-9223372036854775808}"#,
        r##"{"escaped":"line\nbreak \"quoted\" \\ \u0001","emoji":"😀","#":"empty base","a#":"empty tag"}"##,
        r#"{"software_statement":"eyJhbGciOiJFUzI1NiJ9.e30.c2ln","iss":"request member","exp":12}"#,
    ];
    for shape in shapes {
        let md: ClientMetadata = serde_json::from_str(shape).unwrap();
        assert_eq!(serde_json::to_string(&md).unwrap(), shape);
        let value = serde_json::to_value(&md).unwrap();
        let again: ClientMetadata = serde_json::from_value(value).unwrap();
        assert_eq!(again, md);
    }
}

#[test]
fn round_trip_keeps_order_of_many_members() {
    let mut members = Map::new();
    for i in (0..200).rev() {
        members.insert(format!("member_{i}"), Value::from(i));
    }
    let md = ClientMetadata::from_map(members.clone());
    let text = serde_json::to_string(&md).unwrap();
    let back: ClientMetadata = serde_json::from_str(&text).unwrap();
    let names: Vec<_> = back.as_map().keys().cloned().collect();
    let expected: Vec<_> = members.keys().cloned().collect();
    assert_eq!(names, expected);
}

#[test]
fn deserialize_requires_an_object() {
    for text in ["[]", "\"x\"", "1", "null", "true"] {
        assert!(serde_json::from_str::<ClientMetadata>(text).is_err(), "{text}");
    }
}

#[test]
fn map_accessors() {
    let map = json!({"b": 1, "a": 2}).as_object().unwrap().clone();
    let md = ClientMetadata::from_map(map.clone());
    assert_eq!(md.as_map(), &map);
    assert_eq!(md.get("a"), Some(&json!(2)));
    assert_eq!(md.get("c"), None);
    assert_eq!(md.clone().into_map(), map);
    assert_eq!(ClientMetadata::from(map.clone()), md);
    assert_eq!(Map::from(md), map);
    assert!(ClientMetadata::default().as_map().is_empty());
}

#[test]
fn typed_getters() {
    let md = metadata(json!({
        "redirect_uris": ["https://a.example/cb", "https://b.example/cb"],
        "token_endpoint_auth_method": "private_key_jwt",
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "client_name": "App",
        "client_name#fr": "Appli",
        "client_uri": "https://app.example",
        "logo_uri": "https://app.example/logo.png",
        "scope": "read write",
        "contacts": ["ops@app.example"],
        "tos_uri": "https://app.example/tos",
        "policy_uri": "https://app.example/policy",
        "jwks_uri": "https://app.example/jwks.json",
        "jwks": {"keys": []},
        "software_id": "sid",
        "software_version": "1.2.3",
        "software_statement": "a.b.c",
    }));
    assert_eq!(
        md.redirect_uris(),
        Some(vec!["https://a.example/cb", "https://b.example/cb"])
    );
    assert_eq!(md.token_endpoint_auth_method(), Some("private_key_jwt"));
    assert_eq!(md.grant_types(), Some(vec!["authorization_code", "refresh_token"]));
    assert_eq!(md.response_types(), Some(vec!["code"]));
    assert_eq!(md.client_name(), Some("App"));
    assert_eq!(md.client_uri(), Some("https://app.example"));
    assert_eq!(md.logo_uri(), Some("https://app.example/logo.png"));
    assert_eq!(md.scope(), Some("read write"));
    assert_eq!(md.contacts(), Some(vec!["ops@app.example"]));
    assert_eq!(md.tos_uri(), Some("https://app.example/tos"));
    assert_eq!(md.policy_uri(), Some("https://app.example/policy"));
    assert_eq!(md.jwks_uri(), Some("https://app.example/jwks.json"));
    assert_eq!(md.jwks(), json!({"keys": []}).as_object());
    assert_eq!(md.software_id(), Some("sid"));
    assert_eq!(md.software_version(), Some("1.2.3"));
    assert_eq!(md.software_statement(), Some("a.b.c"));
}

#[test]
fn typed_getters_absent_or_mistyped_are_none() {
    let empty = ClientMetadata::default();
    assert_eq!(empty.redirect_uris(), None);
    assert_eq!(empty.client_name(), None);
    assert_eq!(empty.jwks(), None);
    let md = metadata(json!({
        "redirect_uris": ["https://a.example/cb", 3],
        "grant_types": "authorization_code",
        "contacts": {},
        "client_name": ["App"],
        "scope": null,
        "jwks": [],
        "software_version": 1,
    }));
    assert_eq!(md.redirect_uris(), None);
    assert_eq!(md.grant_types(), None);
    assert_eq!(md.contacts(), None);
    assert_eq!(md.client_name(), None);
    assert_eq!(md.scope(), None);
    assert_eq!(md.jwks(), None);
    assert_eq!(md.software_version(), None);
    // Each of these is a validation error.
    assert!(md.validate(&ValidationOptions::default()).is_err());
}

#[test]
fn getters_ignore_tagged_members() {
    let md = metadata(json!({"client_name#en": "App"}));
    assert_eq!(md.client_name(), None);
}

// ---- validation: accepted shapes ------------------------------------------

#[test]
fn accepts_typical_registrations() {
    assert_ok(json!({"redirect_uris": ["https://app.example.com/cb"]}));
    assert_ok(json!({
        "redirect_uris": ["https://app.example.com/cb", "com.example.app:/oauth2redirect", "http://127.0.0.1:8080/cb"],
        "token_endpoint_auth_method": "private_key_jwt",
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "client_name": "Example",
        "client_name#ja-Jpan-JP": "例",
        "client_uri": "https://app.example.com",
        "logo_uri": "https://app.example.com/logo.png",
        "logo_uri#fr": "https://app.example.com/logo-fr.png",
        "scope": "read write",
        "contacts": ["ops@app.example.com"],
        "tos_uri": "https://app.example.com/tos?lang=en",
        "policy_uri": "https://app.example.com/policy",
        "jwks_uri": "https://app.example.com/jwks.json",
        "software_id": "4NRB1-0XZABZI9E6-5SM3R",
        "software_version": "2.1",
        "software_statement": "eyJhbGciOiJFUzI1NiJ9.e30.c2ln",
        "x_vendor": {"anything": [1, 2, 3]},
    }));
    assert_ok(json!({
        "grant_types": ["client_credentials"],
        "response_types": [],
        "token_endpoint_auth_method": "tls_client_auth",
        "jwks": {"keys": [{"kty": "EC"}]},
    }));
    assert_ok(json!({
        "grant_types": ["implicit"],
        "response_types": ["token"],
        "redirect_uris": ["https://spa.example/cb"],
        "token_endpoint_auth_method": "none",
    }));
    // OpenID Connect composite response types.
    assert_ok(json!({
        "grant_types": ["authorization_code", "implicit"],
        "response_types": ["code id_token", "code token"],
        "redirect_uris": ["https://app.example/cb"],
    }));
    assert_ok(json!({
        "grant_types": ["implicit"],
        "response_types": ["id_token"],
        "redirect_uris": ["https://app.example/cb"],
    }));
    // Defaults: grant_types authorization_code and response_types code agree.
    assert_ok(json!({"response_types": ["code"], "redirect_uris": ["https://a.example/cb"]}));
    assert_ok(json!({"grant_types": ["authorization_code"], "redirect_uris": ["https://a.example/cb"]}));
}

#[test]
fn every_iana_auth_method_is_accepted_by_default() {
    for method in IANA_TOKEN_ENDPOINT_AUTH_METHODS {
        assert_ok(code_client_with("token_endpoint_auth_method", json!(method)));
    }
}

#[test]
fn unknown_members_are_not_validated() {
    assert_ok(code_client_with("x_uri", json!("not a uri #frag")));
    assert_ok(code_client_with("redirect_uri", json!(42)));
    assert_ok(code_client_with("x#not a tag!", json!(null)));
    assert_ok(code_client_with("iss", json!(1)));
}

#[test]
fn validation_writes_nothing() {
    let md = metadata(json!({"redirect_uris": ["https://a.example/cb"]}));
    let before = md.clone();
    md.validate(&ValidationOptions::default()).unwrap();
    assert_eq!(md, before);
    assert_eq!(md.grant_types(), None);
    assert_eq!(md.response_types(), None);
    assert_eq!(md.token_endpoint_auth_method(), None);
}

// ---- validation: types -----------------------------------------------------

#[test]
fn string_array_fields_must_be_arrays_of_strings() {
    for field in ["grant_types", "response_types", "contacts"] {
        for bad in [
            json!("x"),
            json!({}),
            json!(null),
            json!(1),
            json!(["ok", 1]),
            json!([null]),
        ] {
            let error = assert_metadata_error(code_client_with(field, bad));
            assert!(error.description().contains(field), "{error}");
        }
    }
}

#[test]
fn redirect_uris_type_errors_are_redirect_uri_errors() {
    for bad in [
        json!("https://a.example/cb"),
        json!({}),
        json!(null),
        json!([1]),
        json!(["https://a.example/cb", true]),
    ] {
        assert_redirect_error(json!({"redirect_uris": bad}));
    }
}

#[test]
fn string_fields_must_be_strings() {
    let fields = [
        "token_endpoint_auth_method",
        "client_name",
        "client_uri",
        "logo_uri",
        "scope",
        "tos_uri",
        "policy_uri",
        "jwks_uri",
        "software_id",
        "software_version",
        "software_statement",
    ];
    for field in fields {
        for bad in [json!(1), json!(null), json!(["x"]), json!({}), json!(true)] {
            let error = assert_metadata_error(code_client_with(field, bad));
            assert_eq!(error.description(), format!("{field} must be a string"));
        }
    }
}

#[test]
fn tagged_variants_of_string_fields_must_be_strings() {
    for field in [
        "client_name#en",
        "client_uri#fr",
        "logo_uri#de",
        "tos_uri#ja-Jpan-JP",
        "policy_uri#it",
        "scope#en",
    ] {
        let error = assert_metadata_error(code_client_with(field, json!(5)));
        assert!(error.description().starts_with(field), "{error}");
    }
    assert_redirect_error(code_client_with("redirect_uris#en", json!("https://a.example")));
}

#[test]
fn jwks_must_be_a_jwk_set_object() {
    let options = ValidationOptions::default();
    for bad in [
        json!([]),
        json!("{}"),
        json!({}),
        json!({"keys": {}}),
        json!({"keys": null}),
        json!(null),
    ] {
        let client = json!({"grant_types": ["client_credentials"], "response_types": [], "jwks": bad});
        assert_code(check_with(client, &options), ErrorCode::InvalidClientMetadata);
    }
    // Keys are not parsed here.
    assert_ok(json!({"grant_types": [], "response_types": [], "jwks": {"keys": [1, "two"]}}));
}

#[test]
fn jwks_must_hold_public_keys_only() {
    let public = json!({"kty": "EC", "crv": "P-256", "x": "AAAA", "y": "BBBB"});
    assert_ok(json!({"grant_types": ["client_credentials"], "jwks": {"keys": [public]}}));
    let secret = "c2VjcmV0LWtleS1tYXRlcmlhbC1kby1ub3QtZWNobw";
    for member in SECRET_MEMBERS {
        let mut key = public.clone();
        key[member] = json!(secret);
        for name in ["jwks", "jwks#en"] {
            let client = json!({"grant_types": ["client_credentials"], name: {"keys": [public, key]}});
            let error = assert_metadata_error(client);
            assert_eq!(
                error.description(),
                format!("{name}: key 1 holds private or secret key material; register public keys only")
            );
            assert!(!error.to_json().to_string().contains(secret));
        }
    }
    let oct = json!({"kty": "oct", "k": secret, "alg": "HS256"});
    assert_metadata_error(json!({"redirect_uris": ["https://a.example/cb"], "jwks": {"keys": [oct]}}));
}

#[test]
fn language_tags_must_be_well_formed() {
    for tag in [
        "",
        "toolongsubtag",
        "en--US",
        "-en",
        "en-",
        "en US",
        "é",
        "en_US",
        "a#b",
    ] {
        let name = format!("client_name#{tag}");
        assert_metadata_error(code_client_with(&name, json!("x")));
    }
    for tag in [
        "en",
        "ja-Jpan-JP",
        "x-private",
        "i-default",
        "zh-Hant-TW",
        "sr-Latn-RS-1994",
    ] {
        let name = format!("client_name#{tag}");
        assert_ok(code_client_with(&name, json!("x")));
    }
    assert_redirect_error(code_client_with("redirect_uris#", json!([])));
}

#[test]
fn duplicate_tags_differing_in_case_are_rejected() {
    let mut client = code_client_with("client_name#en-US", json!("a"));
    client["client_name#EN-us"] = json!("b");
    assert_metadata_error(client);
    // Same tag in different families is fine.
    let mut client = code_client_with("client_name#en", json!("a"));
    client["tos_uri#EN"] = json!("https://a.example/tos");
    assert_ok(client);
    let mut client = code_client_with("redirect_uris#en", json!([]));
    client["redirect_uris#EN"] = json!([]);
    assert_redirect_error(client);
}

#[test]
fn many_tagged_members_are_checked_in_linear_time() {
    // Past TAGGED_LINEAR tagged members the duplicate search is hashed: a case
    // variant is still found wherever the two spellings fall (both in the linear
    // part, one on each side, both past it).
    for (count, original) in [(5, 3), (300, 3), (300, TAGGED_LINEAR), (300, 200)] {
        let mut client = code_client_with("client_name", json!("a"));
        for i in 0..count {
            client[format!("client_name#t{i}")] = json!("x");
            client[format!("tos_uri#t{i}")] = json!("https://a.example/tos");
        }
        client[format!("client_name#T{original}")] = json!("y");
        let error = assert_metadata_error(client);
        assert!(
            error.description().contains("repeats a language tag"),
            "{count} {original}: {error:?}"
        );
    }
    // The same tag in two families is no duplicate, past the threshold too.
    let mut client = code_client_with("client_name", json!("a"));
    for i in 0..100 {
        client[format!("client_name#t{i}")] = json!("x");
        client[format!("tos_uri#T{i}")] = json!("https://a.example/tos");
    }
    assert_ok(client);
    // Tens of thousands of tagged members (a large request body) well within the
    // bound, even unoptimised: the linear search alone took seconds for this.
    let mut client = code_client_with("client_name", json!("a"));
    for i in 0..60_000 {
        client[format!("client_name#a{i}")] = json!("x");
    }
    let started = std::time::Instant::now();
    assert_ok(client);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

// ---- validation: jwks / jwks_uri --------------------------------------------

#[test]
fn jwks_and_jwks_uri_not_both() {
    let client = json!({
        "grant_types": ["client_credentials"],
        "response_types": [],
        "jwks": {"keys": []},
        "jwks_uri": "https://app.example/jwks.json",
    });
    let error = assert_metadata_error(client);
    assert_eq!(error.description(), "jwks and jwks_uri must not both be present");
    let client = json!({
        "grant_types": ["client_credentials"],
        "response_types": [],
        "jwks": {"keys": []},
        "jwks_uri#en": "https://app.example/jwks.json",
    });
    assert_metadata_error(client);
}

#[test]
fn jwks_uri_must_be_https() {
    for good in [
        "https://app.example/jwks.json",
        "HTTPS://app.example",
        "https://app.example:8443/k?x=1",
    ] {
        assert_ok(code_client_with("jwks_uri", json!(good)));
    }
    for bad in [
        "http://app.example/jwks.json",
        "https:app.example/jwks.json",
        "https:///jwks.json",
        "https://",
        "ftp://app.example/jwks.json",
        "http://127.0.0.1/jwks.json",
        "/jwks.json",
    ] {
        assert_metadata_error(code_client_with("jwks_uri", json!(bad)));
    }
    assert_metadata_error(code_client_with("jwks_uri#en", json!("http://app.example/jwks.json")));
}

#[test]
fn jwks_uri_http_loopback_when_allowed() {
    let options = ValidationOptions::default().allow_http_loopback(true);
    assert!(options.allows_http_loopback());
    for good in [
        "http://127.0.0.1/jwks.json",
        "http://127.1.2.3:8080/k",
        "http://[::1]:9000/k",
        "http://[::1]",
        "https://app.example/k",
    ] {
        check_with(code_client_with("jwks_uri", json!(good)), &options).unwrap();
    }
    for bad in [
        "http://localhost/jwks.json",
        "http://10.0.0.1/jwks.json",
        "http://128.0.0.1/",
        "http://127.0.0.1.evil.example/",
        "http://user@127.0.0.1/",
        "http://127.0.0.1:/",
        "http://127.0.0.1:80x/",
        "http://[::2]/",
        "http://[::1/",
    ] {
        assert_code(
            check_with(code_client_with("jwks_uri", json!(bad)), &options),
            ErrorCode::InvalidClientMetadata,
        );
    }
    assert_metadata_error(code_client_with("jwks_uri", json!("http://127.0.0.1/jwks.json")));
}

// ---- validation: token_endpoint_auth_method ----------------------------------

#[test]
fn token_endpoint_auth_method_must_be_allowed() {
    let error = assert_metadata_error(code_client_with("token_endpoint_auth_method", json!("magic")));
    assert!(error.description().contains("magic"));
    assert_metadata_error(code_client_with("token_endpoint_auth_method", json!("NONE")));

    let options = ValidationOptions::default().token_endpoint_auth_methods(["private_key_jwt"]);
    check_with(
        code_client_with("token_endpoint_auth_method", json!("private_key_jwt")),
        &options,
    )
    .unwrap();
    assert_code(
        check_with(
            code_client_with("token_endpoint_auth_method", json!("client_secret_post")),
            &options,
        ),
        ErrorCode::InvalidClientMetadata,
    );
    // Omitted means client_secret_basic (RFC 7591 §2), which this policy refuses.
    assert_code(
        check_with(json!({"redirect_uris": ["https://a.example/cb"]}), &options),
        ErrorCode::InvalidClientMetadata,
    );
    let basic_only = ValidationOptions::default().token_endpoint_auth_methods(["client_secret_basic"]);
    check_with(json!({"redirect_uris": ["https://a.example/cb"]}), &basic_only).unwrap();
    let none_only = ValidationOptions::default().token_endpoint_auth_methods(["none"]);
    assert_code(
        check_with(json!({"redirect_uris": ["https://a.example/cb"]}), &none_only),
        ErrorCode::InvalidClientMetadata,
    );
    let custom = ValidationOptions::default().token_endpoint_auth_methods(vec![String::from("x_custom")]);
    check_with(
        code_client_with("token_endpoint_auth_method", json!("x_custom")),
        &custom,
    )
    .unwrap();
}

// ---- validation: grant types -------------------------------------------------

#[test]
fn grant_types_must_be_allowed_when_restricted() {
    let options = ValidationOptions::default().grant_types(["authorization_code", "refresh_token"]);
    check_with(
        json!({"grant_types": ["authorization_code", "refresh_token"], "redirect_uris": ["https://a.example/cb"]}),
        &options,
    )
    .unwrap();
    let error = assert_code(
        check_with(
            json!({"grant_types": ["client_credentials"], "response_types": []}),
            &options,
        ),
        ErrorCode::InvalidClientMetadata,
    );
    assert!(error.description().contains("client_credentials"));
    // The default grant type is checked too.
    let only_cc = ValidationOptions::default().grant_types(["client_credentials"]);
    assert_code(
        check_with(json!({"redirect_uris": ["https://a.example/cb"]}), &only_cc),
        ErrorCode::InvalidClientMetadata,
    );
    // Back to any.
    let any = only_cc.any_grant_type();
    check_with(json!({"grant_types": ["urn:x:custom"], "response_types": []}), &any).unwrap();
}

#[test]
fn grant_and_response_types_must_be_consistent() {
    let uris = json!(["https://a.example/cb"]);
    let cases = [
        (json!(["authorization_code"]), json!(["token"])),
        (json!(["authorization_code"]), json!([])),
        (json!(["implicit"]), json!(["code"])),
        (json!(["implicit"]), json!([])),
        (json!(["client_credentials"]), json!(["code"])),
        (json!(["client_credentials"]), json!(["token"])),
        (json!(["client_credentials"]), json!(["id_token"])),
        (json!(["authorization_code"]), json!(["code", "token"])),
        (json!(["authorization_code"]), json!(["code id_token"])),
        (json!(["implicit"]), json!(["code token"])),
        (json!([]), json!(["code"])),
    ];
    for (grants, responses) in cases {
        let client = json!({"grant_types": grants, "response_types": responses, "redirect_uris": uris});
        assert_metadata_error(client);
    }
}

#[test]
fn defaults_are_used_for_consistency() {
    // grant_types omitted -> authorization_code, so response type token alone is inconsistent.
    let error = assert_metadata_error(json!({"response_types": ["token"], "redirect_uris": ["https://a.example/cb"]}));
    assert!(error.description().contains("grant_types defaults"), "{error}");
    // Both omitted: the defaults agree.
    assert_ok(json!({"redirect_uris": ["https://a.example/cb"]}));
}

#[test]
fn omitted_response_types_defaults_to_code_only_with_the_code_grant() {
    let uris = json!(["https://a.example/cb"]);
    // Without authorization_code, an omitted response_types counts as empty: no
    // `"response_types": []` needed.
    assert_ok(json!({"grant_types": ["client_credentials"]}));
    assert_ok(json!({"grant_types": ["client_credentials", "refresh_token"]}));
    assert_ok(json!({"grant_types": ["urn:ietf:params:oauth:grant-type:jwt-bearer"]}));
    assert_ok(json!({"grant_types": []}));
    // Saying so explicitly still works.
    assert_ok(json!({"grant_types": ["client_credentials"], "response_types": []}));
    // With authorization_code, it is ["code"].
    assert_ok(json!({"grant_types": ["authorization_code"], "redirect_uris": uris}));
    assert_ok(json!({"grant_types": ["refresh_token", "authorization_code"], "redirect_uris": uris}));
    // implicit needs token or id_token: counting an omitted response_types as
    // empty does not give it one.
    let error = assert_metadata_error(json!({"grant_types": ["implicit"], "redirect_uris": uris}));
    assert_eq!(
        error.description(),
        "grant type implicit requires response type token or id_token \
         (an omitted response_types counts as empty without the authorization_code grant)"
    );
    // authorization_code + implicit: the default ["code"] lacks token.
    let error = assert_metadata_error(json!({
        "grant_types": ["authorization_code", "implicit"],
        "redirect_uris": uris,
    }));
    assert_eq!(
        error.description(),
        "grant type implicit requires response type token or id_token (response_types defaults to [\"code\"])"
    );
    // A mistyped grant_types is a type error, not a consistency one.
    let error = assert_metadata_error(json!({"grant_types": "client_credentials"}));
    assert_eq!(error.description(), "grant_types must be an array of strings");
}

#[test]
fn omitted_response_types_writes_nothing() {
    let md = metadata(json!({"grant_types": ["client_credentials"]}));
    let before = md.clone();
    md.validate(&ValidationOptions::default()).unwrap();
    assert_eq!(md, before);
    assert_eq!(md.response_types(), None);
}

// ---- validation: redirect_uris ------------------------------------------------

#[test]
fn redirect_uris_required_for_redirect_grants() {
    assert_redirect_error(json!({}));
    assert_redirect_error(json!({"redirect_uris": []}));
    assert_redirect_error(json!({"grant_types": ["implicit"], "response_types": ["token"]}));
    assert_redirect_error(json!({"grant_types": ["implicit"], "response_types": ["token"], "redirect_uris": []}));
    assert_redirect_error(json!({"grant_types": ["refresh_token", "authorization_code"]}));
    // A tagged variant does not count.
    assert_redirect_error(json!({"redirect_uris#en": ["https://a.example/cb"]}));
    assert_ok(json!({"grant_types": ["client_credentials", "refresh_token"], "response_types": []}));
    assert_ok(json!({"grant_types": ["client_credentials"], "response_types": [], "redirect_uris": []}));
}

#[test]
fn redirect_uris_must_be_absolute_without_fragment() {
    let bad = [
        "/cb",
        "cb",
        "//app.example/cb",
        "",
        ":no-scheme",
        "1http://app.example/cb",
        "ht tp://app.example/cb",
        "h_t://app.example/cb",
        "https://app.example/cb#",
        "https://app.example/cb#frag",
        "https://app.example/c b",
        "https://app.example/cb\n",
        "https://app.example/\u{7f}",
    ];
    for uri in bad {
        let error = assert_redirect_error(json!({"redirect_uris": ["https://ok.example/cb", uri]}));
        assert!(error.description().starts_with("redirect_uris[1] "), "{error}");
    }
    let good = [
        "https://app.example/cb",
        "HTTPS://APP.EXAMPLE/CB",
        "com.example.app:/oauth2redirect",
        "urn:ietf:wg:oauth:2.0:oob",
        "a+b-c.d:x",
        "http://localhost:3000/cb?x=1&y=2",
        "https://例え.jp/コールバック",
    ];
    for uri in good {
        assert_ok(json!({"redirect_uris": [uri]}));
    }
}

#[test]
fn redirect_uri_schemes_when_restricted() {
    let options = ValidationOptions::default().redirect_uri_schemes(["https", "com.example.app"]);
    for uri in [
        "https://a.example/cb",
        "HTTPS://a.example/cb",
        "com.example.app:/cb",
        "COM.Example.App:/cb",
    ] {
        check_with(json!({"redirect_uris": [uri]}), &options).unwrap();
    }
    for uri in ["http://a.example/cb", "org.other:/cb", "javascript:alert(1)"] {
        let error = assert_code(
            check_with(json!({"redirect_uris": [uri]}), &options),
            ErrorCode::InvalidRedirectUri,
        );
        assert!(error.description().contains("scheme"), "{error}");
    }
    let any = options.any_redirect_uri_scheme();
    check_with(json!({"redirect_uris": ["http://a.example/cb"]}), &any).unwrap();
}

#[test]
fn other_uri_fields_must_be_absolute_without_fragment() {
    for field in [
        "client_uri",
        "logo_uri",
        "tos_uri",
        "policy_uri",
        "jwks_uri",
        "client_uri#en",
        "logo_uri#ja-Jpan-JP",
        "tos_uri#fr",
        "policy_uri#de",
    ] {
        for bad in [
            "/relative",
            "app.example",
            "https://app.example/#top",
            "https://app.example/a b",
            "9ttp://x",
        ] {
            let error = assert_metadata_error(code_client_with(field, json!(bad)));
            assert!(error.description().starts_with(field), "{error}");
        }
    }
    for field in ["client_uri", "logo_uri", "tos_uri", "policy_uri", "tos_uri#fr"] {
        for good in [
            "https://app.example/",
            "http://app.example/x?y",
            "data:image/png;base64,AAAA",
        ] {
            assert_ok(code_client_with(field, json!(good)));
        }
    }
}

#[test]
fn check_uri_returns_the_scheme() {
    assert_eq!(check_uri("https://a.example"), Ok("https"));
    assert_eq!(check_uri("A+1-.z:rest"), Ok("A+1-.z"));
    assert_eq!(check_uri("x:"), Ok("x"));
    assert_eq!(check_uri("no colon"), Err(UriProblem::NotAbsolute));
    assert_eq!(check_uri("+x:y"), Err(UriProblem::NotAbsolute));
    assert_eq!(check_uri("https://a.example#"), Err(UriProblem::Fragment));
    assert_eq!(check_uri("https://a.example/\t"), Err(UriProblem::ForbiddenCharacter));
}

// ---- error descriptions ---------------------------------------------------------

#[test]
fn descriptions_do_not_echo_key_material() {
    let secret = "c2VjcmV0LWtleS1tYXRlcmlhbC1kby1ub3QtZWNobw";
    let client = json!({
        "grant_types": ["client_credentials"],
        "response_types": [],
        "jwks": {"kty": "oct", "k": secret},
    });
    let error = assert_metadata_error(client);
    assert!(!error.description().contains(secret));
    assert!(!error.to_json().to_string().contains(secret));
    let client = json!({
        "grant_types": ["client_credentials"],
        "response_types": [],
        "jwks": {"keys": [{"kty": "oct", "k": secret}]},
        "jwks_uri": "https://a.example/jwks",
    });
    let error = assert_metadata_error(client);
    assert!(!error.description().contains(secret));
}

#[test]
fn descriptions_cut_long_names_and_escape_controls() {
    let long_tag = format!("client_name#{}", "a".repeat(300));
    let error = assert_metadata_error(code_client_with(&long_tag, json!("x")));
    assert!(error.description().len() < 150, "{}", error.description());
    assert!(error.description().contains('…'));
    let error = assert_metadata_error(code_client_with("token_endpoint_auth_method", json!("a\nb")));
    assert!(!error.description().contains('\n'));
    assert!(error.description().contains("a\\nb"));
    // Cut on a character boundary.
    let wide = format!("client_name#{}", "é".repeat(40));
    let error = assert_metadata_error(code_client_with(&wide, json!("x")));
    assert!(error.description().contains('…'));
}

// ---- options --------------------------------------------------------------------------

#[test]
fn options_defaults_and_getters() {
    let options = ValidationOptions::new();
    assert_eq!(options, ValidationOptions::default());
    assert_eq!(
        options.token_endpoint_auth_methods_allowed().collect::<Vec<_>>(),
        IANA_TOKEN_ENDPOINT_AUTH_METHODS
    );
    assert!(options.grant_types_allowed().is_none());
    assert!(options.redirect_uri_schemes_allowed().is_none());
    assert!(!options.allows_http_loopback());
    assert!(options.allows_grant_type("anything"));
    assert!(options.allows_redirect_uri_scheme("anything"));
    let options = options.grant_types(["a"]).redirect_uri_schemes(["https"]);
    assert_eq!(options.grant_types_allowed().unwrap().collect::<Vec<_>>(), ["a"]);
    assert_eq!(
        options.redirect_uri_schemes_allowed().unwrap().collect::<Vec<_>>(),
        ["https"]
    );
}
