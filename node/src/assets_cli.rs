//! `proofwork tx …` and `proofwork query …` for assets, the market, fractional vaults, the
//! IP registry, attestations and oracle escrows.
// Auction and escrow deadlines are block times; the CLI turns "in N seconds" into one with
// the wall clock, which is fine outside consensus.
#![allow(clippy::disallowed_methods)]

use anyhow::{bail, Context as _};
use clap::{Args, Subcommand};
use proofwork_client::Client;
use proofwork_node::home::{self, Home};
use proofwork_tx::assets::{oracle_digest, powers, ShareSpec};
use proofwork_tx::{Address, Item, Message, PublicKey};

use crate::resolve_address;

/// Who signs and how.
#[derive(Args, Clone)]
pub(crate) struct Signer {
    /// Key name in the keyring.
    #[arg(long)]
    from: String,
    /// Fee (native denomination).
    #[arg(long, default_value_t = 1)]
    fee: u128,
    /// Return once the tx is in the mempool instead of waiting for the commit.
    #[arg(long)]
    no_wait: bool,
}

/// What to trade: `--class C --token N`, `--denom D --amount N`, or a royalty right
/// (`--royalty-right --class C [--token N]`).
#[derive(Args, Clone)]
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
            _ => bail!("give either --class/--token or --denom/--amount"),
        })
    }
}

#[derive(Subcommand)]
pub(crate) enum AssetTxCmd {
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
        #[arg(long)]
        class: String,
        /// Recipient address or key name (default: the signer).
        #[arg(long)]
        to: Option<String>,
        #[arg(long)]
        amount: Option<u128>,
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
        #[arg(long)]
        class: String,
        #[arg(long)]
        token: u64,
        #[arg(long)]
        to: String,
        #[arg(long, default_value_t = 0)]
        price: u128,
        #[arg(long, default_value = "upw")]
        price_denom: String,
    },
    /// Freeze or unfreeze a class (no --token) or a token.
    Freeze {
        #[command(flatten)]
        signer: Signer,
        #[arg(long)]
        class: String,
        #[arg(long, default_value_t = 0)]
        token: u64,
        /// Unfreeze instead.
        #[arg(long)]
        thaw: bool,
    },
    /// List an item at a fixed price.
    List {
        #[command(flatten)]
        signer: Signer,
        #[command(flatten)]
        item: ItemArgs,
        #[arg(long)]
        price: u128,
        #[arg(long, default_value = "upw")]
        price_denom: String,
    },
    /// Cancel a listing.
    Unlist {
        #[command(flatten)]
        signer: Signer,
        #[arg(long)]
        listing: u64,
    },
    /// Buy a listing (royalties are paid by the chain).
    Buy {
        #[command(flatten)]
        signer: Signer,
        #[arg(long)]
        listing: u64,
    },
    /// Offer a price for an item (escrowed), or accept/cancel an offer.
    Offer {
        #[command(flatten)]
        signer: Signer,
        #[command(flatten)]
        item: ItemArgs,
        #[arg(long, default_value_t = 0)]
        price: u128,
        #[arg(long, default_value = "upw")]
        price_denom: String,
        #[arg(long, default_value_t = 0)]
        expires_height: u64,
        /// Accept this offer instead (as the holder of the item).
        #[arg(long)]
        accept: Option<u64>,
        /// Cancel this offer instead (as the buyer).
        #[arg(long)]
        cancel: Option<u64>,
    },
    /// Start an English auction.
    Auction {
        #[command(flatten)]
        signer: Signer,
        #[command(flatten)]
        item: ItemArgs,
        #[arg(long)]
        min_bid: u128,
        #[arg(long, default_value = "upw")]
        price_denom: String,
        /// Ends this many seconds from now (block time).
        #[arg(long, default_value_t = 60)]
        duration_secs: u64,
    },
    /// Bid on an auction.
    Bid {
        #[command(flatten)]
        signer: Signer,
        #[arg(long)]
        auction: u64,
        #[arg(long)]
        amount: u128,
    },
    /// Settle an ended auction.
    Settle {
        #[command(flatten)]
        signer: Signer,
        #[arg(long)]
        auction: u64,
    },
    /// Lock a unique token into a vault issuing fungible shares.
    Fractionalize {
        #[command(flatten)]
        signer: Signer,
        #[arg(long)]
        class: String,
        #[arg(long)]
        token: u64,
        #[arg(long)]
        shares: u128,
        #[arg(long)]
        reserve: u128,
        #[arg(long, default_value = "upw")]
        price_denom: String,
    },
    /// Buy a vault's token at its reserve price.
    Buyout {
        #[command(flatten)]
        signer: Signer,
        #[arg(long)]
        vault: u64,
    },
    /// Redeem shares after a buyout (--amount), or all shares for the token (no --amount).
    Redeem {
        #[command(flatten)]
        signer: Signer,
        #[arg(long)]
        vault: u64,
        #[arg(long)]
        amount: Option<u128>,
    },
    /// Register a work by content hash, bound to a token the signer owns.
    RegisterIp {
        #[command(flatten)]
        signer: Signer,
        /// 32-byte content hash, hex.
        #[arg(long)]
        content_hash: String,
        #[arg(long, default_value = "")]
        title: String,
        #[arg(long)]
        class: String,
        #[arg(long)]
        token: u64,
    },
    /// Add licence terms to a work (--price …), or take a licence (--terms N).
    License {
        #[command(flatten)]
        signer: Signer,
        #[arg(long)]
        content_hash: String,
        /// Take a licence under these terms.
        #[arg(long)]
        terms: Option<u64>,
        /// Licence fee of new terms.
        #[arg(long, default_value_t = 0)]
        price: u128,
        #[arg(long, default_value = "upw")]
        price_denom: String,
        #[arg(long, default_value_t = 86_400)]
        duration_secs: u64,
        #[arg(long, default_value = "")]
        scope: String,
    },
    /// Register a certifier for a class (admin), or attest as one (--statement).
    Attest {
        #[command(flatten)]
        signer: Signer,
        #[arg(long)]
        class: String,
        #[arg(long, default_value_t = 0)]
        token: u64,
        #[arg(long)]
        statement: Option<String>,
        /// Register this certifier (address or key name) instead.
        #[arg(long)]
        add_certifier: Option<String>,
        #[arg(long, default_value = "")]
        name: String,
    },
    /// Oracle-conditional escrow.
    Escrow {
        #[command(subcommand)]
        cmd: EscrowCmd,
    },
}

