//! Oracle-conditional escrow — a typed contract, not free-form code (the "flight-delay
//! insurance" of the design):
//!
//! 1. the policy holder creates it with a deposit (the premium), naming the counterparty
//!    (insurer), the oracle's public key, the event, and a deadline (block time);
//! 2. the counterparty funds its deposit (the cover) before the deadline;
//! 3. before the deadline, anyone may submit the oracle's signature over
//!    [`proofwork_tx::assets::oracle_digest`]`(chain_id, id, outcome)`: outcome `true` (the event
//!    happened) pays both deposits to the holder, `false` pays them to the counterparty;
//! 4. at or after the deadline, unresolved deposits are refunded to whoever paid them.
//!
//! Deposits sit in the module account [`state_key::ACCOUNT`].

pub mod state_key;

use borsh::{BorshDeserialize, BorshSerialize};
use proofwork_tx::assets::oracle_digest;
use proofwork_tx::{Address, PublicKey, TxError};

use crate::accounts;
use crate::assets::check_payment_denom;
use crate::codec;
use crate::event::TypedEvent;
use crate::{ExecError, StateError, StateRead, StateWrite};

/// Lifecycle of an escrow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum EscrowState {
    /// Holder's deposit in; waiting for the counterparty.
    Open,
    /// Both deposits in; waiting for the oracle or the deadline.
    Funded,
    /// Paid out on the oracle's outcome.
    Resolved {
        /// The attested outcome.
        outcome: bool,
    },
    /// Refunded after the deadline.
    Refunded,
}

impl std::fmt::Display for EscrowState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EscrowState::Open => write!(f, "open"),
            EscrowState::Funded => write!(f, "funded"),
            EscrowState::Resolved { outcome } => write!(f, "resolved ({outcome})"),
            EscrowState::Refunded => write!(f, "refunded"),
        }
    }
}

/// An escrow contract.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Escrow {
    /// Id.
    pub id: u64,
    /// Policy holder (creator).
    pub holder: Address,
    /// Counterparty (insurer).
    pub counterparty: Address,
    /// Oracle public key (compressed SEC1).
    pub oracle: [u8; 33],
    /// The event the oracle attests.
    pub event: String,
    /// Denomination of both deposits.
    pub denom: String,
    /// Holder's deposit.
    pub deposit: u128,
    /// Counterparty's deposit.
    pub counter_deposit: u128,
    /// Block time after which it refunds.
    pub deadline_ns: u64,
    /// Lifecycle.
    pub state: EscrowState,
}

/// The escrow module account.
pub fn account() -> Address {
    accounts::module_address(state_key::ACCOUNT)
}

/// An escrow.
///
/// # Errors
/// Storage failures.
pub fn escrow<S: StateRead>(s: &S, id: u64) -> Result<Option<Escrow>, StateError> {
    codec::get(s, &state_key::escrow(id))
}

fn require<S: StateRead>(s: &S, id: u64) -> Result<Escrow, ExecError> {
    escrow(s, id)?.ok_or_else(|| TxError::UnknownEscrow { id }.into())
}

/// Creates an escrow and takes the holder's deposit.
///
/// # Errors
/// Deadline not in the future, credits, insufficient funds.
#[allow(clippy::too_many_arguments)]
pub fn create<S: StateWrite>(
    s: &mut S,
    holder: &Address,
    counterparty: &Address,
    oracle: &PublicKey,
    event: &str,
    denom: &str,
    deposit: u128,
    counter_deposit: u128,
    deadline_ns: u64,
) -> Result<CreateEscrowEvent, ExecError> {
    check_payment_denom(denom)?;
    let now = accounts::block_time_ns(s)?;
    if deadline_ns <= now {
        return Err(TxError::BadDeadline {
            deadline_ns,
            now_ns: now,
        }
        .into());
    }
    let id = codec::next_id(s, state_key::NEXT_ESCROW)?;
    accounts::move_funds(s, holder, &account(), denom, deposit)?;
    let e = Escrow {
        id,
        holder: *holder,
        counterparty: *counterparty,
        oracle: oracle.to_bytes(),
        event: event.into(),
        denom: denom.into(),
        deposit,
        counter_deposit,
        deadline_ns,
        state: EscrowState::Open,
    };
    codec::put(s, state_key::escrow(id), &e);
    Ok(CreateEscrowEvent {
        escrow_id: id,
        holder: *holder,
        counterparty: *counterparty,
    })
}

/// The counterparty funds its deposit.
///
/// # Errors
/// Not the counterparty, not open, past the deadline, insufficient funds.
pub fn fund<S: StateWrite>(
    s: &mut S,
    signer: &Address,
    id: u64,
) -> Result<FundEscrowEvent, ExecError> {
    let mut e = require(s, id)?;
    if e.counterparty != *signer {
        return Err(TxError::NotEscrowParty { id }.into());
    }
    if e.state != EscrowState::Open {
        return Err(TxError::EscrowWrongState {
            id,
            state: e.state.to_string(),
        }
        .into());
    }
    let now = accounts::block_time_ns(s)?;
    if now >= e.deadline_ns {
        return Err(TxError::EscrowExpired {
            deadline_ns: e.deadline_ns,
            now_ns: now,
        }
        .into());
    }
    accounts::move_funds(s, signer, &account(), &e.denom, e.counter_deposit)?;
    e.state = EscrowState::Funded;
    codec::put(s, state_key::escrow(id), &e);
    Ok(FundEscrowEvent { escrow_id: id })
}

