//! Encoding helpers shared by the ledger components: borsh values (a fixed, canonical
//! encoding: one byte string per value) and per-component id counters.

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

/// Encodes and writes a borsh value.
pub fn put<T: BorshSerialize, S: StateWrite + ?Sized>(s: &mut S, key: Vec<u8>, v: &T) {
    s.put_raw(
        key,
        borsh::to_vec(v).expect("borsh serialization into a Vec cannot fail"),
    );
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
            let t = borsh::from_slice(&v).map_err(|e| StateError::Corrupt {
                key: hex::encode(&k),
                reason: e.to_string(),
            })?;
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

/// Takes the next id from the counter under `key` (ids start at 1, so 0 means "none").
///
/// # Errors
/// Storage failures; [`TxError::Overflow`] after 2^64 − 1 ids.
pub fn next_id<S: StateWrite + ?Sized>(s: &mut S, key: &[u8]) -> Result<u64, ExecError> {
    let last: u64 = get(s, key)?.unwrap_or(0);
    let id = last.checked_add(1).ok_or_else(|| TxError::Overflow {
        what: format!("id counter {}", String::from_utf8_lossy(key)),
    })?;
    put(s, key.to_vec(), &id);
    Ok(id)
}
