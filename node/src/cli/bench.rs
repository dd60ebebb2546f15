//! `proofwork bench transfers`: a load tool that pushes signed transfers through gRPC into
//! a running node and reports committed tx/s and submit→commit latency percentiles.
// A load tool measures elapsed time by definition.
#![allow(clippy::disallowed_methods)]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use clap::Subcommand;
use proofwork_client::Client;
use proofwork_proto::node::v1 as pb;
use proofwork_tx::{sign_body, Message, SecretKey, TxBody, TxHash};
use tokio_stream::StreamExt;

use super::Ctx;

/// `proofwork bench …`.
#[derive(Subcommand, Debug)]
pub(crate) enum BenchCmd {
    /// State queries with Merkle proofs (`QueryState { prove: true }`) under concurrent load.
    Queries {
        /// Total requests.
        #[arg(long, default_value_t = 20_000)]
        requests: usize,
        /// Requests in flight at once (spread over 8 connections).
        #[arg(long, default_value_t = 64)]
        concurrency: usize,
    },
    /// Signed transfers through gRPC into the node.
    ///
    /// `--home` holds the funding key; several comma-separated `--node` addresses spread
    /// the load over nodes (lanes and accounts are assigned round-robin).
    Transfers {
        /// Funding key name.
        #[arg(long, default_value = "alice")]
        from: String,
        /// Sending accounts (each sends txs/accounts txs in nonce order).
        #[arg(long, default_value_t = 200)]
        accounts: usize,
        /// Total txs.
        #[arg(long, default_value_t = 20_000)]
        txs: usize,
        /// Concurrent gRPC connections (each sends its accounts' txs in nonce order).
        #[arg(long, default_value_t = 8)]
        connections: usize,
        /// `pipelined`: each connection keeps up to 64 txs in flight. `per-account`: every
        /// account sends its next tx when the previous one is committed (no nonce can
        /// overtake another on its way through several nodes' mempools: use this on a
        /// CometBFT network).
        #[arg(long, default_value = "pipelined", value_parser = ["pipelined", "per-account"])]
        mode: String,
    },
}

