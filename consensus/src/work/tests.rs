//! Protocol tests: one per error variant, outcomes, deadlines, epochs, and seeded simulations
//! of honest and cheating workers.

use std::collections::BTreeMap;

use proofwork_kernels::{cpu, CpuBackend};
use proofwork_state::accounts::{self, CREDIT_DENOM};
use proofwork_state::{ExecError, StateDelta, StateRead, StateWrite};
use proofwork_tx::{Address, Message, RevealedRow, SecretKey, TxError};

use super::prover::{i8_root, sampled_rows, Proof};
use super::*;

/// The work arms of the app's dispatch, for driving the component directly.
pub(crate) fn dispatch<S: StateWrite>(
    s: &mut S,
    env: &WorkEnv<'_>,
    who: &Address,
    msg: &Message,
) -> Result<WorkEvent, ExecError> {
    match msg {
        Message::RegisterModel(m) => exec::register_model(s, env, who, m),
        Message::UploadModelChunk(m) => exec::upload_model_chunk(s, who, m),
        Message::RegisterWorker(m) => exec::register_worker(s, env, who, m),
        Message::PostJob(m) => exec::post_job(s, env, who, m),
        Message::ClaimJob(m) => exec::claim_job(s, who, m),
        Message::CommitWork(m) => exec::commit_work(s, who, m),
        Message::RevealWork(m) => exec::reveal_work(s, env, who, m),
        Message::CancelJob(m) => exec::cancel_job(s, env, who, m),
        Message::UnbondWorker(_) => exec::unbond_worker(s, who),
        Message::ConfirmOutput(m) => exec::confirm_output(s, who, m),
        Message::DisputeOutput(m) => exec::dispute_output(s, env, who, m),
        Message::AnswerDispute(m) => exec::answer_dispute(s, who, m),
        other => panic!("not a work message: {}", other.kind_name()),
    }
}
use crate::validators::{put_validator, Validator};

const DENOM: &str = "upw";
type Base = BTreeMap<Vec<u8>, Vec<u8>>;

/// The by-status job index holds exactly one entry per job, under its current status, and
/// lists each status's jobs in id order.
fn check_status_index<S: StateRead>(s: &S) {
    let all = jobs(s, None, usize::MAX).unwrap();
    for status in JobStatus::NAMES {
        let indexed: Vec<u64> = jobs_with_status(s, status, None, usize::MAX)
            .unwrap()
            .iter()
            .map(|j| j.id)
            .collect();
        let want: Vec<u64> = all
            .iter()
            .filter(|j| j.status.name() == status)
            .map(|j| j.id)
            .collect();
        assert_eq!(indexed, want, "index of {status} jobs");
    }
}

fn addr(name: &str) -> Address {
    SecretKey::from_seed(name).public_key().address()
}

/// A deterministic xorshift stream for matrices (tests only).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn i8s(&mut self, n: usize) -> Vec<i8> {
        (0..n).map(|_| self.next() as i8).collect()
    }
}

struct Sim {
    s: StateDelta<Base>,
    height: u64,
    cache: WorkCache,
    tx_counter: u64,
    b: Vec<i8>,
    k: u32,
    n: u32,
    rng: Rng,
    /// Check supply conservation at the end of every `check_every`-th block.
    check_every: u64,
    /// The chain's `max_tx_bytes`.
    max_tx_bytes: u64,
}

const VAL_KEY: [u8; 32] = [7; 32];

impl Sim {
    /// A chain at height 1 with funded accounts, one admitted validator and an active model
    /// (`k×n`, owner "owner" with a 10% royalty to "artist"). No delivery hold (the tests
    /// written before it pay the worker in full at the pass; [`Sim::with`] sets any params).
    fn new(k: u32, n: u32, sample: u32) -> Self {
        Self::with(
            k,
            n,
            WorkParams {
                sample_rows: sample,
                delivery_hold_bps: 0,
                ..WorkParams::default()
            },
        )
    }

