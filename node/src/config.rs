//! `config.toml`: operator settings that do not affect consensus.

use std::path::Path;
use std::time::Duration;

use anyhow::Context as _;
use serde::{Deserialize, Serialize};

use crate::blobs::gc::GcConfig;
use crate::blobs::BlobLimits;
use crate::engine::EngineConfig;
use crate::grpc::GrpcLimits;
use crate::mempool::MempoolLimits;

/// The whole file. Every field has a default, so an empty file is valid.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// gRPC server.
    pub grpc: GrpcSection,
    /// Embedded engine.
    pub engine: EngineSection,
    /// Mempool.
    pub mempool: MempoolSection,
    /// Storage.
    pub storage: StorageSection,
    /// ABCI server (for CometBFT).
    pub abci: AbciSection,
    /// Prometheus metrics.
    pub metrics: MetricsSection,
    /// The local CometBFT node (for `start --abci`).
    pub cometbft: CometbftSection,
    /// The blob store (`Blobs` gRPC service).
    pub blobs: BlobsSection,
    /// The REST/JSON gateway.
    pub api: ApiSection,
}

/// `[api]`: the REST/JSON gateway ([`crate::rest`]).
///
/// Off unless `listen` is set (`proofwork start --api ADDR`): it is a second public port,
/// and one host often runs several nodes (localnets, tests), which would all fight over one
/// default port; gRPC stays the one surface every node has.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ApiSection {
    /// Listen address (e.g. `127.0.0.1:1317`); empty disables the gateway.
    pub listen: String,
    /// Origins CORS allows (`"*"` for any); empty sends no CORS headers.
    pub cors_origins: Vec<String>,
    /// Largest request body in bytes (larger: 413).
    pub max_body_bytes: usize,
    /// Requests served at once (more: 429).
    pub max_concurrent: usize,
}

impl Default for ApiSection {
    fn default() -> Self {
        ApiSection {
            listen: String::new(),
            cors_origins: Vec::new(),
            max_body_bytes: 4 << 20,
            max_concurrent: 256,
        }
    }
}

/// `[blobs]`: limits and garbage collection of the node-local blob store (`HOME/blobs`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BlobsSection {
    /// Largest blob accepted, in bytes.
    pub max_blob_bytes: u64,
    /// Largest data chunk of one upload message (and the download chunk size), in bytes.
    pub max_chunk_bytes: usize,
    /// Uploads in progress at once; more are refused with RESOURCE_EXHAUSTED.
    pub max_concurrent_uploads: usize,
    /// An upload or download stream idle for this long is dropped.
    pub idle_timeout_ms: u64,
    /// Bytes per second an upload must bring, measured over each 10 s window (or the rest
    /// of its blob, if less); a slower one is dropped with DEADLINE_EXCEEDED.
    pub upload_min_bytes_per_sec: u64,
    /// Longest one upload may take.
    pub upload_max_ms: u64,
    /// Quota: most bytes stored, counting complete blobs plus the declared sizes of uploads
    /// in progress; an upload that would go over is refused with RESOURCE_EXHAUSTED ("blob
    /// store full"). Lowering it below what is stored refuses new uploads until enough is
    /// collected; nothing is deleted to make room.
    pub max_total_bytes: u64,
    /// Free bytes the disk under the blob store always keeps (for RocksDB): an upload that
    /// would leave less is refused with RESOURCE_EXHAUSTED ("disk nearly full"); 0 turns the
    /// check off.
    pub min_free_bytes: u64,
    /// Blocks a blob no open job and no model needs is kept before the garbage collector
    /// deletes it (see `blobs::gc` for the rule).
    pub retain_blocks: u64,
    /// Time between garbage collection passes.
    pub gc_interval_ms: u64,
}

