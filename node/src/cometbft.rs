//! The node's side of a CometBFT network in `start --abci` mode: a small JSON-RPC client
//! for the local CometBFT node, and the gRPC backend that forwards `BroadcastTx` to it and
//! answers commit waits from the ABCI app's own Commit.
//!
//! The client speaks HTTP/1.1 with keep-alive over a small connection pool (a
//! connection per request would pile up TIME_WAIT sockets under load), handling both
//! `Content-Length` and chunked bodies, which is all CometBFT's RPC server sends.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{bail, Context as _};
use base64::Engine as _;
use proofwork_proto::node::v1 as pb;
use proofwork_state::Storage;
use proofwork_tx::TxError;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tonic::Status;

use crate::waiters::CommitWaiters;

type Conn = BufReader<TcpStream>;

/// A JSON-RPC client for one CometBFT node.
pub struct RpcClient {
    host: String,
    pool: Mutex<Vec<Conn>>,
    /// Bounds concurrent calls (and so open connections): CometBFT's RPC server stops
    /// accepting at `max_open_connections` (900 by default), which would stall callers
    /// beyond it for seconds.
    permits: tokio::sync::Semaphore,
}

/// Most concurrent calls (= most open connections) of one [`RpcClient`].
pub const MAX_CONCURRENT_CALLS: usize = 128;

/// A JSON-RPC error answer.
#[derive(Debug, thiserror::Error)]
#[error("CometBFT RPC error {code}: {message} {data}")]
pub struct RpcError {
    /// JSON-RPC code.
    pub code: i64,
    /// Message.
    pub message: String,
    /// Details (CometBFT puts the useful part here).
    pub data: String,
}

impl RpcClient {
    /// A client for `url` (`http://127.0.0.1:26657`, `tcp://…` or `host:port`).
    pub fn new(url: &str) -> Self {
        let host = url
            .trim_start_matches("http://")
            .trim_start_matches("tcp://")
            .trim_end_matches('/')
            .to_string();
        RpcClient {
            host,
            pool: Mutex::new(Vec::new()),
            permits: tokio::sync::Semaphore::new(MAX_CONCURRENT_CALLS),
        }
    }

    /// `host:port`.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// Calls `method` with `params`, returning the `result` object.
    ///
    /// # Errors
    /// Connection or protocol failures, or an [`RpcError`] from CometBFT.
    pub async fn call(
        &self,
        method: &str,
        params: serde_json::Value,
    ) -> anyhow::Result<serde_json::Value> {
        let body = serde_json::to_vec(&serde_json::json!({
            "jsonrpc": "2.0", "id": 1, "method": method, "params": params,
        }))?;
        let _permit = self.permits.acquire().await?;
        let pooled = self.pool.lock().expect("pool lock").pop();
        let v = match pooled {
            Some(conn) => match self.round_trip(conn, &body).await {
                Ok(v) => v,
                // A pooled connection may have been closed by the server: retry once fresh.
                Err(_) => self.round_trip(self.connect().await?, &body).await?,
            },
            None => self.round_trip(self.connect().await?, &body).await?,
        };
        if let Some(e) = v.get("error") {
            return Err(RpcError {
                code: e["code"].as_i64().unwrap_or(0),
                message: e["message"].as_str().unwrap_or("").to_string(),
                data: e["data"].as_str().unwrap_or("").to_string(),
            }
            .into());
        }
        v.get("result")
            .cloned()
            .context("JSON-RPC answer has neither result nor error")
    }

    async fn connect(&self) -> anyhow::Result<Conn> {
        let s = TcpStream::connect(&self.host)
            .await
            .with_context(|| format!("connecting to CometBFT RPC at {}", self.host))?;
        s.set_nodelay(true)?;
        Ok(BufReader::with_capacity(64 << 10, s))
    }

    async fn round_trip(&self, mut conn: Conn, body: &[u8]) -> anyhow::Result<serde_json::Value> {
        let head = format!(
            "POST / HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            self.host,
            body.len()
        );
        let s = conn.get_mut();
        s.write_all(head.as_bytes()).await?;
        s.write_all(body).await?;
        let mut line = String::new();
        if conn.read_line(&mut line).await? == 0 {
            bail!("connection closed");
        }
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .and_then(|c| c.parse().ok())
            .with_context(|| format!("bad HTTP status line {line:?}"))?;
        let mut length = None;
        let mut chunked = false;
        let mut close = false;
        loop {
            line.clear();
            if conn.read_line(&mut line).await? == 0 {
                bail!("connection closed in headers");
            }
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            if let Some((k, v)) = l.split_once(':') {
                let (k, v) = (k.trim().to_ascii_lowercase(), v.trim());
                match k.as_str() {
                    "content-length" => length = v.parse::<usize>().ok(),
                    "transfer-encoding" => chunked = v.eq_ignore_ascii_case("chunked"),
                    "connection" => close = v.eq_ignore_ascii_case("close"),
                    _ => {}
                }
            }
        }
        let mut body = Vec::new();
        if chunked {
            loop {
                line.clear();
                conn.read_line(&mut line).await?;
                let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or(""), 16)
                    .with_context(|| format!("bad chunk size {line:?}"))?;
                let start = body.len();
                let end = start
                    .checked_add(size)
                    .filter(|&e| e <= MAX_RPC_BODY)
                    .with_context(|| format!("CometBFT RPC body over {MAX_RPC_BODY} bytes"))?;
                body.resize(end, 0);
                conn.read_exact(&mut body[start..]).await?;
                let mut crlf = [0u8; 2];
                conn.read_exact(&mut crlf).await?;
                if size == 0 {
                    break;
                }
            }
        } else if let Some(n) = length {
            if n > MAX_RPC_BODY {
                bail!("CometBFT RPC body of {n} bytes is over {MAX_RPC_BODY}");
            }
            body.resize(n, 0);
            conn.read_exact(&mut body).await?;
        } else {
            (&mut conn)
                .take(MAX_RPC_BODY as u64 + 1)
                .read_to_end(&mut body)
                .await?;
            if body.len() > MAX_RPC_BODY {
                bail!("CometBFT RPC body over {MAX_RPC_BODY} bytes");
            }
            close = true;
        }
        if !close {
            self.pool.lock().expect("pool lock").push(conn);
        }
        if status != 200 && body.is_empty() {
            bail!("HTTP {status} from CometBFT RPC");
        }
        serde_json::from_slice(&body)
            .with_context(|| format!("HTTP {status}: undecodable JSON-RPC answer"))
    }

    /// `broadcast_tx_sync`: CheckTx's verdict on `tx`.
    ///
    /// # Errors
    /// See [`RpcClient::call`].
    pub async fn broadcast_tx_sync(&self, tx: &[u8]) -> anyhow::Result<(u32, String)> {
        let r = self
            .call(
                "broadcast_tx_sync",
                serde_json::json!({"tx": base64::engine::general_purpose::STANDARD.encode(tx)}),
            )
            .await?;
        let code = r["code"].as_u64().unwrap_or(0) as u32;
        Ok((code, r["log"].as_str().unwrap_or("").to_string()))
    }

    /// Latest block height as CometBFT reports it.
    ///
    /// # Errors
    /// See [`RpcClient::call`].
    pub async fn latest_height(&self) -> anyhow::Result<u64> {
        let r = self.call("status", serde_json::json!({})).await?;
        r["sync_info"]["latest_block_height"]
            .as_str()
            .and_then(|h| h.parse().ok())
            .context("status has no latest_block_height")
    }
}

