//! Useful work (`proofwork-consensus` work).

use proofwork_consensus::work::{self, exec, WorkEvent};
use proofwork_state::{ExecError, StateRead, StateWrite};
use proofwork_tx::{
    AnswerDispute, CancelJob, ChallengeRow, ClaimJob, CommitWork, ConfirmOutput, DisputeOutput,
    PostJob, RegisterModel, RegisterWorker, RevealWork, TxError, UnbondWorker, UploadModelChunk,
};

use super::{Ctx, Handler, HistoricalCtx};
use crate::events::{work_event, Event};

/// The (model, beacon) pairs — as their Freivalds seeds — the reveals of `tx` would need
/// `B·r` for at `height` (reveals whose context does not resolve need none).
pub(crate) fn reveal_pairs<S: StateRead>(
    s: &S,
    tx: &proofwork_tx::SignedTx,
    height: u64,
) -> Vec<[u8; 32]> {
    let mut out: Vec<[u8; 32]> = tx
        .body
        .messages
        .iter()
        .filter_map(|m| match m {
            proofwork_tx::Message::RevealWork(r) => {
                match work::reveal_context(s, &tx.signer, r.job_id, height) {
                    Ok(Ok(rc)) => Some(work::verify::r_seed(&rc.beacon, rc.model_id)),
                    _ => None,
                }
            }
            _ => None,
        })
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

fn event(r: Result<WorkEvent, ExecError>) -> Result<Event, ExecError> {
    r.map(|e| work_event(&e))
}

impl Handler for RegisterModel {
    fn execute<S: StateWrite>(&self, s: &mut S, ctx: &Ctx<'_>) -> Result<Event, ExecError> {
        event(exec::register_model(s, &ctx.work_env(), ctx.signer, self))
    }
}

impl Handler for UploadModelChunk {
    fn execute<S: StateWrite>(&self, s: &mut S, ctx: &Ctx<'_>) -> Result<Event, ExecError> {
        event(exec::upload_model_chunk(s, ctx.signer, self))
    }
}

impl Handler for RegisterWorker {
    fn execute<S: StateWrite>(&self, s: &mut S, ctx: &Ctx<'_>) -> Result<Event, ExecError> {
        event(exec::register_worker(s, &ctx.work_env(), ctx.signer, self))
    }
}

impl Handler for PostJob {
    fn execute<S: StateWrite>(&self, s: &mut S, ctx: &Ctx<'_>) -> Result<Event, ExecError> {
        event(exec::post_job(s, &ctx.work_env(), ctx.signer, self))
    }
}

impl Handler for ClaimJob {
    fn execute<S: StateWrite>(&self, s: &mut S, ctx: &Ctx<'_>) -> Result<Event, ExecError> {
        event(exec::claim_job(s, ctx.signer, self))
    }
}

impl Handler for CommitWork {
    fn execute<S: StateWrite>(&self, s: &mut S, ctx: &Ctx<'_>) -> Result<Event, ExecError> {
        event(exec::commit_work(s, ctx.signer, self))
    }
}

impl Handler for RevealWork {
    /// The useful-work pre-check of ProcessProposal: fails when the reveal's sampled rows,
    /// lengths or Merkle proofs fail against committed state. The full check (with
    /// Freivalds) is cached by tx hash and context, and FinalizeBlock reuses it. A reveal
    /// whose context does not resolve (job not committed, beacon not on chain, …) is left to
    /// FinalizeBlock, which fails it as a tx error; a well-formed reveal that fails Freivalds
    /// is valid evidence and is executed (slash).
    fn check_historical<S: StateRead>(
        &self,
        s: &S,
        ctx: &HistoricalCtx<'_>,
    ) -> Result<(), TxError> {
        let tx = &ctx.tx;
        let rc = match work::reveal_context(s, tx.signer, self.job_id, ctx.height) {
            // A later part of a reveal split across txs, checked against a state in which
            // the earlier part (in the same block) has not run: left to FinalizeBlock.
            Ok(Ok(rc)) if rc.later_part(&self.rows) => return Ok(()),
            Ok(Ok(rc)) => rc,
            Ok(Err(_)) => return Ok(()),
            Err(e) => {
                // Execution meets the same failure and halts the node.
                tracing::error!(error = %e, "storage failure in the reveal pre-check");
                return Ok(());
            }
        };
        let cache_key = tx.work_cache.map(|c| (c, tx.tx_hash, tx.msg_index));
        let mut checked = None;
        ctx.probe.time_proof_verify(&mut || {
            checked = Some(work::check_reveal(s, &rc, &self.rows, cache_key));
        });
        match checked {
            Some(Ok(Ok(_))) | None => Ok(()),
            Some(Ok(Err(e))) => {
                tracing::warn!(job_id = self.job_id, tx = %hex::encode(tx.tx_hash), error = %e, "invalid reveal");
                Err(e)
            }
            Some(Err(e)) => {
                tracing::error!(error = %e, "storage failure in the reveal pre-check");
                Ok(())
            }
        }
    }

    fn execute<S: StateWrite>(&self, s: &mut S, ctx: &Ctx<'_>) -> Result<Event, ExecError> {
        event(exec::reveal_work(s, &ctx.work_env(), ctx.signer, self))
    }
}

impl Handler for CancelJob {
    fn execute<S: StateWrite>(&self, s: &mut S, ctx: &Ctx<'_>) -> Result<Event, ExecError> {
        event(exec::cancel_job(s, &ctx.work_env(), ctx.signer, self))
    }
}

impl Handler for UnbondWorker {
    fn execute<S: StateWrite>(&self, s: &mut S, ctx: &Ctx<'_>) -> Result<Event, ExecError> {
        event(exec::unbond_worker(s, ctx.signer))
    }
}

impl Handler for ConfirmOutput {
    fn execute<S: StateWrite>(&self, s: &mut S, ctx: &Ctx<'_>) -> Result<Event, ExecError> {
        event(exec::confirm_output(s, ctx.signer, self))
    }
}

impl Handler for DisputeOutput {
    fn execute<S: StateWrite>(&self, s: &mut S, ctx: &Ctx<'_>) -> Result<Event, ExecError> {
        event(exec::dispute_output(s, &ctx.work_env(), ctx.signer, self))
    }
}

impl Handler for AnswerDispute {
    fn execute<S: StateWrite>(&self, s: &mut S, ctx: &Ctx<'_>) -> Result<Event, ExecError> {
        event(exec::answer_dispute(s, ctx.signer, self))
    }
}

impl Handler for ChallengeRow {
    fn execute<S: StateWrite>(&self, s: &mut S, ctx: &Ctx<'_>) -> Result<Event, ExecError> {
        event(exec::challenge_row(s, &ctx.work_env(), ctx.signer, self))
    }
}
