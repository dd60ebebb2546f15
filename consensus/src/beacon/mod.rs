//! The vote-extension VRF beacon (docs/work.md "Beacon and sampling", ADR-006).
//!
//! ```text
//! ExtendVote(h)           ext_v = (preout, proof) = VRF_sk_v(DOMAIN ‖ chain_id ‖ h)   [96 bytes]
//! VerifyVoteExtension(h)  proof checks against v's registered sr25519 key
//! PrepareProposal(h+1)    first tx = BeaconTx{h, entries sorted by validator address}
//! ProcessProposal(h+1)    every proof verifies, signers distinct and in voters(h),
//!                         3·signed power > 2·total power of voters(h)
//! FinalizeBlock(h+1)      beacon_h = BLAKE3(DOMAIN ‖ h ‖ Σ address ‖ out), recorded for h
//! ```
//!
//! sr25519 VRF outputs are unique per (key, input), so a validator cannot grind its own
//! contribution; the proposer of `h+1` can only choose which > 2/3 subset to include.
//!
//! Everything here but [`VrfSecret`] (which the node uses to sign) is a pure function of
//! its inputs and state, and every malformed input is an error, never a panic.

pub mod state_key;

use borsh::{BorshDeserialize, BorshSerialize};
use proofwork_state::{codec, StateError, StateRead, StateWrite};
use schnorrkel::vrf::{VRFPreOut, VRFProof};

use crate::validators;

/// Domain of the VRF input, the beacon hash and the beacon tx.
pub const DOMAIN: &[u8] = b"proofwork/beacon/v1";
/// Context of the bytes derived from a VRF in/out pair.
const OUT_CONTEXT: &[u8] = b"proofwork/beacon/out";
/// Bytes of a vote extension: pre-output (32) ‖ proof (64).
pub const EXTENSION_BYTES: usize = 96;
/// First bytes of a beacon tx. A signed tx is a protobuf message, whose first byte is a
/// field tag and never 0, so no signed tx starts like this.
pub const TX_MAGIC: &[u8] = b"\x00proofwork/beacon/v1";
/// Most entries in a beacon tx (CometBFT's validator sets are far smaller).
pub const MAX_ENTRIES: usize = 10_000;
const ENTRY_BYTES: usize = 20 + EXTENSION_BYTES;

/// Why an extension or a beacon tx is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BeaconError {
    /// Not a valid sr25519 public key.
    #[error("invalid VRF public key")]
    BadVrfKey,
    /// Extension of the wrong length.
    #[error("vote extension of {got} bytes, expected {expected}")]
    ExtensionLength {
        /// Got.
        got: usize,
        /// Expected.
        expected: usize,
    },
    /// The proof does not verify.
    #[error("VRF proof of {address} does not verify")]
    BadProof {
        /// Validator address (hex).
        address: String,
    },
    /// The signer is not in the voting set of the height.
    #[error("{address} is not a voter at height {height}")]
    UnknownVoter {
        /// Validator address (hex).
        address: String,
        /// Height.
        height: u64,
    },
    /// The voter has no registered VRF key.
    #[error("{address} has no VRF key")]
    NoVrfKey {
        /// Validator address (hex).
        address: String,
    },
    /// Malformed beacon tx bytes.
    #[error("malformed beacon tx: {0}")]
    Malformed(&'static str),
    /// Entries not strictly ascending by address (duplicates included).
    #[error("beacon entries not strictly ascending by address (duplicate or unsorted)")]
    Unsorted,
    /// For another height.
    #[error("beacon tx for height {got}, expected {expected}")]
    WrongHeight {
        /// Got.
        got: u64,
        /// Expected.
        expected: u64,
    },
    /// Signers hold at most 2/3 of the power.
    #[error("beacon signers hold {signed} of {total} power, need more than 2/3")]
    InsufficientPower {
        /// Signed power.
        signed: u128,
        /// Total power.
        total: u128,
    },
    /// No voting set recorded for the height.
    #[error("no voting set recorded for height {0}")]
    NoVoters(u64),
}

/// A validator's VRF secret (node side only: never part of state).
pub struct VrfSecret(schnorrkel::Keypair);

