//! Fractional ownership: a unique token locked in a vault that issues N fungible shares
//! (denomination `frac/{vault id}`).
//!
//! Shares are ordinary balances: they trade on the market like any fungible item, and
//! their sales pay the token's royalty policy (so royalties apply pro rata). Anyone may buy
//! the token out at the reserve price: the price (less royalties) goes into the vault's
//! module account, and holders then redeem their shares for a pro-rata part of everything
//! the vault holds (claim model — no iteration over holders). Income paid to the vault
//! before the buyout (licence fees of a fractionalized work) is shared the same way. The
//! holder of every share may take the token out instead.

pub mod state_key;

use borsh::{BorshDeserialize, BorshSerialize};
use proofwork_tx::{Address, TxError};

use crate::accounts;
use crate::assets::{self, format_paid, Lock, Price, ProvKind, FRACTION_DENOM_PREFIX};
use crate::codec;
use crate::event::TypedEvent;
use crate::royalties;
use crate::{ExecError, StateError, StateRead, StateWrite};

/// Lifecycle of a vault.
#[derive(Debug, Clone, Copy, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum VaultState {
    /// Token locked, shares trading.
    Active,
    /// Bought out: shares redeem for the vault's funds.
    BoughtOut,
    /// Token taken out by the holder of every share.
    Closed,
}

/// A vault.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Vault {
    /// Id.
    pub id: u64,
    /// Class of the locked token.
    pub class: String,
    /// Locked token.
    pub token: u64,
    /// Who fractionalized it.
    pub curator: Address,
    /// Shares issued.
    pub shares: u128,
    /// Shares not yet redeemed (after a buyout).
    pub outstanding: u128,
    /// Buyout price.
    pub reserve: u128,
    /// Buyout denomination.
    pub denom: String,
    /// Lifecycle.
    pub state: VaultState,
    /// Buyer, once bought out.
    pub buyer: Option<Address>,
}

impl Vault {
    /// The share denomination.
    pub fn share_denom(&self) -> String {
        share_denom(self.id)
    }
    /// The vault's module account.
    pub fn account(&self) -> Address {
        accounts::module_address(&state_key::account_name(self.id))
    }
}

/// `frac/{id}`.
pub fn share_denom(id: u64) -> String {
    format!("{FRACTION_DENOM_PREFIX}{id}")
}

/// A vault.
///
/// # Errors
/// Storage failures.
pub fn vault<S: StateRead>(s: &S, id: u64) -> Result<Option<Vault>, StateError> {
    codec::get(s, &state_key::vault(id))
}

/// Vaults after `after`, at most `limit`.
///
/// # Errors
/// Storage failures.
pub fn vaults<S: StateRead>(s: &S, after: u64, limit: usize) -> Result<Vec<Vault>, StateError> {
    let start = (after > 0).then(|| state_key::vault(after));
    Ok(
        codec::scan(s, state_key::VAULT_PREFIX, start.as_deref(), limit)?
            .into_iter()
            .map(|(_, v)| v)
            .collect(),
    )
}

/// The vault whose shares are `denom`, if `denom` is a share denomination.
///
/// # Errors
/// Storage failures.
pub fn vault_of_denom<S: StateRead>(s: &S, denom: &str) -> Result<Option<Vault>, StateError> {
    match denom
        .strip_prefix(FRACTION_DENOM_PREFIX)
        .and_then(|id| id.parse::<u64>().ok())
    {
        Some(id) => vault(s, id),
        None => Ok(None),
    }
}

fn require_vault<S: StateRead>(s: &S, id: u64) -> Result<Vault, ExecError> {
    vault(s, id)?.ok_or_else(|| TxError::UnknownVault { id }.into())
}

/// Locks the signer's token into a new vault and mints `shares` to the signer.
///
/// # Errors
/// Not owner, frozen, locked, credits as the buyout denomination.
pub fn fractionalize<S: StateWrite>(
    s: &mut S,
    signer: &Address,
    class: &str,
    token: u64,
    shares: u128,
    reserve: u128,
    denom: &str,
) -> Result<FractionalizeEvent, ExecError> {
    assets::check_payment_denom(denom)?;
    let mut t = assets::require_token(s, class, token)?;
    if t.owner != *signer {
        return Err(TxError::NotOwner {
            what: format!("{class}#{token}"),
        }
        .into());
    }
    // Locking is not a transfer of the whole; fractionalizing is allowed for sales-only
    // classes because every share sale then pays royalties.
    assets::check_movable(s, &t, true)?;
    let id = codec::next_id(s, state_key::NEXT_VAULT)?;
    t.lock = Lock::Vault(id);
    assets::put_token(s, &t, None);
    let v = Vault {
        id,
        class: class.into(),
        token,
        curator: *signer,
        shares,
        outstanding: shares,
        reserve,
        denom: denom.into(),
        state: VaultState::Active,
        buyer: None,
    };
    codec::put(s, state_key::vault(id), &v);
    accounts::mint(s, signer, &v.share_denom(), shares)?;
    assets::record(
        s,
        class,
        token,
        ProvKind::Fractionalized,
        Some(*signer),
        Some(v.account()),
        None,
        format!("vault {id}: {shares} shares"),
    )?;
    Ok(FractionalizeEvent {
        vault_id: id,
        shares,
    })
}

