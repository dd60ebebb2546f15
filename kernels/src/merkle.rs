//! BLAKE3 Merkle commitments over matrix rows.
//!
//! # Format (protocol: changing any tag or byte order is a protocol change)
//!
//! - leaf of a row of `C` (`i32`): BLAKE3 in keyed mode over each value as 4 bytes LE, the
//!   key being [`C_ROW_KEY`] = `BLAKE3("proofwork/crow/v2")` (ADR-007: with no tag in front
//!   of the row, BLAKE3 chunk `j` of a row is exactly its columns `256j .. 256j + 256`, so
//!   the GPU can hash a 256-column output tile of the GEMM while the tile is on chip)
//! - leaf of a row of `A` (`i8`): `BLAKE3("proofwork/arow/v1" || the bytes)`
//! - inner node: `BLAKE3("proofwork/node/v1" || left || right)`
//! - tree shape: RFC 6962 — a tree over `n > 1` leaves is a node over the tree of the first
//!   `k` leaves and the tree of the other `n - k`, `k` the largest power of two `< n`. Any
//!   `n ≥ 1` works and no leaf is ever duplicated, so there is no CVE-2012-2459 style
//!   ambiguity between `[x, y, z]` and `[x, y, z, z]`.
//! - committed root: `BLAKE3("proofwork/root/v1" || n as u64 LE || tree root)`, binding
//!   the leaf count, so a proof cannot be replayed against a tree of another size.
//!
//! All tags have the same length (17 bytes), so no tagged input is a prefix-shifted version
//! of another kind's input.
//!
//! The RFC 6962 shape is the same as building the tree level by level, pairing nodes left to
//! right and promoting an unpaired last node unchanged; that is how [`MerkleTree`] stores it.

use rayon::prelude::*;

use crate::{check_len, Digest, KernelError};

/// Domain tag of a leaf over a row of `C`: what [`C_ROW_KEY`] is the hash of.
pub const TAG_C_ROW: &[u8; 17] = b"proofwork/crow/v2";
/// The BLAKE3 key of the leaves over rows of `C`: `BLAKE3(TAG_C_ROW)`. Every compression of
/// a keyed hash carries BLAKE3's `KEYED_HASH` flag, which no compression of the other
/// (unkeyed, tagged) digests here does, so the domains stay separated (ADR-007).
pub const C_ROW_KEY: [u8; 32] = c_row_key();

const fn c_row_key() -> [u8; 32] {
    // BLAKE3("proofwork/crow/v2"); pinned by `c_row_key_is_the_tag_hash`.
    [
        0x9c, 0x58, 0x94, 0x31, 0x39, 0xcb, 0xb4, 0x46, 0x13, 0x4d, 0x19, 0x3b, 0x62, 0x3b, 0xed,
        0xd7, 0x99, 0xf4, 0x5b, 0x33, 0x98, 0xf5, 0x57, 0x9e, 0x3c, 0x71, 0x83, 0x06, 0xcc, 0x3f,
        0xca, 0xcb,
    ]
}
/// Domain tag of a leaf over a row of `A`.
pub const TAG_A_ROW: &[u8; 17] = b"proofwork/arow/v1";
/// Domain tag of an inner node.
pub const TAG_NODE: &[u8; 17] = b"proofwork/node/v1";
/// Domain tag of the committed root.
pub const TAG_ROOT: &[u8; 17] = b"proofwork/root/v1";

/// A proof length above this is malformed for any `u64` leaf count.
const MAX_DEPTH: usize = 64;
/// Levels at least this wide are hashed in parallel.
const PAR_LEVEL: usize = 2048;

/// The leaf digest of one row of `C`.
pub fn leaf_hash_i32(row: &[i32]) -> Digest {
    let mut buf = Vec::with_capacity(row.len() * 4);
    leaf_hash_i32_with(row, &mut buf)
}

