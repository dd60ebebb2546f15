//! Deterministic pseudo-random `i8` matrices for demos, benches and tests: one xorshift64
//! stream, so a seed names the same matrix everywhere (the worker's demo jobs, the golden
//! chain, the app and protocol tests). Not a source of secrets.

/// Added (xor) to every seed, so that small seeds (0, 1, 2 …) give well-mixed streams.
const SEED_MIX: u64 = 0x9e37_79b9_7f4a_7c15;

/// A xorshift64 (13, 7, 17) stream.
#[derive(Debug, Clone)]
pub struct Xorshift64(u64);

impl Xorshift64 {
    /// The stream named by `seed` (its state is `seed ^ 0x9e3779b97f4a7c15`).
    #[must_use]
    pub const fn new(seed: u64) -> Self {
        Self(seed ^ SEED_MIX)
    }

    /// The next 64-bit value.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// The next `len` values as `i8` (bits 24..32 of each step).
    pub fn i8s(&mut self, len: usize) -> Vec<i8> {
        (0..len).map(|_| (self.next_u64() >> 24) as i8).collect()
    }
}

/// `len` pseudo-random `i8`s from the stream named by `seed` (a `rows × cols` matrix, row
/// major, when `len = rows · cols`).
#[must_use]
pub fn random_i8(seed: u64, len: usize) -> Vec<i8> {
    Xorshift64::new(seed).i8s(len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stream_is_pinned() {
        // The golden chain's model and job matrices come from this stream: pinned.
        assert_eq!(random_i8(1, 8), [75, 14, -117, 99, 49, -85, 61, 14]);
        let mut r = Xorshift64::new(7);
        let first = r.next_u64();
        assert_eq!(Xorshift64::new(7).i8s(1)[0], (first >> 24) as i8);
    }
}
