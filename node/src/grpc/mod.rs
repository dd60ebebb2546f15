//! The gRPC API (tonic): broadcast, status and account queries, with server reflection and
//! the standard health service so that `grpcurl` works with no `.proto` files.
//!
//! One module per service; [`serve`] registers them all.

mod assets;
pub mod blobs;
pub mod node;
mod proven;
mod validators;
pub mod work;

pub use assets::AssetService;
pub use blobs::BlobsService;
pub use node::NodeService;
pub use validators::ValidatorsService;
pub use work::WorkService;

use std::sync::Arc;
use std::time::Duration;

use proofwork_proto::assets::v1::asset_query_server;
use proofwork_proto::blobs::v1::blobs_server;
use proofwork_proto::node::v1::node_server;
use proofwork_proto::validators::v1::validators_server;
use proofwork_proto::work::v1::work_server;
use proofwork_tx::Address;
use tonic::Status;

use crate::blobs::BlobStore;
use crate::cometbft::CometBackend;
use crate::engine::Node;

/// What the services read and where broadcasts go: the embedded engine, or CometBFT.
#[derive(Clone)]
pub enum Backend {
    /// The in-process engine and its mempool.
    Embedded(Arc<Node>),
    /// A CometBFT node driving this process's ABCI app.
    Comet(Arc<CometBackend>),
}

impl Backend {
    /// The store queries read.
    pub fn storage(&self) -> &proofwork_state::Storage {
        match self {
            Backend::Embedded(n) => n.storage(),
            Backend::Comet(c) => c.storage(),
        }
    }
}

/// gRPC settings.
#[derive(Debug, Clone, Copy)]
pub struct GrpcLimits {
    /// Largest request or response message.
    pub max_message_bytes: usize,
    /// Per-request timeout.
    pub request_timeout: Duration,
    /// How long `BroadcastTx { wait: true }` waits for the commit.
    pub commit_wait: Duration,
    /// Concurrent requests per connection.
    pub concurrency_per_connection: usize,
}

impl Default for GrpcLimits {
    fn default() -> Self {
        GrpcLimits {
            max_message_bytes: 4 << 20,
            request_timeout: Duration::from_secs(30),
            commit_wait: Duration::from_secs(20),
            concurrency_per_connection: 256,
        }
    }
}

/// Parses a bech32 address or answers InvalidArgument.
pub(crate) fn parse_address(s: &str) -> Result<Address, Status> {
    s.parse()
        .map_err(|e| Status::invalid_argument(format!("address: {e}")))
}

/// The most entries one list response carries.
pub(crate) const MAX_PAGE: usize = 1000;

/// A list request's page size: 0 means 100; never more than [`MAX_PAGE`].
pub(crate) fn page_limit(limit: u32) -> usize {
    if limit == 0 {
        100
    } else {
        (limit as usize).min(MAX_PAGE)
    }
}

/// Cuts `items`, read with `limit + 1`, to one page: the page, and whether more follow.
pub(crate) fn take_page<T>(mut items: Vec<T>, limit: usize) -> (Vec<T>, bool) {
    let more = items.len() > limit;
    items.truncate(limit);
    (items, more)
}

/// A storage failure as an Internal status.
pub(crate) fn internal(e: impl std::fmt::Display) -> Status {
    Status::internal(e.to_string())
}

/// Serves gRPC on `listener` (bound by the caller, so that a taken port fails the start)
/// until `shutdown` resolves.
///
/// # Errors
/// Serving failures.
pub async fn serve(
    node: Arc<Node>,
    listener: tokio::net::TcpListener,
    limits: GrpcLimits,
    blobs: BlobStore,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    serve_backend(Backend::Embedded(node), listener, limits, blobs, shutdown).await
}

