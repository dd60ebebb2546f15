//! The CUDA backend: `.cu` sources compiled at run time by NVRTC, launched through cudarc's
//! driver API, with every CUDA library loaded dynamically.
//!
//! Nothing here needs CUDA at build time. At run time, [`CudaBackend::new`] first checks that
//! `libcuda` and `libnvrtc` can be loaded (cudarc *panics* on first use of a missing library,
//! so this must come first) and returns [`KernelError::NoDevice`] when they cannot, when
//! there is no device, or when the device is older than sm_61 (`__dp4a`). As a second line of
//! defence, opening the device runs under `catch_unwind`, so a cudarc panic (for instance a
//! symbol missing from an old driver) also becomes `NoDevice`.
//!
//! Kernels:
//! - `gemm_i8_mma.cu`: the tensor-core path on sm_80+ (`k % 16 == 0`): `mma.sync` m16n8k32
//!   s8; v2 has 128×256 tiles, `ldmatrix` and a 4-stage cp.async pipeline (v1, 128×128 and
//!   two stages, stays for the profile). Takes `Bᵀ`, produced on the device by `transpose_i8`.
//! - `gemm_i8_wgmma.cu`: Hopper only (compute capability 9.0, compiled for `compute_90a`):
//!   `wgmma.mma_async` m64n256k32 s8 from 128-byte-swizzled shared memory, 128×256 tiles,
//!   4-stage cp.async. Loaded when it compiles; the fallback on Hopper when the TMA kernel
//!   does not load (about 2× the `mma.sync` kernel, measured on an H200).
//! - `gemm_i8_tma.cu` ([`tma`]): Hopper only: the same `wgmma` tiles fed by TMA boxes
//!   through mbarriers from a producer warpgroup, persistent over output tiles in bands that
//!   keep A and B in L2. The backend's GEMM on Hopper when `k % 16 == 0` (compiled on first
//!   use; 0.93–0.97× cuBLASLt at m·n ≥ 4096² and 1.4× `wgmma` on an H200). Built
//!   twice: one block per tile (`tma`) and clusters of two sharing B by TMA multicast
//!   (`tma-mc`, as fast).
//! - `gemm_i8.cu`: 128×128 shared-memory tiles, 8×8 per thread, `__dp4a` inner loop: every
//!   other shape and sm_61..sm_75.
//!
//!   Both sum exactly in int32, so both are bit-identical to [`crate::cpu::gemm_i8`].
//! - `row_digests.cu` (after `blake3_keyed.cuh`): the full keyed BLAKE3 (chunk tree
//!   included) of each row, bit-identical to [`crate::merkle::row_digests_i32`]: one thread
//!   per 1 KiB chunk, then one warp per row merging the chunks' chaining values. The Merkle
//!   tree over the digests (`m - 1` small hashes) is built on the host.
//! - The hashing TMA build ([`TmaVariant::Hashed`], ADR-007): the GEMM's idle warps hash
//!   each output tile's 128 row chunks as soon as the tile is stored, so
//!   [`Backend::gemm_and_commit`] on Hopper needs no second pass over C, only the merge
//!   (when `n % 256 == 0`; other widths take the GEMM then the two digest launches). Also compiled as plain C++ through
//!   `tests/cuda_emu/shim.h` and run on the CPU against the `blake3` crate on every machine
//!   (test `cuda_row_digest_kernels_match_blake3_on_the_cpu`), not only where a GPU is lent.
//! - [`cublaslt`]: cuBLASLt's int8 GEMM, the baseline for [`CudaBackend::profile`].
//!
//! Not yet here: pinned host buffers and overlapping transfers with compute.

pub mod cublaslt;
mod profile;
mod tma;

pub use profile::{CommitPoint, GpuProfile, TmaPoint};
pub use tma::{compile_tma, default_band_rows, TmaSchedule, TmaVariant, GEMM_TMA_SRC};

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, OnceLock};

use cudarc::driver::{
    CudaContext, CudaFunction, CudaSlice, CudaStream, DriverError, LaunchConfig, PushKernelArg,
};
use cudarc::nvrtc::{compile_ptx_with_opts, CompileOptions, Ptx};

use crate::cpu::check_gemm_shape;
use crate::{check_len, merkle, Backend, Digest, GemmCommitment, KernelError, MerkleTree};

/// CUDA C source of the `__dp4a` int8 GEMM kernel.
pub const GEMM_SRC: &str = include_str!("gemm_i8.cu");
/// CUDA C source of the tensor-core int8 GEMM kernel and the transpose it needs.
pub const GEMM_MMA_SRC: &str = include_str!("gemm_i8_mma.cu");
/// CUDA C source of the Hopper (`sm_90a`) `wgmma` int8 GEMM kernel (with the `wgmma`
/// helpers it shares with the TMA kernel).
pub const GEMM_WGMMA_SRC: &str = concat!(
    include_str!("hopper_wgmma.cuh"),
    include_str!("gemm_i8_wgmma.cu")
);
/// CUDA C source of keyed BLAKE3 as the row digests use it (prepended to the digest
/// kernels and to the hashing TMA build).
pub const BLAKE3_KEYED_SRC: &str = include_str!("blake3_keyed.cuh");
/// CUDA C source of the row-digest kernels.
pub const ROW_DIGESTS_SRC: &str = concat!(
    include_str!("blake3_keyed.cuh"),
    include_str!("row_digests.cu")
);

/// Threads per block of the GEMM kernel (`THREADS` in `gemm_i8.cu`).
const GEMM_THREADS: u32 = 256;
/// Rows and columns of C per GEMM block (`BM`, `BN` in `gemm_i8.cu`).
const GEMM_TILE: usize = 128;
/// Threads per block of the digest kernels.
const DIGEST_THREADS: u32 = 128;
/// Columns of C per BLAKE3 chunk of a row digest (1024 bytes of int32).
const CHUNK_COLS: usize = 256;
/// Rows `row_merge_cvs` merges per block, one warp each (`MERGE_WARPS`).
const MERGE_WARPS: u32 = 4;
/// Chunks per row `row_merge_cvs` can hold (`MERGE_MAX`): wider rows use the
/// one-thread-per-row kernel.
const MERGE_MAX: usize = 256;
/// Dynamic shared memory of the v2 tensor-core kernel: 4 stages × (128 + 256 rows) × 80 bytes.
const MMA_V2_SMEM: u32 = 4 * (128 + 256) * 80;
/// Columns of C per v2 tensor-core block.
const MMA_V2_BN: u32 = 256;
/// Dynamic shared memory of the `wgmma` kernel (`WG_SMEM_BYTES` in `gemm_i8_wgmma.cu`):
/// 4 stages × (128 + 256 rows) × 128 bytes, plus 1 KiB to align the stages to 1024 bytes.
const WGMMA_SMEM: u32 = 4 * (128 + 256) * 128 + 1024;
/// Rows and columns of C per `wgmma` block (`WG_BM`, `WG_BN`).
const WGMMA_BM: u32 = 128;
const WGMMA_BN: u32 = 256;
/// The NVRTC architecture of the `wgmma` kernel: `wgmma` exists only in the `a` variant.
const WGMMA_ARCH: &str = "compute_90a";
/// The tensor-core kernels copy `k` in 16-byte chunks.
const MMA_K_MULTIPLE: usize = 16;
/// CUDA's limit on `gridDim.y`.
const MAX_GRID_Y: usize = 65_535;

