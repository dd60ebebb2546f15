//! The auditor's replay: re-execute every block from genesis in a fresh store and check
//! every app hash and tx result against a source of blocks.
//!
//! Two sources:
//!
//! * a node's own block log ([`replay`]), which records each block's inputs, results and
//!   app hash whatever engine produced it;
//! * a CometBFT node's RPC ([`replay_rpc`]): `/block` gives the txs, time, proposer and
//!   hash that FinalizeBlock saw, `/block_results` the tx results CometBFT stored, and the
//!   *next* block's header the app hash after each block, which the validators signed.
//!   (`decided_last_commit` and `misbehavior` are not rebuilt: the app's FinalizeBlock
//!   reads only height, time, proposer, hash and txs; see `abci.rs`.)
//!
//! Both feed [`SourceBlock`]s into one loop, so the checks and the report are the same.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context as _;
use base64::Engine as _;
use proofwork_genesis::Genesis;
use proofwork_proto::block::v1 as bpb;
use proofwork_state::{Storage, StorageConfig};

use crate::app::{load_block, App, BlockInput, SigCache};
use crate::cometbft::RpcClient;

/// The first height whose recomputed app hash (or results) differ from the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// Height.
    pub height: u64,
    /// App hash in the source (hex).
    pub recorded: String,
    /// App hash recomputed (hex).
    pub recomputed: String,
    /// Which tx results differ, as `index: recorded code → recomputed code`.
    pub differing_results: Vec<String>,
    /// State keys this block wrote whose recomputed value differs from the source's state
    /// at that height (only when the source is a local store that still keeps the height;
    /// at most [`MAX_DIFFERING_KEYS`]).
    pub differing_keys: Vec<String>,
    /// What was compared, in words (e.g. "app hash after block 7 vs header 8").
    pub what: String,
}

/// Most differing keys a report lists.
pub const MAX_DIFFERING_KEYS: usize = 20;

/// A state key for a report: text when it is printable ASCII, hex otherwise.
fn show_key(k: &[u8]) -> String {
    if k.iter().all(|b| b.is_ascii_graphic() || *b == b' ') {
        String::from_utf8_lossy(k).into_owned()
    } else {
        format!("0x{}", hex::encode(k))
    }
}

fn show_value(v: Option<&[u8]>) -> String {
    v.map_or_else(
        || "absent".to_owned(),
        |v| format!("{} bytes {}", v.len(), hex::encode(&v[..v.len().min(16)])),
    )
}

