#![no_main]
//! cargo-fuzz wrapper of `proofwork_fuzz::abci::run`.

libfuzzer_sys::fuzz_target!(
    init: proofwork_fuzz::init("abci"),
    |data: &[u8]| proofwork_fuzz::abci::run(data)
);
