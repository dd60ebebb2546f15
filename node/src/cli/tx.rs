//! `proofwork tx …`: every message the chain accepts, signed by a key of the keyring.
//!
//! Each command turns its arguments into one [`Message`] (`fn message`, one per command
//! family) and [`send`] signs, broadcasts and prints it, the same way for all.

use std::path::PathBuf;

use anyhow::Context as _;
use clap::{Args, Subcommand};
use proofwork_client::ClientError;
use proofwork_node::home;
use proofwork_tx::Message;

use super::error::{input, CliError};
use super::output::block_time;
use super::{asset, work, Ctx};

/// Who signs and how.
#[derive(Args, Clone, Debug)]
pub(crate) struct Signer {
    /// Key name in the keyring (the signer).
    #[arg(long)]
    pub(crate) from: String,
    /// Fee (native denomination).
    #[arg(long, default_value_t = 1)]
    pub(crate) fee: u128,
    /// Return once the tx is in the mempool instead of waiting for the commit.
    #[arg(long)]
    pub(crate) no_wait: bool,
}

/// `proofwork tx …`.
#[derive(Subcommand, Debug)]
pub(crate) enum TxCmd {
    /// Transfer funds.
    Transfer {
        #[command(flatten)]
        signer: Signer,
        /// Recipient address, or a key name in the keyring.
        #[arg(long)]
        to: String,
        /// Amount.
        #[arg(long)]
        amount: u128,
        /// Denomination.
        #[arg(long, default_value = "upw")]
        denom: String,
    },
    #[command(flatten)]
    Token(asset::TokenCmd),
    #[command(flatten)]
    Market(asset::MarketCmd),
    #[command(flatten)]
    Ip(asset::IpCmd),
    /// Oracle-conditional escrow.
    #[command(subcommand)]
    Escrow(asset::EscrowCmd),
    #[command(flatten)]
    Work(work::WorkTxCmd),
    #[command(flatten)]
    Validator(ValidatorCmd),
}

/// Validator admission and removal.
#[derive(Subcommand, Debug)]
pub(crate) enum ValidatorCmd {
    /// Apply to join the validator set; the signer becomes the validator's operator.
    ApplyValidator {
        #[command(flatten)]
        signer: Signer,
        /// ed25519 consensus key, base64; or use --key-file.
        #[arg(long, conflicts_with = "key_file")]
        pubkey: Option<String>,
        /// CometBFT priv_validator_key.json to take the public key from.
        #[arg(long)]
        key_file: Option<PathBuf>,
        /// Validator name.
        #[arg(long)]
        moniker: String,
        /// sr25519 VRF public key, hex; or use --vrf-key-file (default: the home's
        /// vrf_key.json).
        #[arg(long, conflicts_with = "vrf_key_file")]
        vrf_pubkey: Option<String>,
        /// vrf_key.json to take the VRF public key from.
        #[arg(long)]
        vrf_key_file: Option<PathBuf>,
    },
    /// Vote on an open application (operators of current validators only).
    VoteValidator {
        #[command(flatten)]
        signer: Signer,
        /// Application id (see `query applications`).
        #[arg(long)]
        application: u64,
        /// Reject instead of approving.
        #[arg(long)]
        reject: bool,
    },
    /// Propose removing a validator (counts as the proposer's approval).
    ProposeRemoval {
        #[command(flatten)]
        signer: Signer,
        /// ed25519 consensus key of the validator, base64.
        #[arg(long)]
        pubkey: String,
    },
}

pub(crate) async fn run(ctx: &Ctx, cmd: TxCmd) -> anyhow::Result<()> {
    let (signer, msg) = match cmd {
        TxCmd::Transfer {
            signer,
            to,
            amount,
            denom,
        } => (
            signer,
            Message::Transfer(proofwork_tx::Transfer {
                to: ctx.address(&to)?,
                denom,
                amount,
            }),
        ),
        TxCmd::Token(c) => c.message(ctx)?,
        TxCmd::Market(c) => c.message(ctx)?,
        TxCmd::Ip(c) => c.message(ctx)?,
        TxCmd::Escrow(c) => match c.message(ctx)? {
            Some(m) => m,
            // `escrow sign` broadcasts nothing.
            None => return Ok(()),
        },
        TxCmd::Work(c) => c.message(),
        TxCmd::Validator(c) => c.message(ctx)?,
    };
    send(ctx, &signer, msg).await
}

