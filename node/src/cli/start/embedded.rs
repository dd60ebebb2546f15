//! The embedded engine with gRPC and metrics, until a stop future resolves.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use proofwork_node::app::App;
use proofwork_node::blobs::{gc as blob_gc, BlobStore};
use proofwork_node::config::Config;
use proofwork_node::engine::{self, Node};
use proofwork_node::grpc;
use proofwork_node::home::Home;

use super::Listeners;
use crate::cli::error::CliError;

/// Runs the embedded engine, gRPC and metrics on `listeners` until `stop_on` resolves or
/// the engine or gRPC server fails; `ready` receives the node once it runs.
pub(crate) async fn embedded(
    h: Home,
    cfg: Config,
    listeners: Listeners,
    ready: Option<tokio::sync::oneshot::Sender<Arc<Node>>>,
    stop_on: impl std::future::Future<Output = ()>,
) -> anyhow::Result<()> {
    let mut app = super::open_app(&h, cfg.storage.keep_recent)?;
    if app.info().is_none() {
        let g = h.load_genesis()?;
        let hash = app.init_chain(&g.chain_id, &g.app_state)?;
        tracing::info!(chain_id = %g.chain_id, app_hash = %hex::encode(hash), "genesis applied");
    } else if let Some(l) = app.info() {
        tracing::info!(height = l.height, app_hash = %hex::encode(l.app_hash), "resuming from the last commit");
    }
    check_sole_voter(&h, &app)?;
    let node = Node::new(app, cfg.engine())?;
    let stop = engine::stop_flag();
    let (shutdown_tx, shutdown_rx) = tokio::sync::oneshot::channel::<()>();
    let blobs = BlobStore::open(h.blobs(), cfg.blob_limits())
        .with_context(|| format!("opening {}", h.blobs().display()))?;
    blobs.export_metrics();
    let blob_gc = blob_gc::spawn(blobs.clone(), node.storage().clone(), cfg.blob_gc());
    let mut grpc = tokio::spawn(grpc::serve(
        node.clone(),
        listeners.grpc,
        cfg.grpc_limits(),
        blobs,
        async {
            let _ = shutdown_rx.await;
        },
    ));
    let metrics_stop = spawn_metrics(listeners.metrics);
    let rest_stop = spawn_rest(listeners.api, &cfg);
    let engine_node = node.clone();
    let engine_stop = stop.clone();
    let engine = std::thread::Builder::new()
        .name("engine".into())
        .spawn(move || engine_node.run(&engine_stop))?;
    if let Some(r) = ready {
        let _ = r.send(node.clone());
    }
    tokio::pin!(stop_on);
    let mut grpc_result = None;
    loop {
        tokio::select! {
            _ = &mut stop_on => break,
            r = &mut grpc => { grpc_result = Some(r); break; }
            _ = tokio::time::sleep(Duration::from_millis(200)) => {
                if engine.is_finished() { break; }
            }
        }
    }
    stop.store(true, Ordering::Relaxed);
    let _ = shutdown_tx.send(());
    blob_gc.abort();
    let _ = metrics_stop.send(());
    let _ = rest_stop.send(());
    let res = engine
        .join()
        .map_err(|_| anyhow::anyhow!("engine thread panicked"))?;
    let grpc_result = match grpc_result {
        Some(r) => r,
        None => grpc.await,
    };
    res.context("the engine stopped")?;
    grpc_result
        .context("gRPC server task")?
        .context("gRPC server")?;
    Ok(())
}

/// Serves the REST gateway on the listener (if any) until the returned sender fires or
/// drops.
pub(super) fn spawn_rest(
    api: Option<(tokio::net::TcpListener, std::net::SocketAddr)>,
    cfg: &Config,
) -> tokio::sync::oneshot::Sender<()> {
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    if let Some((listener, grpc)) = api {
        let limits = cfg.rest_limits();
        tokio::spawn(async move {
            if let Err(e) = proofwork_node::rest::serve(listener, grpc, limits, async {
                let _ = rx.await;
            })
            .await
            {
                tracing::warn!(error = %e, "REST gateway failed");
            }
        });
    }
    tx
}

/// Serves `/metrics` on the listener (if any) until the returned sender fires or drops.
pub(super) fn spawn_metrics(
    listener: Option<tokio::net::TcpListener>,
) -> tokio::sync::oneshot::Sender<()> {
    let (stop, stop_rx) = tokio::sync::oneshot::channel::<()>();
    if let Some(listener) = listener {
        tokio::spawn(async move {
            if let Err(e) = proofwork_node::metrics::serve(listener, async {
                let _ = stop_rx.await;
            })
            .await
            {
                tracing::warn!(error = %e, "metrics endpoint failed");
            }
        });
    }
    stop
}

/// The embedded engine is the chain's only voter: once the VRF beacon is on, every block
/// needs this home's VRF key to be a validator's holding more than 2/3 of the power. Said
/// before the first block instead of failing on it (a snapshot imported into a new home
/// has the state but not the keys).
fn check_sole_voter(h: &Home, app: &App) -> anyhow::Result<()> {
    let storage = app.storage();
    let next = app.info().map_or(1, |l| l.height.saturating_add(1));
    if !proofwork_consensus::beacon::requires_beacon_tx(storage, next)? {
        return Ok(());
    }
    // The set voting on the last height, whose extensions the next block carries.
    let voters = match proofwork_consensus::beacon::voters(storage, next.saturating_sub(1))? {
        Some(v) => v,
        None => proofwork_consensus::beacon::current_voters(storage)?,
    };
    let total: u128 = voters.iter().map(|v| u128::from(v.power)).sum();
    let mine = app.vrf_secret().map(|s| s.public());
    let power: u128 = voters
        .iter()
        .filter(|v| v.vrf_key.is_some() && v.vrf_key == mine)
        .map(|v| u128::from(v.power))
        .sum();
    if power.saturating_mul(3) > total.saturating_mul(2) {
        return Ok(());
    }
    let why = match mine {
        None => format!("this home has no VRF key ({})", h.vrf_key().display()),
        Some(k) => format!(
            "the VRF key in {} ({}) holds {power} of {total} voting power",
            h.vrf_key().display(),
            hex::encode(k)
        ),
    };
    Err(CliError::Startup(format!(
        "the embedded engine cannot produce blocks: {why}, but it must be the key of validators \
         holding more than 2/3 of the power. Copy vrf_key.json (and priv_validator_key.json) \
         from the home of the node this state comes from into {}, or run this home as a full \
         node under CometBFT with `proofwork start --abci`",
        h.0.display()
    ))
    .into())
}
