//! State snapshots: `proofwork export` writes every key/value of the latest committed state
//! with its height and app hash; `proofwork import` rebuilds the Merkle tree from them into
//! an empty store and refuses the snapshot unless the rebuilt root equals the app hash it
//! claims (which an operator checks against a trusted block header).
//!
//! Format: `PWSNAP1\n`, one JSON header line `{chain_id, height, app_hash, entries}`, then
//! per entry `u32 BE key length ‖ key ‖ u32 BE value length ‖ value`, then the BLAKE3 of
//! everything before it (32 bytes) against truncation and bit rot.

use std::io::{Read, Write};
use std::path::Path;

use anyhow::{bail, ensure, Context as _};
use proofwork_state::{StateRead, Storage, StoredHeight, WriteSet};

const MAGIC: &[u8] = b"PWSNAP1\n";
/// Largest key or value accepted from a snapshot file.
const MAX_ITEM_BYTES: u32 = 64 << 20;

/// What a snapshot claims.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct Header {
    /// Chain id.
    pub chain_id: String,
    /// Height of the state.
    pub height: u64,
    /// App hash at that height (hex).
    pub app_hash: String,
    /// Number of key/value pairs.
    pub entries: u64,
}

/// Writes the latest committed state of `storage` to `out`.
///
/// # Errors
/// Storage or I/O failures.
pub fn export(storage: &Storage, chain_id: &str, out: &Path) -> anyhow::Result<Header> {
    let latest = storage
        .latest()
        .context("the store has no committed state")?;
    let rows = storage.scan_prefix(b"", None, usize::MAX)?;
    let header = Header {
        chain_id: chain_id.to_string(),
        height: latest.height,
        app_hash: hex::encode(latest.app_hash),
        entries: rows.len() as u64,
    };
    let mut buf = Vec::new();
    buf.extend_from_slice(MAGIC);
    buf.extend_from_slice(serde_json::to_string(&header)?.as_bytes());
    buf.push(b'\n');
    for (k, v) in &rows {
        buf.extend_from_slice(&(k.len() as u32).to_be_bytes());
        buf.extend_from_slice(k);
        buf.extend_from_slice(&(v.len() as u32).to_be_bytes());
        buf.extend_from_slice(v);
    }
    let digest = blake3::hash(&buf);
    buf.extend_from_slice(digest.as_bytes());
    let mut f =
        std::fs::File::create(out).with_context(|| format!("creating {}", out.display()))?;
    f.write_all(&buf)?;
    f.sync_all()?;
    Ok(header)
}

/// Reads and checks a snapshot file's framing and checksum.
///
/// # Errors
/// A file that is not a complete, intact snapshot.
pub fn read(path: &Path) -> anyhow::Result<(Header, WriteSet)> {
    let mut buf = Vec::new();
    std::fs::File::open(path)
        .with_context(|| format!("opening {}", path.display()))?
        .read_to_end(&mut buf)?;
    parse(&buf)
}

/// [`read`] on the file's bytes (what the snapshot fuzz target drives).
///
/// # Errors
/// Bytes that are not a complete, intact snapshot.
pub fn parse(buf: &[u8]) -> anyhow::Result<(Header, WriteSet)> {
    ensure!(
        buf.len() >= MAGIC.len() + 32 && buf.starts_with(MAGIC),
        "not a proofwork snapshot"
    );
    let (body, sum) = buf.split_at(buf.len() - 32);
    ensure!(
        blake3::hash(body).as_bytes() == sum,
        "snapshot checksum mismatch (truncated or corrupt)"
    );
    let rest = &body[MAGIC.len()..];
    let nl = rest
        .iter()
        .position(|&b| b == b'\n')
        .context("snapshot header is not terminated")?;
    let header: Header = serde_json::from_slice(&rest[..nl]).context("snapshot header")?;
    let mut p = &rest[nl + 1..];
    let mut take = |what: &str| -> anyhow::Result<Vec<u8>> {
        ensure!(p.len() >= 4, "snapshot ends inside a {what} length");
        let n = u32::from_be_bytes(p[..4].try_into().expect("4 bytes"));
        ensure!(n <= MAX_ITEM_BYTES, "{what} of {n} bytes exceeds the limit");
        let n = n as usize;
        ensure!(p.len() >= 4 + n, "snapshot ends inside a {what}");
        let v = p[4..4 + n].to_vec();
        p = &p[4 + n..];
        Ok(v)
    };
    let mut writes = WriteSet::new();
    for _ in 0..header.entries {
        let k = take("key")?;
        let v = take("value")?;
        // `export` writes keys in ascending order. A repeated key would collapse into one
        // entry, so the file would hold fewer entries than its header claims (found by the
        // `snapshot` fuzz target).
        if let Some((last, _)) = writes.last_key_value() {
            ensure!(
                k > *last,
                "snapshot keys are not strictly ascending (a key repeats or is out of order)"
            );
        }
        writes.insert(k, Some(v));
    }
    ensure!(
        p.is_empty(),
        "trailing bytes after {} entries",
        header.entries
    );
    Ok((header, writes))
}

