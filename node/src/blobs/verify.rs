//! Verification of stored bytes against their name: a blob is re-hashed before it is
//! served (download, stat, lookup by root) unless its file is unchanged since it was last
//! verified, and one that does not match is quarantined (moved to `quarantine/`, dropped
//! from the index) and answered with [`BlobError::Corrupt`] — never served.
//!
//! "Unchanged" is the file's inode, size, mtime and ctime: any write through the file
//! system changes the ctime, which no user can set back (to the file system's timestamp
//! granularity, a few ms). Damage below the file system (a bad sector) changes none of
//! them; [`BlobStore::scrub`] re-hashes everything for that.

use std::fs::File;
use std::io::Read as _;
use std::os::unix::fs::MetadataExt as _;
use std::path::PathBuf;

use super::{remove_if_exists, sync_dir, BlobError, BlobStore, Hash};

/// What identifies a file's content as unchanged since it was hashed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct FileStamp {
    ino: u64,
    size: u64,
    mtime: (i64, i64),
    ctime: (i64, i64),
}

impl FileStamp {
    pub(super) fn of(file: &File) -> std::io::Result<Self> {
        let m = file.metadata()?;
        Ok(FileStamp {
            ino: m.ino(),
            size: m.len(),
            mtime: (m.mtime(), m.mtime_nsec()),
            ctime: (m.ctime(), m.ctime_nsec()),
        })
    }
}

/// What a scrub found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScrubReport {
    /// Blobs whose content matched.
    pub verified: usize,
    /// Blobs quarantined, by hash (hex).
    pub quarantined: Vec<String>,
}

fn hash_file(file: &File) -> std::io::Result<Hash> {
    let mut h = blake3::Hasher::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut f = file;
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            return Ok(*h.finalize().as_bytes());
        }
        h.update(&buf[..n]);
    }
}

impl BlobStore {
    /// Checks that `file` (opened from `hash`'s path, positioned at its start) holds the
    /// blob named `hash`; leaves it positioned at its end.
    ///
    /// # Errors
    /// [`BlobError::Corrupt`] (the blob is quarantined); i/o.
    pub(super) fn verify_file(&self, hash: &Hash, file: &File) -> Result<(), BlobError> {
        let stamp = FileStamp::of(file)?;
        let known = self
            .state()
            .blobs
            .get(hash)
            .is_some_and(|b| b.verified == Some(stamp));
        if known {
            return Ok(());
        }
        let actual = hash_file(file)?;
        if actual == *hash {
            if let Some(b) = self.state().blobs.get_mut(hash) {
                b.verified = Some(stamp);
            }
            return Ok(());
        }
        let quarantined = self.quarantine(hash)?;
        tracing::error!(
            blob = %hex::encode(hash),
            actual = %hex::encode(actual),
            moved_to = %quarantined.display(),
            "blob store: stored bytes do not match their hash; quarantined, no longer served"
        );
        Err(BlobError::Corrupt {
            hash: hex::encode(hash),
            actual: hex::encode(actual),
            quarantined: quarantined.display().to_string(),
        })
    }

