//! Royalty policies and the split of a sale price — the primitive every priced transfer
//! (market sales, share sales, licence fees, model use by jobs) goes through, so that the
//! chain, not the seller, enforces royalties.

use proofwork_tx::{Address, TxError};

use crate::accounts;
use crate::{ExecError, StateWrite};

/// Most recipients in one policy (bounds the work of every sale).
pub const MAX_RECIPIENTS: usize = 16;
/// Basis points in a whole.
pub const BPS_DENOMINATOR: u32 = 10_000;

/// One recipient's share.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    borsh::BorshSerialize,
    borsh::BorshDeserialize,
)]
pub struct RoyaltyShare {
    /// Who is paid (may itself be a module account, e.g. a vault of fractional holders).
    pub recipient: Address,
    /// Share of each sale price, in basis points.
    pub bps: u16,
}

/// Recipients and their shares, fixed at mint (the right to each share can be transferred).
#[derive(Debug, Clone, Default, PartialEq, Eq, borsh::BorshSerialize, borsh::BorshDeserialize)]
pub struct RoyaltyPolicy {
    /// Distinct recipients.
    pub shares: Vec<RoyaltyShare>,
}

impl RoyaltyPolicy {
    /// Sum of all shares in basis points.
    pub fn total_bps(&self) -> u32 {
        self.shares.iter().map(|s| u32::from(s.bps)).sum()
    }

    /// Checks the policy against the chain's cap.
    ///
    /// # Errors
    /// [`TxError::BadRoyaltyPolicy`]: too many recipients, a zero share, a duplicate
    /// recipient, or a total above `cap_bps`.
    pub fn check(&self, cap_bps: u32) -> Result<(), TxError> {
        let bad = |r: String| TxError::BadRoyaltyPolicy { reason: r };
        if self.shares.len() > MAX_RECIPIENTS {
            return Err(bad(format!(
                "{} recipients exceed {MAX_RECIPIENTS}",
                self.shares.len()
            )));
        }
        let mut seen = std::collections::BTreeSet::new();
        for s in &self.shares {
            if s.bps == 0 {
                return Err(bad(format!("zero share for {}", s.recipient)));
            }
            if !seen.insert(s.recipient) {
                return Err(bad(format!("duplicate recipient {}", s.recipient)));
            }
        }
        let cap = cap_bps.min(BPS_DENOMINATOR);
        if self.total_bps() > cap {
            return Err(bad(format!(
                "total {} bps exceeds the cap of {cap} bps",
                self.total_bps()
            )));
        }
        Ok(())
    }
}

/// `floor(amount · bps / 10000)` without overflow for any u128 amount.
pub fn bps_of(amount: u128, bps: u32) -> u128 {
    let d = u128::from(BPS_DENOMINATOR);
    let b = u128::from(bps.min(BPS_DENOMINATOR));
    // amount = q·d + r  ⇒  amount·b/d = q·b + r·b/d, and q·b ≤ amount, r·b < d².
    (amount / d) * b + (amount % d) * b / d
}

/// `ceil(amount · bps / 10000)` without overflow for any u128 amount.
pub fn bps_of_ceil(amount: u128, bps: u32) -> u128 {
    let d = u128::from(BPS_DENOMINATOR);
    let b = u128::from(bps.min(BPS_DENOMINATOR));
    // As in bps_of, plus one when the remainder's share is not whole: r·b < d², no overflow.
    (amount / d) * b + ((amount % d) * b).div_ceil(d)
}

/// How a price divides: each recipient's cut and the seller's remainder.
///
/// Cuts round *up* (ADR-004, amendment 1): rounding down let a seller avoid any royalty by
/// selling in lots priced under `10000 / bps`. Recipients are served in policy order and no
/// cut exceeds what is left of the price, so the cuts never sum above it (tiny prices with
/// several recipients) and the seller always gets exactly `price − Σ cuts`.
pub fn split(price: u128, policy: &RoyaltyPolicy) -> (Vec<(Address, u128)>, u128) {
    let mut left = price;
    let cuts: Vec<(Address, u128)> = policy
        .shares
        .iter()
        .map(|s| {
            let cut = bps_of_ceil(price, u32::from(s.bps)).min(left);
            left -= cut;
            (s.recipient, cut)
        })
        .collect();
    (cuts, left)
}

/// Pays for a sale: `price` of `denom` leaves `buyer`; each royalty recipient gets its cut and
/// `seller` the rest. Returns the royalty payments made (zero cuts are skipped).
///
/// # Errors
/// [`TxError::InsufficientFunds`] if the buyer cannot pay; overflow of a recipient balance.
pub fn pay_sale<S: StateWrite>(
    state: &mut S,
    buyer: &Address,
    seller: &Address,
    denom: &str,
    price: u128,
    policy: &RoyaltyPolicy,
) -> Result<Vec<(Address, u128)>, ExecError> {
    let (cuts, rest) = split(price, policy);
    accounts::debit(state, buyer, denom, price)?;
    let mut paid = Vec::with_capacity(cuts.len());
    for (to, cut) in cuts {
        if cut > 0 {
            accounts::credit(state, &to, denom, cut)?;
            paid.push((to, cut));
        }
    }
    if rest > 0 {
        accounts::credit(state, seller, denom, rest)?;
    }
    Ok(paid)
}

