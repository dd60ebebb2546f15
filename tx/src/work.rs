//! Useful-work messages (tx field numbers 60–79): domain forms and their stateless checks.

use proofwork_proto::tx::v1 as pb;

use crate::{check_denom, parse_amount, Address, TxError};

/// Exclusive bound on `K` (rows of `B`): the int32 result is exact below it.
pub const WORK_K_LIMIT: u32 = 1 << 17;

fn digest(what: &'static str, b: &[u8]) -> Result<[u8; 32], TxError> {
    b.try_into().map_err(|_| TxError::BadDigest {
        what,
        got: b.len() as u64,
    })
}

fn digests(what: &'static str, v: &[Vec<u8>]) -> Result<Vec<[u8; 32]>, TxError> {
    v.iter().map(|d| digest(what, d)).collect()
}

/// Registers a model's weights `B` (`k×n` int8) by their row Merkle root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterModel {
    /// Inner dimension (rows of `B`), `0 < k < 131072`.
    pub k: u32,
    /// Output columns, `n > 0`.
    pub n: u32,
    /// Committed Merkle root over the rows of `B`.
    pub b_root: [u8; 32],
    /// Royalty recipients and their basis points.
    pub royalties: Vec<(Address, u16)>,
}

impl TryFrom<pb::RegisterModel> for RegisterModel {
    type Error = TxError;
    fn try_from(r: pb::RegisterModel) -> Result<Self, TxError> {
        if r.k == 0 || r.n == 0 {
            return Err(TxError::WorkDims {
                reason: "k and n must be positive".into(),
            });
        }
        if r.k >= WORK_K_LIMIT {
            return Err(TxError::KTooLarge {
                k: u64::from(r.k),
                limit: u64::from(WORK_K_LIMIT),
            });
        }
        let royalties = r
            .royalties
            .iter()
            .map(|s| {
                let bps = u16::try_from(s.bps)
                    .ok()
                    .filter(|&b| b <= 10_000)
                    .ok_or_else(|| TxError::BadRoyaltyPolicy {
                        reason: format!("{} bps exceeds 10000", s.bps),
                    })?;
                Ok((s.recipient.parse::<Address>()?, bps))
            })
            .collect::<Result<Vec<_>, TxError>>()?;
        Ok(RegisterModel {
            k: r.k,
            n: r.n,
            b_root: digest("b_root", &r.b_root)?,
            royalties,
        })
    }
}

impl From<&RegisterModel> for pb::RegisterModel {
    fn from(m: &RegisterModel) -> Self {
        pb::RegisterModel {
            k: m.k,
            n: m.n,
            b_root: m.b_root.to_vec(),
            royalties: m
                .royalties
                .iter()
                .map(|(a, bps)| pb::ModelRoyaltyShare {
                    recipient: a.to_string(),
                    bps: u32::from(*bps),
                })
                .collect(),
        }
    }
}

/// Uploads rows of a model's `B`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadModelChunk {
    /// Model id.
    pub model_id: u64,
    /// First row in the chunk.
    pub first_row: u32,
    /// Whole rows, `n` bytes each.
    pub rows: Vec<u8>,
}

impl TryFrom<pb::UploadModelChunk> for UploadModelChunk {
    type Error = TxError;
    fn try_from(c: pb::UploadModelChunk) -> Result<Self, TxError> {
        Ok(UploadModelChunk {
            model_id: c.model_id,
            first_row: c.first_row,
            rows: c.rows,
        })
    }
}

impl From<&UploadModelChunk> for pb::UploadModelChunk {
    fn from(m: &UploadModelChunk) -> Self {
        pb::UploadModelChunk {
            model_id: m.model_id,
            first_row: m.first_row,
            rows: m.rows.clone(),
        }
    }
}

/// Registers the signer as a worker or tops up its bond.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterWorker {
    /// Bond added, native denomination, never zero.
    pub bond: u128,
    /// Validator credited with the worker's verified work.
    pub validator: Option<[u8; 32]>,
}

