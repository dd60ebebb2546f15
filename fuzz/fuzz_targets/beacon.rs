#![no_main]
//! cargo-fuzz wrapper of `proofwork_fuzz::beacon::run`.

libfuzzer_sys::fuzz_target!(
    init: proofwork_fuzz::init("beacon"),
    |data: &[u8]| proofwork_fuzz::beacon::run(data)
);
