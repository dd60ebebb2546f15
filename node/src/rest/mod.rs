//! The REST/JSON gateway: every gRPC method of the node as JSON over HTTP/1.1, an OpenAPI 3
//! spec of all of it at `/openapi.json`, and server-sent events for the block and event
//! streams.
//!
//! The gateway is a gRPC client of this node's own gRPC listener on loopback: a request's
//! JSON body becomes the method's protobuf message (the proto3 JSON mapping, through
//! `prost-reflect` and the node's file descriptor set), goes through exactly the server,
//! limits, timeouts and error codes a gRPC client meets, and the answer comes back as JSON
//! in the same mapping (64-bit integers and `bytes` (base64) as strings, enums by name,
//! every field present). Nothing is restated per method, so a new RPC is on REST and in the
//! spec the moment it is in a `.proto` file.
//!
//! Routes:
//! - `POST /v1/rpc/{package.Service}/{Method}`: any unary method, body = request JSON.
//! - `GET /v1/status`, `/v1/blocks/{height}`, `/v1/blocks/hash/{hex}`, `/v1/txs/{hex}`,
//!   `/v1/accounts/{address}`, `/v1/accounts/{address}/balances/{denom}`: aliases of the
//!   common queries (hashes in hex in the path). `POST /v1/txs` (broadcast) and
//!   `/v1/txs/simulate`.
//! - `GET /v1/stream/blocks?fromHeight=N` and `/v1/stream/events?...`: `text/event-stream`,
//!   one `data:` line of JSON per block or event.
//! - `GET /v1/blocks/{height}/txs`: the block's txs decoded (signer, messages, result).
//! - `GET /openapi.json`; `GET /explorer`: the block explorer page (`explorer.html`).
//!
//! Errors are JSON `{"code", "status", "message"}` (the gRPC code as number and name, as
//! `google.rpc.Status` and Google's REST APIs do) with the HTTP status that code maps to.
//! Blob upload (client streaming) and download are gRPC only.

mod openapi;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, Method, Request, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use prost::Message as _;
use prost_reflect::{DescriptorPool, DynamicMessage, MessageDescriptor, MethodDescriptor};
use tokio_stream::StreamExt as _;
use tonic::codec::{Codec, DecodeBuf, Decoder, EncodeBuf, Encoder};
use tonic::Code;

pub use openapi::spec;

/// `[api]` settings the gateway runs with.
#[derive(Debug, Clone)]
pub struct RestLimits {
    /// Largest request body (bytes); larger answers 413.
    pub max_body_bytes: usize,
    /// Requests served at once; more answer 429.
    pub max_concurrent: usize,
    /// Origins allowed by CORS (`*` for any); empty sends no CORS headers.
    pub cors_origins: Vec<String>,
    /// Largest gRPC message the gateway accepts from the node.
    pub max_message_bytes: usize,
    /// Deadline of each unary call (sent as `grpc-timeout`).
    pub request_timeout: Duration,
}

/// The gateway's shared state.
struct Gateway {
    pool: DescriptorPool,
    channel: tonic::transport::Channel,
    limits: RestLimits,
    slots: tokio::sync::Semaphore,
    spec: String,
}

/// The descriptors of every service the node serves.
///
/// # Errors
/// The build's file descriptor set does not decode (a broken build).
pub fn descriptors() -> Result<DescriptorPool, prost_reflect::DescriptorError> {
    DescriptorPool::decode(proofwork_proto::FILE_DESCRIPTOR_SET)
}

/// Serves the gateway on `listener`, calling the node's gRPC server at `grpc`, until
/// `shutdown` resolves.
///
/// # Errors
/// An unusable gRPC address, or serving failures.
pub async fn serve(
    listener: tokio::net::TcpListener,
    grpc: SocketAddr,
    limits: RestLimits,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let mut target = grpc;
    if target.ip().is_unspecified() {
        target.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
    }
    let channel = tonic::transport::Endpoint::from_shared(format!("http://{target}"))?
        .connect_timeout(Duration::from_secs(5))
        .http2_keep_alive_interval(Duration::from_secs(20))
        .keep_alive_while_idle(true)
        .connect_lazy();
    let pool = descriptors()?;
    let spec = serde_json::to_string(&openapi::spec(&pool))?;
    let state = Arc::new(Gateway {
        pool,
        channel,
        slots: tokio::sync::Semaphore::new(limits.max_concurrent.max(1)),
        limits,
        spec,
    });
    tracing::info!(addr = %listener.local_addr()?, %target, "REST gateway listening");
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await?;
    Ok(())
}

