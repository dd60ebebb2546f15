//! The market: fixed-price listings, offers and English auctions over unique tokens,
//! fungible amounts (including fractional shares) and royalty rights.
//!
//! Every sale goes through [`royalties::pay_sale`] with the policy of what is sold, so the
//! chain — not the seller — pays royalties. Escrowed funds (offers, bids) and listed
//! fungible units sit in the module account [`state_key::ESCROW_ACCOUNT`], so supply
//! conservation holds at every block; listed unique tokens are locked in place.

pub mod events;
pub mod expiry;
pub mod state_key;

use borsh::{BorshDeserialize, BorshSerialize};
use proofwork_tx::{Address, Item, TxError};

use crate::accounts;
use crate::assets::{self, check_payment_denom, Lock, Price, ProvKind};
use crate::codec;
use crate::royalties::{self, RoyaltyPolicy};
use crate::{attempt, ExecError, StateError, StateRead, StateWrite};
use events::{
    AcceptOfferEvent, AuctionOutcome, BuyListingEvent, CancelListingEvent, CancelOfferEvent,
    CreateAuctionEvent, CreateListingEvent, MakeOfferEvent, PlaceBidEvent, Sale,
    SettleAuctionEvent,
};

/// The market's escrow account.
pub fn escrow_account() -> Address {
    accounts::module_address(state_key::ESCROW_ACCOUNT)
}

/// A fixed-price listing.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Listing {
    /// Id.
    pub id: u64,
    /// Seller.
    pub seller: Address,
    /// What is sold.
    pub item: Item,
    /// Price.
    pub price: u128,
    /// Price denomination.
    pub denom: String,
    /// Height listed.
    pub height: u64,
}

/// An offer: the price sits in escrow until accepted, cancelled or expired ([`expiry`]).
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Offer {
    /// Id.
    pub id: u64,
    /// Who offers.
    pub buyer: Address,
    /// What is wanted.
    pub item: Item,
    /// Escrowed price.
    pub price: u128,
    /// Price denomination.
    pub denom: String,
    /// Last height at which it may be accepted (0: no expiry).
    pub expires_height: u64,
}

/// An English auction.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Auction {
    /// Id.
    pub id: u64,
    /// Seller.
    pub seller: Address,
    /// What is sold.
    pub item: Item,
    /// Bid denomination.
    pub denom: String,
    /// Least first bid.
    pub min_bid: u128,
    /// Bids are accepted while the block time is before this.
    pub end_time_ns: u64,
    /// Highest bid so far (escrowed).
    pub best: Option<(Address, u128)>,
}

/// The royalty policy a sale of `item` pays.
///
/// # Errors
/// Unknown class/token; non-sellable denominations.
pub fn item_policy<S: StateRead>(s: &S, item: &Item) -> Result<RoyaltyPolicy, ExecError> {
    match item {
        Item::Unique { class, token } => Ok(assets::require_token(s, class, *token)?.royalty),
        Item::Fungible { denom, .. } => assets::fungible_policy(s, denom),
        // Royalty rights are income streams, not the work: no royalty on their sale.
        Item::RoyaltyRight { .. } => Ok(RoyaltyPolicy::default()),
    }
}

fn royalty_policy_of<S: StateRead>(
    s: &S,
    class: &str,
    token: u64,
) -> Result<RoyaltyPolicy, ExecError> {
    if token == 0 {
        Ok(assets::require_class(s, class)?.royalty)
    } else {
        Ok(assets::require_token(s, class, token)?.royalty)
    }
}

/// Checks that `owner` may sell `item` now, and escrows it: locks a unique token, moves
/// fungible units into the market account. Royalty rights are checked only (they keep
/// paying the seller until sold).
fn escrow_item<S: StateWrite>(
    s: &mut S,
    owner: &Address,
    item: &Item,
    lock: Lock,
) -> Result<(), ExecError> {
    match item {
        Item::Unique { class, token } => {
            let mut t = assets::require_token(s, class, *token)?;
            if t.owner != *owner {
                return Err(TxError::NotOwner {
                    what: item.to_string(),
                }
                .into());
            }
            assets::check_movable(s, &t, true)?;
            t.lock = lock;
            assets::put_token(s, &t, None);
        }
        Item::Fungible { denom, amount } => {
            assets::fungible_policy(s, denom)?;
            accounts::move_funds(s, owner, &escrow_account(), denom, *amount)?;
        }
        Item::RoyaltyRight { class, token } => {
            if !royalty_policy_of(s, class, *token)?.holds(owner) {
                return Err(TxError::NotOwner {
                    what: item.to_string(),
                }
                .into());
            }
        }
    }
    Ok(())
}