/// [`leaf_hash_i32`] reusing a scratch buffer: the row's LE bytes are hashed in one call, so
/// BLAKE3 hashes its 1 KiB chunks in parallel SIMD lanes.
fn leaf_hash_i32_with(row: &[i32], buf: &mut Vec<u8>) -> Digest {
    buf.clear();
    for v in row {
        buf.extend_from_slice(&v.to_le_bytes());
    }
    leaf_hash_i32_le(buf)
}

/// The leaf digest of one row of `C` given as its wire bytes (each value 4 bytes LE), the
/// same digest as [`leaf_hash_i32`] on the decoded row without decoding or copying it.
///
/// The length is not checked here; callers check `4·n` first.
pub fn leaf_hash_i32_le(bytes: &[u8]) -> Digest {
    *blake3::keyed_hash(&C_ROW_KEY, bytes).as_bytes()
}

/// The leaf digest of one row of `A`.
pub fn leaf_hash_i8(row: &[i8]) -> Digest {
    let mut buf = Vec::with_capacity(TAG_A_ROW.len() + row.len());
    buf.extend_from_slice(TAG_A_ROW);
    // i8 -> u8 reinterprets the same byte.
    buf.extend(row.iter().map(|&v| v as u8));
    *blake3::hash(&buf).as_bytes()
}

/// The leaf digest of one row of `A` given as its bytes (the same digest as
/// [`leaf_hash_i8`]: an `i8` and its byte are the same 8 bits).
pub fn leaf_hash_i8_bytes(bytes: &[u8]) -> Digest {
    tagged_hash(TAG_A_ROW, bytes)
}

/// `BLAKE3(tag || bytes)`, hashed from one buffer (see [`leaf_hash_i32_with`] for why).
fn tagged_hash(tag: &[u8; 17], bytes: &[u8]) -> Digest {
    let mut buf = Vec::with_capacity(tag.len() + bytes.len());
    buf.extend_from_slice(tag);
    buf.extend_from_slice(bytes);
    *blake3::hash(&buf).as_bytes()
}

/// An inner node.
///
/// The 81-byte input is assembled on the stack and hashed in one call: ~2× faster than
/// feeding a `Hasher` three slices, and node hashes are most of a proof's cost.
pub fn node_hash(left: &Digest, right: &Digest) -> Digest {
    let mut buf = [0u8; 17 + 64];
    buf[..17].copy_from_slice(TAG_NODE);
    buf[17..49].copy_from_slice(left);
    buf[49..].copy_from_slice(right);
    *blake3::hash(&buf).as_bytes()
}

/// The committed root over a tree root of `leaf_count` leaves.
pub fn committed_root(leaf_count: u64, tree_root: &Digest) -> Digest {
    let mut h = blake3::Hasher::new();
    h.update(TAG_ROOT);
    h.update(&leaf_count.to_le_bytes());
    h.update(tree_root);
    *h.finalize().as_bytes()
}

/// The leaf digests of the `m` rows of `c` (`m×n`, row-major), in parallel.
///
/// # Errors
///
/// [`KernelError::ShapeMismatch`] / [`KernelError::DimensionOverflow`] when `c.len() != m·n`.
pub fn row_digests_i32(c: &[i32], m: usize, n: usize) -> Result<Vec<Digest>, KernelError> {
    check_len("c", c.len(), m, n)?;
    if n == 0 {
        return Ok(vec![leaf_hash_i32(&[]); m]);
    }
    Ok(c.par_chunks_exact(n)
        .map_init(
            || Vec::with_capacity(n * 4),
            |buf, row| leaf_hash_i32_with(row, buf),
        )
        .collect())
}

/// The leaf digests of the `m` rows of `a` (`m×k`, row-major), in parallel.
///
/// # Errors
///
/// [`KernelError::ShapeMismatch`] / [`KernelError::DimensionOverflow`] when `a.len() != m·k`.
pub fn row_digests_i8(a: &[i8], m: usize, k: usize) -> Result<Vec<Digest>, KernelError> {
    check_len("a", a.len(), m, k)?;
    if k == 0 {
        return Ok(vec![leaf_hash_i8(&[]); m]);
    }
    Ok(a.par_chunks_exact(k).map(leaf_hash_i8).collect())
}

