//! The validator's spot check: Freivalds' test on sampled rows, in exact integers.
//!
//! For a claimed `C = A·B` and a vector `r`, row `i` is checked by `A_i·(B·r) == C_i·r`.
//! If `C_i ≠ A_i·B`, let `d = C_i - A_i·B ≠ 0`, with `d_j ≠ 0`; fixing every other entry of
//! `r`, `d·r = 0` holds for at most one value of `r_j`, so a wrong row passes with
//! probability at most `2^-R_BITS` over `r` uniform in `[0, 2^R_BITS)^N`, i.e. ≤ 2^-20 ≈ 1e-6.
//! `r` is derived from a beacon seed fixed only *after* the commitment, so the worker cannot
//! choose `d` knowing `r`.
//!
//! # Cost
//!
//! `B·r` costs `K·N` multiply-adds once per model and block (every job on the model in that
//! block shares `r`); each sampled row then costs `K + N`.
//!
//! # Why nothing overflows
//!
//! With `|a|, |b| ≤ 128`, `|c| ≤ 2^31`, `0 ≤ r < 2^20`, `K < 2^17` and `N ≤ MAX_N = 2^32`:
//! - `(B·r)_k = Σ_j b_kj·r_j`: `|·| ≤ 128 · (2^20 - 1) · 2^32 ≈ 5.76e17 < 2^63 ≈ 9.22e18`, so
//!   `i64` is exact ([`mat_vec_b_r`] enforces these ranges).
//! - `A_i·(B·r)`: each term `|a·br| ≤ 2^7 · 2^63 = 2^70` for *any* `i64` `br`, and
//!   `K < 2^17` terms sum to `< 2^87 < 2^127`: exact in `i128`.
//! - `C_i·r`: each term `|c·r| ≤ 2^31 · 2^63 = 2^94` for *any* `i64` `r`, and
//!   `N ≤ 2^32` terms sum to `≤ 2^126 < 2^127`: exact in `i128`.
//!
//! [`check_row`] checks the lengths that these bounds need, so it is exact (and never panics)
//! for every input.

use std::collections::BTreeSet;

use rayon::prelude::*;

use crate::cpu::{Isa, K_LIMIT};
use crate::{check_len, Digest, KernelError};

/// Entries of `r` lie in `[0, 2^R_BITS)`.
pub const R_BITS: u32 = 20;
/// The largest `N` the overflow bounds allow.
pub const MAX_N: u64 = 1 << 32;

/// XOF domain tag for `r`.
const TAG_R: &[u8; 17] = b"proofwork/frvr/v1";
/// XOF domain tag for the sampled rows.
const TAG_ROWS: &[u8; 17] = b"proofwork/rows/v1";

/// The Freivalds vector for `n` columns: `r_j = (u32 LE from BLAKE3-XOF("proofwork/frvr/v1"
/// || seed) at offset 4j) mod 2^R_BITS`.
///
/// A power-of-two mask of uniform bits is uniform: no modulo bias.
pub fn derive_r(seed: &Digest, n: usize) -> Vec<i64> {
    let mut h = blake3::Hasher::new();
    h.update(TAG_R);
    h.update(seed);
    let mut xof = h.finalize_xof();
    let mask = (1u32 << R_BITS) - 1;
    let mut out = Vec::with_capacity(n);
    let mut buf = [0u8; 4096];
    while out.len() < n {
        xof.fill(&mut buf);
        let take = (n - out.len()).min(buf.len() / 4);
        out.extend(
            buf.chunks_exact(4)
                .take(take)
                .map(|w| i64::from(u32::from_le_bytes([w[0], w[1], w[2], w[3]]) & mask)),
        );
    }
    out
}

/// `B·r` for a row-major `k×n` matrix `B`, in parallel over the rows of `B`.
///
/// # Errors
///
/// [`KernelError::KTooLarge`] when `k ≥ K_LIMIT`, [`KernelError::TooLarge`] when
/// `n > MAX_N`, [`KernelError::ShapeMismatch`] for wrong lengths and
/// [`KernelError::ROutOfRange`] for an entry of `r` outside `[0, 2^R_BITS)`: the bounds in
/// the module docs hold for every input that passes.
pub fn mat_vec_b_r(b: &[i8], k: usize, n: usize, r: &[i64]) -> Result<Vec<i64>, KernelError> {
    if k >= K_LIMIT {
        return Err(KernelError::KTooLarge { k, limit: K_LIMIT });
    }
    if n as u64 > MAX_N {
        return Err(KernelError::TooLarge {
            what: "n",
            got: n as u64,
            limit: MAX_N,
        });
    }
    check_len("b", b.len(), k, n)?;
    check_len("r", r.len(), n, 1)?;
    if let Some((index, &value)) = r
        .iter()
        .enumerate()
        .find(|&(_, &v)| !(0..1i64 << R_BITS).contains(&v))
    {
        return Err(KernelError::ROutOfRange {
            index,
            value,
            bits: R_BITS,
        });
    }
    if n == 0 {
        return Ok(vec![0; k]);
    }
    let forms = RForms::new(r);
    let isa = Isa::detect();
    Ok(b.par_chunks_exact(n)
        .map(|row| dot_b_r(isa, row, &forms))
        .collect())
}

