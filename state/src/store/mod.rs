//! RocksDB + Jellyfish Merkle tree: the authenticated, versioned store.
//!
//! Column families:
//!
//! | cf | key | value |
//! |---|---|---|
//! | `nodes` | borsh(`NodeKey`) | borsh(`Node`) |
//! | `values` | key hash ‖ version (BE) | 0 (deleted) or 1 ‖ value |
//! | `flat` | raw key | value at the latest version (point reads and prefix scans) |
//! | `stale` | stale-since version (BE) ‖ borsh(`NodeKey`) | — (pruning index) |
//! | `aux` | namespaced key | unauthenticated data: block log, tx index |
//! | `default` | `latest`, `oldest` | height ‖ app hash; oldest kept version |
//!
//! Versions are block heights; genesis is version 0. Only the tree root is the app hash:
//! `flat` and `aux` are indexes that [`Storage::commit`] updates in the same atomic,
//! synced `WriteBatch`, so they can never disagree with the tree after a crash.
//!
//! Beside the RocksDB files, `COMMITTED_HEIGHT` (`store/marker.rs`) records the last
//! commit outside the write-ahead log; a store that recovers below it is refused, so a damaged
//! WAL can never roll back blocks that were reported committed. Only [`Storage::open`]
//! creates a store (`init`, `import`); [`Storage::open_existing`] and
//! [`Storage::open_read_only`] refuse a missing one.

use std::path::Path;
use std::sync::{Arc, Mutex, RwLock};

use jmt::storage::{LeafNode, Node, NodeKey, TreeReader, TreeUpdateBatch};
use jmt::{JellyfishMerkleTree, KeyHash, OwnedValue, Version};
use rocksdb::{ColumnFamily, Direction, IteratorMode, Options, WriteBatch, WriteOptions, DB};

/// Proof verification needs no database: it lives in `proofwork-tx` (so that light
/// clients need not link RocksDB) and is re-exported here.
pub use proofwork_tx::proof::{verify_proof, AppHash, Blake3Hasher, ProofError, StateProof};

use crate::{StateError, StateRead, WriteSet};

mod marker;

type Tree<'a> = JellyfishMerkleTree<'a, DbReader<'a>, Blake3Hasher>;

const CF_NODES: &str = "nodes";
const CF_VALUES: &str = "values";
const CF_FLAT: &str = "flat";
const CF_STALE: &str = "stale";
const CF_AUX: &str = "aux";
const META_LATEST: &[u8] = b"latest";
const META_OLDEST: &[u8] = b"oldest";

/// Store settings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StorageConfig {
    /// Versions of the tree to keep queryable; `0` keeps all (an archive node).
    pub keep_recent: u64,
}

/// The last committed version and its root.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredHeight {
    /// Block height (0 = genesis).
    pub height: u64,
    /// State root after that block.
    pub app_hash: AppHash,
}

/// A block's changes with their new root, computed but not yet written.
#[derive(Debug)]
pub struct PreparedCommit {
    /// Version (block height) these changes create.
    pub version: u64,
    /// Root after the changes.
    pub app_hash: AppHash,
    writes: WriteSet,
    aux: WriteSet,
    tree: TreeUpdateBatch,
}

impl PreparedCommit {
    /// The authenticated writes.
    pub fn writes(&self) -> &WriteSet {
        &self.writes
    }

    /// How many tree nodes and versioned values the commit will write.
    pub fn tree_stats(&self) -> (usize, usize) {
        (
            self.tree.node_batch.nodes().len(),
            self.tree.node_batch.values().len(),
        )
    }

    /// Adds an unauthenticated aux write (block log, indexes) to the same atomic commit.
    /// Aux data is not part of the app hash, so it may depend on the hash itself.
    pub fn put_aux(&mut self, key: Vec<u8>, value: Vec<u8>) {
        self.aux.insert(key, Some(value));
    }
}

struct Inner {
    db: DB,
    config: StorageConfig,
    latest: RwLock<Option<StoredHeight>>,
    oldest: RwLock<u64>,
    /// The committed-height marker; `None` for a read-only handle.
    marker: Option<Mutex<marker::Marker>>,
}

