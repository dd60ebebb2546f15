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
        Message::RegisterModel(m) => exec::register_model(s, who, m),
        Message::UploadModelChunk(m) => exec::upload_model_chunk(s, who, m),
        Message::RegisterWorker(m) => exec::register_worker(s, env, who, m),
        Message::PostJob(m) => exec::post_job(s, env, who, m),
        Message::ClaimJob(m) => exec::claim_job(s, who, m),
        Message::CommitWork(m) => exec::commit_work(s, who, m),
        Message::RevealWork(m) => exec::reveal_work(s, env, who, m),
        Message::CancelJob(m) => exec::cancel_job(s, env, who, m),
        Message::UnbondWorker(_) => exec::unbond_worker(s, who),
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
}

const VAL_KEY: [u8; 32] = [7; 32];

impl Sim {
    /// A chain at height 1 with funded accounts, one admitted validator and an active model
    /// (`k×n`, owner "owner" with a 10% royalty to "artist").
    fn new(k: u32, n: u32, sample: u32) -> Self {
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
        };
        put_params(
            &mut sim.s,
            &WorkParams {
                sample_rows: sample,
                ..WorkParams::default()
            },
        );
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
        let id = ev.1[0].1.parse().unwrap();
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
        ev.0
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
    assert_eq!(out.events[0].0, "work_slashed");
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
    ev.1[0].1.parse().unwrap()
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
    // Too few rows.
    let mut rows = sampled.clone();
    rows.pop();
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
    assert_eq!(ev.0, "work_slashed");
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
    assert_eq!(ev.0, "unbond_worker");
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
    assert_eq!(out.events[0].0, "worker_unbonded");
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
        assert!(out.events.iter().all(|e| e.0 != "worker_unbonded"));
    }
    assert_eq!(
        worker(&sim.s, &addr("worker").0).unwrap().unwrap().bond,
        100_000_000
    );
    // The missed commit is slashed (10%) at the deadline's block end, then the rest released.
    sim.begin();
    let out = sim.end();
    let kinds: Vec<_> = out.events.iter().map(|e| e.0).collect();
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
    assert_eq!(out.events[0].0, "worker_unbonded");
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
        let mut sim = Sim::new(16, 8, 64);
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
                let want: u128 = open.iter().filter(|j| job_denom(&sim.s, j.id, DENOM).unwrap() == d).map(|j| j.price).sum();
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
