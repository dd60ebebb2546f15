//! Outcomes of whole jobs: payment, slashing, expiry, missed and late deadlines, cancellation.

use super::*;

// ---- outcomes ----

#[test]
fn honest_job_pays_worker_royalty_burn_and_mints_credits() {
    let mut sim = Sim::new(32, 16, 8);
    let before = sim.bal("worker", DENOM);
    let supply_before = accounts::supply(&sim.s, DENOM).unwrap();
    assert_eq!(sim.run_job("worker", 20, &[]), "work_verified");
    assert!(matches!(sim.status(1), JobStatus::Verified { .. }));
    // price 1_000_000: 10% burned, royalty 10% of the remaining 900_000, worker the rest.
    assert_eq!(sim.bal("artist", DENOM), 90_000);
    assert_eq!(sim.bal("worker", DENOM) - before, 810_000);
    let sup = accounts::supply(&sim.s, DENOM).unwrap();
    assert_eq!(sup.burned - supply_before.burned, 100_000);
    // 20·32·16 = 10240 MACs < 65536 per credit: the minimum of one credit.
    assert_eq!(sim.bal("worker", CREDIT_DENOM), 1);
    assert_eq!(score(&sim.s, &VAL_KEY).unwrap(), 1);
    let w = worker(&sim.s, &addr("worker").0).unwrap().unwrap();
    assert_eq!((w.jobs_verified, w.active_claims, w.slashes), (1, 0, 0));
    assert_eq!(model(&sim.s, 1).unwrap().unwrap().royalties_paid, 90_000);
}

#[test]
fn failed_spot_check_slashes_bond_pays_client_and_reopens() {
    let mut sim = Sim::new(16, 8, 64);
    let client_before = sim.bal("client", DENOM);
    // m = 10 ≤ 64 samples: every row is checked, so a forged row is always caught.
    assert_eq!(sim.run_job("cheat", 10, &[3]), "work_slashed");
    assert_eq!(sim.status(1), JobStatus::Open);
    let w = worker(&sim.s, &addr("cheat").0).unwrap().unwrap();
    // 50% of the 100_000_000 bond, half of that to the client (who also paid 1_000_000 escrow).
    assert_eq!(w.bond, 50_000_000);
    assert_eq!(
        sim.bal("client", DENOM),
        client_before - 1_000_000 + 25_000_000
    );
    assert_eq!(sim.bal("cheat", CREDIT_DENOM), 0);
    // Reopened: an honest worker can now take it.
    sim.begin();
    sim.ok(
        "worker",
        Message::ClaimJob(proofwork_tx::ClaimJob { job_id: 1 }),
    );
    sim.end();
}

#[test]
fn job_expires_after_max_attempts_and_refunds_client() {
    let mut sim = Sim::new(16, 8, 64);
    let before = sim.bal("client", DENOM);
    for round in 0..3 {
        sim.begin();
        if round == 0 {
            sim.post(4, 1_000_000);
        }
        sim.ok(
            "cheat",
            Message::ClaimJob(proofwork_tx::ClaimJob { job_id: 1 }),
        );
        let deadline = sim.height + 20;
        sim.end();
        while sim.height < deadline {
            sim.begin();
            sim.end();
        }
    }
    assert!(matches!(sim.status(1), JobStatus::Expired { .. }));
    // Escrow refunded, plus half of each missed-commit slash (10% of the bond each time).
    let slashed_to_client = 5_000_000 + 4_500_000 + 4_050_000;
    assert_eq!(sim.bal("client", DENOM), before + slashed_to_client);
}

#[test]
fn missed_commit_is_partially_slashed_at_block_end() {
    let mut sim = Sim::new(16, 8, 8);
    sim.begin();
    sim.post(4, 1_000_000);
    sim.ok(
        "worker",
        Message::ClaimJob(proofwork_tx::ClaimJob { job_id: 1 }),
    );
    let JobStatus::Claimed {
        commit_deadline, ..
    } = sim.status(1)
    else {
        panic!()
    };
    sim.end();
    while sim.height < commit_deadline - 1 {
        sim.begin();
        sim.end();
    }
    assert!(matches!(sim.status(1), JobStatus::Claimed { .. }));
    sim.begin();
    let out = sim.end();
    assert_eq!(out.events[0].kind(), "work_slashed");
    assert_eq!(sim.status(1), JobStatus::Open);
    let w = worker(&sim.s, &addr("worker").0).unwrap().unwrap();
    assert_eq!(w.bond, 90_000_000);
}

#[test]
fn late_reveal_is_refused_and_slashed() {
    let mut sim = Sim::new(16, 8, 8);
    sim.begin();
    let (id, a) = sim.post(12, 1_000_000);
    sim.ok(
        "worker",
        Message::ClaimJob(proofwork_tx::ClaimJob { job_id: id }),
    );
    let proof = sim.honest(a, 12);
    sim.ok(
        "worker",
        Message::CommitWork(proofwork_tx::CommitWork {
            job_id: id,
            c_root: proof.c_root(),
        }),
    );
    let JobStatus::Committed {
        reveal_deadline, ..
    } = sim.status(id)
    else {
        panic!()
    };
    sim.end();
    while sim.height < reveal_deadline {
        sim.begin();
        sim.end();
    }
    // The deadline block ended: slashed and reopened.
    assert_eq!(sim.status(id), JobStatus::Open);
    let w = worker(&sim.s, &addr("worker").0).unwrap().unwrap();
    assert_eq!(w.bond, 50_000_000);
    // A reveal now is refused (the job is no longer committed).
    sim.begin();
    let e = sim.err(
        "worker",
        Message::RevealWork(proofwork_tx::RevealWork {
            job_id: id,
            rows: vec![],
        }),
    );
    assert_eq!(e.code(), 412, "{e}");
}

#[test]
fn reveal_after_deadline_height_is_refused() {
    let mut sim = Sim::new(16, 8, 8);
    sim.begin();
    let (id, a) = sim.post(12, 1_000_000);
    sim.ok(
        "worker",
        Message::ClaimJob(proofwork_tx::ClaimJob { job_id: id }),
    );
    let proof = sim.honest(a, 12);
    sim.ok(
        "worker",
        Message::CommitWork(proofwork_tx::CommitWork {
            job_id: id,
            c_root: proof.c_root(),
        }),
    );
    sim.end();
    sim.begin();
    sim.end();
    // Execute at a height past the deadline without the end-of-block sweep having run.
    sim.height += 100;
    sim.begin();
    let rows = sim.reveal_rows(id, &proof, 12);
    assert!(matches!(
        sim.err(
            "worker",
            Message::RevealWork(proofwork_tx::RevealWork { job_id: id, rows })
        ),
        TxError::DeadlinePassed { .. }
    ));
}

#[test]
fn cancel_refunds_only_open_jobs_of_their_client() {
    let mut sim = Sim::new(16, 8, 8);
    sim.begin();
    let before = sim.bal("client", DENOM);
    sim.post(4, 5_000);
    assert!(matches!(
        sim.err(
            "worker",
            Message::CancelJob(proofwork_tx::CancelJob { job_id: 1 })
        ),
        TxError::NotJobClient { .. }
    ));
    sim.ok(
        "client",
        Message::CancelJob(proofwork_tx::CancelJob { job_id: 1 }),
    );
    assert_eq!(sim.bal("client", DENOM), before);
    assert!(matches!(
        sim.err(
            "worker",
            Message::ClaimJob(proofwork_tx::ClaimJob { job_id: 1 })
        ),
        TxError::JobState { .. }
    ));
}
