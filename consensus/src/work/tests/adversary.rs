//! Issue 15: the adversary suite. Each strategy is a set of simulated actors driven through
//! the real state machine (post, claim, commit, beacon, reveal, delivery, challenge) over many
//! jobs, measuring the attacker's gain over behaving honestly, the honest parties' losses and
//! the detection rates, checked against their exact probabilities within binomial intervals.
//! `ADVERSARY_PRINT=1 cargo test --release --workspace --lib adversary -- --nocapture`
//! prints the table of docs/work.md "Adversaries".
//!
//! Economics (stated, not measured): a worker's cost of computing a job is `ρ = 1/2` of its
//! price (its margin is the rest); a lazy worker saves that cost on the rows it fakes. Fees
//! (1 upw per tx, flat) are left out: every strategy below sends at least as many txs as the
//! honest one.

use super::market::Metered;
use super::*;

/// Rows per job and the sample (the default `sample_rows`).
const M: u32 = 200;
const SAMPLE: u32 = 96;
const PRICE: u128 = 1_000;
/// Jobs in flight per round (one worker account each, one claim each).
const PER_ROUND: usize = 200;

fn print() -> bool {
    std::env::var_os("ADVERSARY_PRINT").is_some()
}

/// `P(a sample of `s` distinct rows of `m` misses all `r` bad rows)` (hypergeometric).
fn miss_probability(m: u32, s: u32, r: u32) -> f64 {
    (0..r).fold(1.0, |q, j| q * f64::from(m - s - j) / f64::from(m - j))
}

/// Wilson 99.99 % interval (z = 3.89) of a binomial proportion.
fn interval(hits: u64, n: u64) -> (f64, f64) {
    let (p, n) = (hits as f64 / n as f64, n as f64);
    let z = 3.89f64;
    let d = 1.0 + z * z / n;
    let c = p + z * z / (2.0 * n);
    let h = z * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt();
    ((c - h) / d, (c + h) / d)
}

#[derive(Clone, Copy, PartialEq)]
enum WorkerPlay {
    Honest,
    /// Fakes this many of the `M` rows (chosen at random per job).
    Lazy(u32),
    /// Computes honestly, never delivers `C`.
    Withhold,
}

#[derive(Clone, Copy, PartialEq)]
enum ClientPlay {
    /// Checks `C` (it has `A` and `B`), confirms a right one, challenges a wrong row.
    Honest,
    /// Disputes every delivery and challenges a right row; never confirms.
    Griefing,
}

#[derive(Default, Debug)]
struct Tally {
    jobs: u64,
    caught: u64,
    escaped: u64,
    upheld: u64,
    refuted: u64,
    withheld: u64,
    /// The worker accounts' balance and bond change, upw.
    worker_net: i128,
    /// The client's balance change, upw, plus the price of every right `C` it received.
    client_net: i128,
    /// Compute cost the workers spent (ρ · price per row-share computed).
    compute: i128,
    honest_worker_slashes: u64,
}

fn market() -> Sim {
    let mut sim = Sim::with(
        16,
        8,
        WorkParams {
            sample_rows: SAMPLE,
            delivery_blocks: 4,
            dispute_answer_blocks: 3,
            ..WorkParams::default()
        },
    );
    sim.check_every = 97;
    sim
}

fn net_of(sim: &Sim, names: &[String]) -> i128 {
    names
        .iter()
        .map(|w| {
            let bal = sim.bal(w, DENOM) as i128;
            let bond = worker(&sim.s, &addr(w).0)
                .unwrap()
                .map_or(0, |w| w.bond as i128);
            bal + bond
        })
        .sum()
}