/// Returns an escrowed item to its seller.
fn release_item<S: StateWrite>(s: &mut S, seller: &Address, item: &Item) -> Result<(), ExecError> {
    match item {
        Item::Unique { class, token } => {
            let mut t = assets::require_token(s, class, *token)?;
            t.lock = Lock::None;
            assets::put_token(s, &t, None);
        }
        Item::Fungible { denom, amount } => {
            accounts::move_funds(s, &escrow_account(), seller, denom, *amount)?;
        }
        Item::RoyaltyRight { .. } => {}
    }
    Ok(())
}

/// Completes a sale: `payer` (the buyer, or the escrow holding its funds) pays `price`
/// through the item's royalty policy, then the item goes to `buyer`. `escrowed` says
/// whether the item sits in escrow (listing, auction) or is taken from `seller` now (offer).
#[allow(clippy::too_many_arguments)]
fn settle_sale<S: StateWrite>(
    s: &mut S,
    payer: &Address,
    seller: &Address,
    buyer: &Address,
    item: &Item,
    price: u128,
    denom: &str,
    escrowed: bool,
) -> Result<Sale, ExecError> {
    check_payment_denom(denom)?;
    let policy = item_policy(s, item)?;
    let paid = royalties::pay_sale(s, payer, seller, denom, price, &policy)?;
    match item {
        Item::Unique { class, token } => {
            let mut t = assets::require_token(s, class, *token)?;
            if !escrowed {
                if t.owner != *seller {
                    return Err(TxError::NotOwner {
                        what: item.to_string(),
                    }
                    .into());
                }
                assets::check_movable(s, &t, true)?;
            }
            t.lock = Lock::None;
            let p = Price {
                denom: denom.into(),
                amount: price,
            };
            assets::set_owner(s, &mut t, buyer, ProvKind::Sale, Some(p))?;
        }
        Item::Fungible { denom: d, amount } => {
            let from = if escrowed { escrow_account() } else { *seller };
            accounts::move_funds(s, &from, buyer, d, *amount)?;
        }
        Item::RoyaltyRight { class, token } => {
            let mut policy = royalty_policy_of(s, class, *token)?;
            policy.reassign(seller, buyer)?;
            if *token == 0 {
                let mut c = assets::require_class(s, class)?;
                c.royalty = policy;
                codec::put(s, assets::state_key::class(class), &c);
            } else {
                let mut t = assets::require_token(s, class, *token)?;
                t.royalty = policy;
                assets::put_token(s, &t, None);
            }
            assets::record(
                s,
                class,
                *token,
                ProvKind::RoyaltyRightSale,
                Some(*seller),
                Some(*buyer),
                Some(Price {
                    denom: denom.into(),
                    amount: price,
                }),
                String::new(),
            )?;
        }
    }
    Ok(Sale {
        item: item.clone(),
        seller: *seller,
        buyer: *buyer,
        price,
        denom: denom.into(),
        royalty_paid: paid,
    })
}

/// A listing.
///
/// # Errors
/// Storage failures.
pub fn listing<S: StateRead>(s: &S, id: u64) -> Result<Option<Listing>, StateError> {
    codec::get(s, &state_key::listing(id))
}

/// Open listings after `after` (id), at most `limit`.
///
/// # Errors
/// Storage failures.
pub fn listings<S: StateRead>(s: &S, after: u64, limit: usize) -> Result<Vec<Listing>, StateError> {
    open_after(
        s,
        state_key::LISTING_PREFIX,
        state_key::listing,
        after,
        limit,
    )
}

/// The open entries under `prefix` (keyed by `key(id)`, ids big-endian so key order is id
/// order) with ids above `after`, at most `limit`: one ranged read.
fn open_after<S: StateRead, T: BorshDeserialize>(
    s: &S,
    prefix: &[u8],
    key: fn(u64) -> Vec<u8>,
    after: u64,
    limit: usize,
) -> Result<Vec<T>, StateError> {
    let start = (after > 0).then(|| key(after));
    Ok(codec::scan(s, prefix, start.as_deref(), limit)?
        .into_iter()
        .map(|(_, v)| v)
        .collect())
}

