//! Fractional ownership vaults (`proofwork-state` fractional).

use proofwork_state::fractional;
use proofwork_tx::{Buyout, Fractionalize, RedeemShares, Unfractionalize};

use super::typed_component_handlers;

typed_component_handlers! {
    Fractionalize => |m, s, ctx| fractional::fractionalize(
        s,
        ctx.signer,
        &m.class,
        m.token,
        m.shares,
        m.reserve,
        &m.denom,
    );
    Buyout => |m, s, ctx| fractional::buyout(s, ctx.signer, m.vault);
    RedeemShares => |m, s, ctx| fractional::redeem_shares(s, ctx.signer, m.vault, m.amount);
    Unfractionalize => |m, s, ctx| fractional::unfractionalize(s, ctx.signer, m.vault);
}
