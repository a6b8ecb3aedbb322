//! RFC 7592 client configuration endpoints of the example server, over loopback: a
//! registration access token is required (401 otherwise), an update re-verifies the
//! statement, a change of `software_id` is refused, a deleted client's token is refused.

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
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, server::app(registrar)).await.unwrap() });
    (base, key)
}

fn ssa(key: &Jwk, software_id: &str, name: &str) -> String {
    StatementBuilder::new(ISS)
        .claim("software_id", software_id)
        .claim("client_name", name)
        .claim("redirect_uris", ["https://client.example.net/cb"])
        .sign(key)
        .unwrap()
}

async fn call(method: reqwest::Method, url: &str, token: Option<&str>, body: Option<Value>) -> (u16, Value) {
    let client = reqwest::Client::new();
    let mut request = client.request(method, url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request
            .header("content-type", "application/json")
            .body(body.to_string());
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// Registers a client with a statement: (client_id, token, configuration URI).
async fn registered(base: &str, key: &Jwk) -> (String, String, String) {
    let (status, body) = call(
        reqwest::Method::POST,
        &format!("{base}/register"),
        None,
        Some(json!({"software_statement": ssa(key, "app-1", "App")})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let token = body["registration_access_token"].as_str().unwrap().to_owned();
    assert!(token.len() >= 22, "at least 128 random bits");
    let uri = body["registration_client_uri"].as_str().unwrap().to_owned();
    assert!(uri.starts_with(base));
    (body["client_id"].as_str().unwrap().to_owned(), token, uri)
}

#[tokio::test]
async fn reading_needs_the_registration_access_token() {
    let (base, key) = start().await;
    let (client_id, token, uri) = registered(&base, &key).await;
    let (status, body) = call(reqwest::Method::GET, &uri, Some(&token), None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["client_id"], client_id.as_str());
    assert!(body.get("registration_access_token").is_none(), "never echoed back");
    for wrong in [Some("not-the-token"), None] {
        let (status, body) = call(reqwest::Method::GET, &uri, wrong, None).await;
        assert_eq!(status, 401, "{body}");
    }
    // Another client's URI with this token: 401 too.
    let (status, _) = call(
        reqwest::Method::GET,
        &format!("{base}/register/other"),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn an_update_re_verifies_the_statement() {
    let (base, key) = start().await;
    let (client_id, token, uri) = registered(&base, &key).await;
    let update = json!({"client_id": client_id, "software_statement": ssa(&key, "app-1", "App v2")});
    let (status, body) = call(reqwest::Method::PUT, &uri, Some(&token), Some(update)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["client_name"], "App v2");
    assert_eq!(body["client_id"], client_id.as_str());
    // A statement signed by someone else is refused on update as at registration.
    let forged = ssa(&Jwk::generate(Algorithm::ES256).unwrap(), "app-1", "Forged");
    let update = json!({"client_id": client_id, "software_statement": forged});
    let (status, body) = call(reqwest::Method::PUT, &uri, Some(&token), Some(update)).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"], "invalid_software_statement");
    // The wrong token: 401 before anything is looked at.
    let update = json!({"client_id": client_id, "software_statement": ssa(&key, "app-1", "x")});
    let (status, _) = call(reqwest::Method::PUT, &uri, Some("wrong"), Some(update)).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn an_update_cannot_change_the_software_id() {
    let (base, key) = start().await;
    let (client_id, token, uri) = registered(&base, &key).await;
    let update = json!({"client_id": client_id, "software_statement": ssa(&key, "app-2", "App")});
    let (status, body) = call(reqwest::Method::PUT, &uri, Some(&token), Some(update)).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"], "invalid_software_statement");
    let (_, current) = call(reqwest::Method::GET, &uri, Some(&token), None).await;
    assert_eq!(current["software_id"], "app-1", "unchanged");
}

#[tokio::test]
async fn a_deleted_client_s_token_is_refused() {
    let (base, key) = start().await;
    let (_, token, uri) = registered(&base, &key).await;
    let (status, _) = call(reqwest::Method::DELETE, &uri, Some(&token), None).await;
    assert_eq!(status, 204);
    for method in [reqwest::Method::GET, reqwest::Method::DELETE] {
        let (status, _) = call(method, &uri, Some(&token), None).await;
        assert_eq!(status, 401);
    }
}
