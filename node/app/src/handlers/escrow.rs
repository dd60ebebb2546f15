//! Oracle-resolved escrow (`proofwork-state` escrow).

use proofwork_state::escrow;
use proofwork_tx::{CreateEscrow, FundEscrow, RefundEscrow, ResolveEscrow};

use super::typed_component_handlers;

typed_component_handlers! {
    CreateEscrow => |m, s, ctx| escrow::create(
        s,
        ctx.signer,
        &m.counterparty,
        &m.oracle,
        &m.event,
        &m.denom,
        m.deposit,
        m.counter_deposit,
        m.deadline_ns,
    );
    FundEscrow => |m, s, ctx| escrow::fund(s, ctx.signer, m.id);
    // The tx's chain id is the chain's (checked with the fee).
    ResolveEscrow => |m, s, ctx| escrow::resolve(s, ctx.chain_id, m.id, m.outcome, &m.signature);
    RefundEscrow => |m, s, ctx| escrow::refund(s, m.id);
}
