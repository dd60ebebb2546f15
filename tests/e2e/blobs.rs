//! The Blobs service through the real binary: a 20 MiB upload in 1 MiB chunks downloads back
//! identical; every way to get an upload wrong gets its status code and stores nothing; and a
//! 64 MiB round trip is timed (printed; run with `--nocapture` to see the MB/s).

use std::sync::Arc;
use std::time::{Duration, Instant};

use proofwork_node::blobs::client::{self as blobs, Kind};
use proofwork_proto::blobs::v1::{self as pb, blobs_client::BlobsClient, upload_chunk::Msg};
use tonic::transport::Channel;
use tonic::Code;

use crate::support::{sample, TestNode};

async fn connect(node: &TestNode) -> BlobsClient<Channel> {
    let _ = node.client().await;
    BlobsClient::connect(node.url()).await.unwrap()
}

fn data(len: usize, seed: u8) -> Arc<Vec<u8>> {
    Arc::new(
        (0..len)
            .map(|i| (i as u32).wrapping_mul(2_654_435_761).to_le_bytes()[3] ^ seed)
            .collect(),
    )
}

fn hash(d: &[u8]) -> [u8; 32] {
    *blake3::hash(d).as_bytes()
}

async fn stat(c: &mut BlobsClient<Channel>, h: &[u8; 32]) -> Result<pb::BlobInfo, tonic::Status> {
    c.stat(pb::StatRequest {
        hash: h.to_vec(),
        ..Default::default()
    })
    .await
    .map(|r| r.into_inner())
}

