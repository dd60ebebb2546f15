#![no_main]
//! cargo-fuzz wrapper of `proofwork_fuzz::state_proof::run`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| proofwork_fuzz::state_proof::run(data));
