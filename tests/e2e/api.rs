//! The dApp/auditor surface: state proofs verified offline, block and event streams without
//! gaps for a slow consumer, and clear status codes for bad queries.

use std::time::Duration;

use proofwork_proto::node::v1 as pb;
use proofwork_state::accounts::state_key;
use tokio_stream::StreamExt;

use crate::support::{cli_ok, TestNode};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn state_proofs_verify_offline_and_fail_when_tampered() {
    let node = TestNode::start(100);
    let mut c = node.client().await;
    let alice = node.key("alice");
    let bob = node.key("bob").public_key().address();
    c.transfer(&alice, bob, "upw", 77, 1, true).await.unwrap();
    let key = state_key::balance(&bob, "upw");
    let r = c.query_state(&key, 0, true).await.unwrap();
    assert!(r.exists);
    let app_hash: [u8; 32] = r.app_hash.clone().try_into().unwrap();
    // The header's app hash for that height comes from the block log.
    let block = c.get_block(r.height).await.unwrap();
    assert_eq!(block.app_hash, r.app_hash);
    proofwork_state::verify_proof(&app_hash, &key, Some(&r.value), &r.proof).unwrap();
    let mut tampered = r.value.clone();
    tampered[15] ^= 1;
    assert!(proofwork_state::verify_proof(&app_hash, &key, Some(&tampered), &r.proof).is_err());
    // A proof for another height does not verify against this header.
    let old = c.query_state(&key, 1, true).await.unwrap();
    if old.app_hash != r.app_hash {
        let old_value = old.exists.then_some(old.value.as_slice());
        assert!(proofwork_state::verify_proof(&app_hash, &key, old_value, &old.proof).is_err());
    }
    // Non-membership.
    let missing = state_key::balance(&bob, "nosuchdenom");
    let r2 = c.query_state(&missing, r.height, true).await.unwrap();
    assert!(!r2.exists);
    proofwork_state::verify_proof(&app_hash, &missing, None, &r2.proof).unwrap();
    assert!(proofwork_state::verify_proof(&app_hash, &missing, Some(b"x"), &r2.proof).is_err());

    // The same through the CLI: query → files → offline verification.
    let dir = tempfile::tempdir().unwrap();
    let url = node.url();
    let proof = cli_ok(&[
        "query",
        "--node",
        &url,
        "state",
        "--key",
        &hex::encode(&key),
        "--height",
        &r.height.to_string(),
    ]);
    let header = cli_ok(&["query", "--node", &url, "block", &r.height.to_string()]);
    std::fs::write(dir.path().join("proof.json"), &proof).unwrap();
    std::fs::write(dir.path().join("header.json"), &header).unwrap();
    let p = |f: &str| dir.path().join(f).to_str().unwrap().to_string();
    let out = cli_ok(&[
        "audit",
        "verify-proof",
        "--header",
        &p("header.json"),
        "--proof",
        &p("proof.json"),
    ]);
    assert!(out.starts_with("OK"), "{out}");
    let wrong = proof.replace(&hex::encode(&r.value), &hex::encode(&tampered));
    std::fs::write(dir.path().join("bad.json"), wrong).unwrap();
    let out = crate::support::cli(&[
        "audit",
        "verify-proof",
        "--header",
        &p("header.json"),
        "--proof",
        &p("bad.json"),
    ]);
    assert!(!out.status.success());
}

