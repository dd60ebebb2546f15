//! Keys of the admission component. Every key it touches is built here. Values are borsh
//! (`proofwork_state::codec`); ids in keys are big-endian.
//!
//! ```text
//! val/op/{operator address}     → [u8; 32]: the ed25519 key of the validator it operates
//! val/opof/{ed25519 key}        → Address (20 B): the validator's operator
//! val/app/next                  → u64: the last application id issued (first: 1)
//! val/app/open/{id BE}          → borsh Application
//! val/app/key/{ed25519 key}     → u64: the open application about this key
//! val/app/opr/{operator}        → u64: the open admission applied for by this account
//! ```

use proofwork_state::codec;
use proofwork_tx::Address;

/// Validator operated by `operator`.
pub fn operator(operator: &Address) -> Vec<u8> {
    [b"val/op/".as_slice(), operator.as_bytes()].concat()
}

/// Operator of the validator with key `pub_key`.
pub fn operator_of(pub_key: &[u8; 32]) -> Vec<u8> {
    [b"val/opof/".as_slice(), pub_key.as_slice()].concat()
}

/// The application id counter (last id issued).
pub const NEXT_ID: &[u8] = b"val/app/next";

/// Prefix of every open application.
pub const OPEN_PREFIX: &[u8] = b"val/app/open/";

/// An open application.
pub fn open(id: u64) -> Vec<u8> {
    [OPEN_PREFIX, codec::be_u64(id).as_slice()].concat()
}

/// The open application about a key.
pub fn by_key(pub_key: &[u8; 32]) -> Vec<u8> {
    [b"val/app/key/".as_slice(), pub_key.as_slice()].concat()
}

/// The open admission applied for by an account.
pub fn by_operator(operator: &Address) -> Vec<u8> {
    [b"val/app/opr/".as_slice(), operator.as_bytes()].concat()
}
