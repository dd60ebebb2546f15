//! Validator cost of the spot check against the worker's cost of the job, on the CPU.
//!
//! - `work::verify_job/m=…`: the full `check_reveal` of one job (k = 96 sampled rows,
//!   K = N = 4096): the sampled rows' Merkle proofs, `B·r` (loading `B` from state), and
//!   Freivalds on each row. `…/weights_cached` is the first job on the model in a block on a
//!   running node (weights in memory, `B·r` computed). `…/br_cached` is the per-job cost once
//!   `B·r` is cached for the (model, beacon block), which every further job on that model in
//!   that block pays.
//! - `work::all_in/m=4096,…`: all of a validator's CPU for one 4096³ job's reveal under the
//!   default genesis (tx ids, decoding and signatures of its parts, the spot check).
//! - `work::gemm_cpu/m=1024,k=n=4096`: the CPU reference GEMM on a quarter of the 4096³ job
//!   (GEMM time is linear in M; the ratios in docs/bench-work.md extrapolate ×4 and ×16).
//! - `work::commit_cpu/m=1024,n=4096`: row digests + Merkle tree over that GEMM's output.
//! - `work::jobs_open/…`: listing the open jobs among 100,000 (what workers poll), from the
//!   by-status index and, as the baseline, by scanning every job.
//!
//! Set-up shortcut (benchmark only): the bench picks the beacon itself, so it computes only
//! the 96 sampled rows of `C` and commits zeros elsewhere; the verifier's work is identical to
//! a real job's (it only ever sees the sampled rows and their proofs).

use std::collections::BTreeMap;

use criterion::{criterion_main, Criterion};
use proofwork_consensus::work::{
    self, check_reveal, prover::sampled_rows, reveal_context, RevealContext, WorkCache, WorkEnv,
    WorkParams,
};
use proofwork_kernels::{cpu, merkle, random_i8, MerkleTree};
use proofwork_state::accounts;
use proofwork_state::StateDelta;
use proofwork_tx::{
    sign_body, Address, Message, RevealedRow, SecretKey, SignedTx, TxBody, TxLimits,
};

type Base = BTreeMap<Vec<u8>, Vec<u8>>;
const K: usize = 4096;
const N: usize = 4096;
const SAMPLE: u32 = 96;

fn exec(s: &mut StateDelta<Base>, who: &Address, msg: Message) -> Vec<(&'static str, String)> {
    let env = WorkEnv {
        native_denom: "upw",
        cache: None,
        tx_hash: [0; 32],
        msg_index: 0,
        max_tx_bytes: 64 << 20,
    };
    let ev = match &msg {
        Message::RegisterModel(m) => work::exec::register_model(s, &env, who, m),
        Message::UploadModelChunk(m) => work::exec::upload_model_chunk(s, who, m),
        Message::RegisterWorker(m) => work::exec::register_worker(s, &env, who, m),
        Message::PostJob(m) => work::exec::post_job(s, &env, who, m),
        Message::ClaimJob(m) => work::exec::claim_job(s, who, m),
        Message::CommitWork(m) => work::exec::commit_work(s, who, m),
        Message::RevealWork(m) => work::exec::reveal_work(s, &env, who, m),
        Message::CancelJob(m) => work::exec::cancel_job(s, &env, who, m),
        other => panic!("not benchmarked: {}", other.kind_name()),
    };
    ev.unwrap().attributes()
}

