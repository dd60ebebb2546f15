#![no_main]
//! cargo-fuzz wrapper of `proofwork_fuzz::merkle::run`.

libfuzzer_sys::fuzz_target!(
    init: proofwork_fuzz::init("merkle"),
    |data: &[u8]| proofwork_fuzz::merkle::run(data)
);
