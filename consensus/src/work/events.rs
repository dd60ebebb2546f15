//! The useful-work events: one struct per kind, gathered in [`WorkEvent`]. Kinds and
//! attribute keys (and their order) are read by clients, the worker and the e2e tests:
//! never rename them.

use proofwork_state::event::TypedEvent;
use proofwork_tx::Address;

/// `register_model`: a model was registered (inactive until its rows are uploaded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterModelEvent {
    /// Model id.
    pub model_id: u64,
    /// Signer.
    pub owner: Address,
    /// Rows of `B`.
    pub k: u32,
    /// Columns of `B`.
    pub n: u32,
}

impl TypedEvent for RegisterModelEvent {
    const KIND: &'static str = "register_model";
    fn attributes(&self) -> Vec<(&'static str, String)> {
        vec![
            ("model_id", self.model_id.to_string()),
            ("owner", self.owner.to_string()),
            ("k", self.k.to_string()),
            ("n", self.n.to_string()),
        ]
    }
}

/// `upload_model_chunk`: rows of a model's `B` were stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadModelChunkEvent {
    /// Model id.
    pub model_id: u64,
    /// Rows stored so far.
    pub rows_uploaded: u32,
    /// The last row arrived and the root matched: the model is active (the `active`
    /// attribute, `true`, is present only then).
    pub active: bool,
}

impl TypedEvent for UploadModelChunkEvent {
    const KIND: &'static str = "upload_model_chunk";
    fn attributes(&self) -> Vec<(&'static str, String)> {
        let mut a = vec![
            ("model_id", self.model_id.to_string()),
            ("rows_uploaded", self.rows_uploaded.to_string()),
        ];
        if self.active {
            a.push(("active", "true".into()));
        }
        a
    }
}

/// `register_worker`: a worker registered or topped up its bond.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterWorkerEvent {
    /// Signer.
    pub worker: Address,
    /// Bond after the message.
    pub bond: u128,
}

impl TypedEvent for RegisterWorkerEvent {
    const KIND: &'static str = "register_worker";
    fn attributes(&self) -> Vec<(&'static str, String)> {
        vec![
            ("worker", self.worker.to_string()),
            ("bond", self.bond.to_string()),
        ]
    }
}

/// `unbond_worker`: a worker asked for its bond back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnbondWorkerEvent {
    /// Signer.
    pub worker: Address,
    /// Bond held.
    pub bond: u128,
    /// Jobs it still holds.
    pub active_claims: u32,
    /// Earliest height of the release.
    pub release_at: u64,
}

impl TypedEvent for UnbondWorkerEvent {
    const KIND: &'static str = "unbond_worker";
    fn attributes(&self) -> Vec<(&'static str, String)> {
        vec![
            ("worker", self.worker.to_string()),
            ("bond", self.bond.to_string()),
            ("active_claims", self.active_claims.to_string()),
            ("release_at", self.release_at.to_string()),
        ]
    }
}

/// `post_job`: a job was posted and its price escrowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostJobEvent {
    /// Job id.
    pub job_id: u64,
    /// Signer.
    pub client: Address,
    /// Model id.
    pub model_id: u64,
    /// Rows of `A`.
    pub m: u32,
    /// Price.
    pub price: u128,
    /// The price's denomination.
    pub denom: String,
}

impl TypedEvent for PostJobEvent {
    const KIND: &'static str = "post_job";
    fn attributes(&self) -> Vec<(&'static str, String)> {
        vec![
            ("job_id", self.job_id.to_string()),
            ("client", self.client.to_string()),
            ("model_id", self.model_id.to_string()),
            ("m", self.m.to_string()),
            ("price", self.price.to_string()),
            ("denom", self.denom.clone()),
        ]
    }
}

/// `claim_job`: a worker claimed an open job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimJobEvent {
    /// Job id.
    pub job_id: u64,
    /// Signer.
    pub worker: Address,
    /// Last height for its commitment.
    pub commit_deadline: u64,
}

impl TypedEvent for ClaimJobEvent {
    const KIND: &'static str = "claim_job";
    fn attributes(&self) -> Vec<(&'static str, String)> {
        vec![
            ("job_id", self.job_id.to_string()),
            ("worker", self.worker.to_string()),
            ("commit_deadline", self.commit_deadline.to_string()),
        ]
    }
}