impl std::fmt::Debug for VrfSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "VrfSecret({})", hex::encode(self.public()))
    }
}

impl VrfSecret {
    /// The key derived from a 32-byte seed (schnorrkel's mini secret key, uniform
    /// expansion).
    pub fn from_seed(seed: &[u8; 32]) -> Self {
        let mini = schnorrkel::MiniSecretKey::from_bytes(seed)
            .expect("a 32-byte array is a valid mini secret key");
        VrfSecret(mini.expand_to_keypair(schnorrkel::ExpansionMode::Uniform))
    }

    /// The public key registered for this validator.
    pub fn public(&self) -> [u8; 32] {
        self.0.public.to_bytes()
    }

    /// The vote extension for `height`: `preout ‖ proof` (96 bytes). The output is unique
    /// for (key, chain, height); the proof's nonce is hedged with OS randomness, which
    /// changes the proof bytes but never the output.
    pub fn extend(&self, chain_id: &str, height: u64) -> Vec<u8> {
        let (inout, proof, _) = self.0.vrf_sign(transcript(chain_id, height));
        let mut out = inout.to_preout().to_bytes().to_vec();
        out.extend_from_slice(&proof.to_bytes());
        out
    }
}

fn transcript(chain_id: &str, height: u64) -> impl schnorrkel::vrf::VRFSigningTranscript {
    // DOMAIN ‖ len(chain_id) u32 BE ‖ chain_id ‖ height u64 BE, under a signing context.
    let mut msg = Vec::with_capacity(4 + chain_id.len() + 8);
    msg.extend_from_slice(
        &u32::try_from(chain_id.len())
            .unwrap_or(u32::MAX)
            .to_be_bytes(),
    );
    msg.extend_from_slice(chain_id.as_bytes());
    msg.extend_from_slice(&height.to_be_bytes());
    schnorrkel::signing_context(DOMAIN).bytes(&msg)
}

/// Checks that `bytes` are a valid sr25519 public key.
///
/// # Errors
/// [`BeaconError::BadVrfKey`].
pub fn check_vrf_key(bytes: &[u8]) -> Result<[u8; 32], BeaconError> {
    let key = schnorrkel::PublicKey::from_bytes(bytes).map_err(|_| BeaconError::BadVrfKey)?;
    Ok(key.to_bytes())
}

/// Verifies `ext` as `vrf_key`'s extension for `height` and returns its 32-byte output.
///
/// # Errors
/// Wrong length, a bad key or a proof that does not verify.
pub fn verify_extension(
    vrf_key: &[u8; 32],
    address: &[u8; 20],
    chain_id: &str,
    height: u64,
    ext: &[u8],
) -> Result<[u8; 32], BeaconError> {
    if ext.len() != EXTENSION_BYTES {
        return Err(BeaconError::ExtensionLength {
            got: ext.len(),
            expected: EXTENSION_BYTES,
        });
    }
    let bad = || BeaconError::BadProof {
        address: hex::encode(address),
    };
    let key = schnorrkel::PublicKey::from_bytes(vrf_key).map_err(|_| BeaconError::BadVrfKey)?;
    let preout = VRFPreOut::from_bytes(&ext[..32]).map_err(|_| bad())?;
    let proof = VRFProof::from_bytes(&ext[32..]).map_err(|_| bad())?;
    let (inout, _) = key
        .vrf_verify(transcript(chain_id, height), &preout, &proof)
        .map_err(|_| bad())?;
    Ok(inout.make_bytes::<[u8; 32]>(OUT_CONTEXT))
}

/// One validator of a height's voting set.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Voter {
    /// CometBFT address.
    pub address: [u8; 20],
    /// Voting power at that height.
    pub power: u64,
    /// Registered VRF key, if any (a voter without one cannot contribute).
    pub vrf_key: Option<[u8; 32]>,
}

/// The first height whose votes carry VRF extensions (`None`: block-hash beacon).
///
/// # Errors
/// Storage failures or a corrupt record.
pub fn enable_height<S: StateRead>(s: &S) -> Result<Option<u64>, StateError> {
    Ok(codec::get::<u64, _>(s, state_key::ENABLE_HEIGHT)?.filter(|&h| h > 0))
}

