//! The registration rules that make the step safe on the open internet, one named test per
//! rule (merge rules 10–14 and security rule 9 of the README): each would fail if the
//! rule's check were removed. The table-driven cases in `test-vectors/registration/` cover
//! the same rules end to end; these tests name them.

use serde_json::{json, Map, Value};
use software_statement::{
    Algorithm, ErrorCode, IssuerPolicy, Jwk, JwkSet, Registrar, RegistrationError, SignedRequestPolicy,
    StatementBuilder, TrustFile, UnknownMembers, ValidationOptions, Verifier, SERVER_ISSUED_MEMBERS,
};

const ISS: &str = "https://publisher.example.com";

fn key() -> Jwk {
    Jwk::generate(Algorithm::ES256).unwrap()
}

fn registrar(key: &Jwk) -> Registrar {
    let verifier = Verifier::builder()
        .issuer(
            ISS,
            IssuerPolicy::with_jwks(JwkSet::new(vec![key.to_public().unwrap()]).unwrap()),
        )
        .build();
    Registrar::new(verifier)
}

fn object(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        other => panic!("not an object: {other}"),
    }
}

/// A valid request to build on.
fn base() -> Map<String, Value> {
    object(json!({"redirect_uris": ["https://client.example.net/cb"]}))
}

fn with(member: &str, value: Value) -> Map<String, Value> {
    let mut m = base();
    m.insert(member.into(), value);
    m
}

#[track_caller]
fn refused(r: &Registrar, request: &Map<String, Value>, code: ErrorCode) -> RegistrationError {
    match r.register(request) {
        Ok(reg) => panic!("accepted: {}", reg.to_json()),
        Err(e) => {
            assert_eq!(e.code(), code, "{e}");
            e
        }
    }
}

// ---- merge rule 10: server-issued members --------------------------------------------------

#[test]
fn rule_5_10_server_issued_members_are_refused_in_a_request() {
    let k = key();
    let r = registrar(&k);
    for member in SERVER_ISSUED_MEMBERS {
        for name in [member.to_string(), format!("{member}#en")] {
            let e = refused(&r, &with(&name, json!("mine")), ErrorCode::InvalidClientMetadata);
            assert!(e.description().contains(member), "{e}");
        }
    }
    r.register(&base()).expect("positive control");
}

#[test]
fn rule_5_10_server_issued_members_are_refused_in_a_statement() {
    let k = key();
    let r = registrar(&k);
    for member in SERVER_ISSUED_MEMBERS {
        let token = StatementBuilder::new(ISS)
            .claim(member, "from-the-publisher")
            .sign(&k)
            .unwrap();
        let e = refused(
            &r,
            &with("software_statement", json!(token)),
            ErrorCode::InvalidSoftwareStatement,
        );
        assert!(e.description().contains(member), "{e}");
    }
    let token = StatementBuilder::new(ISS).claim("software_id", "s").sign(&k).unwrap();
    r.register(&with("software_statement", json!(token)))
        .expect("positive control");
}

// ---- merge rule 11: unknown members --------------------------------------------------------

#[test]
fn rule_5_11_unknown_members_are_kept_dropped_or_refused_by_policy() {
    let k = key();
    let request = {
        let mut m = with("x_vendor", json!(1));
        m.insert("org_id".into(), json!("o-1"));
        m.insert("client_name#en".into(), json!("App"));
        m
    };
    // keep (the default): kept as sent.
    let kept = registrar(&k).register(&request).unwrap();
    assert!(kept.metadata.get("x_vendor").is_some());
    assert!(kept.ignored.is_empty());
    // drop: left out and reported; registered and declared members stay.
    let options = ValidationOptions::default()
        .unknown_members(UnknownMembers::Drop)
        .extensions(["org_id"]);
    let dropped = registrar(&k).validation(options).register(&request).unwrap();
    assert_eq!(dropped.ignored, ["x_vendor"]);
    assert!(dropped.metadata.get("x_vendor").is_none());
    assert!(dropped.metadata.get("org_id").is_some());
    assert!(dropped.metadata.get("client_name#en").is_some());
    assert_eq!(dropped.to_json()["ignored"], json!(["x_vendor"]));
    // reject: refused, naming the member.
    let strict = registrar(&k).validation(ValidationOptions::default().unknown_members(UnknownMembers::Reject));
    let e = refused(&strict, &request, ErrorCode::InvalidClientMetadata);
    assert!(e.description().contains("x_vendor"), "{e}");
    // A statement's claims are attested: kept whatever the policy.
    let token = StatementBuilder::new(ISS).claim("x_attested", true).sign(&k).unwrap();
    let reg = strict.register(&with("software_statement", json!(token))).unwrap();
    assert_eq!(reg.metadata.get("x_attested"), Some(&json!(true)));
}

