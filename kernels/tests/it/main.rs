//! Integration tests: each behaviour is written once and run on every backend
//! (`<name>::cpu` always; `<name>::cuda` where a CUDA device opens, otherwise it prints
//! "skipped: no CUDA device" and passes).

mod cuda_emu;

use proofwork_kernels::{
    cpu, freivalds, merkle, verify_proof, Backend, CpuBackend, CudaBackend, KernelError,
};

/// Runs `body(&dyn Backend)` on the CPU and, when present, on CUDA device 0.
macro_rules! test_device {
    ($name:ident, $body:ident) => {
        mod $name {
            #[test]
            fn cpu() {
                super::$body(&super::CpuBackend::new());
            }

            #[test]
            fn cuda() {
                match super::CudaBackend::new(0) {
                    Ok(dev) => super::$body(&dev),
                    Err(super::KernelError::NoDevice { reason }) => {
                        eprintln!("skipped: no CUDA device ({reason})")
                    }
                    // A device that opens but cannot compile or load the kernels is a bug.
                    Err(other) => panic!("cuda backend failed to open: {other}"),
                }
            }
        }
    };
}

fn bytes(seed: u64, len: usize) -> Vec<i8> {
    let mut h = blake3::Hasher::new();
    h.update(&seed.to_le_bytes());
    let mut out = vec![0u8; len];
    h.finalize_xof().fill(&mut out);
    out.into_iter().map(|v| v as i8).collect()
}

const SHAPES: &[(usize, usize, usize)] = &[
    (1, 1, 1),
    (1, 4, 1),
    (3, 5, 7),
    (4, 4, 4),
    (5, 33, 9),
    (64, 64, 64),
    (127, 129, 131),
    (129, 32, 130),
    (200, 1025, 17),
    (2, 3000, 300),
    // k % 16 == 0: the tensor-core path on sm_80+ (partial tiles in m, n and the last k
    // stage, a single 16-byte chunk, many stages).
    (1, 16, 1),
    (130, 48, 257),
    (257, 1040, 129),
    (300, 4096, 200),
];

fn gemm_matches_naive_reference(dev: &dyn Backend) {
    for (s, &(m, k, n)) in SHAPES.iter().enumerate() {
        let a = bytes(s as u64, m * k);
        let b = bytes(1000 + s as u64, k * n);
        let want = cpu::gemm_i8_naive(&a, &b, m, k, n).expect("valid shape");
        assert_eq!(
            dev.gemm_i8(&a, &b, m, k, n),
            Ok(want),
            "{} {m}x{k}x{n}",
            dev.name()
        );
    }
}
test_device!(gemm_matches_naive, gemm_matches_naive_reference);

fn gemm_is_exact_at_the_bound(dev: &dyn Backend) {
    // The largest k of each kernel family: K_LIMIT - 1 (dp4a) and the largest multiple of 16
    // below K_LIMIT (tensor cores on sm_80+).
    for k in [cpu::K_LIMIT - 1, cpu::K_LIMIT - 16] {
        let (m, n) = (3, 5);
        for (av, bv) in [(-128i8, -128i8), (-128, 127)] {
            let want = i32::try_from(k as i64 * i64::from(av) * i64::from(bv)).expect("bound");
            let c = dev
                .gemm_i8(&vec![av; m * k], &vec![bv; k * n], m, k, n)
                .expect("valid shape");
            assert!(c.iter().all(|&v| v == want), "{} k = {k}", dev.name());
        }
    }
}
test_device!(gemm_exact_at_bound, gemm_is_exact_at_the_bound);

fn gemm_rejects_bad_shapes(dev: &dyn Backend) {
    assert_eq!(
        dev.gemm_i8(&[], &[], 1, cpu::K_LIMIT, 1),
        Err(KernelError::KTooLarge {
            k: cpu::K_LIMIT,
            limit: cpu::K_LIMIT
        })
    );
    assert!(matches!(
        dev.gemm_i8(&[0; 5], &[0; 6], 2, 3, 2),
        Err(KernelError::ShapeMismatch { what: "a", .. })
    ));
    assert_eq!(dev.gemm_i8(&[], &[], 0, 3, 0), Ok(vec![]));
    assert_eq!(dev.gemm_i8(&[], &[], 2, 0, 2), Ok(vec![0; 4]));
}
test_device!(gemm_bad_shapes, gemm_rejects_bad_shapes);