    /// [`Sim::new`] under `params`.
    fn with(k: u32, n: u32, params: WorkParams) -> Self {
        let mut sim = Sim {
            s: StateDelta::new(Base::new()),
            height: 0,
            cache: WorkCache::default(),
            tx_counter: 0,
            b: vec![],
            k,
            n,
            rng: Rng(0x9e37_79b9_7f4a_7c15),
            check_every: 1,
            max_tx_bytes: 1 << 20,
        };
        put_params(&mut sim.s, &params);
        for who in ["client", "worker", "owner", "cheat"] {
            accounts::mint(&mut sim.s, &addr(who), DENOM, 1_000_000_000_000).unwrap();
        }
        put_validator(
            &mut sim.s,
            &Validator {
                pub_key: VAL_KEY,
                power: 10,
                moniker: "v".into(),
            },
        );
        sim.begin();
        sim.b = sim.rng.i8s((k * n) as usize);
        let root = i8_root(&sim.b, k as usize, n as usize).unwrap();
        sim.ok(
            "owner",
            Message::RegisterModel(proofwork_tx::RegisterModel {
                k,
                n,
                b_root: root,
                royalties: vec![(addr("artist"), 1_000)],
            }),
        );
        let rows: Vec<u8> = sim.b.iter().map(|&v| v as u8).collect();
        sim.ok(
            "owner",
            Message::UploadModelChunk(proofwork_tx::UploadModelChunk {
                model_id: 1,
                first_row: 0,
                rows,
            }),
        );
        assert!(model(&sim.s, 1).unwrap().unwrap().active);
        for w in ["worker", "cheat"] {
            sim.ok(
                w,
                Message::RegisterWorker(proofwork_tx::RegisterWorker {
                    bond: 100_000_000,
                    validator: Some(VAL_KEY),
                }),
            );
        }
        sim.end();
        sim
    }

    fn begin(&mut self) {
        self.height += 1;
        accounts::set_block_info(&mut self.s, self.height, self.height * 1_000_000_000);
    }

    fn end(&mut self) -> EndBlock {
        let hash = blake3::hash(&self.height.to_be_bytes());
        let out = end_block(&mut self.s, self.height, hash.as_bytes(), DENOM).unwrap();
        if !self.height.is_multiple_of(self.check_every) {
            return out;
        }
        let mut full = Base::new();
        for (k, v) in self.s.writes() {
            if let Some(v) = v {
                full.insert(k.clone(), v.clone());
            }
        }
        accounts::check_supply_full(&full).unwrap();
        check_status_index(&self.s);
        out
    }

    /// Runs one message like `deliver_tx`: its writes are kept only on success.
    fn exec(&mut self, who: &str, msg: Message) -> Result<Option<WorkEvent>, TxError> {
        self.tx_counter += 1;
        let env = WorkEnv {
            native_denom: DENOM,
            cache: Some(&self.cache),
            tx_hash: *blake3::hash(&self.tx_counter.to_be_bytes()).as_bytes(),
            msg_index: 0,
            max_tx_bytes: self.max_tx_bytes,
        };
        let mut child = StateDelta::new(&self.s);
        match dispatch(&mut child, &env, &addr(who), &msg) {
            Ok(ev) => {
                let w = child.into_writes();
                for (k, v) in w {
                    match v {
                        Some(v) => self.s.put_raw(k, v),
                        None => self.s.delete(k),
                    }
                }
                Ok(Some(ev))
            }
            Err(ExecError::Tx(e)) => Err(e),
            Err(ExecError::State(e)) => panic!("state error {e}"),
        }
    }

    fn ok(&mut self, who: &str, msg: Message) -> WorkEvent {
        self.exec(who, msg).unwrap().unwrap()
    }

    fn err(&mut self, who: &str, msg: Message) -> TxError {
        self.exec(who, msg).unwrap_err()
    }

    /// A job of `m` rows with a fresh random `A`; returns its id and `A`.
    fn post(&mut self, m: u32, price: u128) -> (u64, Vec<i8>) {
        self.post_in(m, price, None)
    }

    /// [`Sim::post`] with the price in `denom` (None: the chain denomination).
    fn post_in(&mut self, m: u32, price: u128, denom: Option<&str>) -> (u64, Vec<i8>) {
        let a = self.rng.i8s((m * self.k) as usize);
        let root = i8_root(&a, m as usize, self.k as usize).unwrap();
        let ev = self.ok(
            "client",
            Message::PostJob(proofwork_tx::PostJob {
                model_id: 1,
                a_root: root,
                m,
                price,
                commit_blocks: 0,
                reveal_blocks: 0,
                denom: denom.map(Into::into),
            }),
        );
        let id = ev.attributes()[0].1.parse().unwrap();
        (id, a)
    }

    fn honest(&self, a: Vec<i8>, m: u32) -> Proof {
        Proof::compute(
            &CpuBackend::new(),
            a,
            &self.b,
            m as usize,
            self.k as usize,
            self.n as usize,
        )
        .unwrap()
    }

    /// `A·B` with the rows in `fake` altered (one element +1).
    fn forged(&self, a: Vec<i8>, m: u32, fake: &[usize]) -> Proof {
        let (k, n) = (self.k as usize, self.n as usize);
        let mut c = cpu::gemm_i8(&a, &self.b, m as usize, k, n).unwrap();
        for &i in fake {
            c[i * n] = c[i * n].wrapping_add(1);
        }
        Proof::from_output(a, c, m as usize, k, n).unwrap()
    }

