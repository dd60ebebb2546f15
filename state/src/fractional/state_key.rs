//! Keys of the fractional-ownership component.

/// `frac/vault/{id BE}` → borsh `Vault`.
pub fn vault(id: u64) -> Vec<u8> {
    [VAULT_PREFIX, &id.to_be_bytes()].concat()
}
/// Prefix of every vault.
pub const VAULT_PREFIX: &[u8] = b"frac/vault/";
/// Last vault id.
pub const NEXT_VAULT: &[u8] = b"frac/next";

/// Name of a vault's module account (holds buyout proceeds and income).
pub fn account_name(id: u64) -> String {
    format!("vault/{id}")
}
