//! Target `app`: every message handler through CheckTx and FinalizeBlock, on a real `App`
//! over a fresh RocksDB (in a temp dir: point `TMPDIR` at a tmpfs when fuzzing).
//!
//! Each input is a few blocks of txs. A tx is fuzz garbage, or a body signed by one of the
//! four funded genesis accounts with the right nonce (or a skewed one), a fuzz fee, and
//! messages decoded from fuzz protobuf or picked from valid samples of every kind. Each tx
//! goes through `CheckState::check`, then the block through `finalize_block` and `commit`.
//!
//! Invariants: no panic; no fatal `AppError` from any tx input (which would halt the chain:
//! FinalizeBlock's supply check is one of them); one result per tx; the committed state's
//! supply accounting balances for every denomination.

use std::sync::Arc;

use proofwork_node::app::{App, BlockInput, CheckState, SigCache};
use proofwork_proto::tx::v1 as pb;
use proofwork_state::{accounts, ExecError, Storage};
use prost::Message as _;

use crate::fixture::{self, CHAIN, SIGNERS};
use crate::input::Input;

/// Most blocks and txs per block in one input (keeps an execution around a few ms).
const MAX_BLOCKS: usize = 4;
const MAX_TXS: usize = 8;

fn tx(inp: &mut Input<'_>, nonces: &[u64; SIGNERS], samples: &[pb::Message]) -> Vec<u8> {
    let op = inp.u8();
    if op & 0x80 != 0 {
        return inp.chunk().to_vec();
    }
    let signer = usize::from(op & 3);
    let skew = if op & 0x40 != 0 {
        u64::from(inp.u8())
    } else {
        0
    };
    let fee = match inp.u8() {
        0 => "0".to_string(),
        0xff => inp.u64().to_string(),
        f => f.to_string(),
    };
    let messages = if op & 0x20 != 0 {
        let n = 1 + usize::from(op >> 2 & 3);
        (0..n)
            .map(|_| samples[usize::from(inp.u8()) % samples.len()].clone())
            .collect()
    } else {
        pb::TxBody::decode(inp.chunk())
            .map(|b| b.messages)
            .unwrap_or_default()
    };
    let body = pb::TxBody {
        chain_id: if op & 0x10 != 0 {
            "other".into()
        } else {
            CHAIN.into()
        },
        nonce: nonces[signer].wrapping_add(skew),
        fee,
        messages,
    };
    fixture::sign(&fixture::key(signer), &body)
}

/// Runs one input.
pub fn run(data: &[u8]) {
    let dir = tempfile::tempdir().expect("temp dir");
    let storage = Storage::open(dir.path(), Default::default()).expect("open store");
    let sigs = Arc::new(SigCache::new(256));
    let mut app = App::new(storage.clone(), sigs.clone()).expect("app");
    let genesis = crate::genesis::sample();
    app.init_chain(CHAIN, &genesis.app_state).expect("genesis");
    let cfg = app.config().cloned().expect("config after genesis");
    let mut check = CheckState::new(storage.clone(), cfg, sigs, u64::MAX);
    let samples = fixture::sample_messages();
    let mut inp = Input::new(data);
    let mut time_ns = 1_000_000_000u64;
    for _ in 0..MAX_BLOCKS {
        if inp.is_empty() {
            break;
        }
        let mut nonces = [0u64; SIGNERS];
        for (i, n) in nonces.iter_mut().enumerate() {
            *n = accounts::nonce(&storage, &fixture::addr(i)).expect("nonce");
        }
        let count = usize::from(inp.u8()) % (MAX_TXS + 1);
        let mut txs = Vec::with_capacity(count);
        for _ in 0..count {
            let bytes = tx(&mut inp, &nonces, &samples);
            match check.check(&bytes) {
                Err(ExecError::State(e)) => panic!("CheckTx hit a storage error: {e}"),
                Ok(t) => {
                    if let Some(i) = (0..SIGNERS).find(|&i| fixture::addr(i) == t.signer) {
                        nonces[i] = nonces[i].wrapping_add(1);
                    }
                }
                Err(ExecError::Tx(_)) => {}
            }
            txs.push(bytes);
        }
        let height = app.info().expect("committed height").height + 1;
        time_ns = time_ns.saturating_add(1_000_000_000 * u64::from(inp.u8() % 4));
        let input = BlockInput {
            height,
            time_ns,
            proposer: vec![0; 20],
            hash: blake3::hash(&height.to_be_bytes()).as_bytes().to_vec(),
            txs: txs.clone(),
        };
        let results = match app.finalize_block(input) {
            Ok(out) => out.tx_results.len(),
            Err(e) => panic!("FinalizeBlock failed fatally on tx input: {e}"),
        };
        assert_eq!(results, txs.len(), "one result per tx");
        if let Err(e) = app.commit() {
            panic!("Commit failed: {e}");
        }
        check.reset();
    }
    accounts::check_supply_full(&storage).expect("supply balances after the blocks");
}

/// Seed inputs: blocks of valid sample txs from every signer, plus garbage and skews.
pub fn seeds() -> Vec<Vec<u8>> {
    let n = fixture::sample_messages().len() as u8;
    let mut out = Vec::new();
    // One block per sample message, signer 0, in order (later samples build on earlier).
    let mut s = Vec::new();
    for m in 0..n {
        s.extend_from_slice(&[1, 0x20, 10, m, 1]);
    }
    out.push(s);
    // Every sample in one block, four per tx.
    let mut s = vec![(n / 4).min(8)];
    for m in (0..n).step_by(4) {
        s.extend_from_slice(&[0x2c, 10, m, m + 1, m + 2, m + 3]);
    }
    s.push(1);
    out.push(s);
    // Garbage, a skewed nonce, a wrong chain, a zero fee, a raw protobuf body.
    let body = fixture::body(0, fixture::sample_messages()[..1].to_vec()).encode_to_vec();
    let mut s = vec![
        5, 0x80, 3, 0, 1, 2, 3, 0x61, 2, 10, 0, 0x31, 10, 0, 0x21, 0, 0,
    ];
    s.push(0x01);
    s.push(10);
    s.extend_from_slice(&(body.len() as u16).to_le_bytes());
    s.extend_from_slice(&body);
    s.push(1);
    out.push(s);
    out
}
