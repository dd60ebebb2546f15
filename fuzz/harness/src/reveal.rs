//! Target `reveal`: the spot check of a reveal (`consensus::work::check_reveal`).
//!
//! One in-memory chain (a `StateDelta` over a `BTreeMap`) is built once: a 16×8 model, a
//! 24-row job claimed and honestly committed, its beacon block on chain. The input damages
//! the honest reveal of the sampled rows (indices, row bytes, proof siblings, row count and
//! order) and the check runs on the result.
//!
//! Invariant: the check never panics, and every reveal it accepts (with either verdict) is
//! the honest one or a non-empty prefix of it (a reveal split across txs: its first part
//! carries the first sampled rows, in order; the executor counts the parts): the proofs bind
//! every byte to the job's `a_root` and the committed `c_root`, and an honest `C` always
//! passes Freivalds.

use std::sync::OnceLock;

use proofwork_consensus::work::prover::{i8_root, Proof};
use proofwork_consensus::work::{
    check_reveal, end_block, put_params, reveal_context, RevealContext, WorkParams,
};
use proofwork_kernels::CpuBackend;
use proofwork_node::app::handlers::{execute_message, Ctx};
use proofwork_proto::tx::v1 as pb;
use proofwork_state::{accounts, StateDelta};
use proofwork_tx::{Address, Message, RevealedRow, SignedTx, TxLimits};

use crate::fixture::{self, DENOM};
use crate::input::Input;

type Chain = StateDelta<std::collections::BTreeMap<Vec<u8>, Vec<u8>>>;

const K: u32 = 16;
const N: u32 = 8;
const M: u32 = 24;

struct Fixture {
    chain: Chain,
    ctx: RevealContext,
    honest: Vec<RevealedRow>,
}

/// The domain form of protobuf messages, through the real decoder (so this harness never
/// names `Message` variants).
fn domain(signer: usize, msgs: Vec<pb::Message>) -> Vec<Message> {
    let tx = fixture::sign(&fixture::key(signer), &fixture::body(0, msgs));
    SignedTx::decode(&tx, &TxLimits::default())
        .expect("fixture tx decodes")
        .body
        .messages
}

fn run_msgs(s: &mut Chain, signer: usize, msgs: Vec<pb::Message>) {
    let who: Address = fixture::addr(signer);
    let ctx = Ctx {
        signer: &who,
        chain_id: fixture::CHAIN,
        native_denom: DENOM,
        tx_hash: [0; 32],
        msg_index: 0,
        work_cache: None,
        max_tx_bytes: 1 << 20,
    };
    for m in domain(signer, msgs) {
        execute_message(&m, s, &ctx).expect("fixture message executes");
    }
}

fn kind(k: pb::message::Kind) -> pb::Message {
    pb::Message { kind: Some(k) }
}

fn block(s: &mut Chain, height: u64) {
    end_block(
        s,
        height,
        blake3::hash(&height.to_be_bytes()).as_bytes(),
        DENOM,
    )
    .expect("end block");
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        use pb::message::Kind;
        let mut s = Chain::new(Default::default());
        put_params(
            &mut s,
            &WorkParams {
                sample_rows: 8,
                ..WorkParams::default()
            },
        );
        for i in 0..3 {
            accounts::mint(&mut s, &fixture::addr(i), DENOM, 1 << 60).expect("mint");
        }
        // Deterministic matrices.
        let b: Vec<i8> = (0..K * N).map(|i| (i * 37 % 251) as i8).collect();
        let a: Vec<i8> = (0..M * K).map(|i| (i * 53 % 241) as i8).collect();
        accounts::set_block_info(&mut s, 1, 1_000_000_000);
        let b_root = i8_root(&b, K as usize, N as usize).expect("b root");
        run_msgs(
            &mut s,
            0,
            vec![
                kind(Kind::RegisterModel(pb::RegisterModel {
                    k: K,
                    n: N,
                    b_root: b_root.to_vec(),
                    royalties: vec![],
                })),
                kind(Kind::UploadModelChunk(pb::UploadModelChunk {
                    model_id: 1,
                    first_row: 0,
                    rows: b.iter().map(|&v| v as u8).collect(),
                })),
            ],
        );
        run_msgs(
            &mut s,
            1,
            vec![kind(Kind::RegisterWorker(pb::RegisterWorker {
                bond: "100000000".into(),
                validator_pub_key: vec![],
            }))],
        );
        block(&mut s, 1);
        accounts::set_block_info(&mut s, 2, 2_000_000_000);
        let proof = Proof::compute(
            &CpuBackend::new(),
            a.clone(),
            &b,
            M as usize,
            K as usize,
            N as usize,
        )
        .expect("honest product");
        run_msgs(
            &mut s,
            2,
            vec![kind(Kind::PostJob(pb::PostJob {
                model_id: 1,
                a_root: i8_root(&a, M as usize, K as usize)
                    .expect("a root")
                    .to_vec(),
                m: M,
                price: "1000000".into(),
                ..Default::default()
            }))],
        );
        run_msgs(
            &mut s,
            1,
            vec![
                kind(Kind::ClaimJob(pb::ClaimJob { job_id: 1 })),
                kind(Kind::CommitWork(pb::CommitWork {
                    job_id: 1,
                    c_root: proof.c_root().to_vec(),
                })),
            ],
        );
        block(&mut s, 2);
        accounts::set_block_info(&mut s, 3, 3_000_000_000);
        block(&mut s, 3);
        accounts::set_block_info(&mut s, 4, 4_000_000_000);
        let ctx = reveal_context(&s, &fixture::addr(1), 1, 4)
            .expect("storage")
            .expect("job is ready for its reveal");
        let honest = proof.reveal(&ctx.sampled_rows()).expect("reveal");
        let verdict = check_reveal(&s, &ctx, &honest, None);
        assert!(
            matches!(verdict, Ok(Ok(proofwork_consensus::work::Verdict::Pass))),
            "the honest reveal must pass: {verdict:?}"
        );
        Fixture {
            chain: s,
            ctx,
            honest,
        }
    })
}