/// Serves gRPC over any backend on `listener` until `shutdown` resolves.
///
/// # Errors
/// Serving failures.
pub async fn serve_backend(
    backend: Backend,
    listener: tokio::net::TcpListener,
    limits: GrpcLimits,
    blobs: BlobStore,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let (health_reporter, health_service) = tonic_health::server::health_reporter();
    health_reporter
        .set_serving::<node_server::NodeServer<NodeService>>()
        .await;
    health_reporter
        .set_serving::<asset_query_server::AssetQueryServer<AssetService>>()
        .await;
    let reflection = tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(proofwork_proto::FILE_DESCRIPTOR_SET)
        .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
        .build_v1()?;
    health_reporter
        .set_serving::<validators_server::ValidatorsServer<ValidatorsService>>()
        .await;
    let vals = validators_server::ValidatorsServer::new(ValidatorsService::new(backend.clone()))
        .max_encoding_message_size(limits.max_message_bytes);
    let assets =
        asset_query_server::AssetQueryServer::new(AssetService::new(backend.storage().clone()))
            .max_encoding_message_size(limits.max_message_bytes);
    health_reporter
        .set_serving::<work_server::WorkServer<WorkService>>()
        .await;
    let work_svc =
        work_server::WorkServer::new(WorkService::new(backend.storage().clone(), limits))
            .max_decoding_message_size(limits.max_message_bytes)
            .max_encoding_message_size(limits.max_message_bytes);
    health_reporter
        .set_serving::<blobs_server::BlobsServer<BlobsService>>()
        .await;
    // Messages are chunks: room for one chunk plus the framing of the other fields.
    let chunk_msg = blobs.limits().max_chunk_bytes.saturating_add(4096);
    let blobs_svc =
        blobs_server::BlobsServer::new(BlobsService::new(blobs, backend.storage().clone()))
            .max_decoding_message_size(chunk_msg)
            .max_encoding_message_size(chunk_msg);
    let svc = node_server::NodeServer::new(NodeService::with_backend(backend, limits))
        .max_decoding_message_size(limits.max_message_bytes)
        .max_encoding_message_size(limits.max_message_bytes);
    let addr = listener.local_addr()?;
    tracing::info!(%addr, "gRPC server listening");
    tonic::transport::Server::builder()
        .layer(crate::metrics::GrpcLatencyLayer)
        .layer(RequestTimeoutLayer {
            timeout: limits.request_timeout,
        })
        .concurrency_limit_per_connection(limits.concurrency_per_connection)
        .add_service(health_service)
        .add_service(reflection)
        .add_service(svc)
        .add_service(vals)
        .add_service(assets)
        .add_service(work_svc)
        .add_service(blobs_svc)
        .serve_with_incoming_shutdown(
            tonic::transport::server::TcpIncoming::from(listener).with_nodelay(Some(true)),
            shutdown,
        )
        .await?;
    Ok(())
}

/// Path prefix of the streaming blob service, exempt from [`GrpcLimits::request_timeout`].
const BLOBS_PATH: &str = "/proofwork.blobs.v1.Blobs/";

/// The per-request timeout of every service except `Blobs`, answering DEADLINE_EXCEEDED.
///
/// Not tonic's `Server::timeout`: that one also bounds a client-streaming call until its
/// response, i.e. the whole upload, so a 1 GiB upload would have to finish within the request
/// timeout. Blob streams are bounded instead by the store's idle timeout per message (and a
/// client's own `grpc-timeout`, which tonic still applies).
#[derive(Debug, Clone, Copy)]
struct RequestTimeoutLayer {
    timeout: Duration,
}

impl<S> tower::Layer<S> for RequestTimeoutLayer {
    type Service = RequestTimeout<S>;
    fn layer(&self, inner: S) -> Self::Service {
        RequestTimeout {
            inner,
            timeout: self.timeout,
        }
    }
}

/// See [`RequestTimeoutLayer`].
#[derive(Debug, Clone)]
struct RequestTimeout<S> {
    inner: S,
    timeout: Duration,
}

impl<S, B, R> tower::Service<http::Request<B>> for RequestTimeout<S>
where
    S: tower::Service<http::Request<B>, Response = http::Response<R>> + Send,
    S::Future: Send + 'static,
    R: Default + Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future =
        std::pin::Pin<Box<dyn std::future::Future<Output = Result<S::Response, S::Error>> + Send>>;

    fn poll_ready(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: http::Request<B>) -> Self::Future {
        let exempt = req.uri().path().starts_with(BLOBS_PATH);
        let timeout = self.timeout;
        let fut = self.inner.call(req);
        Box::pin(async move {
            if exempt {
                return fut.await;
            }
            match tokio::time::timeout(timeout, fut).await {
                Ok(r) => r,
                Err(_) => Ok(Status::deadline_exceeded(format!(
                    "request took longer than {} ms",
                    timeout.as_millis()
                ))
                .into_http()),
            }
        })
    }
}
