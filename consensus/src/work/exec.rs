//! Executing the useful-work messages (tx field numbers 60–79, error codes 400–499).
//!
//! Each handler validates against state, then writes; a [`TxError`] means the caller drops
//! the message's writes. Funds only ever move through `accounts` (escrow and bonds are module
//! accounts), so supply conservation holds by construction and is checked every block.

use proofwork_kernels::merkle;
use proofwork_state::accounts::{self, CREDIT_DENOM};
use proofwork_state::royalties::{self, RoyaltyPolicy, RoyaltyShare};
use proofwork_state::{codec, ExecError, StateError, StateRead, StateWrite};
use proofwork_tx::{
    Address, AnswerDispute, CancelJob, ChallengeRow, ClaimJob, CommitWork, ConfirmOutput,
    DisputeOutput, PostJob, RegisterModel, RegisterWorker, RevealWork, RevealedRow, TxError,
    UploadModelChunk, WORK_K_LIMIT,
};

use super::verify::{check_reveal, reveal_context, RevealContext, Verdict};
use super::{
    commit_floor, get_u128, job_credits, params, put, reveal_floor, reveal_parts,
    reveal_rows_per_tx, sampled_count, save_job, state_key, Delivery, DeliveryState, Job,
    JobStatus, Model, WorkCache, WorkParams, Worker,
};

/// What a work message needs besides state and the signer.
#[derive(Debug, Clone, Copy)]
pub struct WorkEnv<'a> {
    /// Native denomination (bonds, prices).
    pub native_denom: &'a str,
    /// Spot-check cache (None: always recompute).
    pub cache: Option<&'a WorkCache>,
    /// Hash of the tx being executed (verdict cache key).
    pub tx_hash: [u8; 32],
    /// Position of the message in the tx (verdict cache key).
    pub msg_index: u32,
    /// The chain's largest tx (genesis `max_tx_bytes`): what sizes a reveal's parts and
    /// bounds the shapes a model may have.
    pub max_tx_bytes: u64,
}

use super::events::{
    CancelJobEvent, ClaimJobEvent, CommitWorkEvent, PostJobEvent, RegisterModelEvent,
    RegisterWorkerEvent, UnbondWorkerEvent, UploadModelChunkEvent, WorkEvent, WorkSlashedEvent,
    WorkVerifiedEvent,
};

fn fail<T>(e: TxError) -> Result<T, ExecError> {
    Err(ExecError::Tx(e))
}

fn load_model<S: StateRead>(s: &S, id: u64) -> Result<Model, ExecError> {
    super::model(s, id)?.ok_or(ExecError::Tx(TxError::UnknownModel { id }))
}

fn load_job<S: StateRead>(s: &S, id: u64) -> Result<Job, ExecError> {
    super::job(s, id)?.ok_or(ExecError::Tx(TxError::UnknownJob { id }))
}

fn load_worker<S: StateRead>(s: &S, addr: &[u8; 20]) -> Result<Worker, ExecError> {
    super::worker(s, addr)?.ok_or_else(|| {
        ExecError::Tx(TxError::NotWorker {
            address: Address(*addr).to_string(),
        })
    })
}

fn policy(m: &Model) -> RoyaltyPolicy {
    RoyaltyPolicy {
        shares: m
            .royalties
            .iter()
            .map(|(a, bps)| RoyaltyShare {
                recipient: Address(*a),
                bps: *bps,
            })
            .collect(),
    }
}

/// Registers a model (see [`RegisterModel`]).
///
/// # Errors
/// The message's [`TxError`], or a storage failure.
pub fn register_model<S: StateWrite>(
    s: &mut S,
    env: &WorkEnv<'_>,
    signer: &Address,
    msg: &RegisterModel,
) -> Result<WorkEvent, ExecError> {
    let &RegisterModel {
        k,
        n,
        b_root,
        ref royalties,
    } = msg;
    let p = params(s)?;
    if k == 0 || n == 0 {
        return fail(TxError::WorkDims {
            reason: "k and n must be positive".into(),
        });
    }
    if k >= WORK_K_LIMIT {
        return fail(TxError::KTooLarge {
            k: u64::from(k),
            limit: u64::from(WORK_K_LIMIT),
        });
    }
    if n > p.max_n {
        return fail(TxError::WorkDims {
            reason: format!("n = {n} exceeds {}", p.max_n),
        });
    }
    let bytes = u64::from(k) * u64::from(n);
    if bytes > p.max_model_bytes {
        return fail(TxError::WorkDims {
            reason: format!("k·n = {bytes} bytes exceeds {}", p.max_model_bytes),
        });
    }
    // Every job on the model must be revealable: one sampled row of the largest job (the
    // deepest proofs) must fit a tx. A reveal of more rows is split across txs.
    if reveal_rows_per_tx(env.max_tx_bytes, p.max_m, k, n) == 0 {
        return fail(TxError::JobTooLarge {
            reason: format!(
                "a revealed row of a {k}×{n} model takes up to {} bytes, more than a tx of \
                 {} bytes can carry",
                super::reveal_row_bytes(p.max_m, k, n),
                env.max_tx_bytes
            ),
        });
    }
    let pol = RoyaltyPolicy {
        shares: royalties
            .iter()
            .map(|(a, bps)| RoyaltyShare {
                recipient: *a,
                bps: *bps,
            })
            .collect(),
    };
    pol.check(u32::from(p.max_royalty_bps))?;
    let id = codec::next_id(s, state_key::NEXT_MODEL)?;
    let m = Model {
        id,
        owner: signer.0,
        k,
        n,
        b_root,
        royalties: royalties.iter().map(|(a, b)| (a.0, *b)).collect(),
        rows_uploaded: 0,
        active: false,
        registered_height: accounts::block_height(s)?,
        jobs_verified: 0,
        royalties_paid: 0,
    };
    put(s, state_key::model(id), &m);
    Ok(RegisterModelEvent {
        model_id: id,
        owner: *signer,
        k,
        n,
    }
    .into())
}

