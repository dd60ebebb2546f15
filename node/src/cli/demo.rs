//! `proofwork demo`: a node plus a client that sends transfers between the demo accounts
//! and prints each block, so a new user sees the chain working in seconds; and the
//! useful-work demo (also `proofwork start --work-demo`): alice registers a model and posts
//! jobs, an in-process worker (dave) claims, computes, commits and reveals, and the chain
//! verifies the work, pays the worker and the model's royalty (to carol) and mints credits.
//!
//! Ctrl-C stops the client and the work demo first, then the node, so nothing prints the
//! transport errors of a node that went away.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use clap::Args;
use proofwork_client::Client;
use proofwork_node::config::Config;
use proofwork_node::engine::Node;
use proofwork_node::home::{self, Home, DEMO_ACCOUNTS};
use proofwork_tx::{sign_body, Address, Message, SecretKey, TxBody};

use super::output::rfc3339_ns;
use super::shutdown::Shutdown;
use super::start::{self, Listeners, NodeOverrides};
use super::Ctx;

/// `proofwork demo`.
#[derive(Args, Debug)]
pub(crate) struct DemoArgs {
    /// Stop after this many blocks (0 runs until Ctrl-C).
    #[arg(long, default_value_t = 0)]
    blocks: u64,
    #[command(flatten)]
    overrides: NodeOverrides,
}

/// How long the work demo may take to wind down before the node stops under it.
const WORK_GRACE: Duration = Duration::from_secs(5);

pub(crate) async fn run(ctx: &Ctx, a: DemoArgs) -> anyhow::Result<()> {
    let h = ctx.home.clone();
    if !h.is_initialised() {
        let g = home::init(&h, "proofwork-demo", false)?;
        println!(
            "initialised a new home at {} (chain {})",
            h.0.display(),
            g.chain_id
        );
    }
    let cfg = a.overrides.config(&h)?;
    let shutdown = Shutdown::install()?;
    let (mut demo, node) = DemoNode::start(&h, cfg).await?;
    // alice and dave run the useful-work demo; bob and carol send each other transfers.
    let ended = tokio::select! {
        r = transfers(&h, &demo.url, node, a.blocks) => r,
        _ = shutdown.wait() => Ok(()),
        r = &mut demo.server => {
            demo.work.abort();
            r.context("node task")??;
            anyhow::bail!("the node stopped");
        }
    };
    let node_result = demo.stop().await;
    match ended {
        // A client call cut short by Ctrl-C is the stop, not a failure.
        Err(e) if !shutdown.requested() => Err(e),
        _ => node_result,
    }
}

/// bob and carol pay each other every block; each block that includes them is printed,
/// with the balances every third round. Ends after `max_blocks` printed blocks (0: never).
async fn transfers(h: &Home, url: &str, node: Arc<Node>, max_blocks: u64) -> anyhow::Result<()> {
    let mut blocks = node.subscribe();
    let keys: Vec<(String, SecretKey)> = DEMO_ACCOUNTS
        .iter()
        .filter(|n| **n == "bob" || **n == "carol")
        .map(|n| home::load_key(h, n).map(|(kf, k)| (kf.name, k)))
        .collect::<Result<_, _>>()?;
    let mut client = connect_with_retry(url).await?;
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
                messages: vec![Message::Transfer(proofwork_tx::Transfer {
                    to: to_addr,
                    denom: "upw".into(),
                    amount,
                })],
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
            "block {:>5}  txs {:>2} (failed {})  app_hash {}…  exec {} ms  {}",
            b.height,
            b.num_txs,
            b.num_failed,
            &hex::encode(b.app_hash)[..16],
            b.exec_ms,
            rfc3339_ns(b.time_ns)
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
            return Ok(());
        }
    }
}

/// `proofwork start --work-demo`: the node plus the useful-work demo, until Ctrl-C.
pub(crate) async fn run_work_only(h: Home, cfg: Config, shutdown: Shutdown) -> anyhow::Result<()> {
    let (mut demo, _) = DemoNode::start(&h, cfg).await?;
    tokio::select! {
        _ = shutdown.wait() => {}
        r = &mut demo.server => {
            demo.work.abort();
            r.context("node task")??;
            anyhow::bail!("the node stopped");
        }
    }
    demo.stop().await
}

/// The node of a demo, started in-process, with the useful-work demo running against it.
struct DemoNode {
    /// The node's task.
    server: tokio::task::JoinHandle<anyhow::Result<()>>,
    /// Its gRPC endpoint.
    url: String,
    /// Stops the node.
    done: tokio::sync::oneshot::Sender<()>,
    /// The work demo's task and its stop flag.
    work: tokio::task::JoinHandle<()>,
    work_stop: Arc<AtomicBool>,
}

