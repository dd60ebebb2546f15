//! The proofwork node: the ABCI application, the embedded engine, the gRPC server, and the
//! pieces of the `proofwork` command line.
//!
//! ```text
//!            ┌──────────── engine (embedded, default) ───────────┐
//! gRPC ──► mempool ──► App: PrepareProposal → ProcessProposal → FinalizeBlock → Commit
//!            └──── CometBFT ──ABCI socket──► abci::AbciApp ──► App (same code) ─┘
//! ```
//! [`app::App`] is the only place state changes; both engines drive it, which is what lets
//! a test compare their app hashes.

pub mod abci;
pub use proofwork_app as app;
#[cfg(test)]
mod app_tests;
pub mod audit;
pub mod blobs;
pub mod chaos;
pub mod cometbft;
pub mod config;
pub mod engine;
pub mod grpc;
pub mod home;
pub mod mempool;
pub mod metrics;
pub mod npy;
pub mod rest;
pub mod snapshot;
pub mod testnet;
pub mod waiters;
pub mod worker;
