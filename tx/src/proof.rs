//! State proofs that verify without the database: the Jellyfish Merkle proof format and
//! the BLAKE3 hasher the state tree uses, with no storage dependency, so that a light
//! client (`proofwork-client`) can check a query answer against a trusted app hash.
//!
//! `proofwork-state` builds these proofs from its RocksDB-backed tree and re-exports
//! everything here.

use jmt::proof::SparseMerkleProof;
use jmt::{KeyHash, RootHash};

/// A block's app hash: the root of the state tree after the block.
pub type AppHash = [u8; 32];

/// Why a proof was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    /// The proof is for another app hash than the trusted one.
    #[error("proof is for app hash {claimed} but the trusted header has {trusted}")]
    AppHashMismatch {
        /// Hex of the app hash the proof claims.
        claimed: String,
        /// Hex of the trusted app hash.
        trusted: String,
    },
    /// The proof bytes are not a borsh-encoded `SparseMerkleProof`.
    #[error("undecodable proof: {0}")]
    Undecodable(String),
    /// The proof does not bind the key to the value under the root.
    #[error("proof does not verify: {0}")]
    Mismatch(String),
}

/// BLAKE3 for `jmt`: the chain uses BLAKE3 everywhere (tx digests, work commitments),
/// so proofs need only one hash function, and it is ~3× faster than SHA-256 here.
#[derive(Clone, Default)]
pub struct Blake3Hasher(blake3::Hasher);

impl jmt::SimpleHasher for Blake3Hasher {
    fn new() -> Self {
        Blake3Hasher(blake3::Hasher::new())
    }
    fn update(&mut self, data: &[u8]) {
        self.0.update(data);
    }
    fn finalize(self) -> [u8; 32] {
        *self.0.finalize().as_bytes()
    }
}

/// A value (or its absence) under a key at a height, with a Merkle proof against that
/// height's app hash.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StateProof {
    /// Height the proof is for.
    pub height: u64,
    /// App hash at that height, as the prover claims it (check it against a header).
    #[serde(with = "hex_bytes32")]
    pub app_hash: AppHash,
    /// Raw key.
    #[serde(with = "hex_vec")]
    pub key: Vec<u8>,
    /// Value, or `None` for a non-membership proof.
    #[serde(with = "hex_opt")]
    pub value: Option<Vec<u8>>,
    /// borsh-encoded `jmt::proof::SparseMerkleProof` with BLAKE3.
    #[serde(with = "hex_vec")]
    pub proof: Vec<u8>,
}

impl StateProof {
    /// Packs a tree proof (what the store's `get_with_proof` does).
    pub fn new(
        height: u64,
        app_hash: AppHash,
        key: Vec<u8>,
        value: Option<Vec<u8>>,
        proof: &SparseMerkleProof<Blake3Hasher>,
    ) -> Self {
        let proof = borsh::to_vec(proof).expect("borsh serialization into a Vec cannot fail");
        StateProof {
            height,
            app_hash,
            key,
            value,
            proof,
        }
    }

    /// Verifies the proof against a trusted app hash (from a block header at `height`).
    ///
    /// # Errors
    /// [`ProofError::AppHashMismatch`] when the app hash differs; otherwise as
    /// [`verify_proof`].
    pub fn verify(&self, trusted_app_hash: &AppHash) -> Result<(), ProofError> {
        if &self.app_hash != trusted_app_hash {
            return Err(ProofError::AppHashMismatch {
                claimed: hex::encode(self.app_hash),
                trusted: hex::encode(trusted_app_hash),
            });
        }
        verify_proof(
            trusted_app_hash,
            &self.key,
            self.value.as_deref(),
            &self.proof,
        )
    }
}

/// Verifies that under `app_hash`, `key` holds `value` (or, for `None`, holds nothing).
///
/// # Errors
/// [`ProofError::Undecodable`] when the proof bytes do not decode, [`ProofError::Mismatch`]
/// when they do not verify.
pub fn verify_proof(
    app_hash: &AppHash,
    key: &[u8],
    value: Option<&[u8]>,
    proof: &[u8],
) -> Result<(), ProofError> {
    let proof: SparseMerkleProof<Blake3Hasher> =
        borsh::from_slice(proof).map_err(|e| ProofError::Undecodable(e.to_string()))?;
    proof
        .verify(
            RootHash(*app_hash),
            KeyHash::with::<Blake3Hasher>(key),
            value,
        )
        .map_err(|e| ProofError::Mismatch(e.to_string()))
}

mod hex_vec {
    pub(super) fn serialize<S: serde::Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(v))
    }
    pub(super) fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s: String = serde::Deserialize::deserialize(d)?;
        hex::decode(s).map_err(serde::de::Error::custom)
    }
}

mod hex_opt {
    pub(super) fn serialize<S: serde::Serializer>(
        v: &Option<Vec<u8>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match v {
            Some(v) => s.serialize_some(&hex::encode(v)),
            None => s.serialize_none(),
        }
    }
    pub(super) fn deserialize<'de, D: serde::Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Vec<u8>>, D::Error> {
        let s: Option<String> = serde::Deserialize::deserialize(d)?;
        s.map(|s| hex::decode(s).map_err(serde::de::Error::custom))
            .transpose()
    }
}

mod hex_bytes32 {
    pub(super) fn serialize<S: serde::Serializer>(v: &[u8; 32], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(v))
    }
    pub(super) fn deserialize<'de, D: serde::Deserializer<'de>>(
        d: D,
    ) -> Result<[u8; 32], D::Error> {
        let s: String = serde::Deserialize::deserialize(d)?;
        let v = hex::decode(s).map_err(serde::de::Error::custom)?;
        v.try_into()
            .map_err(|_| serde::de::Error::custom("expected 32 bytes"))
    }
}
