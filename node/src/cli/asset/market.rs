//! The market: listings, offers, auctions, fractional vaults.

use clap::Subcommand;
use proofwork_tx::Message;

use super::{in_secs, ItemArgs};
use crate::cli::tx::Signer;
use crate::cli::Ctx;

/// Market txs.
#[derive(Subcommand, Debug)]
pub(crate) enum MarketCmd {
    /// List an item at a fixed price.
    List {
        #[command(flatten)]
        signer: Signer,
        #[command(flatten)]
        item: ItemArgs,
        /// Asking price.
        #[arg(long)]
        price: u128,
        /// Denomination of the price.
        #[arg(long, default_value = "upw")]
        price_denom: String,
    },
    /// Cancel a listing.
    Unlist {
        #[command(flatten)]
        signer: Signer,
        /// Listing id.
        #[arg(long)]
        listing: u64,
    },
    /// Buy a listing (royalties are paid by the chain).
    Buy {
        #[command(flatten)]
        signer: Signer,
        /// Listing id.
        #[arg(long)]
        listing: u64,
    },
    /// Offer a price for an item (escrowed), or accept/cancel an offer.
    Offer {
        #[command(flatten)]
        signer: Signer,
        #[command(flatten)]
        item: ItemArgs,
        /// Price offered.
        #[arg(long, default_value_t = 0)]
        price: u128,
        /// Denomination of the price.
        #[arg(long, default_value = "upw")]
        price_denom: String,
        /// Height after which the offer lapses (0: never).
        #[arg(long, default_value_t = 0)]
        expires_height: u64,
        /// Accept this offer instead (as the holder of the item).
        #[arg(long)]
        accept: Option<u64>,
        /// Cancel this offer instead (as the buyer).
        #[arg(long)]
        cancel: Option<u64>,
    },
    /// Start an English auction.
    Auction {
        #[command(flatten)]
        signer: Signer,
        #[command(flatten)]
        item: ItemArgs,
        /// Lowest first bid.
        #[arg(long)]
        min_bid: u128,
        /// Denomination of the bids.
        #[arg(long, default_value = "upw")]
        price_denom: String,
        /// Ends this many seconds from now (block time).
        #[arg(long, default_value_t = 60)]
        duration_secs: u64,
    },
    /// Bid on an auction.
    Bid {
        #[command(flatten)]
        signer: Signer,
        /// Auction id.
        #[arg(long)]
        auction: u64,
        /// Bid (escrowed until outbid or settled).
        #[arg(long)]
        amount: u128,
    },
    /// Settle an ended auction.
    Settle {
        #[command(flatten)]
        signer: Signer,
        /// Auction id.
        #[arg(long)]
        auction: u64,
    },
    /// Lock a unique token into a vault issuing fungible shares.
    Fractionalize {
        #[command(flatten)]
        signer: Signer,
        /// Asset class of the token.
        #[arg(long)]
        class: String,
        /// Token id.
        #[arg(long)]
        token: u64,
        /// Shares issued to the signer.
        #[arg(long)]
        shares: u128,
        /// Buyout price of the whole token.
        #[arg(long)]
        reserve: u128,
        /// Denomination of the reserve price.
        #[arg(long, default_value = "upw")]
        price_denom: String,
    },
    /// Buy a vault's token at its reserve price.
    Buyout {
        #[command(flatten)]
        signer: Signer,
        /// Vault id.
        #[arg(long)]
        vault: u64,
    },
    /// Redeem shares after a buyout (--amount), or all shares for the token (no --amount).
    Redeem {
        #[command(flatten)]
        signer: Signer,
        /// Vault id.
        #[arg(long)]
        vault: u64,
        /// Shares to redeem for their part of the buyout price.
        #[arg(long)]
        amount: Option<u128>,
    },
}

impl MarketCmd {
    /// The signer and the message.
    pub(crate) fn message(self, _ctx: &Ctx) -> anyhow::Result<(Signer, Message)> {
        let (signer, msg) = match self {
            MarketCmd::List {
                signer,
                item,
                price,
                price_denom,
            } => (
                signer,
                Message::CreateListing(proofwork_tx::CreateListing {
                    item: item.item()?,
                    price,
                    denom: price_denom,
                }),
            ),
            MarketCmd::Unlist { signer, listing } => (
                signer,
                Message::CancelListing(proofwork_tx::CancelListing { id: listing }),
            ),
            MarketCmd::Buy { signer, listing } => (
                signer,
                Message::BuyListing(proofwork_tx::BuyListing { id: listing }),
            ),
            MarketCmd::Offer {
                signer,
                item,
                price,
                price_denom,
                expires_height,
                accept,
                cancel,
            } => {
                let msg = match (accept, cancel) {
                    (Some(id), _) => Message::AcceptOffer(proofwork_tx::AcceptOffer { id }),
                    (None, Some(id)) => Message::CancelOffer(proofwork_tx::CancelOffer { id }),
                    (None, None) => Message::MakeOffer(proofwork_tx::MakeOffer {
                        item: item.item()?,
                        price,
                        denom: price_denom,
                        expires_height,
                    }),
                };
                (signer, msg)
            }
            MarketCmd::Auction {
                signer,
                item,
                min_bid,
                price_denom,
                duration_secs,
            } => (
                signer,
                Message::CreateAuction(proofwork_tx::CreateAuction {
                    item: item.item()?,
                    denom: price_denom,
                    min_bid,
                    end_time_ns: in_secs(duration_secs)?,
                }),
            ),
            MarketCmd::Bid {
                signer,
                auction,
                amount,
            } => (
                signer,
                Message::PlaceBid(proofwork_tx::PlaceBid {
                    id: auction,
                    amount,
                }),
            ),
            MarketCmd::Settle { signer, auction } => (
                signer,
                Message::SettleAuction(proofwork_tx::SettleAuction { id: auction }),
            ),
            MarketCmd::Fractionalize {
                signer,
                class,
                token,
                shares,
                reserve,
                price_denom,
            } => (
                signer,
                Message::Fractionalize(proofwork_tx::Fractionalize {
                    class,
                    token,
                    shares,
                    reserve,
                    denom: price_denom,
                }),
            ),
            MarketCmd::Buyout { signer, vault } => {
                (signer, Message::Buyout(proofwork_tx::Buyout { vault }))
            }
            MarketCmd::Redeem {
                signer,
                vault,
                amount,
            } => (
                signer,
                match amount {
                    Some(amount) => {
                        Message::RedeemShares(proofwork_tx::RedeemShares { vault, amount })
                    }
                    None => Message::Unfractionalize(proofwork_tx::Unfractionalize { vault }),
                },
            ),
        };
        Ok((signer, msg))
    }
}
