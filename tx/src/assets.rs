//! Asset, market, IP and escrow messages (tx field numbers 20–59): domain forms, their
//! stateless checks, and the oracle digest that escrow resolutions are signed over.
//!
//! Every string, amount and address is parsed here, once, so that execution works on typed
//! values. Checks that need state (ownership, caps, deadlines) happen in `proofwork-state`.

use proofwork_proto::tx::v1 as pb;
use proofwork_proto::tx::v1::message::Kind;

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

/// A validated asset message.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(missing_docs)] // fields are documented on the proto messages
pub enum AssetMsg {
    CreateClass {
        id: String,
        unique: bool,
        powers: u8,
        sales_only: bool,
        royalty: Vec<ShareSpec>,
        metadata: String,
        initial_supply: u128,
    },
    MintFungible {
        class: String,
        to: Address,
        amount: u128,
    },
    MintUnique {
        class: String,
        to: Address,
        metadata: String,
        content_hash: [u8; 32],
        royalty: Vec<ShareSpec>,
    },
    TransferUnique {
        class: String,
        token: u64,
        to: Address,
        /// Declared price and its denomination; `None` for a gift.
        price: Option<(String, u128)>,
    },
    Burn {
        class: String,
        token: u64,
        amount: u128,
        from: Option<Address>,
    },
    Freeze {
        class: String,
        token: u64,
        frozen: bool,
    },
    ForceTransfer {
        class: String,
        token: u64,
        amount: u128,
        from: Address,
        to: Address,
    },
    List {
        item: Item,
        price: u128,
        denom: String,
    },
    CancelListing {
        id: u64,
    },
    Buy {
        id: u64,
    },
    Offer {
        item: Item,
        price: u128,
        denom: String,
        expires_height: u64,
    },
    AcceptOffer {
        id: u64,
    },
    CancelOffer {
        id: u64,
    },
    CreateAuction {
        item: Item,
        denom: String,
        min_bid: u128,
        end_time_ns: u64,
    },
    Bid {
        id: u64,
        amount: u128,
    },
    SettleAuction {
        id: u64,
    },
    Fractionalize {
        class: String,
        token: u64,
        shares: u128,
        reserve: u128,
        denom: String,
    },
    Buyout {
        vault: u64,
    },
    RedeemShares {
        vault: u64,
        amount: u128,
    },
    Unfractionalize {
        vault: u64,
    },
    RegisterIp {
        content_hash: [u8; 32],
        title: String,
        class: String,
        token: u64,
    },
    AddLicenseTerms {
        content_hash: [u8; 32],
        fee: u128,
        denom: String,
        duration_ns: u64,
        scope: String,
    },
    TakeLicense {
        content_hash: [u8; 32],
        terms: u64,
    },
    AddCertifier {
        class: String,
        certifier: Address,
        name: String,
    },
    Attest {
        class: String,
        token: u64,
        statement: String,
    },
    CreateEscrow {
        counterparty: Address,
        oracle: PublicKey,
        event: String,
        denom: String,
        deposit: u128,
        counter_deposit: u128,
        deadline_ns: u64,
    },
    FundEscrow {
        id: u64,
    },
    ResolveEscrow {
        id: u64,
        outcome: bool,
        signature: Vec<u8>,
    },
    RefundEscrow {
        id: u64,
    },
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

impl AssetMsg {
    /// Parses and checks one proto message kind; `Ok(None)` when it is not an asset kind.
    ///
    /// # Errors
    /// Field errors: addresses, amounts, denominations, sizes, zero ids.
    pub fn try_from_kind(kind: Kind) -> Result<Option<Self>, TxError> {
        use AssetMsg as A;
        Ok(Some(match kind {
            Kind::Transfer(_)
            | Kind::RegisterModel(_)
            | Kind::UploadModelChunk(_)
            | Kind::RegisterWorker(_)
            | Kind::PostJob(_)
            | Kind::ClaimJob(_)
            | Kind::CommitWork(_)
            | Kind::RevealWork(_)
            | Kind::CancelJob(_)
            | Kind::UnbondWorker(_)
            | Kind::ApplyValidator(_)
            | Kind::VoteValidator(_)
            | Kind::ProposeRemoval(_) => return Ok(None),
            Kind::CreateAssetClass(m) => {
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
                A::CreateClass {
                    id: class(m.class_id)?,
                    unique: m.unique,
                    powers,
                    sales_only: m.sales_only,
                    royalty: shares(m.royalty)?,
                    metadata: text("metadata", m.metadata)?,
                    initial_supply,
                }
            }
            Kind::MintFungible(m) => A::MintFungible {
                class: class(m.class_id)?,
                to: m.to.parse()?,
                amount: positive(&m.amount)?,
            },
            Kind::MintUnique(m) => A::MintUnique {
                class: class(m.class_id)?,
                to: m.to.parse()?,
                metadata: text("metadata", m.metadata)?,
                content_hash: hash32("content_hash", m.content_hash)?,
                royalty: shares(m.royalty)?,
            },
            Kind::TransferUnique(m) => {
                let price = optional_amount(&m.price)?;
                A::TransferUnique {
                    class: class(m.class_id)?,
                    token: id("token_id", m.token_id)?,
                    to: m.to.parse()?,
                    price: if price == 0 {
                        None
                    } else {
                        Some((denom(m.denom)?, price))
                    },
                }
            }
            Kind::BurnAsset(m) => {
                let amount = optional_amount(&m.amount)?;
                if (m.token_id == 0) == (amount == 0) {
                    return Err(field("burn", "give either a token id or an amount"));
                }
                A::Burn {
                    class: class(m.class_id)?,
                    token: m.token_id,
                    amount,
                    from: if m.from.is_empty() {
                        None
                    } else {
                        Some(m.from.parse()?)
                    },
                }
            }
            Kind::FreezeAsset(m) => A::Freeze {
                class: class(m.class_id)?,
                token: m.token_id,
                frozen: m.frozen,
            },
            Kind::ForceTransfer(m) => {
                let amount = optional_amount(&m.amount)?;
                if (m.token_id == 0) == (amount == 0) {
                    return Err(field(
                        "force_transfer",
                        "give either a token id or an amount",
                    ));
                }
                A::ForceTransfer {
                    class: class(m.class_id)?,
                    token: m.token_id,
                    amount,
                    from: m.from.parse()?,
                    to: m.to.parse()?,
                }
            }
            Kind::CreateListing(m) => A::List {
                item: item(m.item)?,
                price: positive(&m.price)?,
                denom: denom(m.denom)?,
            },
            Kind::CancelListing(m) => A::CancelListing {
                id: id("listing_id", m.listing_id)?,
            },
            Kind::BuyListing(m) => A::Buy {
                id: id("listing_id", m.listing_id)?,
            },
            Kind::MakeOffer(m) => A::Offer {
                item: item(m.item)?,
                price: positive(&m.price)?,
                denom: denom(m.denom)?,
                expires_height: m.expires_height,
            },
            Kind::AcceptOffer(m) => A::AcceptOffer {
                id: id("offer_id", m.offer_id)?,
            },
            Kind::CancelOffer(m) => A::CancelOffer {
                id: id("offer_id", m.offer_id)?,
            },
            Kind::CreateAuction(m) => A::CreateAuction {
                item: item(m.item)?,
                denom: denom(m.denom)?,
                min_bid: positive(&m.min_bid)?,
                end_time_ns: m.end_time_ns,
            },
            Kind::PlaceBid(m) => A::Bid {
                id: id("auction_id", m.auction_id)?,
                amount: positive(&m.amount)?,
            },
            Kind::SettleAuction(m) => A::SettleAuction {
                id: id("auction_id", m.auction_id)?,
            },
            Kind::Fractionalize(m) => A::Fractionalize {
                class: class(m.class_id)?,
                token: id("token_id", m.token_id)?,
                shares: positive(&m.shares)?,
                reserve: positive(&m.reserve_price)?,
                denom: denom(m.denom)?,
            },
            Kind::Buyout(m) => A::Buyout {
                vault: id("vault_id", m.vault_id)?,
            },
            Kind::RedeemShares(m) => A::RedeemShares {
                vault: id("vault_id", m.vault_id)?,
                amount: positive(&m.amount)?,
            },
            Kind::Unfractionalize(m) => A::Unfractionalize {
                vault: id("vault_id", m.vault_id)?,
            },
            Kind::RegisterIp(m) => A::RegisterIp {
                content_hash: hash32("content_hash", m.content_hash)?,
                title: text("title", m.title)?,
                class: class(m.class_id)?,
                token: id("token_id", m.token_id)?,
            },
            Kind::AddLicenseTerms(m) => A::AddLicenseTerms {
                content_hash: hash32("content_hash", m.content_hash)?,
                fee: positive(&m.fee)?,
                denom: denom(m.denom)?,
                duration_ns: id("duration_ns", m.duration_ns)?,
                scope: text("scope", m.scope)?,
            },
            Kind::TakeLicense(m) => A::TakeLicense {
                content_hash: hash32("content_hash", m.content_hash)?,
                terms: id("terms_id", m.terms_id)?,
            },
            Kind::AddCertifier(m) => A::AddCertifier {
                class: class(m.class_id)?,
                certifier: m.certifier.parse()?,
                name: text("name", m.name)?,
            },
            Kind::Attest(m) => {
                if m.statement.is_empty() {
                    return Err(field("statement", "empty"));
                }
                A::Attest {
                    class: class(m.class_id)?,
                    token: id("token_id", m.token_id)?,
                    statement: text("statement", m.statement)?,
                }
            }
            Kind::CreateEscrow(m) => A::CreateEscrow {
                counterparty: m.counterparty.parse()?,
                oracle: PublicKey::from_bytes(&m.oracle_key)?,
                event: text("event", m.event)?,
                denom: denom(m.denom)?,
                deposit: positive(&m.deposit)?,
                counter_deposit: positive(&m.counter_deposit)?,
                deadline_ns: m.deadline_ns,
            },
            Kind::FundEscrow(m) => A::FundEscrow {
                id: id("escrow_id", m.escrow_id)?,
            },
            Kind::ResolveEscrow(m) => A::ResolveEscrow {
                id: id("escrow_id", m.escrow_id)?,
                outcome: m.outcome,
                signature: m.signature,
            },
            Kind::RefundEscrow(m) => A::RefundEscrow {
                id: id("escrow_id", m.escrow_id)?,
            },
        }))
    }

