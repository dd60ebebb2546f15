//! Asset, market, IP and escrow messages (tx field numbers 20–59): domain forms, their
//! stateless checks, and the oracle digest that escrow resolutions are signed over.
//!
//! Every string, amount and address is parsed here, once, so that execution works on typed
//! values. Checks that need state (ownership, caps, deadlines) happen in `proofwork-state`.

use proofwork_proto::tx::v1 as pb;

use crate::{check_denom, parse_amount, Address, PublicKey, TxError};

/// Domain tag of oracle attestations.
pub const ORACLE_DOMAIN: &[u8] = b"proofwork/oracle/v2";

/// The digest an oracle signs to resolve escrow `id` with `outcome` on chain `chain_id`:
/// `BLAKE3("proofwork/oracle/v2" || len(chain_id) (u32 BE) || chain_id || id (u64 BE) ||
/// outcome (1 byte))`. The chain id keeps an oracle that serves several chains (a testnet
/// and its mainnet) from having its signature for escrow 7 on one replayed on the other.
pub fn oracle_digest(chain_id: &str, escrow_id: u64, outcome: bool) -> [u8; 32] {
    let mut h = blake3::Hasher::new();
    h.update(ORACLE_DOMAIN);
    h.update(&(chain_id.len() as u32).to_be_bytes());
    h.update(chain_id.as_bytes());
    h.update(&escrow_id.to_be_bytes());
    h.update(&[u8::from(outcome)]);
    *h.finalize().as_bytes()
}

/// Admin power bits, fixed at class creation.
pub mod powers {
    /// Mint more units or tokens.
    pub const MINT: u8 = 1;
    /// Burn any holder's units or tokens.
    pub const BURN: u8 = 2;
    /// Freeze the class or a token.
    pub const FREEZE: u8 = 4;
    /// Move units or tokens without a sale.
    pub const FORCE_TRANSFER: u8 = 8;

    /// Names of the powers set in `bits`.
    pub fn names(bits: u8) -> Vec<&'static str> {
        [
            (MINT, "mint"),
            (BURN, "burn"),
            (FREEZE, "freeze"),
            (FORCE_TRANSFER, "force_transfer"),
        ]
        .iter()
        .filter(|(b, _)| bits & b != 0)
        .map(|(_, n)| *n)
        .collect()
    }
}

/// Longest metadata, title, scope or statement, in bytes.
pub const MAX_TEXT_BYTES: usize = 1024;

/// A royalty recipient and its share, as written in a tx.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShareSpec {
    /// Who is paid.
    pub recipient: Address,
    /// Basis points.
    pub bps: u16,
}

/// What a listing, offer or auction trades.
#[derive(Debug, Clone, PartialEq, Eq, borsh::BorshSerialize, borsh::BorshDeserialize)]
pub enum Item {
    /// One unique token.
    Unique {
        /// Class id.
        class: String,
        /// Token id.
        token: u64,
    },
    /// An amount of a fungible denomination (asset classes, fractional shares).
    Fungible {
        /// Denomination.
        denom: String,
        /// Amount, never zero.
        amount: u128,
    },
    /// The seller's royalty share of a unique token, or of a fungible class (`token` 0).
    RoyaltyRight {
        /// Class id.
        class: String,
        /// Token id, 0 for the class policy.
        token: u64,
    },
}

impl std::fmt::Display for Item {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Item::Unique { class, token } => write!(f, "{class}#{token}"),
            Item::Fungible { denom, amount } => write!(f, "{amount}{denom}"),
            Item::RoyaltyRight { class, token } => write!(f, "royalty right of {class}#{token}"),
        }
    }
}

fn field(field: &str, reason: impl Into<String>) -> TxError {
    TxError::BadAssetField {
        field: field.into(),
        reason: reason.into(),
    }
}

fn text(name: &str, s: String) -> Result<String, TxError> {
    if s.len() > MAX_TEXT_BYTES {
        return Err(field(name, format!("longer than {MAX_TEXT_BYTES} bytes")));
    }
    Ok(s)
}

