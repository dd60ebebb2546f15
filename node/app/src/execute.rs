//! Executing one tx against the block's state: the deterministic heart of the chain.

use proofwork_consensus::work::WorkCache;
use proofwork_proto::block::v1 as pb;
use proofwork_state::{accounts, attempt, ExecError, StateWrite};
use proofwork_tx::{SignedTx, TxError};

use crate::events::Event;
use crate::handlers::{execute_message, Ctx};
use crate::ChainConfig;

/// What a tx did: success with events, or a deterministic error.
#[derive(Debug, Clone, PartialEq)]
pub struct TxOutcome {
    /// BLAKE3 of the tx bytes.
    pub hash: [u8; 32],
    /// Ok with events, or the tx's error.
    pub result: Result<Vec<Event>, TxError>,
}

impl TxOutcome {
    /// The block-log form.
    pub fn to_proto(&self) -> pb::TxResult {
        match &self.result {
            Ok(events) => pb::TxResult {
                code: 0,
                log: String::new(),
                events: events.clone(),
                hash: self.hash.to_vec(),
                codespace: String::new(),
            },
            Err(e) => pb::TxResult {
                code: e.code(),
                log: e.to_string(),
                events: vec![],
                hash: self.hash.to_vec(),
                codespace: e.codespace_name().to_string(),
            },
        }
    }
}

/// Executes a decoded, signature-checked tx.
///
/// Order: chain id, minimum fee, nonce, fee (burned). Up to there a failure leaves no
/// trace. After the fee is paid, the messages run in a child overlay: if any fails, the
/// child is dropped but the nonce and fee stay spent, so a failing tx cannot be replayed
/// and still pays for its block space.
///
/// # Errors
/// Only [`ExecError::State`] (fatal). A tx error is returned inside the `Ok` outcome.
pub fn deliver_tx<S: StateWrite>(
    state: &mut S,
    cfg: &ChainConfig,
    tx: &SignedTx,
) -> Result<Result<Vec<Event>, TxError>, proofwork_state::StateError> {
    deliver_tx_with(state, cfg, tx, None)
}

/// [`deliver_tx`] with a spot-check cache (reuses ProcessProposal's reveal verdicts and
/// `B·r` vectors; the results are the same with or without it).
///
/// # Errors
/// Only [`ExecError::State`] (fatal).
pub fn deliver_tx_with<S: StateWrite>(
    state: &mut S,
    cfg: &ChainConfig,
    tx: &SignedTx,
    work_cache: Option<&WorkCache>,
) -> Result<Result<Vec<Event>, TxError>, proofwork_state::StateError> {
    if let Err(e) = attempt(state, |charge| charge_fee(charge, cfg, tx))? {
        return Ok(Err(e));
    }
    // All messages or none.
    attempt(state, |exec| {
        tx.body
            .messages
            .iter()
            .enumerate()
            .map(|(i, msg)| execute_message(msg, exec, &message_ctx(cfg, tx, i, work_cache)))
            .collect()
    })
}

/// The checks and charges that happen before any message runs; shared with CheckTx.
///
/// # Errors
/// Wrong chain id, fee below minimum, bad nonce, fee not covered.
pub fn charge_fee<S: StateWrite>(
    state: &mut S,
    cfg: &ChainConfig,
    tx: &SignedTx,
) -> Result<(), ExecError> {
    tx.check_chain_id(&cfg.chain_id)?;
    if tx.body.fee < cfg.min_fee {
        return Err(TxError::FeeTooLow {
            got: tx.body.fee,
            min: cfg.min_fee,
        }
        .into());
    }
    accounts::use_nonce(state, &tx.signer, tx.body.nonce)?;
    if tx.body.fee > 0 {
        accounts::burn(state, &tx.signer, &cfg.native_denom, tx.body.fee)?;
    }
    Ok(())
}

/// The context of message `index` of `tx`.
pub(crate) fn message_ctx<'a>(
    cfg: &'a ChainConfig,
    tx: &'a SignedTx,
    index: usize,
    work_cache: Option<&'a WorkCache>,
) -> Ctx<'a> {
    Ctx {
        signer: &tx.signer,
        chain_id: &tx.body.chain_id,
        native_denom: &cfg.native_denom,
        tx_hash: tx.hash,
        msg_index: u32::try_from(index).unwrap_or(u32::MAX),
        work_cache,
        max_tx_bytes: cfg.limits.max_tx_bytes,
    }
}
