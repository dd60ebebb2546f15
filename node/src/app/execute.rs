//! Executing one tx against the block's state: the deterministic heart of the chain.

use proofwork_consensus::admission;
use proofwork_consensus::work::{self, WorkCache};
use proofwork_proto::block::v1 as pb;
use proofwork_state::{accounts, assets, attempt, ExecError, StateWrite};
use proofwork_tx::{Message, SignedTx, TxError};

use super::ChainConfig;

/// An event emitted by a tx.
pub type Event = pb::Event;

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
                codespace: e.codespace().to_string(),
            },
        }
    }
}

pub(crate) fn event(kind: &str, attrs: &[(&str, String)]) -> Event {
    Event {
        kind: kind.to_string(),
        attributes: attrs
            .iter()
            .map(|(k, v)| pb::Attribute {
                key: (*k).to_string(),
                value: v.clone(),
            })
            .collect(),
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
            .map(|(i, msg)| {
                let env = work::WorkEnv {
                    native_denom: &cfg.native_denom,
                    cache: work_cache,
                    tx_hash: tx.hash,
                    msg_index: i as u32,
                };
                execute_message(exec, &env, tx, msg)
            })
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

fn execute_message<S: StateWrite>(
    state: &mut S,
    env: &work::WorkEnv<'_>,
    tx: &SignedTx,
    msg: &Message,
) -> Result<Event, ExecError> {
    // Useful-work messages (fields 60–79) are handled by their component.
    if let Some((kind, attrs)) = work::execute(state, env, &tx.signer, msg)? {
        let attrs: Vec<(&str, String)> = attrs;
        return Ok(event(kind, &attrs));
    }
    match msg {
        Message::Transfer { to, denom, amount } => {
            // Frozen classes and sales-only assets (royalty enforcement) never move by a
            // plain transfer.
            assets::check_free_transfer(state, denom)?;
            accounts::transfer(state, &tx.signer, to, denom, *amount)?;
            Ok(event(
                "transfer",
                &[
                    ("sender", tx.signer.to_string()),
                    ("recipient", to.to_string()),
                    ("denom", denom.clone()),
                    ("amount", amount.to_string()),
                ],
            ))
        }
        // The tx's chain id is the chain's (checked with the fee).
        Message::Asset(m) => super::assets::execute(state, &tx.signer, &tx.body.chain_id, m),
        Message::ApplyValidator {
            consensus_pubkey,
            moniker,
            vrf_pubkey,
        } => {
            let height = accounts::block_height(state)?;
            let id = admission::apply(
                state,
                &tx.signer,
                consensus_pubkey,
                moniker,
                vrf_pubkey,
                height,
            )?;
            Ok(event(
                "validator_application",
                &[
                    ("application_id", id.to_string()),
                    ("kind", "admit".into()),
                    ("consensus_pubkey", hex::encode(consensus_pubkey)),
                    ("operator", tx.signer.to_string()),
                    ("status", admission::Status::Pending.as_str().into()),
                ],
            ))
        }
        Message::VoteValidator {
            application_id,
            approve,
        } => {
            let status = admission::vote(state, &tx.signer, *application_id, *approve)?;
            Ok(event(
                "validator_vote",
                &[
                    ("application_id", application_id.to_string()),
                    ("voter", tx.signer.to_string()),
                    ("approve", approve.to_string()),
                    ("status", status.as_str().into()),
                ],
            ))
        }
        Message::ProposeRemoval { consensus_pubkey } => {
            let height = accounts::block_height(state)?;
            let (id, status) =
                admission::propose_removal(state, &tx.signer, consensus_pubkey, height)?;
            Ok(event(
                "validator_application",
                &[
                    ("application_id", id.to_string()),
                    ("kind", "remove".into()),
                    ("consensus_pubkey", hex::encode(consensus_pubkey)),
                    ("operator", tx.signer.to_string()),
                    ("status", status.as_str().into()),
                ],
            ))
        }
        other => Err(ExecError::Tx(TxError::UnknownMessage {
            index: tx
                .body
                .messages
                .iter()
                .position(|m| m == other)
                .unwrap_or(0) as u32,
        })),
    }
}