impl DemoNode {
    /// Binds the listeners, starts the node and, once it is ready, the work demo.
    async fn start(h: &Home, cfg: Config) -> anyhow::Result<(Self, Arc<Node>)> {
        let listeners = Listeners::bind(&cfg).await?;
        let url = format!("http://{}", listeners.grpc.local_addr()?);
        let (ready_tx, ready_rx) = tokio::sync::oneshot::channel();
        let (done, done_rx) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(start::embedded(
            h.clone(),
            cfg,
            listeners,
            Some(ready_tx),
            async move {
                let _ = done_rx.await;
            },
        ));
        let Ok(node) = ready_rx.await else {
            server.await.context("node task")??;
            anyhow::bail!("the node stopped before it started");
        };
        let work_stop = Arc::new(AtomicBool::new(false));
        let work = tokio::spawn(work_demo(h.clone(), url.clone(), work_stop.clone()));
        let demo = DemoNode {
            server,
            url,
            done,
            work,
            work_stop,
        };
        Ok((demo, node))
    }

    /// Stops the work demo (given [`WORK_GRACE`] to wind down), then the node; returns the
    /// node's result.
    async fn stop(mut self) -> anyhow::Result<()> {
        self.work_stop.store(true, Ordering::Relaxed);
        if tokio::time::timeout(WORK_GRACE, &mut self.work)
            .await
            .is_err()
        {
            self.work.abort();
        }
        let _ = self.done.send(());
        self.server.await.context("node task")?
    }
}

/// Model and job sizes of the demo: small enough that the CPU worker takes milliseconds.
const DEMO_M: u32 = 64;
const DEMO_K: u32 = 128;
const DEMO_N: u32 = 128;

/// The useful-work demo: alice (client and model owner, 10% royalty to carol) posts jobs
/// one after another; dave runs a worker in-process, crediting the node's validator.
async fn work_demo(h: Home, url: String, stop: Arc<AtomicBool>) {
    if let Err(e) = work_demo_inner(h, url, stop.clone()).await {
        if !stop.load(Ordering::Relaxed) {
            println!("[work demo] stopped: {e:#}");
        }
    }
}

async fn work_demo_inner(h: Home, url: String, stop: Arc<AtomicBool>) -> anyhow::Result<()> {
    use proofwork_node::worker::{self, WorkerOptions};
    let (_, alice) = home::load_key(&h, "alice")?;
    let (_, dave) = home::load_key(&h, "dave")?;
    let (carol, _) = home::load_key(&h, "carol")?;
    let carol: Address = carol.address.parse()?;
    let validator = h
        .load_genesis()
        .ok()
        .and_then(|g| g.app_state.validators.first().cloned())
        .and_then(|v| proofwork_genesis::decode_pub_key(&v.pub_key).ok());
    let mut api = connect_with_retry(&url).await?;
    // CUDA when a device opens (the worker's GEMM and row digests on the GPU; validators
    // still check on the CPU), the CPU reference otherwise.
    let backend: Arc<dyn proofwork_kernels::Backend> = Arc::from(
        proofwork_kernels::detect_backend(proofwork_kernels::BackendChoice::Auto)?,
    );
    let worker = AbortOnDrop(tokio::spawn({
        let (url, stop) = (url.clone(), stop.clone());
        async move {
            worker::run_worker(
                &url,
                dave,
                backend,
                WorkerOptions {
                    validator,
                    ..Default::default()
                },
                stop,
                "  [worker dave]",
            )
            .await
        }
    }));
    let seed = proofwork_node::engine::wall_clock_ns();
    let (model_id, _) =
        worker::register_demo_model(&mut api, &alice, DEMO_K, DEMO_N, vec![(carol, 1_000)], seed)
            .await?;
    println!(
        "  [client alice] registered model {model_id}: {DEMO_K}×{DEMO_N} int8 weights uploaded \
         on chain, royalty 10% to carol"
    );
    let mut round = 0u64;
    while !stop.load(Ordering::Relaxed) {
        let job_id = worker::post_demo_job(
            &mut api,
            &alice,
            model_id,
            (DEMO_M, DEMO_K),
            100_000,
            seed.wrapping_add(round + 1),
        )
        .await?;
        println!(
            "  [client alice] posted job {job_id}: C = A·B with A {DEMO_M}×{DEMO_K}, price 100000 upw \
             escrowed; A handed to workers through the node"
        );
        // Wait for the outcome.
        loop {
            if stop.load(Ordering::Relaxed) {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
            let j = api.job(job_id).await?;
            if j.status == "verified" || j.status == "expired" {
                let credits = api
                    .balance(&dave_addr(&h)?, proofwork_state::accounts::CREDIT_DENOM)
                    .await?;
                let royalties = api.balance(&carol, "upw").await?;
                println!(
                    "  [client alice] job {job_id} {}: dave now holds {credits} compute credits; \
                     carol's balance {royalties} upw (royalties included)",
                    j.status
                );
                break;
            }
        }
        round += 1;
        if worker.0.is_finished() {
            break;
        }
    }
    Ok(())
}

fn dave_addr(h: &Home) -> anyhow::Result<Address> {
    Ok(home::load_key(h, "dave")?.0.address.parse()?)
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
    Err(last.map_or_else(|| anyhow::anyhow!("no connection to {url}"), Into::into))
}

/// A task that ends with its owner (the work demo's worker ends with the demo).
struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}