// ---- merge rule 12: URIs -------------------------------------------------------------------

#[test]
fn rule_5_12_script_and_local_schemes_are_never_redirect_uris() {
    let k = key();
    let any = registrar(&k).validation(ValidationOptions::default().any_redirect_uri_scheme());
    for uri in [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "data:text/html,hi",
        "vbscript:msgbox",
        "file:///etc/passwd",
        "blob:https://a.example/1",
        "about:blank",
        "filesystem:https://a.example/x",
    ] {
        refused(
            &any,
            &with("redirect_uris", json!([uri])),
            ErrorCode::InvalidRedirectUri,
        );
    }
    any.register(&with("redirect_uris", json!(["urn:ietf:wg:oauth:2.0:oob"])))
        .expect("any other scheme, when the policy allows any");
}

#[test]
fn rule_5_12_default_redirect_policy_is_https_loopback_and_private_use() {
    let k = key();
    let r = registrar(&k);
    for uri in [
        "https://client.example.net/cb",
        "http://127.0.0.1:53123/cb",
        "http://[::1]/cb",
        "http://localhost:8080/cb",
        "com.example.app:/oauth2redirect",
    ] {
        r.register(&with("redirect_uris", json!([uri])))
            .unwrap_or_else(|e| panic!("{uri}: {e}"));
    }
    for uri in [
        "http://evil.example/cb",
        "http://127.0.0.1.evil.example/cb",
        "myapp:/cb",
        "https://client.example.net/cb#frag",
        "https://client.example.net/c b",
        "http://user@127.0.0.1/cb",
        // Loopback is http only.
        "ftp://127.0.0.1/cb",
        "ws://localhost/cb",
        // A loopback host followed by anything but a port.
        "http://[::1]evil.example/cb",
        "http://127.0.0.1:80.evil.example/cb",
    ] {
        refused(&r, &with("redirect_uris", json!([uri])), ErrorCode::InvalidRedirectUri);
    }
    // The same policy for post_logout_redirect_uris, as invalid_client_metadata.
    refused(
        &r,
        &with("post_logout_redirect_uris", json!(["javascript:alert(1)"])),
        ErrorCode::InvalidClientMetadata,
    );
    // An operator's policy: https only.
    let https = registrar(&k).validation(ValidationOptions::default().redirect_uri_schemes(["https"]));
    refused(
        &https,
        &with("redirect_uris", json!(["http://127.0.0.1/cb"])),
        ErrorCode::InvalidRedirectUri,
    );
}

#[test]
fn rule_5_12_other_uri_members_are_https_without_userinfo() {
    let k = key();
    let r = registrar(&k);
    for member in [
        "client_uri",
        "logo_uri",
        "tos_uri",
        "policy_uri",
        "jwks_uri",
        "sector_identifier_uri",
        "initiate_login_uri",
        "logo_uri#fr",
    ] {
        for bad in [
            "http://client.example.net/x",
            "https://user:pass@client.example.net/x",
            "https://user@client.example.net/x",
            "data:image/png;base64,AAAA",
        ] {
            let e = refused(&r, &with(member, json!(bad)), ErrorCode::InvalidClientMetadata);
            assert!(e.description().starts_with(member), "{e}");
        }
        r.register(&with(member, json!("https://client.example.net/x")))
            .unwrap_or_else(|e| panic!("{member}: {e}"));
    }
    refused(
        &r,
        &with("request_uris", json!(["http://client.example.net/r"])),
        ErrorCode::InvalidClientMetadata,
    );
}

