//! Device-side timing of every kernel on one shape, with the cross-checks that make the
//! numbers mean something (benchmarks only: nothing here is on a consensus path).
//!
//! Times come from CUDA events on the backend's stream around `iters` back-to-back launches
//! after two warm-up launches, so they exclude host transfers, NVRTC compilation and module
//! loading. Inputs are pseudo-random (BLAKE3 XOF), never zeros. Before any number is
//! reported, the tensor-core, `__dp4a` and cuBLASLt products are compared element by element,
//! sampled rows are recomputed on the CPU, and the chunk-parallel row digests are compared
//! with the one-thread-per-row kernel and the CPU's BLAKE3.

use cudarc::driver::sys::CUevent_flags;
use cudarc::driver::CudaSlice;

use super::cublaslt::LtInt8;
use super::{driver_err, CudaBackend, Dims, TmaSchedule, TmaVariant};
use crate::{cpu, merkle, KernelError};

/// Rows recomputed on the CPU as a cross-check.
const CPU_ROWS: usize = 8;

/// What [`CudaBackend::profile`] measured for one `m×k×n` shape (milliseconds per launch).
#[derive(Debug, Clone, PartialEq)]
pub struct GpuProfile {
    /// The device's name.
    pub device: String,
    /// Rows of A and C.
    pub m: usize,
    /// Inner dimension.
    pub k: usize,
    /// Columns of B and C.
    pub n: usize,
    /// The tensor-core kernel the backend uses (v2, without the transpose of B), when the
    /// device has one.
    pub mma_ms: Option<f64>,
    /// The first tensor-core kernel (v1: 128×128 tiles, two stages, 32-bit fragment loads).
    pub mma_v1_ms: Option<f64>,
    /// The Hopper `wgmma` kernel (compute capability 9.0 only; `None` when not loaded), or
    /// why it failed: a launch error, or a mismatch with the reference (the first differing
    /// elements). It runs last, so a failure here leaves every other number valid.
    pub wgmma_ms: Option<Result<f64, String>>,
    /// Each loaded TMA build (warp-specialised, mbarriers, persistent; compute capability
    /// 9.0 only) under its default schedule, in [`TmaVariant::ALL`] order, checked and timed
    /// like `wgmma_ms`, after it.
    pub tma: Vec<TmaPoint>,
    /// Transposing B on the device (once per model's weights).
    pub transpose_ms: Option<f64>,
    /// The `__dp4a` kernel.
    pub dp4a_ms: f64,
    /// cuBLASLt's int8 GEMM, or why it could not run.
    pub cublaslt_ms: Result<f64, String>,
    /// Row digests, chunk-parallel (what [`crate::Backend::gemm_and_commit`] uses).
    pub digests_ms: f64,
    /// Row digests, one thread per row.
    pub digests_serial_ms: f64,
    /// Each TMA build under each schedule asked for (checked and timed like `tma`).
    pub tma_sweep: Vec<TmaPoint>,
    /// The GEMM and its commitment together, two-pass and fused (Hopper, `n % 256 == 0`).
    pub commit: Option<CommitPoint>,
}

/// The GEMM with the row commitment of C, both ways, device time per job (ms).
#[derive(Debug, Clone, PartialEq)]
pub struct CommitPoint {
    /// The `tma` GEMM, then the two digest launches over C (what the worker ran before).
    pub two_pass_ms: f64,
    /// The hashing build and the merge (ADR-007), or why it failed: a launch error or a
    /// C or digest that differs from the two-pass path's.
    pub fused_ms: Result<f64, String>,
}

/// One TMA build under one schedule, in [`GpuProfile::tma_sweep`].
#[derive(Debug, Clone, PartialEq)]
pub struct TmaPoint {
    /// The build.
    pub variant: TmaVariant,
    /// The schedule asked for.
    pub schedule: TmaSchedule,
    /// Milliseconds per launch, or why it failed.
    pub ms: Result<f64, String>,
}

impl GpuProfile {
    /// Tera-operations per second (2·m·k·n operations) at `ms` per product.
    pub fn tops(&self, ms: f64) -> f64 {
        2.0 * self.m as f64 * self.k as f64 * self.n as f64 / (ms * 1e-3) / 1e12
    }

    /// A TMA build's time under its default schedule, when it loaded and passed its check.
    pub fn tma_ms(&self, variant: TmaVariant) -> Option<f64> {
        self.tma
            .iter()
            .find(|p| p.variant == variant)
            .and_then(|p| p.ms.clone().ok())
    }
}

