#![no_main]
//! cargo-fuzz wrapper of `proofwork_fuzz::reveal::run`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| proofwork_fuzz::reveal::run(data));
