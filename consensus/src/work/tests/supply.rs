//! Supply conservation under random sequences of work messages.

use super::*;

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
                            sim.commit(name, x, &proof);
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