/// Whether the beacon of `height` comes from the votes on `height` (else from its hash).
///
/// # Errors
/// Storage failures.
pub fn is_vrf_height<S: StateRead>(s: &S, height: u64) -> Result<bool, StateError> {
    Ok(enable_height(s)?.is_some_and(|e| height >= e))
}

/// Whether block `height` must start with a beacon tx (for the votes on `height − 1`).
///
/// # Errors
/// Storage failures.
pub fn requires_beacon_tx<S: StateRead>(s: &S, height: u64) -> Result<bool, StateError> {
    match height.checked_sub(1) {
        Some(prev) => is_vrf_height(s, prev),
        None => Ok(false),
    }
}

/// Genesis: enables the VRF beacon from `height` (0 leaves it disabled and writes nothing)
/// and records the voting sets of heights 1 and 2 (the genesis registry).
///
/// # Errors
/// Storage failures.
pub fn init_genesis<S: StateWrite>(s: &mut S, height: u64) -> Result<(), StateError> {
    if height == 0 {
        return Ok(());
    }
    codec::put(s, state_key::ENABLE_HEIGHT.to_vec(), &height);
    let set = current_voters(s)?;
    put_voters(s, 1, &set);
    put_voters(s, 2, &set);
    Ok(())
}

/// The registered VRF key of a validator.
///
/// # Errors
/// Storage failures or a corrupt record.
pub fn vrf_key<S: StateRead>(s: &S, pub_key: &[u8; 32]) -> Result<Option<[u8; 32]>, StateError> {
    codec::get(s, &state_key::vrf_key(pub_key))
}

/// Registers (or replaces) a validator's VRF key.
pub fn put_vrf_key<S: StateWrite>(s: &mut S, pub_key: &[u8; 32], vrf_key: &[u8; 32]) {
    codec::put(s, state_key::vrf_key(pub_key), vrf_key);
}

/// Forgets a validator's VRF key (on removal).
pub fn delete_vrf_key<S: StateWrite>(s: &mut S, pub_key: &[u8; 32]) {
    s.delete(state_key::vrf_key(pub_key));
}

/// The registry as a voting set: validators with power > 0, ordered by address.
///
/// # Errors
/// Storage failures.
pub fn current_voters<S: StateRead>(s: &S) -> Result<Vec<Voter>, StateError> {
    let mut out = Vec::new();
    for v in validators::validators(s)? {
        if v.power == 0 {
            continue;
        }
        out.push(Voter {
            address: v.address(),
            power: v.power,
            vrf_key: vrf_key(s, &v.pub_key)?,
        });
    }
    out.sort_by_key(|v| v.address);
    Ok(out)
}

fn put_voters<S: StateWrite>(s: &mut S, height: u64, set: &[Voter]) {
    codec::put(s, state_key::voters(height), set);
}

/// The voting set recorded for `height`.
///
/// # Errors
/// Storage failures or a corrupt record.
pub fn voters<S: StateRead>(s: &S, height: u64) -> Result<Option<Vec<Voter>>, StateError> {
    codec::get(s, &state_key::voters(height))
}

/// End of block `height` (VRF beacon enabled): records the voting set CometBFT will use
/// at `height + 2` (updates returned now apply then) and drops the one of `height − 1`,
/// whose extensions this block carried.
///
/// # Errors
/// Storage failures.
pub fn end_block<S: StateWrite>(s: &mut S, height: u64) -> Result<(), StateError> {
    if enable_height(s)?.is_none() {
        return Ok(());
    }
    let set = current_voters(s)?;
    put_voters(s, height.saturating_add(2), &set);
    if let Some(old) = height.checked_sub(1) {
        s.delete(state_key::voters(old));
    }
    Ok(())
}

/// One validator's extension in a beacon tx.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BeaconEntry {
    /// CometBFT address of the voter.
    pub address: [u8; 20],
    /// Its vote extension (`preout ‖ proof`).
    pub extension: [u8; EXTENSION_BYTES],
}

