//! The CPU reference: an exact, parallel, cache-blocked int8 GEMM.
//!
//! # How it is fast without being clever
//!
//! `B` is transposed once into `Bᵀ` (`N×K`, so that a column of `B` is contiguous, like a
//! row of `A`), and each output element becomes a dot product of two contiguous byte
//! strings. A 4×4 tile of such dot products is computed together, so every loaded vector of
//! `A` is used four times and every vector of `Bᵀ` four times. Written as plain integer
//! reductions, LLVM vectorizes this loop into `vpmaddwd` (AVX2) or `vpdpwssd`
//! (AVX-512 VNNI); the functions are compiled several times with `#[target_feature]` and the
//! best one for the running CPU is picked at run time. (Checked in the assembly from rustc
//! 1.95; a compiler that vectorizes worse makes this slower, never wrong.)
//!
//! To reach those instructions the bytes of `Bᵀ` are stored *biased* as `u8 = b + 128`
//! (zero-extended values let LLVM pair products into 16-bit lanes), so the kernel computes
//! `A·(B + 128) = A·B + 128·rowsum(A)` and subtracts `128·rowsum(A)` at the end. That
//! intermediate can exceed `i32` (up to `128·255·131071 ≈ 4.3e9`), so it is computed with
//! wrapping arithmetic, i.e. modulo 2^32. Reduction modulo 2^32 is a ring homomorphism, so
//! the result is `A·B mod 2^32`; and since `A·B` itself lies in `[-2^31, 2^31)` (the
//! exactness bound, see the crate docs), its `i32` representative is exactly `A·B`.
//!
//! # Determinism
//!
//! Each output element is computed by exactly one thread, in a fixed order, in integers:
//! the result does not depend on the thread count, the scheduling or the instruction set
//! (a unit test checks every instruction set the CPU has against the others).

use rayon::prelude::*;

use crate::{check_len, merkle, Backend, Digest, KernelError};

/// `K` must be strictly below this (2^17) for `C = A·B` to be exact in `i32`.
///
/// Proof: `|a·b| ≤ 128·128 = 16384` for `a, b ∈ [-128, 127]`, and
/// `16384 · 131071 = 2_147_467_264 ≤ 2^31 - 1 = 2_147_483_647`
/// (the most negative product is `-128·127 = -16256`, so the lower side has more room).
/// At `K = 2^17` the all-`-128` inputs give `2^31`, which overflows.
pub const K_LIMIT: usize = 1 << 17;

/// Rows of a register tile.
const MR: usize = 4;
/// Columns of a register tile.
const NR: usize = 4;
/// Most rows handed to one rayon task (a multiple of `MR`): its slice of `A` (`MC·KC` bytes)
/// stays in L2 while all of `Bᵀ` streams past it.
const MC: usize = 64;
/// Depth of one pass over `K`: a `NR×KC` strip of `Bᵀ` (4 KiB) stays in L1 while the
/// `MC/MR` row tiles of the task use it.
const KC: usize = 1024;
/// The bias that turns an `i8` of `B` into a `u8`.
const BIAS: i32 = 128;

/// Checks the shape of a GEMM: `k < K_LIMIT`, `a.len() == m·k` and `b.len() == k·n`.
///
/// # Errors
///
/// [`KernelError::KTooLarge`] first (so an oversized job gets that error whatever its
/// buffers), then [`KernelError::DimensionOverflow`] / [`KernelError::ShapeMismatch`].
pub fn check_gemm_shape(
    a_len: usize,
    b_len: usize,
    m: usize,
    k: usize,
    n: usize,
) -> Result<(), KernelError> {
    if k >= K_LIMIT {
        return Err(KernelError::KTooLarge { k, limit: K_LIMIT });
    }
    check_len("a", a_len, m, k)?;
    check_len("b", b_len, k, n)?;
    // The output must be addressable too.
    crate::checked_len(m, n)?;
    Ok(())
}

/// `C = A·B` (row-major, `m×k` times `k×n`, `i32` accumulation), exact and deterministic.
///
/// Runs on the rayon global pool.
///
/// # Errors
///
/// See [`check_gemm_shape`].
pub fn gemm_i8(a: &[i8], b: &[i8], m: usize, k: usize, n: usize) -> Result<Vec<i32>, KernelError> {
    check_gemm_shape(a.len(), b.len(), m, k, n)?;
    Ok(gemm_with_isa(Isa::detect(), a, b, m, k, n))
}

