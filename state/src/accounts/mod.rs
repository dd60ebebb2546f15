//! Accounts: nonces, balances per denomination, and supply accounting.
//!
//! Supply conservation is the invariant every other component relies on: for every
//! denomination, the sum of all balances equals minted − burned. Funds locked by other
//! components (escrows, vaults, listings) sit in module accounts, so they are balances too.

pub mod state_key;

use std::collections::BTreeMap;

use proofwork_tx::{Address, TxError};

use borsh::{BorshDeserialize, BorshSerialize};

use crate::{codec, ExecError, StateError, StateRead, StateWrite, WriteSet};

/// Minted and burned totals of one denomination (stored as borsh: minted u128 LE ‖ burned
/// u128 LE).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Supply {
    /// Total ever minted.
    pub minted: u128,
    /// Total ever burned.
    pub burned: u128,
}

impl Supply {
    /// What should be held in balances: minted − burned.
    pub fn circulating(&self) -> Option<u128> {
        self.minted.checked_sub(self.burned)
    }
}

fn read_u128(key: &[u8], bytes: Option<Vec<u8>>) -> Result<u128, StateError> {
    bytes.map_or(Ok(0), |b| codec::decode(key, &b))
}

/// The account's next nonce.
///
/// # Errors
/// Storage failures.
pub fn nonce<S: StateRead>(s: &S, addr: &Address) -> Result<u64, StateError> {
    codec::get_or_default(s, &state_key::nonce(addr))
}

/// Checks `got` against the account's next nonce and advances it.
///
/// # Errors
/// [`TxError::ReplayedNonce`] or [`TxError::FutureNonce`]; storage failures.
pub fn use_nonce<S: StateWrite>(s: &mut S, addr: &Address, got: u64) -> Result<(), ExecError> {
    let expected = nonce(s, addr)?;
    if got < expected {
        return Err(TxError::ReplayedNonce { got, expected }.into());
    }
    if got > expected {
        return Err(TxError::FutureNonce { got, expected }.into());
    }
    let next = expected.checked_add(1).ok_or_else(|| TxError::Overflow {
        what: "account nonce".into(),
    })?;
    codec::put(s, state_key::nonce(addr), &next);
    Ok(())
}

/// One balance.
///
/// # Errors
/// Storage failures.
pub fn balance<S: StateRead>(s: &S, addr: &Address, denom: &str) -> Result<u128, StateError> {
    let key = state_key::balance(addr, denom);
    read_u128(&key, s.get_raw(&key)?)
}

/// Balances shown per account by queries (the first this many denominations, by name).
pub const BALANCES_SHOWN: usize = 1024;

/// The account's first [`BALANCES_SHOWN`] non-zero balances, by denomination (for queries;
/// a state transition that must see them all uses [`all_balances`]).
///
/// # Errors
/// Storage failures.
pub fn balances<S: StateRead>(s: &S, addr: &Address) -> Result<Vec<(String, u128)>, StateError> {
    let prefix = state_key::balances_of(addr);
    decode_balances(&prefix, s.scan_prefix(&prefix, None, BALANCES_SHOWN)?)
}

/// Every non-zero balance of an account, by denomination, however many there are: what a
/// vault pays out. Anyone can send any denomination to any account, so a capped read would
/// let 1,024 cheap denominations that sort first hide the real proceeds.
///
/// # Errors
/// Storage failures.
pub fn all_balances<S: StateRead>(
    s: &S,
    addr: &Address,
) -> Result<Vec<(String, u128)>, StateError> {
    let prefix = state_key::balances_of(addr);
    let mut out = Vec::new();
    let mut after: Option<Vec<u8>> = None;
    loop {
        let page = s.scan_prefix(&prefix, after.as_deref(), BALANCES_SHOWN)?;
        let full = page.len() == BALANCES_SHOWN;
        after = page.last().map(|(k, _)| k.clone());
        out.extend(decode_balances(&prefix, page)?);
        if !full {
            return Ok(out);
        }
    }
}

fn decode_balances(
    prefix: &[u8],
    rows: Vec<(Vec<u8>, Vec<u8>)>,
) -> Result<Vec<(String, u128)>, StateError> {
    rows.into_iter()
        .map(|(k, v)| {
            let denom = String::from_utf8_lossy(&k[prefix.len()..]).into_owned();
            Ok((denom, read_u128(&k, Some(v))?))
        })
        .collect()
}

fn set_balance<S: StateWrite>(s: &mut S, addr: &Address, denom: &str, amount: u128) {
    let key = state_key::balance(addr, denom);
    if amount == 0 {
        s.delete(key);
    } else {
        codec::put(s, key, &amount);
    }
}

/// Adds to a balance.
///
/// # Errors
/// [`TxError::Overflow`]; storage failures.
pub fn credit<S: StateWrite>(
    s: &mut S,
    addr: &Address,
    denom: &str,
    amount: u128,
) -> Result<(), ExecError> {
    let new = balance(s, addr, denom)?
        .checked_add(amount)
        .ok_or_else(|| TxError::Overflow {
            what: format!("{denom} balance of {addr}"),
        })?;
    set_balance(s, addr, denom, new);
    Ok(())
}