/// Stores rows of a model's `B` (see [`UploadModelChunk`]).
///
/// # Errors
/// The message's [`TxError`], or a storage failure.
pub fn upload_model_chunk<S: StateWrite>(
    s: &mut S,
    signer: &Address,
    msg: &UploadModelChunk,
) -> Result<WorkEvent, ExecError> {
    let &UploadModelChunk {
        model_id,
        first_row,
        ref rows,
    } = msg;
    let mut m = load_model(s, model_id)?;
    if m.active {
        return fail(TxError::ModelState {
            id: model_id,
            state: "already active",
        });
    }
    if m.owner != signer.0 {
        return fail(TxError::NotModelOwner);
    }
    let n = m.n as usize;
    if rows.is_empty() || !rows.len().is_multiple_of(n) {
        return fail(TxError::ChunkLength {
            reason: format!(
                "{} bytes is not a whole number of {n}-byte rows",
                rows.len()
            ),
        });
    }
    // The row root is built incrementally (docs/work.md "Uploading a model"): the frontier
    // of the rows so far (`O(log k)` digests) is kept under `work/bfront/{id}`, so a chunk
    // costs its own rows plus `O(log k)` node hashes, the one that completes `B` included.
    // A chunk either continues the upload (`first_row = rows_uploaded`) or restarts it
    // (`first_row = 0`); rewriting rows in the middle would invalidate the frontier.
    let frontier_key = state_key::model_frontier(model_id);
    let mut builder = if first_row == 0 {
        merkle::RowRootBuilder::new()
    } else if first_row == m.rows_uploaded {
        let stack: Vec<(u64, [u8; 32])> = super::get(s, &frontier_key)?.unwrap_or_default();
        match merkle::RowRootBuilder::from_frontier(stack) {
            Some(b) if b.leaf_count() == u64::from(first_row) => b,
            _ => {
                // A model registered before frontiers were kept: the upload restarts at 0.
                return fail(TxError::ChunkOutOfOrder {
                    first_row: u64::from(first_row),
                    uploaded: 0,
                });
            }
        }
    } else {
        return fail(TxError::ChunkOutOfOrder {
            first_row: u64::from(first_row),
            uploaded: u64::from(m.rows_uploaded),
        });
    };
    let count = rows.len() / n;
    let end = u64::from(first_row) + count as u64;
    if end > u64::from(m.k) {
        return fail(TxError::ChunkLength {
            reason: format!("rows {first_row}..{end} run past the model's {} rows", m.k),
        });
    }
    // A row is stored as its n bytes: the borsh form of a fixed `[i8; n]` (no length prefix).
    for (i, row) in rows.chunks_exact(n).enumerate() {
        builder.push_row(row);
        s.put_raw(
            state_key::model_row(model_id, first_row + i as u32),
            row.to_vec(),
        );
    }
    // end ≤ k < 2^17 fits u32. After a restart rows past `end` are stale until rewritten:
    // only the prefix `rows_uploaded` counts (and is covered by the frontier).
    m.rows_uploaded = end as u32;
    if m.rows_uploaded == m.k {
        let root = builder
            .root()
            .ok_or_else(|| StateError::Invariant(format!("model {model_id}: no rows")))?;
        if root != m.b_root {
            // Refused, so nothing above is kept: the upload stays one chunk short, and a
            // retry costs what this one did (its rows and log k hashes), paid by its fee.
            return fail(TxError::ModelRootMismatch {
                expected: hex::encode(m.b_root),
                got: hex::encode(root),
            });
        }
        m.active = true;
        s.delete(frontier_key);
    } else {
        put(s, frontier_key, &builder.frontier().to_vec());
    }
    put(s, state_key::model(model_id), &m);
    Ok(UploadModelChunkEvent {
        model_id,
        rows_uploaded: m.rows_uploaded,
        active: m.active,
    }
    .into())
}

/// Releases one of `w`'s claims. When that was its last and its unbonding period is over,
/// its release is indexed for the end of this block (`work/unbdue/{height}`): the index
/// entry of its `release_at` was consumed while it still held a job.
///
/// # Errors
/// Storage failures.
pub(crate) fn release_claim<S: StateWrite>(
    s: &mut S,
    w: &mut Worker,
    height: u64,
) -> Result<(), StateError> {
    w.active_claims = w.active_claims.saturating_sub(1);
    if w.active_claims == 0 {
        if let Some(release_at) = super::unbonding(s, &w.address)? {
            if release_at <= height {
                s.put_raw(state_key::unbond_due(height, &w.address), Vec::new());
            }
        }
    }
    Ok(())
}

/// Registers or tops up a worker (see [`RegisterWorker`]).
///
/// # Errors
/// The message's [`TxError`], or a storage failure.
pub fn register_worker<S: StateWrite>(
    s: &mut S,
    env: &WorkEnv<'_>,
    signer: &Address,
    msg: &RegisterWorker,
) -> Result<WorkEvent, ExecError> {
    let &RegisterWorker { bond, validator } = msg;
    // A top-up during unbonding would be released with the rest; refuse it so the request
    // stays the worker's last word on its bond (it re-registers after the release).
    if super::unbonding(s, &signer.0)?.is_some() {
        return fail(TxError::WorkerUnbonding {
            address: signer.to_string(),
        });
    }
    if let Some(pk) = validator {
        if s.get_raw(&crate::validators::state_key::validator(&pk))?
            .is_none()
        {
            return fail(TxError::UnknownWorkValidator {
                pub_key: hex::encode(pk),
            });
        }
    }
    let existing = super::worker(s, &signer.0)?;
    let p = params(s)?;
    // A new worker bonds at least `min_bond` (one claim's worth): a worker with nothing at
    // stake could only be slashed nothing.
    if existing.is_none() && bond < p.min_bond.max(1) {
        return fail(TxError::BondTooLow {
            bond,
            needed: p.min_bond.max(1),
        });
    }
    let bonds = accounts::module_address(state_key::BOND_MODULE);
    accounts::move_funds(s, signer, &bonds, env.native_denom, bond)?;
    let mut w = existing.unwrap_or(Worker {
        address: signer.0,
        bond: 0,
        validator: None,
        active_claims: 0,
        jobs_verified: 0,
        slashes: 0,
        credits_earned: 0,
        slashed_total: 0,
    });
    w.bond = w.bond.checked_add(bond).ok_or_else(|| TxError::Overflow {
        what: "worker bond".into(),
    })?;
    if validator.is_some() {
        w.validator = validator;
    }
    put(s, state_key::worker(&signer.0), &w);
    Ok(RegisterWorkerEvent {
        worker: *signer,
        bond: w.bond,
    }
    .into())
}

