//! The useful-work protocol: models, workers, jobs, commitments, the beacon, the spot check,
//! outcomes and the work score that becomes voting power (docs/design.md "Useful work as
//! consensus weight"; the full protocol with its arithmetic is in `docs/work.md`).
//!
//! # Life of a job
//!
//! ```text
//! RegisterModel(k, n, b_root) + UploadModelChunk*  -> model active (recomputed root == b_root)
//! RegisterWorker(bond)                              -> bond escrowed in `work/bonds`
//! PostJob(model, a_root, m, price)                  -> Open, price escrowed in `work/escrow`
//! ClaimJob                                          -> Claimed   (commit deadline)
//! CommitWork(c_root)        at height c             -> Committed (beacon = block c+1)
//! [block c+1 is finalised: its hash is recorded in state at the end of the block]
//! RevealWork(sampled rows)  at height > c+1         -> spot check:
//!     pass -> Verified: worker paid (price − burn − royalties), royalties paid, burn,
//!             credits minted, the worker's validator's epoch score grows
//!     fail -> bond slashed (part to the client, rest burned), job reopened
//! missed commit / reveal deadline (end of block)    -> partial slash, job reopened
//! end of epoch                                      -> validator power from the scores
//! UnbondWorker                                      -> no new claims; bond still slashable
//! [end of a block ≥ request + unbonding_blocks, no job held] -> bond back to the worker
//! ```
//!
//! A job may instead be priced in compute credits (`PostJob.denom = credit`): the credits are
//! escrowed and, on a pass, move to the worker whole — no burn, royalty, mint or work score
//! (docs/work.md "Paying in credits").
//!
//! Everything is a pure function of state and the block's inputs; the only randomness is
//! the beacon (the hash of the block after the commit). The GPU is never called here.

pub mod block;
pub mod cache;
pub mod events;
pub mod exec;
pub mod prover;
pub mod state_key;
pub mod verify;

#[cfg(test)]
mod tests;

use borsh::{BorshDeserialize, BorshSerialize};
use proofwork_state::{codec, StateError, StateRead, StateWrite};

pub use block::{end_block, record_beacon, record_block_hash, EndBlock};
pub use cache::WorkCache;
pub use events::WorkEvent;
pub use exec::WorkEnv;
pub use verify::{check_reveal, reveal_context, RevealContext, Verdict};

