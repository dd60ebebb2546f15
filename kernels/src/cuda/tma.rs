//! The Hopper TMA kernels (`gemm_i8_tma.cu`): two builds of one source, compiled and loaded
//! on first use, their tensor maps, tile schedule and persistent launch.
//!
//! [`TmaVariant::Solo`] is the backend's GEMM on Hopper ([`GemmKernel::Auto`]); both builds
//! are also explicit entry points ([`CudaBackend::gemm_i8_tma`]), kernel choices
//! ([`GemmKernel::Tma`], [`GemmKernel::TmaMulticast`]) and columns of the profile.

use std::sync::Arc;

use cudarc::driver::{CudaContext, CudaFunction, CudaSlice, LaunchConfig, PushKernelArg};
use cudarc::nvrtc::Ptx;

use super::{
    compile_hopper, driver_err, require_k_multiple, CudaBackend, Dims, GemmKernel,
    BLAKE3_KEYED_SRC, CHUNK_COLS, WGMMA_BM, WGMMA_BN,
};
use crate::cpu::check_gemm_shape;
use crate::KernelError;

/// CUDA C source of the Hopper (`sm_90a`) warp-specialised TMA + `wgmma` int8 GEMM kernel
/// (the [`TmaVariant::Solo`] build; [`TmaVariant::source`] gives each).
pub const GEMM_TMA_SRC: &str = concat!(
    include_str!("hopper_wgmma.cuh"),
    include_str!("hopper_tma.cuh"),
    include_str!("gemm_i8_tma.cu")
);

/// The build [`GemmKernel::Auto`] runs on Hopper: on an H200 `tma` and `tma-mc` are within
/// ±2 % of each other (BENCHMARKS.md); `tma` needs no cluster scheduling and is faster on
/// small shapes.
const AUTO_TMA: TmaVariant = TmaVariant::Solo;

/// Threads per block (`TM_THREADS`): a producer and two consumer warpgroups.
const TMA_THREADS: u32 = 384;
/// Bytes of K per TMA box (`TM_BK`; the 128-byte swizzle's row).
const TMA_BOX_K: u32 = 128;

/// The builds of `gemm_i8_tma.cu` (`TM_CLUSTER`, `TM_HASH`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TmaVariant {
    /// Every block loads its own A and B boxes (`tma`).
    Solo,
    /// Clusters of two blocks on vertically adjacent tiles; each loads its A box and half
    /// of the shared B box, multicast into both (`tma-mc`).
    Multicast,
    /// `tma` whose idle warps also hash every stored tile's row chunks (`tma-hash`, the
    /// commitment inside the GEMM; ADR-007). Not a GEMM choice of its own: what
    /// [`crate::Backend::gemm_and_commit`] runs on Hopper where it can.
    Hashed,
}

/// Registers per thread of the hashing build's producer and consumer warpgroups after
/// `setmaxnreg` (128·producer + 256·consumer ≤ 65,536). ptxas 12.9 spills in the hashing
/// warps at 64 (with 224 for the consumers) and spills nothing at 80 / 216.
const HASH_REGS: (u32, u32) = (80, 216);

impl TmaVariant {
    /// The GEMM builds (C only), in the order of [`TmaVariant::index`].
    pub const ALL: [Self; 2] = [Self::Solo, Self::Multicast];
    /// Every build, in the order of [`TmaVariant::index`].
    pub const EVERY: [Self; 3] = [Self::Solo, Self::Multicast, Self::Hashed];

    /// Blocks per cluster (`TM_CLUSTER`).
    pub fn cluster(self) -> u32 {
        match self {
            Self::Solo | Self::Hashed => 1,
            Self::Multicast => 2,
        }
    }

