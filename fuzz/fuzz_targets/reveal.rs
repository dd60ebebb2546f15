#![no_main]
//! cargo-fuzz wrapper of `proofwork_fuzz::reveal::run`.

libfuzzer_sys::fuzz_target!(
    init: proofwork_fuzz::init("reveal"),
    |data: &[u8]| proofwork_fuzz::reveal::run(data)
);
