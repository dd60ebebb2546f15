//! Keys of the fractional-ownership component.

use crate::codec;

/// `frac/vault/{id BE}` → borsh `Vault`.
pub fn vault(id: u64) -> Vec<u8> {
    [VAULT_PREFIX, &codec::be_u64(id)].concat()
}
/// Prefix of every vault.
pub const VAULT_PREFIX: &[u8] = b"frac/vault/";
/// Last vault id.
pub const NEXT_VAULT: &[u8] = b"frac/next";

/// Name of a vault's module account (holds buyout proceeds and income).
pub fn account_name(id: u64) -> String {
    format!("vault/{id}")
}
