//! The embedded engine: one in-process validator that drives
//! PrepareProposal → ProcessProposal → FinalizeBlock → Commit on a timer, through the same
//! [`App`] that serves CometBFT. Zero external processes.
// The engine is the clock of a single-node chain (the role CometBFT's proposer plays), so it
// reads the wall clock for block times and pacing; the state machine never does.
#![allow(clippy::disallowed_methods)]

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use proofwork_state::{ExecError, Storage};
use proofwork_tx::TxHash;
use tokio::sync::{broadcast, oneshot};

use crate::app::{App, AppError, BlockInput, ChainConfig, CheckState, TxOutcome};
use crate::mempool::{Mempool, MempoolLimits};
use crate::waiters::CommitWaiters;

/// Engine settings.
#[derive(Debug, Clone, Copy)]
pub struct EngineConfig {
    /// Time between blocks.
    pub block_interval: Duration,
    /// Most txs per block.
    pub max_block_txs: usize,
    /// Most tx bytes per block.
    pub max_block_bytes: u64,
    /// Mempool limits.
    pub mempool: MempoolLimits,
    /// Operator's tx size limit (at most the chain's).
    pub local_max_tx_bytes: u64,
}

pub use crate::waiters::CommittedTx;

/// A committed block, as broadcast to subscribers.
#[derive(Debug, Clone)]
pub struct BlockSummary {
    /// Height.
    pub height: u64,
    /// Block time (ns).
    pub time_ns: u64,
    /// App hash after the block.
    pub app_hash: [u8; 32],
    /// Txs in the block.
    pub num_txs: usize,
    /// Of which failed.
    pub num_failed: usize,
    /// Wall time spent in FinalizeBlock + Commit (ms).
    pub exec_ms: u64,
}

/// A running single-node chain.
pub struct Node {
    app: Mutex<App>,
    mempool: Mutex<Mempool>,
    storage: Storage,
    cfg: ChainConfig,
    engine: EngineConfig,
    waiters: CommitWaiters,
    blocks: broadcast::Sender<Arc<BlockSummary>>,
    last: Mutex<(u64, [u8; 32])>,
    sigs: Arc<crate::app::SigCache>,
    /// The application's spot-check cache, shared with CheckTx and Simulate.
    work: Arc<proofwork_consensus::work::WorkCache>,
}

impl Node {
    /// Wraps an initialised application.
    ///
    /// # Errors
    /// [`AppError::NotInitialized`] before genesis.
    pub fn new(app: App, engine: EngineConfig) -> Result<Arc<Self>, AppError> {
        let cfg = app.config().cloned().ok_or(AppError::NotInitialized)?;
        let storage = app.storage().clone();
        let app_sigs = app.sig_cache().clone();
        let work = app.work_cache().clone();
        let check = CheckState::new(
            storage.clone(),
            cfg.clone(),
            app.sig_cache().clone(),
            engine.local_max_tx_bytes,
        )
        .with_work_cache(work.clone());
        let last_time = proofwork_state::accounts::block_time_ns(&storage)?;
        let last_hash = match storage.latest() {
            Some(l) if l.height > 0 => crate::app::load_block(&storage, l.height)?
                .and_then(|b| b.block_hash.try_into().ok())
                .unwrap_or([0; 32]),
            _ => [0; 32],
        };
        let (blocks, _) = broadcast::channel(1024);
        Ok(Arc::new(Node {
            app: Mutex::new(app),
            mempool: Mutex::new(Mempool::new(check, engine.mempool)),
            storage,
            cfg,
            engine,
            waiters: CommitWaiters::default(),
            blocks,
            last: Mutex::new((last_time, last_hash)),
            sigs: app_sigs,
            work,
        }))
    }

    /// The store (for queries).
    pub fn storage(&self) -> &Storage {
        &self.storage
    }

    /// The chain config.
    pub fn config(&self) -> &ChainConfig {
        &self.cfg
    }

    /// Pending tx count.
    pub fn mempool_size(&self) -> usize {
        self.mempool.lock().expect("mempool lock").len()
    }

