//! Issue 15: the work market's costs — upload amplification, burns and the price floor, the
//! per-block (model, beacon) cap, unbonding by index, bonds, and `ChallengeRow`.

use std::cell::Cell;

use proofwork_state::KvPairs;

use super::*;

/// A read-only view that counts what is read from it (bytes of values returned).
pub(super) struct Metered<'a, S> {
    pub(super) inner: &'a S,
    pub(super) bytes: Cell<u64>,
    pub(super) keys: Cell<u64>,
}

impl<'a, S> Metered<'a, S> {
    pub(super) fn new(inner: &'a S) -> Self {
        Metered {
            inner,
            bytes: Cell::new(0),
            keys: Cell::new(0),
        }
    }
}

impl<S: StateRead> StateRead for Metered<'_, S> {
    fn get_raw(&self, key: &[u8]) -> Result<Option<Vec<u8>>, proofwork_state::StateError> {
        let v = self.inner.get_raw(key)?;
        self.keys.set(self.keys.get() + 1);
        self.bytes
            .set(self.bytes.get() + v.as_ref().map_or(0, |v| v.len() as u64));
        Ok(v)
    }
    fn scan_prefix(
        &self,
        prefix: &[u8],
        start_after: Option<&[u8]>,
        limit: usize,
    ) -> Result<KvPairs, proofwork_state::StateError> {
        let v = self.inner.scan_prefix(prefix, start_after, limit)?;
        self.keys.set(self.keys.get() + v.len() as u64);
        self.bytes
            .set(self.bytes.get() + v.iter().map(|(_, v)| v.len() as u64).sum::<u64>());
        Ok(v)
    }
}

fn env(max_tx_bytes: u64) -> WorkEnv<'static> {
    WorkEnv {
        native_denom: DENOM,
        cache: None,
        tx_hash: [0; 32],
        msg_index: 0,
        max_tx_bytes,
    }
}

/// Registers a `k×n` model owned by "owner" with weights from the sim's rng; returns its id
/// and weights (not uploaded).
fn register(sim: &mut Sim, k: u32, n: u32) -> (u64, Vec<i8>) {
    let b = sim.rng.i8s((k * n) as usize);
    let root = i8_root(&b, k as usize, n as usize).unwrap();
    let ev = sim.ok(
        "owner",
        Message::RegisterModel(proofwork_tx::RegisterModel {
            k,
            n,
            b_root: root,
            royalties: vec![],
        }),
    );
    (ev.attributes()[0].1.parse().unwrap(), b)
}

fn chunk(model_id: u64, first_row: u32, rows: &[i8]) -> Message {
    Message::UploadModelChunk(proofwork_tx::UploadModelChunk {
        model_id,
        first_row,
        rows: rows.iter().map(|&v| v as u8).collect(),
    })
}

// ---- 1. upload amplification ----

/// The chunk that completes a model reads its own rows' worth of state, not `k·n` bytes: a
/// wrong final row of a 1024×64 model (64 KiB of weights) reads under 2 KiB. Before the
/// incremental root it re-read every stored row (≥ 65,536 bytes), so a byzantine proposer's
/// block of failing final chunks made every validator re-read and rehash the whole model
/// per tx.
#[test]
fn a_failing_final_chunk_costs_its_own_rows_not_the_model() {
    let mut sim = Sim::new(16, 8, 8);
    let (k, n) = (1024u32, 64u32);
    let (id, b) = register(&mut sim, k, n);
    let nn = n as usize;
    for first in (0..k - 1).step_by(100) {
        let end = (first + 100).min(k - 1);
        sim.ok(
            "owner",
            chunk(id, first, &b[first as usize * nn..end as usize * nn]),
        );
    }
    let mut last = b[(k as usize - 1) * nn..].to_vec();
    last[0] = last[0].wrapping_add(1);
    let msg = chunk(id, k - 1, &last);
    for _ in 0..3 {
        let metered = Metered::new(&sim.s);
        let mut child = StateDelta::new(&metered);
        let r = dispatch(&mut child, &env(1 << 20), &addr("owner"), &msg);
        assert!(matches!(
            r,
            Err(ExecError::Tx(TxError::ModelRootMismatch { .. }))
        ));
        let read = metered.bytes.get();
        assert!(read < 2048, "the failing final chunk read {read} bytes");
        assert!(metered.keys.get() < 10, "{} keys", metered.keys.get());
    }
    // The right row completes it, and the root is the one of the whole matrix.
    sim.ok("owner", chunk(id, k - 1, &b[(k as usize - 1) * nn..]));
    assert!(model(&sim.s, id).unwrap().unwrap().active);
    assert!(sim
        .s
        .get_raw(&state_key::model_frontier(id))
        .unwrap()
        .is_none());
}