fn mismatch(what: &'static str) -> KernelError {
    KernelError::Cuda {
        op: what,
        reason: "results differ".into(),
    }
}

fn bytes(seed: u64, len: usize) -> Vec<i8> {
    let mut h = blake3::Hasher::new();
    h.update(b"proofwork/profile");
    h.update(&seed.to_le_bytes());
    let mut out = vec![0u8; len];
    h.finalize_xof().fill(&mut out);
    out.into_iter().map(|v| v as i8).collect()
}

impl CudaBackend {
    /// Mean device time of `f` over `iters` launches after two warm-ups.
    fn time_ms(
        &self,
        iters: usize,
        mut f: impl FnMut() -> Result<(), KernelError>,
    ) -> Result<f64, KernelError> {
        f()?;
        f()?;
        let flags = Some(CUevent_flags::CU_EVENT_DEFAULT);
        let start = self
            .stream
            .record_event(flags)
            .map_err(driver_err("record event"))?;
        for _ in 0..iters {
            f()?;
        }
        let end = self
            .stream
            .record_event(flags)
            .map_err(driver_err("record event"))?;
        let ms = start.elapsed_ms(&end).map_err(driver_err("elapsed time"))?;
        Ok(f64::from(ms) / iters.max(1) as f64)
    }

    /// Times the GEMM kernels, cuBLASLt and the row-digest kernels on a random `m×k×n` job,
    /// after checking that they all agree (see the module docs); then each loaded TMA build
    /// under each schedule in `sweep`.
    ///
    /// # Errors
    ///
    /// Shape errors as for [`crate::Backend::gemm_i8`], [`KernelError::Cuda`] for driver
    /// failures or when two implementations disagree (which would be a bug).
    pub fn profile(
        &self,
        m: usize,
        k: usize,
        n: usize,
        iters: usize,
        sweep: &[TmaSchedule],
    ) -> Result<GpuProfile, KernelError> {
        let a = bytes(1, m * k);
        let b = bytes(2, k * n);
        cpu::check_gemm_shape(a.len(), b.len(), m, k, n)?;
        let d = Dims::new(m, k, n)?;
        let a_dev = self.upload(&a, "copy a to device")?;
        let b_dev = self.upload(&b, "copy b to device")?;
        let mut bt_dev = self.alloc::<i8>(k * n, "allocate bt")?;
        let mut c_dp4a = self.alloc::<i32>(m * n, "allocate c")?;

        let dp4a_ms = self.time_ms(iters, || self.launch_dp4a(&a_dev, &b_dev, &mut c_dp4a, d))?;
        let reference = self.download(&c_dp4a)?;

        // Sampled rows against the CPU.
        let rows: Vec<usize> = (0..CPU_ROWS)
            .map(|i| i * (m - 1) / (CPU_ROWS - 1).max(1))
            .collect();
        for &i in &rows {
            let want = cpu::gemm_i8(&a[i * k..(i + 1) * k], &b, 1, k, n)?;
            if want[..] != reference[i * n..(i + 1) * n] {
                return Err(mismatch("dp4a gemm vs cpu"));
            }
        }

        let (mma_ms, mma_v1_ms, transpose_ms) = match &self.gemm_mma {
            Some(mma) if self.uses_tensor_cores(k) => {
                let transpose_ms =
                    self.time_ms(iters, || self.launch_transpose(mma, &b_dev, &mut bt_dev, d))?;
                let mut times = [0.0; 2];
                for (v1, time) in [false, true].into_iter().zip(&mut times) {
                    let mut c = self.alloc::<i32>(m * n, "allocate c")?;
                    *time = self.time_ms(iters, || {
                        self.launch_mma(mma, &a_dev, &bt_dev, &mut c, d, v1)
                    })?;
                    if self.download(&c)? != reference {
                        return Err(mismatch(if v1 {
                            "mma v1 gemm vs dp4a gemm"
                        } else {
                            "mma v2 gemm vs dp4a gemm"
                        }));
                    }
                }
                (Some(times[0]), Some(times[1]), Some(transpose_ms))
            }
            _ => (None, None, None),
        };

        let cublaslt_ms = match self.time_cublaslt(&a_dev, &b_dev, &mut bt_dev, d, iters) {
            Ok((ms, c)) => {
                if c != reference {
                    return Err(mismatch("cublasLt vs dp4a gemm"));
                }
                Ok(ms)
            }
            Err(e) => Err(e.to_string()),
        };

        let mut fast = None;
        let digests_ms = self.time_ms(iters, || {
            fast = Some(self.launch_digests(&c_dp4a, m, n, true)?);
            Ok(())
        })?;
        let mut serial = None;
        let digests_serial_ms = self.time_ms(iters.div_ceil(4), || {
            serial = Some(self.launch_digests(&c_dp4a, m, n, false)?);
            Ok(())
        })?;
        let (fast, serial) = match (fast, serial) {
            (Some(f), Some(s)) => (self.download(&f)?, self.download(&s)?),
            _ => return Err(mismatch("digest kernels did not run")),
        };
        if fast != serial {
            return Err(mismatch("chunked vs serial row digests"));
        }
        for &i in &rows {
            let want = merkle::leaf_hash_i32(&reference[i * n..(i + 1) * n]);
            if fast[32 * i..32 * i + 32] != want[..] {
                return Err(mismatch("gpu row digest vs cpu blake3"));
            }
        }

        // The Bᵀ kernels (wgmma and the TMA builds), each checked against the reference and
        // then timed: only where the tensor-core path (and its transpose) runs.
        let (wgmma_ms, tma, tma_sweep) = match &self.gemm_mma {
            Some(mma) if self.uses_tensor_cores(k) => {
                let mut check_and_time = |op, launch: &dyn Fn(&_, &_, &mut _) -> _| {
                    self.profile_bt_kernel(
                        op,
                        mma,
                        &a_dev,
                        &b_dev,
                        &mut bt_dev,
                        d,
                        &reference,
                        iters,
                        launch,
                    )
                };
                let wgmma_ms = self.gemm_wgmma.as_ref().map(|f| {
                    check_and_time("wgmma gemm vs dp4a gemm", &|a, bt, c| {
                        self.launch_wgmma(f, a, bt, c, d)
                    })
                });
                let mut time_tma = |variant: TmaVariant, schedule: TmaSchedule| {
                    let t = self.tma(variant)?;
                    Some(TmaPoint {
                        variant,
                        schedule,
                        ms: check_and_time("tma gemm vs dp4a gemm", &|a, bt, c| {
                            self.launch_tma(t, a, bt, c, d, schedule)
                        })
                        .map_err(|e| format!("{}: {e}", variant.kernel().name())),
                    })
                };
                let tma: Vec<TmaPoint> = TmaVariant::ALL
                    .into_iter()
                    .filter_map(|v| time_tma(v, TmaSchedule::default()))
                    .collect();
                let tma_sweep: Vec<TmaPoint> = TmaVariant::ALL
                    .into_iter()
                    .flat_map(|v| sweep.iter().map(move |&s| (v, s)))
                    .filter_map(|(v, s)| time_tma(v, s))
                    .collect();
                (wgmma_ms, tma, tma_sweep)
            }
            _ => (None, Vec::new(), Vec::new()),
        };

        // The commitment: the GEMM then a second pass over C, against the hashing GEMM and
        // the merge, each checked against the reference C and the digests above.
        let commit = match (&self.gemm_mma, self.tma(TmaVariant::Solo)) {
            (Some(mma), Some(solo)) if self.can_fuse_commit(k, n) => {
                self.launch_transpose(mma, &b_dev, &mut bt_dev, d)?;
                let bt: &CudaSlice<i8> = &bt_dev;
                let mut c = self.alloc::<i32>(m * n, "allocate c")?;
                let two_pass_ms = self.time_ms(iters, || {
                    self.launch_tma(solo, &a_dev, bt, &mut c, d, TmaSchedule::default())?;
                    self.launch_digests(&c, m, n, true).map(drop)
                })?;
                let fused_ms = self
                    .profile_fused(&a_dev, bt, d, &reference, &fast, iters)
                    .map_err(|e| e.to_string());
                Some(CommitPoint {
                    two_pass_ms,
                    fused_ms,
                })
            }
            _ => None,
        };

        Ok(GpuProfile {
            device: self.device_name.clone(),
            m,
            k,
            n,
            mma_ms,
            mma_v1_ms,
            wgmma_ms,
            tma,
            transpose_ms,
            dp4a_ms,
            cublaslt_ms,
            digests_ms,
            digests_serial_ms,
            tma_sweep,
            commit,
        })
    }

