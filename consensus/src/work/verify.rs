//! The beacon and the spot check of a reveal (docs/design.md "Useful work", steps 4–6).
//!
//! For a job committed at height `c`, the beacon is the hash of block `c + 1`, recorded in
//! state at the end of that block, so it did not exist when the commitment was made:
//!
//! - rows:  `sample_rows(BLAKE3("proofwork/work/rows/v1" ‖ beacon ‖ job id), m, k)`
//! - r:     `derive_r(BLAKE3("proofwork/work/frvr/v1" ‖ beacon ‖ model id), n)`, shared by
//!   every job on the model whose beacon is the same block, so `B·r` is computed once per
//!   model per block ([`super::WorkCache`]).
//!
//! A reveal is checked in two stages. **Shape and proofs** (indices are exactly the sampled
//! rows, rows have exact lengths, every Merkle proof leads to the job's `a_root` / the
//! committed `c_root`): a failure is a [`TxError`] and makes the tx (and a proposal carrying
//! it) invalid. **Freivalds** (`A_i·(B·r) == C_i·r` in exact integers, see
//! `proofwork_kernels::freivalds`): with valid proofs, a failure is the worker's own signed
//! evidence that its committed `C` is wrong, so it is a valid tx with the [`Verdict::Fail`]
//! outcome: the bond is slashed.

use std::sync::Arc;

use proofwork_kernels::freivalds::{self, RowChecker};
use proofwork_kernels::merkle;
use proofwork_state::{StateError, StateRead};
use proofwork_tx::{Address, RevealedRow, TxError};
use rayon::prelude::*;

use super::cache::BrEntry;
use super::{block_hash, job, model, model_rows, params, JobStatus, WorkCache};

/// The result of a well-formed reveal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Every sampled row satisfies Freivalds' check.
    Pass,
    /// The first sampled row that does not.
    Fail {
        /// Row index.
        row: u64,
    },
}

/// Everything the spot check of one job's reveal depends on. All of it is fixed once the
/// commit is on chain and the beacon block is finalised, so a check result keyed by this
/// context and the tx is reusable (ProcessProposal → FinalizeBlock).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevealContext {
    /// Job.
    pub job_id: u64,
    /// Model.
    pub model_id: u64,
    /// Rows of `A`.
    pub m: u32,
    /// Rows of `B`.
    pub k: u32,
    /// Columns of `B`.
    pub n: u32,
    /// Root over the rows of `A`.
    pub a_root: [u8; 32],
    /// Committed root over the rows of `C`.
    pub c_root: [u8; 32],
    /// Hash of the block after the commit.
    pub beacon: [u8; 32],
    /// Rows to sample.
    pub sample_rows: u32,
    /// Sampled rows already revealed by earlier parts (a reveal split across txs goes on
    /// from here).
    pub first: u32,
}

impl RevealContext {
    /// A digest of every field, for cache keys.
    pub fn digest(&self) -> [u8; 32] {
        let mut h = blake3::Hasher::new();
        h.update(b"proofwork/work/ctx/v1");
        h.update(&self.job_id.to_be_bytes());
        h.update(&self.model_id.to_be_bytes());
        h.update(&self.m.to_be_bytes());
        h.update(&self.k.to_be_bytes());
        h.update(&self.n.to_be_bytes());
        h.update(&self.a_root);
        h.update(&self.c_root);
        h.update(&self.beacon);
        h.update(&self.sample_rows.to_be_bytes());
        if self.first > 0 {
            h.update(&self.first.to_be_bytes());
        }
        *h.finalize().as_bytes()
    }

    /// The rows the beacon picks for this job.
    pub fn sampled_rows(&self) -> Vec<u64> {
        freivalds::sample_rows(
            &rows_seed(&self.beacon, self.job_id),
            u64::from(self.m),
            u64::from(self.sample_rows),
        )
    }

    /// Whether `rows` are exactly a later run of the sample than the next part of this
    /// job's reveal (which starts at sampled row [`RevealContext::first`]): a part checked
    /// against a state in which an earlier part in the same block has not run yet.
    /// ProcessProposal leaves such a part to FinalizeBlock; anything else is checked.
    pub fn later_part(&self, rows: &[RevealedRow]) -> bool {
        let sample = self.sampled_rows();
        let Some(first) = rows.first() else {
            return false;
        };
        let Some(p) = sample.iter().position(|&i| i == first.index) else {
            return false;
        };
        p > self.first as usize
            && p + rows.len() <= sample.len()
            && rows.iter().zip(&sample[p..]).all(|(r, &i)| r.index == i)
    }
}

