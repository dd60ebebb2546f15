//! Unbonding workers: the period, claims refused, jobs held, bonds released.

use super::*;

#[test]
fn idle_worker_gets_its_bond_back_exactly_after_the_period_and_can_re_register() {
    let mut sim = Sim::new(16, 8, 8);
    set_unbonding_blocks(&mut sim, 5);
    let before = sim.bal("worker", DENOM);
    sim.begin();
    let requested = sim.height;
    let ev = sim.ok("worker", Message::UnbondWorker(proofwork_tx::UnbondWorker));
    assert_eq!(ev.kind(), "unbond_worker");
    assert_eq!(
        unbonding(&sim.s, &addr("worker").0).unwrap(),
        Some(requested + 5)
    );
    sim.end();
    while sim.height < requested + 4 {
        sim.begin();
        assert!(sim.end().events.is_empty());
    }
    // Still bonded (and in `work/bonds`) until the end of block `requested + 5`.
    assert_eq!(sim.bal("worker", DENOM), before);
    assert_eq!(bonds_held(&sim), 200_000_000);
    sim.begin();
    let out = sim.end();
    assert_eq!(out.events[0].kind(), "worker_unbonded");
    assert_eq!(sim.bal("worker", DENOM), before + 100_000_000);
    assert_eq!(bonds_held(&sim), 100_000_000); // the cheat's
    assert!(worker(&sim.s, &addr("worker").0).unwrap().is_none());
    assert_eq!(unbonding(&sim.s, &addr("worker").0).unwrap(), None);
    // Gone: a second request is an unknown worker; registering again works and can claim.
    sim.begin();
    assert_eq!(
        sim.err("worker", Message::UnbondWorker(proofwork_tx::UnbondWorker))
            .code(),
        409
    );
    sim.ok(
        "worker",
        Message::RegisterWorker(proofwork_tx::RegisterWorker {
            bond: 5_000,
            validator: None,
        }),
    );
    let (id, _) = sim.post(4, 5_000);
    sim.ok(
        "worker",
        Message::ClaimJob(proofwork_tx::ClaimJob { job_id: id }),
    );
    sim.end();
    assert_eq!(sim.bal("worker", DENOM), before + 100_000_000 - 5_000);
}

#[test]
fn unbonding_worker_cannot_claim_stays_slashable_and_is_released_once_its_job_resolves() {
    let mut sim = Sim::new(16, 8, 8);
    set_unbonding_blocks(&mut sim, 5);
    let before = sim.bal("worker", DENOM);
    sim.begin();
    let (held, _) = sim.post(4, 1_000_000);
    let (other, _) = sim.post(4, 1_000_000);
    sim.ok(
        "worker",
        Message::ClaimJob(proofwork_tx::ClaimJob { job_id: held }),
    );
    let JobStatus::Claimed {
        commit_deadline, ..
    } = sim.status(held)
    else {
        panic!()
    };
    sim.ok("worker", Message::UnbondWorker(proofwork_tx::UnbondWorker));
    // From now on: no claims, no top-ups, no second request — each with its own code.
    let e = sim.err(
        "worker",
        Message::ClaimJob(proofwork_tx::ClaimJob { job_id: other }),
    );
    assert_eq!(e.code(), 424, "{e}");
    let e = sim.err(
        "worker",
        Message::RegisterWorker(proofwork_tx::RegisterWorker {
            bond: 1_000,
            validator: None,
        }),
    );
    assert_eq!(e.code(), 424, "{e}");
    let e = sim.err("worker", Message::UnbondWorker(proofwork_tx::UnbondWorker));
    assert_eq!(e.code(), 423, "{e}");
    sim.end();
    // The period (5 blocks) ends long before the job's commit deadline (20): the bond waits.
    while sim.height < commit_deadline - 1 {
        sim.begin();
        let out = sim.end();
        assert!(out.events.iter().all(|e| e.kind() != "worker_unbonded"));
    }
    assert_eq!(
        worker(&sim.s, &addr("worker").0).unwrap().unwrap().bond,
        100_000_000
    );
    // The missed commit is slashed (10%) at the deadline's block end, then the rest released.
    sim.begin();
    let out = sim.end();
    let kinds: Vec<_> = out.events.iter().map(|e| e.kind()).collect();
    assert_eq!(kinds, ["work_slashed", "worker_unbonded"]);
    assert_eq!(sim.status(held), JobStatus::Open);
    assert_eq!(sim.bal("worker", DENOM), before + 90_000_000);
    assert!(worker(&sim.s, &addr("worker").0).unwrap().is_none());
    assert_eq!(bonds_held(&sim), 100_000_000);
    // Another worker can take both jobs.
    sim.begin();
    sim.ok(
        "cheat",
        Message::ClaimJob(proofwork_tx::ClaimJob { job_id: held }),
    );
    sim.ok(
        "cheat",
        Message::ClaimJob(proofwork_tx::ClaimJob { job_id: other }),
    );
    sim.end();
}

#[test]
fn unbonding_worker_may_finish_the_job_it_holds_and_is_paid() {
    let mut sim = Sim::new(32, 16, 8);
    set_unbonding_blocks(&mut sim, 1);
    let before = sim.bal("worker", DENOM);
    sim.begin();
    let (id, a) = sim.post(20, 1_000_000);
    sim.ok(
        "worker",
        Message::ClaimJob(proofwork_tx::ClaimJob { job_id: id }),
    );
    sim.ok("worker", Message::UnbondWorker(proofwork_tx::UnbondWorker));
    let proof = sim.honest(a, 20);
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
    assert!(worker(&sim.s, &addr("worker").0).unwrap().is_some());
    sim.begin();
    let rows = sim.reveal_rows(id, &proof, 20);
    sim.ok(
        "worker",
        Message::RevealWork(proofwork_tx::RevealWork { job_id: id, rows }),
    );
    let out = sim.end();
    assert_eq!(out.events[0].kind(), "worker_unbonded");
    assert_eq!(sim.bal("worker", DENOM), before + 810_000 + 100_000_000);
}

#[test]
fn unbond_from_an_unknown_worker_is_refused() {
    let mut sim = Sim::new(16, 8, 8);
    sim.begin();
    let e = sim.err("client", Message::UnbondWorker(proofwork_tx::UnbondWorker));
    assert!(matches!(e, TxError::NotWorker { .. }), "{e}");
    assert_eq!(e.code(), 409);
    sim.end();
}
