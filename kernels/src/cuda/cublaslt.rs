//! cuBLASLt's int8 GEMM, the vendor baseline the custom tensor-core kernel is measured against
//! (benchmarks and cross-checks only; jobs run the NVRTC kernels).
//!
//! cudarc 0.19's safe cuBLASLt wrapper only covers floating-point matmuls, so this goes
//! through its `result`/`sys` layer: `CUBLAS_COMPUTE_32I` with `CUDA_R_8I` operands and a
//! `CUDA_R_32I` output, in the "TN" layout cuBLASLt supports for int8 without its COL32
//! formats. cuBLASLt is column-major, so the row-major product `C = A·B` (with `Bᵀ` stored
//! `n×k`, as the tensor-core kernel also takes it) is computed as the column-major
//! `Cᵀ (n×m) = op(Bᵀ buffer)·A buffer` with `op = T`: both buffers are `k`-contiguous.
//! The library is loaded dynamically like the rest of CUDA; [`LtInt8::new`] reports its
//! absence as [`KernelError::NoDevice`].

use std::ffi::c_void;
use std::panic::catch_unwind;
use std::sync::Arc;

use cudarc::cublaslt::result as lt;
use cudarc::cublaslt::sys;
use cudarc::driver::{CudaSlice, CudaStream, DevicePtr, DevicePtrMut};

use crate::KernelError;

/// Workspace offered to cuBLASLt's heuristics (its documentation recommends 32 MiB on Hopper).
const WORKSPACE_BYTES: usize = 32 << 20;

/// `cublasOperation_t::CUBLAS_OP_T` (the enum lives in cudarc's `cublas` module, which this
/// crate does not enable; its values are fixed by the cuBLAS ABI).
const CUBLAS_OP_T: i32 = 1;

fn lt_err(op: &'static str) -> impl Fn(lt::CublasError) -> KernelError {
    move |e| KernelError::Cuda {
        op,
        reason: e.to_string(),
    }
}

/// A cuBLASLt handle with its workspace, bound to one stream.
#[derive(Debug)]
pub struct LtInt8 {
    handle: sys::cublasLtHandle_t,
    workspace: CudaSlice<u8>,
    stream: Arc<CudaStream>,
}

// SAFETY: a cuBLASLt handle may be used from any thread as long as calls on it are not
// concurrent (cuBLAS's thread-safety rules); `LtInt8` is only used through `&mut self` for
// matmuls and is not `Sync`.
unsafe impl Send for LtInt8 {}

/// The descriptors and the chosen algorithm for one `m×k×n` shape.
#[derive(Debug)]
pub struct LtPlan {
    desc: sys::cublasLtMatmulDesc_t,
    a_layout: sys::cublasLtMatrixLayout_t,
    b_layout: sys::cublasLtMatrixLayout_t,
    c_layout: sys::cublasLtMatrixLayout_t,
    algo: sys::cublasLtMatmulAlgo_t,
    workspace_size: usize,
    dims: (usize, usize, usize),
}

impl LtInt8 {
    /// Loads cuBLASLt and creates a handle and a workspace on `stream`'s device.
    ///
    /// # Errors
    ///
    /// [`KernelError::NoDevice`] when the library cannot be loaded, [`KernelError::Cuda`]
    /// when handle creation or the workspace allocation fails.
    pub fn new(stream: Arc<CudaStream>) -> Result<Self, KernelError> {
        // SAFETY: only dlopens candidate library names and drops the handles.
        if !unsafe { sys::is_culib_present() } {
            return Err(KernelError::NoDevice {
                reason: "the cublasLt library is not installed".into(),
            });
        }
        let handle = catch_unwind(lt::create_handle)
            .map_err(|_| KernelError::NoDevice {
                reason: "cublasLt panicked while loading".into(),
            })?
            .map_err(lt_err("cublasLtCreate"))?;
        let workspace =
            stream
                .alloc_zeros::<u8>(WORKSPACE_BYTES)
                .map_err(|e| KernelError::Cuda {
                    op: "allocate cublasLt workspace",
                    reason: e.to_string(),
                })?;
        Ok(Self {
            handle,
            workspace,
            stream,
        })
    }