/// Chain parameters of the protocol, stored under `work/params` (the defaults apply until
/// a genesis or upgrade writes them).
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct WorkParams {
    /// Rows sampled per job (`k` in the spec; default 96).
    pub sample_rows: u32,
    /// Blocks from a claim to its commit deadline, when the job gives 0.
    pub default_commit_blocks: u32,
    /// Blocks from the beacon block to the reveal deadline, when the job gives 0.
    pub default_reveal_blocks: u32,
    /// Largest commit/reveal window a job may ask for (also bounds how long block hashes
    /// are kept).
    pub max_window_blocks: u32,
    /// Bond needed per concurrent claim, native denomination.
    pub min_bond: u128,
    /// Share of every verified job's price that is burned (anti-self-dealing cost).
    pub burn_bps: u16,
    /// Share of the bond slashed for a reveal that fails the spot check.
    pub fail_slash_bps: u16,
    /// Share of the bond slashed for a missed commit deadline.
    pub miss_commit_slash_bps: u16,
    /// Share of the bond slashed for a missed reveal deadline. Equal to `fail_slash_bps` by
    /// default: a worker that withholds a reveal it knows would fail must not pay less.
    pub miss_reveal_slash_bps: u16,
    /// Share of each slash paid to the job's client; the rest is burned.
    pub slash_to_client_bps: u16,
    /// Multiply-adds per compute credit (and per work-score unit).
    pub macs_per_credit: u64,
    /// Minimum job price per credit of work it asks for.
    pub min_price_per_credit: u128,
    /// Cap on a model's total royalty.
    pub max_royalty_bps: u16,
    /// Largest `k·n` of a model (its weights live on chain).
    pub max_model_bytes: u64,
    /// Largest `n`.
    pub max_n: u32,
    /// Largest `m`.
    pub max_m: u32,
    /// Blocks per epoch; power is recomputed at heights divisible by it.
    pub epoch_blocks: u64,
    /// Power per work unit.
    pub power_base_weight: u64,
    /// Work units every admitted validator is credited with on top of its score: the equal
    /// base weight against which `validators::cap_powers` bounds the work parts (keeps idle
    /// validators in the set). Default 2^20 (about one 4096³ job).
    pub power_floor: u64,
    /// Slashes after which a job expires and its escrow returns to the client.
    pub max_attempts: u32,
    /// Blocks from an `UnbondWorker` request to the earliest release of the bond (which
    /// also waits until the worker holds no job). Genesis `work.unbonding_blocks`.
    pub unbonding_blocks: u64,
    /// Multiply-adds a reference worker (a CPU, conservatively) computes per block: the
    /// commit window's floor is `min_window_blocks + ⌈m·k·n / ref_macs_per_block⌉`
    /// (docs/work.md "Sizes and windows").
    pub ref_macs_per_block: u64,
    /// Slack every window floor adds (claim, transfers, inclusion).
    pub min_window_blocks: u32,
    /// Largest `A` (`m·k` bytes) and `C` (`4·m·n` bytes) of a job: both must fit one blob of
    /// a node's blob store with its default `max_blob_bytes`.
    pub max_job_bytes: u64,
    /// Share of the worker's pay held in escrow after a pass until the output is delivered
    /// (docs/adr-008-job-output-delivery.md).
    pub delivery_hold_bps: u16,
    /// Blocks after a pass in which the client may confirm or dispute the delivery of `C`.
    pub delivery_blocks: u32,
    /// Most rows of `C` one dispute may name.
    pub dispute_rows: u32,
    /// Blocks the worker has to answer a dispute with the named rows.
    pub dispute_answer_blocks: u32,
    /// Disputes a client may raise on one job.
    pub max_disputes: u32,
    /// `k·n` products one block may compute: distinct (model, beacon) pairs whose `B·r` its
    /// reveals need, plus its `ChallengeRow`s (`A_i·B`). A reveal or challenge that would
    /// add one more is refused (`TooManyModelBeacons`, 431) before anything is computed, so
    /// one block costs validators at most this many products and cannot flush the `B·r` and
    /// weight caches (docs/work.md "Validator cost").
    pub max_model_beacons_per_block: u32,
    /// Bond a claim needs, as a share of the job's price (at least `min_bond`): each active
    /// claim needs `max(min_bond, claim_bond_bps · price)` (docs/work.md "Bonds").
    pub claim_bond_bps: u16,
    /// Blocks after a pass in which the client may prove a wrong row (`ChallengeRow`).
    pub challenge_blocks: u32,
}

impl Default for WorkParams {
    fn default() -> Self {
        WorkParams {
            sample_rows: 96,
            default_commit_blocks: 20,
            default_reveal_blocks: 20,
            max_window_blocks: 10_000,
            min_bond: 1_000,
            burn_bps: 1_000,
            fail_slash_bps: 5_000,
            miss_commit_slash_bps: 1_000,
            miss_reveal_slash_bps: 5_000,
            slash_to_client_bps: 5_000,
            macs_per_credit: 1 << 16,
            min_price_per_credit: 1,
            max_royalty_bps: 5_000,
            max_model_bytes: 64 << 20,
            max_n: 1 << 16,
            max_m: 1 << 24,
            epoch_blocks: 100,
            power_base_weight: 1,
            power_floor: 1 << 20,
            max_attempts: 3,
            unbonding_blocks: DEFAULT_UNBONDING_BLOCKS,
            ref_macs_per_block: 1 << 30,
            min_window_blocks: 2,
            max_job_bytes: 1 << 30,
            delivery_hold_bps: 5_000,
            delivery_blocks: 100,
            dispute_rows: 16,
            dispute_answer_blocks: 20,
            max_disputes: 3,
            max_model_beacons_per_block: 4,
            claim_bond_bps: 10_000,
            challenge_blocks: 100,
        }
    }
}

/// Default of [`WorkParams::unbonding_blocks`]: the length of the default commit and reveal
/// windows several times over, so a slash for work done before the request can still land.
pub const DEFAULT_UNBONDING_BLOCKS: u64 = 100;