/// Keys of `writes` whose value differs from `source` at `height` (empty when the source
/// no longer keeps that height).
fn differing_keys(
    writes: &proofwork_state::WriteSet,
    source: &Storage,
    height: u64,
) -> Vec<String> {
    let mut out = Vec::new();
    for (k, mine) in writes {
        let Ok(theirs) = source.get_at(k, height) else {
            return out;
        };
        if theirs.as_deref() != mine.as_deref() {
            out.push(format!(
                "{}: source {} → recomputed {}",
                show_key(k),
                show_value(theirs.as_deref()),
                show_value(mine.as_deref())
            ));
            if out.len() == MAX_DIFFERING_KEYS {
                break;
            }
        }
    }
    out
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

/// One block to re-execute and what the source says about it.
#[derive(Debug, Clone)]
pub struct SourceBlock {
    /// FinalizeBlock's input.
    pub input: BlockInput,
    /// App hash before the block, as the source records it (`None` if it does not).
    pub app_hash_before: Option<Vec<u8>>,
    /// App hash after the block.
    pub app_hash_after: Vec<u8>,
    /// Where `app_hash_after` comes from, for the report.
    pub after_from: String,
    /// Tx results in block-log form (`hash` = BLAKE3 of the tx bytes).
    pub results: Vec<bpb::TxResult>,
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
    replay_blocks(genesis, scratch, last, show_progress, Some(source), |h| {
        let rec = load_block(source, h)?
            .with_context(|| format!("block {h} missing from the block log"))?;
        anyhow::ensure!(
            rec.height == h,
            "block log entry {h} claims height {}",
            rec.height
        );
        Ok(SourceBlock {
            input: BlockInput {
                height: h,
                time_ns: rec.time_ns,
                proposer: rec.proposer,
                hash: rec.block_hash,
                txs: rec.txs,
            },
            app_hash_before: (!rec.prev_app_hash.is_empty()).then_some(rec.prev_app_hash),
            app_hash_after: rec.app_hash,
            after_from: "block log".into(),
            results: rec.results,
        })
    })
}

/// The replay loop shared by every source: `next(h)` yields block `h`.
fn replay_blocks(
    genesis: &Genesis,
    scratch: &Path,
    last: u64,
    show_progress: bool,
    source_state: Option<&Storage>,
    mut next: impl FnMut(u64) -> anyhow::Result<SourceBlock>,
) -> anyhow::Result<ReplayReport> {
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
    let mut before = genesis_hash.to_vec();
    for h in 1..=last {
        let block = next(h)?;
        if let Some(claimed) = block.app_hash_before.as_ref().filter(|c| **c != before) {
            let what = if h == 1 {
                "genesis app hash vs block 1's (wrong genesis file?)".to_string()
            } else {
                format!("app hash before block {h}")
            };
            report.mismatch = Some(Mismatch {
                height: h,
                recorded: hex::encode(claimed),
                recomputed: hex::encode(&before),
                differing_results: vec![],
                differing_keys: vec![],
                what,
            });
            pb.abandon_with_message(format!("mismatch before height {h}"));
            return Ok(report);
        }
        report.txs += block.input.txs.len() as u64;
        let outcome = app.finalize_block(block.input)?.clone();
        let mine: Vec<bpb::TxResult> = outcome.tx_results.iter().map(|r| r.to_proto()).collect();
        let results_match = mine == block.results;
        if outcome.app_hash.as_slice() != block.app_hash_after.as_slice() || !results_match {
            let differing_results = mine
                .iter()
                .zip(
                    block
                        .results
                        .iter()
                        .map(Some)
                        .chain(std::iter::repeat(None)),
                )
                .enumerate()
                .filter_map(|(i, (mine, theirs))| match theirs {
                    Some(t) if t == mine => None,
                    Some(t) if t.code != mine.code => Some(format!(
                        "tx {i}: recorded code {} → recomputed code {}",
                        t.code, mine.code
                    )),
                    Some(_) => Some(format!(
                        "tx {i}: same code {} but different log/events",
                        mine.code
                    )),
                    None => Some(format!("tx {i}: no recorded result")),
                })
                .chain((block.results.len() > mine.len()).then(|| {
                    format!(
                        "{} recorded results for {} txs",
                        block.results.len(),
                        mine.len()
                    )
                }))
                .collect();
            let differing_keys = match (source_state, app.pending_writes()) {
                (Some(src), Some(writes)) => differing_keys(writes, src, h),
                _ => vec![],
            };
            report.mismatch = Some(Mismatch {
                height: h,
                recorded: hex::encode(&block.app_hash_after),
                recomputed: hex::encode(outcome.app_hash),
                differing_results,
                differing_keys,
                what: format!("app hash after block {h} vs {}", block.after_from),
            });
            pb.abandon_with_message(format!("mismatch at height {h}"));
            return Ok(report);
        }
        app.commit()?;
        before = outcome.app_hash.to_vec();
        report.heights_checked = h;
        pb.inc(1);
    }
    pb.finish_with_message("all app hashes match");
    Ok(report)
}

/// How many heights [`replay_rpc`] fetches ahead of execution, in parallel.
const RPC_FETCHERS: u64 = 8;

/// One height as fetched from CometBFT's RPC.
#[derive(Debug, Clone)]
struct RpcBlock {
    input: BlockInput,
    /// `header.app_hash`: the app hash *before* this block.
    header_app_hash: Vec<u8>,
    /// `block_results.app_hash`: what the app answered FinalizeBlock (unsigned).
    results_app_hash: Option<Vec<u8>>,
    results: Vec<bpb::TxResult>,
}

/// Re-executes the chain served by a CometBFT node's RPC at `url` from `genesis` into a
/// fresh store at `scratch`, up to `up_to` (default: the node's latest height).
///
/// The app hash after block `h` is checked against block `h + 1`'s header (signed by the
/// validators); after the last block, against `/block_results`' `app_hash`. Tx results
/// (code, log, codespace, events) are checked against `/block_results`, and genesis
/// against block 1's header.
///
/// # Errors
/// RPC failures, undecodable answers, storage failures, or an application error.
pub async fn replay_rpc(
    genesis: Genesis,
    url: &str,
    scratch: &Path,
    up_to: Option<u64>,
    show_progress: bool,
) -> anyhow::Result<ReplayReport> {
    let rpc = Arc::new(RpcClient::new(url));
    let status = rpc
        .call("status", serde_json::json!({}))
        .await
        .with_context(|| format!("reading /status from {url}"))?;
    let tip: u64 = status["sync_info"]["latest_block_height"]
        .as_str()
        .and_then(|h| h.parse().ok())
        .context("status has no latest_block_height")?;
    let network = status["node_info"]["network"].as_str().unwrap_or_default();
    anyhow::ensure!(
        network.is_empty() || network == genesis.chain_id,
        "the node serves chain {network:?} but the genesis file is for {:?}",
        genesis.chain_id
    );
    let last = up_to.unwrap_or(tip).min(tip);
    // Heights 1..=last+1 (the header of last+1 attests last's app hash), fetched by
    // RPC_FETCHERS tasks in a fixed interleaving so that the consumer reads them in order.
    let fetch_to = if last < tip { last + 1 } else { last };
    let mut lanes = Vec::new();
    for lane in 0..RPC_FETCHERS {
        let (tx, rx) = tokio::sync::mpsc::channel(4);
        let rpc = rpc.clone();
        tokio::spawn(async move {
            let mut h = lane + 1;
            while h <= fetch_to {
                let b = fetch_block(&rpc, h).await;
                let failed = b.is_err();
                if tx.send(b).await.is_err() || failed {
                    return;
                }
                h += RPC_FETCHERS;
            }
        });
        lanes.push(rx);
    }
    let scratch = scratch.to_path_buf();
    tokio::task::spawn_blocking(move || {
        let mut recv = |h: u64| -> anyhow::Result<RpcBlock> {
            let lane = &mut lanes[((h - 1) % RPC_FETCHERS) as usize];
            lane.blocking_recv()
                .with_context(|| format!("fetcher for height {h} stopped"))?
        };
        let mut current = if last > 0 { Some(recv(1)?) } else { None };
        replay_blocks(&genesis, &scratch, last, show_progress, None, |h| {
            let b = current
                .take()
                .with_context(|| format!("block {h} was not fetched"))?;
            let (after, after_from) = if h < tip {
                let nb = recv(h + 1)?;
                let a = nb.header_app_hash.clone();
                current = Some(nb);
                (a, format!("block {}'s header", h + 1))
            } else {
                let a = b
                    .results_app_hash
                    .clone()
                    .context("the latest block's results carry no app_hash")?;
                (a, format!("/block_results?height={h} (latest block)"))
            };
            Ok(SourceBlock {
                input: b.input,
                app_hash_before: Some(b.header_app_hash),
                app_hash_after: after,
                after_from,
                results: b.results,
            })
        })
    })
    .await?
}

async fn fetch_block(rpc: &RpcClient, h: u64) -> anyhow::Result<RpcBlock> {
    let params = serde_json::json!({ "height": h.to_string() });
    let (block, results) = tokio::join!(
        rpc.call("block", params.clone()),
        rpc.call("block_results", params)
    );
    let block = block.with_context(|| format!("/block?height={h}"))?;
    let results = results.with_context(|| format!("/block_results?height={h}"))?;
    parse_rpc_block(h, &block, &results).with_context(|| format!("decoding block {h}"))
}

/// Rebuilds FinalizeBlock's input and the stored results from `/block` and
/// `/block_results` answers (CometBFT v0.38 JSON).
fn parse_rpc_block(
    h: u64,
    block: &serde_json::Value,
    results: &serde_json::Value,
) -> anyhow::Result<RpcBlock> {
    let b64 = base64::engine::general_purpose::STANDARD;
    let header = &block["block"]["header"];
    let height: u64 = header["height"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .context("header.height")?;
    anyhow::ensure!(height == h, "asked for height {h}, got {height}");
    let time: tendermint_proto::google::protobuf::Timestamp = serde_json::from_value::<
        tendermint_proto::serializers::timestamp::Rfc3339,
    >(header["time"].clone())
    .context("header.time")?
    .into();
    let time_ns = u64::try_from(time.seconds)
        .ok()
        .and_then(|s| s.checked_mul(1_000_000_000))
        .and_then(|s| s.checked_add(u64::try_from(time.nanos).ok()?))
        .context("header.time before 1970 or too large")?;
    let txs: Vec<Vec<u8>> = match block["block"]["data"]["txs"].as_array() {
        None => vec![],
        Some(a) => a
            .iter()
            .map(|t| {
                b64.decode(t.as_str().context("tx is not a string")?)
                    .context("tx is not base64")
            })
            .collect::<anyhow::Result<_>>()?,
    };
    let hex_field = |v: &serde_json::Value, what: &str| -> anyhow::Result<Vec<u8>> {
        hex::decode(v.as_str().with_context(|| format!("{what} missing"))?)
            .with_context(|| format!("{what} is not hex"))
    };
    let input = BlockInput {
        height,
        time_ns,
        proposer: hex_field(&header["proposer_address"], "header.proposer_address")?,
        hash: hex_field(&block["block_id"]["hash"], "block_id.hash")?,
        txs,
    };
    let header_app_hash = hex_field(&header["app_hash"], "header.app_hash")?;
    // v0.38 encodes this []byte as base64 (headers use hex); accept either.
    let results_app_hash = results["app_hash"].as_str().and_then(|s| {
        if s.len() == 64 && s.bytes().all(|c| c.is_ascii_hexdigit()) {
            hex::decode(s).ok()
        } else {
            b64.decode(s).ok()
        }
    });
    let stored = results["txs_results"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    anyhow::ensure!(
        stored.len() == input.txs.len(),
        "{} txs but {} results",
        input.txs.len(),
        stored.len()
    );
    let results = stored
        .iter()
        .zip(&input.txs)
        .map(|(r, tx)| parse_tx_result(r, tx))
        .collect::<anyhow::Result<_>>()?;
    Ok(RpcBlock {
        input,
        header_app_hash,
        results_app_hash,
        results,
    })
}

/// One `ExecTxResult` in block-log form. The app sets no `data`, `info` or gas, so those
/// must be empty; the hash is not stored by CometBFT and is recomputed from the tx.
fn parse_tx_result(r: &serde_json::Value, tx: &[u8]) -> anyhow::Result<bpb::TxResult> {
    let s = |k: &str| r[k].as_str().unwrap_or_default().to_string();
    anyhow::ensure!(
        s("data").is_empty() && s("info").is_empty(),
        "tx result has data or info, which this app never sets"
    );
    let code = match &r["code"] {
        serde_json::Value::Null => 0,
        v => v
            .as_u64()
            .and_then(|c| u32::try_from(c).ok())
            .context("tx result code")?,
    };
    let events = r["events"]
        .as_array()
        .map(|es| {
            es.iter()
                .map(|e| bpb::Event {
                    kind: e["type"].as_str().unwrap_or_default().to_string(),
                    attributes: e["attributes"]
                        .as_array()
                        .map(|a| {
                            a.iter()
                                .map(|a| bpb::Attribute {
                                    key: a["key"].as_str().unwrap_or_default().to_string(),
                                    value: a["value"].as_str().unwrap_or_default().to_string(),
                                })
                                .collect()
                        })
                        .unwrap_or_default(),
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(bpb::TxResult {
        code,
        log: s("log"),
        events,
        hash: blake3::hash(tx).as_bytes().to_vec(),
        codespace: s("codespace"),
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use proofwork_app::testkit::{ChainBuilder, DENOM};
    use proofwork_tx::{sign_body, Message, SecretKey, TxBody};
    use prost::Message as _;

    use super::*;
    use crate::app::block_key;

    /// Keys `r0`–`r7` with 100 000 each.
    fn genesis(keys: &[SecretKey]) -> Genesis {
        keys.iter()
            .fold(ChainBuilder::new("replay"), |b, k| {
                b.fund_address(k.public_key().address(), &[(DENOM, 100_000)])
            })
            .genesis("2026-01-01T00:00:00Z")
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
                    messages: vec![Message::Transfer(proofwork_tx::Transfer {
                        to: keys[(i + 1) % 8].public_key().address(),
                        denom: "upw".into(),
                        amount,
                    })],
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
    fn rpc_block_json_rebuilds_finalize_block_input_and_results() {
        let tx = vec![1u8, 2, 3];
        let block = serde_json::json!({
            "block_id": {"hash": "AB".repeat(32)},
            "block": {
                "header": {
                    "height": "5",
                    "time": "2026-01-01T00:00:01.000000042Z",
                    "proposer_address": "CD".repeat(20),
                    "app_hash": "EF".repeat(32),
                },
                "data": {"txs": ["AQID"]},
            },
        });
        let results = serde_json::json!({
            "height": "5",
            "txs_results": [{
                "code": 4, "log": "bad", "codespace": "malformed", "data": null,
                "gas_wanted": "0", "gas_used": "0",
                "events": [{"type": "t", "attributes": [{"key": "k", "value": "v", "index": true}]}],
            }],
            "app_hash": "ESIzRFVmd4iZqrvM3e7/ABEiM0RVZneImaq7zN3u/wA=",
        });
        let b = parse_rpc_block(5, &block, &results).unwrap();
        assert_eq!(b.input.height, 5);
        assert_eq!(b.input.time_ns, 1_767_225_601_000_000_042);
        assert_eq!(b.input.txs, vec![tx.clone()]);
        assert_eq!(b.input.proposer, vec![0xcd; 20]);
        assert_eq!(b.input.hash, vec![0xab; 32]);
        assert_eq!(b.header_app_hash, vec![0xef; 32]);
        assert_eq!(b.results_app_hash.unwrap().len(), 32);
        let r = &b.results[0];
        assert_eq!(
            (r.code, r.log.as_str(), r.codespace.as_str()),
            (4, "bad", "malformed")
        );
        assert_eq!(r.events[0].attributes[0].value, "v");
        assert_eq!(r.hash, blake3::hash(&tx).as_bytes().to_vec());
        // Wrong height, missing results, and a result with data are refused.
        assert!(parse_rpc_block(6, &block, &results).is_err());
        assert!(parse_rpc_block(5, &block, &serde_json::json!({})).is_err());
        let mut with_data = results.clone();
        with_data["txs_results"][0]["data"] = "AQ==".into();
        assert!(parse_rpc_block(5, &block, &with_data).is_err());
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
        // The source store keeps height 300: the report names the state keys whose
        // recomputed value differs (the dropped transfer's balances and nonce).
        assert!(!m.differing_keys.is_empty(), "{m:?}");
        assert!(
            m.differing_keys.iter().any(|k| k.contains("source")),
            "{:?}",
            m.differing_keys
        );
    }
}
