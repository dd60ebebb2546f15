//! Deterministic tx errors and their stable ABCI codes, declared once in one table.
//!
//! Each row of the `tx_errors!` table gives a variant's code, its short name, its message
//! and its doc; [`TxError::code`], [`TxError::name`], [`TxError::codespace`] and [`ERRORS`]
//! (from which `docs/errors.md` is generated) are all expanded from it, so no variant can
//! lack a code or a name, and no two places can disagree.

/// One row of the error table, as clients and `docs/errors.md` see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorInfo {
    /// Stable ABCI code.
    pub code: u32,
    /// Short stable name (`snake_case`).
    pub name: &'static str,
    /// Module (the ABCI codespace), from the code's range: see [`module_of`].
    pub module: &'static str,
    /// The Rust variant.
    pub variant: &'static str,
    /// The variant's doc comment, one entry per line.
    pub doc: &'static [&'static str],
    /// The `#[error(..)]` format of its message, as written (fields in braces).
    pub message: &'static str,
}

/// Code ranges and the module that owns each (first code, last code, module). Codes are
/// never renumbered; a new module takes a free range.
pub const MODULES: &[(u32, u32, &str)] = &[
    (1, 99, "tx"),
    (100, 199, "validators"),
    (200, 219, "assets"),
    (220, 239, "market"),
    (240, 259, "fractional"),
    (260, 279, "ip"),
    (280, 299, "escrow"),
    (300, 399, "assets"),
    (400, 499, "work"),
];

/// The module that owns `code` (`"unknown"` outside every range).
pub const fn module_of(code: u32) -> &'static str {
    let mut i = 0;
    while i < MODULES.len() {
        let (lo, hi, m) = MODULES[i];
        if code >= lo && code <= hi {
            return m;
        }
        i += 1;
    }
    "unknown"
}

/// The table row of `code`, if any variant has it (clients map a result code to its name).
pub fn info(code: u32) -> Option<&'static ErrorInfo> {
    ERRORS.iter().find(|e| e.code == code)
}