#[derive(Subcommand)]
pub(crate) enum EscrowCmd {
    /// Create one and deposit (as the policy holder).
    Create {
        #[command(flatten)]
        signer: Signer,
        #[arg(long)]
        counterparty: String,
        /// Oracle public key (hex, 33 bytes) or key name.
        #[arg(long)]
        oracle: String,
        #[arg(long)]
        event: String,
        #[arg(long, default_value = "upw")]
        price_denom: String,
        #[arg(long)]
        deposit: u128,
        #[arg(long)]
        counter_deposit: u128,
        #[arg(long, default_value_t = 3600)]
        deadline_secs: u64,
    },
    /// Fund it (as the counterparty).
    Fund {
        #[command(flatten)]
        signer: Signer,
        #[arg(long)]
        id: u64,
    },
    /// Print an oracle signature (hex) for an outcome; broadcasts nothing.
    Sign {
        #[command(flatten)]
        home_key: OracleKey,
        #[arg(long)]
        id: u64,
        #[arg(long)]
        outcome: bool,
        /// The escrow's chain (the signature is valid there only); default: the home's
        /// genesis chain id.
        #[arg(long)]
        chain_id: Option<String>,
    },
    /// Resolve with the oracle's signature.
    Resolve {
        #[command(flatten)]
        signer: Signer,
        #[arg(long)]
        id: u64,
        #[arg(long)]
        outcome: bool,
        /// Hex signature from `escrow sign`.
        #[arg(long)]
        signature: String,
    },
    /// Refund after the deadline.
    Refund {
        #[command(flatten)]
        signer: Signer,
        #[arg(long)]
        id: u64,
    },
}

#[derive(Args, Clone)]
pub(crate) struct OracleKey {
    /// Oracle key name in the keyring.
    #[arg(long)]
    oracle: String,
}

#[derive(Subcommand)]
pub(crate) enum AssetQueryCmd {
    /// An asset class.
    AssetClass { id: String },
    /// A unique token.
    Asset { class: String, token: u64 },
    /// Unique tokens held by an account.
    Tokens { address: String },
    /// A token's full history.
    Provenance { class: String, token: u64 },
    /// Open listings.
    Listings,
    /// Open offers.
    Offers,
    /// Open auctions.
    Auctions,
    /// A fractional vault.
    Vault { id: u64 },
    /// A registered work (hex content hash).
    Ip { content_hash: String },
    /// An oracle escrow.
    Escrow { id: u64 },
}