#[test]
fn rule_5_12_client_jwks_uri_never_names_a_non_global_address() {
    let k = key();
    let r = registrar(&k);
    for uri in [
        "https://169.254.169.254/latest/meta-data",
        "https://10.0.0.1/jwks",
        "https://127.0.0.1/jwks",
        "https://[::1]/jwks",
        "https://[fd00::1]/jwks",
        "http://127.0.0.1/jwks",
    ] {
        refused(&r, &with("jwks_uri", json!(uri)), ErrorCode::InvalidClientMetadata);
    }
    r.register(&with("jwks_uri", json!("https://8.8.8.8/jwks")))
        .expect("a global address");
    // With allow_http_loopback (development), loopback literals only.
    let dev = registrar(&k).validation(ValidationOptions::default().allow_http_loopback(true));
    dev.register(&with("jwks_uri", json!("http://127.0.0.1:8080/jwks")))
        .unwrap();
    refused(
        &dev,
        &with("jwks_uri", json!("https://169.254.169.254/x")),
        ErrorCode::InvalidClientMetadata,
    );
}

// ---- merge rule 13: auth method and keys ----------------------------------------------------

#[test]
fn rule_5_13_auth_methods_need_their_keys_or_certificate() {
    let k = key();
    let r = registrar(&k);
    let req = |members: Value| {
        let mut m = base();
        m.extend(object(members));
        m
    };
    for method in ["private_key_jwt", "self_signed_tls_client_auth"] {
        refused(
            &r,
            &req(json!({"token_endpoint_auth_method": method})),
            ErrorCode::InvalidClientMetadata,
        );
        r.register(&req(
            json!({"token_endpoint_auth_method": method, "jwks_uri": "https://client.example.net/jwks"}),
        ))
        .unwrap_or_else(|e| panic!("{method}: {e}"));
    }
    refused(
        &r,
        &req(json!({"token_endpoint_auth_method": "tls_client_auth"})),
        ErrorCode::InvalidClientMetadata,
    );
    refused(
        &r,
        &req(json!({"token_endpoint_auth_method": "tls_client_auth",
            "tls_client_auth_subject_dn": "CN=a", "tls_client_auth_san_dns": "a.example"})),
        ErrorCode::InvalidClientMetadata,
    );
    r.register(&req(
        json!({"token_endpoint_auth_method": "tls_client_auth", "tls_client_auth_san_dns": "a.example"}),
    ))
    .unwrap();
    let cc = object(json!({"grant_types": ["client_credentials"], "token_endpoint_auth_method": "none"}));
    refused(&r, &cc, ErrorCode::InvalidClientMetadata);
    let public_code_client = req(json!({"token_endpoint_auth_method": "none"}));
    r.register(&public_code_client).expect("none with the code grant");
}

// ---- merge rule 14: bounds -------------------------------------------------------------------

