//! The one state codec (docs/state.md): every value is borsh, every integer in a key is
//! big-endian fixed width, every id counter starts at 1. All components (accounts, assets,
//! market, …, work, admission, beacon, validators, genesis) read and write through here.
//!
//! * Values: borsh — one canonical byte string per value (integers little-endian fixed
//!   width, strings and vectors with a u32 LE length), so a value's hash in the state tree
//!   is a function of the value alone, and a client in another language needs one decoder.
//! * Keys: `{component prefix}{fields}`, integers big-endian fixed width ([`be_u64`],
//!   [`be_u32`]) so that key order is numeric order and prefix scans list by id or height.
//! * Ids: [`next_id`] hands out 1, 2, 3, …; 0 never names a record, so it can mean "none".

use borsh::{BorshDeserialize, BorshSerialize};
use proofwork_tx::TxError;

use crate::{ExecError, StateError, StateRead, StateWrite};

/// Reads and decodes a borsh value.
///
/// # Errors
/// Storage failures; [`StateError::Corrupt`] if the bytes do not decode.
pub fn get<T: BorshDeserialize, S: StateRead + ?Sized>(
    s: &S,
    key: &[u8],
) -> Result<Option<T>, StateError> {
    match s.get_raw(key)? {
        None => Ok(None),
        Some(b) => borsh::from_slice(&b)
            .map(Some)
            .map_err(|e| StateError::Corrupt {
                key: hex::encode(key),
                reason: e.to_string(),
            }),
    }
}

/// Reads a borsh value, or `T::default()` when the key is absent (counters, totals).
///
/// # Errors
/// Storage failures; [`StateError::Corrupt`] if the bytes do not decode.
pub fn get_or_default<T: BorshDeserialize + Default, S: StateRead + ?Sized>(
    s: &S,
    key: &[u8],
) -> Result<T, StateError> {
    Ok(get(s, key)?.unwrap_or_default())
}

/// Decodes a borsh value read from `key` (for values already in hand, e.g. from a scan).
///
/// # Errors
/// [`StateError::Corrupt`] if the bytes do not decode exactly.
pub fn decode<T: BorshDeserialize>(key: &[u8], bytes: &[u8]) -> Result<T, StateError> {
    borsh::from_slice(bytes).map_err(|e| StateError::Corrupt {
        key: hex::encode(key),
        reason: e.to_string(),
    })
}

/// The borsh bytes of a value.
pub fn encode<T: BorshSerialize + ?Sized>(v: &T) -> Vec<u8> {
    borsh::to_vec(v).expect("borsh serialization into a Vec cannot fail")
}

/// Encodes and writes a borsh value.
pub fn put<T: BorshSerialize + ?Sized, S: StateWrite + ?Sized>(s: &mut S, key: Vec<u8>, v: &T) {
    s.put_raw(key, encode(v));
}

/// A u64 as it appears in a key: 8 bytes big-endian (key order is numeric order).
pub const fn be_u64(v: u64) -> [u8; 8] {
    v.to_be_bytes()
}

/// A u32 as it appears in a key: 4 bytes big-endian.
pub const fn be_u32(v: u32) -> [u8; 4] {
    v.to_be_bytes()
}

/// Decodes every value under `prefix` (at most `limit`), in key order.
///
/// # Errors
/// Storage failures or corrupt values.
pub fn scan<T: BorshDeserialize, S: StateRead + ?Sized>(
    s: &S,
    prefix: &[u8],
    start_after: Option<&[u8]>,
    limit: usize,
) -> Result<Vec<(Vec<u8>, T)>, StateError> {
    s.scan_prefix(prefix, start_after, limit)?
        .into_iter()
        .map(|(k, v)| {
            let t = decode(&k, &v)?;
            Ok((k, t))
        })
        .collect()
}

/// The big-endian u64 that ends `key` right after its `prefix_len`-byte prefix (index keys
/// `{prefix}{id BE}`, as `scan_prefix` returns them).
///
/// # Errors
/// [`StateError::Corrupt`] when exactly 8 bytes do not follow the prefix.
pub fn u64_after(key: &[u8], prefix_len: usize) -> Result<u64, StateError> {
    key.get(prefix_len..)
        .and_then(|b| b.try_into().ok())
        .map(u64::from_be_bytes)
        .ok_or_else(|| StateError::Corrupt {
            key: hex::encode(key),
            reason: "expected a u64 after the key's prefix".into(),
        })
}

/// Takes the next id from the counter under `key`, which holds the last id issued
/// (borsh u64; absent = 0). Ids start at 1, so 0 means "none" everywhere.
///
/// # Errors
/// Storage failures; [`TxError::Overflow`] after 2^64 − 1 ids.
pub fn next_id<S: StateWrite + ?Sized>(s: &mut S, key: &[u8]) -> Result<u64, ExecError> {
    let last: u64 = get_or_default(s, key)?;
    let id = last.checked_add(1).ok_or_else(|| TxError::Overflow {
        what: format!("id counter {}", String::from_utf8_lossy(key)),
    })?;
    put(s, key.to_vec(), &id);
    Ok(id)
}