fn parse_shares(h: &Home, v: &[String]) -> anyhow::Result<Vec<ShareSpec>> {
    v.iter()
        .map(|s| {
            let (who, bps) = s.rsplit_once(':').context("royalty must be ADDRESS:BPS")?;
            Ok(ShareSpec {
                recipient: resolve_address(h, who)?,
                bps: bps.parse().context("bps")?,
            })
        })
        .collect()
}

fn hash32(s: &str) -> anyhow::Result<[u8; 32]> {
    hex::decode(s)
        .context("content hash must be hex")?
        .try_into()
        .map_err(|_| anyhow::anyhow!("content hash must be 32 bytes"))
}

fn in_secs(secs: u64) -> anyhow::Result<u64> {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?;
    Ok(u64::try_from(now.as_nanos())?.saturating_add(secs.saturating_mul(1_000_000_000)))
}

fn parse_powers(s: &str) -> anyhow::Result<u8> {
    let mut bits = 0;
    for p in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        bits |= match p {
            "mint" => powers::MINT,
            "burn" => powers::BURN,
            "freeze" => powers::FREEZE,
            "force_transfer" | "force-transfer" => powers::FORCE_TRANSFER,
            other => bail!("unknown power {other:?}"),
        };
    }
    Ok(bits)
}

/// Builds, signs and sends one asset message; prints the committed result as JSON.
pub(crate) async fn tx(h: &Home, node: &str, cmd: AssetTxCmd) -> anyhow::Result<()> {
    let (signer, msg) = match cmd {
        AssetTxCmd::CreateClass {
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
                royalty: parse_shares(h, &royalty)?,
                metadata,
                initial_supply: supply,
            }),
        ),
        AssetTxCmd::Mint {
            signer,
            class,
            to,
            amount,
            metadata,
            content_hash,
            royalty,
        } => {
            let me = home::load_key(h, &signer.from)?.0.address.parse()?;
            let to = match to {
                Some(t) => resolve_address(h, &t)?,
                None => me,
            };
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
                    royalty: parse_shares(h, &royalty)?,
                }),
            };
            (signer, msg)
        }
        AssetTxCmd::TransferToken {
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
                to: resolve_address(h, &to)?,
                price: (price > 0).then_some((price_denom, price)),
            }),
        ),
        AssetTxCmd::Freeze {
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
        AssetTxCmd::List {
            signer,
            item,
            price,
            price_denom,
        } => (
            signer,
            Message::CreateListing(proofwork_tx::CreateListing {
                item: item.item()?,
                price,
                denom: price_denom,
            }),
        ),
        AssetTxCmd::Unlist { signer, listing } => (
            signer,
            Message::CancelListing(proofwork_tx::CancelListing { id: listing }),
        ),
        AssetTxCmd::Buy { signer, listing } => (
            signer,
            Message::BuyListing(proofwork_tx::BuyListing { id: listing }),
        ),
        AssetTxCmd::Offer {
            signer,
            item,
            price,
            price_denom,
            expires_height,
            accept,
            cancel,
        } => {
            let msg = match (accept, cancel) {
                (Some(id), _) => Message::AcceptOffer(proofwork_tx::AcceptOffer { id }),
                (None, Some(id)) => Message::CancelOffer(proofwork_tx::CancelOffer { id }),
                (None, None) => Message::MakeOffer(proofwork_tx::MakeOffer {
                    item: item.item()?,
                    price,
                    denom: price_denom,
                    expires_height,
                }),
            };
            (signer, msg)
        }
        AssetTxCmd::Auction {
            signer,
            item,
            min_bid,
            price_denom,
            duration_secs,
        } => (
            signer,
            Message::CreateAuction(proofwork_tx::CreateAuction {
                item: item.item()?,
                denom: price_denom,
                min_bid,
                end_time_ns: in_secs(duration_secs)?,
            }),
        ),
        AssetTxCmd::Bid {
            signer,
            auction,
            amount,
        } => (
            signer,
            Message::PlaceBid(proofwork_tx::PlaceBid {
                id: auction,
                amount,
            }),
        ),
        AssetTxCmd::Settle { signer, auction } => (
            signer,
            Message::SettleAuction(proofwork_tx::SettleAuction { id: auction }),
        ),
        AssetTxCmd::Fractionalize {
            signer,
            class,
            token,
            shares,
            reserve,
            price_denom,
        } => (
            signer,
            Message::Fractionalize(proofwork_tx::Fractionalize {
                class,
                token,
                shares,
                reserve,
                denom: price_denom,
            }),
        ),
        AssetTxCmd::Buyout { signer, vault } => {
            (signer, Message::Buyout(proofwork_tx::Buyout { vault }))
        }
        AssetTxCmd::Redeem {
            signer,
            vault,
            amount,
        } => (
            signer,
            match amount {
                Some(amount) => Message::RedeemShares(proofwork_tx::RedeemShares { vault, amount }),
                None => Message::Unfractionalize(proofwork_tx::Unfractionalize { vault }),
            },
        ),
        AssetTxCmd::RegisterIp {
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
        AssetTxCmd::License {
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
        AssetTxCmd::Attest {
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
                    certifier: resolve_address(h, &c)?,
                    name,
                }),
                (None, Some(statement)) => Message::Attest(proofwork_tx::Attest {
                    class,
                    token,
                    statement,
                }),
                (None, None) => bail!("give --statement or --add-certifier"),
            };
            (signer, msg)
        }
        AssetTxCmd::Escrow { cmd } => match cmd {
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
                    Ok(b) if b.len() == 33 => PublicKey::from_bytes(&b)?,
                    _ => home::load_key(h, &oracle)?.1.public_key(),
                };
                (
                    signer,
                    Message::CreateEscrow(proofwork_tx::CreateEscrow {
                        counterparty: resolve_address(h, &counterparty)?,
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
                home_key,
                id,
                outcome,
                chain_id,
            } => {
                let (_, key) = home::load_key(h, &home_key.oracle)?;
                let chain_id = match chain_id {
                    Some(c) => c,
                    None => {
                        h.load_genesis()
                            .context("--chain-id not given and the home has no genesis")?
                            .chain_id
                    }
                };
                println!(
                    "{}",
                    hex::encode(key.sign_digest(&oracle_digest(&chain_id, id, outcome)))
                );
                return Ok(());
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
                    outcome,
                    signature: hex::decode(&signature).context("signature must be hex")?,
                }),
            ),
            EscrowCmd::Refund { signer, id } => (
                signer,
                Message::RefundEscrow(proofwork_tx::RefundEscrow { id }),
            ),
        },
    };
    let (_, key) = home::load_key(h, &signer.from)?;
    let mut c = Client::connect(node).await?;
    let r = c.send(&key, vec![msg], signer.fee, !signer.no_wait).await?;
    let committed = r.committed.as_ref().map(|c| {
        let res = c.result.clone().unwrap_or_default();
        let events: Vec<_> = res
            .events
            .iter()
            .map(|e| {
                let attrs: serde_json::Map<String, serde_json::Value> = e
                    .attributes
                    .iter()
                    .map(|a| (a.key.clone(), serde_json::Value::String(a.value.clone())))
                    .collect();
                serde_json::json!({"kind": e.kind, "attributes": attrs})
            })
            .collect();
        serde_json::json!({"height": c.height, "code": res.code, "log": res.log, "events": events})
    });
    println!(
        "{}",
        serde_json::json!({"hash": hex::encode(&r.hash), "committed": committed})
    );
    Ok(())
}

/// Answers an asset query, printed as pretty JSON (bytes as hex, amounts as decimal
/// strings, field names as in `assets/v1/assets.proto`).
pub(crate) async fn query(node: &str, cmd: AssetQueryCmd) -> anyhow::Result<()> {
    let mut c = Client::connect(node).await?;
    let out = match cmd {
        AssetQueryCmd::AssetClass { id } => json(&c.asset_class(&id).await?),
        AssetQueryCmd::Asset { class, token } => json(&c.token(&class, token).await?),
        AssetQueryCmd::Tokens { address } => {
            let owner: Address = address.parse().context("parsing the owner address")?;
            json(&c.all_tokens_of(&owner).await?)
        }
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

fn json<T: serde::Serialize>(v: &T) -> anyhow::Result<String> {
    Ok(serde_json::to_string_pretty(v)?)
}