/// Restores a snapshot into an empty store, checking the rebuilt root.
///
/// # Errors
/// A bad file, a non-empty store, or a root that does not match the header.
pub fn import(path: &Path, storage: &Storage) -> anyhow::Result<(Header, StoredHeight)> {
    let (header, writes) = read(path)?;
    let root: [u8; 32] = hex::decode(&header.app_hash)?
        .try_into()
        .map_err(|_| anyhow::anyhow!("app_hash must be 32 bytes"))?;
    if storage.latest().is_some() {
        bail!("the target store is not empty; import needs a fresh data directory");
    }
    let stored = storage.restore(header.height, writes, &root)?;
    Ok((header, stored))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn export_import_round_trip_and_tamper_detection() {
        let dir = tempfile::tempdir().unwrap();
        let s = Storage::open(dir.path().join("a"), Default::default()).unwrap();
        let mut w = WriteSet::new();
        for i in 0..100u32 {
            w.insert(
                format!("key/{i}").into_bytes(),
                Some(i.to_be_bytes().to_vec()),
            );
        }
        s.commit(s.prepare(0, w, WriteSet::new()).unwrap()).unwrap();
        let file = dir.path().join("snap");
        let h = export(&s, "c", &file).unwrap();
        assert_eq!(h.entries, 100);
        let t = Storage::open(dir.path().join("b"), Default::default()).unwrap();
        let (_, stored) = import(&file, &t).unwrap();
        assert_eq!(stored, s.latest().unwrap());
        // Flip one byte: the checksum catches it.
        let mut bytes = std::fs::read(&file).unwrap();
        let mid = bytes.len() / 2;
        bytes[mid] ^= 1;
        std::fs::write(&file, &bytes).unwrap();
        let u = Storage::open(dir.path().join("c"), Default::default()).unwrap();
        assert!(import(&file, &u)
            .unwrap_err()
            .to_string()
            .contains("checksum"));
        // A consistent file whose root is not the claimed one is refused too.
        let mut bytes = std::fs::read(dir.path().join("snap")).unwrap();
        bytes[mid] ^= 1; // restore
        let (header, mut writes) = {
            std::fs::write(&file, &bytes).unwrap();
            read(&file).unwrap()
        };
        writes.insert(b"key/0".to_vec(), Some(vec![9]));
        let forged = Storage::open(dir.path().join("d"), Default::default()).unwrap();
        let root: [u8; 32] = hex::decode(&header.app_hash).unwrap().try_into().unwrap();
        assert!(forged.restore(header.height, writes, &root).is_err());
    }

    /// A sealed snapshot body of `entries` in the given order.
    fn sealed(entries: &[(&[u8], &[u8])]) -> Vec<u8> {
        let header = Header {
            chain_id: "c".into(),
            height: 1,
            app_hash: hex::encode([0u8; 32]),
            entries: entries.len() as u64,
        };
        let mut buf = MAGIC.to_vec();
        buf.extend(serde_json::to_vec(&header).unwrap());
        buf.push(b'\n');
        for (k, v) in entries {
            for part in [k, v] {
                buf.extend_from_slice(&(part.len() as u32).to_be_bytes());
                buf.extend_from_slice(part);
            }
        }
        let sum = *blake3::hash(&buf).as_bytes();
        buf.extend_from_slice(&sum);
        buf
    }

    #[test]
    fn repeated_or_unordered_keys_are_refused() {
        assert!(parse(&sealed(&[(b"a", b"1"), (b"b", b"2")])).is_ok());
        for bad in [
            &[(&b"a"[..], &b"1"[..]), (b"a", b"2")][..],
            &[(b"b", b"1"), (b"a", b"2")],
        ] {
            let err = parse(&sealed(bad)).unwrap_err().to_string();
            assert!(err.contains("strictly ascending"), "{err}");
        }
    }
}
