//! End-of-block work: the beacon record, deadlines, and validator power at epoch ends.

use proofwork_state::accounts;
use proofwork_state::{codec, ExecError, StateError, StateRead, StateWrite};

use super::events::{EpochPowerEvent, WorkSlashedEvent, WorkerUnbondedEvent};
use super::exec::{release_hold, slash_and_reopen, slash_bond};
use super::{delivery, job, params, state_key, DeliveryState, JobStatus, WorkEvent};
use crate::validators::{self, cap_powers, Validator};

pub use crate::validators::MAX_POWER;

/// What the end of a block did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct EndBlock {
    /// Events (slashes for missed deadlines, epoch power), for logs.
    pub events: Vec<WorkEvent>,
    /// Validators whose power changed at an epoch end (power 0 removes).
    pub validator_updates: Vec<Validator>,
    /// Models of the jobs committed in this block, ascending: their spot checks need `B·r`
    /// for the beacon of `height + 1`, which a node may compute ahead (a cache warm-up).
    pub prefetch_models: Vec<u64>,
}

/// Records block `height`'s hash: the beacon of every job committed at `height − 1` on a
/// chain without the VRF beacon (or before its enable height).
/// Called at the end of the block (after its txs), so no tx in the block can read it. A
/// hash that is not 32 bytes (tests, replay of a log without hashes) is stored as its
/// BLAKE3. Hashes older than the longest reveal window are pruned.
///
/// # Errors
/// Storage failures.
pub fn record_block_hash<S: StateWrite>(
    s: &mut S,
    height: u64,
    hash: &[u8],
) -> Result<(), StateError> {
    let h: [u8; 32] = match hash.try_into() {
        Ok(h) => h,
        Err(_) => *blake3::hash(hash).as_bytes(),
    };
    record_beacon(s, height, &h)
}

/// Records the beacon of `height` (a block hash, or the VRF beacon of the votes on
/// `height`, recorded at the end of block `height + 1`) under the key the spot check reads,
/// and prunes beacons older than the longest reveal window.
///
/// # Errors
/// Storage failures.
pub fn record_beacon<S: StateWrite>(
    s: &mut S,
    height: u64,
    beacon: &[u8; 32],
) -> Result<(), StateError> {
    codec::put(s, state_key::block_hash(height), beacon);
    let keep = u64::from(params(s)?.max_window_blocks).saturating_add(2);
    if let Some(old) = height.checked_sub(keep) {
        s.delete(state_key::block_hash(old));
    }
    Ok(())
}

/// The end-of-block hook: records the block hash, settles deadlines that fall due at
/// `height`, and at epoch ends recomputes voting power from work.
///
/// # Errors
/// Storage failures or broken invariants (fatal: a deadline slash cannot be a tx's fault).
pub fn end_block<S: StateWrite>(
    s: &mut S,
    height: u64,
    block_hash: &[u8],
    native_denom: &str,
) -> Result<EndBlock, StateError> {
    let mut out = EndBlock::default();
    // With the VRF beacon, the beacon of `height` arrives with block `height + 1`'s first
    // tx (`App::finalize_block` records it); before its enable height, the block hash.
    if !crate::beacon::is_vrf_height(s, height)? {
        record_block_hash(s, height, block_hash)?;
    }
    let p = params(s)?;
    // A block whose `k·n` products were all taken may have refused reveals (431) that an
    // honest worker could not get in: reveal deadlines falling due in it move to the next
    // block (up to `max_window_blocks` past the original deadline), so squatting the
    // products delays a worker, at the squatter's cost every block, but cannot get it
    // slashed (docs/work.md "Validator cost").
    let limit = p.max_model_beacons_per_block as usize;
    let products_full = limit > 0
        && s.scan_prefix(state_key::BLOCK_PAIR_PREFIX, None, limit)?
            .len()
            >= limit;
    let due = s.scan_prefix(&state_key::due_at(height), None, usize::MAX)?;
    for (key, _) in due {
        s.delete(key.clone());
        let Ok(id) = codec::u64_after(&key, state_key::due_at(height).len()) else {
            continue;
        };
        let Some(j) = job(s, id)? else { continue };
        let (worker, bps, reason) = match j.status {
            JobStatus::Claimed {
                worker,
                commit_deadline,
            } if commit_deadline == height => (worker, p.miss_commit_slash_bps, "missed commit"),
            JobStatus::Committed {
                worker,
                reveal_deadline,
                commit_height,
                c_root,
            } if reveal_deadline == height => {
                let last = commit_height
                    .saturating_add(2)
                    .saturating_add(u64::from(j.reveal_blocks))
                    .saturating_add(u64::from(p.max_window_blocks));
                if products_full && height < last {
                    let next = height.saturating_add(1);
                    let mut j = j;
                    j.status = JobStatus::Committed {
                        worker,
                        c_root,
                        commit_height,
                        reveal_deadline: next,
                    };
                    j.last_event =
                        format!("reveal deadline moved to {next}: block {height} was full");
                    super::save_job(s, &j)?;
                    s.put_raw(state_key::due(next, id), vec![]);
                    continue;
                }
                (worker, p.miss_reveal_slash_bps, "missed reveal")
            }
            _ => continue, // stale: the job moved on
        };
        let slashed = slash_and_reopen(s, native_denom, &p, j, &worker, bps, reason, height)
            .map_err(|e| match e {
                ExecError::State(e) => e,
                ExecError::Tx(e) => {
                    StateError::Invariant(format!("deadline slash of job {id}: {e}"))
                }
            })?;
        out.events.push(
            WorkSlashedEvent {
                job_id: id,
                worker: proofwork_tx::Address(worker),
                reason: reason.to_string(),
                slashed,
            }
            .into(),
        );
    }
    settle_deliveries(s, height, native_denom, &mut out.events)?;
    // After the deadline slashes, so a bond released here has paid for this block's misses.
    release_unbonded(s, height, native_denom, &mut out.events)?;
    if p.epoch_blocks > 0 && height.is_multiple_of(p.epoch_blocks) {
        out.validator_updates = epoch_power(s, &p)?;
        if !out.validator_updates.is_empty() {
            out.events.push(
                EpochPowerEvent {
                    height,
                    updates: out.validator_updates.len(),
                }
                .into(),
            );
        }
    }
    // The block's (model, beacon) pairs: the count starts again with the next block.
    for (key, _) in s.scan_prefix(state_key::BLOCK_PAIR_PREFIX, None, usize::MAX)? {
        s.delete(key);
    }
    // At most as many warm-ups as a block's reveals may use pairs (a spammer committing on
    // many models must not make every node compute their `B·r` ahead).
    let mut prefetch = models_committed_at(s, height)?;
    prefetch.truncate(p.max_model_beacons_per_block as usize);
    out.prefetch_models = prefetch;
    Ok(out)
}