/// `r` in the forms the `B·r` kernels read: `i32` values, and three byte planes with
/// `r = p0 + 2^8·p1 + 2^16·p2` for the AVX-512 VNNI kernel (`vpdpbusd` multiplies unsigned
/// bytes by signed bytes, 64 at a time, so `B·r` becomes three byte dot products).
#[derive(Debug)]
struct RForms {
    r32: Vec<i32>,
    planes: [Vec<u8>; 3],
}

impl RForms {
    /// From `r` already checked to lie in `[0, 2^R_BITS)` (`R_BITS ≤ 24`: three bytes).
    fn new(r: &[i64]) -> Self {
        const _: () = assert!(R_BITS <= 24);
        let plane = |shift: u32| r.iter().map(|&v| (v >> shift) as u8).collect();
        Self {
            r32: r.iter().map(|&v| v as i32).collect(),
            planes: [plane(0), plane(8), plane(16)],
        }
    }
}

/// One element of `B·r`, `Σ_j b_j·r_j`, for `0 ≤ r_j < 2^R_BITS`.
///
/// Each term is below `2^7 · 2^20 = 2^27` in magnitude, so 8 terms per lane sum to less
/// than `2^30`: exact in `i32` lanes (which vectorize well), flushed to `i64` every 8 terms.
#[inline(always)]
fn dot_b_r_body(row: &[i8], r: &[i32]) -> i64 {
    const LANES: usize = 16;
    const DEPTH: usize = 8;
    let n = row.len().min(r.len());
    let (row, r) = (&row[..n], &r[..n]);
    let mut acc64 = [0i64; LANES];
    let mut row_blocks = row.chunks_exact(LANES * DEPTH);
    let mut r_blocks = r.chunks_exact(LANES * DEPTH);
    for (bb, rb) in (&mut row_blocks).zip(&mut r_blocks) {
        let mut acc32 = [0i32; LANES];
        for (bc, rc) in bb.chunks_exact(LANES).zip(rb.chunks_exact(LANES)) {
            for l in 0..LANES {
                acc32[l] += i32::from(bc[l]) * rc[l];
            }
        }
        for l in 0..LANES {
            acc64[l] += i64::from(acc32[l]);
        }
    }
    let tail: i64 = row_blocks
        .remainder()
        .iter()
        .zip(r_blocks.remainder())
        .map(|(&b, &x)| i64::from(b) * i64::from(x))
        .sum();
    acc64.iter().sum::<i64>() + tail
}

