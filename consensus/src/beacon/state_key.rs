//! Keys of the vote-extension beacon.

use proofwork_state::codec;

/// `beacon/enable` → u64 (borsh): the first height whose votes carry VRF extensions. Absent:
/// the chain uses the block-hash beacon forever.
pub const ENABLE_HEIGHT: &[u8] = b"beacon/enable";

/// `beacon/vrf/{ed25519 pubkey}` → `[u8; 32]`: the validator's sr25519 VRF public key.
pub fn vrf_key(pub_key: &[u8; 32]) -> Vec<u8> {
    [b"beacon/vrf/".as_slice(), pub_key.as_slice()].concat()
}

/// `beacon/voters/{height BE}` → the voting set of `height` as CometBFT sees it (the
/// registry after block `height − 2`), borsh-encoded `Vec<Voter>`.
pub fn voters(height: u64) -> Vec<u8> {
    [b"beacon/voters/".as_slice(), &codec::be_u64(height)].concat()
}
