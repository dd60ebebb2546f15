//! `proofwork.assets.v1.AssetQuery`: read-only queries over the asset components. Point
//! queries (class, token, vault, work, escrow) read any kept height and can prove what they
//! read (`at`, see `proven.rs`); lists read the latest height.

use proofwork_proto::assets::v1::{self as pb, asset_query_server};
use proofwork_proto::tx::v1 as pbtx;
use proofwork_state::royalties::RoyaltyPolicy;
use proofwork_state::{accounts, assets, escrow, fractional, ip, market, Storage};
use proofwork_tx::assets::{item_to_proto, powers};
use tonic::{Request, Response, Status};

use super::proven::{state_status, AtReader};
use super::{internal, page_limit, parse_address, take_page, MAX_PAGE};

/// The `proofwork.assets.v1.AssetQuery` service.
#[derive(Clone)]
pub struct AssetService {
    storage: Storage,
}

impl AssetService {
    /// A service over a node's store (either engine).
    pub fn new(storage: Storage) -> Self {
        AssetService { storage }
    }

    fn storage(&self) -> &Storage {
        &self.storage
    }
}

fn royalty(p: &RoyaltyPolicy) -> Vec<pbtx::RoyaltyShare> {
    p.shares
        .iter()
        .map(|s| pbtx::RoyaltyShare {
            recipient: s.recipient.to_string(),
            bps: u32::from(s.bps),
        })
        .collect()
}

fn page(r: &pb::PageRequest) -> (u64, usize) {
    (r.after, page_limit(r.limit))
}

fn token_info(t: &assets::Token) -> pb::TokenInfo {
    pb::TokenInfo {
        class_id: t.class.clone(),
        token_id: t.id,
        owner: t.owner.to_string(),
        metadata: t.metadata.clone(),
        content_hash: t.content_hash.to_vec(),
        royalty: royalty(&t.royalty),
        frozen: t.frozen,
        locked_by: match t.lock {
            assets::Lock::None => String::new(),
            l => l.to_string(),
        },
        proof: None,
    }
}

fn not_found(what: String) -> Status {
    Status::not_found(what)
}

fn opt_addr(a: Option<proofwork_tx::Address>) -> String {
    a.map(|a| a.to_string()).unwrap_or_default()
}

/// A class as the API shows it (without a proof), with a fungible class's supply read
/// through `s`.
fn class_info<S: proofwork_state::StateRead>(
    s: &S,
    c: assets::AssetClass,
) -> Result<pb::AssetClassInfo, Status> {
    let supply = match c.kind {
        assets::AssetKind::Fungible => accounts::supply(s, &c.id)
            .map_err(state_status)?
            .circulating()
            .unwrap_or(0)
            .to_string(),
        assets::AssetKind::Unique => String::new(),
    };
    Ok(pb::AssetClassInfo {
        proof: None,
        class_id: c.id.clone(),
        unique: c.kind == assets::AssetKind::Unique,
        admin: c.admin.to_string(),
        powers: Some(pbtx::AdminPowers {
            mint: c.powers & powers::MINT != 0,
            burn: c.powers & powers::BURN != 0,
            freeze: c.powers & powers::FREEZE != 0,
            force_transfer: c.powers & powers::FORCE_TRANSFER != 0,
        }),
        sales_only: c.sales_only,
        royalty: royalty(&c.royalty),
        metadata: c.metadata,
        frozen: c.frozen,
        created_height: c.created_height,
        supply,
    })
}

#[tonic::async_trait]
impl asset_query_server::AssetQuery for AssetService {
    async fn asset_class(
        &self,
        req: Request<pb::AssetClassRequest>,
    ) -> Result<Response<pb::AssetClassInfo>, Status> {
        let r = req.get_ref();
        let id = &r.class_id;
        let s = AtReader::new(self.storage(), r.at.as_ref())?;
        let c = assets::class(&s, id)
            .map_err(state_status)?
            .ok_or_else(|| not_found(format!("asset class {id:?}")))?;
        let info = class_info(&s, c)?;
        Ok(Response::new(pb::AssetClassInfo {
            proof: s.finish()?,
            ..info
        }))
    }

    async fn asset_classes(
        &self,
        req: Request<pb::AssetClassesRequest>,
    ) -> Result<Response<pb::AssetClassesResponse>, Status> {
        let r = req.get_ref();
        let s = self.storage();
        let limit = page_limit(r.limit);
        let after = (!r.after.is_empty()).then_some(r.after.as_str());
        // One more than asked for says whether another page follows.
        let (page, more) = take_page(
            assets::classes(s, after, limit + 1).map_err(internal)?,
            limit,
        );
        let classes = page
            .into_iter()
            .map(|c| class_info(s, c))
            .collect::<Result<_, _>>()?;
        Ok(Response::new(pb::AssetClassesResponse { classes, more }))
    }