fn id(name: &str, v: u64) -> Result<u64, TxError> {
    if v == 0 {
        return Err(field(name, "must be non-zero"));
    }
    Ok(v)
}

fn class(s: String) -> Result<String, TxError> {
    check_denom(&s)?;
    Ok(s)
}

fn positive(s: &str) -> Result<u128, TxError> {
    let v = parse_amount(s)?;
    if v == 0 {
        return Err(TxError::ZeroAmount);
    }
    Ok(v)
}

fn optional_amount(s: &str) -> Result<u128, TxError> {
    if s.is_empty() {
        Ok(0)
    } else {
        parse_amount(s)
    }
}

fn hash32(name: &str, b: Vec<u8>) -> Result<[u8; 32], TxError> {
    b.as_slice()
        .try_into()
        .map_err(|_| field(name, format!("expected 32 bytes, got {}", b.len())))
}

fn shares(v: Vec<pb::RoyaltyShare>) -> Result<Vec<ShareSpec>, TxError> {
    v.into_iter()
        .map(|s| {
            let bps = u16::try_from(s.bps).map_err(|_| TxError::BadRoyaltyPolicy {
                reason: format!("{} bps does not fit a share", s.bps),
            })?;
            Ok(ShareSpec {
                recipient: s.recipient.parse()?,
                bps,
            })
        })
        .collect()
}

/// The proto form of royalty shares.
pub fn shares_to_proto(v: &[ShareSpec]) -> Vec<pb::RoyaltyShare> {
    v.iter()
        .map(|s| pb::RoyaltyShare {
            recipient: s.recipient.to_string(),
            bps: u32::from(s.bps),
        })
        .collect()
}

fn item(i: Option<pb::Item>) -> Result<Item, TxError> {
    match i.and_then(|i| i.kind) {
        Some(pb::item::Kind::Unique(u)) => Ok(Item::Unique {
            class: class(u.class_id)?,
            token: id("token_id", u.token_id)?,
        }),
        Some(pb::item::Kind::Fungible(f)) => {
            check_denom(&f.denom)?;
            Ok(Item::Fungible {
                denom: f.denom,
                amount: positive(&f.amount)?,
            })
        }
        Some(pb::item::Kind::RoyaltyRight(r)) => Ok(Item::RoyaltyRight {
            class: class(r.class_id)?,
            token: r.token_id,
        }),
        None => Err(field("item", "missing")),
    }
}

/// The proto form of an item.
pub fn item_to_proto(i: &Item) -> pb::Item {
    let kind = match i {
        Item::Unique { class, token } => pb::item::Kind::Unique(pb::UniqueItem {
            class_id: class.clone(),
            token_id: *token,
        }),
        Item::Fungible { denom, amount } => pb::item::Kind::Fungible(pb::FungibleItem {
            denom: denom.clone(),
            amount: amount.to_string(),
        }),
        Item::RoyaltyRight { class, token } => pb::item::Kind::RoyaltyRight(pb::RoyaltyRightItem {
            class_id: class.clone(),
            token_id: *token,
        }),
    };
    pb::Item { kind: Some(kind) }
}

fn denom(d: String) -> Result<String, TxError> {
    check_denom(&d)?;
    Ok(d)
}

/// Implements `TryFrom<pb::$t>` and `From<&$t> for pb::$t` for a message whose only field
/// is a non-zero id.
macro_rules! id_message {
    ($(#[$doc:meta])* $t:ident { $field:ident: $pbfield:ident, $name:literal }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct $t {
            /// Object id, never zero.
            pub $field: u64,
        }

        impl TryFrom<pb::$t> for $t {
            type Error = TxError;
            fn try_from(m: pb::$t) -> Result<Self, TxError> {
                Ok($t {
                    $field: id($name, m.$pbfield)?,
                })
            }
        }

        impl From<&$t> for pb::$t {
            fn from(m: &$t) -> Self {
                pb::$t {
                    $pbfield: m.$field,
                }
            }
        }
    };
}