/// How [`Storage::open_mode`] opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Create when missing (init, import, scratch).
    Create,
    /// Existing only, read-write.
    Existing,
    /// Existing only, read-only.
    ReadOnly,
}

fn poisoned() -> StateError {
    StateError::Tree("storage lock poisoned".into())
}

/// Handle to the store; cheap to clone and safe to share between threads.
///
/// Writes come from one thread (the consensus connection); reads may come from any.
#[derive(Clone)]
pub struct Storage(Arc<Inner>);

impl std::fmt::Debug for Storage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Storage")
            .field("latest", &self.latest())
            .finish()
    }
}

impl Storage {
    /// Opens the store at `path`, creating it when missing: for `init`, `import`, scratch
    /// stores and tests. A node that resumes uses [`Storage::open_existing`].
    ///
    /// # Errors
    /// As [`Storage::open_existing`].
    pub fn open(path: impl AsRef<Path>, config: StorageConfig) -> Result<Self, StateError> {
        Self::open_mode(path.as_ref(), config, Mode::Create)
    }

    /// Opens an existing store for reading and writing; never creates one.
    ///
    /// Before RocksDB may write anything (its recovery flushes and deletes WAL files), a
    /// read-only probe recovers the store and compares it with the committed-height marker
    /// (`store/marker.rs`): a store that recovers below it, or to a different app hash, is
    /// refused and left as it was.
    ///
    /// # Errors
    /// [`StateError::NoStore`] when `path` or its `CURRENT` is missing;
    /// [`StateError::Open`] when RocksDB refuses (corruption in the WAL, MANIFEST, SST);
    /// [`StateError::RolledBack`] when recovery lost committed blocks;
    /// [`StateError::BadMarker`]; corrupt metadata.
    pub fn open_existing(
        path: impl AsRef<Path>,
        config: StorageConfig,
    ) -> Result<Self, StateError> {
        let path = path.as_ref();
        drop(Self::open_mode(path, config, Mode::ReadOnly)?);
        Self::open_mode(path, config, Mode::Existing)
    }

    /// Opens an existing store read-only (`audit replay`, `export`): nothing on disk changes,
    /// and it may be opened while a node runs on it (it sees the commits made before it
    /// opened). Writes through this handle fail.
    ///
    /// # Errors
    /// As [`Storage::open_existing`].
    pub fn open_read_only(
        path: impl AsRef<Path>,
        config: StorageConfig,
    ) -> Result<Self, StateError> {
        Self::open_mode(path.as_ref(), config, Mode::ReadOnly)
    }