/// Buys the token out at the reserve price: royalties are paid on it, the rest goes to the
/// vault for the shareholders, and the token to the buyer.
///
/// # Errors
/// Unknown or inactive vault, insufficient funds, frozen.
pub fn buyout<S: StateWrite>(
    s: &mut S,
    buyer: &Address,
    id: u64,
) -> Result<BuyoutEvent, ExecError> {
    let mut v = require_vault(s, id)?;
    if v.state != VaultState::Active {
        return Err(TxError::VaultNotActive { id }.into());
    }
    let mut t = assets::require_token(s, &v.class, v.token)?;
    if t.frozen || assets::require_class(s, &v.class)?.frozen {
        return Err(TxError::AssetFrozen {
            what: format!("{}#{}", v.class, v.token),
        }
        .into());
    }
    let paid = royalties::pay_sale(s, buyer, &v.account(), &v.denom, v.reserve, &t.royalty)?;
    t.lock = Lock::None;
    let price = Price {
        denom: v.denom.clone(),
        amount: v.reserve,
    };
    assets::set_owner(s, &mut t, buyer, ProvKind::Sale, Some(price))?;
    v.state = VaultState::BoughtOut;
    v.buyer = Some(*buyer);
    codec::put(s, state_key::vault(id), &v);
    Ok(BuyoutEvent {
        vault_id: id,
        buyer: *buyer,
        price: v.reserve,
        denom: v.denom,
        royalty_paid: paid,
    })
}

/// `floor(a · b / c)` for u128 without intermediate overflow (c > 0).
fn mul_div(a: u128, b: u128, c: u128) -> Option<u128> {
    if c == 0 {
        return None;
    }
    if let Some(p) = a.checked_mul(b) {
        return Some(p / c);
    }
    if a < c && b < c {
        return None; // both below c yet the product overflows: give up (Overflow error)
    }
    // a·b/c = (a/c)·b + (a%c)·b/c, recursing on the smaller remainder product.
    let q = (a / c).checked_mul(b)?;
    let r = a % c;
    q.checked_add(mul_div(b, r, c)?)
}

/// After a buyout, burns `amount` of the signer's shares for the same fraction of every
/// balance the vault holds (the last shares take the remainder, so nothing is stranded).
///
/// # Errors
/// [`TxError::VaultNotBoughtOut`], insufficient shares.
pub fn redeem_shares<S: StateWrite>(
    s: &mut S,
    holder: &Address,
    id: u64,
    amount: u128,
) -> Result<RedeemSharesEvent, ExecError> {
    let mut v = require_vault(s, id)?;
    if v.state != VaultState::BoughtOut {
        return Err(TxError::VaultNotBoughtOut { id }.into());
    }
    accounts::burn(s, holder, &v.share_denom(), amount)?;
    let account = v.account();
    let mut paid = Vec::new();
    for (denom, held) in accounts::all_balances(s, &account)? {
        let part = mul_div(held, amount, v.outstanding).ok_or_else(|| TxError::Overflow {
            what: "redemption".into(),
        })?;
        if part > 0 {
            accounts::move_funds(s, &account, holder, &denom, part)?;
            paid.push((denom, part));
        }
    }
    v.outstanding = v
        .outstanding
        .checked_sub(amount)
        .ok_or_else(|| TxError::Overflow {
            what: "outstanding shares".into(),
        })?;
    codec::put(s, state_key::vault(id), &v);
    Ok(RedeemSharesEvent {
        vault_id: id,
        shares: amount,
        paid,
    })
}

