//! CheckTx: the mempool's view of state.
//!
//! Size, decoding, signature, every message's historical check against committed state,
//! chain id, minimum fee, nonce and that the fee is covered, then the tx's messages, against committed state plus the txs already accepted since the
//! last commit (so one account can queue nonces n, n+1, … before a block, and a transfer the
//! sender cannot cover is refused before it costs a fee). A reveal's spot check runs with the
//! application's cache, so CheckTx, ProcessProposal and FinalizeBlock check it once. It runs
//! concurrently with FinalizeBlock on its own overlay, which is reset after each Commit.

use std::sync::Arc;

use proofwork_consensus::work::WorkCache;
use proofwork_state::{ExecError, StateDelta, Storage};
use proofwork_tx::SignedTx;

use crate::{check_historical, decode_and_verify, deliver_tx_with, ChainConfig, NoProbe, SigCache};

/// Mempool-side state.
pub struct CheckState {
    storage: Storage,
    cfg: ChainConfig,
    sigs: Arc<SigCache>,
    delta: StateDelta<Storage>,
    local_max_tx_bytes: u64,
    /// The application's spot-check cache: a reveal checked here reads `B` and computes
    /// `B·r` once per (model, beacon), not once per CheckTx (nothing is charged for a refused
    /// tx, so an uncached check would let anyone make the node re-read a model for free), and
    /// ProcessProposal reuses the verdict.
    work: Option<Arc<WorkCache>>,
}

impl CheckState {
    /// A check state over the latest committed state. `local_max_tx_bytes` lets an
    /// operator accept less than the chain allows.
    pub fn new(
        storage: Storage,
        cfg: ChainConfig,
        sigs: Arc<SigCache>,
        local_max_tx_bytes: u64,
    ) -> Self {
        let delta = StateDelta::new(storage.clone());
        CheckState {
            storage,
            cfg,
            sigs,
            delta,
            local_max_tx_bytes,
            work: None,
        }
    }

    /// Shares the application's spot-check cache (see [`crate::App::work_cache`]).
    pub fn with_work_cache(mut self, work: Arc<WorkCache>) -> Self {
        self.work = Some(work);
        self
    }

    /// The chain config.
    pub fn config(&self) -> &ChainConfig {
        &self.cfg
    }

    /// Checks a tx and, when it passes, records its nonce and fee in the overlay.
    ///
    /// # Errors
    /// The tx's error, or a storage failure.
    pub fn check(&mut self, bytes: &[u8]) -> Result<Arc<SignedTx>, ExecError> {
        let limits = self.cfg.mempool_limits(self.local_max_tx_bytes);
        let tx = decode_and_verify(&self.sigs, &limits, bytes)?;
        let height = self
            .storage
            .latest()
            .map_or(0, |l| l.height)
            .saturating_add(1);
        check_historical(
            &self.storage,
            &self.cfg,
            &tx,
            self.work.as_deref(),
            &NoProbe,
            height,
        )?;
        let writes = {
            let mut d = StateDelta::new(&self.delta);
            deliver_tx_with(&mut d, &self.cfg, &tx, self.work.as_deref())??;
            d.into_writes()
        };
        self.delta.apply(writes);
        Ok(tx)
    }

    /// Drops the overlay after a commit: checks start again from committed state.
    pub fn reset(&mut self) {
        self.delta = StateDelta::new(self.storage.clone());
    }
}
