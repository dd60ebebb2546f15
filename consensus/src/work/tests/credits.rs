//! Paying for jobs in compute credits.

use super::*;

/// Smaller credits, so the small test jobs are worth more than the minimum of one.
pub(super) fn set_macs_per_credit(sim: &mut Sim, macs: u64) {
    let p = WorkParams {
        macs_per_credit: macs,
        ..params(&sim.s).unwrap()
    };
    put_params(&mut sim.s, &p);
}

#[test]
fn credit_paid_job_pays_royalties_in_credits_and_the_worker_the_rest_without_mint_or_score() {
    let mut sim = Sim::new(32, 16, 8);
    // 20·32·16 = 10240 MACs = 40 credits at 256 MACs each: the job's exact credit price.
    set_macs_per_credit(&mut sim, 256);
    grant_credits(&mut sim, "client", 100);
    let native_before = sim.bal("worker", DENOM);
    let credit_supply = accounts::supply(&sim.s, CREDIT_DENOM).unwrap();
    let native_supply = accounts::supply(&sim.s, DENOM).unwrap();
    assert_eq!(
        sim.run_job_in("worker", 20, &[], 40, Some(CREDIT_DENOM)),
        "work_verified"
    );
    assert!(matches!(sim.status(1), JobStatus::Verified { .. }));
    assert_eq!(sim.bal("client", CREDIT_DENOM), 60);
    // The model's policy (10 % to the artist) is paid in credits; the worker gets
    // the rest.
    let royalty = 40 * 1_000 / 10_000;
    assert!(royalty > 0);
    assert_eq!(sim.bal("artist", CREDIT_DENOM), royalty);
    assert_eq!(sim.bal("worker", CREDIT_DENOM), 40 - royalty);
    assert_eq!(model_credit_royalties(&sim.s, 1).unwrap(), royalty);
    // Nothing minted or burned in either denomination; no native pay or royalty.
    assert_eq!(
        accounts::supply(&sim.s, CREDIT_DENOM).unwrap(),
        credit_supply
    );
    assert_eq!(accounts::supply(&sim.s, DENOM).unwrap(), native_supply);
    assert_eq!(sim.bal("artist", DENOM), 0);
    assert_eq!(model(&sim.s, 1).unwrap().unwrap().royalties_paid, 0);
    assert_eq!(sim.bal("worker", DENOM), native_before);
    // No work score: power counts only work paid in the chain denomination.
    assert_eq!(score(&sim.s, &VAL_KEY).unwrap(), 0);
    let w = worker(&sim.s, &addr("worker").0).unwrap().unwrap();
    assert_eq!(
        (w.jobs_verified, w.active_claims, w.credits_earned),
        (1, 0, 0)
    );
    assert_eq!(job_denom(&sim.s, 1, DENOM).unwrap(), CREDIT_DENOM);
    // A job in the chain denomination still mints and earns score as before.
    assert_eq!(sim.run_job("worker", 20, &[]), "work_verified");
    assert_eq!(score(&sim.s, &VAL_KEY).unwrap(), 40);
    assert_eq!(sim.bal("worker", CREDIT_DENOM), 80 - royalty);
    assert_eq!(job_denom(&sim.s, 2, DENOM).unwrap(), DENOM);
}