/// An offer.
///
/// # Errors
/// Storage failures.
pub fn offer<S: StateRead>(s: &S, id: u64) -> Result<Option<Offer>, StateError> {
    codec::get(s, &state_key::offer(id))
}

/// Open offers after `after` (id), at most `limit`.
///
/// # Errors
/// Storage failures.
pub fn offers<S: StateRead>(s: &S, after: u64, limit: usize) -> Result<Vec<Offer>, StateError> {
    open_after(s, state_key::OFFER_PREFIX, state_key::offer, after, limit)
}

/// An auction.
///
/// # Errors
/// Storage failures.
pub fn auction<S: StateRead>(s: &S, id: u64) -> Result<Option<Auction>, StateError> {
    codec::get(s, &state_key::auction(id))
}

/// Open auctions after `after` (id), at most `limit`.
///
/// # Errors
/// Storage failures.
pub fn auctions<S: StateRead>(s: &S, after: u64, limit: usize) -> Result<Vec<Auction>, StateError> {
    open_after(
        s,
        state_key::AUCTION_PREFIX,
        state_key::auction,
        after,
        limit,
    )
}

/// Lists an item at a fixed price.
///
/// # Errors
/// Not owner, frozen, locked, non-sellable denomination, insufficient units.
pub fn list<S: StateWrite>(
    s: &mut S,
    seller: &Address,
    item: &Item,
    price: u128,
    denom: &str,
) -> Result<CreateListingEvent, ExecError> {
    check_payment_denom(denom)?;
    let id = codec::next_id(s, state_key::NEXT_LISTING)?;
    escrow_item(s, seller, item, Lock::Listing(id))?;
    let l = Listing {
        id,
        seller: *seller,
        item: item.clone(),
        price,
        denom: denom.into(),
        height: accounts::block_height(s)?,
    };
    codec::put(s, state_key::listing(id), &l);
    Ok(CreateListingEvent {
        listing: id,
        item: item.clone(),
        price,
        denom: denom.into(),
    })
}

fn require_listing<S: StateRead>(s: &S, id: u64) -> Result<Listing, ExecError> {
    listing(s, id)?.ok_or_else(|| TxError::UnknownListing { id }.into())
}

/// Cancels a listing (the seller).
///
/// # Errors
/// Unknown listing, not the seller.
pub fn cancel_listing<S: StateWrite>(
    s: &mut S,
    signer: &Address,
    id: u64,
) -> Result<CancelListingEvent, ExecError> {
    let l = require_listing(s, id)?;
    if l.seller != *signer {
        return Err(TxError::NotOwner {
            what: format!("listing {id}"),
        }
        .into());
    }
    release_item(s, &l.seller, &l.item)?;
    s.delete(state_key::listing(id));
    Ok(CancelListingEvent { listing: id })
}

/// Buys a listing at its price, paying royalties.
///
/// # Errors
/// Unknown listing, [`TxError::SelfTrade`], insufficient funds, frozen.
pub fn buy<S: StateWrite>(
    s: &mut S,
    buyer: &Address,
    id: u64,
) -> Result<BuyListingEvent, ExecError> {
    let l = require_listing(s, id)?;
    if l.seller == *buyer {
        return Err(TxError::SelfTrade.into());
    }
    check_not_frozen(s, &l.item)?;
    s.delete(state_key::listing(id));
    let sale = settle_sale(s, buyer, &l.seller, buyer, &l.item, l.price, &l.denom, true)?;
    Ok(BuyListingEvent { listing: id, sale })
}

/// A frozen asset cannot be sold, even when it was listed before the freeze.
fn check_not_frozen<S: StateRead>(s: &S, item: &Item) -> Result<(), ExecError> {
    match item {
        Item::Unique { class, token } => {
            let c = assets::require_class(s, class)?;
            let t = assets::require_token(s, class, *token)?;
            if c.frozen || t.frozen {
                return Err(TxError::AssetFrozen {
                    what: item.to_string(),
                }
                .into());
            }
        }
        Item::Fungible { denom, .. } => {
            assets::fungible_policy(s, denom)?;
        }
        Item::RoyaltyRight { .. } => {}
    }
    Ok(())
}