/// Rows may be re-sent from row 0 (a restart), never from the middle; a restart after a
/// wrong row uploads the model.
#[test]
fn an_upload_restarts_from_row_zero_but_never_rewrites_the_middle() {
    let mut sim = Sim::new(16, 8, 8);
    let (id, b) = register(&mut sim, 6, 8);
    let mut wrong = b.clone();
    wrong[9] = wrong[9].wrapping_add(1);
    sim.ok("owner", chunk(id, 0, &wrong[..24]));
    assert!(matches!(
        sim.err("owner", chunk(id, 1, &b[8..24])),
        TxError::ChunkOutOfOrder { .. }
    ));
    sim.ok("owner", chunk(id, 3, &wrong[24..40]));
    assert!(matches!(
        sim.err("owner", chunk(id, 5, &wrong[40..])),
        TxError::ModelRootMismatch { .. }
    ));
    sim.ok("owner", chunk(id, 0, &b[..16]));
    assert_eq!(model(&sim.s, id).unwrap().unwrap().rows_uploaded, 2);
    sim.ok("owner", chunk(id, 2, &b[16..]));
    assert!(model(&sim.s, id).unwrap().unwrap().active);
}

// ---- 3. burns and the price floor ----

/// Every native job burns at least 1 (burns round up), and no job is priced below its
/// verification floor: on the 16×8 model the floor is 10 (burn 1 at 10 %), so a job
/// priced 9 is refused, where before it burned nothing.
#[test]
fn burns_round_up_and_the_price_covers_verification() {
    let mut sim = Sim::new(16, 8, 8);
    let p = params(&sim.s).unwrap();
    assert_eq!(min_job_price(&p, 4, 16, 8), 10);
    assert_eq!(job_burn(&p, 1), 1);
    assert_eq!(job_burn(&p, 10), 1);
    assert_eq!(job_burn(&p, 11), 2);
    sim.begin();
    let a = sim.rng.i8s(4 * 16);
    let root = i8_root(&a, 4, 16).unwrap();
    let post = |price| {
        Message::PostJob(proofwork_tx::PostJob {
            model_id: 1,
            a_root: root,
            m: 4,
            price,
            commit_blocks: 0,
            reveal_blocks: 0,
            denom: None,
        })
    };
    assert_eq!(
        sim.err("client", post(9)),
        TxError::PriceTooLow { price: 9, min: 10 }
    );
    sim.end();
    assert_eq!(sim.run_job_in("worker", 4, &[], 10, None), "work_verified");
    let d = delivery(&sim.s, 1).unwrap().unwrap();
    assert_eq!(d.burned, 1);
    // A 64 MiB model: the floor pays its `2·k·n` MACs of checking through the burn.
    let big = min_job_price(&p, 1, 8192, 8192);
    let verify_credits = (2 * 8192 * 8192 + 8192 * 2u128).div_ceil(1 << 16);
    assert_eq!(big, verify_credits * 10);
    assert!(job_burn(&p, big) >= verify_credits);
}