/// Seed of the sampled rows: `BLAKE3("proofwork/work/rows/v1" ‖ beacon ‖ job id BE)`.
pub fn rows_seed(beacon: &[u8; 32], job_id: u64) -> [u8; 32] {
    let mut h = blake3::Hasher::new();
    h.update(b"proofwork/work/rows/v1");
    h.update(beacon);
    h.update(&job_id.to_be_bytes());
    *h.finalize().as_bytes()
}

/// Seed of the Freivalds vector: `BLAKE3("proofwork/work/frvr/v1" ‖ beacon ‖ model id BE)`.
pub fn r_seed(beacon: &[u8; 32], model_id: u64) -> [u8; 32] {
    let mut h = blake3::Hasher::new();
    h.update(b"proofwork/work/frvr/v1");
    h.update(beacon);
    h.update(&model_id.to_be_bytes());
    *h.finalize().as_bytes()
}

/// Resolves the context of a reveal of `job_id` by `signer` at the current state: the job
/// must be committed by `signer`, its beacon block on chain, and the reveal deadline not
/// passed (`height` is the height the reveal executes in).
///
/// # Errors
/// `Ok(Err(_))` for the tx's fault (unknown job, wrong state or worker, beacon not ready,
/// deadline passed); `Err(_)` for storage failures.
pub fn reveal_context<S: StateRead>(
    s: &S,
    signer: &Address,
    job_id: u64,
    height: u64,
) -> Result<Result<RevealContext, TxError>, StateError> {
    let Some(j) = job(s, job_id)? else {
        return Ok(Err(TxError::UnknownJob { id: job_id }));
    };
    let JobStatus::Committed {
        worker,
        c_root,
        commit_height,
        reveal_deadline,
    } = j.status
    else {
        return Ok(Err(TxError::JobState {
            id: job_id,
            state: j.status.name(),
            expected: "committed",
        }));
    };
    if worker != signer.0 {
        return Ok(Err(TxError::NotJobWorker { id: job_id }));
    }
    if height > reveal_deadline {
        return Ok(Err(TxError::DeadlinePassed {
            deadline: reveal_deadline,
            height,
        }));
    }
    let beacon_height = commit_height.saturating_add(1);
    let Some(beacon) = block_hash(s, beacon_height)? else {
        return Ok(Err(TxError::BeaconNotReady {
            beacon_height,
            height,
        }));
    };
    let Some(mdl) = model(s, j.model_id)? else {
        return Err(StateError::Invariant(format!(
            "job {job_id} names missing model {}",
            j.model_id
        )));
    };
    Ok(Ok(RevealContext {
        job_id,
        model_id: j.model_id,
        m: j.m,
        k: mdl.k,
        n: mdl.n,
        a_root: j.a_root,
        c_root,
        beacon,
        sample_rows: params(s)?.sample_rows,
        first: super::revealed(s, job_id)?,
    }))
}

/// Rows checked by one task of [`check_rows`]: consecutive rows share one
/// [`merkle::PathMemo`] per tree (so shared upper nodes are hashed once), and the chunks run
/// in parallel.
const PROOF_CHUNK: usize = 24;

/// Stage 1 — the revealed rows are exactly the sampled ones, with exact lengths and valid
/// Merkle proofs under the job's roots; rows are hashed as the bytes the tx carries (the leaf
/// format is those bytes), so nothing is decoded or copied per value — and, given `B·r`,
/// stage 2 in the same pass over each row (its bytes are still in cache from hashing).
/// `Ok(Some(i))` names the first row (position in `rows`) that fails Freivalds, `Ok(None)`
/// means none does or no `checker` was given. A stage-1 error anywhere takes precedence over
/// every Freivalds failure, as if the stages ran one after the other.
///
/// # Errors
/// [`TxError::RowsNotSampled`], [`TxError::RevealRowLength`], [`TxError::RevealProof`]: the
/// first failing row in row order (the same on every validator, whatever the scheduling).
fn check_rows(
    ctx: &RevealContext,
    rows: &[RevealedRow],
    checker: Option<&RowChecker>,
) -> Result<Option<usize>, TxError> {
    let all = ctx.sampled_rows();
    let sample = all.get(ctx.first as usize..).unwrap_or_default();
    if rows.is_empty() || rows.len() > sample.len() {
        return Err(TxError::RowsNotSampled {
            reason: format!(
                "{} rows revealed; {} sampled, {} revealed before",
                rows.len(),
                all.len(),
                ctx.first
            ),
        });
    }
    let (k, n, m) = (u64::from(ctx.k), u64::from(ctx.n), u64::from(ctx.m));
    let check_row = |row: &RevealedRow,
                     want: u64,
                     a_memo: &mut merkle::PathMemo,
                     c_memo: &mut merkle::PathMemo|
     -> Result<(), TxError> {
        if row.index != want {
            return Err(TxError::RowsNotSampled {
                reason: format!("row {} revealed where row {want} was sampled", row.index),
            });
        }
        check_row_proofs(&ctx.a_root, &ctx.c_root, (m, k, n), row, a_memo, c_memo)
    };
    // Each chunk stops at its first stage-1 error and keeps its first Freivalds failure; the
    // chunks' results are in row order, so the first of each overall is the first row's.
    let chunk_results: Vec<Result<Option<usize>, TxError>> = rows
        .par_chunks(PROOF_CHUNK)
        .zip(sample[..rows.len()].par_chunks(PROOF_CHUNK))
        .enumerate()
        .map(|(chunk, (rows, want))| {
            let (mut a_memo, mut c_memo) = Default::default();
            let mut first_fail = None;
            for (i, (row, &w)) in rows.iter().zip(want).enumerate() {
                check_row(row, w, &mut a_memo, &mut c_memo)?;
                if first_fail.is_none()
                    && checker.is_some_and(|c| !c.check_bytes(&row.a_row, &row.c_row))
                {
                    first_fail = Some(chunk * PROOF_CHUNK + i);
                }
            }
            Ok(first_fail)
        })
        .collect();
    let mut first_fail = None;
    for r in chunk_results {
        first_fail = first_fail.or(r?);
    }
    Ok(first_fail)
}

