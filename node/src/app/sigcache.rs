//! Remembers the txs that already passed decoding and signature checks, decoded.
//!
//! Decoding and signature checks are pure functions of the tx bytes, so a result computed
//! in CheckTx or ProcessProposal can be reused in FinalizeBlock without affecting
//! determinism: the cache only decides whether work is redone, never what the result is.
//! Under CometBFT a tx is decoded in CheckTx, in every recheck, in Prepare/ProcessProposal
//! and in FinalizeBlock; keeping the decoded tx (not just "verified") saves the secp256k1
//! point decompression each of those would repeat.

#![allow(clippy::disallowed_types)] // lookups only; never iterated, hashed or stored

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use proofwork_tx::{SignedTx, TxHash};

/// A bounded map of verified txs by hash. When full it is cleared: correctness never
/// depends on a hit.
#[derive(Debug)]
pub struct SigCache {
    inner: Mutex<HashMap<TxHash, Arc<SignedTx>>>,
    cap: usize,
}

impl SigCache {
    /// A cache holding at most `cap` txs.
    pub fn new(cap: usize) -> Self {
        SigCache {
            inner: Mutex::new(HashMap::with_capacity(cap.min(1 << 16))),
            cap,
        }
    }

    /// Whether `hash` was verified before.
    pub fn contains(&self, hash: &TxHash) -> bool {
        self.inner
            .lock()
            .expect("sig cache lock")
            .contains_key(hash)
    }

    /// The verified, decoded tx with this hash, if cached.
    pub fn get(&self, hash: &TxHash) -> Option<Arc<SignedTx>> {
        self.inner
            .lock()
            .expect("sig cache lock")
            .get(hash)
            .cloned()
    }

    /// Records a tx whose signature verified.
    pub fn insert(&self, tx: SignedTx) {
        let mut s = self.inner.lock().expect("sig cache lock");
        if s.len() >= self.cap {
            s.clear();
        }
        s.insert(tx.hash, Arc::new(tx));
    }

    /// Forgets a hash (after it is committed).
    pub fn remove(&self, hash: &TxHash) {
        self.inner.lock().expect("sig cache lock").remove(hash);
    }
}