/// Subtracts from a balance.
///
/// # Errors
/// [`TxError::InsufficientFunds`]; storage failures.
pub fn debit<S: StateWrite>(
    s: &mut S,
    addr: &Address,
    denom: &str,
    amount: u128,
) -> Result<(), ExecError> {
    let have = balance(s, addr, denom)?;
    let new = have
        .checked_sub(amount)
        .ok_or_else(|| TxError::InsufficientFunds {
            denom: denom.to_string(),
            balance: have,
            needed: amount,
        })?;
    set_balance(s, addr, denom, new);
    Ok(())
}

/// Compute credits: minted only for verified work, spendable on jobs, never transferable
/// between accounts (so power and credits cannot be bought from a farm).
pub const CREDIT_DENOM: &str = "credit";

/// Moves funds between accounts on a user's behalf.
///
/// # Errors
/// [`TxError::NonTransferable`] for compute credits, [`TxError::ZeroAmount`],
/// [`TxError::InsufficientFunds`], [`TxError::Overflow`].
pub fn transfer<S: StateWrite>(
    s: &mut S,
    from: &Address,
    to: &Address,
    denom: &str,
    amount: u128,
) -> Result<(), ExecError> {
    if denom == CREDIT_DENOM {
        return Err(TxError::NonTransferable {
            denom: denom.to_string(),
        }
        .into());
    }
    move_funds(s, from, to, denom, amount)
}

/// Moves funds between accounts for a protocol component (escrows, sales, job payments):
/// unlike [`transfer`] it may move compute credits, e.g. into a job's escrow.
///
/// # Errors
/// [`TxError::ZeroAmount`], [`TxError::InsufficientFunds`], [`TxError::Overflow`].
pub fn move_funds<S: StateWrite>(
    s: &mut S,
    from: &Address,
    to: &Address,
    denom: &str,
    amount: u128,
) -> Result<(), ExecError> {
    if amount == 0 {
        return Err(TxError::ZeroAmount.into());
    }
    debit(s, from, denom, amount)?;
    credit(s, to, denom, amount)
}

/// The supply record of a denomination.
///
/// # Errors
/// Storage failures.
pub fn supply<S: StateRead>(s: &S, denom: &str) -> Result<Supply, StateError> {
    codec::get_or_default(s, &state_key::supply(denom))
}

fn put_supply<S: StateWrite>(s: &mut S, denom: &str, sup: Supply) {
    codec::put(s, state_key::supply(denom), &sup);
}

/// Creates new units into an account.
///
/// # Errors
/// [`TxError::Overflow`] when total minted or the balance would exceed u128.
pub fn mint<S: StateWrite>(
    s: &mut S,
    to: &Address,
    denom: &str,
    amount: u128,
) -> Result<(), ExecError> {
    let mut sup = supply(s, denom)?;
    sup.minted = sup
        .minted
        .checked_add(amount)
        .ok_or_else(|| TxError::Overflow {
            what: format!("{denom} supply"),
        })?;
    credit(s, to, denom, amount)?;
    put_supply(s, denom, sup);
    Ok(())
}

/// Destroys units from an account.
///
/// # Errors
/// [`TxError::InsufficientFunds`]; [`TxError::Overflow`] of the burned total.
pub fn burn<S: StateWrite>(
    s: &mut S,
    from: &Address,
    denom: &str,
    amount: u128,
) -> Result<(), ExecError> {
    let mut sup = supply(s, denom)?;
    sup.burned = sup
        .burned
        .checked_add(amount)
        .ok_or_else(|| TxError::Overflow {
            what: format!("{denom} burned total"),
        })?;
    debit(s, from, denom, amount)?;
    put_supply(s, denom, sup);
    Ok(())
}

/// The address of a protocol-owned account (escrow, vault, market):
/// `BLAKE3("proofwork/module/v1" || name)[..20]`. No key can sign for it.
pub fn module_address(name: &str) -> Address {
    let mut h = blake3::Hasher::new();
    h.update(b"proofwork/module/v1");
    h.update(name.as_bytes());
    let mut out = [0u8; 20];
    out.copy_from_slice(&h.finalize().as_bytes()[..20]);
    Address(out)
}

/// Records the block's height and time in state (so that every block changes the root and
/// components can timestamp records by the block, never by a wall clock).
pub fn set_block_info<S: StateWrite>(s: &mut S, height: u64, time_ns: u64) {
    codec::put(s, state_key::HEIGHT.to_vec(), &height);
    codec::put(s, state_key::TIME_NS.to_vec(), &time_ns);
}

/// The height of the block being executed.
///
/// # Errors
/// Storage failures.
pub fn block_height<S: StateRead>(s: &S) -> Result<u64, StateError> {
    codec::get_or_default(s, state_key::HEIGHT)
}

/// The time of the block being executed (ns since the Unix epoch).
///
/// # Errors
/// Storage failures.
pub fn block_time_ns<S: StateRead>(s: &S) -> Result<u64, StateError> {
    codec::get_or_default(s, state_key::TIME_NS)
}