    fn beacon_of(&self, job_id: u64) -> [u8; 32] {
        let JobStatus::Committed { commit_height, .. } =
            job(&self.s, job_id).unwrap().unwrap().status
        else {
            panic!("job {job_id} not committed")
        };
        block_hash(&self.s, commit_height + 1).unwrap().unwrap()
    }

    fn reveal_rows(&self, job_id: u64, proof: &Proof, m: u32) -> Vec<RevealedRow> {
        let p = params(&self.s).unwrap();
        let rows = sampled_rows(&self.beacon_of(job_id), job_id, m, p.sample_rows);
        proof.reveal(&rows).unwrap()
    }

    /// The committed root of a committed or verified job.
    fn honest_root_of(&self, job_id: u64) -> [u8; 32] {
        match self.status(job_id) {
            JobStatus::Committed { c_root, .. } => c_root,
            _ => delivery(&self.s, job_id).unwrap().unwrap().c_root,
        }
    }

    fn status(&self, job_id: u64) -> JobStatus {
        job(&self.s, job_id).unwrap().unwrap().status
    }

    fn bal(&self, who: &str, denom: &str) -> u128 {
        accounts::balance(&self.s, &addr(who), denom).unwrap()
    }

    /// Post, claim, commit (block h), beacon block (h+1), reveal (h+2). Returns the reveal's
    /// event kind.
    fn run_job(&mut self, who: &str, m: u32, fake: &[usize]) -> &'static str {
        self.run_job_in(who, m, fake, 1_000_000, None)
    }

    /// [`Sim::run_job`] with the price and its denomination.
    fn run_job_in(
        &mut self,
        who: &str,
        m: u32,
        fake: &[usize],
        price: u128,
        denom: Option<&str>,
    ) -> &'static str {
        self.begin();
        let (id, a) = self.post_in(m, price, denom);
        self.ok(
            who,
            Message::ClaimJob(proofwork_tx::ClaimJob { job_id: id }),
        );
        let proof = if fake.is_empty() {
            self.honest(a, m)
        } else {
            self.forged(a, m, fake)
        };
        self.ok(
            who,
            Message::CommitWork(proofwork_tx::CommitWork {
                job_id: id,
                c_root: proof.c_root(),
            }),
        );
        self.end();
        self.begin();
        self.end();
        self.begin();
        let rows = self.reveal_rows(id, &proof, m);
        let ev = self.ok(
            who,
            Message::RevealWork(proofwork_tx::RevealWork { job_id: id, rows }),
        );
        self.end();
        ev.kind()
    }
}

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

// ---- one test per error variant ----

#[test]
fn register_model_rejects_bad_dims() {
    let mut sim = Sim::new(16, 8, 8);
    let msg = |k, n| {
        Message::RegisterModel(proofwork_tx::RegisterModel {
            k,
            n,
            b_root: [0; 32],
            royalties: vec![],
        })
    };
    assert!(matches!(
        sim.err("owner", msg(0, 8)),
        TxError::WorkDims { .. }
    ));
    assert!(matches!(
        sim.err("owner", msg(8, 1 << 17)),
        TxError::WorkDims { .. }
    ));
    assert!(matches!(
        sim.err("owner", msg(1 << 16, 1 << 16)),
        TxError::WorkDims { .. }
    ));
    assert_eq!(
        sim.err("owner", msg(131_072, 1)),
        TxError::KTooLarge {
            k: 131_072,
            limit: 131_072
        }
    );
    let e = sim.err(
        "owner",
        Message::RegisterModel(proofwork_tx::RegisterModel {
            k: 4,
            n: 4,
            b_root: [0; 32],
            royalties: vec![(addr("a"), 6_000)],
        }),
    );
    assert!(matches!(e, TxError::BadRoyaltyPolicy { .. }));
}

fn new_model(sim: &mut Sim, k: u32, n: u32, root: [u8; 32]) -> u64 {
    let ev = sim.ok(
        "owner",
        Message::RegisterModel(proofwork_tx::RegisterModel {
            k,
            n,
            b_root: root,
            royalties: vec![],
        }),
    );
    ev.attributes()[0].1.parse().unwrap()
}