/// Declares [`TxError`] and its table. Row syntax: doc, `#[error(..)]`, then
/// `code name Variant` and the variant's fields.
macro_rules! tx_errors {
    ($(
        $(#[doc = $doc:literal])*
        #[error($($msg:tt)+)]
        $code:literal $name:ident $variant:ident $({
            $( $(#[doc = $fdoc:literal])* $field:ident : $fty:ty ),* $(,)?
        })?
    ),* $(,)?) => {
        /// Why a tx was refused. Deterministic: every honest node computes the same error
        /// for the same tx and state, so the code and message can be part of the block
        /// results.
        ///
        /// Codes are stable: never renumber a variant, only add new ones, in the range of
        /// their module ([`MODULES`]).
        #[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
        pub enum TxError {
            $(
                $(#[doc = $doc])*
                #[error($($msg)+)]
                $variant $({ $( $(#[doc = $fdoc])* $field: $fty ),* })?,
            )*
        }

        impl TxError {
            /// Stable ABCI code (0 is success, so codes start at 1).
            pub fn code(&self) -> u32 {
                match self {
                    $(TxError::$variant $({ $($field: _),* })? => $code,)*
                }
            }

            /// Short stable name of the error (`snake_case`), for logs and clients.
            pub fn name(&self) -> &'static str {
                match self {
                    $(TxError::$variant $({ $($field: _),* })? => stringify!($name),)*
                }
            }
        }

        /// Every error, in declaration order.
        pub const ERRORS: &[ErrorInfo] = &[
            $(ErrorInfo {
                code: $code,
                name: stringify!($name),
                module: module_of($code),
                variant: stringify!($variant),
                doc: &[$($doc),*],
                message: stringify!($($msg)+),
            },)*
        ];
    };
}

impl TxError {
    /// The ABCI codespace: the module that owns the error ([`module_of`] its code).
    pub fn codespace(&self) -> &'static str {
        module_of(self.code())
    }

    /// The per-error name; kept for callers written when the ABCI codespace carried it.
    pub fn codespace_name(&self) -> &'static str {
        self.name()
    }
}

tx_errors! {
    /// The encoded tx is larger than the chain allows.
    #[error("tx too large: {size} bytes exceeds the limit of {max} bytes")]
    1 too_large TooLarge {
        /// Encoded size.
        size: u64,
        /// Limit in force.
        max: u64,
    },
    /// The bytes are not a protobuf `Tx`/`TxBody`.
    #[error("malformed tx: {reason}")]
    2 malformed Malformed {
        /// Decoder's message.
        reason: String,
    },
    /// The bytes decode but are not the canonical encoding of what they decode to.
    #[error("non-canonical encoding of {what}")]
    3 non_canonical NonCanonical {
        /// Which message.
        what: &'static str,
    },
    /// The public key is not a valid compressed secp256k1 point.
    #[error("bad public key: {reason}")]
    4 bad_public_key BadPublicKey {
        /// Why.
        reason: String,
    },
    /// The signature does not verify against the key and body.
    #[error("bad signature: {reason}")]
    5 bad_signature BadSignature {
        /// Why.
        reason: String,
    },
    /// The signature's S is in the upper half of the group order (malleable form).
    #[error("high-S signature: only the low-S form is accepted")]
    6 high_s HighS,
    /// The body names another chain.
    #[error("wrong chain id: got {got:?}, expected {expected:?}")]
    7 wrong_chain_id WrongChainId {
        /// In the tx.
        got: String,
        /// This chain's.
        expected: String,
    },
    /// The nonce was already used (a replay).
    #[error("replayed nonce: got {got}, expected {expected}")]
    8 replayed_nonce ReplayedNonce {
        /// In the tx.
        got: u64,
        /// The account's next nonce.
        expected: u64,
    },
    /// The nonce is ahead of the account's next nonce.
    #[error("future nonce: got {got}, expected {expected}")]
    9 future_nonce FutureNonce {
        /// In the tx.
        got: u64,
        /// The account's next nonce.
        expected: u64,
    },
    /// The balance does not cover what the tx spends.
    #[error("insufficient funds: {denom} balance {balance} is less than {needed}")]
    10 insufficient_funds InsufficientFunds {
        /// Denomination.
        denom: String,
        /// Balance held.
        balance: u128,
        /// Amount needed.
        needed: u128,
    },
    /// An arithmetic result does not fit its type.
    #[error("arithmetic overflow: {what}")]
    11 overflow Overflow {
        /// What overflowed.
        what: String,
    },
    /// A transfer or similar of zero.
    #[error("zero amount")]
    12 zero_amount ZeroAmount,
    /// A message of a kind this node does not know.
    #[error("unknown message kind at index {index}")]
    13 unknown_message UnknownMessage {
        /// Position in `messages`.
        index: u32,
    },
    /// An address that does not parse.
    #[error("bad address: {reason}")]
    14 bad_address BadAddress {
        /// Why.
        reason: String,
    },
    /// An amount that is not a canonical decimal u128.
    #[error("bad amount {value:?}: {reason}")]
    15 bad_amount BadAmount {
        /// The text (truncated).
        value: String,
        /// Why.
        reason: String,
    },
    /// The fee is below the chain's minimum.
    #[error("fee too low: {got} is below the minimum {min}")]
    16 fee_too_low FeeTooLow {
        /// Offered.
        got: u128,
        /// Required.
        min: u128,
    },
    /// A tx with no messages.
    #[error("tx has no messages")]
    17 no_messages NoMessages,
    /// A denomination name that is not allowed.
    #[error("bad denomination {denom:?}: {reason}")]
    18 bad_denom BadDenom {
        /// The name (truncated).
        denom: String,
        /// Why.
        reason: String,
    },
    /// More messages than one tx may carry.
    #[error("too many messages: {got} exceeds {max}")]
    19 too_many_messages TooManyMessages {
        /// Count in the tx.
        got: u64,
        /// Limit.
        max: u64,
    },
    /// The mempool cannot take more txs right now.
    #[error("mempool full: {size} txs")]
    20 mempool_full MempoolFull {
        /// Current size.
        size: u64,
    },
    /// The same tx bytes are already pending.
    #[error("tx already in mempool")]
    21 duplicate_tx DuplicateTx,
    /// The denomination cannot be transferred (compute credits).
    #[error("{denom} is not transferable")]
    22 non_transferable NonTransferable {
        /// Denomination.
        denom: String,
    },
    /// A royalty policy is invalid (too many recipients, zero share, total over the cap).
    #[error("bad royalty policy: {reason}")]
    23 bad_royalty_policy BadRoyaltyPolicy {
        /// Why.
        reason: String,
    },
    /// Assets: unknown asset class.
    #[error("unknown asset class {class:?}")]
    200 unknown_asset_class UnknownAssetClass {
        /// Class id.
        class: String,
    },
    /// Assets: asset class exists.
    #[error("asset class or denomination {class:?} already exists")]
    201 asset_class_exists AssetClassExists {
        /// Class id.
        class: String,
    },
    /// Assets: missing admin power.
    #[error("class {class:?} has no {power} power")]
    202 missing_admin_power MissingAdminPower {
        /// Class id.
        class: String,
        /// The power needed.
        power: String,
    },
    /// Assets: not admin.
    #[error("signer is not the admin of class {class:?}")]
    203 not_admin NotAdmin {
        /// Class id.
        class: String,
    },
    /// Assets: unknown token.
    #[error("unknown token {class}#{token}")]
    204 unknown_token UnknownToken {
        /// Class id.
        class: String,
        /// Token id.
        token: u64,
    },
    /// Assets: not owner.
    #[error("signer does not hold {what}")]
    205 not_owner NotOwner {
        /// What the signer does not hold.
        what: String,
    },
    /// Assets: asset frozen.
    #[error("{what} is frozen")]
    206 asset_frozen AssetFrozen {
        /// What is frozen.
        what: String,
    },
    /// Assets: token locked.
    #[error("{what} is locked by {by}")]
    207 token_locked TokenLocked {
        /// The token.
        what: String,
        /// Listing, auction or vault holding it.
        by: String,
    },
    /// Assets: transfer restricted.
    #[error("{what} moves only through sales that pay royalties")]
    208 transfer_restricted TransferRestricted {
        /// The asset.
        what: String,
    },
    /// Assets: wrong asset kind.
    #[error("class {class:?} is not {expected}")]
    209 wrong_asset_kind WrongAssetKind {
        /// Class id.
        class: String,
        /// Kind needed.
        expected: String,
    },
    /// Assets: bad asset field.
    #[error("bad {field}: {reason}")]
    210 bad_asset_field BadAssetField {
        /// Field name.
        field: String,
        /// Why.
        reason: String,
    },
    /// Assets: unknown listing.
    #[error("unknown listing {id}")]
    220 unknown_listing UnknownListing {
        /// Listing id.
        id: u64,
    },
    /// Assets: self trade.
    #[error("cannot buy from, bid on or accept an offer from oneself")]
    221 self_trade SelfTrade,
    /// Assets: unknown offer.
    #[error("unknown offer {id}")]
    222 unknown_offer UnknownOffer {
        /// Offer id.
        id: u64,
    },
    /// Assets: unknown auction.
    #[error("unknown auction {id}")]
    223 unknown_auction UnknownAuction {
        /// Auction id.
        id: u64,
    },
    /// Assets: bid too low.
    #[error("bid {bid} is below the minimum {min}")]
    224 bid_too_low BidTooLow {
        /// Offered.
        bid: u128,
        /// Least acceptable.
        min: u128,
    },
    /// Assets: auction closed.
    #[error("auction ended at {end_time_ns} (block time {now_ns})")]
    225 auction_closed AuctionClosed {
        /// Auction end.
        end_time_ns: u64,
        /// Block time.
        now_ns: u64,
    },
    /// Assets: auction open.
    #[error("auction runs until {end_time_ns} (block time {now_ns})")]
    226 auction_open AuctionOpen {
        /// Auction end.
        end_time_ns: u64,
        /// Block time.
        now_ns: u64,
    },
    /// Assets: offer expired.
    #[error("offer {id} expired at height {expires_height}")]
    227 offer_expired OfferExpired {
        /// Offer id.
        id: u64,
        /// Last height.
        expires_height: u64,
    },
    /// Assets: bad deadline.
    #[error("deadline {deadline_ns} is not after the block time {now_ns}")]
    228 bad_deadline BadDeadline {
        /// Deadline.
        deadline_ns: u64,
        /// Block time.
        now_ns: u64,
    },
    /// Assets: unknown vault.
    #[error("unknown vault {id}")]
    240 unknown_vault UnknownVault {
        /// Vault id.
        id: u64,
    },
    /// Assets: not all shares.
    #[error("redeeming the token needs all {total} shares, signer holds {held}")]
    241 not_all_shares NotAllShares {
        /// Shares held.
        held: u128,
        /// Shares issued.
        total: u128,
    },
    /// Assets: vault not active.
    #[error("vault {id} is bought out or closed")]
    242 vault_not_active VaultNotActive {
        /// Vault id.
        id: u64,
    },
    /// Assets: vault not bought out.
    #[error("vault {id} has not been bought out")]
    243 vault_not_bought_out VaultNotBoughtOut {
        /// Vault id.
        id: u64,
    },
    /// Assets: ip already registered.
    #[error("content {content_hash} already registered by {registrant} at height {height}")]
    260 ip_already_registered IpAlreadyRegistered {
        /// Hex hash.
        content_hash: String,
        /// Earlier registrant.
        registrant: String,
        /// Height of the earlier registration.
        height: u64,
    },
    /// Assets: unknown ip.
    #[error("no registered work with content hash {content_hash}")]
    261 unknown_ip UnknownIp {
        /// Hex hash.
        content_hash: String,
    },
    /// Assets: unknown license terms.
    #[error("unknown licence terms {id} for this work")]
    262 unknown_license_terms UnknownLicenseTerms {
        /// Terms id.
        id: u64,
    },
    /// Assets: unknown escrow.
    #[error("unknown escrow {id}")]
    280 unknown_escrow UnknownEscrow {
        /// Escrow id.
        id: u64,
    },
    /// Assets: bad oracle signature.
    #[error("oracle signature rejected: {reason}")]
    281 bad_oracle_signature BadOracleSignature {
        /// Why.
        reason: String,
    },
    /// Assets: escrow expired.
    #[error("escrow deadline {deadline_ns} passed (block time {now_ns})")]
    282 escrow_expired EscrowExpired {
        /// Deadline.
        deadline_ns: u64,
        /// Block time.
        now_ns: u64,
    },
    /// Assets: escrow not expired.
    #[error("escrow runs until {deadline_ns} (block time {now_ns})")]
    283 escrow_not_expired EscrowNotExpired {
        /// Deadline.
        deadline_ns: u64,
        /// Block time.
        now_ns: u64,
    },
    /// Assets: escrow wrong state.
    #[error("escrow {id} is {state}")]
    284 escrow_wrong_state EscrowWrongState {
        /// Escrow id.
        id: u64,
        /// Its state.
        state: String,
    },
    /// Assets: not escrow party.
    #[error("signer is not the counterparty of escrow {id}")]
    285 not_escrow_party NotEscrowParty {
        /// Escrow id.
        id: u64,
    },
    /// Assets: unregistered certifier.
    #[error("{certifier} is not a registered certifier of class {class:?}")]
    300 unregistered_certifier UnregisteredCertifier {
        /// Signer.
        certifier: String,
        /// Class id.
        class: String,
    },

    // ---- Useful work: codes 400–499 ----
    /// Job or model dimensions that are zero or above a limit.
    #[error("bad work dimensions: {reason}")]
    400 work_dims WorkDims {
        /// Why.
        reason: String,
    },
    /// The inner dimension breaks the exactness bound of the int32 result.
    #[error("inner dimension k = {k} must be below {limit}")]
    401 k_too_large KTooLarge {
        /// Requested K.
        k: u64,
        /// Exclusive bound (131072).
        limit: u64,
    },
    /// A digest or key field that is not 32 bytes.
    #[error("{what} must be 32 bytes, got {got}")]
    402 bad_digest BadDigest {
        /// Which field.
        what: &'static str,
        /// Length given.
        got: u64,
    },
    /// No model with this id.
    #[error("unknown model {id}")]
    403 unknown_model UnknownModel {
        /// Model id.
        id: u64,
    },
    /// The model's weights are not (or are already) fully uploaded.
    #[error("model {id} is {state}")]
    404 model_state ModelState {
        /// Model id.
        id: u64,
        /// Its state.
        state: &'static str,
    },
    /// Only the model's owner may upload its weights.
    #[error("only the model owner may upload its rows")]
    405 not_model_owner NotModelOwner,
    /// A chunk that does not continue (or rewrite) the uploaded prefix.
    #[error("chunk starts at row {first_row} but only {uploaded} rows are uploaded")]
    406 chunk_out_of_order ChunkOutOfOrder {
        /// First row of the chunk.
        first_row: u64,
        /// Rows uploaded so far.
        uploaded: u64,
    },
    /// Row bytes that are not a whole, non-zero number of rows, or run past the last row.
    #[error("truncated or oversize rows: {reason}")]
    407 chunk_length ChunkLength {
        /// Why.
        reason: String,
    },
    /// The uploaded rows do not hash to the root registered with the model.
    #[error("uploaded rows hash to {got}, not the registered root {expected}")]
    408 model_root_mismatch ModelRootMismatch {
        /// Registered root (hex).
        expected: String,
        /// Recomputed root (hex).
        got: String,
    },
    /// The signer is not a registered worker.
    #[error("{address} is not a registered worker")]
    409 not_worker NotWorker {
        /// Signer.
        address: String,
    },
    /// The worker's bond does not cover another claim.
    #[error("bond {bond} is below the {needed} needed")]
    410 bond_too_low BondTooLow {
        /// Bond held.
        bond: u128,
        /// Bond needed.
        needed: u128,
    },
    /// No job with this id.
    #[error("unknown job {id}")]
    411 unknown_job UnknownJob {
        /// Job id.
        id: u64,
    },
    /// The job is not in the state the message needs.
    #[error("job {id} is {state}, expected {expected}")]
    412 job_state JobState {
        /// Job id.
        id: u64,
        /// Current state.
        state: &'static str,
        /// State needed.
        expected: &'static str,
    },
    /// The signer is not the worker that claimed the job.
    #[error("job {id} is claimed by another worker")]
    413 not_job_worker NotJobWorker {
        /// Job id.
        id: u64,
    },
    /// The signer is not the job's client.
    #[error("only the client of job {id} may do this")]
    414 not_job_client NotJobClient {
        /// Job id.
        id: u64,
    },
    /// A commit after its deadline.
    #[error("deadline {deadline} has passed (height {height})")]
    415 deadline_passed DeadlinePassed {
        /// Last height allowed.
        deadline: u64,
        /// Current height.
        height: u64,
    },
    /// A reveal before the beacon block that fixes its sample is on chain.
    #[error("beacon block {beacon_height} is not yet on chain (height {height})")]
    416 beacon_not_ready BeaconNotReady {
        /// The block whose hash seeds the sample.
        beacon_height: u64,
        /// Current height.
        height: u64,
    },
    /// The revealed row indices are not the sampled ones.
    #[error("revealed rows are not the sampled rows: {reason}")]
    417 rows_not_sampled RowsNotSampled {
        /// Why.
        reason: String,
    },
    /// A revealed row with the wrong length (truncated or padded).
    #[error("revealed {what} row {index} has {got} bytes, expected {expected}")]
    418 reveal_row_length RevealRowLength {
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
    419 reveal_proof RevealProof {
        /// `a` or `c`.
        what: &'static str,
        /// Row index.
        index: u64,
        /// Why.
        reason: String,
    },
    /// The job price is below the chain's minimum for its size.
    #[error("price {price} is below the minimum {min} for this job's size")]
    420 price_too_low PriceTooLow {
        /// Offered.
        price: u128,
        /// Minimum.
        min: u128,
    },
    /// A validator key that is not in the validator set.
    #[error("unknown validator {pub_key}")]
    421 unknown_work_validator UnknownWorkValidator {
        /// Hex key.
        pub_key: String,
    },
    /// A deadline window outside the allowed range.
    #[error("bad deadline: {reason}")]
    422 bad_work_deadline BadWorkDeadline {
        /// Why.
        reason: String,
    },
    /// `UnbondWorker` from a worker that is already unbonding.
    #[error("worker {address} is already unbonding (bond released after height {release_at})")]
    423 already_unbonding AlreadyUnbonding {
        /// Worker.
        address: String,
        /// Earliest end of block at which the bond is released.
        release_at: u64,
    },
    /// A claim (or a bond top-up) from a worker that has asked to unbond.
    #[error("worker {address} is unbonding and takes no new claims or bond")]
    424 worker_unbonding WorkerUnbonding {
        /// Worker.
        address: String,
    },
    /// A job priced in compute credits above the credits its work mints.
    #[error(
        "a job paid in credits costs at most the {max} credits its work is worth, not {price}"
    )]
    426 credit_price_too_high CreditPriceTooHigh {
        /// Offered.
        price: u128,
        /// The job's credits.
        max: u128,
    },
    /// A model or job whose shape an honest worker could not complete under the chain's
    /// limits (a revealed row larger than a tx, `A` or `C` larger than `max_job_bytes`,
    /// windows longer than `max_window_blocks`).
    #[error("too large to be worked under the chain's limits: {reason}")]
    427 job_too_large JobTooLarge {
        /// Why.
        reason: String,
    },
    /// The job's output delivery is not in the state the message needs.
    #[error("the output delivery of job {id} is {state}, expected {expected}")]
    428 delivery_state DeliveryState {
        /// Job id.
        id: u64,
        /// Current state.
        state: &'static str,
        /// State needed.
        expected: &'static str,
    },
    /// A dispute naming no rows, too many, rows out of order or out of range, or one too
    /// many disputes.
    #[error("bad dispute: {reason}")]
    429 bad_dispute BadDispute {
        /// Why.
        reason: String,
    },
    /// An answer to a dispute whose rows are not the named ones or do not verify.
    #[error("bad dispute answer: {reason}")]
    430 dispute_answer DisputeAnswer {
        /// Why.
        reason: String,
    },
    /// A reveal that needs `B·r` for one more (model, beacon) pair, or a challenge that needs
    /// one more `A_i·B`, than a block may compute (`max_model_beacons_per_block`); it may be
    /// included in a later block.
    #[error("this block already computes {limit} k·n products (B·r pairs and challenges), its limit")]
    431 too_many_model_beacons TooManyModelBeacons {
        /// The chain's `max_model_beacons_per_block`.
        limit: u32,
    },
    /// A challenge of a job challenged already, or of a row index not below `m`.
    #[error("bad challenge: {reason}")]
    432 bad_challenge BadChallenge {
        /// Why.
        reason: String,
    },
    /// A job priced in a denomination that is neither the chain's nor compute credits.
    #[error("jobs are priced in {native} or {credits}, not {denom}")]
    425 bad_job_denom BadJobDenom {
        /// Given.
        denom: String,
        /// The chain denomination.
        native: String,
        /// The compute-credit denomination.
        credits: String,
    },
    /// A validator-admission message from an account that operates no current validator.
    #[error("{address} is not the operator of a current validator")]
    100 not_validator_operator NotValidatorOperator {
        /// The signer.
        address: String,
    },
    /// The validator already voted on this application.
    #[error("validator already voted on application {application_id}")]
    101 double_vote DoubleVote {
        /// Application.
        application_id: u64,
    },
    /// A consensus key that is not a 32-byte ed25519 point.
    #[error("bad consensus key: {reason}")]
    102 bad_consensus_key BadConsensusKey {
        /// Why.
        reason: String,
    },
    /// An application for a key that is already in the validator set.
    #[error("consensus key {key} is already a validator")]
    103 already_validator AlreadyValidator {
        /// Key, hex.
        key: String,
    },
    /// A vote on an application that does not exist or was already decided.
    #[error("no open application {application_id}")]
    104 unknown_application UnknownApplication {
        /// Application.
        application_id: u64,
    },
    /// An open application already concerns this key.
    #[error("an application for consensus key {key} is already open")]
    105 application_pending ApplicationPending {
        /// Key, hex.
        key: String,
    },
    /// A removal proposal for a key that is not in the validator set.
    #[error("consensus key {key} is not a validator")]
    106 unknown_validator UnknownValidator {
        /// Key, hex.
        key: String,
    },
    /// Removing the validator would leave the set empty.
    #[error("cannot remove the last validator")]
    107 last_validator LastValidator,
    /// A moniker that is empty, too long, or has control characters.
    #[error("bad moniker: {reason}")]
    108 bad_moniker BadMoniker {
        /// Why.
        reason: String,
    },
    /// The signer already operates a validator or has an open application.
    #[error("{address} already operates a validator or has an open application")]
    109 operator_in_use OperatorInUse {
        /// The signer.
        address: String,
    },
    /// A VRF key that is not a valid sr25519 public key.
    #[error("invalid VRF key: {reason}")]
    110 bad_vrf_key BadVrfKey {
        /// Why.
        reason: String,
    },
}

#[cfg(test)]
mod tests;
