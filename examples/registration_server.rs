//! A dynamic client registration endpoint (RFC 7591 §3) embedding software-statement.
//!
//! `POST /register` with a JSON body (`application/json`) or a signed registration request
//! (`application/jwt` or `application/jose`, when the trust file's `registration.audience`
//! is set): the software statement (if any) is verified under the trust file, its claims
//! merged over the request, the result validated. Answers:
//! - 201 with the effective metadata, including the `software_statement` echoed unmodified
//!   (RFC 7591 §3.2.1), and the credentials the server issues only then: `client_id`,
//!   `client_id_issued_at` and, for a confidential client, `client_secret` (never taken
//!   from the request);
//! - 400 with `{"error": ..., "error_description": ...}` (RFC 7591 §3.2.2);
//! - 413 when the body is larger than `registration.max_request_bytes`;
//! - 415 when the body is of another media type.
//!
//! RFC 7592: the 201 also carries a `registration_access_token` (256 random bits; the
//! server keeps only its SHA-256 and compares digests in constant time) and a
//! `registration_client_uri`, `/register/{client_id}`, where `GET` reads the registration,
//! `PUT` updates it (the whole registration step again: `Registrar::update`) and `DELETE`
//! removes it, each with the token as a Bearer token (401 otherwise).
//!
//! Every answer carries `Cache-Control: no-store` (RFC 7591 §3.2.1 requires it for the
//! credentials of a 201; an error must not be cached either).
//!
//! ```sh
//! cargo run --example registration_server --features remote -- trust.json 127.0.0.1:8080
//! curl -s -XPOST localhost:8080/register -H 'content-type: application/json' \
//!      -d '{"software_statement":"eyJ…","client_name":"My App"}'
//! ```

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use aws_lc_rs::{constant_time, digest};
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use base64::Engine as _;
use serde_json::{json, Value};
use software_statement::{ClientMetadata, Registrar, TrustFile};

/// The server's state: the registrar and the registered clients (in memory: an example).
pub struct Server {
    registrar: Arc<Registrar>,
    clients: Mutex<HashMap<String, Client>>,
}

/// A registered client: its metadata as stored (with the server-issued members) and the
/// SHA-256 of its registration access token (the token itself is never stored).
struct Client {
    metadata: ClientMetadata,
    token_hash: [u8; 32],
}

/// The endpoint's router: `POST /register`, and RFC 7592's `GET`, `PUT`, `DELETE
/// /register/{client_id}` with the registration access token as a Bearer token. Axum's
/// own body limit is off: the handlers read at most the registrar's
/// `registration.max_request_bytes` and answer 413 past it.
pub fn app(registrar: Arc<Registrar>) -> Router {
    let server = Arc::new(Server {
        registrar,
        clients: Mutex::new(HashMap::new()),
    });
    Router::new()
        .route("/register", post(register))
        .route("/register/{client_id}", get(read).put(update).delete(delete))
        .layer(axum::extract::DefaultBodyLimit::disable())
        .with_state(server)
}

fn json_response(status: StatusCode, body: &Value) -> Response {
    let mut response = (status, body.to_string()).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn error_response(error: &software_statement::RegistrationError) -> Response {
    json_response(
        StatusCode::from_u16(error.http_status()).unwrap_or(StatusCode::BAD_REQUEST),
        &error.to_json(),
    )
}

/// `bytes` random bytes, base64url.
fn random_token(bytes: usize) -> String {
    let mut id = vec![0u8; bytes];
    SystemRandom::new().fill(&mut id).expect("system randomness");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(id)
}

fn sha256(text: &str) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(digest::digest(&digest::SHA256, text.as_bytes()).as_ref());
    out
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The body, read up to the registrar's bound.
async fn read_body(server: &Server, body: Body) -> Result<axum::body::Bytes, Response> {
    axum::body::to_bytes(body, server.registrar.request_bytes_limit())
        .await
        .map_err(|_| {
            let error = json!({
                "error": "invalid_client_metadata",
                "error_description": format!("the request body is larger than {} bytes", server.registrar.request_bytes_limit()),
            });
            json_response(StatusCode::PAYLOAD_TOO_LARGE, &error)
        })
}

/// The client's configuration endpoint, absolute (RFC 7592 `registration_client_uri`).
fn client_uri(headers: &HeaderMap, client_id: &str) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("localhost");
    format!("http://{host}/register/{client_id}")
}

