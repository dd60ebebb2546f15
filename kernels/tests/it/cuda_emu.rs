//! The CUDA row-digest kernels, run on the CPU: `row_digests.cu` compiled as C++ through a
//! small shim (`tests/cuda_emu/shim.h`: launches become loops over the grid) and checked
//! against the `blake3` crate, so the device digest code is tested on every machine, not
//! only where a GPU is lent. Skips (passing) when no C++ compiler is installed.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use proofwork_kernels::merkle;

/// Compiles the harness once per test run; `None` (with a message) without a compiler.
fn emulator() -> Option<&'static Path> {
    static BIN: OnceLock<Option<PathBuf>> = OnceLock::new();
    BIN.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cuda_emu");
        let out =
            std::env::temp_dir().join(format!("proofwork-row-digests-emu-{}", std::process::id()));
        let cxx = std::env::var("CXX").unwrap_or_else(|_| "c++".into());
        let status = Command::new(&cxx)
            .args([
                "-std=c++17",
                "-O2",
                "-fno-strict-aliasing",
                "-Wall",
                "-Wno-unknown-pragmas",
                "-Werror",
            ])
            .arg(dir.join("row_digests_emu.cpp"))
            .arg("-o")
            .arg(&out)
            .status();
        match status {
            Ok(s) if s.success() => Some(out),
            Ok(s) => panic!("{cxx} failed to compile the row-digest emulator ({s})"),
            Err(e) => {
                eprintln!("skipped: no C++ compiler ({cxx}: {e})");
                None
            }
        }
    })
    .as_deref()
}

/// (one thread per row, chunk-parallel) digests of the `m×n` matrix `c` from the kernels.
fn device_digests(bin: &Path, c: &[i32], m: usize, n: usize) -> (Vec<[u8; 32]>, Vec<[u8; 32]>) {
    let mut child = Command::new(bin)
        .args([m.to_string(), n.to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("run the emulator");
    let input: Vec<u8> = c.iter().flat_map(|v| v.to_le_bytes()).collect();
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(&input)
        .expect("write matrix");
    let out = child.wait_with_output().expect("emulator output");
    assert!(out.status.success(), "emulator failed: {}", out.status);
    assert_eq!(out.stdout.len(), 64 * m);
    let digests = |b: &[u8]| -> Vec<[u8; 32]> {
        b.chunks_exact(32)
            .map(|d| d.try_into().expect("32 bytes"))
            .collect()
    };
    (
        digests(&out.stdout[..32 * m]),
        digests(&out.stdout[32 * m..]),
    )
}

#[test]
fn cuda_row_digest_kernels_match_blake3_on_the_cpu() {
    let Some(bin) = emulator() else { return };
    // Widths around the chunk boundaries (256 columns a chunk) and block boundaries (16
    // columns): one chunk (n ≤ 256, hashed with ROOT by one thread), partial last blocks
    // and chunks; n % 4 == 0 takes the 16-byte-load path, other widths word loads; 4096 is
    // the protocol's usual width (16 chunks), 4097 one more word; 768 and 1280 odd chunk
    // counts (a node promoted unpaired); 65,536 the widest merge (256 chunks) and 65,537
    // one past it (the one-thread-per-row kernel).
    for (m, n) in [
        (3, 1),
        (2, 3),
        (5, 15),
        (5, 16),
        (4, 17),
        (3, 255),
        (3, 256),
        (3, 257),
        (2, 768),
        (2, 1000),
        (2, 1280),
        (3, 4096),
        (2, 4097),
        (1, 65_536),
        (1, 65_537),
    ] {
        let c: Vec<i32> = super::bytes(n as u64 * 7 + m as u64, 4 * m * n)
            .chunks_exact(4)
            .map(|w| i32::from_le_bytes([w[0] as u8, w[1] as u8, w[2] as u8, w[3] as u8]))
            .collect();
        let want = merkle::row_digests_i32(&c, m, n).expect("shape");
        let (serial, fast) = device_digests(bin, &c, m, n);
        assert_eq!(serial, want, "one thread per row, {m}x{n}");
        assert_eq!(fast, want, "chunk-parallel, {m}x{n}");
    }
    // Extremes: all-zero and all-(-1) rows.
    for fill in [0i32, -1, i32::MIN] {
        let (m, n) = (2, 300);
        let c = vec![fill; m * n];
        let (serial, fast) = device_digests(bin, &c, m, n);
        let want = merkle::row_digests_i32(&c, m, n).expect("shape");
        assert_eq!((serial, fast), (want.clone(), want));
    }
    // Best effort: the binary lives in the temp dir and is rebuilt on the next run anyway.
    let _ = std::fs::remove_file(bin);
}