/// Runs `jobs` jobs (in rounds of [`PER_ROUND`]) of `play` workers for a `client` client.
fn run(play: WorkerPlay, client: ClientPlay, jobs: u64, seed: u64) -> Tally {
    let mut sim = market();
    let mut rng = Rng(seed);
    let workers: Vec<String> = (0..PER_ROUND).map(|i| format!("adv-w{i}")).collect();
    for w in &workers {
        accounts::mint(&mut sim.s, &addr(w), DENOM, 1_000_000_000).unwrap();
    }
    let w0 = net_of(&sim, &workers);
    let c0 = sim.bal("client", DENOM) as i128;
    let mut t = Tally::default();
    let mut right_c_received = 0i128;
    while t.jobs < jobs {
        let n = PER_ROUND.min((jobs - t.jobs) as usize);
        // Block 1: post, bond up to the claim bond, claim, compute (or fake), commit.
        sim.begin();
        let mut round = vec![];
        for w in &workers[..n] {
            let (id, a) = sim.post(M, PRICE);
            let have = worker(&sim.s, &addr(w).0).unwrap().map_or(0, |x| x.bond);
            let need = claim_bond(&params(&sim.s).unwrap(), PRICE);
            if have < need {
                sim.ok(
                    w,
                    Message::RegisterWorker(proofwork_tx::RegisterWorker {
                        bond: need - have,
                        validator: Some(VAL_KEY),
                    }),
                );
            }
            sim.ok(w, Message::ClaimJob(proofwork_tx::ClaimJob { job_id: id }));
            let (proof, fake) = match play {
                WorkerPlay::Lazy(r) => {
                    let mut rows = std::collections::BTreeSet::new();
                    while rows.len() < r as usize {
                        rows.insert((rng.next() % u64::from(M)) as usize);
                    }
                    let fake: Vec<usize> = rows.into_iter().collect();
                    (sim.forged(a, M, &fake), fake)
                }
                _ => (sim.honest(a, M), vec![]),
            };
            let share = 1.0 - fake.len() as f64 / f64::from(M);
            t.compute += (PRICE as f64 * 0.5 * share).round() as i128;
            sim.ok(
                w,
                Message::CommitWork(proofwork_tx::CommitWork {
                    job_id: id,
                    c_root: proof.c_root(),
                }),
            );
            round.push((w.clone(), id, proof, fake));
        }
        sim.end();
        sim.begin();
        sim.end();
        // Block 3: reveals; the client acts on each outcome.
        sim.begin();
        let mut answers = vec![];
        let mut challenges = vec![];
        for (w, id, proof, fake) in &round {
            t.jobs += 1;
            let rows = sim.reveal_rows(*id, proof, M);
            let ev = sim.ok(
                w,
                Message::RevealWork(proofwork_tx::RevealWork { job_id: *id, rows }),
            );
            if ev.kind() == "work_slashed" {
                t.caught += 1;
                if play == WorkerPlay::Honest {
                    t.honest_worker_slashes += 1;
                }
                sim.ok(
                    "client",
                    Message::CancelJob(proofwork_tx::CancelJob { job_id: *id }),
                );
                continue;
            }
            assert_eq!(ev.kind(), "work_verified");
            if !fake.is_empty() {
                t.escaped += 1;
                let row = proof.reveal(&[fake[0] as u64]).unwrap().remove(0);
                challenges.push((*id, row, "upheld"));
                continue;
            }
            match (play, client) {
                (WorkerPlay::Withhold, _) => {
                    t.withheld += 1;
                    sim.ok(
                        "client",
                        Message::DisputeOutput(proofwork_tx::DisputeOutput {
                            job_id: *id,
                            rows: vec![0],
                        }),
                    );
                }
                (_, ClientPlay::Griefing) => {
                    right_c_received += PRICE as i128;
                    sim.ok(
                        "client",
                        Message::DisputeOutput(proofwork_tx::DisputeOutput {
                            job_id: *id,
                            rows: vec![0],
                        }),
                    );
                    let row = proof.reveal(&[1]).unwrap().remove(0);
                    challenges.push((*id, row, "refuted"));
                    answers.push((w.clone(), *id, proof.output_rows(&[0]).unwrap()));
                }
                _ => {
                    right_c_received += PRICE as i128;
                    sim.ok(
                        "client",
                        Message::ConfirmOutput(proofwork_tx::ConfirmOutput { job_id: *id }),
                    );
                }
            }
        }
        sim.end();
        if !answers.is_empty() {
            sim.begin();
            for (w, id, rows) in answers {
                sim.ok(
                    &w,
                    Message::AnswerDispute(proofwork_tx::AnswerDispute { job_id: id, rows }),
                );
            }
            sim.end();
        }
        // Challenges, as many per block as the block's `k·n` products allow (the default
        // `max_model_beacons_per_block`), well within `challenge_blocks` of the passes.
        let per_block = params(&sim.s).unwrap().max_model_beacons_per_block as usize;
        for batch in challenges.chunks(per_block) {
            sim.begin();
            for (id, row, want) in batch {
                let ev = sim.ok(
                    "client",
                    Message::ChallengeRow(proofwork_tx::ChallengeRow {
                        job_id: *id,
                        row: row.clone(),
                    }),
                );
                assert_eq!(ev.attributes()[2].1, *want);
                if *want == "upheld" {
                    t.upheld += 1;
                } else {
                    t.refuted += 1;
                }
            }
            sim.end();
        }
    }
    // Let every delivery window close.
    for _ in 0..12 {
        sim.begin();
        sim.end();
    }
    for w in &workers {
        if play == WorkerPlay::Honest && worker(&sim.s, &addr(w).0).unwrap().unwrap().slashes > 0 {
            t.honest_worker_slashes += 1;
        }
    }
    t.worker_net = net_of(&sim, &workers) - w0;
    t.client_net = sim.bal("client", DENOM) as i128 - c0 + right_c_received;
    t
}