/// The Hopper kernels read K in 16-byte chunks (cp.async) or boxes whose global stride must be
/// a multiple of 16 bytes (TMA).
fn require_k_multiple(k: usize, op: &'static str) -> Result<(), KernelError> {
    if k.is_multiple_of(MMA_K_MULTIPLE) {
        Ok(())
    } else {
        Err(KernelError::Cuda {
            op,
            reason: format!("k = {k} is not a multiple of {MMA_K_MULTIPLE}"),
        })
    }
}

/// Whether the CUDA driver and NVRTC libraries can be loaded.
///
/// # Errors
///
/// [`KernelError::NoDevice`] naming the missing library.
pub fn check_libraries() -> Result<(), KernelError> {
    // SAFETY: `is_culib_present` only dlopens the candidate library names (running their
    // initializers, as any use of CUDA would) and drops the handles; it has no other
    // preconditions.
    if !unsafe { cudarc::driver::sys::is_culib_present() } {
        return Err(KernelError::NoDevice {
            reason: "the cuda driver library (libcuda) is not installed".into(),
        });
    }
    nvrtc_present()
}

/// Whether NVRTC can be loaded.
fn nvrtc_present() -> Result<(), KernelError> {
    // SAFETY: as in `check_libraries`.
    if unsafe { cudarc::nvrtc::sys::is_culib_present() } {
        Ok(())
    } else {
        Err(KernelError::NoDevice {
            reason: "the nvrtc library (libnvrtc) is not installed".into(),
        })
    }
}

/// The NVRTC `--gpu-architecture` for a compute capability (PTX, so the driver JIT-compiles
/// it for the exact device; newer devices get the newest virtual architecture listed).
fn arch_for(major: i32, minor: i32) -> &'static str {
    match (major, minor) {
        (6, 1) => "compute_61",
        (6, _) => "compute_62",
        (7, 0) | (7, 1) => "compute_70",
        (7, 2) => "compute_72",
        (7, _) => "compute_75",
        (8, 0) => "compute_80",
        (8, 6) => "compute_86",
        (8, 7) => "compute_87",
        (8, 9) => "compute_89",
        (8, _) => "compute_80",
        _ => "compute_90",
    }
}

/// Compiles one source to PTX.
fn compile(src: &str, name: &str, arch: &'static str) -> Result<Ptx, KernelError> {
    let opts = CompileOptions {
        arch: Some(arch),
        name: Some(name.to_owned()),
        ..Default::default()
    };
    compile_ptx_with_opts(src, opts).map_err(|e| KernelError::Compile {
        log: format!("{name}: {e}"),
    })
}

/// PTX of every kernel for one architecture.
#[derive(Debug)]
pub struct KernelPtx {
    /// `gemm_i8.cu`.
    pub gemm_dp4a: Ptx,
    /// `gemm_i8_mma.cu`, for `compute_80` and newer only.
    pub gemm_mma: Option<Ptx>,
    /// `row_digests.cu`.
    pub digests: Ptx,
}

/// Whether a `compute_XY` architecture has the int8 `mma.sync` m16n8k32 instruction.
fn has_int8_mma(arch: &str) -> bool {
    arch.strip_prefix("compute_")
        .and_then(|v| v.parse::<u32>().ok())
        .is_some_and(|v| v >= 80)
}

/// Compiles every kernel (needs only NVRTC, no device): used by [`CudaBackend::new`] and by
/// tests on machines that have NVRTC but no GPU.
///
/// # Errors
///
/// [`KernelError::NoDevice`] without NVRTC, [`KernelError::Compile`] with the log otherwise.
pub fn compile_kernels(arch: &'static str) -> Result<KernelPtx, KernelError> {
    nvrtc_present()?;
    catch_unwind(AssertUnwindSafe(|| {
        Ok(KernelPtx {
            gemm_dp4a: compile(GEMM_SRC, "gemm_i8.cu", arch)?,
            gemm_mma: if has_int8_mma(arch) {
                Some(compile(GEMM_MMA_SRC, "gemm_i8_mma.cu", arch)?)
            } else {
                None
            },
            digests: compile(ROW_DIGESTS_SRC, "row_digests.cu", arch)?,
        })
    }))
    .unwrap_or_else(|p| {
        Err(KernelError::NoDevice {
            reason: format!("nvrtc panicked: {}", panic_message(&*p)),
        })
    })
}

/// Compiles the Hopper `wgmma` kernel for [`WGMMA_ARCH`] (needs only NVRTC, no device).
///
/// # Errors
///
/// As [`compile_kernels`].
pub fn compile_wgmma() -> Result<Ptx, KernelError> {
    compile_hopper(GEMM_WGMMA_SRC, "gemm_i8_wgmma.cu")
}

fn compile_hopper(src: &str, name: &str) -> Result<Ptx, KernelError> {
    nvrtc_present()?;
    catch_unwind(AssertUnwindSafe(|| compile(src, name, WGMMA_ARCH))).unwrap_or_else(|p| {
        Err(KernelError::NoDevice {
            reason: format!("nvrtc panicked: {}", panic_message(&*p)),
        })
    })
}

fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_owned()
    }
}

fn driver_err(op: &'static str) -> impl Fn(DriverError) -> KernelError {
    move |e| KernelError::Cuda {
        op,
        reason: e.to_string(),
    }
}

/// An int8 GEMM backend on one CUDA device.
#[derive(Debug)]
pub struct CudaBackend {
    // Keeps the context alive for the module and stream (they also hold it, this is for
    // clarity and future use).
    ctx: Arc<CudaContext>,
    stream: Arc<CudaStream>,
    gemm_dp4a: CudaFunction,
    /// The tensor-core GEMM and the transpose feeding it (sm_80+).
    gemm_mma: Option<MmaKernels>,
    /// The Hopper `wgmma` GEMM (compute capability 9.0 only, when it compiled and loaded).
    gemm_wgmma: Option<CudaFunction>,
    /// The Hopper TMA GEMMs, by [`TmaVariant::index`], each compiled on first
    /// use (they are not the default, so opening a backend does not pay their NVRTC
    /// compile); the error inside once it failed.
    gemm_tma: [OnceLock<Result<tma::TmaKernel, KernelError>>; 3],
    /// Whether this device may load each TMA build (compute capability 9.0 with the `wgmma`
    /// kernel loaded, and not switched off by [`CudaBackend::without_tma`]).
    tma_allowed: [bool; 3],
    /// Whether [`Backend::gemm_and_commit`] hashes C inside the GEMM where it can
    /// ([`CudaBackend::with_fused_commit`]; off by default).
    fused_commit: bool,
    /// Which GEMM kernel the backend's [`Backend`] methods run.
    gemm_kernel: GemmKernel,
    digests_serial: CudaFunction,
    chunk_cvs: CudaFunction,
    merge_cvs: CudaFunction,
    device_name: String,
}

/// The GEMM kernel the CUDA backend runs when `k % 16 == 0` (any other `k` runs `__dp4a`).
/// Every one is exact and bit-identical to the CPU; the choice only changes speed. A knob for
/// operators (`proofwork worker --gemm-kernel`) and for measuring a kernel end to end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GemmKernel {
    /// The fastest kernel verified on hardware that the device has: `tma` on Hopper (then
    /// `wgmma` if it fails to load), `mma.sync` v2 on sm_80+, `__dp4a` otherwise.
    #[default]
    Auto,
    /// The TMA + mbarrier Hopper kernel (`gemm_i8_tma.cu`, one block per tile; 0.93–0.97×
    /// cuBLASLt at m·n ≥ 4096² on an H200, 1.05× at 8192³).
    Tma,
    /// The same in clusters of two blocks sharing B through TMA multicast (`gemm_i8_tma.cu`
    /// with `TM_CLUSTER 2`).
    TmaMulticast,
    /// `wgmma` with cp.async loads (Hopper).
    Wgmma,
    /// `mma.sync` v2 (sm_80+).
    Mma,
    /// `__dp4a` (sm_61+).
    Dp4a,
}