    /// The proto oneof kind.
    pub fn to_kind(&self) -> Kind {
        use AssetMsg as A;
        match self {
            A::CreateClass {
                id,
                unique,
                powers: p,
                sales_only,
                royalty,
                metadata,
                initial_supply,
            } => Kind::CreateAssetClass(pb::CreateAssetClass {
                class_id: id.clone(),
                unique: *unique,
                powers: if *p == 0 {
                    None
                } else {
                    Some(pb::AdminPowers {
                        mint: p & powers::MINT != 0,
                        burn: p & powers::BURN != 0,
                        freeze: p & powers::FREEZE != 0,
                        force_transfer: p & powers::FORCE_TRANSFER != 0,
                    })
                },
                sales_only: *sales_only,
                royalty: shares_to_proto(royalty),
                metadata: metadata.clone(),
                initial_supply: amount_or_empty(*initial_supply),
            }),
            A::MintFungible { class, to, amount } => Kind::MintFungible(pb::MintFungible {
                class_id: class.clone(),
                to: to.to_string(),
                amount: amount.to_string(),
            }),
            A::MintUnique {
                class,
                to,
                metadata,
                content_hash,
                royalty,
            } => Kind::MintUnique(pb::MintUnique {
                class_id: class.clone(),
                to: to.to_string(),
                metadata: metadata.clone(),
                content_hash: content_hash.to_vec(),
                royalty: shares_to_proto(royalty),
            }),
            A::TransferUnique {
                class,
                token,
                to,
                price,
            } => Kind::TransferUnique(pb::TransferUnique {
                class_id: class.clone(),
                token_id: *token,
                to: to.to_string(),
                price: price.as_ref().map(|p| p.1.to_string()).unwrap_or_default(),
                denom: price.as_ref().map(|p| p.0.clone()).unwrap_or_default(),
            }),
            A::Burn {
                class,
                token,
                amount,
                from,
            } => Kind::BurnAsset(pb::BurnAsset {
                class_id: class.clone(),
                token_id: *token,
                amount: amount_or_empty(*amount),
                from: from.map(|a| a.to_string()).unwrap_or_default(),
            }),
            A::Freeze {
                class,
                token,
                frozen,
            } => Kind::FreezeAsset(pb::FreezeAsset {
                class_id: class.clone(),
                token_id: *token,
                frozen: *frozen,
            }),
            A::ForceTransfer {
                class,
                token,
                amount,
                from,
                to,
            } => Kind::ForceTransfer(pb::ForceTransfer {
                class_id: class.clone(),
                token_id: *token,
                amount: amount_or_empty(*amount),
                from: from.to_string(),
                to: to.to_string(),
            }),
            A::List { item, price, denom } => Kind::CreateListing(pb::CreateListing {
                item: Some(item_to_proto(item)),
                price: price.to_string(),
                denom: denom.clone(),
            }),
            A::CancelListing { id } => Kind::CancelListing(pb::CancelListing { listing_id: *id }),
            A::Buy { id } => Kind::BuyListing(pb::BuyListing { listing_id: *id }),
            A::Offer {
                item,
                price,
                denom,
                expires_height,
            } => Kind::MakeOffer(pb::MakeOffer {
                item: Some(item_to_proto(item)),
                price: price.to_string(),
                denom: denom.clone(),
                expires_height: *expires_height,
            }),
            A::AcceptOffer { id } => Kind::AcceptOffer(pb::AcceptOffer { offer_id: *id }),
            A::CancelOffer { id } => Kind::CancelOffer(pb::CancelOffer { offer_id: *id }),
            A::CreateAuction {
                item,
                denom,
                min_bid,
                end_time_ns,
            } => Kind::CreateAuction(pb::CreateAuction {
                item: Some(item_to_proto(item)),
                denom: denom.clone(),
                min_bid: min_bid.to_string(),
                end_time_ns: *end_time_ns,
            }),
            A::Bid { id, amount } => Kind::PlaceBid(pb::PlaceBid {
                auction_id: *id,
                amount: amount.to_string(),
            }),
            A::SettleAuction { id } => Kind::SettleAuction(pb::SettleAuction { auction_id: *id }),
            A::Fractionalize {
                class,
                token,
                shares,
                reserve,
                denom,
            } => Kind::Fractionalize(pb::Fractionalize {
                class_id: class.clone(),
                token_id: *token,
                shares: shares.to_string(),
                reserve_price: reserve.to_string(),
                denom: denom.clone(),
            }),
            A::Buyout { vault } => Kind::Buyout(pb::Buyout { vault_id: *vault }),
            A::RedeemShares { vault, amount } => Kind::RedeemShares(pb::RedeemShares {
                vault_id: *vault,
                amount: amount.to_string(),
            }),
            A::Unfractionalize { vault } => {
                Kind::Unfractionalize(pb::Unfractionalize { vault_id: *vault })
            }
            A::RegisterIp {
                content_hash,
                title,
                class,
                token,
            } => Kind::RegisterIp(pb::RegisterIp {
                content_hash: content_hash.to_vec(),
                title: title.clone(),
                class_id: class.clone(),
                token_id: *token,
            }),
            A::AddLicenseTerms {
                content_hash,
                fee,
                denom,
                duration_ns,
                scope,
            } => Kind::AddLicenseTerms(pb::AddLicenseTerms {
                content_hash: content_hash.to_vec(),
                fee: fee.to_string(),
                denom: denom.clone(),
                duration_ns: *duration_ns,
                scope: scope.clone(),
            }),
            A::TakeLicense {
                content_hash,
                terms,
            } => Kind::TakeLicense(pb::TakeLicense {
                content_hash: content_hash.to_vec(),
                terms_id: *terms,
            }),
            A::AddCertifier {
                class,
                certifier,
                name,
            } => Kind::AddCertifier(pb::AddCertifier {
                class_id: class.clone(),
                certifier: certifier.to_string(),
                name: name.clone(),
            }),
            A::Attest {
                class,
                token,
                statement,
            } => Kind::Attest(pb::Attest {
                class_id: class.clone(),
                token_id: *token,
                statement: statement.clone(),
            }),
            A::CreateEscrow {
                counterparty,
                oracle,
                event,
                denom,
                deposit,
                counter_deposit,
                deadline_ns,
            } => Kind::CreateEscrow(pb::CreateEscrow {
                counterparty: counterparty.to_string(),
                oracle_key: oracle.to_bytes().to_vec(),
                event: event.clone(),
                denom: denom.clone(),
                deposit: deposit.to_string(),
                counter_deposit: counter_deposit.to_string(),
                deadline_ns: *deadline_ns,
            }),
            A::FundEscrow { id } => Kind::FundEscrow(pb::FundEscrow { escrow_id: *id }),
            A::ResolveEscrow {
                id,
                outcome,
                signature,
            } => Kind::ResolveEscrow(pb::ResolveEscrow {
                escrow_id: *id,
                outcome: *outcome,
                signature: signature.clone(),
            }),
            A::RefundEscrow { id } => Kind::RefundEscrow(pb::RefundEscrow { escrow_id: *id }),
        }
    }