fn fatal(id: u64, what: &str) -> impl Fn(ExecError) -> StateError + '_ {
    move |e| match e {
        ExecError::State(e) => e,
        ExecError::Tx(e) => StateError::Invariant(format!("{what} of job {id}: {e}")),
    }
}

/// Delivery windows that end at `height` (docs/adr-008-job-output-delivery.md): an
/// undisputed (or answered) delivery releases its hold to the worker; an unanswered dispute
/// returns the hold to the client and slashes the worker `miss_commit_slash_bps` of its bond
/// (if it is still bonded).
///
/// # Errors
/// Storage failures or broken invariants.
pub fn settle_deliveries<S: StateWrite>(
    s: &mut S,
    height: u64,
    native_denom: &str,
    events: &mut Vec<WorkEvent>,
) -> Result<(), StateError> {
    let prefix = state_key::delivery_due_at(height);
    for (key, _) in s.scan_prefix(&prefix, None, usize::MAX)? {
        s.delete(key.clone());
        let Ok(id) = codec::u64_after(&key, prefix.len()) else {
            continue;
        };
        let Some(mut d) = delivery(s, id)? else {
            continue;
        };
        match d.state {
            DeliveryState::Pending { deadline } if deadline == height => {
                let ev = release_hold(s, id, d, height, "undisputed")
                    .map_err(fatal(id, "delivery release"))?;
                events.push(ev);
            }
            DeliveryState::Disputed {
                answer_deadline, ..
            } if answer_deadline == height => {
                let j = job(s, id)?.ok_or_else(|| {
                    StateError::Invariant(format!("delivery of missing job {id}"))
                })?;
                let client = proofwork_tx::Address(j.client);
                if d.hold > 0 {
                    let escrow = accounts::module_address(state_key::ESCROW_MODULE);
                    accounts::move_funds(s, &escrow, &client, &d.denom, d.hold)
                        .map_err(fatal(id, "delivery refund"))?;
                }
                let p = params(s)?;
                let mut slashed = 0;
                if let Some(mut w) = super::worker(s, &d.worker)? {
                    slashed = slash_bond(
                        s,
                        native_denom,
                        &p,
                        &mut w,
                        &client,
                        p.miss_commit_slash_bps,
                    )
                    .map_err(fatal(id, "delivery slash"))?;
                    codec::put(s, state_key::worker(&d.worker), &w);
                }
                let hold = d.hold;
                d.state = DeliveryState::Refunded { height };
                codec::put(s, state_key::delivery(id), &d);
                events.push(
                    super::events::OutputWithheldEvent {
                        job_id: id,
                        worker: proofwork_tx::Address(d.worker),
                        refunded: hold,
                        slashed,
                    }
                    .into(),
                );
            }
            _ => {} // stale: the delivery moved on
        }
    }
    Ok(())
}