/// Creates an asset class (fields documented on the proto message).
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(missing_docs)]
pub struct CreateAssetClass {
    pub id: String,
    pub unique: bool,
    pub powers: u8,
    pub sales_only: bool,
    pub royalty: Vec<ShareSpec>,
    pub metadata: String,
    pub initial_supply: u128,
}

impl TryFrom<pb::CreateAssetClass> for CreateAssetClass {
    type Error = TxError;
    fn try_from(m: pb::CreateAssetClass) -> Result<Self, TxError> {
        let p = m.powers.unwrap_or_default();
        let powers = (if p.mint { powers::MINT } else { 0 })
            | (if p.burn { powers::BURN } else { 0 })
            | (if p.freeze { powers::FREEZE } else { 0 })
            | (if p.force_transfer {
                powers::FORCE_TRANSFER
            } else {
                0
            });
        let initial_supply = optional_amount(&m.initial_supply)?;
        if m.unique && initial_supply != 0 {
            return Err(field("initial_supply", "unique classes have no supply"));
        }
        Ok(CreateAssetClass {
            id: class(m.class_id)?,
            unique: m.unique,
            powers,
            sales_only: m.sales_only,
            royalty: shares(m.royalty)?,
            metadata: text("metadata", m.metadata)?,
            initial_supply,
        })
    }
}

impl From<&CreateAssetClass> for pb::CreateAssetClass {
    fn from(m: &CreateAssetClass) -> Self {
        let p = m.powers;
        pb::CreateAssetClass {
            class_id: m.id.clone(),
            unique: m.unique,
            powers: if p == 0 {
                None
            } else {
                Some(pb::AdminPowers {
                    mint: p & powers::MINT != 0,
                    burn: p & powers::BURN != 0,
                    freeze: p & powers::FREEZE != 0,
                    force_transfer: p & powers::FORCE_TRANSFER != 0,
                })
            },
            sales_only: m.sales_only,
            royalty: shares_to_proto(&m.royalty),
            metadata: m.metadata.clone(),
            initial_supply: amount_or_empty(m.initial_supply),
        }
    }
}

/// Mints units of a fungible class.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(missing_docs)]
pub struct MintFungible {
    pub class: String,
    pub to: Address,
    pub amount: u128,
}

impl TryFrom<pb::MintFungible> for MintFungible {
    type Error = TxError;
    fn try_from(m: pb::MintFungible) -> Result<Self, TxError> {
        Ok(MintFungible {
            class: class(m.class_id)?,
            to: m.to.parse()?,
            amount: positive(&m.amount)?,
        })
    }
}

impl From<&MintFungible> for pb::MintFungible {
    fn from(m: &MintFungible) -> Self {
        pb::MintFungible {
            class_id: m.class.clone(),
            to: m.to.to_string(),
            amount: m.amount.to_string(),
        }
    }
}

/// Mints a unique token.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(missing_docs)]
pub struct MintUnique {
    pub class: String,
    pub to: Address,
    pub metadata: String,
    pub content_hash: [u8; 32],
    pub royalty: Vec<ShareSpec>,
}

impl TryFrom<pb::MintUnique> for MintUnique {
    type Error = TxError;
    fn try_from(m: pb::MintUnique) -> Result<Self, TxError> {
        Ok(MintUnique {
            class: class(m.class_id)?,
            to: m.to.parse()?,
            metadata: text("metadata", m.metadata)?,
            content_hash: hash32("content_hash", m.content_hash)?,
            royalty: shares(m.royalty)?,
        })
    }
}

impl From<&MintUnique> for pb::MintUnique {
    fn from(m: &MintUnique) -> Self {
        pb::MintUnique {
            class_id: m.class.clone(),
            to: m.to.to_string(),
            metadata: m.metadata.clone(),
            content_hash: m.content_hash.to_vec(),
            royalty: shares_to_proto(&m.royalty),
        }
    }
}

