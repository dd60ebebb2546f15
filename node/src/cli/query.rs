//! `proofwork query …` and `proofwork status`: accounts, txs, blocks, proven state,
//! validators; asset and job-market queries come from their modules.

use base64::Engine as _;
use clap::Subcommand;

use super::error::input;
use super::output::{block_time, rfc3339_ns};
use super::{asset, work, Ctx};

/// `proofwork query …`.
#[derive(Subcommand, Debug)]
pub(crate) enum QueryCmd {
    /// One balance.
    Balance {
        /// Address or key name.
        address: String,
        /// Denomination.
        #[arg(long, default_value = "upw")]
        denom: String,
    },
    /// Nonce and all balances.
    Account {
        /// Address or key name.
        address: String,
    },
    /// A committed tx by hash.
    Tx {
        /// Tx hash, hex.
        hash: String,
    },
    /// A block header from the block log (height, time, app hash, tx count) as JSON.
    Block {
        /// Height.
        height: u64,
    },
    /// Any state key at a height, with a Merkle proof (JSON, for `audit verify-proof`).
    State {
        /// Key as hex.
        #[arg(long, conflicts_with = "key_str")]
        key: Option<String>,
        /// Key as text (e.g. `chain/params`).
        #[arg(long)]
        key_str: Option<String>,
        /// Height (0 = latest).
        #[arg(long, default_value_t = 0)]
        height: u64,
    },
    #[command(flatten)]
    Asset(asset::AssetQueryCmd),
    #[command(flatten)]
    Work(work::WorkQueryCmd),
    /// The validator set.
    Validators,
    /// Open validator applications (admissions and removals) and their votes.
    Applications,
}

pub(crate) async fn run(ctx: &Ctx, cmd: QueryCmd) -> anyhow::Result<()> {
    match cmd {
        QueryCmd::Asset(c) => asset::query(ctx, c).await,
        QueryCmd::Work(c) => work::query(ctx, c).await,
        QueryCmd::Balance { address, denom } => {
            let a = ctx.address(&address)?;
            let amount = ctx.client().await?.balance(&a, &denom).await?;
            ctx.print(
                serde_json::json!({"address": a.to_string(), "denom": denom, "amount": amount.to_string()}),
                || amount.to_string(),
            )
        }
        QueryCmd::Account { address } => account(ctx, &address).await,
        QueryCmd::Tx { hash } => tx(ctx, &hash).await,
        QueryCmd::Block { height } => {
            let b = ctx.client().await?.get_block(height).await?;
            ctx.print_json(&serde_json::json!({
                "height": b.height,
                "time": rfc3339_ns(b.time_ns),
                "time_ns": b.time_ns,
                "block_hash": hex::encode(&b.block_hash),
                "app_hash": hex::encode(&b.app_hash),
                "prev_app_hash": hex::encode(&b.prev_app_hash),
                "num_txs": b.txs.len(),
            }))
        }
        QueryCmd::State {
            key,
            key_str,
            height,
        } => state(ctx, key, key_str, height).await,
        QueryCmd::Validators => validators(ctx).await,
        QueryCmd::Applications => applications(ctx).await,
    }
}

/// `proofwork status`.
pub(crate) async fn status(ctx: &Ctx) -> anyhow::Result<()> {
    let mut c = ctx.client().await?;
    let s = c.status().await?;
    ctx.print_json(&serde_json::json!({
        "chain_id": s.chain_id,
        "height": s.height,
        "time": block_time(&mut c, s.height).await,
        "app_hash": hex::encode(&s.app_hash),
        "mempool_size": s.mempool_size,
    }))
}

async fn account(ctx: &Ctx, address: &str) -> anyhow::Result<()> {
    let a = ctx.address(address)?;
    let mut c = ctx.client().await?;
    let r = c.account(&a).await?;
    let balances: Vec<_> = r
        .balances
        .iter()
        .map(|b| serde_json::json!({"denom": b.denom, "amount": b.amount}))
        .collect();
    ctx.print_json(&serde_json::json!({
        "address": r.address, "nonce": r.nonce, "height": r.height,
        "time": block_time(&mut c, r.height).await, "balances": balances
    }))
}

async fn tx(ctx: &Ctx, hash: &str) -> anyhow::Result<()> {
    let hash = hex::decode(hash).map_err(|e| input(format!("hash must be hex: {e}")))?;
    let mut c = ctx.client().await?;
    let r = c.get_tx(&hash).await?;
    let res = r.result.unwrap_or_default();
    ctx.print_json(&serde_json::json!({
        "height": r.height, "time": block_time(&mut c, r.height).await, "index": r.index,
        "code": res.code, "log": res.log, "codespace": res.codespace
    }))
}

async fn state(
    ctx: &Ctx,
    key: Option<String>,
    key_str: Option<String>,
    height: u64,
) -> anyhow::Result<()> {
    let key = match (key, key_str) {
        (Some(k), _) => hex::decode(k).map_err(|e| input(format!("--key must be hex: {e}")))?,
        (None, Some(s)) => s.into_bytes(),
        (None, None) => return Err(input("give --key HEX or --key-str TEXT")),
    };
    let r = ctx.client().await?.query_state(&key, height, true).await?;
    let proof =
        proofwork_state::StateProof {
            height: r.height,
            app_hash: r.app_hash.as_slice().try_into().map_err(|_| {
                anyhow::anyhow!("the node returned an app hash that is not 32 bytes")
            })?,
            key: r.key,
            value: r.exists.then_some(r.value),
            proof: r.proof,
        };
    // The proof file format of `audit verify-proof`: kept as is under either output.
    println!("{}", serde_json::to_string_pretty(&proof)?);
    Ok(())
}

async fn validators(ctx: &Ctx) -> anyhow::Result<()> {
    let r = ctx.client().await?.validators().await?;
    let b64 = base64::engine::general_purpose::STANDARD;
    let vals: Vec<_> = r
        .validators
        .iter()
        .map(|v| {
            serde_json::json!({
                "pub_key": b64.encode(&v.pub_key),
                "address": hex::encode_upper(&v.address),
                "power": v.power,
                "moniker": v.moniker,
                "operator": v.operator,
            })
        })
        .collect();
    ctx.print_json(&serde_json::json!({
        "height": r.height, "total_power": r.total_power, "validators": vals
    }))
}

async fn applications(ctx: &Ctx) -> anyhow::Result<()> {
    let r = ctx.client().await?.applications().await?;
    let b64 = base64::engine::general_purpose::STANDARD;
    let apps: Vec<_> = r
        .applications
        .iter()
        .map(|a| {
            let votes: Vec<_> = a
                .votes
                .iter()
                .map(|v| serde_json::json!({"validator": b64.encode(&v.validator), "approve": v.approve}))
                .collect();
            serde_json::json!({
                "id": a.id,
                "kind": a.kind,
                "consensus_pubkey": b64.encode(&a.consensus_pubkey),
                "operator": a.operator,
                "moniker": a.moniker,
                "submitted_height": a.submitted_height,
                "approve_power": a.approve_power,
                "reject_power": a.reject_power,
                "votes": votes,
            })
        })
        .collect();
    ctx.print_json(&serde_json::json!({
        "height": r.height, "total_power": r.total_power, "applications": apps
    }))
}