    /// The build's name (the kernel choice's, for the GEMM builds).
    pub fn name(self) -> &'static str {
        match self {
            Self::Solo => "tma",
            Self::Multicast => "tma-mc",
            Self::Hashed => "tma-hash",
        }
    }

    /// Dynamic shared memory (`TM_SMEM_BYTES`): 4 stages of (A + B) boxes, the epilogue's
    /// four 64×32 int32 staging buffers, 1 KiB of alignment slack and 1 KiB for the mbarriers.
    fn smem(self) -> u32 {
        4 * (WGMMA_BM + WGMMA_BN) * TMA_BOX_K + 4 * 64 * 32 * 4 + 2048
    }

    pub(super) fn index(self) -> usize {
        match self {
            Self::Solo => 0,
            Self::Multicast => 1,
            Self::Hashed => 2,
        }
    }

    /// The kernel choice that runs this build's GEMM (`tma` for the hashing build).
    pub fn kernel(self) -> GemmKernel {
        match self {
            Self::Solo | Self::Hashed => GemmKernel::Tma,
            Self::Multicast => GemmKernel::TmaMulticast,
        }
    }

    /// The build a kernel choice names, if it names one.
    pub fn of(kernel: GemmKernel) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.kernel() == kernel)
    }

    /// The CUDA C source of this build.
    pub fn source(self) -> String {
        match self {
            Self::Hashed => format!(
                "#define TM_CLUSTER 1\n#define TM_HASH 1\n#define TM_HASH_PRODUCER_REGS \"{}\"\n\
                 #define TM_HASH_CONSUMER_REGS \"{}\"\n{BLAKE3_KEYED_SRC}{GEMM_TMA_SRC}",
                HASH_REGS.0, HASH_REGS.1
            ),
            _ => format!("#define TM_CLUSTER {}\n{GEMM_TMA_SRC}", self.cluster()),
        }
    }
}

/// Rows of tiles per band when the schedule does not say, for `blocks` resident blocks: the
/// band's A panels (128 rows each) and the column tiles in flight (256 rows of Bᵀ each) then
/// move about the same bytes: `b·128 = (blocks / b)·256`, so `b = √(2·blocks)`, rounded up to
/// a power of two (16 on an H100/H200's 132 SMs; bands of 4–32 rows measured within ±1 %).
pub fn default_band_rows(blocks: u32) -> u32 {
    let rows = (2 * u64::from(blocks.max(1))).isqrt().next_power_of_two();
    u32::try_from(rows).unwrap_or(u32::MAX)
}

/// How a TMA build's persistent grid walks the output tiles (`tm_tile_coords` in
/// `gemm_i8_tma.cu`). The default is what the backend runs; the profile sweeps others.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TmaSchedule {
    /// Rows of output tiles per band: the blocks walk a band M-fastest, then N, then the
    /// next band, so A's panels in flight stay in L2 however tall A is. `Some(0)`: one band
    /// (plain M-fastest order); `None`: [`default_band_rows`].
    pub band_rows: Option<u32>,
    /// Blocks of the persistent grid (rounded down to whole clusters, at least one); `None`:
    /// as many as are resident at once.
    pub blocks: Option<u32>,
    /// Store C from the consumers' registers even where the kernel could stage it through
    /// shared memory and the TMA unit (`n % 4 == 0`), which lets the consumers start the
    /// next tile while the stores drain (5–6 % faster on an H200).
    pub direct_store: bool,
}

/// Element types of the tensor maps: int8 operands, int32 results.
#[derive(Debug, Clone, Copy)]
enum Elem {
    I8,
    I32,
}

/// A loaded build and the number of blocks its persistent grid launches (as many as can be
/// resident at once: one per SM, in whole clusters).
#[derive(Debug)]
pub(super) struct TmaKernel {
    f: CudaFunction,
    blocks: u32,
    variant: TmaVariant,
}

/// A `CUtensorMap`, passed by value as the TMA kernel's `TmaDesc` parameters.
#[repr(C, align(64))]
#[derive(Debug, Clone, Copy)]
struct TmaDesc([u64; 16]);

// SAFETY: plain bytes of the same size (128) and alignment (64) as `TmaDesc` in
// gemm_i8_tma.cu, which the kernel receives by value.
unsafe impl cudarc::driver::DeviceRepr for TmaDesc {}

/// Compiles one build of the Hopper TMA kernel for `compute_90a` (needs only NVRTC, no
/// device).
///
/// # Errors
///
/// As [`super::compile_kernels`].
pub fn compile_tma(variant: TmaVariant) -> Result<Ptx, KernelError> {
    compile_hopper(&variant.source(), "gemm_i8_tma.cu")
}

