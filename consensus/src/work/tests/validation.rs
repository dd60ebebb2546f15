//! One test per error of the model, job, worker and commit messages.

use super::*;

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
    // A new worker bonds at least `min_bond`.
    assert_eq!(
        sim.err(
            "client",
            Message::RegisterWorker(proofwork_tx::RegisterWorker {
                bond: 999,
                validator: None,
            })
        ),
        TxError::BondTooLow {
            bond: 999,
            needed: 1_000
        }
    );
    sim.ok(
        "client",
        Message::RegisterWorker(proofwork_tx::RegisterWorker {
            bond: 1_000,
            validator: None,
        }),
    );
    sim.ok(
        "client",
        Message::ClaimJob(proofwork_tx::ClaimJob { job_id: 1 }),
    );
    // A second claim needs a second min_bond.
    sim.post(4, 100);
    assert_eq!(
        sim.err(
            "client",
            Message::ClaimJob(proofwork_tx::ClaimJob { job_id: 2 })
        ),
        TxError::BondTooLow {
            bond: 1_000,
            needed: 2_000
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
