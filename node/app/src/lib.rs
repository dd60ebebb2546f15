//! The application: proofwork's state machine behind ABCI, independent of which engine
//! (embedded or CometBFT) drives it. No server, CLI or clock here: the node crate adapts
//! it to ABCI, gRPC and metrics (through [`Probe`]).
//!
//! ```text
//! tx bytes -> SignedTx::decode + verify_signature   [pure; parallel; cached by hash]
//!          -> deliver_tx(&mut StateDelta)            [sequential, in block order]
//!          -> end of block: supply conservation     [violation halts the node]
//!          -> Storage::prepare -> app hash           [FinalizeBlock]
//!          -> Storage::commit (one synced batch)     [Commit]
//! ```

mod check;
pub mod events;
mod execute;
pub mod handlers;
pub mod hooks;
pub mod query;
mod sigcache;
#[cfg(any(test, feature = "test-utils"))]
pub mod testkit;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use events::IntoEvent as _;
use proofwork_consensus::beacon::{self, BeaconTx, VrfSecret};
use proofwork_consensus::work::{self, WorkCache};
use proofwork_consensus::{admission, validators};
use proofwork_genesis::{AppState, GenesisError};
use proofwork_proto::block::v1 as pb;
use proofwork_state::{
    accounts, AppHash, PreparedCommit, StateDelta, StateError, Storage, StoredHeight, WriteSet,
};
use proofwork_tx::{parse_amount, SignedTx, TxError, TxHash, TxLimits};
use prost::Message as _;
use rayon::prelude::*;

pub use check::CheckState;
pub use events::Event;
pub use execute::{charge_fee, deliver_tx, deliver_tx_with, TxOutcome};
pub use proofwork_consensus::admission::ValidatorUpdate;
pub use sigcache::SigCache;

/// Chain-wide settings every tx is checked against, read from state after genesis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainConfig {
    /// Chain id.
    pub chain_id: String,
    /// Fee denomination.
    pub native_denom: String,
    /// Minimum fee.
    pub min_fee: u128,
    /// Size limits.
    pub limits: TxLimits,
}

impl ChainConfig {
    /// Reads the config from committed state.
    ///
    /// # Errors
    /// Storage failures; `Ok(None)` before genesis.
    pub fn load(storage: &Storage) -> Result<Option<Self>, StateError> {
        if storage.latest().is_none() {
            return Ok(None);
        }
        let Some(chain_id) = proofwork_genesis::chain_id(storage)? else {
            return Ok(None);
        };
        let p = proofwork_genesis::params(storage)?;
        let min_fee = parse_amount(&p.min_fee).map_err(|e| StateError::Corrupt {
            key: "chain/params".into(),
            reason: e.to_string(),
        })?;
        Ok(Some(ChainConfig {
            chain_id,
            native_denom: p.native_denom,
            min_fee,
            limits: TxLimits {
                max_tx_bytes: p.max_tx_bytes,
                max_messages: p.max_messages,
            },
        }))
    }
}

impl ChainConfig {
    /// The limits a mempool applies: the chain's, with the operator's tx size limit when
    /// that is smaller.
    pub fn mempool_limits(&self, local_max_tx_bytes: u64) -> TxLimits {
        TxLimits {
            max_tx_bytes: self.limits.max_tx_bytes.min(local_max_tx_bytes),
            ..self.limits
        }
    }
}

