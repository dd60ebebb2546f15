//! The reveal's checks: sampled rows, truncated rows, proofs, replays, and the order in which a bad proof and a failing row are reported.

use super::*;

#[test]
fn reveal_of_unsampled_rows_is_refused() {
    let (mut sim, id, proof) = committed(40, 8);
    let sampled = sim.reveal_rows(id, &proof, 40);
    let idx: Vec<u64> = sampled.iter().map(|r| r.index).collect();
    // Swap one sampled row for an unsampled one (with a valid proof).
    let other = (0..40).find(|i| !idx.contains(i)).unwrap();
    let mut rows = sampled.clone();
    rows[0] = proof.reveal(&[other]).unwrap().remove(0);
    assert!(matches!(
        sim.err(
            "worker",
            Message::RevealWork(proofwork_tx::RevealWork { job_id: id, rows })
        ),
        TxError::RowsNotSampled { .. }
    ));
    // Too many rows (fewer is the first part of a reveal split across txs).
    let mut rows = sampled.clone();
    rows.push(sampled[0].clone());
    assert!(matches!(
        sim.err(
            "worker",
            Message::RevealWork(proofwork_tx::RevealWork { job_id: id, rows })
        ),
        TxError::RowsNotSampled { .. }
    ));
    // Only the claiming worker may reveal.
    assert_eq!(
        sim.err(
            "cheat",
            Message::RevealWork(proofwork_tx::RevealWork {
                job_id: id,
                rows: sampled.clone()
            })
        ),
        TxError::NotJobWorker { id }
    );
    sim.ok(
        "worker",
        Message::RevealWork(proofwork_tx::RevealWork {
            job_id: id,
            rows: sampled,
        }),
    );
}

#[test]
fn truncated_rows_and_bad_proofs_are_refused() {
    let (mut sim, id, proof) = committed(40, 8);
    let rows = sim.reveal_rows(id, &proof, 40);
    let mut t = rows.clone();
    let len = t[1].c_row.len();
    t[1].c_row.truncate(len - 1);
    assert!(matches!(
        sim.err(
            "worker",
            Message::RevealWork(proofwork_tx::RevealWork {
                job_id: id,
                rows: t
            })
        ),
        TxError::RevealRowLength { what: "c", .. }
    ));
    let mut t = rows.clone();
    t[2].a_row.truncate(3);
    assert!(matches!(
        sim.err(
            "worker",
            Message::RevealWork(proofwork_tx::RevealWork {
                job_id: id,
                rows: t
            })
        ),
        TxError::RevealRowLength { what: "a", .. }
    ));
    let mut t = rows.clone();
    let mut a = t[0].a_row.to_vec();
    a[0] ^= 1;
    t[0].a_row = a.into();
    assert!(matches!(
        sim.err(
            "worker",
            Message::RevealWork(proofwork_tx::RevealWork {
                job_id: id,
                rows: t
            })
        ),
        TxError::RevealProof { what: "a", .. }
    ));
    let mut t = rows.clone();
    t[0].c_proof.pop();
    assert!(matches!(
        sim.err(
            "worker",
            Message::RevealWork(proofwork_tx::RevealWork {
                job_id: id,
                rows: t
            })
        ),
        TxError::RevealProof { what: "c", .. }
    ));
}

#[test]
fn reveal_replayed_for_another_job_is_refused() {
    let mut sim = Sim::new(16, 8, 8);
    sim.begin();
    let (j0, a0) = sim.post(40, 1_000_000);
    let (j1, a1) = sim.post(40, 1_000_000);
    let (p0, p1) = (sim.honest(a0, 40), sim.honest(a1, 40));
    for (j, p) in [(j0, &p0), (j1, &p1)] {
        sim.ok(
            "worker",
            Message::ClaimJob(proofwork_tx::ClaimJob { job_id: j }),
        );
        sim.ok(
            "worker",
            Message::CommitWork(proofwork_tx::CommitWork {
                job_id: j,
                c_root: p.c_root(),
            }),
        );
    }
    sim.end();
    sim.begin();
    sim.end();
    sim.begin();
    let rows0 = sim.reveal_rows(j0, &p0, 40);
    let e = sim.err(
        "worker",
        Message::RevealWork(proofwork_tx::RevealWork {
            job_id: j1,
            rows: rows0.clone(),
        }),
    );
    assert!(
        matches!(
            e,
            TxError::RowsNotSampled { .. } | TxError::RevealProof { .. }
        ),
        "{e}"
    );
    sim.ok(
        "worker",
        Message::RevealWork(proofwork_tx::RevealWork {
            job_id: j0,
            rows: rows0.clone(),
        }),
    );
    // And replaying it for the same job again is refused too (the job is verified).
    assert!(matches!(
        sim.err(
            "worker",
            Message::RevealWork(proofwork_tx::RevealWork {
                job_id: j0,
                rows: rows0
            })
        ),
        TxError::JobState { .. }
    ));
}