/// A state with the 4096×4096 model and one committed job of `m` rows whose beacon is on
/// chain; returns the state, the reveal context and the reveal.
fn setup(m: usize, b: &[i8]) -> (StateDelta<Base>, RevealContext, Vec<RevealedRow>) {
    let mut s = StateDelta::new(Base::new());
    let owner = SecretKey::from_seed("owner").public_key().address();
    accounts::mint(&mut s, &owner, "upw", 1 << 100).unwrap();
    work::put_params(
        &mut s,
        &WorkParams {
            sample_rows: SAMPLE,
            max_m: 1 << 20,
            ..WorkParams::default()
        },
    );
    accounts::set_block_info(&mut s, 1, 1);
    let b_root = MerkleTree::from_leaves(merkle::row_digests_i8(b, K, N).unwrap())
        .unwrap()
        .root();
    exec(
        &mut s,
        &owner,
        Message::RegisterModel(proofwork_tx::RegisterModel {
            k: K as u32,
            n: N as u32,
            b_root,
            royalties: vec![],
        }),
    );
    for first in (0..K).step_by(256) {
        exec(
            &mut s,
            &owner,
            Message::UploadModelChunk(proofwork_tx::UploadModelChunk {
                model_id: 1,
                first_row: first as u32,
                rows: b[first * N..(first + 256) * N]
                    .iter()
                    .map(|&v| v as u8)
                    .collect(),
            }),
        );
    }
    let a = random_i8(m as u64, m * K);
    let a_tree = MerkleTree::from_leaves(merkle::row_digests_i8(&a, m, K).unwrap()).unwrap();
    exec(
        &mut s,
        &owner,
        Message::PostJob(proofwork_tx::PostJob {
            model_id: 1,
            a_root: a_tree.root(),
            m: m as u32,
            price: 1 << 60,
            commit_blocks: 0,
            reveal_blocks: 0,
            denom: None,
        }),
    );
    exec(
        &mut s,
        &owner,
        Message::RegisterWorker(proofwork_tx::RegisterWorker {
            bond: 1 << 40,
            validator: None,
        }),
    );
    exec(
        &mut s,
        &owner,
        Message::ClaimJob(proofwork_tx::ClaimJob { job_id: 1 }),
    );
    // The beacon (hash of block 2) is chosen here, so only the sampled rows are computed.
    let beacon = [42u8; 32];
    let rows = sampled_rows(&beacon, 1, m as u32, SAMPLE);
    let a_sub: Vec<i8> = rows
        .iter()
        .flat_map(|&i| a[i as usize * K..(i as usize + 1) * K].iter().copied())
        .collect();
    let c_sub = cpu::gemm_i8(&a_sub, b, rows.len(), K, N).unwrap();
    let zero_leaf = merkle::leaf_hash_i32(&vec![0; N]);
    let mut leaves = vec![zero_leaf; m];
    for (j, &i) in rows.iter().enumerate() {
        leaves[i as usize] = merkle::leaf_hash_i32(&c_sub[j * N..(j + 1) * N]);
    }
    let c_tree = MerkleTree::from_leaves(leaves).unwrap();
    exec(
        &mut s,
        &owner,
        Message::CommitWork(proofwork_tx::CommitWork {
            job_id: 1,
            c_root: c_tree.root(),
        }),
    );
    work::record_block_hash(&mut s, 2, &beacon).unwrap();
    accounts::set_block_info(&mut s, 3, 3);
    let reveal: Vec<RevealedRow> = rows
        .iter()
        .enumerate()
        .map(|(j, &i)| RevealedRow {
            index: i,
            a_row: a[i as usize * K..(i as usize + 1) * K]
                .iter()
                .map(|&v| v as u8)
                .collect(),
            c_row: c_sub[j * N..(j + 1) * N]
                .iter()
                .flat_map(|v| v.to_le_bytes())
                .collect(),
            a_proof: a_tree.proof(i).unwrap().siblings,
            c_proof: c_tree.proof(i).unwrap().siblings,
        })
        .collect();
    let ctx = reveal_context(&s, &owner, 1, 3).unwrap().unwrap();
    (s, ctx, reveal)
}