    async fn token(
        &self,
        req: Request<pb::TokenRequest>,
    ) -> Result<Response<pb::TokenInfo>, Status> {
        let r = req.get_ref();
        let s = AtReader::new(self.storage(), r.at.as_ref())?;
        let t = assets::token(&s, &r.class_id, r.token_id)
            .map_err(state_status)?
            .ok_or_else(|| not_found(format!("token {}#{}", r.class_id, r.token_id)))?;
        Ok(Response::new(pb::TokenInfo {
            proof: s.finish()?,
            ..token_info(&t)
        }))
    }

    async fn tokens_of(
        &self,
        req: Request<pb::TokensOfRequest>,
    ) -> Result<Response<pb::TokensOfResponse>, Status> {
        let r = req.get_ref();
        let owner = parse_address(&r.owner)?;
        let s = self.storage();
        let limit = page_limit(r.limit);
        let after = (!r.after_class.is_empty()).then_some((r.after_class.as_str(), r.after_token));
        // One more than asked for says whether another page follows.
        let (ids, more) = take_page(
            assets::tokens_of(s, &owner, after, limit + 1).map_err(internal)?,
            limit,
        );
        let mut tokens = Vec::with_capacity(ids.len());
        for (class, id) in ids {
            if let Some(t) = assets::token(s, &class, id).map_err(internal)? {
                tokens.push(token_info(&t));
            }
        }
        Ok(Response::new(pb::TokensOfResponse { tokens, more }))
    }

    async fn provenance(
        &self,
        req: Request<pb::ProvenanceRequest>,
    ) -> Result<Response<pb::ProvenanceResponse>, Status> {
        let r = req.get_ref();
        // A history is a list: `at` may only name the latest height, unproven.
        let s = AtReader::new(self.storage(), r.at.as_ref())?;
        let limit = page_limit(r.limit);
        let (page, more) = take_page(
            assets::provenance(&s, &r.class_id, r.token_id, r.after, limit + 1)
                .map_err(state_status)?,
            limit,
        );
        // An empty history is either the end of a page or a token that never existed
        // (a burned token keeps its history): tell the second apart as NOT_FOUND.
        if page.is_empty()
            && assets::token(&s, &r.class_id, r.token_id)
                .map_err(state_status)?
                .is_none()
            && assets::provenance(&s, &r.class_id, r.token_id, 0, 1)
                .map_err(state_status)?
                .is_empty()
        {
            return Err(not_found(format!(
                "token {}#{} has no history: it was never minted",
                r.class_id, r.token_id
            )));
        }
        let entries = page
            .into_iter()
            .map(|(seq, e)| pb::ProvenanceEntry {
                kind: e.kind.name().into(),
                from: opt_addr(e.from),
                to: opt_addr(e.to),
                height: e.height,
                time_ns: e.time_ns,
                price: e
                    .price
                    .as_ref()
                    .map(|p| p.amount.to_string())
                    .unwrap_or_default(),
                denom: e.price.map(|p| p.denom).unwrap_or_default(),
                note: e.note,
                seq,
            })
            .collect();
        Ok(Response::new(pb::ProvenanceResponse { entries, more }))
    }

    async fn listings(
        &self,
        req: Request<pb::PageRequest>,
    ) -> Result<Response<pb::ListingsResponse>, Status> {
        let (after, limit) = page(req.get_ref());
        let listings = market::listings(self.storage(), after, limit)
            .map_err(internal)?
            .into_iter()
            .map(|l| pb::ListingInfo {
                id: l.id,
                seller: l.seller.to_string(),
                item: Some(item_to_proto(&l.item)),
                price: l.price.to_string(),
                denom: l.denom,
                height: l.height,
            })
            .collect();
        Ok(Response::new(pb::ListingsResponse { listings }))
    }

    async fn offers(
        &self,
        req: Request<pb::PageRequest>,
    ) -> Result<Response<pb::OffersResponse>, Status> {
        let (after, limit) = page(req.get_ref());
        // A ranged read (offers cost little to post, so reading them all to page in memory
        // would let anyone make every Offers call slow), without expired offers.
        let offers = market::expiry::open_offers(self.storage(), after, limit)
            .map_err(internal)?
            .into_iter()
            .map(|o| pb::OfferInfo {
                id: o.id,
                buyer: o.buyer.to_string(),
                item: Some(item_to_proto(&o.item)),
                price: o.price.to_string(),
                denom: o.denom,
                expires_height: o.expires_height,
            })
            .collect();
        Ok(Response::new(pb::OffersResponse { offers }))
    }

