//! Client side of the `Blobs` service: chunked upload of bytes in memory and a download that
//! checks offsets, size and the BLAKE3 hash.

use std::sync::Arc;

use anyhow::{bail, ensure, Context as _};
use proofwork_proto::blobs::v1::{self as pb, blobs_client::BlobsClient, upload_chunk::Msg};
use tonic::transport::Channel;

/// Chunk size of uploads: the node's default chunk limit.
pub const UPLOAD_CHUNK_BYTES: usize = 1 << 20;

/// What the node should check an upload against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Opaque bytes; `row_len > 0` also indexes their row Merkle root.
    Raw {
        /// Row length (0: none).
        row_len: u32,
    },
    /// The input `A` of a job (`row_len` = the model's `k`).
    JobInput {
        /// Job id.
        job_id: u64,
        /// The model's `k`.
        row_len: u32,
    },
    /// The output `C` of a job (`row_len` = `4n`: little-endian `i32`).
    JobOutput {
        /// Job id.
        job_id: u64,
        /// `4n`.
        row_len: u32,
    },
    /// The weights `B` of a model (`row_len` = its `n`).
    ModelWeights {
        /// Model id.
        model_id: u64,
        /// The model's `n`.
        row_len: u32,
    },
}

/// The upload header for `data`.
pub fn header(data: &[u8], kind: Kind) -> pb::UploadHeader {
    let (kind, row_len, ref_id) = match kind {
        Kind::Raw { row_len } => (pb::BlobKind::Raw, row_len, 0),
        Kind::JobInput { job_id, row_len } => (pb::BlobKind::JobInput, row_len, job_id),
        Kind::ModelWeights { model_id, row_len } => (pb::BlobKind::ModelWeights, row_len, model_id),
        Kind::JobOutput { job_id, row_len } => (pb::BlobKind::JobOutput, row_len, job_id),
    };
    pb::UploadHeader {
        size: data.len() as u64,
        hash: blake3::hash(data).as_bytes().to_vec(),
        kind: kind as i32,
        row_len,
        ref_id,
    }
}

/// Uploads `data` with `header` in chunks of `chunk_bytes` (the header is sent as given, so a
/// test can declare something false).
///
/// # Errors
/// The node's status (see `blobs.proto` for the codes).
pub async fn upload_with(
    client: &mut BlobsClient<Channel>,
    header: pb::UploadHeader,
    data: Arc<Vec<u8>>,
    chunk_bytes: usize,
) -> Result<pb::BlobInfo, tonic::Status> {
    let first = pb::UploadChunk {
        msg: Some(Msg::Header(header)),
    };
    let step = chunk_bytes.max(1);
    // Chunks are copied out one at a time as the transport pulls them (prost `bytes` is a
    // Vec): memory stays at a few chunks beyond `data` whatever the size.
    let chunks = (0..data.len().div_ceil(step)).map(move |i| {
        let end = ((i + 1) * step).min(data.len());
        pb::UploadChunk {
            msg: Some(Msg::Data(data[i * step..end].to_vec())),
        }
    });
    let stream = tokio_stream::iter(std::iter::once(first).chain(chunks));
    Ok(client.upload(stream).await?.into_inner())
}

/// [`upload`] calling `progress(bytes sent so far)` as the transport takes each chunk.
///
/// # Errors
/// The node's status (see `blobs.proto`).
pub async fn upload_progress(
    client: &mut BlobsClient<Channel>,
    data: Arc<Vec<u8>>,
    kind: Kind,
    progress: impl Fn(u64) + Send + Sync + 'static,
) -> Result<pb::BlobInfo, tonic::Status> {
    let first = pb::UploadChunk {
        msg: Some(Msg::Header(header(&data, kind))),
    };
    let step = UPLOAD_CHUNK_BYTES;
    let chunks = (0..data.len().div_ceil(step)).map(move |i| {
        let end = ((i + 1) * step).min(data.len());
        progress(end as u64);
        pb::UploadChunk {
            msg: Some(Msg::Data(data[i * step..end].to_vec())),
        }
    });
    let stream = tokio_stream::iter(std::iter::once(first).chain(chunks));
    Ok(client.upload(stream).await?.into_inner())
}

/// Uploads `data` as `kind` in 1 MiB chunks.
///
/// # Errors
/// The node's status (see `blobs.proto`).
pub async fn upload(
    client: &mut BlobsClient<Channel>,
    data: Arc<Vec<u8>>,
    kind: Kind,
) -> Result<pb::BlobInfo, tonic::Status> {
    let h = header(&data, kind);
    upload_with(client, h, data, UPLOAD_CHUNK_BYTES).await
}

/// Downloads blob `hash` whole, checking that chunks are contiguous, the size is at most
/// `max_size`, and the content hashes to `hash`.
///
/// # Errors
/// The node's status, or a blob that is larger than `max_size`, out of order or corrupt.
pub async fn download(
    client: &mut BlobsClient<Channel>,
    hash: &[u8; 32],
    max_size: u64,
) -> anyhow::Result<Vec<u8>> {
    download_progress(client, hash, max_size, |_| {}).await
}

/// [`download`] calling `progress(bytes received so far)` after each chunk.
///
/// # Errors
/// As [`download`].
pub async fn download_progress(
    client: &mut BlobsClient<Channel>,
    hash: &[u8; 32],
    max_size: u64,
    progress: impl Fn(u64),
) -> anyhow::Result<Vec<u8>> {
    let mut stream = client
        .download(pb::DownloadRequest {
            hash: hash.to_vec(),
            offset: 0,
            limit: 0,
        })
        .await
        .context("starting the download")?
        .into_inner();
    let mut out = Vec::new();
    let mut hasher = blake3::Hasher::new();
    let mut size = None;
    while let Some(chunk) = stream.message().await.context("downloading")? {
        let total = *size.get_or_insert(chunk.size);
        ensure!(
            total <= max_size,
            "blob has {total} bytes, more than the {max_size} expected"
        );
        if out.is_empty() {
            out.reserve_exact(usize::try_from(total)?);
        }
        ensure!(
            chunk.offset == out.len() as u64 && chunk.size == total,
            "chunk at offset {} (size {}) after {} bytes of {total}",
            chunk.offset,
            chunk.size,
            out.len()
        );
        ensure!(
            out.len() as u64 + chunk.data.len() as u64 <= total,
            "more bytes than the blob's size {total}"
        );
        hasher.update(&chunk.data);
        out.extend_from_slice(&chunk.data);
        progress(out.len() as u64);
    }
    let total = size.unwrap_or(0);
    if out.len() as u64 != total {
        bail!("download ended after {} of {total} bytes", out.len());
    }
    if hasher.finalize().as_bytes() != hash {
        bail!("downloaded blob does not hash to {}", hex::encode(hash));
    }
    Ok(out)
}
