//! State proofs that verify without the database.

use jmt::proof::SparseMerkleProof;
use jmt::{KeyHash, RootHash};

use super::{AppHash, Blake3Hasher};
use crate::StateError;

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
    pub(super) fn new(
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
    /// [`StateError::InvalidProof`] when the app hash differs or the proof does not bind
    /// `key` to `value` under it.
    pub fn verify(&self, trusted_app_hash: &AppHash) -> Result<(), StateError> {
        if &self.app_hash != trusted_app_hash {
            return Err(StateError::InvalidProof(format!(
                "proof is for app hash {} but the trusted header has {}",
                hex::encode(self.app_hash),
                hex::encode(trusted_app_hash)
            )));
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
/// [`StateError::InvalidProof`] when the proof bytes do not decode or do not verify.
pub fn verify_proof(
    app_hash: &AppHash,
    key: &[u8],
    value: Option<&[u8]>,
    proof: &[u8],
) -> Result<(), StateError> {
    let proof: SparseMerkleProof<Blake3Hasher> = borsh::from_slice(proof)
        .map_err(|e| StateError::InvalidProof(format!("undecodable proof: {e}")))?;
    proof
        .verify(
            RootHash(*app_hash),
            KeyHash::with::<Blake3Hasher>(key),
            value,
        )
        .map_err(|e| StateError::InvalidProof(e.to_string()))
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
