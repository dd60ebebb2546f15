//! Asset commands: classes and tokens, the market, fractional vaults, the IP registry and
//! attestations, oracle escrows (`tx …`), and their queries (`query …`).
// Auction and escrow deadlines are block times; the CLI turns "in N seconds" into one with
// the wall clock, which is fine outside consensus.
#![allow(clippy::disallowed_methods)]

use clap::Args;
use proofwork_tx::assets::{powers, ShareSpec};
use proofwork_tx::Item;

use super::error::input;
use super::Ctx;

mod escrow;
mod ip;
mod market;
mod query;
mod token;

pub(crate) use escrow::EscrowCmd;
pub(crate) use ip::IpCmd;
pub(crate) use market::MarketCmd;
pub(crate) use query::{run as query, AssetQueryCmd};
pub(crate) use token::TokenCmd;

/// What to trade: `--class C --token N`, `--denom D --amount N`, or a royalty right
/// (`--royalty-right --class C [--token N]`).
#[derive(Args, Clone, Debug)]
pub(crate) struct ItemArgs {
    /// Asset class of a unique token (or of a royalty right).
    #[arg(long)]
    class: Option<String>,
    /// Token id.
    #[arg(long, default_value_t = 0)]
    token: u64,
    /// Fungible denomination (e.g. a class id or `frac/1`).
    #[arg(long)]
    denom: Option<String>,
    /// Fungible amount.
    #[arg(long, default_value_t = 0)]
    amount: u128,
    /// Trade the signer's royalty share instead of the asset.
    #[arg(long)]
    royalty_right: bool,
}

impl ItemArgs {
    fn item(&self) -> anyhow::Result<Item> {
        Ok(match (&self.class, &self.denom) {
            (Some(class), None) if self.royalty_right => Item::RoyaltyRight {
                class: class.clone(),
                token: self.token,
            },
            (Some(class), None) => Item::Unique {
                class: class.clone(),
                token: self.token,
            },
            (None, Some(denom)) => Item::Fungible {
                denom: denom.clone(),
                amount: self.amount,
            },
            _ => return Err(input("give either --class/--token or --denom/--amount")),
        })
    }
}

/// Royalty shares given as `ADDRESS_OR_KEY:BPS`.
fn parse_shares(ctx: &Ctx, v: &[String]) -> anyhow::Result<Vec<ShareSpec>> {
    v.iter()
        .map(|s| {
            let (who, bps) = s
                .rsplit_once(':')
                .ok_or_else(|| input(format!("royalty {s:?} must be ADDRESS:BPS")))?;
            Ok(ShareSpec {
                recipient: ctx.address(who)?,
                bps: bps
                    .parse()
                    .map_err(|e| input(format!("royalty {s:?}: bps: {e}")))?,
            })
        })
        .collect()
}

/// A 32-byte content hash in hex.
fn hash32(s: &str) -> anyhow::Result<[u8; 32]> {
    hex::decode(s)
        .map_err(|e| input(format!("content hash must be hex: {e}")))?
        .try_into()
        .map_err(|_| input("content hash must be 32 bytes"))
}

/// Block time `secs` from now, in ns.
fn in_secs(secs: u64) -> anyhow::Result<u64> {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?;
    Ok(u64::try_from(now.as_nanos())?.saturating_add(secs.saturating_mul(1_000_000_000)))
}

/// Admin powers, comma separated.
fn parse_powers(s: &str) -> anyhow::Result<u8> {
    let mut bits = 0;
    for p in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        bits |= match p {
            "mint" => powers::MINT,
            "burn" => powers::BURN,
            "freeze" => powers::FREEZE,
            "force_transfer" | "force-transfer" => powers::FORCE_TRANSFER,
            other => return Err(input(format!("unknown power {other:?}"))),
        };
    }
    Ok(bits)
}
