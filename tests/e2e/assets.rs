//! Assets through the real binary: CLI txs, gRPC queries, royalties, fractional vaults,
//! the IP registry and oracle escrows, with bad input refused by distinct codes.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use proofwork_client::Client;
use proofwork_proto::assets::v1 as pb;
use proofwork_tx::assets::{oracle_digest, ShareSpec};
use proofwork_tx::{sign_body, Address, Item, Message, SecretKey, TxBody};

use crate::support::{cli_ok, TestNode};

fn cli_tx(node: &TestNode, args: &[&str]) -> String {
    let url = node.url();
    let mut all = vec!["tx", "--home", node.home_str(), "--node", &url];
    all.extend_from_slice(args);
    cli_ok(&all)
}

/// Broadcasts without waiting and returns the CheckTx code (0 = accepted).
async fn code_of(c: &mut Client, key: &SecretKey, msg: Message) -> (u32, String) {
    let chain_id = c.status().await.unwrap().chain_id;
    let nonce = c.account(&key.public_key().address()).await.unwrap().nonce;
    let body = TxBody {
        chain_id,
        nonce,
        fee: 1,
        messages: vec![msg],
    };
    let r = c.broadcast(sign_body(key, &body), false).await.unwrap();
    (r.code, r.log)
}

async fn send(c: &mut Client, key: &SecretKey, msg: Message) {
    c.send(key, vec![msg], 1, true).await.unwrap();
}