struct Row {
    strategy: String,
    seed: u64,
    jobs: u64,
    detection: String,
    gain: String,
    honest_loss: String,
}

fn table(rows: &[Row]) -> String {
    let mut out = String::from(
        "| strategy | seed | jobs | detection (measured, 99.99 % interval; expected) | \
         attacker gain over honest, upw/job | honest losses |\n|---|---|---|---|---|---|\n",
    );
    for r in rows {
        out.push_str(&format!(
            "| {} | {:#x} | {} | {} | {} | {} |\n",
            r.strategy, r.seed, r.jobs, r.detection, r.gain, r.honest_loss
        ));
    }
    out
}

/// The worker strategies through the state machine: lazy (f = 1, 5, 20 %), withholding, a
/// griefing client, against the honest baseline. Every deviation earns less than honest
/// work, spot-check detection rates lie in their intervals, honest workers are never
/// slashed, and an honest client's losses are 0 except to a withholding worker (ADR-008's
/// residual risk: it loses the unheld share; the withholder loses more than it saves).
#[test]
fn worker_and_client_strategies_earn_less_than_honest_work() {
    let jobs = 10_000;
    let honest = run(WorkerPlay::Honest, ClientPlay::Honest, 2_000, 0x15_0001);
    assert_eq!(honest.honest_worker_slashes, 0);
    assert_eq!(honest.caught, 0);
    assert_eq!(honest.client_net, 0, "the client is whole");
    let base = (honest.worker_net - honest.compute) as f64 / honest.jobs as f64;
    let mut rows = vec![Row {
        strategy: "honest worker, honest client (baseline)".into(),
        seed: 0x15_0001,
        jobs: honest.jobs,
        detection: "0 slashes".into(),
        gain: format!("0 (earns {base:.1}/job net of ρ = ½ compute)"),
        honest_loss: format!("client {}", honest.client_net),
    }];
    for (f_pct, r, seed) in [
        (1u32, 2u32, 0x15_0101u64),
        (5, 10, 0x15_0105),
        (20, 40, 0x15_0120),
    ] {
        let t = run(WorkerPlay::Lazy(r), ClientPlay::Honest, jobs, seed);
        let expect = 1.0 - miss_probability(M, SAMPLE, r);
        let (lo, hi) = interval(t.caught, t.jobs);
        assert!(
            lo <= expect && expect <= hi,
            "f = {f_pct} %: {} of {} caught, expected {expect}",
            t.caught,
            t.jobs
        );
        assert_eq!(t.upheld, t.escaped, "every escaped wrong row is challenged");
        let gain = (t.worker_net - t.compute) as f64 / t.jobs as f64 - base;
        assert!(gain < 0.0, "lazy f = {f_pct} %: gain {gain}");
        assert!(t.client_net >= 0, "client lost {}", t.client_net);
        rows.push(Row {
            strategy: format!("lazy worker, f = {f_pct} % ({r} of {M} rows)"),
            seed,
            jobs: t.jobs,
            detection: format!(
                "spot check {:.4} [{lo:.4}, {hi:.4}]; exp. {expect:.4}; escaped {} → all challenged",
                t.caught as f64 / t.jobs as f64,
                t.escaped
            ),
            gain: format!("{gain:.1}"),
            honest_loss: format!(
                "none: client {:+.1}/job (whole, plus its share of slashes)",
                t.client_net as f64 / t.jobs as f64
            ),
        });
    }
    let t = run(WorkerPlay::Withhold, ClientPlay::Honest, 2_000, 0x15_0201);
    let gain = (t.worker_net - t.compute) as f64 / t.jobs as f64 - base;
    assert!(gain < 0.0);
    assert_eq!(t.withheld, t.jobs);
    rows.push(Row {
        strategy: "withholding worker (passes, never delivers C)".into(),
        seed: 0x15_0201,
        jobs: t.jobs,
        detection: "1.0 (every dispute unanswered)".into(),
        gain: format!("{gain:.1}"),
        honest_loss: format!(
            "client {:.1}/job (the unheld pay; ADR-008 residual)",
            t.client_net as f64 / t.jobs as f64
        ),
    });
    let t = run(WorkerPlay::Honest, ClientPlay::Griefing, 2_000, 0x15_0301);
    assert_eq!(t.honest_worker_slashes, 0);
    assert_eq!(t.refuted, t.jobs);
    let worker_gain = (t.worker_net - t.compute) as f64 / t.jobs as f64 - base;
    assert!(
        worker_gain.abs() < 1e-9,
        "honest worker unaffected: {worker_gain}"
    );
    assert!(t.client_net <= 0);
    rows.push(Row {
        strategy: "griefing client (disputes every delivery, challenges a right row)".into(),
        seed: 0x15_0301,
        jobs: t.jobs,
        detection: "every challenge refuted".into(),
        gain: format!(
            "{:.1} (client; plus 3 fees/job)",
            t.client_net as f64 / t.jobs as f64
        ),
        honest_loss: format!("worker {worker_gain:.1}/job, 0 slashes"),
    });
    if print() {
        println!("{}", table(&rows));
    }
}

