#![no_main]
//! cargo-fuzz wrapper of `proofwork_fuzz::genesis::run`.

libfuzzer_sys::fuzz_target!(
    init: proofwork_fuzz::init("genesis"),
    |data: &[u8]| proofwork_fuzz::genesis::run(data)
);
