//! Binding the node's listeners up front.

use std::net::SocketAddr;

use anyhow::Context as _;
use proofwork_node::config::Config;

use crate::cli::error::CliError;

/// The gRPC and (unless disabled) metrics and REST listeners, bound.
pub(crate) struct Listeners {
    pub(crate) grpc: tokio::net::TcpListener,
    pub(crate) metrics: Option<tokio::net::TcpListener>,
    /// The REST gateway's listener and the gRPC address it calls.
    pub(crate) api: Option<(tokio::net::TcpListener, SocketAddr)>,
}

impl Listeners {
    /// Binds `grpc.listen` and `metrics.listen`; a taken port is a [`CliError::Startup`]
    /// naming the setting that chose it.
    pub(crate) async fn bind(cfg: &Config) -> anyhow::Result<Self> {
        let grpc = bind(&cfg.grpc.listen, "gRPC", "--grpc ADDR or [grpc] listen").await?;
        let metrics = if cfg.metrics.listen.is_empty() {
            None
        } else {
            Some(
                bind(
                    &cfg.metrics.listen,
                    "metrics",
                    "--metrics ADDR (\"\" disables) or [metrics] listen",
                )
                .await?,
            )
        };
        let api = if cfg.api.listen.is_empty() {
            None
        } else {
            let l = bind(
                &cfg.api.listen,
                "REST",
                "--api ADDR (\"\" disables) or [api] listen",
            )
            .await?;
            Some((l, grpc.local_addr()?))
        };
        Ok(Listeners { grpc, metrics, api })
    }
}

pub(super) async fn bind(
    addr: &str,
    what: &str,
    how: &str,
) -> anyhow::Result<tokio::net::TcpListener> {
    let parsed: SocketAddr = addr
        .parse()
        .with_context(|| format!("{what} listen address {addr:?} is not HOST:PORT"))?;
    tokio::net::TcpListener::bind(parsed).await.map_err(|e| {
        let why = if e.kind() == std::io::ErrorKind::AddrInUse {
            "the port is already in use (another node running?)".to_string()
        } else {
            e.to_string()
        };
        CliError::Startup(format!(
            "cannot listen for {what} on {addr}: {why}; choose another address with {how} in config.toml"
        ))
        .into()
    })
}