#[test]
fn rule_5_14_body_size_depth_and_key_count_are_bounded() {
    let k = key();
    let r = registrar(&k).max_request_bytes(1024);
    let small = serde_json::to_string(&base()).unwrap();
    r.register_json(&small).unwrap();
    let big = serde_json::to_string(&with("client_name", json!("x".repeat(1024)))).unwrap();
    let e = r.register_json(&big).unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidClientMetadata);
    assert!(e.description().contains("1024"), "{e}");
    let deep = format!("{{\"x\":{}1{}}}", "[".repeat(40), "]".repeat(40));
    assert_eq!(
        registrar(&k).register_json(&deep).unwrap_err().code(),
        ErrorCode::InvalidClientMetadata
    );
    // Key count: checked before any key is parsed (17 keys of garbage are refused for their
    // number, not for their content).
    let many = Value::Array((0..17).map(|i| json!({"kty": "EC", "kid": i})).collect());
    let e = refused(
        &registrar(&k),
        &with("jwks", json!({ "keys": many })),
        ErrorCode::InvalidClientMetadata,
    );
    assert!(e.description().contains("17 keys"), "{e}");
    let one = registrar(&k).validation(ValidationOptions::default().max_client_keys(1));
    let two = json!({"keys": [key().to_public().unwrap().to_value(), key().to_public().unwrap().to_value()]});
    refused(&one, &with("jwks", two), ErrorCode::InvalidClientMetadata);
    // A signed (application/jwt) body is bounded too, by its size as received, before parsing.
    let signed = registrar(&k)
        .signed_requests(SignedRequestPolicy::new("https://as.example"))
        .max_request_bytes(1024);
    let padded = format!("a.b.c{}", " ".repeat(1024));
    let e = signed.register_body(padded.as_bytes(), "application/jwt").unwrap_err();
    assert!(e.description().contains("1029 bytes"), "{e}");
}

// ---- security rule 9: safe descriptions --------------------------------------------------------

#[test]
fn rule_4_9_error_descriptions_are_bounded_ascii_without_quotes() {
    let k = key();
    let r = registrar(&k);
    // An attacker-chosen typ of 3 KB, a member name with quotes, controls and non-ASCII.
    let long_typ = "t".repeat(3000);
    let strict = Registrar::new(
        Verifier::builder()
            .issuer(
                ISS,
                IssuerPolicy::with_jwks(JwkSet::new(vec![k.to_public().unwrap()]).unwrap()).typ("JWT"),
            )
            .build(),
    );
    let token = StatementBuilder::new(ISS).typ(long_typ.clone()).sign(&k).unwrap();
    let typ_error = refused(
        &strict,
        &with("software_statement", json!(token)),
        ErrorCode::InvalidSoftwareStatement,
    );
    let name = format!("client_name#\"\\\u{2026}\n{}", "\u{e9}".repeat(100));
    let name_error = refused(&r, &with(&name, json!("x")), ErrorCode::InvalidClientMetadata);
    for e in [typ_error, name_error] {
        let d = e.description();
        assert!(d.len() <= software_statement::MAX_DESCRIPTION, "{} bytes", d.len());
        assert!(
            d.chars().all(|c| matches!(c, ' '..='~') && c != '"' && c != '\\'),
            "{d}"
        );
        assert!(!d.contains(&"t".repeat(65)), "quoted input is cut to 64 bytes: {d}");
        assert_eq!(e.to_json()["error_description"], d);
    }
    // Quoted attacker text: '"', '\\', '\'' and anything outside RFC 6749 section 5.2 become '?'.
    let d = refused(
        &r,
        &with("client_name#\"\\'\u{e9}", json!("x")),
        ErrorCode::InvalidClientMetadata,
    )
    .description()
    .to_owned();
    assert!(d.starts_with("client_name#???? "), "{d}");
    // The last line of defence, for text that is not quoted: every description is mapped and cut.
    let raw = RegistrationError::invalid_client_metadata(format!("a\"b\\c\u{e9}\n{}", "x".repeat(400)));
    assert!(raw.description().starts_with("a'b/c??x"), "{}", raw.description());
    assert_eq!(raw.description().len(), software_statement::MAX_DESCRIPTION);
}

// ---- the trust file's registration object ----------------------------------------------------