    fn open_mode(path: &Path, config: StorageConfig, mode: Mode) -> Result<Self, StateError> {
        let shown = || path.display().to_string();
        if mode != Mode::Create {
            if !path.is_dir() {
                return Err(StateError::NoStore {
                    path: shown(),
                    what: "the directory does not exist",
                });
            }
            if !path.join("CURRENT").is_file() {
                return Err(StateError::NoStore {
                    path: shown(),
                    what: "its CURRENT file is missing",
                });
            }
        }
        // Read before the database: the marker never runs ahead of what is on disk, so a
        // commit racing this open (a read-only open beside a running node) cannot trip it.
        let committed = marker::read(path)?;
        let mut opts = Options::default();
        opts.create_if_missing(mode == Mode::Create);
        opts.create_missing_column_families(mode == Mode::Create);
        opts.set_compression_type(rocksdb::DBCompressionType::Lz4);
        opts.increase_parallelism(2);
        // Every commit is a synced batch, so only the record being written when the process
        // died can be incomplete; tolerate that, refuse corruption anywhere else.
        opts.set_wal_recovery_mode(rocksdb::DBRecoveryMode::TolerateCorruptedTailRecords);
        opts.set_paranoid_checks(true);
        let cfs = [CF_NODES, CF_VALUES, CF_FLAT, CF_STALE, CF_AUX];
        let opened = match mode {
            Mode::ReadOnly => DB::open_cf_for_read_only(&opts, path, cfs, false),
            Mode::Create | Mode::Existing => DB::open_cf(&opts, path, cfs),
        };
        let db = opened.map_err(|source| StateError::Open {
            path: shown(),
            source,
        })?;
        let latest = match db.get(META_LATEST)? {
            None => None,
            Some(v) if v.len() == 40 => {
                let mut height = [0u8; 8];
                height.copy_from_slice(&v[..8]);
                let mut app_hash = [0u8; 32];
                app_hash.copy_from_slice(&v[8..]);
                Some(StoredHeight {
                    height: u64::from_be_bytes(height),
                    app_hash,
                })
            }
            Some(v) => return Err(corrupt(META_LATEST, format!("{} bytes", v.len()))),
        };
        let oldest = match db.get(META_OLDEST)? {
            None => 0,
            Some(v) => decode_u64(META_OLDEST, &v)?,
        };
        let marker = match mode {
            Mode::ReadOnly => None,
            Mode::Create | Mode::Existing => Some(marker::Marker::open(path)?),
        };
        let storage = Storage(Arc::new(Inner {
            db,
            config,
            latest: RwLock::new(latest),
            oldest: RwLock::new(oldest),
            marker: marker.map(Mutex::new),
        }));
        if let Some(c) = committed {
            storage.check_marker(path, &c)?;
        } else if let (Some(m), Some(l)) = (&storage.0.marker, latest) {
            // A store from before markers existed: start tracking from what it holds.
            m.lock().map_err(|_| poisoned())?.write(&l)?;
        }
        Ok(storage)
    }

    /// Refuses a store that recovered below, or away from, the committed-height marker.
    fn check_marker(&self, path: &Path, committed: &StoredHeight) -> Result<(), StateError> {
        let rolled_back = |recovered: String| StateError::RolledBack {
            path: path.display().to_string(),
            recovered,
            committed: committed.height,
            committed_hash: hex::encode(committed.app_hash),
        };
        let Some(latest) = self.latest() else {
            return Err(rolled_back("no committed height at all".into()));
        };
        let shown = |h: u64, hash: &AppHash| format!("height {h} (app hash {})", hex::encode(hash));
        if latest.height < committed.height {
            return Err(rolled_back(shown(latest.height, &latest.app_hash)));
        }
        // The marker lags the store by at most one commit; that height must still be the
        // same block (it may be pruned away, then only the latest can be compared).
        let at = if latest.height == committed.height {
            Some(latest.app_hash)
        } else if committed.height >= self.oldest() {
            Some(self.app_hash_at(committed.height)?)
        } else {
            None
        };
        match at {
            Some(h) if h != committed.app_hash => Err(rolled_back(shown(committed.height, &h))),
            _ => Ok(()),
        }
    }

    /// The last committed version, or `None` before genesis.
    pub fn latest(&self) -> Option<StoredHeight> {
        *self.0.latest.read().expect("lock is not poisoned")
    }

    /// Oldest version still queryable.
    pub fn oldest(&self) -> u64 {
        *self.0.oldest.read().expect("lock is not poisoned")
    }

    fn cf(&self, name: &str) -> &ColumnFamily {
        self.0
            .db
            .cf_handle(name)
            .expect("column family created at open")
    }

    /// Computes the root after applying `writes` as version `version`, without writing.
    ///
    /// # Errors
    /// [`StateError::OutOfOrder`] unless `version` follows the latest committed one;
    /// tree or database failures.
    pub fn prepare(
        &self,
        version: u64,
        writes: WriteSet,
        aux: WriteSet,
    ) -> Result<PreparedCommit, StateError> {
        let expected = self.latest().map_or(0, |l| l.height + 1);
        if version != expected {
            return Err(StateError::OutOfOrder {
                got: version,
                expected,
            });
        }
        let reader = DbReader { storage: self };
        let tree: Tree<'_> = JellyfishMerkleTree::new(&reader);
        let set = writes
            .iter()
            .map(|(k, v)| (KeyHash::with::<Blake3Hasher>(k), v.clone()));
        let (root, batch) = tree
            .put_value_set(set, version)
            .map_err(|e| StateError::Tree(e.to_string()))?;
        Ok(PreparedCommit {
            version,
            app_hash: root.0,
            writes,
            aux,
            tree: batch,
        })
    }