/// A registered model: the weights `B` (`k×n` int8) and who is paid when jobs use it.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Model {
    /// Id.
    pub id: u64,
    /// Owner (uploads the rows).
    pub owner: [u8; 20],
    /// Rows of `B`.
    pub k: u32,
    /// Columns of `B`.
    pub n: u32,
    /// Committed Merkle root over the rows of `B`.
    pub b_root: [u8; 32],
    /// Royalty recipients and basis points, paid on every verified job.
    pub royalties: Vec<([u8; 20], u16)>,
    /// Rows stored so far (a prefix).
    pub rows_uploaded: u32,
    /// All rows stored and the recomputed root matched.
    pub active: bool,
    /// Height of registration.
    pub registered_height: u64,
    /// Verified jobs on this model.
    pub jobs_verified: u64,
    /// Total royalties paid.
    pub royalties_paid: u128,
}

/// A registered worker.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Worker {
    /// Address.
    pub address: [u8; 20],
    /// Bond held in `work/bonds`.
    pub bond: u128,
    /// Validator whose score the worker's verified work adds to.
    pub validator: Option<[u8; 32]>,
    /// Jobs claimed and not yet settled.
    pub active_claims: u32,
    /// Jobs verified.
    pub jobs_verified: u64,
    /// Times slashed.
    pub slashes: u64,
    /// Credits minted to it.
    pub credits_earned: u128,
    /// Total slashed.
    pub slashed_total: u128,
}

/// Where a job is in its life.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum JobStatus {
    /// Waiting for a worker (also after a slash).
    Open,
    /// Taken; the worker must commit by `commit_deadline`.
    Claimed {
        /// Worker.
        worker: [u8; 20],
        /// Last height a commit is accepted.
        commit_deadline: u64,
    },
    /// Committed at `commit_height`; the reveal is due by `reveal_deadline`.
    Committed {
        /// Worker.
        worker: [u8; 20],
        /// Merkle root over the rows of `C`.
        c_root: [u8; 32],
        /// Height of the commit.
        commit_height: u64,
        /// Last height a reveal is accepted.
        reveal_deadline: u64,
    },
    /// The spot check passed at `height`.
    Verified {
        /// Worker paid.
        worker: [u8; 20],
        /// Height.
        height: u64,
    },
    /// The client withdrew it before any claim.
    Cancelled {
        /// Height.
        height: u64,
    },
    /// Slashed `max_attempts` times: the escrow went back to the client.
    Expired {
        /// Height.
        height: u64,
    },
}

impl JobStatus {
    /// Every [`JobStatus::name`].
    pub const NAMES: [&'static str; 6] = [
        "posted",
        "claimed",
        "committed",
        "verified",
        "cancelled",
        "expired",
    ];

    /// Short name for queries and errors.
    pub fn name(&self) -> &'static str {
        match self {
            JobStatus::Open => "posted",
            JobStatus::Claimed { .. } => "claimed",
            JobStatus::Committed { .. } => "committed",
            JobStatus::Verified { .. } => "verified",
            JobStatus::Cancelled { .. } => "cancelled",
            JobStatus::Expired { .. } => "expired",
        }
    }
}

/// A job: `C = A·B` for the model's `B`.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Job {
    /// Id.
    pub id: u64,
    /// Who posted and paid.
    pub client: [u8; 20],
    /// Model.
    pub model_id: u64,
    /// Rows of `A`.
    pub m: u32,
    /// Committed Merkle root over the rows of `A`.
    pub a_root: [u8; 32],
    /// Escrowed price (native denomination).
    pub price: u128,
    /// Commit window after a claim.
    pub commit_blocks: u32,
    /// Reveal window after the beacon block.
    pub reveal_blocks: u32,
    /// Height posted.
    pub posted_height: u64,
    /// Current status.
    pub status: JobStatus,
    /// Times a worker was slashed on it.
    pub slashes: u32,
    /// What happened last (for queries), e.g. `"slashed: spot check failed at row 7"`.
    pub last_event: String,
}

