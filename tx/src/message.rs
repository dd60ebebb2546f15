//! The message enum: one tuple variant per proto oneof case, each wrapping the domain struct
//! of the same name. [`messages!`] writes the enum and its proto dispatch from one list, so
//! adding a message is one line here plus the struct and its `TryFrom`/`From` impls.

use proofwork_proto::tx::v1 as pb;
use proofwork_proto::tx::v1::message::Kind;

use crate::{check_denom, parse_amount, Address, TxError};

/// Declares [`Message`] from `Variant => "kind_name"` pairs. Each `Variant` names the domain
/// struct, the proto oneof case and the proto message alike.
macro_rules! messages {
    ($($(#[$doc:meta])* $v:ident => $name:literal,)*) => {
        /// A validated message: one variant per proto oneof case.
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum Message {
            $($(#[$doc])* $v($v),)*
        }

        $(impl From<$v> for Message {
            fn from(m: $v) -> Self {
                Message::$v(m)
            }
        }

        impl $v {
            /// The message's kind name (the proto field name), used in logs and events.
            pub const KIND: &'static str = $name;
        })*

        impl Message {
            /// Parses and checks message `index` of a tx.
            pub(crate) fn try_from_proto(index: usize, m: pb::Message) -> Result<Self, TxError> {
                match m.kind {
                    $(Some(Kind::$v(p)) => Ok(Message::$v($v::try_from(p)?)),)*
                    None => Err(TxError::UnknownMessage {
                        index: u32::try_from(index).unwrap_or(u32::MAX),
                    }),
                }
            }

            /// The protobuf form.
            pub fn to_proto(&self) -> pb::Message {
                let kind = match self {
                    $(Message::$v(m) => Kind::$v(m.into()),)*
                };
                pb::Message { kind: Some(kind) }
            }

            /// Short name for logs and events (the proto field name).
            pub fn kind_name(&self) -> &'static str {
                match self {
                    $(Message::$v(_) => $v::KIND,)*
                }
            }
        }
    };
}

use crate::admission::{ApplyValidator, ProposeRemoval, VoteValidator};
use crate::assets::{
    AcceptOffer, AddCertifier, AddLicenseTerms, Attest, BurnAsset, BuyListing, Buyout,
    CancelListing, CancelOffer, CreateAssetClass, CreateAuction, CreateEscrow, CreateListing,
    ForceTransfer, Fractionalize, FreezeAsset, FundEscrow, MakeOffer, MintFungible, MintUnique,
    PlaceBid, RedeemShares, RefundEscrow, RegisterIp, ResolveEscrow, SettleAuction, TakeLicense,
    TransferUnique, Unfractionalize,
};
use crate::work::{
    AnswerDispute, CancelJob, ChallengeRow, ClaimJob, CommitWork, ConfirmOutput, DisputeOutput,
    PostJob, RegisterModel, RegisterWorker, RevealWork, UnbondWorker, UploadModelChunk,
};

messages! {
    /// Moves an amount of a denomination from the signer.
    Transfer => "transfer",
    /// Creates an asset class.
    CreateAssetClass => "create_asset_class",
    /// Mints units of a fungible class.
    MintFungible => "mint_fungible",
    /// Mints a unique token.
    MintUnique => "mint_unique",
    /// Transfers a unique token.
    TransferUnique => "transfer_unique",
    /// Burns units or a token.
    BurnAsset => "burn_asset",
    /// Freezes or thaws a class or token.
    FreezeAsset => "freeze_asset",
    /// Moves units or a token by admin power.
    ForceTransfer => "force_transfer",
    /// Lists an item for sale.
    CreateListing => "create_listing",
    /// Withdraws a listing.
    CancelListing => "cancel_listing",
    /// Buys a listing.
    BuyListing => "buy_listing",
    /// Offers to buy an item.
    MakeOffer => "make_offer",
    /// Accepts an offer.
    AcceptOffer => "accept_offer",
    /// Withdraws an offer.
    CancelOffer => "cancel_offer",
    /// Opens an auction.
    CreateAuction => "create_auction",
    /// Bids in an auction.
    PlaceBid => "place_bid",
    /// Settles an ended auction.
    SettleAuction => "settle_auction",
    /// Locks a token in a vault of fungible shares.
    Fractionalize => "fractionalize",
    /// Buys a vault out at its reserve price.
    Buyout => "buyout",
    /// Redeems shares of a bought-out vault.
    RedeemShares => "redeem_shares",
    /// Gets the token back by returning every share.
    Unfractionalize => "unfractionalize",
    /// Registers a work as IP.
    RegisterIp => "register_ip",
    /// Adds license terms to registered IP.
    AddLicenseTerms => "add_license_terms",
    /// Takes a license.
    TakeLicense => "take_license",
    /// Adds a certifier to a class.
    AddCertifier => "add_certifier",
    /// A certifier attests a token.
    Attest => "attest",
    /// Opens an oracle-resolved escrow.
    CreateEscrow => "create_escrow",
    /// The counterparty funds an escrow.
    FundEscrow => "fund_escrow",
    /// Resolves an escrow with the oracle's signature.
    ResolveEscrow => "resolve_escrow",
    /// Refunds an escrow past its deadline.
    RefundEscrow => "refund_escrow",
    /// Registers a model's weights.
    RegisterModel => "register_model",
    /// Uploads rows of a model's weights.
    UploadModelChunk => "upload_model_chunk",
    /// Registers or tops up a worker.
    RegisterWorker => "register_worker",
    /// Posts a job.
    PostJob => "post_job",
    /// Claims a job.
    ClaimJob => "claim_job",
    /// Commits to a job's output.
    CommitWork => "commit_work",
    /// Reveals the sampled rows of a job.
    RevealWork => "reveal_work",
    /// Withdraws an unclaimed job.
    CancelJob => "cancel_job",
    /// Starts unbonding the signing worker.
    UnbondWorker => "unbond_worker",
    /// Confirms receipt of a verified job's output.
    ConfirmOutput => "confirm_output",
    /// Names rows of a verified job's output the worker must put on chain.
    DisputeOutput => "dispute_output",
    /// Answers a dispute with the named rows.
    AnswerDispute => "answer_dispute",
    /// Proves a row of a verified job wrong.
    ChallengeRow => "challenge_row",
    /// Applies to join the validator set.
    ApplyValidator => "apply_validator",
    /// Votes on a validator application.
    VoteValidator => "vote_validator",
    /// Proposes removing a validator.
    ProposeRemoval => "propose_removal",
}

/// Move `amount` of `denom` from the signer to `to`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transfer {
    /// Recipient.
    pub to: Address,
    /// Denomination.
    pub denom: String,
    /// Amount, never zero.
    pub amount: u128,
}

impl TryFrom<pb::Transfer> for Transfer {
    type Error = TxError;
    fn try_from(t: pb::Transfer) -> Result<Self, TxError> {
        let to: Address = t.to.parse()?;
        check_denom(&t.denom)?;
        let amount = parse_amount(&t.amount)?;
        if amount == 0 {
            return Err(TxError::ZeroAmount);
        }
        Ok(Transfer {
            to,
            denom: t.denom,
            amount,
        })
    }
}

impl From<&Transfer> for pb::Transfer {
    fn from(t: &Transfer) -> Self {
        pb::Transfer {
            to: t.to.to_string(),
            denom: t.denom.clone(),
            amount: t.amount.to_string(),
        }
    }
}