    /// Subscribes to committed blocks.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<BlockSummary>> {
        self.blocks.subscribe()
    }

    /// Checks a tx and adds it to the mempool. With `wait`, also returns a receiver that
    /// resolves when the tx is committed.
    ///
    /// # Errors
    /// The CheckTx error.
    pub fn submit(
        &self,
        bytes: Vec<u8>,
        wait: bool,
    ) -> Result<(TxHash, Option<oneshot::Receiver<CommittedTx>>), ExecError> {
        // Decode and verify outside the mempool lock, so that concurrent submissions verify
        // signatures on every core; the locked check below then hits the cache.
        let limits = self.cfg.mempool_limits(self.engine.local_max_tx_bytes);
        let tx = crate::app::decode_and_verify(&self.sigs, &limits, &bytes)?;
        let hash = tx.hash;
        // Register before queueing, so a commit between the two cannot be missed.
        let rx = wait.then(|| self.waiters.register(hash));
        let res = self.mempool.lock().expect("mempool lock").add(bytes);
        if let Err(e) = res {
            if let Some(rx) = rx {
                // Withdraw this call's waiter only: the same tx may be pending already (this
                // error is then DuplicateTx), and its first submitter still waits for it.
                drop(rx);
                self.waiters.forget_abandoned(&hash);
            }
            return Err(e);
        }
        Ok((hash, rx))
    }

    /// Runs a tx against the latest committed state without keeping anything.
    ///
    /// # Errors
    /// Storage failures only; the tx's own error is in the outcome.
    pub fn simulate(
        &self,
        bytes: &[u8],
    ) -> Result<(TxOutcome, u128, u64), proofwork_state::StateError> {
        let latest = self.storage.latest().map_or(0, |l| l.height);
        let hash = *blake3::hash(bytes).as_bytes();
        let tx = match crate::app::decode_and_verify(&self.sigs, &self.cfg.limits, bytes) {
            Ok(tx) => tx,
            Err(e) => {
                return Ok((
                    TxOutcome {
                        hash,
                        result: Err(e),
                    },
                    0,
                    latest,
                ))
            }
        };
        let mut delta = proofwork_state::StateDelta::new(self.storage.clone());
        let time = proofwork_state::accounts::block_time_ns(&self.storage)?;
        proofwork_state::accounts::set_block_info(&mut delta, latest + 1, time.saturating_add(1));
        let result = crate::app::deliver_tx_with(&mut delta, &self.cfg, &tx, Some(&self.work))?;
        Ok((TxOutcome { hash, result }, tx.body.fee, latest))
    }

    /// Produces, executes and commits one block at `time_ns`.
    ///
    /// # Errors
    /// Fatal application errors: the caller must stop the engine.
    pub fn produce_block(&self, time_ns: u64) -> Result<Arc<BlockSummary>, AppError> {
        self.produce_block_as(time_ns, None, None)
    }

    /// Like [`Node::produce_block`], but with a block hash and a beacon tx given from
    /// outside — to re-run another engine's blocks (a CometBFT network's) with the exact
    /// same inputs. Both feed the work beacon, so they are part of what makes a block.
    ///
    /// Otherwise the engine plays CometBFT's vote-extension round itself: it is the only
    /// voter, so right before proposing height `h` it "extends its vote" on `h − 1`
    /// ([`App::extend_vote`]) and passes that single extension to the proposal as its
    /// `local_last_commit` (ADR-006). This needs the node's VRF key and its validator
    /// holding > 2/3 of the power, as the single genesis validator does.
    ///
    /// # Errors
    /// Fatal application errors.
    pub fn produce_block_as(
        &self,
        time_ns: u64,
        block_hash: Option<[u8; 32]>,
        beacon_tx: Option<Vec<u8>>,
    ) -> Result<Arc<BlockSummary>, AppError> {
        let txs = self
            .mempool
            .lock()
            .expect("mempool lock")
            .reap(self.engine.max_block_txs, self.engine.max_block_bytes);
        let mut app = self.app.lock().expect("app lock");
        let height = app.info().map_or(1, |l| l.height + 1);
        let beacon_tx = match beacon_tx {
            Some(b) => Some(b),
            None => {
                let own = local_validator_address(&app)?;
                let ext = app.extend_vote(height.saturating_sub(1));
                app.beacon_tx(own.as_ref().map(|a| (a.as_slice(), ext.as_slice())))
            }
        };
        let txs = app.propose(txs, self.engine.max_block_bytes, beacon_tx);
        if !app.process_proposal(&txs) {
            // Our own proposal failing our own checks is a bug, not a tx's fault.
            return Err(AppError::Unsupported(
                "own proposal rejected by ProcessProposal (the embedded engine is the only \
                 voter: its validator must hold > 2/3 of the power for the VRF beacon; run a \
                 network with admitted validators under CometBFT)"
                    .into(),
            ));
        }
        let (prev_time, prev_hash) = *self.last.lock().expect("last lock");
        let time_ns = time_ns.max(prev_time.saturating_add(1));
        let hash =
            block_hash.unwrap_or_else(|| self::block_hash(height, time_ns, &prev_hash, &txs));
        let started = std::time::Instant::now();
        let input = BlockInput {
            height,
            time_ns,
            proposer: vec![0; 20],
            hash: hash.to_vec(),
            txs,
        };
        app.finalize_block(input)?;
        let (stored, outcome) = app.commit()?;
        drop(app);
        let exec_ms = started.elapsed().as_millis() as u64;
        *self.last.lock().expect("last lock") = (time_ns, hash);
        let committed: BTreeSet<TxHash> = outcome.tx_results.iter().map(|r| r.hash).collect();
        let dropped = self
            .mempool
            .lock()
            .expect("mempool lock")
            .update(&committed);
        self.notify(stored.height, &outcome.tx_results, dropped);
        let summary = Arc::new(BlockSummary {
            height: stored.height,
            time_ns,
            app_hash: stored.app_hash,
            num_txs: outcome.tx_results.len(),
            num_failed: outcome
                .tx_results
                .iter()
                .filter(|r| r.result.is_err())
                .count(),
            exec_ms,
        });
        crate::metrics::observe_block(
            summary.height,
            summary.num_txs,
            summary.num_failed,
            started.elapsed().as_secs_f64(),
            Some(self.mempool_size()),
        );
        let _ = self.blocks.send(summary.clone());
        Ok(summary)
    }

    fn notify(&self, height: u64, results: &[TxOutcome], dropped: Vec<(TxHash, ExecError)>) {
        self.waiters.notify(height, results);
        // Txs dropped on recheck will never commit: wake their waiters with nothing.
        for (hash, _) in dropped {
            self.waiters.forget(&hash);
        }
    }

    /// Runs the block loop until `stop` is set or a fatal error occurs.
    ///
    /// # Errors
    /// The fatal error that stopped the chain.
    pub fn run(&self, stop: &AtomicBool) -> Result<(), AppError> {
        let interval = self.engine.block_interval;
        let mut next = std::time::Instant::now() + interval;
        while !stop.load(Ordering::Relaxed) {
            let now = std::time::Instant::now();
            if now < next {
                std::thread::sleep((next - now).min(Duration::from_millis(50)));
                continue;
            }
            next += interval;
            if next < now {
                next = now + interval;
            }
            let b = self.produce_block(wall_clock_ns())?;
            tracing::info!(
                height = b.height,
                txs = b.num_txs,
                failed = b.num_failed,
                app_hash = %hex::encode(b.app_hash),
                exec_ms = b.exec_ms,
                "committed block"
            );
        }
        Ok(())
    }
}

