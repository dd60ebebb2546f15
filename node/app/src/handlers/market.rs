//! Listings, offers and auctions (`proofwork-state` market).

use proofwork_state::market;
use proofwork_tx::{
    AcceptOffer, BuyListing, CancelListing, CancelOffer, CreateAuction, CreateListing, MakeOffer,
    PlaceBid, SettleAuction,
};

use super::typed_component_handlers;

typed_component_handlers! {
    CreateListing => |m, s, ctx| market::list(s, ctx.signer, &m.item, m.price, &m.denom);
    CancelListing => |m, s, ctx| market::cancel_listing(s, ctx.signer, m.id);
    BuyListing => |m, s, ctx| market::buy(s, ctx.signer, m.id);
    MakeOffer => |m, s, ctx| market::make_offer(
        s,
        ctx.signer,
        &m.item,
        m.price,
        &m.denom,
        m.expires_height,
    );
    AcceptOffer => |m, s, ctx| market::accept_offer(s, ctx.signer, m.id);
    CancelOffer => |m, s, ctx| market::cancel_offer(s, ctx.signer, m.id);
    CreateAuction => |m, s, ctx| market::create_auction(
        s,
        ctx.signer,
        &m.item,
        &m.denom,
        m.min_bid,
        m.end_time_ns,
    );
    PlaceBid => |m, s, ctx| market::bid(s, ctx.signer, m.id, m.amount);
    SettleAuction => |m, s, ctx| market::settle_auction(s, m.id);
}
