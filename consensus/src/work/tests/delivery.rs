//! Delivery of C and the other tests added with issue 14 (sizes, windows, reveal parts).

use super::credits::set_macs_per_credit;
use super::*;

// ---- sizes and windows (docs/work.md "Sizes and windows") ----

/// Every shape `RegisterModel` and `PostJob` accept under the default genesis limits is
/// revealable: each planned part, encoded as the worker sends it with full-depth proofs,
/// fits a tx of `max_tx_bytes` with room for the body and signature; and the largest
/// shapes are refused up front rather than at the reveal.
#[test]
fn every_accepted_shape_reveals_in_parts_that_fit_a_tx() {
    let p = WorkParams::default();
    let max_tx: u64 = 1 << 20;
    let mdl = |k, n| Model {
        id: 1,
        owner: [0; 20],
        k,
        n,
        b_root: [0; 32],
        royalties: vec![],
        rows_uploaded: k,
        active: true,
        registered_height: 1,
        jobs_verified: 0,
        royalties_paid: 0,
    };
    let mut accepted = 0;
    for (k, n) in [
        (1, 1),
        (128, 128),
        (4096, 4096),
        (1024, 65_536),
        (131_071, 512),
        (16_384, 4096),
        (65_536, 1024),
    ] {
        if k * n > p.max_model_bytes as u32 || n > p.max_n {
            continue;
        }
        // RegisterModel's rule (deepest proofs: m = max_m).
        let fits = reveal_rows_per_tx(max_tx, p.max_m, k, n) > 0;
        assert!(fits, "{k}×{n} is a legal model but could not be revealed");
        for m in [1u32, 7, 96, 4096, 16_384, 1 << 20, p.max_m] {
            let Ok((cw, rw)) = exec::job_windows(&p, max_tx, m, &mdl(k, n), 0, 0) else {
                continue; // refused up front: fine
            };
            accepted += 1;
            let per = reveal_rows_per_tx(max_tx, m, k, n) as usize;
            let depth = tree_depth(m) as usize;
            let take = per.min(sampled_count(&p, m) as usize);
            let row = RevealedRow {
                index: u64::from(m - 1),
                a_row: vec![0xff; k as usize].into(),
                c_row: vec![0xff; 4 * n as usize].into(),
                a_proof: vec![[0xff; 32]; depth],
                c_proof: vec![[0xff; 32]; depth],
            };
            let msg = Message::RevealWork(proofwork_tx::RevealWork {
                job_id: u64::MAX,
                rows: vec![row; take],
            });
            // The whole signed tx, with the largest nonce and fee and a 64-byte chain id.
            let tx = proofwork_tx::sign_body(
                &SecretKey::from_seed("w"),
                &proofwork_tx::TxBody {
                    chain_id: "c".repeat(64),
                    nonce: u64::MAX,
                    fee: u128::MAX,
                    messages: vec![msg],
                },
            );
            let bytes = tx.len() as u64;
            assert!(
                bytes <= max_tx,
                "{m}×{k}×{n}: a part of {take} rows is {bytes} bytes"
            );
            let parts = reveal_parts(&p, max_tx, m, k, n).unwrap();
            assert!(u64::from(rw) >= reveal_floor(&p, parts));
            assert!(u64::from(cw) >= commit_floor(&p, m, k, n));
        }
    }
    assert!(accepted > 20, "only {accepted} shapes accepted");
    // The sizes are accepted by default: 4096³ and m = 16384 on a 4096² model.
    for m in [4096, 16_384] {
        let (cw, rw) = exec::job_windows(&p, max_tx, m, &mdl(4096, 4096), 0, 0).unwrap();
        assert!(cw >= 20 && rw >= 3, "{m}: {cw}/{rw}");
        assert!(reveal_parts(&p, max_tx, m, 4096, 4096).unwrap() >= 2);
    }
    // A job whose C would not fit a blob is refused at PostJob, not discovered later.
    assert!(matches!(
        exec::job_windows(&p, max_tx, 1 << 17, &mdl(4096, 4096), 0, 0),
        Err(ExecError::Tx(TxError::JobTooLarge { .. }))
    ));
}

#[test]
fn a_model_whose_reveal_row_cannot_fit_a_tx_is_refused() {
    let mut sim = Sim::new(16, 8, 8);
    sim.max_tx_bytes = 64 << 10;
    sim.begin();
    let e = sim.err(
        "owner",
        Message::RegisterModel(proofwork_tx::RegisterModel {
            k: 1024,
            n: 16_384,
            b_root: [1; 32],
            royalties: vec![],
        }),
    );
    assert_eq!(e.code(), 427, "{e}");
    sim.end();
}

