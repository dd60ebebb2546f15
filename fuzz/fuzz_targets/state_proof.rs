#![no_main]
//! cargo-fuzz wrapper of `proofwork_fuzz::state_proof::run`.

libfuzzer_sys::fuzz_target!(
    init: proofwork_fuzz::init("state_proof"),
    |data: &[u8]| proofwork_fuzz::state_proof::run(data)
);