    /// Checks the hashing GEMM and the merge against `reference` (C) and `digests` (its row
    /// digests from the two-pass kernels, checked against the CPU), then times them.
    fn profile_fused(
        &self,
        a_dev: &CudaSlice<i8>,
        bt: &CudaSlice<i8>,
        d: Dims,
        reference: &[i32],
        digests: &[u8],
        iters: usize,
    ) -> Result<f64, KernelError> {
        let t = self.tma(TmaVariant::Hashed).ok_or(KernelError::Cuda {
            op: "fused commit",
            reason: "the tma-hash kernel is not loaded".into(),
        })?;
        let (m, n) = (d.m as usize, d.n as usize);
        let chunks = n / 256;
        let mut c = self.alloc::<i32>(m * n, "allocate c")?;
        let mut cvs = self.alloc::<u32>(m * chunks * 8, "allocate chunk cvs")?;
        self.launch_tma_hashed(t, a_dev, bt, &mut c, &mut cvs, d, TmaSchedule::default())?;
        let out = self.launch_merge(&cvs, m, chunks)?;
        if self.download(&c)? != reference {
            return Err(mismatch("tma-hash gemm vs dp4a gemm"));
        }
        let got = self.download(&out)?;
        let bad: Vec<usize> = (0..m)
            .filter(|&r| got[32 * r..32 * r + 32] != digests[32 * r..32 * r + 32])
            .collect();
        if let Some(&row) = bad.first() {
            return Err(KernelError::Cuda {
                op: "tma-hash digests vs two-pass digests",
                reason: format!("{} of {m} rows differ, first row {row}", bad.len()),
            });
        }
        self.time_ms(iters, || {
            self.launch_tma_hashed(t, a_dev, bt, &mut c, &mut cvs, d, TmaSchedule::default())?;
            self.launch_merge(&cvs, m, chunks).map(drop)
        })
    }

