#![no_main]
//! cargo-fuzz wrapper of `proofwork_fuzz::merkle::run`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| proofwork_fuzz::merkle::run(data));