impl Default for BlobsSection {
    fn default() -> Self {
        let d = BlobLimits::default();
        let gc = GcConfig::default();
        let pace = crate::grpc::blobs::UploadPace::default();
        BlobsSection {
            max_blob_bytes: d.max_blob_bytes,
            max_chunk_bytes: d.max_chunk_bytes,
            max_concurrent_uploads: d.max_concurrent_uploads,
            idle_timeout_ms: d.idle_timeout.as_millis() as u64,
            upload_min_bytes_per_sec: pace.min_bytes_per_sec,
            upload_max_ms: pace.max_duration.as_millis() as u64,
            max_total_bytes: d.max_total_bytes,
            min_free_bytes: d.min_free_bytes,
            retain_blocks: gc.retain_blocks,
            gc_interval_ms: gc.interval.as_millis() as u64,
        }
    }
}

/// `[metrics]`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MetricsSection {
    /// Listen address of the `/metrics` endpoint; empty disables it.
    pub listen: String,
}

impl Default for MetricsSection {
    fn default() -> Self {
        MetricsSection {
            listen: "127.0.0.1:26660".into(),
        }
    }
}

/// `[cometbft]`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CometbftSection {
    /// RPC address of the local CometBFT node: `BroadcastTx` forwards there in `--abci` mode.
    pub rpc: String,
}

impl Default for CometbftSection {
    fn default() -> Self {
        CometbftSection {
            rpc: "http://127.0.0.1:26657".into(),
        }
    }
}

/// `[grpc]`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GrpcSection {
    /// Listen address.
    pub listen: String,
    /// Largest message in bytes.
    pub max_message_bytes: usize,
    /// Per-request timeout.
    pub request_timeout_ms: u64,
    /// How long a broadcast with `wait` waits.
    pub commit_wait_ms: u64,
    /// Open connections at once (past the HTTP/2 preface); more are closed. Keep it, plus
    /// `max_handshakes`, well under the process's file limit (RocksDB needs some too).
    pub max_connections: usize,
    /// New connections waiting for their HTTP/2 preface at once; a new one evicts the oldest.
    pub max_handshakes: usize,
    /// Time a new connection has to send the HTTP/2 preface (slow loris).
    pub handshake_timeout_ms: u64,
    /// A connection that sends nothing for this long is closed.
    pub idle_timeout_ms: u64,
    /// HTTP/2 keepalive ping interval.
    pub keepalive_interval_ms: u64,
    /// A keepalive ping unanswered for this long closes the connection.
    pub keepalive_timeout_ms: u64,
}

impl Default for GrpcSection {
    fn default() -> Self {
        let c = crate::grpc::ConnLimits::default();
        let g = GrpcLimits::default();
        GrpcSection {
            listen: "127.0.0.1:9090".into(),
            max_message_bytes: 4 << 20,
            request_timeout_ms: 30_000,
            commit_wait_ms: 20_000,
            max_connections: c.max_connections,
            max_handshakes: c.max_handshakes,
            handshake_timeout_ms: c.handshake_timeout.as_millis() as u64,
            idle_timeout_ms: c.idle_timeout.as_millis() as u64,
            keepalive_interval_ms: g.keepalive_interval.as_millis() as u64,
            keepalive_timeout_ms: g.keepalive_timeout.as_millis() as u64,
        }
    }
}

/// `[engine]`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EngineSection {
    /// Block interval.
    pub block_interval_ms: u64,
    /// Most txs per block.
    pub max_block_txs: usize,
    /// Most tx bytes per block.
    pub max_block_bytes: u64,
}

impl Default for EngineSection {
    fn default() -> Self {
        EngineSection {
            block_interval_ms: 1000,
            max_block_txs: 20_000,
            max_block_bytes: 32 << 20,
        }
    }
}

/// `[mempool]`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MempoolSection {
    /// Most pending txs.
    pub max_txs: usize,
    /// Most pending bytes.
    pub max_bytes: u64,
    /// Largest tx this node accepts (the chain's limit applies too).
    pub max_tx_bytes: u64,
}

impl Default for MempoolSection {
    fn default() -> Self {
        MempoolSection {
            max_txs: 100_000,
            max_bytes: 256 << 20,
            max_tx_bytes: 1 << 20,
        }
    }
}