/// The CometBFT address of the validator whose registered VRF key is this node's.
fn local_validator_address(app: &App) -> Result<Option<[u8; 20]>, AppError> {
    let Some(secret) = app.vrf_secret() else {
        return Ok(None);
    };
    let public = secret.public();
    for v in proofwork_consensus::validators::validators(app.storage())? {
        if proofwork_consensus::beacon::vrf_key(app.storage(), &v.pub_key)? == Some(public) {
            return Ok(Some(v.address()));
        }
    }
    Ok(None)
}

/// The proposer's clock: the embedded engine plays CometBFT's role of timestamping blocks
/// (never read inside the state machine, which sees only the block's time).
pub fn wall_clock_ns() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0)
}

/// Hash of an embedded-engine block header: height, time, previous hash and the txs.
pub fn block_hash(height: u64, time_ns: u64, prev: &[u8; 32], txs: &[Vec<u8>]) -> [u8; 32] {
    let mut h = blake3::Hasher::new();
    h.update(b"proofwork/block/v1");
    h.update(&height.to_be_bytes());
    h.update(&time_ns.to_be_bytes());
    h.update(prev);
    for t in txs {
        h.update(blake3::hash(t).as_bytes());
    }
    *h.finalize().as_bytes()
}

/// Stops a running engine on Ctrl-C.
pub fn stop_flag() -> Arc<AtomicBool> {
    Arc::new(AtomicBool::new(false))
}
