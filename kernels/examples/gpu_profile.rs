//! Times the CUDA kernels against cuBLASLt on a GPU, after cross-checking every result.
//!
//! ```text
//! cargo run --release -p proofwork-kernels --example gpu_profile -- [MxKxN ...] [--iters N] [--no-tma] [--skip tma|tma-mc|tma-hash] [--sweep]
//! ```
//!
//! `--no-tma` leaves out the TMA builds, `--skip NAME` one of them (what
//! scripts/gpu-check.sh passes for a build whose test failed or hung). `--sweep` also times
//! each TMA build under several schedules (bands of 1..32 tile rows, one band, a grid of one
//! block per tile (`tiles`), C stored from registers (`direct`)) and prints a table of them.
//!
//! Default shapes: 4096³, 8192×4096×4096, 16384×4096×4096 and 4096×4096×16384. Prints one
//! table row per shape (device times per launch, TOPS = 2·m·k·n / time, and the ratios
//! BENCHMARKS.md reports), one JSON line per shape for the record, and the commitment table:
//! the GEMM with the row digests of C, as a second pass and inside the GEMM (ADR-007), each
//! against cuBLASLt's GEMM alone, and `gemm_and_commit` end to end on the host (uploads,
//! GEMM, digests, downloads, Merkle tree: the worker's job time), both ways. Exits 0 with a
//! message when there is no GPU.

use proofwork_kernels::cuda::GpuProfile;
use proofwork_kernels::{CudaBackend, KernelError, TmaSchedule, TmaVariant};

fn parse_shape(s: &str) -> Option<(usize, usize, usize)> {
    let mut it = s.split('x').map(|v| v.parse::<usize>().ok());
    match (it.next()??, it.next()??, it.next()??, it.next()) {
        (m, k, n, None) => Some((m, k, n)),
        _ => None,
    }
}

fn json(p: &GpuProfile) -> String {
    let opt = |v: Option<f64>| v.map_or("null".to_owned(), |v| format!("{v:.5}"));
    let tma: String = TmaVariant::ALL
        .into_iter()
        .map(|v| {
            format!(
                ",\"{}_ms\":{}",
                v.kernel().name().replace('-', "_"),
                opt(p.tma_ms(v))
            )
        })
        .collect();
    format!(
        "{{\"device\":\"{}\",\"m\":{},\"k\":{},\"n\":{},\"mma_ms\":{},\"mma_v1_ms\":{},\"wgmma_ms\":{}{tma},\"transpose_ms\":{},\"dp4a_ms\":{:.5},\"cublaslt_ms\":{},\"digests_ms\":{:.5},\"digests_serial_ms\":{:.5},\"commit_two_pass_ms\":{},\"commit_fused_ms\":{}}}",
        p.device,
        p.m,
        p.k,
        p.n,
        opt(p.mma_ms),
        opt(p.mma_v1_ms),
        opt(p.wgmma_ms.clone().and_then(Result::ok)),
        opt(p.transpose_ms),
        p.dp4a_ms,
        opt(p.cublaslt_ms.clone().ok()),
        p.digests_ms,
        p.digests_serial_ms,
        opt(p.commit.as_ref().map(|c| c.two_pass_ms)),
        opt(p.commit.as_ref().and_then(|c| c.fused_ms.clone().ok())),
    )
}

/// `len` pseudo-random int8 values from `seed`.
fn random_i8(seed: u64, len: usize) -> Vec<i8> {
    let mut h = blake3::Hasher::new();
    h.update(b"proofwork/gpu_profile/host");
    h.update(&seed.to_le_bytes());
    let mut out = vec![0u8; len];
    h.finalize_xof().fill(&mut out);
    out.into_iter().map(|v| v as i8).collect()
}

