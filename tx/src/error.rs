//! Deterministic tx errors and their stable ABCI codes.

/// Why a tx was refused. Deterministic: every honest node computes the same error for the
/// same tx and state, so the code and message can be part of the block results.
///
/// Codes are stable: never renumber a variant, only add new ones. Ranges: 1–99 generic,
/// 100–199 validators, 200–399 assets and markets, 400–499 useful work.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TxError {
    /// The encoded tx is larger than the chain allows.
    #[error("tx too large: {size} bytes exceeds the limit of {max} bytes")]
    TooLarge {
        /// Encoded size.
        size: u64,
        /// Limit in force.
        max: u64,
    },
    /// The bytes are not a protobuf `Tx`/`TxBody`.
    #[error("malformed tx: {reason}")]
    Malformed {
        /// Decoder's message.
        reason: String,
    },
    /// The bytes decode but are not the canonical encoding of what they decode to.
    #[error("non-canonical encoding of {what}")]
    NonCanonical {
        /// Which message.
        what: &'static str,
    },
    /// The public key is not a valid compressed secp256k1 point.
    #[error("bad public key: {reason}")]
    BadPublicKey {
        /// Why.
        reason: String,
    },
    /// The signature does not verify against the key and body.
    #[error("bad signature: {reason}")]
    BadSignature {
        /// Why.
        reason: String,
    },
    /// The signature's S is in the upper half of the group order (malleable form).
    #[error("high-S signature: only the low-S form is accepted")]
    HighS,
    /// The body names another chain.
    #[error("wrong chain id: got {got:?}, expected {expected:?}")]
    WrongChainId {
        /// In the tx.
        got: String,
        /// This chain's.
        expected: String,
    },
    /// The nonce was already used (a replay).
    #[error("replayed nonce: got {got}, expected {expected}")]
    ReplayedNonce {
        /// In the tx.
        got: u64,
        /// The account's next nonce.
        expected: u64,
    },
    /// The nonce is ahead of the account's next nonce.
    #[error("future nonce: got {got}, expected {expected}")]
    FutureNonce {
        /// In the tx.
        got: u64,
        /// The account's next nonce.
        expected: u64,
    },
    /// The balance does not cover what the tx spends.
    #[error("insufficient funds: {denom} balance {balance} is less than {needed}")]
    InsufficientFunds {
        /// Denomination.
        denom: String,
        /// Balance held.
        balance: u128,
        /// Amount needed.
        needed: u128,
    },
    /// An arithmetic result does not fit its type.
    #[error("arithmetic overflow: {what}")]
    Overflow {
        /// What overflowed.
        what: String,
    },
    /// A transfer or similar of zero.
    #[error("zero amount")]
    ZeroAmount,
    /// A message of a kind this node does not know.
    #[error("unknown message kind at index {index}")]
    UnknownMessage {
        /// Position in `messages`.
        index: u32,
    },
    /// An address that does not parse.
    #[error("bad address: {reason}")]
    BadAddress {
        /// Why.
        reason: String,
    },
    /// An amount that is not a canonical decimal u128.
    #[error("bad amount {value:?}: {reason}")]
    BadAmount {
        /// The text (truncated).
        value: String,
        /// Why.
        reason: String,
    },
    /// The fee is below the chain's minimum.
    #[error("fee too low: {got} is below the minimum {min}")]
    FeeTooLow {
        /// Offered.
        got: u128,
        /// Required.
        min: u128,
    },
    /// A tx with no messages.
    #[error("tx has no messages")]
    NoMessages,
    /// A denomination name that is not allowed.
    #[error("bad denomination {denom:?}: {reason}")]
    BadDenom {
        /// The name (truncated).
        denom: String,
        /// Why.
        reason: String,
    },
    /// More messages than one tx may carry.
    #[error("too many messages: {got} exceeds {max}")]
    TooManyMessages {
        /// Count in the tx.
        got: u64,
        /// Limit.
        max: u64,
    },
    /// The mempool cannot take more txs right now.
    #[error("mempool full: {size} txs")]
    MempoolFull {
        /// Current size.
        size: u64,
    },
    /// The same tx bytes are already pending.
    #[error("tx already in mempool")]
    DuplicateTx,
    /// The denomination cannot be transferred (compute credits).
    #[error("{denom} is not transferable")]
    NonTransferable {
        /// Denomination.
        denom: String,
    },
    /// A royalty policy is invalid (too many recipients, zero share, total over the cap).
    #[error("bad royalty policy: {reason}")]
    BadRoyaltyPolicy {
        /// Why.
        reason: String,
    },
    /// A validator-admission message from an account that operates no current validator.
    #[error("{address} is not the operator of a current validator")]
    NotValidatorOperator {
        /// The signer.
        address: String,
    },
    /// The validator already voted on this application.
    #[error("validator already voted on application {application_id}")]
    DoubleVote {
        /// Application.
        application_id: u64,
    },
    /// A consensus key that is not a 32-byte ed25519 point.
    #[error("bad consensus key: {reason}")]
    BadConsensusKey {
        /// Why.
        reason: String,
    },
    /// An application for a key that is already in the validator set.
    #[error("consensus key {key} is already a validator")]
    AlreadyValidator {
        /// Key, hex.
        key: String,
    },
    /// A vote on an application that does not exist or was already decided.
    #[error("no open application {application_id}")]
    UnknownApplication {
        /// Application.
        application_id: u64,
    },
    /// An open application already concerns this key.
    #[error("an application for consensus key {key} is already open")]
    ApplicationPending {
        /// Key, hex.
        key: String,
    },
    /// A removal proposal for a key that is not in the validator set.
    #[error("consensus key {key} is not a validator")]
    UnknownValidator {
        /// Key, hex.
        key: String,
    },
    /// Removing the validator would leave the set empty.
    #[error("cannot remove the last validator")]
    LastValidator,
    /// A moniker that is empty, too long, or has control characters.
    #[error("bad moniker: {reason}")]
    BadMoniker {
        /// Why.
        reason: String,
    },
    /// The signer already operates a validator or has an open application.
    #[error("{address} already operates a validator or has an open application")]
    OperatorInUse {
        /// The signer.
        address: String,
    },
}