    /// Creates the descriptors for `C (m×n, i32) = A (m×k) · B` with `Bᵀ` given `n×k` and
    /// asks the heuristics for the fastest algorithm.
    ///
    /// # Errors
    ///
    /// [`KernelError::Cuda`] when cuBLASLt refuses the shape (e.g. `k` not a multiple of 4)
    /// or has no algorithm for it.
    pub fn plan(&self, m: usize, k: usize, n: usize) -> Result<LtPlan, KernelError> {
        let (m64, k64, n64) = (m as u64, k as u64, n as u64);
        let i32_type = sys::cudaDataType::CUDA_R_32I;
        let i8_type = sys::cudaDataType::CUDA_R_8I;
        let desc = lt::create_matmul_desc(sys::cublasComputeType_t::CUBLAS_COMPUTE_32I, i32_type)
            .map_err(lt_err("cublasLtMatmulDescCreate"))?;
        let mut plan = LtPlan {
            desc,
            a_layout: std::ptr::null_mut(),
            b_layout: std::ptr::null_mut(),
            c_layout: std::ptr::null_mut(),
            algo: sys::cublasLtMatmulAlgo_t { data: [0; 8] },
            workspace_size: 0,
            dims: (m, k, n),
        };
        let trans = CUBLAS_OP_T;
        // SAFETY: `desc` is live; the attribute value is an i32 `cublasOperation_t`, the
        // type and size cuBLASLt documents for TRANSA.
        unsafe {
            lt::set_matmul_desc_attribute(
                desc,
                sys::cublasLtMatmulDescAttributes_t::CUBLASLT_MATMUL_DESC_TRANSA,
                std::ptr::addr_of!(trans).cast::<c_void>(),
                std::mem::size_of::<i32>(),
            )
        }
        .map_err(lt_err("set TRANSA"))?;
        // "A" = the Bᵀ buffer seen column-major: k×n, ld k (op T makes it n×k).
        plan.a_layout =
            lt::create_matrix_layout(i8_type, k64, n64, k as i64).map_err(lt_err("layout of b"))?;
        // "B" = the A buffer seen column-major: k×m, ld k.
        plan.b_layout =
            lt::create_matrix_layout(i8_type, k64, m64, k as i64).map_err(lt_err("layout of a"))?;
        // "C"/"D" = C seen column-major: n×m, ld n.
        plan.c_layout = lt::create_matrix_layout(i32_type, n64, m64, n as i64)
            .map_err(lt_err("layout of c"))?;
        let pref = lt::create_matmul_pref().map_err(lt_err("cublasLtMatmulPreferenceCreate"))?;
        let ws = WORKSPACE_BYTES as u64;
        // SAFETY: `pref` is live; MAX_WORKSPACE_BYTES takes a u64 of the size passed.
        let heuristic = unsafe {
            lt::set_matmul_pref_attribute(
                pref,
                sys::cublasLtMatmulPreferenceAttributes_t::CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES,
                std::ptr::addr_of!(ws).cast::<c_void>(),
                std::mem::size_of::<u64>(),
            )
            .and_then(|()| {
                lt::get_matmul_algo_heuristic(
                    self.handle,
                    plan.desc,
                    plan.a_layout,
                    plan.b_layout,
                    plan.c_layout,
                    plan.c_layout,
                    pref,
                )
            })
        };
        // SAFETY: `pref` was created above and is not used after this.
        let _ = unsafe { lt::destroy_matmul_pref(pref) };
        let heuristic = heuristic.map_err(lt_err("cublasLtMatmulAlgoGetHeuristic"))?;
        plan.algo = heuristic.algo;
        plan.workspace_size = heuristic.workspaceSize.min(WORKSPACE_BYTES);
        Ok(plan)
    }

    /// Enqueues `c = a·b` on the stream (`a` m×k, `bt` = `Bᵀ` n×k, `c` m×n).
    ///
    /// # Errors
    ///
    /// [`KernelError::ShapeMismatch`] when a buffer is not the plan's size,
    /// [`KernelError::Cuda`] when cuBLASLt fails.
    pub fn matmul(
        &mut self,
        plan: &LtPlan,
        a: &CudaSlice<i8>,
        bt: &CudaSlice<i8>,
        c: &mut CudaSlice<i32>,
    ) -> Result<(), KernelError> {
        let (m, k, n) = plan.dims;
        for (what, got, expected) in [
            ("a", a.len(), m * k),
            ("bt", bt.len(), n * k),
            ("c", c.len(), m * n),
        ] {
            if got != expected {
                return Err(KernelError::ShapeMismatch {
                    what,
                    expected,
                    got,
                });
            }
        }
        let (alpha, beta) = (1i32, 0i32);
        let stream = Arc::clone(&self.stream);
        let (a_ptr, _ga) = a.device_ptr(&stream);
        let (b_ptr, _gb) = bt.device_ptr(&stream);
        let (c_ptr, _gc) = c.device_ptr_mut(&stream);
        let (w_ptr, _gw) = self.workspace.device_ptr_mut(&stream);
        // SAFETY: every descriptor in `plan` is live (destroyed only on drop) and describes
        // exactly the buffers passed (lengths checked above); alpha/beta are host i32 as
        // the CUDA_R_32I scale type requires; C is both input (beta = 0) and output, as
        // cuBLASLt allows for identical layouts; the workspace holds at least
        // `plan.workspace_size` bytes; the stream belongs to the context the buffers live in.
        unsafe {
            lt::matmul(
                self.handle,
                plan.desc,
                std::ptr::addr_of!(alpha).cast::<c_void>(),
                std::ptr::addr_of!(beta).cast::<c_void>(),
                b_ptr as *const c_void,
                plan.a_layout,
                a_ptr as *const c_void,
                plan.b_layout,
                c_ptr as *const c_void,
                plan.c_layout,
                c_ptr as *mut c_void,
                plan.c_layout,
                std::ptr::addr_of!(plan.algo),
                w_ptr as *mut c_void,
                plan.workspace_size,
                stream.cu_stream() as sys::cudaStream_t,
            )
        }
        .map_err(lt_err("cublasLtMatmul"))
    }
}

impl Drop for LtInt8 {
    fn drop(&mut self) {
        // SAFETY: the handle was created in `new` and is destroyed exactly once here.
        let _ = unsafe { lt::destroy_handle(self.handle) };
    }
}

impl Drop for LtPlan {
    fn drop(&mut self) {
        // SAFETY: each descriptor was created in `plan` (or is null and skipped) and is
        // destroyed exactly once here.
        unsafe {
            for layout in [self.a_layout, self.b_layout, self.c_layout] {
                if !layout.is_null() {
                    let _ = lt::destroy_matrix_layout(layout);
                }
            }
            let _ = lt::destroy_matmul_desc(self.desc);
        }
    }
}
