//! Target `merkle`: row Merkle proofs (`proofwork_kernels::merkle`), honest and tampered.
//!
//! A tree of 1..=300 rows is built from the input; then up to 16 proof checks, each an
//! honest proof with fuzz-chosen damage (index, leaf count, leaf, a sibling's byte, a
//! sibling added or dropped) or fully fuzz-chosen siblings.
//!
//! Invariants: the streamed `RowRootBuilder` root equals the tree root; checking through a
//! shared `PathMemo` gives the verdict of checking alone; an accepted proof is the honest
//! proof of the honest leaf (BLAKE3 has no known collisions, so anything else is a bug).

use proofwork_kernels::merkle::{
    leaf_hash_i8_bytes, verify_path, MerkleProof, MerkleTree, PathMemo, RowRootBuilder,
};
use proofwork_kernels::verify_proof;

use crate::input::Input;

/// Runs one input.
pub fn run(data: &[u8]) {
    let mut inp = Input::new(data);
    let n = 1 + usize::from(inp.u16() % 300);
    let salt = inp.u8();
    let rows: Vec<[u8; 3]> = (0..n).map(|j| [j as u8, (j >> 8) as u8, salt]).collect();
    let leaves: Vec<[u8; 32]> = rows.iter().map(|r| leaf_hash_i8_bytes(r)).collect();
    let tree = MerkleTree::from_leaves(leaves.clone()).expect("a non-empty tree");
    let root = tree.root();
    let mut builder = RowRootBuilder::new();
    rows.iter().for_each(|r| builder.push_row(r));
    assert_eq!(
        builder.root(),
        Some(root),
        "streamed root differs from the tree's"
    );

    let mut memo = PathMemo::default();
    for _ in 0..16 {
        if inp.is_empty() {
            break;
        }
        let op = inp.u8();
        let raw_index = inp.u64();
        let index = if op & 1 == 0 {
            raw_index % n as u64
        } else {
            raw_index
        };
        let honest = tree.proof(index % n as u64).expect("index below n");
        let mut proof = MerkleProof {
            index,
            ..honest.clone()
        };
        let mut leaf = leaves[(index % n as u64) as usize];
        match (op >> 1) % 8 {
            0 => {}
            1 => proof.leaf_count = inp.u64(),
            2 => leaf[usize::from(inp.u8() % 32)] ^= inp.u8() | 1,
            3 => {
                if !proof.siblings.is_empty() {
                    let i = usize::from(inp.u8()) % proof.siblings.len();
                    proof.siblings[i][usize::from(inp.u8() % 32)] ^= inp.u8() | 1;
                }
            }
            4 => proof.siblings.push(inp.digest()),
            5 => {
                proof.siblings.pop();
            }
            6 => {
                let count = usize::from(inp.u8() % 80);
                proof.siblings = (0..count).map(|_| inp.digest()).collect();
                proof.leaf_count = inp.u64();
            }
            _ => leaf = inp.digest(),
        }
        let alone = verify_proof(&root, &leaf, &proof);
        let shared = verify_path(
            &root,
            &leaf,
            proof.index,
            proof.leaf_count,
            &proof.siblings,
            &mut memo,
        );
        assert_eq!(alone, shared, "PathMemo changed a verdict");
        if alone.is_ok() {
            assert!(proof.index < n as u64, "accepted an index past the end");
            assert_eq!(proof, honest, "accepted a proof other than the honest one");
            assert_eq!(leaf, leaves[proof.index as usize], "accepted a wrong leaf");
        }
    }
}

/// Seed inputs: each damage kind on a few tree sizes.
pub fn seeds() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for n in [1u16, 2, 7, 64, 299] {
        let mut s = n.to_le_bytes().to_vec();
        s.push(9);
        for op in 0..16u8 {
            s.push(op);
            s.extend_from_slice(&u64::from(op).wrapping_mul(37).to_le_bytes());
            s.extend_from_slice(&[3, 5, 7, 11, 13, 17, 19, 23]);
        }
        out.push(s);
    }
    out
}
