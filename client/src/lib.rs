//! A typed client for proofwork nodes, for dApps and tools: it links tonic and the
//! transaction types but no database.
//!
//! * [`Client`] wraps the node's gRPC services (`proto/proto/proofwork/*/v1/*.proto`):
//!   status, accounts and balances, broadcast (optionally waiting for the commit),
//!   simulate, txs and blocks, raw state with Merkle proofs, assets, useful work and
//!   validators. Every call is bounded by [`ClientConfig`]'s timeouts.
//! * [`TxBuilder`] and [`Signer`] build and sign txs; a [`Signer`] tracks its account's
//!   nonce across sends.
//! * State proofs verify offline ([`Client::query_state_verified`],
//!   [`proofwork_tx::proof::verify_proof`]): the same BLAKE3 Jellyfish Merkle check a
//!   node runs, against an app hash from a header you trust.
//! * Every failure is a [`ClientError`]; gRPC failures keep their [`tonic::Status`].
//!
//! ```no_run
//! # async fn demo() -> Result<(), proofwork_client::ClientError> {
//! use proofwork_client::{Client, Signer};
//! use proofwork_tx::{Address, Message, SecretKey};
//!
//! let mut client = Client::connect("http://127.0.0.1:9090").await?;
//! let mut alice = Signer::new(SecretKey::from_seed("alice"));
//! let to = Address([1; 20]);
//! let sent = client
//!     .send_with(&mut alice, vec![Message::Transfer(proofwork_tx::Transfer { to, denom: "upw".into(), amount: 5 })], true)
//!     .await?;
//! println!("committed at {:?}", sent.committed.map(|c| c.height));
//! let bal = client.verified_balance(&to, "upw").await?;
//! println!("{} upw, proven at height {}", bal.value, bal.proof.height);
//! # Ok(()) }
//! ```

mod builder;
mod client;
mod error;
pub mod keys;

pub use builder::{SignedTxBytes, Signer, TxBuilder, DEFAULT_FEE};
pub use client::{Client, ClientConfig, Submitted, Verified};
pub use error::ClientError;
pub use proofwork_proto as proto;
pub use proofwork_tx as tx;
pub use proofwork_tx::proof::{verify_proof, AppHash, ProofError, StateProof};