// ---- 4. the per-block cap on (model, beacon) pairs ----

/// Five models with a job each, all committed in one block (so one beacon): the block's
/// reveals may need `B·r` for four pairs; the fifth reveal is refused (431) before anything
/// is computed and passes in the next block. Two jobs on the same model share a pair. The
/// reveals come at their deadline: the full block moves the refused job's deadline on by a
/// block rather than slashing its worker.
#[test]
fn a_block_computes_b_r_for_at_most_the_capped_pairs() {
    let mut sim = Sim::new(16, 8, 8);
    assert_eq!(params(&sim.s).unwrap().max_model_beacons_per_block, 4);
    let mut models = vec![(1u64, sim.b.clone())];
    sim.begin();
    for _ in 0..4 {
        let (id, b) = register(&mut sim, 16, 8);
        sim.ok("owner", chunk(id, 0, &b));
        models.push((id, b));
    }
    sim.end();
    sim.begin();
    let mut jobs = vec![];
    for (i, (model_id, b)) in models.iter().enumerate() {
        for _ in 0..(if i == 0 { 2 } else { 1 }) {
            let a = sim.rng.i8s(8 * 16);
            let root = i8_root(&a, 8, 16).unwrap();
            let ev = sim.ok(
                "client",
                Message::PostJob(proofwork_tx::PostJob {
                    model_id: *model_id,
                    a_root: root,
                    m: 8,
                    price: 1_000,
                    commit_blocks: 0,
                    reveal_blocks: 3,
                    denom: None,
                }),
            );
            let id: u64 = ev.attributes()[0].1.parse().unwrap();
            sim.ok(
                "worker",
                Message::ClaimJob(proofwork_tx::ClaimJob { job_id: id }),
            );
            let proof = Proof::compute(&CpuBackend::new(), a, b, 8, 16, 8).unwrap();
            sim.ok(
                "worker",
                Message::CommitWork(proofwork_tx::CommitWork {
                    job_id: id,
                    c_root: proof.c_root(),
                }),
            );
            jobs.push((id, proof));
        }
    }
    sim.end();
    let commit_height = sim.height;
    // The reveals come in the last block of their window (block hash beacon: c + 1 + 3).
    for _ in 0..3 {
        sim.begin();
        sim.end();
    }
    sim.begin();
    assert_eq!(sim.height, commit_height + 4);
    let reveal = |sim: &Sim, id: u64, proof: &Proof| {
        Message::RevealWork(proofwork_tx::RevealWork {
            job_id: id,
            rows: sim.reveal_rows(id, proof, 8),
        })
    };
    let mut refused = vec![];
    for (id, proof) in &jobs {
        match sim.exec("worker", reveal(&sim, *id, proof)) {
            Ok(_) => {}
            Err(e) => refused.push((*id, e)),
        }
    }
    // Jobs 1 and 2 share model 1; 3, 4, 5 are models 2–4; job 6 (model 5) is the fifth pair.
    assert_eq!(
        refused,
        vec![(6, TxError::TooManyModelBeacons { limit: 4 })]
    );
    let out = sim.end();
    // The block was full: job 6's deadline moved to the next block instead of a slash.
    assert!(out.events.iter().all(|e| e.kind() != "work_slashed"));
    assert!(matches!(
        sim.status(6),
        JobStatus::Committed { reveal_deadline, .. } if reveal_deadline == sim.height + 1
    ));
    sim.begin();
    let (id, proof) = &jobs[5];
    assert_eq!(
        sim.ok("worker", reveal(&sim, *id, proof)).kind(),
        "work_verified"
    );
    sim.end();
}

// ---- 5. unbonding by index, bonds ----