    /// Checks a kernel that takes `Bᵀ` against `reference` (one launch, every element), then
    /// times it. Every failure becomes a message, so the rest of the profile stands.
    #[allow(clippy::too_many_arguments)]
    fn profile_bt_kernel(
        &self,
        op: &'static str,
        mma: &super::MmaKernels,
        a_dev: &CudaSlice<i8>,
        b_dev: &CudaSlice<i8>,
        bt_dev: &mut CudaSlice<i8>,
        d: Dims,
        reference: &[i32],
        iters: usize,
        launch: impl Fn(&CudaSlice<i8>, &CudaSlice<i8>, &mut CudaSlice<i32>) -> Result<(), KernelError>,
    ) -> Result<f64, String> {
        let mut run = || -> Result<f64, KernelError> {
            self.launch_transpose(mma, b_dev, bt_dev, d)?;
            let mut c = self.alloc::<i32>(reference.len(), "allocate c")?;
            launch(a_dev, bt_dev, &mut c)?;
            let got = self.download(&c)?;
            let n = d.n as usize;
            let bad: Vec<usize> = (0..got.len()).filter(|&i| got[i] != reference[i]).collect();
            if let Some(&first) = bad.first() {
                let shown: Vec<String> = bad
                    .iter()
                    .take(4)
                    .map(|&i| {
                        format!(
                            "({}, {}) got {} want {}",
                            i / n,
                            i % n,
                            got[i],
                            reference[i]
                        )
                    })
                    .collect();
                return Err(KernelError::Cuda {
                    op,
                    reason: format!(
                        "{} of {} elements differ (first at row {}): {}",
                        bad.len(),
                        got.len(),
                        first / n,
                        shown.join(", ")
                    ),
                });
            }
            let bt: &CudaSlice<i8> = bt_dev;
            self.time_ms(iters, || launch(a_dev, bt, &mut c))
        };
        run().map_err(|e| e.to_string())
    }

    /// cuBLASLt on the same inputs (`Bᵀ` made on the device): mean time and the product.
    fn time_cublaslt(
        &self,
        a_dev: &CudaSlice<i8>,
        b_dev: &CudaSlice<i8>,
        bt_dev: &mut CudaSlice<i8>,
        d: Dims,
        iters: usize,
    ) -> Result<(f64, Vec<i32>), KernelError> {
        let (m, k, n) = (d.m as usize, d.k as usize, d.n as usize);
        if let Some(mma) = &self.gemm_mma {
            self.launch_transpose(mma, b_dev, bt_dev, d)?;
        } else {
            let bt: Vec<i8> = {
                let b = self.download(b_dev)?;
                (0..n)
                    .flat_map(|j| (0..k).map(move |kk| (j, kk)))
                    .map(|(j, kk)| b[kk * n + j])
                    .collect()
            };
            *bt_dev = self.upload(&bt, "copy bt to device")?;
        }
        let mut lt = LtInt8::new(self.stream.clone())?;
        let plan = lt.plan(m, k, n)?;
        let mut c = self.alloc::<i32>(m * n, "allocate c")?;
        let ms = self.time_ms(iters, || lt.matmul(&plan, a_dev, bt_dev, &mut c))?;
        Ok((ms, self.download(&c)?))
    }
}