#[test]
fn commit_before_compute_then_fix_sampled_rows_cannot_pass() {
    // The worker commits to garbage (all-zero C) before computing, learns the sample from
    // the beacon, then computes only the sampled rows correctly. The commitment binds every
    // row: the correct rows' leaves are not in the committed tree, so their proofs fail;
    // revealing the committed (garbage) rows instead fails Freivalds and is slashed.
    let mut sim = Sim::new(16, 8, 8);
    sim.begin();
    let m = 40u32;
    let (id, a) = sim.post(m, 1_000_000);
    sim.ok(
        "cheat",
        Message::ClaimJob(proofwork_tx::ClaimJob { job_id: id }),
    );
    let garbage =
        Proof::from_output(a.clone(), vec![0; (m * 8) as usize], m as usize, 16, 8).unwrap();
    sim.ok(
        "cheat",
        Message::CommitWork(proofwork_tx::CommitWork {
            job_id: id,
            c_root: garbage.c_root(),
        }),
    );
    sim.end();
    sim.begin();
    sim.end();
    sim.begin();
    let honest = sim.honest(a, m);
    let sample = sampled_rows(&sim.beacon_of(id), id, m, 8);
    // Correct rows, proofs from the garbage tree (the only tree with the committed root).
    let mut rows = honest.reveal(&sample).unwrap();
    let committed_proofs = garbage.reveal(&sample).unwrap();
    for (r, g) in rows.iter_mut().zip(committed_proofs) {
        r.c_proof = g.c_proof;
    }
    assert!(matches!(
        sim.err(
            "cheat",
            Message::RevealWork(proofwork_tx::RevealWork { job_id: id, rows })
        ),
        TxError::RevealProof { what: "c", .. }
    ));
    // Revealing what was committed is a valid reveal that fails the spot check.
    let rows = garbage.reveal(&sample).unwrap();
    let ev = sim.ok(
        "cheat",
        Message::RevealWork(proofwork_tx::RevealWork { job_id: id, rows }),
    );
    assert_eq!(ev.kind(), "work_slashed");
}

/// A reveal whose first sampled row fails Freivalds (the committed C is wrong there) and a
/// later row carries a bad proof is *malformed* (stage 1 wins), whether `B·r` was cached
/// (one fused pass over the rows) or not (proofs beside `B·r`, then Freivalds); without the
/// bad proof it is a well-formed failing reveal naming that first row.
#[test]
fn a_bad_proof_anywhere_outranks_an_earlier_freivalds_failure_on_both_paths() {
    let mut sim = Sim::new(16, 8, 8);
    sim.begin();
    let m = 40u32;
    let (id, a) = sim.post(m, 1_000_000);
    sim.ok(
        "cheat",
        Message::ClaimJob(proofwork_tx::ClaimJob { job_id: id }),
    );
    // Which rows will be sampled is not known yet: forge them all.
    let all: Vec<usize> = (0..m as usize).collect();
    let forged = sim.forged(a, m, &all);
    sim.ok(
        "cheat",
        Message::CommitWork(proofwork_tx::CommitWork {
            job_id: id,
            c_root: forged.c_root(),
        }),
    );
    sim.end();
    sim.begin();
    sim.end();
    sim.begin();
    let height = accounts::block_height(&sim.s).unwrap();
    let ctx = verify::reveal_context(&sim.s, &addr("cheat"), id, height)
        .unwrap()
        .unwrap();
    let rows = sim.reveal_rows(id, &forged, m);
    let mut bad = rows.clone();
    bad[5].c_proof[0][0] ^= 1;
    for cached in [false, true] {
        let cache = WorkCache::default();
        if cached {
            verify::b_times_r(&sim.s, &ctx, Some(&cache)).unwrap();
            assert_eq!(cache.br_len(), 1);
        }
        let got = check_reveal(&sim.s, &ctx, &bad, Some((&cache, [1; 32], 0))).unwrap();
        assert!(
            matches!(got, Err(TxError::RevealProof { what: "c", index, .. }) if index == bad[5].index),
            "cached={cached}: {got:?}"
        );
        let got = check_reveal(&sim.s, &ctx, &rows, Some((&cache, [2; 32], 0))).unwrap();
        assert_eq!(
            got,
            Ok(Verdict::Fail { row: rows[0].index }),
            "cached={cached}"
        );
    }
}