/// Pays only the royalty on a price settled elsewhere (a transfer that declares a price):
/// `payer` pays each recipient its cut of `price`. Returns the payments made.
///
/// # Errors
/// [`TxError::InsufficientFunds`] if the payer cannot cover the royalties; overflow.
pub fn pay_royalties<S: StateWrite>(
    state: &mut S,
    payer: &Address,
    denom: &str,
    price: u128,
    policy: &RoyaltyPolicy,
) -> Result<Vec<(Address, u128)>, ExecError> {
    let (cuts, _) = split(price, policy);
    let mut paid = Vec::with_capacity(cuts.len());
    for (to, cut) in cuts {
        if cut > 0 {
            accounts::move_funds(state, payer, &to, denom, cut)?;
            paid.push((to, cut));
        }
    }
    Ok(paid)
}

impl RoyaltyPolicy {
    /// Moves `from`'s share to `to` (merging with a share `to` already holds).
    ///
    /// # Errors
    /// [`TxError::NotOwner`] if `from` holds no share.
    pub fn reassign(&mut self, from: &Address, to: &Address) -> Result<(), TxError> {
        let i = self
            .shares
            .iter()
            .position(|s| s.recipient == *from)
            .ok_or_else(|| TxError::NotOwner {
                what: "a share of this royalty policy".into(),
            })?;
        let moved = self.shares.remove(i);
        if let Some(s) = self.shares.iter_mut().find(|s| s.recipient == *to) {
            s.bps = s
                .bps
                .checked_add(moved.bps)
                .ok_or_else(|| TxError::Overflow {
                    what: "royalty share".into(),
                })?;
        } else {
            self.shares.insert(
                i.min(self.shares.len()),
                RoyaltyShare {
                    recipient: *to,
                    bps: moved.bps,
                },
            );
        }
        Ok(())
    }

    /// Whether `who` holds a share.
    pub fn holds(&self, who: &Address) -> bool {
        self.shares.iter().any(|s| s.recipient == *who)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn policy(bps: &[u16]) -> RoyaltyPolicy {
        RoyaltyPolicy {
            shares: bps
                .iter()
                .enumerate()
                .map(|(i, b)| RoyaltyShare {
                    recipient: Address([i as u8 + 1; 20]),
                    bps: *b,
                })
                .collect(),
        }
    }

    #[test]
    fn policy_checks_cap_duplicates_and_zero() {
        policy(&[500, 250]).check(1000).unwrap();
        assert!(policy(&[900, 200]).check(1000).is_err());
        assert!(policy(&[0]).check(1000).is_err());
        let mut p = policy(&[100, 100]);
        p.shares[1].recipient = p.shares[0].recipient;
        assert!(p.check(1000).is_err());
        assert!(policy(&[1; 17]).check(10_000).is_err());
    }

    #[test]
    fn policy_round_trips_through_borsh() {
        let p = policy(&[500, 1, 9000]);
        let bytes = borsh::to_vec(&p).unwrap();
        // u32 LE count, then per share: address (20) ‖ bps u16 LE (docs/state.md).
        assert_eq!(bytes.len(), 4 + 3 * 22);
        assert_eq!(borsh::from_slice::<RoyaltyPolicy>(&bytes).unwrap(), p);
    }

    proptest! {
        #[test]
        fn split_conserves_the_price_and_never_overflows(
            price in any::<u128>(),
            bps in proptest::collection::vec(1u16..=625, 0..16),
        ) {
            let p = policy(&bps);
            let (cuts, rest) = split(price, &p);
            let total: u128 = cuts.iter().map(|c| c.1).sum::<u128>() + rest;
            prop_assert_eq!(total, price);
            let mut left = price;
            for ((_, cut), b) in cuts.iter().zip(&bps) {
                // ceil(price * b / 10000) (capped by what is left), in 128-bit arithmetic.
                prop_assert!(*cut <= left);
                let floor = bps_of(price, u32::from(*b));
                prop_assert!(*cut == left || *cut == floor || *cut == floor + 1);
                prop_assert!(*cut == left || *cut > 0 || price == 0);
                left -= cut;
            }
        }
    }

    #[test]
    fn small_lots_still_pay_the_royalty() {
        // 2 units of a 250-bps class for 39 upw: floor(39 * 250 / 10000) = 0 paid nothing.
        let (cuts, rest) = split(39, &policy(&[250]));
        assert_eq!(cuts[0].1, 1);
        assert_eq!(rest, 38);
        // Exact multiples are unchanged.
        let (cuts, rest) = split(10_000, &policy(&[250]));
        assert_eq!((cuts[0].1, rest), (250, 9_750));
        // Several recipients on a 1-unit price: the cuts never exceed it.
        let (cuts, rest) = split(1, &policy(&[1, 1, 1]));
        assert_eq!(cuts.iter().map(|c| c.1).collect::<Vec<_>>(), [1, 0, 0]);
        assert_eq!(rest, 0);
        assert_eq!(split(0, &policy(&[250])).0[0].1, 0);
        assert_eq!(bps_of_ceil(u128::MAX, 10_000), u128::MAX);
        assert_eq!(bps_of_ceil(u128::MAX, 1), bps_of(u128::MAX, 1) + 1);
    }
}