/// Where the output `C` of a verified job is in its delivery to the client
/// (docs/adr-008-job-output-delivery.md).
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum DeliveryState {
    /// The hold is in escrow; the client may confirm or dispute until `deadline`.
    Pending {
        /// Last height a confirmation or dispute is accepted; at its end the hold goes to
        /// the worker.
        deadline: u64,
    },
    /// The client named rows the worker must put on chain by `answer_deadline`.
    Disputed {
        /// Rows named, ascending.
        rows: Vec<u64>,
        /// Last height an answer is accepted; at its end the hold returns to the client and
        /// the worker is slashed.
        answer_deadline: u64,
    },
    /// The hold went to the worker.
    Released {
        /// Height.
        height: u64,
        /// `confirmed` (by the client) or `undisputed` (window passed).
        reason: String,
    },
    /// The worker did not answer a dispute: the hold went back to the client.
    Refunded {
        /// Height.
        height: u64,
    },
    /// A `ChallengeRow` proved a row wrong: the worker was slashed and any hold returned to
    /// the client.
    Challenged {
        /// Height.
        height: u64,
        /// The wrong row.
        row: u64,
    },
}

impl DeliveryState {
    /// Short name for queries and errors.
    pub fn name(&self) -> &'static str {
        match self {
            DeliveryState::Pending { .. } => "pending",
            DeliveryState::Disputed { .. } => "disputed",
            DeliveryState::Released { .. } => "released",
            DeliveryState::Refunded { .. } => "refunded",
            DeliveryState::Challenged { .. } => "challenged",
        }
    }
}

/// The record of a verified job's output and the part of its pay held until delivery
/// (`work/delivery/{job}`).
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Delivery {
    /// Worker that was paid.
    pub worker: [u8; 20],
    /// The verified commitment to `C` (what a JOB_OUTPUT upload and every downloaded row is
    /// checked against).
    pub c_root: [u8; 32],
    /// Height of the commit.
    pub commit_height: u64,
    /// Height of the pass.
    pub verified_height: u64,
    /// Sampled rows checked.
    pub sampled_rows: u32,
    /// Amount held in escrow (in `denom`).
    pub hold: u128,
    /// Denomination of the hold (the job's).
    pub denom: String,
    /// Paid to the worker at the pass (without the hold).
    pub paid: u128,
    /// Royalties paid at the pass.
    pub royalties: u128,
    /// Burned at the pass.
    pub burned: u128,
    /// Disputes raised so far.
    pub disputes: u32,
    /// Where the delivery is.
    pub state: DeliveryState,
}

/// The delivery record of a verified job (absent: not verified, or verified before
/// delivery holds existed).
///
/// # Errors
/// Storage failures.
pub fn delivery<S: StateRead>(s: &S, job_id: u64) -> Result<Option<Delivery>, StateError> {
    get(s, &state_key::delivery(job_id))
}

/// Bytes a transaction spends besides the revealed rows (signature, key, body, framing):
/// a generous bound, so a part planned with [`reveal_rows_per_tx`] always fits.
pub const REVEAL_TX_OVERHEAD: u64 = 1024;

/// Depth of a Merkle tree over `m` leaves (siblings of the deepest proof).
pub fn tree_depth(m: u32) -> u64 {
    u64::from(u32::BITS - m.saturating_sub(1).leading_zeros())
}

/// Upper bound on the bytes one revealed row adds to a `RevealWork` tx: `A_i`, `C_i`, two
/// proofs of at most [`tree_depth`] siblings and the protobuf framing.
pub fn reveal_row_bytes(m: u32, k: u32, n: u32) -> u64 {
    u64::from(k) + 4 * u64::from(n) + 2 * 34 * tree_depth(m) + 40
}

/// Revealed rows one tx of at most `max_tx_bytes` carries (0: not even one).
pub fn reveal_rows_per_tx(max_tx_bytes: u64, m: u32, k: u32, n: u32) -> u64 {
    max_tx_bytes.saturating_sub(REVEAL_TX_OVERHEAD) / reveal_row_bytes(m, k, n)
}

/// Rows the spot check samples from a job of `m` rows.
pub fn sampled_count(p: &WorkParams, m: u32) -> u32 {
    p.sample_rows.min(m)
}

