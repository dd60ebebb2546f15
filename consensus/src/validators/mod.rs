//! The permissioned validator registry and the cap on voting power.
//!
//! A validator is identified by its CometBFT consensus key (ed25519, 32 bytes). Its
//! CometBFT address is `SHA-256(pub_key)[..20]`, which is how proposers are named in block
//! headers. Power updates are returned from FinalizeBlock as validator updates.

pub mod state_key;

use borsh::{BorshDeserialize, BorshSerialize};
use proofwork_state::{codec, StateError, StateRead, StateWrite};
use sha2::{Digest, Sha256};

/// One validator (stored as its borsh encoding: pub_key 32 ‖ power u64 ‖ moniker string).
#[derive(
    Debug,
    Clone,
    PartialEq,
    Eq,
    serde::Serialize,
    serde::Deserialize,
    BorshSerialize,
    BorshDeserialize,
)]
pub struct Validator {
    /// ed25519 consensus public key.
    #[serde(with = "hex32")]
    pub pub_key: [u8; 32],
    /// Voting power (0 removes it from the active set).
    pub power: u64,
    /// Human-readable name.
    pub moniker: String,
}

impl Validator {
    /// The CometBFT address: the first 20 bytes of SHA-256 of the public key.
    pub fn address(&self) -> [u8; 20] {
        cometbft_address(&self.pub_key)
    }
}

/// The CometBFT address of an ed25519 key.
pub fn cometbft_address(pub_key: &[u8; 32]) -> [u8; 20] {
    let h = Sha256::digest(pub_key);
    let mut out = [0u8; 20];
    out.copy_from_slice(&h[..20]);
    out
}

/// Stores or replaces a validator record.
pub fn put_validator<S: StateWrite>(s: &mut S, v: &Validator) {
    codec::put(s, state_key::validator(&v.pub_key), v);
}

/// One validator by key.
///
/// # Errors
/// Storage failures or a corrupt record.
pub fn validator<S: StateRead>(s: &S, pub_key: &[u8; 32]) -> Result<Option<Validator>, StateError> {
    codec::get(s, &state_key::validator(pub_key))
}

/// All validators, ordered by public key.
///
/// # Errors
/// Storage failures.
pub fn validators<S: StateRead>(s: &S) -> Result<Vec<Validator>, StateError> {
    Ok(codec::scan(s, state_key::PREFIX, None, 10_000)?
        .into_iter()
        .map(|(_, v)| v)
        .collect())
}

/// Caps powers so that no validator holds 1/3 or more of the total, where possible.
///
/// Repeatedly lowers the largest power to the greatest value strictly below a third of
/// the new total. With fewer than four validators holding power the cap cannot hold (three
/// equal validators each hold exactly 1/3), so powers are then equalised to the smallest
/// non-zero power: no single validator can then halt or dominate more than its peers.
/// Integer-only and deterministic; ties broken by position.
pub fn cap_powers(powers: &[u64]) -> Vec<u64> {
    let mut p: Vec<u64> = powers.to_vec();
    let active = p.iter().filter(|&&x| x > 0).count();
    if active == 0 {
        return p;
    }
    if active < 4 {
        let min = p.iter().copied().filter(|&x| x > 0).min().unwrap_or(0);
        return p.iter().map(|&x| if x > 0 { min } else { 0 }).collect();
    }
    // Each pass lowers the largest offender; with ≥ 4 active validators a fixed point with
    // every power < total/3 exists (all equal is one), and each pass strictly lowers the
    // sum, so the loop terminates. Bound the passes anyway.
    for _ in 0..(4 * p.len() + 64) {
        let total: u128 = p.iter().map(|&x| u128::from(x)).sum();
        let (idx, max) =
            p.iter().copied().enumerate().fold(
                (0, 0u64),
                |best, (i, x)| if x > best.1 { (i, x) } else { best },
            );
        if 3 * u128::from(max) < total {
            return p;
        }
        // New power x must satisfy 3x < (total - max) + x, i.e. x < (total - max) / 2.
        let rest = total - u128::from(max);
        let x = (rest.saturating_sub(1)) / 2;
        p[idx] = u64::try_from(x).unwrap_or(u64::MAX).max(1);
    }
    p
}

mod hex32 {
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn fewer_than_four_validators_are_equalised() {
        assert_eq!(cap_powers(&[10, 1, 0]), vec![1, 1, 0]);
        assert_eq!(cap_powers(&[5]), vec![5]);
    }

    #[test]
    fn dominant_validator_is_capped_below_a_third() {
        let p = cap_powers(&[1000, 10, 10, 10]);
        let total: u64 = p.iter().sum();
        assert!(p.iter().all(|&x| 3 * x < total), "{p:?}");
    }

    proptest! {
        #[test]
        fn no_validator_reaches_a_third(powers in proptest::collection::vec(1u64..1_000_000, 4..20)) {
            let p = cap_powers(&powers);
            let total: u128 = p.iter().map(|&x| u128::from(x)).sum();
            for (&x, &orig) in p.iter().zip(&powers) {
                prop_assert!(3 * u128::from(x) < total, "{:?} -> {:?}", powers, p);
                prop_assert!(x <= orig && x > 0);
            }
        }
    }
}
