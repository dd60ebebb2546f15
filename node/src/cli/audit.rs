//! `proofwork audit`: replay the chain from genesis and check every app hash; verify a
//! state proof offline.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::Subcommand;
use proofwork_node::audit::{self, ReplayReport};
use proofwork_node::home::Home;
use proofwork_state::{Storage, StorageConfig};

use super::error::{input, CliError};
use super::{Ctx, Output};

/// `proofwork audit …`.
#[derive(Subcommand, Debug)]
pub(crate) enum AuditCmd {
    /// Re-execute every block from genesis and check every app hash (of the stopped node
    /// at --home unless --source says otherwise).
    Replay {
        /// Genesis file (defaults to HOME/genesis.json; required with an RPC source). A
        /// proofwork or a CometBFT genesis.json.
        #[arg(long)]
        genesis: Option<PathBuf>,
        /// Where the blocks come from instead of HOME: a CometBFT node's RPC
        /// (`http://127.0.0.1:26657`), or a directory holding a block log (a stopped node's
        /// home or its data directory).
        #[arg(long)]
        source: Option<String>,
        /// Stop at this height.
        #[arg(long)]
        up_to: Option<u64>,
    },
    /// Verify a state proof offline against a block header, with no database or node.
    VerifyProof {
        /// Header JSON from `proofwork query block H` (needs `height` and `app_hash`).
        #[arg(long)]
        header: PathBuf,
        /// Proof JSON from `proofwork query state … > proof.json`.
        #[arg(long)]
        proof: PathBuf,
    },
}

pub(crate) async fn run(ctx: &Ctx, cmd: AuditCmd) -> anyhow::Result<()> {
    match cmd {
        AuditCmd::Replay {
            genesis,
            source,
            up_to,
        } => replay(ctx, genesis, source, up_to).await,
        AuditCmd::VerifyProof { header, proof } => verify_proof(ctx, &header, &proof),
    }
}

async fn replay(
    ctx: &Ctx,
    genesis: Option<PathBuf>,
    source: Option<String>,
    up_to: Option<u64>,
) -> anyhow::Result<()> {
    let h = &ctx.home;
    let rpc = source
        .as_deref()
        .filter(|s| s.starts_with("http://") || s.starts_with("tcp://"));
    let genesis = match (genesis, rpc) {
        (Some(p), _) => proofwork_genesis::Genesis::from_json(
            &std::fs::read(&p).with_context(|| format!("reading {}", p.display()))?,
        )
        .with_context(|| format!("parsing genesis {}", p.display()))?,
        (None, Some(_)) => return Err(input("--genesis FILE is required with an RPC --source")),
        // A node home given as --source carries its own genesis.
        (None, None) => match source.as_deref().map(|d| Home(PathBuf::from(d))) {
            Some(src) if src.0.join("genesis.json").exists() => src.load_genesis()?,
            _ => h.load_genesis()?,
        },
    };
    let scratch = tempdir("proofwork-replay")?;
    let text = ctx.output == Output::Text;
    #[allow(clippy::disallowed_methods)] // reporting speed at the CLI edge
    let started = std::time::Instant::now();
    let report = match (rpc, source.as_deref()) {
        (Some(url), _) => {
            if text {
                println!("replaying from CometBFT RPC {url}");
            }
            audit::replay_rpc(genesis, url, &scratch, up_to, text).await
        }
        (None, dir) => {
            let dir = dir.map_or_else(
                || h.data(),
                |d| {
                    let d = PathBuf::from(d);
                    let as_home = Home(d.clone()).data();
                    if as_home.exists() {
                        as_home
                    } else {
                        d
                    }
                },
            );
            let source = Storage::open_read_only(&dir, StorageConfig::default()).map_err(|e| {
                CliError::Home(format!(
                    "opening the block log at {} (is the node still running?): {e}",
                    dir.display()
                ))
            })?;
            audit::replay(&genesis, &source, &scratch, up_to, text)
        }
    };
    let elapsed = started.elapsed().as_secs_f64().max(1e-9);
    let _ = std::fs::remove_dir_all(&scratch);
    print_report(ctx, &report?, elapsed)
}

