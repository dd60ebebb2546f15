//! Keys of the validator registry.

/// `val/set/{ed25519 pubkey}` → borsh [`super::Validator`].
pub fn validator(pub_key: &[u8; 32]) -> Vec<u8> {
    [PREFIX, pub_key.as_slice()].concat()
}

/// Prefix of every validator record.
pub const PREFIX: &[u8] = b"val/set/";
