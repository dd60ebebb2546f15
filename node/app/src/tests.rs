//! App tests: a mock consensus drives the application in-process over a real RocksDB.

use std::sync::Arc;

use proofwork_proto::tx::v1 as pbtx;
use proofwork_state::accounts;
use proofwork_tx::{sign_body, signing_digest, Address, Message, SecretKey, TxBody, TxError};
use prost::Message as _;

use super::testkit::{addr, key, ChainBuilder, TestChain, DENOM};
use super::*;

const CHAIN: &str = "pw-test";

/// Alice and Bob with 1000 each, txs of at most 1 KiB; block `h` at `h + 1` seconds.
fn genesis() -> ChainBuilder {
    ChainBuilder::new(CHAIN)
        .params(|p| p.max_tx_bytes = 1024)
        .fund(&["alice", "bob"], 1000)
        .clock(1_000_000_000, 1_000_000_000)
}

/// The test chain, with a rejection check of its own.
struct Harness(TestChain);

impl std::ops::Deref for Harness {
    type Target = TestChain;
    fn deref(&self) -> &TestChain {
        &self.0
    }
}

impl std::ops::DerefMut for Harness {
    fn deref_mut(&mut self) -> &mut TestChain {
        &mut self.0
    }
}

impl Harness {
    fn new() -> Self {
        Harness(genesis().build())
    }

    fn balance(&self, who: &str) -> u128 {
        self.0.balance(who, DENOM)
    }

    /// Runs a single-tx block; returns the error, asserting that no account changed.
    fn rejects(&mut self, tx: Vec<u8>) -> TxError {
        let before = (
            self.balance("alice"),
            self.balance("bob"),
            self.nonce("alice"),
        );
        let out = self.block(vec![tx]);
        let after = (
            self.balance("alice"),
            self.balance("bob"),
            self.nonce("alice"),
        );
        assert_eq!(before, after, "a rejected tx changed state");
        out.tx_results[0].result.clone().unwrap_err()
    }
}

fn transfer(nonce: u64, to: Address, amount: u128) -> TxBody {
    TxBody {
        chain_id: CHAIN.into(),
        nonce,
        fee: 1,
        messages: vec![Message::Transfer(proofwork_tx::Transfer {
            to,
            denom: "upw".into(),
            amount,
        })],
    }
}

fn signed_raw(k: &SecretKey, body: pbtx::TxBody) -> Vec<u8> {
    let body_bytes = body.encode_to_vec();
    let sig = k.sign_digest(&signing_digest(&body_bytes));
    pbtx::Tx {
        body_bytes: body_bytes.into(),
        public_key: k.public_key().to_bytes().to_vec(),
        signature: sig.to_vec(),
    }
    .encode_to_vec()
}

#[test]
fn app_commits_a_transfer_and_charges_the_fee() {
    let mut h = Harness::new();
    let out = h.block(vec![sign_body(
        &key("alice"),
        &transfer(0, addr("bob"), 100),
    )]);
    assert!(out.tx_results[0].result.is_ok());
    assert_eq!(h.balance("alice"), 899);
    assert_eq!(h.balance("bob"), 1100);
    assert_eq!(h.nonce("alice"), 1);
    assert_eq!(accounts::supply(h.app.storage(), "upw").unwrap().burned, 1);
}

#[test]
fn app_rejects_malformed_bytes() {
    assert!(matches!(
        Harness::new().rejects(vec![0xde, 0xad, 0xbe, 0xef]),
        TxError::Malformed { .. }
    ));
}

#[test]
fn app_rejects_wrong_chain_id() {
    let mut b = transfer(0, addr("bob"), 1);
    b.chain_id = "other-chain".into();
    assert!(matches!(
        Harness::new().rejects(sign_body(&key("alice"), &b)),
        TxError::WrongChainId { .. }
    ));
}

#[test]
fn app_rejects_bad_signature() {
    let mut tx =
        pbtx::Tx::decode(sign_body(&key("alice"), &transfer(0, addr("bob"), 1)).as_slice())
            .unwrap();
    tx.signature = key("mallory").sign_digest(&[7; 32]).to_vec();
    assert!(matches!(
        Harness::new().rejects(tx.encode_to_vec()),
        TxError::BadSignature { .. }
    ));
}