#[test]
fn uploaded_chunks_must_match_the_registered_root() {
    let mut sim = Sim::new(16, 8, 8);
    let b: Vec<i8> = (0..32).map(|i| i as i8).collect();
    let root = i8_root(&b, 4, 8).unwrap();
    let id = new_model(&mut sim, 4, 8, root);
    let bytes: Vec<u8> = b.iter().map(|&v| v as u8).collect();
    sim.ok(
        "owner",
        Message::UploadModelChunk(proofwork_tx::UploadModelChunk {
            model_id: id,
            first_row: 0,
            rows: bytes[..16].to_vec(),
        }),
    );
    let mut bad = bytes[16..].to_vec();
    bad[3] ^= 1;
    assert!(matches!(
        sim.err(
            "owner",
            Message::UploadModelChunk(proofwork_tx::UploadModelChunk {
                model_id: id,
                first_row: 2,
                rows: bad
            })
        ),
        TxError::ModelRootMismatch { .. }
    ));
    let m = model(&sim.s, id).unwrap().unwrap();
    assert!(!m.active);
    assert_eq!(m.rows_uploaded, 2);
    // Jobs on an inactive model are refused.
    assert!(matches!(
        sim.err(
            "client",
            Message::PostJob(proofwork_tx::PostJob {
                model_id: id,
                a_root: [0; 32],
                m: 1,
                price: 100,
                commit_blocks: 0,
                reveal_blocks: 0,
                denom: None,
            })
        ),
        TxError::ModelState { .. }
    ));
    // The right rows complete it.
    sim.ok(
        "owner",
        Message::UploadModelChunk(proofwork_tx::UploadModelChunk {
            model_id: id,
            first_row: 2,
            rows: bytes[16..].to_vec(),
        }),
    );
    assert!(model(&sim.s, id).unwrap().unwrap().active);
    assert!(matches!(
        sim.err(
            "owner",
            Message::UploadModelChunk(proofwork_tx::UploadModelChunk {
                model_id: id,
                first_row: 0,
                rows: bytes[..8].to_vec()
            })
        ),
        TxError::ModelState { .. }
    ));
}

#[test]
fn chunks_must_be_whole_rows_in_order_by_the_owner() {
    let mut sim = Sim::new(16, 8, 8);
    let id = new_model(&mut sim, 4, 8, [1; 32]);
    let up = |first_row, len| {
        Message::UploadModelChunk(proofwork_tx::UploadModelChunk {
            model_id: id,
            first_row,
            rows: vec![0; len],
        })
    };
    assert!(matches!(
        sim.err("owner", up(0, 12)),
        TxError::ChunkLength { .. }
    ));
    assert!(matches!(
        sim.err("owner", up(0, 0)),
        TxError::ChunkLength { .. }
    ));
    assert!(matches!(
        sim.err("owner", up(0, 40)),
        TxError::ChunkLength { .. }
    ));
    assert!(matches!(
        sim.err("owner", up(1, 8)),
        TxError::ChunkOutOfOrder { .. }
    ));
    assert_eq!(sim.err("client", up(0, 8)), TxError::NotModelOwner);
    assert_eq!(
        sim.err(
            "owner",
            Message::UploadModelChunk(proofwork_tx::UploadModelChunk {
                model_id: 99,
                first_row: 0,
                rows: vec![0; 8]
            })
        ),
        TxError::UnknownModel { id: 99 }
    );
}

#[test]
fn jobs_on_unknown_models_and_bad_jobs_are_refused() {
    let mut sim = Sim::new(16, 8, 8);
    let post = |model_id, m, price, commit_blocks| {
        Message::PostJob(proofwork_tx::PostJob {
            model_id,
            a_root: [0; 32],
            m,
            price,
            commit_blocks,
            reveal_blocks: 0,
            denom: None,
        })
    };
    assert_eq!(
        sim.err("client", post(42, 4, 100, 0)),
        TxError::UnknownModel { id: 42 }
    );
    assert!(matches!(
        sim.err("client", post(1, (1 << 24) + 1, 1 << 40, 0)),
        TxError::WorkDims { .. }
    ));
    assert!(matches!(
        sim.err("client", post(1, 4, 100, 10_001)),
        TxError::BadWorkDeadline { .. }
    ));
    // 65536·16·8 MACs = 128 credits at 1 upw each.
    assert!(matches!(
        sim.err("client", post(1, 65_536, 127, 0)),
        TxError::PriceTooLow {
            price: 127,
            min: 128
        }
    ));
    assert!(matches!(
        sim.err("nobody", post(1, 4, 100, 0)),
        TxError::InsufficientFunds { .. }
    ));
}

