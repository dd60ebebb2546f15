//! Keys of the useful-work component. Every key this component touches is built here.
//! Values are borsh (`proofwork_state::codec`); integers in keys are big-endian.

use proofwork_state::codec;

/// `work/params` → borsh [`super::WorkParams`] (absent: the defaults).
pub const PARAMS: &[u8] = b"work/params";
/// `work/next_model` → u64: the last model id issued (`codec::next_id`; the first is 1).
pub const NEXT_MODEL: &[u8] = b"work/next_model";
/// `work/next_job` → u64: the last job id issued (`codec::next_id`; the first is 1).
pub const NEXT_JOB: &[u8] = b"work/next_job";

/// Prefix of every model record.
pub const MODEL_PREFIX: &[u8] = b"work/model/";
/// `work/model/{id BE}` → borsh [`super::Model`].
pub fn model(id: u64) -> Vec<u8> {
    [MODEL_PREFIX, &codec::be_u64(id)].concat()
}

/// Prefix of the stored rows of one model's `B`.
pub fn model_rows(id: u64) -> Vec<u8> {
    [b"work/brow/".as_slice(), &codec::be_u64(id)].concat()
}

/// `work/brow/{id BE}{row BE u32}` → the `n` bytes of row `row` of `B` (borsh `[i8; n]`).
pub fn model_row(id: u64, row: u32) -> Vec<u8> {
    [model_rows(id).as_slice(), &codec::be_u32(row)].concat()
}

/// `work/bfront/{id BE}` → borsh `Vec<(u64, [u8; 32])>`: while a model uploads, the
/// frontier of the row Merkle tree over its first `rows_uploaded` rows (the perfect
/// subtrees' sizes and roots, largest first; `kernels::merkle::RowRootBuilder`). Deleted
/// when the model becomes active.
pub fn model_frontier(id: u64) -> Vec<u8> {
    [b"work/bfront/".as_slice(), &codec::be_u64(id)].concat()
}

/// Prefix of every job record.
pub const JOB_PREFIX: &[u8] = b"work/job/";
/// `work/job/{id BE}` → borsh [`super::Job`].
pub fn job(id: u64) -> Vec<u8> {
    [JOB_PREFIX, &codec::be_u64(id)].concat()
}

/// Prefix of the jobs with one status (a [`super::JobStatus::name`]).
pub fn jobs_with_status(status: &str) -> Vec<u8> {
    [b"work/jst/".as_slice(), status.as_bytes(), &[0]].concat()
}

/// `work/jst/{status}\0{id BE}` → empty: the by-status index of jobs, kept in step with
/// every job write (`super::save_job`), so listing the open jobs reads only those.
pub fn job_status(status: &str, id: u64) -> Vec<u8> {
    [jobs_with_status(status).as_slice(), &codec::be_u64(id)].concat()
}

/// Prefix of every worker record.
pub const WORKER_PREFIX: &[u8] = b"work/worker/";
/// `work/worker/{address}` → borsh [`super::Worker`].
pub fn worker(addr: &[u8; 20]) -> Vec<u8> {
    [WORKER_PREFIX, addr.as_slice()].concat()
}

/// Prefix of the unbonding requests, in worker address order.
pub const UNBONDING_PREFIX: &[u8] = b"work/unbonding/";
/// `work/unbonding/{address}` → u64: the first height at whose end the worker's bond may
/// be released (request height + `unbonding_blocks`; later if it still holds jobs).
pub fn unbonding(addr: &[u8; 20]) -> Vec<u8> {
    [UNBONDING_PREFIX, addr.as_slice()].concat()
}

/// Prefix of the unbonding releases due at the end of block `height`.
pub fn unbond_due_at(height: u64) -> Vec<u8> {
    [b"work/unbdue/".as_slice(), &codec::be_u64(height)].concat()
}

/// `work/unbdue/{height BE}{address}` → empty: the unbonding worker `address` may be
/// released at the end of block `height` (its request's `release_at`, or the block in
/// which its last job resolved after that): the index that spares the end of every block a
/// scan of all requests.
pub fn unbond_due(height: u64, addr: &[u8; 20]) -> Vec<u8> {
    [unbond_due_at(height).as_slice(), addr.as_slice()].concat()
}

