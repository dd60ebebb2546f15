//! `proofwork.blobs.v1.Blobs`: chunked streaming upload and download of content-addressed
//! blobs (job inputs `A`, model weights `B`) over the node's [`BlobStore`].
//!
//! Status codes (also in `blobs.proto`): a node limit (size above `max_blob_bytes`, too many
//! uploads, the store's `max_total_bytes` quota — "blob store full: ...", its disk's
//! `min_free_bytes` reserve — "disk nearly full: ...") is
//! `RESOURCE_EXHAUSTED` — the request may succeed elsewhere or later; anything the
//! client got wrong about its own upload (first message, a chunk over the limit, more or fewer
//! bytes than declared, hash or row-root mismatch) is `INVALID_ARGUMENT`; an unknown blob, job
//! or model is `NOT_FOUND`; a stalled stream is `DEADLINE_EXCEEDED`.
//!
//! The disk work (writes, hashing, fsync) runs on the blocking pool, one chunk at a time.

use std::pin::Pin;
use std::time::Duration;

use proofwork_consensus::work;
use proofwork_proto::blobs::v1::{self as pb, blobs_server, upload_chunk::Msg};
use tokio_stream::Stream;
use tonic::{Request, Response, Status, Streaming};

use super::internal;
use crate::blobs::{digest, BlobError, BlobMeta, BlobStore, Expect, RowLeaf};

/// Most downloads streaming at once (each holds an open file and a task); more get
/// RESOURCE_EXHAUSTED.
pub const MAX_DOWNLOADS: usize = 64;

/// The pace an upload must keep, so that a few trickling clients cannot hold every upload
/// slot (`max_concurrent_uploads`) while staying inside the per-message idle timeout.
#[derive(Debug, Clone, Copy)]
pub struct UploadPace {
    /// Bytes each [`UploadPace::window`] must bring (or the rest of the blob, if less).
    pub min_bytes_per_sec: u64,
    /// The span the rate is measured over, from the header on.
    pub window: Duration,
    /// Longest an upload may take, whatever its size.
    pub max_duration: Duration,
}

impl Default for UploadPace {
    fn default() -> Self {
        UploadPace {
            min_bytes_per_sec: 64 << 10,
            window: Duration::from_secs(10),
            max_duration: Duration::from_secs(3600),
        }
    }
}

/// The service.
#[derive(Clone)]
pub struct BlobsService {
    store: BlobStore,
    storage: proofwork_state::Storage,
    downloads: std::sync::Arc<tokio::sync::Semaphore>,
    pace: UploadPace,
}

impl BlobsService {
    /// A service over a blob store, checking typed uploads against the chain state `storage`.
    pub fn new(store: BlobStore, storage: proofwork_state::Storage) -> Self {
        BlobsService {
            store,
            storage,
            downloads: std::sync::Arc::new(tokio::sync::Semaphore::new(MAX_DOWNLOADS)),
            pace: UploadPace::default(),
        }
    }

    /// Uploads must keep `pace`.
    pub fn with_pace(mut self, pace: UploadPace) -> Self {
        self.pace = pace;
        self
    }