/// Transfers a unique token, as a gift or with a declared price.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(missing_docs)]
pub struct TransferUnique {
    pub class: String,
    pub token: u64,
    pub to: Address,
    /// Declared price and its denomination; `None` for a gift.
    pub price: Option<(String, u128)>,
}

impl TryFrom<pb::TransferUnique> for TransferUnique {
    type Error = TxError;
    fn try_from(m: pb::TransferUnique) -> Result<Self, TxError> {
        let price = optional_amount(&m.price)?;
        Ok(TransferUnique {
            class: class(m.class_id)?,
            token: id("token_id", m.token_id)?,
            to: m.to.parse()?,
            price: if price == 0 {
                None
            } else {
                Some((denom(m.denom)?, price))
            },
        })
    }
}

impl From<&TransferUnique> for pb::TransferUnique {
    fn from(m: &TransferUnique) -> Self {
        pb::TransferUnique {
            class_id: m.class.clone(),
            token_id: m.token,
            to: m.to.to_string(),
            price: m
                .price
                .as_ref()
                .map(|p| p.1.to_string())
                .unwrap_or_default(),
            denom: m.price.as_ref().map(|p| p.0.clone()).unwrap_or_default(),
        }
    }
}

/// Burns units (`amount`) or a token (`token`), exactly one of them.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(missing_docs)]
pub struct BurnAsset {
    pub class: String,
    pub token: u64,
    pub amount: u128,
    pub from: Option<Address>,
}

impl TryFrom<pb::BurnAsset> for BurnAsset {
    type Error = TxError;
    fn try_from(m: pb::BurnAsset) -> Result<Self, TxError> {
        let amount = optional_amount(&m.amount)?;
        if (m.token_id == 0) == (amount == 0) {
            return Err(field("burn", "give either a token id or an amount"));
        }
        Ok(BurnAsset {
            class: class(m.class_id)?,
            token: m.token_id,
            amount,
            from: if m.from.is_empty() {
                None
            } else {
                Some(m.from.parse()?)
            },
        })
    }
}

impl From<&BurnAsset> for pb::BurnAsset {
    fn from(m: &BurnAsset) -> Self {
        pb::BurnAsset {
            class_id: m.class.clone(),
            token_id: m.token,
            amount: amount_or_empty(m.amount),
            from: m.from.map(|a| a.to_string()).unwrap_or_default(),
        }
    }
}

/// Freezes or thaws a class (`token` 0) or a token.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(missing_docs)]
pub struct FreezeAsset {
    pub class: String,
    pub token: u64,
    pub frozen: bool,
}

impl TryFrom<pb::FreezeAsset> for FreezeAsset {
    type Error = TxError;
    fn try_from(m: pb::FreezeAsset) -> Result<Self, TxError> {
        Ok(FreezeAsset {
            class: class(m.class_id)?,
            token: m.token_id,
            frozen: m.frozen,
        })
    }
}

impl From<&FreezeAsset> for pb::FreezeAsset {
    fn from(m: &FreezeAsset) -> Self {
        pb::FreezeAsset {
            class_id: m.class.clone(),
            token_id: m.token,
            frozen: m.frozen,
        }
    }
}

/// Moves units or a token by the class admin's power.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(missing_docs)]
pub struct ForceTransfer {
    pub class: String,
    pub token: u64,
    pub amount: u128,
    pub from: Address,
    pub to: Address,
}

impl TryFrom<pb::ForceTransfer> for ForceTransfer {
    type Error = TxError;
    fn try_from(m: pb::ForceTransfer) -> Result<Self, TxError> {
        let amount = optional_amount(&m.amount)?;
        if (m.token_id == 0) == (amount == 0) {
            return Err(field(
                "force_transfer",
                "give either a token id or an amount",
            ));
        }
        Ok(ForceTransfer {
            class: class(m.class_id)?,
            token: m.token_id,
            amount,
            from: m.from.parse()?,
            to: m.to.parse()?,
        })
    }
}

