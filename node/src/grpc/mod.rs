//! The gRPC API (tonic): broadcast, status and account queries, with server reflection and
//! the standard health service so that `grpcurl` works with no `.proto` files.
//!
//! One module per service; [`serve`] registers them all.

mod assets;
pub mod blobs;
mod listener;
pub mod node;
mod proven;
mod validators;
pub mod work;

pub use assets::AssetService;
pub use blobs::BlobsService;
pub use listener::ConnLimits;
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
    /// Connection count, handshake and idle limits of the listener.
    pub conns: ConnLimits,
    /// Interval of the server's HTTP/2 keepalive pings (they also keep a live but quiet
    /// client inside [`ConnLimits::idle_timeout`]).
    pub keepalive_interval: Duration,
    /// A connection that does not answer a keepalive ping within this is closed.
    pub keepalive_timeout: Duration,
    /// Minimum rate and overall deadline of blob uploads.
    pub upload_pace: blobs::UploadPace,
}

impl Default for GrpcLimits {
    fn default() -> Self {
        GrpcLimits {
            max_message_bytes: 4 << 20,
            request_timeout: Duration::from_secs(30),
            commit_wait: Duration::from_secs(20),
            concurrency_per_connection: 256,
            conns: ConnLimits::default(),
            keepalive_interval: Duration::from_secs(30),
            keepalive_timeout: Duration::from_secs(10),
            upload_pace: blobs::UploadPace::default(),
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
    // v1alpha too: Python's grpcio-reflection and older grpcurl builds speak only that.
    let reflection_alpha = tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(proofwork_proto::FILE_DESCRIPTOR_SET)
        .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
        .build_v1alpha()?;
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
    let blobs_svc = blobs_server::BlobsServer::new(
        BlobsService::new(blobs, backend.storage().clone()).with_pace(limits.upload_pace),
    )
    .max_decoding_message_size(chunk_msg)
    .max_encoding_message_size(chunk_msg);
    let svc = node_server::NodeServer::new(NodeService::with_backend(backend, limits))
        .max_decoding_message_size(limits.max_message_bytes)
        .max_encoding_message_size(limits.max_message_bytes);
    tracing::info!(addr = %listener.local_addr()?, "gRPC server listening");
    let incoming =
        tokio_stream::wrappers::ReceiverStream::new(listener::incoming(listener, limits.conns));
    tonic::transport::Server::builder()
        .layer(crate::metrics::GrpcLatencyLayer)
        .layer(RequestTimeoutLayer {
            timeout: limits.request_timeout,
        })
        .concurrency_limit_per_connection(limits.concurrency_per_connection)
        .http2_keepalive_interval(Some(limits.keepalive_interval))
        .http2_keepalive_timeout(Some(limits.keepalive_timeout))
        .add_service(health_service)
        .add_service(reflection)
        .add_service(reflection_alpha)
        .add_service(svc)
        .add_service(vals)
        .add_service(assets)
        .add_service(work_svc)
        .add_service(blobs_svc)
        .serve_with_incoming_shutdown(incoming, shutdown)
        .await?;
    Ok(())
}

/// The one client-streaming method, exempt from [`GrpcLimits::request_timeout`].
const UPLOAD_PATH: &str = "/proofwork.blobs.v1.Blobs/Upload";

/// The per-request timeout of every method except `Blobs/Upload`, answering
/// DEADLINE_EXCEEDED; it also gives tonic's decode failures their proper codes
/// ([`fix_codec_status`]).
///
/// The timeout runs until the response headers, so server-streaming calls (`Download`,
/// `StreamEvents`) are bounded only until their stream starts; their messages have their
/// own send deadlines. Not tonic's `Server::timeout`: that one also bounds a
/// client-streaming call until its response, i.e. the whole upload, so a 1 GiB upload would
/// have to finish within the request timeout. Uploads are bounded instead by the blob
/// service's idle timeout, overall deadline and minimum rate (`grpc::blobs`), and a
/// client's own `grpc-timeout`, which tonic still applies.
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
        let exempt = req.uri().path() == UPLOAD_PATH;
        let timeout = self.timeout;
        let fut = self.inner.call(req);
        Box::pin(async move {
            let r = if exempt {
                fut.await
            } else {
                match tokio::time::timeout(timeout, fut).await {
                    Ok(r) => r,
                    Err(_) => Ok(Status::deadline_exceeded(format!(
                        "request took longer than {} ms",
                        timeout.as_millis()
                    ))
                    .into_http()),
                }
            };
            r.map(|mut resp| {
                fix_codec_status(resp.headers_mut());
                resp
            })
        })
    }
}

/// Rewrites the codes tonic gives request decode failures, in a trailers-only response:
/// an undecodable message is INTERNAL there (tonic-prost's choice) and an oversize one
/// OUT_OF_RANGE; both are the client's fault, so INVALID_ARGUMENT and RESOURCE_EXHAUSTED
/// (gRPC's own code for a message over the receiver's limit). Matched on tonic's exact
/// message prefixes; our handlers never produce them.
fn fix_codec_status(headers: &mut http::HeaderMap) {
    const INVALID: [&[u8]; 2] = [
        b"failed to decode Protobuf message",
        b"protocol error: received message with invalid compression flag",
    ];
    const OVERSIZE: &[u8] = b"Error, decoded message length too large";
    let (Some(code), Some(msg)) = (headers.get("grpc-status"), headers.get("grpc-message")) else {
        return;
    };
    // grpc-message is percent-encoded on the wire (spaces are %20).
    let msg = percent_decode(msg.as_bytes());
    let msg = msg.as_slice();
    let new = match code.as_bytes() {
        b"13" if INVALID.iter().any(|p| msg.starts_with(p)) => tonic::Code::InvalidArgument,
        b"11" if msg.starts_with(OVERSIZE) => tonic::Code::ResourceExhausted,
        _ => return,
    };
    headers.insert("grpc-status", http::HeaderValue::from(new as i32));
}

/// Decodes `%XX` escapes (gRPC's percent-encoding of `grpc-message`); other bytes pass.
fn percent_decode(b: &[u8]) -> Vec<u8> {
    let hex = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match (
            b[i],
            b.get(i + 1).copied().and_then(hex),
            b.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push(h << 4 | l);
                i += 3;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_encoded_messages_are_matched() {
        let mut h = headers("13", "failed%20to%20decode%20Protobuf%20message: x");
        fix_codec_status(&mut h);
        assert_eq!(h["grpc-status"], "3");
        assert_eq!(percent_decode(b"a%2"), b"a%2");
    }

    fn headers(code: &str, msg: &str) -> http::HeaderMap {
        let mut h = http::HeaderMap::new();
        h.insert("grpc-status", code.parse().unwrap());
        h.insert("grpc-message", msg.parse().unwrap());
        h
    }

    #[test]
    fn codec_failures_get_client_error_codes_and_others_are_kept() {
        let cases = [
            (
                "13",
                "failed to decode Protobuf message: invalid varint",
                "3",
            ),
            (
                "11",
                "Error, decoded message length too large: found 9 bytes",
                "8",
            ),
            ("13", "storage: corrupt block", "13"),
            ("11", "offset 9 past the end", "11"),
        ];
        for (code, msg, want) in cases {
            let mut h = headers(code, msg);
            fix_codec_status(&mut h);
            assert_eq!(h["grpc-status"], want, "{msg}");
        }
    }
}
