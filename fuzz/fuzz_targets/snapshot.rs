#![no_main]
//! cargo-fuzz wrapper of `proofwork_fuzz::snapshot::run`.

libfuzzer_sys::fuzz_target!(
    init: proofwork_fuzz::init("snapshot"),
    |data: &[u8]| proofwork_fuzz::snapshot::run(data)
);