fn bench(c: &mut Criterion) {
    let b = random_i8(7, K * N);
    for m in [4096usize, 16384] {
        let (s, ctx, rows) = setup(m, &b);
        if m == 4096 {
            bench_reveal_tx(c, &rows);
            bench_all_in(c, &s, &ctx, &rows, m);
        }
        let v = check_reveal(&s, &ctx, &rows, None).unwrap().unwrap();
        assert_eq!(v, work::Verdict::Pass);
        let mut g = c.benchmark_group("work::verify_job");
        g.sample_size(20);
        g.bench_function(format!("m={m},k=n=4096,rows=96"), |bch| {
            bch.iter(|| check_reveal(&s, &ctx, &rows, None).unwrap().unwrap())
        });
        let weights = std::sync::Arc::new(b.to_vec());
        g.bench_function(format!("m={m},k=n=4096,rows=96/weights_cached"), |bch| {
            bch.iter(|| {
                // A fresh cache holding only the weights: B·r is computed from them, as for
                // the first job on the model in a block on a running node.
                let wcache = WorkCache::default();
                wcache.put_weights(ctx.model_id, weights.clone());
                check_reveal(&s, &ctx, &rows, Some((&wcache, [1; 32], 0)))
                    .unwrap()
                    .unwrap()
            })
        });
        let cache = WorkCache::default();
        let mut tx = 0u64;
        check_reveal(&s, &ctx, &rows, Some((&cache, [0; 32], 0)))
            .unwrap()
            .unwrap();
        g.bench_function(format!("m={m},k=n=4096,rows=96/br_cached"), |bch| {
            bch.iter(|| {
                tx += 1;
                let mut h = [0u8; 32];
                h[..8].copy_from_slice(&tx.to_le_bytes());
                check_reveal(&s, &ctx, &rows, Some((&cache, h, 0)))
                    .unwrap()
                    .unwrap()
            })
        });
        g.finish();
    }
    let m = 1024;
    let a = random_i8(3, m * K);
    let mut g = c.benchmark_group("work::cpu");
    g.sample_size(10);
    g.bench_function("gemm_cpu/m=1024,k=n=4096", |bch| {
        bch.iter(|| cpu::gemm_i8(&a, &b, m, K, N).unwrap())
    });
    let out = cpu::gemm_i8(&a, &b, m, K, N).unwrap();
    g.bench_function("commit_cpu/m=1024,n=4096", |bch| {
        bch.iter(|| {
            MerkleTree::from_leaves(merkle::row_digests_i32(&out, m, N).unwrap())
                .unwrap()
                .root()
        })
    });
    g.finish();
}

/// Decoding and signature-checking the reveal tx of one 4096³ job.
fn bench_reveal_tx(c: &mut Criterion, rows: &[RevealedRow]) {
    let body = TxBody {
        chain_id: "pw-bench".into(),
        nonce: 7,
        fee: 1,
        messages: vec![Message::RevealWork(proofwork_tx::RevealWork {
            job_id: 1,
            rows: rows.to_vec(),
        })],
    };
    let bytes = sign_body(&SecretKey::from_seed("worker"), &body);
    let limits = TxLimits {
        max_tx_bytes: 8 << 20,
        max_messages: 1,
    };
    let mut g = c.benchmark_group("work::reveal_tx");
    g.sample_size(20);
    g.bench_function(format!("decode/bytes={}", bytes.len()), |bch| {
        bch.iter(|| SignedTx::decode(&bytes, &limits).unwrap())
    });
    let tx = SignedTx::decode(&bytes, &limits).unwrap();
    g.bench_function("verify_signature", |bch| {
        bch.iter(|| tx.verify_signature().unwrap())
    });
    g.finish();
}

/// Everything a validator's CPU does for one job's reveal under the default genesis (1 MiB
/// txs, so the 96 rows travel in `reveal_rows_per_tx` parts): per part, the tx id (BLAKE3 of
/// the bytes), decoding and the signature check (CheckTx; ProcessProposal and FinalizeBlock
/// reuse the decoded tx), then the spot check of every row (Merkle proofs + Freivalds) with
/// `B·r` cached (the node computes it in the background once the beacon is on chain; without
/// that, add `verify_job/…/weights_cached` − `…/br_cached`). The rows are checked in one call
/// here; on chain each part is checked on its own, the same rows and proofs.
fn bench_all_in(
    c: &mut Criterion,
    s: &StateDelta<Base>,
    ctx: &RevealContext,
    rows: &[RevealedRow],
    m: usize,
) {
    let max_tx_bytes = 1u64 << 20;
    let per = work::reveal_rows_per_tx(max_tx_bytes, m as u32, K as u32, N as u32) as usize;
    let key = SecretKey::from_seed("worker");
    let txs: Vec<Vec<u8>> = rows
        .chunks(per)
        .enumerate()
        .map(|(i, part)| {
            sign_body(
                &key,
                &TxBody {
                    chain_id: "pw-bench".into(),
                    nonce: 7 + i as u64,
                    fee: 1,
                    messages: vec![Message::RevealWork(proofwork_tx::RevealWork {
                        job_id: 1,
                        rows: part.to_vec(),
                    })],
                },
            )
        })
        .collect();
    assert!(txs.iter().all(|t| t.len() as u64 <= max_tx_bytes));
    let limits = TxLimits {
        max_tx_bytes,
        max_messages: 1,
    };
    let admit = |t: &[u8]| {
        let id = proofwork_tx::tx_hash(t);
        let tx = SignedTx::decode(t, &limits).unwrap();
        tx.verify_signature().unwrap();
        (id, tx)
    };
    let cache = WorkCache::default();
    check_reveal(s, ctx, rows, Some((&cache, [0; 32], 0)))
        .unwrap()
        .unwrap();
    let mut g = c.benchmark_group("work::all_in");
    g.sample_size(20);
    let mut n = 0u64;
    g.bench_function(
        format!("m={m},k=n=4096,rows=96,parts={},default_genesis", txs.len()),
        |bch| {
            bch.iter(|| {
                for t in &txs {
                    std::hint::black_box(admit(t));
                }
                n += 1;
                let mut h = [0u8; 32];
                h[..8].copy_from_slice(&n.to_le_bytes());
                check_reveal(s, ctx, rows, Some((&cache, h, 0)))
                    .unwrap()
                    .unwrap()
            })
        },
    );
    g.finish();
}