#[test]
fn failed_credit_job_reopens_and_cancel_or_expiry_returns_the_credits() {
    let mut sim = Sim::new(16, 8, 64);
    // 10·16·8 = 1280 MACs = 20 credits; the second job, 4 rows, 8 credits.
    set_macs_per_credit(&mut sim, 64);
    grant_credits(&mut sim, "client", 100);
    let client_native = sim.bal("client", DENOM);
    assert_eq!(
        sim.run_job_in("cheat", 10, &[3], 20, Some(CREDIT_DENOM)),
        "work_slashed"
    );
    assert_eq!(sim.status(1), JobStatus::Open);
    // The escrow stays; the slash is paid in the bond's (chain) denomination as before.
    assert_eq!(sim.bal("client", CREDIT_DENOM), 80);
    assert_eq!(sim.bal("cheat", CREDIT_DENOM), 0);
    assert_eq!(sim.bal("client", DENOM), client_native + 25_000_000);
    sim.begin();
    sim.ok(
        "client",
        Message::CancelJob(proofwork_tx::CancelJob { job_id: 1 }),
    );
    sim.end();
    assert_eq!(sim.bal("client", CREDIT_DENOM), 100);
    // Expiry after max_attempts missed commits refunds credits too.
    for round in 0..3 {
        sim.begin();
        if round == 0 {
            sim.post_in(4, 8, Some(CREDIT_DENOM));
        }
        sim.ok(
            "cheat",
            Message::ClaimJob(proofwork_tx::ClaimJob { job_id: 2 }),
        );
        let deadline = sim.height + 20;
        sim.end();
        while sim.height < deadline {
            sim.begin();
            sim.end();
        }
    }
    assert!(matches!(sim.status(2), JobStatus::Expired { .. }));
    assert_eq!(sim.bal("client", CREDIT_DENOM), 100);
    let escrow = accounts::module_address(state_key::ESCROW_MODULE);
    assert_eq!(accounts::balance(&sim.s, &escrow, CREDIT_DENOM).unwrap(), 0);
}

#[test]
fn credit_jobs_need_enough_credits_a_known_denom_and_the_exact_credit_price() {
    let mut sim = Sim::new(32, 16, 8);
    // 20·32·16 = 10240 MACs = 20 credits at 512 MACs each.
    set_macs_per_credit(&mut sim, 512);
    grant_credits(&mut sim, "client", 10);
    sim.begin();
    let post = |price: u128, denom: &str| {
        Message::PostJob(proofwork_tx::PostJob {
            model_id: 1,
            a_root: [1; 32],
            m: 20,
            price,
            commit_blocks: 0,
            reveal_blocks: 0,
            denom: Some(denom.into()),
        })
    };
    let e = sim.err("client", post(20, CREDIT_DENOM));
    assert!(matches!(e, TxError::InsufficientFunds { .. }), "{e}");
    assert_eq!(e.code(), 10);
    let e = sim.err("client", post(5, "gold"));
    assert!(matches!(e, TxError::BadJobDenom { .. }), "{e}");
    assert_eq!(e.code(), 425);
    let e = sim.err("client", post(19, CREDIT_DENOM));
    assert!(matches!(e, TxError::PriceTooLow { min: 20, .. }), "{e}");
    assert_eq!(e.code(), 420);
    // Over-pricing a job would let credits ride along to a colluding worker: refused.
    let e = sim.err("client", post(21, CREDIT_DENOM));
    assert!(
        matches!(e, TxError::CreditPriceTooHigh { max: 20, .. }),
        "{e}"
    );
    assert_eq!(e.code(), 426);
    // The chain denomination named explicitly is the same as leaving it empty.
    sim.ok("client", post(1_000, DENOM));
    grant_credits(&mut sim, "client", 10);
    sim.ok("client", post(20, CREDIT_DENOM));
    assert_eq!(sim.bal("client", CREDIT_DENOM), 0);
    sim.end();
}

#[test]
fn credits_stay_non_transferable_outside_jobs() {
    let mut sim = Sim::new(16, 8, 8);
    grant_credits(&mut sim, "client", 10);
    sim.begin();
    let e = accounts::transfer(
        &mut sim.s,
        &addr("client"),
        &addr("worker"),
        CREDIT_DENOM,
        5,
    )
    .unwrap_err();
    assert!(
        matches!(e, ExecError::Tx(TxError::NonTransferable { .. })),
        "{e:?}"
    );
    // Bonds are in the chain denomination only: a worker cannot bond (or unbond) credits.
    assert_eq!(sim.bal("client", CREDIT_DENOM), 10);
    sim.end();
}
