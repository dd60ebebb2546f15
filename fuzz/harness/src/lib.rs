//! Fuzz target bodies for proofwork: one `run(&[u8])` per input surface.
//!
//! The cargo-fuzz project in `fuzz/` (nightly, its own workspace) wraps each function in a
//! `fuzz_target!`; the `replay` test of this crate runs every committed corpus and
//! regression input through the same functions on stable, which is what CI runs. A target
//! panics only on a real bug: an input the code under test panicked on, or a broken
//! invariant (asserted here with the reason).

pub mod abci;
pub mod app;
pub mod beacon;
pub mod blobs;
pub mod fixture;
pub mod genesis;
pub mod input;
pub mod merkle;
pub mod reveal;
pub mod snapshot;
pub mod state_proof;
pub mod tx;

/// A target: its name (of `fuzz/fuzz_targets/<name>.rs` and of its corpus and regression
/// folders), its body, and its hand-made seed inputs.
pub struct Target {
    /// Name.
    pub name: &'static str,
    /// Body: panics only on a bug.
    pub run: fn(&[u8]),
    /// Seed inputs that reach the target's accepting paths.
    pub seeds: fn() -> Vec<Vec<u8>>,
}

macro_rules! targets {
    ($($m:ident),* $(,)?) => {
        /// Every target.
        pub const TARGETS: &[Target] = &[$(Target {
            name: stringify!($m),
            run: $m::run,
            seeds: $m::seeds,
        }),*];
    };
}

targets!(
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

/// The target called `name`.
pub fn target(name: &str) -> Option<&'static Target> {
    TARGETS.iter().find(|t| t.name == name)
}

/// Writes target `name`'s seeds into `dir` as `seed-<blake3 prefix>` files. The cargo-fuzz
/// wrappers call it at start-up when `PROOFWORK_FUZZ_SEED_DIR` is set (scripts/fuzz.sh sets
/// it to the target's scratch corpus), so every run starts from the seeds as well as the
/// committed corpus.
///
/// # Errors
/// An unknown target or a failed write.
pub fn write_seeds(name: &str, dir: &std::path::Path) -> std::io::Result<()> {
    let t = target(name).ok_or_else(|| {
        std::io::Error::new(std::io::ErrorKind::NotFound, format!("no target {name}"))
    })?;
    std::fs::create_dir_all(dir)?;
    for s in (t.seeds)() {
        let name = format!("seed-{}", &blake3::hash(&s).to_hex()[..16]);
        std::fs::write(dir.join(name), s)?;
    }
    Ok(())
}

/// The cargo-fuzz start-up hook: [`write_seeds`] into `PROOFWORK_FUZZ_SEED_DIR` if set.
pub fn init(name: &str) {
    if let Some(dir) = std::env::var_os("PROOFWORK_FUZZ_SEED_DIR") {
        if let Err(e) = write_seeds(name, std::path::Path::new(&dir)) {
            eprintln!("writing the seeds of {name}: {e}");
        }
    }
}