/// `UnbondWorker` (docs/work.md "Unbonding"): records the earliest release height; the bond
/// stays in `work/bonds`, slashable, until [`super::block::release_unbonded`] returns it.
/// Starts unbonding the signing worker (see [`UnbondWorker`](proofwork_tx::UnbondWorker)).
///
/// # Errors
/// The message's [`TxError`], or a storage failure.
pub fn unbond_worker<S: StateWrite>(s: &mut S, signer: &Address) -> Result<WorkEvent, ExecError> {
    let w = load_worker(s, &signer.0)?;
    if let Some(release_at) = super::unbonding(s, &signer.0)? {
        return fail(TxError::AlreadyUnbonding {
            address: signer.to_string(),
            release_at,
        });
    }
    let p = params(s)?;
    let release_at = accounts::block_height(s)?.saturating_add(p.unbonding_blocks);
    put(s, state_key::unbonding(&signer.0), &release_at);
    s.put_raw(state_key::unbond_due(release_at, &signer.0), Vec::new());
    Ok(UnbondWorkerEvent {
        worker: *signer,
        bond: w.bond,
        active_claims: w.active_claims,
        release_at,
    }
    .into())
}

fn window(given: u32, default: u32, floor: u64, max: u32, what: &str) -> Result<u32, ExecError> {
    // floor ≤ max (checked by the caller), so it fits u32.
    let floor = u32::try_from(floor).unwrap_or(u32::MAX);
    let w = if given == 0 {
        default.max(floor)
    } else {
        given
    };
    if w < floor || w > max {
        return fail(TxError::BadWorkDeadline {
            reason: format!(
                "{what} window of {w} blocks is outside {floor}..={max} (the floor is scaled \
                 to the job's size: docs/work.md \"Sizes and windows\")"
            ),
        });
    }
    Ok(w)
}

/// The job's size limits and its windows (docs/work.md "Sizes and windows"): `A` and `C`
/// must each fit `max_job_bytes`, its reveal must split into txs of `max_tx_bytes`, and
/// each window must be at least its floor (0 takes the larger of the default and the
/// floor), which must itself fit `max_window_blocks`.
///
/// # Errors
/// [`TxError::JobTooLarge`], [`TxError::BadWorkDeadline`].
pub fn job_windows(
    p: &WorkParams,
    max_tx_bytes: u64,
    m: u32,
    mdl: &Model,
    commit_blocks: u32,
    reveal_blocks: u32,
) -> Result<(u32, u32), ExecError> {
    let a_bytes = u64::from(m) * u64::from(mdl.k);
    let c_bytes = 4 * u64::from(m) * u64::from(mdl.n);
    if a_bytes.max(c_bytes) > p.max_job_bytes {
        return fail(TxError::JobTooLarge {
            reason: format!(
                "A is {a_bytes} bytes and C {c_bytes} bytes; each may be at most {}",
                p.max_job_bytes
            ),
        });
    }
    let Some(parts) = reveal_parts(p, max_tx_bytes, m, mdl.k, mdl.n) else {
        return fail(TxError::JobTooLarge {
            reason: format!("a revealed row does not fit a tx of {max_tx_bytes} bytes"),
        });
    };
    let cf = commit_floor(p, m, mdl.k, mdl.n);
    let rf = reveal_floor(p, parts);
    let max = u64::from(p.max_window_blocks);
    if cf > max || rf > max {
        return fail(TxError::JobTooLarge {
            reason: format!(
                "its windows would need {cf} (commit) and {rf} (reveal) blocks, more than the \
                 chain's {max}"
            ),
        });
    }
    Ok((
        window(
            commit_blocks,
            p.default_commit_blocks,
            cf,
            p.max_window_blocks,
            "commit",
        )?,
        window(
            reveal_blocks,
            p.default_reveal_blocks,
            rf,
            p.max_window_blocks,
            "reveal",
        )?,
    ))
}

#[allow(clippy::too_many_arguments)]
/// Posts a job, escrowing its price (see [`PostJob`]).
///
/// # Errors
/// The message's [`TxError`], or a storage failure.
pub fn post_job<S: StateWrite>(
    s: &mut S,
    env: &WorkEnv<'_>,
    signer: &Address,
    msg: &PostJob,
) -> Result<WorkEvent, ExecError> {
    let &PostJob {
        model_id,
        a_root,
        m,
        price,
        commit_blocks,
        reveal_blocks,
        ref denom,
    } = msg;
    let denom = denom.as_deref();
    let in_credits = match denom {
        None => false,
        Some(d) if d == env.native_denom => false,
        Some(CREDIT_DENOM) => true,
        Some(d) => {
            return fail(TxError::BadJobDenom {
                denom: d.to_string(),
                native: env.native_denom.to_string(),
                credits: CREDIT_DENOM.to_string(),
            })
        }
    };
    let p = params(s)?;
    let mdl = load_model(s, model_id)?;
    if !mdl.active {
        return fail(TxError::ModelState {
            id: model_id,
            state: "still uploading",
        });
    }
    if m == 0 || m > p.max_m {
        return fail(TxError::WorkDims {
            reason: format!("m = {m} is outside 1..={}", p.max_m),
        });
    }
    let (commit_blocks, reveal_blocks) =
        job_windows(&p, env.max_tx_bytes, m, &mdl, commit_blocks, reveal_blocks)?;
    // In credits the unit is the work itself: the price is exactly the credits the job's
    // work is worth (at least, so work is not bought below its size; at most, so an
    // over-priced tiny job cannot carry credits from one account to another — moving `C`
    // credits costs `C · macs_per_credit` spot-checked MACs). In the chain denomination,
    // at least `min_price_per_credit` per credit and at least the verification floor
    // (`min_job_price`).
    let credits = job_credits(&p, m, mdl.k, mdl.n);
    let min = if in_credits {
        credits
    } else {
        super::min_job_price(&p, m, mdl.k, mdl.n)
    };
    if price < min {
        return fail(TxError::PriceTooLow { price, min });
    }
    if in_credits && price > credits {
        return fail(TxError::CreditPriceTooHigh {
            price,
            max: credits,
        });
    }
    let pay_denom = if in_credits {
        CREDIT_DENOM
    } else {
        env.native_denom
    };
    let escrow = accounts::module_address(state_key::ESCROW_MODULE);
    // `move_funds`, not `transfer`: escrowing credits for a job is one of their two uses.
    accounts::move_funds(s, signer, &escrow, pay_denom, price)?;
    let id = codec::next_id(s, state_key::NEXT_JOB)?;
    if in_credits {
        put(s, state_key::job_denom(id), CREDIT_DENOM);
    }
    let job = Job {
        id,
        client: signer.0,
        model_id,
        m,
        a_root,
        price,
        commit_blocks,
        reveal_blocks,
        posted_height: accounts::block_height(s)?,
        status: JobStatus::Open,
        slashes: 0,
        last_event: "posted".into(),
    };
    save_job(s, &job)?;
    Ok(PostJobEvent {
        job_id: id,
        client: *signer,
        model_id,
        m,
        price,
        denom: pay_denom.to_string(),
    }
    .into())
}