/// A self-dealer (client, worker and model owner one entity) farms score: each unit costs it
/// at least the burn. At the floor price of a tiny job that is 1 upw per unit (the burn
/// rounds up); a 4096³ job costs 0.1 upw per unit. Before the fix a job priced ≤ 9 burned
/// nothing, and score cost nothing but fees.
#[test]
fn a_self_dealer_pays_for_every_score_unit() {
    let mut sim = market();
    accounts::mint(&mut sim.s, &addr("sd"), DENOM, 1_000_000_000).unwrap();
    let p = params(&sim.s).unwrap();
    sim.begin();
    let b = sim.b.clone();
    let root = i8_root(&b, 16, 8).unwrap();
    let ev = sim.ok(
        "sd",
        Message::RegisterModel(proofwork_tx::RegisterModel {
            k: 16,
            n: 8,
            b_root: root,
            royalties: vec![],
        }),
    );
    let model_id: u64 = ev.attributes()[0].1.parse().unwrap();
    sim.ok(
        "sd",
        Message::UploadModelChunk(proofwork_tx::UploadModelChunk {
            model_id,
            first_row: 0,
            rows: b.iter().map(|&v| v as u8).collect(),
        }),
    );
    sim.ok(
        "sd",
        Message::RegisterWorker(proofwork_tx::RegisterWorker {
            bond: 1_000,
            validator: Some(VAL_KEY),
        }),
    );
    sim.end();
    let price = min_job_price(&p, M, 16, 8);
    let start =
        sim.bal("sd", DENOM) as i128 + worker(&sim.s, &addr("sd").0).unwrap().unwrap().bond as i128;
    let score0 = score(&sim.s, &VAL_KEY).unwrap();
    let jobs = 500u64;
    for _ in 0..jobs / 50 {
        sim.begin();
        let mut round = vec![];
        for _ in 0..50 {
            // A = 0: C = 0 needs no GEMM; only the burn is paid.
            let a = vec![0i8; (M * 16) as usize];
            let a_root = i8_root(&a, M as usize, 16).unwrap();
            let ev = sim.ok(
                "sd",
                Message::PostJob(proofwork_tx::PostJob {
                    model_id,
                    a_root,
                    m: M,
                    price,
                    commit_blocks: 0,
                    reveal_blocks: 0,
                    denom: None,
                }),
            );
            let id: u64 = ev.attributes()[0].1.parse().unwrap();
            round.push((
                id,
                Proof::from_output(a, vec![0; (M * 8) as usize], M as usize, 16, 8).unwrap(),
            ));
        }
        let need = claim_bond(&p, price) * 50;
        let have = worker(&sim.s, &addr("sd").0).unwrap().unwrap().bond;
        if have < need {
            sim.ok(
                "sd",
                Message::RegisterWorker(proofwork_tx::RegisterWorker {
                    bond: need - have,
                    validator: None,
                }),
            );
        }
        for (id, proof) in &round {
            sim.ok(
                "sd",
                Message::ClaimJob(proofwork_tx::ClaimJob { job_id: *id }),
            );
            sim.ok(
                "sd",
                Message::CommitWork(proofwork_tx::CommitWork {
                    job_id: *id,
                    c_root: proof.c_root(),
                }),
            );
        }
        sim.end();
        sim.begin();
        sim.end();
        sim.begin();
        for (id, proof) in &round {
            let rows = sim.reveal_rows(*id, proof, M);
            assert_eq!(
                sim.ok(
                    "sd",
                    Message::RevealWork(proofwork_tx::RevealWork { job_id: *id, rows })
                )
                .kind(),
                "work_verified"
            );
            sim.ok(
                "sd",
                Message::ConfirmOutput(proofwork_tx::ConfirmOutput { job_id: *id }),
            );
        }
        sim.end();
    }
    let end =
        sim.bal("sd", DENOM) as i128 + worker(&sim.s, &addr("sd").0).unwrap().unwrap().bond as i128;
    let units = score(&sim.s, &VAL_KEY).unwrap() - score0;
    let spent = start - end;
    assert_eq!(units, u128::from(jobs) * job_credits(&p, M, 16, 8));
    assert!(
        spent > 0 && spent as u128 >= units,
        "{spent} upw for {units} units"
    );
    let big = min_job_price(&p, 4096, 4096, 4096);
    let big_units = job_credits(&p, 4096, 4096, 4096);
    let big_cost = job_burn(&p, big) as f64 / big_units as f64;
    assert!((big_cost - 0.1).abs() < 1e-3);
    if print() {
        println!(
            "| self-dealer farming score (A = 0, own model, floor price {price}) | {:#x} | {jobs} | \
             n/a | {:.2} upw per score unit (4096³ jobs: {big_cost:.3}) | none |",
            0x15_0401,
            spent as f64 / units as f64
        );
    }
}

