//! Caches of pure spot-check results, shared by CheckTx, ProcessProposal and FinalizeBlock.
//!
//! A cache decides only whether work is redone, never what a result is: every entry is a
//! pure function of its key (`B·r` of the model and beacon; a verdict of the tx, message
//! index and [`RevealContext`]), so determinism does not depend on hits. Bounded: a full map
//! is cleared.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use proofwork_kernels::freivalds::RowChecker;
use proofwork_tx::TxError;

use super::verify::{RevealContext, Verdict};

/// `B·r` and `r` for one (model, beacon), prepared for checking rows.
pub type BrEntry = Arc<RowChecker>;

/// Weights by model id, and their total bytes.
type WeightMap = (BTreeMap<u64, Arc<Vec<i8>>>, usize);

/// Most bytes of model weights kept in memory.
pub const MAX_WEIGHT_BYTES: usize = 512 << 20;

/// Weights `B` of active models (immutable once active, so a copy never goes stale), `B·r`
/// per (model, beacon) and verdicts per (tx, message, context).
#[derive(Debug)]
pub struct WorkCache {
    weights: Mutex<WeightMap>,
    br: Mutex<BTreeMap<[u8; 32], BrEntry>>,
    verdicts: Mutex<BTreeMap<[u8; 32], Result<Verdict, TxError>>>,
    cap: usize,
}

impl Default for WorkCache {
    fn default() -> Self {
        Self::new(4096)
    }
}

impl WorkCache {
    /// A cache of at most `cap` verdicts and `cap / 64 + 1` vectors `B·r`.
    pub fn new(cap: usize) -> Self {
        WorkCache {
            weights: Mutex::new((BTreeMap::new(), 0)),
            br: Mutex::new(BTreeMap::new()),
            verdicts: Mutex::new(BTreeMap::new()),
            cap: cap.max(1),
        }
    }

    /// Key of a verdict.
    pub fn verdict_key(tx_hash: &[u8; 32], msg_index: u32, ctx: &RevealContext) -> [u8; 32] {
        let mut h = blake3::Hasher::new();
        h.update(b"proofwork/work/verdict/v1");
        h.update(tx_hash);
        h.update(&msg_index.to_be_bytes());
        h.update(&ctx.digest());
        *h.finalize().as_bytes()
    }

    /// A cached verdict.
    pub fn get_verdict(&self, key: &[u8; 32]) -> Option<Result<Verdict, TxError>> {
        self.verdicts.lock().ok()?.get(key).cloned()
    }

    /// Records a verdict.
    pub fn put_verdict(&self, key: [u8; 32], v: Result<Verdict, TxError>) {
        if let Ok(mut m) = self.verdicts.lock() {
            if m.len() >= self.cap {
                m.clear();
            }
            m.insert(key, v);
        }
    }

    /// Cached `(B·r, r)` for an `r` seed (which names the model and beacon).
    pub fn get_br(&self, r_seed: &[u8; 32]) -> Option<BrEntry> {
        self.br.lock().ok()?.get(r_seed).cloned()
    }

    /// Records `(B·r, r)`.
    pub fn put_br(&self, r_seed: [u8; 32], v: BrEntry) {
        if let Ok(mut m) = self.br.lock() {
            if m.len() > self.cap / 64 {
                m.clear();
            }
            m.insert(r_seed, v);
        }
    }

    /// The cached weights of an active model.
    pub fn get_weights(&self, model_id: u64) -> Option<Arc<Vec<i8>>> {
        self.weights.lock().ok()?.0.get(&model_id).cloned()
    }

    /// Records the weights of an *active* model (callers guarantee it: only then are they
    /// immutable).
    pub fn put_weights(&self, model_id: u64, b: Arc<Vec<i8>>) {
        if let Ok(mut g) = self.weights.lock() {
            let (map, total) = &mut *g;
            if *total + b.len() > MAX_WEIGHT_BYTES {
                map.clear();
                *total = 0;
            }
            *total += b.len();
            if let Some(old) = map.insert(model_id, b) {
                *total -= old.len();
            }
        }
    }

    /// Number of cached verdicts (for tests and metrics).
    pub fn verdict_len(&self) -> usize {
        self.verdicts.lock().map(|m| m.len()).unwrap_or(0)
    }

    /// Number of cached `B·r` vectors (for tests and metrics).
    pub fn br_len(&self) -> usize {
        self.br.lock().map(|m| m.len()).unwrap_or(0)
    }
}