impl GemmKernel {
    /// The kernel's name, as parsed.
    pub fn name(self) -> &'static str {
        match self {
            Self::Auto => "auto",
            Self::Tma => "tma",
            Self::TmaMulticast => "tma-mc",
            Self::Wgmma => "wgmma",
            Self::Mma => "mma",
            Self::Dp4a => "dp4a",
        }
    }
}

impl std::str::FromStr for GemmKernel {
    type Err = KernelError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [
            Self::Auto,
            Self::Tma,
            Self::TmaMulticast,
            Self::Wgmma,
            Self::Mma,
            Self::Dp4a,
        ]
        .into_iter()
        .find(|k| k.name() == s)
        .ok_or_else(|| KernelError::UnknownGemmKernel { name: s.to_owned() })
    }
}

#[derive(Debug)]
struct MmaKernels {
    /// v2 (`gemm_i8_mma_nt_v2`): what the backend runs.
    gemm: CudaFunction,
    /// v1 (`gemm_i8_mma_nt`): kept for [`CudaBackend::profile`]'s comparison.
    gemm_v1: CudaFunction,
    transpose: CudaFunction,
}

impl CudaBackend {
    /// Opens device `ordinal`, compiles the kernels with NVRTC and loads them.
    ///
    /// # Errors
    ///
    /// [`KernelError::NoDevice`] when the libraries, the device or `__dp4a` support are
    /// missing (or cudarc panicked while trying), [`KernelError::Compile`] when NVRTC rejects
    /// the source, [`KernelError::Cuda`] for other driver failures.
    pub fn new(ordinal: usize) -> Result<Self, KernelError> {
        check_libraries()?;
        catch_unwind(AssertUnwindSafe(|| Self::open(ordinal))).unwrap_or_else(|p| {
            Err(KernelError::NoDevice {
                reason: format!(
                    "cuda panicked while opening device {ordinal}: {}",
                    panic_message(&*p)
                ),
            })
        })
    }

