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
        let results_match = outcome.tx_results.len() == rec.results.len()
            && outcome
                .tx_results
                .iter()
                .zip(&rec.results)
                .all(|(mine, theirs)| &mine.to_proto() == theirs);
        if outcome.app_hash.as_slice() != rec.app_hash.as_slice() || !results_match {
            let differing_results = outcome
                .tx_results
                .iter()
                .zip(rec.results.iter().map(Some).chain(std::iter::repeat(None)))
                .enumerate()
                .filter_map(|(i, (mine, theirs))| {
                    let mine = mine.to_proto();
                    match theirs {
                        Some(t) if *t == mine => None,
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

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use proofwork_genesis::{
        AppState, Genesis, GenesisAccount, GenesisCoin, GenesisValidator, Params,
    };
    use proofwork_tx::{sign_body, Message, SecretKey, TxBody};
    use prost::Message as _;

    use super::*;
    use crate::app::block_key;

    fn genesis(keys: &[SecretKey]) -> Genesis {
        Genesis {
            chain_id: "replay".into(),
            genesis_time: "2026-01-01T00:00:00Z".into(),
            app_state: AppState {
                params: Params::default(),
                accounts: keys
                    .iter()
                    .map(|k| GenesisAccount {
                        address: k.public_key().address().to_string(),
                        balances: vec![GenesisCoin {
                            denom: "upw".into(),
                            amount: "100000".into(),
                        }],
                    })
                    .collect(),
                validators: vec![GenesisValidator {
                    pub_key: "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=".into(),
                    power: 1,
                    operator: None,
                    vrf_key: None,
                    moniker: "v".into(),
                }],
            },
        }
    }

    /// Builds a chain of `blocks` blocks of mixed txs (successes, failures, invalid bytes).
    fn build_chain(dir: &Path, blocks: u64) -> (Genesis, Storage) {
        let keys: Vec<SecretKey> = (0..8)
            .map(|i| SecretKey::from_seed(&format!("r{i}")))
            .collect();
        let g = genesis(&keys);
        let storage = Storage::open(dir, StorageConfig::default()).unwrap();
        let mut app = App::new(storage.clone(), Arc::new(SigCache::new(4096))).unwrap();
        app.init_chain(&g.chain_id, &g.app_state).unwrap();
        let mut nonces = BTreeMap::new();
        for h in 1..=blocks {
            let mut txs = Vec::new();
            for j in 0..3u64 {
                let i = ((h * 3 + j) % 8) as usize;
                let n = nonces.entry(i).or_insert(0u64);
                // Every 7th tx overspends: it fails in the block but pays its fee.
                let amount = if (h + j) % 7 == 0 {
                    10_000_000
                } else {
                    1 + (h % 13) as u128
                };
                let body = TxBody {
                    chain_id: "replay".into(),
                    nonce: *n,
                    fee: 1,
                    messages: vec![Message::Transfer {
                        to: keys[(i + 1) % 8].public_key().address(),
                        denom: "upw".into(),
                        amount,
                    }],
                };
                *n += 1;
                txs.push(sign_body(&keys[i], &body));
            }
            if h % 50 == 0 {
                txs.push(vec![1, 2, 3]); // undecodable: a failed result, no state change
            }
            let input = BlockInput {
                height: h,
                time_ns: h * 1_000_000_000,
                txs,
                ..Default::default()
            };
            app.finalize_block(input).unwrap();
            app.commit().unwrap();
        }
        (g, storage)
    }

    fn tamper(
        storage: &Storage,
        height: u64,
        f: impl FnOnce(&mut proofwork_proto::block::v1::BlockRecord),
    ) {
        let mut rec = load_block(storage, height).unwrap().unwrap();
        f(&mut rec);
        let mut w = proofwork_state::WriteSet::new();
        w.insert(block_key(height), Some(rec.encode_to_vec()));
        storage.put_aux_now(&w).unwrap();
    }

    #[test]
    fn replay_of_a_thousand_blocks_matches_and_pinpoints_tampering() {
        let dir = tempfile::tempdir().unwrap();
        let (g, storage) = build_chain(dir.path(), 1000);
        let scratch = tempfile::tempdir().unwrap();
        let r = replay(&g, &storage, scratch.path(), None, false).unwrap();
        assert_eq!(r.heights_checked, 1000);
        assert_eq!(r.mismatch, None);
        assert!(r.txs >= 3000);

        // A tampered result code (app hash untouched) is caught at exactly that height.
        tamper(&storage, 500, |rec| rec.results[1].code = 99);
        let scratch = tempfile::tempdir().unwrap();
        let r = replay(&g, &storage, scratch.path(), None, false).unwrap();
        let m = r.mismatch.unwrap();
        assert_eq!((m.height, r.heights_checked), (500, 499));
        assert_eq!(m.differing_results.len(), 1, "{:?}", m.differing_results);

        // A tampered tx changes the recomputed app hash at exactly that height.
        tamper(&storage, 500, |rec| rec.results[1].code = 0);
        tamper(&storage, 300, |rec| {
            rec.txs.remove(0);
        });
        let scratch = tempfile::tempdir().unwrap();
        let r = replay(&g, &storage, scratch.path(), None, false).unwrap();
        let m = r.mismatch.unwrap();
        assert_eq!(m.height, 300);
        assert_ne!(m.recorded, m.recomputed);
    }
}