/// Claims an open job (see [`ClaimJob`]).
///
/// # Errors
/// The message's [`TxError`], or a storage failure.
pub fn claim_job<S: StateWrite>(
    s: &mut S,
    signer: &Address,
    &ClaimJob { job_id }: &ClaimJob,
) -> Result<WorkEvent, ExecError> {
    let p = params(s)?;
    let mut job = load_job(s, job_id)?;
    if job.status != JobStatus::Open {
        return fail(TxError::JobState {
            id: job_id,
            state: job.status.name(),
            expected: "posted",
        });
    }
    let mut w = load_worker(s, &signer.0)?;
    if super::unbonding(s, &signer.0)?.is_some() {
        return fail(TxError::WorkerUnbonding {
            address: signer.to_string(),
        });
    }
    let needed = super::claim_bond(&p, job.price)
        .saturating_mul(u128::from(w.active_claims).saturating_add(1));
    if w.bond < needed {
        return fail(TxError::BondTooLow {
            bond: w.bond,
            needed,
        });
    }
    let height = accounts::block_height(s)?;
    let commit_deadline = height.saturating_add(u64::from(job.commit_blocks));
    job.status = JobStatus::Claimed {
        worker: signer.0,
        commit_deadline,
    };
    job.last_event = format!("claimed by {signer}");
    w.active_claims = w.active_claims.saturating_add(1);
    save_job(s, &job)?;
    put(s, state_key::worker(&signer.0), &w);
    s.put_raw(state_key::due(commit_deadline, job_id), vec![]);
    Ok(ClaimJobEvent {
        job_id,
        worker: *signer,
        commit_deadline,
    }
    .into())
}

/// Commits to a claimed job's output (see [`CommitWork`]).
///
/// # Errors
/// The message's [`TxError`], or a storage failure.
pub fn commit_work<S: StateWrite>(
    s: &mut S,
    signer: &Address,
    &CommitWork { job_id, c_root }: &CommitWork,
) -> Result<WorkEvent, ExecError> {
    let mut job = load_job(s, job_id)?;
    let JobStatus::Claimed {
        worker,
        commit_deadline,
    } = job.status
    else {
        return fail(TxError::JobState {
            id: job_id,
            state: job.status.name(),
            expected: "claimed",
        });
    };
    if worker != signer.0 {
        return fail(TxError::NotJobWorker { id: job_id });
    }
    let height = accounts::block_height(s)?;
    if height > commit_deadline {
        return fail(TxError::DeadlinePassed {
            deadline: commit_deadline,
            height,
        });
    }
    // The beacon is that of height + 1; the reveal is due `reveal_blocks` after the block
    // that makes it known: block height + 1 itself (block hash), or block height + 2, whose
    // first tx carries the VRF extensions of the votes on height + 1.
    let beacon_height = height.saturating_add(1);
    let known_at = if crate::beacon::is_vrf_height(s, beacon_height)? {
        beacon_height.saturating_add(1)
    } else {
        beacon_height
    };
    let reveal_deadline = known_at.saturating_add(u64::from(job.reveal_blocks));
    job.status = JobStatus::Committed {
        worker,
        c_root,
        commit_height: height,
        reveal_deadline,
    };
    job.last_event = format!("committed at {height}");
    save_job(s, &job)?;
    s.put_raw(state_key::due(reveal_deadline, job_id), vec![]);
    Ok(CommitWorkEvent {
        job_id,
        c_root,
        beacon_height,
        reveal_deadline,
    }
    .into())
}

/// Checks a reveal and settles the job (see [`RevealWork`]).
///
/// # Errors
/// The message's [`TxError`], or a storage failure.
pub fn reveal_work<S: StateWrite>(
    s: &mut S,
    env: &WorkEnv<'_>,
    signer: &Address,
    msg: &RevealWork,
) -> Result<WorkEvent, ExecError> {
    let job_id = msg.job_id;
    let rows: &[RevealedRow] = &msg.rows;
    let height = accounts::block_height(s)?;
    let ctx = reveal_context(s, signer, job_id, height)??;
    admit_model_beacon(s, &ctx)?;
    let verdict = check_reveal(
        s,
        &ctx,
        rows,
        env.cache.map(|c| (c, env.tx_hash, env.msg_index)),
    )??;
    let job = load_job(s, job_id)?;
    match verdict {
        Verdict::Pass => {
            let p = params(s)?;
            // rows.len() ≤ sampled rows ≤ u32::MAX (checked by `check_reveal`).
            let done = ctx.first.saturating_add(rows.len() as u32);
            if done < sampled_count(&p, job.m) {
                put(s, state_key::revealed(job_id), &done);
                return Ok(super::events::WorkRevealedPartEvent {
                    job_id,
                    worker: *signer,
                    revealed: done,
                    sampled: sampled_count(&p, job.m),
                }
                .into());
            }
            s.delete(state_key::revealed(job_id));
            settle_pass(s, env.native_denom, job, signer, height)
        }
        Verdict::Fail { row } => {
            let p = params(s)?;
            let reason = format!("spot check failed at row {row}");
            let slashed = slash_and_reopen(
                s,
                env.native_denom,
                &p,
                job,
                &signer.0,
                p.fail_slash_bps,
                &reason,
                height,
            )?;
            Ok(WorkSlashedEvent {
                job_id,
                worker: *signer,
                reason,
                slashed,
            }
            .into())
        }
    }
}

