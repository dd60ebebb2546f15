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
        Message::ChallengeRow(m) => exec::challenge_row(s, env, who, m),
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

// ---- paying in compute credits ----

/// Gives `who` compute credits as if earned (tests only: credits are minted by work).
fn grant_credits(sim: &mut Sim, who: &str, amount: u128) {
    accounts::mint(&mut sim.s, &addr(who), CREDIT_DENOM, amount).unwrap();
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

mod adversary;
mod credits;
mod delivery;
mod hooks;
mod index;
mod market;
mod outcomes;
mod reveal;
mod simulations;
mod unbonding;
mod validation;