impl CudaBackend {
    /// Compiles and loads one build and sizes its persistent grid.
    fn load_tma(
        ctx: &Arc<CudaContext>,
        stream: &cudarc::driver::CudaStream,
        variant: TmaVariant,
    ) -> Result<TmaKernel, KernelError> {
        let f = Self::load_with_smem(
            ctx,
            compile_tma(variant)?,
            "gemm_i8_tma_nt",
            variant.smem(),
            "load tma gemm",
        )?;
        let sms = ctx
            .attribute(
                cudarc::driver::sys::CUdevice_attribute::CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT,
            )
            .map_err(driver_err("multiprocessor count"))?;
        let sms = u32::try_from(sms.max(1)).unwrap_or(1);
        let cluster = variant.cluster();
        // Clusters must fit in one GPC, so fewer than SMs / cluster may be resident at once;
        // a persistent grid larger than that would run its last clusters as a second wave.
        let clusters = if cluster > 1 {
            ctx.bind_to_thread().map_err(driver_err("bind context"))?;
            let cfg = LaunchConfig {
                grid_dim: (cluster * (sms / cluster).max(1), 1, 1),
                block_dim: (TMA_THREADS, 1, 1),
                shared_mem_bytes: variant.smem(),
            };
            f.occupancy_max_active_clusters(cfg, stream)
                .map_err(driver_err("max active clusters"))?
        } else {
            sms
        };
        tracing::debug!(?variant, sms, clusters, "tma gemm loaded");
        Ok(TmaKernel {
            f,
            blocks: cluster * clusters.max(1),
            variant,
        })
    }

    /// A TMA build, compiled and loaded on the first call where the device allows it.
    pub(super) fn tma(&self, variant: TmaVariant) -> Option<&TmaKernel> {
        self.tma_loaded(variant)?.as_ref().ok()
    }

    /// The outcome of loading a TMA build (`None` where the device may not load it).
    fn tma_loaded(&self, variant: TmaVariant) -> Option<&Result<TmaKernel, KernelError>> {
        let i = variant.index();
        if !self.tma_allowed[i] {
            return None;
        }
        Some(self.gemm_tma[i].get_or_init(|| {
            Self::load_tma(&self.ctx, &self.stream, variant).inspect_err(|e| {
                tracing::warn!(error = %e, ?variant, "tma gemm unavailable");
            })
        }))
    }

    /// Why a TMA build the device allows failed to compile or load (`None` when it loaded,
    /// or the device may not load it: not compute capability 9.0, or switched off).
    pub fn tma_error(&self, variant: TmaVariant) -> Option<&KernelError> {
        self.tma_loaded(variant)?.as_ref().err()
    }

    /// Drops every TMA build (the profile's `--no-tma`, and what makes `auto` fall back to
    /// `wgmma`: a kernel change that breaks them on some device must not be able to take the
    /// other measurements down with it).
    pub fn without_tma(mut self) -> Self {
        self.tma_allowed = [false; TmaVariant::EVERY.len()];
        self
    }

    /// Drops one TMA build (the profile's `--skip NAME`).
    pub fn without_tma_variant(mut self, variant: TmaVariant) -> Self {
        self.tma_allowed[variant.index()] = false;
        self
    }

    /// Whether a TMA build is available (compute capability 9.0); compiles and loads it on
    /// the first call.
    pub fn has_tma(&self, variant: TmaVariant) -> bool {
        self.tma(variant).is_some()
    }

    /// A 2-D tensor map over a row-major `rows × k` int8 matrix at `ptr`: boxes of
    /// `TMA_BOX_K × box_rows` bytes, 128-byte swizzle, zero fill outside the matrix.
    fn tensor_map(
        ptr: cudarc::driver::sys::CUdeviceptr,
        rows: u32,
        k: u32,
        box_rows: u32,
    ) -> Result<TmaDesc, KernelError> {
        Self::tensor_map_2d(ptr, Elem::I8, rows, k, [TMA_BOX_K, box_rows])
    }

