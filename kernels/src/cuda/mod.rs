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
//! - `gemm_i8.cu`: 128×128 shared-memory tiles, 8×8 per thread, `__dp4a` inner loop. Exact
//!   integer sums, so bit-identical to [`crate::cpu::gemm_i8`].
//! - `row_digests.cu`: the full BLAKE3 (chunk tree included) of each `"proofwork/crow/v1" ||
//!   row`, one thread per row, bit-identical to [`crate::merkle::row_digests_i32`]. The Merkle
//!   tree over the digests (`m - 1` small hashes) is built on the host.
//!
//! Not yet here: a cuBLASLt int8 baseline (cudarc 0.19's safe cuBLASLt wrapper has no int8
//! matmul; it would need raw `sys` calls), and pinned host buffers / stream overlap.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use cudarc::driver::{
    CudaContext, CudaFunction, CudaStream, DriverError, LaunchConfig, PushKernelArg,
};
use cudarc::nvrtc::{compile_ptx_with_opts, CompileOptions, Ptx};

use crate::cpu::check_gemm_shape;
use crate::{check_len, merkle, Backend, Digest, GemmCommitment, KernelError, MerkleTree};

/// CUDA C source of the int8 GEMM kernel.
pub const GEMM_SRC: &str = include_str!("gemm_i8.cu");
/// CUDA C source of the row-digest kernel.
pub const ROW_DIGESTS_SRC: &str = include_str!("row_digests.cu");

/// Threads per block of the GEMM kernel (`THREADS` in `gemm_i8.cu`).
const GEMM_THREADS: u32 = 256;
/// Rows and columns of C per GEMM block (`BM`, `BN` in `gemm_i8.cu`).
const GEMM_TILE: usize = 128;
/// Threads per block of the digest kernel.
const DIGEST_THREADS: u32 = 128;
/// CUDA's limit on `gridDim.y`.
const MAX_GRID_Y: usize = 65_535;

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

