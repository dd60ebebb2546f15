//! The IP registry and attestations.

use clap::Subcommand;
use proofwork_tx::Message;

use super::hash32;
use crate::cli::error::input;
use crate::cli::tx::Signer;
use crate::cli::Ctx;

/// IP registry and attestation txs.
#[derive(Subcommand, Debug)]
pub(crate) enum IpCmd {
    /// Register a work by content hash, bound to a token the signer owns.
    RegisterIp {
        #[command(flatten)]
        signer: Signer,
        /// 32-byte content hash, hex.
        #[arg(long)]
        content_hash: String,
        /// Title of the work.
        #[arg(long, default_value = "")]
        title: String,
        /// Asset class of the token.
        #[arg(long)]
        class: String,
        /// Token id.
        #[arg(long)]
        token: u64,
    },
    /// Add licence terms to a work (--price …), or take a licence (--terms N).
    License {
        #[command(flatten)]
        signer: Signer,
        /// 32-byte content hash of the work, hex.
        #[arg(long)]
        content_hash: String,
        /// Take a licence under these terms.
        #[arg(long)]
        terms: Option<u64>,
        /// Licence fee of new terms.
        #[arg(long, default_value_t = 0)]
        price: u128,
        /// Denomination of the fee.
        #[arg(long, default_value = "upw")]
        price_denom: String,
        /// How long a licence under new terms lasts, in seconds of block time.
        #[arg(long, default_value_t = 86_400)]
        duration_secs: u64,
        /// What new terms allow (free text).
        #[arg(long, default_value = "")]
        scope: String,
    },
    /// Register a certifier for a class (admin), or attest as one (--statement).
    Attest {
        #[command(flatten)]
        signer: Signer,
        /// Asset class.
        #[arg(long)]
        class: String,
        /// Token id the statement is about.
        #[arg(long, default_value_t = 0)]
        token: u64,
        /// Attest this statement (as a registered certifier).
        #[arg(long)]
        statement: Option<String>,
        /// Register this certifier (address or key name) instead.
        #[arg(long)]
        add_certifier: Option<String>,
        /// Display name of the certifier registered.
        #[arg(long, default_value = "")]
        name: String,
    },
}

impl IpCmd {
    /// The signer and the message.
    pub(crate) fn message(self, ctx: &Ctx) -> anyhow::Result<(Signer, Message)> {
        let (signer, msg) = match self {
            IpCmd::RegisterIp {
                signer,
                content_hash,
                title,
                class,
                token,
            } => (
                signer,
                Message::RegisterIp(proofwork_tx::RegisterIp {
                    content_hash: hash32(&content_hash)?,
                    title,
                    class,
                    token,
                }),
            ),
            IpCmd::License {
                signer,
                content_hash,
                terms,
                price,
                price_denom,
                duration_secs,
                scope,
            } => {
                let content_hash = hash32(&content_hash)?;
                let msg = match terms {
                    Some(terms) => Message::TakeLicense(proofwork_tx::TakeLicense {
                        content_hash,
                        terms,
                    }),
                    None => Message::AddLicenseTerms(proofwork_tx::AddLicenseTerms {
                        content_hash,
                        fee: price,
                        denom: price_denom,
                        duration_ns: duration_secs.saturating_mul(1_000_000_000),
                        scope,
                    }),
                };
                (signer, msg)
            }
            IpCmd::Attest {
                signer,
                class,
                token,
                statement,
                add_certifier,
                name,
            } => {
                let msg = match (add_certifier, statement) {
                    (Some(c), _) => Message::AddCertifier(proofwork_tx::AddCertifier {
                        class,
                        certifier: ctx.address(&c)?,
                        name,
                    }),
                    (None, Some(statement)) => Message::Attest(proofwork_tx::Attest {
                        class,
                        token,
                        statement,
                    }),
                    (None, None) => return Err(input("give --statement or --add-certifier")),
                };
                (signer, msg)
            }
        };
        Ok((signer, msg))
    }
}