    /// Short name for logs and events.
    pub fn kind_name(&self) -> &'static str {
        use AssetMsg as A;
        match self {
            A::CreateClass { .. } => "create_asset_class",
            A::MintFungible { .. } => "mint_fungible",
            A::MintUnique { .. } => "mint_unique",
            A::TransferUnique { .. } => "transfer_unique",
            A::Burn { .. } => "burn_asset",
            A::Freeze { .. } => "freeze_asset",
            A::ForceTransfer { .. } => "force_transfer",
            A::List { .. } => "create_listing",
            A::CancelListing { .. } => "cancel_listing",
            A::Buy { .. } => "buy_listing",
            A::Offer { .. } => "make_offer",
            A::AcceptOffer { .. } => "accept_offer",
            A::CancelOffer { .. } => "cancel_offer",
            A::CreateAuction { .. } => "create_auction",
            A::Bid { .. } => "place_bid",
            A::SettleAuction { .. } => "settle_auction",
            A::Fractionalize { .. } => "fractionalize",
            A::Buyout { .. } => "buyout",
            A::RedeemShares { .. } => "redeem_shares",
            A::Unfractionalize { .. } => "unfractionalize",
            A::RegisterIp { .. } => "register_ip",
            A::AddLicenseTerms { .. } => "add_license_terms",
            A::TakeLicense { .. } => "take_license",
            A::AddCertifier { .. } => "add_certifier",
            A::Attest { .. } => "attest",
            A::CreateEscrow { .. } => "create_escrow",
            A::FundEscrow { .. } => "fund_escrow",
            A::ResolveEscrow { .. } => "resolve_escrow",
            A::RefundEscrow { .. } => "refund_escrow",
        }
    }
}

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

    fn round_trip(m: AssetMsg) {
        let k = SecretKey::from_seed("a");
        let body = TxBody {
            chain_id: "c".into(),
            nonce: 0,
            fee: 1,
            messages: vec![Message::Asset(m)],
        };
        let tx = SignedTx::decode(&sign_body(&k, &body), &TxLimits::default()).unwrap();
        assert_eq!(tx.body, body);
    }

    #[test]
    fn asset_messages_round_trip() {
        let a = Address([3; 20]);
        round_trip(AssetMsg::CreateClass {
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
        });
        round_trip(AssetMsg::List {
            item: Item::Unique {
                class: "art".into(),
                token: 1,
            },
            price: 10,
            denom: "upw".into(),
        });
        round_trip(AssetMsg::TransferUnique {
            class: "art".into(),
            token: 1,
            to: a,
            price: Some(("upw".into(), 5)),
        });
        round_trip(AssetMsg::CreateEscrow {
            counterparty: a,
            oracle: SecretKey::from_seed("o").public_key(),
            event: "flight PW1 delayed >= 120 min".into(),
            denom: "upw".into(),
            deposit: 1,
            counter_deposit: 2,
            deadline_ns: 9,
        });
    }

    #[test]
    fn bad_asset_fields_are_rejected() {
        let bad = |k: Kind| AssetMsg::try_from_kind(k).unwrap_err();
        assert!(matches!(
            bad(Kind::MintUnique(pb::MintUnique {
                class_id: "art".into(),
                to: Address([1; 20]).to_string(),
                content_hash: vec![1; 31],
                ..Default::default()
            })),
            TxError::BadAssetField { .. }
        ));
        assert!(matches!(
            bad(Kind::BuyListing(pb::BuyListing { listing_id: 0 })),
            TxError::BadAssetField { .. }
        ));
        assert!(matches!(
            bad(Kind::CreateListing(pb::CreateListing {
                item: None,
                price: "1".into(),
                denom: "upw".into()
            })),
            TxError::BadAssetField { .. }
        ));
    }

    #[test]
    fn oracle_digest_binds_id_and_outcome() {
        assert_ne!(oracle_digest("a", 1, true), oracle_digest("a", 1, false));
        assert_ne!(oracle_digest("a", 1, true), oracle_digest("a", 2, true));
        assert_ne!(oracle_digest("a", 1, true), oracle_digest("b", 1, true));
    }
}
