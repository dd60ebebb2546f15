#![no_main]
//! cargo-fuzz wrapper of `proofwork_fuzz::tx::run`.

libfuzzer_sys::fuzz_target!(
    init: proofwork_fuzz::init("tx"),
    |data: &[u8]| proofwork_fuzz::tx::run(data)
);
