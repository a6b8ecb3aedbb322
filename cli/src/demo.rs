//! `demo`: the whole flow with built-in defaults, no files, and no network beyond loopback.
//!
//! 1. the publisher generates an ES256 key;
//! 2. signs a software statement;
//! 3. publishes its public JWK Set over HTTPS on 127.0.0.1 (a self-signed certificate made
//!    here, trusted by this run only);
//! 4. the authorization server loads a trust policy naming that `jwks_uri`;
//! 5. verifies the statement (the JWK Set is fetched once and cached);
//! 6. registers a client whose request the statement partly overrides.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Map, Value};
use software_statement::{
    AddressScope, Algorithm, Jwk, JwkSet, LoadOptions, Registrar, RemoteOptions, StatementBuilder, TrustFile,
};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_rustls::rustls;

use crate::commands::runtime;
use crate::io::{self, config, Failure, Outcome};

const ISSUER: &str = "https://publisher.example.com";
const JWKS_PATH: &str = "/jwks.json";
const TTL: u64 = 3600;

/// `demo [--json]`.
pub fn run(json: bool) -> Outcome {
    runtime()?.block_on(flow(json))
}

/// Prints the walk-through as it goes (unless `--json`), and collects the JSON report.
struct Report {
    json: bool,
    out: Map<String, Value>,
}

impl Report {
    fn step(&self, n: u32, title: &str, note: &str) {
        if !self.json {
            io::print_line(&format!("\n{n}. {title}"));
            io::print_line(&format!("   ({note})"));
        }
    }

    fn line(&self, text: &str) {
        if !self.json {
            io::print_line(&format!("   {text}"));
        }
    }

    fn value(&self, label: &str, value: &Value) {
        if !self.json {
            let pretty = serde_json::to_string_pretty(value).unwrap_or_default();
            io::print_line(&format!("   {label}:"));
            for l in pretty.lines() {
                io::print_line(&format!("     {l}"));
            }
        }
    }

    fn record(&mut self, name: &str, value: impl Into<Value>) {
        self.out.insert(name.into(), value.into());
    }
}

