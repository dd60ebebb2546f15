//! The real multi-validator network: proofwork under CometBFT v0.38 on loopback.
//!
//! Each test lays out a network with `proofwork testnet`, runs every node as two real
//! processes, and checks the app hash of every height across nodes (from each node's
//! block log, after the processes are gone) and against a re-execution on the embedded
//! engine. Without a `cometbft` binary the tests print why and pass; CI installs it with
//! `scripts/install-cometbft.sh`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use proofwork_client::Client;
use proofwork_node::app::{load_block, App, SigCache};
use proofwork_node::engine::Node;
use proofwork_node::home::Home;
use proofwork_state::{Storage, StorageConfig};
use proofwork_tx::{sign_body, Address, Message, SecretKey, TxBody};

use crate::net::{cli_json, require_cometbft, Net};

const UP: Duration = Duration::from_secs(60);

fn transfer(chain_id: &str, key: &SecretKey, nonce: u64, to: Address) -> Vec<u8> {
    sign_body(
        key,
        &TxBody {
            chain_id: chain_id.into(),
            nonce,
            fee: 1,
            messages: vec![Message::Transfer(proofwork_tx::Transfer {
                to,
                denom: "upw".into(),
                amount: 1,
            })],
        },
    )
}

/// Sends `n` transfers one after another through `c`, each waited for; returns
/// `(hash, height)` of each.
async fn send_transfers(c: &mut Client, key: &SecretKey, n: usize) -> Vec<(Vec<u8>, u64)> {
    let chain_id = c.status().await.unwrap().chain_id;
    let mut nonce = c.account(&key.public_key().address()).await.unwrap().nonce;
    let sink = Address([0xee; 20]);
    let mut out = Vec::new();
    for _ in 0..n {
        let r = c
            .broadcast(transfer(&chain_id, key, nonce, sink), true)
            .await
            .unwrap();
        assert_eq!(r.code, 0, "refused: {}", r.log);
        let committed = r.committed.expect("committed");
        assert_eq!(committed.result.as_ref().unwrap().code, 0);
        out.push((r.hash, committed.height));
        nonce += 1;
    }
    out
}

fn open_store(home: &std::path::Path) -> Storage {
    Storage::open(Home(home.to_path_buf()).data(), StorageConfig::default()).unwrap()
}

/// With every process stopped: each node's block log has the same app hash at every
/// height they share; returns that many heights.
fn assert_same_app_hashes(net: &Net) -> u64 {
    let stores: Vec<Storage> = (0..net.layout.nodes.len())
        .map(|i| open_store(net.proofwork_home(i)))
        .collect();
    let common = stores
        .iter()
        .map(|s| s.latest().map_or(0, |l| l.height))
        .min()
        .unwrap();
    assert!(common > 0, "no committed heights");
    for h in 1..=common {
        let hashes: Vec<Vec<u8>> = stores
            .iter()
            .map(|s| load_block(s, h).unwrap().expect("block in log").app_hash)
            .collect();
        assert!(
            hashes.iter().all(|x| x == &hashes[0]),
            "app hashes differ at height {h}: {:?}",
            hashes.iter().map(hex::encode).collect::<Vec<_>>()
        );
    }
    common
}

/// The auditor's replay of node `i`'s chain (in-process App, fresh store): every app hash
/// matches.
fn assert_replay_matches(net: &Net, i: usize) -> u64 {
    let home = Home(net.proofwork_home(i).to_path_buf());
    let genesis = home.load_genesis().unwrap();
    let source = open_store(&home.0);
    let scratch = tempfile::tempdir().unwrap();
    let report =
        proofwork_node::audit::replay(&genesis, &source, scratch.path(), None, false).unwrap();
    assert!(report.mismatch.is_none(), "{:?}", report.mismatch);
    report.heights_checked
}

