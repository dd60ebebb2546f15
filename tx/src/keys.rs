//! secp256k1 keys.

use k256::ecdsa::{signature::hazmat::PrehashSigner, Signature, SigningKey, VerifyingKey};

use crate::{Address, TxError};

/// A secp256k1 secret key. Debug output never shows the key.
#[derive(Clone)]
pub struct SecretKey(SigningKey);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SecretKey({})", self.public_key().address())
    }
}

impl SecretKey {
    /// A fresh key from the operating system's randomness.
    ///
    /// # Panics
    /// If the OS has no randomness source (nothing sensible can proceed then).
    pub fn generate() -> Self {
        loop {
            let mut seed = [0u8; 32];
            getrandom::fill(&mut seed).expect("the OS provides randomness");
            if let Ok(k) = Self::from_bytes(&seed) {
                return k;
            }
        }
    }

    /// A key derived from a seed string; for deterministic demo and test accounts only.
    pub fn from_seed(seed: &str) -> Self {
        let mut counter = 0u32;
        loop {
            let mut h = blake3::Hasher::new();
            h.update(b"proofwork/test-key/v1");
            h.update(seed.as_bytes());
            h.update(&counter.to_be_bytes());
            if let Ok(k) = Self::from_bytes(h.finalize().as_bytes()) {
                return k;
            }
            counter += 1;
        }
    }

    /// Parses 32 big-endian bytes.
    ///
    /// # Errors
    /// [`TxError::BadPublicKey`] when the scalar is zero or not below the group order.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, TxError> {
        SigningKey::from_slice(bytes)
            .map(SecretKey)
            .map_err(|e| TxError::BadPublicKey {
                reason: format!("invalid secret key: {e}"),
            })
    }

    /// 32 big-endian bytes.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.0.to_bytes().into()
    }

    /// The matching public key.
    pub fn public_key(&self) -> PublicKey {
        PublicKey(*self.0.verifying_key())
    }

    /// Signs a 32-byte digest; the result is always low-S.
    pub fn sign_digest(&self, digest: &[u8; 32]) -> [u8; 64] {
        let sig: Signature = self
            .0
            .sign_prehash(digest)
            .expect("32-byte prehash is accepted");
        sig.normalize_s().to_bytes().into()
    }
}

/// A secp256k1 public key.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PublicKey(VerifyingKey);

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PublicKey({})", hex::encode(self.to_bytes()))
    }
}

impl PublicKey {
    /// Parses a 33-byte compressed SEC1 point (the only accepted form, so that each key has
    /// one encoding and one address).
    ///
    /// # Errors
    /// [`TxError::BadPublicKey`] for any other length or an invalid point.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, TxError> {
        if bytes.len() != 33 {
            return Err(TxError::BadPublicKey {
                reason: format!("expected 33-byte compressed key, got {} bytes", bytes.len()),
            });
        }
        VerifyingKey::from_sec1_bytes(bytes)
            .map(PublicKey)
            .map_err(|_| TxError::BadPublicKey {
                reason: "not a point on secp256k1".into(),
            })
    }

    /// The 33-byte compressed form.
    pub fn to_bytes(&self) -> [u8; 33] {
        let p = self.0.to_sec1_point(true);
        let mut out = [0u8; 33];
        out.copy_from_slice(p.as_bytes());
        out
    }

    /// The account address of this key.
    pub fn address(&self) -> Address {
        Address::from_public_key_bytes(&self.to_bytes())
    }

    /// Verifies a 64-byte compact signature over a 32-byte digest.
    ///
    /// # Errors
    /// [`TxError::HighS`] for a high-S signature, [`TxError::BadSignature`] otherwise.
    pub fn verify_digest(&self, digest: &[u8; 32], signature: &[u8]) -> Result<(), TxError> {
        use k256::ecdsa::signature::hazmat::PrehashVerifier;
        if signature.len() != 64 {
            return Err(TxError::BadSignature {
                reason: format!("expected 64 bytes, got {}", signature.len()),
            });
        }
        let sig = Signature::from_slice(signature).map_err(|_| TxError::BadSignature {
            reason: "r or s out of range".into(),
        })?;
        if sig.normalize_s() != sig {
            return Err(TxError::HighS);
        }
        self.0
            .verify_prehash(digest, &sig)
            .map_err(|_| TxError::BadSignature {
                reason: "does not verify".into(),
            })
    }
}
