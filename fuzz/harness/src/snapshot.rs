//! Target `snapshot`: snapshot file parsing (`proofwork_node::snapshot::parse`, what
//! `proofwork import` reads before it rebuilds and checks the tree).
//!
//! First byte odd: the rest gets its correct BLAKE3 trailer appended, so the fuzzer reaches
//! the header and entry framing instead of stopping at the checksum. Invariant: an accepted
//! snapshot holds exactly the number of entries its header claims.

use proofwork_node::snapshot::{parse, Header};

/// Appends the checksum trailer `export` writes.
pub fn seal(body: &[u8]) -> Vec<u8> {
    let mut out = body.to_vec();
    out.extend_from_slice(blake3::hash(body).as_bytes());
    out
}

/// Runs one input.
pub fn run(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let bytes = if mode & 1 == 1 {
        seal(rest)
    } else {
        rest.to_vec()
    };
    let Ok((header, writes)) = parse(&bytes) else {
        return;
    };
    assert_eq!(
        writes.len() as u64,
        header.entries,
        "a snapshot's entries collapsed (repeated keys)"
    );
}

/// The unsealed bytes of a snapshot of `entries`, as `export` writes them.
pub fn body(header: &Header, entries: &[(&[u8], &[u8])]) -> Vec<u8> {
    let mut buf = b"PWSNAP1\n".to_vec();
    buf.extend(serde_json::to_vec(header).expect("json"));
    buf.push(b'\n');
    for (k, v) in entries {
        for part in [k, v] {
            buf.extend_from_slice(&(part.len() as u32).to_be_bytes());
            buf.extend_from_slice(part);
        }
    }
    buf
}

/// Seed inputs: small valid snapshots, sealed here and already sealed.
pub fn seeds() -> Vec<Vec<u8>> {
    let entries: [(&[u8], &[u8]); 3] = [(b"a", b"1"), (b"b/x", b""), (b"c", b"333")];
    let mut out = Vec::new();
    for n in [0usize, 1, 3] {
        let header = Header {
            chain_id: crate::fixture::CHAIN.into(),
            height: 7,
            app_hash: hex_of(&[5; 32]),
            entries: n as u64,
        };
        let b = body(&header, &entries[..n]);
        let mut odd = vec![1u8];
        odd.extend_from_slice(&b);
        out.push(odd);
        let mut even = vec![0u8];
        even.extend(seal(&b));
        out.push(even);
    }
    out
}

fn hex_of(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}