impl TxError {
    /// Stable ABCI code (0 is success, so codes start at 1).
    pub fn code(&self) -> u32 {
        match self {
            TxError::TooLarge { .. } => 1,
            TxError::Malformed { .. } => 2,
            TxError::NonCanonical { .. } => 3,
            TxError::BadPublicKey { .. } => 4,
            TxError::BadSignature { .. } => 5,
            TxError::HighS => 6,
            TxError::WrongChainId { .. } => 7,
            TxError::ReplayedNonce { .. } => 8,
            TxError::FutureNonce { .. } => 9,
            TxError::InsufficientFunds { .. } => 10,
            TxError::Overflow { .. } => 11,
            TxError::ZeroAmount => 12,
            TxError::UnknownMessage { .. } => 13,
            TxError::BadAddress { .. } => 14,
            TxError::BadAmount { .. } => 15,
            TxError::FeeTooLow { .. } => 16,
            TxError::NoMessages => 17,
            TxError::BadDenom { .. } => 18,
            TxError::TooManyMessages { .. } => 19,
            TxError::MempoolFull { .. } => 20,
            TxError::DuplicateTx => 21,
            TxError::NonTransferable { .. } => 22,
            TxError::BadRoyaltyPolicy { .. } => 23,
            TxError::NotValidatorOperator { .. } => 100,
            TxError::DoubleVote { .. } => 101,
            TxError::BadConsensusKey { .. } => 102,
            TxError::AlreadyValidator { .. } => 103,
            TxError::UnknownApplication { .. } => 104,
            TxError::ApplicationPending { .. } => 105,
            TxError::UnknownValidator { .. } => 106,
            TxError::LastValidator => 107,
            TxError::BadMoniker { .. } => 108,
            TxError::OperatorInUse { .. } => 109,
        }
    }

    /// Short stable name of the code, for logs and clients.
    pub fn codespace_name(&self) -> &'static str {
        match self {
            TxError::TooLarge { .. } => "too_large",
            TxError::Malformed { .. } => "malformed",
            TxError::NonCanonical { .. } => "non_canonical",
            TxError::BadPublicKey { .. } => "bad_public_key",
            TxError::BadSignature { .. } => "bad_signature",
            TxError::HighS => "high_s",
            TxError::WrongChainId { .. } => "wrong_chain_id",
            TxError::ReplayedNonce { .. } => "replayed_nonce",
            TxError::FutureNonce { .. } => "future_nonce",
            TxError::InsufficientFunds { .. } => "insufficient_funds",
            TxError::Overflow { .. } => "overflow",
            TxError::ZeroAmount => "zero_amount",
            TxError::UnknownMessage { .. } => "unknown_message",
            TxError::BadAddress { .. } => "bad_address",
            TxError::BadAmount { .. } => "bad_amount",
            TxError::FeeTooLow { .. } => "fee_too_low",
            TxError::NoMessages => "no_messages",
            TxError::BadDenom { .. } => "bad_denom",
            TxError::TooManyMessages { .. } => "too_many_messages",
            TxError::MempoolFull { .. } => "mempool_full",
            TxError::DuplicateTx => "duplicate_tx",
            TxError::NonTransferable { .. } => "non_transferable",
            TxError::BadRoyaltyPolicy { .. } => "bad_royalty_policy",
            TxError::NotValidatorOperator { .. } => "not_validator_operator",
            TxError::DoubleVote { .. } => "double_vote",
            TxError::BadConsensusKey { .. } => "bad_consensus_key",
            TxError::AlreadyValidator { .. } => "already_validator",
            TxError::UnknownApplication { .. } => "unknown_application",
            TxError::ApplicationPending { .. } => "application_pending",
            TxError::UnknownValidator { .. } => "unknown_validator",
            TxError::LastValidator => "last_validator",
            TxError::BadMoniker { .. } => "bad_moniker",
            TxError::OperatorInUse { .. } => "operator_in_use",
        }
    }
}
