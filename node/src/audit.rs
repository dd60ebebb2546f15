//! The auditor's replay: re-execute every block from genesis in a fresh store and check
//! every app hash against the block log.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context as _;
use proofwork_genesis::Genesis;
use proofwork_state::{Storage, StorageConfig};

use crate::app::{load_block, App, BlockInput, SigCache};

/// The first height whose recomputed app hash differs from the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// Height.
    pub height: u64,
    /// App hash in the block log (hex).
    pub recorded: String,
    /// App hash recomputed (hex).
    pub recomputed: String,
    /// Which tx results differ, as `index: recorded code → recomputed code`.
    pub differing_results: Vec<String>,
}

/// What a replay found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplayReport {
    /// Heights re-executed and matched.
    pub heights_checked: u64,
    /// Txs re-executed.
    pub txs: u64,
    /// The genesis app hash recomputed (hex).
    pub genesis_app_hash: String,
    /// First mismatch, if any.
    pub mismatch: Option<Mismatch>,
}

/// Re-executes blocks `1..=up_to` (default: the source's latest) from `source`'s block log
/// into a fresh store at `scratch`, checking every app hash.
///
/// # Errors
/// Missing blocks, storage failures, or an application error during re-execution.
pub fn replay(
    genesis: &Genesis,
    source: &Storage,
    scratch: &Path,
    up_to: Option<u64>,
    show_progress: bool,
) -> anyhow::Result<ReplayReport> {
    let latest = source
        .latest()
        .context("the source has no committed state")?
        .height;
    let last = up_to.unwrap_or(latest).min(latest);
    let storage = Storage::open(scratch, StorageConfig::default())?;
    anyhow::ensure!(
        storage.latest().is_none(),
        "scratch directory {} is not empty",
        scratch.display()
    );
    let mut app = App::new(storage, Arc::new(SigCache::new(1 << 16)))?;
    let genesis_hash = app.init_chain(&genesis.chain_id, &genesis.app_state)?;
    let pb = if show_progress {
        let pb = indicatif::ProgressBar::new(last);
        pb.set_style(
            indicatif::ProgressStyle::with_template(
                "{bar:40} {pos}/{len} blocks  {per_sec}  eta {eta}  {msg}",
            )
            .expect("static template is valid"),
        );
        pb
    } else {
        indicatif::ProgressBar::hidden()
    };
    let mut report = ReplayReport {
        heights_checked: 0,
        txs: 0,
        genesis_app_hash: hex::encode(genesis_hash),
        mismatch: None,
    };
    for h in 1..=last {
        let rec = load_block(source, h)?
            .with_context(|| format!("block {h} missing from the block log"))?;
        anyhow::ensure!(
            rec.height == h,
            "block log entry {h} claims height {}",
            rec.height
        );
        let input = BlockInput {
            height: h,
            time_ns: rec.time_ns,
            proposer: rec.proposer.clone(),
            hash: rec.block_hash.clone(),
            txs: rec.txs.clone(),
        };
        let outcome = app.finalize_block(input)?.clone();
        report.txs += rec.txs.len() as u64;
        if outcome.app_hash.as_slice() != rec.app_hash.as_slice() {
            let differing_results = outcome
                .tx_results
                .iter()
                .zip(rec.results.iter().map(Some).chain(std::iter::repeat(None)))
                .enumerate()
                .filter_map(|(i, (mine, theirs))| {
                    let mine = mine.to_proto();
                    match theirs {
                        Some(t) if t.code == mine.code && t.events == mine.events => None,
                        Some(t) => Some(format!(
                            "tx {i}: recorded code {} → recomputed code {}",
                            t.code, mine.code
                        )),
                        None => Some(format!("tx {i}: no recorded result")),
                    }
                })
                .collect();
            report.mismatch = Some(Mismatch {
                height: h,
                recorded: hex::encode(&rec.app_hash),
                recomputed: hex::encode(outcome.app_hash),
                differing_results,
            });
            pb.abandon_with_message(format!("mismatch at height {h}"));
            return Ok(report);
        }
        app.commit()?;
        report.heights_checked = h;
        pb.inc(1);
    }
    pb.finish_with_message("all app hashes match");
    Ok(report)
}
