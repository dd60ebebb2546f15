//! `proofwork-client` against a real node: the flow of `client/examples/transfer.rs`
//! (signer with a local nonce, send with wait, verified balance), error mapping, and the
//! offline proof check against trusted and untrusted app hashes.

use proofwork_client::{keys, Client, ClientConfig, ClientError, Signer, TxBuilder};
use proofwork_tx::{Address, Message};

use crate::support::TestNode;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_sends_with_wait_and_proves_the_balance_offline() {
    let node = TestNode::start(100);
    let mut c = node.client().await;
    let alice = node.key("alice");
    let to = Address([0x42; 20]);
    let mut signer = Signer::new(alice.clone()).with_fee(2);

    // Two sends in a row: the second uses the signer's local nonce.
    for amount in [10u128, 15] {
        let m = Message::Transfer(proofwork_tx::Transfer {
            to,
            denom: "upw".into(),
            amount,
        });
        let sent = c.send_with(&mut signer, vec![m], true).await.unwrap();
        let committed = sent.committed.expect("waited for the commit");
        assert_eq!(committed.result.unwrap().code, 0);
        let got = c.get_tx(&sent.hash).await.unwrap();
        assert_eq!(got.height, committed.height);
    }
    assert_eq!(signer.next_nonce(), Some(2));

    // The verified balance: proof checked against the node's recorded app hash.
    let bal = c.verified_balance(&to, "upw").await.unwrap();
    assert_eq!(bal.value, 25);
    assert_eq!(bal.proof.key, keys::balance(&to, "upw"));
    // Offline, against a trusted app hash for that height: passes; against another: fails.
    let h = bal.proof.height;
    let trusted: [u8; 32] = c.get_block(h).await.unwrap().app_hash.try_into().unwrap();
    let v = c
        .query_state_verified(&keys::balance(&to, "upw"), h, &trusted)
        .await
        .unwrap();
    assert_eq!(keys::decode_balance(v.value.as_deref()), Some(25));
    let mut wrong = trusted;
    wrong[0] ^= 1;
    let e = c
        .query_state_verified(&keys::balance(&to, "upw"), h, &wrong)
        .await
        .unwrap_err();
    assert!(matches!(e, ClientError::Proof(_)), "{e}");
    // Absence is proven too.
    let nobody = Address([0x43; 20]);
    let v = c
        .query_state_verified(&keys::balance(&nobody, "upw"), h, &trusted)
        .await
        .unwrap();
    assert_eq!(v.value, None);

    // A refused tx (replayed nonce) is a typed error with its stable code; the signer
    // forgets its nonce and recovers on the next send.
    let chain_id = c.status().await.unwrap().chain_id;
    let stale = TxBuilder::new(chain_id)
        .transfer(to, "upw", 1)
        .nonce(0)
        .sign(&alice);
    match c.submit(&stale, true).await.unwrap_err() {
        ClientError::Refused { code, .. } => assert_eq!(code, 8),
        e => panic!("expected a refusal, got {e}"),
    }
    signer = signer.with_nonce(0);
    let m = Message::Transfer(proofwork_tx::Transfer {
        to,
        denom: "upw".into(),
        amount: 1,
    });
    assert!(matches!(
        c.send_with(&mut signer, vec![m.clone()], true).await,
        Err(ClientError::Refused { .. })
    ));
    assert_eq!(signer.next_nonce(), None);
    c.send_with(&mut signer, vec![m], true).await.unwrap();

    // CheckTx runs the messages too: buying an unknown listing is refused with the asset
    // module's stable code. (A failure inside a block maps to `ClientError::Failed`; see
    // the client's unit tests — CheckTx leaves no simple way to provoke one here.)
    let m = Message::BuyListing(proofwork_tx::BuyListing { id: 999_999 });
    match c.send_with(&mut signer, vec![m], true).await.unwrap_err() {
        ClientError::Refused { code, log, .. } => assert_eq!(code, 220, "{log}"),
        e => panic!("expected a refusal, got {e}"),
    }

    // gRPC statuses are preserved.
    let e = c.get_tx(&[0u8; 32]).await.unwrap_err();
    assert!(e.is_not_found(), "{e}");
    let e = c.get_block(1 << 40).await.unwrap_err();
    assert!(e.status().is_some(), "{e}");

    // Connecting to nothing fails within the connect timeout.
    let port = crate::support::free_port();
    let cfg = ClientConfig {
        connect_timeout: std::time::Duration::from_millis(500),
        ..ClientConfig::default()
    };
    let e = Client::connect_with(&format!("127.0.0.1:{port}"), cfg)
        .await
        .unwrap_err();
    assert!(matches!(e, ClientError::Connect { .. }), "{e}");
}
