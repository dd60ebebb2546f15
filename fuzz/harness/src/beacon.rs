//! Target `beacon`: `BeaconTx::decode` and `check_against` a fixed voting set.
//!
//! Invariants: a decoded beacon tx re-encodes to its exact bytes (one encoding per tx), and
//! an accepted tx yields the beacon of the voters' true VRF outputs (a VRF output is unique
//! per key and height, so no proof bytes can steer the beacon).

use std::sync::OnceLock;

use proofwork_consensus::beacon::{
    beacon_hash, check_against, verify_extension, BeaconTx, Voter, VrfSecret,
};

use crate::fixture::CHAIN;

struct Set {
    secrets: Vec<VrfSecret>,
    voters: Vec<Voter>,
}

fn set() -> &'static Set {
    static SET: OnceLock<Set> = OnceLock::new();
    SET.get_or_init(|| {
        let secrets: Vec<VrfSecret> = (0..4u8).map(|i| VrfSecret::from_seed(&[i; 32])).collect();
        // Sorted by address (check_against binary-searches); the last has no VRF key.
        let voters = secrets
            .iter()
            .enumerate()
            .map(|(i, s)| Voter {
                address: [i as u8 + 1; 20],
                power: 1 + i as u64,
                vrf_key: (i < 3).then(|| s.public()),
            })
            .collect();
        Set { secrets, voters }
    })
}

/// Runs one input.
pub fn run(data: &[u8]) {
    let Ok(tx) = BeaconTx::decode(data) else {
        return;
    };
    assert_eq!(
        tx.encode(),
        data,
        "a beacon tx decoded from non-canonical bytes"
    );
    let set = set();
    let Ok(beacon) = check_against(&set.voters, CHAIN, &tx) else {
        return;
    };
    let honest: Vec<([u8; 20], [u8; 32])> = tx
        .entries
        .iter()
        .map(|e| {
            let i = set
                .voters
                .iter()
                .position(|v| v.address == e.address)
                .expect("an accepted entry is a voter");
            let key = set.voters[i].vrf_key.expect("an accepted voter has a key");
            let ext = set.secrets[i].extend(CHAIN, tx.height);
            let out = verify_extension(&key, &e.address, CHAIN, tx.height, &ext)
                .expect("an honest extension verifies");
            (e.address, out)
        })
        .collect();
    assert_eq!(
        beacon,
        beacon_hash(tx.height, &honest),
        "an accepted beacon tx gave a beacon other than the honest outputs'"
    );
}

/// Seed inputs: valid beacon txs signed by subsets of the voters.
pub fn seeds() -> Vec<Vec<u8>> {
    let set = set();
    let mut out = Vec::new();
    for (height, signers) in [(5u64, &[0usize, 1, 2][..]), (9, &[1, 2]), (1, &[0, 3])] {
        let exts: Vec<([u8; 20], Vec<u8>)> = signers
            .iter()
            .map(|&i| (set.voters[i].address, set.secrets[i].extend(CHAIN, height)))
            .collect();
        let tx = BeaconTx::from_extensions(
            height,
            exts.iter().map(|(a, e)| (a.as_slice(), e.as_slice())),
        );
        out.push(tx.encode());
    }
    out
}
