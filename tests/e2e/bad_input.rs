//! Bad input through the real node: each gets its own code and message, and changes nothing.

use proofwork_proto::tx::v1 as pb;
use proofwork_tx::{sign_body, signing_digest, Address, Message, TxBody};
use prost::Message as _;

use crate::support::TestNode;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_txs_get_distinct_codes_and_change_nothing() {
    let node = TestNode::start(200);
    let mut c = node.client().await;
    let alice = node.key("alice");
    let a = alice.public_key().address();
    let bob = node.key("bob").public_key().address();
    let chain_id = c.status().await.unwrap().chain_id;
    let body = |nonce: u64, amount: u128| TxBody {
        chain_id: chain_id.clone(),
        nonce,
        fee: 1,
        messages: vec![Message::Transfer(proofwork_tx::Transfer {
            to: bob,
            denom: "upw".into(),
            amount,
        })],
    };
    let raw = |b: pb::TxBody| {
        let body_bytes = b.encode_to_vec();
        let sig = alice.sign_digest(&signing_digest(&body_bytes));
        pb::Tx {
            body_bytes: body_bytes.into(),
            public_key: alice.public_key().to_bytes().to_vec(),
            signature: sig.to_vec(),
        }
        .encode_to_vec()
    };
    let balance_before = c.balance(&a, "upw").await.unwrap();

    let mut wrong_chain = body(0, 1);
    wrong_chain.chain_id = "other".into();
    let mut bad_sig = pb::Tx::decode(sign_body(&alice, &body(0, 1)).as_slice()).unwrap();
    bad_sig.signature[10] ^= 1;
    let mut high_s = pb::Tx::decode(sign_body(&alice, &body(0, 1)).as_slice()).unwrap();
    {
        let sig = k256::ecdsa::Signature::from_slice(&high_s.signature).unwrap();
        let (r, s) = sig.split_scalars();
        high_s.signature = k256::ecdsa::Signature::from_scalars(r.to_bytes(), (-*s).to_bytes())
            .unwrap()
            .to_bytes()
            .to_vec();
    }
    let mut overflow = body(0, 1).to_proto();
    let mut bad_addr = body(0, 1).to_proto();
    if let Some(pb::message::Kind::Transfer(t)) = &mut overflow.messages[0].kind {
        t.amount = "340282366920938463463374607431768211456".into();
    }
    if let Some(pb::message::Kind::Transfer(t)) = &mut bad_addr.messages[0].kind {
        t.to = "pw1notavalidaddress".into();
    }
    let mut unknown = body(0, 1).to_proto().encode_to_vec();
    unknown.extend_from_slice(&[0x22, 0x03, 0x98, 0x06, 0x01]);
    let unknown = {
        let sig = alice.sign_digest(&signing_digest(&unknown));
        pb::Tx {
            body_bytes: unknown.into(),
            public_key: alice.public_key().to_bytes().to_vec(),
            signature: sig.to_vec(),
        }
        .encode_to_vec()
    };
    let mut big = body(0, 1);
    big.messages = vec![big.messages[0].clone(); 64];
    let mut huge = sign_body(&alice, &big);
    huge.extend(std::iter::repeat_n(0u8, 1 << 20)); // past the 1 MiB tx limit

    let cases: Vec<(&str, Vec<u8>, u32)> = vec![
        ("malformed bytes", vec![0xff, 0x00, 0x13], 2),
        ("wrong chain id", sign_body(&alice, &wrong_chain), 7),
        ("bad signature", bad_sig.encode_to_vec(), 5),
        ("high-S signature", high_s.encode_to_vec(), 6),
        ("future nonce", sign_body(&alice, &body(7, 1)), 9),
        (
            "insufficient balance",
            sign_body(&alice, &body(0, balance_before)),
            10,
        ),
        ("zero amount", sign_body(&alice, &body(0, 0)), 12),
        ("unknown message kind", unknown, 13),
        ("malformed address", raw(bad_addr), 14),
        ("amount overflow", raw(overflow), 15),
        ("oversize tx", huge, 1),
    ];
    let mut seen = std::collections::BTreeSet::new();
    for (what, tx, code) in cases {
        let r = c.broadcast(tx, false).await.unwrap();
        assert_eq!(r.code, code, "{what}: {}", r.log);
        assert!(!r.log.is_empty(), "{what}: empty message");
        assert!(seen.insert(code), "{what}: code {code} reused");
    }
    // Replay: commit one, then send the same bytes again.
    let tx = sign_body(&alice, &body(0, 1));
    let r = c.broadcast(tx.clone(), true).await.unwrap();
    assert_eq!(r.committed.unwrap().result.unwrap().code, 0);
    let r = c.broadcast(tx, false).await.unwrap();
    assert_eq!(r.code, 8, "replayed nonce: {}", r.log);

    // Nothing but the one good tx changed alice's account.
    assert_eq!(c.balance(&a, "upw").await.unwrap(), balance_before - 2);
    assert_eq!(c.account(&a).await.unwrap().nonce, 1);
    // The node is still serving.
    assert!(c.status().await.is_ok());
    // A malformed address in a query is InvalidArgument, not a crash.
    let err = c
        .balance(
            &"pw1bad".parse::<Address>().unwrap_or(Address([0; 20])),
            "Bad Denom",
        )
        .await;
    assert!(err.is_err());
}

/// A worker started with an unknown `--backend` or `--gemm-kernel` stops at once with a message
/// naming the flag and the accepted values (before any network or device is touched).
#[test]
fn worker_refuses_unknown_backend_and_gemm_kernel_names() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    crate::support::cli_ok(&["init", "--home", home.to_str().unwrap()]);
    for (flag, value, want) in [
        ("--backend", "tpu", "--backend: unknown backend \"tpu\""),
        (
            "--gemm-kernel",
            "wmma",
            "--gemm-kernel: unknown gemm kernel \"wmma\"",
        ),
    ] {
        let out = crate::support::cli(&[
            "worker",
            "--home",
            home.to_str().unwrap(),
            "--node",
            "http://127.0.0.1:9",
            "--key",
            "dave",
            flag,
            value,
        ]);
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(want), "{flag}: {err}");
    }
}
