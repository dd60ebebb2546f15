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
    /// Assets: unknown asset class.
    #[error("unknown asset class {class:?}")]
    UnknownAssetClass {
        /// Class id.
        class: String,
    },
    /// Assets: asset class exists.
    #[error("asset class or denomination {class:?} already exists")]
    AssetClassExists {
        /// Class id.
        class: String,
    },
    /// Assets: missing admin power.
    #[error("class {class:?} has no {power} power")]
    MissingAdminPower {
        /// Class id.
        class: String,
        /// The power needed.
        power: String,
    },
    /// Assets: not admin.
    #[error("signer is not the admin of class {class:?}")]
    NotAdmin {
        /// Class id.
        class: String,
    },
    /// Assets: unknown token.
    #[error("unknown token {class}#{token}")]
    UnknownToken {
        /// Class id.
        class: String,
        /// Token id.
        token: u64,
    },
    /// Assets: not owner.
    #[error("signer does not hold {what}")]
    NotOwner {
        /// What the signer does not hold.
        what: String,
    },
    /// Assets: asset frozen.
    #[error("{what} is frozen")]
    AssetFrozen {
        /// What is frozen.
        what: String,
    },
    /// Assets: token locked.
    #[error("{what} is locked by {by}")]
    TokenLocked {
        /// The token.
        what: String,
        /// Listing, auction or vault holding it.
        by: String,
    },
    /// Assets: transfer restricted.
    #[error("{what} moves only through sales that pay royalties")]
    TransferRestricted {
        /// The asset.
        what: String,
    },
    /// Assets: wrong asset kind.
    #[error("class {class:?} is not {expected}")]
    WrongAssetKind {
        /// Class id.
        class: String,
        /// Kind needed.
        expected: String,
    },
    /// Assets: bad asset field.
    #[error("bad {field}: {reason}")]
    BadAssetField {
        /// Field name.
        field: String,
        /// Why.
        reason: String,
    },
    /// Assets: unknown listing.
    #[error("unknown listing {id}")]
    UnknownListing {
        /// Listing id.
        id: u64,
    },
    /// Assets: self trade.
    #[error("cannot buy from, bid on or accept an offer from oneself")]
    SelfTrade,
    /// Assets: unknown offer.
    #[error("unknown offer {id}")]
    UnknownOffer {
        /// Offer id.
        id: u64,
    },
    /// Assets: unknown auction.
    #[error("unknown auction {id}")]
    UnknownAuction {
        /// Auction id.
        id: u64,
    },
    /// Assets: bid too low.
    #[error("bid {bid} is below the minimum {min}")]
    BidTooLow {
        /// Offered.
        bid: u128,
        /// Least acceptable.
        min: u128,
    },
    /// Assets: auction closed.
    #[error("auction ended at {end_time_ns} (block time {now_ns})")]
    AuctionClosed {
        /// Auction end.
        end_time_ns: u64,
        /// Block time.
        now_ns: u64,
    },
    /// Assets: auction open.
    #[error("auction runs until {end_time_ns} (block time {now_ns})")]
    AuctionOpen {
        /// Auction end.
        end_time_ns: u64,
        /// Block time.
        now_ns: u64,
    },
    /// Assets: offer expired.
    #[error("offer {id} expired at height {expires_height}")]
    OfferExpired {
        /// Offer id.
        id: u64,
        /// Last height.
        expires_height: u64,
    },
    /// Assets: bad deadline.
    #[error("deadline {deadline_ns} is not after the block time {now_ns}")]
    BadDeadline {
        /// Deadline.
        deadline_ns: u64,
        /// Block time.
        now_ns: u64,
    },
    /// Assets: unknown vault.
    #[error("unknown vault {id}")]
    UnknownVault {
        /// Vault id.
        id: u64,
    },
    /// Assets: not all shares.
    #[error("redeeming the token needs all {total} shares, signer holds {held}")]
    NotAllShares {
        /// Shares held.
        held: u128,
        /// Shares issued.
        total: u128,
    },
    /// Assets: vault not active.
    #[error("vault {id} is bought out or closed")]
    VaultNotActive {
        /// Vault id.
        id: u64,
    },
    /// Assets: vault not bought out.
    #[error("vault {id} has not been bought out")]
    VaultNotBoughtOut {
        /// Vault id.
        id: u64,
    },
    /// Assets: ip already registered.
    #[error("content {content_hash} already registered by {registrant} at height {height}")]
    IpAlreadyRegistered {
        /// Hex hash.
        content_hash: String,
        /// Earlier registrant.
        registrant: String,
        /// Height of the earlier registration.
        height: u64,
    },
    /// Assets: unknown ip.
    #[error("no registered work with content hash {content_hash}")]
    UnknownIp {
        /// Hex hash.
        content_hash: String,
    },
    /// Assets: unknown license terms.
    #[error("unknown licence terms {id} for this work")]
    UnknownLicenseTerms {
        /// Terms id.
        id: u64,
    },
    /// Assets: unknown escrow.
    #[error("unknown escrow {id}")]
    UnknownEscrow {
        /// Escrow id.
        id: u64,
    },
    /// Assets: bad oracle signature.
    #[error("oracle signature rejected: {reason}")]
    BadOracleSignature {
        /// Why.
        reason: String,
    },
    /// Assets: escrow expired.
    #[error("escrow deadline {deadline_ns} passed (block time {now_ns})")]
    EscrowExpired {
        /// Deadline.
        deadline_ns: u64,
        /// Block time.
        now_ns: u64,
    },
    /// Assets: escrow not expired.
    #[error("escrow runs until {deadline_ns} (block time {now_ns})")]
    EscrowNotExpired {
        /// Deadline.
        deadline_ns: u64,
        /// Block time.
        now_ns: u64,
    },
    /// Assets: escrow wrong state.
    #[error("escrow {id} is {state}")]
    EscrowWrongState {
        /// Escrow id.
        id: u64,
        /// Its state.
        state: String,
    },
    /// Assets: not escrow party.
    #[error("signer is not the counterparty of escrow {id}")]
    NotEscrowParty {
        /// Escrow id.
        id: u64,
    },
    /// Assets: unregistered certifier.
    #[error("{certifier} is not a registered certifier of class {class:?}")]
    UnregisteredCertifier {
        /// Signer.
        certifier: String,
        /// Class id.
        class: String,
    },

    // ---- Useful work: codes 400–499 ----
    /// Job or model dimensions that are zero or above a limit.
    #[error("bad work dimensions: {reason}")]
    WorkDims {
        /// Why.
        reason: String,
    },
    /// The inner dimension breaks the exactness bound of the int32 result.
    #[error("inner dimension k = {k} must be below {limit}")]
    KTooLarge {
        /// Requested K.
        k: u64,
        /// Exclusive bound (131072).
        limit: u64,
    },
    /// A digest or key field that is not 32 bytes.
    #[error("{what} must be 32 bytes, got {got}")]
    BadDigest {
        /// Which field.
        what: &'static str,
        /// Length given.
        got: u64,
    },
    /// No model with this id.
    #[error("unknown model {id}")]
    UnknownModel {
        /// Model id.
        id: u64,
    },
    /// The model's weights are not (or are already) fully uploaded.
    #[error("model {id} is {state}")]
    ModelState {
        /// Model id.
        id: u64,
        /// Its state.
        state: &'static str,
    },
    /// Only the model's owner may upload its weights.
    #[error("only the model owner may upload its rows")]
    NotModelOwner,
    /// A chunk that does not continue (or rewrite) the uploaded prefix.
    #[error("chunk starts at row {first_row} but only {uploaded} rows are uploaded")]
    ChunkOutOfOrder {
        /// First row of the chunk.
        first_row: u64,
        /// Rows uploaded so far.
        uploaded: u64,
    },
    /// Row bytes that are not a whole, non-zero number of rows, or run past the last row.
    #[error("truncated or oversize rows: {reason}")]
    ChunkLength {
        /// Why.
        reason: String,
    },
    /// The uploaded rows do not hash to the root registered with the model.
    #[error("uploaded rows hash to {got}, not the registered root {expected}")]
    ModelRootMismatch {
        /// Registered root (hex).
        expected: String,
        /// Recomputed root (hex).
        got: String,
    },
    /// The signer is not a registered worker.
    #[error("{address} is not a registered worker")]
    NotWorker {
        /// Signer.
        address: String,
    },
    /// The worker's bond does not cover another claim.
    #[error("bond {bond} is below the {needed} needed")]
    BondTooLow {
        /// Bond held.
        bond: u128,
        /// Bond needed.
        needed: u128,
    },
    /// No job with this id.
    #[error("unknown job {id}")]
    UnknownJob {
        /// Job id.
        id: u64,
    },
    /// The job is not in the state the message needs.
    #[error("job {id} is {state}, expected {expected}")]
    JobState {
        /// Job id.
        id: u64,
        /// Current state.
        state: &'static str,
        /// State needed.
        expected: &'static str,
    },
    /// The signer is not the worker that claimed the job.
    #[error("job {id} is claimed by another worker")]
    NotJobWorker {
        /// Job id.
        id: u64,
    },
    /// The signer is not the job's client.
    #[error("only the client may cancel job {id}")]
    NotJobClient {
        /// Job id.
        id: u64,
    },
    /// A commit after its deadline.
    #[error("deadline {deadline} has passed (height {height})")]
    DeadlinePassed {
        /// Last height allowed.
        deadline: u64,
        /// Current height.
        height: u64,
    },
    /// A reveal before the beacon block that fixes its sample is on chain.
    #[error("beacon block {beacon_height} is not yet on chain (height {height})")]
    BeaconNotReady {
        /// The block whose hash seeds the sample.
        beacon_height: u64,
        /// Current height.
        height: u64,
    },
    /// The revealed row indices are not the sampled ones.
    #[error("revealed rows are not the sampled rows: {reason}")]
    RowsNotSampled {
        /// Why.
        reason: String,
    },
    /// A revealed row with the wrong length (truncated or padded).
    #[error("revealed {what} row {index} has {got} bytes, expected {expected}")]
    RevealRowLength {
        /// `a` or `c`.
        what: &'static str,
        /// Row index.
        index: u64,
        /// Bytes given.
        got: u64,
        /// Bytes expected.
        expected: u64,
    },
    /// A Merkle proof that does not lead to the committed root.
    #[error("merkle proof of {what} row {index} does not verify: {reason}")]
    RevealProof {
        /// `a` or `c`.
        what: &'static str,
        /// Row index.
        index: u64,
        /// Why.
        reason: String,
    },
    /// The job price is below the chain's minimum for its size.
    #[error("price {price} is below the minimum {min} for this job's size")]
    PriceTooLow {
        /// Offered.
        price: u128,
        /// Minimum.
        min: u128,
    },
    /// A validator key that is not in the validator set.
    #[error("unknown validator {pub_key}")]
    UnknownWorkValidator {
        /// Hex key.
        pub_key: String,
    },
    /// A deadline window outside the allowed range.
    #[error("bad deadline: {reason}")]
    BadWorkDeadline {
        /// Why.
        reason: String,
    },
    /// `UnbondWorker` from a worker that is already unbonding.
    #[error("worker {address} is already unbonding (bond released after height {release_at})")]
    AlreadyUnbonding {
        /// Worker.
        address: String,
        /// Earliest end of block at which the bond is released.
        release_at: u64,
    },
    /// A claim (or a bond top-up) from a worker that has asked to unbond.
    #[error("worker {address} is unbonding and takes no new claims or bond")]
    WorkerUnbonding {
        /// Worker.
        address: String,
    },
    /// A job priced in compute credits above the credits its work mints.
    #[error(
        "a job paid in credits costs at most the {max} credits its work is worth, not {price}"
    )]
    CreditPriceTooHigh {
        /// Offered.
        price: u128,
        /// The job's credits.
        max: u128,
    },
    /// A job priced in a denomination that is neither the chain's nor compute credits.
    #[error("jobs are priced in {native} or {credits}, not {denom}")]
    BadJobDenom {
        /// Given.
        denom: String,
        /// The chain denomination.
        native: String,
        /// The compute-credit denomination.
        credits: String,
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
    /// A VRF key that is not a valid sr25519 public key.
    #[error("invalid VRF key: {reason}")]
    BadVrfKey {
        /// Why.
        reason: String,
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
            TxError::UnknownAssetClass { .. } => 200,
            TxError::AssetClassExists { .. } => 201,
            TxError::MissingAdminPower { .. } => 202,
            TxError::NotAdmin { .. } => 203,
            TxError::UnknownToken { .. } => 204,
            TxError::NotOwner { .. } => 205,
            TxError::AssetFrozen { .. } => 206,
            TxError::TokenLocked { .. } => 207,
            TxError::TransferRestricted { .. } => 208,
            TxError::WrongAssetKind { .. } => 209,
            TxError::BadAssetField { .. } => 210,
            TxError::UnknownListing { .. } => 220,
            TxError::SelfTrade => 221,
            TxError::UnknownOffer { .. } => 222,
            TxError::UnknownAuction { .. } => 223,
            TxError::BidTooLow { .. } => 224,
            TxError::AuctionClosed { .. } => 225,
            TxError::AuctionOpen { .. } => 226,
            TxError::OfferExpired { .. } => 227,
            TxError::BadDeadline { .. } => 228,
            TxError::UnknownVault { .. } => 240,
            TxError::NotAllShares { .. } => 241,
            TxError::VaultNotActive { .. } => 242,
            TxError::VaultNotBoughtOut { .. } => 243,
            TxError::IpAlreadyRegistered { .. } => 260,
            TxError::UnknownIp { .. } => 261,
            TxError::UnknownLicenseTerms { .. } => 262,
            TxError::UnknownEscrow { .. } => 280,
            TxError::BadOracleSignature { .. } => 281,
            TxError::EscrowExpired { .. } => 282,
            TxError::EscrowNotExpired { .. } => 283,
            TxError::EscrowWrongState { .. } => 284,
            TxError::NotEscrowParty { .. } => 285,
            TxError::UnregisteredCertifier { .. } => 300,
            TxError::WorkDims { .. } => 400,
            TxError::KTooLarge { .. } => 401,
            TxError::BadDigest { .. } => 402,
            TxError::UnknownModel { .. } => 403,
            TxError::ModelState { .. } => 404,
            TxError::NotModelOwner => 405,
            TxError::ChunkOutOfOrder { .. } => 406,
            TxError::ChunkLength { .. } => 407,
            TxError::ModelRootMismatch { .. } => 408,
            TxError::NotWorker { .. } => 409,
            TxError::BondTooLow { .. } => 410,
            TxError::UnknownJob { .. } => 411,
            TxError::JobState { .. } => 412,
            TxError::NotJobWorker { .. } => 413,
            TxError::NotJobClient { .. } => 414,
            TxError::DeadlinePassed { .. } => 415,
            TxError::BeaconNotReady { .. } => 416,
            TxError::RowsNotSampled { .. } => 417,
            TxError::RevealRowLength { .. } => 418,
            TxError::RevealProof { .. } => 419,
            TxError::PriceTooLow { .. } => 420,
            TxError::UnknownWorkValidator { .. } => 421,
            TxError::BadWorkDeadline { .. } => 422,
            TxError::AlreadyUnbonding { .. } => 423,
            TxError::WorkerUnbonding { .. } => 424,
            TxError::BadJobDenom { .. } => 425,
            TxError::CreditPriceTooHigh { .. } => 426,
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
            TxError::BadVrfKey { .. } => 110,
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
            TxError::UnknownAssetClass { .. } => "unknown_asset_class",
            TxError::AssetClassExists { .. } => "asset_class_exists",
            TxError::MissingAdminPower { .. } => "missing_admin_power",
            TxError::NotAdmin { .. } => "not_admin",
            TxError::UnknownToken { .. } => "unknown_token",
            TxError::NotOwner { .. } => "not_owner",
            TxError::AssetFrozen { .. } => "asset_frozen",
            TxError::TokenLocked { .. } => "token_locked",
            TxError::TransferRestricted { .. } => "transfer_restricted",
            TxError::WrongAssetKind { .. } => "wrong_asset_kind",
            TxError::BadAssetField { .. } => "bad_asset_field",
            TxError::UnknownListing { .. } => "unknown_listing",
            TxError::SelfTrade => "self_trade",
            TxError::UnknownOffer { .. } => "unknown_offer",
            TxError::UnknownAuction { .. } => "unknown_auction",
            TxError::BidTooLow { .. } => "bid_too_low",
            TxError::AuctionClosed { .. } => "auction_closed",
            TxError::AuctionOpen { .. } => "auction_open",
            TxError::OfferExpired { .. } => "offer_expired",
            TxError::BadDeadline { .. } => "bad_deadline",
            TxError::UnknownVault { .. } => "unknown_vault",
            TxError::NotAllShares { .. } => "not_all_shares",
            TxError::VaultNotActive { .. } => "vault_not_active",
            TxError::VaultNotBoughtOut { .. } => "vault_not_bought_out",
            TxError::IpAlreadyRegistered { .. } => "ip_already_registered",
            TxError::UnknownIp { .. } => "unknown_ip",
            TxError::UnknownLicenseTerms { .. } => "unknown_license_terms",
            TxError::UnknownEscrow { .. } => "unknown_escrow",
            TxError::BadOracleSignature { .. } => "bad_oracle_signature",
            TxError::EscrowExpired { .. } => "escrow_expired",
            TxError::EscrowNotExpired { .. } => "escrow_not_expired",
            TxError::EscrowWrongState { .. } => "escrow_wrong_state",
            TxError::NotEscrowParty { .. } => "not_escrow_party",
            TxError::UnregisteredCertifier { .. } => "unregistered_certifier",
            TxError::WorkDims { .. } => "work_dims",
            TxError::KTooLarge { .. } => "k_too_large",
            TxError::BadDigest { .. } => "bad_digest",
            TxError::UnknownModel { .. } => "unknown_model",
            TxError::ModelState { .. } => "model_state",
            TxError::NotModelOwner => "not_model_owner",
            TxError::ChunkOutOfOrder { .. } => "chunk_out_of_order",
            TxError::ChunkLength { .. } => "chunk_length",
            TxError::ModelRootMismatch { .. } => "model_root_mismatch",
            TxError::NotWorker { .. } => "not_worker",
            TxError::BondTooLow { .. } => "bond_too_low",
            TxError::UnknownJob { .. } => "unknown_job",
            TxError::JobState { .. } => "job_state",
            TxError::NotJobWorker { .. } => "not_job_worker",
            TxError::NotJobClient { .. } => "not_job_client",
            TxError::DeadlinePassed { .. } => "deadline_passed",
            TxError::BeaconNotReady { .. } => "beacon_not_ready",
            TxError::RowsNotSampled { .. } => "rows_not_sampled",
            TxError::RevealRowLength { .. } => "reveal_row_length",
            TxError::RevealProof { .. } => "reveal_proof",
            TxError::PriceTooLow { .. } => "price_too_low",
            TxError::UnknownWorkValidator { .. } => "unknown_work_validator",
            TxError::BadWorkDeadline { .. } => "bad_work_deadline",
            TxError::AlreadyUnbonding { .. } => "already_unbonding",
            TxError::WorkerUnbonding { .. } => "worker_unbonding",
            TxError::BadJobDenom { .. } => "bad_job_denom",
            TxError::CreditPriceTooHigh { .. } => "credit_price_too_high",
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
            TxError::BadVrfKey { .. } => "bad_vrf_key",
        }
    }
}
