//! A loopback CometBFT network of real processes for the tests in `cometbft.rs`: laid out
//! by `proofwork testnet`, one `proofwork start --abci` + one `cometbft start` per node,
//! every process killed on drop, every wait bounded.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use proofwork_client::Client;
use proofwork_node::cometbft::RpcClient;
use proofwork_node::testnet::TestnetLayout;
use proofwork_tx::SecretKey;

use crate::support::{cli_ok, BIN};

/// The networks are heavy (8–10 processes on a 2-core machine): run one at a time.
static NET_LOCK: Mutex<()> = Mutex::new(());

/// Finds a `cometbft` v0.38 binary: `$PROOFWORK_COMETBFT`, then PATH, then
/// `$(go env GOPATH)/bin`.
pub fn cometbft_bin() -> Option<PathBuf> {
    let mut candidates = Vec::new();
    if let Some(p) = std::env::var_os("PROOFWORK_COMETBFT") {
        candidates.push(PathBuf::from(p));
    }
    if let Some(path) = std::env::var_os("PATH") {
        for d in std::env::split_paths(&path) {
            candidates.push(d.join("cometbft"));
        }
    }
    if let Ok(out) = Command::new("go").args(["env", "GOPATH"]).output() {
        let gp = String::from_utf8_lossy(&out.stdout).trim().to_string();
        if !gp.is_empty() {
            candidates.push(Path::new(&gp).join("bin/cometbft"));
        }
    }
    candidates.into_iter().find(|c| {
        Command::new(c)
            .arg("version")
            .output()
            .map(|o| o.status.success() && String::from_utf8_lossy(&o.stdout).starts_with("0.38."))
            .unwrap_or(false)
    })
}

/// The binary, or `None` after printing why the test is skipped.
pub fn require_cometbft() -> Option<PathBuf> {
    let b = cometbft_bin();
    if b.is_none() {
        crate::support::skip("cometbft not installed (run scripts/install-cometbft.sh)");
    }
    b
}

/// A base port below the ephemeral range (so outgoing connections cannot take a node's
/// port before it binds) whose whole block of ports is free now.
fn free_base_port(nodes: usize) -> u16 {
    let mut seed = [0u8; 2];
    getrandom::fill(&mut seed).unwrap();
    let start = u16::from_le_bytes(seed) % 100;
    for k in 0..100u16 {
        let base = 20_000 + ((start + k) % 100) * 120;
        let ok = (0..nodes as u16 * 10)
            .all(|o| std::net::TcpListener::bind(("127.0.0.1", base + o)).is_ok());
        if ok {
            return base;
        }
    }
    panic!("no free port block found");
}

#[derive(Default)]
struct Procs {
    app: Option<Child>,
    comet: Option<Child>,
}

pub struct Net {
    pub layout: TestnetLayout,
    pub dir: PathBuf,
    comet: PathBuf,
    procs: Vec<Procs>,
    _tmp: tempfile::TempDir,
    _lock: MutexGuard<'static, ()>,
}

impl Net {
    /// Lays out `validators` + `full_nodes` nodes (nothing started).
    pub fn new(comet: PathBuf, validators: usize, full_nodes: usize) -> Self {
        let lock = NET_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("net");
        let base = free_base_port(validators + full_nodes);
        cli_ok(&[
            "testnet",
            "--validators",
            &validators.to_string(),
            "--full-nodes",
            &full_nodes.to_string(),
            "--out",
            dir.to_str().unwrap(),
            "--base-port",
            &base.to_string(),
            "--chain-id",
            "pw-e2e-net",
            "--timeout-commit-ms",
            "200",
            "--timeout-propose-ms",
            "800",
        ]);
        let layout = TestnetLayout::load(&dir).unwrap();
        let procs = (0..layout.nodes.len()).map(|_| Procs::default()).collect();
        Net {
            layout,
            dir,
            comet,
            procs,
            _tmp: tmp,
            _lock: lock,
        }
    }

