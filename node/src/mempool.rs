//! The embedded engine's mempool: FIFO of checked txs, deduplicated by hash, bounded in
//! count and bytes, rechecked against fresh state after every commit.

use std::collections::{BTreeSet, VecDeque};

use proofwork_state::ExecError;
use proofwork_tx::{TxError, TxHash};

use crate::app::CheckState;

/// Mempool limits.
#[derive(Debug, Clone, Copy)]
pub struct MempoolLimits {
    /// Most txs held.
    pub max_txs: usize,
    /// Most bytes held.
    pub max_bytes: u64,
}

/// Pending txs, checked against committed state plus earlier pending txs.
pub struct Mempool {
    check: CheckState,
    txs: VecDeque<(TxHash, Vec<u8>)>,
    hashes: BTreeSet<TxHash>,
    bytes: u64,
    limits: MempoolLimits,
}

impl Mempool {
    /// An empty mempool.
    pub fn new(check: CheckState, limits: MempoolLimits) -> Self {
        Mempool {
            check,
            txs: VecDeque::new(),
            hashes: BTreeSet::new(),
            bytes: 0,
            limits,
        }
    }

    /// Number of pending txs.
    pub fn len(&self) -> usize {
        self.txs.len()
    }

    /// Whether no tx is pending.
    pub fn is_empty(&self) -> bool {
        self.txs.is_empty()
    }

    /// Checks a tx and queues it.
    ///
    /// # Errors
    /// [`TxError::MempoolFull`], [`TxError::DuplicateTx`], or the CheckTx error.
    pub fn add(&mut self, bytes: Vec<u8>) -> Result<TxHash, ExecError> {
        if self.txs.len() >= self.limits.max_txs
            || self.bytes.saturating_add(bytes.len() as u64) > self.limits.max_bytes
        {
            return Err(TxError::MempoolFull {
                size: self.txs.len() as u64,
            }
            .into());
        }
        let hash = *blake3::hash(&bytes).as_bytes();
        if self.hashes.contains(&hash) {
            return Err(TxError::DuplicateTx.into());
        }
        self.check.check(&bytes)?;
        self.bytes += bytes.len() as u64;
        self.hashes.insert(hash);
        self.txs.push_back((hash, bytes));
        Ok(hash)
    }

    /// The oldest txs, up to the limits, for the next block.
    pub fn reap(&self, max_txs: usize, max_bytes: u64) -> Vec<Vec<u8>> {
        let mut total = 0u64;
        self.txs
            .iter()
            .take(max_txs)
            .take_while(|(_, b)| {
                total = total.saturating_add(b.len() as u64);
                total <= max_bytes
            })
            .map(|(_, b)| b.clone())
            .collect()
    }

    /// After a commit: drops committed txs and rechecks the rest from fresh state,
    /// dropping those that no longer pass (e.g. a nonce used by a committed tx).
    /// Returns the hashes of the txs dropped by the recheck, with their errors.
    pub fn update(&mut self, committed: &BTreeSet<TxHash>) -> Vec<(TxHash, ExecError)> {
        self.check.reset();
        let old = std::mem::take(&mut self.txs);
        self.hashes.clear();
        self.bytes = 0;
        let mut dropped = Vec::new();
        for (hash, bytes) in old {
            if committed.contains(&hash) {
                continue;
            }
            match self.check.check(&bytes) {
                Ok(_) => {
                    self.bytes += bytes.len() as u64;
                    self.hashes.insert(hash);
                    self.txs.push_back((hash, bytes));
                }
                Err(e) => dropped.push((hash, e)),
            }
        }
        dropped
    }
}
