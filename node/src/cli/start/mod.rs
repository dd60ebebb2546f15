//! `proofwork start`: the embedded engine (default) or an ABCI server for CometBFT, with
//! gRPC and metrics. Listeners are bound before anything runs, so a taken port fails the
//! start with a clear message instead of a node without an API.

use std::net::SocketAddr;
use std::sync::Arc;

use clap::Args;
use proofwork_node::app::{App, SigCache};
use proofwork_node::config::Config;
use proofwork_node::home::{self, Home};

use super::shutdown::Shutdown;
use super::Ctx;

mod abci;
mod embedded;
mod listen;

pub(crate) use embedded::embedded;
pub(crate) use listen::Listeners;

/// Settings `start` and `demo` take over config.toml.
#[derive(Args, Clone, Debug, Default)]
pub(crate) struct NodeOverrides {
    /// gRPC listen address (overrides config.toml).
    #[arg(long)]
    grpc: Option<SocketAddr>,
    /// Block interval in ms (overrides config.toml).
    #[arg(long)]
    block_ms: Option<u64>,
    /// Prometheus listen address (overrides config.toml; "" disables).
    #[arg(long)]
    metrics: Option<String>,
    /// REST/JSON gateway listen address, e.g. 127.0.0.1:1317 (overrides config.toml; ""
    /// disables; off by default).
    #[arg(long)]
    api: Option<String>,
}

impl NodeOverrides {
    /// The home's config with these applied.
    pub(crate) fn config(&self, h: &Home) -> anyhow::Result<Config> {
        let mut cfg = h.load_config()?;
        if let Some(ms) = self.block_ms {
            cfg.engine.block_interval_ms = ms;
        }
        if let Some(g) = self.grpc {
            cfg.grpc.listen = g.to_string();
        }
        if let Some(m) = &self.metrics {
            cfg.metrics.listen.clone_from(m);
        }
        if let Some(a) = &self.api {
            cfg.api.listen.clone_from(a);
        }
        Ok(cfg)
    }
}

/// `proofwork start`.
#[derive(Args, Debug)]
pub(crate) struct StartArgs {
    /// Serve ABCI for CometBFT instead of running the embedded engine, at this address
    /// (default: `[abci] listen` in config.toml). gRPC is served too; broadcasts go to
    /// the CometBFT RPC in `[cometbft] rpc`.
    #[arg(long, num_args = 0..=1, default_missing_value = "")]
    abci: Option<String>,
    /// CometBFT RPC address for `--abci` mode (overrides config.toml).
    #[arg(long)]
    cometbft_rpc: Option<String>,
    #[command(flatten)]
    overrides: NodeOverrides,
    /// Also run the useful-work demo: a client posting jobs and an in-process worker (CUDA
    /// when a GPU opens, else CPU) (embedded engine only; uses the demo accounts of
    /// `proofwork init`).
    #[arg(long)]
    work_demo: bool,
}

pub(crate) async fn run(ctx: &Ctx, a: StartArgs) -> anyhow::Result<()> {
    let h = ctx.home.clone();
    let mut cfg = a.overrides.config(&h)?;
    if let Some(r) = a.cometbft_rpc {
        cfg.cometbft.rpc = r;
    }
    let shutdown = Shutdown::install()?;
    match a.abci {
        Some(addr) => {
            let addr = if addr.is_empty() {
                cfg.abci.listen.clone()
            } else {
                addr
            };
            abci::run(&h, &cfg, &addr, shutdown).await
        }
        None if a.work_demo => super::demo::run_work_only(h, cfg, shutdown).await,
        None => {
            let listeners = Listeners::bind(&cfg).await?;
            let stop = shutdown.clone();
            embedded(h, cfg, listeners, None, async move { stop.wait().await }).await
        }
    }
}

/// Opens the home's store as an [`App`], with the VRF key when the home has one.
fn open_app(h: &Home, keep_recent: u64) -> anyhow::Result<App> {
    let storage = h.open_store(keep_recent)?;
    // Holds decoded pending txs (entries leave at commit): 128k of them is ~50 MB at most.
    let mut app = App::new(storage, Arc::new(SigCache::new(1 << 17)))?;
    app.set_probe(Arc::new(proofwork_node::metrics::NodeProbe));
    // The VRF key signs vote extensions (the work beacon); a full node has none to use.
    if h.vrf_key().exists() {
        app.set_vrf_secret(Arc::new(home::load_vrf_key(&h.vrf_key())?));
    }
    Ok(app)
}
