//! Target `state_proof`: JMT state proofs (`proofwork_tx::proof`), the proofs a light
//! client checks query answers with.
//!
//! A store of 64 keys is committed once; the input picks a real membership or
//! non-membership proof and damages its bytes, key or value, or gives a whole JSON
//! `StateProof`. Invariant (soundness): whatever verifies states the truth, i.e. the key's
//! real value or its real absence.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use proofwork_state::{Storage, WriteSet};
use proofwork_tx::proof::{verify_proof, AppHash, StateProof};

use crate::input::Input;

struct Fixture {
    _dir: tempfile::TempDir,
    app_hash: AppHash,
    truth: BTreeMap<Vec<u8>, Vec<u8>>,
    proofs: Vec<StateProof>,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let storage = Storage::open(dir.path(), Default::default()).expect("open store");
        let truth: BTreeMap<Vec<u8>, Vec<u8>> = (0..64u32)
            .map(|i| {
                (
                    format!("k/{i}").into_bytes(),
                    format!("v{}", i * 7).into_bytes(),
                )
            })
            .collect();
        let writes: WriteSet = truth
            .iter()
            .map(|(k, v)| (k.clone(), Some(v.clone())))
            .collect();
        let prepared = storage
            .prepare(0, writes, WriteSet::new())
            .expect("prepare");
        let app_hash = storage.commit(prepared).expect("commit").app_hash;
        let keys = truth
            .keys()
            .take(8)
            .cloned()
            .chain((0..8u32).map(|i| format!("absent/{i}").into_bytes()));
        let proofs = keys
            .map(|k| storage.get_with_proof(&k, 0).expect("proof"))
            .collect();
        Fixture {
            _dir: dir,
            app_hash,
            truth,
            proofs,
        }
    })
}

fn check_sound(f: &Fixture, key: &[u8], value: Option<&[u8]>) {
    assert_eq!(
        value,
        f.truth.get(key).map(Vec::as_slice),
        "a proof verified for a value the store does not hold"
    );
}

/// Runs one input.
pub fn run(data: &[u8]) {
    let f = fixture();
    let mut inp = Input::new(data);
    let op = inp.u8();
    if op == 0xff {
        // A client parses proofs from JSON (the CLI's `--prove` output).
        let Ok(p) = serde_json::from_slice::<StateProof>(inp.rest()) else {
            return;
        };
        if p.verify(&f.app_hash).is_ok() {
            check_sound(f, &p.key, p.value.as_deref());
        }
        return;
    }
    let base = &f.proofs[usize::from(inp.u8()) % f.proofs.len()];
    let mut key = base.key.clone();
    let mut value = base.value.clone();
    let mut proof = base.proof.clone();
    for _ in 0..4 {
        match inp.u8() % 8 {
            0 if !proof.is_empty() => {
                let i = usize::from(inp.u16()) % proof.len();
                proof[i] ^= inp.u8() | 1;
            }
            1 => proof.truncate(usize::from(inp.u16())),
            2 => proof.extend_from_slice(inp.chunk()),
            3 => key = inp.chunk().to_vec(),
            4 => value = None,
            5 => value = Some(inp.chunk().to_vec()),
            6 => proof = inp.chunk().to_vec(),
            _ => {}
        }
    }
    if verify_proof(&f.app_hash, &key, value.as_deref(), &proof).is_ok() {
        check_sound(f, &key, value.as_deref());
    }
}

/// Seed inputs: every fixture proof untouched and damaged, and a JSON proof (their bytes
/// name fixture proofs by index, so writing them needs no store).
pub fn seeds() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for i in 0..16u8 {
        out.push(vec![0, i, 7, 7, 7, 7]);
        out.push(vec![0, i, 0, 5, 0, 1, 7, 7, 7]);
    }
    let json = serde_json::to_vec(&StateProof {
        height: 0,
        app_hash: [0; 32],
        key: b"k/1".to_vec(),
        value: Some(b"v7".to_vec()),
        proof: vec![0; 8],
    })
    .expect("json");
    out.push([&[0xff][..], &json].concat());
    out
}