/// A coalition of fewer than a third of the validators farms power with any scores it likes:
/// over 10,000 random sets (4 to 150 validators, base 2^20, coalition scores up to 2^60,
/// others' random), it never reaches a third of the power.
#[test]
fn a_coalition_farming_score_stays_below_a_third_of_the_power() {
    let mut rng = Rng(0x15_0501);
    let mut worst = 0.0f64;
    for _ in 0..10_000 {
        let n = 4 + (rng.next() % 147) as usize;
        let s = crate::validators::minority_size(n);
        let raw: Vec<u64> = (0..n)
            .map(|i| {
                let w = if i < s {
                    rng.next() >> (rng.next() % 64)
                } else {
                    (rng.next() >> 40) * (rng.next() % 2)
                };
                (1u64 << 20).saturating_add(w >> 4)
            })
            .collect();
        let p = crate::validators::cap_powers(&raw);
        let total: u128 = p.iter().map(|&x| u128::from(x)).sum();
        let mut sorted = p.clone();
        sorted.sort_unstable_by(|a, b| b.cmp(a));
        let top: u128 = sorted[..s].iter().map(|&x| u128::from(x)).sum();
        assert!(3 * top < total, "{raw:?} -> {p:?}");
        worst = worst.max(top as f64 / total as f64);
    }
    if print() {
        println!(
            "| coalition of < n/3 validators farming score (n = 4..150, any scores) | {:#x} | \
             10000 sets | n/a | largest minority share {worst:.6} < 1/3 | none |",
            0x15_0501
        );
    }
}

