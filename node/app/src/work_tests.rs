//! App tests of useful work: a mock consensus drives PrepareProposal / ProcessProposal /
//! FinalizeBlock with reveal txs over a real RocksDB.

use proofwork_consensus::work::prover::{i8_root, Proof};
use proofwork_consensus::work::{self, JobStatus};
use proofwork_state::accounts::{self, CREDIT_DENOM};
use proofwork_tx::{Message, TxError};

use super::testkit::{
    addr, forged_proof, honest_proof, matrix, model_bytes, ChainBuilder, TestChain,
};
use super::*;

const CHAIN: &str = "pw-work";
const K: u32 = 16;
const N: u32 = 8;
const M: u32 = 200;

/// The test chain with a model (`K×N`, alice's, 5% royalty to carol) and a worker (bob,
/// bonded to the placeholder validator `[1; 32]`).
struct Harness {
    chain: TestChain,
    b: Vec<i8>,
}

impl std::ops::Deref for Harness {
    type Target = TestChain;
    fn deref(&self) -> &TestChain {
        &self.chain
    }
}

impl std::ops::DerefMut for Harness {
    fn deref_mut(&mut self) -> &mut TestChain {
        &mut self.chain
    }
}

impl Harness {
    fn new() -> Self {
        let chain = ChainBuilder::new(CHAIN)
            .fund(&["alice", "bob", "carol"], 1_000_000_000)
            .build();
        let mut h = Harness {
            chain,
            b: matrix(1, K, N),
        };
        let root = i8_root(&h.b, K as usize, N as usize).unwrap();
        let rows = model_bytes(&h.b);
        h.ok(
            "alice",
            vec![
                Message::RegisterModel(proofwork_tx::RegisterModel {
                    k: K,
                    n: N,
                    b_root: root,
                    royalties: vec![(addr("carol"), 500)],
                }),
                Message::UploadModelChunk(proofwork_tx::UploadModelChunk {
                    model_id: 1,
                    first_row: 0,
                    rows,
                }),
            ],
        );
        h.ok(
            "bob",
            vec![Message::RegisterWorker(proofwork_tx::RegisterWorker {
                bond: 1_000_000,
                validator: Some([1; 32]),
            })],
        );
        h
    }

    /// A tx of `who` at its committed nonce (two such txs are alternatives of each other).
    fn tx(&self, who: &str, messages: Vec<Message>) -> Vec<u8> {
        self.chain.tx_at(who, self.nonce(who), messages)
    }

    /// A block of the one tx through the proposal; its events.
    fn ok(&mut self, who: &str, messages: Vec<Message>) -> Vec<Event> {
        let tx = self.tx(who, messages);
        let out = self.propose(vec![tx]);
        out.tx_results[0].result.clone().unwrap()
    }

    /// Posts a job, claims and commits it with `proof_of(a)`, then finalizes the beacon
    /// block. Returns the job id and the proof.
    fn committed(&mut self, forge_rows: &[usize]) -> (u64, Proof) {
        let a = matrix(self.height() + 100, M, K);
        let root = i8_root(&a, M as usize, K as usize).unwrap();
        let ev = self.ok(
            "alice",
            vec![Message::PostJob(proofwork_tx::PostJob {
                model_id: 1,
                a_root: root,
                m: M,
                price: 1_000_000,
                commit_blocks: 0,
                reveal_blocks: 0,
                denom: None,
            })],
        );
        let id: u64 = ev[0].attributes[0].value.parse().unwrap();
        let proof = if forge_rows.is_empty() {
            honest_proof(a, &self.b, M, K, N)
        } else {
            forged_proof(a, &self.b, M, K, N, forge_rows)
        };
        self.ok(
            "bob",
            vec![
                Message::ClaimJob(proofwork_tx::ClaimJob { job_id: id }),
                Message::CommitWork(proofwork_tx::CommitWork {
                    job_id: id,
                    c_root: proof.c_root(),
                }),
            ],
        );
        self.propose(vec![]);
        (id, proof)
    }

    /// Bob's honest reveal of `id` and one whose `corrupt`-th row of `C` is no longer the
    /// committed leaf (so its proof fails), both at his committed nonce.
    fn good_and_bad_reveal(&self, id: u64, proof: &Proof, corrupt: usize) -> (Vec<u8>, Vec<u8>) {
        let rows = self.reveal_rows(id, proof);
        let mut bad_rows = rows.clone();
        let mut c = bad_rows[corrupt].c_row.to_vec();
        c[0] ^= 1;
        bad_rows[corrupt].c_row = c.into();
        let good = self.tx("bob", vec![reveal(id, rows)]);
        let bad = self.tx("bob", vec![reveal(id, bad_rows)]);
        (good, bad)
    }
}

