//! A throwaway `redis-server` on loopback, for the tests and the bench of the Redis replay
//! guard: [`RedisServer::start`] runs the real server (Debian package `redis-server`) on a
//! free `127.0.0.1` port, without persistence, in a temporary directory, and waits until it
//! answers `PING`; dropping it kills the server and removes the directory.
//!
//! Without the binary, [`RedisServer::start`] prints that the caller is skipped and returns
//! `None` — except in CI (the environment variable `CI` set, not `false` or `0`), where a
//! missing `redis-server` is a failure: CI installs it, so the Redis tests always run there.
//!
//! ```
//! use software_statement_test_support::redis::RedisServer;
//!
//! let Some(server) = RedisServer::start("this example") else { return };
//! assert!(server.url().starts_with("redis://127.0.0.1:"));
//! assert!(server.ping());
//! drop(server); // killed
//! ```

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The server binary, looked up on `PATH`.
const BINARY: &str = "redis-server";

/// How long a server may take to answer its first `PING`.
const READY_WITHIN: Duration = Duration::from_secs(10);

/// Temporary directories made by this process, for unique names.
static DIRS: AtomicUsize = AtomicUsize::new(0);

/// A running `redis-server` on `127.0.0.1`; see the module documentation.
pub struct RedisServer {
    child: Option<Child>,
    port: u16,
    dir: PathBuf,
}

/// Whether this run is CI's: `CI` set to anything but empty, `false` or `0`.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

impl RedisServer {
    /// Starts a server and waits until it answers; `None`, after printing that `what` is
    /// skipped, when `redis-server` is not installed. Panics when it is missing in CI
    /// ([`in_ci`]), or when it does not start.
    pub fn start(what: &str) -> Option<RedisServer> {
        let dir = std::env::temp_dir().join(format!(
            "software-statement-redis-{}-{}",
            std::process::id(),
            DIRS.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::create_dir_all(&dir).expect("a temporary directory for redis-server");
        let mut server = RedisServer {
            child: None,
            port: 0,
            dir,
        };
        // A free port can be taken by someone else before the server binds it: try again.
        for _ in 0..5 {
            server.port = free_port();
            match server.spawn() {
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    if in_ci() {
                        panic!("{BINARY} is not installed: CI (CI is set) runs the Redis tests (apt-get install redis-server)");
                    }
                    // Straight to stderr, past the test harness's capture: a skip must show.
                    let _ = writeln!(
                        std::io::stderr(),
                        "skipped: {what} (needs {BINARY}, not installed; apt-get install redis-server)"
                    );
                    return None;
                }
                Err(e) => panic!("cannot start {BINARY}: {e}"),
                Ok(()) => {}
            }
            if server.wait_ready() {
                return Some(server);
            }
            server.kill();
        }
        panic!("{BINARY} did not start; its log:\n{}", server.log());
    }

    /// Starts the server again on the same port, empty (no persistence), after
    /// [`stop`](Self::stop); waits until it answers.
    pub fn restart(&mut self) {
        self.kill();
        self.spawn().expect("redis-server starts again");
        assert!(
            self.wait_ready(),
            "{BINARY} did not start again; its log:\n{}",
            self.log()
        );
    }

    /// `redis://127.0.0.1:<port>/`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Kills the server (SIGKILL, as a crash or a lost host): clients see their connection
    /// drop and new connections refused.
    pub fn stop(&mut self) {
        self.kill();
    }

    /// Freezes the server (SIGSTOP): connections stay open and nothing is answered, as on
    /// an overloaded or partitioned host.
    pub fn pause(&self) {
        self.signal("-STOP");
    }

    /// Resumes a [`pause`](Self::pause)d server (SIGCONT).
    pub fn resume(&self) {
        self.signal("-CONT");
    }

    /// Whether it answers `PING` now (within half a second).
    pub fn ping(&self) -> bool {
        ping(self.port, Duration::from_millis(500))
    }

    fn spawn(&mut self) -> std::io::Result<()> {
        let log = std::fs::File::create(self.dir.join("redis.log"))?;
        let child = Command::new(BINARY)
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .arg("--dir")
            .arg(&self.dir)
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()?;
        self.child = Some(child);
        Ok(())
    }

    /// Waits until the server answers `PING`; `false` if it exited or never answered.
    fn wait_ready(&mut self) -> bool {
        let start = Instant::now();
        while start.elapsed() < READY_WITHIN {
            if ping(self.port, Duration::from_millis(200)) {
                return true;
            }
            match self.child.as_mut().map(Child::try_wait) {
                Some(Ok(None)) => std::thread::sleep(Duration::from_millis(20)),
                _ => return false,
            }
        }
        false
    }

    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    fn signal(&self, signal: &str) {
        let pid = self.child.as_ref().expect("the server is running").id();
        let status = Command::new("kill")
            .args([signal, &pid.to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill {signal} {pid}");
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("redis.log")).unwrap_or_default()
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A port nobody listens on right now.
fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port()
}

/// Whether a Redis on `port` answers `PING` with `+PONG` within `timeout`.
fn ping(port: u16, timeout: Duration) -> bool {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, timeout) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(timeout));
    let _ = stream.set_write_timeout(Some(timeout));
    let mut answer = [0u8; 7];
    stream.write_all(b"PING\r\n").is_ok() && stream.read_exact(&mut answer).is_ok() && &answer == b"+PONG\r\n"
}