    fn open(ordinal: usize) -> Result<Self, KernelError> {
        let count = CudaContext::device_count().map_err(|e| KernelError::NoDevice {
            reason: format!("cannot initialise the cuda driver: {e}"),
        })?;
        if usize::try_from(count).map_or(true, |c| c <= ordinal) {
            return Err(KernelError::NoDevice {
                reason: format!("device {ordinal} requested, {count} present"),
            });
        }
        let ctx = CudaContext::new(ordinal).map_err(|e| KernelError::NoDevice {
            reason: format!("cannot open device {ordinal}: {e}"),
        })?;
        let device_name = ctx.name().map_err(driver_err("device name"))?;
        let (major, minor) = ctx
            .compute_capability()
            .map_err(driver_err("compute capability"))?;
        if (major, minor) < (6, 1) {
            return Err(KernelError::NoDevice {
                reason: format!(
                    "{device_name} has compute capability {major}.{minor}, __dp4a needs 6.1"
                ),
            });
        }
        let ptx = compile_kernels(arch_for(major, minor))?;
        let load = |ptx: Ptx, what: &'static str, names: &[&str]| {
            let module = ctx.load_module(ptx).map_err(driver_err(what))?;
            names
                .iter()
                .map(|name| module.load_function(name).map_err(driver_err(what)))
                .collect::<Result<Vec<_>, _>>()
        };
        let [gemm_dp4a]: [CudaFunction; 1] = load(ptx.gemm_dp4a, "load gemm", &["gemm_i8_dp4a"])?
            .try_into()
            .expect("one name, one function");
        let gemm_mma = match ptx.gemm_mma {
            Some(ptx) => {
                let [gemm, gemm_v1, transpose]: [CudaFunction; 3] = load(
                    ptx,
                    "load mma gemm",
                    &["gemm_i8_mma_nt_v2", "gemm_i8_mma_nt", "transpose_i8"],
                )?
                .try_into()
                .expect("three names, three functions");
                gemm.set_attribute(
                    cudarc::driver::sys::CUfunction_attribute::CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
                    MMA_V2_SMEM as i32,
                )
                .map_err(driver_err("raise mma shared memory limit"))?;
                Some(MmaKernels {
                    gemm,
                    gemm_v1,
                    transpose,
                })
            }
            None => None,
        };
        let gemm_wgmma = if (major, minor) == (9, 0) && gemm_mma.is_some() {
            // Optional: a failure here leaves the mma.sync kernels in charge.
            match Self::load_wgmma(&ctx) {
                Ok(f) => Some(f),
                Err(e) => {
                    tracing::warn!(error = %e, "wgmma gemm unavailable");
                    None
                }
            }
        } else {
            None
        };
        let [digests_serial, chunk_cvs, merge_cvs]: [CudaFunction; 3] = load(
            ptx.digests,
            "load row digests",
            &["row_digests_i32", "row_chunk_cvs", "row_merge_cvs"],
        )?
        .try_into()
        .expect("three names, three functions");
        let stream = ctx.new_stream().map_err(driver_err("create stream"))?;
        tracing::debug!(
            device = %device_name,
            tensor_cores = gemm_mma.is_some(),
            wgmma = gemm_wgmma.is_some(),
            "cuda kernels loaded"
        );
        Ok(Self {
            tma_allowed: [gemm_wgmma.is_some(); 3],
            fused_commit: false,
            ctx,
            stream,
            gemm_dp4a,
            gemm_mma,
            gemm_wgmma,
            gemm_tma: std::array::from_fn(|_| OnceLock::new()),
            gemm_kernel: GemmKernel::Auto,
            digests_serial,
            chunk_cvs,
            merge_cvs,
            device_name,
        })
    }

    /// Loads kernel `name` from `ptx` and allows it `smem` bytes of dynamic shared memory.
    fn load_with_smem(
        ctx: &Arc<CudaContext>,
        ptx: Ptx,
        name: &str,
        smem: u32,
        op: &'static str,
    ) -> Result<CudaFunction, KernelError> {
        let f = ctx
            .load_module(ptx)
            .map_err(driver_err(op))?
            .load_function(name)
            .map_err(driver_err(op))?;
        f.set_attribute(
            cudarc::driver::sys::CUfunction_attribute::CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
            smem as i32,
        )
        .map_err(driver_err(op))?;
        Ok(f)
    }

    /// Compiles and loads the `wgmma` kernel.
    fn load_wgmma(ctx: &Arc<CudaContext>) -> Result<CudaFunction, KernelError> {
        Self::load_with_smem(
            ctx,
            compile_wgmma()?,
            "gemm_i8_wgmma_nt",
            WGMMA_SMEM,
            "load wgmma gemm",
        )
    }

    /// Runs `kernel` for every GEMM with `k % 16 == 0` from now on.
    ///
    /// # Errors
    ///
    /// [`KernelError::GemmKernelUnavailable`] when this device does not have it loaded.
    pub fn with_gemm_kernel(mut self, kernel: GemmKernel) -> Result<Self, KernelError> {
        let available = match kernel {
            GemmKernel::Auto | GemmKernel::Dp4a => true,
            GemmKernel::Tma | GemmKernel::TmaMulticast => {
                TmaVariant::of(kernel).is_some_and(|v| self.has_tma(v)) && self.gemm_mma.is_some()
            }
            GemmKernel::Wgmma => self.gemm_wgmma.is_some() && self.gemm_mma.is_some(),
            GemmKernel::Mma => self.gemm_mma.is_some(),
        };
        if !available {
            return Err(KernelError::GemmKernelUnavailable {
                kernel: kernel.name(),
                device: self.device_name.clone(),
            });
        }
        self.gemm_kernel = kernel;
        Ok(self)
    }

    /// Whether [`Backend::gemm_and_commit`] may hash C inside the GEMM ([`TmaVariant::Hashed`])
    /// or always hashes it in a second pass (the reference path). The digests are the same
    /// either way. Off by default until the hashing build has passed `scripts/gpu-check.sh`
    /// on a Hopper GPU (ADR-007; `proofwork worker --fused-commit` turns it on).
    pub fn with_fused_commit(mut self, fused: bool) -> Self {
        self.fused_commit = fused;
        self
    }

    /// The GEMM kernel asked for (see [`CudaBackend::with_gemm_kernel`]).
    pub fn gemm_kernel(&self) -> GemmKernel {
        self.gemm_kernel
    }

    /// Whether the Hopper `wgmma` kernel is loaded (compute capability 9.0).
    pub fn has_wgmma(&self) -> bool {
        self.gemm_wgmma.is_some()
    }

    /// The device's name, as the driver reports it.
    pub fn device_name(&self) -> &str {
        &self.device_name
    }

    /// Whether the tensor-core kernel will be used for inner dimension `k`.
    pub fn uses_tensor_cores(&self, k: usize) -> bool {
        self.gemm_mma.is_some() && k.is_multiple_of(MMA_K_MULTIPLE)
    }

    fn upload<T: cudarc::driver::DeviceRepr>(
        &self,
        host: &[T],
        op: &'static str,
    ) -> Result<CudaSlice<T>, KernelError> {
        self.stream.clone_htod(host).map_err(driver_err(op))
    }

    fn alloc<T: cudarc::driver::DeviceRepr + cudarc::driver::ValidAsZeroBits>(
        &self,
        len: usize,
        op: &'static str,
    ) -> Result<CudaSlice<T>, KernelError> {
        self.stream.alloc_zeros::<T>(len).map_err(driver_err(op))
    }

    /// Copies a device buffer back and waits for the stream (and so for every kernel
    /// enqueued before).
    fn download<T: cudarc::driver::DeviceRepr>(
        &self,
        dev: &CudaSlice<T>,
    ) -> Result<Vec<T>, KernelError> {
        let host = self
            .stream
            .clone_dtoh(dev)
            .map_err(driver_err("copy to host"))?;
        self.stream
            .synchronize()
            .map_err(driver_err("synchronize"))?;
        Ok(host)
    }

    /// Enqueues `c = a·b` with the `__dp4a` kernel.
    fn launch_dp4a(
        &self,
        a: &CudaSlice<i8>,
        b: &CudaSlice<i8>,
        c: &mut CudaSlice<i32>,
        d: Dims,
    ) -> Result<(), KernelError> {
        let cfg = LaunchConfig {
            grid_dim: (d.m_tiles, d.n_tiles, 1),
            block_dim: (GEMM_THREADS, 1, 1),
            shared_mem_bytes: 0,
        };
        let mut launch = self.stream.launch_builder(&self.gemm_dp4a);
        launch.arg(a).arg(b).arg(c).arg(&d.m).arg(&d.k).arg(&d.n);
        // SAFETY: `gemm_i8_dp4a(const signed char*, const signed char*, int*, unsigned,
        // unsigned, unsigned)` matches these arguments in order and type. It reads
        // a[0..m·k) and b[0..k·n) and writes c[0..m·n), checking every index against m, k, n,
        // and `Dims::new` checked that those are the lengths of the three buffers.
        unsafe { launch.launch(cfg) }.map_err(driver_err("launch gemm"))?;
        Ok(())
    }

    /// Enqueues `bt = bᵀ` (`b` is `k×n`).
    fn launch_transpose(
        &self,
        mma: &MmaKernels,
        b: &CudaSlice<i8>,
        bt: &mut CudaSlice<i8>,
        d: Dims,
    ) -> Result<(), KernelError> {
        let cfg = LaunchConfig {
            grid_dim: (d.n.div_ceil(32), d.k.div_ceil(32), 1),
            block_dim: (32, 8, 1),
            shared_mem_bytes: 0,
        };
        let mut launch = self.stream.launch_builder(&mma.transpose);
        launch.arg(b).arg(bt).arg(&d.k).arg(&d.n);
        // SAFETY: `transpose_i8(const signed char*, signed char*, unsigned rows, unsigned
        // cols)` with rows = k, cols = n reads b[0..k·n) and writes bt[0..n·k), bounds-checked
        // in the kernel; both buffers hold k·n bytes (`Dims::new`).
        unsafe { launch.launch(cfg) }.map_err(driver_err("launch transpose"))?;
        Ok(())
    }

    /// Enqueues `c = a·b` with the tensor-core kernel (`v1` for the first version), from
    /// `bt = bᵀ` (`n×k`).
    fn launch_mma(
        &self,
        mma: &MmaKernels,
        a: &CudaSlice<i8>,
        bt: &CudaSlice<i8>,
        c: &mut CudaSlice<i32>,
        d: Dims,
        v1: bool,
    ) -> Result<(), KernelError> {
        debug_assert!(d.k.is_multiple_of(MMA_K_MULTIPLE as u32));
        let cfg = if v1 {
            LaunchConfig {
                grid_dim: (d.m_tiles, d.n_tiles, 1),
                block_dim: (GEMM_THREADS, 1, 1),
                shared_mem_bytes: 0,
            }
        } else {
            // n_tiles ≤ 65535 for 128-wide tiles bounds the 256-wide count too.
            LaunchConfig {
                grid_dim: (d.m_tiles, d.n.div_ceil(MMA_V2_BN), 1),
                block_dim: (GEMM_THREADS, 1, 1),
                shared_mem_bytes: MMA_V2_SMEM,
            }
        };
        let mut launch = self
            .stream
            .launch_builder(if v1 { &mma.gemm_v1 } else { &mma.gemm });
        launch.arg(a).arg(bt).arg(c).arg(&d.m).arg(&d.k).arg(&d.n);
        // SAFETY: `gemm_i8_mma_nt[_v2](const signed char*, const signed char*, int*,
        // unsigned, unsigned, unsigned)` matches these arguments. It reads a[0..m·k),
        // bt[0..n·k) in 16-byte chunks (k % 16 == 0 is checked by every caller through
        // `uses_tensor_cores`, and cudaMalloc'd buffers are 256-byte aligned), zero-filling
        // rows and chunks past the ends, and writes c[0..m·n) with bounds checks. v2's
        // dynamic shared memory (MMA_V2_SMEM) was allowed on the function at load time.
        unsafe { launch.launch(cfg) }.map_err(driver_err("launch mma gemm"))?;
        Ok(())
    }

    /// Enqueues `c = a·b` with the Hopper `wgmma` kernel, from `bt = bᵀ` (`n×k`);
    /// `k % 16 == 0`.
    fn launch_wgmma(
        &self,
        f: &CudaFunction,
        a: &CudaSlice<i8>,
        bt: &CudaSlice<i8>,
        c: &mut CudaSlice<i32>,
        d: Dims,
    ) -> Result<(), KernelError> {
        require_k_multiple(d.k as usize, "launch wgmma gemm")?;
        // n_tiles ≤ 65535 for 128-wide tiles bounds the 256-wide count too.
        let cfg = LaunchConfig {
            grid_dim: (d.m.div_ceil(WGMMA_BM), d.n.div_ceil(WGMMA_BN), 1),
            block_dim: (GEMM_THREADS, 1, 1),
            shared_mem_bytes: WGMMA_SMEM,
        };
        let mut launch = self.stream.launch_builder(f);
        launch.arg(a).arg(bt).arg(c).arg(&d.m).arg(&d.k).arg(&d.n);
        // SAFETY: `gemm_i8_wgmma_nt(const signed char*, const signed char*, int*, unsigned,
        // unsigned, unsigned)` matches these arguments. It reads a[0..m·k) and bt[0..n·k) in
        // 16-byte chunks (k % 16 == 0 checked above; cudaMalloc'd buffers are 256-byte
        // aligned), zero-filling rows and chunks past the ends, and writes c[0..m·n) with
        // bounds checks; `Dims::new` checked the buffer lengths. Its dynamic shared memory
        // (WGMMA_SMEM) was allowed on the function at load time.
        unsafe { launch.launch(cfg) }.map_err(driver_err("launch wgmma gemm"))?;
        Ok(())
    }

    /// `a·b` with the Hopper `wgmma` kernel alone (what [`Backend::gemm_i8`] uses on
    /// compute capability 9.0 when `k % 16 == 0`; this entry point fails instead of falling
    /// back, for tests and benchmarks).
    ///
    /// # Errors
    ///
    /// Shape errors as for [`Backend::gemm_i8`]; [`KernelError::Cuda`] when the kernel is not
    /// loaded (see [`CudaBackend::has_wgmma`]), `k % 16 != 0`, or the driver fails.
    pub fn gemm_i8_wgmma(
        &self,
        a: &[i8],
        b: &[i8],
        m: usize,
        k: usize,
        n: usize,
    ) -> Result<Vec<i32>, KernelError> {
        check_gemm_shape(a.len(), b.len(), m, k, n)?;
        if self.gemm_wgmma.is_none() {
            return Err(KernelError::Cuda {
                op: "wgmma gemm",
                reason: "the wgmma kernel is not loaded (needs compute capability 9.0)".into(),
            });
        }
        require_k_multiple(k, "launch wgmma gemm")?;
        self.gemm_with(GemmKernel::Wgmma, TmaSchedule::default(), a, b, m, k, n)
    }

    /// `a·b` with `kernel` (see [`CudaBackend::gemm_on_device`]).
    #[allow(clippy::too_many_arguments)]
    fn gemm_with(
        &self,
        kernel: GemmKernel,
        schedule: TmaSchedule,
        a: &[i8],
        b: &[i8],
        m: usize,
        k: usize,
        n: usize,
    ) -> Result<Vec<i32>, KernelError> {
        check_gemm_shape(a.len(), b.len(), m, k, n)?;
        if m == 0 || n == 0 || k == 0 {
            return Ok(vec![0; m * n]);
        }
        let c_dev = self.gemm_on_device(kernel, schedule, a, b, m, k, n)?;
        self.download(&c_dev)
    }

    /// Runs the GEMM with `kernel` and leaves `C` on the device. Shapes must have been
    /// checked, and `m, k, n > 0`. A kernel that is not loaded, or a `k` the tensor-core
    /// kernels cannot take, falls back as `Auto` would.
    #[allow(clippy::too_many_arguments)]
    fn gemm_on_device(
        &self,
        kernel: GemmKernel,
        schedule: TmaSchedule,
        a: &[i8],
        b: &[i8],
        m: usize,
        k: usize,
        n: usize,
    ) -> Result<CudaSlice<i32>, KernelError> {
        let d = Dims::new(m, k, n)?;
        let a_dev = self.upload(a, "copy a to device")?;
        let b_dev = self.upload(b, "copy b to device")?;
        let mut c_dev = self.alloc::<i32>(m * n, "allocate c")?;
        // Auto: fastest verified first: tma, then wgmma (Hopper), mma.sync v2 (sm_80+),
        // __dp4a. All but __dp4a need k % 16 == 0 and take Bᵀ.
        match &self.gemm_mma {
            Some(mma) if self.uses_tensor_cores(k) && kernel != GemmKernel::Dp4a => {
                let mut bt = self.alloc::<i8>(k * n, "allocate bt")?;
                self.launch_transpose(mma, &b_dev, &mut bt, d)?;
                let tma = match kernel {
                    GemmKernel::Auto => self.tma(self.auto_tma()),
                    _ => TmaVariant::of(kernel).and_then(|v| self.tma(v)),
                };
                match (kernel, tma, &self.gemm_wgmma) {
                    (_, Some(t), _) => self.launch_tma(t, &a_dev, &bt, &mut c_dev, d, schedule)?,
                    (GemmKernel::Auto | GemmKernel::Wgmma, _, Some(wgmma)) => {
                        self.launch_wgmma(wgmma, &a_dev, &bt, &mut c_dev, d)?
                    }
                    _ => self.launch_mma(mma, &a_dev, &bt, &mut c_dev, d, false)?,
                }
            }
            _ => self.launch_dp4a(&a_dev, &b_dev, &mut c_dev, d)?,
        }
        Ok(c_dev)
    }

    /// Enqueues the row digests of the `m×n` matrix `c_dev` (`m, n > 0`), with the
    /// chunk-parallel kernels (`fast`) or one thread per row.
    fn launch_digests(
        &self,
        c_dev: &CudaSlice<i32>,
        m: usize,
        n: usize,
        fast: bool,
    ) -> Result<CudaSlice<u8>, KernelError> {
        let m32 = u32::try_from(m).map_err(|_| too_large("m", m))?;
        let n32 = u32::try_from(n).map_err(|_| too_large("n", n))?;
        let chunks = n.div_ceil(CHUNK_COLS);
        if !fast || !(2..=MERGE_MAX).contains(&chunks) {
            let mut out = self.alloc::<u8>(m * 32, "allocate digests")?;
            let row_grid = LaunchConfig {
                grid_dim: (m32.div_ceil(DIGEST_THREADS), 1, 1),
                block_dim: (DIGEST_THREADS, 1, 1),
                shared_mem_bytes: 0,
            };
            let mut launch = self.stream.launch_builder(&self.digests_serial);
            launch.arg(c_dev).arg(&m32).arg(&n32).arg(&mut out);
            // SAFETY: `row_digests_i32(const int*, unsigned, unsigned, unsigned char*)`
            // matches these arguments. Thread i < m reads c[i·n .. (i+1)·n) and writes
            // out[32·i .. 32·i+32); c_dev holds m·n ints and out m·32 bytes.
            unsafe { launch.launch(row_grid) }.map_err(driver_err("launch row digests"))?;
            return Ok(out);
        }
        let chunks32 = u32::try_from(chunks).map_err(|_| too_large("n", n))?;
        let cv_threads = m
            .checked_mul(chunks)
            .ok_or(KernelError::DimensionOverflow {
                rows: m,
                cols: chunks,
            })?;
        let mut cvs = self.alloc::<u32>(cv_threads * 8, "allocate chunk cvs")?;
        let blocks = u32::try_from(cv_threads.div_ceil(DIGEST_THREADS as usize))
            .map_err(|_| too_large("m·chunks", cv_threads))?;
        let cfg = LaunchConfig {
            grid_dim: (blocks, 1, 1),
            block_dim: (DIGEST_THREADS, 1, 1),
            shared_mem_bytes: 0,
        };
        let mut launch = self.stream.launch_builder(&self.chunk_cvs);
        launch
            .arg(c_dev)
            .arg(&m32)
            .arg(&n32)
            .arg(&chunks32)
            .arg(&mut cvs);
        // SAFETY: `row_chunk_cvs(const int*, unsigned m, unsigned n, unsigned chunks,
        // unsigned*)` matches. Thread idx < m·chunks reads row idx/chunks of c (n ints) and
        // writes cvs[8·idx .. 8·idx+8); cvs holds 8·m·chunks words.
        unsafe { launch.launch(cfg) }.map_err(driver_err("launch chunk cvs"))?;
        self.launch_merge(&cvs, m, chunks)
    }

    /// Enqueues the merge of `chunks` (2..=[`MERGE_MAX`]) chaining values per row of `cvs`
    /// (`m` rows) into the row digests.
    fn launch_merge(
        &self,
        cvs: &CudaSlice<u32>,
        m: usize,
        chunks: usize,
    ) -> Result<CudaSlice<u8>, KernelError> {
        debug_assert!((2..=MERGE_MAX).contains(&chunks));
        let m32 = u32::try_from(m).map_err(|_| too_large("m", m))?;
        let chunks32 = u32::try_from(chunks).map_err(|_| too_large("chunks", chunks))?;
        let mut out = self.alloc::<u8>(m * 32, "allocate digests")?;
        let cfg = LaunchConfig {
            grid_dim: (m32.div_ceil(MERGE_WARPS), 1, 1),
            block_dim: (32 * MERGE_WARPS, 1, 1),
            shared_mem_bytes: 0,
        };
        let mut launch = self.stream.launch_builder(&self.merge_cvs);
        launch.arg(cvs).arg(&m32).arg(&chunks32).arg(&mut out);
        // SAFETY: `row_merge_cvs(const unsigned*, unsigned m, unsigned chunks, unsigned
        // char*)` matches. Warp w of block b merges row 4b + w < m: it reads cvs[8·chunks·row
        // .. 8·chunks·(row+1)) (written by an earlier launch on the same stream; cvs holds
        // 8·m·chunks words) into its static shared memory (chunks ≤ MERGE_MAX, checked by
        // every caller) and writes out[32·row .. 32·row+32); out holds 32·m bytes.
        unsafe { launch.launch(cfg) }.map_err(driver_err("launch merge cvs"))?;
        Ok(out)
    }

    /// Whether [`Backend::gemm_and_commit`] hashes an `m×k×n` job inside the GEMM: the
    /// fused commit switched on ([`CudaBackend::with_fused_commit`]) and
    /// [`CudaBackend::can_fuse_commit`].
    pub fn fuses_commit(&self, k: usize, n: usize) -> bool {
        self.fused_commit && self.can_fuse_commit(k, n)
    }

    /// Whether this device and shape can take the commitment inside the GEMM: the hashing
    /// TMA build loaded, `k % 16 == 0`, and rows of whole chunks, at least two and at most
    /// what the merge holds.
    pub fn can_fuse_commit(&self, k: usize, n: usize) -> bool {
        self.uses_tensor_cores(k)
            && n.is_multiple_of(CHUNK_COLS)
            && (2..=MERGE_MAX).contains(&(n / CHUNK_COLS))
            && matches!(self.gemm_kernel, GemmKernel::Auto | GemmKernel::Tma)
            && self.tma(TmaVariant::Hashed).is_some()
    }

    /// The GEMM with the hashing TMA build, then the merge: `C` and its row digests, both
    /// left on the device. Needs [`CudaBackend::can_fuse_commit`]; `m, k, n > 0`.
    #[allow(clippy::type_complexity)]
    fn gemm_and_digests_fused(
        &self,
        a: &[i8],
        b: &[i8],
        m: usize,
        k: usize,
        n: usize,
    ) -> Result<(CudaSlice<i32>, CudaSlice<u8>), KernelError> {
        let (Some(mma), Some(t)) = (&self.gemm_mma, self.tma(TmaVariant::Hashed)) else {
            return Err(KernelError::Cuda {
                op: "fused commit",
                reason: "the tma-hash kernel is not loaded".into(),
            });
        };
        let d = Dims::new(m, k, n)?;
        let a_dev = self.upload(a, "copy a to device")?;
        let b_dev = self.upload(b, "copy b to device")?;
        let mut bt = self.alloc::<i8>(k * n, "allocate bt")?;
        self.launch_transpose(mma, &b_dev, &mut bt, d)?;
        let mut c_dev = self.alloc::<i32>(m * n, "allocate c")?;
        let chunks = n / CHUNK_COLS;
        let mut cvs = self.alloc::<u32>(m * chunks * 8, "allocate chunk cvs")?;
        self.launch_tma_hashed(
            t,
            &a_dev,
            &bt,
            &mut c_dev,
            &mut cvs,
            d,
            TmaSchedule::default(),
        )?;
        let out = self.launch_merge(&cvs, m, chunks)?;
        Ok((c_dev, out))
    }

    /// `a·b` and its row commitment with the commitment inside the GEMM (the hashing TMA
    /// build and the merge), failing instead of falling back: for tests and the profile.
    ///
    /// # Errors
    ///
    /// Shape errors as for [`Backend::gemm_i8`]; [`KernelError::Cuda`] when this device or
    /// shape cannot take the fused path (see [`CudaBackend::can_fuse_commit`]) or the driver
    /// fails.
    pub fn gemm_and_commit_fused(
        &self,
        a: &[i8],
        b: &[i8],
        m: usize,
        k: usize,
        n: usize,
    ) -> Result<GemmCommitment, KernelError> {
        check_gemm_shape(a.len(), b.len(), m, k, n)?;
        if m == 0 || !self.can_fuse_commit(k, n) {
            return Err(KernelError::Cuda {
                op: "fused commit",
                reason: format!(
                    "{m}x{k}x{n} on {}: needs the tma-hash kernel, k % 16 == 0, m > 0 and n a \
                     multiple of {CHUNK_COLS} from {} to {}",
                    self.device_name,
                    2 * CHUNK_COLS,
                    MERGE_MAX * CHUNK_COLS
                ),
            });
        }
        let (c_dev, out) = self.gemm_and_digests_fused(a, b, m, k, n)?;
        let leaves = self.download_digests(&out)?;
        Ok(GemmCommitment {
            c: self.download(&c_dev)?,
            tree: MerkleTree::from_leaves(leaves)?,
        })
    }

    /// Hashes the rows of an `m×n` matrix already on the device (`m, n > 0`).
    fn digests_on_device(
        &self,
        c_dev: &CudaSlice<i32>,
        m: usize,
        n: usize,
    ) -> Result<Vec<Digest>, KernelError> {
        let out = self.launch_digests(c_dev, m, n, true)?;
        self.download_digests(&out)
    }

    /// Downloads `32·m` digest bytes as digests.
    fn download_digests(&self, out: &CudaSlice<u8>) -> Result<Vec<Digest>, KernelError> {
        let bytes = self.download(out)?;
        Ok(bytes
            .chunks_exact(32)
            .map(|d| {
                let mut x = [0u8; 32];
                x.copy_from_slice(d);
                x
            })
            .collect())
    }
}