/// `RevealWork` txs an honest worker needs for a job (`None`: a row does not fit a tx).
pub fn reveal_parts(p: &WorkParams, max_tx_bytes: u64, m: u32, k: u32, n: u32) -> Option<u64> {
    let per = reveal_rows_per_tx(max_tx_bytes, m, k, n);
    (per > 0).then(|| u64::from(sampled_count(p, m)).div_ceil(per))
}

/// Floor of a job's commit window: `min_window_blocks + ⌈m·k·n / ref_macs_per_block⌉`.
pub fn commit_floor(p: &WorkParams, m: u32, k: u32, n: u32) -> u64 {
    let per = u128::from(p.ref_macs_per_block.max(1));
    let blocks = u64::try_from(job_macs(m, k, n).div_ceil(per)).unwrap_or(u64::MAX);
    u64::from(p.min_window_blocks).saturating_add(blocks)
}

/// Floor of a job's reveal window: `min_window_blocks + parts` (one part per block).
pub fn reveal_floor(p: &WorkParams, parts: u64) -> u64 {
    u64::from(p.min_window_blocks).saturating_add(parts)
}

/// Floor of a dispute's answer window: `min_window_blocks + parts` for the named rows of `C`.
pub fn answer_floor(p: &WorkParams, max_tx_bytes: u64, m: u32, n: u32) -> u64 {
    let per = reveal_rows_per_tx(max_tx_bytes, m, 0, n).max(1);
    u64::from(p.min_window_blocks).saturating_add(u64::from(p.dispute_rows).div_ceil(per))
}

/// Multiply-adds of a job: `m·k·n`.
pub fn job_macs(m: u32, k: u32, n: u32) -> u128 {
    u128::from(m) * u128::from(k) * u128::from(n)
}

/// Multiply-adds every validator may spend on one job on a `k×n` model: `B·r` (`k·n`, once
/// per (model, beacon) pair, which a job with `m = 1` can make it pay alone), Freivalds on
/// the sampled rows (`k + n` per row) and the one `ChallengeRow` the client may send after
/// the pass (`A_i·B`, another `k·n`).
pub fn verify_macs(p: &WorkParams, m: u32, k: u32, n: u32) -> u128 {
    let (k, n) = (u128::from(k), u128::from(n));
    2 * k * n + u128::from(sampled_count(p, m)) * (k + n)
}

/// The lowest price of a job in the chain denomination (docs/work.md "Pricing"): the larger
/// of its work, `credits · min_price_per_credit`, and the *verification floor* — the price
/// whose burn (`burn_bps`, rounded up) pays for [`verify_macs`] at the same rate per credit,
/// `⌈⌈verify_macs / macs_per_credit⌉ · min_price_per_credit · 10000 / burn_bps⌉` (with no
/// burn: `⌈verify_macs / macs_per_credit⌉ · min_price_per_credit`). So what validators spend
/// checking a job is paid for by what it burns, whoever its client and worker are.
pub fn min_job_price(p: &WorkParams, m: u32, k: u32, n: u32) -> u128 {
    let per = p.min_price_per_credit;
    let work = job_credits(p, m, k, n).saturating_mul(per);
    let verify = verify_macs(p, m, k, n)
        .div_ceil(u128::from(p.macs_per_credit.max(1)))
        .saturating_mul(per);
    let floor = match p.burn_bps {
        0 => verify,
        bps => verify.saturating_mul(10_000).div_ceil(u128::from(bps)),
    };
    work.max(floor)
}

/// The burn of a verified job priced `price` in the chain denomination: `burn_bps` of it,
/// rounded **up** (so every job with a price burns at least 1 while `burn_bps > 0`; rounding
/// down let jobs priced ≤ 9 burn nothing).
pub fn job_burn(p: &WorkParams, price: u128) -> u128 {
    proofwork_state::royalties::bps_of_ceil(price, u32::from(p.burn_bps))
}

/// Bond one claim of a job priced `price` needs: `max(min_bond, ⌈claim_bond_bps · price⌉)`.
/// A claim is accepted while the worker's bond covers this for every claim it would hold
/// (`(active_claims + 1) · claim_bond(price)`: priced by the job being claimed, a cheap
/// approximation of the sum over its jobs that needs no per-claim record).
pub fn claim_bond(p: &WorkParams, price: u128) -> u128 {
    p.min_bond.max(proofwork_state::royalties::bps_of_ceil(
        price,
        u32::from(p.claim_bond_bps),
    ))
}

