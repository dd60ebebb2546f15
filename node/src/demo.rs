//! `proofwork demo`: a node plus a client that sends transfers between the demo accounts
//! and prints each block, so a new user sees the chain working in seconds.

use std::time::Duration;

use anyhow::Context as _;
use proofwork_node::client::Client;
use proofwork_node::home::{self, Home, DEMO_ACCOUNTS};
use proofwork_tx::{sign_body, Address, Message, SecretKey, TxBody};

pub(crate) async fn run(h: Home, max_blocks: u64) -> anyhow::Result<()> {
    if !h.is_initialised() {
        let g = home::init(&h, "proofwork-demo", false)?;
        println!(
            "initialised a new home at {} (chain {})",
            h.0.display(),
            g.chain_id
        );
    }
    let cfg = h.load_config()?;
    let url = format!("http://{}", cfg.grpc.listen);
    let (ready_tx, ready_rx) = tokio::sync::oneshot::channel();
    let (done_tx, done_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(crate::start_embedded(
        h.clone(),
        cfg,
        Some(ready_tx),
        async move {
            tokio::select! { _ = crate::ctrl_c() => {}, _ = done_rx => {} }
        },
    ));
    let node = ready_rx.await.context("the node failed to start")?;
    let mut blocks = node.subscribe();
    let keys: Vec<(String, SecretKey)> = DEMO_ACCOUNTS
        .iter()
        .map(|n| home::load_key(&h, n).map(|(kf, k)| (kf.name, k)))
        .collect::<Result<_, _>>()?;
    let mut client = connect_with_retry(&url).await?;
    let chain_id = client.status().await?.chain_id;
    println!("node running: gRPC on {url}, chain {chain_id}; Ctrl-C to stop\n");
    let mut round = 0u64;
    let mut seen = 0u64;
    loop {
        // Queue a few transfers for the next block: each account pays the next one.
        for i in 0..keys.len() {
            let (from_name, from) = &keys[i];
            let (to_name, to) = &keys[(i + 1) % keys.len()];
            let to_addr: Address = to.public_key().address();
            let nonce = client.account(&from.public_key().address()).await?.nonce;
            let amount = 1_000 + u128::from((round * 7 + i as u64) % 97);
            let body = TxBody {
                chain_id: chain_id.clone(),
                nonce,
                fee: 1,
                messages: vec![Message::Transfer {
                    to: to_addr,
                    denom: "upw".into(),
                    amount,
                }],
            };
            let r = client.broadcast(sign_body(from, &body), false).await?;
            if r.code == 0 {
                println!(
                    "  submitted {from_name:>5} → {to_name:<5} {amount:>5} upw  tx {}",
                    &hex::encode(&r.hash)[..16]
                );
            } else {
                println!("  refused   {from_name:>5} → {to_name:<5}: {}", r.log);
            }
        }
        round += 1;
        // Wait for the block that includes them.
        let b = loop {
            let b = blocks.recv().await.context("block stream closed")?;
            if b.num_txs > 0 || b.height % 5 == 0 {
                break b;
            }
        };
        seen += 1;
        println!(
            "block {:>5}  txs {:>2} (failed {})  app_hash {}…  exec {} ms",
            b.height,
            b.num_txs,
            b.num_failed,
            &hex::encode(b.app_hash)[..16],
            b.exec_ms
        );
        if round.is_multiple_of(3) {
            let mut line = String::from("  balances:");
            for (name, k) in &keys {
                let bal = client.balance(&k.public_key().address(), "upw").await?;
                line.push_str(&format!(" {name}={bal}"));
            }
            println!("{line}");
        }
        if max_blocks > 0 && seen >= max_blocks {
            break;
        }
        if server.is_finished() {
            break;
        }
    }
    let _ = done_tx.send(());
    server.await.context("node task")??;
    Ok(())
}

async fn connect_with_retry(url: &str) -> anyhow::Result<Client> {
    let mut last = None;
    for _ in 0..50 {
        match Client::connect(url).await {
            Ok(c) => return Ok(c),
            Err(e) => last = Some(e),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err(last.expect("at least one attempt"))
}