/// A proposer grinding the beacon for a colluding lazy worker (f = 5 %, 10 of 200 rows):
/// with `g` candidate beacons (the block hash: ~140 tries; the VRF beacon: the `S(n)` subsets,
/// 5 for n = 4, 29 for n = 7) the escape rate is `1 − (1 − q)^g`; measured over 10,000 jobs
/// with the chain's sampler. Every escaped wrong row is then challengeable by the client, so
/// the lazy worker's gain stays negative (the upheld challenge takes the price from its bond).
#[test]
fn beacon_grinding_raises_escapes_but_challenges_keep_them_unprofitable() {
    let r = 10u32;
    let q = miss_probability(M, SAMPLE, r);
    let mut rng = Rng(0x15_0601);
    for (label, g) in [
        ("VRF subset, n = 4", 5u32),
        ("VRF subset, n = 7", 29),
        ("block hash", 140),
    ] {
        let mut escaped = 0u64;
        let jobs = 10_000u64;
        for job in 0..jobs {
            let mut bad = std::collections::BTreeSet::new();
            while bad.len() < r as usize {
                bad.insert(rng.next() % u64::from(M));
            }
            let esc = (0..g).any(|_| {
                let mut beacon = [0u8; 32];
                for c in beacon.chunks_mut(8) {
                    c.copy_from_slice(&rng.next().to_le_bytes());
                }
                sampled_rows(&beacon, job, M, SAMPLE)
                    .iter()
                    .all(|i| !bad.contains(i))
            });
            escaped += u64::from(esc);
        }
        let expect = 1.0 - (1.0 - q).powi(g as i32);
        let (lo, hi) = interval(escaped, jobs);
        assert!(
            lo <= expect && expect <= hi,
            "{label}: {escaped} of {jobs}, expected {expect}"
        );
        // Gain over honest per job, with the pay and penalties of the state machine (run by
        // `worker_and_client_strategies_earn_less_than_honest_work`): caught, −bond/2;
        // escaped and challenged, +hold − (price − hold); both minus the compute spent.
        let p = params(&market().s).unwrap();
        let pay = PRICE - job_burn(&p, PRICE) - PRICE * 9 / 100; // royalty 10 % of the rest
        let hold = pay / 2;
        let esc_rate = escaped as f64 / jobs as f64;
        let compute = PRICE as f64 * 0.5 * (1.0 - f64::from(r) / f64::from(M));
        let lazy = (1.0 - esc_rate) * -(PRICE as f64 / 2.0)
            + esc_rate * (hold as f64 - (PRICE - hold) as f64)
            - compute;
        let honest = pay as f64 - PRICE as f64 * 0.5;
        assert!(lazy < honest);
        if print() {
            println!(
                "| beacon grinding for a lazy worker (f = 5 %), {label}: {g} tries | {:#x} | {jobs} | \
                 escape {esc_rate:.4} [{lo:.4}, {hi:.4}]; exp. {expect:.4}; all challengeable | {:.1} | \
                 client 0 (challenge) |",
                0x15_0601,
                lazy - honest
            );
        }
    }
}

/// A model-upload spammer sending failing final chunks: each costs validators what its own
/// bytes cost (read and hash), never the model's `k·n`; a tiny-job spammer (m = 1 jobs on
/// 1 MiB models) pays a burn of at least the `B·r` and challenge MACs at the credit rate,
/// and one block computes `B·r` for at most `max_model_beacons_per_block` pairs.
#[test]
fn spammers_pay_for_the_validator_work_they_cause() {
    let mut sim = market();
    let p = params(&sim.s).unwrap();
    // Upload spam: a 4096×256 model (1 MiB), every row but the last uploaded.
    let (k, n) = (4096u32, 256u32);
    let b = sim.rng.i8s((k * n) as usize);
    let root = i8_root(&b, k as usize, n as usize).unwrap();
    sim.begin();
    let ev = sim.ok(
        "owner",
        Message::RegisterModel(proofwork_tx::RegisterModel {
            k,
            n,
            b_root: root,
            royalties: vec![],
        }),
    );
    let id: u64 = ev.attributes()[0].1.parse().unwrap();
    let nn = n as usize;
    for first in (0..k - 1).step_by(1024) {
        let end = (first + 1024).min(k - 1);
        sim.ok(
            "owner",
            Message::UploadModelChunk(proofwork_tx::UploadModelChunk {
                model_id: id,
                first_row: first,
                rows: b[first as usize * nn..end as usize * nn]
                    .iter()
                    .map(|&v| v as u8)
                    .collect(),
            }),
        );
    }
    let mut worst_ratio = 0.0f64;
    for t in 0..100u32 {
        let mut last: Vec<u8> = b[(k as usize - 1) * nn..]
            .iter()
            .map(|&v| v as u8)
            .collect();
        last[(t as usize) % nn] ^= 1;
        let tx_bytes = last.len() as f64;
        let msg = Message::UploadModelChunk(proofwork_tx::UploadModelChunk {
            model_id: id,
            first_row: k - 1,
            rows: last,
        });
        let metered = Metered::new(&sim.s);
        let mut child = StateDelta::new(&metered);
        let env = WorkEnv {
            native_denom: DENOM,
            cache: None,
            tx_hash: [0; 32],
            msg_index: 0,
            max_tx_bytes: 1 << 20,
        };
        assert!(dispatch(&mut child, &env, &addr("owner"), &msg).is_err());
        // Read bytes plus hashed bytes (the chunk, and 13 node hashes of 81 bytes).
        let cost = metered.bytes.get() as f64 + tx_bytes + 13.0 * 81.0;
        worst_ratio = worst_ratio.max(cost / tx_bytes);
    }
    assert!(worst_ratio < 8.0, "{worst_ratio}");
    sim.end();
    // Tiny-job spam: the burn of an m = 1 job covers its checking at the credit rate.
    let macs = verify_macs(&p, 1, k, n);
    let burn = job_burn(&p, min_job_price(&p, 1, k, n));
    let macs_per_upw = macs as f64 / burn as f64;
    assert!(macs_per_upw <= p.macs_per_credit as f64 / p.min_price_per_credit as f64);
    if print() {
        println!(
            "| model-upload spammer (failing final chunks, 4096×256 model) | fixed | 100 txs | \
             every one refused (408) | validator bytes ≤ {worst_ratio:.2} × the tx's bytes (was k·n = 1 MiB per tx) | none |"
        );
        println!(
            "| tiny-job B·r spammer (m = 1 on a 4096×256 model) | fixed | n/a | n/a | pays \
             burn {burn} upw for {macs} MACs ({macs_per_upw:.0} MACs/upw ≤ 65536) | none |"
        );
    }
}