/// `gemm_and_commit` on the host, two-pass then fused, alternating, `runs` each: the median
/// wall-clock milliseconds of each (after one warm-up of each), after checking that both
/// give the same root.
#[allow(clippy::disallowed_methods)] // benchmark timing on the host, nothing on chain
fn host_commit(
    dev: &CudaBackend,
    m: usize,
    k: usize,
    n: usize,
    runs: usize,
) -> Result<(f64, f64), KernelError> {
    let a = random_i8(1, m * k);
    let b = random_i8(2, k * n);
    let two = dev.commit_with(false, &a, &b, m, k, n)?;
    let fused = dev.commit_with(true, &a, &b, m, k, n)?;
    if two.tree.root() != fused.tree.root() || two.c != fused.c {
        return Err(KernelError::Cuda {
            op: "host commit",
            reason: "fused and two-pass commitments differ".into(),
        });
    }
    let mut times = [Vec::new(), Vec::new()];
    for _ in 0..runs {
        for (fused, t) in [false, true].into_iter().zip(times.iter_mut()) {
            let start = std::time::Instant::now();
            let got = dev.commit_with(fused, &a, &b, m, k, n)?;
            t.push(start.elapsed().as_secs_f64() * 1e3);
            if got.tree.root() != two.tree.root() {
                return Err(KernelError::Cuda {
                    op: "host commit",
                    reason: "commitment changed between runs".into(),
                });
            }
        }
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let [mut t2, mut tf] = times;
    Ok((median(&mut t2), median(&mut tf)))
}

/// Runs of each `gemm_and_commit` path on the host per shape.
const HOST_RUNS: usize = 5;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut iters = 20;
    let mut shapes = Vec::new();
    let mut tma = true;
    let mut skip = Vec::new();
    let mut sweep = false;
    let mut i = 0;
    while i < args.len() {
        if args[i] == "--sweep" {
            sweep = true;
            i += 1;
            continue;
        }
        if args[i] == "--no-tma" {
            tma = false;
            i += 1;
            continue;
        }
        if args[i] == "--skip" {
            let variant = args
                .get(i + 1)
                .and_then(|v| TmaVariant::EVERY.into_iter().find(|t| t.name() == v));
            match variant {
                Some(v) => skip.push(v),
                None => {
                    eprintln!("--skip takes tma, tma-mc or tma-hash");
                    std::process::exit(2);
                }
            }
            i += 2;
            continue;
        }
        if args[i] == "--iters" {
            iters = args
                .get(i + 1)
                .and_then(|v| v.parse().ok())
                .unwrap_or(iters);
            i += 2;
            continue;
        }
        match parse_shape(&args[i]) {
            Some(s) => shapes.push(s),
            None => {
                eprintln!("bad shape {:?}: expected MxKxN", args[i]);
                std::process::exit(2);
            }
        }
        i += 1;
    }
    if shapes.is_empty() {
        shapes = vec![
            (4096, 4096, 4096),
            (8192, 4096, 4096),
            (16384, 4096, 4096),
            (4096, 4096, 16384),
        ];
    }
    let dev = match CudaBackend::new(0) {
        Ok(dev) if tma => skip.into_iter().fold(dev, CudaBackend::without_tma_variant),
        Ok(dev) => dev.without_tma(),
        Err(KernelError::NoDevice { reason }) => {
            println!("skipped: no CUDA device ({reason})");
            return;
        }
        Err(e) => {
            eprintln!("cuda backend failed to open: {e}");
            std::process::exit(1);
        }
    };
    println!("device: {}", dev.device_name());
    let schedules = if sweep {
        let mut s: Vec<TmaSchedule> = [0, 1, 4, 8, 16, 32]
            .into_iter()
            .map(|rows| TmaSchedule {
                band_rows: Some(rows),
                ..TmaSchedule::default()
            })
            .collect();
        s.push(TmaSchedule {
            blocks: Some(u32::MAX),
            ..TmaSchedule::default()
        });
        s.push(TmaSchedule {
            direct_store: true,
            ..TmaSchedule::default()
        });
        s
    } else {
        Vec::new()
    };
    let mut rows = Vec::new();
    for (m, k, n) in shapes {
        match dev.profile(m, k, n, iters, &schedules) {
            Ok(p) => {
                println!("{}", json(&p));
                rows.push(p);
            }
            Err(e) => {
                eprintln!("{m}x{k}x{n}: {e}");
                std::process::exit(1);
            }
        }
    }
    println!();
    // One row per shape: times (ms), cuBLASLt's TOPS, each custom kernel's speed as a
    // fraction of cuBLASLt's (`x/lt` = lt time / x time; the issue's goal is ≥ 0.9), then the
    // row digests against the GEMM the backend runs (`dev.auto_tma()` on Hopper, else
    // mma.sync v2, else __dp4a). mma.sync v1, __dp4a and the one-thread-per-row digests are
    // in the JSON lines.
    let short = |v: TmaVariant| v.kernel().name().trim_start_matches("tma-");
    let mut head = vec!["m×k×n".to_owned(), "mma ms".into(), "wg ms".into()];
    head.extend(TmaVariant::ALL.map(|v| format!("{} ms", short(v))));
    head.extend([
        "lt ms".into(),
        "dig ms".into(),
        "lt TOPS".into(),
        "wg/lt".into(),
    ]);
    head.extend(TmaVariant::ALL.map(|v| format!("{}/lt", short(v))));
    head.push("dig/gemm".into());
    println!("{}", row(&head));
    for p in &rows {
        let lt = p.cublaslt_ms.clone().ok();
        let f = |v: Option<f64>| v.map_or("-".to_owned(), |v| format!("{v:.3}"));
        let ratio = |ours: Option<f64>| match (ours, lt) {
            (Some(a), Some(b)) => format!("{:.2}", b / a),
            _ => "-".to_owned(),
        };
        let wg = p.wgmma_ms.clone().and_then(Result::ok);
        let gemm_ms = p
            .tma_ms(dev.auto_tma())
            .or(wg)
            .or(p.mma_ms)
            .unwrap_or(p.dp4a_ms);
        let mut cells = vec![format!("{}x{}x{}", p.m, p.k, p.n), f(p.mma_ms), f(wg)];
        cells.extend(TmaVariant::ALL.map(|v| f(p.tma_ms(v))));
        cells.extend([
            f(lt),
            f(Some(p.digests_ms)),
            lt.map_or("-".to_owned(), |ms| format!("{:.0}", p.tops(ms))),
            ratio(wg),
        ]);
        cells.extend(TmaVariant::ALL.map(|v| ratio(p.tma_ms(v))));
        cells.push(format!("{:.2}", p.digests_ms / gemm_ms));
        println!("{}", row(&cells));
        if let Some(Err(e)) = &p.wgmma_ms {
            println!("  wgmma FAILED: {e}");
        }
        for t in &p.tma {
            if let Err(e) = &t.ms {
                println!("  {} FAILED: {e}", t.variant.kernel().name());
            }
        }
        if let Err(e) = &p.cublaslt_ms {
            println!("  cublasLt unavailable: {e}");
        }
    }
    if rows.iter().any(|p| p.commit.is_some()) {
        println!();
        println!(
            "commitment (GEMM + row digests of C; x/lt = our time / cuBLASLt's GEMM alone, \
             goal ≤ 1.10; host = gemm_and_commit end to end, median of {HOST_RUNS})"
        );
        let head = [
            "m×k×n",
            "lt ms",
            "tma ms",
            "2pass ms",
            "fused ms",
            "2pass/lt",
            "fused/lt",
            "fused/tma",
            "host 2p",
            "host fu",
        ];
        println!("{}", row(&head.map(str::to_owned)));
        for p in &rows {
            let Some(c) = &p.commit else { continue };
            let lt = p.cublaslt_ms.clone().ok();
            let tma = p.tma_ms(TmaVariant::Solo);
            let f = |v: Option<f64>| v.map_or("-".to_owned(), |v| format!("{v:.4}"));
            let over = |num: Option<f64>, den: Option<f64>| match (num, den) {
                (Some(a), Some(b)) => format!("{:.3}", a / b),
                _ => "-".to_owned(),
            };
            let fused = c.fused_ms.clone().ok();
            let host = host_commit(&dev, p.m, p.k, p.n, HOST_RUNS);
            let (h2, hf) = match &host {
                Ok((a, b)) => (format!("{a:.1}"), format!("{b:.1}")),
                Err(_) => ("-".to_owned(), "-".to_owned()),
            };
            println!(
                "{}",
                row(&[
                    format!("{}x{}x{}", p.m, p.k, p.n),
                    f(lt),
                    f(tma),
                    f(Some(c.two_pass_ms)),
                    f(fused),
                    over(Some(c.two_pass_ms), lt),
                    over(fused, lt),
                    over(fused, tma),
                    h2,
                    hf,
                ])
            );
            if let Err(e) = &c.fused_ms {
                println!("  tma-hash FAILED: {e}");
            }
            if let Err(e) = host {
                println!("  host commit FAILED: {e}");
            }
        }
    }
    if rows.iter().any(|p| !p.tma_sweep.is_empty()) {
        let blocks = |v| dev.tma_blocks(v).map_or("-".to_owned(), |b| b.to_string());
        println!();
        let grids: Vec<String> = TmaVariant::ALL
            .into_iter()
            .map(|v| format!("{} {}", v.kernel().name(), blocks(v)))
            .collect();
        println!(
            "tile schedules (band: tile rows per band, 0 = one band, auto = {} rows; grid: \
             blocks, auto = resident: {})",
            dev.tma_blocks(TmaVariant::Solo)
                .map_or(0, proofwork_kernels::default_band_rows),
            grids.join(", "),
        );
        let head = [
            "m×k×n", "build", "band", "grid", "store", "ms", "TOPS", "x/lt",
        ];
        println!("{}", row(&head.map(str::to_owned)));
        for p in &rows {
            let lt = p.cublaslt_ms.clone().ok();
            for pt in &p.tma_sweep {
                let auto = |v: Option<u32>| match v {
                    None => "auto".to_owned(),
                    Some(u32::MAX) => "tiles".to_owned(),
                    Some(v) => v.to_string(),
                };
                let (ms, tops, ratio) = match (&pt.ms, lt) {
                    (Ok(ms), Some(lt)) => (
                        format!("{ms:.4}"),
                        format!("{:.0}", p.tops(*ms)),
                        format!("{:.3}", lt / ms),
                    ),
                    (Ok(ms), None) => (
                        format!("{ms:.4}"),
                        format!("{:.0}", p.tops(*ms)),
                        "-".into(),
                    ),
                    (Err(e), _) => (format!("FAILED: {e}"), "-".into(), "-".into()),
                };
                println!(
                    "{}",
                    row(&[
                        format!("{}x{}x{}", p.m, p.k, p.n),
                        pt.variant.kernel().name().to_owned(),
                        auto(pt.schedule.band_rows),
                        auto(pt.schedule.blocks),
                        if pt.schedule.direct_store {
                            "direct"
                        } else {
                            "auto"
                        }
                        .to_owned(),
                        ms,
                        tops,
                        ratio,
                    ])
                );
            }
        }
    }
}

/// One table row: the shape 18 wide, the rest 9 wide, right-aligned.
fn row(cells: &[String]) -> String {
    cells
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{c:>w$}", w = if i == 0 { 18 } else { 9 }))
        .collect::<Vec<_>>()
        .join(" ")
}
