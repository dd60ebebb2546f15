//! Asset classes and tokens.
//!
//! A class is created by a tx and fixes, forever, its admin powers (any subset of mint,
//! burn, freeze and force-transfer, or none) and whether its assets move only through
//! sales (`sales_only`, see docs/adr-004-royalty-enforcement.md). A fungible class *is* a
//! denomination: its units are ordinary balances (so supply conservation covers them). A
//! unique class holds tokens with one owner each, metadata, a content hash and the royalty
//! policy fixed at mint. Every ownership change of a unique token appends a provenance
//! entry; registered certifiers may append attestations.
//!
//! While a token is listed, auctioned or in a fractional vault it is *locked*: its owner
//! stays the seller (or the vault's former owner) but nothing can move it except the
//! component that locked it.

pub mod events;
pub mod state_key;

use borsh::{BorshDeserialize, BorshSerialize};
use proofwork_tx::assets::{powers, ShareSpec};
use proofwork_tx::{Address, TxError};

use crate::accounts::{self, CREDIT_DENOM};
use crate::codec;
use crate::royalties::{self, RoyaltyPolicy, RoyaltyShare};
use crate::{ExecError, StateError, StateRead, StateWrite};
use events::{
    AddCertifierEvent, AttestEvent, BurnAssetEvent, Burned, CreateAssetClassEvent, DeclaredSale,
    ForceTransferEvent, FreezeAssetEvent, MintFungibleEvent, MintUniqueEvent, TransferUniqueEvent,
};

/// Chain cap on the total royalty of one policy, in basis points.
pub const ROYALTY_CAP_BPS: u32 = 2_500;
// (The default; a chain sets its own with genesis `params.royalty_cap_bps`.)

/// Prefix of the denominations of fractional shares (`frac/{vault id}`).
pub const FRACTION_DENOM_PREFIX: &str = "frac/";

/// Fungible or unique.
#[derive(Debug, Clone, Copy, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum AssetKind {
    /// A denomination with a supply.
    Fungible,
    /// Non-fungible tokens, one owner each.
    Unique,
}

/// An asset class.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct AssetClass {
    /// Class id (and, for a fungible class, its denomination).
    pub id: String,
    /// Fungible or unique.
    pub kind: AssetKind,
    /// Creator, who holds the admin powers.
    pub admin: Address,
    /// [`powers`] bits, fixed at creation.
    pub powers: u8,
    /// Assets of the class move only through sales that pay royalties.
    pub sales_only: bool,
    /// Royalty policy of fungible units (unique tokens carry their own).
    pub royalty: RoyaltyPolicy,
    /// Free-form metadata.
    pub metadata: String,
    /// Frozen by the admin: nothing of the class moves.
    pub frozen: bool,
    /// Height of creation.
    pub created_height: u64,
}

/// What holds a locked token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum Lock {
    /// Free.
    None,
    /// A fixed-price listing.
    Listing(u64),
    /// An auction.
    Auction(u64),
    /// A fractional vault.
    Vault(u64),
}

impl std::fmt::Display for Lock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Lock::None => write!(f, "nothing"),
            Lock::Listing(i) => write!(f, "listing {i}"),
            Lock::Auction(i) => write!(f, "auction {i}"),
            Lock::Vault(i) => write!(f, "vault {i}"),
        }
    }
}

/// A unique token.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Token {
    /// Class id.
    pub class: String,
    /// Id within the class (from 1).
    pub id: u64,
    /// Current owner.
    pub owner: Address,
    /// Free-form metadata.
    pub metadata: String,
    /// Hash of the content.
    pub content_hash: [u8; 32],
    /// Royalty policy fixed at mint (shares are transferable).
    pub royalty: RoyaltyPolicy,
    /// Frozen by the class admin.
    pub frozen: bool,
    /// Listing, auction or vault holding it.
    pub lock: Lock,
}

