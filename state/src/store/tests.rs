use std::collections::BTreeMap;

use proptest::prelude::*;

use super::*;

fn open(dir: &tempfile::TempDir, keep_recent: u64) -> Storage {
    Storage::open(dir.path(), StorageConfig { keep_recent }).unwrap()
}

fn ws(pairs: &[(&str, Option<&str>)]) -> WriteSet {
    pairs
        .iter()
        .map(|(k, v)| (k.as_bytes().to_vec(), v.map(|v| v.as_bytes().to_vec())))
        .collect()
}

#[test]
fn commit_persists_height_root_and_values_across_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let root = {
        let s = open(&dir, 0);
        assert_eq!(s.latest(), None);
        let p = s
            .prepare(
                0,
                ws(&[("a", Some("1")), ("b", Some("2"))]),
                WriteSet::new(),
            )
            .unwrap();
        let root = p.app_hash;
        s.commit(p).unwrap();
        root
    };
    let s = open(&dir, 0);
    assert_eq!(
        s.latest(),
        Some(StoredHeight {
            height: 0,
            app_hash: root
        })
    );
    assert_eq!(s.get_raw(b"a").unwrap(), Some(b"1".to_vec()));
    assert_eq!(s.app_hash_at(0).unwrap(), root);
}

#[test]
fn prepared_but_uncommitted_changes_are_not_visible_after_reopen() {
    let dir = tempfile::tempdir().unwrap();
    {
        let s = open(&dir, 0);
        s.commit(
            s.prepare(0, ws(&[("a", Some("1"))]), WriteSet::new())
                .unwrap(),
        )
        .unwrap();
        let _lost = s
            .prepare(1, ws(&[("a", Some("2"))]), WriteSet::new())
            .unwrap();
    }
    let s = open(&dir, 0);
    assert_eq!(s.latest().unwrap().height, 0);
    assert_eq!(s.get_raw(b"a").unwrap(), Some(b"1".to_vec()));
}

#[test]
fn out_of_order_commit_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let s = open(&dir, 0);
    assert!(matches!(
        s.prepare(3, WriteSet::new(), WriteSet::new()),
        Err(StateError::OutOfOrder {
            got: 3,
            expected: 0
        })
    ));
}

#[test]
fn historical_values_and_proofs_verify_offline() {
    let dir = tempfile::tempdir().unwrap();
    let s = open(&dir, 0);
    s.commit(
        s.prepare(
            0,
            ws(&[("k", Some("v0")), ("x", Some("1"))]),
            WriteSet::new(),
        )
        .unwrap(),
    )
    .unwrap();
    s.commit(
        s.prepare(1, ws(&[("k", Some("v1")), ("x", None)]), WriteSet::new())
            .unwrap(),
    )
    .unwrap();
    let h0 = s.app_hash_at(0).unwrap();
    let h1 = s.app_hash_at(1).unwrap();
    assert_ne!(h0, h1);

    let p = s.get_with_proof(b"k", 0).unwrap();
    assert_eq!(p.value.as_deref(), Some(&b"v0"[..]));
    p.verify(&h0).unwrap();
    // The same proof does not verify against another height's root.
    assert!(verify_proof(&h1, b"k", Some(b"v0"), &p.proof).is_err());
    // A tampered value fails.
    assert!(verify_proof(&h0, b"k", Some(b"v9"), &p.proof).is_err());

    // Non-membership: x deleted at height 1.
    let p = s.get_with_proof(b"x", 1).unwrap();
    assert_eq!(p.value, None);
    p.verify(&h1).unwrap();
    assert!(verify_proof(&h1, b"x", Some(b"1"), &p.proof).is_err());
    // Never-written key.
    s.get_with_proof(b"never", 1).unwrap().verify(&h1).unwrap();
    assert_eq!(s.get_at(b"k", 0).unwrap(), Some(b"v0".to_vec()));
    assert_eq!(s.get_at(b"x", 1).unwrap(), None);
    assert!(matches!(
        s.get_with_proof(b"k", 2),
        Err(StateError::UnknownHeight { .. })
    ));
}

#[test]
fn pruning_removes_old_versions_but_keeps_recent_ones() {
    let dir = tempfile::tempdir().unwrap();
    let s = open(&dir, 3);
    for h in 0..10u64 {
        let v = format!("{h}");
        s.commit(
            s.prepare(
                h,
                ws(&[("k", Some(&v)), ("const", Some("c"))]),
                WriteSet::new(),
            )
            .unwrap(),
        )
        .unwrap();
    }
    assert_eq!(s.oldest(), 7);
    assert!(matches!(
        s.get_with_proof(b"k", 6),
        Err(StateError::Pruned {
            height: 6,
            oldest: 7
        })
    ));
    for h in 7..10u64 {
        let p = s.get_with_proof(b"k", h).unwrap();
        assert_eq!(p.value, Some(format!("{h}").into_bytes()));
        p.verify(&s.app_hash_at(h).unwrap()).unwrap();
        let c = s.get_with_proof(b"const", h).unwrap();
        c.verify(&s.app_hash_at(h).unwrap()).unwrap();
    }
}