async fn register(State(server): State<Arc<Server>>, headers: HeaderMap, body: Body) -> Response {
    // The size bound is checked while reading, before anything is parsed (merge rule 14).
    let body = match read_body(&server, body).await {
        Ok(body) => body,
        Err(response) => return response,
    };
    // application/json, or a signed request as application/jwt or application/jose; the
    // registrar answers any other media type with a 415 error.
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let registration = match server.registrar.register_body_async(&body, content_type).await {
        Ok(registration) => registration,
        Err(error) => return error_response(&error),
    };
    // Issued only now, after validation, and written last: no request or statement member
    // can set them (the registrar refuses such members anyway).
    let confidential = !matches!(
        registration.metadata.token_endpoint_auth_method(),
        Some("none" | "private_key_jwt" | "tls_client_auth" | "self_signed_tls_client_auth")
    );
    let client_id = random_token(16);
    let mut stored = registration.metadata.into_map();
    stored.insert("client_id".into(), client_id.clone().into());
    stored.insert("client_id_issued_at".into(), now().into());
    if confidential {
        stored.insert("client_secret".into(), random_token(32).into());
        stored.insert("client_secret_expires_at".into(), 0.into());
    }
    // RFC 7592: a registration access token of 256 random bits, stored hashed.
    let token = random_token(32);
    let mut body = stored.clone();
    body.insert("registration_access_token".into(), token.clone().into());
    body.insert(
        "registration_client_uri".into(),
        client_uri(&headers, &client_id).into(),
    );
    server.clients.lock().expect("clients").insert(
        client_id,
        Client {
            metadata: ClientMetadata::from_map(stored),
            token_hash: sha256(&token),
        },
    );
    json_response(StatusCode::CREATED, &Value::Object(body))
}

/// The registered client named by the path whose registration access token the request
/// carries, or the 401 answer (the same for an unknown client, a wrong or a missing token).
fn authorized(server: &Server, headers: &HeaderMap, client_id: &str) -> Result<ClientMetadata, Box<Response>> {
    let unauthorized = || {
        let mut response = Box::new(json_response(
            StatusCode::UNAUTHORIZED,
            &json!({"error": "invalid_token", "error_description": "a valid registration access token is required"}),
        ));
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        response
    };
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(unauthorized)?;
    let clients = server.clients.lock().expect("clients");
    let client = clients.get(client_id).ok_or_else(unauthorized)?;
    // Compared in constant time, as digests.
    constant_time::verify_slices_are_equal(&sha256(token), &client.token_hash).map_err(|_| unauthorized())?;
    Ok(client.metadata.clone())
}

/// The client's metadata as the server holds it (RFC 7592 section 2.1).
fn configuration(headers: &HeaderMap, client_id: &str, metadata: ClientMetadata) -> Value {
    let mut body = metadata.into_map();
    body.insert("registration_client_uri".into(), client_uri(headers, client_id).into());
    Value::Object(body)
}

async fn read(State(server): State<Arc<Server>>, Path(client_id): Path<String>, headers: HeaderMap) -> Response {
    match authorized(&server, &headers, &client_id) {
        Ok(metadata) => json_response(StatusCode::OK, &configuration(&headers, &client_id, metadata)),
        Err(response) => *response,
    }
}

async fn update(
    State(server): State<Arc<Server>>,
    Path(client_id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let current = match authorized(&server, &headers, &client_id) {
        Ok(metadata) => metadata,
        Err(response) => return *response,
    };
    let body = match read_body(&server, body).await {
        Ok(body) => body,
        Err(response) => return response,
    };
    let request = match std::str::from_utf8(&body)
        .map_err(|_| software_statement::RegistrationError::invalid_client_metadata("the body is not UTF-8"))
        .and_then(|text| server.registrar.parse_request(text))
    {
        Ok(request) => request,
        Err(error) => return error_response(&error),
    };
    // The whole registration step again: the statement re-verified, its issuer and
    // software_id unchanged (Registrar::update).
    let update = match server.registrar.update_async(&current, &request).await {
        Ok(update) => update,
        Err(error) => return error_response(&error),
    };
    let mut stored = update.registration.metadata.into_map();
    for member in [
        "client_id",
        "client_id_issued_at",
        "client_secret",
        "client_secret_expires_at",
    ] {
        if let Some(value) = current.get(member) {
            stored.insert(member.into(), value.clone());
        }
    }
    let metadata = ClientMetadata::from_map(stored);
    if let Some(client) = server.clients.lock().expect("clients").get_mut(&client_id) {
        client.metadata = metadata.clone();
    }
    json_response(StatusCode::OK, &configuration(&headers, &client_id, metadata))
}

async fn delete(State(server): State<Arc<Server>>, Path(client_id): Path<String>, headers: HeaderMap) -> Response {
    if let Err(response) = authorized(&server, &headers, &client_id) {
        return *response;
    }
    server.clients.lock().expect("clients").remove(&client_id);
    let mut response = StatusCode::NO_CONTENT.into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[allow(dead_code)] // the tests include this file as a module and start `app` themselves
#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let trust_path = args.next().ok_or("usage: registration_server TRUST.json [ADDR:PORT]")?;
    let addr: SocketAddr = args.next().unwrap_or_else(|| "127.0.0.1:8080".into()).parse()?;
    let trust = TrustFile::load(&trust_path, None)?;
    let registrar = Arc::new(Registrar::from_trust_file(&trust));
    let listener = tokio::net::TcpListener::bind(addr).await?;
    eprintln!("POST http://{}/register", listener.local_addr()?);
    axum::serve(listener, app(registrar)).await?;
    Ok(())
}
