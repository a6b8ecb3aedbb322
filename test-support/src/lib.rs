//! Test support for the `software-statement` workspace (not published): one loopback
//! HTTP(S) server that serves a JWK Set for `jwks_uri` tests, shared by the library's
//! tests, its benches and the CLI's tests.
//!
//! [`JwksServer`] listens on `127.0.0.1` (an ephemeral port) and speaks HTTPS with a
//! self-signed certificate generated at start ([`JwksServer::cert`], DER, for the client to
//! trust) or plain HTTP ([`Scheme`]). Each connection carries one HTTP/1.1 request and is
//! then closed. What it answers is a [`Reply`] (status, headers, body, and optionally a
//! delay, a stall or a body without `Content-Length`), settable for every path and per path
//! while the server runs. It counts the requests it received ([`JwksServer::requests`]) and
//! keeps their heads ([`JwksServer::heads`]), so tests can assert exactly how often the
//! fetcher went to the network.
//!
//! Async tests start it inside their runtime ([`JwksServer::https`], [`JwksServer::http`]);
//! synchronous tests start it on a runtime of its own ([`JwksServer::start_blocking`]).
//! Dropping the server stops accepting connections.
//!
//! ```
//! use software_statement_test_support::{JwksServer, Reply, Scheme};
//!
//! let server = JwksServer::start_blocking(Scheme::Http, Reply::json(r#"{"keys": []}"#));
//! assert!(server.url("/jwks.json").starts_with("http://127.0.0.1:"));
//! assert_eq!(server.requests(), 0);
//! ```

pub mod redis;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::runtime::Runtime;
use tokio::task::AbortHandle;
use tokio_rustls::rustls;

/// A request head larger than this closes the connection unanswered (and uncounted).
const MAX_HEAD: usize = 16 * 1024;

/// How long a stalled reply hangs: longer than any test waits.
const STALL: Duration = Duration::from_secs(3600);

/// Whether the server speaks TLS.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    /// HTTPS with the server's self-signed certificate ([`JwksServer::cert`]).
    Https,
    /// Plain HTTP (for clients that allow it on loopback).
    Http,
}

/// What the server answers to a request.
#[derive(Clone, Debug)]
pub struct Reply {
    /// The status code (the reason phrase is always `Scripted`).
    pub status: u16,
    /// Header lines after `Connection: close` and `Content-Length`, in order.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
    /// Send no `Content-Length`: the body ends when the connection closes.
    pub omit_length: bool,
    /// Wait this long before answering.
    pub delay: Duration,
    /// Never answer.
    pub stall: bool,
    /// Send the head and this many body bytes, then hang.
    pub stall_after: Option<usize>,
}

impl Reply {
    /// `200` with `Content-Type: application/jwk-set+json` and `body`.
    pub fn json(body: impl Into<Vec<u8>>) -> Reply {
        Reply {
            status: 200,
            headers: vec![("Content-Type".into(), "application/jwk-set+json".into())],
            body: body.into(),
            omit_length: false,
            delay: Duration::ZERO,
            stall: false,
            stall_after: None,
        }
    }

    /// `status` with a short non-JSON body (`oops`), for error answers and redirects.
    pub fn status(status: u16) -> Reply {
        Reply {
            status,
            ..Reply::json("oops")
        }
    }

    /// Adds a header line.
    pub fn header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.into(), value.into()));
        self
    }
}

/// The replies: per path, and the default for every other path.
struct Replies {
    by_path: HashMap<String, Reply>,
    default: Reply,
}

/// What the connections share with the [`JwksServer`] handle.
struct State {
    requests: AtomicUsize,
    heads: Mutex<Vec<String>>,
    replies: Mutex<Replies>,
}