/// `work/job_denom/{id BE}` → borsh `String`: the denomination of the job's price. Absent:
/// the chain denomination.
pub fn job_denom(id: u64) -> Vec<u8> {
    [b"work/job_denom/".as_slice(), &codec::be_u64(id)].concat()
}

/// `work/model_credit_royalties/{id BE}` → `u128`: royalties paid in compute credits on
/// the model's credit-priced jobs (kept apart from `Model::royalties_paid`, which is in the
/// chain denomination; absent: 0).
pub fn model_credit_royalties(id: u64) -> Vec<u8> {
    [
        b"work/model_credit_royalties/".as_slice(),
        &codec::be_u64(id),
    ]
    .concat()
}

/// `work/revealed/{id BE}` → u32: sampled rows of a committed job revealed and checked so
/// far by earlier parts of its reveal (absent: none). Deleted when the job leaves `committed`.
pub fn revealed(id: u64) -> Vec<u8> {
    [b"work/revealed/".as_slice(), &codec::be_u64(id)].concat()
}

/// Prefix of the (model, beacon) pairs the reveals of the current block have needed `B·r`
/// for (cleared at the end of every block).
pub const BLOCK_PAIR_PREFIX: &[u8] = b"work/bpair/";
/// `work/bpair/{r seed}` → empty: the current block has checked a reveal on the (model,
/// beacon) pair whose Freivalds seed is `r_seed` (`verify::r_seed`).
pub fn block_pair(r_seed: &[u8; 32]) -> Vec<u8> {
    [BLOCK_PAIR_PREFIX, r_seed.as_slice()].concat()
}

/// `work/delivery/{id BE}` → borsh [`super::Delivery`]: a verified job's output commitment
/// and the pay held until it is delivered.
pub fn delivery(id: u64) -> Vec<u8> {
    [b"work/delivery/".as_slice(), &codec::be_u64(id)].concat()
}

/// `work/challenged/{id BE}` → u64: the height at which the verified job's one challenge
/// (`ChallengeRow`) was decided, upheld or refuted.
pub fn challenged(id: u64) -> Vec<u8> {
    [b"work/challenged/".as_slice(), &codec::be_u64(id)].concat()
}

/// Prefix of the delivery deadlines that fall due at the end of block `height`.
pub fn delivery_due_at(height: u64) -> Vec<u8> {
    [b"work/ddue/".as_slice(), &codec::be_u64(height)].concat()
}

/// `work/ddue/{height BE}{job BE}` → empty: job `job`'s delivery has a deadline at `height`.
pub fn delivery_due(height: u64, job: u64) -> Vec<u8> {
    [delivery_due_at(height).as_slice(), &codec::be_u64(job)].concat()
}

/// Prefix of the deadline entries that fall due at the end of block `height`.
pub fn due_at(height: u64) -> Vec<u8> {
    [b"work/due/".as_slice(), &codec::be_u64(height)].concat()
}

/// `work/due/{height BE}{job BE}` → empty: job `job` has a deadline at `height`.
pub fn due(height: u64, job: u64) -> Vec<u8> {
    [due_at(height).as_slice(), &codec::be_u64(job)].concat()
}

/// `work/bhash/{height BE}` → `[u8; 32]`: the beacon of `height` (block hash or VRF beacon).
pub fn block_hash(height: u64) -> Vec<u8> {
    [b"work/bhash/".as_slice(), &codec::be_u64(height)].concat()
}

/// Prefix of the per-validator work scores of the current epoch.
pub const SCORE_PREFIX: &[u8] = b"work/score/";
/// `work/score/{ed25519 key}` → u128: verified, paid work units this epoch.
pub fn score(pub_key: &[u8; 32]) -> Vec<u8> {
    [SCORE_PREFIX, pub_key.as_slice()].concat()
}

/// Module account holding job escrows.
pub const ESCROW_MODULE: &str = "work/escrow";
/// Module account holding worker bonds.
pub const BOND_MODULE: &str = "work/bonds";
