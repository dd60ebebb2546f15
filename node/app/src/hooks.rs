//! Block hooks: what components do at the end of every block, outside any tx.
//! [`END_BLOCK`] is the fixed order `finalize_block` runs them in; each reports what the
//! node needs through [`HookOutput`] instead of the app reading the component's keys.

use proofwork_consensus::{beacon, work};
use proofwork_state::{market, StateDelta, StateError, Storage};

use crate::events::{work_event, Event, IntoEvent as _, OfferExpiredEvent};

/// What a hook is told about the block.
#[derive(Debug, Clone, Copy)]
pub struct BlockCtx<'a> {
    /// Height.
    pub height: u64,
    /// Block hash (the work beacon before the VRF beacon is enabled).
    pub block_hash: &'a [u8],
    /// The chain's native denomination.
    pub native_denom: &'a str,
}

/// What a hook reports.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HookOutput {
    /// Events for the logs.
    pub events: Vec<Event>,
    /// Models whose `B·r` for the beacon of `height + 1` is worth computing ahead.
    pub prefetch_models: Vec<u64>,
}

/// One component's end-of-block work.
pub trait BlockHook: Sync {
    /// The component's name, for logs.
    fn name(&self) -> &'static str;

    /// Runs after the block's txs and before the supply check.
    ///
    /// # Errors
    /// Storage failures or broken invariants (fatal).
    fn end_block(
        &self,
        state: &mut StateDelta<Storage>,
        ctx: &BlockCtx<'_>,
    ) -> Result<HookOutput, StateError>;
}

/// Useful work: block-hash beacon, deadline slashes, unbonding, epoch power.
struct Work;

impl BlockHook for Work {
    fn name(&self) -> &'static str {
        "work"
    }

    fn end_block(
        &self,
        state: &mut StateDelta<Storage>,
        ctx: &BlockCtx<'_>,
    ) -> Result<HookOutput, StateError> {
        let end = work::end_block(state, ctx.height, ctx.block_hash, ctx.native_denom)?;
        Ok(HookOutput {
            events: end.events.iter().map(work_event).collect(),
            prefetch_models: end.prefetch_models,
        })
    }
}

/// The VRF beacon: rolls the voter set forward.
struct Beacon;

impl BlockHook for Beacon {
    fn name(&self) -> &'static str {
        "beacon"
    }

    fn end_block(
        &self,
        state: &mut StateDelta<Storage>,
        ctx: &BlockCtx<'_>,
    ) -> Result<HookOutput, StateError> {
        beacon::end_block(state, ctx.height)?;
        Ok(HookOutput::default())
    }
}

/// Market: refunds offers past their last acceptable height.
struct OfferExpiry;

impl BlockHook for OfferExpiry {
    fn name(&self) -> &'static str {
        "market"
    }

    fn end_block(
        &self,
        state: &mut StateDelta<Storage>,
        ctx: &BlockCtx<'_>,
    ) -> Result<HookOutput, StateError> {
        let events = market::expiry::end_block(state, ctx.height)?
            .into_iter()
            .map(|r| {
                OfferExpiredEvent {
                    offer: r.id,
                    buyer: r.buyer,
                    amount: r.amount,
                    denom: r.denom,
                }
                .into_event()
            })
            .collect();
        Ok(HookOutput {
            events,
            prefetch_models: Vec::new(),
        })
    }
}

/// The end-of-block hooks, in the order they run (work, then beacon, then offer expiry:
/// changing it changes app hashes).
pub static END_BLOCK: &[&dyn BlockHook] = &[&Work, &Beacon, &OfferExpiry];