/// The proposer-injected first tx of a block: the vote extensions of the previous height.
///
/// Encoding (exact; anything else is refused): `TX_MAGIC ‖ height u64 BE ‖ count u32 BE ‖
/// count × (address 20 ‖ extension 96)`, entries strictly ascending by address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BeaconTx {
    /// Height whose votes carried the extensions.
    pub height: u64,
    /// Entries, strictly ascending by address.
    pub entries: Vec<BeaconEntry>,
}

/// Whether `bytes` claim to be a beacon tx (they may still be malformed).
pub fn is_beacon_tx(bytes: &[u8]) -> bool {
    bytes.starts_with(TX_MAGIC)
}

impl BeaconTx {
    /// Builds a beacon tx from `(address, extension)` pairs in any order; extensions that
    /// are not [`EXTENSION_BYTES`] long and repeated addresses (after the first) are left
    /// out.
    pub fn from_extensions<'a>(
        height: u64,
        exts: impl IntoIterator<Item = (&'a [u8], &'a [u8])>,
    ) -> Self {
        let mut entries: Vec<BeaconEntry> = exts
            .into_iter()
            .filter_map(|(a, e)| {
                Some(BeaconEntry {
                    address: a.try_into().ok()?,
                    extension: e.try_into().ok()?,
                })
            })
            .collect();
        entries.sort_by_key(|e| e.address);
        entries.dedup_by_key(|e| e.address);
        BeaconTx { height, entries }
    }

    /// The canonical bytes.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(TX_MAGIC.len() + 12 + self.entries.len() * ENTRY_BYTES);
        out.extend_from_slice(TX_MAGIC);
        out.extend_from_slice(&self.height.to_be_bytes());
        let n = u32::try_from(self.entries.len()).unwrap_or(u32::MAX);
        out.extend_from_slice(&n.to_be_bytes());
        for e in &self.entries {
            out.extend_from_slice(&e.address);
            out.extend_from_slice(&e.extension);
        }
        out
    }

    /// Parses canonical bytes.
    ///
    /// # Errors
    /// [`BeaconError::Malformed`] or [`BeaconError::Unsorted`].
    pub fn decode(bytes: &[u8]) -> Result<Self, BeaconError> {
        let rest = bytes
            .strip_prefix(TX_MAGIC)
            .ok_or(BeaconError::Malformed("missing magic"))?;
        if rest.len() < 12 {
            return Err(BeaconError::Malformed("truncated header"));
        }
        let (h, rest) = rest.split_at(8);
        let (n, rest) = rest.split_at(4);
        let height =
            u64::from_be_bytes(h.try_into().map_err(|_| BeaconError::Malformed("height"))?);
        let n = u32::from_be_bytes(n.try_into().map_err(|_| BeaconError::Malformed("count"))?);
        let n = usize::try_from(n).map_err(|_| BeaconError::Malformed("count"))?;
        if n > MAX_ENTRIES {
            return Err(BeaconError::Malformed("too many entries"));
        }
        if Some(rest.len()) != n.checked_mul(ENTRY_BYTES) {
            return Err(BeaconError::Malformed("length does not match the count"));
        }
        let mut entries: Vec<BeaconEntry> = Vec::with_capacity(n);
        for chunk in rest.chunks_exact(ENTRY_BYTES) {
            let (a, e) = chunk.split_at(20);
            let entry = BeaconEntry {
                address: a
                    .try_into()
                    .map_err(|_| BeaconError::Malformed("address"))?,
                extension: e
                    .try_into()
                    .map_err(|_| BeaconError::Malformed("extension"))?,
            };
            if entries.last().is_some_and(|l| l.address >= entry.address) {
                return Err(BeaconError::Unsorted);
            }
            entries.push(entry);
        }
        Ok(BeaconTx { height, entries })
    }
}

/// `BLAKE3(DOMAIN ‖ height BE ‖ Σ (address ‖ output))` over entries in address order: the
/// same outputs give the same beacon on every node.
pub fn beacon_hash(height: u64, outputs: &[([u8; 20], [u8; 32])]) -> [u8; 32] {
    let mut h = blake3::Hasher::new();
    h.update(DOMAIN);
    h.update(&height.to_be_bytes());
    for (a, o) in outputs {
        h.update(a);
        h.update(o);
    }
    *h.finalize().as_bytes()
}

