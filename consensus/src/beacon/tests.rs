use super::*;
use proptest::prelude::*;

const CHAIN: &str = "proofwork-test";

fn keys() -> Vec<([u8; 20], VrfSecret)> {
    let mut v: Vec<([u8; 20], VrfSecret)> = (1u8..=4)
        .map(|i| ([i; 20], VrfSecret::from_seed(&[i; 32])))
        .collect();
    v.sort_by_key(|(a, _)| *a);
    v
}

fn set(keys: &[([u8; 20], VrfSecret)], powers: &[u64]) -> Vec<Voter> {
    keys.iter()
        .zip(powers)
        .map(|((a, k), &p)| Voter {
            address: *a,
            power: p,
            vrf_key: Some(k.public()),
        })
        .collect()
}

fn tx_of(keys: &[([u8; 20], VrfSecret)], which: &[usize], h: u64) -> BeaconTx {
    let exts: Vec<([u8; 20], Vec<u8>)> = which
        .iter()
        .map(|&i| (keys[i].0, keys[i].1.extend(CHAIN, h)))
        .collect();
    BeaconTx::from_extensions(h, exts.iter().map(|(a, e)| (a.as_slice(), e.as_slice())))
}

#[test]
fn extension_verifies_only_for_its_key_chain_and_height() {
    let k = VrfSecret::from_seed(&[7; 32]);
    let other = VrfSecret::from_seed(&[8; 32]);
    let ext = k.extend(CHAIN, 5);
    assert_eq!(ext.len(), EXTENSION_BYTES);
    let out = verify_extension(&k.public(), &[0; 20], CHAIN, 5, &ext).unwrap();
    // Unique: a second proof (fresh nonce) gives the same output.
    let again = k.extend(CHAIN, 5);
    assert_eq!(
        verify_extension(&k.public(), &[0; 20], CHAIN, 5, &again).unwrap(),
        out
    );
    assert!(verify_extension(&other.public(), &[0; 20], CHAIN, 5, &ext).is_err());
    assert!(verify_extension(&k.public(), &[0; 20], CHAIN, 6, &ext).is_err());
    assert!(verify_extension(&k.public(), &[0; 20], "other", 5, &ext).is_err());
    let mut forged = ext.clone();
    forged[3] ^= 1;
    assert!(verify_extension(&k.public(), &[0; 20], CHAIN, 5, &forged).is_err());
    assert!(matches!(
        verify_extension(&k.public(), &[0; 20], CHAIN, 5, &ext[..95]),
        Err(BeaconError::ExtensionLength { got: 95, .. })
    ));
}

#[test]
fn beacon_tx_round_trips_and_refuses_noncanonical_bytes() {
    let ks = keys();
    let tx = tx_of(&ks, &[2, 0, 1], 9);
    let b = tx.encode();
    assert!(is_beacon_tx(&b));
    assert_eq!(BeaconTx::decode(&b).unwrap(), tx);
    assert!(BeaconTx::decode(&b[..b.len() - 1]).is_err());
    let mut longer = b.clone();
    longer.push(0);
    assert!(BeaconTx::decode(&longer).is_err());
    // Duplicate entry: refused at decode.
    let mut dup = tx.clone();
    dup.entries.push(dup.entries[2].clone());
    assert_eq!(BeaconTx::decode(&dup.encode()), Err(BeaconError::Unsorted));
}

#[test]
fn three_of_four_make_a_beacon_and_two_of_four_do_not() {
    let ks = keys();
    let s = set(&ks, &[10, 10, 10, 10]);
    let b = check_against(&s, CHAIN, &tx_of(&ks, &[0, 1, 2], 3)).unwrap();
    // Same outputs, fresh proofs, any input order: same beacon.
    assert_eq!(
        check_against(&s, CHAIN, &tx_of(&ks, &[2, 1, 0], 3)).unwrap(),
        b
    );
    // A different subset gives a different beacon (the proposer's only choice).
    assert_ne!(
        check_against(&s, CHAIN, &tx_of(&ks, &[0, 1, 3], 3)).unwrap(),
        b
    );
    assert!(matches!(
        check_against(&s, CHAIN, &tx_of(&ks, &[0, 1], 3)),
        Err(BeaconError::InsufficientPower {
            signed: 20,
            total: 40
        })
    ));
    // Exactly 2/3 is not enough.
    let s = set(&ks, &[10, 10, 10, 0]);
    assert!(check_against(&s, CHAIN, &tx_of(&ks, &[0, 1], 3)).is_err());
}

#[test]
fn forged_duplicate_unknown_and_keyless_entries_are_refused() {
    let ks = keys();
    let s = set(&ks, &[10, 10, 10, 10]);
    let mut forged = tx_of(&ks, &[0, 1, 2], 3);
    forged.entries[1].extension[40] ^= 1;
    assert!(matches!(
        check_against(&s, CHAIN, &forged),
        Err(BeaconError::BadProof { .. })
    ));
    // Someone else's extension under a voter's address.
    let mut swapped = tx_of(&ks, &[0, 1, 2], 3);
    swapped.entries[0].extension = swapped.entries[1].extension;
    assert!(check_against(&s, CHAIN, &swapped).is_err());
    let mut dup = tx_of(&ks, &[0, 1, 2], 3);
    dup.entries.insert(1, dup.entries[0].clone());
    assert_eq!(check_against(&s, CHAIN, &dup), Err(BeaconError::Unsorted));
    let unknown = tx_of(&ks, &[0, 1, 2], 3);
    assert!(matches!(
        check_against(&s[1..], CHAIN, &unknown),
        Err(BeaconError::UnknownVoter { .. })
    ));
    let mut keyless = s.clone();
    keyless[0].vrf_key = None;
    assert!(matches!(
        check_against(&keyless, CHAIN, &unknown),
        Err(BeaconError::NoVrfKey { .. })
    ));
    // An extension made for another height.
    let mut stale = tx_of(&ks, &[0, 1, 2], 2);
    stale.height = 3;
    assert!(check_against(&s, CHAIN, &stale).is_err());
}

#[test]
fn invalid_vrf_keys_are_refused() {
    assert!(check_vrf_key(&[0xff; 32]).is_err());
    assert!(check_vrf_key(&[1; 31]).is_err());
    let k = VrfSecret::from_seed(&[1; 32]);
    assert_eq!(check_vrf_key(&k.public()).unwrap(), k.public());
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(mut bytes in proptest::collection::vec(any::<u8>(), 0..600), magic in any::<bool>()) {
        if magic {
            let mut b = TX_MAGIC.to_vec();
            b.append(&mut bytes);
            bytes = b;
        }
        let _ = BeaconTx::decode(&bytes);
        let k = VrfSecret::from_seed(&[1; 32]);
        let _ = verify_extension(&k.public(), &[0; 20], CHAIN, 1, &bytes);
        let _ = check_vrf_key(&bytes);
    }
}
