//! Asset classes, tokens and certifiers (`proofwork-state` assets).

use proofwork_state::assets;
use proofwork_tx::{
    AddCertifier, Attest, BurnAsset, CreateAssetClass, ForceTransfer, FreezeAsset, MintFungible,
    MintUnique, TransferUnique,
};

use super::typed_component_handlers;

typed_component_handlers! {
    CreateAssetClass => |m, s, ctx| assets::create_class(
        s,
        ctx.signer,
        &m.id,
        m.unique,
        m.powers,
        m.sales_only,
        &m.royalty,
        &m.metadata,
        m.initial_supply,
    );
    MintFungible => |m, s, ctx| assets::mint_fungible(s, ctx.signer, &m.class, &m.to, m.amount);
    MintUnique => |m, s, ctx| assets::mint_unique(
        s,
        ctx.signer,
        &m.class,
        &m.to,
        &m.metadata,
        m.content_hash,
        &m.royalty,
    );
    TransferUnique => |m, s, ctx| assets::transfer_unique(
        s,
        ctx.signer,
        &m.class,
        m.token,
        &m.to,
        m.price.as_ref().map(|(d, a)| (d.as_str(), *a)),
    );
    BurnAsset => |m, s, ctx| assets::burn(s, ctx.signer, &m.class, m.token, m.amount, m.from.as_ref());
    FreezeAsset => |m, s, ctx| assets::freeze(s, ctx.signer, &m.class, m.token, m.frozen);
    ForceTransfer => |m, s, ctx| assets::force_transfer(
        s,
        ctx.signer,
        &m.class,
        m.token,
        m.amount,
        &m.from,
        &m.to,
    );
    AddCertifier => |m, s, ctx| assets::add_certifier(s, ctx.signer, &m.class, &m.certifier, &m.name);
    Attest => |m, s, ctx| assets::attest(s, ctx.signer, &m.class, m.token, &m.statement);
}
