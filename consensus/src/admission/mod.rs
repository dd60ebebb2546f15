//! Permissioned validator admission and removal by vote of the current validators.
//!
//! * `ApplyValidator { consensus_pubkey, moniker }`: anyone may apply; the signer becomes
//!   the validator's *operator*, the account that votes for it once admitted.
//! * `VoteValidator { application_id, approve }`: only operators of current validators vote,
//!   once per application.
//! * `ProposeRemoval { consensus_pubkey }`: an operator proposes removing a validator; the
//!   proposal counts as its own approval.
//!
//! An application is decided as soon as a vote settles it, counting only the votes of
//! validators in the set *at that moment*, weighted by their current power (docs/design.md,
//! "admission by governance vote of > 2/3 of current power"):
//!
//! * approved when `3 · approve_power > 2 · total_power`: the validator is admitted (with
//!   the smallest power in the set, so a newcomer never outweighs anyone) or removed, and
//!   every power is re-capped with [`cap_powers`];
//! * rejected when `3 · reject_power ≥ total_power`: approvals can no longer exceed 2/3.
//!
//! Changes reach CometBFT as validator updates: [`validator_updates`] diffs the set before
//! and after a block, and the app returns the diff from FinalizeBlock (CometBFT applies it
//! at height H+2).

pub mod state_key;

use std::collections::BTreeMap;

use borsh::{BorshDeserialize, BorshSerialize};
use proofwork_state::{codec, ExecError, StateError, StateRead, StateWrite};
use proofwork_tx::{Address, TxError};
use serde::{Deserialize, Serialize};

use crate::validators::{self, cap_powers, put_validator, Validator};

/// Power given to an admitted validator when the set is empty (never, in practice: the
/// smallest power in the set is used).
pub const DEFAULT_POWER: u64 = 10;

/// What an application asks for.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, BorshSerialize, BorshDeserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Admit a new validator.
    Admit,
    /// Remove a current validator.
    Remove,
}

impl Kind {
    /// Name used in events and queries.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Admit => "admit",
            Kind::Remove => "remove",
        }
    }
}

/// An open application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, BorshSerialize, BorshDeserialize)]
pub struct Application {
    /// Id, assigned in order from 0.
    pub id: u64,
    /// Admission or removal.
    pub kind: Kind,
    /// The consensus key concerned, hex.
    pub pub_key: String,
    /// Admit: the applicant (future operator). Remove: the proposer.
    pub operator: Address,
    /// Admit: the moniker applied with. Remove: empty.
    pub moniker: String,
    /// Admit: the sr25519 VRF key applied with, hex (registered on admission). Remove:
    /// empty.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub vrf_key: String,
    /// Height of the block that opened it.
    pub submitted_height: u64,
    /// Votes by voter consensus key (hex) → approve.
    pub votes: BTreeMap<String, bool>,
}

impl Application {
    /// The consensus key concerned.
    ///
    /// # Errors
    /// A corrupt record.
    pub fn key(&self) -> Result<[u8; 32], StateError> {
        decode_key_hex(&self.pub_key, &state_key::open(self.id))
    }
}

/// How an application stands after a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Still open.
    Pending,
    /// Approved: the validator was admitted.
    Admitted,
    /// Approved: the validator was removed.
    Removed,
    /// Rejected: approvals can no longer exceed 2/3 (or the removal would empty the set).
    Rejected,
}

impl Status {
    /// Name used in events.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Admitted => "admitted",
            Status::Removed => "removed",
            Status::Rejected => "rejected",
        }
    }
}

/// Power of current validators for and against an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tally {
    /// Sum of the powers of current validators that approve.
    pub approve: u64,
    /// Sum of the powers of current validators that reject.
    pub reject: u64,
    /// Total power of the current set.
    pub total: u64,
}

fn decode_key_hex(s: &str, key: &[u8]) -> Result<[u8; 32], StateError> {
    hex::decode(s)
        .ok()
        .and_then(|v| <[u8; 32]>::try_from(v).ok())
        .ok_or_else(|| StateError::Corrupt {
            key: hex::encode(key),
            reason: "bad consensus key in application".into(),
        })
}

/// Binds a validator to its operator account (genesis and admission).
pub fn bind_operator<S: StateWrite>(s: &mut S, pub_key: &[u8; 32], operator: &Address) {
    codec::put(s, state_key::operator(operator), pub_key);
    codec::put(s, state_key::operator_of(pub_key), operator);
}

fn unbind_operator<S: StateWrite>(s: &mut S, pub_key: &[u8; 32]) -> Result<(), StateError> {
    if let Some(op) = operator_of(s, pub_key)? {
        s.delete(state_key::operator(&op));
    }
    s.delete(state_key::operator_of(pub_key));
    Ok(())
}

/// The operator of a validator, if it has one.
///
/// # Errors
/// Storage failures or a corrupt record.
pub fn operator_of<S: StateRead>(s: &S, pub_key: &[u8; 32]) -> Result<Option<Address>, StateError> {
    codec::get(s, &state_key::operator_of(pub_key))
}

