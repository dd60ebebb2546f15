//! proofwork compute kernels: int8 matrix products as *useful, checkable work*.
//!
//! # Model
//!
//! A job is `C = A·B` with `A` an `M×K` and `B` a `K×N` matrix of `i8`, and `C` an `M×N`
//! matrix of `i32`, all row-major. Workers compute `C` on whatever hardware they have (the
//! [`cuda`] backend, or the [`cpu`] reference); validators never recompute it: they check a
//! few sampled rows with [`freivalds`] on the CPU.
//!
//! **Exactness bound.** `K` must be below [`cpu::K_LIMIT`] = 131072 = 2^17. Every product
//! `a·b` of two `i8` lies in `[-128·127, 128·128] = [-16256, 16384]`, so a sum of at most
//! `131071` of them lies in `[-2_130_690_176, 2_147_467_264]`, inside
//! `[-2^31, 2^31-1] = [-2_147_483_648, 2_147_483_647]`. Hence every element of `C` is the
//! exact mathematical value, whatever the summation order or hardware: a GPU (`__dp4a`,
//! tensor cores) and the CPU reference give bit-identical results. No floats appear anywhere.
//!
//! **Commitment.** The worker commits to `C` with a BLAKE3 Merkle root over its rows
//! ([`merkle`]): each leaf hashes every byte of one row, so the root binds every output
//! value (a linear fold such as `Σ C_ij` would not: many different `C` share it). Leaves,
//! inner nodes and the root carry distinct domain tags, and the root also commits to the
//! leaf count, so a proof for one tree shape cannot be replayed against another.
//!
//! **Spot check.** After the commitment, a beacon seed picks `k` rows ([`freivalds::sample_rows`])
//! and a vector `r` ([`freivalds::derive_r`]). For each sampled row `i` the worker reveals
//! `A_i`, `C_i` and their Merkle proofs, and every validator checks
//! `A_i·(B·r) == C_i·r` in exact integer arithmetic ([`freivalds::check_row`]). `r` is
//! shared by every job on the same model `B` in a block, so `B·r` (`K·N` multiply-adds) is
//! computed once per model per block, after which each sampled row costs only `K + N`
//! multiply-adds (plus hashing the revealed rows). At `M = K = N = 4096` and `k = 96` that
//! is about `1.7e7 + 96·8192 ≈ 1.8e7` multiply-adds against `6.9e10` for the product
//! (~1/4000); in time, hashing and the memory-bound `B·r` make it ~1/300 with `B·r` and
//! ~1/700 without (2-core benches: ~5 ms and ~2.2 ms against ~1.6 s for the CPU GEMM).
//! A wrong row passes one check with probability at most `2^-20` (see [`freivalds`]).
//!
//! # Backends
//!
//! [`Backend`] abstracts the worker side: [`CpuBackend`] is always available; the CUDA
//! backend compiles its `.cu` sources at run time with NVRTC and loads the CUDA libraries
//! dynamically, so this crate builds and runs where no CUDA is installed, and
//! [`detect_backend`] falls back to the CPU with a clean [`KernelError::NoDevice`].

use std::str::FromStr;

pub mod cpu;
pub mod cuda;
pub mod data;
pub mod freivalds;
pub mod merkle;

pub use cpu::CpuBackend;
pub use cuda::{default_band_rows, CudaBackend, GemmKernel, TmaSchedule, TmaVariant};
pub use data::{random_i8, Xorshift64};
pub use merkle::{verify_proof, MerkleProof, MerkleTree};

/// A 32-byte BLAKE3 digest.
pub type Digest = [u8; 32];

