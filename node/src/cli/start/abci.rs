//! `proofwork start --abci`: ABCI for CometBFT and, beside it, gRPC (queries read the same
//! store; broadcasts go to the local CometBFT RPC).

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use proofwork_node::blobs::{gc as blob_gc, BlobStore};
use proofwork_node::config::Config;
use proofwork_node::home::Home;
use proofwork_node::{abci, cometbft, grpc};

use super::embedded::{spawn_metrics, spawn_rest};
use super::Listeners;
use crate::cli::error::CliError;
use crate::cli::shutdown::Shutdown;

/// Runs until Ctrl-C or until the ABCI or gRPC server fails.
pub(super) async fn run(
    h: &Home,
    cfg: &Config,
    addr: &str,
    shutdown: Shutdown,
) -> anyhow::Result<()> {
    // Every listener first: a port clash is reported before anything runs.
    let abci_addr = addr.trim_start_matches("tcp://");
    let listener = std::net::TcpListener::bind(abci_addr).map_err(|e| {
        CliError::Startup(format!(
            "cannot listen for ABCI on {addr}: {e}; choose another address with --abci ADDR \
             or [abci] listen in config.toml"
        ))
    })?;
    let listeners = Listeners::bind(cfg).await?;
    let app = super::open_app(h, cfg.storage.keep_recent)?;
    if let Some(l) = app.info() {
        tracing::info!(height = l.height, app_hash = %hex::encode(l.app_hash), "resuming");
    }
    let storage = app.storage().clone();
    let waiters = Arc::new(proofwork_node::waiters::CommitWaiters::default());
    let hook_waiters = waiters.clone();
    let abci_app = abci::AbciApp::new(app, cfg.mempool.max_tx_bytes).with_commit_hook(Arc::new(
        move |outcome| hook_waiters.notify(outcome.height, &outcome.tx_results),
    ));
    let abci_thread = std::thread::Builder::new()
        .name("abci-accept".into())
        .spawn(move || abci::serve_listener(abci_app, listener))?;
    let backend = grpc::Backend::Comet(Arc::new(cometbft::CometBackend::new(
        storage,
        &cfg.cometbft.rpc,
        waiters,
    )));
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let blobs = BlobStore::open(h.blobs(), cfg.blob_limits())
        .with_context(|| format!("opening {}", h.blobs().display()))?;
    blobs.export_metrics();
    let blob_gc = blob_gc::spawn(blobs.clone(), backend.storage().clone(), cfg.blob_gc());
    let server = tokio::spawn(grpc::serve_backend(
        backend,
        listeners.grpc,
        cfg.grpc_limits(),
        blobs,
        async {
            let _ = stop_rx.await;
        },
    ));
    let metrics_stop = spawn_metrics(listeners.metrics);
    let rest_stop = spawn_rest(listeners.api, cfg);
    tracing::info!(cometbft_rpc = %cfg.cometbft.rpc, "ABCI mode: gRPC broadcasts forward to CometBFT");
    loop {
        tokio::select! {
            _ = shutdown.wait() => break,
            _ = tokio::time::sleep(Duration::from_millis(200)) => {
                if abci_thread.is_finished() || server.is_finished() { break; }
            }
        }
    }
    let _ = stop_tx.send(());
    let _ = metrics_stop.send(());
    let _ = rest_stop.send(());
    blob_gc.abort();
    // Told to stop, the server drains its connections and returns.
    match tokio::time::timeout(Duration::from_secs(5), server).await {
        Ok(r) => r.context("gRPC server task")?.context("gRPC server")?,
        Err(_) => tracing::warn!("gRPC server did not drain within 5 s"),
    }
    if abci_thread.is_finished() {
        abci_thread
            .join()
            .map_err(|_| anyhow::anyhow!("ABCI thread panicked"))?
            .context("ABCI server")?;
    }
    // The ABCI accept thread blocks in accept(): it ends with the process.
    Ok(())
}
