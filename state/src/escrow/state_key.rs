//! Keys of the oracle-escrow component.

use crate::codec;

/// `escrow/{id BE}` → borsh `Escrow`.
pub fn escrow(id: u64) -> Vec<u8> {
    [ESCROW_PREFIX, &codec::be_u64(id)].concat()
}
/// Prefix of every escrow.
pub const ESCROW_PREFIX: &[u8] = b"escrow/e/";
/// Last escrow id.
pub const NEXT_ESCROW: &[u8] = b"escrow/next";
/// Name of the module account holding escrowed deposits.
pub const ACCOUNT: &str = "escrow";
