//! Replays every committed corpus file (`fuzz/corpus/<target>/*`) and regression input
//! (`fuzz/regressions/<target>/*`) through its target, on stable: what CI runs instead of
//! fuzzing. A failure names the files that panicked.

use std::path::{Path, PathBuf};

fn files(dir: &Path) -> Vec<PathBuf> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = rd
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    out.sort();
    out
}

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn replay(name: &str) {
    let t = proofwork_fuzz::target(name).expect("known target");
    let corpus = files(&fuzz_dir().join("corpus").join(name));
    let regressions = files(&fuzz_dir().join("regressions").join(name));
    assert!(!corpus.is_empty(), "target {name} has no committed corpus");
    let mut failed = Vec::new();
    for f in corpus.iter().chain(&regressions) {
        let data = std::fs::read(f).expect("read corpus file");
        if std::panic::catch_unwind(|| (t.run)(&data)).is_err() {
            failed.push(f.display().to_string());
        }
    }
    assert!(failed.is_empty(), "{name}: inputs that panic: {failed:#?}");
    eprintln!(
        "{name}: {} corpus + {} regression inputs pass",
        corpus.len(),
        regressions.len()
    );
}

macro_rules! replay_tests {
    ($($t:ident),* $(,)?) => {
        $(#[test]
        fn $t() {
            replay(stringify!($t));
        })*
    };
}

replay_tests!(
    tx,
    beacon,
    merkle,
    state_proof,
    reveal,
    genesis,
    snapshot,
    blobs,
    abci,
    app
);

/// Every target has a replay test above.
#[test]
fn every_target_is_replayed() {
    let listed = [
        "tx",
        "beacon",
        "merkle",
        "state_proof",
        "reveal",
        "genesis",
        "snapshot",
        "blobs",
        "abci",
        "app",
    ];
    let names: Vec<&str> = proofwork_fuzz::TARGETS.iter().map(|t| t.name).collect();
    assert_eq!(names, listed);
}

/// The hand-made seeds run clean (they are also the start of each corpus).
#[test]
fn seeds_pass() {
    for t in proofwork_fuzz::TARGETS {
        let seeds = (t.seeds)();
        assert!(!seeds.is_empty(), "{} has no seeds", t.name);
        for s in &seeds {
            (t.run)(s);
        }
    }
}

/// Writes the seeds into `fuzz/corpus/<target>/` (run once with `--ignored` when a target
/// is added; `scripts/fuzz.sh` grows and `cargo fuzz cmin` shrinks the rest).
#[test]
#[ignore]
fn write_seeds() {
    for t in proofwork_fuzz::TARGETS {
        proofwork_fuzz::write_seeds(t.name, &fuzz_dir().join("corpus").join(t.name)).unwrap();
    }
}