    async fn auctions(
        &self,
        req: Request<pb::PageRequest>,
    ) -> Result<Response<pb::AuctionsResponse>, Status> {
        let (after, limit) = page(req.get_ref());
        let auctions = market::auctions(self.storage(), after, limit)
            .map_err(internal)?
            .into_iter()
            .map(|a| pb::AuctionInfo {
                id: a.id,
                seller: a.seller.to_string(),
                item: Some(item_to_proto(&a.item)),
                denom: a.denom,
                min_bid: a.min_bid.to_string(),
                end_time_ns: a.end_time_ns,
                best_bidder: opt_addr(a.best.map(|b| b.0)),
                best_bid: a.best.map(|b| b.1.to_string()).unwrap_or_default(),
            })
            .collect();
        Ok(Response::new(pb::AuctionsResponse { auctions }))
    }

    async fn vault(&self, req: Request<pb::IdRequest>) -> Result<Response<pb::VaultInfo>, Status> {
        let r = req.get_ref();
        let id = r.id;
        let s = AtReader::new(self.storage(), r.at.as_ref())?;
        let v = fractional::vault(&s, id)
            .map_err(state_status)?
            .ok_or_else(|| not_found(format!("vault {id}")))?;
        Ok(Response::new(pb::VaultInfo {
            proof: s.finish()?,
            id: v.id,
            class_id: v.class.clone(),
            token_id: v.token,
            curator: v.curator.to_string(),
            shares: v.shares.to_string(),
            outstanding: v.outstanding.to_string(),
            reserve: v.reserve.to_string(),
            denom: v.denom.clone(),
            state: match v.state {
                fractional::VaultState::Active => "active",
                fractional::VaultState::BoughtOut => "bought_out",
                fractional::VaultState::Closed => "closed",
            }
            .into(),
            buyer: opt_addr(v.buyer),
            share_denom: v.share_denom(),
            account: v.account().to_string(),
        }))
    }

    async fn work(&self, req: Request<pb::WorkRequest>) -> Result<Response<pb::WorkInfo>, Status> {
        let r = req.get_ref();
        let hash: [u8; 32] = r
            .content_hash
            .as_slice()
            .try_into()
            .map_err(|_| Status::invalid_argument("content_hash must be 32 bytes"))?;
        let s = AtReader::new(self.storage(), r.at.as_ref())?;
        let w = ip::work(&s, &hash)
            .map_err(state_status)?
            .ok_or_else(|| not_found(format!("work {}", hex::encode(hash))))?;
        // Terms and licences are lists: read only where scans are possible (see the proto).
        let (terms, licenses) = if s.can_scan() {
            (
                ip::terms(&s, &hash).map_err(state_status)?,
                ip::licenses(&s, &hash, MAX_PAGE).map_err(state_status)?,
            )
        } else {
            (Vec::new(), Vec::new())
        };
        let terms = terms
            .into_iter()
            .map(|t| pb::LicenseTermsInfo {
                id: t.id,
                fee: t.fee.to_string(),
                denom: t.denom,
                duration_ns: t.duration_ns,
                scope: t.scope,
            })
            .collect();
        let licenses = licenses
            .into_iter()
            .map(|l| pb::LicenseInfo {
                id: l.id,
                terms_id: l.terms,
                licensee: l.licensee.to_string(),
                paid_to: l.paid_to.to_string(),
                fee: l.fee.to_string(),
                denom: l.denom,
                granted_ns: l.granted_ns,
                expires_ns: l.expires_ns,
                scope: l.scope,
            })
            .collect();
        Ok(Response::new(pb::WorkInfo {
            content_hash: w.content_hash.to_vec(),
            title: w.title,
            class_id: w.class,
            token_id: w.token,
            registrant: w.registrant.to_string(),
            height: w.height,
            time_ns: w.time_ns,
            terms,
            licenses,
            proof: s.finish()?,
        }))
    }

    async fn escrow(
        &self,
        req: Request<pb::IdRequest>,
    ) -> Result<Response<pb::EscrowInfo>, Status> {
        let r = req.get_ref();
        let id = r.id;
        let s = AtReader::new(self.storage(), r.at.as_ref())?;
        let e = escrow::escrow(&s, id)
            .map_err(state_status)?
            .ok_or_else(|| not_found(format!("escrow {id}")))?;
        Ok(Response::new(pb::EscrowInfo {
            proof: s.finish()?,
            id: e.id,
            holder: e.holder.to_string(),
            counterparty: e.counterparty.to_string(),
            oracle_key: e.oracle.to_vec(),
            event: e.event.clone(),
            denom: e.denom.clone(),
            deposit: e.deposit.to_string(),
            counter_deposit: e.counter_deposit.to_string(),
            deadline_ns: e.deadline_ns,
            state: e.state.to_string(),
        }))
    }
}
