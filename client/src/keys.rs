//! The raw state keys and value encodings of the accounts component, for
//! [`Client::query_state`](crate::Client::query_state) and proof checks.
//!
//! These mirror `proofwork_state::accounts::state_key` (which this crate cannot depend on
//! without linking RocksDB); a test pins them to it. Other components' keys are listed in
//! their `state_key.rs` in the `state` crate.

use proofwork_tx::Address;

/// `acct/nonce/{address}` → u64 borsh (8 bytes little-endian): the next nonce the account
/// must use (absent = 0).
pub fn nonce(addr: &Address) -> Vec<u8> {
    [b"acct/nonce/".as_slice(), addr.as_bytes()].concat()
}

/// `bank/bal/{address}{denom}` → u128 borsh (16 bytes little-endian). Zero balances are
/// absent.
pub fn balance(addr: &Address, denom: &str) -> Vec<u8> {
    [b"bank/bal/".as_slice(), addr.as_bytes(), denom.as_bytes()].concat()
}

/// Decodes a balance value (`None` = absent = 0); `None` if it is not 16 bytes.
pub fn decode_balance(value: Option<&[u8]>) -> Option<u128> {
    match value {
        None => Some(0),
        Some(v) => v.try_into().ok().map(u128::from_le_bytes),
    }
}

/// Decodes a nonce value (`None` = absent = 0); `None` if it is not 8 bytes.
pub fn decode_nonce(value: Option<&[u8]>) -> Option<u64> {
    match value {
        None => Some(0),
        Some(v) => v.try_into().ok().map(u64::from_le_bytes),
    }
}

#[cfg(test)]
mod tests {
    use proofwork_state::accounts::state_key;

    use super::*;

    #[test]
    fn keys_match_the_state_crate() {
        let a = Address([7; 20]);
        assert_eq!(nonce(&a), state_key::nonce(&a));
        assert_eq!(balance(&a, "upw"), state_key::balance(&a, "upw"));
    }

    #[test]
    fn decoders_read_what_the_state_codec_writes() {
        let v = 0x0102_0304_0506_0708_090a_0b0c_0d0e_0f10_u128;
        let bytes = proofwork_state::codec::encode(&v);
        assert_eq!(decode_balance(Some(&bytes)), Some(v));
        let n = 0x0102_0304_0506_0708_u64;
        assert_eq!(
            decode_nonce(Some(&proofwork_state::codec::encode(&n))),
            Some(n)
        );
    }

    #[test]
    fn decoders_reject_wrong_lengths() {
        assert_eq!(decode_balance(None), Some(0));
        assert_eq!(decode_balance(Some(&5u128.to_le_bytes())), Some(5));
        assert_eq!(decode_balance(Some(&[1, 2])), None);
        assert_eq!(decode_nonce(Some(&9u64.to_le_bytes())), Some(9));
        assert_eq!(decode_nonce(Some(&[0; 16])), None);
    }
}