/// Typed point queries read any kept height and, asked to, prove every state entry they read;
/// lists refuse what they cannot prove.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typed_point_queries_prove_what_they_read_at_any_kept_height() {
    use proofwork_proto::assets::v1 as apb;
    use proofwork_proto::query::v1::At;

    let node = TestNode::start(100);
    let mut c = node.client().await;
    let alice = node.key("alice");
    // A fresh account, so that its balance history is exactly: absent, 77, 100.
    let bob = proofwork_tx::SecretKey::from_seed("typed-query-recipient")
        .public_key()
        .address();
    // A first block without bob, so that some kept height predates him (0 means "latest").
    let other = proofwork_tx::SecretKey::from_seed("typed-query-other")
        .public_key()
        .address();
    c.transfer(&alice, other, "upw", 1, 1, true).await.unwrap();
    let before = c.status().await.unwrap().height;
    c.transfer(&alice, bob, "upw", 77, 2, true).await.unwrap();
    let after = c.status().await.unwrap().height;
    assert!(before >= 1 && after > before);
    c.transfer(&alice, bob, "upw", 23, 3, true).await.unwrap();

    let balance = |height: u64, prove: bool| pb::BalanceRequest {
        address: bob.to_string(),
        denom: "upw".into(),
        at: Some(At { height, prove }),
    };
    // Latest, proven: the entry read is bob's balance key, and it verifies against the
    // app hash the block log records for that height.
    let r = c
        .raw()
        .balance(balance(0, true))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(r.amount, "100");
    let proof = r.proof.expect("asked for a proof");
    assert_eq!(proof.height, r.height);
    let block = c.get_block(proof.height).await.unwrap();
    assert_eq!(block.app_hash, proof.app_hash);
    let app_hash: [u8; 32] = proof.app_hash.clone().try_into().unwrap();
    let key = state_key::balance(&bob, "upw");
    assert_eq!(proof.reads.len(), 1, "{proof:?}");
    let read = &proof.reads[0];
    assert_eq!(read.key, key);
    assert!(read.exists);
    proofwork_state::verify_proof(&app_hash, &read.key, Some(&read.value), &read.proof).unwrap();
    let mut tampered = read.value.clone();
    tampered[0] ^= 1;
    assert!(
        proofwork_state::verify_proof(&app_hash, &read.key, Some(&tampered), &read.proof).is_err()
    );

    // An earlier height answers what was true then, also proven.
    let old = c
        .raw()
        .balance(balance(after, true))
        .await
        .unwrap()
        .into_inner();
    assert_eq!((old.amount.as_str(), old.height), ("77", after));
    let old_proof = old.proof.unwrap();
    let old_hash: [u8; 32] = old_proof.app_hash.clone().try_into().unwrap();
    assert_eq!(
        c.get_block(after).await.unwrap().app_hash,
        old_proof.app_hash
    );
    let old_read = &old_proof.reads[0];
    proofwork_state::verify_proof(&old_hash, &key, Some(&old_read.value), &old_read.proof).unwrap();
    // ... and that proof does not pass for the newer header.
    assert!(
        proofwork_state::verify_proof(&app_hash, &key, Some(&old_read.value), &old_read.proof)
            .is_err()
    );
    // Before bob had anything: a verified non-membership proof and "0".
    let none = c
        .raw()
        .balance(balance(before, true))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(none.amount, "0");
    let none_proof = none.proof.unwrap();
    let none_hash: [u8; 32] = none_proof.app_hash.clone().try_into().unwrap();
    assert!(!none_proof.reads[0].exists);
    proofwork_state::verify_proof(&none_hash, &key, None, &none_proof.reads[0].proof).unwrap();
    // Unproven reads carry no proof.
    let plain = c
        .raw()
        .balance(balance(after, false))
        .await
        .unwrap()
        .into_inner();
    assert_eq!((plain.amount.as_str(), plain.proof), ("77", None));

    // A future height is out of range; a list cannot be proven.
    let err = c.raw().balance(balance(1 << 40, true)).await.unwrap_err();
    assert_eq!(err.code(), tonic::Code::OutOfRange, "{err}");
    let err = c
        .assets()
        .provenance(apb::ProvenanceRequest {
            class_id: "art".into(),
            token_id: 1,
            after: 0,
            limit: 0,
            at: Some(At {
                height: 0,
                prove: true,
            }),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::FailedPrecondition, "{err}");
    assert!(err.message().contains("range reads"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_queries_get_precise_status_codes() {
    let node = TestNode::start(100);
    let mut c = node.client().await;
    let raw = c.raw();
    let err = raw
        .query_state(pb::QueryStateRequest {
            key: b"k".to_vec(),
            height: 1_000_000,
            prove: true,
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::OutOfRange, "{err}");
    let err = raw
        .query_state(pb::QueryStateRequest {
            key: vec![1; 5000],
            height: 0,
            prove: false,
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::InvalidArgument);
    let err = raw
        .get_block(pb::GetBlockRequest { height: 1_000_000 })
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::NotFound);
    let err = raw
        .account(pb::AccountRequest {
            address: "pw1nope".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::InvalidArgument);
    let err = raw
        .get_tx(pb::GetTxRequest { hash: vec![0; 32] })
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::NotFound);
    // A job status that does not exist is named in the refusal, not an empty list.
    let err = c
        .work()
        .jobs(proofwork_proto::work::v1::JobsRequest {
            status: "finished".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::InvalidArgument);
    assert!(err.message().contains("posted"), "{err}");
    let raw = c.raw();
    // An oversize request is refused and the node keeps serving.
    let err = raw
        .broadcast_tx(pb::BroadcastTxRequest {
            tx: vec![0; 5 << 20],
            wait: false,
        })
        .await
        .unwrap_err();
    // RESOURCE_EXHAUSTED is gRPC's code for a message over the receiver's limit (issue 19).
    assert_eq!(err.code(), tonic::Code::ResourceExhausted, "{err}");
    assert!(c.status().await.is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn block_stream_has_no_gaps_for_a_slow_consumer_and_events_filter() {
    let node = TestNode::start(50);
    let mut c = node.client().await;
    let mut blocks = c
        .raw()
        .stream_blocks(pb::StreamBlocksRequest { from_height: 1 })
        .await
        .unwrap()
        .into_inner();
    let mut expected = 1;
    while expected <= 12 {
        let b = tokio::time::timeout(Duration::from_secs(20), blocks.next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        assert_eq!(b.height, expected, "gap in the block stream");
        expected += 1;
        // Slower than block production: the stream must catch up from the log, not skip.
        tokio::time::sleep(Duration::from_millis(120)).await;
    }
    let alice = node.key("alice");
    let sender = alice.public_key().address().to_string();
    let mut events = c
        .raw()
        .stream_events(pb::StreamEventsRequest {
            from_height: 0,
            kind: "transfer".into(),
            attribute_key: "sender".into(),
            attribute_value: sender.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    let bob = node.key("bob");
    c.transfer(&bob, alice.public_key().address(), "upw", 5, 1, true)
        .await
        .unwrap(); // filtered out
    c.transfer(&alice, bob.public_key().address(), "upw", 9, 1, true)
        .await
        .unwrap();
    let ev = tokio::time::timeout(Duration::from_secs(20), events.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    let e = ev.event.unwrap();
    assert_eq!(e.kind, "transfer");
    assert!(e
        .attributes
        .iter()
        .any(|a| a.key == "sender" && a.value == sender));
    assert!(e
        .attributes
        .iter()
        .any(|a| a.key == "amount" && a.value == "9"));
}

/// Streams that will not emit for a long time (a start height far ahead, a filter nothing
/// matches) still give their slot back when the client goes away: with every slot taken by
/// such streams, new ones are refused, and once the clients drop them, every slot opens again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_streams_free_their_slots_when_clients_leave() {
    const MAX_STREAMS: usize = 256; // proofwork_node::grpc::node::MAX_STREAMS
    type Held = Box<dyn std::any::Any + Send>;
    let node = TestNode::start(50);
    // Several connections: HTTP/2 servers cap concurrent streams per connection (often 200).
    let mut clients = Vec::new();
    for _ in 0..MAX_STREAMS.div_ceil(64) {
        clients.push(node.client().await);
    }
    // Opens stream `i`: blocks from a height far ahead, or events of a kind that never occurs.
    async fn open(c: &mut proofwork_client::Client, i: usize) -> Result<Held, tonic::Status> {
        if i % 8 == 7 {
            let req = pb::StreamEventsRequest {
                from_height: u64::MAX,
                kind: "no-such-event".into(),
                attribute_key: String::new(),
                attribute_value: String::new(),
            };
            let s = c.raw().stream_events(req).await?.into_inner();
            Ok(Box::new(s))
        } else {
            let req = pb::StreamBlocksRequest {
                from_height: u64::MAX,
            };
            Ok(Box::new(c.raw().stream_blocks(req).await?.into_inner()))
        }
    }
    let mut held = Vec::with_capacity(MAX_STREAMS);
    for i in 0..MAX_STREAMS {
        held.push(open(&mut clients[i / 64], i).await.unwrap());
    }
    let Err(err) = open(&mut clients[0], 0).await else {
        panic!("a stream past the limit was accepted");
    };
    assert_eq!(err.code(), tonic::Code::ResourceExhausted, "{err}");
    drop(held);
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let mut again = Vec::with_capacity(MAX_STREAMS);
    while again.len() < MAX_STREAMS {
        let i = again.len();
        match open(&mut clients[i / 64], i).await {
            Ok(s) => again.push(s),
            Err(e) if e.code() == tonic::Code::ResourceExhausted => {
                assert!(
                    std::time::Instant::now() < deadline,
                    "only {i} of {MAX_STREAMS} slots freed"
                );
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => panic!("{e}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simulate_predicts_without_committing_and_blocks_resolve_by_hash() {
    use proofwork_tx::{sign_body, Message, TxBody};
    let node = TestNode::start(100);
    let mut c = node.client().await;
    let alice = node.key("alice");
    let bob = node.key("bob").public_key().address();
    let chain_id = c.status().await.unwrap().chain_id;
    let body = |amount: u128| TxBody {
        chain_id: chain_id.clone(),
        nonce: 0,
        fee: 1,
        messages: vec![Message::Transfer(proofwork_tx::Transfer {
            to: bob,
            denom: "upw".into(),
            amount,
        })],
    };
    let before = c.balance(&bob, "upw").await.unwrap();
    let ok = c
        .raw()
        .simulate(pb::SimulateRequest {
            tx: sign_body(&alice, &body(5)),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(ok.code, 0, "{}", ok.log);
    assert_eq!(ok.fee, "1");
    assert!(ok.events.iter().any(|e| e.kind == "transfer"));
    let too_much = c
        .raw()
        .simulate(pb::SimulateRequest {
            tx: sign_body(&alice, &body(u128::MAX / 2)),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(too_much.code, 10, "{}", too_much.log);
    let garbage = c
        .raw()
        .simulate(pb::SimulateRequest { tx: vec![9, 9, 9] })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(garbage.code, 2);
    // Nothing was committed by simulating.
    assert_eq!(c.balance(&bob, "upw").await.unwrap(), before);
    assert_eq!(
        c.account(&alice.public_key().address())
            .await
            .unwrap()
            .nonce,
        0
    );

    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while c.status().await.unwrap().height < 1 {
        assert!(std::time::Instant::now() < deadline, "no block produced");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let b = c.get_block(1).await.unwrap();
    let by_hash = c
        .raw()
        .get_block_by_hash(pb::GetBlockByHashRequest {
            hash: b.block_hash.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(by_hash.height, 1);
    let err = c
        .raw()
        .get_block_by_hash(pb::GetBlockByHashRequest { hash: vec![0; 32] })
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::NotFound);
}

/// The `grpcurl` binary, if installed (`scripts/install-grpcurl.sh`).
fn grpcurl() -> Option<std::path::PathBuf> {
    if let Some(p) = std::env::var_os("PROOFWORK_GRPCURL") {
        return Some(p.into());
    }
    let gopath = std::process::Command::new("go")
        .args(["env", "GOPATH"])
        .output()
        .ok()?;
    let p = std::path::PathBuf::from(String::from_utf8_lossy(&gopath.stdout).trim())
        .join("bin/grpcurl");
    p.exists().then_some(p)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn grpcurl_lists_services_by_reflection_and_calls_queries() {
    let Some(grpcurl) = grpcurl() else {
        crate::support::skip("grpcurl not installed (run scripts/install-grpcurl.sh)");
        return;
    };
    let node = TestNode::start(100);
    let mut c = node.client().await;
    let addr = format!("127.0.0.1:{}", node.port);
    let run = |args: &[&str]| {
        let out = std::process::Command::new(&grpcurl)
            .arg("-plaintext")
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "grpcurl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let services = run(&[&addr, "list"]);
    for s in [
        "proofwork.node.v1.Node",
        "proofwork.blobs.v1.Blobs",
        "grpc.health.v1.Health",
        "grpc.reflection.v1.ServerReflection",
    ] {
        assert!(services.contains(s), "{s} not listed:\n{services}");
    }
    let health = run(&[&addr, "grpc.health.v1.Health/Check"]);
    assert!(health.contains("SERVING"), "{health}");
    let status = run(&[&addr, "proofwork.node.v1.Node/Status"]);
    assert!(status.contains("\"chainId\": \"pw-e2e\""), "{status}");
    let bob = node.key("bob").public_key().address().to_string();
    let req = format!("{{\"address\": \"{bob}\", \"denom\": \"upw\"}}");
    let bal = run(&["-d", &req, &addr, "proofwork.node.v1.Node/Balance"]);
    let expected = c
        .balance(&node.key("bob").public_key().address(), "upw")
        .await
        .unwrap()
        .to_string();
    assert!(bal.contains(&expected), "{bal}");
}
