//! Oracle-conditional escrows.

use anyhow::Context as _;
use clap::{Subcommand, ValueEnum};
use proofwork_tx::assets::oracle_digest;
use proofwork_tx::{Message, PublicKey};

use super::in_secs;
use crate::cli::error::{input, CliError};
use crate::cli::tx::Signer;
use crate::cli::Ctx;

/// What the oracle says about the escrow's event: always given explicitly, since it decides
/// who is paid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum Outcome {
    /// The event happened: everything goes to the holder (the escrow's creator).
    #[value(alias = "true")]
    Happened,
    /// The event did not happen: everything goes to the counterparty.
    #[value(alias = "false")]
    NotHappened,
}

impl Outcome {
    /// The outcome bit the oracle signs and the chain checks.
    pub(crate) fn bit(self) -> bool {
        self == Outcome::Happened
    }
}

/// `proofwork tx escrow …`.
#[derive(Subcommand, Debug)]
pub(crate) enum EscrowCmd {
    /// Create one and deposit (as the policy holder).
    Create {
        #[command(flatten)]
        signer: Signer,
        /// Counterparty (address or key name), who funds --counter-deposit.
        #[arg(long)]
        counterparty: String,
        /// Oracle public key (hex, 33 bytes) or key name.
        #[arg(long)]
        oracle: String,
        /// The event the oracle reports on (free text).
        #[arg(long)]
        event: String,
        /// Denomination of both deposits.
        #[arg(long, default_value = "upw")]
        price_denom: String,
        /// The holder's deposit.
        #[arg(long)]
        deposit: u128,
        /// The counterparty's deposit.
        #[arg(long)]
        counter_deposit: u128,
        /// The oracle can resolve for this many seconds from now (block time); after that
        /// each party can take its deposit back.
        #[arg(long, default_value_t = 3600)]
        deadline_secs: u64,
    },
    /// Fund it (as the counterparty).
    Fund {
        #[command(flatten)]
        signer: Signer,
        /// Escrow id.
        #[arg(long)]
        id: u64,
    },
    /// Print an oracle signature (hex) for an outcome; broadcasts nothing.
    Sign {
        /// Oracle key name in the keyring.
        #[arg(long)]
        oracle: String,
        /// Escrow id.
        #[arg(long)]
        id: u64,
        /// The outcome to sign.
        #[arg(long, value_enum)]
        outcome: Outcome,
        /// The escrow's chain (the signature is valid there only); default: the home's
        /// genesis chain id.
        #[arg(long)]
        chain_id: Option<String>,
    },
    /// Resolve with the oracle's signature.
    Resolve {
        #[command(flatten)]
        signer: Signer,
        /// Escrow id.
        #[arg(long)]
        id: u64,
        /// The outcome the oracle signed.
        #[arg(long, value_enum)]
        outcome: Outcome,
        /// Hex signature from `escrow sign`.
        #[arg(long)]
        signature: String,
    },
    /// Refund after the deadline.
    Refund {
        #[command(flatten)]
        signer: Signer,
        /// Escrow id.
        #[arg(long)]
        id: u64,
    },
}

impl EscrowCmd {
    /// The signer and the message; `None` for `sign`, which prints a signature instead.
    pub(crate) fn message(self, ctx: &Ctx) -> anyhow::Result<Option<(Signer, Message)>> {
        let (signer, msg) = match self {
            EscrowCmd::Create {
                signer,
                counterparty,
                oracle,
                event,
                price_denom,
                deposit,
                counter_deposit,
                deadline_secs,
            } => {
                let oracle = match hex::decode(&oracle) {
                    Ok(b) if b.len() == 33 => PublicKey::from_bytes(&b)
                        .map_err(|e| input(format!("--oracle is not a valid public key: {e}")))?,
                    _ => ctx.key(&oracle)?.public_key(),
                };
                (
                    signer,
                    Message::CreateEscrow(proofwork_tx::CreateEscrow {
                        counterparty: ctx.address(&counterparty)?,
                        oracle,
                        event,
                        denom: price_denom,
                        deposit,
                        counter_deposit,
                        deadline_ns: in_secs(deadline_secs)?,
                    }),
                )
            }
            EscrowCmd::Fund { signer, id } => {
                (signer, Message::FundEscrow(proofwork_tx::FundEscrow { id }))
            }
            EscrowCmd::Sign {
                oracle,
                id,
                outcome,
                chain_id,
            } => {
                sign(ctx, &oracle, id, outcome, chain_id)?;
                return Ok(None);
            }
            EscrowCmd::Resolve {
                signer,
                id,
                outcome,
                signature,
            } => (
                signer,
                Message::ResolveEscrow(proofwork_tx::ResolveEscrow {
                    id,
                    outcome: outcome.bit(),
                    signature: hex::decode(&signature)
                        .map_err(|e| input(format!("--signature must be hex: {e}")))?,
                }),
            ),
            EscrowCmd::Refund { signer, id } => (
                signer,
                Message::RefundEscrow(proofwork_tx::RefundEscrow { id }),
            ),
        };
        Ok(Some((signer, msg)))
    }
}

fn sign(
    ctx: &Ctx,
    oracle: &str,
    id: u64,
    outcome: Outcome,
    chain_id: Option<String>,
) -> anyhow::Result<()> {
    let key = ctx.key(oracle)?;
    let chain_id = match chain_id {
        Some(c) => c,
        None => {
            ctx.home
                .load_genesis()
                .map_err(|e| CliError::Home(format!("{e:#}")))
                .context("--chain-id not given and the home has no genesis")?
                .chain_id
        }
    };
    let sig = hex::encode(key.sign_digest(&oracle_digest(&chain_id, id, outcome.bit())));
    ctx.print(
        serde_json::json!({"escrow": id, "outcome": outcome.bit(), "chain_id": chain_id, "signature": sig}),
        || sig.clone(),
    )
}