fn flip(bytes: &mut [u8], inp: &mut Input<'_>) {
    if !bytes.is_empty() {
        let i = usize::from(inp.u16()) % bytes.len();
        bytes[i] ^= inp.u8() | 1;
    }
}

fn flip_digest(proof: &mut [[u8; 32]], inp: &mut Input<'_>) {
    if !proof.is_empty() {
        let i = usize::from(inp.u8()) % proof.len();
        proof[i][usize::from(inp.u8() % 32)] ^= inp.u8() | 1;
    }
}

fn damage(rows: &mut Vec<RevealedRow>, inp: &mut Input<'_>) {
    let op = inp.u8();
    if rows.is_empty() {
        return;
    }
    let r = usize::from(inp.u8()) % rows.len();
    match op % 12 {
        0 => rows[r].index = inp.u64(),
        1 => rows[r].index = rows[r].index.wrapping_add(1),
        2 => {
            let mut a = rows[r].a_row.to_vec();
            flip(&mut a, inp);
            rows[r].a_row = a.into();
        }
        3 => {
            let mut c = rows[r].c_row.to_vec();
            flip(&mut c, inp);
            rows[r].c_row = c.into();
        }
        4 => rows[r].a_row = inp.chunk().to_vec().into(),
        5 => rows[r].c_row = inp.chunk().to_vec().into(),
        6 => flip_digest(&mut rows[r].a_proof, inp),
        7 => flip_digest(&mut rows[r].c_proof, inp),
        8 => {
            rows.remove(r);
        }
        9 => {
            let dup = rows[r].clone();
            rows.insert(r, dup);
        }
        10 => {
            let other = usize::from(inp.u8()) % rows.len();
            rows.swap(r, other);
        }
        _ => match inp.u8() % 4 {
            0 => rows[r].a_proof.push(inp.digest()),
            1 => rows[r].c_proof.push(inp.digest()),
            2 => {
                rows[r].a_proof.pop();
            }
            _ => {
                rows[r].c_proof.pop();
            }
        },
    }
}

/// Runs one input.
pub fn run(data: &[u8]) {
    let f = fixture();
    let mut inp = Input::new(data);
    let mut rows = f.honest.clone();
    for _ in 0..8 {
        if inp.is_empty() {
            break;
        }
        damage(&mut rows, &mut inp);
    }
    let verdict = check_reveal(&f.chain, &f.ctx, &rows, None).expect("in-memory state");
    if let Ok(v) = verdict {
        assert!(
            !rows.is_empty() && f.honest.starts_with(&rows),
            "accepted a reveal that is neither the honest one nor a first part of it \
             (verdict {v:?})"
        );
        assert_eq!(
            v,
            proofwork_consensus::work::Verdict::Pass,
            "honest C failed"
        );
    }
}

/// Seed inputs: the honest reveal and one of each damage kind.
pub fn seeds() -> Vec<Vec<u8>> {
    let mut out = vec![Vec::new()];
    for op in 0..12u8 {
        out.push(vec![op, 3, 1, 0, 5, 2, 1, 1]);
    }
    out
}
