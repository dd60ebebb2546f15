#![no_main]
//! cargo-fuzz wrapper of `proofwork_fuzz::app::run`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| proofwork_fuzz::app::run(data));