impl TryFrom<pb::RegisterWorker> for RegisterWorker {
    type Error = TxError;
    fn try_from(w: pb::RegisterWorker) -> Result<Self, TxError> {
        let bond = parse_amount(&w.bond)?;
        if bond == 0 {
            return Err(TxError::ZeroAmount);
        }
        let validator = if w.validator_pub_key.is_empty() {
            None
        } else {
            Some(digest("validator_pub_key", &w.validator_pub_key)?)
        };
        Ok(RegisterWorker { bond, validator })
    }
}

impl From<&RegisterWorker> for pb::RegisterWorker {
    fn from(m: &RegisterWorker) -> Self {
        pb::RegisterWorker {
            bond: m.bond.to_string(),
            validator_pub_key: m.validator.map(|v| v.to_vec()).unwrap_or_default(),
        }
    }
}

/// Posts a job on a model, escrowing its price.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostJob {
    /// Model id.
    pub model_id: u64,
    /// Committed Merkle root over the rows of `A`.
    pub a_root: [u8; 32],
    /// Rows of `A` (and `C`).
    pub m: u32,
    /// Price in `denom`, never zero.
    pub price: u128,
    /// Blocks from the claim to the commit deadline (0: chain default).
    pub commit_blocks: u32,
    /// Blocks from the beacon block to the reveal deadline (0: chain default).
    pub reveal_blocks: u32,
    /// Denomination of the price: `None` (empty on the wire) for the chain
    /// denomination; otherwise a well-formed name, which execution accepts only if it is
    /// the chain denomination or compute credits.
    pub denom: Option<String>,
}

impl TryFrom<pb::PostJob> for PostJob {
    type Error = TxError;
    fn try_from(j: pb::PostJob) -> Result<Self, TxError> {
        if j.m == 0 {
            return Err(TxError::WorkDims {
                reason: "m must be positive".into(),
            });
        }
        let price = parse_amount(&j.price)?;
        if price == 0 {
            return Err(TxError::ZeroAmount);
        }
        let denom = if j.denom.is_empty() {
            None
        } else {
            check_denom(&j.denom)?;
            Some(j.denom)
        };
        Ok(PostJob {
            model_id: j.model_id,
            a_root: digest("a_root", &j.a_root)?,
            m: j.m,
            price,
            commit_blocks: j.commit_blocks,
            reveal_blocks: j.reveal_blocks,
            denom,
        })
    }
}

impl From<&PostJob> for pb::PostJob {
    fn from(j: &PostJob) -> Self {
        pb::PostJob {
            model_id: j.model_id,
            a_root: j.a_root.to_vec(),
            m: j.m,
            price: j.price.to_string(),
            commit_blocks: j.commit_blocks,
            reveal_blocks: j.reveal_blocks,
            denom: j.denom.clone().unwrap_or_default(),
        }
    }
}

/// Takes an open job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClaimJob {
    /// Job id.
    pub job_id: u64,
}

impl TryFrom<pb::ClaimJob> for ClaimJob {
    type Error = TxError;
    fn try_from(c: pb::ClaimJob) -> Result<Self, TxError> {
        Ok(ClaimJob { job_id: c.job_id })
    }
}

impl From<&ClaimJob> for pb::ClaimJob {
    fn from(c: &ClaimJob) -> Self {
        pb::ClaimJob { job_id: c.job_id }
    }
}

/// Commits to the output of a claimed job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommitWork {
    /// Job id.
    pub job_id: u64,
    /// Committed Merkle root over the rows of `C`.
    pub c_root: [u8; 32],
}

impl TryFrom<pb::CommitWork> for CommitWork {
    type Error = TxError;
    fn try_from(c: pb::CommitWork) -> Result<Self, TxError> {
        Ok(CommitWork {
            job_id: c.job_id,
            c_root: digest("c_root", &c.c_root)?,
        })
    }
}

