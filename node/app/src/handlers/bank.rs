//! Plain transfers (`proofwork-state` accounts).

use proofwork_state::{accounts, assets, ExecError, StateWrite};
use proofwork_tx::Transfer;

use super::{Ctx, Handler};
use crate::events::{Event, IntoEvent as _, TransferEvent};

impl Handler for Transfer {
    fn execute<S: StateWrite>(&self, s: &mut S, ctx: &Ctx<'_>) -> Result<Event, ExecError> {
        // Frozen classes and sales-only assets (royalty enforcement) never move by a plain
        // transfer.
        assets::check_free_transfer(s, &self.denom)?;
        accounts::transfer(s, ctx.signer, &self.to, &self.denom, self.amount)?;
        Ok(TransferEvent {
            sender: *ctx.signer,
            recipient: self.to,
            denom: self.denom.clone(),
            amount: self.amount,
        }
        .into_event())
    }
}
