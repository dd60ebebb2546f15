//! `proofwork worker`: a useful-work worker against a node, until Ctrl-C or `--max-jobs`.

use std::sync::Arc;
use std::time::Duration;

use clap::Args;

use super::error::input;
use super::shutdown::Shutdown;
use super::Ctx;

/// `proofwork worker`.
#[derive(Args, Debug)]
pub(crate) struct WorkerArgs {
    /// Key name in the keyring (the worker's account).
    #[arg(long)]
    key: String,
    /// Kernel backend: auto (CUDA when a device opens), cpu or cuda.
    #[arg(long, default_value = "auto")]
    backend: String,
    /// CUDA GEMM kernel: auto (the fastest verified on this device: tma on Hopper),
    /// tma, tma-mc or wgmma (Hopper), mma (sm_80+) or dp4a. Results are identical
    /// either way.
    #[arg(long, default_value = "auto")]
    gemm_kernel: String,
    /// Hash C's rows inside the GEMM on Hopper (the tma-hash kernel, ADR-007) instead of in
    /// a second pass; off until verified on hardware. Same commitment either way.
    #[arg(long)]
    fused_commit: bool,
    /// Bond to post if not yet registered (native denomination).
    #[arg(long, default_value_t = 10_000)]
    bond: u128,
    /// Validator (ed25519 key, hex) credited with this worker's verified work.
    #[arg(long)]
    validator: Option<String>,
    /// Stop after this many settled jobs (0: run until Ctrl-C).
    #[arg(long, default_value_t = 0)]
    max_jobs: u64,
    /// This worker's rate in multiply-adds per second, to skip jobs whose windows it cannot
    /// meet (default: measured on the backend at start).
    #[arg(long)]
    macs_per_sec: Option<u64>,
    /// The chain's block interval to plan with, in ms.
    #[arg(long, default_value_t = 1000)]
    block_ms: u64,
    /// Do not upload C to the node (the client's result): risks the held part of the pay.
    #[arg(long)]
    no_deliver: bool,
}

/// How long a stopping worker may take to finish its current step.
const STOP_GRACE: Duration = Duration::from_secs(5);

pub(crate) async fn run(ctx: &Ctx, a: WorkerArgs) -> anyhow::Result<()> {
    let key = ctx.key(&a.key)?;
    let choice: proofwork_kernels::BackendChoice = a
        .backend
        .parse()
        .map_err(|e| input(format!("--backend: {e}")))?;
    let gemm: proofwork_kernels::GemmKernel = a
        .gemm_kernel
        .parse()
        .map_err(|e| input(format!("--gemm-kernel: {e}")))?;
    let validator = a
        .validator
        .map(|v| -> anyhow::Result<[u8; 32]> {
            hex::decode(&v)
                .ok()
                .and_then(|b| b.try_into().ok())
                .ok_or_else(|| input("--validator must be 32 bytes of hex"))
        })
        .transpose()?;
    let backend: Arc<dyn proofwork_kernels::Backend> = Arc::from(
        proofwork_kernels::detect_backend_opts(choice, gemm, a.fused_commit)?,
    );
    let opts = proofwork_node::worker::WorkerOptions {
        bond: a.bond,
        validator,
        max_jobs: a.max_jobs,
        macs_per_sec: a.macs_per_sec,
        block_ms: a.block_ms,
        deliver: !a.no_deliver,
        ..Default::default()
    };
    let shutdown = Shutdown::install()?;
    println!(
        "worker {} on {} (backend {})",
        key.public_key().address(),
        ctx.node,
        backend.name()
    );
    let stop = shutdown.flag();
    let node = ctx.node.clone();
    let mut task = tokio::spawn(async move {
        proofwork_node::worker::run_worker(&node, key, backend, opts, stop, "[worker]").await
    });
    let finished = tokio::select! {
        r = &mut task => Some(r),
        _ = shutdown.wait() => None,
    };
    let stats = match finished {
        Some(r) => r??,
        None => match tokio::time::timeout(STOP_GRACE, &mut task).await {
            Ok(Ok(Ok(stats))) => stats,
            // Asked to stop: a call cut short is not a failure worth a transport error.
            Ok(Ok(Err(e))) => {
                tracing::debug!(error = %format!("{e:#}"), "worker step cut short by the stop");
                return Ok(());
            }
            Ok(Err(e)) => return Err(e.into()),
            Err(_) => {
                task.abort();
                tracing::warn!(
                    "the worker did not finish its step within {STOP_GRACE:?}; stopped it"
                );
                return Ok(());
            }
        },
    };
    ctx.print_json(&serde_json::json!({
        "verified": stats.verified, "slashed": stats.slashed, "credits": stats.credits.to_string()
    }))
}