/// Kind of a provenance entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum ProvKind {
    /// Created.
    Mint,
    /// Sold (listing, offer, auction, buyout) — carries the price.
    Sale,
    /// Moved without a sale (a gift, or with a declared price).
    Transfer,
    /// Moved by the class admin's force-transfer power.
    Forced,
    /// Locked into a fractional vault.
    Fractionalized,
    /// Taken out of a vault by the holder of every share.
    Redeemed,
    /// Destroyed.
    Burn,
    /// A certifier's statement.
    Attestation,
    /// The token was bound to a registered work (`to`: the registrant; the note names the
    /// content hash and title).
    IpRegistered,
    /// A licence of the token's work was taken (`from`: who was paid, `to`: the licensee,
    /// the fee as the price; the note names the licence, its terms and scope).
    Licensed,
    /// A royalty right of the token (or, under token 0, of its class) was sold (`from`:
    /// seller, `to`: buyer, with the price).
    RoyaltyRightSale,
}

impl ProvKind {
    /// Stable lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            ProvKind::Mint => "mint",
            ProvKind::Sale => "sale",
            ProvKind::Transfer => "transfer",
            ProvKind::Forced => "forced",
            ProvKind::Fractionalized => "fractionalized",
            ProvKind::Redeemed => "redeemed",
            ProvKind::Burn => "burn",
            ProvKind::Attestation => "attestation",
            ProvKind::IpRegistered => "ip_registered",
            ProvKind::Licensed => "licensed",
            ProvKind::RoyaltyRightSale => "royalty_right_sale",
        }
    }
}

/// A price paid.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Price {
    /// Denomination.
    pub denom: String,
    /// Amount.
    pub amount: u128,
}

/// One entry of a token's history.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct ProvEntry {
    /// What happened.
    pub kind: ProvKind,
    /// Previous owner (or the certifier, for an attestation).
    pub from: Option<Address>,
    /// New owner.
    pub to: Option<Address>,
    /// Block height.
    pub height: u64,
    /// Block time (ns).
    pub time_ns: u64,
    /// Price, for sales and declared-price transfers.
    pub price: Option<Price>,
    /// Attestation statement or other note.
    pub note: String,
}

