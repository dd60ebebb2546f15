//! A new user's path: init, start, transfer over gRPC and the CLI, query, status.

use proofwork_tx::{sign_body, Message, TxBody};

use crate::support::{cli_ok, TestNode};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn node_commits_signed_transfers_over_grpc_and_cli() {
    let node = TestNode::start(200);
    let mut c = node.client().await;
    let alice = node.key("alice");
    let bob = node.key("bob").public_key().address();
    let before = c.balance(&bob, "upw").await.unwrap();

    // Three txs with consecutive nonces, queued before any block.
    let chain_id = c.status().await.unwrap().chain_id;
    let mut hashes = Vec::new();
    for nonce in 0..3u64 {
        let body = TxBody {
            chain_id: chain_id.clone(),
            nonce,
            fee: 1,
            messages: vec![Message::Transfer(proofwork_tx::Transfer {
                to: bob,
                denom: "upw".into(),
                amount: 10,
            })],
        };
        // The last one waits for its commit; the block takes the earlier ones too.
        let r = c
            .broadcast(sign_body(&alice, &body), nonce == 2)
            .await
            .unwrap();
        assert_eq!(r.code, 0, "{}", r.log);
        hashes.push(r.hash.clone());
        if nonce == 2 {
            assert_eq!(
                r.committed
                    .expect("committed within the wait")
                    .result
                    .unwrap()
                    .code,
                0
            );
        }
    }
    for h in &hashes {
        // The tx index answers for each.
        let found = c.get_tx(h).await.unwrap();
        assert_eq!(found.result.unwrap().code, 0);
    }
    assert_eq!(c.balance(&bob, "upw").await.unwrap(), before + 30);
    assert_eq!(
        c.account(&alice.public_key().address())
            .await
            .unwrap()
            .nonce,
        3
    );

    // The same through the CLI.
    let url = node.url();
    let out = cli_ok(&[
        "tx",
        "--home",
        node.home_str(),
        "--node",
        &url,
        "transfer",
        "--from",
        "alice",
        "--to",
        "bob",
        "--amount",
        "5",
    ]);
    let sent: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(sent["code"], 0, "{out}");
    let bal = cli_ok(&["query", "--node", &url, "balance", &bob.to_string()]);
    assert_eq!(bal.trim(), (before + 35).to_string());
    let status: serde_json::Value =
        serde_json::from_str(&cli_ok(&["status", "--node", &url])).unwrap();
    assert!(status["height"].as_u64().unwrap() >= 2);
    assert_eq!(status["app_hash"].as_str().unwrap().len(), 64);
    // Prometheus metrics over plain HTTP.
    let metrics = {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(("127.0.0.1", node.metrics_port)).unwrap();
        s.write_all(b"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            .unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        out
    };
    for name in [
        "proofwork_height",
        "proofwork_txs_committed_total",
        "proofwork_block_exec_seconds",
        "proofwork_grpc_request_seconds",
    ] {
        assert!(
            metrics.contains(name),
            "{name} missing from /metrics:\n{metrics}"
        );
    }
    let keys = cli_ok(&["keys", "--home", node.home_str(), "list"]);
    assert!(keys.contains("alice") && keys.contains("dave"), "{keys}");
}

/// The README's first command: `proofwork demo` shows blocks, transfers and a useful-work job
/// verified (on CUDA where a GPU opens, else the CPU), with credits and royalties.
#[test]
fn demo_shows_blocks_and_a_verified_work_job() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let h = home.to_str().unwrap();
    cli_ok(&["init", "--home", h, "--chain-id", "pw-demo"]);
    // Free loopback ports instead of the defaults, and 300 ms blocks to keep it short.
    let cfg_path = home.join("config.toml");
    let cfg = std::fs::read_to_string(&cfg_path).unwrap();
    let port = |p: u16| format!("127.0.0.1:{p}");
    let cfg = cfg
        .replace("127.0.0.1:9090", &port(crate::support::free_port()))
        .replace("127.0.0.1:26660", &port(crate::support::free_port()))
        .replace("block_interval_ms = 1000", "block_interval_ms = 300");
    std::fs::write(&cfg_path, cfg).unwrap();
    let out = cli_ok(&["demo", "--home", h, "--blocks", "40"]);
    assert!(out.contains("block    40"), "{out}");
    let verified = out
        .lines()
        .find(|l| l.contains("[worker dave]") && l.contains("VERIFIED"))
        .unwrap_or_else(|| panic!("no verified job in:\n{out}"));
    assert!(verified.contains("+16 credits"), "{verified}");
    assert!(out.contains("compute credits"), "{out}");
}