fn router(state: Arc<Gateway>) -> Router {
    Router::new()
        .route("/openapi.json", get(openapi_json))
        .route("/explorer", get(explorer))
        .route("/v1/blocks/{height}/txs", get(block_txs))
        .route("/v1/rpc/{service}/{method}", post(rpc))
        .route("/v1/status", get(status))
        .route("/v1/blocks/{height}", get(block))
        .route("/v1/blocks/hash/{hash}", get(block_by_hash))
        .route("/v1/txs/{hash}", get(tx))
        .route("/v1/txs", post(broadcast))
        .route("/v1/txs/simulate", post(simulate))
        .route("/v1/accounts/{address}", get(account))
        .route("/v1/accounts/{address}/balances/{denom}", get(balance))
        .route("/v1/stream/blocks", get(stream_blocks))
        .route("/v1/stream/events", get(stream_events))
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(state.clone(), cors))
        .with_state(state)
}

/// An error answer: `{"code", "status", "message"}` with the HTTP status of `code`.
#[derive(Debug)]
struct ApiError {
    code: Code,
    message: String,
    /// An HTTP status other than the code's ([`http_status`]): 413 for an oversize body.
    http: Option<StatusCode>,
}

impl ApiError {
    fn new(code: Code, message: impl Into<String>) -> Self {
        ApiError {
            code,
            message: message.into(),
            http: None,
        }
    }

    fn invalid(message: impl Into<String>) -> Self {
        Self::new(Code::InvalidArgument, message)
    }
}

impl From<tonic::Status> for ApiError {
    fn from(s: tonic::Status) -> Self {
        ApiError::new(s.code(), s.message())
    }
}

/// The HTTP status a gRPC code maps to (as Google's API gateways map them).
fn http_status(code: Code) -> StatusCode {
    match code {
        Code::Ok => StatusCode::OK,
        Code::InvalidArgument | Code::FailedPrecondition | Code::OutOfRange => {
            StatusCode::BAD_REQUEST
        }
        Code::NotFound => StatusCode::NOT_FOUND,
        Code::AlreadyExists | Code::Aborted => StatusCode::CONFLICT,
        Code::PermissionDenied => StatusCode::FORBIDDEN,
        Code::Unauthenticated => StatusCode::UNAUTHORIZED,
        Code::ResourceExhausted => StatusCode::TOO_MANY_REQUESTS,
        Code::Cancelled => StatusCode::REQUEST_TIMEOUT,
        Code::Unimplemented => StatusCode::NOT_IMPLEMENTED,
        Code::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        Code::DeadlineExceeded => StatusCode::GATEWAY_TIMEOUT,
        Code::Unknown | Code::Internal | Code::DataLoss => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// The name of a gRPC code as in `google.rpc.Code` (`NOT_FOUND`).
fn code_name(code: Code) -> &'static str {
    match code {
        Code::Ok => "OK",
        Code::Cancelled => "CANCELLED",
        Code::Unknown => "UNKNOWN",
        Code::InvalidArgument => "INVALID_ARGUMENT",
        Code::DeadlineExceeded => "DEADLINE_EXCEEDED",
        Code::NotFound => "NOT_FOUND",
        Code::AlreadyExists => "ALREADY_EXISTS",
        Code::PermissionDenied => "PERMISSION_DENIED",
        Code::ResourceExhausted => "RESOURCE_EXHAUSTED",
        Code::FailedPrecondition => "FAILED_PRECONDITION",
        Code::Aborted => "ABORTED",
        Code::OutOfRange => "OUT_OF_RANGE",
        Code::Unimplemented => "UNIMPLEMENTED",
        Code::Internal => "INTERNAL",
        Code::Unavailable => "UNAVAILABLE",
        Code::DataLoss => "DATA_LOSS",
        Code::Unauthenticated => "UNAUTHENTICATED",
    }
}

impl ApiError {
    /// The JSON body: `{"code", "status", "message"}`.
    fn body(&self) -> String {
        serde_json::json!({
            "code": self.code as i32,
            "status": code_name(self.code),
            "message": self.message,
        })
        .to_string()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        json_response(
            self.http.unwrap_or_else(|| http_status(self.code)),
            self.body(),
        )
    }
}

fn json_response(status: StatusCode, body: String) -> Response {
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response()
}

async fn not_found(method: Method, uri: axum::http::Uri) -> ApiError {
    ApiError::new(
        Code::NotFound,
        format!("no route {method} {}; see /openapi.json", uri.path()),
    )
}

/// The block explorer: one page, no external resources (`explorer.html`).
const EXPLORER_HTML: &str = include_str!("explorer.html");

async fn explorer() -> Response {
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8")),
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'unsafe-inline'"),
            ),
        ],
        EXPLORER_HTML,
    )
        .into_response()
}

