//! `proofwork keys`: the home's keyring.

use clap::Subcommand;
use proofwork_node::home::{self, KeyFile};
use proofwork_tx::SecretKey;

use super::error::CliError;
use super::Ctx;

/// `proofwork keys …`.
#[derive(Subcommand, Debug)]
pub(crate) enum KeysCmd {
    /// Create a new key.
    Add {
        /// Key name (letters, digits, - and _).
        name: String,
    },
    /// List keys.
    List,
    /// Show one key's address and public key.
    Show {
        /// Key name.
        name: String,
    },
}

fn json(kf: &KeyFile) -> serde_json::Value {
    serde_json::json!({"name": kf.name, "address": kf.address, "public_key": kf.public_key})
}

pub(crate) fn run(ctx: &Ctx, cmd: KeysCmd) -> anyhow::Result<()> {
    match cmd {
        KeysCmd::Add { name } => {
            let kf = home::add_key(&ctx.home, &name, &SecretKey::generate())
                .map_err(|e| CliError::Home(format!("{e:#}")))?;
            ctx.print_json(&json(&kf))
        }
        KeysCmd::List => {
            let keys = home::list_keys(&ctx.home).map_err(|e| CliError::Home(format!("{e:#}")))?;
            ctx.print(
                serde_json::Value::Array(keys.iter().map(json).collect()),
                || {
                    keys.iter()
                        .map(|kf| format!("{:<12} {}", kf.name, kf.address))
                        .collect::<Vec<_>>()
                        .join("\n")
                },
            )
        }
        KeysCmd::Show { name } => {
            let (kf, _) =
                home::load_key(&ctx.home, &name).map_err(|e| CliError::Home(format!("{e:#}")))?;
            ctx.print_json(&json(&kf))
        }
    }
}
