//! IP registry and licenses (`proofwork-state` ip).

use proofwork_state::ip;
use proofwork_tx::{AddLicenseTerms, RegisterIp, TakeLicense};

use super::typed_component_handlers;

typed_component_handlers! {
    RegisterIp => |m, s, ctx| ip::register(s, ctx.signer, &m.content_hash, &m.title, &m.class, m.token);
    AddLicenseTerms => |m, s, ctx| ip::add_terms(
        s,
        ctx.signer,
        &m.content_hash,
        m.fee,
        &m.denom,
        m.duration_ns,
        &m.scope,
    );
    TakeLicense => |m, s, ctx| ip::take_license(s, ctx.signer, &m.content_hash, m.terms);
}