    /// What the upload declared by `h` must turn out to be.
    fn expectation(&self, h: &pb::UploadHeader) -> Result<Expect, Status> {
        let hash = digest("hash", &h.hash).map_err(status)?;
        let kind = pb::BlobKind::try_from(h.kind)
            .map_err(|_| Status::invalid_argument(format!("unknown blob kind {}", h.kind)))?;
        let mut e = Expect {
            size: h.size,
            hash,
            row_len: h.row_len,
            row_root: None,
            leaf: RowLeaf::I8,
        };
        let s = &self.storage;
        // (what, rows, row length, root) the typed kinds must match.
        let (what, rows, row_len, root) = match kind {
            pb::BlobKind::Raw => return Ok(e),
            pb::BlobKind::JobInput => {
                let j = work::job(s, h.ref_id)
                    .map_err(internal)?
                    .ok_or_else(|| Status::not_found(format!("unknown job {}", h.ref_id)))?;
                let m = work::model(s, j.model_id)
                    .map_err(internal)?
                    .ok_or_else(|| Status::internal("job without model"))?;
                (format!("job {}", j.id), j.m, m.k, j.a_root)
            }
            pb::BlobKind::JobOutput => {
                let j = work::job(s, h.ref_id)
                    .map_err(internal)?
                    .ok_or_else(|| Status::not_found(format!("unknown job {}", h.ref_id)))?;
                let m = work::model(s, j.model_id)
                    .map_err(internal)?
                    .ok_or_else(|| Status::internal("job without model"))?;
                let c_root = match &j.status {
                    work::JobStatus::Committed { c_root, .. } => *c_root,
                    _ => work::delivery(s, j.id)
                        .map_err(internal)?
                        .map(|d| d.c_root)
                        .ok_or_else(|| {
                            Status::failed_precondition(format!(
                                "job {} is {}: it has no committed output to upload",
                                j.id,
                                j.status.name()
                            ))
                        })?,
                };
                e.leaf = RowLeaf::I32Le;
                // 4n ≤ 4·max_n fits u32.
                (
                    format!("job {} output", j.id),
                    j.m,
                    m.n.saturating_mul(4),
                    c_root,
                )
            }
            pb::BlobKind::ModelWeights => {
                let m = work::model(s, h.ref_id)
                    .map_err(internal)?
                    .ok_or_else(|| Status::not_found(format!("unknown model {}", h.ref_id)))?;
                (format!("model {}", m.id), m.k, m.n, m.b_root)
            }
        };
        let size = u64::from(rows) * u64::from(row_len);
        if h.row_len != row_len || h.size != size {
            return Err(Status::invalid_argument(format!(
                "{what} is {rows} rows of {row_len} bytes ({size} bytes); the upload declares \
                 row_len {} and size {}",
                h.row_len, h.size
            )));
        }
        e.row_root = Some(root);
        Ok(e)
    }
}

/// The status of a store error.
fn status(e: BlobError) -> Status {
    let msg = e.to_string();
    match e {
        BlobError::TooLarge { .. }
        | BlobError::Busy { .. }
        | BlobError::StoreFull { .. }
        | BlobError::DiskFull { .. } => Status::resource_exhausted(msg),
        BlobError::NotFound(_) => Status::not_found(msg),
        BlobError::OffsetPastEnd { .. } => Status::out_of_range(msg),
        BlobError::Io(_) => Status::internal(msg),
        BlobError::Corrupt { .. } => Status::data_loss(msg),
        BlobError::BadDigest { .. }
        | BlobError::ChunkTooLarge { .. }
        | BlobError::Oversize { .. }
        | BlobError::Truncated { .. }
        | BlobError::HashMismatch { .. }
        | BlobError::BadRowLen { .. }
        | BlobError::RowRootMismatch { .. } => Status::invalid_argument(msg),
    }
}

fn info(m: &BlobMeta) -> pb::BlobInfo {
    pb::BlobInfo {
        hash: m.hash.to_vec(),
        size: m.size,
        row_len: m.row_len,
        row_root: m.row_root.map(|r| r.to_vec()).unwrap_or_default(),
    }
}

/// Runs `f` on the blocking pool.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, BlobError> + Send + 'static,
) -> Result<T, Status> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(internal)?
        .map_err(status)
}

/// The next upload message, or `None` at the end of the stream.
async fn next(
    stream: &mut Streaming<pb::UploadChunk>,
    idle: Duration,
) -> Result<Option<Msg>, Status> {
    match tokio::time::timeout(idle, stream.message()).await {
        Err(_) => Err(Status::deadline_exceeded(format!(
            "no upload message for {} ms",
            idle.as_millis()
        ))),
        Ok(r) => Ok(r?.map(|c| c.msg).map(|m| {
            m.unwrap_or(Msg::Data(Vec::new())) // an empty message carries no bytes
        })),
    }
}