/// `RevealWork` of `rows` for job `job_id`.
fn reveal(job_id: u64, rows: Vec<proofwork_tx::RevealedRow>) -> Message {
    Message::RevealWork(proofwork_tx::RevealWork { job_id, rows })
}

#[test]
fn proposal_with_an_invalid_reveal_is_rejected() {
    let mut h = Harness::new();
    let (id, proof) = h.committed(&[]);
    // No longer the committed leaf: the C proof fails.
    let (good, bad) = h.good_and_bad_reveal(id, &proof, 5);
    // A proposer including the invalid reveal gets its proposal rejected …
    assert!(!h.app.process_proposal(std::slice::from_ref(&bad)));
    assert!(!h.app.process_proposal(&[good.clone(), bad.clone()]));
    // … an honest proposer leaves it out …
    assert_eq!(
        h.app
            .prepare_proposal(vec![bad.clone(), good.clone()], 1 << 22),
        vec![good.clone()]
    );
    // … and the valid one passes, is executed with the cached check, and pays.
    assert!(h.app.process_proposal(std::slice::from_ref(&good)));
    let out = h.propose(vec![good]);
    let events = out.tx_results[0].result.clone().unwrap();
    assert_eq!(events[0].kind, "work_verified");
    let s = h.app.storage();
    // 200·16·8 = 25600 MACs: the minimum of one credit.
    assert_eq!(accounts::balance(s, &addr("bob"), CREDIT_DENOM).unwrap(), 1);
    // 5% royalty of (1_000_000 − 10% burn).
    assert_eq!(
        accounts::balance(s, &addr("carol"), "upw").unwrap(),
        1_000_000_000 + 45_000
    );
}

#[test]
fn reveals_for_unsampled_rows_or_another_job_make_a_proposal_invalid() {
    let mut h = Harness::new();
    // Two claims at once: claims are bonded at 100 % of the price.
    h.ok(
        "bob",
        vec![Message::RegisterWorker(proofwork_tx::RegisterWorker {
            bond: 1_000_000,
            validator: None,
        })],
    );
    let (j0, p0) = h.committed(&[]);
    let (j1, _p1) = h.committed(&[]);
    let rows0 = h.reveal_rows(j0, &p0);
    let replay = h.tx(
        "bob",
        vec![Message::RevealWork(proofwork_tx::RevealWork {
            job_id: j1,
            rows: rows0.clone(),
        })],
    );
    assert!(!h.app.process_proposal(&[replay]));
    let mut shifted = rows0.clone();
    let unsampled = (0..u64::from(M))
        .find(|i| !rows0.iter().any(|r| r.index == *i))
        .unwrap();
    shifted[0] = p0.reveal(&[unsampled]).unwrap().remove(0);
    let t = h.tx("bob", vec![reveal(j0, shifted)]);
    assert!(!h.app.process_proposal(&[t]));
}

#[test]
fn well_formed_reveal_of_a_wrong_row_is_executed_and_slashes() {
    let mut h = Harness::new();
    // Forge every row so the sample certainly hits one.
    let all: Vec<usize> = (0..M as usize).collect();
    let (id, proof) = h.committed(&all);
    let rows = h.reveal_rows(id, &proof);
    let t = h.tx("bob", vec![reveal(id, rows)]);
    // Valid evidence of fraud: the proposal is accepted and the worker slashed.
    assert!(h.app.process_proposal(std::slice::from_ref(&t)));
    let alice_before = accounts::balance(h.app.storage(), &addr("alice"), "upw").unwrap();
    let out = h.propose(vec![t]);
    assert_eq!(
        out.tx_results[0].result.clone().unwrap()[0].kind,
        "work_slashed"
    );
    let s = h.app.storage();
    let w = work::worker(s, &addr("bob").0).unwrap().unwrap();
    assert_eq!(w.bond, 500_000);
    assert_eq!(
        accounts::balance(s, &addr("alice"), "upw").unwrap(),
        alice_before + 250_000
    );
    assert_eq!(work::job(s, id).unwrap().unwrap().status, JobStatus::Open);
}

