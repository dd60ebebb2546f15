//! Execution of asset, market, IP and escrow messages: one arm per [`AssetMsg`], each a
//! call into a `proofwork-state` component, turned into an event of the message's kind.

use proofwork_state::{assets, escrow, fractional, ip, market, ExecError, StateWrite};
use proofwork_tx::{Address, AssetMsg};

use super::execute::{event, Event};

/// Executes one asset message signed by `signer`.
///
/// # Errors
/// The message's [`proofwork_tx::TxError`], or a fatal storage error.
pub(crate) fn execute<S: StateWrite>(
    s: &mut S,
    signer: &Address,
    chain_id: &str,
    msg: &AssetMsg,
) -> Result<Event, ExecError> {
    use AssetMsg as A;
    let attrs = match msg {
        A::CreateClass {
            id,
            unique,
            powers,
            sales_only,
            royalty,
            metadata,
            initial_supply,
        } => assets::create_class(
            s,
            signer,
            id,
            *unique,
            *powers,
            *sales_only,
            royalty,
            metadata,
            *initial_supply,
        )?,
        A::MintFungible { class, to, amount } => {
            assets::mint_fungible(s, signer, class, to, *amount)?
        }
        A::MintUnique {
            class,
            to,
            metadata,
            content_hash,
            royalty,
        } => assets::mint_unique(s, signer, class, to, metadata, *content_hash, royalty)?,
        A::TransferUnique {
            class,
            token,
            to,
            price,
        } => assets::transfer_unique(
            s,
            signer,
            class,
            *token,
            to,
            price.as_ref().map(|(d, a)| (d.as_str(), *a)),
        )?,
        A::Burn {
            class,
            token,
            amount,
            from,
        } => assets::burn(s, signer, class, *token, *amount, from.as_ref())?,
        A::Freeze {
            class,
            token,
            frozen,
        } => assets::freeze(s, signer, class, *token, *frozen)?,
        A::ForceTransfer {
            class,
            token,
            amount,
            from,
            to,
        } => assets::force_transfer(s, signer, class, *token, *amount, from, to)?,
        A::List { item, price, denom } => market::list(s, signer, item, *price, denom)?,
        A::CancelListing { id } => market::cancel_listing(s, signer, *id)?,
        A::Buy { id } => market::buy(s, signer, *id)?,
        A::Offer {
            item,
            price,
            denom,
            expires_height,
        } => market::make_offer(s, signer, item, *price, denom, *expires_height)?,
        A::AcceptOffer { id } => market::accept_offer(s, signer, *id)?,
        A::CancelOffer { id } => market::cancel_offer(s, signer, *id)?,
        A::CreateAuction {
            item,
            denom,
            min_bid,
            end_time_ns,
        } => market::create_auction(s, signer, item, denom, *min_bid, *end_time_ns)?,
        A::Bid { id, amount } => market::bid(s, signer, *id, *amount)?,
        A::SettleAuction { id } => market::settle_auction(s, *id)?,
        A::Fractionalize {
            class,
            token,
            shares,
            reserve,
            denom,
        } => fractional::fractionalize(s, signer, class, *token, *shares, *reserve, denom)?,
        A::Buyout { vault } => fractional::buyout(s, signer, *vault)?,
        A::RedeemShares { vault, amount } => fractional::redeem_shares(s, signer, *vault, *amount)?,
        A::Unfractionalize { vault } => fractional::unfractionalize(s, signer, *vault)?,
        A::RegisterIp {
            content_hash,
            title,
            class,
            token,
        } => ip::register(s, signer, content_hash, title, class, *token)?,
        A::AddLicenseTerms {
            content_hash,
            fee,
            denom,
            duration_ns,
            scope,
        } => ip::add_terms(s, signer, content_hash, *fee, denom, *duration_ns, scope)?,
        A::TakeLicense {
            content_hash,
            terms,
        } => ip::take_license(s, signer, content_hash, *terms)?,
        A::AddCertifier {
            class,
            certifier,
            name,
        } => assets::add_certifier(s, signer, class, certifier, name)?,
        A::Attest {
            class,
            token,
            statement,
        } => assets::attest(s, signer, class, *token, statement)?,
        A::CreateEscrow {
            counterparty,
            oracle,
            event,
            denom,
            deposit,
            counter_deposit,
            deadline_ns,
        } => escrow::create(
            s,
            signer,
            counterparty,
            oracle,
            event,
            denom,
            *deposit,
            *counter_deposit,
            *deadline_ns,
        )?,
        A::FundEscrow { id } => escrow::fund(s, signer, *id)?,
        A::ResolveEscrow {
            id,
            outcome,
            signature,
        } => escrow::resolve(s, chain_id, *id, *outcome, signature)?,
        A::RefundEscrow { id } => escrow::refund(s, *id)?,
    };
    let mut all: Vec<(&str, String)> = Vec::with_capacity(attrs.len() + 1);
    all.push(("signer", signer.to_string()));
    all.extend(attrs);
    Ok(event(msg.kind_name(), &all))
}