impl From<&CommitWork> for pb::CommitWork {
    fn from(c: &CommitWork) -> Self {
        pb::CommitWork {
            job_id: c.job_id,
            c_root: c.c_root.to_vec(),
        }
    }
}

/// Reveals the beacon-sampled rows of a committed job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevealWork {
    /// Job id.
    pub job_id: u64,
    /// Sampled rows, ascending.
    pub rows: Vec<RevealedRow>,
}

/// One revealed row of a job (see [`RevealWork`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevealedRow {
    /// Row index in `A` and `C`.
    pub index: u64,
    /// `A_i`: `k` bytes (int8). `Bytes`: a decoded reveal's rows are slices of the tx.
    pub a_row: bytes::Bytes,
    /// `C_i`: `n` little-endian `i32`.
    pub c_row: bytes::Bytes,
    /// Merkle siblings of `A_i` under the job's `a_root`.
    pub a_proof: Vec<[u8; 32]>,
    /// Merkle siblings of `C_i` under the committed `c_root`.
    pub c_proof: Vec<[u8; 32]>,
}

impl TryFrom<pb::RevealWork> for RevealWork {
    type Error = TxError;
    fn try_from(r: pb::RevealWork) -> Result<Self, TxError> {
        Ok(RevealWork {
            job_id: r.job_id,
            rows: r
                .rows
                .into_iter()
                .map(|row| {
                    Ok(RevealedRow {
                        index: row.index,
                        a_proof: digests("a_proof", &row.a_proof)?,
                        c_proof: digests("c_proof", &row.c_proof)?,
                        a_row: row.a_row,
                        c_row: row.c_row,
                    })
                })
                .collect::<Result<_, TxError>>()?,
        })
    }
}

impl From<&RevealWork> for pb::RevealWork {
    fn from(r: &RevealWork) -> Self {
        pb::RevealWork {
            job_id: r.job_id,
            rows: r
                .rows
                .iter()
                .map(|r| pb::RevealedRow {
                    index: r.index,
                    a_row: r.a_row.clone(),
                    c_row: r.c_row.clone(),
                    a_proof: r.a_proof.iter().map(|d| d.to_vec()).collect(),
                    c_proof: r.c_proof.iter().map(|d| d.to_vec()).collect(),
                })
                .collect(),
        }
    }
}

/// Withdraws an unclaimed job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CancelJob {
    /// Job id.
    pub job_id: u64,
}

impl TryFrom<pb::CancelJob> for CancelJob {
    type Error = TxError;
    fn try_from(c: pb::CancelJob) -> Result<Self, TxError> {
        Ok(CancelJob { job_id: c.job_id })
    }
}

impl From<&CancelJob> for pb::CancelJob {
    fn from(c: &CancelJob) -> Self {
        pb::CancelJob { job_id: c.job_id }
    }
}

/// The signing worker asks for its bond back: no new claims from now; the bond is
/// released once its jobs are resolved and the unbonding period has passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnbondWorker;

impl TryFrom<pb::UnbondWorker> for UnbondWorker {
    type Error = TxError;
    fn try_from(_: pb::UnbondWorker) -> Result<Self, TxError> {
        Ok(UnbondWorker)
    }
}

impl From<&UnbondWorker> for pb::UnbondWorker {
    fn from(_: &UnbondWorker) -> Self {
        pb::UnbondWorker {}
    }
}

/// The client confirms it received a verified job's output: the held pay goes to the worker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConfirmOutput {
    /// Job id.
    pub job_id: u64,
}

impl TryFrom<pb::ConfirmOutput> for ConfirmOutput {
    type Error = TxError;
    fn try_from(c: pb::ConfirmOutput) -> Result<Self, TxError> {
        Ok(ConfirmOutput { job_id: c.job_id })
    }
}

impl From<&ConfirmOutput> for pb::ConfirmOutput {
    fn from(c: &ConfirmOutput) -> Self {
        pb::ConfirmOutput { job_id: c.job_id }
    }
}