impl ValidatorCmd {
    fn message(self, ctx: &Ctx) -> anyhow::Result<(Signer, Message)> {
        Ok(match self {
            ValidatorCmd::ApplyValidator {
                signer,
                pubkey,
                key_file,
                moniker,
                vrf_pubkey,
                vrf_key_file,
            } => {
                let vrf_hex = match (vrf_pubkey, vrf_key_file) {
                    (Some(p), _) => p,
                    (None, f) => {
                        let f = f.unwrap_or_else(|| ctx.home.vrf_key());
                        let bytes = std::fs::read(&f).map_err(|e| {
                            CliError::Home(format!(
                                "reading {}: {e} (give --vrf-pubkey or --vrf-key-file)",
                                f.display()
                            ))
                        })?;
                        let kf: home::VrfKeyFile = serde_json::from_slice(&bytes)
                            .with_context(|| format!("parsing {}", f.display()))?;
                        kf.public
                    }
                };
                let vrf_pubkey = proofwork_genesis::decode_vrf_key(&vrf_hex).map_err(input)?;
                let pk_b64 = match (pubkey, key_file) {
                    (Some(p), _) => p,
                    (None, Some(f)) => {
                        let bytes = std::fs::read(&f)
                            .map_err(|e| CliError::Home(format!("reading {}: {e}", f.display())))?;
                        let kf: home::ValidatorKeyFile = serde_json::from_slice(&bytes)
                            .with_context(|| format!("parsing {}", f.display()))?;
                        kf.pub_key.value
                    }
                    (None, None) => return Err(input("give --pubkey or --key-file")),
                };
                let consensus_pubkey = proofwork_genesis::decode_pub_key(&pk_b64).map_err(input)?;
                (
                    signer,
                    Message::ApplyValidator(proofwork_tx::ApplyValidator {
                        consensus_pubkey,
                        moniker,
                        vrf_pubkey,
                    }),
                )
            }
            ValidatorCmd::VoteValidator {
                signer,
                application,
                reject,
            } => (
                signer,
                Message::VoteValidator(proofwork_tx::VoteValidator {
                    application_id: application,
                    approve: !reject,
                }),
            ),
            ValidatorCmd::ProposeRemoval { signer, pubkey } => (
                signer,
                Message::ProposeRemoval(proofwork_tx::ProposeRemoval {
                    consensus_pubkey: proofwork_genesis::decode_pub_key(&pubkey).map_err(input)?,
                }),
            ),
        })
    }
}

/// Signs `msg` with the signer's next nonce, broadcasts it, and (unless `--no-wait`) waits
/// for the commit; prints hash, height and its time, code, log and events. A tx the node
/// refuses, or that fails in its block, is printed and then fails the command with its
/// code.
pub(crate) async fn send(ctx: &Ctx, signer: &Signer, msg: Message) -> anyhow::Result<()> {
    let key = ctx.key(&signer.from)?;
    let mut c = ctx.client().await?;
    let tx = c.build(&key, signer.fee).await?.message(msg).sign(&key);
    let r = c.broadcast(tx.bytes, !signer.no_wait).await?;
    if r.code != 0 {
        return Err(ClientError::Refused {
            hash: r.hash,
            code: r.code,
            log: r.log,
        }
        .into());
    }
    let Some(committed) = r.committed else {
        ctx.print_json(&serde_json::json!({"hash": hex::encode(&r.hash), "height": null}))?;
        if signer.no_wait {
            return Ok(());
        }
        return Err(ClientError::NotCommitted { hash: r.hash }.into());
    };
    let res = committed.result.unwrap_or_default();
    let events: Vec<_> = res
        .events
        .iter()
        .map(|e| {
            let attrs: serde_json::Map<String, serde_json::Value> = e
                .attributes
                .iter()
                .map(|a| (a.key.clone(), serde_json::Value::String(a.value.clone())))
                .collect();
            serde_json::json!({"type": e.kind, "attributes": attrs})
        })
        .collect();
    ctx.print_json(&serde_json::json!({
        "hash": hex::encode(&r.hash),
        "height": committed.height,
        "time": block_time(&mut c, committed.height).await,
        "index": committed.index,
        "code": res.code,
        "codespace": res.codespace,
        "log": res.log,
        "events": events,
    }))?;
    if res.code != 0 {
        return Err(ClientError::Failed {
            hash: r.hash,
            height: committed.height,
            code: res.code,
            codespace: res.codespace,
            log: res.log,
        }
        .into());
    }
    Ok(())
}