/// Counts the reveal's (model, beacon) pair against the block's
/// `max_model_beacons_per_block` before any `B·r` is computed: a pair the block has seen
/// already is free; one more than the limit is refused.
///
/// # Errors
/// [`TxError::TooManyModelBeacons`]; storage failures.
pub fn admit_model_beacon<S: StateWrite>(s: &mut S, ctx: &RevealContext) -> Result<(), ExecError> {
    admit_product(s, super::verify::r_seed(&ctx.beacon, ctx.model_id))
}

/// Takes one of the block's `max_model_beacons_per_block` slots for a `k·n` product named
/// `slot` (a (model, beacon) pair's `r` seed, or a challenge), unless the block has it.
fn admit_product<S: StateWrite>(s: &mut S, slot: [u8; 32]) -> Result<(), ExecError> {
    let key = state_key::block_pair(&slot);
    if s.get_raw(&key)?.is_some() {
        return Ok(());
    }
    let limit = params(s)?.max_model_beacons_per_block;
    let seen = s
        .scan_prefix(state_key::BLOCK_PAIR_PREFIX, None, limit as usize)?
        .len();
    if seen >= limit as usize {
        return fail(TxError::TooManyModelBeacons { limit });
    }
    s.put_raw(key, Vec::new());
    Ok(())
}

fn settle_pass<S: StateWrite>(
    s: &mut S,
    denom: &str,
    mut job: Job,
    worker_addr: &Address,
    height: u64,
) -> Result<WorkEvent, ExecError> {
    let p = params(s)?;
    let mut mdl = load_model(s, job.model_id)?;
    let mut w = load_worker(s, &worker_addr.0)?;
    let escrow = accounts::module_address(state_key::ESCROW_MODULE);
    if super::job_denom(s, job.id, denom)? == CREDIT_DENOM {
        return settle_credit_pass(s, job, mdl, w, worker_addr, height);
    }
    // price = burn + royalties + worker's pay (see docs/work.md "Self-dealing").
    let burn = super::job_burn(&p, job.price);
    if burn > 0 {
        accounts::burn(s, &escrow, denom, burn)?;
    }
    // Royalties leave the escrow now; the worker's share stays there until it is paid,
    // less the delivery hold (docs/adr-008-job-output-delivery.md).
    let paid = royalties::pay_sale(s, &escrow, &escrow, denom, job.price - burn, &policy(&mdl))?;
    let royalty_total: u128 = paid.iter().map(|(_, c)| *c).sum();
    let worker_pay = job.price - burn - royalty_total;
    let hold = pay_less_hold(s, &p, worker_addr, denom, worker_pay)?;
    record_delivery(
        s,
        &p,
        &job,
        worker_addr,
        height,
        [hold, worker_pay - hold, royalty_total, burn],
        denom,
    )?;
    let credits = job_credits(&p, job.m, mdl.k, mdl.n);
    accounts::mint(s, worker_addr, CREDIT_DENOM, credits)?;
    if let Some(pk) = w.validator {
        // Only admitted validators (power > 0) earn score.
        let admitted = crate::validators::validators(s)?
            .iter()
            .any(|v| v.pub_key == pk && v.power > 0);
        if admitted {
            let key = state_key::score(&pk);
            let sc = get_u128(s, &key)?.saturating_add(credits);
            put(s, key, &sc);
        }
    }
    release_claim(s, &mut w, height)?;
    w.jobs_verified = w.jobs_verified.saturating_add(1);
    w.credits_earned = w.credits_earned.saturating_add(credits);
    mdl.jobs_verified = mdl.jobs_verified.saturating_add(1);
    mdl.royalties_paid = mdl.royalties_paid.saturating_add(royalty_total);
    job.status = JobStatus::Verified {
        worker: worker_addr.0,
        height,
    };
    job.last_event = format!("verified at {height}");
    put(s, state_key::worker(&worker_addr.0), &w);
    put(s, state_key::model(mdl.id), &mdl);
    save_job(s, &job)?;
    Ok(WorkVerifiedEvent {
        job_id: job.id,
        worker: *worker_addr,
        paid: worker_pay - hold,
        held: hold,
        royalties: royalty_total,
        burned: burn,
        credits,
        denom: None,
    }
    .into())
}

/// Pays the worker `worker_pay` from the escrow less the delivery hold, which stays in
/// escrow. Returns the hold.
fn pay_less_hold<S: StateWrite>(
    s: &mut S,
    p: &WorkParams,
    worker: &Address,
    denom: &str,
    worker_pay: u128,
) -> Result<u128, ExecError> {
    let hold = royalties::bps_of(worker_pay, u32::from(p.delivery_hold_bps));
    let now = worker_pay - hold;
    if now > 0 {
        let escrow = accounts::module_address(state_key::ESCROW_MODULE);
        accounts::move_funds(s, &escrow, worker, denom, now)?;
    }
    Ok(hold)
}

/// Writes the delivery record of a job that just passed (still in its committed state) and
/// schedules the end of its dispute window. `amounts` = [hold, paid, royalties, burned].
fn record_delivery<S: StateWrite>(
    s: &mut S,
    p: &WorkParams,
    job: &Job,
    worker: &Address,
    height: u64,
    [hold, paid, royalties, burned]: [u128; 4],
    denom: &str,
) -> Result<(), ExecError> {
    let JobStatus::Committed {
        c_root,
        commit_height,
        ..
    } = job.status
    else {
        return Err(
            StateError::Invariant(format!("job {} passed while not committed", job.id)).into(),
        );
    };
    let deadline = height.saturating_add(u64::from(p.delivery_blocks));
    let d = Delivery {
        worker: worker.0,
        c_root,
        commit_height,
        verified_height: height,
        sampled_rows: sampled_count(p, job.m),
        hold,
        denom: denom.to_string(),
        paid,
        royalties,
        burned,
        disputes: 0,
        state: DeliveryState::Pending { deadline },
    };
    put(s, state_key::delivery(job.id), &d);
    s.put_raw(state_key::delivery_due(deadline, job.id), vec![]);
    Ok(())
}

