//! Asset queries, printed as pretty JSON (bytes as hex, amounts as decimal strings, field
//! names as in `assets/v1/assets.proto`).

use clap::Subcommand;

use super::hash32;
use crate::cli::Ctx;

/// Asset queries.
#[derive(Subcommand, Debug)]
pub(crate) enum AssetQueryCmd {
    /// An asset class.
    AssetClass {
        /// Class id.
        id: String,
    },
    /// Asset classes in id order, a page at a time.
    AssetClasses {
        /// Start after this class id (empty: from the first).
        #[arg(long, default_value = "")]
        after: String,
        /// At most this many (0: 100; at most 1000).
        #[arg(long, default_value_t = 0)]
        limit: u32,
    },
    /// A unique token.
    Asset {
        /// Asset class.
        class: String,
        /// Token id.
        token: u64,
    },
    /// Unique tokens held by an account.
    Tokens {
        /// Holder: address or key name.
        address: String,
    },
    /// A token's full history.
    Provenance {
        /// Asset class.
        class: String,
        /// Token id.
        token: u64,
    },
    /// Open listings.
    Listings,
    /// Open offers.
    Offers,
    /// Open auctions.
    Auctions,
    /// A fractional vault.
    Vault {
        /// Vault id.
        id: u64,
    },
    /// A registered work.
    Ip {
        /// Content hash, hex.
        content_hash: String,
    },
    /// An oracle escrow.
    Escrow {
        /// Escrow id.
        id: u64,
    },
}

/// Answers an asset query.
pub(crate) async fn run(ctx: &Ctx, cmd: AssetQueryCmd) -> anyhow::Result<()> {
    let mut c = ctx.client().await?;
    let out = match cmd {
        AssetQueryCmd::AssetClass { id } => json(&c.asset_class(&id).await?),
        AssetQueryCmd::AssetClasses { after, limit } => {
            json(&c.asset_classes(&after, limit).await?)
        }
        AssetQueryCmd::Asset { class, token } => json(&c.token(&class, token).await?),
        AssetQueryCmd::Tokens { address } => json(&c.all_tokens_of(&ctx.address(&address)?).await?),
        AssetQueryCmd::Provenance { class, token } => json(&c.all_provenance(&class, token).await?),
        AssetQueryCmd::Listings => json(&c.listings(0, 0).await?.listings),
        AssetQueryCmd::Offers => json(&c.offers(0, 0).await?.offers),
        AssetQueryCmd::Auctions => json(&c.auctions(0, 0).await?.auctions),
        AssetQueryCmd::Vault { id } => json(&c.vault(id).await?),
        AssetQueryCmd::Ip { content_hash } => json(&c.ip_work(&hash32(&content_hash)?).await?),
        AssetQueryCmd::Escrow { id } => json(&c.escrow(id).await?),
    }?;
    println!("{out}");
    Ok(())
}

/// Pretty JSON in the proto's field order.
fn json<T: serde::Serialize>(v: &T) -> anyhow::Result<String> {
    Ok(serde_json::to_string_pretty(v)?)
}