impl From<&ForceTransfer> for pb::ForceTransfer {
    fn from(m: &ForceTransfer) -> Self {
        pb::ForceTransfer {
            class_id: m.class.clone(),
            token_id: m.token,
            amount: amount_or_empty(m.amount),
            from: m.from.to_string(),
            to: m.to.to_string(),
        }
    }
}

/// Lists an item for sale at a fixed price.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(missing_docs)]
pub struct CreateListing {
    pub item: Item,
    pub price: u128,
    pub denom: String,
}

impl TryFrom<pb::CreateListing> for CreateListing {
    type Error = TxError;
    fn try_from(m: pb::CreateListing) -> Result<Self, TxError> {
        Ok(CreateListing {
            item: item(m.item)?,
            price: positive(&m.price)?,
            denom: denom(m.denom)?,
        })
    }
}

impl From<&CreateListing> for pb::CreateListing {
    fn from(m: &CreateListing) -> Self {
        pb::CreateListing {
            item: Some(item_to_proto(&m.item)),
            price: m.price.to_string(),
            denom: m.denom.clone(),
        }
    }
}

id_message!(
    /// Withdraws the signer's listing.
    CancelListing { id: listing_id, "listing_id" }
);
id_message!(
    /// Buys a listing at its price.
    BuyListing { id: listing_id, "listing_id" }
);

/// Offers to buy an item, escrowing the price until `expires_height`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(missing_docs)]
pub struct MakeOffer {
    pub item: Item,
    pub price: u128,
    pub denom: String,
    pub expires_height: u64,
}

impl TryFrom<pb::MakeOffer> for MakeOffer {
    type Error = TxError;
    fn try_from(m: pb::MakeOffer) -> Result<Self, TxError> {
        Ok(MakeOffer {
            item: item(m.item)?,
            price: positive(&m.price)?,
            denom: denom(m.denom)?,
            expires_height: m.expires_height,
        })
    }
}

impl From<&MakeOffer> for pb::MakeOffer {
    fn from(m: &MakeOffer) -> Self {
        pb::MakeOffer {
            item: Some(item_to_proto(&m.item)),
            price: m.price.to_string(),
            denom: m.denom.clone(),
            expires_height: m.expires_height,
        }
    }
}

id_message!(
    /// The item's owner accepts an offer.
    AcceptOffer { id: offer_id, "offer_id" }
);
id_message!(
    /// Withdraws the signer's offer.
    CancelOffer { id: offer_id, "offer_id" }
);

/// Opens an auction ending at `end_time_ns` (block time).
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(missing_docs)]
pub struct CreateAuction {
    pub item: Item,
    pub denom: String,
    pub min_bid: u128,
    pub end_time_ns: u64,
}

impl TryFrom<pb::CreateAuction> for CreateAuction {
    type Error = TxError;
    fn try_from(m: pb::CreateAuction) -> Result<Self, TxError> {
        Ok(CreateAuction {
            item: item(m.item)?,
            denom: denom(m.denom)?,
            min_bid: positive(&m.min_bid)?,
            end_time_ns: m.end_time_ns,
        })
    }
}

impl From<&CreateAuction> for pb::CreateAuction {
    fn from(m: &CreateAuction) -> Self {
        pb::CreateAuction {
            item: Some(item_to_proto(&m.item)),
            denom: m.denom.clone(),
            min_bid: m.min_bid.to_string(),
            end_time_ns: m.end_time_ns,
        }
    }
}

/// Bids in an auction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub struct PlaceBid {
    pub id: u64,
    pub amount: u128,
}

impl TryFrom<pb::PlaceBid> for PlaceBid {
    type Error = TxError;
    fn try_from(m: pb::PlaceBid) -> Result<Self, TxError> {
        Ok(PlaceBid {
            id: id("auction_id", m.auction_id)?,
            amount: positive(&m.amount)?,
        })
    }
}

impl From<&PlaceBid> for pb::PlaceBid {
    fn from(m: &PlaceBid) -> Self {
        pb::PlaceBid {
            auction_id: m.id,
            amount: m.amount.to_string(),
        }
    }
}

