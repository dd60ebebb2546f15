//! proofwork's authenticated state.
//!
//! Two layers:
//!
//! * [`store`]: RocksDB underneath a Jellyfish Merkle tree (the `jmt` crate, hashed with
//!   BLAKE3). Every consensus value lives under a namespaced key in that one tree; its root
//!   after block `h` is block `h`'s app hash, and version `h` of the tree stays queryable,
//!   with membership and non-membership proofs, until pruned. A block's changes are
//!   computed in memory by [`Storage::prepare`] (FinalizeBlock needs the app hash) and
//!   written by [`Storage::commit`] in one synced `WriteBatch`: tree nodes, values, the
//!   flat latest-state index, the block log, height and app hash together.
//! * ledger components ([`accounts`], [`assets`], [`market`], [`fractional`], [`ip`],
//!   [`escrow`], [`royalties`]): pure functions over the [`StateRead`] /
//!   [`StateWrite`] traits, each with its keys in its own `state_key.rs`.
//!
//! Nothing here reads a clock, iterates a hash map or uses floats: given the same prior
//! state and the same writes, every node computes the same root.

pub mod accounts;
pub mod assets;
pub mod codec;
mod delta;
mod error;
pub mod escrow;
pub mod event;
pub mod fractional;
pub mod ip;
pub mod market;
pub mod royalties;
pub mod store;

#[cfg(test)]
mod ledger_tests;

pub use delta::{apply_writes, attempt, KvPairs, StateDelta, StateRead, StateWrite, WriteSet};
pub use error::{ExecError, StateError};
pub use store::{
    genesis_root, verify_proof, AppHash, Blake3Hasher, PreparedCommit, ProofError, StateProof,
    Storage, StorageConfig, StoredHeight,
};