async fn flow(json: bool) -> Outcome {
    let mut r = Report { json, out: Map::new() };
    if !json {
        io::print_line("software-statement demo: a publisher signs a software statement and an authorization");
        io::print_line("server registers a client with it. Throw-away keys, no files, loopback network only.");
    }

    // 1. The publisher's key.
    r.step(
        1,
        "Publisher: generate a signing key",
        "what `software-statement keygen --alg ES256` does",
    );
    let key = Jwk::generate(Algorithm::ES256).map_err(|e| config(format!("cannot generate a key: {e}")))?;
    let public = key.to_public().map_err(|e| config(e.to_string()))?;
    let kid = key.kid().unwrap_or_default().to_owned();
    r.line(&format!(
        "an ES256 (P-256) key; its kid is its RFC 7638 thumbprint: {kid}"
    ));
    r.value(
        "public JWK (the private part \"d\" stays with the publisher)",
        &public.to_value(),
    );
    r.record("issuer", ISSUER);
    r.record("public_jwk", public.to_value());

    // 2. The statement.
    r.step(
        2,
        "Publisher: sign a software statement",
        &format!("what `software-statement sign --key key.jwk --iss {ISSUER} --ttl {TTL} --typ JWT claims.json` does"),
    );
    let claims = json!({
        "software_id": "4NRB1-0XZABZI9E6-5SM3R",
        "software_version": "2.1",
        "client_name": "Example Statement-based Client",
        "client_uri": "https://client.example.net/",
        "redirect_uris": ["https://client.example.net/callback"],
        "grant_types": ["authorization_code"],
        "token_endpoint_auth_method": "private_key_jwt",
        "jwks_uri": "https://client.example.net/jwks.json"
    });
    let Value::Object(claims) = claims else {
        unreachable!("a JSON object literal")
    };
    let token = StatementBuilder::new(ISSUER)
        .claims(claims)
        .ttl(TTL)
        .typ("JWT")
        .sign(&key)
        .map_err(|e| config(format!("cannot sign: {e}")))?;
    let parsed = software_statement::UnverifiedJws::parse(&token, &Default::default())
        .map_err(|e| config(format!("the demo's own token does not parse: {e}")))?;
    let header = Value::Object(parsed.header().members().clone());
    let decoded: Value = serde_json::from_slice(parsed.payload()).unwrap_or(Value::Null);
    r.line("the token (a compact JWS: header.payload.signature, each part base64url):");
    r.line(&token);
    r.value("decoded header", &header);
    r.value("decoded claims (iss, iat, exp and a random jti were added)", &decoded);
    r.record("token", token.clone());
    r.record("header", header);
    r.record("claims", decoded);

    // 3. Publish the JWK Set.
    r.step(
        3,
        "Publisher: publish the public JWK Set over HTTPS",
        "what `software-statement jwks key.jwk > jwks.json` prepares, served by a web server",
    );
    let jwks = JwkSet::new(vec![public])
        .and_then(|s| s.to_public_value())
        .map_err(|e| config(format!("cannot build the JWK Set: {e}")))?;
    let server = JwksServer::start(jwks.to_string()).await?;
    let jwks_uri = format!("https://{}{JWKS_PATH}", server.addr);
    r.line(&format!("serving {jwks_uri}"));
    r.line("with a self-signed certificate for 127.0.0.1 made for this run (trusted by this run only)");
    r.record("jwks_uri", jwks_uri.clone());

    // 4. The authorization server's trust policy.
    r.step(
        4,
        "Authorization server: load the trust policy",
        "the file that `verify --trust` and `register --trust` read",
    );
    let trust_json = json!({
        "issuers": {
            ISSUER: {
                "jwks_uri": jwks_uri,
                "algorithms": ["ES256"],
                "required_claims": ["software_id"],
                "typ": "JWT"
            }
        },
        "leeway": 60,
        "require_software_statement": true
    });
    r.value("trust.json", &trust_json);
    let remote = RemoteOptions::default()
        .add_root_certificate(server.cert.clone())
        .address_scope(AddressScope::AlsoLoopback);
    let trust = TrustFile::from_json(
        &trust_json.to_string(),
        "the demo trust policy",
        Some(LoadOptions::default().remote(remote)),
    )
    .map_err(|e| config(e.to_string()))?;
    r.line("(only this demo also trusts its own certificate and allows a loopback jwks_uri)");
    r.record("trust", trust_json);

    // 5. Verify.
    r.step(
        5,
        "Authorization server: verify the statement",
        "what `software-statement verify --trust trust.json statement.jwt` does",
    );
    let verified = trust
        .verifier()
        .verify_async(&token)
        .await
        .map_err(|e| config(format!("the demo's statement was refused ({}): {e}", e.code())))?;
    let fetches = server.fetches();
    r.line(&format!(
        "\"iss\" is {ISSUER:?}: a trusted issuer whose keys are at its jwks_uri"
    ));
    r.line(&format!(
        "fetched {jwks_uri} ({fetches} request): the keys are now cached"
    ));
    r.line(&format!(
        "the header's kid {:?} selected the key; {} signature verified; \"typ\", \"exp\", \"iat\" and \"software_id\" checked",
        verified.header().kid().unwrap_or_default(),
        verified.header().alg()
    ));

    // 6. Register.
    r.step(
        6,
        "Authorization server: register a client",
        "what `software-statement register --trust trust.json request.json` does",
    );
    let request = json!({
        "client_name": "My App (unattested)",
        "client_name#fr": "Mon appli (non attestée)",
        "redirect_uris": ["https://client.example.net/callback"],
        "contacts": ["ops@client.example.net"],
        "logo_uri": "https://client.example.net/logo.png",
        "software_statement": token
    });
    r.value(
        "request (software_statement shortened here)",
        &shorten_statement(&request),
    );
    let Value::Object(request) = request else {
        unreachable!("a JSON object literal")
    };
    let registrar = Registrar::from_trust_file(&trust);
    let registration = registrar
        .register_async(&request)
        .await
        .map_err(|e| config(format!("the demo's registration was refused: {}", e.to_json())))?;
    let registration = registration.to_json();
    r.value(
        "effective metadata (software_statement shortened here)",
        &shorten_statement(&registration["metadata"]),
    );
    let overridden: Vec<&str> = registration["overridden"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    r.line(&format!("overridden by the statement: {}", overridden.join(", ")));
    r.line("  - client_name: the statement's attested name wins over the request's");
    r.line("  - client_name#fr: an unattested translation cannot shadow an attested name, so it is dropped");
    r.line("  - redirect_uris: the statement asserts it too, so its value wins (listed even when equal)");
    r.line("  - contacts and logo_uri were not in the statement: kept as sent");
    r.value("statement", &registration["statement"]);
    let fetches = server.fetches();
    r.line(&format!(
        "JWK Set fetches during the whole demo: {fetches} (registration used the cached keys)"
    ));
    r.record("registration", registration);
    r.record("jwks_fetches", fetches);

    if json {
        io::print_json(&Value::Object(r.out));
    } else {
        io::print_line("\nTry it with files:");
        io::print_line("  software-statement keygen --alg ES256 > key.jwk");
        io::print_line("  software-statement jwks key.jwk > jwks.json");
        io::print_line(&format!(
            "  echo '{{\"software_id\":\"4NRB1\",\"redirect_uris\":[\"https://app.example.com/cb\"]}}' \
             | software-statement sign --key key.jwk --iss {ISSUER} --ttl {TTL} > statement.jwt"
        ));
        io::print_line("  software-statement inspect statement.jwt");
        io::print_line(&format!(
            "  echo '{{\"issuers\":{{\"{ISSUER}\":{{\"jwks_file\":\"jwks.json\",\"required_claims\":[\"software_id\"]}}}}}}' > trust.json"
        ));
        io::print_line("  software-statement verify --trust trust.json statement.jwt");
    }
    Ok(())
}

/// A copy of an object with its `software_statement` shortened, for display.
fn shorten_statement(value: &Value) -> Value {
    let mut v = value.clone();
    if let Some(Value::String(s)) = v.get_mut("software_statement") {
        if s.len() > 40 {
            *s = format!("{}…{}", &s[..20], &s[s.len() - 12..]);
        }
    }
    v
}

/// The publisher's JWKS endpoint: an HTTPS server on 127.0.0.1 that answers GET
/// /jwks.json (and 404 to anything else), one request per connection.
struct JwksServer {
    addr: SocketAddr,
    /// The self-signed certificate (DER) it presents.
    cert: Vec<u8>,
    requests: Arc<AtomicUsize>,
}

impl JwksServer {
    async fn start(body: String) -> Result<JwksServer, Failure> {
        let failed = |what: &str, e: &dyn std::fmt::Display| config(format!("demo server: cannot {what}: {e}"));
        let certified = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()])
            .map_err(|e| failed("make a certificate", &e))?;
        let cert = certified.cert.der().to_vec();
        let key = certified.signing_key.serialize_der();
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let tls = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| failed("configure TLS", &e))?
            .with_no_client_auth()
            .with_single_cert(
                vec![rustls::pki_types::CertificateDer::from(cert.clone())],
                rustls::pki_types::PrivatePkcs8KeyDer::from(key).into(),
            )
            .map_err(|e| failed("configure TLS", &e))?;
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(tls));
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| failed("listen on 127.0.0.1", &e))?;
        let addr = listener.local_addr().map_err(|e| failed("listen on 127.0.0.1", &e))?;
        let requests = Arc::new(AtomicUsize::new(0));
        let (count, body) = (requests.clone(), Arc::new(body));
        tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let (acceptor, count, body) = (acceptor.clone(), count.clone(), body.clone());
                tokio::spawn(async move {
                    let serve = async {
                        if let Ok(stream) = acceptor.accept(tcp).await {
                            respond(stream, &count, &body).await;
                        }
                    };
                    let _ = tokio::time::timeout(Duration::from_secs(10), serve).await;
                });
            }
        });
        Ok(JwksServer { addr, cert, requests })
    }

    fn fetches(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

/// A minimal HTTP/1.1 responder: reads the request head, answers, closes.
async fn respond<S: AsyncRead + AsyncWrite + Unpin>(mut stream: S, count: &AtomicUsize, body: &str) {
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
        if head.len() > 16 * 1024 {
            return;
        }
    }
    let head = String::from_utf8_lossy(&head);
    let mut words = head.split_whitespace();
    let (method, path) = (words.next().unwrap_or_default(), words.next().unwrap_or_default());
    let (status, content_type, body) = if method == "GET" && path == JWKS_PATH {
        count.fetch_add(1, Ordering::SeqCst);
        ("200 OK", "application/jwk-set+json", body)
    } else {
        ("404 Not Found", "text/plain", "not found\n")
    };
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
         Cache-Control: max-age=300\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(response.as_bytes()).await;
    let _ = stream.shutdown().await;
}