/// Compiles both kernels (needs only NVRTC, no device): used by [`CudaBackend::new`] and by
/// tests on machines that have NVRTC but no GPU.
///
/// # Errors
///
/// [`KernelError::NoDevice`] without NVRTC, [`KernelError::Compile`] with the log otherwise.
pub fn compile_kernels(arch: &'static str) -> Result<(Ptx, Ptx), KernelError> {
    nvrtc_present()?;
    catch_unwind(AssertUnwindSafe(|| {
        Ok((
            compile(GEMM_SRC, "gemm_i8.cu", arch)?,
            compile(ROW_DIGESTS_SRC, "row_digests.cu", arch)?,
        ))
    }))
    .unwrap_or_else(|p| {
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
    _ctx: Arc<CudaContext>,
    stream: Arc<CudaStream>,
    gemm: CudaFunction,
    digests: CudaFunction,
    device_name: String,
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
        let (gemm_ptx, digest_ptx) = compile_kernels(arch_for(major, minor))?;
        let gemm = ctx
            .load_module(gemm_ptx)
            .map_err(driver_err("load gemm module"))?
            .load_function("gemm_i8_dp4a")
            .map_err(driver_err("load gemm function"))?;
        let digests = ctx
            .load_module(digest_ptx)
            .map_err(driver_err("load digest module"))?
            .load_function("row_digests_i32")
            .map_err(driver_err("load digest function"))?;
        let stream = ctx.new_stream().map_err(driver_err("create stream"))?;
        Ok(Self {
            _ctx: ctx,
            stream,
            gemm,
            digests,
            device_name,
        })
    }

    /// The device's name, as the driver reports it.
    pub fn device_name(&self) -> &str {
        &self.device_name
    }

    /// Runs the GEMM and leaves `C` on the device. Shapes must have been checked, and
    /// `m, k, n > 0`.
    fn gemm_on_device(
        &self,
        a: &[i8],
        b: &[i8],
        m: usize,
        k: usize,
        n: usize,
    ) -> Result<cudarc::driver::CudaSlice<i32>, KernelError> {
        let too_large = |what: &'static str, got: usize, limit: usize| KernelError::TooLarge {
            what,
            got: got as u64,
            limit: limit as u64,
        };
        let m32 = u32::try_from(m).map_err(|_| too_large("m", m, u32::MAX as usize))?;
        let n32 = u32::try_from(n).map_err(|_| too_large("n", n, u32::MAX as usize))?;
        let k32 = u32::try_from(k).expect("k < K_LIMIT = 2^17 was checked");
        let grid_x = u32::try_from(m.div_ceil(GEMM_TILE)).expect("m fits in u32");
        let grid_y = n.div_ceil(GEMM_TILE);
        if grid_y > MAX_GRID_Y {
            return Err(too_large("n", n, MAX_GRID_Y * GEMM_TILE));
        }
        let grid_y = u32::try_from(grid_y).expect("grid_y ≤ 65535");

        let a_dev = self
            .stream
            .clone_htod(a)
            .map_err(driver_err("copy a to device"))?;
        let b_dev = self
            .stream
            .clone_htod(b)
            .map_err(driver_err("copy b to device"))?;
        let mut c_dev = self
            .stream
            .alloc_zeros::<i32>(m * n)
            .map_err(driver_err("allocate c"))?;
        let cfg = LaunchConfig {
            grid_dim: (grid_x, grid_y, 1),
            block_dim: (GEMM_THREADS, 1, 1),
            shared_mem_bytes: 0,
        };
        let mut launch = self.stream.launch_builder(&self.gemm);
        launch
            .arg(&a_dev)
            .arg(&b_dev)
            .arg(&mut c_dev)
            .arg(&m32)
            .arg(&k32)
            .arg(&n32);
        // SAFETY: `gemm_i8_dp4a(const signed char*, const signed char*, int*, unsigned,
        // unsigned, unsigned)` matches these arguments in order and type. It reads
        // a[0..m·k) and b[0..k·n) and writes c[0..m·n), checking every index against m, k, n,
        // and those are the lengths of the three allocations (shapes checked by the caller).
        unsafe { launch.launch(cfg) }.map_err(driver_err("launch gemm"))?;
        Ok(c_dev)
    }

    /// Hashes the rows of an `m×n` matrix already on the device (`m, n > 0`).
    fn digests_on_device(
        &self,
        c_dev: &cudarc::driver::CudaSlice<i32>,
        m: usize,
        n: usize,
    ) -> Result<Vec<Digest>, KernelError> {
        let m32 = u32::try_from(m).map_err(|_| KernelError::TooLarge {
            what: "m",
            got: m as u64,
            limit: u64::from(u32::MAX),
        })?;
        let n32 = u32::try_from(n).map_err(|_| KernelError::TooLarge {
            what: "n",
            got: n as u64,
            limit: u64::from(u32::MAX),
        })?;
        let mut out = self
            .stream
            .alloc_zeros::<u8>(m * 32)
            .map_err(driver_err("allocate digests"))?;
        let cfg = LaunchConfig {
            grid_dim: (m32.div_ceil(DIGEST_THREADS), 1, 1),
            block_dim: (DIGEST_THREADS, 1, 1),
            shared_mem_bytes: 0,
        };
        let mut launch = self.stream.launch_builder(&self.digests);
        launch.arg(c_dev).arg(&m32).arg(&n32).arg(&mut out);
        // SAFETY: `row_digests_i32(const int*, unsigned, unsigned, unsigned char*)` matches
        // these arguments. Thread i < m reads c[i·n .. (i+1)·n) and writes out[32·i .. 32·i+32);
        // c_dev holds m·n ints and out m·32 bytes.
        unsafe { launch.launch(cfg) }.map_err(driver_err("launch row digests"))?;
        let bytes = self
            .stream
            .clone_dtoh(&out)
            .map_err(driver_err("copy digests to host"))?;
        self.stream
            .synchronize()
            .map_err(driver_err("synchronize"))?;
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
        check_gemm_shape(a.len(), b.len(), m, k, n)?;
        if m == 0 || n == 0 || k == 0 {
            return Ok(vec![0; m * n]);
        }
        let c_dev = self.gemm_on_device(a, b, m, k, n)?;
        let c = self
            .stream
            .clone_dtoh(&c_dev)
            .map_err(driver_err("copy c to host"))?;
        self.stream
            .synchronize()
            .map_err(driver_err("synchronize"))?;
        Ok(c)
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
        check_gemm_shape(a.len(), b.len(), m, k, n)?;
        if m == 0 || n == 0 || k == 0 {
            let c = vec![0; m * n];
            let tree = MerkleTree::from_leaves(merkle::row_digests_i32(&c, m, n)?)?;
            return Ok(GemmCommitment { c, tree });
        }
        let c_dev = self.gemm_on_device(a, b, m, k, n)?;
        let leaves = self.digests_on_device(&c_dev, m, n)?;
        let c = self
            .stream
            .clone_dtoh(&c_dev)
            .map_err(driver_err("copy c to host"))?;
        self.stream
            .synchronize()
            .map_err(driver_err("synchronize"))?;
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
        match compile_kernels("compute_61") {
            Ok((g, d)) => {
                assert!(g.to_src().contains("gemm_i8_dp4a"));
                assert!(d.to_src().contains("row_digests_i32"));
                assert!(g.to_src().contains("dp4a"));
            }
            Err(KernelError::NoDevice { reason }) => eprintln!("skipped: {reason}"),
            Err(other) => panic!("{other}"),
        }
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
            "compute_61",
        ) {
            Err(KernelError::Compile { log }) => assert!(log.contains("undeclared"), "{log}"),
            other => panic!("expected a compile error, got {other:?}"),
        }
    }
}
