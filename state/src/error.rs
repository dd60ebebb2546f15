//! Storage errors. These are never a tx's fault: a node that meets one halts.

/// A failure of the store itself (I/O, corruption, a pruned or unknown version).
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// RocksDB reported an error.
    #[error("rocksdb: {0}")]
    Db(#[from] rocksdb::Error),
    /// No store exists where one must: `data/` (or its `CURRENT` file) is missing. Only
    /// `init` and `import` create a store, so a failed or retried start cannot replace a
    /// damaged store with an empty chain at height 0.
    #[error(
        "no store at {path}: {what}. Nothing was created. If this home was never initialised, \
         run `proofwork init`; if its data was deleted or damaged, restore data/ from a backup \
         or import a snapshot (`proofwork import`): starting a new chain here would re-decide \
         blocks this node already committed"
    )]
    NoStore {
        /// The data directory.
        path: String,
        /// What is missing.
        what: &'static str,
    },
    /// RocksDB refused to open the store (corrupt WAL, MANIFEST, SST or CURRENT; a held lock).
    #[error(
        "cannot open the store at {path}: {source}. Nothing was changed. If another proofwork \
         process uses this home, stop it; if the files are damaged, restore data/ from a \
         backup or import a snapshot (`proofwork import`) — the node does not repair or \
         discard committed data by itself"
    )]
    Open {
        /// The data directory.
        path: String,
        /// RocksDB's error.
        source: rocksdb::Error,
    },
    /// The store recovered to a state older than, or different from, what this node committed
    /// and reported (its `COMMITTED_HEIGHT` marker): the write-ahead log lost committed blocks.
    #[error(
        "the store at {path} recovered to {recovered}, but height {committed} (app hash \
         {committed_hash}) was committed and reported: RocksDB's recovery dropped committed \
         blocks (a damaged or deleted write-ahead log). Refusing to start, since the node \
         would re-decide those blocks. Nothing was changed; restore data/ from a backup or \
         import a snapshot at height {committed} or later (`proofwork import`)"
    )]
    RolledBack {
        /// The data directory.
        path: String,
        /// What the store recovered to (height and hash, or "no committed height").
        recovered: String,
        /// The marker's height.
        committed: u64,
        /// The marker's app hash (hex).
        committed_hash: String,
    },
    /// The committed-height marker is unreadable or damaged.
    #[error(
        "the committed-height marker {path} is damaged ({reason}); refusing to start without \
         knowing the last height this node committed. If the store itself is intact, remove \
         the marker file to rebuild it from the store"
    )]
    BadMarker {
        /// The marker file.
        path: String,
        /// Why.
        reason: String,
    },
    /// A write through a store opened read-only.
    #[error("the store was opened read-only")]
    ReadOnly,
    /// The Merkle tree reported an error (usually a missing node: corruption or pruning).
    #[error("merkle tree: {0}")]
    Tree(String),
    /// Stored bytes do not decode.
    #[error("corrupt value under {key}: {reason}")]
    Corrupt {
        /// Hex of the key.
        key: String,
        /// Why.
        reason: String,
    },
    /// A version that was pruned away.
    #[error("height {height} is pruned (oldest kept: {oldest})")]
    Pruned {
        /// Asked for.
        height: u64,
        /// Oldest still available.
        oldest: u64,
    },
    /// A version that does not exist yet.
    #[error("height {height} is not committed ({})", latest_text(*.latest))]
    UnknownHeight {
        /// Asked for.
        height: u64,
        /// Latest committed, if any.
        latest: Option<u64>,
    },
    /// A prefix scan asked of a reader that can only serve point reads: one pinned to a past
    /// height (the tree is keyed by hashes; only the latest flat index is ordered by key) or
    /// one that proves what it reads (a scan's completeness cannot be proven).
    #[error("range reads are served only at the latest height and without proofs (asked at height {height})")]
    RangeRead {
        /// The reader's height.
        height: u64,
    },
    /// A commit out of order.
    #[error("commit of version {got} but expected {expected}")]
    OutOfOrder {
        /// Version offered.
        got: u64,
        /// Version expected.
        expected: u64,
    },
    /// A proof that does not verify.
    #[error("invalid proof: {0}")]
    InvalidProof(String),
    /// A broken invariant in the ledger (for example supply conservation).
    #[error("invariant violated: {0}")]
    Invariant(String),
}

impl From<proofwork_tx::proof::ProofError> for StateError {
    fn from(e: proofwork_tx::proof::ProofError) -> Self {
        StateError::InvalidProof(e.to_string())
    }
}

/// The outcome of executing something against state: either the tx's fault
/// (deterministic, reported in the tx result) or the store's (fatal, halt the node).
#[derive(Debug, thiserror::Error)]
pub enum ExecError {
    /// Refuse the tx with this code and message.
    #[error(transparent)]
    Tx(#[from] proofwork_tx::TxError),
    /// Halt: the store failed or an invariant broke.
    #[error(transparent)]
    State(#[from] StateError),
}

/// "latest: N", or that nothing is committed yet (never Rust's `Some(N)`).
fn latest_text(latest: Option<u64>) -> String {
    latest.map_or_else(
        || "nothing is committed yet".to_owned(),
        |l| format!("latest: {l}"),
    )
}