/// The txs of block `height` decoded: hash (hex), signer, body (messages in the JSON
/// mapping) and result.
async fn block_txs(
    State(g): State<Arc<Gateway>>,
    Path(height): Path<String>,
) -> Result<Response, ApiError> {
    let h: u64 = height
        .parse()
        .map_err(|_| ApiError::invalid(format!("height {height:?} is not a u64")))?;
    let m = g.method("proofwork.node.v1.Node", "GetBlock")?;
    let block = g
        .unary_raw(
            &m,
            serde_json::json!({ "height": h.to_string() })
                .to_string()
                .as_bytes(),
        )
        .await?;
    let rec = proofwork_proto::block::v1::BlockRecord::decode(block.as_ref())
        .map_err(|e| ApiError::new(Code::Internal, format!("block record: {e}")))?;
    let desc = |name: &str| {
        g.pool
            .get_message_by_name(name)
            .ok_or_else(|| ApiError::new(Code::Internal, format!("no descriptor {name}")))
    };
    let body_desc = desc("proofwork.tx.v1.TxBody")?;
    let result_desc = desc("proofwork.block.v1.TxResult")?;
    let mut txs = Vec::with_capacity(rec.txs.len());
    for (i, raw) in rec.txs.iter().enumerate() {
        let hash = hex::encode(blake3::hash(raw).as_bytes());
        let (signer, body) = match proofwork_proto::tx::v1::Tx::decode(raw.as_slice()) {
            Ok(tx) => (
                hex::encode(&tx.public_key),
                serde_json::from_str::<serde_json::Value>(&render(
                    body_desc.clone(),
                    &tx.body_bytes,
                )?)
                .unwrap_or(serde_json::Value::Null),
            ),
            // The beacon pseudo-tx (docs/state.md) and anything else that is not a Tx.
            Err(_) => (
                String::new(),
                serde_json::json!({ "undecoded": hex::encode(raw) }),
            ),
        };
        let result = rec
            .results
            .get(i)
            .map(|r| render(result_desc.clone(), &r.encode_to_vec()))
            .transpose()?
            .and_then(|s| serde_json::from_str::<serde_json::Value>(&s).ok())
            .unwrap_or(serde_json::Value::Null);
        txs.push(serde_json::json!({
            "index": i,
            "hash": hash,
            "signer": signer,
            "body": body,
            "result": result,
        }));
    }
    Ok(json_response(
        StatusCode::OK,
        serde_json::json!({ "height": h.to_string(), "txs": txs }).to_string(),
    ))
}

async fn openapi_json(State(g): State<Arc<Gateway>>) -> Response {
    json_response(StatusCode::OK, g.spec.clone())
}

/// CORS: the allowed origin echoed (or `*`), and preflight answered here.
async fn cors(
    State(g): State<Arc<Gateway>>,
    req: Request<Body>,
    next: axum::middleware::Next,
) -> Response {
    let origins = &g.limits.cors_origins;
    let allow = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|o| o.to_str().ok())
        .and_then(|o| {
            if origins.iter().any(|a| a == "*") {
                Some(HeaderValue::from_static("*"))
            } else if origins.iter().any(|a| a == o) {
                HeaderValue::from_str(o).ok()
            } else {
                None
            }
        });
    let preflight = req.method() == Method::OPTIONS;
    let mut resp = if preflight {
        StatusCode::NO_CONTENT.into_response()
    } else {
        next.run(req).await
    };
    if let Some(origin) = allow {
        let h = resp.headers_mut();
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        h.insert(header::VARY, HeaderValue::from_static("Origin"));
        if preflight {
            h.insert(
                header::ACCESS_CONTROL_ALLOW_METHODS,
                HeaderValue::from_static("GET, POST, OPTIONS"),
            );
            h.insert(
                header::ACCESS_CONTROL_ALLOW_HEADERS,
                HeaderValue::from_static("content-type"),
            );
            h.insert(
                header::ACCESS_CONTROL_MAX_AGE,
                HeaderValue::from_static("600"),
            );
        }
    }
    resp
}