    fn log(&self, i: usize, what: &str) -> std::fs::File {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.join(format!("node{i}/{what}.log")))
            .unwrap()
    }

    /// Starts node `i`'s pair; `app_env` is passed to the proofwork process only.
    pub fn start_with(&mut self, i: usize, app_env: &[(&str, String)]) {
        let n = self.layout.nodes[i].clone();
        let mut app = Command::new(BIN);
        app.args([
            "start",
            "--abci",
            "--home",
            n.proofwork_home.to_str().unwrap(),
        ])
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(self.log(i, "proofwork"));
        for (k, v) in app_env {
            app.env(k, v);
        }
        self.procs[i].app = Some(app.spawn().expect("spawn proofwork"));
        // The ABCI socket first, so CometBFT's first dial succeeds (it would retry anyway).
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", n.abci_port)).is_err() {
            assert!(Instant::now() < deadline, "ABCI of node{i} did not open");
            std::thread::sleep(Duration::from_millis(20));
        }
        let comet = Command::new(&self.comet)
            .args(["start", "--home", n.cometbft_home.to_str().unwrap()])
            .stdout(self.log(i, "cometbft"))
            .stderr(self.log(i, "cometbft"))
            .spawn()
            .expect("spawn cometbft");
        self.procs[i].comet = Some(comet);
    }

    pub fn start(&mut self, i: usize) {
        self.start_with(i, &[]);
    }

    pub fn start_all(&mut self) {
        for i in 0..self.layout.nodes.len() {
            self.start(i);
        }
    }

    /// kill -9 of both processes of node `i`.
    pub fn kill(&mut self, i: usize) {
        for c in [self.procs[i].comet.take(), self.procs[i].app.take()]
            .into_iter()
            .flatten()
        {
            let mut c = c;
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    pub fn kill_all(&mut self) {
        for i in 0..self.procs.len() {
            self.kill(i);
        }
    }

    /// Waits (bounded) for node `i`'s app process to exit by itself; true if it did.
    pub fn wait_app_exit(&mut self, i: usize, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Some(c) = self.procs[i].app.as_mut() {
                if c.try_wait().unwrap().is_some() {
                    self.procs[i].app = None;
                    return true;
                }
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }

    pub fn rpc(&self, i: usize) -> RpcClient {
        RpcClient::new(&format!("127.0.0.1:{}", self.layout.nodes[i].rpc_port))
    }

    pub fn grpc_url(&self, i: usize) -> String {
        format!("http://127.0.0.1:{}", self.layout.nodes[i].grpc_port)
    }

    /// A gRPC client of node `i`, once its app answers Status (bounded).
    pub async fn client(&self, i: usize) -> Client {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(mut c) = Client::connect(&self.grpc_url(i)).await {
                if c.status().await.is_ok() {
                    return c;
                }
            }
            assert!(
                Instant::now() < deadline,
                "node{i} gRPC did not come up\n{}",
                self.logs(i)
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// CometBFT's latest height on node `i` (0 when unreachable).
    pub async fn height(&self, i: usize) -> u64 {
        self.rpc(i).latest_height().await.unwrap_or(0)
    }

    /// Waits until node `i` reaches height `h`.
    pub async fn wait_height(&self, i: usize, h: u64, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        loop {
            let got = self.height(i).await;
            if got >= h {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "node{i} stuck at height {got}, wanted {h}\n{}",
                self.logs(i)
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The last lines of node `i`'s logs, for failure messages.
    pub fn logs(&self, i: usize) -> String {
        let mut out = String::new();
        for what in ["proofwork", "cometbft"] {
            let text = std::fs::read_to_string(self.dir.join(format!("node{i}/{what}.log")))
                .unwrap_or_default();
            let lines: Vec<&str> = text.lines().collect();
            out.push_str(&format!("--- node{i} {what}.log (tail) ---\n"));
            for l in &lines[lines.len().saturating_sub(25)..] {
                out.push_str(l);
                out.push('\n');
            }
        }
        out
    }

    /// A key from the shared keyring.
    pub fn key(&self, name: &str) -> SecretKey {
        proofwork_node::home::load_key(
            &proofwork_node::home::Home(self.layout.nodes[0].proofwork_home.clone()),
            name,
        )
        .unwrap()
        .1
    }

    pub fn proofwork_home(&self, i: usize) -> &Path {
        &self.layout.nodes[i].proofwork_home
    }
}

impl Drop for Net {
    fn drop(&mut self) {
        self.kill_all();
        if std::thread::panicking() {
            for i in 0..self.procs.len() {
                eprintln!("{}", self.logs(i));
            }
        }
    }
}

/// Runs the CLI against a node (helper for the admission flow).
pub fn cli_json(args: &[&str]) -> serde_json::Value {
    serde_json::from_str(&cli_ok(args)).unwrap()
}