/// `commit_work`: the claiming worker committed to `C`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitWorkEvent {
    /// Job id.
    pub job_id: u64,
    /// Merkle root of `C`'s rows.
    pub c_root: [u8; 32],
    /// The height whose beacon samples the rows.
    pub beacon_height: u64,
    /// Last height for the reveal.
    pub reveal_deadline: u64,
}

impl TypedEvent for CommitWorkEvent {
    const KIND: &'static str = "commit_work";
    fn attributes(&self) -> Vec<(&'static str, String)> {
        vec![
            ("job_id", self.job_id.to_string()),
            ("c_root", hex::encode(self.c_root)),
            ("beacon_height", self.beacon_height.to_string()),
            ("reveal_deadline", self.reveal_deadline.to_string()),
        ]
    }
}

/// `work_verified`: a reveal passed and the job was settled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkVerifiedEvent {
    /// Job id.
    pub job_id: u64,
    /// The worker paid.
    pub worker: Address,
    /// Paid to the worker now.
    pub paid: u128,
    /// The worker's share held in escrow until delivery of C (ADR-008).
    pub held: u128,
    /// Paid in royalties.
    pub royalties: u128,
    /// Burned.
    pub burned: u128,
    /// Compute credits minted to the worker.
    pub credits: u128,
    /// The payment's denomination, for a job priced in credits only (the `denom`
    /// attribute is present only then).
    pub denom: Option<&'static str>,
}

impl TypedEvent for WorkVerifiedEvent {
    const KIND: &'static str = "work_verified";
    fn attributes(&self) -> Vec<(&'static str, String)> {
        let mut a = vec![
            ("job_id", self.job_id.to_string()),
            ("worker", self.worker.to_string()),
            ("paid", self.paid.to_string()),
            ("held", self.held.to_string()),
            ("royalties", self.royalties.to_string()),
            ("burned", self.burned.to_string()),
            ("credits", self.credits.to_string()),
        ];
        if let Some(d) = self.denom {
            a.push(("denom", d.into()));
        }
        a
    }
}

/// `work_slashed`: a worker's bond was slashed (a failed spot check, or a missed deadline
/// at the end of a block) and its job reopened or expired.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkSlashedEvent {
    /// Job id.
    pub job_id: u64,
    /// The slashed worker.
    pub worker: Address,
    /// Why.
    pub reason: String,
    /// Amount slashed.
    pub slashed: u128,
}

impl TypedEvent for WorkSlashedEvent {
    const KIND: &'static str = "work_slashed";
    fn attributes(&self) -> Vec<(&'static str, String)> {
        vec![
            ("job_id", self.job_id.to_string()),
            ("worker", self.worker.to_string()),
            ("reason", self.reason.clone()),
            ("slashed", self.slashed.to_string()),
        ]
    }
}

/// `cancel_job`: an open job was cancelled and its price refunded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CancelJobEvent {
    /// Job id.
    pub job_id: u64,
}

impl TypedEvent for CancelJobEvent {
    const KIND: &'static str = "cancel_job";
    fn attributes(&self) -> Vec<(&'static str, String)> {
        vec![("job_id", self.job_id.to_string())]
    }
}

/// `worker_unbonded` (end of block): an unbonding worker's bond was returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkerUnbondedEvent {
    /// The worker.
    pub worker: Address,
    /// Bond returned.
    pub bond: u128,
    /// Height of the release.
    pub height: u64,
}

impl TypedEvent for WorkerUnbondedEvent {
    const KIND: &'static str = "worker_unbonded";
    fn attributes(&self) -> Vec<(&'static str, String)> {
        vec![
            ("worker", self.worker.to_string()),
            ("bond", self.bond.to_string()),
            ("height", self.height.to_string()),
        ]
    }
}

/// `epoch_power` (end of block): validator power was set from work at an epoch end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EpochPowerEvent {
    /// The epoch's last height.
    pub height: u64,
    /// Validators whose power changed.
    pub updates: usize,
}

impl TypedEvent for EpochPowerEvent {
    const KIND: &'static str = "epoch_power";
    fn attributes(&self) -> Vec<(&'static str, String)> {
        vec![
            ("height", self.height.to_string()),
            ("updates", self.updates.to_string()),
        ]
    }
}