/// A raw protobuf codec: the gateway encodes and decodes messages itself.
#[derive(Debug, Clone, Copy, Default)]
struct RawCodec;

#[derive(Debug, Clone, Copy, Default)]
struct RawCoder;

impl Codec for RawCodec {
    type Encode = Bytes;
    type Decode = Bytes;
    type Encoder = RawCoder;
    type Decoder = RawCoder;
    fn encoder(&mut self) -> RawCoder {
        RawCoder
    }
    fn decoder(&mut self) -> RawCoder {
        RawCoder
    }
}

impl Encoder for RawCoder {
    type Item = Bytes;
    type Error = tonic::Status;
    fn encode(&mut self, item: Bytes, dst: &mut EncodeBuf<'_>) -> Result<(), tonic::Status> {
        bytes::BufMut::put_slice(dst, &item);
        Ok(())
    }
}

impl Decoder for RawCoder {
    type Item = Bytes;
    type Error = tonic::Status;
    fn decode(&mut self, src: &mut DecodeBuf<'_>) -> Result<Option<Bytes>, tonic::Status> {
        let n = bytes::Buf::remaining(src);
        Ok(Some(bytes::Buf::copy_to_bytes(src, n)))
    }
}

impl Gateway {
    /// The unary or server-streaming method `service/method`.
    fn method(&self, service: &str, method: &str) -> Result<MethodDescriptor, ApiError> {
        let svc = self
            .pool
            .get_service_by_name(service)
            .ok_or_else(|| ApiError::new(Code::NotFound, format!("no service {service:?}")))?;
        let m = svc.methods().find(|m| m.name() == method).ok_or_else(|| {
            ApiError::new(
                Code::NotFound,
                format!("{service} has no method {method:?}"),
            )
        })?;
        if m.is_client_streaming() {
            return Err(ApiError::new(
                Code::Unimplemented,
                format!("{service}/{method} is client streaming: gRPC only"),
            ));
        }
        Ok(m)
    }

    /// Parses `json` as a message of `desc` (proto3 JSON mapping, unknown fields refused).
    fn parse(&self, desc: MessageDescriptor, json: &[u8]) -> Result<Vec<u8>, ApiError> {
        let json: &[u8] = if json.iter().all(u8::is_ascii_whitespace) {
            b"{}"
        } else {
            json
        };
        let mut de = serde_json::Deserializer::from_slice(json);
        let opts = prost_reflect::DeserializeOptions::new().deny_unknown_fields(true);
        let msg = DynamicMessage::deserialize_with_options(desc.clone(), &mut de, &opts).map_err(
            |e| ApiError::invalid(format!("request body is not a {}: {e}", desc.full_name())),
        )?;
        de.end()
            .map_err(|e| ApiError::invalid(format!("request body: {e}")))?;
        Ok(msg.encode_to_vec())
    }

    fn client(&self) -> tonic::client::Grpc<tonic::transport::Channel> {
        tonic::client::Grpc::new(self.channel.clone())
            .max_decoding_message_size(self.limits.max_message_bytes)
            .max_encoding_message_size(self.limits.max_message_bytes)
    }

    fn path(m: &MethodDescriptor) -> Result<http::uri::PathAndQuery, ApiError> {
        format!("/{}/{}", m.parent_service().full_name(), m.name())
            .parse()
            .map_err(|_| ApiError::new(Code::Internal, "method path"))
    }

    /// Calls unary method `m` with the request JSON `json`; the answer as JSON.
    async fn unary(&self, m: &MethodDescriptor, json: &[u8]) -> Result<Response, ApiError> {
        let answer = self.unary_raw(m, json).await?;
        let json = render(m.output(), &answer)?;
        Ok(json_response(StatusCode::OK, json))
    }