    /// Opens and verifies a stored blob.
    ///
    /// # Errors
    /// [`BlobError::NotFound`] when its file is gone; [`BlobError::Corrupt`]; i/o.
    pub(super) fn open_verified(&self, hash: &Hash) -> Result<File, BlobError> {
        let f = match File::open(self.path(hash)) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(BlobError::NotFound(hex::encode(hash)))
            }
            Err(e) => return Err(e.into()),
        };
        self.verify_file(hash, &f)?;
        Ok(f)
    }

    /// Moves a damaged blob to `quarantine/<hash>.<n>` and drops it (and its `roots/`
    /// entries) from the index, even while a download holds it open: no one is served it
    /// again, and the bytes stay for the operator to inspect.
    fn quarantine(&self, hash: &Hash) -> Result<PathBuf, BlobError> {
        let qdir = self.inner.dir.join("quarantine");
        std::fs::create_dir_all(&qdir)?;
        let mut st = self.state();
        let n = st.bump();
        let dest = qdir.join(format!("{}.{n}", hex::encode(hash)));
        let roots = st
            .blobs
            .get(hash)
            .map(|b| b.roots.clone())
            .unwrap_or_default();
        for root in &roots {
            remove_if_exists(&self.root_path(root))?;
            st.roots.remove(root);
        }
        if !roots.is_empty() {
            sync_dir(&self.inner.dir.join("roots"))?;
        }
        match std::fs::rename(self.path(hash), &dest) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
            _ => {}
        }
        sync_dir(&self.inner.dir)?;
        if let Some(b) = st.blobs.remove(hash) {
            st.stored_bytes = st.stored_bytes.saturating_sub(b.size);
        }
        self.publish(&st);
        Ok(dest)
    }

    /// Re-hashes every stored blob (ignoring what was verified before), quarantining the
    /// ones that do not match. Blocking; reads every byte.
    ///
    /// # Errors
    /// i/o other than a blob that vanished meanwhile.
    pub fn scrub(&self) -> Result<ScrubReport, BlobError> {
        let mut report = ScrubReport::default();
        for e in self.entries() {
            if let Some(b) = self.state().blobs.get_mut(&e.hash) {
                b.verified = None;
            }
            match self.open_verified(&e.hash) {
                Ok(_) => report.verified += 1,
                Err(BlobError::Corrupt { hash, .. }) => report.quarantined.push(hash),
                Err(BlobError::NotFound(_)) => {}
                Err(err) => return Err(err),
            }
        }
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::FileExt as _;

    use super::super::{read_chunk, BlobLimits, BlobMeta, Expect};
    use super::*;

    fn stored(data: &[u8]) -> (tempfile::TempDir, BlobStore, BlobMeta) {
        let dir = tempfile::tempdir().unwrap();
        let s = BlobStore::open(dir.path().join("blobs"), BlobLimits::default()).unwrap();
        let mut up = s
            .begin(Expect {
                size: data.len() as u64,
                hash: *blake3::hash(data).as_bytes(),
                row_len: 0,
                row_root: None,
                leaf: Default::default(),
            })
            .unwrap();
        up.write(data).unwrap();
        let meta = up.finish().unwrap();
        (dir, s, meta)
    }

    fn zero_16_bytes(s: &BlobStore, hash: &Hash, at: u64) {
        // File times tick at the kernel's coarse clock (a few ms): damage in the same tick
        // as the last verification would leave the stamp unchanged.
        std::thread::sleep(std::time::Duration::from_millis(30));
        let f = std::fs::OpenOptions::new()
            .write(true)
            .open(s.path(hash))
            .unwrap();
        f.write_all_at(&[0; 16], at).unwrap();
    }

    /// Issue 19 item 3: 16 zeroed bytes in a stored blob were downloaded with OK and Stat
    /// reported the original hash.
    #[test]
    fn a_damaged_blob_is_quarantined_and_never_served() {
        let data: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8 + 1).collect();
        let (_d, s, meta) = stored(&data);
        let (mut r, _) = s.open_at(&meta.hash, 0).unwrap();
        assert_eq!(read_chunk(&mut r, data.len()).unwrap(), data);
        drop(r);
        zero_16_bytes(&s, &meta.hash, 50_000);
        match s.open_at(&meta.hash, 0) {
            Err(BlobError::Corrupt { hash, .. }) => assert_eq!(hash, hex::encode(meta.hash)),
            other => panic!("a damaged blob was served: {:?}", other.map(|x| x.1)),
        }
        // Gone from the index, kept for the operator in quarantine/.
        assert!(matches!(s.stat(&meta.hash), Err(BlobError::NotFound(_))));
        assert!(matches!(
            s.open_at(&meta.hash, 0),
            Err(BlobError::NotFound(_))
        ));
        assert_eq!(s.usage().blobs, 0);
        let q: Vec<_> = std::fs::read_dir(s.inner.dir.join("quarantine"))
            .unwrap()
            .collect();
        assert_eq!(q.len(), 1);
        // Uploading it again stores it anew.
        let mut up = s
            .begin(Expect {
                size: data.len() as u64,
                hash: meta.hash,
                row_len: 0,
                row_root: None,
                leaf: Default::default(),
            })
            .unwrap();
        up.write(&data).unwrap();
        up.finish().unwrap();
        assert_eq!(s.stat(&meta.hash).unwrap().size, data.len() as u64);
    }

    #[test]
    fn stat_verifies_and_scrub_rehashes_everything() {
        let (_d, s, meta) = stored(&[7u8; 4096]);
        zero_16_bytes(&s, &meta.hash, 0);
        assert!(matches!(s.stat(&meta.hash), Err(BlobError::Corrupt { .. })));
        let (_d2, s2, m2) = stored(&[9u8; 1000]);
        assert_eq!(s2.scrub().unwrap().verified, 1);
        zero_16_bytes(&s2, &m2.hash, 10);
        let report = s2.scrub().unwrap();
        assert_eq!(report.quarantined, [hex::encode(m2.hash)]);
        assert_eq!(report.verified, 0);
    }
}
