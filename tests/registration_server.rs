//! The example registration endpoint, started on loopback and driven with a real HTTP client.

#[path = "../examples/registration_server.rs"]
#[allow(dead_code)]
mod server;

use std::sync::Arc;

use serde_json::{json, Value};
use software_statement::{Algorithm, IssuerPolicy, Jwk, JwkSet, Registrar, StatementBuilder, Verifier};

const ISS: &str = "https://publisher.example.com";

async fn start() -> (String, Jwk) {
    let key = Jwk::generate(Algorithm::ES256).unwrap();
    let verifier = Verifier::builder()
        .issuer(
            ISS,
            IssuerPolicy::with_jwks(JwkSet::new(vec![key.to_public().unwrap()]).unwrap()),
        )
        .build();
    let registrar = Arc::new(Registrar::new(verifier));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/register", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, server::app(registrar)).await.unwrap() });
    (url, key)
}

async fn post(url: &str, content_type: &str, body: String) -> (u16, Option<String>, Value) {
    let response = reqwest::Client::new()
        .post(url)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let cache = response
        .headers()
        .get("cache-control")
        .map(|v| v.to_str().unwrap().to_owned());
    let body: Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
    (status, cache, body)
}

#[tokio::test]
async fn statement_registration_is_created_with_the_statement_echoed() {
    let (url, key) = start().await;
    let statement = StatementBuilder::new(ISS)
        .claim("software_id", "4NRB1-0XZABZI9E6-5SM3R")
        .claim("client_name", "Example Statement-based Client")
        .claim("redirect_uris", ["https://client.example.net/callback"])
        .sign(&key)
        .unwrap();
    let request = json!({
        "redirect_uris": ["https://attacker.example/cb"],
        "client_name": "Unattested",
        "token_endpoint_auth_method": "client_secret_basic",
        "software_statement": statement,
    });
    let (status, cache, body) = post(&url, "application/json", request.to_string()).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(cache.as_deref(), Some("no-store"));
    assert_eq!(body["client_id"].as_str().unwrap().len(), 22);
    assert!(body["client_id_issued_at"].as_u64().unwrap() > 1_700_000_000);
    assert_eq!(body["client_name"], "Example Statement-based Client");
    assert_eq!(body["redirect_uris"], json!(["https://client.example.net/callback"]));
    assert_eq!(body["token_endpoint_auth_method"], "client_secret_basic");
    assert_eq!(body["software_statement"], statement);
    // A confidential client gets a secret, issued by the server.
    assert_eq!(body["client_secret"].as_str().unwrap().len(), 43);
    assert_eq!(body["client_secret_expires_at"], 0);
}

#[tokio::test]
async fn a_request_cannot_choose_its_client_id_or_secret() {
    let (url, _) = start().await;
    for member in [
        "client_id",
        "client_secret",
        "registration_access_token",
        "client_id_issued_at",
    ] {
        let mut request = json!({"redirect_uris": ["https://client.example.net/cb"]});
        request[member] = json!("chosen-by-the-registrant");
        let (status, _, body) = post(&url, "application/json", request.to_string()).await;
        assert_eq!(status, 400, "{member}: {body}");
        assert_eq!(body["error"], "invalid_client_metadata");
        assert!(body["error_description"].as_str().unwrap().contains(member), "{body}");
    }
    // Positive control: the same request without the member is registered, with an id the
    // server chose.
    let request = json!({"redirect_uris": ["https://client.example.net/cb"]});
    let (status, _, body) = post(&url, "application/json", request.to_string()).await;
    assert_eq!(status, 201, "{body}");
    assert_ne!(body["client_id"], "chosen-by-the-registrant");
}

#[tokio::test]
async fn an_oversized_body_is_413_before_parsing() {
    let (url, _) = start().await;
    let limit = software_statement::DEFAULT_MAX_REQUEST_BYTES;
    let padding = "x".repeat(limit);
    let request = json!({"redirect_uris": ["https://client.example.net/cb"], "client_name": padding});
    let (status, cache, body) = post(&url, "application/json", request.to_string()).await;
    assert_eq!(status, 413, "{body}");
    assert_eq!(cache.as_deref(), Some("no-store"));
    assert_eq!(body["error"], "invalid_client_metadata");
    // Just under the bound is fine.
    let fits = json!({"redirect_uris": ["https://client.example.net/cb"], "client_name": "x".repeat(limit - 200)});
    let (status, _, body) = post(&url, "application/json", fits.to_string()).await;
    assert_eq!(status, 201, "{body}");
}

#[tokio::test]
async fn errors_are_rfc7591_json_with_no_store() {
    let (url, key) = start().await;
    let other = Jwk::generate(Algorithm::ES256).unwrap();
    let untrusted = StatementBuilder::new("https://unknown.example").sign(&other).unwrap();
    let forged = StatementBuilder::new(ISS).sign(&other).unwrap();
    let good = StatementBuilder::new(ISS).sign(&key).unwrap();
    let cases = [
        (
            json!({"software_statement": untrusted}),
            "unapproved_software_statement",
        ),
        (json!({"software_statement": forged}), "invalid_software_statement"),
        (json!({"software_statement": "not.a.jws"}), "invalid_software_statement"),
        (
            json!({"software_statement": good, "redirect_uris": ["https://x.example/cb#frag"]}),
            "invalid_redirect_uri",
        ),
        (
            json!({"redirect_uris": ["https://x.example/cb"], "token_endpoint_auth_method": "magic"}),
            "invalid_client_metadata",
        ),
    ];
    for (request, code) in cases {
        let (status, cache, body) = post(&url, "application/json", request.to_string()).await;
        assert_eq!(status, 400, "{request}");
        assert_eq!(cache.as_deref(), Some("no-store"));
        assert_eq!(body["error"], code, "{request}: {body}");
        assert!(body["error_description"].as_str().is_some_and(|d| !d.is_empty()));
        assert_eq!(body.as_object().unwrap().len(), 2);
    }
    let (status, _, body) = post(&url, "application/json", "{not json".into()).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_client_metadata")));
}