/// Resolves a funded escrow on the oracle's signed outcome (anyone may submit it).
///
/// # Errors
/// [`TxError::BadOracleSignature`], [`TxError::EscrowExpired`], wrong state.
pub fn resolve<S: StateWrite>(
    s: &mut S,
    chain_id: &str,
    id: u64,
    outcome: bool,
    signature: &[u8],
) -> Result<ResolveEscrowEvent, ExecError> {
    let mut e = require(s, id)?;
    if e.state != EscrowState::Funded {
        return Err(TxError::EscrowWrongState {
            id,
            state: e.state.to_string(),
        }
        .into());
    }
    let now = accounts::block_time_ns(s)?;
    if now >= e.deadline_ns {
        return Err(TxError::EscrowExpired {
            deadline_ns: e.deadline_ns,
            now_ns: now,
        }
        .into());
    }
    let key = PublicKey::from_bytes(&e.oracle).map_err(|e| TxError::BadOracleSignature {
        reason: e.to_string(),
    })?;
    key.verify_digest(&oracle_digest(chain_id, id, outcome), signature)
        .map_err(|e| TxError::BadOracleSignature {
            reason: e.to_string(),
        })?;
    let total = e
        .deposit
        .checked_add(e.counter_deposit)
        .ok_or_else(|| TxError::Overflow {
            what: "escrow total".into(),
        })?;
    let winner = if outcome { e.holder } else { e.counterparty };
    accounts::move_funds(s, &account(), &winner, &e.denom, total)?;
    e.state = EscrowState::Resolved { outcome };
    codec::put(s, state_key::escrow(id), &e);
    Ok(ResolveEscrowEvent {
        escrow_id: id,
        outcome,
        paid_to: winner,
        amount: total,
        denom: e.denom,
    })
}

/// Refunds an unresolved escrow at or after its deadline (anyone may call).
///
/// # Errors
/// [`TxError::EscrowNotExpired`], wrong state.
pub fn refund<S: StateWrite>(s: &mut S, id: u64) -> Result<RefundEscrowEvent, ExecError> {
    let mut e = require(s, id)?;
    let now = accounts::block_time_ns(s)?;
    if now < e.deadline_ns {
        return Err(TxError::EscrowNotExpired {
            deadline_ns: e.deadline_ns,
            now_ns: now,
        }
        .into());
    }
    match e.state {
        EscrowState::Open => {
            accounts::move_funds(s, &account(), &e.holder, &e.denom, e.deposit)?;
        }
        EscrowState::Funded => {
            accounts::move_funds(s, &account(), &e.holder, &e.denom, e.deposit)?;
            accounts::move_funds(s, &account(), &e.counterparty, &e.denom, e.counter_deposit)?;
        }
        st => {
            return Err(TxError::EscrowWrongState {
                id,
                state: st.to_string(),
            }
            .into())
        }
    }
    e.state = EscrowState::Refunded;
    codec::put(s, state_key::escrow(id), &e);
    Ok(RefundEscrowEvent { escrow_id: id })
}

/// `create_escrow`: an escrow was opened and the holder's deposit taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateEscrowEvent {
    /// Escrow id.
    pub escrow_id: u64,
    /// The signer, who deposited.
    pub holder: Address,
    /// Who must fund the counter-deposit.
    pub counterparty: Address,
}

impl TypedEvent for CreateEscrowEvent {
    const KIND: &'static str = "create_escrow";
    fn attributes(&self) -> Vec<(&'static str, String)> {
        vec![
            ("escrow_id", self.escrow_id.to_string()),
            ("holder", self.holder.to_string()),
            ("counterparty", self.counterparty.to_string()),
        ]
    }
}

/// `fund_escrow`: the counterparty funded its deposit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FundEscrowEvent {
    /// Escrow id.
    pub escrow_id: u64,
}

impl TypedEvent for FundEscrowEvent {
    const KIND: &'static str = "fund_escrow";
    fn attributes(&self) -> Vec<(&'static str, String)> {
        vec![("escrow_id", self.escrow_id.to_string())]
    }
}

/// `resolve_escrow`: the oracle's outcome paid both deposits to one side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolveEscrowEvent {
    /// Escrow id.
    pub escrow_id: u64,
    /// The oracle's outcome.
    pub outcome: bool,
    /// The side paid.
    pub paid_to: Address,
    /// Both deposits.
    pub amount: u128,
    /// Their denomination (the `amount` attribute is `{amount}{denom}`).
    pub denom: String,
}

impl TypedEvent for ResolveEscrowEvent {
    const KIND: &'static str = "resolve_escrow";
    fn attributes(&self) -> Vec<(&'static str, String)> {
        vec![
            ("escrow_id", self.escrow_id.to_string()),
            ("outcome", self.outcome.to_string()),
            ("paid_to", self.paid_to.to_string()),
            ("amount", format!("{}{}", self.amount, self.denom)),
        ]
    }
}

/// `refund_escrow`: an unresolved escrow past its deadline returned the deposits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundEscrowEvent {
    /// Escrow id.
    pub escrow_id: u64,
}

impl TypedEvent for RefundEscrowEvent {
    const KIND: &'static str = "refund_escrow";
    fn attributes(&self) -> Vec<(&'static str, String)> {
        vec![("escrow_id", self.escrow_id.to_string())]
    }
}
