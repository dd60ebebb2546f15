//! The node-local blob store behind the `Blobs` gRPC service: content-addressed by BLAKE3,
//! on disk, written so that only complete, verified blobs are ever visible.
//!
//! ```text
//! HOME/blobs/<hex hash>          a complete blob (its BLAKE3 hash is its name)
//! HOME/blobs/tmp/<n>.part        uploads in progress (emptied when the store opens)
//! HOME/blobs/roots/<hex root>    "<hex hash> <row_len>": blobs by row Merkle root (a_root)
//! ```
//!
//! An upload streams into `tmp/`, hashing as it goes (BLAKE3 of the content and, with a row
//! length, the committed row Merkle root in `O(log rows)` memory), and is fsynced and renamed
//! to its name only when the size, the hash and the expected row root all match. Anything
//! else — an error, a dropped stream, a killed process — leaves at most a `tmp/` file that the
//! next open deletes. Memory per upload is one chunk plus one partial row.
//!
//! Not consensus data: other nodes do not have a blob until it is uploaded to them.
//!
//! # Quota
//!
//! The store holds at most [`BlobLimits::max_total_bytes`]: the sizes of its complete blobs
//! (counted by scanning the directory when it opens, then kept up to date on every store and
//! delete) plus the *declared* size of every upload in progress, reserved by [`BlobStore::begin`].
//! Reserving the declared size up front (rather than counting bytes as they arrive) refuses an
//! upload that cannot fit before a byte of it is sent, and means an upload that was accepted
//! can never fail half-way for want of space: an upload can never grow past its declaration
//! ([`BlobError::Oversize`]). The cost is that a stalled upload holds its reservation until
//! the idle timeout drops it. Re-uploading a blob the store already holds reserves nothing.
//!
//! # Deletion and readers
//!
//! Blobs are deleted by the garbage collector ([`gc`]) or [`BlobStore::remove`]; neither
//! deletes a blob that is *pinned*: open for a download ([`BlobStore::open_at`]) or being
//! uploaded under its hash. A deletion removes the blob's `roots/` entries (and makes that
//! durable) before the blob itself, so a crash in between leaves at worst an unindexed blob,
//! never an index entry that points to nothing (readers answer `NotFound` for a missing blob
//! all the same; entries that point to nothing are dropped when the store opens).

pub mod client;
pub mod gc;
mod verify;

pub use verify::ScrubReport;

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use proofwork_kernels::merkle::RowRootBuilder;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// A BLAKE3 hash.
pub type Hash = [u8; 32];

/// The longest row a streamed row root accepts (one row is buffered while it arrives).
pub const MAX_ROW_LEN: u32 = 1 << 20;

/// Store limits (`[blobs]` in config.toml).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlobLimits {
    /// Largest blob accepted.
    pub max_blob_bytes: u64,
    /// Largest data chunk in one upload message, and the chunk size of downloads.
    pub max_chunk_bytes: usize,
    /// Uploads in progress at once; more are refused (ResourceExhausted).
    pub max_concurrent_uploads: usize,
    /// A stream with no message (upload) or no reader progress (download) for this long is
    /// dropped.
    pub idle_timeout: Duration,
    /// Most bytes the store holds: complete blobs plus the declared sizes of uploads in
    /// progress. An upload that would go over is refused ([`BlobError::StoreFull`]).
    pub max_total_bytes: u64,
    /// Free space the disk under the store keeps whatever the quota says: an upload that
    /// would leave less is refused ([`BlobError::DiskFull`]), so blobs can never take the
    /// space RocksDB needs to commit blocks.
    pub min_free_bytes: u64,
}

impl Default for BlobLimits {
    fn default() -> Self {
        BlobLimits {
            max_blob_bytes: 1 << 30,
            max_chunk_bytes: 1 << 20,
            max_concurrent_uploads: 8,
            idle_timeout: Duration::from_secs(30),
            max_total_bytes: 64 << 30,
            min_free_bytes: 1 << 30,
        }
    }
}

/// Errors of the blob store. [`crate::grpc`] maps each to a status code.
#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    /// The declared size is above the node's limit.
    #[error("blob of {size} bytes exceeds this node's limit of {limit} bytes")]
    TooLarge {
        /// Declared size.
        size: u64,
        /// `max_blob_bytes`.
        limit: u64,
    },
    /// The upload does not fit in the store's quota.
    #[error(
        "blob store full: {size} more bytes would exceed this node's quota of {limit} bytes \
         ({used} bytes stored or reserved by uploads in progress); retry after unneeded blobs \
         are garbage-collected, or use another node"
    )]
    StoreFull {
        /// Declared size.
        size: u64,
        /// Bytes stored plus bytes reserved by uploads in progress.
        used: u64,
        /// `max_total_bytes`.
        limit: u64,
    },
    /// The disk under the store would keep less than `min_free_bytes` free.
    #[error(
        "disk nearly full: {size} more bytes would leave less than this node's reserve of \
         {min_free} bytes free ({free} bytes free, {reserved} reserved by uploads in progress)"
    )]
    DiskFull {
        /// Declared size.
        size: u64,
        /// Bytes free on the disk now.
        free: u64,
        /// Bytes reserved by uploads in progress (not all written yet).
        reserved: u64,
        /// `min_free_bytes`.
        min_free: u64,
    },
    /// Too many uploads in progress.
    #[error("too many uploads in progress (limit {limit}); retry later")]
    Busy {
        /// `max_concurrent_uploads`.
        limit: usize,
    },
    /// A hash or root that is not 32 bytes.
    #[error("{what} must be 32 bytes, got {got}")]
    BadDigest {
        /// Which field.
        what: &'static str,
        /// Its length.
        got: usize,
    },
    /// A data chunk above the chunk limit.
    #[error("chunk of {got} bytes exceeds the limit of {limit} bytes")]
    ChunkTooLarge {
        /// Chunk length.
        got: usize,
        /// `max_chunk_bytes`.
        limit: usize,
    },
    /// More bytes than declared.
    #[error("upload exceeds its declared size of {declared} bytes")]
    Oversize {
        /// Declared size.
        declared: u64,
    },
    /// The stream ended before the declared size.
    #[error("upload ended after {got} of {declared} declared bytes")]
    Truncated {
        /// Bytes received.
        got: u64,
        /// Declared size.
        declared: u64,
    },
    /// The content does not hash to the declared hash.
    #[error("content hashes to {actual}, not the declared {declared}")]
    HashMismatch {
        /// Declared hash (hex).
        declared: String,
        /// Hash of the bytes received (hex).
        actual: String,
    },
    /// A row length the store does not accept for this size.
    #[error("row length {row_len} does not fit a blob of {size} bytes (must divide it, ≤ {max})")]
    BadRowLen {
        /// Declared row length.
        row_len: u32,
        /// Declared size.
        size: u64,
        /// [`MAX_ROW_LEN`].
        max: u32,
    },
    /// The rows do not hash to the expected row Merkle root.
    #[error("rows hash to root {actual}, not the expected {expected}")]
    RowRootMismatch {
        /// Expected root (hex).
        expected: String,
        /// Root of the rows received (hex).
        actual: String,
    },
    /// No such blob.
    #[error("unknown blob {0}")]
    NotFound(String),
    /// A download offset past the end.
    #[error("offset {offset} is past the end of the blob ({size} bytes)")]
    OffsetPastEnd {
        /// Requested offset.
        offset: u64,
        /// Blob size.
        size: u64,
    },
    /// The stored bytes do not hash to the blob's name: damaged on disk.
    #[error(
        "blob {hash} is damaged on disk (its bytes hash to {actual}); it was quarantined to \
         {quarantined} and is not served: upload it again"
    )]
    Corrupt {
        /// The blob's hash (hex).
        hash: String,
        /// What its bytes hash to (hex).
        actual: String,
        /// Where the damaged file now is.
        quarantined: String,
    },
    /// A disk failure.
    #[error("blob store i/o: {0}")]
    Io(#[from] std::io::Error),
}