/// A dimension over a kernel's `u32` argument.
fn too_large(what: &'static str, got: usize) -> KernelError {
    KernelError::TooLarge {
        what,
        got: got as u64,
        limit: u64::from(u32::MAX),
    }
}

/// Checked kernel dimensions and the GEMM grid.
#[derive(Debug, Clone, Copy)]
struct Dims {
    m: u32,
    k: u32,
    n: u32,
    m_tiles: u32,
    n_tiles: u32,
}

impl Dims {
    /// `m, k, n` as kernel arguments (`k < K_LIMIT` already checked).
    fn new(m: usize, k: usize, n: usize) -> Result<Self, KernelError> {
        let too_large = |what: &'static str, got: usize, limit: usize| KernelError::TooLarge {
            what,
            got: got as u64,
            limit: limit as u64,
        };
        let m32 = u32::try_from(m).map_err(|_| too_large("m", m, u32::MAX as usize))?;
        let n32 = u32::try_from(n).map_err(|_| too_large("n", n, u32::MAX as usize))?;
        let k32 = u32::try_from(k).map_err(|_| too_large("k", k, u32::MAX as usize))?;
        let n_tiles = n.div_ceil(GEMM_TILE);
        if n_tiles > MAX_GRID_Y {
            return Err(too_large("n", n, MAX_GRID_Y * GEMM_TILE));
        }
        Ok(Self {
            m: m32,
            k: k32,
            n: n32,
            m_tiles: m32.div_ceil(GEMM_TILE as u32),
            n_tiles: n_tiles as u32,
        })
    }
}