fn print_report(ctx: &Ctx, report: &ReplayReport, elapsed: f64) -> anyhow::Result<()> {
    let blocks_per_s = report.heights_checked as f64 / elapsed;
    let txs_per_s = report.txs as f64 / elapsed;
    let mismatch = report.mismatch.as_ref().map(|m| {
        serde_json::json!({
            "height": m.height, "what": m.what, "recorded": m.recorded,
            "recomputed": m.recomputed, "differing_results": m.differing_results,
            "differing_keys": m.differing_keys,
        })
    });
    ctx.print(
        serde_json::json!({
            "genesis_app_hash": report.genesis_app_hash,
            "heights_checked": report.heights_checked,
            "txs": report.txs,
            "blocks_per_s": blocks_per_s.round(),
            "txs_per_s": txs_per_s.round(),
            "elapsed_s": elapsed,
            "ok": report.mismatch.is_none(),
            "mismatch": mismatch,
        }),
        || {
            let mut s = format!(
                "genesis app hash {}\nheights checked: {}, txs re-executed: {}\n\
                 replay speed: {blocks_per_s:.0} blocks/s, {txs_per_s:.0} tx/s ({elapsed:.2} s)",
                report.genesis_app_hash, report.heights_checked, report.txs
            );
            match &report.mismatch {
                None => s.push_str("\nOK: every app hash matches"),
                Some(m) => {
                    s.push_str(&format!(
                        "\nMISMATCH at height {} ({}): recorded {} recomputed {}",
                        m.height, m.what, m.recorded, m.recomputed
                    ));
                    for d in &m.differing_results {
                        s.push_str(&format!("\n  {d}"));
                    }
                    if !m.differing_keys.is_empty() {
                        s.push_str(
                            "\n  state keys written by this block that differ from the source:",
                        );
                        for k in &m.differing_keys {
                            s.push_str(&format!("\n    {k}"));
                        }
                    }
                }
            }
            s
        },
    )?;
    match &report.mismatch {
        None => Ok(()),
        Some(m) => {
            Err(CliError::Verify(format!("app hash mismatch at height {}", m.height)).into())
        }
    }
}

fn verify_proof(ctx: &Ctx, header: &Path, proof: &Path) -> anyhow::Result<()> {
    let read = |p: &Path| {
        std::fs::read(p).map_err(|e| CliError::Input(format!("reading {}: {e}", p.display())))
    };
    let header: serde_json::Value = serde_json::from_slice(&read(header)?)
        .map_err(|e| input(format!("parsing header {}: {e}", header.display())))?;
    let proof: proofwork_state::StateProof = serde_json::from_slice(&read(proof)?)
        .map_err(|e| input(format!("parsing proof {}: {e}", proof.display())))?;
    let h = header["height"]
        .as_u64()
        .ok_or_else(|| input("header has no height"))?;
    let app_hash: [u8; 32] = hex::decode(
        header["app_hash"]
            .as_str()
            .ok_or_else(|| input("header has no app_hash"))?,
    )
    .map_err(|e| input(format!("app_hash: {e}")))?
    .try_into()
    .map_err(|_| input("app_hash must be 32 bytes"))?;
    if h != proof.height {
        return Err(CliError::Verify(format!(
            "proof is for height {} but the header is for height {h}",
            proof.height
        ))
        .into());
    }
    proof
        .verify(&app_hash)
        .map_err(|e| CliError::Verify(format!("the proof does not verify: {e}")))?;
    let key = hex::encode(&proof.key);
    let value = proof.value.as_ref().map(hex::encode);
    ctx.print(
        serde_json::json!({"ok": true, "height": h, "key": key, "value": value}),
        || match &value {
            Some(v) => format!("OK: key {key} = {v} at height {h}"),
            None => format!("OK: key {key} is absent at height {h}"),
        },
    )
}

/// A fresh scratch directory under the system's temp dir.
fn tempdir(prefix: &str) -> anyhow::Result<PathBuf> {
    let mut rnd = [0u8; 8];
    getrandom::fill(&mut rnd).map_err(|e| anyhow::anyhow!("{e}"))?;
    let p = std::env::temp_dir().join(format!("{prefix}-{}", hex::encode(rnd)));
    std::fs::create_dir_all(&p)?;
    Ok(p)
}