fn dot_b_r_generic(row: &[i8], r: &[i32]) -> i64 {
    dot_b_r_body(row, r)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn dot_b_r_avx2(row: &[i8], r: &[i32]) -> i64 {
    dot_b_r_body(row, r)
}

/// One element of `B·r` with `vpdpbusd`: per 64 columns, one load of `B`'s bytes and three
/// byte-plane dot products of `r`.
///
/// Exactness: a `vpdpbusd` adds 4 products of at most `255 · 128` to each `i32` lane, i.e.
/// less than `2^17`; a run of `FLUSH_STEPS = 512` steps keeps every lane below `2^26` and
/// the sum of the 16 lanes below `2^30`, so the `i32` reduction is exact; runs are added in
/// `i64`, where the result (`< 2^27 · n`) fits. The tail is read with a masked load, whose
/// masked-off bytes are zero.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw,avx512vnni")]
fn dot_b_r_vnni(row: &[i8], planes: &[Vec<u8>; 3]) -> i64 {
    use std::arch::x86_64::{
        __m512i, _mm512_dpbusd_epi32, _mm512_loadu_si512, _mm512_maskz_loadu_epi8,
        _mm512_reduce_add_epi32, _mm512_setzero_si512,
    };
    const FLUSH_STEPS: usize = 512;
    let n = row
        .len()
        .min(planes.iter().map(Vec::len).min().unwrap_or(0));
    let mut total = [0i64; 3];
    let mut j = 0;
    while j < n {
        let run_end = n.min(j.saturating_add(64 * FLUSH_STEPS));
        let mut acc: [__m512i; 3] = [_mm512_setzero_si512(); 3];
        while j + 64 <= run_end {
            // SAFETY: `j + 64 ≤ n ≤` the length of `row` and of every plane.
            let b = unsafe { _mm512_loadu_si512(row.as_ptr().add(j).cast()) };
            for (a, p) in acc.iter_mut().zip(planes) {
                // SAFETY: as above.
                let pv = unsafe { _mm512_loadu_si512(p.as_ptr().add(j).cast()) };
                *a = _mm512_dpbusd_epi32(*a, pv, b);
            }
            j += 64;
        }
        if j < run_end {
            let mask = u64::MAX >> (64 - (run_end - j));
            // SAFETY: a masked load touches only the selected `run_end - j` bytes from
            // offset `j`, and `run_end ≤ n`.
            let b = unsafe { _mm512_maskz_loadu_epi8(mask, row.as_ptr().add(j).cast()) };
            for (a, p) in acc.iter_mut().zip(planes) {
                // SAFETY: as above.
                let pv = unsafe { _mm512_maskz_loadu_epi8(mask, p.as_ptr().add(j).cast()) };
                *a = _mm512_dpbusd_epi32(*a, pv, b);
            }
            j = run_end;
        }
        for (t, a) in total.iter_mut().zip(acc) {
            *t += i64::from(_mm512_reduce_add_epi32(a));
        }
    }
    total[0] + (total[1] << 8) + (total[2] << 16)
}

fn dot_b_r(isa: Isa, row: &[i8], r: &RForms) -> i64 {
    match isa {
        Isa::Generic => dot_b_r_generic(row, &r.r32),
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `Isa::Avx2` exists only where `is_x86_feature_detected!("avx2")` held.
        Isa::Avx2 => unsafe { dot_b_r_avx2(row, &r.r32) },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `Isa::Avx512Vnni` exists only where avx512f, avx512bw, avx512dq and
        // avx512vnni were detected.
        Isa::Avx512Vnni => unsafe { dot_b_r_vnni(row, &r.planes) },
    }
}

/// `A_i·(B·r)` in `i128` (exact for every `i64` input shorter than 2^56 elements; see the
/// module docs). Extra elements of the longer slice are ignored.
pub fn row_dot_i8(a_row: &[i8], br: &[i64]) -> i128 {
    debug_assert_eq!(a_row.len(), br.len());
    a_row
        .iter()
        .zip(br)
        .map(|(&a, &x)| i128::from(a) * i128::from(x))
        .sum()
}

/// `C_i·r` in `i128` (exact for every `i64` input of at most 2^32 elements; see the module
/// docs). Extra elements of the longer slice are ignored.
pub fn row_dot_i32(c_row: &[i32], r: &[i64]) -> i128 {
    debug_assert_eq!(c_row.len(), r.len());
    c_row
        .iter()
        .zip(r)
        .map(|(&c, &x)| i128::from(c) * i128::from(x))
        .sum()
}

/// Freivalds' check of one row: `A_i·(B·r) == C_i·r`.
///
/// Returns `false` (rather than panicking or overflowing) when the lengths do not match
/// (`a_row` vs `br`, `c_row` vs `r`) or exceed `K_LIMIT` / `MAX_N`. Soundness needs `r` from
/// [`derive_r`] on a seed the worker could not predict, and `br` from [`mat_vec_b_r`] on the
/// registered `B`.
pub fn check_row(a_row: &[i8], c_row: &[i32], br: &[i64], r: &[i64]) -> bool {
    a_row.len() == br.len()
        && c_row.len() == r.len()
        && a_row.len() < K_LIMIT
        && c_row.len() as u64 <= MAX_N
        && row_dot_i8(a_row, br) == row_dot_i32(c_row, r)
}

/// `B·r` and `r` prepared for checking many rows: the validator's fast path.
///
/// [`check_row`] sums every term in `i128`, which LLVM cannot vectorise. Here each dot
/// product is cut into blocks short enough that a block's sum is exact in `i64` (which
/// vectorises), and only the block sums are added in `i128`. The block lengths come from
/// the largest magnitudes actually present, measured once in [`RowChecker::new`]:
///
/// - `A_i·(B·r)`: a term is at most `2^7 · max|br|`, so a block of
///   `⌊(2^63 - 1) / (2^7 · max|br|)⌋` terms cannot overflow — *every* partial sum, in any
///   order (a SIMD reduction reorders), is a sum of at most that many terms. For `N = 4096`
///   (`|br| < 2^39`) that is `2^17 > K`: one block.
/// - `C_i·r`: a term is at most `2^31 · max|r|`; with `r < 2^20`, blocks of `2^12` terms.
///
/// A bound so large that not even one term fits in `i64` (block length 0) falls back to
/// `i128` for that side. So [`RowChecker::check_bytes`] is exact for every input, and the
/// property tests check it against [`check_row`] on random and extreme values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowChecker {
    br: Vec<i64>,
    r: Vec<i64>,
    a_block: usize,
    c_block: usize,
    /// Detected once: a checker serves every row of every job on its (model, beacon).
    isa: Isa,
}