/// The textbook triple loop with `i64` accumulation, for tests and cross-checks: slow, but
/// obviously right.
///
/// # Errors
///
/// See [`check_gemm_shape`].
pub fn gemm_i8_naive(
    a: &[i8],
    b: &[i8],
    m: usize,
    k: usize,
    n: usize,
) -> Result<Vec<i32>, KernelError> {
    check_gemm_shape(a.len(), b.len(), m, k, n)?;
    let mut c = vec![0i32; m * n];
    for i in 0..m {
        for j in 0..n {
            let mut s = 0i64;
            for kk in 0..k {
                s += i64::from(a[i * k + kk]) * i64::from(b[kk * n + j]);
            }
            c[i * n + j] =
                i32::try_from(s).expect("exactness bound: |sum| < 2^31 when k < K_LIMIT");
        }
    }
    Ok(c)
}

/// The CPU reference backend. Always available.
#[derive(Debug, Clone, Copy, Default)]
pub struct CpuBackend {
    _private: (),
}

impl CpuBackend {
    /// A backend on the rayon global pool.
    pub fn new() -> Self {
        Self { _private: () }
    }
}

impl Backend for CpuBackend {
    fn name(&self) -> &'static str {
        "cpu"
    }

    fn gemm_i8(
        &self,
        a: &[i8],
        b: &[i8],
        m: usize,
        k: usize,
        n: usize,
    ) -> Result<Vec<i32>, KernelError> {
        gemm_i8(a, b, m, k, n)
    }

    fn row_digests(&self, c: &[i32], m: usize, n: usize) -> Result<Vec<Digest>, KernelError> {
        merkle::row_digests_i32(c, m, n)
    }
}

/// The instruction set a kernel variant was compiled for.
///
/// # Invariants
///
/// A value other than `Generic` exists only if the running CPU supports that instruction
/// set: it is built only by [`Isa::detect`] and [`Isa::available`], which check with
/// `is_x86_feature_detected!`. The `unsafe` calls below (and in `freivalds`) rely on this.
/// `Avx512Vnni` means avx512f, avx512bw, avx512dq and avx512vnni (every CPU with VNNI has
/// DQ; requiring it lets the spot check use 64-bit lane multiplies).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Isa {
    Generic,
    #[cfg(target_arch = "x86_64")]
    Avx2,
    #[cfg(target_arch = "x86_64")]
    Avx512Vnni,
}

impl Isa {
    /// The best instruction set of this CPU.
    pub(crate) fn detect() -> Self {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx512f")
                && std::arch::is_x86_feature_detected!("avx512bw")
                && std::arch::is_x86_feature_detected!("avx512dq")
                && std::arch::is_x86_feature_detected!("avx512vnni")
            {
                return Self::Avx512Vnni;
            }
            if std::arch::is_x86_feature_detected!("avx2") {
                return Self::Avx2;
            }
        }
        Self::Generic
    }

    /// Every instruction set this CPU supports (for the cross-check test).
    #[cfg(test)]
    pub(crate) fn available() -> Vec<Self> {
        let mut v = vec![Self::Generic];
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx2") {
                v.push(Self::Avx2);
            }
            if Self::detect() == Self::Avx512Vnni {
                v.push(Self::Avx512Vnni);
            }
        }
        v
    }
}

/// The dot products of `R` rows of `A` with `NR` biased rows of `Bᵀ`, modulo 2^32.
///
/// All slices must have the same length (they are re-sliced to `a[0].len()`, which also
/// lets LLVM drop the bounds checks inside the loop).
#[inline(always)]
fn tile_body<const R: usize>(a: [&[i8]; R], bt: [&[u8]; NR]) -> [[i32; NR]; R] {
    let len = a[0].len();
    let a = a.map(|x| &x[..len]);
    let bt = bt.map(|x| &x[..len]);
    let mut acc = [[0i32; NR]; R];
    for kk in 0..len {
        for i in 0..R {
            for j in 0..NR {
                acc[i][j] = acc[i][j].wrapping_add(i32::from(a[i][kk]) * i32::from(bt[j][kk]));
            }
        }
    }
    acc
}

macro_rules! tile_fns {
    ($r:literal, $generic:ident, $avx2:ident, $avx512:ident, $dispatch:ident) => {
        fn $generic(a: [&[i8]; $r], bt: [&[u8]; NR]) -> [[i32; NR]; $r] {
            tile_body::<$r>(a, bt)
        }

        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = "avx2")]
        fn $avx2(a: [&[i8]; $r], bt: [&[u8]; NR]) -> [[i32; NR]; $r] {
            tile_body::<$r>(a, bt)
        }

        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = "avx512f,avx512bw,avx512vnni")]
        fn $avx512(a: [&[i8]; $r], bt: [&[u8]; NR]) -> [[i32; NR]; $r] {
            tile_body::<$r>(a, bt)
        }

        #[inline]
        fn $dispatch(isa: Isa, a: [&[i8]; $r], bt: [&[u8]; NR]) -> [[i32; NR]; $r] {
            match isa {
                Isa::Generic => $generic(a, bt),
                #[cfg(target_arch = "x86_64")]
                // SAFETY: `Isa::Avx2` is only constructed after `is_x86_feature_detected!`
                // confirmed AVX2 on this CPU (see the invariant on `Isa`).
                Isa::Avx2 => unsafe { $avx2(a, bt) },
                #[cfg(target_arch = "x86_64")]
                // SAFETY: `Isa::Avx512Vnni` is only constructed after
                // `is_x86_feature_detected!` confirmed avx512f, avx512bw and avx512vnni.
                Isa::Avx512Vnni => unsafe { $avx512(a, bt) },
            }
        }
    };
}

