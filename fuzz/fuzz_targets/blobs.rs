#![no_main]
//! cargo-fuzz wrapper of `proofwork_fuzz::blobs::run`.

libfuzzer_sys::fuzz_target!(
    init: proofwork_fuzz::init("blobs"),
    |data: &[u8]| proofwork_fuzz::blobs::run(data)
);
