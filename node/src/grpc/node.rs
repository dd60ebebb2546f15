//! `proofwork.node.v1.Node`: broadcast, status, accounts, tx lookup.

use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use proofwork_proto::block::v1 as block_pb;
use proofwork_proto::node::v1::{self as pb, node_server};
use proofwork_state::{accounts, ExecError, StateError, StateRead};
use tokio::sync::{mpsc, oneshot};
use tonic::{Request, Response, Status};

use super::proven::{state_status, AtReader};
use super::{internal, parse_address, Backend, GrpcLimits};
use crate::engine::Node;

/// The `proofwork.node.v1.Node` service over an embedded-engine node.
#[derive(Clone)]
pub struct NodeService {
    backend: Backend,
    limits: GrpcLimits,
    streams: Arc<tokio::sync::Semaphore>,
    simulations: Arc<tokio::sync::Semaphore>,
    shared_block: Arc<SharedBlock>,
}

/// Longest key `QueryState` accepts.
pub const MAX_KEY_BYTES: usize = 1024;
/// Most concurrent block/event streams; more get ResourceExhausted.
pub const MAX_STREAMS: usize = 256;
/// Most concurrent Simulate calls (each runs a tx, possibly a whole spot check, on a blocking
/// thread); more get ResourceExhausted.
pub const MAX_SIMULATIONS: usize = 8;
/// A stream whose consumer does not take a message for this long is closed (slow loris).
pub const STREAM_SEND_TIMEOUT: Duration = Duration::from_secs(60);

impl NodeService {
    /// A service over an embedded-engine node.
    pub fn new(node: Arc<Node>, limits: GrpcLimits) -> Self {
        Self::with_backend(Backend::Embedded(node), limits)
    }

    /// A service over either engine.
    pub fn with_backend(backend: Backend, limits: GrpcLimits) -> Self {
        NodeService {
            backend,
            limits,
            streams: Arc::new(tokio::sync::Semaphore::new(MAX_STREAMS)),
            simulations: Arc::new(tokio::sync::Semaphore::new(MAX_SIMULATIONS)),
            shared_block: Arc::default(),
        }
    }

    fn follower(&self, from: u64) -> Follower {
        let (storage, sub) = match &self.backend {
            Backend::Embedded(n) => (n.storage().clone(), Some(n.subscribe())),
            Backend::Comet(c) => (c.storage().clone(), None),
        };
        Follower {
            storage,
            sub,
            next: from,
            shared: self.shared_block.clone(),
        }
    }

    fn embedded(&self, what: &str) -> Result<&Arc<Node>, Status> {
        match &self.backend {
            Backend::Embedded(n) => Ok(n),
            Backend::Comet(_) => Err(Status::unimplemented(format!(
                "{what} is served by the embedded engine only; under CometBFT use its RPC"
            ))),
        }
    }
}

type BoxStream<T> = Pin<Box<dyn tokio_stream::Stream<Item = Result<T, Status>> + Send>>;

/// The last block record a stream loaded, shared by every stream at that height: 100
/// streams on a block of 10k txs hold one copy, not 100.
#[derive(Default)]
struct SharedBlock(std::sync::Mutex<Option<Arc<block_pb::BlockRecord>>>);

impl SharedBlock {
    fn load(
        &self,
        storage: &proofwork_state::Storage,
        height: u64,
    ) -> Option<Arc<block_pb::BlockRecord>> {
        if let Ok(g) = self.0.lock() {
            if let Some(r) = g.as_ref().filter(|r| r.height == height) {
                return Some(r.clone());
            }
        }
        let rec = Arc::new(crate::app::load_block(storage, height).ok()??);
        if let Ok(mut g) = self.0.lock() {
            // Keep the newest: streams that follow the tip all want it next.
            if g.as_ref().is_none_or(|r| r.height < height) {
                *g = Some(rec.clone());
            }
        }
        Some(rec)
    }
}

/// Walks the block log from a height on, waking on each commit.
struct Follower {
    storage: proofwork_state::Storage,
    sub: Option<tokio::sync::broadcast::Receiver<Arc<crate::engine::BlockSummary>>>,
    next: u64,
    shared: Arc<SharedBlock>,
}

