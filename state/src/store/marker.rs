//! The committed-height marker: `COMMITTED_HEIGHT` beside the RocksDB files, written and
//! fsynced after every commit and before the commit is reported to anyone.
//!
//! RocksDB recovers a damaged write-ahead log by dropping records (a cut or garbled tail,
//! a deleted `.log` file), and the store it opens then looks consistent, only older: a
//! node that starts from it re-decides blocks it already reported committed. The marker
//! lives outside the WAL, so it survives the WAL's damage, and it never runs ahead of the
//! store (it is written after the store's synced batch). A store that opens below its
//! marker has therefore lost committed blocks; [`super::Storage`] refuses to open it.
//!
//! Format (48 bytes, one sector, rewritten in place): height (BE u64) ‖ app hash ‖ the
//! first 8 bytes of BLAKE3 over the first 40, so a torn or garbled marker is detected.

use std::fs::File;
use std::io::ErrorKind;
use std::os::unix::fs::FileExt as _;
use std::path::{Path, PathBuf};

use super::{AppHash, StoredHeight};
use crate::StateError;

/// The marker's file name inside the data directory.
pub(super) const FILE: &str = "COMMITTED_HEIGHT";
const LEN: usize = 48;

pub(super) fn path(dir: &Path) -> PathBuf {
    dir.join(FILE)
}

fn encode(h: &StoredHeight) -> [u8; LEN] {
    let mut out = [0u8; LEN];
    out[..8].copy_from_slice(&h.height.to_be_bytes());
    out[8..40].copy_from_slice(&h.app_hash);
    let sum = blake3::hash(&out[..40]);
    out[40..].copy_from_slice(&sum.as_bytes()[..8]);
    out
}

fn bad(dir: &Path, reason: String) -> StateError {
    StateError::BadMarker {
        path: path(dir).display().to_string(),
        reason,
    }
}

/// Reads the marker; `None` when there is none (a store that never committed, or one
/// written before markers existed). An empty file counts as none: [`Marker::open`]
/// creates it on the first read-write open and only a commit fills it, and once written
/// it never shrinks below 48 bytes (so an empty file never hides a committed height).
pub(super) fn read(dir: &Path) -> Result<Option<StoredHeight>, StateError> {
    let bytes = match std::fs::read(path(dir)) {
        Ok(b) => b,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(bad(dir, e.to_string())),
    };
    if bytes.is_empty() {
        return Ok(None);
    }
    let Ok(arr) = <[u8; LEN]>::try_from(bytes.as_slice()) else {
        return Err(bad(dir, format!("{} bytes, expected {LEN}", bytes.len())));
    };
    let mut height = [0u8; 8];
    height.copy_from_slice(&arr[..8]);
    let mut app_hash: AppHash = [0u8; 32];
    app_hash.copy_from_slice(&arr[8..40]);
    let h = StoredHeight {
        height: u64::from_be_bytes(height),
        app_hash,
    };
    if encode(&h) != arr {
        return Err(bad(dir, "checksum mismatch".into()));
    }
    Ok(Some(h))
}

/// An open marker file, rewritten in place after each commit.
#[derive(Debug)]
pub(super) struct Marker {
    file: File,
    dir: PathBuf,
}

impl Marker {
    /// Opens (creating) the marker for writing.
    pub(super) fn open(dir: &Path) -> Result<Self, StateError> {
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path(dir))
            .map_err(|e| bad(dir, e.to_string()))?;
        Ok(Marker {
            file,
            dir: dir.to_path_buf(),
        })
    }

    /// Records `h` durably (one 48-byte write and an fdatasync).
    pub(super) fn write(&self, h: &StoredHeight) -> Result<(), StateError> {
        let written = self
            .file
            .write_all_at(&encode(h), 0)
            .and_then(|()| self.file.set_len(LEN as u64))
            .and_then(|()| self.file.sync_data());
        written.map_err(|e| bad(&self.dir, format!("writing: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_detects_damage() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(read(dir.path()).unwrap(), None);
        // Opened but never committed through (a freshly created store): no marker yet.
        let m = Marker::open(dir.path()).unwrap();
        assert_eq!(read(dir.path()).unwrap(), None);
        drop(m);
        let h = StoredHeight {
            height: 112,
            app_hash: [7; 32],
        };
        Marker::open(dir.path()).unwrap().write(&h).unwrap();
        assert_eq!(read(dir.path()).unwrap(), Some(h));
        let mut bytes = std::fs::read(path(dir.path())).unwrap();
        bytes[3] ^= 1;
        std::fs::write(path(dir.path()), &bytes).unwrap();
        assert!(matches!(
            read(dir.path()),
            Err(StateError::BadMarker { .. })
        ));
        std::fs::write(path(dir.path()), &bytes[..20]).unwrap();
        assert!(matches!(
            read(dir.path()),
            Err(StateError::BadMarker { .. })
        ));
    }
}
