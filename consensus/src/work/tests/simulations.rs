//! Seeded simulations of honest and cheating workers, against the detection rate sampling predicts.

use super::*;

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
