//! Target `tx`: `SignedTx::decode` + `verify_signature` on hostile bytes.
//!
//! First byte: even → the rest are raw tx bytes; odd → the rest are body bytes, signed by a
//! fuzz key (so decoding gets past the envelope and the signature must then verify).
//! Invariants: a decoded body re-encodes from its domain form to the exact bytes that were
//! signed (decode accepts only canonical encodings, and parsing loses nothing), and a tx
//! this harness signed verifies.

use proofwork_tx::{SignedTx, TxLimits};
use prost::Message as _;

use crate::fixture;

/// Runs one input.
pub fn run(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let signed_here = mode & 1 == 1;
    let bytes = if signed_here {
        fixture::sign_bytes(&fixture::key(usize::from(mode >> 1)), rest.to_vec())
    } else {
        rest.to_vec()
    };
    let Ok(tx) = SignedTx::decode(&bytes, &TxLimits::default()) else {
        return;
    };
    let verified = tx.verify_signature();
    if signed_here {
        assert!(
            verified.is_ok(),
            "a correctly signed tx failed: {verified:?}"
        );
    }
    let again = tx.body.to_proto().encode_to_vec();
    assert_eq!(
        again,
        tx.body_bytes.as_ref(),
        "decoded body does not re-encode to the signed bytes"
    );
}

/// Seed inputs: one signed tx per sample message, raw and as signed-here bodies.
pub fn seeds() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for (i, m) in fixture::sample_messages().into_iter().enumerate() {
        let body = fixture::body(i as u64, vec![m]);
        let mut raw = vec![0u8];
        raw.extend(fixture::sign(&fixture::key(0), &body));
        out.push(raw);
        let mut here = vec![1u8];
        here.extend(body.encode_to_vec());
        out.push(here);
    }
    out
}
