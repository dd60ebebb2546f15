use std::collections::BTreeMap;

use proofwork_state::StateDelta;
use proofwork_tx::{Address, TxError};
use proptest::prelude::*;

use super::*;

type Mem = BTreeMap<Vec<u8>, Vec<u8>>;

fn key(i: u8) -> [u8; 32] {
    [i; 32]
}

fn op(i: u8) -> Address {
    Address([i; 20])
}

/// `n` validators of power 10, validator i operated by `op(i)`.
fn set(n: u8) -> Mem {
    let base = Mem::new();
    let mut d = StateDelta::new(&base);
    for i in 1..=n {
        put_validator(
            &mut d,
            &Validator {
                pub_key: key(i),
                power: 10,
                moniker: format!("v{i}"),
            },
        );
        bind_operator(&mut d, &key(i), &op(i));
    }
    d.into_writes()
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k, v)))
        .collect()
}

fn code(e: ExecError) -> u32 {
    match e {
        ExecError::Tx(e) => e.code(),
        ExecError::State(e) => panic!("state error {e}"),
    }
}

#[test]
fn admission_needs_more_than_two_thirds_of_power() {
    let base = set(4);
    let mut d = StateDelta::new(&base);
    let id = apply(&mut d, &op(50), &key(50), "new", &[0; 32], 3).unwrap();
    assert_eq!(vote(&mut d, &op(1), id, true).unwrap(), Status::Pending);
    assert_eq!(vote(&mut d, &op(2), id, true).unwrap(), Status::Pending);
    // 20/40 is not > 2/3; 30/40 is.
    assert_eq!(vote(&mut d, &op(3), id, true).unwrap(), Status::Admitted);
    let v = validators::validator(&d, &key(50)).unwrap().unwrap();
    assert_eq!(v.power, 10);
    assert_eq!(validator_of(&d, &op(50)).unwrap().unwrap().pub_key, key(50));
    assert!(applications(&d).unwrap().is_empty());
    let before = validators::validators(&base).unwrap();
    let after = validators::validators(&d).unwrap();
    assert_eq!(
        validator_updates(&before, &after),
        vec![ValidatorUpdate {
            pub_key: key(50),
            power: 10
        }]
    );
}

#[test]
fn a_third_rejecting_closes_the_application() {
    let base = set(3);
    let mut d = StateDelta::new(&base);
    let id = apply(&mut d, &op(50), &key(50), "new", &[0; 32], 1).unwrap();
    assert_eq!(vote(&mut d, &op(1), id, false).unwrap(), Status::Rejected);
    assert_eq!(
        code(vote(&mut d, &op(2), id, true).unwrap_err()),
        TxError::UnknownApplication { application_id: 0 }.code()
    );
    // The key may apply again once closed.
    apply(&mut d, &op(50), &key(50), "again", &[0; 32], 2).unwrap();
}

#[test]
fn removal_by_vote_and_updates_carry_power_zero() {
    let base = set(5);
    let mut d = StateDelta::new(&base);
    let (id, st) = propose_removal(&mut d, &op(1), &key(5), 1).unwrap();
    assert_eq!(st, Status::Pending);
    vote(&mut d, &op(2), id, true).unwrap();
    vote(&mut d, &op(3), id, true).unwrap();
    // 40/50 > 2/3
    assert_eq!(vote(&mut d, &op(4), id, true).unwrap(), Status::Removed);
    assert!(validators::validator(&d, &key(5)).unwrap().is_none());
    assert!(validator_of(&d, &op(5)).unwrap().is_none());
    let ups = validator_updates(
        &validators::validators(&base).unwrap(),
        &validators::validators(&d).unwrap(),
    );
    assert_eq!(
        ups,
        vec![ValidatorUpdate {
            pub_key: key(5),
            power: 0
        }]
    );
}

#[test]
fn votes_from_non_validators_are_refused() {
    let base = set(4);
    let mut d = StateDelta::new(&base);
    let id = apply(&mut d, &op(50), &key(50), "new", &[0; 32], 1).unwrap();
    assert_eq!(code(vote(&mut d, &op(99), id, true).unwrap_err()), 100);
    assert_eq!(
        code(propose_removal(&mut d, &op(99), &key(1), 1).unwrap_err()),
        100
    );
}

#[test]
fn double_votes_are_refused() {
    let base = set(4);
    let mut d = StateDelta::new(&base);
    let id = apply(&mut d, &op(50), &key(50), "new", &[0; 32], 1).unwrap();
    vote(&mut d, &op(1), id, true).unwrap();
    assert_eq!(code(vote(&mut d, &op(1), id, false).unwrap_err()), 101);
    // The proposer of a removal has already voted.
    let (rid, _) = propose_removal(&mut d, &op(1), &key(2), 1).unwrap();
    assert_eq!(code(vote(&mut d, &op(1), rid, true).unwrap_err()), 101);
}

