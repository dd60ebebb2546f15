//! proofwork transactions: keys, addresses, amounts, signing and the stateless checks.
//!
//! A [`Tx`](proofwork_proto::tx::v1::Tx) arrives as bytes. [`SignedTx::decode`] enforces
//! the size limit, decodes it, rejects non-canonical encodings and unknown message
//! kinds, and parses every field into domain types; [`SignedTx::verify_signature`]
//! then checks the low-S ECDSA signature over `BLAKE3("proofwork/tx/v1" || body_bytes)`.
//! Both are pure functions of the bytes, so they may run in parallel and be cached by
//! tx hash. Everything that depends on state (nonce, balances) lives in `proofwork-state`.
//!
//! [`TxError`] is the single registry of deterministic tx error codes: each variant maps
//! to a stable ABCI code that clients may match on.

mod address;
pub mod admission;
mod amount;
pub mod assets;
pub mod error;
mod keys;
mod message;
pub mod proof;
mod signed;
pub mod work;

pub use address::{Address, ADDRESS_HRP, ADDRESS_LEN};
pub use admission::{ApplyValidator, ProposeRemoval, VoteValidator};
pub use amount::{format_amount, parse_amount};
pub use assets::{
    AcceptOffer, AddCertifier, AddLicenseTerms, Attest, BurnAsset, BuyListing, Buyout,
    CancelListing, CancelOffer, CreateAssetClass, CreateAuction, CreateEscrow, CreateListing,
    ForceTransfer, Fractionalize, FreezeAsset, FundEscrow, Item, MakeOffer, MintFungible,
    MintUnique, PlaceBid, RedeemShares, RefundEscrow, RegisterIp, ResolveEscrow, SettleAuction,
    ShareSpec, TakeLicense, TransferUnique, Unfractionalize,
};
pub use error::TxError;
pub use keys::{PublicKey, SecretKey};
pub use message::{Message, Transfer};
pub use signed::{
    check_consensus_key, check_denom, check_moniker, check_vrf_key, sign_body, signing_digest,
    tx_hash, SignedTx, TxBody, TxHash, TxLimits, MAX_MONIKER_BYTES, SIGNING_DOMAIN,
};
pub use work::{
    AnswerDispute, CancelJob, ChallengeRow, ClaimJob, CommitWork, ConfirmOutput, DisputeOutput,
    OutputRow, PostJob, RegisterModel, RegisterWorker, RevealWork, RevealedRow, UnbondWorker,
    UploadModelChunk, WORK_K_LIMIT,
};