/// Models of the jobs committed at `height`, ascending and distinct (read through the
/// by-status index, which holds only jobs awaiting their reveal).
fn models_committed_at<S: StateRead>(s: &S, height: u64) -> Result<Vec<u64>, StateError> {
    let committed = super::jobs_with_status(s, "committed", None, usize::MAX)?;
    let models: std::collections::BTreeSet<u64> = committed
        .into_iter()
        .filter(|j| matches!(j.status, JobStatus::Committed { commit_height, .. } if commit_height == height))
        .map(|j| j.model_id)
        .collect();
    Ok(models.into_iter().collect())
}

/// Returns the bonds of unbonding workers whose period has passed and who hold no job,
/// from `work/bonds` to the worker, and forgets the worker (it may register again). Reads
/// only the releases indexed for `height` (`work/unbdue/{height}`: each request's
/// `release_at`, and the block in which a worker past it resolved its last job), so the cost
/// is the number of releases due, not of requests pending. A worker still holding a job at
/// its `release_at` waits: its bond stays slashable, and the block that resolves its last job
/// indexes the release at its own end ([`super::exec::release_claim`]).
///
/// # Errors
/// Storage failures; a request without a worker record or a bond the module account cannot
/// cover is a broken invariant.
pub fn release_unbonded<S: StateWrite>(
    s: &mut S,
    height: u64,
    native_denom: &str,
    events: &mut Vec<WorkEvent>,
) -> Result<(), StateError> {
    let prefix = state_key::unbond_due_at(height);
    let due = s.scan_prefix(&prefix, None, usize::MAX)?;
    for (key, _) in due {
        s.delete(key.clone());
        let addr: [u8; 20] = key
            .get(prefix.len()..)
            .and_then(|a| a.try_into().ok())
            .ok_or_else(|| StateError::Corrupt {
                key: hex::encode(&key),
                reason: "expected a 20-byte address".into(),
            })?;
        let Some(release_at) = super::unbonding(s, &addr)? else {
            continue; // stale: released already
        };
        if release_at > height {
            continue;
        }
        let w = super::worker(s, &addr)?.ok_or_else(|| {
            StateError::Invariant(format!(
                "unbonding request of {} without a worker",
                proofwork_tx::Address(addr)
            ))
        })?;
        if w.active_claims > 0 {
            continue; // still holds a job: re-indexed when its last one resolves
        }
        let who = proofwork_tx::Address(addr);
        if w.bond > 0 {
            let bonds = accounts::module_address(state_key::BOND_MODULE);
            accounts::move_funds(s, &bonds, &who, native_denom, w.bond).map_err(|e| match e {
                ExecError::State(e) => e,
                ExecError::Tx(e) => StateError::Invariant(format!("bond release of {who}: {e}")),
            })?;
        }
        s.delete(state_key::unbonding(&addr));
        s.delete(state_key::worker(&addr));
        events.push(
            WorkerUnbondedEvent {
                worker: who,
                bond: w.bond,
                height,
            }
            .into(),
        );
    }
    Ok(())
}

/// Power from work (docs/design.md "Useful work" step 8): each admitted validator (power > 0)
/// gets `base_weight × (floor + score)`, an equal base plus its work (clamped to
/// [`MAX_POWER`]), then [`cap_powers`] bounds the work parts so that every set of fewer than
/// a third of the validators holds less than a third of the power (with fewer than four it
/// equalises them: see its docs). Scores reset. Returns the validators whose power changed.
///
/// # Errors
/// Storage failures.
pub fn epoch_power<S: StateWrite>(
    s: &mut S,
    p: &super::WorkParams,
) -> Result<Vec<Validator>, StateError> {
    let vals: Vec<Validator> = validators::validators(s)?
        .into_iter()
        .filter(|v| v.power > 0)
        .collect();
    let mut raw = Vec::with_capacity(vals.len());
    for v in &vals {
        let sc = super::score(s, &v.pub_key)?;
        let units = sc.saturating_add(u128::from(p.power_floor));
        let pw = units.saturating_mul(u128::from(p.power_base_weight));
        raw.push(u64::try_from(pw).unwrap_or(u64::MAX).clamp(1, MAX_POWER));
    }
    let capped = cap_powers(&raw);
    let mut updates = Vec::new();
    for (mut v, pw) in vals.into_iter().zip(capped) {
        if v.power != pw {
            v.power = pw;
            validators::put_validator(s, &v);
            updates.push(v);
        }
    }
    for (k, _) in s.scan_prefix(state_key::SCORE_PREFIX, None, usize::MAX)? {
        s.delete(k);
    }
    Ok(updates)
}
