//! Target `blobs`: a blob upload as the service receives it: an `UploadHeader` first,
//! then data messages, through `BlobStore::begin`/`write`/`finish` (the declaration,
//! quota, row-length and row-root checks).
//!
//! Input: `u16`-length-prefixed `UploadChunk` messages. A header with an empty hash
//! declares the BLAKE3 of the data that follows, and a typed upload with an odd `ref_id`
//! declares the data's true row root, so the fuzzer reaches the accepting path too.
//! Invariant: a stored blob is exactly the bytes sent, with the declared size, hash and
//! row root, and reads back unchanged.

use std::io::Read as _;
use std::sync::OnceLock;

use proofwork_kernels::merkle::RowRootBuilder;
use proofwork_node::blobs::{digest, BlobLimits, BlobStore, Expect};
use proofwork_proto::blobs::v1::{self as pb, upload_chunk::Msg};
use prost::Message as _;

use crate::input::{chunks, Input};

struct Fixture {
    _dir: tempfile::TempDir,
    store: BlobStore,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let limits = BlobLimits {
            max_blob_bytes: 1 << 20,
            max_chunk_bytes: 1 << 16,
            max_total_bytes: 1 << 24,
            min_free_bytes: 0,
            ..BlobLimits::default()
        };
        let store = BlobStore::open(dir.path().join("blobs"), limits).expect("blob store");
        Fixture { _dir: dir, store }
    })
}

fn row_root(data: &[u8], row_len: u32) -> Option<[u8; 32]> {
    if row_len == 0 {
        return None;
    }
    let mut b = RowRootBuilder::new();
    data.chunks(row_len as usize).for_each(|r| b.push_row(r));
    b.root()
}

/// Runs one input.
pub fn run(data: &[u8]) {
    let store = &fixture().store;
    let mut inp = Input::new(data);
    let Ok(first) = pb::UploadChunk::decode(inp.chunk()) else {
        return;
    };
    let Some(Msg::Header(h)) = first.msg else {
        return; // the service refuses anything else first
    };
    let mut parts = Vec::new();
    while !inp.is_empty() && parts.len() < 64 {
        match pb::UploadChunk::decode(inp.chunk()) {
            Ok(pb::UploadChunk {
                msg: Some(Msg::Data(d)),
            }) => parts.push(d),
            Ok(pb::UploadChunk { msg: None }) => parts.push(Vec::new()),
            // A second header or bytes that do not decode end the stream with an error.
            _ => return,
        }
    }
    let sent: Vec<u8> = parts.concat();
    let hash = if h.hash.is_empty() {
        *blake3::hash(&sent).as_bytes()
    } else {
        match digest("hash", &h.hash) {
            Ok(d) => d,
            Err(_) => return,
        }
    };
    let typed = h.kind != pb::BlobKind::Raw as i32;
    let root = match (typed, h.ref_id & 1 == 1) {
        (false, _) => None,
        (true, true) => row_root(&sent, h.row_len),
        (true, false) => Some(*blake3::hash(&h.ref_id.to_le_bytes()).as_bytes()),
    };
    let expect = Expect {
        size: h.size,
        hash,
        row_len: h.row_len,
        row_root: root,
        leaf: Default::default(),
    };
    let Ok(mut up) = store.begin(expect.clone()) else {
        return;
    };
    for p in &parts {
        if p.is_empty() {
            continue;
        }
        if up.write(p).is_err() {
            return;
        }
    }
    let Ok(meta) = up.finish() else {
        return;
    };
    assert_eq!(
        meta.hash,
        *blake3::hash(&sent).as_bytes(),
        "stored under a wrong hash"
    );
    assert_eq!(
        meta.size,
        sent.len() as u64,
        "stored size differs from bytes sent"
    );
    assert_eq!(
        meta.size, expect.size,
        "stored size differs from the declaration"
    );
    if let Some(r) = expect.row_root {
        assert_eq!(
            row_root(&sent, expect.row_len),
            Some(r),
            "accepted a wrong row root"
        );
    }
    let (mut reader, _) = store.open_at(&meta.hash, 0).expect("a stored blob opens");
    let mut back = Vec::new();
    reader.read_to_end(&mut back).expect("read back");
    drop(reader);
    assert_eq!(back, sent, "blob reads back different bytes");
    store.remove(&meta.hash).expect("remove");
}

fn header(size: u64, hash: Vec<u8>, kind: pb::BlobKind, row_len: u32, ref_id: u64) -> Vec<u8> {
    pb::UploadChunk {
        msg: Some(Msg::Header(pb::UploadHeader {
            size,
            hash,
            kind: kind as i32,
            row_len,
            ref_id,
        })),
    }
    .encode_to_vec()
}

fn data_msg(d: &[u8]) -> Vec<u8> {
    pb::UploadChunk {
        msg: Some(Msg::Data(d.to_vec())),
    }
    .encode_to_vec()
}

/// Seed inputs: raw and typed uploads that are stored, and a few that are refused.
pub fn seeds() -> Vec<Vec<u8>> {
    let d: Vec<u8> = (0..48u8).collect();
    let h = blake3::hash(&d).as_bytes().to_vec();
    let cases = [
        (
            header(48, vec![], pb::BlobKind::Raw, 0, 0),
            vec![&d[..20], &d[20..]],
        ),
        (
            header(48, h.clone(), pb::BlobKind::Raw, 16, 0),
            vec![&d[..]],
        ),
        (
            header(48, vec![], pb::BlobKind::JobInput, 8, 1),
            vec![&d[..13], &d[13..]],
        ),
        (
            header(48, vec![], pb::BlobKind::ModelWeights, 12, 3),
            vec![&d[..]],
        ),
        (
            header(48, vec![], pb::BlobKind::ModelWeights, 12, 2),
            vec![&d[..]],
        ),
        (header(47, h, pb::BlobKind::Raw, 0, 0), vec![&d[..]]),
        (header(0, vec![], pb::BlobKind::Raw, 0, 0), vec![]),
    ];
    cases
        .into_iter()
        .map(|(hd, ds)| {
            let msgs: Vec<Vec<u8>> = std::iter::once(hd)
                .chain(ds.into_iter().map(data_msg))
                .collect();
            let refs: Vec<&[u8]> = msgs.iter().map(Vec::as_slice).collect();
            chunks(&refs)
        })
        .collect()
}