    /// A 2-D tensor map over a row-major `rows × cols` matrix of `elem` at `ptr`, boxes of
    /// `boxes` = [columns, rows] elements, 128-byte swizzle.
    fn tensor_map_2d(
        ptr: cudarc::driver::sys::CUdeviceptr,
        elem: Elem,
        rows: u32,
        cols: u32,
        boxes: [u32; 2],
    ) -> Result<TmaDesc, KernelError> {
        use cudarc::driver::sys::{
            cuTensorMapEncodeTiled, CUtensorMap, CUtensorMapDataType as Ty,
            CUtensorMapFloatOOBfill as Fill, CUtensorMapInterleave as Il,
            CUtensorMapL2promotion as L2, CUtensorMapSwizzle as Sw,
        };
        let (ty, size) = match elem {
            Elem::I8 => (Ty::CU_TENSOR_MAP_DATA_TYPE_UINT8, 1),
            Elem::I32 => (Ty::CU_TENSOR_MAP_DATA_TYPE_INT32, 4),
        };
        let dims = [u64::from(cols), u64::from(rows)];
        let strides = [u64::from(cols) * size];
        let elem_strides = [1u32, 1];
        let mut map = std::mem::MaybeUninit::<CUtensorMap>::zeroed();
        // SAFETY: every pointer is to a live local of the length the rank (2) requires
        // (dims 2, strides rank - 1 = 1, box 2, element strides 2) and `map` is writable
        // storage for one CUtensorMap. The driver validates the values (alignment of `ptr`,
        // stride a multiple of 16, box ≤ 256, 128-byte inner box for the swizzle) and reports
        // violations as an error code, not undefined behaviour.
        let res = unsafe {
            cuTensorMapEncodeTiled(
                map.as_mut_ptr(),
                ty,
                2,
                ptr as *mut std::ffi::c_void,
                dims.as_ptr(),
                strides.as_ptr(),
                boxes.as_ptr(),
                elem_strides.as_ptr(),
                Il::CU_TENSOR_MAP_INTERLEAVE_NONE,
                Sw::CU_TENSOR_MAP_SWIZZLE_128B,
                L2::CU_TENSOR_MAP_L2_PROMOTION_L2_256B,
                Fill::CU_TENSOR_MAP_FLOAT_OOB_FILL_NONE,
            )
        };
        res.result().map_err(driver_err("encode tensor map"))?;
        // SAFETY: the call succeeded, so the driver wrote the whole map (and `zeroed` made
        // every byte initialised anyway).
        Ok(TmaDesc(unsafe { map.assume_init() }.opaque))
    }

    /// The TMA build [`GemmKernel::Auto`] runs on Hopper.
    pub fn auto_tma(&self) -> TmaVariant {
        AUTO_TMA
    }

    /// Blocks of a loaded TMA build's persistent grid (`None` when it is not loaded).
    pub fn tma_blocks(&self, variant: TmaVariant) -> Option<u32> {
        self.tma(variant).map(|t| t.blocks)
    }

    /// Enqueues `c = a·b` with a GEMM build, from `bt = bᵀ` (`n×k`); `k % 16 == 0`.
    pub(super) fn launch_tma(
        &self,
        t: &TmaKernel,
        a: &CudaSlice<i8>,
        bt: &CudaSlice<i8>,
        c: &mut CudaSlice<i32>,
        d: Dims,
        schedule: TmaSchedule,
    ) -> Result<(), KernelError> {
        if t.variant == TmaVariant::Hashed {
            return Err(KernelError::Cuda {
                op: "launch tma gemm",
                reason: "the hashing build needs its chaining-value buffer".into(),
            });
        }
        self.launch_tma_with(t, a, bt, c, None, d, schedule)
    }