#[test]
fn aux_writes_commit_with_the_block() {
    let dir = tempfile::tempdir().unwrap();
    let s = open(&dir, 0);
    s.commit(
        s.prepare(0, ws(&[("a", Some("1"))]), ws(&[("blk/0", Some("x"))]))
            .unwrap(),
    )
    .unwrap();
    assert_eq!(s.get_aux(b"blk/0").unwrap(), Some(b"x".to_vec()));
    assert_eq!(s.scan_aux(b"blk/", b"blk/", 10).unwrap().len(), 1);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    /// The root depends only on the resulting key/value set, not on how it was reached, and
    /// every key's membership or absence proves against it.
    #[test]
    fn root_is_a_function_of_contents_and_proofs_hold(
        ops in proptest::collection::vec((0u8..24, proptest::option::of(0u8..4)), 1..60),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let s = open(&dir, 0);
        let mut model: BTreeMap<Vec<u8>, Vec<u8>> = BTreeMap::new();
        for (h, chunk) in ops.chunks(7).enumerate() {
            let mut w = WriteSet::new();
            for (k, v) in chunk {
                let key = vec![b'k', *k];
                let val = v.map(|v| vec![v]);
                match &val { Some(v) => { model.insert(key.clone(), v.clone()); } None => { model.remove(&key); } }
                w.insert(key, val);
            }
            s.commit(s.prepare(h as u64, w, WriteSet::new()).unwrap()).unwrap();
        }
        let latest = s.latest().unwrap();
        // Same contents written in one version give the same root.
        let dir2 = tempfile::tempdir().unwrap();
        let s2 = open(&dir2, 0);
        let w: WriteSet = model.iter().map(|(k, v)| (k.clone(), Some(v.clone()))).collect();
        let p = s2.prepare(0, w, WriteSet::new()).unwrap();
        if !model.is_empty() {
            prop_assert_eq!(p.app_hash, latest.app_hash);
        }
        for k in 0u8..24 {
            let key = vec![b'k', k];
            let proof = s.get_with_proof(&key, latest.height).unwrap();
            prop_assert_eq!(proof.value.as_ref(), model.get(&key));
            prop_assert!(proof.verify(&latest.app_hash).is_ok());
        }
    }
}

#[test]
fn snapshot_restore_rebuilds_the_same_root_or_refuses() {
    let dir = tempfile::tempdir().unwrap();
    let s = open(&dir, 0);
    for h in 0..5u64 {
        let v = format!("{h}");
        s.commit(
            s.prepare(
                h,
                ws(&[("k", Some(&v)), (&format!("x{h}"), Some("y"))]),
                WriteSet::new(),
            )
            .unwrap(),
        )
        .unwrap();
    }
    let latest = s.latest().unwrap();
    let snapshot: WriteSet = s
        .scan_prefix(b"", None, usize::MAX)
        .unwrap()
        .into_iter()
        .map(|(k, v)| (k, Some(v)))
        .collect();
    let d2 = tempfile::tempdir().unwrap();
    let r = open(&d2, 0);
    let restored = r
        .restore(latest.height, snapshot.clone(), &latest.app_hash)
        .unwrap();
    assert_eq!(restored, latest);
    assert_eq!(r.get_raw(b"k").unwrap(), Some(b"4".to_vec()));
    r.get_with_proof(b"x2", latest.height)
        .unwrap()
        .verify(&latest.app_hash)
        .unwrap();
    assert!(matches!(
        r.get_with_proof(b"k", 1),
        Err(StateError::Pruned { .. })
    ));
    // The store continues from there.
    r.commit(
        r.prepare(latest.height + 1, ws(&[("k", Some("5"))]), WriteSet::new())
            .unwrap(),
    )
    .unwrap();
    // A tampered snapshot does not rebuild to the claimed root: nothing is written.
    let mut bad = snapshot.clone();
    bad.insert(b"k".to_vec(), Some(b"999".to_vec()));
    let d3 = tempfile::tempdir().unwrap();
    let t = open(&d3, 0);
    assert!(matches!(
        t.restore(latest.height, bad, &latest.app_hash),
        Err(StateError::InvalidProof(_))
    ));
    assert_eq!(t.latest(), None);
    // Restoring over existing state is refused.
    assert!(r
        .restore(latest.height, snapshot, &latest.app_hash)
        .is_err());
}
