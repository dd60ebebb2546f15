//! Prometheus metrics, served as text on `/metrics`.
// Metrics observe wall-clock latencies; they never feed back into state.
#![allow(clippy::disallowed_methods)]

use std::sync::OnceLock;
use std::task::{Context, Poll};
use std::time::Instant;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

/// Label of gRPC latency samples.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct MethodLabel {
    /// gRPC path, e.g. `/proofwork.node.v1.Node/BroadcastTx`.
    pub method: String,
}

/// Label of closed or refused gRPC connections.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ReasonLabel {
    /// Why: `handshake_timeout`, `handshake_evicted`, `bad_preface`, `max_connections`,
    /// `idle_timeout`.
    pub reason: &'static str,
}

/// Every metric the node exports.
pub struct Metrics {
    /// Last committed height.
    pub height: Gauge,
    /// Txs committed (success or failure).
    pub txs_committed: Counter,
    /// Txs committed with a non-zero code.
    pub txs_failed: Counter,
    /// Pending txs in the mempool.
    pub mempool_size: Gauge,
    /// FinalizeBlock + Commit time.
    pub block_exec_seconds: Histogram,
    /// Time between consecutive blocks.
    pub block_interval_seconds: Histogram,
    /// Useful-work proof verification time: each reveal's spot check in the proposal
    /// pre-check (ProcessProposal / PrepareProposal).
    pub proof_verify_seconds: Histogram,
    /// `B·r` vectors computed ahead of the reveals that need them (`App::prefetch_br`).
    pub br_prefetched: Counter,
    /// gRPC request latency per method.
    pub grpc_seconds: Family<MethodLabel, Histogram>,
    /// gRPC connections the listener closed or refused, by reason.
    pub grpc_conns_closed: Family<ReasonLabel, Counter>,
    /// Complete blobs in the node's blob store.
    pub blob_store_blobs: Gauge,
    /// Their total size in bytes.
    pub blob_store_bytes: Gauge,
    /// Bytes reserved in the store's quota by uploads in progress.
    pub blob_store_reserved_bytes: Gauge,
    /// Blobs deleted by the blob store's garbage collector.
    pub blob_gc_deleted: Counter,
    /// Bytes those deletions freed.
    pub blob_gc_freed_bytes: Counter,
    registry: Registry,
}

impl Metrics {
    fn new() -> Self {
        let mut registry = Registry::with_prefix("proofwork");
        let m = Metrics {
            height: Gauge::default(),
            txs_committed: Counter::default(),
            txs_failed: Counter::default(),
            mempool_size: Gauge::default(),
            block_exec_seconds: Histogram::new(exponential_buckets(0.0005, 2.0, 16)),
            block_interval_seconds: Histogram::new(exponential_buckets(0.01, 2.0, 12)),
            proof_verify_seconds: Histogram::new(exponential_buckets(0.0001, 2.0, 18)),
            br_prefetched: Counter::default(),
            grpc_seconds: Family::new_with_constructor(|| {
                Histogram::new(exponential_buckets(0.0001, 2.0, 18))
            }),
            grpc_conns_closed: Family::default(),
            blob_store_blobs: Gauge::default(),
            blob_store_bytes: Gauge::default(),
            blob_store_reserved_bytes: Gauge::default(),
            blob_gc_deleted: Counter::default(),
            blob_gc_freed_bytes: Counter::default(),
            registry: Registry::default(),
        };
        registry.register("height", "last committed block height", m.height.clone());
        registry.register(
            "txs_committed",
            "txs committed in blocks",
            m.txs_committed.clone(),
        );
        registry.register(
            "txs_failed",
            "committed txs with a non-zero code",
            m.txs_failed.clone(),
        );
        registry.register("mempool_size", "pending txs", m.mempool_size.clone());
        registry.register(
            "block_exec_seconds",
            "FinalizeBlock + Commit time",
            m.block_exec_seconds.clone(),
        );
        registry.register(
            "block_interval_seconds",
            "time between blocks",
            m.block_interval_seconds.clone(),
        );
        registry.register(
            "proof_verify_seconds",
            "useful-work proof verification time",
            m.proof_verify_seconds.clone(),
        );
        registry.register(
            "work_br_prefetched",
            "B·r vectors computed ahead of the reveals that need them",
            m.br_prefetched.clone(),
        );
        registry.register(
            "grpc_request_seconds",
            "gRPC request latency",
            m.grpc_seconds.clone(),
        );
        registry.register(
            "grpc_connections_closed",
            "gRPC connections closed or refused by the listener's limits",
            m.grpc_conns_closed.clone(),
        );
        registry.register(
            "blob_store_blobs",
            "complete blobs in the blob store",
            m.blob_store_blobs.clone(),
        );
        registry.register(
            "blob_store_bytes",
            "total size of the complete blobs in the blob store",
            m.blob_store_bytes.clone(),
        );
        registry.register(
            "blob_store_reserved_bytes",
            "blob store quota reserved by uploads in progress",
            m.blob_store_reserved_bytes.clone(),
        );
        registry.register(
            "blob_gc_deleted",
            "blobs deleted by the blob store's garbage collector",
            m.blob_gc_deleted.clone(),
        );
        registry.register(
            "blob_gc_freed_bytes",
            "bytes freed by the blob store's garbage collector",
            m.blob_gc_freed_bytes.clone(),
        );
        Metrics { registry, ..m }
    }

    /// Text exposition format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.registry)
            .expect("writing to a String cannot fail");
        out
    }
}

/// Counts a gRPC connection closed or refused by the listener for `reason`.
pub fn grpc_conn_refused(reason: &'static str) {
    metrics()
        .grpc_conns_closed
        .get_or_create(&ReasonLabel { reason })
        .inc();
}