/// A client cannot set windows no real GEMM meets: windows below the job's floor are
/// refused, and 0 takes the larger of the default and the floor.
#[test]
fn windows_have_a_floor_scaled_to_the_job() {
    let p = WorkParams {
        sample_rows: 8,
        delivery_hold_bps: 0,
        ref_macs_per_block: 1 << 16,
        ..WorkParams::default()
    };
    let mut sim = Sim::with(64, 64, p.clone());
    sim.begin();
    // 256·64·64 = 2^20 MACs at 2^16 per block: 16 blocks + 2 slack.
    let floor = commit_floor(&p, 256, 64, 64);
    assert_eq!(floor, 18);
    let a = sim.rng.i8s(256 * 64);
    let root = i8_root(&a, 256, 64).unwrap();
    let post = |c, r| {
        Message::PostJob(proofwork_tx::PostJob {
            model_id: 1,
            a_root: root,
            m: 256,
            price: 1_000_000,
            commit_blocks: c,
            reveal_blocks: r,
            denom: None,
        })
    };
    let e = sim.err("client", post(1, 0));
    assert_eq!(e.code(), 422, "{e}");
    assert!(e.to_string().contains("outside 18..="), "{e}");
    let e = sim.err("client", post(0, 1));
    assert_eq!(e.code(), 422, "{e}");
    sim.ok("client", post(18, 3));
    // A bigger job: the default (20) is below its floor, so 0 gives the floor.
    let a2 = sim.rng.i8s(1024 * 64);
    let root2 = i8_root(&a2, 1024, 64).unwrap();
    sim.ok(
        "client",
        Message::PostJob(proofwork_tx::PostJob {
            model_id: 1,
            a_root: root2,
            m: 1024,
            price: 1_000_000,
            commit_blocks: 0,
            reveal_blocks: 0,
            denom: None,
        }),
    );
    let j = job(&sim.s, 2).unwrap().unwrap();
    assert_eq!(j.commit_blocks as u64, commit_floor(&p, 1024, 64, 64));
    assert_eq!(j.commit_blocks, 66);
    sim.end();
}

#[test]
fn an_honest_worker_is_never_slashed_for_a_job_the_chain_accepted() {
    let p = WorkParams {
        sample_rows: 96,
        delivery_hold_bps: 0,
        ref_macs_per_block: 1 << 18,
        ..WorkParams::default()
    };
    let mut sim = Sim::with(256, 256, p.clone());
    // Small txs, so the reveal of 96 rows of 256 + 1024 bytes needs several parts.
    sim.max_tx_bytes = 16 << 10;
    for m in [8u32, 96, 300, 1000] {
        let mdl = model(&sim.s, 1).unwrap().unwrap();
        // The tightest windows the chain accepts for this job.
        let (cw, rw) = {
            let parts = reveal_parts(&p, sim.max_tx_bytes, m, 256, 256).unwrap();
            (
                commit_floor(&p, m, mdl.k, mdl.n) as u32,
                reveal_floor(&p, parts) as u32,
            )
        };
        let id = reference_worker_run(&mut sim, m, cw, rw);
        assert!(
            matches!(sim.status(id), JobStatus::Verified { .. }),
            "m = {m}: {:?}",
            sim.status(id)
        );
    }
    let w = worker(&sim.s, &addr("worker").0).unwrap().unwrap();
    assert_eq!((w.slashes, w.jobs_verified), (0, 4));
}

