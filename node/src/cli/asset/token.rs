//! Classes and tokens: create, mint, transfer, burn, freeze, force-transfer.

use clap::{Args, Subcommand};
use proofwork_tx::Message;

use super::{hash32, parse_powers, parse_shares};
use crate::cli::error::input;
use crate::cli::tx::Signer;
use crate::cli::Ctx;

/// What a burn or a forced transfer takes: a unique token or fungible units of a class.
#[derive(Args, Debug)]
pub(crate) struct Holding {
    /// Asset class.
    #[arg(long)]
    class: String,
    /// Token id (a unique class).
    #[arg(long, required_unless_present = "amount", conflicts_with = "amount")]
    token: Option<u64>,
    /// Fungible units (a fungible class).
    #[arg(long)]
    amount: Option<u128>,
}

/// Class and token txs.
#[derive(Subcommand, Debug)]
pub(crate) enum TokenCmd {
    /// Create an asset class (the signer becomes its admin).
    CreateClass {
        #[command(flatten)]
        signer: Signer,
        /// Class id (for a fungible class, also its denomination).
        #[arg(long)]
        id: String,
        /// Unique (non-fungible) tokens instead of a fungible denomination.
        #[arg(long)]
        unique: bool,
        /// Admin powers, comma separated: mint,burn,freeze,force_transfer (empty: none).
        #[arg(long, default_value = "")]
        powers: String,
        /// Assets move only through sales that pay royalties.
        #[arg(long)]
        sales_only: bool,
        /// Royalty shares of a fungible class, `ADDRESS_OR_KEY:BPS`, repeatable.
        #[arg(long)]
        royalty: Vec<String>,
        /// Free-form class metadata (e.g. a URI or JSON).
        #[arg(long, default_value = "")]
        metadata: String,
        /// Fungible: initial supply minted to the signer.
        #[arg(long, default_value_t = 0)]
        supply: u128,
    },
    /// Mint a unique token (without --amount) or fungible units (with --amount).
    Mint {
        #[command(flatten)]
        signer: Signer,
        /// Asset class.
        #[arg(long)]
        class: String,
        /// Recipient address or key name (default: the signer).
        #[arg(long)]
        to: Option<String>,
        /// Fungible units to mint (omit to mint a unique token).
        #[arg(long)]
        amount: Option<u128>,
        /// Unique token metadata.
        #[arg(long, default_value = "")]
        metadata: String,
        /// 32-byte content hash, hex (default: BLAKE3 of the metadata).
        #[arg(long)]
        content_hash: Option<String>,
        /// Royalty shares, `ADDRESS_OR_KEY:BPS`, repeatable.
        #[arg(long)]
        royalty: Vec<String>,
    },
    /// Transfer a unique token, optionally declaring a price (the sender pays its royalty).
    TransferToken {
        #[command(flatten)]
        signer: Signer,
        /// Asset class.
        #[arg(long)]
        class: String,
        /// Token id.
        #[arg(long)]
        token: u64,
        /// Recipient address or key name.
        #[arg(long)]
        to: String,
        /// Declared sale price (0: a gift).
        #[arg(long, default_value_t = 0)]
        price: u128,
        /// Denomination of the price.
        #[arg(long, default_value = "upw")]
        price_denom: String,
    },
    /// Burn a unique token (--token) or fungible units (--amount): the signer's own, or as
    /// the class admin with the burn power, a holder's (--holder).
    Burn {
        #[command(flatten)]
        signer: Signer,
        #[command(flatten)]
        what: Holding,
        /// Whose units or token (address or key name; default: the signer's).
        #[arg(long)]
        holder: Option<String>,
    },
    /// Freeze or unfreeze a class (no --token) or a token.
    Freeze {
        #[command(flatten)]
        signer: Signer,
        /// Asset class.
        #[arg(long)]
        class: String,
        /// Token id (0: the whole class).
        #[arg(long, default_value_t = 0)]
        token: u64,
        /// Unfreeze instead.
        #[arg(long)]
        thaw: bool,
    },
    /// Move a holder's token (--token) or units (--amount) without a sale, as the class
    /// admin with the force_transfer power.
    ForceTransfer {
        #[command(flatten)]
        signer: Signer,
        #[command(flatten)]
        what: Holding,
        /// Current holder (address or key name).
        #[arg(long)]
        holder: String,
        /// Recipient (address or key name).
        #[arg(long)]
        to: String,
    },
}

impl TokenCmd {
    /// The signer and the message.
    pub(crate) fn message(self, ctx: &Ctx) -> anyhow::Result<(Signer, Message)> {
        let (signer, msg) = match self {
            TokenCmd::CreateClass {
                signer,
                id,
                unique,
                powers,
                sales_only,
                royalty,
                metadata,
                supply,
            } => (
                signer,
                Message::CreateAssetClass(proofwork_tx::CreateAssetClass {
                    id,
                    unique,
                    powers: parse_powers(&powers)?,
                    sales_only,
                    royalty: parse_shares(ctx, &royalty)?,
                    metadata,
                    initial_supply: supply,
                }),
            ),
            TokenCmd::Mint {
                signer,
                class,
                to,
                amount,
                metadata,
                content_hash,
                royalty,
            } => {
                let to = ctx.address(to.as_deref().unwrap_or(&signer.from))?;
                let msg = match amount {
                    Some(amount) => {
                        Message::MintFungible(proofwork_tx::MintFungible { class, to, amount })
                    }
                    None => Message::MintUnique(proofwork_tx::MintUnique {
                        class,
                        to,
                        content_hash: match content_hash {
                            Some(c) => hash32(&c)?,
                            None => *blake3::hash(metadata.as_bytes()).as_bytes(),
                        },
                        metadata,
                        royalty: parse_shares(ctx, &royalty)?,
                    }),
                };
                (signer, msg)
            }
            TokenCmd::TransferToken {
                signer,
                class,
                token,
                to,
                price,
                price_denom,
            } => (
                signer,
                Message::TransferUnique(proofwork_tx::TransferUnique {
                    class,
                    token,
                    to: ctx.address(&to)?,
                    price: (price > 0).then_some((price_denom, price)),
                }),
            ),
            TokenCmd::Burn {
                signer,
                what,
                holder,
            } => (
                signer,
                Message::BurnAsset(proofwork_tx::BurnAsset {
                    class: what.class,
                    token: what.token.unwrap_or(0),
                    amount: what.amount.unwrap_or(0),
                    from: holder.map(|h| ctx.address(&h)).transpose()?,
                }),
            ),
            TokenCmd::Freeze {
                signer,
                class,
                token,
                thaw,
            } => (
                signer,
                Message::FreezeAsset(proofwork_tx::FreezeAsset {
                    class,
                    token,
                    frozen: !thaw,
                }),
            ),
            TokenCmd::ForceTransfer {
                signer,
                what,
                holder,
                to,
            } => {
                if what.token == Some(0) {
                    return Err(input("--token must be a token id (non-zero)"));
                }
                (
                    signer,
                    Message::ForceTransfer(proofwork_tx::ForceTransfer {
                        class: what.class,
                        token: what.token.unwrap_or(0),
                        amount: what.amount.unwrap_or(0),
                        from: ctx.address(&holder)?,
                        to: ctx.address(&to)?,
                    }),
                )
            }
        };
        Ok((signer, msg))
    }
}