    /// Restores a snapshot into an empty store as version `version`: the tree is rebuilt from
    /// the key/value pairs and its root must equal `expected_root`, or nothing is written.
    ///
    /// # Errors
    /// [`StateError::OutOfOrder`] if the store is not empty; [`StateError::InvalidProof`]
    /// when the rebuilt root differs from `expected_root`; database failures.
    pub fn restore(
        &self,
        version: u64,
        writes: WriteSet,
        expected_root: &AppHash,
    ) -> Result<StoredHeight, StateError> {
        if let Some(l) = self.latest() {
            return Err(StateError::OutOfOrder {
                got: version,
                expected: l.height + 1,
            });
        }
        let reader = DbReader { storage: self };
        let tree: Tree<'_> = JellyfishMerkleTree::new(&reader);
        let set = writes
            .iter()
            .map(|(k, v)| (KeyHash::with::<Blake3Hasher>(k), v.clone()));
        let (root, batch) = tree
            .put_value_set(set, version)
            .map_err(|e| StateError::Tree(e.to_string()))?;
        if &root.0 != expected_root {
            return Err(StateError::InvalidProof(format!(
                "snapshot rebuilds to root {} but claims {}",
                hex::encode(root.0),
                hex::encode(expected_root)
            )));
        }
        let prepared = PreparedCommit {
            version,
            app_hash: root.0,
            writes,
            aux: WriteSet::new(),
            tree: batch,
        };
        // Versions below the snapshot never existed here: the oldest queryable is `version`.
        self.write_commit(prepared, Some(version))
    }

    /// Writes a prepared block atomically and durably: tree nodes, values, the flat index,
    /// aux data, the new height and app hash, and pruning of versions that fell out of the
    /// retention window — one synced `WriteBatch`; then the committed-height marker.
    ///
    /// # Errors
    /// [`StateError::OutOfOrder`] if another commit happened since `prepare`; RocksDB
    /// failures (the node must halt: nothing was written); [`StateError::ReadOnly`];
    /// [`StateError::BadMarker`] when the marker cannot be written (the node must halt: the
    /// block is committed but must not be reported).
    pub fn commit(&self, prepared: PreparedCommit) -> Result<StoredHeight, StateError> {
        let expected = self.latest().map_or(0, |l| l.height + 1);
        if prepared.version != expected {
            return Err(StateError::OutOfOrder {
                got: prepared.version,
                expected,
            });
        }
        self.write_commit(prepared, None)
    }

    fn write_commit(
        &self,
        prepared: PreparedCommit,
        oldest_override: Option<u64>,
    ) -> Result<StoredHeight, StateError> {
        let mut batch = WriteBatch::default();
        let (nodes, values, flat, stale, aux) = (
            self.cf(CF_NODES),
            self.cf(CF_VALUES),
            self.cf(CF_FLAT),
            self.cf(CF_STALE),
            self.cf(CF_AUX),
        );
        for (key, node) in prepared.tree.node_batch.nodes() {
            batch.put_cf(nodes, encode_borsh(key), encode_borsh(node));
        }
        for ((version, key_hash), value) in prepared.tree.node_batch.values() {
            batch.put_cf(
                values,
                value_key(*key_hash, *version),
                encode_value(value.as_deref()),
            );
        }
        for idx in &prepared.tree.stale_node_index_batch {
            let mut k = idx.stale_since_version.to_be_bytes().to_vec();
            k.extend_from_slice(&encode_borsh(&idx.node_key));
            batch.put_cf(stale, k, []);
        }
        for (k, v) in &prepared.writes {
            match v {
                Some(v) => batch.put_cf(flat, k, v),
                None => batch.delete_cf(flat, k),
            }
        }
        for (k, v) in &prepared.aux {
            match v {
                Some(v) => batch.put_cf(aux, k, v),
                None => batch.delete_cf(aux, k),
            }
        }
        let new_oldest = match oldest_override {
            Some(o) => Some(o),
            None => self.prune_into(&mut batch, prepared.version)?,
        };
        let mut latest = prepared.version.to_be_bytes().to_vec();
        latest.extend_from_slice(&prepared.app_hash);
        batch.put(META_LATEST, latest);
        if let Some(o) = new_oldest {
            batch.put(META_OLDEST, o.to_be_bytes());
        }
        let Some(marker) = &self.0.marker else {
            return Err(StateError::ReadOnly);
        };
        let mut wo = WriteOptions::default();
        wo.set_sync(true);
        self.0.db.write_opt(batch, &wo)?;
        let stored = StoredHeight {
            height: prepared.version,
            app_hash: prepared.app_hash,
        };
        *self.0.latest.write().expect("lock is not poisoned") = Some(stored);
        if let Some(o) = new_oldest {
            *self.0.oldest.write().expect("lock is not poisoned") = o;
        }
        // After the store's synced batch, before anyone hears of the commit: the marker is
        // never ahead of the store, and every height reported committed is at or below it.
        // If it cannot be written the block stays committed here, unreported; the node halts.
        marker.lock().map_err(|_| poisoned())?.write(&stored)?;
        Ok(stored)
    }