#[test]
fn app_rejects_high_s_signature() {
    let mut tx =
        pbtx::Tx::decode(sign_body(&key("alice"), &transfer(0, addr("bob"), 1)).as_slice())
            .unwrap();
    let sig = k256::ecdsa::Signature::from_slice(&tx.signature).unwrap();
    let (r, s) = sig.split_scalars();
    tx.signature = k256::ecdsa::Signature::from_scalars(r.to_bytes(), (-*s).to_bytes())
        .unwrap()
        .to_bytes()
        .to_vec();
    assert_eq!(Harness::new().rejects(tx.encode_to_vec()), TxError::HighS);
}

#[test]
fn app_rejects_replayed_and_future_nonces() {
    let mut h = Harness::new();
    let tx = sign_body(&key("alice"), &transfer(0, addr("bob"), 1));
    assert!(h.block(vec![tx.clone()]).tx_results[0].result.is_ok());
    assert!(matches!(
        h.rejects(tx),
        TxError::ReplayedNonce {
            got: 0,
            expected: 1
        }
    ));
    let future = sign_body(&key("alice"), &transfer(5, addr("bob"), 1));
    assert!(matches!(
        h.rejects(future),
        TxError::FutureNonce {
            got: 5,
            expected: 1
        }
    ));
}

#[test]
fn app_rejects_insufficient_funds_for_fee_at_no_cost() {
    let mut b = transfer(0, addr("bob"), 1);
    b.fee = 5000;
    assert!(matches!(
        Harness::new().rejects(sign_body(&key("alice"), &b)),
        TxError::InsufficientFunds { .. }
    ));
}

#[test]
fn app_fails_transfer_beyond_balance_but_keeps_fee_and_nonce() {
    // CheckTx refuses this (see the mempool test); a proposer that includes it anyway gets
    // a failed tx whose fee and nonce are still spent, so it cannot be replayed for free.
    let mut h = Harness::new();
    let out = h.block(vec![sign_body(
        &key("alice"),
        &transfer(0, addr("bob"), 1000),
    )]);
    assert!(matches!(
        out.tx_results[0].result,
        Err(TxError::InsufficientFunds {
            balance: 999,
            needed: 1000,
            ..
        })
    ));
    assert_eq!(
        (h.balance("alice"), h.balance("bob"), h.nonce("alice")),
        (999, 1000, 1)
    );
}

#[test]
fn app_rejects_amount_overflow_and_zero_amount() {
    let k = key("alice");
    let mut b = transfer(0, addr("bob"), 1).to_proto();
    if let Some(pbtx::message::Kind::Transfer(t)) = &mut b.messages[0].kind {
        t.amount = "340282366920938463463374607431768211456".into(); // u128::MAX + 1
    }
    let e = Harness::new().rejects(signed_raw(&k, b));
    assert!(
        matches!(&e, TxError::BadAmount { reason, .. } if reason == "exceeds u128"),
        "{e}"
    );
    assert_eq!(
        Harness::new().rejects(sign_body(&k, &transfer(0, addr("bob"), 0))),
        TxError::ZeroAmount
    );
}

#[test]
fn app_rejects_unknown_message_kind() {
    let k = key("alice");
    // Message { 99: varint 1 } — a oneof member this node does not know.
    let body = pbtx::TxBody {
        chain_id: CHAIN.into(),
        nonce: 0,
        fee: "1".into(),
        messages: vec![],
    };
    let mut body_bytes = body.encode_to_vec();
    body_bytes.extend_from_slice(&[0x22, 0x03, 0x98, 0x06, 0x01]);
    let sig = k.sign_digest(&signing_digest(&body_bytes));
    let tx = pbtx::Tx {
        body_bytes: body_bytes.into(),
        public_key: k.public_key().to_bytes().to_vec(),
        signature: sig.to_vec(),
    };
    assert_eq!(
        Harness::new().rejects(tx.encode_to_vec()),
        TxError::UnknownMessage { index: 0 }
    );
}

#[test]
fn app_rejects_oversize_tx() {
    let k = key("alice");
    let mut b = transfer(0, addr("bob"), 1);
    b.messages = vec![b.messages[0].clone(); 60];
    let tx = sign_body(&k, &b);
    assert!(tx.len() > 1024);
    assert!(matches!(
        Harness::new().rejects(tx),
        TxError::TooLarge { max: 1024, .. }
    ));
}