/// Credits (and work-score units) a verified job earns: `max(1, m·k·n / macs_per_credit)`.
pub fn job_credits(params: &WorkParams, m: u32, k: u32, n: u32) -> u128 {
    (job_macs(m, k, n) / u128::from(params.macs_per_credit.max(1))).max(1)
}

fn corrupt(key: &[u8], reason: impl std::fmt::Display) -> StateError {
    StateError::Corrupt {
        key: hex::encode(key),
        reason: reason.to_string(),
    }
}

fn get<T: BorshDeserialize, S: StateRead>(s: &S, key: &[u8]) -> Result<Option<T>, StateError> {
    codec::get(s, key)
}

fn put<T: BorshSerialize + ?Sized, S: StateWrite>(s: &mut S, key: Vec<u8>, v: &T) {
    codec::put(s, key, v);
}

/// Stores a job and keeps the by-status index ([`state_key::job_status`]) in step: every
/// job write goes through here.
///
/// # Errors
/// Storage failures reading the stored job.
fn save_job<S: StateWrite>(s: &mut S, j: &Job) -> Result<(), StateError> {
    if let Some(old) = job(s, j.id)? {
        if old.status.name() != j.status.name() {
            s.delete(state_key::job_status(old.status.name(), j.id));
        }
    }
    s.put_raw(state_key::job_status(j.status.name(), j.id), Vec::new());
    put(s, state_key::job(j.id), j);
    Ok(())
}

fn get_u128<S: StateRead>(s: &S, key: &[u8]) -> Result<u128, StateError> {
    codec::get_or_default(s, key)
}

/// The protocol parameters in force.
///
/// # Errors
/// Storage failures or corrupt bytes.
pub fn params<S: StateRead>(s: &S) -> Result<WorkParams, StateError> {
    Ok(get(s, state_key::PARAMS)?.unwrap_or_default())
}

/// Sets the protocol parameters (genesis, upgrades, tests).
pub fn put_params<S: StateWrite>(s: &mut S, p: &WorkParams) {
    put(s, state_key::PARAMS.to_vec(), p);
}

/// A model by id.
///
/// # Errors
/// Storage failures.
pub fn model<S: StateRead>(s: &S, id: u64) -> Result<Option<Model>, StateError> {
    get(s, &state_key::model(id))
}

/// A job by id.
///
/// # Errors
/// Storage failures.
pub fn job<S: StateRead>(s: &S, id: u64) -> Result<Option<Job>, StateError> {
    get(s, &state_key::job(id))
}

/// The denomination a job is priced and escrowed in: the chain's (`native_denom`) unless it
/// was posted in compute credits.
///
/// # Errors
/// Storage failures or a non-UTF-8 record.
pub fn job_denom<S: StateRead>(s: &S, id: u64, native_denom: &str) -> Result<String, StateError> {
    Ok(get(s, &state_key::job_denom(id))?.unwrap_or_else(|| native_denom.to_string()))
}

/// Royalties paid in compute credits on the model's credit-priced jobs.
///
/// # Errors
/// Storage failures or a malformed record.
pub fn model_credit_royalties<S: StateRead>(s: &S, model_id: u64) -> Result<u128, StateError> {
    get_u128(s, &state_key::model_credit_royalties(model_id))
}

/// If the worker has asked to unbond: the first height at whose end its bond may be
/// released (it is released at the first such block end at which it holds no job).
///
/// # Errors
/// Storage failures.
pub fn unbonding<S: StateRead>(s: &S, addr: &[u8; 20]) -> Result<Option<u64>, StateError> {
    get(s, &state_key::unbonding(addr))
}

/// A worker by address.
///
/// # Errors
/// Storage failures.
pub fn worker<S: StateRead>(s: &S, addr: &[u8; 20]) -> Result<Option<Worker>, StateError> {
    get(s, &state_key::worker(addr))
}

fn list<T: BorshDeserialize, S: StateRead>(
    s: &S,
    prefix: &[u8],
    start_after: Option<&[u8]>,
    limit: usize,
) -> Result<Vec<T>, StateError> {
    Ok(codec::scan(s, prefix, start_after, limit)?
        .into_iter()
        .map(|(_, v)| v)
        .collect())
}

