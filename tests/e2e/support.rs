//! Helpers: temporary homes, free ports, node processes that die with the test.

use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use proofwork_client::Client;
use proofwork_tx::SecretKey;

pub const BIN: &str = env!("CARGO_BIN_EXE_proofwork");

/// A free TCP port on 127.0.0.1 (bound then released).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Runs the CLI to completion.
pub fn cli(args: &[&str]) -> Output {
    let out = Command::new(BIN)
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run proofwork");
    out
}

/// Runs the CLI and returns stdout, panicking with stderr on failure.
pub fn cli_ok(args: &[&str]) -> String {
    let out = cli(args);
    assert!(
        out.status.success(),
        "proofwork {args:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

pub struct TestNode {
    pub home: PathBuf,
    pub port: u16,
    pub metrics_port: u16,
    child: Option<Child>,
    _dir: Option<tempfile::TempDir>,
}

impl TestNode {
    /// Initialises a home and starts a node with a short block interval.
    pub fn start(block_ms: u64) -> Self {
        Self::start_configured(block_ms, |_| {})
    }

    /// [`TestNode::start`] with `config.toml` edited by `edit` before the node starts.
    pub fn start_configured(
        block_ms: u64,
        edit: impl FnOnce(&mut proofwork_node::config::Config),
    ) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("home");
        cli_ok(&[
            "init",
            "--home",
            home.to_str().unwrap(),
            "--chain-id",
            "pw-e2e",
        ]);
        let cfg_path = home.join("config.toml");
        let mut cfg = proofwork_node::config::Config::load(&cfg_path).unwrap();
        edit(&mut cfg);
        std::fs::write(&cfg_path, cfg.to_toml()).unwrap();
        let mut n = TestNode {
            home,
            port: free_port(),
            metrics_port: free_port(),
            child: None,
            _dir: Some(dir),
        };
        n.spawn(block_ms);
        n
    }

    pub fn spawn(&mut self, block_ms: u64) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.home.join("node.log"))
            .unwrap();
        let child = Command::new(BIN)
            .args(["start", "--home", self.home.to_str().unwrap()])
            .args(["--grpc", &format!("127.0.0.1:{}", self.port)])
            .args(["--block-ms", &block_ms.to_string()])
            .args(["--metrics", &format!("127.0.0.1:{}", self.metrics_port)])
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("spawn node");
        self.child = Some(child);
    }

    /// The node process's id.
    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("node running").id()
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Connects, retrying until the node answers (bounded).
    pub async fn client(&self) -> Client {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(mut c) = Client::connect(&self.url()).await {
                if c.status().await.is_ok() {
                    return c;
                }
            }
            assert!(
                Instant::now() < deadline,
                "node did not come up; log:\n{}",
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// `/metrics` as text.
    pub fn metrics(&self) -> String {
        scrape_metrics(self.metrics_port)
    }

    pub fn key(&self, name: &str) -> SecretKey {
        proofwork_node::home::load_key(&proofwork_node::home::Home(self.home.clone()), name)
            .unwrap()
            .1
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.home.join("node.log")).unwrap_or_default()
    }

    /// SIGKILL, no cleanup: what a power cut looks like to the process.
    pub fn kill9(&mut self) {
        if let Some(mut c) = self.child.take() {
            c.kill().unwrap();
            c.wait().unwrap();
        }
    }

    /// SIGINT and wait (graceful).
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = Command::new("kill")
                .args(["-INT", &c.id().to_string()])
                .status();
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline {
                if c.try_wait().unwrap().is_some() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            c.kill().unwrap();
            c.wait().unwrap();
        }
    }

    pub fn home_str(&self) -> &str {
        self.home.to_str().unwrap()
    }
}

impl Drop for TestNode {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// The value of an unlabelled sample in `/metrics` text.
pub fn sample(metrics: &str, name: &str) -> Option<u64> {
    metrics
        .lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.trim().parse().ok())
}

/// `GET /metrics` on 127.0.0.1:`port`, as text.
pub fn scrape_metrics(port: u16) -> String {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    s.write_all(b"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

/// Says why a test is skipped where a plain `cargo test` shows it (the test harness captures
/// `eprintln!` of passing tests, so a skip would otherwise look like a pass).
pub fn skip(why: &str) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr(), "SKIPPED: {why}");
}
