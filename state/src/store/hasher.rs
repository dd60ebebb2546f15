//! BLAKE3 as the Merkle tree's hash function.

/// BLAKE3 for `jmt`: the chain uses BLAKE3 everywhere (tx digests, work commitments),
/// so proofs need only one hash function, and it is ~3× faster than SHA-256 here.
#[derive(Clone, Default)]
pub struct Blake3Hasher(blake3::Hasher);

impl jmt::SimpleHasher for Blake3Hasher {
    fn new() -> Self {
        Blake3Hasher(blake3::Hasher::new())
    }
    fn update(&mut self, data: &[u8]) {
        self.0.update(data);
    }
    fn finalize(self) -> [u8; 32] {
        *self.0.finalize().as_bytes()
    }
}