    /// Adds deletions of tree nodes no version in the retention window needs.
    ///
    /// A node stale since version `s` is read only by versions `< s`, so once the oldest
    /// kept version is `o`, every node with `s <= o` can go. Versioned values are kept:
    /// a leaf that moves in the tree keeps pointing at its original value version.
    fn prune_into(&self, batch: &mut WriteBatch, version: u64) -> Result<Option<u64>, StateError> {
        let keep = self.0.config.keep_recent;
        if keep == 0 || version < keep {
            return Ok(None);
        }
        let oldest = version + 1 - keep;
        if oldest <= self.oldest() {
            return Ok(None);
        }
        let stale = self.cf(CF_STALE);
        let nodes = self.cf(CF_NODES);
        for item in self.0.db.iterator_cf(stale, IteratorMode::Start) {
            let (k, _) = item?;
            let since = decode_u64(&k, &k[..8.min(k.len())])?;
            if since > oldest {
                break;
            }
            batch.delete_cf(nodes, &k[8..]);
            batch.delete_cf(stale, &k);
        }
        Ok(Some(oldest))
    }

    fn check_height(&self, height: u64) -> Result<(), StateError> {
        let latest = self.latest();
        if latest.is_none_or(|l| height > l.height) {
            return Err(StateError::UnknownHeight {
                height,
                latest: latest.map(|l| l.height),
            });
        }
        let oldest = self.oldest();
        if height < oldest {
            return Err(StateError::Pruned { height, oldest });
        }
        Ok(())
    }

    /// The app hash at `height`.
    ///
    /// # Errors
    /// Unknown or pruned heights.
    pub fn app_hash_at(&self, height: u64) -> Result<AppHash, StateError> {
        self.check_height(height)?;
        let reader = DbReader { storage: self };
        let tree: Tree<'_> = JellyfishMerkleTree::new(&reader);
        tree.get_root_hash(height)
            .map(|r| r.0)
            .map_err(|e| StateError::Tree(e.to_string()))
    }

    /// The value under `key` at `height`, with a proof against that height's app hash.
    ///
    /// # Errors
    /// Unknown or pruned heights; tree failures.
    pub fn get_with_proof(&self, key: &[u8], height: u64) -> Result<StateProof, StateError> {
        self.check_height(height)?;
        let reader = DbReader { storage: self };
        let tree: Tree<'_> = JellyfishMerkleTree::new(&reader);
        let (value, proof) = tree
            .get_with_proof(KeyHash::with::<Blake3Hasher>(key), height)
            .map_err(|e| StateError::Tree(e.to_string()))?;
        let app_hash = tree
            .get_root_hash(height)
            .map_err(|e| StateError::Tree(e.to_string()))?
            .0;
        Ok(StateProof::new(
            height,
            app_hash,
            key.to_vec(),
            value,
            &proof,
        ))
    }

