//! The resource-exhaustion clients (`proofwork_node::chaos`), short form: idle and slow-loris
//! connections, half-sent `Blobs/Stat` requests, never-reading event streams on a large
//! block and trickling uploads must leave `Status` answering within 1 s, on a fresh
//! connection, and the node's RSS within a bound. The long form is `scripts/chaos/exhaust.sh`.

use std::net::SocketAddr;
use std::time::Duration;

use proofwork_node::chaos;
use tokio::time::Instant;

use crate::support::TestNode;

const MIB: u64 = 1 << 20;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn exhaustion_clients_leave_status_fast_and_rss_bounded() {
    let node = TestNode::start_configured(300, |c| {
        c.grpc.request_timeout_ms = 2_000;
        c.grpc.handshake_timeout_ms = 1_000;
        c.blobs.upload_min_bytes_per_sec = 1024;
    });
    let _ = node.client().await;
    let pid = node.pid();
    let addr: SocketAddr = format!("127.0.0.1:{}", node.port).parse().unwrap();
    let url = node.url();
    let base = chaos::rss_bytes(pid).unwrap();
    let probe = |secs| {
        let until = Instant::now() + Duration::from_secs(secs);
        let p = tokio::spawn(chaos::probe_status(
            url.clone(),
            Duration::from_millis(200),
            Duration::from_secs(1),
            until,
        ));
        (p, tokio::spawn(chaos::peak_rss(pid, until)))
    };
    let check = |what: &str, p: chaos::Probes, peak: u64, bound: u64| {
        eprintln!(
            "{what}: {} Status calls, {} over 1 s or failed, slowest {:?}; peak RSS {} MiB (base {} MiB)",
            p.calls,
            p.failures,
            p.max,
            peak / MIB,
            base / MIB
        );
        assert!(
            p.calls > 0 && p.failures == 0,
            "{what}: Status failed or was slow: {p:?}"
        );
        assert!(
            peak < base + bound,
            "{what}: RSS {} MiB over {} MiB + {} MiB",
            peak / MIB,
            base / MIB,
            bound / MIB
        );
    };

    // 1. Half-sent Stat frames, 1,200 idle and 200 slow-loris connections at once.
    let (p, rss) = probe(6);
    let stat = tokio::spawn(chaos::half_sent(
        addr,
        "/proofwork.blobs.v1.Blobs/Stat",
        20,
        128,
        Duration::from_secs(6),
    ));
    tokio::time::sleep(Duration::from_millis(300)).await;
    let idle = tokio::spawn(chaos::hostile_tcp(addr, 1200, None, Duration::from_secs(5)));
    let loris = tokio::spawn(chaos::hostile_tcp(
        addr,
        200,
        Some(Duration::from_millis(300)),
        Duration::from_secs(5),
    ));
    let (stat, idle, loris) = (
        stat.await.unwrap(),
        idle.await.unwrap(),
        loris.await.unwrap(),
    );
    check(
        "connections",
        p.await.unwrap(),
        rss.await.unwrap(),
        64 * MIB,
    );
    eprintln!("half-sent Stat: {stat:?}; idle: {idle:?}; slow loris: {loris:?}");
    assert_eq!(stat.sent, 2560);
    assert_eq!(
        stat.answered, stat.sent,
        "every half-sent Stat gets DEADLINE_EXCEEDED"
    );
    assert_eq!(
        (idle.opened, idle.closed),
        (1200, 1200),
        "idle connections are closed"
    );
    assert_eq!(
        (loris.opened, loris.closed),
        (200, 200),
        "slow-loris connections are closed"
    );
    assert!(loris.last_close < Duration::from_secs(4), "{loris:?}");

    // 2. 100 streams that never read, on blocks of 2,560 transfers.
    let streams = chaos::never_reading_streams(&url, 100).await.unwrap();
    let (p, rss) = probe(8);
    chaos::flood_transfers(&url, &node.key("alice"), 40)
        .await
        .unwrap();
    let mut c = node.client().await;
    let h0 = c.status().await.unwrap().height;
    let deadline = Instant::now() + Duration::from_secs(8);
    loop {
        let s = c.status().await.unwrap();
        if s.mempool_size == 0 && s.height >= h0 + 2 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the flood was not committed: {s:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    check(
        "never-reading streams",
        p.await.unwrap(),
        rss.await.unwrap(),
        128 * MIB,
    );
    drop(streams);

    // 3. Eight uploads trickling one byte every 3 s: dropped by the minimum rate.
    let (p, rss) = probe(14);
    let trickles =
        chaos::trickle_uploads(&url, 8, Duration::from_secs(3), Duration::from_secs(14)).await;
    check(
        "trickling uploads",
        p.await.unwrap(),
        rss.await.unwrap(),
        64 * MIB,
    );
    eprintln!("trickles: {trickles:?}");
    assert_eq!(trickles.len(), 8);
    for t in &trickles {
        assert_eq!(t.code, Some(tonic::Code::DeadlineExceeded), "{t:?}");
        assert!(t.lasted < Duration::from_secs(13), "{t:?}");
    }
}

/// A codec that sends and receives raw message bytes, to send what no generated client would.
#[derive(Clone, Copy)]
struct Raw;
struct RawEnc;
struct RawDec;

impl tonic::codec::Encoder for RawEnc {
    type Item = Vec<u8>;
    type Error = tonic::Status;
    fn encode(
        &mut self,
        item: Vec<u8>,
        dst: &mut tonic::codec::EncodeBuf<'_>,
    ) -> Result<(), tonic::Status> {
        bytes::BufMut::put_slice(dst, &item);
        Ok(())
    }
}

impl tonic::codec::Decoder for RawDec {
    type Item = Vec<u8>;
    type Error = tonic::Status;
    fn decode(
        &mut self,
        src: &mut tonic::codec::DecodeBuf<'_>,
    ) -> Result<Option<Vec<u8>>, tonic::Status> {
        let mut v = vec![0; bytes::Buf::remaining(src)];
        bytes::Buf::copy_to_slice(src, &mut v);
        Ok(Some(v))
    }
}

impl tonic::codec::Codec for Raw {
    type Encode = Vec<u8>;
    type Decode = Vec<u8>;
    type Encoder = RawEnc;
    type Decoder = RawDec;
    fn encoder(&mut self) -> RawEnc {
        RawEnc
    }
    fn decoder(&mut self) -> RawDec {
        RawDec
    }
}

async fn raw_call(url: &str, path: &'static str, body: Vec<u8>) -> tonic::Status {
    let ch = tonic::transport::Endpoint::from_shared(url.to_string())
        .unwrap()
        .connect()
        .await
        .unwrap();
    let mut g = tonic::client::Grpc::new(ch).max_encoding_message_size(usize::MAX);
    g.ready().await.unwrap();
    g.unary(
        tonic::Request::new(body),
        http::uri::PathAndQuery::from_static(path),
        Raw,
    )
    .await
    .unwrap_err()
}

#[tokio::test]
async fn undecodable_is_invalid_argument_and_oversize_is_resource_exhausted() {
    let node = TestNode::start(1000);
    let _ = node.client().await;
    let url = node.url();
    // AccountRequest.address (field 1) sent as a varint: not a valid AccountRequest.
    let s = raw_call(&url, "/proofwork.node.v1.Node/Account", vec![0x08, 0x01]).await;
    assert_eq!(s.code(), tonic::Code::InvalidArgument, "{s:?}");
    // 5 MiB against the 4 MiB message limit.
    let s = raw_call(
        &url,
        "/proofwork.node.v1.Node/BroadcastTx",
        vec![0; 5 << 20],
    )
    .await;
    assert_eq!(s.code(), tonic::Code::ResourceExhausted, "{s:?}");
    // Blobs has its own (chunk-sized) limit; Stat is unary and answered the same way.
    let s = raw_call(&url, "/proofwork.blobs.v1.Blobs/Stat", vec![0x0a, 0x7f]).await;
    assert_eq!(s.code(), tonic::Code::InvalidArgument, "{s:?}");
}