id_message!(
    /// Settles an ended auction (anyone may).
    SettleAuction { id: auction_id, "auction_id" }
);

/// Locks a unique token in a vault and mints `shares` fungible shares.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(missing_docs)]
pub struct Fractionalize {
    pub class: String,
    pub token: u64,
    pub shares: u128,
    pub reserve: u128,
    pub denom: String,
}

impl TryFrom<pb::Fractionalize> for Fractionalize {
    type Error = TxError;
    fn try_from(m: pb::Fractionalize) -> Result<Self, TxError> {
        Ok(Fractionalize {
            class: class(m.class_id)?,
            token: id("token_id", m.token_id)?,
            shares: positive(&m.shares)?,
            reserve: positive(&m.reserve_price)?,
            denom: denom(m.denom)?,
        })
    }
}

impl From<&Fractionalize> for pb::Fractionalize {
    fn from(m: &Fractionalize) -> Self {
        pb::Fractionalize {
            class_id: m.class.clone(),
            token_id: m.token,
            shares: m.shares.to_string(),
            reserve_price: m.reserve.to_string(),
            denom: m.denom.clone(),
        }
    }
}

id_message!(
    /// Buys a vault out at its reserve price.
    Buyout { vault: vault_id, "vault_id" }
);

/// Redeems shares of a bought-out vault for their part of the price.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub struct RedeemShares {
    pub vault: u64,
    pub amount: u128,
}

impl TryFrom<pb::RedeemShares> for RedeemShares {
    type Error = TxError;
    fn try_from(m: pb::RedeemShares) -> Result<Self, TxError> {
        Ok(RedeemShares {
            vault: id("vault_id", m.vault_id)?,
            amount: positive(&m.amount)?,
        })
    }
}

impl From<&RedeemShares> for pb::RedeemShares {
    fn from(m: &RedeemShares) -> Self {
        pb::RedeemShares {
            vault_id: m.vault,
            amount: m.amount.to_string(),
        }
    }
}

id_message!(
    /// Returns every share of a vault and takes the token back.
    Unfractionalize { vault: vault_id, "vault_id" }
);

/// Registers a work (by content hash) as IP, tied to a token.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(missing_docs)]
pub struct RegisterIp {
    pub content_hash: [u8; 32],
    pub title: String,
    pub class: String,
    pub token: u64,
}

impl TryFrom<pb::RegisterIp> for RegisterIp {
    type Error = TxError;
    fn try_from(m: pb::RegisterIp) -> Result<Self, TxError> {
        Ok(RegisterIp {
            content_hash: hash32("content_hash", m.content_hash)?,
            title: text("title", m.title)?,
            class: class(m.class_id)?,
            token: id("token_id", m.token_id)?,
        })
    }
}

impl From<&RegisterIp> for pb::RegisterIp {
    fn from(m: &RegisterIp) -> Self {
        pb::RegisterIp {
            content_hash: m.content_hash.to_vec(),
            title: m.title.clone(),
            class_id: m.class.clone(),
            token_id: m.token,
        }
    }
}

/// Adds license terms to registered IP.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(missing_docs)]
pub struct AddLicenseTerms {
    pub content_hash: [u8; 32],
    pub fee: u128,
    pub denom: String,
    pub duration_ns: u64,
    pub scope: String,
}

impl TryFrom<pb::AddLicenseTerms> for AddLicenseTerms {
    type Error = TxError;
    fn try_from(m: pb::AddLicenseTerms) -> Result<Self, TxError> {
        Ok(AddLicenseTerms {
            content_hash: hash32("content_hash", m.content_hash)?,
            fee: positive(&m.fee)?,
            denom: denom(m.denom)?,
            duration_ns: id("duration_ns", m.duration_ns)?,
            scope: text("scope", m.scope)?,
        })
    }
}