    /// Calls unary method `m` with the request JSON `json`; the answer's protobuf bytes.
    async fn unary_raw(&self, m: &MethodDescriptor, json: &[u8]) -> Result<Bytes, ApiError> {
        if m.is_server_streaming() {
            return Err(ApiError::invalid(format!(
                "{} streams: use GET /v1/stream/blocks or /v1/stream/events (server-sent events)",
                m.full_name()
            )));
        }
        let _slot = self
            .slots
            .try_acquire()
            .map_err(|_| ApiError::new(Code::ResourceExhausted, "too many concurrent requests"))?;
        let body = self.parse(m.input(), json)?;
        let mut grpc = self.client();
        grpc.ready()
            .await
            .map_err(|e| ApiError::new(Code::Unavailable, format!("node gRPC: {e}")))?;
        let mut req = tonic::Request::new(Bytes::from(body));
        req.set_timeout(self.limits.request_timeout);
        let resp = grpc.unary(req, Self::path(m)?, RawCodec).await?;
        Ok(resp.into_inner())
    }

    /// Calls the server-streaming method `m` and relays each message as an SSE event.
    async fn stream(&self, m: &MethodDescriptor, json: &[u8]) -> Result<Response, ApiError> {
        let body = self.parse(m.input(), json)?;
        let mut grpc = self.client();
        grpc.ready()
            .await
            .map_err(|e| ApiError::new(Code::Unavailable, format!("node gRPC: {e}")))?;
        let resp = grpc
            .server_streaming(
                tonic::Request::new(Bytes::from(body)),
                Self::path(m)?,
                RawCodec,
            )
            .await?;
        let out = m.output();
        let events = resp.into_inner().map(move |item| {
            let event = match item
                .map_err(ApiError::from)
                .and_then(|b| render(out.clone(), &b))
            {
                Ok(json) => Event::default().data(json),
                Err(e) => Event::default().event("error").data(e.body()),
            };
            Ok::<_, std::convert::Infallible>(event)
        });
        Ok(Sse::new(events)
            .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
            .into_response())
    }
}

/// `bytes` (a message of `desc`) as JSON, every field present.
fn render(desc: MessageDescriptor, bytes: &[u8]) -> Result<String, ApiError> {
    let msg = DynamicMessage::decode(desc, bytes)
        .map_err(|e| ApiError::new(Code::Internal, format!("undecodable answer: {e}")))?;
    let mut out = serde_json::Serializer::new(Vec::new());
    let opts = prost_reflect::SerializeOptions::new().skip_default_fields(false);
    msg.serialize_with_options(&mut out, &opts)
        .map_err(|e| ApiError::new(Code::Internal, format!("answer to JSON: {e}")))?;
    String::from_utf8(out.into_inner())
        .map_err(|e| ApiError::new(Code::Internal, format!("answer to JSON: {e}")))
}

/// Reads a request body of at most `max_body_bytes`.
async fn read_body(g: &Gateway, body: Body) -> Result<Bytes, ApiError> {
    axum::body::to_bytes(body, g.limits.max_body_bytes)
        .await
        .map_err(|_| ApiError {
            http: Some(StatusCode::PAYLOAD_TOO_LARGE),
            ..ApiError::new(
                Code::ResourceExhausted,
                format!("request body over {} bytes", g.limits.max_body_bytes),
            )
        })
}

async fn rpc(
    State(g): State<Arc<Gateway>>,
    Path((service, method)): Path<(String, String)>,
    body: Body,
) -> Result<Response, ApiError> {
    let m = g.method(&service, &method)?;
    let body = read_body(&g, body).await?;
    g.unary(&m, &body).await
}

/// Calls `Node/{method}` with the JSON object `fields`.
async fn node_call(
    g: &Gateway,
    method: &str,
    fields: serde_json::Value,
) -> Result<Response, ApiError> {
    let m = g.method("proofwork.node.v1.Node", method)?;
    g.unary(&m, fields.to_string().as_bytes()).await
}

/// A hex path segment as the base64 the JSON mapping uses for `bytes`.
fn hex_to_base64(what: &str, hex: &str) -> Result<String, ApiError> {
    use base64::Engine as _;
    let bytes = hex::decode(hex.trim_start_matches("0x"))
        .map_err(|e| ApiError::invalid(format!("{what} must be hex: {e}")))?;
    Ok(base64::engine::general_purpose::STANDARD.encode(bytes))
}

async fn status(State(g): State<Arc<Gateway>>) -> Result<Response, ApiError> {
    node_call(&g, "Status", serde_json::json!({})).await
}

