//! RFC 7592 updates (`Registrar::update`): one test per rule of the README's "Updating a
//! registration". A registration policy that is not re-validated on update was
//! Keycloak CVE-2026-15572: here every update runs the whole registration step again.

use serde_json::{json, Map, Value};
use software_statement::{
    Algorithm, ClientMetadata, ErrorCode, IssuerPolicy, Jwk, JwkSet, Registrar, StatementBuilder, Verifier,
};

const ISS: &str = "https://publisher.example.com";

fn setup() -> (Registrar, Jwk, Jwk) {
    let publisher = Jwk::generate(Algorithm::ES256).unwrap();
    let other = Jwk::generate(Algorithm::ES256).unwrap();
    let verifier = Verifier::builder()
        .issuer(
            ISS,
            IssuerPolicy::with_jwks(JwkSet::new(vec![publisher.to_public().unwrap()]).unwrap()),
        )
        .issuer(
            "https://other.example.com",
            IssuerPolicy::with_jwks(JwkSet::new(vec![other.to_public().unwrap()]).unwrap()),
        )
        .build();
    (Registrar::new(verifier), publisher, other)
}

fn statement(key: &Jwk, iss: &str, software_id: &str, name: &str) -> String {
    StatementBuilder::new(iss)
        .claim("software_id", software_id)
        .claim("client_name", name)
        .claim("redirect_uris", ["https://app.example/cb"])
        .sign(key)
        .unwrap()
}

fn object(v: Value) -> Map<String, Value> {
    v.as_object().unwrap().clone()
}

/// A client registered with a statement, as the server stored it.
fn registered(r: &Registrar, ssa: &str) -> ClientMetadata {
    let reg = r.register(&object(json!({"software_statement": ssa}))).unwrap();
    let mut stored = reg.metadata.into_map();
    stored.insert("client_id".into(), json!("c-1"));
    stored.insert("client_secret".into(), json!("s-1"));
    ClientMetadata::from_map(stored)
}

#[test]
fn an_update_re_verifies_the_statement_and_reports_what_changed() {
    let (r, publisher, _) = setup();
    let current = registered(&r, &statement(&publisher, ISS, "app-1", "App"));
    let newer = statement(&publisher, ISS, "app-1", "App v2");
    let update = r
        .update(
            &current,
            &object(json!({"client_id": "c-1", "software_statement": newer, "scope": "read"})),
        )
        .unwrap();
    assert_eq!(update.registration.metadata.client_name(), Some("App v2"));
    assert!(
        update.changed.contains(&"client_name".to_owned()),
        "{:?}",
        update.changed
    );
    assert!(update.changed.contains(&"scope".to_owned()));
    assert!(update.changed.contains(&"software_statement".to_owned()));
    assert!(!update.changed.iter().any(|n| n == "client_id" || n == "client_secret"));
    // A forged statement in an update is refused, as at registration.
    let forged = statement(&Jwk::generate(Algorithm::ES256).unwrap(), ISS, "app-1", "Evil");
    let e = r
        .update(
            &current,
            &object(json!({"client_id": "c-1", "software_statement": forged})),
        )
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidSoftwareStatement);
}

#[test]
fn an_update_needs_the_statement_again_when_registered_with_one() {
    let (r, publisher, _) = setup();
    let current = registered(&r, &statement(&publisher, ISS, "app-1", "App"));
    let e = r
        .update(&current, &object(json!({"client_id": "c-1", "client_name": "No SSA"})))
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidSoftwareStatement);
}

#[test]
fn an_update_cannot_change_software_id_or_issuer() {
    let (r, publisher, other) = setup();
    let current = registered(&r, &statement(&publisher, ISS, "app-1", "App"));
    let other_software = statement(&publisher, ISS, "app-2", "App");
    let e = r
        .update(
            &current,
            &object(json!({"client_id": "c-1", "software_statement": other_software})),
        )
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidSoftwareStatement);
    assert!(e.description().contains("software_id"), "{e}");
    let other_issuer = statement(&other, "https://other.example.com", "app-1", "App");
    let e = r
        .update(
            &current,
            &object(json!({"client_id": "c-1", "software_statement": other_issuer})),
        )
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidSoftwareStatement);
    assert!(e.description().contains("issuer"), "{e}");
}

#[test]
fn an_update_must_name_this_client() {
    let (r, publisher, _) = setup();
    let ssa = statement(&publisher, ISS, "app-1", "App");
    let current = registered(&r, &ssa);
    for request in [
        json!({"software_statement": ssa}),
        json!({"client_id": "c-2", "software_statement": ssa}),
    ] {
        let e = r.update(&current, &object(request)).unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidClientMetadata);
    }
    r.update(
        &current,
        &object(json!({"client_id": "c-1", "software_statement": ssa})),
    )
    .expect("positive control");
}

#[test]
fn an_update_cannot_set_server_issued_members() {
    let (r, publisher, _) = setup();
    let ssa = statement(&publisher, ISS, "app-1", "App");
    let current = registered(&r, &ssa);
    for member in [
        "registration_access_token",
        "registration_client_uri",
        "client_id_issued_at",
        "client_secret_expires_at",
    ] {
        let e = r
            .update(
                &current,
                &object(json!({"client_id": "c-1", "software_statement": ssa, member: "x"})),
            )
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidClientMetadata, "{member}");
        assert!(e.description().contains(member), "{e}");
        assert!(
            e.description().contains("RFC 7592"),
            "refused by the update rule itself: {e}"
        );
    }
}

#[test]
fn an_update_client_secret_must_be_the_current_one() {
    let (r, publisher, _) = setup();
    let ssa = statement(&publisher, ISS, "app-1", "App");
    let current = registered(&r, &ssa);
    let e = r
        .update(
            &current,
            &object(json!({"client_id": "c-1", "client_secret": "guess", "software_statement": ssa})),
        )
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidClientMetadata);
    r.update(
        &current,
        &object(json!({"client_id": "c-1", "client_secret": "s-1", "software_statement": ssa})),
    )
    .expect("the current secret may be sent back");
}

#[test]
fn an_update_runs_the_whole_registration_policy_again() {
    let (r, publisher, _) = setup();
    let ssa = statement(&publisher, ISS, "app-1", "App");
    let current = registered(&r, &ssa);
    // A redirect URI the registration would refuse is refused on update too.
    let e = r
        .update(
            &current,
            &object(
                json!({"client_id": "c-1", "software_statement": ssa, "post_logout_redirect_uris": ["javascript:x"]}),
            ),
        )
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidClientMetadata);
}
