//! Clients waiting for their txs to commit, woken when the block holding them commits: one
//! registry for both engines (the embedded engine's block loop and, under CometBFT, the ABCI
//! app's Commit).

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use proofwork_proto::block::v1 as pb;
use proofwork_tx::TxHash;
use tokio::sync::oneshot;

use crate::app::TxOutcome;

/// A committed tx, as reported to a waiting client.
#[derive(Debug, Clone)]
pub struct CommittedTx {
    /// Height.
    pub height: u64,
    /// Position in the block.
    pub index: u32,
    /// Result.
    pub result: pb::TxResult,
}

/// Parties waiting for txs to commit, by tx hash.
#[derive(Debug, Default)]
pub struct CommitWaiters {
    waiters: Mutex<BTreeMap<TxHash, Vec<oneshot::Sender<CommittedTx>>>>,
}

impl CommitWaiters {
    /// The map. Every update leaves it consistent, so a panic elsewhere while it was held
    /// (a poisoned lock) leaves nothing to repair.
    fn map(&self) -> MutexGuard<'_, BTreeMap<TxHash, Vec<oneshot::Sender<CommittedTx>>>> {
        self.waiters.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Registers interest in `hash` (before submitting, so a fast commit is not missed).
    pub fn register(&self, hash: TxHash) -> oneshot::Receiver<CommittedTx> {
        let (tx, rx) = oneshot::channel();
        self.map().entry(hash).or_default().push(tx);
        rx
    }

    /// Drops the waiters of `hash` whose receivers are gone (the caller drops its own first):
    /// others may wait on the same tx — a re-submission of a pending tx must not cancel the
    /// first submitter's wait.
    pub fn forget_abandoned(&self, hash: &TxHash) {
        let mut waiters = self.map();
        if let Some(list) = waiters.get_mut(hash) {
            list.retain(|w| !w.is_closed());
            if list.is_empty() {
                waiters.remove(hash);
            }
        }
    }

    /// Drops every waiter of `hash` (a tx that will never commit: its receivers see the
    /// channel close).
    pub fn forget(&self, hash: &TxHash) {
        self.map().remove(hash);
    }

    /// Wakes the waiters of every tx of the block committed at `height`.
    pub fn notify(&self, height: u64, results: &[TxOutcome]) {
        let mut waiters = self.map();
        if waiters.is_empty() {
            return;
        }
        for (i, r) in results.iter().enumerate() {
            if let Some(ws) = waiters.remove(&r.hash) {
                let c = CommittedTx {
                    height,
                    index: i as u32,
                    result: r.to_proto(),
                };
                for w in ws {
                    let _ = w.send(c.clone());
                }
            }
        }
    }

    /// A guard that withdraws this caller's waiter for `hash` when dropped. Declared before
    /// the receiver, it drops after it on every exit — a refusal, a timeout, or the call
    /// being cancelled mid-wait — so the waiter never outlives the call.
    pub fn withdraw_on_drop(&self, hash: TxHash) -> Withdraw<'_> {
        Withdraw {
            waiters: self,
            hash,
        }
    }
}

/// See [`CommitWaiters::withdraw_on_drop`].
#[derive(Debug)]
pub struct Withdraw<'a> {
    waiters: &'a CommitWaiters,
    hash: TxHash,
}

impl Drop for Withdraw<'_> {
    fn drop(&mut self) {
        self.waiters.forget_abandoned(&self.hash);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A second submission of a pending tx that is refused withdraws only its own waiter: the
    /// first submitter still learns of the commit.
    #[test]
    fn a_refused_resubmission_leaves_the_first_waiter() {
        let waiters = CommitWaiters::default();
        let hash = [7; 32];
        let first = waiters.register(hash);
        let second = waiters.register(hash);
        drop(second);
        waiters.forget_abandoned(&hash);
        waiters.notify(
            5,
            &[TxOutcome {
                hash,
                result: Ok(Vec::new()),
            }],
        );
        let committed = first.blocking_recv().expect("the first waiter is woken");
        assert_eq!(committed.height, 5);
        // A call that ends (or is cancelled) while waiting leaves nothing behind: its
        // receiver drops before its `Withdraw` guard.
        {
            let _withdraw = waiters.withdraw_on_drop([9; 32]);
            let _rx = waiters.register([9; 32]);
        }
        assert!(!waiters.map().contains_key(&[9; 32]));
        // Once every waiter is gone, the entry goes too.
        let third = waiters.register(hash);
        drop(third);
        waiters.forget_abandoned(&hash);
        assert!(waiters.map().is_empty());
    }
}