/// Checks a beacon tx against the voting set of its height and returns the beacon:
/// height as expected, signers distinct (strict order) and voters with a registered key,
/// every proof valid, and `3 · signed > 2 · total` power.
///
/// # Errors
/// `Ok(Err(_))` for a bad tx; `Err(_)` for storage failures.
pub fn check_beacon_tx<S: StateRead>(
    s: &S,
    chain_id: &str,
    tx: &BeaconTx,
    expected_height: u64,
) -> Result<Result<[u8; 32], BeaconError>, StateError> {
    if tx.height != expected_height {
        return Ok(Err(BeaconError::WrongHeight {
            got: tx.height,
            expected: expected_height,
        }));
    }
    let Some(set) = voters(s, tx.height)? else {
        return Ok(Err(BeaconError::NoVoters(tx.height)));
    };
    Ok(check_against(&set, chain_id, tx))
}

/// [`check_beacon_tx`] against an explicit voting set (pure).
///
/// # Errors
/// The first failed check.
pub fn check_against(
    set: &[Voter],
    chain_id: &str,
    tx: &BeaconTx,
) -> Result<[u8; 32], BeaconError> {
    let total: u128 = set.iter().map(|v| u128::from(v.power)).sum();
    let mut signed: u128 = 0;
    let mut outputs = Vec::with_capacity(tx.entries.len());
    let mut last: Option<[u8; 20]> = None;
    for e in &tx.entries {
        if last.is_some_and(|l| l >= e.address) {
            return Err(BeaconError::Unsorted);
        }
        last = Some(e.address);
        let voter = set
            .binary_search_by_key(&e.address, |v| v.address)
            .ok()
            .and_then(|i| set.get(i))
            .ok_or_else(|| BeaconError::UnknownVoter {
                address: hex::encode(e.address),
                height: tx.height,
            })?;
        let key = voter.vrf_key.ok_or_else(|| BeaconError::NoVrfKey {
            address: hex::encode(e.address),
        })?;
        let out = verify_extension(&key, &e.address, chain_id, tx.height, &e.extension)?;
        signed = signed.saturating_add(u128::from(voter.power));
        outputs.push((e.address, out));
    }
    if signed.saturating_mul(3) <= total.saturating_mul(2) {
        return Err(BeaconError::InsufficientPower { signed, total });
    }
    Ok(beacon_hash(tx.height, &outputs))
}

/// Verifies one vote extension of `address` at `height` against the recorded voting set
/// (VerifyVoteExtension). Before the enable height only an empty extension is accepted.
///
/// # Errors
/// `Ok(Err(_))` for a bad extension; `Err(_)` for storage failures.
pub fn check_vote_extension<S: StateRead>(
    s: &S,
    chain_id: &str,
    address: &[u8],
    height: u64,
    ext: &[u8],
) -> Result<Result<(), BeaconError>, StateError> {
    if !is_vrf_height(s, height)? {
        return Ok(if ext.is_empty() {
            Ok(())
        } else {
            Err(BeaconError::ExtensionLength {
                got: ext.len(),
                expected: 0,
            })
        });
    }
    let Ok(address) = <[u8; 20]>::try_from(address) else {
        return Ok(Err(BeaconError::Malformed(
            "validator address is not 20 bytes",
        )));
    };
    let Some(set) = voters(s, height)? else {
        return Ok(Err(BeaconError::NoVoters(height)));
    };
    let Some(voter) = set.iter().find(|v| v.address == address) else {
        return Ok(Err(BeaconError::UnknownVoter {
            address: hex::encode(address),
            height,
        }));
    };
    let Some(key) = voter.vrf_key else {
        return Ok(Err(BeaconError::NoVrfKey {
            address: hex::encode(address),
        }));
    };
    Ok(verify_extension(&key, &address, chain_id, height, ext).map(|_| ()))
}

#[cfg(test)]
mod tests;