/// Why the application cannot go on. Every variant is fatal for consensus: the engine
/// stops rather than commit something wrong.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Storage failed or an invariant broke.
    #[error(transparent)]
    State(#[from] StateError),
    /// Genesis is invalid.
    #[error(transparent)]
    Genesis(#[from] GenesisError),
    /// A block arrived before InitChain.
    #[error("chain not initialised: run InitChain first")]
    NotInitialized,
    /// InitChain on a chain that already has blocks, or with a different genesis.
    #[error("already initialised at height {height} with app hash {app_hash}")]
    AlreadyInitialized {
        /// Latest height.
        height: u64,
        /// Its app hash (hex).
        app_hash: String,
    },
    /// A block for the wrong height.
    #[error("block height {got} but the next height is {expected}")]
    HeightMismatch {
        /// Offered.
        got: u64,
        /// Expected.
        expected: u64,
    },
    /// Commit without FinalizeBlock.
    #[error("commit without a finalized block")]
    NothingToCommit,
    /// The engine asked for something unsupported (e.g. a non-1 initial height).
    #[error("unsupported: {0}")]
    Unsupported(String),
}

/// Everything FinalizeBlock is given.
#[derive(Debug, Clone, Default)]
pub struct BlockInput {
    /// Height.
    pub height: u64,
    /// Block time, ns since the Unix epoch.
    pub time_ns: u64,
    /// Proposer's CometBFT address.
    pub proposer: Vec<u8>,
    /// Block hash.
    pub hash: Vec<u8>,
    /// Txs in order.
    pub txs: Vec<Vec<u8>>,
}

/// What FinalizeBlock returns.
#[derive(Debug, Clone)]
pub struct BlockOutcome {
    /// Height.
    pub height: u64,
    /// Root after the block.
    pub app_hash: AppHash,
    /// One per tx.
    pub tx_results: Vec<TxOutcome>,
    /// Validator power changes made by this block (power 0 removes), ordered by key;
    /// CometBFT applies them at height + 2.
    pub validator_updates: Vec<ValidatorUpdate>,
    /// Events of the end-of-block hooks (deadline slashes, expiries, deliveries settled,
    /// bonds released, epoch power): the ABCI `FinalizeBlock` events, kept in the block
    /// record and streamed by `StreamEvents`.
    pub events: Vec<Event>,
}

struct Pending {
    outcome: BlockOutcome,
    prepared: PreparedCommit,
    /// Models the hooks asked to prefetch `B·r` for (see [`App::prefetch_br`]).
    prefetch_models: Vec<u64>,
}

/// The state machine. One instance per node, driven from a single consensus thread.
pub struct App {
    storage: Storage,
    cfg: Option<ChainConfig>,
    sigs: Arc<SigCache>,
    work: Arc<WorkCache>,
    /// Models with jobs committed in a recent block, by the height whose beacon they wait
    /// for: `B·r` is computed in the background once that beacon is on chain.
    br_pending: BTreeMap<u64, BTreeSet<u64>>,
    pending: Option<Pending>,
    vrf: Option<Arc<VrfSecret>>,
    probe: Arc<dyn Probe>,
}

/// What the application reports to the node's metrics. The app has no clock: the node
/// times the work it is handed.
pub trait Probe: Send + Sync {
    /// Runs one reveal proof check (`check` always runs exactly once), timing it.
    fn time_proof_verify(&self, check: &mut dyn FnMut()) {
        check();
    }
    /// A model's `B·r` was prefetched into the spot-check cache.
    fn br_prefetched(&self) {}
}

/// Reports nothing (tests and tools).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProbe;

impl Probe for NoProbe {}

/// Key of a block record in the aux column: `blk/{height BE}`.
pub fn block_key(height: u64) -> Vec<u8> {
    [b"blk/".as_slice(), &height.to_be_bytes()].concat()
}

/// Key of a block's height by hash in the aux column: `bhash/{hash}` → height BE.
pub fn block_hash_key(hash: &[u8]) -> Vec<u8> {
    [b"bhash/".as_slice(), hash].concat()
}

/// Key of a tx's location in the aux column: `txh/{hash}` → height BE ‖ index BE.
pub fn tx_key(hash: &TxHash) -> Vec<u8> {
    [b"txh/".as_slice(), hash.as_slice()].concat()
}

impl App {
    /// Opens the application over a store.
    ///
    /// # Errors
    /// Storage failures while reading the chain config.
    pub fn new(storage: Storage, sigs: Arc<SigCache>) -> Result<Self, AppError> {
        let cfg = ChainConfig::load(&storage)?;
        Ok(App {
            storage,
            cfg,
            sigs,
            work: Arc::new(WorkCache::default()),
            br_pending: BTreeMap::new(),
            pending: None,
            vrf: None,
            probe: Arc::new(NoProbe),
        })
    }

    /// Sends the app's measurements to `probe`.
    pub fn set_probe(&mut self, probe: Arc<dyn Probe>) {
        self.probe = probe;
    }

    /// The store.
    pub fn storage(&self) -> &Storage {
        &self.storage
    }

    /// The chain config, once genesis is applied.
    pub fn config(&self) -> Option<&ChainConfig> {
        self.cfg.as_ref()
    }

    /// Shared signature cache.
    pub fn sig_cache(&self) -> &Arc<SigCache> {
        &self.sigs
    }

    /// Last committed height and app hash (`None` before genesis).
    pub fn info(&self) -> Option<StoredHeight> {
        self.storage.latest()
    }

    /// Applies genesis as version 0 and returns its app hash. Idempotent: calling it again
    /// with the same genesis before any block returns the same hash.
    ///
    /// # Errors
    /// Invalid genesis; a different genesis or existing blocks; storage failures.
    pub fn init_chain(
        &mut self,
        chain_id: &str,
        app_state: &AppState,
    ) -> Result<AppHash, AppError> {
        let mut delta = StateDelta::new(std::collections::BTreeMap::<Vec<u8>, Vec<u8>>::new());
        app_state.apply(chain_id, &mut delta)?;
        accounts::set_block_info(&mut delta, 0, 0);
        {
            let mut full = std::collections::BTreeMap::new();
            for (k, v) in delta.writes() {
                if let Some(v) = v {
                    full.insert(k.clone(), v.clone());
                }
            }
            accounts::check_supply_full(&full)?;
        }
        if let Some(latest) = self.storage.latest() {
            let scratch = proofwork_state::genesis_root(delta.writes())?;
            if latest.height == 0 && latest.app_hash == scratch {
                return Ok(latest.app_hash);
            }
            return Err(AppError::AlreadyInitialized {
                height: latest.height,
                app_hash: hex::encode(latest.app_hash),
            });
        }
        let prepared = self
            .storage
            .prepare(0, delta.into_writes(), WriteSet::new())?;
        let stored = self.storage.commit(prepared)?;
        self.cfg = ChainConfig::load(&self.storage)?;
        Ok(stored.app_hash)
    }

    /// Decodes and checks a tx's signature, reusing an earlier check of the same bytes.
    ///
    /// # Errors
    /// The tx's stateless error.
    pub fn decode_and_verify(&self, bytes: &[u8]) -> Result<Arc<SignedTx>, TxError> {
        let cfg = self.cfg.as_ref().map(|c| c.limits).unwrap_or_default();
        decode_and_verify(&self.sigs, &cfg, bytes)
    }

    /// Sets this node's VRF key, which signs its vote extensions.
    pub fn set_vrf_secret(&mut self, secret: Arc<VrfSecret>) {
        self.vrf = Some(secret);
    }

    /// This node's VRF key, if any.
    pub fn vrf_secret(&self) -> Option<&Arc<VrfSecret>> {
        self.vrf.as_ref()
    }

    /// ExtendVote(height): this validator's VRF output and proof over
    /// `DOMAIN ‖ chain_id ‖ height` (96 bytes) from the enable height on; empty before it
    /// or without a VRF key (the network then refuses the vote, which is the operator's
    /// misconfiguration to see in the logs).
    pub fn extend_vote(&self, height: u64) -> Vec<u8> {
        let Some(cfg) = &self.cfg else {
            return vec![];
        };
        match beacon::is_vrf_height(&self.storage, height) {
            Ok(true) => {}
            Ok(false) => return vec![],
            Err(e) => {
                tracing::error!(error = %e, "storage failure in ExtendVote");
                return vec![];
            }
        }
        match &self.vrf {
            Some(k) => k.extend(&cfg.chain_id, height),
            None => {
                tracing::error!(
                    height,
                    "vote extensions are enabled but this node has no VRF key"
                );
                vec![]
            }
        }
    }

    /// VerifyVoteExtension: `true` iff `ext` is `address`'s valid VRF extension for
    /// `height` under its registered key (or empty, before the enable height).
    pub fn verify_vote_extension(&self, address: &[u8], height: u64, ext: &[u8]) -> bool {
        let Some(cfg) = &self.cfg else {
            return false;
        };
        match beacon::check_vote_extension(&self.storage, &cfg.chain_id, address, height, ext) {
            Ok(Ok(())) => true,
            Ok(Err(e)) => {
                tracing::warn!(height, address = %hex::encode(address), error = %e, "rejecting vote extension");
                false
            }
            Err(e) => {
                tracing::error!(error = %e, "storage failure in VerifyVoteExtension");
                false
            }
        }
    }

    /// The beacon tx a proposer of the next block injects from the previous height's
    /// extensions (`(validator address, extension)` of `local_last_commit`), keeping only
    /// those that verify; `None` when the next block needs none.
    pub fn beacon_tx<'a>(
        &self,
        extensions: impl IntoIterator<Item = (&'a [u8], &'a [u8])>,
    ) -> Option<Vec<u8>> {
        let cfg = self.cfg.as_ref()?;
        let latest = self.storage.latest().map_or(0, |l| l.height);
        let next = latest.saturating_add(1);
        if !beacon::requires_beacon_tx(&self.storage, next).unwrap_or(false) {
            return None;
        }
        let valid = extensions.into_iter().filter(|(a, e)| {
            matches!(
                beacon::check_vote_extension(&self.storage, &cfg.chain_id, a, latest, e),
                Ok(Ok(()))
            ) && !e.is_empty()
        });
        Some(BeaconTx::from_extensions(latest, valid).encode())
    }

    /// Chooses the txs of a proposal: those that pass the stateless checks, in order,
    /// within `max_bytes`, after the beacon tx built from `extensions` when the block needs
    /// one (see [`App::beacon_tx`]).
    pub fn prepare_proposal_with<'a>(
        &self,
        txs: Vec<Vec<u8>>,
        max_bytes: u64,
        extensions: impl IntoIterator<Item = (&'a [u8], &'a [u8])>,
    ) -> Vec<Vec<u8>> {
        self.propose(txs, max_bytes, self.beacon_tx(extensions))
    }

    /// [`App::prepare_proposal_with`] without vote extensions (chains without the VRF
    /// beacon, and tests).
    pub fn prepare_proposal(&self, txs: Vec<Vec<u8>>, max_bytes: u64) -> Vec<Vec<u8>> {
        self.propose(txs, max_bytes, self.beacon_tx([]))
    }

    /// A proposal made of `beacon` (the exact first tx, e.g. another network's, for a
    /// replay) and the user txs that pass the stateless checks within `max_bytes`.
    pub fn propose(
        &self,
        txs: Vec<Vec<u8>>,
        max_bytes: u64,
        beacon: Option<Vec<u8>>,
    ) -> Vec<Vec<u8>> {
        let ok: Vec<bool> = txs
            .par_iter()
            .map(|t| {
                self.check_stateless(t)
                    .is_ok_and(|tx| self.check_historical(&tx))
            })
            .collect();
        let mut total = beacon.as_ref().map_or(0, |b| b.len() as u64);
        // ProcessProposal refuses a tx twice in one block: never propose one.
        let mut seen = BTreeSet::new();
        beacon
            .into_iter()
            .chain(
                txs.into_iter()
                    .zip(ok)
                    .filter(|(t, ok)| *ok && seen.insert(proofwork_tx::tx_hash(t)))
                    .map(|(t, _)| t)
                    .take_while(|t| {
                        total = total.saturating_add(t.len() as u64);
                        total <= max_bytes
                    }),
            )
            .collect()
    }

    /// Accepts a proposal only if it starts with a valid beacon tx exactly when one is
    /// required (> 2/3 of the previous height's power, every proof valid, signers distinct
    /// and registered), every other tx passes the stateless checks, and every reveal of
    /// useful work in it passes the proof checks against committed state: an honest
    /// proposer never includes one that does not.
    pub fn process_proposal(&self, txs: &[Vec<u8>]) -> bool {
        let rest = match self.check_beacon_slot(txs.first()) {
            Ok(true) => &txs[1..],
            Ok(false) => txs,
            Err(e) => {
                tracing::warn!(error = %e, "rejecting a proposal: beacon tx");
                return false;
            }
        };
        // The same tx twice in one block can only be a byzantine proposer's doing (mempools
        // drop duplicates): the second copy would fail as a replay and waste the block.
        let mut seen = BTreeSet::new();
        if !rest.iter().all(|t| seen.insert(proofwork_tx::tx_hash(t))) {
            tracing::warn!("rejecting a proposal: the same tx twice");
            return false;
        }
        let decoded: Vec<Option<Arc<SignedTx>>> = rest
            .par_iter()
            .map(|t| self.check_stateless(t).ok())
            .collect();
        let Some(decoded) = decoded.into_iter().collect::<Option<Vec<_>>>() else {
            return false;
        };
        let precheck = self.reveal_precheck_mask(&decoded);
        decoded
            .par_iter()
            .zip(precheck)
            .all(|(tx, check)| !check || self.check_historical(tx))
    }

    /// Which txs of a proposal get the reveal pre-check: in block order, those whose
    /// reveals need `B·r` only for the first `max_model_beacons_per_block` distinct
    /// (model, beacon) pairs. The others are left to FinalizeBlock, which refuses a reveal
    /// on a pair beyond the limit before computing anything (`TooManyModelBeacons`): so
    /// neither step computes `B·r` for more than the limit's pairs, whatever a byzantine
    /// proposer puts in the block (docs/work.md "Validator cost").
    fn reveal_precheck_mask(&self, txs: &[Arc<SignedTx>]) -> Vec<bool> {
        let height = self
            .storage
            .latest()
            .map_or(0, |l| l.height)
            .saturating_add(1);
        let limit =
            work::params(&self.storage).map_or(0, |p| p.max_model_beacons_per_block as usize);
        let mut pairs = BTreeSet::new();
        txs.iter()
            .map(|tx| {
                let mine = handlers::work::reveal_pairs(&self.storage, tx, height);
                let new: Vec<_> = mine.iter().filter(|p| !pairs.contains(*p)).collect();
                if pairs.len() + new.len() > limit {
                    return false;
                }
                pairs.extend(mine.iter().copied());
                true
            })
            .collect()
    }

    /// `Ok(true)`: the first tx is the required, valid beacon tx; `Ok(false)`: none is
    /// required (a beacon tx anywhere then fails the stateless checks as undecodable).
    fn check_beacon_slot(&self, first: Option<&Vec<u8>>) -> Result<bool, String> {
        let latest = self.storage.latest().map_or(0, |l| l.height);
        let required = beacon::requires_beacon_tx(&self.storage, latest.saturating_add(1))
            .map_err(|e| e.to_string())?;
        if !required {
            return Ok(false);
        }
        let Some(first) = first.filter(|f| beacon::is_beacon_tx(f)) else {
            return Err(format!("missing beacon tx for height {latest}"));
        };
        self.beacon_of(first, latest)?;
        Ok(true)
    }

    /// Decodes and checks a beacon tx for `height`; returns the beacon.
    fn beacon_of(&self, bytes: &[u8], height: u64) -> Result<[u8; 32], String> {
        let cfg = self.cfg.as_ref().ok_or("not initialised")?;
        let tx = BeaconTx::decode(bytes).map_err(|e| e.to_string())?;
        beacon::check_beacon_tx(&self.storage, &cfg.chain_id, &tx, height)
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())
    }

    /// The historical checks of ProcessProposal: `false` when a message of `tx` fails its
    /// handler's [`check_historical`](handlers::Handler::check_historical) against committed
    /// state (today: a reveal whose rows or proofs fail).
    fn check_historical(&self, tx: &SignedTx) -> bool {
        let Some(cfg) = &self.cfg else {
            return true;
        };
        let height = self
            .storage
            .latest()
            .map_or(0, |l| l.height)
            .saturating_add(1);
        check_historical(
            &self.storage,
            cfg,
            tx,
            Some(self.work.as_ref()),
            self.probe.as_ref(),
            height,
        )
        .is_ok()
    }

    fn check_stateless(&self, bytes: &[u8]) -> Result<Arc<SignedTx>, TxError> {
        let tx = self.decode_and_verify(bytes)?;
        if let Some(cfg) = &self.cfg {
            tx.check_chain_id(&cfg.chain_id)?;
        }
        Ok(tx)
    }

    /// Executes a block and computes its app hash; nothing is written until [`App::commit`].
    ///
    /// # Errors
    /// Fatal conditions only (wrong height, storage failure, broken supply invariant).
    pub fn finalize_block(&mut self, input: BlockInput) -> Result<&BlockOutcome, AppError> {
        let cfg = self.cfg.clone().ok_or(AppError::NotInitialized)?;
        let latest = self.storage.latest().ok_or(AppError::NotInitialized)?;
        let expected = latest.height + 1;
        if input.height != expected {
            return Err(AppError::HeightMismatch {
                got: input.height,
                expected,
            });
        }
        // The beacon tx (ADR-006): checked again here (ProcessProposal did, but a replay
        // must reach the same state without it). If it is required and missing or bad —
        // only possible when > 1/3 of the power accepted such a proposal — the block hash
        // stands in, so that jobs waiting on this beacon are not stranded.
        let beacon_required = beacon::requires_beacon_tx(&self.storage, input.height)?;
        let beacon_slot = input
            .txs
            .first()
            .filter(|t| beacon_required && beacon::is_beacon_tx(t));
        let vrf_beacon = match beacon_slot {
            Some(t) => match self.beacon_of(t, latest.height) {
                Ok(b) => Some(b),
                Err(e) => {
                    tracing::error!(height = input.height, error = %e, "invalid beacon tx in a finalized block");
                    None
                }
            },
            None => None,
        };
        let decoded: Vec<Result<Arc<SignedTx>, TxError>> = input
            .txs
            .par_iter()
            .enumerate()
            .map(|(i, b)| {
                if i == 0 && beacon_slot.is_some() {
                    // Not a signed tx; its outcome is set below.
                    return Err(TxError::Malformed {
                        reason: String::new(),
                    });
                }
                decode_and_verify(&self.sigs, &cfg.limits, b)
            })
            .collect();
        let validators_before = validators::validators(&self.storage)?;
        let mut delta = StateDelta::new(self.storage.clone());
        accounts::set_block_info(&mut delta, input.height, input.time_ns);
        let mut tx_results = Vec::with_capacity(input.txs.len());
        if beacon_required {
            let beacon = vrf_beacon.unwrap_or_else(|| {
                let h: Result<[u8; 32], _> = input.hash.as_slice().try_into();
                h.unwrap_or_else(|_| *blake3::hash(&input.hash).as_bytes())
            });
            work::record_beacon(&mut delta, latest.height, &beacon)?;
            tracing::debug!(height = latest.height, beacon = %hex::encode(beacon), vrf = vrf_beacon.is_some(), "beacon recorded");
        }
        for (i, (bytes, d)) in input.txs.iter().zip(decoded).enumerate() {
            if i == 0 && beacon_slot.is_some() {
                let result = match vrf_beacon {
                    Some(beacon) => Ok(vec![events::BeaconEvent {
                        height: latest.height,
                        beacon,
                    }
                    .into_event()]),
                    None => Err(TxError::Malformed {
                        reason: "invalid beacon tx".into(),
                    }),
                };
                tx_results.push(TxOutcome {
                    hash: proofwork_tx::tx_hash(bytes),
                    result,
                });
                continue;
            }
            let (hash, result) = match d {
                Ok(tx) => (
                    tx.hash,
                    deliver_tx_with(&mut delta, &cfg, &tx, Some(&self.work))?,
                ),
                Err(e) => (proofwork_tx::tx_hash(bytes), Err(e)),
            };
            tx_results.push(TxOutcome { hash, result });
        }
        // End-of-block hooks, after the txs and before the supply check.
        let block = hooks::BlockCtx {
            height: input.height,
            block_hash: &input.hash,
            native_denom: &cfg.native_denom,
        };
        let mut prefetch_models = Vec::new();
        let mut block_events = Vec::new();
        for hook in hooks::END_BLOCK {
            let out = hook.end_block(&mut delta, &block)?;
            for e in &out.events {
                tracing::info!(
                    height = input.height,
                    event = e.kind,
                    attrs = ?e.attributes,
                    "{}",
                    hook.name()
                );
                block_events.push(e.clone());
            }
            prefetch_models.extend(out.prefetch_models);
        }
        let validator_updates =
            admission::validator_updates(&validators_before, &validators::validators(&delta)?);
        accounts::check_supply_delta(&self.storage, delta.writes()).map_err(|e| {
            tracing::error!(height = input.height, error = %e, "supply invariant violated; halting");
            e
        })?;
        let mut prepared =
            self.storage
                .prepare(input.height, delta.into_writes(), WriteSet::new())?;
        let record = pb::BlockRecord {
            height: input.height,
            time_ns: input.time_ns,
            proposer: input.proposer,
            block_hash: input.hash,
            results: tx_results.iter().map(TxOutcome::to_proto).collect(),
            txs: input.txs,
            app_hash: prepared.app_hash.to_vec(),
            prev_app_hash: latest.app_hash.to_vec(),
            end_block_events: block_events.clone(),
        };
        if !record.block_hash.is_empty() {
            prepared.put_aux(
                block_hash_key(&record.block_hash),
                input.height.to_be_bytes().to_vec(),
            );
        }
        prepared.put_aux(block_key(input.height), record.encode_to_vec());
        // A failed copy of a tx never repoints an existing index entry (a replay by a
        // byzantine proposer, refused with ReplayedNonce, must not hide the committed
        // success); a success always takes the entry (the same bytes may fail first without
        // using their nonce — a nonce from the future, an uncovered fee — and pass later).
        let mut indexed = BTreeSet::new();
        for (i, r) in tx_results.iter().enumerate() {
            let key = tx_key(&r.hash);
            if !indexed.insert(r.hash)
                || (r.result.is_err() && self.storage.get_aux(&key)?.is_some())
            {
                continue;
            }
            let mut loc = input.height.to_be_bytes().to_vec();
            loc.extend_from_slice(&(i as u32).to_be_bytes());
            prepared.put_aux(key, loc);
        }
        let outcome = BlockOutcome {
            height: input.height,
            app_hash: prepared.app_hash,
            tx_results,
            validator_updates,
            events: block_events,
        };
        Ok(&self
            .pending
            .insert(Pending {
                outcome,
                prepared,
                prefetch_models,
            })
            .outcome)
    }

    /// The authenticated writes of the finalized, not yet committed block (the auditor
    /// compares them with the source's state when app hashes differ).
    pub fn pending_writes(&self) -> Option<&WriteSet> {
        self.pending.as_ref().map(|p| p.prepared.writes())
    }

    /// Persists the finalized block (one synced batch) and returns the new height.
    ///
    /// # Errors
    /// [`AppError::NothingToCommit`]; storage failures (fatal).
    pub fn commit(&mut self) -> Result<(StoredHeight, BlockOutcome), AppError> {
        let Pending {
            outcome,
            prepared,
            prefetch_models,
        } = self.pending.take().ok_or(AppError::NothingToCommit)?;
        let stored = self.storage.commit(prepared)?;
        for r in &outcome.tx_results {
            self.sigs.remove(&r.hash);
        }
        self.prefetch_br(stored.height, prefetch_models);
        Ok((stored, outcome))
    }

    /// Notes the models of jobs committed in block `height` (their beacon is that of
    /// `height + 1`; the work hook reports them), and for every beacon now on chain that such
    /// jobs wait on starts computing `B·r` on the rayon pool. A cache warm-up only: the spot
    /// check computes whatever is missing itself, and the result is a pure function of
    /// (model, beacon).
    fn prefetch_br(&mut self, height: u64, models: Vec<u64>) {
        if !models.is_empty() {
            self.br_pending
                .entry(height.saturating_add(1))
                .or_default()
                .extend(models);
        }
        // This block recorded the beacon of `height` (block-hash beacon) or of `height - 1`
        // (VRF beacon); anything older that still has none never will.
        let due: Vec<u64> = self.br_pending.range(..=height).map(|(&b, _)| b).collect();
        for b in due {
            let beacon = match work::block_hash(&self.storage, b) {
                Ok(Some(beacon)) => beacon,
                Ok(None) if b.saturating_add(1) < height => {
                    self.br_pending.remove(&b);
                    continue;
                }
                Ok(None) => continue,
                Err(e) => {
                    tracing::warn!(height = b, error = %e, "B·r prefetch: cannot read beacon");
                    continue;
                }
            };
            let Some(models) = self.br_pending.remove(&b) else {
                continue;
            };
            let (storage, cache) = (self.storage.clone(), self.work.clone());
            let probe = self.probe.clone();
            rayon::spawn(move || {
                for model in models {
                    match work::verify::warm_br(&storage, model, &beacon, &cache) {
                        Ok(true) => {
                            probe.br_prefetched();
                            tracing::debug!(model, beacon_height = b, "B·r prefetched");
                        }
                        Ok(false) => {}
                        Err(e) => tracing::warn!(model, error = %e, "B·r prefetch failed"),
                    }
                }
            });
        }
    }

    /// The spot-check cache (for tests and metrics).
    pub fn work_cache(&self) -> &Arc<WorkCache> {
        &self.work
    }
}