/// Largest CometBFT RPC response body read (its own default `max_body_bytes` is 1 MB; a
/// broken or hostile endpoint must not make the node allocate without bound).
const MAX_RPC_BODY: usize = 64 << 20;

/// The gRPC backend of a node under CometBFT.
pub struct CometBackend {
    storage: Storage,
    rpc: RpcClient,
    waiters: Arc<CommitWaiters>,
}

impl CometBackend {
    /// A backend reading `storage` (shared with the ABCI app) and forwarding to `rpc_url`.
    pub fn new(storage: Storage, rpc_url: &str, waiters: Arc<CommitWaiters>) -> Self {
        CometBackend {
            storage,
            rpc: RpcClient::new(rpc_url),
            waiters,
        }
    }

    /// The store.
    pub fn storage(&self) -> &Storage {
        &self.storage
    }

    /// The chain id, once InitChain has run.
    pub fn chain_id(&self) -> Option<String> {
        proofwork_genesis::chain_id(&self.storage).ok().flatten()
    }

    /// CometBFT's mempool size (0 when it cannot be asked).
    pub async fn mempool_size(&self) -> u64 {
        self.rpc
            .call("num_unconfirmed_txs", serde_json::json!({}))
            .await
            .ok()
            .and_then(|r| r["total"].as_str().and_then(|t| t.parse().ok()))
            .unwrap_or(0)
    }

    /// Forwards a tx to CometBFT (`broadcast_tx_sync`) and, with `wait`, waits for our
    /// Commit of the block that contains it.
    ///
    /// # Errors
    /// CometBFT unreachable (Unavailable) or the wait timed out (DeadlineExceeded).
    pub async fn broadcast(
        &self,
        tx: Vec<u8>,
        wait: bool,
        commit_wait: Duration,
    ) -> Result<pb::BroadcastTxResponse, Status> {
        let hash = *blake3::hash(&tx).as_bytes();
        // Declared before `rx`: this call's waiter never outlives it, also when the gRPC call
        // is cancelled mid-wait (a client that disconnects).
        let _withdraw = wait.then(|| self.waiters.withdraw_on_drop(hash));
        let rx = wait.then(|| self.waiters.register(hash));
        let refused = |code: u32, log: String| pb::BroadcastTxResponse {
            hash: hash.to_vec(),
            code,
            log,
            committed: None,
            codespace: proofwork_tx::error::module_of(code).to_owned(),
        };
        match self.rpc.broadcast_tx_sync(&tx).await {
            Ok((0, _)) => {}
            Ok((code, log)) => {
                return Ok(refused(code, log));
            }
            Err(e) => {
                if let Some(r) = e.downcast_ref::<RpcError>() {
                    if r.data.contains("already exists in cache") {
                        let e = TxError::DuplicateTx;
                        return Ok(refused(e.code(), e.to_string()));
                    }
                    if r.data.contains("mempool is full") {
                        let e = TxError::MempoolFull { size: 0 };
                        return Ok(refused(e.code(), format!("{e}: {}", r.data)));
                    }
                }
                return Err(Status::unavailable(format!("{e:#}")));
            }
        }
        let mut resp = pb::BroadcastTxResponse {
            hash: hash.to_vec(),
            code: 0,
            log: String::new(),
            committed: None,
            codespace: String::new(),
        };
        if let Some(rx) = rx {
            match tokio::time::timeout(commit_wait, rx).await {
                Ok(Ok(c)) => {
                    resp.committed = Some(pb::TxResult {
                        height: c.height,
                        index: c.index,
                        result: Some(c.result),
                    })
                }
                _ => {
                    return Err(Status::deadline_exceeded(format!(
                        "tx {} not committed within {commit_wait:?}",
                        hex::encode(hash)
                    )));
                }
            }
        }
        Ok(resp)
    }
}