impl RowChecker {
    /// Prepares `br = B·r` (from [`mat_vec_b_r`]) and `r` (from [`derive_r`]).
    pub fn new(br: Vec<i64>, r: Vec<i64>) -> Self {
        let block = |bound: u64, values: &[i64]| {
            let max = values.iter().map(|v| v.unsigned_abs()).max().unwrap_or(0);
            match bound.checked_mul(max) {
                Some(0) => usize::MAX,
                Some(term) => usize::try_from(i64::MAX as u64 / term).unwrap_or(usize::MAX),
                None => 0,
            }
        };
        Self {
            a_block: block(128, &br),
            c_block: block(1 << 31, &r),
            br,
            r,
            isa: Isa::detect(),
        }
    }

    /// `B·r`.
    pub fn br(&self) -> &[i64] {
        &self.br
    }

    /// `r`.
    pub fn r(&self) -> &[i64] {
        &self.r
    }

    /// Freivalds' check of one row given as wire bytes: `a_row` is `K` bytes (each an `i8`),
    /// `c_row_le` is `N` values of 4 bytes little-endian. The same verdict as [`check_row`]
    /// on the decoded row, for every input (wrong lengths give `false`).
    pub fn check_bytes(&self, a_row: &[u8], c_row_le: &[u8]) -> bool {
        let k = a_row.len();
        if k != self.br.len()
            || k >= K_LIMIT
            || !c_row_le.len().is_multiple_of(4)
            || c_row_le.len() / 4 != self.r.len()
            || self.r.len() as u64 > MAX_N
        {
            return false;
        }
        let isa = self.isa;
        let lhs = blocked(self.a_block, k, |lo, hi| {
            dot_a(isa, &a_row[lo..hi], &self.br[lo..hi])
        })
        .unwrap_or_else(|| {
            a_row
                .iter()
                .zip(&self.br)
                .map(|(&a, &x)| i128::from(a as i8) * i128::from(x))
                .sum()
        });
        let rhs = blocked(self.c_block, self.r.len(), |lo, hi| {
            dot_c(isa, &c_row_le[4 * lo..4 * hi], &self.r[lo..hi])
        })
        .unwrap_or_else(|| {
            c_row_le
                .chunks_exact(4)
                .zip(&self.r)
                .map(|(w, &x)| i128::from(le_i32(w)) * i128::from(x))
                .sum()
        });
        lhs == rhs
    }
}

/// `Σ` over blocks of `block` of `f(lo, hi)` (each block exact in `i64`) in `i128`; `None`
/// when `block` is 0 (not even one term fits `i64`).
fn blocked(block: usize, len: usize, f: impl Fn(usize, usize) -> i64) -> Option<i128> {
    if block == 0 {
        return None;
    }
    let mut sum = 0i128;
    let mut lo = 0;
    while lo < len {
        let hi = lo.saturating_add(block).min(len);
        sum += i128::from(f(lo, hi));
        lo = hi;
    }
    Some(sum)
}

fn le_i32(w: &[u8]) -> i32 {
    i32::from_le_bytes([w[0], w[1], w[2], w[3]])
}

/// `Σ a_j·br_j` in `i64`: exact when the caller's block bound holds (see [`RowChecker`]).
#[inline(always)]
fn dot_a_body(a: &[u8], br: &[i64]) -> i64 {
    a.iter()
        .zip(br)
        .map(|(&a, &x)| i64::from(a as i8).wrapping_mul(x))
        .fold(0i64, i64::wrapping_add)
}

