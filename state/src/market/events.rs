//! The events of the market messages: one struct per kind (the message's), built by the
//! component functions of [`super`]. Kinds, attribute keys, their order and value formats
//! are read by clients and tests: never change them.

use proofwork_tx::{Address, Item};

use crate::assets::format_paid;
use crate::event::TypedEvent;

/// A completed sale, part of the events of the messages that sell (`buy_listing`,
/// `accept_offer`, `settle_auction`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sale {
    /// What was sold.
    pub item: Item,
    /// Who sold it.
    pub seller: Address,
    /// Who bought it.
    pub buyer: Address,
    /// The price paid.
    pub price: u128,
    /// Its denomination.
    pub denom: String,
    /// Royalties paid out of the price, by recipient.
    pub royalty_paid: Vec<(Address, u128)>,
}

impl Sale {
    fn attributes(&self) -> Vec<(&'static str, String)> {
        vec![
            ("item", self.item.to_string()),
            ("seller", self.seller.to_string()),
            ("buyer", self.buyer.to_string()),
            ("price", format!("{}{}", self.price, self.denom)),
            ("royalty_paid", format_paid(&self.royalty_paid)),
        ]
    }
}

/// `create_listing`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateListingEvent {
    /// The new listing's id.
    pub listing: u64,
    /// What is listed.
    pub item: Item,
    /// The asking price.
    pub price: u128,
    /// Its denomination.
    pub denom: String,
}

impl TypedEvent for CreateListingEvent {
    const KIND: &'static str = "create_listing";
    fn attributes(&self) -> Vec<(&'static str, String)> {
        vec![
            ("listing_id", self.listing.to_string()),
            ("item", self.item.to_string()),
            ("price", format!("{}{}", self.price, self.denom)),
        ]
    }
}

/// `cancel_listing`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CancelListingEvent {
    /// The listing withdrawn.
    pub listing: u64,
}

impl TypedEvent for CancelListingEvent {
    const KIND: &'static str = "cancel_listing";
    fn attributes(&self) -> Vec<(&'static str, String)> {
        vec![("listing_id", self.listing.to_string())]
    }
}

/// `buy_listing`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuyListingEvent {
    /// The listing bought.
    pub listing: u64,
    /// The sale.
    pub sale: Sale,
}

impl TypedEvent for BuyListingEvent {
    const KIND: &'static str = "buy_listing";
    fn attributes(&self) -> Vec<(&'static str, String)> {
        let mut a = vec![("listing_id", self.listing.to_string())];
        a.extend(self.sale.attributes());
        a
    }
}

/// `make_offer`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MakeOfferEvent {
    /// The new offer's id.
    pub offer: u64,
    /// What the offer is for.
    pub item: Item,
    /// The price escrowed.
    pub price: u128,
    /// Its denomination.
    pub denom: String,
}

impl TypedEvent for MakeOfferEvent {
    const KIND: &'static str = "make_offer";
    fn attributes(&self) -> Vec<(&'static str, String)> {
        vec![
            ("offer_id", self.offer.to_string()),
            ("item", self.item.to_string()),
            ("price", format!("{}{}", self.price, self.denom)),
        ]
    }
}

/// `accept_offer`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcceptOfferEvent {
    /// The offer accepted.
    pub offer: u64,
    /// The sale.
    pub sale: Sale,
}

impl TypedEvent for AcceptOfferEvent {
    const KIND: &'static str = "accept_offer";
    fn attributes(&self) -> Vec<(&'static str, String)> {
        let mut a = vec![("offer_id", self.offer.to_string())];
        a.extend(self.sale.attributes());
        a
    }
}

/// `cancel_offer`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CancelOfferEvent {
    /// The offer withdrawn (and refunded).
    pub offer: u64,
}

impl TypedEvent for CancelOfferEvent {
    const KIND: &'static str = "cancel_offer";
    fn attributes(&self) -> Vec<(&'static str, String)> {
        vec![("offer_id", self.offer.to_string())]
    }
}

/// `create_auction`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateAuctionEvent {
    /// The new auction's id.
    pub auction: u64,
    /// What is auctioned.
    pub item: Item,
    /// Its end, in block time (ns since the Unix epoch).
    pub end_time_ns: u64,
}

impl TypedEvent for CreateAuctionEvent {
    const KIND: &'static str = "create_auction";
    fn attributes(&self) -> Vec<(&'static str, String)> {
        vec![
            ("auction_id", self.auction.to_string()),
            ("item", self.item.to_string()),
            ("end_time_ns", self.end_time_ns.to_string()),
        ]
    }
}

/// `place_bid`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaceBidEvent {
    /// The auction.
    pub auction: u64,
    /// The new best bidder.
    pub bidder: Address,
    /// The bid (in the auction's denomination).
    pub amount: u128,
}

impl TypedEvent for PlaceBidEvent {
    const KIND: &'static str = "place_bid";
    fn attributes(&self) -> Vec<(&'static str, String)> {
        vec![
            ("auction_id", self.auction.to_string()),
            ("bidder", self.bidder.to_string()),
            ("amount", self.amount.to_string()),
        ]
    }
}

/// How an auction closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuctionOutcome {
    /// The best bid bought the item.
    Sold(Sale),
    /// The sale could no longer happen: the best bid went back to its bidder.
    Failed {
        /// What was auctioned.
        item: Item,
        /// Why the sale failed.
        reason: String,
        /// The bidder refunded.
        bidder: Address,
        /// The amount refunded.
        amount: u128,
        /// Its denomination.
        denom: String,
        /// Whether the item went back to the seller (false: nothing was left to return).
        item_returned: bool,
    },
    /// No one bid.
    NoBids {
        /// What was auctioned.
        item: Item,
        /// Whether the item went back to the seller.
        item_returned: bool,
    },
}

/// `settle_auction`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettleAuctionEvent {
    /// The auction closed.
    pub auction: u64,
    /// Its outcome.
    pub outcome: AuctionOutcome,
}

impl TypedEvent for SettleAuctionEvent {
    const KIND: &'static str = "settle_auction";
    fn attributes(&self) -> Vec<(&'static str, String)> {
        let mut a = vec![("auction_id", self.auction.to_string())];
        match &self.outcome {
            AuctionOutcome::Sold(sale) => a.extend(sale.attributes()),
            AuctionOutcome::Failed {
                item,
                reason,
                bidder,
                amount,
                denom,
                item_returned,
            } => a.extend([
                ("item", item.to_string()),
                ("result", "failed".into()),
                ("reason", reason.clone()),
                ("refunded", format!("{bidder}:{amount}{denom}")),
                ("item_returned", item_returned.to_string()),
            ]),
            AuctionOutcome::NoBids {
                item,
                item_returned,
            } => a.extend([
                ("item", item.to_string()),
                ("result", "no bids".into()),
                ("item_returned", item_returned.to_string()),
            ]),
        }
        a
    }
}