/// The holder of every share burns them and takes the token (and any vault income).
///
/// # Errors
/// [`TxError::NotAllShares`], inactive vault.
pub fn unfractionalize<S: StateWrite>(
    s: &mut S,
    holder: &Address,
    id: u64,
) -> Result<UnfractionalizeEvent, ExecError> {
    let mut v = require_vault(s, id)?;
    if v.state != VaultState::Active {
        return Err(TxError::VaultNotActive { id }.into());
    }
    let held = accounts::balance(s, holder, &v.share_denom())?;
    if held != v.shares {
        return Err(TxError::NotAllShares {
            held,
            total: v.shares,
        }
        .into());
    }
    accounts::burn(s, holder, &v.share_denom(), v.shares)?;
    let account = v.account();
    for (denom, amount) in accounts::all_balances(s, &account)? {
        accounts::move_funds(s, &account, holder, &denom, amount)?;
    }
    let mut t = assets::require_token(s, &v.class, v.token)?;
    t.lock = Lock::None;
    assets::set_owner(s, &mut t, holder, ProvKind::Redeemed, None)?;
    v.state = VaultState::Closed;
    v.outstanding = 0;
    codec::put(s, state_key::vault(id), &v);
    Ok(UnfractionalizeEvent {
        vault_id: id,
        class: v.class,
        token: v.token,
        owner: *holder,
    })
}

/// `fractionalize`: a token was locked into a new vault and its shares minted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FractionalizeEvent {
    /// Vault id (its shares' denomination is [`share_denom`] of it).
    pub vault_id: u64,
    /// Shares minted to the signer.
    pub shares: u128,
}

impl TypedEvent for FractionalizeEvent {
    const KIND: &'static str = "fractionalize";
    fn attributes(&self) -> Vec<(&'static str, String)> {
        vec![
            ("vault_id", self.vault_id.to_string()),
            ("share_denom", share_denom(self.vault_id)),
            ("shares", self.shares.to_string()),
        ]
    }
}

/// `buyout`: the token was bought out of its vault at the reserve price.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuyoutEvent {
    /// Vault id.
    pub vault_id: u64,
    /// The signer.
    pub buyer: Address,
    /// The reserve price (the `price` attribute is `{price}{denom}`).
    pub price: u128,
    /// Its denomination.
    pub denom: String,
    /// Royalties paid on it, by recipient (`addr:amount,…`).
    pub royalty_paid: Vec<(Address, u128)>,
}

impl TypedEvent for BuyoutEvent {
    const KIND: &'static str = "buyout";
    fn attributes(&self) -> Vec<(&'static str, String)> {
        vec![
            ("vault_id", self.vault_id.to_string()),
            ("buyer", self.buyer.to_string()),
            ("price", format!("{}{}", self.price, self.denom)),
            ("royalty_paid", format_paid(&self.royalty_paid)),
        ]
    }
}

/// `redeem_shares`: shares of a bought-out vault were burned for their part of its funds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedeemSharesEvent {
    /// Vault id.
    pub vault_id: u64,
    /// Shares burned.
    pub shares: u128,
    /// Paid, by denomination (the `paid` attribute is `{amount}{denom},…`).
    pub paid: Vec<(String, u128)>,
}

impl TypedEvent for RedeemSharesEvent {
    const KIND: &'static str = "redeem_shares";
    fn attributes(&self) -> Vec<(&'static str, String)> {
        let paid: Vec<String> = self
            .paid
            .iter()
            .map(|(denom, part)| format!("{part}{denom}"))
            .collect();
        vec![
            ("vault_id", self.vault_id.to_string()),
            ("shares", self.shares.to_string()),
            ("paid", paid.join(",")),
        ]
    }
}

/// `unfractionalize`: the holder of every share took the token back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnfractionalizeEvent {
    /// Vault id.
    pub vault_id: u64,
    /// The token's class.
    pub class: String,
    /// The token (the `token` attribute is `{class}#{token}`).
    pub token: u64,
    /// The signer, its owner now.
    pub owner: Address,
}

impl TypedEvent for UnfractionalizeEvent {
    const KIND: &'static str = "unfractionalize";
    fn attributes(&self) -> Vec<(&'static str, String)> {
        vec![
            ("vault_id", self.vault_id.to_string()),
            ("token", format!("{}#{}", self.class, self.token)),
            ("owner", self.owner.to_string()),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::mul_div;

    #[test]
    fn mul_div_is_exact_without_overflow() {
        assert_eq!(mul_div(10, 3, 4), Some(7));
        assert_eq!(mul_div(u128::MAX, 2, 4), Some(u128::MAX / 2));
        assert_eq!(mul_div(u128::MAX, 1, 1), Some(u128::MAX));
        assert_eq!(mul_div(1, 1, 0), None);
    }
}
