//! Protocol tests: one per error variant, outcomes, deadlines, epochs, and seeded simulations
//! of honest and cheating workers.

use std::collections::BTreeMap;

use proofwork_kernels::{cpu, CpuBackend, Xorshift64};
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

struct Sim {
    s: StateDelta<Base>,
    height: u64,
    cache: WorkCache,
    tx_counter: u64,
    b: Vec<i8>,
    k: u32,
    n: u32,
    rng: Xorshift64,
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
            rng: Xorshift64::new(0),
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

    /// `who` claims job `job_id` (must succeed).
    fn claim(&mut self, who: &str, job_id: u64) -> WorkEvent {
        self.ok(who, Message::ClaimJob(proofwork_tx::ClaimJob { job_id }))
    }

    /// `who` commits to `proof`'s `C` for job `job_id` (must succeed).
    fn commit(&mut self, who: &str, job_id: u64, proof: &Proof) -> WorkEvent {
        self.ok(
            who,
            Message::CommitWork(proofwork_tx::CommitWork {
                job_id,
                c_root: proof.c_root(),
            }),
        )
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
        self.claim(who, id);
        let proof = if fake.is_empty() {
            self.honest(a, m)
        } else {
            self.forged(a, m, fake)
        };
        self.commit(who, id, &proof);
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
    sim.claim("worker", id);
    let proof = sim.honest(a, m);
    sim.commit("worker", id, &proof);
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

/// Gives `who` compute credits as if earned (tests only: credits are minted by work).
fn grant_credits(sim: &mut Sim, who: &str, amount: u128) {
    accounts::mint(&mut sim.s, &addr(who), CREDIT_DENOM, amount).unwrap();
}

mod credits;
mod hooks;
mod index;
mod outcomes;
mod reveal;
mod simulations;
mod supply;
mod unbonding;
mod validation;
