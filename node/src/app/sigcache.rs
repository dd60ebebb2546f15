//! Remembers which tx hashes already passed decoding and signature checks.
//!
//! Signature checks are pure functions of the tx bytes, so a result computed in CheckTx or
//! ProcessProposal can be reused in FinalizeBlock without affecting determinism: the cache
//! only decides whether work is redone, never what the result is.

#![allow(clippy::disallowed_types)] // membership tests only; never iterated, hashed or stored

use std::collections::HashSet;
use std::sync::Mutex;

use proofwork_tx::TxHash;

/// A bounded set of verified tx hashes. When full it is cleared: correctness never depends
/// on a hit.
#[derive(Debug)]
pub struct SigCache {
    inner: Mutex<HashSet<TxHash>>,
    cap: usize,
}

impl SigCache {
    /// A cache holding at most `cap` hashes.
    pub fn new(cap: usize) -> Self {
        SigCache {
            inner: Mutex::new(HashSet::with_capacity(cap.min(1 << 16))),
            cap,
        }
    }

    /// Whether `hash` was verified before.
    pub fn contains(&self, hash: &TxHash) -> bool {
        self.inner.lock().expect("sig cache lock").contains(hash)
    }

    /// Records a verified hash.
    pub fn insert(&self, hash: TxHash) {
        let mut s = self.inner.lock().expect("sig cache lock");
        if s.len() >= self.cap {
            s.clear();
        }
        s.insert(hash);
    }

    /// Forgets a hash (after it is committed).
    pub fn remove(&self, hash: &TxHash) {
        self.inner.lock().expect("sig cache lock").remove(hash);
    }
}
