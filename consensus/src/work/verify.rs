//! The beacon and the spot check of a reveal (DESIGN.md "Useful work", steps 4–6).
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

use proofwork_kernels::{freivalds, merkle, MerkleProof};
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
    }))
}

/// Stage 1: the revealed rows are exactly the sampled ones, with exact lengths and valid
/// Merkle proofs under the job's roots. Returns `C`'s rows decoded.
///
/// # Errors
/// [`TxError::RowsNotSampled`], [`TxError::RevealRowLength`], [`TxError::RevealProof`].
pub fn check_proofs(ctx: &RevealContext, rows: &[RevealedRow]) -> Result<Vec<Vec<i32>>, TxError> {
    let sample = ctx.sampled_rows();
    if rows.len() != sample.len() {
        return Err(TxError::RowsNotSampled {
            reason: format!("{} rows revealed, {} sampled", rows.len(), sample.len()),
        });
    }
    let (k, n) = (u64::from(ctx.k), u64::from(ctx.n));
    // One row's checks; rows are independent, so they run in parallel, and the first error
    // in row order is reported (the same on every validator, whatever the scheduling).
    let check_row = |row: &RevealedRow, want: u64| -> Result<Vec<i32>, TxError> {
        if row.index != want {
            return Err(TxError::RowsNotSampled {
                reason: format!("row {} revealed where row {want} was sampled", row.index),
            });
        }
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
        let a: Vec<i8> = row.a_row.iter().map(|&b| b as i8).collect();
        let c: Vec<i32> = row
            .c_row
            .chunks_exact(4)
            .map(|w| i32::from_le_bytes([w[0], w[1], w[2], w[3]]))
            .collect();
        let proof = |siblings: &[[u8; 32]]| MerkleProof {
            index: row.index,
            leaf_count: u64::from(ctx.m),
            siblings: siblings.to_vec(),
        };
        merkle::verify_proof(&ctx.a_root, &merkle::leaf_hash_i8(&a), &proof(&row.a_proof))
            .map_err(|e| TxError::RevealProof {
                what: "a",
                index: row.index,
                reason: e.to_string(),
            })?;
        merkle::verify_proof(
            &ctx.c_root,
            &merkle::leaf_hash_i32(&c),
            &proof(&row.c_proof),
        )
        .map_err(|e| TxError::RevealProof {
            what: "c",
            index: row.index,
            reason: e.to_string(),
        })?;
        Ok(c)
    };
    let checked: Vec<Result<Vec<i32>, TxError>> = rows
        .par_iter()
        .zip(sample.par_iter())
        .map(|(row, &want)| check_row(row, want))
        .collect();
    checked.into_iter().collect()
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
    let seed = r_seed(&ctx.beacon, ctx.model_id);
    if let Some(hit) = cache.and_then(|c| c.get_br(&seed)) {
        return Ok(hit);
    }
    let r = freivalds::derive_r(&seed, ctx.n as usize);
    let mdl = model(s, ctx.model_id)?
        .ok_or_else(|| StateError::Invariant(format!("model {} missing", ctx.model_id)))?;
    if !mdl.active {
        return Err(StateError::Invariant(format!(
            "job on inactive model {}",
            mdl.id
        )));
    }
    let b = match cache.and_then(|c| c.get_weights(mdl.id)) {
        Some(b) => b,
        None => {
            let b: Arc<Vec<i8>> = Arc::new(
                model_rows(s, &mdl, 0, mdl.k)?
                    .into_iter()
                    .map(|v| v as i8)
                    .collect(),
            );
            if let Some(c) = cache {
                c.put_weights(mdl.id, b.clone());
            }
            b
        }
    };
    let br = freivalds::mat_vec_b_r(&b, mdl.k as usize, mdl.n as usize, &r)
        .map_err(|e| StateError::Invariant(format!("B·r of model {}: {e}", mdl.id)))?;
    let out = (Arc::new(br), Arc::new(r));
    if let Some(c) = cache {
        c.put_br(seed, out.clone());
    }
    Ok(out)
}

/// The full check of a reveal against its context: stage 1 (shape and proofs) then
/// Freivalds on every sampled row, in exact integers on the CPU. With a cache, a result
/// computed earlier for the same `(tx hash, message index, context)` is reused: the
/// result is a pure function of those (the tx fixes the rows, the context everything else).
///
/// # Errors
/// `Ok(Err(_))` for a malformed reveal (see [`check_proofs`]); `Err(_)` for storage
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
    let result = match check_proofs(ctx, rows) {
        Err(e) => Err(e),
        Ok(c_rows) => {
            let (br, r) = b_times_r(s, ctx, key.as_ref().map(|(c, _)| *c))?;
            // In parallel; `position_first` keeps the verdict independent of scheduling.
            let bad = rows
                .par_iter()
                .zip(c_rows.par_iter())
                .position_first(|(row, c)| {
                    let a: Vec<i8> = row.a_row.iter().map(|&b| b as i8).collect();
                    !freivalds::check_row(&a, c, &br, &r)
                });
            Ok(match bad {
                None => Verdict::Pass,
                Some(i) => Verdict::Fail { row: rows[i].index },
            })
        }
    };
    if let Some((c, k)) = key {
        c.put_verdict(k, result.clone());
    }
    Ok(result)
}