impl Backend for CudaBackend {
    fn name(&self) -> &'static str {
        "cuda"
    }

    fn gemm_i8(
        &self,
        a: &[i8],
        b: &[i8],
        m: usize,
        k: usize,
        n: usize,
    ) -> Result<Vec<i32>, KernelError> {
        self.gemm_with(self.gemm_kernel, TmaSchedule::default(), a, b, m, k, n)
    }

    fn row_digests(&self, c: &[i32], m: usize, n: usize) -> Result<Vec<Digest>, KernelError> {
        check_len("c", c.len(), m, n)?;
        if m == 0 || n == 0 {
            return merkle::row_digests_i32(c, m, n);
        }
        let c_dev = self
            .stream
            .clone_htod(c)
            .map_err(driver_err("copy c to device"))?;
        self.digests_on_device(&c_dev, m, n)
    }

    fn gemm_and_commit(
        &self,
        a: &[i8],
        b: &[i8],
        m: usize,
        k: usize,
        n: usize,
    ) -> Result<GemmCommitment, KernelError> {
        self.commit_with(self.fuses_commit(k, n), a, b, m, k, n)
    }
}

impl CudaBackend {
    /// [`Backend::gemm_and_commit`] with the commitment inside the GEMM (`fused`, where
    /// [`CudaBackend::can_fuse_commit`] allows it) or in a second pass over C: the same result,
    /// for measuring one against the other.
    ///
    /// # Errors
    ///
    /// As [`Backend::gemm_and_commit`].
    pub fn commit_with(
        &self,
        fused: bool,
        a: &[i8],
        b: &[i8],
        m: usize,
        k: usize,
        n: usize,
    ) -> Result<GemmCommitment, KernelError> {
        check_gemm_shape(a.len(), b.len(), m, k, n)?;
        if m == 0 || n == 0 || k == 0 {
            let c = vec![0; m * n];
            let tree = MerkleTree::from_leaves(merkle::row_digests_i32(&c, m, n)?)?;
            return Ok(GemmCommitment { c, tree });
        }
        let (c_dev, leaves) = if fused && self.can_fuse_commit(k, n) {
            let (c_dev, out) = self.gemm_and_digests_fused(a, b, m, k, n)?;
            (c_dev, self.download_digests(&out)?)
        } else {
            let c_dev =
                self.gemm_on_device(self.gemm_kernel, TmaSchedule::default(), a, b, m, k, n)?;
            let leaves = self.digests_on_device(&c_dev, m, n)?;
            (c_dev, leaves)
        };
        let c = self.download(&c_dev)?;
        Ok(GemmCommitment {
            c,
            tree: MerkleTree::from_leaves(leaves)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_without_cuda_is_a_clean_error() {
        // On a machine with a GPU this opens it; everywhere else it must be NoDevice, never a
        // panic.
        match CudaBackend::new(0) {
            Ok(dev) => eprintln!("cuda device present: {}", dev.device_name()),
            Err(KernelError::NoDevice { reason }) => {
                eprintln!("skipped: no CUDA device ({reason})")
            }
            Err(other) => panic!("unexpected error: {other}"),
        }
    }

    #[test]
    fn absurd_ordinal_is_no_device() {
        assert!(matches!(
            CudaBackend::new(1 << 20),
            Err(KernelError::NoDevice { .. })
        ));
    }

    #[test]
    fn arch_covers_dp4a_devices() {
        assert_eq!(arch_for(6, 1), "compute_61");
        assert_eq!(arch_for(8, 6), "compute_86");
        assert_eq!(arch_for(9, 0), "compute_90");
        assert_eq!(arch_for(12, 0), "compute_90");
    }

    #[test]
    fn kernels_compile_with_nvrtc_when_present() {
        // Needs only libnvrtc (e.g. the `nvidia-cuda-nvrtc-cu12` wheel on LD_LIBRARY_PATH),
        // not a GPU: catches syntax errors in the .cu files on machines without a device.
        // compute_75 is the oldest architecture NVRTC 13 still accepts.
        match compile_kernels("compute_75") {
            Ok(ptx) => {
                assert!(ptx.gemm_dp4a.to_src().contains("gemm_i8_dp4a"));
                assert!(ptx.gemm_dp4a.to_src().contains("dp4a"));
                assert!(ptx.gemm_mma.is_none(), "no int8 mma.sync before sm_80");
                let digests = ptx.digests.to_src();
                for name in ["row_digests_i32", "row_chunk_cvs", "row_merge_cvs"] {
                    assert!(digests.contains(name), "{name}");
                }
            }
            Err(KernelError::NoDevice { reason }) => eprintln!("skipped: {reason}"),
            Err(other) => panic!("{other}"),
        }
        match compile_kernels("compute_90") {
            Ok(ptx) => {
                let mma = ptx.gemm_mma.expect("sm_90 has int8 mma").to_src();
                assert!(mma.contains("mma.sync.aligned.m16n8k32.row.col.s32.s8.s8.s32"));
                assert!(mma.contains("transpose_i8"));
            }
            Err(KernelError::NoDevice { reason }) => eprintln!("skipped: {reason}"),
            Err(other) => panic!("{other}"),
        }
    }

    #[test]
    fn wgmma_kernel_compiles_for_sm90a_when_present() {
        match compile_wgmma() {
            Ok(ptx) => {
                let src = ptx.to_src();
                assert!(src.contains(".target sm_90a"), "not compiled for sm_90a");
                assert!(src.contains("gemm_i8_wgmma_nt"));
                assert!(src.contains("wgmma.mma_async.sync.aligned.m64n256k32.s32.s8.s8"));
                for op in [
                    "wgmma.fence.sync.aligned",
                    "wgmma.commit_group.sync.aligned",
                    "wgmma.wait_group.sync.aligned",
                    "fence.proxy.async.shared::cta",
                ] {
                    assert!(src.contains(op), "{op}");
                }
            }
            Err(KernelError::NoDevice { reason }) => eprintln!("skipped: {reason}"),
            Err(other) => panic!("{other}"),
        }
    }

    /// Byte offset of (row `r`, 16-byte chunk `j` of K) in a tile, as `wg_load_tile` writes
    /// it: 128-byte rows, chunk index XOR (row mod 8).
    fn wgmma_store_offset(r: u32, j: u32) -> u32 {
        r * 128 + ((j ^ (r & 7)) << 4)
    }

    /// The shared-memory address the tensor core reads for (row `r`, chunk `j`) of one wgmma
    /// operand, per the PTX ISA's K-major 128-byte-swizzle canonical layout: rows of 128 bytes
    /// within an 8-row group, groups `SBO` apart, then address bits [4,7) XOR bits [7,10).
    fn wgmma_hw_address(desc: u64, r: u32, j: u32) -> u32 {
        let start = ((desc & 0x3FFF) << 4) as u32;
        let sbo = (((desc >> 32) & 0x3FFF) << 4) as u32;
        assert_eq!(desc >> 62, 1, "128-byte swizzle");
        assert_eq!((desc >> 49) & 7, 0, "base offset");
        let linear = start + (r / 8) * sbo + (r % 8) * 128 + j * 16;
        linear ^ (((linear >> 7) & 7) << 4)
    }

    #[test]
    fn wgmma_descriptors_address_the_swizzled_tiles() {
        // Must match WG_DESC_HI in hopper_wgmma.cuh.
        let hi: u64 = (1 << 16) | (64 << 32) | (1 << 62);
        assert!(GEMM_WGMMA_SRC
            .contains("#define WG_DESC_HI ((1ull << 16) | (64ull << 32) | (1ull << 62))"));
        let desc = |addr: u32| hi | u64::from((addr & 0x3FFFF) >> 4);
        assert_eq!(WGMMA_SMEM, 197_632);
        let stage_bytes = (WGMMA_BM + WGMMA_BN) * 128;
        // Some 1024-aligned dynamic base, every stage, both warpgroups' A and the B tile, all
        // four k32 steps: row r, chunk j of the instruction's K slice must be the bytes the
        // loader stored for (row, K chunk 2·kk + j).
        for base in [0u32, 1024, 3072] {
            for stage in 0..4 {
                let st = base + stage * stage_bytes;
                let operands = [(st, 64u32), (st + 64 * 128, 64), (st + WGMMA_BM * 128, 256)];
                for (tile, rows) in operands {
                    assert_eq!(tile % 1024, 0);
                    for kk in 0..4u32 {
                        let d = desc(tile) + 2 * u64::from(kk);
                        for r in 0..rows {
                            for j in 0..2 {
                                assert_eq!(
                                    wgmma_hw_address(d, r, j),
                                    tile + wgmma_store_offset(r, 2 * kk + j),
                                    "stage {stage} rows {rows} kk {kk} r {r} j {j}"
                                );
                            }
                        }
                    }
                }
            }
        }
        // Four stages fit after aligning a dynamic base that is only 16-byte aligned.
        assert!(1008 + 4 * stage_bytes <= WGMMA_SMEM);
        // The loader's 16-byte chunks of one row are a permutation of the row's 8 slots.
        for r in 0..8 {
            let mut seen: Vec<u32> = (0..8).map(|j| wgmma_store_offset(r, j)).collect();
            seen.sort_unstable();
            assert_eq!(seen, (0..8).map(|j| r * 128 + 16 * j).collect::<Vec<_>>());
        }
    }

    /// `len` pseudo-random bytes from `seed` (BLAKE3 XOF).
    pub(super) fn random_i8(seed: u64, len: usize) -> Vec<i8> {
        let mut h = blake3::Hasher::new();
        h.update(&seed.to_le_bytes());
        let mut out = vec![0u8; len];
        h.finalize_xof().fill(&mut out);
        out.into_iter().map(|v| v as i8).collect()
    }

    /// Compares `gemm` with the CPU reference on random inputs of each shape.
    pub(super) fn matches_cpu(
        shapes: &[(usize, usize, usize)],
        gemm: impl Fn(&[i8], &[i8], usize, usize, usize) -> Result<Vec<i32>, KernelError>,
    ) {
        let bytes = |seed: u8, len: usize| -> Vec<i8> {
            let mut h = blake3::Hasher::new();
            h.update(&[seed]);
            let mut out = vec![0u8; len];
            h.finalize_xof().fill(&mut out);
            out.into_iter().map(|v| v as i8).collect()
        };
        for &(m, k, n) in shapes {
            let a = bytes(1, m * k);
            let b = bytes(2, k * n);
            let got = gemm(&a, &b, m, k, n).expect("gpu gemm");
            let want = crate::cpu::gemm_i8(&a, &b, m, k, n).expect("cpu gemm");
            if let Some(i) = (0..m * n).find(|&i| got[i] != want[i]) {
                panic!(
                    "{m}x{k}x{n}: first mismatch at ({}, {}): got {}, want {}",
                    i / n,
                    i % n,
                    got[i],
                    want[i]
                );
            }
        }
    }

    /// Partial tiles in m and n, k not a multiple of the 128-byte stage, odd n, one tile,
    /// several stages, and the 4-stage ring wrapping around.
    pub(super) const HOPPER_SHAPES: [(usize, usize, usize); 7] = [
        (1, 16, 1),
        (128, 128, 256),
        (129, 48, 257),
        (300, 272, 520),
        (64, 1040, 999),
        (257, 2048, 384),
        (128, 4096, 256),
    ];

    #[test]
    fn wgmma_matches_cpu_when_present() {
        let dev = match CudaBackend::new(0) {
            Ok(dev) if dev.has_wgmma() => dev,
            Ok(dev) => return eprintln!("skipped: {} has no wgmma kernel", dev.device_name()),
            Err(e) => return eprintln!("skipped: {e}"),
        };
        matches_cpu(&HOPPER_SHAPES, |a, b, m, k, n| {
            dev.gemm_i8_wgmma(a, b, m, k, n)
        });
    }

    /// The backend's own GEMM under each kernel choice the device has (the TMA builds are
    /// covered, in isolation, by `tma_matches_cpu_when_present` and
    /// `tma_mc_matches_cpu_when_present`).
    #[test]
    fn gemm_kernel_choices_match_cpu_when_present() {
        for kernel in [
            GemmKernel::Auto,
            GemmKernel::Wgmma,
            GemmKernel::Mma,
            GemmKernel::Dp4a,
        ] {
            let dev = match CudaBackend::new(0).map(|d| d.with_gemm_kernel(kernel)) {
                Ok(Ok(dev)) => dev,
                Ok(Err(e)) => {
                    eprintln!("skipped {}: {e}", kernel.name());
                    continue;
                }
                Err(e) => return eprintln!("skipped: {e}"),
            };
            assert_eq!(dev.gemm_kernel(), kernel);
            matches_cpu(&HOPPER_SHAPES, |a, b, m, k, n| dev.gemm_i8(a, b, m, k, n));
        }
    }

    #[test]
    fn blake3_key_words_match_c_row_key() {
        for (i, word) in merkle::C_ROW_KEY.chunks_exact(4).enumerate() {
            let want = u32::from_le_bytes(word.try_into().expect("4 bytes"));
            let line = format!("#define B3_KEY{i} 0x{want:08X}u");
            assert!(BLAKE3_KEYED_SRC.contains(&line), "missing {line}");
        }
    }

    #[test]
    fn int8_mma_needs_sm80() {
        assert!(!has_int8_mma("compute_75"));
        assert!(has_int8_mma("compute_80"));
        assert!(has_int8_mma("compute_90"));
        assert!(!has_int8_mma("sm_90"));
    }

    #[test]
    fn bad_source_is_a_compile_error_with_log() {
        if nvrtc_present().is_err() {
            eprintln!("skipped: no nvrtc");
            return;
        }
        match compile(
            "extern \"C\" __global__ void f() { undeclared(); }",
            "bad.cu",
            "compute_75",
        ) {
            Err(KernelError::Compile { log }) => assert!(log.contains("undeclared"), "{log}"),
            other => panic!("expected a compile error, got {other:?}"),
        }
    }
}