/// The current validator operated by `operator`, if any.
///
/// # Errors
/// Storage failures or a corrupt record.
pub fn validator_of<S: StateRead>(
    s: &S,
    operator: &Address,
) -> Result<Option<Validator>, StateError> {
    let Some(pk) = codec::get::<[u8; 32], _>(s, &state_key::operator(operator))? else {
        return Ok(None);
    };
    validators::validator(s, &pk)
}

/// One open application.
///
/// # Errors
/// Storage failures or a corrupt record.
pub fn application<S: StateRead>(s: &S, id: u64) -> Result<Option<Application>, StateError> {
    codec::get(s, &state_key::open(id))
}

/// Every open application, by id.
///
/// # Errors
/// Storage failures or a corrupt record.
pub fn applications<S: StateRead>(s: &S) -> Result<Vec<Application>, StateError> {
    Ok(codec::scan(s, state_key::OPEN_PREFIX, None, 100_000)?
        .into_iter()
        .map(|(_, a)| a)
        .collect())
}

fn put_application<S: StateWrite>(s: &mut S, a: &Application) {
    codec::put(s, state_key::open(a.id), a);
}

fn close<S: StateWrite>(s: &mut S, a: &Application) -> Result<(), StateError> {
    s.delete(state_key::open(a.id));
    s.delete(state_key::by_key(&a.key()?));
    if a.kind == Kind::Admit {
        s.delete(state_key::by_operator(&a.operator));
    }
    Ok(())
}

fn require_operator<S: StateRead>(s: &S, signer: &Address) -> Result<Validator, ExecError> {
    validator_of(s, signer)?.ok_or_else(|| {
        TxError::NotValidatorOperator {
            address: signer.to_string(),
        }
        .into()
    })
}

fn check_no_open_application<S: StateRead>(s: &S, pub_key: &[u8; 32]) -> Result<(), ExecError> {
    if s.get_raw(&state_key::by_key(pub_key))?.is_some() {
        return Err(TxError::ApplicationPending {
            key: hex::encode(pub_key),
        }
        .into());
    }
    Ok(())
}

/// Opens an admission application; returns its id.
///
/// # Errors
/// [`TxError::AlreadyValidator`], [`TxError::ApplicationPending`],
/// [`TxError::OperatorInUse`]; storage failures.
pub fn apply<S: StateWrite>(
    s: &mut S,
    applicant: &Address,
    pub_key: &[u8; 32],
    moniker: &str,
    vrf_key: &[u8; 32],
    height: u64,
) -> Result<u64, ExecError> {
    if validators::validator(s, pub_key)?.is_some() {
        return Err(TxError::AlreadyValidator {
            key: hex::encode(pub_key),
        }
        .into());
    }
    check_no_open_application(s, pub_key)?;
    if s.get_raw(&state_key::operator(applicant))?.is_some()
        || s.get_raw(&state_key::by_operator(applicant))?.is_some()
    {
        return Err(TxError::OperatorInUse {
            address: applicant.to_string(),
        }
        .into());
    }
    let id = codec::next_id(s, state_key::NEXT_ID)?;
    let a = Application {
        id,
        kind: Kind::Admit,
        pub_key: hex::encode(pub_key),
        operator: *applicant,
        moniker: moniker.to_string(),
        vrf_key: hex::encode(vrf_key),
        submitted_height: height,
        votes: BTreeMap::new(),
    };
    put_application(s, &a);
    codec::put(s, state_key::by_key(pub_key), &id);
    codec::put(s, state_key::by_operator(applicant), &id);
    Ok(id)
}

/// Opens a removal proposal, counting the proposer's approval; returns its id and status
/// (a proposer holding more than 2/3 of the power removes at once).
///
/// # Errors
/// [`TxError::NotValidatorOperator`], [`TxError::UnknownValidator`],
/// [`TxError::LastValidator`], [`TxError::ApplicationPending`]; storage failures.
pub fn propose_removal<S: StateWrite>(
    s: &mut S,
    proposer: &Address,
    pub_key: &[u8; 32],
    height: u64,
) -> Result<(u64, Status), ExecError> {
    let voter = require_operator(s, proposer)?;
    if validators::validator(s, pub_key)?.is_none() {
        return Err(TxError::UnknownValidator {
            key: hex::encode(pub_key),
        }
        .into());
    }
    if validators::validators(s)?.len() <= 1 {
        return Err(TxError::LastValidator.into());
    }
    check_no_open_application(s, pub_key)?;
    let id = codec::next_id(s, state_key::NEXT_ID)?;
    let mut a = Application {
        id,
        kind: Kind::Remove,
        pub_key: hex::encode(pub_key),
        operator: *proposer,
        moniker: String::new(),
        vrf_key: String::new(),
        submitted_height: height,
        votes: BTreeMap::new(),
    };
    a.votes.insert(hex::encode(voter.pub_key), true);
    codec::put(s, state_key::by_key(pub_key), &id);
    let status = settle(s, a)?;
    Ok((id, status))
}

