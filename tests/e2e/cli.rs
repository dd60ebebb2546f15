//! The command line as a new user meets it: Ctrl-C, taken ports, explicit escrow outcomes,
//! snapshots that give a runnable home, JSON errors, burn and force-transfer.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::support::{cli, cli_ok, free_port, TestNode, BIN};

/// A spawned `proofwork` whose stdout and stderr are collected as they come.
struct Proc {
    child: Child,
    out: Arc<Mutex<String>>,
    err: Arc<Mutex<String>>,
}

impl Proc {
    fn spawn(args: &[&str]) -> Self {
        let mut child = Command::new(BIN)
            .args(args)
            .env("RUST_LOG", "info")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn proofwork");
        let collect = |r: Box<dyn std::io::Read + Send>| {
            let buf = Arc::new(Mutex::new(String::new()));
            let b = buf.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(r).lines().map_while(Result::ok) {
                    let mut b = b.lock().unwrap();
                    b.push_str(&line);
                    b.push('\n');
                }
            });
            buf
        };
        let out = collect(Box::new(child.stdout.take().unwrap()));
        let err = collect(Box::new(child.stderr.take().unwrap()));
        Proc { child, out, err }
    }

    fn output(&self) -> String {
        format!(
            "--- stdout\n{}--- stderr\n{}",
            self.out.lock().unwrap(),
            self.err.lock().unwrap()
        )
    }

    /// Waits until stdout or stderr has a line containing `needle`.
    fn wait_for(&mut self, needle: &str, within: Duration) {
        let deadline = Instant::now() + within;
        loop {
            if self.out.lock().unwrap().contains(needle)
                || self.err.lock().unwrap().contains(needle)
            {
                return;
            }
            if let Some(s) = self.child.try_wait().unwrap() {
                panic!(
                    "exited ({s}) before printing {needle:?}:\n{}",
                    self.output()
                );
            }
            assert!(
                Instant::now() < deadline,
                "no {needle:?} within {within:?}:\n{}",
                self.output()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn sigint(&self) {
        let ok = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status()
            .unwrap()
            .success();
        assert!(ok, "kill -INT failed");
    }

    /// Waits for the exit; panics (after killing it) if it takes longer than `within`.
    fn wait_exit(&mut self, within: Duration) -> ExitStatus {
        let deadline = Instant::now() + within;
        loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                // Let the reader threads drain the pipes.
                std::thread::sleep(Duration::from_millis(100));
                return s;
            }
            if Instant::now() >= deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!(
                    "still running {within:?} after the signal:\n{}",
                    self.output()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// One SIGINT: a clean exit 0 within a few seconds, no raw transport error printed.
    fn assert_stops_on_first_ctrl_c(&mut self) {
        self.sigint();
        let status = self.wait_exit(Duration::from_secs(10));
        let all = self.output();
        assert!(status.success(), "exit {status} after one SIGINT:\n{all}");
        for bad in ["transport error", "Error:", "error:", "panicked"] {
            assert!(!all.contains(bad), "{bad:?} printed on Ctrl-C:\n{all}");
        }
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn init_home() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home").to_str().unwrap().to_string();
    cli_ok(&["init", "--home", &home, "--chain-id", "pw-cli"]);
    (dir, home)
}

fn addr(port: u16) -> String {
    format!("127.0.0.1:{port}")
}

#[test]
fn ctrl_c_stops_start_on_the_first_signal() {
    let (_d, home) = init_home();
    let mut p = Proc::spawn(&[
        "start",
        "--home",
        &home,
        "--grpc",
        &addr(free_port()),
        "--metrics",
        "",
        "--block-ms",
        "100",
    ]);
    p.wait_for("committed", Duration::from_secs(30));
    p.assert_stops_on_first_ctrl_c();
}

#[test]
fn ctrl_c_stops_demo_on_the_first_signal() {
    let (_d, home) = init_home();
    // `demo` takes --grpc, --metrics and --block-ms like `start`.
    let mut p = Proc::spawn(&[
        "demo",
        "--home",
        &home,
        "--grpc",
        &addr(free_port()),
        "--metrics",
        &addr(free_port()),
        "--block-ms",
        "200",
    ]);
    p.wait_for("block ", Duration::from_secs(60));
    p.assert_stops_on_first_ctrl_c();
}

#[test]
fn ctrl_c_stops_start_abci_on_the_first_signal() {
    let (_d, home) = init_home();
    let port = free_port();
    let mut p = Proc::spawn(&[
        "start",
        "--home",
        &home,
        "--abci",
        &format!("tcp://127.0.0.1:{port}"),
        "--grpc",
        &addr(free_port()),
        "--metrics",
        "",
    ]);
    p.wait_for("ABCI mode", Duration::from_secs(30));
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "ABCI port never opened:\n{}",
            p.output()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    p.assert_stops_on_first_ctrl_c();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_stops_a_worker_on_the_first_signal() {
    let node = TestNode::start(100);
    node.client().await;
    let url = node.url();
    let mut p = Proc::spawn(&[
        "worker",
        "--home",
        node.home_str(),
        "--node",
        &url,
        "--key",
        "bob",
        "--backend",
        "cpu",
    ]);
    p.wait_for("registered worker", Duration::from_secs(30));
    p.assert_stops_on_first_ctrl_c();
}

/// A taken gRPC or metrics port fails the start before any block, with a clear message;
/// under `--output json` the error is JSON on stdout.
#[test]
fn a_taken_port_fails_the_start_before_any_block() {
    let (_d, home) = init_home();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    for (flag, other, what) in [
        ("--grpc", "--metrics", "gRPC"),
        ("--metrics", "--grpc", "metrics"),
    ] {
        let started = Instant::now();
        let out = cli(&[
            "start",
            "--home",
            &home,
            flag,
            &addr(port),
            other,
            &addr(free_port()),
            "--output",
            "json",
        ]);
        assert!(started.elapsed() < Duration::from_secs(20));
        assert!(!out.status.success(), "{what}: started on a taken port");
        let v: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{what}: {e}: {}", String::from_utf8_lossy(&out.stdout)));
        let msg = v["error"]["message"].as_str().unwrap();
        assert!(
            msg.contains(what) && msg.contains("already in use"),
            "{msg}"
        );
        assert_eq!(v["error"]["codespace"], "cli");
        assert_eq!(v["error"]["code"], 6);
    }
    // Not one block was produced.
    let path = std::path::Path::new(&home).join("data");
    if path.exists() {
        let s = proofwork_state::Storage::open(&path, Default::default()).unwrap();
        assert_eq!(s.latest(), None);
    }
    drop(taken);
}

/// `escrow sign` needs an explicit outcome; each outcome signs its own digest.
#[test]
fn escrow_outcome_is_explicit_and_signs_what_it_says() {
    use proofwork_tx::assets::oracle_digest;
    let (_d, home) = init_home();
    let out = cli(&[
        "tx", "--home", &home, "escrow", "sign", "--oracle", "alice", "--id", "7",
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--outcome"));
    let bare = cli(&[
        "tx",
        "--home",
        &home,
        "escrow",
        "sign",
        "--oracle",
        "alice",
        "--id",
        "7",
        "--outcome",
    ]);
    assert!(!bare.status.success(), "a bare --outcome is refused");
    let alice =
        proofwork_node::home::load_key(&proofwork_node::home::Home(home.clone().into()), "alice")
            .unwrap()
            .1
            .public_key();
    for (value, bit) in [("happened", true), ("not-happened", false)] {
        let sig = cli_ok(&[
            "tx",
            "--home",
            &home,
            "escrow",
            "sign",
            "--oracle",
            "alice",
            "--id",
            "7",
            "--outcome",
            value,
        ]);
        let sig = hex::decode(sig.trim()).unwrap();
        alice
            .verify_digest(&oracle_digest("pw-cli", 7, bit), &sig)
            .unwrap();
        assert!(alice
            .verify_digest(&oracle_digest("pw-cli", 7, !bit), &sig)
            .is_err());
    }
}

async fn wait_height(url: &str, height: u64) -> u64 {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(mut c) = proofwork_client::Client::connect(url).await {
            if let Ok(s) = c.status().await {
                if s.height >= height {
                    return s.height;
                }
            }
        }
        assert!(
            Instant::now() < deadline,
            "height {height} not reached at {url}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// `import` into a new home: without the validator's keys, `start` says exactly what to
/// copy before any block; with `--keys-from`, the home runs and extends the chain.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_imported_snapshot_gives_a_home_that_runs() {
    let mut node = TestNode::start(100);
    node.client().await;
    wait_height(&node.url(), 3).await;
    node.stop();
    let dir = tempfile::tempdir().unwrap();
    let snap = dir.path().join("snap.bin");
    let header: serde_json::Value = serde_json::from_str(&cli_ok(&[
        "export",
        "--home",
        node.home_str(),
        "--out",
        snap.to_str().unwrap(),
    ]))
    .unwrap();
    let exported = header["height"].as_u64().unwrap();

    let bare = dir.path().join("bare");
    let out = cli_ok(&[
        "import",
        "--home",
        bare.to_str().unwrap(),
        "--file",
        snap.to_str().unwrap(),
    ]);
    assert!(
        out.contains("vrf_key.json"),
        "import names the files to copy: {out}"
    );
    let out = cli(&[
        "start",
        "--home",
        bare.to_str().unwrap(),
        "--grpc",
        &addr(free_port()),
        "--metrics",
        "",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("cannot produce blocks") && err.contains("vrf_key.json"),
        "{err}"
    );

    let moved = dir.path().join("moved");
    let out = cli_ok(&[
        "import",
        "--home",
        moved.to_str().unwrap(),
        "--file",
        snap.to_str().unwrap(),
        "--keys-from",
        node.home_str(),
        "--output",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["height"].as_u64(), Some(exported));
    assert!(v["missing"].as_array().unwrap().is_empty(), "{out}");
    let port = free_port();
    let _p = Proc::spawn(&[
        "start",
        "--home",
        moved.to_str().unwrap(),
        "--grpc",
        &addr(port),
        "--metrics",
        "",
        "--block-ms",
        "100",
    ]);
    let url = format!("http://{}", addr(port));
    wait_height(&url, exported + 2).await;
}

/// Under `--output json` every failure is `{"error": {code, codespace, message}}` on
/// stdout with a non-zero exit.
#[test]
fn errors_are_json_under_output_json() {
    let (_d, home) = init_home();
    let closed = format!("http://{}", addr(free_port()));
    let cases: Vec<(Vec<&str>, u64)> = vec![
        (
            vec!["status", "--node", closed.as_str(), "--output", "json"],
            5,
        ),
        (
            vec![
                "--output",
                "json",
                "query",
                "--home",
                home.as_str(),
                "balance",
                "nobody",
            ],
            3,
        ),
        (
            vec!["tx", "transfer", "--output", "json", "--from", "alice"],
            2,
        ),
    ];
    for (args, code) in cases {
        let out = cli(&args);
        assert!(!out.status.success(), "{args:?}");
        let v: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{args:?}: {e}: {}", String::from_utf8_lossy(&out.stdout)));
        assert_eq!(v["error"]["code"].as_u64(), Some(code), "{args:?}: {v}");
        assert_eq!(v["error"]["codespace"], "cli", "{v}");
        assert!(!v["error"]["message"].as_str().unwrap().is_empty());
    }
}

/// `burn` and `force-transfer` reach the chain, with key names where addresses go.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn burn_and_force_transfer_have_commands() {
    let node = TestNode::start(100);
    node.client().await;
    let url = node.url();
    let tx = |args: &[&str]| {
        let mut all = vec!["tx", "--home", node.home_str(), "--node", &url];
        all.extend_from_slice(args);
        let v: serde_json::Value = serde_json::from_str(&cli_ok(&all)).unwrap();
        assert_eq!(v["code"], 0, "{v}");
        assert!(v["time"].as_str().unwrap().ends_with('Z'), "{v}");
        v
    };
    tx(&[
        "create-class",
        "--from",
        "alice",
        "--id",
        "gold",
        "--powers",
        "burn,force_transfer",
        "--supply",
        "1000",
    ]);
    tx(&[
        "force-transfer",
        "--from",
        "alice",
        "--class",
        "gold",
        "--amount",
        "100",
        "--holder",
        "alice",
        "--to",
        "bob",
    ]);
    tx(&[
        "burn", "--from", "alice", "--class", "gold", "--amount", "30", "--holder", "bob",
    ]);
    tx(&[
        "burn", "--from", "alice", "--class", "gold", "--amount", "5",
    ]);
    let bal = |who: &str| {
        cli_ok(&[
            "query",
            "--home",
            node.home_str(),
            "--node",
            &url,
            "balance",
            who,
            "--denom",
            "gold",
        ])
        .trim()
        .to_string()
    };
    assert_eq!(bal("bob"), "70");
    assert_eq!(bal("alice"), "895");
    let out = cli(&[
        "tx",
        "--home",
        node.home_str(),
        "--node",
        &url,
        "burn",
        "--from",
        "alice",
        "--class",
        "gold",
    ]);
    assert!(!out.status.success(), "burn needs --token or --amount");
}