pub(crate) async fn run(ctx: &Ctx, cmd: BenchCmd) -> anyhow::Result<()> {
    let (from, accounts, txs, connections, mode) = match cmd {
        BenchCmd::Queries {
            requests,
            concurrency,
        } => {
            return run_queries(&ctx.node, requests, concurrency).await;
        }
        BenchCmd::Transfers {
            from,
            accounts,
            txs,
            connections,
            mode,
        } => (from, accounts, txs, connections, mode),
    };
    let funder = ctx.key(&from)?;
    let nodes: Vec<String> = ctx.node.split(',').map(|s| s.trim().to_string()).collect();
    let node = nodes[0].clone();
    let mut client = Client::connect(&node).await?;
    let chain_id = client.status().await?.chain_id;
    // Fresh accounts, funded with multi-message txs (64 transfers each).
    let keys: Vec<SecretKey> = (0..accounts).map(|_| SecretKey::generate()).collect();
    let per_account = txs.div_ceil(accounts);
    let mut nonce = client.account(&funder.public_key().address()).await?.nonce;
    for chunk in keys.chunks(64) {
        let body = TxBody {
            chain_id: chain_id.clone(),
            nonce,
            fee: 1,
            messages: chunk
                .iter()
                .map(|k| {
                    Message::Transfer(proofwork_tx::Transfer {
                        to: k.public_key().address(),
                        denom: "upw".into(),
                        amount: (per_account as u128 + 1) * 10,
                    })
                })
                .collect(),
        };
        let r = client.broadcast(sign_body(&funder, &body), true).await?;
        anyhow::ensure!(r.code == 0, "funding refused: {}", r.log);
        nonce += 1;
    }
    println!("funded {accounts} accounts; signing {txs} transfers");
    if mode == "per-account" {
        return run_per_account(
            &mut client,
            &nodes,
            &chain_id,
            &keys,
            per_account,
            txs,
            connections,
            &funder,
        )
        .await;
    }
    // Pre-sign every tx so the measurement is the node, not the client. Each account's txs
    // stay in one lane, sent in nonce order (the mempool wants nonces in order).
    let sink = funder.public_key().address();
    let mut lanes: Vec<Vec<(TxHash, Vec<u8>)>> = vec![Vec::new(); connections];
    let mut n = 0;
    for j in 0..per_account {
        for (i, k) in keys.iter().enumerate() {
            if n == txs {
                break;
            }
            let body = TxBody {
                chain_id: chain_id.clone(),
                nonce: j as u64,
                fee: 1,
                messages: vec![Message::Transfer(proofwork_tx::Transfer {
                    to: sink,
                    denom: "upw".into(),
                    amount: 1,
                })],
            };
            let tx = sign_body(k, &body);
            lanes[i % connections].push((*blake3::hash(&tx).as_bytes(), tx));
            n += 1;
        }
    }
    // Commits are observed on the block stream; latency = seen in a block − submitted.
    let submitted: Arc<Mutex<BTreeMap<TxHash, Instant>>> = Arc::new(Mutex::new(BTreeMap::new()));
    let start_height = client.status().await?.height;
    let mut blocks = client
        .raw()
        .stream_blocks(pb::StreamBlocksRequest {
            from_height: start_height + 1,
        })
        .await?
        .into_inner();
    let total = n;
    let sub = submitted.clone();
    let collector = tokio::spawn(async move {
        let mut lat = Vec::with_capacity(total);
        let mut failed = 0usize;
        let mut last_height = start_height;
        while lat.len() + failed < total {
            let next = tokio::time::timeout(Duration::from_secs(30), blocks.next()).await;
            let Ok(Some(Ok(b))) = next else { break };
            let now = Instant::now();
            last_height = b.height;
            let map = sub.lock().expect("lock");
            for r in &b.results {
                let Ok(h) = <[u8; 32]>::try_from(r.hash.as_slice()) else {
                    continue;
                };
                if let Some(t0) = map.get(&h) {
                    if r.code == 0 {
                        lat.push(now.duration_since(*t0));
                    } else {
                        failed += 1;
                    }
                }
            }
        }
        (lat, failed, last_height)
    });
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (li, lane) in lanes.into_iter().enumerate() {
        let mut c = Client::connect(&nodes[li % nodes.len()]).await?;
        let sub = submitted.clone();
        tasks.push(tokio::spawn(async move {
            for (hash, tx) in lane {
                sub.lock().expect("lock").insert(hash, Instant::now());
                let r = c.broadcast(tx, false).await?;
                anyhow::ensure!(r.code == 0, "tx refused: {}", r.log);
            }
            Ok::<(), anyhow::Error>(())
        }));
    }
    for t in tasks {
        t.await.context("lane task")??;
    }
    let submit_s = started.elapsed().as_secs_f64();
    let (mut lat, failed, end_height) = collector.await.context("collector")?;
    anyhow::ensure!(!lat.is_empty(), "no tx was seen committed");
    let elapsed = started.elapsed();
    lat.sort();
    let pct = |p: usize| lat[(lat.len() * p / 100).min(lat.len() - 1)];
    let tps = lat.len() as f64 / elapsed.as_secs_f64();
    let report = serde_json::json!({
        "committed_txs": lat.len(),
        "failed_txs": failed,
        "submit_s": submit_s,
        "elapsed_s": elapsed.as_secs_f64(),
        "committed_tx_per_s": tps.round(),
        "p50_ms": pct(50).as_millis(),
        "p99_ms": pct(99).as_millis(),
        "blocks": end_height - start_height,
    });
    println!("{}", serde_json::to_string_pretty(&report)?);
    Ok(())
}