#[test]
fn app_rejects_transfer_to_malformed_address() {
    let mut b = transfer(0, addr("bob"), 1).to_proto();
    if let Some(pbtx::message::Kind::Transfer(t)) = &mut b.messages[0].kind {
        t.to = "pw1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq".into();
    }
    assert!(matches!(
        Harness::new().rejects(signed_raw(&key("alice"), b)),
        TxError::BadAddress { .. }
    ));
}

#[test]
fn every_error_variant_has_a_distinct_code() {
    let errors = [
        TxError::TooLarge { size: 0, max: 0 },
        TxError::Malformed {
            reason: String::new(),
        },
        TxError::NonCanonical { what: "" },
        TxError::BadPublicKey {
            reason: String::new(),
        },
        TxError::BadSignature {
            reason: String::new(),
        },
        TxError::HighS,
        TxError::WrongChainId {
            got: String::new(),
            expected: String::new(),
        },
        TxError::ReplayedNonce {
            got: 0,
            expected: 0,
        },
        TxError::FutureNonce {
            got: 0,
            expected: 0,
        },
        TxError::InsufficientFunds {
            denom: String::new(),
            balance: 0,
            needed: 0,
        },
        TxError::Overflow {
            what: String::new(),
        },
        TxError::ZeroAmount,
        TxError::UnknownMessage { index: 0 },
        TxError::BadAddress {
            reason: String::new(),
        },
        TxError::BadAmount {
            value: String::new(),
            reason: String::new(),
        },
        TxError::FeeTooLow { got: 0, min: 0 },
        TxError::NoMessages,
        TxError::BadDenom {
            denom: String::new(),
            reason: String::new(),
        },
        TxError::TooManyMessages { got: 0, max: 0 },
        TxError::MempoolFull { size: 0 },
        TxError::DuplicateTx,
        TxError::NonTransferable {
            denom: String::new(),
        },
        TxError::BadRoyaltyPolicy {
            reason: String::new(),
        },
        TxError::UnknownAssetClass {
            class: String::new(),
        },
        TxError::AssetClassExists {
            class: String::new(),
        },
        TxError::MissingAdminPower {
            class: String::new(),
            power: String::new(),
        },
        TxError::NotAdmin {
            class: String::new(),
        },
        TxError::UnknownToken {
            class: String::new(),
            token: 0,
        },
        TxError::NotOwner {
            what: String::new(),
        },
        TxError::AssetFrozen {
            what: String::new(),
        },
        TxError::TokenLocked {
            what: String::new(),
            by: String::new(),
        },
        TxError::TransferRestricted {
            what: String::new(),
        },
        TxError::WrongAssetKind {
            class: String::new(),
            expected: String::new(),
        },
        TxError::BadAssetField {
            field: String::new(),
            reason: String::new(),
        },
        TxError::UnknownListing { id: 0 },
        TxError::SelfTrade,
        TxError::UnknownOffer { id: 0 },
        TxError::UnknownAuction { id: 0 },
        TxError::BidTooLow { bid: 0, min: 0 },
        TxError::AuctionClosed {
            end_time_ns: 0,
            now_ns: 0,
        },
        TxError::AuctionOpen {
            end_time_ns: 0,
            now_ns: 0,
        },
        TxError::OfferExpired {
            id: 0,
            expires_height: 0,
        },
        TxError::BadDeadline {
            deadline_ns: 0,
            now_ns: 0,
        },
        TxError::UnknownVault { id: 0 },
        TxError::NotAllShares { held: 0, total: 0 },
        TxError::VaultNotActive { id: 0 },
        TxError::VaultNotBoughtOut { id: 0 },
        TxError::IpAlreadyRegistered {
            content_hash: String::new(),
            registrant: String::new(),
            height: 0,
        },
        TxError::UnknownIp {
            content_hash: String::new(),
        },
        TxError::UnknownLicenseTerms { id: 0 },
        TxError::UnknownEscrow { id: 0 },
        TxError::BadOracleSignature {
            reason: String::new(),
        },
        TxError::EscrowExpired {
            deadline_ns: 0,
            now_ns: 0,
        },
        TxError::EscrowNotExpired {
            deadline_ns: 0,
            now_ns: 0,
        },
        TxError::EscrowWrongState {
            id: 0,
            state: String::new(),
        },
        TxError::NotEscrowParty { id: 0 },
        TxError::UnregisteredCertifier {
            certifier: String::new(),
            class: String::new(),
        },
    ];
    let codes: std::collections::BTreeSet<u32> = errors.iter().map(TxError::code).collect();
    let names: std::collections::BTreeSet<&str> =
        errors.iter().map(TxError::codespace_name).collect();
    assert_eq!(codes.len(), errors.len());
    assert_eq!(names.len(), errors.len());
    assert!(!codes.contains(&0));
}