/// `Σ c_j·r_j` in `i64` over `c` as 4-byte LE words: exact under the block bound.
#[inline(always)]
fn dot_c_body(c: &[u8], r: &[i64]) -> i64 {
    c.chunks_exact(4)
        .zip(r)
        .map(|(w, &x)| i64::from(le_i32(w)).wrapping_mul(x))
        .fold(0i64, i64::wrapping_add)
}

macro_rules! simd_fns {
    ($body:ident, $t:ty, $avx2:ident, $avx512:ident, $dispatch:ident) => {
        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = "avx2")]
        fn $avx2(x: &[u8], y: &[$t]) -> i64 {
            $body(x, y)
        }

        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = "avx512f,avx512dq")]
        fn $avx512(x: &[u8], y: &[$t]) -> i64 {
            $body(x, y)
        }

        fn $dispatch(isa: Isa, x: &[u8], y: &[$t]) -> i64 {
            match isa {
                Isa::Generic => $body(x, y),
                #[cfg(target_arch = "x86_64")]
                // SAFETY: `Isa::Avx2` exists only where `is_x86_feature_detected!("avx2")` held.
                Isa::Avx2 => unsafe { $avx2(x, y) },
                #[cfg(target_arch = "x86_64")]
                // SAFETY: `Isa::Avx512Vnni` exists only where avx512f and avx512dq (among
                // others) were detected.
                Isa::Avx512Vnni => unsafe { $avx512(x, y) },
            }
        }
    };
}

simd_fns!(dot_a_body, i64, dot_a_avx2, dot_a_avx512, dot_a);
simd_fns!(dot_c_body, i64, dot_c_avx2, dot_c_avx512, dot_c);