/// Jobs in id order, starting after `after` (a job id), at most `limit`.
///
/// # Errors
/// Storage failures.
pub fn jobs<S: StateRead>(s: &S, after: Option<u64>, limit: usize) -> Result<Vec<Job>, StateError> {
    let start = after.map(state_key::job);
    list(s, state_key::JOB_PREFIX, start.as_deref(), limit)
}

/// Jobs with status `status` (a [`JobStatus::name`]) in id order, starting after `after`,
/// at most `limit`: reads the by-status index, so only those jobs.
///
/// # Errors
/// Storage failures; [`StateError::Corrupt`] for an index entry without its job.
pub fn jobs_with_status<S: StateRead>(
    s: &S,
    status: &str,
    after: Option<u64>,
    limit: usize,
) -> Result<Vec<Job>, StateError> {
    let prefix = state_key::jobs_with_status(status);
    let start = after.map(|id| state_key::job_status(status, id));
    let mut out = Vec::new();
    for (k, _) in s.scan_prefix(&prefix, start.as_deref(), limit)? {
        let id = codec::u64_after(&k, prefix.len())?;
        out.push(job(s, id)?.ok_or_else(|| corrupt(&k, "indexed job is missing"))?);
    }
    Ok(out)
}

/// Models in id order.
///
/// # Errors
/// Storage failures.
pub fn models<S: StateRead>(
    s: &S,
    after: Option<u64>,
    limit: usize,
) -> Result<Vec<Model>, StateError> {
    let start = after.map(state_key::model);
    list(s, state_key::MODEL_PREFIX, start.as_deref(), limit)
}

/// Workers in address order.
///
/// # Errors
/// Storage failures.
pub fn workers<S: StateRead>(s: &S, limit: usize) -> Result<Vec<Worker>, StateError> {
    list(s, state_key::WORKER_PREFIX, None, limit)
}

/// Rows `[first, first + count)` of a model's `B`, concatenated (`count·n` bytes).
///
/// # Errors
/// Storage failures, or a missing/short row (corruption: an active model has every row).
pub fn model_rows<S: StateRead>(
    s: &S,
    model: &Model,
    first: u32,
    count: u32,
) -> Result<Vec<u8>, StateError> {
    let n = model.n as usize;
    let mut out = Vec::with_capacity(count as usize * n);
    let prefix = state_key::model_rows(model.id);
    let start = first
        .checked_sub(1)
        .map(|p| state_key::model_row(model.id, p));
    let rows = if first == 0 {
        s.scan_prefix(&prefix, None, count as usize)?
    } else {
        s.scan_prefix(&prefix, start.as_deref(), count as usize)?
    };
    for (i, (k, v)) in rows.iter().enumerate() {
        let expected = state_key::model_row(model.id, first + i as u32);
        if *k != expected || v.len() != n {
            return Err(corrupt(k, "model rows are not a contiguous prefix"));
        }
        out.extend_from_slice(v);
    }
    if out.len() != count as usize * n {
        return Err(corrupt(&prefix, "model rows missing"));
    }
    Ok(out)
}

/// This epoch's work score of a validator.
///
/// # Errors
/// Storage failures.
pub fn score<S: StateRead>(s: &S, pub_key: &[u8; 32]) -> Result<u128, StateError> {
    get_u128(s, &state_key::score(pub_key))
}

/// Sampled rows of a committed job already revealed and checked (earlier parts of a reveal
/// split across txs; 0 when none).
///
/// # Errors
/// Storage failures.
pub fn revealed<S: StateRead>(s: &S, job_id: u64) -> Result<u32, StateError> {
    Ok(get(s, &state_key::revealed(job_id))?.unwrap_or(0))
}

/// The recorded beacon of `height` (for commits at `height − 1`): the hash of block `height`,
/// or with the VRF beacon the hash of the extensions of the votes on `height`.
///
/// # Errors
/// Storage failures.
pub fn block_hash<S: StateRead>(s: &S, height: u64) -> Result<Option<[u8; 32]>, StateError> {
    get(s, &state_key::block_hash(height))
}