fn row_digests_match_cpu_reference(dev: &dyn Backend) {
    // Row byte lengths 17 + 4n straddle BLAKE3 block (64) and chunk (1024) boundaries.
    for n in [
        0usize, 1, 11, 12, 251, 252, 253, 256, 1000, 1020, 1021, 4096, 4100,
    ] {
        let m = 3;
        let c: Vec<i32> = (0..m * n)
            .map(|v| (v as i32).wrapping_mul(0x0101_7919).wrapping_sub(12345))
            .collect();
        assert_eq!(
            dev.row_digests(&c, m, n),
            merkle::row_digests_i32(&c, m, n),
            "{} n = {n}",
            dev.name()
        );
    }
    assert!(matches!(
        dev.row_digests(&[1, 2, 3], 2, 2),
        Err(KernelError::ShapeMismatch { what: "c", .. })
    ));
}
test_device!(row_digests_match_cpu, row_digests_match_cpu_reference);

fn commitment_matches_cpu_and_every_row_proves(dev: &dyn Backend) {
    let (m, k, n) = (37, 100, 45);
    let a = bytes(7, m * k);
    let b = bytes(8, k * n);
    let got = dev.gemm_and_commit(&a, &b, m, k, n).expect("valid shape");
    let want = CpuBackend::new()
        .gemm_and_commit(&a, &b, m, k, n)
        .expect("valid shape");
    assert_eq!(got, want, "{}", dev.name());
    for i in 0..m {
        let proof = got.tree.proof(i as u64).expect("in range");
        let leaf = merkle::leaf_hash_i32(&got.c[i * n..(i + 1) * n]);
        assert_eq!(verify_proof(&got.root(), &leaf, &proof), Ok(()));
    }
    assert_eq!(
        dev.gemm_and_commit(&[], &[], 0, 0, 3).err(),
        Some(KernelError::EmptyTree)
    );
}
test_device!(
    commitment_matches_cpu,
    commitment_matches_cpu_and_every_row_proves
);

/// The whole protocol round on small data: commit, sample, reveal, check; and a forged row
/// is caught.
fn spot_check_accepts_honest_and_rejects_forged_work(dev: &dyn Backend) {
    let (m, k, n) = (300, 64, 48);
    let a = bytes(11, m * k);
    let b = bytes(12, k * n);
    let a_tree = merkle::MerkleTree::from_leaves(merkle::row_digests_i8(&a, m, k).expect("shape"))
        .expect("rows");
    let honest = dev.gemm_and_commit(&a, &b, m, k, n).expect("valid shape");

    let mut forged_c = honest.c.clone();
    let bad_row = 123;
    forged_c[bad_row * n + 5] ^= 1;
    let forged_tree =
        merkle::MerkleTree::from_leaves(merkle::row_digests_i32(&forged_c, m, n).expect("shape"))
            .expect("rows");

    let seed = *blake3::hash(b"block after the commit").as_bytes();
    let r = freivalds::derive_r(&seed, n);
    let br = freivalds::mat_vec_b_r(&b, k, n, &r).expect("valid");
    let check = |c: &[i32], tree: &merkle::MerkleTree, rows: &[u64]| -> bool {
        rows.iter().all(|&i| {
            let i = i as usize;
            let (a_row, c_row) = (&a[i * k..(i + 1) * k], &c[i * n..(i + 1) * n]);
            let a_ok = verify_proof(
                &a_tree.root(),
                &merkle::leaf_hash_i8(a_row),
                &a_tree.proof(i as u64).expect("in range"),
            )
            .is_ok();
            let c_ok = verify_proof(
                &tree.root(),
                &merkle::leaf_hash_i32(c_row),
                &tree.proof(i as u64).expect("in range"),
            )
            .is_ok();
            a_ok && c_ok && freivalds::check_row(a_row, c_row, &br, &r)
        })
    };
    let rows = freivalds::sample_rows(&seed, m as u64, 96);
    assert!(check(&honest.c, &honest.tree, &rows), "{}", dev.name());
    // Whenever the forged row is sampled the forgery is caught.
    assert!(!check(&forged_c, &forged_tree, &[bad_row as u64]));
    // Every row sampled: caught.
    let all = freivalds::sample_rows(&seed, m as u64, m as u64);
    assert!(!check(&forged_c, &forged_tree, &all));
}
test_device!(
    spot_check,
    spot_check_accepts_honest_and_rejects_forged_work
);
