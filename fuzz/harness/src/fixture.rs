//! Shared inputs: fuzz keys, the fuzz chain id, signing of raw protobuf bodies, and a
//! sample of valid messages of many kinds (seeds for the tx and app targets).
//!
//! Messages are built in their protobuf form, never as `proofwork_tx::Message` values, so
//! the harness does not depend on the domain enum's shape.

use proofwork_proto::tx::v1 as pb;
use proofwork_tx::{signing_digest, Address, SecretKey};
use prost::Message as _;

/// Chain id of every fuzz chain.
pub const CHAIN: &str = "pw-fuzz";

/// Native denomination of the fuzz chains.
pub const DENOM: &str = "upw";

/// Number of funded fuzz signers.
pub const SIGNERS: usize = 4;

/// Fuzz signer `i` (taken modulo [`SIGNERS`]).
pub fn key(i: usize) -> SecretKey {
    SecretKey::from_seed(&format!("fuzz-signer-{}", i % SIGNERS))
}

/// Address of fuzz signer `i`.
pub fn addr(i: usize) -> Address {
    key(i).public_key().address()
}

/// Encodes `body`, signs it with `key` and returns the tx bytes.
pub fn sign(key: &SecretKey, body: &pb::TxBody) -> Vec<u8> {
    sign_bytes(key, body.encode_to_vec())
}

/// Signs arbitrary body bytes (they need not decode) and returns the tx bytes.
pub fn sign_bytes(key: &SecretKey, body_bytes: Vec<u8>) -> Vec<u8> {
    let signature = key.sign_digest(&signing_digest(&body_bytes));
    pb::Tx {
        body_bytes: body_bytes.into(),
        public_key: key.public_key().to_bytes().to_vec(),
        signature: signature.to_vec(),
    }
    .encode_to_vec()
}

fn msg(kind: pb::message::Kind) -> pb::Message {
    pb::Message { kind: Some(kind) }
}

fn unique(class_id: &str, token_id: u64) -> Option<pb::Item> {
    Some(pb::Item {
        kind: Some(pb::item::Kind::Unique(pb::UniqueItem {
            class_id: class_id.into(),
            token_id,
        })),
    })
}

/// Valid messages of many kinds, as fuzz signer 0 would send them on a fresh fuzz chain
/// (some depend on earlier ones: the asset class, the listing, the model).
pub fn sample_messages() -> Vec<pb::Message> {
    use pb::message::Kind;
    let to = addr(1).to_string();
    let me = addr(0).to_string();
    vec![
        msg(Kind::Transfer(pb::Transfer {
            to: to.clone(),
            denom: DENOM.into(),
            amount: "1000".into(),
        })),
        msg(Kind::CreateAssetClass(pb::CreateAssetClass {
            class_id: "art".into(),
            unique: true,
            powers: Some(pb::AdminPowers {
                mint: true,
                burn: true,
                freeze: true,
                force_transfer: true,
            }),
            sales_only: false,
            royalty: vec![pb::RoyaltyShare {
                recipient: to.clone(),
                bps: 250,
            }],
            metadata: "m".into(),
            initial_supply: String::new(),
        })),
        msg(Kind::MintUnique(pb::MintUnique {
            class_id: "art".into(),
            to: me.clone(),
            metadata: "token".into(),
            content_hash: vec![7; 32],
            royalty: vec![],
        })),
        msg(Kind::CreateListing(pb::CreateListing {
            item: unique("art", 1),
            price: "500".into(),
            denom: DENOM.into(),
        })),
        msg(Kind::BuyListing(pb::BuyListing { listing_id: 1 })),
        msg(Kind::MakeOffer(pb::MakeOffer {
            item: unique("art", 1),
            price: "300".into(),
            denom: DENOM.into(),
            expires_height: 5,
        })),
        msg(Kind::CreateAuction(pb::CreateAuction {
            item: unique("art", 1),
            denom: DENOM.into(),
            min_bid: "10".into(),
            end_time_ns: 4_000_000_000,
        })),
        msg(Kind::PlaceBid(pb::PlaceBid {
            auction_id: 1,
            amount: "20".into(),
        })),
        msg(Kind::Fractionalize(pb::Fractionalize {
            class_id: "art".into(),
            token_id: 1,
            shares: "100".into(),
            reserve_price: "1000".into(),
            denom: DENOM.into(),
        })),
        msg(Kind::RegisterIp(pb::RegisterIp {
            content_hash: vec![7; 32],
            title: "t".into(),
            class_id: String::new(),
            token_id: 0,
        })),
        msg(Kind::AddLicenseTerms(pb::AddLicenseTerms {
            content_hash: vec![7; 32],
            fee: "5".into(),
            denom: DENOM.into(),
            duration_ns: 1_000,
            scope: "s".into(),
        })),
        msg(Kind::TakeLicense(pb::TakeLicense {
            content_hash: vec![7; 32],
            terms_id: 1,
        })),
        msg(Kind::CreateEscrow(pb::CreateEscrow {
            counterparty: to.clone(),
            oracle_key: vec![3; 33],
            event: "e".into(),
            denom: DENOM.into(),
            deposit: "50".into(),
            counter_deposit: "50".into(),
            deadline_ns: 10_000_000_000,
        })),
        msg(Kind::RegisterModel(pb::RegisterModel {
            k: 2,
            n: 2,
            b_root: vec![1; 32],
            ..Default::default()
        })),
        msg(Kind::UploadModelChunk(pb::UploadModelChunk {
            model_id: 1,
            first_row: 0,
            rows: vec![1, 2, 3, 4],
        })),
        msg(Kind::RegisterWorker(pb::RegisterWorker {
            bond: "1000".into(),
            ..Default::default()
        })),
        msg(Kind::PostJob(pb::PostJob {
            model_id: 1,
            a_root: vec![2; 32],
            m: 4,
            price: "100".into(),
            ..Default::default()
        })),
        msg(Kind::ClaimJob(pb::ClaimJob { job_id: 1 })),
        msg(Kind::ApplyValidator(pb::ApplyValidator {
            consensus_pubkey: vec![1; 32],
            moniker: "v".into(),
            vrf_pubkey: vec![2; 32],
        })),
        msg(Kind::VoteValidator(pb::VoteValidator {
            application_id: 0,
            approve: true,
        })),
    ]
}

/// A body of `messages` for fuzz signer `nonce`'s next tx on the fuzz chain.
pub fn body(nonce: u64, messages: Vec<pb::Message>) -> pb::TxBody {
    pb::TxBody {
        chain_id: CHAIN.into(),
        nonce,
        fee: "10".into(),
        messages,
    }
}