/// The end of a block reads the unbonding releases due at that height, not every request:
/// with 300 workers unbonding far in the future, a block end reads a handful of keys
/// (before the index it scanned all 300 requests every block).
#[test]
fn block_end_does_not_scan_pending_unbonding_requests() {
    let mut sim = Sim::new(16, 8, 8);
    set_unbonding_blocks(&mut sim, 10_000);
    sim.begin();
    for i in 0..300 {
        let who = format!("w{i}");
        accounts::mint(&mut sim.s, &addr(&who), DENOM, 10_000).unwrap();
        sim.ok(
            &who,
            Message::RegisterWorker(proofwork_tx::RegisterWorker {
                bond: 1_000,
                validator: None,
            }),
        );
        sim.ok(&who, Message::UnbondWorker(proofwork_tx::UnbondWorker));
    }
    sim.end();
    sim.begin();
    let metered = Metered::new(&sim.s);
    let mut child = StateDelta::new(&metered);
    let mut events = vec![];
    block::release_unbonded(&mut child, sim.height, DENOM, &mut events).unwrap();
    assert!(events.is_empty());
    assert!(metered.keys.get() < 5, "{} keys read", metered.keys.get());
    sim.end();
}

/// A new worker bonds at least `min_bond`; a claim needs `claim_bond_bps` of the job's
/// price per claim held (at least `min_bond`).
#[test]
fn workers_bond_at_least_min_bond_and_claims_scale_with_the_price() {
    let mut sim = Sim::new(16, 8, 8);
    sim.begin();
    accounts::mint(&mut sim.s, &addr("newbie"), DENOM, 10_000_000).unwrap();
    assert_eq!(
        sim.err(
            "newbie",
            Message::RegisterWorker(proofwork_tx::RegisterWorker {
                bond: 0,
                validator: None,
            })
        ),
        TxError::BondTooLow {
            bond: 0,
            needed: 1_000
        }
    );
    sim.ok(
        "newbie",
        Message::RegisterWorker(proofwork_tx::RegisterWorker {
            bond: 1_000,
            validator: None,
        }),
    );
    // A job priced 1,000,000 needs a bond of 1,000,000 (100 %).
    let (id, _) = sim.post(4, 1_000_000);
    assert_eq!(
        sim.err(
            "newbie",
            Message::ClaimJob(proofwork_tx::ClaimJob { job_id: id })
        ),
        TxError::BondTooLow {
            bond: 1_000,
            needed: 1_000_000
        }
    );
    // A top-up of any size is fine for a registered worker.
    sim.ok(
        "newbie",
        Message::RegisterWorker(proofwork_tx::RegisterWorker {
            bond: 999_000,
            validator: None,
        }),
    );
    sim.ok(
        "newbie",
        Message::ClaimJob(proofwork_tx::ClaimJob { job_id: id }),
    );
    sim.end();
}

// ---- 6. ChallengeRow ----

/// Posts, claims, commits and reveals an honest job; returns its id and proof.
pub(super) fn run_honest(sim: &mut Sim, who: &str, m: u32) -> (u64, Proof) {
    sim.begin();
    let (id, a) = sim.post(m, 1_000_000);
    sim.ok(
        who,
        Message::ClaimJob(proofwork_tx::ClaimJob { job_id: id }),
    );
    let proof = sim.honest(a, m);
    sim.ok(
        who,
        Message::CommitWork(proofwork_tx::CommitWork {
            job_id: id,
            c_root: proof.c_root(),
        }),
    );
    sim.end();
    sim.begin();
    sim.end();
    sim.begin();
    let rows = sim.reveal_rows(id, &proof, m);
    assert_eq!(
        sim.ok(
            who,
            Message::RevealWork(proofwork_tx::RevealWork { job_id: id, rows })
        )
        .kind(),
        "work_verified"
    );
    sim.end();
    (id, proof)
}

fn challenge(job_id: u64, row: RevealedRow) -> Message {
    Message::ChallengeRow(proofwork_tx::ChallengeRow { job_id, row })
}

