//! Block hooks: `B·r` computed once per model per beacon block, power set at epoch end, block hashes pruned.

use super::*;

#[test]
fn b_times_r_is_computed_once_per_model_per_beacon_block() {
    let mut sim = Sim::new(16, 8, 4);
    sim.begin();
    let mut jobs = vec![];
    for _ in 0..3 {
        let (id, a) = sim.post(10, 1_000_000);
        let p = sim.honest(a, 10);
        sim.ok(
            "worker",
            Message::ClaimJob(proofwork_tx::ClaimJob { job_id: id }),
        );
        sim.ok(
            "worker",
            Message::CommitWork(proofwork_tx::CommitWork {
                job_id: id,
                c_root: p.c_root(),
            }),
        );
        jobs.push((id, p));
    }
    sim.end();
    sim.begin();
    sim.end();
    sim.begin();
    let n0 = sim.cache.br_len();
    for (id, p) in &jobs {
        let rows = sim.reveal_rows(*id, p, 10);
        sim.ok(
            "worker",
            Message::RevealWork(proofwork_tx::RevealWork { job_id: *id, rows }),
        );
    }
    assert_eq!(sim.cache.br_len(), n0 + 1);
}

#[test]
fn epoch_end_sets_power_from_work_with_a_floor_and_cap() {
    let mut sim = Sim::new(16, 8, 4);
    let floor = WorkParams::default().power_floor;
    for (i, pw) in [(1u8, floor), (2, floor), (3, floor)] {
        put_validator(
            &mut sim.s,
            &Validator {
                pub_key: [i; 32],
                power: pw,
                moniker: format!("v{i}"),
            },
        );
    }
    // Validator VAL_KEY earns 500 units, the others none (all hold the floor as a base).
    sim.s
        .put_raw(state_key::score(&VAL_KEY), borsh::to_vec(&500u128).unwrap());
    while sim.height % 100 != 99 {
        sim.begin();
        sim.end();
    }
    sim.begin();
    let out = sim.end();
    let vals = crate::validators::validators(&sim.s).unwrap();
    let total: u64 = vals.iter().map(|v| v.power).sum();
    let top = vals.iter().find(|v| v.pub_key == VAL_KEY).unwrap().power;
    assert!(top == floor + 500 && 3 * top < total, "{vals:?}");
    assert_eq!(out.validator_updates.len(), 1);
    assert_eq!(score(&sim.s, &VAL_KEY).unwrap(), 0, "scores reset");
}

#[test]
fn block_hashes_are_pruned_after_the_longest_window() {
    let mut s = StateDelta::new(Base::new());
    put_params(
        &mut s,
        &WorkParams {
            max_window_blocks: 3,
            ..WorkParams::default()
        },
    );
    for h in 1..=10 {
        record_block_hash(&mut s, h, &[h as u8; 32]).unwrap();
    }
    assert!(block_hash(&s, 5).unwrap().is_none());
    assert_eq!(block_hash(&s, 6).unwrap(), Some([6; 32]));
    record_block_hash(&mut s, 11, b"short").unwrap();
    assert_eq!(
        block_hash(&s, 11).unwrap(),
        Some(*blake3::hash(b"short").as_bytes())
    );
}