/// `[storage]`
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StorageSection {
    /// Versions of state kept queryable with proofs; 0 keeps all.
    pub keep_recent: u64,
}

/// `[abci]`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AbciSection {
    /// Listen address for `start --abci` when none is given on the command line.
    pub listen: String,
}

impl Default for AbciSection {
    fn default() -> Self {
        AbciSection {
            listen: "tcp://127.0.0.1:26658".into(),
        }
    }
}

impl Config {
    /// Reads `config.toml`.
    ///
    /// # Errors
    /// Unreadable file or invalid TOML (unknown keys are errors, to catch typos).
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))
    }

    /// TOML text with every default written out.
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).expect("config always serializes")
    }

    /// Engine settings.
    pub fn engine(&self) -> EngineConfig {
        EngineConfig {
            block_interval: Duration::from_millis(self.engine.block_interval_ms.max(1)),
            max_block_txs: self.engine.max_block_txs,
            max_block_bytes: self.engine.max_block_bytes,
            mempool: MempoolLimits {
                max_txs: self.mempool.max_txs,
                max_bytes: self.mempool.max_bytes,
            },
            local_max_tx_bytes: self.mempool.max_tx_bytes,
        }
    }

    /// Blob store limits.
    pub fn blob_limits(&self) -> BlobLimits {
        BlobLimits {
            max_blob_bytes: self.blobs.max_blob_bytes,
            max_chunk_bytes: self.blobs.max_chunk_bytes.max(1),
            max_concurrent_uploads: self.blobs.max_concurrent_uploads.max(1),
            idle_timeout: Duration::from_millis(self.blobs.idle_timeout_ms.max(1)),
            max_total_bytes: self.blobs.max_total_bytes,
            min_free_bytes: self.blobs.min_free_bytes,
        }
    }

    /// Blob garbage collector settings.
    pub fn blob_gc(&self) -> GcConfig {
        GcConfig {
            retain_blocks: self.blobs.retain_blocks,
            interval: Duration::from_millis(self.blobs.gc_interval_ms.max(10)),
            ..GcConfig::default()
        }
    }

    /// The REST gateway's limits.
    pub fn rest_limits(&self) -> crate::rest::RestLimits {
        crate::rest::RestLimits {
            max_body_bytes: self.api.max_body_bytes,
            max_concurrent: self.api.max_concurrent.max(1),
            cors_origins: self.api.cors_origins.clone(),
            max_message_bytes: self.grpc.max_message_bytes,
            request_timeout: Duration::from_millis(self.grpc.request_timeout_ms.max(1)),
        }
    }

    /// gRPC limits.
    pub fn grpc_limits(&self) -> GrpcLimits {
        GrpcLimits {
            max_message_bytes: self.grpc.max_message_bytes,
            request_timeout: Duration::from_millis(self.grpc.request_timeout_ms),
            commit_wait: Duration::from_millis(self.grpc.commit_wait_ms),
            conns: crate::grpc::ConnLimits {
                max_connections: self.grpc.max_connections.max(1),
                max_handshakes: self.grpc.max_handshakes.max(1),
                handshake_timeout: Duration::from_millis(self.grpc.handshake_timeout_ms.max(1)),
                idle_timeout: Duration::from_millis(self.grpc.idle_timeout_ms.max(1)),
            },
            keepalive_interval: Duration::from_millis(self.grpc.keepalive_interval_ms.max(1)),
            keepalive_timeout: Duration::from_millis(self.grpc.keepalive_timeout_ms.max(1)),
            upload_pace: crate::grpc::blobs::UploadPace {
                min_bytes_per_sec: self.blobs.upload_min_bytes_per_sec,
                max_duration: Duration::from_millis(self.blobs.upload_max_ms.max(1)),
                ..crate::grpc::blobs::UploadPace::default()
            },
            ..GrpcLimits::default()
        }
    }
}