/// Listing the open jobs among `total` jobs of which one in 1,000 is open (the rest
/// cancelled): what every worker polls. `by_status_index` reads the by-status index;
/// `full_scan_baseline` is the listing before it existed (every job in id order, filtered),
/// measured in the same run.
fn bench_jobs_listing(c: &mut Criterion) {
    let total = 100_000u64;
    let mut s = StateDelta::new(Base::new());
    let client = SecretKey::from_seed("client").public_key().address();
    accounts::mint(&mut s, &client, "upw", 1 << 100).unwrap();
    accounts::set_block_info(&mut s, 1, 1);
    let (k, n) = (16usize, 16usize);
    let b = random_i8(5, k * n);
    let b_root = MerkleTree::from_leaves(merkle::row_digests_i8(&b, k, n).unwrap())
        .unwrap()
        .root();
    exec(
        &mut s,
        &client,
        Message::RegisterModel(proofwork_tx::RegisterModel {
            k: k as u32,
            n: n as u32,
            b_root,
            royalties: vec![],
        }),
    );
    exec(
        &mut s,
        &client,
        Message::UploadModelChunk(proofwork_tx::UploadModelChunk {
            model_id: 1,
            first_row: 0,
            rows: b.iter().map(|&v| v as u8).collect(),
        }),
    );
    for id in 0..total {
        exec(
            &mut s,
            &client,
            Message::PostJob(proofwork_tx::PostJob {
                model_id: 1,
                a_root: [1; 32],
                m: 4,
                price: 1,
                commit_blocks: 0,
                reveal_blocks: 0,
                denom: None,
            }),
        );
        if id % 1000 != 0 {
            exec(
                &mut s,
                &client,
                Message::CancelJob(proofwork_tx::CancelJob { job_id: id + 1 }),
            );
        }
    }
    // Committed state: the block's writes applied (deleted index entries gone), as the
    // node's store holds them after commit.
    let committed: Base = s
        .writes()
        .iter()
        .filter_map(|(k, v)| Some((k.clone(), v.clone()?)))
        .collect();
    let s = StateDelta::new(committed);
    let open = (total / 1000) as usize;
    let mut g = c.benchmark_group("work::jobs_open");
    g.sample_size(10);
    g.bench_function(format!("by_status_index/total={total}"), |bch| {
        bch.iter(|| {
            let jobs = work::jobs_with_status(&s, "posted", None, 1000).unwrap();
            assert_eq!(jobs.len(), open);
        })
    });
    g.bench_function(format!("full_scan_baseline/total={total}"), |bch| {
        bch.iter(|| {
            let mut found = 0;
            let mut after = None;
            loop {
                let page = work::jobs(&s, after, 1000).unwrap();
                let Some(last) = page.last() else { break };
                after = Some(last.id);
                found += page.iter().filter(|j| j.status.name() == "posted").count();
            }
            assert_eq!(found, open);
        })
    });
    g.finish();
}

#[allow(missing_docs)] // generated by the macro
mod harness {
    criterion::criterion_group!(benches, super::bench, super::bench_jobs_listing);
}
criterion_main!(harness::benches);
