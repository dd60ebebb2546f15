//! Recovery on real RocksDB files: a damaged write-ahead log or a missing `CURRENT` must
//! refuse to open, or recover everything committed — never open at a lower height.

use std::path::PathBuf;

use super::*;

fn one_key(h: u64) -> WriteSet {
    let mut w = WriteSet::new();
    w.insert(format!("other/{h}").into_bytes(), Some(vec![1]));
    w
}

const HEIGHTS: u64 = 40;

/// A store with `HEIGHTS` committed blocks, all of them still in the newest WAL (no flush:
/// each block is a few small writes, far below the memtable size).
fn committed_store() -> (tempfile::TempDir, StoredHeight) {
    let dir = tempfile::tempdir().unwrap();
    let s = Storage::open(dir.path(), StorageConfig::default()).unwrap();
    for h in 0..HEIGHTS {
        let mut w = WriteSet::new();
        for i in 0..20u32 {
            w.insert(
                format!("k{h}/{i}").into_bytes(),
                Some(vec![(h as u8) ^ (i as u8); 100]),
            );
        }
        s.commit(s.prepare(h, w, WriteSet::new()).unwrap()).unwrap();
    }
    let latest = s.latest().unwrap();
    (dir, latest)
}

fn newest_log(dir: &Path) -> PathBuf {
    let mut logs: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "log"))
        .collect();
    logs.sort();
    let log = logs.pop().expect("a WAL file");
    assert!(
        std::fs::metadata(&log).unwrap().len() > 10_000,
        "WAL holds the blocks"
    );
    log
}

fn files(dir: &Path) -> Vec<(String, u64)> {
    let mut out: Vec<(String, u64)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                e.metadata().unwrap().len(),
            )
        })
        .filter(|(n, _)| !n.starts_with("LOG"))
        .collect();
    out.sort();
    out
}

/// Opens a damaged store: it must refuse with a message saying what happened, or hold
/// every committed block. Returns whether it refused.
fn refuses_or_recovers(dir: &Path, committed: StoredHeight) -> bool {
    match Storage::open_existing(dir, StorageConfig::default()) {
        Ok(s) => {
            assert_eq!(s.latest(), Some(committed), "recovered to a lower height");
            false
        }
        Err(e) => {
            let msg = e.to_string();
            assert!(
                matches!(e, StateError::RolledBack { .. } | StateError::Open { .. }),
                "{msg}"
            );
            assert!(msg.contains("Nothing was changed"), "{msg}");
            true
        }
    }
}

fn damage(case: &str) {
    let (dir, committed) = committed_store();
    let log = newest_log(dir.path());
    let len = std::fs::metadata(&log).unwrap().len();
    let garble = |at: u64| {
        use std::os::unix::fs::FileExt as _;
        let f = std::fs::OpenOptions::new().write(true).open(&log).unwrap();
        f.write_all_at(&[0xA5; 64], at).unwrap();
    };
    match case {
        "truncate-half" => std::fs::File::options()
            .write(true)
            .open(&log)
            .unwrap()
            .set_len(len / 2)
            .unwrap(),
        "cut-100" => std::fs::File::options()
            .write(true)
            .open(&log)
            .unwrap()
            .set_len(len - 100)
            .unwrap(),
        "garbage-50" => garble(len / 2),
        "garbage-95" => garble(len * 95 / 100),
        "delete" => std::fs::remove_file(&log).unwrap(),
        _ => unreachable!(),
    }
    let before = files(dir.path());
    let refused = refuses_or_recovers(dir.path(), committed);
    assert!(
        refused,
        "{case}: the damage lost committed blocks, so it must refuse"
    );
    assert_eq!(
        files(dir.path()),
        before,
        "{case}: a refused open changed files"
    );
    // A retry refuses again: nothing was repaired away in between.
    assert!(refuses_or_recovers(dir.path(), committed), "{case}: retry");
}

#[test]
fn wal_cut_in_half_refuses() {
    damage("truncate-half");
}

#[test]
fn wal_cut_by_100_bytes_refuses() {
    damage("cut-100");
}

#[test]
fn wal_garbage_at_half_refuses() {
    damage("garbage-50");
}

#[test]
fn wal_garbage_near_end_refuses() {
    damage("garbage-95");
}

#[test]
fn wal_deleted_refuses() {
    damage("delete");
}

#[test]
fn an_undamaged_store_reopens_at_its_height() {
    let (dir, committed) = committed_store();
    let s = Storage::open_existing(dir.path(), StorageConfig::default()).unwrap();
    assert_eq!(s.latest(), Some(committed));
    let next = s
        .prepare(HEIGHTS, one_key(HEIGHTS), WriteSet::new())
        .unwrap();
    s.commit(next).unwrap();
    drop(s);
    let s = Storage::open_existing(dir.path(), StorageConfig::default()).unwrap();
    assert_eq!(s.latest().unwrap().height, HEIGHTS);
}

#[test]
fn missing_current_refuses_and_a_retry_loses_nothing() {
    let (dir, committed) = committed_store();
    let current = dir.path().join("CURRENT");
    let saved = std::fs::read(&current).unwrap();
    std::fs::remove_file(&current).unwrap();
    let before = files(dir.path());
    for _ in 0..2 {
        let e = Storage::open_existing(dir.path(), StorageConfig::default()).unwrap_err();
        assert!(matches!(e, StateError::NoStore { .. }), "{e}");
        assert!(e.to_string().contains("CURRENT"), "{e}");
        assert_eq!(files(dir.path()), before, "a refused open wrote files");
    }
    std::fs::write(&current, saved).unwrap();
    let s = Storage::open_existing(dir.path(), StorageConfig::default()).unwrap();
    assert_eq!(s.latest(), Some(committed));
}

#[test]
fn missing_data_dir_is_not_created() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    for open in [Storage::open_existing, Storage::open_read_only] {
        let e = open(&data, StorageConfig::default()).unwrap_err();
        assert!(matches!(e, StateError::NoStore { .. }), "{e}");
        assert!(!data.exists());
    }
}

#[test]
fn read_only_open_changes_nothing_and_refuses_writes() {
    let (dir, committed) = committed_store();
    let before = files(dir.path());
    let s = Storage::open_read_only(dir.path(), StorageConfig::default()).unwrap();
    assert_eq!(s.latest(), Some(committed));
    let p = s
        .prepare(HEIGHTS, one_key(HEIGHTS), WriteSet::new())
        .unwrap();
    assert!(matches!(s.commit(p), Err(StateError::ReadOnly)));
    drop(s);
    assert_eq!(files(dir.path()), before);
}

#[test]
fn a_store_that_lost_its_marker_rebuilds_it() {
    let (dir, committed) = committed_store();
    std::fs::remove_file(marker::path(dir.path())).unwrap();
    let s = Storage::open_existing(dir.path(), StorageConfig::default()).unwrap();
    assert_eq!(s.latest(), Some(committed));
    assert_eq!(marker::read(dir.path()).unwrap(), Some(committed));
}

#[test]
fn a_store_replaced_by_a_different_chain_refuses() {
    let (dir, committed) = committed_store();
    let other = tempfile::tempdir().unwrap();
    let s = Storage::open(other.path(), StorageConfig::default()).unwrap();
    for h in 0..=committed.height {
        s.commit(s.prepare(h, one_key(h), WriteSet::new()).unwrap())
            .unwrap();
    }
    drop(s);
    std::fs::copy(marker::path(dir.path()), marker::path(other.path())).unwrap();
    let e = Storage::open_existing(other.path(), StorageConfig::default()).unwrap_err();
    assert!(matches!(e, StateError::RolledBack { .. }), "{e}");
}