/// An RFC 6962-shaped binary Merkle tree, all levels kept for proofs.
///
/// # Invariants
///
/// `levels[0]` holds the leaves (at least one); `levels[h+1]` pairs `levels[h]` and promotes
/// an unpaired last node; the last level has exactly one node, the tree root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MerkleTree {
    levels: Vec<Vec<Digest>>,
}

impl MerkleTree {
    /// Builds the tree over `leaves` (already hashed, e.g. by [`row_digests_i32`]).
    ///
    /// # Errors
    ///
    /// [`KernelError::EmptyTree`] for no leaves.
    pub fn from_leaves(leaves: Vec<Digest>) -> Result<Self, KernelError> {
        if leaves.is_empty() {
            return Err(KernelError::EmptyTree);
        }
        let mut levels = vec![leaves];
        loop {
            let prev = levels.last().expect("levels starts non-empty");
            if prev.len() == 1 {
                break;
            }
            let pair = |p: &[Digest]| match p {
                [l, r] => node_hash(l, r),
                [single] => *single,
                _ => unreachable!("chunks(2) yields one or two nodes"),
            };
            let next: Vec<Digest> = if prev.len() >= PAR_LEVEL {
                prev.par_chunks(2).map(pair).collect()
            } else {
                prev.chunks(2).map(pair).collect()
            };
            levels.push(next);
        }
        Ok(Self { levels })
    }

    /// The number of leaves.
    pub fn leaf_count(&self) -> u64 {
        self.levels[0].len() as u64
    }

    /// The leaf digests.
    pub fn leaves(&self) -> &[Digest] {
        &self.levels[0]
    }

    /// The committed root: `BLAKE3("proofwork/root/v1" || leaf_count LE || tree root)`.
    pub fn root(&self) -> Digest {
        let top = self.levels.last().expect("a tree has at least one level");
        committed_root(self.leaf_count(), &top[0])
    }

    /// The inclusion proof of leaf `index`.
    ///
    /// # Errors
    ///
    /// [`KernelError::IndexOutOfRange`] when `index ≥ leaf_count`.
    pub fn proof(&self, index: u64) -> Result<MerkleProof, KernelError> {
        let leaf_count = self.leaf_count();
        let out_of_range = KernelError::IndexOutOfRange { index, leaf_count };
        let mut idx = usize::try_from(index).map_err(|_| out_of_range.clone())?;
        if idx >= self.levels[0].len() {
            return Err(out_of_range);
        }
        let mut siblings = Vec::new();
        for level in &self.levels[..self.levels.len() - 1] {
            if let Some(sib) = level.get(idx ^ 1) {
                siblings.push(*sib);
            }
            idx >>= 1;
        }
        Ok(MerkleProof {
            index,
            leaf_count,
            siblings,
        })
    }
}

/// The committed root over rows of `i8` fed one at a time, in `O(log n)` memory: the same
/// root as [`MerkleTree::from_leaves`] over [`row_digests_i8`], without holding the matrix or
/// its leaves (for streamed uploads of job inputs and weights).
///
/// It keeps the roots of the perfect subtrees of the leaves so far (sizes the binary digits of
/// the count, largest first); in the RFC 6962 shape the tree over `n` leaves is those roots
/// folded right to left.
#[derive(Debug, Clone, Default)]
pub struct RowRootBuilder {
    /// `(leaf count, root)` of each perfect subtree, sizes strictly decreasing.
    stack: Vec<(u64, Digest)>,
    count: u64,
}