tile_fns!(4, tile4_generic, tile4_avx2, tile4_avx512, tile4);
tile_fns!(1, tile1_generic, tile1_avx2, tile1_avx512, tile1);

/// `Bᵀ` biased to `u8`, with rows (columns of `B`) padded to a multiple of `NR`.
///
/// `bt[j·k + kk] = b[kk·n + j] + 128`; the bias is a flip of the sign bit.
fn pack_bt(b: &[i8], k: usize, n: usize) -> Vec<u8> {
    const BLK: usize = 64;
    let n_pad = n.div_ceil(NR) * NR;
    // Padding columns hold 0x80, i.e. b = 0; their outputs are discarded anyway.
    let mut bt = vec![0x80u8; n_pad * k];
    bt.par_chunks_mut(BLK * k)
        .enumerate()
        .for_each(|(blk, dst)| {
            let j0 = blk * BLK;
            let j1 = (j0 + BLK).min(n);
            if j0 >= j1 {
                return;
            }
            for k0 in (0..k).step_by(BLK) {
                let k1 = (k0 + BLK).min(k);
                for kk in k0..k1 {
                    let src = &b[kk * n + j0..kk * n + j1];
                    for (jj, &v) in src.iter().enumerate() {
                        dst[jj * k + kk] = (v as u8) ^ 0x80;
                    }
                }
            }
        });
    bt
}

