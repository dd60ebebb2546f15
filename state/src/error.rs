//! Storage errors. These are never a tx's fault: a node that meets one halts.

/// A failure of the store itself (I/O, corruption, a pruned or unknown version).
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// RocksDB reported an error.
    #[error("rocksdb: {0}")]
    Db(#[from] rocksdb::Error),
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
    #[error("height {height} is not committed (latest: {latest:?})")]
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