/// Reads an upload's data messages under its idle timeout, overall deadline and minimum
/// rate; each failure is DEADLINE_EXCEEDED with a message that says which.
struct Pacer {
    pace: UploadPace,
    idle: Duration,
    last_msg: tokio::time::Instant,
    deadline: tokio::time::Instant,
    window_end: tokio::time::Instant,
    window_bytes: u64,
    /// Declared bytes not yet received when the current window began.
    left_at_window: u64,
    left: u64,
}

impl Pacer {
    fn new(pace: UploadPace, idle: Duration, size: u64) -> Self {
        let now = tokio::time::Instant::now();
        let window = pace.window.max(Duration::from_millis(1));
        Pacer {
            pace: UploadPace { window, ..pace },
            idle,
            last_msg: now,
            deadline: super::listener::after(pace.max_duration),
            window_end: super::listener::after(window),
            window_bytes: 0,
            left_at_window: size,
            left: size,
        }
    }

    /// Fails if a window that has ended brought too few bytes.
    fn check(&mut self, now: tokio::time::Instant) -> Result<(), Status> {
        if now >= self.deadline {
            return Err(Status::deadline_exceeded(format!(
                "upload took longer than {} s",
                self.pace.max_duration.as_secs()
            )));
        }
        while now >= self.window_end {
            let per_window = u128::from(self.pace.min_bytes_per_sec)
                .saturating_mul(self.pace.window.as_millis())
                / 1000;
            let need = u64::try_from(per_window)
                .unwrap_or(u64::MAX)
                .min(self.left_at_window);
            if self.window_bytes < need {
                return Err(Status::deadline_exceeded(format!(
                    "upload too slow: {} bytes in {} ms, at least {} bytes/s required",
                    self.window_bytes,
                    self.pace.window.as_millis(),
                    self.pace.min_bytes_per_sec
                )));
            }
            self.window_bytes = 0;
            self.left_at_window = self.left;
            self.window_end += self.pace.window;
        }
        Ok(())
    }

    /// The next message, or `None` at the end of the stream.
    async fn next(
        &mut self,
        stream: &mut Streaming<pb::UploadChunk>,
    ) -> Result<Option<Msg>, Status> {
        loop {
            let idle_at = self
                .last_msg
                .checked_add(self.idle)
                .unwrap_or(self.deadline);
            let wake = idle_at.min(self.window_end).min(self.deadline);
            match tokio::time::timeout_at(wake, stream.message()).await {
                Ok(r) => {
                    let msg = r?.map(|c| c.msg.unwrap_or(Msg::Data(Vec::new())));
                    let now = tokio::time::Instant::now();
                    self.last_msg = now;
                    if let Some(Msg::Data(d)) = &msg {
                        let n = d.len() as u64;
                        self.window_bytes = self.window_bytes.saturating_add(n);
                        self.left = self.left.saturating_sub(n);
                    }
                    self.check(now)?;
                    return Ok(msg);
                }
                Err(_) => {
                    let now = tokio::time::Instant::now();
                    self.check(now)?;
                    if now >= idle_at {
                        return Err(Status::deadline_exceeded(format!(
                            "no upload message for {} ms",
                            self.idle.as_millis()
                        )));
                    }
                }
            }
        }
    }
}

type DownloadStream = Pin<Box<dyn Stream<Item = Result<pb::DownloadChunk, Status>> + Send>>;