/// The worst block a byzantine proposer can build from the work messages: six m = 1 jobs on
/// six distinct 256×256 models revealed at once (only four `k·n` products are allowed: two
/// reveals are refused with 431 before any product), two challenges (refused the same way:
/// the slots are spent), 20 failing final chunks of an unfinished model and 50 reveals of
/// jobs that are not committed. Validator work is metered (products computed, bytes read and
/// hashed) and compared with what the block's txs paid: fees (1 upw each, `min_fee`) and the
/// burns of the jobs it checked. Bound (docs/work.md "Validator cost"): at most
/// `max_model_beacons_per_block` products per block, each paid at ≤ 65,536 MACs per burned
/// upw, and ≤ 2 bytes read or hashed per byte of tx, ≤ 2 MiB per upw of fee.
#[test]
fn the_worst_block_costs_validators_a_bounded_multiple_of_what_it_paid() {
    let mut sim = market();
    let p = params(&sim.s).unwrap();
    let (k, n) = (256u32, 256u32);
    let mut models = vec![];
    sim.begin();
    for _ in 0..6 {
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
        let id: u64 = ev.attributes()[0].1.parse().unwrap();
        sim.ok(
            "owner",
            Message::UploadModelChunk(proofwork_tx::UploadModelChunk {
                model_id: id,
                first_row: 0,
                rows: b.iter().map(|&v| v as u8).collect(),
            }),
        );
        models.push((id, b));
    }
    // An unfinished model for the chunk spam.
    let spam_b = sim.rng.i8s((k * n) as usize);
    let spam_root = i8_root(&spam_b, k as usize, n as usize).unwrap();
    let ev = sim.ok(
        "owner",
        Message::RegisterModel(proofwork_tx::RegisterModel {
            k,
            n,
            b_root: spam_root,
            royalties: vec![],
        }),
    );
    let spam_id: u64 = ev.attributes()[0].1.parse().unwrap();
    sim.ok(
        "owner",
        Message::UploadModelChunk(proofwork_tx::UploadModelChunk {
            model_id: spam_id,
            first_row: 0,
            rows: spam_b[..((k - 1) * n) as usize]
                .iter()
                .map(|&v| v as u8)
                .collect(),
        }),
    );
    sim.end();
    // Two verified jobs to challenge.
    let challenged: Vec<(u64, Proof)> = (0..2)
        .map(|_| super::market::run_honest(&mut sim, "worker", 8))
        .collect();
    // Six m = 1 jobs, one per model, committed in one block.
    sim.begin();
    let price = min_job_price(&p, 1, k, n);
    let mut jobs = vec![];
    for (model_id, b) in &models {
        let a = sim.rng.i8s(k as usize);
        let a_root = i8_root(&a, 1, k as usize).unwrap();
        let ev = sim.ok(
            "client",
            Message::PostJob(proofwork_tx::PostJob {
                model_id: *model_id,
                a_root,
                m: 1,
                price,
                commit_blocks: 0,
                reveal_blocks: 0,
                denom: None,
            }),
        );
        let id: u64 = ev.attributes()[0].1.parse().unwrap();
        sim.ok(
            "worker",
            Message::ClaimJob(proofwork_tx::ClaimJob { job_id: id }),
        );
        let proof = Proof::compute(&CpuBackend::new(), a, b, 1, k as usize, n as usize).unwrap();
        sim.ok(
            "worker",
            Message::CommitWork(proofwork_tx::CommitWork {
                job_id: id,
                c_root: proof.c_root(),
            }),
        );
        jobs.push((id, proof));
    }
    sim.end();
    sim.begin();
    sim.end();
    // The worst block.
    sim.begin();
    let br_before = sim.cache.br_len();
    let mut txs = 0u64;
    let mut tx_bytes = 0u64;
    let mut burns = 0u128;
    let mut products = 0u64;
    let mut refused_431 = 0;
    let mut read_bytes = 0u64;
    let mut run = |sim: &mut Sim, who: &str, msg: Message, bytes: u64| {
        txs += 1;
        tx_bytes += bytes;
        let before = sim.s.writes().len();
        let _ = before;
        let r = sim.exec(who, msg);
        match r {
            Ok(Some(ev)) => {
                if ev.kind() == "work_verified" {
                    products += 1;
                    burns += ev
                        .attributes()
                        .iter()
                        .find(|(k, _)| *k == "burned")
                        .map_or(0, |(_, v)| v.parse::<u128>().unwrap());
                }
                if ev.kind() == "challenge_row" {
                    products += 1;
                }
            }
            Err(TxError::TooManyModelBeacons { .. }) => refused_431 += 1,
            _ => {}
        }
    };
    for (id, proof) in &jobs {
        let rows = sim.reveal_rows(*id, proof, 1);
        let bytes: u64 = rows
            .iter()
            .map(|r| (r.a_row.len() + r.c_row.len()) as u64)
            .sum();
        run(
            &mut sim,
            "worker",
            Message::RevealWork(proofwork_tx::RevealWork { job_id: *id, rows }),
            bytes,
        );
    }
    for (id, proof) in &challenged {
        let row = proof.reveal(&[0]).unwrap().remove(0);
        let bytes = (row.a_row.len() + row.c_row.len()) as u64;
        run(
            &mut sim,
            "client",
            Message::ChallengeRow(proofwork_tx::ChallengeRow { job_id: *id, row }),
            bytes,
        );
    }
    for t in 0..20usize {
        let mut last: Vec<u8> = spam_b[((k - 1) * n) as usize..]
            .iter()
            .map(|&v| v as u8)
            .collect();
        last[t] ^= 1;
        let msg = Message::UploadModelChunk(proofwork_tx::UploadModelChunk {
            model_id: spam_id,
            first_row: k - 1,
            rows: last,
        });
        let metered = Metered::new(&sim.s);
        let mut child = StateDelta::new(&metered);
        let env = WorkEnv {
            native_denom: DENOM,
            cache: None,
            tx_hash: [0; 32],
            msg_index: 0,
            max_tx_bytes: 1 << 20,
        };
        let _ = dispatch(&mut child, &env, &addr("owner"), &msg);
        read_bytes += metered.bytes.get();
        run(&mut sim, "owner", msg, u64::from(n));
    }
    for (id, proof) in jobs.iter().take(4) {
        // Replays of passed reveals: the job is verified now, refused before any check.
        let rows = proof.reveal(&[0]).unwrap();
        run(
            &mut sim,
            "worker",
            Message::RevealWork(proofwork_tx::RevealWork { job_id: *id, rows }),
            u64::from(k + 4 * n),
        );
    }
    for _ in 0..46 {
        run(
            &mut sim,
            "worker",
            Message::RevealWork(proofwork_tx::RevealWork {
                job_id: 9_999,
                rows: vec![],
            }),
            16,
        );
    }
    sim.end();
    let computed_br = (sim.cache.br_len() - br_before) as u64;
    assert_eq!(products, 4, "four products: the cap");
    assert_eq!(
        refused_431, 4,
        "two reveals and two challenges refused before computing"
    );
    assert!(computed_br <= u64::from(p.max_model_beacons_per_block));
    let macs = u128::from(products) * u128::from(k * n) + u128::from(products) * u128::from(k + n);
    let fees = u128::from(txs); // min_fee = 1 per tx
                                // MACs per upw burned by the checked jobs: within the credit rate.
    assert!(macs <= 65_536 * burns, "{macs} MACs for {burns} burned");
    // Bytes read and hashed per upw of fee.
    let bytes = u128::from(read_bytes + 2 * tx_bytes);
    assert!(
        bytes <= (2u128 << 20) * fees,
        "{bytes} bytes for {fees} fees"
    );
    let cpu = macs + bytes;
    let multiple = cpu as f64 / (fees + burns) as f64;
    assert!(multiple <= f64::from(1 << 21));
    if print() {
        println!(
            "| worst block: 6 distinct-model reveals, 2 challenges, 20 failing final chunks, 50 dead \
             reveals | fixed | {txs} txs | 4 products, 4 refused (431) | CPU {cpu} units = {multiple:.0} × the \
             {} upw paid (bound 2^21) | none |",
            fees + burns
        );
    }
}
