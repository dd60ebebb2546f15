//! Resource-exhaustion clients for the gRPC API (issue 19): each opens a bounded number of
//! hostile connections or streams for a bounded time and reports what the node did with
//! them. `examples/exhaust.rs` runs the long form; the `e2e` test `net_exhaust` a short one.
//! Nothing here runs inside a node.

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::Context as _;
use proofwork_proto::blobs::v1::{self as blobs_pb, blobs_client::BlobsClient};
use proofwork_proto::node::v1::{self as pb, node_client::NodeClient};
use proofwork_tx::{sign_body, Message, SecretKey, TxBody};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;
use tokio::time::Instant;

/// The HTTP/2 client preface.
const PREFACE: &[u8; 24] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// `Status` latencies seen by [`probe_status`].
#[derive(Debug, Clone, Default)]
pub struct Probes {
    /// Calls made.
    pub calls: u64,
    /// Calls that failed or took longer than the probe's limit.
    pub failures: u64,
    /// Slowest successful call.
    pub max: Duration,
}

/// Calls `Status` every `every` until `until`, each on a fresh connection (so a full accept
/// queue shows), each bounded by `limit`.
pub async fn probe_status(url: String, every: Duration, limit: Duration, until: Instant) -> Probes {
    let mut p = Probes::default();
    while Instant::now() < until {
        let started = Instant::now();
        let call = async {
            let ch = tonic::transport::Endpoint::from_shared(url.clone())?
                .connect()
                .await?;
            NodeClient::new(ch).status(pb::StatusRequest {}).await?;
            anyhow::Ok(())
        };
        p.calls += 1;
        match tokio::time::timeout(limit, call).await {
            Ok(Ok(())) => p.max = p.max.max(started.elapsed()),
            _ => p.failures += 1,
        }
        tokio::time::sleep(every).await;
    }
    p
}

/// Resident set size of process `pid` in bytes (Linux `/proc`).
pub fn rss_bytes(pid: u32) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kb: u64 = s
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    kb.checked_mul(1024)
}