#[test]
fn epoch_end_returns_validator_updates_from_work() {
    let mut h = Harness::new();
    let (id, proof) = h.committed(&[]);
    let rows = h.reveal_rows(id, &proof);
    h.ok("bob", vec![reveal(id, rows)]);
    while h.height() % 100 != 99 {
        h.propose(vec![]);
    }
    let out = h.propose(vec![]);
    // Genesis power 1 → base weight × (floor 2^20 + 1 unit of score).
    assert_eq!(out.validator_updates.len(), 1);
    assert_eq!(out.validator_updates[0].power, (1 << 20) + 1);
    assert_eq!(out.validator_updates[0].pub_key, [1; 32]);
}

/// Through the whole app (CheckTx-free deliver, end-block hook, supply check of every
/// block): a worker unbonds while holding a job, is refused new claims, finishes the job,
/// and gets its bond back after the period; the credits it earned pay for a credit job.
#[test]
fn worker_unbonds_through_the_app_and_credits_pay_for_a_job() {
    let mut h = Harness::new();
    let (id, proof) = h.committed(&[]);
    let rows = h.reveal_rows(id, &proof);
    let before = accounts::balance(h.app.storage(), &addr("bob"), "upw").unwrap();
    let a = matrix(5, M, K);
    let post = |price: u128, denom: Option<&str>| {
        Message::PostJob(proofwork_tx::PostJob {
            model_id: 1,
            a_root: i8_root(&a, M as usize, K as usize).unwrap(),
            m: M,
            price,
            commit_blocks: 0,
            reveal_blocks: 0,
            denom: denom.map(Into::into),
        })
    };
    h.ok("alice", vec![post(1_000_000, None)]);
    let open = id + 1;
    h.ok(
        "bob",
        vec![Message::UnbondWorker(proofwork_tx::UnbondWorker)],
    );
    let requested = h.height();
    let tx = h.tx(
        "bob",
        vec![Message::UnbondWorker(proofwork_tx::UnbondWorker)],
    );
    let out = h.propose(vec![tx]);
    assert_eq!(out.tx_results[0].result.as_ref().unwrap_err().code(), 423);
    let tx = h.tx(
        "bob",
        vec![Message::ClaimJob(proofwork_tx::ClaimJob { job_id: open })],
    );
    let out = h.propose(vec![tx]);
    assert_eq!(out.tx_results[0].result.as_ref().unwrap_err().code(), 424);
    // Finishing the held job is allowed and paid (in the chain denomination: 1 credit).
    let ev = h.ok("bob", vec![reveal(id, rows)]);
    assert_eq!(ev[0].kind, "work_verified");
    let period = work::params(h.app.storage()).unwrap().unbonding_blocks;
    while h.height() < requested + period - 1 {
        h.propose(vec![]);
    }
    assert!(work::worker(h.app.storage(), &addr("bob").0)
        .unwrap()
        .is_some());
    h.propose(vec![]);
    let s = h.app.storage();
    assert!(work::worker(s, &addr("bob").0).unwrap().is_none());
    // Bond back; paid half of 1_000_000 − 10% burn − 5% royalty (the other half is held
    // until the delivery window ends, 100 blocks after the pass: docs/adr-008); four fees
    // of 1 (refused txs pay theirs too).
    assert_eq!(
        accounts::balance(s, &addr("bob"), "upw").unwrap(),
        before + 1_000_000 + 427_500 - 4
    );
    // Bob's one credit pays for a one-credit job in credits (any client may post one).
    let ev = h.ok("bob", vec![post(1, Some(CREDIT_DENOM))]);
    assert_eq!(ev[0].kind, "post_job");
    let s = h.app.storage();
    assert_eq!(accounts::balance(s, &addr("bob"), CREDIT_DENOM).unwrap(), 0);
    let job_id = open + 1;
    assert_eq!(work::job_denom(s, job_id, "upw").unwrap(), CREDIT_DENOM);
    // Re-registering works.
    h.ok(
        "bob",
        vec![Message::RegisterWorker(proofwork_tx::RegisterWorker {
            bond: 1_000,
            validator: None,
        })],
    );
    let ev = h.ok(
        "bob",
        vec![Message::ClaimJob(proofwork_tx::ClaimJob { job_id })],
    );
    assert_eq!(ev[0].kind, "claim_job");
}

