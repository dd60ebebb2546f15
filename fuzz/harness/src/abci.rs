//! Target `abci`: the ABCI socket's framing and request decoding (`read_frame` and
//! `Request::decode`, what a local process on the ABCI port controls).
//!
//! Invariants: framing never allocates more than the frame limit and never panics; a
//! decoded request survives encode → decode unchanged.

use std::io::Cursor;

use proofwork_node::abci::read_frame;
use prost::Message as _;
use tendermint_proto::v0_38::abci::Request;

/// Runs one input.
pub fn run(data: &[u8]) {
    let mut r = Cursor::new(data);
    for _ in 0..64 {
        let Ok(Some(frame)) = read_frame(&mut r) else {
            return;
        };
        if let Ok(req) = Request::decode(frame.as_slice()) {
            let again = Request::decode(req.encode_to_vec().as_slice())
                .expect("a re-encoded request decodes");
            assert_eq!(again, req, "request changed through encode/decode");
        }
    }
}

/// Seed inputs: a few framed requests of different kinds.
pub fn seeds() -> Vec<Vec<u8>> {
    use tendermint_proto::v0_38::abci::{self as abci, request::Value};
    let reqs = [
        Value::Echo(abci::RequestEcho {
            message: "hi".into(),
        }),
        Value::Flush(abci::RequestFlush {}),
        Value::Info(abci::RequestInfo::default()),
        Value::CheckTx(abci::RequestCheckTx {
            tx: vec![1, 2, 3].into(),
            r#type: 0,
        }),
        Value::FinalizeBlock(abci::RequestFinalizeBlock {
            txs: vec![vec![9; 4].into()],
            height: 2,
            ..Default::default()
        }),
        Value::Query(abci::RequestQuery {
            path: "/balance".into(),
            data: b"x".to_vec().into(),
            height: 0,
            prove: true,
        }),
    ];
    let mut all = Vec::new();
    let mut out = Vec::new();
    for v in reqs {
        let framed = Request { value: Some(v) }.encode_length_delimited_to_vec();
        all.extend_from_slice(&framed);
        out.push(framed);
    }
    out.push(all);
    out
}