impl Follower {
    /// The next block record, once committed; `None` when `gone` completes first (checked
    /// while waiting, so a stream that emits nothing — a future start height, a filter
    /// nothing matches — still frees its slot) or the block log cannot be read.
    async fn next(
        &mut self,
        gone: impl std::future::Future<Output = ()>,
    ) -> Option<Arc<block_pb::BlockRecord>> {
        tokio::pin!(gone);
        loop {
            let latest = self.storage.latest().map_or(0, |l| l.height);
            if self.next <= latest {
                let rec = self.shared.load(&self.storage, self.next)?;
                self.next += 1;
                return Some(rec);
            }
            // Wait for the next commit (or re-check periodically if notifications lagged).
            let wait = async {
                match self.sub.as_mut() {
                    Some(sub) => {
                        let _ = tokio::time::timeout(Duration::from_secs(1), sub.recv()).await;
                    }
                    // Under CometBFT there is no in-process notification: poll the block log.
                    None => tokio::time::sleep(Duration::from_millis(100)).await,
                }
            };
            tokio::select! {
                () = &mut gone => return None,
                () = wait => {}
            }
        }
    }
}

/// The sending half of a stream: one bounded channel, one message in flight, and a last
/// status for a consumer too slow to keep up.
struct Sink<T> {
    tx: mpsc::Sender<Result<T, Status>>,
    end: Option<oneshot::Sender<Status>>,
}

impl<T: Send> Sink<T> {
    /// Queues `item`; false when the consumer went away or took no message for
    /// [`STREAM_SEND_TIMEOUT`]. In the latter case the stream ends, after what the consumer
    /// has buffered, with RESOURCE_EXHAUSTED.
    async fn send(&mut self, item: T) -> bool {
        match tokio::time::timeout(STREAM_SEND_TIMEOUT, self.tx.send(Ok(item))).await {
            Ok(Ok(())) => true,
            Ok(Err(_)) => false,
            Err(_) => {
                if let Some(end) = self.end.take() {
                    let _ = end.send(Status::resource_exhausted(format!(
                        "stream closed: the client took no message for {} s",
                        STREAM_SEND_TIMEOUT.as_secs()
                    )));
                }
                false
            }
        }
    }
}

/// The receiving half: the channel's messages, then the sink's last status if it set one.
struct Ending<T> {
    rx: mpsc::Receiver<Result<T, Status>>,
    end: Option<oneshot::Receiver<Status>>,
}

impl<T> tokio_stream::Stream for Ending<T> {
    type Item = Result<T, Status>;