#[test]
fn work_error_codes_are_distinct_and_in_range() {
    let errors = [
        TxError::WorkDims {
            reason: String::new(),
        },
        TxError::KTooLarge { k: 0, limit: 0 },
        TxError::BadDigest { what: "", got: 0 },
        TxError::UnknownModel { id: 0 },
        TxError::ModelState { id: 0, state: "" },
        TxError::NotModelOwner,
        TxError::ChunkOutOfOrder {
            first_row: 0,
            uploaded: 0,
        },
        TxError::ChunkLength {
            reason: String::new(),
        },
        TxError::ModelRootMismatch {
            expected: String::new(),
            got: String::new(),
        },
        TxError::NotWorker {
            address: String::new(),
        },
        TxError::BondTooLow { bond: 0, needed: 0 },
        TxError::UnknownJob { id: 0 },
        TxError::JobState {
            id: 0,
            state: "",
            expected: "",
        },
        TxError::NotJobWorker { id: 1 },
        TxError::NotJobClient { id: 0 },
        TxError::DeadlinePassed {
            deadline: 0,
            height: 0,
        },
        TxError::BeaconNotReady {
            beacon_height: 0,
            height: 0,
        },
        TxError::RowsNotSampled {
            reason: String::new(),
        },
        TxError::RevealRowLength {
            what: "",
            index: 0,
            got: 0,
            expected: 0,
        },
        TxError::RevealProof {
            what: "",
            index: 0,
            reason: String::new(),
        },
        TxError::PriceTooLow { price: 0, min: 0 },
        TxError::UnknownWorkValidator {
            pub_key: String::new(),
        },
        TxError::BadWorkDeadline {
            reason: String::new(),
        },
        TxError::AlreadyUnbonding {
            address: String::new(),
            release_at: 0,
        },
        TxError::WorkerUnbonding {
            address: String::new(),
        },
        TxError::BadJobDenom {
            denom: String::new(),
            native: String::new(),
            credits: String::new(),
        },
        TxError::CreditPriceTooHigh { price: 0, max: 0 },
    ];
    let codes: std::collections::BTreeSet<u32> = errors.iter().map(TxError::code).collect();
    let names: std::collections::BTreeSet<&str> =
        errors.iter().map(TxError::codespace_name).collect();
    assert_eq!(codes.len(), errors.len());
    assert_eq!(names.len(), errors.len());
    assert!(codes.iter().all(|c| (400..500).contains(c)));
}

