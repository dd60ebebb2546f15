//! Keys of the admission component. Every key it touches is built here.
//!
//! ```text
//! val/op/{operator address}     → ed25519 key (32 B): the validator an account operates
//! val/opof/{ed25519 key}        → operator address (20 B)
//! val/app/next                  → u64 BE: the next application id
//! val/app/open/{id BE}          → JSON Application
//! val/app/key/{ed25519 key}     → id BE: the open application about this key
//! val/app/opr/{operator}        → id BE: the open admission applied for by this account
//! ```

use proofwork_tx::Address;

/// Validator operated by `operator`.
pub fn operator(operator: &Address) -> Vec<u8> {
    [b"val/op/".as_slice(), operator.as_bytes()].concat()
}

/// Operator of the validator with key `pub_key`.
pub fn operator_of(pub_key: &[u8; 32]) -> Vec<u8> {
    [b"val/opof/".as_slice(), pub_key.as_slice()].concat()
}

/// Next application id.
pub const NEXT_ID: &[u8] = b"val/app/next";

/// Prefix of every open application.
pub const OPEN_PREFIX: &[u8] = b"val/app/open/";

/// An open application.
pub fn open(id: u64) -> Vec<u8> {
    [OPEN_PREFIX, id.to_be_bytes().as_slice()].concat()
}

/// The open application about a key.
pub fn by_key(pub_key: &[u8; 32]) -> Vec<u8> {
    [b"val/app/key/".as_slice(), pub_key.as_slice()].concat()
}

/// The open admission applied for by an account.
pub fn by_operator(operator: &Address) -> Vec<u8> {
    [b"val/app/opr/".as_slice(), operator.as_bytes()].concat()
}
