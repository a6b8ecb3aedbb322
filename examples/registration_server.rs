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
//! Every answer carries `Cache-Control: no-store` (RFC 7591 §3.2.1 requires it for the
//! credentials of a 201; an error must not be cached either).
//!
//! ```sh
//! cargo run --example registration_server --features remote -- trust.json 127.0.0.1:8080
//! curl -s -XPOST localhost:8080/register -H 'content-type: application/json' \
//!      -d '{"software_statement":"eyJ…","client_name":"My App"}'
//! ```

use std::net::SocketAddr;
use std::sync::Arc;

use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use base64::Engine as _;
use serde_json::{json, Value};
use software_statement::{Registrar, TrustFile};

/// The endpoint's router: `POST /register`. Axum's own body limit is off: the handler
/// reads at most the registrar's `registration.max_request_bytes` and answers 413 past it.
pub fn app(registrar: Arc<Registrar>) -> Router {
    Router::new()
        .route("/register", post(register))
        .layer(axum::extract::DefaultBodyLimit::disable())
        .with_state(registrar)
}

fn json_response(status: StatusCode, body: &Value) -> Response {
    let mut response = (status, body.to_string()).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `bytes` random bytes, base64url.
fn random_token(bytes: usize) -> String {
    let mut id = vec![0u8; bytes];
    SystemRandom::new().fill(&mut id).expect("system randomness");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(id)
}

async fn register(State(registrar): State<Arc<Registrar>>, headers: HeaderMap, body: Body) -> Response {
    // The size bound is checked while reading, before anything is parsed (merge rule 14).
    let Ok(body) = axum::body::to_bytes(body, registrar.request_bytes_limit()).await else {
        let error = json!({
            "error": "invalid_client_metadata",
            "error_description": format!("the request body is larger than {} bytes", registrar.request_bytes_limit()),
        });
        return json_response(StatusCode::PAYLOAD_TOO_LARGE, &error);
    };
    // application/json, or a signed request as application/jwt or application/jose; the
    // registrar answers any other media type with a 415 error.
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let outcome = registrar.register_body_async(&body, content_type).await;
    match outcome {
        Ok(registration) => {
            let issued_at = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            // Issued only now, after validation, and written last: no request or statement
            // member can set them (the registrar refuses such members anyway).
            let confidential = !matches!(
                registration.metadata.token_endpoint_auth_method(),
                Some("none" | "private_key_jwt" | "tls_client_auth" | "self_signed_tls_client_auth")
            );
            let mut body = registration.metadata.into_map();
            body.insert("client_id".into(), random_token(16).into());
            body.insert("client_id_issued_at".into(), issued_at.into());
            if confidential {
                body.insert("client_secret".into(), random_token(32).into());
                body.insert("client_secret_expires_at".into(), 0.into());
            }
            json_response(StatusCode::CREATED, &Value::Object(body))
        }
        Err(error) => json_response(
            StatusCode::from_u16(error.http_status()).unwrap_or(StatusCode::BAD_REQUEST),
            &error.to_json(),
        ),
    }
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
