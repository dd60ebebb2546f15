//! Remembers txs that already passed decoding and the signature check.
//!
//! Both are pure functions of the tx bytes, so a result computed in CheckTx or
//! ProcessProposal can be reused in FinalizeBlock without affecting determinism: the cache
//! only decides whether work is redone, never what the result is.

#![allow(clippy::disallowed_types)] // lookups by hash only; never iterated, hashed or stored

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use proofwork_tx::{SignedTx, TxHash};

/// A bounded map from tx hash to its decoded, signature-checked form. When full it is
/// cleared: correctness never depends on a hit.
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

    /// The verified tx with this hash, if cached.
    pub fn get(&self, hash: &TxHash) -> Option<Arc<SignedTx>> {
        self.inner
            .lock()
            .expect("sig cache lock")
            .get(hash)
            .cloned()
    }

    /// Records a verified tx.
    pub fn insert(&self, tx: Arc<SignedTx>) {
        let mut s = self.inner.lock().expect("sig cache lock");
        if s.len() >= self.cap {
            s.clear();
        }
        s.insert(tx.hash, tx);
    }

    /// Forgets a tx (after it is committed).
    pub fn remove(&self, hash: &TxHash) {
        self.inner.lock().expect("sig cache lock").remove(hash);
    }
}
