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

/// Largest power [`cap_powers`] leaves any validator (CometBFT bounds the total by
/// `i64::MAX / 8`; with at most 10,000 validators of at most this, the total stays below 2^54).
pub const MAX_POWER: u64 = 1 << 40;

/// The largest coalition size that is *fewer than a third* of `n` validators: the largest
/// `s` with `3s < n` (0 for `n ≤ 3`).
pub fn minority_size(n: usize) -> usize {
    n.saturating_sub(1) / 3
}

/// Power of the `s` largest entries, `3 · top_s < total`: whether every set of fewer than
/// `n/3` of `powers` (zeros are not validators) holds less than a third of the total.
pub fn minorities_below_a_third(powers: &[u64]) -> bool {
    let mut p: Vec<u128> = powers
        .iter()
        .filter(|&&x| x > 0)
        .map(|&x| u128::from(x))
        .collect();
    p.sort_unstable_by(|a, b| b.cmp(a));
    let s = minority_size(p.len());
    let total: u128 = p.iter().sum();
    let top: u128 = p[..s].iter().sum();
    s == 0 || 3 * top < total
}

/// The power rule (docs/work.md "Voting power from work"): bounds powers so that **every
/// set of fewer than a third of the validators holds less than a third of the power**, for
/// any input — in particular no validator reaches 1/3, and no small coalition of high work
/// scores can halt the chain or carry an admission vote.
///
/// Each power is read as an equal base `b` (the smallest non-zero power) plus a work part
/// `w_i = p_i − b`. With `n` validators and `s` = [`minority_size`]`(n)`, the `s` largest
/// hold `s·b + T` of `n·b + T + R` (`T`: their work parts, `R`: everyone else's); they are
/// below a third exactly when `2T − R < (n − 3s)·b`, and the `s` largest are the worst set
/// of any size below `n/3`. When that fails, every work part is scaled by the same factor
/// `Q / (2T − R)` with `Q = (n − 3s)·b − 1 − (n − s)` (the `n − s` absorbs the rounding
/// down), which keeps the order and restores the bound; if `Q ≤ 0` the work parts are
/// dropped (all equal). So work counts in full when it is spread (the largest `s` hold at
/// most a third of it), and a concentrated lead is worth at most about `(n − 3s)·b / 2`.
///
/// Powers above [`MAX_POWER`] are first scaled down together to fit it. With fewer than
/// four validators no non-empty set is below a third, and powers are equalised to the
/// smallest (no single validator outweighs its peers). Integer-only and deterministic; zeros
/// (removed validators) stay zero; no power grows.
pub fn cap_powers(powers: &[u64]) -> Vec<u64> {
    let mut p: Vec<u64> = powers.to_vec();
    let Some(&max) = p.iter().max() else {
        return p;
    };
    if max > MAX_POWER {
        for x in p.iter_mut().filter(|x| **x > 0) {
            // x ≤ 2^64 and MAX_POWER = 2^40: the product fits u128; the result ≤ MAX_POWER.
            let scaled = u128::from(*x) * u128::from(MAX_POWER) / u128::from(max);
            *x = u64::try_from(scaled).unwrap_or(MAX_POWER).max(1);
        }
    }
    let active: Vec<usize> = (0..p.len()).filter(|&i| p[i] > 0).collect();
    let n = active.len();
    let Some(b) = active.iter().map(|&i| p[i]).min() else {
        return p;
    };
    let s = minority_size(n);
    if s == 0 {
        return p.iter().map(|&x| if x > 0 { b } else { 0 }).collect();
    }
    // Work parts, largest first (ties by position, so the order is deterministic).
    let mut order = active.clone();
    order.sort_by(|&i, &j| p[j].cmp(&p[i]).then(i.cmp(&j)));
    let work: Vec<u128> = p.iter().map(|&x| u128::from(x.saturating_sub(b))).collect();
    let w = |i: usize| work[i];
    let top: u128 = order[..s].iter().map(|&i| w(i)).sum();
    let rest: u128 = order[s..].iter().map(|&i| w(i)).sum();
    let (n128, s128, b128) = (n as u128, s as u128, u128::from(b));
    let slack = (n128 - 3 * s128) * b128; // n > 3s
    if 2 * top < slack + rest {
        return p; // 2T − R < (n − 3s)·b already
    }
    let d = 2 * top - rest; // > 0 here
    let q = slack.saturating_sub(1 + n128 - s128);
    for &i in &active {
        // w ≤ 2^40, q ≤ 10^4 · 2^41: the product fits u128; the result ≤ w.
        let scaled = w(i) * q / d;
        p[i] = b + u64::try_from(scaled).unwrap_or(0);
    }
    if !minorities_below_a_third(&p) {
        // Unreachable by the arithmetic above; equal powers satisfy the rule whatever n.
        return p.iter().map(|&x| if x > 0 { b } else { 0 }).collect();
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

    #[test]
    fn three_large_scores_and_fifty_at_the_floor_do_not_take_the_power() {
        // Issue 15: under the old rule three validators with large scores and 50 at the floor
        // ended with ~100 % of the power (two of them ≥ 1/3).
        let mut raw = vec![1u64 << 20; 53];
        for x in &mut raw[..3] {
            *x += 1 << 39;
        }
        let p = cap_powers(&raw);
        let total: u128 = p.iter().map(|&x| u128::from(x)).sum();
        let three: u128 = p[..3].iter().map(|&x| u128::from(x)).sum();
        assert!(3 * three < total, "{p:?}");
        // The minority of 17 (the three plus 14 at the floor) is below a third too.
        assert!(minorities_below_a_third(&p));
    }

    #[test]
    fn spread_work_counts_in_full() {
        // Nine validators with equal large work: no minority can lead, nothing is scaled.
        let raw = vec![1_000 + 5_000_000; 9];
        assert_eq!(cap_powers(&raw), raw);
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

        /// The power rule: for random work scores (any magnitude, including huge ones and
        /// ties) over random set sizes, every set of fewer than n/3 validators — checked
        /// through the worst one, the largest — holds less than a third of the power, and
        /// no power grows, none is zero, none exceeds MAX_POWER.
        #[test]
        fn every_minority_holds_less_than_a_third(
            base in 1u64..(1 << 24),
            scores in proptest::collection::vec(
                prop_oneof![Just(0u64), 0u64..1_000, 0u64..(1 << 30), 0u64..u64::MAX / 2],
                1..200,
            ),
        ) {
            let raw: Vec<u64> = scores.iter().map(|&w| base.saturating_add(w)).collect();
            let p = cap_powers(&raw);
            prop_assert!(minorities_below_a_third(&p), "{:?} -> {:?}", raw, p);
            let n = raw.len();
            let s = minority_size(n);
            // Brute-force for small sets: every subset of size ≤ s.
            if n <= 10 {
                let total: u128 = p.iter().map(|&x| u128::from(x)).sum();
                for mask in 0u32..(1 << n) {
                    if (mask.count_ones() as usize) <= s && mask != 0 {
                        let sum: u128 = (0..n).filter(|i| mask >> i & 1 == 1).map(|i| u128::from(p[i])).sum();
                        prop_assert!(3 * sum < total, "{:?} -> {:?}, set {mask:b}", raw, p);
                    }
                }
            }
            for (&x, &orig) in p.iter().zip(&raw) {
                prop_assert!(x > 0 && x <= orig && x <= MAX_POWER);
            }
            // Order is kept: more work never means less power.
            for i in 0..n {
                for j in 0..n {
                    if raw[i] > raw[j] {
                        prop_assert!(p[i] >= p[j]);
                    }
                }
            }
        }
    }
}
