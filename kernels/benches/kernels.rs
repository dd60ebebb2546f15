//! Criterion benches of the worker's and the validator's costs.
//!
//! - `gemm_i8/cpu/m=…`: CPU GEMM throughput; the reported element rate is operations per
//!   second (2·m·k·n: one multiply and one add per term), i.e. "Gelem/s" = GOPS.
//! - `commit/row_digests_merkle/m=…,n=…`: hashing every row of C and building the tree, to
//!   compare with the GEMM of the same shape.
//! - `freivalds/…`: the validator's spot check of a 4096×4096×4096 job with 96 sampled rows:
//!   `B·r` once, then per row two Merkle proofs (A and C), two leaf hashes and Freivalds.
//!   `rows_reference` is the straightforward form (each proof alone, rows decoded, `i128`
//!   [`freivalds::check_row`]); `rows_fast` is what validators run (rows hashed as wire
//!   bytes, proofs sharing a [`merkle::PathMemo`] per chunk of sorted rows,
//!   [`freivalds::RowChecker`]): the ratio of the two is the speed-up, measured in one run.
//!   The GEMM of that job is not timed here (minutes of bench time at 10 samples):
//!   extrapolate from `gemm_i8/cpu/m=2048,…` (×8).
//!
//! Run with `cargo bench -p proofwork-kernels`; set `PROOFWORK_BENCH_CUDA=1` to add the CUDA
//! backend where a device is present.

use std::time::Duration;

use rayon::prelude::*;

use criterion::{criterion_main, BenchmarkId, Criterion, Throughput};
use proofwork_kernels::{
    cpu, freivalds, merkle, verify_proof, Backend, CpuBackend, CudaBackend, MerkleTree,
};

fn bytes(seed: u64, len: usize) -> Vec<i8> {
    let mut h = blake3::Hasher::new();
    h.update(&seed.to_le_bytes());
    let mut out = vec![0u8; len];
    h.finalize_xof().fill(&mut out);
    out.into_iter().map(|v| v as i8).collect()
}

fn backends() -> Vec<Box<dyn Backend>> {
    let mut v: Vec<Box<dyn Backend>> = vec![Box::new(CpuBackend::new())];
    if std::env::var_os("PROOFWORK_BENCH_CUDA").is_some() {
        match CudaBackend::new(0) {
            Ok(dev) => v.push(Box::new(dev)),
            Err(e) => eprintln!("skipped: no CUDA device ({e})"),
        }
    }
    v
}

fn bench_gemm(c: &mut Criterion) {
    let mut g = c.benchmark_group("gemm_i8");
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    for dev in backends() {
        for s in [1024usize, 2048] {
            let (m, k, n) = (s, s, s);
            let a = bytes(1, m * k);
            let b = bytes(2, k * n);
            g.throughput(Throughput::Elements(2 * (m * k * n) as u64));
            g.bench_function(
                BenchmarkId::new(dev.name(), format!("m={m},k={k},n={n}")),
                |bch| bch.iter(|| dev.gemm_i8(&a, &b, m, k, n).expect("valid shape")),
            );
        }
    }
    g.finish();
}

fn bench_commit(c: &mut Criterion) {
    let mut g = c.benchmark_group("commit");
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    for s in [1024usize, 2048, 4096] {
        let (m, n) = (s, s);
        let cm: Vec<i32> = (0..m * n)
            .map(|v| (v as i32).wrapping_mul(0x9e37_79b9u32 as i32))
            .collect();
        g.throughput(Throughput::Bytes((m * n * 4) as u64));
        g.bench_function(format!("row_digests_merkle/m={m},n={n}"), |bch| {
            bch.iter(|| {
                let leaves = merkle::row_digests_i32(&cm, m, n).expect("shape");
                MerkleTree::from_leaves(leaves).expect("rows").root()
            })
        });
    }
    g.finish();
}