/// What an upload must turn out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expect {
    /// Declared size.
    pub size: u64,
    /// Declared BLAKE3 hash.
    pub hash: Hash,
    /// Row length for the row Merkle root; 0 for none.
    pub row_len: u32,
    /// The row root the rows must have (a job's `a_root`, a model's `b_root`, a job's
    /// committed `c_root`).
    pub row_root: Option<Hash>,
    /// How a row is hashed into its Merkle leaf.
    pub leaf: RowLeaf,
}

/// The Merkle leaf format of a blob's rows (`kernels::merkle`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum RowLeaf {
    /// int8 rows (`A`, `B`): `merkle::leaf_hash_i8_bytes`.
    #[default]
    I8,
    /// Rows of little-endian `i32` (`C`): `merkle::leaf_hash_i32_le`.
    I32Le,
}

fn push_row(rows: &mut RowRootBuilder, leaf: RowLeaf, row: &[u8]) {
    match leaf {
        RowLeaf::I8 => rows.push_row(row),
        RowLeaf::I32Le => rows.push_leaf(proofwork_kernels::merkle::leaf_hash_i32_le(row)),
    }
}

/// A stored blob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobMeta {
    /// BLAKE3 of the content.
    pub hash: Hash,
    /// Size in bytes.
    pub size: u64,
    /// Row length it was indexed with (0: none).
    pub row_len: u32,
    /// Its committed row Merkle root, when uploaded with a row length.
    pub row_root: Option<Hash>,
}

/// Parses a 32-byte digest from the wire.
///
/// # Errors
/// [`BlobError::BadDigest`] for any other length.
pub fn digest(what: &'static str, bytes: &[u8]) -> Result<Hash, BlobError> {
    bytes.try_into().map_err(|_| BlobError::BadDigest {
        what,
        got: bytes.len(),
    })
}

/// Bytes available to this (unprivileged) process on the filesystem holding `dir`.
fn free_bytes(dir: &Path) -> Result<u64, BlobError> {
    let st = rustix::fs::statvfs(dir).map_err(std::io::Error::from)?;
    Ok(st.f_bavail.saturating_mul(st.f_frsize))
}

/// The store. Cheap to clone (shared state behind an `Arc`).
#[derive(Debug, Clone)]
pub struct BlobStore {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    dir: PathBuf,
    limits: BlobLimits,
    uploads: Arc<Semaphore>,
    next_tmp: AtomicU64,
    /// What is stored, reserved and pinned. Held for in-memory updates and quick file
    /// operations only (a deletion's unlinks and its fsync of `roots/`; never an upload's data).
    state: Mutex<State>,
    /// Whether this store's totals are the process's Prometheus gauges.
    metrics: AtomicBool,
}

/// The in-memory index: rebuilt from the directory when the store opens, then kept in step
/// with it.
#[derive(Debug, Default)]
struct State {
    blobs: BTreeMap<Hash, Stored>,
    /// Row root → (blob, row length): the `roots/` entries.
    roots: BTreeMap<Hash, (Hash, u32)>,
    /// Sum of the sizes in `blobs`.
    stored_bytes: u64,
    /// Declared sizes of the uploads in progress (see [`Hold`]).
    reserved_bytes: u64,
    /// Downloads open on, and uploads in progress of, each hash.
    pins: BTreeMap<Hash, usize>,
    /// The next [`Stored::generation`].
    next_generation: u64,
}

#[derive(Debug, Clone)]
struct Stored {
    size: u64,
    /// Row roots whose `roots/` entry names this blob.
    roots: BTreeSet<Hash>,
    /// Changed each time the blob is stored again or indexed under a root.
    generation: u64,
    /// The file as it was when its content last hashed to its name (see `verify.rs`).
    verified: Option<verify::FileStamp>,
}

impl State {
    fn bump(&mut self) -> u64 {
        let g = self.next_generation;
        self.next_generation += 1;
        g
    }

    /// Records a complete blob (again: its generation changes).
    fn insert_blob(&mut self, hash: Hash, size: u64) {
        let generation = self.bump();
        match self.blobs.get_mut(&hash) {
            Some(b) => {
                // Same hash, same content: the size cannot differ, but keep the sum right.
                self.stored_bytes = self
                    .stored_bytes
                    .saturating_sub(b.size)
                    .saturating_add(size);
                b.size = size;
                b.generation = generation;
                b.verified = None;
            }
            None => {
                self.stored_bytes = self.stored_bytes.saturating_add(size);
                self.blobs.insert(
                    hash,
                    Stored {
                        size,
                        roots: BTreeSet::new(),
                        generation,
                        verified: None,
                    },
                );
            }
        }
    }