#[test]
fn workers_need_registration_bond_and_known_validator() {
    let mut sim = Sim::new(16, 8, 8);
    sim.post(4, 100);
    assert!(matches!(
        sim.err(
            "client",
            Message::ClaimJob(proofwork_tx::ClaimJob { job_id: 1 })
        ),
        TxError::NotWorker { .. }
    ));
    assert!(matches!(
        sim.err(
            "client",
            Message::RegisterWorker(proofwork_tx::RegisterWorker {
                bond: 10,
                validator: Some([9; 32])
            })
        ),
        TxError::UnknownWorkValidator { .. }
    ));
    sim.ok(
        "client",
        Message::RegisterWorker(proofwork_tx::RegisterWorker {
            bond: 999,
            validator: None,
        }),
    );
    assert_eq!(
        sim.err(
            "client",
            Message::ClaimJob(proofwork_tx::ClaimJob { job_id: 1 })
        ),
        TxError::BondTooLow {
            bond: 999,
            needed: 1_000
        }
    );
    assert_eq!(
        sim.err(
            "worker",
            Message::ClaimJob(proofwork_tx::ClaimJob { job_id: 7 })
        ),
        TxError::UnknownJob { id: 7 }
    );
}

#[test]
fn commit_needs_the_claiming_worker_before_the_deadline() {
    let mut sim = Sim::new(16, 8, 8);
    sim.post(4, 100);
    let commit = Message::CommitWork(proofwork_tx::CommitWork {
        job_id: 1,
        c_root: [1; 32],
    });
    assert!(matches!(
        sim.err("worker", commit.clone()),
        TxError::JobState { .. }
    ));
    sim.ok(
        "worker",
        Message::ClaimJob(proofwork_tx::ClaimJob { job_id: 1 }),
    );
    assert_eq!(
        sim.err("cheat", commit.clone()),
        TxError::NotJobWorker { id: 1 }
    );
    sim.height += 21;
    sim.begin();
    assert!(matches!(
        sim.err("worker", commit),
        TxError::DeadlinePassed { .. }
    ));
}

/// A committed job whose beacon block is on chain: (sim, job id, honest proof, m).
fn committed(m: u32, sample: u32) -> (Sim, u64, Proof) {
    let mut sim = Sim::new(16, 8, sample);
    sim.begin();
    let (id, a) = sim.post(m, 1_000_000);
    sim.ok(
        "worker",
        Message::ClaimJob(proofwork_tx::ClaimJob { job_id: id }),
    );
    let proof = sim.honest(a, m);
    sim.ok(
        "worker",
        Message::CommitWork(proofwork_tx::CommitWork {
            job_id: id,
            c_root: proof.c_root(),
        }),
    );
    sim.end();
    // Same block as the beacon: its hash is recorded only at its end.
    sim.begin();
    assert!(matches!(
        sim.err(
            "worker",
            Message::RevealWork(proofwork_tx::RevealWork {
                job_id: id,
                rows: vec![]
            })
        ),
        TxError::BeaconNotReady { .. }
    ));
    sim.end();
    sim.begin();
    (sim, id, proof)
}

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
    for (i, pw) in [(1u8, 10u64), (2, 10), (3, 10)] {
        put_validator(
            &mut sim.s,
            &Validator {
                pub_key: [i; 32],
                power: pw,
                moniker: format!("v{i}"),
            },
        );
    }
    // Validator VAL_KEY earns 500 units, the others none (floor 10).
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
    assert!(top > 10 && 3 * top < total, "{vals:?}");
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

// ---- simulations ----

#[test]
fn honest_workers_are_never_slashed_over_1000_jobs() {
    let mut sim = Sim::new(8, 8, 6);
    sim.check_every = 101;
    let mut slashed = 0;
    for _ in 0..1000 {
        if sim.run_job("worker", 24, &[]) != "work_verified" {
            slashed += 1;
        }
    }
    assert_eq!(slashed, 0);
    let w = worker(&sim.s, &addr("worker").0).unwrap().unwrap();
    assert_eq!((w.jobs_verified, w.slashes), (1000, 0));
}

/// `1 − C(m−f, k)/C(m, k)`: the chance that `k` distinct rows out of `m` hit one of `f`
/// faked rows (sampling without replacement; `1 − (1 − f/m)^k` is its with-replacement
/// approximation and a lower bound).
fn detection_probability(m: u64, faked: u64, k: u64) -> f64 {
    let mut miss = 1.0;
    for i in 0..k {
        miss *= (m - faked).saturating_sub(i) as f64 / (m - i) as f64;
    }
    1.0 - miss
}