    fn poll_next(
        mut self: Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        use std::future::Future as _;
        use std::task::Poll;
        let this = &mut *self;
        match this.rx.poll_recv(cx) {
            Poll::Ready(Some(item)) => return Poll::Ready(Some(item)),
            Poll::Pending => return Poll::Pending,
            Poll::Ready(None) => {}
        }
        let Some(end) = this.end.as_mut() else {
            return Poll::Ready(None);
        };
        match Pin::new(end).poll(cx) {
            Poll::Ready(r) => {
                this.end = None;
                Poll::Ready(r.ok().map(Err))
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

/// A stream of `cap` queued messages at most, fed by [`Sink`].
fn channel<T>(cap: usize) -> (Sink<T>, Ending<T>) {
    let (tx, rx) = mpsc::channel(cap);
    let (end_tx, end_rx) = oneshot::channel();
    (
        Sink {
            tx,
            end: Some(end_tx),
        },
        Ending {
            rx,
            end: Some(end_rx),
        },
    )
}

/// Whether `ev` passes a StreamEvents request's filter.
fn event_matches(req: &pb::StreamEventsRequest, ev: &block_pb::Event) -> bool {
    (req.kind.is_empty() || ev.kind == req.kind)
        && (req.attribute_key.is_empty()
            || ev.attributes.iter().any(|a| {
                a.key == req.attribute_key
                    && (req.attribute_value.is_empty() || a.value == req.attribute_value)
            }))
}

#[tonic::async_trait]
impl node_server::Node for NodeService {
    type StreamBlocksStream = BoxStream<block_pb::BlockRecord>;
    type StreamEventsStream = BoxStream<pb::EventMessage>;

    async fn query_state(
        &self,
        req: Request<pb::QueryStateRequest>,
    ) -> Result<Response<pb::QueryStateResponse>, Status> {
        let req = req.into_inner();
        if req.key.is_empty() || req.key.len() > MAX_KEY_BYTES {
            return Err(Status::invalid_argument(format!(
                "key must be 1 to {MAX_KEY_BYTES} bytes"
            )));
        }
        let s = self.backend.storage().clone();
        let latest = s
            .latest()
            .ok_or_else(|| Status::unavailable("no genesis"))?
            .height;
        let height = if req.height == 0 { latest } else { req.height };
        let resp =
            tokio::task::spawn_blocking(move || -> Result<pb::QueryStateResponse, StateError> {
                if req.prove {
                    let p = s.get_with_proof(&req.key, height)?;
                    Ok(pb::QueryStateResponse {
                        exists: p.value.is_some(),
                        value: p.value.unwrap_or_default(),
                        key: req.key,
                        height,
                        app_hash: p.app_hash.to_vec(),
                        proof: p.proof,
                    })
                } else {
                    let value = if height == latest {
                        s.get_raw(&req.key)?
                    } else {
                        s.get_at(&req.key, height)?
                    };
                    let app_hash = s.app_hash_at(height)?;
                    Ok(pb::QueryStateResponse {
                        exists: value.is_some(),
                        value: value.unwrap_or_default(),
                        key: req.key,
                        height,
                        app_hash: app_hash.to_vec(),
                        proof: vec![],
                    })
                }
            })
            .await
            .map_err(internal)?
            .map_err(state_status)?;
        Ok(Response::new(resp))
    }

    async fn get_block(
        &self,
        req: Request<pb::GetBlockRequest>,
    ) -> Result<Response<block_pb::BlockRecord>, Status> {
        let h = req.get_ref().height;
        crate::app::load_block(self.backend.storage(), h)
            .map_err(internal)?
            .map(Response::new)
            .ok_or_else(|| Status::not_found(format!("no block {h} in the block log")))
    }

    async fn get_block_by_hash(
        &self,
        req: Request<pb::GetBlockByHashRequest>,
    ) -> Result<Response<block_pb::BlockRecord>, Status> {
        let hash = &req.get_ref().hash;
        if hash.len() != 32 {
            return Err(Status::invalid_argument("block hash must be 32 bytes"));
        }
        let s = self.backend.storage();
        let h = s
            .get_aux(&crate::app::block_hash_key(hash))
            .map_err(internal)?
            .ok_or_else(|| {
                Status::not_found(format!("no block with hash {}", hex::encode(hash)))
            })?;
        let h = u64::from_be_bytes(
            h.as_slice()
                .try_into()
                .map_err(|_| internal("corrupt block hash index"))?,
        );
        crate::app::load_block(s, h)
            .map_err(internal)?
            .map(Response::new)
            .ok_or_else(|| internal(format!("block {h} missing from the block log")))
    }

    async fn simulate(
        &self,
        req: Request<pb::SimulateRequest>,
    ) -> Result<Response<pb::SimulateResponse>, Status> {
        let node = self.embedded("Simulate")?.clone();
        let permit = self.simulations.clone().try_acquire_owned().map_err(|_| {
            Status::resource_exhausted(format!("at most {MAX_SIMULATIONS} concurrent simulations"))
        })?;
        let tx = req.into_inner().tx;
        let (outcome, fee, height) = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            node.simulate(&tx)
        })
        .await
        .map_err(internal)?
        .map_err(internal)?;
        let r = outcome.to_proto();
        Ok(Response::new(pb::SimulateResponse {
            code: r.code,
            log: r.log,
            codespace: r.codespace,
            events: r.events,
            fee: fee.to_string(),
            height,
        }))
    }

    async fn stream_blocks(
        &self,
        req: Request<pb::StreamBlocksRequest>,
    ) -> Result<Response<Self::StreamBlocksStream>, Status> {
        let permit = self.streams.clone().try_acquire_owned().map_err(|_| {
            Status::resource_exhausted(format!("at most {MAX_STREAMS} concurrent streams"))
        })?;
        let latest = self.backend.storage().latest().map_or(0, |l| l.height);
        let from = match req.get_ref().from_height {
            0 => latest + 1,
            h => h,
        };
        // Records are shared (`Arc`) while queued and copied only as tonic encodes them, which
        // it does only as HTTP/2 flow control lets the client take them.
        let (mut sink, stream) = channel::<Arc<block_pb::BlockRecord>>(2);
        let mut follow = self.follower(from);
        tokio::spawn(async move {
            let _permit = permit;
            while let Some(rec) = follow.next(sink.tx.closed()).await {
                if !sink.send(rec).await {
                    return;
                }
            }
        });
        Ok(Response::new(Box::pin(tokio_stream::StreamExt::map(
            stream,
            |r| r.map(Arc::unwrap_or_clone),
        ))))
    }

    async fn stream_events(
        &self,
        req: Request<pb::StreamEventsRequest>,
    ) -> Result<Response<Self::StreamEventsStream>, Status> {
        let permit = self.streams.clone().try_acquire_owned().map_err(|_| {
            Status::resource_exhausted(format!("at most {MAX_STREAMS} concurrent streams"))
        })?;
        let req = req.into_inner();
        let latest = self.backend.storage().latest().map_or(0, |l| l.height);
        let from = if req.from_height == 0 {
            latest + 1
        } else {
            req.from_height
        };
        let (mut sink, stream) = channel(64);
        let mut follow = self.follower(from);
        // One task per stream, one message in flight: a consumer that stops reading stalls
        // only its own task, holding the shared record and 64 queued events.
        tokio::spawn(async move {
            let _permit = permit;
            while let Some(rec) = follow.next(sink.tx.closed()).await {
                for (i, r) in rec.results.iter().enumerate() {
                    for ev in r.events.iter().filter(|ev| event_matches(&req, ev)) {
                        let msg = pb::EventMessage {
                            height: rec.height,
                            tx_index: i as u32,
                            tx_hash: r.hash.clone(),
                            event: Some(ev.clone()),
                        };
                        if !sink.send(msg).await {
                            return;
                        }
                    }
                }
                // The end-of-block hooks' events, after the txs: tx_index = the number of
                // txs, no tx hash.
                for ev in rec
                    .end_block_events
                    .iter()
                    .filter(|ev| event_matches(&req, ev))
                {
                    let msg = pb::EventMessage {
                        height: rec.height,
                        tx_index: rec.results.len() as u32,
                        tx_hash: Vec::new(),
                        event: Some(ev.clone()),
                    };
                    if !sink.send(msg).await {
                        return;
                    }
                }
            }
        });
        Ok(Response::new(Box::pin(stream)))
    }

    async fn broadcast_tx(
        &self,
        req: Request<pb::BroadcastTxRequest>,
    ) -> Result<Response<pb::BroadcastTxResponse>, Status> {
        let req = req.into_inner();
        let node = match &self.backend {
            Backend::Embedded(node) => node.clone(),
            Backend::Comet(c) => {
                return c
                    .broadcast(req.tx, req.wait, self.limits.commit_wait)
                    .await
                    .map(Response::new);
            }
        };
        let wait = req.wait;
        let tx_hash = *blake3::hash(&req.tx).as_bytes();
        let submitted = tokio::task::spawn_blocking(move || node.submit(req.tx, wait))
            .await
            .map_err(internal)?;
        let (hash, rx) = match submitted {
            Ok(ok) => ok,
            Err(ExecError::Tx(e)) => {
                return Ok(Response::new(pb::BroadcastTxResponse {
                    hash: tx_hash.to_vec(),
                    code: e.code(),
                    log: e.to_string(),
                    committed: None,
                    codespace: e.codespace().to_owned(),
                }));
            }
            Err(ExecError::State(e)) => return Err(internal(e)),
        };
        let mut resp = pb::BroadcastTxResponse {
            hash: hash.to_vec(),
            code: 0,
            log: String::new(),
            committed: None,
            codespace: String::new(),
        };
        if let Some(rx) = rx {
            match tokio::time::timeout(self.limits.commit_wait, rx).await {
                Ok(Ok(c)) => {
                    resp.committed = Some(pb::TxResult {
                        height: c.height,
                        index: c.index,
                        result: Some(c.result),
                    })
                }
                Ok(Err(_)) => resp.log = "tx was dropped from the mempool before commit".into(),
                Err(_) => {
                    return Err(Status::deadline_exceeded(format!(
                        "tx {} not committed within {:?}",
                        hex::encode(hash),
                        self.limits.commit_wait
                    )))
                }
            }
        }
        Ok(Response::new(resp))
    }

    async fn status(
        &self,
        _req: Request<pb::StatusRequest>,
    ) -> Result<Response<pb::StatusResponse>, Status> {
        let latest = self
            .backend
            .storage()
            .latest()
            .ok_or_else(|| Status::unavailable("no genesis"))?;
        let (chain_id, mempool_size) = match &self.backend {
            Backend::Embedded(node) => (node.config().chain_id.clone(), node.mempool_size() as u64),
            Backend::Comet(c) => (
                c.chain_id()
                    .ok_or_else(|| Status::unavailable("no genesis"))?,
                c.mempool_size().await,
            ),
        };
        Ok(Response::new(pb::StatusResponse {
            chain_id,
            height: latest.height,
            app_hash: latest.app_hash.to_vec(),
            mempool_size,
        }))
    }

    async fn account(
        &self,
        req: Request<pb::AccountRequest>,
    ) -> Result<Response<pb::AccountResponse>, Status> {
        let addr = parse_address(&req.get_ref().address)?;
        let s = self.backend.storage();
        let height = s.latest().map_or(0, |l| l.height);
        let nonce = accounts::nonce(s, &addr).map_err(internal)?;
        let balances = accounts::balances(s, &addr)
            .map_err(internal)?
            .into_iter()
            .map(|(denom, a)| pb::Coin {
                denom,
                amount: a.to_string(),
            })
            .collect();
        Ok(Response::new(pb::AccountResponse {
            address: addr.to_string(),
            nonce,
            balances,
            height,
        }))
    }

    async fn balance(
        &self,
        req: Request<pb::BalanceRequest>,
    ) -> Result<Response<pb::BalanceResponse>, Status> {
        let req = req.into_inner();
        let addr = parse_address(&req.address)?;
        proofwork_tx::check_denom(&req.denom)
            .map_err(|e| Status::invalid_argument(e.to_string()))?;
        let s = AtReader::new(self.backend.storage(), req.at.as_ref())?;
        let amount = accounts::balance(&s, &addr, &req.denom).map_err(state_status)?;
        Ok(Response::new(pb::BalanceResponse {
            amount: amount.to_string(),
            height: s.height(),
            proof: s.finish()?,
        }))
    }

    async fn get_tx(
        &self,
        req: Request<pb::GetTxRequest>,
    ) -> Result<Response<pb::GetTxResponse>, Status> {
        let hash: [u8; 32] = req
            .get_ref()
            .hash
            .as_slice()
            .try_into()
            .map_err(|_| Status::invalid_argument("hash must be 32 bytes"))?;
        let s = self.backend.storage();
        let loc = s
            .get_aux(&crate::app::tx_key(&hash))
            .map_err(internal)?
            .ok_or_else(|| Status::not_found(format!("tx {} not committed", hex::encode(hash))))?;
        if loc.len() != 12 {
            return Err(internal("corrupt tx index entry"));
        }
        let height = u64::from_be_bytes(loc[..8].try_into().expect("8 bytes"));
        let index = u32::from_be_bytes(loc[8..].try_into().expect("4 bytes"));
        let block = crate::app::load_block(s, height)
            .map_err(internal)?
            .ok_or_else(|| internal(format!("block {height} missing from the block log")))?;
        let result = block.results.get(index as usize).cloned();
        Ok(Response::new(pb::GetTxResponse {
            result: Some(pb::TxResult {
                height,
                index,
                result,
            }),
        }))
    }
}