/// The client names rows of a verified job's `C` the worker must put on chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisputeOutput {
    /// Job id.
    pub job_id: u64,
    /// Rows, ascending and distinct (checked against the job at execution).
    pub rows: Vec<u64>,
}

impl TryFrom<pb::DisputeOutput> for DisputeOutput {
    type Error = TxError;
    fn try_from(d: pb::DisputeOutput) -> Result<Self, TxError> {
        Ok(DisputeOutput {
            job_id: d.job_id,
            rows: d.rows,
        })
    }
}

impl From<&DisputeOutput> for pb::DisputeOutput {
    fn from(d: &DisputeOutput) -> Self {
        pb::DisputeOutput {
            job_id: d.job_id,
            rows: d.rows.clone(),
        }
    }
}

/// One row of a job's `C` with its proof under the verified `c_root`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputRow {
    /// Row index.
    pub index: u64,
    /// `C_i`: `n` little-endian `i32`.
    pub c_row: bytes::Bytes,
    /// Merkle siblings of `C_i` under `c_root`.
    pub c_proof: Vec<[u8; 32]>,
}

/// The worker answers a dispute with the named rows of `C`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerDispute {
    /// Job id.
    pub job_id: u64,
    /// The named rows, in order.
    pub rows: Vec<OutputRow>,
}

impl TryFrom<pb::AnswerDispute> for AnswerDispute {
    type Error = TxError;
    fn try_from(a: pb::AnswerDispute) -> Result<Self, TxError> {
        Ok(AnswerDispute {
            job_id: a.job_id,
            rows: a
                .rows
                .into_iter()
                .map(|r| {
                    Ok(OutputRow {
                        index: r.index,
                        c_proof: digests("c_proof", &r.c_proof)?,
                        c_row: r.c_row,
                    })
                })
                .collect::<Result<_, TxError>>()?,
        })
    }
}

impl From<&AnswerDispute> for pb::AnswerDispute {
    fn from(a: &AnswerDispute) -> Self {
        pb::AnswerDispute {
            job_id: a.job_id,
            rows: a
                .rows
                .iter()
                .map(|r| pb::OutputRow {
                    index: r.index,
                    c_row: r.c_row.clone(),
                    c_proof: r.c_proof.iter().map(|d| d.to_vec()).collect(),
                })
                .collect(),
        }
    }
}

/// The client proves a row of a verified job wrong: `A_i` and `C_i` with their proofs under
/// the job's `a_root` and verified `c_root`. Executed, the chain recomputes `A_i·B` in full;
/// a mismatch slashes the worker (docs/work.md "Challenging a verified row").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChallengeRow {
    /// Job id.
    pub job_id: u64,
    /// The row, with both proofs.
    pub row: RevealedRow,
}

impl TryFrom<pb::ChallengeRow> for ChallengeRow {
    type Error = TxError;
    fn try_from(c: pb::ChallengeRow) -> Result<Self, TxError> {
        let row = c.row.unwrap_or_default();
        Ok(ChallengeRow {
            job_id: c.job_id,
            row: RevealedRow {
                index: row.index,
                a_proof: digests("a_proof", &row.a_proof)?,
                c_proof: digests("c_proof", &row.c_proof)?,
                a_row: row.a_row,
                c_row: row.c_row,
            },
        })
    }
}

impl From<&ChallengeRow> for pb::ChallengeRow {
    fn from(c: &ChallengeRow) -> Self {
        let r = &c.row;
        pb::ChallengeRow {
            job_id: c.job_id,
            row: Some(pb::RevealedRow {
                index: r.index,
                a_row: r.a_row.clone(),
                c_row: r.c_row.clone(),
                a_proof: r.a_proof.iter().map(|d| d.to_vec()).collect(),
                c_proof: r.c_proof.iter().map(|d| d.to_vec()).collect(),
            }),
        }
    }
}