impl RowRootBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds the next row of `A` (its bytes are the `i8` values reinterpreted).
    pub fn push_row(&mut self, row: &[u8]) {
        let mut buf = Vec::with_capacity(TAG_A_ROW.len() + row.len());
        buf.extend_from_slice(TAG_A_ROW);
        buf.extend_from_slice(row);
        self.push_leaf(*blake3::hash(&buf).as_bytes());
    }

    /// Adds the next leaf digest.
    pub fn push_leaf(&mut self, leaf: Digest) {
        let mut node = (1u64, leaf);
        while let Some(&(size, left)) = self.stack.last() {
            if size != node.0 {
                break;
            }
            self.stack.pop();
            node = (size * 2, node_hash(&left, &node.1));
        }
        self.stack.push(node);
        self.count += 1;
    }

    /// The number of rows pushed.
    pub fn leaf_count(&self) -> u64 {
        self.count
    }

    /// The frontier: `(leaf count, root)` of each perfect subtree of the leaves so far,
    /// sizes strictly decreasing (what [`RowRootBuilder::from_frontier`] restores). At most
    /// 64 entries: it is what a builder kept between txs stores (`O(log n)` bytes).
    pub fn frontier(&self) -> &[(u64, Digest)] {
        &self.stack
    }

    /// A builder restored from its [`RowRootBuilder::frontier`], or `None` when `stack` is
    /// not one: sizes must be distinct powers of two, strictly decreasing, and their sum (the
    /// leaf count) must fit a `u64`.
    pub fn from_frontier(stack: Vec<(u64, Digest)>) -> Option<Self> {
        let mut count = 0u64;
        for (i, &(size, _)) in stack.iter().enumerate() {
            let decreasing = i == 0 || size < stack[i - 1].0;
            if !size.is_power_of_two() || !decreasing {
                return None;
            }
            count = count.checked_add(size)?;
        }
        Some(Self { stack, count })
    }

    /// The committed root, or `None` before the first row.
    pub fn root(&self) -> Option<Digest> {
        let mut it = self.stack.iter().rev();
        let mut acc = it.next()?.1;
        for (_, left) in it {
            acc = node_hash(left, &acc);
        }
        Some(committed_root(self.count, &acc))
    }
}

/// An inclusion proof: the siblings from the leaf up to the root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MerkleProof {
    /// The leaf's position.
    pub index: u64,
    /// The number of leaves of the tree (bound by the committed root).
    pub leaf_count: u64,
    /// Sibling digests, bottom-up; levels where the node is promoted have none.
    pub siblings: Vec<Digest>,
}

/// The number of siblings a proof for `index` in a tree of `leaf_count` leaves must have.
///
/// `None` when `index ≥ leaf_count`.
pub fn expected_proof_len(index: u64, leaf_count: u64) -> Option<usize> {
    if index >= leaf_count {
        return None;
    }
    let (mut idx, mut width, mut len) = (index, leaf_count, 0usize);
    while width > 1 {
        if (idx ^ 1) < width {
            len += 1;
        }
        idx >>= 1;
        width = width.div_ceil(2);
    }
    Some(len)
}

/// Checks that `leaf_hash` is leaf `proof.index` of the tree committed to by `root`.
///
/// Never panics, whatever the proof: the sibling count is checked against the index and leaf
/// count before any hashing.
///
/// Callers must still check that `proof.index` is the row they asked for, and may check
/// `proof.leaf_count` against the job's row count (the root binds it, so a wrong one fails
/// here anyway).
///
/// # Errors
///
/// [`KernelError::IndexOutOfRange`], [`KernelError::ProofLength`] for malformed proofs,
/// [`KernelError::RootMismatch`] for well-formed proofs of something else.
pub fn verify_proof(
    root: &Digest,
    leaf_hash: &Digest,
    proof: &MerkleProof,
) -> Result<(), KernelError> {
    verify_path(
        root,
        leaf_hash,
        proof.index,
        proof.leaf_count,
        &proof.siblings,
        &mut PathMemo::default(),
    )
}