fn bench_freivalds(c: &mut Criterion) {
    let (m, k, n, rows) = (4096usize, 4096usize, 4096usize, 96u64);
    let a = bytes(3, m * k);
    let b = bytes(4, k * n);
    // Only the sampled rows of C need to be right for the checks to pass; the others are
    // left zero, which does not change the verifier's cost (the tree is over all m rows).
    let seed = *blake3::hash(b"bench beacon").as_bytes();
    let sampled = freivalds::sample_rows(&seed, m as u64, rows);
    let mut cm = vec![0i32; m * n];
    for &i in &sampled {
        let i = i as usize;
        let row = cpu::gemm_i8(&a[i * k..(i + 1) * k], &b, 1, k, n).expect("shape");
        cm[i * n..(i + 1) * n].copy_from_slice(&row);
    }
    let a_tree =
        MerkleTree::from_leaves(merkle::row_digests_i8(&a, m, k).expect("shape")).expect("rows");
    let c_tree =
        MerkleTree::from_leaves(merkle::row_digests_i32(&cm, m, n).expect("shape")).expect("rows");
    let (a_root, c_root) = (a_tree.root(), c_tree.root());
    let reveals: Vec<_> = sampled
        .iter()
        .map(|&i| {
            let iu = i as usize;
            (
                a[iu * k..(iu + 1) * k].to_vec(),
                cm[iu * n..(iu + 1) * n].to_vec(),
                a_tree.proof(i).expect("in range"),
                c_tree.proof(i).expect("in range"),
            )
        })
        .collect();

    let verify_rows = |r: &[i64], br: &[i64]| {
        // Pure checks whose combined result is "all passed": parallel, as validators run them.
        reveals.par_iter().all(|(a_row, c_row, pa, pc)| {
            verify_proof(&a_root, &merkle::leaf_hash_i8(a_row), pa).is_ok()
                && verify_proof(&c_root, &merkle::leaf_hash_i32(c_row), pc).is_ok()
                && freivalds::check_row(a_row, c_row, br, r)
        })
    };
    // The same reveals as the wire carries them.
    let wire: Vec<(Vec<u8>, Vec<u8>, &merkle::MerkleProof, &merkle::MerkleProof)> = reveals
        .iter()
        .map(|(a_row, c_row, pa, pc)| {
            (
                a_row.iter().map(|&v| v as u8).collect(),
                c_row.iter().flat_map(|v| v.to_le_bytes()).collect(),
                pa,
                pc,
            )
        })
        .collect();
    let verify_rows_fast = |checker: &freivalds::RowChecker| {
        wire.par_chunks(24).all(|chunk| {
            let (mut am, mut cm) = (merkle::PathMemo::default(), merkle::PathMemo::default());
            chunk.iter().all(|(a_row, c_row, pa, pc)| {
                let (a_leaf, c_leaf) = (
                    merkle::leaf_hash_i8_bytes(a_row),
                    merkle::leaf_hash_i32_le(c_row),
                );
                merkle::verify_path(
                    &a_root,
                    &a_leaf,
                    pa.index,
                    pa.leaf_count,
                    &pa.siblings,
                    &mut am,
                )
                .is_ok()
                    && merkle::verify_path(
                        &c_root,
                        &c_leaf,
                        pc.index,
                        pc.leaf_count,
                        &pc.siblings,
                        &mut cm,
                    )
                    .is_ok()
                    && checker.check_bytes(a_row, c_row)
            })
        })
    };

    let mut g = c.benchmark_group("freivalds");
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    let shape = format!("m={m},k={k},n={n},rows={rows}");
    g.bench_function(format!("b_times_r/k={k},n={n}"), |bch| {
        bch.iter(|| {
            let r = freivalds::derive_r(&seed, n);
            freivalds::mat_vec_b_r(&b, k, n, &r).expect("valid")
        })
    });
    let r = freivalds::derive_r(&seed, n);
    let br = freivalds::mat_vec_b_r(&b, k, n, &r).expect("valid");
    g.bench_function(format!("rows_reference/{shape}"), |bch| {
        bch.iter(|| assert!(verify_rows(&r, &br)))
    });
    let checker = freivalds::RowChecker::new(br.clone(), r.clone());
    g.bench_function(format!("rows_fast/{shape}"), |bch| {
        bch.iter(|| assert!(verify_rows_fast(&checker)))
    });
    g.bench_function(format!("check/{shape}"), |bch| {
        bch.iter(|| {
            let r = freivalds::derive_r(&seed, n);
            let br = freivalds::mat_vec_b_r(&b, k, n, &r).expect("valid");
            let rows = freivalds::sample_rows(&seed, m as u64, rows);
            assert_eq!(rows.len(), reveals.len());
            assert!(verify_rows(&r, &br));
        })
    });
    g.finish();
}

// `criterion_group!` defines an undocumented `pub fn`.
#[allow(missing_docs)]
mod group {
    use super::{bench_commit, bench_freivalds, bench_gemm};
    criterion::criterion_group!(benches, bench_gemm, bench_commit, bench_freivalds);
}
criterion_main!(group::benches);