#[tokio::test]
async fn non_json_body_is_415() {
    let (url, _) = start().await;
    let (status, cache, body) = post(&url, "text/plain", "client_name=x".into()).await;
    assert_eq!(status, 415);
    assert_eq!(cache.as_deref(), Some("no-store"));
    assert!(body["error"].is_string());
    let (status, _, _) = post(&url, "application/json; charset=utf-8", json!({}).to_string()).await;
    assert_ne!(status, 415, "parameters on the media type are fine");
}

// ---------------------------------------------------------------------------------------
// Signed registration requests: `application/jwt` and `application/jose`.

use software_statement::{RegistrationRequestBuilder, SignedRequestPolicy};

/// The audience of the signed requests (this server).
const AUD: &str = "https://as.example.org";

/// The endpoint over a registrar that takes signed requests addressed to `AUD`: the
/// directory's key (trusted for `ISS`) and the client's key.
async fn start_signed() -> (String, Jwk, Jwk) {
    let directory = Jwk::generate(Algorithm::ES256).unwrap();
    let client = Jwk::generate(Algorithm::ES256).unwrap().with_kid("client-1").unwrap();
    let verifier = Verifier::builder()
        .issuer(
            ISS,
            IssuerPolicy::with_jwks(JwkSet::new(vec![directory.to_public().unwrap()]).unwrap())
                .require_claim("software_id"),
        )
        .build();
    let registrar = Arc::new(Registrar::new(verifier).signed_requests(SignedRequestPolicy::new(AUD)));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/register", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, server::app(registrar)).await.unwrap() });
    (url, directory, client)
}

/// A statement naming the client's key, and a request the client signed carrying it with
/// `metadata` (the builder's defaults: `aud` AUD, `iat` now, `exp` in 300 s, a random `jti`).
fn signed_request(directory: &Jwk, client: &Jwk, audience: &str, metadata: Value) -> (String, String) {
    let statement = StatementBuilder::new(ISS)
        .claim("software_id", "4NRB1-0XZABZI9E6-5SM3R")
        .claim("client_name", "Signed Client")
        .claim("redirect_uris", ["https://client.example.net/callback"])
        .claim("token_endpoint_auth_method", "private_key_jwt")
        .claim("jwks", json!({"keys": [client.to_public().unwrap().to_value()]}))
        .ttl(600)
        .sign(directory)
        .unwrap();
    let request = RegistrationRequestBuilder::new(statement.as_str())
        .audience(audience)
        .metadata(metadata.as_object().unwrap().clone())
        .sign(client)
        .unwrap();
    (statement, request)
}

#[tokio::test]
async fn signed_requests_are_created_as_application_jwt_and_application_jose() {
    let (url, directory, client) = start_signed().await;
    let metadata = json!({"client_name": "Unattested", "contacts": ["ops@client.example.net"]});
    for content_type in ["application/jwt", "application/jose", "application/jwt; charset=utf-8"] {
        let (statement, request) = signed_request(&directory, &client, AUD, metadata.clone());
        let (status, cache, body) = post(&url, content_type, request.clone()).await;
        assert_eq!(status, 201, "{content_type}: {body}");
        assert_eq!(cache.as_deref(), Some("no-store"));
        assert_eq!(body["client_id"].as_str().unwrap().len(), 22);
        assert_eq!(body["software_statement"], statement);
        assert_eq!(body["client_name"], "Signed Client", "the statement wins");
        assert_eq!(body["contacts"], json!(["ops@client.example.net"]));
        assert_eq!(body["token_endpoint_auth_method"], "private_key_jwt");
        for claim in ["iss", "sub", "aud", "exp", "nbf", "iat", "jti"] {
            assert!(body.get(claim).is_none(), "{claim} in {body}");
        }
        // A client authenticating with its keys gets no secret.
        assert!(body.get("client_secret").is_none(), "{body}");
        // The same request again is a replay.
        let (status, _, body) = post(&url, content_type, request).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(body["error"], "invalid_client_metadata");
    }
    // A signed request that fails a check is 400 with the RFC 7591 error.
    let (_, request) = signed_request(&directory, &client, "https://elsewhere.example", metadata);
    let (status, cache, body) = post(&url, "application/jwt", request).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(cache.as_deref(), Some("no-store"));
    assert_eq!(body["error"], "invalid_client_metadata");
    assert!(body["error_description"].as_str().unwrap().contains("aud"), "{body}");
}

#[tokio::test]
async fn a_signed_request_of_another_media_type_is_415() {
    let (url, directory, client) = start_signed().await;
    let (_, request) = signed_request(&directory, &client, AUD, json!({}));
    for content_type in ["text/plain", "application/jose+json", "application/octet-stream"] {
        let (status, cache, body) = post(&url, content_type, request.clone()).await;
        assert_eq!(status, 415, "{content_type}: {body}");
        assert_eq!(cache.as_deref(), Some("no-store"));
        assert_eq!(body["error"], "invalid_client_metadata");
    }
    // As application/json it is a body that is not a JSON object.
    let (status, _, body) = post(&url, "application/json", request.clone()).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_client_metadata")));
    // Nothing was registered on the way: the request is still new.
    let (status, _, body) = post(&url, "application/jwt", request).await;
    assert_eq!(status, 201, "{body}");
}
