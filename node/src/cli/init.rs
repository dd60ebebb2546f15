//! `proofwork init`.

use clap::Args;
use proofwork_node::home;

use super::Ctx;

/// `proofwork init`.
#[derive(Args, Debug)]
pub(crate) struct InitArgs {
    /// Chain id.
    #[arg(long, default_value = "proofwork-local")]
    chain_id: String,
    /// Overwrite an existing home (deletes its data).
    #[arg(long)]
    force: bool,
}

pub(crate) fn run(ctx: &Ctx, a: InitArgs) -> anyhow::Result<()> {
    let g = home::init(&ctx.home, &a.chain_id, a.force)?;
    let accounts: Vec<_> = g
        .app_state
        .accounts
        .iter()
        .map(|a| serde_json::json!({"address": a.address, "balances": a.balances.iter().map(|b| serde_json::json!({"denom": b.denom, "amount": b.amount})).collect::<Vec<_>>()}))
        .collect();
    ctx.print(
        serde_json::json!({"home": ctx.home.0, "chain_id": g.chain_id, "accounts": accounts}),
        || {
            let mut s = format!(
                "initialised {} for chain {}",
                ctx.home.0.display(),
                g.chain_id
            );
            for a in &g.app_state.accounts {
                let amount = a.balances.first().map_or("0", |b| b.amount.as_str());
                s.push_str(&format!("\n  funded {} with {amount} upw", a.address));
            }
            s
        },
    )
}