#[test]
fn cheaters_are_caught_at_the_rate_sampling_predicts() {
    // m = 100 rows, k = 16 sampled rows, 1000 jobs per fraction. Each job fakes a fresh
    // random set of f·m rows; the beacon picks the sample after the commit.
    const M: u32 = 100;
    const K: u64 = 16;
    const JOBS: u64 = 1000;
    for f_pct in [1u64, 5, 20, 100] {
        let mut sim = Sim::new(8, 4, K as u32);
        sim.check_every = 101;
        let faked = f_pct * u64::from(M) / 100;
        let mut caught = 0u64;
        for _ in 0..JOBS {
            let mut fake = std::collections::BTreeSet::new();
            while (fake.len() as u64) < faked {
                fake.insert((sim.rng.next() % u64::from(M)) as usize);
            }
            let fake: Vec<usize> = fake.into_iter().collect();
            if sim.run_job("cheat", M, &fake) == "work_slashed" {
                caught += 1;
            }
            // Keep the cheater bonded: top its bond back up.
            if worker(&sim.s, &addr("cheat").0).unwrap().unwrap().bond < 50_000_000 {
                sim.ok(
                    "cheat",
                    Message::RegisterWorker(proofwork_tx::RegisterWorker {
                        bond: 100_000_000,
                        validator: None,
                    }),
                );
            }
        }
        let p = detection_probability(u64::from(M), faked, K);
        let approx = 1.0 - (1.0 - f_pct as f64 / 100.0).powi(K as i32);
        let mean = p * JOBS as f64;
        let sd = (JOBS as f64 * p * (1.0 - p)).sqrt();
        // 99% two-sided normal interval (z = 2.576), plus 1 for continuity.
        let (lo, hi) = (mean - 2.576 * sd - 1.0, mean + 2.576 * sd + 1.0);
        println!(
            "f = {f_pct}%: caught {caught}/{JOBS}; expected {mean:.1} (exact {p:.4}, \
             1-(1-f)^k = {approx:.4}), 99% interval [{lo:.1}, {hi:.1}]"
        );
        assert!(
            (lo..=hi).contains(&(caught as f64)),
            "f = {f_pct}%: {caught} outside [{lo}, {hi}]"
        );
    }
}

#[test]
fn detection_math_at_protocol_parameters() {
    // k = 96, f = 5%: escape probability 0.95^96 ≈ 0.72% (docs/design.md: caught ≥ 99.3%).
    let escape = 0.95f64.powi(96);
    assert!((0.0070..0.0075).contains(&escape), "{escape}");
    // Sampling without replacement from m = 4096 rows only lowers it.
    assert!(1.0 - detection_probability(4096, 205, 96) <= escape);
}