/// The determinism check: the same txs, block by block with the same block times, through
/// the *embedded engine* (its mempool, proposal and commit path) give the app hash the
/// CometBFT network recorded at every height.
fn assert_embedded_engine_matches(net: &Net, i: usize) -> u64 {
    let home = Home(net.proofwork_home(i).to_path_buf());
    let genesis = home.load_genesis().unwrap();
    let source = open_store(&home.0);
    let scratch = tempfile::tempdir().unwrap();
    let mut app = App::new(
        Storage::open(scratch.path(), StorageConfig::default()).unwrap(),
        Arc::new(SigCache::new(1 << 16)),
    )
    .unwrap();
    app.init_chain(&genesis.chain_id, &genesis.app_state)
        .unwrap();
    let node = Node::new(app, proofwork_node::config::Config::default().engine()).unwrap();
    let last = source.latest().unwrap().height;
    for h in 1..=last {
        let rec = load_block(&source, h).unwrap().unwrap();
        // The beacon tx (vote extensions of the previous height) is the proposer's, not a
        // mempool tx: hand it to the engine as the proposal's first tx.
        let (beacon_tx, user_txs) = match rec.txs.split_first() {
            Some((first, rest)) if proofwork_consensus::beacon::is_beacon_tx(first) => {
                (Some(first.clone()), rest)
            }
            _ => (None, rec.txs.as_slice()),
        };
        for tx in user_txs {
            node.submit(tx.clone(), false)
                .expect("tx accepted by the embedded mempool");
        }
        let hash: [u8; 32] = rec.block_hash.as_slice().try_into().unwrap();
        let b = node
            .produce_block_as(rec.time_ns, Some(hash), beacon_tx)
            .unwrap();
        assert_eq!(b.height, h);
        assert_eq!(b.num_txs, rec.txs.len(), "height {h}");
        assert_eq!(
            hex::encode(b.app_hash),
            hex::encode(&rec.app_hash),
            "embedded engine diverges from the CometBFT network at height {h}"
        );
    }
    last
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_validators_commit_txs_sent_to_every_node_with_equal_app_hashes() {
    let Some(comet) = require_cometbft() else {
        return;
    };
    let mut net = Net::new(comet, 4, 0);
    net.start_all();
    for i in 0..4 {
        net.wait_height(i, 2, UP).await;
    }
    // One sender per node, concurrently.
    let mut tasks = Vec::new();
    for (i, name) in ["alice", "bob", "carol", "dave"].into_iter().enumerate() {
        let mut c = net.client(i).await;
        let key = net.key(name);
        tasks.push(tokio::spawn(async move {
            send_transfers(&mut c, &key, 5).await
        }));
    }
    let mut committed = Vec::new();
    for t in tasks {
        committed.extend(t.await.unwrap());
    }
    assert_eq!(committed.len(), 20);
    // Every node knows every tx at the same height.
    for i in 0..4 {
        let mut c = net.client(i).await;
        for (hash, height) in &committed {
            let deadline = Instant::now() + Duration::from_secs(10);
            loop {
                match c.get_tx(hash).await {
                    Ok(r) => {
                        assert_eq!(r.height, *height);
                        break;
                    }
                    Err(_) if Instant::now() < deadline => {
                        tokio::time::sleep(Duration::from_millis(100)).await
                    }
                    Err(e) => panic!("node{i} lacks tx {}: {e}", hex::encode(hash)),
                }
            }
        }
    }
    // The CLI's status works against a CometBFT node too.
    let s = cli_json(&["status", "--node", &net.grpc_url(1)]);
    assert_eq!(s["chain_id"], "pw-e2e-net");
    // Each app serves /metrics under CometBFT too (its own port from the layout): blocks and
    // txs committed, time per block.
    for i in 0..4 {
        let m = crate::support::scrape_metrics(net.layout.nodes[i].metrics_port);
        let height = crate::support::sample(&m, "proofwork_height").unwrap_or(0);
        assert!(height >= 2, "node{i} height {height}\n{m}");
        let txs = crate::support::sample(&m, "proofwork_txs_committed_total").unwrap_or(0);
        assert!(txs >= 20, "node{i} txs {txs}");
        let blocks = crate::support::sample(&m, "proofwork_block_exec_seconds_count").unwrap_or(0);
        assert!(blocks >= 2, "node{i} blocks {blocks}");
    }
    net.kill_all();
    let heights = assert_same_app_hashes(&net);
    assert!(heights >= 3);
    // Vote extensions are on from height 1: every block from 2 on starts with the beacon
    // tx of the previous height's VRF outputs (> 2/3 of the power), recorded as its beacon.
    let store = open_store(net.proofwork_home(0));
    for h in 2..=heights {
        let rec = load_block(&store, h).unwrap().unwrap();
        let first = rec.txs.first().expect("beacon tx");
        let tx = proofwork_consensus::beacon::BeaconTx::decode(first).unwrap();
        assert_eq!(tx.height, h - 1);
        assert!(
            3 * tx.entries.len() > 2 * 4,
            "height {h}: {} entries",
            tx.entries.len()
        );
        assert_eq!(rec.results[0].code, 0, "height {h}");
    }
    drop(store);
    assert!(assert_embedded_engine_matches(&net, 0) >= heights);
    assert!(assert_replay_matches(&net, 2) >= heights);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_validator_catches_up_without_losing_committed_txs() {
    let Some(comet) = require_cometbft() else {
        return;
    };
    let mut net = Net::new(comet, 4, 0);
    net.start_all();
    for i in 0..4 {
        net.wait_height(i, 2, UP).await;
    }
    // Load through nodes 0..2 from four accounts; node3 is the victim.
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let mut tasks = Vec::new();
    for (i, name) in ["alice", "bob", "carol", "dave"].into_iter().enumerate() {
        let mut c = net.client(i % 3).await;
        let key = net.key(name);
        let stop = stop_rx.clone();
        tasks.push(tokio::spawn(async move {
            let mut done = Vec::new();
            while !*stop.borrow() {
                done.extend(send_transfers(&mut c, &key, 1).await);
            }
            done
        }));
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    net.kill(3);
    let killed_at = net.height(0).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(
        net.height(0).await > killed_at,
        "3 of 4 validators keep committing"
    );
    net.start(3);
    let tip = net.height(0).await;
    net.wait_height(3, tip, UP).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let _ = stop_tx.send(true);
    let mut committed = Vec::new();
    for t in tasks {
        committed.extend(t.await.unwrap());
    }
    assert!(committed.len() >= 8, "too little load: {}", committed.len());
    let max_h = committed.iter().map(|(_, h)| *h).max().unwrap();
    net.wait_height(3, max_h + 1, UP).await;
    let mut c3 = net.client(3).await;
    for (hash, height) in &committed {
        let r = c3
            .get_tx(hash)
            .await
            .expect("committed tx present on the restarted node");
        assert_eq!(r.height, *height);
    }
    net.kill_all();
    assert!(assert_same_app_hashes(&net) >= max_h);
    assert_replay_matches(&net, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_of_four_down_halts_the_chain_until_they_return() {
    let Some(comet) = require_cometbft() else {
        return;
    };
    let mut net = Net::new(comet, 4, 0);
    net.start_all();
    for i in 0..4 {
        net.wait_height(i, 2, UP).await;
    }
    net.kill(2);
    net.kill(3);
    // A block in flight may still finish; after that, nothing.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let h1 = net.height(0).await;
    tokio::time::sleep(Duration::from_secs(4)).await;
    let h2 = net.height(0).await;
    assert!(
        h2 <= h1 + 1,
        "chain advanced with half the power down: {h1} -> {h2}"
    );
    assert_eq!(net.height(1).await.max(h2), h2.max(net.height(1).await));
    net.start(2);
    net.start(3);
    net.wait_height(0, h2 + 3, UP).await;
    net.wait_height(3, h2 + 3, UP).await;
    let mut c = net.client(0).await;
    send_transfers(&mut c, &net.key("alice"), 1).await;
    net.kill_all();
    assert_same_app_hashes(&net);
}

/// Whether `/commit?height=h` on node `i` carries a signature of `address` (upper hex).
async fn signed_by(net: &Net, i: usize, h: u64, address: &str) -> bool {
    let Ok(r) = net
        .rpc(i)
        .call("commit", serde_json::json!({"height": h.to_string()}))
        .await
    else {
        return false;
    };
    r["signed_header"]["commit"]["signatures"]
        .as_array()
        .map(|sigs| {
            sigs.iter().any(|s| {
                s["validator_address"].as_str() == Some(address)
                    && s["block_id_flag"].as_i64() == Some(2)
            })
        })
        .unwrap_or(false)
}

async fn cometbft_validators(net: &Net, i: usize) -> Vec<String> {
    let r = net
        .rpc(i)
        .call("validators", serde_json::json!({}))
        .await
        .unwrap();
    r["validators"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["address"].as_str().unwrap().to_string())
        .collect()
}

async fn wait_for(what: &str, timeout: Duration, mut f: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !f().await {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn event_attr(r: &proofwork_proto::node::v1::BroadcastTxResponse, key: &str) -> String {
    r.committed
        .as_ref()
        .and_then(|c| c.result.as_ref())
        .and_then(|res| res.events.first())
        .and_then(|e| e.attributes.iter().find(|a| a.key == key))
        .map(|a| a.value.clone())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifth_node_syncs_is_admitted_by_vote_signs_and_is_removed_by_vote() {
    let Some(comet) = require_cometbft() else {
        return;
    };
    let mut net = Net::new(comet, 4, 1);
    for i in 0..4 {
        net.start(i);
    }
    net.wait_height(0, 4, UP).await;
    // The full node joins late and syncs from its peers.
    net.start(4);
    let tip = net.height(0).await;
    net.wait_height(4, tip, UP).await;
    let n4 = net.layout.nodes[4].clone();
    let new_key = proofwork_genesis::decode_pub_key(&n4.validator_pub_key).unwrap();
    let mut c4 = net.client(4).await;

    // Bad input on the live network: clear codes, nothing changes.
    let alice = net.key("alice");
    let err = c4
        .send(
            &alice,
            vec![Message::VoteValidator(proofwork_tx::VoteValidator {
                application_id: 1,
                approve: true,
            })],
            1,
            true,
        )
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("code 100"), "{err}");
    let in_set = proofwork_genesis::decode_pub_key(&net.layout.nodes[1].validator_pub_key).unwrap();
    let err = c4
        .send(
            &alice,
            vec![Message::ApplyValidator(proofwork_tx::ApplyValidator {
                consensus_pubkey: in_set,
                moniker: "dup".into(),
                vrf_pubkey: proofwork_genesis::decode_vrf_key(&n4.vrf_pub_key).unwrap(),
            })],
            1,
            true,
        )
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("code 103"), "{err}");

    // Apply through the full node itself (the CLI), then approvals from three of four.
    let key_file = n4.cometbft_home.join("config/priv_validator_key.json");
    let applied = cli_json(&[
        "tx",
        "--home",
        n4.proofwork_home.to_str().unwrap(),
        "--node",
        &net.grpc_url(4),
        "apply-validator",
        "--from",
        &n4.operator_key,
        "--key-file",
        key_file.to_str().unwrap(),
        "--moniker",
        "node4",
    ]);
    let id: u64 = applied["events"][0]["attributes"]["application_id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let apps = c4.applications().await.unwrap();
    assert_eq!(apps.applications.len(), 1);
    assert_eq!(apps.applications[0].consensus_pubkey, new_key.to_vec());
    let mut statuses = Vec::new();
    for i in 0..3 {
        let op = net.key(&net.layout.nodes[i].operator_key);
        let mut c = net.client(i).await;
        let r = c
            .send(
                &op,
                vec![Message::VoteValidator(proofwork_tx::VoteValidator {
                    application_id: id,
                    approve: true,
                })],
                1,
                true,
            )
            .await
            .unwrap();
        statuses.push(event_attr(&r, "status"));
        if i == 0 {
            // A second vote by the same validator is refused.
            let err = c
                .send(
                    &op,
                    vec![Message::VoteValidator(proofwork_tx::VoteValidator {
                        application_id: id,
                        approve: true,
                    })],
                    1,
                    true,
                )
                .await
                .unwrap_err()
                .to_string();
            assert!(err.contains("code 101"), "{err}");
        }
    }
    assert_eq!(statuses, ["pending", "pending", "admitted"]);
    // The vote committed through node2; node4's app may be a block behind.
    wait_for("node4's app to see 5 validators", UP, async || {
        c4.validators().await.unwrap().validators.len() == 5
    })
    .await;
    let vals = c4.validators().await.unwrap();
    assert!(vals
        .validators
        .iter()
        .all(|v| 3 * v.power < vals.total_power));

    // CometBFT takes the update (at H+2) and the new validator signs blocks.
    let addr = n4.validator_address.clone();
    wait_for("node4 in CometBFT's validator set", UP, async || {
        cometbft_validators(&net, 0).await.contains(&addr)
    })
    .await;
    wait_for("a commit signed by node4", UP, async || {
        let h = net.height(0).await;
        h > 1 && signed_by(&net, 0, h - 1, &addr).await
    })
    .await;

    // Removal: proposed by node0's operator, approved by 1, 2, 3 (4/5 of the power).
    let op0 = net.key(&net.layout.nodes[0].operator_key);
    let mut c0 = net.client(0).await;
    let r = c0
        .send(
            &op0,
            vec![Message::ProposeRemoval(proofwork_tx::ProposeRemoval {
                consensus_pubkey: new_key,
            })],
            1,
            true,
        )
        .await
        .unwrap();
    let rid: u64 = event_attr(&r, "application_id").parse().unwrap();
    let mut statuses = Vec::new();
    for i in 1..4 {
        let op = net.key(&net.layout.nodes[i].operator_key);
        let r = net
            .client(i)
            .await
            .send(
                &op,
                vec![Message::VoteValidator(proofwork_tx::VoteValidator {
                    application_id: rid,
                    approve: true,
                })],
                1,
                true,
            )
            .await
            .unwrap();
        statuses.push(event_attr(&r, "status"));
    }
    assert_eq!(statuses, ["pending", "pending", "removed"]);
    wait_for("node0's app to see 4 validators", UP, async || {
        c0.validators().await.unwrap().validators.len() == 4
    })
    .await;
    wait_for("node4 out of CometBFT's validator set", UP, async || {
        let v = cometbft_validators(&net, 0).await;
        v.len() == 4 && !v.contains(&addr)
    })
    .await;
    // The chain goes on without it, and the CLI sees the final set.
    let h = net.height(0).await;
    net.wait_height(0, h + 2, UP).await;
    let q = cli_json(&["query", "--node", &net.grpc_url(2), "validators"]);
    assert_eq!(q["validators"].as_array().unwrap().len(), 4);
    net.kill_all();
    assert_same_app_hashes(&net);
    assert_replay_matches(&net, 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn app_killed_in_commit_restarts_without_diverging() {
    let Some(comet) = require_cometbft() else {
        return;
    };
    let mut net = Net::new(comet, 4, 0);
    for i in 0..3 {
        net.start(i);
    }
    // node3's app aborts in Commit of height 6, before its batch is written.
    net.start_with(3, &[("PROOFWORK_CRASH_IN_COMMIT", "before:6".into())]);
    assert!(
        net.wait_app_exit(3, UP),
        "app did not crash\n{}",
        net.logs(3)
    );
    net.kill(3); // CometBFT stops when its app goes; make sure it is gone.
    let h = net.height(0).await;
    // Restart: CometBFT replays height 6 into the app; then crash again *after* the write
    // of a later height, so that the app is one block ahead of CometBFT's state.
    let after = h + 4;
    net.start_with(
        3,
        &[("PROOFWORK_CRASH_IN_COMMIT", format!("after:{after}"))],
    );
    assert!(
        net.wait_app_exit(3, UP),
        "app did not crash again\n{}",
        net.logs(3)
    );
    net.kill(3);
    net.start(3);
    let tip = net.height(0).await;
    net.wait_height(3, tip + 2, UP).await;
    let mut c3 = net.client(3).await;
    send_transfers(&mut c3, &net.key("bob"), 2).await;
    net.kill_all();
    assert!(assert_same_app_hashes(&net) > after);
    assert_replay_matches(&net, 3);
}

/// Runs `scripts/localnet.sh stop` on drop, so a failing test leaves no processes behind.
struct LocalnetGuard(std::path::PathBuf);

impl Drop for LocalnetGuard {
    fn drop(&mut self) {
        let _ = localnet(&self.0, "stop");
    }
}

fn localnet(dir: &std::path::Path, cmd: &str) -> std::process::Output {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/localnet.sh");
    std::process::Command::new("bash")
        .arg(script)
        .arg(cmd)
        .arg(dir)
        .env("PROOFWORK_BIN", crate::support::BIN)
        .env(
            "PROOFWORK_COMETBFT",
            crate::net::cometbft_bin().expect("checked"),
        )
        .output()
        .expect("run localnet.sh")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn localnet_script_starts_and_stops_a_four_validator_network() {
    let Some(comet) = require_cometbft() else {
        return;
    };
    let net = Net::new(comet, 4, 0);
    let guard = LocalnetGuard(net.dir.clone());
    let out = localnet(&net.dir, "start");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for i in 0..4 {
        net.wait_height(i, 3, UP).await;
    }
    let status = String::from_utf8(localnet(&net.dir, "status").stdout).unwrap();
    assert_eq!(status.matches("cometbft: running").count(), 4, "{status}");
    assert_eq!(status.matches("proofwork: running").count(), 4, "{status}");
    let mut c = net.client(2).await;
    send_transfers(&mut c, &net.key("carol"), 1).await;
    let out = localnet(&net.dir, "stop");
    assert!(out.status.success());
    let status = String::from_utf8(localnet(&net.dir, "status").stdout).unwrap();
    assert_eq!(status.matches(": stopped").count(), 8, "{status}");
    drop(guard);
    assert_same_app_hashes(&net);
}

/// `replay speed: N blocks/s` from an `audit replay` report.
fn blocks_per_s(report: &str) -> f64 {
    report
        .lines()
        .find_map(|l| l.strip_prefix("replay speed: "))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0.0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_replay_from_cometbft_rpc_matches_every_height_and_catches_a_wrong_genesis() {
    let Some(comet) = require_cometbft() else {
        return;
    };
    let mut net = Net::new(comet, 1, 0);
    net.start_all();
    net.wait_height(0, 2, UP).await;
    let mut c = net.client(0).await;
    let key = net.key("alice");
    let sent = send_transfers(&mut c, &key, 6).await;
    let tip = sent.last().unwrap().1 + 3;
    net.wait_height(0, tip, UP).await;

    let rpc = format!("http://127.0.0.1:{}", net.layout.nodes[0].rpc_port);
    let genesis = net.layout.nodes[0]
        .cometbft_home
        .join("config/genesis.json");
    let out = crate::support::cli(&[
        "audit",
        "replay",
        "--genesis",
        genesis.to_str().unwrap(),
        "--source",
        &rpc,
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("OK: every app hash matches"), "{stdout}");
    let checked: u64 = stdout
        .lines()
        .find_map(|l| l.strip_prefix("heights checked: "))
        .and_then(|l| l.split(',').next())
        .and_then(|n| n.parse().ok())
        .unwrap();
    assert!(checked >= tip, "{stdout}");
    // The 6 transfers plus one VRF beacon tx per block from height 2 on.
    let txs: u64 = stdout
        .lines()
        .find_map(|l| l.split("txs re-executed: ").nth(1))
        .and_then(|n| n.trim().parse().ok())
        .unwrap();
    assert!(txs >= 6 + tip.saturating_sub(2), "{stdout}");

    // A genesis with one balance changed: caught before block 1, with a clear report.
    let mut g: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&genesis).unwrap()).unwrap();
    let amount = g["app_state"]["accounts"][0]["balances"][0]["amount"]
        .as_str()
        .unwrap()
        .parse::<u128>()
        .unwrap();
    g["app_state"]["accounts"][0]["balances"][0]["amount"] = (amount + 1).to_string().into();
    let dir = tempfile::tempdir().unwrap();
    let wrong = dir.path().join("wrong-genesis.json");
    std::fs::write(&wrong, serde_json::to_vec(&g).unwrap()).unwrap();
    let out = crate::support::cli(&[
        "audit",
        "replay",
        "--genesis",
        wrong.to_str().unwrap(),
        "--source",
        &rpc,
    ]);
    let bad = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(out.status.code(), Some(1), "{bad}");
    assert!(bad.contains("MISMATCH at height 1"), "{bad}");
    assert!(bad.contains("wrong genesis file?"), "{bad}");
    assert!(bad.contains("heights checked: 0"), "{bad}");

    // The same chain from the node's own block log (after stopping it): same verdict; the
    // two speeds go to the test log.
    net.kill_all();
    let home = net.proofwork_home(0).to_str().unwrap().to_string();
    let local = crate::support::cli_ok(&["audit", "replay", "--source", &home]);
    assert!(local.contains("OK: every app hash matches"), "{local}");
    eprintln!(
        "replay of {checked} blocks: {:.0} blocks/s from CometBFT RPC, {:.0} blocks/s from the block log",
        blocks_per_s(&stdout),
        blocks_per_s(&local)
    );
}