async fn block(
    State(g): State<Arc<Gateway>>,
    Path(height): Path<String>,
) -> Result<Response, ApiError> {
    let h: u64 = height
        .parse()
        .map_err(|_| ApiError::invalid(format!("height {height:?} is not a u64")))?;
    node_call(
        &g,
        "GetBlock",
        serde_json::json!({ "height": h.to_string() }),
    )
    .await
}

async fn block_by_hash(
    State(g): State<Arc<Gateway>>,
    Path(hash): Path<String>,
) -> Result<Response, ApiError> {
    let hash = hex_to_base64("block hash", &hash)?;
    node_call(&g, "GetBlockByHash", serde_json::json!({ "hash": hash })).await
}

async fn tx(State(g): State<Arc<Gateway>>, Path(hash): Path<String>) -> Result<Response, ApiError> {
    let hash = hex_to_base64("tx hash", &hash)?;
    node_call(&g, "GetTx", serde_json::json!({ "hash": hash })).await
}

async fn broadcast(State(g): State<Arc<Gateway>>, body: Body) -> Result<Response, ApiError> {
    let body = read_body(&g, body).await?;
    let m = g.method("proofwork.node.v1.Node", "BroadcastTx")?;
    g.unary(&m, &body).await
}

async fn simulate(State(g): State<Arc<Gateway>>, body: Body) -> Result<Response, ApiError> {
    let body = read_body(&g, body).await?;
    let m = g.method("proofwork.node.v1.Node", "Simulate")?;
    g.unary(&m, &body).await
}

async fn account(
    State(g): State<Arc<Gateway>>,
    Path(address): Path<String>,
) -> Result<Response, ApiError> {
    node_call(&g, "Account", serde_json::json!({ "address": address })).await
}

async fn balance(
    State(g): State<Arc<Gateway>>,
    Path((address, denom)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    node_call(
        &g,
        "Balance",
        serde_json::json!({ "address": address, "denom": denom }),
    )
    .await
}

/// Query parameters of a stream: each becomes a field of the request (proto JSON accepts
/// integers as strings).
type StreamQuery = Query<std::collections::BTreeMap<String, String>>;

async fn stream_blocks(
    State(g): State<Arc<Gateway>>,
    Query(q): StreamQuery,
) -> Result<Response, ApiError> {
    let m = g.method("proofwork.node.v1.Node", "StreamBlocks")?;
    g.stream(&m, serde_json::to_string(&q).unwrap_or_default().as_bytes())
        .await
}

async fn stream_events(
    State(g): State<Arc<Gateway>>,
    Query(q): StreamQuery,
) -> Result<Response, ApiError> {
    let m = g.method("proofwork.node.v1.Node", "StreamEvents")?;
    g.stream(&m, serde_json::to_string(&q).unwrap_or_default().as_bytes())
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_a_status_and_name() {
        for c in 0..=16 {
            let code = Code::from_i32(c);
            assert!(!code_name(code).is_empty());
            if c != 0 {
                assert!(http_status(code).is_client_error() || http_status(code).is_server_error());
            }
        }
        assert_eq!(http_status(Code::InvalidArgument), StatusCode::BAD_REQUEST);
        assert_eq!(http_status(Code::NotFound), StatusCode::NOT_FOUND);
        assert_eq!(
            http_status(Code::ResourceExhausted),
            StatusCode::TOO_MANY_REQUESTS
        );
    }

    #[test]
    fn json_requests_follow_the_proto_mapping() {
        let pool = descriptors().expect("descriptors");
        let desc = pool
            .get_message_by_name("proofwork.node.v1.GetBlockRequest")
            .expect("message");
        let mut de = serde_json::Deserializer::from_str(r#"{"height": "42"}"#);
        let msg = DynamicMessage::deserialize(desc.clone(), &mut de).expect("string u64");
        assert_eq!(
            msg.get_field_by_name("height").expect("field").as_u64(),
            Some(42)
        );
        let mut de = serde_json::Deserializer::from_str(r#"{"height": 42}"#);
        assert!(
            DynamicMessage::deserialize(desc.clone(), &mut de).is_ok(),
            "number u64"
        );
        let mut de = serde_json::Deserializer::from_str(r#"{"height": "x"}"#);
        assert!(DynamicMessage::deserialize(desc, &mut de).is_err());
    }
}