fn now_ns() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mint_list_buy_fractionalize_trade_shares_and_buy_out() {
    let node = TestNode::start(150);
    let mut c = node.client().await;
    let (alice, bob, carol) = (node.key("alice"), node.key("bob"), node.key("carol"));
    let dave = node.key("dave").public_key().address();
    let dave0 = c.balance(&dave, "upw").await.unwrap();

    // Through the CLI: a sales-only class, a token with a 5 % royalty to dave, a listing.
    cli_tx(
        &node,
        &[
            "create-class",
            "--from",
            "alice",
            "--id",
            "art",
            "--unique",
            "--powers",
            "mint,freeze",
            "--sales-only",
        ],
    );
    cli_tx(
        &node,
        &[
            "mint",
            "--from",
            "alice",
            "--class",
            "art",
            "--metadata",
            "Mona",
            "--royalty",
            "dave:500",
        ],
    );
    cli_tx(
        &node,
        &[
            "list", "--from", "alice", "--class", "art", "--token", "1", "--price", "10000",
        ],
    );
    let listings = c
        .assets()
        .listings(pb::PageRequest::default())
        .await
        .unwrap()
        .into_inner();
    assert_eq!(listings.listings.len(), 1);

    // Bad input: buying one's own listing; a gift of a sales-only token.
    let (code, log) = code_of(
        &mut c,
        &alice,
        Message::BuyListing(proofwork_tx::BuyListing { id: 1 }),
    )
    .await;
    assert_eq!(code, 221, "{log}");
    cli_tx(&node, &["buy", "--from", "bob", "--listing", "1"]);
    assert_eq!(
        c.balance(&dave, "upw").await.unwrap() - dave0,
        500,
        "royalty on the sale"
    );
    let t = c
        .assets()
        .token(pb::TokenRequest {
            class_id: "art".into(),
            token_id: 1,
            at: None,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(t.owner, bob.public_key().address().to_string());
    let (code, log) = code_of(
        &mut c,
        &bob,
        Message::TransferUnique(proofwork_tx::TransferUnique {
            class: "art".into(),
            token: 1,
            to: carol.public_key().address(),
            price: None,
        }),
    )
    .await;
    assert_eq!(code, 208, "{log}");

    // Fractionalize: 100 shares, reserve 50 000.
    send(
        &mut c,
        &bob,
        Message::Fractionalize(proofwork_tx::Fractionalize {
            class: "art".into(),
            token: 1,
            shares: 100,
            reserve: 50_000,
            denom: "upw".into(),
        }),
    )
    .await;
    let v = c
        .assets()
        .vault(pb::IdRequest { id: 1, at: None })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(v.share_denom, "frac/1");
    // Redeeming the token without all shares is refused once bob sold some.
    send(
        &mut c,
        &bob,
        Message::CreateListing(proofwork_tx::CreateListing {
            item: Item::Fungible {
                denom: "frac/1".into(),
                amount: 40,
            },
            price: 20_000,
            denom: "upw".into(),
        }),
    )
    .await;
    send(
        &mut c,
        &carol,
        Message::BuyListing(proofwork_tx::BuyListing { id: 2 }),
    )
    .await;
    assert_eq!(
        c.balance(&dave, "upw").await.unwrap() - dave0,
        1_500,
        "royalty on the share sale"
    );
    assert_eq!(
        c.balance(&carol.public_key().address(), "frac/1")
            .await
            .unwrap(),
        40
    );
    let (code, log) = code_of(
        &mut c,
        &bob,
        Message::Unfractionalize(proofwork_tx::Unfractionalize { vault: 1 }),
    )
    .await;
    assert_eq!(code, 241, "{log}");

    // Buyout at the reserve: royalty, then the holders redeem pro rata.
    send(
        &mut c,
        &alice,
        Message::Buyout(proofwork_tx::Buyout { vault: 1 }),
    )
    .await;
    assert_eq!(c.balance(&dave, "upw").await.unwrap() - dave0, 4_000);
    let b = bob.public_key().address();
    let before = c.balance(&b, "upw").await.unwrap();
    cli_tx(
        &node,
        &["redeem", "--from", "bob", "--vault", "1", "--amount", "60"],
    );
    assert_eq!(c.balance(&b, "upw").await.unwrap() + 1 - before, 28_500);
    let cr = carol.public_key().address();
    let before = c.balance(&cr, "upw").await.unwrap();
    send(
        &mut c,
        &carol,
        Message::RedeemShares(proofwork_tx::RedeemShares {
            vault: 1,
            amount: 40,
        }),
    )
    .await;
    assert_eq!(c.balance(&cr, "upw").await.unwrap() + 1 - before, 19_000);

    let h = c.all_provenance("art", 1).await.unwrap();
    let kinds: Vec<&str> = h.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["mint", "sale", "fractionalized", "sale"]);
    assert_eq!(h[1].price, "10000");
    assert_eq!(h[3].price, "50000");
    // Paged over gRPC: two entries at a time, resuming after the last `seq`.
    let first = c.provenance("art", 1, 0, 2).await.unwrap();
    assert_eq!(
        (first.entries.len(), first.more, first.entries[1].seq),
        (2, true, 2)
    );
    let second = c.provenance("art", 1, 2, 2).await.unwrap();
    let kinds: Vec<&str> = second.entries.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        (kinds, second.more),
        (vec!["fractionalized", "sale"], false)
    );
    // Issue 19 item 11: a token that was never minted has no history: NOT_FOUND, not [].
    for (class_id, token_id) in [("art", 999), ("no-such-class", 1)] {
        let err = c
            .assets()
            .provenance(pb::ProvenanceRequest {
                class_id: class_id.into(),
                token_id,
                after: 0,
                limit: 0,
                at: None,
            })
            .await
            .unwrap_err();
        assert_eq!(err.code(), tonic::Code::NotFound, "{err}");
    }
    // The CLI prints JSON: provenance entries, and the token with its item fields.
    let out = cli_ok(&["query", "--node", &node.url(), "provenance", "art", "1"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v[2]["kind"], "fractionalized", "{out}");
    assert_eq!(v[1]["price"], "10000", "{out}");
    let out = cli_ok(&["query", "--node", &node.url(), "asset", "art", "1"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        (v["class_id"].as_str(), v["token_id"].as_u64()),
        (Some("art"), Some(1)),
        "{out}"
    );
    assert!(v["content_hash"].is_string(), "bytes print as hex: {out}");

    // After the buyout alice holds the token: TokensOf lists it; an offer and an auction
    // show up in their lists; a proven Token query proves the token record it read.
    let a = alice.public_key().address();
    let owned = c.tokens_of(&a, None, 0).await.unwrap();
    assert!(!owned.more);
    assert!(
        owned
            .tokens
            .iter()
            .any(|t| t.class_id == "art" && t.token_id == 1),
        "{owned:?}"
    );
    let height = c.status().await.unwrap().height;
    send(
        &mut c,
        &bob,
        Message::MakeOffer(proofwork_tx::MakeOffer {
            item: Item::Unique {
                class: "art".into(),
                token: 1,
            },
            price: 70_000,
            denom: "upw".into(),
            expires_height: height + 1_000,
        }),
    )
    .await;
    let offers = c
        .assets()
        .offers(pb::PageRequest::default())
        .await
        .unwrap()
        .into_inner();
    assert_eq!(offers.offers.len(), 1, "{offers:?}");
    assert_eq!(offers.offers[0].price, "70000");
    send(
        &mut c,
        &alice,
        Message::CreateAuction(proofwork_tx::CreateAuction {
            item: Item::Unique {
                class: "art".into(),
                token: 1,
            },
            denom: "upw".into(),
            min_bid: 1_000,
            end_time_ns: now_ns() + 600_000_000_000,
        }),
    )
    .await;
    let auctions = c
        .assets()
        .auctions(pb::PageRequest::default())
        .await
        .unwrap()
        .into_inner();
    assert_eq!(auctions.auctions.len(), 1, "{auctions:?}");
    assert_eq!(auctions.auctions[0].min_bid, "1000");
    let proven = c
        .assets()
        .token(pb::TokenRequest {
            class_id: "art".into(),
            token_id: 1,
            at: Some(proofwork_proto::query::v1::At {
                height: 0,
                prove: true,
            }),
        })
        .await
        .unwrap()
        .into_inner();
    let proof = proven.proof.expect("asked for a proof");
    let app_hash: [u8; 32] = proof.app_hash.clone().try_into().unwrap();
    assert_eq!(
        c.get_block(proof.height).await.unwrap().app_hash,
        proof.app_hash
    );
    assert!(!proof.reads.is_empty());
    for r in &proof.reads {
        let value = r.exists.then_some(r.value.as_slice());
        proofwork_state::verify_proof(&app_hash, &r.key, value, &r.proof).unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ip_registry_refuses_duplicates_and_licences_pay_the_holder() {
    let node = TestNode::start(150);
    let mut c = node.client().await;
    let (alice, bob, carol) = (node.key("alice"), node.key("bob"), node.key("carol"));
    let (a, b) = (alice.public_key().address(), bob.public_key().address());
    let dave = node.key("dave").public_key().address();
    let royalty = vec![ShareSpec {
        recipient: dave,
        bps: 500,
    }];
    send(
        &mut c,
        &alice,
        Message::CreateAssetClass(proofwork_tx::CreateAssetClass {
            id: "works".into(),
            unique: true,
            powers: 1,
            sales_only: false,
            royalty: vec![],
            metadata: String::new(),
            initial_supply: 0,
        }),
    )
    .await;
    for to in [a, b] {
        send(
            &mut c,
            &alice,
            Message::MintUnique(proofwork_tx::MintUnique {
                class: "works".into(),
                to,
                metadata: "song".into(),
                content_hash: [1; 32],
                royalty: royalty.clone(),
            }),
        )
        .await;
    }
    let hash = [42u8; 32];
    cli_tx(
        &node,
        &[
            "register-ip",
            "--from",
            "alice",
            "--content-hash",
            &hex::encode(hash),
            "--title",
            "Song",
            "--class",
            "works",
            "--token",
            "1",
        ],
    );
    let (code, log) = code_of(
        &mut c,
        &bob,
        Message::RegisterIp(proofwork_tx::RegisterIp {
            content_hash: hash,
            title: "mine".into(),
            class: "works".into(),
            token: 2,
        }),
    )
    .await;
    assert_eq!(code, 260, "{log}");
    assert!(
        log.contains(&a.to_string()),
        "the earlier registrant is named: {log}"
    );
    cli_tx(
        &node,
        &[
            "license",
            "--from",
            "alice",
            "--content-hash",
            &hex::encode(hash),
            "--price",
            "1000",
            "--scope",
            "streaming",
        ],
    );
    let (a0, d0) = (
        c.balance(&a, "upw").await.unwrap(),
        c.balance(&dave, "upw").await.unwrap(),
    );
    cli_tx(
        &node,
        &[
            "license",
            "--from",
            "carol",
            "--content-hash",
            &hex::encode(hash),
            "--terms",
            "1",
        ],
    );
    assert_eq!(c.balance(&a, "upw").await.unwrap() - a0, 950);
    assert_eq!(c.balance(&dave, "upw").await.unwrap() - d0, 50);
    let w = c
        .assets()
        .work(pb::WorkRequest {
            content_hash: hash.to_vec(),
            at: None,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(w.licenses.len(), 1);
    assert_eq!(
        w.licenses[0].licensee,
        carol.public_key().address().to_string()
    );

    // Attestations need a registered certifier.
    let (code, log) = code_of(
        &mut c,
        &carol,
        Message::Attest(proofwork_tx::Attest {
            class: "works".into(),
            token: 1,
            statement: "authentic".into(),
        }),
    )
    .await;
    assert_eq!(code, 300, "{log}");
    cli_tx(
        &node,
        &[
            "attest",
            "--from",
            "alice",
            "--class",
            "works",
            "--add-certifier",
            "carol",
            "--name",
            "Lab",
        ],
    );
    cli_tx(
        &node,
        &[
            "attest",
            "--from",
            "carol",
            "--class",
            "works",
            "--token",
            "1",
            "--statement",
            "shipped",
        ],
    );
    let h = c.all_provenance("works", 1).await.unwrap();
    assert_eq!(h.last().unwrap().note, "shipped");

    // Compute credits never move; royalty over the cap is refused.
    let chain_id = c.status().await.unwrap().chain_id;
    let nonce = c.account(&a).await.unwrap().nonce;
    let body = TxBody {
        chain_id,
        nonce,
        fee: 1,
        messages: vec![Message::Transfer(proofwork_tx::Transfer {
            to: b,
            denom: "credit".into(),
            amount: 1,
        })],
    };
    assert_eq!(
        c.broadcast(sign_body(&alice, &body), false)
            .await
            .unwrap()
            .code,
        22
    );
    let (code, log) = code_of(
        &mut c,
        &alice,
        Message::MintUnique(proofwork_tx::MintUnique {
            class: "works".into(),
            to: a,
            metadata: String::new(),
            content_hash: [0; 32],
            royalty: vec![ShareSpec {
                recipient: dave,
                bps: 9_000,
            }],
        }),
    )
    .await;
    assert_eq!(code, 23, "{log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oracle_escrow_pays_on_attestation_and_refunds_after_the_deadline() {
    let node = TestNode::start(150);
    let mut c = node.client().await;
    let (alice, bob) = (node.key("alice"), node.key("bob"));
    let (a, b) = (alice.public_key().address(), bob.public_key().address());
    let oracle = SecretKey::from_seed("flight-oracle");
    let create = |deadline_ns: u64| {
        Message::CreateEscrow(proofwork_tx::CreateEscrow {
            counterparty: b,
            oracle: oracle.public_key(),
            event: "PW123 delayed >= 120 min".into(),
            denom: "upw".into(),
            deposit: 100,
            counter_deposit: 5_000,
            deadline_ns,
        })
    };
    send(&mut c, &alice, create(now_ns() + 60_000_000_000)).await;
    send(
        &mut c,
        &bob,
        Message::FundEscrow(proofwork_tx::FundEscrow { id: 1 }),
    )
    .await;
    let chain = c.status().await.unwrap().chain_id;
    let forged = SecretKey::from_seed("mallory")
        .sign_digest(&oracle_digest(&chain, 1, true))
        .to_vec();
    let (code, log) = code_of(
        &mut c,
        &alice,
        Message::ResolveEscrow(proofwork_tx::ResolveEscrow {
            id: 1,
            outcome: true,
            signature: forged,
        }),
    )
    .await;
    assert_eq!(code, 281, "{log}");
    let a0 = c.balance(&a, "upw").await.unwrap();
    let sig = oracle.sign_digest(&oracle_digest(&chain, 1, true)).to_vec();
    send(
        &mut c,
        &alice,
        Message::ResolveEscrow(proofwork_tx::ResolveEscrow {
            id: 1,
            outcome: true,
            signature: sig,
        }),
    )
    .await;
    assert_eq!(c.balance(&a, "upw").await.unwrap() + 1 - a0, 5_100);

    // Deadline passes without an attestation: each side is refunded.
    send(&mut c, &alice, create(now_ns() + 2_000_000_000)).await;
    send(
        &mut c,
        &bob,
        Message::FundEscrow(proofwork_tx::FundEscrow { id: 2 }),
    )
    .await;
    let (code, log) = code_of(
        &mut c,
        &alice,
        Message::RefundEscrow(proofwork_tx::RefundEscrow { id: 2 }),
    )
    .await;
    assert_eq!(code, 283, "{log}");
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (b0, a0) = (
            c.balance(&b, "upw").await.unwrap(),
            c.balance(&a, "upw").await.unwrap(),
        );
        match c
            .send(
                &alice,
                vec![Message::RefundEscrow(proofwork_tx::RefundEscrow { id: 2 })],
                1,
                true,
            )
            .await
        {
            Ok(_) => {
                assert_eq!(c.balance(&b, "upw").await.unwrap() - b0, 5_000);
                assert_eq!(c.balance(&a, "upw").await.unwrap() + 1 - a0, 100);
                break;
            }
            Err(e) => assert!(Instant::now() < deadline, "no refund: {e}"),
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let e = c
        .assets()
        .escrow(pb::IdRequest { id: 2, at: None })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(e.state, "refunded");
    let _ = Address([0; 20]);
}