    /// Records the `roots/` entry `root → hash`.
    fn index(&mut self, root: Hash, hash: Hash, row_len: u32) {
        let generation = self.bump();
        if let Some((old, _)) = self.roots.insert(root, (hash, row_len)) {
            if old != hash {
                if let Some(b) = self.blobs.get_mut(&old) {
                    b.roots.remove(&root);
                }
            }
        }
        if let Some(b) = self.blobs.get_mut(&hash) {
            b.roots.insert(root);
            b.generation = generation;
        }
    }

    fn pin(&mut self, hash: Hash) {
        *self.pins.entry(hash).or_default() += 1;
    }

    fn unpin(&mut self, hash: &Hash) {
        if let Some(n) = self.pins.get_mut(hash) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                self.pins.remove(hash);
            }
        }
    }

    fn usage(&self) -> Usage {
        Usage {
            blobs: self.blobs.len() as u64,
            stored_bytes: self.stored_bytes,
            reserved_bytes: self.reserved_bytes,
        }
    }
}

/// The store's totals.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    /// Complete blobs stored.
    pub blobs: u64,
    /// Their total size in bytes.
    pub stored_bytes: u64,
    /// Bytes reserved by uploads in progress (their declared sizes).
    pub reserved_bytes: u64,
}

/// A stored blob as [`BlobStore::entries`] lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// BLAKE3 of the content.
    pub hash: Hash,
    /// Size in bytes.
    pub size: u64,
    /// The row roots indexing it (`roots/` entries).
    pub roots: Vec<Hash>,
    /// Changes whenever the blob is stored again or indexed under another root; compare with
    /// [`BlobStore::generation`].
    pub generation: u64,
}

/// What [`BlobStore::remove`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Removed {
    /// Deleted, with its `roots/` entries; this many bytes freed.
    Deleted(u64),
    /// Open for a download or being uploaded: kept.
    InUse,
    /// Stored again or re-indexed since the caller listed it: kept.
    Changed,
    /// Not stored.
    Missing,
}

/// A pin on a hash (no deletion while it lives) and the quota an upload reserved.
#[derive(Debug)]
struct Hold {
    store: BlobStore,
    hash: Hash,
    /// Bytes of `reserved_bytes` this hold gives back when dropped.
    reserved: u64,
}

impl Drop for Hold {
    fn drop(&mut self) {
        let mut st = self.store.state();
        st.reserved_bytes = st.reserved_bytes.saturating_sub(self.reserved);
        st.unpin(&self.hash);
        self.store.publish(&st);
    }
}

/// A stored blob open for reading. The store does not delete the blob while this is alive.
#[derive(Debug)]
pub struct BlobReader {
    file: File,
    _hold: Hold,
}

impl Read for BlobReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.file.read(buf)
    }
}

/// A name as this store writes it (64 lowercase hex digits) as a hash.
fn parse_hash(name: &str) -> Option<Hash> {
    let lower_hex = |b: u8| b.is_ascii_digit() || (b'a'..=b'f').contains(&b);
    if name.len() != 64 || !name.bytes().all(lower_hex) {
        return None;
    }
    hex::decode(name).ok()?.as_slice().try_into().ok()
}

/// A `roots/` entry: `"<hex hash> <row_len>"`.
fn parse_root_entry(text: &str) -> Option<(Hash, u32)> {
    let mut parts = text.split_whitespace();
    let hash = parse_hash(parts.next()?)?;
    let row_len = parts.next()?.parse::<u32>().ok()?;
    Some((hash, row_len))
}

fn remove_if_exists(path: &Path) -> std::io::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

impl BlobStore {
    /// Opens (creating) the store at `dir`, deletes leftovers of interrupted uploads and
    /// `roots/` entries whose blob is gone, and counts what is stored.
    ///
    /// # Errors
    /// The directories cannot be created or read.
    pub fn open(dir: impl Into<PathBuf>, limits: BlobLimits) -> Result<Self, BlobError> {
        let dir = dir.into();
        let roots_dir = dir.join("roots");
        std::fs::create_dir_all(&roots_dir)?;
        let tmp = dir.join("tmp");
        if tmp.exists() {
            std::fs::remove_dir_all(&tmp)?;
        }
        std::fs::create_dir_all(&tmp)?;
        let mut st = State::default();
        for entry in std::fs::read_dir(&dir)? {
            let entry = entry?;
            let Some(hash) = entry.file_name().to_str().and_then(parse_hash) else {
                continue;
            };
            let meta = entry.metadata()?;
            if meta.is_file() {
                st.insert_blob(hash, meta.len());
            }
        }
        let mut dangling = 0usize;
        for entry in std::fs::read_dir(&roots_dir)? {
            let entry = entry?;
            let Some(root) = entry.file_name().to_str().and_then(parse_hash) else {
                continue;
            };
            let text = std::fs::read_to_string(entry.path())?;
            // A damaged entry (not written by this store) is ignored, as if absent.
            let Some((hash, row_len)) = parse_root_entry(&text) else {
                continue;
            };
            if st.blobs.contains_key(&hash) {
                st.index(root, hash, row_len);
            } else {
                remove_if_exists(&entry.path())?;
                dangling += 1;
            }
        }
        if dangling > 0 {
            sync_dir(&roots_dir)?;
            tracing::info!(
                dangling,
                "blob store: removed row-root entries of missing blobs"
            );
        }
        let usage = st.usage();
        tracing::debug!(
            blobs = usage.blobs,
            bytes = usage.stored_bytes,
            dir = %dir.display(),
            "blob store opened"
        );
        Ok(BlobStore {
            inner: Arc::new(Inner {
                dir,
                limits,
                uploads: Arc::new(Semaphore::new(limits.max_concurrent_uploads.max(1))),
                next_tmp: AtomicU64::new(0),
                state: Mutex::new(st),
                metrics: AtomicBool::new(false),
            }),
        })
    }

    /// The limits.
    pub fn limits(&self) -> BlobLimits {
        self.inner.limits
    }

    /// The totals: blobs stored, their bytes, and bytes reserved by uploads in progress.
    pub fn usage(&self) -> Usage {
        self.state().usage()
    }

