//! Keys of the market component.

use crate::codec;

/// `market/listing/{id BE}` → borsh `Listing`.
pub fn listing(id: u64) -> Vec<u8> {
    [LISTING_PREFIX, &codec::be_u64(id)].concat()
}
/// Prefix of every open listing.
pub const LISTING_PREFIX: &[u8] = b"market/listing/";
/// Last listing id.
pub const NEXT_LISTING: &[u8] = b"market/next/listing";

/// `market/offer/{id BE}` → borsh `Offer`.
pub fn offer(id: u64) -> Vec<u8> {
    [OFFER_PREFIX, &codec::be_u64(id)].concat()
}
/// Prefix of every open offer.
pub const OFFER_PREFIX: &[u8] = b"market/offer/";
/// Last offer id.
pub const NEXT_OFFER: &[u8] = b"market/next/offer";

/// `market/auction/{id BE}` → borsh `Auction`.
pub fn auction(id: u64) -> Vec<u8> {
    [AUCTION_PREFIX, &codec::be_u64(id)].concat()
}
/// Prefix of every open auction.
pub const AUCTION_PREFIX: &[u8] = b"market/auction/";
/// Last auction id.
pub const NEXT_AUCTION: &[u8] = b"market/next/auction";

/// Name of the module account holding escrowed market funds and listed units.
pub const ESCROW_ACCOUNT: &str = "market";

/// `market/offer_expiry/{expires_height BE}{id BE}` → empty: offers by expiry, swept at the
/// end of each block (ordered by height, so the sweep reads only what is due).
pub fn offer_expiry(expires_height: u64, id: u64) -> Vec<u8> {
    [
        OFFER_EXPIRY_PREFIX,
        &expires_height.to_be_bytes(),
        &id.to_be_bytes(),
    ]
    .concat()
}
/// Prefix of the offer expiry index.
pub const OFFER_EXPIRY_PREFIX: &[u8] = b"market/offer_expiry/";