/// A loopback HTTP(S) server answering every request with a scriptable [`Reply`]; see the
/// crate documentation.
pub struct JwksServer {
    /// The address it listens on: `127.0.0.1` and an ephemeral port.
    pub addr: SocketAddr,
    /// The self-signed certificate (DER) presented over HTTPS, for `localhost`, `127.0.0.1`
    /// and `::1`: add it to the client's roots. Generated in both schemes.
    pub cert: Vec<u8>,
    scheme: Scheme,
    state: Arc<State>,
    accept: AbortHandle,
    /// The runtime of a server from [`JwksServer::start_blocking`].
    runtime: Option<Runtime>,
}

impl JwksServer {
    /// Starts an HTTPS server answering `reply` at every path. Call inside a Tokio runtime.
    pub async fn https(reply: Reply) -> JwksServer {
        Self::start(Scheme::Https, reply).await
    }

    /// Starts a plain-HTTP server answering `reply` at every path. Call inside a Tokio
    /// runtime.
    pub async fn http(reply: Reply) -> JwksServer {
        Self::start(Scheme::Http, reply).await
    }

    /// Starts a server answering `reply` at every path, its accept loop and connections
    /// spawned on the current Tokio runtime (which must outlive the test's use of it).
    pub async fn start(scheme: Scheme, reply: Reply) -> JwksServer {
        let certified = rcgen::generate_simple_self_signed(vec![
            "localhost".to_string(),
            "127.0.0.1".to_string(),
            "::1".to_string(),
        ])
        .expect("self-signed certificate");
        let cert = certified.cert.der().to_vec();
        let key = certified.signing_key.serialize_der();
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("TLS versions")
            .with_no_client_auth()
            .with_single_cert(
                vec![rustls::pki_types::CertificateDer::from(cert.clone())],
                rustls::pki_types::PrivatePkcs8KeyDer::from(key).into(),
            )
            .expect("TLS server configuration");
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local address");
        let state = Arc::new(State {
            requests: AtomicUsize::new(0),
            heads: Mutex::default(),
            replies: Mutex::new(Replies {
                by_path: HashMap::new(),
                default: reply,
            }),
        });
        let shared = state.clone();
        let accept = tokio::spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else { return };
                let (state, acceptor) = (shared.clone(), acceptor.clone());
                tokio::spawn(async move {
                    match scheme {
                        Scheme::Https => {
                            if let Ok(stream) = acceptor.accept(tcp).await {
                                serve(stream, &state).await;
                            }
                        }
                        Scheme::Http => serve(tcp, &state).await,
                    }
                });
            }
        })
        .abort_handle();
        JwksServer {
            addr,
            cert,
            scheme,
            state,
            accept,
            runtime: None,
        }
    }

    /// Starts a server on a runtime of its own (one worker thread), for synchronous tests
    /// and for clients in another process. Call outside any Tokio runtime. The runtime
    /// lives as long as the server.
    pub fn start_blocking(scheme: Scheme, reply: Reply) -> JwksServer {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("jwks-test-server")
            .enable_all()
            .build()
            .expect("Tokio runtime");
        let mut server = runtime.block_on(Self::start(scheme, reply));
        server.runtime = Some(runtime);
        server
    }

    /// Replaces the reply for every path without a reply of its own.
    pub fn set(&self, reply: Reply) {
        self.state.replies.lock().unwrap().default = reply;
    }

    /// Sets the reply for one path (the request target, e.g. `/jwks.json`).
    pub fn set_path(&self, path: &str, reply: Reply) {
        self.state.replies.lock().unwrap().by_path.insert(path.into(), reply);
    }

    /// How many requests arrived (complete heads; over HTTPS, after the handshake).
    pub fn requests(&self) -> usize {
        self.state.requests.load(Ordering::SeqCst)
    }

    /// The request heads received (request line and headers), in order of arrival.
    pub fn heads(&self) -> Vec<String> {
        self.state.heads.lock().unwrap().clone()
    }

    /// Whether it speaks HTTPS or plain HTTP.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// `https://127.0.0.1:PORT{path}` (or `http://` for a plain-HTTP server).
    pub fn url(&self, path: &str) -> String {
        let scheme = match self.scheme {
            Scheme::Https => "https",
            Scheme::Http => "http",
        };
        format!("{scheme}://{}{path}", self.addr)
    }
}