/// Samples [`rss_bytes`] every 100 ms until `until`; the largest value.
pub async fn peak_rss(pid: u32, until: Instant) -> u64 {
    let mut peak = 0;
    while Instant::now() < until {
        peak = peak.max(rss_bytes(pid).unwrap_or(0));
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    peak
}

/// What the node did with a batch of hostile TCP connections.
#[derive(Debug, Clone, Copy, Default)]
pub struct Closed {
    /// Connections opened.
    pub opened: usize,
    /// Connections the node closed within the hold time.
    pub closed: usize,
    /// When the last of them was closed, from the start.
    pub last_close: Duration,
}

/// Reads until EOF or an error: the moment the node closed the socket.
async fn until_closed(mut s: TcpStream) {
    let mut b = [0u8; 256];
    while let Ok(n) = s.read(&mut b).await {
        if n == 0 {
            return;
        }
    }
}

/// Opens `n` TCP connections that send nothing (or, with `drip`, the HTTP/2 preface one
/// byte per `drip`: slow loris) and holds each for `hold` from its own connect: a socket
/// counts as closed when the node closed it within that time. (A deadline shared by all
/// would blame the node for the last sockets of a slow connect loop, which the handshake
/// timeout closes only after they arrive.)
pub async fn hostile_tcp(
    addr: SocketAddr,
    n: usize,
    drip: Option<Duration>,
    hold: Duration,
) -> Closed {
    let start = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    let mut opened = 0;
    for _ in 0..n {
        let Ok(s) = TcpStream::connect(addr).await else {
            continue;
        };
        opened += 1;
        let deadline = Instant::now() + hold;
        tasks.spawn(async move {
            let watch = async {
                match drip {
                    None => until_closed(s).await,
                    Some(every) => {
                        let (r, mut w) = s.into_split();
                        let reader = tokio::spawn(async move {
                            let mut r = r;
                            let mut b = [0u8; 256];
                            while let Ok(n) = r.read(&mut b).await {
                                if n == 0 {
                                    return;
                                }
                            }
                        });
                        for b in PREFACE.iter().cycle() {
                            if reader.is_finished() || w.write_all(&[*b]).await.is_err() {
                                break;
                            }
                            tokio::time::sleep(every).await;
                        }
                        let _ = reader.await;
                    }
                }
            };
            tokio::time::timeout_at(deadline, watch)
                .await
                .is_ok()
                .then(|| start.elapsed())
        });
    }
    let mut c = Closed {
        opened,
        ..Closed::default()
    };
    while let Some(r) = tasks.join_next().await {
        if let Ok(Some(at)) = r {
            c.closed += 1;
            c.last_close = c.last_close.max(at);
        }
    }
    c
}

/// An HTTP/2 frame header.
fn frame(kind: u8, flags: u8, stream: u32, payload: &[u8]) -> Vec<u8> {
    let len = payload.len() as u32;
    let mut f = Vec::with_capacity(9 + payload.len());
    f.extend_from_slice(&len.to_be_bytes()[1..]);
    f.push(kind);
    f.push(flags);
    f.extend_from_slice(&stream.to_be_bytes());
    f.extend_from_slice(payload);
    f
}

/// HPACK literal without indexing (no Huffman), name by static index or by value.
fn hpack_literal(out: &mut Vec<u8>, name: Result<u8, &str>, value: &str) {
    match name {
        Ok(i) if i < 15 => out.push(i),
        Ok(i) => out.extend_from_slice(&[0x0f, i - 15]),
        Err(n) => {
            out.push(0);
            out.push(n.len() as u8);
            out.extend_from_slice(n.as_bytes());
        }
    }
    out.push(value.len() as u8);
    out.extend_from_slice(value.as_bytes());
}

/// The request headers of a gRPC call to `path`.
fn grpc_headers(authority: &str, path: &str) -> Vec<u8> {
    let mut h = vec![0x83, 0x86]; // :method POST, :scheme http
    hpack_literal(&mut h, Ok(4), path);
    hpack_literal(&mut h, Ok(1), authority);
    hpack_literal(&mut h, Ok(31), "application/grpc");
    hpack_literal(&mut h, Err("te"), "trailers");
    h
}

/// What the node answered to raw HTTP/2 gRPC requests.
#[derive(Debug, Clone, Copy, Default)]
pub struct Answered {
    /// Requests sent.
    pub sent: usize,
    /// Answered with a final (END_STREAM) HEADERS frame.
    pub answered: usize,
    /// Reset by the server.
    pub reset: usize,
}

/// Sends `per_conn` `path` requests on each of `conns` raw HTTP/2 connections, each with a
/// gRPC message whose 5-byte prefix promises `promise` bytes and which then stops after 10
/// (a half-sent frame), and counts the answers within `wait`.
pub async fn half_sent(
    addr: SocketAddr,
    path: &'static str,
    conns: usize,
    per_conn: usize,
    wait: Duration,
) -> Answered {
    let mut tasks = tokio::task::JoinSet::new();
    let deadline = Instant::now() + wait;
    for _ in 0..conns {
        tasks.spawn(async move {
            let mut a = Answered::default();
            let Ok(mut s) = TcpStream::connect(addr).await else {
                return a;
            };
            let mut out = PREFACE.to_vec();
            out.extend(frame(4, 0, 0, &[]));
            let headers = grpc_headers(&addr.to_string(), path);
            let mut body = vec![0u8];
            body.extend_from_slice(&100u32.to_be_bytes());
            body.extend_from_slice(&[0x0a; 10]);
            for i in 0..per_conn {
                let id = 1 + 2 * i as u32;
                out.extend(frame(1, 0x4, id, &headers));
                out.extend(frame(0, 0, id, &body));
            }
            if s.write_all(&out).await.is_err() {
                return a;
            }
            a.sent = per_conn;
            let read = async {
                loop {
                    let mut h = [0u8; 9];
                    if s.read_exact(&mut h).await.is_err() {
                        return;
                    }
                    let len = u32::from_be_bytes([0, h[0], h[1], h[2]]) as usize;
                    let mut payload = vec![0u8; len];
                    if s.read_exact(&mut payload).await.is_err() {
                        return;
                    }
                    match (h[3], h[4]) {
                        (1, f) if f & 0x1 != 0 => a.answered += 1,
                        (3, _) => a.reset += 1,
                        (4, f) if f & 0x1 == 0 => {
                            let _ = s.write_all(&frame(4, 0x1, 0, &[])).await;
                        }
                        (6, f) if f & 0x1 == 0 => {
                            let _ = s.write_all(&frame(6, 0x1, 0, &payload)).await;
                        }
                        (7, _) => return,
                        _ => {}
                    }
                    // hyper may also reset a stream after answering it (its body never ended).
                    if a.answered >= a.sent {
                        return;
                    }
                }
            };
            let _ = tokio::time::timeout_at(deadline, read).await;
            a
        });
    }
    let mut total = Answered::default();
    while let Some(r) = tasks.join_next().await {
        if let Ok(a) = r {
            total.sent += a.sent;
            total.answered += a.answered;
            total.reset += a.reset;
        }
    }
    total
}

/// Opens `n` `StreamEvents` streams (all events, from the next block), each on its own
/// connection, and never reads them; drop the result to close them.
///
/// # Errors
/// A stream the node refused.
pub async fn never_reading_streams(
    url: &str,
    n: usize,
) -> anyhow::Result<Vec<tonic::Streaming<pb::EventMessage>>> {
    let mut v = Vec::with_capacity(n);
    for _ in 0..n {
        let ch = tonic::transport::Endpoint::from_shared(url.to_string())?
            .connect()
            .await?;
        let s = NodeClient::new(ch)
            .stream_events(pb::StreamEventsRequest::default())
            .await
            .context("StreamEvents")?
            .into_inner();
        v.push(s);
    }
    Ok(v)
}

/// Broadcasts `txs` txs of 64 one-upw transfers each from `key` (without waiting), so that
/// the next blocks carry `64 × txs` transfer events.
///
/// # Errors
/// The node refusing a tx, or the connection.
pub async fn flood_transfers(url: &str, key: &SecretKey, txs: usize) -> anyhow::Result<()> {
    let ch = tonic::transport::Endpoint::from_shared(url.to_string())?
        .connect()
        .await?;
    let mut c = NodeClient::new(ch);
    let status = c.status(pb::StatusRequest {}).await?.into_inner();
    let from = key.public_key().address();
    let mut nonce = c
        .account(pb::AccountRequest {
            address: from.to_string(),
        })
        .await?
        .into_inner()
        .nonce;
    let to = SecretKey::generate().public_key().address();
    for _ in 0..txs {
        let body = TxBody {
            chain_id: status.chain_id.clone(),
            nonce,
            fee: 1,
            messages: vec![
                Message::Transfer(proofwork_tx::Transfer {
                    to,
                    denom: "upw".into(),
                    amount: 1,
                });
                64
            ],
        };
        let r = c
            .broadcast_tx(pb::BroadcastTxRequest {
                tx: sign_body(key, &body),
                wait: false,
            })
            .await?
            .into_inner();
        anyhow::ensure!(r.code == 0, "flood tx refused: {}", r.log);
        nonce += 1;
    }
    Ok(())
}

/// How one trickling upload ended.
#[derive(Debug, Clone)]
pub struct Trickle {
    /// Time from the header to the node's answer (or to `hold`).
    pub lasted: Duration,
    /// The node's status code; `None` if it still held the upload at `hold`.
    pub code: Option<tonic::Code>,
}

/// Starts `n` uploads that declare 1 MiB and send one byte per `every`, each held at most
/// `hold`.
pub async fn trickle_uploads(url: &str, n: usize, every: Duration, hold: Duration) -> Vec<Trickle> {
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..n {
        let url = url.to_string();
        tasks.spawn(async move {
            let start = Instant::now();
            let run = async {
                let ch = tonic::transport::Endpoint::from_shared(url)?
                    .connect()
                    .await?;
                let (tx, rx) = tokio::sync::mpsc::channel(4);
                let mut hash = [0u8; 32];
                hash[0] = i as u8;
                let header = blobs_pb::UploadChunk {
                    msg: Some(blobs_pb::upload_chunk::Msg::Header(
                        blobs_pb::UploadHeader {
                            size: 1 << 20,
                            hash: hash.to_vec(),
                            kind: blobs_pb::BlobKind::Raw as i32,
                            row_len: 0,
                            ref_id: 0,
                        },
                    )),
                };
                tx.send(header).await?;
                tokio::spawn(async move {
                    loop {
                        tokio::time::sleep(every).await;
                        let b = blobs_pb::UploadChunk {
                            msg: Some(blobs_pb::upload_chunk::Msg::Data(vec![0])),
                        };
                        if tx.send(b).await.is_err() {
                            return;
                        }
                    }
                });
                let r = BlobsClient::new(ch)
                    .upload(tokio_stream::wrappers::ReceiverStream::new(rx))
                    .await;
                anyhow::Ok(match r {
                    Ok(_) => tonic::Code::Ok,
                    Err(s) => s.code(),
                })
            };
            let code = match tokio::time::timeout(hold, run).await {
                Ok(Ok(c)) => Some(c),
                Ok(Err(_)) => Some(tonic::Code::Unknown),
                Err(_) => None,
            };
            Trickle {
                lasted: start.elapsed(),
                code,
            }
        });
    }
    let mut out = Vec::new();
    while let Some(r) = tasks.join_next().await {
        if let Ok(t) = r {
            out.push(t);
        }
    }
    out
}
