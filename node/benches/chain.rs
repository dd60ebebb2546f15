//! Chain throughput benches: FinalizeBlock of 10,000 signed transfers (cold and with
//! signatures already checked by CheckTx), against the raw k256 verify rate on all cores in
//! the same run; and Commit of a block with 10,000 state writes.
//!
//! `cargo bench -p proofwork-node --bench chain`

#![allow(missing_docs)] // criterion_group! generates undocumented items

use std::sync::Arc;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use proofwork_genesis::AppState;
use proofwork_node::app::testkit::{ChainBuilder, DENOM};
use proofwork_node::app::{App, BlockInput, SigCache};
use proofwork_state::{Storage, WriteSet};
use proofwork_tx::{sign_body, Message, SecretKey, SignedTx, TxBody, TxLimits};
use rayon::prelude::*;

const N: usize = 10_000;
const ACCOUNTS: usize = 1_000;

fn keys() -> Vec<SecretKey> {
    (0..ACCOUNTS)
        .map(|i| SecretKey::from_seed(&format!("bench-{i}")))
        .collect()
}

fn genesis(keys: &[SecretKey]) -> AppState {
    keys.iter()
        .fold(ChainBuilder::new("bench"), |b, k| {
            b.fund_address(k.public_key().address(), &[(DENOM, 1_000_000_000)])
        })
        .app_state()
}

fn transfers(keys: &[SecretKey]) -> Vec<Vec<u8>> {
    (0..N)
        .into_par_iter()
        .map(|i| {
            let from = &keys[i % ACCOUNTS];
            let to = keys[(i * 7 + 1) % ACCOUNTS].public_key().address();
            let body = TxBody {
                chain_id: "bench".into(),
                nonce: (i / ACCOUNTS) as u64,
                fee: 1,
                messages: vec![Message::Transfer(proofwork_tx::Transfer {
                    to,
                    denom: "upw".into(),
                    amount: 5,
                })],
            };
            sign_body(from, &body)
        })
        .collect()
}

struct Fresh {
    app: App,
    _dir: tempfile::TempDir,
}

fn fresh_app(state: &AppState, sigs: Arc<SigCache>) -> Fresh {
    let dir = tempfile::tempdir().unwrap();
    let storage = Storage::open(dir.path(), Default::default()).unwrap();
    let mut app = App::new(storage, sigs).unwrap();
    app.init_chain("bench", state).unwrap();
    Fresh { app, _dir: dir }
}

/// Finalizes block 1 holding `txs`, every one of which must pass.
fn finalize_all(mut f: Fresh, txs: &[Vec<u8>]) -> Fresh {
    let out = f
        .app
        .finalize_block(BlockInput {
            height: 1,
            time_ns: 1,
            txs: txs.to_vec(),
            ..Default::default()
        })
        .unwrap();
    assert!(out.tx_results.iter().all(|r| r.result.is_ok()));
    f
}

fn bench_finalize(c: &mut Criterion) {
    let keys = keys();
    let state = genesis(&keys);
    let txs = transfers(&keys);
    let mut g = c.benchmark_group("finalize_block");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(20))
        .throughput(Throughput::Elements(N as u64));

    g.bench_function("k256_verify_all_cores/n=10000", |b| {
        let decoded: Vec<SignedTx> = txs
            .iter()
            .map(|t| SignedTx::decode(t, &TxLimits::default()).unwrap())
            .collect();
        b.iter(|| decoded.par_iter().all(|t| t.verify_signature().is_ok()))
    });

    g.bench_function("transfers_cold/n=10000", |b| {
        b.iter_batched(
            || fresh_app(&state, Arc::new(SigCache::new(1 << 20))),
            |f| finalize_all(f, &txs),
            BatchSize::PerIteration,
        )
    });

    g.bench_function("transfers_checked_by_checktx/n=10000", |b| {
        b.iter_batched(
            || {
                let f = fresh_app(&state, Arc::new(SigCache::new(1 << 20)));
                for t in &txs {
                    f.app.decode_and_verify(t).unwrap(); // what CheckTx leaves in the cache
                }
                f
            },
            |f| finalize_all(f, &txs),
            BatchSize::PerIteration,
        )
    });
    g.finish();
}

fn bench_commit(c: &mut Criterion) {
    let mut g = c.benchmark_group("commit");
    g.sample_size(10).throughput(Throughput::Elements(N as u64));
    let writes: WriteSet = (0..N as u32)
        .map(|i| {
            (
                blake3::hash(&i.to_be_bytes()).as_bytes().to_vec(),
                Some(vec![7u8; 16]),
            )
        })
        .collect();
    g.bench_function("prepare_and_commit/writes=10000", |b| {
        b.iter_batched(
            || {
                let dir = tempfile::tempdir().unwrap();
                let s = Storage::open(dir.path(), Default::default()).unwrap();
                // A populated tree underneath, so the block updates existing paths.
                let base: WriteSet = (0..50_000u32)
                    .map(|i| {
                        (
                            blake3::hash(&(i + 1_000_000).to_be_bytes())
                                .as_bytes()
                                .to_vec(),
                            Some(vec![1u8; 16]),
                        )
                    })
                    .collect();
                s.commit(s.prepare(0, base, WriteSet::new()).unwrap())
                    .unwrap();
                (s, dir)
            },
            |(s, dir)| {
                let p = s.prepare(1, writes.clone(), WriteSet::new()).unwrap();
                s.commit(p).unwrap();
                (s, dir)
            },
            BatchSize::PerIteration,
        )
    });
    g.finish();
    // Bytes written by one such commit, reported once (not timed).
    let dir = tempfile::tempdir().unwrap();
    let s = Storage::open(dir.path(), Default::default()).unwrap();
    s.commit(s.prepare(0, WriteSet::new(), WriteSet::new()).unwrap())
        .unwrap();
    let before = s.approximate_size_bytes();
    let p = s.prepare(1, writes, WriteSet::new()).unwrap();
    let (nodes, values) = p.tree_stats();
    s.commit(p).unwrap();
    let after = s.approximate_size_bytes();
    eprintln!(
        "commit/writes=10000: {} tree nodes and {} values written; store grew by {} bytes ({} B/write)",
        nodes,
        values,
        after.saturating_sub(before),
        after.saturating_sub(before) / N as u64
    );
}

criterion_group!(benches, bench_finalize, bench_commit);
criterion_main!(benches);