impl Drop for JwksServer {
    fn drop(&mut self) {
        self.accept.abort();
        if let Some(runtime) = self.runtime.take() {
            // Not `drop`: that blocks, which panics when the server is dropped in async code.
            runtime.shutdown_background();
        }
    }
}

/// A minimal HTTP/1.1 responder: one request per connection, then close.
async fn serve<S: AsyncRead + AsyncWrite + Unpin>(mut stream: S, state: &State) {
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
        if head.len() > MAX_HEAD {
            return;
        }
    }
    state.requests.fetch_add(1, Ordering::SeqCst);
    let head = String::from_utf8_lossy(&head).into_owned();
    let path = head.split_whitespace().nth(1).unwrap_or("/").to_owned();
    state.heads.lock().unwrap().push(head);
    let reply = {
        let replies = state.replies.lock().unwrap();
        replies.by_path.get(&path).unwrap_or(&replies.default).clone()
    };
    if !reply.delay.is_zero() {
        tokio::time::sleep(reply.delay).await;
    }
    if reply.stall {
        tokio::time::sleep(STALL).await;
        return;
    }
    let mut out = format!("HTTP/1.1 {} Scripted\r\nConnection: close\r\n", reply.status);
    if !reply.omit_length {
        out.push_str(&format!("Content-Length: {}\r\n", reply.body.len()));
    }
    for (name, value) in &reply.headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str("\r\n");
    if stream.write_all(out.as_bytes()).await.is_err() {
        return;
    }
    if let Some(n) = reply.stall_after {
        let _ = stream.write_all(&reply.body[..n]).await;
        let _ = stream.flush().await;
        tokio::time::sleep(STALL).await;
        return;
    }
    let _ = stream.write_all(&reply.body).await;
    let _ = stream.shutdown().await;
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};
    use std::net::TcpStream;

    use super::*;

    fn get(server: &JwksServer, path: &str) -> String {
        let mut tcp = TcpStream::connect(server.addr).unwrap();
        write!(tcp, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").unwrap();
        let mut response = String::new();
        tcp.read_to_string(&mut response).unwrap();
        response
    }

    #[test]
    fn plain_http_per_path_replies_and_counts() {
        let server = JwksServer::start_blocking(Scheme::Http, Reply::json("{\"keys\": []}"));
        assert_eq!(server.scheme(), Scheme::Http);
        assert_eq!(server.url("/a"), format!("http://{}/a", server.addr));
        server.set_path("/gone", Reply::status(404).header("X-Test", "1"));

        let ok = get(&server, "/jwks.json");
        assert!(ok.starts_with("HTTP/1.1 200 Scripted\r\n"), "{ok}");
        assert!(ok.contains("\r\nContent-Length: 12\r\n"), "{ok}");
        assert!(ok.ends_with("\r\n\r\n{\"keys\": []}"), "{ok}");
        let gone = get(&server, "/gone");
        assert!(gone.starts_with("HTTP/1.1 404 Scripted\r\n") && gone.contains("\r\nX-Test: 1\r\n"));
        server.set(Reply::status(500));
        assert!(get(&server, "/jwks.json").starts_with("HTTP/1.1 500 "));

        assert_eq!(server.requests(), 3);
        let heads = server.heads();
        assert!(heads[1].starts_with("GET /gone HTTP/1.1\r\n"), "{heads:?}");
    }

    #[tokio::test]
    async fn dropped_in_async_code() {
        let server = JwksServer::https(Reply::json("{}")).await;
        assert!(server.url("/").starts_with("https://127.0.0.1:"));
        assert!(!server.cert.is_empty());
        drop(server);
        let blocking = tokio::task::spawn_blocking(|| JwksServer::start_blocking(Scheme::Https, Reply::json("{}")))
            .await
            .unwrap();
        drop(blocking);
    }
}