/// `count` distinct row indices in `[0, m)`, sorted ascending, chosen by the seed.
///
/// Draws `u64`s from BLAKE3-XOF("proofwork/rows/v1" || seed), keeps the low bits under the
/// smallest power-of-two mask covering `m - 1`, and rejects values `≥ m` and repeats
/// (rejection sampling: uniform, no modulo bias). Each draw is accepted with probability
/// above 1/2 while few rows are taken; with `count` close to `m` it degrades like the
/// coupon collector, so callers sample `count ≪ m` (the protocol default is 96).
/// When `count ≥ m` every row is returned.
pub fn sample_rows(seed: &Digest, m: u64, count: u64) -> Vec<u64> {
    if count >= m {
        return (0..m).collect();
    }
    // count < m, so m ≥ 1; for m == 1 (count == 0) the loop below never runs. The mask covers
    // every bit of m - 1.
    let mask = u64::MAX.checked_shr((m - 1).leading_zeros()).unwrap_or(0);
    let mut h = blake3::Hasher::new();
    h.update(TAG_ROWS);
    h.update(seed);
    let mut xof = h.finalize_xof();
    let mut chosen = BTreeSet::new();
    let mut buf = [0u8; 8];
    while (chosen.len() as u64) < count {
        xof.fill(&mut buf);
        let v = u64::from_le_bytes(buf) & mask;
        if v < m {
            chosen.insert(v);
        }
    }
    chosen.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cpu::gemm_i8;
    use proptest::prelude::*;

    fn seed(i: u64) -> Digest {
        *blake3::hash(&i.to_le_bytes()).as_bytes()
    }

    #[test]
    fn derive_r_is_deterministic_and_in_range() {
        let r = derive_r(&seed(1), 5000);
        assert_eq!(r.len(), 5000);
        assert_eq!(r, derive_r(&seed(1), 5000));
        assert_ne!(r, derive_r(&seed(2), 5000));
        assert!(r.iter().all(|&v| (0..1 << R_BITS).contains(&v)));
        // A prefix property: r for fewer columns is a prefix.
        assert_eq!(derive_r(&seed(1), 17)[..], r[..17]);
        // Not degenerate: the top bit of the range is used.
        assert!(r.iter().any(|&v| v >= 1 << (R_BITS - 1)));
    }

    #[test]
    fn mat_vec_rejects_large_k() {
        assert_eq!(
            mat_vec_b_r(&[], K_LIMIT, 0, &[]),
            Err(KernelError::KTooLarge {
                k: K_LIMIT,
                limit: K_LIMIT
            })
        );
    }

    #[test]
    fn mat_vec_rejects_large_n() {
        let n = (MAX_N + 1) as usize;
        assert_eq!(
            mat_vec_b_r(&[], 0, n, &[]),
            Err(KernelError::TooLarge {
                what: "n",
                got: MAX_N + 1,
                limit: MAX_N
            })
        );
    }

    #[test]
    fn mat_vec_rejects_wrong_lengths() {
        assert!(matches!(
            mat_vec_b_r(&[1, 2, 3], 2, 2, &[1, 1]),
            Err(KernelError::ShapeMismatch { what: "b", .. })
        ));
        assert!(matches!(
            mat_vec_b_r(&[1, 2, 3, 4], 2, 2, &[1]),
            Err(KernelError::ShapeMismatch { what: "r", .. })
        ));
    }

    #[test]
    fn mat_vec_rejects_r_out_of_range() {
        assert_eq!(
            mat_vec_b_r(&[1, 2], 1, 2, &[0, 1 << R_BITS]),
            Err(KernelError::ROutOfRange {
                index: 1,
                value: 1 << R_BITS,
                bits: R_BITS
            })
        );
        assert!(matches!(
            mat_vec_b_r(&[1, 2], 1, 2, &[-1, 0]),
            Err(KernelError::ROutOfRange { index: 0, .. })
        ));
    }

    #[test]
    fn mat_vec_computes_b_times_r() {
        // B = [[1, -2, 3], [-128, 127, 0]], r = [5, 7, 11]
        let b = [1, -2, 3, -128, 127, 0];
        assert_eq!(
            mat_vec_b_r(&b, 2, 3, &[5, 7, 11]),
            Ok(vec![5 - 14 + 33, -640 + 889])
        );
        assert_eq!(mat_vec_b_r(&[], 3, 0, &[]), Ok(vec![0, 0, 0]));
    }

    #[test]
    fn b_times_r_is_identical_on_every_instruction_set() {
        // Lengths around the 64- and 128-column blocks and past one VNNI flush run.
        for n in [0, 1, 63, 64, 65, 1000, 64 * 512 + 7] {
            let row: Vec<i8> = (0..n)
                .map(|j| if j % 3 == 0 { -128 } else { (j % 251) as i8 })
                .collect();
            let r = derive_r(&seed(9), n);
            let want: i64 = row.iter().zip(&r).map(|(&b, &x)| i64::from(b) * x).sum();
            let forms = RForms::new(&r);
            for isa in Isa::available() {
                assert_eq!(dot_b_r(isa, &row, &forms), want, "{isa:?} n={n}");
            }
            // The extreme: every term -128 · (2^20 - 1).
            let row = vec![-128i8; n];
            let forms = RForms::new(&vec![(1i64 << R_BITS) - 1; n]);
            for isa in Isa::available() {
                assert_eq!(
                    dot_b_r(isa, &row, &forms),
                    -128 * ((1 << R_BITS) - 1) * n as i64,
                    "{isa:?} n={n}"
                );
            }
        }
    }

    #[test]
    fn check_row_rejects_mismatched_lengths() {
        assert!(check_row(&[], &[], &[], &[]));
        assert!(!check_row(&[1], &[], &[], &[]));
        assert!(!check_row(&[], &[1], &[], &[]));
    }

    #[test]
    fn check_row_is_exact_at_the_extremes() {
        // Largest magnitudes the bounds allow: no overflow, and a difference of 1 is seen.
        let k = K_LIMIT - 1;
        let a_row = vec![-128i8; k];
        let br = vec![-(128 * ((1i64 << R_BITS) - 1) * (1 << 32)); k];
        let c_row = vec![i32::MIN; 4];
        let r = vec![(1i64 << R_BITS) - 1; 4];
        let lhs = row_dot_i8(&a_row, &br);
        let rhs = row_dot_i32(&c_row, &r);
        assert_eq!(
            lhs,
            128 * 128 * ((1i128 << R_BITS) - 1) * (1 << 32) * k as i128
        );
        assert_eq!(rhs, i128::from(i32::MIN) * ((1 << R_BITS) - 1) * 4);
        assert!(!check_row(&a_row, &c_row, &br, &r));
    }

    fn le(c: &[i32]) -> Vec<u8> {
        c.iter().flat_map(|v| v.to_le_bytes()).collect()
    }

    fn bytes_of(a: &[i8]) -> Vec<u8> {
        a.iter().map(|&v| v as u8).collect()
    }

    #[test]
    fn row_checker_is_exact_at_the_extremes() {
        // The same extremes as above (block lengths 1 and 4, sums far beyond i64), then
        // values beyond every bound (block length 0: the i128 fallback).
        let k = K_LIMIT - 1;
        let a_row = bytes_of(&vec![-128i8; k]);
        let br = vec![-(128 * ((1i64 << R_BITS) - 1) * (1 << 32)); k];
        let r = vec![(1i64 << R_BITS) - 1; 4];
        let checker = RowChecker::new(br.clone(), r.clone());
        let c = [i32::MIN; 4];
        assert!(!checker.check_bytes(&a_row, &le(&c)));
        // A C row equal to the true product needs N large enough to reach it; use a small
        // case instead where the sums are known: 2 terms each.
        let big = RowChecker::new(vec![i64::MIN, i64::MAX], vec![i64::MIN, i64::MAX]);
        let (a2, c2) = ([-128i8, 127], [i32::MIN, i32::MAX]);
        assert_eq!(
            big.check_bytes(&bytes_of(&a2), &le(&c2)),
            check_row(&a2, &c2, &[i64::MIN, i64::MAX], &[i64::MIN, i64::MAX])
        );
        assert_eq!(big.a_block, 0);
        assert_eq!(big.c_block, 0);
        // An all-zero side never overflows.
        let zero = RowChecker::new(vec![0; 3], vec![0; 2]);
        assert!(zero.check_bytes(&[1, 2, 3], &le(&[5, 6])));
    }

    #[test]
    fn row_check_dots_are_identical_on_every_instruction_set() {
        // Values within one block's bounds (as `RowChecker` guarantees), lengths around the
        // vector widths.
        for len in [0usize, 1, 7, 8, 63, 64, 65, 1000, 4096] {
            let a: Vec<u8> = (0..len).map(|i| (i * 37 + 11) as u8).collect();
            let br: Vec<i64> = (0..len)
                .map(|i| (i as i64 * 7_919 - 3_000_000) * 65_537)
                .collect();
            let c: Vec<u8> = (0..4 * len).map(|i| (i * 91 + 3) as u8).collect();
            let r: Vec<i64> = (0..len)
                .map(|i| (i as i64 * 104_729) % (1 << R_BITS))
                .collect();
            let want_a = dot_a_body(&a, &br);
            let want_c = dot_c_body(&c, &r);
            for isa in Isa::available() {
                assert_eq!(dot_a(isa, &a, &br), want_a, "{isa:?} len={len}");
                assert_eq!(dot_c(isa, &c, &r), want_c, "{isa:?} len={len}");
            }
        }
    }

    #[test]
    fn row_checker_rejects_wrong_lengths() {
        let checker = RowChecker::new(vec![1, 2], vec![3]);
        assert!(checker.check_bytes(&[0, 0], &le(&[0])));
        assert!(!checker.check_bytes(&[0], &le(&[0])));
        assert!(!checker.check_bytes(&[0, 0], &le(&[0, 0])));
        assert!(!checker.check_bytes(&[0, 0], &[0, 0, 0]));
        assert!(!checker.check_bytes(&[0, 0], &[0, 0, 0, 0, 0]));
    }

    #[test]
    fn sample_rows_returns_all_rows_when_count_reaches_m() {
        assert_eq!(sample_rows(&seed(0), 5, 5), vec![0, 1, 2, 3, 4]);
        assert_eq!(sample_rows(&seed(0), 5, 96), vec![0, 1, 2, 3, 4]);
        assert_eq!(sample_rows(&seed(0), 0, 3), Vec::<u64>::new());
        assert_eq!(sample_rows(&seed(0), 1, 0), Vec::<u64>::new());
    }

    #[test]
    fn sample_rows_handles_huge_m() {
        let rows = sample_rows(&seed(3), u64::MAX, 96);
        assert_eq!(rows.len(), 96);
        let rows = sample_rows(&seed(3), (1 << 63) + 1, 96);
        assert_eq!(rows.len(), 96);
        assert!(rows.iter().all(|&v| v <= 1 << 63));
    }

    #[test]
    fn sample_rows_covers_the_range_evenly() {
        // 20000 draws over 10 rows, one per seed: each row ~2000 times. A biased sampler
        // (e.g. `% 10` of a byte) would skew this well past the tolerance.
        let mut counts = [0u32; 10];
        for s in 0..20_000 {
            counts[sample_rows(&seed(s), 10, 1)[0] as usize] += 1;
        }
        assert!(
            counts.iter().all(|&c| (1800..2200).contains(&c)),
            "{counts:?}"
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        #[test]
        fn sample_rows_are_distinct_sorted_in_range(s in any::<u64>(), m in 1u64..5000, count in 0u64..200) {
            let rows = sample_rows(&seed(s), m, count);
            prop_assert_eq!(rows.len() as u64, count.min(m));
            prop_assert!(rows.windows(2).all(|w| w[0] < w[1]));
            prop_assert!(rows.iter().all(|&v| v < m));
            prop_assert_eq!(rows, sample_rows(&seed(s), m, count));
        }

        /// The fast path agrees with the all-`i128` reference on every input: values drawn
        /// from the protocol's ranges and from anywhere in `i64` (which forces short blocks or
        /// the fallback), rows that satisfy the equation and rows that miss it by one.
        #[test]
        fn row_checker_agrees_with_the_reference(
            len_a in 0usize..300, len_c in 0usize..300,
            a in prop::collection::vec(any::<i8>(), 300),
            c in prop::collection::vec(any::<i32>(), 300),
            br in prop::collection::vec(prop_oneof![any::<i64>(), -(1i64 << 40)..(1i64 << 40)], 300),
            r in prop::collection::vec(prop_oneof![0i64..(1 << R_BITS), any::<i64>()], 300),
            tweak in any::<bool>(),
            unit in any::<prop::sample::Index>(),
        ) {
            let (a, br) = (&a[..len_a], &br[..len_a]);
            let (mut c, mut r) = (c[..len_c].to_vec(), r[..len_c].to_vec());
            if len_c > 0 {
                r[unit.index(len_c)] = 1;
            }
            let r = &r[..];
            let checker = RowChecker::new(br.to_vec(), r.to_vec());
            prop_assert_eq!(checker.check_bytes(&bytes_of(a), &le(&c)), check_row(a, &c, br, r));
            // Make the row satisfy the equation through the r_j = 1, then miss by 1.
            if let Some(j) = r.iter().position(|&x| x == 1) {
                let lhs = row_dot_i8(a, br);
                let rest = row_dot_i32(&c, r) - i128::from(c[j]);
                if let Ok(v) = i32::try_from(lhs - rest) {
                    c[j] = v;
                    prop_assert!(checker.check_bytes(&bytes_of(a), &le(&c)));
                    if tweak {
                        c[j] = c[j].wrapping_add(1);
                    }
                    prop_assert_eq!(checker.check_bytes(&bytes_of(a), &le(&c)), check_row(a, &c, br, r));
                }
            }
        }

        #[test]
        fn honest_rows_pass_and_a_wrong_row_fails(
            m in 1usize..9, k in 1usize..40, n in 1usize..24,
            data_seed in any::<u64>(),
            bad in any::<prop::sample::Index>(),
            col in any::<prop::sample::Index>(),
            delta in prop_oneof![Just(1i32), Just(-1i32), any::<i32>().prop_filter("nonzero", |d| *d != 0)],
        ) {
            let bytes = |s: u64, len: usize| -> Vec<i8> {
                let mut x = blake3::Hasher::new();
                x.update(&s.to_le_bytes());
                let mut out = vec![0u8; len];
                x.finalize_xof().fill(&mut out);
                out.into_iter().map(|v| v as i8).collect()
            };
            let a = bytes(data_seed, m * k);
            let b = bytes(data_seed ^ 0xdead_beef, k * n);
            let c = gemm_i8(&a, &b, m, k, n)?;
            let (bad, col) = (bad.index(m), col.index(n));
            let mut forged = c.clone();
            forged[bad * n + col] = forged[bad * n + col].wrapping_add(delta);
            let mut false_passes = 0;
            for s in 0..32u64 {
                let r = derive_r(&seed(s ^ data_seed), n);
                let br = mat_vec_b_r(&b, k, n, &r)?;
                let checker = RowChecker::new(br.clone(), r.clone());
                for i in 0..m {
                    let (a_row, c_row) = (&a[i * k..(i + 1) * k], &c[i * n..(i + 1) * n]);
                    prop_assert!(check_row(a_row, c_row, &br, &r), "honest row {} failed", i);
                    prop_assert!(checker.check_bytes(&bytes_of(a_row), &le(c_row)));
                }
                let (a_bad, c_bad) = (&a[bad * k..(bad + 1) * k], &forged[bad * n..(bad + 1) * n]);
                let passes = check_row(a_bad, c_bad, &br, &r);
                prop_assert_eq!(checker.check_bytes(&bytes_of(a_bad), &le(c_bad)), passes);
                if passes {
                    false_passes += 1;
                }
            }
            // Each seed passes the forged row with probability 2^-20; two of 32 would be a
            // ~5e-10 event, so this is not flaky.
            prop_assert!(false_passes <= 1, "forged row passed {} of 32 checks", false_passes);
        }
    }
}