/// Checks supply conservation for the denominations a block touched, given the state
/// before the block (`base`) and the block's writes: the net change of all balances of a
/// denomination must equal the change in minted − burned. Given that the invariant held
/// before the block, this is equivalent to a full check and costs O(writes).
///
/// # Errors
/// [`StateError::Invariant`] naming the denomination and the two totals.
pub fn check_supply_delta<R: StateRead>(base: &R, writes: &WriteSet) -> Result<(), StateError> {
    // Per denomination: (sum of increases, sum of decreases) of balances and of circulating.
    let mut bal: BTreeMap<String, (u128, u128)> = BTreeMap::new();
    let mut circ: BTreeMap<String, (u128, u128)> = BTreeMap::new();
    let overflow = |d: &str| StateError::Invariant(format!("supply accounting overflow for {d}"));
    for (key, new) in writes {
        if let Some(rest) = key.strip_prefix(state_key::BALANCE_PREFIX) {
            if rest.len() <= 20 {
                continue;
            }
            let denom = String::from_utf8_lossy(&rest[20..]).into_owned();
            let old = read_u128(key, base.get_raw(key)?)?;
            let new = read_u128(key, new.clone())?;
            let e = bal.entry(denom.clone()).or_default();
            if new >= old {
                e.0 = e.0.checked_add(new - old).ok_or_else(|| overflow(&denom))?;
            } else {
                e.1 = e.1.checked_add(old - new).ok_or_else(|| overflow(&denom))?;
            }
        } else if let Some(d) = key.strip_prefix(state_key::SUPPLY_PREFIX) {
            let denom = String::from_utf8_lossy(d).into_owned();
            let old = supply(base, &denom)?;
            let mut after = BTreeMap::new();
            after.insert(key.clone(), new.clone().unwrap_or_default());
            let new = supply(&after, &denom)?;
            let e = circ.entry(denom.clone()).or_default();
            e.0 =
                e.0.checked_add(new.minted - old.minted.min(new.minted))
                    .ok_or_else(|| overflow(&denom))?;
            e.1 =
                e.1.checked_add(new.burned - old.burned.min(new.burned))
                    .ok_or_else(|| overflow(&denom))?;
        }
    }
    let denoms: std::collections::BTreeSet<&String> = bal.keys().chain(circ.keys()).collect();
    for d in denoms {
        let (bu, bd) = bal.get(d).copied().unwrap_or_default();
        let (cu, cd) = circ.get(d).copied().unwrap_or_default();
        // bu - bd == cu - cd  <=>  bu + cd == cu + bd
        let lhs = bu.checked_add(cd).ok_or_else(|| overflow(d))?;
        let rhs = cu.checked_add(bd).ok_or_else(|| overflow(d))?;
        if lhs != rhs {
            return Err(StateError::Invariant(format!(
                "supply of {d} not conserved: balances changed by +{bu}/-{bd} but minted-burned changed by +{cu}/-{cd}"
            )));
        }
    }
    Ok(())
}

/// Full supply check over every balance and supply record (genesis, audits, tests).
///
/// # Errors
/// [`StateError::Invariant`] naming the first denomination that does not add up.
pub fn check_supply_full<R: StateRead>(s: &R) -> Result<(), StateError> {
    let mut sums: BTreeMap<String, u128> = BTreeMap::new();
    let mut after: Option<Vec<u8>> = None;
    loop {
        let page = s.scan_prefix(state_key::BALANCE_PREFIX, after.as_deref(), 4096)?;
        if page.is_empty() {
            break;
        }
        for (k, v) in &page {
            let rest = &k[state_key::BALANCE_PREFIX.len()..];
            let denom = String::from_utf8_lossy(rest.get(20..).unwrap_or_default()).into_owned();
            let amount = read_u128(k, Some(v.clone()))?;
            let e = sums.entry(denom.clone()).or_default();
            *e = e.checked_add(amount).ok_or_else(|| {
                StateError::Invariant(format!("sum of {denom} balances overflows u128"))
            })?;
        }
        after = page.last().map(|(k, _)| k.clone());
    }
    let supplies = s.scan_prefix(state_key::SUPPLY_PREFIX, None, usize::MAX)?;
    let mut seen = std::collections::BTreeSet::new();
    for (k, _) in &supplies {
        let denom = String::from_utf8_lossy(&k[state_key::SUPPLY_PREFIX.len()..]).into_owned();
        let sup = supply(s, &denom)?;
        let held = sums.get(&denom).copied().unwrap_or(0);
        if sup.circulating() != Some(held) {
            return Err(StateError::Invariant(format!(
                "supply of {denom} not conserved: balances sum to {held}, minted {} burned {}",
                sup.minted, sup.burned
            )));
        }
        seen.insert(denom);
    }
    if let Some((d, held)) = sums.iter().find(|(d, _)| !seen.contains(*d)) {
        return Err(StateError::Invariant(format!(
            "{held} {d} held but never minted"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