#[test]
fn a_split_reveal_is_checked_part_by_part_in_order() {
    let mut sim = Sim::new(256, 256, 96);
    sim.max_tx_bytes = 16 << 10;
    let m = 200;
    // Rows ≥ 100 are forged: a later part fails after an earlier one passed.
    sim.begin();
    let (id2, a2) = sim.post(m, 1_000_000);
    sim.ok(
        "worker",
        Message::ClaimJob(proofwork_tx::ClaimJob { job_id: id2 }),
    );
    let all: Vec<usize> = (0..m as usize).collect();
    let proof = sim.forged(a2.clone(), m, &all[100..]);
    sim.ok(
        "worker",
        Message::CommitWork(proofwork_tx::CommitWork {
            job_id: id2,
            c_root: proof.c_root(),
        }),
    );
    sim.end();
    sim.begin();
    sim.end();
    let rows = sim.reveal_rows(id2, &proof, m);
    let per = reveal_rows_per_tx(sim.max_tx_bytes, m, 256, 256) as usize;
    assert!(rows.len() > 2 * per, "needs several parts");
    sim.begin();
    // Starting anywhere but at the first sampled row is refused.
    let e = sim.err(
        "worker",
        Message::RevealWork(proofwork_tx::RevealWork {
            job_id: id2,
            rows: rows[per..2 * per].to_vec(),
        }),
    );
    assert_eq!(e.code(), 417, "{e}");
    // The whole reveal in one tx is over the chain's tx size, but the chain itself takes
    // any count up to what is left: the first part passes (rows < 100 are honest)…
    let first_honest = rows.iter().take_while(|r| r.index < 100).count();
    assert!(first_honest >= 1);
    let ev = sim.ok(
        "worker",
        Message::RevealWork(proofwork_tx::RevealWork {
            job_id: id2,
            rows: rows[..first_honest].to_vec(),
        }),
    );
    assert_eq!(ev.kind(), "work_revealed_part");
    assert_eq!(revealed(&sim.s, id2).unwrap(), first_honest as u32);
    // … the same part again is refused (the reveal goes on from where it stopped) …
    let e = sim.err(
        "worker",
        Message::RevealWork(proofwork_tx::RevealWork {
            job_id: id2,
            rows: rows[..first_honest].to_vec(),
        }),
    );
    assert_eq!(e.code(), 417, "{e}");
    sim.end();
    // … and the next part carries a forged row: slashed, progress cleared, job reopened.
    sim.begin();
    let ev = sim.ok(
        "worker",
        Message::RevealWork(proofwork_tx::RevealWork {
            job_id: id2,
            rows: rows[first_honest..].to_vec(),
        }),
    );
    assert_eq!(ev.kind(), "work_slashed");
    assert_eq!(sim.status(id2), JobStatus::Open);
    assert_eq!(revealed(&sim.s, id2).unwrap(), 0);
    sim.end();
}

#[test]
fn a_pass_holds_half_the_workers_pay_until_the_dispute_window_ends() {
    let mut sim = hold_sim();
    let before = sim.bal("worker", DENOM);
    assert_eq!(sim.run_job("worker", 20, &[]), "work_verified");
    // 1_000_000: 100_000 burned, 90_000 royalty, 810_000 the worker's: half now.
    assert_eq!(sim.bal("worker", DENOM) - before, 405_000);
    let d = delivery_of(&sim, 1);
    assert_eq!(
        (d.hold, d.paid, d.royalties, d.burned),
        (405_000, 405_000, 90_000, 100_000)
    );
    let DeliveryState::Pending { deadline } = d.state else {
        panic!("{:?}", d.state)
    };
    assert_eq!(d.c_root, sim.honest_root_of(1));
    run_blocks(&mut sim, deadline);
    assert_eq!(sim.bal("worker", DENOM) - before, 810_000);
    assert!(matches!(
        delivery_of(&sim, 1).state,
        DeliveryState::Released { ref reason, .. } if reason == "undisputed"
    ));
}

#[test]
fn the_client_confirms_and_the_hold_is_released_at_once() {
    let mut sim = hold_sim();
    let before = sim.bal("worker", DENOM);
    sim.run_job("worker", 20, &[]);
    sim.begin();
    let e = sim.err(
        "worker",
        Message::ConfirmOutput(proofwork_tx::ConfirmOutput { job_id: 1 }),
    );
    assert_eq!(e.code(), 414, "{e}");
    sim.ok(
        "client",
        Message::ConfirmOutput(proofwork_tx::ConfirmOutput { job_id: 1 }),
    );
    assert_eq!(sim.bal("worker", DENOM) - before, 810_000);
    let e = sim.err(
        "client",
        Message::ConfirmOutput(proofwork_tx::ConfirmOutput { job_id: 1 }),
    );
    assert_eq!(e.code(), 428, "{e}");
    sim.end();
}