/// A pass on a job priced in compute credits (docs/work.md "Paying in credits"): the
/// escrowed credits pay the model's royalty policy (in credits, holders pro rata) and the
/// worker the rest. Nothing is burned, no credit is minted and no work score accrues:
/// credits were minted once for the work that earned them, and counting their re-spending
/// again would let a self-dealer recycle the same credits into power for free.
fn settle_credit_pass<S: StateWrite>(
    s: &mut S,
    mut job: Job,
    mut mdl: Model,
    mut w: Worker,
    worker_addr: &Address,
    height: u64,
) -> Result<WorkEvent, ExecError> {
    let escrow = accounts::module_address(state_key::ESCROW_MODULE);
    let paid = royalties::pay_sale(s, &escrow, &escrow, CREDIT_DENOM, job.price, &policy(&mdl))?;
    let royalty_total: u128 = paid.iter().map(|(_, c)| *c).sum();
    let p = params(s)?;
    let worker_pay = job.price - royalty_total;
    let hold = pay_less_hold(s, &p, worker_addr, CREDIT_DENOM, worker_pay)?;
    record_delivery(
        s,
        &p,
        &job,
        worker_addr,
        height,
        [hold, worker_pay - hold, royalty_total, 0],
        CREDIT_DENOM,
    )?;
    if royalty_total > 0 {
        let key = state_key::model_credit_royalties(mdl.id);
        let total = get_u128(s, &key)?
            .checked_add(royalty_total)
            .ok_or_else(|| TxError::Overflow {
                what: "model credit royalties".into(),
            })?;
        put(s, key, &total);
    }
    release_claim(s, &mut w, height)?;
    w.jobs_verified = w.jobs_verified.saturating_add(1);
    mdl.jobs_verified = mdl.jobs_verified.saturating_add(1);
    job.status = JobStatus::Verified {
        worker: worker_addr.0,
        height,
    };
    job.last_event = format!("verified at {height} (paid {} credits)", job.price);
    put(s, state_key::worker(&worker_addr.0), &w);
    put(s, state_key::model(mdl.id), &mdl);
    save_job(s, &job)?;
    Ok(WorkVerifiedEvent {
        job_id: job.id,
        worker: *worker_addr,
        paid: worker_pay - hold,
        held: hold,
        royalties: royalty_total,
        burned: 0,
        credits: 0,
        denom: Some(CREDIT_DENOM),
    }
    .into())
}

/// Slashes `bps` of the worker's bond (part to the client, the rest burned), releases its
/// claim and reopens the job (or expires it, refunding the client, after `max_attempts`
/// slashes). Returns the amount slashed. `denom` is the chain denomination (bonds); an
/// expired job's escrow returns in the job's own denomination.
///
/// # Errors
/// Storage failures; a missing worker record is an invariant violation.
#[allow(clippy::too_many_arguments)]
pub(crate) fn slash_and_reopen<S: StateWrite>(
    s: &mut S,
    denom: &str,
    p: &WorkParams,
    mut job: Job,
    worker_addr: &[u8; 20],
    bps: u16,
    reason: &str,
    height: u64,
) -> Result<u128, ExecError> {
    let mut w = super::worker(s, worker_addr)?.ok_or_else(|| {
        StateError::Invariant(format!("job {} held by an unregistered worker", job.id))
    })?;
    let client = Address(job.client);
    let amount = slash_bond(s, denom, p, &mut w, &client, bps)?;
    release_claim(s, &mut w, height)?;
    put(s, state_key::worker(worker_addr), &w);
    s.delete(state_key::revealed(job.id));
    job.slashes = job.slashes.saturating_add(1);
    if job.slashes >= p.max_attempts {
        let escrow = accounts::module_address(state_key::ESCROW_MODULE);
        let job_denom = super::job_denom(s, job.id, denom)?;
        accounts::move_funds(s, &escrow, &client, &job_denom, job.price)?;
        job.status = JobStatus::Expired { height };
        job.last_event = format!("expired after {} slashes; last: {reason}", job.slashes);
    } else {
        job.status = JobStatus::Open;
        job.last_event = format!("reopened: worker slashed {amount} ({reason})");
    }
    save_job(s, &job)?;
    Ok(amount)
}

/// Slashes `bps` of `w`'s bond: `slash_to_client_bps` of it to `client`, the rest burned.
/// The caller stores `w`. Returns the amount.
pub(crate) fn slash_bond<S: StateWrite>(
    s: &mut S,
    denom: &str,
    p: &WorkParams,
    w: &mut Worker,
    client: &Address,
    bps: u16,
) -> Result<u128, ExecError> {
    let bonds = accounts::module_address(state_key::BOND_MODULE);
    let amount = royalties::bps_of(w.bond, u32::from(bps));
    let to_client = royalties::bps_of(amount, u32::from(p.slash_to_client_bps));
    if to_client > 0 {
        accounts::move_funds(s, &bonds, client, denom, to_client)?;
    }
    if amount > to_client {
        accounts::burn(s, &bonds, denom, amount - to_client)?;
    }
    w.bond -= amount; // amount ≤ bond: bps ≤ 10000
    w.slashes = w.slashes.saturating_add(1);
    w.slashed_total = w.slashed_total.saturating_add(amount);
    Ok(amount)
}

fn load_delivery<S: StateRead>(
    s: &S,
    job_id: u64,
    expected: &'static str,
) -> Result<(Job, Delivery), ExecError> {
    let job = load_job(s, job_id)?;
    let Some(d) = super::delivery(s, job_id)? else {
        return fail(TxError::DeliveryState {
            id: job_id,
            state: "none (the job is not verified)",
            expected,
        });
    };
    Ok((job, d))
}

/// Releases a delivery's hold to its worker and records why.
pub(crate) fn release_hold<S: StateWrite>(
    s: &mut S,
    job_id: u64,
    mut d: Delivery,
    height: u64,
    reason: &str,
) -> Result<WorkEvent, ExecError> {
    if d.hold > 0 {
        let escrow = accounts::module_address(state_key::ESCROW_MODULE);
        accounts::move_funds(s, &escrow, &Address(d.worker), &d.denom, d.hold)?;
    }
    d.paid = d.paid.saturating_add(d.hold);
    d.state = DeliveryState::Released {
        height,
        reason: reason.to_string(),
    };
    let hold = d.hold;
    put(s, state_key::delivery(job_id), &d);
    Ok(super::events::OutputReleasedEvent {
        job_id,
        worker: Address(d.worker),
        hold,
        reason: reason.to_string(),
    }
    .into())
}