impl From<&AddLicenseTerms> for pb::AddLicenseTerms {
    fn from(m: &AddLicenseTerms) -> Self {
        pb::AddLicenseTerms {
            content_hash: m.content_hash.to_vec(),
            fee: m.fee.to_string(),
            denom: m.denom.clone(),
            duration_ns: m.duration_ns,
            scope: m.scope.clone(),
        }
    }
}

/// Takes a license under some terms, paying their fee.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub struct TakeLicense {
    pub content_hash: [u8; 32],
    pub terms: u64,
}

impl TryFrom<pb::TakeLicense> for TakeLicense {
    type Error = TxError;
    fn try_from(m: pb::TakeLicense) -> Result<Self, TxError> {
        Ok(TakeLicense {
            content_hash: hash32("content_hash", m.content_hash)?,
            terms: id("terms_id", m.terms_id)?,
        })
    }
}

impl From<&TakeLicense> for pb::TakeLicense {
    fn from(m: &TakeLicense) -> Self {
        pb::TakeLicense {
            content_hash: m.content_hash.to_vec(),
            terms_id: m.terms,
        }
    }
}

/// The class admin adds a certifier.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(missing_docs)]
pub struct AddCertifier {
    pub class: String,
    pub certifier: Address,
    pub name: String,
}

impl TryFrom<pb::AddCertifier> for AddCertifier {
    type Error = TxError;
    fn try_from(m: pb::AddCertifier) -> Result<Self, TxError> {
        Ok(AddCertifier {
            class: class(m.class_id)?,
            certifier: m.certifier.parse()?,
            name: text("name", m.name)?,
        })
    }
}

impl From<&AddCertifier> for pb::AddCertifier {
    fn from(m: &AddCertifier) -> Self {
        pb::AddCertifier {
            class_id: m.class.clone(),
            certifier: m.certifier.to_string(),
            name: m.name.clone(),
        }
    }
}

/// A certifier attests a statement about a token.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(missing_docs)]
pub struct Attest {
    pub class: String,
    pub token: u64,
    pub statement: String,
}

impl TryFrom<pb::Attest> for Attest {
    type Error = TxError;
    fn try_from(m: pb::Attest) -> Result<Self, TxError> {
        if m.statement.is_empty() {
            return Err(field("statement", "empty"));
        }
        Ok(Attest {
            class: class(m.class_id)?,
            token: id("token_id", m.token_id)?,
            statement: text("statement", m.statement)?,
        })
    }
}

impl From<&Attest> for pb::Attest {
    fn from(m: &Attest) -> Self {
        pb::Attest {
            class_id: m.class.clone(),
            token_id: m.token,
            statement: m.statement.clone(),
        }
    }
}

/// Opens an escrow that an oracle resolves.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(missing_docs)]
pub struct CreateEscrow {
    pub counterparty: Address,
    pub oracle: PublicKey,
    pub event: String,
    pub denom: String,
    pub deposit: u128,
    pub counter_deposit: u128,
    pub deadline_ns: u64,
}

impl TryFrom<pb::CreateEscrow> for CreateEscrow {
    type Error = TxError;
    fn try_from(m: pb::CreateEscrow) -> Result<Self, TxError> {
        Ok(CreateEscrow {
            counterparty: m.counterparty.parse()?,
            oracle: PublicKey::from_bytes(&m.oracle_key)?,
            event: text("event", m.event)?,
            denom: denom(m.denom)?,
            deposit: positive(&m.deposit)?,
            counter_deposit: positive(&m.counter_deposit)?,
            deadline_ns: m.deadline_ns,
        })
    }
}

impl From<&CreateEscrow> for pb::CreateEscrow {
    fn from(m: &CreateEscrow) -> Self {
        pb::CreateEscrow {
            counterparty: m.counterparty.to_string(),
            oracle_key: m.oracle.to_bytes().to_vec(),
            event: m.event.clone(),
            denom: m.denom.clone(),
            deposit: m.deposit.to_string(),
            counter_deposit: m.counter_deposit.to_string(),
            deadline_ns: m.deadline_ns,
        }
    }
}