/// Decodes and signature-checks tx bytes, through the cache. Pure: safe to call from any
/// thread before taking a lock (the mempool does, so verification runs in parallel).
///
/// # Errors
/// The tx's stateless error.
pub fn decode_and_verify(
    sigs: &SigCache,
    limits: &TxLimits,
    bytes: &[u8],
) -> Result<Arc<SignedTx>, TxError> {
    let hash = proofwork_tx::tx_hash(bytes);
    if let Some(tx) = sigs.get(&hash) {
        // Decoded under possibly other limits (a cache may outlive a limit change):
        // re-apply the cheap ones.
        if tx.size > limits.max_tx_bytes {
            return Err(TxError::TooLarge {
                size: tx.size,
                max: limits.max_tx_bytes,
            });
        }
        if tx.body.messages.len() as u64 > limits.max_messages {
            return Err(TxError::TooManyMessages {
                got: tx.body.messages.len() as u64,
                max: limits.max_messages,
            });
        }
        return Ok(tx);
    }
    let tx = SignedTx::decode_hashed(bytes, hash, limits)?;
    tx.verify_signature()?;
    for (i, msg) in tx.body.messages.iter().enumerate() {
        let ctx = handlers::StatelessCtx {
            signer: &tx.signer,
            tx_hash: tx.hash,
            msg_index: u32::try_from(i).unwrap_or(u32::MAX),
        };
        handlers::check_stateless(msg, &ctx)?;
    }
    let tx = Arc::new(tx);
    sigs.insert(tx.clone());
    Ok(tx)
}

/// Runs every message's historical check against committed state `state` for the block at
/// `height` (ProcessProposal, PrepareProposal and CheckTx).
///
/// # Errors
/// The first message's error.
pub fn check_historical<S: proofwork_state::StateRead>(
    state: &S,
    cfg: &ChainConfig,
    tx: &SignedTx,
    work: Option<&WorkCache>,
    probe: &dyn Probe,
    height: u64,
) -> Result<(), TxError> {
    for (i, msg) in tx.body.messages.iter().enumerate() {
        let hctx = handlers::HistoricalCtx {
            tx: execute::message_ctx(cfg, tx, i, work),
            height,
            probe,
        };
        handlers::check_historical(msg, state, &hctx)?;
    }
    Ok(())
}

/// Loads a block record from the log.
///
/// # Errors
/// Storage failures or an undecodable record.
pub fn load_block(storage: &Storage, height: u64) -> Result<Option<pb::BlockRecord>, StateError> {
    let key = block_key(height);
    match storage.get_aux(&key)? {
        None => Ok(None),
        Some(b) => pb::BlockRecord::decode(b.as_slice())
            .map(Some)
            .map_err(|e| StateError::Corrupt {
                key: hex::encode(key),
                reason: e.to_string(),
            }),
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod work_tests;