#[test]
fn state_is_deterministic_across_runs() {
    let run = || {
        let mut sim = Sim::new(8, 8, 4);
        for i in 0..20u32 {
            sim.run_job(
                if i.is_multiple_of(3) {
                    "cheat"
                } else {
                    "worker"
                },
                12,
                &[],
            );
        }
        sim.run_job("cheat", 12, &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
        let mut full = Base::new();
        for (k, v) in sim.s.writes() {
            if let Some(v) = v {
                full.insert(k.clone(), v.clone());
            }
        }
        full
    };
    assert_eq!(run(), run());
}

#[test]
fn reveal_check_never_panics_on_malformed_input() {
    let (sim, id, proof) = committed(40, 8);
    let ctx = reveal_context(&sim.s, &addr("worker"), id, sim.height)
        .unwrap()
        .unwrap();
    let mut rows = sim.reveal_rows(id, &proof, 40);
    rows[0].index = u64::MAX;
    rows[1].a_proof = vec![[0; 32]; 70];
    assert!(check_reveal(&sim.s, &ctx, &rows, None).unwrap().is_err());
    assert!(check_reveal(&sim.s, &ctx, &[], None).unwrap().is_err());
    // StateRead is used read-only here.
    let _ = sim.s.get_raw(b"x");
}

// ---- unbonding ----

fn set_unbonding_blocks(sim: &mut Sim, blocks: u64) {
    let p = WorkParams {
        unbonding_blocks: blocks,
        ..params(&sim.s).unwrap()
    };
    put_params(&mut sim.s, &p);
}

fn bonds_held(sim: &Sim) -> u128 {
    let bonds = accounts::module_address(state_key::BOND_MODULE);
    accounts::balance(&sim.s, &bonds, DENOM).unwrap()
}

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
    let (id, _) = sim.post(4, 1_000_000);
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

// ---- paying in compute credits ----

/// Gives `who` compute credits as if earned (tests only: credits are minted by work).
fn grant_credits(sim: &mut Sim, who: &str, amount: u128) {
    accounts::mint(&mut sim.s, &addr(who), CREDIT_DENOM, amount).unwrap();
}

/// Smaller credits, so the small test jobs are worth more than the minimum of one.
fn set_macs_per_credit(sim: &mut Sim, macs: u64) {
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

// ---- supply under random sequences ----

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]
    /// Random interleavings of posts (both denominations), claims, honest and forged work,
    /// cancels, unbonds and re-registrations: every block end conserves supply (checked by
    /// `Sim::end`), no bond is released while its worker holds a job, and the bond module
    /// always holds exactly the registered workers' bonds.
    #[test]
    fn supply_and_bonds_are_conserved_under_random_work_and_unbonding(
        ops in proptest::collection::vec((0u8..8, 0u8..3, 0u64..8), 1..40)
    ) {
        let mut sim = Sim::with(16, 8, WorkParams { sample_rows: 64, delivery_blocks: 5, ..WorkParams::default() });
        set_unbonding_blocks(&mut sim, 3);
        grant_credits(&mut sim, "client", 1_000);
        let who = ["worker", "cheat", "client"];
        let mut proofs: BTreeMap<u64, (Vec<i8>, u32)> = BTreeMap::new();
        for (op, w, x) in ops {
            sim.begin();
            let name = who[w as usize];
            match op {
                0 => {
                    let denom = (x % 2 == 1).then_some(CREDIT_DENOM);
                    // 4·16·8 MACs: one credit, the exact price in credits.
                    let price = if denom.is_some() { 1 } else { 50 + u128::from(x) };
                    let (id, a) = sim.post_in(4, price, denom);
                    proofs.insert(id, (a, 4));
                }
                1 => {
                    let _ = sim.exec(name, Message::ClaimJob(proofwork_tx::ClaimJob { job_id: x }));
                }
                2 | 3 => {
                    // Commit (honest for op 2, forged for op 3) if this worker holds job x.
                    if let (Some(j), Some((a, m))) = (job(&sim.s, x).unwrap(), proofs.get(&x)) {
                        if matches!(j.status, JobStatus::Claimed { worker, .. } if worker == addr(name).0) {
                            let proof = if op == 2 {
                                sim.honest(a.clone(), *m)
                            } else {
                                sim.forged(a.clone(), *m, &[0])
                            };
                            sim.ok(name, Message::CommitWork(proofwork_tx::CommitWork { job_id: x, c_root: proof.c_root() }));
                            sim.end();
                            sim.begin();
                            sim.end();
                            sim.begin();
                            let rows = sim.reveal_rows(x, &proof, *m);
                            let _ = sim.exec(name, Message::RevealWork(proofwork_tx::RevealWork { job_id: x, rows }));
                        }
                    }
                }
                4 => {
                    let _ = sim.exec(name, Message::UnbondWorker(proofwork_tx::UnbondWorker));
                }
                5 => {
                    let _ = sim.exec(name, Message::RegisterWorker(proofwork_tx::RegisterWorker { bond: 2_000 + u128::from(x), validator: None }));
                }
                6 => {
                    let _ = sim.exec("client", Message::CancelJob(proofwork_tx::CancelJob { job_id: x }));
                }
                _ => {}
            }
            sim.end();
            // Invariants after every block.
            let ws = workers(&sim.s, usize::MAX).unwrap();
            let total: u128 = ws.iter().map(|w| w.bond).sum();
            proptest::prop_assert_eq!(bonds_held(&sim), total);
            for w in &ws {
                let claimed = jobs(&sim.s, None, usize::MAX).unwrap().iter().filter(|j| matches!(
                    j.status,
                    JobStatus::Claimed { worker, .. } | JobStatus::Committed { worker, .. } if worker == w.address
                )).count();
                proptest::prop_assert_eq!(w.active_claims as usize, claimed);
            }
            let escrow = accounts::module_address(state_key::ESCROW_MODULE);
            let open: Vec<Job> = jobs(&sim.s, None, usize::MAX).unwrap().into_iter().filter(|j| matches!(
                j.status, JobStatus::Open | JobStatus::Claimed { .. } | JobStatus::Committed { .. }
            )).collect();
            for d in [DENOM, CREDIT_DENOM] {
                let held: u128 = jobs(&sim.s, None, usize::MAX).unwrap().iter()
                    .filter_map(|j| delivery(&sim.s, j.id).unwrap())
                    .filter(|dl| dl.denom == d && matches!(dl.state, DeliveryState::Pending { .. } | DeliveryState::Disputed { .. }))
                    .map(|dl| dl.hold)
                    .sum();
                let want: u128 = held + open.iter().filter(|j| job_denom(&sim.s, j.id, DENOM).unwrap() == d).map(|j| j.price).sum::<u128>();
                proptest::prop_assert_eq!(accounts::balance(&sim.s, &escrow, d).unwrap(), want);
            }
        }
    }
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

#[test]
fn open_jobs_are_listed_from_the_status_index_in_pages() {
    let mut sim = Sim::new(16, 8, 8);
    sim.begin();
    for _ in 0..5 {
        sim.post(4, 1_000_000);
    }
    sim.ok(
        "worker",
        Message::ClaimJob(proofwork_tx::ClaimJob { job_id: 2 }),
    );
    sim.ok(
        "worker",
        Message::ClaimJob(proofwork_tx::ClaimJob { job_id: 4 }),
    );
    let ids = |jobs: Vec<Job>| jobs.iter().map(|j| j.id).collect::<Vec<_>>();
    assert_eq!(
        ids(jobs_with_status(&sim.s, "posted", None, 10).unwrap()),
        [1, 3, 5]
    );
    assert_eq!(
        ids(jobs_with_status(&sim.s, "posted", Some(1), 1).unwrap()),
        [3]
    );
    assert_eq!(
        ids(jobs_with_status(&sim.s, "posted", Some(5), 10).unwrap()),
        [0u64; 0]
    );
    assert_eq!(
        ids(jobs_with_status(&sim.s, "claimed", None, 10).unwrap()),
        [2, 4]
    );
    assert!(jobs_with_status(&sim.s, "verified", None, 10)
        .unwrap()
        .is_empty());
    check_status_index(&sim.s);
    sim.end();
}

#[test]
fn status_names_list_every_status_once() {
    let every = [
        JobStatus::Open,
        JobStatus::Claimed {
            worker: [0; 20],
            commit_deadline: 0,
        },
        JobStatus::Committed {
            worker: [0; 20],
            c_root: [0; 32],
            commit_height: 0,
            reveal_deadline: 0,
        },
        JobStatus::Verified {
            worker: [0; 20],
            height: 0,
        },
        JobStatus::Cancelled { height: 0 },
        JobStatus::Expired { height: 0 },
    ];
    let names: Vec<&str> = every.iter().map(JobStatus::name).collect();
    assert_eq!(names, JobStatus::NAMES);
}

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

/// Drives one job the way an honest reference worker does: it computes for
/// `⌈m·k·n / ref_macs_per_block⌉` blocks after its claim, commits, and reveals one part per
/// block. Under the smallest windows the chain accepts it is never late.
fn reference_worker_run(sim: &mut Sim, m: u32, commit_blocks: u32, reveal_blocks: u32) -> u64 {
    let p = params(&sim.s).unwrap();
    sim.begin();
    let a = sim.rng.i8s((m * sim.k) as usize);
    let root = i8_root(&a, m as usize, sim.k as usize).unwrap();
    let ev = sim.ok(
        "client",
        Message::PostJob(proofwork_tx::PostJob {
            model_id: 1,
            a_root: root,
            m,
            price: 1_000_000,
            commit_blocks,
            reveal_blocks,
            denom: None,
        }),
    );
    let id: u64 = ev.attributes()[0].1.parse().unwrap();
    sim.end();
    sim.begin();
    sim.ok(
        "worker",
        Message::ClaimJob(proofwork_tx::ClaimJob { job_id: id }),
    );
    sim.end();
    let compute = job_macs(m, sim.k, sim.n).div_ceil(u128::from(p.ref_macs_per_block)) as u64;
    for _ in 0..compute {
        sim.begin();
        sim.end();
    }
    let proof = sim.honest(a, m);
    sim.begin();
    sim.ok(
        "worker",
        Message::CommitWork(proofwork_tx::CommitWork {
            job_id: id,
            c_root: proof.c_root(),
        }),
    );
    sim.end();
    sim.begin();
    sim.end(); // the beacon block
    let rows = sim.reveal_rows(id, &proof, m);
    let per = reveal_rows_per_tx(sim.max_tx_bytes, m, sim.k, sim.n) as usize;
    let parts: Vec<_> = rows.chunks(per).map(<[RevealedRow]>::to_vec).collect();
    let n_parts = parts.len();
    for (i, part) in parts.into_iter().enumerate() {
        sim.begin();
        let ev = sim.ok(
            "worker",
            Message::RevealWork(proofwork_tx::RevealWork {
                job_id: id,
                rows: part,
            }),
        );
        let want = if i + 1 == n_parts {
            "work_verified"
        } else {
            "work_revealed_part"
        };
        assert_eq!(ev.kind(), want, "part {i} of {n_parts}");
        sim.end();
    }
    id
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

// ---- output delivery (docs/adr-008-job-output-delivery.md) ----

fn hold_sim() -> Sim {
    Sim::with(
        32,
        16,
        WorkParams {
            sample_rows: 8,
            ..WorkParams::default()
        },
    )
}

fn delivery_of(sim: &Sim, id: u64) -> Delivery {
    delivery(&sim.s, id).unwrap().unwrap()
}

fn run_blocks(sim: &mut Sim, until: u64) {
    while sim.height < until {
        sim.begin();
        sim.end();
    }
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
