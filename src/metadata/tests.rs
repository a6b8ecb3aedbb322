//! Unit tests of metadata validation.
//!
//! A request → outcome check of `validate` belongs in the registration cases
//! (`test-vectors/registration/validation.json` and `hooks.json`, run end to end through
//! `Registrar::register`). Here: the helpers and accessors, sweeps across every RFC 7591
//! field, what the registrar would not let through (unparsed `jwks` keys, options lifted
//! again), sizes, and the tests `ARCHITECTURE.md` names as the pins of its rules.

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
fn every_iana_auth_method_is_accepted_by_default() {
    for method in IANA_TOKEN_ENDPOINT_AUTH_METHODS {
        let mut client = code_client_with("token_endpoint_auth_method", json!(method));
        // Merge rule 13: what each method needs besides itself.
        match method {
            "private_key_jwt" | "self_signed_tls_client_auth" => client["jwks_uri"] = json!("https://app.example/jwks"),
            "tls_client_auth" => client["tls_client_auth_subject_dn"] = json!("CN=app"),
            _ => {}
        }
        assert_ok(client);
    }
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

/// `validate` checks the shape of a JWK Set, not its keys: the registrar parses them next
/// (case `validate-jwks-with-an-invalid-key`).
#[test]
fn validate_does_not_parse_jwks_keys() {
    assert_ok(json!({"grant_types": [], "response_types": [], "jwks": {"keys": [1, "two"]}}));
    assert_ok(json!({
        "grant_types": ["client_credentials"],
        "response_types": [],
        "token_endpoint_auth_method": "tls_client_auth",
        "tls_client_auth_san_dns": "client.example",
        "jwks": {"keys": [{"kty": "EC"}]},
    }));
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

// ---- validation: grant types -------------------------------------------------

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

// ---- validation: redirect_uris ------------------------------------------------

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
        "a+b-c.d:x",
        "http://localhost:3000/cb?x=1&y=2",
        "https://例え.jp/コールバック",
    ];
    for uri in good {
        assert_ok(json!({"redirect_uris": [uri]}));
    }
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
        for good in ["https://app.example/", "https://app.example:8443/x?y"] {
            assert_ok(code_client_with(field, json!(good)));
        }
        // Merge rule 12: https only, no user information.
        for bad in [
            "http://app.example/x?y",
            "data:image/png;base64,AAAA",
            "https://user:pass@app.example/",
            "https:///path",
        ] {
            let error = assert_metadata_error(code_client_with(field, json!(bad)));
            assert!(error.description().starts_with(field), "{error}");
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
    assert!(error.description().contains("..."));
    let error = assert_metadata_error(code_client_with("token_endpoint_auth_method", json!("a\nb")));
    assert!(!error.description().contains('\n'));
    assert!(error.description().contains("a?b"));
    // Cut on a character boundary; non-ASCII replaced (security rule 9).
    let wide = format!("client_name#{}", "é".repeat(40));
    let error = assert_metadata_error(code_client_with(&wide, json!("x")));
    assert!(error.description().contains("..."));
    assert!(error
        .description()
        .chars()
        .all(|c| matches!(c, ' '..='~') && c != '"' && c != '\\'));
}

// ---- options --------------------------------------------------------------------------

#[test]
fn options_defaults_and_getters() {
    let options = ValidationOptions::new();
    assert_eq!(options, ValidationOptions::default());
    assert_eq!(
        options.allowed_token_endpoint_auth_methods().collect::<Vec<_>>(),
        IANA_TOKEN_ENDPOINT_AUTH_METHODS
    );
    assert!(options.allowed_grant_types().is_none());
    assert_eq!(
        options.allowed_redirect_uri_schemes().unwrap().collect::<Vec<_>>(),
        DEFAULT_REDIRECT_URI_SCHEMES
    );
    assert!(!options.allows_http_loopback());
    assert!(options.allows_grant_type("anything"));
    assert_eq!(options.allowed_client_keys(), DEFAULT_MAX_CLIENT_KEYS);
    assert_eq!(options.unknown_member_policy(), UnknownMembers::Keep);
    // The default redirect URI policy: https, loopback http, private-use schemes.
    for uri in [
        "https://a.example/cb",
        "http://127.0.0.1:8080/cb",
        "http://[::1]/cb",
        "http://localhost/cb",
        "com.example.app:/cb",
    ] {
        assert!(options.allows_redirect_uri(uri), "{uri}");
    }
    for uri in [
        "http://a.example/cb",
        "http://user@127.0.0.1/cb",
        "http://127.0.0.1.evil.example/cb",
        "myapp:/cb",
        "urn:ietf:wg:oauth:2.0:oob",
    ] {
        assert!(!options.allows_redirect_uri(uri), "{uri}");
    }
    let options = options.grant_types(["a"]).redirect_uri_schemes(["https"]);
    assert_eq!(options.allowed_grant_types().unwrap().collect::<Vec<_>>(), ["a"]);
    assert_eq!(
        options.allowed_redirect_uri_schemes().unwrap().collect::<Vec<_>>(),
        ["https"]
    );
}

/// A restriction lifted again (the registration cases set options once).
#[test]
fn options_back_to_any() {
    let only_cc = ValidationOptions::default().grant_types(["client_credentials"]);
    let any = only_cc.any_grant_type();
    assert!(any.allowed_grant_types().is_none());
    check_with(json!({"grant_types": ["urn:x:custom"], "response_types": []}), &any).unwrap();
    let schemes = ValidationOptions::default().redirect_uri_schemes(["https", "com.example.app"]);
    let any = schemes.any_redirect_uri_scheme();
    assert!(any.allowed_redirect_uri_schemes().is_none());
    check_with(json!({"redirect_uris": ["http://a.example/cb"]}), &any).unwrap();
    assert!(ValidationOptions::default()
        .allow_http_loopback(true)
        .allows_http_loopback());
}
