//! A loopback HTTPS server (rcgen certificate, tokio-rustls) serving one JWK Set, for
//! the warm `jwks_uri` cache bench. It counts the requests it answers.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_rustls::rustls;

pub struct JwksServer {
    pub addr: SocketAddr,
    /// The self-signed certificate (DER) to trust.
    pub cert: Vec<u8>,
    requests: Arc<AtomicUsize>,
}

impl JwksServer {
    /// Starts serving `body` at every path of `https://127.0.0.1:PORT/`, with
    /// `Cache-Control: max-age=3600`. Call inside a Tokio runtime.
    pub async fn start(body: String) -> JwksServer {
        let certified = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string()]).unwrap();
        let cert = certified.cert.der().to_vec();
        let key = certified.signing_key.serialize_der();
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(
                vec![rustls::pki_types::CertificateDer::from(cert.clone())],
                rustls::pki_types::PrivatePkcs8KeyDer::from(key).into(),
            )
            .unwrap();
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let requests = Arc::new(AtomicUsize::new(0));
        let server = JwksServer {
            addr: listener.local_addr().unwrap(),
            cert,
            requests: requests.clone(),
        };
        let body = Arc::new(body);
        tokio::spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else { return };
                let (acceptor, body, requests) = (acceptor.clone(), body.clone(), requests.clone());
                tokio::spawn(async move {
                    let Ok(mut tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let mut head = Vec::new();
                    let mut buf = [0u8; 1024];
                    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                        match tls.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => head.extend_from_slice(&buf[..n]),
                        }
                    }
                    requests.fetch_add(1, Ordering::SeqCst);
                    let reply = format!(
                        "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Type: application/jwk-set+json\r\n\
                         Cache-Control: max-age=3600\r\nContent-Length: {}\r\n\r\n{}",
                        body.len(),
                        body
                    );
                    let _ = tls.write_all(reply.as_bytes()).await;
                    let _ = tls.shutdown().await;
                });
            }
        });
        server
    }

    pub fn url(&self) -> String {
        format!("https://{}/jwks.json", self.addr)
    }

    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}