/// `B·r` for the model and beacon of `ctx`, from the cache or computed from the stored `B`.
///
/// # Errors
/// Storage failures; a stored `B` the kernel refuses (corruption).
pub fn b_times_r<S: StateRead>(
    s: &S,
    ctx: &RevealContext,
    cache: Option<&WorkCache>,
) -> Result<BrEntry, StateError> {
    br_source(s, ctx.model_id, &ctx.beacon, cache)?.resolve(cache)
}

/// Computes and caches `B·r` of `model_id` under `beacon` before any reveal asks for it: the
/// node calls this off the consensus path as soon as the beacon of a block in which jobs on
/// the model were committed is on chain, so the reveals' spot checks (in ProcessProposal,
/// blocks later) find it cached and pay only for their rows. Returns whether it computed
/// anything (`false`: cached already, or the model is missing or not active).
///
/// # Errors
/// Storage failures; a stored `B` the kernel refuses.
pub fn warm_br<S: StateRead>(
    s: &S,
    model_id: u64,
    beacon: &[u8; 32],
    cache: &WorkCache,
) -> Result<bool, StateError> {
    if !model(s, model_id)?.is_some_and(|m| m.active) {
        return Ok(false);
    }
    match br_source(s, model_id, beacon, Some(cache))? {
        BrSource::Cached(_) => Ok(false),
        source => source.resolve(Some(cache)).map(|_| true),
    }
}

/// `B·r` cached, or what computing it needs, read from state (so the computation itself can
/// run on another thread without the state).
enum BrSource {
    Cached(BrEntry),
    Compute {
        seed: [u8; 32],
        model_id: u64,
        b: Arc<Vec<i8>>,
        k: u32,
        n: u32,
    },
}

fn br_source<S: StateRead>(
    s: &S,
    model_id: u64,
    beacon: &[u8; 32],
    cache: Option<&WorkCache>,
) -> Result<BrSource, StateError> {
    let seed = r_seed(beacon, model_id);
    if let Some(hit) = cache.and_then(|c| c.get_br(&seed)) {
        return Ok(BrSource::Cached(hit));
    }
    let mdl = model(s, model_id)?
        .ok_or_else(|| StateError::Invariant(format!("model {model_id} missing")))?;
    if !mdl.active {
        return Err(StateError::Invariant(format!(
            "job on inactive model {}",
            mdl.id
        )));
    }
    let b = weights(s, &mdl, cache)?;
    Ok(BrSource::Compute {
        seed,
        model_id: mdl.id,
        b,
        k: mdl.k,
        n: mdl.n,
    })
}

impl BrSource {
    fn resolve(self, cache: Option<&WorkCache>) -> Result<BrEntry, StateError> {
        let (seed, model_id, b, k, n) = match self {
            Self::Cached(hit) => return Ok(hit),
            Self::Compute {
                seed,
                model_id,
                b,
                k,
                n,
            } => (seed, model_id, b, k, n),
        };
        let r = freivalds::derive_r(&seed, n as usize);
        let br = freivalds::mat_vec_b_r(&b, k as usize, n as usize, &r)
            .map_err(|e| StateError::Invariant(format!("B·r of model {model_id}: {e}")))?;
        let out = Arc::new(RowChecker::new(br, r));
        if let Some(c) = cache {
            c.put_br(seed, out.clone());
        }
        Ok(out)
    }
}