    /// The value under `key` at `height`, without a proof.
    ///
    /// # Errors
    /// Unknown or pruned heights; database failures.
    pub fn get_at(&self, key: &[u8], height: u64) -> Result<Option<Vec<u8>>, StateError> {
        self.check_height(height)?;
        DbReader { storage: self }.value_at(height, KeyHash::with::<Blake3Hasher>(key))
    }

    /// Reads an unauthenticated aux entry (block log, tx index).
    ///
    /// # Errors
    /// Database failures.
    pub fn get_aux(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StateError> {
        Ok(self.0.db.get_cf(self.cf(CF_AUX), key)?)
    }

    /// Scans aux entries under `prefix` starting at `start` (inclusive), at most `limit`.
    ///
    /// # Errors
    /// Database failures.
    pub fn scan_aux(
        &self,
        prefix: &[u8],
        start: &[u8],
        limit: usize,
    ) -> Result<crate::delta::KvPairs, StateError> {
        scan(&self.0.db, self.cf(CF_AUX), prefix, start, false, limit)
    }

    /// Writes aux entries outside a block commit (e.g. repairing an index). Synced.
    ///
    /// # Errors
    /// Database failures.
    pub fn put_aux_now(&self, writes: &WriteSet) -> Result<(), StateError> {
        let mut batch = WriteBatch::default();
        let aux = self.cf(CF_AUX);
        for (k, v) in writes {
            match v {
                Some(v) => batch.put_cf(aux, k, v),
                None => batch.delete_cf(aux, k),
            }
        }
        let mut wo = WriteOptions::default();
        wo.set_sync(true);
        Ok(self.0.db.write_opt(batch, &wo)?)
    }

    /// Approximate bytes on disk (SST files plus memtables) across column families.
    pub fn approximate_size_bytes(&self) -> u64 {
        [CF_NODES, CF_VALUES, CF_FLAT, CF_STALE, CF_AUX]
            .iter()
            .filter_map(|cf| {
                let cf = self.cf(cf);
                let sst = self
                    .0
                    .db
                    .property_int_value_cf(cf, "rocksdb.total-sst-files-size");
                let mem = self
                    .0
                    .db
                    .property_int_value_cf(cf, "rocksdb.cur-size-all-mem-tables");
                Some(sst.ok()?.unwrap_or(0) + mem.ok()?.unwrap_or(0))
            })
            .sum()
    }
}

/// Reads the latest committed state from the flat index.
impl StateRead for Storage {
    fn get_raw(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StateError> {
        Ok(self.0.db.get_cf(self.cf(CF_FLAT), key)?)
    }

    fn scan_prefix(
        &self,
        prefix: &[u8],
        start_after: Option<&[u8]>,
        limit: usize,
    ) -> Result<crate::delta::KvPairs, StateError> {
        let (start, skip_equal) = match start_after {
            Some(s) if s >= prefix => (s, true),
            _ => (prefix, false),
        };
        scan(
            &self.0.db,
            self.cf(CF_FLAT),
            prefix,
            start,
            skip_equal,
            limit,
        )
    }
}

fn scan(
    db: &DB,
    cf: &ColumnFamily,
    prefix: &[u8],
    start: &[u8],
    skip_equal: bool,
    limit: usize,
) -> Result<crate::delta::KvPairs, StateError> {
    let mut out = Vec::new();
    for item in db.iterator_cf(cf, IteratorMode::From(start, Direction::Forward)) {
        let (k, v) = item?;
        if !k.starts_with(prefix) || out.len() >= limit {
            break;
        }
        if skip_equal && &*k == start {
            continue;
        }
        out.push((k.into_vec(), v.into_vec()));
    }
    Ok(out)
}

/// The root that `writes` would have as version 0 of an empty tree (e.g. to compare a
/// genesis against a store that already holds one), computed in memory.
///
/// # Errors
/// Tree failures.
pub fn genesis_root(writes: &WriteSet) -> Result<AppHash, StateError> {
    struct Empty;
    impl TreeReader for Empty {
        fn get_node_option(&self, _: &NodeKey) -> anyhow_like::Result<Option<Node>> {
            Ok(None)
        }
        fn get_value_option(
            &self,
            _: Version,
            _: KeyHash,
        ) -> anyhow_like::Result<Option<OwnedValue>> {
            Ok(None)
        }
        fn get_rightmost_leaf(&self) -> anyhow_like::Result<Option<(NodeKey, LeafNode)>> {
            Ok(None)
        }
    }
    let tree: JellyfishMerkleTree<'_, Empty, Blake3Hasher> = JellyfishMerkleTree::new(&Empty);
    let set = writes
        .iter()
        .map(|(k, v)| (KeyHash::with::<Blake3Hasher>(k), v.clone()));
    let (root, _) = tree
        .put_value_set(set, 0)
        .map_err(|e| StateError::Tree(e.to_string()))?;
    Ok(root.0)
}

/// `jmt`'s view of the database.
struct DbReader<'a> {
    storage: &'a Storage,
}

impl DbReader<'_> {
    fn value_at(&self, max_version: u64, key_hash: KeyHash) -> Result<Option<Vec<u8>>, StateError> {
        let db = &self.storage.0.db;
        let mut it = db.raw_iterator_cf(self.storage.cf(CF_VALUES));
        it.seek_for_prev(value_key(key_hash, max_version));
        it.status()?;
        match (it.key(), it.value()) {
            (Some(k), Some(v)) if k.len() == 40 && k[..32] == key_hash.0 => decode_value(k, v),
            _ => Ok(None),
        }
    }
}