/// Every account sends its txs one after another, each waiting for its commit; all
/// accounts run concurrently, account `i` through node `i mod nodes`.
#[allow(clippy::too_many_arguments)]
async fn run_per_account(
    client: &mut Client,
    nodes: &[String],
    chain_id: &str,
    keys: &[SecretKey],
    per_account: usize,
    txs: usize,
    connections: usize,
    funder: &SecretKey,
) -> anyhow::Result<()> {
    let sink = funder.public_key().address();
    let mut conns = Vec::new();
    for i in 0..connections.max(nodes.len()) {
        conns.push(Client::connect(&nodes[i % nodes.len()]).await?);
    }
    let start_height = client.status().await?.height;
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    let mut remaining = txs;
    for (i, k) in keys.iter().enumerate() {
        let n = per_account.min(remaining);
        remaining -= n;
        if n == 0 {
            break;
        }
        let signed: Vec<Vec<u8>> = (0..n)
            .map(|j| {
                sign_body(
                    k,
                    &TxBody {
                        chain_id: chain_id.to_string(),
                        nonce: j as u64,
                        fee: 1,
                        messages: vec![Message::Transfer(proofwork_tx::Transfer {
                            to: sink,
                            denom: "upw".into(),
                            amount: 1,
                        })],
                    },
                )
            })
            .collect();
        let mut c = conns[i % conns.len()].clone();
        tasks.spawn(async move {
            let mut lat = Vec::with_capacity(signed.len());
            for tx in signed {
                let t0 = Instant::now();
                let r = c.broadcast(tx, true).await?;
                anyhow::ensure!(
                    r.code == 0 && r.committed.is_some(),
                    "tx not committed (code {}): {}",
                    r.code,
                    r.log
                );
                lat.push(t0.elapsed());
            }
            Ok::<Vec<Duration>, anyhow::Error>(lat)
        });
    }
    let mut lat = Vec::new();
    while let Some(r) = tasks.join_next().await {
        lat.extend(r.context("account task")??);
    }
    let elapsed = started.elapsed();
    let end_height = client.status().await?.height;
    lat.sort();
    let pct = |p: usize| lat[(lat.len() * p / 100).min(lat.len() - 1)];
    let report = serde_json::json!({
        "mode": "per-account",
        "nodes": nodes.len(),
        "accounts": keys.len(),
        "committed_txs": lat.len(),
        "elapsed_s": elapsed.as_secs_f64(),
        "committed_tx_per_s": (lat.len() as f64 / elapsed.as_secs_f64()).round(),
        "p50_ms": pct(50).as_millis(),
        "p99_ms": pct(99).as_millis(),
        "blocks": end_height - start_height,
    });
    println!("{}", serde_json::to_string_pretty(&report)?);
    Ok(())
}

/// Proof-carrying state queries: every reply is verified against its app hash on the client
/// (so the measurement includes what a light client must do).
async fn run_queries(node: &str, requests: usize, concurrency: usize) -> anyhow::Result<()> {
    let mut c = Client::connect(node).await?;
    let height = c.status().await?.height;
    // Keys that exist (balances of the demo accounts) and keys that do not.
    let mut keys: Vec<Vec<u8>> = Vec::new();
    for b in 0..64u8 {
        let addr = proofwork_tx::Address([b; 20]);
        keys.push(proofwork_state::accounts::state_key::balance(&addr, "upw"));
    }
    keys.push(b"chain/params".to_vec());
    let conns: Vec<Client> = {
        let mut v = Vec::new();
        for _ in 0..8 {
            v.push(Client::connect(node).await?);
        }
        v
    };
    let keys = Arc::new(keys);
    let started = Instant::now();
    let mut set = tokio::task::JoinSet::new();
    let per_task = requests.div_ceil(concurrency.max(1));
    for t in 0..concurrency.max(1) {
        let mut c = conns[t % conns.len()].clone();
        let keys = keys.clone();
        set.spawn(async move {
            let mut lat = Vec::with_capacity(per_task);
            for i in 0..per_task {
                let key = &keys[(t * 31 + i) % keys.len()];
                let t0 = Instant::now();
                let r = c.query_state(key, height, true).await?;
                let app_hash: [u8; 32] = r.app_hash.as_slice().try_into()?;
                proofwork_state::verify_proof(
                    &app_hash,
                    key,
                    r.exists.then_some(r.value.as_slice()),
                    &r.proof,
                )?;
                lat.push(t0.elapsed());
            }
            Ok::<Vec<Duration>, anyhow::Error>(lat)
        });
    }
    let mut lat = Vec::with_capacity(requests);
    while let Some(r) = set.join_next().await {
        lat.extend(r.context("query task")??);
    }
    let elapsed = started.elapsed();
    lat.sort();
    let pct = |p: usize| lat[(lat.len() * p / 100).min(lat.len() - 1)];
    let report = serde_json::json!({
        "requests": lat.len(),
        "height": height,
        "elapsed_s": elapsed.as_secs_f64(),
        "requests_per_s": (lat.len() as f64 / elapsed.as_secs_f64()).round(),
        "p50_ms": pct(50).as_secs_f64() * 1e3,
        "p99_ms": pct(99).as_secs_f64() * 1e3,
        "proofs_verified_on_client": true,
    });
    println!("{}", serde_json::to_string_pretty(&report)?);
    Ok(())
}