/// Errors of the kernels crate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KernelError {
    /// The inner dimension is too large for the `i32` result to be exact.
    #[error("inner dimension k = {k} breaks the exactness bound (k must be < {limit})")]
    KTooLarge {
        /// The requested inner dimension.
        k: usize,
        /// The exclusive upper bound, [`cpu::K_LIMIT`].
        limit: usize,
    },
    /// A buffer does not have the length its dimensions imply.
    #[error("{what} has {got} elements, expected {expected}")]
    ShapeMismatch {
        /// Which buffer.
        what: &'static str,
        /// The length implied by the dimensions.
        expected: usize,
        /// The actual length.
        got: usize,
    },
    /// The product of the dimensions does not fit in `usize`.
    #[error("matrix dimensions {rows}x{cols} overflow usize")]
    DimensionOverflow {
        /// Rows.
        rows: usize,
        /// Columns.
        cols: usize,
    },
    /// A dimension exceeds a documented limit other than the exactness bound.
    #[error("{what} = {got} exceeds the limit {limit}")]
    TooLarge {
        /// Which dimension.
        what: &'static str,
        /// The value given.
        got: u64,
        /// The inclusive limit.
        limit: u64,
    },
    /// A Merkle tree needs at least one leaf.
    #[error("a merkle tree needs at least one leaf")]
    EmptyTree,
    /// A leaf index is not below the leaf count.
    #[error("leaf index {index} is out of range for {leaf_count} leaves")]
    IndexOutOfRange {
        /// The index asked for.
        index: u64,
        /// The number of leaves.
        leaf_count: u64,
    },
    /// A Merkle proof has the wrong number of siblings for its index and leaf count.
    #[error("merkle proof has {got} siblings, expected {expected}")]
    ProofLength {
        /// Siblings implied by index and leaf count.
        expected: usize,
        /// Siblings present.
        got: usize,
    },
    /// A Merkle proof is well formed but does not lead to the expected root.
    #[error("merkle proof does not reproduce the root")]
    RootMismatch,
    /// A Freivalds vector entry lies outside `[0, 2^R_BITS)`.
    #[error("freivalds vector entry {index} = {value} is outside [0, 2^{bits})")]
    ROutOfRange {
        /// Position in `r`.
        index: usize,
        /// The offending value.
        value: i64,
        /// [`freivalds::R_BITS`].
        bits: u32,
    },
    /// No usable accelerator (no driver, no NVRTC, no device, or a device too old).
    #[error("no cuda device: {reason}")]
    NoDevice {
        /// Why the device could not be used.
        reason: String,
    },
    /// NVRTC rejected the kernel source.
    #[error("nvrtc compilation failed: {log}")]
    Compile {
        /// The compiler log.
        log: String,
    },
    /// A CUDA driver call failed.
    #[error("cuda {op} failed: {reason}")]
    Cuda {
        /// The operation that failed.
        op: &'static str,
        /// The driver's message.
        reason: String,
    },
    /// An unknown backend name was given.
    #[error("unknown backend {name:?} (expected auto, cpu or cuda)")]
    UnknownBackend {
        /// The name given.
        name: String,
    },
    /// An unknown CUDA GEMM kernel name was given.
    #[error("unknown gemm kernel {name:?} (expected auto, tma, tma-mc, wgmma, mma or dp4a)")]
    UnknownGemmKernel {
        /// The name given.
        name: String,
    },
    /// The CUDA GEMM kernel asked for is not loaded on this device.
    #[error("gemm kernel {kernel} is not available on {device}")]
    GemmKernelUnavailable {
        /// The kernel asked for.
        kernel: &'static str,
        /// The device.
        device: String,
    },
}

/// The result of [`Backend::gemm_and_commit`]: the product and the Merkle tree over its rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GemmCommitment {
    /// `C = A·B`, row-major `M×N`.
    pub c: Vec<i32>,
    /// The Merkle tree over the row digests of `C`; its [`MerkleTree::root`] is the commitment.
    pub tree: MerkleTree,
}

impl GemmCommitment {
    /// The commitment to post on chain.
    pub fn root(&self) -> Digest {
        self.tree.root()
    }
}

/// A device that computes int8 GEMMs and commits to their output.
///
/// # Invariants
///
/// Every implementation returns results bit-identical to the CPU reference ([`cpu::gemm_i8`],
/// [`merkle::row_digests_i32`]) for every input, and the same error for the same invalid input
/// (shape errors are checked on the host before any device work).
pub trait Backend: Send + Sync {
    /// A short name for logs and metrics (`"cpu"`, `"cuda"`).
    fn name(&self) -> &'static str;