id_message!(
    /// The counterparty funds an escrow.
    FundEscrow { id: escrow_id, "escrow_id" }
);

/// Resolves an escrow with the oracle's signature over [`oracle_digest`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(missing_docs)]
pub struct ResolveEscrow {
    pub id: u64,
    pub outcome: bool,
    pub signature: Vec<u8>,
}

impl TryFrom<pb::ResolveEscrow> for ResolveEscrow {
    type Error = TxError;
    fn try_from(m: pb::ResolveEscrow) -> Result<Self, TxError> {
        Ok(ResolveEscrow {
            id: id("escrow_id", m.escrow_id)?,
            outcome: m.outcome,
            signature: m.signature,
        })
    }
}

impl From<&ResolveEscrow> for pb::ResolveEscrow {
    fn from(m: &ResolveEscrow) -> Self {
        pb::ResolveEscrow {
            escrow_id: m.id,
            outcome: m.outcome,
            signature: m.signature.clone(),
        }
    }
}

id_message!(
    /// Refunds an escrow past its deadline (anyone may).
    RefundEscrow { id: escrow_id, "escrow_id" }
);

// Canonical form of an optional amount: empty for zero, so a default field stays unset.
fn amount_or_empty(v: u128) -> String {
    if v == 0 {
        String::new()
    } else {
        v.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{sign_body, Message, SecretKey, SignedTx, TxBody, TxLimits};

    fn round_trip(m: Message) {
        let k = SecretKey::from_seed("a");
        let body = TxBody {
            chain_id: "c".into(),
            nonce: 0,
            fee: 1,
            messages: vec![m],
        };
        let tx = SignedTx::decode(&sign_body(&k, &body), &TxLimits::default()).unwrap();
        assert_eq!(tx.body, body);
    }

    #[test]
    fn asset_messages_round_trip() {
        let a = Address([3; 20]);
        round_trip(Message::CreateAssetClass(CreateAssetClass {
            id: "art".into(),
            unique: true,
            powers: powers::MINT | powers::FREEZE,
            sales_only: true,
            royalty: vec![ShareSpec {
                recipient: a,
                bps: 500,
            }],
            metadata: "m".into(),
            initial_supply: 0,
        }));
        round_trip(Message::CreateListing(CreateListing {
            item: Item::Unique {
                class: "art".into(),
                token: 1,
            },
            price: 10,
            denom: "upw".into(),
        }));
        round_trip(Message::TransferUnique(TransferUnique {
            class: "art".into(),
            token: 1,
            to: a,
            price: Some(("upw".into(), 5)),
        }));
        round_trip(Message::CreateEscrow(CreateEscrow {
            counterparty: a,
            oracle: SecretKey::from_seed("o").public_key(),
            event: "flight PW1 delayed >= 120 min".into(),
            denom: "upw".into(),
            deposit: 1,
            counter_deposit: 2,
            deadline_ns: 9,
        }));
    }

    #[test]
    fn bad_asset_fields_are_rejected() {
        let e = MintUnique::try_from(pb::MintUnique {
            class_id: "art".into(),
            to: Address([1; 20]).to_string(),
            content_hash: vec![1; 31],
            ..Default::default()
        })
        .unwrap_err();
        assert!(matches!(e, TxError::BadAssetField { .. }));
        let e = BuyListing::try_from(pb::BuyListing { listing_id: 0 }).unwrap_err();
        assert!(matches!(e, TxError::BadAssetField { .. }));
        let e = CreateListing::try_from(pb::CreateListing {
            item: None,
            price: "1".into(),
            denom: "upw".into(),
        })
        .unwrap_err();
        assert!(matches!(e, TxError::BadAssetField { .. }));
    }

    #[test]
    fn oracle_digest_binds_id_and_outcome() {
        assert_ne!(oracle_digest("a", 1, true), oracle_digest("a", 1, false));
        assert_ne!(oracle_digest("a", 1, true), oracle_digest("a", 2, true));
        assert_ne!(oracle_digest("a", 1, true), oracle_digest("b", 1, true));
    }
}