#[test]
fn trust_file_registration_object_configures_the_registrar() {
    let k = key();
    let doc = json!({
        "issuers": {ISS: {"jwks": {"keys": [k.to_public().unwrap().to_value()]}, "required_claims": ["software_id"]}},
        "registration": {
            "unknown_members": "drop",
            "extensions": ["org_id"],
            "redirect_uri_schemes": ["https"],
            "max_client_keys": 2,
            "max_request_bytes": 2048
        }
    });
    let trust = TrustFile::from_json(&doc.to_string(), "t.json", None).unwrap();
    let r = Registrar::from_trust_file(&trust);
    let mut request = with("x_vendor", json!(1));
    request.insert("org_id".into(), json!("o"));
    let reg = r.register(&request).unwrap();
    assert_eq!(reg.ignored, ["x_vendor"]);
    refused(
        &r,
        &with("redirect_uris", json!(["http://127.0.0.1/cb"])),
        ErrorCode::InvalidRedirectUri,
    );
    assert!(r.register_json(&"x".repeat(2049)).is_err());
    for (bad, needle) in [
        (json!({"unknown_members": "maybe"}), "unknown_members"),
        (json!({"redirect_uri_schemes": ["https", "javascript"]}), "javascript"),
        (json!({"max_request_bytes": 0}), "max_request_bytes"),
        (json!({"max_client_keys": "16"}), "max_client_keys"),
        (json!({"unknwn": 1}), "unknown member"),
    ] {
        let doc =
            json!({"issuers": {ISS: {"jwks": {"keys": [k.to_public().unwrap().to_value()]}}}, "registration": bad});
        let e = TrustFile::from_json(&doc.to_string(), "t.json", None).unwrap_err();
        assert!(e.to_string().contains(needle), "{bad}: {e}");
    }
}

// ---- issuer profiles (smoke; the table-driven cases are in test-vectors/profiles) ----------

#[test]
fn openbanking_uk_profile_maps_software_claims_and_takes_a_redirect_subset() {
    let k = Jwk::generate(Algorithm::ES256).unwrap();
    let doc =
        json!({"issuers": {ISS: {"jwks": {"keys": [k.to_public().unwrap().to_value()]}, "profile": "openbanking-uk"}}});
    let trust = TrustFile::from_json(&doc.to_string(), "t.json", None).unwrap();
    let r = Registrar::from_trust_file(&trust);
    let ssa = StatementBuilder::new(ISS)
        .claim("software_id", "ob-1")
        .claim("software_client_name", "OB App")
        .claim(
            "software_redirect_uris",
            json!(["https://ob.example/a", "https://ob.example/b"]),
        )
        .claim("software_jwks_endpoint", "https://keystore.example/ob-1.jwks")
        .sign(&k)
        .unwrap();
    let mut request = with("software_statement", json!(ssa));
    request.insert("redirect_uris".into(), json!(["https://ob.example/b"]));
    let reg = r.register(&request).unwrap();
    assert_eq!(reg.metadata.client_name(), Some("OB App"));
    assert_eq!(reg.metadata.redirect_uris(), Some(vec!["https://ob.example/b"]));
    assert_eq!(reg.metadata.jwks_uri(), Some("https://keystore.example/ob-1.jwks"));
    assert!(!reg.overridden.contains(&"redirect_uris".to_owned()));
    request.insert("redirect_uris".into(), json!(["https://evil.example/cb"]));
    refused(&r, &request, ErrorCode::InvalidRedirectUri);
    request.insert("redirect_uris".into(), json!(["https://ob.example/b"]));
    request.insert("jwks".into(), json!({"keys": []}));
    refused(&r, &request, ErrorCode::InvalidClientMetadata);
}

#[test]
fn profile_configuration_mistakes_are_refused() {
    let k = key();
    let jwks = json!({"keys": [k.to_public().unwrap().to_value()]});
    for (entry, needle) in [
        (
            json!({"jwks": jwks, "claim_map": {"software_client_id": "client_id"}}),
            "only the server issues",
        ),
        (
            json!({"jwks": jwks, "profile": "open-finance-brasil", "max_age": null}),
            "null",
        ),
        (json!({"jwks": jwks, "profile": "gaia-x"}), "profile"),
        (json!({"jwks": jwks, "claim_map": {"x": "iss"}}), "JWT claim"),
    ] {
        let doc = json!({"issuers": {ISS: entry.clone()}});
        let e = TrustFile::from_json(&doc.to_string(), "t.json", None).unwrap_err();
        assert_eq!(e.issuer.as_deref(), Some(ISS), "{entry}");
        assert!(e.to_string().contains(needle), "{entry}: {e}");
    }
}