    /// Makes this store's totals the process's `proofwork_blob_store_*` Prometheus gauges
    /// (one store per node process does this; tests with several stores leave it off).
    pub fn export_metrics(&self) {
        self.inner.metrics.store(true, Ordering::Relaxed);
        self.publish(&self.state());
    }

    fn exports_metrics(&self) -> bool {
        self.inner.metrics.load(Ordering::Relaxed)
    }

    fn publish(&self, st: &State) {
        if !self.exports_metrics() {
            return;
        }
        let m = crate::metrics::metrics();
        let gauge = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
        m.blob_store_blobs.set(gauge(st.blobs.len() as u64));
        m.blob_store_bytes.set(gauge(st.stored_bytes));
        m.blob_store_reserved_bytes.set(gauge(st.reserved_bytes));
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // The state is consistent after every statement that changes it: a panic elsewhere
        // while holding the lock leaves nothing half-done.
        self.inner
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn path(&self, hash: &Hash) -> PathBuf {
        self.inner.dir.join(hex::encode(hash))
    }

    fn root_path(&self, root: &Hash) -> PathBuf {
        self.inner.dir.join("roots").join(hex::encode(root))
    }

    /// Starts an upload: checks the declaration, takes an upload slot, reserves the declared
    /// size in the quota and creates the temporary file. Dropping the [`Upload`] before
    /// [`Upload::finish`] deletes it and gives the reservation back.
    ///
    /// # Errors
    /// [`BlobError::TooLarge`], [`BlobError::BadRowLen`], [`BlobError::Busy`],
    /// [`BlobError::StoreFull`], or i/o. Nothing is left behind.
    pub fn begin(&self, expect: Expect) -> Result<Upload, BlobError> {
        let limits = self.inner.limits;
        if expect.size > limits.max_blob_bytes {
            return Err(BlobError::TooLarge {
                size: expect.size,
                limit: limits.max_blob_bytes,
            });
        }
        let bad_rows = expect.row_len > MAX_ROW_LEN
            || (expect.row_len > 0 && !expect.size.is_multiple_of(u64::from(expect.row_len)))
            || (expect.row_len == 0 && expect.row_root.is_some());
        if bad_rows {
            return Err(BlobError::BadRowLen {
                row_len: expect.row_len,
                size: expect.size,
                max: MAX_ROW_LEN,
            });
        }
        let permit = self
            .inner
            .uploads
            .clone()
            .try_acquire_owned()
            .map_err(|_| BlobError::Busy {
                limit: limits.max_concurrent_uploads,
            })?;
        let hold = self.reserve(&expect)?;
        let n = self.inner.next_tmp.fetch_add(1, Ordering::Relaxed);
        let tmp = self.inner.dir.join("tmp").join(format!("{n}.part"));
        let file = File::create(&tmp)?;
        Ok(Upload {
            store: self.clone(),
            tmp: Some(tmp),
            file,
            hasher: blake3::Hasher::new(),
            rows: (expect.row_len > 0).then(RowRootBuilder::new),
            partial: Vec::new(),
            written: 0,
            expect,
            hold,
            _permit: permit,
        })
    }

    /// Reserves the declared size (nothing when the blob is already stored: the upload can
    /// only replace it with the same bytes) and pins the hash.
    fn reserve(&self, expect: &Expect) -> Result<Hold, BlobError> {
        let limit = self.inner.limits.max_total_bytes;
        let min_free = self.inner.limits.min_free_bytes;
        // Asked before taking the lock (a filesystem call); the reservations counted under
        // the lock cover uploads that start meanwhile.
        let free = if min_free > 0 {
            Some(free_bytes(&self.inner.dir)?)
        } else {
            None
        };
        let mut st = self.state();
        let bytes = if st.blobs.contains_key(&expect.hash) {
            0
        } else {
            expect.size
        };
        let used = st.stored_bytes.saturating_add(st.reserved_bytes);
        if used.saturating_add(bytes) > limit {
            return Err(BlobError::StoreFull {
                size: expect.size,
                used,
                limit,
            });
        }
        if let Some(free) = free.filter(|_| bytes > 0) {
            // Uploads in progress may have written only part of their reservations: count
            // them as if they had written nothing (conservative: refuses a little early).
            let need = bytes
                .saturating_add(st.reserved_bytes)
                .saturating_add(min_free);
            if free < need {
                return Err(BlobError::DiskFull {
                    size: expect.size,
                    free,
                    reserved: st.reserved_bytes,
                    min_free,
                });
            }
        }
        st.reserved_bytes = st.reserved_bytes.saturating_add(bytes);
        st.pin(expect.hash);
        self.publish(&st);
        Ok(Hold {
            store: self.clone(),
            hash: expect.hash,
            reserved: bytes,
        })
    }

    /// A stored blob's size (row fields are filled only by [`BlobStore::find_root`]).
    ///
    /// # Errors
    /// [`BlobError::NotFound`].
    pub fn stat(&self, hash: &Hash) -> Result<BlobMeta, BlobError> {
        if !self.state().blobs.contains_key(hash) {
            return Err(BlobError::NotFound(hex::encode(hash)));
        }
        // Never report a hash the bytes do not have (cheap once verified: see `verify`).
        self.open_verified(hash)?;
        match self.state().blobs.get(hash) {
            Some(b) => Ok(BlobMeta {
                hash: *hash,
                size: b.size,
                row_len: 0,
                row_root: None,
            }),
            None => Err(BlobError::NotFound(hex::encode(hash))),
        }
    }

    /// The blob last uploaded under row Merkle root `root`.
    ///
    /// # Errors
    /// [`BlobError::NotFound`] when no stored blob has that root.
    pub fn find_root(&self, root: &Hash) -> Result<BlobMeta, BlobError> {
        let found = {
            let st = self.state();
            st.roots
                .get(root)
                .and_then(|&(hash, row_len)| Some((hash, row_len, st.blobs.get(&hash)?.size)))
        };
        if let Some((hash, _, _)) = found {
            self.open_verified(&hash)?;
        }
        match found {
            Some((hash, row_len, size)) => Ok(BlobMeta {
                hash,
                size,
                row_len,
                row_root: Some(*root),
            }),
            None => Err(BlobError::NotFound(format!(
                "row root {}",
                hex::encode(root)
            ))),
        }
    }

    /// Opens a stored blob for reading at `offset`, returning it and its size. The blob is
    /// not deleted while the reader lives.
    ///
    /// # Errors
    /// [`BlobError::NotFound`] (also for a blob whose file has gone from the disk),
    /// [`BlobError::OffsetPastEnd`], or i/o.
    pub fn open_at(&self, hash: &Hash, offset: u64) -> Result<(BlobReader, u64), BlobError> {
        let not_found = || BlobError::NotFound(hex::encode(hash));
        let hold = {
            let mut st = self.state();
            if !st.blobs.contains_key(hash) {
                return Err(not_found());
            }
            st.pin(*hash);
            Hold {
                store: self.clone(),
                hash: *hash,
                reserved: 0,
            }
        };
        // Verified before a byte is served: a damaged blob is quarantined, not sent.
        let mut f = self.open_verified(hash)?;
        let size = f.metadata()?.len();
        if offset > size {
            return Err(BlobError::OffsetPastEnd { offset, size });
        }
        f.seek(SeekFrom::Start(offset))?;
        Ok((
            BlobReader {
                file: f,
                _hold: hold,
            },
            size,
        ))
    }

    /// Every stored blob, in hash order.
    pub fn entries(&self) -> Vec<Entry> {
        self.state()
            .blobs
            .iter()
            .map(|(hash, b)| Entry {
                hash: *hash,
                size: b.size,
                roots: b.roots.iter().copied().collect(),
                generation: b.generation,
            })
            .collect()
    }

    /// The generation the next store or index change gets: every [`Entry::generation`]
    /// listed before now is below it.
    pub fn generation(&self) -> u64 {
        self.state().next_generation
    }

    /// Deletes a blob and its `roots/` entries unless it is open for a download or being
    /// uploaded.
    ///
    /// # Errors
    /// i/o (what was deleted before the failure stays deleted, and the index says so).
    pub fn remove(&self, hash: &Hash) -> Result<Removed, BlobError> {
        self.remove_if(hash, None)
    }

    /// [`BlobStore::remove`], and only if the blob is still at `generation` when given.
    fn remove_if(&self, hash: &Hash, generation: Option<u64>) -> Result<Removed, BlobError> {
        let mut st = self.state();
        let Some(b) = st.blobs.get(hash) else {
            return Ok(Removed::Missing);
        };
        if generation.is_some_and(|g| g != b.generation) {
            return Ok(Removed::Changed);
        }
        if st.pins.contains_key(hash) {
            return Ok(Removed::InUse);
        }
        let (size, roots) = (b.size, b.roots.clone());
        // Index entries first, durably: a crash before the blob goes leaves an unindexed
        // blob (collected later), never an entry naming a missing blob.
        for root in &roots {
            remove_if_exists(&self.root_path(root))?;
            st.roots.remove(root);
            if let Some(b) = st.blobs.get_mut(hash) {
                b.roots.remove(root);
            }
        }
        if !roots.is_empty() {
            sync_dir(&self.inner.dir.join("roots"))?;
        }
        remove_if_exists(&self.path(hash))?;
        st.blobs.remove(hash);
        st.stored_bytes = st.stored_bytes.saturating_sub(size);
        self.publish(&st);
        Ok(Removed::Deleted(size))
    }
}

/// Reads up to `max` bytes (fewer only at the end of the file).
///
/// # Errors
/// i/o.
pub fn read_chunk(f: &mut impl Read, max: usize) -> std::io::Result<Vec<u8>> {
    let mut buf = Vec::with_capacity(max);
    f.by_ref().take(max as u64).read_to_end(&mut buf)?;
    Ok(buf)
}

/// An upload in progress: a temporary file, the running hashes, its quota reservation and
/// an upload slot.
#[derive(Debug)]
pub struct Upload {
    store: BlobStore,
    /// `None` once renamed into place.
    tmp: Option<PathBuf>,
    file: File,
    hasher: blake3::Hasher,
    rows: Option<RowRootBuilder>,
    /// The start of a row split across chunks (shorter than `row_len`).
    partial: Vec<u8>,
    written: u64,
    expect: Expect,
    /// Pins the declared hash and holds the reservation.
    hold: Hold,
    _permit: OwnedSemaphorePermit,
}

impl Upload {
    /// Appends the next chunk.
    ///
    /// # Errors
    /// [`BlobError::ChunkTooLarge`], [`BlobError::Oversize`] (nothing of the chunk is
    /// written), or i/o.
    pub fn write(&mut self, data: &[u8]) -> Result<(), BlobError> {
        let limit = self.store.inner.limits.max_chunk_bytes;
        if data.len() > limit {
            return Err(BlobError::ChunkTooLarge {
                got: data.len(),
                limit,
            });
        }
        let end = self.written.saturating_add(data.len() as u64);
        if end > self.expect.size {
            return Err(BlobError::Oversize {
                declared: self.expect.size,
            });
        }
        self.file.write_all(data)?;
        self.hasher.update(data);
        if let Some(rows) = &mut self.rows {
            let row_len = self.expect.row_len as usize;
            let mut rest = data;
            if !self.partial.is_empty() {
                let take = (row_len - self.partial.len()).min(rest.len());
                self.partial.extend_from_slice(&rest[..take]);
                rest = &rest[take..];
                if self.partial.len() == row_len {
                    push_row(rows, self.expect.leaf, &self.partial);
                    self.partial.clear();
                }
            }
            let mut it = rest.chunks_exact(row_len);
            for row in &mut it {
                push_row(rows, self.expect.leaf, row);
            }
            self.partial.extend_from_slice(it.remainder());
        }
        self.written = end;
        Ok(())
    }