/// The GEMM with a given instruction set. Shapes must have been checked.
fn gemm_with_isa(isa: Isa, a: &[i8], b: &[i8], m: usize, k: usize, n: usize) -> Vec<i32> {
    debug_assert!(check_gemm_shape(a.len(), b.len(), m, k, n).is_ok());
    let mut c = vec![0i32; m * n];
    if m == 0 || n == 0 || k == 0 {
        return c;
    }
    let bt = pack_bt(b, k, n);
    let n_tiles = n.div_ceil(NR);
    // Fewer rows per task for short matrices, so that every thread gets work.
    let mc = m
        .div_ceil(rayon::current_num_threads() * 4)
        .next_multiple_of(MR)
        .clamp(MR, MC);
    c.par_chunks_mut(mc * n)
        .enumerate()
        .for_each(|(blk, c_blk)| {
            let row0 = blk * mc;
            let rows = c_blk.len() / n;
            let a_row =
                |i: usize, k0: usize, k1: usize| &a[(row0 + i) * k + k0..(row0 + i) * k + k1];
            for k0 in (0..k).step_by(KC) {
                let k1 = (k0 + KC).min(k);
                for jt in 0..n_tiles {
                    let j0 = jt * NR;
                    let cols = NR.min(n - j0);
                    let bt_rows: [&[u8]; NR] =
                        std::array::from_fn(|j| &bt[(j0 + j) * k + k0..(j0 + j) * k + k1]);
                    let mut i = 0;
                    while i + MR <= rows {
                        let t = tile4(isa, std::array::from_fn(|r| a_row(i + r, k0, k1)), bt_rows);
                        for (r, t_row) in t.iter().enumerate() {
                            let dst = &mut c_blk[(i + r) * n + j0..(i + r) * n + j0 + cols];
                            for (d, &v) in dst.iter_mut().zip(t_row) {
                                *d = d.wrapping_add(v);
                            }
                        }
                        i += MR;
                    }
                    while i < rows {
                        let [t_row] = tile1(isa, [a_row(i, k0, k1)], bt_rows);
                        let dst = &mut c_blk[i * n + j0..i * n + j0 + cols];
                        for (d, &v) in dst.iter_mut().zip(&t_row) {
                            *d = d.wrapping_add(v);
                        }
                        i += 1;
                    }
                }
            }
            // Remove the bias: C = A·(B+128) - 128·rowsum(A), modulo 2^32 (see the module docs).
            for (i, c_row) in c_blk.chunks_exact_mut(n).enumerate() {
                let rowsum: i32 = a_row(i, 0, k).iter().map(|&v| i32::from(v)).sum();
                let bias = rowsum.wrapping_mul(BIAS);
                for v in c_row {
                    *v = v.wrapping_sub(bias);
                }
            }
        });
    c
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn xorshift_bytes(seed: u64, len: usize) -> Vec<i8> {
        let mut s = seed | 1;
        (0..len)
            .map(|_| {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                (s >> 24) as u8 as i8
            })
            .collect()
    }

    #[test]
    fn k_at_limit_is_rejected_with_distinct_error() {
        let a = vec![0i8; K_LIMIT];
        let b = vec![0i8; K_LIMIT];
        assert_eq!(
            gemm_i8(&a, &b, 1, K_LIMIT, 1),
            Err(KernelError::KTooLarge {
                k: K_LIMIT,
                limit: K_LIMIT
            })
        );
        // Checked before the buffers, so the error does not depend on them.
        assert_eq!(
            gemm_i8(&[], &[], 1, K_LIMIT + 5, 1),
            Err(KernelError::KTooLarge {
                k: K_LIMIT + 5,
                limit: K_LIMIT
            })
        );
    }

    #[test]
    fn wrong_a_length_is_rejected() {
        assert_eq!(
            gemm_i8(&[0; 5], &[0; 6], 2, 3, 2),
            Err(KernelError::ShapeMismatch {
                what: "a",
                expected: 6,
                got: 5
            })
        );
    }

    #[test]
    fn wrong_b_length_is_rejected() {
        assert_eq!(
            gemm_i8(&[0; 6], &[0; 7], 2, 3, 2),
            Err(KernelError::ShapeMismatch {
                what: "b",
                expected: 6,
                got: 7
            })
        );
    }

    #[test]
    fn overflowing_dimensions_are_rejected() {
        assert!(matches!(
            gemm_i8(&[], &[], usize::MAX, 2, 0),
            Err(KernelError::DimensionOverflow { .. })
        ));
    }

    #[test]
    fn empty_dimensions_give_empty_or_zero_output() {
        assert_eq!(gemm_i8(&[], &[], 0, 0, 0), Ok(vec![]));
        assert_eq!(gemm_i8(&[], &[], 2, 0, 3), Ok(vec![0; 6]));
        assert_eq!(gemm_i8(&[], &[1, 2, 3], 0, 1, 3), Ok(vec![]));
    }

    #[test]
    fn largest_k_all_minus_128_is_exact() {
        // The extreme case of the exactness bound: 16384 · 131071 = 2_147_467_264.
        let k = K_LIMIT - 1;
        let (m, n) = (5, 6); // exercises a 4-row tile, a 1-row tail and a padded column tile
        let a = vec![-128i8; m * k];
        let b = vec![-128i8; k * n];
        let c = gemm_i8(&a, &b, m, k, n).expect("valid shape");
        assert!(c.iter().all(|&v| v == 2_147_467_264));
        // And the most negative: -128 · 127 · 131071.
        let b = vec![127i8; k * n];
        let c = gemm_i8(&a, &b, m, k, n).expect("valid shape");
        assert!(c.iter().all(|&v| v == -2_130_690_176));
    }

    #[test]
    fn every_instruction_set_gives_identical_results() {
        let (m, k, n) = (67, 1100, 37); // crosses MC, KC, MR and NR boundaries
        let a = xorshift_bytes(1, m * k);
        let b = xorshift_bytes(2, k * n);
        let want = gemm_i8_naive(&a, &b, m, k, n).expect("valid shape");
        for isa in Isa::available() {
            assert_eq!(gemm_with_isa(isa, &a, &b, m, k, n), want, "{isa:?}");
        }
    }

    fn small_shape() -> impl Strategy<Value = (usize, usize, usize)> {
        (1usize..=13, 1usize..=70, 1usize..=13)
    }

    fn extreme_i8() -> impl Strategy<Value = i8> {
        prop_oneof![Just(-128i8), Just(127i8), Just(0i8), any::<i8>()]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn gemm_matches_naive_reference(
            (m, k, n) in small_shape(),
            seed in any::<u64>(),
        ) {
            let a = xorshift_bytes(seed, m * k);
            let b = xorshift_bytes(seed.wrapping_add(1), k * n);
            prop_assert_eq!(gemm_i8(&a, &b, m, k, n)?, gemm_i8_naive(&a, &b, m, k, n)?);
        }

        #[test]
        fn gemm_matches_naive_reference_on_extreme_values(
            (m, k, n, a, b) in small_shape().prop_flat_map(|(m, k, n)| (
                Just(m), Just(k), Just(n),
                proptest::collection::vec(extreme_i8(), m * k),
                proptest::collection::vec(extreme_i8(), k * n),
            )),
        ) {
            prop_assert_eq!(gemm_i8(&a, &b, m, k, n)?, gemm_i8_naive(&a, &b, m, k, n)?);
        }
    }
}