/// The process-wide metrics.
pub fn metrics() -> &'static Metrics {
    static M: OnceLock<Metrics> = OnceLock::new();
    M.get_or_init(Metrics::new)
}

/// Serves `/metrics` on `listener` (bound by the caller, so that a taken port fails the
/// start) until `shutdown` resolves.
///
/// # Errors
/// Serving failures.
pub async fn serve(
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let app = axum::Router::new().route(
        "/metrics",
        axum::routing::get(|| async { metrics().render() }),
    );
    let addr = listener.local_addr()?;
    tracing::info!(%addr, "metrics on /metrics");
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await?;
    Ok(())
}

/// A tower layer that records each gRPC call's latency by method.
#[derive(Clone, Default)]
pub struct GrpcLatencyLayer;

impl<S> tower::Layer<S> for GrpcLatencyLayer {
    type Service = GrpcLatency<S>;
    fn layer(&self, inner: S) -> Self::Service {
        GrpcLatency { inner }
    }
}

/// See [`GrpcLatencyLayer`].
#[derive(Clone)]
pub struct GrpcLatency<S> {
    inner: S,
}

/// The label of a call to a method the server does not have: paths are chosen by the
/// client, so labelling them as sent would let anyone grow the metric set without bound.
const UNKNOWN_METHOD: &str = "unimplemented";

impl<S, B, RB> tower::Service<http::Request<B>> for GrpcLatency<S>
where
    S: tower::Service<http::Request<B>, Response = http::Response<RB>> + Send,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future =
        std::pin::Pin<Box<dyn std::future::Future<Output = Result<S::Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: http::Request<B>) -> Self::Future {
        let method = req.uri().path().to_string();
        let started = Instant::now();
        let fut = self.inner.call(req);
        Box::pin(async move {
            let r = fut.await;
            // Unknown services and methods are answered Unimplemented (grpc-status 12) by the
            // router, in the response headers.
            let unimplemented = r.as_ref().is_ok_and(|resp| {
                resp.headers()
                    .get("grpc-status")
                    .is_some_and(|v| v.as_bytes() == b"12")
            });
            let method = if unimplemented {
                UNKNOWN_METHOD.to_owned()
            } else {
                method
            };
            metrics()
                .grpc_seconds
                .get_or_create(&MethodLabel { method })
                .observe(started.elapsed().as_secs_f64());
            r
        })
    }
}

/// Runs a spot check, recording its wall time in `proof_verify_seconds` (the clock is read
/// here, outside the state machine, and only for the metric).
pub fn time_proof_verify<T>(check: impl FnOnce() -> T) -> T {
    let started = Instant::now();
    let out = check();
    metrics()
        .proof_verify_seconds
        .observe(started.elapsed().as_secs_f64());
    out
}

/// The application's measurements, sent to [`metrics`].
#[derive(Debug, Clone, Copy, Default)]
pub struct NodeProbe;

impl proofwork_app::Probe for NodeProbe {
    fn time_proof_verify(&self, check: &mut dyn FnMut()) {
        time_proof_verify(check);
    }

    fn br_prefetched(&self) {
        metrics().br_prefetched.inc();
    }
}

/// Wall time of one block's FinalizeBlock + Commit.
#[derive(Debug)]
pub struct BlockTimer(Instant);

impl BlockTimer {
    /// Starts timing a block.
    pub fn start() -> Self {
        BlockTimer(Instant::now())
    }

    /// Seconds since [`BlockTimer::start`].
    pub fn secs(&self) -> f64 {
        self.0.elapsed().as_secs_f64()
    }
}

/// When the previous block was recorded (for `block_interval_seconds`).
static LAST_BLOCK: std::sync::Mutex<Option<Instant>> = std::sync::Mutex::new(None);

/// Records a committed block: height, tx counts, execution time, the time since the previous
/// block, and the mempool size where this process has the mempool (the embedded engine; under
/// CometBFT the mempool is CometBFT's, `None`).
pub fn observe_block(
    height: u64,
    txs: usize,
    failed: usize,
    exec_secs: f64,
    mempool: Option<usize>,
) {
    let m = metrics();
    m.height.set(height as i64);
    m.txs_committed.inc_by(txs as u64);
    m.txs_failed.inc_by(failed as u64);
    m.block_exec_seconds.observe(exec_secs);
    if let Some(size) = mempool {
        m.mempool_size.set(size as i64);
    }
    let now = Instant::now();
    if let Ok(mut last) = LAST_BLOCK.lock() {
        if let Some(prev) = last.replace(now) {
            m.block_interval_seconds
                .observe(now.duration_since(prev).as_secs_f64());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower::{Service, ServiceExt};

    /// Calls to methods the server does not have share one label, whatever their path.
    #[tokio::test]
    async fn unknown_grpc_methods_share_one_label() {
        let inner = tower::service_fn(|req: http::Request<()>| async move {
            let status = if req.uri().path() == "/proofwork.test.v1.Known/Call" {
                "0"
            } else {
                "12"
            };
            Ok::<_, std::convert::Infallible>(
                http::Response::builder()
                    .header("grpc-status", status)
                    .body(())
                    .unwrap(),
            )
        });
        let mut svc = tower::Layer::layer(&GrpcLatencyLayer, inner);
        for path in [
            "/proofwork.test.v1.Known/Call",
            "/made.up.Service/Method1",
            "/made.up.Service/Method2",
        ] {
            let req = http::Request::builder().uri(path).body(()).unwrap();
            svc.ready().await.unwrap().call(req).await.unwrap();
        }
        let text = metrics().render();
        assert!(text.contains("/proofwork.test.v1.Known/Call"), "{text}");
        assert!(text.contains(UNKNOWN_METHOD), "{text}");
        assert!(!text.contains("made.up"), "{text}");
    }
}