/// Event attributes of an executed message.
pub type Attrs = Vec<(&'static str, String)>;

/// Sets the chain's royalty cap (genesis).
pub fn set_royalty_cap<S: StateWrite>(s: &mut S, bps: u32) {
    codec::put(s, state_key::ROYALTY_CAP.to_vec(), &bps);
}

/// The chain's royalty cap in basis points ([`ROYALTY_CAP_BPS`] unless genesis set one).
///
/// # Errors
/// Storage failures or a corrupt record.
pub fn royalty_cap<S: StateRead>(s: &S) -> Result<u32, StateError> {
    Ok(codec::get(s, state_key::ROYALTY_CAP)?.unwrap_or(ROYALTY_CAP_BPS))
}

/// Converts tx shares into a policy and checks it against the chain's royalty cap.
///
/// # Errors
/// [`TxError::BadRoyaltyPolicy`]; storage failures.
pub fn policy_from<S: StateRead>(s: &S, specs: &[ShareSpec]) -> Result<RoyaltyPolicy, ExecError> {
    let p = RoyaltyPolicy {
        shares: specs
            .iter()
            .map(|s| RoyaltyShare {
                recipient: s.recipient,
                bps: s.bps,
            })
            .collect(),
    };
    p.check(royalty_cap(s)?)?;
    Ok(p)
}

/// A class.
///
/// # Errors
/// Storage failures.
pub fn class<S: StateRead>(s: &S, id: &str) -> Result<Option<AssetClass>, StateError> {
    codec::get(s, &state_key::class(id))
}

/// Classes in id (byte) order: at most `limit` after the class `after` (`None`: from the
/// first). One ranged read, so a long list of classes cannot make a page slow.
///
/// # Errors
/// Storage failures or corrupt values.
pub fn classes<S: StateRead>(
    s: &S,
    after: Option<&str>,
    limit: usize,
) -> Result<Vec<AssetClass>, StateError> {
    let start = after.map(state_key::class);
    Ok(
        codec::scan(s, state_key::CLASS_PREFIX, start.as_deref(), limit)?
            .into_iter()
            .map(|(_, c)| c)
            .collect(),
    )
}

/// A class, or [`TxError::UnknownAssetClass`].
///
/// # Errors
/// Unknown class; storage failures.
pub fn require_class<S: StateRead>(s: &S, id: &str) -> Result<AssetClass, ExecError> {
    class(s, id)?.ok_or_else(|| {
        TxError::UnknownAssetClass {
            class: id.to_string(),
        }
        .into()
    })
}

/// A token.
///
/// # Errors
/// Storage failures.
pub fn token<S: StateRead>(s: &S, class: &str, id: u64) -> Result<Option<Token>, StateError> {
    codec::get(s, &state_key::token(class, id))
}

/// A token, or [`TxError::UnknownToken`].
///
/// # Errors
/// Unknown token; storage failures.
pub fn require_token<S: StateRead>(s: &S, class: &str, id: u64) -> Result<Token, ExecError> {
    token(s, class, id)?.ok_or_else(|| {
        TxError::UnknownToken {
            class: class.to_string(),
            token: id,
        }
        .into()
    })
}

/// Writes a token, keeping the owner index in step with `previous_owner`.
pub fn put_token<S: StateWrite>(s: &mut S, t: &Token, previous_owner: Option<&Address>) {
    if let Some(prev) = previous_owner {
        if *prev != t.owner {
            s.delete(state_key::owned(prev, &t.class, t.id));
        }
    }
    s.put_raw(state_key::owned(&t.owner, &t.class, t.id), Vec::new());
    codec::put(s, state_key::token(&t.class, t.id), t);
}

fn require_admin(c: &AssetClass, signer: &Address, power: u8) -> Result<(), TxError> {
    if c.admin != *signer {
        return Err(TxError::NotAdmin {
            class: c.id.clone(),
        });
    }
    if c.powers & power == 0 {
        return Err(TxError::MissingAdminPower {
            class: c.id.clone(),
            power: powers::names(power).join(","),
        });
    }
    Ok(())
}

fn require_kind(c: &AssetClass, kind: AssetKind) -> Result<(), TxError> {
    if c.kind != kind {
        return Err(TxError::WrongAssetKind {
            class: c.id.clone(),
            expected: match kind {
                AssetKind::Fungible => "fungible".into(),
                AssetKind::Unique => "unique".into(),
            },
        });
    }
    Ok(())
}

/// Appends a provenance entry stamped with the current block.
///
/// # Errors
/// Storage failures; counter overflow.
#[allow(clippy::too_many_arguments)] // one entry's fields, named at every call site
pub fn record<S: StateWrite>(
    s: &mut S,
    class: &str,
    token: u64,
    kind: ProvKind,
    from: Option<Address>,
    to: Option<Address>,
    price: Option<Price>,
    note: String,
) -> Result<(), ExecError> {
    let seq = codec::next_id(s, &state_key::provenance_seq(class, token))?;
    let e = ProvEntry {
        kind,
        from,
        to,
        height: accounts::block_height(s)?,
        time_ns: accounts::block_time_ns(s)?,
        price,
        note,
    };
    codec::put(s, state_key::provenance(class, token, seq), &e);
    Ok(())
}

/// A token's history, oldest first: at most `limit` entries with sequence numbers after
/// `after` (0: from the first), each with its sequence number (1 = the first entry).
///
/// # Errors
/// Storage failures; [`StateError::Corrupt`] for a key that is not a provenance key.
pub fn provenance<S: StateRead>(
    s: &S,
    class: &str,
    token: u64,
    after: u64,
    limit: usize,
) -> Result<Vec<(u64, ProvEntry)>, StateError> {
    let prefix = state_key::provenance_of(class, token);
    let start = (after > 0).then(|| state_key::provenance(class, token, after));
    codec::scan(s, &prefix, start.as_deref(), limit)?
        .into_iter()
        .map(|(k, e)| Ok((codec::u64_after(&k, prefix.len())?, e)))
        .collect()
}

/// Tokens owned by an account, as `(class, id)`, in key order: at most `limit` after the
/// token `after` (`None`: from the first).
///
/// # Errors
/// Storage failures.
pub fn tokens_of<S: StateRead>(
    s: &S,
    owner: &Address,
    after: Option<(&str, u64)>,
    limit: usize,
) -> Result<Vec<(String, u64)>, StateError> {
    let prefix = state_key::owned_by(owner);
    let start = after.map(|(class, id)| state_key::owned(owner, class, id));
    Ok(s.scan_prefix(&prefix, start.as_deref(), limit)?
        .into_iter()
        .filter_map(|(k, _)| {
            let rest = &k[prefix.len()..];
            let (class, sep_id) = rest.split_at(rest.len().checked_sub(9)?);
            let id = codec::u64_after(sep_id, 1).ok()?;
            Some((String::from_utf8_lossy(class).into_owned(), id))
        })
        .collect())
}

/// Creates a class; a fungible class mints `initial_supply` to the signer.
///
/// # Errors
/// [`TxError::AssetClassExists`] (also for an existing denomination or a reserved name),
/// [`TxError::BadRoyaltyPolicy`].
#[allow(clippy::too_many_arguments)]
pub fn create_class<S: StateWrite>(
    s: &mut S,
    signer: &Address,
    id: &str,
    unique: bool,
    powers: u8,
    sales_only: bool,
    royalty: &[ShareSpec],
    metadata: &str,
    initial_supply: u128,
) -> Result<CreateAssetClassEvent, ExecError> {
    let exists = class(s, id)?.is_some()
        || id == CREDIT_DENOM
        || id.starts_with(FRACTION_DENOM_PREFIX)
        || accounts::supply(s, id)? != accounts::Supply::default();
    if exists {
        return Err(TxError::AssetClassExists { class: id.into() }.into());
    }
    let royalty = policy_from(s, royalty)?;
    let c = AssetClass {
        id: id.into(),
        kind: if unique {
            AssetKind::Unique
        } else {
            AssetKind::Fungible
        },
        admin: *signer,
        powers,
        sales_only,
        royalty,
        metadata: metadata.into(),
        frozen: false,
        created_height: accounts::block_height(s)?,
    };
    codec::put(s, state_key::class(id), &c);
    if !unique && initial_supply > 0 {
        accounts::mint(s, signer, id, initial_supply)?;
    }
    Ok(CreateAssetClassEvent {
        class: id.into(),
        admin: *signer,
        powers,
    })
}

/// Mints units of a fungible class (admin with the mint power).
///
/// # Errors
/// Unknown class, wrong kind, not admin, no mint power, frozen, overflow.
pub fn mint_fungible<S: StateWrite>(
    s: &mut S,
    signer: &Address,
    class_id: &str,
    to: &Address,
    amount: u128,
) -> Result<MintFungibleEvent, ExecError> {
    let c = require_class(s, class_id)?;
    require_kind(&c, AssetKind::Fungible)?;
    require_admin(&c, signer, powers::MINT)?;
    check_class_not_frozen(&c)?;
    accounts::mint(s, to, class_id, amount)?;
    Ok(MintFungibleEvent {
        class: class_id.into(),
        to: *to,
        amount,
    })
}

/// Mints a unique token (admin with the mint power). Returns its id in the attributes.
///
/// # Errors
/// Unknown class, wrong kind, not admin, no mint power, frozen, bad royalty policy.
pub fn mint_unique<S: StateWrite>(
    s: &mut S,
    signer: &Address,
    class_id: &str,
    to: &Address,
    metadata: &str,
    content_hash: [u8; 32],
    royalty: &[ShareSpec],
) -> Result<MintUniqueEvent, ExecError> {
    let c = require_class(s, class_id)?;
    require_kind(&c, AssetKind::Unique)?;
    require_admin(&c, signer, powers::MINT)?;
    check_class_not_frozen(&c)?;
    let royalty = policy_from(s, royalty)?;
    let id = codec::next_id(s, &state_key::next_token(class_id))?;
    let t = Token {
        class: class_id.into(),
        id,
        owner: *to,
        metadata: metadata.into(),
        content_hash,
        royalty,
        frozen: false,
        lock: Lock::None,
    };
    put_token(s, &t, None);
    record(
        s,
        class_id,
        id,
        ProvKind::Mint,
        None,
        Some(*to),
        None,
        String::new(),
    )?;
    Ok(MintUniqueEvent {
        class: class_id.into(),
        token_id: id,
        owner: *to,
    })
}

fn check_class_not_frozen(c: &AssetClass) -> Result<(), TxError> {
    if c.frozen {
        return Err(TxError::AssetFrozen {
            what: format!("class {}", c.id),
        });
    }
    Ok(())
}

/// Checks that a token can be moved by its owner now: class and token not frozen, token
/// not locked, and (unless `by_sale`) the class not sales-only.
///
/// # Errors
/// [`TxError::AssetFrozen`], [`TxError::TokenLocked`], [`TxError::TransferRestricted`].
pub fn check_movable<S: StateRead>(s: &S, t: &Token, by_sale: bool) -> Result<(), ExecError> {
    let c = require_class(s, &t.class)?;
    check_class_not_frozen(&c)?;
    if t.frozen {
        return Err(TxError::AssetFrozen {
            what: format!("token {}#{}", t.class, t.id),
        }
        .into());
    }
    if t.lock != Lock::None {
        return Err(TxError::TokenLocked {
            what: format!("{}#{}", t.class, t.id),
            by: t.lock.to_string(),
        }
        .into());
    }
    if c.sales_only && !by_sale {
        return Err(TxError::TransferRestricted {
            what: format!("class {}", c.id),
        }
        .into());
    }
    Ok(())
}

/// Changes a token's owner and records it.
///
/// # Errors
/// Storage failures.
pub fn set_owner<S: StateWrite>(
    s: &mut S,
    t: &mut Token,
    to: &Address,
    kind: ProvKind,
    price: Option<Price>,
) -> Result<(), ExecError> {
    let from = t.owner;
    t.owner = *to;
    put_token(s, t, Some(&from));
    record(
        s,
        &t.class,
        t.id,
        kind,
        Some(from),
        Some(*to),
        price,
        String::new(),
    )
}

/// Transfers a unique token by its owner. A declared price makes the sender pay the
/// royalty on it; without one it is a gift, refused for sales-only classes.
///
/// # Errors
/// Unknown token, not owner, frozen, locked, sales-only, royalty not covered.
pub fn transfer_unique<S: StateWrite>(
    s: &mut S,
    signer: &Address,
    class_id: &str,
    id: u64,
    to: &Address,
    price: Option<(&str, u128)>,
) -> Result<TransferUniqueEvent, ExecError> {
    let mut t = require_token(s, class_id, id)?;
    if t.owner != *signer {
        return Err(TxError::NotOwner {
            what: format!("{class_id}#{id}"),
        }
        .into());
    }
    check_movable(s, &t, false)?;
    let mut sale = None;
    let price = match price {
        Some((denom, amount)) => {
            check_payment_denom(denom)?;
            let paid = royalties::pay_royalties(s, signer, denom, amount, &t.royalty)?;
            sale = Some(DeclaredSale {
                amount,
                denom: denom.into(),
                royalty_paid: paid,
            });
            Some(Price {
                denom: denom.into(),
                amount,
            })
        }
        None => None,
    };
    set_owner(s, &mut t, to, ProvKind::Transfer, price)?;
    Ok(TransferUniqueEvent {
        class: class_id.into(),
        token_id: id,
        from: *signer,
        to: *to,
        sale,
    })
}

/// Refuses compute credits as a payment denomination (they never change hands).
///
/// # Errors
/// [`TxError::NonTransferable`].
pub fn check_payment_denom(denom: &str) -> Result<(), TxError> {
    if denom == CREDIT_DENOM {
        return Err(TxError::NonTransferable {
            denom: denom.into(),
        });
    }
    Ok(())
}

/// `addr:amount,…` of royalty payments, for events.
pub fn format_paid(paid: &[(Address, u128)]) -> String {
    paid.iter()
        .map(|(a, v)| format!("{a}:{v}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// Burns a token (owner, or admin with the burn power) or fungible units (own units, or
/// another holder's with the burn power).
///
/// # Errors
/// Unknown class/token, not owner/admin, no power, locked, insufficient funds.
pub fn burn<S: StateWrite>(
    s: &mut S,
    signer: &Address,
    class_id: &str,
    token_id: u64,
    amount: u128,
    from: Option<&Address>,
) -> Result<BurnAssetEvent, ExecError> {
    let c = require_class(s, class_id)?;
    if token_id != 0 {
        require_kind(&c, AssetKind::Unique)?;
        let t = require_token(s, class_id, token_id)?;
        if t.owner != *signer {
            require_admin(&c, signer, powers::BURN)?;
        }
        if t.lock != Lock::None {
            return Err(TxError::TokenLocked {
                what: format!("{class_id}#{token_id}"),
                by: t.lock.to_string(),
            }
            .into());
        }
        s.delete(state_key::token(class_id, token_id));
        s.delete(state_key::owned(&t.owner, class_id, token_id));
        record(
            s,
            class_id,
            token_id,
            ProvKind::Burn,
            Some(t.owner),
            None,
            None,
            String::new(),
        )?;
        return Ok(BurnAssetEvent {
            class: class_id.into(),
            burned: Burned::Token(token_id),
        });
    }
    require_kind(&c, AssetKind::Fungible)?;
    let from = from.copied().unwrap_or(*signer);
    if from != *signer {
        require_admin(&c, signer, powers::BURN)?;
    }
    accounts::burn(s, &from, class_id, amount)?;
    Ok(BurnAssetEvent {
        class: class_id.into(),
        burned: Burned::Units { from, amount },
    })
}

/// Freezes or unfreezes a class (`token_id` 0) or a token (admin with the freeze power).
///
/// # Errors
/// Unknown class/token, not admin, no freeze power.
pub fn freeze<S: StateWrite>(
    s: &mut S,
    signer: &Address,
    class_id: &str,
    token_id: u64,
    frozen: bool,
) -> Result<FreezeAssetEvent, ExecError> {
    let mut c = require_class(s, class_id)?;
    require_admin(&c, signer, powers::FREEZE)?;
    if token_id == 0 {
        c.frozen = frozen;
        codec::put(s, state_key::class(class_id), &c);
    } else {
        let mut t = require_token(s, class_id, token_id)?;
        t.frozen = frozen;
        codec::put(s, state_key::token(class_id, token_id), &t);
    }
    Ok(FreezeAssetEvent {
        class: class_id.into(),
        token_id,
        frozen,
    })
}

/// Moves a token or units without a sale (admin with the force-transfer power). Locked
/// tokens cannot be forced (their listing, auction or vault holds claims on them).
///
/// # Errors
/// Unknown class/token, not admin, no power, `from` not the owner, locked, insufficient.
pub fn force_transfer<S: StateWrite>(
    s: &mut S,
    signer: &Address,
    class_id: &str,
    token_id: u64,
    amount: u128,
    from: &Address,
    to: &Address,
) -> Result<ForceTransferEvent, ExecError> {
    let c = require_class(s, class_id)?;
    require_admin(&c, signer, powers::FORCE_TRANSFER)?;
    if token_id != 0 {
        require_kind(&c, AssetKind::Unique)?;
        let mut t = require_token(s, class_id, token_id)?;
        if t.owner != *from {
            return Err(TxError::NotOwner {
                what: format!("{class_id}#{token_id} (by {from})"),
            }
            .into());
        }
        if t.lock != Lock::None {
            return Err(TxError::TokenLocked {
                what: format!("{class_id}#{token_id}"),
                by: t.lock.to_string(),
            }
            .into());
        }
        set_owner(s, &mut t, to, ProvKind::Forced, None)?;
    } else {
        require_kind(&c, AssetKind::Fungible)?;
        accounts::move_funds(s, from, to, class_id, amount)?;
    }
    Ok(ForceTransferEvent {
        class: class_id.into(),
        from: *from,
        to: *to,
    })
}

/// Checks a plain `Transfer` of `denom`: compute credits never move (checked by
/// `accounts::transfer`), frozen fungible classes do not move, and sales-only classes —
/// and fractional shares of a sales-only token — move only through the market.
///
/// # Errors
/// [`TxError::AssetFrozen`], [`TxError::TransferRestricted`].
pub fn check_free_transfer<S: StateRead>(s: &S, denom: &str) -> Result<(), ExecError> {
    let (c, what) = match crate::fractional::vault_of_denom(s, denom)? {
        Some(v) => {
            let t = require_token(s, &v.class, v.token)?;
            if t.frozen {
                return Err(TxError::AssetFrozen {
                    what: format!("token {}#{}", t.class, t.id),
                }
                .into());
            }
            (require_class(s, &v.class)?, format!("shares {denom}"))
        }
        None => match class(s, denom)? {
            Some(c) => (c, format!("class {denom}")),
            None => return Ok(()),
        },
    };
    check_class_not_frozen(&c)?;
    if c.sales_only {
        return Err(TxError::TransferRestricted { what }.into());
    }
    Ok(())
}

/// The royalty policy that applies to a sale of fungible `denom`, after checking that the
/// denomination may be sold: a fungible class's policy, or for fractional shares the
/// underlying token's policy (so share sales pay royalties pro rata); none for other
/// denominations (e.g. the native one).
///
/// # Errors
/// [`TxError::NonTransferable`] (credits), [`TxError::AssetFrozen`].
pub fn fungible_policy<S: StateRead>(s: &S, denom: &str) -> Result<RoyaltyPolicy, ExecError> {
    check_payment_denom(denom)?;
    if let Some(v) = crate::fractional::vault_of_denom(s, denom)? {
        let t = require_token(s, &v.class, v.token)?;
        check_class_not_frozen(&require_class(s, &v.class)?)?;
        if t.frozen {
            return Err(TxError::AssetFrozen {
                what: format!("token {}#{}", t.class, t.id),
            }
            .into());
        }
        return Ok(t.royalty);
    }
    match class(s, denom)? {
        Some(c) => {
            check_class_not_frozen(&c)?;
            Ok(c.royalty)
        }
        None => Ok(RoyaltyPolicy::default()),
    }
}

/// Registers a certifier for a class (the class admin; no power needed).
///
/// # Errors
/// Unknown class, not admin.
pub fn add_certifier<S: StateWrite>(
    s: &mut S,
    signer: &Address,
    class_id: &str,
    certifier: &Address,
    name: &str,
) -> Result<AddCertifierEvent, ExecError> {
    let c = require_class(s, class_id)?;
    if c.admin != *signer {
        return Err(TxError::NotAdmin {
            class: class_id.into(),
        }
        .into());
    }
    codec::put(
        s,
        state_key::certifier(class_id, certifier),
        &name.to_string(),
    );
    Ok(AddCertifierEvent {
        class: class_id.into(),
        certifier: *certifier,
        name: name.into(),
    })
}

/// A certifier's name, if registered for the class.
///
/// # Errors
/// Storage failures.
pub fn certifier<S: StateRead>(
    s: &S,
    class_id: &str,
    who: &Address,
) -> Result<Option<String>, StateError> {
    codec::get(s, &state_key::certifier(class_id, who))
}

/// Attaches a registered certifier's statement to a token's history.
///
/// # Errors
/// [`TxError::UnregisteredCertifier`], unknown token.
pub fn attest<S: StateWrite>(
    s: &mut S,
    signer: &Address,
    class_id: &str,
    token_id: u64,
    statement: &str,
) -> Result<AttestEvent, ExecError> {
    let Some(name) = certifier(s, class_id, signer)? else {
        return Err(TxError::UnregisteredCertifier {
            certifier: signer.to_string(),
            class: class_id.into(),
        }
        .into());
    };
    require_token(s, class_id, token_id)?;
    record(
        s,
        class_id,
        token_id,
        ProvKind::Attestation,
        Some(*signer),
        None,
        None,
        statement.into(),
    )?;
    Ok(AttestEvent {
        class: class_id.into(),
        token_id,
        certifier: name,
    })
}