/// The inner nodes of the last path checked, one per height: `(left, right, parent)`.
///
/// Checking proofs for leaves in ascending index order through one memo hashes every inner
/// node that consecutive paths share only once: the paths of 96 sampled rows of a 4096-row
/// tree share their top ~6 levels, so about half of the node hashes are skipped. It is pure
/// memoisation of [`node_hash`] (an entry is reused only when both children are equal), so
/// the verdict is exactly that of checking each proof on its own, whatever the inputs.
#[derive(Debug, Clone, Default)]
pub struct PathMemo {
    nodes: Vec<Option<(Digest, Digest, Digest)>>,
}

impl PathMemo {
    /// `node_hash(left, right)`, reusing the previous path's node at `height` when it had the
    /// same children.
    fn node(&mut self, height: usize, left: &Digest, right: &Digest) -> Digest {
        if self.nodes.len() <= height {
            self.nodes.resize(height + 1, None);
        }
        if let Some((l, r, p)) = &self.nodes[height] {
            if l == left && r == right {
                return *p;
            }
        }
        let p = node_hash(left, right);
        self.nodes[height] = Some((*left, *right, p));
        p
    }
}

/// [`verify_proof`] on borrowed parts, with a [`PathMemo`] shared across calls.
///
/// # Errors
///
/// As [`verify_proof`].
pub fn verify_path(
    root: &Digest,
    leaf_hash: &Digest,
    index: u64,
    leaf_count: u64,
    siblings: &[Digest],
    memo: &mut PathMemo,
) -> Result<(), KernelError> {
    let expected = expected_proof_len(index, leaf_count)
        .ok_or(KernelError::IndexOutOfRange { index, leaf_count })?;
    if siblings.len() != expected || expected > MAX_DEPTH {
        return Err(KernelError::ProofLength {
            expected,
            got: siblings.len(),
        });
    }
    let (mut idx, mut width) = (index, leaf_count);
    let mut node = *leaf_hash;
    let mut siblings = siblings.iter();
    let mut height = 0;
    while width > 1 {
        if (idx ^ 1) < width {
            let sib = siblings
                .next()
                .expect("sibling count was checked against expected_proof_len");
            node = if idx & 1 == 0 {
                memo.node(height, &node, sib)
            } else {
                memo.node(height, sib, &node)
            };
        }
        idx >>= 1;
        width = width.div_ceil(2);
        height += 1;
    }
    if committed_root(leaf_count, &node) == *root {
        Ok(())
    } else {
        Err(KernelError::RootMismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn leaves(n: usize) -> Vec<Digest> {
        (0..n as u32)
            .map(|i| *blake3::hash(&i.to_le_bytes()).as_bytes())
            .collect()
    }

    /// RFC 6962 §2.1 `MTH`, literally.
    fn mth(d: &[Digest]) -> Digest {
        if d.len() == 1 {
            return d[0];
        }
        // The largest power of two strictly below len.
        let k = 1usize << (usize::BITS - 1 - (d.len() - 1).leading_zeros());
        node_hash(&mth(&d[..k]), &mth(&d[k..]))
    }

    #[test]
    fn tree_matches_rfc6962_definition() {
        for n in 1..=70 {
            let l = leaves(n);
            let t = MerkleTree::from_leaves(l.clone()).expect("non-empty");
            assert_eq!(t.root(), committed_root(n as u64, &mth(&l)), "n = {n}");
        }
    }

    #[test]
    fn row_root_builder_matches_the_tree() {
        assert_eq!(RowRootBuilder::new().root(), None);
        for m in 1..=70usize {
            let a: Vec<i8> = (0..m * 3).map(|v| (v * 7) as i8).collect();
            let tree =
                MerkleTree::from_leaves(row_digests_i8(&a, m, 3).expect("shape")).expect("rows");
            let mut b = RowRootBuilder::new();
            for row in a.chunks(3) {
                b.push_row(&row.iter().map(|&v| v as u8).collect::<Vec<_>>());
            }
            assert_eq!(b.leaf_count(), m as u64);
            assert_eq!(b.root(), Some(tree.root()), "m = {m}");
        }
    }

    #[test]
    fn a_builder_restored_from_its_frontier_goes_on_to_the_same_root() {
        let rows: Vec<[u8; 2]> = (0..37u8).map(|i| [i, i.wrapping_mul(3)]).collect();
        let mut whole = RowRootBuilder::new();
        rows.iter().for_each(|r| whole.push_row(r));
        for cut in 0..rows.len() {
            let mut first = RowRootBuilder::new();
            rows[..cut].iter().for_each(|r| first.push_row(r));
            let mut b = RowRootBuilder::from_frontier(first.frontier().to_vec()).expect("valid");
            assert_eq!(b.leaf_count(), cut as u64);
            rows[cut..].iter().for_each(|r| b.push_row(r));
            assert_eq!(b.root(), whole.root(), "cut {cut}");
        }
        let d = [0u8; 32];
        assert!(RowRootBuilder::from_frontier(vec![(2, d), (2, d)]).is_none());
        assert!(RowRootBuilder::from_frontier(vec![(1, d), (2, d)]).is_none());
        assert!(RowRootBuilder::from_frontier(vec![(3, d)]).is_none());
        assert!(RowRootBuilder::from_frontier(vec![(0, d)]).is_none());
        assert!(RowRootBuilder::from_frontier(vec![(1 << 63, d), (1 << 63, d)]).is_none());
    }

    #[test]
    fn golden_root_is_stable() {
        // Pins the format: a change here is a protocol change. Values cross-checked with an
        // independent implementation (Python `blake3`) of the format in the module docs.
        let c: Vec<i32> = (0..12).map(|v| v * 1000 - 5000).collect();
        let t = MerkleTree::from_leaves(row_digests_i32(&c, 3, 4).expect("shape")).expect("rows");
        let a: Vec<i8> = (0..12).map(|v| v as i8 - 6).collect();
        let ta = MerkleTree::from_leaves(row_digests_i8(&a, 4, 3).expect("shape")).expect("rows");
        let hex = |d: Digest| d.iter().map(|b| format!("{b:02x}")).collect::<String>();
        assert_eq!(hex(t.root()), GOLDEN_C_ROOT);
        assert_eq!(hex(ta.root()), GOLDEN_A_ROOT);
    }
    const GOLDEN_C_ROOT: &str = "e55a88ef17325e3270878aa2fa06db29a8eddc7880ec104fed72c4771bf29844";
    const GOLDEN_A_ROOT: &str = "e9bcff75ead96495324e2acda33d9d727c36a1c88614a432b39b9acac73958cb";

    #[test]
    fn c_row_key_is_the_tag_hash() {
        assert_eq!(C_ROW_KEY, *blake3::hash(TAG_C_ROW).as_bytes());
    }

    #[test]
    fn leaf_hash_uses_key_and_le_bytes() {
        let input = [1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff];
        assert_eq!(
            leaf_hash_i32(&[1, -1]),
            *blake3::keyed_hash(&C_ROW_KEY, &input).as_bytes()
        );
        // Not the unkeyed hash of the same bytes, nor of the tag and the bytes.
        assert_ne!(leaf_hash_i32(&[1, -1]), *blake3::hash(&input).as_bytes());
        let mut tagged = TAG_C_ROW.to_vec();
        tagged.extend_from_slice(&input);
        assert_ne!(leaf_hash_i32(&[1, -1]), *blake3::hash(&tagged).as_bytes());
        let mut input = TAG_A_ROW.to_vec();
        input.extend_from_slice(&[0x80, 0x7f]);
        assert_eq!(leaf_hash_i8(&[-128, 127]), *blake3::hash(&input).as_bytes());
    }

    #[test]
    fn empty_tree_is_rejected() {
        assert_eq!(MerkleTree::from_leaves(vec![]), Err(KernelError::EmptyTree));
    }

    #[test]
    fn proof_of_missing_leaf_is_rejected() {
        let t = MerkleTree::from_leaves(leaves(5)).expect("non-empty");
        assert_eq!(
            t.proof(5),
            Err(KernelError::IndexOutOfRange {
                index: 5,
                leaf_count: 5
            })
        );
    }

    #[test]
    fn row_digests_reject_wrong_shape() {
        assert!(matches!(
            row_digests_i32(&[1, 2, 3], 2, 2),
            Err(KernelError::ShapeMismatch {
                what: "c",
                expected: 4,
                got: 3
            })
        ));
        assert!(matches!(
            row_digests_i8(&[1, 2, 3], 2, 2),
            Err(KernelError::ShapeMismatch {
                what: "a",
                expected: 4,
                got: 3
            })
        ));
    }

    #[test]
    fn verify_rejects_index_out_of_range() {
        let t = MerkleTree::from_leaves(leaves(4)).expect("non-empty");
        let mut p = t.proof(1).expect("in range");
        p.index = 4;
        assert_eq!(
            verify_proof(&t.root(), &leaves(4)[1], &p),
            Err(KernelError::IndexOutOfRange {
                index: 4,
                leaf_count: 4
            })
        );
        p.leaf_count = 0;
        p.index = 0;
        assert!(matches!(
            verify_proof(&t.root(), &leaves(4)[1], &p),
            Err(KernelError::IndexOutOfRange { .. })
        ));
    }

    #[test]
    fn verify_rejects_wrong_sibling_count() {
        let t = MerkleTree::from_leaves(leaves(6)).expect("non-empty");
        let mut p = t.proof(2).expect("in range");
        p.siblings.push([0; 32]);
        assert_eq!(
            verify_proof(&t.root(), &leaves(6)[2], &p),
            Err(KernelError::ProofLength {
                expected: 3,
                got: 4
            })
        );
    }

    #[test]
    fn verify_rejects_forged_leaf_count() {
        // Same tree root, different declared size: the committed root differs.
        let l = leaves(4);
        let t = MerkleTree::from_leaves(l.clone()).expect("non-empty");
        let mut p = t.proof(0).expect("in range");
        p.leaf_count = 3; // index 0 of 3 leaves also has 2 siblings
        assert_eq!(
            verify_proof(&t.root(), &l[0], &p),
            Err(KernelError::RootMismatch)
        );
    }

    #[test]
    fn verify_survives_absurd_proofs() {
        let root = [7u8; 32];
        let p = MerkleProof {
            index: u64::MAX - 1,
            leaf_count: u64::MAX,
            siblings: vec![[1; 32]; 1000],
        };
        assert!(verify_proof(&root, &[0; 32], &p).is_err());
        let p = MerkleProof {
            index: u64::MAX - 1,
            leaf_count: u64::MAX,
            siblings: vec![[1; 32]; 63],
        };
        assert_eq!(expected_proof_len(u64::MAX - 1, u64::MAX), Some(63));
        assert_eq!(
            verify_proof(&root, &[0; 32], &p),
            Err(KernelError::RootMismatch)
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn every_index_proves(n in 1usize..300) {
            let l = leaves(n);
            let t = MerkleTree::from_leaves(l.clone())?;
            for (i, leaf) in l.iter().enumerate() {
                let p = t.proof(i as u64)?;
                prop_assert_eq!(Some(p.siblings.len()), expected_proof_len(i as u64, n as u64));
                prop_assert_eq!(verify_proof(&t.root(), leaf, &p), Ok(()));
            }
        }

        /// A memo shared along a sequence of proofs (sorted or not, some tampered, some for
        /// the wrong leaf) never changes a verdict.
        #[test]
        fn memo_gives_the_verdicts_of_independent_checks(
            n in 1usize..300,
            picks in prop::collection::vec((any::<prop::sample::Index>(), 0u8..4, any::<prop::sample::Index>()), 1..40),
            sort in any::<bool>(),
        ) {
            let l = leaves(n);
            let t = MerkleTree::from_leaves(l.clone())?;
            let mut picks: Vec<(usize, u8, prop::sample::Index)> =
                picks.into_iter().map(|(i, how, s)| (i.index(n), how, s)).collect();
            if sort {
                picks.sort_by_key(|p| p.0);
            }
            let mut memo = PathMemo::default();
            for (i, how, s) in picks {
                let mut p = t.proof(i as u64)?;
                let mut leaf = l[i];
                match how {
                    1 if !p.siblings.is_empty() => {
                        let s = s.index(p.siblings.len());
                        p.siblings[s][3] ^= 0x40;
                    }
                    2 => leaf[0] ^= 1,
                    3 => leaf = l[(i + 1) % n],
                    _ => {}
                }
                let alone = verify_proof(&t.root(), &leaf, &p);
                let shared = verify_path(&t.root(), &leaf, p.index, p.leaf_count, &p.siblings, &mut memo);
                prop_assert_eq!(alone, shared);
            }
        }

        #[test]
        fn proof_for_i_does_not_verify_for_j(n in 2usize..200, i in any::<prop::sample::Index>(), j in any::<prop::sample::Index>()) {
            let (i, j) = (i.index(n), j.index(n));
            prop_assume!(i != j);
            let l = leaves(n);
            let t = MerkleTree::from_leaves(l.clone())?;
            let mut p = t.proof(i as u64)?;
            // The leaf of j with the proof of i ...
            prop_assert!(verify_proof(&t.root(), &l[j], &p).is_err());
            // ... and the proof of i relabelled as j.
            p.index = j as u64;
            prop_assert!(verify_proof(&t.root(), &l[i], &p).is_err());
            prop_assert!(verify_proof(&t.root(), &l[j], &p).is_err());
        }

        #[test]
        fn tampered_leaf_fails(n in 1usize..200, i in any::<prop::sample::Index>(), byte in 0usize..32, bit in 0u8..8) {
            let i = i.index(n);
            let l = leaves(n);
            let t = MerkleTree::from_leaves(l.clone())?;
            let p = t.proof(i as u64)?;
            let mut leaf = l[i];
            leaf[byte] ^= 1 << bit;
            prop_assert_eq!(verify_proof(&t.root(), &leaf, &p), Err(KernelError::RootMismatch));
        }

        #[test]
        fn tampered_sibling_fails(n in 2usize..200, i in any::<prop::sample::Index>(), s in any::<prop::sample::Index>()) {
            let i = i.index(n);
            let l = leaves(n);
            let t = MerkleTree::from_leaves(l.clone())?;
            let mut p = t.proof(i as u64)?;
            let s = s.index(p.siblings.len());
            p.siblings[s][0] ^= 1;
            prop_assert_eq!(verify_proof(&t.root(), &l[i], &p), Err(KernelError::RootMismatch));
        }

        #[test]
        fn truncated_siblings_fail(n in 2usize..200, i in any::<prop::sample::Index>(), cut in 1usize..8) {
            let i = i.index(n);
            let l = leaves(n);
            let t = MerkleTree::from_leaves(l.clone())?;
            let mut p = t.proof(i as u64)?;
            let keep = p.siblings.len().saturating_sub(cut);
            p.siblings.truncate(keep);
            let res = verify_proof(&t.root(), &l[i], &p);
            prop_assert!(matches!(res, Err(KernelError::ProofLength { .. })), "got {:?}", res);
        }

        #[test]
        fn row_digests_match_single_leaf_hashes(m in 1usize..9, n in 0usize..600, seed in any::<i32>()) {
            let c: Vec<i32> = (0..m * n).map(|v| (v as i32).wrapping_mul(seed)).collect();
            let d = row_digests_i32(&c, m, n)?;
            for (i, dig) in d.iter().enumerate() {
                prop_assert_eq!(*dig, leaf_hash_i32(&c[i * n..(i + 1) * n]));
            }
        }
    }
}