/// The client confirms it has the output (see [`ConfirmOutput`]): the hold goes to the
/// worker now.
///
/// # Errors
/// The message's [`TxError`], or a storage failure.
pub fn confirm_output<S: StateWrite>(
    s: &mut S,
    signer: &Address,
    &ConfirmOutput { job_id }: &ConfirmOutput,
) -> Result<WorkEvent, ExecError> {
    let (job, d) = load_delivery(s, job_id, "pending or disputed")?;
    if job.client != signer.0 {
        return fail(TxError::NotJobClient { id: job_id });
    }
    if !matches!(
        d.state,
        DeliveryState::Pending { .. } | DeliveryState::Disputed { .. }
    ) {
        return fail(TxError::DeliveryState {
            id: job_id,
            state: d.state.name(),
            expected: "pending or disputed",
        });
    }
    let height = accounts::block_height(s)?;
    release_hold(s, job_id, d, height, "confirmed")
}

/// The client names rows of `C` it did not receive (see [`DisputeOutput`]): the worker must
/// put them on chain with their proofs within the answer window.
///
/// # Errors
/// The message's [`TxError`], or a storage failure.
pub fn dispute_output<S: StateWrite>(
    s: &mut S,
    env: &WorkEnv<'_>,
    signer: &Address,
    msg: &DisputeOutput,
) -> Result<WorkEvent, ExecError> {
    let job_id = msg.job_id;
    let (job, mut d) = load_delivery(s, job_id, "pending")?;
    if job.client != signer.0 {
        return fail(TxError::NotJobClient { id: job_id });
    }
    let DeliveryState::Pending { deadline } = d.state else {
        return fail(TxError::DeliveryState {
            id: job_id,
            state: d.state.name(),
            expected: "pending",
        });
    };
    let height = accounts::block_height(s)?;
    if height > deadline {
        return fail(TxError::DeadlinePassed { deadline, height });
    }
    let p = params(s)?;
    if d.disputes >= p.max_disputes {
        return fail(TxError::BadDispute {
            reason: format!("job {job_id} was disputed {} times already", d.disputes),
        });
    }
    let mdl = load_model(s, job.model_id)?;
    let per_tx = reveal_rows_per_tx(env.max_tx_bytes, job.m, 0, mdl.n);
    let max_rows = u64::from(p.dispute_rows).min(per_tx);
    let rows = &msg.rows;
    if rows.is_empty() || rows.len() as u64 > max_rows {
        return fail(TxError::BadDispute {
            reason: format!("{} rows named; 1 to {max_rows} may be", rows.len()),
        });
    }
    if rows.windows(2).any(|w| w[0] >= w[1]) || rows.iter().any(|&r| r >= u64::from(job.m)) {
        return fail(TxError::BadDispute {
            reason: format!("rows must be ascending, distinct and below m = {}", job.m),
        });
    }
    let answer_deadline = height.saturating_add(u64::from(p.dispute_answer_blocks));
    d.disputes = d.disputes.saturating_add(1);
    d.state = DeliveryState::Disputed {
        rows: rows.clone(),
        answer_deadline,
    };
    put(s, state_key::delivery(job_id), &d);
    s.put_raw(state_key::delivery_due(answer_deadline, job_id), vec![]);
    Ok(super::events::OutputDisputedEvent {
        job_id,
        worker: Address(d.worker),
        rows: rows.len(),
        answer_deadline,
    }
    .into())
}

/// The worker answers a dispute with the named rows of `C` and their proofs under the
/// verified `c_root` (see [`AnswerDispute`]); the delivery is pending again (the client may
/// dispute again, up to `max_disputes`, or confirm).
///
/// # Errors
/// The message's [`TxError`], or a storage failure.
pub fn answer_dispute<S: StateWrite>(
    s: &mut S,
    signer: &Address,
    msg: &AnswerDispute,
) -> Result<WorkEvent, ExecError> {
    let job_id = msg.job_id;
    let (job, mut d) = load_delivery(s, job_id, "disputed")?;
    if d.worker != signer.0 {
        return fail(TxError::NotJobWorker { id: job_id });
    }
    let DeliveryState::Disputed {
        ref rows,
        answer_deadline,
    } = d.state
    else {
        return fail(TxError::DeliveryState {
            id: job_id,
            state: d.state.name(),
            expected: "disputed",
        });
    };
    let height = accounts::block_height(s)?;
    if height > answer_deadline {
        return fail(TxError::DeadlinePassed {
            deadline: answer_deadline,
            height,
        });
    }
    let mdl = load_model(s, job.model_id)?;
    check_output_rows(&d.c_root, job.m, mdl.n, rows, &msg.rows)?;
    let p = params(s)?;
    let deadline = height.saturating_add(u64::from(p.delivery_blocks));
    d.state = DeliveryState::Pending { deadline };
    put(s, state_key::delivery(job_id), &d);
    s.put_raw(state_key::delivery_due(deadline, job_id), vec![]);
    Ok(super::events::OutputAnsweredEvent {
        job_id,
        rows: msg.rows.len(),
        deadline,
    }
    .into())
}

/// The answered rows are exactly the named ones, each `4n` bytes with a proof under `c_root`.
///
/// # Errors
/// [`TxError::DisputeAnswer`].
pub fn check_output_rows(
    c_root: &[u8; 32],
    m: u32,
    n: u32,
    named: &[u64],
    rows: &[proofwork_tx::OutputRow],
) -> Result<(), ExecError> {
    let bad = |reason: String| fail(TxError::DisputeAnswer { reason });
    if rows.len() != named.len() {
        return bad(format!(
            "{} rows answered, {} named",
            rows.len(),
            named.len()
        ));
    }
    let mut memo = merkle::PathMemo::default();
    for (r, &want) in rows.iter().zip(named) {
        if r.index != want {
            return bad(format!(
                "row {} answered where row {want} was named",
                r.index
            ));
        }
        if r.c_row.len() as u64 != 4 * u64::from(n) {
            return bad(format!(
                "row {} has {} bytes, expected {}",
                r.index,
                r.c_row.len(),
                4 * u64::from(n)
            ));
        }
        let leaf = merkle::leaf_hash_i32_le(&r.c_row);
        if let Err(e) =
            merkle::verify_path(c_root, &leaf, r.index, u64::from(m), &r.c_proof, &mut memo)
        {
            return bad(format!("row {}: {e}", r.index));
        }
    }
    Ok(())
}

