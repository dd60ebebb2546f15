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

pub mod client;

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
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
}

impl Default for BlobLimits {
    fn default() -> Self {
        BlobLimits {
            max_blob_bytes: 1 << 30,
            max_chunk_bytes: 1 << 20,
            max_concurrent_uploads: 8,
            idle_timeout: Duration::from_secs(30),
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
    /// The row root the rows must have (a job's `a_root`, a model's `b_root`).
    pub row_root: Option<Hash>,
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
}

impl BlobStore {
    /// Opens (creating) the store at `dir` and deletes leftovers of interrupted uploads.
    ///
    /// # Errors
    /// The directories cannot be created or read.
    pub fn open(dir: impl Into<PathBuf>, limits: BlobLimits) -> Result<Self, BlobError> {
        let dir = dir.into();
        std::fs::create_dir_all(dir.join("roots"))?;
        let tmp = dir.join("tmp");
        if tmp.exists() {
            std::fs::remove_dir_all(&tmp)?;
        }
        std::fs::create_dir_all(&tmp)?;
        Ok(BlobStore {
            inner: Arc::new(Inner {
                dir,
                limits,
                uploads: Arc::new(Semaphore::new(limits.max_concurrent_uploads.max(1))),
                next_tmp: AtomicU64::new(0),
            }),
        })
    }

    /// The limits.
    pub fn limits(&self) -> BlobLimits {
        self.inner.limits
    }

    fn path(&self, hash: &Hash) -> PathBuf {
        self.inner.dir.join(hex::encode(hash))
    }

    fn root_path(&self, root: &Hash) -> PathBuf {
        self.inner.dir.join("roots").join(hex::encode(root))
    }

    /// Starts an upload: checks the declaration, takes an upload slot and creates the
    /// temporary file. Dropping the [`Upload`] before [`Upload::finish`] deletes it.
    ///
    /// # Errors
    /// [`BlobError::TooLarge`], [`BlobError::BadRowLen`], [`BlobError::Busy`], or i/o.
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
            _permit: permit,
        })
    }

    /// A stored blob's size (row fields are filled only by [`BlobStore::find_root`]).
    ///
    /// # Errors
    /// [`BlobError::NotFound`], or i/o.
    pub fn stat(&self, hash: &Hash) -> Result<BlobMeta, BlobError> {
        match std::fs::metadata(self.path(hash)) {
            Ok(m) => Ok(BlobMeta {
                hash: *hash,
                size: m.len(),
                row_len: 0,
                row_root: None,
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Err(BlobError::NotFound(hex::encode(hash)))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// The blob last uploaded under row Merkle root `root`.
    ///
    /// # Errors
    /// [`BlobError::NotFound`] when no stored blob has that root, or i/o.
    pub fn find_root(&self, root: &Hash) -> Result<BlobMeta, BlobError> {
        let not_found = || BlobError::NotFound(format!("row root {}", hex::encode(root)));
        let text = match std::fs::read_to_string(self.root_path(root)) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(not_found()),
            Err(e) => return Err(e.into()),
        };
        let mut parts = text.split_whitespace();
        let hash = parts
            .next()
            .and_then(|h| hex::decode(h).ok())
            .and_then(|h| <Hash>::try_from(h.as_slice()).ok());
        let row_len = parts.next().and_then(|r| r.parse::<u32>().ok());
        let (Some(hash), Some(row_len)) = (hash, row_len) else {
            // A damaged index entry (not written by this store): treat it as absent.
            return Err(not_found());
        };
        let meta = self.stat(&hash).map_err(|e| match e {
            BlobError::NotFound(_) => not_found(),
            e => e,
        })?;
        Ok(BlobMeta {
            row_len,
            row_root: Some(*root),
            ..meta
        })
    }

    /// Opens a stored blob for reading at `offset`, returning it and its size.
    ///
    /// # Errors
    /// [`BlobError::NotFound`], [`BlobError::OffsetPastEnd`], or i/o.
    pub fn open_at(&self, hash: &Hash, offset: u64) -> Result<(File, u64), BlobError> {
        let mut f = match File::open(self.path(hash)) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(BlobError::NotFound(hex::encode(hash)))
            }
            Err(e) => return Err(e.into()),
        };
        let size = f.metadata()?.len();
        if offset > size {
            return Err(BlobError::OffsetPastEnd { offset, size });
        }
        f.seek(SeekFrom::Start(offset))?;
        Ok((f, size))
    }
}

/// Reads up to `max` bytes (fewer only at the end of the file).
///
/// # Errors
/// i/o.
pub fn read_chunk(f: &mut File, max: usize) -> std::io::Result<Vec<u8>> {
    let mut buf = Vec::with_capacity(max);
    f.take(max as u64).read_to_end(&mut buf)?;
    Ok(buf)
}

/// An upload in progress: a temporary file, the running hashes and an upload slot.
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
                    rows.push_row(&self.partial);
                    self.partial.clear();
                }
            }
            let mut it = rest.chunks_exact(row_len);
            for row in &mut it {
                rows.push_row(row);
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
        let e = &self.expect;
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
        let tmp = self.tmp.take().expect("finish runs once, before drop");
        let dir = &self.store.inner.dir;
        let dest = self.store.path(&actual);
        if let Err(err) = std::fs::rename(&tmp, &dest) {
            let _ = std::fs::remove_file(&tmp);
            return Err(err.into());
        }
        if let Some(root) = root {
            let n = self.store.inner.next_tmp.fetch_add(1, Ordering::Relaxed);
            let tmp_idx = dir.join("tmp").join(format!("{n}.root"));
            write_synced(
                &tmp_idx,
                format!("{} {}\n", hex::encode(actual), e.row_len).as_bytes(),
            )?;
            std::fs::rename(&tmp_idx, self.store.root_path(&root))?;
            sync_dir(&dir.join("roots"))?;
        }
        sync_dir(dir)?;
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
        }
    }

    fn visible(s: &BlobStore) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(&s.inner.dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n != "tmp" && n != "roots")
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
}