impl TreeReader for DbReader<'_> {
    fn get_node_option(&self, node_key: &NodeKey) -> anyhow_like::Result<Option<Node>> {
        let cf = self.storage.cf(CF_NODES);
        match self
            .storage
            .0
            .db
            .get_pinned_cf(cf, encode_borsh(node_key))?
        {
            None => Ok(None),
            Some(bytes) => Ok(Some(borsh::from_slice(&bytes)?)),
        }
    }

    fn get_value_option(
        &self,
        max_version: Version,
        key_hash: KeyHash,
    ) -> anyhow_like::Result<Option<OwnedValue>> {
        Ok(self.value_at(max_version, key_hash)?)
    }

    fn get_rightmost_leaf(&self) -> anyhow_like::Result<Option<(NodeKey, LeafNode)>> {
        // Only state-sync restore needs this; proofwork restores by replay or snapshot import.
        Err(anyhow_like::Error::msg(
            "get_rightmost_leaf is not supported by this store",
        ))
    }
}

/// `jmt`'s traits are declared with `anyhow::Result`, so the adapter must use it too.
mod anyhow_like {
    pub(super) use anyhow::{Error, Result};
}

fn value_key(key_hash: KeyHash, version: u64) -> [u8; 40] {
    let mut k = [0u8; 40];
    k[..32].copy_from_slice(&key_hash.0);
    k[32..].copy_from_slice(&version.to_be_bytes());
    k
}

fn encode_value(v: Option<&[u8]>) -> Vec<u8> {
    match v {
        None => vec![0],
        Some(v) => {
            let mut out = Vec::with_capacity(v.len() + 1);
            out.push(1);
            out.extend_from_slice(v);
            out
        }
    }
}

fn decode_value(key: &[u8], v: &[u8]) -> Result<Option<Vec<u8>>, StateError> {
    match v.split_first() {
        Some((0, [])) => Ok(None),
        Some((1, rest)) => Ok(Some(rest.to_vec())),
        _ => Err(corrupt(key, "bad value tag".into())),
    }
}

fn encode_borsh<T: borsh::BorshSerialize>(t: &T) -> Vec<u8> {
    borsh::to_vec(t).expect("borsh serialization into a Vec cannot fail")
}

fn decode_u64(key: &[u8], v: &[u8]) -> Result<u64, StateError> {
    v.try_into()
        .map(u64::from_be_bytes)
        .map_err(|_| corrupt(key, format!("expected 8 bytes, got {}", v.len())))
}

fn corrupt(key: &[u8], reason: String) -> StateError {
    StateError::Corrupt {
        key: hex::encode(key),
        reason,
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod recovery_tests;