macro_rules! work_events {
    ($($variant:ident($ty:ident),)*) => {
        /// Any useful-work event.
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum WorkEvent {
            $(
                #[doc = concat!("[`", stringify!($ty), "`].")]
                $variant($ty),
            )*
        }

        impl WorkEvent {
            /// The event's kind.
            pub fn kind(&self) -> &'static str {
                match self {
                    $(WorkEvent::$variant(_) => <$ty as TypedEvent>::KIND,)*
                }
            }

            /// Its attributes, in order.
            pub fn attributes(&self) -> Vec<(&'static str, String)> {
                match self {
                    $(WorkEvent::$variant(e) => e.attributes(),)*
                }
            }
        }

        $(impl From<$ty> for WorkEvent {
            fn from(e: $ty) -> Self {
                WorkEvent::$variant(e)
            }
        })*
    };
}

/// A plain event: one struct, its fields the attributes in order (their `Display`).
macro_rules! plain_event {
    ($(#[$m:meta])* $name:ident = $kind:literal { $($field:ident: $ty:ty => $doc:literal),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $name {
            $(#[doc = $doc] pub $field: $ty,)*
        }

        impl TypedEvent for $name {
            const KIND: &'static str = $kind;
            fn attributes(&self) -> Vec<(&'static str, String)> {
                vec![$((stringify!($field), self.$field.to_string()),)*]
            }
        }
    };
}

plain_event! {
    /// `work_revealed_part`: one part of a reveal split across txs checked (ADR-008, docs/work.md).
    WorkRevealedPartEvent = "work_revealed_part" {
        job_id: u64 => "Job id.",
        worker: Address => "The revealing worker.",
        revealed: u32 => "Sampled rows revealed so far.",
        sampled: u32 => "Sampled rows in all.",
    }
}

plain_event! {
    /// `output_released`: a job's held share paid to its worker (confirmed, or the window passed).
    OutputReleasedEvent = "output_released" {
        job_id: u64 => "Job id.",
        worker: Address => "The worker paid.",
        hold: u128 => "The share released.",
        reason: String => "Why: confirmed or window passed.",
    }
}

plain_event! {
    /// `output_disputed`: the client named rows of C the worker must answer for on chain.
    OutputDisputedEvent = "output_disputed" {
        job_id: u64 => "Job id.",
        worker: Address => "The worker who must answer.",
        rows: usize => "Rows named.",
        answer_deadline: u64 => "Last height for the answer.",
    }
}

plain_event! {
    /// `output_answered`: the worker answered a dispute with the rows and their proofs.
    OutputAnsweredEvent = "output_answered" {
        job_id: u64 => "Job id.",
        rows: usize => "Rows answered.",
        deadline: u64 => "The delivery window's new end.",
    }
}

plain_event! {
    /// `output_withheld`: a dispute went unanswered: the hold back to the client, the bond slashed.
    OutputWithheldEvent = "output_withheld" {
        job_id: u64 => "Job id.",
        worker: Address => "The worker who withheld C.",
        refunded: u128 => "The hold returned to the client.",
        slashed: u128 => "Bond slashed.",
    }
}

plain_event! {
    /// `challenge_row`: a client's challenge of a verified row was decided (`upheld`: the row
    /// is wrong, the worker slashed and the hold refunded; `refuted`: the row is right).
    ChallengeRowEvent = "challenge_row" {
        job_id: u64 => "Job id.",
        row: u64 => "The challenged row.",
        outcome: &'static str => "`upheld` or `refuted`.",
        slashed: u128 => "Bond slashed (0 when refuted).",
        refunded: u128 => "Hold returned to the client (0 when refuted or already released).",
    }
}

work_events! {
    RegisterModel(RegisterModelEvent),
    UploadModelChunk(UploadModelChunkEvent),
    RegisterWorker(RegisterWorkerEvent),
    UnbondWorker(UnbondWorkerEvent),
    PostJob(PostJobEvent),
    ClaimJob(ClaimJobEvent),
    CommitWork(CommitWorkEvent),
    WorkVerified(WorkVerifiedEvent),
    WorkSlashed(WorkSlashedEvent),
    CancelJob(CancelJobEvent),
    WorkerUnbonded(WorkerUnbondedEvent),
    EpochPower(EpochPowerEvent),
    WorkRevealedPart(WorkRevealedPartEvent),
    OutputReleased(OutputReleasedEvent),
    OutputDisputed(OutputDisputedEvent),
    OutputAnswered(OutputAnsweredEvent),
    OutputWithheld(OutputWithheldEvent),
    ChallengeRow(ChallengeRowEvent),
}
