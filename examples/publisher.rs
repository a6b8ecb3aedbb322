//! The publisher side: generate a signing key, publish its JWKS, sign a statement.
//!
//! ```sh
//! cargo run --example publisher
//! ```

use software_statement::{Algorithm, Jwk, JwkSet, StatementBuilder};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // 1. A signing key; its kid is its RFC 7638 thumbprint. Keep the private JWK secret.
    let key = Jwk::generate(Algorithm::ES256)?;

    // 2. The public JWK Set to publish at the jwks_uri your verifiers trust.
    let jwks = JwkSet::new(vec![key.to_public()?])?.to_public_value()?;
    println!("JWKS to publish:\n{}\n", serde_json::to_string_pretty(&jwks)?);

    // 3. One statement per product/version.
    let statement = StatementBuilder::new("https://publisher.example.com")
        .claim("software_id", "4NRB1-0XZABZI9E6-5SM3R")
        .claim("software_version", "2.1")
        .claim("client_name", "Example Statement-based Client")
        .claim("client_name#ja-Jpan-JP", "クライアント名")
        .claim("client_uri", "https://client.example.net/")
        .claim("redirect_uris", ["https://client.example.net/callback"])
        .claim("token_endpoint_auth_method", "private_key_jwt")
        .ttl(365 * 24 * 3600)
        .sign(&key)?;
    println!("Software statement:\n{statement}");
    Ok(())
}