    /// Bytes received so far.
    pub fn written(&self) -> u64 {
        self.written
    }

    /// Checks the size, hash and row root; then fsyncs and renames the blob into place (and
    /// indexes its row root).
    ///
    /// # Errors
    /// [`BlobError::Truncated`], [`BlobError::HashMismatch`], [`BlobError::RowRootMismatch`]
    /// (the temporary file is deleted), or i/o.
    pub fn finish(mut self) -> Result<BlobMeta, BlobError> {
        let e = self.expect.clone();
        if self.written != e.size {
            return Err(BlobError::Truncated {
                got: self.written,
                declared: e.size,
            });
        }
        let actual = *self.hasher.finalize().as_bytes();
        if actual != e.hash {
            return Err(BlobError::HashMismatch {
                declared: hex::encode(e.hash),
                actual: hex::encode(actual),
            });
        }
        // Rows are whole: `row_len` divides the size, checked in `begin`.
        let root = self.rows.as_ref().and_then(RowRootBuilder::root);
        if let Some(expected) = e.row_root {
            if root != Some(expected) {
                return Err(BlobError::RowRootMismatch {
                    expected: hex::encode(expected),
                    actual: root.map(hex::encode).unwrap_or_else(|| "(no rows)".into()),
                });
            }
        }
        self.file.sync_all()?;
        let Some(tmp) = self.tmp.take() else {
            return Err(std::io::Error::other("upload already finished").into());
        };
        let store = self.store.clone();
        let dir = &store.inner.dir;
        if let Err(err) = std::fs::rename(&tmp, store.path(&actual)) {
            let _ = std::fs::remove_file(&tmp);
            return Err(err.into());
        }
        {
            // Counted from here on; the reservation becomes the stored size. The hash stays
            // pinned (by `hold`) until this returns, so nothing deletes it meanwhile.
            let mut st = store.state();
            st.insert_blob(actual, self.written);
            // Hashed as it arrived and fsynced: verified as it now lies on disk.
            let stamp = verify::FileStamp::of(&self.file).ok();
            if let Some(b) = st.blobs.get_mut(&actual) {
                b.verified = stamp;
            }
            st.reserved_bytes = st.reserved_bytes.saturating_sub(self.hold.reserved);
            self.hold.reserved = 0;
            store.publish(&st);
        }
        // The blob is durable before its index entry is written.
        sync_dir(dir)?;
        if let Some(root) = root {
            let n = store.inner.next_tmp.fetch_add(1, Ordering::Relaxed);
            let tmp_idx = dir.join("tmp").join(format!("{n}.root"));
            write_synced(
                &tmp_idx,
                format!("{} {}\n", hex::encode(actual), e.row_len).as_bytes(),
            )?;
            std::fs::rename(&tmp_idx, store.root_path(&root))?;
            sync_dir(&dir.join("roots"))?;
            store.state().index(root, actual, e.row_len);
        }
        Ok(BlobMeta {
            hash: actual,
            size: self.written,
            row_len: e.row_len,
            row_root: root,
        })
    }
}

impl Drop for Upload {
    fn drop(&mut self) {
        if let Some(tmp) = self.tmp.take() {
            let _ = std::fs::remove_file(tmp);
        }
    }
}

fn write_synced(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut f = File::create(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

/// Makes renames in `dir` durable.
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(limits: BlobLimits) -> (tempfile::TempDir, BlobStore) {
        let dir = tempfile::tempdir().unwrap();
        let s = BlobStore::open(dir.path().join("blobs"), limits).unwrap();
        (dir, s)
    }

    fn expect(data: &[u8]) -> Expect {
        Expect {
            size: data.len() as u64,
            hash: *blake3::hash(data).as_bytes(),
            row_len: 0,
            row_root: None,
            leaf: RowLeaf::I8,
        }
    }

    fn visible(s: &BlobStore) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(&s.inner.dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n != "tmp" && n != "roots" && n != "quarantine")
            .collect();
        v.extend(
            std::fs::read_dir(s.inner.dir.join("tmp"))
                .unwrap()
                .map(|e| format!("tmp/{}", e.unwrap().file_name().to_string_lossy())),
        );
        v.sort();
        v
    }

    fn data(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i * 31 % 251) as u8).collect()
    }

    #[test]
    fn upload_in_chunks_round_trips() {
        let (_d, s) = store(BlobLimits::default());
        let d = data(3 << 20 | 17);
        let mut up = s.begin(expect(&d)).unwrap();
        for c in d.chunks(1 << 20) {
            up.write(c).unwrap();
        }
        let meta = up.finish().unwrap();
        assert_eq!(meta.hash, *blake3::hash(&d).as_bytes());
        assert_eq!(s.stat(&meta.hash).unwrap().size, d.len() as u64);
        assert_eq!(visible(&s), vec![hex::encode(meta.hash)]);
        let (mut f, size) = s.open_at(&meta.hash, 5).unwrap();
        assert_eq!(size, d.len() as u64);
        assert_eq!(read_chunk(&mut f, 10).unwrap(), d[5..15]);
        assert!(matches!(
            s.open_at(&meta.hash, size + 1),
            Err(BlobError::OffsetPastEnd { .. })
        ));
    }

    #[test]
    fn hash_mismatch_leaves_nothing() {
        let (_d, s) = store(BlobLimits::default());
        let d = data(1000);
        let mut e = expect(&d);
        e.hash[0] ^= 1;
        let mut up = s.begin(e).unwrap();
        up.write(&d).unwrap();
        assert!(matches!(up.finish(), Err(BlobError::HashMismatch { .. })));
        assert!(visible(&s).is_empty());
        assert!(matches!(
            s.stat(blake3::hash(&d).as_bytes()),
            Err(BlobError::NotFound(_))
        ));
    }

    #[test]
    fn partial_upload_leaves_nothing() {
        let (_d, s) = store(BlobLimits::default());
        let d = data(1000);
        let mut up = s.begin(expect(&d)).unwrap();
        up.write(&d[..500]).unwrap();
        assert_eq!(visible(&s).len(), 1, "the part file exists while uploading");
        drop(up);
        assert!(visible(&s).is_empty());
        let mut up = s.begin(expect(&d)).unwrap();
        up.write(&d[..999]).unwrap();
        assert!(matches!(
            up.finish(),
            Err(BlobError::Truncated {
                got: 999,
                declared: 1000
            })
        ));
        assert!(visible(&s).is_empty());
    }

    #[test]
    fn leftover_part_files_are_removed_on_open() {
        let dir = tempfile::tempdir().unwrap();
        let s = BlobStore::open(dir.path(), BlobLimits::default()).unwrap();
        let d = data(10);
        let mut up = s.begin(expect(&d)).unwrap();
        up.write(&d).unwrap();
        // A killed process never runs Drop.
        std::mem::forget(up);
        let s = BlobStore::open(dir.path(), BlobLimits::default()).unwrap();
        assert!(visible(&s).is_empty());
    }

    #[test]
    fn more_bytes_than_declared_are_refused() {
        let (_d, s) = store(BlobLimits::default());
        let d = data(100);
        let mut e = expect(&d);
        e.size = 99;
        let mut up = s.begin(e).unwrap();
        up.write(&d[..60]).unwrap();
        assert!(matches!(
            up.write(&d[60..]),
            Err(BlobError::Oversize { declared: 99 })
        ));
        drop(up);
        assert!(visible(&s).is_empty());
    }

    #[test]
    fn limits_are_enforced() {
        let limits = BlobLimits {
            max_blob_bytes: 1000,
            max_chunk_bytes: 100,
            max_concurrent_uploads: 1,
            ..BlobLimits::default()
        };
        let (_d, s) = store(limits);
        let big = data(1001);
        assert!(matches!(
            s.begin(expect(&big)),
            Err(BlobError::TooLarge {
                size: 1001,
                limit: 1000
            })
        ));
        let d = data(1000);
        let mut up = s.begin(expect(&d)).unwrap();
        assert!(matches!(
            s.begin(expect(&d)),
            Err(BlobError::Busy { limit: 1 })
        ));
        assert!(matches!(
            up.write(&d[..101]),
            Err(BlobError::ChunkTooLarge {
                got: 101,
                limit: 100
            })
        ));
        drop(up);
        // The slot is free again.
        let up = s.begin(expect(&d)).unwrap();
        drop(up);
        let mut e = expect(&d);
        e.row_len = 3;
        assert!(matches!(s.begin(e), Err(BlobError::BadRowLen { .. })));
    }

    #[test]
    fn row_root_is_checked_and_indexed_across_chunk_boundaries() {
        let (_d, s) = store(BlobLimits::default());
        let (m, k) = (1000usize, 37usize);
        let d = data(m * k);
        let a: Vec<i8> = d.iter().map(|&v| v as i8).collect();
        let root = proofwork_consensus::work::prover::i8_root(&a, m, k).unwrap();
        let mut wrong = expect(&d);
        wrong.row_len = k as u32;
        wrong.row_root = Some([7; 32]);
        let mut up = s.begin(wrong).unwrap();
        up.write(&d).unwrap();
        assert!(matches!(
            up.finish(),
            Err(BlobError::RowRootMismatch { .. })
        ));
        assert!(visible(&s).is_empty());
        let mut e = expect(&d);
        e.row_len = k as u32;
        e.row_root = Some(root);
        let mut up = s.begin(e).unwrap();
        // Chunks of 1000 bytes split rows of 37.
        for c in d.chunks(1000) {
            up.write(c).unwrap();
        }
        let meta = up.finish().unwrap();
        assert_eq!(meta.row_root, Some(root));
        let found = s.find_root(&root).unwrap();
        assert_eq!(found, meta);
        assert!(matches!(s.find_root(&[1; 32]), Err(BlobError::NotFound(_))));
    }

    fn put(s: &BlobStore, d: &[u8], row_len: u32) -> BlobMeta {
        let mut e = expect(d);
        e.row_len = row_len;
        let mut up = s.begin(e).unwrap();
        up.write(d).unwrap();
        up.finish().unwrap()
    }

    fn read_all(r: &mut BlobReader) -> Vec<u8> {
        let mut out = Vec::new();
        for _ in 0..10_000 {
            let c = read_chunk(r, 4096).unwrap();
            if c.is_empty() {
                return out;
            }
            out.extend_from_slice(&c);
        }
        panic!("read did not end");
    }

    /// Whatever the quota, an upload that would eat into the disk's reserve is refused up
    /// front (the reserve here is more than any disk has); a blob already stored still
    /// re-uploads (it takes no new space).
    #[test]
    fn disk_reserve_is_kept_whatever_the_quota() {
        let (_d, s) = store(BlobLimits {
            min_free_bytes: 0,
            ..BlobLimits::default()
        });
        let a = data(600);
        let meta = put(&s, &a, 0);
        let dir = s.inner.dir.clone();
        drop(s);
        let s = BlobStore::open(
            dir,
            BlobLimits {
                min_free_bytes: u64::MAX / 2,
                ..BlobLimits::default()
            },
        )
        .unwrap();
        let e = s.begin(expect(&data(10))).unwrap_err();
        assert!(
            matches!(e, BlobError::DiskFull { size: 10, min_free, .. } if min_free == u64::MAX / 2),
            "{e:?}"
        );
        assert!(e.to_string().starts_with("disk nearly full: "), "{e}");
        assert_eq!(s.usage().reserved_bytes, 0);
        assert_eq!(put(&s, &a, 0).hash, meta.hash);
    }

    #[test]
    fn store_full_is_refused_up_front_and_leaves_nothing() {
        let limits = BlobLimits {
            max_total_bytes: 1000,
            ..BlobLimits::default()
        };
        let (_d, s) = store(limits);
        let a = data(600);
        let meta = put(&s, &a, 0);
        assert_eq!(
            s.usage(),
            Usage {
                blobs: 1,
                stored_bytes: 600,
                reserved_bytes: 0
            }
        );
        // 600 + 401 > 1000: refused at `begin`, before a tmp file exists.
        let b = data(401);
        let e = s.begin(expect(&b)).unwrap_err();
        assert!(
            matches!(
                e,
                BlobError::StoreFull {
                    size: 401,
                    used: 600,
                    limit: 1000
                }
            ),
            "{e:?}"
        );
        assert!(e.to_string().starts_with("blob store full: "), "{e}");
        assert_eq!(visible(&s), vec![hex::encode(meta.hash)]);
        assert_eq!(s.usage().reserved_bytes, 0);
        // An upload in progress holds its declared size: the next one does not fit.
        let c = data(400);
        let mut up = s.begin(expect(&c)).unwrap();
        assert_eq!(s.usage().reserved_bytes, 400);
        assert!(matches!(
            s.begin(expect(&data(1))),
            Err(BlobError::StoreFull { used: 1000, .. })
        ));
        // Re-uploading a stored blob reserves nothing, so it fits in a full store.
        let again = put(&s, &a, 0);
        assert_eq!(again.hash, meta.hash);
        up.write(&c[..100]).unwrap();
        drop(up);
        // A dropped upload gives its reservation back and leaves no file.
        assert_eq!(
            s.usage(),
            Usage {
                blobs: 1,
                stored_bytes: 600,
                reserved_bytes: 0
            }
        );
        assert_eq!(visible(&s), vec![hex::encode(meta.hash)]);
        // A finished one turns its reservation into stored bytes; the store is exactly full.
        let m2 = put(&s, &c, 0);
        assert_eq!(
            s.usage(),
            Usage {
                blobs: 2,
                stored_bytes: 1000,
                reserved_bytes: 0
            }
        );
        // A refused upload of a failed hash also gives everything back.
        let mut bad = expect(&data(0));
        bad.hash[0] ^= 1;
        let up = s.begin(bad).unwrap();
        assert!(matches!(up.finish(), Err(BlobError::HashMismatch { .. })));
        assert_eq!(s.usage().reserved_bytes, 0);
        assert_eq!(s.remove(&m2.hash).unwrap(), Removed::Deleted(400));
        assert_eq!(s.usage().stored_bytes, 600);
        s.begin(expect(&data(400))).unwrap();
    }

    #[test]
    fn totals_stay_right_across_put_remove_and_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("blobs");
        let s = BlobStore::open(&path, BlobLimits::default()).unwrap();
        let (a, b, c) = (data(1000), data(37 * 10), data(5));
        let ma = put(&s, &a, 0);
        let mb = put(&s, &b, 37);
        let mc = put(&s, &c, 0);
        let root = mb.row_root.unwrap();
        // Storing the same bytes again changes nothing.
        put(&s, &b, 37);
        assert_eq!(
            s.usage(),
            Usage {
                blobs: 3,
                stored_bytes: 1375,
                reserved_bytes: 0
            }
        );
        assert_eq!(s.find_root(&root).unwrap(), mb);
        assert_eq!(s.remove(&mc.hash).unwrap(), Removed::Deleted(5));
        assert_eq!(s.remove(&mc.hash).unwrap(), Removed::Missing);
        assert_eq!(s.usage().stored_bytes, 1370);
        drop(s);

        let s = BlobStore::open(&path, BlobLimits::default()).unwrap();
        assert_eq!(
            s.usage(),
            Usage {
                blobs: 2,
                stored_bytes: 1370,
                reserved_bytes: 0
            }
        );
        assert_eq!(s.find_root(&root).unwrap(), mb);
        assert!(matches!(s.stat(&mc.hash), Err(BlobError::NotFound(_))));
        // Deleting a blob removes its row-root entry, on disk too.
        assert_eq!(s.remove(&mb.hash).unwrap(), Removed::Deleted(370));
        assert!(matches!(s.find_root(&root), Err(BlobError::NotFound(_))));
        assert!(!path.join("roots").join(hex::encode(root)).exists());
        assert_eq!(visible(&s), vec![hex::encode(ma.hash)]);
        // An entry naming a blob that is gone (not written by this store) is dropped on open.
        let ghost = [5u8; 32];
        std::fs::write(
            path.join("roots").join(hex::encode(ghost)),
            format!("{} 10\n", hex::encode([6u8; 32])),
        )
        .unwrap();
        drop(s);
        let s = BlobStore::open(&path, BlobLimits::default()).unwrap();
        assert!(!path.join("roots").join(hex::encode(ghost)).exists());
        assert!(matches!(s.find_root(&ghost), Err(BlobError::NotFound(_))));
        assert_eq!(
            s.usage(),
            Usage {
                blobs: 1,
                stored_bytes: 1000,
                reserved_bytes: 0
            }
        );
    }

    #[test]
    fn a_download_in_progress_survives_removal() {
        let (_d, s) = store(BlobLimits::default());
        let d = data(100_000);
        let meta = put(&s, &d, 0);
        let (mut r, size) = s.open_at(&meta.hash, 0).unwrap();
        assert_eq!(size, d.len() as u64);
        // Pinned while the reader lives.
        assert_eq!(s.remove(&meta.hash).unwrap(), Removed::InUse);
        let head = read_chunk(&mut r, 1000).unwrap();
        // Even a file unlinked behind the store's back stays readable through an open reader.
        std::fs::remove_file(s.path(&meta.hash)).unwrap();
        let mut got = head;
        got.extend(read_all(&mut r));
        assert!(got == d, "the download completed with the right bytes");
        // A new reader of the missing file gets NotFound, not an i/o error.
        assert!(matches!(
            s.open_at(&meta.hash, 0),
            Err(BlobError::NotFound(_))
        ));
        drop(r);
        assert_eq!(s.remove(&meta.hash).unwrap(), Removed::Deleted(100_000));
        assert_eq!(s.usage(), Usage::default());
    }

    #[test]
    fn concurrent_download_completes_while_removal_is_retried() {
        let (_d, s) = store(BlobLimits::default());
        let d = Arc::new(data(1 << 20));
        let meta = put(&s, &d, 0);
        let (mut r, _) = s.open_at(&meta.hash, 0).unwrap();
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let want = d.clone();
        let reader = std::thread::spawn(move || {
            let mut got = Vec::new();
            for i in 0..10_000 {
                let c = read_chunk(&mut r, 4096).unwrap();
                if c.is_empty() {
                    break;
                }
                got.extend_from_slice(&c);
                if i == 8 {
                    tx.send(()).unwrap();
                }
                std::thread::sleep(Duration::from_micros(50));
            }
            got == *want
        });
        rx.recv_timeout(Duration::from_secs(30)).unwrap();
        let mut removed = None;
        for _ in 0..20_000 {
            match s.remove(&meta.hash).unwrap() {
                Removed::InUse => std::thread::sleep(Duration::from_micros(200)),
                other => {
                    removed = Some(other);
                    break;
                }
            }
        }
        // Removal only succeeds once the reader is done (and dropped).
        assert!(reader.join().unwrap(), "the download read every byte");
        assert_eq!(removed, Some(Removed::Deleted(1 << 20)));
        assert!(visible(&s).is_empty());
    }

    #[test]
    fn an_upload_pins_its_hash() {
        let (_d, s) = store(BlobLimits::default());
        let d = data(1000);
        let meta = put(&s, &d, 0);
        let mut up = s.begin(expect(&d)).unwrap();
        assert_eq!(s.remove(&meta.hash).unwrap(), Removed::InUse);
        up.write(&d).unwrap();
        up.finish().unwrap();
        assert_eq!(s.remove(&meta.hash).unwrap(), Removed::Deleted(1000));
    }
}
