//! Keys of the accounts component. Every key this component touches is built here.

use proofwork_tx::Address;

/// `acct/nonce/{address}` → u64 (borsh): the next nonce the account must use.
pub fn nonce(addr: &Address) -> Vec<u8> {
    [b"acct/nonce/".as_slice(), addr.as_bytes()].concat()
}

/// Prefix of every balance of one account.
pub fn balances_of(addr: &Address) -> Vec<u8> {
    [b"bank/bal/".as_slice(), addr.as_bytes()].concat()
}

/// `bank/bal/{address}{denom}` → u128 (borsh). Zero balances are deleted.
pub fn balance(addr: &Address, denom: &str) -> Vec<u8> {
    [balances_of(addr).as_slice(), denom.as_bytes()].concat()
}

/// Prefix of every balance key.
pub const BALANCE_PREFIX: &[u8] = b"bank/bal/";

/// `bank/supply/{denom}` → borsh `Supply` (minted u128 ‖ burned u128).
pub fn supply(denom: &str) -> Vec<u8> {
    [SUPPLY_PREFIX, denom.as_bytes()].concat()
}

/// Prefix of every supply record.
pub const SUPPLY_PREFIX: &[u8] = b"bank/supply/";

/// `chain/height` → u64 (borsh): the height of the block being (or last) executed.
pub const HEIGHT: &[u8] = b"chain/height";
/// `chain/time_ns` → u64 (borsh): that block's time in ns since the Unix epoch.
pub const TIME_NS: &[u8] = b"chain/time_ns";