/// A model's weights `B` as int8, from the cache or read from state (and then cached).
///
/// # Errors
/// Storage failures.
pub(crate) fn weights<S: StateRead>(
    s: &S,
    mdl: &super::Model,
    cache: Option<&WorkCache>,
) -> Result<Arc<Vec<i8>>, StateError> {
    if let Some(b) = cache.and_then(|c| c.get_weights(mdl.id)) {
        return Ok(b);
    }
    let b: Arc<Vec<i8>> = Arc::new(
        model_rows(s, mdl, 0, mdl.k)?
            .into_iter()
            .map(|v| v as i8)
            .collect(),
    );
    if let Some(c) = cache {
        c.put_weights(mdl.id, b.clone());
    }
    Ok(b)
}

/// Stage 1 for one row of a job with `m` rows of `A` (`k` wide) and `C` (`n` wide): both
/// rows have their lengths and are proven under `a_root` and `c_root`. Shared by the spot
/// check and by `ChallengeRow`.
///
/// # Errors
/// [`TxError::RevealRowLength`], [`TxError::RevealProof`].
pub(crate) fn check_row_proofs(
    a_root: &[u8; 32],
    c_root: &[u8; 32],
    (m, k, n): (u64, u64, u64),
    row: &RevealedRow,
    a_memo: &mut merkle::PathMemo,
    c_memo: &mut merkle::PathMemo,
) -> Result<(), TxError> {
    if row.a_row.len() as u64 != k {
        return Err(TxError::RevealRowLength {
            what: "a",
            index: row.index,
            got: row.a_row.len() as u64,
            expected: k,
        });
    }
    if row.c_row.len() as u64 != 4 * n {
        return Err(TxError::RevealRowLength {
            what: "c",
            index: row.index,
            got: row.c_row.len() as u64,
            expected: 4 * n,
        });
    }
    let proof_err = |what: &'static str| {
        move |e: proofwork_kernels::KernelError| TxError::RevealProof {
            what,
            index: row.index,
            reason: e.to_string(),
        }
    };
    let a_leaf = merkle::leaf_hash_i8_bytes(&row.a_row);
    merkle::verify_path(a_root, &a_leaf, row.index, m, &row.a_proof, a_memo)
        .map_err(proof_err("a"))?;
    let c_leaf = merkle::leaf_hash_i32_le(&row.c_row);
    merkle::verify_path(c_root, &c_leaf, row.index, m, &row.c_proof, c_memo).map_err(proof_err("c"))
}

/// The full check of a reveal against its context: stage 1 (shape and proofs) then
/// Freivalds on every sampled row, in exact integers on the CPU (see [`check_rows`] for
/// how the two are ordered when they run in one pass). With a cache, a result
/// computed earlier for the same `(tx hash, message index, context)` is reused: the
/// result is a pure function of those (the tx fixes the rows, the context everything else).
///
/// # Errors
/// `Ok(Err(_))` for a malformed reveal (see [`check_rows`]); `Err(_)` for storage
/// failures.
pub fn check_reveal<S: StateRead>(
    s: &S,
    ctx: &RevealContext,
    rows: &[RevealedRow],
    cache_key: Option<(&WorkCache, [u8; 32], u32)>,
) -> Result<Result<Verdict, TxError>, StateError> {
    let key = cache_key.map(|(c, tx, i)| (c, WorkCache::verdict_key(&tx, i, ctx)));
    if let Some(v) = key.as_ref().and_then(|(c, k)| c.get_verdict(k)) {
        return Ok(v);
    }
    let cache = key.as_ref().map(|(c, _)| *c);
    let outcome = match br_source(s, ctx.model_id, &ctx.beacon, cache)? {
        // The common case (a further job on the model in this block): one pass per row.
        BrSource::Cached(checker) => check_rows(ctx, rows, Some(&checker)),
        // The first job: compute `B·r` (memory-bound) while the rows are hashed and proven
        // (compute-bound), then Freivalds. `position_first` keeps the verdict independent
        // of scheduling.
        source => {
            let (proofs, checker) =
                rayon::join(|| check_rows(ctx, rows, None), || source.resolve(cache));
            let checker = checker?;
            proofs.map(|_| {
                rows.par_iter()
                    .position_first(|row| !checker.check_bytes(&row.a_row, &row.c_row))
            })
        }
    };
    let result = outcome.map(|bad| match bad {
        None => Verdict::Pass,
        Some(i) => Verdict::Fail { row: rows[i].index },
    });
    if let Some((c, k)) = key {
        c.put_verdict(k, result.clone());
    }
    Ok(result)
}