/// Records a vote and settles the application if the vote decides it.
///
/// # Errors
/// [`TxError::NotValidatorOperator`], [`TxError::UnknownApplication`],
/// [`TxError::DoubleVote`]; storage failures.
pub fn vote<S: StateWrite>(
    s: &mut S,
    voter_operator: &Address,
    id: u64,
    approve: bool,
) -> Result<Status, ExecError> {
    let voter = require_operator(s, voter_operator)?;
    let mut a = application(s, id)?.ok_or(TxError::UnknownApplication { application_id: id })?;
    let voter_key = hex::encode(voter.pub_key);
    if a.votes.contains_key(&voter_key) {
        return Err(TxError::DoubleVote { application_id: id }.into());
    }
    a.votes.insert(voter_key, approve);
    Ok(settle(s, a)?)
}

/// Counts the votes of the current validators, weighted by their current power.
///
/// # Errors
/// Storage failures.
pub fn tally<S: StateRead>(s: &S, a: &Application) -> Result<Tally, StateError> {
    let mut t = Tally::default();
    for v in validators::validators(s)? {
        t.total = t.total.saturating_add(v.power);
        match a.votes.get(&hex::encode(v.pub_key)) {
            Some(true) => t.approve = t.approve.saturating_add(v.power),
            Some(false) => t.reject = t.reject.saturating_add(v.power),
            None => {}
        }
    }
    Ok(t)
}

fn settle<S: StateWrite>(s: &mut S, a: Application) -> Result<Status, StateError> {
    let t = tally(s, &a)?;
    let (approve, reject, total) = (
        u128::from(t.approve),
        u128::from(t.reject),
        u128::from(t.total),
    );
    if 3 * approve > 2 * total {
        close(s, &a)?;
        let pk = a.key()?;
        return match a.kind {
            Kind::Admit => {
                let set = validators::validators(s)?;
                let power = set
                    .iter()
                    .map(|v| v.power)
                    .filter(|&p| p > 0)
                    .min()
                    .unwrap_or(DEFAULT_POWER);
                put_validator(
                    s,
                    &Validator {
                        pub_key: pk,
                        power,
                        moniker: a.moniker.clone(),
                    },
                );
                bind_operator(s, &pk, &a.operator);
                if !a.vrf_key.is_empty() {
                    let vrf = decode_key_hex(&a.vrf_key, &state_key::open(a.id))?;
                    crate::beacon::put_vrf_key(s, &pk, &vrf);
                }
                rebalance(s)?;
                Ok(Status::Admitted)
            }
            Kind::Remove => {
                if validators::validators(s)?.len() <= 1 {
                    return Ok(Status::Rejected);
                }
                s.delete(validators::state_key::validator(&pk));
                unbind_operator(s, &pk)?;
                crate::beacon::delete_vrf_key(s, &pk);
                rebalance(s)?;
                Ok(Status::Removed)
            }
        };
    }
    if 3 * reject >= total {
        close(s, &a)?;
        return Ok(Status::Rejected);
    }
    put_application(s, &a);
    Ok(Status::Pending)
}

/// Re-applies [`cap_powers`] to the whole set (ordered by key), writing changed powers.
///
/// # Errors
/// Storage failures.
pub fn rebalance<S: StateWrite>(s: &mut S) -> Result<(), StateError> {
    let set = validators::validators(s)?;
    let powers: Vec<u64> = set.iter().map(|v| v.power).collect();
    for (v, p) in set.into_iter().zip(cap_powers(&powers)) {
        if v.power != p {
            put_validator(s, &Validator { power: p, ..v });
        }
    }
    Ok(())
}

/// A change of one validator's power for CometBFT (power 0 removes it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ValidatorUpdate {
    /// ed25519 consensus key.
    pub pub_key: [u8; 32],
    /// New power.
    pub power: u64,
}

/// The updates that turn `before` into `after`, ordered by key.
pub fn validator_updates(before: &[Validator], after: &[Validator]) -> Vec<ValidatorUpdate> {
    let old: BTreeMap<[u8; 32], u64> = before.iter().map(|v| (v.pub_key, v.power)).collect();
    let new: BTreeMap<[u8; 32], u64> = after.iter().map(|v| (v.pub_key, v.power)).collect();
    let mut out: BTreeMap<[u8; 32], u64> = BTreeMap::new();
    for (k, p) in &new {
        if old.get(k) != Some(p) {
            out.insert(*k, *p);
        }
    }
    for k in old.keys() {
        if !new.contains_key(k) {
            out.insert(*k, 0);
        }
    }
    out.into_iter()
        .map(|(pub_key, power)| ValidatorUpdate { pub_key, power })
        .collect()
}

#[cfg(test)]
mod tests;