#[test]
fn check_state_refuses_unaffordable_transfer_and_queues_nonces() {
    let h = Harness::new();
    let cfg = h.app.config().unwrap().clone();
    let mut check = CheckState::new(
        h.app.storage().clone(),
        cfg,
        h.app.sig_cache().clone(),
        1 << 20,
    );
    let k = key("alice");
    check
        .check(&sign_body(&k, &transfer(0, addr("bob"), 500)))
        .unwrap();
    check
        .check(&sign_body(&k, &transfer(1, addr("bob"), 400)))
        .unwrap();
    let e = check
        .check(&sign_body(&k, &transfer(2, addr("bob"), 200)))
        .unwrap_err();
    assert!(matches!(
        e,
        proofwork_state::ExecError::Tx(TxError::InsufficientFunds { .. })
    ));
    let e = check
        .check(&sign_body(&k, &transfer(0, addr("bob"), 1)))
        .unwrap_err();
    assert!(matches!(
        e,
        proofwork_state::ExecError::Tx(TxError::ReplayedNonce { .. })
    ));
    check.reset();
    check
        .check(&sign_body(&k, &transfer(0, addr("bob"), 1)))
        .unwrap();
}

#[test]
fn proposal_with_an_invalid_tx_is_rejected() {
    let h = Harness::new();
    let good = sign_body(&key("alice"), &transfer(0, addr("bob"), 1));
    assert!(h.app.process_proposal(std::slice::from_ref(&good)));
    assert!(!h.app.process_proposal(&[good.clone(), vec![1, 2, 3]]));
    assert_eq!(
        h.app
            .prepare_proposal(vec![vec![1, 2, 3], good.clone()], 1 << 20),
        vec![good]
    );
}

/// A byzantine proposer repeating a tx: twice in one proposal is rejected; included again in
/// a later block it fails as a replay, and the tx index keeps pointing at the first, successful
/// inclusion (GetTx must not report a committed transfer as failed).
#[test]
fn repeated_txs_are_rejected_and_never_repoint_the_tx_index() {
    let mut h = Harness::new();
    let t = sign_body(&key("alice"), &transfer(0, addr("bob"), 1));
    assert!(!h.app.process_proposal(&[t.clone(), t.clone()]));
    let first = h.block(vec![t.clone()]);
    assert!(first.tx_results[0].result.is_ok());
    let location = |h: &Harness| {
        h.app
            .storage()
            .get_aux(&tx_key(&proofwork_tx::tx_hash(&t)))
            .unwrap()
            .unwrap()
    };
    let at_first = location(&h);
    assert_eq!(at_first[..8], first.height.to_be_bytes());
    let replay = h.block(vec![t.clone()]);
    assert!(matches!(
        replay.tx_results[0].result,
        Err(TxError::ReplayedNonce { .. })
    ));
    assert_eq!(location(&h), at_first);
    // The other way round: bytes that first fail without using their nonce (one from the
    // future) and later pass are indexed where they passed.
    let early = sign_body(&key("alice"), &transfer(2, addr("bob"), 1));
    let failed = h.block(vec![early.clone()]);
    assert!(failed.tx_results[0].result.is_err());
    h.block(vec![sign_body(&key("alice"), &transfer(1, addr("bob"), 1))]);
    let passed = h.block(vec![early.clone()]);
    assert!(passed.tx_results[0].result.is_ok());
    let at = h
        .app
        .storage()
        .get_aux(&tx_key(&proofwork_tx::tx_hash(&early)))
        .unwrap()
        .unwrap();
    assert_eq!(at[..8], passed.height.to_be_bytes());
}

#[test]
fn same_blocks_give_same_app_hashes_on_two_nodes() {
    let mut a = Harness::new();
    let mut b = Harness::new();
    for n in 0..5u64 {
        let txs = vec![
            sign_body(&key("alice"), &transfer(n, addr("bob"), 3)),
            sign_body(&key("bob"), &transfer(n, addr("alice"), 2)),
        ];
        let (oa, ob) = (a.block(txs.clone()), b.block(txs));
        assert_eq!(oa.app_hash, ob.app_hash);
    }
}