/// Offers `price` for an item; the price goes into escrow.
///
/// # Errors
/// Unknown item, non-sellable denomination, insufficient funds, own item.
pub fn make_offer<S: StateWrite>(
    s: &mut S,
    buyer: &Address,
    item: &Item,
    price: u128,
    denom: &str,
    expires_height: u64,
) -> Result<MakeOfferEvent, ExecError> {
    check_payment_denom(denom)?;
    item_policy(s, item)?; // the item must exist and be sellable
    if let Item::Unique { class, token } = item {
        if assets::require_token(s, class, *token)?.owner == *buyer {
            return Err(TxError::SelfTrade.into());
        }
    }
    let id = codec::next_id(s, state_key::NEXT_OFFER)?;
    accounts::move_funds(s, buyer, &escrow_account(), denom, price)?;
    let o = Offer {
        id,
        buyer: *buyer,
        item: item.clone(),
        price,
        denom: denom.into(),
        expires_height,
    };
    codec::put(s, state_key::offer(id), &o);
    expiry::index(s, &o);
    Ok(MakeOfferEvent {
        offer: id,
        item: item.clone(),
        price,
        denom: denom.into(),
    })
}

fn require_offer<S: StateRead>(s: &S, id: u64) -> Result<Offer, ExecError> {
    offer(s, id)?.ok_or_else(|| TxError::UnknownOffer { id }.into())
}

/// Accepts an offer: the signer (holder of the item) sells it at the offered price.
///
/// # Errors
/// Unknown or expired offer, self-trade, not the holder, frozen, locked.
pub fn accept_offer<S: StateWrite>(
    s: &mut S,
    seller: &Address,
    id: u64,
) -> Result<AcceptOfferEvent, ExecError> {
    let o = require_offer(s, id)?;
    if o.buyer == *seller {
        return Err(TxError::SelfTrade.into());
    }
    let height = accounts::block_height(s)?;
    if o.expires_height != 0 && height > o.expires_height {
        return Err(TxError::OfferExpired {
            id,
            expires_height: o.expires_height,
        }
        .into());
    }
    if let Item::RoyaltyRight { class, token } = &o.item {
        if !royalty_policy_of(s, class, *token)?.holds(seller) {
            return Err(TxError::NotOwner {
                what: o.item.to_string(),
            }
            .into());
        }
    }
    check_not_frozen(s, &o.item)?;
    s.delete(state_key::offer(id));
    expiry::unindex(s, &o);
    let sale = settle_sale(
        s,
        &escrow_account(),
        seller,
        &o.buyer,
        &o.item,
        o.price,
        &o.denom,
        false,
    )?;
    Ok(AcceptOfferEvent { offer: id, sale })
}

/// Cancels an offer (the buyer) and refunds it.
///
/// # Errors
/// Unknown offer, not the buyer.
pub fn cancel_offer<S: StateWrite>(
    s: &mut S,
    signer: &Address,
    id: u64,
) -> Result<CancelOfferEvent, ExecError> {
    let o = require_offer(s, id)?;
    if o.buyer != *signer {
        return Err(TxError::NotOwner {
            what: format!("offer {id}"),
        }
        .into());
    }
    accounts::move_funds(s, &escrow_account(), &o.buyer, &o.denom, o.price)?;
    s.delete(state_key::offer(id));
    expiry::unindex(s, &o);
    Ok(CancelOfferEvent { offer: id })
}

/// Starts an English auction ending at `end_time_ns` (block time).
///
/// # Errors
/// Deadline not in the future, not owner, frozen, locked.
pub fn create_auction<S: StateWrite>(
    s: &mut S,
    seller: &Address,
    item: &Item,
    denom: &str,
    min_bid: u128,
    end_time_ns: u64,
) -> Result<CreateAuctionEvent, ExecError> {
    check_payment_denom(denom)?;
    let now = accounts::block_time_ns(s)?;
    if end_time_ns <= now {
        return Err(TxError::BadDeadline {
            deadline_ns: end_time_ns,
            now_ns: now,
        }
        .into());
    }
    let id = codec::next_id(s, state_key::NEXT_AUCTION)?;
    escrow_item(s, seller, item, Lock::Auction(id))?;
    let a = Auction {
        id,
        seller: *seller,
        item: item.clone(),
        denom: denom.into(),
        min_bid,
        end_time_ns,
        best: None,
    };
    codec::put(s, state_key::auction(id), &a);
    Ok(CreateAuctionEvent {
        auction: id,
        item: item.clone(),
        end_time_ns,
    })
}