    /// Enqueues `c = a·b` and the chaining values of every 256-column chunk of every row of
    /// C into `cvs` (`m·(n/256)·8` words) with the hashing build; `k % 16 == 0`,
    /// `n % 256 == 0`.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn launch_tma_hashed(
        &self,
        t: &TmaKernel,
        a: &CudaSlice<i8>,
        bt: &CudaSlice<i8>,
        c: &mut CudaSlice<i32>,
        cvs: &mut CudaSlice<u32>,
        d: Dims,
        schedule: TmaSchedule,
    ) -> Result<(), KernelError> {
        let (m, n) = (d.m as usize, d.n as usize);
        if t.variant != TmaVariant::Hashed
            || schedule.direct_store
            || !n.is_multiple_of(CHUNK_COLS)
            || cvs.len() != m * (n / CHUNK_COLS) * 8
        {
            return Err(KernelError::Cuda {
                op: "launch tma-hash gemm",
                reason: format!(
                    "needs the hashing build, TMA stores, n % {CHUNK_COLS} == 0 (n = {n}) and \
                     {} chaining-value words (got {})",
                    m * (n / CHUNK_COLS) * 8,
                    cvs.len()
                ),
            });
        }
        self.launch_tma_with(t, a, bt, c, Some(cvs), d, schedule)
    }

    #[allow(clippy::too_many_arguments)]
    fn launch_tma_with(
        &self,
        t: &TmaKernel,
        a: &CudaSlice<i8>,
        bt: &CudaSlice<i8>,
        c: &mut CudaSlice<i32>,
        cvs: Option<&mut CudaSlice<u32>>,
        d: Dims,
        schedule: TmaSchedule,
    ) -> Result<(), KernelError> {
        use cudarc::driver::DevicePtr;
        require_k_multiple(d.k as usize, "launch tma gemm")?;
        let cluster = t.variant.cluster();
        let (bm, bn) = (WGMMA_BM, WGMMA_BN);
        let (a_ptr, _a_guard) = a.device_ptr(&self.stream);
        let (bt_ptr, _bt_guard) = bt.device_ptr(&self.stream);
        let tma_a = Self::tensor_map(a_ptr, d.m, d.k, bm)?;
        let tma_b = Self::tensor_map(bt_ptr, d.n, d.k, bn / cluster)?;
        // Tile groups: `cluster` vertically adjacent tiles each, one group per cluster at a
        // time (`groups_m` in the kernel).
        let groups_m = d.m.div_ceil(bm).div_ceil(cluster);
        let groups = u64::from(groups_m) * u64::from(d.n.div_ceil(bn));
        let resident = schedule.blocks.unwrap_or(t.blocks);
        let clusters = groups.clamp(1, u64::from(resident / cluster).max(1));
        let blocks = u32::try_from(clusters * u64::from(cluster)).unwrap_or(t.blocks);
        // The band in tile groups, 1..=groups_m (the kernel divides by it).
        let band_rows = match schedule.band_rows {
            Some(0) => u32::MAX,
            Some(rows) => rows,
            None => default_band_rows(blocks),
        };
        let band = (band_rows / cluster).clamp(1, groups_m.max(1));
        let cfg = LaunchConfig {
            grid_dim: (blocks, 1, 1),
            block_dim: (TMA_THREADS, 1, 1),
            shared_mem_bytes: t.variant.smem(),
        };
        // C goes through shared memory and a TMA store when its rows are whole 16-byte units
        // (a tensor map's row stride must be a multiple of 16).
        let tma_store = !schedule.direct_store && d.n.is_multiple_of(4);
        let tma_c = if tma_store {
            let (c_ptr, _c_guard) = c.device_ptr(&self.stream);
            Self::tensor_map_2d(c_ptr, Elem::I32, d.m, d.n, [32, 64])?
        } else {
            // Not read by the kernel (tma_store = 0); any valid bytes will do.
            tma_a
        };
        let store_flag = u32::from(tma_store);
        // Not read by the GEMM builds: a null pointer.
        let no_cvs: u64 = 0;
        let mut launch = self.stream.launch_builder(&t.f);
        launch.arg(&tma_a).arg(&tma_b).arg(&tma_c).arg(c);
        match cvs {
            Some(cvs) => launch.arg(cvs),
            None => launch.arg(&no_cvs),
        };
        launch
            .arg(&d.m)
            .arg(&d.k)
            .arg(&d.n)
            .arg(&band)
            .arg(&store_flag);
        // SAFETY: `gemm_i8_tma_nt(TmaDesc a, TmaDesc b, TmaDesc c, int*, unsigned*, unsigned
        // ×5)` takes exactly these arguments (`TmaDesc` by value, 128 bytes; the chaining-value
        // pointer is null for the GEMM builds, which never read it, and for the hashing build
        // a buffer of m·(n/256)·8 words, written one 32-byte value per (row < m, chunk),
        // checked by `launch_tma_hashed` with TMA stores on and n % 256 == 0). The tensor maps describe exactly a (m×k),
        // bt (n×k) and, when the kernel is told to use it, c (m×n int32), with the boxes the
        // build's tile needs; the buffers stay alive (and their stream guards held) until
        // after the launch is enqueued on the same stream; the TMA unit reads and writes only
        // inside them (loads zero-fill the rest of a box, stores clip it). Otherwise the
        // kernel writes c[0..m·n) with bounds checks (`Dims::new` checked the lengths). The build's shared memory was allowed at load time; the grid is a whole
        // number of the build's compiled-in clusters.
        unsafe { launch.launch(cfg) }.map_err(driver_err("launch tma gemm"))?;
        Ok(())
    }

    /// `a·b` with one TMA build alone under `schedule` (for tests; fails instead of falling
    /// back).
    ///
    /// # Errors
    ///
    /// Shape errors as for [`crate::Backend::gemm_i8`]; [`KernelError::Cuda`] when the build
    /// is not loaded (see [`CudaBackend::has_tma`]), `k % 16 != 0`, or the driver fails.
    #[allow(clippy::too_many_arguments)]
    pub fn gemm_i8_tma(
        &self,
        variant: TmaVariant,
        schedule: TmaSchedule,
        a: &[i8],
        b: &[i8],
        m: usize,
        k: usize,
        n: usize,
    ) -> Result<Vec<i32>, KernelError> {
        check_gemm_shape(a.len(), b.len(), m, k, n)?;
        if self.tma(variant).is_none() || self.gemm_mma.is_none() {
            return Err(KernelError::Cuda {
                op: "tma gemm",
                reason: format!(
                    "the {} kernel is not loaded (needs compute capability 9.0)",
                    variant.name()
                ),
            });
        }
        require_k_multiple(k, "launch tma gemm")?;
        self.gemm_with(variant.kernel(), schedule, a, b, m, k, n)
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{matches_cpu, HOPPER_SHAPES};
    use super::*;

    #[test]
    fn tma_kernels_compile_for_sm90a_when_present() {
        for variant in TmaVariant::ALL {
            match compile_tma(variant) {
                Ok(ptx) => {
                    let src = ptx.to_src();
                    assert!(src.contains(".target sm_90a"), "not compiled for sm_90a");
                    assert!(src.contains("gemm_i8_tma_nt"));
                    let load = "cp.async.bulk.tensor.2d.shared::cluster.global.tile.mbarrier::complete_tx::bytes";
                    for op in [
                        "wgmma.mma_async.sync.aligned.m64n256k32.s32.s8.s8",
                        "cp.async.bulk.tensor.2d.global.shared::cta.bulk_group",
                        load,
                        "mbarrier.try_wait.parity.shared::cta.b64",
                        "mbarrier.arrive.expect_tx.shared::cta.b64",
                        "setmaxnreg.inc.sync.aligned.u32",
                    ] {
                        assert!(src.contains(op), "{variant:?}: {op}");
                    }
                    let multicast = format!("{load}.multicast::cluster");
                    let cluster = ".reqnctapercluster 2, 1, 1";
                    if variant.cluster() == 1 {
                        assert!(!src.contains(&multicast) && !src.contains(cluster));
                    } else {
                        assert!(src.contains(&multicast), "no multicast load");
                        assert!(src.contains(cluster), "no cluster shape");
                        assert!(src.contains("mapa.shared::cluster.u32"));
                        assert!(src.contains("barrier.cluster.wait.acquire.aligned"));
                    }
                }
                Err(KernelError::NoDevice { reason }) => return eprintln!("skipped: {reason}"),
                Err(other) => panic!("{variant:?}: {other}"),
            }
        }
    }

    /// The hashing build compiles, with its barriers, proxy fence and group counter; with
    /// `PROOFWORK_PTX_DIR` set, every build's PTX is written there (for `ptxas -v`).
    #[test]
    fn hashed_build_compiles_for_sm90a_when_present() {
        for variant in TmaVariant::EVERY {
            let ptx = match compile_tma(variant) {
                Ok(ptx) => ptx.to_src(),
                Err(KernelError::NoDevice { reason }) => return eprintln!("skipped: {reason}"),
                Err(other) => panic!("{variant:?}: {other}"),
            };
            if let Some(dir) = std::env::var_os("PROOFWORK_PTX_DIR") {
                let path = std::path::Path::new(&dir).join(format!("{}.ptx", variant.name()));
                std::fs::write(path, &ptx).expect("write ptx");
            }
            let hashing = [
                "fence.proxy.async.global",
                "atom.shared.add.u32",
                "shfl.sync.idx.b32",
                "ld.global.ca.v4.u32",
            ];
            for op in hashing {
                assert_eq!(
                    ptx.contains(op),
                    variant == TmaVariant::Hashed,
                    "{variant:?}: {op}"
                );
            }
        }
    }

    #[test]
    fn builds_fit_a_hopper_block() {
        // 227 KiB of dynamic shared memory per block on compute capability 9.0.
        for v in TmaVariant::ALL {
            assert_eq!(v.smem(), 4 * 48 * 1024 + 32 * 1024 + 2048);
            assert!(v.smem() <= 227 * 1024);
            assert_eq!(
                WGMMA_BN % (v.cluster() * 8),
                0,
                "B halves are whole swizzle atoms"
            );
        }
    }

    #[test]
    fn variants_name_their_kernels() {
        for v in TmaVariant::ALL {
            assert_eq!(TmaVariant::of(v.kernel()), Some(v));
            assert_eq!(TmaVariant::ALL[v.index()], v);
            assert!(v
                .source()
                .starts_with(&format!("#define TM_CLUSTER {}\n", v.cluster())));
        }
        assert_eq!(TmaVariant::of(GemmKernel::Wgmma), None);
    }

    #[test]
    fn default_band_balances_a_and_b_panels() {
        // √(2·132) ≈ 16.2 on an H100/H200's 132 SMs.
        assert_eq!(default_band_rows(132), 16);
        assert_eq!(default_band_rows(1), 1);
        assert_eq!(default_band_rows(0), 1);
        assert_eq!(default_band_rows(u32::MAX), 1 << 17);
    }

    #[test]
    fn tma_descriptor_matches_the_driver_struct() {
        assert_eq!(
            std::mem::size_of::<TmaDesc>(),
            std::mem::size_of::<cudarc::driver::sys::CUtensorMap>()
        );
        assert_eq!(std::mem::align_of::<TmaDesc>(), 64);
    }

    /// Partial tiles, an odd number of row tiles (the multicast build's second block then
    /// computes a tile wholly outside `m`), more output tiles than SMs (the persistent
    /// loop wraps, and the pipeline's phases carry across tiles), and more row tiles than
    /// one band (33: two whole bands and a short last one).
    fn check(variant: TmaVariant) {
        let dev = match CudaBackend::new(0) {
            Ok(dev) if dev.has_tma(variant) => dev,
            // On Hopper a build that does not load is a failure, not a skip.
            Ok(dev) if dev.tma_error(variant).is_some() => panic!(
                "{} did not load on {}: {}",
                variant.kernel().name(),
                dev.device_name(),
                dev.tma_error(variant)
                    .map(ToString::to_string)
                    .unwrap_or_default()
            ),
            Ok(dev) => {
                return eprintln!(
                    "skipped: {} has no {} kernel",
                    dev.device_name(),
                    variant.kernel().name()
                )
            }
            Err(e) => return eprintln!("skipped: {e}"),
        };
        let mut shapes = HOPPER_SHAPES.to_vec();
        shapes.extend([(2048, 144, 4096), (1920, 256, 8192), (4224, 64, 768)]);
        // The default schedule (three times: a race between the epilogue's shared-memory
        // writes and an earlier TMA store reading the same buffer showed up once in four
        // runs), C stored from registers (otherwise it goes through the TMA unit wherever
        // n % 4 == 0), and one-row bands (many bands).
        for schedule in [
            TmaSchedule::default(),
            TmaSchedule::default(),
            TmaSchedule::default(),
            TmaSchedule {
                direct_store: true,
                ..TmaSchedule::default()
            },
            TmaSchedule {
                band_rows: Some(1),
                ..TmaSchedule::default()
            },
        ] {
            matches_cpu(&shapes, |a, b, m, k, n| {
                dev.gemm_i8_tma(variant, schedule, a, b, m, k, n)
            });
        }
    }

    /// The commitment inside the GEMM: C and every row digest against the CPU, on shapes
    /// that take each of its paths: K of one and two stages (the ready signal after the K
    /// loop) and of three or more (inside it), partial row tiles, odd chunk counts, and
    /// more tiles per block than the ring holds (the consumers then wait for the hashers'
    /// done barriers), under the default schedule and one-row bands.
    #[test]
    fn tma_hash_matches_cpu_when_present() {
        use crate::{cpu, merkle};
        let dev = match CudaBackend::new(0) {
            Ok(dev) if dev.has_tma(TmaVariant::Hashed) => dev,
            Ok(dev) if dev.tma_error(TmaVariant::Hashed).is_some() => panic!(
                "tma-hash did not load on {}: {}",
                dev.device_name(),
                dev.tma_error(TmaVariant::Hashed)
                    .map(ToString::to_string)
                    .unwrap_or_default()
            ),
            Ok(dev) => return eprintln!("skipped: {} has no tma-hash kernel", dev.device_name()),
            Err(e) => return eprintln!("skipped: {e}"),
        };
        let shapes = [
            (128, 16, 512),
            (200, 48, 768),
            (1000, 384, 1280),
            (256, 4096, 4096),
            (4224, 64, 768),
            (8192, 128, 4096),
        ];
        // PROOFWORK_GPU_QUICK: the first three only, once each (for compute-sanitizer, which
        // runs kernels orders of magnitude slower).
        let quick = std::env::var_os("PROOFWORK_GPU_QUICK").is_some();
        let (shapes, rounds) = if quick {
            (&shapes[..3], 1)
        } else {
            (&shapes[..], 3)
        };
        for (i, &(m, k, n)) in shapes.iter().enumerate() {
            let a = super::super::tests::random_i8(3 * i as u64 + 1, m * k);
            let b = super::super::tests::random_i8(3 * i as u64 + 2, k * n);
            let want_c = cpu::gemm_i8(&a, &b, m, k, n).expect("shape");
            let want = merkle::row_digests_i32(&want_c, m, n).expect("shape");
            for round in 0..rounds {
                let got = dev.gemm_and_commit_fused(&a, &b, m, k, n).expect("fused");
                assert!(got.c == want_c, "{m}x{k}x{n} round {round}: C differs");
                let bad: Vec<usize> = (0..m)
                    .filter(|&r| got.tree.leaves()[r] != want[r])
                    .collect();
                assert!(
                    bad.is_empty(),
                    "{m}x{k}x{n} round {round}: {} of {m} row digests differ, first rows {:?}",
                    bad.len(),
                    &bad[..bad.len().min(8)]
                );
            }
            // The two-pass path (the backend's default) agrees.
            assert!(dev.can_fuse_commit(k, n));
            let via_backend = dev.commit_with(false, &a, &b, m, k, n).expect("commit");
            let want_root = crate::MerkleTree::from_leaves(want).expect("rows").root();
            assert_eq!(via_backend.tree.root(), want_root);
        }
    }

    #[test]
    fn tma_matches_cpu_when_present() {
        check(TmaVariant::Solo);
    }

    #[test]
    fn tma_mc_matches_cpu_when_present() {
        check(TmaVariant::Multicast);
    }
}