#[test]
fn restart_resumes_from_the_last_commit() {
    let dir = tempfile::tempdir().unwrap();
    let hash = {
        let mut app = genesis().sig_cache(16).app_in(dir.path());
        let input = BlockInput {
            height: 1,
            time_ns: 5,
            txs: vec![sign_body(&key("alice"), &transfer(0, addr("bob"), 9))],
            ..Default::default()
        };
        app.finalize_block(input).unwrap();
        let (stored, _) = app.commit().unwrap();
        // Finalized but never committed: must be invisible after restart.
        let input = BlockInput {
            height: 2,
            time_ns: 6,
            ..Default::default()
        };
        app.finalize_block(input).unwrap();
        stored.app_hash
    };
    let storage = Storage::open(dir.path(), Default::default()).unwrap();
    let app = App::new(storage, Arc::new(SigCache::new(16))).unwrap();
    assert_eq!(app.info().unwrap().height, 1);
    assert_eq!(app.info().unwrap().app_hash, hash);
    assert_eq!(app.config().unwrap().chain_id, CHAIN);
    // init_chain again with the same genesis is refused once blocks exist.
    let mut app = app;
    assert!(matches!(
        app.init_chain(CHAIN, &genesis().app_state()),
        Err(AppError::AlreadyInitialized { .. })
    ));
}

#[test]
fn app_executes_asset_messages_enforces_royalties_and_refuses_self_trade() {
    use proofwork_tx::assets::{powers, ShareSpec};
    use proofwork_tx::{Item, Message};
    let mut h = Harness::new();
    let m = |nonce: u64, msg: Message| TxBody {
        chain_id: CHAIN.into(),
        nonce,
        fee: 1,
        messages: vec![msg],
    };
    let art = Item::Unique {
        class: "art".into(),
        token: 1,
    };
    let alice = key("alice");
    let out = h.block(vec![
        sign_body(
            &alice,
            &m(
                0,
                Message::CreateAssetClass(proofwork_tx::CreateAssetClass {
                    id: "art".into(),
                    unique: true,
                    powers: powers::MINT,
                    sales_only: true,
                    royalty: vec![],
                    metadata: String::new(),
                    initial_supply: 0,
                }),
            ),
        ),
        sign_body(
            &alice,
            &m(
                1,
                Message::MintUnique(proofwork_tx::MintUnique {
                    class: "art".into(),
                    to: addr("alice"),
                    metadata: "m".into(),
                    content_hash: [1; 32],
                    royalty: vec![ShareSpec {
                        recipient: addr("carol"),
                        bps: 500,
                    }],
                }),
            ),
        ),
        sign_body(
            &alice,
            &m(
                2,
                Message::CreateListing(proofwork_tx::CreateListing {
                    item: art,
                    price: 100,
                    denom: "upw".into(),
                }),
            ),
        ),
        sign_body(
            &alice,
            &m(3, Message::BuyListing(proofwork_tx::BuyListing { id: 1 })),
        ),
        sign_body(
            &key("bob"),
            &m(0, Message::BuyListing(proofwork_tx::BuyListing { id: 1 })),
        ),
    ]);
    let codes: Vec<u32> = out
        .tx_results
        .iter()
        .map(|r| r.result.as_ref().err().map_or(0, TxError::code))
        .collect();
    assert_eq!(codes, [0, 0, 0, 221, 0]);
    assert_eq!(h.balance("alice"), 1000 - 4 + 95);
    assert_eq!(h.balance("bob"), 1000 - 1 - 100);
    assert_eq!(
        accounts::balance(h.app.storage(), &addr("carol"), "upw").unwrap(),
        5
    );
    let t = proofwork_state::assets::token(h.app.storage(), "art", 1)
        .unwrap()
        .unwrap();
    assert_eq!(t.owner, addr("bob"));
    // A sales-only token cannot be gifted through the app either.
    let out = h.block(vec![sign_body(
        &key("bob"),
        &m(
            1,
            Message::TransferUnique(proofwork_tx::TransferUnique {
                class: "art".into(),
                token: 1,
                to: addr("alice"),
                price: None,
            }),
        ),
    )]);
    assert_eq!(out.tx_results[0].result.as_ref().unwrap_err().code(), 208);
}