#[test]
fn b_times_r_is_prefetched_once_the_beacon_is_on_chain() {
    let mut h = Harness::new();
    let before = h.app.work_cache().br_len();
    // `committed` finalizes the commit's block and the beacon block after it.
    let (id, proof) = h.committed(&[]);
    // The prefetch runs on the rayon pool: wait for it (at most 4,000 × 5 ms).
    let mut polls = 0;
    while h.app.work_cache().br_len() == before {
        polls += 1;
        assert!(polls < 4_000, "B·r was not prefetched");
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    assert_eq!(h.app.work_cache().br_len(), before + 1);
    // The reveal's spot check finds it: no second B·r for the same (model, beacon).
    let rows = h.reveal_rows(id, &proof);
    let ev = h.ok("bob", vec![reveal(id, rows)]);
    assert_eq!(ev[0].kind, "work_verified");
    assert_eq!(h.app.work_cache().br_len(), before + 1);
}

/// CheckTx checks a reveal with the application's cache: the spot check it runs (reading
/// `B`, `B·r`, the rows) is not repeated by ProcessProposal, and a stream of CheckTx calls on
/// the same model and beacon computes `B·r` once.
#[test]
fn check_tx_shares_the_spot_check_cache() {
    let mut h = Harness::new();
    let (id, proof) = h.committed(&[]);
    let rows = h.reveal_rows(id, &proof);
    let good = h.tx("bob", vec![reveal(id, rows)]);
    let cfg = h.app.config().cloned().unwrap();
    let mut check = CheckState::new(
        h.app.storage().clone(),
        cfg,
        h.app.sig_cache().clone(),
        u64::MAX,
    )
    .with_work_cache(h.app.work_cache().clone());
    let cache = h.app.work_cache().clone();
    let verdicts = cache.verdict_len();
    check.check(&good).unwrap();
    assert_eq!(
        cache.verdict_len(),
        verdicts + 1,
        "CheckTx's verdict is cached"
    );
    let br = cache.br_len();
    assert!(h.app.process_proposal(std::slice::from_ref(&good)));
    assert_eq!(
        cache.verdict_len(),
        verdicts + 1,
        "ProcessProposal reused it"
    );
    assert_eq!(cache.br_len(), br);
}

/// The reveal handler's historical check runs in CheckTx too: a reveal whose proofs fail
/// against committed state never enters the mempool (ProcessProposal would refuse any block
/// holding it), while the valid reveal of the same job passes.
#[test]
fn check_tx_refuses_a_reveal_that_fails_its_historical_check() {
    let mut h = Harness::new();
    let (id, proof) = h.committed(&[]);
    let (good, bad) = h.good_and_bad_reveal(id, &proof, 0);
    let cfg = h.app.config().cloned().unwrap();
    let mut check = CheckState::new(
        h.app.storage().clone(),
        cfg,
        h.app.sig_cache().clone(),
        u64::MAX,
    );
    let e = check.check(&bad).unwrap_err();
    assert!(
        matches!(
            e,
            proofwork_state::ExecError::Tx(TxError::RevealProof { .. })
        ),
        "{e:?}"
    );
    check.check(&good).unwrap();
}

impl Harness {
    /// The error code of a tx of one block that fails.
    fn code(&mut self, who: &str, messages: Vec<Message>) -> u32 {
        let tx = self.tx(who, messages);
        let out = self.block(vec![tx]);
        out.tx_results[0].result.as_ref().unwrap_err().code()
    }

    fn upw(&self, who: &str) -> u128 {
        accounts::balance(self.app.storage(), &addr(who), "upw").unwrap()
    }

    fn run_to(&mut self, height: u64) {
        while self.height() < height {
            self.block(vec![]);
        }
    }
}

/// Issue 14: a client cannot set windows no real GEMM meets (below the job's floor).
#[test]
fn a_client_with_too_short_windows_is_refused_at_post() {
    let mut h = Harness::new();
    let a = matrix(9, M, K);
    let post = |commit_blocks, reveal_blocks| {
        vec![Message::PostJob(proofwork_tx::PostJob {
            model_id: 1,
            a_root: i8_root(&a, M as usize, K as usize).unwrap(),
            m: M,
            price: 1_000_000,
            commit_blocks,
            reveal_blocks,
            denom: None,
        })]
    };
    let alice = h.upw("alice");
    assert_eq!(h.code("alice", post(1, 0)), 422);
    assert_eq!(h.code("alice", post(0, 1)), 422);
    // Only the fees were spent; nothing was escrowed.
    assert_eq!(h.upw("alice"), alice - 2);
    let p = work::params(h.app.storage()).unwrap();
    let floor = work::commit_floor(&p, M, K, N) as u32;
    let ev = h.ok("alice", post(floor, 0));
    assert_eq!(ev[0].kind, "post_job");
}

/// Issue 14: a worker that claims a job and cannot finish it in time loses the missed-commit
/// share of its bond (10 %, half to the client) and the job reopens.
#[test]
fn a_worker_claiming_a_job_it_cannot_finish_is_slashed_for_the_missed_commit() {
    let mut h = Harness::new();
    let a = matrix(11, M, K);
    let ev = h.ok(
        "alice",
        vec![Message::PostJob(proofwork_tx::PostJob {
            model_id: 1,
            a_root: i8_root(&a, M as usize, K as usize).unwrap(),
            m: M,
            price: 1_000_000,
            commit_blocks: 0,
            reveal_blocks: 0,
            denom: None,
        })],
    );
    let id: u64 = ev[0].attributes[0].value.parse().unwrap();
    h.ok(
        "bob",
        vec![Message::ClaimJob(proofwork_tx::ClaimJob { job_id: id })],
    );
    let JobStatus::Claimed {
        commit_deadline, ..
    } = work::job(h.app.storage(), id).unwrap().unwrap().status
    else {
        panic!()
    };
    let alice = h.upw("alice");
    h.run_to(commit_deadline - 1);
    // The slash is an end-of-block outcome, reported as a block event (ABCI FinalizeBlock
    // events, the block record, StreamEvents), not only in the logs.
    let out = h.block(vec![]);
    let ev = out
        .events
        .iter()
        .find(|e| e.kind == "work_slashed")
        .expect("a work_slashed block event");
    assert!(ev
        .attributes
        .iter()
        .any(|a| a.key == "reason" && a.value == "missed commit"));
    let s = h.app.storage();
    assert_eq!(work::job(s, id).unwrap().unwrap().status, JobStatus::Open);
    let w = work::worker(s, &addr("bob").0).unwrap().unwrap();
    assert_eq!((w.bond, w.slashes), (900_000, 1));
    assert_eq!(h.upw("alice"), alice + 50_000);
}

/// Issue 14 / ADR 008: a worker that passes the spot check but withholds C loses the held
/// half of its pay (back to the client) and 10 % of its bond once the client's dispute goes
/// unanswered; one that answers is paid in full.
#[test]
fn a_withholding_worker_loses_the_hold_and_an_answering_one_is_paid() {
    let mut h = Harness::new();
    // Two claims at once: claims are bonded at 100 % of the price.
    h.ok(
        "bob",
        vec![Message::RegisterWorker(proofwork_tx::RegisterWorker {
            bond: 1_000_000,
            validator: None,
        })],
    );
    for answer in [false, true] {
        let (id, proof) = h.committed(&[]);
        let rows = h.reveal_rows(id, &proof);
        let bob = h.upw("bob");
        let alice = h.upw("alice");
        let bond = work::worker(h.app.storage(), &addr("bob").0)
            .unwrap()
            .unwrap()
            .bond;
        let ev = h.ok(
            "bob",
            vec![Message::RevealWork(proofwork_tx::RevealWork {
                job_id: id,
                rows,
            })],
        );
        assert_eq!(ev[0].kind, "work_verified");
        // 1_000_000 − 100_000 burn − 45_000 royalty = 855_000: half now, half held.
        assert_eq!(h.upw("bob"), bob - 1 + 427_500);
        let ev = h.ok(
            "alice",
            vec![Message::DisputeOutput(proofwork_tx::DisputeOutput {
                job_id: id,
                rows: vec![0, 42, 199],
            })],
        );
        assert_eq!(ev[0].kind, "output_disputed");
        let d = work::delivery(h.app.storage(), id).unwrap().unwrap();
        let work::DeliveryState::Disputed {
            answer_deadline, ..
        } = d.state
        else {
            panic!("{:?}", d.state)
        };
        if answer {
            let ev = h.ok(
                "bob",
                vec![Message::AnswerDispute(proofwork_tx::AnswerDispute {
                    job_id: id,
                    rows: proof.output_rows(&[0, 42, 199]).unwrap(),
                })],
            );
            assert_eq!(ev[0].kind, "output_answered");
            let ev = h.ok(
                "alice",
                vec![Message::ConfirmOutput(proofwork_tx::ConfirmOutput {
                    job_id: id,
                })],
            );
            assert_eq!(ev[0].kind, "output_released");
            assert_eq!(h.upw("bob"), bob - 2 + 855_000);
        } else {
            h.run_to(answer_deadline);
            let s = h.app.storage();
            let d = work::delivery(s, id).unwrap().unwrap();
            assert!(matches!(d.state, work::DeliveryState::Refunded { .. }));
            assert_eq!(h.upw("bob"), bob - 1 + 427_500);
            let w = work::worker(s, &addr("bob").0).unwrap().unwrap();
            let slashed = bond / 10;
            assert_eq!(w.bond, bond - slashed);
            // The client: its dispute fee, the hold back and half the slash.
            assert_eq!(h.upw("alice"), alice - 1 + 427_500 + slashed / 2);
            // The job stays verified: the work was right, its delivery was not made.
            assert!(matches!(
                work::job(s, id).unwrap().unwrap().status,
                JobStatus::Verified { .. }
            ));
        }
    }
}

/// A reveal split across txs: both parts in one block are accepted by ProcessProposal (the
/// second is left to FinalizeBlock, where it continues the first) and the job passes.
#[test]
fn a_reveal_split_across_two_txs_in_one_block_passes() {
    let mut h = Harness::new();
    let (id, proof) = h.committed(&[]);
    let rows = h.reveal_rows(id, &proof);
    let (first, second) = rows.split_at(40);
    let t1 = h.tx(
        "bob",
        vec![Message::RevealWork(proofwork_tx::RevealWork {
            job_id: id,
            rows: first.to_vec(),
        })],
    );
    let t2 = h.chain.tx_at(
        "bob",
        h.nonce("bob") + 1,
        vec![Message::RevealWork(proofwork_tx::RevealWork {
            job_id: id,
            rows: second.to_vec(),
        })],
    );
    assert!(h.app.process_proposal(&[t1.clone(), t2.clone()]));
    let out = h.block(vec![t1, t2]);
    assert_eq!(
        out.tx_results[0].result.as_ref().unwrap()[0].kind,
        "work_revealed_part"
    );
    assert_eq!(
        out.tx_results[1].result.as_ref().unwrap()[0].kind,
        "work_verified"
    );
}

/// Issue 15: a proposal's reveals get the pre-check only for the first
/// `max_model_beacons_per_block` (model, beacon) pairs; later ones are left to FinalizeBlock,
/// which refuses a fifth pair before computing anything (431). So a byzantine proposer cannot
/// make ProcessProposal compute `B·r` for more pairs than that, and an honest block with more
/// reveals than the cap is not rejected.
#[test]
fn reveals_beyond_the_product_cap_are_left_to_finalize_block_and_refused_there() {
    let mut h = Harness::new();
    // Four more models, and bond for five claims.
    let mut models = vec![(1u64, h.b.clone())];
    for seed in 0..4u64 {
        let b = matrix(50 + seed, K, N);
        let root = i8_root(&b, K as usize, N as usize).unwrap();
        let ev = h.ok(
            "alice",
            vec![Message::RegisterModel(proofwork_tx::RegisterModel {
                k: K,
                n: N,
                b_root: root,
                royalties: vec![],
            })],
        );
        let id: u64 = ev[0].attributes[0].value.parse().unwrap();
        h.ok(
            "alice",
            vec![Message::UploadModelChunk(proofwork_tx::UploadModelChunk {
                model_id: id,
                first_row: 0,
                rows: model_bytes(&b),
            })],
        );
        models.push((id, b));
    }
    h.ok(
        "bob",
        vec![Message::RegisterWorker(proofwork_tx::RegisterWorker {
            bond: 4_000_000,
            validator: None,
        })],
    );
    let mut jobs = vec![];
    for (i, (model_id, b)) in models.iter().enumerate() {
        let a = matrix(300 + i as u64, M, K);
        let ev = h.ok(
            "alice",
            vec![Message::PostJob(proofwork_tx::PostJob {
                model_id: *model_id,
                a_root: i8_root(&a, M as usize, K as usize).unwrap(),
                m: M,
                price: 1_000_000,
                commit_blocks: 0,
                reveal_blocks: 0,
                denom: None,
            })],
        );
        let id: u64 = ev[0].attributes[0].value.parse().unwrap();
        jobs.push((id, honest_proof(a, b, M, K, N)));
    }
    // All five committed in one block: one beacon, five (model, beacon) pairs.
    let msgs: Vec<Message> = jobs
        .iter()
        .flat_map(|(id, p)| {
            [
                Message::ClaimJob(proofwork_tx::ClaimJob { job_id: *id }),
                Message::CommitWork(proofwork_tx::CommitWork {
                    job_id: *id,
                    c_root: p.c_root(),
                }),
            ]
        })
        .collect();
    h.ok("bob", msgs);
    h.propose(vec![]);
    let nonce = h.nonce("bob");
    let reveals: Vec<Vec<u8>> = jobs
        .iter()
        .enumerate()
        .map(|(i, (id, p))| {
            let rows = h.reveal_rows(*id, p);
            h.tx_at("bob", nonce + i as u64, vec![reveal(*id, rows)])
        })
        .collect();
    let mut bad_rows = h.reveal_rows(jobs[4].0, &jobs[4].1);
    let mut c = bad_rows[3].c_row.to_vec();
    c[0] ^= 1;
    bad_rows[3].c_row = c.into();
    let bad5 = h.tx_at("bob", nonce + 4, vec![reveal(jobs[4].0, bad_rows)]);
    // The invalid fifth reveal is beyond the cap: not pre-checked, the proposal stands …
    let mut block = reveals[..4].to_vec();
    block.push(bad5.clone());
    assert!(h.app.process_proposal(&block));
    // … while the same reveal within the cap makes the proposal invalid.
    assert!(!h.app.process_proposal(&[bad5, reveals[0].clone()]));
    // Executed: four pass, the fifth pair is refused before any check (431).
    let out = h.propose(reveals.clone());
    let codes: Vec<u32> = out
        .tx_results
        .iter()
        .map(|r| r.result.as_ref().err().map_or(0, TxError::code))
        .collect();
    assert_eq!(codes, vec![0, 0, 0, 0, 431]);
}