#[tonic::async_trait]
impl blobs_server::Blobs for BlobsService {
    async fn upload(
        &self,
        req: Request<Streaming<pb::UploadChunk>>,
    ) -> Result<Response<pb::BlobInfo>, Status> {
        let mut stream = req.into_inner();
        let idle = self.store.limits().idle_timeout;
        let header = match next(&mut stream, idle).await? {
            Some(Msg::Header(h)) => h,
            Some(Msg::Data(_)) => {
                return Err(Status::invalid_argument(
                    "the first upload message must be an UploadHeader",
                ))
            }
            None => {
                return Err(Status::invalid_argument(
                    "empty upload: expected an UploadHeader",
                ))
            }
        };
        let expect = self.expectation(&header)?;
        let store = self.store.clone();
        // Dropping `up` anywhere below (an error, or the client going away and this future
        // being dropped) deletes the temporary file.
        let mut up = blocking(move || store.begin(expect)).await?;
        let mut pacer = Pacer::new(self.pace, idle, header.size);
        while let Some(msg) = pacer.next(&mut stream).await? {
            let Msg::Data(data) = msg else {
                return Err(Status::invalid_argument(
                    "a second UploadHeader in one upload",
                ));
            };
            if data.is_empty() {
                continue;
            }
            up = blocking(move || up.write(&data).map(|()| up)).await?;
        }
        let meta = blocking(move || up.finish()).await?;
        tracing::info!(hash = %hex::encode(meta.hash), size = meta.size, "blob stored");
        Ok(Response::new(info(&meta)))
    }

    type DownloadStream = DownloadStream;

    async fn download(
        &self,
        req: Request<pb::DownloadRequest>,
    ) -> Result<Response<DownloadStream>, Status> {
        let r = req.into_inner();
        let hash = digest("hash", &r.hash).map_err(status)?;
        let permit = self.downloads.clone().try_acquire_owned().map_err(|_| {
            Status::resource_exhausted(format!("at most {MAX_DOWNLOADS} concurrent downloads"))
        })?;
        let store = self.store.clone();
        let offset = r.offset;
        let (file, size) = blocking(move || store.open_at(&hash, offset)).await?;
        let end = match r.limit {
            0 => size,
            l => offset.saturating_add(l).min(size),
        };
        let limits = self.store.limits();
        let chunk = limits.max_chunk_bytes.max(1);
        let (tx, rx) = tokio::sync::mpsc::channel(4);
        tokio::spawn(async move {
            let _permit = permit;
            let mut file = file;
            let mut pos = offset;
            while pos < end {
                let want = usize::try_from(end - pos).unwrap_or(usize::MAX).min(chunk);
                let read = tokio::task::spawn_blocking(move || {
                    let r = crate::blobs::read_chunk(&mut file, want);
                    (file, r)
                })
                .await;
                let msg = match read {
                    Ok((f, r)) => {
                        file = f;
                        match r {
                            Ok(data) if !data.is_empty() => Ok(pb::DownloadChunk {
                                offset: pos,
                                data,
                                size,
                            }),
                            Ok(_) => Err(Status::internal("blob shorter than its size")),
                            Err(e) => Err(internal(e)),
                        }
                    }
                    Err(e) => {
                        let _ = tx.send(Err(internal(e))).await;
                        return;
                    }
                };
                let failed = msg.is_err();
                if let Ok(m) = &msg {
                    pos += m.data.len() as u64;
                }
                // A reader that stops reading for the idle timeout, or goes away, ends this.
                match tokio::time::timeout(limits.idle_timeout, tx.send(msg)).await {
                    Ok(Ok(())) if !failed => {}
                    _ => return,
                }
            }
        });
        Ok(Response::new(Box::pin(
            tokio_stream::wrappers::ReceiverStream::new(rx),
        )))
    }

    async fn stat(&self, req: Request<pb::StatRequest>) -> Result<Response<pb::BlobInfo>, Status> {
        let r = req.into_inner();
        let store = self.store.clone();
        let meta = match (r.hash.is_empty(), r.row_root.is_empty()) {
            (false, true) => {
                let hash = digest("hash", &r.hash).map_err(status)?;
                blocking(move || store.stat(&hash)).await?
            }
            (true, false) => {
                let root = digest("row_root", &r.row_root).map_err(status)?;
                blocking(move || store.find_root(&root)).await?
            }
            _ => {
                return Err(Status::invalid_argument(
                    "set exactly one of hash and row_root",
                ))
            }
        };
        Ok(Response::new(info(&meta)))
    }
}