/// The client challenges one row of a verified job (see [`ChallengeRow`]): within
/// `challenge_blocks` of the pass, once per job, with `A_i` and `C_i` proven under the job's
/// `a_root` and the verified `c_root`, the chain recomputes `A_i·B` exactly (`k·n`
/// multiply-adds, paid for by the job's verification floor, `min_job_price`). A wrong row
/// returns any held pay to the client, pays the client the rest of the job's price from the
/// worker's bond (as far as the bond goes: claims are bonded at `claim_bond_bps` = 100 % of
/// the price by default) and takes the job's credits off the worker's validator's current
/// score; a right row is recorded as a refuted challenge (the one
/// challenge is spent either way, so a client cannot make validators recompute rows for a
/// fee). Shape and proof errors are refused before any product is computed.
///
/// # Errors
/// The message's [`TxError`], or a storage failure.
pub fn challenge_row<S: StateWrite>(
    s: &mut S,
    env: &WorkEnv<'_>,
    signer: &Address,
    msg: &ChallengeRow,
) -> Result<WorkEvent, ExecError> {
    let job_id = msg.job_id;
    let (job, mut d) = load_delivery(s, job_id, "verified")?;
    if job.client != signer.0 {
        return fail(TxError::NotJobClient { id: job_id });
    }
    let p = params(s)?;
    let height = accounts::block_height(s)?;
    let deadline = d
        .verified_height
        .saturating_add(u64::from(p.challenge_blocks));
    if height > deadline {
        return fail(TxError::DeadlinePassed { deadline, height });
    }
    if s.get_raw(&state_key::challenged(job_id))?.is_some() {
        return fail(TxError::BadChallenge {
            reason: format!("job {job_id} was challenged already"),
        });
    }
    let mdl = load_model(s, job.model_id)?;
    let row = &msg.row;
    let (m, k, n) = (u64::from(job.m), u64::from(mdl.k), u64::from(mdl.n));
    if row.index >= m {
        return fail(TxError::BadChallenge {
            reason: format!("row {} is not below m = {m}", row.index),
        });
    }
    super::verify::check_row_proofs(
        &job.a_root,
        &d.c_root,
        (m, k, n),
        row,
        &mut merkle::PathMemo::default(),
        &mut merkle::PathMemo::default(),
    )?;
    // The full row, exactly: A_i · B — one of the block's `k·n` products.
    let mut slot = blake3::Hasher::new();
    slot.update(b"proofwork/work/chal/v1");
    slot.update(&job_id.to_be_bytes());
    admit_product(s, *slot.finalize().as_bytes())?;
    let b = super::verify::weights(s, &mdl, env.cache)?;
    let a: Vec<i8> = row.a_row.iter().map(|&v| v as i8).collect();
    let want = proofwork_kernels::cpu::gemm_i8(&a, &b, 1, mdl.k as usize, mdl.n as usize)
        .map_err(|e| StateError::Invariant(format!("challenge of job {job_id}: {e}")))?;
    let right = want
        .iter()
        .zip(row.c_row.chunks_exact(4))
        .all(|(w, c)| c == w.to_le_bytes());
    put(s, state_key::challenged(job_id), &height);
    if right {
        return Ok(super::events::ChallengeRowEvent {
            job_id,
            row: row.index,
            outcome: "refuted",
            slashed: 0,
            refunded: 0,
        }
        .into());
    }
    let client = Address(job.client);
    let mut refunded = 0;
    if matches!(
        d.state,
        DeliveryState::Pending { .. } | DeliveryState::Disputed { .. }
    ) && d.hold > 0
    {
        let escrow = accounts::module_address(state_key::ESCROW_MODULE);
        accounts::move_funds(s, &escrow, &client, &d.denom, d.hold)?;
        refunded = d.hold;
    }
    let mut slashed = 0;
    if let Some(mut w) = super::worker(s, &d.worker)? {
        // Restitution: what the client paid beyond the returned hold, from the bond (all of
        // it to the client), so a client whose bond cover suffices is made whole.
        slashed = w.bond.min(job.price.saturating_sub(refunded));
        if slashed > 0 {
            let bonds = accounts::module_address(state_key::BOND_MODULE);
            accounts::move_funds(s, &bonds, &client, env.native_denom, slashed)?;
        }
        w.bond -= slashed;
        w.slashes = w.slashes.saturating_add(1);
        w.slashed_total = w.slashed_total.saturating_add(slashed);
        if let Some(pk) = w.validator {
            if super::job_denom(s, job_id, env.native_denom)? != CREDIT_DENOM {
                let key = state_key::score(&pk);
                let credits = super::job_credits(&p, job.m, mdl.k, mdl.n);
                let sc = get_u128(s, &key)?.saturating_sub(credits);
                put(s, key, &sc);
            }
        }
        put(s, state_key::worker(&d.worker), &w);
    }
    d.state = DeliveryState::Challenged {
        height,
        row: row.index,
    };
    put(s, state_key::delivery(job_id), &d);
    Ok(super::events::ChallengeRowEvent {
        job_id,
        row: row.index,
        outcome: "upheld",
        slashed,
        refunded,
    }
    .into())
}

/// Withdraws an unclaimed job (see [`CancelJob`]).
///
/// # Errors
/// The message's [`TxError`], or a storage failure.
pub fn cancel_job<S: StateWrite>(
    s: &mut S,
    env: &WorkEnv<'_>,
    signer: &Address,
    &CancelJob { job_id }: &CancelJob,
) -> Result<WorkEvent, ExecError> {
    let mut job = load_job(s, job_id)?;
    if job.status != JobStatus::Open {
        return fail(TxError::JobState {
            id: job_id,
            state: job.status.name(),
            expected: "posted",
        });
    }
    if job.client != signer.0 {
        return fail(TxError::NotJobClient { id: job_id });
    }
    let escrow = accounts::module_address(state_key::ESCROW_MODULE);
    let job_denom = super::job_denom(s, job_id, env.native_denom)?;
    accounts::move_funds(s, &escrow, signer, &job_denom, job.price)?;
    let height = accounts::block_height(s)?;
    job.status = JobStatus::Cancelled { height };
    job.last_event = "cancelled by the client".into();
    save_job(s, &job)?;
    Ok(CancelJobEvent { job_id }.into())
}
