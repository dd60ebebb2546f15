//! Typed events. Each event kind is a struct implementing [`TypedEvent`]; [`abci_event`] is
//! the one place an event becomes the block log's / ABCI's `Event`, so kinds, attribute
//! names and their order (which clients and tests read) are fixed by the structs.

use proofwork_consensus::work::WorkEvent;
use proofwork_proto::block::v1 as pb;
use proofwork_tx::Address;

/// An event emitted by a tx or a block hook.
pub type Event = pb::Event;

pub use proofwork_state::event::TypedEvent;

/// Turns a typed event into its ABCI form (through [`abci_event`]).
pub trait IntoEvent {
    /// The ABCI form.
    fn into_event(self) -> Event;
}

impl<T: TypedEvent> IntoEvent for T {
    fn into_event(self) -> Event {
        abci_event(T::KIND, self.attributes())
    }
}

/// The ABCI form of a useful-work event (the component's [`WorkEvent`] gathers its kinds).
pub fn work_event(e: &WorkEvent) -> Event {
    abci_event(e.kind(), e.attributes())
}

/// Builds the ABCI event of kind `kind`: the one place any event (typed, work, or a
/// component's `(kind, attributes)`) becomes an ABCI event.
pub fn abci_event(kind: &str, attrs: Vec<(&'static str, String)>) -> Event {
    Event {
        kind: kind.to_string(),
        attributes: attrs
            .into_iter()
            .map(|(k, value)| pb::Attribute {
                key: k.to_string(),
                value,
            })
            .collect(),
    }
}

/// A plain transfer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferEvent {
    /// Signer.
    pub sender: Address,
    /// Recipient.
    pub recipient: Address,
    /// Denomination.
    pub denom: String,
    /// Amount moved.
    pub amount: u128,
}

impl TypedEvent for TransferEvent {
    const KIND: &'static str = "transfer";
    fn attributes(&self) -> Vec<(&'static str, String)> {
        vec![
            ("sender", self.sender.to_string()),
            ("recipient", self.recipient.to_string()),
            ("denom", self.denom.clone()),
            ("amount", self.amount.to_string()),
        ]
    }
}

/// A validator application (admission or removal) was opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidatorApplicationEvent {
    /// Application id.
    pub application_id: u64,
    /// `admit` or `remove`.
    pub kind: &'static str,
    /// The validator's ed25519 consensus key.
    pub consensus_pubkey: [u8; 32],
    /// Signer.
    pub operator: Address,
    /// Status after the message.
    pub status: &'static str,
}

impl TypedEvent for ValidatorApplicationEvent {
    const KIND: &'static str = "validator_application";
    fn attributes(&self) -> Vec<(&'static str, String)> {
        vec![
            ("application_id", self.application_id.to_string()),
            ("kind", self.kind.to_string()),
            ("consensus_pubkey", hex::encode(self.consensus_pubkey)),
            ("operator", self.operator.to_string()),
            ("status", self.status.to_string()),
        ]
    }
}

/// A vote on a validator application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidatorVoteEvent {
    /// Application id.
    pub application_id: u64,
    /// Signer.
    pub voter: Address,
    /// The vote.
    pub approve: bool,
    /// Status after the vote.
    pub status: &'static str,
}

impl TypedEvent for ValidatorVoteEvent {
    const KIND: &'static str = "validator_vote";
    fn attributes(&self) -> Vec<(&'static str, String)> {
        vec![
            ("application_id", self.application_id.to_string()),
            ("voter", self.voter.to_string()),
            ("approve", self.approve.to_string()),
            ("status", self.status.to_string()),
        ]
    }
}

/// The beacon pseudo-tx that stands first in a block recorded `beacon` for `height`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BeaconEvent {
    /// Height whose beacon this is.
    pub height: u64,
    /// The beacon.
    pub beacon: [u8; 32],
}

impl TypedEvent for BeaconEvent {
    const KIND: &'static str = "beacon";
    fn attributes(&self) -> Vec<(&'static str, String)> {
        vec![
            ("height", self.height.to_string()),
            ("beacon", hex::encode(self.beacon)),
        ]
    }
}

/// An offer past its last acceptable height was refunded (end of block).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferExpiredEvent {
    /// Offer id.
    pub offer: u64,
    /// The buyer refunded.
    pub buyer: Address,
    /// Amount refunded.
    pub amount: u128,
    /// Its denomination.
    pub denom: String,
}

impl TypedEvent for OfferExpiredEvent {
    const KIND: &'static str = "offer_expired";
    fn attributes(&self) -> Vec<(&'static str, String)> {
        vec![
            ("offer", self.offer.to_string()),
            ("buyer", self.buyer.to_string()),
            ("amount", self.amount.to_string()),
            ("denom", self.denom.clone()),
        ]
    }
}