    /// `C = A·B` for row-major `A` (`m×k`) and `B` (`k×n`).
    ///
    /// # Errors
    ///
    /// [`KernelError::KTooLarge`] when `k ≥ K_LIMIT`, [`KernelError::ShapeMismatch`] or
    /// [`KernelError::DimensionOverflow`] for buffers that do not match the dimensions, and
    /// device errors for accelerated backends.
    fn gemm_i8(
        &self,
        a: &[i8],
        b: &[i8],
        m: usize,
        k: usize,
        n: usize,
    ) -> Result<Vec<i32>, KernelError>;

    /// The Merkle leaf digests ([`merkle::leaf_hash_i32`]) of the `m` rows of `c` (`m×n`).
    ///
    /// # Errors
    ///
    /// [`KernelError::ShapeMismatch`] when `c.len() != m·n`, device errors otherwise.
    fn row_digests(&self, c: &[i32], m: usize, n: usize) -> Result<Vec<Digest>, KernelError>;

    /// Computes `C = A·B` and the Merkle tree over its rows in one call, so that a device
    /// backend can hash `C` where it already is.
    ///
    /// # Errors
    ///
    /// As [`Backend::gemm_i8`], plus [`KernelError::EmptyTree`] when `m == 0`.
    fn gemm_and_commit(
        &self,
        a: &[i8],
        b: &[i8],
        m: usize,
        k: usize,
        n: usize,
    ) -> Result<GemmCommitment, KernelError> {
        let c = self.gemm_i8(a, b, m, k, n)?;
        let tree = MerkleTree::from_leaves(self.row_digests(&c, m, n)?)?;
        Ok(GemmCommitment { c, tree })
    }
}

/// Which backend [`detect_backend`] should return.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BackendChoice {
    /// CUDA when a device opens, otherwise the CPU.
    #[default]
    Auto,
    /// Always the CPU reference.
    Cpu,
    /// CUDA device 0, or an error.
    Cuda,
}

impl FromStr for BackendChoice {
    type Err = KernelError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "auto" => Ok(Self::Auto),
            "cpu" => Ok(Self::Cpu),
            "cuda" => Ok(Self::Cuda),
            other => Err(KernelError::UnknownBackend {
                name: other.to_owned(),
            }),
        }
    }
}

/// Opens the backend asked for.
///
/// `Auto` tries CUDA device 0 and falls back to the CPU; the choice (and the reason for a
/// fallback) is logged at `info`.
///
/// # Errors
///
/// Only for [`BackendChoice::Cuda`]: [`KernelError::NoDevice`] when there is no usable
/// device, or the NVRTC/driver error that stopped it from opening.
pub fn detect_backend(pref: BackendChoice) -> Result<Box<dyn Backend>, KernelError> {
    detect_backend_with(pref, GemmKernel::Auto)
}

/// [`detect_backend`], with the CUDA backend running `gemm` (see [`GemmKernel`]; the CPU
/// backend has one GEMM and ignores it).
///
/// # Errors
///
/// As [`detect_backend`], and [`KernelError::GemmKernelUnavailable`] when CUDA opens but
/// lacks the kernel asked for.
pub fn detect_backend_with(
    pref: BackendChoice,
    gemm: GemmKernel,
) -> Result<Box<dyn Backend>, KernelError> {
    detect_backend_opts(pref, gemm, false)
}