#[test]
fn applying_with_a_key_in_the_set_or_pending_is_refused() {
    let base = set(4);
    let mut d = StateDelta::new(&base);
    assert_eq!(
        code(apply(&mut d, &op(50), &key(1), "dup", &[0; 32], 1).unwrap_err()),
        103
    );
    apply(&mut d, &op(50), &key(50), "new", &[0; 32], 1).unwrap();
    assert_eq!(
        code(apply(&mut d, &op(51), &key(50), "dup", &[0; 32], 1).unwrap_err()),
        105
    );
    // One open application per applicant, and operators of validators cannot apply.
    assert_eq!(
        code(apply(&mut d, &op(50), &key(51), "two", &[0; 32], 1).unwrap_err()),
        109
    );
    assert_eq!(
        code(apply(&mut d, &op(1), &key(52), "op", &[0; 32], 1).unwrap_err()),
        109
    );
}

#[test]
fn unknown_application_and_validator_are_refused() {
    let base = set(4);
    let mut d = StateDelta::new(&base);
    assert_eq!(code(vote(&mut d, &op(1), 7, true).unwrap_err()), 104);
    assert_eq!(
        code(propose_removal(&mut d, &op(1), &key(77), 1).unwrap_err()),
        106
    );
}

#[test]
fn the_last_validator_cannot_be_removed() {
    let base = set(1);
    let mut d = StateDelta::new(&base);
    assert_eq!(
        code(propose_removal(&mut d, &op(1), &key(1), 1).unwrap_err()),
        107
    );
}

#[test]
fn a_single_validator_admits_alone_and_powers_stay_equal_below_four() {
    let base = set(1);
    let mut d = StateDelta::new(&base);
    let id = apply(&mut d, &op(50), &key(50), "second", &[0; 32], 1).unwrap();
    assert_eq!(vote(&mut d, &op(1), id, true).unwrap(), Status::Admitted);
    let powers: Vec<u64> = validators::validators(&d)
        .unwrap()
        .iter()
        .map(|v| v.power)
        .collect();
    assert_eq!(powers, vec![10, 10]);
}

#[test]
fn removed_validators_votes_no_longer_count() {
    let base = set(4);
    let mut d = StateDelta::new(&base);
    let id = apply(&mut d, &op(50), &key(50), "new", &[0; 32], 1).unwrap();
    vote(&mut d, &op(4), id, true).unwrap();
    let (rid, _) = propose_removal(&mut d, &op(1), &key(4), 1).unwrap();
    vote(&mut d, &op(2), rid, true).unwrap();
    assert_eq!(vote(&mut d, &op(3), rid, true).unwrap(), Status::Removed);
    // Now 3 validators (30): validator 4's approval is gone, 1 and 2 make 20/30 = 2/3: not >.
    assert_eq!(vote(&mut d, &op(1), id, true).unwrap(), Status::Pending);
    assert_eq!(
        tally(&d, &application(&d, id).unwrap().unwrap())
            .unwrap()
            .approve,
        10
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// Whatever the votes, an application is admitted only when the approving current
    /// validators hold more than 2/3 of the power, and no validator ends with ≥ 1/3 when
    /// there are at least four.
    #[test]
    fn admission_requires_a_supermajority(
        n in 1u8..8,
        votes in proptest::collection::vec((1u8..8, any::<bool>()), 0..12),
    ) {
        let base = set(n);
        let mut d = StateDelta::new(&base);
        let id = apply(&mut d, &op(100), &key(100), "cand", &[0; 32], 1).unwrap();
        let mut approve = 0u64;
        let mut reject = 0u64;
        let mut voted = std::collections::BTreeSet::new();
        let mut final_status = Status::Pending;
        for (who, yes) in votes {
            if final_status != Status::Pending { break; }
            let r = vote(&mut d, &op(who), id, yes);
            if who > n {
                prop_assert_eq!(code(r.unwrap_err()), 100);
                continue;
            }
            if !voted.insert(who) {
                prop_assert_eq!(code(r.unwrap_err()), 101);
                continue;
            }
            if yes { approve += 10 } else { reject += 10 }
            final_status = r.unwrap();
            let total = 10 * u64::from(n);
            match final_status {
                Status::Admitted => prop_assert!(3 * approve > 2 * total),
                Status::Rejected => prop_assert!(3 * reject >= total),
                Status::Pending => prop_assert!(3 * approve <= 2 * total && 3 * reject < total),
                Status::Removed => prop_assert!(false),
            }
        }
        let set = validators::validators(&d).unwrap();
        let total: u64 = set.iter().map(|v| v.power).sum();
        if set.len() >= 4 {
            prop_assert!(set.iter().all(|v| 3 * v.power < total));
        }
    }
}

#[test]
fn admission_errors_have_distinct_codes_in_the_validator_range() {
    let s = String::new;
    let errors = [
        TxError::NotValidatorOperator { address: s() },
        TxError::DoubleVote { application_id: 0 },
        TxError::BadConsensusKey { reason: s() },
        TxError::AlreadyValidator { key: s() },
        TxError::UnknownApplication { application_id: 0 },
        TxError::ApplicationPending { key: s() },
        TxError::UnknownValidator { key: s() },
        TxError::LastValidator,
        TxError::BadMoniker { reason: s() },
        TxError::OperatorInUse { address: s() },
    ];
    let codes: std::collections::BTreeSet<u32> = errors.iter().map(TxError::code).collect();
    let names: std::collections::BTreeSet<&str> =
        errors.iter().map(TxError::codespace_name).collect();
    assert_eq!(codes.len(), errors.len());
    assert_eq!(names.len(), errors.len());
    assert!(codes.iter().all(|c| (100..200).contains(c)));
}
