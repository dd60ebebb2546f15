use std::collections::BTreeMap;

use proofwork_tx::{Address, TxError};
use proptest::prelude::*;

use super::*;
use crate::StateDelta;

fn addr(i: u8) -> Address {
    Address([i; 20])
}

type Mem = BTreeMap<Vec<u8>, Vec<u8>>;

fn funded(amounts: &[(u8, u128)]) -> Mem {
    let base = Mem::new();
    let mut d = StateDelta::new(&base);
    for (i, a) in amounts {
        mint(&mut d, &addr(*i), "upw", *a).unwrap();
    }
    d.into_writes()
        .into_iter()
        .map(|(k, v)| (k, v.unwrap()))
        .collect()
}

#[test]
fn transfer_moves_funds_and_checks_balance() {
    let base = funded(&[(1, 100)]);
    let mut d = StateDelta::new(&base);
    transfer(&mut d, &addr(1), &addr(2), "upw", 60).unwrap();
    assert_eq!(balance(&d, &addr(1), "upw").unwrap(), 40);
    assert_eq!(balance(&d, &addr(2), "upw").unwrap(), 60);
    let err = transfer(&mut d, &addr(1), &addr(2), "upw", 41).unwrap_err();
    assert!(matches!(
        err,
        ExecError::Tx(TxError::InsufficientFunds {
            balance: 40,
            needed: 41,
            ..
        })
    ));
    assert!(matches!(
        transfer(&mut d, &addr(1), &addr(2), "upw", 0),
        Err(ExecError::Tx(TxError::ZeroAmount))
    ));
    check_supply_delta(&base, d.writes()).unwrap();
}

#[test]
fn credit_overflow_is_an_error_not_a_wrap() {
    let base = funded(&[(1, u128::MAX)]);
    let mut d = StateDelta::new(&base);
    assert!(matches!(
        mint(&mut d, &addr(2), "upw", 1),
        Err(ExecError::Tx(TxError::Overflow { .. }))
    ));
}

#[test]
fn nonces_reject_replay_and_future() {
    let base = Mem::new();
    let mut d = StateDelta::new(&base);
    use_nonce(&mut d, &addr(1), 0).unwrap();
    assert!(matches!(
        use_nonce(&mut d, &addr(1), 0),
        Err(ExecError::Tx(TxError::ReplayedNonce {
            got: 0,
            expected: 1
        }))
    ));
    assert!(matches!(
        use_nonce(&mut d, &addr(1), 5),
        Err(ExecError::Tx(TxError::FutureNonce {
            got: 5,
            expected: 1
        }))
    ));
    assert_eq!(nonce(&d, &addr(1)).unwrap(), 1);
}

#[test]
fn supply_check_catches_a_balance_created_from_nothing() {
    let base = funded(&[(1, 10)]);
    let mut d = StateDelta::new(&base);
    credit(&mut d, &addr(2), "upw", 5).unwrap(); // not minted
    let err = check_supply_delta(&base, d.writes()).unwrap_err();
    assert!(err.to_string().contains("not conserved"), "{err}");
    let mut full = base.clone();
    for (k, v) in d.into_writes() {
        full.insert(k, v.unwrap());
    }
    assert!(check_supply_full(&full).is_err());
}

#[test]
fn burn_reduces_circulating_supply() {
    let base = funded(&[(1, 10)]);
    let mut d = StateDelta::new(&base);
    burn(&mut d, &addr(1), "upw", 4).unwrap();
    check_supply_delta(&base, d.writes()).unwrap();
    assert_eq!(supply(&d, "upw").unwrap().circulating(), Some(6));
}

proptest! {
    /// Total supply is unchanged by any sequence of transfers, failed ones included, and no
    /// balance ever goes negative (u128 plus checked arithmetic).
    #[test]
    fn total_supply_unchanged_by_any_sequence_of_transfers(
        start in proptest::collection::vec(0u128..1_000_000, 4),
        ops in proptest::collection::vec((0u8..4, 0u8..4, 0u128..600_000), 0..80),
    ) {
        let base = funded(&start.iter().enumerate().map(|(i, a)| (i as u8, *a)).collect::<Vec<_>>());
        let total: u128 = start.iter().sum();
        let mut block = StateDelta::new(&base);
        for (from, to, amount) in ops {
            let mut tx = StateDelta::new(&block);
            if transfer(&mut tx, &addr(from), &addr(to), "upw", amount).is_ok() {
                let w = tx.into_writes();
                block.apply(w);
            }
        }
        let sum: u128 = (0..4).map(|i| balance(&block, &addr(i), "upw").unwrap()).sum();
        prop_assert_eq!(sum, total);
        prop_assert!(check_supply_delta(&base, block.writes()).is_ok());
        let mut full = base.clone();
        for (k, v) in block.into_writes() {
            match v { Some(v) => { full.insert(k, v); } None => { full.remove(&k); } }
        }
        prop_assert!(check_supply_full(&full).is_ok());
    }
}