/// [`detect_backend_with`], and on CUDA the commitment inside the GEMM where the device and
/// job allow it (`fused_commit`, [`CudaBackend::with_fused_commit`]).
///
/// # Errors
///
/// As [`detect_backend_with`].
pub fn detect_backend_opts(
    pref: BackendChoice,
    gemm: GemmKernel,
    fused_commit: bool,
) -> Result<Box<dyn Backend>, KernelError> {
    let cuda = |dev: CudaBackend| -> Result<Box<dyn Backend>, KernelError> {
        let dev = dev.with_gemm_kernel(gemm)?.with_fused_commit(fused_commit);
        tracing::info!(
            backend = "cuda",
            device = dev.device_name(),
            gemm = gemm.name(),
            fused_commit,
            "using the cuda backend"
        );
        Ok(Box::new(dev))
    };
    match pref {
        BackendChoice::Cpu => {
            tracing::info!(
                backend = "cpu",
                "using the cpu reference backend (asked for)"
            );
            Ok(Box::new(CpuBackend::new()))
        }
        BackendChoice::Cuda => cuda(CudaBackend::new(0)?),
        BackendChoice::Auto => match CudaBackend::new(0) {
            Ok(dev) => cuda(dev),
            Err(err) => {
                tracing::info!(backend = "cpu", reason = %err, "cuda unavailable, using the cpu backend");
                Ok(Box::new(CpuBackend::new()))
            }
        },
    }
}

/// `rows·cols`, or [`KernelError::DimensionOverflow`].
pub(crate) fn checked_len(rows: usize, cols: usize) -> Result<usize, KernelError> {
    rows.checked_mul(cols)
        .ok_or(KernelError::DimensionOverflow { rows, cols })
}

/// Checks a buffer length against its dimensions.
pub(crate) fn check_len(
    what: &'static str,
    got: usize,
    rows: usize,
    cols: usize,
) -> Result<(), KernelError> {
    let expected = checked_len(rows, cols)?;
    if got == expected {
        Ok(())
    } else {
        Err(KernelError::ShapeMismatch {
            what,
            expected,
            got,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_choice_parses_known_names() {
        assert_eq!("tma".parse::<GemmKernel>(), Ok(GemmKernel::Tma));
        assert_eq!("tma-mc".parse::<GemmKernel>(), Ok(GemmKernel::TmaMulticast));
        assert_eq!("auto".parse::<GemmKernel>(), Ok(GemmKernel::Auto));
        assert_eq!(
            "wmma".parse::<GemmKernel>(),
            Err(KernelError::UnknownGemmKernel {
                name: "wmma".into()
            })
        );
        assert_eq!("auto".parse::<BackendChoice>(), Ok(BackendChoice::Auto));
        assert_eq!("cpu".parse::<BackendChoice>(), Ok(BackendChoice::Cpu));
        assert_eq!("cuda".parse::<BackendChoice>(), Ok(BackendChoice::Cuda));
    }

    #[test]
    fn backend_choice_rejects_unknown_name() {
        assert_eq!(
            "tpu".parse::<BackendChoice>(),
            Err(KernelError::UnknownBackend { name: "tpu".into() })
        );
    }

    #[test]
    fn detect_cpu_backend_always_works() {
        let b = detect_backend(BackendChoice::Cpu).expect("cpu backend");
        assert_eq!(b.name(), "cpu");
    }

    #[test]
    fn detect_auto_backend_always_works() {
        // Falls back to the CPU on machines without CUDA; opens the GPU where there is one.
        let b = detect_backend(BackendChoice::Auto).expect("auto backend");
        assert!(b.name() == "cpu" || b.name() == "cuda");
    }

    #[test]
    fn checked_len_reports_overflow() {
        assert_eq!(
            checked_len(usize::MAX, 2),
            Err(KernelError::DimensionOverflow {
                rows: usize::MAX,
                cols: 2
            })
        );
    }

    #[test]
    fn error_messages_are_lowercase_without_period() {
        let errs = [
            KernelError::KTooLarge { k: 1, limit: 2 },
            KernelError::EmptyTree,
            KernelError::RootMismatch,
            KernelError::NoDevice { reason: "x".into() },
        ];
        for e in errs {
            let s = e.to_string();
            assert!(s.chars().next().is_some_and(|c| c.is_lowercase()), "{s}");
            assert!(!s.ends_with('.'), "{s}");
        }
    }
}
