//! Expired offers: their escrow goes back to the buyer at the end of the block after their
//! last acceptable height, so no expired offer can hold funds forever, and listings hide
//! them even before the sweep reaches them.

use proofwork_tx::Address;

use super::{escrow_account, offer, state_key, Offer};
use crate::{accounts, ExecError, StateError, StateRead, StateWrite};

/// Most offers one block's sweep refunds (bounds end-of-block work); the rest wait for the
/// next block, oldest expiry first.
pub const MAX_EXPIRED_PER_BLOCK: usize = 256;

/// An offer that can no longer be accepted once the block at `height` is committed.
pub fn is_expired(o: &Offer, height: u64) -> bool {
    o.expires_height != 0 && o.expires_height <= height
}

/// Indexes a new offer by its expiry (none for offers that never expire).
pub(super) fn index<S: StateWrite>(s: &mut S, o: &Offer) {
    if o.expires_height != 0 {
        s.put_raw(state_key::offer_expiry(o.expires_height, o.id), Vec::new());
    }
}

/// Removes an offer's index entry (accepted, cancelled or swept).
pub(super) fn unindex<S: StateWrite>(s: &mut S, o: &Offer) {
    if o.expires_height != 0 {
        s.delete(state_key::offer_expiry(o.expires_height, o.id));
    }
}

/// One refunded offer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refund {
    /// Offer id.
    pub id: u64,
    /// Who got the escrow back.
    pub buyer: Address,
    /// Amount.
    pub amount: u128,
    /// Denomination.
    pub denom: String,
}

/// End of block `height`: refunds and deletes offers whose last acceptable height is
/// `height` or earlier, at most [`MAX_EXPIRED_PER_BLOCK`].
///
/// # Errors
/// Storage failures; an index entry that does not parse or names no offer (corruption);
/// an escrow that cannot cover the refund (an invariant break).
pub fn end_block<S: StateWrite>(s: &mut S, height: u64) -> Result<Vec<Refund>, StateError> {
    let due = s.scan_prefix(state_key::OFFER_EXPIRY_PREFIX, None, MAX_EXPIRED_PER_BLOCK)?;
    let mut out = Vec::new();
    for (key, _) in due {
        let rest = &key[state_key::OFFER_EXPIRY_PREFIX.len()..];
        let (Some(exp), Some(id)) = (be_u64(rest, 0), be_u64(rest, 8)) else {
            return Err(corrupt(&key, "bad offer expiry key"));
        };
        if exp > height {
            break;
        }
        let Some(o) = offer(s, id)? else {
            return Err(corrupt(&key, "indexes a missing offer"));
        };
        if o.price > 0 {
            accounts::move_funds(s, &escrow_account(), &o.buyer, &o.denom, o.price).map_err(
                |e| match e {
                    ExecError::State(e) => e,
                    ExecError::Tx(e) => StateError::Invariant(format!("refunding offer {id}: {e}")),
                },
            )?;
        }
        s.delete(state_key::offer(id));
        unindex(s, &o);
        out.push(Refund {
            id,
            buyer: o.buyer,
            amount: o.price,
            denom: o.denom,
        });
    }
    Ok(out)
}

/// Open offers after `after` (id), at most `limit`, without the expired ones (at the
/// store's current height: the sweep may lag behind a burst of expiries). Reads at most
/// `8·limit + 1024` entries, so work stays bounded even then.
///
/// # Errors
/// Storage failures.
pub fn open_offers<S: StateRead>(
    s: &S,
    after: u64,
    limit: usize,
) -> Result<Vec<Offer>, StateError> {
    let height = accounts::block_height(s)?;
    let budget = limit.saturating_mul(8).saturating_add(1024);
    let (mut out, mut cursor, mut scanned) = (Vec::new(), after, 0usize);
    while out.len() < limit && scanned < budget {
        let chunk = super::offers(s, cursor, (limit - out.len()).min(budget - scanned))?;
        let Some(last) = chunk.last().map(|o| o.id) else {
            break;
        };
        scanned = scanned.saturating_add(chunk.len());
        cursor = last;
        out.extend(chunk.into_iter().filter(|o| !is_expired(o, height)));
    }
    Ok(out)
}

fn be_u64(b: &[u8], at: usize) -> Option<u64> {
    let end = at.checked_add(8)?;
    Some(u64::from_be_bytes(b.get(at..end)?.try_into().ok()?))
}

fn corrupt(key: &[u8], reason: &str) -> StateError {
    StateError::Corrupt {
        key: hex::encode(key),
        reason: reason.into(),
    }
}