/// A worker corrupts one unsampled row of 64 and passes the spot check; the client, who
/// checks `C` itself, proves the row wrong: the held pay returns to the client and the rest
/// of the price comes from the worker's bond (the client is made whole), the validator's score loses the job's
/// credits. A second challenge is refused; a challenge of a right row is refuted and spends
/// the job's one challenge; a challenge after the window is late.
#[test]
fn a_wrong_row_found_after_the_pass_is_challenged_and_slashed() {
    let mut sim = Sim::with(
        16,
        8,
        WorkParams {
            sample_rows: 8,
            ..WorkParams::default()
        },
    );
    // Find a job whose sample misses row 0 (8 of 64 rows are sampled).
    let m = 64;
    let (id, proof) = loop {
        sim.begin();
        let (id, a) = sim.post(m, 1_000_000);
        sim.ok(
            "cheat",
            Message::ClaimJob(proofwork_tx::ClaimJob { job_id: id }),
        );
        let proof = sim.forged(a, m, &[0]);
        sim.ok(
            "cheat",
            Message::CommitWork(proofwork_tx::CommitWork {
                job_id: id,
                c_root: proof.c_root(),
            }),
        );
        sim.end();
        sim.begin();
        sim.end();
        sim.begin();
        let rows = sim.reveal_rows(id, &proof, m);
        let kind = sim
            .ok(
                "cheat",
                Message::RevealWork(proofwork_tx::RevealWork { job_id: id, rows }),
            )
            .kind();
        sim.end();
        if kind == "work_verified" {
            break (id, proof);
        }
    };
    let d = delivery(&sim.s, id).unwrap().unwrap();
    assert!(d.hold > 0);
    let bond = worker(&sim.s, &addr("cheat").0).unwrap().unwrap().bond;
    let client_before = sim.bal("client", DENOM);
    let score_before = score(&sim.s, &VAL_KEY).unwrap();
    sim.begin();
    let row = proof.reveal(&[0]).unwrap().remove(0);
    // Not the client: refused.
    assert_eq!(
        sim.err("worker", challenge(id, row.clone())),
        TxError::NotJobClient { id }
    );
    // A bad proof: refused before any product is computed.
    let mut bad = row.clone();
    bad.index = 1;
    assert_eq!(sim.err("client", challenge(id, bad)).code(), 419);
    let ev = sim.ok("client", challenge(id, row.clone()));
    assert_eq!(ev.kind(), "challenge_row");
    let attrs = ev.attributes();
    assert_eq!(attrs[2], ("outcome", "upheld".to_string()));
    // The client is made whole: the hold back, the rest of the price from the bond.
    let slashed = 1_000_000 - d.hold;
    assert_eq!(sim.bal("client", DENOM), client_before + 1_000_000);
    assert_eq!(
        worker(&sim.s, &addr("cheat").0).unwrap().unwrap().bond,
        bond - slashed
    );
    assert!(score(&sim.s, &VAL_KEY).unwrap() < score_before);
    assert!(matches!(
        delivery(&sim.s, id).unwrap().unwrap().state,
        DeliveryState::Challenged { row: 0, .. }
    ));
    assert!(matches!(
        sim.err("client", challenge(id, row)),
        TxError::BadChallenge { .. }
    ));
    sim.end();

    // An honest job: the challenge of a right row is refuted, and spends the challenge.
    let (hid, honest) = run_honest(&mut sim, "worker", 8);
    sim.begin();
    let bond_w = worker(&sim.s, &addr("worker").0).unwrap().unwrap().bond;
    let row = honest.reveal(&[3]).unwrap().remove(0);
    let ev = sim.ok("client", challenge(hid, row.clone()));
    assert_eq!(ev.attributes()[2], ("outcome", "refuted".to_string()));
    assert_eq!(
        worker(&sim.s, &addr("worker").0).unwrap().unwrap().bond,
        bond_w
    );
    assert!(matches!(
        sim.err("client", challenge(hid, row)),
        TxError::BadChallenge { .. }
    ));
    sim.end();
}