fn require_auction<S: StateRead>(s: &S, id: u64) -> Result<Auction, ExecError> {
    auction(s, id)?.ok_or_else(|| TxError::UnknownAuction { id }.into())
}

/// Bids: at least the minimum for the first bid, strictly above the best after that, and
/// only before the end. The bid is escrowed and the previous best refunded.
///
/// # Errors
/// [`TxError::AuctionClosed`], [`TxError::BidTooLow`], [`TxError::SelfTrade`], funds.
pub fn bid<S: StateWrite>(
    s: &mut S,
    bidder: &Address,
    id: u64,
    amount: u128,
) -> Result<PlaceBidEvent, ExecError> {
    let mut a = require_auction(s, id)?;
    let now = accounts::block_time_ns(s)?;
    if now >= a.end_time_ns {
        return Err(TxError::AuctionClosed {
            end_time_ns: a.end_time_ns,
            now_ns: now,
        }
        .into());
    }
    if a.seller == *bidder {
        return Err(TxError::SelfTrade.into());
    }
    let min = match a.best {
        None => a.min_bid,
        Some((_, best)) => best
            .checked_add(1)
            .ok_or_else(|| TxError::Overflow { what: "bid".into() })?,
    };
    if amount < min {
        return Err(TxError::BidTooLow { bid: amount, min }.into());
    }
    accounts::move_funds(s, bidder, &escrow_account(), &a.denom, amount)?;
    if let Some((prev, prev_amount)) = a.best {
        accounts::move_funds(s, &escrow_account(), &prev, &a.denom, prev_amount)?;
    }
    a.best = Some((*bidder, amount));
    codec::put(s, state_key::auction(id), &a);
    Ok(PlaceBidEvent {
        auction: id,
        bidder: *bidder,
        amount,
    })
}

/// Settles an auction after its end (anyone may call): the best bid buys the item with
/// royalties paid; with no bid the item returns to the seller. When the sale can no longer
/// happen (the seller sold a royalty right elsewhere meanwhile, the item was frozen or its
/// token is gone), the auction still closes: the best bid goes back to its bidder and the
/// item to the seller — an auction must never hold a bid it cannot settle.
///
/// # Errors
/// [`TxError::AuctionOpen`] before the end; unknown auction.
pub fn settle_auction<S: StateWrite>(s: &mut S, id: u64) -> Result<SettleAuctionEvent, ExecError> {
    let a = require_auction(s, id)?;
    let now = accounts::block_time_ns(s)?;
    if now < a.end_time_ns {
        return Err(TxError::AuctionOpen {
            end_time_ns: a.end_time_ns,
            now_ns: now,
        }
        .into());
    }
    s.delete(state_key::auction(id));
    let outcome = match a.best {
        Some((winner, amount)) => {
            let sale = attempt(s, |s| {
                settle_sale(
                    s,
                    &escrow_account(),
                    &a.seller,
                    &winner,
                    &a.item,
                    amount,
                    &a.denom,
                    true,
                )
            })?;
            match sale {
                Ok(sale) => AuctionOutcome::Sold(sale),
                Err(why) => {
                    // The escrow holds every best bid it took; failing to return one is a
                    // broken invariant (halt), never a refusal that would leave the bid stuck.
                    accounts::move_funds(s, &escrow_account(), &winner, &a.denom, amount).map_err(
                        |e| match e {
                            ExecError::Tx(e) => StateError::Invariant(format!(
                                "auction {id}: escrow cannot refund the best bid: {e}"
                            ))
                            .into(),
                            state => state,
                        },
                    )?;
                    // The item may be unreturnable too (a burnt token): then nothing is left
                    // to return.
                    let returned = attempt(s, |s| release_item(s, &a.seller, &a.item))?.is_ok();
                    AuctionOutcome::Failed {
                        item: a.item.clone(),
                        reason: why.to_string(),
                        bidder: winner,
                        amount,
                        denom: a.denom.clone(),
                        item_returned: returned,
                    }
                }
            }
        }
        None => {
            let returned = attempt(s, |s| release_item(s, &a.seller, &a.item))?.is_ok();
            AuctionOutcome::NoBids {
                item: a.item.clone(),
                item_returned: returned,
            }
        }
    };
    Ok(SettleAuctionEvent {
        auction: id,
        outcome,
    })
}
