//! Validator admission (`proofwork-consensus` admission).

use proofwork_consensus::admission;
use proofwork_state::{accounts, ExecError, StateWrite};
use proofwork_tx::{ApplyValidator, ProposeRemoval, VoteValidator};

use super::{Ctx, Handler};
use crate::events::{Event, IntoEvent as _, ValidatorApplicationEvent, ValidatorVoteEvent};

impl Handler for ApplyValidator {
    fn execute<S: StateWrite>(&self, s: &mut S, ctx: &Ctx<'_>) -> Result<Event, ExecError> {
        let height = accounts::block_height(s)?;
        let id = admission::apply(
            s,
            ctx.signer,
            &self.consensus_pubkey,
            &self.moniker,
            &self.vrf_pubkey,
            height,
        )?;
        Ok(ValidatorApplicationEvent {
            application_id: id,
            kind: admission::Kind::Admit.as_str(),
            consensus_pubkey: self.consensus_pubkey,
            operator: *ctx.signer,
            status: admission::Status::Pending.as_str(),
        }
        .into_event())
    }
}

impl Handler for VoteValidator {
    fn execute<S: StateWrite>(&self, s: &mut S, ctx: &Ctx<'_>) -> Result<Event, ExecError> {
        let status = admission::vote(s, ctx.signer, self.application_id, self.approve)?;
        Ok(ValidatorVoteEvent {
            application_id: self.application_id,
            voter: *ctx.signer,
            approve: self.approve,
            status: status.as_str(),
        }
        .into_event())
    }
}

impl Handler for ProposeRemoval {
    fn execute<S: StateWrite>(&self, s: &mut S, ctx: &Ctx<'_>) -> Result<Event, ExecError> {
        let height = accounts::block_height(s)?;
        let (id, status) =
            admission::propose_removal(s, ctx.signer, &self.consensus_pubkey, height)?;
        Ok(ValidatorApplicationEvent {
            application_id: id,
            kind: admission::Kind::Remove.as_str(),
            consensus_pubkey: self.consensus_pubkey,
            operator: *ctx.signer,
            status: status.as_str(),
        }
        .into_event())
    }
}
