//! The worker's side of the protocol (never run by validators on a consensus path): compute
//! and commit `C = A·B` on any [`Backend`], then build the reveal for the beacon's sample.

use proofwork_kernels::{merkle, Backend, KernelError, MerkleTree};
use proofwork_tx::RevealedRow;

use super::verify::rows_seed;

/// The committed root over the rows of an `m×k` int8 matrix (`A`, or a model's `B`).
///
/// # Errors
/// Shape errors; `m == 0`.
pub fn i8_root(a: &[i8], m: usize, k: usize) -> Result<[u8; 32], KernelError> {
    Ok(MerkleTree::from_leaves(merkle::row_digests_i8(a, m, k)?)?.root())
}

/// The rows the beacon picks for a job (as validators compute them).
pub fn sampled_rows(beacon: &[u8; 32], job_id: u64, m: u32, sample_rows: u32) -> Vec<u64> {
    proofwork_kernels::freivalds::sample_rows(
        &rows_seed(beacon, job_id),
        u64::from(m),
        u64::from(sample_rows),
    )
}

/// A computed (or, in tests, forged) job output with both Merkle trees.
#[derive(Debug, Clone)]
pub struct Proof {
    a: Vec<i8>,
    c: Vec<i32>,
    k: usize,
    n: usize,
    a_tree: MerkleTree,
    c_tree: MerkleTree,
}

impl Proof {
    /// Computes `C = A·B` on `backend` and commits to it.
    ///
    /// # Errors
    /// Kernel errors (shapes, `k` too large, device failures).
    pub fn compute(
        backend: &dyn Backend,
        a: Vec<i8>,
        b: &[i8],
        m: usize,
        k: usize,
        n: usize,
    ) -> Result<Self, KernelError> {
        let out = backend.gemm_and_commit(&a, b, m, k, n)?;
        let a_tree = MerkleTree::from_leaves(merkle::row_digests_i8(&a, m, k)?)?;
        Ok(Proof {
            a,
            c: out.c,
            k,
            n,
            a_tree,
            c_tree: out.tree,
        })
    }

    /// Commits to a given `C` (whatever it is: tests use this to forge outputs).
    ///
    /// # Errors
    /// Shape errors.
    pub fn from_output(
        a: Vec<i8>,
        c: Vec<i32>,
        m: usize,
        k: usize,
        n: usize,
    ) -> Result<Self, KernelError> {
        let a_tree = MerkleTree::from_leaves(merkle::row_digests_i8(&a, m, k)?)?;
        let c_tree = MerkleTree::from_leaves(merkle::row_digests_i32(&c, m, n)?)?;
        Ok(Proof {
            a,
            c,
            k,
            n,
            a_tree,
            c_tree,
        })
    }

    /// Root over the rows of `A` (what the client posts).
    pub fn a_root(&self) -> [u8; 32] {
        self.a_tree.root()
    }

    /// Root over the rows of `C` (what the worker commits).
    pub fn c_root(&self) -> [u8; 32] {
        self.c_tree.root()
    }

    /// The output.
    pub fn c(&self) -> &[i32] {
        &self.c
    }

    /// Rows of `C` with their proofs under [`Proof::c_root`] (a dispute's answer).
    ///
    /// # Errors
    /// [`KernelError::IndexOutOfRange`] for an index not below `m`.
    pub fn output_rows(&self, rows: &[u64]) -> Result<Vec<proofwork_tx::OutputRow>, KernelError> {
        rows.iter()
            .map(|&i| {
                let c_proof = self.c_tree.proof(i)?.siblings;
                let iu = i as usize; // < m: the proof above checked it
                let c_row = &self.c[iu * self.n..(iu + 1) * self.n];
                Ok(proofwork_tx::OutputRow {
                    index: i,
                    c_row: c_row.iter().flat_map(|v| v.to_le_bytes()).collect(),
                    c_proof,
                })
            })
            .collect()
    }

    /// The reveal of `rows` (indices below `m`).
    ///
    /// # Errors
    /// [`KernelError::IndexOutOfRange`] for an index not below `m`.
    pub fn reveal(&self, rows: &[u64]) -> Result<Vec<RevealedRow>, KernelError> {
        rows.iter()
            .map(|&i| {
                let iu = usize::try_from(i).map_err(|_| KernelError::IndexOutOfRange {
                    index: i,
                    leaf_count: self.a_tree.leaf_count(),
                })?;
                let a_proof = self.a_tree.proof(i)?.siblings;
                let c_proof = self.c_tree.proof(i)?.siblings;
                let a_row = &self.a[iu * self.k..(iu + 1) * self.k];
                let c_row = &self.c[iu * self.n..(iu + 1) * self.n];
                Ok(RevealedRow {
                    index: i,
                    a_row: a_row.iter().map(|&v| v as u8).collect(),
                    c_row: c_row.iter().flat_map(|v| v.to_le_bytes()).collect(),
                    a_proof,
                    c_proof,
                })
            })
            .collect()
    }
}