/// Names in HOME/blobs other than the store's own directories, and anything left in tmp/.
fn stored_files(node: &TestNode) -> Vec<String> {
    let dir = node.home.join("blobs");
    let mut v: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "tmp" && n != "roots")
        .collect();
    v.extend(
        std::fs::read_dir(dir.join("tmp"))
            .unwrap()
            .map(|e| format!("tmp/{}", e.unwrap().file_name().to_string_lossy())),
    );
    v.sort();
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blob_of_20_mib_uploads_in_chunks_and_downloads_identical() {
    let node = TestNode::start(200);
    let mut c = connect(&node).await;
    let d = data(20 << 20, 1);
    let h = hash(&d);
    let info = blobs::upload(&mut c, d.clone(), Kind::Raw { row_len: 0 })
        .await
        .unwrap();
    assert_eq!(info.hash, h);
    assert_eq!(info.size, 20 << 20);
    assert_eq!(stat(&mut c, &h).await.unwrap().size, 20 << 20);
    assert_eq!(stored_files(&node), vec![hex::encode(h)]);
    let back = blobs::download(&mut c, &h, u64::MAX).await.unwrap();
    assert!(back == *d, "downloaded bytes differ");
    // A resumed download from an offset, limited, gets exactly that range in ≤ 1 MiB chunks.
    let mut s = c
        .download(pb::DownloadRequest {
            hash: h.to_vec(),
            offset: (3 << 20) + 5,
            limit: (2 << 20) + 7,
        })
        .await
        .unwrap()
        .into_inner();
    let mut got = Vec::new();
    while let Some(ch) = s.message().await.unwrap() {
        assert!(ch.data.len() <= 1 << 20);
        assert_eq!(ch.offset, (3 << 20) + 5 + got.len() as u64);
        got.extend_from_slice(&ch.data);
    }
    assert!(got == d[(3 << 20) + 5..(5 << 20) + 12]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_uploads_get_their_codes_and_store_nothing() {
    let node = TestNode::start(200);
    let mut c = connect(&node).await;
    let d = data(3 << 20, 2);

    // Declared size above the node's max blob size (1 GiB by default): no data needed.
    let mut h = blobs::header(&d, Kind::Raw { row_len: 0 });
    h.size = (1 << 30) + 1;
    let e = blobs::upload_with(&mut c, h, Arc::new(Vec::new()), 1 << 20)
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::ResourceExhausted, "{e:?}");
    assert!(e.message().contains("exceeds this node's limit"), "{e:?}");

    // More bytes than declared.
    let mut h = blobs::header(&d, Kind::Raw { row_len: 0 });
    h.size -= 1;
    let e = blobs::upload_with(&mut c, h, d.clone(), 1 << 20)
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::InvalidArgument, "{e:?}");
    assert!(e.message().contains("exceeds its declared size"), "{e:?}");

    // Fewer bytes than declared.
    let mut h = blobs::header(&d, Kind::Raw { row_len: 0 });
    h.size += 1;
    let e = blobs::upload_with(&mut c, h, d.clone(), 1 << 20)
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::InvalidArgument, "{e:?}");
    assert!(e.message().contains("ended after"), "{e:?}");

    // Wrong hash: refused, and the blob is not there under either hash.
    let mut h = blobs::header(&d, Kind::Raw { row_len: 0 });
    h.hash[0] ^= 0xff;
    let wrong: [u8; 32] = h.hash.clone().try_into().unwrap();
    let e = blobs::upload_with(&mut c, h, d.clone(), 1 << 20)
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::InvalidArgument, "{e:?}");
    assert!(e.message().contains("hashes to"), "{e:?}");
    assert_eq!(
        stat(&mut c, &wrong).await.unwrap_err().code(),
        Code::NotFound
    );
    assert_eq!(
        stat(&mut c, &hash(&d)).await.unwrap_err().code(),
        Code::NotFound
    );

    // A chunk over the 1 MiB chunk limit.
    let e = blobs::upload_with(
        &mut c,
        blobs::header(&d, Kind::Raw { row_len: 0 }),
        d.clone(),
        (1 << 20) + 1,
    )
    .await
    .unwrap_err();
    assert_eq!(e.code(), Code::InvalidArgument, "{e:?}");
    assert!(e.message().contains("chunk of"), "{e:?}");

    // Data before the header; no header at all; a malformed hash.
    let data_first = vec![pb::UploadChunk {
        msg: Some(Msg::Data(vec![1, 2, 3])),
    }];
    let e = c.upload(tokio_stream::iter(data_first)).await.unwrap_err();
    assert_eq!(e.code(), Code::InvalidArgument, "{e:?}");
    let e = c
        .upload(tokio_stream::iter(Vec::<pb::UploadChunk>::new()))
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::InvalidArgument, "{e:?}");
    let mut h = blobs::header(&d, Kind::Raw { row_len: 0 });
    h.hash.truncate(5);
    let e = blobs::upload_with(&mut c, h, d.clone(), 1 << 20)
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::InvalidArgument, "{e:?}");

    // A job input for a job that does not exist.
    let e = blobs::upload(
        &mut c,
        d.clone(),
        Kind::JobInput {
            job_id: 999,
            row_len: 16,
        },
    )
    .await
    .unwrap_err();
    assert_eq!(e.code(), Code::NotFound, "{e:?}");

    // Unknown blobs.
    let unknown = [9u8; 32];
    assert_eq!(
        stat(&mut c, &unknown).await.unwrap_err().code(),
        Code::NotFound
    );
    let e = match c
        .download(pb::DownloadRequest {
            hash: unknown.to_vec(),
            ..Default::default()
        })
        .await
    {
        Ok(mut s) => s.get_mut().message().await.unwrap_err(),
        Err(e) => e,
    };
    assert_eq!(e.code(), Code::NotFound, "{e:?}");
    let e = c
        .stat(pb::StatRequest {
            row_root: unknown.to_vec(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::NotFound, "{e:?}");

    // Nothing of any refused upload is visible, and no part file is left behind.
    let deadline = Instant::now() + Duration::from_secs(10);
    while !stored_files(&node).is_empty() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(stored_files(&node), Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blob_of_64_mib_round_trip_throughput() {
    let node = TestNode::start(200);
    let mut c = connect(&node).await;
    let d = data(64 << 20, 3);
    let h = hash(&d);
    let started = Instant::now();
    blobs::upload(&mut c, d.clone(), Kind::Raw { row_len: 0 })
        .await
        .unwrap();
    let up = started.elapsed();
    let started = Instant::now();
    let back = blobs::download(&mut c, &h, u64::MAX).await.unwrap();
    let down = started.elapsed();
    assert!(back == *d);
    let mbps = |t: Duration| 64.0 * 1.048_576 / t.as_secs_f64();
    eprintln!(
        "64 MiB over loopback: upload {:.0} ms ({:.0} MB/s), download {:.0} ms ({:.0} MB/s)",
        up.as_secs_f64() * 1e3,
        mbps(up),
        down.as_secs_f64() * 1e3,
        mbps(down)
    );
}

/// An upload slower than the gRPC request timeout still completes (blob streams are bounded
/// per message, not in total), and one that stalls past the idle timeout is dropped with
/// DEADLINE_EXCEEDED, leaving nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_upload_outlives_the_request_timeout_and_a_stalled_one_is_dropped() {
    let mut node = TestNode::start(200);
    let _ = node.client().await;
    node.stop();
    let path = node.home.join("config.toml");
    let mut cfg = proofwork_node::config::Config::load(&path).unwrap();
    cfg.grpc.request_timeout_ms = 1_000;
    cfg.blobs.idle_timeout_ms = 1_000;
    std::fs::write(&path, cfg.to_toml()).unwrap();
    node.spawn(200);
    let mut c = connect(&node).await;

    // 6 chunks, 400 ms apart: 2.4 s in all, over the 1 s request timeout.
    let d = data(6 << 10, 4);
    let first = pb::UploadChunk {
        msg: Some(Msg::Header(blobs::header(&d, Kind::Raw { row_len: 0 }))),
    };
    let chunks: Vec<pb::UploadChunk> = d
        .chunks(1 << 10)
        .map(|c| pb::UploadChunk {
            msg: Some(Msg::Data(c.to_vec())),
        })
        .collect();
    let slow = tokio_stream::StreamExt::throttle(
        tokio_stream::iter(std::iter::once(first.clone()).chain(chunks)),
        Duration::from_millis(400),
    );
    let info = c.upload(slow).await.unwrap().into_inner();
    assert_eq!(info.hash, hash(&d));

    // Header, one chunk, then silence past the 1 s idle timeout.
    let d2 = data(6 << 10, 5);
    let first = pb::UploadChunk {
        msg: Some(Msg::Header(blobs::header(&d2, Kind::Raw { row_len: 0 }))),
    };
    let one = pb::UploadChunk {
        msg: Some(Msg::Data(d2[..1024].to_vec())),
    };
    let stalled = tokio_stream::StreamExt::chain(
        tokio_stream::iter(vec![first, one]),
        tokio_stream::pending::<pb::UploadChunk>(),
    );
    let started = Instant::now();
    let e = c.upload(stalled).await.unwrap_err();
    assert_eq!(e.code(), Code::DeadlineExceeded, "{e:?}");
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(stored_files(&node), vec![hex::encode(hash(&d))]);
}

/// With `[blobs] max_total_bytes` small, an upload that does not fit is refused up front
/// with RESOURCE_EXHAUSTED ("blob store full") and leaves nothing; the garbage collector
/// deletes a blob nothing references after `retain_blocks`, and then the upload fits. The
/// store's totals are on `/metrics`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_store_refuses_uploads_until_gc_frees_space() {
    let node = TestNode::start_configured(200, |cfg| {
        cfg.blobs.max_total_bytes = 5 << 20;
        cfg.blobs.retain_blocks = 25;
        cfg.blobs.gc_interval_ms = 250;
    });
    let mut c = connect(&node).await;

    // A raw blob (no job or model refers to it): kept for 25 blocks (~5 s), then collected.
    let a = data(3 << 20, 6);
    let b = data(3 << 20, 7);
    blobs::upload(&mut c, a.clone(), Kind::Raw { row_len: 0 })
        .await
        .unwrap();
    let e = blobs::upload(&mut c, b.clone(), Kind::Raw { row_len: 0 })
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::ResourceExhausted, "{e:?}");
    assert!(e.message().starts_with("blob store full: "), "{e:?}");
    assert_eq!(stored_files(&node), vec![hex::encode(hash(&a))]);
    let m = node.metrics();
    assert_eq!(sample(&m, "proofwork_blob_store_blobs"), Some(1), "{m}");
    assert_eq!(
        sample(&m, "proofwork_blob_store_bytes"),
        Some(3 << 20),
        "{m}"
    );
    assert_eq!(
        sample(&m, "proofwork_blob_store_reserved_bytes"),
        Some(0),
        "{m}"
    );

    let deadline = Instant::now() + Duration::from_secs(60);
    while stat(&mut c, &hash(&a)).await.is_ok() {
        assert!(
            Instant::now() < deadline,
            "the blob was not collected; log:\n{}",
            node.log()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(stored_files(&node), Vec::<String>::new());
    let m = node.metrics();
    assert_eq!(sample(&m, "proofwork_blob_store_bytes"), Some(0), "{m}");
    assert_eq!(
        sample(&m, "proofwork_blob_gc_deleted_total"),
        Some(1),
        "{m}"
    );
    assert!(node.log().contains("blob gc pass"), "{}", node.log());

    let info = blobs::upload(&mut c, b.clone(), Kind::Raw { row_len: 0 })
        .await
        .unwrap();
    assert_eq!(info.hash, hash(&b));
}