#[test]
fn a_withholding_worker_loses_its_hold_and_part_of_its_bond() {
    let mut sim = hold_sim();
    let worker_before = sim.bal("worker", DENOM);
    let client_before = sim.bal("client", DENOM);
    sim.run_job("worker", 20, &[]);
    sim.begin();
    let e = sim.err(
        "client",
        Message::DisputeOutput(proofwork_tx::DisputeOutput {
            job_id: 1,
            rows: vec![3, 2],
        }),
    );
    assert_eq!(e.code(), 429, "{e}");
    let e = sim.err(
        "client",
        Message::DisputeOutput(proofwork_tx::DisputeOutput {
            job_id: 1,
            rows: (0..17).collect(),
        }),
    );
    assert_eq!(e.code(), 429, "{e}");
    sim.ok(
        "client",
        Message::DisputeOutput(proofwork_tx::DisputeOutput {
            job_id: 1,
            rows: vec![0, 7, 19],
        }),
    );
    let DeliveryState::Disputed {
        answer_deadline, ..
    } = delivery_of(&sim, 1).state
    else {
        panic!()
    };
    sim.end();
    run_blocks(&mut sim, answer_deadline);
    // The worker kept half its pay and lost 10 % of its bond, half of it to the client.
    assert_eq!(sim.bal("worker", DENOM) - worker_before, 405_000);
    assert_eq!(
        sim.bal("client", DENOM),
        client_before - 1_000_000 + 405_000 + 5_000_000
    );
    assert!(matches!(
        delivery_of(&sim, 1).state,
        DeliveryState::Refunded { .. }
    ));
    let w = worker(&sim.s, &addr("worker").0).unwrap().unwrap();
    assert_eq!((w.bond, w.slashes), (90_000_000, 1));
    // The job itself stays verified (the spot check passed).
    assert!(matches!(sim.status(1), JobStatus::Verified { .. }));
}

#[test]
fn a_worker_answers_a_dispute_with_the_named_rows_and_is_paid() {
    let mut sim = hold_sim();
    let before = sim.bal("worker", DENOM);
    sim.begin();
    let (id, a) = sim.post(20, 1_000_000);
    sim.ok(
        "worker",
        Message::ClaimJob(proofwork_tx::ClaimJob { job_id: id }),
    );
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
    sim.begin();
    let rows = sim.reveal_rows(id, &proof, 20);
    sim.ok(
        "worker",
        Message::RevealWork(proofwork_tx::RevealWork { job_id: id, rows }),
    );
    sim.ok(
        "client",
        Message::DisputeOutput(proofwork_tx::DisputeOutput {
            job_id: id,
            rows: vec![1, 5],
        }),
    );
    sim.end();
    sim.begin();
    // Wrong rows, a bad proof, another signer: refused.
    let e = sim.err(
        "worker",
        Message::AnswerDispute(proofwork_tx::AnswerDispute {
            job_id: id,
            rows: proof.output_rows(&[1, 6]).unwrap(),
        }),
    );
    assert_eq!(e.code(), 430, "{e}");
    let mut bad = proof.output_rows(&[1, 5]).unwrap();
    bad[1].c_row = vec![0u8; 64].into();
    let e = sim.err(
        "worker",
        Message::AnswerDispute(proofwork_tx::AnswerDispute {
            job_id: id,
            rows: bad,
        }),
    );
    assert_eq!(e.code(), 430, "{e}");
    let e = sim.err(
        "cheat",
        Message::AnswerDispute(proofwork_tx::AnswerDispute {
            job_id: id,
            rows: proof.output_rows(&[1, 5]).unwrap(),
        }),
    );
    assert_eq!(e.code(), 413, "{e}");
    sim.ok(
        "worker",
        Message::AnswerDispute(proofwork_tx::AnswerDispute {
            job_id: id,
            rows: proof.output_rows(&[1, 5]).unwrap(),
        }),
    );
    let DeliveryState::Pending { deadline } = delivery_of(&sim, id).state else {
        panic!()
    };
    sim.end();
    run_blocks(&mut sim, deadline);
    assert_eq!(sim.bal("worker", DENOM) - before, 810_000);
    let w = worker(&sim.s, &addr("worker").0).unwrap().unwrap();
    assert_eq!(w.slashes, 0);
}

#[test]
fn a_credit_job_holds_credits_the_same_way() {
    let mut sim = hold_sim();
    set_macs_per_credit(&mut sim, 256);
    grant_credits(&mut sim, "client", 100);
    // 40 credits: 4 royalty, 36 the worker's, 18 of them held.
    assert_eq!(
        sim.run_job_in("worker", 20, &[], 40, Some(CREDIT_DENOM)),
        "work_verified"
    );
    assert_eq!(sim.bal("worker", CREDIT_DENOM), 18);
    let d = delivery_of(&sim, 1);
    assert_eq!(
        (d.denom.as_str(), d.hold, d.paid, d.royalties),
        (CREDIT_DENOM, 18, 18, 4)
    );
    let DeliveryState::Pending { deadline } = d.state else {
        panic!()
    };
    run_blocks(&mut sim, deadline);
    assert_eq!(sim.bal("worker", CREDIT_DENOM), 36);
}
