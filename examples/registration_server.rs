//! A dynamic client registration endpoint (RFC 7591 §3) embedding software-statement.
//!
//! `POST /register` with a JSON body: the software statement (if any) is verified under
//! the trust file, its claims merged over the request, the result validated. Answers:
//! - 201 with `client_id`, `client_id_issued_at` and the effective metadata, including
//!   the `software_statement` echoed unmodified (RFC 7591 §3.2.1);
//! - 400 with `{"error": ..., "error_description": ...}` (RFC 7591 §3.2.2);
//! - 415 when the body is not `application/json`.
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
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use base64::Engine as _;
use serde_json::{json, Value};
use software_statement::{parse_request, Registrar, TrustFile};

/// The endpoint's router: `POST /register`.
pub fn app(registrar: Arc<Registrar>) -> Router {
    Router::new().route("/register", post(register)).with_state(registrar)
}

fn json_response(status: StatusCode, body: &Value) -> Response {
    let mut response = (status, body.to_string()).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"))
}

fn new_client_id() -> String {
    let mut id = [0u8; 16];
    SystemRandom::new().fill(&mut id).expect("system randomness");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(id)
}

async fn register(State(registrar): State<Arc<Registrar>>, headers: HeaderMap, body: Bytes) -> Response {
    if !is_json(&headers) {
        let error =
            json!({"error": "invalid_client_metadata", "error_description": "send the request as application/json"});
        return json_response(StatusCode::UNSUPPORTED_MEDIA_TYPE, &error);
    }
    let Ok(text) = std::str::from_utf8(&body) else {
        let error = json!({"error": "invalid_client_metadata", "error_description": "the body is not UTF-8"});
        return json_response(StatusCode::BAD_REQUEST, &error);
    };
    let outcome = match parse_request(text) {
        Ok(request) => registrar.register_async(&request).await,
        Err(e) => Err(e),
    };
    match outcome {
        Ok(registration) => {
            let issued_at = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            let mut body = serde_json::Map::new();
            body.insert("client_id".into(), new_client_id().into());
            body.insert("client_id_issued_at".into(), issued_at.into());
            body.extend(registration.metadata.into_map());
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
