#![no_main]
//! cargo-fuzz wrapper of `proofwork_fuzz::app::run`.

libfuzzer_sys::fuzz_target!(
    init: proofwork_fuzz::init("app"),
    |data: &[u8]| proofwork_fuzz::app::run(data)
);
